"""SEC521–SEC525: TLS and transport security: weak protocols and ciphers, HSTS, a public DNS resolver, and
nginx releases with published vulnerabilities that the config exercises."""
from __future__ import annotations

import ipaddress
import re

from ..container.release import running_release
from ..findings import Fix
from ..nginx import edits
from ..nginx.access import error_return
from ..nginx.advisories import ADVISORIES, affected_branch, openresty_patched
from ..nginx.inheritance import nearest, value_at
from ..nginx.tls import WEAK_PROTOCOLS, negotiable, only_tls12_suites, protocol_name, weak_suites
from ..nginx.listen import http_servers, listens_locally, parse_listen
from ..nginx.locations import front_page, served_kinds
from ..nginx.templates import is_unknown
from ..nginx.tls_scope import (Inherited, PlainHttp, default_of, flag_on, is_tls_listen, local_placeholder,
                               rejects_handshakes, self_signed, sockets, speaks_tls, tls_listens, tls_out_of_view)
from .registry import rule

# The directive that sets protocols for each cipher directive, in the same module (proxy_ssl_ciphers goes with
# proxy_ssl_protocols, …).
PROTOCOL_DIRECTIVES = ("ssl_protocols", "proxy_ssl_protocols", "grpc_ssl_protocols", "uwsgi_ssl_protocols")
CIPHER_DIRECTIVES = {
    "ssl_ciphers": "ssl_protocols",
    "proxy_ssl_ciphers": "proxy_ssl_protocols",
    "grpc_ssl_ciphers": "grpc_ssl_protocols",
    "uwsgi_ssl_ciphers": "uwsgi_ssl_protocols",
}


def _weak_args(node) -> list[int]:
    return [i for i, arg in enumerate(node.args) if protocol_name(arg) in WEAK_PROTOCOLS]


# -- SEC521: weak protocol versions -----------------------------------------------------------------------------

CIPHERS_OF = {protocols: ciphers for ciphers, protocols in CIPHER_DIRECTIVES.items()}


class _CiphersInScope:
    """The cipher lists a protocol setting's handshakes use: the one in effect in its block (None: nginx's default),
    and those of the servers and locations inside it. Indexed once per run."""

    def __init__(self, dep):
        self._dep = dep
        self._ciphers: dict = {}

    def of(self, node) -> list:
        name = CIPHERS_OF[node.name]
        if name not in self._ciphers:
            self._ciphers[name] = (Inherited(self._dep, name), self._dep.nodes(name))
        inherited, all_nodes = self._ciphers[name]
        return [inherited.at(node.parent), *(c for c in all_nodes if node.parent in c.ancestors())]

    def only_tls12(self, node) -> bool:
        """Every list in scope leaves no suite TLS 1.0 or 1.1 can use (`HIGH:!aNULL:!MD5:!SHA`): the old versions
        it enables are never negotiated."""
        return all(c is not None and c.args and only_tls12_suites(c.args[0]) for c in self.of(node))


class _OpenSSL3:
    """Whether the image's OpenSSL 3 refuses TLS 1.0/1.1 whatever a protocol list says: unless the suites in scope
    lower its security level to 0."""

    def __init__(self, dep, ciphers: _CiphersInScope):
        self._dep = dep
        self._on: bool | None = None
        self._ciphers = ciphers

    def refuses_weak(self, node) -> bool:
        if self._on is None:  # the image model, read only once a weak version is found
            from ..container.nginx_build import links_openssl_3

            self._on = links_openssl_3(self._dep) is not None
        return self._on and not any(c is not None and c.args and "@seclevel=0" in c.args[0].lower()
                                    for c in self._ciphers.of(node))


class _ReachingTlsServers:
    """Whether an http-level `ssl_protocols` of a main config may reach a server that speaks TLS: a server in view
    inherits it, or servers are out of view (an include nginxlint could not follow, `sites-enabled/*`) and some
    config the run read listens with TLS and takes the http block's versions (the sites in `sites-available/` a
    user links there). One that reaches
    none (the stock Debian nginx.conf's `ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;` above plain-HTTP sites, TLS
    ending at an Ingress in front) negotiates nothing. A fragment's setting is made for the servers that include
    it, and counts."""

    def __init__(self, dep):
        self._dep = dep
        self._reached: set[int] | None = None

    def any(self, node) -> bool:
        if not self._dep.is_main or node.ctx != ("http",):
            return True
        if self._reached is None:
            protocols = Inherited(self._dep, "ssl_protocols")
            ssl_on = Inherited(self._dep, "ssl")
            unread = self._dep.unread_include_ids()  # a server's may set its own versions (certbot's)
            self._reached = {id(protocols.at(server)) for server in http_servers(self._dep)
                             if speaks_tls(server, ssl_on) and id(server) not in unread}
        return id(node) in self._reached or (tls_out_of_view(self._dep) and _tls_listen_read(self._dep.loader))


