"""The files a repository's own shell scripts write by name: an installer that copies a config into place and then
writes the file it includes beside it (`cat > ${nginx_install_dir}/conf/proxy.conf << EOF`), or a container's start
script that renders one before nginx starts (`envsubst < x.tmpl > /etc/nginx/includes/x.conf`, `tempio -template
listen.gotmpl -out /usr/local/nginx/conf/listen.conf` in an s6 `run` script). An include of such a name is satisfied
at install or start time, out of view: what the file holds is unknown, not absent.

A start script may also write a file for each include line of the config that a regex of its own matches, at the
path the match gives (Malcolm's `listen_443.conf` for `include /etc/nginx/listen_443.conf;`, holding `listen
${PORT};` because nginx's `listen` takes no variable): an include that such a regex matches is satisfied at start
too.

A start script may assemble the config directory from the repository's own directories (`cp -r /root/custom/
/etc/nginx/conf.d/`, after the image copied `src/` to `/root`): an include of `conf.d/custom/proxy/proxy.conf` is
satisfied where a repository directory named `custom` holds `proxy/proxy.conf`.

Read once per repository and run, and only when an include finds nothing.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from .shell_scripts import shell_scripts


def written_names(loader, top: Path) -> frozenset[str]:
    """The file names the shell scripts under `top` write (`proxy.conf`), read once per run: what the commands put
    at a path as the image model reads a RUN (a redirection, `tee`, a copy's destination, a download's or a template
    renderer's output), here documents left out."""
    return loader.once("script-written-names", top, lambda: _written(loader, top))


def _script_effects(loader, top: Path) -> tuple:
    """(text, what its commands write) of each shell script under `top`, read by the shell reader once per run."""
    def read():
        from .container.installs import run_effects  # the shell reader, only once an include finds nothing
        from .container.startup import without_heredoc_bodies

        return tuple((text, run_effects(without_heredoc_bodies(text), "/", 0).written)
                     for _, text in shell_scripts(loader, top))
    return loader.once("script-effects", top, read)


def _written(loader, top: Path) -> frozenset[str]:
    return frozenset(name for _, written_paths in _script_effects(loader, top) for written in written_paths
                     if written.made and "." in (name := posixpath.basename(written.path)))


def copied_from_directory(loader, top: Path, pattern: str) -> bool:
    """A script under `top` copies a directory named as one of the include's directories (`custom` in
    `conf.d/custom/proxy/proxy.conf`), and a repository directory of that name holds the rest of the path."""
    names = loader.once("script-copied-directories", top, lambda: _copied_directories(loader, top))
    parts = pattern.strip("/").split("/")
    suffixes = {"/".join(parts[index:]) for index, part in enumerate(parts[:-1]) if part in names}
    return bool(suffixes) and not suffixes.isdisjoint(_directory_files(loader, top, names))


def cloned_into(loader, top: Path, pattern: str) -> bool:
    """A script under `top` clones a repository into a directory named as one of the include's directories
    (`git clone …/server-configs-nginx.git /etc/nginx/server-configs-nginx` for `server-configs-nginx/h5bp/…`):
    what the clone holds is out of view."""
    names = loader.once("script-cloned-directories", top, lambda: _last_names(
        loader, top, lambda written: written.what.startswith("git clone")))
    return not names.isdisjoint(pattern.strip("/").split("/")[:-1])


def _copied_directories(loader, top: Path) -> frozenset[str]:
    """The last names of what the scripts copy from (`custom` of `cp -r /root/custom/ …`)."""
    return _last_names(loader, top, lambda written: written.what == "cp" and not written.made)


def _last_names(loader, top: Path, chosen) -> frozenset[str]:
    """The last names of the paths the scripts' commands write that `chosen` keeps, those a variable names left out."""
    return frozenset(name for _, written_paths in _script_effects(loader, top) for written in written_paths
                     if chosen(written) and (name := posixpath.basename(written.path.rstrip("/"))) and "$" not in name)


def _directory_files(loader, top: Path, names: frozenset[str]) -> frozenset[str]:
    """`custom/proxy/proxy.conf` for each file below a repository directory named as a copied one, read once."""
    def paths():
        for directory, name in loader.files_below(top):
            parts = directory.relative_to(top).parts
            for index, part in enumerate(parts):
                if part in names:
                    yield "/".join((*parts[index:], name))
    return loader.once("script-copied-files", top, lambda: frozenset(paths()) if names else frozenset())


def written_by_pattern(loader, top: Path, line: str) -> bool:
    """A script under `top` writes to a path it only computes (`> "${IFILE}"`) and holds a regex of `.conf` names that
    matches this include line (`include /etc/nginx/listen_443.conf;`): it writes the file the line names."""
    return any(pattern.search(line) for pattern in loader.once("script-written-patterns", top,
                                                                lambda: _patterns(loader, top)))


_COMPUTED_PATH = re.compile(r"/?\$\{?\w+\}?")
_QUOTED = re.compile(r""""[^"\n]*"|'[^'\n]*'""")
_SHELL_VARIABLE = re.compile(r"\$\{?\w+\}?")


def _patterns(loader, top: Path) -> tuple[re.Pattern, ...]:
    found = []
    for text, written_paths in _script_effects(loader, top):
        if "\\.conf" not in text:
            continue
        if not any(written.made and _COMPUTED_PATH.fullmatch(written.path) for written in written_paths):
            continue
        for quoted in _QUOTED.finditer(text):
            literal = quoted.group()[1:-1]
            if "\\.conf" in literal and "(" in literal:
                try:  # the shell's variables in the regex stand for directories: any text
                    found.append(re.compile(_SHELL_VARIABLE.sub(".*", literal)))
                except re.error:
                    pass
    return tuple(found)
