"""Configs that nothing of their repository deploys.

A repository whose images or Compose services run nginx says where its nginx configs go: a Dockerfile copies them,
a Compose file or manifest mounts them (binding), a script copies them, a README tells the reader to. A config that
no container is bound to, that no Dockerfile copies, and whose name (or directory, as a whole path) no other file of
the repository mentions (a test suite's files do not count: a test that names a config does not deploy it), is
a file left behind: an old site kept beside the one the image takes from its package, a copy of a removed service.
Its advice for a deployed server is not reported, as for a site sites-enabled/ does not enable; what would stop nginx
still is. Where no image or Compose service of the repository runs nginx, the repository says nothing of how its
nginx is deployed (a host's, beside an application's image), and its configs are taken as deployed.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from .container.detect import is_compose_path, is_nginx_container
from .container.dockerfile import is_dockerfile_name, repository_dockerfiles
from .container.dockerfile_binding import (
    dockerfile_context, dockerfile_facts, local_sources, parsed_dockerfile, placing_copy,
)
from .repository import in_test_suite

_MAX_TEXT = 1 << 20  # a file larger than this is data, not a script or a document that names configs
_BINARY_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".ico", ".svg", ".woff", ".woff2", ".ttf", ".eot", ".gz",
                    ".zip", ".tar", ".tgz", ".jar", ".pdf", ".so", ".a", ".o", ".pyc", ".mp4", ".webp")
# Where a path named as a whole ends: `COPY nginx/ /etc/nginx/`, `-v ./conf:/etc/nginx/conf.d`, not the start of a
# longer path (`COPY conf/supervisor/nginx.conf`).
_PATH_END = r"(?=[\s\"'`:;,)\]]|$)"


def unreferenced_configs(workspace) -> list[str]:
    """The display paths of the root files of config trees nothing of their repository deploys."""
    loader = workspace.loader
    by_top: dict[Path, list] = {}
    for tree in workspace.trees:
        path = tree.root.path
        if tree.binding is None and path is not None:
            by_top.setdefault(loader.repository_top(Path(os.path.abspath(path)).parent), []).append(tree)
    found = []
    for top, trees in by_top.items():
        files = loader.files_under(top)
        roots = {Path(os.path.abspath(tree.root.path)): tree for tree in trees}
        roots = {path: tree for path, tree in roots.items() if _runs_nginx_in_a_container(loader, top, path, files)
                 and not _copied_into_an_image(loader, top, path)}
        mentioned = _mentioned([file for file in files if not in_test_suite(file.relative_to(top).parent.parts)],
                               {path: _terms(path, top) for path in roots})
        found.extend(tree.root.display for path, tree in roots.items() if path not in mentioned)
    return sorted(found)


def _runs_nginx_in_a_container(loader, top: Path, config: Path, files) -> bool:
    """An image or Compose service runs nginx where the config's nginx would be: one of the Dockerfiles and Compose
    files in the nearest directory above the config that holds some, or else an image that copies other files of
    the config's directory. Their configs are what those containers take, and one they do not take is left behind.
    A config beside images that run no nginx (an application's, next to the config of the host's nginx), or in a
    directory no image draws from, is taken as deployed."""
    by_directory: dict[Path, list[Path]] = loader.once("container-files", top, lambda: _container_files(files))
    for directory in (config.parent, *config.parent.parents):
        if directory in by_directory:
            return any(_runs_nginx(loader, file) for file in by_directory[directory])
        if directory == top:
            break
    return any(_runs_nginx(loader, file) and _copies_from(loader, file, config.parent)
               for near in by_directory.values() for file in near if not is_compose_path(file.name))


def _copies_from(loader, dockerfile: Path, directory: Path) -> bool:
    """The Dockerfile copies other files of the directory into its image (passbolt's `COPY conf/supervisor/…` beside
    the `conf/passbolt.conf` it leaves out)."""
    build = parsed_dockerfile(loader, dockerfile)
    if build is None:
        return False
    directory = Path(os.path.realpath(directory))
    copied = (Path(os.path.realpath(local)) for _copy, local, _wildcard in
              local_sources(build, dockerfile_context(loader, dockerfile), False))  # through a context's links
    return any(local == directory or directory in local.parents for local in copied)


def _container_files(files) -> dict[Path, list[Path]]:
    """The repository's Dockerfiles and Compose files, by directory."""
    found: dict[Path, list[Path]] = {}
    for file in files:
        if is_dockerfile_name(file.name) or is_compose_path(file.name):
            found.setdefault(file.parent, []).append(file)
    return found


def _runs_nginx(loader, file: Path) -> bool:
    """A service of the Compose file runs nginx or OpenResty, or the Dockerfile's image starts from theirs, runs
    one, or installs its package."""
    if is_compose_path(file.name):
        from .container.compose import load_compose  # the Compose reader, only for a repository that has one

        doc = load_compose(loader.display(file), _text(file) or "")
        return any(is_nginx_container(facts.container) for facts in doc.services)
    build = parsed_dockerfile(loader, file)
    if build is None:
        return False
    if is_nginx_container(dockerfile_facts(build).container):
        return True
    from .container.dockerfile_build import image_of  # the image model, only for an image not nginx's by its name
    from .container.nginx_build import nginx_package

    return nginx_package(image_of(loader, file)) is not None


def _copied_into_an_image(loader, top: Path, config: Path) -> bool:
    """A Dockerfile of the repository copies the config into its image, by name or with its directory (`COPY
    ./config/. /`, where a start script links it into place); a copy of the whole build context is an
    application's sources, and does not count."""
    for dockerfile in repository_dockerfiles(loader, top):
        build = parsed_dockerfile(loader, dockerfile)
        if build is not None and placing_copy(config, dockerfile_context(loader, dockerfile), build, False):
            return True
    return False


def _terms(path: Path, top: Path) -> re.Pattern:
    """What names the config: its file name, or its directory below the repository's top as a whole path."""
    names = [re.escape(path.name)]
    directory = path.parent.relative_to(top).as_posix() if path.parent != top and top in path.parents else None
    if directory:
        # `conf/`, `conf/*`, `conf/*.conf`, `conf:` (a mount's source); a one-word directory alone (`conf`) is a word
        whole = r"/(?:\*(?:" + re.escape(path.suffix) + r")?)?" + ("" if "/" in directory else r"|(?=:)")
        names.append(re.escape(directory) + f"(?:{whole})" + ("?" if "/" in directory else "") + _PATH_END)
    return re.compile(r"(?<![\w.-])(?:" + "|".join(names) + r")(?![\w-])")


def _mentioned(files, terms: dict[Path, re.Pattern]) -> set[Path]:
    """The configs some other file of the repository names."""
    mentioned: set[Path] = set()
    for file in files:
        if len(mentioned) == len(terms):
            break
        if file.name.lower().endswith(_BINARY_SUFFIXES) or file.name.endswith("ignore"):
            continue  # data, or what git and docker leave out (`.gitignore`, `.dockerignore`)
        text = _text(file)
        if text is None:
            continue
        for config, pattern in terms.items():
            if config not in mentioned and config != file and pattern.search(text):
                mentioned.add(config)
    return mentioned


def _text(file: Path) -> str | None:
    try:
        if file.stat().st_size > _MAX_TEXT:
            return None
        data = file.read_bytes()
    except OSError:
        return None
    return None if b"\0" in data else data.decode("utf-8", "replace")
