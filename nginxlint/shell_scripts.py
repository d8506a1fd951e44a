"""The repository's own shell scripts, found and read once per repository and run: files named `.sh` or `.bash`,
or without a suffix and starting with a shell's `#!` line (an s6 `run` script, `docker-entrypoint`). What they
write (script_writes) and link (container/script_links) is read from the same texts.
"""
from __future__ import annotations

import re
from pathlib import Path

from . import sources

_SUFFIXES = (".sh", ".bash")
_SHELL_LINE = re.compile(rb"#![^\n]*\b(?:sh|bash|ash|dash)\b")


def shell_scripts(loader, top: Path) -> tuple[tuple[Path, str], ...]:
    """(path, text) of every shell script under `top`."""
    return loader.once("shell-scripts", top, lambda: tuple(_read(loader, top)))


def _read(loader, top: Path):
    for directory, name in loader.files_below(top):
        path = directory / name
        if name.endswith(_SUFFIXES) or "." not in name and _starts_as_shell(path):
            try:
                yield path, loader.text(path)
            except sources.Unreadable:
                continue


def _starts_as_shell(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return bool(_SHELL_LINE.match(handle.read(80)))
    except OSError:
        return False


def ci_files(top: Path) -> list[Path]:
    """The CI jobs of the repository at `top`: GitHub's workflows and GitLab's pipeline (they may not exist)."""
    return [*(top / ".github" / "workflows").glob("*.y*ml"), top / ".gitlab-ci.yml"]
