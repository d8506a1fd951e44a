"""`.gitignore`: which paths of a repository are made or fetched on a developer's machine, never committed.

A directory a config's search path names that is missing from the repository and ignored by git is filled out of
view (`luarocks --tree=luarocks install …`, a build step): what is there is unknown, not absent. Rules as git applies
them, for the question asked here (is this directory ignored?): `#` comments, `!` re-includes, a pattern with no `/`
but a trailing one matches a name at any depth, one with a `/` is anchored to the `.gitignore`'s directory, `*`
stays within one path component and `**` spans any number of them; the last matching pattern decides.
"""
from __future__ import annotations

from pathlib import Path


def git_ignored(loader, directory: Path) -> bool:
    """Whether `directory`, or a directory above it up to the repository's top, is ignored by a `.gitignore` of the
    repository (read once per directory and run)."""
    top = loader.repository_top(directory.parent)
    if top != directory and top not in directory.parents:
        return False
    memo = loader.memo("gitignore")
    for holder in [top, *reversed([d for d in directory.parents if top in d.parents])]:
        ignore = memo.get(holder)
        if ignore is None:
            ignore = memo[holder] = _load(holder / ".gitignore")
        if ignore and holder != directory and ignore.ignored(directory.relative_to(holder).as_posix()):
            return True
    return False


def _load(path: Path):
    from .container.dockerignore import DockerIgnore  # the same pattern matching, only where a path is missing

    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return DockerIgnore([])
    lines = []
    for line in text.splitlines():
        line = line.strip()
        negated = line.startswith("!")
        pattern = line[1:] if negated else line
        if not pattern or line.startswith("#"):
            continue
        if "/" not in pattern.rstrip("/"):
            pattern = "**/" + pattern  # a bare name matches at any depth
        lines.append(("!" if negated else "") + pattern.lstrip("/"))
    return DockerIgnore.parse("\n".join(lines))
