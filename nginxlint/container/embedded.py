"""nginx configs embedded in ConfigMaps (`data: {nginx.conf: |…}`), linted where they are written.

Each embedded file is parsed from a copy of the YAML text in which everything but the file's own content is
blanked out, so every directive keeps its true line and column in the YAML file: no span needs mapping
afterwards. (A folded or escaped scalar has no such layout: its directives are all placed at the key.)

Includes are resolved in the container's view: the ConfigMap entries a container mounts are placed, in memory
only, at their mount paths under a virtual root while the deployment is built, so `include vhosts/*.conf;` finds
the other entries of the ConfigMap, as it does in the pod. Nothing is written to disk. An include of a file that only the image holds cannot be
followed: the deployment is then marked incomplete (rules that report an absence stay quiet) and no NGX002 is
reported for it.
"""

from __future__ import annotations

import collections
import fnmatch
import functools
import itertools
import os
import re
from pathlib import Path, PurePosixPath

from ..checks import load
from ..config_tree import ConfigTree
from ..findings import Finding, Notification
from ..nginx import templates
from ..nginx.parser import parse
from ..sources import SourceFile, Unreadable
from ..workspace import infer_context, looks_main
from .detect import chart_directory, is_chart_template, is_nginx_container, looks_nginx_entry, may_be_nginx_entry, \
    names_nginx
from .model import Binding

# Where a container's mounted entries are placed for include resolution; never created on disk.
_VIEW_ROOT = Path("/.nginxlint-configmap-view")
_views = itertools.count()


def _chart_partly_unread(configmap, manifests, loader) -> bool:
    """The ConfigMap is one of a Helm chart's templates, and some template of that chart went unread (a Deployment
    whose `{{ … }}` only `helm template` fills): the workload that mounts it, and its image, may be there."""
    path = Path(os.path.abspath(loader.base_dir)) / configmap.path
    if not manifests.unread or not is_chart_template(path):
        return False
    chart = chart_directory(path)
    return any(chart in Path(unread).parents for unread, _display, _text in manifests.unread)


_WORKLOAD_KIND = re.compile(r"^kind:[ \t]*(?:Deployment|StatefulSet|DaemonSet|ReplicaSet|Pod|Job|CronJob)\b",
                            re.MULTILINE)


def _why_unmounted(configmap, loader) -> str | None:
    """Why no pod of the ConfigMap's Helm chart mounts it, or None."""
    path = Path(os.path.abspath(loader.base_dir)) / configmap.path
    if chart_directory(path) is not None and not is_chart_template(path):
        return "a file of its Helm chart outside templates/, which Helm does not render"
    if _named_by_no_other_file(configmap, loader):
        return "a ConfigMap that no other file of its Helm chart names, so no pod mounts it"
    return None


# A pod annotation that hashes a template to restart the pods when it changes (`checksum/nginx: {{ include (print
# $.Template.BasePath "/configmap-nginx.yaml") . | sha256sum }}`): it names the file, and mounts nothing.
_CHECKSUM_LINE = re.compile(r"^.*\|\s*sha256sum\b.*$", re.MULTILINE)


def _named_by_no_other_file(configmap, loader) -> bool:
    """The ConfigMap is a Helm chart's, and no other template or values file of the chart holds the literal part of
    its name (`-nginx-config` of `{{ include "app.fullname" . }}-nginx-config`) but in a checksum annotation, while
    the chart has workloads: none of them mounts it."""
    path = Path(os.path.abspath(loader.base_dir)) / configmap.path
    chart = chart_directory(path)
    if chart is None or configmap.name_span is None:
        return False
    try:
        line = loader.text(path).split("\n")[configmap.name_span.line - 1]
    except (Unreadable, IndexError):
        return False
    raw = line.split(":", 1)[1].strip().strip("'\"") if ":" in line else ""
    literal = max(_outside_tags(raw), key=len).strip()
    if len(literal) < 4:
        return False  # `{{ .Values.configMapName }}`: any file may name it
    others = [*(directory / name for directory, name in loader.files_below(chart / "templates")),
              *(chart / name for name in loader.listing(chart)[1] if fnmatch.fnmatch(name, "values*.y*ml"))]
    workloads = False
    for other in others:
        if other == path:
            continue
        try:
            text = loader.text(other)
        except Unreadable:
            return False
        if literal in _CHECKSUM_LINE.sub("", text):
            return False
        workloads = workloads or bool(_WORKLOAD_KIND.search(text))
    return workloads  # a chart of no workload holds the ConfigMap for one out of view (another chart, an operator)


