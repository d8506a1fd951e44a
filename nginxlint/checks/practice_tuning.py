"""NGX020–NGX027 and CTR113: nginx practice and tuning around TLS, HTTP/2 and HTTP/3, keep-alive, buffering
and workers: settings that nginx accepts but that make it start badly, serve the wrong thing or work below its
means."""
from __future__ import annotations

import math

from ..findings import SAFE, UNSAFE, Fix, Span
from ..nginx import edits
from ..nginx.listen import http_servers
from ..nginx.tls import CLASSIC_GROUPS, DEFAULT_PROTOCOLS, DRAFT_GROUPS, OPENSSL_35_GROUPS, ordered_suites, \
    only_forward_secret, protocol_name
from ..nginx.tls_scope import (Inherited, default_of, flag_on, is_default, local_placeholder, sockets, speaks_tls,
                               tls_listens, tls_servers)
from ..nginx.urls import is_address
from ..nginx.values import parse_uint
from .registry import rule


# -- NGX020: server cipher preference ---------------------------------------------------------------------------

@rule("NGX020")
def tls_server_cipher_preference(dep, report):
    ciphers = Inherited(dep, "ssl_ciphers")
    protocols = Inherited(dep, "ssl_protocols")
    certificates = Inherited(dep, "ssl_certificate")
    chacha_blocks = {id(c.parent) for c in dep.nodes("ssl_conf_command")
                     if any("prioritizechacha" in a.lower() for a in c.args)}
    reported = set()
    for node, block in _preferences_in_effect(dep):
        if id(node) in reported:
            continue
        if any(id(level) in chacha_blocks for level in _levels(block)):
            continue
        if block.name == "server" and local_placeholder(dep, block, certificates.at(block)):
            continue  # a localhost placeholder whose certificate every start makes anew: no phone is served
        cipher_list = ciphers.at(block)
        if cipher_list is not None and _set_twice(cipher_list):
            continue  # a template's branches each set a list (`{{ if .Values.strong }}`): which one renders is unknown
        string = cipher_list.args[0] if cipher_list is not None and cipher_list.args else "HIGH:!aNULL:!MD5"
        written = protocols.at(block)
        written = [protocol_name(a) for a in written.args] if written is not None else []
        if {"TLSv1", "TLSv1.1"}.intersection(written):
            continue  # kept for old clients: Mozilla's profile for them is the server's order (its "old" config)
        enabled = written or DEFAULT_PROTOCOLS
        if set(enabled) != {"TLSv1.3"} and not only_forward_secret(string):
            continue  # a weak suite or one without forward secrecy (or unknown): the server's order keeps it unused
        taken = _first_suites(string, enabled)
        if not taken:
            continue  # ChaCha20 first: the server's choice is the one phones would make
        reported.add(id(node))
        report(node, f"`ssl_prefer_server_ciphers on` makes every client take the server's first suite "
               f"({' and '.join(taken)}), even phones without AES hardware that would be faster with ChaCha20; "
               "with only strong suites, let the client choose (`off`) or add "
               "`ssl_conf_command Options PrioritizeChaCha;`", arg=0,
               help="ssl_prefer_server_ciphers off;",
               fix=Fix.of("Set `ssl_prefer_server_ciphers off;`", edits.replace_arg(node.d, 0, "off")))


def _set_twice(node) -> bool:
    """Another line of the same directive in the same block: nginx refuses that, so in a config it reads whole the
    lines are alternatives a template's conditional chooses between."""
    return sum(1 for sibling in node.parent.children or () if sibling.name == node.name) > 1


def _first_suites(cipher_string: str, enabled) -> list[str]:
    """The AES suites server preference hands every client, per TLS version, where the client could have chosen
    ChaCha20: in TLS 1.3 TLS_AES_256_GCM_SHA384, the first of OpenSSL's own list, which holds ChaCha20 too
    (ssl_ciphers does not touch it; oracle: a client that prefers ChaCha20 gets it); in TLS 1.2 the first of a
    cipher list that holds ChaCha20, in OpenSSL's order. An empty list: no ChaCha20 choice is taken away."""
    taken = []
    if "TLSv1.3" in enabled:
        taken.append("TLS_AES_256_GCM_SHA384 in TLS 1.3")
    if "TLSv1.2" in enabled:  # the list then holds only suites known here (only_forward_secret)
        order = ordered_suites(cipher_string)
        if any("CHACHA20" in suite for suite in order) and "CHACHA20" not in order[0]:
            taken.append(f"{_family(order[0])} in TLS 1.2")
    return taken


