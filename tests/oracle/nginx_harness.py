"""Run a real nginx on a config tree: `nginx -t`, start, GET, read error.log, stop by pid.

Debian's nginx with libnginx-mod-http-lua (ngx_lua 0.10.23) and NDK. Each tree gets its own prefix (a fresh
0755 directory: the workers run as `nobody` when started as root, and must read the Lua files) with `logs/`, the
pid file and every temp path inside it. nginx listens on 127.0.0.1 only, on a free port.

Environment, for modules unpacked elsewhere (e.g. when libluajit2 conflicts with an installed luajit):
  NGINXLINT_ORACLE_MODULES  directory holding ndk_http_module.so and ngx_http_lua_module.so
  NGINXLINT_ORACLE_LIBS     LD_LIBRARY_PATH for the modules' libraries (libluajit-5.1.so.2)
  NGINXLINT_ORACLE_LUA_PATH LUA_PATH entries where resty/core.lua lives (ngx_lua >= 0.10.16 needs it); `;;` added

A small DNS server (`FakeDns`) answers every A query with 127.0.0.1, so that `resolver` cases can succeed.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from lintkit import LUA_MODULES, MODULES_DIR, NGINX, nginx_missing
RESTY_CORE_DIRS = ("/usr/share/lua/5.1", "/usr/local/share/lua/5.1", "/usr/local/openresty/lualib")
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port free on 127.0.0.1 that no earlier call handed out: the kernel may offer a port it just freed again, and a
    test that takes one for its upstream and then starts nginx on another would get the same twice."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def environment(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    libs = os.environ.get("NGINXLINT_ORACLE_LIBS")
    if libs:
        env["LD_LIBRARY_PATH"] = libs + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    lua_path = os.environ.get("NGINXLINT_ORACLE_LUA_PATH")
    if lua_path:
        env["LUA_PATH"] = lua_path.rstrip(";") + ";;"
    env.update(extra or {})
    return env


def main_preamble() -> str:
    """The main-context lines every oracle config starts with (one line each, so line numbers stay readable)."""
    loads = "".join(f"load_module {MODULES_DIR / m};\n" for m in LUA_MODULES)
    return loads + "pid logs/nginx.pid;\nerror_log logs/error.log notice;\nworker_processes 1;\n"


def http_preamble() -> str:
    """Inside http {}: no access log, temp paths under the prefix."""
    temps = " ".join(f"{name}_temp_path tmp/{name};" for name in TEMP_PATHS)
    return "access_log off; " + temps


def http_config(servers: str) -> str:
    """A whole config of these servers for stock nginx (no modules loaded): pid and error log under the prefix."""
    return ("pid logs/nginx.pid;\nerror_log logs/error.log notice;\nevents { worker_connections 64; }\n"
            f"http {{\n{http_preamble()}\n{servers}\n}}\n")


_AVAILABLE: list = []


def unavailable() -> str | None:
    """None when nginx with the Lua module can start here, else why not (a skip reason)."""
    if _AVAILABLE:
        return _AVAILABLE[0]
    reason = _probe()
    _AVAILABLE.append(reason)
    return reason


def _probe() -> str | None:
    missing = nginx_missing()
    if missing:
        return missing
    lua_path = os.environ.get("NGINXLINT_ORACLE_LUA_PATH", "")
    places = [*RESTY_CORE_DIRS, *(p.split("?")[0] for p in lua_path.split(";") if p)]
    if not any(Path(p, "resty", "core.lua").exists() for p in places):
        return "lua-resty-core is not installed (ngx_lua needs it to start; set NGINXLINT_ORACLE_LUA_PATH)"
    with Nginx({"conf/nginx.conf": main_preamble() + "events {}\nhttp { " + http_preamble() + " }\n"}) as probe:
        result = probe.test()
        if result.status != 0:
            return f"nginx -t with the Lua module fails here: {result.stderr.strip()[:300]}"
    return None


@dataclass
class Outcome:
    status: int
    stderr: str


class Nginx:
    """One nginx prefix. Use as a context manager: the server is always stopped and the prefix removed."""

    def __init__(self, files: dict[str, str], conf: str = "conf/nginx.conf", port: int | None = None, env=None,
                 root: Path | None = None):
        """`root`: an empty directory to use as the prefix (inside a layout the caller made), else a fresh one."""
        self.port = port or free_port()
        self.root = root or Path(tempfile.mkdtemp(prefix="nginxlint-oracle-"))
        self.root.chmod(0o755)
        self.conf = conf
        self.env = environment(env)
        self.pid: int | None = None
        for sub in ("conf", "logs", "tmp"):
            (self.root / sub).mkdir(mode=0o755, exist_ok=True)
        self.write(files)

    # -- files ------------------------------------------------------------------------------------------

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            for parent in [path.parent, *path.parent.parents]:
                if parent == self.root:
                    break
                parent.chmod(0o755)
            path.write_text(text.replace("{port}", str(self.port)), encoding="utf-8")
            path.chmod(0o644)

    def error_log(self) -> str:
        path = self.root / "logs" / "error.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def wait_for_log(self, text: str, seconds: float = 3.0) -> str:
        """The error log once it holds `text` (a worker writes it after the response), or as it is at the deadline."""
        deadline = time.monotonic() + seconds
        while True:
            log = self.error_log()
            if text in log or time.monotonic() > deadline:
                return log
            time.sleep(0.05)

    # -- nginx ------------------------------------------------------------------------------------------

    def _command(self, *extra: str) -> list[str]:
        return [NGINX, *extra, "-p", f"{self.root}/", "-c", self.conf]

    def test(self) -> Outcome:
        proc = subprocess.run(self._command("-t"), capture_output=True, text=True, timeout=30, env=self.env,
                              cwd=self.root)
        return Outcome(proc.returncode, proc.stderr)

    def start(self, cwd: Path | None = None) -> Outcome:
        """Start (daemonised, as nginx does by default); wait until the port accepts connections."""
        proc = subprocess.run(self._command(), capture_output=True, text=True, timeout=30, env=self.env,
                              cwd=cwd or self.root)
        if proc.returncode != 0:
            self._read_pid(wait=0)  # a master may have been left behind
            return Outcome(proc.returncode, proc.stderr + self.error_log())
        self._read_pid()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        return Outcome(0, proc.stderr)

    def _read_pid(self, wait: float = 2.0) -> None:
        path = self.root / "logs" / "nginx.pid"
        deadline = time.monotonic() + wait
        while True:
            try:
                self.pid = int(path.read_text().strip())
                return
            except (OSError, ValueError):
                if time.monotonic() >= deadline:
                    return
                time.sleep(0.05)

    def get(self, path: str, timeout: float = 3.0) -> tuple[int, str]:
        """(status, body) of GET http://127.0.0.1:PORT/path."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def stop(self) -> None:
        """SIGQUIT to our master (graceful), then wait for it to exit; SIGKILL only if it hangs."""
        pid, self.pid = self.pid, None
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGQUIT)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if not _running(pid):
                return
            time.sleep(0.02)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def __enter__(self) -> "Nginx":
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    # -- nginxlint on the same files ----------------------------------------------------------------------

    def lint(self, *args: str) -> list[dict]:
        """nginxlint's findings (JSON) on this very tree, as `nginxlint ROOT --format json` prints them."""
        return lint_json([str(self.root), "--format", "json", "--base-dir", str(self.root), "--isolated",
                          "--no-cache", *args])

    def lint_deployed(self, *args: str) -> list[dict]:
        """nginxlint's findings on the tree as it is deployed, its servers on every address: the test's nginx
        listens on 127.0.0.1 only, where rules about what outside clients can do are quiet (only this host's
        processes connect)."""
        deployed = self.root.parent / (self.root.name + "-deployed")
        shutil.rmtree(deployed, ignore_errors=True)
        shutil.copytree(self.root, deployed, ignore=shutil.ignore_patterns("*.pid", "logs", "*_temp"))
        try:
            for conf in deployed.rglob("*.conf"):
                conf.write_text(conf.read_text().replace("listen 127.0.0.1:", "listen "))
            return lint_json([str(deployed), "--format", "json", "--base-dir", str(deployed), "--isolated",
                              "--no-cache", *args])
        finally:
            shutil.rmtree(deployed, ignore_errors=True)


