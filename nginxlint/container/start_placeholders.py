"""Placeholder tokens a container's start scripts replace in the configs before nginx starts.

Images built on the official nginx image run `/docker-entrypoint.d/*.sh` at start, and such scripts often fill in
a config with `sed -i 's#PROXY_SSL_CONFIG#'"$PROXY_SSL_CONFIG"'#' /etc/nginx/conf.d/default.conf`. The word they
replace is a placeholder: nginx never reads it. The scripts are found where start scripts live, beside the config
or beside one of its parent directories up to the repository: `docker-entrypoint.d/*.sh`, `entrypoint.d/*.sh` and
`*entrypoint*.sh`.
Source: https://github.com/nginxinc/docker-nginx/blob/master/entrypoint/docker-entrypoint.sh
"""
from __future__ import annotations

import re
from pathlib import Path

from .. import sources

SCRIPT_DIRS = ("docker-entrypoint.d", "entrypoint.d")
# `sed` editing a file in place: -i, -i.bak, -ir, -Ei, --in-place
_SED_IN_PLACE = re.compile(r"(?<![\w./-])sed\s(?:[^\n]*?\s)?(?:-[A-Za-z]*i|--in-place)")
# `s#TOKEN#…`: an upper-case word as the whole pattern, any delimiter, bare or wrapped as templates wrap their
# tokens: `{TOKEN}`, `%TOKEN%`, `__TOKEN__` (the wrapping is part of what the script replaces)
_NAME = r"[A-Z][A-Z0-9_]*[A-Z0-9]"
_TOKEN_SUBSTITUTION = re.compile(
    rf"(?<![\w\\])s([^\w\s\\])({_NAME}|\{{{_NAME}\}}|%{_NAME}%|__{_NAME}__)\1")
# a shell line continued on the next one: `sed -i \` then `    -e "s/{PORT}/…/" \` then the file
_CONTINUATION = re.compile(r"\\\n")


def sed_tokens(script: str) -> set[str]:
    """Upper-case words a script's `sed -i` replaces (three characters or more: `s/A/b/` is an edit, not a
    placeholder), with the braces, percent signs or double underscores around them. A command continued on the
    next line (a line ending in a backslash) is read as one line."""
    tokens = set()
    for line in _CONTINUATION.sub(" ", script).splitlines():
        found = _SED_IN_PLACE.search(line)
        if found is None:
            continue
        tokens.update(m.group(2) for m in _TOKEN_SUBSTITUTION.finditer(line, found.end())
                      if len(m.group(2).strip("{}%_")) >= 3)
    return tokens


def placeholders_near(loader, config: Path) -> frozenset[str]:
    """The tokens the start scripts beside `config`'s directory or its parents (up to its repository, or the
    directory the run started in) replace."""
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
    tokens: set[str] = set()
    for directory in chain:
        hit = memo.get(directory)
        if hit is None:
            hit = memo[directory] = frozenset(_tokens_in(loader, directory))
        tokens |= hit
    near = memo[("near", config.parent)] = frozenset(tokens)
    return near


def _tokens_in(loader, directory: Path) -> set[str]:
    dirs, files = loader.listing(directory)
    scripts = [directory / name for name in files if "entrypoint" in name and name.endswith(".sh")]
    for name in SCRIPT_DIRS:
        if name in dirs:
            scripts += [directory / name / file for file in loader.listing(directory / name)[1] if file.endswith(".sh")]
    tokens: set[str] = set()
    for script in scripts:
        try:
            tokens |= sed_tokens(loader.text(script))
        except sources.Unreadable:
            continue
    return tokens
