"""What a running container sees: its image's files with the volumes of a Compose service or Kubernetes
container mounted over them.

A mount replaces what the image has at its path: a bind mount of a repository directory or file shows that
repository content, a ConfigMap shows its keys (from a manifest, a kustomize `configMapGenerator` or a Helm
chart's `.Files.Get`), and anything whose content is not in the repository (a named volume, a PVC, a secret, an
emptyDir, a host path outside the repository, or inside it but not there yet) is unknown there: a declared mount
says something is at its path, out of view. Mounts are applied shallowest first, as
container runtimes do, so a deeper mount shows through a shallower one.

Compose and Kubernetes mounts come from the existing readers' models (nginxlint/container); only what those
readers leave out is read here: a Compose service's `build:`, kustomization.yaml and Helm chart templates.
"""
from __future__ import annotations

from fnmatch import fnmatchcase
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .base_images import BaseImage, apply_entrypoint_writes, base_filesystem, base_image
from .filesystem import Filesystem, Inline, Layer, Listing, Unknown, normalise
from .dockerfile_build import read_image
from .image import Image
from .start_writes import apply_init_script_writes

# Kubernetes volume kinds whose content nginxlint cannot see.
_OPAQUE_KINDS = {
    "secret": "a Secret", "persistentVolumeClaim": "a PersistentVolumeClaim", "emptyDir": "an emptyDir (written "
    "at run time)", "downwardAPI": "the downward API", "csi": "a CSI volume", "nfs": "an NFS volume",
    "image": "an image volume", "ephemeral": "an ephemeral volume",
}


@dataclass(frozen=True)
class BuildSpec:
    """A Compose service's `build:`: where its Dockerfile and context are."""

    context: Path
    dockerfile: Path
    args: dict[str, str] = field(default_factory=dict)
    target: str | None = None
    inline: str | None = None  # `dockerfile_inline:`

    def image(self) -> Image:
        return read_image(self.dockerfile, self.context, self.args, self.target, text=self.inline)


@dataclass(frozen=True)
class MountEntry:
    """One mount as the container sees it: `source` is a repository Path, an Inline or embedded text, or Unknown."""

    path: str
    source: Any
    mount: Any  # the nginxlint.container.model.Mount it comes from


class ContainerFiles:
    """The filesystem of one container: `where`, `listdir`, `glob` as on an Image, with mounts applied."""

    def __init__(self, fs: Filesystem, image: Image | None, base: BaseImage, mounts: list[MountEntry],
                 container=None) -> None:
        self.fs = fs
        self.image = image
        self.base = base
        self.mounts = mounts
        self.env, self.argv, self.stop_signal = _runtime(container, image, base)
        set_here = container.working_dir if container is not None else None
        self._working_dir = set_here.value if set_here is not None and isinstance(set_here.value, str) else None

    @property
    def lua_path(self) -> str | None:
        """LUA_PATH in the container's environment (the manifest's value, else the image's)."""
        return self.env.get("LUA_PATH")

    @property
    def lua_cpath(self) -> str | None:
        return self.env.get("LUA_CPATH")

    def where(self, image_path: str):
        return self.fs.where(image_path)

    def start_text(self, directory: str | None) -> str | None:
        """The shell text the container starts with: the `sh -c` text of its command, or the script it runs, a
        relative one found from `directory` (None: only an absolute script path is read)."""
        from .startup import script_path, shell_text

        argv = self.argv
        if argv and self.base.flavour == "nginx" and argv[:1] == ("/docker-entrypoint.sh",):
            argv = argv[1:]  # the official entrypoint runs its scripts, then execs the command where it started
        if not argv:
            return None
        text = shell_text(argv)
        if text is not None:
            return text
        script = script_path(argv)
        if script is None or (directory is None and not script.startswith("/")):
            return None
        found = self.where(posixpath.normpath(posixpath.join(directory or "/", script)))
        if not isinstance(found, Path) or not found.is_file():
            return None
        try:
            return found.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def start_directory(self) -> str | None:
        """The directory nginx starts in, which Lua's relative search paths (`./?.lua`) are relative to: the
        manifest's working directory, else the image's WORKDIR. None when it is not known: an image nginxlint cannot
        see into (its own WORKDIR), a start script it cannot read or one that changes directory first."""
        from .startup import read_script

        if self._working_dir is not None:
            directory = self._working_dir
        elif self.image is not None and (self.image.workdir != "/" or self.base.flavour != "other"
                                         or self.base.distribution):
            directory = self.image.workdir
        elif self.image is None and self.base.workdir is not None:
            directory = self.base.workdir
        else:
            return None
        if self.argv is None:
            return None
        text = self.start_text(directory)
        if text is not None:
            for command in read_script(text).commands:
                if command.starts_nginx():
                    break
                if command.program in ("cd", "pushd", "popd"):
                    return None
        return posixpath.normpath(directory) if directory.startswith("/") else None

    def unseen(self, image_path: str) -> bool:
        """The container runs an image nginxlint cannot see into (neither built from the repository nor an official
        nginx or OpenResty image): anything may be at this path."""
        return self.image is None and self.base.flavour == "other"

    def listdir(self, image_dir: str) -> Listing:
        return self.fs.listdir(image_dir)

    def glob(self, pattern: str) -> Listing:
        return self.fs.glob(pattern)

    @property
    def path_map(self) -> list[tuple[str, Path]]:
        """(container path, repository path) for the image's copies and the mounts, longest first."""
        found: dict[str, Path] = dict(self.image.path_map) if self.image else {}
        for entry in self.mounts:
            for path in list(found):
                if path == entry.path or path.startswith(entry.path.rstrip("/") + "/"):
                    del found[path]  # hidden by the mount
        for entry in self.mounts:
            if isinstance(entry.source, Path):
                found[entry.path] = entry.source
        return sorted(found.items(), key=lambda item: (-len(item[0]), item[0]))


