"""Container rules against a real nginx: what CTR101, CTR104, CTR105, CTR107, CTR109, CTR110 and K8S402 claim
happens, happens, and why SEC571 stays on an nginx that only a front nginx of its stack reaches.

- CTR101: `worker_processes auto` counts the online CPUs, not the CPUs the process may run on: under
  `taskset -c 0` nginx still starts one worker per online CPU.
- CTR104: `daemon off;` in the config plus `-g 'daemon off;'` on the command line: `nginx -t` refuses it.
- CTR110: a start script (sh or bash) that runs nginx without `exec` stays PID 1 of the container's PID namespace
  (`unshare --pid --fork`), and SIGTERM to it never reaches nginx, which logs nothing; with `exec` nginx is PID 1
  and logs `signal 15 (SIGTERM) received`. A shell-form CMD (`sh -c "nginx …"`) does the same under Debian's
  dash, which runs even the last command of a `-c` text as a child; BusyBox ash (Alpine) execs it, and nginx gets
  the signal.
- CTR105: an access log file linked to /dev/stdout (as a Dockerfile's `RUN ln -sf` makes it) sends each request
  line to nginx's standard output, and no file holds it.
- CTR107: nginx run by a user other than root in a network namespace of its own binds port 80 where the namespace's
  net.ipv4.ip_unprivileged_port_start is 0 (Docker's setting for every container) and fails with (13: Permission
  denied) where it is 1024 (the kernel's default).
- Placement: a file linked into a directory a block includes (`stream { include enabled/*; }`, the link made by a
  Dockerfile's `RUN ln -sf`) is read as that block's: a stream server passes `nginx -t` there and is refused
  under http.
- CTR109: a worker whose open-file limit (worker_rlimit_nofile) is below worker_connections fails to accept
  with (24: Too many open files) before it reaches worker_connections; with the limit at worker_connections
  the same clients are served (upstream connections are counted in worker_connections, not on top of it).
- K8S402: a probe location with `allow 127.0.0.1; deny all;` answers 403 to a client that is not on the
  loopback (the kubelet, which probes the pod IP from the node). Shown with a network namespace and a veth
  pair in a private /30, nothing leaving the machine; skipped where namespaces cannot be made.
- SEC571: a front nginx with `server_tokens off` sends `Server: nginx` for its upstream's answers, but passes the
  upstream's own 404 page on, whose body ends in the upstream's `nginx/<version>`.

Each test also runs nginxlint on the very same files: the rule is reported on the fail case and not on the pass case.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from lintkit import MODULES_DIR
from nginx_harness import NGINX, Nginx, lint_json

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")

PREAMBLE = "pid logs/nginx.pid;\nerror_log logs/error.log notice;\n"
HTTP_PREAMBLE = "access_log off; " + " ".join(
    f"{name}_temp_path tmp/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))


def config(main: str, server: str) -> str:
    return f"{PREAMBLE}{main}events {{ worker_connections 64; }}\nhttp {{\n{HTTP_PREAMBLE}\n{server}\n}}\n"


def codes(findings, code):
    return [f for f in findings if f["code"] == code]


def workers_of(master: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.append(int(entry))
    return children


def _wait_for_workers(master: int, count: int, timeout: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while True:
        found = workers_of(master)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


# -- CTR101 --------------------------------------------------------------------------------------------------

# CTR101 speaks of a container with a CPU limit: the linted tree runs in this Compose service.
COMPOSE_ONE_CPU = """\
services:
  web:
    image: openresty/openresty:1.27.1.2-alpine
    cpus: 1
    volumes: ["./conf/nginx.conf:/usr/local/openresty/nginx/conf/nginx.conf:ro"]
