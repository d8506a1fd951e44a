"""--fix, --diff and --unsafe-fixes on the command line: what is written, what is printed, the exit status."""
from __future__ import annotations

import json

from lintkit import run_cli, write_tree

# SEC508 has a safe fix (server_tokens off), SEC501 an unsafe one (Host $host drops the port).
CONF = """\
events {}
http {
    server_tokens on;   # keep this comment
    server {
        listen 8080;
        location / {
            proxy_set_header Host $http_x_forwarded_host;
            proxy_pass http://127.0.0.1:9000;
        }
    }
}
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: openresty-conf
data:
  nginx.conf: |
    worker_processes auto;
    events {}
    http {
        server {
            listen 8080;
            location / {
                content_by_lua_block {
                    ngx.shared.stats:incr("hits", 1, 0)
                    ngx.say(os.getenv("REDIS_HOST"))
                }
            }
        }
    }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gw
spec:
  selector: {matchLabels: {app: gw}}
  template:
    metadata: {labels: {app: gw}}
    spec:
      containers:
        - name: openresty
          image: openresty/openresty:1.25.3.1-alpine
          resources: {limits: {cpu: "2", memory: 512Mi}}
          volumeMounts:
            - {name: conf, mountPath: /usr/local/openresty/nginx/conf/nginx.conf, subPath: nginx.conf}
      volumes:
        - name: conf
          configMap: {name: openresty-conf}
"""


def _lint(tmp_path, *args, stdin=None):
    return run_cli([*args, "--base-dir", str(tmp_path), "--isolated", "--select", "ALL,SEC501"], cwd=tmp_path,
                   stdin=stdin)  # SEC501 is opt-in


def test_diff_prints_the_fixes_and_changes_nothing(tmp_path):
    write_tree(tmp_path, {"conf/nginx.conf": CONF})
    done = _lint(tmp_path, ".", "--diff")
    assert done.status == 1, done.err
    assert done.out.startswith("--- a/conf/nginx.conf\n+++ b/conf/nginx.conf\n")
    assert "-    server_tokens on;   # keep this comment\n+    server_tokens off;   # keep this comment\n" in done.out
    assert "$host" not in done.out  # the unsafe fix waits for --unsafe-fixes
    assert "1 more with --unsafe-fixes" in done.err
    assert (tmp_path / "conf/nginx.conf").read_text() == CONF


def test_diff_with_nothing_to_fix_exits_0(tmp_path):
    write_tree(tmp_path, {"conf/nginx.conf": CONF.replace("server_tokens on", "server_tokens off")})
    done = _lint(tmp_path, ".", "--diff")
    assert (done.status, done.out) == (0, ""), done.err


def test_fix_applies_the_safe_fixes_in_place_and_reports_what_is_left(tmp_path):
    write_tree(tmp_path, {"conf/nginx.conf": CONF.replace("\n", "\r\n")})
    done = _lint(tmp_path, ".", "--fix", "--format", "json")
    assert done.status == 1, done.err
    assert [f["code"] for f in json.loads(done.out)["findings"]] == ["SEC501"]
    assert "fixed 1 finding in 1 file (1 more with --unsafe-fixes)" in done.err
    expected = CONF.replace("server_tokens on;", "server_tokens off;").replace("\n", "\r\n")
    assert (tmp_path / "conf/nginx.conf").read_bytes() == expected.encode()


def test_unsafe_fixes_apply_the_rest(tmp_path):
    write_tree(tmp_path, {"conf/nginx.conf": CONF})
    done = _lint(tmp_path, ".", "--fix", "--unsafe-fixes")
    assert done.status == 0, done.out + done.err
    text = (tmp_path / "conf/nginx.conf").read_text()
    assert "server_tokens off;   # keep this comment" in text and "proxy_set_header Host $host;" in text


def test_fix_on_standard_input_prints_the_fixed_text(tmp_path):
    write_tree(tmp_path, {"conf/nginx.conf": CONF})
    done = _lint(tmp_path, "-", "--stdin-filename", "conf/nginx.conf", "--fix", stdin=CONF.encode())
    assert done.out == CONF.replace("server_tokens on;", "server_tokens off;")
    assert (tmp_path / "conf/nginx.conf").read_text() == CONF  # the file on disk is the editor's business


