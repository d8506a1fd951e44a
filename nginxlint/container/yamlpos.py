"""Safe YAML loading that keeps the source position of every key and value.

Documents are composed (never constructed) with PyYAML's safe loader, C version
when available, and turned into small immutable nodes: YScalar, YMap, YSeq.
Each node has a span (line, column, end_line, end_column), 1-based, end
exclusive, columns in characters. Errors become YamlProblem values, never
exceptions; a broken document does not hide the other documents of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Mapping, Union

from ..gcpause import collector_paused
from ..findings import Span

_YAML_TAG = "tag:yaml.org,2002:"
_SCALAR_CONSTRUCTORS = {
    _YAML_TAG + "null": "construct_yaml_null",
    _YAML_TAG + "bool": "construct_yaml_bool",
    _YAML_TAG + "int": "construct_yaml_int",
    _YAML_TAG + "float": "construct_yaml_float",
}
# Standard tags whose value we keep as the source text (no datetime/bytes objects).
_TEXT_TAGS = {_YAML_TAG + name for name in ("str", "timestamp", "binary", "value")}
_MAPPING_TAGS = {_YAML_TAG + "map", _YAML_TAG + "set", _YAML_TAG + "omap"}
_SEQUENCE_TAGS = {_YAML_TAG + "seq", _YAML_TAG + "omap", _YAML_TAG + "pairs"}
_MERGE_KEY = _YAML_TAG + "merge"
_STR_TAG = _YAML_TAG + "str"
_PYTHON_TAG = _YAML_TAG + "python/"
# Compose's merge tags (compose-spec 13-merge.md): they change how files merge, not what the value is.
_COMPOSE_TAGS = frozenset({"!reset", "!override"})


@dataclass(frozen=True)
class YamlProblem:
    message: str
    span: Span


@dataclass(eq=False, slots=True)  # read-only by convention: frozen costs ~2x on construction
class YScalar:
    """A scalar: `value` is the resolved YAML value (str, int, float, bool or None), `text` the source string."""

    value: object
    text: str
    span: Span
    style: str | None  # None for plain, otherwise one of ' " | >
    tag: str


@dataclass(eq=False, slots=True)  # read-only by convention: frozen costs ~2x on construction
class YMap:
    """A mapping keyed by the key's source text; each entry keeps the key node for its span."""

    entries: Mapping[str, tuple["YNode", "YNode"]]
    span: Span

    def get(self, key: str, default: "YNode | None" = None) -> "YNode | None":
        entry = self.entries.get(key)
        return default if entry is None else entry[1]

    def key_span(self, key: str) -> Span | None:
        entry = self.entries.get(key)
        return None if entry is None else entry[0].span

    def items(self) -> Iterator[tuple[str, "YNode", "YNode"]]:
        for key, (key_node, value_node) in self.entries.items():
            yield key, key_node, value_node

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(eq=False, slots=True)  # read-only by convention: frozen costs ~2x on construction
class YSeq:
    items: tuple["YNode", ...]
    span: Span

    def __iter__(self) -> Iterator["YNode"]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


YNode = Union[YScalar, YMap, YSeq]


@dataclass(frozen=True)
class YamlDocument:
    index: int  # 0-based position in the file
    root: YNode | None
    problems: tuple[YamlProblem, ...]  # tag and duplicate-key problems inside this document


@dataclass(frozen=True)
class YamlFile:
    documents: tuple[YamlDocument, ...]
    problems: tuple[YamlProblem, ...]  # syntax errors; the documents they cut short are missing



def plain(node: YNode | None) -> object:
    """The node as plain Python values (dict, list, scalars). Shared aliases stay shared."""
    memo: dict[int, object] = {}

    def convert(current: YNode | None) -> object:
        if current is None:
            return None
        if isinstance(current, YScalar):
            return current.value
        known = memo.get(id(current))
        if known is not None:
            return known
        if isinstance(current, YMap):
            result: dict = {}
            memo[id(current)] = result
            for key, _key_node, value_node in current.items():
                result[key] = convert(value_node)
            return result
        items: list = []
        memo[id(current)] = items
        items.extend(convert(item) for item in current.items)
        return items

    return convert(node)


def load_yaml(text: str) -> YamlFile:
    """Compose every document of `text`; syntax errors become problems."""
    import yaml  # PyYAML's import is slow: only when a YAML file is read

    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    lines = text.split("\n")
    with collector_paused():
        try:
            composed = list(yaml.compose_all(text, Loader=loader))
        except (yaml.YAMLError, RecursionError):
            return _load_by_chunks(text, loader, lines)
        return _build_file([(node, 0) for node in composed], [], lines)



