"""nginx syntax to a tree of directives with exact spans, in one linear pass.

The tokenizer follows nginx's own (`ngx_conf_read_token`): whitespace is space, tab and newline; `;` and `{` end a
word but `}` does not; `#` starts a comment only at the start of a token; a closing quote must be followed by
whitespace, `;`, `{` or `)`; a backslash escapes the next character. At the `{` of a `*_by_lua_block` the
Lua-aware block lexer of lua-nginx-module takes over (see `_scan_lua_block`).

Speed matters here (an 88,000-line config must parse faster than crossplane does): the loop keeps character
offsets only, and a span (line, column) is computed from them when something asks for it, which for most
directives is never. Most directives are plain words (`listen 80;`, `location /api/ {`): one match of `PLAIN`
reads such a directive whole, and where its words sit is found again, by the same tokenizer, only when a span of it
is asked for.
"""
from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from ..findings import Span
from ..lines import LineIndex

# After optional whitespace: 1 punctuation, 2 comment, 3 quoted string, 4 word. A quote that never closes
# matches none of them (the caller reports it).
TOKEN = re.compile(
    r"""[ \t\n]*(?:([;{}])|(\#[^\n]*)|("[^"\\]*(?:\\[\s\S][^"\\]*)*"|'[^'\\]*(?:\\[\s\S][^'\\]*)*')"""
    r"""|((?:[^ \t\n;{}#"'\\$]|\\[\s\S]?|\$\{?)[^ \t\n;{\\$]*(?:(?:\\[\s\S]?|\$\{?)[^ \t\n;{\\$]*)*))"""
)
# After optional whitespace: 1 a directive of plain words, up to 2 its `;` or `{` (words that TOKEN reads as they
# are written: no quote, escape, `${`, comment, nor any whitespace but the separators, so that str.split() gives
# TOKEN's words), or 3 the `}` of a block.
# (After its first character, a word is runs of plain characters between `$`s that start no `${`: written as runs,
# not as one alternative per character, which the regex engine reads a third faster.)
_PLAIN_WORD = r"""(?:[^\s;{}#"'\\$]|\$(?!\{))[^\s;{\\$]*+(?:\$(?!\{)[^\s;{\\$]*+)*+"""
PLAIN = re.compile(rf"[ \t\n]*+(?:({_PLAIN_WORD}(?:[ \t\n]++{_PLAIN_WORD})*+)[ \t\n]*+([;{{])|(}}))")
TRAILING_SPACE = re.compile(r"[ \t\n]*\Z")
_PLAIN_END = re.compile(r"[;{]")
WHITESPACE = re.compile(r"[ \t\n]*")
ESCAPE = re.compile(r"\\([\s\S])")
ESCAPED = {'"': '"', "'": "'", "\\": "\\", "t": "\t", "r": "\r", "n": "\n"}
AFTER_QUOTE = frozenset(" \t\n;{)")

# lua-nginx-module's block lexer: the earliest of these tokens; everything else is plain text. A closing long
# bracket is a token of its own there; it only matters for where the next token starts (see `_ConfBuffer`).
LUA_TOKEN = re.compile(
    r"""--\[(?P<comment>=*)\[|--[^\n]*|\[(?P<string>=*)\[|\](?:=*)\]|"(?:\\[^\n]|[^"\n\\])*"|'(?:\\[^\n]|[^'\n\\])*'|[{}]"""
)

# nginx reads a config file through one buffer of NGX_CONF_BUFFER bytes (src/core/ngx_conf_file.h); a token must
# fit in it, and lua-nginx-module's block lexer refills it when less than half is left unread.
CONF_BUFFER = 4096
NON_ASCII = re.compile(r"[^\x00-\x7f]")


