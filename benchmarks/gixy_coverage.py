"""How much of the gixy family nginxlint covers, measured on the gixy projects' own plugin test fixtures.

    python benchmarks/gixy_coverage.py [--quick] [--json] [--plugin NAME] [--show-misses]
                                       [--set NAME] [--mode raw|wrapped] [--cache DIR] [--map PLUGIN=CODE]

Downloads the source distributions of Gixy-Next (newest 0.9.x) and gixy-ng (newest 0.2.x) with pip into a cache
outside the repository (default ~/.cache/nginxlint-bench/gixy, or $NGINXLINT_BENCH_CACHE, or --cache), unpacks
them there and reads their plugin fixtures in place: nothing of theirs is ever copied into this repository.

Fixtures are chosen the way the gixy test runner (tests/plugins/test_simply.py) chooses them: every `*.conf` file
in tests/plugins/simply/<plugin>/; a name ending in `_fp.conf` must not be flagged, any other must be. A leading
`# Options: {...}` line gives plugin options (Gixy-Next reads the first line only, gixy-ng the first three, where
`# Expected: {"issues": N}` may also stand). An option nginxlint has too is passed the way a user passes it: the
nginx release (`{"version": "1.29.8"}`, gixy-ng's `--nginx-version`) as `--nginx-version`, the origins plugin's
trusted `domains` and `https_only` as `--origin-domains` and `--origin-https-only`, the add_header_redefinition
plugin's `headers` as `--security-headers` (`'*'` when none are named: the plugin then reports every header, where
SEC503 by default reports only security headers), one nginxlint run per set of flags; the others are only shown.

nginxlint runs on every fixture twice: `raw`, the file as gixy opens it, and `wrapped`, the fragment put inside
`events {}` and `http { server { location / { ... } } }` as far as its top-level directives need (the context
nginxlint itself would infer). A plugin maps to nginxlint rules through the `gixy:` front matter of the rule docs.
A positive fixture is caught when a mapped rule reports anything in it; an `_fp` fixture is flagged likewise.

--quick measures the first positive and the first `_fp` fixture of each plugin of one set (seconds, for CI); with
no registry and no cached copy it prints "skipped: ..." and exits 0. --show-misses lists every missed positive and
flagged `_fp` fixture with the codes nginxlint did report; --map PLUGIN=CODE credits a rule before its doc says so.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout measured, for the message its copies carry
from nginxlint.copies import COPY  # noqa: E402
MODES = ("raw", "wrapped")
PIP_TIMEOUT = 300  # seconds for one pip command; pip's own network timeout and retries are kept short below
PIP_NETWORK = ["--timeout", "15", "--retries", "1", "--disable-pip-version-check"]


@dataclass(frozen=True)
class GixySet:
    name: str  # the distribution's name on the package index
    series: str  # newest release whose version starts with this
    header_lines: int  # how many leading lines its test runner scans for `# Options:` / `# Expected:`


SETS = (
    GixySet("Gixy-Next", "0.9", header_lines=1),
    GixySet("gixy-ng", "0.2", header_lines=3),
)


@dataclass
class Fixture:
    plugin: str
    path: Path  # in the unpacked source distribution
    relative: str  # from the distribution's root, as shown to the user
    fp: bool
    options: dict | None = None
    expected_issues: int | None = None
    codes: dict = field(default_factory=dict)  # mode -> sorted codes nginxlint reported


@dataclass
class LoadedSet:
    spec: GixySet
    version: str
    root: Path
    plugins: list[str]  # every plugin module of the distribution
    untested: list[str]  # plugins its runner skips (skip_test), with no simple fixtures
    fixtures: list[Fixture]


class Skip(Exception):
    """The registry (and so the fixtures) cannot be had: the benchmark is skipped, not failed."""


# --- getting the source distributions ------------------------------------------------------------------------


def default_cache() -> Path:
    if os.environ.get("NGINXLINT_BENCH_CACHE"):
        return Path(os.environ["NGINXLINT_BENCH_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nginxlint-bench" / "gixy"


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else -1 for part in re.split(r"[.]", version))


def _pip(args: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [sys.executable, "-m", "pip", *args, *PIP_NETWORK], capture_output=True, text=True, timeout=PIP_TIMEOUT
        )
    except subprocess.TimeoutExpired as why:
        raise Skip(f"pip {' '.join(args[:2])} took more than {PIP_TIMEOUT} s") from why


def newest_version(spec: GixySet) -> str:
    result = _pip(["index", "versions", spec.name])
    match = re.search(r"Available versions:\s*(.+)", result.stdout)
    if result.returncode != 0 or not match:
        last = (result.stderr.strip().splitlines() or ["no answer"])[-1]
        raise Skip(f"the package index did not list {spec.name} ({last})")
    versions = [v.strip() for v in match.group(1).split(",")]
    fitting = [v for v in versions if v.startswith(spec.series + ".") and re.fullmatch(r"[0-9.]+", v)]
    if not fitting:
        raise Skip(f"no {spec.name} {spec.series}.x release on the package index")
    return max(fitting, key=_version_key)


def _marker(cache: Path, spec: GixySet, version: str) -> Path:
    return cache / f"{spec.name.lower()}-{version}.unpacked"


def cached_versions(cache: Path, spec: GixySet) -> list[str]:
    prefix = f"{spec.name.lower()}-"
    found = []
    for marker in cache.glob(f"{prefix}{spec.series}.*.unpacked"):
        version = marker.name[len(prefix):-len(".unpacked")]
        if (cache / marker.read_text().strip()).is_dir():
            found.append(version)
    return sorted(found, key=_version_key)


def fetch(cache: Path, spec: GixySet, version: str) -> Path:
    """The unpacked source distribution of `spec` at `version`, downloaded on first use."""
    marker = _marker(cache, spec, version)
    if marker.is_file() and (cache / marker.read_text().strip()).is_dir():
        return cache / marker.read_text().strip()
    downloads = cache / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    result = _pip(["download", "--no-deps", "--no-binary", ":all:", f"{spec.name}=={version}", "-d", str(downloads)])
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no answer"])[-1]
        raise Skip(f"pip could not download {spec.name}=={version} ({last})")
    stem = re.sub(r"[-_.]+", "_", spec.name).lower() + f"-{version}"
    archives = [p for p in downloads.iterdir() if p.name.lower().startswith(stem) and p.name.endswith(".tar.gz")]
    if not archives:
        raise Skip(f"pip downloaded no source archive of {spec.name}=={version}")
    with tarfile.open(archives[0]) as archive:
        tops = {Path(m.name).parts[0] for m in archive.getmembers() if m.name}
        if len(tops) != 1:
            raise Skip(f"{archives[0].name} does not hold one top directory")
        if hasattr(tarfile, "data_filter"):  # refuses absolute paths, links out of the tree, devices
            archive.extractall(cache, filter="data")
        else:
            archive.extractall(cache)
    top = tops.pop()
    marker.write_text(top + "\n")
    return cache / top


def locate(cache: Path, spec: GixySet) -> tuple[str, Path]:
    """(version, unpacked root): the newest release of the series, or, with no registry, the newest cached one."""
    try:
        version = newest_version(spec)
    except Skip:
        cached = cached_versions(cache, spec)
        if not cached:
            raise
        version = cached[-1]  # offline: the newest release seen before
    return version, fetch(cache, spec, version)


# --- reading the fixtures as gixy's runner does ---------------------------------------------------------------


def _header(path: Path, prefix: str, lines: int):
    with open(path, encoding="utf-8", errors="replace") as file:
        for _ in range(lines):
            line = file.readline()
            if not line:
                break
            if line.startswith(prefix):
                try:
                    return json.loads(line[len(prefix):])
                except ValueError:
                    return None
    return None


def load_set(spec: GixySet, version: str, root: Path) -> LoadedSet:
    modules = sorted((root / "gixy" / "plugins").glob("*.py"))
    plugins, untested = [], []
    for module in modules:
        if module.stem in ("__init__", "plugin") or module.stem.startswith("_"):
            continue
        plugins.append(module.stem)
        if re.search(r"^\s*skip_test\s*=\s*True", module.read_text(encoding="utf-8"), re.M):
            untested.append(module.stem)
    simply = root / "tests" / "plugins" / "simply"
    fixtures = []
    for plugin_dir in sorted(p for p in simply.iterdir() if p.is_dir()):
        for path in sorted(plugin_dir.iterdir()):
            if not path.name.endswith(".conf") or not path.is_file():
                continue
            expected = _header(path, "# Expected: ", spec.header_lines) if spec.header_lines > 1 else None
            fixtures.append(
                Fixture(
                    plugin=plugin_dir.name,
                    path=path,
                    relative=path.relative_to(root).as_posix(),
                    fp=path.name.endswith("_fp.conf"),
                    options=_header(path, "# Options: ", spec.header_lines),
                    expected_issues=(expected or {}).get("issues") if isinstance(expected, dict) else None,
                )
            )
    for plugin in {f.plugin for f in fixtures}:
        if plugin not in plugins:
            plugins.append(plugin)
    return LoadedSet(spec, version, root, sorted(plugins), untested, fixtures)


# --- running nginxlint ------------------------------------------------------------------------------------------


def wrap(text: str) -> str:
    """The fragment inside as much of a full config as its top-level directives need."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # nginxlint is imported only here: listing and downloading need none of it
    from nginxlint.nginx.directives import check_directive
    from nginxlint.nginx.parser import parse
    from nginxlint.workspace import infer_context

    from nginxlint.dump import is_dump

    if is_dump(text):
        return text  # an `nginx -T` dump is a whole configuration already
    parsed = parse(text)
    names = {d.name for d in parsed.directives}
    ctx = infer_context(parsed)
    body = text if text.endswith("\n") else text + "\n"
    if ctx == ():
        if "events" in names:
            return body

        def misplaced(d, where) -> bool:
            problem = check_directive(d.name, d.args, where, d.block is not None or d.lua is not None)
            return problem is not None and problem.code == "NGX005"

        # events-only directives of a main-context fragment (worker_connections …) go into `events {}`
        moved = [d for d in parsed.directives if d.block is None and misplaced(d, ()) and not misplaced(d, ("events",))]
        events = []
        for d in reversed(moved):
            start, end = d._offsets[0], d._offsets[-1] + 1  # name to `;` (the parser keeps no public offset)
            events.insert(0, body[start:end])
            body = body[:start] + " " * (end - start) + body[end:]
        return "events {\n" + "".join(f"{d}\n" for d in events) + "}\n" + body
    if ctx == ("http",):
        return "events {}\nhttp {\n" + body + "}\n"
    if ctx == ("http", "server"):
        return "events {}\nhttp {\nserver {\n" + body + "}\n}\n"
    return "events {}\nhttp {\nserver {\nlocation / {\n" + body + "}\n}\n}\n"


