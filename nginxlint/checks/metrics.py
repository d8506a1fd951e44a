"""MET301–MET304: metrics endpoints, nginx-lua-prometheus wiring, and the scrape annotations that find them."""
from __future__ import annotations

import re

from ..container.model import runs_as_non_root
from ..nginx.access import AccessView, error_return, listen_families
from ..nginx.listen import http_servers, is_loopback_host, listens_locally, server_listens
from ..nginx.locations import UNKNOWN, hands_off, match_location, probe_location
from ..nginx.templates import is_unknown
from ..nginx.values import parse_uint
from ..openresty.metrics_pages import metrics_locations
from ..openresty.phases import INIT_PHASES
from .k8s import container_groups, reachable, servers_on_port
from .registry import rule


ANNOTATION = "prometheus.io/"


_EXPORTER = re.compile(r"nginx[\w.-]*exporter|exporter[\w.-]*nginx", re.IGNORECASE)


def metrics_expected(binding) -> str | None:
    """Why the pod expects nginx to serve metrics, or None: Prometheus is told to scrape it
    (`prometheus.io/scrape: "true"`), or an nginx exporter runs next to it and reads its status page."""
    workload = binding.workload
    if workload is None:
        return None
    scrape = workload.pod_annotations.get(ANNOTATION + "scrape")
    if scrape is not None and _text(scrape).lower() == "true" and not _scrapes_sidecar(workload, binding.container):
        return f"the pod asks Prometheus to scrape it ({binding.path}:{scrape.span.line})" if scrape.span else \
            "the pod asks Prometheus to scrape it"
    for container in workload.containers:
        if container is not binding.container and container.image and _EXPORTER.search(container.image):
            return f"the exporter sidecar {container.name} ({container.image}) reads nginx's status page"
    return None


@rule("MET301", needs="container")
def no_metrics_endpoint(tree, report):
    if not tree.is_main or not tree.complete:
        return
    why = metrics_expected(tree.binding)
    if why is None:
        return  # nothing says metrics are wanted: their absence is a choice, not a fault
    http = next((n for n in tree.nodes("http") if n.ctx == ()), None)
    if http is None or not http_servers(tree):
        return
    if metrics_locations(tree):
        return
    report(http, f"{why}, but nothing in this configuration serves metrics: add a `stub_status` location (for "
           "an exporter sidecar) or a location that calls `prometheus:collect()` from nginx-lua-prometheus")


@rule("MET302")
def prometheus_init_phase(tree, report):
    for unit in tree.lua.units:
        for call in unit.facts.prometheus if unit.facts is not None else ():
            if call.kind != "init":
                continue
            if unit.kind == "module" and not call.top_level:
                # Inside a function of the module (`function _M.init() … end`): it runs when that function is
                # called, from whichever handler calls it, not in every phase that requires the module.
                continue
            phases = set(unit.phases) if unit.kind == "module" else {unit.phase}
            wrong = sorted(p for p in phases if p and p not in INIT_PHASES)
            if not wrong:
                continue
            where = unit.node.d.name if unit.kind != "module" else f'module "{unit.module}", required from ' + \
                ", ".join(f"{p}_by_lua" for p in wrong)
            report.at(unit.path, unit.span(call.span),
                      f"`prometheus.init()` runs in {where}: nginx-lua-prometheus must be initialised in "
                      "`init_worker_by_lua*` (or `init_by_lua*`), once per worker, or it raises an error or "
                      "re-creates its dictionary state on every request; move it to `init_worker_by_lua_block`",
                      related=[r for r in unit.required_at[:1]])


