"""What the text a pattern (or one of its groups) matches can contain, computed over the syntax tree.

Every fact is an over-approximation ("can"): lookarounds and conditions never shrink it, so `can_contain` false
is a proof and true a possibility. Each node gets a `Facts`: the bytes it may consume, the bytes its match may
start and end with, whether it may match the empty string, its length bounds, and whether two dots can meet in
it (a `..` path segment), and where its text can carry a run of characters the client chooses freely (after a CR
or LF, a header line: a name and a colon). Back references and subroutine calls take the facts of their group from
a first pass; recursion and calls into groups still being computed count as "anything".
"""
from __future__ import annotations

from . import charsets as cs
from .tree import (Alternation, Assertion, Char, Conditional, Group, Multi, Node, Quantified, Ref, Sequence, Set,
                   Simple)

DOT = cs.of(".")
# a header line the client writes needs a colon and a name: RFC 9110's token characters
COLON = cs.of(":")
TOKEN = cs.ALPHA | cs.DIGIT | cs.of(*"!#$%&'*+-.^_`|~")
_RUN = 3  # the shortest header line: a name, a colon, a value ("a:b")


class Facts:
    """`one`: the bytes the node matches as a one-character text; `text`: its match can hold a free run (a
    repetition of single characters, taking `_RUN` or more, that include a colon and a token character);
    `before_text`: the bytes of its match that such a run can follow, inside the match."""

    __slots__ = ("mask", "first", "last", "nullable", "min", "max", "dotdot", "one", "text", "before_text")

    def __init__(self, mask, first, last, nullable, low, high, dotdot, one=0, text=False, before_text=0):
        self.mask, self.first, self.last, self.nullable = mask, first, last, nullable
        self.min, self.max, self.dotdot = low, high, dotdot
        self.one, self.text, self.before_text = one, text, before_text


EMPTY = Facts(0, 0, 0, True, 0, 0, False)
ANYTHING = Facts(cs.ALL, cs.ALL, cs.ALL, True, 0, None, True, cs.ALL, True, cs.ALL)


def _single(mask: int) -> Facts:
    return Facts(mask, mask, mask, False, 1, 1, False, mask)


def compute(root: Node, groups_before: dict[int, Facts] | None):
    """(facts of the whole pattern, of each capture group by number (a (?| number unites its groups), of each
    node by id). `groups_before` are the group facts of a previous pass, for references."""
    groups: dict[int, Facts] = {}
    table: dict[int, Facts] = {}
    known = groups_before or {}

    def visit(node: Node) -> Facts:
        facts = table[id(node)] = facts_of(node)
        return facts

    def facts_of(node: Node) -> Facts:
        if isinstance(node, (Char, Set)):
            return _single(node.mask)
        if isinstance(node, Sequence):
            return sequence([visit(item) for item in node.items])
        if isinstance(node, Alternation):
            return alternation([visit(branch) for branch in node.branches])
        if isinstance(node, Group):
            inner = visit(node.body)
            if node.kind in ("lookahead", "lookbehind"):
                return EMPTY
            if node.kind == "capture":
                groups[node.number] = alternation([groups[node.number], inner]) if node.number in groups else inner
            return inner
        if isinstance(node, Quantified):
            return repeat(visit(node.body), node.min, node.max)
        if isinstance(node, Multi):
            return Facts(node.mask, node.mask, node.mask, False, 1, 2 if node.letter == "R" else None, False,
                         node.mask)
        if isinstance(node, Ref):
            found = [known.get(number) for number in node.numbers]
            if not found or None in found or 0 in node.numbers:
                return ANYTHING
            facts = alternation(found)
            if node.kind == "backref":  # an unset group matches nothing
                facts = Facts(facts.mask, facts.first, facts.last, True, 0, facts.max, facts.dotdot, facts.one,
                              facts.text, facts.before_text)
            return facts
        if isinstance(node, Conditional):
            if isinstance(node.condition, Node):
                visit(node.condition)
            branches = [visit(branch) for branch in node.body.branches]
            if node.condition == "DEFINE":
                return EMPTY
            if len(branches) == 1:
                branches.append(EMPTY)
            return alternation(branches)
        return EMPTY  # assertions, \K, options, verbs

    return visit(root), groups, table


def sequence(parts: list[Facts]) -> Facts:
    mask = first = last = 0
    nullable = True
    low = 0
    high: int | None = 0
    dotdot = False
    pending_last = 0  # bytes that can end the text matched so far, right before the next part
    for part in parts:
        mask |= part.mask
        if nullable:
            first |= part.first
        if pending_last & DOT and part.first & DOT:
            dotdot = True
        dotdot = dotdot or part.dotdot
        pending_last = part.last | (pending_last if part.nullable else 0)
        nullable = nullable and part.nullable
        low += part.min
        high = None if high is None or part.max is None else high + part.max
    for part in reversed(parts):
        last |= part.last
        if not part.nullable:
            break
    text, before_text = _text_after(parts)
    return Facts(mask, first, last, nullable, low, high, dotdot, _one_of_sequence(parts), text, before_text)


