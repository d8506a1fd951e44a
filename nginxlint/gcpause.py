"""Pausing Python's cyclic garbage collector while building many small acyclic objects (ASTs, YAML nodes).

Each allocation burst triggers a collection that rescans the whole fast-growing graph, for nothing: such graphs
hold no reference cycles. Reference counting still frees everything as usual.
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
