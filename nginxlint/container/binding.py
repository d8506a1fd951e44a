"""Link each nginx config to the container that runs it.

Runtime facts come, in this order, from Kubernetes manifests, Docker Compose files, then the config file's
`runtime:` table. A config is bound to a container by (strongest first):

1. the `containers:` setting (`{NAME: path/to/nginx.conf}`);
2. a host file or directory mounted into the container (Compose bind mounts and configs, hostPath), or a
   `path-map` entry whose container side is one of the container's mounts;
3. a ConfigMap volume whose entry is the config (same content, else same file name, better in the same
   directory name), or a ConfigMap made elsewhere (kustomize's configMapGenerator) whose key is the file name;
4. being the only nginx or OpenResty container of all the manifests read (and not bound to another config);
   when no container is recognisably nginx (a custom image), the only container that declares a port the
   config listens on;
5. the `runtime:` settings.

nginx configs embedded in ConfigMaps become deployments of their own (see `embedded`), bound to the
container that mounts them. Broken manifests are K8S404 findings, never exceptions.

A YAML file that cannot describe a container (a CI workflow, .pre-commit-config.yaml, .nginxlint.yaml) is
recognised from its text alone (`detect`): the manifest readers are imported only when some file needs them.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..findings import Finding, Location, Notification, Span
from .detect import image_repository, is_compose_path, is_kubernetes_yaml, is_nginx_key, may_hold_runtime

if TYPE_CHECKING:
    from .model import Container, ManifestProblem, MountedFile, RuntimeFacts, Value

MANIFEST_SUFFIXES = (".yaml", ".yml")
_OPENRESTY_PREFIX = "/usr/local/openresty/nginx"
_NGINX_PREFIX = "/etc/nginx"


@dataclass
class Binding:
    """The container that runs one deployment, and why nginxlint thinks so.

    `how`: "containers-setting", "host-mount", "path-map", "configmap", "embedded", "only-nginx-container",
    "listen-port" or
    "runtime-setting". `mounted` is the ConfigMap entry the config came from, when it did; `container_path`
    where the root config sits in the container, when a mount says so. Deployments bound to the same container
    share `group`.
    """

    facts: RuntimeFacts
    how: str
    mounted: MountedFile | None = None
    container_path: str | None = None
    group: int = 0

    @property
    def container(self) -> Container:
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
        """"openresty" or "nginx" when the image tells which build runs, else None."""
        return image_flavour(self.container.image)

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
        return None

    def writable_mount(self, path: str):
        """The writable mount holding an absolute container path, or None."""
        best = None
        for mount in self.container.writable_mounts:
            root = mount.path.rstrip("/") or "/"
            if path == root or path.startswith(root.rstrip("/") + "/"):
                if best is None or len(root) > len(best.path):
                    best = mount
        return best


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


@dataclass
class Manifests:
    """Everything read from the manifest files of one run."""

    workloads: list = field(default_factory=list)
    configmaps: list = field(default_factory=list)
    services: list = field(default_factory=list)  # Compose RuntimeFacts
    sources: dict = field(default_factory=dict)  # display path -> SourceFile of the YAML text
    absolute: dict = field(default_factory=dict)  # display path -> absolute Path


def _nearest(tree, containers: list) -> list:
    """The containers whose manifest sits closest to the config (deepest shared directory): in a tree that holds
    several projects, each config goes with its own project's nginx container."""
    if len(containers) < 2:
        return containers
    root = tree.root.display.split("/")[:-1]

    def shared(facts) -> int:
        depth = 0
        for mine, theirs in zip(root, facts.path.split("/")[:-1]):
            if mine != theirs:
                break
            depth += 1
        return depth

    best = max(shared(facts) for facts in containers)
    return [facts for facts in containers if shared(facts) == best]


