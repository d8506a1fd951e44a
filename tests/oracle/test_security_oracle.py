"""Security and practice rules against a real nginx: what each rule's doc claims nginx does, nginx does.

Every test runs one config that misbehaves and one that does not, on 127.0.0.1, and nginxlint on the very same
files: the rule is reported on the first and not on the second.

- SEC501: with `proxy_set_header Host $http_host`, a request whose request line names the served host but whose
  Host header names another reaches the upstream with the other host; `$host` sends the matched one. In a server
  alone on its socket every Host reaches it, so `$host` is the client's choice too, and the rule is quiet there
  (nginx before 1.29.4 lets anything follow the colon, which only `$http_host` passes on). A default server
  that shares its socket gets, in absolute form, a Host header that another server on the socket refuses.
- SEC502: `location /static { alias data/public/; }` serves GET /static../secret.txt from outside the alias. An
  `internal` location answers such a request with 404, unless a rewrite glues the client's text to its prefix;
  under a root that serves html/ as plain files, the same file is served to GET /secret.txt anyway; a `try_files`
  that names its files in full (`try_files index.html =404`) answers that file whatever the path.
- SEC511: `location /files { alias data/files; }` serves /files_old/x from data/files_old/x, and /files../x from
  data/files../x, never the parent.
- SEC503: one add_header in a location (or in an `if` inside it) drops every add_header of the server, a
  diagnostic X-Served-By as much as X-Frame-Options (only the second is reported unless every header counts).
  A fixed text (`location = /robots.txt`, `return 200 "pong"`) is answered as text/plain without them: none of
  them acts on it. A `return` of the connection's facts is sent with the default_type in scope: a page when that
  is text/html. A preflight's `return 204` inside `if` is sent without them and without a body.
- SEC504: one proxy_set_header in a location drops every proxy_set_header of the server, whatever its name.
- SEC506: `return` answers before allow/deny run: a client the rules deny gets the page. A redirect to a path of
  the same server tells the client nothing but the path, and the request for that path meets the same rules (403).
  So does a `return` of content before the location's auth_basic: the client gets it without credentials. An error
  code that error_page hands to a named location meets the access phase there: under the same rules, 403.
- SEC507: `root /` serves /etc/passwd, unless every location answers alone (`return`, one exact file); an
  `internal` location's `alias /` answers a client 404, and serves /etc/passwd only through a fallback built from
  the request (`try_files … /files$uri`).
- SEC509: `location /api` with `proxy_pass …/v1/` lets GET /api../secret reach /secret on the upstream. With
  `proxy_pass …/` GET /apiadmin reaches /admin: that passes by `location /api/admin`, and reaches nothing more
  where no location answers below the prefix, or where the path it guards goes to a regex location without it.
- SEC541: a capture of the URI in a location whose `try_files $uri =404` runs first reaches the proxy only for a
  URI that names an existing file: a made-up host gets 404 and no connection.
- SEC541: a capture of a `server_name` regex is a part of the Host header: `~^(?<sub>.+)\\.example\\.com$` takes
  `Host: 127.0.0.2?.example.com`, and `proxy_pass http://$sub.internal.test:PORT` connects to 127.0.0.2, port 80.
  `proxy_pass http://backend$is_args$args` reaches the upstream `backend` whatever the query string holds.
- SEC510: trusting every address with `real_ip_recursive on` makes the leftmost X-Forwarded-For entry, the one the
  client wrote, its $remote_addr; a client that connects itself sets it with the header whatever the recursion.
  A `limit_req_zone` keyed on the address gives each forged address a quota of its own once a `limit_req` applies
  it; declared alone it limits nothing, and the rule is quiet.
- SEC549: a rewrite inside `if (-d $request_filename)` fires only for a directory of the site: `/https:/evil.example`
  gets 404.
- SEC549: nginx merges `/go/https://evil.example` into `https:/evil.example`, which `return 302 $1` sends as the
  Location; with `absolute_redirect off` a Location starting with `/` is sent as it is (`//evil.example`,
  `/` and a backslash), with it on nginx puts its own scheme and host in front. A map value that starts with
  `/moved/` keeps a `//evil.example` its capture holds inside the path. An unanchored `(.*)` at the
  start of a rewrite's regex need not start at the URI's start: `.` stops at a newline (`%0A` in the request),
  so `rewrite (.*)//+(.*) $1/$2 permanent;` answers `/%0Ahttps://evil.example` with `Location:
  https:/evil.example`; `^(.*)//+(.*)` keeps the Location on the site.
- SEC525: CVE-2026-42945 needs a `set` (or `if`, `rewrite`) that runs after a matching `rewrite … ?$1`; a rewrite
  with `last` ends the script there, and the location found again starts a new one, so the `set` never runs.
- SEC526: a literal name in proxy_pass is looked up while nginx loads (`nginx -t` fails when it does not resolve);
  the same name in a variable is looked up through `resolver` when a request comes.
- SEC543: an Origin copied (`set $cors $http_origin`) or flagged inside `if ($http_origin ~ …)` reaches
  Access-Control-Allow-Origin only when the regex accepted it; a copy made in `if ($http_origin !~ …)` sends the
  refused Origin. No Access-Control-Allow-Credentials is sent unless the config adds it, in the block whose
  add_header list is sent: a location's own list leaves out the server's credentials header, and a preflight's
  `if (…OPTIONS) { …; return 204; }` answers with its own list and no body.
- NGX011: `add_header Content-Type` sends a second Content-Type; `default_type` sends one, and so does headers-more's
  `more_set_headers "Content-Type: …"`, which replaces nginx's. A 204 carries only the added one (nginx drops its
  own); a 304 and a proxied response carry two. Without `always` an answer of 404 or 500 gets no added header. A
  named location answers under the URI sent to it (`/robots.txt`: text/plain).
- NGX012: an `if` whose add_header replaces nothing adds it to the location's answer, and an `if` that returns
  competes with no other; a `return` right after an `if` answers whether it matched or not, with its list. A `try_files` of the URI's files, the directory's index and a 404 answers as the static
  and index handlers do once an `if` skips it; `$uri =404` alone answers a directory with 404, they serve its index.
- NGX012: `rewrite` to an absolute URL inside `if` redirects even with `break`, and a local `break` serves the new
  URI from the if's location (neither is reported); `try_files` does not run once an `if` matched. A nested
  location never runs its parent's try_files, nor a location the server's, so an `if` there loses none. The echo
  module's directives inside `if` keep the location's other echo lists (its merge inherits each on its own): the
  response is kept and the text after it added; an `echo_after_body` the location sets too is replaced.
  An `if` after a `rewrite … break` that takes every URI of its location is never evaluated: try_files runs.
  An `if` on a variable only `auth_request_set` sets never holds: the rewrite phase tests it before the access
  phase's auth request fills it (its add_header is never sent, though the variable holds the cookie by then).
- NGX014: a map without default used by add_header gives no header at all for an unmatched value (nginx adds a
  header only when its value is not empty).
- NGX015: servers on one socket from `include sites/*.conf` answer unknown hosts with the server of the file whose
  name sorts first, so renaming a file hands them to another site; in one file the first server answers them, and
  only the text of that file can change it.
- NGX017: `error_log off` makes nginx create a file named "off" in its prefix, and `access_log on` one named "on".
- NGX031: `add_header X-Frame-Options 'deny always'` sends `X-Frame-Options: deny always` on a page and nothing on
  a 404; `'deny' always` sends `deny` on both.
"""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from lintkit import MODULES_DIR, run_cli, write_tree
from nginx_harness import NGINX, FakeDns, Nginx, free_port, http_config, raw_request

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")

config = http_config  # every server under test, in one stock config


def codes(findings, code) -> list[int]:
    """The lines of conf/nginx.conf where `code` is reported."""
    return [f["line"] for f in findings if f["code"] == code and f["path"] == "conf/nginx.conf"]


def line_of(files: dict, text: str) -> int:
    """The line of conf/nginx.conf that holds `text`: where the finding must be."""
    lines = files["conf/nginx.conf"].split("\n")
    return next(number for number, line in enumerate(lines, 1) if text in line)


def request(port: int, head: str) -> tuple[str, dict, str]:
    """(status line, headers, body) of one raw HTTP/1.1 request with `Connection: close`; ("", {}, "") when
    nginx closes the connection without answering."""
    text = raw_request(port, head)
    header, _, body = text.partition("\r\n\r\n")
    lines = header.split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return (lines[0] if text else ""), headers, body


def started(files) -> Nginx:
    nginx = Nginx(files)
    outcome = nginx.start()
    if outcome.status != 0:
        nginx.__exit__(None, None, None)
        pytest.fail(outcome.stderr)
    return nginx


# -- SEC501 ----------------------------------------------------------------------------------------------------

def _host_files(value: str, upstream: int) -> dict:
    return {"conf/nginx.conf": config(
        f'server {{ listen 127.0.0.1:{upstream}; location / {{ return 200 "host=$http_host"; }} }}\n'
        "server { listen 127.0.0.1:{port} default_server; server_name _; return 444; }\n"
        "server { listen 127.0.0.1:{port}; server_name good.test;\n"
        f"    location / {{ proxy_set_header Host {value}; proxy_pass http://127.0.0.1:{upstream}; }} }}")}


