"""A `location` block's match: modifier and pattern, as nginx reads `location [=|~|~*|^~] uri` and `@name`."""
from __future__ import annotations

import re
from typing import NamedTuple

MODIFIERS = ("=", "~*", "~", "^~")
# Files a browser never renders as a page: fonts, raster images, audio and video; and the ones it reads as text,
# script or style, which `X-Content-Type-Options` guards from being sniffed into something else. SVG, HTML and XML
# are pages (SVG can hold script), and so is any extension not named here.
ASSET_EXTENSIONS = frozenset({
    "woff", "woff2", "ttf", "ttc", "otf", "eot", "png", "jpg", "jpeg", "gif", "ico", "cur", "webp", "avif", "bmp",
    "tif", "tiff", "mp3", "mp4", "m4a", "m4v", "ogg", "oga", "ogv", "webm", "wav", "flac", "aac", "mov", "avi"})
SNIFFED_EXTENSIONS = frozenset({"css", "js", "mjs", "map", "json", "txt", "rss", "atom"})
# `\.(?:woff|woff2)$`, `\.(png|jpe?g)$`, `.*\.(ttf|otf)$`: a regex location on the name's extension alone.
_EXTENSIONS = re.compile(r"^(?:\^?\.[*+])?\\\.\((?:\?:)?([A-Za-z0-9|?]+)\)\$$")


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


def hands_off(node) -> bool:
    """The directive hands the request to an application: a `*_pass`, or a Lua content or access handler."""
    return node.name.endswith("_pass") or node.name.startswith(("content_by_", "access_by_"))


def served_kinds(node) -> frozenset[str] | None:
    """What a regex location on the name's extension alone serves: "asset" (ASSET_EXTENSIONS), "sniffed"
    (SNIFFED_EXTENSIONS), "page" (anything else); None for any other location."""
    match = location_match(node) if node.name == "location" else None
    found = _EXTENSIONS.match(match.pattern) if match is not None and match.regex else None
    if found is None:
        return None
    return frozenset("asset" if spelling in ASSET_EXTENSIONS else "sniffed" if spelling in SNIFFED_EXTENSIONS
                     else "page" for name in found.group(1).lower().split("|") for spelling in _spellings(name))


def _spellings(name: str) -> list[str]:
    """`jpe?g` -> jpg, jpeg (one optional letter; more is not an extension list)."""
    if "?" not in name:
        return [name]
    at = name.index("?")
    return [name[:at - 1] + name[at + 1:], name[:at] + name[at + 1:]] if at > 0 and name.count("?") == 1 else ["?"]


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
