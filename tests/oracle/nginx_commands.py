"""The directives an nginx binary or dynamic module defines, read from its command tables (`ngx_command_t`).

Each `ngx_module_t` (a dynamic symbol) points at a `{name, type, set, conf, offset, post}` array ending with an empty
name; `type` holds the argument and context bits `ngx_conf_handler` checks. The pointers are resolved through the
file's dynamic relocations (a PIE or a shared object stores them as relocations, not as values). x86-64 and
aarch64 ELF files with 64-bit pointers.

These tables say which directives exist and which contexts to probe; what nginx accepts is asked of nginx itself.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

# ngx_module_t: ctx_index, index, name, spare0, spare1, version, signature, ctx, commands, type (8 bytes each)
_COMMANDS_AT, _TYPE_AT = 64, 72
_COMMAND_SIZE = 56  # ngx_command_t: ngx_str_t name (len, data), type, set, conf, offset, post
_RELATIVE = {"EM_X86_64": 8, "EM_AARCH64": 1027}  # R_*_RELATIVE
_ABSOLUTE = {"EM_X86_64": (1, 6), "EM_AARCH64": (257, 1025)}  # R_*_64 / ABS64, GLOB_DAT

# ngx_module_t.type, as nginx spells the four bytes
MODULE_TYPES = {0x45524F43: "CORE", 0x464E4F43: "CONF", 0x544E5645: "EVENT", 0x50545448: "HTTP",
                0x4D525453: "STREAM", 0x4C49414D: "MAIL"}


@dataclass(frozen=True)
class Command:
    module: str  # e.g. ngx_http_core_module
    module_type: str  # CORE, CONF, EVENT, HTTP, STREAM, MAIL, or the hex of another (RTMP's own)
    name: str
    type: int  # NGX_CONF_* and context bits, as nginx defines them


def read_commands(path: Path) -> list[Command]:
    """Every command of every module defined in the ELF file at `path`, in module order."""
    from elftools.elf.elffile import ELFFile
    from elftools.elf.relocation import RelocationSection

    with open(path, "rb") as handle:
        elf = ELFFile(handle)
        machine = elf["e_machine"]
        relocated: dict[int, int] = {}
        for section in elf.iter_sections():
            if not isinstance(section, RelocationSection) or not section.is_RELA():
                continue
            symbols = elf.get_section(section["sh_link"]) if section["sh_link"] else None
            for reloc in section.iter_relocations():
                kind = reloc["r_info_type"]
                if kind == _RELATIVE.get(machine):
                    relocated[reloc["r_offset"]] = reloc["r_addend"]
                elif kind in _ABSOLUTE.get(machine, ()) and symbols is not None:
                    symbol = symbols.get_symbol(reloc["r_info_sym"])
                    if symbol["st_value"]:
                        relocated[reloc["r_offset"]] = symbol["st_value"] + reloc["r_addend"]
        segments = [(s["p_vaddr"], s["p_filesz"], s["p_offset"]) for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]

        def read(address: int, size: int) -> bytes:
            for start, length, offset in segments:
                if start <= address < start + length:
                    handle.seek(offset + address - start)
                    return handle.read(size)
            return b"\0" * size

        def word(address: int) -> int:
            return struct.unpack("<Q", read(address, 8))[0]

        def pointer(address: int) -> int:
            return relocated.get(address, word(address))

        modules = {}
        for symbol in elf.get_section_by_name(".dynsym").iter_symbols():
            if symbol.name.endswith("_module") and symbol["st_shndx"] != "SHN_UNDEF" and symbol["st_size"] >= 80:
                modules[symbol["st_value"]] = symbol.name
        commands = []
        for address, module in sorted(modules.items()):
            module_type = word(address + _TYPE_AT)
            kind = MODULE_TYPES.get(module_type, hex(module_type))
            entry = pointer(address + _COMMANDS_AT)
            while entry:
                length = word(entry)
                if not length:
                    break
                name = read(pointer(entry + 8), length).decode("ascii")
                commands.append(Command(module, kind, name, word(entry + 16)))
                entry += _COMMAND_SIZE
        return commands


def needed_modules(path: Path, others: list[Path]) -> list[Path]:
    """The modules among `others` that define symbols `path` uses (to be loaded before it)."""
    from elftools.elf.elffile import ELFFile

    def symbols(file: Path, defined: bool) -> set[str]:
        with open(file, "rb") as handle:
            table = ELFFile(handle).get_section_by_name(".dynsym")
            return {s.name for s in table.iter_symbols() if s.name and (s["st_shndx"] != "SHN_UNDEF") == defined}

    wanted = symbols(path, defined=False)
    return [other for other in others if other != path and wanted & symbols(other, defined=True)]
