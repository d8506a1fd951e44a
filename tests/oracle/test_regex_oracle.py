"""Regex rules against a real nginx: what the rule docs claim nginx does, nginx does, and nginxlint reports the
failing config only.

- SEC542: a CR LF the client sends as %0d%0a is captured by `location ~ ^/x/([^/]*)` (the location regex matches
  the decoded URI) and, put into `add_header` or `return 302`, writes a header of the client's choosing into the
  response. With `(.*)` the capture stops at the LF (no DOTALL) and a raw CR goes out inside the header line.
  A capture that excludes CR and LF (`([^\\r\\n]*)`) does not match such a URI, and nothing is injected.
  Copied by `set` first, the same capture arrives percent-encoded (the rewrite module escapes $1..$9 once the
  request URI was), and nothing is injected either. After `rewrite ^ $request_uri;` $uri is the raw request URI,
  `%0d%0a` as written, and a later `return 302 /y$uri` injects nothing; inside an `if` the rewrite may not run.
- SEC542: a bare CR is followed by what the capture holds after it: with `(3|3.6)` (a lone `.` between digits)
  nginx 1.22 answers `/v/3%0d6/x` with `Location: …/y/3\\r6/z` and a URI with the client's text after the CR does
  not match; with `(.*)` or `(3.(.*))`, `/v/3%0dSet-Cookie:a=b` gives `Location: …/y/3\\rSet-Cookie:a=b`, a header
  line of the client's for a client that ends lines at CR.
- SEC542: the host of a `proxy_pass` with variables is sent as the Host header: a named capture of `([^/]+)` there
  puts the client's CR LF into that header line (`Host: a\\r\\nX-Injected y.x.test`), a capture of `([a-z0-9]+)`
  cannot.
- SEC542: `proxy_pass http://$uri` has no host ($uri starts with "/"): nginx answers 500 and sends nothing.
- SEC542: in `location = /x/a`, $uri is `/x/a`: the decoded CR LF makes another URI, answered 404.
- SEC542: a Host header with a `/` (and so with CR or LF after one) is refused with 400, so a map on `$host` whose
  regex needs a `/` never captures anything.
- SEC548: nginx unescapes `\\\\` in an argument, so `"/v1/.+\\\\z"` ends with PCRE2's `\\z`; `(?>atomic)/v1` matches
  anywhere in the URI.
- SEC548: a regex location that only serves files and falls back to a named location answers a longer path as
  `location /` does; a plain prefix location that denies loses its URIs that hold the regex's text to it (the
  guarded file is served), a `^~` one keeps them.
- SEC548: a regex location that only returns gives a longer path its return, even one a later location would
  hand to PHP; a plain prefix location that denies loses the URIs that hold the regex's text to that return, which
  serves none of the guarded files. A guarding regex written before a regex location keeps the URIs both match.
- SEC548: an `internal` regex location answers a client 404 whatever the path, and the config's own redirect 200.
- SEC548: a regex nested in `location /` is tried before the server's own regexes, so `/private/x/manifest.json`
  leaves `location ~ ^/private/ { deny all; }`; nested in `location /openapi` it sees only URIs under /openapi.
- SEC548: `location ~ (/.*)` answers every URI as `~ ^(/.*)$` does: a regex that matches inside every URI takes
  no path its anchored form would not.
- SEC548: a regex location with a handler answers a longer URI as it answers any URI it matches; the longer URI
  matters where it leaves a plain prefix location that denies (`/admin/y.json` gets the handler's 200, not 403).
- NGX018: a pattern PCRE2 refuses makes `nginx -t` fail with the message nginxlint quotes; `$1` with no capture
  group in any regex of the server is the empty string.
"""
from __future__ import annotations


import re
import socket
import threading
import time

import pytest

from nginx_harness import NGINX, FakeDns, Nginx, free_port, http_config, raw_request

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")

INJECTION = "GET /x/a%0d%0aSet-Cookie:%20injected=1 HTTP/1.1\r\nHost: localhost\r\n"
config = http_config  # every server under test, in one stock config


def findings_at(nginx: Nginx, code: str) -> list[int]:
    return [f["line"] for f in nginx.lint("--extend-select", code) if f["code"] == code
            and f["path"] == "conf/nginx.conf"]