def _runtime(container, image: Image | None, base: BaseImage):
    """(environment, argv, stop signal) of the running container: the manifest's values over the image's.

    Kubernetes `command` (Compose `entrypoint`) replaces the ENTRYPOINT and drops the image's CMD; `args` (Compose
    `command`) replaces the CMD. argv and the stop signal are None when they depend on an image not known here.
    """
    env = dict(image.env) if image is not None else dict(base.env)
    entrypoint = image.entrypoint if image is not None else base.entrypoint
    cmd = image.cmd if image is not None else base.cmd
    stop_signal = image.stop_signal if image is not None else base.stop_signal
    if container is None:
        argv = entrypoint + cmd if entrypoint is not None and cmd is not None else None
        return env, argv, stop_signal
    env.update({name: value.value for name, value in container.env_values.items() if isinstance(value.value, str)})
    if container.command:
        entrypoint, cmd = tuple(container.command), ()
    if container.args:
        cmd = tuple(container.args)
    argv = entrypoint + cmd if entrypoint is not None and cmd is not None else None
    if container.stop_signal is not None and isinstance(container.stop_signal.value, str):
        stop_signal = container.stop_signal.value
    return env, argv, stop_signal


def _start(image: Image | None, reference: str | None) -> tuple[Filesystem, BaseImage]:
    if image is not None and image.filesystem is not None:
        return image.filesystem.copy(), image.base
    base = base_image(reference)
    return base_filesystem(base), base


def _inside(path: Path, root: Path) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top + os.sep)


# -- Compose -------------------------------------------------------------------------------------------------

def compose_builds(compose_path: Path, text: str) -> dict[str, BuildSpec]:
    """Every service's `build:` (string: the context; mapping: context, dockerfile, args, target)."""
    # the manifest readers, only when a manifest is read
    from .compose import compose_services, interpolated, project_env
    from .detect import is_compose_path
    from .yamlpos import YMap, YScalar, YSeq, load_yaml, plain

    parsed = load_yaml(text)
    root = parsed.documents[0].root if parsed.documents else None
    services = compose_services(root, is_compose_path(str(compose_path)))
    builds: dict[str, BuildSpec] = {}
    if not isinstance(services, YMap):
        return builds
    directory = Path(compose_path).parent
    env = project_env(Path(compose_path))

    def text_of(node):  # `./${WEB_SERVER_TYPE}` as Compose reads it
        value = node.value if isinstance(node, YScalar) else None
        return interpolated(value, env) if isinstance(value, str) else value

    for name, _key, service in services.items():
        build = service.get("build") if isinstance(service, YMap) else None
        if isinstance(build, YScalar) and isinstance(build.value, str):
            context = Path(os.path.normpath(directory / text_of(build)))
            builds[name] = BuildSpec(context, context / "Dockerfile")
        elif isinstance(build, YMap):
            context_text = text_of(build.get("context")) if build.get("context") is not None else "."
            if not isinstance(context_text, str) or "://" in context_text:
                continue  # a Git URL context: not in the repository
            context = Path(os.path.normpath(directory / context_text))
            dockerfile_text = text_of(build.get("dockerfile"))
            dockerfile = context / (dockerfile_text if isinstance(dockerfile_text, str) else "Dockerfile")
            args: dict[str, str] = {}
            raw_args = plain(build.get("args"))
            if isinstance(raw_args, dict):
                args = {str(k): str(v) for k, v in raw_args.items() if v is not None}
            elif isinstance(build.get("args"), YSeq):
                for item in raw_args or ():
                    key, equals, value = str(item).partition("=")
                    if equals:
                        args[key] = value
            target = plain(build.get("target"))
            inline = plain(build.get("dockerfile_inline"))
            builds[name] = BuildSpec(context, dockerfile, args, target if isinstance(target, str) else None,
                                     inline if isinstance(inline, str) else None)
    return builds