@pytest.mark.parametrize("value, seen, reported", [("$http_host", "evil.test", True), ("$host", "good.test", False)])
def test_host_spoofing_reaches_the_upstream(value, seen, reported):
    files = _host_files(value, free_port())
    with started(files) as nginx:
        # nginx routes by the host of an absolute request line; the Host header is the client's word
        status, _, body = request(nginx.port, "GET http://good.test/ HTTP/1.1\r\nHost: evil.test\r\n")
        assert status.endswith("200 OK") and body == f"host={seen}", (status, body)
        # a plain request for an unknown host is refused by the default server, so the spoof needs the form above
        assert request(nginx.port, "GET / HTTP/1.1\r\nHost: evil.test\r\n")[0] == ""
        lines = codes(nginx.lint("--extend-select", "SEC501"), "SEC501")
    assert lines == ([line_of(files, "proxy_set_header Host")] if reported else [])


@pytest.mark.parametrize("modules", ["", "include modules-enabled/*.conf;\n"])
def test_a_server_alone_on_its_socket_gets_every_host_so_host_is_the_clients_choice_too(modules):
    """Also behind an include of the main context that matches nothing: it cannot add a server."""
    upstream = free_port()
    files = {"conf/nginx.conf": modules + config(
        f'server {{ listen 127.0.0.1:{upstream}; location / {{ return 200 "host=$http_host"; }} }}\n'
        "server { listen 127.0.0.1:{port}; server_name good.test;\n"
        f"    location /raw {{ proxy_set_header Host $http_host; proxy_pass http://127.0.0.1:{upstream}; }}\n"
        f"    location /host {{ proxy_set_header Host $host; proxy_pass http://127.0.0.1:{upstream}; }} }}")}
    with started(files) as nginx:
        assert request(nginx.port, "GET /host HTTP/1.1\r\nHost: evil.test\r\n")[2] == "host=evil.test"
        junk = "GET /{} HTTP/1.1\r\nHost: good.test:@evil.test\r\n"
        assert request(nginx.port, junk.format("raw"))[2] == "host=good.test:@evil.test"  # nginx 1.22 takes it
        assert request(nginx.port, junk.format("host"))[2] == "host=good.test"
        lines = codes(nginx.lint("--extend-select", "SEC501"), "SEC501")
    assert lines == []  # what follows the colon matters only to an upstream that builds links from it


def test_a_default_server_that_shares_its_socket_hands_on_a_host_another_server_refuses():
    upstream = free_port()
    files = {"conf/nginx.conf": config(
        f'server {{ listen 127.0.0.1:{upstream}; location / {{ return 200 "host=$http_host"; }} }}\n'
        "server { listen 127.0.0.1:{port} default_server; server_name _;\n"
        f"    location / {{ proxy_set_header Host $http_host; proxy_pass http://127.0.0.1:{upstream}; }} }}\n"
        "server { listen 127.0.0.1:{port}; server_name good.test; return 403; }")}
    with started(files) as nginx:
        assert request(nginx.port, "GET / HTTP/1.1\r\nHost: good.test\r\n")[0].endswith("403 Forbidden")
        status, _, body = request(nginx.port, "GET http://evil.test/ HTTP/1.1\r\nHost: good.test\r\n")
        findings = [f for f in nginx.lint("--extend-select", "SEC501") if f["code"] == "SEC501"]
    assert body == "host=good.test", (status, body)
    assert [f["line"] for f in findings] == [line_of(files, "Host $http_host")]
    assert "absolute form" in findings[0]["message"]


# -- SEC502 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("location, try_files, leaks", [
    ("/static", "", True), ("/static/", "", False),
    # a try_files that names its files in full answers them whatever the path; one that tries $uri does not
    ("/static", "try_files ok.txt =404;", False), ("/static", "try_files $uri /static/ok.txt;", True)])
def test_alias_traversal_reads_outside_the_alias(location, try_files, leaks):
    files = {
        "conf/nginx.conf": config("server { listen 127.0.0.1:{port};\n"
                                  f"    location {location} {{ alias data/public/; {try_files} }} }}"),
        "data/public/ok.txt": "public\n",
        "data/secret.txt": "SECRET\n",  # outside the root (html): no plain request reads it
    }
    with started(files) as nginx:
        assert nginx.get("/static/ok.txt") == (200, "public\n")
        status, body = nginx.get("/static../secret.txt")
        assert (status == 200 and body == "SECRET\n") == leaks, (status, body)
        lines = codes(nginx.lint(), "SEC502")
    assert lines == ([line_of(files, "location /static")] if leaks else [])


@pytest.mark.parametrize("rewrite, leaks", [("", False), ("location /dl { rewrite ^/dl(.*)$ /static$1 last; }", True)])
def test_an_internal_alias_is_reached_only_through_a_rewrite(rewrite, leaks):
    files = {
        "conf/nginx.conf": config("server { listen 127.0.0.1:{port};\n"
                                  f"    location /static {{ internal; alias data/public/; }} {rewrite} }}"),
        "data/public/ok.txt": "public\n",
        "data/secret.txt": "SECRET\n",  # outside the root (html): no plain request reads it
    }
    with started(files) as nginx:
        assert nginx.get("/static../secret.txt")[0] == 404
        status, body = nginx.get("/dl../secret.txt")
        assert (status == 200 and body == "SECRET\n") == leaks, (status, body)
        lines = codes(nginx.lint(), "SEC502")
    assert lines == ([line_of(files, "location /static")] if leaks else [])


@pytest.mark.parametrize("root_location, new", [("location / { }", False), ("location / { return 404; }", True)])
def test_an_alias_below_the_served_root_shows_what_the_root_shows(root_location, new):
    files = {
        "conf/nginx.conf": config("server { listen 127.0.0.1:{port}; root html;\n"
                                  f"    {root_location} location /static {{ alias html/public/; }} }}"),
        "html/public/ok.txt": "public\n",
        "html/secret.txt": "SECRET\n",
    }
    with started(files) as nginx:
        assert nginx.get("/static../secret.txt") == (200, "SECRET\n")
        plain = nginx.get("/secret.txt")
        lines = codes(nginx.lint(), "SEC502")
    assert (plain != (200, "SECRET\n")) == new, plain
    assert lines == ([line_of(files, "location /static")] if new else [])


@pytest.mark.parametrize("root_location, reported", [
    ("location / { location ~ ^/[^/]+/ { return 301 /; } }", False),
    ("location / { return 404; }", True),
])
def test_an_alias_inside_the_published_root_reaches_its_public_files(root_location, reported):
    """A `location /` that serves the root publishes it, even when a nested location redirects its two-segment
    paths: the alias's siblings (`/plugins_old/x`) are files of the same public bundle. A root that no location
    serves publishes nothing."""
    files = {
        "conf/nginx.conf": config("server { listen 127.0.0.1:{port}; root html;\n"
                                  f"    {root_location} location /plugins {{ alias html/plugins; }} }}"),
        "html/plugins/ok.txt": "plugin\n",
        "html/plugins_old/x.txt": "OLD\n",
    }
    with started(files) as nginx:
        assert nginx.get("/plugins/ok.txt") == (200, "plugin\n")
        assert nginx.get("/plugins_old/x.txt") == (200, "OLD\n")  # the sibling, through the alias
        lines = codes(nginx.lint("--extend-select", "SEC511"), "SEC511")
    assert lines == ([line_of(files, "location /plugins")] if reported else [])


@pytest.mark.parametrize("slashes, widens", [(("", ""), True), (("/", "/"), False)])
def test_an_alias_without_slashes_reaches_only_siblings_that_start_with_its_name(slashes, widens):
    """`location /files { alias data/files; }` serves /files_old/x from data/files_old/x, a sibling whose name
    starts as the alias's; `..` gives data/files../x, a name of its own, never the parent. SEC511 (opt-in) reports
    the widening, SEC502 nothing."""
    location, alias = slashes
    files = {
        "conf/nginx.conf": config("server { listen 127.0.0.1:{port};\n"
                                  f"    location /files{location} {{ alias data/files{alias}; }} }}"),
        "data/files/ok.txt": "files\n",
        "data/files_old/x.txt": "OLD\n",
        "data/secret.txt": "SECRET\n",
    }
    with started(files) as nginx:
        assert nginx.get("/files/ok.txt") == (200, "files\n")
        assert (nginx.get("/files_old/x.txt") == (200, "OLD\n")) == widens
        assert nginx.get("/files../secret.txt")[0] == 404
        findings = nginx.lint("--extend-select", "SEC511")
    assert codes(findings, "SEC502") == []
    assert codes(findings, "SEC511") == ([line_of(files, "location /files")] if widens else [])


# -- SEC503 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("inner, dropped, code", [
    ('add_header Cache-Control no-store;', True, "SEC503"),
    # an if of a location that lets the request go on: NGX012 reports the list it replaces
    ('if ($arg_x) { add_header Cache-Control no-store; }', True, "NGX012"),
    ('add_header X-Frame-Options DENY; add_header Cache-Control no-store;', False, "SEC503"),
])
def test_add_header_in_a_block_drops_the_inherited_ones(inner, dropped, code):
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        "    add_header X-Frame-Options DENY;\n"
        f"    location / {{ {inner} }} }}"), "html/index.html": "<p>a page</p>\n"}
    with started(files) as nginx:
        _, headers, _ = request(nginx.port, "GET /?x=1 HTTP/1.1\r\nHost: a\r\n")
        assert headers.get("cache-control") == ["no-store"]
        assert ("x-frame-options" not in headers) == dropped, headers
        findings = nginx.lint()
    assert codes(findings, code) == ([line_of(files, "Cache-Control")] if dropped else [])
    assert codes(findings, "SEC503") == ([line_of(files, "Cache-Control")] if dropped and code == "SEC503" else [])