# A line starting with '---' always starts a document (a block scalar cannot
# contain one at column 0), so the file can be split there and each part
# composed alone when the whole does not compose. Directive lines go with the
# document they precede.
_DOCUMENT_MARKER = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)


def _document_starts(text: str) -> list[int]:
    """Offsets where documents start: each `---` line, moved up over the `%` directive lines right above it.

    (One regex for both would rescan every run of `%` lines from each of its lines: quadratic.)"""
    starts = []
    for match in _DOCUMENT_MARKER.finditer(text):
        start = match.start()
        while start > 0:
            previous = text.rfind("\n", 0, start - 1) + 1
            if not text.startswith("%", previous):
                break
            start = previous
        if start > 0:
            starts.append(start)
    return starts


def _load_by_chunks(text: str, loader: type, lines: list[str]) -> YamlFile:
    import yaml  # PyYAML's import is slow: only when a YAML file is read

    starts = [0, *_document_starts(text)]
    composed: list[tuple[object, int]] = []
    problems: list[YamlProblem] = []
    line_offset = 0
    for chunk_start, chunk_end in zip(starts, starts[1:] + [len(text)]):
        chunk = text[chunk_start:chunk_end]
        try:
            for node in yaml.compose_all(chunk, Loader=loader):
                composed.append((node, line_offset))
        except yaml.YAMLError as error:
            problems.append(_error_problem(error, chunk, line_offset))
        except RecursionError:
            problems.append(YamlProblem("YAML nesting is too deep", Span(line_offset + 1, 1, line_offset + 1, 2)))
        line_offset += chunk.count("\n")
    return _build_file(composed, problems, lines)


def _error_problem(error: Exception, chunk: str, line_offset: int) -> YamlProblem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        line, column = mark.line, mark.column
    else:  # ReaderError: only a character index
        position = min(getattr(error, "position", 0) or 0, len(chunk))
        line = chunk.count("\n", 0, position)
        column = position - (chunk.rfind("\n", 0, position) + 1)
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem is None and hasattr(error, "reason"):  # ReaderError
        character = error.character
        code = ord(character) if isinstance(character, str) else int(character or 0)
        problem = f"unacceptable character #x{code:04x}: {error.reason}"
    message = _explain(str(problem or error).strip(), chunk, line, column)
    if context:
        message = f"{message} ({context})"
    line += line_offset + 1
    return YamlProblem(message, Span(line, column + 1, line, column + 2))


def _explain(message: str, chunk: str, line: int, column: int) -> str:
    """Add what libyaml leaves out: the character or alias name at the error."""
    lines = chunk.split("\n")
    rest = lines[line][column:] if line < len(lines) else ""
    if message.startswith("found character") and rest[:1] == "\t":
        return "found character '\\t' that cannot start any token (tabs cannot indent YAML)"
    if message.startswith("found character") and rest and "'" not in message:
        return f"found character {rest[0]!r} that cannot start any token"
    alias = re.match(r"\*([^\s,\[\]{}]+)", rest)
    if "undefined alias" in message and alias and alias[1] not in message:
        return f"found undefined alias '{alias[1]}'"
    return message


def _build_file(composed: list[tuple[object, int]], problems: list[YamlProblem], lines: list[str]) -> YamlFile:
    documents = []
    for index, (node, line_offset) in enumerate(composed):
        builder = _Builder(lines, line_offset)
        try:
            root = builder.convert(node)
        except RecursionError:
            root = None
            builder.problems.append(YamlProblem("YAML nesting is too deep", _span(node, lines, line_offset)))
        documents.append(YamlDocument(index, root, tuple(builder.problems)))
    return YamlFile(tuple(documents), tuple(problems))


def _span(node: object, lines: list[str], line_offset: int) -> Span:
    start, end = node.start_mark, node.end_mark  # type: ignore[attr-defined]
    line, column = start.line + line_offset + 1, start.column + 1
    end_line, end_column = end.line + line_offset + 1, end.column + 1
    if end_line == line:
        return Span(line, column, end_line, end_column)
    # A block node ends where the next token starts (often the next line's indentation
    # or '- '): end it after its last character instead.
    while end_line > line and end_line - 1 < len(lines) and not lines[end_line - 1][: end_column - 1].strip():
        end_line -= 1
        end_column = len(lines[end_line - 1].rstrip()) + 1
    return Span(line, column, end_line, end_column)


