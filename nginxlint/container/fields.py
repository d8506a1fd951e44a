"""Typed reads of YAML nodes, reporting a problem (with its position) for each value of the wrong type."""

from __future__ import annotations

import re
from typing import Callable

from .model import ManifestProblem, Span, Value
from .yamlpos import YMap, YNode, YScalar, YSeq


class FieldReader:
    """Collects problems for one file while fields are read from its nodes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[ManifestProblem] = []

    def report(self, message: str, span: Span | None, kind: str = "value") -> None:
        self.problems.append(ManifestProblem(self.path, message, span, kind))

    def mapping(self, node: YNode | None, what: str) -> YMap | None:
        if node is None or _is_null(node):
            return None
        if isinstance(node, YMap):
            return node
        self.report(f"{what} should be a mapping", node.span)
        return None

    def sequence(self, node: YNode | None, what: str) -> tuple[YNode, ...]:
        if node is None or _is_null(node):
            return ()
        if isinstance(node, YSeq):
            return tuple(item for item in node.items if item is not None)
        self.report(f"{what} should be a list", node.span)
        return ()

    def string(self, node: YNode | None, what: str) -> str | None:
        """A scalar as text: names, paths, images (a number written plain is taken as its text)."""
        if node is None or _is_null(node):
            return None
        if isinstance(node, YScalar):
            return node.value if isinstance(node.value, str) else node.text
        self.report(f"{what} should be a string", node.span)
        return None

    def integer(self, node: YNode | None, what: str) -> int | None:
        if node is None or _is_null(node):
            return None
        if isinstance(node, YScalar) and isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value
        if not _filled_in_later(node):
            self.report(f"{what} should be an integer, not {_shown(node)}", node.span)
        return None

    def boolean(self, node: YNode | None, what: str) -> bool | None:
        if node is None or _is_null(node):
            return None
        if isinstance(node, YScalar) and isinstance(node.value, bool):
            return node.value
        self.report(f"{what} should be true or false, not {_shown(node)}", node.span)
        return None

    def strings(self, node: YNode | None, what: str) -> tuple[tuple[str, ...], tuple[Span | None, ...]]:
        """A list of strings (command, args) with the span of each."""
        texts, spans = [], []
        for item in self.sequence(node, what):
            text = self.string(item, f"an item of {what}")
            if text is not None:
                texts.append(text)
                spans.append(item.span)
        return tuple(texts), tuple(spans)

    def value(self, parent: YMap | None, key: str, read: Callable[[YNode | None, str], object], what: str) -> Value | None:
        """parent[key] read by `read`, wrapped with its span and key span; None when absent or invalid."""
        if parent is None:
            return None
        node = parent.get(key)
        if node is None or _is_null(node):
            return None
        result = read(node, what)
        if result is None:
            return None
        text = node.text if isinstance(node, YScalar) else None
        return Value(result, node.span, text, parent.key_span(key))

    def quantity(
        self, parent: YMap | None, key: str, parse: Callable[[object], object], what: str
    ) -> Value | None:
        """parent[key] parsed by a unit parser; `text` keeps the source form ('500m')."""
        if parent is None:
            return None
        node = parent.get(key)
        if node is None or _is_null(node):
            return None
        raw = node.value if isinstance(node, YScalar) else None
        parsed = parse(raw) if isinstance(node, YScalar) else None
        if parsed is None:
            if not _filled_in_later(node):
                self.report(f"invalid {what} {_shown(node)}", node.span)
            return None
        return Value(parsed, node.span, node.text, parent.key_span(key))


def scalar_value(parent: YMap, key: str, key_node: YNode, node: YNode) -> Value:
    """A mapping entry kept as written (annotations, labels): YAML-typed value, value span and key span."""
    if isinstance(node, YScalar):
        return Value(node.value, node.span, node.text, key_node.span)
    from .yamlpos import plain  # the manifest readers, only when a manifest is read

    return Value(plain(node), node.span, None, key_node.span)


# A variable left in a value once Compose's interpolation ran (no default, no `.env` entry): the environment of
# whoever deploys fills it in (`cpus: ${NGINX_CPU_LIMIT}`), so the value is unknown here, not wrong. So is a fill-in
# placeholder in angle brackets (`containerPort: <port where the proxy is listening>`) that an operator replaces.
_FILLED_IN = re.compile(r"\$\{?[A-Za-z_]|^<[^<>]+>$")


def _filled_in_later(node: YNode) -> bool:
    return isinstance(node, YScalar) and isinstance(node.text, str) and bool(_FILLED_IN.search(node.text.strip()))


def _is_null(node: YNode) -> bool:
    return isinstance(node, YScalar) and node.value is None and node.style is None


def _shown(node: YNode) -> str:
    if isinstance(node, YScalar):
        return repr(node.value) if not isinstance(node.value, str) else repr(node.text)
    return "a mapping" if isinstance(node, YMap) else "a list"
