"""The examples in the docstrings of the regex and variable modules run and print what they show."""
from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", [
    "nginxlint.regex", "nginxlint.regex.errors", "nginxlint.regex.sites", "nginxlint.regex.redos", "nginxlint.regex.facts", "nginxlint.regex.origins",
    "nginxlint.nginx.wordmap", "nginxlint.nginx.variables",
])
def test_examples(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