def lay_out(loaded: LoadedSet, fixtures: list[Fixture], mode: str, into: Path) -> tuple[dict[str, Fixture], list]:
    """One sub-directory per fixture (so nginxlint sees each as its own deployment); {sub-directory: fixture}, and
    the fixtures that are `nginx -T` dumps (gixy reads them as dumps; nginxlint does so for a file named to it, as
    its README says a dump is given)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from nginxlint.dump import is_dump

    by_dir, dumps = {}, []
    for number, fixture in enumerate(fixtures):
        sub = f"{number:04d}"
        target = into / sub
        target.mkdir()
        text = fixture.path.read_text(encoding="utf-8", errors="replace")
        (target / fixture.path.name).write_text(wrap(text) if mode == "wrapped" else text, encoding="utf-8")
        if is_dump(text):
            dumps.append(target / fixture.path.name)
        # files that fixtures include, at the path they name (relative to the distribution's root)
        for sibling in fixture.path.parent.iterdir():
            if sibling.is_file() and not sibling.name.endswith(".conf") and sibling.name != "config.json":
                helper = target / sibling.relative_to(loaded.root)
                helper.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(sibling, helper)
        by_dir[sub] = fixture
    return by_dir, dumps


def cli_options(fixture: Fixture) -> tuple[str, ...]:
    """The nginxlint flags that say what a fixture's `# Options:` line says, where nginxlint has the same option: the
    nginx release (gixy-ng's `--nginx-version`, or the nginx_cves plugin's `version` option) is `--nginx-version`;
    the origins plugin's trusted `domains` are `--origin-domains`, its `https_only` is `--origin-https-only`; the
    add_header_redefinition plugin's `headers` are `--security-headers`, and when it names none the plugin reports
    every header, which `--security-headers '*'` asks of SEC503."""
    options = fixture.options if isinstance(fixture.options, dict) else {}
    flags: list[str] = []
    if fixture.plugin == "add_header_redefinition":
        headers = options.get("headers") or ()
        names = headers.split(",") if isinstance(headers, str) else [str(h) for h in headers]
        flags += ["--security-headers", ",".join(n.strip() for n in names if n.strip()) or "*"]
    if options.get("version"):
        flags += ["--nginx-version", str(options["version"])]
    domains = [str(d) for d in options.get("domains") or () if d and d != "*"]
    if domains:
        flags += ["--origin-domains", ",".join(domains)]
    if options.get("https_only") is True:
        flags.append("--origin-https-only")
    return tuple(flags)


def run_nginxlint(directory: Path, codes: list[str], options: tuple[str, ...] = (), dumps=()) -> dict:
    """nginxlint on a tree of fixtures, with every gixy-mapped rule selected by its code (opt-in rules included)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    command = [sys.executable, "-m", "nginxlint", "--format", "json", "--exit-zero", "--isolated", "--no-cache",
               "--extend-select", ",".join(codes), *options]
    result = subprocess.run(
        [*command, "--base-dir", str(directory), str(directory), *map(str, dumps)],
        capture_output=True,
        text=True,
        env=env,
        cwd=directory,
        timeout=600,
    )
    try:
        return json.loads(result.stdout)
    except ValueError:
        tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"nginxlint gave no JSON (exit {result.returncode}): {tail}") from None


