"""The files the container bound to a config tree sees: its image (built from the repository's Dockerfile when
Compose names one) with the manifest's volumes mounted over it. Built once per tree, on first use.

Rules that look for a file by its path in the container (a Lua module on the search path, a `*_by_lua_file`)
ask `where(path)`: a repository Path, an Unknown (an image layer, a volume or a download out of sight: say
nothing, `unseen(path)`), or ABSENT.
"""
from __future__ import annotations

import posixpath
from pathlib import Path


class ContainerView:
    """The container's files for one tree, read on first use (a config with no Lua never reads its image)."""

    def __init__(self, tree):
        self._tree = tree
        self._files = None
        self._built = False

    @property
    def files(self):
        if not self._built:
            self._files, self._built = _build(self._tree), True
        return self._files

    def where(self, path: str):
        """A repository Path, Unknown, ABSENT; None when nothing is known of the container."""
        return self.files.where(path) if self.files is not None else None

    def unseen(self, path: str) -> bool:
        return self.files is not None and self.files.unseen(path)


def container_files(tree):
    """The container's files (image and mounts) for a tree bound to a manifest or a Dockerfile, or None."""
    binding = tree.binding
    if binding is None:
        return None
    view = tree.container_view
    if view is not None:
        return view.files
    if binding.source != "dockerfile":
        return None
    if "container-files" not in tree.memo:  # a Dockerfile alone: its image, read once for the rules that ask
        from .dockerfile_build import image_of  # the image model, only for a rule that asks
        from .files import ContainerFiles

        image = image_of(tree.loader, Path(tree.loader.base_dir) / binding.path)
        tree.memo["container-files"] = None if image.filesystem is None else \
            ContainerFiles(image.filesystem, image, image.base, [], None)
    return tree.memo["container-files"]


def _build(tree):
    binding = tree.binding
    if binding is None or not binding.from_manifest:
        return None
    from .files import compose_builds, compose_files, kubernetes_files  # only for a config that runs Lua

    loader = tree.loader
    repository = Path(loader.base_dir)
    manifest = repository / binding.path
    image = None
    if binding.source == "compose":
        source = loader.read(manifest)
        builds = {} if isinstance(source, str) else compose_builds(manifest, source.text)
        build = builds.get(binding.facts.name)
        image = build.image() if build is not None else None
    if image is None:
        image = _project_image(tree, binding.container.image)
    if binding.source == "compose":
        return compose_files(binding.facts, manifest, repository, image)
    return kubernetes_files(binding.workload, binding.container, (), repository, image)


def _project_image(tree, reference: str | None):
    """The image a manifest names without building it: the project's own, when the reference is not an official
    image and the project holds exactly one Dockerfile (the image its CI pushes), or, among several, exactly one
    named for the image (`myorg/gateway:1.2` and `gateway/Dockerfile`, `Dockerfile.gateway`, `gateway.Dockerfile`)."""
    from ..openresty.project import dockerfiles_near
    from .base_images import base_image, split_reference
    from .dockerfile_build import image_of

    if base_image(reference).flavour != "other":
        return None
    found = dockerfiles_near(tree)
    if len(found) > 1:
        name = split_reference(reference)[0].rsplit("/", 1)[-1].lower() if reference else None
        found = [path for path in found if name in _names_of(path)]
    return image_of(tree.loader, found[0]) if len(found) == 1 else None


def _names_of(dockerfile: Path) -> set[str]:
    """The image names a Dockerfile's path gives: its directory's, and the suffix or prefix of its file name."""
    file = dockerfile.name.lower()
    names = {dockerfile.parent.name.lower()}
    for mark in ("dockerfile.", "containerfile."):
        if file.startswith(mark):
            names.add(file[len(mark):])
    for mark in (".dockerfile", ".containerfile"):
        if file.endswith(mark):
            names.add(file[:-len(mark)])
    return names


def drop_includes_the_container_holds(tree) -> None:
    """NGX002 said an include matched nothing in the repository where nginx looks; where the container puts a
    repository file at that path (a COPY of a directory's contents into nginx's conf directory, a COPY or a mount
    of a file at the absolute path the include names), nginx finds it."""
    binding = tree.binding
    if not tree.unresolved_includes or binding is None or not binding.container_path:
        return
    files = container_files(tree)
    if files is None:
        return
    # nginx resolves a relative include against its main config's directory: the root's own, or the base image's
    main_config = binding.container_path if tree.is_main else files.base.conf_path
    conf_dir = posixpath.dirname(main_config) if main_config else None

    def looked_at(pattern: str) -> str | None:
        if posixpath.isabs(pattern):
            return posixpath.normpath(pattern)
        return posixpath.normpath(posixpath.join(conf_dir, pattern)) if conf_dir else None

    held = {id(finding) for finding, pattern in tree.unresolved_includes
            if (path := looked_at(pattern)) is not None and isinstance(files.where(path), Path)}
    if held:
        tree.findings = [f for f in tree.findings if id(f) not in held]