"""

@pytest.mark.skipif(shutil.which("taskset") is None, reason="taskset is not installed")
def test_worker_processes_auto_counts_online_cpus_not_the_affinity_mask():
    online = os.sysconf("SC_NPROCESSORS_ONLN")
    if online < 2:
        pytest.skip("one online CPU: auto and the affinity mask give the same count here")
    files = {"conf/nginx.conf": config("worker_processes auto;\n",
                                       "server { listen 127.0.0.1:{port}; location / { return 200; } }"),
             "compose.yaml": COMPOSE_ONE_CPU}
    with Nginx(files) as nginx:
        proc = subprocess.run(["taskset", "-c", "0", *nginx._command()], capture_output=True, text=True,
                              timeout=30, env=nginx.env, cwd=nginx.root)
        assert proc.returncode == 0, proc.stderr + nginx.error_log()
        nginx._read_pid()
        assert nginx.pid is not None
        workers = _wait_for_workers(nginx.pid, online)
        assert len(workers) == online, f"{len(workers)} workers for {online} online CPUs"
        assert all(os.sched_getaffinity(pid) == {0} for pid in workers)  # all confined to CPU 0
        nginx.stop()
        findings = nginx.lint()
    assert [(f["path"], f["line"]) for f in codes(findings, "CTR101")] == [("conf/nginx.conf", 3)]

    fixed = {"conf/nginx.conf": config("worker_processes 1;\n",
                                       "server { listen 127.0.0.1:{port}; location / { return 200; } }"),
             "compose.yaml": COMPOSE_ONE_CPU}
    with Nginx(fixed) as nginx:
        assert nginx.start().status == 0
        assert len(_wait_for_workers(nginx.pid, 1)) == 1
        nginx.stop()
        assert codes(nginx.lint(), "CTR101") == []


# -- CTR104 --------------------------------------------------------------------------------------------------

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: nginx
          image: registry.example.com/web:1
          command: ["nginx"]
          args: ["-g", "daemon off;"]
"""


@pytest.mark.parametrize("daemon_line, refused", [("daemon off;\n", True), ("", False)])
def test_daemon_off_twice_is_refused(daemon_line, refused):
    files = {"conf/nginx.conf": config("worker_processes 1;\n" + daemon_line,
                                       "server { listen 127.0.0.1:{port}; }"),
             "k8s/deployment.yaml": MANIFEST}
    with Nginx(files) as nginx:
        proc = subprocess.run([NGINX, "-t", "-g", "daemon off;", "-p", f"{nginx.root}/", "-c", nginx.conf],
                              capture_output=True, text=True, timeout=30, env=nginx.env)
        findings = codes(nginx.lint(), "CTR104")
    if refused:
        assert proc.returncode != 0 and '"daemon" directive is duplicate' in proc.stderr, proc.stderr
        assert [(f["line"], f["column"]) for f in findings] == [(4, 1)]
    else:
        assert proc.returncode == 0, proc.stderr
        assert findings == []


# -- CTR110 --------------------------------------------------------------------------------------------------

START_FILES = {
    "Dockerfile": 'FROM alpine:3.21\nRUN apk add --no-cache nginx\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n',
    "compose.yaml": "services:\n  web:\n    build: .\n"
                    '    volumes: ["./conf/nginx.conf:/etc/nginx/nginx.conf:ro"]\n',
}


