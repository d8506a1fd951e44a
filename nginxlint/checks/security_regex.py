"""SEC541–SEC549: regular expressions and the values built from them that hand control to the client.

Patterns are read through nginxlint.regex.facts (PCRE2's reading of the pattern, cached on disk per pattern), the
variables through nginxlint.nginx.variables (what a request can put in each). A value's variables are followed
through `set`, `map` and regex captures by `_Flow`, once per tree.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from ..findings import UNSAFE, Fix
from ..nginx import edits
from ..nginx.access import GUARD_DIRECTIVES, AccessView, error_return
from ..nginx.captures import group, starts_with_slash
from ..nginx.conditions import equality_condition, if_condition, regex_condition
from ..nginx.directives_lua import LUA_PHASE
from ..nginx.inheritance import Lists, blocks_up, nearest, value_at
from ..nginx.listen import listens_locally
from ..nginx.locations import (REDIRECTS, answers_nothing_of_the_user, hands_off, location_match, preflight,
                               rewrite_redirects, top_level)
from ..nginx.templates import UNKNOWN as UNKNOWN_VALUE
from ..nginx.urls import forward_proxy
from ..nginx.variables import parse_value, variable_facts, variables
from ..nginx.wordmap import value_span
from ..regex import charsets as cs
from ..regex.facts import pattern_facts
from ..regex.sites import regex_sites, sites_at
from .registry import rule

CR_LF = cs.of("\r", "\n")
LF = cs.of("\n")
DOT = cs.of(".")
# bytes NGX_ESCAPE_ARGS always percent-encodes: the control characters
CONTROL = cs.span(0x00, 0x1F) | cs.of(0x7F)
# what the subject of a location or rewrite holds: the decoded URI
_URI_MASK = variable_facts("uri").mask
# The URI nginx decoded, and the file name made of it (the root, or the alias, with the URI after it): what the
# client writes in them is bounded by the location's anchored regex
_URI_VARIABLES = frozenset({"uri", "document_uri", "request_filename"})
# Variables whose value always starts with "/": in a URL, the host ends where they begin.
_SLASH_FIRST = frozenset({"uri", "document_uri", "request_uri"})
_DEPTH = 8
# entries of a `map` or `geo` block that are settings, not a key and its value
_MAP_KEYWORDS = ("hostnames", "volatile", "ranges", "include", "proxy", "proxy_recursive", "delete")


# The rewrite module's directives, run in order in the rewrite phase: what one reads depends on where it stands
_REWRITE_MODULE = frozenset({"set", "if", "rewrite", "return", "break"})


class _Flow:
    """The bytes the client can put in a value at a directive, following `set`, `map`, `geo` and regex captures.
    Text the config writes holds nothing the client chose (mask 0), nor does a variable nginx sets itself from
    server data, or an unknown one."""

    def __init__(self, tree, trusted=(), link_only=False):
        self.tree = tree
        self.trusted = set(trusted)
        self.link_only = link_only  # only what a link to the site can set: not headers, cookies, the Host
        self.sets: dict[str, list] = {}
        for node in tree.nodes("set"):
            if len(node.args) >= 2:
                self.sets.setdefault(node.args[0].lstrip("$").lower(), []).append(node)
        self.maps: dict[str, object] = {}
        for name in ("map", "geo"):
            for node in tree.nodes(name):
                if node.args:
                    self.maps[node.args[-1].lstrip("$").lower()] = node
        self._named = None
        self._memo: dict = {}
        self._lua_written: frozenset[str] | None = None

    def lua_written(self, name: str) -> bool:
        """The deployment's Lua assigns the variable (`ngx.var.service_addr = …`): its value is the code's, not the
        text a `set` gives it first."""
        if self._lua_written is None:
            self._lua_written = frozenset(write.name.lower() for unit in self.tree.lua.units if unit.facts is not None
                                          for write in (*unit.facts.var_writes, *unit.facts.tested_var_writes))
        return name in self._lua_written

    # -- what a value or a variable can hold --------------------------------------------------------------------
    def value_mask(self, value: str, at, depth: int = 0) -> int:
        return self.value_held(value, at, depth).mask

    def variable_mask(self, name: str, at, depth: int = 0) -> int:
        return self.variable_held(name, at, depth).mask

    def value_held(self, value: str, at, depth: int = 0) -> "_Held":
        return _joined([self.variable_held(part.variable, at, depth)
                        for part in parse_value(value) if part.variable is not None])

    def variable_held(self, name: str, at, depth: int = 0) -> "_Held":
        name = name.lower()
        if depth > _DEPTH or _fixed_by_condition(name, at):
            return _NOTHING
        if name.isdigit() or (name not in self.sets and name not in self.maps and variable_facts(name) is None):
            found = self.capture_held(name, at, depth)
            if found is not None:
                return found
        if name in self.sets or name in self.maps:
            sets, location = self.sets_reaching(name, at)
            key = (name, id(location))
            if key in self._memo:
                return self._memo[key]
            self._memo[key] = _NOTHING  # a cycle holds nothing new
            held = [self.value_held(node.args[1], node, depth + 1) for node in sets]
            block = self.maps.get(name)
            if block is not None:
                for entry in block.children or ():
                    if block.name == "geo" or entry.name in ("hostnames", "volatile", "ranges", "include"):
                        continue  # geo values are plain strings
                    if entry.args:
                        held.append(self.value_held(entry.args[-1], entry, depth + 1))
            self._memo[key] = found = _either(held)
            return found
        if name in self.trusted or (self.link_only and name.startswith(_NOT_FROM_A_LINK)):
            return _NOTHING
        facts = variable_facts(name)
        if facts is None or not facts.client:
            return _NOTHING
        if name not in _URI_VARIABLES:
            return _Held.written(facts.mask)
        rewritten = self.uri_rewritten(at, depth)
        if rewritten is not None:
            return rewritten
        inside, final = self.uri_bound(at)
        mask = facts.mask & inside
        return _Held(mask | final, True, mask, mask | final)

    def sets_reaching(self, name: str, at) -> tuple[list, object]:
        """The `set`s of the variable whose value `at` may read, and the location they are narrowed to (None: all of
        them). A location that sets the variable itself, outside any `if`, gives it that value in its rewrite phase,
        whatever another location set before an internal redirect brought the request here; a directive of a later
        phase (`proxy_pass`) reads that value, or one its own `if` blocks set."""
        sets = self.sets.get(name, [])
        location = None if at.name in _REWRITE_MODULE else at if at.name == "location" else at.enclosing("location")
        if location is None or not any(child.name == "set" and child.args[:1] and
                                       child.args[0].lstrip("$").lower() == name for child in location.children or ()):
            return sets, None
        key = ("sets", name, id(location))
        if key not in self._memo:
            self._memo[key] = [node for node in sets if node is location or location in node.ancestors()]
        return self._memo[key], location

    def uri_rewritten(self, at, depth: int) -> "_Held | None":
        """What $uri holds at `at` when a `rewrite` that takes every URI ran before it (`rewrite ^ $request_uri;`):
        the replacement, which nginx does not decode, and what a later rewrite there may make of it; None where the
        decoded request URI may still be there."""
        key = ("uri", id(at))
        if key not in self._memo:
            self._memo[key] = None  # a cycle holds nothing new
            held = None
            for node, certain in _rewrites_before(at):
                replacement = self.value_held(node.args[1], node, depth + 1)
                held = replacement if certain else (None if held is None else _either([held, replacement]))
            self._memo[key] = held
        return self._memo[key]

    def uri_bound(self, at) -> tuple[int, int]:
        """(the bytes $uri can hold where `at` runs, those it can end with besides): in an exact location, its URI;
        in a location whose regex is anchored at both ends, only what a match can hold, and a final newline where
        `$` lets one through, after which the client writes nothing more in $uri; both where no other `rewrite` of
        the location changes the URI; elsewhere anything. A `rewrite` runs only on a URI its own regex matches,
        which bounds the $uri of its replacement too (`rewrite ^[^\\s]*/wp-admin$ $scheme://$host$uri/`)."""
        inside, final = self._location_bound(at)
        if at.name == "rewrite":
            sites = sites_at(self.tree, at)
            if sites and sites[0].subject == "uri":
                own, own_final = self._regex_bound(sites[0])
                inside, final = inside & own, (inside | final) & (own | own_final) & ~(inside & own)
        return inside, final

    def _location_bound(self, at) -> tuple[int, int]:
        location = at if at.name == "location" else at.enclosing("location")
        # a `rewrite … last` sends the request on to the location of its new URI: what runs here after it never
        # sees the rewritten URI
        if location is None or any(node.name == "rewrite" and node is not at and node.args[2:3] != ["last"]
                                   for node in location.walk()):
            return cs.ALL, 0
        match = location_match(location)
        if match is not None and match.modifier == "=":
            return cs.of(*match.pattern), 0
        if match is not None and match.modifier == "@":
            return self._named_bound(location.args[0])
        sites = sites_at(self.tree, location)
        if not sites or sites[0].subject != "uri":
            return cs.ALL, 0
        return self._regex_bound(sites[0])

    def _named_bound(self, name: str) -> tuple[int, int]:
        """A named location keeps the URI of the request sent to it: what the locations whose `try_files` or
        `error_page` name it let through (`location ~ ^/docs$ { try_files $uri @slash; }`). Anything where another
        block or Lua code (`ngx.exec`) may send to it."""
        key = ("named", name)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = (cs.ALL, 0)  # a cycle of named locations bounds nothing
        senders = [node.parent for directive in ("try_files", "error_page") for node in self.tree.nodes(directive)
                   if node.args and node.args[-1] == name]
        if not senders or any(sender is None or sender.name != "location" for sender in senders) or any(
                LUA_PHASE.get(found) for found in self.tree.names()):
            return self._memo[key]
        bounds = [self._location_bound(sender) for sender in senders]
        inside = final = 0
        for one_inside, one_final in bounds:
            inside, final = inside | one_inside, final | one_final
        self._memo[key] = found = (inside, final & ~inside)
        return found

    def _regex_bound(self, site) -> tuple[int, int]:
        facts = pattern_facts(self.tree, site.pattern, site.caseless)
        if facts.error or not facts.anchored_start or facts.end_anchor is None:
            return cs.ALL, 0
        return facts.mask, (cs.of("\n") if facts.end_anchor != "\\z" else 0)

    def must_hold_slash(self, name: str, at=None) -> bool:
        """The variable's value always holds a "/" (then no host can follow it in a URL)."""
        name = name.lower()
        if name in _SLASH_FIRST:
            return True
        if at is not None and self.capture_starts_with_slash(name, at):
            return True
        if name in self.sets:
            return all("/" in "".join(p.text for p in parse_value(n.args[1]) if p.variable is None)
                       for n in (self.sets_reaching(name, at)[0] if at is not None else self.sets[name]))
        block = self.maps.get(name)
        if block is not None:
            entries = [e for e in block.children or () if e.args and e.name not in _MAP_KEYWORDS]
            if not any(e.name == "default" for e in entries):
                return False  # no default: the value may be empty
            return all("/" in "".join(p.text for p in parse_value(e.args[-1]) if p.variable is None)
                       for e in entries)
        return False

    # -- captures -----------------------------------------------------------------------------------------------
    def captured(self, key: str, at):
        """(the regex site, the group) when `$1` or `$name` at `at` is a capture of the regex whose captures `at`
        sees, else None (a `set`, `map` or built-in variable)."""
        if not key.isdigit() and (key in self.sets or key in self.maps or variable_facts(key) is not None):
            return None
        source = self.capture_source(at)
        if source is None:
            return None
        site, _ = source
        found = group(site.pattern, key)
        return (site, found) if found is not None else None

    def capture_starts_with_slash(self, key: str, at) -> bool:
        """`$1` or `$name` at `at` always starts with "/": its group starts so, or starts the match of a regex
        anchored on the URI (`^(.*)$`)."""
        captured = self.captured(key, at)
        if captured is None:
            return False
        site, found = captured
        # the URI and the request line's path start with "/" (an absolute-form request's $request_uri too)
        on_uri = site.subject in _SLASH_FIRST or site.directive.name == "rewrite"
        return starts_with_slash(found.body) or (on_uri and found.before in ("^", "\\A"))

    def capture_source(self, at):
        """(site, subject mask) of the regex whose captures a directive sees, or None."""
        node = at
        if node.name == "rewrite" or (node.parent is not None and node.parent.name == "map"):
            sites = sites_at(self.tree, node)
            if sites:
                return sites[0], self.subject_mask(sites[0], node)
        block = node.parent
        while block is not None and block.d is not None:
            if block.name in ("if", "location"):
                sites = sites_at(self.tree, block)
                if sites:
                    return sites[0], self.subject_mask(sites[0], block)
                if block.name == "location":
                    return None
            block = block.parent
        return None

    def subject_mask(self, site, node) -> int:
        if site.directive.name == "rewrite":
            rewritten = self.uri_rewritten(node, _DEPTH - 1) if node.name == "rewrite" else None
            uri = _URI_MASK if rewritten is None else rewritten.mask
            return uri & ~cs.SPACE  # what the notes of nginx's rewrite captures allow through a redirect
        if site.subject == "uri":
            return _URI_MASK
        if site.subject is None:
            return cs.ALL
        if site.directive.name == "server_name" and not self.link_only:
            # a part of the name the client sent: $host is trusted as a whole name the server answers to, but
            # `~^(?<sub>.+)\.example\.com$` takes `Host: evil.test?.example.com` and captures `evil.test?`
            return variable_facts("host").mask
        return self.variable_mask(site.subject, node.parent or node, _DEPTH - 1)

    def capture_mask(self, key: str, at, depth: int) -> int | None:
        held = self.capture_held(key, at, depth)
        return None if held is None else held.mask

    def capture_held(self, key: str, at, depth: int) -> "_Held | None":
        source = self.capture_source(at)
        if source is not None:
            site, subject = source
            capture = pattern_facts(self.tree, site.pattern, site.caseless).capture(key)
            if capture is not None:
                if key.isdigit() and at.name == "set" and not _rewrite_ran_before(at):
                    # the rewrite module copies $1..$9 percent-encoded once the request URI was (as CR or LF
                    # in it must be), until a matching rewrite ends that (ngx_http_script_copy_capture_code)
                    return _Held.captured(capture, subject & ~CONTROL)
                return _Held.captured(capture, subject)
            if key.isdigit():
                return _NOTHING
        if key.isdigit():
            return None
        for site, node, name in self.named_sites().get(key, ()):
            capture = pattern_facts(self.tree, site.pattern, site.caseless).capture(name)
            if capture is not None:
                return _Held.captured(capture, self.subject_mask(site, node))
        return None

    def named_sites(self) -> dict:
        if self._named is None:
            self._named = {}
            for node, site in regex_sites(self.tree):
                if "(?" not in site.pattern:
                    continue
                for name, _ in pattern_facts(self.tree, site.pattern, site.caseless).names:
                    # nginx variables ignore case: `$texttrack` reads `(?<textTrack>…)`
                    self._named.setdefault(name.lower(), []).append((site, node, name))
        return self._named


