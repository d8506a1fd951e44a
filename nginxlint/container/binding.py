"""Link each nginx config to the container that runs it.

Runtime facts come, in this order, from Kubernetes manifests, Docker Compose files, then the config file's
`runtime:` table. A config is bound to a container by (strongest first):

1. the `containers:` setting (`{NAME: path/to/nginx.conf}`);
2. a host file or directory mounted into the container (Compose bind mounts, their `${VAR}` read as Compose
   interpolates them, and configs, hostPath), the
   Dockerfile of a Compose build that COPYs it into the image, or a `path-map` entry whose container side is
   one of the container's mounts;
3. a ConfigMap volume whose entry is the config (same content, else same file name, better in the same
   directory name), or a ConfigMap made elsewhere (kustomize's configMapGenerator) whose key is the file name;
4. being the only nginx or OpenResty container of all the manifests read (and not bound to another config,
   nor claimed by main configs in several directories, nor a Compose service that pulls a product's image and
   mounts nothing where nginx reads its configuration: it runs its image's own); when no container is
   recognisably nginx (a custom image), the only container that declares a port the config listens on (a Compose
   service only when it is built here: one that pulls a ready image runs that image's config);
5. the `runtime:` settings;
6. a Dockerfile alone, near the config, that COPYs it or starts FROM an nginx or OpenResty image
   (`dockerfile_binding`).

A container whose command only keeps it alive (`sleep infinity`: a development shell that mounts the whole
repository) binds nothing. nginx configs embedded in ConfigMaps become deployments of their own (see
`embedded`), bound to the nginx container that mounts them, or to the one container of a custom image that mounts
them where only nginx reads them (`/etc/nginx/conf.d/`) or from a ConfigMap whose name or key says nginx. Broken
manifests are K8S404 findings, never exceptions.

A YAML file that cannot describe a container (a CI workflow, .pre-commit-config.yaml, .nginxlint.yaml) is
recognised from its text alone (`detect`): the manifest readers are imported only when some file needs them.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING

from ..findings import Finding, Notification
from ..nginx.conf_dirs import NGINX_DIRECTORIES
from ..nginx.listen import parse_listen
from ..settings import SettingsError
from ..text import did_you_mean
from .detect import (chart_directory, compose_file_rank, is_compose_path, is_idle_container, is_nginx_container,
                     may_be_config)
from .development import development_setup
from .dockerfile_binding import (bind_dockerfiles, build_context, config_nginx_reads, copied_by_name, image_copy_target,
                                 nearby_dockerfiles, with_build)
from .manifests import Manifests, absolute, containers, manifest_texts, read_manifests
from .model import Binding
from .view import ContainerView, mount_over

if TYPE_CHECKING:
    from .model import RuntimeFacts


def _nearest(tree, containers: list) -> list:
    """The containers whose manifest sits closest to the config (deepest shared directory): in a tree that holds
    several projects, each config goes with its own project's nginx container."""
    if len(containers) < 2:
        return containers
    root = tree.root.display.split("/")[:-1]

    def shared(facts) -> int:
        depth = 0
        for mine, theirs in zip(root, facts.path.split("/")[:-1]):
            if mine != theirs:
                break
            depth += 1
        return depth

    best = max(shared(facts) for facts in containers)
    return [facts for facts in containers if shared(facts) == best]


def _runs_its_image_config(tree, facts) -> bool:
    """A Compose service that pulls a product's image (`privatebin/nginx-fpm-alpine`, not nginx's or OpenResty's own)
    and mounts nothing where nginx reads its configuration, beside no Dockerfile that may build that image from the
    config: it runs the config its image ships."""
    from .base_images import base_image  # the image facts, only for a config bound to the one nginx container

    container = facts.container
    if facts.source != "compose" or container.build_source is not None or not container.image \
            or base_image(container.image).flavour != "other" or nearby_dockerfiles(tree):
        return False
    return not any(posixpath.normpath(mount.path).startswith(_CONFIG_DIRECTORIES) for mount in container.mounts)


def _pulls_a_stock_image(facts) -> bool:
    """A Compose service that pulls nginx's or OpenResty's own image and builds nothing: it cannot run the image a
    Dockerfile of the project builds with a config copied in (a Kubernetes manifest's image, by contrast, is most
    often the project's own)."""
    from .base_images import base_image  # the image facts, only for a config bound to the one nginx container

    container = facts.container
    return facts.source == "compose" and container.build_source is None and bool(container.image) \
        and base_image(container.image).official


# Where the nginx and OpenResty images keep their configuration (a mount there replaces or adds to it)
_CONFIG_DIRECTORIES = ("/etc/nginx", "/usr/local/openresty", "/usr/local/nginx", "/etc/openresty",
                       "/opt/bitnami/nginx", "/config/nginx")