def _first_process(unshare: subprocess.Popen, seconds: float = 5.0) -> int:
    """The host pid of PID 1 in the namespace `unshare --pid --fork` made: its only child."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        children = open(f"/proc/{unshare.pid}/task/{unshare.pid}/children").read().split()
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise AssertionError("unshare started no process")


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="a PID namespace needs root")
@pytest.mark.parametrize("shell", ["sh", "bash"])
@pytest.mark.parametrize("prefix, reaches", [("", False), ("exec ", True)])
@pytest.mark.parametrize("trap", ["", "trap 'echo trapped' HUP INT QUIT TERM\n"])  # run once the child has ended
def test_a_start_script_that_runs_nginx_without_exec_drops_the_stop_signal(shell, prefix, reaches, trap):
    files = {"conf/nginx.conf": config("", "server { listen 127.0.0.1:{port}; }"), **START_FILES}
    with Nginx(files) as nginx:
        nginx.write({"start.sh": f"#!/bin/{shell}\n{trap}echo starting\n"
                                 f"{prefix}{NGINX} -p {nginx.root}/ -c conf/nginx.conf -g 'daemon off;'\n"})
        unshare = subprocess.Popen(["unshare", "--pid", "--fork", shell, "start.sh"], cwd=nginx.root,
                                   env=nginx.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            first = _first_process(unshare)
            nginx.wait_for_log("start worker process")
            os.kill(first, signal.SIGTERM)  # what the runtime sends PID 1 to stop the container
            log = nginx.wait_for_log("signal 15 (SIGTERM) received", seconds=2)
            assert ("signal 15 (SIGTERM) received" in log) == reaches, log
        finally:
            if unshare.poll() is None:
                os.kill(_first_process(unshare), signal.SIGKILL)  # the namespace's processes die with its PID 1
            unshare.wait(timeout=10)
        findings = codes(nginx.lint(), "CTR110")
    # where nginx gets no signal, the command to put `exec` before is reported; else the SIGTERM it gets
    nginx_line = 3 + bool(trap)
    assert [(f["path"], f["line"]) for f in findings] == ([("compose.yaml", 2)] if reaches else [("start.sh", nginx_line)])


# Debian's dash (Debian disables upstream's exec of a `-c` text's last command) and BusyBox ash, Alpine's /bin/sh.
_DEBIAN_DASH = shutil.which("dash") is not None and os.path.exists("/usr/share/doc/dash/changelog.Debian.gz")


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="a PID namespace needs root")
@pytest.mark.parametrize("shell, base, reaches", [
    pytest.param(("dash",), "debian:12", False, marks=pytest.mark.skipif(not _DEBIAN_DASH, reason="no Debian dash")),
    pytest.param(("busybox", "sh"), "alpine:3.21", True,
                 marks=pytest.mark.skipif(shutil.which("busybox") is None, reason="no busybox")),
])
def test_a_shell_form_cmd_hands_the_stop_signal_on_only_where_sh_execs_its_last_command(shell, base, reaches):
    files = {"conf/nginx.conf": config("", "server { listen 127.0.0.1:{port}; }"),
             "Dockerfile": f"FROM {base}\nCMD nginx -g 'daemon off;'\n",  # Docker runs it as /bin/sh -c "…"
             "compose.yaml": "services:\n  web:\n    build: .\n"
                             '    volumes: ["./conf/nginx.conf:/etc/nginx/nginx.conf:ro"]\n'}
    with Nginx(files) as nginx:
        text = f"{NGINX} -p {nginx.root}/ -c conf/nginx.conf -g 'daemon off;'"
        unshare = subprocess.Popen(["unshare", "--pid", "--fork", *shell, "-c", text], cwd=nginx.root,
                                   env=nginx.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            first = _first_process(unshare)
            nginx.wait_for_log("start worker process")
            os.kill(first, signal.SIGTERM)  # what the runtime sends PID 1 to stop the container
            log = nginx.wait_for_log("signal 15 (SIGTERM) received", seconds=2)
            assert ("signal 15 (SIGTERM) received" in log) == reaches, log
        finally:
            if unshare.poll() is None:
                os.kill(_first_process(unshare), signal.SIGKILL)  # the namespace's processes die with its PID 1
            unshare.wait(timeout=10)
        findings = codes(nginx.lint(), "CTR110")
    assert [(f["path"], f["line"]) for f in findings] == ([("compose.yaml", 2)] if reaches else [("Dockerfile", 2)])


# -- CTR109 --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rlimit, refused", [(1024, True), (2048, False)])
def test_worker_connections_above_the_open_file_limit_refuses_clients(rlimit, refused):
    import resource

    clients = 1100  # more descriptors than 1024, fewer connections than 2048
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 2048 or soft < clients + 100:
        pytest.skip("the open-file limits here are too low for 1100 clients and a 2048 worker limit")
    files = {"conf/nginx.conf": f"{PREAMBLE}worker_processes 1;\nworker_rlimit_nofile {rlimit};\n"
                                f"events {{ worker_connections 2048; }}\nhttp {{\n{HTTP_PREAMBLE}\n"
                                "server { listen 127.0.0.1:{port}; location / { return 200; } }\n}\n",
             "Dockerfile": "FROM nginx:1.27\nCOPY conf/nginx.conf /etc/nginx/nginx.conf\n"}
    with Nginx(files) as nginx:
        assert nginx.start().status == 0
        sockets = []
        try:
            for _ in range(clients):
                sockets.append(socket.create_connection(("127.0.0.1", nginx.port), timeout=2))
            time.sleep(0.5)  # let the worker accept what it can
        finally:
            for sock in sockets:
                sock.close()
        nginx.stop()
        log = nginx.error_log()
        findings = codes(nginx.lint(), "CTR109")
    if refused:
        assert "(24: Too many open files)" in log, log
        assert [(f["line"], f["column"]) for f in findings] == [(5, 29)]
    else:
        assert "Too many open files" not in log and "worker_connections are not enough" not in log, log
        assert findings == []


# -- K8S402 --------------------------------------------------------------------------------------------------

class Namespace:
    """A network namespace joined to this one by a veth pair in 10.213.47.0/30; removed on exit."""

    OUTSIDE, INSIDE = "10.213.47.1", "10.213.47.2"

    def __init__(self):
        tag = uuid.uuid4().hex[:6]
        self.name, self.outer, self.inner = f"nlt{tag}", f"nlt{tag}a", f"nlt{tag}b"

    def _ip(self, *args: str, inside: bool = False) -> None:
        command = ["ip", "netns", "exec", self.name, "ip", *args] if inside else ["ip", *args]
        subprocess.run(command, check=True, capture_output=True, timeout=10)

    def __enter__(self) -> "Namespace":
        self._ip("netns", "add", self.name)
        try:
            self._ip("link", "add", self.outer, "type", "veth", "peer", "name", self.inner)
            self._ip("link", "set", self.inner, "netns", self.name)
            self._ip("addr", "add", f"{self.OUTSIDE}/30", "dev", self.outer)
            self._ip("link", "set", self.outer, "up")
            self._ip("addr", "add", f"{self.INSIDE}/30", "dev", self.inner, inside=True)
            self._ip("link", "set", self.inner, "up", inside=True)
            self._ip("link", "set", "lo", "up", inside=True)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True, timeout=10)
        subprocess.run(["ip", "link", "del", self.outer], capture_output=True, timeout=10)


def _namespaces_unavailable() -> str | None:
    if shutil.which("ip") is None:
        return "iproute2 is not installed"
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = Namespace()
    try:
        with probe:
            pass
    except (subprocess.CalledProcessError, OSError) as error:
        return f"cannot create a network namespace here: {error}"
    return None


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


PROBE_MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          readinessProbe:
            httpGet: {path: /healthz, port: PORT}
"""


