"""Binding configs to containers, and nginx configs embedded in ConfigMaps linted at their YAML positions."""
from __future__ import annotations

from pathlib import Path

import pytest

from lintkit import run_cli, write_tree
from nginxlint.container.binding import bind_containers
from nginxlint.container.embedded import masked_text
from nginxlint.settings import Settings, SettingsError, apply
from nginxlint.workspace import load_workspace

NGINX = "events {}\nhttp { server { listen 8080; } }\n"


def _deployment(name="web", container="nginx", image="nginx:1.27", extra=""):
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  template:\n    spec:\n"
        f"      containers:\n        - name: {container}\n          image: {image}\n{extra}"
    )


def bind(tmp_path: Path, files: dict, settings: dict | None = None):
    write_tree(tmp_path, files)
    configured = apply(Settings(), settings or {}, "test", tmp_path)
    workspace = load_workspace([tmp_path], configured, tmp_path)
    findings, notifications = [], []
    bind_containers(workspace, findings, notifications)
    by_root = {d.root.display: d for d in workspace.trees}
    return by_root, findings, workspace


def test_only_nginx_container_binds_and_postgres_does_not(tmp_path):
    trees, findings, _ = bind(tmp_path, {
        "conf/nginx.conf": NGINX,
        "k8s/web.yaml": _deployment(),
        "k8s/db.yaml": _deployment("db", "postgres", "postgres:16").replace("Deployment", "StatefulSet"),
    })
    binding = trees["conf/nginx.conf"].binding
    assert (binding.how, binding.container.name, binding.workload.kind) == ("only-nginx-container", "nginx", "Deployment")
    assert findings == []


def test_no_guess_among_two_nginx_containers_and_no_binding_to_a_database(tmp_path):
    trees, _, _ = bind(tmp_path, {
        "conf/nginx.conf": NGINX,
        "k8s/a.yaml": _deployment("a"),
        "k8s/b.yaml": _deployment("b"),
    })
    assert trees["conf/nginx.conf"].binding is None
    trees, _, _ = bind(tmp_path / "db", {
        "conf/nginx.conf": NGINX,
        "k8s/db.yaml": _deployment("db", "postgres", "postgres:16", "          ports: [{containerPort: 5432}]\n"),
    })
    assert trees["conf/nginx.conf"].binding is None


@pytest.mark.parametrize("listen, port, bound", [
    ("[::]:8080 ipv6only=on", 8080, True),
    ("10.1.2.3", 80, True),  # an address alone is port 80
    ("*:8080 default_server", 8080, True),
    ("8080", 9090, False),
    ("unix:/run/nginx.sock", 80, False),
])
def test_a_custom_image_binds_by_the_port_it_declares(tmp_path, listen, port, bound):
    trees, _, _ = bind(tmp_path, {
        "conf/nginx.conf": f"events {{}}\nhttp {{ server {{ listen {listen}; }} }}\n",
        "k8s/web.yaml": _deployment("web", "web", "registry.example/web:1", f"          ports: [{{containerPort: {port}}}]\n"),
    })
    binding = trees["conf/nginx.conf"].binding
    assert (binding.how if binding else None) == ("listen-port" if bound else None)


def test_containers_setting_wins_and_unknown_names_are_errors(tmp_path):
    files = {"conf/nginx.conf": NGINX, "k8s/a.yaml": _deployment("a"), "k8s/b.yaml": _deployment("b")}
    trees, _, _ = bind(tmp_path, files, {"containers": {"Deployment/b/nginx": "conf/nginx.conf"}})
    binding = trees["conf/nginx.conf"].binding
    assert (binding.how, binding.workload.name) == ("containers-setting", "b")
    with pytest.raises(SettingsError, match='no container named "ngnix".*did you mean "nginx"'):
        bind(tmp_path, files, {"containers": {"ngnix": "conf/nginx.conf"}})


