"""Every piece of Lua a deployment runs, with its phase and subsystem, and the facts the Lua analysis found in it.

A unit is an inline `*_by_lua_block` body, a `*_by_lua '<code>'` string, a `*_by_lua_file` target, or a module
reached through `require` (each module once per deployment, whatever the number of handlers requiring it).
Positions of facts are in the Lua text's own coordinates; `LuaUnit.span` maps them to the file the user edits.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from ..lines import LineIndex
from ..findings import Location, Span
from ..gitignore import git_ignored
from ..nginx.parser import unescape
from ..nginx.templates import is_unknown
from ..nginx.wordmap import value_offsets
from ..sources import SourceFile
from .phases import code_arg, subsystem_of


def _dangling_link(path: Path) -> bool:
    """A symbolic link whose target this checkout lacks (a git submodule not fetched: `lib/jsonschema.lua ->
    ../deps/jsonschema/lib/jsonschema.lua`): what it points at is out of view, not missing."""
    return os.path.islink(path) and not os.path.exists(path)


def _compute(text: str):
    from ..lua.facts import analyze_lua  # the Lua analysis, only when a config runs Lua
    from ..lua.parser import LuaSyntaxError  # the Lua analysis, only when a config runs Lua

    try:
        return (analyze_lua(text), None)
    except LuaSyntaxError as error:
        # kept for the run: its traceback would keep the frames that raised it, and with them the deployment
        error.__traceback__ = error.__context__ = error.__cause__ = None
        return (None, error)


def analyze(text: str, loader):
    """(facts, syntax error) for a Lua text: parsed once per run (the loader's) whatever the number of units holding
    it, and taken from the disk cache (`loader.cache`, keyed by content hash and facts format) when this text was seen
    before. Code nested too deeply for the walk gives (None, LuaTooComplex), never stored: it depends on the stack."""
    analyses = loader.memo("lua-analyses")
    hit = analyses.get(text)
    if hit is None:
        cache = getattr(loader, "cache", None)
        try:
            if cache is not None:
                from ..lua.facts import FACTS_FORMAT  # the Lua analysis, only when a config runs Lua

                hit = cache.get(f"lua-facts-{FACTS_FORMAT}", text, _compute)
            else:
                hit = _compute(text)
        except RecursionError:
            from ..lua.errors import LuaTooComplex  # the Lua analysis, only when a config runs Lua

            hit = (None, LuaTooComplex())
        analyses[text] = hit
    return hit


class _Shift:
    """Lua positions of a block body to the nginx file: line L -> start line + L - 1; columns move on line 1 only."""

    __slots__ = ("line", "column")

    def __init__(self, line: int, column: int):
        self.line, self.column = line, column

    def map(self, line: int, column: int) -> tuple[int, int]:
        if line == 1:
            return self.line, self.column + column - 1
        return self.line + line - 1, column


class _Escaped:
    """Lua positions of a `*_by_lua '<code>'` string back through nginx's escapes to the raw text in the file."""

    __slots__ = ("value_lines", "raw_offsets", "raw_lines", "shift")

    def __init__(self, raw: str, line: int, column: int):
        self.value_lines = LineIndex(unescape(raw))
        self.raw_offsets = value_offsets(raw)  # value offset -> raw offset, as nginx's unescape() reads the raw text
        self.raw_lines = LineIndex(raw)
        self.shift = _Shift(line, column)

    def map(self, line: int, column: int) -> tuple[int, int]:
        offset = self.value_lines.offset(line, column)
        offset = self.raw_offsets[min(max(offset, 0), len(self.raw_offsets) - 1)]
        return self.shift.map(*self.raw_lines.position(offset))


class _Same:
    @staticmethod
    def map(line: int, column: int) -> tuple[int, int]:
        return line, column


class LuaUnit:
    """One piece of Lua. (Plain classes here, not dataclasses: this module is imported by every run, Lua or not,
    and generating dataclass methods costs more than the rest of the module.)"""

    __slots__ = ("kind", "phase", "subsystem", "source", "text", "node", "module", "facts", "error", "phases",
                 "handlers", "required_at", "_mapper")

    def __init__(self, kind: str, phase: str | None, subsystem: str, source: SourceFile, text: str, node=None,
                 module: str | None = None, _mapper=_Same):
        self.kind = kind  # "block" | "string" | "file" | "module"
        self.phase = phase  # the handler's phase (nginxlint.nginx.directives.LUA_PHASE); None for a module
        self.subsystem = subsystem  # "http" | "stream"
        self.source = source  # the file its positions point into (the nginx file for inline code)
        self.text = text
        self.node = node  # the *_by_lua* directive's Node (None for a module)
        self.module = module  # the name it is required by (modules only)
        self.facts = None
        self.error = None  # LuaSyntaxError (or LuaTooComplex) when the text cannot be analysed
        self.phases: set = set()  # the phases it runs in; for a module, those of its handlers
        self.handlers: list = []  # the handler units that reach it (itself for a handler)
        self.required_at: list = []  # Locations of the `require` calls that load a module
        self._mapper = _mapper

    def __repr__(self) -> str:
        return f"<LuaUnit {self.kind} {self.label} {self.path}>"

    @property
    def path(self) -> str:
        return self.source.display

    @property
    def label(self) -> str:
        return f'module "{self.module}"' if self.kind == "module" else self.node.d.name

    def span(self, lua_span) -> Span:
        """A span of the Lua text (line, column, end_line, end_column) in the coordinates of `self.source`."""
        line, column, end_line, end_column = lua_span
        start = self._mapper.map(line, column)
        end = self._mapper.map(end_line, end_column)
        return Span(start[0], start[1], end[0], end[1])

    def location(self, lua_span, message: str = "") -> Location:
        return Location(self.path, self.span(lua_span), message)

    def where(self, lua_span) -> str:
        span = self.span(lua_span)
        return f"{self.path}:{span.line}:{span.column}"


class MissingFile(NamedTuple):
    node: object  # the *_by_lua_file directive
    arg: int  # the index of its path argument
    path: Path  # where it was looked for


class UnresolvedRequire(NamedTuple):
    unit: LuaUnit
    require: object  # the facts' Require
    tried: tuple  # package_path.Tried, in search order


class FoundRelative(NamedTuple):
    """A module found only through a relative entry of the config's own search path: whether `require` works
    depends on the directory nginx starts in."""

    unit: LuaUnit  # the first unit that requires it
    require: object  # the facts' Require
    entry: object  # the package_path.Entry that finds it
    path: Path  # the file it finds, resolved against the prefix
    start: str | None  # the directory nginx's workers run in, where the entry misses it; None: not known


class LuaUnits:
    """Everything `tree.lua` holds."""

    __slots__ = ("units", "missing_files", "dynamic_files", "outside_files", "unresolved", "unseen_modules",
                 "found_relative", "_may_connect")

    def __init__(self, units: list[LuaUnit], missing_files: list[MissingFile], dynamic_files: list,
                 outside_files: list, unresolved: list[UnresolvedRequire], unseen_modules: list[UnresolvedRequire],
                 found_relative: list[FoundRelative] = ()):
        self.units = units
        self.missing_files = missing_files
        self.dynamic_files = dynamic_files  # Nodes of *_by_lua_file directives whose path holds nginx variables
        self.outside_files = outside_files  # Nodes of *_by_lua_file directives outside the project or in the image
        self.unresolved = unresolved
        self.unseen_modules = unseen_modules  # not found, and the image may hold them (a config from a ConfigMap)
        self.found_relative = list(found_relative)
        self._may_connect: bool | None = None  # asked once per resolver in the Lua's scope: known once

    @property
    def parse_failed(self) -> bool:
        return any(u.error is not None for u in self.units)

    def of(self, subsystem: str) -> list[LuaUnit]:
        return [u for u in self.units if u.subsystem == subsystem]

    @property
    def may_connect(self) -> bool:
        """Some of the code may open a cosocket, and so have nginx look a name up: a unit that does, one that could
        not be read, a file out of view, or a module whose code is out of view (installed, or not found) and that
        is neither bundled with OpenResty without a cosocket nor known to stay offline (nginx-lua-prometheus)."""
        if self._may_connect is None:
            self._may_connect = self._connects()
        return self._may_connect

    def _connects(self) -> bool:
        from ..lua.stdlib import OFFLINE_MODULES  # the Lua analysis, only when a config runs Lua
        from .modules import builtin_modules

        if any(u.facts is None or u.facts.cosockets for u in self.units) \
                or self.missing_files or self.dynamic_files or self.outside_files:
            return True
        read = {u.module for u in self.units if u.module}
        builtin = builtin_modules()
        return any(r.module and r.module not in read and r.module not in builtin and r.module not in OFFLINE_MODULES
                   for u in self.units for r in u.facts.requires)


class _LuaFiles:
    """Where a deployment's Lua files are. On disk, relative paths resolve against the prefix. For a config held in
    a ConfigMap (`in_image`) the prefix is a directory of the container: relative paths and `$prefix` resolve
    against the image's prefix (when the config's mount point tells it) through the path map and the files mounted
    beside the config; what is not found there is in the image, unseen, not missing."""

    def __init__(self, tree):
        self.tree = tree
        runtime = tree.binding
        dumped = tree.image_root is not None  # an nginx -T dump: the Lua files are in the image, none in view
        embedded = runtime is not None and runtime.how == "embedded" and not tree.settings.prefix
        # a ConfigMap of an unrendered chart template runs in a container of the chart nginxlint cannot read
        self.in_image = dumped or embedded or tree.container_unknown
        self.image_prefix = _image_prefix(tree.image_root if dumped else runtime.container_path) \
            if dumped or embedded else None
        self._view = False

    @property
    def view(self):
        """The container's own files (image layers, mounts), read on first use: a path it maps is a repository file;
        a path something out of sight may fill (a base image, a volume) is neither found nor missing."""
        if self._view is False:
            from ..container.view import container_files  # the image model, only for a config that runs Lua

            self._view = container_files(self.tree)
        return self._view

    def start_directory(self) -> str | None:
        """Where nginx starts in its container, when known: what `./?.lua` is relative to."""
        return self.view.start_directory() if self.view is not None else None

    def _in_view(self, path: str) -> Path | None:
        where = self.view.where(os.path.normpath(path)) if self.view is not None and path.startswith("/") else None
        return where if isinstance(where, Path) else None

    def may_hold(self, tried) -> bool:
        """A place `require` looked that nginxlint cannot see into, so the module may well be there: a container path
        of an image it cannot read, a default location that something of the image nothing names fills (a script,
        a build tool, a download, a volume), a default location of the repository's own nginx build, or an entry of
        the config's own search path outside the repository at a directory nothing in view maps (no copy, no
        mount) or that an image layer may fill."""
        from ..container.filesystem import Unknown  # the image model, only for a config that runs Lua
        from ..nginx.source_build import runs_own_build
        from .package_path import PREFIX_MARK

        if tried.local is not None and not tried.default and (self._filled_locally(tried.local)
                                                              or _dangling_link(tried.local)):
            return True
        if tried.default and runs_own_build(self.tree):  # its Lua's default locations are its build's own
            return True
        if tried.shown.startswith(PREFIX_MARK):  # `${prefix}lua/?.lua`: at nginx's prefix in the container
            return tried.local is not None and self.in_container(tried.shown[len(PREFIX_MARK):].lstrip("/"))
        if not tried.shown.startswith("/"):
            return False
        path = os.path.normpath(tried.shown)
        if self.view is not None and self.view.unseen(path):
            return True
        if tried.local is not None:  # looked for in the repository, and not there: unless a mount covers it
            return self.view is not None and self._provided(path)
        where = self.view.where(path) if self.view is not None else None
        if tried.default:  # rocks and packages installed by name, and an official image, are known by their names
            return isinstance(where, Unknown) and not where.named
        return where is None or isinstance(where, Unknown)

    def _filled_locally(self, local: Path) -> bool:
        """A search directory missing from the repository that the machine running nginx fills: one git ignores
        (made by a build or install step, such as `luarocks --tree=luarocks install`, and never committed)."""
        loader = self.tree.loader
        directory, missing = local.parent, None
        while directory != directory.parent and not loader.is_dir(directory):
            directory, missing = directory.parent, directory
        if missing is None:
            return False
        return git_ignored(loader, missing)

    def in_container(self, target: str) -> bool:
        """A `*_by_lua_file` target missing from the repository that the container provides: a file its image copies
        or a mount puts at the path, or a mount whose content is out of view (a volume, a host path not in the
        repository). A relative target is at nginx's prefix in the image (its default, else where the root config
        sits as `<prefix>/conf/nginx.conf`)."""
        if self.view is None or self.in_image:
            return False
        if not os.path.isabs(target):
            prefix = self.view.base.prefix or _image_prefix(self.tree.binding.container_path)
            if prefix is None:
                return False
            target = f"{prefix}/{target}"
        return self._provided(os.path.normpath(target))

    def _provided(self, path: str) -> bool:
        from ..container.view import something_there  # the image model, only for a config that runs Lua

        return something_there(self.view, path)

    def other_prefix(self, target: str, config_dir: Path) -> Path | None:
        """For a relative target missing under the prefix nginxlint guessed (no `prefix` setting), another directory
        of the repository under which it exists: nginx may well be started there (`-p`, an image's layout). Tried
        first, the directories above the guess; then, when the guess puts the target outside the repository (where
        its author cannot have meant it), the config's directory and those between it and the guess."""
        tree = self.tree
        if os.path.isabs(target) or tree.settings.prefix:
            return None
        prefix = Path(os.path.abspath(tree.prefix))
        top = tree.loader.repository_top(prefix)
        for directory in self._candidate_prefixes(prefix, top, target, Path(os.path.abspath(config_dir))):
            if self.is_file(Path(os.path.normpath(directory / target))):
                return directory
        return None

    def installed_as(self, target: str) -> Path | None:
        """For a relative target `NAME/rest` missing under the prefix, the repository file `rest` when no directory
        NAME is in the repository: the repository is copied under nginx's prefix by that name (`init_by_lua_file
        z_blog_openresty/src/init/init.lua` with the repository's `src/` installed as `$prefix/z_blog_openresty/`)."""
        tree = self.tree
        split = self._first_directory(target)
        if split is None:
            return None
        name, rest = split
        prefix = Path(os.path.abspath(tree.prefix))
        top = tree.loader.repository_top(prefix)
        found = Path(os.path.normpath(top / rest))
        if top not in found.parents or not self.is_file(found) or tree.loader.is_dir(prefix / name) \
                or tree.loader.is_dir(top / name):
            return None
        return found

    def copied_from(self, target: str) -> Path | None:
        """For a relative target missing under the prefix of a config no container runs, the one repository file
        whose path ends with the target's (`src/lua/gen.lua` for `lua/gen.lua`, `src/cas.lua` for `cas.lua`), not
        below the config's directory: the install the README describes copies the repository's sources under nginx's
        prefix (`cp -r src/lua /usr/local/openresty/nginx/`), out of view."""
        tree = self.tree
        if os.path.isabs(target) or tree.settings.prefix or tree.binding is not None:
            return None
        tail = "/" + target.removeprefix("./")
        top = tree.loader.repository_top(Path(os.path.abspath(tree.prefix)))
        # not beside the config: `conf/lua/x.lua` for `lua/x.lua` is the classic mistake, a file nginx never finds
        beside = Path(os.path.abspath(tree.root.path)).parent if tree.root.path is not None else None
        found = [path for path in tree.loader.files_under(top) if path.as_posix().endswith(tail)]
        return found[0] if len(found) == 1 and beside not in found[0].parents else None

    def directory_out_of_view(self, target: str) -> str | None:
        """The first directory of a relative target when the prefix lacks it and the prefix is nginxlint's weakest
        guess (the config's own directory: no `prefix` setting, no start command, no `conf/` layout): nginx runs
        with another prefix, an image's or an install's, whose directories the repository does not show."""
        tree = self.tree
        split = self._first_directory(target)
        # conf/ paths are looked for in the config's own directory (a build copies it to $prefix/conf/)
        if split is None or split[0] == "conf":
            return None
        name = split[0]
        prefix = Path(os.path.abspath(tree.prefix))
        config_dir = Path(os.path.abspath(tree.root.path)).parent if tree.root.path is not None else None
        if prefix != config_dir or prefix.name == "conf":
            return None
        top = tree.loader.repository_top(prefix)
        seen = any(tree.loader.is_dir(directory / name)
                   for directory in (prefix, *self._candidate_prefixes(prefix, top, target, prefix)))
        return None if seen else name

    def _first_directory(self, target: str) -> tuple[str, str] | None:
        """(NAME, rest) of a relative target `NAME/rest` under a prefix nginxlint chose (no `prefix` setting)."""
        name, _, rest = target.removeprefix("./").partition("/")
        if os.path.isabs(target) or self.tree.settings.prefix or not rest or name in (".", ".."):
            return None
        return name, rest

    @staticmethod
    def _candidate_prefixes(prefix: Path, top: Path, target: str, config_dir: Path):
        for directory in prefix.parents:
            if directory != top and top not in directory.parents:
                break  # above the repository
            yield directory
            if directory == top:
                break
        guessed = Path(os.path.normpath(prefix / target))
        if guessed == top or top in guessed.parents or prefix not in config_dir.parents:
            return
        for directory in (config_dir, *config_dir.parents):
            if directory == prefix:
                return
            yield directory

    def handler_file(self, target: str) -> Path | None:
        """The file a `*_by_lua_file` target names; None when it is outside what nginxlint can see."""
        tree = self.tree
        if not os.path.isabs(target):
            if not self.in_image:
                from .package_path import under_prefix  # the Lua analysis, only when a config runs Lua

                return under_prefix(tree.prefix, tree.conf_dir, target)
            if self.image_prefix is None:
                return None
            target = f"{self.image_prefix}/{target}"
        return tree.loader.map_path(os.path.normpath(target), tree.conf_dir) or self._in_view(target)

    def resolver(self):
        """How a filled-in `lua_package_path` template becomes a project path (package_path.resolver's contract)."""
        from . import package_path as pp  # the Lua analysis, only when a config runs Lua

        tree = self.tree
        if not self.in_image:
            on_disk = pp.resolver(tree.prefix, tree.loader, tree.conf_dir)
            return lambda path: on_disk(path) or self._in_view(path)

        def resolve(path: str) -> Path | None:
            if path.startswith(pp.PREFIX_MARK):
                path = path[len(pp.PREFIX_MARK):].lstrip("/")
            if not path.startswith("/"):
                if self.image_prefix is None:
                    return None
                path = f"{self.image_prefix}/{path}"
            return tree.loader.map_path(os.path.normpath(path), tree.conf_dir)

        return resolve

    def is_file(self, path: Path) -> bool:
        if path.is_file():
            return True
        loader = self.tree.loader  # files mounted from a ConfigMap exist only in the loader's view
        return self.in_image and loader.exists(path) and not loader.is_dir(path)

    def read(self, path: Path):
        """The file's SourceFile, or why there is nothing to analyse."""
        if path.is_file():
            return self.tree.loader.read(path)
        source = self.tree.loader.source(path)
        return source if source is not None else "could not be read"


def _image_prefix(container_path: str | None) -> str | None:
    """nginx's prefix in the image, from where the root config is mounted: `<prefix>/conf/nginx.conf`, nginx's
    (and OpenResty's) default layout. Elsewhere (e.g. /etc/nginx/nginx.conf) the prefix is the build's choice."""
    if not container_path:
        return None
    parent = os.path.dirname(container_path)
    return os.path.dirname(parent) if os.path.basename(parent) == "conf" else None


def lua_directives(tree, names=None) -> list:
    """The deployment's `*_by_lua*` directives (or those of `names`), in document order, from its index."""
    if names is None:
        from ..nginx.directives import LUA_PHASE  # crossplane's directive table, built on first use

        names = LUA_PHASE
    nodes = [node for name in names for node in tree.nodes(name)]
    return document_order(nodes) if len(nodes) > 1 else nodes


def has_lua(tree) -> bool:
    """Whether the deployment runs any Lua (without analysing it)."""
    from ..nginx.directives import LUA_PHASE  # crossplane's directive table, built on first use

    return any(tree.nodes(name) for name in LUA_PHASE)


def document_order(nodes: list) -> list:
    """Nodes sorted as they appear in the spliced config: by their child index at each level from the root. Only the
    children of the nodes' ancestors are looked at, so a few nodes cost little whatever the size of the config."""
    positions: dict[int, dict[int, int]] = {}

    def key(node) -> list[int]:
        path = []
        while node.parent is not None:
            parent = node.parent
            index = positions.get(id(parent))
            if index is None:
                index = positions[id(parent)] = {id(child): i for i, child in enumerate(parent.children)}
            path.append(index[id(node)])
            node = parent
        path.reverse()
        return path

    return sorted(nodes, key=key)


def collect_units(tree) -> LuaUnits:
    from ..nginx.directives import LUA_PHASE  # crossplane's directive table, built on first use

    nodes = lua_directives(tree)
    if not nodes:  # plain nginx: no module search, no project scan
        return LuaUnits([], [], [], [], [], [])
    files = _LuaFiles(tree)
    units: list[LuaUnit] = []
    missing: list[MissingFile] = []
    dynamic: list = []
    outside: list = []
    for node in nodes:
        name = node.d.name
        phase = LUA_PHASE[name]
        subsystem = subsystem_of(node)
        d = node.d
        if d.lua is not None:
            unit = LuaUnit("block", phase, subsystem, d.file, d.lua.text, node, _mapper=_Shift(d.lua.line, d.lua.column))
        elif name.endswith("_by_lua_file"):
            index = code_arg(name)
            if index >= len(d.args):
                continue
            target = _with_document_root(node, d.args[index])
            if "$" in target or is_unknown(target):  # nginx variables, or a template's tag: known at run time
                dynamic.append(node)
                continue
            path = files.handler_file(target)
            if path is not None and not files.is_file(path):
                from .package_path import bytecode_source  # the Lua search, only for a file the repository lacks

                path = bytecode_source(path, files.is_file) or path
            if path is None or not files.is_file(path):
                if path is None or files.in_image or files.in_container(target):
                    outside.append(node)  # a file of the image nginxlint cannot see: neither found nor missing
                    if os.path.isabs(target):
                        tree.loader.note_outside_project(d.file.display, d.arg_span(index),
                                                         f'{name} target "{target}"', "its code", target)
                elif (other := files.other_prefix(target, Path(d.file.path).parent)) is not None:
                    outside.append(node)  # nginx started with another -p finds it: not missing, not read
                    _found_elsewhere(tree, node, index, Path(os.path.normpath(other / target)),
                                     f"nginx started with -p {tree.loader.display(other)}/ finds it; its code is not "
                                     "checked (set `prefix` to the directory nginx starts in)")
                elif (installed := files.installed_as(target)) is not None:
                    outside.append(node)  # the repository copied under the prefix by a name of its own
                    install_name = target.removeprefix("./").split("/", 1)[0]
                    noted = tree.loader.memo("installed-as-noted")
                    if (d.file.display, install_name) not in noted:  # one note per file and name
                        noted[(d.file.display, install_name)] = True
                        _found_elsewhere(tree, node, index, installed,
                                         f"the repository is installed there as {install_name}/; the code of this "
                                         "file's targets under it is not checked (set `prefix` or a `path-map`)")
                elif (copied := files.copied_from(target)) is not None:
                    outside.append(node)  # a file of the repository that its install copies under the prefix
                    _found_elsewhere(tree, node, index, copied,
                                     "an install copies the repository's sources under nginx's prefix; its code "
                                     "is not checked (set `prefix` or a `path-map`)")
                elif (absent := files.directory_out_of_view(target)) is not None:
                    outside.append(node)  # the prefix is a guess and the repository has no such directory there
                    tree.loader.not_seen(d.file.display, d.arg_span(index), (
                        f'{name} target "{target}" is not checked: nginxlint took the config\'s own directory '
                        f"({tree.loader.display(tree.prefix)}/) for nginx's prefix, which holds no {absent}/; "
                        "set `prefix` to the directory nginx starts in"))
                else:
                    missing.append(MissingFile(node, index, path))
                continue
            source = files.read(path)
            if isinstance(source, str):
                continue  # bytecode or unreadable: it exists, and there is nothing to analyse
            tree.files.setdefault(source.display, source)
            unit = LuaUnit("file", phase, subsystem, source, source.text, node)
        elif name.endswith("_by_lua"):
            index = code_arg(name)
            if index >= len(d.args):
                continue
            span = d.arg_span(index)
            column = span.column + (1 if d.quoted[index] else 0)
            unit = LuaUnit("string", phase, subsystem, d.file, d.args[index], node,
                           _mapper=_Escaped(d.raw_args[index], span.line, column))
        else:
            continue
        unit.phases = {phase}
        unit.handlers = [unit]
        units.append(unit)

    from ..start_prefix import started_in_prefix
    from .project import project_modules  # the Lua analysis, only when a config runs Lua

    available = project_modules(tree)
    start = files.start_directory() if not files.in_image else None
    working = next((node.args[0] for node in tree.nodes("working_directory") if node.ctx == () and node.args
                    and node.args[0].startswith("/")), None)
    if working is not None:
        start = working  # the workers' own directory, wherever nginx starts
    elif start is None and tree.binding is None and started_in_prefix(tree):
        from . import package_path as pp  # the Lua analysis, only when a config runs Lua

        start = pp.PREFIX_MARK  # `nginx -p "$(pwd)"`: nginx runs in its prefix, where `./?.lua` then leads
    search_paths = {subsystem: _search_path(tree, subsystem, start) for subsystem in ("http", "stream")}
    unresolved, unseen, relative = _follow_requires(tree, files, units, search_paths, available, start)
    return LuaUnits(units, missing, dynamic, outside, unresolved, unseen, relative)


_DOCUMENT_ROOT = ("$document_root", "${document_root}", "$realpath_root", "${realpath_root}")


def _with_document_root(node, target: str) -> str:
    """`$document_root/app.lua` with the `root` in effect written out, where it is a plain path and no `alias`
    above the directive changes what the variable holds."""
    prefix = next((name for name in _DOCUMENT_ROOT if target.startswith(name)), None)
    if prefix is None or target[len(prefix):len(prefix) + 1] not in ("", "/"):
        return target
    for block in (node.parent, *node.parent.ancestors()):
        if block.find("alias"):
            return target
        roots = block.find("root")
        if roots:
            root = roots[0].args[0] if roots[0].args else "$"
            return target if "$" in root or is_unknown(root) else root.rstrip("/") + target[len(prefix):]
    return target


def _found_elsewhere(tree, node, index: int, found: Path, how: str) -> None:
    """A note that a `*_by_lua_file` target missing under the assumed prefix exists elsewhere, and how nginx reaches
    it there."""
    display = tree.loader.display
    tree.loader.not_seen(node.d.file.display, node.d.arg_span(index), (
        f'{node.d.name} target "{node.d.args[index]}" is not under the prefix nginxlint assumed '
        f"({display(tree.prefix)}/), but {display(found)} exists: {how}"))


def package_roots(tree, subsystem: str) -> list[Path]:
    """The project directories the subsystem's lua_package_path searches (as the container places them): every Lua
    file below them is one a `require` of the config may load."""
    return _search_path(tree, subsystem).roots(_LuaFiles(tree).resolver())


def _search_path(tree, subsystem: str, start: str | None = None):
    """The package_path.SearchPath of one subsystem; the default relative entries (`./?.lua`) in the directory
    nginx starts in, when its container tells (`start`)."""
    from . import package_path as pp  # the Lua analysis, only when a config runs Lua

    def value(name):
        for node in tree.nodes(name):
            if node.ctx == (subsystem,) and node.args:
                return node.args[0]
        return None

    extra = [Path(p) for p in tree.settings.lua_paths]
    return pp.SearchPath(
        pp.in_directory(pp.split_entries(value("lua_package_path"), pp.DEFAULT_PATH), start),
        pp.in_directory(pp.split_entries(value("lua_package_cpath"), pp.DEFAULT_CPATH), start),
        extra,
    )


def _follow_requires(tree, files: "_LuaFiles", units: list[LuaUnit], search_paths, available, start):
    """Analyse every unit and the modules they require, recursively; each module file once per subsystem.
    Returns (modules not found, modules not found that the image may hold, modules found only through a relative
    entry where nginx's working directory is not known to reach them)."""
    resolve = files.resolver()
    modules: dict[tuple[str, Path], LuaUnit] = {}
    edges: dict[int, list[LuaUnit]] = {}
    unresolved: list[UnresolvedRequire] = []
    unseen: list[UnresolvedRequire] = []
    relative: list[FoundRelative] = []
    searched: dict = {}  # (subsystem, module) -> (path, tried): one search per name, not per require
    queue = list(units)
    position = 0
    while position < len(queue):
        unit = queue[position]
        position += 1
        unit.facts, unit.error = analyze(unit.text, tree.loader)
        if unit.facts is None:
            continue
        children = edges.setdefault(id(unit), [])
        for require in unit.facts.requires:
            name = require.module
            if not name:
                continue
            hit = searched.get((unit.subsystem, name))
            if hit is None:
                hit = searched[(unit.subsystem, name)] = search_paths[unit.subsystem].search(
                    name, resolve, files.is_file)
                found = _found_relative(unit, require, hit, search_paths[unit.subsystem], resolve, files,
                                        start)
                if found is not None:
                    relative.append(found)
            path, tried = hit
            if path is None:
                if name not in available:
                    out_of_sight = files.in_image or search_paths[unit.subsystem].unknown or any(
                        files.may_hold(tried) for tried in hit[1]) or start is None and any(
                        _in_the_prefix(tried, resolve, files.is_file)
                        or _above_the_config(tried, tree, files.is_file) for tried in hit[1])
                    (unseen if out_of_sight else unresolved).append(UnresolvedRequire(unit, require, tuple(tried)))
                continue
            key = (unit.subsystem, path)
            module = modules.get(key)
            if module is None:
                source = files.read(path)
                if isinstance(source, str):
                    continue
                tree.files.setdefault(source.display, source)
                module = LuaUnit("module", None, unit.subsystem, source, source.text, module=name)
                modules[key] = module
                units.append(module)
                queue.append(module)
            module.required_at.append(unit.location(require.span, f'required here as "{name}"'))
            children.append(module)
    _spread_phases(units, edges)
    # code that changes package.path itself (`package.path = prefix .. "app/?.lua;" .. package.path` at init) may
    # have made any of them findable
    searched_elsewhere = {u.subsystem for u in queue if u.facts is not None and u.facts.sets_package_path}
    if searched_elsewhere:
        unseen += [miss for miss in unresolved if miss.unit.subsystem in searched_elsewhere]
        unresolved = [miss for miss in unresolved if miss.unit.subsystem not in searched_elsewhere]
    return unresolved, unseen, relative


def _in_the_prefix(tried, resolve, is_file) -> bool:
    """A default relative entry (`./?.lua`) that finds the module when nginx starts in its prefix, as the config's
    own relative entries are taken to: where nginx starts is not known, so the module may well be found."""
    if not (tried.default and tried.local is None and tried.shown.startswith("./")):
        return False
    local = resolve(tried.shown)
    return local is not None and is_file(local)


def _above_the_config(tried, tree, is_file) -> bool:
    """The config's own relative entry (`./lua/?.lua`) finds the module from a directory above the config's within
    the repository (`openresty -p $WORKING/` in a script at the top): where nginx starts is not known, so it may."""
    if tried.default or tried.entry is None or not tried.entry.relative or tried.shown.startswith("/"):
        return False
    top = tree.loader.repository_top(tree.conf_dir)
    directory = tree.conf_dir.parent
    while top is not None and (directory == top or top in directory.parents):
        if is_file(Path(os.path.normpath(directory / tried.shown))):
            return True
        directory = directory.parent
    return False


def _found_relative(unit, require, hit, search_path, resolve, files, start) -> FoundRelative | None:
    """A FoundRelative when the module was found through a relative entry the config wrote, no other entry finds
    it, and the directory nginx starts in (when known) does not make that entry land on it, nor on a file the image
    may hold there out of sight (a build step's output)."""
    path, tried = hit
    entry = tried[-1].entry if path is not None else None
    if entry is None or entry.default or not entry.relative:
        return None
    from ..container.filesystem import Unknown  # the image model, only for a config that runs Lua
    from .package_path import PREFIX_MARK

    if start == PREFIX_MARK:
        return None  # nginx runs in its prefix, which relative entries were resolved against
    if start is not None:
        there = os.path.normpath(os.path.join(start, tried[-1].shown))
        if resolve(there) == path:
            return None  # the container's working directory is the one the entry was written for
        if files.view is None or isinstance(files.view.where(there), Unknown):
            return None  # nothing in view says what is there
    if search_path.without_own_relative().search(require.module, resolve, files.is_file)[0] is not None:
        return None
    return FoundRelative(unit, require, entry, path, start)


def _spread_phases(units: list[LuaUnit], edges: dict[int, list[LuaUnit]]) -> None:
    """A module runs in the phases of every handler that reaches it, directly or through other modules. What a module
    reaches is searched once, whatever the number of handlers requiring it."""
    reach_of: dict[int, list[LuaUnit]] = {}
    for handler in units:
        if handler.kind == "module":
            continue
        roots = edges.get(id(handler), ())
        if not roots:
            continue
        done: set[int] = set()
        for root in roots:
            reached = reach_of.get(id(root))
            if reached is None:
                reached = reach_of[id(root)] = _reachable(root, edges)
            for module in reached:
                if id(module) not in done:
                    done.add(id(module))
                    module.phases.add(handler.phase)
                    module.handlers.append(handler)


def _reachable(root: LuaUnit, edges: dict[int, list[LuaUnit]]) -> list[LuaUnit]:
    """`root` and every module it requires, directly or not (require cycles included)."""
    stack = [root]
    seen: set[int] = set()
    found: list[LuaUnit] = []
    while stack:
        module = stack.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        found.append(module)
        stack.extend(edges.get(id(module), ()))
    return found