def _outside_tags(text: str) -> list[str]:
    """The parts of a line outside its `{{ … }}` tags (an unclosed tag runs to the end)."""
    parts = []
    while True:
        start = text.find("{{")
        if start < 0:
            return [*parts, text]
        parts.append(text[:start])
        end = text.find("}}", start + 2)
        if end < 0:
            return parts
        text = text[end + 2:]


def _another_programs(entry) -> bool:
    """An entry named like a config that holds another program's (a Fluent Bit `parsers.conf` of `[PARSER]`
    sections beside the nginx config it reads the logs of), as the sniffer tells a file on disk. An entry with
    template tags is left to the parse: the sniffer does not mask them."""
    return "{{" not in entry.text and _sniffed_elsewhere(entry.text, entry.key)


@functools.lru_cache(maxsize=256)  # asked for each container that mounts the entry
def _sniffed_elsewhere(text: str, key: str) -> bool:
    from ..nginx.sniff import NOT_NGINX, classify  # the sniffer, only for an entry that may be nginx's

    return classify(text, key).kind == NOT_NGINX


def masked_text(entry) -> str:
    """The YAML file with only this entry's content left, each character at its YAML line and column."""
    lines = entry.text.split("\n")
    pad = " " * entry.column_offset
    return "\n" * entry.line_offset + "\n".join(pad + line if line else line for line in lines)


def build_embedded(workspace, manifests, candidates, findings: list[Finding]) -> list:
    """Deployments for the nginx files held in ConfigMaps, bound to the container that mounts them."""
    if not manifests.configmaps:
        return []
    on_disk = set()
    for tree in workspace.trees:
        for source in tree.files.values():
            on_disk.add(source.text.strip())
    done: set[tuple] = set()
    result = []

    def wanted(configmap, entry, container_path: str | None = None) -> bool:
        """An nginx config by its key, or by the name a mount gives it (`items: [{key: nginx-config, path:
        nginx.conf}]`), not on disk already."""
        named = entry.key if container_path is None else PurePosixPath(container_path).name
        return (_entry_key(configmap, entry) not in done and entry.text.strip() not in on_disk
                and (may_be_nginx_entry(entry.key, entry.text) or may_be_nginx_entry(named, entry.text))
                and not _another_programs(entry))

    def build_bound(facts, view) -> None:
        done.update(_entry_key(configmap, entry) for _path, configmap, entry, _mounted in view)
        for tree, mounted in _build_view(workspace, manifests, view, findings):
            tree.binding = Binding(facts, "embedded", mounted, container_path=mounted.container_path)
            result.append(tree)

    views = {id(facts): _mounted_view(facts, manifests, wanted) for facts in candidates if facts.workload is not None}
    for facts in candidates:
        if is_nginx_container(facts.container):
            view = [item for item in views.get(id(facts), ()) if wanted(item[1], item[2], item[0])]
            if view:
                build_bound(facts, view)
    # A custom image (`frontend:2.3`) runs the nginx files it mounts where only nginx reads them; when another such
    # container mounts one of them too, which one runs it is unknown.
    others = {id(facts): _nginx_part(views.get(id(facts), ())) for facts in candidates
              if not is_nginx_container(facts.container)}
    mounts = collections.Counter(_entry_key(*item[1:3]) for view in others.values() for item in view)
    for facts in candidates:
        view = [item for item in others.get(id(facts), ()) if wanted(item[1], item[2], item[0])]
        if view and all(mounts[_entry_key(*item[1:3])] == 1 for item in view):
            build_bound(facts, view)

    for configmap in manifests.configmaps:
        view = [
            (f"/configmaps/{configmap.name}/{entry.key}", configmap, entry, None)
            for entry in configmap.entries
            if wanted(configmap, entry) and looks_nginx_entry(configmap.name, entry.key, entry.text)
        ]
        done.update(_entry_key(configmap, entry) for _path, _configmap, entry, _mounted in view)
        unknown = configmap.unrendered or _chart_partly_unread(configmap, manifests, workspace.loader)
        unmounted = _why_unmounted(configmap, workspace.loader) if view else None
        for tree, _mounted in _build_view(workspace, manifests, view, findings) if view else ():
            tree.container_unknown = unknown
            tree.unmounted = unmounted
            result.append(tree)
    namespaces = frozenset(item.namespace for item in [*manifests.workloads, *manifests.configmaps] if item.namespace)
    for tree in result:
        tree.pod_namespaces = namespaces
    return result


