"""The error the Lua parser raises, and the offset-to-position index it needs."""

from __future__ import annotations

from ..nginx.parser import LineIndex as _TextIndex


class LuaSyntaxError(Exception):
    """A Lua syntax error, worded like LuaJIT's, with a 1-based span (end column exclusive)."""

    def __init__(self, message: str, line: int, column: int, end_line: int, end_column: int):
        super().__init__(message, line, column, end_line, end_column)
        self.message = message
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column

    @property
    def span(self) -> tuple[int, int, int, int]:
        return (self.line, self.column, self.end_line, self.end_column)

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


class LuaTooComplex(Exception):
    """Code whose nesting exhausts the analysis' stack (it may well be valid Lua): its facts are unknown.
    Its span is the chunk's first character."""

    message = "nested too deeply for nginxlint to analyse"
    span = (1, 1, 1, 2)


class LineIndex(_TextIndex):
    """nginx's offset-to-position index (lines end at '\\n' only, as on the nginx side), with what the Lua side
    needs besides: syntax errors, and spans that end at the end offset itself, so that an
    empty span stays empty (LuaJIT's errors "near '<eof>'" point after the last character, at nothing)."""

    __slots__ = ()

    def span(self, start: int, end: int) -> tuple[int, int, int, int]:
        return self.position(start) + self.position(end)

    def error(self, message: str, start: int, end: int) -> LuaSyntaxError:
        return LuaSyntaxError(message, *self.span(start, end))
