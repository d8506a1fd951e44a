"""Differential test: our parser and a real LuaJIT agree on which snippets compile.

Runs the corpus plus mechanical mutations of it (truncation, deletion, insertion and swap of
tokens) through ``luajit`` (Debian: ``luajit`` or OpenResty's ``luajit2``); skipped when absent.
Our parser reads each snippet in the oracle's mode: Debian builds LuaJIT in plain Lua 5.1 mode, OpenResty
with LUAJIT_ENABLE_LUA52COMPAT (set NGINXLINT_LUAJIT to such a luajit to check the parser's default mode).
The same mutations of real code: the Lua that Debian installs with libnginx-mod-http-lua
(lua-resty-core, lua-resty-lrucache) and with LuaJIT (its jit.* modules).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from lua_corpus import INVALID, MODES, VALID
from luajit_oracle import luajit_is_lua52, luajit_path, luajit_results
from test_lua_fuzz import _PIECES as _FUZZ_PIECES
from nginxlint.lua.lexer import tokenize
from nginxlint.lua.parser import LuaSyntaxError, parse

pytestmark = pytest.mark.skipif(luajit_path() is None, reason="luajit is not installed")

_INSERTS = ["end", "(", ")", "=", ",", "local", "function", "[[x]]", '"s"', "1", "..", "goto",
            "::", "x", "{", "}", "then", "do", "return", "break", ";", "...", "and", "not", "-"]


def _ours(source):
    try:
        parse(source, lua52=luajit_is_lua52())
    except LuaSyntaxError as error:
        return error.end_line, _as_oracle_prints(error.message)
    return None, None


def _as_oracle_prints(message: str) -> str:
    """The oracle prints control and non-ASCII bytes of a message as '?'."""
    return "".join("?" if byte < 32 or byte >= 127 else chr(byte) for byte in message.encode())


def _mutants(text: str, tokens: list, i: int, rng: random.Random) -> list[str]:
    """Mutations at token ``i``: the text cut before it, without it, with a random token inserted before it, and
    with it swapped with the next token."""
    start, end = tokens[i][2], tokens[i][3]
    found = [text[:start], text[:start] + text[end:], text[:start] + rng.choice(_INSERTS) + " " + text[start:]]
    if i + 1 < len(tokens):
        nxt = tokens[i + 1]
        found.append(text[:start] + text[nxt[2]:nxt[3]] + " " + text[start:end] + text[nxt[3]:])
    return found


def _mutations(seed: int) -> list[str]:
    """Every mutation at every token of the valid corpus."""
    rng = random.Random(seed)
    snippets = []
    for program in VALID:
        if not program or program.startswith(("\ufeff", "#")):
            continue
        tokens = tokenize(program)[:-1]
        for i in range(len(tokens)):
            snippets += _mutants(program, tokens, i, rng)
    return list(dict.fromkeys(snippets))


def test_corpus_matches_luajit_exactly():
    snippets = VALID + [source for source, _, _ in INVALID]
    expected = luajit_results(snippets)
    mismatches = [(s, want, _ours(s)) for s, want in zip(snippets, expected) if _ours(s) != want]
    assert mismatches == []


def test_where_the_modes_part_matches_luajit():
    lua52 = luajit_is_lua52()
    snippets = [source for source, _, _ in MODES]
    expected = [(None, None) if outcome is None else (outcome[1], outcome[0])
                for outcome in (modes[2] if lua52 else modes[1] for modes in MODES)]
    assert luajit_results(snippets) == expected
    assert [_ours(source) for source in snippets] == expected


def _sampled_mutations(texts: list[str], rng: random.Random, per_text: int) -> list[str]:
    """The mutations at ``per_text`` random tokens of each text."""
    snippets = []
    for text in texts:
        tokens = tokenize(text)[:-1]
        for _ in range(per_text):
            snippets += _mutants(text, tokens, rng.randrange(len(tokens)), rng)
    return snippets


_INSTALLED_LUA = sorted([*Path("/usr/share/lua/5.1").rglob("*.lua"), *Path("/usr/share").glob("luajit-*/jit/*.lua")])


@pytest.mark.skipif(not _INSTALLED_LUA, reason="no Lua installed under /usr/share (libnginx-mod-http-lua, luajit2)")
def test_installed_lua_and_its_mutations_agree_with_luajit():
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in _INSTALLED_LUA]
    snippets = texts + _sampled_mutations(texts, random.Random(7), per_text=10)
    expected = luajit_results(snippets)
    assert sum(line is not None for line, _ in expected) > len(snippets) // 2  # most mutations are errors
    disagreements = [(source, want, _ours(source)) for source, want in zip(snippets, expected)
                     if _ours(source) != want]
    assert disagreements == []


# Token soup: the pieces of the fuzz test plus escapes and number forms (not lone CRs: nginxlint reads files with
# their line ends made '\n'; not \ddd escapes >= 128, whose byte the oracle and a Python message spell differently).
_SOUP = [*_FUZZ_PIECES, "\\a", "\\0", "\\u{41}", "\\u{110000}", "\\x41", "\\\n", "\\\r\n", "[=[", "]=]",
         "0x1p4", "1e", ".5", "5.", "0b101"]


def test_token_soup_gets_luajits_exact_verdict_line_and_message():
    rng = random.Random(11)
    snippets = [rng.choice((" ", "")).join(rng.choice(_SOUP) for _ in range(rng.randrange(1, 30)))
                for _ in range(4000)]
    snippets = [s for s in snippets if "\r" not in s.replace("\r\n", "")]
    expected = luajit_results(snippets)
    assert sum(line is None for line, _ in expected) > 50  # some soups are valid Lua
    disagreements = [(source, want, _ours(source)) for source, want in zip(snippets, expected)
                     if _ours(source) != want]
    assert disagreements == []


def test_mutations_agree_on_acceptance_and_error_line():
    snippets = _mutations(seed=1)
    assert len(snippets) > 2000
    expected = luajit_results(snippets)
    disagreements = [(source, want, _ours(source)) for source, want in zip(snippets, expected)
                     if _ours(source) != want]
    assert disagreements == []


@pytest.mark.parametrize("prefix, opening, closing, inner", [
    ("", "local f = function() ", " end", "x = 1"),
    ("", "f(function() ", " end)", "x = 1"),
    ("", "x = {function() ", " end}", "x = 1"),
    ("", "if a then ", " end", "x = 1"),
    ("", "repeat ", " until x", "x = 1"),
    ("x = ", "{", "}", "1"),
    ("x = ", "(", ")", "1"),
    ("x = ", "- ", "", "1"),
    ("x = ", "1 .. ", "", "1"),
    ("x = ", "2 ^ ", "", "1"),
    ("x = ", "a.b[", "]", "1"),
])
def test_syntax_levels_match_luajit(prefix, opening, closing, inner):
    """Around LuaJIT's cap of 200 syntax levels, the same nesting depths are accepted and rejected.
    (Nested calls f(f(...)) reach LuaJIT's 250-register limit first: register limits are a known gap.)"""
    depths = range(40, 210)
    snippets = [prefix + opening * depth + inner + closing * depth for depth in depths]
    expected = luajit_results(snippets)
    assert any(line is None for line, _ in expected) and any(line is not None for line, _ in expected)
    assert [(depth, _ours(source)) for depth, source in zip(depths, snippets)] == list(zip(depths, expected))


def test_label_runs_nest_like_luajit():
    """Each label right after another is one syntax level deeper in LuaJIT's parser."""
    depths = range(150, 210)
    snippets = [" ".join(f"::a{i}::" for i in range(depth)) for depth in depths]
    expected = luajit_results(snippets)
    assert any(line is not None for line, _ in expected)
    assert [_ours(source) for source in snippets] == expected
    # With ';' between them: a run of labels in LJ_52, separate statements in Lua 5.1 mode
    snippets = [" ; ".join(f"::a{i}::" for i in range(depth)) for depth in depths]
    assert [_ours(source) for source in snippets] == luajit_results(snippets)


def _locals(count: int, prefix: str = "v") -> str:
    return "".join(f"local {prefix}{i} = {i}\n" for i in range(count))


def _limit_cases() -> list[str]:
    """Chunks around LuaJIT's limits: 200 locals active in one function, 120 upvalues (OpenResty's luajit2)."""
    cases = []
    for n in (198, 199, 200, 201):
        cases += [
            _locals(n),  # the main function
            "local function f()\n" + _locals(n) + "end\n",  # a function named by its line
            "do\n" + _locals(150) + "end\n" + _locals(n - 100),  # locals out of scope no longer count
            _locals(n - 4) + "for i = 1, 2 do end\n",  # the loop's three hidden control variables count
            _locals(n - 5) + "for k, v in pairs(t) do end\n",
            _locals(n - 3) + "local a, b, c, d = 1\n",  # each name of one declaration is checked
            "local function f(" + ", ".join(f"p{i}" for i in range(n)) + ") end\n",  # parameters
            "function t:m(" + ", ".join(f"p{i}" for i in range(n - 1)) + ") end\n",  # and self
            _locals(n - 1) + "repeat local r = 1 until r\n",
            _locals(n - 1) + "local function g() end\n",
        ]
    for n in (119, 120, 121):
        outer = _locals(n, "u")
        uses = "".join(f"  x = u{i}\n" for i in range(n))
        cases += [
            outer + "local function f()\n" + uses + "end\n",
            outer + "local function f()\n" + uses + uses + "end\n",  # one upvalue per local, however often read
            outer + "f = function()\n  return function()\n" + uses + "  end\nend\n",  # the middle function too
            outer + "local function f()\n  local u0 = 1\n" + uses + "end\n",  # a local of its own is no upvalue
            outer + "function t.f()\n" + uses.replace("x = ", "x = ") + "end\n",
        ]
    return cases


def test_local_and_upvalue_limits_match_luajit():
    cases = _limit_cases()
    expected = luajit_results(cases)
    assert any(line is None for line, _ in expected)
    assert any(message and "local variables" in message for _, message in expected)
    assert any(message and "upvalues" in message for _, message in expected)
    assert [_ours(case) for case in cases] == expected
