"""NGX028: a directive that the nginx release running the config does not have yet.

The release comes from the image, a dump's `nginx -V` or the `nginx-version` setting (container/release.py); when
each directive appeared, from nginx's documentation (nginx/releases.py). Nothing known, nothing said.
"""
from __future__ import annotations

from ..container.release import running_release
from ..nginx.directives import holds_directives, third_party
from ..nginx.releases import directive_since, subsystem_of
from .registry import rule


@rule("NGX028")
def directive_newer_than_nginx(tree, report):
    running = running_release(tree)
    if running is None:
        return
    release = running.release
    extra = frozenset(tree.settings.extra_directives)
    related = [running.location] if running.location is not None else []
    for node in tree.walk():
        name = node.name
        if not holds_directives(node.ctx) or name in extra or third_party(name):
            continue  # a map entry; a directive a module outside nginx may bring
        since = directive_since(subsystem_of(node.ctx), name)
        if since is None or not release.predates(since[0]):
            continue
        version, module = since
        first = ".".join(map(str, version))
        upgrade = "the image" if running.from_image else "nginx"
        report(node, f'"{name}" ({module}) appeared in nginx {first}, and {release.name} ({running.source}) does '
               f'not have it: nginx -t stops with "unknown directive"; upgrade {upgrade} to {first} or later, or '
               "remove it", related=related)
