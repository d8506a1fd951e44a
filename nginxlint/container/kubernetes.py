"""Read workloads and ConfigMaps from Kubernetes YAML (plain, multi-document, `kind: List`, Helm or kustomize output)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from ..nginx.values import parse_uint
from .detect import LOOKS_LIKE_KUBERNETES, POD_TEMPLATE_PATH, WORKLOAD_KINDS, looks_nginx_entry
from .fields import FieldReader, scalar_value
from .model import (
    ConfigMap,
    Container,
    EmbeddedFile,
    Hook,
    ManifestDoc,
    ManifestProblem,
    Mount,
    MountedFile,
    Port,
    Probe,
    Span,
    UNPRIVILEGED_PORT_START,
    Value,
    Volume,
    Workload,
    port_number,
)
from .quantity import parse_cpu, parse_memory
from ..gcpause import collector_paused
from .yamlpos import YMap, YNode, YScalar, load_yaml

_KINDS_WITH_REPLICAS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})
_PROBES = (("liveness", "livenessProbe"), ("readiness", "readinessProbe"), ("startup", "startupProbe"))
_PROBE_HANDLERS = ("httpGet", "tcpSocket", "exec", "grpc")
_MAX_LIST_DEPTH = 4

# Unrendered Helm/Go templates are not manifests yet: `{{ .Values.x }}`, `{{- if … }}`, `{{ include … }}`, a
# function of Go's or Sprig's (`{{ required "…" .Values.x }}`, `{{ toJson .Values.y | indent 4 }}`), a pipeline in
# parentheses (`{{ (.Files.Glob "files/*").AsConfig }}`).
_GO_TEMPLATE = re.compile(r"\{\{-?\s*(?:[.$(]|/\*|[A-Za-z_]\w*\b)")


def load_kubernetes(path: str, text: str, chart_template: bool = False) -> ManifestDoc:
    """Workloads and ConfigMaps of one YAML file; other objects and non-Kubernetes YAML give nothing. A file of a
    Helm chart's templates/ is unrendered wherever its template actions are, a ConfigMap's strings included: only
    the nginx configs of its ConfigMaps are read, with its tags masked."""
    with collector_paused():
        if chart_template and _GO_TEMPLATE.search(text):
            return _read_chart_template(path, text)
        return _read_manifest(path, text)


_UNRENDERED = "unrendered template ('{{ … }}'); render it (helm template) to lint it"


def _read_manifest(path: str, text: str) -> ManifestDoc:
    parsed = load_yaml(text)
    if _GO_TEMPLATE.search(text) and _unrendered(parsed):
        return ManifestDoc(path, skipped=_UNRENDERED)
    reader = _ManifestReader(path, text)
    found_kubernetes = False
    document_problems: list[ManifestProblem] = []
    for document in parsed.documents:
        if not _is_object(document.root):
            continue
        found_kubernetes = True
        document_problems.extend(ManifestProblem(path, p.message, p.span, "yaml") for p in document.problems)
        reader.read_object(document.root, document.index, depth=0)
    if not found_kubernetes and not (parsed.problems and LOOKS_LIKE_KUBERNETES.search(text)):
        return ManifestDoc(path)
    syntax = [ManifestProblem(path, p.message, p.span, "yaml") for p in parsed.problems]
    problems = sorted(syntax + document_problems + reader.problems, key=_problem_order)
    return ManifestDoc(path, tuple(reader.workloads), tuple(reader.configmaps), tuple(problems))


def _read_chart_template(path: str, text: str) -> ManifestDoc:
    """The nginx configs held in the ConfigMaps of a Helm chart template, read from the text with every template tag
    masked (every line and column kept), as a config file's tags are: a literal block (`default.conf: |`) whose key
    and ConfigMap say nginx. The rest is not read: what a workload's fields hold (limits, replicas, mounts), and
    which workload mounts a ConfigMap, are what the chart's values make them."""
    from ..nginx.templates import mask  # only for a chart template

    masked = mask(text, "helm")
    # A template line (`{{- if .Values.tls }}`, at any column) masks to spaces only: an empty line to YAML, which
    # neither ends a block nor sets its indentation.
    yaml_text = _nested_after_tag(re.sub(r"(?m)^[ \t]+$", "", masked.text))
    reader = _ManifestReader(path, yaml_text)
    lines = text.split("\n")
    configmaps = []
    for document in load_yaml(yaml_text).documents:
        root = document.root
        if not _is_object(root) or root.get("kind").value != "ConfigMap":  # type: ignore[union-attr]
            continue
        configmap = reader.read_configmap(root, document.index)
        name = _as_written(lines, configmap.name_span) or configmap.name
        entries = tuple(entry for entry in configmap.entries
                        if entry.style == "|" and looks_nginx_entry(name, entry.key, entry.text))
        if entries:
            configmaps.append(replace(configmap, name=name, entries=entries, unrendered=True))
    if not configmaps:
        return ManifestDoc(path, skipped=_UNRENDERED)
    starts = [0] + [match.end() for match in re.finditer("\n", masked.text)]
    blocks = [(starts[entry.line_offset], starts[entry.span[2] - 1] + entry.span[3] - 1)
              for configmap in configmaps for entry in configmap.entries]
    note = ("templated with Helm: tags masked, values behind them unknown; only the nginx configs of its ConfigMaps are "
            "read (render it with helm template to read the rest)")
    return ManifestDoc(path, configmaps=tuple(configmaps), masked=masked.only_within(blocks, note))


