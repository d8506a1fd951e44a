"""K8S401–K8S403: the manifest's HTTP probes against the servers and locations nginx really has.

The probe is followed the way a request from the kubelet travels: to the pod IP on the probe's port (so a
`listen 127.0.0.1:…` does not receive it), to that port's default server, then through nginx's location
matching (exact, longest prefix, `^~`, regular expressions in order, nested locations), then through the
`allow`/`deny` rules in force there. All the configs bound to one container are searched together, so a
probe served by an included fragment or by another mounted file is found. Findings are placed on the probe.
"""
from __future__ import annotations

import ipaddress

from ..container.model import runs_as_non_root
from ..nginx.directives import LUA_PHASE
from ..nginx.listen import http_servers, server_listens
from ..nginx.locations import UNKNOWN, match_location
from ..nginx.templates import is_unknown
from ..nginx.urls import PASS_DIRECTIVES
from .container import supervised
from .registry import rule


# -- groups: the configs one container runs -------------------------------------------------------------------

def container_groups(workspace, sources=("kubernetes", "compose")):
    """(binding, deployments) for each container bound to at least one config, in first-seen order."""
    groups: dict[int, tuple] = {}
    for tree in workspace.trees:
        binding = tree.binding
        if binding is None or binding.source not in sources:
            continue
        groups.setdefault(binding.group, (binding, []))[1].append(tree)
    return list(groups.values())


def _consequence(probe) -> str:
    """What a failing probe does to the service, in the words of the runtime that runs it."""
    if probe.kind == "healthcheck":
        return "the container is reported unhealthy"
    if probe.kind == "readiness":
        return "the pod never receives traffic"
    return "the kubelet restarts the container again and again"


def servers_on_port(trees, port: int, non_root: bool = False):
    """[(server, listen)] of the http servers listening on `port`, in config order, default servers first."""
    found = []
    for tree in trees:
        for server in http_servers(tree):
            for listen in server_listens(server, non_root):
                if listen.port == port:
                    found.append((server, listen))
    found.sort(key=lambda item: not item[1].default)
    return found


def reachable(found):
    """The servers a client from outside the pod reaches on that port (not loopback-only listens)."""
    return [(server, listen) for server, listen in found if not listen.loopback]


_ANSWERING_PHASES = frozenset({"rewrite", "access", "content"})


def serves_without_location(server) -> bool:
    """A server-level `return`, or a Lua handler in any form (_block, _file, string), may answer a request that
    matches no location."""
    return any(child.d.name == "return" or LUA_PHASE.get(child.d.name) in _ANSWERING_PHASES
               for child in server.children or ())


def _index_of_its_root(server, path: str, binding) -> bool:
    """`/` on a server that sets its `root` (here or in http): a request no location takes is served from it, and the
    index page there (a mounted index.html) answers it. Without a `root`, nginx serves its prefix's `html/`: the
    OpenResty images ship an index.html there, nginx's own images have no such directory (their page is in
    /usr/share/nginx/html, which only their default.conf names); another image may hold one."""
    from ..container.base_images import base_image  # the image facts, only for a probe of `/`

    if path != "/":
        return False
    if any(level.find("root") for level in (server, server.parent) if level is not None):
        return True
    base = base_image(binding.container.base_image)
    return not (base.official and base.flavour == "nginx")


# -- access rules -----------------------------------------------------------------------------------------------

def access_rules(node):
    """The `allow`/`deny` rules in force at `node`: its own, else the nearest enclosing level's (nginx merges so)."""
    for level in [node, *node.ancestors()]:
        rules = [child for child in level.children or () if child.d.name in ("allow", "deny")]
        if rules:
            return rules
    return []


def _is_range(text: str) -> bool:
    """A network wider than one address (10.0.0.0/8); a single address or unix: is not."""
    if text == "all":
        return True
    if text.startswith("unix:") or "/" not in text:
        return False
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return network.num_addresses > 1


