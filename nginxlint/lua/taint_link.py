"""Lua taint analysis, second half: a unit's summaries (nginxlint.lua.taint) linked with the summaries of the
modules it requires, giving every flow from request input to a sink with its path.

A function's summary speaks of its parameters (`Param`) and of what other modules' functions return
(`External`); linking replaces each by what the caller passed or what the callee's summary says, up to
MAX_DEPTH calls across modules.
"""
from __future__ import annotations

from typing import NamedTuple

from .taint_model import CTX, GLOBAL, Call, Param, Source, Step, TaintFacts, safe_for
from .taint_values import field_of

__all__ = ["unit_flows", "Flow"]

MAX_DEPTH = 4  # calls followed across modules


class Flow(NamedTuple):
    """Request input reaching a sink. `unit` and `source_unit` are whatever the caller's lookup names units by;
    `steps` are (unit, Step) pairs from the source to the sink."""

    kind: str
    sink: str
    unit: object
    span: tuple
    source: Source
    source_unit: object
    steps: tuple
    function: object = None  # the Summary of the function of `unit` whose own code reads the input


class _Reached(NamedTuple):
    source: Source
    unit: object
    steps: tuple
    safe: frozenset


def unit_flows(unit, facts: TaintFacts, lookup) -> list[Flow]:
    """Every flow from request input to a sink that starts or ends in `unit`'s own code. `lookup(module, member)`
    gives (unit, Summary) of a function exported by a module of the deployment, or None."""
    flows: list[Flow] = []
    for summary in facts.summaries:
        for hit in summary.hits:
            for reached in _concrete(hit.taint, unit, None, 0, lookup):
                if hit.kind not in safe_for(reached.source, reached.safe):
                    flows.append(Flow(hit.kind, hit.sink, unit, hit.span, reached.source, reached.unit, reached.steps,
                                      summary if reached.unit is unit else None))
        through: list[Flow] = []
        for call in summary.calls:
            _through(call, unit, None, 0, lookup, through)
        flows.extend(flow._replace(function=summary) if flow.source_unit is unit else flow for flow in through)
    return flows


def _concrete(taint, unit, env, depth, lookup):
    """The request input a taint stands for, with its path. `env(i)` gives what parameter i received (None: the
    parameters are unknown, as for a function nginx calls)."""
    out = []
    for t in taint:
        origin = t.origin
        own = tuple((unit, step) for step in t.steps)
        kind = type(origin)
        if kind is Source:
            out.append(_Reached(origin, unit, own, t.safe))
        elif kind is Param:
            if env is not None:
                for reached in env(origin.index, origin.field):
                    out.append(_Reached(reached.source, reached.unit, reached.steps + own, reached.safe | t.safe))
        elif depth < MAX_DEPTH:
            target = lookup(origin.module, origin.member)
            if target is None:
                continue
            callee_unit, summary = target
            inner = _environment(origin.args, unit, env, depth, lookup)
            back = ((unit, Step(origin.span, _returned(origin.module, origin.member))),)
            returned = summary.returns if origin.field is None else field_of(summary.returns, origin.field)
            for reached in _concrete(returned, callee_unit, inner, depth + 1, lookup):
                out.append(_Reached(reached.source, reached.unit, reached.steps + back + own, reached.safe | t.safe))
    return out


def _returned(module: str, member: str) -> str:
    if module == CTX:
        return f"read from `ngx.ctx.{member}`"
    if module.startswith(GLOBAL):
        name = module[len(GLOBAL):]
        return f"returned by `{name + '.' if name else ''}{member}`"
    return f"returned by `{member}` of module \"{module}\""


def _environment(args, unit, env, depth, lookup):
    cache: dict = {}

    def received(index: int, field: str | None = None):
        hit = cache.get((index, field))
        if hit is None:
            arg = args[index] if index < len(args) else None
            if arg and field is not None:
                arg = field_of(arg, field)
            hit = cache[index, field] = _concrete(arg, unit, env, depth + 1, lookup) if arg else []
        return hit

    return received


def _through(call: Call, unit, env, depth, lookup, flows) -> None:
    """Tainted arguments of a call into another module, followed to the sinks its parameters reach there."""
    if depth >= MAX_DEPTH:
        return
    target = lookup(call.module, call.member)
    if target is None:
        return
    callee_unit, summary = target
    inner = _environment(call.args, unit, env, depth, lookup)
    if not any(inner(index) for index, arg in enumerate(call.args) if arg):
        return  # no request input in the arguments: nothing to follow (and no fan-out through the callee's calls)
    for hit in summary.hits:
        taint = tuple(t for t in hit.taint if type(t.origin) is not Source)
        if not taint:
            continue
        for reached in _concrete(taint, callee_unit, inner, depth + 1, lookup):
            if hit.kind not in safe_for(reached.source, reached.safe):
                flows.append(Flow(hit.kind, hit.sink, callee_unit, hit.span, reached.source, reached.unit,
                                  reached.steps))
    for nested in summary.calls:
        _through(nested, callee_unit, inner, depth + 1, lookup, flows)
