"""Configs that serve nothing of their own: nginx's welcome page and its counters.

A stack that shows how to monitor nginx (nginx, its exporter, Prometheus and Grafana) runs a config whose only
content is the page the image ships in its html directory, and whose point is the status or metrics page beside
it. Nothing is served to anyone: advice for a server the public reaches (`production-only` rules) is out of
place there, as in a developer's stack. A config is such a demo when its container is known and runs an official
nginx or OpenResty image (pulled, or built from one in view), its container puts nothing in the html directory (no
mount, no copy), its `root` names that directory, and no server of it answers with anything else: no `*_pass`, no
other `root` or `alias`, no Lua content but a metrics collector's, no certificate.
"""
from __future__ import annotations

import posixpath

from ..nginx.directives import CONTENT_HANDLERS, LUA_PHASE

# The directories nginx's and OpenResty's images ship their welcome page in, and the relative `html` of the prefix
STOCK_PAGE_DIRECTORIES = frozenset({"/usr/share/nginx/html", "/usr/local/openresty/nginx/html",
                                    "/usr/local/nginx/html", "/etc/nginx/html", "html"})
# What answers with something of the deployment's own: a content handler but the counters, or files it tries
_OWN_ANSWERS = (CONTENT_HANDLERS - {"stub_status"}) | {"try_files"}
_LUA_CONTENT = tuple(name for name in LUA_PHASE if name.startswith("content_by_lua"))


def stock_page_demos(workspace) -> set[str]:
    """Display paths of the files of the configs that serve nothing but the image's welcome page and its counters,
    with every other config their container runs."""
    by_container: dict[int, list] = {}
    for tree in workspace.trees:
        if tree.binding is not None:
            by_container.setdefault(id(tree.binding.container), []).append(tree)
    return {source.display for trees in by_container.values()
            if all(tree.complete and _serves_only_the_stock_page(tree) for tree in trees)
            for tree in trees for source in tree.files.values()}


def _serves_only_the_stock_page(tree) -> bool:
    if not tree.nodes("server") or any(tree.nodes(name) for name in _OWN_ANSWERS) or tree.nodes("ssl_certificate"):
        return False  # an application's answers, or a certificate for a name of its own
    roots = [node.args[0].rstrip("/") for name in ("root", "alias") for node in tree.nodes(name) if node.args]
    if not roots or any(root not in STOCK_PAGE_DIRECTORIES for root in roots):
        return False  # the welcome page named, and nothing else
    lua_content = [node for name in _LUA_CONTENT for node in tree.nodes(name)]
    if lua_content:
        from ..openresty.metrics_pages import metrics_locations  # the Lua analysis, only for Lua content

        metrics = {id(location) for location in metrics_locations(tree)}
        if any(id(node.parent) not in metrics for node in lua_content):
            return False  # Lua content of its own, not the collector of a metrics page
    if any(len(node.args) > 1 and not node.args[0].startswith("3") for node in tree.nodes("return")):
        return False  # a text of its own (`return 200 "ok"`); a redirect leads to the same pages
    from .view import container_files  # the container model, only for a config that may be a demo

    files = container_files(tree)
    # an official image, whose html directory holds the welcome page alone, with every layer over it in view
    return files is not None and files.base.official \
        and not any(_touches(layer.path) for layer in files.fs.layers if layer.kind != "dir")


def _touches(image_path: str) -> bool:
    """The layer puts something at a welcome-page directory, above it or below it."""
    path = posixpath.normpath(image_path)
    return any(path == directory or directory.startswith(path.rstrip("/") + "/") or path.startswith(directory + "/")
               for directory in STOCK_PAGE_DIRECTORIES if directory.startswith("/"))
