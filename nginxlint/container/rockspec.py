"""The modules a local rockspec installs, read with the project's Lua parser.

A rockspec is Lua assignments: `package = "x"`, `build = { type = "builtin", modules = { ["a.b"] = "src/a/b.lua" } }`.
`build.modules` (builtin builds) and `build.install.lua` (make and other builds) name every module exactly; a
rockspec that names none (a `make` build without an install table) provides what its package name implies.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rockspec:
    package: str | None
    modules: tuple[str, ...]  # module names, or name patterns (`foo.*`) when only the package name is known
    exact: bool  # the modules were listed in the rockspec
    dependencies: tuple[str, ...] = ()  # the rocks `luarocks make` installs with it (`dependencies = {...}`)


def read_rockspec(text: str) -> Rockspec | None:
    """None when the text is not Lua."""
    from ..lua import ast  # the Lua analysis, only when a config runs Lua
    from ..lua.parser import LuaSyntaxError, parse  # the Lua analysis, only when a config runs Lua
    from ..openresty.modules import rock_modules  # the Lua analysis, only when a config runs Lua

    try:
        chunk = parse(text)
    except LuaSyntaxError:
        return None
    package = None
    build = None
    dependencies: tuple[str, ...] = ()
    for statement in chunk.body:
        if type(statement) is not ast.Assign:
            continue
        for target, value in zip(statement.targets, statement.values):
            if type(target) is not ast.Name:
                continue
            if target.name == "package" and type(value) is ast.String:
                package = value.value
            elif target.name == "build" and type(value) is ast.Table:
                build = value
            elif target.name == "dependencies" and type(value) is ast.Table:
                dependencies = _rock_names(value)
    modules: list[str] = []
    if build is not None:
        modules.extend(_keys(_field(build, "modules")))
        modules.extend(_keys(_field(_field(build, "install"), "lua")))
    if modules:
        return Rockspec(package, tuple(dict.fromkeys(modules)), True, dependencies)
    return Rockspec(package, rock_modules(package) if package else (), False, dependencies)


def _rock_names(table) -> tuple[str, ...]:
    """`{"lua >= 5.1", "lua-resty-http", "lua-resty-jwt >= 0.2"}` -> the rocks, Lua itself left out."""
    from ..lua import ast  # the Lua analysis, only when a config runs Lua

    names = []
    for key, value in table.items:
        if key is None and type(value) is ast.String and value.value.split():
            name = value.value.split()[0].lower()
            if name != "lua":
                names.append(name)
    return tuple(names)


def _field(table, name: str):
    from ..lua import ast  # the Lua analysis, only when a config runs Lua

    if table is None or type(table) is not ast.Table:
        return None
    for key, value in table.items:
        if key is not None and _name(key) == name:
            return value
    return None


def _keys(table) -> list[str]:
    from ..lua import ast  # the Lua analysis, only when a config runs Lua

    if table is None or type(table) is not ast.Table:
        return []
    return [name for name in (_name(key) for key, _value in table.items if key is not None) if name]


def _name(key) -> str | None:
    from ..lua import ast  # the Lua analysis, only when a config runs Lua

    if type(key) is ast.String:
        return key.value
    if type(key) is ast.Name:
        return key.name
    return None
