"""Where an nginx config holds regular expressions, and what each is matched against.

    >>> from nginxlint.nginx.parser import parse
    >>> d = parse('location ~* "^/(?<f>[^/]+)\\\\.php$" {}').directives[0]
    >>> site = sites_of_directive(d)[0]
    >>> site.pattern, site.caseless, site.subject, site.span(2, 9)
    ('^/(?<f>[^/]+)\\\\.php$', True, 'uri', Span(line=1, column=16, end_line=1, end_column=23))
    >>> site.parse().capture("f").slash
    False

In a rule, with `tree` and `report` (the exact place of an error inside the pattern):

    for node, site in regex_sites(tree):
        error = site.error()
        if error:
            report(node, error.nginx_message(site.pattern), span=site.span(error.offset))

Directives read (nginx.org/en/docs): `location ~ / ~*` and `location ~re`; `if ($var ~ re)` with `~ ~* !~ !~*`;
`map` keys starting with `~` or `~*` (a leading backslash makes `~` literal); `server_name ~re` (caseless
when the pattern has an upper-case letter, as ngx_http_core_server_name does); `rewrite re`;
`valid_referers ~re` (caseless; matched after the scheme); `gzip_disable re` (caseless);
`proxy_redirect`, `proxy_cookie_domain` and `proxy_cookie_path` with `~`/`~*`; `fastcgi_split_path_info re`.
Which of them nginx compiles caseless was checked on nginx 1.22.1 (tests/regex/test_sites.py).
"""
from __future__ import annotations

from ..findings import Span
from ..nginx.parser import Directive
from ..nginx.variables import parse_value
from ..nginx.wordmap import value_span
from . import Regex, RegexError, parse_regex

_IF_OPERATORS = {"~": False, "~*": True, "!~": False, "!~*": True}
_TILDE_FIRST_ARG = ("proxy_redirect", "proxy_cookie_domain", "proxy_cookie_path")
# What the upstream-side regexes are matched against: the Location header; a Set-Cookie attribute (no variable).
_SUBJECT = {"proxy_redirect": "upstream_http_location", "proxy_cookie_path": None, "proxy_cookie_domain": None}
# Every directive name sites_of_directive reads (besides map entries): the one check a large tree's other
# directives cost. sites_of_directive returns early on the others, so a name missing here finds nothing.
_REGEX_DIRECTIVES = frozenset({"location", "if", "rewrite", "fastcgi_split_path_info", "server_name", "valid_referers",
                               "gzip_disable", *_TILDE_FIRST_ARG})


class RegexSite:
    """One regex in a directive. `arg` is the argument index it sits in (None: the directive's name, as for a
    `map` key), `offset` where the pattern starts in that word's value, `subject` the variable (without `$`) the
    pattern is matched against when nginx knows it (`uri` for location and rewrite; None when it is not a plain
    variable), `directive` the parsed Directive."""

    __slots__ = ("directive", "arg", "offset", "pattern", "caseless", "subject")

    def __init__(self, directive: Directive, arg: int | None, offset: int, pattern: str, caseless: bool,
                 subject: str | None):
        self.directive, self.arg, self.offset = directive, arg, offset
        self.pattern, self.caseless, self.subject = pattern, caseless, subject

    def parse(self) -> Regex:
        """The parsed pattern (memoised); raises RegexError."""
        return parse_regex(self.pattern, self.caseless)

    def error(self) -> RegexError | None:
        """The error nginx would stop on, or None."""
        try:
            self.parse()
        except RegexError as error:
            return error
        return None

    def span(self, start: int = 0, end: int | None = None) -> Span:
        """The file span of pattern[start:end] (the whole pattern by default); `span(error.offset)` points at
        an error."""
        if end is None:
            end = len(self.pattern) if start == 0 else start + 1
        return value_span(self.directive, self.arg, self.offset + start, self.offset + end)

    def __repr__(self) -> str:
        return f"<RegexSite {self.directive.name} {self.pattern!r}>"


def regex_sites(tree) -> list[tuple]:
    """(node, RegexSite) for every regex of a config tree (nginxlint.config_tree.ConfigTree), in document order.

    Found in one walk per tree and kept in the tree's memo: several rules read them, and each walk of a large
    config costs as much as a rule."""
    found = tree.memo.get("regex-sites")
    if found is None:
        found = tree.memo["regex-sites"] = [
            (node, site) for node in tree.walk()
            if node.name in _REGEX_DIRECTIVES or node.parent.name == "map"  # (the tree's main node is named "")
            for site in sites_of(node)
        ]
    return found


