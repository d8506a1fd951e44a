"""Test helpers shared by every test module: run the real CLI in-process on a tree of files and read its JSON.

(A module of its own, not conftest.py: several conftest modules would shadow each other on import.)
"""
from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent


def write_tree(base: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


class Result:
    def __init__(self, status: int, out: str, err: str):
        self.status, self.out, self.err = status, out, err

    @property
    def json(self) -> dict:
        return json.loads(self.out)

    def codes(self) -> list[str]:
        return [f["code"] for f in self.json["findings"]]


def run_cli(args: list[str], cwd: Path | None = None, stdin: bytes | None = None) -> Result:
    """`nginxlint ARGS` in this process (fast), with standard streams captured."""
    from nginxlint.cli import main

    out, err = io.StringIO(), io.StringIO()
    out.buffer = io.BytesIO()  # the CLI writes UTF-8 bytes
    err.buffer = io.BytesIO()
    old_cwd = Path.cwd()
    old_stdin = sys.stdin
    try:
        if cwd is not None:
            import os

            os.chdir(cwd)
        if stdin is not None:
            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
        with redirect_stdout(out), redirect_stderr(err):
            status = main(args)
    finally:
        import os

        os.chdir(old_cwd)
        sys.stdin = old_stdin
    return Result(status, out.buffer.getvalue().decode("utf-8") + out.getvalue(),
                  err.buffer.getvalue().decode("utf-8") + err.getvalue())
