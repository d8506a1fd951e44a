"""The OPM package a repository publishes, from its `dist.ini`: an image of the repository that runs
`opm get owner/lua-nginx-guard-jwt` of that very package installs the repository's own modules (the `.lua` files of
its `lib_dir`) and the OPM packages its `requires` line names (`cdbattags/lua-resty-jwt >= 0.2.0`).

OPM's dist.ini is INI without sections: `name=…`, `lib_dir=lib`, `requires = luajit, ngx_http_lua >= 0.10.6,
owner/package >= 1.0` (https://github.com/openresty/opm#author-workflow).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_MAX_LEVELS = 6  # directories above a Dockerfile searched for the repository's dist.ini


@dataclass(frozen=True)
class OpmPackage:
    name: str
    modules: tuple[str, ...]
    requires: tuple[str, ...]  # the required OPM packages' names, without owner and version


def own_package(dockerfile: Path, name: str) -> OpmPackage | None:
    """The package `name` (`lua-nginx-guard-jwt`, `owner/` and version left out) when the dist.ini of the
    Dockerfile's repository declares it: searched from the Dockerfile's directory up to the repository's top."""
    directory = dockerfile.parent
    for _ in range(_MAX_LEVELS):
        spec = directory / "dist.ini"
        if spec.is_file():
            package = _read(spec)
            return package if package is not None and package.name == name else None
        if (directory / ".git").exists() or directory.parent == directory:
            return None
        directory = directory.parent
    return None


def _read(spec: Path) -> OpmPackage | None:
    try:
        text = spec.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = {}
    for line in text.splitlines():
        key, equals, value = line.partition("=")
        if equals and not key.lstrip().startswith(("#", ";")):
            fields[key.strip().lower()] = value.strip()
    name = fields.get("name")
    if not name:
        return None
    lib = spec.parent / fields.get("lib_dir", "lib")
    requires = []  # `owner/package >= 1.0`; `luajit` and `ngx_http_lua` are OpenResty's own parts
    for entry in fields.get("requires", "").split(","):
        words = entry.split()
        if words and "/" in words[0]:
            requires.append(words[0].rsplit("/", 1)[1])
    return OpmPackage(name, _modules(lib), tuple(requires))


def _modules(lib: Path) -> tuple[str, ...]:
    """The module names of the `.lua` files below `lib` (`resty/foo.lua` is `resty.foo`, `resty/foo/init.lua` too)."""
    found = []
    for top, _directories, files in os.walk(lib):
        for file in sorted(files):
            if file.endswith(".lua"):
                relative = Path(top, file).relative_to(lib).with_suffix("")
                parts = relative.parts[:-1] if relative.name == "init" and len(relative.parts) > 1 else relative.parts
                found.append(".".join(parts))
    return tuple(sorted(found))