def test_fix_lands_in_the_root_config_for_a_finding_in_a_lua_file(tmp_path):
    """Named alone (as pre-commit passes it), a Lua file's LUA202 and LUA208 are fixed in nginx.conf."""
    write_tree(tmp_path, {
        "conf/nginx.conf": "worker_processes 1;\n\nevents {}\nhttp {\n\tserver_tokens off;\n"
                           "\tlua_package_path \"$prefix/lua/?.lua;;\";\n"
                           "\tserver { listen 8080; location / { content_by_lua_file lua/app.lua; } }\n}\n",
        "lua/app.lua": 'local stats = ngx.shared.stats\nngx.say(os.getenv("REDIS_HOST"))\n',
    })
    (tmp_path / ".git").mkdir()
    done = _lint(tmp_path, "lua/app.lua", "--fix")
    assert done.status == 0, done.out + done.err
    assert (tmp_path / "conf/nginx.conf").read_text() == (
        "worker_processes 1;\n\nenv REDIS_HOST;\nevents {}\nhttp {\n\tlua_shared_dict stats 10m;\n"
        "\tserver_tokens off;\n\tlua_package_path \"$prefix/lua/?.lua;;\";\n"
        "\tserver { listen 8080; location / { content_by_lua_file lua/app.lua; } }\n}\n")


def test_fixes_in_a_configmap_keep_the_yaml_indentation(tmp_path):
    write_tree(tmp_path, {"k8s/openresty.yaml": CONFIGMAP})
    done = _lint(tmp_path, ".", "--fix", "--format", "json", "--extend-select", "SEC571")
    assert json.loads(done.out)["findings"] == [], done.out
    fixed = (tmp_path / "k8s/openresty.yaml").read_text()
    assert fixed == CONFIGMAP.replace(
        "    worker_processes auto;\n    events {}\n    http {\n",
        "    worker_processes 2;\n    env REDIS_HOST;\n    events {}\n    http {\n"
        "        lua_shared_dict stats 10m;\n        server_tokens off;\n")


def test_a_fix_never_rewrites_a_template_tag(tmp_path):
    """ssl_protocols holds a Jinja value: writing the list back would replace the tag with its mask."""
    conf = ("events {}\nhttp {\n    server_tokens on;\n    server {\n        listen 443 ssl;\n"
            "        ssl_protocols TLSv1 {{ extra_protocols }} TLSv1.2;\n        server_tokens {{ tokens }};\n"
            "    }\n}\n")
    write_tree(tmp_path, {"conf/nginx.conf": conf})
    done = _lint(tmp_path, ".", "--fix", "--format", "json")
    codes = [f["code"] for f in json.loads(done.out)["findings"]]
    assert "SEC521" in codes and all("fix" not in f for f in json.loads(done.out)["findings"] if f["code"] == "SEC521")
    assert (tmp_path / "conf/nginx.conf").read_text() == conf.replace("server_tokens on;", "server_tokens off;")


def test_events_is_added_by_plain_fix_only_to_a_file_named_nginx_conf(tmp_path):
    """A file with a top-level stream {} looks like a root, but the real root may include it (and have events):
    only the nginx.conf a container runs gets one; a stream.conf is not even reported (NGX009 takes it for a
    main-context fragment)."""
    stream = "stream {\n    server { listen 1234; return ok; }\n}\n"
    write_tree(tmp_path, {"conf/nginx.conf": stream, "conf/stream.conf": stream.replace("1234", "1235"),
                          "Dockerfile": "FROM nginx:1.27\nCOPY conf/nginx.conf /etc/nginx/nginx.conf\n"})
    done = _lint(tmp_path, ".", "--fix", "--unsafe-fixes", "--select", "NGX009")
    assert "fixed 1 finding in 1 file" in done.err, done.err
    assert (tmp_path / "conf/nginx.conf").read_text() == "events {}\n" + stream
    assert (tmp_path / "conf/stream.conf").read_text() == stream.replace("1234", "1235")
