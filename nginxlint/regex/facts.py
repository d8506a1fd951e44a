"""What the regex rules need to know about one pattern, small and picklable, so that a warm run reads it from the
disk cache and never imports the grammar (lark).

`pattern_facts(tree, pattern, caseless)` returns a PatternFacts: once per run (the loader's memo), from the
loader's disk cache when this pattern was analysed before, and from `parse_regex` otherwise. With `--no-cache`
the loader's cache is None and the pattern is parsed.

    >>> facts = compute_facts("0^/api/(?<rest>.*)$")
    >>> facts.error, facts.anchored_start, facts.end_anchor, facts.capture("rest").number
    (None, True, '$', 1)
    >>> compute_facts("0(a").error
    ('missing closing parenthesis', 2)
"""
from __future__ import annotations

from typing import NamedTuple

from . import charsets as cs
from .errors import RegexError

# the format of what is stored: change it when a field changes
# 7: redos tuples end with the bytes they need; captures say where the client can write a header line; the mask of
# a whole match; 8: no adjacent pair where the second repetition ends an anchored pattern; 9: or a group ending it;
# 10: or all after it may match nothing; 11: the adjacent pair says the bytes both take
FACTS_KIND = "regex-facts-11"


class CaptureFacts(NamedTuple):
    number: int
    name: str | None
    start: int  # offsets in the pattern, parentheses included
    end: int
    mask: int  # the bytes the captured text can hold (nginxlint.regex.charsets)
    dotdot: bool
    min_length: int
    max_length: int | None
    last: int = 0  # the bytes it can end with
    text: bool = False  # it can hold a run of text the client chooses: a header line, a name and a colon
    before_text: int = 0  # the bytes such a run can follow inside it

    def can_contain(self, char: str | int) -> bool:
        return cs.has(self.mask, char)

    @property
    def slash(self) -> bool:
        return cs.has(self.mask, "/")

    @property
    def newline(self) -> bool:
        return cs.has(self.mask, "\r") or cs.has(self.mask, "\n")

    def inside(self, other: "CaptureFacts") -> bool:
        """This group is nested in `other`."""
        return other.start < self.start and self.end <= other.end


class PatternFacts(NamedTuple):
    error: tuple[str, int] | None  # (PCRE2's message, offset) when nginx refuses the pattern
    captures: tuple[CaptureFacts, ...] = ()
    names: tuple[tuple[str, int], ...] = ()
    anchored_start: bool = False
    end_anchor: str | None = None
    # (start, end, inner_start, inner_end, shape, needs: the bytes of which the subject must hold one)
    redos: tuple[tuple[int, int, int, int, str, int], ...] = ()
    unanchored: tuple[int, int] | None = None  # a top-level alternative anchored at neither end
    literal: str | None = None  # ^TEXT$ with nothing but literal characters: TEXT
    # two unbounded repetitions side by side that take the same bytes: (start, end, the bytes both take)
    adjacent: tuple[int, int, int] | None = None
    mask: int = cs.ALL  # the bytes a match can hold

    def capture(self, key: int | str) -> CaptureFacts | None:
        """By number ($1 is 1, "1" too) or by name."""
        if isinstance(key, str) and key.isdigit():
            key = int(key)
        if isinstance(key, str):
            key = dict(self.names).get(key)
        return next((c for c in self.captures if c.number == key), None)

    @property
    def groups(self) -> int:
        return max((c.number for c in self.captures), default=0)

    def regex_error(self) -> RegexError | None:
        return RegexError(*self.error) if self.error else None


def pattern_facts(tree, pattern: str, caseless: bool = False) -> PatternFacts:
    """The facts of a pattern for one config tree's run (nginxlint.config_tree.ConfigTree)."""
    loader = tree.loader
    key = ("1" if caseless else "0") + pattern
    memo = loader.memo("regex-facts")
    hit = memo.get(key)
    if hit is None:
        cache = getattr(loader, "cache", None)
        hit = cache.get(FACTS_KIND, key, compute_facts) if cache is not None else compute_facts(key)
        if not isinstance(hit, PatternFacts):  # a stale or foreign file: recompute
            hit = compute_facts(key)
        memo[key] = hit
    return hit


def compute_facts(key: str) -> PatternFacts:
    """`key` is "0" or "1" (caseless) followed by the pattern."""
    from . import parse_regex  # the grammar (lark) is loaded only here, when no cached facts exist

    pattern, caseless = key[1:], key[:1] == "1"
    try:
        rx = parse_regex(pattern, caseless)
    except RegexError as error:
        return PatternFacts((error.message, error.offset))
    except RecursionError:  # deeper than the walks allow: say nothing about it
        return PatternFacts(None)
    captures = tuple(CaptureFacts(c.number, c.name, c.start, c.end, c.mask, c.dotdot, c.min_length, c.max_length,
                                  c.last, c.text, c.before_text) for c in rx.captures)
    return PatternFacts(
        None, captures, tuple(sorted(rx.names.items())), rx.anchored_start, rx.end_anchor,
        tuple((r.start, r.end, r.inner_start, r.inner_end, r.shape, r.needs) for r in rx.redos),
        _unanchored(rx.tree), _literal(rx.tree, caseless), _adjacent(rx.tree), rx.mask)


