"""The small Dockerfile reader and the bindings it makes (a Compose build, a Dockerfile alone)."""
from __future__ import annotations

from lintkit import run_cli, write_tree
from nginxlint.container.dockerfile import read_dockerfile


def test_the_target_stage_inherits_through_its_stages():
    text = (
        "ARG BASE=openresty/openresty:1.27.1.2-alpine\n"
        "FROM ${BASE} AS base\n"
        "STOPSIGNAL SIGQUIT\n"
        "VOLUME /var/log/nginx\n"
        "CMD [\"openresty\", \"-g\", \"daemon off;\"]\n"
        "FROM base AS app\n"
        "WORKDIR /srv\n"
        "COPY --chown=nginx conf/ conf/\n"
        "COPY --from=builder /out /usr/local/bin/\n"
        "ENTRYPOINT [\"/docker-entrypoint.sh\"]\n"
        "FROM alpine:3.21 AS tools\n"
        "CMD sleep infinity\n"
    )
    app = read_dockerfile("Dockerfile", text, target="app")
    assert app.base.value == "openresty/openresty:1.27.1.2-alpine" and app.base.span[:2] == (2, 6)
    assert app.stop_signal.value == "SIGQUIT"
    assert app.entrypoint.value == ("/docker-entrypoint.sh",)
    assert app.cmd is None  # an ENTRYPOINT resets the CMD the stage builds on
    assert [v.value for v in app.volumes] == ["/var/log/nginx"]
    assert [(c.sources, c.dest, c.workdir) for c in app.copies] == [(("conf/",), "conf/", "/srv")]  # not --from
    last = read_dockerfile("Dockerfile", text)
    assert last.base.value == "alpine:3.21" and last.stop_signal is None
    assert last.cmd.value == ("/bin/sh", "-c", "sleep infinity")


def test_continuations_comments_and_heredocs():
    text = (
        "# syntax=docker/dockerfile:1\n"
        "FROM nginx:1.27\n"
        "RUN <<EOF\n"
        "STOPSIGNAL SIGKILL\n"
        "EOF\n"
        "COPY nginx.conf \\\n"
        "  # a comment inside the instruction\n"
        "  /etc/nginx/\n"
        "stopsignal SIGTERM\n"
    )
    build = read_dockerfile("Dockerfile", text)
    assert build.stop_signal.value == "SIGTERM" and build.stop_signal.span[:2] == (9, 12)
    assert [(c.sources, c.dest) for c in build.copies] == [(("nginx.conf",), "/etc/nginx/")]
    assert read_dockerfile("Dockerfile", "# no FROM\nRUN true\n") is None


def test_an_instruction_ends_at_any_blank():
    build = read_dockerfile("Dockerfile", "FROM\t\tcentos:7\nADD\tconf/nginx.conf\t/usr/local/openresty/nginx/conf\n")
    assert build.base.value == "centos:7" and build.base.span[:2] == (1, 7)
    assert [(c.sources, c.dest) for c in build.copies] == [(("conf/nginx.conf",), "/usr/local/openresty/nginx/conf")]


def test_a_copy_to_nginx_s_own_directory_puts_the_file_inside_it(tmp_path):
    """`ADD conf/nginx.conf /usr/local/openresty/nginx/conf` (no slash): the directory exists wherever nginx is
    installed, so the file lands in it, and the Lua files the config names at their image paths are read."""
    write_tree(tmp_path, {
        "conf/nginx.conf": "events {}\nhttp {\n    server {\n        listen 80;\n        root /www/app;\n"
                           "        location / { content_by_lua_file $document_root/app.lua; }\n    }\n}\n",
        "app/app.lua": "greeting = ngx.var.arg_g\nngx.sleep(0.1)\nngx.say(greeting)\n",
        "Dockerfile": "FROM\tcentos:7\nRUN yum install -y openresty && mkdir -p /www/app\n"
                      "ADD app/app.lua /www/app\nADD conf/nginx.conf /usr/local/openresty/nginx/conf\n",
    })
    result = run_cli([".", "--format", "json", "--select", "LUA211", "--isolated"], cwd=tmp_path)
    assert [(f["path"], f["line"]) for f in result.json["findings"]] == [("app/app.lua", 1)]


def test_a_dockerfile_binds_the_config_it_copies_and_its_command_counts(tmp_path):
    write_tree(tmp_path, {
        "site/nginx.conf": "daemon off;\nevents {}\nhttp { server { listen 8080; } }\n",
        "site/Dockerfile": "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\n",
        "script/nginx.conf": "daemon off;\nevents {}\nhttp { server { listen 8080; } }\n",
        "script/Dockerfile": "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/\nCMD [\"/bin/bash\", \"/start.sh\"]\n",
        "host/nginx.conf": "daemon on;\nevents {}\nhttp { server { listen 8080; } }\n",
    })
    result = run_cli([".", "--format", "json", "--select", "CTR104", "--isolated"], cwd=tmp_path)
    found = [(f["path"], f["line"], [r["path"] for r in f["related"]]) for f in result.json["findings"]]
    # the image's default command passes -g 'daemon off;' (related: the FROM line); a CMD of its own does not;
    # a host install (no Dockerfile) is not a container
    assert found == [("site/nginx.conf", 1, ["site/Dockerfile"])]


