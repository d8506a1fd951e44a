"""Repository files that a Compose bind mount or a Dockerfile COPY puts where nginx reads its configuration
(`./nginx-conf.d:/etc/nginx/conf.d/default.conf`), whatever their own name, and samples a start script or a RUN
copies to the config name they stand for: nginx reads them, so they are configs.

Read while the run is discovered, before any tree is built: the Compose readers only for files that look like
Compose and name an nginx directory, the Dockerfile reader for each Dockerfile.
"""
from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

_COPY_PROGRAMS = frozenset({"cp", "install", "rsync"})


def copied_samples(samples: list[Path], scripts: list[Path], suffix: str) -> list[Path]:
    """The samples (named with `suffix`) a script copies to the config name they stand for (`cp …/site.conf.sample
    …/site.conf`, or into a directory): nginx reads them under that name, so they are configs like any other."""
    by_name: dict[str, list[Path]] = {}
    for sample in samples:
        by_name.setdefault(sample.name, []).append(sample)
    found: dict[Path, None] = {}
    for script in scripts:
        try:
            text = script.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
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
# include), a file in sites-enabled or sites-available (Debian's packages include sites-enabled/*).
_CONFIG_PATH = re.compile(r"/(?:etc/nginx|etc/openresty|usr/local/openresty/nginx/conf)/(?:nginx\.conf|"
                          r"(?:conf\.d|http\.d)/[^/]+\.conf|sites-(?:enabled|available)/[^/]+)")
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

    found = []
    for service in load_compose(display, text).services:
        for mount in service.container.mounts:
            if mount.kind == "bind" and mount.source and _CONFIG_PATH.fullmatch(mount.path or ""):
                found.append(Path(os.path.normpath(path.parent / os.path.expanduser(mount.source))))
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
