"""One benchmark run: nginxlint (cold and warm cache), crossplane's parse alone, and gixy-ng, side by side.

    python benchmarks/run.py [--runs 5] [--out benchmarks/RESULTS.md] [--no-gixy] [--quick]

Inputs come from benchmarks/generate.py (written to a temporary directory). Every measurement is a fresh
process; the table reports medians, ratios and peak memory (ru_maxrss of that process), and is written with the
machine's description to RESULTS.md.

--quick is a check that the benchmark still works, in seconds: small inputs (50 servers), one run, no gixy-ng
(it would be downloaded), nothing written unless --out is given. Its budget lines are printed but not judged
(start-up dominates inputs that small), so it exits 0 whenever every measurement ran.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

LUA_ANALYSIS = (
    "import sys, time, pathlib\n"
    "from nginxlint.lua.facts import analyze_lua\n"
    "texts = [p.read_text() for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.lua'))]\n"
    "start = time.perf_counter()\n"
    "for text in texts: analyze_lua(text)\n"
    "print(time.perf_counter() - start)\n"
)
CROSSPLANE = (
    "import sys, time, crossplane\n"
    "start = time.perf_counter()\n"
    "crossplane.parse(sys.argv[1])\n"
    "print(time.perf_counter() - start)\n"
)


def measure(command: list[str], env: dict | None = None, check: bool = True) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MiB, stdout) of one process; a process that fails (with `check`) stops the run,
    so a broken nginxlint is never timed as a fast one."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    out = process.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if check and process.returncode != 0:
        raise SystemExit(f"error: exit status {process.returncode} from {' '.join(command)}")
    return wall, usage.ru_maxrss / 1024, out


def medians(runs: int, commands: dict, check: bool = True) -> dict:
    """For each key of `commands` ({key: (command, env, inner)}, or (command, env, inner, check) for a command
    whose exit status says nothing): its median seconds (the process's own timing when `inner`, else wall) and its
    largest peak RSS. The commands take turns, one run each per round, so that a slow spell of a shared machine
    falls on all of them alike and the ratios between them stay fair."""
    times: dict = {key: [] for key in commands}
    peaks: dict = {key: 0.0 for key in commands}
    for _ in range(runs):
        for key, (command, env, inner, *checked) in commands.items():
            wall, peak, out = measure(command, env, checked[0] if checked else check)
            times[key].append(float(out.strip().splitlines()[-1]) if inner else wall)
            peaks[key] = max(peaks[key], peak)
    return {key: (statistics.median(times[key]), peaks[key]) for key in commands}


def median_of(runs: int, command: list[str], env=None, inner: bool = False, check: bool = True) -> tuple[float, float]:
    return medians(runs, {0: (command, env, inner)}, check)[0]


def gixy_command(no_gixy: bool) -> list[str] | None:
    """gixy-ng in its own virtual environment (installed from the registry on first use), or None.

    It is run as nginxlint is: every check on, JSON written to /dev/null (its default console format to a pipe
    costs more than JSON, which would flatter nginxlint)."""
    if no_gixy:
        return None
    venv = HERE / ".venv-gixy"
    gixy = venv / "bin" / "gixy"
    if not gixy.exists():
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "gixy-ng"], check=True, capture_output=True,
                           timeout=600)
        except (subprocess.SubprocessError, OSError):
            return None
    return [str(gixy), "-f", "json", "-o", os.devnull] if gixy.exists() else None


def gixy_checked(gixy: list[str], target: Path) -> bool:
    """One untimed run that shows gixy-ng analysed the whole input: it exits 0 (nothing found) or 1 (issues found,
    or a configuration it could not read: that is on its standard error), and reports what it found. A failing
    run is never timed as a fast one."""
    command = [gixy[0], "-f", "json", str(target)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if result.returncode not in (0, 1) or "Configuration error" in result.stderr or "Traceback" in result.stderr:
        return False
    try:
        return bool(json.loads(result.stdout))
    except ValueError:
        return False


def lua_lines(directory: Path) -> int:
    return sum(path.read_text().count("\n") for path in directory.rglob("*.lua"))


def gixy_version(gixy: list[str]) -> str:
    result = subprocess.run([gixy[0], "--version"], capture_output=True, text=True)
    words = result.stdout.split()
    return words[1] if len(words) > 1 else "unknown version"


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def machine(start_load: float) -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.system()} {platform.release()}, {model}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, load average {start_load:.2f} at start and {load_average():.2f} "
            "at the end")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-gixy", action="store_true")
    parser.add_argument("--quick", action="store_true", help="small inputs, one run, no gixy-ng, no RESULTS.md")
    args = parser.parse_args()
    out = args.out
    servers, files, modules, lua_lines_each, startup_runs = 2000, 500, 100, 500, max(args.runs, 10)
    if args.quick:
        args.runs, args.no_gixy = 1, True
        out = None if "--out" not in sys.argv else args.out
        servers, files, modules, lua_lines_each, startup_runs = 50, 10, 5, 100, 1

    # An installed nginxlint has its bytecode compiled at install time; a checkout run with
    # PYTHONDONTWRITEBYTECODE set would recompile every module on every start. Measure the installed case.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "nginxlint")], check=True,
                   capture_output=True)
    start_load = load_average()
    work = Path(tempfile.mkdtemp(prefix="nginxlint-bench-"))
    cache = work / "cache"
    try:
        single = generate.write_single(work / "full", servers)
        half = generate.write_single(work / "half", servers // 2)
        tree = generate.write_tree(work / "full", servers, files)
        lua_conf = generate.write_openresty(work / "full", modules, lua_lines_each)
        python = sys.executable
        cold_env = dict(os.environ, XDG_CACHE_HOME=str(cache))
        lint = [python, "-m", "nginxlint", "--format", "json", "-o", os.devnull, "--exit-zero"]
        gixy = gixy_command(args.no_gixy)

        single_lines = single.read_text().count("\n")
        inputs = ((f"single {single_lines // 1000}k-line config", single), (f"{files} included files", tree),
                  ("half-size config (linearity)", half))
        commands = {}
        for name, target in inputs:
            commands[name, "crossplane"] = ([python, "-c", CROSSPLANE, str(target)], None, True)
            commands[name, "cold"] = ([*lint, "--no-cache", str(target)], cold_env, False)
            if gixy and "half" not in name:
                if not gixy_checked(gixy, target):
                    raise SystemExit(f"error: gixy-ng did not analyse {target}")
                # in the same rounds as nginxlint; exit status 1 only says it found issues (gixy_checked saw it run)
                commands[name, "gixy"] = ([*gixy, str(target)], None, False, False)
        measured = medians(args.runs, commands)
        rows = []
        results = {}
        for name, target in inputs:
            parse, parse_peak = measured[name, "crossplane"]
            cold, cold_peak = measured[name, "cold"]
            row = {"name": name, "crossplane": parse, "cold": cold, "peak": cold_peak, "parse_peak": parse_peak}
            if (name, "gixy") in measured:
                row["gixy"], row["gixy_peak"] = measured[name, "gixy"]
            rows.append(row)
            results[name] = row

        shutil.rmtree(cache, ignore_errors=True)
        lines = lua_lines(lua_conf.parent.parent)
        lua_cold, lua_peak = median_of(args.runs, [*lint, "--no-cache", str(lua_conf)], cold_env)
        analysis, _ = median_of(args.runs, [python, "-c", LUA_ANALYSIS, str(lua_conf.parent.parent)], inner=True)
        measure([*lint, str(lua_conf)], cold_env)  # fill the cache
        lua_warm, _ = median_of(args.runs, [*lint, str(lua_conf)], cold_env)
        # Start-up is judged on a service repository of its own: inside this checkout a directory is linted with
        # its whole repository (every sample, manifest and C module here), which measures this checkout instead.
        small = work / "service"
        shutil.copytree(ROOT / "samples" / "reverse-proxy", small)
        subprocess.run(["git", "init", "-q", str(small)], check=True)
        startup, startup_peak = median_of(startup_runs, [*lint, str(small)], cold_env)
        in_checkout, _ = median_of(startup_runs, [*lint, str(ROOT / "samples" / "reverse-proxy")], cold_env)

        full, halfrow = results[inputs[0][0]], results["half-size config (linearity)"]
        report = [
            "# Benchmark results",
            "",
            f"One run of `python benchmarks/run.py {'--quick' if args.quick else f'--runs {args.runs}'}` "
            f"on {time.strftime('%Y-%m-%d')}.",
            f"Machine: {machine(start_load)}.",
            "Each number is the median of fresh processes. nginxlint times are the wall time of the whole command "
            "(start-up, discovery, parsing, every rule, output); crossplane's is `crossplane.parse()` alone, timed "
            "inside its process (start-up excluded), so the ratio is if anything unfair to nginxlint.",
            *([f"gixy-ng {gixy_version(gixy)} runs as nginxlint does, every check on and its JSON report written to "
               "/dev/null, taking its turn in the same rounds (after one untimed run that shows it reads the whole "
               "input and reports)."] if gixy else []),
            "",
            "| input | crossplane parse | nginxlint (cold) | ratio (budget ≤ 1.0) | gixy-ng | gixy-ng / nginxlint "
            "(budget ≥ 10) | nginxlint peak RSS |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in rows:
            gixy_cell = f"{row['gixy']:.2f} s" if "gixy" in row else "not run"
            speedup = f"{row['gixy'] / row['cold']:.1f}×" if "gixy" in row else "–"
            report.append(
                f"| {row['name']} | {row['crossplane']:.2f} s | {row['cold']:.2f} s | "
                f"{row['cold'] / row['crossplane']:.2f} | {gixy_cell} | {speedup} | {row['peak']:.0f} MiB |"
            )
        report += [
            "",
            "| budget line | measured | met |",
            "|---|---|---|",
        ]
        checks = []
        for row in rows[:2]:
            ratio = row["cold"] / row["crossplane"]
            checks.append((f"whole lint ≤ 1.0 × crossplane parse ({row['name']})", f"{ratio:.2f}×", ratio <= 1.0))
            if "gixy" in row:
                speed = row["gixy"] / row["cold"]
                checks.append((f"≥ 10 × faster than gixy-ng ({row['name']})", f"{speed:.1f}×", speed >= 10))
        checks.append(("start-up: `nginxlint` on samples/reverse-proxy as a repository of its own ≤ 0.3 s wall",
                       f"{startup:.3f} s", startup <= 0.3))
        checks.append(("the same directory inside this checkout (linted with the whole repository around it)",
                       f"{in_checkout:.3f} s", None))
        rate = lines / analysis
        checks.append((f"Lua analysis ≥ 20,000 lines/s cold (parse and facts of {lines:,} lines in a fresh process, "
                       "no cache)", f"{rate:,.0f} lines/s", rate >= 20000))
        checks.append((f"the whole command on that deployment (start-up, nginx config, module search, every rule)",
                       f"{lua_cold:.2f} s = {lines / lua_cold:,.0f} lines/s", None))
        checks.append(("warm cache: unchanged Lua costs no parsing (whole command, warm vs cold)",
                       f"{lua_warm:.2f} s vs {lua_cold:.2f} s", lua_warm < lua_cold * 0.6))
        doubling = full["cold"] / halfrow["cold"]
        checks.append(("no quadratic step: double the input, at most double the time", f"{doubling:.2f}×",
                       doubling <= 2.0))
        memory = full["peak"] / halfrow["peak"]
        checks.append(("memory linear in input size (peak RSS, full vs half)", f"{memory:.2f}×", memory <= 2.0))
        if args.quick:  # inputs this small measure start-up: no budget can be judged on them
            checks = [(label, value, None) for label, value, _ in checks]
        for label, value, ok in checks:
            report.append(f"| {label} | {value} | {'–' if ok is None else 'yes' if ok else 'NO'} |")
        report += ["", f"Peak RSS: OpenResty deployment {lua_peak:.0f} MiB; small sample {startup_peak:.0f} MiB.", ""]
        if out is not None:
            out.write_text("\n".join(report) + "\n")
        print("\n".join(report))
        return 0 if all(ok is not False for _, _, ok in checks) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
