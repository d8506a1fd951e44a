"""LUA201–LUA215: OpenResty wiring between the nginx config and the Lua it runs (docs/openresty-facts.md).

Config-level rules read the directive tree; the others read `tree.lua` (nginxlint.openresty.units). Rules that
report the absence of something stay quiet when part of the deployment could not be read or parsed.
"""
from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from ..container.release import built_with_stock_luajit, running_lua_module, running_release
from ..findings import SAFE, UNSAFE, Fix, Location, Span
from ..gitignore import git_ignored
from ..nginx import edits
from ..nginx.directives import CONTENT_HANDLERS, LUA_PHASE
from ..nginx.inheritance import nearest, value_at
from ..nginx.templates import is_unknown
from ..nginx.urls import PASS_DIRECTIVES, is_address, pass_upstreams, upstream_host, upstream_key, upstream_names
from ..nginx.variables import assigned_values, variable_facts, variables
from ..nginx.zones import parse_size, shared_zones
from ..openresty.phases import INIT_PHASES, NO_YIELD_PHASES, handler_code, load_failure, subsystem_of
from ..openresty.releases import bundled_lua_module, module_order, shown
from ..path_templates import rendered_elsewhere
from ..script_writes import written_names
from ..sources import Unreadable
from ..text import did_you_mean, first_of
from .registry import rule


SUBSYSTEMS = ("http", "stream")


def _declared(tree, subsystem: str) -> dict:
    """Dict name -> its `lua_shared_dict` serving one subsystem (APISIX's `lua {}` block serves both)."""
    declared: dict = {}
    for node in tree.nodes("lua_shared_dict"):
        if node.ctx in ((subsystem,), ("lua",)) and node.args:
            declared.setdefault(node.args[0], node)
    return declared


def _sees_blocks(tree) -> bool:
    """Whether this deployment shows its whole `http {}` and `stream {}` blocks: a fragment linted alone (even one
    in http context) is part of a block whose other files are not in view, and so is a file that failed to parse."""
    return tree.complete and tree.is_main


def _related_requires(unit) -> list[Location]:
    return list(unit.required_at[:1]) if unit.kind == "module" else []


# What a fix may write as a bare nginx word: a dict or variable name needs no quoting.
PLAIN_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


def _declare(tree, subsystem: str, line: str):
    """The edit that adds `line` to the root's `subsystem {}` block: after its last lua_shared_dict, else first."""
    existing = [n for n in tree.nodes("lua_shared_dict") if n.ctx == (subsystem,)]
    if existing:
        return edits.insert_after(existing[-1].d, line)
    block = next((n for n in tree.nodes(subsystem) if n.ctx == ()), None)
    return edits.insert_first(block.d, line) if block is not None else None


def _dict_text(name: str) -> str:
    return f"ngx.shared.{name}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else f'ngx.shared["{name}"]'


# -- LUA201 -----------------------------------------------------------------------------------------------------

AT_LINE = re.compile(r"\bat line (\d+)")
# envsubst's form of a placeholder, `${NAME}`, which no Lua code holds outside a string
_PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
# a fill-in a sample leaves for its user, `<Your consul port>`, `<YOUR_TOKEN>`: no Lua expression starts with `<`
_FILL_IN = re.compile(r"<your[^<>\n]*>", re.IGNORECASE)


@rule("LUA201")
def lua_syntax_error(tree, report):
    from ..lua.errors import LuaTooComplex  # the Lua analysis, only when a config runs Lua

    for unit in tree.lua.units:
        error = unit.error
        if error is None:
            continue
        if isinstance(error, LuaTooComplex):
            report.at(
                unit.path, unit.span(error.span),
                f"{unit.label} is nested too deeply for nginxlint to analyse; the checks that need its shared "
                f"dicts, requires and globals skip it",
                severity="info", related=_related_requires(unit),
            )
            continue
        lines = unit.text.split("\n")
        at_error = lines[error.line - 1] if 0 < error.line <= len(lines) else ""
        if "near '$" in error.message and (placeholder := _PLACEHOLDER.search(at_error)):
            # `local brokers = ${KAFKA_BROKERS}`: no Lua holds `$` outside a string; a start script's envsubst
            # writes the value in before nginx loads the file
            tree.loader.not_seen(unit.path, unit.span((error.line, error.column, error.end_line, error.end_column)),
                                 f"{unit.label} holds the placeholder `{placeholder.group()}` that a script fills "
                                 "in before nginx loads it: its Lua is not linted")
            continue
        if "near '<'" in error.message and (placeholder := _FILL_IN.search(at_error)):
            # `consul_port = <Your consul port>`: a sample the README says to copy and fill in
            tree.loader.not_seen(unit.path, unit.span((error.line, error.column, error.end_line, error.end_column)),
                                 f"{unit.label} holds `{placeholder.group()}`, to be replaced with a value of your "
                                 "own before nginx loads it: its Lua is not linted")
            continue
        when = load_failure(unit.phases, unit.subsystem)
        # LuaJIT counts lines from the start of the chunk; the user reads the lines of the file
        message = AT_LINE.sub(lambda m: f"at line {unit.span((int(m.group(1)), 1, int(m.group(1)), 1)).line}",
                              error.message)
        report.at(
            unit.path,
            unit.span((error.line, error.column, error.end_line, error.end_column)),
            f"Lua syntax error in {unit.label}: {message}; nginx -t does not run Lua, so this passes the "
            f"test and then {when}",
            related=_related_requires(unit),
        )


# -- LUA202 / LUA203 --------------------------------------------------------------------------------------------

@rule("LUA202")
def undeclared_shared_dict(tree, report):
    if not _sees_blocks(tree):
        return
    lua = tree.lua
    for subsystem in SUBSYSTEMS:
        declared = _declared(tree, subsystem)
        other = _declared(tree, "stream" if subsystem == "http" else "http")
        for unit in lua.of(subsystem):
            if unit.facts is None:
                continue
            reported: set = set()  # one finding per dict and unit: the first use (an upvalue's declaration)
            for ref in unit.facts.dict_refs:
                name = ref.name
                if name is None or name in declared or name in reported or ref.checked \
                        or declared.keys() & set(ref.alternatives):
                    continue  # `ngx.shared.a or ngx.shared.b`, `if ngx.shared.a ~= nil`: the code expects it absent
                reported.add(name)
                related = _related_requires(unit)
                note = ""
                if name in other:
                    related.append(other[name].location("declared in the other subsystem's block only"))
                    note = f" (the one in {'stream' if subsystem == 'http' else 'http'} {{}} serves only that Lua VM)"
                hint = did_you_mean(name, declared)
                line = f"lua_shared_dict {name} 10m;"
                # a name close to a declared one may be a typo: declaring it hides the typo, so only on request
                fix = Fix.of(f"Declare `{line}` in the {subsystem} block", _declare(tree, subsystem, line),
                             applicability=UNSAFE if hint else SAFE) \
                    if PLAIN_WORD.fullmatch(name) and name not in other else None  # a zone name serves one use
                report.at(
                    unit.path,
                    unit.span(ref.span),
                    f"add `lua_shared_dict {name} <size>;` to the {subsystem} block{note}; referenced at "
                    f"{unit.where(ref.span)}, and {_dict_text(name)} is nil without it{hint}",
                    related=related,
                    help=line,
                    fix=fix,
                )


def _unseen_code(lua, subsystem: str, missing_modules: bool = False) -> bool:
    """Lua of this subsystem that nginxlint could not read (a file path with variables or outside the project, a
    file or module of the image, and with `missing_modules` a module LUA205 reports): it may use anything."""
    nodes = [*lua.dynamic_files, *lua.outside_files]
    if any(subsystem_of(n) == subsystem for n in nodes):
        return True
    if any(u.unit.subsystem == subsystem for u in lua.unseen_modules):
        return True  # modules the image may hold
    return missing_modules and any(u.unit.subsystem == subsystem for u in lua.unresolved)


