"""Paths the repository's shell scripts replace with a symbolic link.

Images that keep state on one volume often move a directory there at start and leave a link behind
(`mv /var/log /shared/logs/var-log && ln -sf /shared/logs/var-log /var/log`). A file nginx writes under such a
directory ends up wherever the link points, which nginxlint cannot follow through every script that may run: where
a log lands is then out of sight. The same holds for a log file linked to a stream (`ln -sf /dev/stdout
/var/log/nginx/access.log`, as the official nginx image does).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..repository import find_repository_root

# `ln -s TARGET /dir`, `ln -sfn …`, `ln -s -f …`: the last word is the link's own absolute path
_SYMLINK = re.compile(r"(?<![\w./-])ln((?:\s+-[A-Za-z]+)+)\s+(?:--\s+)?\S+\s+(/[^\s;&|)'\"]+)")
_SKIPPED_DIRS = {"node_modules", "vendor", "__pycache__"}
_LARGEST_SCRIPT = 256 * 1024


def script_links(loader, config: Path) -> frozenset[str]:
    """The absolute paths (directories or files) that a shell script of `config`'s repository turns into a symbolic
    link, read once per repository and run."""
    top = find_repository_root(config.parent) or Path(loader.base_dir).resolve()
    memo = loader.memo("script-links")
    found = memo.get(top)
    if found is None:
        found = memo[top] = frozenset(_scan(top))
    return found


def _scan(top: Path):
    for directory, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS]
        for name in files:
            if name.endswith(".sh"):
                yield from links_in(_read(Path(directory, name)))


def links_in(script: str):
    for match in _SYMLINK.finditer(script):
        if "s" in match.group(1):  # -s among the options: a symbolic link
            link = match.group(2).rstrip("/")
            if link:  # not the root itself
                yield link


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > _LARGEST_SCRIPT:
            return ""
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
