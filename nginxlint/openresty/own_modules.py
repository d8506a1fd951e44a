"""The Lua modules a repository provides itself: a file at the module's path under its `lib/` (the layout of OPM
and LuaRocks packages, `lib/resty/foo.lua` or `lib/resty/foo/init.lua`), a module its rockspecs' builds install
(`build.modules`, `build.install.lua`), or one of the rocks they depend on, which `luarocks install` brings along.
Read once per repository and run.

A config among the repository's fixtures (an example, a test, any config of a Lua library's repository) that no
image runs requires these modules as its readers have them: installed with `opm get` or `luarocks install` into
OpenResty's default search path, which no config of the repository shows.
"""
from __future__ import annotations

import os
from pathlib import Path

from .. import sources
from ..repository import rockspecs


def provides(tree, module: str) -> bool:
    """Whether the repository that holds the tree's root provides `module` itself."""
    top = _top(tree)
    relative = module.replace(".", "/")
    lib = top / "lib"
    if (lib / f"{relative}.lua").is_file() or (lib / relative / "init.lua").is_file():
        return True
    return installed_by_rockspec(tree, module)


def installed_by_rockspec(tree, module: str) -> bool:
    """Whether a rockspec of the repository installs `module`, or depends on a rock that does: `luarocks make`
    (or `luarocks install --only-deps`) brings them onto the machine that runs the config."""
    loader, top = tree.loader, _top(tree)
    return loader.once("rockspec-modules", top, lambda: _rockspec_modules(top, loader)).why(module) is not None


def _top(tree) -> Path:
    return tree.loader.repository_top(Path(os.path.abspath(tree.root.path)).parent)


def in_fixture(tree) -> bool:
    """Whether the tree's root lies among the repository's fixtures (repository.Fixtures.holds)."""
    from ..repository import Fixtures

    memo = tree.loader.memo("fixtures")
    fixtures = memo.get("fixtures")
    if fixtures is None:
        fixtures = memo["fixtures"] = Fixtures(tree.settings.fixture_dirs, Path(tree.loader.base_dir))
    return fixtures.holds(tree.root.display)


def _rockspec_modules(top: Path, loader):
    """A ModuleSet of what the repository's rockspecs install, the rocks they depend on included."""
    from ..container.rockspec import read_rockspec  # the rockspec reader, only for a module not found
    from .modules import ModuleSet, rock_dependencies, rock_modules

    found = ModuleSet()
    for path in rockspecs(top):
        try:
            spec = read_rockspec(loader.text(path))
        except sources.Unreadable:
            continue
        if spec is None:
            continue
        if spec.exact:
            found.update(spec.modules, path.name)
        for rock in spec.dependencies:
            for name in (rock, *rock_dependencies(rock)):
                found.update(rock_modules(name), f"{path.name} depends on {rock}")
    return found