def beside_a_404(location: str, server: str = "") -> dict:
    """A config of one server: the location under test, and `location /` answering 404 for what it does not take."""
    return {"conf/nginx.conf": config("server { listen 127.0.0.1:{port};" + server + "\n"
                                      f"    {location}\n    location / {{ return 404; }}\n}}")}


def line_of(files: dict, text: str) -> int:
    return next(n for n, line in enumerate(files["conf/nginx.conf"].split("\n"), 1) if text in line)


def response_head(port: int, head: str) -> str:
    """The response head as sent, up to the blank line."""
    return raw_request(port, head).partition("\r\n\r\n")[0]


@pytest.mark.parametrize("sink", ["add_header X-Path $1;", "return 302 /y/$1;"])
@pytest.mark.parametrize("group, outcome", [
    ("([^/]*)", "header"),  # a negated class takes CR and LF: a whole header line of the client's
    ("(.*)", "bare CR"),  # `.` stops at LF (nginx compiles without DOTALL): a raw CR inside the header line
    ("([^\\r\\n]*)", "clean"),  # excludes both: the location does not even match such a URI
])
def test_crlf_in_a_capture_splits_the_response(sink, group, outcome):
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        f"    location ~ ^/x/{group} {{\n"
        f"        {sink}\n"
        "        return 200 ok;\n"
        "    }\n"
        "    location / { return 404; }\n"
        "}")}
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        head = response_head(nginx.port, INJECTION)
        lines = head.split("\r\n")
        injected = "Set-Cookie: injected=1" in lines
        bare_cr = any("\r" in line for line in lines)
        assert (injected, bare_cr) == {"header": (True, False), "bare CR": (False, True),
                                       "clean": (False, False)}[outcome], head
        # the sink itself works: a plain request goes through the same location
        plain = response_head(nginx.port, "GET /x/abc HTTP/1.1\r\nHost: localhost\r\n")
        assert "X-Path: abc" in plain or "/y/abc" in plain, plain
        reported = findings_at(nginx, "SEC573" if outcome == "bare CR" else "SEC542")
    assert reported == ([] if outcome == "clean" else [line_of(files, sink)])


@pytest.mark.parametrize("location, split", [
    ("location ~ ^/x/[a-z0-9]+\\.png$", False),  # the anchored regex matches no URI with CR or LF in it
    ("location /x/", True),
])
def test_request_filename_holds_the_uri_as_the_location_bounds_it(location, split):
    files = beside_a_404(f"{location} {{ add_header X-File $request_filename; return 200 ok; }}", " root /srv;")
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        head = response_head(nginx.port, INJECTION.replace("injected=1", "injected=1.png"))
        assert ("Set-Cookie: injected=1.png" in head.split("\r\n")) is split, head
        plain = response_head(nginx.port, "GET /x/abc.png HTTP/1.1\r\nHost: localhost\r\n")
        assert "X-File: /srv/x/abc.png" in plain, plain
        reported = findings_at(nginx, "SEC542")
    assert reported == ([line_of(files, "add_header")] if split else [])


@pytest.mark.parametrize("location, sink, header_after_cr", [
    ("^/v/(3|3.6)/x$", "return 302 /y/$1/z;", False),  # the lone `.` takes the CR, fixed text follows it
    ("^/v/(searchindex.js|objects.inv)$", "return 302 /y/$1;", False),
    ("^/v/(.*)$", "return 302 /y/$1;", True),  # `.*` takes the CR and the client's text after it
    ("^/v/(3.(.*))$", "return 302 /y/$1;", True),
    ("^/v/3.(.*)$", "add_header X-V $1;", True),
])
def test_a_bare_cr_carries_a_header_only_where_the_client_writes_after_it(location, sink, header_after_cr):
    """A client that ends a header line at a bare CR reads the text after it as a header of its own. Where the
    capture's only CR-capable character is a `.` between fixed characters, the CR is followed by the config's
    text and a URI with the client's header after the CR does not match the location."""
    files = beside_a_404(f"location ~ {location} {{ {sink} return 200 ok; }}")
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        heads = {path: response_head(nginx.port, f"GET {path} HTTP/1.1\r\nHost: localhost\r\n")
                 for path in ("/v/3%0d6/x", "/v/objects%0dinv", "/v/3%0dSet-Cookie:a=b", "/v/3x%0dSet-Cookie:a=b",
                              "/v/3%0dSet-Cookie:a=b/x")}
        lines = [line for head in heads.values() for line in re.split("\r\n|\r|\n", head)]
        assert ("Set-Cookie:a=b" in lines) is header_after_cr, heads
        # the bare CR does reach the header line in every case: what follows it makes the difference
        assert any("\r" in line for head in heads.values() for line in head.split("\r\n")), heads
        reported = findings_at(nginx, "SEC573")
    assert reported == ([line_of(files, sink)] if header_after_cr else [])


