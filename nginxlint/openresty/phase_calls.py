"""In which phase each function of a deployment's Lua runs, following calls from the handlers.

A handler's own code runs in its phase. A function runs where it is called: by a function of the same chunk, of a
`require`d module (`mod.run()`, `obj:method()` on a `mod.new()` object) or a global function set by another chunk,
followed through any number of calls (each function once per phase). An `ngx.timer.at`/`ngx.timer.every` callback
runs in the timer context, whatever phase created it. The top level of a module runs once, where the module is
first required: at start when some init_by_lua* (then init_worker_by_lua*) code requires it, else in the one
request phase that requires it (several: unknown, so not followed). Code under `pcall` is not followed (its errors
are caught), nor code that asks `ngx.get_phase()` (written for several phases). What cannot be resolved stays out.
"""
from __future__ import annotations

from typing import NamedTuple

from .lua_functions import Functions

STARTUP_ORDER = ("init", "init_worker")


class Step(NamedTuple):
    unit: object
    span: tuple  # in the unit's Lua text
    text: str


class Run(NamedTuple):
    """`summary` of `unit` runs in `phase`, reached from `handler` through the calls in `via`."""

    unit: object
    summary: object
    phase: str
    handler: object
    via: tuple  # of Step


def functions_holding(summaries, span) -> list:
    """The summaries of the functions whose text holds `span` (the main body, which has no span, left out)."""
    start, end = span[:2], span[2:]
    return [s for s in summaries if s.span and s.span[:2] <= start and end <= s.span[2:]]


def innermost_function(summaries, span):
    """The summary of the innermost function whose text holds `span`: the main body's (last) if none."""
    # the spans that hold it nest: the innermost starts last
    return max(functions_holding(summaries, span), key=lambda s: (s.span[:2], -s.span[2], -s.span[3]),
               default=summaries[-1]) if summaries else None


def tree_phase_runs(tree, subsystem: str) -> list[Run]:
    """phase_runs of a config tree's Lua, worked out once per tree and subsystem (several rules read them)."""
    memo = tree.memo.setdefault("phase-runs", {})
    if subsystem not in memo:
        memo[subsystem] = phase_runs(tree.lua.units, subsystem)
    return memo[subsystem]


def phase_runs(units, subsystem: str = "http") -> list[Run]:
    """Every (function, phase) the deployment's Lua of one subsystem (http or stream: each has its own Lua VM and
    modules) runs, each once, in the order found."""
    units = [u for u in units if u.subsystem == subsystem and u.facts is not None and u.facts.taint is not None]
    functions = Functions(units)
    runs: list[Run] = []
    seen: set = set()
    first_required: dict = {}  # id(module unit) -> {phase: (handler, via)} of the code that requires it
    queue: list[Run] = [
        Run(u, u.facts.taint.summaries[-1], u.phase, u, ()) for u in units if u.kind != "module" and u.phase
    ]
    seeded: set = set()
    while True:
        while queue:
            run = queue.pop()
            key = (id(run.unit), id(run.summary), run.phase)  # identical texts share their facts
            if key in seen:
                continue
            seen.add(key)
            if run.summary.asks_phase:
                continue
            runs.append(run)
            _follow(run, functions, queue, first_required)
        seed = _next_top_level(first_required, seeded)
        if seed is None:
            return runs
        queue.append(seed)


def _follow(run: Run, functions: Functions, queue: list, first_required: dict) -> None:
    unit = run.unit
    for edge in run.summary.edges:
        phase = "timer" if edge.timer else run.phase
        if edge.kind == "local":
            target = (unit, edge.summary)
        elif edge.kind == "external":
            target = functions.find(unit.subsystem, edge.module, edge.member)
        else:  # require
            module = functions.module(unit.subsystem, edge.module)
            if module is not None:
                step = Step(unit, edge.span, f'"{edge.module}" is required here')
                first_required.setdefault(id(module), (module, {}))[1].setdefault(
                    phase, (run.handler, run.via + (step,)))
            continue
        if target is None:
            continue
        callee, summary = target
        text = "the timer callback is created here" if edge.timer else f"`{summary.name}` is called here"
        queue.append(Run(callee, summary, phase, run.handler, run.via + (Step(unit, edge.span, text),)))


def _next_top_level(first_required: dict, seeded: set):
    """The top level of a module that runs next: a module required at start first (its top level then runs there
    only), then one required by a single request phase."""
    pending = [(module, phases) for key, (module, phases) in first_required.items() if key not in seeded]
    for startup in STARTUP_ORDER:
        for module, phases in pending:
            if startup in phases:
                return _seed(module, startup, phases, seeded)
    for module, phases in pending:
        if any(p in phases for p in STARTUP_ORDER):
            continue
        seeded.add(id(module))
        if len(phases) == 1:
            (phase,) = phases
            return _seed(module, phase, phases, seeded)
    return None


def _seed(module, phase: str, phases: dict, seeded: set) -> Run:
    seeded.add(id(module))
    handler, via = phases[phase]
    return Run(module, module.facts.taint.summaries[-1], phase, handler, via)
