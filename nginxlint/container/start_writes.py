"""Paths an image's start script writes by name before nginx starts: `echo "resolver …;" > $CONF/resolver.conf`.

The script is the one the final stage's ENTRYPOINT (or CMD, without one) runs, read when the image got it from
the repository. Its variables are those it assigns with literal values (`VAR=value`, `export VAR=value`,
`: ${VAR:=value}`, one level into a script it sources from the image too) over the image's ENV; a variable given
two different values, or one nothing here fixes, is left as written, and a path holding it is not counted. The
commands are then read as a RUN's are (`>`, `>>`, `tee`, `touch`, the destination of `cp` or `mv`, `curl -o`):
what they write is there when nginx starts, though out of view. The same texts, with the scripts the start script
runs or sources, are what start_placeholders reads for the `sed -i` edits of the configs (start_script_texts).
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Callable, Mapping, NamedTuple

from .filesystem import Inline, Layer, normalise
from .installs import run_effects, simple_commands
from .startup import init_wrapper_length, read_script, script_path, shell_text, without_heredoc_bodies

_VARIABLE = re.compile(r"(?<!\\)\$(?:\{([A-Za-z_]\w*)(?:(:?[-=])([^}$`]*))?\}|([A-Za-z_]\w*))")
ASSIGNMENT = re.compile(r"([A-Za-z_]\w*)=(.*)", re.DOTALL)
_DEFAULT = re.compile(r"\$\{([A-Za-z_]\w*):?=([^}$`]*)\}")
# A value that reads the same wherever the script puts it: no blank, quote or shell syntax (a path, a port).
_PLAIN = re.compile(r"[^\s'\"`$\\;&|<>(){}*?\[\]#]*")
_DECLARERS = frozenset({"export", "readonly", "local", "declare", "typeset"})
OPENING_WORDS = frozenset({"then", "do", "else", "{"})
_NOT_MADE = frozenset({"sed"})  # edits a file in place: at start a failed edit of a missing file stops nothing


# Scripts an init system of the image runs before nginx starts, wherever the repository puts them: s6-overlay's
# services and oneshots (nginx's own `run` script renders its includes there), the official nginx image's
# /docker-entrypoint.d/, the cont-init.d of older s6 images and phusion's my_init.d.
_INIT_SCRIPTS = ("/etc/s6-overlay/s6-rc.d/*/run", "/etc/s6-overlay/s6-rc.d/*/up", "/etc/services.d/*/run",
                 "/etc/cont-init.d/*", "/etc/my_init.d/*", "/docker-entrypoint.d/*")


def apply_start_script_writes(stage) -> None:
    """Add to the stage's filesystem what its start script, and the scripts its init system runs, write by name, as
    a RUN's writes are added."""
    _add_writes(stage, [*start_scripts(stage), *_init_scripts(stage.fs)])


class _Container(NamedTuple):
    """What the scripts' reading needs of a container, as a stage has it: its files, environment and directory."""
    fs: object
    env: Mapping[str, str]
    workdir: str
    where: Callable


def apply_init_script_writes(files, workdir: str) -> None:
    """Add to a container's files what the scripts its mounts put where its image's init system runs them write by
    name (`./init.sh:/docker-entrypoint.d/30-init.sh` over the official nginx image renders an include); the image's
    own scripts were read when it was built (apply_start_script_writes)."""
    _add_writes(_Container(files.fs, files.env, workdir, files.where), _init_scripts(files.fs))


def _init_scripts(fs) -> list[tuple[str, Path]]:
    return [(image_path, source) for pattern in _INIT_SCRIPTS
            for image_path, source in fs.glob(pattern).names.items() if isinstance(source, Path) and source.is_file()]


def _add_writes(stage, scripts: list[tuple[str, Path]]) -> None:
    seen: set[str] = set()
    for image_path, source in scripts:
        text = _text(source)
        if text is None:
            continue
        body = without_heredoc_bodies(text)
        variables = _variables(body, stage, sourcing=True)
        for written in run_effects(expanded(body, variables), stage.workdir, 0).written:
            if not written.made or written.what in _NOT_MADE or not _named(written.path) or written.path in seen:
                continue
            seen.add(written.path)
            if not isinstance(stage.where(written.path), (Path, Inline)):  # a file the image holds stays in view
                stage.fs.add(Layer(written.path, "unknown", why=f"written by {written.what} in the start script "
                                                                f"{image_path}", origin=source, made=True))


def start_script_texts(stage, limit: int = 8) -> list[tuple[Path, str]]:
    """(repository file, text with its variables expanded) of the script the stage starts with and of the scripts
    it runs or sources that the image got from the repository (`/docker/setup.sh`, `. /env.sh`), whatever their
    names: what they do to the configs happens before nginx starts."""
    queue = [source for _, source in start_scripts(stage)]
    found: list[tuple[Path, str]] = []
    while queue and len(found) < limit:
        source = queue.pop(0)
        text = _text(source)
        if text is None or any(source == seen for seen, _ in found):
            continue
        body = without_heredoc_bodies(text)
        live = _without_dead_branches(expanded(body, _variables(body, stage, sourcing=True)))
        found.append((source, live))
        for command in read_script(live, script_file=True).commands:
            words = command.words
            called = script_path(words)
            if called is not None and "$" not in called:
                located = _located(stage, called)
                if located is not None:
                    queue.append(located[1])
    return found


# `if [ "value" = "other" ]; then`: a test of two words the script's variables and the image's ENV fix
_LITERAL_TEST = re.compile(r"""\s*if\s+\[\[?\s+(["']?)([^"'\s$`]*)\1\s+(==?|!=)\s+"""
                           r"""(["']?)([^"'\s$`]*)\4\s+\]\]?\s*;?\s*then\s*""")
