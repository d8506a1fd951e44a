"""Dockerfiles as container evidence: a Compose service's build, and a Dockerfile next to a config.

- A Compose service with `build:` runs the image its Dockerfile makes: the base image (and so the flavour), its
  STOPSIGNAL, ENTRYPOINT/CMD and VOLUMEs come from there (`with_build`); a config the Dockerfile COPYs into the
  image is bound to that service (`image_copy_target`).
- A config that nothing else binds is bound to a Dockerfile in its directory or a parent directory (up to the
  linted base directory) that COPYs it (by its own path or a directory of it before a copy of the whole build
  context; into an image that may have nginx only: `names_no_nginx`), or to a variant's Dockerfile one directory
  below it that COPYs it by its own path, else to a Dockerfile in its own or its parent directory whose image
  starts FROM nginx or OpenResty
  (`bind_dockerfiles`). Such a container has no limits, mounts or stop settings: rules that need those stay quiet.
- An image whose ENTRYPOINT or CMD runs a test suite (`./ci.sh`, `run-tests.sh`, `busted`, `prove`, `pytest`,
  `npm test`) is a test run, not a deployment (`runs_tests`), and so is a Compose service built from it that
  keeps that start command: leafo/streak.club's Dockerfile copies the
  repository and runs ci.sh, which builds, runs the tests with busted and exits, while production runs the same
  nginx.conf on a host. What the image holds still tells which modules the config finds, but advice on the
  container a deployment runs in (logs lost with it, its stop signal) concerns no one there.
"""
from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from dataclasses import replace
from pathlib import Path

from ..nginx.conf_dirs import NGINX_DIRECTORIES
from .detect import NAMES_NGINX, is_nginx_container
from .dockerfile import ImageBuild, is_dockerfile_name, plain_source, read_dockerfile
from .model import Binding, Container, Mount, RuntimeFacts, healthcheck_probe, image_flavour

FROM_ONLY_DISTANCE = 1  # a Dockerfile that does not COPY the config binds it from this many directories up, at most
# A test suite started by the image: a CI or test script, or a test runner (`npm test`, `python -m pytest`).
_TEST_COMMAND = re.compile(
    r"(?:^|[\s/;&|])(?:ci|tests?|run[-_]?tests?|runtests)\.sh(?:$|[\s;&|])"
    r"|(?:^|[\s;&|])(?:busted|prove|pytest|py\.test|tox|phpunit|rspec)(?:$|[\s;&|])"
    r"|(?:^|[\s;&|])(?:npm|yarn|pnpm)(?: run)? test(?:$|[\s;&|])")
_STARTS_NGINX = re.compile(r"\b(?:nginx|openresty)\b")


def parsed_dockerfile(loader, path: Path, target: str | None = None) -> ImageBuild | None:
    """The parsed Dockerfile, once per run and target."""
    cache = loader.memo("dockerfile-builds")
    key = (path, target)
    if key not in cache:
        source = loader.read(path) if path.is_file() else None
        cache[key] = None if source is None or isinstance(source, str) else \
            read_dockerfile(loader.display(path), source.text, target)
    return cache[key]


def dockerfile_context(loader, dockerfile: Path) -> Path:
    """The build context of a Dockerfile no Compose file builds, once per run: of its directory and the directories
    above it (within the linted directory), the nearest where the most COPY sources exist (`docker build -f
    docker/openresty/Dockerfile .` from the repository's root; a source built before the image, such as
    frontend/dist, may be missing from any); but where none holds them all, the one a script of the repository
    builds it with (`docker build -f "${ROOT}/images/gateway/Dockerfile" "${ROOT}/context"`, script_builds.py) when
    more of them exist there."""
    memo = loader.memo("dockerfile-contexts")
    dockerfile = Path(os.path.abspath(dockerfile))
    if dockerfile not in memo:
        build = parsed_dockerfile(loader, dockerfile)
        sources = [source for copy in build.copies for source in copy.sources
                   if plain_source(source)] if build is not None else []
        base = Path(os.path.realpath(loader.base_dir))
        directory = Path(os.path.realpath(dockerfile.parent))
        candidates = [directory, *(p for p in directory.parents if p == base or base in p.parents)]
        found = [sum(os.path.lexists(candidate / source) for source in sources) for candidate in candidates]
        memo[dockerfile] = candidates[found.index(max(found))]
        if sources and max(found) < len(sources):
            from .script_builds import script_named_context  # the scripts, only for a context not found whole

            named = script_named_context(loader, Path(os.path.realpath(dockerfile)))
            if named is not None and sum(os.path.lexists(named / source) for source in sources) > max(found):
                memo[dockerfile] = named
    return memo[dockerfile]