def bind_runtime(workspace, findings: list[Finding], notifications: list[Notification]) -> None:
    loader = workspace.loader
    settings = loader.settings
    _check_memory_settings(settings)
    texts = manifest_texts(workspace, findings)
    if not texts and not settings.runtime and not settings.containers:
        return  # only CI files, hooks and settings: nothing runs nginx
    settings_facts = _settings_facts(settings, loader)
    manifests = read_manifests(workspace, texts, findings, notifications)
    candidates = _candidates(manifests)
    if manifests.configmaps:
        from .embedded import build_embedded

        workspace.trees.extend(build_embedded(workspace, manifests, candidates, findings))

    bound: set[int] = set()
    named = _named_bindings(settings, candidates)
    for tree in workspace.trees:
        if tree.binding is not None:  # embedded deployments come bound to their container
            bound.add(id(tree.binding.container))
            continue
        binding = (
            named.get(_abs(tree.root.path))
            or _host_mount_binding(tree, candidates, manifests)
            or _path_map_binding(tree, candidates, settings)
        )
        if binding is not None:
            tree.binding = binding
            bound.add(id(binding.container))
    by_name: dict[int, list] = {}
    for tree in workspace.trees:
        if tree.binding is None:
            found = _configmap_binding(tree, candidates, manifests)
            if found is not None:
                by_name.setdefault(id(found[1].container), []).append((found[0], tree, found[1]))
    for matches in by_name.values():
        # Same content binds every copy; a match by name only binds the best-named config, when it is alone.
        best = max(score for score, _d, _b in matches)
        chosen = [(d, b) for score, d, b in matches if score == best]
        if best >= _SAME_CONTENT or len(chosen) == 1:
            for tree, binding in chosen:
                tree.binding = binding
                bound.add(id(binding.container))

    nginx = [facts for facts in candidates if _is_nginx(facts.container)]
    for tree in workspace.trees:
        if tree.binding is not None:
            continue
        near = _nearest(tree, nginx)
        if len(near) == 1 and id(near[0].container) not in bound:
            tree.binding = Binding(near[0], "only-nginx-container")
        elif not nginx and (by_port := _port_binding(tree, candidates, bound)) is not None:
            tree.binding = by_port
        elif settings_facts is not None:
            tree.binding = Binding(settings_facts, "runtime-setting")

    groups: dict[int, int] = {}
    for tree in workspace.trees:
        binding = tree.binding
        if binding is None:
            continue
        binding.group = groups.setdefault(id(binding.container), len(groups))
        source = manifests.sources.get(binding.path)
        if source is not None:  # suppressions in the manifest, and its lines in the output
            tree.files.setdefault(binding.path, source)


# -- reading ------------------------------------------------------------------------------------------------

def manifest_paths(workspace) -> list[Path]:
    """Manifests found under the linted paths plus those named by --manifests / `manifests`."""
    found: list[Path] = [_abs(Path(p)) for p in workspace.manifests]
    for named in workspace.loader.settings.manifests or ():
        path = Path(named)
        if path.is_dir():
            from ..workspace import list_files

            found.extend(_abs(file) for file in list_files(path) if file.name.endswith(MANIFEST_SUFFIXES))
        else:
            found.append(_abs(path))
    return list(dict.fromkeys(found))


def manifest_texts(workspace, findings: list[Finding]) -> list[tuple[Path, str, str]]:
    """(path, display path, text) of the YAML files that may describe a container nginx runs in."""
    from .. import sources

    loader = workspace.loader
    found = []
    for path in manifest_paths(workspace):
        display = loader.display(path)
        try:
            text = sources.read_text(path)
        except sources.Unreadable as why:
            findings.append(_invalid(loader, display, Span(1, 1, 1, 1), f"cannot read this manifest: it {why}"))
            continue
        if may_hold_runtime(display, text):  # not CI files, hooks, settings or test data
            found.append((path, display, text))
    return found


