"""What the update_*.py scripts share: reading a clone of the project their table comes from, ordering versions."""
from __future__ import annotations

import re
import subprocess

# a lua-nginx-module release tag: v0.10.30, v0.10.30rc1
MODULE_TAG = re.compile(r"v(\d+)\.(\d+)\.(\d+)(?:(?:rc|RC)(\d+))?")


def git(git_dir: str, *args: str) -> str:
    return subprocess.run(["git", "-C", git_dir, *args], capture_output=True, text=True, check=True).stdout


def key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def tag_order(match: re.Match) -> tuple[int, ...]:
    """v0.10.30rc1 < v0.10.30rc2 < v0.10.30 (a release candidate comes before its release)."""
    x, y, z, rc = match.groups()
    return int(x), int(y), int(z), int(rc) if rc else 10**6


def module_tags(git_dir: str, since: tuple[int, ...]) -> list[tuple[tuple[int, ...], str]]:
    """(order, tag) of every release tag of the clone from `since` on, oldest first."""
    return sorted((tag_order(m), tag) for tag in git(git_dir, "tag").split()
                  if (m := MODULE_TAG.fullmatch(tag)) and tag_order(m) >= since)