def build_context(facts: RuntimeFacts, manifest_path: Path | None) -> Path | None:
    """The build context directory of a Compose service, when it is a local directory."""
    source = facts.container.build_source
    if source is None or manifest_path is None or "$" in source[0] or "://" in source[0] or source[0].startswith("git@"):
        return None
    return Path(os.path.abspath(manifest_path.parent / source[0]))


def with_build(facts: RuntimeFacts, manifests, loader) -> RuntimeFacts:
    """The service with what its Dockerfile builds attached (unchanged when it has no readable local build)."""
    context = build_context(facts, manifests.absolute.get(facts.path))
    if context is None:
        return facts
    _context_text, dockerfile, target = facts.container.build_source
    if dockerfile and "$" in dockerfile:
        return facts
    build = parsed_dockerfile(loader, context / (dockerfile or "Dockerfile"), target)
    if build is None:
        return facts
    # the service runs the image's HEALTHCHECK unless its own `healthcheck:` replaces it
    probes = facts.container.probes if facts.container.probes else image_probes(build)
    return replace(facts, container=replace(facts.container, build=build, probes=probes))


def image_probes(build: ImageBuild) -> tuple:
    """The image's HEALTHCHECK as a probe (none for `HEALTHCHECK NONE`)."""
    check = build.healthcheck
    if check is None or check.value == ("NONE",):
        return ()
    words = check.value[2:] if check.value[:2] == ("/bin/sh", "-c") else check.value
    return (healthcheck_probe(tuple(words), check.span, check.span, origin=build.path),)


def local_sources(build: ImageBuild, context: Path, whole_context: bool = True):
    """(copy, repository path, wildcard) for each source of the build's COPY/ADD lines that names a file of the
    context: not a URL nor a path with a variable; the whole context itself only when `whole_context`."""
    for copy in build.copies:
        for source in copy.sources:
            if "$" in source or "://" in source:
                continue
            local = Path(os.path.abspath(context / source))
            if local == context and not whole_context:
                continue
            yield copy, local, any(c in source for c in "*?[")


def copied_to(root: Path, context: Path, build: ImageBuild, whole_context: bool = True) -> str | None:
    """Where a COPY/ADD of the build puts the file `root`, or None. `whole_context`: whether a COPY of the whole
    build context (`COPY . .`, an application's sources) counts."""
    placed = placing_copy(root, context, build, whole_context)
    return placed[1] if placed is not None else None


def placing_copy(root: Path, context: Path, build: ImageBuild, whole_context: bool = True):
    """(the COPY/ADD, the image path) that puts the file `root` into the image, or None (see copied_to)."""
    for copy, local, wildcard in local_sources(build, context, whole_context):
        dest = copy.target
        into = dest.endswith("/") or len(copy.sources) > 1 or posixpath.normpath(dest) in NGINX_DIRECTORIES
        if wildcard:
            if root.parent == local.parent and fnmatch.fnmatchcase(root.name, local.name):
                return copy, posixpath.join(dest, root.name) if into else dest
            continue
        if root == local:
            return copy, posixpath.join(dest, root.name) if into else dest
        if local in root.parents:
            return copy, posixpath.join(dest, root.relative_to(local).as_posix())
    return None