def _tls_listen_read(loader) -> bool:
    """Some config file the run read has a server that speaks TLS (`listen … ssl`, `quic`, `ssl on;`) and would
    inherit the http block's versions: it sets no `ssl_protocols` of its own and includes no file that may (certbot's
    `options-ssl-nginx.conf`). Read once per run."""
    memo = loader.memo("tls-listen-read")
    if "found" not in memo:
        scopes = [parsed.directives for _source, parsed in loader.parsed_files()]
        found = False
        while scopes and not found:
            scope = scopes.pop()
            names = {directive.name for directive in scope}
            found = "ssl_protocols" not in names and "include" not in names and any(
                (directive.name == "listen" and is_tls_listen(directive))
                or (directive.name == "ssl" and directive.args[:1] == ["on"]) for directive in scope)
            scopes.extend(directive.block for directive in scope if directive.block)
        memo["found"] = found
    return memo["found"]


class _RefusedHandshakes:
    """Whether a server's own TLS setting is never negotiated: the server fails every handshake (`ssl_reject_handshake
    on`, an empty `data:` certificate), the way a catch-all refuses the names it does not host."""

    def __init__(self, dep):
        self._dep = dep
        self._certificates = None

    def covers(self, node) -> bool:
        server = node.parent
        if server is None or server.name != "server" or not node.name.startswith("ssl_"):
            return False
        if self._certificates is None:
            self._certificates = Inherited(self._dep, "ssl_certificate")
        return rejects_handshakes(self._dep, server, self._certificates.at(server))


class _PlainTextToo:
    """Whether every mail server a setting reaches also takes the session unencrypted (`starttls on`, no `ssl`
    listen): refusing an old TLS version there protects nothing, since a client that cannot negotiate carries on
    in plain text and an attacker in the path can strip STARTTLS anyway (opportunistic security, RFC 7435)."""

    def __init__(self, dep):
        self._dep = dep
        self._inherited: dict[str, Inherited] = {}

    def _at(self, name: str, block):
        if name not in self._inherited:
            self._inherited[name] = Inherited(self._dep, name)
        return self._inherited[name].at(block)

    def covers(self, node) -> bool:
        if "mail" not in node.ctx:
            return False
        block = node.parent
        below = [block] if block.name == "server" else [n for n in block.walk() if n.name == "server"]
        reached = [server for server in below if self._at(node.name, server) is node]
        return bool(reached) and all(
            flag_on(self._at("starttls", server)) and not tls_listens(server) and not flag_on(self._at("ssl", server))
            for server in reached)


# A comment on the line or above it in its paragraph (no blank line or block edge between) that says the weak
# setting is chosen on purpose, for the clients that need it ("Unsecure TLS configuration to support TLS1.0", "legacy
# clients", "for older Android devices"): the user knows
_ON_PURPOSE = re.compile(r"\b(?:un|in)secure\b|\b(?:legacy|old(?:er)?)\s+(?:clients|browsers|devices|systems|android|"
                         r"windows|java)\b|\bcompatib\w*\s+with\b", re.IGNORECASE)


def _chosen_on_purpose(dep, node) -> bool:
    parsed = dep.loader.parse(node.file)
    if parsed is None or not parsed.comments:
        return False
    line = node.d.span.line
    first = line
    while first > 1 and (above := node.file.line(first - 1).strip()) and not above.endswith(("{", "}")):
        first -= 1  # up to a blank line or the start of the block
    return any(first <= span.line <= line and _ON_PURPOSE.search(text) for span, text in parsed.comments)


