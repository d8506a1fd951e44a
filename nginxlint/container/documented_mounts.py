"""Mounts a repository documents or scripts rather than declares in a manifest: the `-v SOURCE:TARGET` options of a
`docker run` (on its line, or on the lines of a script that builds the command as an array) and the Compose
`volumes:` items (`- ./servers.conf:/etc/nginx/conf.d/servers.conf:ro`) of the READMEs, scripts and Makefiles of the
repository's top and of a config's own directory (compass-ci's `container/x/start`). A user who follows them puts a
file of their own at TARGET, or keeps what nginx writes there; nothing in the repository holds it.
"""
from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from ..sources import Unreadable

_DOCUMENTS = re.compile(r"(?i)^(?:readme[\w.-]*\.md|[\w.-]+\.sh|makefile|start|run|deploy)$")
_RUN_VOLUME = re.compile(r"(?:-v|--volume)[ =]+[\"']?([^\s:\"']+):(/[^\s:\"']*)")
# A Compose volume item alone on its line: `- SOURCE:TARGET[:ro]`, quoted or not.
_VOLUME_ITEM = re.compile(r"^\s*-\s+[\"']?([^\s:\"'#]+):(/[^\s:\"']*)(?::(?:ro|rw|z|Z|cached|delegated))?[\"']?\s*$")


def documented_mounts(tree) -> list[tuple[str, str]]:
    """(source, target) of every mount the documents of the repository's top and of the config's directory show
    (each directory read once per run)."""
    if tree.root.path is None:
        return []
    loader = tree.loader
    directory = Path(os.path.abspath(tree.root.path)).parent
    return [mount for place in dict.fromkeys((loader.repository_top(directory), directory))
            for mount in loader.once("documented-mounts", place, lambda d=place: _read(loader, d))]


def _read(loader, directory: Path) -> list[tuple[str, str]]:
    found = []
    for name in loader.listing(directory)[1]:
        if not _DOCUMENTS.match(name):
            continue
        try:
            text = loader.text(directory / name)
        except Unreadable:
            continue
        if "docker run" in text:  # the options may stand on the lines of an array that builds the command
            found += [(source, posixpath.normpath(target)) for source, target in _RUN_VOLUME.findall(text)]
        for line in text.split("\n"):
            if (item := _VOLUME_ITEM.match(line)) is not None:
                found.append((item.group(1), posixpath.normpath(item.group(2))))
    return found
