"""The log files a repository's logrotate configs rotate (`/config/log/nginx/*.log { weekly … }` in
`etc/logrotate.d/nginx`): a file its image rotates is one it keeps on purpose, in bounded space.

A logrotate config is found by its path (a `logrotate.d/` directory, s6's `cont-logrotate.d/`, `logrotate.conf`);
its stanzas name the files they rotate before a `{`, with globs (logrotate(8), "CONFIGURATION FILE DIRECTIVES").
"""
from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from .. import sources

# The file names before a stanza's `{`: `/var/log/nginx/*.log /var/log/nginx/error.log {`
_STANZA = re.compile(r"^[ \t]*(/[^{\n]*?)[ \t]*\{", re.MULTILINE)


def rotated(loader, top: Path, file: str) -> bool:
    """Whether a logrotate config of the repository at `top` rotates the container path `file`."""
    return any(fnmatch.fnmatchcase(file, pattern) for pattern in _patterns(loader, top))


def _patterns(loader, top: Path) -> list[str]:
    return loader.once("logrotate", top, lambda: list(_read_patterns(loader, top)))


def _read_patterns(loader, top: Path):
    for directory, name in loader.files_below(top):
        if "logrotate" not in directory.name and "logrotate" not in name:
            continue
        try:
            text = loader.text(directory / name)
        except sources.Unreadable:
            continue
        for stanza in _STANZA.finditer(text):
            yield from (word.strip("\"'") for word in stanza.group(1).split())
