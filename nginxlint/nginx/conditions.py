"""The condition of an `if` block as nginx reads it: the parentheses are part of the first and last
arguments as written (`if ($uri ~ ^/q(/.*)$)` gives `($uri`, `~`, `^/q(/.*)$)`), and nginx strips them."""
from __future__ import annotations

REGEX_OPERATORS = frozenset({"~", "~*", "!~", "!~*"})


def if_condition(node) -> list[str]:
    args = list(node.args)
    if args and args[0].startswith("("):
        args[0] = args[0][1:]
        if not args[0]:
            args.pop(0)
    if args and args[-1].endswith(")"):
        args[-1] = args[-1][:-1]
        if not args[-1]:
            args.pop()
    return args


def regex_condition(node) -> tuple[str, str, str] | None:
    """(subject, operator, regex) of `if ($var ~ regex)`; None for other conditions."""
    args = if_condition(node)
    if len(args) == 3 and args[1] in REGEX_OPERATORS:
        return args[0], args[1], args[2]
    return None


def equality_condition(node) -> tuple[str, str] | None:
    """(variable name, literal) of `if ($request_method = POST)` (`${name}` too), the name lower-cased as nginx
    looks variables up; None for other conditions."""
    args = if_condition(node)
    if len(args) != 3 or args[1] != "=" or not args[0].startswith("$") or "$" in args[2]:
        return None
    name = args[0][1:]
    if name.startswith("{") and name.endswith("}"):
        name = name[1:-1]
    return name.lower(), args[2]
