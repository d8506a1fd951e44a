"""What each Dockerfile instruction does to the stage being built: the semantics behind `read_image`.

FROM (stages, `AS` names, a stage used as a base), ARG/ENV (with expansion), WORKDIR, USER, STOPSIGNAL,
CMD/ENTRYPOINT, EXPOSE, COPY/ADD (globs, directory semantics, `--from`, `--exclude`, `--parents`, .dockerignore)
and RUN (rocks, OPM and system packages, downloads, removals, the paths it writes).
"""
from __future__ import annotations

from fnmatch import fnmatchcase
import os
import posixpath
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from .base_images import apply_entrypoint_writes, base_filesystem, base_image
from .dockerfile_syntax import Instruction, Unresolved, expand, parse_dockerfile
from .dockerignore import DockerIgnore
from .filesystem import ABSENT, Inline, Layer, normalise
from .image import Image, InstalledModules, Problem, Stage
from .installs import RockInstall, run_effects
from .start_writes import apply_start_script_writes

_ARCHIVE = re.compile(r"\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$", re.IGNORECASE)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@)", re.IGNORECASE)
_GLOB = re.compile(r"[*?\[]")
_SHELL_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
# Where LuaRocks puts modules: OpenResty's bundled LuaRocks (`-fat` images) and a stock one.
_ROCK_TREES = ("/usr/local/openresty/luajit", "/usr/local")
_OPM_TREE = "/usr/local/openresty/site"
# Where distribution packages install (FHS): never /srv, /home or a project's own top-level directory.
_PACKAGE_ROOTS = ("/usr", "/etc", "/var", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/opt", "/run",
                  "/tmp", "/root")