@rule("LUA218")
def undefined_variable_write(tree, report):
    """`ngx.var.NAME = v` needs `$NAME` made by the config: nginx makes no variable at run time."""
    writers = [unit for unit in tree.lua.units if unit.facts is not None and unit.facts.var_writes]
    if not writers or not _sees_blocks(tree) or any(is_unknown(name) for name in tree.names()):
        return  # nothing written; or what is not read, or a template tag, may `set` it
    for subsystem in SUBSYSTEMS:
        units = [unit for unit in writers if unit.subsystem == subsystem]
        made = _made_variables(tree, subsystem) if units else set()
        for unit in units:
            reported: set = set()
            for write in unit.facts.var_writes:
                name = write.name.lower()
                if name in made or name in reported or variable_facts(name) is not None:
                    continue  # the config's own, or one of nginx's (changeable or not: not this rule's claim)
                reported.add(name)
                report.at(unit.path, unit.span(write.span),
                          f'`ngx.var.{write.name} = …` fails with `variable "{write.name}" not found for writing` '
                          f"and a 500: nothing in the {subsystem} block makes ${write.name}, and nginx makes no "
                          f"variable at run time; add `set ${write.name} \"\";` to the server or location that runs "
                          "this code",
                          related=_related_requires(unit), help=f'set ${write.name} "";')


def _made_variables(tree, subsystem: str) -> set[str]:
    """The variables the config names in a subsystem's block: nginx refuses to start on a name nothing makes, so each
    one is made (`set`, `map`, `geo`, `set_by_lua*`, …) or is nginx's own."""
    return {var.name for node in tree.walk() if node.ctx[:1] == (subsystem,) or node.name == subsystem
            for arg in node.args for var in variables(arg)}


@rule("LUA203")
def unused_shared_dict(tree, report):
    if not tree.is_main or not tree.complete or tree.activatable_includes:
        return  # what is not read, or a site the user enables, may use the dict
    lua = tree.lua
    if lua.parse_failed:
        return
    for subsystem in SUBSYSTEMS:
        nodes = [n for n in tree.nodes("lua_shared_dict") if n.ctx == (subsystem,) and n.args]
        if not nodes or _unseen_code(lua, subsystem, missing_modules=True):
            continue
        if any(subsystem_of(m.node) == subsystem for m in lua.missing_files):
            continue  # the handler LUA209 reports may be the code that uses them
        if _requires_libraries(lua.of(subsystem)):
            continue  # a library the image installs opens dicts of its own names (lua-resty-openidc's "discovery")
        used: set = set()
        dynamic = False
        for unit in lua.of(subsystem):
            for ref in unit.facts.dict_refs:
                if ref.name is None:
                    dynamic = True
                used.add(ref.name)
        if dynamic:
            continue  # a name computed at runtime may be any of them
        unused = [node for node in nodes if node.args[0] not in used]
        if unused:
            names = {node.args[0] for node in unused}
            used |= _quoted_in_units(lua.of(subsystem), names)
            if not names <= used:
                from ..openresty.units import package_roots  # the Lua search path, only for a dict no code names

                used |= _named_beside_loaded_lua(tree, lua, names - used, package_roots(tree, subsystem))
        for node in unused:
            name = node.args[0]
            if name not in used:
                report(
                    node,
                    f'shared dict "{name}" is declared but no Lua code of this deployment uses it; it still reserves '
                    f"shared memory once touched: remove the declaration if nothing needs it",
                    arg=0,
                )


def _requires_libraries(units) -> bool:
    """The code requires a module that is neither a file of the project nor part of LuaJIT or OpenResty: a library
    installed in the image (a rock, an OPM package, a known module), whose code is out of view."""
    from ..openresty.modules import builtin_modules  # the Lua analysis, only when a config runs Lua

    builtin = builtin_modules()
    project = {unit.module for unit in units if unit.kind == "module"}
    return any(require.module and require.module not in project and require.module not in builtin
               for unit in units if unit.facts is not None for require in unit.facts.requires)


def _quoted_in_units(units, names: set) -> set:
    """The names among `names` that the deployment's Lua holds as a string literal ("prometheus-metrics"): handed to
    a library (`prometheus.init(dict_name)`, `{ name = "counters" }`) that opens `ngx.shared[name]` itself."""
    pattern = re.compile(r"""(["'])(""" + "|".join(map(re.escape, sorted(names))) + r""")\1""")
    found: set = set()
    for unit in units:
        found.update(m.group(2) for m in pattern.finditer(unit.text))
    return found


# Lua files beside and below the ones a deployment loads: a loader's plugins, modules it requires by a computed name
LUA_FOLDER_DEPTH = 3
LUA_FOLDER_FILES = 2000


def _named_beside_loaded_lua(tree, lua, names: set, package_roots=()) -> set:
    """The names among `names` that a Lua file in the folders of the deployment's Lua files or in the directories
    its lua_package_path searches (and below, not read as part of the deployment) spells as a shared dict:
    `ngx.shared.NAME`, `ngx.shared["NAME"]`, or a quoted "NAME" passed to a library. Such a file is one the config
    can load out of sight (`require("plugins." .. name)`, a plugin list read at run time, a site that is not
    enabled), so the dict is used."""
    read = {unit.source.path for unit in lua.units if unit.kind in ("file", "module")}
    folders = sorted({path.parent for path in read} | set(package_roots))
    pattern = re.compile(r"""(?:ngx\.shared\.|["'])(""" + "|".join(map(re.escape, sorted(names))) + r""")\b""")
    found: set = set()
    for path in _lua_files_below(tree.loader, folders):
        if path in read:
            continue
        try:
            text = tree.loader.text(path)
        except Unreadable:  # says nothing either way
            continue
        found.update(m.group(1) for m in pattern.finditer(text))
        if found == names:
            break
    return found


def _lua_files_below(loader, folders) -> list:
    from ..openresty.project import directories_below  # the Lua analysis' project search, only for a Lua config

    directories = dict.fromkeys(d for folder in folders for d in directories_below(loader, folder, LUA_FOLDER_DEPTH))
    files = [directory / name for directory in directories for name in loader.listing(directory)[1]
             if name.endswith(".lua")]
    return files[:LUA_FOLDER_FILES]


# -- LUA204 -----------------------------------------------------------------------------------------------------

SMALLEST_WORKING = 12 * 1024


def _other_zones(tree) -> dict:
    """Shared memory zones declared by other modules: name -> (node, argument index) of the first declaration."""
    zones: dict = {}
    for zone in shared_zones(tree):
        if zone.kind != "lua_shared_dict":
            zones.setdefault(zone.name, (zone.node, zone.arg))
    return zones


@rule("LUA204")
def invalid_shared_dict(tree, report):
    if not tree.nodes("lua_shared_dict"):
        return

    zones = _other_zones(tree)
    firsts: dict = {}  # (context, name) -> first lua_shared_dict there
    for node in tree.nodes("lua_shared_dict"):
        if len(node.args) == 2:
            firsts.setdefault((node.ctx, node.args[0]), node)
    seen: dict = {}  # name -> first lua_shared_dict node
    for node in tree.nodes("lua_shared_dict"):
        if len(node.args) != 2:
            continue  # NGX006 reports the argument count
        name, size = node.args
        value = parse_size(size)
        if value is None:
            report(
                node,
                f'invalid lua shared dict size "{size}": nginx accepts bytes, k or m only (no g, no "mb"), so it '
                f"refuses to start; write it as e.g. 10m or 1024m",
                arg=1,
            )
        elif value < SMALLEST_WORKING:
            why = (
                'nginx rejects it ("invalid lua shared dict size")' if value <= 8191
                else 'nginx -t fails with "ngx_slab_alloc() failed: no memory"'
            )
            report(node, f'lua shared dict size "{size}" is below 12k, the smallest that works: {why}; '
                         f"use at least 12k", arg=1)
        first = seen.setdefault((subsystem_of(node) if node.ctx != ("lua",) else "lua", name), node)
        if first is not node:
            report(
                node,
                f'lua_shared_dict "{name}" is already defined at {first.file.display}:{first.d.span.line}; nginx '
                f"refuses to start: remove one of them or rename this one",
                arg=0,
                related=[first.location("first defined here")],
            )
            continue
        clash = zones.get(name)
        owner = None
        if clash is not None:
            owner, index = clash
            where = owner.location(f"shared memory zone \"{name}\" declared here by {owner.d.name}")
        elif node.ctx != ("lua",):
            opposite = "stream" if subsystem_of(node) == "http" else "http"
            twin = firsts.get(((opposite,), name))
            if twin is not None and _order(twin) < _order(node):
                owner, where = twin, twin.location(f"declared here by the {opposite} Lua module")
        if owner is not None:
            report(
                node,
                f'the shared memory zone "{name}" is already declared for a different use ({owner.d.name} at '
                f"{owner.file.display}:{owner.d.span.line}); nginx refuses to start: give this dict another name",
                arg=0,
                related=[where],
            )


