"""Crashes and slowdowns the fuzzers found, one input each. Strict xfails name a reported, unfixed product bug:
the fix turns them red, and then the mark goes."""
from __future__ import annotations

import os
import time

import pytest

from runner import assert_sane, lint, write


def test_sarif_with_a_file_name_that_is_not_utf8(tmp_path):
    write(tmp_path, {"nginx.conf": "events {}\nhttp {\n    include conf.d/*;\n}\n"})
    (tmp_path / "conf.d").mkdir()
    with open(os.fsencode(str(tmp_path / "conf.d")) + b"/\x80.conf", "wb") as handle:
        handle.write(b"server { listen 8080; frobnicate; }\n")
    run = lint(tmp_path, "--isolated", fmt="sarif")
    assert run.crash is None, run.crash
    assert run.status == 1
    assert "%80.conf" in run.out  # the raw byte, percent-encoded in the artifact URI


def test_json_with_a_file_name_that_is_not_utf8(tmp_path):
    write(tmp_path, {"nginx.conf": "events {}\nhttp {\n    include conf.d/*;\n}\n"})
    (tmp_path / "conf.d").mkdir()
    with open(os.fsencode(str(tmp_path / "conf.d")) + b"/\x80.conf", "wb") as handle:
        handle.write(b"server { listen 8080; frobnicate; }\n")
    run = lint(tmp_path, "--isolated")
    assert_sane(run)
    [finding] = [f for f in run.findings if f["code"].startswith("NGX")]
    assert finding["code"] == "NGX004" and finding["path"] in ("conf.d/\ufffd.conf", "conf.d/\\x80.conf")


def test_settings_file_that_is_not_utf8(tmp_path):
    write(tmp_path, {"nginx.conf": "events {}\nhttp {}\n", ".nginxlint.yaml": b"select: [ALL] # \x80\xff\n"})
    run = lint(tmp_path)
    assert run.crash is None, run.crash
    assert run.status == 2 and run.err.startswith("nginxlint: error:") and ".nginxlint.yaml" in run.err


def test_manifest_of_percent_lines_completes(tmp_path):
    write(tmp_path, {"nginx.conf": "events {}\nhttp {}\n",
                     "deploy.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: a\n" + "%\n" * 24_000 + "x: [\n"})
    start = time.perf_counter()
    run = lint(tmp_path, "--isolated")
    assert_sane(run)
    assert time.perf_counter() - start < 5  # linear: well under a second; quadratic: 10 s or more


def test_duplicate_label_before_a_later_syntax_error():
    """LuaJIT reports a duplicate label at once, before a syntax error further on."""
    from nginxlint.lua.parser import LuaSyntaxError, parse

    with pytest.raises(LuaSyntaxError) as caught:
        parse("if a then\ngoto done ::done::\ngoto done ::done::\nlocal a = 1")
    assert (caught.value.line, caught.value.message) == (3, "duplicate label 'done'")
