"""Where a TLS setting applies: the directive a block inherits, the servers that speak TLS, the listen sockets
they share. Shared by the TLS rules (checks.security_tls, checks.practice_tuning) and nginx.advisories."""
from __future__ import annotations

import re
from collections import defaultdict

from .listen import LOOPBACK_HOSTS, http_servers
from .templates import is_unknown


class Inherited:
    """The nearest `name` directive visible from a block (its own, else its parent's, …), found by walking up
    the ancestors through an index built once: linear in the size of the config."""

    def __init__(self, dep, name: str):
        self.by_block: dict[int, object] = {}
        for node in dep.nodes(name):
            self.by_block.setdefault(id(node.parent), node)
        self.top = dep.main

    def at(self, block):
        node = block
        while node is not None:
            found = self.by_block.get(id(node))
            if found is not None:
                return found
            node = node.parent
        return None

    def own(self, block):
        return self.by_block.get(id(block))


def flag_on(node) -> bool:
    return node is not None and bool(node.args) and node.args[0].lower() == "on"


def is_tls_listen(listen) -> bool:
    """A `listen` (a tree node or a parsed directive) with `ssl` or `quic`."""
    return any(a in ("ssl", "quic") for a in listen.args[1:])


def tls_listens(server) -> list:
    return [n for n in server.find("listen") if is_tls_listen(n)]


def speaks_tls(server, ssl_on: Inherited) -> bool:
    """A server that answers TLS: a `listen … ssl`/`quic`, or the old `ssl on;` (removed in nginx 1.25.1)."""
    return bool(tls_listens(server)) or flag_on(ssl_on.at(server))


def tls_servers(dep) -> list:
    """The http servers that answer TLS: their own `listen … ssl`, `ssl on;`, or a listen on a socket another
    server opened with `ssl` (nginx sets the ssl flag per address:port, for every server on it)."""
    servers = http_servers(dep)
    ssl_on = Inherited(dep, "ssl")
    tls_sockets = {listen_key(listen) for server in servers for listen in tls_listens(server)}
    return [server for server in servers if speaks_tls(server, ssl_on)
            or any(listen_key(listen) in tls_sockets for listen in server.find("listen"))]


def tls_out_of_view(dep) -> bool:
    """Whether a server nginxlint does not see whole may answer TLS: servers out of view, or a `listen` whose
    arguments a template fills in."""
    return not dep.all_servers_seen or any(is_unknown(arg) for server in http_servers(dep)
                                           for listen in server.find("listen") for arg in listen.args)


class PlainHttp:
    """Where a response header nginx adds goes out over plain HTTP only: in a server that answers no TLS, or in the
    http block of a config whose servers are all in view and none answers TLS. A browser ignores
    Strict-Transport-Security received over plain HTTP (RFC 6797 8.1). A block outside any server in a fragment
    may be included where TLS is answered, and a template's tags may render a `listen … ssl`: not plain."""

    def __init__(self, dep):
        self.tls = set(tls_servers(dep))
        self.seen = dep.blocks_whole
        # an include in a server that could not be read may hold a `listen … ssl`
        self.unread = dep.unread_include_ids()
        self.whole = dep.is_main and not tls_out_of_view(dep)

    def only(self, node) -> bool:
        server = node if node.name == "server" else node.enclosing("server")
        if server is not None:
            return self.seen and server not in self.tls and id(server) not in self.unread
        in_http = node.name == "http" or node.enclosing("http") is not None
        return in_http and self.whole and not self.tls


def listen_key(node) -> str:
    """The socket a `listen` names, for grouping servers that share it ('443', '*:443' and '0.0.0.0:443' are one;
    a `quic` listen is a UDP socket of its own beside the TCP one of that port)."""
    address = node.args[0] if node.args else "80"
    if address.isdigit():
        key = "*:" + address
    elif address.startswith("[") or address.startswith("unix:"):
        key = address
    else:
        key = address if ":" in address else address + ":80"
        key = "*:" + key[len("0.0.0.0:"):] if key.startswith("0.0.0.0:") else key
    return key + " (QUIC)" if "quic" in node.args[1:] else key


def is_default(listen) -> bool:
    return any(a in ("default_server", "default") for a in listen.args[1:])


def sockets(servers) -> dict[str, list]:
    """socket -> [(server, listen)] in document order; the default server of a socket is the one whose listen
    says default_server, else the first."""
    shared = defaultdict(list)
    for server in servers:
        for listen in server.find("listen"):
            shared[listen_key(listen)].append((server, listen))
    return shared


def default_of(entries: list):
    return next((entry for entry in entries if is_default(entry[1])), entries[0])


