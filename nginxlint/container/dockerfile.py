"""The few facts of a Dockerfile that tie a config to a container: what the built image starts from, how it is
stopped and started, what it copies in and which directories are volumes.

A deliberately small reader, to be replaced by a full image model: it follows one stage (the build target, else
the last) through the stages it is built FROM, substitutes ARG defaults in FROM, and reads STOPSIGNAL,
ENTRYPOINT, CMD, VOLUME, WORKDIR and COPY/ADD (not `--from=` copies, which take files from another image).
"""
from __future__ import annotations

import fnmatch
import json
import posixpath
import re
from dataclasses import dataclass, field

from ..findings import Span
from .model import CHECKED_URL, Value

# `dockerfile` too: docker build falls back to it when the context holds no `Dockerfile` (moby/moby#10858)
DOCKERFILE_NAMES = ("Dockerfile", "dockerfile", "Dockerfile.*", "Dockerfile-*", "Dockerfile_*", "*.Dockerfile",
                    "*.dockerfile", "Containerfile", "Containerfile.*", "Containerfile-*", "*.Containerfile",
                    "*.containerfile")

_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::?[-+]([^}]*))?\}|(\w+))")
_HEREDOC = re.compile(r"<<-?\s*[\"']?(\w+)[\"']?")


def is_dockerfile_name(name: str) -> bool:
    """A file name that says Dockerfile (`Dockerfile`, `Dockerfile.prod`, `web.dockerfile`, `Containerfile`)."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in DOCKERFILE_NAMES)


def repository_dockerfiles(loader, top) -> tuple:
    """Every Dockerfile under `top`, through the loader's cached listings, found once per run."""
    return loader.once("repository-dockerfiles", top, lambda: tuple(
        directory / name for directory, name in loader.files_below(top) if is_dockerfile_name(name)))


def plain_source(source: str) -> bool:
    """A COPY/ADD source that names a path of the build context: no variable, URL or glob."""
    return "$" not in source and "://" not in source and not any(c in source for c in "*?[")


@dataclass(frozen=True)
class Copy:
    """A COPY or ADD from the build context: sources relative to it, the destination in the image."""

    sources: tuple[str, ...]
    dest: str
    span: Span
    workdir: str | None = None  # where a relative destination lands

    @property
    def target(self) -> str:
        """The destination as an absolute image path (a relative one lands in the WORKDIR)."""
        return self.dest if self.dest.startswith("/") else posixpath.join(self.workdir or "/", self.dest)


@dataclass(frozen=True)
class ImageBuild:
    """What a Dockerfile makes of the image it builds (the target stage, with what it inherits from its stages).

    `entrypoint`/`cmd` hold a tuple of words (the shell form as `/bin/sh -c TEXT`), or are None when no stage of
    this Dockerfile sets them (the base image's then apply).
    """

    path: str  # display path of the Dockerfile
    base: Value | None = None  # the external image the stage chain starts FROM
    stop_signal: Value | None = None
    entrypoint: Value | None = None
    cmd: Value | None = None
    volumes: tuple[Value, ...] = ()
    copies: tuple[Copy, ...] = ()
    runs: tuple[str, ...] = ()  # the shell text of its RUN instructions, with the ENV and ARG values it fixes
    stage: str | None = None  # the name of the stage built (`FROM … AS development`), lowercase, if it has one
    healthcheck: Value | None = None  # `HEALTHCHECK CMD …`: the command's words (`("NONE",)` switches it off)

    @property
    def argv(self) -> tuple[str, ...]:
        """The ENTRYPOINT then CMD words this Dockerfile sets (empty when it sets neither)."""
        return tuple(word for value in (self.entrypoint, self.cmd) if value is not None for word in value.value)


@dataclass
class _Stage:
    name: str | None
    base: Value
    parent: "_Stage | None"
    stop_signal: Value | None = None
    entrypoint: Value | None = None
    cmd: Value | None = None
    volumes: list = field(default_factory=list)
    copies: list = field(default_factory=list)
    workdir: str | None = None
    # `FROM scratch` then `COPY --from=stage / /`: the stage's files whole, without its settings (CMD, STOPSIGNAL)
    squashes: bool = False
    values: dict = field(default_factory=dict)  # the ENV and ARG values the stage fixes, for COPY and WORKDIR
    runs: list = field(default_factory=list)
    healthcheck: Value | None = None


