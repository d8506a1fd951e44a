"""Where the variable an `os.getenv` reads comes from, for LUA208.

`set_by_deployment`: whether the container that runs the config sets the variable, as its manifest (Kubernetes
`env`, Compose `environment`) and image (`ENV`) show it; None when that is out of view (no manifest binds the
config, or `envFrom` / `env_file` bring variables nginxlint does not read).

`env_out_of_view`: the variables that `env NAME;` lines keep in the nginx configs of the repository that nginxlint
does not lint: the files of a Helm chart's templates/ (a ConfigMap's config, a `define`d `nginx.tpl`) and the
templates of a config (`nginx.conf.j2`, `nginx.conf.tmpl`). The repository is listed once per run, and only when
some `os.getenv` lacks its `env` line.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from .. import sources
from ..nginx.templates import holds_nginx_blocks, template_name

# `env NAME;` or `env NAME=value;` at the start of a line, as nginx's main context writes it.
_ENV_LINE = re.compile(r"^[ \t]*env[ \t]+([A-Za-z_][A-Za-z0-9_]*)(?:=[^;\n]*)?[ \t]*;", re.MULTILINE)


def set_by_deployment(tree, name: str) -> bool | None:
    binding = tree.binding
    if binding is None or not binding.from_manifest:
        return None  # `docker run -e`, a systemd unit, a shell: out of view
    container = binding.container
    if any(value.value == name for value in container.env):
        return True
    if container.env_from:
        return None
    from ..container.view import container_files  # the image model, only for a variable the config lacks

    files = container_files(tree)
    return files is not None and name in files.env


def env_out_of_view(tree) -> frozenset[str]:
    if tree.root.path is None:
        return frozenset()
    loader = tree.loader
    top = loader.repository_top(Path(os.path.abspath(tree.root.path)).parent)
    return loader.once("env-out-of-view", top, lambda: _declared_in_templates(top, loader))


def _declared_in_templates(top: Path, loader) -> frozenset[str]:
    found: set[str] = set()
    for path in loader.files_under(top):
        if not (template_name(path.name) or _in_chart_templates(path, top)):
            continue
        try:
            text = loader.text(path)
        except sources.Unreadable:
            continue
        if "env" in text and holds_nginx_blocks(text):
            found.update(_ENV_LINE.findall(text))
    return frozenset(found)


def _in_chart_templates(path: Path, top: Path) -> bool:
    for directory in path.parents:
        if directory == top or directory == directory.parent:
            return False
        if directory.name == "templates":
            return (directory.parent / "Chart.yaml").is_file()
    return False
