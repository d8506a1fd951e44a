"""NGX032 and NGX036 against a real nginx: a prefix or exact location written with regex syntax matches only the URI
with those very characters, and a named location the server does not define fails the requests sent there with a
500; of two content handlers in one location the last answers (NGX038). nginxlint reports exactly those locations,
names and handlers."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from nginx_harness import Nginx, free_port, http_preamble, main_preamble, unavailable

LOCATIONS = [  # (location line, the URI its author meant, reported)
    ("location = /healthz$", "/healthz", True),
    ("location ^/api/", "/api/x", True),
    ("location /static/*.css", "/static/site.css", True),
    ("location = /healthz", "/healthz", False),
    ("location ~ ^/api/.*\\.json$", "/api/x.json", False),
]


def _status(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("location, meant, reported", LOCATIONS)
def test_regex_syntax_in_a_literal_location_misses_the_requests_it_was_meant_for(location, meant, reported):
    if unavailable():
        pytest.skip(unavailable())
    text = (f"{main_preamble()}events {{}}\nhttp {{\n{http_preamble()}\nserver {{\n    listen 127.0.0.1:{{port}};\n"
            f"    {location} {{ return 200 \"hit\"; }}\n    location / {{ return 404; }}\n}}\n}}\n")
    with Nginx({"conf/nginx.conf": text}) as nginx:
        assert nginx.start().status == 0
        assert (_status(nginx.port, meant) == 404) is reported
        found = [f for f in nginx.lint() if f["code"] == "NGX032"]
    assert bool(found) is reported, found


NAMED = [  # (the directive that sends the request to a named location, the URI that takes it there, reported)
    ("location / { try_files $uri @nope; }", "/missing", True),
    ("error_page 404 @notread;\n    location / { return 404; }", "/x", True),
    ("location / { try_files $uri @ready; }", "/missing", False),
    ("error_page 404 @ready;\n    location / { return 404; }", "/x", False),
]


@pytest.mark.parametrize("directive, uri, reported", NAMED)
def test_a_named_location_the_server_lacks_fails_the_request_that_nginx_sends_there(directive, uri, reported):
    if unavailable():
        pytest.skip(unavailable())
    # `@other` is defined in another server: named locations belong to theirs
    text = (f"{main_preamble()}events {{}}\nhttp {{\n{http_preamble()}\nserver {{\n    listen 127.0.0.1:{{port}} default_server;\n"
            f"    root html;\n    {directive}\n    location @ready {{ return 200 \"ready\"; }}\n    location @notready "
            f"{{ return 503; }}\n}}\nserver {{\n    listen 127.0.0.1:{{port}};\n    server_name other;\n"
            f"    location @nope {{ return 200; }}\n    location @notread {{ return 200; }}\n}}\n}}\n")
    with Nginx({"conf/nginx.conf": text}) as nginx:
        assert nginx.start().status == 0  # nginx -t and the start take the name
        assert (_status(nginx.port, uri) == 500) is reported
        assert ("could not find named location" in nginx.wait_for_log("named location")) is reported
        found = [f for f in nginx.lint() if f["code"] == "NGX036"]
    assert bool(found) is reported, found


@pytest.mark.parametrize("first, last, answer", [
    ("uwsgi_pass 127.0.0.1:{dead};", "proxy_pass http://127.0.0.1:{port}/answer;", 200),
    ("proxy_pass http://127.0.0.1:{port}/answer;", "uwsgi_pass 127.0.0.1:{dead};", 502),
])
def test_of_two_content_handlers_in_a_location_the_last_answers_and_the_first_is_reported(first, last, answer):
    if unavailable():
        pytest.skip(unavailable())
    dead = free_port()  # nothing listens there: the uwsgi handler answers 502
    handlers = f"{first} {last}".replace("{dead}", str(dead))
    text = (f"{main_preamble()}events {{}}\nhttp {{\n{http_preamble()}\nserver {{\n    listen 127.0.0.1:{{port}};\n"
            f"    location /both {{ {handlers} }}\n    location = /answer {{ return 200 \"proxied\"; }}\n}}\n}}\n")
    with Nginx({"conf/nginx.conf": text}) as nginx:
        assert nginx.start().status == 0
        assert _status(nginx.port, "/both") == answer
        found = [(f["line"], f["column"]) for f in nginx.lint() if f["code"] == "NGX038"]
    line = text.split("\n").index(next(row for row in text.split("\n") if "location /both" in row)) + 1
    assert found == [(line, text.split("\n")[line - 1].index(first.split()[0]) + 1)], found