def _family(suite: str) -> str:
    return "AES-GCM" if "GCM" in suite else "AES-CBC" if "AES" in suite else suite


def _preferences_in_effect(dep):
    """(`ssl_prefer_server_ciphers on`, the block where it is judged). In http, when the config shows TLS servers,
    each such server is judged with the value in effect there: an http-level `on` that every TLS server overrides
    reaches no client. With no TLS server in view, a main config read whole has every server in view: its
    http-level `on` affects no handshake (TLS ends in front of it). Otherwise an http-level `on` reaches servers out
    of sight, which may not speak TLS at all, and is judged only where that level chooses its cipher list too (a
    TLS setup, not Debian's stock `on`). Elsewhere (stream, mail, a snippet alone, a server's own) each `on` is
    judged where it stands."""
    prefer = Inherited(dep, "ssl_prefer_server_ciphers")
    servers = tls_servers(dep)
    for server in servers:
        node = prefer.at(server)
        if flag_on(node) and node.ctx[:1] == ("http",):
            yield node, server
    ciphers = Inherited(dep, "ssl_ciphers")
    every_server_in_view = dep.is_main and dep.complete
    for node in dep.nodes("ssl_prefer_server_ciphers"):
        if not flag_on(node):
            continue
        if node.ctx[:1] != ("http",) or (not servers and not every_server_in_view and (
                not dep.is_main or ciphers.at(node.parent) is not None)):
            yield node, node.parent


def _levels(block):
    while block is not None:
        yield block
        block = block.parent


# -- NGX021: key exchange groups the OpenSSL may not know -------------------------------------------------------

@rule("NGX021")
def ecdh_curve_unsupported(dep, report):
    for node in dep.nodes("ssl_ecdh_curve"):
        if not node.args or node.args[0].lower() == "auto":
            continue
        groups = node.args[0].split(":")
        tolerant = [g for g in groups if g.startswith("?")]
        draft = [g for g in groups if g.lower() in DRAFT_GROUPS]
        modern = [g for g in groups if g.lower() in OPENSSL_35_GROUPS]
        if not draft and (modern or tolerant) and _openssl_out_of_view(dep):
            continue  # the image's OpenSSL is 3.5 (its tag names such a release), or may well be
        if draft:
            report(node, f"no OpenSSL release knows the group {draft[0]} (a Kyber draft of BoringSSL and "
                   "oqs-provider): nginx built with OpenSSL refuses to start; use X25519MLKEM768 (OpenSSL 3.5+) "
                   "or X25519", arg=0)
        elif modern:
            report(node, f"the group {modern[0]} exists only in OpenSSL 3.5 and later: with an older OpenSSL "
                   "(Debian 12, Alpine up to 3.21) nginx refuses to start; make sure the image ships OpenSSL 3.5 "
                   "or list X25519:prime256v1 only", arg=0)
        elif tolerant:
            report(node, f"the `?` prefix of {tolerant[0]} is understood only by OpenSSL 3.3 and later: an older "
                   "OpenSSL (Debian 12, Ubuntu 24.04) rejects the whole list and nginx refuses to start", arg=0)
        else:
            unknown = [g for g in groups if g.lower() not in CLASSIC_GROUPS]
            if unknown:
                report(node, f"OpenSSL knows no group named {unknown[0]!r}: nginx refuses to start "
                       "(SSL_CTX_set1_curves_list failed); use names such as X25519, prime256v1, secp384r1",
                       arg=0)


def _openssl_out_of_view(dep) -> bool:
    """The image's OpenSSL is not known to predate 3.5: out of view, or named by its tag as 3.5 or later."""
    from ..container.nginx_build import openssl_3_5_named, openssl_out_of_view  # the image model, only here

    return openssl_out_of_view(dep) or openssl_3_5_named(dep) is not None


# -- NGX022, NGX023: OCSP stapling that cannot work --------------------------------------------------------------

def _letsencrypt(certificate) -> bool:
    return certificate is not None and any("letsencrypt" in a.lower() for a in certificate.args)


def _ip_responder(node) -> bool:
    """ssl_stapling_responder names an IP address: nothing to resolve."""
    if node is None or not node.args:
        return False

    authority = node.args[0].split("://", 1)[-1].split("/", 1)[0]
    host = authority if authority.startswith("[") and authority.endswith("]") else authority.rsplit(":", 1)[0] \
        if authority.count(":") == 1 or "]:" in authority else authority
    return is_address(host)