def measure(loaded: LoadedSet, fixtures: list[Fixture], modes, codes: list[str]) -> None:
    """Fill each fixture's `codes` per mode: one nginxlint run per mode and set of options (`cli_options`) over its
    fixtures, the gixy-mapped rules (`codes`) selected."""
    groups: dict[tuple, list[Fixture]] = {}
    for fixture in fixtures:
        groups.setdefault(cli_options(fixture), []).append(fixture)
    for mode in modes:
        for options, group in groups.items():
            with tempfile.TemporaryDirectory(prefix=f"gixy-{mode}-") as tmp:
                by_dir, dumps = lay_out(loaded, group, mode, Path(tmp))
                report = run_nginxlint(Path(tmp), codes, options, dumps)
                found: dict[str, set] = {sub: set() for sub in by_dir}
                for finding in report.get("findings", []):
                    # a fixture whose text another one repeats is reported once, its copies named as related
                    copies = [place["path"] for place in finding.get("related", []) if place.get("message") == COPY]
                    for path in (finding.get("path", ""), *copies):
                        sub = path.split("/", 1)[0]
                        if sub in found:
                            found[sub].add(finding["code"])
                for sub, fixture in by_dir.items():
                    fixture.codes[mode] = sorted(found[sub])


def rule_mapping() -> dict[str, list[str]]:
    """{gixy plugin: [nginxlint codes]} from the rules' `gixy:` front matter."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run(
        [sys.executable, "-m", "nginxlint", "rules", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    mapping: dict[str, list[str]] = {}
    for rule in json.loads(result.stdout):
        for plugin in rule.get("gixy") or ():
            mapping.setdefault(plugin, []).append(rule["code"])
    return {plugin: sorted(codes) for plugin, codes in mapping.items()}


# --- scoring and output -----------------------------------------------------------------------------------------


def hit(fixture: Fixture, mode: str, mapping: dict) -> bool:
    return bool(set(mapping.get(fixture.plugin, ())) & set(fixture.codes.get(mode, ())))


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def score(fixtures: list[Fixture], mode: str, mapping: dict) -> dict:
    positives = [f for f in fixtures if not f.fp]
    fps = [f for f in fixtures if f.fp]
    caught = sum(hit(f, mode, mapping) for f in positives)
    flagged = sum(hit(f, mode, mapping) for f in fps)
    return {
        "positives": len(positives),
        "caught": caught,
        "recall": percent(caught, len(positives)),
        "fp_fixtures": len(fps),
        "flagged": flagged,
        "fp_rate": percent(flagged, len(fps)),
    }


def summarize(loaded: LoadedSet, fixtures: list[Fixture], plugins: list[str], modes, mapping: dict) -> dict:
    per_plugin = {}
    for plugin in plugins:
        mine = [f for f in fixtures if f.plugin == plugin]
        per_plugin[plugin] = {
            "rules": mapping.get(plugin, []),
            "untested_by_gixy": plugin in loaded.untested,
            "modes": {mode: score(mine, mode, mapping) for mode in modes},
        }
    mapped = [f for f in fixtures if f.plugin in mapping]
    return {
        "name": loaded.spec.name,
        "version": loaded.version,
        "root": str(loaded.root),
        "plugins": per_plugin,
        "total": {mode: score(fixtures, mode, mapping) for mode in modes},
        "total_mapped": {mode: score(mapped, mode, mapping) for mode in modes},
        "fixtures": [
            {
                "plugin": f.plugin,
                "path": str(f.path),
                "relative": f.relative,
                "fp": f.fp,
                "options": f.options,
                "expected_issues": f.expected_issues,
                "codes": f.codes,
                "hit": {mode: hit(f, mode, mapping) for mode in modes},
            }
            for f in fixtures
        ],
    }


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1f}%"


def print_set(summary: dict, modes, show_misses: bool) -> None:
    fixtures = summary["fixtures"]
    positives = sum(not f["fp"] for f in fixtures)
    print(f"\n## {summary['name']} {summary['version']}: {positives} positive and "
          f"{len(fixtures) - positives} _fp fixtures, {len(summary['plugins'])} plugins\n")
    head = ["plugin", "rules", "pos"]
    for mode in modes:
        head += [f"{mode} caught", f"{mode} recall"]
    head.append("fp")
    for mode in modes:
        head += [f"{mode} flagged", f"{mode} fp%"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))

    def row(label: str, rules: str, scores: dict) -> None:
        first = scores[modes[0]]
        cells = [label, rules, str(first["positives"])]
        for mode in modes:
            cells += [str(scores[mode]["caught"]), _pct(scores[mode]["recall"])]
        cells.append(str(first["fp_fixtures"]))
        for mode in modes:
            cells += [str(scores[mode]["flagged"]), _pct(scores[mode]["fp_rate"])]
        print("| " + " | ".join(cells) + " |")

    for plugin, data in summary["plugins"].items():
        rules = ", ".join(data["rules"]) or "unmapped"
        if data["untested_by_gixy"] and not data["modes"][modes[0]]["positives"]:
            rules += " (no gixy fixtures)"
        row(plugin, rules, data["modes"])
    row("**total**", "", summary["total"])
    row("**mapped plugins only**", "", summary["total_mapped"])
    if show_misses:
        print()
        for f in fixtures:
            mapped = summary["plugins"][f["plugin"]]["rules"]
            if not mapped:
                continue
            for mode in modes:
                if f["hit"][mode] == f["fp"]:
                    what = "flagged" if f["fp"] else "missed"
                    extra = f" options={json.dumps(f['options'])}" if f["options"] else ""
                    codes = ",".join(f["codes"][mode]) or "nothing"
                    print(f"{what} [{mode}] {f['plugin']}: {f['path']} (reported: {codes}){extra}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=None, help="where the gixy sdists go (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--quick", action="store_true", help="one set, the first positive and _fp fixture per plugin")
    parser.add_argument("--plugin", action="append", default=[], help="only this gixy plugin (repeatable)")
    parser.add_argument("--set", choices=[s.name for s in SETS], action="append", default=[], help="only this set")
    parser.add_argument("--mode", choices=MODES, action="append", default=[], help="only this mode")
    parser.add_argument("--show-misses", action="store_true", help="list missed positives and flagged _fp fixtures")
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="PLUGIN=CODE[,CODE]",
        help="also credit these codes for a plugin (try a mapping before writing it into a rule doc)",
    )
    args = parser.parse_args(argv)
    cache = args.cache or default_cache()
    modes = tuple(args.mode) or MODES
    specs = [s for s in SETS if not args.set or s.name in args.set]
    if args.quick and not args.set:
        specs = specs[:1]

    cache.mkdir(parents=True, exist_ok=True)
    loaded_sets, skipped = [], []
    for spec in specs:
        try:
            version, root = locate(cache, spec)
            loaded_sets.append(load_set(spec, version, root))
        except Skip as why:
            skipped.append(f"{spec.name}: {why}")
    if not loaded_sets:
        message = "skipped: " + "; ".join(skipped)
        print(json.dumps({"skipped": skipped}) if args.json else message)
        return 0

    known = {plugin for loaded in loaded_sets for plugin in loaded.plugins}
    unknown = sorted(set(args.plugin) - known)
    if unknown:
        print(f"error: no such gixy plugin: {', '.join(unknown)} (known: {', '.join(sorted(known))})", file=sys.stderr)
        return 2

    mapping = rule_mapping()
    for extra in args.map:
        plugin, _, codes = extra.partition("=")
        if not plugin or not codes:
            parser.error(f"--map wants PLUGIN=CODE[,CODE], not {extra!r}")
        mapping[plugin.strip()] = sorted(set(mapping.get(plugin.strip(), [])) | {c.strip() for c in codes.split(",")})
    summaries = []
    for loaded in loaded_sets:
        fixtures = [f for f in loaded.fixtures if not args.plugin or f.plugin in args.plugin]
        plugins = [p for p in loaded.plugins if not args.plugin or p in args.plugin]
        if not plugins:  # the plugin asked for exists only in the other set
            continue
        if args.quick:
            seen, chosen = set(), []
            for f in fixtures:
                if (f.plugin, f.fp) not in seen:
                    seen.add((f.plugin, f.fp))
                    chosen.append(f)
            fixtures = chosen
        try:
            measure(loaded, fixtures, modes, sorted({code for codes in mapping.values() for code in codes}))
        except (RuntimeError, subprocess.TimeoutExpired) as why:
            print(f"error: {why}", file=sys.stderr)
            return 2
        summaries.append(summarize(loaded, fixtures, plugins, modes, mapping))

    if args.json:
        print(json.dumps({"cache": str(cache), "mapping": mapping, "skipped": skipped, "sets": summaries}, indent=1))
        return 0
    home = os.path.expanduser("~")
    shown = "~" + str(cache)[len(home):] if str(cache).startswith(home + os.sep) else str(cache)
    print(f"# nginxlint against the gixy plugin fixtures (cache: {shown})")
    for line in skipped:
        print(f"skipped: {line}")
    for summary in summaries:
        print_set(summary, modes, args.show_misses)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into head: not an error
        sys.stderr.close()
        sys.exit(0)