def copied_file(build: ImageBuild, context: Path, image_path: str) -> Path | None:
    """The repository file a COPY/ADD of the build puts at `image_path` (the newest that does), or None."""
    for copy in reversed(build.copies):
        dest = posixpath.normpath(copy.target)
        for source in copy.sources:
            if not plain_source(source):
                continue
            local = Path(os.path.normpath(context / source))
            if local.is_dir():
                if image_path.startswith(dest.rstrip("/") + "/"):
                    candidate = local / image_path[len(dest.rstrip("/")) + 1:]
                    if candidate.is_file():
                        return candidate
            elif image_path == dest and len(copy.sources) == 1 and not copy.dest.endswith("/"):
                return local if local.is_file() else None
            elif image_path == posixpath.join(dest, local.name):
                return local if local.is_file() else None
    return None


def image_copy_target(root: Path, facts: RuntimeFacts, manifest_path: Path | None) -> str | None:
    """Where the Compose service's Dockerfile copies the config `root` into the image, or None. An image that runs
    no nginx and copies its whole build context (`COPY . .`) copies its sources, not a config it runs."""
    build = facts.container.build
    context = build_context(facts, manifest_path)
    if build is None or context is None:
        return None
    return copied_to(root, context, build, whole_context=is_nginx_container(facts.container))


def dockerfile_facts(build: ImageBuild, compose_services: frozenset[str] | None = frozenset()) -> RuntimeFacts:
    """A Dockerfile seen alone as the container that runs its image; `compose_services` are the names of the
    Compose services in view (None: a Compose template in view may run any)."""
    base = build.base
    command = build.entrypoint.value if build.entrypoint is not None else ()
    args = build.cmd.value if build.cmd is not None else ()
    span = base.span if base is not None else None
    container = Container(
        name=build.path, path=build.path, span=span, source="dockerfile", name_span=span,
        image=base.value if base is not None else None, image_span=span,
        command=command, command_spans=tuple(build.entrypoint.span for _ in command) if command else (),
        args=args, args_spans=tuple(build.cmd.span for _ in args) if args else (),
        stop_signal=build.stop_signal,
        mounts=tuple(Mount(volume.value, None, "volume", False, volume.span) for volume in build.volumes),
        probes=image_probes(build),
        build=build,
    )
    return RuntimeFacts(source="dockerfile", path=build.path, name=build.path, container=container, span=span,
                        compose_services=compose_services)


def runs_tests(facts: RuntimeFacts) -> bool:
    """Whether the container starts a test suite (and no nginx of its own): a Dockerfile seen alone with its
    ENTRYPOINT or CMD, or a Compose service built from one, with its own `entrypoint` and `command` over them."""
    if facts.source not in ("dockerfile", "compose"):
        return False
    container = facts.container
    command, args = container.command, container.args
    build = container.build
    if facts.source == "compose" and build is not None:
        command = command or (build.entrypoint.value if build.entrypoint is not None else ())
        args = args or (build.cmd.value if build.cmd is not None else ())
    started = " ".join((*command, *args))
    return bool(_TEST_COMMAND.search(started)) and not _STARTS_NGINX.search(started)


DOCKERFILE_DEPTH = 2  # below the prefix


def directories_below(loader, top: Path, depth: int) -> list[Path]:
    """`top` and its sub-directories down to `depth` levels, breadth first."""
    found = [top]
    level = [top]
    for _ in range(depth):
        level = [directory / name for directory in level for name in loader.listing(directory)[0]]
        found.extend(level)
    return found


def dockerfiles_near(tree) -> list[Path]:
    """The Dockerfiles of the project a tree belongs to: beside its conf dir, above it up to the repository root,
    and below its prefix."""
    loader = tree.loader
    base = Path(os.path.abspath(loader.base_dir))
    conf_dir = Path(os.path.abspath(tree.conf_dir))
    directories = [conf_dir]
    if base in conf_dir.parents:
        directories.extend(p for p in conf_dir.parents if p == base or base in p.parents)
    directories.extend(directories_below(loader, Path(os.path.abspath(tree.prefix)), DOCKERFILE_DEPTH))
    found: list[Path] = []
    for directory in dict.fromkeys(directories):
        for name in loader.listing(directory)[1]:
            if is_dockerfile_name(name):
                found.append(directory / name)
    return found