_KEY_THEN_TAG = re.compile(r"^([ \t]*(?:- )?[^\s#][^\n]*?:[ \t]+)(\S+)[ \t]*$")


def _nested_after_tag(text: str) -> str:
    """`labels: {{- include "app.labels" . | nindent 4 }}` followed by more deeply indented keys: the tag renders the
    first lines of a mapping, not a scalar. Its mask is blanked so that the keys after it make that mapping."""
    from ..nginx.templates import UNKNOWN  # only for a chart template

    lines = text.split("\n")
    for index, line in enumerate(lines[:-1]):
        match = _KEY_THEN_TAG.match(line)
        if match is None or set(match.group(2)) != {UNKNOWN}:
            continue
        following = next((later for later in lines[index + 1:] if later.strip()), "")
        if len(following) - len(following.lstrip()) > len(line) - len(line.lstrip()):
            lines[index] = match.group(1).rstrip() + " " * (len(line) - len(match.group(1).rstrip()))
    return "\n".join(lines)


def _as_written(lines: list[str], span: Span | None) -> str | None:
    """A one-line scalar as the template writes it, tags and all: `{{ include "app.nginxFullname" . }}` says whose
    name it is where its rendered value is unknown."""
    if span is None or span[0] != span[2]:
        return None
    return lines[span[0] - 1][span[1] - 1:span[3] - 1]


def _unrendered(parsed) -> bool:
    """Template actions in the YAML structure itself, not inside quoted or block strings.

    Rendered output may legitimately carry '{{ $labels.x }}' in strings (alert rules,
    dashboards); an unrendered template breaks the YAML, or turns `{{ .Values.x }}` into a
    flow mapping used as a key, or leaves '{{' in a plain scalar.
    """
    if parsed.problems:
        return True
    stack = [document.root for document in parsed.documents if document.root is not None]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, YScalar):
            if node.style is None and "{{" in node.text:
                return True
        elif isinstance(node, YMap):
            for _key, key_node, value in node.items():
                if not isinstance(key_node, YScalar):
                    return True
                stack.extend((key_node, value))
        else:
            stack.extend(item for item in node.items if item is not None)
    return False