class _Held(NamedTuple):
    """What the client can put in a value: `mask`, the bytes; `text`, whether it can write a run of its own
    choosing there (a header line: a name and a colon); `before_text`, the bytes such a run can follow inside the
    value; `last`, the bytes the client's part of it can end with (text the config writes after it aside)."""
    mask: int = 0
    text: bool = False
    before_text: int = 0
    last: int = 0

    @classmethod
    def written(cls, mask: int) -> "_Held":
        """A variable whose whole text the client writes ($uri, $remote_user)."""
        return cls(mask, True, mask, mask)

    @classmethod
    def captured(cls, capture, subject: int) -> "_Held":
        """A capture of a subject that can hold the `subject` bytes."""
        return cls(capture.mask & subject, capture.text, capture.before_text & subject, capture.last & subject)


_NOTHING = _Held()


def _either(held: list[_Held]) -> _Held:
    """What a variable set in several places can hold: whatever one of them can."""
    mask = before_text = last = 0
    text = False
    for one in held:
        mask, before_text, last = mask | one.mask, before_text | one.before_text, last | one.last
        text = text or one.text
    return _Held(mask, text, before_text, last)


def _joined(parts: list[_Held]) -> _Held:
    """What the variables of one value, in their order, can hold together."""
    joined = _either(parts)
    before_text = 0
    for found in _before_text(parts):
        before_text |= found
    return joined._replace(before_text=before_text)


def _before_text(parts: list[_Held]) -> list[int]:
    """For each variable of a value, the bytes it can hold that the client can follow with text of its own
    choosing: inside the variable itself (`(.*)`, `$uri`), or in a later variable, after this one's last byte
    (whatever the config writes between them)."""
    found = []
    text_after = False
    for part in reversed(parts):
        found.append(part.before_text | (part.last if text_after else 0))
        text_after = text_after or part.text
    return found[::-1]


def _flow(tree, kind="all") -> _Flow:
    """The value flow for a kind of rule: "ssrf" trusts $host, "link" counts only what a link to the site can
    set (its path and query, not the headers or cookies a browser sends)."""
    memo = tree.memo.setdefault(f"regex-flow-{kind}", {})
    if "flow" not in memo:
        trusted = {"ssrf": ("host",), "link": ("host", "remote_user", "content_type", "content_length")}
        memo["flow"] = _Flow(tree, trusted=trusted.get(kind, ()), link_only=kind == "link")
    return memo["flow"]


def _rewrite_ran_before(node) -> bool:
    """A `rewrite` comes before the node in the rewrite-module directives nginx runs with it: those of its
    location (or server), `if` blocks included."""
    scope = node.parent
    while scope is not None and scope.d is not None and scope.name == "if":
        scope = scope.parent
    stack = list(reversed(scope.children or ())) if scope is not None else []
    while stack:
        current = stack.pop()
        if current is node:
            return False
        if current.name == "rewrite":
            return True
        if current.name == "if":
            stack.extend(reversed(current.children or ()))
    return False


# a regex that finds a match in every URI: nginx's rewrite then replaces the whole URI with its replacement
_EVERY_URI = re.compile(r"\^?(?:\.\*|\(\.\*\))?")


def _rewrites_before(at) -> list:
    """(rewrite, certain) for each `rewrite` that changes the URI before `at` runs, in their order: the server's,
    then those of the location. `certain` when it takes every URI (`rewrite ^ $request_uri;`) and no `if` stands
    around it: $uri is then its replacement. A directive of the rewrite module sees only those written before it;
    any other runs after them all. A redirect, and a `last` that leaves the location, change no $uri seen here."""
    location = at if at.name == "location" else at.enclosing("location")
    server = at if at.name == "server" else at.enclosing("server")
    found = []
    for block in (server, location):
        if block is not None:
            found.extend(_rewrite_flow(block, at, last_leaves=block is location))
    return found


def _rewrite_flow(block, at, last_leaves: bool) -> list:
    found = []
    stack = [(child, False) for child in reversed(block.children or ())]
    while stack:
        node, conditional = stack.pop()
        if node is at and at.name in _REWRITE_MODULE:
            break
        if node.name == "if":
            stack.extend((child, True) for child in reversed(node.children or ()))
        elif node.name == "break" and not conditional:
            break
        elif node.name == "rewrite" and len(node.args) >= 2:
            flag = node.args[2] if len(node.args) > 2 else ""
            if rewrite_redirects(node) or (flag == "last" and last_leaves):
                continue
            certain = not conditional and _EVERY_URI.fullmatch(node.args[0]) is not None
            found.append((node, certain))
            if certain and flag in ("break", "last"):
                break
    return found


def _internal(node) -> bool:
    location = node.enclosing("location")
    while location is not None:
        match = location_match(location)
        if (match is not None and match.modifier == "@") or any(c.name == "internal" for c in location.children):
            return True
        location = location.parent.enclosing("location") if location.parent is not None else None
    return False


# -- SEC541 ssrf ------------------------------------------------------------------------------------------------

UPSTREAM_DIRECTIVES = ("proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass")


