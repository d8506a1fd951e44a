"""Files only a development container holds: the project's image copies them in and a RUN then deletes them.

NginxProxyManager's docker/Dockerfile copies docker/rootfs (nginx's conf.d with it) and runs
`rm -rf /etc/nginx/conf.d/dev.conf`: the image its users run has no dev.conf, only the development image
(docker/dev/Dockerfile, which keeps it) loads it. Advice that matters only on a server the public reaches
(`production-only` rules) is quiet on such a file, as in fixture directories; correctness findings stay, since
the development container still loads it.

The same holds for a config that only a development setup runs: its container comes from a development Compose
file (`docker-compose.dev.yml`, `compose.override.yml`, which `docker compose up` adds on a developer's machine,
or any Compose stack dev_stack.py shows to be a developer's: debugging switched on, the application's sources
mounted, a mail catcher, a README that says so), a Compose service only a development or test profile starts
(`profiles: [testing]`), or a development Dockerfile
(`Dockerfile.dev`, or a Dockerfile of its own name only a development Compose stack builds and nothing else names),
and no other manifest binds it and no production Dockerfile beside or above it copies it. A file that a config run
elsewhere includes as well keeps its advice.

No container at all holds a config its build context's image leaves out: a stale `conf.d.1/` beside the `conf.d/`
the Dockerfile ADDs, or any config of a context whose nginx image copies none and that no mount brings in. Its
production advice is quiet too.

A development Dockerfile (a `dev`, `devel` or `development` directory or name part) deleting a file says the
opposite (docker/dev/Dockerfile removes production.conf.template, which the shipped image keeps), so it is not
read; nor are Dockerfiles in fixture directories. A file that a manifest other than a development one mounts into
a container (a Compose service bind-mounting the config) is back in a deployed container, and is not quiet.
"""
from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from pathlib import Path

from ..repository import DEVELOPMENT_NAME
from ..shell_scripts import ci_files
from .declared_purpose import declared_not_for_production
from .dockerfile_binding import (copied_to, dockerfile_context, local_sources, names_no_nginx, nearby_dockerfiles,
                                 parsed_dockerfile, runs_tests)
from .model import image_flavour

# Compose's override file, which `docker compose up` merges into compose.yaml: by Docker's convention the
# developer's additions (mounted sources, debug ports); production runs `-f compose.yaml -f compose.prod.yaml`.
# And a Compose file named for a developer's machine (compose.local.yml, a local run of the production build:
# docker-compose.prod-local.yml).
_OVERRIDE = re.compile(r"(?:^|/)(?:docker-)?compose[.-](?:\w+[.-])?(?:override|local)\.ya?ml$", re.IGNORECASE)
# A Compose file named for a test run (docker-compose.test.yml, compose.ci.yaml, docker-compose.e2e.yml): a CI job
# starts it, checks and tears it down (`e2e-testing.docker-compose.yml`); so is a manifest named for a test
# (`working-test.yaml`, `test-ingress.yaml`).
_TEST_RUN = re.compile(r"(?:^|/)(?:docker-)?compose[.-](?:test|tests|testing|ci|e2e)\.ya?ml$"
                       r"|(?:^|/)(?:[\w.-]*[._-])?(?:tests?(?:[._-][\w.-]*)?|testing(?:\.[\w.-]*)?)\.ya?ml$",
                       re.IGNORECASE)


def is_development(display_path: str) -> bool:
    """A Dockerfile or manifest made for development: docker/dev/Dockerfile, Dockerfile.devel, compose.dev.yml,
    compose.override.yml, docker-compose.local.yml, or for a test run: docker-compose.test.yml, compose.ci.yaml."""
    return bool(DEVELOPMENT_NAME.search(display_path) or _OVERRIDE.search(display_path)
                or _TEST_RUN.search(display_path))


