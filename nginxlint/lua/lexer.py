"""Lua 5.1 / LuaJIT 2.1 tokenizer.

One regex match per token: the match first skips whitespace and comments, then reads one token.
Tokens are plain tuples ``(type, text, start, end)`` with character offsets into the text;
lines and columns are computed only when someone needs them (errors, facts).
Errors use LuaJIT's own words (``lj_lex.c``).
"""

from __future__ import annotations

import re

from ..lines import LineIndex
from .errors import LuaSyntaxError, syntax_error

KEYWORDS = {
    word: word.upper()
    for word in (
        "and break do else elseif end false for function goto if in local nil not or "
        "repeat return then true until while"
    ).split()
}

OPERATORS = {
    "+": "PLUS", "-": "MINUS", "*": "STAR", "/": "SLASH", "%": "PERCENT", "^": "CARET",
    "#": "HASH", "==": "EQEQ", "~=": "NE", "<=": "LE", ">=": "GE", "<": "LT", ">": "GT",
    "=": "EQ", "(": "LPAR", ")": "RPAR", "{": "LBRACE", "}": "RBRACE", "[": "LSQB",
    "]": "RSQB", "::": "DBCOLON", ";": "SEMI", ":": "COLON", ",": "COMMA", ".": "DOT",
    "..": "CONCAT", "...": "ELLIPSIS",
}

# LuaJIT treats every byte >= 0x80 as an identifier character, so any non-ASCII code point is one.
# Written as negated ASCII classes: a class spanning up to U+10FFFF takes sre ~30 ms to compile.
_IDENT_START = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f]"  # letters, '_', non-ASCII
_IDENT = r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"  # ... and digits
_IDENT_OR_DOT = r"[^\x00-\x2d\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"

# Alternatives never overlap, so backtracking into the skip part cannot re-read a comment differently:
# a line comment may not start with a long bracket, and an unfinished long comment stops the skip.
_SKIP = r"(?:[ \t\r\n\f\v]+|--(?!\[=*\[)[^\n\r]*|--\[(?P<lc>=*)\[(?s:.*?)\](?P=lc)\])*"

_TOKEN_PATTERN = (
    _SKIP
    + r"(?:(?P<NAME>" + _IDENT_START + _IDENT + r"*)"
    # LuaJIT reads a number greedily (identifier chars, dots, exponent signs), then validates it.
    + r"|(?P<NUMBER>0[xX](?:[pP][+-]|" + _IDENT_OR_DOT + r")*|\.?[0-9](?:[eE][+-]|" + _IDENT_OR_DOT + r")*)"
    + r"|(?P<STRING>\"(?:[^\"\\\n\r]|\\z[ \t\r\n\f\v]*|\\\r\n|\\\n\r|\\(?s:.))*\""
    + r"|'(?:[^'\\\n\r]|\\z[ \t\r\n\f\v]*|\\\r\n|\\\n\r|\\(?s:.))*'"
    + r"|\[(?P<ls>=*)\[(?s:.*?)\](?P=ls)\])"
    + r"|(?P<OP>\.\.\.|\.\.|==|~=|<=|>=|::|[-+*/%^#<>=(){}\[\];:,.])"
    + r"|(?P<EOF>\Z)"
    + r"|(?P<OTHER>(?s:.)))"
)

# Compiled on first use: importing the parser stays cheap.
_TOKEN: re.Pattern | None = None
_G_NAME = _G_NUMBER = _G_STRING = _G_OP = _G_EOF = 0
_CHECKED_OPERATORS = frozenset(("LSQB", "MINUS", "LPAR"))
_CHECKED_OPERATORS_52 = frozenset(("LSQB", "MINUS"))  # LJ_52 has no "ambiguous syntax": '(' needs no check


def token_regex() -> re.Pattern:
    global _TOKEN, _G_NAME, _G_NUMBER, _G_STRING, _G_OP, _G_EOF
    if _TOKEN is None:
        pattern = re.compile(_TOKEN_PATTERN)
        groups = pattern.groupindex
        _G_NAME, _G_NUMBER, _G_STRING = groups["NAME"], groups["NUMBER"], groups["STRING"]
        _G_OP, _G_EOF = groups["OP"], groups["EOF"]
        _TOKEN = pattern
    return _TOKEN


_VALID_NUMBER = re.compile(
    r"(?:"
    r"(?:(?:[0-9]+|0[xX][0-9a-fA-F]+|0[bB][01]+)(?:[iI]|[uU]?[lL][lL]|[lL][lL][uU])?)"
    r"|(?:(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][+-]?[0-9]+)?[iI]?)"
    r"|(?:0[xX](?:[0-9a-fA-F]+\.[0-9a-fA-F]*|\.[0-9a-fA-F]+|[0-9a-fA-F]+(?=[pP]))(?:[pP][+-]?[0-9]+)?[iI]?)"
    r")\Z"
)

