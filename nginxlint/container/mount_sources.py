"""Where the repository holds what a Compose bind mount names, when the mounted host path is not in it.

- A self-hosted stack often mounts a path its repository does not hold (`${PWD}/data/nginx/nginx.conf:/etc/nginx/
  nginx.conf`) and ships a script that fills it from a file it does hold (`cp nginx/nginx.conf data/nginx/nginx.conf`
  in `initialize.sh`). The mounted file is then that repository file.
- A Compose file written on one machine may name the checkout by its absolute path there (`/Users/mac/code/openresty/
  project/conf/nginx/application`, `/home/deploy/app/nginx`): below a home directory, the longest end of the path
  that the repository holds (`project/conf/nginx/application`) is what is mounted. Elsewhere, a path of three parts
  or more that the repository holds whole (`/docker/nginx/conf/nginx.conf`, its docker/ tree put at the server's
  root) is.
"""
from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from ..shell_scripts import shell_scripts
from ..start_prefix import WORKING_DIRECTORY
from .startup import read_script

# Parts an absolute path outside a home directory needs before the repository path it names whole is taken for it
# (`/docker/nginx/conf/nginx.conf`, the repository's docker/ tree copied to the server's /docker): `/data` is not.
_WHOLE_PATH_PARTS = 3
# A user's home directory on a workstation or a server: `/Users/mac/`, `/home/deploy/`, `/root/`
_HOME = re.compile(r"/(?:Users|home)/[^/]+/|/root/")


def held_at(loader, host: Path, near: Path) -> Path | None:
    """The repository path that stands for the absent host path `host` a Compose file in `near` mounts; None when
    nothing does."""
    top = loader.repository_top(near)
    if host == top or top in host.parents:
        return _copied_from(loader, host, top)
    home = _HOME.match(host.as_posix())
    if home is None:
        parts = host.as_posix().strip("/").split("/")
        whole = top.joinpath(*parts)  # `/docker/nginx/conf/nginx.conf`: the checkout put at /
        return whole if len(parts) >= _WHOLE_PATH_PARTS and os.path.lexists(whole) else None
    parts = host.as_posix()[home.end():].split("/")
    return next((found for start in range(len(parts) - 1)
                 if os.path.lexists(found := top.joinpath(*parts[start:]))), None)


def _copied_from(loader, host: Path, top: Path) -> Path | None:
    """The repository file or directory a shell script copies to `host` (or to a directory above it)."""
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
    """The repository path a script's word names, read from the script's directory (`$PWD/x`, as it is run there)."""
    here = WORKING_DIRECTORY.match(word)
    if here is not None and here.group().endswith("/"):  # `$PWD/x`, not `$PWDX/x`
        word = word[here.end():]
    if not word or word.startswith(("/", "~")) or "$" in word or any(c in word for c in "*?["):
        return None
    path = Path(os.path.normpath(directory / posixpath.normpath(word)))
    return path if path == top or top in path.parents else None