def test_a_compose_build_gives_the_base_image_and_the_copied_config(tmp_path):
    write_tree(tmp_path, {
        "nginx/nginx.conf": "worker_processes auto;\nevents {}\nhttp { server { listen 8080; } }\n",
        "nginx/Dockerfile": "FROM nginx:1.21.6\nCOPY nginx.conf /etc/nginx/conf.d/default.conf\n",
        "compose.yaml": "services:\n  proxy:\n    build: ./nginx\n    cpus: 2\n",
    })
    result = run_cli([".", "--format", "json", "--select", "CTR101,CTR110", "--isolated"], cwd=tmp_path)
    found = [(f["code"], f["path"], f["line"]) for f in result.json["findings"]]
    assert found == [("CTR101", "nginx/nginx.conf", 1)]  # bound through the COPY; nginx:1.21.6 stops with SIGQUIT


def test_a_compose_service_pulling_an_image_is_not_bound_by_a_shared_port(tmp_path):
    write_tree(tmp_path, {
        "benchmark/conf/nginx.conf": "worker_processes auto;\nevents {}\nhttp { server { listen 9080; } }\n",
        "docker/compose.yaml": "services:\n  gateway:\n    image: example/gateway:3\n    ports: ['9080:9080']\n"
                               "    cpus: 2\n    volumes: ['./gateway.yaml:/etc/gateway.yaml:ro']\n",
        "built/nginx.conf": "worker_processes auto;\nevents {}\nhttp { server { listen 8080; } }\n",
        "built/compose.yaml": "services:\n  web:\n    build: ./image\n    ports: ['80:8080']\n    cpus: 2\n",
        "built/image/Dockerfile": "FROM alpine:3.21\n",
    })
    result = run_cli([".", "--format", "json", "--select", "CTR101", "--isolated"], cwd=tmp_path)
    # the gateway runs its image's own config; the service built here runs the config that listens on its port
    assert [f["path"] for f in result.json["findings"]] == ["built/nginx.conf"]


def test_copy_destinations_take_the_env_and_arg_values_the_dockerfile_fixes():
    build = read_dockerfile("Dockerfile", "ARG BASE=/opt\nFROM alpine:3.9\nENV openresty /usr/local/openresty\n"
                                          "ARG BASE\nWORKDIR ${BASE}/app\n"
                                          "COPY src/proxy_params.nginx ${openresty}/nginx/conf/proxy_params\n"
                                          "COPY a.conf ${NOT_FIXED}/conf.d/\n")
    assert [(c.dest, c.workdir) for c in build.copies] == [
        ("/usr/local/openresty/nginx/conf/proxy_params", "/opt/app"), ("${NOT_FIXED}/conf.d/", "/opt/app")]


def test_an_include_the_dockerfile_copies_under_another_name_into_the_conf_directory_is_found(tmp_path):
    write_tree(tmp_path, {
        "src/nginx/nginx.nginx": "events {}\nhttp { include /etc/nginx/conf.d/site.nginx; }\n",
        "src/nginx/conf.d/site.nginx": "server { listen 80; location / { include proxy_params; } }\n",
        "src/nginx/proxy_params.nginx": "proxy_set_header Host $host;\n",
        "Dockerfile": "FROM alpine:3.9\nENV openresty /usr/local/openresty\n"
                      "COPY src/nginx/nginx.nginx ${openresty}/nginx/conf/nginx.conf\n"
                      "COPY src/nginx/proxy_params.nginx ${openresty}/nginx/conf/proxy_params\n"
                      "COPY src/nginx/conf.d /etc/nginx/conf.d/\n"
                      'CMD ["/usr/local/openresty/bin/openresty", "-g", "daemon off;"]\n',
        "compose.yaml": "services:\n  nginx:\n    build: .\n    ports: ['80:80']\n",
    })
    result = run_cli([".", "--format", "json", "--select", "NGX002", "--isolated"], cwd=tmp_path)
    assert result.json["findings"] == []


def test_a_copy_source_with_a_leading_slash_names_a_file_of_the_build_context(tmp_path):
    """`COPY /files/site.conf …` copies files/site.conf of the context (Docker reads sources relative to it); a
    config beside a Dockerfile that copies configs of its own into nginx's directories, but not it, is not run."""
    write_tree(tmp_path, {
        "Dockerfile": "FROM nginx:1.27-alpine\nCOPY /files/site.conf /etc/nginx/conf.d/site.conf\n",
        "files/site.conf": "server { listen 80; access_log /var/log/nginx/site.log; }\n",
        "leftover.conf": "server { listen 81; access_log /var/log/nginx/old.log; }\n",
    })
    result = run_cli([".", "--format", "json", "--select", "CTR105", "--isolated"], cwd=tmp_path)
    assert [(f["path"], f["line"]) for f in result.json["findings"]] == [("files/site.conf", 1)]
