"""NGX006 on access_log buffering, against a real nginx: for each way of writing the log, nginxlint reports it
exactly when `nginx -t` refuses it, with nginx's own words."""
from __future__ import annotations

import re

import pytest

from nginx_harness import http_preamble, main_preamble

LOGS = [
    "logs/a-$host.log main buffer=32k flush=3s",
    "logs/a-${host}.log main gzip",
    "logs/a-$host.log main gzip=5",
    "logs/a.log main flush=3s",
    "syslog:server=127.0.0.1 main buffer=1k",
    "syslog:server=127.0.0.1 main gzip",
    "logs/a-$host.log main",
    "logs/a-$host.log main if=$host",
    "logs/a.log main buffer=1k flush=1s",
    "logs/a.log main gzip flush=1s",
    "syslog:server=127.0.0.1 main",
    "off",
]


@pytest.mark.parametrize("log", LOGS)
def test_buffered_log_refusals_agree_with_nginx(ng, log):
    ng.write({"conf/nginx.conf": (
        f"{main_preamble()}events {{}}\nhttp {{\n{http_preamble()}log_format main '$remote_addr';\n"
        f"server {{ listen 127.0.0.1:{ng.port}; access_log {log}; }}\n}}\n")})
    outcome = ng.test()
    refused = re.search(r"\[emerg\] \d+#\d+: (.*) in /\S+:\d+", outcome.stderr)
    found = [f for f in ng.lint() if f["code"] == "NGX006"]
    if refused is None:
        assert outcome.status == 0, outcome.stderr
        assert found == []
    else:
        assert len(found) == 1 and found[0]["message"].startswith(refused.group(1)), (outcome.stderr, found)
