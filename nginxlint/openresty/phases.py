"""Small facts about `*_by_lua*` directives that rules need without the Lua analysis (cheap to import)."""
from __future__ import annotations

INIT_PHASES = frozenset({"init", "init_worker"})  # run once, in the master or at worker start: failures stop nginx


def subsystem_of(node) -> str:
    """The Lua VM a directive's code runs in: http or stream."""
    return "stream" if node.ctx and node.ctx[0] == "stream" else "http"


def code_arg(name: str) -> int:
    """The argument holding the code or file of a *_by_lua / *_by_lua_file directive (`set_by_lua* $res …`)."""
    return 1 if name.startswith("set_by_lua") else 0