class _Upstream:
    """A TCP server on 127.0.0.1 that records the head of each request it gets and answers 200."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", free_port()))
        self.port = self.sock.getsockname()[1]
        self.heads: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.heads.append(conn.recv(65536))
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    def close(self):
        self.sock.close()


@pytest.mark.parametrize("capture, split", [("[^/]+", True), ("[a-z0-9]+", False)])
def test_a_capture_in_the_proxy_pass_host_goes_into_the_host_header_line(capture, split):
    upstream = _Upstream()
    try:
        with FakeDns() as dns:  # every name is 127.0.0.1
            sink = f"proxy_pass http://$node.x.test:{upstream.port};"
            files = {"conf/nginx.conf": config(
                f"server {{ listen 127.0.0.1:{{port}}; resolver 127.0.0.1:{dns.port};\n"
                f"    location ~ ^/n/(?<node>{capture})/ {{ {sink} }}\n"
                "}")}
            with Nginx(files) as nginx:
                started = nginx.start()
                assert started.status == 0, started.stderr
                raw_request(nginx.port, "GET /n/a/ HTTP/1.1\r\nHost: localhost\r\n")
                assert upstream.heads and b"\r\nHost: a.x.test:" in upstream.heads[-1], upstream.heads
                upstream.heads.clear()
                raw_request(nginx.port, "GET /n/a%0d%0aX-Injected%20y/ HTTP/1.1\r\nHost: localhost\r\n")
                injected = any(b"\r\nHost: a\r\nX-Injected y.x.test" in head for head in upstream.heads)
                assert injected is split, upstream.heads
                reported = findings_at(nginx, "SEC542")
    finally:
        upstream.close()
    assert reported == ([line_of(files, sink)] if split else [])


@pytest.mark.parametrize("rewrite, injected", [
    ("", True),
    ("rewrite ^ $request_uri;", False),  # the new URI is the raw one: nginx does not decode a rewritten URI
    ("if ($arg_raw) { rewrite ^ $request_uri; }", True),  # not for a request without ?raw
])
def test_a_rewrite_to_request_uri_leaves_uri_percent_encoded(rewrite, injected):
    sink = "return 302 /y$uri;"
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        f"    location /x/ {{ {rewrite} {sink} }}\n"
        "}")}
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        lines = response_head(nginx.port, INJECTION).split("\r\n")
        assert any(line.startswith("Set-Cookie: injected=1") for line in lines) is injected, lines
        if not injected:
            assert any(line.endswith("/y/x/a%0d%0aSet-Cookie:%20injected=1") for line in lines), lines
        reported = findings_at(nginx, "SEC542")
    assert reported == ([line_of(files, sink)] if injected else [])


def test_a_proxy_pass_whose_host_is_the_path_sends_nothing():
    sink = "proxy_pass http://$uri;"
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        f"    location /x/ {{ {sink} }}\n"
        "}")}
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        status = response_head(nginx.port, INJECTION).split("\r\n")[0]
        reported = findings_at(nginx, "SEC542")
        log = nginx.wait_for_log("no host in upstream")
    assert " 500 " in status and "no host in upstream" in log, (status, log)  # no request is built: nothing split
    assert reported == []


@pytest.mark.parametrize("modifier, injected", [("=", False), ("", True)])
def test_uri_in_an_exact_location_is_its_uri(modifier, injected):
    """A decoded CR LF makes another URI, which `location = /x/a` does not match (404); a prefix location does."""
    sink = "return 302 https://sso.example.com/auth?next=$uri;"
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        f"    location {modifier} /x/a {{ {sink} }}\n"
        "}")}
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        head = response_head(nginx.port, INJECTION)
        reported = findings_at(nginx, "SEC542")
    assert ("\r\nSet-Cookie: injected=1" in head) == injected, head
    assert head.startswith("HTTP/1.1 302" if injected else "HTTP/1.1 404"), head
    assert reported == ([line_of(files, sink)] if injected else [])


def test_a_numbered_capture_set_by_the_rewrite_module_is_percent_encoded():
    """`set $v $1` copies the capture percent-encoded once the request URI was (as any CR LF in it must be):
    the same capture that writes a header of the client's choosing straight from add_header writes none."""
    sink = "add_header X-Path $v;"
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        "    location ~ ^/x/([^/]*) {\n"
        "        set $v $1;\n"
        f"        {sink}\n"
        "        return 200 ok;\n"
        "    }\n"
        "}")}
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        lines = response_head(nginx.port, INJECTION).split("\r\n")
        assert "X-Path: a%0D%0ASet-Cookie:%20injected=1" in lines, lines
        assert not any(line.startswith("Set-Cookie") for line in lines), lines
        reported = findings_at(nginx, "SEC542")
    assert reported == []


