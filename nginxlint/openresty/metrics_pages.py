"""The locations that serve metrics or status pages: stub_status, VTS, the NGINX Plus API, or Lua content that
calls nginx-lua-prometheus's `collect()` (itself, or through a module function that holds the call). Found once per
tree for the MET rules, and read by the welcome-page demos (container/stock_page.py).
"""
from __future__ import annotations

import re

STATUS_DIRECTIVES = ("stub_status", "vhost_traffic_status_display", "api", "status")
# Only when the Lua facts are missing (a unit that does not parse): `prometheus:collect()` in the text.
_COLLECT_TEXT = re.compile(r"\bprometheus\s*:\s*collect\s*\(")


def collecting_locations(tree) -> dict[int, object]:
    """id(location) -> location for every location whose Lua content calls a Prometheus `collect()`."""
    found = {}
    for unit in tree.lua.units:
        if unit.facts is None:  # the code does not parse
            collects = bool(_COLLECT_TEXT.search(unit.text or ""))
            calls = []
        else:
            calls = [call for call in unit.facts.prometheus if call.kind == "collect"]
            collects = bool(calls)
        if not collects:
            continue
        handlers = unit.handlers if unit.kind == "module" else [unit]
        if unit.kind == "module" and calls:
            handlers = _handlers_reaching(tree, unit, calls) or handlers
        for handler in handlers:
            node = handler.node
            if node is not None and handler.phase == "content" and node.parent is not None and node.parent.d is not None \
                    and node.parent.d.name == "location":
                found[id(node.parent)] = node.parent
    return found


def _handlers_reaching(tree, module, calls) -> list:
    """The handlers whose code runs a function of `module` that holds one of the calls (a module's `expose()`
    collects, its `get_status()` beside it does not); none when no handler is seen to run one (a call nginxlint
    cannot follow), and then every handler that requires the module may."""
    # the Lua analysis, only when a module collects
    from .phase_calls import innermost_function, tree_phase_runs

    summaries = module.facts.taint.summaries if module.facts.taint is not None else ()
    holders = {id(innermost_function(summaries, call.span)) for call in calls}
    return [run.handler for run in tree_phase_runs(tree, module.subsystem)
            if run.unit is module and id(run.summary) in holders]


def metrics_locations(tree) -> list:
    """Locations that serve metrics or status: stub_status, VTS, the NGINX Plus API, or Prometheus collect().
    MET301, MET303 and MET304 all ask: found once per tree, kept in the tree's memo."""
    known = tree.memo.get("metrics-locations")
    if known is not None:
        return known
    found = collecting_locations(tree)
    for name in STATUS_DIRECTIVES:
        for node in tree.nodes(name):
            parent = node.parent
            if parent is not None and parent.d is not None and parent.d.name == "location":
                found.setdefault(id(parent), parent)
    tree.memo["metrics-locations"] = result = list(found.values())
    return result
