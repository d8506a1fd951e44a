"""What a regex location on file extensions serves, read from its alternatives."""
from __future__ import annotations

import pytest

from nginxlint.nginx.locations import Match, _spellings, extension_names, served_kinds


class _Location:
    name = "location"
    parent = None  # a location on its own: no sibling before it

    def __init__(self, *args, children=()):
        self.args = list(args)
        self.children = list(children)

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()

    def find(self, name):
        return [child for child in self.children if child.name == name]

    def ancestors(self):
        return iter(())  # a fragment's top-level location


class _Directive(_Location):
    def __init__(self, name, *args, children=()):
        super().__init__(*args, children=children)
        self.name = name


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


@pytest.mark.parametrize("pattern, names", [
    ("\\.(?:css|js)$", ("css", "js")),
    ("\\.(?:mp\\d|ogg)$", None),  # an escape that stands for a class: not a list of names
    ("\\.(?:css|)$", None),  # an empty alternative
    ("^/(?:assets|themes).*?\\.(?:css|js)(\\?[0-9]+)?$", ("css", "js")),  # no query in the URI matched
])
def test_extension_names(pattern, names):
    assert extension_names(Match("~*", pattern, 1)) == names


@pytest.mark.parametrize("args, children, kinds", [
    (["~*", "\\.(?:woff2?|ttf)$"], [], {"asset"}),
    (["~*", "\\.(?:css(\\.map)?|js|svgz?|webmanifest)$"], [], {"built", "svg"}),
    (["~", ".*\\.(txt|json)$"], [_Directive("proxy_pass", "http://app")], {"data"}),  # the application's answer
    (["~", ".*\\.(txt|json)$"], [], {"text"}),  # files nginx reads, typed by mime.types
    (["~", "\\.(php|html?)$"], [], {"page"}),
    (["~*", "\\.(?:zip|pdf|docx|3gp)$"], [], {"asset"}),  # saved, or opened in another program
    (["~*", "favicon\\.ico$"], [], {"asset"}),
    (["~*", "\\.svgz?$"], [], {"svg"}),
    (["~", "^/static/.*\\.js$"], [], {"built"}),
    (["~*", "\\.(?:feed|rss)$"], [], {"text"}),  # `.feed` goes out with nginx's default_type, text/plain
    (["~*", "\\.(?:jsp|do)$"], [_Directive("proxy_pass", "http://app")], {"page"}),  # the application types it
    (["~", "(\\.html|sw.js)$"], [], None),  # a top-level alternative: more than the extension decides
    (["^~", "/assets/"], [], {"built"}),
    (["^~", "/workbox-"], [], {"built"}),  # Workbox's hashed runtime scripts at the root
    (["/_next/static/"], [], {"built"}),
    (["/media/"], [], None),  # uploads may be anything
])
def test_served_kinds(args, children, kinds):
    assert served_kinds(_Location(*args, children=children)) == (frozenset(kinds) if kinds is not None else None)


@pytest.mark.parametrize("args, children, fixed", [
    (["=", "/robots.txt"], [_Directive("alias", "/srv/robots.txt")], True),
    (["^~", "/.well-known"], [_Directive("root", "/srv/well-known")], True),
    (["=", "/ping"], [_Directive("return", "200", "pong\n")], True),
    (["/health"], [_Directive("return", "200", "ok")], True),
    (["=", "/robots.txt"], [_Directive("proxy_pass", "http://app")], False),  # the application's answer
    (["=", "/echo"], [_Directive("return", "200", "$arg_text")], False),  # what the client chose
    (["=", "/hello"], [_Directive("return", "200", "<h1>hello</h1>")], False),  # markup: a page
    (["/.well-known/"], [_Directive("if", "$arg_x", children=[_Directive("return", "302", "/x")])], False),
    (["=", "/notes.html"], [], False),
])
def test_a_fixed_text_of_the_sites_own(args, children, fixed):
    assert (served_kinds(_Location(*args, children=children)) == frozenset({"text"})) == fixed
