"""Repository files that a Compose bind mount or a Dockerfile COPY puts where nginx reads its configuration
(`./nginx-conf.d:/etc/nginx/conf.d/default.conf`), whatever their own name, and samples a start script or a RUN
copies to the config name they stand for: nginx reads them, so they are configs. A file no config includes in the
repository takes the context of the include that reads it where an image puts it (a COPY, `ln -s`).

Read while the run is discovered, before any tree is built: the Compose readers only for files that look like
Compose and name an nginx directory, the Dockerfile reader for each Dockerfile.
"""
from __future__ import annotations

import bisect
import os
import posixpath
import re
from fnmatch import fnmatchcase
from pathlib import Path

_COPY_PROGRAMS = frozenset({"cp", "install", "rsync"})
# The linuxserver.io nginx base images: at start their init script (s6 `init-nginx`) copies the samples of
# /defaults/nginx/ into /config/nginx/ (`site-confs/default.conf.sample` to `site-confs/default.conf`), which their
# nginx.conf includes; an image built on one ships its own samples there (`COPY root/ /`).
_SAMPLES_COPIED_BY_BASE = re.compile(r"^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*\S*linuxserver/baseimage-[\w.-]*nginx",
                                     re.IGNORECASE | re.MULTILINE)
_BASE_SAMPLES_DIR = "/defaults/nginx/"


def copied_samples(samples: list[Path], scripts: list[Path], suffix: str) -> list[Path]:
    """The samples (named with `suffix`) a script copies to the config name they stand for (`cp …/site.conf.sample
    …/site.conf`, or into a directory), or that the base image a Dockerfile builds on copies so: nginx reads them
    under that name, so they are configs like any other."""
    by_name: dict[str, list[Path]] = {}
    for sample in samples:
        by_name.setdefault(sample.name, []).append(sample)
    found: dict[Path, None] = {}
    for script in scripts:
        try:
            text = script.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if _SAMPLES_COPIED_BY_BASE.search(text):
            found.update(dict.fromkeys(sample for sample in samples if _BASE_SAMPLES_DIR in sample.as_posix()))
        if suffix not in text:
            continue
        for source, target in _copies(text):
            name = posixpath.basename(source)
            if name in by_name and (target.endswith("/") or posixpath.basename(target) == name[:-len(suffix)]):
                found.update(dict.fromkeys(by_name[name]))
    return list(found)


def _copies(text: str):
    """(source, target) of each two-path `cp`/`install`/`rsync` a shell script or a Dockerfile's RUN makes."""
    from .startup import read_script  # the shell reader, only for a repository that ships samples

    for command in read_script(text.replace("\\\n", " "), script_file=True).commands:
        words = list(command.words[1:] if command.words[0] == "RUN" else command.words)
        paths = [word for word in words[1:] if not word.startswith("-")]
        if words and posixpath.basename(words[0]) in _COPY_PROGRAMS and len(paths) == 2:
            yield paths[0], paths[1]


# A file nginx reads at that path: the main config, a conf.d or http.d `*.conf` (what the stock nginx.conf files
# include), a file in sites-enabled or sites-available (Debian's packages include sites-enabled/*), a template the
# official image's entrypoint renders into conf.d (`templates/x.template` becomes `conf.d/x`).
_CONFIG_PATH = re.compile(r"/(?:etc/nginx|etc/openresty|usr/local/openresty/nginx/conf)/(?:nginx\.conf|"
                          r"(?:conf\.d|http\.d)/[^/]+\.conf|sites-(?:enabled|available)/[^/]+|"
                          r"templates/[^/]+\.template)")
_NGINX_DIRECTORY = re.compile(r"/etc/nginx/|/etc/openresty/|/usr/local/openresty/nginx/conf/")


def placed_configs(loader, manifests: list[Path], dockerfiles: list[Path]) -> list[Path]:
    """The repository files mounted or copied at an nginx config path, in the order found."""
    found: list[Path] = []
    for path in manifests:
        found.extend(_mounted(loader, path))
    for path in dockerfiles:
        found.extend(_copied(loader, path))
    return [path for path in dict.fromkeys(found) if path.is_file()]


def _text(loader, path: Path) -> str | None:
    from .. import sources

    try:
        return loader.text(path)
    except sources.Unreadable:
        return None


