"""The files a repository's own shell scripts write by name: an installer that copies a config into place and then
writes the file it includes beside it (`cat > ${nginx_install_dir}/conf/proxy.conf << EOF`), or a container's start
script that renders one before nginx starts (`envsubst < x.tmpl > /etc/nginx/includes/x.conf`, `tempio -template
listen.gotmpl -out /usr/local/nginx/conf/listen.conf` in an s6 `run` script). An include of such a name is satisfied
at install or start time, out of view: what the file holds is unknown, not absent. A script is a `.sh` or `.bash`
file, or a file without a suffix that starts with a shell's `#!` line (`run`, `docker-entrypoint`).

Read once per repository and run, and only when an include finds nothing.
"""
from __future__ import annotations

import re
from pathlib import Path

# `> path`, `>> path` (a heredoc's `cat > path << EOF` too), `tee [-a] path` and a renderer's or downloader's output
# option (`-out path`, `--out=path`, `-o path`): the written path.
_WRITTEN = re.compile(r"(?:>>?|\btee(?:[ \t]+-a)?|[ \t]-(?:-?out|o)(?:=|[ \t]+))[ \t]*[\"']?([^\s\"'<>|;&]+)")
_SCRIPT_SUFFIXES = (".sh", ".bash")
_SHELL_LINE = re.compile(rb"#![^\n]*\b(?:sh|bash|ash|dash)\b")


def written_names(loader, top: Path) -> frozenset[str]:
    """The file names the shell scripts under `top` write (`proxy.conf`), read once per run."""
    memo = loader.memo("script-written-names")
    found = memo.get(top)
    if found is None:
        names: set[str] = set()
        for directory, name in loader.files_below(top):
            if name.endswith(_SCRIPT_SUFFIXES) or "." not in name and _starts_as_shell(directory / name):
                try:
                    text = (directory / name).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                names.update(name for match in _WRITTEN.finditer(text)
                             if "." in (name := match.group(1).rsplit("/", 1)[-1]))
        found = memo[top] = frozenset(names)
    return found


def _starts_as_shell(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return bool(_SHELL_LINE.match(handle.read(80)))
    except OSError:
        return False