def development_setup(facts) -> bool:
    """A container a development setup describes: named so (`is_development`), a developer's Compose stack
    (dev_stack.py: debugging switched on, the application's sources mounted, a mail catcher, a README that says
    so), or a Compose build of a Dockerfile's development stage (`target: development`, which the production file
    replaces with `target: production`)."""
    build = facts.container.build_source
    return is_development(facts.path) or facts.developer_stack or \
        bool(build and build[2] and DEVELOPMENT_NAME.search(build[2]))


def development_only(workspace, fixtures) -> frozenset[str]:
    """Display paths of the repository files only a development container holds: those a production Dockerfile
    beside or above the configs copies and then deletes, and the configs only a development setup runs."""
    loader = workspace.loader
    builds = []  # (Dockerfile, its build, its context) of the production Dockerfiles near the configs
    development_builds = _built_only_by_development_setups(workspace)
    for dockerfile in _nearby_dockerfiles(workspace):
        display = loader.display(dockerfile)
        if is_development(display) or fixtures.holds(display) or display in development_builds:
            continue
        build = parsed_dockerfile(loader, dockerfile)
        # a Dockerfile whose last stage is the development one builds the developer's image by default; the
        # production setup names its own stage (`target: production`)
        if build is not None and not (build.stage and DEVELOPMENT_NAME.search(build.stage)):
            builds.append((dockerfile, build, dockerfile_context(loader, dockerfile)))
    return frozenset(_deleted(workspace, builds) | _run_by_development_setups(workspace, builds)
                     | _left_out_of_images(workspace, builds) | _development_profiles(workspace)
                     | _development_variants(workspace) | _declared_not_for_production(workspace)
                     | _named_for_the_developers_machine(workspace) | _run_in_a_developers_vm(workspace)
                     | _on_a_developers_mac(workspace))


def _declared_not_for_production(workspace) -> set[str]:
    """The config files whose opening comment (the lines above the first directive) says they are for development,
    tests or benchmarks, or not for production."""
    found = set()
    for tree in workspace.trees:
        for source in tree.files.values():
            if source.display not in found and declared_not_for_production(source.text):
                found.add(source.display)
    return found


# A host name only a developer's machine resolves: mDNS's `.local` and the loopback `.localhost` (RFC 6762, RFC
# 6761), the `.docker` of Docker development kits (`magento2.docker`, mapped in /etc/hosts; no such top-level domain
# exists), the public names that resolve to 127.0.0.1 for local development (`*.lvh.me`, `*.localtest.me`, Lando's
# `*.lndo.site`), or a `local.` first label (`local.shop.com`). Not `.test`: a production host answers a monitoring
# check's `monitoring-vhost.test` as well.
_LOCAL_NAME = re.compile(r"(?:[^.]+\.)+(?:local|localhost|docker|lvh\.me|localtest\.me|lndo\.site)\.?"
                         r"|local\.[^.]+\..+", re.IGNORECASE)
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})


def _named_for_the_developers_machine(workspace) -> set[str]:
    """The config files whose servers answer only to names a developer's machine resolves (`api-gateway.local`, with
    `localhost` beside them): a setup run where the developer works. A catch-all server (`_`) answers any name."""
    names: dict[str, list[str]] = {}
    for tree in workspace.trees:
        for node in tree.nodes("server_name"):
            names.setdefault(node.d.file.display, []).extend(node.args)
    return {display for display, found in names.items()
            if any(_LOCAL_NAME.fullmatch(name) for name in found)
            and all(name.lower() in _LOOPBACK_NAMES or _LOCAL_NAME.fullmatch(name) for name in found)}


def _on_a_developers_mac(workspace) -> set[str]:
    """The files of the configs no container runs that name paths in a macOS home directory
    (`lua_package_path "/Users/amo/dev/app/lua/?.lua;;"`): written for the developer's own laptop."""
    found = set()
    for tree in workspace.trees:
        if tree.binding is None and any(_MAC_HOME.search(arg) for node in tree.walk() for arg in node.args):
            found.update(tree.files)
    return found


# A path, or a search path's entry, in a macOS home directory
_MAC_HOME = re.compile(r"(?:^|;)/Users/[^/;]+/")


