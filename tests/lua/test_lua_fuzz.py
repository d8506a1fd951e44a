"""Random input never crashes or hangs the parser: only LuaSyntaxError may come out."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nginxlint.lua.facts import analyze_lua
from nginxlint.lua.lexer import KEYWORDS, OPERATORS
from nginxlint.lua.parser import LuaSyntaxError, parse

_PIECES = sorted(KEYWORDS) + sorted(OPERATORS) + [
    "x", "ngx", "shared", "require", "1", "0x1F", "1.5e3", "1LL", '"s"', "'q'", "[[long]]",
    "[==[", "]==]", "--", "--[[", "]]", "\n", " ", "\\", '"', "'", "~", "!", "@", "\t", "é",
    "3..", "0x", "\\z", "\\x4", "::", "goto", "...", "#!", "\r\n",
]


def _check(text: str) -> None:
    try:
        analyze_lua(text)
    except LuaSyntaxError as error:
        assert error.line >= 1 and error.column >= 1
        assert (error.end_line, error.end_column) >= (error.line, error.column)
        assert error.message


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map(" ".join))
def test_token_soup(text):
    _check(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
def test_glued_token_soup(text):
    _check(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text(text):
    _check(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["(", ")", "{", "}", "do", "end", "function()", "x", "-", "..", "[", "]"]),
                max_size=600).map(" ".join))
def test_deep_random_nesting(text):
    try:
        parse(text)
    except LuaSyntaxError:
        pass
