"""Runtime facts as immutable values: workloads, containers, ConfigMaps and the files they embed.

Every object remembers its file (`path`) and a span (nginxlint.findings.Span: line, column, end_line,
end_column; 1-based, end exclusive) so that rules can point at the manifest as they are.
Spans are None only for facts that come from settings without positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from ..findings import Location, Span
from .detect import image_repository

_OPENRESTY_PREFIX = "/usr/local/openresty/nginx"
_NGINX_PREFIX = "/etc/nginx"
# Volume kinds whose content the container can never write.
_ALWAYS_READ_ONLY = frozenset({"configMap", "secret", "downwardAPI", "projected", "config", "image"})


@dataclass(frozen=True)
class Value:
    """A value read from a manifest, with where it was written.

    `value` is the interpreted value (cores, bytes, seconds, bool, str…); `text`
    is the source text when the interpretation changed its form ('500m' -> 0.5);
    `key_span` is the span of the key it belongs to, when there is one.
    """

    value: Any
    span: Span | None
    text: str | None = None
    key_span: Span | None = None


@dataclass(frozen=True)
class Port:
    number: int | None
    name: str | None
    span: Span | None
    protocol: str = "TCP"
    host_port: int | None = None  # hostPort, or the published port of a Compose mapping
    host_ip: str | None = None  # the host address a Compose mapping publishes on (`127.0.0.1:8080:80`)


@dataclass(frozen=True)
class Probe:
    """A liveness/readiness/startup probe, or a Compose healthcheck (kind 'healthcheck').

    `port` is resolved through the container's named ports; an unresolved name leaves
    `port` None and `port_name` set. For a healthcheck, port and path come from the
    URL in the command, when there is one.
    """

    kind: str  # "liveness" | "readiness" | "startup" | "healthcheck"
    handler: str | None  # "httpGet" | "tcpSocket" | "exec" | "grpc" | None when none is given
    span: Span | None
    port: int | None = None
    port_span: Span | None = None
    port_name: str | None = None
    path: str | None = None
    path_span: Span | None = None
    host: str | None = None
    scheme: str | None = None
    command: tuple[str, ...] | None = None
    host_header: str | None = None  # an httpGet's `httpHeaders` Host: the server nginx picks by its name
    origin: str | None = None  # the file that declares it, when not the manifest: the image's Dockerfile (HEALTHCHECK)


def healthcheck_probe(command: tuple[str, ...], span: Span | None, test_span: Span | None,
                      origin: str | None = None) -> Probe:
    """A Compose `healthcheck:` or a Dockerfile `HEALTHCHECK` running `command`: the URL in it (`curl -f
    http://localhost:8080/health`) gives the port and path it checks."""
    text = " ".join(command)
    # a check that fetches the URL only under a condition (`if [ "$ENABLE_HEALTHCHECK" = "true" ]; then curl …; else
    # exit 0; fi`) may pass without it: its port and path say nothing certain
    url = CHECKED_URL.search(text) if not _CONDITIONAL.search(text) else None
    port = path = host = scheme = None
    if url:
        try:  # urlsplit and .port raise on '[::1' and on a port that is not a number
            parts = urlsplit(url.group(0))
            scheme, host, path = parts.scheme, parts.hostname, parts.path or "/"
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            port = path = host = scheme = None
    return Probe(kind="healthcheck", handler="exec", span=span, port=port, port_span=test_span if port else None,
                 path=path, path_span=test_span if path else None, host=host,
                 scheme=scheme.upper() if scheme else None, command=tuple(command), origin=origin)


_CONDITIONAL = re.compile(r"(?:^|[;&|(\s])(?:if|case)\s|(?:^|\s)(?:\[\[?|test)\s")
# The URL a health check's command fetches (`curl -f http://localhost:8080/health || exit 1`)
CHECKED_URL = re.compile(r"https?://[^\s'\"|;&]+")


@dataclass(frozen=True)
class Mount:
    """A volume mounted into the container.

    kind is the volume source: "emptyDir", "configMap", "secret", "persistentVolumeClaim",
    "hostPath", "projected", … for Kubernetes; "bind", "volume", "tmpfs", "config",
    "secret" for Compose; "settings" for writable-paths from the config file; None when
    the volume is not declared.
    """

    path: str
    volume: str | None
    kind: str | None
    read_only: bool
    span: Span | None
    configmap: str | None = None
    items: tuple[tuple[str, str], ...] = ()  # (key, path relative to the mount) of a configMap volume
    sub_path: str | None = None
    source: str | None = None  # host path (hostPath, bind), claim name, or named volume
    medium: str | None = None  # emptyDir medium ("Memory") or "tmpfs"
    size_limit: str | None = None

    @property
    def writable(self) -> bool:
        return not self.read_only and self.kind not in _ALWAYS_READ_ONLY


@dataclass(frozen=True)
class Volume:
    name: str
    kind: str | None
    span: Span | None
    configmap: str | None = None
    items: tuple[tuple[str, str], ...] = ()
    source: str | None = None
    medium: str | None = None
    size_limit: str | None = None
    read_only: bool = False  # set for sources that are read-only by declaration (e.g. a read-only PVC)


@dataclass(frozen=True)
class Hook:
    """lifecycle.preStop: exec command, httpGet path or sleep seconds."""

    handler: str  # "exec" | "httpGet" | "tcpSocket" | "sleep"
    span: Span | None
    command: tuple[str, ...] | None = None
    path: str | None = None
    port: int | str | None = None
    seconds: float | None = None


UNPRIVILEGED_PORT_START = "net.ipv4.ip_unprivileged_port_start"


def port_number(text: str | None) -> int | None:
    """A sysctl's value as a port number ("0", 1024), or None."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and int(text) <= 65535 else None


