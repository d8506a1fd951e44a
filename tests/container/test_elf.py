"""container/elf.py on the sample's committed modules, and on files that are not whole shared objects."""
from __future__ import annotations

import pytest

from lintkit import ROOT
from nginxlint.container.elf import read_shared_object

LIB = ROOT / "samples" / "openresty-c-modules" / "lib"


def test_a_fortified_glibc_module():
    shared = read_shared_object(LIB / "greet.so")
    assert shared.machine == "amd64" and shared.needed == ("libc.so.6",) and shared.libc == "glibc"
    assert shared.glibc_versions == ("GLIBC_2.3.4",) and shared.glibc_only == ("__snprintf_chk",)
    assert shared.fails_under_musl()[1] == "Error relocating …: __snprintf_chk: symbol not found"


def test_a_musl_module_that_needs_another_library():
    shared = read_shared_object(LIB / "bindings.so")
    assert shared.needed == ("libtolua++.so", "libc.so") and shared.libc == "musl"
    assert shared.rpath == shared.runpath == () and shared.fails_under_musl() is None


@pytest.mark.parametrize("size", [0, 4, 64, 100, 3000])
def test_truncated_files_are_not_read(tmp_path, size):
    path = tmp_path / "cut.so"
    path.write_bytes((LIB / "greet.so").read_bytes()[:size])
    assert read_shared_object(path) is None


def test_text_is_not_a_shared_object(tmp_path):
    (tmp_path / "x.so").write_text("INPUT(libc.so.6)\n")
    assert read_shared_object(tmp_path / "x.so") is None