def test_compose_bind_mount_of_the_directory(tmp_path):
    trees, _, _ = bind(tmp_path, {
        "deploy/nginx/nginx.conf": NGINX,
        "compose.yaml": "services:\n  proxy:\n    image: nginx:1.27\n    volumes: ['./deploy/nginx:/etc/nginx:ro']\n"
                        "  other:\n    image: nginx:1.27\n",
    })
    binding = trees["deploy/nginx/nginx.conf"].binding
    assert (binding.how, binding.container.name, binding.container_path) == ("host-mount", "proxy", "/etc/nginx/nginx.conf")


def test_compose_bind_mount_sources_are_interpolated(tmp_path):
    """`${PWD}` is the directory `docker compose` runs in, the Compose file's own; .env values count too."""
    trees, _, _ = bind(tmp_path, {
        "docker/containers-data/nginx/nginx.conf": NGINX,
        "docker/conf/site/nginx.conf": NGINX,
        "docker/.env": "CONF_DIR=./conf/site\n",
        "docker/compose.yml": "services:\n  proxy:\n    image: nginx:1.27\n    volumes:\n"
                              "      - ${PWD}/containers-data/nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n"
                              "  site:\n    image: nginx:1.27\n    volumes: ['${CONF_DIR}:/etc/nginx:ro']\n",
    })
    assert [(trees[path].binding.how, trees[path].binding.container.name) for path in (
        "docker/containers-data/nginx/nginx.conf", "docker/conf/site/nginx.conf")] == [
        ("host-mount", "proxy"), ("host-mount", "site")]


@pytest.mark.parametrize("source, bound", [
    ("/Users/mac/code/shop/project/conf/nginx", True),  # the repository, checked out in a home directory
    ("/home/deploy/shop/project/conf/nginx", True),
    ("/srv/shop/project/conf/nginx", False),  # not a home directory: the host's own path
    ("/Users/mac/code/other/nginx", False),  # a path the repository does not hold
    ("/project/conf/nginx", True),  # the repository's tree put at the server's root, named whole
    ("/conf/nginx", False),  # too short to say so
])
def test_a_mount_of_the_repository_by_its_absolute_path_in_a_home_directory(tmp_path, source, bound):
    trees, _, _ = bind(tmp_path, {
        "project/conf/nginx/nginx.conf": NGINX,
        "docker/compose.yaml": f"services:\n  web:\n    image: openresty/openresty:1.27.1.2\n    volumes:\n"
                               f"      - {source}:/usr/local/openresty/nginx/conf\n"
                               "  app:\n    image: nginx:1.27.1\n",
    })
    binding = trees["project/conf/nginx/nginx.conf"].binding
    assert ((binding.how, binding.container.name) if binding else None) == (("host-mount", "web") if bound else None)


@pytest.mark.parametrize("copy, bound", [
    ("cp nginx/nginx.conf data/nginx/nginx.conf", True),
    ("cp -r nginx/ data/nginx", True),  # the directory, the mount below it
    ("cp nginx/nginx.conf data/", False),  # lands as data/nginx.conf, not where the mount reads
    ("cp nginx/other.conf data/nginx/nginx.conf", False),  # another file
])
def test_a_mount_source_a_setup_script_fills_from_the_repository(tmp_path, copy, bound):
    """The mounted path is absent from the repository; `initialize.sh` copies the config there first."""
    trees, _, _ = bind(tmp_path, {
        "nginx/nginx.conf": NGINX,
        "nginx/other.conf": "server { listen 8081; }\n",
        "initialize.sh": f"#!/bin/bash\nmkdir -p data/nginx\n{copy}\n",
        "docker-compose.yml": "services:\n  web:\n    image: nginx:1.27.1\n    volumes:\n"
                              "      - ${PWD}/data/nginx/nginx.conf:/etc/nginx/nginx.conf\n"
                              "  app:\n    image: nginx:1.27.1\n",
    })
    binding = trees["nginx/nginx.conf"].binding
    assert ((binding.how, binding.container.name) if binding else None) == (("host-mount", "web") if bound else None)


