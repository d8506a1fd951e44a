"""Where a server listens: nginx's `listen` forms, and the default a server without one gets."""
from __future__ import annotations

from .values import parse_uint

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


class Listen:
    """One `listen`: address (None for all addresses), port, and whether only the loopback can reach it."""

    __slots__ = ("node", "address", "port", "default")

    def __init__(self, node, address, port, default):
        self.node, self.address, self.port, self.default = node, address, port, default

    @property
    def loopback(self) -> bool:
        return is_loopback_host(self.address)


def is_loopback_host(address: str | None) -> bool:
    """`127.0.0.1` (or any address of 127.0.0.0/8), `localhost`, `::1`, `[::1]`: only this host's clients reach it."""
    return bool(address) and (address.lower() in LOOPBACK_HOSTS or address.startswith("127."))


def parse_listen(node) -> Listen | None:
    """`listen 8080`, `listen 127.0.0.1:8099`, `listen [::]:80 default_server`; None for unix sockets."""
    if not node.args:
        return None
    text = node.args[0]
    default = any(arg in ("default_server", "default") for arg in node.args[1:])
    if text.startswith("unix:"):
        return None
    if text.startswith("["):
        close = text.find("]")
        address, rest = text[: close + 1], text[close + 1:]
        port = rest[1:] if rest.startswith(":") else "80"
        return Listen(node, None if address == "[::]" else address, parse_uint(port), default)
    if ":" in text:
        address, port = text.rsplit(":", 1)
        return Listen(node, None if address in ("*", "0.0.0.0") else address, parse_uint(port), default)
    port = parse_uint(text)
    if port is not None:
        return Listen(node, None, port, default)
    return Listen(node, None if text in ("*", "0.0.0.0") else text, 80, default)


def listens_locally(server) -> bool:
    """Every `listen` of the server takes only this host's own clients: a loopback address or a unix socket (which
    server_listens leaves out; a server without `listen` takes *:80)."""
    return all(listen.loopback for listen in server_listens(server))


def http_servers(tree) -> list:
    """`server` blocks of the http subsystem (not upstream `server` lines, not stream servers)."""
    return [n for n in tree.nodes("server") if n.children is not None and n.ctx[-1:] == ("http",)]


def server_listens(server, non_root: bool = False) -> list[Listen]:
    """The server's listens. A server without `listen` listens on *:80 when nginx runs as root, else on *:8000
    (ngx_http_core_module: `listen *:80 | *:8000;`, chosen by getuid())."""
    nodes = server.find("listen")
    if not nodes:
        return [Listen(server, None, 8000 if non_root else 80, False)]
    return [listen for listen in map(parse_listen, nodes) if listen is not None]