def _order(node) -> tuple:
    path = []
    while node.parent is not None:
        path.append(node.parent.children.index(node))
        node = node.parent
    return tuple(reversed(path))


# -- LUA205 -----------------------------------------------------------------------------------------------------

@rule("LUA205")
def unresolved_require(tree, report):
    lua = tree.lua
    if not lua.unresolved:
        return
    from ..openresty import package_path as pp  # the Lua analysis, only when a config runs Lua

    # blocks where an include nginxlint could not read may set the search path itself
    unread = {node.name for node in tree.unread_include_blocks() if node.name in SUBSYSTEMS}
    by_file: dict[tuple, list] = {}  # one finding per module and file, at its first require: one fix
    for item in lua.unresolved:
        unit = item.unit
        if not any(n.ctx == (unit.subsystem,) for n in tree.nodes("lua_package_path")) and \
                (not tree.is_main or unit.subsystem in unread):
            continue  # a fragment linted alone, or an include not read: the search path may be set out of view
        if not _installed_by_readers(tree, item.require.module) and not _made_from_example(tree, item.require.module):
            by_file.setdefault((unit.path, unit.subsystem, item.require.module), []).append(item)
    for item, *others in by_file.values():
        unit, require = item.unit, item.require
        name = require.module
        listed = []
        defaults = 0
        for tried in item.tried:
            if tried.local is not None:
                listed.append(f"no file '{tree.loader.display(tried.local)}'")
            elif tried.default:
                defaults += 1
            else:
                listed.append(f"no file '{pp.show(tried.shown)}'")
        if defaults:
            listed.append(f"no file in the {defaults} default OpenResty and LuaJIT locations")
        nearby = _nearby_file(tree, name)
        if nearby is not None:
            listed.append(f"(there is a {tree.loader.display(nearby)}, but no search path entry reaches it)")
        related = _related_requires(unit) + [
            Location(other.unit.path, other.unit.span(other.require.span), "required here too") for other in others]
        node = next((n for n in tree.nodes("lua_package_path") if n.ctx == (unit.subsystem,)), None)
        if node is not None:
            related.append(node.location("the search path is set here"))
        report.at(
            unit.path,
            unit.span(require.span),
            f"module '{name}' not found: {', '.join(listed)}; add its directory to lua_package_path, install it in "
            f"the image (e.g. `luarocks install` in the Dockerfile), or list it in lua.known-modules",
            related=related,
        )


def _installed_by_readers(tree, module: str) -> bool:
    """A module the repository installs where no image runs the config: its own module, required by one of its
    fixtures (an example, a Lua library's config), which its readers run with the library installed (`opm get`,
    `luarocks install`); or, for any such config, a module its rockspec installs or depends on, which the machine
    that runs the application gets with `luarocks make` (Lapis applications declare `lapis` so)."""
    from ..container.dockerfile_binding import runs_tests  # loaded by every run's binding already

    if tree.root.path is None or tree.binding is not None and not runs_tests(tree.binding.facts):
        return False  # an image runs the config: what it installs decides
    from ..openresty.own_modules import in_fixture, installed_by_rockspec, provides  # only for a module not found

    return provides(tree, module) if in_fixture(tree) else installed_by_rockspec(tree, module)


def _made_from_example(tree, module: str) -> bool:
    """The repository holds an example of the module's file, which each installation copies into place
    (`lua/config.example.lua` for `require "lua.config"`, the real one git-ignored): it is there once installed."""
    if tree.root.path is None:
        return False
    directory, _, stem = module.replace(".", "/").rpartition("/")
    top = tree.loader.repository_top(Path(tree.root.path).parent)
    by_name = tree.loader.once("repository-directories-by-file-name", top, lambda: _directories_by_file_name(tree, top))
    names = [name for word in _EXAMPLE_WORDS for name in (f"{stem}.{word}.lua", f"{stem}.lua.{word}")]
    return any(not directory or held == directory or held.endswith("/" + directory)
               for name in names for held in by_name.get(name, ()))


def _directories_by_file_name(tree, top: Path) -> dict[str, list[str]]:
    """file name -> the repository directories (relative, POSIX) that hold a file of that name."""
    found: dict[str, list[str]] = {}
    for directory, name in tree.loader.files_below(top):
        found.setdefault(name, []).append(directory.relative_to(top).as_posix())
    return found


_EXAMPLE_WORDS = ("example", "sample", "dist", "default", "template")


def _nearby_file(tree, module: str):
    """The module's file in one of the usual project places that the search path missed, if any."""
    relative = module.replace(".", "/") + ".lua"
    for directory in (tree.prefix, tree.prefix / "lua", tree.prefix / "lualib", tree.conf_dir, tree.conf_dir / "lua"):
        candidate = directory / relative
        if candidate.is_file():
            return candidate
    return None


# -- LUA206 / LUA207 --------------------------------------------------------------------------------------------

PATH_DIRECTIVES = ("lua_package_path", "lua_package_cpath")


def _path_nodes(tree) -> list:
    """(directive, node) of every lua_package_path / lua_package_cpath with a value."""
    return [(directive, node) for directive in PATH_DIRECTIVES for node in tree.nodes(directive) if node.args]


@rule("LUA206")
def package_path_without_defaults(tree, report):
    nodes = _path_nodes(tree)
    if not nodes:
        return
    from ..openresty import package_path as pp  # the Lua analysis, only when a config runs Lua

    if _module_unknown_and_unneeded(tree) or _resty_core_off_and_unneeded(tree):
        return
    linked = _bundle_linked_into(tree)
    server_prefix = tree.binding.server_prefix() if tree.binding is not None else None
    for directive, node in nodes:
        value = node.args[0]
        if pp.has_defaults(value) or pp.keeps_lualib(value, server_prefix) or directive == "lua_package_path" and \
                any(entry.template.split("?", 1)[0].rstrip("/") in linked for entry in pp.split_entries(value, "")):
            continue
        if directive == "lua_package_path":
            bundled = _bundled_lua_nginx_module(tree)
            if bundled is not None and module_order(bundled[1]) < module_order("0.10.16"):
                if not _needs_bundled_library(tree):
                    continue  # no resty.core at start, and no bundled library asked for: nothing is lost
                lost = (f"every bundled resty.* module no longer loads (resty.core too, which the lua-nginx-module "
                        f"{shown(bundled[1])} of {bundled[0]} does not yet load at start)")
            elif any(switch.args[:1] == ["off"] for switch in tree.nodes("lua_load_resty_core")):
                # a module that still takes `off` (0.10.15 and older) does not load resty.core at start
                lost = "every bundled resty.* module no longer loads (resty.core too)"
            else:
                lost = ("resty.core (which ngx_lua 0.10.16+ loads at start) and every bundled resty.* module no "
                        "longer load, so nginx fails to start")
        else:
            lost = "cjson and the other bundled C modules no longer load"
        written = node.d.raw_args[0]
        quote = "'" if node.d.quoted[0] and node.d._index.text[node.d.arg_offset(0)] == "'" else '"'
        fixed = f"{quote}{written.rstrip(';')};;{quote}"
        report(
            node,
            f"{directive} without `;;` replaces the default search path: {lost}; end the value with `;;`",
            arg=0,
            help=f'{directive} "{value.rstrip(";")};;";',
            fix=Fix.of("End the search path with `;;`", edits.replace_arg(node.d, 0, fixed))
            if quote not in written else None,
        )


def _bundle_linked_into(tree) -> set[str]:
    """The directories where the image links OpenResty's bundled `resty/` (`ln -s …/lualib/resty/ waf/resty`): a
    search path entry there still finds resty.core and the bundled libraries."""
    from ..container.view import container_files  # the image model, only for a search path without defaults

    files = container_files(tree) if tree.binding is not None else None
    links = files.image.links if files is not None and files.image is not None else {}
    return {posixpath.dirname(link.rstrip("/")) for link, target in links.items()
            if posixpath.basename(link.rstrip("/")) == "resty" and target.rstrip("/").endswith("lualib/resty")}


