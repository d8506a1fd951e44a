"""What the update_*.py scripts share: reading a clone of the project their table comes from, ordering versions."""
from __future__ import annotations

import subprocess


def git(git_dir: str, *args: str) -> str:
    return subprocess.run(["git", "-C", git_dir, *args], capture_output=True, text=True, check=True).stdout


def key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))