@rule("SEC521")
def weak_tls_protocol(dep, report):
    reported = set()
    ciphers = _CiphersInScope(dep)
    openssl = _OpenSSL3(dep, ciphers)
    plain_too = _PlainTextToo(dep)
    reaching = _ReachingTlsServers(dep)
    refused = _RefusedHandshakes(dep)
    for name in PROTOCOL_DIRECTIVES:
        for node in dep.nodes(name):
            weak = _weak_args(node)
            if not weak or openssl.refuses_weak(node) or ciphers.only_tls12(node) or plain_too.covers(node) or \
                    refused.covers(node) or _chosen_on_purpose(dep, node) or \
                    (name == "ssl_protocols" and not reaching.any(node)) or \
                    (name in _UPSTREAM_TLS and not _may_use_tls_upstream(dep, node)):
                continue
            reported.add(id(node))
            listed = ", ".join(node.args[i] for i in weak)
            side = "clients" if name == "ssl_protocols" else "the upstream connection"
            verb = "this version has known attacks (POODLE, BEAST) and is" if len(weak) == 1 else \
                "these versions have known attacks (POODLE, BEAST) and are"
            report(node, f"`{name}` enables {listed}: {verb} deprecated by RFC 8996; allow only TLSv1.2 and "
                   f"TLSv1.3 for {side}",
                   arg=weak[0], help=f"{name} TLSv1.2 TLSv1.3;", fix=_strong_only(node))
    _sni_protocols(dep, report, reported, lambda setting: openssl.refuses_weak(setting) or ciphers.only_tls12(setting))


# The upstream protocol settings, with the `*_pass` they apply to and its plain (no TLS) scheme.
_UPSTREAM_TLS = {"proxy_ssl_protocols": ("proxy_pass", "http://"), "grpc_ssl_protocols": ("grpc_pass", "grpc://"),
                 "uwsgi_ssl_protocols": ("uwsgi_pass", "uwsgi://")}


def _may_use_tls_upstream(dep, node) -> bool:
    """Whether a `*_pass` the setting reaches (in its block or below: the setting is inherited, the pass is not)
    may connect with TLS: `proxy_pass http://app:8888;` never reads `proxy_ssl_protocols`. A variable scheme, a
    template tag, an unread include in the block or a fragment's blocks out of view may."""
    directive, plain = _UPSTREAM_TLS[node.name]
    scope = node.parent
    if scope is dep.main and not dep.is_main:
        return True  # a fragment's top level: the blocks it is included in, and their `*_pass`, are out of view
    if any(block is scope or scope in block.ancestors() for block in dep.unread_include_blocks()):
        return True
    return any(not _plain_target(found.args[0], plain, directive)
               for found in scope.walk() if found.name == directive and found.args)


def _plain_target(target: str, plain: str, directive: str) -> bool:
    """The target speaks no TLS: it names the plain scheme, or (grpc_pass, uwsgi_pass) no scheme at all."""
    target = target.lower()
    if target.startswith(plain):
        return True  # the scheme is written out, whatever a template tag fills in after it (`http://{{ host }}`)
    if is_unknown(target) or target.startswith("$"):
        return False
    return directive != "proxy_pass" and "://" not in target


def _sni_protocols(dep, report, reported, never_negotiated) -> None:
    """A server's own ssl_protocols does not apply to handshakes it shares a socket with a weaker default server
    for: OpenSSL negotiates the version with the default server's settings before SNI picks the server."""
    protocols = Inherited(dep, "ssl_protocols")
    servers = http_servers(dep)
    if not servers or not dep.nodes("ssl_protocols"):
        return
    for socket, entries in sockets(servers).items():
        if len(entries) < 2:
            continue
        default_server, default_listen = default_of(entries)
        default_setting = protocols.at(default_server)
        if default_setting is None or not _weak_args(default_setting) or never_negotiated(default_setting):
            continue
        for server, _listen in entries:
            own = protocols.own(server)
            if server is default_server or own is None or _weak_args(own) or id(own) in reported:
                continue
            reported.add(id(own))
            weak = ", ".join(default_setting.args[i] for i in _weak_args(default_setting))
            report(own, f"this server still accepts {weak}: on {socket} the default server's `ssl_protocols` "
                   f"(line {default_setting.d.span.line}) decides the version before SNI selects this server; "
                   f"remove {weak} there", arg=0,
                   related=[default_setting.location("the protocols of the socket's default server")],
                   fix=_strong_only(default_setting))


def _strong_only(node):
    """The protocol list without its weak versions (TLSv1.2 TLSv1.3 when nothing else is left)."""
    kept = [arg for arg in node.d.raw_args if protocol_name(arg) not in WEAK_PROTOCOLS] or ["TLSv1.2", "TLSv1.3"]
    line = f"{node.name} {' '.join(kept)};"
    return Fix.of(f"Set `{line}`", edits.replace_args(node.d, " ".join(kept)))


