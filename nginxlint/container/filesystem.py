"""A container's filesystem as layers of what put files where, and where a path's content comes from.

Layers are kept oldest first; a query walks them newest first:
- `file`: one image path holds one known source (a repository file, an inline heredoc, a ConfigMap entry);
- `tree`: an image directory holds a repository directory's content (a `COPY dir/ /dst/`, a bind mount);
- `alias`: an image path holds what another stage has at a path (`COPY --from=stage`);
- `unknown`: something out of sight may have put files at or below the path (a download, a rock, a script);
- `empty`: nothing is there (FROM scratch, an empty mount);
- `dir`: an empty directory is made there (WORKDIR); what is below comes from older layers;
- `removed`: `rm` took the names matching `source` (a glob) out of the directory at `path`.
A layer that `replaces` (a mount) hides everything older at and below its path; other layers merge, as COPY does.
The answer is a repository Path, an Inline or embedded source, Unknown (with why), or ABSENT only when no layer
could have put anything there.
"""
from __future__ import annotations

import fnmatch
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class Unknown:
    """Something out of sight may hold the path; `why` names it for messages. `named`: what is there follows from
    names nginxlint reads (packages or rocks installed by name, an official image's files), not from a script, a
    download or a volume whose content nothing names."""

    why: str
    named: bool = False


class _Absent:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT = _Absent()
UNKNOWN = Unknown("content not visible to nginxlint")


@dataclass(frozen=True)
class Inline:
    """A file whose text is written in a manifest or Dockerfile (a heredoc, a literal), with where."""

    text: str
    path: Path  # the file it is written in
    line: int


@dataclass(frozen=True)
class Layer:
    path: str  # normalised absolute image path
    kind: str  # "file" | "tree" | "alias" | "unknown" | "empty" | "dir" | "removed"
    source: Any = None  # Path / Inline / embedded entry for file; Path for tree; (Filesystem, path) for alias
    why: str = ""
    replaces: bool = False
    line: int | None = None  # where it was declared, in `origin`
    origin: Path | None = None
    ignored: Callable[[Path], bool] | None = None  # tree: repository files the copy leaves out (.dockerignore)
    named: bool = False  # unknown: put there by installing packages or rocks by name (see Unknown)
    made: bool = False  # unknown: a RUN (a download, a clone, a copy) or an ADD of a URL puts something here by name

    def holds(self, candidate: Path) -> bool:
        return os.path.lexists(candidate) and not (self.ignored and self.ignored(candidate))


@dataclass(frozen=True)
class Listing:
    """The names a directory holds: each with its source; `complete` is False when unseen content may add more."""

    names: dict[str, Any]
    complete: bool


def _wider(newer: Unknown | None, older: Unknown) -> Unknown:
    """Of two unknown sources of one path, the one that leaves more open: content nothing names over named
    content, else the newer."""
    if newer is None or newer.named and not older.named:
        return older
    return newer


def normalise(path: str) -> str:
    return posixpath.normpath("/" + path.lstrip("/")) if path else "/"


def _relative(path: str, top: str) -> str | None:
    """`path` relative to `top` ('' for the same), or None when it is not at or below it."""
    if top == "/":
        return path.lstrip("/")
    if path == top:
        return ""
    if path.startswith(top) and path[len(top)] == "/":
        return path[len(top) + 1:]
    return None