def _module_unknown_and_unneeded(tree) -> bool:
    """The container runs an nginx that is not OpenResty (a distribution's package, a build of its own) whose
    lua-nginx-module nothing names, so whether it loads resty.core at start is unknown, or one older than 0.10.16,
    which does not, and no `require` of the
    deployment asks for a Lua library of OpenResty's bundle (`resty.redis`) that the project does not hold itself:
    nothing is known to fail. A C module (cjson) comes from `lua_package_cpath`, which keeps its defaults."""
    binding = tree.binding
    reference = binding.container.base_image if binding is not None and binding.container is not None else None
    running = running_lua_module(tree) if reference else None
    if not reference or running is not None and module_order(running.version) >= module_order("0.10.16"):
        return False  # a module from 0.10.16 on loads resty.core at start, from the default path
    from ..container.base_images import base_image  # the image facts table, only for a bound config

    if base_image(reference).flavour == "openresty":
        return False
    return not _needs_bundled_library(tree)


def _resty_core_off_and_unneeded(tree) -> bool:
    """`lua_load_resty_core off`: nginx loads no resty.core at start, so a search path without the defaults fails
    only a `require` of a library of OpenResty's bundle that the project does not hold itself."""
    return any(switch.args[:1] == ["off"] for switch in tree.nodes("lua_load_resty_core")) and \
        not _needs_bundled_library(tree)


def _needs_bundled_library(tree) -> bool:
    """Some `require` of the deployment asks for a Lua library of OpenResty's bundle (`resty.redis`) that the
    project does not hold itself, or the Lua is not all in view."""
    from ..openresty.modules import OPENRESTY_BUNDLED, ModuleSet  # the Lua analysis, only when a config runs Lua

    lua = tree.lua
    if lua.unresolved or lua.parse_failed:
        return True
    found = {unit.module for unit in lua.units if unit.kind == "module"}
    bundled = ModuleSet()
    bundled.update([pattern for pattern in OPENRESTY_BUNDLED if not pattern.startswith("cjson")], "bundled")
    return any(require.module and require.module not in found and require.module in bundled
               for unit in lua.units if unit.facts is not None for require in unit.facts.requires)


def _bundled_lua_nginx_module(tree) -> tuple[str, str] | None:
    """(release name, the lua-nginx-module it bundles) when an OpenResty release the table knows runs the tree,
    else None."""
    running = running_release(tree)
    if running is None or running.release.flavour != "openresty":
        return None
    version = bundled_lua_module(running.release.number)
    return (running.release.name, version) if version is not None else None


def _entry_span(node, entry) -> Span:
    d = node.d
    span = d.arg_span(0)
    raw = d.raw_args[0]
    if raw != d.args[0] or span.line != span.end_line or entry.offset is None:
        return span
    column = span.column + (1 if d.quoted[0] else 0) + entry.offset
    return Span(span.line, column, span.line, column + len(entry.written))


@rule("LUA207")
def relative_package_path(tree, report):
    nodes = _path_nodes(tree)
    if not nodes:
        return
    found = tree.lua.found_relative
    if not found:
        return
    from ..openresty import package_path as pp  # the Lua analysis, only when a config runs Lua

    for directive, node in nodes:
        for entry in pp.split_entries(node.args[0], ""):
            item = next((f for f in found if f.entry.written == entry.written and f.entry.offset == entry.offset
                         and node.ctx == (f.unit.subsystem,)), None)
            if item is None:
                continue
            shown = tree.loader.display(item.path)
            where = item.unit.where(item.require.span)
            if item.start is None:
                why = "so `require` breaks when nginx starts elsewhere (a container's WORKDIR)"
            else:
                why = f"and nginx's workers run in {item.start}, where it does not lead to {shown}"
            suggestion = "$prefix/" + (entry.written[2:] if entry.written.startswith("./") else entry.written)
            report(
                node,
                f'"{entry.written}" is relative: Lua resolves it against nginx\'s working directory, not the prefix, '
                f"and module '{item.require.module}' (required at {where}) is found only through it as {shown}, "
                f'{why}; write "{suggestion}" or an absolute path',
                span=_entry_span(node, entry),
                related=[item.unit.location(item.require.span, "required here")],
            )


# -- LUA220 -----------------------------------------------------------------------------------------------------

@rule("LUA220")
def package_path_entry_without_placeholder(tree, report):
    nodes = _path_nodes(tree)
    if not nodes:
        return
    from ..openresty import package_path as pp  # the Lua analysis, only when a config runs Lua

    for directive, node in nodes:
        before_defaults = True
        for entry in pp.split_entries(node.args[0], ";"):
            if entry.default:
                before_defaults = False
                continue
            if "?" in entry.written or is_unknown(entry.written):
                continue
            c_modules = directive == "lua_package_cpath"
            if c_modules and entry.written.rsplit("/", 1)[-1] == "loadall.so":
                continue  # the all-in-one library of Lua's own default cpath, skipped where it is absent
            lost = pp.lost_placeholder(entry.written)
            if lost:
                what = (f'"{entry.written}" has no "?" where the module name goes: Lua looks for a file named '
                        f'"{lost}" itself, so no module is found through this entry')
                better = entry.written[:-len(lost)] + "?" + lost
            elif pp.names_directory(entry.written):
                fails = ("fails to load it as a library" if c_modules
                         else 'fails with "cannot read …: Is a directory"')
                what = (f'"{entry.written}" names a directory, not a pattern: Lua tries this same path for every '
                        f"`require` and, where the directory exists, {fails}")
                if before_defaults and not c_modules:
                    what += " (first for ngx_lua's own resty.core, so nginx refuses to start)"
                better = entry.written.rstrip("/") + "/" + ("?.so" if c_modules else "?.lua")
            else:
                what = (f'"{entry.written}" names one file, not a pattern: every `require` that reaches it '
                        + ("looks for its module in that one library, and where the file exists a module it does "
                           "not hold fails to load" if c_modules else "loads that same file, whatever module was "
                           "asked for"))
                better = pp.as_pattern(entry.written)
            report(node, f'{what}; write "{better}"', span=_entry_span(node, entry))


# -- LUA208 -----------------------------------------------------------------------------------------------------

ALWAYS_KEPT = frozenset({"TZ"})


@rule("LUA208")
def getenv_without_env(tree, report):
    if not tree.is_main or not tree.complete:
        return
    kept = set(ALWAYS_KEPT)
    for node in tree.nodes("env"):
        if node.ctx == () and node.args:
            kept.add(node.args[0].split("=", 1)[0])
    for unit in tree.lua.units:
        if unit.facts is None:
            continue
        if unit.phases and unit.phases <= {"init"}:
            continue  # the master runs it before clearing its environment, and workers inherit what it stored
        missing: dict[str, list] = {}  # name -> its reads in this file, reported together: one cause, one fix
        for use in unit.facts.getenvs:
            name = use.name
            # os.getenv("") is nil in any environment, and `env ;` is no line nginx takes
            if not name or name in kept or _kept_elsewhere(tree, use):
                continue
            if use.top_level and _loaded_at_start(tree, unit):
                continue  # the module's top level ran in the master, whose environment is whole, and is cached
            if not use.top_level and _called_at_start_only(tree, unit, use):
                continue  # a function only init_by_lua* calls (`_M.http_init()`): it runs in the master
            if not use.top_level and _in_a_local_function_nothing_names(unit, use):
                continue  # dead code: it never runs
            near = next((other for other in sorted(kept) if other.lower() == name.lower()), None)
            if near is not None:  # `SERVER_COLo` beside `env SERVER_COLO;`: a typo, not a missing line
                report.at(unit.path, unit.span(use.span),
                          f'os.getenv("{name}") returns nil here: the config keeps `env {near};`, and environment '
                          f'names differ by case; read os.getenv("{near}")', related=_related_requires(unit))
                continue
            missing.setdefault(name, []).append(use)
        if missing:
            _report_missing_env(tree, unit, missing, report)