def read_manifests(workspace, texts, findings: list[Finding], notifications: list[Notification]) -> Manifests:
    from .. import sources
    from .compose import load_compose
    from .kubernetes import load_kubernetes

    loader = workspace.loader
    named = {_abs(Path(p)) for p in loader.settings.manifests or ()}
    result = Manifests()
    for path, display, text in texts:
        compose_named = is_compose_path(display)
        if is_kubernetes_yaml(text) and not compose_named:
            doc = load_kubernetes(display, text)
            if doc.skipped:
                if path in named:
                    notifications.append(Notification("warning", f"{display}: not read: {doc.skipped}", display))
                continue
            result.workloads.extend(doc.workloads)
            result.configmaps.extend(doc.configmaps)
            relevant = [w.span for w in doc.workloads if any(_is_nginx(c) for c in w.containers)]
            relevant += [c.span for c in doc.configmaps if any(is_nginx_key(e.key) for e in c.entries)]
            got = bool(doc.workloads or doc.configmaps)
        else:
            doc = load_compose(display, text)
            result.services.extend(doc.services)
            relevant = [s.span for s in doc.services if _is_nginx(s.container)]
            got = bool(doc.services)
        for problem in doc.problems:
            # Broken YAML always counts; an odd value only where nginx runs (not in a Postgres StatefulSet).
            if problem.kind == "yaml" or _inside(problem.span, relevant):
                span = problem.span or Span(1, 1, 1, 1)
                findings.append(_invalid(loader, display, span, _problem_text(problem)))
        if got or doc.problems:
            result.sources[display] = sources.SourceFile(path, display, text)
            result.absolute[display] = path
    return result


def _problem_text(problem: ManifestProblem) -> str:
    if problem.kind == "yaml":
        return f"invalid YAML: {problem.message}; nginxlint cannot read this document past this point"
    return f"{problem.message}; nginxlint cannot use this value"


def _invalid(loader, display: str, span: Span, message: str) -> Finding:
    return loader.finding("K8S404", message, display, span)


def _inside(span, spans) -> bool:
    if span is None:
        return False
    return any(
        outer is not None and (outer[0], outer[1]) <= (span[0], span[1]) and (span[2], span[3]) <= (outer[2], outer[3])
        for outer in spans
    )


def _check_memory_settings(settings) -> None:
    """per-worker-memory and master-memory are Kubernetes quantities (the defaults are, without parsing)."""
    from dataclasses import fields

    defaults = {item.name: item.default for item in fields(settings)}
    for key, name in (("per-worker-memory", "per_worker_memory"), ("master-memory", "master_memory")):
        text = getattr(settings, name)
        if text == defaults[name]:
            continue
        from .quantity import parse_memory

        if parse_memory(text) is None:
            from ..settings import SettingsError

            raise SettingsError(f'"{key}" must be a memory quantity such as 50Mi, not "{text}"')


def _settings_facts(settings, loader) -> RuntimeFacts | None:
    from ..settings import SettingsError

    if not settings.runtime:
        return None
    from .from_settings import settings_runtime

    origin = loader.display(settings.source) if settings.source else "settings"
    facts, problems = settings_runtime(settings.runtime, path=origin)
    if problems:
        raise SettingsError("; ".join(f"{origin}: {problem.message}" for problem in problems))
    return facts


def _candidates(manifests: Manifests) -> list[RuntimeFacts]:
    from .model import RuntimeFacts

    result = []
    for workload in manifests.workloads:
        for container in workload.containers:
            result.append(RuntimeFacts.from_workload(workload, container))
    result.extend(manifests.services)
    return result


def _is_nginx(container: Container) -> bool:
    from .kubernetes import is_nginx_container

    return is_nginx_container(container)


def _abs(path: Path) -> Path:
    return Path(os.path.abspath(path))


# -- matching -----------------------------------------------------------------------------------------------

def _names(facts: RuntimeFacts) -> set[str]:
    names = {facts.name, facts.container.name}
    workload = facts.workload
    if workload is not None:
        names |= {
            workload.name,
            f"{workload.name}/{facts.container.name}",
            f"{workload.kind}/{workload.name}",
            f"{workload.kind}/{workload.name}/{facts.container.name}",
        }
    return names


def _named_bindings(settings, candidates: list[RuntimeFacts]) -> dict[Path, Binding]:
    from ..settings import SettingsError, did_you_mean

    result: dict[Path, Binding] = {}
    for name, config in (settings.containers or {}).items():
        matches = [facts for facts in candidates if name in _names(facts)]
        if not matches:
            known = sorted({facts.container.name for facts in candidates})
            hint = did_you_mean(name, known) or (f" (known: {', '.join(known)})" if known else " (no manifest was read)")
            raise SettingsError(f'containers: no container named "{name}" in the manifests{hint}')
        result[_abs(Path(config))] = Binding(matches[0], "containers-setting")
    return result


