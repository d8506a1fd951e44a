"""CTR104's start-up case against a real nginx: a shell as the container's first process (PID 1 of its own PID
namespace, made with `unshare`) that starts nginx in the background and then waits in `sleep`. The stop signal sent
to PID 1 never reaches nginx, whose master keeps running until the namespace is killed; started with
`exec nginx -g 'daemon off;'`, nginx is PID 1, gets SIGQUIT and shuts down gracefully. nginxlint reports the first
start script and not the second, on the very same files."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import pytest

from nginx_harness import NGINX, Nginx

pytestmark = pytest.mark.skipif(NGINX is None or shutil.which("unshare") is None,
                                reason="needs nginx and unshare (util-linux)")

CONF = ("pid logs/nginx.pid;\nerror_log logs/error.log notice;\nevents { worker_connections 64; }\n"
        "http { access_log off; client_body_temp_path tmp/client_body; proxy_temp_path tmp/proxy; "
        "fastcgi_temp_path tmp/fastcgi; uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;\n"
        "server { listen 127.0.0.1:{port}; location / { return 200 ok; } } }\n")
DOCKERFILE = ("FROM openresty/openresty:1.25.3.1-bookworm\nCOPY conf/nginx.conf /usr/local/openresty/nginx/conf/"
              "nginx.conf\nCOPY start.sh /start.sh\nENTRYPOINT [\"/start.sh\"]\n")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except (OSError, IndexError):
        return False


def _master(ng: Nginx) -> int | None:
    found = subprocess.run(["pgrep", "-f", f"nginx: master process .*{ng.root}/"], capture_output=True, text=True)
    pids = found.stdout.split()
    return int(pids[0]) if pids else None


def _run_as_pid1(ng: Nginx, start: str) -> tuple[bool, str]:
    """Start `start` (the script's text, with NGINX for the binary) as PID 1 of a new PID namespace, send it SIGQUIT
    as a container runtime does, and say whether nginx's master still runs a second later, with the error log."""
    script = start.replace("NGINX", f"{NGINX} -p {ng.root}/ -c conf/nginx.conf")
    shell = subprocess.Popen(["unshare", "--pid", "--fork", "--kill-child", "sh", "-c", script], cwd=ng.root)
    try:
        deadline = time.monotonic() + 5
        while not (ng.root / "logs" / "nginx.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        master = _master(ng)  # its pid on the host: the pid file holds the namespace's
        assert master is not None, ng.error_log()
        children = subprocess.run(["pgrep", "-P", str(shell.pid)], capture_output=True, text=True).stdout.split()
        if not children:
            pytest.skip("unshare made no child process here")
        os.kill(int(children[0]), signal.SIGQUIT)  # the namespace's PID 1, as `docker stop` signals it
        time.sleep(1.0)
        return _alive(master), ng.error_log()
    finally:
        shell.kill()  # --kill-child: the namespace's processes die with it, as at the end of the grace period
        shell.wait(timeout=5)
        for pid in subprocess.run(["pgrep", "-f", str(ng.root)], capture_output=True, text=True).stdout.split():
            os.kill(int(pid), signal.SIGKILL)  # an nginx that was ours, should the namespace have leaked it


def _files(script: str) -> dict:
    return {"conf/nginx.conf": CONF, "Dockerfile": DOCKERFILE, "start.sh": script}


def test_shell_as_pid1_with_nginx_in_the_background_never_passes_the_stop_signal():
    script = "#!/bin/sh\nset -e\nNGINX\nsleep 30\n"
    with Nginx(_files(script.replace("NGINX", "openresty"))) as ng:
        still_running, log = _run_as_pid1(ng, script)
        assert still_running, "nginx stopped although the signal went to the shell"
        assert "signal 3 (SIGQUIT) received" not in log
        found = [f for f in ng.lint() if f["code"] == "CTR104"]
        assert [(f["path"], f["line"], f["column"]) for f in found] == [("start.sh", 3, 1)]
        assert "`sleep 30` (line 4) stays the container's main process" in found[0]["message"]


def test_nginx_exec_in_the_foreground_gets_the_stop_signal():
    script = "#!/bin/sh\nset -e\nexec NGINX -g 'daemon off;'\n"
    with Nginx(_files(script.replace("NGINX", "openresty"))) as ng:
        still_running, log = _run_as_pid1(ng, script)
        assert not still_running, log
        assert "signal 3 (SIGQUIT) received" in log and "gracefully shutting down" in log
        assert not [f for f in ng.lint() if f["code"] == "CTR104"]