@dataclass(frozen=True, eq=False)  # identity: hashable although it holds dicts
class Container:
    """One container, from a manifest, a Compose service or the config file's runtime settings.

    `command`/`args` follow Kubernetes: command replaces the image ENTRYPOINT, args the CMD
    (Compose `entrypoint` -> command, `command` -> args). cpu values are cores, memory
    values bytes; securityContext fields already include what the pod level sets.
    """

    name: str
    path: str
    span: Span | None
    source: str = "kubernetes"  # "kubernetes" | "compose" | "dockerfile" | "settings"
    name_span: Span | None = None
    image: str | None = None
    image_span: Span | None = None
    command: tuple[str, ...] = ()
    command_spans: tuple[Span | None, ...] = ()
    args: tuple[str, ...] = ()
    args_spans: tuple[Span | None, ...] = ()
    working_dir: Value | None = None
    cpu_limit: Value | None = None
    cpu_request: Value | None = None
    memory_limit: Value | None = None
    memory_request: Value | None = None
    read_only_root: Value | None = None
    run_as_non_root: Value | None = None
    run_as_user: Value | None = None
    user: Value | None = None  # Compose `user:` as written ("1000:1000", "nginx")
    allow_privilege_escalation: Value | None = None
    capabilities_add: tuple[Value, ...] = ()
    ports: tuple[Port, ...] = ()
    probes: tuple[Probe, ...] = ()
    env: tuple[Value, ...] = ()  # names, in order
    env_values: Mapping[str, Value] = field(default_factory=dict)  # literal values by name
    env_from: tuple[Value, ...] = ()  # envFrom / env_file sources: names or files
    mounts: tuple[Mount, ...] = ()
    pre_stop: Hook | None = None
    stop_signal: Value | None = None
    platform: Value | None = None  # Compose `platform:` ("linux/arm64")
    # Compose `build:` as written: (context, dockerfile, target), relative to the Compose file's directory.
    build_source: tuple[str, str | None, str | None] | None = None
    restart: Value | None = None  # Compose `restart:` ("always", "unless-stopped", "on-failure", "no")
    nofile_soft: Value | None = None  # Compose `ulimits: nofile`: the soft open-file limit the container starts with
    # net.ipv4.ip_unprivileged_port_start as the pod's securityContext.sysctls or Compose `sysctls:` set it
    unprivileged_port_start: Value | None = None
    host_network: Value | None = None  # Kubernetes `hostNetwork: true`, Compose `network_mode: host`
    # Host names the container's /etc/hosts pins to an address: Compose `extra_hosts`, Kubernetes `hostAliases`
    pinned_hosts: frozenset[str] = frozenset()
    build: Any = None  # a container.dockerfile.ImageBuild: what that Dockerfile (or one bound alone) builds

    @property
    def argv(self) -> tuple[str, ...]:
        return self.command + self.args

    @property
    def base_image(self) -> str | None:
        """The image nginx comes from: a build's base image, else `image` (with a build, `image` only names
        the result)."""
        if self.build is not None and self.build.base is not None:
            return self.build.base.value
        return self.image

    @property
    def effective_stop_signal(self) -> Value | None:
        """The stop signal as set on the container, else by the built image's STOPSIGNAL."""
        if self.stop_signal is not None:
            return self.stop_signal
        return self.build.stop_signal if self.build is not None else None

    @property
    def writable_mounts(self) -> tuple[Mount, ...]:
        return tuple(mount for mount in self.mounts if mount.writable)