def _in_its_project(tree, facts) -> bool:
    """A Compose file reaches files of its own directory only, unless a mount or a build names another (those
    bind first): an nginx service of docker-containers/netbox-compose.yml runs netbox's config, not the host's
    sites in nginx/. Kubernetes manifests sit beside the config they run (k8s/ and conf/), its image built
    elsewhere."""
    top = posixpath.dirname(facts.path)
    return facts.source != "compose" or not top or tree.root.display.startswith(top + "/")


def _mounts_another_main_config(tree, facts, loader) -> bool:
    """The container mounts a host file other than this main config where its nginx reads one (a copy a script
    generates, `./tmp/nginx.conf:/usr/local/openresty/nginx/conf/nginx.conf`): it runs that file, not this one."""
    if not tree.is_main:
        return False
    conf_path = config_nginx_reads(facts.container.argv, facts.container.base_image or facts.container.image)
    if conf_path is None:
        return False
    here = os.path.dirname(os.path.join(os.path.abspath(loader.base_dir), facts.path))
    root = os.path.abspath(tree.root.path)
    return any(posixpath.normpath(mount.path) == conf_path and mount.kind in ("bind", "hostPath") and mount.source
               and os.path.normpath(os.path.join(here, mount.source)) != root for mount in facts.container.mounts)


def _test_suite_containers(settings, loader, containers: list) -> dict[int, str]:
    """{id: the directory of its file} of the containers a test suite's Compose file or manifest runs
    (`testdata/…/docker-compose.extra.yaml`): a stock nginx of a test, which runs no config outside that
    directory."""
    from ..repository import Fixtures

    fixtures = Fixtures(settings.fixture_dirs, Path(loader.base_dir))
    return {id(facts): posixpath.dirname(facts.path) + "/" for facts in containers if fixtures.test_suite(facts.path)}


