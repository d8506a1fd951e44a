"""Placeholder tokens a container's start scripts replace in the configs before nginx starts.

Images built on the official nginx image run `/docker-entrypoint.d/*.sh` at start, and such scripts often fill in
a config with `sed -i 's#PROXY_SSL_CONFIG#'"$PROXY_SSL_CONFIG"'#' /etc/nginx/conf.d/default.conf`. The word they
replace is a placeholder: nginx never reads it. The scripts are found where start scripts live, beside the config
or beside one of its parent directories up to the repository: `docker-entrypoint.d/*.sh`, `entrypoint.d/*.sh` and
`*entrypoint*.sh`, and s6-overlay's `cont-init.d/*`; and the script a Dockerfile there starts its image with,
whatever its name, with the scripts it runs or sources (start_writes.start_script_texts). The lines the same
scripts delete or rewrite are read in start_edits. A word in braces that any shell script there quotes whole
(`vvv_search_replace "${NCONFIG}" "{vvv_hosts}" "${VVV_HOSTS}"`) is such a token too, whatever replaces it.
Sources: https://github.com/nginxinc/docker-nginx/blob/master/entrypoint/docker-entrypoint.sh,
https://github.com/just-containers/s6-overlay#executing-initialization-andor-finalization-tasks
"""
from __future__ import annotations

import re
from pathlib import Path

from typing import TYPE_CHECKING

from .. import sources
from .dockerfile import is_dockerfile_name

if TYPE_CHECKING:
    from .start_edits import LineEdit

SCRIPT_DIRS = ("docker-entrypoint.d", "entrypoint.d")
S6_INIT_DIR = "cont-init.d"  # s6-overlay runs every file there before the services
# `sed` editing a file in place: -i, -i.bak, -ir, -Ei, --in-place
_SED_IN_PLACE = re.compile(r"(?<![\w./-])sed\s(?:[^\n]*?\s)?(?:-[A-Za-z]*i|--in-place)")
# `s#TOKEN#…`: an upper-case word as the whole pattern, any delimiter, bare or wrapped as templates wrap their
# tokens: `{TOKEN}` (or `{token}`), `{%TOKEN%}`, `%TOKEN%`, `__TOKEN__`, autoconf's `@TOKEN@`, `!TOKEN!` (the
# wrapping is part of what the script replaces); or a shell-style `${name}` of any case, `\${name}` inside double
# quotes (nginx would read it as its variable $name)
_NAME = r"[A-Z][A-Z0-9_]*[A-Z0-9]"
_ANY_CASE_NAME = r"[A-Za-z][A-Za-z0-9_]*[A-Za-z0-9]"  # in braces, a name of any case: `{site}` as a script fills it
_TOKEN_SUBSTITUTION = re.compile(
    rf"(?<![\w\\])s([^\w\s\\])({_NAME}|\{{{_ANY_CASE_NAME}\}}|\{{%{_NAME}%\}}|%{_NAME}%|__{_NAME}__|@{_NAME}@|"
    rf"!{_NAME}!|\\?\$\{{[A-Za-z_][A-Za-z0-9_]*\}})\1")
# `[@]` in a sed pattern is the character itself, written so that the script's own text holds no token
_ONE_CHARACTER_CLASS = re.compile(r"\[([@%])\]")
# a shell line continued on the next one: `sed -i \` then `    -e "s/{PORT}/…/" \` then the file
_CONTINUATION = re.compile(r"\\\n")


# `sed "$reg" nginx.conf.template > nginx.conf`: sed writing the edited text to a file, its expression in a variable
_SED_TO_FILE = re.compile(r"(?<![\w./-])sed\s[^\n]*?\$\{?(\w+)\}?[\"']?\s[^\n]*>")
# `reg="s/A/b/"`, `export reg=…`: a line that assigns a variable, up to its value
_ASSIGNED = re.compile(r"\s*(?:export\s+|local\s+)?(\w+)=")


def sed_tokens(script: str) -> set[str]:
    """Upper-case words and `${names}` a script's `sed -i` replaces (three characters or more: `s/A/b/` is an edit,
    not a placeholder), with the braces, percent signs, double underscores, at signs or exclamation marks around them;
    and those of an expression a variable holds (`reg="s/REPLICAS/$servers/"`) that a sed writing to a file is
    given. A command continued on the next line (a line ending in a backslash) is read as one line."""
    tokens = set()
    lines = _CONTINUATION.sub(" ", script).splitlines()
    expressions = {found.group(1) for line in lines if (found := _SED_TO_FILE.search(line))}
    for line in lines:
        found = _SED_IN_PLACE.search(line)
        start = found.end() if found is not None else _assigned_start(line, expressions)
        if start is None:
            continue
        line = _ONE_CHARACTER_CLASS.sub(r"\1", line)
        tokens.update(m.group(2).lstrip("\\") for m in _TOKEN_SUBSTITUTION.finditer(line, start)
                      if len(m.group(2).strip("\\${}%_@!")) >= 3)
    return tokens


