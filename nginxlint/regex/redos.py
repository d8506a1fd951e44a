"""A heuristic for catastrophic backtracking (ReDoS): repetition inside unbounded repetition where one piece of
text can be split between the iterations in many ways.

Two shapes are reported, both under an unbounded, non-possessive quantifier (and not inside an atomic group):
- nested: an inner unbounded quantifier whose characters can also be the next thing after it, within one
  iteration or at the start of the next one: `(a+)+`, `(\\w+\\s?)*`, `(.*/)+`. Not `(/[^/]+)*`: the next
  iteration starts with `/`, which `[^/]` cannot take.
- overlapping alternatives: two branches that can start and end with the same character: `(a|a)*`,
  `(\\w|\\d)+`. Not `(a|ab)*`.

PCRE2's match limit (10,000,000 by default) eventually stops such a match with an error, after seconds of CPU
per request; nginx then logs it and the location does not match.

Each one also says which bytes the subject must hold for the splitting to be tried at all (`needs`). A repetition
that ends the pattern (end anchors aside) and whose every iteration ends with a greedy `X*` or `X+` of single
bytes, `(\\?.*)*$`, is tried only after a match failed: once an iteration has begun, `X*` takes the rest of a
subject made of bytes X takes, the pattern ends there, and the match is found at once. Only a byte X does not take
(LF for `.`) makes it fail and split; a subject that cannot hold one (the raw $request_uri) never does.
"""
from __future__ import annotations

from . import charsets as cs
from .analysis import Facts
from .tree import Alternation, Assertion, Conditional, Group, Node, Quantified, Sequence

_END_ANCHORS = ("$", "\\z", "\\Z")


class Redos:
    r"""One risky repetition: `start`/`end` the outer repeated item, `inner_start`/`inner_end` what repeats
    inside it; `shape` is "nested" or "alternatives"; `needs` the bytes (a charsets mask) of which the subject
    must hold one for the backtracking to start, all of them unless the repetition is known to end the match.

    >>> from nginxlint.regex import parse_regex
    >>> pattern = r"^/(\w+\s?)*$"
    >>> (found,) = parse_regex(pattern).redos
    >>> found.shape, pattern[found.start:found.end], pattern[found.inner_start:found.inner_end]
    ('nested', '(\\w+\\s?)*', '\\w+')
    >>> from nginxlint.regex import charsets as cs
    >>> (found,) = parse_regex(r"^(?P<path>.*?)(\?.*)*$").redos
    >>> cs.members(found.needs)
    [10]
    """

    __slots__ = ("start", "end", "inner_start", "inner_end", "shape", "needs")

    def __init__(self, start, end, inner_start, inner_end, shape, needs=cs.ALL):
        self.start, self.end, self.inner_start, self.inner_end, self.shape = start, end, inner_start, inner_end, shape
        self.needs = needs

    def __repr__(self) -> str:
        return f"Redos({self.shape}, {self.start}:{self.end}, inner {self.inner_start}:{self.inner_end})"


def find(root: Node, facts: dict[int, Facts]) -> list[Redos]:
    """facts: id(node) -> Facts for every node (see collect_facts)."""
    found: list[Redos] = []
    last = _last_items(root)

    def search(node: Node, atomic: bool) -> None:
        if isinstance(node, Group) and node.kind in ("atomic", "lookahead", "lookbehind"):
            atomic = True
        if isinstance(node, Quantified) and node.max is None and node.mode != "possessive" and not atomic:
            outer = facts[id(node.body)]
            hits = _nested(node.body, outer.first, facts)
            needs = _failing_bytes(node.body, facts) if id(node) in last else cs.ALL
            if hits:
                inner = hits[0]
                found.append(Redos(node.start, node.end, inner.start, inner.end, "nested", needs))
            else:
                pair = _overlapping_branches(node.body, facts)
                if pair:
                    found.append(Redos(node.start, node.end, pair[0].start, pair[1].end, "alternatives", needs))
            if hits or found and found[-1].start == node.start:
                return  # one report per outer repetition
        for child in node.children():
            search(child, atomic)

    search(root, False)
    return found


def _last_items(root: Node) -> set[int]:
    """ids of the nodes a top-level branch ends with, end anchors aside, looking into a group that ends one: the
    end of such a node's match is the end of the pattern's."""
    found: set[int] = set()

    def visit(node: Node) -> None:
        if isinstance(node, Alternation):
            for branch in node.branches:
                visit(branch)
        elif isinstance(node, Sequence):
            items = list(node.items)
            while items and isinstance(items[-1], Assertion) and items[-1].what in _END_ANCHORS:
                items.pop()
            if items:
                found.add(id(items[-1]))
                if isinstance(items[-1], Group) and items[-1].kind in ("capture", "noncapture"):
                    visit(items[-1].body)

    visit(root)
    return found


def _failing_bytes(body: Node, facts) -> int:
    """The bytes without which an iteration of `body`, once begun, takes the rest of the subject: every branch of
    the body ends with a greedy unbounded repetition of single bytes; the bytes it does not take. All bytes
    when a branch ends otherwise."""
    while isinstance(body, Group) and body.kind in ("capture", "noncapture"):
        body = body.body
    branches = body.branches if isinstance(body, Alternation) else [body]
    needs = cs.NONE
    for branch in branches:
        items = branch.items if isinstance(branch, Sequence) else [branch]
        tail = items[-1] if items else None
        if not (isinstance(tail, Quantified) and tail.max is None and tail.mode != "lazy"):
            return cs.ALL
        single = facts[id(tail.body)]
        if not (single.min == single.max == 1):
            return cs.ALL
        needs |= cs.ALL & ~single.mask
    return needs


def _nested(body: Node, wrap_first: int, facts) -> list[Quantified]:
    """Unbounded quantifiers inside `body` whose characters overlap what may follow them (the rest of the
    iteration, or the next iteration's first character)."""
    hits: list[Quantified] = []

    def follow(node: Node, after: int) -> None:
        if isinstance(node, Group):
            if node.kind in ("atomic", "lookahead", "lookbehind"):
                return
            follow(node.body, after)
        elif isinstance(node, Alternation):
            for branch in node.branches:
                follow(branch, after)
        elif isinstance(node, Conditional):
            follow(node.body, after)
        elif isinstance(node, Sequence):
            items = node.items
            for index, item in enumerate(items):
                nxt = 0
                rest_nullable = True
                for later in items[index + 1:]:
                    f = facts[id(later)]
                    nxt |= f.first
                    if not f.nullable:
                        rest_nullable = False
                        break
                follow(item, nxt | (after if rest_nullable else 0))
        elif isinstance(node, Quantified):
            body = facts[id(node.body)]
            if node.max is None and node.mode != "possessive" and body.mask & after:
                hits.append(node)
            follow(node.body, after | (body.first if node.max is None or node.max > 1 else 0))

    follow(body, wrap_first)
    return hits


def _overlapping_branches(body: Node, facts):
    while isinstance(body, Group) and body.kind in ("capture", "noncapture"):
        body = body.body
    if not isinstance(body, Alternation) or len(body.branches) < 2:
        return None
    branches = body.branches
    for i, a in enumerate(branches):
        fa = facts[id(a)]
        for b in branches[i + 1:]:
            fb = facts[id(b)]
            if fa.first & fb.first and fa.last & fb.last and not fa.nullable and not fb.nullable:
                return a, b
    return None
