#!/usr/bin/env python3
"""Lint checked-out public repositories and score the findings against hand-made labels.

Every repository listed in repos.yaml that has a copy under $NGINXLINT_REALWORLD (default ~/.cache/nginxlint-realworld,
one directory per repository named owner+name, at the listed commit) is linted the way a new user would:
`python -m nginxlint --format json --exit-zero .` with the copy as the working directory. Each finding is
looked up in labels.yaml by (repo, path, line, code):

  true   nginx/OpenResty would fail or misbehave as the message says, for that repository as it is built and run
  false  it would not
  noise  true, but of no use to that repository's user (a deliberate choice, a test fixture, ...)

precision = true / (true + false + noise). A finding with no label is "unlabelled"; a label saying true whose
finding no longer appears is "lost" (a regression), unless a finding of the same code names its place as a related
location (one finding for one cause, its other places listed), or its rule is opt-in (not run unless selected:
counted apart); `missing:` entries are problems the linter should report.

    python tests/realworld/run.py                # table per repository and overall
    python tests/realworld/run.py --json         # the same as JSON
    python tests/realworld/run.py --unlabelled   # findings with no label, ready to be judged
    python tests/realworld/run.py --repo Kong/kong --repo apache/apisix
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent  # the nginxlint checkout whose code is measured
VERDICTS = ("true", "false", "noise")
DEFAULT_TIMEOUT = 300
WORKERS = 2  # the machine is shared: two repositories at a time


def copies_root() -> Path:
    return Path(os.environ.get("NGINXLINT_REALWORLD", str(Path.home() / ".cache" / "nginxlint-realworld")))


def copy_dir(repo: str) -> Path:
    return copies_root() / repo.replace("/", "+")


def load_yaml(name: str):
    with open(HERE / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def verdict_of(value) -> str:
    # YAML reads a bare true/false as a boolean; both spellings mean the same verdict.
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def key_of(entry: dict) -> tuple:
    return (entry["repo"], entry["path"], int(entry["line"]), entry["code"])


@dataclass
class RepoResult:
    repo: str
    seconds: float = 0.0
    files: int = 0  # files nginxlint says it checked: 0 means it found nothing to lint
    crash: str | None = None
    findings: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS + ("unlabelled",), 0))
    unlabelled: list[dict] = field(default_factory=list)
    lost: list[dict] = field(default_factory=list)  # labelled true, no longer reported
    gone: int = 0  # labelled false/noise, no longer reported (fixed, or the label is stale)
    opt_in: int = 0  # labelled true, of a rule that runs only when selected
    missing: int = 0
    missing_found: int = 0

    @property
    def labelled(self) -> int:
        return sum(self.counts[v] for v in VERDICTS)

    @property
    def precision(self) -> float | None:
        return self.counts["true"] / self.labelled if self.labelled else None


def lint(entry: dict, timeout: int) -> tuple[list[dict], str | None, float, int]:
    """Run nginxlint on one copy: (findings, crash description or None, seconds, files checked)."""
    where = copy_dir(entry["name"])
    argv = [sys.executable, "-m", "nginxlint", "--format", "json", "--exit-zero", *entry.get("args", ["."])]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    env.pop("GITHUB_ACTIONS", None)  # would switch the default format; --format is given anyway
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, cwd=where, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [], f"timeout after {timeout}s", time.monotonic() - start, 0
    seconds = time.monotonic() - start
    if proc.returncode != 0 or "Traceback (most recent call last)" in proc.stderr:
        tail = (proc.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        return [], f"exit {proc.returncode}: {tail}", seconds, 0
    try:
        report = json.loads(proc.stdout)
        findings = report["findings"]
    except (ValueError, KeyError, TypeError) as exc:
        return [], f"unreadable JSON output: {exc}", seconds, 0
    return findings, None, seconds, int(report.get("summary", {}).get("files_checked", 0))


@functools.lru_cache(maxsize=None)
def opt_in_codes() -> frozenset[str]:
    """The rules that run only when selected by code: their labelled true findings are not lost by default."""
    sys.path.insert(0, str(PROJECT))
    from nginxlint.catalog import load_catalog
    return frozenset(code for code, info in load_catalog().items() if info.opt_in)


def score(entry: dict, labels: dict, missing: list[dict], timeout: int) -> RepoResult:
    repo = entry["name"]
    opt_in = opt_in_codes()
    result = RepoResult(repo)
    result.findings, result.crash, result.seconds, result.files = lint(entry, timeout)
    seen = set()
    merged = set()  # the other places of a finding that names them as related locations
    for f in result.findings:
        key = (repo, f["path"], int(f["line"]), f["code"])
        seen.add(key)
        merged.update((repo, r["path"], int(r["line"]), f["code"]) for r in f.get("related") or () if "line" in r)
        label = labels.get(key)
        if label is None:
            result.counts["unlabelled"] += 1
            result.unlabelled.append(f)
        else:
            result.counts[verdict_of(label["verdict"])] += 1
    if result.crash is None:
        for key, label in labels.items():
            if key[0] == repo and key not in seen:
                if verdict_of(label["verdict"]) == "true" and key[3] in opt_in:
                    result.opt_in += 1
                elif verdict_of(label["verdict"]) == "true" and key not in merged:
                    result.lost.append(label)
                else:
                    result.gone += 1
    for m in missing:
        if m["repo"] == repo:
            result.missing += 1
            result.missing_found += key_of(m) in seen
    return result


def load_labels() -> tuple[dict, list[dict]]:
    data = load_yaml("labels.yaml")
    labels = {}
    for entry in data.get("findings") or []:
        verdict = verdict_of(entry.get("verdict"))
        if verdict not in VERDICTS:
            raise SystemExit(f"labels.yaml: {key_of(entry)} has verdict {verdict!r}, not one of {VERDICTS}")
        labels[key_of(entry)] = entry
    return labels, list(data.get("missing") or [])


def run_all(only: list[str] | None = None, timeout: int | None = None) -> tuple[dict, list[RepoResult]]:
    """Lint every listed repository that has a copy; return (repos.yaml contents, results in list order)."""
    config = load_yaml("repos.yaml")
    timeout = timeout or int(config.get("timeout", DEFAULT_TIMEOUT))
    labels, missing = load_labels()
    entries = [e for e in config.get("repos", []) if copy_dir(e["name"]).is_dir()]
    if only:
        entries = [e for e in entries if e["name"] in only]
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda e: score(e, labels, missing, timeout), entries))
    return config, results


def totals(results: list[RepoResult]) -> dict:
    out = {k: 0 for k in ("findings", "true", "false", "noise", "unlabelled", "lost", "gone", "opt_in", "crashes",
                          "missing", "missing_found")}
    for r in results:
        out["findings"] += len(r.findings)
        for v in VERDICTS + ("unlabelled",):
            out[v] += r.counts[v]
        out["lost"] += len(r.lost)
        out["gone"] += r.gone
        out["opt_in"] += r.opt_in
        out["crashes"] += r.crash is not None
        out["missing"] += r.missing
        out["missing_found"] += r.missing_found
    labelled = out["true"] + out["false"] + out["noise"]
    out["precision"] = round(out["true"] / labelled, 4) if labelled else None
    # One repository with hundreds of copies of one file can swamp the pooled figure: the mean over repositories too.
    per_repo = [r.precision for r in results if r.precision is not None]
    out["mean_repo_precision"] = round(sum(per_repo) / len(per_repo), 4) if per_repo else None
    out["repos"] = len(results)
    return out


def as_json(results: list[RepoResult]) -> dict:
    return {
        "repos": [
            {
                "repo": r.repo, "seconds": round(r.seconds, 2), "crash": r.crash, "files": r.files,
                "findings": len(r.findings),
                **r.counts, "precision": None if r.precision is None else round(r.precision, 4),
                "lost": [key_of(x) for x in r.lost], "gone": r.gone, "missing": r.missing,
                "missing_found": r.missing_found,
            }
            for r in results
        ],
        "overall": totals(results),
    }


def print_table(results: list[RepoResult]) -> None:
    head = f"{'repository':40} {'files':>5} {'find':>5} {'true':>5} {'false':>5} {'noise':>5} {'unlab':>5} {'prec':>6} " \
           f"{'lost':>4} {'miss':>4} {'secs':>5}  crash"
    print(head)
    print("-" * len(head))
    for r in results:
        prec = "-" if r.precision is None else f"{r.precision:.2f}"
        print(f"{r.repo:40} {r.files:5} {len(r.findings):5} {r.counts['true']:5} {r.counts['false']:5} {r.counts['noise']:5} "
              f"{r.counts['unlabelled']:5} {prec:>6} {len(r.lost):4} {r.missing:4} {r.seconds:5.1f}  {r.crash or ''}")
    t = totals(results)
    prec = "-" if t["precision"] is None else f"{t['precision']:.3f}"
    print("-" * len(head))
    print(f"{'overall (' + str(t['repos']) + ' repositories)':46} {t['findings']:5} {t['true']:5} {t['false']:5} "
          f"{t['noise']:5} {t['unlabelled']:5} {prec:>6} {t['lost']:4} {t['missing']:4}        crashes: {t['crashes']}")
    if t["mean_repo_precision"] is not None:
        print(f"mean precision over the {sum(r.precision is not None for r in results)} repositories with findings: "
              f"{t['mean_repo_precision']:.3f}")
    if t["gone"]:
        print(f"{t['gone']} findings labelled false/noise are no longer reported (fixed; the labels can go)")
    if t["opt_in"]:
        print(f"{t['opt_in']} findings labelled true are of opt-in rules, reported only when selected")
    if t["missing_found"]:
        print(f"{t['missing_found']} of {t['missing']} missing problems are now reported (label them, drop the missing entry)")
    for r in results:
        for x in r.lost:
            print(f"LOST {r.repo} {x['path']}:{x['line']} {x['code']} ({x.get('reason', '')})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="machine-readable summary")
    ap.add_argument("--unlabelled", action="store_true", help="print the findings that have no label")
    ap.add_argument("--repo", action="append", help="only this repository (owner/name); repeatable")
    ap.add_argument("--timeout", type=int, help="seconds per repository (default: repos.yaml's timeout)")
    args = ap.parse_args(argv)
    if not copies_root().is_dir():
        print(f"no copies: {copies_root()} does not exist (set NGINXLINT_REALWORLD)", file=sys.stderr)
        return 2
    _, results = run_all(args.repo, args.timeout)
    if args.json:
        json.dump(as_json(results), sys.stdout, indent=1)
        print()
    elif args.unlabelled:
        for r in results:
            for f in sorted(r.unlabelled, key=lambda f: (f["path"], f["line"], f["code"])):
                print(f"{r.repo} {f['path']}:{f['line']} {f['code']} {f['message']}")
    else:
        print_table(results)
    return 1 if any(r.crash for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
