/* libtolua++.so: the binding library the `bindings` module is linked against. */
int tolua_version(void) { return 1; }
