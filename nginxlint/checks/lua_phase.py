"""LUA216: an ngx_lua API called in a phase that disables it (docs/openresty-phase-api.md), in http and stream Lua."""
from __future__ import annotations

from .registry import rule

# How the failure shows, per phase.
OUTCOMES = {
    "init": "nginx -t passes, then nginx refuses to start",
    "init_worker": "each worker logs it at start and skips the rest of its init_worker_by_lua* code",
    "timer": "the timer callback stops there",
    "log": "the rest of the log handler is skipped for every request",
    "header_filter": "the client gets no response at all",
    "body_filter": "every response it runs for is aborted",
}
REQUEST_OUTCOME = "every request that runs it fails with 500"
CONNECTION_OUTCOME = "every connection that runs it is closed"  # stream: no response to fail, the session ends
HANDLER_NAMES = {
    "init": "init_by_lua*", "init_worker": "init_worker_by_lua*", "timer": "an ngx.timer callback",
}
REQUEST_PHASES = {"http": ("rewrite", "access", "content"), "stream": ("preread", "content")}


@rule("LUA216")
def api_disabled_in_phase(tree, report):
    lua = tree.lua
    if not lua.units:
        return
    from ..lua.phase_api import failure, judged  # the Lua analysis, only when a config runs Lua
    from ..openresty.phase_calls import tree_phase_runs  # the Lua analysis, only when a config runs Lua

    reported: set = set()
    for subsystem in ("http", "stream"):
        phases = judged(subsystem)
        for run in tree_phase_runs(tree, subsystem):
            if run.phase in phases:
                _check_run(run, subsystem, failure, reported, report)


def _check_run(run, subsystem: str, failure, reported: set, report) -> None:
    unit = run.unit
    stream = subsystem == "stream"
    for use in run.summary.uses:
        said = failure(use.api, run.phase, subsystem)
        if said is None or _stops_start_up(run, use):
            continue
        span = unit.span(use.span)
        if (unit.path, span) in reported:
            continue
        reported.add((unit.path, span))
        where = (HANDLER_NAMES.get(run.phase) or f"{run.phase}_by_lua*") + (" of stream {}" if stream else "")
        handler = run.handler.node
        related = [handler.location(f"{handler.d.name} runs this code")] if handler else []
        related += [step.unit.location(step.span, step.text) for step in run.via]
        outcome = OUTCOMES.get(run.phase, CONNECTION_OUTCOME if stream else REQUEST_OUTCOME)
        if stream:
            outcome = outcome.replace("request", "connection")
        report.at(
            unit.path, span,
            f'{_shown(use.api)} cannot run in {where}: {"stream-lua" if stream else "ngx_lua"} raises "{said}" and '
            f"{outcome}; {_advice(use.api, run.phase, subsystem)}",
            related=related,
        )


def _stops_start_up(run, use) -> bool:
    """A call in code init_by_lua* runs that sits in a failure branch: the error it raises aborts the start, which is
    what the branch is for (lua/start_abort.py)."""
    if run.phase != "init":
        return False
    from ..lua.start_abort import aborts_start_up  # the Lua analysis, only when a config runs Lua

    return aborts_start_up(run.unit.text, use.span, use.api == "ngx.exit")


def _shown(api: str) -> str:
    if api.startswith("resty."):
        module, member = api.rsplit(".", 1)
        return f"`{member}` of {module} (it opens a cosocket)"
    return f"`{api}`"


def _advice(api: str, phase: str, subsystem: str) -> str:
    from ..lua.phase_api import failure  # the Lua analysis, only when a config runs Lua

    if api.startswith("ngx.timer."):
        return "create timers in init_worker_by_lua* instead"
    if api == "ngx.exit" and phase in ("init", "init_worker"):
        return "call error() to stop with a message, or return"
    if phase != "timer" and failure(api, "timer", subsystem) is None:
        timer = "ngx.timer.at(0, fn)" + (" from init_worker_by_lua*" if phase == "init" else "")
        return f"run it in a timer callback ({timer}), where it works"
    allowed = [p + "_by_lua*" for p in REQUEST_PHASES[subsystem] if failure(api, p, subsystem) is None]
    if allowed and phase in ("init", "init_worker", "timer"):
        client = "connection" if subsystem == "stream" else "request"
        return f"there is no client {client} here: do it in {', '.join(allowed)}"
    if allowed:
        return f"do it in {', '.join(allowed)} instead"
    return "remove it from this phase"
