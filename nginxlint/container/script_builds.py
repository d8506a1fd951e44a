"""Build contexts that only a script names: `docker build -f "${ROOT}/images/gateway/Dockerfile" "${ROOT}/context"`.

A Dockerfile no Compose file builds is built by whatever the repository runs, and a script that calls `docker build`
(or `docker buildx build`) with the Dockerfile's path says which directory its COPY lines read. The `-f` path and
the context are matched through the variable they start with: where `${ROOT}/images/gateway/Dockerfile` is the
Dockerfile, `${ROOT}` is the directory above `images/`, and `${ROOT}/context` the context. Plain relative paths are
read from the repository's top, where such scripts are run from.
"""
from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from ..shell_scripts import shell_scripts

# `docker build …` or `docker buildx build …`, its continued lines joined
_BUILD = re.compile(r"\bdocker\s+(?:buildx\s+)?build\b((?:\\\n|[^\n])*)")
# A leading `${NAME}` or `$NAME` followed by a path
_LEADING_VARIABLE = re.compile(r"^\$(?:\{(\w+)\}|(\w+))/?")


def script_named_context(loader, dockerfile: Path) -> Path | None:
    """The build context a script of the repository gives the Dockerfile, when one names it so; else None."""
    top = loader.repository_top(dockerfile.parent)
    for file_value, context_value in _builds(loader, top):
        context = _context_of(top, dockerfile, file_value, context_value)
        if context is not None and context.is_dir():
            return context
    return None


def dockerfiles_with_context_above(loader, path: Path) -> list[Path]:
    """The Dockerfiles elsewhere in the repository that a script builds with a context holding `path` (the
    variable a script starts both with standing for the repository's top)."""
    top = loader.repository_top(path.parent)
    found = []
    for file_value, context_value in _builds(loader, top):
        dockerfile = _at_top(top, file_value)
        if dockerfile is None or not dockerfile.is_file():
            continue
        context = _context_of(top, dockerfile, file_value, context_value)
        if context is not None and context in path.parents and dockerfile not in found:
            found.append(dockerfile)
    return found


def _at_top(top: Path, value: str) -> Path | None:
    """The path a script's word names, its leading variable taken for the repository's top."""
    variable = _LEADING_VARIABLE.match(value)
    rest = value[variable.end():] if variable is not None else value
    if "$" in rest or rest.startswith("/") and variable is None:
        return None
    return Path(os.path.normpath(top / rest.lstrip("/")))


def _builds(loader, top: Path) -> list[tuple[str, str]]:
    """(the `-f` value, the context argument) of every `docker build` of the repository's scripts, found once."""
    def read() -> list[tuple[str, str]]:
        found = []
        for _path, text in shell_scripts(loader, top):
            for match in _BUILD.finditer(text):
                words = _words(match.group(1).replace("\\\n", " "))
                file_value, positionals, skip = None, [], False
                for index, word in enumerate(words):
                    if skip:
                        skip = False
                    elif word in ("-f", "--file"):
                        file_value = words[index + 1] if index + 1 < len(words) else None
                        skip = True
                    elif word.startswith("--file="):
                        file_value = word.split("=", 1)[1]
                    elif word.startswith("-"):
                        skip = "=" not in word and word in _OPTIONS_WITH_VALUES
                    elif word in ("|", "&&", "||", ";", ">", "1>&2", "2>&1"):
                        break
                    else:
                        positionals.append(word)
                if file_value and positionals:
                    found.append((file_value, positionals[-1]))
        return found
    return loader.once("script-builds", top, read)


# docker build's options that take a value as the next word
_OPTIONS_WITH_VALUES = frozenset({
    "-t", "--tag", "--progress", "--build-arg", "--target", "--platform", "--label", "--network", "--secret",
    "--ssh", "--cache-from", "--cache-to", "--output", "-o", "--iidfile", "--add-host", "--build-context",
    "--shm-size", "--ulimit", "--metadata-file", "--builder"})


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=True)
    except ValueError:
        return text.split()


def _context_of(top: Path, dockerfile: Path, file_value: str, context_value: str) -> Path | None:
    """The context directory when `file_value` names `dockerfile`: through the variable both start with, or as
    paths relative to the repository's top."""
    file_variable, context_variable = _LEADING_VARIABLE.match(file_value), _LEADING_VARIABLE.match(context_value)
    if file_variable is not None:
        if context_variable is None or context_variable.group(0).rstrip("/") != file_variable.group(0).rstrip("/"):
            return None
        rest = file_value[file_variable.end():]
        if "$" in rest or not dockerfile.as_posix().endswith("/" + rest.lstrip("/")):
            return None
        root = Path(dockerfile.as_posix()[:-len(rest.lstrip("/"))])
        return Path(os.path.normpath(root / context_value[context_variable.end():]))
    if "$" in file_value or "$" in context_value or file_value.startswith("/"):
        return None
    if Path(os.path.normpath(top / file_value)) != dockerfile:
        return None
    return Path(os.path.normpath(top / context_value))