# -- SEC522: weak cipher suites ---------------------------------------------------------------------------------

_NOT_ASKED = object()


def _openssl_without_weak_suites(dep) -> str | None:
    from ..container.nginx_build import openssl_without_weak_suites  # the image model, once a weak suite is found

    return openssl_without_weak_suites(dep)


@rule("SEC522")
def weak_tls_cipher(dep, report):
    plain_too = _PlainTextToo(dep)
    refused = _RefusedHandshakes(dep)
    openssl = _NOT_ASKED  # which OpenSSL the server links ("3", "1.1" or None), once a weak suite asks
    for name, protocols_name in CIPHER_DIRECTIVES.items():
        nodes = dep.nodes(name)
        if not nodes:
            continue
        protocols = Inherited(dep, protocols_name)
        for node in nodes:
            if not node.args or plain_too.covers(node) or refused.covers(node):
                continue
            setting = protocols.at(node.parent)
            if setting is not None and setting.args and all(protocol_name(a) == "TLSv1.3" for a in setting.args):
                continue  # ssl_ciphers sets TLS 1.2-and-older suites only: unused when only TLSv1.3 is on
            weak = weak_suites(node.args[0])
            if weak:
                if openssl is _NOT_ASKED:
                    openssl = _openssl_without_weak_suites(dep)
                weak = {suite: why for suite, why in weak.items() if negotiable(why, node.args[0], openssl)}
            if not weak or _chosen_on_purpose(dep, node):
                continue
            reasons = sorted(set(weak.values()))
            example = sorted(weak)[0]
            report(node, f"`{name}` enables weak cipher suites ({'; '.join(reasons)}), e.g. {example}: a client "
                   f"or attacker may negotiate them; use a list of AEAD suites or exclude these with `!`",
                   arg=0, help=f'{name} HIGH:!aNULL:!MD5:!3DES:!RC4;')


# -- SEC523: HSTS -----------------------------------------------------------------------------------------------

HSTS = "strict-transport-security"
MIN_MAX_AGE = 15768000  # six months, the minimum Mozilla's guidelines and scanners accept


def _sends_hsts(node) -> bool:
    """An add_header of Strict-Transport-Security with a value (nginx sends no header whose value is empty)."""
    return len(node.args) >= 2 and node.args[0].lower() == HSTS and bool(node.args[1])


class _Headers:
    """add_header, more_set_headers and security_headers of one config, by the block that holds them."""
    def __init__(self, dep):
        self.held: dict[str, dict[int, list]] = {}
        for name in ("add_header", "more_set_headers", "security_headers"):
            by_block: dict[int, list] = {}
            for node in dep.nodes(name):
                by_block.setdefault(id(node.parent), []).append(node)
            self.held[name] = by_block

    def add_headers(self, block) -> tuple[list, list]:
        """(all add_header of the block, those sending HSTS: nginx sends no header whose value is empty)."""
        headers = self.held["add_header"].get(id(block), [])
        return headers, [h for h in headers if _sends_hsts(h)]

    def hsts_in_effect(self, server) -> list:
        """The add_header lines sending HSTS that the server's answers carry: its own, else the http block's, which
        it inherits only when it has no add_header of its own (a server alone, included from a stock nginx.conf,
        has none)."""
        own, own_hsts = self.add_headers(server)
        http = server.parent if server.parent is not None and server.parent.name == "http" else None
        return own_hsts if own or http is None else self.add_headers(http)[1]

    def by_other_means(self, block) -> bool:
        """more_set_headers (headers-more) or security_headers (ngx_security_headers) setting HSTS here."""
        key = id(block)
        return any(HSTS in a.lower() for n in self.held["more_set_headers"].get(key, ()) for a in n.args) or \
            any(flag_on(n) for n in self.held["security_headers"].get(key, ()))


def _max_age(value: str) -> int | None:
    for part in value.split(";"):
        key, _, number = part.strip().partition("=")
        if key.strip().lower() == "max-age":
            number = number.strip().strip('"')
            return int(number) if number.isdigit() else None
    return None


def _hsts_by_other_means(block) -> bool:
    """more_set_headers (headers-more) or security_headers (ngx_security_headers) setting HSTS in this block."""
    for child in block.children or ():
        if child.name == "more_set_headers" and any(HSTS in a.lower() for a in child.args):
            return True
        if child.name == "security_headers" and flag_on(child):
            return True
    return False


