"""Templates named for the path they are rendered to, `#` standing for `/`: `support-files/templates/
gateway#lua#init.lua` becomes `<install dir>/gateway/lua/init.lua` when a deploy script renders it (Tencent
BlueKing's `render_tpl` names every template so). A file nginx is to read at such a path is made at deploy time,
out of view, and a config so named is read from where it is rendered, whose prefix is unknown here. A template
named with a template's suffix (`api_gateway.conf.j2`) is rendered to its name without it, wherever a script puts it.

Read once per repository and run, and only when a file is found missing.
"""
from __future__ import annotations

from pathlib import Path

from .nginx.templates import rendered_name

_SEPARATOR = "#"


def rendered_elsewhere(loader, naming_file: Path, target: Path) -> bool:
    """A file a config names (`naming_file`) that a deploy renders: the config is itself such a template, read from
    where it is rendered, or a template renders the target, named for its path or for its name (`templates/
    api_gateway.conf.j2`, which the entrypoint's script renders to `/etc/nginx/api_gateway.conf`)."""
    return named_for_a_path(naming_file.name) or rendered_by_template(loader, target) \
        or target.name in _rendered_names(loader, loader.repository_top(target.parent))


def named_for_a_path(name: str) -> bool:
    """`gateway#vhosts#bkrepo.ui.conf`: parts on both sides of every `#`."""
    return _SEPARATOR in name and all(name.split(_SEPARATOR))


def rendered_by_template(loader, path: Path) -> bool:
    """A template of the repository is rendered to a path ending like `path` (`gateway#lua#init.lua` for
    `src/gateway/lua/init.lua`): its last part and at least the directory above it agree."""
    parts = Path(path).parts
    return any(len(rendered) >= 2 and tuple(parts[-len(rendered):]) == rendered
               for rendered in _rendered(loader, loader.repository_top(Path(path).parent)))


def _rendered_names(loader, top: Path) -> frozenset[str]:
    return loader.once("rendered-names", top, lambda: frozenset(
        rendered for rendered, name in ((rendered_name(name), name) for _, name in loader.files_below(top))
        if rendered != name))


def _rendered(loader, top: Path) -> frozenset[tuple[str, ...]]:
    return loader.once("path-templates", top, lambda: frozenset(
        tuple(name.split(_SEPARATOR)) for _, name in loader.files_below(top) if named_for_a_path(name)))