@rule("MET303")
def metrics_endpoint_unrestricted(tree, report):
    access = AccessView(tree)

    # stub_status may also sit directly in a server, which then answers it for every location without content
    in_servers = [n for n in tree.nodes("stub_status") if n.parent is not None and n.parent.name == "server"]
    for place in [*metrics_locations(tree), *in_servers]:
        block = place if place.name == "location" else place.parent
        server = block if block.name == "server" else block.enclosing("server")
        if block.find("internal") or access.opaque(block) or _refused_by_if(block, server):
            continue
        if block.name == "location" and probe_location(block):
            continue  # a health check that answers with counters: the probes must reach it, `deny all` breaks them
        if _allows_without_deny_all(block, access):
            continue  # `allow 127.0.0.1;` alone: SEC505 reports that list, with the same fix
        if server is not None:
            if listens_locally(server):
                continue
            if any(node.args and is_unknown(node.args[0]) for node in server.find("listen")) \
                    and _side_server(server, block):
                continue  # `listen {{ .Values.vts.internalPort }};` of a metrics server: who reaches it is the chart's
            families = listen_families(server.find("listen"))
            listens = server_listens(server, runs_as_non_root(tree.binding))
            ports = dict.fromkeys(str(listen.port) for listen in listens if not listen.loopback and listen.port)
            if ports and (_unpublished(tree.binding, ports) or _not_exposed(tree, ports)):
                continue
            reach = f"port{'s' if len(ports) > 1 else ''} {', '.join(ports)}"  # `listen 443` and `listen [::]:443`
        else:
            families, reach = {4, 6}, "its server"  # a location file linted alone: its server is out of view
        exposed = access.open_to_anyone(block, sorted(families))
        if not exposed:
            continue
        what = f"`location {' '.join(block.args)}`" if block.name == "location" else "`stub_status` of this server"
        who = "anyone" if set(exposed) == families else f"any IPv{exposed[0]} client"
        report(place if block is not place else block,
               f"the metrics endpoint {what} answers {who} who reaches {reach}: add `allow <scraper network>; "
               "deny all;` (or listen on 127.0.0.1 for a sidecar exporter)",
               arg=(len(block.args) - 1 if block.args else None) if block is place else None)


def _side_server(server, block) -> bool:
    """A server of the metrics page and health checks alone: its other locations hand nothing to an application."""
    return not any(hands_off(node) for node in server.walk()) and all(
        location is block or probe_location(location) for location in server.find("location"))


def _allows_without_deny_all(block, access: AccessView) -> bool:
    """The allow list the block goes by (its own, else that of the nearest level around it that has one, which
    nginx lets it inherit) lets in the clients it names and, lacking `deny all`, everyone else (under `satisfy all`,
    the default: with `satisfy any` an authentication may still stop them)."""
    rules = access.access_rules(block)
    if not any(n.name == "allow" and n.args[:1] != ["all"] for n in rules) or any(n.args[:1] == ["all"] for n in rules):
        return False
    around = block
    while around is not None and not around.find("satisfy"):
        around = around.parent
    return around is None or around.find("satisfy")[-1].args[:1] != ["any"]


def _unpublished(binding, ports) -> bool:
    """A Compose service that publishes none of these ports (`ports:`) but on the host's loopback address
    (`127.0.0.1:8080:8080`), outside the host's network: only the containers of its own Compose networks and the
    host's own processes reach them, such as the stack's Prometheus exporter."""
    if binding is None or binding.source != "compose":
        return False
    container = binding.container
    if container.host_network is not None and container.host_network.value is True:
        return False
    published = {str(port.number) for port in container.ports if not is_loopback_host(port.host_ip)}
    return None not in {port.number for port in container.ports} and published.isdisjoint(ports)


def _not_exposed(tree, ports) -> bool:
    """An image run from its Dockerfile alone that exposes none of these ports: its own `EXPOSE` lines, and port 80
    of the official nginx image it is built on, say which ports it serves (`docker run -P` publishes those); a
    status server on a side port is for an exporter beside it (a platform that routes `$PORT` alone, a sidecar)."""
    binding = tree.binding
    if binding is None or binding.source != "dockerfile":
        return False
    from ..container.view import container_files  # the image model, only for a metrics page that looks open

    files = container_files(tree)
    if files is None or files.image is None:
        return False
    exposed = {port.split("/", 1)[0] for port in files.image.exposed}
    if files.base.official and files.base.flavour == "nginx":
        exposed.add("80")
    return bool(exposed) and exposed.isdisjoint(ports)


def _refused_by_if(block, server) -> bool:
    """An `if` on a variable that refuses the request (`if ($not_scraper) { return 403; }`) in the metrics location
    or its server: nginx's rewrite phase runs it before the page is served, and who it lets through depends on the
    variable (a `geo` or `map` of the client's address, a token), which is a gate of its own."""
    return any(_refusing_if(node) for place in (block, server) if place is not None for node in place.find("if"))


# Variables any client sets to what it likes, or that say nothing of who it is: an `if` on them refuses a request
# for what it asks (`if ($host != shop.io) { return 444; }`), not for who sends it.
_ANYONE_SETS = re.compile(r"\$\{?(?:host|http_host|server_name|server_port|request_method|scheme|https|uri|"
                          r"request_uri|document_uri|http_user_agent|http_referer)\b")
