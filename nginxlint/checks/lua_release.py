"""LUA217: a Lua call of an ngx_lua API that the lua-nginx-module running it does not have yet.

The module's release comes from the OpenResty release (image tag, a dump's `nginx -V`, the `nginx-version` setting)
or the `lua-nginx-module` setting (container/release.py); when each API appeared, from the module's sources
(openresty/lua_api_versions.tsv). Code that asks whether the API exists, or reads the module's version, chooses for
itself: nothing is said there. Nothing known, nothing said.
"""
from __future__ import annotations

from ..container.release import running_lua_module
from ..openresty.releases import first_bundling, lua_api_since, module_order, shown
from .registry import rule


@rule("LUA217")
def lua_api_newer_than_module(tree, report):
    lua = tree.lua
    if not lua.units:
        return
    running = running_lua_module(tree)
    if running is None:
        return
    from ..lua.facts import VERSION_FIELD  # the Lua analysis, only when a config runs Lua

    have = module_order(running.version)
    for unit in lua.of("http"):  # stream-lua-nginx-module has its own releases
        facts = unit.facts
        if facts is None or not facts.api_calls:
            continue
        asked = set(facts.api_reads)
        if VERSION_FIELD in asked:
            continue
        for call in facts.api_calls:
            since = lua_api_since(call.api)
            if since is None or module_order(since) <= have or call.api in asked:
                continue
            report.at(
                unit.path, unit.span(call.span),
                f"`{call.api}` appeared in lua-nginx-module {shown(since)}, and this code runs on "
                f"{shown(running.version)} ({running.source}): {_failure(call)}",
                related=running.related,
                help=_upgrade(since, running) + ("" if call.method else
                                                 f", or call it only where it exists (`if {call.api} then`)"),
            )


def _failure(call) -> str:
    if call.field is None:
        return 'there it is nil, and calling it raises "attempt to call … (a nil value)"'
    kind = "method" if call.method else "field"
    return f"there it is nil, and the call raises \"attempt to call {kind} '{call.field}' (a nil value)\""


def _upgrade(since: str, running) -> str:
    if running.openresty:
        first = first_bundling(since)
        upgrade = "upgrade the image" if running.from_image else "upgrade"
        return upgrade + (f" to OpenResty {'.'.join(map(str, first.openresty))} or later" if first else "")
    return f"upgrade lua-nginx-module to {shown(since)} or later"

