"""Paths the repository's shell scripts replace with a symbolic link.

Images that keep state on one volume often move a directory there at start and leave a link behind
(`mv /var/log /shared/logs/var-log && ln -sf /shared/logs/var-log /var/log`). A file nginx writes under such a
directory ends up wherever the link points, which nginxlint cannot follow through every script that may run: where
a log lands is then out of sight. The same holds for a log file linked to a stream (`ln -sf /dev/stdout
/var/log/nginx/access.log`, as the official nginx image does).
"""
from __future__ import annotations

from pathlib import Path

from ..shell_scripts import shell_scripts
from .installs import symbolic_link
from .startup import read_script


def script_links(loader, config: Path) -> frozenset[str]:
    """The absolute paths (directories or files) that a shell script of `config`'s repository turns into a symbolic
    link, read once per repository and run."""
    top = loader.repository_top(config.parent)
    return loader.once("script-links", top, lambda: frozenset(_scan(loader, top)))


def _scan(loader, top: Path):
    for _, text in shell_scripts(loader, top):
        yield from links_in(text)


def links_in(script: str):
    """The absolute paths the script's `ln -s TARGET /path` commands make links (as the image model reads them)."""
    for command in read_script(script.replace("\\\n", " ")).commands:  # one command across continued lines
        found = symbolic_link(command.words[1:], "/") if command.program == "ln" else None
        if found is not None and command.words[-1].startswith("/") and found[0] != "/":  # an absolute link only
            yield found[0]