@pytest.mark.parametrize("location, path, body", [
    ("location = /robots.txt { alias html/robots.txt; add_header Cache-Control public; }", "/robots.txt",
     "User-agent: *\n"),
    ('location = /ping { return 200 "pong"; add_header Cache-Control no-cache; }', "/ping", "pong"),
])
def test_a_fixed_text_answer_loses_the_page_policies_and_nothing_that_matters(location, path, body):
    # the text a browser shows as text: no script to restrict, no control to frame, no link to leak
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port}; default_type text/plain;\n"
        "    add_header X-Frame-Options DENY always; add_header X-Content-Type-Options nosniff always;\n"
        f"    {location} }}"), "html/robots.txt": "User-agent: *\n"}
    with started(files) as nginx:
        _, headers, text = request(nginx.port, f"GET {path} HTTP/1.1\r\nHost: a\r\n")
        assert text == body and headers["content-type"] == ["text/plain"], headers
        assert "x-frame-options" not in headers and "x-content-type-options" not in headers, headers
        assert codes(nginx.lint(), "SEC503") == []


@pytest.mark.parametrize("answer, body, reported", [("return 204;", "", False),
                                                     ("return 200 '<p>allowed</p>';", "<p>allowed</p>", True)])
def test_a_preflight_answer_without_body_carries_nothing_a_browser_reads(answer, body, reported):
    """`if ($request_method = OPTIONS) { add_header …; return 204; }` answers without the server's headers, and
    without a body: no page to frame, sniff or restrict."""
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port}; default_type text/html;\n"
        "    add_header X-Frame-Options DENY always; add_header X-Content-Type-Options nosniff always;\n"
        "    location / { if ($request_method = OPTIONS) {\n"
        f"        add_header Access-Control-Allow-Origin *; {answer} }} }} }}")}
    with started(files) as nginx:
        status, headers, text = request(nginx.port, "OPTIONS / HTTP/1.1\r\nHost: a\r\n")
        assert text == body and headers["access-control-allow-origin"] == ["*"], (status, headers, text)
        assert "x-frame-options" not in headers and "x-content-type-options" not in headers, headers
        assert ("content-length" not in headers) == (body == ""), headers  # a 204 has no body at all
        lines = codes(nginx.lint(), "SEC503")
    assert lines == ([line_of(files, "add_header Access-Control-Allow-Origin")] if reported else [])


@pytest.mark.parametrize("default_type, reported", [("application/octet-stream", False), ("text/html", True)])
def test_a_return_of_the_connections_facts_is_sent_with_the_default_type(default_type, reported):
    # the answer a browser gets is of the type in scope: saved or shown as text it is no page; as HTML it is one
    files = {"conf/nginx.conf": config(
        f"server {{ listen 127.0.0.1:{{port}}; default_type {default_type};\n"
        "    add_header X-Frame-Options DENY always; add_header Cross-Origin-Resource-Policy same-origin always;\n"
        '    location = /whoami { add_header X-Served-By edge; return 200 "addr: $remote_addr"; } }')}
    with started(files) as nginx:
        _, headers, text = request(nginx.port, "GET /whoami HTTP/1.1\r\nHost: a\r\n")
        assert text == "addr: 127.0.0.1" and headers["content-type"] == [default_type], headers
        assert "x-frame-options" not in headers and "cross-origin-resource-policy" not in headers, headers
        assert codes(nginx.lint(), "SEC503") == ([line_of(files, "X-Served-By")] if reported else [])


def test_a_dropped_diagnostic_header_is_not_reported_unless_every_header_counts():
    # nginx drops X-Served-By from the preflight answer just the same; no client is the worse for it
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        "    add_header X-Served-By web1 always;\n"
        "    location / {\n"
        '        if ($request_method = OPTIONS) { add_header Allow "GET, HEAD"; return 204; }\n'
        '        return 200 "ok"; } }')}
    with started(files) as nginx:
        _, headers, _ = request(nginx.port, "OPTIONS / HTTP/1.1\r\nHost: a\r\n")
        assert headers.get("allow") == ["GET, HEAD"] and "x-served-by" not in headers, headers
        _, headers, _ = request(nginx.port, "GET / HTTP/1.1\r\nHost: a\r\n")
        assert headers.get("x-served-by") == ["web1"], headers
        assert codes(nginx.lint(), "SEC503") == []
        assert codes(nginx.lint("--security-headers", "*"), "SEC503") == [line_of(files, "add_header Allow")]


# -- SEC504 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("inner, kept", [
    ("proxy_set_header X-Forwarded-Port $server_port;", False),  # one header of its own drops the server's
    ("proxy_set_header X-Forwarded-Port $server_port; proxy_set_header X-Request-Start $msec;", True),
])
def test_proxy_set_header_in_a_location_drops_the_inherited_ones(inner, kept):
    # Gixy-Next's headers_option_fp fixture: its `headers` option would limit gixy to `Host`; nginx drops them all
    upstream = free_port()
    files = {"conf/nginx.conf": config(
        f'server {{ listen 127.0.0.1:{upstream}; location / {{ return 200 "start=$http_x_request_start"; }} }}\n'
        "server { listen 127.0.0.1:{port};\n"
        "    proxy_set_header X-Request-Start $msec;\n"
        f"    location /internal {{ {inner} proxy_pass http://127.0.0.1:{upstream}; }} }}")}
    with started(files) as nginx:
        status, _, body = request(nginx.port, "GET /internal HTTP/1.1\r\nHost: a\r\n")
        assert status.endswith("200 OK") and (body != "start=") is kept, (status, body)
        lines = codes(nginx.lint("--extend-select", "SEC504"), "SEC504")
    assert lines == ([] if kept else [line_of(files, "location /internal")])


# -- SEC544 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("handler, reported", [("", False), ("proxy_pass http://127.0.0.1:{upstream};", True)])
def test_a_referer_check_with_none_refuses_other_sites_and_lets_direct_requests_through(handler, reported):
    """Hot-link protection of files (`none blocked`): another site's page is refused, a direct request is served,
    as meant. In front of an application the same check lets a request that hides its Referer through."""
    upstream = free_port()
    files = {
        "conf/nginx.conf": config(
            f'server {{ listen 127.0.0.1:{upstream}; location / {{ return 200 "app\\n"; }} }}\n'
            "server { listen 127.0.0.1:{port}; server_name good.test; root html;\n"
            "    location /media/ { valid_referers none blocked server_names;\n"
            f"        if ($invalid_referer) {{ return 403; }} {handler.format(upstream=upstream)} }} }}"),
        "html/media/a.png": "app\n",
    }
    with started(files) as nginx:
        foreign = request(nginx.port, "GET /media/a.png HTTP/1.1\r\nHost: good.test\r\nReferer: http://evil.test/\r\n")
        direct = request(nginx.port, "GET /media/a.png HTTP/1.1\r\nHost: good.test\r\n")
        lines = codes(nginx.lint(), "SEC544")
    assert foreign[0].endswith("403 Forbidden"), foreign
    assert direct[0].endswith("200 OK") and direct[2] == "app\n", direct
    assert lines == ([line_of(files, "valid_referers")] if reported else [])


# -- SEC506 ----------------------------------------------------------------------------------------------------

# The access phase's checks a `return` answers before: allow/deny (403 where they run) and auth_basic (401).
_CHECKS = {"allow/deny": ("allow 192.0.2.1; deny all;", 403),
           "auth_basic": ("auth_basic admin; auth_basic_user_file htpasswd;", 401)}


@pytest.mark.parametrize("check", sorted(_CHECKS))
@pytest.mark.parametrize("answer, bypassed", [('return 200 "secret";', True), ("try_files /secret.txt =404;", False)])
def test_return_answers_before_the_access_phase(check, answer, bypassed):
    rules, refused = _CHECKS[check]
    files = {
        "conf/nginx.conf": config("server { listen 127.0.0.1:{port}; root html;\n"
                                  f"    location /admin {{ {rules} {answer} }} }}"),
        "conf/htpasswd": "admin:{PLAIN}not-this\n",
        "html/secret.txt": "secret",
    }
    with started(files) as nginx:
        status, body = nginx.get("/admin")
        assert (status == 200 and body == "secret") == bypassed, (status, body)
        assert bypassed or status == refused
        lines = codes(nginx.lint(), "SEC506")
    assert lines == ([line_of(files, "location /admin")] if bypassed else [])


def test_an_empty_answer_before_allow_deny_gives_nothing_away():
    files = {"conf/nginx.conf": config("server { listen 127.0.0.1:{port};\n"
                                       "    location /liveness { allow 192.0.2.1; deny all; return 200; } }")}
    with started(files) as nginx:
        status, body = nginx.get("/liveness")
        lines = codes(nginx.lint(), "SEC506")
    assert (status, body) == (200, "")
    assert lines == []


