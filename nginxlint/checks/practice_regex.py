"""NGX018–NGX019, NGX032: regular expressions nginx refuses, captures that are always empty, regexes that are one
string, and regex syntax where nginx reads none.

Patterns are read through nginxlint.regex.facts (PCRE2's reading, cached on disk per pattern).
"""
from __future__ import annotations

import re

from ..nginx.directives import is_known, known_shape
from ..nginx.locations import location_match
from ..nginx.templates import is_unknown
from ..nginx.variables import parse_value
from ..nginx.wordmap import value_span
from ..regex.facts import pattern_facts
from ..regex.sites import regex_sites, sites_at
from .registry import rule

# directives whose value may read $1..$9 set by a regex elsewhere in the server
_CAPTURE_READERS = ("set", "return", "proxy_pass", "add_header", "more_set_headers", "try_files", "rewrite")
_NEGATED = ("!~", "!~*")
# the arguments of a capture reader that may hold $N (the others: every argument; `return`: its last)
_CAPTURE_ARGS = {"rewrite": (1,), "set": (1,), "add_header": (1,)}
# what every capture ($1, ${1}, $0) starts with: a value without it holds none, and is not parsed
_CAPTURE_START = re.compile(r"\$\{?[0-9]")


# -- NGX018 invalid-regex ---------------------------------------------------------------------------------------

@rule("NGX018")
def invalid_regex(tree, report):
    """A pattern PCRE2 refuses (nginx -t fails), and $N references no regex in reach can set."""
    broken_under: set = set()  # blocks holding a pattern that does not compile: their groups are unknown
    for node, site in regex_sites(tree):
        facts = pattern_facts(tree, site.pattern, site.caseless)
        if facts.error is None:
            continue
        if node.d.block is not None and is_known(node.name) and not known_shape(node.name, True):
            continue  # a `{` in an unquoted pattern opened a block and cut it there: NGX006 reports the directive
        error = facts.regex_error()
        if error.pcre2_only(site.pattern) and _may_link_pcre1(tree):
            continue  # `[\w-_]`: PCRE1 takes the hyphen for itself, and the build may link it
        report(
            node,
            f"nginx -t fails: {error.nginx_message(site.pattern)}",
            span=site.span(min(error.offset, max(len(site.pattern) - 1, 0))),
        )
        block = node
        while block is not None:
            broken_under.add(block)
            block = block.parent
    _missing_groups(tree, report, broken_under)


def _may_link_pcre1(tree) -> bool:
    if "may-link-pcre1" not in tree.memo:
        from ..container.release import may_link_pcre1  # the image model, only for a pattern PCRE1 would take

        tree.memo["may-link-pcre1"] = may_link_pcre1(tree)
    return tree.memo["may-link-pcre1"]


def _missing_groups(tree, report, broken_under):
    scopes: dict = {}  # server node (or None: the root) -> the largest group count of any regex in it
    map_groups = 0
    counts: dict = {}  # (pattern, caseless) -> its group count: a large config repeats the same few patterns
    for node, site in regex_sites(tree):
        count = counts.get((site.pattern, site.caseless))
        if count is None:
            facts = pattern_facts(tree, site.pattern, site.caseless)
            count = counts[site.pattern, site.caseless] = 99 if facts.error else facts.groups
        if node.parent is not None and node.parent.name == "map":
            map_groups = max(map_groups, count)
            continue
        server = node.enclosing("server") if node.name != "server" else node
        scopes[server] = max(scopes.get(server, 0), count)
        scopes[None] = max(scopes.get(None, 0), count)
    for name in _CAPTURE_READERS:
        for node in tree.nodes(name):
            if node.parent is not None and node.parent.name == "map":
                continue
            for index, part in _captures_in(node):
                number = int(part.variable)
                verdict = _verdict(tree, node, number, scopes, map_groups, broken_under)
                if verdict is not None and not _carries_nothing(node, node.args[index], part):
                    report(
                        node,
                        f"{part.text} is always empty: {verdict}",
                        span=value_span(node.d, index, part.start, part.end),
                        severity="warning",
                    )
                    break
    for block in tree.nodes("map"):
        for entry in block.children or ():
            sites = sites_at(tree, entry)
            if not sites or not entry.args:
                continue
            facts = pattern_facts(tree, sites[0].pattern, sites[0].caseless)
            if facts.error:
                continue
            for part in parse_value(entry.args[-1]):
                if part.is_capture and int(part.variable) > facts.groups:
                    report(
                        entry,
                        f"{part.text} is always empty: the regex of this map key has "
                        f"{_groups(facts.groups)}",
                        span=value_span(entry.d, len(entry.args) - 1, part.start, part.end),
                        severity="warning",
                    )
                    break


# Variables that hold the request's whole path: a capture written just before one had nothing left to carry
_WHOLE_PATH = ("$request_uri", "${request_uri}", "$uri", "${uri}", "$document_uri", "${document_uri}")
_ONE_URI = re.compile(r"\^(?:[^\\.^$|?*+()\[\]{}]|\\[./-])*\$")  # `^/collections/v2$`, `^/a\.html$`
_NEVER_MATCHES = re.compile(r"\^[\w~-]")  # `^illiad/…`: every URI nginx tests starts with `/`


def _carries_nothing(node, arg: str, part) -> bool:
    """An always empty $N where a group would have carried nothing anyway: the whole path follows it
    (`https://$host$1$request_uri`), the rewrite's regex or the exact location takes one fixed URI (`rewrite
    ^/collections/v2$ https://dpul.example.edu/treasures$1`, a line copied from the `(.*)` ones), or the rewrite's
    regex never matches ($uri starts with `/`)."""
    if arg[part.end:].startswith(_WHOLE_PATH):
        return True
    if node.name == "rewrite":
        return bool(_ONE_URI.fullmatch(node.args[0]) or _NEVER_MATCHES.match(node.args[0]))
    location = node.enclosing("location")
    match = location_match(location) if location is not None else None
    return match is not None and match.modifier == "="