def nearby_dockerfiles(tree) -> list[tuple[int, Path]]:
    """(distance, path) of the Dockerfiles in the config's directory and its parents up to the base directory."""

    loader = tree.loader
    base = Path(os.path.abspath(loader.base_dir))
    directory = Path(os.path.abspath(tree.root.path)).parent
    found = []
    distance = 0
    while True:
        for name in loader.listing(directory)[1]:
            if is_dockerfile_name(name):
                found.append((distance, directory / name))
        if directory == base or base not in directory.parents:
            break
        directory = directory.parent
        distance += 1
    return found


def variant_dockerfiles(tree) -> list[Path]:
    """The Dockerfiles one directory below the config's (`docker/openresty/Dockerfile` beside `docker/nginx.conf`):
    one image per variant, built with the config's directory as context (`docker build -f openresty/Dockerfile .`)."""
    loader = tree.loader
    directory = Path(os.path.abspath(tree.root.path)).parent
    return [directory / child / name for child in loader.listing(directory)[0]
            for name in loader.listing(directory / child)[1] if is_dockerfile_name(name)]


def _copying_dockerfile(loader, root: Path, nearby: list[tuple[int, Path]], variants: list[Path]):
    """(build, image path, whether by the whole context) of the nearest Dockerfile that copies the config by its own
    path or a directory of it (one of its directory's or above, then a variant's below it); failing that, of the
    nearest above that copies its whole build context. An application image (`FROM python`, `COPY . /app`) carries
    the config with its sources; the Dockerfile that names the file puts it where nginx reads it."""
    whole_context = None
    for path in [path for _distance, path in nearby] + variants:
        build = parsed_dockerfile(loader, path)
        if build is None or names_no_nginx(build):
            continue  # an image with no nginx carries the config along with the application's files
        context = dockerfile_context(loader, path)
        target = copied_to(root, context, build, whole_context=False)
        if target is not None:
            return build, target, False
        if whole_context is None and path not in variants:
            target = copied_to(root, context, build)
            whole_context = (build, target, True) if target is not None else None
    return whole_context


def names_no_nginx(build: ImageBuild) -> bool:
    """The image is built on a distribution's or a language's image (`alpine`, `python`) and its Dockerfile names
    nginx or OpenResty nowhere (no package, no command, no copy): it installs and runs no nginx, and a config its
    COPYs carry (`COPY . .`, `COPY .docker /app/.docker`) is not one it runs."""
    from .base_images import base_image  # the image tables, only for a config a Dockerfile copies

    if build.base is None or not base_image(build.base.value).keeps_runtime_stop_signal:
        return False  # a base built elsewhere may hold nginx
    words = (*build.runs, *build.argv, *(part for copy in build.copies for part in (*copy.sources, copy.dest)))
    return not any(NAMES_NGINX.search(word) for word in words)


def copied_by_name(tree) -> bool:
    """A Dockerfile beside or above the config (or a variant's below it) copies it by its own path or its
    directory's: the image it builds runs it, whatever other container is in view."""
    found = _copying_dockerfile(tree.loader, Path(os.path.abspath(tree.root.path)), nearby_dockerfiles(tree),
                                variant_dockerfiles(tree))
    return found is not None and not found[2]


def _copies_configs(build: ImageBuild) -> bool:
    """The image copies configs of its own into nginx's directories (`COPY nginx.conf.template /etc/nginx/conf.d/`):
    a config beside the Dockerfile that it does not copy is not one the image runs (a rendered copy, a leftover)."""
    for copy in build.copies:
        dest = posixpath.normpath(copy.target)
        if any(dest == d or dest.startswith(d + "/") for d in NGINX_DIRECTORIES):
            return True
    return False


# The programs that run nginx itself (the binary, or OpenResty's name for it)
NGINX_PROGRAMS = frozenset({"nginx", "openresty"})