@rule("SEC523", "SEC572")
def check_hsts(dep, report):
    """SEC523 (HSTS missing, weak or dropped) and SEC572 (sent without `always`, opt-in): one pass over the TLS
    servers and their Strict-Transport-Security headers."""
    ssl_on = Inherited(dep, "ssl")
    certificates = Inherited(dep, "ssl_certificate")
    by_lua = _CertificateByLua(dep)
    headers = _Headers(dep)
    side_ports = _SidePorts(dep, ssl_on)
    plain = PlainHttp(dep)
    covering = None  # the domains whose HSTS covers their subdomains, found when a server sends none
    for node in dep.nodes("add_header"):
        if _sends_hsts(node) and not plain.only(node):  # browsers ignore HSTS over plain HTTP (RFC 6797 8.1)
            _check_hsts_value(node, report)
    for server in http_servers(dep):
        if not speaks_tls(server, ssl_on) or rejects_handshakes(dep, server, certificates.at(server)):
            continue
        if _serves_nothing(server):
            continue  # every answer is an error (or 444, no answer at all): no page for HSTS to protect
        if listens_locally(server):
            continue  # only this host's clients connect (a developer's local sites): no path to downgrade on
        if local_placeholder(dep, server, certificates.at(server)) or self_signed(dep, certificates.at(server)):
            continue  # its certificate is self-signed: browsers ignore HSTS over it (RFC 6797 8.1)
        if by_lua.at(server) is not None and _proxies(server):
            continue  # a gateway for many domains: each service behind it sends its own HSTS
        if side_ports.of(server):
            continue  # HSTS covers the host name at every port: its main site on 443 decides it
        if _plain_side_port(server, ssl_on):
            continue  # HSTS would send browsers to https on the server's own plain-HTTP port, which speaks none
        http = server.parent if server.parent is not None and server.parent.name == "http" else None
        levels = [server, http] if http is not None else [server]
        if any(headers.by_other_means(level) for level in levels):
            continue
        own, own_hsts = headers.add_headers(server)
        inherited = headers.add_headers(http)[1] if http is not None else []
        effective = headers.hsts_in_effect(server)
        if own and not own_hsts and inherited:
            _report_dropped(own[0], inherited[0], "the http block's", "this server", report)
            continue
        if not effective:
            if not dep.complete:
                continue  # a file that could not be read may set it
            if covering is None:
                covering = _domains_covering_subdomains(dep, headers, ssl_on)
            if _own_names(server) and all(_below(name, covering) for name in _own_names(server)):
                continue  # the parent domain's HSTS with includeSubDomains covers every name of this server
            report(server, "this HTTPS server sends no Strict-Transport-Security header: a browser that is sent "
                   "to http:// once can be downgraded by anyone on the path; add "
                   '`add_header Strict-Transport-Security "max-age=31536000" always;`',
                   help='add_header Strict-Transport-Security "max-age=31536000" always;')
            continue
        _dropped_in_locations(server, effective[0], headers, report)


# `https://$host:22222$request_uri`, `https://admin.example.com:8443/`: an https URL that names its port
_HTTPS_PORT = re.compile(r"https://(?:\$\{\w+\}|\$\w+|[^/?#$:])*:(\d+)(?!\w)")


def _plain_side_port(server, ssl_on) -> bool:
    """The server is a site of its own ports, none of them 80 or 443, and answers plain HTTP on one of them with
    pages rather than a redirect: HSTS makes a browser load `http://host:3000/` as `https://host:3000/` (RFC 6797
    8.3), where no TLS is spoken. (Beside 80 and 443, a plain 8080 is a side door for probes, not the site.)"""
    if flag_on(ssl_on.at(server)) or any(node.name in ("return", "rewrite") for node in server.children or ()):
        return False
    listens = [listen for listen in map(parse_listen, server.find("listen")) if listen is not None]
    return not any(listen.port in (80, 443) for listen in listens) and \
        any(not is_tls_listen(listen.node) for listen in listens)