def bind_containers(workspace, findings: list[Finding], notifications: list[Notification]) -> list:
    """Bind every tree it can; returns the nginx containers of the manifests (RuntimeFacts), which an include of a
    tree none of them claims may still be provided by (view.settle_includes)."""
    loader = workspace.loader
    settings = loader.settings
    texts = manifest_texts(workspace, findings) if workspace.manifests or settings.manifests else []
    if not texts and not settings.runtime and not settings.containers:
        # no manifest or settings: a Dockerfile may still show the container
        bind_dockerfiles(workspace, None if workspace.compose_templates else frozenset())
        return []
    settings_facts = _settings_facts(settings, loader)
    manifests = read_manifests(workspace, texts, findings, notifications)
    # A development shell kept alive by `sleep` runs no nginx, whatever it mounts: it binds nothing.
    candidates = [with_build(facts, manifests, loader) for facts in containers(manifests)
                  if not is_idle_container(facts.container)]
    if manifests.configmaps:
        from .embedded import build_embedded  # the manifest readers, only when a manifest is read

        workspace.trees.extend(build_embedded(workspace, manifests, candidates, findings))

    trees = [tree for tree in workspace.trees if not tree.container_unknown]
    bound: set[int] = set()
    named = _named_bindings(settings, candidates)
    for tree in trees:
        if tree.binding is not None:  # embedded deployments come bound to their container
            bound.add(id(tree.binding.container))
            continue
        binding = (
            named.get(absolute(tree.root.path))
            or _host_mount_binding(tree, candidates, manifests)
            or _image_copy_binding(tree, candidates, manifests)
            or _path_map_binding(tree, candidates, settings)
        )
        if binding is not None:
            tree.binding = binding
            bound.add(id(binding.container))
        elif _copy_mounted_over(tree, candidates, manifests):
            # the deployed container runs what its bind mount puts there: this file only sits in the image, and no
            # other container is taken to run it instead
            tree.container_unknown = True
    trees = [tree for tree in trees if not tree.container_unknown]
    by_name: dict[int, list] = {}
    for tree in trees:
        if tree.binding is None:
            found = _configmap_binding(tree, candidates, manifests)
            if found is not None:
                by_name.setdefault(id(found[1].container), []).append((found[0], tree, found[1]))
    for matches in by_name.values():
        # Same content binds every copy; a match by name only binds the best-named config, when it is alone.
        best = max(score for score, _d, _b in matches)
        chosen = [(d, b) for score, d, b in matches if score == best]
        if best >= _SAME_CONTENT or len(chosen) == 1:
            for tree, binding in chosen:
                tree.binding = binding
                bound.add(id(binding.container))

    nginx = [facts for facts in candidates if is_nginx_container(facts.container)]
    in_tests = _test_suite_containers(settings, loader, nginx)
    nearest = {id(tree): _nearest(tree, [facts for facts in nginx if id(facts) not in in_tests
                                         or tree.root.display.startswith(in_tests[id(facts)])])
               for tree in trees if tree.binding is None}
    # One container runs one main config: when main configs in several directories would all fall to the same
    # container, which one it runs is unknown, and none of them (nor their fragments) is bound to it.
    claims: dict[int, set] = {}
    for tree in trees:
        near = nearest.get(id(tree))
        if near is not None and len(near) == 1 and tree.is_main:
            claims.setdefault(id(near[0].container), set()).add(tree.conf_dir)
    for tree in trees:
        if tree.binding is not None:
            continue
        near = nearest[id(tree)]
        if len(near) == 1 and id(near[0].container) not in bound:
            if len(claims.get(id(near[0].container), ())) <= 1 and _in_its_project(tree, near[0]) \
                    and not _mounts_another_main_config(tree, near[0], loader) \
                    and not _runs_its_image_config(tree, near[0]) \
                    and not (_pulls_a_stock_image(near[0]) and copied_by_name(tree)):
                tree.binding = Binding(near[0], "only-nginx-container")
        elif not nginx and (by_port := _port_binding(tree, candidates, bound)) is not None:
            tree.binding = by_port
        elif settings_facts is not None:
            tree.binding = Binding(settings_facts, "runtime-setting")
    # A template of a Compose file runs services nginxlint does not read: any name may be one of them. A developer's
    # stack is recreated whole, so its names do not go stale under an image's nginx; a service with no image and no
    # build only adds settings (`healthcheck:`) to the one of its name in the file it is merged with. A service whose
    # own name stays on its address (a fixed `ipv4_address`, a Swarm virtual IP) keeps it under any nginx.
    unread_compose = workspace.compose_templates or any(is_compose_path(display) for _, display, _ in manifests.unread)
    services = None if unread_compose else frozenset(
        facts.name.lower() for facts in manifests.services
        if not development_setup(facts) and (facts.container.image or facts.container.build_source)
        and facts.name.lower() not in facts.stable_names)
    bind_dockerfiles(workspace, services)
    if manifests.unread:
        from .unread import note_unread_manifests  # only when a manifest was noted and not read

        note_unread_manifests(workspace.trees, manifests.unread)

    groups: dict[int, int] = {}
    for tree in workspace.trees:
        binding = tree.binding
        if binding is None:
            continue
        binding.group = groups.setdefault(id(binding.container), len(groups))
        source = manifests.sources.get(binding.path)
        if source is not None:  # suppressions in the manifest, and its lines in the output
            tree.files.setdefault(binding.path, source)
        if binding.from_manifest:
            tree.container_view = ContainerView(tree)
    return nginx


# -- matching -----------------------------------------------------------------------------------------------

def _names(facts: RuntimeFacts) -> set[str]:
    names = {facts.name, facts.container.name}
    workload = facts.workload
    if workload is not None:
        names |= {
            workload.name,
            f"{workload.name}/{facts.container.name}",
            f"{workload.kind}/{workload.name}",
            f"{workload.kind}/{workload.name}/{facts.container.name}",
        }
    return names


def _named_bindings(settings, candidates: list[RuntimeFacts]) -> dict[Path, Binding]:

    result: dict[Path, Binding] = {}
    for name, config in (settings.containers or {}).items():
        matches = [facts for facts in candidates if name in _names(facts)]
        if not matches:
            known = sorted({facts.container.name for facts in candidates})
            hint = did_you_mean(name, known) or (f" (known: {', '.join(known)})" if known else " (no manifest was read)")
            raise SettingsError(f'containers: no container named "{name}" in the manifests{hint}')
        result[absolute(Path(config))] = Binding(matches[0], "containers-setting")
    return result