def sites_at(tree, node) -> list[RegexSite]:
    """sites_of(node) for a node of `tree`, read from the walk regex_sites made (rules that ask about every location
    would otherwise read every location's words again). The list is shared: not to be changed."""
    by_node = tree.memo.get("regex-sites-by-node")
    if by_node is None:
        by_node = tree.memo["regex-sites-by-node"] = {}
        for found, site in regex_sites(tree):
            by_node.setdefault(found, []).append(site)
    return by_node.get(node, _NONE)


_NONE: list = []


def sites_of(node) -> list[RegexSite]:
    """The regexes of one config tree Node (a map entry needs its parent to be known as one)."""
    parent = node.parent.d if node.parent is not None and node.parent.d is not None else None
    return sites_of_directive(node.d, parent)


def sites_of_directive(d: Directive, parent: Directive | None = None) -> list[RegexSite]:
    """The regexes of a parsed Directive; `parent` is the enclosing block's directive (for `map` entries)."""
    name, args = d.name, d.args
    if parent is not None and parent.name == "map":
        if name.startswith("~"):  # `\~` (a literal tilde) keeps its backslash in the name
            skip = 2 if name.startswith("~*") else 1
            source = parent.args[0] if parent.args else ""
            return [RegexSite(d, None, skip, name[skip:], skip == 2, _plain_variable(source))]
        return []
    if name not in _REGEX_DIRECTIVES:
        return []
    if name == "location":
        if len(args) >= 2 and args[0] in ("~", "~*"):
            return [RegexSite(d, 1, 0, args[1], args[0] == "~*", "uri")]
        if len(args) == 1 and args[0].startswith("~") and len(args[0]) > 1:
            skip = 2 if args[0].startswith("~*") else 1
            return [RegexSite(d, 0, skip, args[0][skip:], skip == 2, "uri")]
        return []
    if name == "if":
        return _if_site(d)
    if name in ("rewrite", "fastcgi_split_path_info") and args:
        return [RegexSite(d, 0, 0, args[0], False, "uri")]
    if name == "server_name":
        return [RegexSite(d, i, 1, a[1:], any("A" <= c <= "Z" for c in a), "host")
                for i, a in enumerate(args) if a.startswith("~") and len(a) > 1]
    if name == "valid_referers":
        return [RegexSite(d, i, 1, a[1:], True, "http_referer")
                for i, a in enumerate(args) if a.startswith("~") and len(a) > 1]
    if name == "gzip_disable":
        return [RegexSite(d, i, 0, a, True, "http_user_agent") for i, a in enumerate(args) if a != "msie6"]
    if name in _TILDE_FIRST_ARG and args and args[0].startswith("~") and len(args[0]) > 1:
        skip = 2 if args[0].startswith("~*") else 1
        return [RegexSite(d, 0, skip, args[0][skip:], skip == 2, _SUBJECT[name])]
    return []


def _if_site(d: Directive) -> list[RegexSite]:
    """`if ($var ~ re)`: the words are `($var`, `~`, `re)` or `(`, `$var`, `~`, `re`, `)`; nginx strips the
    parentheses from the first and last words."""
    words = [(i, a) for i, a in enumerate(d.args)]
    if not words or not words[0][1].startswith("("):
        return []
    if words[0][1] == "(":
        words = words[1:]
    else:
        words[0] = (words[0][0], words[0][1][1:])
    if words and words[-1][1] == ")":
        words = words[:-1]
    elif words and words[-1][1].endswith(")"):
        words[-1] = (words[-1][0], words[-1][1][:-1])
    else:
        return []
    if len(words) != 3 or words[1][1] not in _IF_OPERATORS:
        return []
    index, pattern = words[2]
    return [RegexSite(d, index, 0, pattern, _IF_OPERATORS[words[1][1]], _plain_variable(words[0][1]))]


def _plain_variable(value: str) -> str | None:
    """`$uri` -> "uri", `${uri}` -> "uri"; None for anything else (text, several variables)."""
    parts = parse_value(value)
    if len(parts) == 1 and parts[0].variable is not None:
        return parts[0].variable
    return None
