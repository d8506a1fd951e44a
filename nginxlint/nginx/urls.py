"""Where the `*_pass` directives send requests: the host part of their targets, and the upstream blocks they name.

A target is written `http://host:port/uri`, `host:port`, `unix:/path` (`http://unix:/path:/uri` in a URL),
`[v6]:port`, with nginx variables anywhere. The host is returned as written, with its offsets in the target, so
that a finding can underline it.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..findings import Span

# The directives whose first argument is an upstream address (a URL for proxy_pass and grpc_pass).
PASS_DIRECTIVES = ("proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass")

_SCHEME = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*|\$\{?\w+\}?)://")  # a scheme may be a variable: $scheme://
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
# Variables whose value is (part of) a request URI: a host written before one of them ends there.
URI_VARIABLES = frozenset({"request_uri", "uri", "document_uri", "is_args", "args", "query_string"})


@functools.lru_cache(maxsize=1024)  # several rules ask about the same few targets, repeated in every server
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


@functools.lru_cache(maxsize=1024)  # the same few upstream addresses, in every server of a large config
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


# The port a URL's scheme implies when it names none (ngx_http_proxy_pass, ngx_http_grpc_pass).
_DEFAULT_PORTS = {"http": "80", "https": "443", "grpc": "80", "grpcs": "443"}


def upstream_key(target: str, default_scheme: str = "http") -> str | None:
    """`host:port` of a target whose host is written out (`http://kibana:5601/app` -> `kibana:5601`,
    `http://api/x` -> `api:80`), lower-case; None when the host or the port is not known."""
    found = upstream_host(target)
    if found is None or "$" in found[0]:
        return None
    host, _start, end = found
    scheme = _SCHEME.match(target)
    scheme_name = target[:scheme.end() - 3].lower() if scheme else default_scheme
    if target[end:end + 1] == ":":
        port = re.match(r"\d+", target[end + 1:])
        return f"{host.lower()}:{port.group()}" if port else None
    port = _DEFAULT_PORTS.get(scheme_name)
    return f"{host.lower()}:{port}" if port else None


def pass_upstreams(tree) -> set[str]:
    """`host:port` of every http `*_pass` whose target has no variable: nginx makes each an upstream of its own, and
    a `proxy_pass` with variables that comes to the same host and port uses it, with no DNS at request time
    (ngx_http_upstream_init_request looks the host up among the upstreams first)."""
    found = set()
    for name in PASS_DIRECTIVES:
        for node in tree.nodes(name):
            if node.args and "$" not in node.args[0] and node.ctx[:1] == ("http",):
                key = upstream_key(node.args[0])
                if key is not None:
                    found.add(key)
    return found


@dataclass(frozen=True)
class LiteralName:
    """A host name nginx looks up once, while it loads the configuration (`proxy_pass https://api.example.com`,
    `server api.example.com:443;` in an upstream without `resolve`)."""
    node: object  # the directive
    host: str
    span: Span  # the host inside the argument, or the whole argument when it cannot be placed exactly
    may_name_upstream: bool  # a `*_pass` name without a port: an `upstream` block out of view may have that name


def names_resolved_at_start(tree) -> Iterator[LiteralName]:
    """Every host name of the tree's `*_pass` targets and upstream `server` lines that nginx resolves at start:
    not an address, not `localhost`, not the name of an `upstream` block of the tree, no variable in the target
    (with one nginx resolves per request, through `resolver`), no `resolve` parameter on a `server` line, not in an
    upstream whose peers `balancer_by_lua*` picks."""
    upstreams = upstream_names(tree)
    for name in PASS_DIRECTIVES:
        for node in tree.nodes(name):
            if node.args and "$" not in node.args[0]:
                yield from _literal(node, upstreams, in_pass=True)
    for node in tree.nodes("server"):
        if node.ctx[-1:] == ("upstream",) and node.args and "resolve" not in node.args[1:] \
                and not _balanced_by_lua(node.parent):
            yield from _literal(node, upstreams, in_pass=False)


_LUA_BALANCERS = ("balancer_by_lua_block", "balancer_by_lua_file")


def _balanced_by_lua(upstream) -> bool:
    """The upstream's Lua balancer picks each request's peer (`ngx.balancer.set_current_peer`, its name resolved by
    the Lua code): the `server` lines, resolved once at start, are used only when the code picks none
    (lua-nginx-module then falls back to round robin over them). Whether it ever does is not known here."""
    return upstream is not None and any(upstream.find(name) for name in _LUA_BALANCERS)


def _literal(node, upstreams: set, in_pass: bool) -> Iterator[LiteralName]:
    target = node.args[0]
    found = upstream_host(target)
    if found is None or "$" in target:
        return
    host, start, end = found
    if is_address(host) or not any(c.isalpha() for c in host) or host == "localhost":
        return  # nothing to resolve
    if in_pass and host in upstreams:
        return
    no_port = end == len(target) or target[end] != ":"  # an upstream block is never named with a port
    span = node.d.arg_span(0)
    raw = node.d.raw_args[0] if node.d.raw_args else ""
    quote = 1 if node.d.quoted and node.d.quoted[0] else 0
    if raw == target and span.line == span.end_line:
        span = Span(span.line, span.column + quote + start, span.line, span.column + quote + end)
    yield LiteralName(node, host, span, in_pass and no_port)


def workspace_upstream_names(tree) -> set[str]:
    """The names of the `upstream` blocks of every nginx file the run parsed, whichever tree holds them: what a
    fragment's `*_pass` may name when the main configuration that includes it is not in view."""
    memo = tree.loader.memo("upstream-names")
    if "all" not in memo:
        from .parser import walk_directives

        memo["all"] = {d.args[0] for _, parsed in tree.loader.parsed_files()
                       for d in walk_directives(parsed.directives) if d.name == "upstream" and d.args}
    return memo["all"]


