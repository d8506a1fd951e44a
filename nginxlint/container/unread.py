"""Manifests nginxlint noted and did not read (a template of manifests, `docker-compose.tmpl.yml`; a Compose file
with Jinja or Go tags; a file of a Helm chart's templates/) that may define the container a config runs in.

A config that only a Dockerfile (or the `runtime:` settings) shows to run in a container may be started by such a
file, which can pin the names it resolves (`extra_hosts`, fixed addresses), mount its log directory and the like:
what the rules would claim about the deployment, that file may settle, and they stay quiet. A template may define
the config's container when it lies in the config's directory or above it and names the directory that holds the
config or the Dockerfile (`context: mod/nginx`, `./mod/nginx/site.conf:/etc/nginx/…`), or an nginx or OpenResty
image (`alangecker/bbb-docker-nginx`); for a Helm chart, its values.yaml counts with the template.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from .detect import NAMES_NGINX


def note_unread_manifests(trees, unread: list[tuple[Path, str, str]]) -> None:
    """Mark each binding a manifest does not give (a Dockerfile alone, the settings) with the display path of an
    unread manifest that may define its container. `unread`: (absolute path, display path, text)."""
    for tree in trees:
        binding = tree.binding
        if binding is None or binding.from_manifest or tree.root.path is None:
            continue
        places = _places(tree)
        binding.unread_manifest = next((display for path, display, text in unread
                                        if _may_define(path, text, places)), None)


def _places(tree) -> list[Path]:
    """The directories that hold the config and the Dockerfile its binding comes from."""
    base = Path(tree.loader.base_dir)
    places = [Path(os.path.abspath(tree.root.path)).parent]
    build = tree.binding.container.build
    if build is not None:
        places.append(Path(os.path.abspath(base / build.path)).parent)
    return places


def _may_define(manifest: Path, text: str, places: list[Path]) -> bool:
    top = manifest.parent
    if not any(place == top or top in place.parents for place in places):
        return False  # another project's manifest
    text = text + _chart_values(manifest)
    if NAMES_NGINX.search(text):
        return True
    return any(_names_directory(text, place, top) for place in places)


def _names_directory(text: str, place: Path, top: Path) -> bool:
    """The text names `place`, or a directory above it below `top`, by its path from `top`."""
    for directory in [place, *place.parents]:
        if directory == top:
            return False
        relative = directory.relative_to(top).as_posix()
        if re.search(r"(?<![\w.-])(?:\./)?" + re.escape(relative) + r"(?![\w.-])", text):
            return True
    return False


def _chart_values(manifest: Path) -> str:
    """The values.yaml of the Helm chart whose templates/ holds the manifest: where its images are named."""
    for directory in manifest.parents:
        if directory.name == "templates":
            try:
                return "\n" + (directory.parent / "values.yaml").read_text(encoding="utf-8", errors="replace")
            except OSError:
                return ""
    return ""
