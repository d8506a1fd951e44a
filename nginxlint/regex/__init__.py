"""nginx's regular expressions read as PCRE2 reads them, and what they let through.

    >>> from nginxlint.regex import parse_regex
    >>> rx = parse_regex(r"^/files/(?<path>.+)$")
    >>> rx.anchored_start, rx.end_anchor
    (True, '$')
    >>> cap = rx.capture("path")
    >>> cap.number, cap.can_contain("/"), cap.dotdot, cap.can_contain("\\n"), cap.can_contain("\\r"), cap.bounded
    (1, True, True, False, True, False)

`parse_regex` raises `RegexError` (PCRE2's wording and offset) for a pattern nginx would refuse. Results are
memoised per pattern in the process. nginx compiles without UTF, so everything works on bytes 0-255: a non-ASCII
character of the config is its UTF-8 bytes (`é` is two literal bytes), while every offset this package returns is
a position in the `str` pattern. `~*` (caseless) is the `caseless` argument. Where nginx keeps regexes in a config, and how a pattern offset maps back
to the file: nginxlint.regex.sites.
"""
from __future__ import annotations

from . import charsets as cs
from .errors import RegexError

__all__ = ["parse_regex", "Regex", "Capture", "RegexError"]

_MEMO: dict[tuple[str, bool], object] = {}
_MEMO_LIMIT = 20000
_OPEN_EXCLUDES = 16
_RECURSION_NEEDED = 220 * 12 + 1000  # 220 nested groups (PCRE2's limit), a dozen frames per level, and room


class Capture:
    """One capture group: `number`, `name` (or None), `start`/`end` its offsets in the pattern (parentheses
    included), and what its text may contain.

    >>> cap = parse_regex(r"/user/([^/]+)").captures[0]
    >>> cap.can_contain("/"), cap.can_contain("."), cap.unrestricted, cap.min_length, cap.max_length
    (False, True, True, 1, None)
    >>> [(cap.text, cs.has(cap.before_text, "\\r")) for cap in parse_regex(r"^/(3.6)/(3.(.*))$").captures]
    [(False, False), (True, True), (True, True)]
    """

    __slots__ = ("number", "name", "start", "end", "mask", "min_length", "max_length", "dotdot", "last", "text",
                 "before_text")

    def __init__(self, number, name, start, end, facts):
        self.number, self.name, self.start, self.end = number, name, start, end
        self.mask = facts.mask
        self.min_length, self.max_length, self.dotdot = facts.min, facts.max, facts.dotdot
        # the bytes it can end with; whether it can hold a run of text the client chooses (a header line: a name
        # and a colon), and the bytes such a run can follow inside it (nginxlint.regex.analysis.Facts)
        self.last, self.text, self.before_text = facts.last, facts.text, facts.before_text

    def can_contain(self, char: str | int) -> bool:
        """Whether the captured text may contain this character (a one-character string or a byte value)."""
        return cs.has(self.mask, char)

    @property
    def newline(self) -> bool:
        """May hold CR or LF (header or log injection when it goes into a header or a redirect)."""
        return cs.has(self.mask, "\r") or cs.has(self.mask, "\n")

    @property
    def slash(self) -> bool:
        return cs.has(self.mask, "/")

    @property
    def dot(self) -> bool:
        return cs.has(self.mask, ".")

    @property
    def unrestricted(self) -> bool:
        """Matches almost any byte: all but at most 16 (`.`, `[^/]`, `\\S`), as opposed to an allow-list such
        as `[a-z0-9_-]`."""
        return cs.size(self.mask) >= 256 - _OPEN_EXCLUDES

    @property
    def bounded(self) -> bool:
        """Has a maximum length."""
        return self.max_length is not None

    def __repr__(self) -> str:
        label = f"{self.number}" + (f" <{self.name}>" if self.name else "")
        return f"<Capture {label} {self.start}:{self.end}>"


class Regex:
    """A parsed pattern. Attributes:

    - `pattern`, `caseless`; `tree` (nginxlint.regex.tree nodes, each with `.start`/`.end` offsets)
    - `captures`: list of Capture in number order; `names`: name -> group number (the first, with (?J))
    - `anchored_start`: every match begins at the start of the subject (^, \\A or \\G in every branch)
    - `end_anchor`: "\\z", "$", "\\Z" or None; `anchored_end` is its truth. "$" and "\\Z" also match before a
      final newline, so `end_allows_newline` says whether "x.php\\n" can still match `\\.php$`.
    - `redos`: risky repetitions (nginxlint.regex.redos.Redos), empty for a safe pattern

    >>> rx = parse_regex(r"\\.php$", caseless=True)
    >>> rx.anchored_start, rx.anchored_end, rx.end_allows_newline, rx.can_match("P")
    (False, True, True, True)
    >>> [r.shape for r in parse_regex(r"^(\\w+\\s?)*$").redos]
    ['nested']
    """

    __slots__ = ("pattern", "caseless", "tree", "captures", "names", "anchored_start", "end_anchor", "mask",
                 "redos", "_by_number")

    @property
    def anchored_end(self) -> bool:
        return self.end_anchor is not None

    @property
    def end_allows_newline(self) -> bool:
        return self.end_anchor in ("$", "\\Z")

    def can_match(self, char: str | int) -> bool:
        """Whether the text the whole pattern matches may contain this character. (Outside an anchored match,
        the subject may of course hold anything.)"""
        return cs.has(self.mask, char)

    def capture(self, key: int | str) -> Capture | None:
        """The capture group by number (`$1` is 1, "1" works too) or name, or None."""
        if isinstance(key, str) and key.isdigit():
            key = int(key)
        if isinstance(key, str):
            number = self.names.get(key)
            if number is None:
                return None
            key = number
        return self._by_number.get(key)

    def __repr__(self) -> str:
        return f"<Regex {self.pattern!r}{' caseless' if self.caseless else ''}>"


