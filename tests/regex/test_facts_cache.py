"""The regex rules read pattern facts from the run's disk cache: a warm run never imports the grammar (lark), a
cold one and a --no-cache one do, and all three report the same."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nginxlint.regex import charsets as cs
from nginxlint.regex.facts import compute_facts

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """events {}
http {
    server {
        listen 80;
        location ~ ^/api/(?<rest>[^/]+)$ { add_header X-Rest $rest; return 200; }
        location ~ ^/files/(\\w+\\s?)*$ { return 200; }
        location ~ \\.php { fastcgi_pass 127.0.0.1:9000; }
        location ~ ^/v/(3.6)/(.*)$ { return 301 /x/$1/$2; }
        if ($http_origin !~ "^https://www.example\\.com$") { return 403; }
    }
}
"""


def _run(tmp_path, cache, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NGINXLINT_CACHE_DIR": str(cache)}
    code = ("import sys, runpy; sys.argv = ['nginxlint', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('nginxlint', run_name='__main__')\n"
            "finally:\n    print('LARK' if 'lark' in sys.modules else 'NO-LARK', file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "conf"), "--format", "json",
                           "--extend-select", "SEC548,SEC573", *args],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    codes = sorted((f["code"], f["line"], f["column"]) for f in json.loads(proc.stdout)["findings"])
    return codes, proc.stderr.strip().splitlines()[-1]


def test_warm_runs_do_not_import_lark(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "nginx.conf").write_text(CONFIG)
    cache = tmp_path / "cache"
    cold, cold_lark = _run(tmp_path, cache)
    warm, warm_lark = _run(tmp_path, cache)
    off, off_lark = _run(tmp_path, cache, "--no-cache")
    assert (cold_lark, warm_lark, off_lark) == ("LARK", "NO-LARK", "LARK")
    assert cold == warm == off
    assert {"SEC543", "SEC545", "SEC548"} <= {code for code, _, _ in cold}
    # the cached facts say where a header line can follow a line break: after `[^/]+` (CR LF), after `.*` (a bare
    # CR, SEC573), not after the `.` of `3.6`
    assert [(code, line, column) for code, line, column in cold if code in ("SEC542", "SEC573")] == [
        ("SEC542", 5, 62), ("SEC573", 8, 55)]


@pytest.mark.parametrize("key, field, value", [
    ("0(?=^/foo)/foo/bar", "unanchored", None),
    ("0(^/foo)*bar", "unanchored", (0, 11)),
    ("0^/a\\.b$", "literal", "/a.b"),
    ("1^/a$", "literal", None),
    ("0^/.*.*x$", "adjacent", (2, 6, cs.ALL & ~cs.of("\n"))),  # both take any byte but LF
    ("0^/[a-z]+[0-9]*$", "adjacent", None),
    ("0[z-a]", "error", ("range out of order in character class", 3)),
    ("0^(.*?)(\\?.*)*$", "redos", ((6, 13, 9, 11, "nested", 1 << 10),)),  # splits only on an LF
    ("0^/(\\w+/?)*$", "redos", ((2, 10, 3, 6, "nested", (1 << 256) - 1),)),
])
def test_facts(key, field, value):
    assert getattr(compute_facts(key), field) == value
