"""Test helpers shared by every test module: run the real CLI in-process on a tree of files and read its JSON.

(A module of its own, not conftest.py: several conftest modules would shadow each other on import.)
"""
from __future__ import annotations

import io
import json
import os
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent

# Debian's nginx with NDK and lua-nginx-module, for the tests that ask the real nginx (NGINXLINT_ORACLE_MODULES
# may point at modules unpacked elsewhere).
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
MODULES_DIR = Path(os.environ.get("NGINXLINT_ORACLE_MODULES", "/usr/lib/nginx/modules"))
LUA_MODULES = ("ndk_http_module.so", "ngx_http_lua_module.so")
LOAD_LUA_MODULES = " ".join(f"load_module {MODULES_DIR / name};" for name in LUA_MODULES)  # for -g or a file


def nginx_missing() -> str | None:
    """None when nginx and its Lua module are installed here, else why not (a skip reason)."""
    if NGINX is None:
        return "nginx is not installed"
    missing = [name for name in LUA_MODULES if not (MODULES_DIR / name).exists()]
    if missing:
        return f"nginx Lua module missing in {MODULES_DIR}: {', '.join(missing)} (set NGINXLINT_ORACLE_MODULES)"
    return None


def write_tree(base: Path, files: dict[str, str | bytes]) -> None:
    """Write files under `base`: text as UTF-8 (undecodable bytes kept as they were read), bytes as they are."""
    for name, content in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8", "surrogateescape"))


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
