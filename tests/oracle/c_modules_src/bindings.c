/* bindings: a Lua C module built against musl that needs libtolua++.so at run time. */
#include <stddef.h>

typedef struct lua_State lua_State;
extern void lua_pushinteger(lua_State *L, ptrdiff_t n);
extern int tolua_version(void);

int luaopen_bindings(lua_State *L)
{
    lua_pushinteger(L, tolua_version());
    return 1;
}