def lint_json(args: list[str]) -> list[dict]:
    """Run the CLI in this process (no interpreter start-up per case) and return its findings."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from nginxlint.cli import main

    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with redirect_stdout(out), redirect_stderr(err):
        status = main(args)
    out.flush(), err.flush()
    text = out.buffer.getvalue().decode("utf-8")
    assert status in (0, 1), err.buffer.getvalue().decode("utf-8", "replace")
    return json.loads(text)["findings"]


def _running(pid: int) -> bool:
    """Whether the process still runs: a daemonised master that exited may stay a zombie until init reaps it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):
        return True


class FakeDns:
    """A DNS server on 127.0.0.1 (UDP) that answers every A query with 127.0.0.1 (TTL 30), for resolver cases."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.queries: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> "FakeDns":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            except OSError:
                return
            reply = self._answer(data)
            if reply:
                self.sock.sendto(reply, peer)

    def _answer(self, query: bytes) -> bytes | None:
        if len(query) < 12:
            return None
        ident, _flags, qdcount = struct.unpack("!HHH", query[:6])
        position, labels = 12, []
        while position < len(query) and query[position]:
            length = query[position]
            labels.append(query[position + 1 : position + 1 + length].decode("ascii", "replace"))
            position += 1 + length
        question_end = position + 5  # zero byte, QTYPE, QCLASS
        qtype = struct.unpack("!H", query[position + 1 : position + 3])[0] if question_end <= len(query) else 0
        self.queries.append(".".join(labels))
        question = query[12:question_end]
        if qtype != 1:  # AAAA and others: no answer, no error
            return struct.pack("!HHHHHH", ident, 0x8180, 1, 0, 0, 0) + question
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 30, 4) + socket.inet_aton("127.0.0.1")
        return struct.pack("!HHHHHH", ident, 0x8180, 1, 1, 0, 0) + question + answer


def raw_request(port: int, head: str) -> str:
    """The whole answer to one raw HTTP/1.1 request sent as written (`Connection: close` added), as latin-1 text:
    for requests no HTTP client would send (a CR in a path, a spoofed Host)."""
    with socket.create_connection(("127.0.0.1", port), timeout=3) as sock:
        sock.sendall((head + "Connection: close\r\n\r\n").encode("latin-1"))
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.decode("latin-1")