def compose_files(service, compose_path: Path, repository: Path, image: Image | None = None,
                  loader=None) -> ContainerFiles:
    """A Compose service (nginxlint.container.model.RuntimeFacts) over its image (built, or from `image:`); the
    `loader` finds what the repository holds for a host path it lacks (mount_sources)."""
    container = service.container
    fs, base = _start(image, container.image)
    directory = Path(compose_path).parent
    entries: list[MountEntry] = []
    for mount in sorted(container.mounts, key=lambda m: normalise(m.path).count("/")):
        path = normalise(mount.path if mount.path.startswith("/") else posixpath.join(
            container.working_dir.value if container.working_dir else "/", mount.path))
        source = _compose_source(mount, directory, repository, loader)
        entries.append(MountEntry(path, source, mount))
        _mount_layer(fs, path, source, mount, compose_path)
    files = ContainerFiles(fs, image, base, entries, container)
    entrypoint = tuple(container.command) if container.command else (image.entrypoint if image else base.entrypoint)
    apply_entrypoint_writes(fs, base, files.env, entrypoint)
    workdir = container.working_dir.value if container.working_dir else image.workdir if image else base.workdir
    apply_init_script_writes(files, workdir if isinstance(workdir, str) else "/")
    return files


def _compose_source(mount, directory: Path, repository: Path, loader):
    kind = mount.kind
    if kind in ("bind", "config", "secret") and mount.source:
        text = mount.source
        if text.startswith(("~", "$")) or "${" in text:
            return Unknown(f"the host path {text}")
        host = Path(os.path.normpath(text if os.path.isabs(text) else directory / text))
        if loader is not None and not os.path.lexists(host):
            from .mount_sources import held_at  # the shell reader, only for a mount the repository lacks

            host = held_at(loader, host, directory) or host
        if not _inside(host, repository):
            return Unknown(f"the host path {text}, outside the repository")
        if not os.path.lexists(host):
            # a declared mount that the repository does not hold: made before the container starts (a setup script
            # copies template/ to config/, a certificate is issued, a Compose file kept elsewhere is moved beside it)
            return Unknown(f"the host path {text}, not in the repository")
        return host
    if kind == "tmpfs":
        return Unknown("a tmpfs (written at run time)")
    if kind == "volume":
        return Unknown(f"the volume {mount.source}" if mount.source else "an anonymous volume")
    return Unknown(f"a {kind} mount" if kind else "a mount")


def _mount_layer(fs: Filesystem, path: str, source, mount, origin) -> None:
    line = mount.span[0] if mount.span else None
    if isinstance(source, Path):
        kind = "tree" if source.is_dir() else "file"
        fs.add(Layer(path, kind, source, replaces=True, line=line, origin=Path(origin)))
    elif isinstance(source, Unknown):
        fs.add(Layer(path, "unknown", why=source.why, replaces=True, line=line, origin=Path(origin)))
    else:
        fs.add(Layer(path, "file", source, replaces=True, line=line, origin=Path(origin)))


# -- Kubernetes ----------------------------------------------------------------------------------------------