@rule("NGX022", "NGX023")
def check_ssl_stapling(dep, report):
    """NGX022 (stapling without a resolver) and NGX023 (stapling with a Let's Encrypt certificate): one look
    at each server's stapling settings."""
    if not dep.nodes("ssl_stapling"):
        return
    stapling, resolver = Inherited(dep, "ssl_stapling"), Inherited(dep, "resolver")
    certificate, stapling_file = Inherited(dep, "ssl_certificate"), Inherited(dep, "ssl_stapling_file")
    responder, ssl_on = Inherited(dep, "ssl_stapling_responder"), Inherited(dep, "ssl")
    seen = set()
    for server in http_servers(dep):
        setting = stapling.at(server)
        if not flag_on(setting) or not speaks_tls(server, ssl_on) or stapling_file.at(server) is not None:
            continue
        if _letsencrypt(certificate.at(server)):
            if ("le", id(setting)) not in seen:
                seen.add(("le", id(setting)))
                report(setting, "Let's Encrypt certificates carry no OCSP responder since May 2025 and its "
                       "responders were shut down in August 2025: nginx logs `\"ssl_stapling\" ignored, no OCSP "
                       "responder URL in the certificate` and staples nothing; remove `ssl_stapling`",
                       arg=0, code="NGX023", help="ssl_stapling off;",
                       # set above the server, `off` stops stapling for the other servers too
                       fix=Fix.of("Set `ssl_stapling off;`", edits.replace_arg(setting.d, 0, "off"),
                                  applicability=SAFE if setting.parent is server else UNSAFE))
            continue
        # A fragment below a main config of the project is included by it, whose http block is out of this tree's
        # view; one with none above is included by a stock nginx.conf, which sets no `resolver`.
        whole = dep.complete and (dep.is_main or not dep.conf_dir_known)
        if whole and resolver.at(server) is None and not _ip_responder(responder.at(server)) \
                and id(setting) not in seen:
            seen.add(id(setting))
            report(setting, "OCSP stapling without a `resolver`: nginx looks the OCSP responder up once at start "
                   "and keeps that address until a reload (a CA's CDN moves it), warning `no resolver defined` "
                   "on every update; add `resolver` in this server or in http", arg=0, code="NGX022")


# -- NGX024: HTTP/2 connection reuse reaching the reject-handshake default server --------------------------------

def _returns_421(block) -> bool:
    return any(c.name == "return" and c.args[:1] == ["421"] for c in block.children or ())


def _catch_all_421(server) -> bool:
    if _returns_421(server):
        return True
    return any(loc.args in (["/"], ["=", "/"]) and _returns_421(loc) for loc in server.find("location"))


@rule("NGX024")
def http2_misdirected_request(dep, report):
    servers = http_servers(dep)
    rejecting = {id(s) for s in servers if flag_on(next(iter(s.find("ssl_reject_handshake")), None))}
    if not rejecting:
        return
    http2 = Inherited(dep, "http2")
    # nginx starts only with an `events` block: a file without one is a part of a config, not all of it
    whole_picture = dep.is_main and dep.complete and bool(dep.nodes("events")) and not dep.nodes("include")
    for socket, entries in sockets(servers).items():
        server, listen = default_of(entries)
        if not whole_picture and not is_default(listen):
            continue  # another file may hold an earlier server for this socket, which would be its default
        if id(server) not in rejecting or not tls_listens(server) or listen not in tls_listens(server):
            continue
        setting = http2.at(server)
        if not ("http2" in listen.args[1:] or any("http2" in l.args[1:] for l in server.find("listen"))
                or flag_on(setting)):
            continue
        others = [s for s, _ in entries if s is not server and id(s) not in rejecting]
        if not others and whole_picture:
            continue  # every handshake on this socket is rejected: no connection exists to be reused
        if _catch_all_421(server):
            continue
        if others and all(_own_name_certificate(other) for other in others):
            continue  # each site's certificate is made for its one name: no connection is reused for another
        reject = server.find("ssl_reject_handshake")[0]
        report(reject, f"browsers reuse an HTTP/2 connection for every name its certificate covers: a request for "
               f"a name no server on {socket} handles lands in this default server, which rejects only handshakes; "
               "add `location / { return 421; }` so the browser retries on a new connection", arg=0)


