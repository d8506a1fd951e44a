"""Capture groups of a PCRE pattern, read without compiling it: what `$1` or `$name` of a location or `if`
regex can hold, as far as the rules need it (can it start with "/", can it hold a ".", any character at all).

A small scanner, not a regex engine: escapes, character classes and the group syntaxes of PCRE
(`(?:…)`, `(?<name>…)`, `(?P<name>…)`, `(?'name'…)`, lookarounds) are enough to find where a group
starts and ends. Anything it cannot place makes it answer None, so that the rules stay quiet.
"""
from __future__ import annotations

from typing import NamedTuple


class Group(NamedTuple):
    number: int
    name: str | None
    before: str  # the pattern text before the group's "("
    body: str  # the group's contents, without its parentheses


def groups(pattern: str) -> list[Group] | None:
    found: list[Group] = []
    stack: list[tuple[int, int, str | None, int] | None] = []  # (number, body start, name, open) or None
    number, i, n = 0, 0, len(pattern)
    in_class = False
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
            i += 1
            continue
        if char == "[":
            in_class = True
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":  # a "]" first in a class is a literal
                i += 1
            continue
        if char == "(":
            if pattern.startswith("(?", i):
                name, start = _named(pattern, i)
                if name is None:
                    stack.append(None)  # non-capturing, lookaround, option setting
                    i += 2
                    continue
                number += 1
                stack.append((number, start, name, i))
                i = start
                continue
            number += 1
            stack.append((number, i + 1, None, i))
            i += 1
            continue
        if char == ")":
            if not stack:
                return None
            top = stack.pop()
            if top is not None:
                num, start, name, opened = top
                found.append(Group(num, name, pattern[:opened], pattern[start:i]))
            i += 1
            continue
        i += 1
    if stack or in_class:
        return None
    return sorted(found)


def _named(pattern: str, i: int) -> tuple[str | None, int]:
    """For `(?<name>`, `(?P<name>` or `(?'name'` at i: (name, start of the body); else (None, i)."""
    for opener, closer in (("(?P<", ">"), ("(?<", ">"), ("(?'", "'")):
        if pattern.startswith(opener, i) and not pattern.startswith(("(?<=", "(?<!"), i):
            end = pattern.find(closer, i + len(opener))
            if end > i + len(opener):
                return pattern[i + len(opener):end], end + 1
    return None, i


def group(pattern: str, ref: str) -> Group | None:
    """The group `$1` / `$name` refers to; None if the pattern has no such group or cannot be read."""
    found = groups(pattern)
    if not found:
        return None
    for g in found:
        if (ref.isdigit() and g.number == int(ref)) or g.name == ref:
            return g
    return None


def starts_with_slash(body: str) -> bool:
    return body.startswith(("/", "\\/"))


def may_hold(body: str, dot_only: bool) -> bool:
    """Whether the group can match a "." (dot_only) or any character of a path (not only a fixed set):
    an unescaped `.`, `\\S`, `\\W`, `\\D`, `\\N`, a negated class without the dot, or (dot_only) a `\\.` or a
    class that lists the dot."""
    i, n = 0, len(body)
    while i < n:
        char = body[i]
        if char == "\\":
            escaped = body[i + 1:i + 2]
            if escaped in ("S", "W", "D", "N", "H", "V", "C", "X", "R"):
                return True
            if escaped == "." and dot_only:
                return True
            i += 2
            continue
        if char == "[":
            end, members, negated = _class(body, i)
            has_dot = "." in members.replace("\\.", ".")
            if negated and not has_dot:
                return True
            if dot_only and has_dot and not negated:
                return True
            i = end
            continue
        if char == ".":
            return True
        i += 1
    return False


def _class(body: str, i: int) -> tuple[int, str, bool]:
    j = i + 1
    negated = body.startswith("^", j)
    if negated:
        j += 1
    start = j
    if j < len(body) and body[j] == "]":
        j += 1
    while j < len(body) and body[j] != "]":
        j += 2 if body[j] == "\\" else 1
    return j + 1, body[start:j], negated