def mounted_configmap_files(
    workload: Workload, container: Container, configmaps: tuple[ConfigMap, ...] | list[ConfigMap]
) -> tuple[MountedFile, ...]:
    """Every ConfigMap entry the container sees, with the path it has inside the container."""
    by_name = {}
    # Alternative manifests of one app (dify-deployment.yaml beside dify/network/nginx.yaml) each declare the same
    # ConfigMap: the one in the workload's own file is what applying that file mounts.
    for configmap in sorted(configmaps, key=lambda configmap: configmap.path != workload.path):
        if configmap.unrendered:
            continue  # its name, and the workload that mounts it, are known once the chart is rendered
        same_namespace = not workload.namespace or not configmap.namespace or workload.namespace == configmap.namespace
        if same_namespace:
            by_name.setdefault(configmap.name, configmap)
    files = []
    for mount in container.mounts:
        configmap = by_name.get(mount.configmap) if mount.configmap else None
        if configmap is None:
            continue
        for key, relative in _projected_entries(mount, configmap):
            entry = configmap.entry(key)
            if entry is None:
                continue
            target = mount.path if mount.sub_path else posixpath.join(mount.path, relative)
            files.append(MountedFile(target, configmap, entry, mount))
    return tuple(files)


def _projected_entries(mount: Mount, configmap: ConfigMap) -> list[tuple[str, str]]:
    pairs = list(mount.items) or [(entry.key, entry.key) for entry in configmap.entries]
    if mount.sub_path:
        return [(key, relative) for key, relative in pairs if relative == mount.sub_path]
    return pairs


def _is_object(root: YNode | None) -> bool:
    if not isinstance(root, YMap):
        return False
    api_version, kind = root.get("apiVersion"), root.get("kind")
    return (
        isinstance(api_version, YScalar) and isinstance(api_version.value, str)
        and isinstance(kind, YScalar) and isinstance(kind.value, str)
    )


def _problem_order(problem: ManifestProblem) -> tuple:
    return (problem.span or (0, 0, 0, 0), problem.message)


