"""Small facts about `*_by_lua*` directives that rules need without the Lua analysis (cheap to import)."""
from __future__ import annotations

INIT_PHASES = frozenset({"init", "init_worker"})  # run once, in the master or at worker start
# Phases whose code never yields to another request: ngx_lua disables the cosocket API, ngx.sleep and subrequests
# there (their documented contexts are rewrite, access, content, timers and the ssl_* phases).
NO_YIELD_PHASES = frozenset({"init", "init_worker", "set", "header_filter", "body_filter", "log", "balancer"})

# What nginx does when a handler's code fails to load (a syntax error, a required module that does not load), by
# phase, the worst first (nginx 1.22 with ngx_lua: tests/oracle/test_lua_oracle.py). ngx_lua loads init_by_lua* code
# while nginx starts, init_worker_by_lua* code as each worker starts (the error is logged, the worker runs on), and
# the other phases' code when it first runs.
_LOAD_FAILURES = (
    ({"init"}, "nginx fails to start"),
    ({"rewrite", "access", "content", "set"}, "every request that runs it fails with 500"),
    ({"header_filter", "body_filter"}, "every response it runs for is cut off: the client gets no answer"),
    ({"init_worker"}, "nginx starts, but each worker logs the error at start and skips this init_worker_by_lua* code"),
    ({"log"}, "requests are answered, but the log handler's code never runs (each one logs the error)"),
)
_LOAD_FAILURE_ELSEWHERE = "nginx starts, and the code fails to load each time it would run"


def load_failure(phases, subsystem: str = "http") -> str:
    """What a failure to load code that runs in `phases` does, the worst of them."""
    for named, outcome in _LOAD_FAILURES:
        if phases & named and (subsystem == "http" or named <= INIT_PHASES):
            return outcome
    return _LOAD_FAILURE_ELSEWHERE


def subsystem_of(node) -> str:
    """The Lua VM a directive's code runs in: http or stream."""
    return "stream" if node.ctx and node.ctx[0] == "stream" else "http"


def code_arg(name: str) -> int:
    """The argument holding the code or file of a *_by_lua / *_by_lua_file directive (`set_by_lua* $res …`)."""
    return 1 if name.startswith("set_by_lua") else 0


def handler_code(node) -> str | None:
    """A Lua handler's code as written: a block's body or the inline string (`*_by_lua '<code>'`); for a
    `*_by_lua_file`, the file it names."""
    if node.d.lua is not None:
        return node.d.lua.text
    at = code_arg(node.d.name)
    return node.args[at] if len(node.args) > at else None