def blocks_outside_clients(rules):
    """The `deny` that stops a client from outside the pod (the kubelet, a scraper), or None.

    Single addresses (127.0.0.1, ::1, unix:, one node IP) are taken not to be the client; an allowed range is
    taken to cover it; a denied range might or might not, so it is not decided.
    """
    for node in rules:
        target = node.args[0] if node.args else ""
        if target == "all":
            return node if node.d.name == "deny" else None
        if _is_range(target):
            return None
    return None


def restricted(node) -> bool:
    """Some access control applies: rules that deny, basic auth, auth_request, or `internal`."""
    if any(r.d.name == "deny" for r in access_rules(node)):
        return True
    for level in [node, *node.ancestors()]:
        for child in level.children or ():
            name = child.d.name
            if name == "auth_basic" and child.args and child.args[0] != "off":
                return True
            if name in ("auth_request", "auth_jwt", "access_by_lua_block", "access_by_lua_file", "access_by_lua",
                        "satisfy") and (name != "auth_request" or child.args[:1] != ["off"]):
                return True
            if name == "internal" and level is node:
                return True
    return False


def answered_before_access(location) -> bool:
    """A plain `return` answers in the rewrite phase, before allow/deny run (verified: 200, not 403)."""
    return any(child.d.name == "return" for child in location.children or ())


def lua_backend_call(trees, location):
    """The Lua content handler of this location when it (or a module it requires) opens cosockets."""
    for tree in trees:
        for unit in tree.lua.units:
            if unit.facts is None or not unit.facts.cosockets:
                continue
            for handler in (unit.handlers if unit.kind == "module" else [unit]):
                if handler.phase == "content" and handler.node is not None and handler.node.parent is location:
                    return handler.node
    return None


def proxied(location):
    """The `proxy_pass`-like directive that answers this location, or None."""
    for child in location.children or ():
        if child.d.name in PASS_DIRECTIVES:
            return child
    return None


# -- the rules --------------------------------------------------------------------------------------------------

def _where(node) -> str:
    return f"{node.file.display}:{node.d.span.line}"


def _probe_path(probe) -> str:
    path = probe.path or "/"
    return path.split("?", 1)[0] or "/"


@rule("K8S401", "K8S402", "K8S403", scope="workspace")
def check_probes(workspace, report):
    """K8S401 (probe target not served), K8S402 (probe blocked by allow/deny), K8S403 (probe depends on an
    upstream): one match of each probe against the servers and locations."""
    # an image seen alone has the probe of its Dockerfile's HEALTHCHECK
    for binding, trees in container_groups(workspace, ("kubernetes", "compose", "dockerfile")):
        if not any(d.complete for d in trees):
            continue
        for probe in binding.container.probes:
            if probe.port is None or (probe.handler != "httpGet" and probe.kind != "healthcheck"):
                continue
            if probe.kind == "healthcheck" and probe.path is None:
                continue
            if probe.host and probe.kind != "healthcheck":
                continue  # the kubelet connects elsewhere than the pod IP
            if probe.port in _sibling_ports(binding):
                continue  # the containers of a pod share its address: another one answers on that port
            if supervised(binding):
                continue  # a supervisor runs other programs beside nginx (uvicorn on 8000), which may answer
            _check_probe(binding, trees, probe, report)


def _listens_filled_in(trees) -> bool:
    """A template fills in a `listen` (`listen ${PORT};`, `listen HEALTH_CHECK_PORT;`): the ports are not known."""
    return any(is_unknown(arg) for tree in trees for node in tree.nodes("listen") for arg in node.args[:1])


def _servers_all_in_view(trees) -> bool:
    """Every server the container runs is in view: its main config is, or its image is an official nginx or
    OpenResty image, whose own nginx.conf holds no server, and every site it includes is a file nginxlint reads (not
    one a RUN writes, `printf 'server {…}' > /etc/nginx/conf.d/app.conf`). Fragments mounted into an image built
    elsewhere (its nginx.conf, and what it starts with, unknown) may sit beside servers out of view."""
    if any(tree.is_main for tree in trees):
        return True
    from ..container.filesystem import Unknown  # the image model, only for a probe no server answers
    from ..container.view import STOCK_SITES, container_files

    for tree in trees:
        files = container_files(tree)
        if files is not None and files.base.official:
            return not any(isinstance(source, Unknown) for source in files.glob(STOCK_SITES).names.values())
    return False