@pytest.mark.parametrize("target_rules, reported", [("", False), ("allow all;", True)])
def test_redirect_to_a_path_the_same_rules_guard(target_rules, reported):
    files = {
        "conf/nginx.conf": config("server { listen 127.0.0.1:{port}; root html; allow 192.0.2.1; deny all;\n"
                                  "    location /netdata { return 301 /netdata/; }\n"
                                  f"    location ~ /netdata/ {{ {target_rules} try_files /secret.txt =404; }} }}"),
        "html/secret.txt": "secret",
    }
    with started(files) as nginx:
        redirect = request(nginx.port, "GET /netdata HTTP/1.1\r\nHost: site.test\r\n")
        target = request(nginx.port, "GET /netdata/ HTTP/1.1\r\nHost: site.test\r\n")
        lines = codes(nginx.lint(), "SEC506")
    assert redirect[0].endswith("301 Moved Permanently"), redirect
    assert redirect[1]["location"][0].endswith("/netdata/") and "secret" not in redirect[2], redirect
    if reported:
        assert target[0].endswith("200 OK") and target[2] == "secret", target
    else:
        assert target[0].endswith("403 Forbidden"), target
    assert lines == ([line_of(files, "location /netdata {")] if reported else [])


@pytest.mark.parametrize("page_rules, reported", [("", False), ("allow all;", True)])
def test_an_error_page_of_a_named_location_runs_its_access_phase(page_rules, reported):
    files = {
        "conf/nginx.conf": config("server { listen 127.0.0.1:{port}; root html; allow 192.0.2.1; deny all;\n"
                                  "    error_page 503 @maintenance;\n"
                                  "    location / { return 503; }\n"
                                  f"    location @maintenance {{ {page_rules} try_files /secret.txt =404; }} }}"),
        "html/secret.txt": "secret",
    }
    with started(files) as nginx:
        status, body = nginx.get("/")
        lines = codes(nginx.lint(), "SEC506")
    assert (status == 503 and body == "secret") == reported, (status, body)
    assert reported or status == 403
    assert lines == ([line_of(files, "location / {")] if reported else [])


# -- SEC507 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("root, exposed", [("/", True), ("/usr/..", True), ("html", False)])
def test_root_at_the_filesystem_root_serves_etc_passwd(root, exposed):
    files = {"conf/nginx.conf": config(f"server {{ listen 127.0.0.1:{{port}}; root {root}; }}")}
    with started(files) as nginx:
        status, body = nginx.get("/etc/passwd")
        assert (status == 200 and "root:" in body) == exposed, status
        lines = codes(nginx.lint(), "SEC507")
    assert lines == ([line_of(files, "root")] if exposed else [])


@pytest.mark.parametrize("locations, exposed", [
    ("location / { return 200 'ok'; } location = /robots.txt { }", False),
    ("location / { return 200 'ok'; } location /etc/ { }", True),
])
def test_a_root_whose_locations_answer_alone_serves_no_file_of_the_clients_choice(locations, exposed):
    files = {"conf/nginx.conf": config(f"server {{ listen 127.0.0.1:{{port}}; root /; {locations} }}")}
    with started(files) as nginx:
        answers = [nginx.get(path) for path in ("/etc/passwd", "/robots.txt/../etc/passwd")]
        lines = codes(nginx.lint(), "SEC507")
    assert any(status == 200 and "root:" in body for status, body in answers) == exposed, answers
    assert lines == ([line_of(files, "root")] if exposed else [])


@pytest.mark.parametrize("fallback, exposed", [("=404", False), ("/files$uri", True)])
def test_an_internal_alias_of_the_root_serves_what_the_upstream_picks(fallback, exposed):
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port}; location /files/ { internal; alias /; }\n"
        f"    location / {{ try_files /nothing {fallback}; }} }}")}
    with started(files) as nginx:
        answers = [nginx.get(path) for path in ("/files/etc/passwd", "/etc/passwd")]
        lines = codes(nginx.lint(), "SEC507")
    assert answers[0][0] == 404, answers  # a client's request for an internal location
    assert (answers[1][0] == 200 and "root:" in answers[1][1]) == exposed, answers
    assert lines == ([line_of(files, "alias")] if exposed else [])


# -- SEC509 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("location, escapes", [("/api", True), ("/api/", False)])
def test_proxy_pass_off_by_slash_reaches_outside_the_proxied_path(location, escapes):
    upstream = free_port()
    files = {"conf/nginx.conf": config(
        f"server {{ listen 127.0.0.1:{upstream};\n"
        '    location /v1/ { return 200 "public"; } location /secret { return 200 "SECRET"; } }\n'
        "server { listen 127.0.0.1:{port};\n"
        f"    location {location} {{ proxy_pass http://127.0.0.1:{upstream}/v1/; }} }}")}
    with started(files) as nginx:
        assert nginx.get("/api/x") == (200, "public")
        status, body = nginx.get("/api../secret")
        assert (body == "SECRET") == escapes, (status, body)
        lines = codes(nginx.lint(), "SEC509")
    assert lines == ([line_of(files, "location /api")] if escapes else [])


def _behind_echo(front: str) -> dict:
    """A config whose second server, on {port}, holds the `front` locations and proxies to the first, which
    answers "upstream $uri" (`{upstream}` in `front` stands for its address)."""
    upstream = f"127.0.0.1:{free_port()}"
    return {"conf/nginx.conf": config(
        f'server {{ listen {upstream}; location / {{ return 200 "upstream $uri"; }} }}\n'
        "server { listen 127.0.0.1:{port};\n" + front.replace("{upstream}", upstream) + "\n}")}


@pytest.mark.parametrize("guard, reported", [("location /api/admin { return 403; }", True), ("", False)])
def test_proxy_pass_of_the_whole_upstream_matters_only_past_a_location_below_the_prefix(guard, reported):
    files = _behind_echo(f"    location /api {{ proxy_pass http://{{upstream}}/; }}\n    {guard}")
    with started(files) as nginx:
        assert nginx.get("/apiadmin") == (200, "upstream /admin")  # the whole upstream, without any `..`
        assert nginx.get("/api/admin")[0] == (403 if guard else 200)
        lines = codes(nginx.lint(), "SEC509")
    assert lines == ([line_of(files, "location /api ")] if reported else [])


@pytest.mark.parametrize("guard", [True, False])
@pytest.mark.parametrize("regex", [True, False])
def test_a_guard_counts_only_where_the_prefix_would_serve_its_path(guard, regex):
    files = _behind_echo(
        "    location /news { proxy_pass http://{upstream}/; }\n"
        + ("    location ^~ /news/ghost/admin/ { return 500; }\n" if guard else "")
        + ('    location ~ ^/news/(ghost|content)(/.*)?$ { return 200 "ghost"; }\n' if regex else ""))
    with started(files) as nginx:
        assert nginx.get("/newsghost/admin/x") == (200, "upstream /ghost/admin/x")
        # without the guard its path goes to the regex location, or else to this prefix's upstream
        status, body = nginx.get("/news/ghost/admin/x")
        if guard:
            assert status == 500
        else:
            assert body == ("ghost" if regex else "upstream /ghost/admin/x")  # sent as //ghost/…, merged
        lines = codes(nginx.lint(), "SEC509")
    assert lines == ([line_of(files, "location /news ")] if guard and not regex else [])


@pytest.mark.parametrize("rewrite, sent", [("rewrite /pad/p/(.*) /p/$1 break;", "/p/x"), ("", "/px")])
def test_a_rewrite_of_every_uri_with_break_makes_the_proxy_pass_uri_replace_nothing(rewrite, sent):
    files = _behind_echo(f"    location /pad/p/ {{ {rewrite} proxy_pass http://{{upstream}}/p; }}")
    with started(files) as nginx:
        assert nginx.get("/pad/p/x") == (200, f"upstream {sent}")
        lines = codes(nginx.lint(), "SEC509")
    assert lines == ([] if rewrite else [line_of(files, "proxy_pass")])


# -- SEC543 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("gate, refused_reaches", [
    ('if ($http_origin ~ "^https://app\\.example\\.com$") { set $cors $http_origin; }', False),
    ('if ($http_origin ~ "^https://app\\.example\\.com$") { set $flag "true"; }\n'
     '    if ($flag = "true") { set $cors $http_origin; }', False),
    ('if ($http_origin !~ "^https://app\\.example\\.com$") { set $cors $http_origin; }', True),
])
def test_an_origin_set_inside_the_if_that_accepted_it_is_checked(gate, refused_reaches):
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        '    set $cors ""; set $flag "";\n'
        f"    {gate}\n"
        "    add_header Access-Control-Allow-Origin $cors always;\n"
        "    add_header Access-Control-Allow-Credentials true always;\n"
        '    location / { return 200 "session $cookie_session"; } }')}  # the user's own data, for a reader
    with started(files) as nginx:
        answers = {origin: request(nginx.port, f"GET / HTTP/1.1\r\nHost: t\r\nOrigin: {origin}\r\n")[1]
                   for origin in ("https://app.example.com", "https://evil.test")}
        lines = codes(nginx.lint(), "SEC543")
    reached = [origin for origin, headers in answers.items() if "access-control-allow-origin" in headers]
    assert reached == (["https://evil.test"] if refused_reaches else ["https://app.example.com"]), answers
    assert lines == ([line_of(files, "Access-Control-Allow-Origin $cors")] if refused_reaches else [])


def test_no_credentials_header_unless_the_config_adds_it():
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        "    add_header Access-Control-Allow-Origin $http_origin always;\n"
        '    location / { return 200 "ok"; } }')}
    with started(files) as nginx:
        status, headers, _ = request(nginx.port, "GET / HTTP/1.1\r\nHost: t\r\nOrigin: https://evil.test\r\n")
        lines = codes(nginx.lint(), "SEC543")
    assert headers.get("access-control-allow-origin") == ["https://evil.test"]
    assert "access-control-allow-credentials" not in headers  # the browser keeps the answer from the page
    assert lines == []


