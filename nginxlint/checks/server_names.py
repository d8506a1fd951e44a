"""NGX035: a server name another server already holds on the same socket, which nginx ignores."""
from __future__ import annotations

import ipaddress

from ..container.view import left_out_by_container
from ..findings import Location
from ..nginx.directives import swallowed_directive
from ..nginx.listen import http_servers
from ..nginx.templates import is_unknown
from ..nginx.tls_scope import listen_key
from .registry import rule


@rule("NGX035")
def conflicting_server_name(tree, report):
    """nginx gives each address:port one table of names: a name a second server declares there is dropped with a
    warning (`conflicting server name "x" on 0.0.0.0:443, ignored`), and its requests go to the first server."""
    taken: dict[tuple, tuple] = {}  # (socket, name) -> (server, the server_name node that holds it)
    read_again: set[int] = set()  # the includes that read a file an earlier include read: reported once each
    for server in http_servers(tree):
        if _templated(tree, server):
            continue  # branches of a template, only one of which is rendered
        if left_out_by_container(tree, server):
            continue  # an environment's file the container mounts no copy of where the include reads
        # An include nginxlint could not read may add sockets or names, never take one away: a conflict in view stays.
        sockets = _sockets(server)
        if sockets is None:
            continue
        reported: set[str] = set()
        for node in server.find("server_name"):
            # the words after a missing `;` (NGX033) are a directive's, not names the server was meant to have
            swallowed = swallowed_directive(node.d, node.ctx)
            for index, written in enumerate(node.args[:swallowed]):
                name = written.lower()
                if not name or name.startswith("~") or "$" in name or is_unknown(written) or name in reported:
                    continue
                for socket in sockets:
                    first = taken.setdefault((socket, name), (server, node))
                    if first[0] is not server and first[0].d is server.d:
                        _report_read_again(report, server, first[0], node, read_again)
                        reported.update(name.lower() for name in node.args)
                        break
                    if first[0] is not server and first[0].d.file is not server.d.file and \
                            not _default_sockets(first[0]).isdisjoint(_default_sockets(server)):
                        break  # two files each the default server of one socket: nginx refuses them together
                        # ("a duplicate default server"), so they are alternatives a start script picks from
                    if first[0] is not server:
                        reported.add(name)
                        report(node, f'server name "{written}" is already taken on {socket} by an earlier server: '
                               "nginx ignores it here (`conflicting server name`, a warning at start), so its "
                               "requests go to that server", arg=index,
                               related=[first[1].location("the server that keeps the name")])
                        break


def _report_read_again(report, server, first, node, read_again: set) -> None:
    """The same server, read a second time: the include that read its file again is what to change, once for all
    the servers it repeats."""
    include = server.via[-1] if server.via else None
    if include is None or id(include) in read_again:
        return
    read_again.add(id(include))
    earlier = first.via[-1] if first.via else None
    related = [Location(earlier.file.display, earlier.span, "the include that read them first")] \
        if earlier is not None else []
    report.at(include.file.display, include.span, "this include reads again the files an earlier include read: every "
              "server there is defined twice, and nginx ignores the second copy's names (`conflicting server name`, "
              "a warning at start); remove one of the two", related=related)


def _sockets(server) -> list[str] | None:
    """The socket of each `listen` of the server (tls_scope.listen_key); None when one is not an address nginx binds
    as written (a host name, a template's value) or the server has no `listen`."""
    keys = [listen_key(listen) for listen in server.find("listen")]
    return keys if keys and all(_bound_as_written(key) for key in keys) else None


def _default_sockets(server) -> set[str]:
    """The sockets the server is the default server of (`listen 80 default_server;`)."""
    return {listen_key(listen) for listen in server.find("listen")
            if any(arg in ("default_server", "default") for arg in listen.args[1:])}


def _bound_as_written(key: str) -> bool:
    """A unix socket, or an address literal (`*`, `127.0.0.1`, `[::1]`) and a port: not a name nginx resolves."""
    if key.startswith("unix:"):
        return True
    address, _, port = key.split(" ")[0].rpartition(":")
    if not port.isdigit():
        return False
    if address == "*":
        return True
    try:
        ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    return True


def _templated(tree, server) -> bool:
    masked = tree.loader.masked.get(server.d.file.display)
    return masked is not None and masked.hides_directives