def parse_regex(pattern: str, caseless: bool = False) -> Regex:
    """Parse a pattern as nginx's PCRE2 does (no UTF; `caseless` for `~*`). Raises RegexError.

    >>> parse_regex(r"^/(?P<lang>en|de)/(.*)").names
    {'lang': 1}
    """
    key = (pattern, caseless)
    found = _MEMO.get(key)
    if found is None:
        import sys

        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, _RECURSION_NEEDED))  # the tree walks recurse per nesting level
        try:
            found = _parse(pattern, caseless)
        except RegexError as error:
            found = error
        finally:
            sys.setrecursionlimit(limit)
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        _MEMO[key] = found
    if isinstance(found, RegexError):
        raise RegexError(found.message, found.offset)
    return found


def check_regex(pattern: str, caseless: bool = False) -> RegexError | None:
    """The error PCRE2 reports for this pattern, or None when it compiles.

    >>> check_regex("[z-a]").message
    'range out of order in character class'
    """
    try:
        parse_regex(pattern, caseless)
    except RegexError as error:
        return error
    return None


def _parse(pattern: str, caseless: bool) -> Regex:
    """Parse the pattern's bytes (as nginx hands them to PCRE2), then report offsets in characters."""
    if pattern.isascii():
        return _parse_units(pattern, pattern, caseless, None)
    data = pattern.encode("utf-8", "surrogateescape")
    back = [0] * (len(data) + 1)  # byte offset -> character offset
    position = 0
    for index, char in enumerate(pattern):
        size = len(char.encode("utf-8", "surrogateescape"))
        for k in range(size):
            back[position + k] = index
        position += size
    back[position] = len(pattern)
    try:
        return _parse_units(data.decode("latin-1"), pattern, caseless, back)
    except RegexError as error:
        raise RegexError(error.message, back[min(error.offset, len(data))]) from None


def _parse_units(units: str, pattern: str, caseless: bool, back: list[int] | None) -> Regex:
    """`units` holds one character per byte of the pattern; `back` maps its offsets to `pattern`'s."""
    from . import analysis, checks, redos
    from .grammar import parse_tokens
    from .lexer import tokenize
    from .tree import Group, build, remap

    try:
        tokens, total = tokenize(units, caseless)
    except RegexError as error:
        try:
            _earlier_structural_error(error, units)
        finally:
            error.tokens = None  # memoised errors keep no token list
        raise
    root = build(parse_tokens(tokens, units), tokens)
    open_flags = {tok.start: tok.flags for tok in tokens if tok.kind == "OPEN"}
    names, groups = checks.check(root, total, open_flags)
    whole, group_facts, table = analysis.compute(root, None)
    if any(tok.kind in ("BACKREF", "CALL") for tok in tokens):  # references take their group's facts
        whole, group_facts, table = analysis.compute(root, group_facts)
    regex = Regex()
    regex.pattern, regex.caseless, regex.tree = pattern, caseless, root
    captures = []
    for number in range(1, total + 1):
        group: Group | None = groups.get(number)
        if group is None:
            continue
        facts = group_facts.get(number, analysis.EMPTY)
        name = group.name
        if name is None:  # in a (?| group, a later branch may name the number
            name = next((n for n, numbers in names.items() if number in numbers), None)
        captures.append(Capture(number, name, group.start, group.end, facts))
    regex.captures = captures
    regex._by_number = {cap.number: cap for cap in captures}
    regex.names = {name: numbers[0] for name, numbers in names.items()}
    regex.anchored_start = analysis.anchored_start(root)
    regex.end_anchor = analysis.end_anchor(root)
    regex.mask = whole.mask
    unbounded = any(tok.kind == "QUANT" and tok.value[1] is None for tok in tokens)
    regex.redos = redos.find(root, table) if unbounded else []  # only unbounded repetition can explode
    if back is not None:
        remap(root, back)
        for cap in captures:
            cap.start, cap.end = back[cap.start], back[cap.end]
        for found in regex.redos:
            found.start, found.end = back[found.start], back[found.end]
            found.inner_start, found.inner_end = back[found.inner_start], back[found.inner_end]
    return regex


def _earlier_structural_error(error: RegexError, pattern: str) -> None:
    """PCRE2 reads a pattern once, front to back: a misplaced quantifier or `)` before a lexical error is the one
    it reports. Raises that one, if any."""
    from .grammar import parse_tokens

    tokens = getattr(error, "tokens", None)
    if not tokens:
        return
    try:
        parse_tokens(tokens, pattern)
    except RegexError as earlier:
        if earlier.message != "missing closing parenthesis" and earlier.offset < error.offset:
            raise RegexError(earlier.message, earlier.offset) from None