def _mounted(loader, path: Path) -> list[Path]:
    from .detect import SERVICES_LINE, is_compose_path

    text = _text(loader, path)
    display = loader.display(path)
    if text is None or not _NGINX_DIRECTORY.search(text):
        return []
    if not (is_compose_path(display) or SERVICES_LINE.search(text)):
        return []
    from .compose import load_compose  # the YAML readers, only for a Compose file that names nginx's directory

    # a host path outside the repository (`/etc/nginx/nginx.conf:/etc/nginx/nginx.conf`) is the server's own file,
    # not this machine's: what it holds is out of view
    top = loader.repository_top(Path(os.path.abspath(path.parent)))
    found = []
    for service in load_compose(display, text).services:
        for mount in service.container.mounts:
            if mount.kind == "bind" and mount.source and _CONFIG_PATH.fullmatch(mount.path or ""):
                source = Path(os.path.abspath(path.parent / os.path.expanduser(mount.source)))
                if source.is_relative_to(top):
                    found.append(source)
    return found


def _copied(loader, path: Path) -> list[Path]:
    """A COPY or ADD of one file to an nginx config path; the build context taken to be the Dockerfile's
    directory (a Compose build elsewhere copies from its own context, which the binding follows)."""
    from .dockerfile import read_dockerfile

    text = _text(loader, path)
    if text is None or not _NGINX_DIRECTORY.search(text):
        return []
    build = read_dockerfile(loader.display(path), text)
    if build is None:
        return []
    return [Path(os.path.normpath(path.parent / copy.sources[0])) for copy in build.copies
            if len(copy.sources) == 1 and _CONFIG_PATH.fullmatch(copy.dest)]


def placed_contexts(loader, dockerfiles: list[Path], mains: list, fragments: list[Path]) -> dict[Path, tuple]:
    """The context each fragment is read in where an image puts it (a COPY, `ln -s`) at a path that an include
    of a main config the same image holds matches: `ln -s …/stream-available/sni.conf …/stream-enabled/` is a
    stream server where the config says `stream { include /etc/nginx/stream-enabled/*; }`."""
    from .dockerfile_binding import parsed_dockerfile  # the Dockerfile reader, only for loose fragments
    from .dockerfile_build import image_of  # the image model, only for an image that holds a main config

    roots = [str(tree.root.path) for tree in mains if tree.root.path is not None]
    found: dict[Path, tuple] = {}
    for dockerfile in dockerfiles:
        dockerfile = Path(os.path.abspath(dockerfile))
        build = parsed_dockerfile(loader, dockerfile)
        if build is None or not _may_copy(build, dockerfile.parent, roots):
            continue  # the image holds no main config: no image to build
        image = image_of(loader, dockerfile)
        landed = _image_paths(image, fragments)
        for tree in mains:
            if tree.root.path is None or not landed:
                continue
            for conf_path in _image_paths(image, [tree.root.path]).get(tree.root.path, ()):
                for node in tree.nodes("include"):
                    pattern = posixpath.join(posixpath.dirname(conf_path), node.args[0])
                    for fragment, paths in landed.items():
                        if fragment not in found and any(_include_matches(pattern, path) for path in paths):
                            found[fragment] = node.ctx
    return found


def _may_copy(build, context: Path, files: list[str]) -> bool:
    """Whether a COPY of the build may put one of the files into the image: a source is the file or a directory
    above it (a glob source stands for its directory)."""
    sources = {os.path.normpath(context / posixpath.dirname(source) if any(c in source for c in "*?[")
                                else context / source)
               for copy in build.copies for source in copy.sources if "$" not in source and "://" not in source}
    return any(file == source or file.startswith(source.rstrip(os.sep) + os.sep) for source in sources
               for file in files)


def _image_paths(image, files: list[Path]) -> dict[Path, list[str]]:
    """The image paths where each repository file is, as the image's copies and links put it there."""
    by_name = sorted((str(file), file) for file in files)
    names = [name for name, _ in by_name]
    found: dict[Path, list[str]] = {}
    for image_path, source in image.path_map:
        top = str(source)
        index = bisect.bisect_left(names, top)
        placed = [(image_path, by_name[index][1])] if index < len(names) and names[index] == top else []
        below = top.rstrip(os.sep) + os.sep
        for name, file in by_name[bisect.bisect_left(names, below):]:  # the files below a copied directory
            if not name.startswith(below):
                break
            placed.append((posixpath.join(image_path, file.relative_to(source).as_posix()), file))
        for path, file in placed:
            if image.where(path) == file:
                found.setdefault(file, []).append(path)
    return found


def _include_matches(pattern: str, path: str) -> bool:
    """Whether an include pattern names the image path: globs within one component each, as glob(3) matches."""
    pattern_parts, path_parts = pattern.strip("/").split("/"), posixpath.normpath(path).strip("/").split("/")
    return len(pattern_parts) == len(path_parts) and all(
        fnmatchcase(name, part) and not (name.startswith(".") and not part.startswith("."))
        for part, name in zip(pattern_parts, path_parts))