# The words naming the production variant of a config or of a directory of configs.
_PRODUCTION_WORDS = ("prod", "production")
# A config named for development (`nginx-dev.conf`, `nginx.development.conf`, `dev.conf`), and its word for it.
_DEVELOPMENT_PROFILE = re.compile(r"(?:^|[._-])(dev|development|local)(?=[._-])", re.IGNORECASE)


def _development_profiles(workspace) -> set[str]:
    """The configs named for development beside one named for production that no config includes (`nginx-dev.conf`
    and `nginx-prod.conf`, `sites-enabled/dev.conf` and `prod.conf`, which a start script picks by profile): the
    production one is what serves users. And the configs whose directory says so too, run by no container in view
    (`dev/nginx-dev.conf`, a developer's local origin)."""
    found = set()
    for tree in workspace.trees:
        path = tree.root.path
        match = _DEVELOPMENT_PROFILE.search(path.name)
        if match is None:
            continue
        start, end = match.span(1)
        siblings = (path.parent / f"{path.name[:start]}{word}{path.name[end:]}" for word in _PRODUCTION_WORDS)
        if any(sibling.is_file() for sibling in siblings) or \
                tree.binding is None and path.parent.name.lower() in _DEVELOPMENT_VARIANT:
            found.add(tree.root.display)
    return found


# Directories of one deployment's variants, one per environment (kustomize overlays, per-environment config trees).
_DEVELOPMENT_VARIANT = frozenset({"dev", "devel", "develop", "development"})


# A folder a developer's virtual machine shares with its host: VMware's `/mnt/hgfs/`, VirtualBox's `/media/sf_…`,
# Vagrant's `/vagrant/`
_VM_SHARED_FOLDER = re.compile(r"(?<![\w/.-])(?:/mnt/hgfs/|/media/sf_|/vagrant/)")


def _run_in_a_developers_vm(workspace) -> set[str]:
    """The files only configs hold that name a folder a developer's virtual machine shares with its host
    (`content_by_lua_file /mnt/hgfs/Linux-Share/app/api.lua`), or that sit in a directory of the repository's
    Vagrant setup (`vagrant_assets/nginx/django.conf` beside its Vagrantfile): nginx runs there, on the developer's
    machine."""
    from ..nginx.placeholders import files_only_of

    return files_only_of(workspace.trees, lambda tree: _vagrant_asset(tree) or any(
        _VM_SHARED_FOLDER.search(source.text) for source in tree.files.values()))


def _vagrant_asset(tree) -> bool:
    """The config's root sits below a `vagrant…` directory of a repository whose top holds a Vagrantfile."""
    if tree.root.path is None:
        return False
    path = Path(os.path.abspath(tree.root.path))
    top = tree.loader.repository_top(path.parent)
    if top not in path.parents or not (top / "Vagrantfile").is_file():
        return False
    return any(part.lower().startswith("vagrant") for part in path.parent.relative_to(top).parts)


def _development_variants(workspace) -> set[str]:
    """The files of configs kept in a directory of the development variant beside one of the production variant
    (`overlays/development/config/nginx.conf` beside `overlays/production/`): the production one serves users."""
    found = set()
    for tree in workspace.trees:
        if tree.root.path is None:
            continue
        for file in tree.files.values():
            if file.path is None:
                continue
            for directory in Path(os.path.abspath(file.path)).parents:
                if directory.name.lower() in _DEVELOPMENT_VARIANT and \
                        any((directory.parent / name).is_dir() for name in _PRODUCTION_WORDS):
                    found.add(file.display)
                    break
    return found


def test_run_only(workspace) -> frozenset[str]:
    """Display paths of the files of the configs whose container is a test run (an image that runs its test
    suite, dockerfile_binding.runs_tests), less those of every other config: advice on the container they are
    deployed in has no container to go by. A config no container is known for is taken to be deployed."""
    tested: set[str] = set()
    others: set[str] = set()
    for tree in workspace.trees:
        binding = tree.binding
        (tested if binding is not None and runs_tests(binding.facts) else others).update(tree.files)
    return frozenset(tested - others)