_IF = re.compile(r"\s*if\s")
_ELSE = re.compile(r"\s*(?:else|elif\s)")
_FI = re.compile(r"\s*fi\b")


def _without_dead_branches(text: str) -> str:
    """The script with the lines blanked that a literal test keeps from running (`if [ "false" = true ]; then` once
    LOG_TO_STDOUT=false is expanded): by default the container never runs them. Up to the branch's `else` or `fi`."""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        test = _LITERAL_TEST.fullmatch(lines[index])
        index += 1
        if test is None or (test.group(2) == test.group(5)) == (test.group(3) != "!="):
            continue
        depth = 0
        while index < len(lines):
            line = lines[index]
            if _IF.match(line):
                depth += 1
            elif _FI.match(line):
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and _ELSE.match(line):
                break
            lines[index] = ""
            index += 1
    return "\n".join(lines)


def started_scripts(argv: tuple[str, ...]) -> list[str]:
    """The scripts a start command runs, as it names them: `/go.sh` of `["tini", "--", "/go.sh"]`, of
    `sh -c "/go.sh && nginx"`; and the scripts a wrapper script is given to run next (`["/uid-setup.sh",
    "/entrypoint.sh"]`: a wrapper ends with `exec "$@"`)."""
    argv = argv[init_wrapper_length(argv):]
    text = shell_text(argv)
    commands = [tuple(command.words) for command in read_script(text).commands] if text is not None else [argv]
    scripts = []
    for words in commands:
        while (script := script_path(words)) is not None:
            scripts.append(script)
            words = words[1:] if words[0] == script else ()
    return scripts


def start_script(stage) -> tuple[str, Path] | None:
    """(image path, repository file) of the script the stage starts with, when the image got it from the
    repository: `ENTRYPOINT ["/go.sh"]`, `CMD /start.sh`, `["tini", "--", "/go.sh"]`."""
    return next(iter(start_scripts(stage)), None)


def start_scripts(stage) -> list[tuple[str, Path]]:
    """The same for every script of the start command the image got from the repository, in the order they run: a
    wrapper and the script it is given to run next (`["tini", "--", "/uid-setup.sh", "/entrypoint.sh"]`)."""
    argv = stage.entrypoint or stage.cmd or ()
    if stage.base.flavour == "nginx" and argv[:1] == ("/docker-entrypoint.sh",):
        # the official entrypoint runs the command it is given: its own arguments, then the CMD
        argv = (*argv[1:], *(stage.cmd or ())) if stage.entrypoint else argv[1:]
    # `CMD . $PREFIX/start.sh`: the image's ENV expands
    located = (_located(stage, expanded(script, stage.env)) for script in started_scripts(argv))
    return list(dict.fromkeys(found for found in located if found is not None))


# The search path of an image that sets none (Docker's default for Linux containers).
_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _located(stage, script: str) -> tuple[str, Path] | None:
    """(image path, repository file) of a script the image runs: a bare name (`tini -- entrypoint.sh`, `exec
    start.sh`) is looked up on the image's PATH as exec does, then in the working directory; the file must come
    from the repository."""
    paths = [posixpath.join(directory, script) for directory in (stage.env.get("PATH") or _DEFAULT_PATH).split(":")
             if directory.startswith("/")] if "/" not in script else []
    for candidate in (*paths, posixpath.join(stage.workdir, script)):
        image_path = normalise(candidate)
        source = stage.where(image_path)
        if isinstance(source, Path) and source.is_file():
            return image_path, source
    return None


def _text(source: Path) -> str | None:
    try:
        return source.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _variables(body: str, stage, sourcing: bool, known: dict[str, str | None] | None = None,
               assigned: set[str] | None = None) -> dict[str, str | None]:
    """The values the script's variables hold (None: not one value), starting from the image's ENV."""
    if known is None:
        known = {name: value if _PLAIN.fullmatch(value) else None for name, value in stage.env.items()}
        assigned = set()

    def assign(name: str, raw: str) -> None:
        value = expanded(raw, known)
        if not _PLAIN.fullmatch(value) or name in assigned and known.get(name) != value:
            value = None
        known[name] = value
        assigned.add(name)

    for line in body.replace("\\\n", " ").split("\n"):
        for words in simple_commands(line):
            while len(words) > 1 and words[0] in OPENING_WORDS:
                words = words[1:]
            if words[0] in (".", "source") and len(words) > 1 and sourcing:
                sourced = _sourced(stage, expanded(words[1], known))
                if sourced is not None:
                    _variables(without_heredoc_bodies(sourced), stage, False, known, assigned)
            elif words[0] == ":":
                for word in words[1:]:
                    default = _DEFAULT.fullmatch(word)
                    if default and default.group(1) not in known:
                        assign(default.group(1), default.group(2))
            else:
                if words[0] in _DECLARERS:
                    words = [word for word in words[1:] if not word.startswith("-")]
                assignments = [ASSIGNMENT.fullmatch(word) for word in words]
                if all(assignments):  # only assignments: they last (before a command they are its own)
                    for assignment in assignments:
                        assign(assignment.group(1), assignment.group(2))
    return known


def _sourced(stage, path: str) -> str | None:
    if "$" in path:
        return None
    source = stage.where(normalise(posixpath.join(stage.workdir, path)))
    return _text(source) if isinstance(source, Path) and source.is_file() else None


def expanded(text: str, variables: dict[str, str | None]) -> str:
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