class _ConfBuffer:
    """Where nginx's config buffer ends as it reads a file, to find the tokens too long for it.

    `ngx_conf_read_token` reads the file in CONF_BUFFER-byte pieces. When the buffer is used up it keeps the bytes of
    the token being read (from `start`) and reads more after them; a token that already fills the whole buffer is an
    error (`too long parameter`). lua-nginx-module's block lexer shares the buffer: before each of its tokens it refills
    when less than half is left, and a long bracket must close within what the buffer holds. Offsets here are
    characters of the text; `size` and the buffer's arithmetic are in bytes.
    """

    __slots__ = ("text", "size", "end", "_chars", "_bytes", "_widths")

    def __init__(self, text: str):
        self.text = text
        self._chars: list[int] = []  # char offsets of the non-ASCII characters
        self._bytes: list[int] = []  # and the byte offset where each starts
        self._widths: list[int] = []
        extra = 0
        if not text.isascii():
            for m in NON_ASCII.finditer(text):
                width = len(m.group().encode("utf-8", "surrogateescape"))
                self._chars.append(m.start())
                self._bytes.append(m.start() + extra)
                self._widths.append(width)
                extra += width - 1
        self.size = len(text) + extra
        self.end = self.char(min(self.size, CONF_BUFFER)) if self.size > CONF_BUFFER else len(text) + 1

    def byte(self, char: int) -> int:
        i = bisect_left(self._chars, char)
        return char if i == 0 else self._bytes[i - 1] + self._widths[i - 1] + (char - self._chars[i - 1] - 1)

    def char(self, byte: int) -> int:
        i = bisect_right(self._bytes, byte)
        if i == 0:
            return byte
        start, width = self._bytes[i - 1], self._widths[i - 1]
        if byte < start + width:
            return self._chars[i - 1]
        return self._chars[i - 1] + 1 + (byte - start - width)

    def _refill(self, start: int) -> bool:
        """The buffer is used up at `self.end` with the token in progress at `start`: False if it does not fit."""
        start_byte = self.byte(start)
        if self.byte(self.end) - start_byte >= CONF_BUFFER:
            return False
        end = self.char(start_byte + CONF_BUFFER) if start_byte + CONF_BUFFER < self.size else len(self.text) + 1
        if end <= self.end:  # the buffer ends inside a character of the token, which already fills it
            return False
        self.end = end
        return True

    def read(self, pos: int, token: int, kind: int, end: int, after: int) -> None:
        """nginx read whitespace from `pos`, then a token of `kind` (see TOKEN) in [token, end).

        `after` is where the token read before it started (`-1` after `;`, `{`, `}` or a comment): nginx's `start`
        stays there while it reads the character that ends a word or follows a closing quote.
        """
        while self.end <= end:
            last = self.end - 1  # the last character read before the buffer ran out
            if last < token:
                start = after if last == pos and after >= 0 else last
            elif kind == 1:
                start = self.end
            elif kind == 3:
                start = token + 1
            else:
                start = token
            if not self._refill(start):
                # the token in the buffer: this one, or the one before that this whitespace ends
                first, past = (token, end) if start >= token else (start, max(pos, start + 1))
                raise _Failed(_too_long(self.text, start, token, kind, last, end), first, past)

    def lua_window(self, pos: int) -> int:
        """Before the Lua lexer reads a token at `pos`: the end of what the buffer holds (refilled if under half)."""
        if self.end <= len(self.text) and self.byte(self.end) - self.byte(pos) < CONF_BUFFER // 2:
            start_byte = self.byte(pos)
            self.end = self.char(start_byte + CONF_BUFFER) if start_byte + CONF_BUFFER < self.size else len(self.text) + 1
        return min(self.end, len(self.text))

    def lua_skip(self, pos: int) -> int:
        """No Lua token in the window: the lexer skips what it holds and refills from `pos`. The next position."""
        if self.end > len(self.text):
            return -1
        skipped = self.end
        start_byte = self.byte(pos)
        self.end = self.char(start_byte + CONF_BUFFER) if start_byte + CONF_BUFFER < self.size else len(self.text) + 1
        return skipped


def _too_long(text: str, start: int, token: int, kind: int, last: int, end: int) -> str:
    """nginx's message for a token that does not fit in its buffer, and why."""
    why = f": nginx reads its configuration in {CONF_BUFFER}-byte buffers and one parameter must fit in one"
    if kind == 3 and token < last < end - 1:
        return f'too long parameter, probably missing terminating "{text[token]}" character{why}'
    return f'too long parameter "{text[start:start + 10]}..." started{why}'


class _NoBuffer:
    """Stands in for `_ConfBuffer` where nginx's bytes are not known exactly (templates, CRLF files): no limit."""

    end = 1 << 62

    @staticmethod
    def lua_window(pos: int) -> int:
        return 1 << 62

    @staticmethod
    def lua_skip(pos: int) -> int:
        return -1


