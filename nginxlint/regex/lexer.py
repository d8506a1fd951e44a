"""PCRE2 pattern text to tokens for the grammar in pcre.lark.

PCRE's lexical rules depend on context a grammar cannot carry: `(?x)` turns whitespace and `#` comments off until
the end of the enclosing group, `\\Q…\\E` quotes, `{` is a quantifier only when a well-formed `{n}`, `{n,}` or
`{n,m}` follows, and inside `[…]` almost everything is literal. So this scanner reads the text the way
pcre2_compile() does (pcre2_compile.c, parse_regex) and hands the grammar a flat list of tokens; each token
carries what it means (a code point, a set of bytes, a quantifier's bounds, a group's kind and number) and the
flags in force where it stands. Errors that are lexical (a bad escape, an unterminated class) are raised here with
PCRE2's wording; structural ones come from the grammar.
"""
from __future__ import annotations

import re

from . import charsets as cs
from .errors import RegexError

# Option bits, as (?imnsxU) set them.
CASELESS, MULTILINE, NO_AUTO_CAPTURE, DOTALL, EXTENDED, EXTENDED_MORE, UNGREEDY, DUPNAMES = (
    1, 2, 4, 8, 16, 32, 64, 128)
_OPTION_LETTERS = {"i": CASELESS, "m": MULTILINE, "n": NO_AUTO_CAPTURE, "s": DOTALL, "x": EXTENDED,
                   "U": UNGREEDY, "J": DUPNAMES}

_QUANTIFIER = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = re.compile(r"\d+")
_SIGNED = re.compile(r"[+-]?\d+")
_X_SPACE = " \t\n\x0b\x0c\r"
_MAX_QUANTIFIER = 65535
_MAX_NAME = 32
_MAX_NESTING = 220  # pcre2_compile refuses the 221st nested group (Debian's PCRE2 10.42, as nginx uses it)
_VERBS = {"ACCEPT", "FAIL", "F", "COMMIT", "PRUNE", "SKIP", "THEN", "MARK", ""}
_VERBS_WITH_NAME = {"MARK", "", "PRUNE", "SKIP", "THEN", "ACCEPT", "FAIL", "F", "COMMIT"}
_START_OPTIONS = re.compile(
    r"\(\*(?:UTF|UCP|CR|LF|CRLF|ANYCRLF|ANY|NUL|BSR_ANYCRLF|BSR_UNICODE|NO_AUTO_POSSESS|NO_DOTSTAR_ANCHOR|NO_JIT"
    r"|NO_START_OPT|NOTEMPTY|NOTEMPTY_ATSTART|(?:LIMIT_HEAP|LIMIT_MATCH|LIMIT_DEPTH|LIMIT_RECURSION)=\d+)\)")
# (*name: groups spelled with words (PCRE2 10.30+), as the (? forms they equal.
_ALPHA_GROUPS = {
    "pla": "(?=", "positive_lookahead": "(?=", "nla": "(?!", "negative_lookahead": "(?!",
    "plb": "(?<=", "positive_lookbehind": "(?<=", "nlb": "(?<!", "negative_lookbehind": "(?<!",
    "atomic": "(?>", "sr": "(?:", "script_run": "(?:", "asr": "(?>", "atomic_script_run": "(?>",
    "napla": "(?=", "non_atomic_positive_lookahead": "(?=", "naplb": "(?<=",
    "non_atomic_positive_lookbehind": "(?<=",
}
_NEWLINES = {"CR": ("\r",), "LF": ("\n",), "CRLF": ("\r\n",), "ANYCRLF": ("\r\n", "\r", "\n"),
             "ANY": ("\r\n", "\r", "\n", "\x0b", "\x0c", "\x85"), "NUL": ("\x00",)}
_SIMPLE_ESCAPES = {"a": 7, "e": 27, "f": 12, "n": 10, "r": 13, "t": 9}
_UNSUPPORTED = "PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u"


class Tok:
    """One token: `kind` is the grammar's terminal name, `value` what it means (see each kind in pcre.lark)."""

    __slots__ = ("kind", "start", "end", "value", "flags")

    def __init__(self, kind: str, start: int, end: int, value=None, flags: int = 0):
        self.kind, self.start, self.end, self.value, self.flags = kind, start, end, value, flags

    def __repr__(self) -> str:
        return f"Tok({self.kind}, {self.start}:{self.end}, {self.value!r})"