def _instructions(text: str):
    """(line, physical first line, instruction word, rest) with continuations joined and heredoc bodies skipped."""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        first = index
        raw = lines[index]
        index += 1
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        pieces = [raw]
        continued = raw.rstrip().endswith("\\")
        while continued and index < len(lines):
            if pieces[-1].rstrip().endswith("\\"):
                pieces[-1] = pieces[-1].rstrip()[:-1]
            following = lines[index]
            index += 1
            if following.lstrip().startswith("#"):
                continue  # a comment inside a continued instruction
            pieces.append(following)
            continued = following.rstrip().endswith("\\")
        logical = " ".join(piece.strip() for piece in pieces)
        word, rest = (logical.split(None, 1) + [""])[:2]  # the instruction ends at any blank (`FROM\tnginx`)
        heredoc = _HEREDOC.search(rest) if word.upper() in ("RUN", "COPY", "ADD") else None
        if heredoc:  # the body up to the terminator line is data, not instructions
            terminator = heredoc.group(1)
            while index < len(lines) and lines[index].strip() != terminator:
                index += 1
            index += 1
        yield first + 1, raw, word.upper(), rest.strip()


def _words(rest: str) -> tuple[str, ...] | None:
    """The JSON (exec) form of CMD, ENTRYPOINT, VOLUME; None when the text is not a JSON list of strings."""
    if not rest.startswith("["):
        return None
    try:
        value = json.loads(rest)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(word, str) for word in value):
        return tuple(value)
    return None


def _command(rest: str) -> tuple[str, ...]:
    words = _words(rest)
    return words if words is not None else ("/bin/sh", "-c", rest)


def _healthcheck(rest: str, line: int, raw: str) -> Value | None:
    """`HEALTHCHECK [--interval=30s …] CMD curl -f http://localhost/` as the command's words, placed on the URL it
    checks (else the line); `HEALTHCHECK NONE`."""
    url = CHECKED_URL.search(rest)
    span = _span(line, raw, url.group(0) if url else None)
    words = rest.split(None, 1)
    while words and words[0].startswith("--"):
        words = words[1].split(None, 1) if len(words) > 1 else []
    if words and words[0].upper() == "NONE":
        return Value(("NONE",), span, rest)
    if len(words) < 2 or words[0].upper() != "CMD":
        return None
    return Value(_command(words[1]), span, rest)


def _span(line: int, raw: str, word: str | None = None) -> Span:
    start = raw.find(word) if word else -1
    if start < 0:
        indent = len(raw) - len(raw.lstrip())
        return Span(line, indent + 1, line, len(raw.rstrip()) + 1)
    return Span(line, start + 1, line, start + len(word) + 1)


def _substitute(text: str, values: dict[str, str], keep_unknown: bool = False) -> str:
    """The text with the values the Dockerfile fixes put in: `${openresty}/nginx/conf/`. A variable it does not fix
    takes its `${NAME:-default}`, else nothing; with `keep_unknown`, it stays as written."""
    def value(match):
        name = match.group(1) or match.group(3)
        if values.get(name):
            return values[name]
        return match.group(0) if keep_unknown else match.group(2) or ""

    return _VARIABLE.sub(value, text)


def _assignments(word: str, rest: str) -> list[tuple[str, str]]:
    """ENV's and ARG's `name=value` pairs; ENV's older `name value` form sets one name to the rest of the line."""
    parts = rest.split()
    if word == "ENV" and parts and "=" not in parts[0]:
        return [(parts[0], rest[len(parts[0]):].strip().strip("\"'"))] if len(parts) > 1 else []
    return [(name, value.strip("\"'")) for name, equals, value in (part.partition("=") for part in parts) if equals]


def _flags_and_words(rest: str) -> tuple[dict[str, str], list[str]]:
    """`--flag=value` options and the words after them (quotes removed; a path with spaces takes the JSON form)."""
    words = [word.strip("\"'") for word in rest.split()]
    flags = {}
    while words and words[0].startswith("--"):
        name, _equals, value = words.pop(0)[2:].partition("=")
        flags[name] = value
    return flags, words