@rule("SEC541")
def ssrf(tree, report):
    nodes = [n for name in UPSTREAM_DIRECTIVES for n in tree.nodes(name) if n.args and "$" in n.args[0]]
    if not nodes:
        return
    flow = _flow(tree, "ssrf")
    access = AccessView(tree)
    for node in nodes:
        if _internal(node):
            continue  # reached only through an internal redirect, whose target the config chooses
        if access.local_clients_only(node.parent):
            continue  # only this host's own processes send the requests (a forward proxy on a unix socket)
        if forward_proxy(node):
            continue  # the server tunnels CONNECT requests: proxying to the host a client names is its job
        chain, _ = _host_source(flow, node.args[0], node, 0)
        if chain and _names_an_existing_file(flow, chain[-1], node):
            continue  # only a URI naming a file the site holds gets here: its capture names that file
        if chain:
            part = chain[0]
            through = "".join(f" (set from {inner.text})" for inner in chain[1:])
            report(
                node,
                f"the upstream host comes from {part.text}{through}, which the client chooses: a request can make "
                f"nginx connect to any host it names (server-side request forgery)",
                span=value_span(node.d, 0, part.start, part.end),
                help="name the upstream in the config (an upstream block or a map of allowed hosts) and pass "
                    "client input only in the path",
            )


def _names_an_existing_file(flow, part, node) -> bool:
    """The host comes from a capture of the URI, and the location lets only a URI that names an existing file reach
    its handler (`try_files $uri =404;`: try_files runs before the content phase and answers the status otherwise):
    the capture is part of a file name the site holds, not a host the client makes up."""
    name = part.variable.lower()
    if not name.isdigit() and (name in flow.sets or name in flow.maps or variable_facts(name) is not None):
        return False
    source = flow.capture_source(node)
    if source is None or source[0].subject != "uri":
        return False
    location = node.enclosing("location")
    gate = location.find("try_files") if location is not None else None
    if not gate:
        return False
    args = gate[0].args
    return len(args) >= 2 and args[-1].startswith("=") and all(arg in ("$uri", "$uri/") for arg in args[:-1])


def _host_source(flow, value, at, depth):
    """(the Parts that let the client choose the host: the variable in `value`, then the ones in the `set` values
    it comes from, or (); whether the host part ended inside the value). A `set` variable is read as the text
    it is set to. A value that starts with a template's masked tag and writes no `://` after it has its scheme and
    host there (`{{GRAFANA_URI}}$1`), chosen by whoever renders it."""
    if value.startswith(UNKNOWN_VALUE) and "://" not in value:
        return (), True
    parts, ended = _host_split(value)
    ended = ended or any(
        p.variable is None and p.text != "" and _ends_host(p.text, "://" not in value) for p in parts[-1:])
    for part in parts:
        if part.variable is None:
            continue
        name = part.variable.lower()
        if flow.lua_written(name):
            return (), True  # the Lua picks the host (`ngx.var.service_addr = addr`), what follows is its path
        if name in flow.sets and depth < 4:
            ends = True
            for node in flow.sets_reaching(name, at)[0]:
                found, inner_ended = _host_source(flow, node.args[1], node, depth + 1)
                if found:
                    return (part, *found), True
                ends = ends and inner_ended
            if ends:
                return (), True
            continue
        if flow.must_hold_slash(name, at):
            return (), True  # a path: the host ends before it
        if flow.variable_mask(name, at) & DOT:
            return (part,), True
    return (), ended


def _ends_host(text: str, no_scheme: bool) -> bool:
    rest = text if no_scheme or "://" not in text else text.split("://", 1)[1]
    return any(c in rest for c in "/?#")


def _host_split(value: str) -> tuple[list, bool]:
    """(the parts of an upstream address up to the end of its host: the scheme, `://`, and the host, which ends
    at the first `/`, `?` or `#` written in the text, or at $uri, which starts with one; whether it ends there). `$is_args$args` is `?` and the
    query string, or nothing: never part of the host, which goes on after it when the request has no query
    (`$is_args$arg_x` too)."""
    parts = parse_value(value)
    seen_scheme = "://" not in value
    host = []
    index = 0
    while index < len(parts):
        part = parts[index]
        if part.variable is None:
            text = part.text
            if not seen_scheme and "://" in text:
                seen_scheme = True
                text = text.split("://", 1)[1]
            if seen_scheme and any(c in text for c in "/?#"):
                return host, True
            if seen_scheme and _LITERAL_PORT.search(text):
                # `http://127.0.0.1:8088$1`: a host and port written out; what follows is the path or, if not,
                # a port nginx refuses ("invalid port", a 500), never another host
                return [*host, part], True
        elif _query_string_at(parts, index):
            index += 2
            continue
        elif seen_scheme and part.variable.lower() in _SLASH_FIRST:
            return host, True  # `http://app:8090$uri`: the path starts with the URI's own `/`
        host.append(part)
        index += 1
    return host, False


_LITERAL_PORT = re.compile(r"[^:/]:\d+$")


def _name_ends_with_variable(host) -> bool:
    """The host name of an upstream address (its host part up to a `:` and port) ends with a variable: no fixed
    domain written after it (`http://$1:$2/`, not `http://$node.x.test`)."""
    last = None
    for part in host:
        if part.variable is not None:
            last = part
            continue
        text = part.text.split("://", 1)[1] if "://" in part.text else part.text
        if ":" in text:
            return last is not None and text.startswith(":")
        if text:
            last = None
    return last is not None


def _query_string_at(parts, index: int) -> bool:
    """`$is_args` followed by `$args`, `$query_string` or an `$arg_*`, which is empty when $is_args is, starts at
    parts[index]."""
    following = (parts[index + 1].variable or "").lower() if index + 1 < len(parts) else ""
    return parts[index].variable.lower() == "is_args" and (
        following in ("args", "query_string") or following.startswith("arg_"))


# -- SEC542 http-splitting --------------------------------------------------------------------------------------

REDIRECT_CODES = ("301", "302", "303", "307", "308")


@rule("SEC542", "SEC573")
def check_http_splitting(tree, report):
    """SEC542 (a line break a client can write into a header line) and SEC573 (only a bare CR, opt-in): one pass
    over the values nginx writes into header lines."""
    sinks = list(_splitting_sinks(tree))
    if not sinks:
        return
    flow = _flow(tree)
    access = AccessView(tree)
    upstream_headers = None
    for node, index, what, forbidden in sinks:
        if _after_access_phase(node) and access.loopback_only(node):
            continue  # a browser elsewhere gets the 403, which carries nothing of its request
        if node.name == "proxy_pass" and _PATH_AS_HOST.match(node.args[index]):
            continue  # no host: nginx answers 500 "no host in upstream" and sends nothing (nginx 1.22)
        # the host of a proxy_pass with variables is sent as the Host header line (checked with nginx 1.22), unless
        # proxy_set_header sets Host: then it only names the upstream block or the name to resolve, and a line
        # break in it makes a name that no upstream and no DNS server has. Nor is it sent anywhere but to the
        # client's own server when the name ends with what the client chose (`http://$1:$2/`): only a domain of
        # the client's resolves such a name, and what it splits is the client's own request.
        host, host_ends = _host_split(node.args[index]) if node.name == "proxy_pass" else ([], True)
        in_host = {(p.start, p.end) for p in host}
        naming_only: set = set()
        if in_host:
            upstream_headers = upstream_headers or Lists(tree, ("proxy_set_header",))
            if _name_ends_with_variable(host) or \
                    any(h.args and h.args[0].lower() == "host" for h in upstream_headers.effective(node.parent)):
                # the last variable of a host no `/` ends may start the path (`http://$name$path`): kept, in the
                # request line
                variables = [(p.start, p.end) for p in host if p.variable is not None]
                naming_only = set(variables if host_ends else variables[:-1])
                in_host = set()
        parts = [part for part in parse_value(node.args[index])
                 if part.variable is not None and (part.start, part.end) not in naming_only]
        # a line break is harmful where the client can write a header line (a name and a colon) after it: one
        # `.` between letters the config writes (`(3.6)`) puts a lone CR there and nothing after it
        held = [flow.variable_held(part.variable, node) for part in parts]
        # `$is_args$args`: the query string comes after a "?", which starts no header name
        held = [one._replace(text=False) if at and parts[at - 1].variable.lower() == "is_args" else one
                for at, one in enumerate(held)]
        for part, mask in zip(parts, _before_text(held)):
            if part.variable.lower() == "remote_user" and access.user_checked(node) \
                    and (node.name.startswith("proxy_") or _after_access_phase(node)):
                continue  # only a known account's name gets past the access phase (nginx 1.22: a crafted one: 401)
            if mask & forbidden:
                where = "the Host header sent upstream" if (part.start, part.end) in in_host else what
                chars = "CR LF" if mask & CR_LF == CR_LF else ("LF" if mask & LF else "CR")
                # an LF ends a header line for any client; a bare CR only for one that breaks RFC 9112 (2.2), which
                # has a recipient refuse it or read it as a space: SEC573, opt-in
                bare_cr = not mask & LF
                report(
                    node,
                    f"{part.text} can hold {chars} (a request sends %0d%0a) and it goes into {where}: the client "
                    f"can add headers of its own or split the response"
                    + (" (a bare CR: clients that take it as a line end)" if bare_cr else ""),
                    span=value_span(node.d, index, part.start, part.end),
                    code="SEC573" if bare_cr else "SEC542",
                    help="use a value without line breaks: $request_uri (kept percent-encoded) instead of $uri, "
                        "or a capture that excludes them, such as ([^\\r\\n]*)",
                )
                break


def _fixed_by_condition(name: str, at) -> bool:
    """`at` runs only inside `if ($name = "literal")`: there the variable holds that string the config wrote. Or
    inside `if (-f $request_filename/index.html)` (`-d`, `-e`): the URI names a file that exists, and no client
    puts a line break in a file's name on the server."""
    block = at.parent if at is not None else None
    while block is not None and block.name == "if":
        equality = equality_condition(block)
        if equality is not None and equality[0] == name:
            return True
        if name in _URI_VARIABLES and _tests_an_existing_file(block):
            return True
        block = block.parent
    return False


def _tests_an_existing_file(block) -> bool:
    args = if_condition(block)
    return len(args) == 2 and args[0] in ("-f", "-d", "-e") and any(
        part.variable is not None and part.variable.lower() in _URI_VARIABLES for part in parse_value(args[1]))


# A proxy_pass whose host is the request's path, which always starts with "/": `http://$uri` has an empty host
_PATH_AS_HOST = re.compile(r"^[a-z]+://\$\{?(?:uri|document_uri|request_uri)\b", re.IGNORECASE)


