"""Place-once: a fragment included by several blocks is one place to change, so each rule reports it there once.

What the other inclusions found at that place (a header dropped from another server) stays among the finding's
related places, and which inclusion's words are kept does not depend on the order the trees were linted in."""
from __future__ import annotations

from lintkit import run_cli, write_tree

NGINX_CONF = """events {}
http {
    server {
        listen 80;
        proxy_set_header X-Real-IP $remote_addr;
        location /a/ { include proxy.conf; proxy_pass http://127.0.0.1:8080; }
    }
    server {
        listen 81;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        location /b/ { include proxy.conf; proxy_pass http://127.0.0.1:8081; }
        location /c/ { include proxy.conf; proxy_pass http://127.0.0.1:8082; }
    }
}
"""
PROXY_CONF = "proxy_set_header X-Request-Id $request_id;\nadd_header Content-Type text/plain;\n"


def _findings(tmp_path, code):
    write_tree(tmp_path, {"conf/nginx.conf": NGINX_CONF, "conf/proxy.conf": PROXY_CONF})
    result = run_cli([".", "--format", "json", "--no-cache", "--select", code], cwd=tmp_path)
    assert result.status in (0, 1), result.err
    return [f for f in result.json["findings"] if f["code"] == code]


def test_a_fragment_included_by_three_blocks_is_reported_once_per_rule_and_place(tmp_path):
    dropped = _findings(tmp_path, "SEC504")
    assert [(f["path"], f["line"], f["column"]) for f in dropped] == [("conf/proxy.conf", 1, 1)]
    assert "X-Forwarded-For" in dropped[0]["message"]  # the first message in order; the other one is related
    places = {(r["line"], r["message"]) for r in dropped[0]["related"]}
    assert {(5, "dropped here"), (10, "dropped here")} <= places  # both servers' headers are named
    assert {(6, "included from conf/nginx.conf:6"), (11, "included from conf/nginx.conf:11")} <= places


def test_the_same_finding_from_every_inclusion_is_one(tmp_path):
    added = _findings(tmp_path, "NGX011")
    assert [(f["path"], f["line"], f["column"]) for f in added] == [("conf/proxy.conf", 2, 12)]
