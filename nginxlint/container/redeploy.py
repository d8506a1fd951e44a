"""Whether a Compose stack is redeployed whole: a deploy script, Makefile or CI job of the repository runs `docker
compose … up --force-recreate` on its file and names no service (`docker compose --env-file .env.prod -f
compose.prod.yaml up -d --remove-orphans --force-recreate`). Every deploy then recreates every container, nginx
with the services it proxies to, so nginx looks their new addresses up each time.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

# `docker compose … up …` to the end of the command (a `&&`, `;`, `|` or the line's end)
_COMPOSE_UP = re.compile(r"\bdocker[ -]compose\b(?P<before>[^\n;&|]*?)\s+up(?P<after>(?:\s+[^\s;&|]+)*)")
# Options of `docker compose` and of `up` that take a value
_VALUE_OPTIONS = frozenset({"-f", "--file", "--env-file", "-p", "--project-name", "--profile", "--project-directory",
                            "--scale", "-t", "--timeout", "--wait-timeout", "--pull", "--exit-code-from", "--attach",
                            "--no-attach", "--ansi", "--progress"})
# The files `docker compose` reads when no `-f` is given
_DEFAULT_FILES = frozenset({"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"})
_TASK_FILES = ("Makefile", "makefile", "Justfile")


def recreated_whole(loader, compose_path: Path) -> bool:
    """Whether a script or CI job of the repository recreates every service of the Compose file on each run."""
    return os.path.basename(compose_path) in _whole_recreations(loader)


def _whole_recreations(loader) -> frozenset[str]:
    """The names of the Compose files some command recreates whole (read once per run)."""
    memo = loader.memo("compose-recreated-whole")
    if "names" not in memo:
        names = set()
        for text in _deploy_texts(loader):
            for command in _COMPOSE_UP.finditer(text.replace("\\\n", " ")):
                names.update(_recreated_files(command.group("before").split(), command.group("after").split()))
        memo["names"] = frozenset(names)
    return memo["names"]


def _recreated_files(before: list[str], after: list[str]) -> list[str]:
    """The Compose files an `up` recreates whole: it has --force-recreate and names no service."""
    words = [word.strip("\"'") for word in after]
    if "--force-recreate" not in words or _positional(words):
        return []
    files = [os.path.basename(word.strip("\"'")) for option, word in zip(before, before[1:])
             if option in ("-f", "--file")]
    return files or sorted(_DEFAULT_FILES)


def _positional(words: list[str]) -> list[str]:
    """The words that are no option nor an option's value: the services named."""
    named = []
    for previous, word in zip(["", *words], words):
        if not word.startswith("-") and previous not in _VALUE_OPTIONS and word != "\\":
            named.append(word)
    return named


def _deploy_texts(loader):
    """The repository's shell scripts, Makefiles and CI workflows."""
    from ..shell_scripts import ci_files, shell_scripts  # read once per run, shared with the other script readers

    top = loader.repository_top(Path(os.path.abspath(loader.base_dir)))
    yield from (text for _path, text in shell_scripts(loader, top))
    for path in [*ci_files(top), *(top / name for name in _TASK_FILES)]:
        try:
            yield path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
