"""`lua_package_path` / `lua_package_cpath` as lua-nginx-module builds them, and Lua's search through them.

ngx_lua (`ngx_http_lua_set_path`) turns `;;` into `;<default>;`, then replaces `$prefix` and `${prefix}` with the
server prefix. Lua splits the result at `;` (empty entries are skipped) and, for `require "a.b"`, tries each
template with `?` replaced by `a/b`; then the C loader tries the cpath, then the all-in-one loader the cpath with
the root name `a`. Relative entries are relative to the process's working directory (docs/openresty-facts.md, "lua_package_path").
"""
from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from ..nginx.templates import is_unknown

PREFIX_MARK = "\0prefix\0"
# OpenResty's LUA_DEFAULT_PATH (set at build time to absolute paths) followed by LuaJIT's compiled-in path.
DEFAULT_PATH = (
    "/usr/local/openresty/site/lualib/?.ljbc;/usr/local/openresty/site/lualib/?/init.ljbc;"
    "/usr/local/openresty/lualib/?.ljbc;/usr/local/openresty/lualib/?/init.ljbc;"
    "/usr/local/openresty/site/lualib/?.lua;/usr/local/openresty/site/lualib/?/init.lua;"
    "/usr/local/openresty/lualib/?.lua;/usr/local/openresty/lualib/?/init.lua;"
    "./?.lua;/usr/local/openresty/luajit/share/luajit-2.1/?.lua;/usr/local/share/lua/5.1/?.lua;"
    "/usr/local/share/lua/5.1/?/init.lua;/usr/local/openresty/luajit/share/lua/5.1/?.lua;"
    "/usr/local/openresty/luajit/share/lua/5.1/?/init.lua"
)
DEFAULT_CPATH = (
    "/usr/local/openresty/site/lualib/?.so;/usr/local/openresty/lualib/?.so;./?.so;/usr/local/lib/lua/5.1/?.so;"
    "/usr/local/openresty/luajit/lib/lua/5.1/?.so;/usr/local/lib/lua/5.1/loadall.so"
)
# Where resty.core and cjson live in an OpenResty image: a path without `;;` that names these keeps them.
LUALIB_DIRS = ("/usr/local/openresty/lualib/", "/usr/local/openresty/site/lualib/")
# nginx's prefix in an OpenResty installed with its default `--prefix=/usr/local/openresty`.
OPENRESTY_NGINX_PREFIX = "/usr/local/openresty/nginx"


@dataclass(frozen=True)
class Entry:
    """One template of a search path."""

    template: str  # as nginx will use it; `$prefix` is PREFIX_MARK until resolved
    written: str  # as written in the config (or the default), for messages
    default: bool  # came from `;;` or from no directive at all
    offset: int | None  # where `written` starts inside the directive's argument (None for defaults)

    @property
    def relative(self) -> bool:
        return not (self.template.startswith("/") or self.template.startswith(PREFIX_MARK))


def split_entries(value: str | None, defaults: str) -> list[Entry]:
    """The templates of a configured path (None: the defaults), in search order."""
    if value is None:
        return _defaults(defaults)
    entries: list[Entry] = []
    position = 0
    for index, part in enumerate(value.split(";")):
        offset = position
        position += len(part) + 1
        if part:
            template = part.replace("${prefix}", PREFIX_MARK).replace("$prefix", PREFIX_MARK)
            entries.append(Entry(template, part, False, offset))
        elif index > 0 and value[offset - 1 : offset + 1] == ";;" and not any(e.default for e in entries):
            entries.extend(_defaults(defaults))
    return entries


def _defaults(defaults: str) -> list[Entry]:
    return [Entry(part, part, True, None) for part in defaults.split(";") if part]


def in_directory(entries: list[Entry], start: str | None) -> list[Entry]:
    """The default relative entries (`./?.lua`, `./?.so`) made absolute in the directory nginx starts in, when it is
    known; Lua opens them relative to the process's working directory."""
    if start is None:
        return entries
    return [Entry(posixpath.normpath(posixpath.join(start, entry.template)), entry.written, True, None)
            if entry.default and entry.relative else entry for entry in entries]