_VARIABLE = re.compile(r"\$\{?\w+")


def _refusing_if(node) -> bool:
    condition = " ".join(node.args)
    if not _VARIABLE.search(condition) or _ANYONE_SETS.search(condition):
        return False  # `if (-f /maintenance)`, `if ($host …)`: not about who the client is
    return any(error_return(child) for child in node.find("return"))


# -- MET304: scrape annotations ----------------------------------------------------------------------------------

def _text(value) -> str:
    if isinstance(value.value, bool):
        return "true" if value.value else "false"
    return str(value.value)


@rule("MET304", scope="workspace")
def scrape_annotation_mismatch(workspace, report):
    for binding, trees in container_groups(workspace, sources=("kubernetes",)):
        workload = binding.workload
        if workload is None:
            continue
        _annotations(binding, workload, trees, report)


def _sidecar_port(workload, nginx, port: int) -> bool:
    """Another container of the pod declares the port: the scrape goes to it (nginx-prometheus-exporter beside
    nginx, reading its stub_status), not to nginx."""
    return any(container is not nginx and any(declared.number == port for declared in container.ports)
               for container in workload.containers)


def _scrapes_sidecar(workload, nginx) -> bool:
    """`prometheus.io/port` names a port another container of the pod declares (a statsd exporter's 9102)."""
    port_value = workload.pod_annotations.get(ANNOTATION + "port")
    port = parse_uint(_text(port_value)) if port_value is not None else None
    return port is not None and _sidecar_port(workload, nginx, port)


def _annotations(binding, workload, trees, report):
    pod = workload.pod_annotations
    if workload.kind != "Pod":
        for key, value in workload.annotations.items():
            if key.startswith(ANNOTATION) and key not in pod:
                report.at(binding.path, value.key_span, f"`{key}` is on the {workload.kind}'s own metadata: "
                          "Prometheus discovers pods and never reads it; move it to "
                          "spec.template.metadata.annotations")
    for key, value in pod.items():
        if key.startswith(ANNOTATION) and not isinstance(value.value, str):
            report.at(binding.path, value.span, f'`{key}: {value.text}` is not a string: Kubernetes rejects '
                      f'annotation values that are numbers or booleans; quote it ("{_text(value)}")')
    scrape = pod.get(ANNOTATION + "scrape")
    if scrape is None or _text(scrape).lower() != "true":
        return
    port_value = pod.get(ANNOTATION + "port")
    path_value = pod.get(ANNOTATION + "path")
    path = _text(path_value) if path_value is not None else "/metrics"
    metrics = [loc for d in trees for loc in metrics_locations(d)]
    related = [loc.location("a metrics location") for loc in metrics[:3]]
    if port_value is None:
        return
    port = parse_uint(_text(port_value))
    if port is None or _sidecar_port(workload, binding.container, port):
        return
    non_root = runs_as_non_root(binding)
    found = servers_on_port(trees, port, non_root)
    if not all(d.complete for d in trees):
        return
    if not found:
        servers = [server for loc in metrics if (server := loc.enclosing("server")) is not None]  # not fragments
        served = sorted({listen.port for server in servers for listen in server_listens(server, non_root)
                         if listen.port})
        hint = f"; metrics are served on port {', '.join(map(str, served))}" if served else ""
        report.at(binding.path, port_value.span, f"`prometheus.io/port: {port_value.text}` names a port "
                  f"where no server listens{hint}: the scrape fails", related=related)
        return
    if not reachable(found):
        listen = found[0][1]
        report.at(binding.path, scrape.span, f"the metrics server on port {port} listens on {listen.address} "
                  f"only ({listen.node.file.display}:{listen.node.d.span.line}), but the annotations ask Prometheus "
                  "to scrape the pod IP: the scrape fails; listen on all addresses and restrict with allow/deny",
                  related=[listen.node.location("loopback-only listen")])
        return
    server = reachable(found)[0][0]
    location = match_location(server, path)
    if location is UNKNOWN:
        return
    if location is None or all(location is not loc for loc in metrics):
        where_value = path_value if path_value is not None else port_value
        reached = f"reaches `location {' '.join(location.args)}`, which serves no metrics" if location is not None \
            else "matches no location"
        report.at(binding.path, where_value.span, f"the scrape of {path} on port {port} {reached}: "
                  f"Prometheus gets no metrics", related=related)
