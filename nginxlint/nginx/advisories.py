"""nginx security advisories that a known nginx version and the config's own directives make relevant.

The release comes from the image that runs the config, a dump's `nginx -V` or the `nginx-version` setting
(container/release.py); without it nothing is said. A name with two numbers (`1.25`) stands for any release of
that branch: an advisory is reported only when every release of the branch is affected. Each advisory is tied to
the directive that brings the vulnerable code into play. Source: https://nginx.org/en/security_advisories.html
(the page's source: xml/en/security_advisories.xml of https://github.com/nginx/nginx.org), up to nginx 1.31.3 and
1.30.4 (July 2026), from 2016 on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .directives_lua import LUA_PHASE
from .releases import Version
from .urls import PASS_DIRECTIVES
from .zones import parse_size


def _directive(name: str) -> Callable:
    return lambda dep: next(iter(dep.nodes(name)), None)


def _quic(dep):
    return next((n for n in dep.nodes("listen") if "quic" in n.args[1:]), None)


def _http2(dep):
    on = next((n for n in dep.nodes("http2") if n.args and n.args[0] == "on"), None)
    return on or next((n for n in dep.nodes("listen") if "http2" in n.args[1:]), None)


def _smtp_auth_none(dep):
    return next((n for n in dep.nodes("smtp_auth") if "none" in n.args), None)


def _client_certificates(dep):
    """ssl_verify_client in a server that shares its listen socket with other servers (name-based virtual hosts)."""
    from .listen import http_servers
    from .tls_scope import sockets

    shared = {id(server) for entries in sockets(http_servers(dep)).values() if len(entries) > 1
              for server, _listen in entries}
    for node in dep.nodes("ssl_verify_client"):
        server = node if node.name == "server" else node.enclosing("server")
        if node.args and node.args[0] != "off" and (server is None or id(server) in shared):
            return node
    return None


def _first_of(*names: str, where: Callable = lambda node: True) -> Callable:
    return lambda dep: min((n for name in names for n in dep.nodes(name) if where(n) and not _replaced(n)),
                           key=_order, default=None)


def _over_a_network(node) -> bool:
    """An upstream a network carries: a hostile answer needs a man in the middle (F5's K000161027), which a `unix:`
    socket or a loopback address of the same machine leaves no room for."""
    return not (node.args and _LOCAL_UPSTREAM.match(node.args[0]))


_LOCAL_UPSTREAM = re.compile(r"^(?:unix:|(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])(?::\d+)?$)", re.IGNORECASE)


def _replaced(node) -> bool:
    """A content handler a later one of its block replaces (`uwsgi_pass`, then `proxy_pass`): nginx keeps the last
    handler of a location, and the module of the first never runs."""
    from .directives import is_content_handler  # the directive tables, only for a config with a handler in question

    siblings = node.parent.children if node.parent is not None else ()
    later = siblings[siblings.index(node) + 1:] if node in siblings else ()
    return any(is_content_handler(other.name) for other in later)


def _order(node):
    return (node.d.span[0], node.d.span[1]) if node.d is not None else (0, 0)


# The Lua phases whose code may read the request body (`ngx.req.read_body()`)
_BODY_READING_PHASES = ("rewrite", "access", "content")


def _reads_request_body(dep):
    """A module that reads the client's request body, which nginx writes to a temporary file once it outgrows
    `client_body_buffer_size`: a `*_pass`, WebDAV's PUT, Lua, Perl or njs code, `client_body_in_file_only`, an
    upload module. Static files, `return` and status pages discard the body unread."""
    readers = (n for name in dep.names() if name in _BODY_READERS or LUA_PHASE.get(name) in _BODY_READING_PHASES
               for n in dep.nodes(name) if _reads_body(n))
    return min(readers, key=_order, default=None)


def _reads_body(node) -> bool:
    if node.ctx[:1] != ("http",):
        return False  # stream's proxy_pass relays bytes; no request body is read
    if node.name == "dav_methods":
        return "PUT" in node.args
    return node.name != "client_body_in_file_only" or node.args[:1] != ["off"]


_BODY_READERS = frozenset({*PASS_DIRECTIVES, "perl", "js_content", "lua_need_request_body", "upload_pass", "mirror",
                           "dav_methods", "client_body_in_file_only"})


# The modules whose upstream responses the SSI filter parses: every pass but gRPC's, whose frames are no page.
_PROXYING = tuple(name for name in PASS_DIRECTIVES if name != "grpc_pass")


def _ssi_on_proxied(dep):
    """`ssi on` where it parses an upstream's response: the advisory names "a specially crafted proxied backend
    response"; files served from disk are the site's own."""
    from .inheritance import nearest, value_at

    ssi = nearest(dep, "ssi")
    for name in _PROXYING:
        for node in dep.nodes(name):
            on = value_at(ssi, node.parent)
            if on is not None and on.args and on.args[0].lower() == "on":
                return on
    return None


def _map_regex(dep):
    """A map whose regex entry captures (`~^/(.*)$`), with a string expression that reads one of its captures before
    the map's own variable (`"$1$mapped"`): the map block, in http or stream. F5's advisory names that condition;
    its other one, "a non-cacheable variable in a string expression under certain conditions", says too little to
    check."""
    if not dep.nodes("map"):
        return None
    from ..regex.facts import pattern_facts  # the PCRE2 reading, only for a config with a map
    from ..regex.sites import regex_sites

    captures: dict = {}  # map node -> the names its regexes' captures are read by ("1", "rest")
    for node, site in regex_sites(dep):
        if node.parent.name == "map":
            facts = pattern_facts(dep, site.pattern, site.caseless)
            if facts.captures:
                names = captures.setdefault(node.parent, set())
                names.update(str(capture.number) for capture in facts.captures)
                names.update(name.lower() for name, _number in facts.names)
    read_before = _captures_read_before(dep) if captures else set()
    for node, names in captures.items():
        output = node.args[1].lstrip("$").lower() if len(node.args) >= 2 else None
        if any(later == output and first in names for first, later in read_before):
            return node
    return None


def _captures_read_before(dep) -> set[tuple[str, str]]:
    """(a variable, one read after it in the same argument) for every argument of the config, lower-case."""
    from .variables import variables  # the variable parser, only for a config with a capturing map

    pairs = set()
    for node in dep.walk():
        for arg in node.args:
            if "$" in arg:
                found = [v.name.lower() for v in variables(arg)]
                pairs.update((first, later) for i, first in enumerate(found) for later in found[i + 1:])
    return pairs


_CACHES = ("proxy_cache", "fastcgi_cache", "uwsgi_cache", "scgi_cache")


def _range_leak(dep):
    """With nginx's own modules the range filter's overflow leaks the header of a response served from a cache; with
    a module of another party that allows ranges on its answers (`load_module`) it may leak a worker's memory.
    ngx_lua's answers never reach the range filter: it never sets `r->allow_ranges` (lua-nginx-module's sources)."""
    cache = next((n for name in _CACHES for n in dep.nodes(name)
                  if n.args and n.args[0] != "off" and not _caches_nothing(dep, n)), None)
    if cache is not None:
        return cache
    return min(dep.nodes("load_module"), key=_order, default=None)


def _caches_nothing(dep, cache) -> bool:
    """A cache set in a location that hands no request to its module (`proxy_cache` beside `alias`, no `proxy_pass`
    in it or below it): the location serves files, and nothing goes through the cache. A location of a config seen
    in part may include its handler from out of view."""
    block = cache.parent
    if block is None or block.name != "location" or not dep.complete:
        return False
    handler = cache.name.removesuffix("_cache") + "_pass"
    return not any(node.name == handler for node in block.walk())


_BACKGROUND_UPDATES = ("proxy_cache_background_update", "fastcgi_cache_background_update",
                       "scgi_cache_background_update", "uwsgi_cache_background_update")


def _slice(dep):
    """`slice SIZE` (0, the default, turns slicing off) where F5's conditions hold: the config has a regex with an
    unnamed capture, or a cache updates in the background (`proxy_cache_background_update on`). A part out of view
    may hold either."""
    node = next((n for n in dep.nodes("slice") if n.args and n.args[0] != "0"), None)
    if node is None or not dep.complete:
        return node
    if any(n.args[:1] == ["on"] for name in _BACKGROUND_UPDATES for n in dep.nodes(name)):
        return node
    from ..regex.facts import pattern_facts  # the PCRE2 reading, only for a config that slices
    from ..regex.sites import regex_sites

    for _site_node, site in regex_sites(dep):
        facts = pattern_facts(dep, site.pattern, site.caseless)
        if facts.error is not None or facts.groups > len(facts.names):
            return node
    return None


def _charset(dep):
    """`charset` that recodes: only through a `charset_map` (nginx has none built in)."""
    if not dep.nodes("charset_map"):
        return None
    return next((n for n in dep.nodes("charset") if n.args and n.args[0].lower() != "off"), None)


def _dav_copy_move_alias(dep):
    """`dav_methods` with COPY or MOVE in effect in a prefix location that maps the URI with `alias`: the advisory's
    three conditions (a regex location takes another code path; `root` does not take the overflowing length)."""
    from .inheritance import nearest, value_at  # the location model, only for a config with WebDAV
    from .locations import location_match

    table = nearest(dep, "dav_methods")
    for location in dep.nodes("location") if table else ():
        match = location_match(location)
        if match is None or match.modifier not in ("", "^~", "=") or not location.find("alias"):
            continue
        methods = value_at(table, location)
        if methods is not None and {arg.lower() for arg in methods.args} & {"copy", "move"}:
            return methods
    return None


def _proxy_http2(dep):
    return next((n for n in dep.nodes("proxy_http_version") if n.args and n.args[0] == "2"), None)


def _http2_body_replaced(dep):
    """`proxy_http_version 2` where `proxy_set_body` replaces the body (CVE-2026-42926: "when using the
    proxy_set_body directive")."""
    return _proxy_http2(dep) if dep.nodes("proxy_set_body") else None


# Header buffers above which a request's headers overflow what the HTTP/2 and gRPC upstream modules allocate
# (CVE-2026-42055: "larger than 2 megabytes")
_HUGE_HEADER_BUFFER = 2 * 1024 * 1024


def _http2_upstream_huge_headers(dep):
    """An HTTP/2 or gRPC upstream where invalid header names are passed on (`ignore_invalid_headers off`) and a
    header buffer is larger than 2 MB (`large_client_header_buffers 4 4m`): the two settings CVE-2026-42055 needs."""
    passed_on = any(n.args[:1] == ["off"] for n in dep.nodes("ignore_invalid_headers"))
    huge = any(len(n.args) == 2 and (parse_size(n.args[1]) or 0) > _HUGE_HEADER_BUFFER
               for n in dep.nodes("large_client_header_buffers"))
    return (_first_of("grpc_pass")(dep) or _proxy_http2(dep)) if passed_on and huge else None


def _tls_upstream(dep):
    return next((n for n in dep.nodes("proxy_pass") if n.args and n.args[0].lower().startswith("https://")), None) \
        or next((n for n in dep.nodes("grpc_pass") if n.args and n.args[0].lower().startswith("grpcs://")), None)


def _ocsp(subsystem: str) -> Callable:
    """`ssl_ocsp on|leaf` (client certificates checked by OCSP) in one subsystem."""
    return lambda dep: next((n for n in dep.nodes("ssl_ocsp") if n.args and n.args[0].lower() != "off"
                             and n.ctx[:1] == (subsystem,)), None)


# The ports nginx's mail module takes for SMTP where a server names no `protocol` (ngx_mail_core_module)
_SMTP_PORTS = frozenset({"25", "465", "587"})


def _smtp_resolving(dep):
    """The `auth_http` of an SMTP server that looks the client's name up (a `resolver` other than `off` in scope):
    only then does a DNS answer reach the auth request and XCLIENT (CVE-2026-28753). Without one the client's name
    is "[UNAVAILABLE]"; IMAP and POP3 servers never look it up."""
    for server in dep.nodes("server"):
        if server.ctx != ("mail",):
            continue
        protocol = server.find("protocol")
        if protocol:
            smtp = protocol[0].args[:1] == ["smtp"]
        else:
            smtp = any(listen.args and listen.args[0].rsplit(":", 1)[-1] in _SMTP_PORTS
                       for listen in server.find("listen"))
        if not smtp:
            continue
        resolver = server.find("resolver") or server.parent.find("resolver")
        auth = server.find("auth_http") or server.parent.find("auth_http")
        if resolver and resolver[0].args[:1] != ["off"] and auth:
            return auth[0]
    return None


def _mail_auth_methods(dep):
    return next((n for name in ("pop3_auth", "imap_auth", "smtp_auth") for n in dep.nodes(name)
                 if any(a.lower() in ("cram-md5", "apop") for a in n.args)), None)


_CAPTURE = re.compile(r"\$(?:[0-9]|\{[0-9]\})")
_REWRITE_FLAGS = ("last", "break", "redirect", "permanent")


def _rewrite_stale_args(dep):
    """A rewrite without a flag whose replacement has `?`, followed in its block by a set, if or rewrite that
    reads a numbered capture: the copy pass escapes what the length pass did not count (CVE-2026-42945)."""
    reads_capture_later: dict[int, set] = {}  # block -> ids of its children followed by a capture reader
    for node in dep.nodes("rewrite"):
        if len(node.args) < 2 or "?" not in node.args[1] or any(f in node.args[2:] for f in _REWRITE_FLAGS):
            continue
        block = node.parent
        if id(block) not in reads_capture_later:  # one backward pass per block
            marked, seen = set(), False
            for child in reversed(block.children or ()):
                if seen:
                    marked.add(id(child))
                if child.name in ("set", "if", "rewrite") and any(_CAPTURE.search(a) for a in child.args):
                    seen = True
            reads_capture_later[id(block)] = marked
        if id(node) in reads_capture_later[id(block)]:
            return node
    return None


_NESTED_GROUP = re.compile(r"\((?!\?)[^)]*\((?!\?)")


def _rewrite_nested_captures(dep):
    """A rewrite whose regex nests one capture in another and whose replacement uses two captures or more
    (CVE-2026-9256)."""
    for node in dep.nodes("rewrite"):
        if len(node.args) >= 2 and _NESTED_GROUP.search(node.args[0]) and len(_CAPTURE.findall(node.args[1])) >= 2:
            return node
    return None


@dataclass(frozen=True)
class Advisory:
    cves: str
    what: str
    first: Version  # first affected release
    fixed: tuple[Version, ...]  # first fixed release of the mainline, then of stable branches
    trigger: Callable  # the config -> its first directive that exposes the advisory (None: not exposed)
    needs: str = ""


_NEWEST = (1, 31, 3), (1, 30, 4)
ADVISORIES = (
    Advisory("CVE-2026-42533", "buffer overflow when map matches a regex", (0, 9, 6), _NEWEST, _map_regex,
             "a regex `map` whose capture is read before its variable"),
    Advisory("CVE-2026-60005", "memory disclosure in the slice module", (1, 15, 8), _NEWEST, _slice,
             "`slice` with a regex's unnamed capture or a background cache update"),
    Advisory("CVE-2026-56434", "use-after-free in the SSI module", (0, 8, 11), _NEWEST, _ssi_on_proxied, "`ssi on` where a proxied response is parsed"),
    Advisory("CVE-2026-42530", "use-after-free in HTTP/3", (1, 31, 0), ((1, 31, 2),), _quic, "`listen … quic`"),
    Advisory("CVE-2026-42055", "buffer overflow in the HTTP/2 proxy and gRPC modules", (1, 13, 10),
             ((1, 31, 2), (1, 30, 3)), _http2_upstream_huge_headers,
             "an HTTP/2 or gRPC upstream with `ignore_invalid_headers off` and header buffers over 2 MB"),
    Advisory("CVE-2026-48142", "buffer overread in the charset module", (0, 3, 50), ((1, 31, 2), (1, 30, 3)),
             _charset, "`charset` recoding through `charset_map`"),
    Advisory("CVE-2026-9256", "heap overflow in the rewrite module with nested captures", (0, 1, 17),
             ((1, 31, 1), (1, 30, 2)), _rewrite_nested_captures, "this rewrite (nested captures, two of them used)"),
    Advisory("CVE-2026-42945", "heap overflow in the rewrite module", (0, 6, 27), ((1, 31, 0), (1, 30, 1)),
             _rewrite_stale_args, "this rewrite (a `?` without a flag, then a numbered capture read)"),
    Advisory("CVE-2026-42926", "HTTP/2 request injection in the proxy module", (1, 29, 4), ((1, 31, 0), (1, 30, 1)),
             _http2_body_replaced, "`proxy_http_version 2` with `proxy_set_body`"),
    Advisory("CVE-2026-42946", "buffer overread in the SCGI and uwsgi modules", (0, 8, 42), ((1, 31, 0), (1, 30, 1)),
             _first_of("scgi_pass", "uwsgi_pass", where=_over_a_network), "`scgi_pass` or `uwsgi_pass` over a network"),
    Advisory("CVE-2026-42934", "buffer overread in the charset module", (0, 3, 50), ((1, 31, 0), (1, 30, 1)),
             _charset, "`charset` recoding through `charset_map`"),
    Advisory("CVE-2026-40460", "HTTP/3 address spoofing", (1, 25, 0), ((1, 31, 0), (1, 30, 1)), _quic,
             "`listen … quic`"),
    Advisory("CVE-2026-40701", "use-after-free in the resolver while checking a client certificate by OCSP",
             (1, 19, 0), ((1, 31, 0), (1, 30, 1)), _ocsp("http"), "`ssl_ocsp`"),
    Advisory("CVE-2026-27654", "buffer overflow in the WebDAV module", (0, 5, 13), ((1, 29, 7), (1, 28, 3)),
             _dav_copy_move_alias, "`dav_methods` COPY or MOVE under `alias`"),
    Advisory("CVE-2026-27784, CVE-2026-32647", "buffer overflow in the mp4 module", (1, 1, 19),
             ((1, 29, 7), (1, 28, 3)), _directive("mp4"), "`mp4`"),
    Advisory("CVE-2026-27651", "NULL pointer dereference with CRAM-MD5 or APOP authentication in mail", (0, 5, 15),
             ((1, 29, 7), (1, 28, 3)), _mail_auth_methods, "CRAM-MD5 or APOP in `*_auth`"),
    Advisory("CVE-2026-28753", "injection through auth_http and XCLIENT in mail", (0, 6, 27), ((1, 29, 7), (1, 28, 3)),
             _smtp_resolving, "`auth_http` of an SMTP server with a `resolver`"),
    Advisory("CVE-2026-28755", "an OCSP check result ignored in stream", (1, 27, 2), ((1, 29, 7), (1, 28, 3)),
             _ocsp("stream"), "`ssl_ocsp` in stream"),
    Advisory("CVE-2026-1642", "plain text injected before the TLS handshake with an upstream", (1, 3, 0),
             ((1, 29, 5), (1, 28, 2)), _tls_upstream, "a TLS upstream (`proxy_pass https://…`)"),
    Advisory("CVE-2025-53859", "memory disclosure in the SMTP module", (0, 7, 22), ((1, 29, 1), (1, 28, 1)),
             _smtp_auth_none, "`smtp_auth none`"),
    Advisory("CVE-2025-23419", "TLS session reuse bypasses client certificate authentication", (1, 11, 4),
             ((1, 27, 4), (1, 26, 3)), _client_certificates, "`ssl_verify_client` in name-based servers"),
    Advisory("CVE-2024-7347", "the mp4 module reads out of bounds on a crafted file", (1, 5, 13),
             ((1, 27, 1), (1, 26, 2)), _directive("mp4"), "`mp4`"),
    Advisory("CVE-2024-32760, CVE-2024-31079, CVE-2024-35200, CVE-2024-34161", "HTTP/3 crashes and memory "
             "disclosure", (1, 25, 0), ((1, 27, 0), (1, 26, 1)), _quic, "`listen … quic`"),
    Advisory("CVE-2024-24989, CVE-2024-24990", "HTTP/3 worker crash", (1, 25, 0), ((1, 25, 4),), _quic,
             "`listen … quic`"),
    Advisory("CVE-2022-41741, CVE-2022-41742", "memory corruption in the mp4 module", (1, 1, 3),
             ((1, 23, 2), (1, 22, 1)), _directive("mp4"), "`mp4`"),
    Advisory("CVE-2021-23017", "one-byte memory overwrite in the resolver", (0, 6, 18), ((1, 21, 0), (1, 20, 1)),
             _directive("resolver"), "`resolver`"),
    Advisory("CVE-2019-9511, CVE-2019-9513, CVE-2019-9516", "HTTP/2 denial of service", (1, 9, 5),
             ((1, 17, 3), (1, 16, 1)), _http2, "HTTP/2"),
    Advisory("CVE-2018-16843, CVE-2018-16844", "HTTP/2 excessive memory and CPU use", (1, 9, 5),
             ((1, 15, 6), (1, 14, 1)), _http2, "HTTP/2"),
    Advisory("CVE-2018-16845", "memory disclosure in the mp4 module", (1, 1, 3), ((1, 15, 6), (1, 14, 1)),
             _directive("mp4"), "`mp4`"),
    Advisory("CVE-2017-7529", "integer overflow in the range filter (memory disclosure)", (0, 5, 6),
             ((1, 13, 3), (1, 12, 1)), _range_leak, "a cache or a third-party module"),
    Advisory("CVE-2016-4450", "NULL pointer dereference while writing a request body to a file", (1, 3, 9),
             ((1, 11, 1), (1, 10, 1)), _reads_request_body, "a module that reads the request body"),
    Advisory("CVE-2016-0742, CVE-2016-0746, CVE-2016-0747", "invalid pointer, use-after-free and unbounded CNAME "
             "resolution in the resolver", (0, 6, 18), ((1, 9, 10), (1, 8, 1)), _directive("resolver"), "`resolver`"),
)
# OpenResty backports some fixes into the nginx core it ships: the release that first carries each (its change
# logs, https://openresty.org/en/changelog-1029002.html and the others). Later releases carry it too, or a fixed core.
OPENRESTY_PATCHED = {
    **dict.fromkeys(("CVE-2026-42945", "CVE-2026-42946", "CVE-2026-42934", "CVE-2026-40460", "CVE-2026-40701"),
                    (1, 29, 2, 4)),
    **dict.fromkeys(("CVE-2026-27654", "CVE-2026-27784", "CVE-2026-32647", "CVE-2026-27651", "CVE-2026-28753",
                     "CVE-2026-28755", "CVE-2026-1642"), (1, 29, 2, 3)),
    "CVE-2021-23017": (1, 19, 3, 2),
    **dict.fromkeys(("CVE-2019-9511", "CVE-2019-9513", "CVE-2019-9516"), (1, 15, 8, 2)),
    "CVE-2017-7529": (1, 11, 2, 4),
}


def openresty_patched(advisory: Advisory, number: Version) -> bool:
    """The OpenResty release carries the fix of every CVE of the advisory."""
    fixes = [OPENRESTY_PATCHED.get(cve.strip()) for cve in advisory.cves.split(",")]
    return all(fix is not None and number >= fix for fix in fixes)


def affected(advisory: Advisory, version: Version) -> bool:
    v = version[:3]
    if v < advisory.first or v >= advisory.fixed[0]:
        return False
    return not any(v[:2] == fix[:2] and v >= fix for fix in advisory.fixed[1:])


def affected_branch(advisory: Advisory, version: Version) -> bool:
    """Every release the version stands for is affected (a branch tag `1.25` stands for 1.25.x)."""
    if len(version) >= 3:
        return affected(advisory, version)
    return affected(advisory, (*version, 0)) and affected(advisory, (*version, 10**6))
