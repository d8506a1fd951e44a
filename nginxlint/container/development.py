"""Files only a development container holds: the project's image copies them in and a RUN then deletes them.

NginxProxyManager's docker/Dockerfile copies docker/rootfs (nginx's conf.d with it) and runs
`rm -rf /etc/nginx/conf.d/dev.conf`: the image its users run has no dev.conf, only the development image
(docker/dev/Dockerfile, which keeps it) loads it. Advice that matters only on a server the public reaches
(`production-only` rules) is quiet on such a file, as in fixture directories; correctness findings stay, since
the development container still loads it.

A development Dockerfile (a `dev`, `devel` or `development` directory or name part) deleting a file says the
opposite (docker/dev/Dockerfile removes production.conf.template, which the shipped image keeps), so it is not
read; nor are Dockerfiles in fixture directories. A file that a manifest other than a development one mounts into
a container (a Compose service bind-mounting the config) is back in a deployed container, and is not quiet.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from .dockerfile import plain_source
from .dockerfile_binding import parsed_dockerfile

_DEVELOPMENT = re.compile(r"(?:^|[/._-])(?:dev|devel|development)(?:[/._-]|$)", re.IGNORECASE)


def is_development(display_path: str) -> bool:
    """A Dockerfile or manifest made for development: docker/dev/Dockerfile, Dockerfile.devel, compose.dev.yml."""
    return bool(_DEVELOPMENT.search(display_path))


def development_only(workspace, fixtures, dockerfiles) -> frozenset[str]:
    """Display paths of the repository files a production Dockerfile among `dockerfiles` (those beside and above
    the configs) copies and then deletes."""
    from .dockerfile_build import image_of  # the image model, only for a project with Dockerfiles

    loader = workspace.loader

    deleted: set[str] = set()
    for dockerfile in dockerfiles:
        display = loader.display(dockerfile)
        if is_development(display) or fixtures.holds(display):
            continue
        build = parsed_dockerfile(loader, dockerfile)
        if build is None:
            continue
        context = _context(dockerfile, build, Path(os.path.realpath(loader.base_dir)))
        deleted.update(loader.display(path) for path in image_of(loader, dockerfile, context).removed_copies())
    if not deleted:
        return frozenset()
    for tree in workspace.trees:  # mounted into a container that is not a development one: deployed after all
        binding = tree.binding
        if binding is not None and binding.from_manifest and binding.how == "host-mount" \
                and not is_development(binding.path):
            deleted.difference_update(tree.files)
    return frozenset(deleted)


def _context(dockerfile: Path, build, base: Path) -> Path:
    """The build context: of the Dockerfile's directory and the directories above it (within the linted
    directory), the nearest where the most COPY sources exist (docker/Dockerfile built from the repository root;
    a source built before the image, such as frontend/dist, may be missing from any)."""
    sources = [source.lstrip("/") for copy in build.copies for source in copy.sources if plain_source(source)]
    directory = Path(os.path.realpath(dockerfile.parent))
    candidates = [directory, *(p for p in directory.parents if p == base or base in p.parents)]
    found = [sum(os.path.lexists(candidate / source) for source in sources) for candidate in candidates]
    return candidates[found.index(max(found))]
