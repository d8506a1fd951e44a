"""Whether a repository builds its own nginx: then its nginx may hold modules and patches nginxlint does not know,
and "no module defines this directive" (NGX004) cannot be claimed; nor, for a config no container runs, where its
Lua's default search path looks (LUA205): the build's own prefix (`runs_own_build`).

The evidence, in the repository's scripts and documents: a `./configure` run with `--add-module=` or
`--add-dynamic-module=`, or a run of a well-known script that compiles nginx with extra modules and patches
(nginx-ee, nginx-autoinstall); in the configuration: a `load_module` of a module file that is neither nginx's own
nor one of the modules the directive table holds.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..repository import find_repository_root

_ADD_MODULE = re.compile(r"--add-(?:dynamic-)?module=")
# `configure` run by a path (./configure, ../nginx-1.27/configure) or by name: whatever precedes a `/` is part of
# the path, so only the character before the word matters (and reading no further back keeps the search linear).
_CONFIGURE = re.compile(r"(?:^|[\s;&|(/])configure\b")
# Scripts whose whole job is compiling nginx from source with third-party modules and patches.
_BUILD_SCRIPTS = re.compile(r"\bnginx-(?:ee|autoinstall)\b")

# Files where a build is written down: shell scripts, Makefiles, Dockerfiles, READMEs and other documents.
_SUFFIXES = (".sh", ".bash", ".md", ".rst", ".txt", ".adoc")
_NAMES = re.compile(r"^(?:Makefile|GNUmakefile|(?:Dockerfile|Containerfile)(?:[.\-_].+)?|.+\.dockerfile|"
                    r"README(?:\..+)?|INSTALL(?:\..+)?)$", re.I)
_LARGEST = 512 * 1024

# Module files nginx builds (`--with-…=dynamic`) and those of the modules the directive table holds.
KNOWN_MODULE_FILES = frozenset("""
    ngx_http_geoip_module ngx_stream_geoip_module ngx_http_image_filter_module ngx_http_xslt_filter_module
    ngx_http_perl_module ngx_mail_module ngx_stream_module ngx_http_js_module ngx_stream_js_module ngx_otel_module
    ndk_http_module ngx_http_auth_pam_module ngx_http_brotli_filter_module ngx_http_brotli_static_module
    ngx_http_cache_purge_module ngx_http_dav_ext_module ngx_http_echo_module ngx_http_fancyindex_module
    ngx_http_geoip2_module ngx_stream_geoip2_module ngx_http_headers_more_filter_module ngx_http_lua_module
    ngx_stream_lua_module ngx_http_memc_module ngx_http_modsecurity_module ngx_http_set_misc_module
    ngx_http_srcache_filter_module ngx_http_subs_filter_module ngx_http_uploadprogress_module
    ngx_http_upstream_fair_module ngx_nchan_module ngx_rtmp_module ngx_http_vhost_traffic_status_module
    ngx_http_naxsi_module ngx_http_opentracing_module ngx_pagespeed ngx_http_passenger_module
    ngx_http_zstd_filter_module ngx_http_zstd_static_module
""".split())


def unknown_loaded_module(tree) -> bool:
    """Whether the configuration loads a module file the directive table knows nothing of."""
    for node in tree.nodes("load_module"):
        if node.d.args and _module_name(node.d.args[0]) not in KNOWN_MODULE_FILES:
            return True
    return False


# A `load_module` line of a config file, for the repository-wide question below.
_LOAD_MODULE = re.compile(r"^[ \t]*load_module[ \t]+[\"']?([^\s;\"']+)", re.MULTILINE)


def repository_loads_unknown_module(loader, top: Path) -> bool:
    """Whether a config file under `top` loads a module file the directive table knows nothing of: a fragment of
    that repository may be written for it (`wallarm_mode` in a file its own directive includes); read once per run."""
    return loader.once("loads unknown module", top, lambda: any(_loads_unknown(path) for path in (
        directory / name for directory, name in loader.files_below(top) if name.endswith(".conf"))))


def _loads_unknown(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "load_module" in text and any(_module_name(module) not in KNOWN_MODULE_FILES
                                         for module in _LOAD_MODULE.findall(text))


def _module_name(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".so")


def builds_from_source(loader, top: Path) -> bool:
    """Whether a script or document under `top` compiles nginx with extra modules or patches; read once per run."""
    return loader.once("nginx source build", top,
                       lambda: any(_describes_build(path) for path in _candidates(loader, top)))


def runs_own_build(tree) -> bool:
    """A config no container runs, in a repository that builds or ships its own nginx: its modules, and the Lua
    it was built with (whose default search path names its own prefix), are out of view. Found once per tree (the
    Lua search asks it of every default location)."""
    if tree.binding is not None:
        return False
    if "own-build" not in tree.memo:
        tree.memo["own-build"] = _built_from_source(tree) or _ships_own_binary(tree)
    return tree.memo["own-build"]


def _ships_own_binary(tree) -> bool:
    """The repository holds an nginx binary beside the config's prefix (`sbin/nginx`, which the project's start
    script runs with `-p`): a build of its own, with modules nginxlint cannot see into."""
    return tree.prefix is not None and any((tree.prefix / "sbin" / name).is_file() for name in ("nginx", "openresty"))


def _built_from_source(tree) -> bool:
    """Whether the repository compiles its own nginx with modules or patches (see above)."""
    base = Path(os.path.abspath(tree.loader.base_dir))
    return builds_from_source(tree.loader, find_repository_root(base) or base)


def _candidates(loader, top: Path):
    for directory, name in loader.files_below(top):
        if name.endswith(_SUFFIXES) or _NAMES.match(name):
            yield directory / name


def _describes_build(path: Path) -> bool:
    try:
        if path.stat().st_size > _LARGEST:
            return False
        text = path.read_text("utf-8", "replace")
    except OSError:
        return False
    if _BUILD_SCRIPTS.search(text):
        return True
    return bool(_ADD_MODULE.search(text)) and bool(_CONFIGURE.search(text))