def _own_name_certificate(server) -> bool:
    """The server answers one name (no wildcard, no regex) with a certificate whose path is named for it
    (`/home/tls/shop.example.org/shop.example.org.crt`): such a certificate covers that name alone, and a browser
    coalesces no other name onto its connections."""
    names = [name for node in server.find("server_name") for name in node.args]
    certificates = [node.args[0] for node in server.find("ssl_certificate") if node.args]
    if len(names) != 1 or any(c in names[0] for c in "*~$") or names[0] in ("", "_") or not certificates:
        return False
    return all(names[0].lower() in certificate.lower() for certificate in certificates)


# -- NGX025: QUIC with reuseport across reloads ----------------------------------------------------------------

@rule("NGX025")
def quic_reuseport_reload(dep, report):
    if not dep.is_main:
        return  # worker_processes and worker_shutdown_timeout live in the main context, out of view in a fragment
    workers = next((n for n in dep.nodes("worker_processes") if n.ctx == ()), None)
    if workers is None or not workers.args or workers.args[0] == "1":
        return  # one worker (the default): no socket of an old worker is left in the reuseport group
    if any(n.ctx == () for n in dep.nodes("worker_shutdown_timeout")):
        return  # old workers exit within a bound the operator chose
    listen = next((n for n in dep.nodes("listen") if "quic" in n.args[1:] and "reuseport" in n.args[1:]), None)
    if listen is None:
        return
    bpf = next((n for n in dep.nodes("quic_bpf") if n.ctx == () and flag_on(n)), None)
    related = [bpf.location("quic_bpf routes packets of existing connections only")] if bpf is not None else []
    report(listen, "after a reload the old workers' QUIC sockets stay in the reuseport group until those workers "
           "exit, and new HTTP/3 connections the kernel hands to them hang (nginx/nginx#425); set "
           "`worker_shutdown_timeout` (e.g. 30s) so that old workers exit soon", arg=listen.args.index("reuseport"),
           related=related, help="worker_shutdown_timeout 30s;")


# -- NGX026: keepalive_requests ------------------------------------------------------------------------------------

@rule("NGX026")
def keepalive_requests_low(dep, report):
    for node in dep.nodes("keepalive_requests"):
        if not node.args or "upstream" in node.ctx:
            continue
        count = parse_uint(node.args[0])
        if count is None or count >= 1000:
            continue
        if count == 0:
            message = ("`keepalive_requests 0` closes every connection after one request: each request pays a "
                       "new TCP and TLS handshake; remove it (the default is 1000)")
        else:
            message = (f"`keepalive_requests {count}` closes a client's connection after {count} requests, "
                       "HTTP/2 connections included: busy clients reconnect and redo the TLS handshake; nginx "
                       "raised the default to 1000 in 1.19.10 for this reason")
        report(node, message, arg=0, help="keepalive_requests 1000;",
               fix=Fix.of("Set `keepalive_requests 1000;`", edits.replace_arg(node.d, 0, "1000")))


# -- NGX027: proxy_buffering off -----------------------------------------------------------------------------------

@rule("NGX027")
def proxy_buffering_off(dep, report):
    for node in dep.nodes("proxy_buffering"):
        if node.args[:1] != ["off"]:
            continue
        report(node, "`proxy_buffering off` holds the upstream connection (and its worker or thread) for as long "
               "as the slowest client takes to read the response, and disables proxy_cache; keep it only for "
               "streaming responses (server-sent events), or let the upstream send `X-Accel-Buffering: no`",
               arg=0)


# -- CTR113: worker_processes left at its default of 1 -------------------------------------------------------------

@rule("CTR113")
def worker_processes_default(dep, report):
    if not dep.is_main or not dep.complete:
        return
    written = dep.nodes("worker_processes")
    if any(n.ctx == () for n in written):
        return
    if not dep.nodes("events") and not written:
        return  # nginx starts only with `events`: a file named nginx.conf without it is a server file
    binding = dep.binding
    limit = binding.cpu_limit if binding is not None else None
    if limit is not None and limit.value is not None and limit.value <= 1:
        return  # one CPU: one worker is right
    advice = f"`worker_processes {max(1, math.ceil(limit.value))};` (the container's CPU limit)" if limit else \
        "`worker_processes auto;` (in a container: its CPU limit)"
    message = f"no main-context `worker_processes`: nginx runs a single worker, one CPU's worth of work; set {advice}"
    children = dep.main.children
    anchor = next((c for c in children if c.name in ("events", "http")), children[0] if children else None)
    if anchor is None:
        report.at(dep.root.display, Span(1, 1, 1, 1), message)
    else:
        report(anchor, message)
