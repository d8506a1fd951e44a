"""A content-addressed cache for pure analyses (Lua facts): key = nginxlint version + kind + content hash.

It lives in the user's cache directory (XDG_CACHE_HOME, never inside the linted tree); `--no-cache` turns it off.
A broken or unwritable cache is ignored: the analysis simply runs. The directory is the user's own, so loading
pickles from it trusts nothing the user does not already run. `kind` names the format of what is stored (it
changes when the shape of the stored value changes).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Callable

from . import __version__


def default_directory() -> Path:
    """NGINXLINT_CACHE_DIR when set, else the XDG cache directory."""
    if os.environ.get("NGINXLINT_CACHE_DIR"):
        return Path(os.environ["NGINXLINT_CACHE_DIR"]) / __version__
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nginxlint" / __version__


class Cache:
    def __init__(self, directory: Path | None):
        self.directory = directory

    def get(self, kind: str, text: str, compute: Callable[[str], object]):
        """compute(text), from the cache when this exact text was analysed before by this version."""
        if self.directory is None:
            return compute(text)

        digest = hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()
        path = self.directory / kind / digest[:2] / digest
        try:
            with open(path, "rb") as handle:
                value = pickle.load(handle)
            return value
        except Exception:  # missing, truncated or from an incompatible build: recompute
            pass
        value = compute(text)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, path)
        except Exception:
            pass
        return value