def _host_mount_binding(tree, candidates: list[RuntimeFacts], manifests: Manifests) -> Binding | None:
    """A Compose bind mount or config, or a hostPath, that puts this file (or its directory) in the container."""
    root = absolute(tree.root.path)
    best = None
    for facts in candidates:
        base = manifests.absolute.get(facts.path)
        if base is None:
            continue
        for mount in facts.container.mounts:
            if mount.kind not in ("bind", "config", "secret", "hostPath") or not mount.source:
                continue
            host = absolute(base.parent / os.path.expanduser(mount.source))
            if not os.path.lexists(host):  # filled from a repository file, or the repository checked out elsewhere
                from .mount_sources import held_at  # the shell reader, only for a mount the repository lacks

                host = held_at(tree.loader, host, base.parent) or host
            if _sources_of_an_application(host, facts, base):
                continue  # the whole project, or what the service builds, mounted as its sources: no nginx runs
            if root == host or host in root.parents:
                relative = root.relative_to(host).as_posix() if root != host else ""
                target = posixpath.join(mount.path, relative) if relative else mount.path
                in_working_copy = host == base.parent or host in base.parent.parents
                in_working_copy = in_working_copy and not _nginx_may_read(mount.path, facts)
                # a mount nginx reads first; a container that is not a development one runs the config where it is
                # deployed: it comes next; then a production stack's, then the one `docker compose up` starts
                rank = (not in_working_copy, not development_setup(facts), len(host.parts),
                        compose_file_rank(facts.path))
                if best is None or rank > best[0]:
                    best = (rank, facts, target, host)
    if best is None:
        return None
    return Binding(best[1], "host-mount", container_path=best[2], host_source=best[3], in_working_copy=not best[0][0])


def _nginx_may_read(target: str, facts: RuntimeFacts) -> bool:
    """nginx may read configs below a mount's target by itself: it is, holds or lies in one of nginx's own
    directories, or the container's command names a path there (`nginx -c /workspace/nginx.conf`)."""
    target = target.rstrip("/") or "/"
    return any(target == directory or target.startswith(directory + "/") or directory.startswith(target + "/")
               for directory in NGINX_DIRECTORIES) or target in " ".join(facts.container.argv)


def _sources_of_an_application(host: Path, facts: RuntimeFacts, manifest: Path) -> bool:
    """A container that does not run nginx mounts the whole project (`.:/app`, the Compose file's directory or one
    above) or its own build context (`./backend:/app` with `build: ./backend`): it mounts its sources, and the
    nginx configs among them are not its own."""
    if is_nginx_container(facts.container):
        return False
    return host == manifest.parent or host in manifest.parent.parents or host == build_context(facts, manifest)


def _image_copy_binding(tree, candidates: list[RuntimeFacts], manifests: Manifests) -> Binding | None:
    """A Compose service built from a Dockerfile that COPYs this file (or its directory) into the image."""
    root = absolute(tree.root.path)
    for facts in sorted(candidates, key=development_setup):  # a deployed container first
        manifest = manifests.absolute.get(facts.path)
        target = image_copy_target(root, facts, manifest)
        if target is not None and not _mounted_over(root, target, facts, manifest):
            return Binding(facts, "image-copy", container_path=target)
    return None


def _copy_mounted_over(tree, candidates: list[RuntimeFacts], manifests: Manifests) -> bool:
    """A deployed Compose service's Dockerfile COPYs this file, and the service bind-mounts another host file or
    directory over where it lands (`./nginx.conf.http:/etc/nginx/nginx.conf` over the image's `nginx.conf`)."""
    root = absolute(tree.root.path)
    for facts in candidates:
        manifest = manifests.absolute.get(facts.path)
        target = image_copy_target(root, facts, manifest) if not development_setup(facts) else None
        if target is not None and _mounted_over(root, target, facts, manifest):
            return True
    return False


def _mounted_over(root: Path, target: str, facts: RuntimeFacts, manifest: Path) -> bool:
    """A bind mount of the service puts another host file at `target`, or one nginxlint cannot name. Not for a
    service that names the image it builds (`image: org/app` beside `build:`): that image is pushed, and runs its own
    copy wherever it runs without the mount."""
    if facts.container.image:
        return False
    binds = sorted((mount for mount in facts.container.mounts
                    if mount.kind == "bind" and mount.source and mount.path.startswith("/")),
                   key=lambda mount: posixpath.normpath(mount.path).count("/"))
    mount = mount_over(binds, target)
    if mount is None:
        return False
    below = posixpath.relpath(target, posixpath.normpath(mount.path))
    return "$" in mount.source or absolute(manifest.parent / mount.source / below) != root


def _path_map_binding(tree, candidates: list[RuntimeFacts], settings) -> Binding | None:
    """`path-map: {/etc/nginx/: deploy/nginx/}` puts the file at a container path; a container mounting it runs it."""
    root = absolute(tree.root.path)
    for prefix, local in settings.path_map or ():
        local = absolute(Path(local))
        if root != local and local not in root.parents:
            continue
        relative = root.relative_to(local).as_posix() if root != local else ""
        target = posixpath.join(prefix, relative) if relative else prefix.rstrip("/")
        for facts in candidates:
            for mount in facts.container.mounts:
                base = mount.path.rstrip("/")
                if target == base or target.startswith(base + "/"):
                    return Binding(facts, "path-map", container_path=target)
    return None


