"""Patterns written for nginx's PCRE, sed or awk, compiled with Python's re."""
import warnings

from nginxlint.foreign_regex import compile_foreign


def test_a_pattern_python_warns_about_compiles_in_silence():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a FutureWarning ("Possible nested set") would fail the test
        pattern = compile_foreign(r"s/[[:space:]]*listen/")
    assert pattern is not None


def test_a_pattern_python_refuses_is_none():
    assert compile_foreign("(unclosed") is None
