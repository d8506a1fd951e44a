"""nginx configs in the ConfigMaps of an unrendered Helm chart: read with the template tags masked, at the lines and
columns of the template file; the chart's workloads are not read, and no container is made up for them."""
from __future__ import annotations

from lintkit import run_cli, write_tree

from nginxlint.container.detect import is_chart_template
from nginxlint.container.kubernetes import load_kubernetes

CONFIGMAP = """\
{{- if .Values.nginx.enabled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "web.fullname" . }}-nginx
  labels:
    {{- include "web.labels" . | nindent 4 }}
data:
  default.conf: |
    {{- /* the site */}}
    server {
        listen {{ .Values.port }};
        access_log /var/log/nginx/web.log;
{{- if .Values.admin.enabled }}
        location /admin/ {
            allow 10.0.0.0/8;
        }
{{- end }}
        location / {
            proxy_pass http://{{ .Values.backend }};
        }
    }
  settings.json: |
    {"debug": true;}
{{- end }}
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}
spec:
  replicas: {{ .Values.replicas }}
  template:
    spec:
      containers:
        - name: nginx
          image: "nginx:{{ .Values.tag }}"
          volumeMounts:
            - name: conf
              mountPath: /etc/nginx/conf.d
      volumes:
        - name: conf
          configMap:
            name: {{ include "web.fullname" . }}-nginx
"""

NOTE = ("templated with Helm: tags masked, values behind them unknown; only the nginx configs of its ConfigMaps are "
        "read (render it with helm template to read the rest)")


def test_a_chart_configmap_is_linted_at_the_lines_and_columns_of_the_template(tmp_path):
    write_tree(tmp_path, {"chart/Chart.yaml": "name: web\n", "chart/templates/nginx-configmap.yaml": CONFIGMAP,
                          "chart/templates/deployment.yaml": DEPLOYMENT})
    result = run_cli([".", "--format", "json"], cwd=tmp_path).json
    # the allow list's address in the `if` branch (line 16), not the masked port or upstream; `{{- if }}` and `{{- end }}` at
    # column 1 do not end the block, and the indented comment tag before `server` does not set its indentation
    assert [(f["code"], f["path"], f["line"], f["column"]) for f in result["findings"]] == [
        ("SEC505", "chart/templates/nginx-configmap.yaml", 16, 19)]
    notes = {n["path"]: n["message"] for n in result["notifications"]}
    assert notes["chart/templates/nginx-configmap.yaml"] == NOTE
    assert "unrendered template" in notes["chart/templates/deployment.yaml"]


def test_a_chart_file_outside_templates_is_read_with_its_tags_masked_and_is_not_deployed(tmp_path):
    # `templates_disabled/`: the same tags, but Helm renders nothing there, so no pod mounts what it holds
    configmap = ('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "web.fullname" . }}-nginx\ndata:\n'
                 "  upstreams.conf: |\n"
                 "    upstream api_server {\n"
                 '        server {{ include "web.fullname" . }}-api:{{ .Values.api.port }} fail_timeout=0;\n'
                 "    }\n    {{- if .Values.mcp.enabled }}\n    upstream mcp { server mcp:8000; }\n    {{- end }}\n"
                 "  default.conf: |\n    server {\n        listen 8080;\n"
                 "        location /admin/ { allow 10.0.0.0/8; proxy_pass http://api_server; }\n    }\n")
    write_tree(tmp_path, {"chart/Chart.yaml": "name: web\n", "chart/templates_disabled/nginx-conf.yaml": configmap,
                          "chart/templates/deployment.yaml": DEPLOYMENT})
    result = run_cli([".", "--format", "json"], cwd=tmp_path).json
    assert result["findings"] == []  # no NGX001 or NGX006 at the tags, no advice on the admin allow list (SEC505)


def test_the_workload_of_an_unrendered_chart_is_no_container_for_its_configs(tmp_path):
    # The only nginx container in view is the Compose service; the chart's own Deployment is unread. Its config
    # logs to a file, which a container rule would report in a container it made up.
    write_tree(tmp_path, {"chart/Chart.yaml": "name: web\n", "chart/templates/nginx-configmap.yaml": CONFIGMAP,
                          "chart/templates/deployment.yaml": DEPLOYMENT,
                          "docker-compose.yml": "services:\n  web:\n    image: nginx:1.27\n"})
    result = run_cli([".", "--format", "json", "--select", "CTR105,SEC505"], cwd=tmp_path).json
    assert [(f["code"], f["line"]) for f in result["findings"]] == [("SEC505", 16)]


def test_the_reader_keeps_block_scalars_that_hold_nginx_configs():
    doc = load_kubernetes("t.yaml", CONFIGMAP + "---\n" + DEPLOYMENT, chart_template=True)
    assert doc.workloads == () and doc.problems == ()
    (configmap,) = doc.configmaps
    assert configmap.unrendered and configmap.name.endswith("-nginx")
    (entry,) = configmap.entries  # settings.json is no nginx config
    assert (entry.key, entry.line_offset, entry.column_offset, entry.exact_positions) == ("default.conf", 9, 4, True)
    # only the tags inside the block are masked regions: the port, the `if`/`end` lines, the upstream
    lines = {doc.masked.text.count("\n", 0, region.start) + 1 for region in doc.masked.regions}
    assert lines == {10, 12, 14, 18, 20}


def test_labels_a_tag_renders_before_more_keys_are_a_mapping_not_a_broken_file():
    # `labels: {{- include … | nindent 4 }}` renders the first lines of the mapping the next keys continue
    template = CONFIGMAP.replace('  labels:\n    {{- include "web.labels" . | nindent 4 }}\n',
                                 '  labels: {{- include "web.labels" . | nindent 4 }}\n    app: web\n')
    (configmap,) = load_kubernetes("t.yaml", template, chart_template=True).configmaps
    assert [entry.key for entry in configmap.entries] == ["default.conf"]
    # a tag that is a key's value, with no deeper key after it, stays a scalar: `name:` keeps its placeholder
    assert configmap.name.endswith("-nginx")


