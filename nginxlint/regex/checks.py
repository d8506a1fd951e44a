"""What pcre2_compile() refuses once the whole pattern is read: references to groups that do not exist,
duplicate names, lookbehinds of varying length, conditionals with too many branches, \\K in an assertion."""
from __future__ import annotations

from .errors import RegexError
from .lexer import DUPNAMES, Reference
from .tree import Alternation, Conditional, Group, Node, Quantified, Ref, Sequence, Set, Char, Multi, Simple

NOT_FOUND = "reference to non-existent subpattern"


def check(root: Alternation, total: int, open_flags: dict[int, int]) -> tuple[dict[str, list[int]], dict[int, Group]]:
    """Validate; returns (names -> group numbers, number -> first group of that number)."""
    names: dict[str, list[int]] = {}
    groups: dict[int, Group] = {}
    name_of: dict[int, str | None] = {}
    nodes = list(root.walk())
    for node in nodes:
        if isinstance(node, Group) and node.kind == "capture":
            if node.number in groups:  # the same number again: a (?| branch
                if name_of[node.number] != node.name and node.name is not None and name_of[node.number] is not None:
                    raise RegexError("different names for subpatterns of the same number are not allowed",
                                     node.open_end - 1)
                if name_of[node.number] is None and node.name is not None:
                    if node.name in names and not open_flags.get(node.start, 0) & DUPNAMES:
                        raise RegexError("two named subpatterns have the same name (PCRE2_DUPNAMES not set)",
                                         node.open_end)
                    name_of[node.number] = node.name
                    names.setdefault(node.name, []).append(node.number)
                continue
            groups[node.number] = node
            name_of[node.number] = node.name
            if node.name is not None:
                if node.name in names and not open_flags.get(node.start, 0) & DUPNAMES:
                    raise RegexError("two named subpatterns have the same name (PCRE2_DUPNAMES not set)",
                                     node.open_end)
                names.setdefault(node.name, []).append(node.number)
    for node in nodes:
        if isinstance(node, Ref):
            node.numbers = _resolve(node.ref, names, total, node.end)
        elif isinstance(node, Conditional):
            _check_conditional(node, names, total)
        elif isinstance(node, Group) and node.kind in ("lookbehind", "lookahead"):
            for inner in node.body.walk():
                if isinstance(inner, Simple) and inner.kind == "reset":
                    raise RegexError("\\K is not allowed in lookarounds (but see PCRE2_EXTRA_ALLOW_LOOKAROUND_BSK)",
                                     inner.end)
    if not any(isinstance(node, Group) and node.kind == "lookbehind" for node in nodes):
        return names, groups
    for node, enclosing in _lookbehinds(root, ()):
        for branch in node.body.branches:
            if fixed_length(branch, groups, set(enclosing)) is None:
                raise RegexError("lookbehind assertion is not fixed length", node.start)
    return names, groups


def _lookbehinds(node: Node, enclosing: tuple):
    """Each lookbehind with the numbers of the capture groups around it (a call to one of them recurses)."""
    if isinstance(node, Group):
        if node.kind == "lookbehind":
            yield node, enclosing
        if node.kind == "capture":
            enclosing = enclosing + (node.number,)
    for child in node.children():
        yield from _lookbehinds(child, enclosing)


def _resolve(ref: Reference, names, total: int, offset: int) -> list[int]:
    if ref.at is not None:
        offset = ref.at
    if ref.name is not None:
        if ref.name not in names:
            raise RegexError(NOT_FOUND, offset)
        return names[ref.name]
    if ref.number > total or ref.number < 0:
        raise RegexError(NOT_FOUND, offset)
    return [ref.number] if ref.number else [0]


def _check_conditional(node: Conditional, names, total: int) -> None:
    condition = node.condition
    branches = len(node.body.branches)
    if condition == "DEFINE":
        if branches > 1:
            raise RegexError("DEFINE subpattern contains more than one branch", node.start + 3)
        return
    if branches > 2:
        raise RegexError("conditional subpattern contains more than two branches", node.start)
    if isinstance(condition, Reference):
        node.numbers = _resolve(condition, names, total, node.start + 3)
    elif isinstance(condition, tuple):  # ("recursion", n or Reference or None)
        target = condition[1]
        if isinstance(target, Reference):
            node.numbers = _resolve(target, names, total, node.start + 3)
        elif target is not None and target > total:
            raise RegexError(NOT_FOUND, node.start + 3)  # the R of (?(Rn)


def fixed_length(node: Node, groups: dict[int, Group], calling: set) -> int | None:
    """The one length every match of `node` has, or None when it can vary (PCRE2 10.42's lookbehind rule: inside
    a lookbehind branch, a nested alternation must have branches of equal length)."""
    if isinstance(node, (Char, Set)):
        return 1
    if isinstance(node, Multi):
        return None
    if isinstance(node, Sequence):
        total = 0
        for item in node.items:
            if isinstance(item, Simple) and item.kind == "verb" and item.value in ("ACCEPT", "FAIL", "F"):
                return total  # what follows is never reached
            length = fixed_length(item, groups, calling)
            if length is None:
                return None
            total += length
        return total
    if isinstance(node, Alternation):
        lengths = {fixed_length(branch, groups, calling) for branch in node.branches}
        return lengths.pop() if len(lengths) == 1 else None
    if isinstance(node, Group):
        if node.kind in ("lookahead", "lookbehind"):
            return 0
        return fixed_length(node.body, groups, calling)
    if isinstance(node, Quantified):
        if isinstance(node.body, Group) and node.body.kind == "lookahead":
            return 0
        if node.max != node.min:
            return None
        length = fixed_length(node.body, groups, calling)
        return None if length is None else length * node.min
    if isinstance(node, Ref):
        if len(node.numbers) != 1 or node.numbers[0] == 0 or node.numbers[0] in calling:
            return None
        number = node.numbers[0]
        group = groups.get(number)
        if group is None:
            return None
        return fixed_length(group.body, groups, calling | {number})
    if isinstance(node, Conditional):
        if node.condition == "DEFINE":
            return 0
        lengths = {fixed_length(branch, groups, calling) for branch in node.body.branches}
        return lengths.pop() if len(lengths) == 1 else None
    return 0  # assertions, \K, options, verbs
