"""The Lua C modules a container can load, and the libraries they need, found in its image.

A module is a repository `.so` file that the image (a Dockerfile's COPY/ADD, a mount) puts in a directory of the
C search path: `lua_package_cpath`, with `;;` standing for the image's `LUA_CPATH` or OpenResty's default. Only
files the repository holds are read; what an image layer, a rock or a download brings is out of sight.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from .filesystem import ABSENT, Filesystem, Layer, Listing, Unknown

# Where the loader looks for a needed library after DT_RPATH, LD_LIBRARY_PATH and DT_RUNPATH: musl's and glibc's
# defaults, with the multiarch directories of Debian and Ubuntu.
SYSTEM_LIBRARY_DIRS = ("/lib", "/usr/lib", "/usr/local/lib", "/lib64", "/usr/lib64", "/lib/x86_64-linux-gnu",
                       "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu")


@dataclass(frozen=True)
class CModule:
    """A C module in the container: where the image puts it, the repository file, what brought it there."""

    image_path: str
    local: Path
    layer: Layer | None  # the COPY, ADD or mount that put it there


def _cpath_dirs(templates: list[str]) -> list[tuple[str, str]]:
    """(directory, file suffix) of each absolute template whose last part is `?<suffix>`."""
    found = []
    for template in templates:
        directory, _slash, last = template.rpartition("/")
        if template.startswith("/") and last.startswith("?") and "?" not in directory + last[1:]:
            found.append((posixpath.normpath(directory or "/"), last[1:]))
    return list(dict.fromkeys(found))


def c_modules(files, templates: list[str]) -> list[CModule]:
    """The repository files the container holds where the C search path looks: `dir/name.so` and `dir/a/b.so`."""
    found: dict[str, CModule] = {}
    for directory, suffix in _cpath_dirs(templates):
        listing = files.listdir(directory)
        entries = list(listing.names.items())
        for name, source in list(entries):
            if isinstance(source, Path) and source.is_dir():
                entries += [(f"{name}/{inner}", inner_source)
                            for inner, inner_source in files.listdir(f"{directory}/{name}").names.items()]
        for name, source in entries:
            image_path = f"{directory}/{name}"
            if name.endswith(suffix) and isinstance(source, Path) and source.is_file() and image_path not in found:
                found[image_path] = CModule(image_path, source, provider(files.fs, image_path))
    return list(found.values())


def provider(fs: Filesystem, image_path: str) -> Layer | None:
    """The newest layer that puts a repository file at `image_path` (a COPY, an ADD, a mount)."""
    for layer in reversed(fs.layers):
        if layer.kind not in ("file", "tree"):
            continue
        if image_path == layer.path or image_path.startswith(layer.path.rstrip("/") + "/"):
            return layer
    return None


def in_layers(fs: Filesystem, path: str):
    """What the image's own layers and mounts (not its base image) have at `path`: a Path, Unknown, or ABSENT."""
    return Filesystem(lambda _path: ABSENT, lambda _directory: Listing({}, True), fs.layers).where(path)


def library_search_dirs(module: CModule, shared, env: dict[str, str]) -> list[str]:
    """Where the loader looks for the libraries a module needs: DT_RPATH (unless DT_RUNPATH is set),
    LD_LIBRARY_PATH, DT_RUNPATH, then the system directories. `$ORIGIN` is the module's own directory."""
    origin = posixpath.dirname(module.image_path)
    dirs = [] if shared.runpath else list(shared.rpath)
    dirs += [part for part in env.get("LD_LIBRARY_PATH", "").split(":") if part]
    dirs += list(shared.runpath)
    dirs += SYSTEM_LIBRARY_DIRS
    return [posixpath.normpath(d.replace("${ORIGIN}", origin).replace("$ORIGIN", origin)) for d in dirs]


def find_library(fs: Filesystem, name: str, dirs: list[str]):
    """Where the image's layers put the library `name` on the search path: a Path, Unknown, or ABSENT."""
    maybe = None
    for directory in dirs:
        if not directory.startswith("/"):
            return Unknown(f"a relative search directory {directory}")
        found = in_layers(fs, f"{directory}/{name}")
        if isinstance(found, Path) or (found is not ABSENT and not isinstance(found, Unknown)):
            return found
        if isinstance(found, Unknown):
            maybe = maybe or found
    return maybe or ABSENT
