"""The files the container bound to a config tree sees: its image (built from the repository's Dockerfile when
Compose names one) with the manifest's volumes mounted over it. Built once per tree, on first use.

Rules that look for a file by its path in the container (a Lua module on the search path, a `*_by_lua_file`)
ask `where(path)`: a repository Path, an Unknown (an image layer, a volume or a download out of sight: say
nothing, `unseen(path)`), or ABSENT. A declared mount is something at its path (`something_there`), even when
nginxlint cannot read it. Includes that matched nothing in the repository are settled here once every tree is
bound (`settle_includes`).
"""
from __future__ import annotations

import os
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


# The sites the official nginx and OpenResty images' nginx.conf includes; that nginx.conf holds no server itself.
STOCK_SITES = "/etc/nginx/conf.d/*.conf"


def only_site_of_stock_config(tree) -> bool:
    """The fragment is the one site its container runs: the official image's nginx.conf is untouched, and the
    directory it includes sites from holds this file alone (the stock default.conf replaced, or the directory mounted
    over). Every server of the container is then in view."""
    files = container_files(tree) if tree.binding is not None and not tree.is_main else None
    # an official image is nginx's or OpenResty's, its conf_path known
    if files is None or not files.base.official or not files.fs.from_base(files.base.conf_path):
        return False
    sites = files.glob(STOCK_SITES)
    if not sites.complete or len(sites.names) != 1:
        return False
    (source,) = sites.names.values()
    mounted = tree.binding.mounted
    if mounted is not None:
        return source is mounted.entry
    return isinstance(source, Path) and tree.root.path is not None and \
        os.path.abspath(source) == os.path.abspath(tree.root.path)


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
        return compose_files(binding.facts, manifest, repository, image, loader)
    return kubernetes_files(binding.workload, binding.container, (), repository, image)


def _project_image(tree, reference: str | None):
    """The image a manifest names without building it: the project's own, when the reference is not an official
    image and the project holds exactly one Dockerfile (the image its CI pushes), or, among several, exactly one
    named for the image (`myorg/gateway:1.2` and `gateway/Dockerfile`, `Dockerfile.gateway`, `gateway.Dockerfile`)."""
    from .dockerfile_binding import dockerfiles_near
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


def settle_includes(tree, nginx_containers=()) -> None:
    """NGX002 where the container has the last word. An include that matched nothing in the repository is no
    finding where the container puts something at the path nginx opens: a repository file it copies or mounts
    there, or a mount whose content is out of view (a named volume, a ConfigMap not in the repository, a bind
    mount whose source a setup script makes). An absolute include beside the config in a directory the config's
    directory lacks (`out_of_view_includes`) is a finding only where an image nginxlint sees whole shows it
    missing; elsewhere a note says it was not read.

    A tree no container claims (several nginx services, none mounting it from a path the repository holds) is
    still run by one of them: a mount that one of them declares at exactly the path nginx opens is the strong fact
    that the file is provided there, wherever its source comes from (a Compose file kept in template/ and copied
    to the root by a setup script mounts ./config/x.conf, which exists only after the script ran)."""
    files = container_files(tree) if tree.binding is not None else None
    if tree.unresolved_includes:
        conf_dir = _conf_dir(tree, files)
        if files is not None:
            def provided(pattern: str) -> bool:
                path = _opened(pattern, conf_dir)
                return path is not None and (something_there(files, path) or _made_by_shipping_image(tree, path))
        else:
            def provided(pattern: str) -> bool:
                return any(_mounted_at(facts, pattern) for facts in nginx_containers) or \
                    pattern.startswith("/") and _made_by_shipping_image(tree, posixpath.normpath(pattern))
        held = {id(finding) for finding, pattern in tree.unresolved_includes
                if provided(pattern) or _packaged_file(pattern, files, conf_dir) or _documented_mount(tree, pattern)}
        if held:
            tree.findings = [f for f in tree.findings if id(f) not in held]
    if tree.out_of_view_includes:
        _settle_out_of_view(tree, files)


def _documented_mount(tree, pattern: str) -> bool:
    """The repository's README or scripts show the user mounting a file of their own at exactly the absolute path
    nginx opens (`- path/to/your/servers.conf:/etc/nginx/conf.d/servers.conf:ro`)."""
    if not posixpath.isabs(pattern):
        return False
    from .documented_mounts import documented_mounts

    path = posixpath.normpath(pattern)
    return any(target == path for _source, target in documented_mounts(tree))


def _packaged_file(pattern: str, files, conf_dir: str | None) -> bool:
    """A file Debian's nginx package installs (`snippets/fastcgi-php.conf`): there, unless the container's image is
    seen whole without it (the official nginx image)."""
    from ..nginx.directives import DISTRIBUTION_INCLUDE_FILES
    from .filesystem import ABSENT, Unknown

    if posixpath.normpath(pattern).removeprefix("/etc/nginx/") not in DISTRIBUTION_INCLUDE_FILES:
        return False
    path = _opened(pattern, conf_dir) if files is not None else None
    if path is None or files.unseen(path):
        return True
    found = files.where(path)
    official_alone = files.base.official and files.image is not None and not any(
        package.startswith("nginx") for _manager, package, _line in files.image.packages)
    return found is not ABSENT and not (official_alone and isinstance(found, Unknown) and found.named)


