"""Huge configs: time grows linearly and memory proportionally with the input (measured, asserted generously).

Each size runs in its own process so that its peak resident memory (VmHWM, else getrusage) is its own. By default the sizes
are 1 and 10 MB; NGINXLINT_LARGE=1 runs the 5 and 50 MB pair (about a minute and 2 GB on a laptop).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SIZES_MB = (5, 50) if os.environ.get("NGINXLINT_LARGE") else (1, 10)
BLOCK = ('server {\n    listen 8080;\n    server_name a.example.com;\n    location /x {\n'
         '        proxy_pass http://127.0.0.1:9;\n        add_header X-A "v";\n    }\n}\n')
MEASURE = """
import io, json, resource, sys, time
from contextlib import redirect_stdout
from nginxlint.cli import main


def peak_kb():
    # VmHWM starts afresh at exec; ru_maxrss keeps the forking parent's peak on Linux
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


out = io.StringIO(); out.buffer = io.BytesIO()
start = time.perf_counter()
with redirect_stdout(out):
    status = main([sys.argv[1], "--format", "json", "--isolated", "--base-dir", sys.argv[1]])
elapsed = time.perf_counter() - start
findings = json.loads(out.buffer.getvalue() or out.getvalue())["findings"]
print(json.dumps({"status": status, "seconds": elapsed, "codes": [f["code"] for f in findings],
                  "lines": [f["line"] for f in findings],
                  "max_rss_kb": peak_kb()}))
"""


def _measure(directory: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", MEASURE, str(directory)], capture_output=True, text=True,
                          env=env, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _config(directory: Path, megabytes: float) -> int:
    """A valid config of about `megabytes` with one unknown directive on its last line; returns that line."""
    directory.mkdir()
    count = max(1, int(megabytes * 1024 * 1024) // len(BLOCK))
    text = "events {}\nhttp {\n" + BLOCK * count + "frobnicate;\n}\n"
    (directory / "nginx.conf").write_text(text)
    return text.count("\n") - 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="getrusage needs a POSIX system")
def test_time_linear_and_memory_proportional(tmp_path):
    baseline = _measure(_dir_with(tmp_path / "tiny", "events {}\nhttp {}\n"))
    results = []
    for megabytes in SIZES_MB:
        last_line = _config(tmp_path / f"size{megabytes}", megabytes)
        result = _measure(tmp_path / f"size{megabytes}")
        assert result["status"] == 1 and result["codes"].count("NGX004") == 1
        assert result["lines"][result["codes"].index("NGX004")] == last_line  # positions hold at the far end
        results.append(result)
    small, large = results
    growth = SIZES_MB[1] / SIZES_MB[0]
    # linear would be `growth`; quadratic would be growth squared: allow three times linear
    assert large["seconds"] / max(small["seconds"], 1e-3) < 3 * growth, results
    # Memory grows in proportion to the input: the extra peak from the small to the large config, per extra byte
    # of config, stays well under 100 bytes (about 36 measured). The slope needs no baseline, whose peak depends on
    # what the interpreter happened to load.
    extra_bytes = (SIZES_MB[1] - SIZES_MB[0]) * 1024 * 1024
    slope = (large["max_rss_kb"] - small["max_rss_kb"]) * 1024 / extra_bytes
    assert slope < 100, (baseline, results)
    assert large["max_rss_kb"] >= small["max_rss_kb"], results


def _dir_with(directory: Path, text: str) -> Path:
    directory.mkdir()
    (directory / "nginx.conf").write_text(text)
    return directory


def test_a_file_above_the_size_limit_is_reported_not_read(tmp_path, monkeypatch):
    from nginxlint import sources

    from runner import assert_sane, lint

    monkeypatch.setattr(sources, "MAX_BYTES", 1000)
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n" + "# padding\n" * 200 + "}\n")
    run = lint(tmp_path)
    assert_sane(run)
    [finding] = run.by_code("NGX008")
    assert "larger than" in finding["message"]