def test_a_reflection_is_sent_with_the_credentials_of_its_own_block_only():
    # the location's add_header list replaces the server's: its reflected Origin goes out without the credentials
    # header, and the preflight's if answers its 204 with its own list, no body
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        "    add_header Access-Control-Allow-Credentials true always;\n"
        "    location / {\n"
        "        if ($request_method = OPTIONS) { add_header Access-Control-Allow-Origin $http_origin;\n"
        "            return 204; }\n"
        '        add_header Access-Control-Allow-Origin $http_origin always; return 200 "ok $cookie_session"; } }')}
    with started(files) as nginx:
        for method, status, body in (("GET", "200", "ok "), ("OPTIONS", "204", "")):
            answer, headers, text = request(nginx.port,
                                            f"{method} / HTTP/1.1\r\nHost: t\r\nOrigin: https://evil.test\r\n")
            assert (answer.split()[1], text) == (status, body), (method, answer)
            assert headers.get("access-control-allow-origin") == ["https://evil.test"], (method, headers)
            assert "access-control-allow-credentials" not in headers, (method, headers)
        assert codes(nginx.lint(), "SEC543") == []


# -- SEC541 ----------------------------------------------------------------------------------------------------

def _can_listen(address: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx does: a closed socket may linger
        try:
            probe.bind((address, port))
        except OSError:
            return False
    return True


@pytest.mark.parametrize("capture, escapes", [(".+", True), ("[a-z0-9-]+", False)])
def test_a_server_name_capture_in_proxy_pass_picks_any_host(capture, escapes):
    if not _can_listen("127.0.0.2", 80):
        pytest.skip("needs to listen on 127.0.0.2:80 (the port the escaped request goes to)")
    with FakeDns() as dns:  # every name is 127.0.0.1
        files = {"conf/nginx.conf": config(
            'server { listen 127.0.0.2:80; return 200 "escaped"; }\n'
            'server { listen 127.0.0.1:{port}; server_name a.internal.test; return 200 "internal"; }\n'
            f"server {{ listen 127.0.0.1:{{port}}; server_name ~^(?<sub>{capture})\\.example\\.com$;\n"
            f"    resolver 127.0.0.1:{dns.port};\n"
            "    location / { proxy_pass http://$sub.internal.test:{port}; } }")}
        with started(files) as nginx:
            assert request(nginx.port, "GET / HTTP/1.1\r\nHost: a.example.com\r\n")[2] == "internal"
            status, _, body = request(nginx.port, "GET / HTTP/1.1\r\nHost: 127.0.0.2?.example.com\r\n")
            assert (body == "escaped") is escapes, (status, body)
            lines = codes(nginx.lint_deployed(), "SEC541")
    assert lines == ([line_of(files, "proxy_pass")] if escapes else [])


@pytest.mark.parametrize("gate, status, reported", [("", "200", True), ("try_files $uri =404; ", "404", False)])
def test_a_uri_capture_behind_try_files_names_only_an_existing_file(gate, status, reported):
    upstream = free_port()
    files = {"conf/nginx.conf": config(
        f'server {{ listen 127.0.0.1:{upstream}; return 200 "reached"; }}\n'
        "server { listen 127.0.0.1:{port};\n"
        f"    location ~ ^/p/([^/]+)/ {{ {gate}proxy_pass http://$1; }} }}")}
    with started(files) as nginx:
        # a host the client makes up reaches the proxy only without the gate: try_files answers 404 first
        answer, _, body = request(nginx.port, f"GET /p/127.0.0.1:{upstream}/x HTTP/1.1\r\nHost: a\r\n")
        assert answer.split()[1] == status, (answer, body)
        lines = codes(nginx.lint_deployed(), "SEC541")
    assert lines == ([line_of(files, "proxy_pass")] if reported else [])


def test_the_query_string_after_is_args_never_becomes_the_upstream_host():
    files = {"conf/nginx.conf": config(
        "upstream backend { server 127.0.0.1:{port}; }\n"
        'server { listen 127.0.0.1:{port}; server_name backend; return 200 "backend $request_uri"; }\n'
        "server { listen 127.0.0.1:{port} default_server; server_name front;\n"
        "    location / { proxy_pass http://backend$is_args$args; } }")}
    with started(files) as nginx:
        for query in ("?evil.example:1", "?to=evil.example", ""):
            status, _, body = request(nginx.port, f"GET /x{query} HTTP/1.1\r\nHost: front\r\n")
            # the backend answers, the query string arrives as the query (behind `/`: the URL has no path)
            assert (status.split()[1], body) == ("200", f"backend /{query}" if query else "backend /x"), body
        lines = codes(nginx.lint_deployed(), "SEC541")
    assert lines == []


# -- SEC524 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("target, queried", [("127.0.0.1:{upstream}", False), ("$backend:{upstream}", True)])
def test_the_resolver_is_asked_only_by_what_looks_names_up(target, queried, tmp_path):
    """nginx asks its resolver only for what it resolves at run time: a proxy_pass with variables does, a
    proxy_pass to an address does not. SEC524 speaks of a public resolver only when something asks it (the same
    config linted with the resolver at 8.8.8.8)."""
    upstream = free_port()
    with FakeDns() as dns:
        def files(resolver: str) -> dict:
            return {"conf/nginx.conf": config(
                f'server {{ listen 127.0.0.1:{upstream}; return 200 "app"; }}\n'
                f"resolver {resolver};\n"
                "server { listen 127.0.0.1:{port}; set $backend backend.test;\n"
                f"    location / {{ proxy_pass http://{target.format(upstream=upstream)}; }} }}")}
        with started(files(f"127.0.0.1:{dns.port}")) as nginx:
            assert request(nginx.port, "GET / HTTP/1.1\r\nHost: a\r\n")[2] == "app"
        assert bool(dns.queries) is queried, dns.queries
    public = {name: text.replace("{port}", "8080") for name, text in files("8.8.8.8").items()}
    write_tree(tmp_path, public)
    found = run_cli([str(tmp_path / "conf/nginx.conf"), "--select", "SEC524", "--format", "json"]).json["findings"]
    assert [f["line"] for f in found] == ([line_of(public, "resolver")] if queried else [])


# -- SEC510 ----------------------------------------------------------------------------------------------------

def _realip_files(trusted: str, settings: str) -> dict:
    return {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        f"    set_real_ip_from {trusted}; {settings}\n"
        '    location / { return 200 "addr=$remote_addr"; }\n'
        "    location /admin { allow 10.0.0.0/8; deny all; stub_status; } }")}


@pytest.mark.parametrize("trusted, seen, reported", [("0.0.0.0/0", "1.2.3.4", True), ("127.0.0.1", "6.6.6.6", False)])
def test_trusting_every_address_recursively_takes_the_address_the_client_wrote(trusted, seen, reported):
    files = _realip_files(trusted, "real_ip_header X-Forwarded-For; real_ip_recursive on;")
    with started(files) as nginx:
        # the client forged 1.2.3.4; its proxy, at 127.0.0.1, appended the address it saw: 6.6.6.6
        head = "GET / HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-For: 1.2.3.4, 6.6.6.6\r\n"
        assert request(nginx.port, head)[2] == f"addr={seen}"
        lines = codes(nginx.lint(), "SEC510")
    assert lines == ([line_of(files, "set_real_ip_from")] if reported else [])


