"""Every benchmark script still runs: each with --quick in a fresh process, exit 0 and its result lines printed.

The full runs take minutes and nobody runs them on every change; without this a refactoring that breaks a
benchmark goes unseen until the day its numbers are needed. The generated Lua is checked with a real LuaJIT
(`luajit -bl` compiles and lists it): a benchmark that times the parser on Lua LuaJIT rejects measures nothing.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
LUAJIT = shutil.which("luajit")  # as tests/lua/luajit_oracle.py finds it (Debian's luajit2 installs `luajit`)
NUMBER = r"[\d,]+(?:\.\d+)?"


def bench(script: str, *args: str, cwd: Path = ROOT, timeout: int = 180) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # the checkout under test, not an installed nginxlint
    done = subprocess.run([sys.executable, str(BENCH / script), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{script} {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def luajit_accepts(path: Path) -> None:
    done = subprocess.run([LUAJIT, "-bl", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"LuaJIT rejects {path.name}: {done.stderr.strip()}"
    assert "BYTECODE" in done.stdout  # -bl lists the bytecode of every function it compiled


def test_every_benchmark_script_is_covered():
    covered = {"run.py", "generate.py", "lua_parse.py", "regex_parse.py", "gixy_coverage.py"}
    assert {p.name for p in BENCH.glob("*.py")} == covered, "a new benchmark script needs a --quick test here"


def test_run_quick(tmp_path):
    results = BENCH / "RESULTS.md"
    before = results.read_bytes() if results.exists() else None
    out = bench("run.py", "--quick")
    rows = re.findall(rf"^\| (single \d+k-line config|\d+ included files|half-size config \(linearity\)) \| "
                      rf"({NUMBER}) s \| ({NUMBER}) s \|", out, re.M)
    assert [name for name, *_ in rows][1:] == ["10 included files", "half-size config (linearity)"], out
    assert rows[0][0].startswith("single "), out
    assert all(float(parse) > 0 and float(lint) > 0 for _, parse, lint in rows), out
    for budget in ("start-up: `nginxlint` on samples/reverse-proxy as a repository of its own ≤ 0.3 s wall", "Lua analysis ≥ 20,000 lines/s cold",
                   "no quadratic step", "memory linear in input size"):
        assert re.search(rf"^\| {re.escape(budget)}.* \| {NUMBER}.* \| – \|$", out, re.M), (budget, out)
    assert out.count("| not run | – |") == 3, out  # gixy-ng would be downloaded: not in quick mode
    assert (results.read_bytes() if results.exists() else None) == before, "--quick must not rewrite RESULTS.md"


def test_generate_quick(tmp_path):
    out = bench("generate.py", str(tmp_path), "--quick")
    wrote = re.findall(r"^wrote (\S+): (\d+) files, (\d+) lines$", out, re.M)
    assert [Path(path).relative_to(tmp_path).as_posix() for path, *_ in wrote] == [
        "single/nginx.conf", "tree/nginx.conf", "openresty/conf/nginx.conf"]
    assert all(int(lines) > 100 for *_, lines in wrote)
    modules = sorted((tmp_path / "openresty" / "lua").glob("*.lua"))
    assert len(modules) == 5
    if LUAJIT is None:
        pytest.skip("luajit is not installed: the generated Lua was not checked")
    for module in modules:
        luajit_accepts(module)


def test_lua_parse_quick(tmp_path):
    out = bench("lua_parse.py", "--quick")
    for label in ("parse:   ", "lex only:", "parse + facts:"):
        assert re.search(rf"^{re.escape(label)} +{NUMBER} s +{NUMBER} lines/s$", out, re.M), (label, out)
    assert re.search(r"^input: \d+ lines", out, re.M)
    written = tmp_path / "generated.lua"
    bench("lua_parse.py", "--quick", "--write", str(written))
    assert written.read_text().count("\n") >= 1000
    if LUAJIT is None:
        pytest.skip("luajit is not installed: the generated Lua was not checked")
    luajit_accepts(written)


def test_regex_parse_quick():
    out = bench("regex_parse.py", "--quick")
    assert re.search(r"^patterns \(distinct, realistic mix\) +2000 ", out, re.M), out
    for label in ("parsed and analysed per second", "memoised look-ups per second", "first parse, cold (lark, tables built)"):
        assert re.search(rf"^{re.escape(label)} +{NUMBER}", out, re.M), (label, out)


def test_gixy_coverage_quick():
    out = bench("gixy_coverage.py", "--quick", timeout=600)
    if re.search(r"^skipped: ", out, re.M) and "**total**" not in out:
        pytest.skip("gixy fixtures unavailable (no package registry): " + out.strip().splitlines()[-1])
    assert re.search(rf"^\| \*\*total\*\* \|  \| \d+ \| \d+ \| {NUMBER}% \|", out, re.M), out