def test_a_pattern_pcre2_refuses_fails_nginx_t():
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        '    location ~ "^/(api|static/" { return 200; }\n'
        "}")}
    with Nginx(files) as nginx:
        outcome = nginx.test()
        assert outcome.status != 0
        found = [f for f in nginx.lint() if f["code"] == "NGX018"]
    assert len(found) == 1 and found[0]["line"] == line_of(files, "location ~")
    message = found[0]["message"].split("nginx -t fails: ", 1)[1]
    # nginx prints the same text, followed by " in FILE:LINE"
    assert message in outcome.stderr, (message, outcome.stderr)


def test_host_cannot_hold_a_slash_so_its_captures_hold_no_line_break():
    # Gixy-Next's mapped_value fixture: a map on $host whose regex needs a `/` in it
    files = {"conf/nginx.conf": config(
        "map $host $map_host { ~*/(.*) $1; default 1; }\n"
        "server { listen 127.0.0.1:{port};\n"
        "    add_header X-Header $map_host;\n"
        "    location / { return 200 ok; }\n"
        "}")}
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        for host in ("a/b", "a/%0d%0aSet-Cookie:x=1", "a/\rSet-Cookie: x=1"):
            head = response_head(nginx.port, f"GET / HTTP/1.1\r\nHost: {host}\r\n")
            assert head.startswith("HTTP/1.1 400"), (host, head)
        # nor can the host of an absolute request line carry one: the path starts at the first `/`
        head = response_head(nginx.port, "GET http://a/%0d%0aSet-Cookie:x=1 HTTP/1.1\r\nHost: b\r\n")
        assert "X-Header: 1" in head and "Set-Cookie" not in head, head
        assert findings_at(nginx, "SEC542") == []


@pytest.mark.parametrize("pattern, uri, anchored", [
    # `\\z` in the config reaches PCRE2 as `\z`, the end anchor: read as a backslash and a `z`, the pattern
    # would need a backslash in the URI
    ('"/v1/.+\\\\z"', "/v1/abc", True),
    ('"(?>atomic)/v1"', "/public/atomic/v1/x", False),  # an atomic group: PCRE2 finds it anywhere in the URI
])
def test_regex_location_as_pcre2_receives_it(pattern, uri, anchored):
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        f"    location ~ {pattern} {{ rewrite ^ /inner last; }}\n"
        "    location = /inner { return 200 matched; }\n"
        "    location / { return 404; }\n"
        "}")}
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        assert raw_request(nginx.port, f"GET {uri} HTTP/1.1\r\nHost: a\r\n").endswith("matched")
        reported = findings_at(nginx, "SEC548")
    assert reported == ([] if anchored else [line_of(files, "location ~")])


