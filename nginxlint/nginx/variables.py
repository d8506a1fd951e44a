"""nginx variables in directive arguments: where they are, which ones the client chooses, and what a request can
put in them.

Variable names are case-insensitive in nginx (`$HTTP_HOST` is `$http_host`), so every comparison here is on
the lower-cased name. `variables(text)` and `client_controlled(name)` find variables and tell the client-chosen
ones apart; `client_variables(tree)` follows them through `set` and `map`.

`parse_value("/img/$1${suffix}?u=$uri")` splits a complex value the way ngx_http_script_compile() does: `$name`
and `${name}` (letters, digits, `_`), `$1`…`$9` (one digit: `$10` is `$1` then "0"), text between. Each Part keeps
its offsets in the value (map them to the file with nginxlint.nginx.wordmap.value_span).

`variable_facts(name)` says whether a variable carries request input and which bytes it can hold, as a 256-bit
mask (nginxlint.regex.charsets). Sources: the variable index https://nginx.org/en/docs/varindex.html and
https://nginx.org/en/docs/http/ngx_http_core_module.html#variables; nginx's source: ngx_http_parse.c
(ngx_http_parse_request_line, ngx_http_parse_complex_uri, ngx_http_parse_header_line), ngx_http_request.c
(ngx_http_validate_host), ngx_http_variables.c, ngx_http_core_module.c (ngx_http_auth_basic_user).

Checked against nginx 1.22.1 (Debian) on 127.0.0.1 with `return 200 "[$var]"`:
- `GET /u/a%0d%0ab` gives $uri "/u/a\\r\\nb" (decoded), and `add_header X-Uri $uri` or `return 302 …$uri`
  then send a raw CR LF inside the response header: header injection. `%00` in the path is refused (400).
- `/a/../b/%2e%2e/c` and `a%2F..%2Fb` are normalised in $uri (no `/../` segment is left; going above the root is
  a 400), but `a..b` and `a\\..\\b` stay: $uri can hold "..", never as a `/`-separated segment.
- $request_uri, $args, $arg_x, $cookie_x keep percent-encoding ("a%0d%0a" stays as written); a raw space or
  control byte in the request line is refused.
- A header value cannot hold CR, LF or NUL (400), but can hold tab, 0x7f and bytes >= 0x80.
- $host is lower-cased and validated (`/`, `..`, controls: 400), the port is cut; `\\` passes. $http_host is
  the raw header. With an absolute request line `GET http://evil.test/…`, $host is evil.test.
- $remote_user is decoded from base64 and can hold CR LF.
"""
from __future__ import annotations

import functools
import re
from typing import Iterator, NamedTuple

from ..regex import charsets as cs

# `$name` or `${name}`; names are letters, digits and `_` (ngx_http_script_compile)
VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
# Directives whose first argument is the variable they set: set, set-misc's set_*, set_by_lua*, js_set, perl_set,
# auth_request_set.
SETTER = re.compile(r"set(_.*)?$|.*_set$")

# Variables whose whole value is whatever the client sent.
CLIENT_PREFIXES = ("http_", "arg_", "cookie_")
CLIENT_VARIABLES = frozenset({
    "args", "query_string", "request_uri", "request", "request_body", "uri", "document_uri", "is_args",
    "request_line", "content_type", "content_length", "remote_user",
})


class Variable(NamedTuple):
    name: str  # lower-cased
    written: str  # as written, without `$` and braces
    start: int  # offsets of `$…` in the argument
    end: int


def variables(text: str) -> Iterator[Variable]:
    return iter(_variables(text))


@functools.lru_cache(maxsize=4096)  # several rules read the variables of the same values, repeated in every server
def _variables(text: str) -> tuple[Variable, ...]:
    found = []
    for match in VARIABLE.finditer(text):
        written = match.group(1) or match.group(2)
        found.append(Variable(written.lower(), written, match.start(), match.end()))
    return tuple(found)


def client_controlled(name: str) -> bool:
    """The client sets the value as it likes: a request header, query argument or cookie, or the raw request."""
    name = name.lower()
    return name in CLIENT_VARIABLES or name.startswith(CLIENT_PREFIXES)


