"""The deployment as its team would sketch it: configs and their includes, the Lua units per phase and the
modules they require, each shared dict with who declares, reads and writes it, the ports with what listens,
probes and scrapes them, and the container with its limits. Findings are marked on the nodes they concern.

Built from a lint's workspace and report (engine.analyse); renderers (render.py) only draw it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("container", "port", "config", "lua", "module", "dict")  # left to right in a drawing


@dataclass
class Node:
    id: str
    kind: str  # one of KINDS
    label: str
    detail: str = ""  # a second line: a phase, a size, a limit
    path: str | None = None
    first_line: int = 0
    last_line: int = 0
    codes: list[str] = field(default_factory=list)  # findings on it, in report order, once each


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def add(self, node: Node) -> Node:
        return self.nodes.setdefault(node.id, node)

    def link(self, source: str, target: str, label: str = "") -> None:
        edge = Edge(source, target, label)
        if source in self.nodes and target in self.nodes and edge not in self._edges:
            self._edges.add(edge)
            self.edges.append(edge)

    def __post_init__(self):
        self._edges: set[Edge] = set(self.edges)


def build_graph(report, workspace) -> Graph:
    graph = Graph()
    shown = workspace.report_only  # a run started below the repository root reads more than it draws
    for tree in workspace.trees:
        if shown is not None and not any(display in shown for display in tree.files):
            continue
        _add_configs(graph, tree)
        _add_ports(graph, tree)
        _add_lua(graph, tree)
        _add_container(graph, tree)
    _mark_findings(graph, report.findings)
    return graph


def _add_configs(graph: Graph, tree) -> None:
    for source in tree.files.values():
        if source is tree.root or not source.display.endswith((".lua", ".yaml", ".yml")):  # not Lua, no manifest
            graph.add(Node("config:" + source.display, "config", source.display, path=source.display,
                           first_line=1, last_line=10**9))
    for node in tree.walk():
        if node.via:  # the directive came in through an include: an edge from the including file
            graph.link("config:" + node.via[-1].file.display, "config:" + node.file.display, "include")
    for node in tree.nodes("lua_shared_dict"):
        if node.args:
            size = node.args[1] if len(node.args) > 1 else ""
            graph.add(Node("dict:" + node.args[0], "dict", f"ngx.shared.{node.args[0]}", size))
            graph.link("config:" + node.file.display, "dict:" + node.args[0], "declares")


def _add_ports(graph: Graph, tree) -> None:
    for node in tree.nodes("listen"):
        if not node.args:
            continue
        port = node.args[0].rsplit(":", 1)[-1].rstrip("]")
        if port.isdigit():
            graph.add(Node("port:" + port, "port", f":{port}"))
            graph.link("port:" + port, "config:" + node.file.display, "listens")


def _add_lua(graph: Graph, tree) -> None:
    lua = tree.lua
    modules = {}
    for unit in lua.units:
        if unit.kind == "module":
            node = graph.add(Node(f"module:{unit.path}", "module", unit.module or unit.path, unit.path,
                                  path=unit.path, first_line=1, last_line=10**9))
            modules[unit.module] = node
    for unit in lua.units:
        if unit.kind == "module":
            unit_id = f"module:{unit.path}"
        else:
            span = unit.node.d.span
            unit_id = f"lua:{unit.node.file.display}:{span.line}"
            if unit.kind == "file":  # the code, and its findings, are in the Lua file
                graph.add(Node(unit_id, "lua", unit.node.d.name, unit.path, path=unit.path, first_line=1,
                               last_line=10**9))
            else:
                graph.add(Node(unit_id, "lua", unit.node.d.name, f"{unit.path}:{span.line}", path=unit.path,
                               first_line=span.line, last_line=span.end_line))
            graph.link("config:" + unit.node.file.display, unit_id, unit.phase or "")
        if unit.facts is None:
            continue
        for require in unit.facts.requires:
            target = modules.get(require.module)
            if target is not None:
                graph.link(unit_id, target.id, "require")
        for ref in unit.facts.dict_refs:
            if ref.name is not None:
                dict_id = "dict:" + ref.name
                if dict_id not in graph.nodes:  # used, never declared (LUA202 says so)
                    graph.add(Node(dict_id, "dict", f"ngx.shared.{ref.name}", "not declared"))
                graph.link(unit_id, dict_id, "uses")


def _add_container(graph: Graph, tree) -> None:
    binding = tree.binding
    if binding is None:
        return
    container = binding.container
    limits = [f"{what} limit {value.text or value.value}" for what, value in (("cpu", container.cpu_limit),
                                                                            ("memory", container.memory_limit))
              if value is not None]
    container_id = f"container:{binding.path}:{container.name}"
    graph.add(Node(container_id, "container", f"{container.name} ({container.image or 'built here'})",
                   ", ".join(limits) or "no limits", path=binding.path, first_line=1, last_line=10**9))
    graph.link(container_id, "config:" + tree.root.display, "runs")
    for port in container.ports:
        if port.number is not None:
            graph.add(Node(f"port:{port.number}", "port", f":{port.number}"))
            graph.link(container_id, f"port:{port.number}", "exposes")
    checks = [(probe.port, f"{probe.kind} {probe.path or probe.handler or ''}".strip()) for probe in container.probes
              if probe.port is not None]
    workload = binding.facts.workload
    annotations = dict(workload.pod_annotations or {}) if workload is not None else {}
    port = str(annotations.get("prometheus.io/port", "")).strip()
    if port.isdigit():
        checks.append((int(port), f"scrape {annotations.get('prometheus.io/path', '/metrics')}"))
    for number, what in checks:  # on the port node too, where a drawing without edge labels shows it
        node = graph.add(Node(f"port:{number}", "port", f":{number}"))
        node.detail = ", ".join(filter(None, [node.detail, what])) if what not in node.detail else node.detail
        graph.link(container_id, f"port:{number}", what)


def _mark_findings(graph: Graph, findings) -> None:
    """A finding goes to the most specific node whose file and lines hold it: a Lua handler inside a config, else
    the file (a config, a module, a manifest's container)."""
    by_path: dict[str, list[Node]] = {}
    for node in graph.nodes.values():
        if node.path is not None:
            by_path.setdefault(node.path, []).append(node)
    for finding in findings:
        if finding.suppression is not None:
            continue
        line = finding.span.line
        holders = [n for n in by_path.get(finding.path, ()) if n.first_line <= line <= n.last_line]
        if holders:
            target = min(holders, key=lambda n: n.last_line - n.first_line)
            if finding.code not in target.codes:
                target.codes.append(finding.code)
