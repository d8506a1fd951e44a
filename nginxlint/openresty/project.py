"""What the project installs around its config: rocks named in Dockerfiles and LuaRocks manifests.

Only the places a build takes them from are looked at, never the whole repository: Dockerfiles in the config's
directory and its parents up to the linted base directory, in the prefix and up to two levels below it
(`docker/Dockerfile`); LuaRocks tree manifests (`<tree>/lib/luarocks/rocks-5.1/manifest`) in the prefix, the base
directory and their subdirectories (`lua_modules/`, `rocks/`). A config no container runs (nginx on a host) gets
what the project installs anywhere: its README's and scripts' rocks, and those of any Dockerfile of the repository.
Listings, reads and parses happen once per run.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..container.dockerfile import repository_dockerfiles
from ..container.dockerfile_binding import directories_below, dockerfiles_near
from ..sources import Unreadable
from .modules import builtin_modules, dockerfile_rocks, manifest_rocks, rock_dependencies, rock_modules

TREE_MANIFESTS = ("lib/luarocks/rocks-5.1/manifest", "lib/luarocks/rocks/manifest")
ROCKS_DIR_MANIFESTS = ("manifest", "manifest-5.1")  # in a directory named like `rocks`




def _manifests(tree) -> list[Path]:
    loader = tree.loader
    tops = dict.fromkeys(Path(os.path.abspath(p)) for p in (tree.prefix, loader.base_dir))
    found: list[Path] = []
    for directory in dict.fromkeys(d for top in tops for d in directories_below(loader, top, 1)):
        names = TREE_MANIFESTS + (ROCKS_DIR_MANIFESTS if "rocks" in directory.name else ())
        found.extend(directory / name for name in names if (directory / name).is_file())
    return found


class ProjectModules:
    """Modules a `require` finds without a Lua file in the project: built in, bundled, known, or installed.

    Dockerfiles and manifests are read only when a module is none of the first three, so that configs whose Lua
    needs nothing installed (or that have no Lua) never look for them.
    """

    def __init__(self, tree):
        self.tree = tree
        self.modules = builtin_modules()
        self.modules.update(tree.settings.known_modules, "listed in lua.known-modules")
        self._installed_read = False

    def why(self, module: str) -> str | None:
        found = self.modules.why(module)
        if found is None and not self._installed_read:
            self._installed_read = True
            self._add_installed()
            found = self.modules.why(module)
        return found

    def __contains__(self, module: str) -> bool:
        return self.why(module) is not None

    def _add_installed(self) -> None:
        tree, modules = self.tree, self.modules
        from ..container.view import container_files  # the image model, only for a module not found otherwise

        files = container_files(tree)  # a manifest's container, or the Dockerfile that copies the config
        image = files.image if files is not None else None
        if image is not None:  # the container's own image: its rocks, their dependencies, local rockspecs
            modules.merge(image.module_set())
        for path in dockerfiles_near(tree):
            self._add_rocks_of(path)
        for path in _manifests(tree):
            for rock in _rocks(tree.loader, path, manifest_rocks):
                modules.update(rock.modules, f"installed according to the LuaRocks manifest "
                                             f"{tree.loader.display(path)}")
        if tree.binding is None:  # nginx on a host: the rocks its README or scripts have the reader install
            top = tree.loader.repository_top(Path(os.path.abspath(tree.root.path or tree.loader.base_dir)).parent)
            for rock, where in documented_rocks(tree.loader, top):
                for name in (rock, *rock_dependencies(rock)):
                    modules.update(rock_modules(name), f"installed as {where} says (`{rock}`)")
            for path in repository_dockerfiles(tree.loader, top):  # and the rocks its images install
                self._add_rocks_of(path)


    def _add_rocks_of(self, dockerfile: Path) -> None:
        loader = self.tree.loader
        for rock in _rocks(loader, dockerfile, dockerfile_rocks):
            self.modules.update(rock.modules,
                                f"installed by {rock.installed_as} in {loader.display(dockerfile)}:{rock.line}")


# `luarocks install lunajson`, `opm get ledgetech/lua-resty-http`, written in a README or a script (options skipped).
_INSTALL = re.compile(r"\b(?:luarocks[ \t]+install|opm[ \t]+(?:get|install))(?:[ \t]+--?[\w-]+(?:=\S*)?)*[ \t]+"
                      r"([A-Za-z][\w.-]*(?:/[\w.-]+)?)")
_READMES = re.compile(r"readme(?:\.\w+)?$|install(?:ation|ing)?(?:\.\w+)?$", re.IGNORECASE)


def documented_rocks(loader, top: Path) -> tuple[tuple[str, str], ...]:
    """(rock, file) of every rock or OPM package the repository's README, install notes or shell scripts install."""
    return loader.once("documented-rocks", top, lambda: tuple(_documented(loader, top)))


def _documented(loader, top: Path):
    from ..shell_scripts import shell_scripts  # only for a module found nowhere else

    texts = []
    for name in loader.listing(top)[1]:
        if _READMES.match(name):
            try:
                texts.append((top / name, loader.text(top / name)))
            except Unreadable:
                continue
    for path, text in [*texts, *shell_scripts(loader, top)]:
        for match in _INSTALL.finditer(text):
            yield match.group(1).rsplit("/", 1)[-1], loader.display(path)


def project_modules(tree) -> ProjectModules:
    return ProjectModules(tree)


def _rocks(loader, path: Path, reader) -> list:
    """The rocks a Dockerfile or manifest installs, parsed once per run."""
    cache = loader.memo("installed-rocks")
    hit = cache.get(path)
    if hit is None:
        source = loader.read(path)
        hit = cache[path] = [] if isinstance(source, str) else reader(path, source.text)
    return hit