def test_configmap_with_the_same_content_binds_every_copy(tmp_path):
    manifest = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: site}\ndata:\n  nginx.conf: |\n"
        "    events {}\n    http { server { listen 8080; } }\n---\n"
        + _deployment("a", extra="          volumeMounts: [{name: c, mountPath: /etc/nginx}]\n"
                      "      volumes: [{name: c, configMap: {name: site}}]\n")
        + "---\n" + _deployment("b")
    )
    trees, _, workspace = bind(tmp_path, {"conf/nginx.conf": NGINX, "k8s/all.yaml": manifest})
    binding = trees["conf/nginx.conf"].binding
    assert (binding.how, binding.workload.name, binding.container_path) == ("configmap", "a", "/etc/nginx/nginx.conf")
    # the embedded copy is not linted a second time
    assert [d.root.display for d in workspace.trees] == ["conf/nginx.conf"]


def test_a_configmap_entry_that_holds_another_config_runs_there_not_a_file_of_the_same_name(tmp_path):
    # the pod mounts its own nginx.conf (key nginx-config, mapped to nginx.conf by items); the repository's
    # nginx/nginx.conf, a config of the same name and directory, is not what runs at /etc/nginx/nginx.conf
    manifest = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: echo}\ndata:\n  nginx-config: |\n"
        "    daemon off;\n    events {}\n    http { server { listen 80; } }\n---\n"
        + _deployment("echo", extra="          volumeMounts: [{name: c, mountPath: /etc/nginx}]\n"
                      "      volumes: [{name: c, configMap: {name: echo, items: [{key: nginx-config, path: nginx.conf}]}}]\n")
    )
    trees, _, _ = bind(tmp_path, {"template/nginx/nginx.conf": NGINX, "docs/app.yaml": manifest})
    assert trees["template/nginx/nginx.conf"].binding is None
    # an entry whose text is no config (a chart's `.Files.Get` of the file, or a name) still binds it by name
    manifest = manifest.replace("    daemon off;\n    events {}\n    http { server { listen 80; } }\n", "    x\n")
    trees, _, _ = bind(tmp_path, {"template/nginx/nginx.conf": NGINX, "docs/app.yaml": manifest})
    binding = trees["template/nginx/nginx.conf"].binding
    assert (binding.how, binding.container_path) == ("configmap", "/etc/nginx/nginx.conf")


def test_a_test_suites_nginx_container_runs_only_the_configs_of_its_own_directory(tmp_path):
    compose = "services:\n  proxy:\n    image: nginx:1.27\n    command: [nginx, -g, 'daemon off;']\n"
    trees, _, _ = bind(tmp_path, {"webserver/etc/nginx/nginx.conf": NGINX,
                                  "pkg/testdata/TestProxy/docker-compose.extra.yaml": compose})
    assert trees["webserver/etc/nginx/nginx.conf"].binding is None
    trees, _, _ = bind(tmp_path, {"pkg/testdata/TestProxy/nginx.conf": NGINX})
    assert trees["pkg/testdata/TestProxy/nginx.conf"].binding.how == "only-nginx-container"


def test_runtime_settings_apply_without_manifests_and_reject_unknown_keys(tmp_path):
    trees, _, _ = bind(tmp_path, {"conf/nginx.conf": NGINX}, {"runtime": {"cpu-limit": 2, "memory-limit": "1Gi"}})
    binding = trees["conf/nginx.conf"].binding
    assert binding.how == "runtime-setting"
    assert binding.cpu_limit.value == 2 and binding.memory_limit.value == 1024**3
    with pytest.raises(SettingsError, match="cpu-limt"):
        bind(tmp_path, {"conf/nginx.conf": NGINX}, {"runtime": {"cpu-limt": 2}})