def _from(source: str, port: int, head: str) -> str:
    """The status line of one request sent from the local address `source`."""
    with socket.create_connection(("127.0.0.1", port), timeout=3, source_address=(source, 0)) as sock:
        sock.sendall((head + "Connection: close\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data.decode("latin-1").split("\r\n", 1)[0]


@pytest.mark.parametrize("trusted, status, reported", [("0.0.0.0/0", "200", True), ("127.0.0.1", "403", False)])
def test_a_client_that_connects_itself_passes_allow_with_the_header(trusted, status, reported):
    files = _realip_files(trusted, "")  # X-Real-IP, not recursive: nginx's defaults
    with started(files) as nginx:
        # 127.0.0.2 is not the proxy: it is a client that reached nginx directly
        assert status in _from("127.0.0.2", nginx.port, "GET /admin HTTP/1.1\r\nHost: a.test\r\nX-Real-IP: 10.0.0.1\r\n")
        lines = codes(nginx.lint(), "SEC510")
    assert lines == ([line_of(files, "set_real_ip_from")] if reported else [])


@pytest.mark.parametrize("limit, statuses, reported", [
    ("limit_req zone=per_client;", ["200", "503", "200"], True), ("", ["200", "200", "200"], False)])
def test_a_zone_keyed_on_the_address_matters_only_where_a_limit_applies_it(limit, statuses, reported):
    files = {"conf/nginx.conf": config(
        "limit_req_zone $binary_remote_addr zone=per_client:1m rate=1r/m;\n"
        "server { listen 127.0.0.1:{port};\n"
        "    set_real_ip_from 0.0.0.0/0; real_ip_header X-Forwarded-For;\n"
        f"    location / {{ {limit} stub_status; }} }}")}
    with started(files) as nginx:
        # the same forged address twice, then another: with the limit applied, each forgery gets a quota of its own
        got = [request(nginx.port, f"GET / HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-For: {address}\r\n")[0]
               for address in ("1.2.3.4", "1.2.3.4", "5.6.7.8")]
        lines = codes(nginx.lint(), "SEC510")
    assert [line.split(" ")[1] for line in got] == statuses
    assert lines == ([line_of(files, "set_real_ip_from")] if reported else [])


# -- SEC549 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("location, path, sent, reported", [
    ("location ~ ^/go/(.*)$ { return 302 $1; }", "/go/https://evil.example", "https:/evil.example", True),
    ("location ~ ^/go/(.*)$ { return 302 https://good.test/$1; }", "/go/https://evil.example",
     "https://good.test/https:/evil.example", False),
    ("location / { absolute_redirect off; return 301 $request_uri; }", "//evil.example", "//evil.example", True),
    ("location / { return 301 $request_uri; }", "//evil.example", "http://good.test:{port}//evil.example", False),
    ("location / { absolute_redirect off; rewrite ^/(.*)/$ /$1 permanent; }", "/%5Cevil.example/",
     "/\\evil.example", True),
    ("location / { rewrite ^/(.*)/$ /$1 permanent; }", "/%5Cevil.example/", "http://good.test:{port}/\\evil.example",
     False),
    # $uri is decoded and its slashes merged: under `location /`, /%5Cevil.example redirects to /\evil.example/; a
    # location whose match fixes the first segment keeps it in front
    ("location / { absolute_redirect off; return 302 $uri/; }", "/%5Cevil.example", "/\\evil.example/", True),
    ("location /x { absolute_redirect off; return 302 $uri/; }", "/x%5Cevil.example", "/x\\evil.example/", False),
    ('location ~ "^/tools/[^/]+$" { absolute_redirect off; return 302 $uri/; }', "/tools/%5Cevil",
     "/tools/\\evil/", False),
    # an unanchored leading capture starts after an encoded newline, which `.` does not match
    ("merge_slashes off; location / { rewrite (.*)//+(.*) $1/$2 permanent; }", "/%0Ahttps://evil.example",
     "https:/evil.example", True),
    # so does an unanchored capture after the host, which then ends the URL's user part: the host is evil.example
    ("location ~ (?<no_slash>.+)/$ { return 301 $scheme://$host$no_slash; }", "/%0A@evil.example/",
     "http://good.test@evil.example", True),
    ("location ~ ^(?<no_slash>/.+)/$ { return 301 $scheme://$host$no_slash; }", "/%0A@evil.example/", None, False),
    # anchored, the capture starts at the URI's first "/": nginx puts its own scheme and host in front
    ("merge_slashes off; location / { rewrite ^(.*)//+(.*) $1/$2 permanent; }", "/https://evil.example",
     "http://good.test:{port}/https:/evil.example", False),
    # a capture of $request_uri anchored at its start is its path as sent: absolute to this server, or `//` if off
    ('location / { if ($request_uri ~* "^(.*/)index\\.php(.*)") { return 307 $1$2; } }', "//evil.example/index.php",
     "http://good.test:{port}//evil.example/", False),
    ('location / { absolute_redirect off; if ($request_uri ~* "^(.*/)index\\.php(.*)") { return 307 $1$2; } }',
     "//evil.example/index.php", "//evil.example/", True),
])
def test_a_redirect_built_from_the_request_leaves_the_site(location, path, sent, reported):
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port}; server_name good.test;\n" f"    {location} }}")}
    with started(files) as nginx:
        _, headers, _ = request(nginx.port, f"GET {path} HTTP/1.1\r\nHost: good.test\r\n")
        assert headers.get("location") == ([sent.replace("{port}", str(nginx.port))] if sent else None)
        lines = codes(nginx.lint(), "SEC549")
    assert lines == ([line_of(files, location)] if reported else [])


@pytest.mark.parametrize("redirect, reported", [
    ("rewrite ^/(.*[^/])$ $1/ permanent;", True),
    ("if (-d $request_filename) { rewrite ^/(.*[^/])$ $1/ permanent; }", False)])
def test_a_redirect_only_for_existing_directories_never_takes_a_link_to_another_host(redirect, reported):
    files = {"conf/nginx.conf": config("server { listen 127.0.0.1:{port}; server_name good.test; root html;\n"
                                       f"    {redirect} }}"), "html/docs/index.html": "docs"}
    with started(files) as nginx:
        attack = request(nginx.port, "GET /https:/evil.example HTTP/1.1\r\nHost: good.test\r\n")
        directory = request(nginx.port, "GET /docs HTTP/1.1\r\nHost: good.test\r\n")
        lines = codes(nginx.lint(), "SEC549")
    assert (attack[1].get("location") == ["https:/evil.example/"]) == reported, attack
    assert directory[1]["location"] == ["docs/"]
    assert lines == ([line_of(files, "rewrite ^/")] if reported else [])


@pytest.mark.parametrize("value, sent, reported", [
    ("/$1", "//evil.example", True),
    ("/moved/$1", "/moved//evil.example", False),
])
def test_a_map_value_with_a_fixed_start_keeps_the_redirect_on_the_site(value, sent, reported):
    files = {"conf/nginx.conf": config(
        f"map $request_uri $moved {{ ~^/(.*)/old$ {value}; }}\n"
        "server { listen 127.0.0.1:{port}; server_name good.test; absolute_redirect off;\n"
        "    if ($moved) { return 301 $moved; } }")}
    with started(files) as nginx:
        _, headers, _ = request(nginx.port, "GET //evil.example/old HTTP/1.1\r\nHost: good.test\r\n")
        assert headers["location"] == [sent]
        lines = codes(nginx.lint(), "SEC549")
    assert lines == ([line_of(files, "return 301 $moved")] if reported else [])


# -- NGX011 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("directive, sent", [("add_header Content-Type application/rss+xml;", 2),
                                             ("default_type application/rss+xml;", 1),
                                             ('more_set_headers "Content-Type: application/rss+xml";', 1)])
def test_add_header_content_type_sends_two(directive, sent):
    files = {"conf/nginx.conf": config("server { listen 127.0.0.1:{port};\n"
                                       f'    location / {{ {directive} return 200 "<rss/>"; }} }}')}
    if directive.startswith("more_set_headers"):  # headers-more replaces nginx's own Content-Type
        module = MODULES_DIR / "ngx_http_headers_more_filter_module.so"
        if not module.exists():
            pytest.skip(f"headers-more is not installed in {MODULES_DIR}")
        files["conf/nginx.conf"] = f"load_module {module};\n" + files["conf/nginx.conf"]
    with started(files) as nginx:
        _, headers, _ = request(nginx.port, "GET / HTTP/1.1\r\nHost: a\r\n")
        assert len(headers["content-type"]) == sent, headers
        assert headers["content-type"][-1] == "application/rss+xml"
        lines = codes(nginx.lint(), "NGX011")
    assert lines == ([line_of(files, "location /")] if sent == 2 else [])


@pytest.mark.parametrize("answer, sent", [
    ("return 204;", 1), ("return 304;", 2), ("proxy_pass http://127.0.0.1:{up};", 2)])
def test_add_header_content_type_alone_only_in_a_204(answer, sent):
    upstream = free_port()
    files = {"conf/nginx.conf": config(
        f"server {{ listen 127.0.0.1:{upstream};\n"
        "    location / { default_type application/json; return 200 '{}'; } }\n"
        "server { listen 127.0.0.1:{port};\n"
        f"    location / {{ add_header Content-Type text/plain always; {answer.replace('{up}', str(upstream))} }} }}")}
    with started(files) as nginx:
        _, headers, _ = request(nginx.port, "GET / HTTP/1.1\r\nHost: a\r\n")
        findings = [f for f in nginx.lint() if f["code"] == "NGX011"]
    assert len(headers["content-type"]) == sent, headers
    assert [f["line"] for f in findings] == ([line_of(files, "location / { add_header")] if sent == 2 else [])
    if answer.startswith("proxy_pass"):
        assert "next to the upstream's" in findings[0]["message"]


@pytest.mark.parametrize("flag, answer, value, sent", [
    ("", 'return 404 "missing";', "application/json", 1),  # no add_header on an error without always
    ("", 'return 500 "error";', "application/json", 1),
    ("always", 'return 404 "missing";', "application/json", 2), ("", 'return 200 "ok";', "application/json", 2),
    ("", 'return 200 "ok";', "text/plain", 2)])  # default_type's own text/plain said twice: one type, not reported
def test_add_header_without_always_adds_nothing_to_an_error_answer(flag, answer, value, sent):
    files = {"conf/nginx.conf": config("server { listen 127.0.0.1:{port};\n"
                                       f"    location / {{ {answer} add_header Content-Type {value} {flag}; }} }}")}
    with started(files) as nginx:
        _, headers, _ = request(nginx.port, "GET / HTTP/1.1\r\nHost: a\r\n")
        lines = codes(nginx.lint(), "NGX011")
    assert len(headers["content-type"]) == sent, headers
    assert lines == ([line_of(files, "location /")] if len(set(headers["content-type"])) == 2 else [])


@pytest.mark.parametrize("value, reported", [("text/plain", False), ("application/json", True)])
def test_stub_status_sends_text_plain_so_the_same_added_type_says_nothing_new(value, reported):
    files = {"conf/nginx.conf": config("server { listen 127.0.0.1:{port}; default_type application/octet-stream;\n"
                                       f"    location /status {{ stub_status; add_header Content-Type {value}; }} }}")}
    with started(files) as nginx:
        _, headers, _ = request(nginx.port, "GET /status HTTP/1.1\r\nHost: a\r\n")
        lines = codes(nginx.lint(), "NGX011")
    assert headers["content-type"] == ["text/plain", value], headers
    assert lines == ([line_of(files, "location /status")] if reported else [])