_ESCAPE = re.compile(
    r"\\(?:(?P<simple>[abfnrtv\\\"'])|(?P<nl>\r\n|\n\r|\n|\r)|x(?P<hex>[0-9a-fA-F]{2})"
    r"|z(?P<z>[ \t\r\n\f\v]*)|u\{(?P<uni>[0-9a-fA-F]+)\}|(?P<dec>[0-9]{1,3})|(?P<bad>))"
)
_NEWLINE = re.compile(r"\r\n|\n\r|\r|\n")
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
                   "\\": "\\", '"': '"', "'": "'"}


class _Lexer:
    """Token source for one text; keeps the facts the parser asks for later."""

    __slots__ = ("text", "lines", "lua52", "newline_parens")

    def __init__(self, text: str, lua52: bool = True):
        self.text = text
        self.lines = LineIndex(text)
        self.lua52 = lua52  # LuaJIT built with LUAJIT_ENABLE_LUA52COMPAT (LJ_52), as OpenResty builds it
        # Offsets of '(' tokens that start a new line after the previous token (Lua 5.1 mode: ambiguous call).
        self.newline_parens: set[int] = set()

    def error(self, message: str, start: int, end: int) -> LuaSyntaxError:
        return syntax_error(self.lines, message, start, end)

    def token_list(self) -> tuple[list, LuaSyntaxError | None]:
        """All tokens, ending with $END, and None; or, when a lexical error stops them, the tokens before it,
        a last token of kind "$ERROR", and the error (LuaJIT reports it only once its parser gets there)."""
        toks: list = []
        try:
            self._scan(toks.append)
        except LuaSyntaxError as error:
            end = toks[-1][3] if toks else 0
            toks.append(("$ERROR", "", end, end))
            return toks, error
        return toks, None

    def _scan(self, append) -> None:
        text = self.text
        keywords = KEYWORDS
        operators = OPERATORS
        checked = _CHECKED_OPERATORS_52 if self.lua52 else _CHECKED_OPERATORS
        goto_is_name = not self.lua52
        pattern = token_regex()
        g_op, g_name, g_string, g_number = _G_OP, _G_NAME, _G_STRING, _G_NUMBER
        # finditer matches are contiguous: a match starts where the previous token ended.
        for match in pattern.finditer(text, _skip_header(text)):
            group = match.lastindex
            start, end = match.span(group)
            if group == g_name:
                word = text[start:end]
                kind = keywords.get(word, "NAME")
                if kind == "GOTO" and goto_is_name and not self._goto_is_keyword(end):
                    kind = "NAME"
                append((kind, word, start, end))
            elif group == g_op:
                op = text[start:end]
                kind = operators[op]
                if kind in checked:
                    self._check_op(kind, start, match.start())
                append((kind, op, start, end))
            elif group == g_string:
                raw = text[start:end]
                if "\\" in raw and raw[0] != "[":
                    _check_escapes(self, raw, start)
                append(("STRING", raw, start, end))
            elif group == g_number:
                raw = text[start:end]
                if _VALID_NUMBER.match(raw) is None:
                    raise self.error(f"malformed number near '{raw}'", start, end)
                append(("NUMBER", raw, start, end))
            elif group == _G_EOF:
                append(("$END", "", len(text), len(text)))
                return
            else:
                append(self._other(text[start:end], start))

    def _goto_is_keyword(self, end: int) -> bool:
        # Lua 5.1 mode treats `goto` as a statement only when a name follows (LJ_52: always a keyword).
        match = token_regex().match(self.text, end)
        return match is not None and match.lastindex == _G_NAME and match.group(_G_NAME) not in KEYWORDS

    def _check_op(self, kind: str, start: int, prev_end: int) -> None:
        text = self.text
        following = text[start + 1:start + 2]
        if kind == "LSQB":
            if following == "[":
                raise self.error("unfinished long string near '<eof>'", len(text), len(text))
            if following == "=":
                level_end = start + 1
                while text[level_end:level_end + 1] == "=":
                    level_end += 1
                if text[level_end:level_end + 1] == "[":
                    raise self.error("unfinished long string near '<eof>'", len(text), len(text))
                raise self.error("invalid long string delimiter near '" + text[start:level_end] + "'",
                                 start, level_end)
        elif kind == "MINUS":
            if following == "-":  # the skip stopped at a long comment opener that is never closed
                raise self.error("unfinished long comment near '<eof>'", len(text), len(text))
        elif start > prev_end and ("\n" in text[prev_end:start] or "\r" in text[prev_end:start]):
            self.newline_parens.add(start)

    def _other(self, char: str, start: int):
        if char == '"' or char == "'":
            raise _unfinished_string(self, start)
        return ("OTHER", char, start, start + 1)


