"""The parse tables are built once, cached on disk, and importing the parser stays cheap."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_PROBE = (
    "import sys\n"
    "from nginxlint.lua.parser import parse\n"
    "assert 'lark' not in sys.modules, 'importing the parser must not import lark'\n"
    "parse('local x = ngx.shared.d')\n"
    "print('built' if 'lark' in sys.modules else 'cached')\n"
)


def _run(cache_home) -> str:
    """Parse in a fresh interpreter whose user cache directory (XDG_CACHE_HOME) is `cache_home`."""
    env = {key: value for key, value in os.environ.items() if key != "NGINXLINT_CACHE_DIR"}
    env.update(XDG_CACHE_HOME=str(cache_home), PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _tables(cache_home: Path) -> list[Path]:
    from nginxlint import __version__

    # the directory of nginxlint.cache.default_directory(), where the analysis cache lives too
    return list((cache_home / "nginxlint" / __version__).glob("lua-tables-*.marshal"))


def test_tables_are_built_once_then_loaded_from_the_cache(tmp_path):
    assert _run(tmp_path) == "built"
    assert len(_tables(tmp_path)) == 1
    assert _run(tmp_path) == "cached"


def test_unwritable_cache_still_parses(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    assert _run(blocker) == "built"


def test_corrupt_cache_is_rebuilt(tmp_path):
    assert _run(tmp_path) == "built"
    assert _tables(tmp_path)
    for cached in _tables(tmp_path):
        cached.write_bytes(b"garbage")
    assert _run(tmp_path) == "built"
    assert _run(tmp_path) == "cached"