@pytest.mark.parametrize("body, blocked", [
    ("allow 127.0.0.1; deny all; stub_status;", True),
    ("stub_status;", False),
    # `return` answers in the rewrite phase, before the access phase: allow/deny never run
    ("allow 127.0.0.1; deny all; return 200 ok;", False),
])
def test_probe_location_allowing_only_loopback_refuses_the_kubelet(body, blocked):
    reason = _namespaces_unavailable()
    if reason:
        pytest.skip(reason)
    port = 18000 + os.getpid() % 1000
    files = {
        "conf/nginx.conf": config("worker_processes 1;\n",
                                  f"server {{ listen {port}; location = /healthz {{ {body} }} }}"),
        "k8s/deployment.yaml": PROBE_MANIFEST.replace("PORT", str(port)),
    }
    with Namespace() as namespace, Nginx(files, port=port) as nginx:
        proc = subprocess.run(["ip", "netns", "exec", namespace.name, *nginx._command()], capture_output=True,
                              text=True, timeout=30, env=nginx.env, cwd=nginx.root)
        assert proc.returncode == 0, proc.stderr + nginx.error_log()
        nginx._read_pid()
        try:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # wait for the listener inside the namespace
                try:
                    with socket.create_connection((namespace.INSIDE, port), timeout=0.2):
                        break
                except OSError:
                    time.sleep(0.05)
            from_node = _status(f"http://{namespace.INSIDE}:{port}/healthz")
            from_inside = subprocess.run(
                ["ip", "netns", "exec", namespace.name, "python3", "-c",
                 "import urllib.request,sys\n"
                 f"print(urllib.request.urlopen('http://127.0.0.1:{port}/healthz', timeout=3).status)"],
                capture_output=True, text=True, timeout=15)
        finally:
            nginx.stop()
        log = nginx.error_log()
        findings = codes(nginx.lint(), "K8S402")
    assert from_inside.stdout.strip() == "200", from_inside.stderr
    if blocked:
        assert from_node == 403
        assert "access forbidden by rule, client: 10.213.47.1" in log
        assert [(f["path"], f["line"]) for f in findings] == [("k8s/deployment.yaml", 11)]
    else:
        assert from_node == 200
        assert findings == []


