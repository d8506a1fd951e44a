"""The codes found while a run loads its files, before any rule runs: each made here, so every code has one home.

NGX001 and NGX008 mean a file could not be analysed (the run is never clean while one stands, see
`NOT_ANALYSED`); NGX002 and NGX003 come from following includes; K8S404 from reading manifests; NL999 from a
rule that crashed.
"""
from __future__ import annotations

import os

from ..catalog import load_catalog
from ..findings import Finding, Location, Span

START_OF_FILE = Span(1, 1, 1, 1)
# Codes that say part of the input was not analysed: a run holding one is never clean, whatever the selection.
NOT_ANALYSED = frozenset({"NGX001", "NGX008", "NL999"})


def _finding(code: str, message: str, path: str, span: Span, **extra) -> Finding:
    return Finding.of(load_catalog()[code], message, path, span, **extra)


def syntax_error(path: str, problem) -> Finding:
    """NGX001: nginx would reject the file's syntax (`problem` from the parser, in nginx's words)."""
    return _finding("NGX001", problem.message, path, problem.span)


def unreadable(path: str, why) -> Finding:
    """NGX008: the file cannot be read as text (binary, unreadable, too large)."""
    return _finding("NGX008", f"this file {why}", path, START_OF_FILE)


def include_cycle(path: str, span: Span, target: str, chain: str, related: tuple[Location, ...]) -> Finding:
    return _finding("NGX003", f'"{target}" includes itself through {chain}; nginx would recurse until it crashes',
                    path, span, related=related)


def include_not_found(path: str, span: Span, pattern: str, looked_for: str, related: tuple[Location, ...]) -> Finding:
    return _finding("NGX002", f'include "{pattern}" matches no file (looked for {looked_for})', path, span,
                    related=related)


def invalid_manifest(path: str, span: Span, message: str) -> Finding:
    """K8S404: a manifest nginxlint cannot read, or a value in it that it cannot use."""
    return _finding("K8S404", message, path, span)


def internal_error(code: str, error: Exception, path: str) -> Finding:
    """NL999: rule `code` raised; named with where it failed, so the report can be acted on."""
    import traceback  # only when a rule crashed

    info = load_catalog()[code]
    frame = traceback.extract_tb(error.__traceback__)[-1]
    message = (
        f"internal error in rule {code} ({info.name}) while checking this config: "
        f"{type(error).__name__}: {error} (at {os.path.basename(frame.filename)}:{frame.lineno}); please report it"
    )
    return _finding("NL999", message, path, START_OF_FILE)
