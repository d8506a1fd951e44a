"""match_location follows ngx_http_core_find_location: the expectations below are what nginx 1.22 answered for
the same server, and with nginx installed the test asks it again."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lintkit import write_tree
from nginxlint.checks.k8s import UNKNOWN, match_location
from nginxlint.settings import Settings
from nginxlint.workspace import load_workspace

SERVER = r"""
    location = /exact { return 200 "exact"; }
    location /exact { return 200 "prefix-exact"; }
    location /a/ {
        return 200 "a";
        location ^~ /a/b/ { return 200 "a-b-noregex"; }
        location ~ inner { return 200 "a-inner-regex"; }
    }
    location ^~ /static/ {
        return 200 "static";
        location ~ \.css$ { return 200 "static-css"; }
    }
    location ~ \.txt$ {
        return 200 "txt";
        location ~ special { return 200 "txt-special"; }
    }
    location ~* \.PNG$ { return 200 "png"; }
    location /plain { return 200 "plain"; }
    location ~ ^/plain { return 200 "plain-regex"; }
"""

EXPECTED = {
    "/exact": "exact",
    "/exactly": "prefix-exact",
    "/a/x": "a",
    "/a/b/x": "a-b-noregex",
    "/a/b/x.txt": "txt",  # a nested ^~ skips its own level's regexes only: the server's still run
    "/a/b/inner": "a-b-noregex",
    "/a/inner": "a-inner-regex",
    "/a/inner.txt": "a-inner-regex",  # nested regexes before the enclosing level's
    "/a/x.txt": "txt",
    "/static/x.txt": "static",  # a top-level ^~ skips the server's regexes
    "/static/x.css": "static-css",  # … but not those nested in it
    "/y/special.txt": "txt-special",  # a matching regex location's nested locations are searched
    "/y/z.txt": "txt",
    "/y/Z.png": "png",
    "/plain": "plain-regex",  # a prefix equal to the URI is still only a prefix
    "/nothing": None,
}


def _label(location) -> str | None:
    if location is None:
        return None
    returns = location.find("return")
    return returns[0].args[1] if returns else "?"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("locations")
    write_tree(root, {"nginx.conf": "events {}\nhttp {\n  server {\n    listen 8080;" + SERVER + "  }\n}\n"})
    workspace = load_workspace([root], Settings(), root)
    (tree,) = workspace.trees
    (node,) = tree.nodes("server")
    return node


@pytest.mark.parametrize("uri, expected", EXPECTED.items(), ids=list(EXPECTED))
def test_match_location_as_nginx(server, uri, expected):
    assert _label(match_location(server, uri)) == expected


def test_a_regex_python_cannot_read_is_unknown_only_when_reached(tmp_path):
    write_tree(tmp_path, {"nginx.conf": "events {}\nhttp { server { listen 8080;\n"
                                        "  location ^~ /health { return 200 'ok'; }\n"
                                        "  location ~ (?<name>x)(?P=bad { return 200 'regex'; }\n} }\n"})
    (tree,) = load_workspace([tmp_path], Settings(), tmp_path).trees
    (server,) = tree.nodes("server")
    assert _label(match_location(server, "/health")) == "ok"
    assert match_location(server, "/other") is UNKNOWN


def _oracle():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "oracle"))
    try:
        import nginx_harness
    finally:
        sys.path.pop(0)
    return nginx_harness


def test_expectations_are_what_nginx_answers():
    harness = _oracle()
    if harness.NGINX is None:
        pytest.skip("nginx is not installed")
    conf = (f"pid logs/nginx.pid;\nerror_log logs/error.log;\nevents {{}}\nhttp {{\n  access_log off; "
            + " ".join(f"{name}_temp_path tmp/{name};" for name in harness.TEMP_PATHS)
            + "\n  server {\n    listen 127.0.0.1:{port};\n    root html;" + SERVER + "  }\n}\n")
    with harness.Nginx({"conf/nginx.conf": conf}) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        answers = {}
        for uri in EXPECTED:
            status, body = nginx.get(uri)
            answers[uri] = body if status == 200 else None
    assert answers == EXPECTED