def _after_access_phase(node) -> bool:
    """A response header that only a request the access phase let through carries: an add_header without
    `always`, which the 403 of a denied client does not carry. `return` and `rewrite` run in the rewrite phase,
    before the access phase, for every client; the proxy_* sinks harm the upstream with the attacker's own
    request, which a proxy on the same host relays with a loopback address."""
    return node.name == "add_header" and "always" not in node.args[2:]


def _splitting_sinks(tree):
    """(node, argument index, what it becomes, the bytes that break it) for every value nginx puts in a
    header line. proxy_* values go to the upstream, where a bare CR does not end a header line."""
    for node in tree.nodes("add_header"):
        if len(node.args) >= 2 and "$" in node.args[1]:
            yield node, 1, f"the {node.args[0]} response header", CR_LF
    for node in tree.nodes("proxy_set_header"):
        if len(node.args) >= 2 and "$" in node.args[1]:
            yield node, 1, f"the {node.args[0]} header sent upstream", LF
    for node in tree.nodes("proxy_pass"):
        if node.args and "$" in node.args[0] and "http" in node.ctx:  # stream's proxy_pass sends no header
            yield node, 0, "the request line sent upstream", LF
    for node, index in _redirect_sinks(tree):
        yield node, index, "the Location header", CR_LF


def _redirect_sinks(tree):
    """(node, argument index) of every redirect whose Location holds a variable: `return 3xx URL`, `return URL`
    and a `rewrite` that redirects (its flag, or a replacement with a scheme, whatever the flag)."""
    for node in tree.nodes("rewrite"):
        if len(node.args) >= 2 and "$" in node.args[1] and rewrite_redirects(node):
            yield node, 1
    for node in tree.nodes("return"):
        args = node.args
        if len(args) == 1 and args[0].startswith(("http://", "https://", "$scheme")) and "$" in args[0]:
            yield node, 0
        elif len(args) == 2 and args[0] in REDIRECT_CODES and "$" in args[1]:
            yield node, 1


# -- SEC543 weak-origin-regex ----------------------------------------------------------------------------------

_CHECKED_HEADERS = {"http_origin": "o", "http_referer": "r"}
ALLOW_ORIGIN = "access-control-allow-origin"
_ALLOW_CREDENTIALS = "access-control-allow-credentials"
_ACCEPTING = ("~", "~*", "=")  # an if whose body runs only for an Origin the check accepted


@rule("SEC543")
def weak_origin_regex(tree, report):
    cors = _Cors(tree)
    for node in tree.nodes("if"):
        for site in sites_at(tree, node):
            subject = (site.subject or "").lower()
            if subject == "http_referrer":
                report(
                    node,
                    "$http_referrer is always empty: the header is spelt Referer, so the variable is $http_referer, "
                    "and this check never sees what the client sent",
                    span=value_span(node.d, 0, node.args[0].startswith("("), len(node.args[0])),
                    help="$http_referer",
                    fix=Fix.of("Write `$http_referer`", edits.replace_written(node.d, 0, "$http_referrer",
                                                                               "$http_referer")),
                )
            elif subject in _CHECKED_HEADERS and (cors.credentials or not cors.only_allows_origin(node)) \
                    and not _refuses_matches(node) and not _parses_header(tree, node, cors) \
                    and not _only_redirects(node) and not _only_picks_a_handler(tree, node, cors):
                _judge_origin_site(tree, node, site, _CHECKED_HEADERS[subject], report,
                                   _sent_capture(node, site.pattern, cors) if subject == "http_origin" else None)
    if not cors.allowed or not cors.credentials:
        return  # an allowed Origin without credentials reads only what the attacker could fetch himself
    for block in tree.nodes("map"):
        if len(block.args) < 2 or block.args[1].lstrip("$").lower() not in cors.allowed_variables:
            continue
        if (parse_value(block.args[0])[:1] or [None])[0] is None or \
                (parse_value(block.args[0])[0].variable or "").lower() != "http_origin":
            continue
        for entry in block.children or ():
            for site in sites_at(tree, entry):
                _judge_origin_site(tree, entry, site, "o", report)
            if entry.name == "default" and entry.args and entry.args[0].lower() == "$http_origin":
                _reflection(entry, report, 0)
    for node in cors.allowed:
        if not cors.checked(node) and any(cors.unchecked_origin(part.variable)
                                          for part in parse_value(node.args[1]) if part.variable) \
                and cors.readable(node):
            _reflection(node, report, 1)


def _refuses_matches(node) -> bool:
    """`if ($http_referer ~* (spam.example)) { return 403; }`: a block list; a looser match only refuses more."""
    condition = regex_condition(node)
    return condition is not None and condition[1] in ("~", "~*") and any(map(error_return, node.find("return")))


def _only_redirects(node) -> bool:
    """`if ($http_referer ~* /testnet/swagger/) { rewrite ^/swagger/doc.json$ /testnet/swagger/doc.json redirect; }`:
    a match only sends the client elsewhere, where it asks again under that URI's own rules; it grants nothing."""
    children = node.children or ()
    return bool(children) and all(
        child.name == "rewrite" and rewrite_redirects(child)
        or child.name == "return" and bool(child.args) and child.args[0] in REDIRECTS
        for child in children)


# What an `if` may hold that only picks who answers the same request: a handler and its settings
_HANDLER_CHOICE = frozenset({"proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "proxy_set_header",
                             "set", "break"})


def _only_picks_a_handler(tree, node, cors) -> bool:
    r"""`if ($http_referer ~* "translate\.googleusercontent\.com") { set $ssr 1; }`, with `$ssr` read only by ifs
    that pass the request to another handler (`if ($ssr = 1) { proxy_pass http://ssr; }`) and by logs: the match
    chooses who renders the same public page; it refuses, grants and sends nothing."""
    children = node.children or ()
    if not children or any(child.name != "set" or len(child.args) < 2 for child in children):
        return False
    names = {child.args[0].lstrip("$").lower() for child in children}
    if not names.isdisjoint(cors.allowed_variables):
        return False
    readers = {id(other): other for name in names for other in _variable_readers(tree).get(name, ())}.values()
    # a flag nothing in view reads may be tested where it decides access
    return bool(readers) and all(other.name == "if" and all(child.name in _HANDLER_CHOICE
                                                            for child in other.children or ()) for other in readers)


def _variable_readers(tree) -> dict[str, list]:
    """{variable name (lower case): the directives that read it}, a log format or a `set` left out; made once per
    tree."""
    readers = tree.memo.get("variable-readers")
    if readers is None:
        readers = tree.memo["variable-readers"] = {}
        for node in tree.walk():
            if node.name not in ("set", "log_format"):
                for name in {variable.name.lower() for arg in node.args for variable in variables(arg)}:
                    readers.setdefault(name, []).append(node)
    return readers


_CAPTURE = re.compile(r"\$\{?[1-9]\b")


def _parses_header(tree, node, cors) -> bool:
    """`if ($http_referer ~* "^(https?)://([^:]+)(/.*)$") { set $x_scheme $1; set $x_port ""; }`: the regex takes
    the header apart, and no check reads the parts (no `if` tests them, no CORS header sends them): it allows
    nothing, so a loose pattern lets nothing in."""
    children = node.children or ()
    if any(child.name != "set" or len(child.args) < 2 for child in children) \
            or not any(_CAPTURE.search(child.args[1]) for child in children):
        return False
    names = {child.args[0].lstrip("$").lower() for child in children}
    if not names.isdisjoint(cors.allowed_variables):
        return False
    tested = (arg.lower() for other in tree.nodes("if") for arg in other.args)
    return not any(f"${name}" in arg for arg in tested for name in names)


_SERVES_FILES = frozenset({"root", "alias", "try_files"})


class _Cors:
    """What a config does with Access-Control-Allow-Origin: the add_headers that send it, whether
    Access-Control-Allow-Credentials: true can be sent with it, and which Origins reach it unchecked."""

    def __init__(self, tree):
        headers = [n for n in tree.nodes("add_header") if len(n.args) >= 2]
        self.allowed = [n for n in headers if n.args[0].lower() == ALLOW_ORIGIN]
        self.allowed_variables = {part.variable.lower() for n in self.allowed for part in parse_value(n.args[1])
                                  if part.variable}
        self.more_credentials = any(_more_headers_credentials(n.args) for n in tree.nodes("more_set_headers"))
        self.credentials = any(_credentials(n) for n in headers) or self.more_credentials
        self.sets = _flow(tree).sets  # variable name -> its `set` lines
        self._tree, self._access = tree, None  # AccessView, made for the first location that serves files

    def readable(self, node) -> bool:
        """The answers that carry this add_header may be read with the user's cookies: its block (whose add_header
        list is the one sent: a block with one of its own inherits none) sends the credentials header too, and
        the answer is no fixed text of the config, such as the 204 of a preflight `if ($request_method = OPTIONS)
        { …; return 204; }`, which holds nothing of the user's to read. Such a preflight counts when the
        location's other answers get the header from Lua (`ngx.header["Access-Control-Allow-Origin"] = …`): the
        request it lets through is then read."""
        block = node.parent
        if self.more_credentials:
            return True  # headers-more's lists are not replaced as add_header's are: not followed here
        if not any(_credentials(child) for child in block.children or ()):
            return False
        if block.name != "if":
            return not answers_nothing_of_the_user(block) and not self._public_files(block)
        fixed = any(child.name == "return" and not any("$" in arg for arg in child.args)
                    for child in block.children or ())
        return not fixed or block.parent is not None and _lua_allows_origin(block.parent)

    def _public_files(self, block) -> bool:
        """A location that serves files from disk (its own `root`, `alias` or `try_files`; no proxy, no Lua or
        FastCGI handler) to anyone (no allow list, no authentication): every client gets the same bytes, so the
        user's cookies add nothing an attacker could not fetch himself."""
        if block.name != "location":
            return False
        inside = list(block.walk())
        if any(hands_off(inner) for inner in inside) or not any(inner.name in _SERVES_FILES for inner in inside):
            return False
        if self._access is None:
            self._access = AccessView(self._tree)
        return not self._access.opaque(block) and self._access.open_to_anyone(block, (4, 6)) == [4, 6]

    def checked(self, node) -> bool:
        """True when node runs only for an Origin an if accepted: inside `if ($http_origin ~ …)`, or inside
        `if ($flag …)` where every non-empty value of $flag is set inside such an if."""
        return any(_accepts_origin(block) or self._origin_flag(block) for block in node.ancestors()
                   if block.name == "if")

    def unchecked_origin(self, variable: str) -> bool:
        """True when $variable can hold an Origin no check accepted: $http_origin itself, or a copy of it set
        outside the ifs that check it."""
        name = variable.lower()
        if name == "http_origin":
            return True
        return any(node.args[1].lower() == "$http_origin" and not self.checked(node)
                   for node in self.sets.get(name, ()))

    def only_allows_origin(self, block) -> bool:
        """True when the if's body only decides Access-Control-Allow-Origin (and other CORS headers): its
        check then matters only as far as the answer may be read with the user's cookies."""
        effect = False
        for child in block.children or ():
            if child.name == "add_header" and child.args and child.args[0].lower().startswith("access-control-"):
                effect = effect or child.args[0].lower() == ALLOW_ORIGIN
            elif child.name == "set" and child.args:
                effect = effect or self._feeds_allow_origin(child.args[0].lstrip("$").lower())
            else:
                return False
        return effect

    def _feeds_allow_origin(self, variable: str) -> bool:
        return variable in self.allowed_variables or any(
            self._tests(block, variable) for node in self.allowed for block in node.ancestors() if block.name == "if")

    def _origin_flag(self, block) -> bool:
        condition = if_condition(block)
        name = condition[0].lstrip("$").lower() if condition and condition[0].startswith("$") else ""
        if not name or name == "http_origin" or name not in self.sets:
            return False
        if len(condition) == 3 and condition[1] == "=":
            return self._only_checked_make(name, condition[2], 4)
        return all(_accepts_origin_above(node) for node in self.sets[name] if _may_pass(condition, node.args[1]))

    def _only_checked_make(self, name: str, value: str, depth: int) -> bool:
        """Every `set` that may give $name the value `value` runs only for an Origin a check accepted, or appends to
        a value that only such sets give (`set $cors "true";` in the Origin check, then `set $cors "${cors}get";`
        for GET: only a checked Origin makes "trueget")."""
        if not value or depth == 0:
            return False  # the empty value is the flag's before any set
        for node in self.sets.get(name, ()):
            written = node.args[1]
            suffix = _appended(written, name)
            if suffix is not None:
                if value.endswith(suffix) and not _accepts_origin_above(node) and \
                        not self._only_checked_make(name, value[:len(value) - len(suffix)], depth - 1):
                    return False
            elif "$" in written or written == value and not _accepts_origin_above(node):
                return False
        return True

    @staticmethod
    def _tests(block, variable: str) -> bool:
        condition = if_condition(block)
        return bool(condition) and condition[0].lstrip("$").lower() == variable