def client_variables(dep) -> dict[str, object]:
    """User variables that pass client input on: `set $v …$http_x…`, and `map $http_x $v` whose values hold a
    client variable or a capture of the client's value; {lower-cased name: the set or map node}.

    A variable made from another such variable counts too (a few rounds over set and map, no more: chains of
    variables are short)."""
    found: dict[str, object] = {}

    def tainted(text: str) -> bool:
        return any(client_controlled(v.name) or v.name in found for v in variables(text))

    nodes = [n for n in (*dep.nodes("set"), *dep.nodes("map")) if len(n.args) >= 2]
    for _ in range(3):
        before = len(found)
        for node in nodes:
            target = node.args[-1 if node.name == "map" else 0].lstrip("$").lower()
            if target in found:
                continue
            if node.name == "set":
                if tainted(node.args[1]):
                    found[target] = node
            elif _map_passes_input(node, tainted(node.args[0]), tainted):
                found[target] = node
        if len(found) == before:
            break
    return found


def _map_passes_input(node, source_tainted: bool, tainted) -> bool:
    for entry in node.children or ():
        value = " ".join(entry.args)
        if tainted(value):
            return True
        if source_tainted and entry.name.startswith("~") and any(
                v.name.isdigit() or f"<{v.written}>" in entry.name or f"'{v.written}'" in entry.name
                for v in variables(value)):
            return True  # a capture of the client's value
    return False


_NAME = re.compile(r"[A-Za-z0-9_]*")


class Part:
    """A piece of a complex value: literal `text` (variable None), or a variable (`variable` is its name without
    `$`, e.g. "uri", "arg_id", "1" for the capture $1). `start`/`end` are offsets in the value."""

    __slots__ = ("text", "variable", "start", "end")

    def __init__(self, text: str, variable: str | None, start: int, end: int):
        self.text, self.variable, self.start, self.end = text, variable, start, end

    @property
    def is_capture(self) -> bool:
        """$1..$9 (named captures are plain variables named after the group)."""
        return self.variable is not None and self.variable.isdigit()

    def __repr__(self) -> str:
        return f"Part(${self.variable})" if self.variable is not None else f"Part({self.text!r})"