def _report_missing_env(tree, unit, missing: dict[str, list], report) -> None:
    """One finding per file at its first read, the other reads related: a file that reads ten variables lacks ten
    `env` lines for one reason, and the fix adds them all."""
    names = list(missing)
    first = missing[names[0]][0]
    others = [Location(unit.path, unit.span(use.span), f'os.getenv("{name}") returns nil too')
              for name, uses in missing.items() for use in uses if use is not first]
    lines = [f"env {name};" for name in names]
    if len(names) == 1:
        what, add = "", f"add `{lines[0]}`"
    else:
        what = f', and so does os.getenv("{names[1]}")' if len(names) == 2 else \
            f", and so do {len(names) - 1} other variables this file reads ({_listed(names[1:])})"
        add = "add an `env` line for each"
    fix = Fix.of(f"Add {_listed([f'`{line}`' for line in lines], 2)} to the main context",
                 _keep_env(tree, "\n".join(lines))) if all(PLAIN_WORD.fullmatch(name) for name in names) else None
    report.at(
        unit.path, unit.span(first.span),
        f'os.getenv("{names[0]}") returns nil here{what}: nginx clears the environment of its workers except the '
        f"variables listed by `env`; {add} to the main context",
        related=[*_related_requires(unit), *others], help=" ".join(lines), fix=fix,
    )


def _listed(items: list[str], most: int = 4) -> str:
    """`A, B and C`, or the first `most` and how many more (text.first_of)."""
    if len(items) > most:
        return first_of(items, most)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _loaded_at_start(tree, unit) -> bool:
    """A module first required while init_by_lua* runs (also through a function its top level calls): its top level
    runs once, in the master, and every later `require` gets the table it made. Not so with `lua_code_cache off`,
    which loads it again for each request."""
    if unit.kind != "module" or unit.facts.taint is None or any(
            node.args[:1] == ["off"] for node in tree.nodes("lua_code_cache")):
        return False
    from ..openresty.phase_calls import tree_phase_runs  # the Lua analysis, only for a module's os.getenv

    top = unit.facts.taint.summaries[-1]
    return any(run.unit is unit and run.summary is top and run.phase == "init"
               for run in tree_phase_runs(tree, unit.subsystem))


def _called_at_start_only(tree, unit, use) -> bool:
    """The function that holds the call runs only where init_by_lua* code calls it, followed through the handlers'
    calls (phase_calls): in the master, whose environment is whole."""
    # the Lua analysis, only for an os.getenv in a function
    from ..openresty.phase_calls import innermost_function, tree_phase_runs

    summaries = unit.facts.taint.summaries if unit.facts.taint is not None else ()
    function = innermost_function(summaries, use.span)
    if function is None or function is summaries[-1]:
        return False  # the main body: its runs are judged by `_loaded_at_start`
    phases = {run.phase for run in tree_phase_runs(tree, unit.subsystem)
              if run.unit is unit and run.summary is function}
    return phases == {"init"}


def _in_a_local_function_nothing_names(unit, use) -> bool:
    """The call sits in a `local function` whose name the file never writes again: nothing calls it, nor passes it
    on (a module's `local function get_credentials()` left behind when the keys moved to another source)."""
    from ..openresty.phase_calls import innermost_function  # the Lua analysis, only for an os.getenv in a function

    summaries = unit.facts.taint.summaries if unit.facts.taint is not None else ()
    function = innermost_function(summaries, use.span)
    if function is None or function is summaries[-1] or not function.name.isidentifier():
        return False
    name = re.escape(function.name)
    return re.search(rf"\blocal\s+function\s+{name}\b", unit.text) is not None and \
        len(re.findall(rf"(?<![\w.:]){name}\b", unit.text)) == 1


def _kept_elsewhere(tree, use) -> bool:
    """The variable is not set where this config runs, and the code does without it (it tests for nil or falls back)
    or a config out of view keeps it (`env NAME;` in a Helm chart's template, where it is set): the missing line
    changes nothing here. Where the deployment sets the variable, the line is missing."""
    from ..openresty.getenv import env_out_of_view, set_by_deployment  # only for a variable the config lacks

    set_here = set_by_deployment(tree, use.name)
    if set_here:
        return False
    return use.handles_nil and set_here is False or use.name in env_out_of_view(tree)


def _keep_env(tree, line: str):
    """The edit that adds `line` (`env NAME;` lines) to the main context: after the last `env`, else before the root's
    first block."""
    main = tree.main.children or []
    envs = [n for n in main if n.name == "env"]
    if envs:
        return edits.insert_after(envs[-1].d, line)
    blocks = [n for n in main if n.d.block is not None and n.d.file.display == tree.root.display]
    if blocks:
        return edits.insert_before(blocks[0].d, line)
    return None


# -- LUA209 / LUA210 --------------------------------------------------------------------------------------------

# Languages a build compiles to Lua beside their source (moonc, fennel --compile, tl gen, yue): the .lua is not kept
# in the repository, often ignored by git, and is there once the image is built.
COMPILED_TO_LUA = (".moon", ".fnl", ".tl", ".yue")


def _compiled_at_build(path: Path) -> bool:
    return any(path.with_suffix(suffix).is_file() for suffix in COMPILED_TO_LUA)


_REQUEST_PHASES = frozenset({"set", "server_rewrite", "rewrite", "access", "precontent", "content", "balancer",
                             "preread", "ssl_certificate", "ssl_client_hello", "ssl_session_fetch",
                             "ssl_session_store", "proxy_ssl_certificate", "proxy_ssl_verify"})


@rule("LUA209")
def lua_file_not_found(tree, report):
    for missing in tree.lua.missing_files:
        if _compiled_at_build(missing.path) or git_ignored(tree.loader, missing.path) or \
                missing.path.name in written_names(tree.loader, tree.loader.repository_top(missing.path.parent)):
            continue  # made by a build, a script (`luajit -b init.lua init.ljbc`) or at deploy time: what is there
            # is unknown
        node = missing.node
        if rendered_elsewhere(tree.loader, node.file.path, missing.path):
            continue  # a template rendered elsewhere at deploy time, or the target one renders
        phase = LUA_PHASE[node.d.name]
        # a request phase answers the request with an error (404 for content); the others fail as loading does
        when = ("nginx -t passes, then every request that reaches it fails" if phase in _REQUEST_PHASES
                else load_failure({phase}, subsystem_of(node)))
        report(
            node,
            f'{node.d.name} target "{node.args[missing.arg]}" does not exist (looked for '
            f"{tree.loader.display(missing.path)}; relative paths are resolved against the prefix "
            f"{tree.loader.display(tree.prefix)}/): {when}",
            arg=missing.arg,
        )


# A comment that says the line is for development: "for debugging", "dev only", 便于调试 (for debugging),
# 开发 (development)
# A comment naming development, or production as where the line must change (`#comment for production`)
_FOR_DEVELOPMENT = re.compile(r"debug|develop|\bdev\b|hot[ -]?reload|production|调试|开发|热加载|热更新|生产|上线",
                              re.IGNORECASE)


def _said_for_development(node) -> bool:
    """The line, or the comment line above it, says it is there for development (`# 禁用lua缓存，便于调试`)."""
    file, line = node.d.file, node.d.span.line
    same = file.line(line)
    above = file.line(line - 1).strip() if line > 1 else ""
    return "#" in same and bool(_FOR_DEVELOPMENT.search(same[same.index("#"):])) or \
        above.startswith("#") and bool(_FOR_DEVELOPMENT.search(above))


def _lua_mounted(tree) -> bool:
    """The container mounts a directory of the repository that holds Lua files (`./lua:/usr/local/openresty/nginx/lua`):
    the code is edited in place and read again on each request, the one use of the code cache off."""
    from ..container.development import is_development  # the container model, only for a config with the cache off
    from ..container.view import container_files

    files = container_files(tree) if tree.binding is not None else None
    if files is None or is_development(tree.binding.path or ""):
        return False  # a development override's mount says nothing of the container that is deployed
    base = Path(os.path.abspath(tree.loader.base_dir))
    mounted = [base / entry.source for entry in files.mounts if isinstance(entry.source, Path)]
    return any(name.endswith(".lua") for directory in mounted for _, name in tree.loader.files_below(directory))