def read_dockerfile(path: str, text: str, target: str | None = None) -> ImageBuild | None:
    """The image the Dockerfile builds (its `target` stage, else the last); None when it has no FROM."""
    args: dict[str, str] = {}
    stages: list[_Stage] = []
    by_name: dict[str, _Stage] = {}
    for line, raw, word, rest in _instructions(text):
        if word == "ARG" and not stages:
            for item in rest.split():
                name, _equals, default = item.partition("=")
                args.setdefault(name, default.strip("\"'"))
            continue
        if word == "FROM":
            _flags, words = _flags_and_words(rest)
            if not words:
                continue
            image = _substitute(words[0], args)
            name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
            parent = by_name.get(image.lower())
            stage = _Stage(name, Value(image, _span(line, raw, words[0]), words[0]), parent,
                           workdir=parent.workdir if parent else None,
                           values=dict(parent.values) if parent else {})
            stages.append(stage)
            if name:
                by_name[name] = stage
            continue
        if not stages:
            continue
        stage = stages[-1]
        span = _span(line, raw)
        if word == "STOPSIGNAL" and rest:
            stage.stop_signal = Value(rest.split()[0], _span(line, raw, rest.split()[0]))
        elif word == "ENTRYPOINT":
            stage.entrypoint = Value(_command(rest), span, rest)
        elif word == "CMD":
            stage.cmd = Value(_command(rest), span, rest)
        elif word == "HEALTHCHECK":
            stage.healthcheck = _healthcheck(rest, line, raw)
        elif word == "VOLUME":
            for volume in _words(rest) or rest.split():
                stage.volumes.append(Value(volume, span))
        elif word in ("ENV", "ARG"):
            stage.values.update((name, _substitute(value, stage.values, keep_unknown=True))
                                for name, value in _assignments(word, rest))
            if word == "ARG":  # `ARG NAME` brings a global argument's default into the stage
                stage.values.update((name, args[name]) for name in rest.split() if "=" not in name and args.get(name))
        elif word == "RUN":
            stage.runs.append(_substitute(rest, stage.values, keep_unknown=True))
        elif word == "WORKDIR" and rest:
            rest = _substitute(rest, stage.values, keep_unknown=True)
            stage.workdir = rest if rest.startswith("/") or not stage.workdir else f"{stage.workdir.rstrip('/')}/{rest}"
        elif word in ("COPY", "ADD"):
            flags, words = _flags_and_words(rest)
            listed = _words(rest[rest.find("["):]) if "[" in rest else None
            if listed is not None:
                words = list(listed)
            source = by_name.get(flags.get("from", "").lower())
            if source is not None and words == ["/", "/"] and stage.base.value == "scratch" and not stage.copies \
                    and stage.parent is None:
                stage.parent, stage.squashes = source, True  # the image is that stage's filesystem
                continue
            if "from" in flags or len(words) < 2:
                continue
            words = [_substitute(word, stage.values, keep_unknown=True) for word in words]
            # a source is relative to the build context, a leading slash too (`COPY /files/x` names files/x)
            sources = tuple(source.lstrip("/") or "." if "://" not in source else source for source in words[:-1])
            stage.copies.append(Copy(sources, words[-1], span, stage.workdir))
    if not stages:
        return None
    final = by_name.get(target.lower()) if target else None
    final = final or stages[-1]
    chain = []
    stage = final
    while stage is not None and stage not in chain:
        chain.append(stage)
        stage = stage.parent
    chain.reverse()
    build = ImageBuild(path, base=chain[0].base)
    entrypoint = cmd = signal = healthcheck = None
    volumes: list[Value] = []
    copies: list[Copy] = []
    runs: list[str] = []
    for stage in chain:
        if stage.squashes:  # only files came along
            entrypoint = cmd = signal = healthcheck = None
            volumes = []
        signal = stage.stop_signal or signal
        healthcheck = stage.healthcheck or healthcheck
        if stage.entrypoint is not None:  # Docker: an ENTRYPOINT resets the CMD of the image it builds on
            entrypoint, cmd = stage.entrypoint, None
        if stage.cmd is not None:
            cmd = stage.cmd
        volumes += stage.volumes
        copies += stage.copies
        runs += stage.runs
    return ImageBuild(build.path, build.base, signal, entrypoint, cmd, tuple(volumes), tuple(copies), tuple(runs),
                      final.name, healthcheck)
