"""NGX032 against a real nginx: a prefix or exact location written with regex syntax matches only the URI with those
very characters, and nginxlint reports exactly the locations whose intended requests go elsewhere."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from nginx_harness import Nginx, http_preamble, main_preamble, unavailable

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
