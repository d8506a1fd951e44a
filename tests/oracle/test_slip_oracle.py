"""NGX033 and NGX034 against a real nginx: configs `nginx -t` accepts that do not do what they say. A missing `;`
turns the next directive into values of a list (gzip_min_length never set: a short response is compressed), and a
variable inside a server name is matched as written (a request for the name meant reaches the default server)."""
from __future__ import annotations

import socket

import pytest

from nginx_harness import Nginx, http_preamble, main_preamble, raw_request, unavailable


def _config(http: str) -> str:
    return f"{main_preamble()}events {{}}\nhttp {{\n{http_preamble()}\n{http}\n}}\n"


@pytest.mark.parametrize("end, slip", [(";", False), ("", True)])
def test_a_missing_semicolon_makes_the_next_directive_values_of_the_list(end, slip):
    if unavailable():
        pytest.skip(unavailable())
    text = _config("gzip on;\n"
                   f"gzip_types text/plain application/json{end}\n"
                   "gzip_min_length 1024;\n"
                   "server { listen 127.0.0.1:{port}; default_type text/plain; return 200 '" + "x" * 200 + "'; }")
    with Nginx({"conf/nginx.conf": text}) as nginx:
        assert nginx.start().status == 0
        head = raw_request(nginx.port, "GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n").lower()
        assert ("content-encoding: gzip" in head) is slip, head
        found = [f for f in nginx.lint() if f["code"] == "NGX033"]
    assert bool(found) is slip, found


@pytest.mark.parametrize("name, named", [("www.$hostname", False), ("www.{host}", True)])
def test_a_variable_in_a_server_name_is_matched_as_written(name, named):
    if unavailable():
        pytest.skip(unavailable())
    host = socket.gethostname()
    text = _config("server { listen 127.0.0.1:{port} default_server; return 200 'default'; }\n"
                   f"server {{ listen 127.0.0.1:{{port}}; server_name {name.replace('{host}', host)}; "
                   "return 200 'named'; }")
    with Nginx({"conf/nginx.conf": text}) as nginx:
        assert nginx.start().status == 0
        answer = raw_request(nginx.port, f"GET / HTTP/1.1\r\nHost: www.{host}\r\n")
        assert answer.endswith("named" if named else "default"), answer
        found = [f for f in nginx.lint() if f["code"] == "NGX034"]
    assert bool(found) is not named, found
