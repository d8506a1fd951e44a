"""Offsets in a text to 1-based (line, column) positions: one index for nginx files, Lua code and YAML.

Lines end at '\\n' only, as nginx's own lexer counts them.
"""
from __future__ import annotations

from bisect import bisect_right

from .findings import Span


class LineIndex:
    """Offsets of one text to (line, column). Built on first use; `pin` sends every span to one place (used for
    text whose characters do not sit where they were written, such as a folded YAML scalar)."""

    __slots__ = ("text", "_starts", "pinned")

    def __init__(self, text: str):
        self.text = text
        self._starts: list[int] | None = None
        self.pinned: Span | None = None

    def _line_starts(self) -> list[int]:
        starts = [0]
        find = self.text.find
        position = find("\n")
        while position >= 0:
            starts.append(position + 1)
            position = find("\n", position + 1)
        self._starts = starts
        return starts

    def position(self, offset: int) -> tuple[int, int]:
        starts = self._starts or self._line_starts()
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based (line, column); lines past either end are clamped to the text."""
        starts = self._starts or self._line_starts()
        line = min(max(line, 1), len(starts))
        return starts[line - 1] + column - 1

    def span(self, start: int, end: int) -> Span:
        if self.pinned is not None:
            return self.pinned
        line, column = self.position(start)
        if end <= start + 1:
            return Span(line, column, line, column + 1)
        end_line, end_column = self.position(end - 1)
        return Span(line, column, end_line, end_column + 1)

    def exact(self, start: int, end: int) -> tuple[int, int, int, int]:
        """(line, column, end line, end column) of [start, end): an empty range stays empty, as the Lua side
        needs (LuaJIT's errors "near '<eof>'" point after the last character, at nothing)."""
        return self.position(start) + self.position(end)
