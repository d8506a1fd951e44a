"""Repository files a setup script copies into place on the host before the stack starts.

A self-hosted stack often mounts a path its repository does not hold (`${PWD}/data/nginx/nginx.conf:/etc/nginx/
nginx.conf`) and ships a script that fills it from a file it does hold (`cp nginx/nginx.conf data/nginx/nginx.conf`
in `initialize.sh`). The mounted file is then that repository file.
"""
from __future__ import annotations

import os
import posixpath
from pathlib import Path

from ..shell_scripts import shell_scripts
from .startup import read_script

_HERE = ("$PWD/", "${PWD}/", "$(pwd)/")  # the script's own directory, as it is run from there


def copied_from(loader, host: Path) -> Path | None:
    """The repository file or directory a shell script copies to `host` (or to a directory above it), where `host`
    itself is absent; None when no script does."""
    top = loader.repository_top(next(parent for parent in host.parents if parent.exists()))
    copies = loader.once("script-copies", top, lambda: _copies(loader, top))
    for destination in (host, *host.parents):
        source = copies.get(destination)
        if source is not None and (destination == host or source.is_dir()):
            return source / host.relative_to(destination)
        if destination == top:
            break
    return None


def _copies(loader, top: Path) -> dict[Path, Path]:
    """destination -> source of each `cp SOURCE DESTINATION` of a script under `top` between two repository paths
    (relative ones read from the script's directory), whose source exists."""
    found: dict[Path, Path] = {}
    for script, text in shell_scripts(loader, top):
        if "cp " not in text:
            continue
        for command in read_script(text.replace("\\\n", " ")).commands:
            if command.program != "cp":
                continue
            operands = [word for word in command.words[1:] if not word.startswith("-")]
            if len(operands) != 2:
                continue
            source, destination = (_in_repository(script.parent, top, word) for word in operands)
            if source is None or destination is None or not source.exists():
                continue
            found.setdefault(destination, source)
            if operands[1].endswith("/") or destination.is_dir():  # into a directory: under the source's name
                found.setdefault(destination / source.name, source)
    return found


def _in_repository(directory: Path, top: Path, word: str) -> Path | None:
    for here in _HERE:
        if word.startswith(here):
            word = word[len(here):]
    if not word or word.startswith(("/", "~")) or "$" in word or any(c in word for c in "*?["):
        return None
    path = Path(os.path.normpath(directory / posixpath.normpath(word)))
    return path if path == top or top in path.parents else None