def _accepts_origin(block) -> bool:
    """`if ($http_origin ~ …)` or `= …`: the body runs only for an Origin the check accepted."""
    condition = if_condition(block)
    return len(condition) == 3 and condition[0].lower() == "$http_origin" and condition[1] in _ACCEPTING


def _accepts_origin_above(node) -> bool:
    return any(_accepts_origin(block) for block in node.ancestors() if block.name == "if")


def _appended(written: str, name: str) -> str | None:
    """The text a `set` appends to the variable it sets (`"${cors}get"`, `$cors-post` for $cors), or None."""
    for own in (f"${{{name}}}", f"${name}"):
        if written.lower().startswith(own):
            rest = written[len(own):]
            if "$" not in rest and not (own == f"${name}" and (rest[:1].isalnum() or rest[:1] == "_")):
                return rest
    return None


def _may_pass(condition: list[str], value: str) -> bool:
    """True when `set $flag value` may let `if ($flag)` or `if ($flag = x)` run its body."""
    if "$" in value:
        return True
    if len(condition) == 1:
        return value not in ("", "0")
    if len(condition) == 3 and condition[1] == "=":
        return value == condition[2]
    return True


_LUA_ALLOW_ORIGIN = re.compile(
    r"""ngx\.header\s*(?:\[\s*["']access[-_]control[-_]allow[-_]origin["']\s*\]|\.access_control_allow_origin)\s*=(?!=)""",
    re.IGNORECASE)


def _lua_allows_origin(block) -> bool:
    """A Lua block in the block sets Access-Control-Allow-Origin on the answer."""
    return any(node.d.lua is not None and _LUA_ALLOW_ORIGIN.search(node.d.lua.text) for node in block.walk())


def _credentials(node) -> bool:
    """`add_header Access-Control-Allow-Credentials true` (or a variable that can be true)."""
    return node.name == "add_header" and len(node.args) >= 2 and node.args[0].lower() == _ALLOW_CREDENTIALS \
        and _may_be_true(node.args[1])


def _may_be_true(value: str) -> bool:
    """Access-Control-Allow-Credentials' value is true, or a variable that can be."""
    return value.strip().lower() == "true" or "$" in value


def _more_headers_credentials(args) -> bool:
    for arg in args:
        name, _, value = arg.partition(":")
        if name.strip().lower() == _ALLOW_CREDENTIALS and _may_be_true(value):
            return True
    return False


def _reflection(node, report, index):
    report(
        node,
        "Access-Control-Allow-Origin repeats whatever Origin the client sent: every site may read the answers "
        "with the user's cookies",
        arg=index,
        help="map $http_origin to the allowed origins with anchored regexes (^https://app\\.example\\.com$) and "
            "default \"\"",
    )


_CAPTURE_VALUE = re.compile(r"\$(?:\{([1-9])\}|([1-9]))")


def _sent_capture(node, pattern: str, cors) -> str | None:
    r"""`if ($http_origin ~* ^(https?://[^/]*\.example\.com)) { set $cors $1; }` with `$cors` sent as
    Access-Control-Allow-Origin: the browser takes the answer only when the Origin equals the capture, so what the
    check lets through is the group's text alone, anchored at both ends. None where the if sends anything else."""
    numbers = set()
    for child in node.children or ():
        if child.name in ("add_header", "more_set_headers"):
            return None
        if child.name == "set" and len(child.args) >= 2 and child.args[0].lstrip("$").lower() in cors.allowed_variables:
            value = _CAPTURE_VALUE.fullmatch(child.args[1])
            if value is None:
                return None
            numbers.add(value.group(1) or value.group(2))
    if len(numbers) != 1:
        return None
    captured = group(pattern, numbers.pop())
    return f"^(?:{captured.body})$" if captured is not None else None


def _judge_origin_site(tree, node, site, kind, report, pattern: str | None = None):
    """Report what the check's regex (or `pattern`, the part of it that decides) lets through."""
    caseless = "1" if site.caseless else "0"
    pattern = pattern or site.pattern
    verdict = _origin_verdict(tree, "weakness", kind + caseless + pattern)
    if verdict is None or verdict[0] == "malformed":
        settings = tree.settings
        domains = [d for d in settings.origin_domains if d != "*"]
        if domains or settings.origin_https_only:
            policy = kind + caseless + ("1" if settings.origin_https_only else "0") + ",".join(domains)
            verdict = _origin_verdict(tree, "beyond_policy", f"{policy} {pattern}") or verdict
    if verdict is None:
        return
    problem, sample = verdict
    sample = sample.replace("`", "x") or "any value"  # nginxlint.regex.origins.FREE: a letter left free
    header = "Origin" if kind == "o" else "Referer"
    if problem in ("untrusted", "plain-http"):
        why = (f"its site is none of the origin-domains setting ({', '.join(tree.settings.origin_domains)}); "
               "narrow the regex to those sites" if problem == "untrusted" else
               "it is plain http, and the origin-https-only setting allows https only; write https:// in the regex")
        report(
            node,
            f"this regex also accepts the {header} {sample}: {why}",
            span=site.span(),
            severity="error" if kind == "o" else "warning",
        )
        return
    if problem != "malformed":
        how = {"prefix": "it is not anchored with ^, so text in front passes",
               "suffix": "it is not anchored at the end of the host, so a domain of someone else can follow",
               "foreign": "a site someone else can register matches it"}[problem]
        report(
            node,
            f"this regex also accepts the {header} {sample}: {how}; anchor it with ^ and $ (or / after the host) "
            "and escape every dot",
            span=site.span(),
            severity="error" if kind == "o" else "warning",
        )
    else:
        report(
            node,
            f"this regex accepts the {header} {sample}, which no browser sends (an Origin has no path and a "
            "lower-case host): the check does not say what it means",
            span=site.span(),
            severity="info",
        )


def _origin_verdict(tree, question: str, key: str):
    """The answer of nginxlint.regex.origins' `weakness` or `beyond_policy` for key, memoised and cached."""
    memo = tree.loader.memo("regex-origins-" + question)
    if key not in memo:
        from ..regex import origins  # samples of the pattern: only for Origin and Referer checks

        judge = getattr(origins, question)
        cache = getattr(tree.loader, "cache", None)
        # 3: the dot before the top-level domain admits no site anyone can register
        memo[key] = cache.get(f"regex-origin-3-{question}", key, judge) if cache is not None else judge(key)
    return memo[key]


# -- SEC544 valid-referers-none ---------------------------------------------------------------------------------

@rule("SEC544")
def valid_referers_none(tree, report):
    guarding = _referer_guards(tree)
    for node in tree.nodes("valid_referers"):
        guarded = guarding.get(id(node.parent))
        if guarded and not any(_runs_a_handler(block) for block in guarded):
            continue  # hot-link protection of files: letting requests without a Referer through is its trade-off
        lax = [i for i, arg in enumerate(node.args) if arg.lower() in _LAX_REFERERS]
        by_line: dict[int, list[int]] = {}
        for index in lax:
            by_line.setdefault(node.d.arg_span(index).line, []).append(index)
        keeps_a_site = len(lax) < len(node.args)
        for indices in by_line.values():  # one finding per line: the line is what the user edits
            _report_lax_referers(node, indices, keeps_a_site, report)


def _referer_guards(tree) -> dict[int, list]:
    """The blocks whose `if ($invalid_referer)` acts on the check, by the block of the `valid_referers` that
    sets the variable there (the nearest one above). A check whose variable no `if` in view tests (a map,
    another file) has none: what it guards is unknown."""
    guards: dict[int, list] = {}
    for node in tree.nodes("if"):
        if node.parent is None or "$invalid_referer" not in " ".join(node.args):
            continue
        for block in [node.parent, *node.parent.ancestors()]:
            if block.find("valid_referers"):
                guards.setdefault(id(block), []).append(node.parent)
                break
    return guards