@rule("LUA210")
def lua_code_cache_off(tree, report):
    live_edited = None
    for node in tree.nodes("lua_code_cache"):
        if node.args and node.args[0].lower() == "off" and not _said_for_development(node):
            live_edited = _lua_mounted(tree) if live_edited is None else live_edited
            if live_edited:
                continue
            report(
                node,
                "lua_code_cache off reloads every Lua file for every request: throughput drops by an order of "
                "magnitude and module state (nginx-lua-prometheus metrics, caches) resets each time; remove it "
                "outside development",
                arg=0,
                help="lua_code_cache on;",
                fix=Fix.of("Set `lua_code_cache on;`", edits.replace_arg(node.d, 0, "on")),
            )


# -- LUA211 -----------------------------------------------------------------------------------------------------

def _standard_globals() -> frozenset:
    from ..lua.stdlib import STANDARD_GLOBALS  # the Lua analysis, only when a config runs Lua

    return frozenset(STANDARD_GLOBALS)


# The lua-nginx-module from which requests share the worker's globals (OpenResty 1.15.8.1, with lua-resty-core's
# `_G` write guard); before it each request handler ran with a globals table of its own, inheriting `_G`.
SHARED_GLOBALS_SINCE = module_order("0.10.15")
SHARED_GLOBALS_SINCE_OPENRESTY = (1, 15, 8)


@rule("LUA211")
def undefined_global(tree, report):
    if not tree.is_main:
        return  # a fragment linted alone: init code that creates globals may sit in the main config
    lua = tree.lua
    if not any(u.facts is not None for u in lua.units):
        return
    standard = _standard_globals() | frozenset(tree.settings.known_globals)
    quiet_reads = not tree.complete or lua.parse_failed
    # before 0.10.15 (OpenResty 1.15.8.1), ngx_lua gave each request a globals table of its own
    running = running_lua_module(tree)
    release = running_release(tree)
    per_request_globals = running is not None and module_order(running.version) < SHARED_GLOBALS_SINCE or \
        release is not None and release.release.flavour == "openresty" and \
        release.release.predates(SHARED_GLOBALS_SINCE_OPENRESTY) or \
        built_with_stock_luajit(tree)  # a release before the bundle table's first too; no OpenResty LuaJIT
    code_cache = nearest(tree, "lua_code_cache")
    for subsystem in SUBSYSTEMS:
        units = [u for u in lua.of(subsystem) if u.facts is not None]
        if not units:
            continue
        assigned: set = set()
        assigned_at_init: set = set()
        definitions: dict[str, set] = {}  # each global's values as written: a function's or a constant's text, or None
        for unit in units:
            names = {w.name for w in unit.facts.global_writes} | set(unit.facts.globals_through_g) | {
                require.module for require in unit.facts.requires if require.module in _SETS_ITS_GLOBAL}
            assigned |= names
            if unit.phases and unit.phases <= INIT_PHASES:
                assigned_at_init |= names
            for use in unit.facts.global_writes:
                definitions.setdefault(use.name, set()).add(_as_written(use.function or use.constant))
        # code that creates globals under computed names (luafun's `_G[k] = v`) may have created any of them
        unseen = _unseen_code(lua, subsystem) or any(unit.facts.computed_globals for unit in units)
        # `_, _, token = string.find(…)` only throws values away, unless some code reads `_` back
        throwaway_read = any(use.name == "_" for unit in units for use in unit.facts.global_reads)
        shared_reads = _shared_reads(units)
        mentions = _WordCounts(units)
        for unit in units:
            if not (quiet_reads or unseen):
                reported: set = set()
                for use in unit.facts.global_reads:
                    name = use.name
                    if name in standard or name in assigned or name in reported or \
                            _in_uncalled_function(unit, use.span, mentions):
                        continue
                    near = did_you_mean(name, assigned)
                    if use.used_as is None and not near:
                        continue  # a nil only passed on or compared raises nothing here, unless it is a typo
                    reported.add(name)
                    raises = f" (\"attempt to {use.used_as} global '{name}' (a nil value)\")" if use.used_as else ""
                    report.at(
                        unit.path, unit.span(use.span),
                        f'global "{name}" is read here but no Lua code of this deployment assigns it, so it is nil'
                        f"{raises}; create it in init_by_lua* or init_worker_by_lua*, or fix the name{near}",
                        related=_related_requires(unit),
                    )
            if unit.kind == "module" or unit.phase in INIT_PHASES or unit.phase is None or per_request_globals \
                    or _own_vm(unit, code_cache):
                continue
            written: set = set()
            for use in unit.facts.global_writes:
                name = use.name
                if name in standard or name in assigned_at_init or name in written or \
                        name == "_" and not throwaway_read:
                    continue
                if use.function is not None and not use.closes_over and \
                        definitions[name] == {_as_written(use.function)}:
                    continue  # the same function each time, closing over nothing of a request: a race of nothing
                reads = [(other, read) for other, read in shared_reads.get(name, ())
                         if not (other is unit and read.why == "yield" and unit.phases <= NO_YIELD_PHASES)]
                if use.constant is not None and definitions[name] == {_as_written(use.constant)} and all(
                        other is unit and (read.why == "yield" or _MODULE_TABLE.match(use.constant))
                        for other, read in reads):
                    continue  # the same value each time (one module table for all), set by this run: no race
                seen = _read_elsewhere(unit, reads)
                if seen is None:
                    continue  # read back only by its own run, before anything lets another request in
                written.add(name)
                how, fix, where = seen
                report.at(
                    unit.path, unit.span(use.span),
                    f'"{name}" becomes a new global in {unit.phase} code {how}; {fix}, or create it in init_by_lua* or '
                    f"init_worker_by_lua*",
                    severity="warning", related=[where],
                )


class _WordCounts:
    """How often each word is written in the deployment's Lua of one subsystem, counted on first use."""

    def __init__(self, units):
        self._units = units
        self._counts: dict | None = None

    def __getitem__(self, word: str) -> int:
        if self._counts is None:
            self._counts = {}
            for unit in self._units:
                for found in _WORD.findall(unit.text):
                    self._counts[found] = self._counts.get(found, 0) + 1
        return self._counts.get(word, 0)


_WORD = re.compile(r"[A-Za-z_]\w*")


def _in_uncalled_function(unit, span, mentions: _WordCounts) -> bool:
    """The span lies in a function named by a plain name (`local function legacy_check()`) that no Lua of the
    deployment names but its definition: no caller, no callback, no string of its name, so no run reaches it and
    what it reads is never read. A member of a table (`function _M.access()`) may be called from outside the
    repository (a gateway calls its plugins' handlers), and is always taken as called."""
    from ..openresty.phase_calls import functions_holding  # the Lua analysis, only for a global read

    taint = unit.facts.taint
    return taint is not None and any(
        _WORD.fullmatch(summary.name) and summary.name != "function" and mentions[summary.name] == 1
        for summary in functions_holding(taint.summaries, span))


# C modules whose loader also sets the global of their name (LuaFileSystem's luaopen_lfs: `lua_setglobal(L, "lfs")`)
_SETS_ITS_GLOBAL = frozenset({"lfs"})


def _as_written(text: str | None) -> str | None:
    """A global's value as its code writes it, spaced alike: two handlers indented differently define one function."""
    return " ".join(text.split()) if text is not None else None


# `require("cjson")`, `require "cjson"`: the module's one table, which a read anywhere in the chunk gets alike
_MODULE_TABLE = re.compile(r"require\s*[(\"']")


def _shared_reads(units) -> dict:
    """Each global's reads that may see a value another request wrote: {name: [(unit, SharedRead)]}."""
    found: dict = {}
    for unit in units:
        for read in unit.facts.shared_reads:
            found.setdefault(read.name, []).append((unit, read))
    return found


def _read_elsewhere(unit, reads) -> tuple[str, str, Location] | None:
    """The read that shows a request's write to others, first one of the same chunk: how to say it, the fix, and
    where it is."""
    if not reads:
        return None
    other, read = min(reads, key=lambda pair: pair[0] is not unit)
    where = other.location(read.span, "read here")
    shared = "so one request can get another's value"
    if other is not unit:
        return f"and is read by other Lua code ({other.where(read.span)}), {shared}", "keep it in ngx.ctx", where
    if read.why == "yield":
        return f"and is read at line {where.span.line} after a call that lets other requests run, {shared}", \
            "make it local", where
    # a write on some paths only (`if key == "hash" then hash = val end`): a request that skips it reads the last one's
    return f"and is read at line {where.span.line} on a path where this request has not set it, so it gets the value " \
        "an earlier request left", "make it local", where


