"""SEC56x against a real nginx with ngx_lua: the injection a fail case is reported for happens for real on
127.0.0.1, the fixed code refuses it, and nginxlint reports the very same files accordingly."""
from __future__ import annotations

import socket

import pytest

from nginx_harness import Nginx, http_preamble, main_preamble, unavailable


@pytest.fixture(scope="module", autouse=True)
def _nginx_with_lua():
    reason = unavailable()
    if reason:
        pytest.skip(reason)


def conf(locations: str) -> dict:
    text = (f"{main_preamble()}events {{ worker_connections 64; }}\nhttp {{\n{http_preamble()}\n"
            f"server {{\nlisten 127.0.0.1:{{port}};\n{locations}\n}}\n}}\n")
    return {"conf/nginx.conf": text}


def raw_get(port: int, target: str) -> tuple[str, str]:
    """(head, body) of a raw HTTP/1.0 GET: urllib would follow redirects and re-encode the target."""
    with socket.create_connection(("127.0.0.1", port), timeout=3) as connection:
        connection.sendall(f"GET {target} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.decode("latin-1").partition("\r\n\r\n")
    return head, body


def findings(ng: Nginx, code: str) -> list[dict]:
    """The findings on the tree as deployed: on 127.0.0.1 only this host's processes could send the request."""
    return [f for f in ng.lint_deployed() if f["code"] == code]


def line_of(files: dict, needle: str) -> int:
    return next(n for n, line in enumerate(files["conf/nginx.conf"].split("\n"), 1) if needle in line)


PING = """location /run {
content_by_lua_block {
local args = ngx.req.get_uri_args()
CHECK
local pipe = io.popen("echo " .. args.x)
ngx.print(pipe:read("*a"))
pipe:close()
}
}"""
CHECK = 'if not ngx.re.find(args.x or "", "^[a-z]+$", "jo") then return ngx.exit(400) end'


def test_sec561_the_injected_command_runs():
    files = conf(PING.replace("CHECK", ""))
    with Nginx(files) as ng:
        assert ng.start().status == 0
        head, body = raw_get(ng.port, "/run?x=hi%3Bid")
        assert " 200 " in head.split("\r\n")[0]
        assert body.startswith("hi\n") and "uid=" in body  # `;id` ran as a second command
        found = findings(ng, "SEC561")
        assert len(found) == 1
        assert found[0]["line"] == line_of(files, "io.popen")
        assert "the `x` query argument (ngx.req.get_uri_args" in found[0]["message"]


def test_sec561_the_check_refuses_it():
    files = conf(PING.replace("CHECK", CHECK))
    with Nginx(files) as ng:
        assert ng.start().status == 0
        head, body = raw_get(ng.port, "/run?x=hi%3Bid")
        assert " 400 " in head.split("\r\n")[0] and "uid=" not in body
        assert raw_get(ng.port, "/run?x=hello")[1] == "hello\n"
        assert findings(ng, "SEC561") == []


REDIRECT = """location /done {
content_by_lua_block { return ngx.redirect(TARGET) }
}"""


def test_sec564_the_redirect_leaves_the_site():
    files = conf(REDIRECT.replace("TARGET", "ngx.unescape_uri(ngx.var.arg_next)"))
    with Nginx(files) as ng:
        assert ng.start().status == 0
        head, _ = raw_get(ng.port, "/done?next=https%3A%2F%2Fevil.example%2F")
        assert "\r\nLocation: https://evil.example/" in head
        assert [f["line"] for f in findings(ng, "SEC564")] == [line_of(files, "ngx.redirect")]


def test_sec564_a_fixed_path_stays_on_the_site():
    files = conf(REDIRECT.replace("TARGET", '"/app/" .. ngx.escape_uri(ngx.unescape_uri(ngx.var.arg_next or ""))'))
    with Nginx(files) as ng:
        assert ng.start().status == 0
        head, _ = raw_get(ng.port, "/done?next=https%3A%2F%2Fevil.example%2F")
        location = next(line for line in head.split("\r\n") if line.startswith("Location:"))
        assert "evil.example/" not in location.replace("%2F", "/").split("/app/")[0]
        assert location.split(": ", 1)[1].startswith(("/app/", "http://localhost/app/"))
        assert findings(ng, "SEC564") == []


def test_sec566_the_value_is_chosen_but_cr_lf_are_escaped():
    """What the SEC566 doc says of ngx_lua 0.10.23: the request chooses the header's value, and a CR LF in it
    does not start a header of its own."""
    files = conf('location /h { content_by_lua_block { ngx.header["Content-Language"] = ngx.unescape_uri(ngx.var.arg_v) '
                 'ngx.say("ok") } }')
    with Nginx(files) as ng:
        assert ng.start().status == 0
        head, _ = raw_get(ng.port, "/h?v=fr%0d%0aSet-Cookie:%20a=1")
        lines = head.split("\r\n")
        assert not any(line.startswith("Set-Cookie") for line in lines)
        assert "Content-Language: fr%0D%0ASet-Cookie: a=1" in lines
        assert len(findings(ng, "SEC566")) == 1


READ_BELOW = """location / {
content_by_lua_block {
local f = io.open(ngx.config.prefix() .. "data" .. ngx.var.request_uri, "rb")
ngx.print(f and f:read("*a") or "none")
if f then f:close() end
}
}
location /host/ {
content_by_lua_block {
local f = io.open(ngx.config.prefix() .. "data/" .. ngx.var.http_host, "rb")
ngx.print(f and "found" or "none")
}
}"""


def raw_host(port: int, host: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=3) as connection:
        connection.sendall(f"GET /host/ HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    return data.decode("latin-1").split("\r\n", 1)[0]


def test_sec562_request_uri_and_host_stay_below_the_directory_before_them():
    """nginx answers 400 to a path whose dot segments (also %2e-encoded) climb above the root and to a Host holding
    `/` or `..`, so $request_uri and $http_host after a directory stay in it; nginxlint reports neither."""
    files = {**conf(READ_BELOW), "data/pub.txt": "public\n", "secret.txt": "secret\n"}
    with Nginx(files) as ng:
        assert ng.start().status == 0
        assert raw_get(ng.port, "/pub.txt")[1] == "public\n"
        for target in ("/../secret.txt", "/x/../../secret.txt", "/%2e%2e/secret.txt", "/x/%2E%2E/%2e%2e/secret.txt"):
            head, body = raw_get(ng.port, target)
            assert " 400 " in head.split("\r\n", 1)[0] and "secret" not in body, target
        assert " 400 " in raw_host(ng.port, "../secret.txt")
        assert " 400 " in raw_host(ng.port, "a/b")
        assert not findings(ng, "SEC562")
