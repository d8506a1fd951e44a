"""The `envsubst` commands a repository runs, wherever it writes them: its shell scripts, and the Dockerfiles and
YAML files (Compose `command:`, a container's `args:`) the run read. Each is read from the `envsubst` word to the
end of its command: its arguments and the file it reads (`< x.conf.template`, or `cat x.conf.template |` before
it). Found once per repository and run.

Without an argument, GNU envsubst replaces every `$NAME` and `${NAME}` of its input with the environment's value,
an unset name with nothing; the argument (`envsubst '${PORT} ${HOST}'`) lists the only names it replaces.
Source: `man envsubst` (GNU gettext), "If a SHELL-FORMAT is given, only those environment variables that are
referenced in SHELL-FORMAT are substituted; otherwise all environment variables references occurring in standard
input are substituted."
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .shell_scripts import shell_scripts

_WORD = re.compile(r"(?<![\w./$-])envsubst(?![\w.-])")
_SEPARATORS = ("&&", "||", ";", "|", "&", ")")
# A command's words: a redirection (`<`, `2>`, `>&1`), a quoted string, a plain word, or a lone quote that ends the
# string holding the command
_TOKEN = re.compile(r"\d*[<>]+&?\d*|'[^']*'|\"(?:\\.|[^\"\\])*\"|[^\s<>'\"]+|['\"]")
# `cat x.template | envsubst`: the file piped into it
_PIPED_FROM = re.compile(r"\bcat\s+(['\"]?)([^\s'\";|&<>]+)\1\s*\|\s*$")


@dataclass(frozen=True)
class EnvsubstRun:
    path: Path  # the file that holds the command
    line: int
    column: int  # 1-based, of the word `envsubst`
    arguments: tuple[str, ...]  # words other than redirections: a list of names, an option
    input: str | None  # the path it reads, as written


def envsubst_runs(loader) -> tuple[EnvsubstRun, ...]:
    """Every `envsubst` command of the repository the run is in, with what it reads."""
    top = loader.repository_top(Path(os.path.abspath(loader.base_dir)))
    return loader.once("envsubst-runs", top, lambda: tuple(_runs(loader, top)))


def _runs(loader, top: Path):
    from .container.dockerfile import is_dockerfile_name

    texts = {path: text for path, text in shell_scripts(loader, top) if "envsubst" in text}
    for source in loader.read_files():
        name = source.path.name
        if "envsubst" in source.text and (is_dockerfile_name(name) or name.endswith((".yml", ".yaml"))):
            texts.setdefault(source.path, source.text)
    for path, text in texts.items():
        yield from _in_text(path, text)


def _in_text(path: Path, text: str):
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        if "envsubst" not in line or line.lstrip().startswith("#"):
            continue
        for match in _WORD.finditer(line):
            rest, following = line[match.end():], number
            while rest.rstrip().endswith("\\") and following < len(lines):  # a command continued on the next line
                rest = rest.rstrip()[:-1] + " " + lines[following]
                following += 1
            arguments, given = _arguments(rest)
            piped = _PIPED_FROM.search(line[:match.start()])
            yield EnvsubstRun(path, number, match.start() + 1, arguments,
                              given if given is not None else piped.group(2) if piped else None)


def _arguments(rest: str) -> tuple[tuple[str, ...], str | None]:
    """(the words that are not redirections, the file `<` names) up to the end of the command."""
    words: list[str] = []
    given = None
    tokens = iter(_TOKEN.findall(rest))
    for token in tokens:
        if token in _SEPARATORS or token.endswith((";", "&&")) or token in ("'", '"', "]", "],"):
            break  # the end of the command, or of the string that holds it (`sh -c "envsubst < a > b"`)
        operator = token.lstrip("0123456789")
        if not operator.startswith(("<", ">")):
            words.append(token)
        elif operator.endswith(("<", ">")):  # its file is the next word (`2>&1` names none)
            target = next(tokens, None)
            if operator == "<" and target is not None:
                given = target.strip("'\"")
    return tuple(words), given
