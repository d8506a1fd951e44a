"""What an OpenResty release bundles (nginx core, lua-nginx-module, lua-resty-core, LuaJIT), and which
lua-nginx-module release added each directive and each Lua function. The tables are data files made from their
sources (see their headers), read on first use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_HERE = Path(__file__).parent
_BUNDLES: list = []  # filled once from releases.tsv: the same for every run
_LUA_DIRECTIVES: dict = {}  # filled once from lua_directive_versions.tsv
_LUA_APIS: dict = {}  # filled once from lua_api_versions.tsv
_MODULE_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:rc(\d+))?$")


@dataclass(frozen=True)
class Bundle:
    openresty: tuple[int, ...]
    nginx: str
    lua_nginx_module: str
    lua_resty_core: str
    luajit: str


def module_order(version: str) -> tuple[int, ...]:
    """"0.10.30rc2" < "0.10.30" < "0.10.31": a release candidate comes before its release."""
    match = _MODULE_VERSION.match(version)
    if match is None:
        return ()
    x, y, z, rc = match.groups()
    return int(x), int(y), int(z), int(rc) if rc else 10**6


def shown(version: str) -> str:
    """A module version as its release is known: "0.10.23rc1" -> "0.10.23"."""
    return version.split("rc", 1)[0]


def _rows(name: str):
    for line in (_HERE / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")


def bundles(number: tuple[int, ...]) -> list[Bundle]:
    """The releases an OpenResty version stands for (1.21.4.1 one, 1.21 a branch's), oldest first; [] when the
    table does not know it (a release newer than the table: nothing is assumed)."""
    if not _BUNDLES:
        for openresty, nginx, lua, core, luajit in _rows("releases.tsv"):
            _BUNDLES.append(Bundle(tuple(int(p) for p in openresty.split(".")), nginx, lua, core, luajit))
    return [b for b in _BUNDLES if b.openresty[:len(number)] == number]


def bundled_lua_module(number: tuple[int, ...]) -> str | None:
    """The lua-nginx-module of the newest release an OpenResty version stands for (of a branch: a module release no
    release of the branch passes), or None when the table does not know the version, or knows a branch only up to
    the table's newest release (a newer one may bundle a newer module)."""
    known = bundles(number)
    if not known or (len(number) < 4 and known[-1] == bundles(())[-1]):
        return None
    return max((b.lua_nginx_module for b in known), key=module_order)


def first_bundling(module_version: str) -> Bundle | None:
    """The first OpenResty release whose lua-nginx-module is at least `module_version`."""
    bundles(())
    wanted = module_order(module_version)
    return next((b for b in _BUNDLES if module_order(b.lua_nginx_module) >= wanted), None)


def lua_directive_since(name: str) -> str | None:
    """The lua-nginx-module release that added the http directive `name`, or None (older, or not ngx_lua's)."""
    if not _LUA_DIRECTIVES:
        _LUA_DIRECTIVES.update(_rows("lua_directive_versions.tsv"))
    return _LUA_DIRECTIVES.get(name)


def lua_api_versions() -> dict[str, str]:
    """Each Lua function of the table (`ngx.worker.pids`, `ngx.shared.DICT.ttl`, `tcpsock:getfd`) -> the
    lua-nginx-module release that added it."""
    if not _LUA_APIS:
        _LUA_APIS.update(_rows("lua_api_versions.tsv"))
    return _LUA_APIS


def lua_api_since(api: str) -> str | None:
    """The lua-nginx-module release that added the Lua function `api`, or None (older than every release the table
    starts from, or not ngx_lua's)."""
    return lua_api_versions().get(api)
