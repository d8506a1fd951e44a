/* greet: a Lua C module built on a Debian build host (glibc) with its default hardening, _FORTIFY_SOURCE:
 * snprintf becomes __snprintf_chk, which only glibc defines. */
#include <stddef.h>
#include <stdio.h>

typedef struct lua_State lua_State;
extern const char *lua_pushlstring(lua_State *L, const char *s, size_t len);
extern void lua_pushcclosure(lua_State *L, int (*fn)(lua_State *), int n);

static int hello(lua_State *L)
{
    char buffer[64];
    int length = snprintf(buffer, sizeof buffer, "hello from %s", "C");
    lua_pushlstring(L, buffer, (size_t)length);
    return 1;
}

int luaopen_greet(lua_State *L)
{
    lua_pushcclosure(L, hello, 0);
    return 1;
}
