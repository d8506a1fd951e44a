"""`.dockerignore`: which build-context files a `COPY`/`ADD` never sees.

Rules as Docker applies them (moby patternmatcher): one pattern a line, `#` comments, `!` re-includes, `*` and
`?` stay within one path component, `**` spans any number of them; a pattern that matches a directory matches
everything below it, whether it excludes or re-includes; the last matching pattern decides.
`<Dockerfile>.dockerignore` next to the Dockerfile wins over the context's `.dockerignore`.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path


class DockerIgnore:
    def __init__(self, patterns: list[tuple[re.Pattern[str], bool]]) -> None:
        self._patterns = patterns  # (regex, excludes) in file order

    @classmethod
    def load(cls, context: Path, dockerfile: Path | None = None) -> "DockerIgnore":
        candidates = [Path(str(dockerfile) + ".dockerignore")] if dockerfile else []
        candidates.append(context / ".dockerignore")
        for candidate in candidates:
            try:
                text = candidate.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            return cls.parse(text)
        return cls([])

    @classmethod
    def parse(cls, text: str) -> "DockerIgnore":
        patterns = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            excludes = not line.startswith("!")
            if not excludes:
                line = line[1:].strip()
            line = posixpath.normpath(line.lstrip("/")) if line.lstrip("/") else ""
            if line in ("", "."):
                continue
            patterns.append((re.compile(_regex(line)), excludes))
        return cls(patterns)

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def ignored(self, relative: str) -> bool:
        """Whether the context-relative path `relative` ('conf/a.conf') is left out of the build."""
        if not self._patterns:
            return False
        parts = relative.strip("/").split("/")
        prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
        result = False
        for regex, excludes in self._patterns:
            # A pattern that matches a directory matches what is below it, for an exclusion and a re-inclusion
            # alike: `*` then `!nginx` keeps nginx/conf.d/default.conf (moby's MatchesOrParentMatches).
            if any(regex.fullmatch(prefix) for prefix in prefixes):
                result = excludes
        return result


def _regex(pattern: str) -> str:
    out = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            index += 2
            if pattern.startswith("/", index):
                index += 1
                out.append("(?:.*/)?")
            else:
                out.append(".*")
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", index + 1)
            if end < 0:
                out.append(re.escape(char))
            else:
                body = pattern[index + 1:end]
                out.append("[" + ("^" + body[1:] if body.startswith("^") else body) + "]")
                index = end
        elif char == "\\" and index + 1 < len(pattern):
            index += 1
            out.append(re.escape(pattern[index]))
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)
