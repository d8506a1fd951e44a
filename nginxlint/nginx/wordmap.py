"""From a position in a word's value (what nginx hands a module) back to the file.

nginx undoes `\\"`, `\\'`, `\\\\`, `\\t`, `\\r` and `\\n` in a word and keeps other backslashes (see
nginxlint.nginx.parser.unescape), and a quoted word starts one character after its quote. So character k of
`args[i]` is not column start + k: `value_offsets` gives, for every character of the value, where it was
written. Used for positions inside a regex, a Lua string, a complex value.
"""
from __future__ import annotations

from ..findings import Span
from .parser import ESCAPE, ESCAPED, Directive


def value_offsets(raw: str) -> list[int]:
    """For each offset in the value of the raw word (and one past its end), the offset in the raw text.

    >>> value_offsets(r'a\\"b\\dc')   # value: a"b\\dc
    [0, 1, 3, 4, 5, 6, 7]
    """
    offsets: list[int] = []
    position = 0
    for match in ESCAPE.finditer(raw):
        offsets.extend(range(position, match.start()))
        if match.group(1) in ESCAPED:
            offsets.append(match.start())  # one character for the pair
        else:
            offsets.extend((match.start(), match.start() + 1))  # the backslash stays
        position = match.end()
    offsets.extend(range(position, len(raw) + 1))
    return offsets


def word_bounds(d: Directive, index: int | None) -> tuple[int, int]:
    """Offsets in the file of word `index` of the directive (None: its name), quotes included."""
    at = 0 if index is None else 2 + 2 * index
    return d._offsets[at], d._offsets[at + 1]


def value_span(d: Directive, index: int | None, start: int, end: int) -> Span:
    """The span in the file of characters start..end of the value of argument `index` (None: the directive's
    name, as for a `map` key). Offsets past the value are clamped to it.

    >>> from nginxlint.nginx.parser import parse
    >>> d = parse('location ~ "^/a\\\\\\\\.b$" {}').directives[0]
    >>> d.args[1], value_span(d, 1, 3, 6)   # the value ^/a\\.b$: characters 3..6 are \\.b
    ('^/a\\\\.b$', Span(line=1, column=16, end_line=1, end_column=20))
    """
    first, last = word_bounds(d, index)
    text = d._index.text
    quoted = last - first >= 2 and text[first] in "\"'"
    base = first + 1 if quoted else first
    raw = text[base: last - 1 if quoted else last]
    offsets = value_offsets(raw) if "\\" in raw else None
    size = len(offsets) - 1 if offsets else len(raw)
    start = min(max(start, 0), size)
    end = min(max(end, start), size)

    def at(k: int) -> int:
        return base + (offsets[k] if offsets else k)

    if end == start:
        return d._index.span(at(start), at(start) + 1)
    return d._index.span(at(start), at(end))
