"""Differential test: our parser and a real LuaJIT agree on which snippets compile.

Runs the corpus plus mechanical mutations of it (truncation, deletion, insertion and swap of
tokens) through ``luajit`` (Debian: ``luajit`` or OpenResty's ``luajit2``); skipped when absent.
"""

from __future__ import annotations

import random

import pytest

from lua_corpus import INVALID, VALID
from luajit_oracle import luajit_path, luajit_results
from nginxlint.lua.lexer import tokenize
from nginxlint.lua.parser import LuaSyntaxError, parse

pytestmark = pytest.mark.skipif(luajit_path() is None, reason="luajit is not installed")

_INSERTS = ["end", "(", ")", "=", ",", "local", "function", "[[x]]", '"s"', "1", "..", "goto",
            "::", "x", "{", "}", "then", "do", "return", "break", ";", "...", "and", "not", "-"]


def _ours(source):
    try:
        parse(source)
    except LuaSyntaxError as error:
        return error.end_line, error.message
    return None, None


def _mutations(seed: int) -> list[str]:
    rng = random.Random(seed)
    snippets = []
    for program in VALID:
        if not program or program.startswith(("\ufeff", "#")):
            continue
        tokens = tokenize(program)[:-1]
        for i, tok in enumerate(tokens):
            start, end = tok[2], tok[3]
            snippets.append(program[:start])
            snippets.append(program[:start] + program[end:])
            snippets.append(program[:start] + rng.choice(_INSERTS) + " " + program[start:])
            if i + 1 < len(tokens):
                nxt = tokens[i + 1]
                snippets.append(program[:start] + program[nxt[2]:nxt[3]] + " " + program[start:end]
                                + program[nxt[3]:])
    return list(dict.fromkeys(snippets))


def test_corpus_matches_luajit_exactly():
    snippets = VALID + [source for source, _, _ in INVALID]
    expected = luajit_results(snippets)
    mismatches = [(s, want, _ours(s)) for s, want in zip(snippets, expected) if _ours(s) != want]
    assert mismatches == []


def test_mutations_agree_on_acceptance_and_error_line():
    snippets = _mutations(seed=1)
    assert len(snippets) > 2000
    expected = luajit_results(snippets)
    disagreements = []
    message_differences = 0
    for source, (line, message) in zip(snippets, expected):
        our_line, our_message = _ours(source)
        if (line is None) != (our_line is None) or line != our_line:
            disagreements.append((source, (line, message), (our_line, our_message)))
        elif message != our_message:
            message_differences += 1
    assert disagreements == []
    # Wording follows LuaJIT's recursive descent closely; a few corner cases differ.
    assert message_differences <= len(snippets) // 200
