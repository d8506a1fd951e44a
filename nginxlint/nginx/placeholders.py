"""Configs that are not deployed as they stand: templates whose servers answer only to names reserved for
documentation, configs that log at debug level, and upstreams that are stand-ins for the user's own."""
from __future__ import annotations

from .listen import http_servers

# Names reserved for documentation and testing (RFC 2606, RFC 6761): no deployment answers the public under them.
# `localhost` is left out on purpose: stock configs name their catch-all server so, and serve everyone with it.
DOCUMENTATION_DOMAINS = ("example.com", "example.net", "example.org")
DOCUMENTATION_TLDS = ("example", "test", "invalid")
# Public services that echo requests back, made for trying HTTP clients: an upstream for a demonstration only.
ECHO_SERVICES = ("httpbin.org", "httpbin.io", "postman-echo.com")


def is_documentation_name(name: str) -> bool:
    """`example.com`, `www.example.org`, `*.example.net`, `shop.test`, `.example`: a name the user must replace."""
    name = name.lower().rstrip(".").lstrip("*").lstrip(".")
    if not name:
        return False
    return any(name == domain or name.endswith("." + domain) for domain in DOCUMENTATION_DOMAINS) or any(
        name == tld or name.endswith("." + tld) for tld in DOCUMENTATION_TLDS)


def is_stand_in_host(host: str) -> bool:
    """An upstream host that only stands in for the user's own: a documentation name or a public echo service."""
    name = host.lower().rstrip(".")
    return is_documentation_name(name) or any(name == s or name.endswith("." + s) for s in ECHO_SERVICES)


def why_not_deployed(tree) -> str | None:
    """Why a config tree is not served to the public as it stands, or None.

    A main config that logs at debug level is run by its developers (the debug level records every step of every
    request: no public server runs with it). A fragment that lies below a main config (or in the prefix the
    settings name) which does not include it, and whose every http server answers only to documentation names, is
    a template to copy and rename ("replace example.com with your host"). A main config named so, and a fragment
    with no main config above it (a snippet tried out, a file an image's own nginx.conf includes), are still
    advised."""
    if tree.is_main:
        for node in tree.nodes("error_log"):
            if node.ctx == () and len(node.args) >= 2 and node.args[-1].lower() == "debug":
                return "debug-level error log"
        return None
    servers = http_servers(tree)
    if tree.conf_dir_known and servers and all(_named_for_documentation(server) for server in servers):
        return "template named for documentation"
    return None


def _named_for_documentation(server) -> bool:
    names = [name for node in server.find("server_name") for name in node.args]
    return bool(names) and all(is_documentation_name(name) for name in names)


def undeployed_files(trees) -> set[str]:
    """The files (display paths) that only trees which are not deployed hold: a snippet that a deployed config
    includes as well keeps its findings."""
    quiet: set[str] = set()
    deployed: set[str] = set()
    for tree in trees:
        (quiet if why_not_deployed(tree) else deployed).update(tree.files)
    return quiet - deployed
