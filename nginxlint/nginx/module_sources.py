"""Directives that nginx modules kept in the repository define (an in-house or vendored module's C source): an
nginx built with the module knows their names, so nginxlint must not call them unknown (NGX004).

A module declares its directives in an `ngx_command_t` array, one `{ ngx_string("name"), NGX_…_CONF|…, … }` entry
each; that is read here, not the argument counts or contexts.
"""
from __future__ import annotations

import re
from pathlib import Path

COMMAND_ENTRY = re.compile(r'\{\s*ngx_string\(\s*"([A-Za-z0-9_]+)"\s*\)\s*,\s*(?:NGX|NDK)_[A-Z0-9_]+')


def directives_in(text: str) -> set[str]:
    return set(COMMAND_ENTRY.findall(text)) if "ngx_command_t" in text else set()


def repository_directives(loader, top: Path) -> frozenset[str]:
    """The directive names every module source (`ngx_*.c`, `ndk_*.c`) under `top` defines, read once per run."""
    memo = loader.memo("module source directives")
    found = memo.get(top)
    if found is None:
        names: set[str] = set()
        for directory, name in loader.files_below(top):
            if name.endswith(".c") and name.startswith(("ngx_", "ndk_")):
                try:
                    names |= directives_in((directory / name).read_text("utf-8", "replace"))
                except OSError:
                    continue
        found = memo[top] = frozenset(names)
    return found
