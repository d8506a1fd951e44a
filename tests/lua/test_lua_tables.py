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


def _run(cache_dir) -> str:
    env = {**os.environ, "NGINXLINT_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_tables_are_built_once_then_loaded_from_the_cache(tmp_path):
    assert _run(tmp_path) == "built"
    assert len(list(tmp_path.glob("lua-tables-*.marshal"))) == 1
    assert _run(tmp_path) == "cached"


def test_unwritable_cache_still_parses(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    assert _run(blocker) == "built"


def test_corrupt_cache_is_rebuilt(tmp_path):
    assert _run(tmp_path) == "built"
    for cached in tmp_path.glob("lua-tables-*.marshal"):
        cached.write_bytes(b"garbage")
    assert _run(tmp_path) == "built"
    assert _run(tmp_path) == "cached"