def kubernetes_files(workload, container, configmaps: Iterable = (), repository: Path | None = None,
                     image: Image | None = None,
                     generated: Mapping[str, Mapping[str, Any]] | None = None) -> ContainerFiles:
    """A Kubernetes container over its image. `configmaps`: ConfigMaps read from manifests;
    `generated`: ConfigMaps made by kustomize or Helm (name -> key -> repository Path or Inline)."""
    from .kubernetes import mounted_configmap_files  # the manifest readers, only when a manifest is read

    fs, base = _start(image, container.image)
    configmaps = list(configmaps)
    generated = generated or {}
    by_mount: dict[int, list] = {}
    for mounted in mounted_configmap_files(workload, container, configmaps):
        by_mount.setdefault(id(mounted.mount), []).append(mounted)
    known_names = {configmap.name for configmap in configmaps}
    entries: list[MountEntry] = []
    for mount in sorted(container.mounts, key=lambda m: normalise(m.path).count("/")):
        path = normalise(mount.path)
        line = mount.span[0] if mount.span else None
        origin = Path(container.path)
        if mount.kind in ("configMap", "projected") and mount.configmap:
            if mount.configmap in known_names:
                files = [(m.container_path, m.entry) for m in by_mount.get(id(mount), ())]
            elif mount.configmap in generated:
                files = _project(mount, generated[mount.configmap])
            else:
                files = None
            if files is None:
                source = Unknown(f"the ConfigMap {mount.configmap}, not found in the repository")
                entries.append(MountEntry(path, source, mount))
                fs.add(Layer(path, "unknown", why=source.why, replaces=True, line=line, origin=origin))
                continue
            if not mount.sub_path:  # the volume replaces the directory; projected ones may hold more
                if mount.kind == "projected":
                    fs.add(Layer(path, "unknown", why="other sources of a projected volume", replaces=True,
                                 line=line, origin=origin))
                else:
                    fs.add(Layer(path, "empty", replaces=True, line=line, origin=origin))
            elif not files:
                fs.add(Layer(path, "empty", replaces=True, line=line, origin=origin))
            for file_path, source in files:
                file_path = normalise(file_path)
                entries.append(MountEntry(file_path, source, mount))
                fs.add(Layer(file_path, "file", source, replaces=True, line=line, origin=origin))
            continue
        if mount.kind == "hostPath" and mount.source and repository is not None:
            host = Path(mount.source)
            source = host if os.path.isabs(mount.source) and _inside(host, repository) and os.path.lexists(host) \
                else Unknown(f"the node's path {mount.source}")
        else:
            what = _OPAQUE_KINDS.get(mount.kind or "", f"the volume {mount.volume}" if mount.volume else "a volume")
            source = Unknown(what)
        if isinstance(source, Path) and mount.sub_path:
            source = source / mount.sub_path if os.path.lexists(source / mount.sub_path) else \
                Unknown(f"the node's path {mount.source}/{mount.sub_path}, not in the repository")
        elif isinstance(source, Unknown) and mount.sub_path:
            source = Unknown(f"{source.why}, at {mount.sub_path}")
        entries.append(MountEntry(path, source, mount))
        _mount_layer(fs, path, source, mount, origin)
    files = ContainerFiles(fs, image, base, entries, container)
    entrypoint = tuple(container.command) if container.command else (image.entrypoint if image else base.entrypoint)
    apply_entrypoint_writes(fs, base, files.env, entrypoint)
    return files