@pytest.mark.parametrize("guard, after, private_status, reported", [
    ("", "", 200, False),
    ("location /private/ { deny all; }", "", 200, True),  # the regex wins over the prefix: the deny is bypassed
    ("location ^~ /private/ { deny all; }", "", 403, False),  # ^~ keeps its URIs from every regex
    # regexes are tried in order: a guarding one written first keeps every URI both match, one written after none
    ("location ~ ^/private/ { deny all; }", "", 403, False),
    ("", "location ~ ^/private/ { deny all; }", 200, True),
])
def test_a_regex_location_serving_files_answers_longer_paths_as_location_slash(guard, after, private_status,
                                                                               reported):
    files = {
        "conf/nginx.conf": config(
            "server { listen 127.0.0.1:{port};\n"
            "    location / { try_files $uri @app; }\n"
            f"    {guard}\n"
            "    location ~* /files/styles/ { expires 30d; try_files $uri @app; }\n"
            f"    {after}\n"
            "    location @app { return 200 app; }\n"
            "}"),
        "html/a/files/styles/pic.txt": "pic",
        "html/a/pic.txt": "pic",
        "html/private/files/styles/secret.txt": "secret",
    }
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        # a longer path the regex catches: the same file, or the same fallback, as location / gives
        assert nginx.get("/a/files/styles/pic.txt") == nginx.get("/a/pic.txt") == (200, "pic")
        assert nginx.get("/a/files/styles/none") == nginx.get("/a/none") == (200, "app")
        assert nginx.get("/private/files/styles/secret.txt")[0] == private_status
        found = findings_at(nginx, "SEC548")
    assert found == ([line_of(files, "location ~*")] if reported else [])


@pytest.mark.parametrize("guard, private_status, reported", [
    ("", "404", False),
    # the regex wins over the prefix: its return replaces the deny, and answers nothing the guard keeps
    ("location /private/ { deny all; }", "403", False),
])
def test_a_regex_location_that_only_returns_gives_longer_paths_its_return(guard, private_status, reported):
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        f"    {guard}\n"
        "    location ~ /\\.well-known/caldav { return 301 /dav; }\n"
        "    location ~ \\.php$ { return 200 php; }\n"
        "}")}
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        # a longer path it catches, even one for the PHP location after it, gets the redirect: no handler runs
        head = response_head(nginx.port, "GET /x/.well-known/caldav/y.php HTTP/1.1\r\nHost: a\r\n")
        assert head.startswith("HTTP/1.1 301") and "/dav\r\n" in head
        assert response_head(nginx.port, "GET /private/x HTTP/1.1\r\nHost: a\r\n").split()[1] == private_status
        assert response_head(nginx.port, "GET /private/.well-known/caldav HTTP/1.1\r\nHost: a\r\n").split()[1] == "301"
        found = findings_at(nginx, "SEC548")
    assert found == ([line_of(files, "location ~ /")] if reported else [])


@pytest.mark.parametrize("guard, admin_status, reported", [
    ("", "200", False),  # nothing to leave: a longer URI gets what the handler gives any URI it matches
    ("location /admin/ { deny all; }", "200", True),  # the regex wins over the prefix: the deny is bypassed
    ("location ^~ /admin/ { deny all; }", "403", False),
])
def test_a_regex_location_matters_where_a_longer_uri_leaves_an_access_rule(guard, admin_status, reported):
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        f"    {guard}\n"
        "    location ~ \\.json { rewrite ^ /api last; }\n"
        "    location = /api { return 200 api; }\n"
        "}")}
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        assert response_head(nginx.port, "GET /x/y.json HTTP/1.1\r\nHost: a\r\n").split()[1] == "200"
        assert response_head(nginx.port, "GET /admin/y.json HTTP/1.1\r\nHost: a\r\n").split()[1] == admin_status
        found = findings_at(nginx, "SEC548")
    assert found == ([line_of(files, "location ~ ")] if reported else [])


@pytest.mark.parametrize("outer, uri, status, reported", [
    ("/", "/private/x/manifest.json", "200", True),  # nested in `/`: tried before the server's regexes, the deny too
    ("/openapi", "/openapi/x/manifest.json", "200", False),  # sees only /openapi/…, which the guard never takes
])
def test_a_regex_nested_in_a_prefix_location_takes_only_uris_under_that_prefix(outer, uri, status, reported):
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port}; root html;\n"
        "    location ~ ^/private/ { deny all; }\n"
        f"    location {outer} {{ return 404; location ~ /manifest\\.json {{ }} }}\n"
        "}"), f"html{uri}": "{}"}
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        assert response_head(nginx.port, f"GET {uri} HTTP/1.1\r\nHost: a\r\n").split()[1] == status
        assert response_head(nginx.port, "GET /private/x HTTP/1.1\r\nHost: a\r\n").split()[1] == "403"
        found = findings_at(nginx, "SEC548")
    assert found == ([line_of(files, "manifest")] if reported else [])