@dataclass(frozen=True, eq=False)  # identity: hashable although it holds dicts
class Workload:
    """A Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Pod, Job or CronJob.

    `annotations` are the workload's own metadata annotations, `pod_annotations` the pod
    template's (for a Pod both are the same). Values keep their YAML type, so a rule can
    see that `prometheus.io/port: 8099` is an int; key_span points at the key.
    `replicas` is None when not written (Kubernetes then runs 1) and for kinds without it.
    """

    kind: str
    name: str
    path: str
    span: Span | None
    namespace: str | None = None
    name_span: Span | None = None
    document_index: int = 0
    replicas: Value | None = None
    annotations: Mapping[str, Value] = field(default_factory=dict)
    annotations_span: Span | None = None
    pod_annotations: Mapping[str, Value] = field(default_factory=dict)
    pod_annotations_span: Span | None = None
    pod_metadata_span: Span | None = None
    termination_grace_period: Value | None = None
    containers: tuple[Container, ...] = ()
    init_containers: tuple[Container, ...] = ()
    volumes: tuple[Volume, ...] = ()


@dataclass(frozen=True)
class EmbeddedFile:
    """A file held in a ConfigMap's `data`, with the mapping back to the YAML file.

    Line N, column C of `text` is at YAML line `line_offset + N`, column `column_offset + C`
    when `exact_positions` is true (a literal block scalar, or a one-line scalar without
    escapes). Otherwise every position maps to the key.
    """

    key: str
    text: str
    path: str
    span: Span  # the value node
    key_span: Span
    line_offset: int
    column_offset: int
    exact_positions: bool
    style: str | None = None

    def yaml_position(self, line: int, column: int) -> tuple[int, int]:
        if not self.exact_positions:
            return self.key_span[0], self.key_span[1]
        return self.line_offset + line, self.column_offset + column



@dataclass(frozen=True)
class ConfigMap:
    name: str
    path: str
    span: Span
    namespace: str | None = None
    name_span: Span | None = None
    document_index: int = 0
    entries: tuple[EmbeddedFile, ...] = ()
    # Read from an unrendered Helm chart template, its tags masked: its name and the workload that mounts it are
    # known only once the chart is rendered.
    unrendered: bool = False

    def entry(self, key: str) -> EmbeddedFile | None:
        return next((e for e in self.entries if e.key == key), None)


@dataclass(frozen=True)
class ManifestProblem:
    """Something wrong in a manifest or settings. kind: "yaml" (not valid YAML) or "value" (a field nginxlint cannot read)."""

    path: str
    message: str
    span: Span | None
    kind: str = "value"


@dataclass(frozen=True)
class ManifestDoc:
    """What one Kubernetes YAML file holds. `skipped` says why a file was not read (e.g. an unrendered Helm template);
    `masked`: the template masking (nginxlint.nginx.templates.Masked) of an unrendered Helm chart template whose
    ConfigMaps' nginx configs were read, each with its tags masked; its workloads are not read."""

    path: str
    workloads: tuple[Workload, ...] = ()
    configmaps: tuple[ConfigMap, ...] = ()
    problems: tuple[ManifestProblem, ...] = ()
    skipped: str | None = None
    masked: Any = None


