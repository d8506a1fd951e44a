"""Directives that nginx modules kept in the repository define (an in-house or vendored module's C source): an
nginx built with the module knows their names, so nginxlint must not call them unknown (NGX004).

A module declares its directives in an `ngx_command_t` array, one `{ ngx_string("name"), NGX_…_CONF|…, … }` entry
each; that is read here, not the argument counts or contexts. Its sources are the files named as nginx names its
own (`ngx_*.c`, `ndk_*.c`, C++ too), the C and C++ files of a directory named for nginx (`src/nginx/module.cc`,
built by Bazel or CMake), and those its build script lists: the `config` file nginx's `--add-module` runs, which
sets `ngx_addon_name` and names them under `$ngx_addon_dir`.
"""
from __future__ import annotations

import re
from pathlib import Path

_C_SOURCES = (".c", ".cc", ".cpp", ".cxx")
_ADDON_SOURCE = re.compile(r"\$\{?ngx_addon_dir\}?/([\w./-]+\.c(?:c|pp|xx)?)\b")
# A comment may follow a field (`ngx_string("endpoints"),  // name`); a space may stand before the parenthesis and a
# line break before the comma (`{ ngx_string ("zauth")` then `, NGX_HTTP_LOC_CONF | …` on the next line).
COMMAND_ENTRY = re.compile(
    r'\{\s*ngx_string\s*\(\s*"([A-Za-z0-9_]+)"\s*\)\s*,(?:\s*//[^\n]*|\s*/\*.*?\*/)*\s*(?:NGX|NDK)_[A-Z0-9_]+',
    re.DOTALL)


def directives_in(text: str) -> set[str]:
    return set(COMMAND_ENTRY.findall(text)) if "ngx_command_t" in text else set()


def repository_directives(loader, top: Path) -> frozenset[str]:
    """The directive names every module source under `top` defines, read once per run."""
    return loader.once("module source directives", top, lambda: frozenset(_directives(loader, top)))


def _directives(loader, top: Path) -> set[str]:
    names: set[str] = set()
    for path in _module_sources(loader, top):
        try:
            names |= directives_in(path.read_text("utf-8", "replace"))
        except OSError:
            continue
    return names


def _module_sources(loader, top: Path) -> set[Path]:
    sources = set()
    for directory, name in loader.files_below(top):
        if name.endswith(_C_SOURCES) and (name.startswith(("ngx_", "ndk_")) or "nginx" in directory.name.lower()):
            sources.add(directory / name)
        elif name == "config":
            try:
                text = (directory / name).read_text("utf-8", "replace")
            except OSError:
                continue
            if "ngx_addon_name" in text:
                sources.update(directory / source for source in _ADDON_SOURCE.findall(text))
    return sources
