"""Run the CLI in this process with NGINXLINT_DEBUG set, so that an internal error shows as its traceback."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from differential import run_lint
from lintkit import write_tree


@dataclass
class Run:
    status: int
    out: str
    err: str
    crash: str | None

    @property
    def json(self) -> dict:
        return json.loads(self.out)

    @property
    def findings(self) -> list[dict]:
        return self.json["findings"]

    def codes(self) -> list[str]:
        return [f["code"] for f in self.findings]

    def by_code(self, code: str) -> list[dict]:
        return [f for f in self.findings if f["code"] == code]


def lint(base: Path, *args: str, target: str = ".", fmt: str = "json") -> Run:
    """`nginxlint TARGET --format FMT --base-dir BASE ARGS` run from BASE; the run must not crash."""
    status, out, err, crash = run_lint([target, "--format", fmt, "--base-dir", str(base), *args], base)
    return Run(status, out, err, crash)


def assert_sane(run: Run) -> None:
    """The bar for any input: no traceback, no internal error, exit status 0 or 1, and well-formed JSON."""
    assert run.crash is None, run.crash
    assert run.status in (0, 1), f"exit status {run.status}: {run.err}"
    findings = run.findings
    assert all(f["code"] != "NL999" for f in findings), [f["message"] for f in findings if f["code"] == "NL999"]
    for f in findings:
        assert f["line"] >= 1 and f["column"] >= 1, f
        assert (f["end_line"], f["end_column"]) >= (f["line"], f["column"]), f


write = write_tree  # bytes as they are, text as UTF-8 with undecodable bytes kept


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under `root` with its kind, size, mtime and content: what a run must leave untouched."""
    state = {}
    for current, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(current) / name
            info = path.lstat()
            content = path.read_bytes() if path.is_file() and not path.is_symlink() and info.st_mode & 0o444 else None
            state[str(path.relative_to(root))] = (info.st_mode, info.st_size, info.st_mtime_ns, content)
    return state