@dataclass(frozen=True, eq=False)  # identity: hashable although it holds dicts
class RuntimeFacts:
    """The runtime around one nginx: a Kubernetes workload's container, a Compose service or settings.

    Rules read this one shape whatever the source. `workload` is set for Kubernetes only.
    """

    source: str  # "kubernetes" | "compose" | "dockerfile" | "settings"
    path: str
    name: str
    container: Container
    span: Span | None = None
    replicas: Value | None = None
    termination_grace_period: Value | None = None  # seconds
    annotations: Mapping[str, Value] = field(default_factory=dict)
    pod_annotations: Mapping[str, Value] = field(default_factory=dict)
    workload: Workload | None = None
    # Names of the deployment's other services whose address stays while they exist (a Swarm stack's virtual IPs).
    stable_names: frozenset[str] = frozenset()
    # For an image seen alone (source "dockerfile"): the services of the Compose files in view, whose names are
    # known to be containers' own addresses; None when a Compose template in view may run any name.
    compose_services: frozenset[str] | None = frozenset()
    # The Compose file is a developer's stack (dev_stack.py): debugging on, the sources mounted, a mail catcher; or
    # the service starts only with a development or test profile (`profiles: [testing]`).
    developer_stack: bool = False
    # The Compose services this one starts after (`depends_on`, `links`), lower case.
    depends_on: frozenset[str] = frozenset()

    @classmethod
    def from_workload(cls, workload: Workload, container: Container) -> "RuntimeFacts":
        return cls(
            source="kubernetes",
            path=workload.path,
            name=f"{workload.kind}/{workload.name}/{container.name}",
            container=container,
            span=container.span,
            replicas=workload.replicas,
            termination_grace_period=workload.termination_grace_period,
            annotations=workload.annotations,
            pod_annotations=workload.pod_annotations,
            workload=workload,
        )


@dataclass(frozen=True)
class ComposeDoc:
    path: str
    services: tuple[RuntimeFacts, ...] = ()
    problems: tuple[ManifestProblem, ...] = ()
    skipped: str | None = None  # why the file was not read (an unrendered Jinja template)
    # the names its containers answer to on its networks: services, container_name, hostname, network aliases
    names: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MountedFile:
    """A ConfigMap entry as the container sees it: `container_path` is where the file lands."""

    container_path: str
    configmap: ConfigMap
    entry: EmbeddedFile
    mount: Mount


