"""CTR114 and CTR115 against real loaders: the sample's C modules are built from their sources (gcc, and musl-gcc
from Debian's musl-tools), loaded by Debian's LuaJIT (glibc) and by musl's own loader, and nginxlint's verdict on
the same files matches what the loaders say."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lintkit import ROOT, run_cli

SOURCES = ROOT / "tests" / "oracle" / "c_modules_src"
MUSL_LOADER = "/lib/ld-musl-x86_64.so.1"
# A musl program that dlopens a module; the Lua API calls the modules make are answered here (-rdynamic).
LOADER_C = r"""
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
const char *lua_pushlstring(void *L, const char *s, size_t len) { return s; }
void lua_pushcclosure(void *L, int (*fn)(void *), int n) {}
void lua_pushinteger(void *L, ptrdiff_t n) {}
int main(int argc, char **argv)
{
    if (!dlopen(argv[1], RTLD_NOW)) { printf("%s\n", dlerror()); return 1; }
    printf("loaded\n");
    return 0;
}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    missing = [tool for tool in ("gcc", "musl-gcc", "luajit") if shutil.which(tool) is None]
    if missing or not Path(MUSL_LOADER).exists():
        pytest.skip(f"needs gcc, musl-gcc (apt-get install musl-tools) and luajit; missing: {missing or MUSL_LOADER}")
    out = tmp_path_factory.mktemp("c-modules")
    subprocess.run(["sh", str(SOURCES / "build.sh"), str(out)], check=True)
    # The same greeting without _FORTIFY_SOURCE: plain snprintf, which musl has.
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-U_FORTIFY_SOURCE", "-nostartfiles", "-o",
                    str(out / "plain.so"), str(SOURCES / "greet.c")], check=True)
    # The greeting built with musl: it needs musl's libc.so and nothing else.
    subprocess.run(["musl-gcc", "-shared", "-fPIC", "-O2", "-nostartfiles", "-o", str(out / "musl-greet.so"),
                    str(SOURCES / "greet.c")], check=True)
    (out / "loader.c").write_text(LOADER_C)
    subprocess.run(["musl-gcc", "-rdynamic", "-o", str(out / "musl-loader"), str(out / "loader.c")], check=True)
    return out


def luajit(module: Path, name: str) -> str:
    script = f'package.cpath = "{module}"; local ok, m = pcall(require, "{name}"); ' \
             'print(ok and (type(m) == "function" and m() or tostring(m)) or m)'
    return subprocess.run(["luajit", "-e", script], capture_output=True, text=True, timeout=30).stdout


def musl(built: Path, module: Path) -> str:
    return subprocess.run([str(built / "musl-loader"), str(module)], capture_output=True, text=True,
                          timeout=30).stdout


def lint(tmp_path: Path, image: str, modules: dict[str, Path]) -> list[dict]:
    """nginxlint on a Compose project that mounts the modules on OpenResty's site lualib."""
    mounts = "".join(f"      - ./{name}:/usr/local/openresty/site/lualib/{name}:ro\n" for name in modules)
    (tmp_path / "compose.yaml").write_text(f"services:\n  openresty:\n    image: {image}\n    volumes:\n"
                                           f"      - ./nginx.conf:/usr/local/openresty/nginx/conf/nginx.conf:ro\n"
                                           f"{mounts}")
    (tmp_path / "nginx.conf").write_text("events {}\nhttp { server { listen 8080; location / { content_by_lua_block "
                                         "{ ngx.say(require('greet')()) } } } }\n")
    for name, path in modules.items():
        shutil.copy(path, tmp_path / name)
    result = run_cli([str(tmp_path), "--format", "json", "--base-dir", str(tmp_path), "--select", "CTR114,CTR115"],
                     cwd=tmp_path)
    assert result.status in (0, 1), result.err
    return result.json["findings"]


def test_glibc_modules_load_in_debian_luajit(built):
    assert luajit(built / "greet.so", "greet") == "hello from C\n"
    assert luajit(built / "plain.so", "greet") == "hello from C\n"