class LuaCode:
    """The body of a `*_by_lua_block`: the text between the braces and where its first character sits."""

    __slots__ = ("text", "_offset", "_index")

    def __init__(self, text: str, offset: int, index: LineIndex):
        self.text = text
        self._offset = offset
        self._index = index

    @property
    def line(self) -> int:
        return self._index.pinned.line if self._index.pinned else self._index.position(self._offset)[0]

    @property
    def column(self) -> int:
        return self._index.pinned.column if self._index.pinned else self._index.position(self._offset)[1]

    def span_of(self, start: int, end: int) -> Span:
        """The span in the nginx file of text[start:end] of this body."""
        return self._index.span(self._offset + start, self._offset + end)

    def __repr__(self) -> str:
        return f"LuaCode(line={self.line}, column={self.column}, text={self.text!r})"


class Directive:
    """One directive as written in one file. `block` is None for a simple directive.

    `_offsets` holds [name start, name end, arg1 start, arg1 end, …, terminator]; spans derive from it. A plain
    directive (see PLAIN) is made with the offset of its name only, and its words are found again on first use.
    """

    __slots__ = ("name", "args", "_marks", "block", "_block_end", "lua", "file", "_index")

    def __init__(self, name, args, offsets: list[int] | int, index, file):
        self.name = name
        self.args = args
        self._marks = offsets
        self._index = index
        self.file = file
        self.block: list[Directive] | None = None
        self._block_end = -1
        self.lua: LuaCode | None = None

    @property
    def _offsets(self) -> list[int]:
        marks = self._marks
        if marks.__class__ is int:  # a plain directive: its words are where TOKEN finds them
            self._marks = marks = _plain_offsets(self._index.text, marks)
        return marks

    @property
    def start(self) -> int:
        """The offset of the directive's name in the file's text."""
        marks = self._marks
        return marks if marks.__class__ is int else marks[0]

    @property
    def span(self) -> Span:
        """The directive's name."""
        return self._index.span(self._offsets[0], self._offsets[1])

    @property
    def arg_spans(self) -> list[Span]:
        offsets, span = self._offsets, self._index.span
        return [span(offsets[i], offsets[i + 1]) for i in range(2, len(offsets) - 1, 2)]

    def arg_span(self, index: int) -> Span:
        if 0 <= index < len(self.args):
            return self._index.span(self._offsets[2 + 2 * index], self._offsets[3 + 2 * index])
        return self.span

    def starts_a_line(self, index: int) -> bool:
        """Argument `index` is the first word of its line (a line break between it and the word before)."""
        offsets = self._offsets
        return "\n" in self._index.text[offsets[1 + 2 * index]:offsets[2 + 2 * index]]

    def on_one_line(self) -> bool:
        """The name, every argument and the terminator stand on one line."""
        marks, text = self._marks, self._index.text
        if marks.__class__ is int:  # plain words hold no `;` or `{`: the first one after the name ends the directive
            end = _PLAIN_END.search(text, marks)
            return text.find("\n", marks, end.start() if end else len(text)) == -1
        return text.find("\n", marks[0], marks[-1]) == -1

    @property
    def quoted(self) -> list[bool]:
        text, offsets = self._index.text, self._offsets
        return [text[offsets[i]] in "\"'" for i in range(2, len(offsets) - 1, 2)]

    @property
    def raw_args(self) -> list[str]:
        """Arguments as written, before nginx undoes escapes (quotes removed)."""
        text, offsets = self._index.text, self._offsets
        raw = []
        for i in range(2, len(offsets) - 1, 2):
            start, end = offsets[i], offsets[i + 1]
            raw.append(text[start + 1 : end - 1] if text[start] in "\"'" else text[start:end])
        return raw

    def arg_offset(self, index: int) -> int:
        """Offset in the file's text of argument `index` as written (for mapping positions inside it)."""
        return self._offsets[2 + 2 * index]

    @property
    def end(self) -> Span:
        """The terminating `;`, or the `{` of a block."""
        terminator = self._offsets[-1]
        return self._index.span(terminator, terminator + 1)

    @property
    def block_end(self) -> Span | None:
        if self._block_end < 0:
            return None
        return self._index.span(self._block_end, self._block_end + 1)

    @property
    def full_span(self) -> Span:
        """From the name to the terminating `;`, or to the `{` of a block."""
        return self._index.span(self._offsets[0], self._offsets[-1] + 1)

    def __repr__(self) -> str:
        return f"<Directive {self.name} {self.args}>"


@dataclass(frozen=True)
class SyntaxProblem:
    message: str
    span: Span