@dataclass
class Binding:
    """The container that runs one deployment, and why nginxlint thinks so.

    `how`: "containers-setting", "host-mount", "image-copy" (a Compose build's Dockerfile COPYs it), "path-map",
    "configmap", "embedded", "only-nginx-container", "listen-port", "dockerfile" (a Dockerfile alone) or
    "runtime-setting". `mounted` is the ConfigMap entry the config came from, when it did; `container_path`
    where the root config sits in the container, when a mount says so; `host_source` the host file or directory
    a "host-mount" mounts; `in_working_copy` when that is the whole project, mounted to work on (`..:/workspace`)
    where nginx reads nothing by itself: the config is on the container's network, but not what its nginx runs.
    Deployments bound to the same container share `group`. `unread_manifest`: a manifest
    nginxlint noted and did not read (a template) that may define this container, when no manifest binds it.
    """

    facts: "RuntimeFacts"
    how: str
    mounted: "MountedFile | None" = None
    container_path: str | None = None
    group: int = 0
    host_source: Path | None = None
    in_working_copy: bool = False
    unread_manifest: str | None = None

    @property
    def container(self) -> "Container":
        return self.facts.container

    @property
    def workload(self):
        return self.facts.workload

    @property
    def source(self) -> str:
        return self.facts.source

    @property
    def path(self) -> str:
        return self.facts.path

    @property
    def from_manifest(self) -> bool:
        """Kubernetes or Compose says how the container runs (not a Dockerfile or settings alone)."""
        return self.facts.source in ("kubernetes", "compose")

    def location(self, span, message: str = "") -> Location | None:
        """A related location in the manifest (None for settings without positions)."""
        if span is None or not self.path:
            return None
        return Location(self.path, span, message)

    def value_location(self, value: Value | None, message: str = "") -> Location | None:
        if value is None:
            return None
        return self.location(value.span or value.key_span, message)

    def where(self, value: Value | None) -> str:
        """' at k8s/deployment.yaml:31' for messages; ' in .nginxlint.yaml' without a position."""
        span = None if value is None else (value.span or value.key_span)
        if span is None:
            return f" in {self.path}" if self.path else ""
        return f" at {self.path}:{span[0]}"

    # -- facts rules read -----------------------------------------------------------------------------
    @property
    def cpu_limit(self) -> Value | None:
        return self.container.cpu_limit

    @property
    def memory_limit(self) -> Value | None:
        return self.container.memory_limit

    @property
    def read_only_root(self) -> bool:
        value = self.container.read_only_root
        return bool(value is not None and value.value is True)

    def non_root(self) -> Value | None:
        """The fact that shows the master runs as non-root; None when it runs as root or nothing says."""
        container = self.container
        user = container.run_as_user
        if user is not None:
            return user if isinstance(user.value, int) and user.value != 0 else None
        flag = container.run_as_non_root
        if flag is not None and flag.value is True:
            return flag
        return None

    @property
    def writable_volume(self) -> str:
        """What a writable directory is called where this container runs, for messages."""
        return {"kubernetes": "an emptyDir volume", "compose": "a tmpfs mount"}.get(self.container.source,
                                                                                     "a writable volume")

    @property
    def flavour(self) -> str | None:
        """"openresty" or "nginx" when the image (a build's base image) tells which build runs, else None."""
        return image_flavour(self.container.base_image)

    def server_prefix(self) -> str | None:
        """nginx's -p inside the container: from the arguments, else the image's build default."""
        argv = self.container.argv
        for index, word in enumerate(argv):
            if word == "-p" and index + 1 < len(argv):
                return argv[index + 1].rstrip("/") or "/"
        flavour = self.flavour
        if flavour == "openresty":
            return _OPENRESTY_PREFIX
        if flavour == "nginx":
            return _NGINX_PREFIX
        build = self.container.build
        program = argv or (build.argv if build is not None else ())  # Compose's command, else the Dockerfile's
        return next((prefix for word in program if (prefix := _installed_prefix(word)) is not None), None)


    def writable_mount(self, path: str):
        """The writable mount holding an absolute container path, or None."""
        best = None
        for mount in self.container.writable_mounts:
            root = mount.path.rstrip("/") or "/"
            if path == root or path.startswith(root.rstrip("/") + "/"):
                if best is None or len(root) > len(best.path):
                    best = mount
        return best


# A program installed by a source build under its default prefix: OpenResty's `bin/openresty` beside `nginx/`, or
# nginx's `<prefix>/sbin/nginx` under /usr/local or /opt (a package's /usr/sbin/nginx names no prefix).
_OPENRESTY_PROGRAM = re.compile(r"(/usr/local/openresty)/(?:bin/openresty|nginx/sbin/nginx)")
_SOURCE_NGINX_PROGRAM = re.compile(r"((?:/usr/local|/opt)/[\w.-]+)/sbin/nginx")


def _installed_prefix(word: str) -> str | None:
    """The prefix a source-built nginx named by its installed path runs with by default, or None."""
    if (found := _OPENRESTY_PROGRAM.fullmatch(word)) is not None:
        return found.group(1) + "/nginx"
    found = _SOURCE_NGINX_PROGRAM.fullmatch(word)
    return found.group(1) if found is not None else None


def image_flavour(image: str | None) -> str | None:
    if not image:
        return None
    repository = image_repository(image).lower()
    if "openresty" in repository.rsplit("/", 2)[-1] or repository.startswith("openresty/"):
        return "openresty"
    last = repository.rsplit("/", 1)[-1]
    if last in ("nginx", "nginx-unprivileged"):
        return "nginx"
    return None


def runs_as_non_root(binding) -> bool:
    """The container runs nginx's master as non-root, as far as the manifest or settings say."""
    return binding is not None and binding.non_root() is not None
