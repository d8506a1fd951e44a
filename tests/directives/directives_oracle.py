"""Ask a real nginx (``nginx -t`` only, never started) what it thinks of a directive.

Debian's nginx 1.22 with libnginx-mod-http-lua (ngx_lua 0.10.23) and NDK. Each run gets its own
prefix with ``logs/``, the pid file and the temp paths inside it.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from lintkit import LUA_MODULES, MODULES_DIR, NGINX, nginx_missing

# Where the directive under test lands, written as the text around it.
CONTEXT_TEMPLATES = {
    (): "{d}\nevents {{ }}\nhttp {{ {http} }}\n",
    ("events",): "events {{ {d} }}\nhttp {{ {http} }}\n",
    ("http",): "events {{ }}\nhttp {{ {http} {d} }}\n",
    ("http", "server"): "events {{ }}\nhttp {{ {http} server {{ {listen} {d} }} }}\n",
    ("http", "location"): "events {{ }}\nhttp {{ {http} server {{ {listen} location / {{ {d} }} }} }}\n",
    ("http", "location", "if"):
        "events {{ }}\nhttp {{ {http} server {{ {listen} location / {{ if ($arg_a) {{ {d} }} }} }} }}\n",
    ("http", "server", "if"): "events {{ }}\nhttp {{ {http} server {{ {listen} if ($arg_a) {{ {d} }} }} }}\n",
    ("http", "location", "limit_except"):
        "events {{ }}\nhttp {{ {http} server {{ {listen} location / {{ limit_except GET {{ {d} }} }} }} }}\n",
    ("http", "upstream"): "events {{ }}\nhttp {{ {http} upstream u {{ server 127.0.0.1:1; {d} }} }}\n",
}

_HTTP_PREAMBLE = (
    "access_log off; client_body_temp_path tmp/body; proxy_temp_path tmp/proxy; "
    "fastcgi_temp_path tmp/fastcgi; uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;"
)
# "nginx: [emerg] MSG in FILE:LINE" before the error log is open, "DATE [emerg] PID#TID: MSG ..." after.
_MESSAGE = re.compile(r"\[(emerg|alert|crit|error)\] (?:\d+#\d+: )?(.*?)(?: in (\S+?):(\d+))?$", re.M)


available = nginx_missing  # None when usable, else why not


def render(name: str, args: list[str], is_block: bool, body: str = "") -> str:
    head = " ".join([name, *args])
    return f"{head} {{ {body} }}" if is_block else f"{head};"


def config_for(ctx: tuple[str, ...], directive_text: str, port: int = 18080) -> str:
    loads = "".join(f"load_module {MODULES_DIR / m};\n" for m in LUA_MODULES)
    head = f"{loads}pid logs/nginx.pid;\nerror_log logs/error.log;\n"
    return head + CONTEXT_TEMPLATES[ctx].format(
        d=directive_text, http=_HTTP_PREAMBLE, listen=f"listen 127.0.0.1:{port};"
    )


def nginx_verdict(conf_text: str) -> str | None:
    """The first [emerg] message of ``nginx -t`` on this config (without the file:line), or None."""
    with tempfile.TemporaryDirectory(prefix="nginxlint-oracle-") as prefix:
        root = Path(prefix)
        for sub in ("conf", "logs", "tmp"):
            (root / sub).mkdir()
        root.chmod(0o755)
        (root / "conf" / "nginx.conf").write_text(conf_text)
        proc = subprocess.run(
            [NGINX, "-t", "-q", "-p", f"{prefix}/", "-c", "conf/nginx.conf"],
            capture_output=True, text=True, timeout=30,
        )
    if proc.returncode == 0:
        return None
    for match in _MESSAGE.finditer(proc.stderr):
        if match.group(1) == "emerg":
            return match.group(2)
    return proc.stderr.strip() or f"exit status {proc.returncode}"
