"""Per-run caches, kept beside the loader (one loader per run) and dropped with it."""
from __future__ import annotations

import weakref

_RUNS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def run_cache(loader, name: str) -> dict:
    """A dict private to one run and one purpose (files read, repository scan, ...)."""
    caches = _RUNS.get(loader)
    if caches is None:
        caches = {}
        _RUNS[loader] = caches
    return caches.setdefault(name, {})