@pytest.mark.parametrize("types, value, named, reported", [
    ("include mime.types;", "text/plain", False, False), ("include mime.types;", "application/json", False, True),
    ("", "text/plain", False, True),  # with no types, .txt is not one of nginx's own: default_type goes out
    # a named location answers under the URI sent to it
    ("include mime.types;", "text/plain", True, False), ("include mime.types;", "application/json", True, True)])
def test_a_return_for_a_file_name_goes_out_as_its_extension_s_type(types, value, named, reported):
    answer = f'add_header Content-Type {value}; return 200 "User-agent: *";'
    locations = (f"location = /robots.txt {{ try_files $uri @robots; }}\n    location @robots {{ {answer} }}"
                 if named else f"location = /robots.txt {{ {answer} }}")
    files = {"conf/mime.types": Path("/etc/nginx/mime.types").read_text(),
             "conf/nginx.conf": config(f"{types} default_type application/octet-stream;\n"
                                       f"server {{ listen 127.0.0.1:{{port}}; root html;\n    {locations} }}")}
    with started(files) as nginx:
        _, headers, _ = request(nginx.port, "GET /robots.txt HTTP/1.1\r\nHost: a\r\n")
        lines = codes(nginx.lint(), "NGX011")
    sent = "text/plain" if types else "application/octet-stream"
    assert headers["content-type"] == [sent, value], headers
    where = "location @robots" if named else "location = /robots.txt"
    assert lines == ([line_of(files, where)] if reported else [])


# -- NGX012 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("location, status, reported", [
    # an absolute URL redirects whatever the flag: nothing of the if's location is used
    ('location /t { if ($arg_p) { rewrite ^ http://example.test/ break; } return 200 "kept"; }', 302, False),
    # a local break serves the new URI from the if's location, which inherits root: what `break` does anywhere
    ('location /t { if ($arg_p) { rewrite ^ /index.html break; } return 200 "kept"; }', 200, False),
    # try_files is not inherited by the if's location: with the condition true, the fallback never runs
    ('location /t { try_files $uri /index.html; if ($arg_p) { set $x 1; } }', 404, True),
])
def test_rewrite_in_if(location, status, reported):
    files = {"conf/nginx.conf": config("server { listen 127.0.0.1:{port};\n    " + location + " }"),
             "html/index.html": "index\n"}
    with started(files) as nginx:
        answer, _, _ = request(nginx.port, "GET /t?p=1 HTTP/1.1\r\nHost: a\r\n")
        assert answer.split()[1] == str(status), answer
        lines = codes(nginx.lint(), "NGX012")
    assert lines == ([line_of(files, "set $x")] if reported else [])


def test_an_if_on_what_auth_request_set_sets_never_holds():
    # the rewrite phase runs the `if` before the access phase's auth request sets the variable
    upstream = free_port()
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:" + str(upstream) + "; location / { add_header Set-Cookie sid=1 always; "
        "return 200; } }\n"
        "server { listen 127.0.0.1:{port};\n"
        "    location = /auth { internal; proxy_pass http://127.0.0.1:" + str(upstream) + "; }\n"
        "    location /app { auth_request /auth; auth_request_set $saved $upstream_http_set_cookie;\n"
        '        if ($saved != "") {\n'
        "            add_header X-Seen yes always; }\n"
        '        add_header X-Saved "[$saved]" always; proxy_pass http://127.0.0.1:' + str(upstream) + "/; } }")}
    with started(files) as nginx:
        answer, headers, _ = request(nginx.port, "GET /app HTTP/1.1\r\nHost: a\r\n")
        assert answer.split()[1] == "200", answer
        assert headers.get("x-saved") == ["[sid=1]"] and "x-seen" not in headers, headers
        lines = codes(nginx.lint(), "NGX012")
    assert lines == [line_of(files, "if ($saved")]


@pytest.mark.parametrize("server", [
    # a nested location does not inherit its parent's try_files: without the if it answers 404 too
    "location /t { try_files $uri /index.html;\n"
    "        location /t/n { if ($arg_p) { set $x 1; } } }",
    # a server's try_files runs only for a request no location takes
    "try_files $uri /index.html;\n"
    "    location /t/n { if ($arg_p) { set $x 1; } }",
])
def test_try_files_around_the_location_of_an_if_is_not_its_own(server):
    files = {"conf/nginx.conf": config("server { listen 127.0.0.1:{port};\n    " + server + " }"),
             "html/index.html": "index\n"}
    with started(files) as nginx:
        for path, status in (("/t/x", "200"), ("/t/n", "404"), ("/t/n?p=1", "404")):  # try_files runs for /t/x
            answer, _, _ = request(nginx.port, f"GET {path} HTTP/1.1\r\nHost: a\r\n")
            assert answer.split()[1] == status, (path, answer)
        assert codes(nginx.lint(), "NGX012") == []


def test_an_if_that_returns_answers_with_its_own_settings_and_no_later_if_runs():
    # the CORS preflight: the if's add_header go out with its 204, and the later if never runs
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        "    location /t { try_files $uri /index.html;\n"
        "        if ($request_method = OPTIONS) { add_header X-Preflight yes; return 204; }\n"
        "        if ($http_x_later) { add_header X-Later yes; return 418; } } }"),
        "html/index.html": "index\n"}
    with started(files) as nginx:
        answer, headers, _ = request(nginx.port, "OPTIONS /t HTTP/1.1\r\nHost: a\r\nX-Later: 1\r\n")
        assert answer.split()[1] == "204" and headers.get("x-preflight") == ["yes"], (answer, headers)
        assert "x-later" not in headers
        assert codes(nginx.lint(), "NGX012") == []


def test_an_if_followed_by_the_locations_return_configures_that_answer():
    # the return after the if answers whether the condition holds or not, with the if's add_header list
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port}; add_header X-Frame-Options DENY always;\n"
        "    location /t { if ($arg_next) { add_header Set-Cookie next=1; } return 302 /login/; } }")}
    with started(files) as nginx:
        answer, headers, _ = request(nginx.port, "GET /t?next=1 HTTP/1.1\r\nHost: a\r\n")
        assert answer.split()[1] == "302" and headers.get("set-cookie") == ["next=1"], (answer, headers)
        assert "x-frame-options" not in headers
        answer, headers, _ = request(nginx.port, "GET /t HTTP/1.1\r\nHost: a\r\n")
        assert answer.split()[1] == "302" and headers.get("x-frame-options") == ["DENY"], (answer, headers)
        assert codes(nginx.lint(), "NGX012") == [] and codes(nginx.lint(), "SEC503") == []


def test_an_if_whose_add_header_replaces_nothing_adds_it_and_the_handler_answers():
    # nothing else sets add_header, and the other if returns: the if's header and the location's answer both go out
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        "    location /t/ { if ($request_method ~ ^(GET|POST)$) { add_header X-Cors yes; }\n"
        "        if ($request_method = OPTIONS) { add_header X-Preflight yes; return 204; } } }"),
        "html/t/page.html": "page\n"}
    with started(files) as nginx:
        answer, headers, text = request(nginx.port, "GET /t/page.html HTTP/1.1\r\nHost: a\r\n")
        assert (answer.split()[1], headers.get("x-cors"), text) == ("200", ["yes"], "page\n"), (answer, headers)
        assert codes(nginx.lint(), "NGX012") == []


@pytest.mark.parametrize("test, directory_status, reported", [
    ("-f", "200", False),  # the if holds only for an existing file, which try_files' $uri would have taken too
    ("-e", "403", True),  # a directory exists too: the if's location skips the fallback, and its index is missing
])
def test_an_if_that_tests_the_file_try_files_tries_first(test, directory_status, reported):
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        f"    location /t/ {{ try_files $uri /index.html; if ({test} $request_filename) {{ set $x 1; }} }} }}"),
        "html/index.html": "index\n", "html/t/a.txt": "a\n", "html/t/d/keep.txt": "keep\n"}
    with started(files) as nginx:
        for path, status, body in (("/t/a.txt", "200", "a\n"), ("/t/missing", "200", "index\n"),
                                   ("/t/d/", directory_status, None)):
            answer, _, text = request(nginx.port, f"GET {path} HTTP/1.1\r\nHost: a\r\n")
            assert answer.split()[1] == status and (body is None or text == body), (path, answer, text)
        lines = codes(nginx.lint(), "NGX012")
    assert lines == ([line_of(files, "set $x")] if reported else [])