class _SidePorts:
    """TLS servers on side ports of a host name: HSTS is a policy of the name, whatever the port (RFC 6797 §8.1, a
    browser notes the domain name, and §8.3 loads `http://host/` from port 443), so the host's main site decides it.
    A server is on side ports when it answers TLS on ports other than 443 only, and the config shows those ports to
    be what clients use: an https URL of the config names the port (`error_page 497 https://$host:22222$request_uri`),
    or another server answers TLS on 443 for every name of this one (or this one has no name of its own). A port
    8443 that a container publishes as 443 shows neither, and is still reported."""

    def __init__(self, dep, ssl_on):
        self.ssl_on = ssl_on
        urls = (arg for name in ("return", "rewrite", "error_page") for node in dep.nodes(name) for arg in node.args)
        self.named_ports = {int(m.group(1)) for url in urls if (m := _HTTPS_PORT.match(url))}
        self.main_names: set[str] = set()
        for server in http_servers(dep):
            if 443 in self._tls_ports(server):
                self.main_names.update(_own_names(server))

    def of(self, server) -> bool:
        ports = self._tls_ports(server)
        if not ports or 443 in ports:
            return False
        if ports <= self.named_ports:
            return True
        return bool(self.main_names) and _own_names(server) <= self.main_names

    def _tls_ports(self, server) -> set:
        listens = server.find("listen") if flag_on(self.ssl_on.at(server)) else tls_listens(server)
        return {listen.port for listen in map(parse_listen, listens) if listen is not None}


def _domains_covering_subdomains(dep, headers, ssl_on) -> set[str]:
    """The names of the TLS servers whose HSTS says includeSubDomains: a browser that met one applies HTTPS-only to
    every subdomain of the name (RFC 6797 §6.1.2). A max-age this rule calls short is reported there, at the one
    line whose fix covers the subdomains too."""
    return {name.lower().lstrip(".") for server in http_servers(dep) if speaks_tls(server, ssl_on)
            and any(_covers_subdomains(node.args[1]) for node in headers.hsts_in_effect(server))
            for name in _own_names(server) if "*" not in name and not name.startswith("~")}


def _covers_subdomains(value: str) -> bool:
    age = _max_age(value)
    return "includesubdomains" in value.lower() and age is not None and age > 0


def _below(name: str, domains: set[str]) -> bool:
    """The name is a subdomain of one of the domains."""
    labels = name.lower().split(".")
    return any(".".join(labels[i:]) in domains for i in range(1, len(labels) - 1))


def _own_names(server) -> set[str]:
    """The server's names, without the catch-all `_` and the empty name."""
    return {name for node in server.find("server_name") for name in node.args if name not in ("_", "")}


class _CertificateByLua:
    """The `ssl_certificate_by_lua_block` or `_file` in effect in a server (its own or the http block's)."""

    def __init__(self, dep):
        self._found = [Inherited(dep, name) for name in ("ssl_certificate_by_lua_block", "ssl_certificate_by_lua_file")]

    def at(self, server):
        return next((node for node in (found.at(server) for found in self._found) if node is not None), None)


def _proxies(server) -> bool:
    """The server hands requests to upstreams (a `*_pass`), whose answers nginx passes on with their own headers."""
    return any(node.name in PER_REQUEST_PASSES for node in server.walk())


def _serves_nothing(server) -> bool:
    """Every request to the server ends in an error status: a `return` of 400 or more in the server itself, or a
    `location /` that takes what no other location does and locations that each refuse (`return 4xx|5xx`, or
    `deny all` first). Any other `return`, a `rewrite` or an `error_page` that changes the status may answer with a
    page or redirect; an `error_page` that only gives the error a body keeps it an error, and so does the named or
    internal location it sends the error to, when nothing else sends requests there."""
    if any(error_return(node) for node in server.find("return")):
        return True
    locations, covered, error_pages, other_args = [], False, set(), set()
    for node in server.walk():
        if node.name == "rewrite" or (node.name == "return" and not error_return(node)):
            return False
        if node.name == "error_page":
            if not _keeps_error(node):
                return False
            error_pages.add(node.args[-1])
        elif node.name == "location":
            locations.append(node)
            covered = covered or node.args in (["/"], ["^~", "/"])
        else:
            other_args.update(node.args)
    error_documents = error_pages - other_args
    return covered and all(_refuses(location) for location in locations if location.args[:1] != [] and
                           not _error_document(location, error_documents))


def _error_document(location, error_documents) -> bool:
    """The location only gives errors their body: a named one the error_page sends them to, or an `internal` one
    for the error_page's URI (`location = /404.html { internal; }`), which no request reaches directly."""
    name = location.args[-1]
    return name in error_documents and (name.startswith("@") or bool(location.find("internal")))


def _keeps_error(error_page) -> bool:
    """The error_page gives an error its body and keeps its status: no `=code` and no redirect to a URL."""
    target = error_page.args[-1] if error_page.args else ""
    return not any(arg.startswith("=") for arg in error_page.args) and \
        not target.startswith(("http://", "https://", "$scheme"))