@dataclass
class ParsedFile:
    directives: list[Directive]
    comments: list[tuple[Span, str]]
    problem: SyntaxProblem | None
    index: LineIndex

    def pin(self, span: Span) -> None:
        """Place every directive, comment and problem of this file at `span`."""
        self.index.pinned = span
        self.comments = [(span, text) for _, text in self.comments]
        if self.problem:
            self.problem = SyntaxProblem(self.problem.message, span)


def walk_directives(directives):
    """Every directive of a parsed file, the contents of blocks included, without recursion (in no set order)."""
    stack = list(directives)
    while stack:
        d = stack.pop()
        yield d
        if d.block:
            stack.extend(d.block)


def blocks_around(directives, position: tuple[int, int]) -> list:
    """The blocks of a parsed file that hold a (line, column), outermost first."""
    chain = []
    level = directives
    while True:
        inner = next((d for d in level if d.block is not None and d.block_end is not None
                      and tuple(d.span[:2]) <= position <= tuple(d.block_end[:2])), None)
        if inner is None:
            return chain
        chain.append(inner)
        level = inner.block


@functools.lru_cache(maxsize=1024)  # a large config repeats the same few escaped words (`return 200 "ok\n"`)
def unescape(raw: str) -> str:
    """nginx's value of a word: `\\"`, `\\'`, `\\\\`, `\\t`, `\\r` and `\\n` are unescaped, other backslashes stay."""
    if "\\" not in raw:
        return raw
    return ESCAPE.sub(lambda m: ESCAPED.get(m.group(1), m.group(0)), raw)


class _Failed(Exception):
    def __init__(self, message: str, start: int, end: int):
        super().__init__(message)
        self.message, self.start, self.end = message, start, end


def parse(text: str, file=None, lua_blocks: frozenset[str] = frozenset(), exact: bool = True) -> ParsedFile:
    """Parse a whole file. On a syntax error, the directives before it are kept and the error is returned.

    `exact`: the text is the file's bytes as nginx reads them (not a masked template, no CRLF line ends), so the
    limits of nginx's config buffer can be checked.
    """
    index = LineIndex(text)
    buffer = _ConfBuffer(text) if exact and len(text) > CONF_BUFFER // 4 else _NoBuffer
    after = -1  # where the last word or quoted string started (nginx's `start` while it reads what ends it)
    root: list[Directive] = []
    comment_offsets: list[tuple[int, int]] = []
    siblings = root
    stack: list[tuple[list[Directive], Directive | None]] = []  # enclosing blocks
    opener: Directive | None = None
    words: list[str] = []
    offsets: list[int] = []
    match = TOKEN.match
    size = len(text)
    pos = 0
    plain = PLAIN.match
    try:
        while True:
            if not words:
                m = plain(text, pos)
                # a directive that ends before nginx's buffer does is read whole; one across it, token by token
                if m is not None and m.end() < buffer.end:
                    after = -1
                    body, terminator, closer = m.groups()
                    if closer:
                        start, pos = m.span(3)
                        if opener is None:
                            raise _Failed('unexpected "}"', start, pos)
                        opener._block_end = start
                        siblings, opener = stack.pop()
                        continue
                    pos = m.end()
                    names = body.split()
                    directive = Directive(names[0], names[1:], m.start(1), index, file)
                    if terminator == ";":
                        siblings.append(directive)
                    else:
                        pos, siblings, opener = _enter(directive, text, pos, index, buffer, lua_blocks, siblings,
                                                       opener, stack)
                    continue
            m = match(text, pos)
            if m is None:
                start = TRAILING_SPACE.match(text, pos)
                if start is not None:  # only whitespace left: the end of the file
                    if words:
                        raise _Failed(f'unexpected end of file, expecting ";" or "}}": the "{words[0]}" '
                                      "directive is not terminated", offsets[0], offsets[1])
                    if opener is not None:
                        brace = opener._offsets[-1]
                        raise _Failed(f'unexpected end of file, expecting "}}": the "{opener.name}" block opened '
                                      "here is never closed", brace, brace + 1)
                    break
                quote = WHITESPACE.match(text, pos).end()
                raise _Failed(f"unexpected end of file: the string opened here with {text[quote]} is never closed",
                              quote, quote + 1)
            kind = m.lastindex
            start = m.start(kind)
            if m.end() >= buffer.end:
                buffer.read(pos, start, kind, m.end(), after)
            after = start + 1 if kind == 3 else start if kind == 4 else -1
            pos = m.end()
            if kind == 4:  # a word
                raw = m.group(4)
                words.append(unescape(raw) if "\\" in raw else raw)
                offsets.append(start)
                offsets.append(pos)
            elif kind == 1:
                char = m.group(1)
                if char == ";":
                    if not words:
                        raise _Failed('unexpected ";"', start, pos)
                    offsets.append(start)
                    siblings.append(Directive(words[0], words[1:], offsets, index, file))
                    words, offsets = [], []
                elif char == "{":
                    if not words:
                        raise _Failed('unexpected "{"', start, pos)
                    offsets.append(start)
                    directive = Directive(words[0], words[1:], offsets, index, file)
                    words, offsets = [], []
                    pos, siblings, opener = _enter(directive, text, pos, index, buffer, lua_blocks, siblings, opener,
                                                   stack)
                else:  # "}"
                    if words or opener is None:
                        raise _Failed('unexpected "}"', start, pos)
                    opener._block_end = start
                    siblings, opener = stack.pop()
            elif kind == 2:
                comment_offsets.append((start, pos))
            else:  # a quoted string
                raw = m.group(3)
                inner = raw[1:-1]
                words.append(unescape(inner) if "\\" in inner else inner)
                offsets.append(start)
                offsets.append(pos)
                if pos < size and text[pos] not in AFTER_QUOTE:
                    raise _Failed(f'unexpected "{text[pos]}"', pos, pos + 1)
    except _Failed as failure:
        problem = SyntaxProblem(failure.message, index.span(failure.start, failure.end))
    else:
        problem = None
    comments = [(index.span(start, end), text[start:end]) for start, end in comment_offsets]
    return ParsedFile(root, comments, problem, index)


