"""Templates named for the path they are rendered to, `#` standing for `/`: `support-files/templates/
gateway#lua#init.lua` becomes `<install dir>/gateway/lua/init.lua` when a deploy script renders it (Tencent
BlueKing's `render_tpl` names every template so). A file nginx is to read at such a path is made at deploy time,
out of view, and a config so named is read from where it is rendered, whose prefix is unknown here.

Read once per repository and run, and only when a file is found missing.
"""
from __future__ import annotations

from pathlib import Path

_SEPARATOR = "#"


def rendered_elsewhere(loader, naming_file: Path, target: Path) -> bool:
    """A file a config names (`naming_file`) that a deploy renders: the config is itself such a template, read from
    where it is rendered, or a template renders the target."""
    return named_for_a_path(naming_file.name) or rendered_by_template(loader, target)


def named_for_a_path(name: str) -> bool:
    """`gateway#vhosts#bkrepo.ui.conf`: parts on both sides of every `#`."""
    return _SEPARATOR in name and all(name.split(_SEPARATOR))


def rendered_by_template(loader, path: Path) -> bool:
    """A template of the repository is rendered to a path ending like `path` (`gateway#lua#init.lua` for
    `src/gateway/lua/init.lua`): its last part and at least the directory above it agree."""
    parts = Path(path).parts
    return any(len(rendered) >= 2 and tuple(parts[-len(rendered):]) == rendered
               for rendered in _rendered(loader, loader.repository_top(Path(path).parent)))


def _rendered(loader, top: Path) -> frozenset[tuple[str, ...]]:
    return loader.once("path-templates", top, lambda: frozenset(
        tuple(name.split(_SEPARATOR)) for _, name in loader.files_below(top) if named_for_a_path(name)))