@pytest.mark.parametrize("try_files, reported", [
    ("$uri $uri/index.html @missing", False), ("$uri $uri/ =404", False),
    ("$uri =404", True),  # answers the directory /d/ with 404, where the index handler serves its page
])
def test_an_if_that_skips_a_try_files_of_static_files_changes_no_answer(try_files, reported):
    # the static and index handlers serve the file try_files would, and a missing one is 404 either way
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        f"    location / {{ try_files {try_files};\n"
        "        if ($arg_p) { set $x 1; } }\n"
        "    location @missing { return 404; } }"),
        "html/page.html": "page\n", "html/d/index.html": "dir\n"}
    with started(files) as nginx:
        for path, status, body in (("/page.html", "200", "page\n"), ("/d/", "200", "dir\n"), ("/none", "404", None)):
            without, _, plain = request(nginx.port, f"GET {path} HTTP/1.1\r\nHost: a\r\n")
            held, _, skipped = request(nginx.port, f"GET {path}?p=1 HTTP/1.1\r\nHost: a\r\n")
            assert held.split()[1] == status and (body is None or skipped == body), (path, held, skipped)
            same = without.split()[1] == status and (body is None or plain == body)
            assert same != (reported and path == "/d/"), (path, without, plain)
        assert codes(nginx.lint(), "NGX012") == ([line_of(files, "set $x")] if reported else [])


@pytest.mark.parametrize("rewrite, body, header, reported", [
    # `break` stops the rewrite module before the if: try_files runs, the if's header is never sent
    ("rewrite ^/c/(.*)$ /$1 break;", "page\n", None, False),
    # a rewrite that takes only some URIs leaves the if to the others: it matches, and try_files does not run
    ("rewrite ^/c/x/(.*)$ /$1 break;", None, ["yes"], True),
])
def test_an_if_after_a_rewrite_that_breaks_is_never_evaluated(rewrite, body, header, reported):
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        f"    location ^~ /c/ {{ {rewrite}\n"
        "        if ($uri ~ \\.html$) { add_header X-If yes always; }\n"
        "        try_files $uri /fallback.html; } }"),
        "html/page.html": "page\n", "html/fallback.html": "fallback\n"}
    with started(files) as nginx:
        answer, headers, text = request(nginx.port, "GET /c/page.html HTTP/1.1\r\nHost: a\r\n")
        assert headers.get("x-if") == header, (answer, headers)
        if body is not None:
            assert text == body
        else:
            assert answer.split()[1] == "404"  # the if's location serves /c/page.html itself: no such file
        lines = codes(nginx.lint(), "NGX012")
    assert lines == ([line_of(files, "add_header X-If")] if reported else [])


ECHO_MODULE = MODULES_DIR / "ngx_http_echo_module.so"


@pytest.mark.skipif(not ECHO_MODULE.exists(), reason="the echo module is not installed")
@pytest.mark.parametrize("outer, body, reported", [
    ("echo kept;", "kept\nafter\n", False),  # the response commands are inherited into the if
    ("echo kept; echo_after_body dropped;", "kept\nafter\n", True),  # the location's own after-body is replaced
])
def test_echo_in_if(outer, body, reported):
    files = {"conf/nginx.conf": f"load_module {ECHO_MODULE};\n" + config(
        "server { listen 127.0.0.1:{port};\n"
        f"    location /t {{ {outer}\n        if ($arg_p) {{ echo_after_body after; }} }} }}")}
    with started(files) as nginx:
        status, text = nginx.get("/t?p=1")
        assert (status, text) == (200, body)
        lines = codes(nginx.lint(), "NGX012")
    assert lines == ([line_of(files, "echo_after_body after")] if reported else [])


# -- NGX014 ----------------------------------------------------------------------------------------------------

def test_add_header_with_an_empty_value_sends_no_header():
    files = {"conf/nginx.conf": config(
        "map $arg_kind $cors { image \"*\"; font \"*\"; }\n"
        "server { listen 127.0.0.1:{port};\n"
        '    location / { add_header Access-Control-Allow-Origin $cors; return 200 "ok"; } }')}
    with started(files) as nginx:
        _, matched, _ = request(nginx.port, "GET /?kind=image HTTP/1.1\r\nHost: a\r\n")
        _, unmatched, _ = request(nginx.port, "GET /?kind=text HTTP/1.1\r\nHost: a\r\n")
        assert matched.get("access-control-allow-origin") == ["*"], matched
        assert "access-control-allow-origin" not in unmatched, unmatched
        lines = codes(nginx.lint("--extend-select", "NGX014"), "NGX014")
    assert lines == []


# -- NGX015 ----------------------------------------------------------------------------------------------------

def _site(name: str) -> str:
    return f"server {{ listen 127.0.0.1:{{port}}; server_name {name}.test; return 200 {name}; }}\n"


@pytest.mark.parametrize("first, second", [("a", "b"), ("z", "b")])
def test_the_file_that_sorts_first_holds_the_default_server(first, second):
    files = {"conf/nginx.conf": config("include sites/*.conf;"),
             f"conf/sites/{first}.conf": _site("shop"), f"conf/sites/{second}.conf": _site("admin")}
    with started(files) as nginx:
        body = request(nginx.port, "GET / HTTP/1.1\r\nHost: unknown.test\r\n")[2]
        assert body == ("shop" if first < second else "admin"), body
        reported = [f["path"] for f in nginx.lint("--extend-select", "NGX015") if f["code"] == "NGX015"]
    assert reported == [f"conf/sites/{min(first, second)}.conf"]


def test_in_one_file_the_first_server_is_the_default():
    files = {"conf/nginx.conf": config(_site("shop") + _site("admin"))}
    with started(files) as nginx:
        assert request(nginx.port, "GET / HTTP/1.1\r\nHost: unknown.test\r\n")[2] == "shop"
        assert [f for f in nginx.lint("--extend-select", "NGX015") if f["code"] == "NGX015"] == []


# -- NGX017 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("error_log, access_log, made, line", [
    ("off", "off", "off", 2),  # error_log has no off
    ("logs/error.log", "on", "on", 4),  # access_log has off, and no on
])
def test_a_log_switch_nginx_does_not_have_writes_a_file_so_named(error_log, access_log, made, line):
    files = {"conf/nginx.conf": f"pid logs/nginx.pid;\nerror_log {error_log};\nevents {{}}\n"
                                f"http {{ access_log {access_log}; server {{ listen 127.0.0.1:{{port}}; }} }}\n"}
    with Nginx(files) as nginx:
        assert nginx.test().status == 0
        assert (nginx.root / made).is_file()
        assert codes(nginx.lint(), "NGX017") == [line]


# -- SEC525 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flag, ran", [("", True), (" last", False)])
def test_a_set_after_a_matching_rewrite_runs_only_without_flag(flag, ran):
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        f"    location /a/ {{ rewrite ^/a/(.*)$ /x?q=$1{flag}; set $cap $1; }}\n"
        '    location /x { return 200 "cap=$cap"; } }')}
    with started(files) as nginx:
        status, _, body = request(nginx.port, "GET /a/b HTTP/1.1\r\nHost: a\r\n")
        assert status.endswith("200 OK") and body == ("cap=b" if ran else "cap="), (status, body)
        lines = codes(nginx.lint("--nginx-version", "1.30.0"), "SEC525")
    assert lines == ([line_of(files, "rewrite")] if ran else [])


# -- SEC526 ----------------------------------------------------------------------------------------------------

ORACLE_NAME = "nginxlint-oracle-7f3a9c.com"  # a public name that does not exist (not a reserved example name)


def test_a_literal_public_name_is_looked_up_while_nginx_loads():
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port}; location / { proxy_pass http://" + ORACLE_NAME + ":{port}/ok; } }")}
    with Nginx(files) as nginx:
        outcome = nginx.test()
        assert outcome.status != 0
        assert f'host not found in upstream "{ORACLE_NAME}"' in outcome.stderr
        # a name of no platform known to move it: SEC574's (opt-in); SEC526 takes those of cloud platforms
        assert codes(nginx.lint("--extend-select", "SEC574"), "SEC574") == [line_of(files, "proxy_pass")]


def test_a_public_name_in_a_variable_is_looked_up_per_request():
    with FakeDns() as dns:
        files = {"conf/nginx.conf": config(
            f"resolver 127.0.0.1:{dns.port} valid=30s ipv6=off;\n"
            "server { listen 127.0.0.1:{port};\n"
            f"location / {{ set $up {ORACLE_NAME}; proxy_pass http://$up:{{port}}/ok; }}\n"
            'location = /ok { return 200 "ok"; } }')}
        with Nginx(files) as nginx:
            assert nginx.start().status == 0
            assert ORACLE_NAME not in dns.queries  # nothing looked up while loading
            assert nginx.get("/") == (200, "ok")
            assert ORACLE_NAME in dns.queries
            assert not codes(nginx.lint("--extend-select", "SEC574"), "SEC574")


# -- NGX031 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, sent, on_errors", [("'deny always'", "deny always", False),
                                                     ("'deny' always", "deny", True)])
def test_always_inside_the_quotes_is_part_of_the_header_value(value, sent, on_errors):
    files = {"conf/nginx.conf": config(
        "server { listen 127.0.0.1:{port};\n"
        f"    add_header X-Frame-Options {value};\n"
        "    location = / { return 200 ok; } }")}
    with started(files) as nginx:
        _, headers, _ = request(nginx.port, "GET / HTTP/1.1\r\nHost: a\r\n")
        assert headers.get("x-frame-options") == [sent], headers
        status, headers, _ = request(nginx.port, "GET /missing HTTP/1.1\r\nHost: a\r\n")
        assert " 404 " in status and headers.get("x-frame-options") == ([sent] if on_errors else None), headers
        found = [(f["line"], f["column"]) for f in nginx.lint() if f["code"] == "NGX031"]
    expected_column = files["conf/nginx.conf"].split("\n")[line_of(files, "X-Frame") - 1].index("'") + 1
    assert found == ([] if on_errors else [(line_of(files, "X-Frame"), expected_column)])
