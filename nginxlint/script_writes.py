"""The files a repository's own shell scripts write by name: an installer that copies a config into place and then
writes the file it includes beside it (`cat > ${nginx_install_dir}/conf/proxy.conf << EOF`). An include of such a
name is satisfied at install time, out of view: what the file holds is unknown, not absent.

Read once per repository and run, and only when an include finds nothing.
"""
from __future__ import annotations

import re
from pathlib import Path

# `> path`, `>> path` (a heredoc's `cat > path << EOF` too) and `tee [-a] path`: the written path.
_WRITTEN = re.compile(r"(?:>>?|\btee(?:[ \t]+-a)?)[ \t]*[\"']?([^\s\"'<>|;&]+)")
_SCRIPT_SUFFIXES = (".sh", ".bash")


def written_names(loader, top: Path) -> frozenset[str]:
    """The file names the shell scripts under `top` write (`proxy.conf`), read once per run."""
    memo = loader.memo("script-written-names")
    found = memo.get(top)
    if found is None:
        names: set[str] = set()
        for directory, name in loader.files_below(top):
            if name.endswith(_SCRIPT_SUFFIXES):
                try:
                    text = (directory / name).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                names.update(name for match in _WRITTEN.finditer(text)
                             if "." in (name := match.group(1).rsplit("/", 1)[-1]))
        found = memo[top] = frozenset(names)
    return found