def has_defaults(value: str) -> bool:
    return ";;" in value


def keeps_lualib(value: str, server_prefix: str | None = None) -> bool:
    """A path without `;;` still loads resty.core when it names OpenResty's lualib directory itself: the image's, or
    the `lualib` of an OpenResty built with another `--prefix` (`/opt/openresty/lualib/?.lua`), also from nginx's
    own prefix (`$prefix/../lualib/?.lua`): OpenResty installs nginx in `<its prefix>/nginx` and its Lua libraries in
    `<its prefix>/lualib`. `server_prefix`: nginx's `-p` when known, else OpenResty's own layout is assumed."""
    prefix = (server_prefix or OPENRESTY_NGINX_PREFIX).rstrip("/") + "/"
    for entry in split_entries(value, ""):
        path = posixpath.normpath(entry.template.replace(PREFIX_MARK, prefix))
        # the directory itself, where `resty/core.lua` is `resty.core`: not one below it (`lualib/prometheus/?.lua`)
        if path.split("?", 1)[0] in LUALIB_DIRS or _PREFIXED_LUALIB.fullmatch(path):
            return True
    return False


# `<prefix>/lualib/?.lua`, `<prefix>/lualib/?.so`: where `make install` puts OpenResty's Lua libraries.
_PREFIXED_LUALIB = re.compile(r"/[^;]*/lualib/\?\.(?:lua|so)")


def names_directory(template: str) -> bool:
    """A template without `?` that names a directory: it ends with `/`, or its last part has no extension."""
    last = template.rstrip("/").rsplit("/", 1)[-1]
    return template.endswith("/") or "." not in last.lstrip(".") or last in (".", "..")


MODULE_EXTENSIONS = (".lua", ".ljbc", ".luac", ".so")
# LuaJIT bytecode (`luajit -b x.lua x.ljbc`) and luac's output: a build or a start script makes them from the source
_BYTECODE_SUFFIXES = (".ljbc", ".luac")


def bytecode_source(path: Path, is_file) -> Path | None:
    """The `.lua` source beside a bytecode file the repository does not hold (`lua/init.ljbc` from `lua/init.lua`):
    the build compiles it, and its code is what runs. None for any other path."""
    if path.suffix in _BYTECODE_SUFFIXES:
        source = path.with_suffix(".lua")
        if is_file(source):
            return source
    return None


def lost_placeholder(template: str) -> str | None:
    """The file name of a template whose `?` was left out before its extension (`lua/.lua`), or None."""
    last = template.rsplit("/", 1)[-1]
    return last if last in MODULE_EXTENSIONS else None


def as_pattern(template: str) -> str:
    """The pattern a template naming one file meant: its file name's stem becomes `?` (`lua/util.lua` -> `lua/?.lua`;
    `init.lua` -> `?/init.lua`, where Lua finds a package's main file)."""
    directory, slash, name = template.rpartition("/")
    stem, dot, extension = name.partition(".")
    if stem == "init":
        return f"{directory}{slash}?/{name}"
    return f"{directory}{slash}?{dot}{extension}"


@dataclass(frozen=True)
class Tried:
    """One file a search looked for: as the target machine names it, and where it sits in the project."""

    shown: str
    local: Path | None
    default: bool = False  # from the default search path
    entry: Entry | None = None  # the template it was filled from (None for the project's extra directories)


# `{path}/lualib/?.lua`: a word in braces that an install script replaces with where it unpacked the project
_INSTALLER_WORD = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


