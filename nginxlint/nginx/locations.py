"""A `location` block's match: modifier and pattern, as nginx reads `location [=|~|~*|^~] uri` and `@name`."""
from __future__ import annotations

from typing import NamedTuple

MODIFIERS = ("=", "~*", "~", "^~")


class Match(NamedTuple):
    modifier: str  # "" (prefix), "=", "^~", "~", "~*" or "@" (named)
    pattern: str
    arg: int  # the argument that holds the pattern

    @property
    def regex(self) -> bool:
        return self.modifier in ("~", "~*")

    @property
    def prefix(self) -> bool:
        """A prefix match whose remainder of the URI is appended to alias or to a proxy_pass URI."""
        return self.modifier in ("", "^~")


def location_match(node) -> Match | None:
    """None for a location without arguments (nginx refuses it anyway)."""
    args = node.args
    if not args:
        return None
    first = args[0]
    if len(args) >= 2 and first in MODIFIERS:
        return Match(first, args[1], 1)
    if first.startswith("@"):
        return Match("@", first[1:], 0)
    # nginx also takes the modifier glued to the pattern: `location ~^/api`, `location =/`
    for modifier in ("^~", "~*", "=", "~"):
        if first.startswith(modifier) and len(first) > len(modifier):
            return Match(modifier, first[len(modifier):], 0)
    return Match("", first, 0)