class ValueSyntaxError(ValueError):
    """nginx's words for a value it refuses, with the offset in the value."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message, self.offset = message, offset


def parse_value(value: str, strict: bool = False) -> list[Part]:
    """The parts of a complex value. A malformed variable (`$` at the end, `${x` never closed) is kept as text,
    or raises ValueSyntaxError when `strict`.

    >>> [(p.variable, p.text, p.start, p.end) for p in parse_value("/i/$1${sfx}.x?$args")]
    [(None, '/i/', 0, 3), ('1', '$1', 3, 5), ('sfx', '${sfx}', 5, 11), (None, '.x?', 11, 14), ('args', '$args', 14, 19)]
    """
    return list(_parts(value, strict))


@functools.lru_cache(maxsize=4096)  # rules read the same values again, and a large config repeats them in every server
def _parts(value: str, strict: bool) -> tuple[Part, ...]:
    parts: list[Part] = []
    text_start = 0
    n = len(value)
    i = value.find("$")
    while 0 <= i < n:
        if value[i] != "$":  # after a variable: on to the next `$` (a jump, not a loop over the text)
            i = value.find("$", i)
            continue
        start = i
        i += 1
        problem = None
        if i >= n:
            problem = "invalid variable name"
        elif "1" <= value[i] <= "9":
            name, i = value[i], i + 1
        else:
            bracket = value[i] == "{"
            if bracket:
                i += 1
            name = _NAME.match(value, i).group()
            i += len(name)
            if bracket:
                if i < n and value[i] == "}":
                    i += 1
                else:
                    problem = "the closing bracket in variable is missing"
            if not name and problem is None:
                problem = "invalid variable name"
        if problem is not None:
            if strict:
                raise ValueSyntaxError(problem, start)
            continue  # kept as text
        if start > text_start:
            parts.append(Part(value[text_start:start], None, text_start, start))
        parts.append(Part(value[start:i], name, start, i))
        text_start = i
    if text_start < n:
        parts.append(Part(value[text_start:], None, text_start, n))
    return tuple(parts)


def variables_in(value: str) -> list[str]:
    """The names of the variables a value uses, in order.

    >>> variables_in("$scheme://$host$request_uri")
    ['scheme', 'host', 'request_uri']
    """
    return [part.variable for part in parse_value(value) if part.variable is not None]


class VariableFacts:
    """What a variable can hold. `client`: a request can set it. `mask`: the bytes it can contain.
    `decoded`: percent-decoding was applied (so %0d%0a arrives as CR LF). `dot_segments`: it can hold a
    `/../` path segment. `note`: one sentence a message can quote.

    >>> facts = variable_facts("uri")
    >>> facts.client, facts.crlf, facts.dot_segments, facts.can_contain("..")
    (True, True, False, True)
    >>> variable_facts("http_x_api_key").crlf, variable_facts("request_uri").dot_segments
    (False, True)
    """

    __slots__ = ("name", "client", "mask", "decoded", "dot_segments", "note")

    def __init__(self, name, client, mask, decoded=False, dot_segments=False, note=""):
        self.name, self.client, self.mask, self.decoded = name, client, mask, decoded
        self.dot_segments, self.note = dot_segments, note

    @property
    def crlf(self) -> bool:
        """Can hold a CR or an LF byte."""
        return cs.has(self.mask, "\r") or cs.has(self.mask, "\n")

    def can_contain(self, text: str) -> bool:
        """Whether every character of `text` can occur (for "..", whether dots can; a `..` segment needs
        `dot_segments` too)."""
        return all(cs.has(self.mask, c) for c in text)

    def __repr__(self) -> str:
        return f"<VariableFacts ${self.name}{' client' if self.client else ''}>"


_NO_NUL = cs.ALL & ~cs.of(0)
_REQUEST_LINE = cs.span(0x21, 0xFF)  # the raw target: no space, no control byte (refused with 400)
_HEADER = cs.ALL & ~cs.of(0, "\r", "\n")
_HOST = cs.span(0x21, 0xFF) & ~(cs.of(0x7F, "/") | cs.UPPER)

_EXACT = {
    "uri": VariableFacts("uri", True, _NO_NUL, decoded=True, note="the decoded, normalised path: %0d%0a arrives "
                         "as CR LF"),
    "request_uri": VariableFacts("request_uri", True, _REQUEST_LINE, dot_segments=True,
                                 note="the path and arguments as the client sent them, percent-encoding kept"),
    "args": VariableFacts("args", True, _REQUEST_LINE, dot_segments=True, note="the raw query string"),
    "request": VariableFacts("request", True, _REQUEST_LINE | cs.of(" "), dot_segments=True,
                             note="the raw request line"),
    "host": VariableFacts("host", True, _HOST,
                          note="the validated, lower-cased host name from the request line or Host header"),
    "request_body": VariableFacts("request_body", True, cs.ALL, decoded=True, dot_segments=True,
                                  note="the raw request body, any byte"),
    "remote_user": VariableFacts("remote_user", True, cs.ALL & ~cs.of(":"), decoded=True, dot_segments=True,
                                 note="the user name decoded from Basic authentication, CR LF included"),
    "request_method": VariableFacts("request_method", True, cs.UPPER | cs.of("_", "-"), note="the method token"),
    "content_type": VariableFacts("content_type", True, _HEADER, dot_segments=True, note="a request header"),
    "content_length": VariableFacts("content_length", True, cs.DIGIT, note="a validated number"),
    "request_filename": VariableFacts("request_filename", True, _NO_NUL, decoded=True,
                                      note="the root or alias plus the decoded $uri"),
    "fastcgi_script_name": VariableFacts("fastcgi_script_name", True, _NO_NUL, decoded=True,
                                         note="taken from the decoded $uri"),
    "fastcgi_path_info": VariableFacts("fastcgi_path_info", True, _NO_NUL, decoded=True,
                                       note="taken from the decoded $uri"),
    "invalid_referer": VariableFacts("invalid_referer", False, cs.of("1")),
    # stream's ssl_preread reads the ClientHello itself: the server name (SNI) and ALPN list are the client's bytes
    "ssl_preread_server_name": VariableFacts("ssl_preread_server_name", True, _NO_NUL,
                                             note="the TLS server name (SNI) the client sent, unchecked"),
    "ssl_preread_alpn_protocols": VariableFacts("ssl_preread_alpn_protocols", True, _NO_NUL,
                                                note="the ALPN protocols the client offered"),
}
_EXACT["document_uri"] = _EXACT["uri"]
_EXACT["query_string"] = _EXACT["args"]

# Families by prefix: (client, mask, dot_segments, note)
_PREFIXES = (
    ("http_", True, _HEADER, True, "a request header value, as sent (no CR, LF or NUL)"),
    ("arg_", True, _REQUEST_LINE, True, "a query argument, percent-encoding kept"),
    ("cookie_", True, _HEADER & ~cs.of(";"), True, "a cookie value, as sent"),
    ("sent_http_", False, _HEADER, True, "a response header"),
    ("sent_trailer_", False, _HEADER, True, "a response trailer"),
    ("upstream_http_", False, _HEADER, True, "a header of the upstream's response"),
    ("upstream_cookie_", False, _HEADER, True, "a cookie the upstream sets"),
    ("upstream_trailer_", False, _HEADER, True, "a trailer of the upstream's response"),
    ("ssl_client_", True, _HEADER, True, "from the client's certificate"),
)

_SERVER = {"scheme", "https", "server_name", "server_addr", "server_port", "server_protocol", "hostname",
           "document_root", "realpath_root", "nginx_version", "pid", "msec", "time_iso8601", "time_local",
           "request_id", "connection", "connection_requests", "status", "bytes_sent", "body_bytes_sent",
           "request_time", "request_length", "remote_addr", "remote_port", "binary_remote_addr", "is_args",
           "limit_rate", "pipe", "proxy_add_x_forwarded_for", "proxy_host", "proxy_port", "realip_remote_addr",
           "realip_remote_port", "upstream_addr", "upstream_status", "upstream_response_time", "gzip_ratio",
           "request_completion", "tcpinfo_rtt", "secure_link", "secure_link_expires"}


@functools.lru_cache(maxsize=1024)  # rules ask about the same few variables in every server
def variable_facts(name: str) -> VariableFacts | None:
    """Facts about `$name` (without the `$`), or None for a variable this table does not know (a `set` or `map`
    variable, a capture: see capture_facts).

    >>> variable_facts("arg_next").note
    'a query argument, percent-encoding kept'
    """
    name = name.lower()
    if name in _EXACT:
        return _EXACT[name]
    if name in _SERVER:
        return VariableFacts(name, name == "proxy_add_x_forwarded_for", _HEADER, note="set by nginx")
    for prefix, client, mask, dot_segments, note in _PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return VariableFacts(name, client, mask, dot_segments=dot_segments, note=note)
    return None


def capture_facts(regex, key: int | str, subject: str | None) -> VariableFacts | None:
    """What a capture ($1, or a named capture) of `regex` (a nginxlint.regex.Regex) can hold when the pattern
    is matched against `$subject`: only bytes both the group and the subject allow. None when the regex has no
    such group. With an unknown subject, the group alone decides.

    >>> from nginxlint.regex import parse_regex
    >>> facts = capture_facts(parse_regex(r"^/p/(.+)$"), 1, "uri")
    >>> facts.client, facts.can_contain("\\r"), facts.can_contain("\\n"), facts.can_contain("..")
    (True, True, False, True)
    """
    capture = regex.capture(key)
    if capture is None:
        return None
    base = variable_facts(subject) if subject else None
    mask = capture.mask & (base.mask if base else cs.ALL)
    dots = capture.dotdot and (base.dot_segments if base else True)
    label = f"{key}" if isinstance(key, int) else key
    return VariableFacts(label, base.client if base else True, mask, decoded=bool(base and base.decoded),
                         dot_segments=dots and capture.slash,
                         note=f"a capture of a pattern matched against ${subject}" if subject else "a capture")


def assigned_values(tree) -> dict[str, list]:
    """Every value the config gives each variable, {"$name": [value, …]}: the literal of a `set`, each value of a
    `map` (its default among them); None for a value made out of view (js_set, set_by_lua*, perl_set,
    auth_request_set, a `map` whose entries are included). Found once per tree."""
    if "assigned-values" in tree.memo:
        return tree.memo["assigned-values"]
    found: dict[str, list] = {}
    tree.memo["assigned-values"] = found
    for node in tree.walk():
        name = node.d.name
        if name == "map" and len(node.args) == 2:
            found.setdefault(node.args[1], []).extend(_map_values(node))
        elif name == "set" and len(node.args) == 2:
            found.setdefault(node.args[0], []).append(node.args[1])
        elif SETTER.match(name) and node.args and node.args[0].startswith("$"):
            found.setdefault(node.args[0], []).append(None)
    return found


def _map_values(node) -> list:
    values: list = []
    for entry in node.children or ():
        if entry.d.name == "include":
            values.append(None)
        elif entry.args:  # `hostnames` and `volatile` are flags, without a value
            values.append(entry.args[0])
    return values
