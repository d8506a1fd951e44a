"""NGX035: a server name another server already holds on the same socket, which nginx ignores."""
from __future__ import annotations

import ipaddress

from ..nginx.listen import http_servers
from ..nginx.templates import is_unknown
from .registry import rule


@rule("NGX035")
def conflicting_server_name(tree, report):
    """nginx gives each address:port one table of names: a name a second server declares there is dropped with a
    warning (`conflicting server name "x" on 0.0.0.0:443, ignored`), and its requests go to the first server."""
    taken: dict[tuple, tuple] = {}  # (socket, name) -> (server, the server_name node that holds it)
    for server in http_servers(tree):
        if _templated(tree, server):
            continue  # branches of a template, only one of which is rendered
        # An include nginxlint could not read may add sockets or names, never take one away: a conflict in view stays.
        sockets = _sockets(server)
        if sockets is None:
            continue
        reported: set[str] = set()
        for node in server.find("server_name"):
            for index, written in enumerate(node.args):
                name = written.lower()
                if not name or name.startswith("~") or "$" in name or is_unknown(written) or name in reported:
                    continue
                for socket in sockets:
                    first = taken.setdefault((socket, name), (server, node))
                    if first[0] is not server:
                        reported.add(name)
                        report(node, f'server name "{written}" is already taken on {socket} by an earlier server: '
                               "nginx ignores it here (`conflicting server name`, a warning at start), so its "
                               "requests go to that server", arg=index,
                               related=[first[1].location("the server that keeps the name")])
                        break


def _sockets(server) -> list[str] | None:
    """The address:port of each `listen` of the server, as nginx tells them apart; None when one is not an address
    nginx binds as written (a host name, a variable, a template's value) or the server has no `listen`."""
    found = []
    for listen in server.find("listen"):
        if not listen.args or is_unknown(listen.args[0]):
            return None
        text = listen.args[0]
        if text.startswith("unix:"):
            found.append(text)
            continue
        if text.startswith("["):
            address, _, port = text[1:].partition("]")
            port = port[1:] or "80"
        elif text.isdigit():
            address, port = "0.0.0.0", text
        else:
            address, _, port = text.rpartition(":") if ":" in text else (text, "", "80")
        address = "0.0.0.0" if address in ("*", "") else address
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return None  # `listen localhost:80`: nginx binds what the name resolves to
        if not port.isdigit():
            return None
        transport = " (QUIC)" if "quic" in listen.args[1:] else ""  # a UDP socket beside the TCP one of that port
        found.append((f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}") + transport)
    return found or None


def _templated(tree, server) -> bool:
    masked = tree.loader.masked.get(server.d.file.display)
    return masked is not None and masked.hides_directives