class _Builder:
    """Turns composed PyYAML nodes into YNodes, once per node (aliases are shared, not expanded)."""

    def __init__(self, lines: list[str], line_offset: int) -> None:
        self.lines = lines
        self.line_offset = line_offset
        self.problems: list[YamlProblem] = []
        self.done: dict[int, YNode | None] = {}
        self.in_progress: set[int] = set()
        self._constructor = None

    def span(self, node: object) -> Span:
        return _span(node, self.lines, self.line_offset)

    def convert(self, node: object) -> YNode | None:
        if node.id == "scalar":  # type: ignore[attr-defined]  # leaves: no alias blow-up possible
            return self._convert(node)
        key = id(node)
        if key in self.done:
            return self.done[key]
        if key in self.in_progress:
            self.problems.append(YamlProblem("recursive YAML alias is not supported", self.span(node)))
            return None
        self.in_progress.add(key)
        try:
            result = self._convert(node)
        finally:
            self.in_progress.discard(key)
        self.done[key] = result
        return result

    def _convert(self, node: object) -> YNode | None:
        tag = node.tag  # type: ignore[attr-defined]
        kind = node.id  # type: ignore[attr-defined]  # "scalar" | "mapping" | "sequence"
        span = self.span(node)
        if tag.startswith(_PYTHON_TAG):
            self.problems.append(YamlProblem(f"unsafe YAML tag '{_short_tag(tag)}' rejected", span))
            return None
        if tag in _COMPOSE_TAGS:
            tag = self._untagged(node)
        if kind == "scalar":
            return self._scalar(node, tag, span)
        if tag not in (_MAPPING_TAGS if kind == "mapping" else _SEQUENCE_TAGS):
            self.problems.append(YamlProblem(f"unsupported YAML tag '{_short_tag(tag)}'", span))
        if kind == "mapping":
            return self._mapping(node, span)
        return YSeq(tuple(self.convert(item) for item in node.value), span)  # type: ignore[misc]

    def _scalar(self, node: object, tag: str, span: Span) -> YScalar:
        text = node.value  # type: ignore[attr-defined]
        style = node.style or None  # type: ignore[attr-defined]
        value: object = text
        if tag == _STR_TAG:
            return YScalar(value, text, span, style, tag)
        method = _SCALAR_CONSTRUCTORS.get(tag)
        if method is not None:
            try:
                value = getattr(self.constructor, method)(node)
            except Exception:  # e.g. "!!int abc": keep the text, say why
                self.problems.append(YamlProblem(f"value {text!r} is not a valid {_short_tag(tag)}", span))
        elif tag not in _TEXT_TAGS:
            self.problems.append(YamlProblem(f"unsupported YAML tag '{_short_tag(tag)}'", span))
        return YScalar(value, text, span, style, tag)

    def _untagged(self, node: object) -> str:
        """The tag the node would have without its explicit one."""
        import yaml  # PyYAML's import is slow: only when a YAML file is read

        kind = type(node)
        value = node.value if kind is yaml.ScalarNode else None  # type: ignore[attr-defined]
        return yaml.resolver.Resolver().resolve(kind, value, (True, False))

    @property
    def constructor(self):
        if self._constructor is None:
            import yaml  # PyYAML's import is slow: only when a YAML file is read

            self._constructor = yaml.constructor.SafeConstructor()
        return self._constructor

    def _mapping(self, node: object, span: Span) -> YMap:
        entries: dict[str, tuple[YNode, YNode]] = {}
        merged: list[YMap] = []
        for key_node, value_node in node.value:  # type: ignore[attr-defined]
            if key_node.tag == _MERGE_KEY:
                merged.extend(self._merge_sources(value_node))
                continue
            key = self.convert(key_node)
            if key is None:
                continue
            text = key.text if isinstance(key, YScalar) else f"<complex key at {key.span[0]}:{key.span[1]}>"
            if text in entries:
                self.problems.append(YamlProblem(f"duplicate key '{text}'", key.span))
            value = self.convert(value_node)
            entries[text] = (key, value if value is not None else _null_at(value_node, self))
        # Merge keys ('<<: *defaults'): explicit keys win, then earlier sources win.
        for source in merged:
            for text, key, value in source.items():
                entries.setdefault(text, (key, value))
        return YMap(entries, span)

    def _merge_sources(self, value_node: object) -> list[YMap]:
        import yaml  # PyYAML's import is slow: only when a YAML file is read

        nodes = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]  # type: ignore[attr-defined]
        sources = []
        for item in nodes:
            converted = self.convert(item)
            if isinstance(converted, YMap):
                sources.append(converted)
            else:
                self.problems.append(YamlProblem("merge key '<<' needs a mapping or a list of mappings", self.span(item)))
        return sources


def _null_at(node: object, builder: _Builder) -> YScalar:
    """Stand-in for a rejected value, so the key (and its span) is still known."""
    return YScalar(None, "", builder.span(node), None, _YAML_TAG + "null")


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML_TAG):] if tag.startswith(_YAML_TAG) else tag