def _host_mount_binding(tree, candidates: list[RuntimeFacts], manifests: Manifests) -> Binding | None:
    """A Compose bind mount or config, or a hostPath, that puts this file (or its directory) in the container."""
    root = _abs(tree.root.path)
    best = None
    for facts in candidates:
        base = manifests.absolute.get(facts.path)
        if base is None:
            continue
        for mount in facts.container.mounts:
            if mount.kind not in ("bind", "config", "secret", "hostPath") or not mount.source:
                continue
            host = _abs(base.parent / os.path.expanduser(mount.source))
            if root == host or host in root.parents:
                relative = root.relative_to(host).as_posix() if root != host else ""
                target = posixpath.join(mount.path, relative) if relative else mount.path
                if best is None or len(host.parts) > best[0]:
                    best = (len(host.parts), facts, target)
    return Binding(best[1], "host-mount", container_path=best[2]) if best else None


def _path_map_binding(tree, candidates: list[RuntimeFacts], settings) -> Binding | None:
    """`path-map: {/etc/nginx/: deploy/nginx/}` puts the file at a container path; a container mounting it runs it."""
    root = _abs(tree.root.path)
    for prefix, local in settings.path_map or ():
        local = _abs(Path(local))
        if root != local and local not in root.parents:
            continue
        relative = root.relative_to(local).as_posix() if root != local else ""
        target = posixpath.join(prefix, relative) if relative else prefix.rstrip("/")
        for facts in candidates:
            for mount in facts.container.mounts:
                base = mount.path.rstrip("/")
                if target == base or target.startswith(base + "/"):
                    return Binding(facts, "path-map", container_path=target)
    return None


_SAME_CONTENT = 4


def _port_binding(tree, candidates: list[RuntimeFacts], bound: set[int]) -> Binding | None:
    """The only container declaring a port this config listens on (for images whose name says nothing)."""
    from ..checks.container import parse_listen

    ports = {listen.port for listen in map(parse_listen, tree.nodes("listen")) if listen is not None}
    ports.discard(None)
    if not ports:
        return None
    matches = [
        facts for facts in candidates
        if id(facts.container) not in bound and any(port.number in ports for port in facts.container.ports)
    ]
    return Binding(matches[0], "listen-port") if len(matches) == 1 else None


def _configmap_binding(tree, candidates: list[RuntimeFacts], manifests: Manifests) -> tuple | None:
    """(score, Binding) of the best ConfigMap mount for this config: same content 4, same directory and name 3,
    same name 2; a ConfigMap generated elsewhere matched by key 1 (2 in the same directory); +0.5 for nginx."""
    from .kubernetes import mounted_configmap_files

    root = tree.root
    text = root.text.strip()
    name = root.path.name
    parent = root.path.parent.name
    known = {configmap.name for configmap in manifests.configmaps}
    best = None
    for facts in candidates:
        workload = facts.workload
        if workload is None:
            continue
        nginx = _is_nginx(facts.container)
        bonus = 0.5 if nginx else 0
        for mounted in mounted_configmap_files(workload, facts.container, manifests.configmaps):
            if mounted.entry.text.strip() == text:
                score = _SAME_CONTENT
            elif not nginx or posixpath.basename(mounted.container_path) != name:
                continue
            elif posixpath.basename(posixpath.dirname(mounted.container_path)) == parent:
                score = 3
            else:
                score = 2
            if best is None or score + bonus > best[0]:
                best = (score + bonus, facts, mounted, mounted.container_path)
        for mount in facts.container.mounts:
            # A ConfigMap generated elsewhere (kustomize configMapGenerator): match by key.
            if not nginx or not mount.configmap or mount.configmap in known:
                continue
            keys = [key for key, _path in mount.items] + ([mount.sub_path] if mount.sub_path else [])
            if name in keys:
                target = mount.path if mount.sub_path else posixpath.join(mount.path, name)
                score = 2 if posixpath.basename(posixpath.dirname(target)) == parent else 1
                if best is None or score + bonus > best[0]:
                    best = (score + bonus, facts, None, target)
    if best is None:
        return None
    return best[0], Binding(best[1], "configmap", best[2], container_path=best[3])
