"""NGX028 and NGX029: a directive that the nginx release running the config, or the lua-nginx-module its OpenResty
bundles, does not have yet; NGX030: one that release no longer has.

The release comes from the image, a dump's `nginx -V` or the `nginx-version` setting (container/release.py); when
each directive appeared, from nginx's documentation (nginx/releases.py) and lua-nginx-module's command table
(openresty/releases.py); when one was removed, from nginx's changes (nginx/releases.py). Nothing known, nothing
said.
"""
from __future__ import annotations

from ..container.release import pulled_release, running_release
from ..nginx.directives import holds_directives, is_known, third_party
from ..nginx.releases import directive_removed, directive_since, subsystem_of
from ..openresty.releases import bundled_lua_module, first_bundling, lua_directive_since, module_order, shown
from .registry import rule


@rule("NGX028")
def directive_newer_than_nginx(tree, report):
    running = running_release(tree)
    if running is None:
        return
    release = running.release
    extra = frozenset(tree.settings.extra_directives)
    related = running.related
    upgrade = ("upgrade the image to " if running.from_image else "upgrade to ") + \
        ("an OpenResty with nginx" if release.flavour == "openresty" else "nginx")
    for node in tree.walk():
        name = node.name
        if not holds_directives(node.ctx) or name in extra or third_party(name):
            continue  # a map entry; a directive a module outside nginx may bring
        subsystem = subsystem_of(node.ctx)
        since = directive_since(subsystem, name)
        if since is not None and release.predates(since[0]):
            version, module = since
            first = ".".join(map(str, version))
            report(node, f'"{name}" ({module}) appeared in nginx {first}, and {running.shown} '
                   f'does not have it: nginx -t stops with "unknown directive"; {upgrade} {first} or later, or '
                   "remove it", related=related)
        elif name == "listen":
            for index, word in enumerate(node.args[1:], 1):
                since = directive_since(subsystem, "listen:" + word.split("=", 1)[0])
                if since is not None and release.predates(since[0]):
                    first = ".".join(map(str, since[0]))
                    report(node, f'the listen parameter "{word}" appeared in nginx {first}, and '
                           f'{running.shown} does not have it: nginx -t stops with "invalid parameter"; '
                           f"{upgrade} {first} or later, or remove it", arg=index, related=related)


@rule("NGX030")
def directive_removed_from_nginx(tree, report):
    running = pulled_release(tree)  # a tag that follows current releases runs one newer than every removal
    if running is None:
        return
    extra = frozenset(tree.settings.extra_directives)
    for node in tree.walk():
        name = node.name
        if not holds_directives(node.ctx) or name in extra or third_party(name) or not is_known(name):
            continue  # a map entry; a module's own directive; a name no release has (NGX004)
        subsystem = subsystem_of(node.ctx)
        removed = directive_removed(subsystem, name)
        if removed is not None and running.release.reaches(removed[0]):
            report(node, _gone(f'"{name}"', removed, running, "unknown directive"), related=running.related)
        elif name == "listen":
            for index, word in enumerate(node.args[1:], 1):
                removed = directive_removed(subsystem, "listen:" + word)
                if removed is not None and running.release.reaches(removed[0]):
                    report(node, _gone(f'the listen parameter "{word}"', removed, running, "invalid parameter"),
                           arg=index, related=running.related)


def _gone(what: str, removed, running, error: str) -> str:
    version, advice = removed
    return (f"{what} was removed in nginx {'.'.join(map(str, version))}, and {running.shown} does not have it: "
            f'nginx -t stops with "{error}"; {advice}')


@rule("NGX029")
def lua_directive_newer_than_module(tree, report):
    running = running_release(tree)
    if running is None or running.release.flavour != "openresty":
        return
    release = running.release
    newest = bundled_lua_module(release.number)
    if newest is None:
        return  # a release the table does not know, or a branch whose newest release may be newer than the table
    related = running.related
    for node in tree.walk():
        if node.ctx[:1] != ("http",):
            continue  # stream-lua-nginx-module has its own releases
        since = lua_directive_since(node.name)
        if since is None or module_order(newest) >= module_order(since):
            continue
        first = first_bundling(since)
        upgrade = "upgrade the image" if running.from_image else "upgrade"
        upgrade += f" to OpenResty {'.'.join(map(str, first.openresty))} or later" if first is not None else \
            ("" if running.from_image else " OpenResty")
        report(node, f'"{node.name}" appeared in lua-nginx-module {shown(since)}, and {release.name} '
               f"({running.source}) bundles lua-nginx-module {shown(newest)}: nginx -t stops with \"unknown "
               f'directive"; {upgrade}, or remove it', related=related)