class Builder:
    """Applies a Dockerfile's instructions, in order, to the stages they build."""

    def __init__(self, dockerfile: Path, context: Path, build_args: dict[str, str], escape: str,
                 lines: list[str]) -> None:
        self.dockerfile = dockerfile
        self.lines = lines
        self.context = context
        self.build_args = build_args
        self.escape = escape
        self.global_args: dict[str, str | None] = {}
        self.stages: list[Stage] = []
        self.problems: list[Problem] = []
        self.ignore = DockerIgnore.load(context, dockerfile)
        self.context_real = os.path.realpath(context)

    # -- helpers ---------------------------------------------------------------------------------------------
    @property
    def stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def variables(self) -> dict[str, str | None]:
        stage = self.stage
        if stage is None:
            return dict(self.global_args)
        return {**stage.args, **stage.env}

    def expand(self, word: str) -> str:
        return expand(word, self.variables(), self.escape)

    def unknown_everywhere(self, why: str, line: int) -> None:
        self.stage.fs.add(Layer("/", "unknown", why=why, line=line, origin=self.dockerfile))

    def ignored(self, candidate: Path) -> bool:
        try:
            relative = candidate.relative_to(self.context)
        except ValueError:
            return False
        return self.ignore.ignored(relative.as_posix())

    # -- instructions ----------------------------------------------------------------------------------------
    def instruction(self, ins: Instruction) -> None:
        if ins.cmd == "FROM":
            self.from_(ins)
            return
        if ins.cmd == "ARG":
            self.arg(ins)
            return
        if self.stage is None:
            return  # only ARG may come before the first FROM
        handler = getattr(self, "do_" + ins.cmd.lower(), None)
        if handler is not None:
            try:
                handler(ins)
            except Unresolved as unresolved:
                self.unresolved(ins, unresolved)

    def unresolved(self, ins: Instruction, unresolved: Unresolved) -> None:
        if ins.cmd in ("COPY", "ADD", "RUN", "WORKDIR"):
            self.unknown_everywhere(f"{ins.cmd} at line {ins.line} uses the build argument {unresolved.args[0]}, "
                                    f"whose value the Dockerfile does not fix", ins.line)

    def from_(self, ins: Instruction) -> None:
        words = list(ins.args)
        name = None
        if len(words) >= 3 and words[-2].upper() == "AS":
            name = words[-1].lower()
            words = words[:-2]
        try:
            reference = expand(words[0], self.global_args, self.escape) if words else None
        except Unresolved:
            reference = None
        parent = next((s for s in reversed(self.stages) if reference and s.name == reference.lower()), None)
        index = len(self.stages)
        if parent is not None:
            stage = Stage(index, name, ins.line, reference, parent, parent.base, parent.fs.copy(),
                          env=dict(parent.env), workdir=parent.workdir, user=parent.user,
                          stop_signal=parent.stop_signal, entrypoint=parent.entrypoint, cmd=parent.cmd,
                          exposed=list(parent.exposed), made_dirs=set(parent.made_dirs),
                          links=dict(parent.links), path_map=list(parent.path_map))
        else:
            base = base_image(reference)
            fs = base_filesystem(base)
            stage = Stage(index, name, ins.line, reference, None, base, fs, env=dict(base.env),
                          user=base.user, stop_signal=base.stop_signal, entrypoint=base.entrypoint, cmd=base.cmd)
            if reference is None:
                self.problems.append(Problem(ins.line, "the base image depends on a build argument without default"))
        platform = ins.flag("platform")
        if platform and "$" not in platform:  # `--platform=$BUILDPLATFORM` is the builder's: not known here
            stage.platform = platform
        elif parent is not None:
            stage.platform = parent.platform
        self.stages.append(stage)

    def arg(self, ins: Instruction) -> None:
        for word in ins.args:
            name, equals, default = word.partition("=")
            if self.stage is None:
                scope, variables = self.global_args, dict(self.global_args)
            else:
                scope, variables = self.stage.args, self.variables()
            if name in self.build_args:
                value: str | None = self.build_args[name]
            elif equals:
                try:
                    value = expand(default, variables, self.escape)
                except Unresolved:
                    value = None
            elif self.stage is not None and name in self.global_args:
                value = self.global_args[name]  # re-declared inside a stage: the global default
            else:
                value = None  # `--build-arg` may set it; nothing says what
            scope[name] = value

    def do_env(self, ins: Instruction) -> None:
        args = list(ins.args)
        for index in range(0, len(args) - 1, 2):
            name = args[index]
            try:
                self.stage.env[name] = self.expand(args[index + 1])
            except Unresolved:
                self.stage.env.pop(name, None)
                self.stage.args[name] = None  # later references are as unknown as the argument

    def do_workdir(self, ins: Instruction) -> None:
        if ins.args:
            path = self.expand(ins.args[0])
            self.stage.workdir = normalise(posixpath.join(self.stage.workdir, path))
            self.stage.made_dirs.add(self.stage.workdir)
            self.stage.fs.add(Layer(self.stage.workdir, "dir", line=ins.line, origin=self.dockerfile))

    def do_user(self, ins: Instruction) -> None:
        if ins.args:
            self.stage.user = self.expand(ins.args[0])

    def do_stopsignal(self, ins: Instruction) -> None:
        if ins.args:
            self.stage.stop_signal = self.expand(ins.args[0])

    def do_expose(self, ins: Instruction) -> None:
        self.stage.exposed.extend(self.expand(word) for word in ins.args)

    def do_entrypoint(self, ins: Instruction) -> None:
        self.stage.entrypoint = _argv(ins)
        self.stage.cmd = ()  # an ENTRYPOINT resets the CMD inherited from the base

    def do_cmd(self, ins: Instruction) -> None:
        self.stage.cmd = _argv(ins)

    # -- RUN -------------------------------------------------------------------------------------------------
    def do_run(self, ins: Instruction) -> None:
        stage = self.stage
        if ins.json:
            effects = run_effects("", stage.workdir, ins.line, exec_form=tuple(ins.args))
        else:
            script = " ".join(ins.args)
            if ins.heredocs and script.lstrip().startswith("<<"):
                script = "\n".join(content for _name, content in ins.heredocs)
            effects = run_effects(self.shell_expand(script), stage.workdir, ins.line)
        effects.packages.extend(self.script_packages(effects.scripts, ins.line))
        for manager, package in effects.packages:
            stage.packages.append((manager, package, ins.line))
        if effects.packages:
            names = " ".join(package for _manager, package in effects.packages)
            for root in _PACKAGE_ROOTS:
                stage.fs.add(Layer(root, "unknown", why=f"files of the packages installed at line {ins.line} "
                                                       f"({names})", line=ins.line, origin=self.dockerfile,
                                   named=True))
        if effects.anywhere:
            self.unknown_everywhere(f"what `{effects.anywhere}` writes (line {ins.line})", ins.line)
        for directory, pattern in effects.removed:
            stage.fs.add(Layer(directory, "removed", pattern, line=ins.line, origin=self.dockerfile))
        for written in effects.written:
            stage.fs.add(Layer(written.path, "unknown", why=f"written by {written.what} (line {ins.line})",
                               line=ins.line, origin=self.dockerfile, made=written.made))
            if written.what == "mkdir":
                stage.made_dirs.add(written.path)
        stage.links.update(effects.links)
        for link, target in effects.links:
            self.link(ins, link, target)
        for rock in effects.rocks:
            named = posixpath.basename(rock.rockspec or "") or rock.name
            self.rock(rock, self.physical_line(ins, named, rock.tool + " "))

    def script_packages(self, scripts: list[str], line: int) -> list[tuple[str, str]]:
        """The packages installed by the repository's scripts a RUN executes (`COPY scripts/install_nginx.sh ./`,
        `RUN ./install_nginx.sh`): which nginx the image holds. What else they write stays unknown."""
        packages = []
        for script in scripts:
            found = self.stage.where(normalise(script))
            if isinstance(found, Path) and found.is_file():
                try:
                    text = found.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                packages.extend(run_effects(text, self.stage.workdir, line).packages)
        return packages

    def link(self, ins: Instruction, link: str, target: str) -> None:
        """`ln -s TARGET LINK` to a repository file or directory the image holds: nginx reads it at LINK too, as if
        a COPY had put it there (`sites-available/x.conf` linked into the `sites-enabled/` a config includes)."""
        found = self.stage.where(normalise(posixpath.join(posixpath.dirname(link), target)))
        if isinstance(found, Path) and os.path.lexists(found):
            self.copy_one(ins, False, found, link, False)

    def shell_expand(self, script: str) -> str:
        """The ENV/ARG values the shell would substitute; names the Dockerfile does not fix stay as written."""
        variables = self.variables()

        def value(match: re.Match) -> str:
            name = match.group(1) or match.group(2)
            found = variables.get(name)
            return found if found is not None else match.group(0)

        return _SHELL_VARIABLE.sub(value, script)

    def physical_line(self, ins: Instruction, word: str, command: str = "") -> int:
        """The line of a continued instruction that names `word`, preferring one that runs `command` too (a
        download names the file it fetches before the install does); its first line when none does."""
        numbers = range(ins.line, min(ins.end_line, len(self.lines)) + 1)
        naming = [number for number in numbers if word and word in self.lines[number - 1]]
        running = [number for number in naming if command in self.lines[number - 1]]
        return (running or naming or [ins.line])[0]

    def rock(self, rock: RockInstall, line: int) -> None:
        from ..openresty.modules import rock_dependencies, rock_modules  # the Lua analysis, only when a config runs Lua

        stage = self.stage
        rock = replace(rock, line=line)
        trees = (rock.tree,) if rock.tree else (_OPM_TREE,) if rock.tool == "opm" else _ROCK_TREES
        for tree in trees:
            stage.fs.add(Layer(normalise(tree), "unknown", why=f"files installed by {rock.tool} (line {rock.line})",
                               line=rock.line, origin=self.dockerfile, named=True))
        local = self.local_rockspec(rock.rockspec)
        if local is not None:  # the repository's rockspec: its build.modules and dependencies
            path, spec = local
            if not rock.only_deps:
                stage.installs.append(InstalledModules("luarocks", path, spec.modules, spec.exact, rock.line))
            # with what they bring along in turn (lapis brings lpeg)
            dependencies = (name for dependency in spec.dependencies
                            for name in (dependency, *rock_dependencies(dependency)))
            self.rock_dependencies(dict.fromkeys(dependencies), rock.line, path)
            return
        if rock.name is None:
            return
        if rock.tool == "opm":
            from .opm_dist import own_package  # the repository's dist.ini, only for an `opm get`

            package = own_package(self.dockerfile, rock.name)
            if package is not None:  # the repository's own package, published to OPM
                stage.installs.append(InstalledModules("opm", rock.name, package.modules, True, rock.line))
                self.rock_dependencies(dict.fromkeys(name for required in package.requires
                                                     for name in (required, *rock_dependencies(required))),
                                       rock.line, rock.name)
                return
        # a rock by name, or a rockspec out of sight (downloaded): what the rock of that name installs
        if not rock.only_deps:
            known = rock.name.lower() in _known_rocks()
            stage.installs.append(InstalledModules(rock.tool, rock.name, rock_modules(rock.name), known, rock.line))
        if rock.tool in ("luarocks", "opm"):  # both install what a package declares it requires
            self.rock_dependencies(rock_dependencies(rock.name), rock.line, rock.name)

    def rock_dependencies(self, names, line: int, required_by: str) -> None:
        """The rocks `luarocks install` brings along with `required_by`."""
        from ..openresty.modules import rock_modules  # the Lua analysis, only when a config runs Lua

        for dependency in names:
            self.stage.installs.append(InstalledModules("luarocks", dependency, rock_modules(dependency),
                                                        dependency in _known_rocks(), line, required_by))

    def local_rockspec(self, image_path: str | None):
        """The rockspec a `luarocks make`/`install x.rockspec` builds, found through what was copied."""
        from .rockspec import read_rockspec  # the manifest readers, only when a manifest is read

        if image_path is None:
            return None
        stage = self.stage
        candidates: list[Path] = []
        if image_path.endswith(".rockspec") and any(char in image_path for char in "*?["):
            # `luarocks make lua-resty-x-*.rockspec`: the shell gives it the one rockspec the glob matches
            matched = stage.fs.glob(image_path).names
            if len(matched) == 1:
                candidates.extend(source for source in matched.values() if isinstance(source, Path))
        elif image_path.endswith(".rockspec"):
            found = stage.where(image_path)
            if isinstance(found, Path):
                candidates.append(found)
        else:  # `luarocks make` in a directory: the one rockspec there
            listing = stage.listdir(image_path)
            candidates.extend(source for name, source in sorted(listing.names.items())
                              if name.endswith(".rockspec") and isinstance(source, Path))
        for candidate in candidates[:1]:
            try:
                spec = read_rockspec(candidate.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
            if spec is not None:
                return candidate.name, spec
        return None

    # -- COPY / ADD ------------------------------------------------------------------------------------------
    def do_copy(self, ins: Instruction) -> None:
        self.copy(ins, add=False)

    def do_add(self, ins: Instruction) -> None:
        self.copy(ins, add=True)

    def copy(self, ins: Instruction, add: bool) -> None:
        stage = self.stage
        words = [self.expand(word) if not word.startswith("<<") else word for word in ins.args]
        if len(words) < 2:
            return
        sources, destination = words[:-1], words[-1]
        heredocs = dict(ins.heredocs)
        many = len(sources) > 1 or any(_GLOB.search(source) for source in sources)
        into_directory = destination.endswith("/") or destination in (".", "..") or many
        target = _through_links(normalise(posixpath.join(stage.workdir, destination)), stage.base.links)
        source_stage = ins.flag("from")
        if source_stage is not None:
            self.copy_from(ins, self.expand(source_stage), sources, target, into_directory)
            return
        excluded = self.exclusions(ins)
        parents = "--parents" in ins.flags or ins.flag("parents") == "true"
        for source in sources:
            if source.startswith("<<"):
                name = source.lstrip("<-").strip("'\"")
                inline = Inline(heredocs.get(name, ""), self.dockerfile, ins.line)
                path = posixpath.join(target, name) if into_directory else target
                stage.fs.add(Layer(path, "file", inline, why="inline", line=ins.line, origin=self.dockerfile))
                continue
            if add and _REMOTE.match(source):
                stage.fs.add(Layer(target, "unknown", why=f"downloaded by ADD {source} (line {ins.line})",
                                   line=ins.line, origin=self.dockerfile, made=True))
                continue
            matches = self.context_matches(source)
            if excluded:
                matches = [match for match in matches if not excluded(match)]
            if not matches:
                self.problems.append(Problem(ins.line, f"{ins.cmd} source {source!r} matches no file in the "
                                                      f"build context {self.context}"))
                # made before the build (a Makefile's `cp -r ../lib .`), or the build fails: what lands is unknown
                path = posixpath.join(target, posixpath.basename(source.rstrip("/"))) if into_directory else target
                stage.fs.add(Layer(path, "unknown", why=f"{source}, which the build context lacks (line {ins.line})",
                                   line=ins.line, origin=self.dockerfile))
                continue
            for match in matches:
                if parents:  # --parents: the source's path below the context is kept under the target
                    relative = match.relative_to(self.context).as_posix()
                    where = posixpath.join(target, relative) if relative != "." else target
                    self.copy_one(ins, add, match, posixpath.dirname(where) if match.is_file() else where,
                                  True, excluded)
                else:
                    self.copy_one(ins, add, match, target, into_directory, excluded)

    def copy_one(self, ins: Instruction, add: bool, source: Path, target: str, into_directory: bool,
                 excluded=None) -> None:
        stage = self.stage
        if source.is_dir():
            ignored = self.ignored if self.ignore else None
            if excluded is not None:
                ignored = excluded
            stage.fs.add(Layer(target, "tree", source, line=ins.line, origin=self.dockerfile, ignored=ignored))
            stage.path_map.append((target, source))
            return
        if add and _ARCHIVE.search(source.name):
            stage.fs.add(Layer(target, "unknown", why=f"the content of {source.name}, unpacked by ADD "
                                                      f"(line {ins.line})", line=ins.line, origin=self.dockerfile))
            return
        if into_directory:
            paths = [posixpath.join(target, source.name)]
        else:
            # A destination named like the source file is that file (a directory so named is far-fetched).
            is_dir = False if posixpath.basename(target) == source.name else self.is_dir(target)
            paths = ([posixpath.join(target, source.name)] if is_dir
                     else [target] if is_dir is False
                     else [target, posixpath.join(target, source.name)])  # either: keep both, claim neither absent
        for path in paths:
            stage.fs.add(Layer(path, "file", source, line=ins.line, origin=self.dockerfile))
            stage.path_map.append((path, source))

    def copy_from(self, ins: Instruction, name: str, sources: list[str], target: str, into_directory: bool) -> None:
        stage = self.stage
        other = None
        if name.isdigit() and int(name) < len(self.stages) - 1:
            other = self.stages[int(name)]
        else:
            other = next((s for s in self.stages[:-1] if s.name == name.lower()), None)
        if other is not None and sources == ["/"] and target == "/" and stage.base.empty and stage.parent is None:
            # `FROM scratch` then `COPY --from=build / /`: the image is that stage's filesystem, with the packages
            # and rocks it installed (not its settings: CMD, ENV, STOPSIGNAL stay this stage's)
            stage.parent, stage.base, stage.fs = other, other.base, other.fs.copy()
            stage.path_map, stage.made_dirs, stage.links = list(other.path_map), set(other.made_dirs), dict(other.links)
            return
        for source in sources:
            if other is None or _GLOB.search(source):
                what = f"image {name}" if other is None else f"stage {name}"
                stage.fs.add(Layer(target, "unknown", why=f"copied from {what} (line {ins.line})",
                                   line=ins.line, origin=self.dockerfile))
                continue
            source_path = normalise(posixpath.join(other.workdir if not source.startswith("/") else "/", source))
            found = other.where(source_path)
            if isinstance(found, Path) and found.is_file() or isinstance(found, Inline):
                is_dir = True if into_directory else self.is_dir(target)
                paths = ([posixpath.join(target, posixpath.basename(source_path))] if is_dir
                         else [target] if is_dir is False
                         else [target, posixpath.join(target, posixpath.basename(source_path))])
                for path in paths:
                    stage.fs.add(Layer(path, "file", found, line=ins.line, origin=self.dockerfile))
                    if isinstance(found, Path):
                        stage.path_map.append((path, found))
                continue
            if isinstance(found, Path):
                stage.path_map.append((target, found))
            stage.links.update(_links_below(other.links, source_path, target))
            layer = Layer(target, "alias", (other.fs, source_path), line=ins.line, origin=self.dockerfile)
            stage.fs.add(layer)
            if into_directory and found is not ABSENT:  # a file of unknown kind: it may land inside the target
                stage.fs.add(Layer(posixpath.join(target, posixpath.basename(source_path)), "alias",
                                   (other.fs, source_path), line=ins.line, origin=self.dockerfile))

    def exclusions(self, ins: Instruction):
        """`--exclude=pattern` flags with .dockerignore: a test for repository paths the copy leaves out."""
        patterns = [self.expand(flag[len("--exclude="):]) for flag in ins.flags if flag.startswith("--exclude=")]
        if not patterns:
            return None
        own = DockerIgnore.parse("\n".join(patterns))

        def excluded(candidate: Path) -> bool:
            if self.ignored(candidate):
                return True
            try:
                relative = candidate.relative_to(self.context).as_posix()
            except ValueError:
                return False
            parts = relative.split("/")
            # A pattern may name the path from the context or from any directory being copied.
            return any(own.ignored("/".join(parts[index:])) for index in range(len(parts)))

        return excluded

    def context_matches(self, source: str) -> list[Path]:
        """Context paths a COPY source names: globs per component (`*` matches dot files, as in Go)."""
        relative = posixpath.normpath(source.lstrip("/")) if source.strip("/") else "."
        if relative.startswith(".."):
            return []
        if not _GLOB.search(relative):
            path = self.context / relative if relative != "." else self.context
            if not os.path.lexists(path) or (relative != "." and self.ignored(path)) or not self.inside(path):
                return []
            return [path]
        found = [self.context]
        for part in relative.split("/"):
            next_found: list[Path] = []
            for directory in found:
                if not _GLOB.search(part):
                    candidate = directory / part
                    if os.path.lexists(candidate):
                        next_found.append(candidate)
                    continue
                try:
                    names = sorted(os.listdir(directory))
                except OSError:
                    continue

                next_found.extend(directory / name for name in names if fnmatchcase(name, part))
            found = next_found
        return [path for path in found if not self.ignored(path) and self.inside(path)]

    def inside(self, path: Path) -> bool:
        """A symlink out of the build context is not followed by the build."""
        real = os.path.realpath(path)
        return real == self.context_real or real.startswith(self.context_real + os.sep)

    def is_dir(self, image_path: str) -> bool | None:
        """Whether an image path is a directory before this COPY: True, False (a file) or None (not known)."""
        stage = self.stage
        if image_path in stage.made_dirs or image_path in stage.base.existing_dirs \
                or image_path in stage.base.known_dirs:
            return True
        if image_path in stage.base.known_files:
            return False
        for layer in reversed(stage.fs.layers):
            if layer.path == image_path:
                if layer.kind == "file":
                    return False
                if layer.kind == "tree":
                    return True
            elif layer.path.startswith(image_path.rstrip("/") + "/"):
                return True
            elif layer.kind == "tree" and image_path.startswith(layer.path.rstrip("/") + "/"):
                candidate = layer.source / image_path[len(layer.path):].lstrip("/")
                if layer.holds(candidate):
                    return candidate.is_dir()
        return None


def _argv(ins: Instruction) -> tuple[str, ...]:
    if ins.json:
        return tuple(ins.args)
    return ("/bin/sh", "-c", " ".join(ins.args))


def _known_rocks() -> Any:
    from ..openresty.modules import ROCK_MODULES  # the Lua analysis, only when a config runs Lua

    return ROCK_MODULES


def image_of(loader, dockerfile: Path, context: Path | None = None) -> Image:
    """read_image of a Dockerfile from its default build arguments, once per run however many configs ask. Without
    a `context` (no Compose file builds it), the directory its COPY sources are found from (`dockerfile_context`)."""
    images = loader.memo("images")
    key = (os.path.abspath(dockerfile), None if context is None else os.path.abspath(context))
    if key not in images:
        if context is None:
            from .dockerfile_binding import dockerfile_context

            context = dockerfile_context(loader, dockerfile)
        images[key] = read_image(dockerfile, context)
    return images[key]


def read_image(dockerfile: Path, context: Path | None = None, build_args: Mapping[str, str] | None = None,
               target: str | None = None, text: str | None = None) -> Image:
    """The image `dockerfile` builds from `context` (default: its directory); `target` picks a stage."""
    dockerfile = Path(dockerfile)
    context = Path(context) if context is not None else dockerfile.parent
    if text is None:
        try:
            text = dockerfile.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            return Image(dockerfile, context, [], [Problem(0, f"cannot read {dockerfile}: {error.strerror}")])
    parsed = parse_dockerfile(text)
    if parsed.problem:
        return Image(dockerfile, context, [], [Problem(0, parsed.problem)])
    builder = Builder(dockerfile, context, dict(build_args or {}), parsed.escape, text.split("\n"))
    for instruction in parsed.instructions:
        builder.instruction(instruction)
    stages = builder.stages
    if target is not None:
        chosen = next((index for index, stage in enumerate(stages) if stage.name == target.lower()), None)
        if chosen is not None:
            stages = stages[: chosen + 1]
    if stages:
        final = stages[-1]
        apply_entrypoint_writes(final.fs, final.base, final.env, final.entrypoint)
        apply_start_script_writes(final)
    return Image(dockerfile, context, stages, builder.problems)


def _through_links(path: str, links: dict[str, str]) -> str:
    """The path a write to `path` lands at, where a directory on it is a link of the base image."""
    for link, target in links.items():
        if path == link or path.startswith(link + "/"):
            return target + path[len(link):]
    return path


def _links_below(links: dict[str, str], source: str, target: str) -> dict[str, str]:
    """The symbolic links a stage made below a directory it copies (`ln -sf /dev/stderr /distroless/log/error.log`,
    then `COPY --from=build /distroless/ /`), at their places below the copy's target; a link made at a path of a
    build argument (`/distroless${APP_ROOT}/log`) keeps it."""
    source = source.rstrip("/")
    return {posixpath.join(target, rest.lstrip("/")): to for link, to in links.items()
            if link.startswith(source) and (rest := link[len(source):])[:1] in ("/", "$")}