def _sibling_ports(binding) -> set[int]:
    """The ports the other containers of the pod declare."""
    workload = binding.workload
    if workload is None:
        return set()
    return {port.number for container in workload.containers if container is not binding.container
            for port in container.ports if port.number is not None}


def _named_server(found, host: str | None):
    """The server nginx picks for the probe on that port: the one whose `server_name` is the Host the probe sends,
    else the default server; None when a name written as a wildcard or regex may take that Host."""
    if host is None:
        return found[0][0]
    host = host.lower()
    patterns = False
    for server, _listen in found:
        for node in server.find("server_name"):
            for name in node.args:
                name = name.lower()
                if name == host:
                    return server
                patterns = patterns or name.startswith(("~", "*", ".")) or name.endswith("*") or "$" in name
    return None if patterns else found[0][0]


def _check_probe(binding, trees, probe, report):
    complete = all(d.complete for d in trees)
    where = probe.origin or binding.path  # an image's HEALTHCHECK is its Dockerfile's
    port_span = probe.port_span or probe.span
    path_span = probe.path_span or probe.port_span or probe.span
    what = f"{probe.kind} probe" if probe.kind != "healthcheck" else "healthcheck"
    non_root = runs_as_non_root(binding)
    found = servers_on_port(trees, probe.port, non_root)
    if not found:
        if complete and _servers_all_in_view(trees) and not _listens_filled_in(trees):
            ports = sorted({listen.port for d in trees for s in http_servers(d)
                            for listen in server_listens(s, non_root) if listen.port})
            listening = f"nginx listens on {', '.join(map(str, ports))}" if ports else "nginx has no http server"
            report.at(where, port_span, f"the {what} connects to port {probe.port}, where no server listens "
                      f"({listening}): the check fails and {_consequence(probe)}", code="K8S401")
        return
    outside = probe.kind != "healthcheck"
    if outside and not reachable(found):
        listen = found[0][1]
        report.at(where, port_span, f"the {what} connects to the pod IP on port {probe.port}, but nginx "
                  f"listens there on {listen.address} only ({_where(listen.node)}): the kubelet cannot reach it; "
                  "listen on all addresses for this port", code="K8S402",
                  related=[listen.node.location("loopback-only listen")])
        return
    server = _named_server(reachable(found) if outside else found, probe.host_header)
    if server is None:
        return  # a Host the server names match by pattern: which one answers is not read here
    path = _probe_path(probe)
    location = match_location(server, path)
    if location is UNKNOWN:
        return
    if location is None:
        if not serves_without_location(server) and not _index_of_its_root(server, path, binding) and complete:
            report.at(where, path_span, f"no location of the server on port {probe.port} "
                      f"({_where(server)}) matches the {what} path {path}: nginx answers 404 and "
                      f"{_consequence(probe)}; add `location = {path}`", code="K8S401", related=[server.location("the server on this port")])
        return
    if outside and not answered_before_access(location):
        deny = blocks_outside_clients(access_rules(location))
        if deny is not None:
            report.at(where, path_span, f"the {what} path {path} reaches `location {' '.join(location.args)}` "
                      f"({_where(location)}), whose access rules end in `deny all` without allowing the node's "
                      "network: the kubelet probes from the node and gets 403", code="K8S402",
                      related=[deny.location("denies the kubelet"), location.location("the probed location")])
            return
    if probe.kind in ("liveness", "startup"):
        upstream = proxied(location) or lua_backend_call(trees, location)
        if upstream is not None:
            answer = f"`{upstream.d.name} {' '.join(upstream.args)}`" if upstream.d.name in PASS_DIRECTIVES else \
                f"`{upstream.d.name}`, whose Lua code connects to other services,"
            report.at(where, path_span, f"the {what} path {path} is answered by {answer} "
                      f"({_where(upstream)}): when the backend is down the kubelet "
                      "restarts healthy nginx pods too; answer the probe from nginx itself (`return 200`)",
                      code="K8S403", related=[upstream.location("the probe is proxied here")])