def _refuses(location) -> bool:
    if any(error_return(node) for node in location.find("return")):
        return True  # the rewrite phase answers before anything else runs
    rules = [c for c in location.children if c.name in ("allow", "deny")]
    return bool(rules) and rules[0].name == "deny" and rules[0].args == ["all"] and \
        not any(c.args[:1] == ["any"] for c in location.find("satisfy"))


def _check_hsts_value(node, report) -> None:
    value = node.args[1]
    if not is_unknown(value) and "$" not in value and _max_age(value) is None:
        report(node, f'"{value}" has no valid max-age (`max-age=<seconds>`, its directives separated by `;`): '
               "browsers ignore a Strict-Transport-Security header they cannot parse (RFC 6797 6.1, 8.1), so this "
               'server has no HSTS; write "max-age=31536000; includeSubDomains"', arg=1)
        return
    age = _max_age(value)
    if age is not None and age < MIN_MAX_AGE:
        what = "turns HSTS off in browsers" if age == 0 else f"lasts {age} seconds"
        report(node, f"`max-age={age}` {what}: browsers forget the HTTPS-only rule that soon and the next "
               f"plain-http visit can be intercepted; use at least 15768000 (six months), commonly 31536000",
               arg=1)
    elif "always" not in node.args[2:]:  # opt-in: every 2xx/3xx answer of the host records HSTS all the same
        report(node, "without `always`, add_header sends Strict-Transport-Security only with 2xx/3xx responses: "
               "a visitor who first meets an error page gets no HSTS; add `always`", arg=len(node.args) - 1,
               code="SEC572")


def _report_dropped(add_header, hsts, whose: str, where: str, report) -> None:
    report(add_header, f"this add_header stops {whose} Strict-Transport-Security header from being inherited "
           f"(line {hsts.d.span.line}): responses of {where} carry no HSTS; repeat the Strict-Transport-Security "
           "add_header here", arg=0, related=[hsts.location("the HSTS header that is not inherited")])


def _dropped_in_locations(server, hsts, headers, report) -> None:
    """A location with add_header of its own inherits none from the server: HSTS disappears there."""
    stack = [c for c in server.children if c.name in ("location", "if") and c.children is not None]
    while stack:
        block = stack.pop()
        own, block_hsts = headers.add_headers(block)
        if own and not block_hsts and not headers.by_other_means(block) and served_kinds(block) is None \
                and not _front_page_sends(block, server, headers):
            whose = "the http block's" if hsts.parent is not None and hsts.parent.name == "http" else "the server's"
            _report_dropped(own[0], hsts, whose, "this location", report)
            continue
        stack.extend(c for c in block.children if c.name in ("location", "if") and c.children is not None)


def _front_page_sends(block, server, headers) -> bool:
    """The server's front page `/` is answered elsewhere, with the HSTS this block drops: the browser records it
    there, from the answer every visitor meets first."""
    front = front_page(block)
    if front is None or front is block:
        return False
    while front is not server:
        own, own_hsts = headers.add_headers(front)
        if own_hsts or headers.by_other_means(front):
            return True
        if own:
            return False  # the front page drops it as well
        front = front.parent
    return True


# -- SEC524: public DNS resolver --------------------------------------------------------------------------------

PUBLIC_RESOLVERS = {
    "8.8.8.8": "Google Public DNS", "8.8.4.4": "Google Public DNS", "1.1.1.1": "Cloudflare DNS",
    "1.0.0.1": "Cloudflare DNS", "9.9.9.9": "Quad9", "149.112.112.112": "Quad9", "208.67.222.222": "OpenDNS",
    "208.67.220.220": "OpenDNS", "2001:4860:4860::8888": "Google Public DNS", "2606:4700:4700::1111": "Cloudflare DNS",
}


def resolver_address(arg: str):
    """The IP address of a `resolver` argument (`1.1.1.1`, `1.1.1.1:53`, `[2606:4700::1111]:53`), or None for
    a host name or a parameter (`valid=30s`, `ipv6=off`)."""
    if "=" in arg:
        return None
    text = arg
    if text.startswith("["):
        text = text[1:text.find("]")] if "]" in text else text[1:]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


PER_REQUEST_PASSES = frozenset({"proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass"})