def _built_only_by_development_setups(workspace) -> set[str]:
    """Display paths of the Dockerfiles of their own name or directory (`nginx.Dockerfile`, the `Dockerfile` of
    `docker/production/nginx/`; not the one at the top, which every build tool and CI builds by default) that the
    configs' development containers build (a developer's Compose stack's
    `build: {dockerfile: nginx.Dockerfile}`), that none of their other containers does, and that no script, README
    or CI workflow of the repository names: development Dockerfiles."""
    development: set[str] = set()
    deployed: set[str] = set()
    for tree in workspace.trees:
        binding = tree.binding
        build = binding.facts.container.build if binding is not None else None
        if build is not None and _named_for_itself(build.path):
            (development if development_setup(binding.facts) else deployed).add(build.path)
    candidates = development - deployed
    if not candidates:
        return candidates
    top = workspace.loader.repository_top(Path(os.path.abspath(workspace.loader.base_dir)))
    ci = _read_all(ci_files(top))
    named = _script_text(workspace.loader) + ci
    return {path for path in candidates if _named_for_itself(path) not in named}


def _named_for_itself(dockerfile: str) -> str:
    """What a script or CI job that builds the Dockerfile must name: its own name (`nginx.Dockerfile`), or for a
    plain `Dockerfile` its directory (`docker/production/nginx`, given to `docker build` as the context); empty for
    the `Dockerfile` at the top, which every build tool builds by default."""
    name = os.path.basename(dockerfile)
    return name if name != "Dockerfile" else posixpath.dirname(dockerfile)


def _nearby_dockerfiles(workspace) -> list[Path]:
    return list(dict.fromkeys(path for tree in workspace.trees if tree.root.path is not None
                              for _distance, path in nearby_dockerfiles(tree)))


def _run_by_development_setups(workspace, builds) -> set[str]:
    """The files of the configs whose container a development Compose file or Dockerfile describes, less those of
    every other config (a config no container is known for is taken to be deployed), and those development files
    themselves (advice on the container a test run starts is placed there)."""
    development: set[str] = set()
    deployed: set[str] = set()
    setups: set[str] = set()
    for tree in workspace.trees:
        binding = tree.binding
        if binding is not None and development_setup(binding.facts) and not _in_working_copy(binding):
            setups.add(binding.path)
            if not _copied_by(tree, builds):
                development.update(tree.files)
                continue
        deployed.update(tree.files)
    return (development - deployed) | setups


def _in_working_copy(binding) -> bool:
    """The config reaches the container only inside the application's mounted source tree (`.:/app`): the working
    copy holds every config of the project, the production ones with the rest, so that says nothing of which
    setup runs it."""
    from .dev_stack import holds_sources  # read only for a development setup's binding

    return binding.how == "host-mount" and binding.host_source is not None and holds_sources(binding.host_source)


def _copied_by(tree, builds) -> bool:
    """A production Dockerfile copies the config into its image: the image may run it. An image of another base
    that copies its whole build context (`COPY . .`) copies an application's sources, not a config it runs; one
    that names nginx nowhere (`FROM python`, `COPY .docker /app/.docker`) runs none."""
    if tree.root.path is None:
        return False
    root = Path(os.path.abspath(tree.root.path))
    return any(copied_to(root, context, build, whole_context=_nginx_base(build)) is not None
               for _dockerfile, build, context in builds if not names_no_nginx(build))


