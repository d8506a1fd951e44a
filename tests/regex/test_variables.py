"""nginx.variables: complex values split as nginx splits them, and the request-variable table checked against a
real nginx (CR LF through $uri, none through headers, $host validated, …)."""
from __future__ import annotations

import base64
import socket
import sys
from pathlib import Path

import pytest

from nginxlint.nginx.variables import (ValueSyntaxError, capture_facts, parse_value, variable_facts,
                                       variables_in)
from nginxlint.regex import charsets as cs
from nginxlint.regex import parse_regex


@pytest.mark.parametrize("value, parts", [
    ("plain", [(None, "plain")]),
    ("$uri", [("uri", "$uri")]),
    ("${uri}x", [("uri", "${uri}"), (None, "x")]),
    ("$1$2", [("1", "$1"), ("2", "$2")]),
    ("$10", [("1", "$1"), (None, "0")]),  # one digit only
    ("a$arg_id-b", [(None, "a"), ("arg_id", "$arg_id"), (None, "-b")]),
    ("$http_x_forwarded_for,$remote_addr", [("http_x_forwarded_for", "$http_x_forwarded_for"), (None, ","),
                                            ("remote_addr", "$remote_addr")]),
    ("cost: 5$", [(None, "cost: 5$")]),  # a lone $ stays text (nginx refuses it; strict=True says so)
    ("${x", [(None, "${x")]),
])
def test_parse_value(value, parts):
    got = parse_value(value)
    assert [(p.variable, p.text) for p in got] == parts
    assert "".join(value[p.start:p.end] for p in got) == value


@pytest.mark.parametrize("value, message, offset", [
    ("a$", "invalid variable name", 1),
    ("${x", "the closing bracket in variable is missing", 0),
    ("$-", "invalid variable name", 0),
])
def test_parse_value_strict(value, message, offset):
    with pytest.raises(ValueSyntaxError) as caught:
        parse_value(value, strict=True)
    assert (caught.value.message, caught.value.offset) == (message, offset)


def test_variables_in_and_captures():
    assert variables_in("$scheme://$host$1${name}") == ["scheme", "host", "1", "name"]
    assert [p.is_capture for p in parse_value("$1$uri")] == [True, False]


@pytest.mark.parametrize("name, client, crlf, dot_segments", [
    ("uri", True, True, False), ("document_uri", True, True, False), ("request_uri", True, False, True),
    ("args", True, False, True), ("query_string", True, False, True), ("arg_next", True, False, True),
    ("http_referer", True, False, True), ("http_host", True, False, True), ("host", True, False, False),
    ("cookie_session", True, False, True), ("request_body", True, True, True), ("remote_user", True, True, True),
    ("request_filename", True, True, False), ("scheme", False, False, False), ("server_name", False, False, False),
    ("upstream_http_location", False, False, True),
])
def test_table(name, client, crlf, dot_segments):
    facts = variable_facts(name)
    assert (facts.client, facts.crlf, facts.dot_segments) == (client, crlf, dot_segments)


def test_table_details():
    assert variable_facts("made_up_by_map") is None
    assert not variable_facts("host").can_contain("/") and not variable_facts("host").can_contain("A")
    assert variable_facts("uri").decoded and not variable_facts("request_uri").decoded
    assert not variable_facts("cookie_a").can_contain(";")
    assert variable_facts("HTTP_X_Real_IP").client


def test_capture_facts_intersect_the_group_and_its_subject():
    regex = parse_regex(r"^/files/(?<name>[^/]+)$")
    from_uri = capture_facts(regex, "name", "uri")
    assert from_uri.crlf and from_uri.can_contain("\r") and not from_uri.can_contain("/")
    from_request_uri = capture_facts(regex, 1, "request_uri")
    assert not from_request_uri.crlf  # the raw request line holds no CR
    assert capture_facts(regex, "1", "uri").mask == from_uri.mask
    assert capture_facts(regex, 2, "uri") is None
    path = capture_facts(parse_regex(r"^/p/(.*)$"), 1, "request_uri")
    assert path.dot_segments and not capture_facts(parse_regex(r"^/p/(.*)$"), 1, "uri").dot_segments
    assert capture_facts(regex, 1, None).client


# -- the same claims, asked of a real nginx ---------------------------------------------------------------------
def _harness():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "oracle"))
    try:
        import nginx_harness
    finally:
        sys.path.pop(0)
    return nginx_harness


