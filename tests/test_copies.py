"""Copies (one vhost per image version, an install manifest archived with each release's docs, one nginx.conf per
distribution release): a finding they share is reported once, at the first copy, with the others as related places;
one answer however they are passed."""
from __future__ import annotations

import subprocess

import pytest

from lintkit import run_cli, write_tree

VHOST = """server {
    listen 443 ssl;
    server_name shop.example.com;
    ssl_certificate /etc/ssl/shop.crt;
    ssl_certificate_key /etc/ssl/shop.key;
    ssl_protocols TLSv1 TLSv1.2;
    add_header Strict-Transport-Security "max-age=31536000" always;
    client_max_body_size 20m;
    gzip on;
    gzip_types text/css application/javascript;
    access_log /var/log/nginx/shop.access.log;
    error_log /var/log/nginx/shop.error.log;
    location /static/ { root /srv/shop; expires 7d; }
    location /media/ { root /srv/shop; expires 1d; }
    location = /robots.txt { root /srv/shop/public; }
    location = /favicon.ico { root /srv/shop/public; }
    location /api/ { proxy_pass http://127.0.0.1:9001; }
    location /ws/ {
        proxy_pass http://127.0.0.1:9002;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
    }
    location / { proxy_pass http://127.0.0.1:9000; }
}
"""


def _repository(tmp_path, files):
    write_tree(tmp_path, files)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def _found(result):
    assert result.status in (0, 1), result.err
    return sorted((f["code"], f["path"], f["line"], tuple((r["path"], r["line"]) for r in f["related"]))
                  for f in result.json["findings"])


OTHER_SITE = """server {
    listen 8443 ssl;
    server_name admin.example.com;
    ssl_certificate /etc/ssl/admin.crt;
    ssl_certificate_key /etc/ssl/admin.key;
    ssl_protocols TLSv1 TLSv1.2;
    client_max_body_size 1m;
    add_header Strict-Transport-Security "max-age=31536000" always;
    location /api/ { proxy_pass http://127.0.0.1:9100; }
    location /reports/ { proxy_pass http://127.0.0.1:9101; }
    location /exports/ { alias /srv/admin/exports/; }
    location /audit/ { proxy_pass http://127.0.0.1:9102; }
    location /health { proxy_pass http://127.0.0.1:9103; }
    location /static/ { root /srv/admin; expires 1h; }
    allow 10.0.0.0/8;
    deny all;
    access_log /var/log/nginx/admin.access.log;
    error_log /var/log/nginx/admin.error.log warn;
    gzip on;
    location / { root /srv/admin; }
}
"""


def test_a_finding_copies_share_is_reported_once_with_the_copies_related(tmp_path):
    root = _repository(tmp_path, {
        "docker/7.4/conf/vhost.conf": VHOST,
        "docker/8.0/conf/vhost.conf": VHOST,
        # a near copy: another name served, the same lines otherwise
        "docker/8.1/conf/vhost.conf": VHOST.replace("shop.example.com", "shop.example.org"),
        "admin/conf/vhost.conf": OTHER_SITE,  # the same name and line, another site
    })
    shared = ("SEC521", "docker/7.4/conf/vhost.conf", 6,
              (("docker/8.0/conf/vhost.conf", 6), ("docker/8.1/conf/vhost.conf", 6)))
    whole = _found(run_cli([".", "--format", "json", "--no-cache"], cwd=root))
    assert whole == [("SEC521", "admin/conf/vhost.conf", 6, ()), shared]
    # passed alone (pre-commit), a copy shows the shared finding through its related place, and nothing is located
    # in it, as in the whole run
    for alone in ("docker/8.0/conf/vhost.conf", "docker/8.1/conf/vhost.conf", "docker/8.1"):
        assert _found(run_cli([alone, "--format", "json", "--no-cache"], cwd=root)) == [shared], alone


def test_the_fix_of_a_shared_finding_edits_every_copy(tmp_path):
    root = _repository(tmp_path, {"a/vhost.conf": VHOST, "b/vhost.conf": VHOST})
    run_cli([".", "--fix", "--no-cache", "--select", "SEC521"], cwd=root)
    for name in ("a/vhost.conf", "b/vhost.conf"):
        assert "ssl_protocols TLSv1.2;" in (root / name).read_text(), name


def _manifest(tag: str, padding: int) -> str:
    return "\n" * padding + f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: frontend-nginx
