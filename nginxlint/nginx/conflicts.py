"""Unresolved merge conflicts committed in a config: `<<<<<<< HEAD`, `=======`, `>>>>>>> 12bd998` lines around the two
sides of a hunk (and diff3's `||||||| base` section). nginx stops at the first marker ("unknown directive"); one
finding says so, and the side before the base or `=======` (the branch that was checked out) is what the rest of the
run reads, so each directive is judged once.
"""
from __future__ import annotations

import re

_MARKERS = re.compile(r"^(<<<<<<<|\|\|\|\|\|\|\||=======|>>>>>>>)(?:[ \t][^\n]*)?$", re.MULTILINE)


def ours(text: str) -> tuple[str, int | None]:
    """The text with every marker line and everything of a hunk after its own side blanked (same length, same
    lines), and the offset of the first `<<<<<<<`; (text, None) when the file holds no well-formed hunk."""
    if "<<<<<<<" not in text:
        return text, None
    pieces, pos, first = [], 0, None
    hunk: list = []  # the markers of the hunk being read
    for marker in _MARKERS.finditer(text):
        hunk.append(marker)
        kinds = [found.group(1) for found in hunk]
        if kinds in (["<<<<<<<"], ["<<<<<<<", "======="], ["<<<<<<<", "|||||||"],
                     ["<<<<<<<", "|||||||", "======="]):
            continue
        if kinds[0] != "<<<<<<<" or kinds[-1] != ">>>>>>>":
            return text, None  # not a well-formed hunk: a line of the config that only looks like a marker
        start, other = hunk[0], hunk[1]
        pieces += [text[pos:start.start()], _blank(start.group()), text[start.end():other.start()],
                   _blank(text[other.start():marker.end()])]
        first = start.start() if first is None else first
        pos, hunk = marker.end(), []
    if hunk or first is None:
        return text, None
    pieces.append(text[pos:])
    return "".join(pieces), first


def _blank(piece: str) -> str:
    return "".join(char if char == "\n" else " " for char in piece)