def _own_vm(unit, code_cache: dict) -> bool:
    """`lua_code_cache off` where the handler runs: each request runs in a Lua VM of its own (oracle), so the globals
    it writes die with it."""
    setting = value_at(code_cache, unit.node.parent) if unit.node is not None else None
    return setting is not None and setting.args[:1] == ["off"]


# -- LUA212 -----------------------------------------------------------------------------------------------------

NOT_INHERITED = frozenset({"init", "init_worker", "exit_worker", "set", "content", "balancer"})


def _handlers(block) -> dict:
    found: dict = {}
    for child in block.children or ():
        phase = LUA_PHASE.get(child.d.name)
        if phase is not None and phase not in NOT_INHERITED:
            found.setdefault(phase, child)
    return found


def _switched_off(node) -> bool:
    """An inline handler with no code: written to stop the outer one for this block, which is what it does."""
    code = handler_code(node)
    return code is not None and not node.d.name.endswith("_file") and _no_code(code)


def _runs_the_same(inner, outer) -> bool:
    """The inner handler holds all the outer one's code (`client:check(ngx.var.remote_addr)` in both), its comments
    and log calls aside (the copy logs "check (API)" where the outer logs "check"), or names the same file."""
    inner_code, outer_code = handler_code(inner), handler_code(outer)
    if inner_code is None or outer_code is None or inner.d.name.endswith("_file") != outer.d.name.endswith("_file"):
        return False
    if inner.d.name.endswith("_file"):
        return " ".join(outer_code.split()) == " ".join(inner_code.split())
    outer_code = _code_words(outer_code)
    return bool(outer_code) and outer_code in _code_words(inner_code)


# A handler that is one call of a module's function: `require("runtime").origin_done()`.
_MODULE_CALL = re.compile(
    r"\s*(?:return\s+)?require\s*\(?\s*[\"']([\w.-]+)[\"']\s*\)?\s*[.:]\s*(\w+)\s*\([^()]*\)\s*;?\s*")


def _calls_the_outer_function(tree, inner, outer) -> bool:
    """Both handlers are one call into the same module of the project, and the inner one's function calls the outer
    one's (`record_passive_failure` ends with `M.origin_done()`): the outer code runs here too."""
    inner_call, outer_call = (_MODULE_CALL.fullmatch(handler_code(node) or "") for node in (inner, outer))
    if inner_call is None or outer_call is None or inner_call.group(1) != outer_call.group(1):
        return False
    module = next((unit for unit in tree.lua.units if unit.kind == "module" and unit.module == inner_call.group(1)),
                  None)
    taint = module.facts.taint if module is not None and module.facts is not None else None
    function = taint.exports.get(inner_call.group(2)) if taint is not None else None
    if function is None or not function.span:
        return False  # the module's exported function, whose text its summary spans
    first_line, _, last_line, _ = function.span
    text = "\n".join(module.text.split("\n")[first_line - 1:last_line])
    calls_it = rf"(?<![\w\"'])(?:\w+\s*[.:]\s*)?{outer_call.group(2)}\s*\("  # `M.origin_done(`, `origin_done(`
    return re.search(calls_it, text) is not None


def _code_words(code: str) -> str:
    """What the code does: its tokens, spaced alike, without comments and `ngx.log` calls (the copy that logs
    "check (API)" where the outer logs "check", with a note of its own); the text itself where it does not tokenize."""
    from ..lua.errors import LuaSyntaxError  # the Lua analysis, only for two handlers of one phase
    from ..lua.lexer import tokenize

    try:
        tokens = [text for _kind, text, _start, _end in tokenize(code)[:-1]]  # comments are skipped; no $END
    except LuaSyntaxError:
        return " ".join(code.split())
    words, index = [], 0
    while index < len(tokens):
        if tokens[index:index + 4] == ["ngx", ".", "log", "("]:
            depth, index = 1, index + 4
            while index < len(tokens) and depth:
                depth += {"(": 1, ")": -1}.get(tokens[index], 0)
                index += 1
            continue
        words.append(tokens[index])
        index += 1
    return " ".join(words)


def _no_code(code: str) -> bool:
    """Lua that does nothing: whitespace, `;`, line comments and a lone `return` (`access_by_lua_block {;}`,
    `log_by_lua ''`, `access_by_lua return;`). Read line by line: a pattern of comments and spaces backtracks on a
    line of dashes."""
    words = " ".join(line.split("--", 1)[0] for line in code.split("\n")).replace(";", " ").split()
    return words in ([], ["return"])


def _manages_handlers(block) -> bool:
    """The block switches an inherited handler off (`body_filter_by_lua_block {;}`): its author knows handlers
    replace the outer ones, and its others replace them on purpose too (Kong's internal locations)."""
    return any(LUA_PHASE.get(child.d.name) is not None and _switched_off(child) for child in block.children or ())


@rule("LUA212")
def phase_handler_shadowed(tree, report):
    from ..openresty.units import lua_directives  # the Lua analysis, only when a config runs Lua

    memo: dict = {}

    def handlers_of(block):
        key = id(block)
        if key not in memo:
            memo[key] = _handlers(block)
        return memo[key]

    names = [name for name, phase in LUA_PHASE.items() if phase not in NOT_INHERITED]
    for node in lua_directives(tree, names):
        phase = LUA_PHASE[node.d.name]
        if node.parent is None or node.parent.d is None or _manages_handlers(node.parent):
            continue
        for outer_block in node.parent.ancestors():
            outer = handlers_of(outer_block).get(phase)
            if outer is None:
                continue
            if _runs_the_same(node, outer) or _calls_the_outer_function(tree, node, outer):
                break  # the inner handler runs the outer one's code itself: nothing is lost
            level = outer_block.d.name
            inner_level = node.parent.d.name
            report(
                node,
                f"this {inner_level}'s {node.d.name} replaces the {level}-level {outer.d.name} at "
                f"{outer.file.display}:{outer.d.span.line}, which no longer runs here: nginx uses one handler per "
                f"phase, the innermost; run the outer code from here too (e.g. through a shared module)",
                related=[outer.location(f"{level}-level {outer.d.name} that does not run for this {inner_level}")],
            )
            break


# -- LUA213 -----------------------------------------------------------------------------------------------------

STREAM_CONTENT_HANDLERS = frozenset({"proxy_pass", "return", "js_content"})


@rule("LUA213")
def content_handler_conflict(tree, report):
    from ..openresty.units import lua_directives  # the Lua analysis, only when a config runs Lua

    for node in lua_directives(tree, [name for name, phase in LUA_PHASE.items() if phase == "content"]):
        if node.parent is None or node.parent.d is None:
            continue
        handlers = STREAM_CONTENT_HANDLERS if subsystem_of(node) == "stream" else CONTENT_HANDLERS
        others = [c for c in node.parent.children if c.d.name in handlers]
        if not others:
            continue
        other = others[-1]
        siblings = node.parent.children
        winner = node if siblings.index(node) > siblings.index(other) else other
        loser = other if winner is node else node
        if loser is node and not node.d.name.endswith("_file") and _no_code(handler_code(node) or ""):
            continue  # a Lua block of comments alone (code commented out) loses nothing
        report(
            node,
            f"{node.d.name} and {other.d.name} are both content handlers of this {node.parent.d.name}: nginx "
            f"silently keeps the last one ({winner.d.name}), so {loser.d.name} never runs; move one of them to "
            f"its own {node.parent.d.name}",
            related=[other.location(f"{other.d.name} in the same {node.parent.d.name}")],
        )


# -- LUA214 -----------------------------------------------------------------------------------------------------

SSL_PHASES = frozenset({"ssl_certificate", "ssl_client_hello", "ssl_session_fetch", "ssl_session_store"})


def _has_tls(server, http) -> bool:
    """Whether the server may take TLS: a template's masked `listen` may well say `ssl`."""
    for listen in server.find("listen"):
        if any(arg in ("ssl", "quic") or is_unknown(arg) for arg in listen.args):
            return True
    for scope in (server, http):
        if scope is not None:
            for flag in scope.find("ssl"):
                if flag.args and flag.args[0].lower() == "on":
                    return True
    return False


