"""`nginx -t` on a tree of files, in a private copy: the verdict, the message and the file:line nginx names.

Debian's nginx 1.22 with NDK and lua-nginx-module loaded through `-g` (nginx reads `-g` before the file, so
`load_module` works there and the file's line numbers stay as written). Each run gets its own prefix with
`logs/` and the pid file inside it; the server is never started (`-t` opens no listening socket).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lintkit import LOAD_LUA_MODULES, NGINX, nginx_missing
from nginxlint.nginx.directives import STOCK_INCLUDE_FILES
TIMEOUT = 30
# Files every nginx package installs next to nginx.conf; nginxlint assumes they are there, so the copy gets them.
STOCK_DIR = Path("/etc/nginx")

# "nginx: [emerg] MESSAGE in FILE:LINE" (before the error log is open) or "DATE [emerg] PID#TID: MESSAGE ...".
_PROBLEM = re.compile(r"\[(emerg|alert|crit)\] (?:\d+#\d+: )?(.*?)(?: in (\S+?):(\d+))?$", re.M)


unavailable_reason = nginx_missing  # None when nginx and the Lua module can be used here, else why not


@dataclass(frozen=True)
class NginxVerdict:
    accepted: bool
    message: str | None = None  # the first [emerg] message, without its "in FILE:LINE"
    path: str | None = None  # relative to the tree, POSIX; None when nginx names no file
    line: int | None = None
    output: str = ""


def server_prefix(root: Path) -> Path:
    """The prefix nginxlint assumes (the parent of conf/, else the config's own directory), so both tools agree."""
    return root.parent.parent if root.parent.name == "conf" else root.parent


def check_tree(tree: Path, root: str) -> NginxVerdict:
    """`nginx -t` on `tree/root`, run on a copy of the tree so that nothing is written next to the originals."""
    with tempfile.TemporaryDirectory(prefix="nginxlint-t-") as scratch:
        copy = Path(scratch) / "tree"
        shutil.copytree(tree, copy, symlinks=True)
        conf = copy / root
        prefix = server_prefix(conf)
        (prefix / "logs").mkdir(parents=True, exist_ok=True)
        _install_stock_files(conf.parent)
        for directory in [Path(scratch), *(p for p in copy.rglob("*") if p.is_dir() and not p.is_symlink())]:
            directory.chmod(0o755)  # workers run as nobody; a 0700 dir hides files from them
        loads = LOAD_LUA_MODULES
        if not _sets_pid(conf):  # a second pid would be "duplicate"; -t writes no pid file anyway
            loads += f" pid {prefix}/logs/nginx.pid;"
        command = [NGINX, "-t", "-p", f"{prefix}/", "-c", str(conf), "-e", "stderr", "-g", loads]
        try:
            run = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=TIMEOUT,
                                 stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return NginxVerdict(False, "nginx -t timed out", None, None, "")
        output = run.stderr.replace(str(copy) + "/", "")
    return parse_output(run.returncode, output)


def _sets_pid(conf: Path) -> bool:
    try:
        return re.search(rb"(?m)^[ \t]*pid[ \t]", conf.read_bytes()) is not None
    except OSError:
        return False


def _install_stock_files(conf_dir: Path) -> None:
    for name in sorted(STOCK_INCLUDE_FILES):
        source, target = STOCK_DIR / name, conf_dir / name
        if source.is_file() and not os.path.lexists(target):
            shutil.copyfile(source, target)


def parse_output(status: int, output: str) -> NginxVerdict:
    if status == 0:
        return NginxVerdict(True, output=output)
    match = _PROBLEM.search(output)
    if match is None:
        return NginxVerdict(False, output.strip() or f"nginx -t exited {status}", output=output)
    message, path, line = match.group(2), match.group(3), match.group(4)
    return NginxVerdict(False, message, path, int(line) if line else None, output)