def _assigned_start(line: str, names: set[str]) -> int | None:
    """Where the value starts when the line assigns one of these variables (`reg="s/A/b/"`), else None."""
    assignment = _ASSIGNED.match(line)
    return assignment.end() if assignment is not None and assignment.group(1) in names else None


# `"{vvv_hosts}"`: a word in braces, quoted whole in a shell script of the repository, is a token the script
# replaces in the configs it installs (with sed, or bash's `${content//$token/$value}`); nginx never reads it, and
# reads `{` as the start of a block.
_QUOTED_BRACE_TOKEN = re.compile(r"""(?<![\w$])(["'])(\{[A-Za-z_][A-Za-z0-9_]{2,}\})\1""")


# `sed -i "s/<cluster-nodeport-of-all-nodes>/$servers/g"`: a word in angle brackets a script of the repository
# replaces in the config it installs (`cp nginx.conf.sample /etc/nginx/nginx.conf` first); it may stand for whole
# directives.
_ANGLE_TOKEN_SUBSTITUTION = re.compile(r"(?<![\w\\])s([^\w\s\\<>])(<[A-Za-z][\w.-]{2,}>)\1")


def brace_tokens(script: str) -> set[str]:
    """The placeholders a provisioning script of the repository fills in: quoted brace words, and the angle-bracket
    words its `sed -i` replaces."""
    tokens = {m.group(2) for m in _QUOTED_BRACE_TOKEN.finditer(script)}
    if "<" in script:
        for line in _CONTINUATION.sub(" ", script).splitlines():
            found = _SED_IN_PLACE.search(line)
            if found is not None:
                tokens.update(m.group(2) for m in _ANGLE_TOKEN_SUBSTITUTION.finditer(line, found.end()))
    return tokens


# A token in a wrapping no nginx config holds (`{BASE_URL}`, `{%APP_HOST%}`, `%PORT%`, `__HOST__`, `@ROOT@`,
# `!NAME!`): a `sed -i` of any script of the repository that replaces it fills it in, wherever the script sits (a
# Python start script's `call("sed -i 's@{BASE_URL}@" + url + "@g' " + NGINX_FILE, shell=True)` in
# resources/scripts/).
_WRAPPED_TOKEN = re.compile(rf"\{{{_ANY_CASE_NAME}\}}|\{{%{_NAME}%\}}|%{_NAME}%|__{_NAME}__|@{_NAME}@|!{_NAME}!")
_SCRIPT_SUFFIXES = frozenset({".sh", ".bash", ".py", ".pl", ".rb"})
_LARGEST_SCRIPT = 256 * 1024


def wrapped_tokens_replaced(loader, config: Path, text: str) -> frozenset[str]:
    """The wrapped tokens of the config's text that a script of its repository replaces with `sed -i`."""
    wanted = set(_WRAPPED_TOKEN.findall(text))
    if not wanted:
        return frozenset()
    top = loader.repository_top(config.parent)
    return frozenset(wanted & loader.once("repository-sed-tokens", top, lambda: _repository_sed_tokens(loader, top)))


def _repository_sed_tokens(loader, top: Path) -> frozenset[str]:
    tokens: set[str] = set()
    for path in loader.files_under(top):
        if path.suffix and path.suffix not in _SCRIPT_SUFFIXES:
            continue
        try:
            if path.stat().st_size > _LARGEST_SCRIPT:
                continue
            script = loader.text(path)
        except (OSError, sources.Unreadable):
            continue
        # a script of no suffix says what runs it on its first line (`bin/docker-environment`: `#!/bin/bash`)
        if "sed" in script and (path.suffix or script.startswith("#!")):
            tokens |= sed_tokens(script)
    return frozenset(tokens)


def placeholders_near(loader, config: Path) -> frozenset[str]:
    """The tokens the start scripts beside `config`'s directory or its parents (up to its repository, or the
    directory the run started in) replace."""
    return frozenset(token for tokens, _ in _near(loader, config) for token in tokens)


def line_edits_near(loader, config: Path) -> list[LineEdit]:
    """The line edits (`sed -i '/re/d'`, `s/re/…/`) of the start scripts beside `config`'s directory or its
    parents."""
    return [edit for _, edits in _near(loader, config) for edit in edits]