class _ManifestReader(FieldReader):
    def __init__(self, path: str, text: str) -> None:
        super().__init__(path)
        self.lines = text.split("\n")
        self.workloads: list[Workload] = []
        self.configmaps: list[ConfigMap] = []

    # -- objects ---------------------------------------------------------
    def read_object(self, node: YMap, document_index: int, depth: int) -> None:
        kind = node.get("kind").value  # type: ignore[union-attr]
        if kind == "List" or (kind.endswith("List") and "items" in node):
            if depth < _MAX_LIST_DEPTH:
                for item in self.sequence(node.get("items"), "items"):
                    if _is_object(item):
                        self.read_object(item, document_index, depth + 1)
            return
        if kind in WORKLOAD_KINDS:
            self.workloads.append(self.read_workload(node, kind, document_index))
        elif kind == "ConfigMap":
            self.configmaps.append(self.read_configmap(node, document_index))

    def _metadata(self, node: YMap) -> tuple[YMap | None, str, Span | None, str | None]:
        metadata = self.mapping(node.get("metadata"), "metadata")
        name_node = metadata.get("name") if metadata else None
        name = self.string(name_node, "metadata.name") or "<unnamed>"
        namespace = self.string(metadata.get("namespace"), "metadata.namespace") if metadata else None
        return metadata, name, name_node.span if name_node is not None else None, namespace

    def _annotations(self, metadata: YMap | None) -> tuple[dict[str, Value], Span | None]:
        annotations = self.mapping(metadata.get("annotations"), "metadata.annotations") if metadata else None
        if annotations is None:
            return {}, None
        values = {key: scalar_value(annotations, key, key_node, value) for key, key_node, value in annotations.items()}
        return values, annotations.span

    def read_workload(self, node: YMap, kind: str, document_index: int) -> Workload:
        metadata, name, name_span, namespace = self._metadata(node)
        annotations, annotations_span = self._annotations(metadata)
        spec = self.mapping(node.get("spec"), f"{kind}.spec")
        template_path = POD_TEMPLATE_PATH[kind]
        if template_path is None:
            pod_metadata, pod_spec = metadata, spec
        else:
            template = node
            for step in template_path:
                template = self.mapping(template.get(step), ".".join(template_path)) if template else None
            pod_metadata = self.mapping(template.get("metadata"), "template.metadata") if template else None
            pod_spec = self.mapping(template.get("spec"), "template.spec") if template else None
        pod_annotations, pod_annotations_span = self._annotations(pod_metadata)
        replicas = self.value(spec, "replicas", self.integer, "replicas") if kind in _KINDS_WITH_REPLICAS else None
        grace = self.value(pod_spec, "terminationGracePeriodSeconds", self.integer, "terminationGracePeriodSeconds")
        pod_security = self.mapping(pod_spec.get("securityContext"), "securityContext") if pod_spec else None
        volumes = self.read_volumes(pod_spec)
        by_name = {volume.name: volume for volume in volumes}
        network = self._pod_network(pod_spec, pod_security)
        containers = tuple(
            self.read_container(item, pod_security, by_name, network)
            for item in (self.sequence(pod_spec.get("containers"), "containers") if pod_spec else ())
            if self.mapping(item, "a container") is not None
        )
        init_containers = tuple(
            self.read_container(item, pod_security, by_name, network)
            for item in (self.sequence(pod_spec.get("initContainers"), "initContainers") if pod_spec else ())
            if self.mapping(item, "an init container") is not None
        )
        return Workload(
            kind=kind, name=name, path=self.path, span=node.span, namespace=namespace, name_span=name_span,
            document_index=document_index, replicas=replicas, annotations=annotations,
            annotations_span=annotations_span, pod_annotations=pod_annotations,
            pod_annotations_span=pod_annotations_span,
            pod_metadata_span=pod_metadata.span if pod_metadata is not None else None,
            termination_grace_period=grace, containers=containers, init_containers=init_containers,
            volumes=volumes,
        )

    # -- pod spec --------------------------------------------------------
    def read_volumes(self, pod_spec: YMap | None) -> tuple[Volume, ...]:
        volumes = []
        for item in self.sequence(pod_spec.get("volumes"), "volumes") if pod_spec else ():
            volume = self.mapping(item, "a volume")
            name = self.string(volume.get("name"), "volume name") if volume else None
            if volume is None or name is None:
                continue
            kind = next((key for key in volume if key != "name"), None)
            source = self.mapping(volume.get(kind), f"volume {name}") if kind else None
            volumes.append(self._volume(name, kind, source, volume.span))
        return tuple(volumes)

    def _volume(self, name: str, kind: str | None, source: YMap | None, span: Span) -> Volume:
        if source is None:
            return Volume(name, kind, span)
        if kind == "configMap":
            return Volume(name, kind, span, configmap=self.string(source.get("name"), "configMap name"),
                          items=self._items(source))
        if kind == "projected":
            for projection in self.sequence(source.get("sources"), "projected sources"):
                config = self.mapping(projection.get("configMap"), "configMap") if isinstance(projection, YMap) else None
                if config is not None:
                    return Volume(name, kind, span, configmap=self.string(config.get("name"), "configMap name"),
                                  items=self._items(config))
            return Volume(name, kind, span)
        if kind == "emptyDir":
            return Volume(name, kind, span, medium=self.string(source.get("medium"), "emptyDir medium"),
                          size_limit=self.string(source.get("sizeLimit"), "emptyDir sizeLimit"))
        if kind == "persistentVolumeClaim":
            return Volume(name, kind, span, source=self.string(source.get("claimName"), "claimName"),
                          read_only=bool(self.boolean(source.get("readOnly"), "readOnly")))
        if kind == "hostPath":
            return Volume(name, kind, span, source=self.string(source.get("path"), "hostPath path"))
        if kind == "secret":
            return Volume(name, kind, span, source=self.string(source.get("secretName"), "secretName"))
        return Volume(name, kind, span)

    def _items(self, source: YMap) -> tuple[tuple[str, str], ...]:
        items = []
        for item in self.sequence(source.get("items"), "items"):
            entry = self.mapping(item, "an item")
            key = self.string(entry.get("key"), "item key") if entry else None
            if key is not None:
                items.append((key, self.string(entry.get("path"), "item path") or key))
        return tuple(items)

    # -- containers ------------------------------------------------------
    def _pod_network(self, pod_spec: YMap | None, pod_security: YMap | None) -> dict:
        """The pod's network facts every container shares: `hostNetwork`, the names `hostAliases` pins, and the
        net.ipv4.ip_unprivileged_port_start its securityContext.sysctls set."""
        start = None
        for item in self.sequence(pod_security.get("sysctls") if pod_security else None, "sysctls"):
            sysctl = self.mapping(item, "a sysctl")
            if sysctl is not None and self.string(sysctl.get("name"), "sysctl name") == UNPRIVILEGED_PORT_START:
                start = self.value(sysctl, "value", self._port_number, "sysctl value")
        pinned = set()  # hostAliases: [{ip: 10.0.0.5, hostnames: [db]}]
        for alias in self.sequence(pod_spec.get("hostAliases") if pod_spec else None, "hostAliases"):
            entry = self.mapping(alias, "a host alias")
            if entry is not None:
                pinned.update(name.lower() for name in self.strings(entry.get("hostnames"), "hostnames")[0])
        return {"host_network": self.value(pod_spec, "hostNetwork", self.boolean, "hostNetwork"),
                "unprivileged_port_start": start, "pinned_hosts": frozenset(pinned)}

    def read_container(self, node: YMap, pod_security: YMap | None, volumes: dict[str, Volume],
                       network: dict | None = None) -> Container:
        name_node = node.get("name")
        name = self.string(name_node, "container name") or "<unnamed>"
        image_node = node.get("image")
        command, command_spans = self.strings(node.get("command"), "command")
        args, args_spans = self.strings(node.get("args"), "args")
        resources = self.mapping(node.get("resources"), "resources")
        limits = self.mapping(resources.get("limits"), "resources.limits") if resources else None
        requests = self.mapping(resources.get("requests"), "resources.requests") if resources else None
        security = self.mapping(node.get("securityContext"), "securityContext")
        ports = self.read_ports(node)
        env, env_values, env_from = self.read_env(node)
        capabilities = self.mapping(security.get("capabilities"), "capabilities") if security else None
        lifecycle = self.mapping(node.get("lifecycle"), "lifecycle")
        return Container(
            name=name, path=self.path, span=node.span, source="kubernetes",
            name_span=name_node.span if name_node is not None else None,
            image=self.string(image_node, "image"),
            image_span=image_node.span if image_node is not None else None,
            command=command, command_spans=command_spans, args=args, args_spans=args_spans,
            working_dir=self.value(node, "workingDir", self.string, "workingDir"),
            cpu_limit=self.quantity(limits, "cpu", parse_cpu, "cpu quantity"),
            cpu_request=self.quantity(requests, "cpu", parse_cpu, "cpu quantity"),
            memory_limit=self.quantity(limits, "memory", parse_memory, "memory quantity"),
            memory_request=self.quantity(requests, "memory", parse_memory, "memory quantity"),
            read_only_root=self.value(security, "readOnlyRootFilesystem", self.boolean, "readOnlyRootFilesystem"),
            run_as_non_root=self._security(security, pod_security, "runAsNonRoot", self.boolean),
            run_as_user=self._security(security, pod_security, "runAsUser", self.integer),
            allow_privilege_escalation=self.value(
                security, "allowPrivilegeEscalation", self.boolean, "allowPrivilegeEscalation"),
            capabilities_add=tuple(
                Value(self.string(item, "capability"), item.span)
                for item in self.sequence(capabilities.get("add") if capabilities else None, "capabilities.add")
                if isinstance(item, YScalar)
            ),
            ports=ports, probes=self.read_probes(node, ports), env=env, env_values=env_values,
            env_from=env_from, mounts=self.read_mounts(node, volumes),
            pre_stop=self.read_hook(lifecycle.get("preStop") if lifecycle else None),
            stop_signal=self.value(lifecycle, "stopSignal", self.string, "stopSignal"),
            **(network or {}),
        )

    def _port_number(self, node: YNode | None, what: str) -> int | None:
        """A sysctl's value, which Kubernetes writes as a string ("0")."""
        number = port_number(self.string(node, what))
        if number is None and node is not None:
            self.report(f"{what} should be a port number", node.span)
        return number

    def _security(self, container: YMap | None, pod: YMap | None, key: str, read) -> Value | None:
        """The container's securityContext wins over the pod's."""
        if container is not None and key in container:
            return self.value(container, key, read, key)
        return self.value(pod, key, read, key)

    def read_ports(self, node: YMap) -> tuple[Port, ...]:
        ports = []
        for item in self.sequence(node.get("ports"), "ports"):
            port = self.mapping(item, "a port")
            if port is None:
                continue
            ports.append(Port(
                number=self.integer(port.get("containerPort"), "containerPort"),
                name=self.string(port.get("name"), "port name"),
                span=port.span,
                protocol=self.string(port.get("protocol"), "protocol") or "TCP",
                host_port=self.integer(port.get("hostPort"), "hostPort"),
            ))
        return tuple(ports)

    def read_probes(self, node: YMap, ports: tuple[Port, ...]) -> tuple[Probe, ...]:
        probes = []
        for kind, key in _PROBES:
            probe = self.mapping(node.get(key), key)
            if probe is None:
                continue
            handler = next((name for name in _PROBE_HANDLERS if name in probe), None)
            action = self.mapping(probe.get(handler), f"{key}.{handler}") if handler else None
            if action is None:
                probes.append(Probe(kind, handler, probe.span))
                continue
            port, port_name = self._probe_port(action.get("port"), ports, f"{key}.{handler}.port")
            port_node, path_node = action.get("port"), action.get("path")
            command = self.strings(action.get("command"), f"{key}.exec.command")[0] if handler == "exec" else None
            probes.append(Probe(
                kind=kind, handler=handler, span=probe.span, port=port,
                port_span=port_node.span if port_node is not None else None, port_name=port_name,
                path=self.string(path_node, f"{key}.httpGet.path") if handler == "httpGet" else None,
                path_span=path_node.span if path_node is not None and handler == "httpGet" else None,
                host=self.string(action.get("host"), "host"), scheme=self.string(action.get("scheme"), "scheme"),
                command=command, host_header=self._host_header(action, key) if handler == "httpGet" else None,
            ))
        return tuple(probes)

    def _host_header(self, action: YMap, key: str) -> str | None:
        """The Host an httpGet probe sends in `httpHeaders`, when it names one."""
        for header in self.sequence(action.get("httpHeaders"), f"{key}.httpGet.httpHeaders"):
            entry = self.mapping(header, f"{key}.httpGet.httpHeaders[]")
            if entry is not None and (self.string(entry.get("name"), "name") or "").lower() == "host":
                return self.string(entry.get("value"), "value")
        return None

    def _probe_port(self, node: YNode | None, ports: tuple[Port, ...], what: str) -> tuple[int | None, str | None]:
        """A number, a numeric string, or a container port name resolved through `ports`."""
        if node is None:
            return None, None
        if isinstance(node, YScalar) and isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value, None
        text = self.string(node, what)
        if text is None:
            return None, None
        number = parse_uint(text)
        if number is not None:
            return number, None
        named = next((port for port in ports if port.name == text), None)
        return (named.number if named else None), text

    def read_env(self, node: YMap) -> tuple[tuple[Value, ...], dict[str, Value], tuple[Value, ...]]:
        names, values = [], {}
        for item in self.sequence(node.get("env"), "env"):
            entry = self.mapping(item, "an env entry")
            name_node = entry.get("name") if entry else None
            name = self.string(name_node, "env name")
            if name is None:
                continue
            names.append(Value(name, name_node.span, None, entry.key_span("name")))
            value = self.value(entry, "value", self.string, f"env {name} value")
            if value is not None:
                values[name] = value
        sources = []
        for item in self.sequence(node.get("envFrom"), "envFrom"):
            entry = self.mapping(item, "an envFrom entry")
            for ref in ("configMapRef", "secretRef"):
                target = self.mapping(entry.get(ref), ref) if entry else None
                name = self.string(target.get("name"), f"{ref}.name") if target else None
                if name is not None:
                    sources.append(Value(name, target.span, ref))
        return tuple(names), values, tuple(sources)

    def read_mounts(self, node: YMap, volumes: dict[str, Volume]) -> tuple[Mount, ...]:
        mounts = []
        for item in self.sequence(node.get("volumeMounts"), "volumeMounts"):
            entry = self.mapping(item, "a volume mount")
            path = self.string(entry.get("mountPath"), "mountPath") if entry else None
            if path is None:
                continue
            name = self.string(entry.get("name"), "volume mount name")
            volume = volumes.get(name) if name else None
            read_only = bool(self.boolean(entry.get("readOnly"), "readOnly")) or bool(volume and volume.read_only)
            mounts.append(Mount(
                path=path, volume=name, kind=volume.kind if volume else None, read_only=read_only,
                span=entry.span, configmap=volume.configmap if volume else None,
                items=volume.items if volume else (), sub_path=self.string(entry.get("subPath"), "subPath"),
                source=volume.source if volume else None, medium=volume.medium if volume else None,
                size_limit=volume.size_limit if volume else None,
            ))
        return tuple(mounts)

    def read_hook(self, node: YNode | None) -> Hook | None:
        hook = self.mapping(node, "preStop")
        if hook is None:
            return None
        if "exec" in hook:
            action = self.mapping(hook.get("exec"), "preStop.exec")
            command = self.strings(action.get("command") if action else None, "preStop.exec.command")[0]
            return Hook("exec", hook.span, command=command)
        if "httpGet" in hook or "tcpSocket" in hook:
            handler = "httpGet" if "httpGet" in hook else "tcpSocket"
            action = self.mapping(hook.get(handler), f"preStop.{handler}")
            port_node = action.get("port") if action else None
            port = port_node.value if isinstance(port_node, YScalar) else None
            path = self.string(action.get("path"), "preStop.httpGet.path") if action else None
            return Hook(handler, hook.span, path=path, port=port)
        if "sleep" in hook:
            action = self.mapping(hook.get("sleep"), "preStop.sleep")
            seconds = self.integer(action.get("seconds"), "preStop.sleep.seconds") if action else None
            return Hook("sleep", hook.span, seconds=float(seconds) if seconds is not None else None)
        return None

    # -- ConfigMaps ------------------------------------------------------
    def read_configmap(self, node: YMap, document_index: int) -> ConfigMap:
        _metadata, name, name_span, namespace = self._metadata(node)
        data = self.mapping(node.get("data"), "ConfigMap data")
        entries = []
        for key, key_node, value in data.items() if data else ():
            if isinstance(value, YScalar) and value.value is not None:
                entries.append(self._embedded(key, key_node, value))
        return ConfigMap(name, self.path, node.span, namespace, name_span, document_index, tuple(entries))

    def _embedded(self, key: str, key_node: YNode, node: YScalar) -> EmbeddedFile:
        text = node.value if isinstance(node.value, str) else node.text
        line, column, end_line, _end_column = node.span
        exact, line_offset, column_offset = False, line - 1, column - 1
        if node.style == "|":
            exact = True
            line_offset = line  # content starts on the line after the '|' header
            column_offset = self._block_indent(node, key_node)
        elif line == end_line and "\n" not in text:
            source = self.lines[line - 1][column - 1:node.span[3] - 1]
            if node.style is None:
                exact = True
            elif node.style == "'" and "''" not in source:
                exact, column_offset = True, column
            elif node.style == '"' and "\\" not in source:
                exact, column_offset = True, column
        return EmbeddedFile(key, text, self.path, node.span, key_node.span, line_offset, column_offset, exact, node.style)

    def _block_indent(self, node: YScalar, key_node: YNode) -> int:
        """Indentation of a literal block's content: explicit indicator, else its first non-empty line."""
        header_line, header_column = node.span[0], node.span[1]
        header = self.lines[header_line - 1][header_column - 1:]
        indicator = re.match(r"\|(?:([1-9])[+-]?|[+-]([1-9])?)?", header)
        digit = indicator and (indicator.group(1) or indicator.group(2))
        if digit:
            return key_node.span[1] - 1 + int(digit)
        for text in self.lines[header_line:node.span[2]]:
            stripped = text.rstrip("\r")
            if stripped.strip(" "):
                return len(stripped) - len(stripped.lstrip(" "))
        return 0
