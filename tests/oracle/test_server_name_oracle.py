"""NGX035 against a real nginx: a name a second server declares on the same socket is ignored with a warning, and
its requests go to the first server; on another socket (another port, or QUIC beside TCP) each server keeps it.
"""
from __future__ import annotations

import pytest

from nginx_harness import NGINX, Nginx, free_port, http_config, raw_request

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")

config = http_config  # every server under test, in one stock config


def body_for(port: int, host: str) -> str:
    return raw_request(port, f"GET / HTTP/1.1\r\nHost: {host}\r\n").partition("\r\n\r\n")[2]


def lines_of(findings: list[dict]) -> list[int]:
    return [f["line"] for f in findings if f["code"] == "NGX035"]


def test_the_second_server_of_a_name_on_one_socket_is_ignored():
    files = {"conf/nginx.conf": config(
        'server { listen 127.0.0.1:{port}; server_name shop.test; return 200 "first"; }\n'
        'server { listen 127.0.0.1:{port}; server_name SHOP.test other.test; return 200 "second"; }')}
    with Nginx(files) as nginx:
        outcome = nginx.start()
        assert outcome.status == 0, outcome.stderr
        assert f'conflicting server name "shop.test" on 127.0.0.1:{nginx.port}, ignored' in outcome.stderr
        assert body_for(nginx.port, "shop.test") == "first"
        assert body_for(nginx.port, "other.test") == "second"  # the server keeps its other names
        lines = files["conf/nginx.conf"].split("\n")
        assert lines_of(nginx.lint()) == [next(n for n, line in enumerate(lines, 1) if '"second"' in line)]


def test_each_socket_has_its_own_names():
    other = free_port()
    files = {"conf/nginx.conf": config(
        'server { listen 127.0.0.1:{port}; server_name shop.test; return 200 "first"; }\n'
        f'server {{ listen 127.0.0.1:{other}; server_name shop.test; return 200 "second"; }}')}
    with Nginx(files) as nginx:
        outcome = nginx.start()
        assert outcome.status == 0, outcome.stderr
        assert "conflicting server name" not in outcome.stderr
        assert body_for(other, "shop.test") == "second"
        assert lines_of(nginx.lint()) == []