def _text_after(parts: list[Facts]) -> tuple[bool, int]:
    """(whether a part carries a free run, the bytes a free run can follow): a part's own, and every byte of a
    part that comes before a part carrying one."""
    text = False
    before_text = 0
    for part in reversed(parts):
        before_text |= part.before_text | (part.mask if text else 0)
        text = text or part.text
    return text, before_text


def _one_of_sequence(parts: list[Facts]) -> int:
    """The bytes a sequence matches as one character: one part's, when every other part can match nothing."""
    needed = [part for part in parts if not part.nullable]
    if len(needed) > 1:
        return 0
    if needed:
        return needed[0].one
    one = 0
    for part in parts:
        one |= part.one
    return one


def alternation(parts: list[Facts]) -> Facts:
    if len(parts) == 1:
        return parts[0]
    mask = first = last = one = before_text = 0
    high: int | None = 0
    for part in parts:
        mask |= part.mask
        first |= part.first
        last |= part.last
        one |= part.one
        before_text |= part.before_text
        high = None if high is None or part.max is None else max(high, part.max)
    return Facts(mask, first, last, any(p.nullable for p in parts), min(p.min for p in parts), high,
                 any(p.dotdot for p in parts), one, any(p.text for p in parts), before_text)


def repeat(body: Facts, low: int, high: int | None) -> Facts:
    if high == 0:
        return EMPTY
    many = high is None or high >= 2
    top = None if high is None or body.max is None else body.max * high
    if body.max == 0:
        top = 0
    dotdot = body.dotdot or (many and bool(body.last & DOT and body.first & DOT))
    run = (high is None or high >= _RUN) and bool(body.one & COLON) and bool(body.one & TOKEN)
    text = body.text or run
    # a byte of one round comes before the next rounds, which may carry the run
    before_text = body.before_text | (body.mask if text and many else 0)
    one = body.one if low <= 1 else 0
    return Facts(body.mask, body.first, body.last, low == 0 or body.nullable, body.min * low, top, dotdot, one, text,
                 before_text)


# -- anchors ----------------------------------------------------------------------------------------------------
_ZERO_WIDTH = ("setflags", "verb")


def anchored_start(node: Node) -> bool:
    """Every match starts at the start of the subject: each branch begins with ^ (not (?m)), \\A or \\G."""
    if isinstance(node, Alternation):
        return all(anchored_start(branch) for branch in node.branches)
    if isinstance(node, Sequence):
        for item in node.items:
            if isinstance(item, Assertion):
                if item.what in ("\\A", "\\G") or (item.what == "^" and not item.multiline):
                    return True
                if item.what in ("\\b", "\\B"):
                    continue
                return False
            if isinstance(item, Simple) and item.kind in _ZERO_WIDTH:
                continue
            if isinstance(item, Group) and item.kind in ("lookahead", "lookbehind"):
                continue
            if isinstance(item, Group):
                return anchored_start(item.body)
            if isinstance(item, Quantified) and item.min >= 1 and isinstance(item.body, Group):
                return anchored_start(item.body.body)
            return False
        return False
    return False


def end_anchor(node: Node) -> str | None:
    """How every branch ends: "\\z" (the very end), "$" or "\\Z" (the end, or before a final newline), or None
    when some branch may end anywhere. With several kinds, the loosest ("$") wins."""
    if isinstance(node, Alternation):
        kinds = [end_anchor(branch) for branch in node.branches]
        if None in kinds:
            return None
        return "\\z" if all(kind == "\\z" for kind in kinds) else ("$" if "$" in kinds else "\\Z")
    if isinstance(node, Sequence):
        for item in reversed(node.items):
            if isinstance(item, Assertion):
                if item.what == "\\z" or item.what == "\\Z" or (item.what == "$" and not item.multiline):
                    return item.what
                if item.what in ("\\b", "\\B"):
                    continue
                return None
            if isinstance(item, Simple) and item.kind in _ZERO_WIDTH:
                continue
            if isinstance(item, Group) and item.kind in ("lookahead", "lookbehind"):
                continue
            if isinstance(item, Group):
                return end_anchor(item.body)
            if isinstance(item, Quantified) and item.min >= 1 and isinstance(item.body, Group):
                return end_anchor(item.body.body)
            return None
    return None