def _mounted_view(facts, manifests, wanted) -> list[tuple]:
    """(container path, ConfigMap, entry, mount) of the nginx files the container mounts from ConfigMaps."""
    from .kubernetes import mounted_configmap_files

    return [
        (mounted.container_path, mounted.configmap, mounted.entry, mounted)
        for mounted in mounted_configmap_files(facts.workload, facts.container, manifests.configmaps)
        if wanted(mounted.configmap, mounted.entry, mounted.container_path)
    ]


def _entry_key(configmap, entry) -> tuple:
    return (configmap.path, configmap.document_index, configmap.name, entry.key)


def _nginx_part(view: list[tuple]) -> list[tuple]:
    """The entries of a view whose ConfigMap says it is nginx's: by its name, by a key `nginx.conf`, or by an entry
    mounted where only nginx reads it (`/etc/nginx/conf.d/`)."""
    nginx = set()
    for container_path, configmap, entry, _mounted in view:
        directories = PurePosixPath(container_path).parts[:-1]
        if names_nginx(configmap.name) or entry.key == "nginx.conf" or {"nginx", "openresty"} & set(directories):
            nginx.add(id(configmap))
    return [item for item in view if id(item[1]) in nginx]


class _ViewLoader:
    """The workspace loader, except for the embedded files, which exist only in memory under `root`."""

    def __init__(self, loader, root: Path, files: dict[Path, object], exact: dict[Path, object]):
        self._loader = loader
        self._root = root
        self._files = files
        self._dirs = {parent for path in files for parent in path.parents}
        self._exact = exact  # path -> EmbeddedFile whose positions all go to its key
        self._parsed: dict[Path, object] = {}
        self.reached: set[Path] = set()
        self.problems: list[Finding] = []

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def _inside(self, path) -> bool:
        return Path(path) == self._root or self._root in Path(path).parents

    def exists(self, path) -> bool:
        path = Path(os.path.abspath(path))
        return path in self._files or path in self._dirs if self._inside(path) else self._loader.exists(path)

    def is_dir(self, path) -> bool:
        path = Path(os.path.abspath(path))
        return path in self._dirs if self._inside(path) else self._loader.is_dir(path)

    def glob(self, pattern: str) -> list[str]:
        if not self._inside(pattern.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0] or "/"):
            return self._loader.glob(pattern)
        parts = Path(os.path.abspath(pattern)).parts
        return sorted(
            str(path)
            for path in [*self._files, *self._dirs]
            if len(path.parts) == len(parts) and all(map(fnmatch.fnmatchcase, path.parts, parts))
        )

    def source(self, path: Path):
        path = Path(os.path.abspath(path))
        if path in self._files:
            self.reached.add(path)
            return self._files[path]
        return self._loader.source(path)

    def parse(self, source):
        if source is None:
            return None
        if source.path not in self._files:
            return self._loader.parse(source)
        self.reached.add(source.path)
        if source.path in self._parsed:
            return self._parsed[source.path]

        entry = self._exact.get(source.path)
        # the YAML's indentation and lines around the entry are not bytes nginx reads: no buffer limits here
        parsed = parse(self._untemplated(source, entry is None), source, self._loader.lua_blocks, exact=False)
        if entry is not None:  # a scalar whose text does not sit verbatim in the YAML: everything at the key
            parsed.pin(entry.key_span)
        if parsed.problem:
            self.problems.append(load.syntax_error(source.display, parsed.problem))
        self._parsed[source.path] = parsed
        return parsed

    def _untemplated(self, source, in_place: bool) -> str:
        """The entry's text with its envsubst tags masked, as a config file's are: an entry the container renders
        before nginx starts (`default.conf.template` for the nginx image's envsubst step). The masking is kept for
        the YAML file when the entry sits there in place and no other masking of the file is."""
        language = templates.detect(source.text, source.path.name)
        if language != "envsubst":  # outside a chart, `{{ }}` in a string may be the rendered output's own text
            return source.text
        masked = templates.mask(source.text, language)
        if in_place and source.display not in self._loader.masked:
            self._loader.masked[source.display] = masked
            self._loader.notifications.append(Notification("note", masked.note, source.display))
        return masked.text

    def map_path(self, absolute: str, conf_dir: Path):
        inside = self._root / absolute.lstrip("/")
        if self.exists(inside) or self.is_dir(inside.parent):
            return inside
        return self._loader.map_path(absolute, conf_dir)


