"""What a shared object (a Lua C module, a library it needs) asks of the system that loads it, read with pyelftools:
its machine, the libraries it needs (`DT_NEEDED`), where it looks for them (`DT_RPATH`, `DT_RUNPATH`), the C library
it was built against and the symbols it takes from it.

The libc is told by the needed names: glibc's `libc.so.6` (with `GLIBC_2.x` symbol versions), musl's `libc.so`
(Debian's musl-gcc) or `libc.musl-<arch>.so.1` (Alpine). musl's loader answers for `libc.so.6`, `libm.so.6`,
`libpthread.so.0`… itself and ignores symbol versions, so a glibc module loads under musl unless it needs a symbol
only glibc defines (`glibc_only`) or glibc's own loader (`ld-linux-*.so.*`). A musl module never loads under glibc:
there `libc.so` is a linker script or missing.
"""
from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

# e_machine values as pyelftools names them -> the names image platforms use.
MACHINES = {"EM_X86_64": "amd64", "EM_AARCH64": "arm64", "EM_ARM": "arm", "EM_386": "386", "EM_PPC64": "ppc64le",
            "EM_S390": "s390x", "EM_RISCV": "riscv64"}
# Symbols glibc defines and musl does not (checked against musl 1.2.3's libc.so in the tests): the fortified
# `__*_chk` functions of _FORTIFY_SOURCE (musl keeps only `__stack_chk_fail`), C23's `__isoc23_*` conversions,
# glibc's own `gnu_get_libc_*` and most `__libc_*` internals.
_GLIBC_ONLY = re.compile(r"__(?!stack_chk_).+_chk|__isoc23_.+|gnu_get_libc_.+|"
                         r"__libc_(?!start_main$|current_sigrtmax$|current_sigrtmin$).+")
_MUSL_LIBC = re.compile(r"libc\.so|libc\.musl-[\w-]+\.so\.1|ld-musl-[\w-]+\.so\.1")
GLIBC_LOADER = re.compile(r"ld-linux[\w.-]*\.so\.\d+")


@dataclass(frozen=True)
class SharedObject:
    """The facts of one ELF shared object that decide whether a loader can load it."""

    machine: str  # "amd64", "arm64", … or the raw e_machine name
    needed: tuple[str, ...]
    rpath: tuple[str, ...]
    runpath: tuple[str, ...]
    soname: str | None
    glibc_versions: tuple[str, ...]  # GLIBC_2.x versions it needs, oldest first
    glibc_only: tuple[str, ...]  # undefined (non-weak) symbols that only glibc defines

    @property
    def libc(self) -> str | None:
        """"glibc", "musl", or None when it needs no C library by name."""
        if self.glibc_versions or "libc.so.6" in self.needed:
            return "glibc"
        if any(_MUSL_LIBC.fullmatch(name) for name in self.needed):
            return "musl"
        return None

    def fails_under_musl(self) -> tuple[str, str] | None:
        """(why, musl's error) when musl's loader refuses this glibc-built object, or None."""
        loader = next((name for name in self.needed if GLIBC_LOADER.fullmatch(name)), None)
        if loader is not None:
            return f"needs glibc's loader {loader}", f"Error loading shared library {loader}: No such file or directory"
        if self.glibc_only:
            symbol = self.glibc_only[0]
            return f"needs {symbol}, which only glibc defines", f"Error relocating …: {symbol}: symbol not found"
        return None


def read_shared_object(path: Path) -> SharedObject | None:
    """The facts of an ELF shared object, or None when the file is not one (or cannot be read)."""
    from elftools.common.exceptions import ELFError  # pyelftools, only for a deployment that loads a C module
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection

    try:
        with open(path, "rb") as handle:
            elf = ELFFile(handle)
            if elf["e_type"] != "ET_DYN":
                return None
            needed: list[str] = []
            rpath: list[str] = []
            runpath: list[str] = []
            soname = None
            versions: set[str] = set()
            glibc_only: list[str] = []
            for section in elf.iter_sections():
                if isinstance(section, DynamicSection):
                    for tag in section.iter_tags():
                        if tag.entry.d_tag == "DT_NEEDED":
                            needed.append(tag.needed)
                        elif tag.entry.d_tag == "DT_RPATH":
                            rpath.extend(part for part in tag.rpath.split(":") if part)
                        elif tag.entry.d_tag == "DT_RUNPATH":
                            runpath.extend(part for part in tag.runpath.split(":") if part)
                        elif tag.entry.d_tag == "DT_SONAME":
                            soname = tag.soname
                elif isinstance(section, GNUVerNeedSection):
                    for _library, auxiliaries in section.iter_versions():
                        versions.update(aux.name for aux in auxiliaries if aux.name.startswith("GLIBC_"))
            symbols = elf.get_section_by_name(".dynsym")
            if symbols is not None:
                for symbol in symbols.iter_symbols():
                    if symbol["st_shndx"] == "SHN_UNDEF" and symbol["st_info"]["bind"] == "STB_GLOBAL" \
                            and _GLIBC_ONLY.fullmatch(symbol.name):
                        glibc_only.append(symbol.name)
            machine = elf["e_machine"]
    except (ELFError, OSError, ValueError, KeyError, AttributeError, IndexError, TypeError, struct.error):
        return None  # a truncated or odd file: nothing known, nothing said
    return SharedObject(MACHINES.get(machine, machine), tuple(needed), tuple(rpath), tuple(runpath), soname,
                        tuple(sorted(versions, key=_version_key)), tuple(glibc_only))


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))
