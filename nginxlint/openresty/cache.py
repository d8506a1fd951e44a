"""Per-run caches, kept beside the loader (one loader per run) and dropped with it, and the one cached file read."""
from __future__ import annotations

import weakref
from pathlib import Path

_RUNS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def run_cache(loader, name: str) -> dict:
    """A dict private to one run and one purpose (files read, Lua analyses, ...). A config embedded in a manifest
    is loaded through a view of the run's loader (`_loader`): the view shares the run's caches."""
    loader = getattr(loader, "_loader", loader)
    caches = _RUNS.get(loader)
    if caches is None:
        caches = {}
        _RUNS[loader] = caches
    return caches.setdefault(name, {})


def read_once(loader, path: Path):
    """A file of the project as a SourceFile, read once per run whatever the number of deployments reading it;
    the reason, as a string, when it cannot be read (bytecode, binary, unreadable)."""
    from ..sources import SourceFile, Unreadable, read_text

    cache = run_cache(loader, "files")
    hit = cache.get(path)
    if hit is None:
        try:
            hit = SourceFile(path, loader.display(path), read_text(path))
        except Unreadable as why:
            hit = str(why)
        cache[path] = hit
    return hit