class Filesystem:
    """Layers over a bottom (the base image): `bottom(path)` says what the base holds."""

    def __init__(self, bottom: Callable[[str], Any], bottom_listing: Callable[[str], Listing],
                 layers: list[Layer] | None = None) -> None:
        self.layers: list[Layer] = list(layers or ())
        self._bottom = bottom
        self._bottom_listing = bottom_listing

    def add(self, layer: Layer) -> None:
        self.layers.append(layer)

    def copy(self) -> "Filesystem":
        return Filesystem(self._bottom, self._bottom_listing, self.layers)

    # -- queries -------------------------------------------------------------------------------------------
    def where(self, image_path: str, depth: int = 0):
        """Path | Inline | embedded source | Unknown | ABSENT for one image path."""
        path = normalise(image_path)
        maybe: Unknown | None = None
        below = False
        for layer in reversed(self.layers):
            rel = _relative(path, layer.path)
            if layer.kind == "removed":
                if rel and fnmatch.fnmatchcase(rel.split("/", 1)[0], layer.source):
                    return maybe or ABSENT
                continue
            if rel is None:
                below = below or _relative(layer.path, path) not in (None, "")
                continue
            if layer.kind == "file":
                if rel == "":
                    return layer.source
                if layer.replaces:
                    return maybe or ABSENT
                continue  # a file cannot hold `path`: an older layer may have had a directory there
            if layer.kind == "tree":
                candidate = layer.source / rel if rel else layer.source
                if layer.holds(candidate):
                    return candidate
            elif layer.kind == "dir":
                below = below or rel == ""
            elif layer.kind == "alias" and depth < 8:
                stage, source_path = layer.source
                found = stage.where(posixpath.join(source_path, rel) if rel else source_path, depth + 1)
                if found is not ABSENT:
                    if isinstance(found, Unknown):
                        maybe = _wider(maybe, found)
                    else:
                        return found
            elif layer.kind == "unknown":
                if layer.replaces:
                    return _wider(maybe, Unknown(layer.why, layer.named))
                maybe = _wider(maybe, Unknown(layer.why, layer.named))
            if layer.replaces:
                return maybe or (Unknown("a directory") if below else ABSENT)
        found = self._bottom(path)
        if found is ABSENT and maybe:
            return maybe
        if found is ABSENT and below:
            return Unknown("a directory")
        return _wider(maybe, found) if isinstance(found, Unknown) and maybe else found

    def from_base(self, image_path: str) -> bool:
        """No layer puts, removes or hides anything at `image_path` or above it: what is there is the base image's."""
        path = normalise(image_path)
        return not any(_relative(path, layer.path) is not None and layer.kind != "dir" for layer in self.layers)

    def made_by_name(self, image_path: str) -> bool:
        """A RUN command of the image puts something at this path or at a directory above it, by name (`curl -o`,
        `wget -O`, `git clone … DIR`, `tar -C DIR`, a copy's destination, `> file`), or an ADD of a URL does, and
        nothing newer removed or hid it: what is there is out of view, but it is there."""
        path = normalise(image_path)
        for layer in reversed(self.layers):
            rel = _relative(path, layer.path)
            if layer.kind == "removed":
                if rel and fnmatch.fnmatchcase(rel.split("/", 1)[0], layer.source):
                    return False
            elif rel is not None:
                if layer.made and layer.path != "/":
                    return True
                if layer.replaces:
                    return False
        return False

    def listdir(self, image_dir: str, depth: int = 0) -> Listing:
        """What a directory holds, newest source first for each name."""
        directory = normalise(image_dir)
        names: dict[str, Any] = {}
        complete = True
        gone: list[str] = []  # globs of names `rm` took out of this directory after older layers put them there

        def add(name: str, source: Any) -> None:
            if name not in names and not any(fnmatch.fnmatchcase(name, pattern) for pattern in gone):
                names[name] = source

        for layer in reversed(self.layers):
            if layer.kind == "removed":
                if layer.path == directory:
                    if layer.source == "*":  # `rm -rf dir/*`: older layers leave only dot files, which `*` skips
                        return Listing(names, complete)
                    gone.append(layer.source)
                else:
                    rel = _relative(directory, layer.path)
                    if rel and fnmatch.fnmatchcase(rel.split("/", 1)[0], layer.source):
                        return Listing(names, complete)  # the directory itself was removed
                continue
            inside = _relative(layer.path, directory)
            if inside:  # the layer is below the directory: its first component is a name here
                name = inside.split("/", 1)[0]
                add(name, layer.source if layer.kind == "file" and "/" not in inside else Unknown("a directory"))
                continue
            rel = _relative(directory, layer.path)
            if rel is None:
                continue
            if layer.kind == "tree":
                folder = layer.source / rel if rel else layer.source
                try:
                    with os.scandir(folder) as entries:
                        for entry in entries:
                            if not (layer.ignored and layer.ignored(folder / entry.name)):
                                add(entry.name, folder / entry.name)
                except OSError:
                    pass
            elif layer.kind == "alias" and depth < 8:
                stage, source_path = layer.source
                found = stage.listdir(posixpath.join(source_path, rel) if rel else source_path, depth + 1)
                for name, source in found.names.items():
                    add(name, source)
                complete = complete and found.complete
            elif layer.kind == "unknown":
                complete = False
            elif layer.kind == "file" and rel == "":
                return Listing(names, complete)  # a file, not a directory
            if layer.replaces:
                return Listing(names, complete)
        bottom = self._bottom_listing(directory)
        for name, source in bottom.names.items():
            add(name, source)
        return Listing(names, complete and bottom.complete)

    def glob(self, pattern: str) -> Listing:
        """Image paths matching a glob (as nginx `include` matches: `*`, `?`, `[...]` within one component)."""
        pattern = normalise(pattern)
        parts = pattern.strip("/").split("/")
        results: dict[str, Any] = {}
        complete = True
        frontier = ["/"]
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            next_frontier: list[str] = []
            for directory in frontier:
                if not any(char in part for char in "*?["):
                    path = posixpath.join(directory, part)
                    if last:
                        found = self.where(path)
                        if isinstance(found, Unknown):
                            complete = False
                        elif found is not ABSENT:
                            results[path] = found
                    else:
                        next_frontier.append(path)
                    continue
                listing = self.listdir(directory)
                complete = complete and listing.complete
                for name in sorted(listing.names):
                    if fnmatch.fnmatchcase(name, part) and not (name.startswith(".") and not part.startswith(".")):
                        path = posixpath.join(directory, name)
                        if last:
                            results[path] = listing.names[name]
                        else:
                            next_frontier.append(path)
            frontier = next_frontier
        return Listing(results, complete)