def _build_view(workspace, manifests, view, findings: list[Finding]) -> list[tuple]:
    """Deployments for the files one container sees: main configs first, then files no main config includes."""

    loader = workspace.loader
    settings = loader.settings
    root = _VIEW_ROOT / str(next(_views))
    built = []
    files: dict[Path, SourceFile] = {}
    moved: dict[Path, object] = {}
    order = []
    for container_path, configmap, entry, mounted in view:
        target = Path(os.path.abspath(root / container_path.lstrip("/")))
        if target in files:
            continue
        yaml_source = manifests.sources.get(configmap.path)
        lines = yaml_source.text.split("\n") if yaml_source is not None else None
        text = masked_text(entry) if entry.exact_positions else entry.text
        files[target] = SourceFile(target, configmap.path, text, _lines=lines)
        if not entry.exact_positions:
            moved[target] = entry
        order.append((target, container_path, configmap, mounted))
    view_loader = _ViewLoader(loader, root, files, moved)
    parsed = {target: view_loader.parse(files[target]) for target, *_ in order}
    reached: set[Path] = set()
    mains = [item for item in order
             if parsed[item[0]] is not None and looks_main(parsed[item[0]], PurePosixPath(item[1]))]
    rest = [item for item in order if item not in mains]
    for target, container_path, configmap, mounted in mains + rest:
        if target in reached:
            continue
        parsed_file = parsed[target]
        is_main = (target, container_path, configmap, mounted) in mains
        ctx = () if is_main else (settings.context if settings.context is not None else infer_context(parsed_file))
        view_loader.reached = set()
        yaml_dir = (manifests.absolute.get(configmap.path) or Path(configmap.path)).parent
        prefix = Path(settings.prefix) if settings.prefix else yaml_dir
        tree = ConfigTree(files[target], ctx, prefix, view_loader, settings, is_main)
        reached |= view_loader.reached
        _finish(tree, manifests, configmap, yaml_dir)
        built.append((tree, mounted))
    findings.extend(view_loader.problems)
    return built


def _finish(tree, manifests, configmap, yaml_dir: Path) -> None:
    """Point the deployment at the real YAML file once the view has served its includes."""
    kept = []
    for finding in tree.findings:
        if finding.code == "NGX002" and "matches no file" in finding.message:
            tree.complete = False  # the file is in the image, not in the manifests
            continue
        kept.append(finding)
    tree.findings = kept
    # beside the config, in the image too, which no ConfigMap shows whole; outside nginx's conf directory, the
    # container's mounts may still put a file there
    tree.out_of_view_includes = [(node, guess) for node, guess in tree.out_of_view_includes if guess is None]
    tree.conf_dir = yaml_dir
    source = manifests.sources.get(configmap.path)
    tree.embedded_files = tree.files
    tree.files = {configmap.path: source} if source is not None else dict(tree.files)