def _left_out_of_images(workspace, builds) -> set[str]:
    """The configs of a build context that no container the repository describes holds:
    - beside what its image copies, and not copied themselves: a file in the directory of a config file it copies
      (a `default.conf` whose ADD is commented out), or in a directory beside a directory of configs it copies (a
      stale `conf.d.1/` beside the `conf.d/` it ADDs, and the files next to that `conf.d/`);
    - its image is an nginx image that copies none of the context's configs: it runs its own stock config, and the
      context's configs could reach it only by a mount that no manifest declares and no script of the repository
      names, nor a README (`docker run -v "$PWD/nginx/conf.d:/etc/nginx/conf.d"`).
    Unless another image copies them, a manifest mounts them, or such a config includes them. A context whose image
    is not nginx's and copies no config says nothing: its configs may be meant for a host."""
    by_context: dict[Path, list] = {}
    staged: set[int] = set()  # builds that copy from another stage: a config may come in through it
    for dockerfile, build, context in builds:
        by_context.setdefault(context, []).append(build)
        if _copies_from_stage(dockerfile):
            staged.add(id(build))
    roots = {id(tree): Path(os.path.abspath(tree.root.path)) for tree in workspace.trees if tree.root.path is not None}
    sources = {id(build): _CopySources(build, context) for _dockerfile, build, context in builds}
    copying: set[int] = set()  # ids of the builds that copy a config of their context
    copied: set[int] = set()  # ids of the trees some build copies
    beside_files: set[Path] = set()  # directories of the config files copied
    beside_directories: set[Path] = set()  # directories holding a directory of configs copied
    for tree in workspace.trees:
        root = roots.get(id(tree))
        for context, build in _builds_above(root, by_context) if root is not None else ():
            source = sources[id(build)].source_of(root, context)
            if source is not None:
                copying.add(id(build))
                copied.add(id(tree))
                (beside_files if source == root else beside_directories).add(source.parent)
    # a directory a copying build takes whole, when it holds a config of any tree (conf.d/ of the included files)
    holding = {parent for tree in workspace.trees for source in tree.files.values() if getattr(source, "path", None)
               for parent in Path(os.path.abspath(source.path)).parents}
    beside_directories.update(path.parent for build_id in copying for path in sources[build_id].paths
                              if path in holding)
    named = None
    top = workspace.loader.repository_top(Path(os.path.abspath(workspace.loader.base_dir)))
    left_out: set[str] = set()
    placed: set[str] = set()
    for tree in workspace.trees:
        root = roots.get(id(tree))
        if root is None:
            continue
        binding = tree.binding
        if id(tree) in copied or binding is not None and binding.from_manifest and binding.how == "host-mount":
            placed.update(tree.files)
            continue
        beside = root.parent in beside_files or root.parent in beside_directories \
            or root.parent.parent in beside_directories
        stock = [context for context, build in _builds_above(root, by_context)
                 if id(build) not in copying and id(build) not in staged and _nginx_base(build)]
        if beside or stock:
            named = _script_text(workspace.loader) if named is None else named
            if not _named_by_scripts(root, stock[0] if stock else root.parent, top, named):
                left_out.update(tree.files)
    return left_out - placed


_STAGE_COPY = re.compile(r"^[ \t]*(?:COPY|ADD)[ \t]+(?:--\S+[ \t]+)*--from=", re.IGNORECASE | re.MULTILINE)


def _copies_from_stage(dockerfile: Path) -> bool:
    try:
        return _STAGE_COPY.search(dockerfile.read_text(encoding="utf-8", errors="replace")) is not None
    except OSError:
        return True


class _CopySources:
    """What a build's COPY/ADD instructions take from its context, indexed: which source brings a file in costs a
    few set lookups (copied_to's answer, without the destination), however many builds share a context."""

    def __init__(self, build, context: Path):
        whole_context = _nginx_base(build)
        self.paths: set[Path] = set()  # files and directories copied as named
        self.globs: list[tuple[Path, str]] = []  # (directory, pattern) of the wildcard sources
        for _, local, wildcard in local_sources(build, context, whole_context):
            if wildcard:
                self.globs.append((local.parent, local.name))
            else:
                self.paths.add(local)

    def source_of(self, root: Path, context: Path) -> Path | None:
        """The file itself (named or matched by a wildcard) or the directory that brings it in, or None."""
        if any(root.parent == directory and fnmatch.fnmatchcase(root.name, pattern) for directory, pattern in self.globs):
            return root
        for path in (root, *root.parents):
            if path in self.paths:
                return path
            if path == context:
                return None
        return None


