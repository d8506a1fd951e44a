"""Whether a Compose stack is redeployed whole: a deploy script, Makefile or CI job of the repository runs `docker
compose … up --force-recreate` on its file and names no service (`docker compose --env-file .env.prod -f
compose.prod.yaml up -d --remove-orphans --force-recreate`). Every deploy then recreates every container, nginx
with the services it proxies to, so nginx looks their new addresses up each time. So does a command that names the
nginx service among those it recreates (`docker compose up -d --force-recreate core nginx`): nginx starts anew with
the services named beside it. A stack taken down and brought up again (`docker compose down`, then `up`) is not
read so: its services are still recreated one by one elsewhere (an image upgrade), as reviewers found.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from .detect import DEFAULT_COMPOSE_FILES

# `docker compose … up …` to the end of the command (a `&&`, `;`, `|` or the line's end)
_COMPOSE_UP = re.compile(r"\bdocker[ -]compose\b(?P<before>[^\n;&|]*?)\s+up(?P<after>(?:\s+[^\s;&|]+)*)")
# Options of `docker compose` and of `up` that take a value
_VALUE_OPTIONS = frozenset({"-f", "--file", "--env-file", "-p", "--project-name", "--profile", "--project-directory",
                            "--scale", "-t", "--timeout", "--wait-timeout", "--pull", "--exit-code-from", "--attach",
                            "--no-attach", "--ansi", "--progress"})
_TASK_FILES = ("Makefile", "makefile", "Justfile")


def recreated_with(loader, compose_path: Path, service: str) -> frozenset[str] | None:
    """The services of the Compose file a script or CI job of the repository recreates together with this one on each
    run: None for all of them (the stack recreated whole), else those named with it (empty when none is)."""
    together = frozenset()
    for named in _recreations(loader).get(os.path.basename(compose_path), ()):
        if named is None:
            return None
        if service in named:
            together |= named - {service}
    return together


def _recreations(loader) -> dict:
    """For each Compose file, the service lists of the commands that force-recreate them (None: all); read once."""
    memo = loader.memo("compose-recreated")
    if "files" not in memo:
        files: dict = {}
        for text in deploy_texts(loader):
            for command in _COMPOSE_UP.finditer(text.replace("\\\n", " ")):
                words = [word.strip("\"'") for word in command.group("after").split()]
                if "--force-recreate" in words:
                    named = frozenset(_positional(words)) or None
                    for name in _compose_files(command.group("before").split()):
                        files.setdefault(name, []).append(named)
        memo["files"] = files
    return memo["files"]


def _compose_files(before: list[str]) -> list[str]:
    """The Compose files `docker compose` reads: those of its -f options, else the default names."""
    files = [os.path.basename(word.strip("\"'")) for option, word in zip(before, before[1:])
             if option in ("-f", "--file")]
    return files or sorted(DEFAULT_COMPOSE_FILES)


def _positional(words: list[str]) -> list[str]:
    """The words that are no option nor an option's value: the services named."""
    named = []
    for previous, word in zip(["", *words], words):
        if not word.startswith("-") and previous not in _VALUE_OPTIONS and word != "\\":
            named.append(word)
    return named


def deploy_texts(loader):
    """The repository's shell scripts, Makefiles and CI workflows."""
    from ..shell_scripts import ci_files, shell_scripts  # read once per run, shared with the other script readers

    top = loader.repository_top(Path(os.path.abspath(loader.base_dir)))
    yield from (text for _path, text in shell_scripts(loader, top))
    for path in [*ci_files(top), *(top / name for name in _TASK_FILES)]:
        try:
            yield path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
