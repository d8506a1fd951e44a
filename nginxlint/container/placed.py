"""Repository files that a Compose bind mount or a Dockerfile COPY puts where nginx reads its configuration
(`./nginx-conf.d:/etc/nginx/conf.d/default.conf`), whatever their own name: nginx reads them, so they are configs.

Read while the run is discovered, before any tree is built: the Compose readers only for files that look like
Compose and name an nginx directory, the Dockerfile reader for each Dockerfile.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

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