@dataclass
class SearchPath:
    """The Lua and C search paths of one subsystem, with the project's extra directories (`lua.paths`)."""

    lua: list[Entry]
    c: list[Entry]
    extra_dirs: list[Path]

    def without_own_relative(self) -> "SearchPath":
        """The same search without the config's own relative entries: what is found wherever nginx starts."""
        return SearchPath([e for e in self.lua if e.default or not e.relative],
                          [e for e in self.c if e.default or not e.relative], self.extra_dirs)

    @property
    def unknown(self) -> bool:
        """Some entry is a template's masked value, or holds a word in braces an installer replaces
        (`{path}/lualib/?.lua`): a module not found may sit where it points."""
        return any(is_unknown(entry.template) or _INSTALLER_WORD.search(entry.template)
                   for entry in (*self.lua, *self.c))

    def roots(self, resolve) -> list[Path]:
        """The project directories the config's own Lua entries search below (`/etc/nginx/lua/?.lua` -> the
        directory mapped to /etc/nginx/lua), and the extra directories: every Lua file there is one a `require`
        may load."""
        found = list(self.extra_dirs)
        for entry in self.lua:
            if entry.default or "?" not in entry.template or is_unknown(entry.template):
                continue
            directory = entry.template.split("?", 1)[0]
            directory = directory if directory.endswith("/") else posixpath.dirname(directory)
            local = resolve(directory.rstrip("/") or "/")
            if local is not None and local.is_dir() and local not in found:
                found.append(local)
        return found

    def search(self, module: str, resolve, is_file=Path.is_file) -> tuple[Path | None, list[Tried]]:
        """The project file `require(module)` loads, or None, and every file looked for, like Lua lists them.

        `resolve(template_path)` maps a filled-in template to a project path (or None when it is outside);
        `is_file(path)` says whether it exists (files from a manifest exist only in the loader's view).
        """
        tried: list[Tried] = []
        name = module.replace(".", "/")
        searches = [(self.lua, name), (self.c, name)]
        if "/" in name:  # the all-in-one loader: the root name in the cpath
            searches.append((self.c, name.split("/", 1)[0]))
        for entries, key in searches:
            for entry in entries:
                filled = entry.template.replace("?", key)
                # a default relative entry (`./?.lua`) depends on a working directory nobody chose: not searched
                local = None if entry.default and entry.relative else resolve(filled)
                tried.append(Tried(filled, local, entry.default, entry))
                if local is not None and is_file(local):
                    return local, tried
                source = bytecode_source(local, is_file) if local is not None else None
                if source is not None:
                    return source, tried  # bytecode the build compiles from the source beside it
            if entries is self.lua:
                for directory in self.extra_dirs:
                    for pattern in ("?.lua", "?/init.lua"):
                        local = directory / pattern.replace("?", name)
                        tried.append(Tried(str(local), local))
                        if is_file(local):
                            return local, tried
        return None, tried


def resolver(prefix: Path, loader, conf_dir: Path):
    """How a filled-in template becomes a project path: `$prefix` and relative entries against the prefix
    (the working directory is usually the prefix; LUA207 warns when it is not guaranteed), absolute paths
    through the path map."""

    def resolve(path: str) -> Path | None:
        if path.startswith(PREFIX_MARK):
            return under_prefix(prefix, conf_dir, path[len(PREFIX_MARK):].lstrip("/"))
        if path.startswith("/"):
            return loader.map_path(os.path.normpath(path), conf_dir)
        return under_prefix(prefix, conf_dir, path)

    return resolve


def under_prefix(prefix: Path, conf_dir: Path, relative: str) -> Path:
    """A path relative to nginx's prefix. Where the repository has no `conf/` under the prefix nginxlint took, a
    path into `conf/` is taken into the main config's own directory: nginx's layout keeps the config in
    `$prefix/conf/`, and a build that copies the config's directory there (`cp -R src/* $PREFIX/conf/`) makes the
    two one. So it is where the `conf/` there lacks the file and the config's directory has it: a repository that
    is the conf directory, with fragments of its own in `conf/` (`include conf/http.conf;` reads them there)."""
    path = Path(os.path.normpath(prefix / relative))
    conf = prefix / "conf"
    if conf in path.parents and conf != conf_dir:
        in_config_dir = Path(os.path.normpath(conf_dir / path.relative_to(conf)))
        if not os.path.isdir(conf) or not os.path.isfile(path) and os.path.isfile(in_config_dir):
            return in_config_dir
    return path


def show(path: str) -> str:
    """A template path as a message shows it: `$prefix/` for the prefix."""
    if path.startswith(PREFIX_MARK):
        rest = path[len(PREFIX_MARK):]
        return "$prefix/" + rest.lstrip("/")
    return path