class GroupOpen:
    """What an opening parenthesis starts: kind is capture | noncapture | atomic | lookahead | lookbehind |
    branchreset; negative for a negative assertion; number and name for a capture."""

    __slots__ = ("kind", "negative", "number", "name")

    def __init__(self, kind: str, negative: bool = False, number: int | None = None, name: str | None = None):
        self.kind, self.negative, self.number, self.name = kind, negative, number, name


class Reference:
    """A back reference or subroutine call target: a number (absolute), or a name; `relative` when written
    with a sign (already made absolute in `number`)."""

    __slots__ = ("number", "name", "relative", "at")

    def __init__(self, number: int | None = None, name: str | None = None, relative: bool = False):
        self.number, self.name, self.relative = number, name, relative
        self.at: int | None = None  # where PCRE2 points when the group does not exist


class Lexer:
    def __init__(self, pattern: str, caseless: bool = False):
        self.p = pattern
        self.n = len(pattern)
        self.pos = 0
        self.flags = CASELESS if caseless else 0
        self.tokens: list[Tok] = []
        self.captures = 0  # capture groups opened so far
        self.name_start = 0  # where the last group name read began
        self.stack: list[list] = []  # per open group: [flags before it, branch-reset start or None, max so far]
        self.utf = False
        self.newlines = ("\n",)  # what ends a # comment and what `.` does not match: (*CR) etc. change it
        self.not_newline = cs.ALL & ~cs.NEWLINE

    # -- helpers -------------------------------------------------------------------------------------------------
    def error(self, message: str, offset: int):
        raise RegexError(message, min(offset, self.n))

    def emit(self, kind: str, start: int, end: int, value=None) -> None:
        self.tokens.append(Tok(kind, start, end, value, self.flags))
        if isinstance(value, Reference):
            self.locate(value, end)

    def locate(self, ref: Reference, end: int) -> None:
        """PCRE2 points at a missing group's name, or at the last character of a numbered reference."""
        if ref.at is None:
            ref.at = self.name_start if ref.name is not None else end - 1

    def peek(self, offset: int = 0) -> str:
        at = self.pos + offset
        return self.p[at] if at < self.n else ""

    # -- main loop -----------------------------------------------------------------------------------------------
    def run(self) -> list[Tok]:
        p = self.p
        while True:
            match = _START_OPTIONS.match(p, self.pos)
            if not match:
                break
            option = match.group()[2:-1]
            if option.startswith("UTF"):
                self.utf = True
            elif option in _NEWLINES:
                self.newlines = _NEWLINES[option]
                self.not_newline = cs.ALL & ~cs.of(*{c for nl in self.newlines for c in nl})
            self.pos = match.end()
        while self.pos < self.n:
            c = p[self.pos]
            if self.flags & EXTENDED:
                if c in _X_SPACE:
                    self.pos += 1
                    continue
                if c == "#":
                    self.pos = self.comment_end(self.pos)
                    continue
            start = self.pos
            if c == "\\":
                self.escape()
            elif c == "[":
                self.char_class()
            elif c == "(":
                self.open_paren()
            elif c == ")":
                self.pos += 1
                self.emit("RPAREN", start, self.pos)
                if self.stack:
                    frame = self.stack.pop()
                    self.flags = frame[0]
                    if frame[1] is not None:
                        self.captures = max(self.captures, frame[2])
            elif c == "|":
                self.pos += 1
                self.emit("BAR", start, self.pos)
                if self.stack and self.stack[-1][1] is not None:  # (?| : each branch numbers from the same start
                    frame = self.stack[-1]
                    frame[2] = max(frame[2], self.captures)
                    self.captures = frame[1]
            elif c in "*+?":
                self.pos += 1
                self.quantifier(start, (0, None) if c == "*" else (1, None) if c == "+" else (0, 1))
            elif c == "{" and (m := _QUANTIFIER.match(p, start)):
                low = int(m.group(1))
                high = low if m.group(2) is None else (int(m.group(3)) if m.group(3) else None)
                if low > _MAX_QUANTIFIER or (high is not None and high > _MAX_QUANTIFIER):
                    self.error("number too big in {} quantifier", m.end() - 1)
                if high is not None and high < low:
                    self.error("numbers out of order in {} quantifier", m.end() - 1)
                self.pos = m.end()
                self.quantifier(start, (low, high))
            elif c == "^" or c == "$":
                self.pos += 1
                self.emit("ASSERT", start, self.pos, c)
            elif c == ".":
                self.pos += 1
                self.emit("SET", start, self.pos, cs.ALL if self.flags & DOTALL else self.not_newline)
            else:
                self.pos += 1
                self.literal(start, ord(c))
        return self.tokens

    def literal(self, start: int, code: int) -> None:
        if code > 255 and not self.utf:
            self.error("character code point value in \\x{} or \\o{} is too large", self.pos - 1)
        self.emit("CHAR", start, self.pos, code)

    def skip_transparent(self, at: int) -> int:
        """Past what PCRE2 ignores between a quantifier and its `?` or `+`: (?#…) comments, empty \\Q\\E, a
        lone \\E, and in extended mode white space and # comments."""
        p = self.p
        while at < self.n:
            if p.startswith("(?#", at) and p.find(")", at) > 0:
                at = p.find(")", at) + 1
            elif p.startswith("\\Q\\E", at):
                at += 4
            elif p.startswith("\\E", at):
                at += 2
            elif self.flags & EXTENDED and p[at] in _X_SPACE:
                at += 1
            elif self.flags & EXTENDED and p[at] == "#":
                at = self.comment_end(at)
            else:
                break
        return at

    def comment_end(self, at: int) -> int:
        """The offset after an extended-mode # comment starting at `at` (it ends after the next newline)."""
        ends = [i for i in (self.p.find(nl, at) for nl in self.newlines) if i >= 0]
        if not ends:
            return self.n
        end = min(ends)
        return end + (2 if self.p.startswith("\r\n", end) and "\r\n" in self.newlines else 1)

    def quantifier(self, start: int, bounds: tuple) -> None:
        self.last_quantifier_char = self.pos - 1  # PCRE2 points here when nothing can be repeated
        mode = "greedy"
        after = self.skip_transparent(self.pos)
        nxt = self.p[after] if after < self.n else ""
        if nxt == "?":
            mode, self.pos = "lazy", after + 1
        elif nxt == "+":
            mode, self.pos = "possessive", after + 1
        if mode != "possessive" and self.flags & UNGREEDY:
            mode = "greedy" if mode == "lazy" else "lazy"
        self.emit("QUANT", start, self.pos, (bounds[0], bounds[1], mode, self.last_quantifier_char))

    # -- escapes -------------------------------------------------------------------------------------------------
    def escape(self, in_class: bool = False) -> Tok | None:
        """Read one backslash escape at self.pos. Outside a class it is emitted; inside, returned (or None when
        it produced nothing, as \\E does)."""
        p, start = self.p, self.pos
        if start + 1 >= self.n:
            self.error("\\ at end of pattern", self.n)
        c = p[start + 1]
        self.pos = start + 2
        flags = self.flags

        def token(kind, value):
            tok = Tok(kind, start, self.pos, value, flags)
            if isinstance(value, Reference):
                self.locate(value, self.pos)
            if not in_class:
                self.tokens.append(tok)
            return tok

        if c in "dDwWsShHvV":
            return token("SET", cs.escape_set(c))
        if c in "pP":
            return token("SET", self.property(c == "P"))
        if c in _SIMPLE_ESCAPES:
            return token("CHAR", _SIMPLE_ESCAPES[c])
        if c == "Q":
            end = p.find("\\E", self.pos)
            stop = self.n if end < 0 else end
            quoted = []
            for at in range(self.pos, stop):
                quoted.append(Tok("CHAR", at, at + 1, ord(p[at]), flags))
            self.pos = self.n if end < 0 else end + 2
            if in_class:
                return quoted  # the class reader spreads them
            self.tokens.extend(quoted)
            return None
        if c == "E":
            return [] if in_class else None
        if c == "x":
            return token("CHAR", self.hex_escape())
        if c == "o":
            return token("CHAR", self.braced_number(8, "octal"))
        if c == "c":
            if self.pos >= self.n:
                self.error("\\c at end of pattern", self.n)
            control = p[self.pos]
            if not 32 <= ord(control) < 127:
                self.error("\\c must be followed by a printable ASCII character", self.pos)
            self.pos += 1
            return token("CHAR", ord(control.upper()) ^ 0x40)
        if c == "0":
            digits = re.match(r"[0-7]{0,2}", p[self.pos:]).group()
            self.pos += len(digits)
            return token("CHAR", int("0" + digits, 8))
        if c.isdigit():
            if in_class:
                if c in "89":
                    return token("CHAR", ord(c))
                digits = re.match(r"[0-7]{1,3}", p[start + 1:]).group()
                self.pos = start + 1 + len(digits)
                return token("CHAR", int(digits, 8) & 0xFF if not self.utf else int(digits, 8))
            digits = _DIGITS.match(p, start + 1).group()
            number = int(digits)
            if number < 10 or c in "89" or number <= self.captures:
                self.pos = start + 1 + len(digits)
                if number > 65535:
                    self.error("subpattern number is too big", self.pos)
                return token("BACKREF", Reference(number))
            octal = re.match(r"[0-7]{1,3}", p[start + 1:]).group()
            self.pos = start + 1 + len(octal)
            return token("CHAR", int(octal, 8) & 0xFF if not self.utf else int(octal, 8))
        if in_class:
            if c == "b":
                return token("CHAR", 8)
            if c == "N":
                self.error("\\N is not supported in a class", self.pos + (1 if self.peek() == "{" else 0))
            if c in "BRXAzZGKkC":
                self.error("escape sequence is invalid in character class", self.pos)
            if c == "g":  # \g means nothing special in a class
                return token("CHAR", ord("g"))
        if c == "N":
            if self.peek() == "{":
                if p.startswith("{U+", self.pos) and not self.utf:
                    self.error("\\N{U+dddd} is supported only in Unicode (UTF) mode", self.pos)
                if not (re.match(r"\{\d+(,\d*)?\}", p[self.pos:]) or p.startswith("{U+", self.pos)):
                    self.error(_UNSUPPORTED, self.pos)
                if p.startswith("{U+", self.pos):
                    close = p.find("}", self.pos)
                    self.pos = close + 1
                    return token("CHAR", int(p[start + 5: close], 16))
            return token("SET", self.not_newline)
        if c == "C":
            return token("SET", cs.ALL)
        if c in "RX":
            return token("MULTI", c)
        if c in "bBAzZG":
            return token("ASSERT", "\\" + c)
        if c == "K":
            return token("RESET", None)
        if c == "g":
            return self.g_escape(token)
        if c == "k":
            opener = self.peek()
            closer = {"<": ">", "'": "'", "{": "}"}.get(opener)
            if closer is None:
                self.error("\\k is not followed by a braced, angle-bracketed, or quoted name", self.pos)
            self.pos += 1
            name = self.read_name(closer)
            return token("BACKREF", Reference(name=name))
        if c in "uULlF":
            self.error(_UNSUPPORTED, self.pos)
        if c.isalnum() and c.isascii():
            self.error("unrecognized character follows \\", self.pos - 1)
        return token("CHAR", ord(c))

    def property(self, negated: bool) -> int:
        p = self.p
        if self.pos >= self.n:
            self.error("malformed \\P or \\p sequence", self.n)
        if p[self.pos] == "{":
            close = p.find("}", self.pos)
            if close < 0:
                self.error("malformed \\P or \\p sequence", self.n)
            name = p[self.pos + 1: close]
            self.pos = close + 1
        else:
            name = p[self.pos]
            self.pos += 1
        mask = cs.property_set(name)
        if mask is None or not name.lstrip("^").strip():
            self.error("unknown property after \\P or \\p", self.pos)
        return cs.ALL & ~mask if negated else mask

    def hex_escape(self) -> int:
        p = self.p
        if self.peek() == "{":
            return self.braced_number(16, "hex")
        digits = re.match(r"[0-9A-Fa-f]{0,2}", p[self.pos:]).group()
        self.pos += len(digits)
        return int(digits or "0", 16)

    def braced_number(self, base: int, what: str) -> int:
        p = self.p
        if self.peek() != "{":
            self.error("missing opening brace after \\o", self.pos)
        self.pos += 1
        allowed = "0123456789abcdefABCDEF" if base == 16 else "01234567"
        begin = self.pos
        while self.pos < self.n and p[self.pos] in allowed:
            self.pos += 1
        if self.pos == begin and (self.pos >= self.n or p[self.pos] == "}"):
            self.error("digits missing in \\x{} or \\o{} or \\N{U+}", self.pos)
        if self.pos >= self.n or p[self.pos] != "}":
            self.error(f"non-{what} character in \\{'x' if base == 16 else 'o'}{{}} (closing brace missing?)",
                       self.pos)
        value = int(p[begin: self.pos], base)
        self.pos += 1
        if value > 255 and not self.utf:
            self.error("character code point value in \\x{} or \\o{} is too large", self.pos - 1)
        return value

    def g_escape(self, token):
        """\\g: a back reference (\\gN, \\g-N, \\g{N}, \\g{-N}, \\g{name}) or a subroutine call (\\g<…>, \\g'…')."""
        p = self.p
        opener = self.peek()
        if opener in ("<", "'"):
            self.pos += 1
            closer = ">" if opener == "<" else "'"
            if (m := _SIGNED.match(p, self.pos)) and p.startswith(closer, m.end()):
                self.pos = m.end() + 1
                return token("CALL", self.numbered(m.group(), m.start()))
            return token("CALL", Reference(name=self.read_name(closer)))
        if opener == "{":
            self.pos += 1
            if (m := re.compile(r"-?\d+").match(p, self.pos)) and p.startswith("}", m.end()):
                self.pos = m.end() + 1
                return token("BACKREF", self.numbered(m.group(), m.start(), zero_error=True))
            return token("BACKREF", Reference(name=self.read_name("}")))
        if (m := re.compile(r"-?\d+").match(p, self.pos)):
            self.pos = m.end()
            return token("BACKREF", self.numbered(m.group(), m.start(), zero_error=True))
        self.error("\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a plain number",
                   self.pos)

    def numbered(self, text: str, at: int, zero_error: bool = False) -> Reference:
        """A group number as written: absolute, or relative to the groups opened so far (+1 = the next one)."""
        value = int(text)
        if text[0] == "-":
            number = self.captures + 1 + value
            if value == 0 or number <= 0:
                self.error("reference to non-existent subpattern", self.pos - 1)
            return Reference(number, relative=True)
        if text[0] == "+":
            if value == 0:
                self.error("a relative value of zero is not allowed", self.pos - 1)
            return Reference(self.captures + value, relative=True)
        if value == 0 and zero_error:
            self.error("reference to non-existent subpattern", self.pos - 1)
        return Reference(value)

    def read_name(self, closer: str) -> str:
        """A group name at self.pos ending with `closer` (consumed), checked as PCRE2 checks it."""
        p = self.p
        self.name_start = self.pos
        if self.pos < self.n and p[self.pos].isdigit():
            self.error("subpattern name must start with a non-digit", self.pos)
        m = _NAME.match(p, self.pos)
        if m is None:
            self.error("subpattern name expected", self.pos)
        if len(m.group()) > _MAX_NAME:
            self.error("subpattern name is too long (maximum 32 code units)", self.pos + _MAX_NAME + 1)
        self.pos = m.end()
        if not p.startswith(closer, self.pos):
            self.error("syntax error in subpattern name (missing terminator?)", self.pos)
        self.pos += len(closer)
        return m.group()

    # -- character classes ---------------------------------------------------------------------------------------
    def posix_end(self, at: int) -> int:
        """If p[at] starts `[:name:]` (or `[.x.]`, `[=x=]`), the offset after it, else -1 (PCRE2's
        check_posix_syntax)."""
        p = self.p
        terminator = p[at + 1]
        i = at + 2
        while i < self.n:
            ch = p[i]
            if ch == "\\" and i + 1 < self.n and p[i + 1] in "]\\":
                i += 2
                continue
            if (ch == "[" and i + 1 < self.n and p[i + 1] == terminator) or ch == "]":
                return -1
            if ch == terminator and i + 1 < self.n and p[i + 1] == "]":
                return i + 2
            i += 1
        return -1

    def char_class(self) -> None:
        p, start = self.p, self.pos
        if self.pos + 1 < self.n and p[self.pos + 1] in ":.=" and self.posix_end(self.pos) > 0:
            if p[self.pos + 1] == ":":
                self.error("POSIX named classes are supported only within a class", self.pos)
            self.error("POSIX collating elements are not supported", self.pos + 1)
        self.pos += 1
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        self.emit("CLASS_OPEN", start, self.pos, negated)
        first = True
        previous = None  # "char", "set", "range" (a hyphen was just emitted), "done" (after a range's end)
        while True:
            if self.pos >= self.n:
                self.error("missing terminating ] for character class", self.n)
            c = p[self.pos]
            if self.flags & EXTENDED_MORE and c in " \t":
                self.pos += 1
                continue
            at = self.pos
            if c == "]" and not first:
                self.pos += 1
                self.emit("CLASS_CLOSE", at, self.pos)
                return
            first = False
            if c == "[" and self.pos + 1 < self.n and p[self.pos + 1] in ":.=":
                end = self.posix_end(self.pos)
                if end > 0:
                    if p[self.pos + 1] != ":":
                        self.error("POSIX collating elements are not supported", self.pos + 1)
                    name = p[self.pos + 2: end - 2]
                    negate = name.startswith("^")
                    mask = cs.POSIX.get(name[1:] if negate else name)
                    if mask is None:
                        self.error("unknown POSIX class name", self.pos + 2 + (1 if negate else 0))
                    self.pos = end
                    self.emit("CLASS_SET", at, end, cs.ALL & ~mask if negate else mask)
                    previous = "range_end_error" if previous == "range" else "set"
                    continue
            if c == "\\":
                result = self.escape(in_class=True)
                if isinstance(result, list):  # \Q…\E or \E
                    for tok in result:
                        self.class_char(tok, previous)
                        previous = "done" if previous == "range" else "char"
                    continue
                if result.kind == "SET":
                    self.emit("CLASS_SET", result.start, result.end, result.value)
                    previous = "set"
                    continue
                self.class_char(result, previous)
                previous = "done" if previous == "range" else "char"
                continue
            if c == "-" and previous in ("char", "set") and self.range_follows():
                self.pos += 1
                self.emit("RANGE", at, self.pos)
                previous = "range"
                continue
            self.pos += 1
            self.class_char(Tok("CLASS_CHAR", at, self.pos, ord(c), self.flags), previous)
            previous = "done" if previous == "range" else "char"

    def range_follows(self) -> bool:
        """A hyphen makes a range unless the class ends right after it."""
        p, i = self.p, self.pos + 1
        while i < self.n:
            if self.flags & EXTENDED_MORE and p[i] in " \t":
                i += 1
            elif p.startswith("\\E", i):
                i += 2
            elif p.startswith("\\Q\\E", i):
                i += 4
            else:
                break
        return i < self.n and p[i] != "]"

    def class_char(self, tok: Tok, previous) -> None:
        if tok.value > 255 and not self.utf:
            self.error("character code point value in \\x{} or \\o{} is too large", tok.end - 1)
        self.tokens.append(Tok("CLASS_CHAR", tok.start, tok.end, tok.value, tok.flags))

    # -- parentheses ---------------------------------------------------------------------------------------------
    def push(self, branch_reset: bool = False) -> None:
        if len(self.stack) >= _MAX_NESTING:
            self.error("parentheses are too deeply nested", self.pos)
        self.stack.append([self.flags, self.captures if branch_reset else None, self.captures])

    def open_paren(self) -> None:
        p, start = self.p, self.pos
        nxt = self.peek(1)
        if nxt == "*":
            return self.star_paren()
        if nxt != "?":
            self.pos += 1
            if self.flags & NO_AUTO_CAPTURE:
                self.emit("OPEN", start, self.pos, GroupOpen("noncapture"))
            else:
                self.captures += 1
                self.emit("OPEN", start, self.pos, GroupOpen("capture", number=self.captures))
            self.push()
            return
        self.pos += 2
        c = self.peek()
        if c == "#":
            close = p.find(")", self.pos)
            if close < 0:
                self.error("missing ) after (?# comment", self.n)
            self.pos = close + 1
            return
        simple = {":": ("noncapture", False), "|": ("branchreset", False), ">": ("atomic", False),
                  "=": ("lookahead", False), "!": ("lookahead", True)}
        if c in simple:
            self.pos += 1
            kind, negative = simple[c]
            self.emit("OPEN", start, self.pos, GroupOpen(kind, negative))
            self.push(branch_reset=kind == "branchreset")
            return
        if c == "*" or (c == "<" and self.peek(1) == "*"):  # (?* (?<* : non-atomic assertions (10.34+)
            self.pos += 1 if c == "*" else 2
            self.emit("OPEN", start, self.pos, GroupOpen("lookahead" if c == "*" else "lookbehind"))
            self.push()
            return
        if c == "<" and self.peek(1) in ("=", "!"):
            negative = self.peek(1) == "!"
            self.pos += 2
            self.emit("OPEN", start, self.pos, GroupOpen("lookbehind", negative))
            self.push()
            return
        if c == "<" or c == "'" or (c == "P" and self.peek(1) == "<"):
            self.pos += 2 if c == "P" else 1
            name = self.read_name(">" if c != "'" else "'")
            self.captures += 1
            self.emit("OPEN", start, self.pos, GroupOpen("capture", number=self.captures, name=name))
            self.push()
            return
        if c == "P" and self.peek(1) in ("=", ">"):
            kind = "BACKREF" if self.peek(1) == "=" else "CALL"
            self.pos += 2
            name = self.read_name(")")
            self.emit(kind, start, self.pos, Reference(name=name))
            return
        if c == "P":
            self.error("unrecognized character after (?P", self.pos + 1)
        if c == "&":
            self.pos += 1
            name = self.read_name(")")
            self.emit("CALL", start, self.pos, Reference(name=name))
            return
        if c == "R":
            if self.peek(1) != ")":
                self.error("(?R (recursive pattern call) must be followed by a closing parenthesis", self.pos + 1)
            self.pos += 2
            self.emit("CALL", start, self.pos, Reference(0))
            return
        if c and (c.isdigit() or c in "+-") and (m := _SIGNED.match(p, self.pos)):
            self.pos = m.end()
            if self.peek() != ")":
                self.error("missing closing parenthesis", self.pos)
            self.pos += 1
            self.emit("CALL", start, self.pos, self.numbered(m.group(), m.start()))
            return
        if c == "(":
            return self.condition(start)
        if c == "C":
            return self.callout(start)
        self.option_setting(start)

    def option_setting(self, start: int) -> None:
        p = self.p
        flags = self.flags
        negate = False
        if self.peek() == "^":
            flags &= ~(CASELESS | MULTILINE | NO_AUTO_CAPTURE | DOTALL | EXTENDED | EXTENDED_MORE)
            self.pos += 1
        while True:
            if self.pos >= self.n:
                self.error("missing closing parenthesis", self.n)
            c = p[self.pos]
            if c == "-" and not negate:
                if p[start + 2] == "^":  # (?^ resets; a hyphen cannot follow
                    self.error("invalid hyphen in option setting", self.pos)
                negate = True
            elif c == "x" and self.peek(1) == "x":
                bits = EXTENDED | EXTENDED_MORE
                flags = flags & ~bits if negate else flags | bits
                self.pos += 1
            elif c in _OPTION_LETTERS:
                bit = _OPTION_LETTERS[c]
                if c == "x":  # (?x) and (?-x) both end (?xx)
                    flags &= ~EXTENDED_MORE
                flags = flags & ~bit if negate else flags | bit
            elif c == ")":
                self.pos += 1
                self.flags = flags  # to the end of the enclosing group
                self.emit("SETFLAGS", start, self.pos, flags)
                return
            elif c == ":":
                self.pos += 1
                self.emit("OPEN", start, self.pos, GroupOpen("noncapture"))
                self.push()
                self.flags = flags
                return
            else:
                self.error("unrecognized character after (? or (?-", self.pos)
            self.pos += 1

    def callout(self, start: int) -> None:
        p = self.p
        self.pos += 1
        if (m := re.compile(r"\d*\)").match(p, self.pos)):
            self.pos = m.end()
            self.emit("VERB", start, self.pos, "callout")  # cannot be repeated
            return
        delimiter = self.peek()
        closer = {"{": "}", "`": "`", "'": "'", '"': '"', "^": "^", "%": "%", "#": "#", "$": "$"}.get(delimiter)
        if closer is None:
            self.error("missing closing parenthesis", self.pos)
        i = self.pos + 1
        while True:
            close = p.find(closer, i)
            if close < 0:
                self.error("missing terminating delimiter for callout with string argument", self.n)
            if p.startswith(closer, close + 1):  # a doubled delimiter stands for itself
                i = close + 2
                continue
            break
        if not p.startswith(")", close + 1):
            self.error("missing closing parenthesis after (?C", close + 1)
        self.pos = close + 2
        self.emit("VERB", start, self.pos, "callout")

    def condition(self, start: int) -> None:
        """`(?(` … : a condition on a group, recursion, DEFINE, a version, or an assertion."""
        p = self.p
        self.pos += 1  # at the character after "(?("
        c = self.peek()
        if c == "?" or c == "*":
            # (?(?=…)…) : the assertion is a group of its own, lexed next
            self.emit("COND_ASSERT", start, start + 2, None)
            self.push()
            self.pos = start + 2
            if not (p.startswith(("?=", "?!", "?<=", "?<!"), self.pos + 1)
                    or re.match(r"\(\*(?:pla|nla|plb|nlb|positive_lookahead|negative_lookahead"
                                r"|positive_lookbehind|negative_lookbehind|napla|naplb"
                                r"|non_atomic_positive_look(?:ahead|behind)):", p[self.pos:])):
                self.error("assertion expected after (?( or (?(?C)", self.pos + 1)
            return
        value: object
        close = p.find(")", self.pos)
        if (m := _SIGNED.match(p, self.pos)):
            end = m.end()
            if not p.startswith(")", end):
                self.error("missing closing parenthesis for condition", end)
            value = self.numbered(m.group(), m.start(), zero_error=True)
            value.at = start + 2
            self.pos = end + 1
        elif c in ("<", "'"):
            self.pos += 1
            value = Reference(name=self.read_name(">" if c == "<" else "'"))
            if self.peek() != ")":
                self.error("missing closing parenthesis for condition", self.pos)
            self.pos += 1
        elif c == "R":
            if (m := re.compile(r"R(\d*)\)").match(p, self.pos)):
                value = ("recursion", int(m.group(1)) if m.group(1) else None)
                self.pos = m.end()
            elif p.startswith("R&", self.pos):
                self.pos += 2
                value = ("recursion", Reference(name=self.read_name(")")))
            else:
                value = Reference(name=self.read_name(")"))
        elif p.startswith("DEFINE)", self.pos):
            value = "DEFINE"
            self.pos += 7
        elif p.startswith("VERSION", self.pos):
            m = re.compile(r"VERSION>?=\d+(?:\.\d+)?\)").match(p, self.pos)
            if not m:
                self.error("syntax error or number too big in (?(VERSION condition", self.pos + 7)
            value = "VERSION"
            self.pos = m.end()
        else:
            if close < 0 and _NAME.match(p, self.pos) is None:
                self.error("missing closing parenthesis for condition", self.n)
            value = Reference(name=self.read_name(")"))
        self.emit("COND", start, self.pos, value)
        self.push()

    def star_paren(self) -> None:
        """`(*`: a backtracking verb, or a group spelled with a word such as (*atomic: or (*pla:."""
        p, start = self.p, self.pos
        m = re.compile(r"\(\*([A-Za-z_]*)(:?)").match(p, start)
        word, colon = m.group(1), m.group(2)
        if colon and word in _ALPHA_GROUPS:
            self.pos = m.end()
            kind = _ALPHA_GROUPS[word]
            open_info = {"(?=": GroupOpen("lookahead"), "(?!": GroupOpen("lookahead", True),
                         "(?<=": GroupOpen("lookbehind"), "(?<!": GroupOpen("lookbehind", True),
                         "(?>": GroupOpen("atomic"), "(?:": GroupOpen("noncapture")}[kind]
            self.emit("OPEN", start, self.pos, open_info)
            self.push()
            return
        if word in _VERBS:
            if colon:
                close = p.find(")", m.end())
                if close < 0 or word not in _VERBS_WITH_NAME:
                    self.error("(*VERB) not recognized or malformed", self.n if close < 0 else m.end())
                if word in ("MARK", "") and close == m.end():
                    self.error("(*MARK) must have an argument", close)
                self.pos = close + 1
            elif p.startswith(")", m.end()) and word not in ("", "MARK"):
                self.pos = m.end() + 1
            else:
                self.error("(*VERB) not recognized or malformed", m.end())
            self.emit("ACCEPT" if word == "ACCEPT" else "VERB", start, self.pos, word)
            return
        self.error("(*VERB) not recognized or malformed", m.end())


def tokenize(pattern: str, caseless: bool = False) -> tuple[list[Tok], int]:
    """The tokens of a pattern and its number of capture groups. Raises RegexError."""
    lexer = Lexer(pattern, caseless)
    try:
        tokens = lexer.run()
    except RegexError as error:
        error.tokens = lexer.tokens  # read so far: a structural error before this one is reported first
        raise
    return _merge_literals(tokens), lexer.captures


def _merge_literals(tokens: list[Tok]) -> list[Tok]:
    """Runs of literal characters become one LITERAL token (its value the CHAR tokens), except a last character
    that a quantifier repeats: fewer tokens for the LALR parser, whose cost is per token."""
    merged: list[Tok] = []
    run: list[Tok] = []

    def flush(keep_last: bool) -> None:
        tail = [run.pop()] if keep_last and run else []
        if len(run) > 1:
            merged.append(Tok("LITERAL", run[0].start, run[-1].end, list(run)))
        else:
            merged.extend(run)
        merged.extend(tail)
        run.clear()

    for tok in tokens:
        if tok.kind == "CHAR":
            run.append(tok)
            continue
        if run:
            flush(keep_last=tok.kind == "QUANT")
        merged.append(tok)
    flush(keep_last=False)
    return merged