# -- CTR105 --------------------------------------------------------------------------------------------------

LINKED_LOG_CONF = config("", "server {\n    listen 127.0.0.1:{port};\n    access_log logs/app.access.log;\n"
                             "    location / { return 200 ok; }\n}")
DOCKERFILE = "FROM nginx:1.27\nCOPY conf/nginx.conf /etc/nginx/nginx.conf\n"


@pytest.mark.parametrize("link_line", ["RUN ln -sf /dev/stdout /etc/nginx/logs/app.access.log\n", ""])
def test_access_log_linked_to_stdout_reaches_the_process_stdout(link_line, tmp_path):
    """A log file the image links to /dev/stdout: nginx opens the link, so each request line reaches the
    process's stdout (what the runtime collects) and no file holds it. CTR105 is quiet only when the Dockerfile
    that copies the config makes that link."""
    files = {"conf/nginx.conf": LINKED_LOG_CONF, "Dockerfile": DOCKERFILE + link_line}
    stdout = tmp_path / "stdout"
    with Nginx(files) as nginx:
        link = nginx.root / "logs" / "app.access.log"
        link.symlink_to("/dev/stdout")
        with open(stdout, "wb") as out:
            proc = subprocess.Popen([*nginx._command("-g", "daemon off;")], stdout=out, stderr=subprocess.PIPE,
                                    env=nginx.env, cwd=nginx.root)
        try:
            nginx._read_pid()
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    with socket.create_connection(("127.0.0.1", nginx.port), timeout=0.2):
                        break
                except OSError:
                    time.sleep(0.05)
            assert nginx.get("/marker")[0] == 200
            deadline = time.monotonic() + 3
            while "GET /marker" not in stdout.read_text() and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            nginx.stop()
            proc.wait(timeout=10)
        assert "GET /marker" in stdout.read_text()
        assert link.is_symlink()  # nginx wrote through the link, it made no file of its own
        link.unlink()
        findings = [(f["path"], f["line"]) for f in codes(nginx.lint(), "CTR105")]
    assert ("conf/nginx.conf", 8) not in findings if link_line else ("conf/nginx.conf", 8) in findings


# -- CTR107 --------------------------------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("unshare") is None or shutil.which("setpriv") is None or os.geteuid() != 0,
                    reason="a network namespace and another user need root")
@pytest.mark.parametrize("start, binds", [("0", True), ("1024", False)])
def test_a_non_root_nginx_binds_port_80_only_where_the_namespace_lowers_the_unprivileged_start(start, binds):
    """In a network namespace of its own, as a container has, nginx run by a user other than root binds port 80
    with net.ipv4.ip_unprivileged_port_start at 0 (what Docker sets in every container) and fails with 1024."""
    root = Path(tempfile.mkdtemp(prefix="nginxlint-ctr107-"))  # outside the root-only pytest directory
    try:
        for name in ("logs", "tmp"):
            (root / name).mkdir()
        for path in (root, root / "logs", root / "tmp"):
            path.chmod(0o777)  # the user 65534 writes the logs and the pid file
        conf = config("", "server { listen 127.0.0.1:80; return 200; }")
        (root / "nginx.conf").write_text(conf)
        script = (f"ip link set lo up; echo {start} > /proc/sys/net/ipv4/ip_unprivileged_port_start; "
                  f"setpriv --reuid=65534 --regid=65534 --clear-groups {NGINX} -p {root}/ -c nginx.conf "
                  "-g 'daemon off; master_process off;' & sleep 1; kill $! 2>/dev/null; wait")
        subprocess.run(["unshare", "--net", "sh", "-c", script], timeout=20, capture_output=True)
        log = (root / "logs" / "error.log").read_text()
        assert ("bind() to 127.0.0.1:80 failed (13: Permission denied)" in log) is not binds, log
        (root / "compose.yaml").write_text(
            f'services:\n  web:\n    image: nginx:1.27\n    user: "65534:65534"\n'
            f'    sysctls: ["net.ipv4.ip_unprivileged_port_start={start}"]\n'
            '    volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]\n')
        found = codes(lint_json([str(root), "--format", "json"]), "CTR107")
        listen = next(number for number, line in enumerate(conf.splitlines(), 1) if "listen 127.0.0.1:80" in line)
        assert [f["line"] for f in found] == ([] if binds else [listen])
    finally:
        shutil.rmtree(root)