@rule("LUA214")
def ssl_lua_without_ssl(tree, report):
    from ..openresty.units import lua_directives  # the Lua analysis, only when a config runs Lua

    for node in lua_directives(tree, [name for name, phase in LUA_PHASE.items() if phase in SSL_PHASES]):
        parent = node.parent
        if parent is None or parent.d is None:
            continue
        if parent.d.name == "server":
            servers, top = [parent], parent.parent
        elif parent.d.name in ("http", "stream"):
            servers, top = parent.find("server"), parent
        else:
            continue
        if parent.d.name != "server" and not tree.complete:
            continue
        plain = [s for s in servers if not _has_tls(s, top)]
        if not plain:
            continue
        where = "this server has" if parent.d.name == "server" else f"{len(plain)} server(s) of this {parent.d.name} block have"
        report(
            node,
            f"{node.d.name} runs during the TLS handshake, but {where} no TLS listener (`listen … ssl`): without "
            f'an ssl_certificate nginx refuses to start ("no ssl configured for the server"), and without a TLS '
            f"listener the code never runs; add `ssl` to a listen directive, or remove the handler",
            related=[s.location("server without a TLS listener") for s in plain[:5] if s is not parent],
        )


# -- LUA215 -----------------------------------------------------------------------------------------------------

def _resolver_scopes(tree) -> set:
    """ids of the blocks that hold a `resolver` directive, or an include nginxlint could not read, which may hold
    one (`include /tmp/resolver.conf;` that the image's start writes)."""
    return {id(n.parent) for n in tree.nodes("resolver")} | tree.unread_include_ids()


def _has_resolver(node, scopes: set) -> bool:
    block = node.parent
    while block is not None:
        if id(block) in scopes:
            return True
        block = block.parent
    return False


def _resolver_hint() -> str:
    return ("add `resolver <DNS server IP> valid=30s;` to the http or server block (in Kubernetes the kube-dns "
            "Service IP; stock nginx does not read /etc/resolv.conf)")


@rule("LUA215")
def resolver_missing(tree, report):
    scopes = _resolver_scopes(tree)
    if tree.complete and (tree.is_main or len(tree.start_ctx) <= 1):
        # a server file linted alone is taken to be included from a stock nginx.conf (none sets `resolver`); a file
        # of locations (or of a location's directives) is included from a server out of sight, which may set one.
        # Its Lua is checked with its root only.
        _variable_passes(tree, report, scopes)
    if not tree.is_main:
        return
    if tree.complete:  # an upstream file linted alone may get its resolver from a sibling file out of its tree
        _resolving_servers(tree, report, scopes)
    lua = tree.lua
    for unit in lua.units:
        if unit.facts is None or not unit.facts.cosockets:
            continue
        lacking = [h for h in unit.handlers if h.node is not None and not _has_resolver(h.node, scopes)]
        if not lacking:
            continue

        for cosocket in unit.facts.cosockets:
            host = cosocket.host
            if host is None or is_address(host):
                continue
            related = [] if unit.kind != "module" else [
                h.node.location(f"{h.node.d.name} with no resolver in scope") for h in lacking[:3]
            ]
            report.at(
                unit.path, unit.span(cosocket.span),
                f'connecting to "{host}" needs a `resolver` in scope, and there is none: the cosocket fails with '
                f'"no resolver defined to resolve \\"{host}\\""; {_resolver_hint()}',
                related=related,
            )


def _variable_passes(tree, report, scopes: set) -> None:
    upstreams = upstream_names(tree)
    implicit: set | None = None
    assigned: dict | None = None
    for directive in PASS_DIRECTIVES:
        for node in tree.nodes(directive):
            if not node.args or "$" not in node.args[0] or _has_resolver(node, scopes):
                continue
            if assigned is None:  # read once, for a config that passes to a variable address
                assigned, implicit = assigned_values(tree), pass_upstreams(tree)
            host = _needs_dns(node.args[0], upstreams, assigned, implicit)
            if host is None or (not tree.is_main and _may_be_upstream(host)):
                continue  # a fragment's upstream blocks may be defined in files out of view
            shown = f'"{host}"' if host else "a host name known only at request time"
            report(
                node,
                f"{directive} with variables resolves {shown} for each request, and no `resolver` is in scope: "
                f'requests fail with 502 ("no resolver defined to resolve"); {_resolver_hint()}',
                arg=0,
            )


def _resolving_servers(tree, report, scopes: set) -> None:
    """`server name resolve` in an upstream re-resolves the name through `resolver` (nginx 1.27.3+); without one
    in the upstream block or around it, nginx refuses to start."""
    for node in tree.nodes("server"):
        if node.ctx[-1:] != ("upstream",) or "resolve" not in node.args[1:] or _has_resolver(node, scopes):
            continue
        found = upstream_host(node.args[0])
        if found is None or is_address(found[0]):
            continue
        upstream = node.parent.args[0] if node.parent is not None and node.parent.args else ""
        report(node, f'`resolve` looks "{found[0]}" up again while nginx runs, through `resolver`, and no `resolver` '
               f'is in scope: nginx refuses to start ("no resolver defined to resolve names at run time in upstream '
               f'"{upstream}""); add `resolver <DNS server IP> valid=30s;` to the http block or to this upstream',
               arg=node.args.index("resolve", 1))


def _expanded(url: str, assigned: dict, depth: int = 0) -> list[str] | None:
    """The URLs an argument led by a variable (`$api_base$uri`) may be, each `set` value of the variable put in, through
    variables set from one another (`set $api_base $dapr/method;`); None where some value is not known."""
    head = re.match(r"\$\{?(\w+)\}?", url)
    if head is None:
        return [url]
    values = assigned.get("$" + head.group(1))
    if not values or None in values or depth == 4:
        return None
    urls = []
    for value in values:
        more = _expanded(value + url[head.end():], assigned, depth + 1)
        if more is None:
            return None
        urls.extend(more)
    return urls


def _may_be_upstream(host: str) -> bool:
    """An unknown host, or a name an `upstream` block could have (a single label without a port)."""
    return not host or ("." not in host and ":" not in host)


def _scheme_of(url: str) -> str:
    """`https` of `https://$backend`: the scheme a value without one is used with."""
    return url.split("://", 1)[0].lower() if "://" in url and "$" not in url.split("://", 1)[0] else "http"


# nginx's variables that always hold a numeric address (of the server's socket, of the client)
_ADDRESS_VARIABLES = frozenset({"server_addr", "remote_addr", "realip_remote_addr", "proxy_protocol_addr",
                                "proxy_protocol_server_addr"})


def _needs_dns(url: str, upstreams: set, assigned: dict, implicit: set, scheme: str = "http") -> str | None:
    """The host a variable proxy_pass would resolve at request time ("" when unknown), or None when no DNS is needed:
    every value the variable holding the host can take is an address, an upstream block's name, or the host and
    port of a `*_pass` without variables (`implicit`, an upstream nginx made of it)."""
    if url.startswith("$"):
        urls = _expanded(url, assigned)
        if urls is not None and urls != [url]:
            return next((host for host in (_needs_dns(u, upstreams, assigned, implicit, scheme) for u in urls) if host),
                        None)
    found = upstream_host(url)
    host = found[0] if found else ""
    if "$" not in host:
        return None if not host or is_address(host) or host in upstreams or \
            upstream_key(url, scheme) in implicit else host
    if host.split("$", 1)[0] in upstreams:
        return None  # `$scheme://backend$uri`: nginx finds the upstream block backend at request time, no DNS
    variable = re.fullmatch(r"\[?\$\{?(\w+)\}?\]?", host) or re.fullmatch(r"\$\{?(\w+)\}?", url)
    if variable and variable.group(1).lower() in _ADDRESS_VARIABLES:
        return None  # `proxy_pass $server_addr:53`: nginx fills in an address, nothing to look up
    values = assigned.get("$" + variable.group(1)) if variable else None
    if values:
        if None in values:
            return None  # made out of view (njs, Lua, a response header): it may well be an address
        for value in values:
            if "$" in value:  # from another variable: unknown
                return "" if not upstreams else None
            inner = _needs_dns(value, upstreams, {}, implicit, _scheme_of(url))  # a URL, or its host and port
            if inner:
                return inner
        return None
    return "" if not upstreams else None