def _enter(directive: Directive, text: str, pos: int, index: LineIndex, buffer, lua_blocks, siblings, opener,
           stack) -> tuple[int, list, "Directive | None"]:
    """Place a directive that ends with `{`: a Lua block is read to its end (one never closed raises and stays
    out), any other opens a block. (pos, siblings, opener) after it."""
    if directive.name in lua_blocks:
        pos = _scan_lua_block(text, pos, directive, index, buffer)
        siblings.append(directive)
        return pos, siblings, opener
    siblings.append(directive)
    directive.block = []
    stack.append((siblings, opener))
    return pos, directive.block, directive


def _plain_offsets(text: str, start: int) -> list[int]:
    """The offsets of a plain directive's words and terminator, from the offset of its name."""
    offsets = []
    match = TOKEN.match
    while True:
        m = match(text, start)
        start = m.end()
        if m.lastindex == 1:  # its `;` or `{`
            offsets.append(m.start(1))
            return offsets
        offsets.append(m.start(4))
        offsets.append(start)


def _scan_lua_block(text: str, pos: int, directive: Directive, index: LineIndex, buffer) -> int:
    """Find the `}` that closes a Lua block exactly as lua-nginx-module's lexer does.

    Braces are counted; short strings that close on their line, `--` comments and long brackets of any level are
    skipped. A quote that does not close on its line is a plain character (nginx accepts it; only Lua rejects it).
    The lexer sees only what nginx's config buffer holds (`buffer`): a long bracket must close inside it.
    """
    start = pos
    depth = 1
    search = LUA_TOKEN.search
    while True:
        window = buffer.lua_window(pos)
        match = search(text, pos, window)
        if match is None:
            skipped = buffer.lua_skip(pos)
            if skipped < 0:
                brace = directive._offsets[-1]
                raise _Failed(f'unexpected end of file: the Lua code of "{directive.name}" is never closed with "}}"',
                              brace, brace + 1)
            pos = skipped
            continue
        level = match.group("comment")
        if level is None:
            level = match.group("string")
        if level is not None:
            closer = "]" + level + "]"
            close = text.find(closer, match.end(), window)
            if close < 0:
                if text.find(closer, match.end()) < 0:
                    raise _Failed("Lua code block missing the closing long bracket", match.start(), match.end())
                raise _Failed(f'Lua code block missing the closing long bracket "{closer}", the inlined Lua code may '
                              f"be too long: lua-nginx-module looks for it only in nginx's {CONF_BUFFER}-byte "
                              "config buffer; move the text into a Lua file", match.start(), match.end())
            pos = close + len(closer)
            continue
        token = match.group()
        pos = match.end()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                close = match.start()
                directive.lua = LuaCode(text[start:close], start, index)
                directive._block_end = close
                return pos