def test_a_configmap_of_files_got_from_the_chart_is_not_read_again(tmp_path):
    # `.Files.Get` fills the key with a chart file, which is linted as that file (HelmConfigMap)
    template = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-nginx\ndata:\n"
                "  nginx.conf: |-\n{{ .Files.Get \"files/nginx.conf\" | indent 4 }}\n")
    doc = load_kubernetes("t.yaml", template, chart_template=True)
    assert doc.configmaps == () and doc.skipped.startswith("unrendered template")


def test_every_file_of_a_chart_templates_directory_is_a_manifest_but_partials_and_notes(tmp_path):
    write_tree(tmp_path, {"chart/Chart.yaml": "name: web\n", "chart/templates/nginx-configmap.yaml.tpl": CONFIGMAP,
                          "chart/templates/_helpers.tpl": CONFIGMAP, "chart/templates/NOTES.txt": CONFIGMAP,
                          "other/templates/nginx-configmap.yaml.tpl": CONFIGMAP})
    assert is_chart_template(tmp_path / "chart/templates/nginx-configmap.yaml.tpl")
    assert not is_chart_template(tmp_path / "chart/templates/_helpers.tpl")
    assert not is_chart_template(tmp_path / "chart/templates/NOTES.txt")
    assert not is_chart_template(tmp_path / "other/templates/nginx-configmap.yaml.tpl")  # no Chart.yaml
    result = run_cli([".", "--format", "json"], cwd=tmp_path).json
    assert {(f["code"], f["path"], f["line"]) for f in result["findings"]} == {
        ("SEC505", "chart/templates/nginx-configmap.yaml.tpl", 16)}
    assert {n["path"] for n in result["notifications"]} == {"chart/templates/nginx-configmap.yaml.tpl"}


def test_a_chart_template_passed_alone_gives_the_answer_of_the_whole_run(tmp_path):
    write_tree(tmp_path, {"chart/Chart.yaml": "name: web\n", "chart/templates/nginx-configmap.yaml.tpl": CONFIGMAP})
    result = run_cli(["chart/templates/nginx-configmap.yaml.tpl", "--format", "json"], cwd=tmp_path).json
    assert [(f["code"], f["line"], f["column"]) for f in result["findings"]] == [("SEC505", 16, 19)]


def test_a_template_whose_tags_are_functions_is_unrendered_not_broken():
    # `{{ required … }}` inside a quoted scalar and `{{ (.Files.Glob …).AsConfig }}` at column 1 break the YAML
    # until Helm renders them: a note, not K8S404
    for template in ('apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: x\n'
                     '    image: "{{ required ".Values.image is missing" .Values.image }}:{{ .Values.tag }}"\n',
                     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n"
                     '{{ (.Files.Glob "files/*").AsConfig | indent 2 }}\n',
                     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  quota.json: |\n"
                     "{{ toJson .Values.quota | indent 4 }}\n"):
        doc = load_kubernetes("t.yaml", template)
        assert doc.problems == () and doc.skipped.startswith("unrendered template"), template


def test_a_plain_configmap_of_a_chart_runs_in_the_chart_s_unread_workload(tmp_path):
    # The ConfigMap has no tag and is read; the Deployment that mounts it is a template, unread: the image and its
    # Lua modules are out of view. Another chart's container that listens on the same port is no tie.
    configmap = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nginx-conf\ndata:\n  nginx.conf: |\n"
                 "    user root root;\n    events {}\n    http {\n      server {\n        listen 8080;\n"
                 '        location / { content_by_lua_block { require("openssl").new() } }\n      }\n    }\n')
    other = ("apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: metaldata\nspec:\n  template:\n    spec:\n"
             "      securityContext:\n        runAsNonRoot: true\n"
             "      containers:\n      - name: metaldata\n        image: ghcr.io/acme/metaldata:1\n"
             "        ports:\n        - containerPort: 8080\n")
    write_tree(tmp_path, {"shelf/Chart.yaml": "name: shelf\n", "shelf/templates/nginx-configmap.yaml": configmap,
                          "shelf/templates/deployment.yaml": DEPLOYMENT,
                          "system/metal/Chart.yaml": "name: metal\n", "system/metal/resources/rbac.yaml": other})
    result = run_cli([".", "--format", "json"], cwd=tmp_path).json
    assert [f["code"] for f in result["findings"] if f["code"].startswith(("LUA", "CTR", "K8S"))] == []
    (tmp_path / "shelf/templates/deployment.yaml").unlink()  # no workload of the chart out of view: looked for
    result = run_cli([".", "--format", "json"], cwd=tmp_path).json
    assert "LUA205" in [f["code"] for f in result["findings"]]


def test_an_encrypted_file_and_an_editor_s_backup_are_not_read_as_broken_manifests(tmp_path):
    write_tree(tmp_path, {"chart/Chart.yaml": "name: web\n", "chart/templates/.deployment.yaml.swp": "b0VIM 8.2\n{{\n",
                          "nginx.conf": "events {}\nhttp { server { listen 80; server_tokens off; } }\n"})
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets/prod.yaml").write_bytes(b"\x00GITCRYPT\x00\x93\x11binary")
    result = run_cli([".", "--format", "json"], cwd=tmp_path).json
    assert [f["code"] for f in result["findings"] if f["code"] == "K8S404"] == []
    notes = {n["path"]: n["message"] for n in result["notifications"]}
    assert "git-crypt" in notes["secrets/prod.yaml"]