def test_musl_module_fails_in_debian_luajit_and_ctr114_says_so(built, tmp_path):
    said = luajit(built / "musl-greet.so", "greet")
    assert "error loading module 'greet'" in said and "libc.so" in said
    assert musl(built, built / "musl-greet.so") == "loaded\n"
    found = lint(tmp_path, "openresty/openresty:1.25.3.1-bookworm", {"greet.so": built / "musl-greet.so"})
    assert [f["code"] for f in found] == ["CTR114"] and "built against musl" in found[0]["message"]


def test_fortified_glibc_module_fails_under_musl_and_ctr114_says_so(built, tmp_path):
    assert "__snprintf_chk: symbol not found" in musl(built, built / "greet.so")
    found = lint(tmp_path, "openresty/openresty:1.25.3.1-alpine", {"greet.so": built / "greet.so"})
    assert [f["code"] for f in found] == ["CTR114"] and "__snprintf_chk" in found[0]["message"]


def test_plain_glibc_module_loads_under_musl_and_nothing_is_reported(built, tmp_path):
    assert musl(built, built / "plain.so") == "loaded\n"
    assert lint(tmp_path, "openresty/openresty:1.25.3.1-alpine", {"greet.so": built / "plain.so"}) == []


def test_missing_library_fails_under_musl_and_ctr115_says_so(built, tmp_path):
    listed = subprocess.run([MUSL_LOADER, "--list", str(built / "bindings.so")], capture_output=True, text=True,
                            timeout=30)
    assert "Error loading shared library libtolua++.so: No such file or directory" in listed.stdout + listed.stderr
    assert "Error loading shared library libtolua++.so" in musl(built, built / "bindings.so")
    found = lint(tmp_path, "openresty/openresty:1.25.3.1-alpine", {"bindings.so": built / "bindings.so"})
    assert [f["code"] for f in found] == ["CTR115"] and "libtolua++.so" in found[0]["message"]


def test_musl_symbols_are_what_the_glibc_only_list_says(built):
    """Every name the list calls glibc-only is absent from musl's libc, and the common ones musl has are not in it."""
    from elftools.elf.elffile import ELFFile

    from nginxlint.container.elf import _GLIBC_ONLY

    with open(MUSL_LOADER, "rb") as handle:
        exported = {symbol.name for symbol in ELFFile(handle).get_section_by_name(".dynsym").iter_symbols()
                    if symbol["st_shndx"] != "SHN_UNDEF"}
    assert not {name for name in exported if _GLIBC_ONLY.fullmatch(name)}
    assert {"__stack_chk_fail", "__libc_start_main", "memcpy", "snprintf"} <= exported


def test_module_for_another_cpu_is_refused_and_ctr116_says_so(built, tmp_path):
    """The mirror of an x86-64 module in an arm64 image, on this x86-64 machine: the greeting with AArch64 in its
    ELF header (e_machine, at byte 18) is refused by Debian's loader; CTR116 reports it where the container is
    said to run on amd64, and the real x86-64 one where it runs on arm64."""
    data = bytearray((built / "plain.so").read_bytes())
    data[18:20] = (183).to_bytes(2, "little")  # EM_AARCH64
    foreign = built / "aarch64.so"
    foreign.write_bytes(bytes(data))
    said = luajit(foreign, "greet")
    assert "error loading module 'greet'" in said and "cannot open shared object file" in said
    assert luajit(built / "plain.so", "greet") == "hello from C\n"

    def codes(platform: str, module: Path) -> list[str]:
        (tmp_path / "compose.yaml").unlink(missing_ok=True)
        found = lint(tmp_path, "openresty/openresty:1.25.3.1-bookworm", {"greet.so": module})
        compose = (tmp_path / "compose.yaml").read_text()
        (tmp_path / "compose.yaml").write_text(compose.replace("    volumes:", f"    platform: {platform}\n    volumes:"))
        result = run_cli([str(tmp_path), "--format", "json", "--base-dir", str(tmp_path), "--select", "CTR116"],
                         cwd=tmp_path)
        assert not found  # without a platform, nothing is said
        return [f["code"] for f in result.json["findings"]]

    assert codes("linux/amd64", foreign) == ["CTR116"]
    assert codes("linux/amd64", built / "plain.so") == []
    assert codes("linux/arm64", built / "plain.so") == ["CTR116"]
