"""Lua chunks against LuaJIT itself: `nginx -t` never compiles Lua, so a syntax error in `init_by_lua_block` only
shows when nginx starts. nginxlint's Lua parser must accept exactly what LuaJIT accepts and name the same line, in
the mode the LuaJIT at hand was built in (Debian's without Lua 5.2 compatibility, OpenResty's with it); through the
CLI, which reads Lua as OpenResty's LuaJIT does, LUA201 must appear exactly when LuaJIT rejects the block, on the
nginx line of LuaJIT's error, for every chunk the two modes agree on.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import config_strategies
from runner import assert_sane, lint, write

LUAJIT = shutil.which("luajit")
EXAMPLES = int(os.environ.get("NGINXLINT_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
CHECK = "local f, e = loadstring(io.read('*a'), '=x') if f then io.write('OK') else io.write(e) end"
CHUNKS = st.one_of(config_strategies.lua_chunk(), config_strategies.lua_token_soup())

pytestmark = pytest.mark.skipif(LUAJIT is None, reason="needs luajit (Debian package luajit2)")


def luajit_verdict(chunk: str) -> int | None:
    """None when LuaJIT compiles the chunk, else the line of its syntax error."""
    error = luajit_error(chunk)
    return None if error is None else error[0]


def luajit_error(chunk: str) -> tuple[int, str] | None:
    """None when LuaJIT compiles the chunk, else its error's line and message."""
    done = subprocess.run([LUAJIT, "-e", CHECK], input=chunk.encode("utf-8", "surrogateescape"),
                          capture_output=True, timeout=30)
    text = done.stdout.decode("utf-8", "replace")
    if text == "OK":
        return None
    match = re.match(r"x:(\d+): (.*)", text, re.S)
    assert match, f"unexpected LuaJIT output: {text!r} {done.stderr!r}"
    return int(match.group(1)), match.group(2)


@functools.cache
def luajit_is_lua52() -> bool:
    """Was this LuaJIT built with LUAJIT_ENABLE_LUA52COMPAT? Only then may a statement follow `break`."""
    return luajit_error("while true do break; x() end") is None


def nginxlint_verdict(chunk: str, lua52: bool | None = None) -> int | None:
    from nginxlint.lua.parser import LuaSyntaxError, parse

    try:
        parse(chunk, lua52=luajit_is_lua52() if lua52 is None else lua52)
    except LuaSyntaxError as error:
        return error.line
    return None


@FUZZ
@given(chunk=CHUNKS)
def test_lua_parser_agrees_with_luajit(chunk):
    expected, found = luajit_error(chunk), nginxlint_verdict(chunk)
    assert (found is None) == (expected is None), (chunk, expected, found)
    if expected is not None and expected[1].startswith("duplicate label"):
        return  # LuaJIT reports it at once, nginxlint after the parse (test_regressions.py): the line may differ
    assert found == (expected and expected[0]), (chunk, expected, found)


def _lua201_registered() -> bool:
    from nginxlint.checks.registry import load_rules

    return "LUA201" in load_rules()


@FUZZ
@given(chunk=CHUNKS)
def test_lua_syntax_error_in_init_block_is_lua201_on_luajits_line(tmp_path, chunk):
    if not _lua201_registered():
        pytest.skip("LUA201 is not implemented yet")
    if "}" in chunk or "{" in chunk:
        # keep nginx's block lexer out of it: braces are the differential test's business
        chunk = chunk.replace("{", "(").replace("}", ")")
    block = "\n" + chunk + "\n"  # the block's text starts right after "{" on line 3
    if not luajit_is_lua52() and nginxlint_verdict(block, lua52=True) != nginxlint_verdict(block, lua52=False):
        return  # OpenResty's LuaJIT reads this chunk otherwise than the one at hand: it cannot judge it
    write(tmp_path, {"nginx.conf": f"events {{}}\nhttp {{\n    init_by_lua_block {{\n{chunk}\n}}\n}}\n"})
    run = lint(tmp_path, "--isolated", "--select", "LUA201,NGX001")
    assert_sane(run)
    error = luajit_error(block)
    line = None if error is None else error[0]
    if run.by_code("NGX001"):  # an unclosed long bracket ends nginx's block lexer too; LuaJIT must agree
        assert line is not None, (chunk, run.findings)
        return
    found = [f["line"] for f in run.by_code("LUA201")]
    if error is not None and error[1].startswith("duplicate label"):
        assert len(found) == 1, (chunk, run.findings)  # the line may differ (test_regressions.py)
        return
    assert found == ([] if line is None else [3 + line - 1]), (chunk, run.findings)
