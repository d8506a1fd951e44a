"""NGX037 against a real nginx: a header that proxy_set_header sets twice in one block reaches the upstream twice,
and nginxlint reports exactly those blocks. The upstream is a socket that records the raw request, or, for Host,
a server of the same nginx, which refuses two Host headers."""
from __future__ import annotations

import socket
import threading

import pytest

from nginx_harness import Nginx, free_port, http_preamble, main_preamble, unavailable

HEADERS = [  # (the location's proxy_set_header lines, reported)
    ("proxy_set_header X-Forwarded-For $remote_addr;\n"
     "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", True),
    ("proxy_set_header x-forwarded-for $remote_addr;\nproxy_set_header X-Forwarded-For $remote_addr;", True),
    ("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", False),
    ("proxy_set_header X-Forwarded-For \"\";\nproxy_set_header X-Forwarded-For $remote_addr;", False),
]


class _Recorder:
    """A one-request upstream on 127.0.0.1 that keeps what nginx sent and answers 200."""

    def __init__(self):
        self.port = free_port()
        self.request = b""
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._server.settimeout(5)
        try:
            connection, _ = self._server.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(3)
            while b"\r\n\r\n" not in self.request:
                chunk = connection.recv(4096)
                if not chunk:
                    break
                self.request += chunk
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    def close(self) -> None:
        self._thread.join(timeout=6)
        self._server.close()


@pytest.mark.parametrize("lines, reported", HEADERS)
def test_a_header_set_twice_in_one_block_reaches_the_upstream_twice(lines, reported):
    if unavailable():
        pytest.skip(unavailable())
    upstream = _Recorder()
    try:
        text = (f"{main_preamble()}events {{}}\nhttp {{\n{http_preamble()}\nserver {{\n"
                f"    listen 127.0.0.1:{{port}};\n    location / {{\n{lines}\n"
                f"        proxy_pass http://127.0.0.1:{upstream.port};\n    }}\n}}\n}}\n")
        with Nginx({"conf/nginx.conf": text}) as nginx:
            assert nginx.start().status == 0
            assert nginx.get("/")[0] == 200
            found = [f for f in nginx.lint() if f["code"] == "NGX037"]
    finally:
        upstream.close()
    sent = [line for line in upstream.request.decode("latin-1").split("\r\n")
            if line.lower().startswith("x-forwarded-for:")]
    assert (len(sent) == 2) is reported, sent
    assert bool(found) is reported, found


def test_two_host_headers_are_refused_by_the_upstream():
    if unavailable():
        pytest.skip(unavailable())
    backend = free_port()
    text = (f"{main_preamble()}events {{}}\nhttp {{\n{http_preamble()}\nserver {{\n    listen 127.0.0.1:{{port}};\n"
            f"    location /twice {{ proxy_set_header Host $host; proxy_set_header Host backend; "
            f"proxy_pass http://127.0.0.1:{backend}; }}\n"
            f"    location /once {{ proxy_set_header Host backend; proxy_pass http://127.0.0.1:{backend}; }}\n}}\n"
            f"server {{\n    listen 127.0.0.1:{backend};\n    location / {{ return 200 \"ok\"; }}\n}}\n}}\n")
    with Nginx({"conf/nginx.conf": text}) as nginx:
        assert nginx.start().status == 0
        assert nginx.get("/twice")[0] == 400
        assert nginx.get("/once")[0] == 200
        found = [f for f in nginx.lint() if f["code"] == "NGX037"]
    assert [f["line"] for f in found] == [text.count("\n", 0, text.index("/twice")) + 1], found
