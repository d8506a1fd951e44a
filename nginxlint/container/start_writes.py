"""Paths an image's start script writes by name before nginx starts: `echo "resolver …;" > $CONF/resolver.conf`.

The script is the one the final stage's ENTRYPOINT (or CMD, without one) runs, read when the image got it from
the repository. Its variables are those it assigns with literal values (`VAR=value`, `export VAR=value`,
`: ${VAR:=value}`, one level into a script it sources from the image too) over the image's ENV; a variable given
two different values, or one nothing here fixes, is left as written, and a path holding it is not counted. The
commands are then read as a RUN's are (`>`, `>>`, `tee`, `touch`, the destination of `cp` or `mv`, `curl -o`):
what they write is there when nginx starts, though out of view.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from .filesystem import Inline, Layer, normalise
from .installs import run_effects, simple_commands
from .startup import init_wrapper_length, read_script, script_path, shell_text

_VARIABLE = re.compile(r"(?<!\\)\$(?:\{([A-Za-z_]\w*)(?:(:?[-=])([^}$`]*))?\}|([A-Za-z_]\w*))")
_ASSIGNMENT = re.compile(r"([A-Za-z_]\w*)=(.*)", re.DOTALL)
_DEFAULT = re.compile(r"\$\{([A-Za-z_]\w*):?=([^}$`]*)\}")
# A value that reads the same wherever the script puts it: no blank, quote or shell syntax (a path, a port).
_PLAIN = re.compile(r"[^\s'\"`$\\;&|<>(){}*?\[\]#]*")
_HEREDOC = re.compile(r"(?<!<)<<-?\s*(['\"]?)([A-Za-z_][\w-]*)\1")
_DECLARERS = frozenset({"export", "readonly", "local", "declare", "typeset"})
_OPENING_WORDS = frozenset({"then", "do", "else", "{"})
_NOT_MADE = frozenset({"sed"})  # edits a file in place: at start a failed edit of a missing file stops nothing


def apply_start_script_writes(stage) -> None:
    """Add to the stage's filesystem what its start script writes by name, as a RUN's writes are added."""
    found = _start_script(stage)
    if found is None:
        return
    image_path, source = found
    text = _text(source)
    if text is None:
        return
    body = _without_heredoc_bodies(text)
    variables = _variables(body, stage, sourcing=True)
    effects = run_effects(_expanded(body, variables), stage.workdir, 0)
    seen: set[str] = set()
    for written in effects.written:
        if not written.made or written.what in _NOT_MADE or not _named(written.path) or written.path in seen:
            continue
        seen.add(written.path)
        if not isinstance(stage.where(written.path), (Path, Inline)):  # a file the image holds stays in view
            stage.fs.add(Layer(written.path, "unknown", why=f"written by {written.what} in the start script "
                                                            f"{image_path}", origin=source, made=True))


def _start_script(stage) -> tuple[str, Path] | None:
    """(image path, repository file) of the script the stage starts with, when the image got it from the
    repository: `ENTRYPOINT ["/go.sh"]`, `CMD /start.sh`, `["tini", "--", "/go.sh"]`."""
    argv = stage.entrypoint or stage.cmd or ()
    if stage.base.flavour == "nginx" and argv[:1] == ("/docker-entrypoint.sh",):
        argv = argv[1:]  # the official entrypoint runs the command it is given
    argv = argv[init_wrapper_length(argv):]
    text = shell_text(argv)
    commands = [command.words for command in read_script(text).commands] if text is not None else [argv]
    for words in commands:
        script = script_path(words)
        if script is None:
            continue
        image_path = normalise(posixpath.join(stage.workdir, script))
        source = stage.where(image_path)
        if isinstance(source, Path) and source.is_file():
            return image_path, source
    return None


def _text(source: Path) -> str | None:
    try:
        return source.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _without_heredoc_bodies(text: str) -> str:
    """The script with the lines of its here-documents blanked: text fed to a command, not commands."""
    lines = text.split("\n")
    ending = None
    for index, line in enumerate(lines):
        if ending is not None:
            if line.strip() == ending:
                ending = None
            lines[index] = ""
            continue
        match = _HEREDOC.search(line)
        if match:
            ending = match.group(2)
    return "\n".join(lines)


def _variables(body: str, stage, sourcing: bool, known: dict[str, str | None] | None = None,
               assigned: set[str] | None = None) -> dict[str, str | None]:
    """The values the script's variables hold (None: not one value), starting from the image's ENV."""
    if known is None:
        known = {name: value if _PLAIN.fullmatch(value) else None for name, value in stage.env.items()}
        assigned = set()

    def assign(name: str, raw: str) -> None:
        value = _expanded(raw, known)
        if not _PLAIN.fullmatch(value) or name in assigned and known.get(name) != value:
            value = None
        known[name] = value
        assigned.add(name)

    for line in body.replace("\\\n", " ").split("\n"):
        for words in simple_commands(line):
            while len(words) > 1 and words[0] in _OPENING_WORDS:
                words = words[1:]
            if words[0] in (".", "source") and len(words) > 1 and sourcing:
                sourced = _sourced(stage, _expanded(words[1], known))
                if sourced is not None:
                    _variables(_without_heredoc_bodies(sourced), stage, False, known, assigned)
            elif words[0] == ":":
                for word in words[1:]:
                    default = _DEFAULT.fullmatch(word)
                    if default and default.group(1) not in known:
                        assign(default.group(1), default.group(2))
            else:
                if words[0] in _DECLARERS:
                    words = [word for word in words[1:] if not word.startswith("-")]
                assignments = [_ASSIGNMENT.fullmatch(word) for word in words]
                if all(assignments):  # only assignments: they last (before a command they are its own)
                    for assignment in assignments:
                        assign(assignment.group(1), assignment.group(2))
    return known


def _sourced(stage, path: str) -> str | None:
    if "$" in path:
        return None
    source = stage.where(normalise(posixpath.join(stage.workdir, path)))
    return _text(source) if isinstance(source, Path) and source.is_file() else None


def _expanded(text: str, variables: dict[str, str | None]) -> str:
    """`text` with the variables of known value substituted (`$V`, `${V}`, `${V:-default}`); others as written."""

    def value(match: re.Match) -> str:
        name = match.group(1) or match.group(4)
        found = variables.get(name)
        if name in variables and found is None:
            return match.group(0)
        if match.group(2) is not None and (found is None or found == "" and match.group(2).startswith(":")):
            return match.group(3)  # `${V:-default}`, `${V:=default}` with V unset (or empty)
        return found if found is not None else match.group(0)

    return _VARIABLE.sub(value, text)


def _named(path: str) -> bool:
    """An absolute file path written in full: no variable left in it, no pattern, no process's stream."""
    return path.startswith("/") and not path.startswith(("/proc/", "/dev/")) and path != "/" \
        and not any(char in path for char in "$`*?[{")
