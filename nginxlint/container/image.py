"""The image a Dockerfile builds: its stages, where each repository file lands, its ENV, command and installs.

`read_image(dockerfile, context)` follows the Dockerfile the way `docker build` does, without running anything
(the instructions' meaning is in dockerfile_build). `Image.where(path)` says what is at an image path: a
repository Path, an Inline text, Unknown (something out of sight may have put it there) or ABSENT.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from .base_images import BaseImage, base_image
from .filesystem import ABSENT, Filesystem, Listing, Unknown

# A build argument in a path (`${APP_ROOT}`, `$APP_ROOT`)
_BUILD_ARGUMENT = re.compile(r"\$\{?\w+\}?")


@dataclass(frozen=True)
class InstalledModules:
    """Lua modules a rock or OPM package installs (names or `x.*` patterns), and which instruction did it."""

    tool: str  # "luarocks" | "opm"
    name: str  # the rock, OPM package or rockspec path
    modules: tuple[str, ...]
    exact: bool  # the modules come from a rockspec or the table, not guessed from the name
    line: int
    required_by: str | None = None  # set for a dependency `luarocks install` brought along


@dataclass
class Stage:
    index: int
    name: str | None
    line: int
    base_reference: str | None  # the FROM reference as expanded (a stage name when built on a stage)
    parent: "Stage | None"
    base: BaseImage  # the image under the whole chain of stages
    fs: Filesystem
    env: dict[str, str] = field(default_factory=dict)
    args: dict[str, str | None] = field(default_factory=dict)
    workdir: str = "/"
    user: str | None = None
    stop_signal: str | None = None
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    platform: str | None = None  # FROM --platform, of this stage or the one it is built on
    exposed: list[str] = field(default_factory=list)
    installs: list[InstalledModules] = field(default_factory=list)
    packages: list[tuple[str, str, int]] = field(default_factory=list)  # (manager, package, line)
    made_dirs: set[str] = field(default_factory=set)
    links: dict[str, str] = field(default_factory=dict)  # image path -> target, of the symbolic links RUN made
    path_map: list[tuple[str, Path]] = field(default_factory=list)  # (image path, repository path), in order

    def where(self, image_path: str, depth: int = 0):
        return self.fs.where(image_path, depth)

    def listdir(self, image_dir: str, depth: int = 0) -> Listing:
        return self.fs.listdir(image_dir, depth)


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


class Image:
    """What one Dockerfile builds (its last stage), with the stages it went through."""

    def __init__(self, dockerfile: Path, context: Path, stages: list[Stage], problems: list[Problem]) -> None:
        self.dockerfile = dockerfile
        self.context = context
        self.stages = stages
        self.problems = problems
        self.final: Stage | None = stages[-1] if stages else None

    # -- the filesystem ------------------------------------------------------------------------------------
    @property
    def path_map(self) -> list[tuple[str, Path]]:
        """(image path, repository path) for every file and directory copied from the context, longest first."""
        if self.final is None:
            return []
        latest: dict[str, Path] = {}
        for image_path, repo_path in self.final.path_map:
            latest[image_path] = repo_path
        return sorted(latest.items(), key=lambda item: (-len(item[0]), item[0]))

    def where(self, image_path: str):
        if self.final is None:
            return Unknown(f"{self.dockerfile} could not be read")
        return self.final.where(image_path)

    def listdir(self, image_dir: str) -> Listing:
        if self.final is None:
            return Listing({}, False)
        return self.final.listdir(image_dir)

    def glob(self, pattern: str) -> Listing:
        if self.final is None:
            return Listing({}, False)
        return self.final.fs.glob(pattern)

    @property
    def filesystem(self) -> Filesystem | None:
        return self.final.fs if self.final else None

    def removed_copies(self) -> list[Path]:
        """Repository files a COPY/ADD put into the image and a later RUN removed (`rm -rf /etc/nginx/conf.d/dev.conf`
        after `COPY rootfs /`): they are not in the image."""
        if self.final is None:
            return []
        from fnmatch import fnmatchcase  # only for an image that removes something

        found: list[Path] = []
        path_map = self.path_map
        for layer in self.final.fs.layers:
            if layer.kind != "removed":
                continue
            for image_path, repository in path_map:
                if layer.path != image_path and not layer.path.startswith(image_path.rstrip("/") + "/"):
                    continue
                directory = repository / layer.path[len(image_path):].lstrip("/") if repository.is_dir() else None
                if directory is None or not directory.is_dir():
                    break
                for candidate in sorted(directory.iterdir()):
                    if candidate.is_file() and fnmatchcase(candidate.name, layer.source) \
                            and self.final.where(posixpath.join(layer.path, candidate.name)) is ABSENT:
                        found.append(candidate)
                break
        return found

    # -- facts of the final stage --------------------------------------------------------------------------
    @property
    def links(self) -> dict[str, str]:
        """The symbolic links a RUN of the stages made (`ln -sf /dev/stdout /var/log/nginx/app.log`): path -> target."""
        return self.final.links if self.final else {}

    def argument_link_targets(self, path: str) -> list[str]:
        """The targets of the links a RUN made at a path a build argument names (`ln -sf /dev/stderr
        ${APP_ROOT}/log/error.log`, kept so by a later stage's copy) that `path` may be: the argument may hold any
        value."""
        from fnmatch import fnmatchcase  # only for a log the image may have linked

        return [target for link, target in self.links.items()
                if "$" in link and fnmatchcase(path, _BUILD_ARGUMENT.sub("*", link))]

    @property
    def made_dirs(self) -> set[str]:
        """The directories a RUN of the stages made (`mkdir -p /var/log/gateway`); a stage starts with those of the
        stage it is built on."""
        return self.final.made_dirs if self.final else set()

    @property
    def base(self) -> BaseImage:
        return self.final.base if self.final else base_image(None)

    @property
    def flavour(self) -> str:
        return self.base.flavour

    @property
    def prefix(self) -> str | None:
        return self.base.prefix

    @property
    def conf_path(self) -> str | None:
        return self.base.conf_path

    @property
    def libc(self) -> str | None:
        return self.base.libc

    @property
    def env(self) -> dict[str, str]:
        return dict(self.final.env) if self.final else {}

    @property
    def lua_path(self) -> str | None:
        """LUA_PATH as the container's environment has it (the image's ENV, else the base image's)."""
        return self.env.get("LUA_PATH")

    @property
    def lua_cpath(self) -> str | None:
        return self.env.get("LUA_CPATH")

    @property
    def default_lua_path(self) -> str | None:
        """The package.path OpenResty starts from when LUA_PATH is not set (None for other images)."""
        return self.base.lua_path

    @property
    def default_lua_cpath(self) -> str | None:
        return self.base.lua_cpath

    @property
    def stop_signal(self) -> str | None:
        return self.final.stop_signal if self.final else None

    @property
    def platform(self) -> str | None:
        """The platform the final stage is built for (`FROM --platform=linux/arm64`), when the Dockerfile says."""
        return self.final.platform if self.final else None

    @property
    def user(self) -> str | None:
        return self.final.user if self.final else None

    @property
    def workdir(self) -> str:
        return self.final.workdir if self.final else "/"

    @property
    def entrypoint(self) -> tuple[str, ...] | None:
        return self.final.entrypoint if self.final else None

    @property
    def cmd(self) -> tuple[str, ...] | None:
        return self.final.cmd if self.final else None

    @property
    def argv(self) -> tuple[str, ...] | None:
        """ENTRYPOINT + CMD; None when the base image's are not known."""
        if self.final is None or self.final.entrypoint is None or self.final.cmd is None:
            return None
        return self.final.entrypoint + self.final.cmd

    @property
    def exposed(self) -> tuple[str, ...]:
        return tuple(self.final.exposed) if self.final else ()

    @property
    def installed_modules(self) -> tuple[InstalledModules, ...]:
        """Rocks and OPM packages installed in the final image (its own stages and those it is built on)."""
        found: list[InstalledModules] = []
        stage = self.final
        while stage is not None:
            found[:0] = stage.installs
            stage = stage.parent
        return tuple(found)

    @property
    def packages(self) -> tuple[tuple[str, str, int], ...]:
        found: list[tuple[str, str, int]] = []
        stage = self.final
        while stage is not None:
            found[:0] = stage.packages
            stage = stage.parent
        return tuple(found)

    def module_set(self):
        """The installed modules as a nginxlint.openresty.modules.ModuleSet, each saying which line installs it."""
        from ..openresty.modules import ModuleSet  # the Lua analysis, only when a config runs Lua

        modules = ModuleSet()
        for installed in self.installed_modules:
            command = "opm get" if installed.tool == "opm" else "luarocks install"
            rock = installed.required_by or installed.name
            also = f" (with its dependency {installed.name})" if installed.required_by else ""
            modules.update(installed.modules, f"installed by `{command} {rock}`{also} in "
                                              f"{self.dockerfile.name}:{installed.line}")
        return modules