data:
  default.conf: |
    server {{
        listen 8443 ssl;
        server_name chaos.example.com;
        ssl_certificate /etc/tls/tls.crt;
        ssl_certificate_key /etc/tls/tls.key;
        location / {{ root /usr/share/nginx/html; }}
    }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
  template:
    spec:
      containers:
        - name: frontend
          image: nginx:{tag}
          volumeMounts:
            - name: conf
              mountPath: /etc/nginx/conf.d
      volumes:
        - name: conf
          configMap:
            name: frontend-nginx
"""


def test_the_same_configmap_entry_in_manifests_that_differ_elsewhere_is_one_finding(tmp_path):
    # each release's install manifest: another image tag, the entry a line further down
    root = _repository(tmp_path, {
        "docs/3.9.0/install.yaml": _manifest("1.25.3", 0),
        "docs/3.17.0/install.yaml": _manifest("1.27.1", 1),
        "manifests/install.yaml": _manifest("1.27.2", 0),
    })
    found = _found(run_cli([".", "--format", "json", "--no-cache", "--select", "SEC523"], cwd=root))
    # placed at the deployed manifest, not at a release's copy kept with the docs
    assert found == [("SEC523", "manifests/install.yaml", 7,
                      (("docs/3.17.0/install.yaml", 8), ("docs/3.9.0/install.yaml", 7)))]


def test_the_shared_finding_is_placed_at_a_copy_outside_the_directories_kept_aside(tmp_path):
    root = _repository(tmp_path, {"env/qa/vhost.conf": VHOST, "env/prod/vhost.conf": VHOST,
                                  "env/staging/vhost.conf": VHOST})
    assert _found(run_cli([".", "--format", "json", "--no-cache", "--select", "SEC521"], cwd=root)) == [
        ("SEC521", "env/prod/vhost.conf", 6, (("env/qa/vhost.conf", 6), ("env/staging/vhost.conf", 6)))]


@pytest.mark.parametrize("template_name", ["nginx.conf.template", "nginx.template.conf", "nginx.tmpl.conf"])
def test_a_template_and_the_copy_rendered_from_it_share_a_finding_placed_at_the_template(tmp_path, template_name):
    """`run.sh` renders `nginx.conf.template` into the `nginx.conf` kept beside it: one file for the user to fix."""
    rendered = "\n".join([*VHOST.split("\n")[:-2], "    location /health { return 200; }", "}", ""])
    template = rendered.replace("shop.example.com", "${SERVER_NAME}")
    root = _repository(tmp_path, {f"scripts/{template_name}": template, "scripts/nginx.conf": rendered})
    found = _found(run_cli([".", "--format", "json", "--no-cache", "--select", "SEC521"], cwd=root))
    assert found == [("SEC521", f"scripts/{template_name}", 6, (("scripts/nginx.conf", 6),))]


def test_the_shared_finding_is_placed_at_the_copy_a_container_runs(tmp_path):
    """Two image versions keep the same config; the Compose stack builds only the second: the user fixes that one."""
    config = ("events {}\nhttp {\n    server {\n        listen 80;\n        location / { proxy_pass http://app/; }\n"
              "    }\n}\n")
    dockerfile = "FROM nginx:1.25\nCOPY nginx.conf /etc/nginx/nginx.conf\n"
    root = _repository(tmp_path, {
        "waf-2/nginx.conf": config, "waf-2/Dockerfile": dockerfile,
        "waf-3/nginx.conf": config, "waf-3/Dockerfile": dockerfile,
        "docker-compose.yml": "services:\n  waf:\n    build: waf-3\n    ports: ['80:80']\n  app:\n    image: app\n"})
    found = _found(run_cli([".", "--format", "json", "--no-cache", "--select", "CTR112"], cwd=root))
    assert found == [("CTR112", "waf-3/nginx.conf", 5, (("waf-2/nginx.conf", 5),))]


def test_copies_of_a_tree_whose_finding_names_a_file_of_its_own_tree_share_it_at_the_shallowest(tmp_path):
    """A CLI embeds a copy of the gateway's tree: each copy's finding names the handler of its own tree, and the user
    fixes the original."""
    files = {}
    for top in ("gateway", "cli/embed/runtime/gateway"):
        files[f"{top}/nginx.conf"] = ('events {}\nhttp {\n    lua_package_path "$prefix/lua/?.lua;;";\n'
                                      "    server {\n        listen 80;\n"
                                      "        location /file { content_by_lua_file lua/handler.lua; }\n    }\n}\n")
        files[f"{top}/lua/handler.lua"] = ('local store = require("store")\nlocal args = ngx.req.get_uri_args()\n'
                                           "ngx.say(store.read(args.name))\n")
        files[f"{top}/lua/store.lua"] = ('local _M = {}\n\nfunction _M.read(name)\n    local f = io.open("/srv/files/" '
                                         '.. name)\n    return f:read("*a")\nend\n\nreturn _M\n')
    root = _repository(tmp_path, files)
    found = _found(run_cli([".", "--format", "json", "--no-cache", "--select", "SEC562"], cwd=root))
    handler = (("gateway/lua/handler.lua", 2), ("gateway/lua/handler.lua", 3))
    assert found == [("SEC562", "gateway/lua/store.lua", 4, (*handler, ("cli/embed/runtime/gateway/lua/store.lua", 4)))]
