"""Mounts a repository documents for its users rather than declares: the `docker run -v SOURCE:TARGET` lines and the
Compose `volumes:` items (`- ./servers.conf:/etc/nginx/conf.d/servers.conf:ro`) of its README, scripts and
Makefile at the top. A user who follows them puts a file of their own at TARGET; nothing in the repository holds it.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from ..sources import Unreadable

_DOCUMENTS = re.compile(r"(?i)^(?:readme[\w.-]*\.md|[\w.-]+\.sh|makefile)$")
_RUN_VOLUME = re.compile(r"(?:-v|--volume)[ =]+[\"']?([^\s:\"']+):(/[^\s:\"']*)")
# A Compose volume item alone on its line: `- SOURCE:TARGET[:ro]`, quoted or not.
_VOLUME_ITEM = re.compile(r"^\s*-\s+[\"']?([^\s:\"'#]+):(/[^\s:\"']*)(?::(?:ro|rw|z|Z|cached|delegated))?[\"']?\s*$")


def documented_mounts(loader, top: Path) -> list[tuple[str, str]]:
    """(source, target) of every mount the repository's top-level documents show, read once per run."""
    return loader.once("documented-mounts", top, lambda: _read(loader, top))


def _read(loader, top: Path) -> list[tuple[str, str]]:
    found = []
    for name in loader.listing(top)[1]:
        if not _DOCUMENTS.match(name):
            continue
        try:
            text = loader.text(top / name)
        except Unreadable:
            continue
        for line in text.replace("\\\n", " ").split("\n"):
            if "docker run" in line:
                found += [(source, posixpath.normpath(target)) for source, target in _RUN_VOLUME.findall(line)]
            elif (item := _VOLUME_ITEM.match(line)) is not None:
                found.append((item.group(1), posixpath.normpath(item.group(2))))
    return found