def _per_request_lookup(node, lua_connects: bool) -> bool:
    """The directive may have nginx look a name up while serving: a `*_pass` with variables, `server … resolve`,
    or Lua code that may open a cosocket (cosockets connect by name)."""
    name = node.d.name
    return ((name in PER_REQUEST_PASSES and "$" in "".join(node.args)) or ("_by_lua" in name and lua_connects)
            or (name == "server" and "resolve" in node.args))


def _looks_up_names(node, verified: dict, lua_connects: bool) -> bool:
    """The directive may have nginx's resolver look a name up where a forged answer matters: per request
    (`_per_request_lookup`), for OCSP stapling whose responses nginx does not verify (`ssl_stapling_verify` off
    where it staples) or client checks, or in njs code (fetch)."""
    name = node.name
    if name == "ssl_stapling":
        verify = value_at(verified, node.parent)
        return node.args[:1] != ["off"] and (verify is None or verify.args[:1] != ["on"])
    return (_per_request_lookup(node, lua_connects) or name.startswith("js_")
            or (name == "ssl_ocsp" and node.args[:1] != ["off"]))


def _visible_consumer(dep, resolver) -> bool:
    """Something in view in the resolver's scope looks a name up through it where a forged answer matters (mail
    looks clients up by itself). What cannot be seen (a fragment's includer, a file that could not be read) is no
    consumer: the finding says where a lookup is made."""
    if resolver.ctx[:1] == ("mail",):
        return True
    verified = nearest(dep, "ssl_stapling_verify")
    lua_connects = any("_by_lua" in node.name for node in _scope(resolver.parent)) and dep.lua.may_connect
    return any(_looks_up_names(node, verified, lua_connects) for node in _scope(resolver.parent))


def _scope(block):
    """The directives below the block that use its resolver: not those of a block with a resolver of its own."""
    stack = [block]
    while stack:
        for child in stack.pop().children or ():
            yield child
            if child.children is not None and not child.find("resolver"):
                stack.append(child)


@rule("SEC524")
def resolver_public(dep, report):
    # one finding per choice of public servers, on the first line that makes it: a site copied a hundred times
    # with `resolver 1.1.1.1;` in each is one decision, its other lines named as related locations
    chosen: dict[tuple, list] = {}
    for node in dep.nodes("resolver"):
        if not _visible_consumer(dep, node):
            continue
        public = [(index, address) for index, address in enumerate(map(resolver_address, node.args))
                  if address is not None and address.is_global]
        if public:
            chosen.setdefault(tuple(str(address) for _, address in public), []).append((node, public))
    for lines in chosen.values():
        node, public = lines[0]
        named = [_resolver_name(address, alone=len(public) == 1) for _, address in public]
        who = f"resolver {named[0]} is" if len(named) == 1 else f"resolvers {', '.join(named)} are public and"
        more = len(lines) - 1
        elsewhere = f" (and on {more} more resolver line{'s' if more > 1 else ''})" if more else ""
        report(node, f"{who} reached across the internet over plain UDP{elsewhere}: nginx's resolver does not "
               "validate answers (no DNSSEC), so anyone on the path can spoof the addresses nginx connects to; use a "
               "resolver in the local trusted network", arg=public[0][0],
               related=[other.location("the same public resolver") for other, _ in lines[1:]])


def _resolver_name(address, alone: bool) -> str:
    known = PUBLIC_RESOLVERS.get(str(address))
    return f"{known} ({address})" if known else f"{address}, a public address," if alone else str(address)


# -- SEC525: nginx versions with published vulnerabilities ------------------------------------------------------

@rule("SEC525")
def nginx_known_vulnerability(dep, report):
    running = running_release(dep)
    if running is None:
        return
    release = running.release
    related = running.related
    by_node: dict[int, tuple] = {}  # one finding per directive, naming every advisory it exposes
    for advisory in ADVISORIES:
        if release.flavour == "openresty" and openresty_patched(advisory, release.number):
            continue
        if not affected_branch(advisory, release.nginx):
            continue
        node = advisory.trigger(dep)
        if node is not None:
            fixes = " or ".join(".".join(map(str, fix)) for fix in advisory.fixed)
            by_node.setdefault(id(node), (node, []))[1].append((advisory, fixes))
    for node, found in by_node.values():
        named = "; ".join(f"{a.cves}, {a.what} (fixed in {fixes})" for a, fixes in found)
        report(node, f"{release.name} ({running.source}) has published vulnerabilities that {found[0][0].needs} "
               f"exposes: {named}; upgrade {'the image' if running.from_image else 'nginx'}", related=related)

