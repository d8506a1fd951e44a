"""The errors the Lua parser raises."""

from __future__ import annotations



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


def syntax_error(lines, message: str, start: int, end: int) -> LuaSyntaxError:
    """A LuaSyntaxError at [start, end) of the text `lines` (a nginxlint.lines.LineIndex) indexes."""
    return LuaSyntaxError(message, *lines.exact(start, end))