def _runs_a_handler(block) -> bool:
    """The block (or a location in it) hands requests to an application: a `*_pass` or a Lua handler. Without
    one it serves files, and a Referer check on files is hot-link protection."""
    return any(hands_off(node) for node in block.walk())


_LAX_REFERERS = {"none": "without a Referer header",
                 "blocked": "whose Referer has no scheme (as proxies and firewalls leave it)"}


def _report_lax_referers(node, indices: list[int], keeps_a_site: bool, report) -> None:
    words = [node.args[i] for i in indices]
    quoted = " and ".join(f'"{w}"' for w in words)
    what = ", or ".join(_LAX_REFERERS[w.lower()] for w in words)
    report(
        node,
        f"{quoted} {'lets' if len(words) == 1 else 'let'} every request {what} through, and a client chooses "
        "to send no Referer: the referer check protects nothing against a direct request",
        arg=indices[0],
        help="drop " + " and ".join(words) + " and list only the sites allowed to link here",
        # requests without a Referer (typed URLs, privacy settings) are then refused
        fix=Fix.of(f"Remove {' and '.join(f'`{w}`' for w in words)}",
                   *(edits.delete_arg(node.d, i) for i in indices), applicability=UNSAFE)
        if keeps_a_site else None,
    )


# -- SEC545 regex-redos -----------------------------------------------------------------------------------------

@rule("SEC545")
def regex_redos(tree, report):
    merging = None
    for node, site in regex_sites(tree):
        subject = variable_facts(site.subject) if site.subject is not None else None
        if subject is not None and not subject.client:
            continue  # matched against what the server or the upstream says
        if _unread_map(tree, node):
            continue  # nginx matches a map's regexes when its variable is read, and nothing reads it
        slashes = _required_double_slash(site.pattern) if site.subject == "uri" else None
        if slashes is not None:
            merging = nearest(tree, "merge_slashes") if merging is None else merging
            merged = value_at(merging, node)
            if merged is not None and merged.args[:1] == ["off"]:
                slashes = None  # `merge_slashes off`: the URI keeps the client's `//`
        holds = subject.mask if subject is not None else cs.ALL
        facts = pattern_facts(tree, site.pattern, site.caseless)
        # a repetition splits only on a subject with a byte it needs: $request_uri holds no LF for `.` to miss
        redos = next((found for found in facts.redos if found[5] & holds), None)
        if redos is not None:
            start, end, inner_start, inner_end, shape, _ = redos
            inner = site.pattern[inner_start:inner_end]
            why = (f"{inner} repeats inside a repetition that can take the same characters, 2^n ways to split n "
                   "characters" if shape == "nested" else f"the alternatives {inner} can match the same text")
            cost = "costs up to PCRE2's match limit of ten million steps in a worker"
        elif facts.adjacent and facts.adjacent[2] & holds:  # a split needs a byte both take in the subject
            start, end, _ = facts.adjacent
            if _DOTS.fullmatch(site.pattern[start:end]) and site.pattern[end:] in ("", "$") \
                    and not cs.has(holds, "\n"):
                continue  # `.*.*$` fails only on an LF, which the subject never holds: the first split matches
            why = "two repetitions side by side take the same characters, n² ways to split n characters"
            cost = "costs a worker time that grows with the square of its length"
        else:
            continue
        if slashes is not None and start >= slashes:
            continue  # past a `//` the normalised URI never holds (merge_slashes): the match fails before it
        report(
            node,
            f"{site.pattern[start:end]} backtracks on a request that almost matches ({why}): one crafted request "
            + cost,
            span=site.span(start, end),
            help="make the repetitions exclusive, e.g. ([^/]+/)* instead of (.+/)*, or use an atomic group (?>...)",
        )


def _unread_map(tree, node) -> bool:
    """A regex of a `map` whose variable nothing reads: no directive of a whole main config names it, and no Lua it
    runs mentions it (`ngx.var.proxy_add_forwarded`). nginx evaluates a map only when its variable is read."""
    block = node.parent
    if block is None or block.name != "map" or len(block.args) < 2 or not tree.is_main:
        return False  # a fragment's map is for configs out of view to read
    name = block.args[1].lstrip("$").strip("{}").lower()
    if not tree.complete:  # what includes out of view may read: the repository's files name it nowhere else
        return _named_once(tree.loader, name)
    read = tree.memo.get("variables-read")
    if read is None:
        read = tree.memo["variables-read"] = frozenset(  # a map's second argument is what it sets, not a read
            variable.name for other in tree.walk() for arg in (other.args[:1] if other.name == "map" else other.args)
            for variable in variables(arg))
    return name not in read and not any(name in (unit.text or "").lower() for unit in tree.lua.units)


def _named_once(loader, name: str) -> bool:
    """No file the run read (configs, templates, Lua) names the variable but the map that sets it: a config a
    template renders or a mount brings in comes from these files too."""
    def count() -> int:
        word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
        return sum(len(word.findall(source.text)) for source in loader.read_files())

    return loader.once("variable-mentions", name, count) == 1  # once per map, however many regexes it has


# Repetitions of `.` side by side (`.*.*`, `.+.*`): they take any byte but LF
_DOTS = re.compile(r"(?:\.[*+]\??)+")


def _required_double_slash(pattern: str) -> int | None:
    """Where a pattern with no alternative at its top level requires `//` there (outside groups and classes, the
    second slash not made optional): nginx's URI, its slashes merged, never holds it."""
    found = None
    for at in top_level(pattern):
        if pattern[at] == "|":
            return None
        if found is None and pattern.startswith("//", at) and not pattern.startswith(("?", "*", "{0"), at + 2):
            found = at
    return found


# -- SEC546 overlapping-captures --------------------------------------------------------------------------------

@rule("SEC546")
def overlapping_captures(tree, report):
    for node in tree.nodes("rewrite"):
        if len(node.args) < 2 or "$" not in node.args[1]:
            continue
        replacement = node.args[1]
        if replacement.endswith("?"):
            replacement = replacement[:-1]
        parts = parse_value(replacement)
        if any(p.variable is not None and not p.is_capture for p in parts):
            continue
        flag = node.args[2] if len(node.args) > 2 else ""
        redirect = flag in ("redirect", "permanent") or replacement.startswith(("http://", "https://"))
        escaped = []
        in_args = False
        for part in parts:
            if part.variable is None:
                in_args = in_args or "?" in part.text
            elif redirect or in_args:
                escaped.append(part)
        numbers = [int(p.variable) for p in escaped]
        every = [p.variable for p in parts if p.is_capture]
        if len(set(numbers)) < 2 or len(set(every)) < len(every):
            continue  # a capture used twice makes nginx compute the length from the escaped text
        facts = pattern_facts(tree, node.args[0])
        captures = [facts.capture(n) for n in set(numbers)]
        captures = [c for c in captures if c is not None]
        nested = next(((inner, outer) for inner in captures for outer in captures if inner.inside(outer)), None)
        if nested is None:
            continue
        inner, outer = nested
        report(
            node,
            f"${outer.number} and ${inner.number} are nested captures, both escaped into the "
            f"{'redirect' if redirect else 'arguments'}: nginx before 1.30.2 sizes the buffer for the raw text and "
            "writes the escaped one, a heap overflow a request can trigger",
            span=value_span(node.d, 1, escaped[0].start, escaped[-1].end),
            help="use named captures and refer to them by name, or upgrade nginx",
        )


# -- SEC547 unnamed-groups --------------------------------------------------------------------------------------

_ENDS = ("last", "break", "redirect", "permanent")


@rule("SEC547")
def unnamed_groups(tree, report):
    for node in tree.nodes("rewrite"):
        args = node.args
        if len(args) < 2 or "?" not in args[1] or (len(args) > 2 and args[2] in _ENDS):
            continue
        if args[1].startswith(("http://", "https://", "$scheme")):
            continue
        user = _later_capture_use(node)
        if user is None:
            continue
        later, index, part = user
        report(
            later,
            f"{part.text} is read after a rewrite whose replacement has arguments ({args[1]}): nginx before "
            "1.30.2 reads the captures with the wrong lengths there, a heap overflow a request can trigger",
            span=value_span(later.d, index, part.start, part.end),
            related=[node.location("the rewrite")],
            help="use a named capture, or end the rewrite with last or break",
        )


def _later_capture_use(rewrite):
    """(node, argument index, Part) of the first later `set`, `if (… = …)` or file test that reads $N, looking in
    the rewrite's block and then, out of `if` blocks, in the enclosing ones; None past a return or break."""
    node = rewrite
    while node.parent is not None:
        block = node.parent
        siblings = block.children or []
        after = siblings[siblings.index(node) + 1:] if node in siblings else []
        for later in after:
            if later.name == "return" or (later.name == "break" and not later.args):
                return None
            found = _capture_read(later)
            if found is not None:
                return found
            if later.name == "if":
                for inner in later.children or ():
                    found = _capture_read(inner)
                    if found is not None:
                        return found
        if block.name != "if":
            return None
        node = block
    return None


def _capture_read(node):
    if node.name == "set" and len(node.args) >= 2:
        return _first_capture(node, 1)
    if node.name == "if" and node.args:
        words = [(i, a.lstrip("(") if i == 0 else a) for i, a in enumerate(node.args)]
        words = [(i, a) for i, a in words if a not in ("", ")")]
        if len(words) >= 2 and words[0][1] in ("-f", "-d", "-e", "-x", "!-f", "!-d", "!-e", "!-x"):
            return _first_capture(node, words[1][0])
        if len(words) >= 3 and words[1][1] in ("=", "!="):
            return _first_capture(node, words[2][0])
    return None


def _first_capture(node, index):
    for part in parse_value(node.args[index]):
        if part.is_capture:
            return node, index, part
    return None


# -- SEC548 unanchored-regex ------------------------------------------------------------------------------------

# Logging, which changes nothing of an answer.
_LOGGING = frozenset({"access_log", "log_not_found", "log_subrequest", "error_log", "open_log_file_cache"})
_REFUSING = _LOGGING | {"deny"}


# Handlers that run the script file the URI names (PHP-FPM through FastCGI, CGI gateways): a longer URI that ends
# in an uploaded file's name has it run.
_SCRIPT_PASSES = ("fastcgi_pass", "scgi_pass", "uwsgi_pass")


