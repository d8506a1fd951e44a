"""What a regex location on file extensions serves, read from its alternatives."""
from __future__ import annotations

import pytest

from nginxlint.nginx.locations import _spellings, served_kinds


class _Location:
    name = "location"

    def __init__(self, *args):
        self.args = list(args)


@pytest.mark.parametrize("pattern, names", [
    ("jpe?g|png", ["jpeg", "jpg", "png"]),
    ("css(\\.map)?|svgz?", ["css.map", "css", "svgz", "svg"]),
    ("woff(?:2)?", ["woff2", "woff"]),
    ("css|", None),  # an empty alternative matches any name ending in a dot
    ("js|[a-z]+", None),  # a class is not a list of names
    ("a?b?c?d?e?f?g?h", None),  # 128 spellings: not an extension list
])
def test_spellings(pattern, names):
    assert _spellings(pattern) == names


@pytest.mark.parametrize("args, kinds", [
    (["~*", "\\.(?:woff2?|ttf)$"], {"asset"}),
    (["~*", "\\.(?:css(\\.map)?|js|svgz?|webmanifest)$"], {"built", "svg"}),
    (["~", ".*\\.(txt|json)$"], {"data"}),
    (["~", "\\.(php|html?)$"], {"page"}),
    (["~", "^/static/.*\\.js$"], None),  # more than the extension decides
    (["/assets/"], None),
])
def test_served_kinds(args, kinds):
    assert served_kinds(_Location(*args)) == (frozenset(kinds) if kinds is not None else None)
