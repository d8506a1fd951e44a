"""nginx syntax to a tree of directives with exact spans, in one linear pass.

The tokenizer follows nginx's own (`ngx_conf_read_token`): whitespace is space, tab and newline; `;` and `{` end a
word but `}` does not; `#` starts a comment only at the start of a token; a closing quote must be followed by
whitespace, `;`, `{` or `)`; a backslash escapes the next character. At the `{` of a `*_by_lua_block` the
Lua-aware block lexer of lua-nginx-module takes over (see `_scan_lua_block`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Span

WHITESPACE = re.compile(r"[ \t\n]+")
WORD = re.compile(r"[^ \t\n;{\\$]*(?:(?:\\[\s\S]?|\$\{?)[^ \t\n;{\\$]*)*")
DOUBLE_QUOTED = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"')
SINGLE_QUOTED = re.compile(r"'[^'\\]*(?:\\[\s\S][^'\\]*)*'")
COMMENT = re.compile(r"#[^\n]*")
ESCAPE = re.compile(r"\\([\s\S])")
ESCAPED = {'"': '"', "'": "'", "\\": "\\", "t": "\t", "r": "\r", "n": "\n"}

# lua-nginx-module's block lexer: the earliest of these tokens; everything else is plain text.
LUA_TOKEN = re.compile(
    r"""--\[(?P<comment>=*)\[|--[^\n]*|\[(?P<string>=*)\[|"(?:\\[^\n]|[^"\n\\])*"|'(?:\\[^\n]|[^'\n\\])*'|[{}]"""
)


@dataclass(frozen=True)
class LuaCode:
    """The body of a `*_by_lua_block`: the text between the braces and where its first character sits."""

    text: str
    line: int
    column: int


class Directive:
    """One directive as written in one file. `block` is None for a simple directive."""

    __slots__ = ("name", "args", "span", "arg_spans", "quoted", "raw_args", "end", "block", "block_end", "lua", "file")

    def __init__(self, name, span, args, arg_spans, quoted, raw_args, file):
        self.name = name
        self.span = span
        self.args = args
        self.arg_spans = arg_spans
        self.quoted = quoted
        self.raw_args = raw_args
        self.file = file
        self.end: Span | None = None
        self.block: list[Directive] | None = None
        self.block_end: Span | None = None
        self.lua: LuaCode | None = None

    @property
    def full_span(self) -> Span:
        """From the name to the terminating `;`, or to the `{` of a block."""
        return self.span.cover(self.end) if self.end else self.span

    def arg_span(self, index: int) -> Span:
        return self.arg_spans[index] if 0 <= index < len(self.arg_spans) else self.span

    def __repr__(self) -> str:
        return f"<Directive {self.name} {self.args} at {self.span.line}:{self.span.column}>"


@dataclass(frozen=True)
class SyntaxProblem:
    message: str
    span: Span


@dataclass
class ParsedFile:
    directives: list[Directive]
    comments: list[tuple[Span, str]]
    problem: SyntaxProblem | None


def unescape(raw: str) -> str:
    """nginx's value of a word: `\\"`, `\\'`, `\\\\`, `\\t`, `\\r` and `\\n` are unescaped, other backslashes stay."""
    if "\\" not in raw:
        return raw
    return ESCAPE.sub(lambda m: ESCAPED.get(m.group(1), m.group(0)), raw)


class _Cursor:
    """Turns offsets into (line, column), moving forward only, so the whole file costs one pass."""

    __slots__ = ("text", "line", "line_start")

    def __init__(self, text: str):
        self.text = text
        self.line = 1
        self.line_start = 0

    def advance(self, start: int, end: int) -> None:
        newlines = self.text.count("\n", start, end)
        if newlines:
            self.line += newlines
            self.line_start = self.text.rfind("\n", start, end) + 1

    def column(self, offset: int) -> int:
        return offset - self.line_start + 1


class SyntaxErrorFound(Exception):
    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.problem = SyntaxProblem(message, span)


def parse(text: str, file=None, lua_blocks: frozenset[str] = frozenset()) -> ParsedFile:
    """Parse a whole file. On a syntax error, the directives before it are kept and the error is returned."""
    root: list[Directive] = []
    comments: list[tuple[Span, str]] = []
    stack: list[tuple[list[Directive], Directive | None]] = [(root, None)]
    words: list[str] = []
    spans: list[Span] = []
    quoted: list[bool] = []
    raws: list[str] = []
    cursor = _Cursor(text)
    size = len(text)
    pos = 0

    def here(offset: int, length: int = 1) -> Span:
        column = cursor.column(offset)
        return Span(cursor.line, column, cursor.line, column + length)

    def finish(terminator: Span) -> Directive:
        directive = Directive(words[0], spans[0], words[1:], spans[1:], quoted[1:], raws[1:], file)
        directive.end = terminator
        stack[-1][0].append(directive)
        words.clear(), spans.clear(), quoted.clear(), raws.clear()
        return directive

    try:
        while True:
            match = WHITESPACE.match(text, pos)
            if match:
                cursor.advance(pos, match.end())
                pos = match.end()
            if pos >= size:
                if words:
                    raise SyntaxErrorFound(
                        f'unexpected end of file, expecting ";" or "}}": the "{words[0]}" directive is not terminated',
                        spans[0],
                    )
                if len(stack) > 1:
                    opener = stack[-1][1]
                    raise SyntaxErrorFound(
                        f'unexpected end of file, expecting "}}": the "{opener.name}" block opened here is never closed',
                        opener.end,
                    )
                break
            char = text[pos]
            if char == ";":
                if not words:
                    raise SyntaxErrorFound('unexpected ";"', here(pos))
                finish(here(pos))
                pos += 1
            elif char == "{":
                if not words:
                    raise SyntaxErrorFound('unexpected "{"', here(pos))
                opening = here(pos)
                directive = finish(opening)
                pos += 1
                if directive.name in lua_blocks:
                    pos = _scan_lua_block(text, pos, cursor, directive)
                else:
                    directive.block = []
                    stack.append((directive.block, directive))
            elif char == "}":
                if words or len(stack) == 1:
                    raise SyntaxErrorFound('unexpected "}"', here(pos))
                stack.pop()[1].block_end = here(pos)
                pos += 1
            elif char == "#":
                match = COMMENT.match(text, pos)
                comments.append((here(pos, match.end() - pos), match.group()))
                pos = match.end()
            elif char == '"' or char == "'":
                match = (DOUBLE_QUOTED if char == '"' else SINGLE_QUOTED).match(text, pos)
                if match is None:
                    raise SyntaxErrorFound(
                        f"unexpected end of file: the string opened here with {char} is never closed", here(pos)
                    )
                start_line, start_column = cursor.line, cursor.column(pos)
                end = match.end()
                cursor.advance(pos, end)
                raw = text[pos + 1 : end - 1]
                words.append(unescape(raw))
                spans.append(Span(start_line, start_column, cursor.line, cursor.column(end)))
                quoted.append(True)
                raws.append(raw)
                pos = end
                if pos < size and text[pos] not in " \t\n;{)":
                    raise SyntaxErrorFound(f'unexpected "{text[pos]}"', here(pos))
            else:
                end = WORD.match(text, pos).end()
                start_line, start_column = cursor.line, cursor.column(pos)
                cursor.advance(pos, end)  # an escaped newline may sit inside a word
                raw = text[pos:end]
                words.append(unescape(raw))
                spans.append(Span(start_line, start_column, cursor.line, cursor.column(end)))
                quoted.append(False)
                raws.append(raw)
                pos = end
    except SyntaxErrorFound as error:
        return ParsedFile(root, comments, error.problem)
    return ParsedFile(root, comments, None)


def _scan_lua_block(text: str, pos: int, cursor: _Cursor, directive: Directive) -> int:
    """Find the `}` that closes a Lua block exactly as lua-nginx-module's lexer does.

    Braces are counted; short strings that close on their line, `--` comments and long brackets of any level are
    skipped. A quote that does not close on its line is a plain character (nginx accepts it; only Lua rejects it).
    """
    start = pos
    start_line, start_column = cursor.line, cursor.column(pos)
    depth = 1
    search = LUA_TOKEN.search
    while True:
        match = search(text, pos)
        if match is None:
            cursor.advance(start, len(text))
            raise SyntaxErrorFound(
                f'unexpected end of file: the Lua code of "{directive.name}" is never closed with "}}"',
                directive.end,
            )
        token = match.group()
        level = match.group("comment")
        if level is None:
            level = match.group("string")
        if level is not None:
            closer = "]" + level + "]"
            close = text.find(closer, match.end())
            if close < 0:
                cursor.advance(start, match.start())
                opened = Span(cursor.line, cursor.column(match.start()), cursor.line, cursor.column(match.end()))
                cursor.advance(match.start(), len(text))
                raise SyntaxErrorFound("Lua code block missing the closing long bracket", opened)
            pos = close + len(closer)
        elif token == "{":
            depth += 1
            pos = match.end()
        elif token == "}":
            depth -= 1
            pos = match.end()
            if depth == 0:
                close = match.start()
                directive.lua = LuaCode(text[start:close], start_line, start_column)
                cursor.advance(start, close)
                directive.block_end = Span(cursor.line, cursor.column(close), cursor.line, cursor.column(close) + 1)
                return pos
        else:
            pos = match.end()