# Names no public DNS answers for: special-use names (RFC 6761: test, example, invalid, localhost; RFC 6762:
# local; RFC 8375: home.arpa), ICANN's private-use `internal` (2024), the private names RFC 6762 appendix G found in
# use (intranet, private, corp, home, lan), `localdomain`, and the default domains of Consul and Kubernetes DNS
# (a Service name written up to `svc` is completed with the cluster domain by the pod's search path).
_PRIVATE_SUFFIXES = ("test", "example", "invalid", "localhost", "local", "home.arpa", "internal", "intranet",
                     "private", "corp", "home", "lan", "localdomain", "consul", "svc", "cluster.local")


# A name Kubernetes DNS gives a Service: `name`, `name.namespace`, `name.namespace.svc[.cluster.local]`.
_SERVICE_NAME = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)?(?:\.svc(?:\.cluster\.local)?)?\.?", re.IGNORECASE)


def is_service_name(host: str) -> bool:
    """Whether a host name has a form Kubernetes DNS gives a Service (in a pod, `users.shop` is tried as
    `users.shop.svc.cluster.local` first)."""
    return bool(_SERVICE_NAME.fullmatch(host))


# The form of a top-level domain the root zone can delegate: letters only, or an internationalized name's `xn--`
# label (RFC 1123 2.1, ICANN's string requirements). `php8.2-fpm` ends in `2-fpm`: a container's name, not DNS's.
_TOP_LEVEL_DOMAIN = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]+")


# The second levels of country domains under which names are registered (`shop.co.uk`, `shop.com.au`).
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "gob", "mil", "nic"})


def registrable_domain(host: str) -> str:
    """The domain a host name was registered as: its last two labels (`proxy2.openfoodfacts.org` ->
    `openfoodfacts.org`), three under a country's second level (`api.shop.co.uk` -> `shop.co.uk`).

    >>> registrable_domain("*.Shop.co.uk"), registrable_domain("cdn.abc.io")
    ('shop.co.uk', 'abc.io')
    """
    labels = host.lower().lstrip("*").strip(".").split(".")
    size = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-size:])


# Platforms whose names point at addresses the platform itself changes, without the name's owner doing anything:
# cloud load balancers and object stores (AWS: "the IP addresses of your load balancer can change"), CDNs, and
# hosts of apps and sites. A name of anyone else is moved by its owner, who may well reload nginx when doing so.
# Not GitHub Pages (`*.github.io`): GitHub documents its four addresses for users to write as A records.
_MOVING_PLATFORMS = (
    "amazonaws.com", "cloudfront.net", "awsapprunner.com", "amplifyapp.com", "on.aws",  # AWS
    "azurewebsites.net", "core.windows.net", "azureedge.net", "azurefd.net", "trafficmanager.net",  # Azure
    "azure-api.net", "azurecontainerapps.io", "azurestaticapps.net",
    "googleapis.com", "appspot.com", "run.app", "cloudfunctions.net", "web.app", "firebaseapp.com",  # Google
    "fastly.net", "fastlylb.net", "akamaiedge.net", "akamaized.net", "akamaihd.net", "edgekey.net",  # CDNs
    "edgesuite.net", "cdn.cloudflare.net", "workers.dev", "pages.dev", "cloudflarestorage.com", "b-cdn.net",
    "herokuapp.com", "herokudns.com", "vercel.app", "netlify.app", "digitaloceanspaces.com",  # hosts
    "ondigitalocean.app", "fly.dev", "onrender.com", "railway.app",
)


def moving_platform(host: str) -> str | None:
    """The platform domain of a name whose addresses its platform changes (`x.elb.amazonaws.com` ->
    `amazonaws.com`), or None."""
    name = host.lower().rstrip(".")
    return next((suffix for suffix in _MOVING_PLATFORMS if name.endswith("." + suffix)), None)


def is_public_name(host: str) -> bool:
    """Whether a host name belongs to the public DNS: a dotted name outside the private namespaces, whose last
    label has a top-level domain's form. A one-label name (`backend`) is completed by the host's search domains or
    /etc/hosts; an unknown top-level domain counts as public (new ones are delegated every year)."""
    name = host.lower().rstrip(".")
    if "." not in name or not _TOP_LEVEL_DOMAIN.fullmatch(name.rsplit(".", 1)[1]):
        return False
    return not any(name == suffix or name.endswith("." + suffix) for suffix in _PRIVATE_SUFFIXES)


def forward_proxy(node) -> bool:
    """The directive's server is a forward proxy by design: it turns ngx_http_proxy_connect_module's CONNECT
    tunnelling on (`proxy_connect;`), so the client chooses where it connects."""
    server = node.enclosing("server")
    return server is not None and bool(server.find("proxy_connect"))