@rule("SEC548")
def unanchored_regex(tree, report):
    access = None
    for node in tree.nodes("location"):
        sites = sites_at(tree, node)
        if not sites or _only_refuses(node):
            continue  # `location ~ /\. { deny all; }`: matching anywhere is the point, and refuses more
        if node.find("internal"):
            continue  # no client request reaches it: only the config's own redirects, whose URIs it writes
        if _returns_only(node):
            continue  # `return` runs before any handler: a longer path, guarded or not, gets the same answer
        access = AccessView(tree) if access is None else access
        harm = _own_harm(node) if not _trusted_clients_only(node, access) else None
        guard = None
        if harm is None:
            guard = _guard_taken_from(tree, node)
            if not guard:
                # no access rule to leave (or none in sight: an unread include may hold one, and an absence is not
                # a finding), no script run by name, no files of its own: a longer URI gets the same answer
                continue
            harm = _harm(guard, "its files and fallback answer" if _serves_files_only(node) else "its handler answers")
        for site in sites:
            facts = pattern_facts(tree, site.pattern, site.caseless)
            if facts.error or facts.unanchored is None or facts.unanchored[0] == facts.unanchored[1]:
                continue  # an empty pattern: every URI, plainly
            start, end = facts.unanchored
            text = site.pattern[start:end]
            if _found_in_every_uri(text):
                continue  # written for every URI (`~ (/.*)` of a gateway): no path is one it was not written for
            report(
                node,
                f'"{text}" is anchored at neither end: PCRE2 looks for it anywhere in the URI, so '
                f"{_inside_example(text, guard)} matches too, and this location serves paths it was not written "
                f"for ({harm})",
                span=site.span(start, end),
                related=[guard.location("the location it takes URIs from")] if guard else [],
                help=f"anchor it: ^...{text} or {text}$",
            )


# What every URI holds: a `/` (each starts with one), any character, or nothing; groups around them aside.
_INSIDE_EVERY_URI = re.compile(r"/?(?:\.[*+]?)?")
_GROUPING = re.compile(r"\(\?(?::|P?<\w+>|'\w+')|[()]")


def _found_in_every_uri(text: str) -> bool:
    """The unanchored text matches inside every URI (`/`, `.*`, `/.*`, `(/.*)`, `.+`)."""
    return _INSIDE_EVERY_URI.fullmatch(_GROUPING.sub("", text)) is not None


def _harm(guard, answer) -> str:
    return f"{answer} them without the access rule of location {location_match(guard).pattern}"


def _own_harm(location) -> str | None:
    """What a longer URI does in the location whatever else the server holds: runs a script named by the URI,
    or reads a file of the location's own root or alias; None when neither."""
    for child in location.children or ():
        if child.name in _SCRIPT_PASSES:
            return "a script handler runs the file a longer URI names, such as an uploaded image"
        if child.name in ("root", "alias"):
            if child.name == "root" and child.args and _root_served_openly(location, child.args[0]):
                continue  # `location /` serves every file of that root to anyone already
            if child.args and _ACME_WEBROOT.search(child.args[0]):
                continue  # certbot's webroot holds only the challenge tokens, which are public by design
            return f"any file under its {child.name} {child.args[0] if child.args else ''} whose path holds the " \
                   "pattern is served"
    return None


# A directory kept for ACME challenges (certbot's `--webroot-path`): `/var/www/certbot`, `/var/lib/letsencrypt`.
_ACME_WEBROOT = re.compile(r"(?:^|/)(?:certbot|letsencrypt|acme(?:[-_]challenges?)?)(?:/|$)", re.IGNORECASE)


def _root_served_openly(location, root: str) -> bool:
    """The server serves files of this same root to every client without the location: its `location /` only
    serves files (no handler, no access rule), or, without one, the static handler answers the URIs no location
    takes from the server's root; and that root, its own or inherited, is this one."""
    server = location.enclosing("server")
    if server is None:
        return False
    front = next((node for node in server.find("location") if node.args == ["/"]), None) or server
    if front is not server and not _serves_files_only(front, _FILE_SETTINGS | {"root"}):
        return False
    served = next((found[0] for block in blocks_up(front) if (found := block.find("root"))), None)
    return served is not None and bool(served.args) and served.args[0].rstrip("/") == root.rstrip("/")


def _trusted_clients_only(location, access) -> bool:
    """Only this host's processes or clients that pass an access rule reach the location: its server listens on
    the loopback only, or the access phase lets no arbitrary client through (allow lists, authentication, the
    server's or its own). A longer URI then reaches nothing those clients cannot already reach."""
    server = location.enclosing("server")
    if server is not None and listens_locally(server):
        return True
    return not access.opaque(location) and not access.open_to_anyone(location, (4, 6))


def _only_refuses(location) -> bool:
    """The location does nothing but refuse: deny (with logging settings), or return an error status, which ends
    the request in the rewrite phase whatever else the location sets (`modsecurity off; return 429;`), unless a
    rewrite or an `if` may answer first."""
    children = location.children or []
    if any(error_return(child) for child in children):
        return not any(child.name in ("rewrite", "if") for child in children)
    refuses = False
    for child in children:
        if child.name == "deny":
            refuses = True
        elif child.name not in _REFUSING:
            return False
    return refuses


# What a location may hold and still only serve the files under the server's root: settings of the static file
# handler and of the response (no handler, no access rule, no other root or alias, no rewrite).
_FILE_SETTINGS = _LOGGING | frozenset({
    "expires", "add_header", "add_trailer", "etag", "if_modified_since", "sendfile", "sendfile_max_chunk", "tcp_nopush", "tcp_nodelay",
    "directio", "directio_alignment", "aio", "output_buffers", "postpone_output", "limit_rate", "limit_rate_after",
    "gzip", "gzip_static", "gzip_vary", "gzip_types", "gzip_comp_level", "gzip_proxied", "gzip_min_length",
    "open_file_cache", "open_file_cache_valid", "open_file_cache_min_uses", "open_file_cache_errors", "charset",
    "default_type", "max_ranges", "keepalive_timeout", "send_timeout", "try_files", "index",
})
# What withholds a path from some clients: access rules, authentication, `internal`.


# What a location may hold besides `return` and still answer every URI with it: logging and response headers.
_RETURN_SETTINGS = _LOGGING | frozenset({"add_header", "add_trailer", "expires", "charset", "default_type"})


def _returns_only(location) -> bool:
    """The location answers with `return` alone (any status), which runs before any handler:
    `location ~ /\\.well-known/caldav { return 301 /dav; }` gives a longer path the same redirect."""
    children = location.children or ()
    return any(child.name == "return" for child in children) and all(
        child.name == "return" or child.name in _RETURN_SETTINGS for child in children)


def _serves_files_only(location, settings=_FILE_SETTINGS) -> bool:
    """The location only serves files under the inherited root, falling back to a named location or a status:
    `location ~* /files/styles/ { expires 30d; try_files $uri @drupal; }`. A CORS preflight's `if` answers OPTIONS
    only."""
    for child in location.children or ():
        if child.name == "if" and preflight(child):
            continue
        if child.name not in settings:
            return False
        if child.name == "try_files" and not (child.args and child.args[-1].startswith(("@", "="))):
            return False  # a fallback URI is searched for a location again: another handler may answer it
    return True


def _guard_taken_from(tree, location):
    """The first location of the same server (of the fragment, outside any) that guards a path prefix the regex
    also matches below; None when a block of it holds an include nginxlint could not read, which may hide one;
    False when there is none. nginx prefers a regex to a plain prefix location, so `/private/files/styles/x`
    leaves `location /private/ { deny all; }` for the regex's files and fallback. A guarding regex written before
    it in the same block is not one: nginx tries regexes in order, and the guard takes every URI both match."""
    scope = location.enclosing("server") or tree.main
    guards = tree.memo.setdefault("SEC548-guards", {})
    if scope not in guards:
        unread = tree.unread_include_blocks()
        if any(block is scope or scope in block.ancestors() for block in unread):
            guards[scope] = None
        else:
            locations = [node for node in scope.walk() if node.name == "location"]
            pages = _error_pages(tree)
            guards[scope] = ({id(node): at for at, node in enumerate(locations)},
                             [node for node in locations if _guards_a_path(node) and not _is_error_page(node, pages)])
    if guards[scope] is None:
        return None
    positions, found = guards[scope]
    outer = _enclosing_prefix(location)
    for guard in found:
        if guard.parent is location.parent and location_match(guard).regex and \
                positions[id(guard)] < positions[id(location)]:
            continue
        if guard in location.ancestors():
            continue  # a location nested in the guard is the guard's own way of answering those URIs
        if outer is not None and not _may_share_uris(outer, guard):
            continue  # the regex sees only URIs under its location's prefix, which the guard never takes
        return guard
    return False


def _enclosing_prefix(location) -> str | None:
    """The prefix of the plain location the regex is nested in (`location /openapi { location ~ /asc.ai {…} }`):
    nginx tries it only for URIs whose longest prefix match is that location."""
    parent = location.parent
    match = location_match(parent) if parent is not None and parent.name == "location" else None
    return match.pattern if match is not None and match.prefix else None


_REGEX_SYNTAX = re.compile(r"[\\.^$|?*+()\[\]{}]")


def _may_share_uris(prefix: str, guard) -> bool:
    """Some URI starts with the prefix and is one the guard takes: the literal start of the guard's path and the
    prefix agree as far as the shorter goes."""
    match = location_match(guard)
    start = match.pattern
    if match.regex:
        start = start[1:]  # a guard regex begins with `^/`
        cut = _REGEX_SYNTAX.search(start)
        start = start[:cut.start()] if cut else start
        if match.modifier == "~*":
            start, prefix = start.lower(), prefix.lower()
    return start.startswith(prefix) or prefix.startswith(start)


def _error_pages(tree) -> frozenset[str]:
    """The URIs `error_page` directives send errors to (`error_page 500 /500.json;`)."""
    if "SEC548-error-pages" not in tree.memo:
        tree.memo["SEC548-error-pages"] = frozenset(
            node.args[-1] for node in tree.nodes("error_page") if node.args and node.args[-1].startswith("/"))
    return tree.memo["SEC548-error-pages"]


def _is_error_page(location, pages: frozenset[str]) -> bool:
    """`location /500.json { return 500 '{"error": …}'; }` for `error_page 500 /500.json`: the error document's
    own status, not a refusal that guards a path."""
    match = location_match(location)
    return match is not None and match.modifier in ("", "=") and match.pattern in pages