def runs_another_config(build: ImageBuild, target: str) -> bool:
    """The image runs nginx itself (its CMD or ENTRYPOINT, or the base image's own command) with another main
    config than the one copied to `target`: `-c` names it, or the base image's default (an OpenResty image's
    nginx/conf/nginx.conf, where `COPY . nginx/conf/` put the repository's own and an example's beside it)."""
    config = config_nginx_reads(build.argv, build.base.value if build.base is not None else None)
    return config is not None and config != posixpath.normpath(target)


def config_nginx_reads(argv: tuple[str, ...], base_reference: str | None) -> str | None:
    """The main config of a container whose command runs nginx itself (or that runs the base image's own command):
    the path `-c` names, else the base image's default (known for the official images); None when a script or
    another program starts nginx (it may pass any config) or the path is relative to no known prefix. A relative
    path is the prefix's (`-p`): OpenResty is built without a conf path of its own, so `openresty -p /srv` reads
    /srv/conf/nginx.conf; nginx's images name an absolute one."""
    from .base_images import base_image  # image facts, only for a main config whose container is known

    if argv and posixpath.basename(argv[0]) not in NGINX_PROGRAMS:
        return None
    base = base_image(base_reference)
    prefix = _option(argv, "-p")
    config = _option(argv, "-c")
    if config is None:
        config = base.conf_path
        if prefix is not None and base.flavour == "openresty" and config is not None:
            config = posixpath.relpath(config, base.prefix)
    if config is not None and not config.startswith("/") and prefix is not None and prefix.startswith("/"):
        config = posixpath.join(prefix, config)
    return posixpath.normpath(config) if config is not None and config.startswith("/") else None


def _option(argv: tuple[str, ...], name: str) -> str | None:
    """The value of a command-line option given as its own word (`-c FILE`)."""
    return next((argv[i + 1] for i in range(len(argv) - 1) if argv[i] == name), None)


# `Dockerfile.base`, `base.Dockerfile`, `Dockerfile-base`: an image other images of the project start FROM.
_BASE_NAME = re.compile(r"(?:^|[._-])base(?:[._-]|$)", re.IGNORECASE)


def builds_a_base(dockerfile: Path) -> bool:
    """The Dockerfile is named for a base image (`Dockerfile.base`): the images built on it set how containers
    start, so a config beside it is not run by its command."""
    return bool(_BASE_NAME.search(dockerfile.name.lower().replace("dockerfile", "")))


def bind_dockerfiles(workspace, compose_services: frozenset[str] | None = frozenset()) -> None:
    """Bind each config nothing else binds to the Dockerfile that copies it, or the nginx one next to it.
    `compose_services`: the names of the services of the Compose files in view, less a developer's stacks (None: a
    Compose template in view may run any)."""
    loader = workspace.loader
    facts_of: dict[str, RuntimeFacts] = {}  # one container per Dockerfile, shared by the configs it runs
    for tree in workspace.trees:
        if tree.binding is not None or tree.root.path is None or tree.container_unknown:
            continue
        root = Path(os.path.abspath(tree.root.path))
        nearby = nearby_dockerfiles(tree)
        chosen = _copying_dockerfile(loader, root, nearby, variant_dockerfiles(tree))
        if chosen is None and workspace.dockerfiles:  # a Dockerfile elsewhere that a script builds from here
            from .script_builds import dockerfiles_with_context_above  # the scripts, only for a config still unbound

            chosen = _copying_dockerfile(loader, root, [], dockerfiles_with_context_above(loader, root))
        if chosen is None:
            for distance, path in nearby:
                build = parsed_dockerfile(loader, path)
                if distance <= FROM_ONLY_DISTANCE and build is not None and build.base is not None \
                        and image_flavour(build.base.value) is not None and not _copies_configs(build) \
                        and not builds_a_base(path):
                    chosen = (build, None, False)
                    break
        if chosen is None:
            continue
        build, target, whole_context = chosen
        if whole_context and tree.is_main and runs_another_config(build, target):
            continue  # copied along with the sources, and left unread: the container runs its own config
        facts = facts_of.setdefault(build.path, dockerfile_facts(build, compose_services))
        tree.binding = Binding(facts, "dockerfile", container_path=target)