def _unanchored(root) -> tuple[int, int] | None:
    """The first alternative, at the top or inside a group that is all a branch holds, that is anchored at
    neither the start nor the end."""
    from .analysis import anchored_start, end_anchor
    from .tree import Alternation, Group, Sequence, Simple

    def starts_anchored(branch):
        if anchored_start(branch):
            return True
        for item in branch.items:  # a lookahead at the start may carry the anchor: (?=^/foo)/foo/bar
            if isinstance(item, Simple) and item.kind in ("setflags", "verb"):
                continue
            if isinstance(item, Group) and item.kind == "lookahead" and not item.negative:
                if anchored_start(item.body):
                    return True
                continue
            return False
        return False

    def ends_at_segment(branch):
        """`\\.php(?:$|/)`: the text ends at the end or right before a `/`, as PATH_INFO patterns are written."""
        from .tree import Char

        last = branch.items[-1] if branch.items else None
        if not (isinstance(last, Group) and last.kind in ("capture", "noncapture")):
            return False
        for inner in last.body.branches:
            if end_anchor(inner) is not None:
                continue
            items = getattr(inner, "items", [])
            if not (items and isinstance(items[-1], Char) and items[-1].code == ord("/")):
                return False
        return True

    def alone(branch):
        items = [i for i in branch.items if not (isinstance(i, Simple) and i.kind in ("setflags", "verb"))]
        if len(items) == 1 and isinstance(items[0], Group) and items[0].kind in ("capture", "noncapture"):
            return items[0].body
        return None

    def search(alternation: Alternation):
        for branch in alternation.branches:
            if not isinstance(branch, Sequence):
                continue
            inner = alone(branch)
            if inner is not None:
                found = search(inner)
                if found:
                    return found
                continue
            if not starts_anchored(branch) and end_anchor(branch) is None and not ends_at_segment(branch):
                return branch.start, branch.end
        return None

    return search(root) if isinstance(root, Alternation) else None


def _literal(root, caseless: bool) -> str | None:
    from .tree import Alternation, Assertion, Char

    if caseless or not isinstance(root, Alternation) or len(root.branches) != 1:
        return None
    items = getattr(root.branches[0], "items", None)
    if not items or len(items) < 3:
        return None
    first, last, middle = items[0], items[-1], items[1:-1]
    if not (isinstance(first, Assertion) and first.what in ("^", "\\A") and not first.multiline):
        return None
    if not (isinstance(last, Assertion) and last.what in ("$", "\\z", "\\Z") and not last.multiline):
        return None
    if not all(isinstance(item, Char) and cs.size(item.mask) == 1 for item in middle):
        return None
    return "".join(chr(item.code) for item in middle)


def _matches_nothing(node) -> bool:
    """Whether the item may always match the empty string, so that nothing after a match can make it fail:
    `x*`, `(a|)`, `(?:\\d*)`; not an anchor or a lookaround, which may fail."""
    from .tree import Alternation, Group, Quantified, Sequence

    if isinstance(node, Quantified):
        return node.min == 0
    if isinstance(node, Group):
        return node.kind in ("capture", "noncapture") and _matches_nothing(node.body)
    if isinstance(node, Alternation):
        return any(_matches_nothing(branch) for branch in node.branches)
    if isinstance(node, Sequence):
        return all(_matches_nothing(item) for item in node.items)
    return False


def _adjacent(root) -> tuple[int, int, int] | None:
    """Two greedy or lazy unbounded repetitions next to each other whose bytes overlap (`.*.*`, `\\w+\\d*`):
    a subject that fails late is split between them in n ways at each of n positions, n² steps. Not where the second
    ends an anchored pattern, or a group that ends it (`^/x/.*[\\\\]+`, `^/p/(\\w{5,}.*)`): the match succeeds as
    soon as it takes what it needs, and a subject without it fails after one pass of the first, from the one start
    the anchor allows. Nor where all that follows the second in a top-level branch may match nothing
    (`(?<IP>[^,]*),*.*`): once the pair is reached the match succeeds, whatever the split."""
    from .tree import Alternation, Assertion, Char, Group, Quantified, Sequence, Set

    branches = root.branches if isinstance(root, Alternation) else [root] if isinstance(root, Sequence) else []
    last: set[int] = set()
    for branch in branches:
        for index, item in enumerate(branch.items):
            if all(_matches_nothing(after) for after in branch.items[index + 1:]):
                last.add(id(item))
        if len(branch.items) > 1 and isinstance(branch.items[0], Assertion) and \
                branch.items[0].what in ("^", "\\A") and not branch.items[0].multiline:
            tail = branch.items[-1]
            last.add(id(tail))
            # `^/project/(\w{5,}.*)`: a group that ends the pattern ends it with its own last item
            while isinstance(tail, Group) and tail.kind in ("capture", "noncapture"):
                body = tail.body.branches if isinstance(tail.body, Alternation) else [tail.body]
                if len(body) != 1 or not isinstance(body[0], Sequence) or not body[0].items:
                    break
                tail = body[0].items[-1]
                last.add(id(tail))

    def single(node):
        if isinstance(node, Quantified) and node.max is None and node.mode != "possessive" and \
                isinstance(node.body, (Set, Char)):
            return node.body.mask
        return None

    for node in root.walk():
        if isinstance(node, Sequence):
            items = node.items
            for left, right in zip(items, items[1:]):
                a, b = single(left), single(right)
                if a is not None and b is not None and a & b and id(right) not in last:
                    return left.start, right.end, a & b
    return None
