"""Pausing Python's cyclic garbage collector while a run builds its long-lived graphs (parse trees, config trees
whose nodes point at their parents, ASTs, YAML nodes).

Each allocation burst triggers a collection that rescans the whole fast-growing graph, for nothing: the graphs live
until the run ends. Reference counting still frees what has no cycle; the command line never collects what a run
built at all (it exits), see cli.main.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic GC for the block; restore it afterwards only if it was enabled before (nesting is safe)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