def _settle_out_of_view(tree, files) -> None:
    from .filesystem import ABSENT, Unknown  # the image model, only for an include beside the config out of view

    for node, guess in tree.out_of_view_includes:
        path = posixpath.normpath(node.args[0])
        found = files.where(path) if files is not None and not files.unseen(path) else None
        if guess is not None and (found is ABSENT or isinstance(found, Unknown) and found.named) \
                and not _documented_mount(tree, path):
            # an image seen whole lacks it, and no mount the README shows puts the user's own file there
            tree.missing_include(node, guess)
        elif not isinstance(found, Path):  # the image's copy is where nginx finds it; anything else is out of view
            tree.note_out_of_view(node)


def _made_by_shipping_image(tree, path: str) -> bool:
    """A Dockerfile of the repository that copies the config into its image writes `path` in a RUN (a download, a
    clone): whichever manifest runs that image later (one that pulls it ready-made, by name), the path is there."""
    from .dockerfile_binding import copied_to, nearby_dockerfiles, parsed_dockerfile  # only for a missing include
    from .dockerfile_build import image_of

    if tree.root.path is None:
        return False
    root = Path(os.path.abspath(tree.root.path))
    for _distance, dockerfile in nearby_dockerfiles(tree):
        build = parsed_dockerfile(tree.loader, dockerfile)
        if build is None or copied_to(root, dockerfile.parent, build) is None:
            continue
        filesystem = image_of(tree.loader, dockerfile).filesystem
        if filesystem is not None and filesystem.made_by_name(path):
            return True
    return False


def something_there(files, path: str) -> bool:
    """The container holds something at `path`: a repository file its image copies or a mount puts there, what
    a mount at or above it brings and nginxlint cannot read (a volume, a ConfigMap or host path out of view), what
    a RUN of its image writes there by name (a download, a clone, an archive unpacked) or an ADD of a URL
    fetches, or what a base image out of view may hold (a team's own `FROM ghcr.io/org/nginx`, whose files nothing
    in the repository names)."""
    from .filesystem import Unknown  # the image model, only for a path the repository lacks

    found = files.where(path)
    if isinstance(found, Path) or files.fs.made_by_name(path) \
            or isinstance(found, Unknown) and not found.named and files.fs.from_base(path):
        return True
    mount = mount_over(files.mounts, path)
    return mount is not None and not isinstance(mount.source, Path)


def mount_over(mounts, path: str):
    """The deepest mount at `path` or above it: what the container shows there."""
    found = None
    for entry in mounts:  # shallowest first, as they are applied
        top = entry.path.rstrip("/") or "/"
        if path == top or path.startswith(top.rstrip("/") + "/"):
            found = entry
    return found


def left_out_by_container(tree, node) -> bool:
    """The node's file, included by a pattern of the tree (`include /etc/nginx/conf.d/*.conf;`), is not what the
    container is shown to hold where the pattern reads it: it mounts another file there (one per environment,
    `./conf.d/prod.conf:/etc/nginx/conf.d/default.conf`), nothing, or what its image holds out of view. False for a
    tree no container runs, or a file included by its own name."""
    include = node.via[-1] if node.via else None
    files = container_files(tree) if include is not None and include.args else None
    if files is None or node.d is None or node.d.file.path is None:
        return False
    pattern = _opened(include.args[0], _conf_dir(tree, files))
    if pattern is None or not any(char in pattern for char in "*?["):
        return False
    path = posixpath.join(posixpath.dirname(pattern), node.d.file.path.name)
    found = files.where(path)
    return not (isinstance(found, Path) and os.path.realpath(found) == os.path.realpath(node.d.file.path))


def _conf_dir(tree, files) -> str | None:
    """The container directory nginx resolves relative includes against: the main config's own (where the
    container puts it), or for a fragment the image's conf directory, the main config it runs by default."""
    binding = tree.binding
    if files is None or binding is None:
        return None
    main_config = binding.container_path if tree.is_main else files.base.conf_path
    return posixpath.dirname(main_config) if main_config else None


def _opened(pattern: str, conf_dir: str | None) -> str | None:
    """The container path nginx opens for an include's pattern."""
    if posixpath.isabs(pattern):
        return posixpath.normpath(pattern)
    return posixpath.normpath(posixpath.join(conf_dir, pattern)) if conf_dir else None


def _mounted_at(facts, pattern: str) -> bool:
    """A container that declares a mount at exactly the path nginx opens for the pattern (a relative one against its
    image's conf directory, known for the official images)."""
    from .base_images import base_image  # image facts, only for an include that matched nothing

    container = facts.container
    conf_path = base_image(container.image).conf_path
    path = _opened(pattern, posixpath.dirname(conf_path) if conf_path else None)
    return path is not None and any(posixpath.normpath(mount.path) == path for mount in container.mounts)
