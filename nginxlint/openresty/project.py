"""What the project installs around its config: rocks named in Dockerfiles and LuaRocks manifests.

The repository is walked once per run (per loader); each deployment then takes the Dockerfiles in the directories
from its config up to the repository root and under its prefix, and every LuaRocks manifest of the repository.
"""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from ..nginx.source import Unreadable, read_text
from .cache import run_cache
from .modules import builtin_modules, dockerfile_rocks, manifest_rocks

SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox"})
DOCKERFILE_PATTERNS = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile", "Containerfile.*")
MANIFEST_NAMES = ("manifest", "manifest-5.1")
MAX_DEPTH = 8

def _scan(loader) -> tuple[list[Path], list[Path]]:
    cache = run_cache(loader, "repository-scan")
    hit = cache.get("scan")
    if hit is not None:
        return hit
    root = Path(loader.base_dir)
    dockerfiles: list[Path] = []
    manifests: list[Path] = []
    base_depth = len(root.parts)
    for current, dirs, files in os.walk(root):
        here = Path(current)
        if len(here.parts) - base_depth >= MAX_DEPTH:
            dirs[:] = []
        else:
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if any(fnmatch.fnmatchcase(name, p) for p in DOCKERFILE_PATTERNS):
                dockerfiles.append(here / name)
            elif name in MANIFEST_NAMES and "rocks" in here.name:
                manifests.append(here / name)
    hit = (dockerfiles, manifests)
    cache["scan"] = hit
    return hit


def _relevant_dockerfiles(dep, dockerfiles: list[Path]) -> list[Path]:
    """Dockerfiles next to the config, in the directories above it (up to the repository root) or under the prefix."""
    conf_dir = Path(os.path.abspath(dep.conf_dir))
    prefix = Path(os.path.abspath(dep.prefix))
    above = {conf_dir, *conf_dir.parents}
    chosen = []
    for path in dockerfiles:
        if path.parent in above or prefix in path.parents:
            chosen.append(path)
    return chosen


class ProjectModules:
    """Modules a `require` finds without a Lua file in the project: built in, bundled, known, or installed.

    The repository is scanned for Dockerfiles and manifests only when a module is none of the first three, so
    that configs whose Lua needs nothing installed (or that have no Lua) never pay for the walk.
    """

    def __init__(self, dep):
        self.dep = dep
        self.modules = builtin_modules()
        self.modules.update(dep.settings.known_modules, "listed in lua.known-modules")
        self._installed_read = False

    def why(self, module: str) -> str | None:
        found = self.modules.why(module)
        if found is None and not self._installed_read:
            self._installed_read = True
            self._add_installed()
            found = self.modules.why(module)
        return found

    def __contains__(self, module: str) -> bool:
        return self.why(module) is not None

    def _add_installed(self) -> None:
        dep, modules = self.dep, self.modules
        dockerfiles, manifests = _scan(dep.loader)
        for path in _relevant_dockerfiles(dep, dockerfiles):
            for rock in _read(dep.loader, path, dockerfile_rocks):
                modules.update(rock.modules, f"installed by `luarocks install {rock.rock}` in "
                                             f"{dep.loader.display(path)}:{rock.line}")
        for path in manifests:
            for rock in _read(dep.loader, path, manifest_rocks):
                modules.update(rock.modules, f"installed according to the LuaRocks manifest "
                                             f"{dep.loader.display(path)}")


def project_modules(dep) -> ProjectModules:
    return ProjectModules(dep)


def _read(loader, path: Path, reader):
    cache = run_cache(loader, "installed-rocks")
    hit = cache.get(path)
    if hit is None:
        try:
            hit = reader(path, read_text(path))
        except Unreadable:
            hit = []
        cache[path] = hit
    return hit