def _project(mount, data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A generated ConfigMap's keys as files under the mount (items, subPath as Kubernetes applies them)."""
    pairs = list(mount.items) or [(key, key) for key in data]
    if mount.sub_path:
        return [(mount.path, data[key]) for key, relative in pairs if relative == mount.sub_path and key in data]
    return [(posixpath.join(mount.path, relative), data[key]) for key, relative in pairs if key in data]


# -- kustomize -----------------------------------------------------------------------------------------------

def kustomize_configmaps(kustomization: Path, text: str | None = None) -> dict[str, dict[str, Any]]:
    """`configMapGenerator` entries: name -> key -> repository Path (`files`) or Inline (`literals`)."""
    from .yamlpos import YMap, YScalar, YSeq, load_yaml  # the manifest readers, only when a manifest is read

    if text is None:
        try:
            text = kustomization.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return {}
    parsed = load_yaml(text)
    root = parsed.documents[0].root if parsed.documents else None
    generators = root.get("configMapGenerator") if isinstance(root, YMap) else None
    found: dict[str, dict[str, Any]] = {}
    directory = kustomization.parent
    for generator in generators.items if isinstance(generators, YSeq) else ():
        if not isinstance(generator, YMap):
            continue
        name_node = generator.get("name")
        if not isinstance(name_node, YScalar) or not isinstance(name_node.value, str):
            continue
        data = found.setdefault(name_node.value, {})
        files_node, literals_node = generator.get("files"), generator.get("literals")
        for item in files_node.items if isinstance(files_node, YSeq) else ():
            if not isinstance(item, YScalar) or not isinstance(item.value, str):
                continue
            key, equals, file = item.value.partition("=")
            file = file if equals else key
            key = key if equals else posixpath.basename(file)
            data[key] = directory / file
        for item in literals_node.items if isinstance(literals_node, YSeq) else ():
            if isinstance(item, YScalar) and isinstance(item.value, str) and "=" in item.value:
                key, _equals, value = item.value.partition("=")
                data[key] = Inline(value, kustomization, item.span[0])
    return found


# -- Helm ----------------------------------------------------------------------------------------------------

_FILES_GET = re.compile(r"""\.Files\.Get\s+(?:\(\s*)?"([^"]+)"|\.Files\.Get\s+(?:\(\s*)?`([^`]+)`""")
_FILES_GLOB = re.compile(r"""\(\s*\.Files\.Glob\s+"([^"]+)"\s*\)\.AsConfig""")
_KEY_LINE = re.compile(r"^\s{2,}([A-Za-z0-9_.\-]+|\"[^\"]+\"|'[^']+'):\s*(\|[-+]?\d*)?\s*(.*)$")
_CONFIGMAP_NAME = re.compile(r"^\s{2}name:\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class HelmConfigMap:
    name: str  # as written in the template, e.g. '{{ include "app.fullname" . }}-nginx'
    template: Path
    files: dict[str, Path]  # key -> chart file

    def matches(self, rendered: str) -> bool:
        """Whether a rendered name can be this template's (each `{{ ... }}` stands for some text)."""
        pieces = re.split(r"\{\{.*?\}\}", self.name)
        pattern = ".+".join(re.escape(piece) for piece in pieces)
        return re.fullmatch(pattern, rendered) is not None


def helm_configmaps(chart: Path) -> list[HelmConfigMap]:
    """ConfigMap templates of a chart whose data come from chart files (`.Files.Get`, `.Files.Glob ... AsConfig`)."""
    found: list[HelmConfigMap] = []
    templates = chart / "templates"
    try:
        names = sorted(os.listdir(templates))
    except OSError:
        return found
    for name in names:
        if not name.endswith((".yaml", ".yml", ".tpl")):
            continue
        try:
            text = (templates / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for document in re.split(r"^---\s*$", text, flags=re.MULTILINE):
            if not re.search(r"^kind:\s*ConfigMap\s*$", document, re.MULTILINE):
                continue
            name_match = _CONFIGMAP_NAME.search(document)
            files = _helm_files(chart, document)
            if name_match and files:
                found.append(HelmConfigMap(name_match.group(1).strip("'\""), templates / name, files))
    return found


def _helm_files(chart: Path, document: str) -> dict[str, Path]:
    """Keys of `data:` filled from chart files: `key: {{ .Files.Get "f" }}`, `key: |` then the Get on the next
    line, and every file of `(.Files.Glob "pattern").AsConfig`."""
    files: dict[str, Path] = {}
    in_data = False
    pending = None  # a `key: |` whose content is on the next line
    for line in document.split("\n"):
        if re.match(r"^(?:data|binaryData):\s*$", line):
            in_data = True
            continue
        if line[:1] not in ("", " ", "{"):
            in_data = False  # another top-level key
        if not in_data or not line.strip():
            continue
        get = _FILES_GET.search(line)
        key_match = _KEY_LINE.match(line)
        if key_match and not line.lstrip().startswith("{{"):
            key = key_match.group(1).strip("'\"")
            if get:
                files[key] = chart / (get.group(1) or get.group(2))
            pending = key if key_match.group(2) and not key_match.group(3) else None
            continue
        if get and pending:
            files[pending] = chart / (get.group(1) or get.group(2))
        pending = None
        glob = _FILES_GLOB.search(line)
        if glob:
            files.update(_chart_glob(chart, glob.group(1)))
    return files


def _chart_glob(chart: Path, pattern: str) -> dict[str, Path]:

    directory = posixpath.dirname(pattern)
    try:
        entries = sorted(os.listdir(chart / directory))
    except OSError:
        return {}
    return {entry: chart / directory / entry for entry in entries
            if fnmatchcase(posixpath.join(directory, entry) if directory else entry, pattern)}
