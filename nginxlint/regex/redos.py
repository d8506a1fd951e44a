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
"""
from __future__ import annotations

from .analysis import Facts
from .tree import Alternation, Conditional, Group, Node, Quantified, Sequence


class Redos:
    r"""One risky repetition: `start`/`end` the outer repeated item, `inner_start`/`inner_end` what repeats
    inside it; `shape` is "nested" or "alternatives".

    >>> from nginxlint.regex import parse_regex
    >>> pattern = r"^/(\w+\s?)*$"
    >>> (found,) = parse_regex(pattern).redos
    >>> found.shape, pattern[found.start:found.end], pattern[found.inner_start:found.inner_end]
    ('nested', '(\\w+\\s?)*', '\\w+')
    """

    __slots__ = ("start", "end", "inner_start", "inner_end", "shape")

    def __init__(self, start, end, inner_start, inner_end, shape):
        self.start, self.end, self.inner_start, self.inner_end, self.shape = start, end, inner_start, inner_end, shape

    def __repr__(self) -> str:
        return f"Redos({self.shape}, {self.start}:{self.end}, inner {self.inner_start}:{self.inner_end})"


def find(root: Node, facts: dict[int, Facts]) -> list[Redos]:
    """facts: id(node) -> Facts for every node (see collect_facts)."""
    found: list[Redos] = []

    def search(node: Node, atomic: bool) -> None:
        if isinstance(node, Group) and node.kind in ("atomic", "lookahead", "lookbehind"):
            atomic = True
        if isinstance(node, Quantified) and node.max is None and node.mode != "possessive" and not atomic:
            outer = facts[id(node.body)]
            hits = _nested(node.body, outer.first, facts)
            if hits:
                inner = hits[0]
                found.append(Redos(node.start, node.end, inner.start, inner.end, "nested"))
            else:
                pair = _overlapping_branches(node.body, facts)
                if pair:
                    found.append(Redos(node.start, node.end, pair[0].start, pair[1].end, "alternatives"))
            if hits or found and found[-1].start == node.start:
                return  # one report per outer repetition
        for child in node.children():
            search(child, atomic)

    search(root, False)
    return found


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
