"""The files a repository's own shell scripts write by name: an installer that copies a config into place and then
writes the file it includes beside it (`cat > ${nginx_install_dir}/conf/proxy.conf << EOF`), or a container's start
script that renders one before nginx starts (`envsubst < x.tmpl > /etc/nginx/includes/x.conf`, `tempio -template
listen.gotmpl -out /usr/local/nginx/conf/listen.conf` in an s6 `run` script). An include of such a name is satisfied
at install or start time, out of view: what the file holds is unknown, not absent.

Read once per repository and run, and only when an include finds nothing.
"""
from __future__ import annotations

import posixpath
from pathlib import Path

from .shell_scripts import shell_scripts


def written_names(loader, top: Path) -> frozenset[str]:
    """The file names the shell scripts under `top` write (`proxy.conf`), read once per run: what the commands put
    at a path as the image model reads a RUN (a redirection, `tee`, a copy's destination, a download's or a template
    renderer's output), here documents left out."""
    return loader.once("script-written-names", top, lambda: _written(loader, top))


def _written(loader, top: Path) -> frozenset[str]:
    from .container.installs import run_effects  # the shell reader, only once an include finds nothing
    from .container.start_writes import without_heredoc_bodies

    return frozenset(name for _, text in shell_scripts(loader, top)
                     for written in run_effects(without_heredoc_bodies(text), "/", 0).written
                     if written.made and "." in (name := posixpath.basename(written.path)))
