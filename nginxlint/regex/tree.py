"""The syntax tree of a pattern: small node classes, each with its offsets [start, end) in the pattern text.

`build(tree, tokens)` turns lark's tree for pcre.lark into these nodes.
"""
from __future__ import annotations

from . import charsets as cs
from .lexer import CASELESS, MULTILINE, GroupOpen, Reference, Tok


class Node:
    __slots__ = ("start", "end")
    kind = "node"

    def children(self) -> list["Node"]:
        return []

    def walk(self):
        """This node and every node below it, depth first in pattern order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.start}:{self.end}>"


class Char(Node):
    """One character (or, with (?i), one letter in either case): `mask` is the set it matches."""

    __slots__ = ("code", "mask")
    kind = "char"

    def __init__(self, tok: Tok):
        self.start, self.end, self.code = tok.start, tok.end, tok.value
        mask = cs.of(tok.value) if tok.value < 256 else 0
        self.mask = cs.fold(mask) if tok.flags & CASELESS else mask


class Set(Node):
    """One character from a set: `.`, `\\d`, `\\p{L}`, a class `[…]`. `negated` for `[^…]`."""

    __slots__ = ("mask", "negated", "items")
    kind = "set"

    def __init__(self, start: int, end: int, mask: int, negated: bool = False, items=()):
        self.start, self.end, self.mask, self.negated, self.items = start, end, mask, negated, list(items)


class Multi(Node):
    """\\R (a newline sequence, 1-2 characters) or \\X (a grapheme cluster, 1 or more)."""

    __slots__ = ("letter", "mask")
    kind = "multi"

    def __init__(self, tok: Tok):
        self.start, self.end, self.letter = tok.start, tok.end, tok.value
        self.mask = cs.VSPACE if tok.value == "R" else cs.ALL


class Assertion(Node):
    """A zero-width assertion: `^ $ \\A \\z \\Z \\G \\b \\B`. `multiline` when (?m) is on (for ^ and $)."""

    __slots__ = ("what", "multiline")
    kind = "assertion"

    def __init__(self, tok: Tok):
        self.start, self.end, self.what = tok.start, tok.end, tok.value
        self.multiline = bool(tok.flags & MULTILINE)


class Simple(Node):
    """\\K (kind "reset"), (?i) (kind "setflags"), a verb such as (*FAIL) (kind "verb")."""

    __slots__ = ("kind", "value")

    def __init__(self, kind: str, tok: Tok):
        self.kind, self.start, self.end, self.value = kind, tok.start, tok.end, tok.value


class Ref(Node):
    """A back reference (kind "backref") or a subroutine call / recursion (kind "call", number 0 = whole
    pattern). `ref` says what was written; `numbers` the groups it names, filled in after the whole pattern is
    read."""

    __slots__ = ("kind", "ref", "numbers")

    def __init__(self, kind: str, tok: Tok):
        self.kind, self.start, self.end, self.ref = kind, tok.start, tok.end, tok.value
        self.numbers: list[int] = []


class Quantified(Node):
    """`body` repeated min..max times (max None: unbounded); mode greedy | lazy | possessive."""

    __slots__ = ("body", "min", "max", "mode", "quantifier_start")
    kind = "quantified"

    def __init__(self, body: Node, tok: Tok):
        self.body = body
        self.min, self.max, self.mode = tok.value[:3]
        self.start, self.end, self.quantifier_start = body.start, tok.end, tok.start

    def children(self):
        return [self.body]


class Sequence(Node):
    __slots__ = ("items",)
    kind = "sequence"

    def __init__(self, items: list[Node], start: int, end: int):
        self.items, self.start, self.end = items, start, end

    def children(self):
        return self.items


class Alternation(Node):
    __slots__ = ("branches",)
    kind = "alternation"

    def __init__(self, branches: list[Sequence]):
        self.branches = branches
        self.start, self.end = branches[0].start, branches[-1].end

    def children(self):
        return self.branches


class Group(Node):
    """A parenthesised group. kind: capture | noncapture | atomic | lookahead | lookbehind | branchreset;
    `negative` for (?! and (?<!; `number` and `name` for a capture. `open_end` is where the body starts."""

    __slots__ = ("kind", "negative", "number", "name", "body", "open_end")

    def __init__(self, info: GroupOpen, body: Alternation, start: int, open_end: int, end: int):
        self.kind, self.negative, self.number, self.name = info.kind, info.negative, info.number, info.name
        self.body, self.start, self.open_end, self.end = body, start, open_end, end

    def children(self):
        return [self.body]


class Conditional(Node):
    """(?(condition)yes|no). `condition` is a Reference (a group), ("recursion", n), "DEFINE", "VERSION", or a
    lookaround Group; `numbers` the groups a group condition names."""

    __slots__ = ("condition", "body", "numbers")
    kind = "conditional"

    def __init__(self, condition, body: Alternation, start: int, end: int):
        self.condition, self.body, self.start, self.end = condition, body, start, end
        self.numbers: list[int] = []

    def children(self):
        return ([self.condition] if isinstance(self.condition, Node) else []) + [self.body]


def build(tree, tokens: list[Tok]) -> Alternation:
    """lark's tree (of pcre.lark) to nodes."""

    def tok(token) -> Tok:
        return tokens[int(token)]

    def alternation(t, start: int) -> Alternation:
        branches = []
        position = start
        for child in t.children:
            if getattr(child, "type", None) == "BAR":
                position = tok(child).end
                continue
            items = []
            for item in child.children:
                if item.data == "literal":  # a run of characters: one Char node each
                    items.extend(Char(char) for char in tok(item.children[0]).value)
                else:
                    items.append(node(item))
            end = items[-1].end if items else position
            branches.append(Sequence(items, items[0].start if items else position, end))
            position = end
        return Alternation(branches)

    def group(t) -> Group:
        opener, body, closer = t.children
        first = tok(opener)
        return Group(first.value, alternation(body, first.end), first.start, first.end, tok(closer).end)

    def node(t) -> Node:
        data = t.data
        if data == "char":
            return Char(tok(t.children[0]))
        if data == "set":
            first = tok(t.children[0])
            return Set(first.start, first.end, first.value)
        if data == "quantified":
            return Quantified(node(t.children[0]), tok(t.children[1]))
        if data == "group":
            return group(t)
        if data == "char_class":
            return char_class(t)
        if data == "assertion":
            return Assertion(tok(t.children[0]))
        if data in ("backref", "call"):
            return Ref(data, tok(t.children[0]))
        if data == "multi":
            return Multi(tok(t.children[0]))
        if data == "conditional":
            first = tok(t.children[0])
            last = tok(t.children[-1])
            if first.kind == "COND_ASSERT":
                condition = group(t.children[1])
                body = alternation(t.children[2], condition.end)
            else:
                condition = first.value
                body = alternation(t.children[1], first.end)
            return Conditional(condition, body, first.start, last.end)
        if data in ("reset", "setflags", "verb"):
            return Simple(data, tok(t.children[0]))
        raise AssertionError(data)

    def char_class(t) -> Set:
        opener = tok(t.children[0])
        closer = tok(t.children[-1])
        mask = 0
        items = []
        caseless = opener.flags & CASELESS
        for item in t.children[1:-1]:
            if item.data == "class_char":
                char = tok(item.children[0])
                mask |= cs.of(char.value)
                items.append((char.start, char.end, char.value))
            elif item.data == "class_set":
                mask |= tok(item.children[0]).value
            else:  # class_range
                low, high = tok(item.children[0]), tok(item.children[2])
                if high.value < low.value:
                    from .errors import RegexError

                    raise RegexError("range out of order in character class", high.start)
                mask |= cs.span(low.value, high.value)
        if caseless:
            mask = cs.fold(mask)
        if opener.value:
            mask = cs.ALL & ~mask
        return Set(opener.start, closer.end, mask, bool(opener.value), items)

    return alternation(tree.children[0], 0)


def reference_numbers(ref: Reference, names: dict[str, list[int]]) -> list[int]:
    if ref.name is not None:
        return names.get(ref.name, [])
    return [ref.number]


def remap(root: Node, back: list[int]) -> None:
    """Turn every offset of the tree from a position in the pattern's bytes into one in its characters."""
    for node in root.walk():
        node.start, node.end = back[node.start], back[node.end]
        if isinstance(node, Group):
            node.open_end = back[node.open_end]
        elif isinstance(node, Quantified):
            node.quantifier_start = back[node.quantifier_start]
        elif isinstance(node, Set):
            node.items = [(back[a], back[b], code) for a, b, code in node.items]