SERVER = """
    location /u/ { return 200 "[$uri]"; }
    location /ru/ { return 200 "[$request_uri]"; }
    location /a/ { return 200 "[$arg_x]"; }
    location /h/ { return 200 "[$http_x_foo][$host][$http_host]"; }
    location /user/ { return 200 "[$remote_user]"; }
    location /hdr/ { add_header X-Uri "$uri"; return 200 "ok"; }
"""


def _request(port: int, raw: bytes) -> tuple[int, bytes, bytes]:
    """(status, header block, body) of one HTTP/1.0 exchange."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(raw)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), head, body


def _seen(body: bytes, index: int = 0) -> bytes:
    return body.split(b"][")[index].strip(b"[]")


def _within(facts, value: bytes) -> bool:
    return all(cs.has(facts.mask, byte) for byte in value)


def test_the_table_matches_what_nginx_puts_in_the_variables():
    harness = _harness()
    if harness.NGINX is None:
        pytest.skip("nginx is not installed")
    conf = ("pid logs/nginx.pid;\nerror_log logs/error.log;\nevents {}\nhttp {\n  access_log off; "
            + " ".join(f"{name}_temp_path tmp/{name};" for name in harness.TEMP_PATHS)
            + "\n  server {\n    listen 127.0.0.1:{port};" + SERVER + "  }\n}\n")
    with harness.Nginx({"conf/nginx.conf": conf}) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        port = nginx.port
        uri = variable_facts("uri")

        status, _, body = _request(port, b"GET /u/a%0d%0ab HTTP/1.0\r\n\r\n")
        assert status == 200 and _seen(body) == b"/u/a\r\nb" and uri.crlf and _within(uri, _seen(body))
        status, _, body = _request(port, b"GET /u/a/../b/%2e%2e/c/a..b/x%5c..%5cy HTTP/1.0\r\n\r\n")
        assert _seen(body) == b"/u/c/a..b/x\\..\\y" and not uri.dot_segments and uri.can_contain("..")
        assert _request(port, b"GET /u/a%00b HTTP/1.0\r\n\r\n")[0] == 400 and not cs.has(uri.mask, 0)

        status, head, _ = _request(port, b"GET /hdr/a%0d%0aSet-Cookie:%20x=1 HTTP/1.0\r\n\r\n")
        assert b"\r\nSet-Cookie: x=1" in head  # $uri in a header splits it: why crlf matters

        request_uri = variable_facts("request_uri")
        _, _, body = _request(port, b"GET /ru/a%0d%0a/../b?x=1 HTTP/1.0\r\n\r\n")
        assert _seen(body) == b"/ru/a%0d%0a/../b?x=1" and request_uri.dot_segments and not request_uri.crlf
        assert _request(port, b"GET /ru/a\x01b HTTP/1.0\r\n\r\n")[0] == 400 and not cs.has(request_uri.mask, 1)

        _, _, body = _request(port, b"GET /a/?x=a%0d%0a HTTP/1.0\r\n\r\n")
        assert _seen(body) == b"a%0d%0a" and not variable_facts("arg_x").crlf

        header = variable_facts("http_x_foo")
        assert _request(port, b"GET /h/ HTTP/1.0\r\nX-Foo: a\rb\r\n\r\n")[0] == 400 and not header.crlf
        assert _request(port, b"GET /h/ HTTP/1.0\r\nX-Foo: a\x00b\r\n\r\n")[0] == 400
        _, _, body = _request(port, b"GET /h/ HTTP/1.0\r\nX-Foo: a\x7fb\tc\xff\r\n\r\n")
        assert _seen(body) == b"a\x7fb\tc\xff" and _within(header, _seen(body))

        host = variable_facts("host")
        _, _, body = _request(port, b"GET /h/ HTTP/1.0\r\nHost: EvIl.Example.COM.\r\n\r\n")
        assert _seen(body, 1) == b"evil.example.com" and _seen(body, 2) == b"EvIl.Example.COM."
        assert _within(host, _seen(body, 1)) and not _within(host, _seen(body, 2))
        for bad in (b"a/b", b"a..b"):
            assert _request(port, b"GET /h/ HTTP/1.0\r\nHost: " + bad + b"\r\n\r\n")[0] == 400

        user = base64.b64encode(b"a\r\nb:secret")
        _, _, body = _request(port, b"GET /user/ HTTP/1.0\r\nAuthorization: Basic " + user + b"\r\n\r\n")
        assert _seen(body) == b"a\r\nb" and variable_facts("remote_user").crlf