def test_an_internal_regex_location_answers_no_client_only_the_configs_own_redirects():
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        "    location ~ /key_service/ { internal; return 200 inner; }\n"
        "    location /check { try_files /nothing /key_service/check; }\n"
        "}")}
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        assert nginx.get("/x/key_service/y")[0] == 404  # a client asking for it, by any path
        assert nginx.get("/check") == (200, "inner")  # the config's own redirect
        found = findings_at(nginx, "SEC548")
    assert found == []


def test_a_regex_that_matches_inside_every_uri_answers_as_its_anchored_form():
    # `~ (/.*)` written for every URI: anchoring it changes no answer, so no path is one it was not written for
    answers = {}
    for pattern in ("(/.*)", "^(/.*)$"):
        files = {"conf/nginx.conf": config(
            "server { listen 127.0.0.1:{port};\n"
            "    location /admin/ { deny all; }\n"
            f'    location ~ "{pattern}" {{ return 200 "git $1"; }}\n'
            "}")}
        with Nginx(files) as nginx:
            started = nginx.start()
            assert started.status == 0, started.stderr
            answers[pattern] = [nginx.get(path) for path in ("/", "/repo.git/info/refs", "/admin/x")]
            found = findings_at(nginx, "SEC548")
        assert found == []
    assert answers["(/.*)"] == answers["^(/.*)$"] == [(200, "git /"), (200, "git /repo.git/info/refs"),
                                                     (200, "git /admin/x")]


def test_a_capture_no_regex_defines_is_empty():
    # Gixy-Next's unparseable_provider_fp fixture: the only regex has an atomic group and no capture group
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        "    location / {\n"
        '        if ($uri ~ "^/(?>atomic)x") { return 403; }\n'
        "        return 301 /x/$1;\n"
        "    }\n"
        "}")}
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        assert response_head(nginx.port, "GET /atomicx HTTP/1.1\r\nHost: a\r\n").startswith("HTTP/1.1 403")
        head = response_head(nginx.port, "GET /kept HTTP/1.1\r\nHost: a\r\n")
        assert head.startswith("HTTP/1.1 301") and "/x/\r\n" in head + "\r\n", head
        reported = findings_at(nginx, "NGX018")
    assert reported == [line_of(files, "return 301")]


# -- SEC545 ----------------------------------------------------------------------------------------------------

def test_a_repetition_ended_by_dot_star_backtracks_only_on_a_byte_dot_cannot_take():
    # nginx-s3-gateway's map: `.*` takes any byte but LF, and a raw LF ends the request line, so on $request_uri
    # the first iteration reaches the end and `$` matches at once; the decoded $uri holds the LF of a %0a
    files = {"conf/nginx.conf": config(
        'map $request_uri $path { "~^(?P<path>.*?)(\\?.*)*$" $path; }\n'
        "server { listen 127.0.0.1:{port};\n"
        '    location ~ "^/u/(?P<p>.*?)(\\?.*)*$" { return 200 "u"; }\n'
        '    location / { return 200 "$path"; }\n'
        "}")}
    with Nginx(files) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        began = time.monotonic()
        answer = raw_request(nginx.port, f"GET /m{'?a' * 1000}%0ax HTTP/1.1\r\nHost: a\r\n")
        assert time.monotonic() - began < 1 and answer.startswith("HTTP/1.1 200"), answer[:200]
        assert "pcre2_match() failed" not in nginx.error_log()
        answer = raw_request(nginx.port, f"GET /u/{'%3Fa' * 1000}%0ax HTTP/1.1\r\nHost: a\r\n")
        log = nginx.wait_for_log("pcre2_match() failed")
        assert "pcre2_match() failed" in log, (answer[:200], log[-500:])
        lines = findings_at(nginx, "SEC545")
    assert lines == [line_of(files, "location ~")]