_SAME_CONTENT = 4


def _port_binding(tree, candidates: list[RuntimeFacts], bound: set[int]) -> Binding | None:
    """The only container declaring a port this config listens on (for images whose name says nothing), of the
    config's own Helm chart when either is in one.

    A Compose service that pulls a ready image gets a config from the project only through a mount (bound
    above): one that neither mounts nor builds it runs the image's own config, whatever port it shares. A chart's
    config is mounted by the chart's own workloads: in a repository of charts, a port is no tie between two."""
    ports = {listen.port for listen in map(parse_listen, tree.nodes("listen")) if listen is not None}
    ports.discard(None)
    if not ports:
        return None
    base = Path(os.path.abspath(tree.loader.base_dir))
    chart = chart_directory(Path(os.path.abspath(tree.root.path)))
    matches = [
        facts for facts in candidates
        if id(facts.container) not in bound and any(port.number in ports for port in facts.container.ports)
        and (facts.source != "compose" or facts.container.build_source is not None)
        and chart_directory(base / facts.path) == chart
    ]
    return Binding(matches[0], "listen-port") if len(matches) == 1 else None


def _configmap_binding(tree, candidates: list[RuntimeFacts], manifests: Manifests) -> tuple | None:
    """(score, Binding) of the best ConfigMap mount for this config: same content 4, same directory and name 3,
    same name 2 (for an entry whose text is no config: a Helm chart's `.Files.Get` of the file); a ConfigMap
    generated elsewhere matched by key 1 (2 in the same directory); +0.5 for nginx."""
    from .kubernetes import mounted_configmap_files  # the manifest readers, only when a manifest is read

    root = tree.root
    text = root.text.strip()
    name = root.path.name
    parent = root.path.parent.name
    known = {configmap.name for configmap in manifests.configmaps if not configmap.unrendered}
    best = None
    for facts in candidates:
        workload = facts.workload
        if workload is None:
            continue
        nginx = is_nginx_container(facts.container)
        bonus = 0.5 if nginx else 0
        for mounted in mounted_configmap_files(workload, facts.container, manifests.configmaps):
            if mounted.entry.text.strip() == text:
                score = _SAME_CONTENT
            elif not nginx or posixpath.basename(mounted.container_path) != name or may_be_config(mounted.entry.text):
                continue  # an entry that holds a config of its own is what runs there, not this file
            elif posixpath.basename(posixpath.dirname(mounted.container_path)) == parent:
                score = 3
            else:
                score = 2
            if best is None or score + bonus > best[0]:
                best = (score + bonus, facts, mounted, mounted.container_path)
        for mount in facts.container.mounts:
            # A ConfigMap generated elsewhere (kustomize configMapGenerator): the generator's file for the key, or
            # for a generator out of view, a file named as the key.
            if not nginx or not mount.configmap or mount.configmap in known:
                continue
            keys = [key for key, _path in mount.items] + ([mount.sub_path] if mount.sub_path else [])
            generators = manifests.generated.get(mount.configmap)
            if generators is not None:
                generated = _generated_target(mount, generators, root.path)
                if generated is not None and (best is None or _SAME_CONTENT + bonus > best[0]):
                    best = (_SAME_CONTENT + bonus, facts, None, generated)
                continue
            if name in keys:
                target = mount.path if mount.sub_path else posixpath.join(mount.path, name)
                score = 2 if posixpath.basename(posixpath.dirname(target)) == parent else 1
                if best is None or score + bonus > best[0]:
                    best = (score + bonus, facts, None, target)
    if best is None:
        return None
    return best[0], Binding(best[1], "configmap", best[2], container_path=best[3])


def _generated_target(mount, generators: list, config: Path) -> str | None:
    """Where a mount of a generated ConfigMap puts the config, when a generator of that name makes a key of it."""
    config = Path(os.path.abspath(config))
    for data in generators:
        for key, source in data.items():
            if isinstance(source, Path) and Path(os.path.abspath(source)) == config:
                relative = dict(mount.items).get(key, key) if mount.items else key
                if mount.sub_path:
                    if relative == mount.sub_path:
                        return mount.path
                elif not mount.items or key in dict(mount.items):
                    return posixpath.join(mount.path, relative)
    return None


def _settings_facts(settings, loader) -> RuntimeFacts | None:
    """The `runtime:` table as container facts (checked when the settings were read)."""
    if not settings.runtime:
        return None
    from .from_settings import settings_runtime  # the manifest readers, only when a manifest is read

    origin = loader.display(settings.source) if settings.source else "settings"
    return settings_runtime(settings.runtime, path=origin)[0]
