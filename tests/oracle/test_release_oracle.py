"""NGX028 and NGX030 against the nginx installed here: a directive that appeared after its release, or that was
removed in it or before, is an unknown directive to `nginx -t`, one it has is accepted, and nginxlint, told the
release (`--nginx-version`, or the `nginx -V` output printed before a dump), agrees on the same files.

The release is read from `nginx -v`, and the directives are chosen from nginxlint's table by that release, so the
test holds for any nginx (it skips when the table has no tested directive newer than it).
"""
from __future__ import annotations

import subprocess

import pytest

from nginx_harness import NGINX, Nginx, lint_json
from nginxlint.nginx.releases import directive_removed, directive_since, from_version_output

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")

# Directives of the server context with a valid value, from old to new: each test picks by the running release.
CANDIDATES = (
    ("ssl_reject_handshake", "off"),  # 1.19.4
    ("ssl_conf_command", "Options -SessionTicket"),  # 1.19.4
    ("http2", "on"),  # 1.25.1
    ("keepalive_min_timeout", "1s"),  # 1.27.4
    ("ssl_certificate_cache", "off"),  # 1.27.4
)


def running_release():
    printed = subprocess.run([NGINX, "-V"], capture_output=True, text=True, timeout=30)
    return from_version_output(printed.stderr), printed.stderr


def config(name: str, value: str) -> str:
    return ("pid logs/nginx.pid;\nerror_log logs/error.log;\nevents { worker_connections 16; }\nhttp {\n"
            "access_log off; client_body_temp_path tmp/client_body; proxy_temp_path tmp/proxy;\n"
            "fastcgi_temp_path tmp/fastcgi; uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;\n"
            f"server {{\nlisten 127.0.0.1:{{port}};\n{name} {value};\nreturn 200 ok;\n}}\n}}\n")


def split(release):
    newer = [c for c in CANDIDATES if release.predates(directive_since("http", c[0])[0])]
    older = [c for c in CANDIDATES if c not in newer]
    return newer, older


def test_a_newer_directive_is_unknown_to_nginx_and_reported():
    release, _ = running_release()
    assert release is not None, "nginx -V printed no `nginx version:` line"
    newer, _older = split(release)
    if not newer:
        pytest.skip(f"{release.name} has every directive this test knows")
    version = ".".join(map(str, release.number))
    for name, value in newer:
        with Nginx({"conf/nginx.conf": config(name, value)}) as server:
            outcome = server.test()
            assert outcome.status != 0 and f'unknown directive "{name}"' in outcome.stderr, outcome.stderr
            found = [f for f in server.lint("--select", "NGX028", "--nginx-version", version)]
            assert [(f["code"], f["line"], f["column"]) for f in found] == [("NGX028", 9, 1)], found


def test_an_older_directive_is_accepted_and_not_reported():
    release, _ = running_release()
    _newer, older = split(release)
    version = ".".join(map(str, release.number))
    for name, value in older:
        with Nginx({"conf/nginx.conf": config(name, value)}) as server:
            outcome = server.test()
            assert outcome.status == 0, outcome.stderr
            assert server.lint("--select", "NGX028", "--nginx-version", version) == []


def test_the_release_printed_by_nginx_V_before_a_dump(tmp_path):
    release, printed = running_release()
    newer, _older = split(release)
    if not newer:
        pytest.skip(f"{release.name} has every directive this test knows")
    name, value = newer[0]
    text = config(name, value).replace("{port}", "8080")
    dump = tmp_path / "dump.txt"
    dump.write_text(printed + "# configuration file /etc/nginx/nginx.conf:\n" + text + "\n", encoding="utf-8")
    found = lint_json([str(dump), "--format", "json", "--base-dir", str(tmp_path), "--isolated", "--no-cache",
                       "--select", "NGX028"])
    lines = printed.count("\n") + 1 + 9
    assert [(f["code"], f["line"]) for f in found] == [("NGX028", lines)], found
    assert release.name in found[0]["message"]


# listen parameters the running release lacks: (parameter, rule, whether this release lacks it, why it may not)
LACKED_PARAMETERS = (
    ("quic", "NGX028", lambda release: release.predates(directive_since("http", "listen:quic")[0]),
     "has the quic parameter"),
    ("spdy", "NGX030", lambda release: release.reaches(directive_removed("http", "listen:spdy")[0]),
     "still ignores the spdy parameter with a warning"),
)


@pytest.mark.parametrize("parameter, rule, lacks, otherwise", LACKED_PARAMETERS, ids=[p[0] for p in LACKED_PARAMETERS])
def test_a_listen_parameter_the_release_lacks_is_invalid_to_nginx_and_reported(parameter, rule, lacks, otherwise):
    release, _ = running_release()
    if not lacks(release):
        pytest.skip(f"{release.name} {otherwise}")
    version = ".".join(map(str, release.number))
    text = config("listen", f"127.0.0.1:{{port}} {parameter}").replace("listen 127.0.0.1:{port};\n", "", 1)
    with Nginx({"conf/nginx.conf": text}) as server:
        outcome = server.test()
        assert outcome.status != 0 and f'invalid parameter "{parameter}"' in outcome.stderr, outcome.stderr
        found = server.lint("--select", rule, "--nginx-version", version)
        line = (server.root / "conf/nginx.conf").read_text().splitlines()[7]
        assert [(f["code"], f["line"], f["column"]) for f in found] == [(rule, 8, line.index(parameter) + 1)], found


# Removed directives of the server context, with a valid value and the message nginx -t gave while it still had them.
REMOVED = (
    ("ssl", "off", 'the "ssl" directive is deprecated'),  # removed in 1.25.1
    ("spdy_headers_comp", "1", 'ngx_http_spdy_module was superseded by ngx_http_v2_module'),  # removed in 1.19.7
)


@pytest.mark.parametrize("name, value, warning", REMOVED)
def test_a_removed_directive_is_unknown_to_nginx_after_its_removal_and_reported_only_then(name, value, warning):
    release, _ = running_release()
    version = ".".join(map(str, release.number))
    gone = release.reaches(directive_removed("http", name)[0])
    with Nginx({"conf/nginx.conf": config(name, value)}) as server:
        outcome = server.test()
        found = server.lint("--select", "NGX030", "--nginx-version", version)
        if gone:
            assert outcome.status != 0 and f'unknown directive "{name}"' in outcome.stderr, outcome.stderr
            assert [(f["code"], f["line"], f["column"]) for f in found] == [("NGX030", 9, 1)], found
        else:
            assert outcome.status == 0 and warning in outcome.stderr, outcome.stderr
            assert found == [], found