def _near(loader, config: Path) -> list[tuple[frozenset[str], tuple[LineEdit, ...]]]:
    """What the start scripts of `config`'s directory and of each parent up to the repository do: the tokens they
    replace and the lines they edit, one entry per directory (read once per run)."""
    memo = loader.memo("placeholders")
    directory = config.parent
    near = memo.get(("near", directory))  # the answer for every config of one directory
    if near is not None:
        return near
    top = loader.repository_top(directory)
    chain = [directory]
    while directory != top and directory.parent != directory and top in directory.parents:
        directory = directory.parent
        chain.append(directory)
    near = []
    for directory in chain:
        hit = memo.get(directory)
        if hit is None:
            hit = memo[directory] = _read_scripts_in(loader, directory)
        near.append(hit)
    memo[("near", config.parent)] = near
    return near


def _read_scripts_in(loader, directory: Path) -> tuple[frozenset[str], tuple[LineEdit, ...]]:
    tokens: set[str] = set()
    edits: list[LineEdit] = []
    texts = list(_script_texts(loader, directory))
    if texts:
        from .start_edits import sed_line_edits  # the shell reader, only where start scripts are
    for text in texts:
        tokens |= sed_tokens(text)
        edits += sed_line_edits(text)
    for name in loader.listing(directory)[1]:
        if name.endswith(".sh"):  # any script here, a provisioning one as much as a start script
            try:
                tokens |= brace_tokens(loader.text(directory / name))
            except sources.Unreadable:
                continue
    return frozenset(tokens), tuple(edits)


def _script_texts(loader, directory: Path):
    """The texts of the start scripts kept in the directory, then of those a Dockerfile there starts its image with
    (its ENTRYPOINT or CMD, whatever the name, and what that runs or sources), their variables expanded."""
    scripts = start_scripts(loader, directory)
    for script in scripts:
        try:
            yield loader.text(script)
        except sources.Unreadable:
            continue
    dockerfiles = [directory / name for name in loader.listing(directory)[1] if is_dockerfile_name(name)]
    if not dockerfiles:
        return
    from .dockerfile_build import image_of  # the image model, only beside a Dockerfile
    from .start_writes import start_script_texts

    started = loader.memo("image-start-scripts")  # many Dockerfiles may start the same script: read it once
    for dockerfile in dockerfiles:
        script = _copied_start_script(loader, dockerfile)
        if script is None:
            continue  # nothing of the repository runs at start: no image to build
        if script not in started:
            image = image_of(loader, dockerfile)
            started[script] = start_script_texts(image.final) if image.final is not None else []
        yield from (text for source, text in started[script] if source not in scripts)


def _copied_start_script(loader, dockerfile: Path) -> Path | None:
    """The repository file a COPY of the Dockerfile puts at the absolute path of the script its ENTRYPOINT (or CMD)
    runs (read from the parsed Dockerfile, without building the image unless the path names its variables)."""
    from .dockerfile_binding import copied_file, parsed_dockerfile  # the Dockerfile reader, only beside one
    from .start_writes import started_scripts

    build = parsed_dockerfile(loader, dockerfile)
    command = next((value.value for value in (build.entrypoint, build.cmd) if value is not None), None) \
        if build is not None else None
    if not isinstance(command, tuple):
        return None
    scripts = started_scripts(command)
    if any("$" in script or "/" not in script for script in scripts):
        # `CMD . $PREFIX/start.sh`, `tini -- entrypoint.sh`: the image's ENV and PATH say where
        from .dockerfile_build import image_of
        from .start_writes import start_script

        image = image_of(loader, dockerfile)
        found = start_script(image.final) if image.final is not None else None
        return found[1] if found is not None else None
    return next((found for script in scripts if script.startswith("/")
                 and (found := copied_file(build, dockerfile.parent, script)) is not None), None)


def start_scripts(loader, directory: Path) -> list[Path]:
    """The start scripts kept in a directory: `*entrypoint*.sh`, the `.sh` files of `docker-entrypoint.d/` and
    `entrypoint.d/`, and every file of s6-overlay's `cont-init.d/` (which runs them all, whatever their names)."""
    dirs, files = loader.listing(directory)
    scripts = [directory / name for name in files if "entrypoint" in name and name.endswith(".sh")]
    for name in SCRIPT_DIRS:
        if name in dirs:
            scripts += [directory / name / file for file in loader.listing(directory / name)[1] if file.endswith(".sh")]
    if S6_INIT_DIR in dirs:
        scripts += [directory / S6_INIT_DIR / file for file in loader.listing(directory / S6_INIT_DIR)[1]]
    return scripts