# -- a Dockerfile's `ln -s` into a directory a block includes ---------------------------------------------

SNI_SERVER = "server {\n    listen 127.0.0.1:{port};\n    ssl_preread on;\n    proxy_pass 127.0.0.1:1;\n}\n"
LINKING_DOCKERFILE = ("FROM nginx:1.27\nCOPY conf/ /etc/nginx/\n"
                      "RUN mkdir -p /etc/nginx/enabled \\\n"
                      " && ln -sf /etc/nginx/available/sni.conf /etc/nginx/enabled/10_sni.conf\n")


@pytest.mark.parametrize("block, accepted", [("stream", True), ("http", False)])
def test_a_linked_file_is_read_in_the_block_that_includes_its_directory(block, accepted):
    """nginx reads a file through a link in an included directory as the including block's: a stream server
    (ssl_preread, proxy_pass in server) passes `nginx -t` under `stream { include enabled/*; }` and is refused
    under http. NGX005 follows the Dockerfile's `RUN ln -sf` the same way, where the repository holds no link."""
    conf = (f"load_module {MODULES_DIR / 'ngx_stream_module.so'};\n{PREAMBLE}events {{ worker_connections 64; }}\n"
            f"{block} {{\n    include enabled/*;\n}}\n")
    files = {"conf/nginx.conf": conf, "conf/available/sni.conf": SNI_SERVER, "Dockerfile": LINKING_DOCKERFILE}
    with Nginx(files) as nginx:
        link = nginx.root / "conf" / "enabled" / "10_sni.conf"
        link.parent.mkdir()
        link.symlink_to("../available/sni.conf")
        outcome = nginx.test()
        assert (outcome.status == 0) is accepted, outcome.stderr
        assert accepted or '"ssl_preread" directive is not allowed here' in outcome.stderr
        link.unlink()
        findings = [(f["path"], f["line"]) for f in codes(nginx.lint(), "NGX005")]
    assert (("conf/available/sni.conf", 3) in findings) is not accepted


# -- SEC571: an nginx that only a front nginx of the same stack reaches ----------------------------------------

def _served(port: int, path: str) -> tuple[str | None, str]:
    """(Server header, body) of GET http://127.0.0.1:PORT/path, whatever the status."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as response:
            return response.headers.get("Server"), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.headers.get("Server"), error.read().decode("utf-8", "replace")


def test_a_backend_behind_a_front_nginx_names_its_version_on_its_own_error_pages():
    """A front nginx drops its upstream's Server header (proxy_hide_header's default), but passes the upstream's
    own error pages on, and with server_tokens on their body names the upstream's version: SEC571 is right on an
    nginx that only a front nginx reaches (a Compose service that publishes no port)."""
    back_server = "server {\n    listen 127.0.0.1:{port};\n    location / { return 404; }\n}\n"
    with Nginx({"conf/nginx.conf": config("", back_server)}) as back:
        front_server = (f"server_tokens off;\nserver {{\n    listen 127.0.0.1:{{port}};\n"
                        f"    location / {{ proxy_pass http://127.0.0.1:{back.port}; }}\n}}\n")
        with Nginx({"conf/nginx.conf": config("", front_server)}) as front:
            assert back.start().status == 0 and front.start().status == 0
            server, body = _served(front.port, "/missing")
            assert server == "nginx"
            assert "<center>nginx/1." in body
            assert len(codes(back.lint("--extend-select", "SEC571"), "SEC571")) == 1
            assert not codes(front.lint("--extend-select", "SEC571"), "SEC571")