def alone_on_their_sockets(dep, servers: list, by_socket: dict[str, set]) -> set:
    """The http servers that share none of their sockets with another server: the default for every Host that
    reaches those sockets, so no server_name stands between the client and them. In a fragment, or past an include
    of the http block nginxlint could not read, other servers may share the sockets out of view, so only a server
    that says it takes every Host counts there. A server whose listens are all in an include nginxlint could not
    read may be such a server too (`listen 80 default_server;` kept in a file the host renders): unknown, so quiet."""
    from ..container.view import only_site_of_stock_config  # the image's stock config, only for a fragment

    whole = dep.all_servers_seen and (dep.is_main or only_site_of_stock_config(dep))
    unread = dep.unread_include_ids()
    # a listen a template fills in may name any socket, another server's too
    masked = any(is_unknown(key) for server in servers for key in socket_keys(server))
    return {server for server in servers if (all(len(by_socket[key]) == 1 for key in socket_keys(server))
            and (not masked or len(servers) == 1)
            and (whole or default_on_every_socket(server) or named_as_catch_all(server)))
            or (not server.find("listen") and id(server) in unread)}


# The names stock configs give a server meant to take every Host: none, "", `_` and `localhost`.
CATCH_ALL_NAMES = frozenset({"", '""', "_", "localhost"})


def named_as_catch_all(server) -> bool:
    return all(name in CATCH_ALL_NAMES for node in server.find("server_name") for name in node.args)


def servers_by_socket(servers: list) -> dict[str, set]:
    by_socket: dict[str, set] = {}
    for server in servers:
        for key in socket_keys(server):
            by_socket.setdefault(key, set()).add(server)
    return by_socket


def default_on_every_socket(server) -> bool:
    listens = server.find("listen") if server is not None else []
    return bool(listens) and all(is_default(n) for n in listens)


def socket_keys(server) -> list[str]:
    """The sockets of a server's listens; nginx's default (*:80, or *:8000 when not run as root) without one."""
    return [listen_key(n) for n in server.find("listen")] or ["*:80", "*:8000"]


def local_placeholder(tree, server, certificate) -> bool:
    """A server named only localhost whose certificate (the `ssl_certificate` in effect) the container's start
    makes self-signed: every client meets an untrusted certificate (container/self_signed.py)."""
    names = [arg.lower() for node in server.find("server_name") for arg in node.args]
    if not names or not all(name in LOOPBACK_HOSTS for name in names):
        return False
    if certificate is None or not certificate.args or "$" in certificate.args[0]:
        return False
    from ..container.self_signed import made_self_signed_at_start  # the image model, only for a localhost server

    return made_self_signed_at_start(tree, certificate.args[0])


def self_signed(tree, certificate) -> bool:
    """The certificate in effect (`ssl_certificate`) is self-signed: by its name, or the repository makes it with
    `openssl req -x509` (container/self_signed.py)."""
    if certificate is None or not certificate.args:
        return False
    from ..container.self_signed import made_self_signed_here  # the repository's scripts, only for a TLS server

    return made_self_signed_here(tree.loader, tree.root.path.parent, certificate.args[0])


def rejects_handshakes(dep, server, certificate) -> bool:
    """Every TLS handshake with the server fails: `ssl_reject_handshake on`, or a certificate (the `ssl_certificate`
    in effect) that cannot load, `data:` followed by nothing or by variables the config only ever sets to "" (the
    way to refuse names a server does not host before nginx 1.19.4; nginx answers each handshake with an alert)."""
    if flag_on(next(iter(server.find("ssl_reject_handshake")), None)):
        return True
    if certificate is None or not certificate.args or not certificate.args[0].startswith("data:"):
        return False
    names = _VARIABLE.findall(certificate.args[0][len("data:"):])
    rest = _VARIABLE.sub("", certificate.args[0][len("data:"):])
    return rest == "" and all(_always_empty(dep, name) for name in names)


_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def _always_empty(dep, match) -> bool:
    """The variable is only ever "": every `set` of it sets "", and every map or geo block that makes it has ""
    for each value, its default too (`map "" $empty { default ""; }`, 1Panel's catch-all)."""
    name = "$" + (match[0] or match[1])
    sets = [node for node in dep.nodes("set") if node.args[:1] == [name]]
    blocks = [node for kind in ("map", "geo") for node in dep.nodes(kind) if node.args[-1:] == [name]]
    return bool(sets or blocks) and all(node.args[1:2] == [""] for node in sets) and all(
        entry.args[-1:] == [""] for block in blocks for entry in block.children or ())
