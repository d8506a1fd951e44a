"""The official nginx image's template step: `/docker-entrypoint.d/20-envsubst-on-templates.sh`.

At start-up the image runs, for every file under `$NGINX_ENVSUBST_TEMPLATE_DIR` (default /etc/nginx/templates)
whose name ends in `$NGINX_ENVSUBST_TEMPLATE_SUFFIX` (default .template):

    envsubst "$defined_envs" < dir/x.conf.template > $NGINX_ENVSUBST_OUTPUT_DIR/x.conf   (default /etc/nginx/conf.d)

`defined_envs` lists `${NAME}` for every environment variable whose name matches the extended regular expression
`$NGINX_ENVSUBST_FILTER` (every name when unset). Given such a list, GNU envsubst replaces `$NAME` and `${NAME}` of
listed names only and leaves every other `$` as written, so nginx's own `$host` survives, and so does `${PORT}`
when PORT is not in the environment (nginx then fails on it). Files ending in
`$NGINX_ENVSUBST_STREAM_TEMPLATE_SUFFIX` (default .stream-template) go to `$NGINX_ENVSUBST_STREAM_OUTPUT_DIR`
(default /etc/nginx/stream-conf.d), included from a `stream` block the script appends to nginx.conf.
Source: https://github.com/nginxinc/docker-nginx/blob/master/entrypoint/20-envsubst-on-templates.sh
"""
from __future__ import annotations

import posixpath
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from ..foreign_regex import compile_foreign

# envsubst's references: `$NAME` and `${NAME}`; `${NAME:-x}` and `${ NAME}` are not references and stay.
REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def defined_names(env: dict[str, str]) -> set[str]:
    """The names the image passes to envsubst: every environment name matching NGINX_ENVSUBST_FILTER."""
    pattern = env.get("NGINX_ENVSUBST_FILTER", "")
    compiled = compile_foreign(pattern)
    if compiled is None:
        return set()  # awk would stop with an error: nothing is substituted
    return {name for name in env if compiled.search(name)}  # awk's `name ~ /filter/`: a match anywhere in the name


@dataclass
class PositionMap:
    """Offsets of a rendered text back to the template: a substituted value maps to its reference."""

    rendered_starts: list[int] = field(default_factory=list)
    rendered_ends: list[int] = field(default_factory=list)
    original_starts: list[int] = field(default_factory=list)
    original_ends: list[int] = field(default_factory=list)

    def original(self, offset: int) -> int:
        i = bisect_right(self.rendered_starts, offset) - 1
        if i < 0:
            return offset
        if offset < self.rendered_ends[i]:
            return self.original_starts[i]
        return offset - self.rendered_ends[i] + self.original_ends[i]

    @property
    def identity(self) -> bool:
        return all(re - rs == oe - os for rs, re, os, oe in
                   zip(self.rendered_starts, self.rendered_ends, self.original_starts, self.original_ends))


@dataclass
class Rendered:
    text: str
    positions: PositionMap
    substituted: list[tuple[int, int]]  # offsets in the rendered text of every substituted value

    def template_position(self, line: int, column: int, template_text: str) -> tuple[int, int]:
        """A (line, column) of the rendered text as a (line, column) of the template it came from."""
        from .parser import LineIndex  # only asked when a finding lands in a rendered file

        offset = LineIndex(self.text).offset(line, column)
        return LineIndex(template_text).position(self.positions.original(offset))


def render_envsubst(text: str, env: dict[str, str], names: set[str] | None = None) -> Rendered:
    """What envsubst "$defined_envs" writes: references to `names` (default: every name in `env`) replaced."""
    names = set(env) if names is None else names
    pieces: list[str] = []
    positions = PositionMap()
    substituted = []
    pos = 0
    shift = 0  # rendered offset minus original offset
    for match in REFERENCE.finditer(text):
        name = match.group(1) or match.group(2)
        if name not in names:
            continue
        value = env.get(name, "")
        start, end = match.span()
        pieces.append(text[pos:start])
        pieces.append(value)
        rendered_start = start + shift
        positions.rendered_starts.append(rendered_start)
        positions.rendered_ends.append(rendered_start + len(value))
        positions.original_starts.append(start)
        positions.original_ends.append(end)
        substituted.append((rendered_start, rendered_start + len(value)))
        shift += len(value) - (end - start)
        pos = end
    pieces.append(text[pos:])
    return Rendered("".join(pieces), positions, substituted)


@dataclass(frozen=True)
class ImageTemplates:
    """Where the image looks for templates and writes what it renders (settings from the container's env)."""

    template_dir: str = "/etc/nginx/templates"
    suffix: str = ".template"
    output_dir: str = "/etc/nginx/conf.d"
    stream_suffix: str = ".stream-template"
    stream_output_dir: str = "/etc/nginx/stream-conf.d"

    @classmethod
    def from_env(cls, env: dict[str, str]) -> "ImageTemplates":
        # The script uses ${VAR:-default}: an empty value means the default too.
        return cls(
            env.get("NGINX_ENVSUBST_TEMPLATE_DIR") or cls.template_dir,
            env.get("NGINX_ENVSUBST_TEMPLATE_SUFFIX") or cls.suffix,
            env.get("NGINX_ENVSUBST_OUTPUT_DIR") or cls.output_dir,
            env.get("NGINX_ENVSUBST_STREAM_TEMPLATE_SUFFIX") or cls.stream_suffix,
            env.get("NGINX_ENVSUBST_STREAM_OUTPUT_DIR") or cls.stream_output_dir,
        )

    def outputs_for(self, container_path: str) -> list[str]:
        """The files the image renders `container_path` to (none when it does not render it).

        `find -name "*$suffix"` matches at any depth; the output keeps the subdirectory and drops the suffix. Both
        loops of the script run, so a name ending in both suffixes (when they are set to overlap) is written twice."""
        directory = self.template_dir.rstrip("/") + "/"
        if not container_path.startswith(directory):
            return []
        relative = container_path[len(directory):]
        outputs = []
        for suffix, output_dir in ((self.suffix, self.output_dir), (self.stream_suffix, self.stream_output_dir)):
            if relative.endswith(suffix):
                outputs.append(posixpath.join(output_dir, relative[: -len(suffix)]))
        return outputs
