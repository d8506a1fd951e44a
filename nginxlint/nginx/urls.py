"""Where the `*_pass` directives send requests: the host part of their targets, and the upstream blocks they name.

A target is written `http://host:port/uri`, `host:port`, `unix:/path` (`http://unix:/path:/uri` in a URL),
`[v6]:port`, with nginx variables anywhere. The host is returned as written, with its offsets in the target, so
that a finding can underline it.
"""
from __future__ import annotations

import re

# The directives whose first argument is an upstream address (a URL for proxy_pass and grpc_pass).
PASS_DIRECTIVES = ("proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass")

_SCHEME = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*|\$\{?\w+\}?)://")  # a scheme may be a variable: $scheme://
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
# Variables whose value is (part of) a request URI: a host written before one of them ends there.
URI_VARIABLES = frozenset({"request_uri", "uri", "document_uri", "is_args", "args", "query_string"})


def upstream_host(target: str) -> tuple[str, int, int] | None:
    """(host, start, end) of a `*_pass` target, `target[start:end] == host`; None when there is no host.

    The host ends at `:`, `/` or `?`, or at a variable holding a URI (`http://127.0.0.1$request_uri`). Other
    variables are part of it (`http://$backend`, `http://api-$env.svc`): a host holding `$` is known only at
    request time. `unix:/path` (and `http://unix:/path:/uri`) is returned whole, `[v6]` with its brackets."""
    scheme = _SCHEME.match(target)
    start = scheme.end() if scheme else 0
    rest = target[start:]
    if rest[:5].lower() == "unix:":
        colon = rest.find(":", 5) if scheme else -1  # in a URL the socket path ends at the next ':'
        end = start + (colon if colon >= 0 else len(rest))
        return target[start:end], start, end
    if rest.startswith("["):
        close = rest.find("]")
        end = start + (close + 1 if close >= 0 else len(rest))
        return target[start:end], start, end
    end = start
    length = len(target)
    while end < length:
        char = target[end]
        if char in ":/?":
            break
        if char == "$":
            variable = _VARIABLE.match(target, end)
            if variable is None:
                end += 1
                continue
            name = variable.group(1) or variable.group(2)
            if end > start and (name in URI_VARIABLES or name.isdigit()):
                break
            end = variable.end()
            continue
        end += 1
    if end == start:
        return None
    return target[start:end], start, end


def is_address(host: str) -> bool:
    """Whether a host needs no name resolution: an IPv4 or IPv6 address (bracketed or not) or a unix socket."""
    if host.startswith("unix:"):
        return True
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not bare:
        return False
    import ipaddress  # only for an address that may be one

    try:
        ipaddress.ip_address(bare)
    except ValueError:
        return False
    return True


def upstream_names(tree) -> set[str]:
    """The names of the deployment's `upstream` blocks (http and stream): a `*_pass` to one needs no DNS."""
    return {node.args[0] for node in tree.nodes("upstream") if node.args}
