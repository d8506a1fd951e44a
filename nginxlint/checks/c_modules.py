"""CTR114, CTR115, CTR116: Lua C modules (`.so` files) the container's loader cannot load.

The modules are the repository's shared objects that the image (or a mount) puts on the C search path
(container/c_modules.py); each is read as ELF (container/elf.py) and compared with the image: its C library
(the base image says: Alpine tags are musl), the libraries the image holds and the platform it is built for.
"""
from __future__ import annotations

import posixpath

from ..findings import Location, Span
from .registry import rule

_LIBC_FAMILY = ("c", "m", "dl", "pthread", "rt", "util", "xnet", "resolv", "crypt")
_GLIBC_COMPAT = ("gcompat", "libc6-compat")  # Alpine packages that give glibc's loader and libc.so.6
# Platform architectures (`linux/arm64/v8`, `linux/amd64`) as elf.MACHINES names them.
_ARCHITECTURES = {"amd64": "amd64", "x86_64": "amd64", "arm64": "arm64", "aarch64": "arm64", "arm": "arm",
                  "386": "386", "i386": "386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}


def _templates(tree, files) -> list[str]:
    """The C search path of the http subsystem as absolute image paths (relative entries left out)."""
    from ..openresty import package_path as pp  # the Lua analysis, only when a config runs Lua

    node = next((n for n in tree.nodes("lua_package_cpath") if n.ctx == ("http",) and n.args), None)
    defaults = files.lua_cpath or (pp.DEFAULT_CPATH if files.base.flavour == "openresty" else "")
    prefix = tree.binding.server_prefix() or ""
    entries = pp.split_entries(node.args[0] if node is not None else None, defaults)
    return [entry.template.replace(pp.PREFIX_MARK, prefix.rstrip("/") + "/") for entry in entries]


def _module_name(module, templates) -> str:
    for template in templates:
        directory, _slash, last = template.rpartition("/")
        suffix = last[1:]
        if module.image_path.startswith(directory + "/") and module.image_path.endswith(suffix):
            return module.image_path[len(directory) + 1:len(module.image_path) - len(suffix)].replace("/", ".")
    return posixpath.basename(module.image_path).split(".", 1)[0]


def _place(tree, module) -> tuple[str, Span] | None:
    """The instruction or mount that puts the module in the container: the line the user changes."""
    layer = module.layer
    if layer is None or layer.line is None or layer.origin is None:
        return None
    source = tree.loader.read(layer.origin)
    if isinstance(source, str):
        return None
    lines = source.text.split("\n")
    if not 0 < layer.line <= len(lines):
        return None
    text = lines[layer.line - 1].split(" #", 1)[0].rstrip()  # a YAML comment is not part of the mount
    start = len(text) - len(text.lstrip(" -"))  # a YAML list item starts after its dash
    return tree.loader.display(layer.origin), Span(layer.line, start + 1, layer.line, len(text) + 1)


def _base_location(files, tree) -> list[Location]:
    image = files.image
    if image is None or image.final is None:
        binding = tree.binding
        location = binding.location(binding.container.image_span, f"the image {binding.container.image}")
        return [location] if location is not None else []
    stage = image.final
    while stage.parent is not None:
        stage = stage.parent
    return [Location(tree.loader.display(image.dockerfile), Span(stage.line, 1, stage.line, 5),
                     f"the base image {image.base.reference}")]


def _installed(files) -> set[str]:
    return {package for _manager, package, _line in (files.image.packages if files.image is not None else ())}


def _platform(tree, files):
    """(architecture, Location) of the platform the container runs on, when the manifest or Dockerfile says."""
    binding = tree.binding
    value = binding.container.platform
    if value is not None and isinstance(value.value, str):
        text, location = value.value, binding.value_location(value, "platform")
    elif files.image is not None and files.image.platform:
        text, location = files.image.platform, (_base_location(files, tree) or [None])[0]
    else:
        return None
    parts = text.lower().split("/")
    architecture = _ARCHITECTURES.get(parts[1] if len(parts) > 1 else parts[0])
    return (architecture, location) if architecture else None


@rule("CTR114", "CTR115", "CTR116", needs="container")
def check_c_modules(tree, report):
    """CTR114 (a C module built for another C library than the image's), CTR115 (a library a C module needs
    that nothing puts in the image) and CTR116 (a C module built for another CPU than the image's platform), in
    one read of the modules."""
    if not tree.is_main:
        return
    from ..openresty.units import lua_directives  # the Lua analysis, only when a config runs Lua

    if not lua_directives(tree):
        return
    from ..container.c_modules import c_modules
    from ..container.elf import read_shared_object
    from ..container.view import container_files

    files = container_files(tree)
    if files is None:
        return
    templates = _templates(tree, files)
    modules = c_modules(files, templates)
    if not modules:
        return
    installed = _installed(files)
    libc = files.base.libc
    platform = _platform(tree, files)
    for module in modules:
        shared = read_shared_object(module.local)
        place = _place(tree, module)
        if shared is None or place is None:
            continue
        name = _module_name(module, templates)
        shown = tree.loader.display(module.local)
        if platform is not None and shared.machine != platform[0]:
            report.at(*place, f"{shown} (what `require \"{name}\"` loads, at {module.image_path}) is built for "
                      f"{shared.machine} and the container runs on {platform[0]}: glibc's loader refuses it "
                      f"(\"cannot open shared object file\"), and code for another CPU cannot run under musl "
                      f"either; build it for {platform[0]}", code="CTR116",
                      related=[platform[1]] if platform[1] is not None else [])
            continue
        mismatch = _libc_mismatch(shared, libc, installed)
        if mismatch is not None:
            report.at(*place, f"{shown} (what `require \"{name}\"` loads, at {module.image_path}) {mismatch}",
                      code="CTR114", related=_base_location(files, tree))
            continue
        missing = _missing_library(shared, module, files, installed)
        if missing is not None:
            report.at(*place, f"{shown} (what `require \"{name}\"` loads, at {module.image_path}) needs {missing}, "
                      f"which nothing puts in the image (not the repository, no installed package, not the base "
                      f"image {files.base.reference}): `require \"{name}\"` fails with \"Error loading shared "
                      f"library {missing}: No such file or directory\"; copy the library into /usr/local/lib or "
                      "install the package that has it", code="CTR115", related=_base_location(files, tree))


def _libc_mismatch(shared, libc: str | None, installed: set[str]) -> str | None:
    """Why the image's loader refuses a module built for the other C library, or None."""
    if libc == "musl" and shared.libc == "glibc" and not installed & set(_GLIBC_COMPAT):
        fails = shared.fails_under_musl()
        if fails is None:
            return None  # musl answers for libc.so.6 and ignores symbol versions: such a module loads
        reason, error = fails
        return (f"is built against glibc and {reason}: the image is Alpine (musl), whose loader stops with "
                f'"{error}"; rebuild it against musl (in an Alpine build stage) or use a glibc-based image')
    if libc == "glibc" and shared.libc == "musl" and "musl" not in installed:
        needed = next(n for n in shared.needed if "libc" in n or "musl" in n)
        return (f"is built against musl (it needs {needed}), and the image runs glibc, whose loader cannot load "
                f"musl's C library: `require` fails with \"{needed}: invalid ELF header\" or \"cannot open shared "
                "object file\"; rebuild it against glibc or use an Alpine image")
    return None


def _missing_library(shared, module, files, installed: set[str]) -> str | None:
    """The first library the module needs that neither the image's layers nor its base image hold, or None."""
    from ..container.base_images import library_stem
    from ..container.c_modules import find_library, library_search_dirs
    from ..container.filesystem import ABSENT
    from ..container.elf import GLIBC_LOADER

    known = files.base.libraries
    if known is None or installed:
        return None  # a base image whose libraries are not listed, or packages whose dependencies are not known
    dirs = library_search_dirs(module, shared, files.env)
    for name in shared.needed:
        stem = library_stem(name)
        if stem in _LIBC_FAMILY or stem.startswith(("c.musl-", "ld-musl-")) or GLIBC_LOADER.fullmatch(name):
            continue  # the C library itself: CTR114's matter
        if find_library(files.fs, name, dirs) is ABSENT and stem not in known:
            return name
    return None