def _captures_in(node):
    args = node.args
    indexes = (len(args) - 1,) if node.name == "return" else _CAPTURE_ARGS.get(node.name) or range(len(args))
    for index in indexes:
        if 0 <= index < len(args) and _CAPTURE_START.search(args[index]):
            for part in parse_value(args[index]):
                if part.is_capture:
                    yield index, part


def _verdict(tree, node, number, scopes, map_groups, broken_under) -> str | None:
    """Why $number is always empty at this directive, or None when some regex may set it."""
    if node.name == "rewrite":
        facts = pattern_facts(tree, node.args[0])
        if facts.error or number <= facts.groups:
            return None
        return f"the rewrite's regex has {_groups(facts.groups)}"
    condition = node.parent if node.parent is not None and node.parent.name == "if" else None
    sites = sites_at(tree, condition) if condition is not None else []
    if node.name == "set" and sites:
        operator = next((a for a in condition.args if a in ("~", "~*", "!~", "!~*")), "~")
        if operator in _NEGATED:
            return f"this block runs only when {operator} finds no match, and a failed match sets no capture"
        facts = pattern_facts(tree, sites[0].pattern, sites[0].caseless)
        if facts.error or number <= facts.groups:
            return None
        return f"the regex of this if has {_groups(facts.groups)}"
    if node in broken_under or any(b in broken_under for b in _ancestors(node)):
        return None
    server = node.enclosing("server")
    if not tree.complete:
        return None
    if server is None and not tree.is_main:
        # a snippet: the server including it may match a regex first, unless a regex location (whose match sets
        # the captures anew) encloses the directive
        location = node.enclosing("location")
        if location is None or not sites_at(tree, location):
            return None
    count = max(scopes.get(server if server is not None else None, 0), map_groups)
    if number <= count:
        return None
    where = "this server" if server is not None else "this config"
    return f"no regex in {where} has {number} capture group{'s' if number > 1 else ''}"


def _ancestors(node):
    while node.parent is not None:
        node = node.parent
        yield node


def _groups(count: int) -> str:
    return "no capture group" if count == 0 else f"only {count} capture group{'s' if count > 1 else ''}"


# -- NGX019 regex-exact-match -----------------------------------------------------------------------------------

def _may_nest_exact(location, literal: str) -> bool:
    """`location = literal` may stand where the regex location does: at the server's level, or inside a prefix
    location whose prefix it starts with. nginx refuses any other nested location that is no regex ("is outside
    location"), so inside a regex location only a regex can match one URI."""
    parent = location.enclosing("location")
    if parent is None:
        return True
    match = location_match(parent)
    return match is not None and match.prefix and literal.startswith(match.pattern)


@rule("NGX019")
def regex_exact_match(tree, report):
    for node in tree.nodes("location"):
        for site in sites_at(tree, node):
            if site.caseless:
                continue
            literal = pattern_facts(tree, site.pattern).literal
            if literal is None or not literal.startswith("/") or any(c in literal for c in " {};\"'$\\"):
                continue
            if not _may_nest_exact(node, literal):
                continue
            report(
                node,
                f"this regex matches the one URI {literal}: nginx runs every regex location in turn for each "
                f"request that reaches them, while an exact location is found first and at no cost",
                span=site.span(),
                help=f"location = {literal} {{",
            )


# -- NGX032 regex-in-literal-location ---------------------------------------------------------------------------

# What only a regex (or a shell glob) means, written in a location nginx compares character for character. A URI's
# path holds none of these as written: `\` never, `*` and `$` so seldom that the regex reading is meant.
_REGEX_SYNTAX = (
    (re.compile(r"^\^"), "a leading `^`"),
    (re.compile(r".\$$"), "a trailing `$`"),
    (re.compile(r"\\[./dwsDWS]"), "a backslash escape"),
    (re.compile(r"\.[*+]"), "`.*`"),
    (re.compile(r"\*"), "`*`"),
    (re.compile(r"\(\?"), "a `(?` group"),
    (re.compile(r"\([^()/|]*\|[^()/]*\)"), "an alternation `(a|b)`"),
)
_ANY_REGEX_SYNTAX = re.compile("|".join(pattern.pattern for pattern, _ in _REGEX_SYNTAX))


@rule("NGX032")
def regex_in_literal_location(tree, report):
    for node in tree.nodes("location"):
        args = node.args
        if not args or args[0] in ("~", "~*") or not _ANY_REGEX_SYNTAX.search(args[-1]):
            continue  # most locations: a regex one, or one search of the pattern, before the modifier is parsed
        match = location_match(node)
        if match is None or match.modifier not in ("", "=", "^~") or is_unknown(match.pattern):
            continue
        found = next((what for pattern, what in _REGEX_SYNTAX if pattern.search(match.pattern)), None)
        if found is None:
            continue
        kind = {"": "prefix", "=": "exact", "^~": "prefix"}[match.modifier]
        report(
            node,
            f'this {kind} location compares the URI with "{match.pattern}" character for character: {found} is '
            "regex syntax only in a `~` location, so the requests it was written for never match it",
            arg=match.arg,
            help=f"location ~ {_as_regex(match.pattern)} {{   (or drop the regex syntax)",
        )


def _as_regex(pattern: str) -> str:
    """The regex the author most likely meant: anchored at the start as a prefix is."""
    return pattern if pattern.startswith("^") else "^" + pattern