def _skip_header(text: str) -> int:
    """LuaJIT skips a UTF-8 byte order mark and a first line starting with '#'."""
    pos = 1 if text.startswith("\ufeff") else 0
    if text.startswith("#", pos):
        newline = text.find("\n", pos)
        return len(text) if newline == -1 else newline
    return pos


def _unfinished_string(lexer: _Lexer, start: int) -> LuaSyntaxError:
    """Find where a short string breaks: an invalid escape, a newline or the end of the text."""
    text = lexer.text
    quote = text[start]
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == quote:  # pragma: no cover - a closed string is matched by the token regex
            break
        if char == "\n" or char == "\r":
            return lexer.error(f"unfinished string near '{_read_so_far(text, start, pos)}'", start, pos)
        if char == "\\":
            match = _ESCAPE.match(text, pos)
            if match.group("bad") is not None and pos + 1 >= len(text):
                break  # a backslash at the very end: LuaJIT reports the end of the text
            _validate_escape(lexer, match, text, start, pos)
            pos = match.end()
            continue
        pos += 1
    return lexer.error("unfinished string near '<eof>'", len(text), len(text))


def _validate_escape(lexer: _Lexer, match: re.Match, text: str, tok_start: int, pos: int) -> None:
    bad = match.group("bad") is not None
    if not bad and match.group("dec") is not None:
        bad = int(match.group("dec")) > 255
    if not bad and match.group("uni") is not None:
        bad = int(match.group("uni"), 16) >= 0x110000
    if bad:
        near = _read_so_far(text, tok_start, pos)
        raise lexer.error(f"invalid escape sequence near '{near}'", tok_start, pos + 1)


def _read_so_far(text: str, start: int, pos: int) -> str:
    """What LuaJIT's lexer holds of a short string when it stops at ``pos``: the quote, then the text decoded."""
    return _as_c_string(text[start] + _ESCAPE.sub(_decode_escape, text[start + 1:pos]))


def shown(raw: str) -> str:
    """A string token as LuaJIT's messages quote it: decoded, a long one without its first newline."""
    quote = raw[:raw.index("[", 1) + 1] if raw[0] == "[" else raw[0]
    return _as_c_string(quote + string_value(raw) + raw[len(raw) - len(quote):])


def _as_c_string(text: str) -> str:
    return text.split("\0", 1)[0]  # LuaJIT formats its messages as C strings: they end at a NUL


def _check_escapes(lexer: _Lexer, raw: str, tok_start: int) -> None:
    text = lexer.text
    pos = raw.find("\\")
    while pos != -1:
        match = _ESCAPE.match(raw, pos)
        _validate_escape(lexer, match, text, tok_start, tok_start + pos)
        pos = raw.find("\\", match.end())


def string_value(raw: str) -> str:
    """The value of a string token: escapes decoded, long brackets and their first newline removed."""
    if raw[0] == "[":
        level = raw.index("[", 1) + 1
        body = raw[level:len(raw) - level]
        if body.startswith("\r\n") or body.startswith("\n\r"):
            body = body[2:]
        elif body.startswith("\n") or body.startswith("\r"):
            body = body[1:]
        return _NEWLINE.sub("\n", body) if "\r" in body else body  # any newline sequence reads as one \n
    body = raw[1:-1]
    if "\\" not in body:
        return body
    return _ESCAPE.sub(_decode_escape, body)


def _decode_escape(match: re.Match) -> str:
    kind = match.lastgroup
    if kind == "simple":
        return _SIMPLE_ESCAPES[match.group("simple")]
    if kind == "nl":
        return "\n"
    if kind == "hex":
        return chr(int(match.group("hex"), 16))
    if kind == "z":
        return ""
    if kind == "uni":
        return chr(min(int(match.group("uni"), 16), 0x10FFFF))
    if kind == "dec":
        return chr(int(match.group("dec")) & 0xFF)
    return match.group(0)[1:]


def tokenize(text: str, lua52: bool = True) -> list[tuple[str, str, int, int]]:
    """All tokens of a text, ending with ('$END', '', len, len). Raises LuaSyntaxError on lexical errors."""
    toks, error = _Lexer(text, lua52).token_list()
    if error is not None:
        raise error
    return toks