EMBEDDED = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: gateway-nginx
data:
  nginx.conf: |
    worker_processes auto;
    events {}
    http {
        include vhosts/*.conf;
    }
  metrics.conf: |
      server {
          listen 8099;
          location /metrics { stub_status; }
      }
  extra.conf: "server { listen 9000; }"
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: gateway}
spec:
  template:
    spec:
      containers:
        - name: openresty
          image: openresty/openresty:1.21.4.1-0-bullseye
          resources: {limits: {cpu: "2"}}
          volumeMounts:
            - {name: conf, mountPath: /usr/local/openresty/nginx/conf/nginx.conf, subPath: nginx.conf}
            - {name: vhosts, mountPath: /usr/local/openresty/nginx/conf/vhosts}
      volumes:
        - {name: conf, configMap: {name: gateway-nginx}}
        - name: vhosts
          configMap:
            name: gateway-nginx
            items: [{key: metrics.conf, path: metrics.conf}]
"""


def test_embedded_config_follows_includes_into_other_entries_at_yaml_positions(tmp_path):
    trees, findings, workspace = bind(tmp_path, {"k8s/gateway.yaml": EMBEDDED})
    assert findings == []
    main = [d for d in workspace.trees if d.is_main]
    assert len(main) == 1 and main[0].complete
    tree = main[0]
    assert tree.binding.how == "embedded" and tree.binding.container_path == "/usr/local/openresty/nginx/conf/nginx.conf"
    listen = tree.nodes("listen")[0]
    # metrics.conf is indented by 6 in the YAML: `listen` on line 14, column 11
    assert (listen.file.display, listen.d.span[:2], listen.args) == ("k8s/gateway.yaml", (14, 11), ["8099"])
    worker = tree.nodes("worker_processes")[0]
    assert worker.d.arg_span(0) == (7, 22, 7, 26)
    # the unmounted one-line entry is linted too, as a fragment, at its exact column
    extra = [d for d in workspace.trees if not d.is_main]
    assert [n.d.span[:2] for d in extra for n in d.nodes("listen")] == [(17, 25)]


def test_embedded_findings_through_the_cli(tmp_path):
    write_tree(tmp_path, {"k8s/gateway.yaml": EMBEDDED})
    result = run_cli([".", "--format", "json", "--select", "CTR101,MET303", "--isolated"], cwd=tmp_path)
    found = sorted((f["code"], f["path"], f["line"], f["column"]) for f in result.json["findings"])
    assert found == [("CTR101", "k8s/gateway.yaml", 7, 22), ("MET303", "k8s/gateway.yaml", 15, 20)]
    text = run_cli([".", "--select", "CTR101", "--isolated"], cwd=tmp_path).out
    assert "    worker_processes auto;" in text  # the YAML line is shown


def test_embedded_include_of_an_image_file_marks_the_deployment_incomplete(tmp_path):
    manifest = EMBEDDED.replace("include vhosts/*.conf;", "include /etc/nginx/snippets/missing.conf;")
    trees, findings, workspace = bind(tmp_path, {"k8s/gateway.yaml": manifest})
    main = next(d for d in workspace.trees if d.is_main)
    assert not main.complete
    assert [f.code for f in main.findings] == []  # no NGX002 for a file only the image holds


def test_masked_text_keeps_lines_and_columns():
    class Entry:
        text = "events {}\nhttp {}\n"
        line_offset = 5
        column_offset = 4

    lines = masked_text(Entry).split("\n")
    assert lines[5] == "    events {}" and lines[6] == "    http {}" and all(not line for line in lines[:5])


def test_syntax_error_in_embedded_config_is_ngx001_at_its_yaml_line(tmp_path):
    manifest = EMBEDDED.replace("        include vhosts/*.conf;\n    }\n", "        include vhosts/*.conf;\n")
    _, findings, _ = bind(tmp_path, {"k8s/gateway.yaml": manifest})
    assert [(f.code, f.path, f.span.line) for f in findings] == [("NGX001", "k8s/gateway.yaml", 9)]


def test_invalid_yaml_is_a_finding_not_a_traceback(tmp_path):
    _, findings, _ = bind(tmp_path, {"conf/nginx.conf": NGINX,
                                     "k8s/bad.yaml": "apiVersion: v1\nkind: Pod\nspec: [\n  {image: nginx:1.27}\n"})
    assert [(f.code, f.path) for f in findings] == [("K8S404", "k8s/bad.yaml")]
    assert findings[0].span.line >= 3


def test_a_placeholder_line_a_deploy_script_replaces_is_a_template_not_broken_yaml(tmp_path):
    write_tree(tmp_path, {"conf/nginx.conf": NGINX,
                          "k8s/revproxy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: revproxy\n"
                                               "spec:\n  template:\n    metadata:\n      labels:\n        app: nginx\n"
                                               "        GEN3_DATE_LABEL\n    spec: {}\n"})
    result = run_cli([".", "--format", "json", "--isolated"], cwd=tmp_path)
    assert not [f for f in result.json["findings"] if f["code"] == "K8S404"]
    assert any(n["path"] == "k8s/revproxy.yaml" and "`GEN3_DATE_LABEL`" in n["message"]
               for n in result.json["notifications"])


def test_broken_yaml_about_other_services_is_a_note(tmp_path):
    write_tree(tmp_path, {"conf/nginx.conf": NGINX,
                          "k8s/api.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n"
                                          "    app: api\nspec: [\n"})
    result = run_cli([".", "--format", "json", "--isolated"], cwd=tmp_path)
    assert not [f for f in result.json["findings"] if f["code"] == "K8S404"]
    assert any(n["path"] == "k8s/api.yaml" and "invalid YAML" in n["message"] for n in result.json["notifications"])


def test_a_broken_compose_file_about_other_services_gets_one_note_however_many_problems_it_has(tmp_path):
    # a merge key given a sequence, at every service that uses the anchor
    services = "".join(f"  app{n}:\n    image: app:{n}\n    environment:\n      <<: *env\n" for n in range(5))
    write_tree(tmp_path, {"conf/nginx.conf": NGINX,
                          "docker-compose.yml": f"x-env: &env\n  - A=1\nservices:\n{services}"})
    result = run_cli([".", "--format", "json", "--isolated"], cwd=tmp_path)
    notes = [n for n in result.json["notifications"] if n["path"] == "docker-compose.yml"]
    assert len(notes) == 1 and "invalid YAML" in notes[0]["message"], notes


def test_memory_estimates_must_be_quantities(tmp_path):
    with pytest.raises(SettingsError, match="per-worker-memory"):
        bind(tmp_path, {"conf/nginx.conf": NGINX}, {"per-worker-memory": "lots"})


def test_folded_and_escaped_scalars_are_placed_at_their_key(tmp_path):
    manifest = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-nginx}\ndata:\n"
        "  folded.conf: >\n    server { listen 80;\n    daemon on; }\n"
        '  quoted.conf: "worker_processess 2;\\nevents {}\\n"\n'
        "  replicas.conf: 5\n"
    )
    write_tree(tmp_path, {"k8s/cm.yaml": manifest})
    result = run_cli([".", "--format", "json", "--isolated"], cwd=tmp_path)
    found = sorted((f["code"], f["line"], f["column"]) for f in result.json["findings"])
    assert ("NGX005", 5, 3) in found  # `daemon` inside a server, folded: at the key folded.conf
    assert ("NGX004", 8, 3) in found  # escaped newlines: at the key quoted.conf
    assert all(code != "NGX001" for code, _line, _column in found)  # `5` is not linted as nginx


def _modules_after_a_run(tmp_path) -> set[str]:
    """The nginxlint.container modules a fresh interpreter imports to lint tmp_path."""
    import subprocess
    import sys

    program = (
        "import sys\nfrom nginxlint.cli import main\nstatus = main(['.', '--format', 'json'])\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('nginxlint.container'))))\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True,
                          env={**__import__("os").environ, "PYTHONPATH": str(root)}, check=False)
    assert done.returncode in (0, 1), done.stderr
    return set(done.stdout.split("\n")[-2].split())


def test_yaml_that_describes_no_container_costs_no_manifest_reader(tmp_path):
    write_tree(tmp_path, {
        "nginx.conf": NGINX,
        ".pre-commit-config.yaml": "repos:\n  - repo: local\n    hooks: [{id: lint, name: lint, entry: x, language: system}]\n",
        ".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    services:\n"
                                    "      redis: {image: redis}\n    steps: [{run: make}]\n",
        "k8s/service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n",
    })
    # The Dockerfile reader is small and always asked (a Dockerfile alone binds a config), and so are the release of a
    # tree (the version rules' modules import it), the start scripts' placeholders (asked while parsing) and the
    # names of development files (a binding prefers a deployed container) with what a file's opening comment says of
    # its purpose, and the search for files mounted or copied at an nginx config path, which reads only a Compose file
    # that names nginx's directory; the YAML readers are not.
    assert _modules_after_a_run(tmp_path) == {"nginxlint.container", "nginxlint.container.binding",
                                              "nginxlint.container.declared_purpose",
                                              "nginxlint.container.detect", "nginxlint.container.development",
                                              "nginxlint.container.dockerfile",
                                              "nginxlint.container.dockerfile_binding",
                                              "nginxlint.container.manifests", "nginxlint.container.model",
                                              "nginxlint.container.placed", "nginxlint.container.start_placeholders",
                                              "nginxlint.container.quantity", "nginxlint.container.release",
                                              "nginxlint.container.view"}


def test_a_workload_loads_the_readers_and_only_configmaps_load_the_embedded_configs(tmp_path):
    write_tree(tmp_path, {"nginx.conf": NGINX, "k8s/web.yaml": _deployment()})
    modules = _modules_after_a_run(tmp_path)
    assert {"nginxlint.container.kubernetes", "nginxlint.container.model"} <= modules
    assert "nginxlint.container.embedded" not in modules
    write_tree(tmp_path, {"k8s/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-nginx}\n"
                                         "data: {nginx.conf: 'events {}'}\n"})
    assert "nginxlint.container.embedded" in _modules_after_a_run(tmp_path)


@pytest.mark.parametrize("path, text, expected", [
    ("k8s/web.yaml", "apiVersion: apps/v1\nkind: Deployment\n", True),
    ("k8s/web.yaml", "---\napiVersion: v1\nkind: 'ConfigMap'  # nginx\n", True),
    ("k8s/all.yaml", "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n", True),
    ("k8s/all.yaml", "apiVersion: apps/v1\nkind: DeploymentList\r\nitems: []\r\n", True),
    ("k8s/job.yaml", "apiVersion: batch/v1\nkind: CronJob\n", True),
    ("compose.yaml", "name: app\n", True),
    ("deploy/stack.yml", "version: '3'\nservices:\n  web: {image: nginx}\n", True),
    ("k8s/svc.yaml", "apiVersion: v1\nkind: Service\n", False),
    ("k8s/template.yaml", "apiVersion: v1\nkind: PodTemplate\n", False),
    ("k8s/nested.yaml", "spec:\n  kind: Deployment\n", False),
    (".pre-commit-config.yaml", "repos: []\n", False),
    (".nginxlint.yaml", "select: [CTR]\n", False),
])
def test_may_hold_runtime(path, text, expected):
    from nginxlint.container.detect import may_hold_runtime

    assert may_hold_runtime(path, text) is expected



def test_a_note_the_loader_gives_while_containers_are_bound_reaches_the_report(tmp_path):
    """A ConfigMap's deployment is built while binding, after loading: its include outside the project is noted."""
    write_tree(tmp_path, {"deploy.yaml": """apiVersion: v1
kind: ConfigMap
metadata: {name: nginx-conf}
data:
  nginx.conf: |
    events {}
    http {
      include /opt/app/extra.conf;
      server { listen 8080; location / { return 200; } }
    }
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          volumeMounts: [{name: conf, mountPath: /etc/nginx/nginx.conf, subPath: nginx.conf}]
      volumes: [{name: conf, configMap: {name: nginx-conf}}]
"""})
    notes = run_cli([".", "--format", "json"], cwd=tmp_path).json["notifications"]
    assert [(n["path"], n["line"], n["column"]) for n in notes if "outside the project" in n["message"]] == [
        ("deploy.yaml", 8, 15)], notes


def test_a_service_that_names_no_image_in_a_project_of_several_dockerfiles(tmp_path):
    """A Compose override that only mounts the config: no image to match a Dockerfile's name against."""
    write_tree(tmp_path, {
        "docker-compose.override.yml": "services:\n  gw:\n    volumes:\n      - ./conf/nginx.conf:/etc/nginx/nginx.conf\n",
        "conf/nginx.conf": "events {}\nhttp { server { listen 80; location / { content_by_lua_block { "
                           "require('app').run() } } } }\n",
        "gateway/Dockerfile": "FROM openresty/openresty:1.27.1.2-alpine\n",
        "worker/Dockerfile": "FROM python:3.12\n",
    })
    result = run_cli([".", "--format", "json"], cwd=tmp_path)
    assert "NL999" not in result.codes(), result.json["findings"]


def _custom_image_pod(containers: str) -> str:
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: frontend}\ndata:\n"
        "  default.conf: |\n    server { listen 9090; location / { return 200; } }\n"
        "---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  template:\n    spec:\n"
        "      volumes: [{name: conf, configMap: {name: frontend}}]\n      containers:\n" + containers
    )


def _mounting(name: str, path: str) -> str:
    return (f"        - name: {name}\n          image: example/{name}:2.3\n"
            f"          volumeMounts: [{{name: conf, mountPath: {path}}}]\n")


@pytest.mark.parametrize("containers, bound", [
    (_mounting("frontend", "/etc/nginx/conf.d/"), "frontend"),  # where only nginx reads it
    (_mounting("frontend", "/etc/frontend/"), None),  # neither the place nor the names say nginx
    (_mounting("frontend", "/etc/nginx/conf.d/") + _mounting("reloader", "/watch/nginx/"), None),  # which one?
])
def test_a_custom_image_runs_the_nginx_file_it_mounts(tmp_path, containers, bound):
    _trees, _findings, workspace = bind(tmp_path, {"k8s/app.yaml": _custom_image_pod(containers)})
    trees = [tree for tree in workspace.trees if tree.binding is not None]
    assert [tree.binding.container.name for tree in trees] == ([bound] if bound else [])
    if bound:
        assert trees[0].binding.container_path == "/etc/nginx/conf.d/default.conf"


_LOGGING = "events {}\nhttp {\n    access_log /data/access.log;\n    error_log /var/log/app.error.log;\n    server { listen 80; }\n}\n"
_APPLICATION = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . /app\nRUN pip install -r requirements.txt\n"


def test_the_dockerfile_that_copies_the_config_by_its_path_binds_it_before_a_whole_repository_copy(tmp_path):
    """An application image without nginx copies the config along with its sources; the image that ADDs the file
    to nginx's path runs it, and its VOLUME keeps the log there."""
    files = {
        "deploy/nginx.conf": _LOGGING,
        "Dockerfile": _APPLICATION,
        "Dockerfile.release": "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y nginx\n"
                              "ADD deploy/nginx.conf /etc/nginx/nginx.conf\nVOLUME [\"/data\"]\n",
    }
    trees, _, _ = bind(tmp_path, files)
    assert trees["deploy/nginx.conf"].binding.container.path == "Dockerfile.release"
    got = run_cli([".", "--format", "json", "--select", "CTR105"], cwd=tmp_path).json["findings"]
    assert [(f["path"], f["line"], f["column"]) for f in got] == [("deploy/nginx.conf", 4, 15)], got


@pytest.mark.parametrize("install, copy, bound", [
    ("", ".", False),  # an application image that names nginx nowhere carries an old setup's config, and runs uwsgi
    ("", "docker", False),  # the same by the directory's name (`COPY ["docker", "/home/app/docker"]`)
    ("RUN apk add --no-cache nginx\n", ".", True),
])
def test_an_application_image_runs_a_config_copied_with_its_sources_only_when_it_has_nginx(tmp_path, install, copy,
                                                                                          bound):
    files = {
        "docker/nginx.conf": _LOGGING,
        "Dockerfile": f"FROM alpine:3.15\n{install}WORKDIR /home/app\nCOPY {copy} ./{copy if copy != '.' else ''}\n"
                      "CMD [\"uwsgi\", \"--ini\", \"app.ini\"]\n",
    }
    trees, _, _ = bind(tmp_path, files)
    assert (trees["docker/nginx.conf"].binding is not None) is bound


@pytest.mark.parametrize("mounted, image, runs_the_copy", [
    ("./docker/nginx/nginx.conf.http", "", False),  # another file over the image's copy: the container runs that one
    ("./docker/nginx/nginx.conf", "", True),  # the same file mounted for quick edits
    ("./docker/nginx", "", True),  # its directory, which holds it at the same place
    # the image the service builds has a name of its own: it is pushed, and runs its copy without the mount
    ("./docker/nginx/nginx.conf.http", "    image: shop/gateway\n", True),
])
def test_a_copy_a_bind_mount_replaces_is_not_run_and_falls_to_no_other_container(tmp_path, mounted, image,
                                                                                  runs_the_copy):
    target = "/etc/nginx" if mounted == "./docker/nginx" else "/etc/nginx/nginx.conf"
    files = {
        "docker/nginx/nginx.conf": _LOGGING,
        "docker/nginx/nginx.conf.http": _LOGGING,
        "docker/nginx/Dockerfile": "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\n",
        "docker-compose.yml": f"services:\n  nginx:\n    build: ./docker/nginx\n{image}    restart: always\n"
                              f"    volumes: ['{mounted}:{target}:ro']\n",
    }
    trees, _, _ = bind(tmp_path, files)
    copy = trees["docker/nginx/nginx.conf"]
    assert (copy.binding is not None) is runs_the_copy
    assert copy.container_unknown is not runs_the_copy


def test_a_config_compose_files_mount_alike_runs_in_the_production_stack_else_the_one_compose_up_starts(tmp_path):
    service = "services:\n  {name}:\n    image: nginx:1.27\n    volumes: ['./nginx.conf:/etc/nginx/nginx.conf:ro']\n"
    files = {"nginx.conf": _LOGGING, "docker-compose.tor-only.yml": service.format(name="tor"),
             "docker-compose.yml": service.format(name="web")}
    trees, _, _ = bind(tmp_path, files)
    assert trees["nginx.conf"].binding.facts.name == "web"
    # a stack named for production before it
    (tmp_path / "docker-compose.prod.yml").write_text(service.format(name="prod"))
    trees, _, _ = bind(tmp_path, {})
    assert trees["nginx.conf"].binding.facts.name == "prod"


def test_a_dockerfile_that_copies_the_config_by_name_binds_it_before_the_only_nginx_service_in_view(tmp_path):
    files = {
        "gateway/nginx.conf": _LOGGING,
        "gateway/Dockerfile": "FROM nginx:alpine\nCOPY nginx.conf /etc/nginx/nginx.conf\n",
        "simple-admin/index.html": "<h1>admin</h1>\n",
        "docker-compose.yml": "services:\n  admin:\n    image: nginx:alpine\n    restart: unless-stopped\n"
                              "    volumes: ['./simple-admin:/usr/share/nginx/html:ro']\n",
    }
    trees, _, _ = bind(tmp_path, files)
    assert trees["gateway/nginx.conf"].binding.how == "dockerfile"


@pytest.mark.parametrize("name", ["Dockerfile-master", "Dockerfile_staging", "Dockerfile.prod", "web.Dockerfile",
                                  "web.prod.Containerfile", "Containerfile-prod"])
def test_a_dockerfile_named_for_its_branch_or_stage_binds_the_config_it_copies(tmp_path, name):
    files = {"conf/nginx.conf": _LOGGING, name: "FROM nginx:1.27\nCOPY conf/nginx.conf /etc/nginx/nginx.conf\n"}
    trees, _, _ = bind(tmp_path, files)
    assert trees["conf/nginx.conf"].binding.container.path == name


def test_a_dockerfile_named_for_nginx_is_read_as_a_dockerfile_not_skipped_as_a_config(tmp_path):
    """`Dockerfile.nginx` matches the config pattern `*.nginx` too: it builds the image that runs the config."""
    files = {
        "conf/nginx.conf": _LOGGING,
        "Dockerfile.nginx": "FROM nginx:1.27\nCOPY conf/nginx.conf /etc/nginx/nginx.conf\n",
    }
    trees, _, _ = bind(tmp_path, files)
    assert trees["conf/nginx.conf"].binding.container.path == "Dockerfile.nginx"
    result = run_cli([".", "--format", "json"], cwd=tmp_path)
    assert "Dockerfile.nginx" not in str(result.json.get("notifications", ""))