def _guards_a_path(location) -> bool:
    """A plain prefix location, or a regex beginning with `^/`, that guards its URIs and that regexes can take them
    from (a `^~` or `=` location, and what it holds, keeps its URIs from every regex)."""
    match = location_match(location)
    if match is None or match.modifier in ("=", "^~", "@") or not _guards(location):
        return False
    if location.find("stub_status"):
        return False  # a status page's content is nginx's own: no file or fallback gives it away
    if match.regex and not match.pattern.startswith("^/"):
        return False  # a refusal by kind (`\.php$`, `/\.`): an anchored location before it takes as much
    return not any(_modifier(outer) in ("=", "^~") for outer in location.ancestors() if outer.name == "location")


def _modifier(location) -> str | None:
    match = location_match(location)
    return match.modifier if match else None


def _guards(location) -> bool:
    """The location withholds its URIs from some clients: an access rule, authentication, `internal`, or a
    refusal (also inside `if`)."""
    for child in location.children or ():
        if child.name in GUARD_DIRECTIVES and child.args[:1] != ["off"]:
            return True
        if error_return(child) or (child.name == "if" and _guards(child)):
            return True
    return False


def _inside_example(part: str, guard=None) -> str:
    """A URI that holds the unanchored text inside a longer path (below the guarded prefix, when there is one),
    when the text is mostly literal."""
    text = part.replace("\\", "")
    if any(c in text for c in "()[]{}*+?|^$") or not text:
        return "a longer URI holding it"
    if guard and location_match(guard).modifier == "":
        return f"{location_match(guard).pattern.rstrip('/') or '/public'}{text}x"
    return f"/uploads/x{text}.jpg" if text.startswith(".") else f"/public{text}x/"


# -- SEC549 open-redirect ---------------------------------------------------------------------------------------

COLON = cs.of(":")
BACKSLASH = cs.of("\\")
# what a link or a form of another site cannot choose in the victim's request: its headers, cookies, Host
_NOT_FROM_A_LINK = ("http_", "cookie_", "sent_http_", "ssl_")


@rule("SEC549")
def open_redirect(tree, report):
    sinks = list(_redirect_sinks(tree))
    if not sinks:
        return
    flow = _flow(tree, "link")
    relative = nearest(tree, "absolute_redirect")
    for node, index in sinks:
        if _internal(node) or _only_for_existing_paths(node):
            continue
        off = value_at(relative, node.parent)
        absolute = off is None or off.args[:1] != ["off"]
        found = _redirect_target(flow, node.args[index], node, absolute)
        if found is not None:
            part, how = found
            report(
                node,
                f"{how}: a link to this site can send the visitor to another site (an open redirect that "
                "lends the site's name to phishing pages)",
                span=value_span(node.d, index, part.start, part.end),
                help="redirect to a fixed host and put the client's value in the path only "
                    "(https://example.com/$1), or keep absolute_redirect on for a value that starts with /",
            )


# The `if` file tests that hold only for a path that exists on disk
_EXISTS = frozenset({"-f", "-d", "-e", "-x"})


def _only_for_existing_paths(node) -> bool:
    """The redirect sits in `if (-d $request_filename)` (or `-f`, `-e` of a path built from the URI): it fires only
    for a URI that names a file or directory of the site, which a link to another host never does (checked with
    nginx 1.22: `/https:/evil.example` is answered 404, with no Location)."""
    for block in node.ancestors():
        condition = if_condition(block) if block.name == "if" else []
        if len(condition) == 2 and condition[0] in _EXISTS and ("$request_filename" in condition[1]
                                                                or "$uri" in condition[1]):
            return True
    return False


def _redirect_target(flow, value, node, absolute):
    """(the Part a request chooses the redirect's host with, how), or None."""
    parts = parse_value(value)
    first = parts[0]
    if first.variable is None and not first.text.startswith(("http://", "https://")):
        if first.text == "/" and len(parts) > 1 and not absolute and _backslash(flow, parts[1], node):
            return parts[1], (f"with absolute_redirect off, /{parts[1].text} can be /\\evil.example, which "
                              "browsers read as //evil.example")
        return None
    name = first.variable.lower() if first.variable is not None else None
    if name is None or name == "scheme" or name in flow.sets:
        chain, _ = _host_source(flow, value, node, 0)
        if chain:
            how = f"the redirect's host comes from {chain[0].text}, which the request chooses"
            if _after_the_host(value, chain[0]) and flow.captured(chain[0].variable.lower(), node) is not None:
                # a capture of the path, which starts with `/` unless the match starts past a newline
                how += " (`.` stops at a newline, so for /%0A@evil.example/ the match starts after it and the " \
                       "host becomes …@evil.example)"
            return chain[0], how
        return None
    if _chosen_by_the_config(flow, name, absolute):
        return None
    if flow.must_hold_slash(name, node) or _path_values(flow, name):
        if not absolute and (_raw_request_uri(flow, name, node) or _backslash(flow, first, node)
                             and not _starts_with_a_segment(name, node)):
            return first, (f"with absolute_redirect off, the Location {first.text} can be //evil.example or "
                           "/\\evil.example, which browsers read as another site")
        return None
    mask = flow.variable_mask(name, node)
    if mask & COLON and mask & DOT:
        example = _capture_example(flow, name, node) if name.isdigit() or \
            flow.capture_mask(name, node, 0) is not None else "https://evil.example"
        return first, f"the redirect's target is {first.text}, which the request can set to {example}"
    return None


def _after_the_host(value: str, part) -> bool:
    """The part follows the value's own host (`$scheme://$host$no_slash`) rather than starting it."""
    parts = parse_value(value)
    index = next((i for i, p in enumerate(parts) if p.start == part.start), 0)
    return index > 0 and not (parts[index - 1].variable is None and parts[index - 1].text.endswith("://"))


# A regex location's start that fixes the first segment of every URI it takes: `^/tools/`, `^/api`, also after the
# masked value of a template (`^{BASE_URL}/tools/`), which the config's owner sets
_FIXED_SEGMENT = re.compile(r"\^" + UNKNOWN_VALUE + r"*/[\w~%-]")


def _starts_with_a_segment(name: str, node) -> bool:
    """$uri in a location whose match fixes its first segment (`location /x`, `location ~ ^/tools/`), with no
    `rewrite` in the location: nginx merged its slashes, so it never starts with `//`, nor with `/` and a
    backslash."""
    location = next((block for block in node.ancestors() if block.name == "location"), None)
    match = location_match(location) if location is not None else None
    if name not in ("uri", "document_uri") or match is None or any(
            inner.name == "rewrite" for inner in location.walk()):
        return False
    if match.regex:
        return _FIXED_SEGMENT.match(match.pattern) is not None
    return match.modifier != "@" and len(match.pattern) > 1 and match.pattern[1] not in "/\\"


def _raw_request_uri(flow, name: str, node) -> bool:
    """$request_uri, or a capture of a regex matched against it: the path as sent, whose slashes nginx has not
    merged (`//evil.example/…`)."""
    if name == "request_uri":
        return True
    captured = flow.captured(name, node)
    return captured is not None and captured[0].subject == "request_uri"


def _capture_example(flow, name: str, node) -> str:
    source = flow.capture_source(node)
    if name == "1" and source is not None and source[0].pattern.startswith("(") and \
            not source[0].pattern.startswith("(?"):
        # `.` stops at a newline: the leading group of an unanchored regex can start after one (checked with nginx)
        return "https: (/%0Ahttps://evil.example starts the match after the newline, and the Location is " \
               "https:/evil.example)"
    return "https:/evil.example (nginx merges the slashes of the path)"


def _given_values(flow, name: str) -> list[str]:
    """Every value the config gives the `set` or `map` variable, the entries of the map's included files and its
    default among them (a map without default may also be empty, which redirects nowhere)."""
    values = [n.args[1] for n in flow.sets.get(name, ())]
    block = flow.maps.get(name)
    if block is not None and block.name == "map":
        from_path = block.args[:1] and block.args[0].lower() in _PATH_SUBJECTS
        values += [_leading_capture_as_slash(e) if from_path else e.args[-1]
                   for e in block.children or () if e.args and e.name not in _MAP_KEYWORDS]
    return values


# What a map may read that always starts with "/": the request's path, as sent or normalised.
_PATH_SUBJECTS = frozenset({"$request_uri", "$uri", "$document_uri"})


def _leading_capture_as_slash(entry) -> str:
    """The entry's value, with a leading `$1` that captures the start of the map's path (`~^(.*?)[?&]fbclid=`) written
    as the "/" it starts with: `/$1`, a path on this site."""
    value, pattern = entry.args[-1], entry.name.lstrip("~*").lstrip()
    if value.startswith("$1") and not value[2:3].isdigit() and pattern.startswith("^(") \
            and not pattern.startswith("^(?"):
        return "/" + value
    return value


def _path_values(flow, name: str) -> bool:
    """Every value of the `set` or `map` variable starts with "/": a path on this site."""
    values = _given_values(flow, name)
    return bool(values) and all(v.startswith("/") for v in values)


def _chosen_by_the_config(flow, name: str, absolute: bool) -> bool:
    """Every value of the `set` or `map` variable leads to a site the config chose, whatever its captures hold."""
    values = _given_values(flow, name)
    return bool(values) and all(_fixed_site(value, absolute) for value in values)


def _fixed_site(value: str, absolute: bool) -> bool:
    """The value's site is fixed by its text: it holds no variable; or it starts with "/" and either nginx puts its
    own scheme and host in front (absolute_redirect on) or a character that is not "/" or "\\" follows
    (`/certification/$1`, never `//host` nor `/\\host`); or it names its host in full (`https://example.com/$1`)."""
    parts = parse_value(value)
    if all(part.variable is None for part in parts):
        return True
    text = parts[0].text if parts[0].variable is None else ""
    if text.startswith("/"):
        return absolute or text[1:2] not in ("", "/", "\\")
    scheme, sep, rest = text.partition("://")
    return bool(sep) and scheme.lower() in ("http", "https") and any(char in rest for char in "/?#")


def _backslash(flow, part, node) -> bool:
    return part.variable is not None and bool(flow.variable_mask(part.variable, node) & BACKSLASH)