def _builds_above(root: Path, by_context: dict):
    """(context, build) of the builds whose context holds the file."""
    for directory in root.parents:
        for build in by_context.get(directory, ()):
            yield directory, build


def _named_by_scripts(root: Path, context: Path, top: Path, scripts: str) -> bool:
    """A script or README names the config (by its directory and file name: `cp nginx/site.https.conf …`, a
    mount's source `./nginx/site.https.conf:`), a directory holding it below `context`, or `context` as a mount's
    source."""
    if top != context and top not in context.parents:
        return True  # outside the repository: nothing to go by, taken to be named
    name = root.name if root.parent == top else f"{root.parent.name}/{root.name}"
    if re.search(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])", scripts):
        return True
    names = [path.relative_to(top).as_posix() for path in root.parents if context in path.parents]
    return any(name in scripts for name in names) or \
        re.search(re.escape(context.relative_to(top).as_posix()) + r"/?:", scripts) is not None


def _script_text(loader) -> str:
    """The shell scripts, Makefiles and Markdown documents of the repository (a README's `docker run -v` line
    counts as much as a script's), as one text (read once per run)."""
    memo = loader.memo("repository-scripts")
    if "text" not in memo:
        top = loader.repository_top(Path(os.path.abspath(loader.base_dir)))
        memo["text"] = _read_all(path for path in loader.files_under(top)
                                 if path.suffix in (".sh", ".md") or path.name in ("Makefile", "makefile", "Justfile"))
    return memo["text"]


def _read_all(paths) -> str:
    """The texts of the files that can be read, as one text."""
    texts = []
    for path in paths:
        try:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    return "\n".join(texts)


def never_together(workspace, fixtures, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The pairs of files (display paths) no container holds both of: every image built near the configs that copies
    both deletes one of them (NginxProxyManager's image deletes conf.d/dev.conf, its development image deletes
    production.conf), and no manifest mounts a config tree that holds both. Development Dockerfiles count here: the
    question is what any container loads together."""
    from .dockerfile_build import image_of  # the image model, only for files reported as clashing

    loader = workspace.loader
    images = [image_of(loader, dockerfile) for dockerfile in _nearby_dockerfiles(workspace)
              if not fixtures.holds(loader.display(dockerfile))]
    removed = [{loader.display(path) for path in image.removed_copies()} for image in images]
    if not any(removed):
        return set()
    mounted = [tree.files for tree in workspace.trees
               if tree.binding is not None and tree.binding.from_manifest and tree.binding.how == "host-mount"]
    base = Path(loader.base_dir)
    apart = set()
    for pair in pairs:
        if any(pair[0] in files and pair[1] in files for files in mounted):
            continue
        paths = [(base / display).resolve() for display in pair]
        holding = [gone for image, gone in zip(images, removed) if all(_copied(image, path) for path in paths)]
        if holding and all(pair[0] in gone or pair[1] in gone for gone in holding):
            apart.add(pair)
    return apart


def _copied(image, path: Path) -> bool:
    """A COPY or ADD of the image put this repository file in it."""
    return any(path == source or path.is_relative_to(source) for _target, source in image.path_map)


def _nginx_base(build) -> bool:
    return build.base is not None and image_flavour(build.base.value) is not None


def _deleted(workspace, builds) -> set[str]:
    """The files a production image copies and then deletes, unless a non-development manifest mounts them."""
    if not builds:
        return set()
    from .dockerfile_build import image_of  # the image model, only for a project with Dockerfiles

    loader = workspace.loader
    deleted: set[str] = set()
    for dockerfile, _build, context in builds:
        deleted.update(loader.display(path) for path in image_of(loader, dockerfile, context).removed_copies())
    if not deleted:
        return deleted
    for tree in workspace.trees:  # mounted into a container that is not a development one: deployed after all
        binding = tree.binding
        if binding is not None and binding.from_manifest and binding.how == "host-mount" \
                and not development_setup(binding.facts):
            deleted.difference_update(tree.files)
    return deleted


