"""Rule registration and the reporter a rule writes findings through."""
from __future__ import annotations

import importlib
import pkgutil
from typing import Callable, Iterable

from ..config_tree import Node, include_chain
from ..findings import Finding, Fix, Location, Span

# code -> function; one function may serve several codes of one check. A "tree" rule is called once per
# root config as function(deployment, report); a "workspace" rule once per run as function(workspace, report).
RULES: dict[str, Callable] = {}
SCOPES: dict[Callable, str] = {}


def rule(*codes: str, scope: str = "tree", needs: str | None = None):
    """Register a rule. `needs="container"`: a tree rule whose premise is a container that runs the config; the
    engine calls it only for a tree bound to one (a manifest, a Compose service, a Dockerfile or the `runtime:`
    settings). `needs="surroundings"`: one whose premise is the container around the config (its network, how it
    is stopped), not what its nginx runs: called also for a config that only sits in the working copy a container
    mounts."""
    if needs not in (None, "container", "surroundings"):
        raise ValueError(f"unknown rule requirement {needs!r}")

    def register(function):
        for code in codes:
            RULES[code] = function
        SCOPES[function] = scope
        function.needs = needs
        function.code = codes[0]  # a report that names no code is the first one's, selected or not
        return function

    return register


def load_rules() -> dict:
    """Every rule module of this package registers its rules on import: a new module needs no list entry."""
    package = importlib.import_module(__package__)
    for module in pkgutil.iter_modules(package.__path__):
        if module.name != "registry":
            importlib.import_module(f"{__package__}.{module.name}")
    return RULES


class Reporter:
    """What a rule calls to report: `report(node, message)` or `report.at(path, span, message)`."""

    def __init__(self, catalog: dict, sink: list[Finding], code: str | None = None):
        self.catalog = catalog
        self.sink = sink
        self.code = code

    def at(
        self,
        path: str,
        span: Span,
        message: str,
        *,
        code: str | None = None,
        related: Iterable[Location] = (),
        severity: str | None = None,
        help: str | None = None,
        flow: Iterable[Location] = (),
        fix: Fix | None = None,
    ) -> None:
        """Report at a span of a file. `help` says what to write instead (shown to the user); `fix` holds the
        edits that do it, when the rule knows them (see findings.Fix and nginxlint.fixes)."""
        info = self.catalog[code or self.code]
        self.sink.append(Finding.of(info, message, path, span, severity=severity, related=related, help=help,
                                    flow=flow, fix=fix))

    def __call__(
        self,
        node: Node,
        message: str,
        *,
        arg: int | None = None,
        span: Span | None = None,
        code: str | None = None,
        related: Iterable[Location] = (),
        severity: str | None = None,
        help: str | None = None,
        fix: Fix | None = None,
    ) -> None:
        """Report at a directive: its name, or argument `arg`; the include chain is added as related locations."""
        if span is None:
            span = node.d.arg_span(arg) if arg is not None else node.d.span
        self.at(
            node.file.display,
            span,
            message,
            code=code,
            related=(*related, *include_chain(node)),
            severity=severity,
            help=help,
            fix=fix,
        )
