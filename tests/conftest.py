"""Fixtures for every test: a private analysis cache, and `lint` to run the CLI on a tree of files."""
from __future__ import annotations

import pytest

from lintkit import run_cli, write_tree


@pytest.fixture
def lint(tmp_path):
    """lint(files, *args) writes the tree and runs the CLI on it with --format json, isolated from settings."""

    def run(files: dict[str, str], *args: str, target: str = "."):
        write_tree(tmp_path, files)
        return run_cli([target, "--format", "json", "--base-dir", str(tmp_path), *args], cwd=tmp_path)

    return run


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Tests never read or write the user's analysis cache."""
    import os

    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old
