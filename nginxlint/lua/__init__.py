"""Lua 5.1 + LuaJIT 2.1 parser and the facts nginxlint extracts from Lua code.

Import the submodules: ``nginxlint.lua.parser`` and ``nginxlint.lua.facts``.
Nothing is built at import time; the token regex compiles on the first parse.
"""
