"""Kubernetes manifests: workloads, containers, ConfigMaps with embedded nginx files, problems."""

from pathlib import Path

import pytest

from nginxlint.container.detect import is_kubernetes_yaml, is_nginx_container
from nginxlint.container.kubernetes import (
    load_kubernetes,
    mounted_configmap_files,
)
from nginxlint.container.model import Container

MANIFESTS = Path(__file__).parent / "manifests"


def _text(name):
    return (MANIFESTS / name).read_text(encoding="utf-8")


def _at(text, span):
    """Source text covered by a one-line span."""
    line, column, end_line, end_column = span
    assert line == end_line
    return text.split("\n")[line - 1][column - 1:end_column - 1]


@pytest.fixture(scope="module")
def origin():
    text = _text("openresty-deployment.yaml")
    return text, load_kubernetes("deploy/openresty-deployment.yaml", text)


def test_origin_story_deployment_resources(origin):
    text, doc = origin
    assert doc.problems == ()
    assert [w.kind for w in doc.workloads] == ["Deployment"]  # the Service is ignored
    workload = doc.workloads[0]
    assert (workload.name, workload.namespace, workload.path) == ("service-a", "prod", "deploy/openresty-deployment.yaml")
    assert workload.replicas.value == 4
    assert workload.termination_grace_period.value == 60
    assert _at(text, workload.name_span) == "service-a"
    container = workload.containers[0]
    assert container.name == "openresty"
    assert container.cpu_limit.value == 2.0 and container.cpu_limit.text == "2000m"
    assert container.cpu_request.value == 1.0
    assert container.memory_limit.value == 1024**3 and container.memory_limit.text == "1Gi"
    assert container.memory_request.value == 512 * 1024**2
    assert _at(text, container.memory_limit.span) == '"1Gi"'
    assert _at(text, container.memory_limit.key_span) == "memory"


def test_origin_story_annotations_workload_versus_pod_template(origin):
    text, doc = origin
    workload = doc.workloads[0]
    assert set(workload.annotations) == {"prometheus.io/scrape"}
    assert set(workload.pod_annotations) == {"prometheus.io/scrape", "prometheus.io/path", "prometheus.io/port"}
    port = workload.pod_annotations["prometheus.io/port"]
    assert port.value == 8099 and isinstance(port.value, int)  # unquoted: Kubernetes rejects it
    assert _at(text, port.key_span) == "prometheus.io/port"
    assert _at(text, port.span) == "8099"
    scrape = workload.annotations["prometheus.io/scrape"]
    assert scrape.value == "true"
    # The workload's own annotation is the one under the Deployment metadata, not the template.
    assert scrape.key_span[0] < workload.pod_metadata_span[0]


def test_origin_story_security_ports_probes(origin):
    text, doc = origin
    container = doc.workloads[0].containers[0]
    assert container.read_only_root.value is True
    assert container.run_as_non_root.value is True  # from the pod securityContext
    assert container.run_as_user.value == 101  # the container's securityContext wins over the pod's 1000
    assert _at(text, container.run_as_user.span) == "101"
    assert container.allow_privilege_escalation.value is False
    assert [c.value for c in container.capabilities_add] == ["NET_BIND_SERVICE"]
    assert [(p.name, p.number) for p in container.ports] == [("http", 80), ("metrics", 8099)]
    liveness, readiness, startup = container.probes
    assert (liveness.kind, liveness.handler, liveness.port, liveness.port_name, liveness.path) == (
        "liveness", "httpGet", 80, "http", "/healthz")
    assert _at(text, liveness.port_span) == "http"
    assert _at(text, liveness.path_span) == "/healthz"
    assert (readiness.handler, readiness.port, readiness.port_name, readiness.path) == ("httpGet", 80, None, "/ready")
    assert (startup.handler, startup.port, startup.port_name, startup.path) == ("tcpSocket", 8099, "metrics", None)
    assert next(probe for probe in container.probes if probe.kind == "startup") is startup


def test_origin_story_command_env_lifecycle(origin):
    text, doc = origin
    container = doc.workloads[0].containers[0]
    assert container.command == ("/usr/local/openresty/bin/openresty",)
    assert container.args == ("-g", "daemon off;")
    assert _at(text, container.args_spans[1]) == '"daemon off;"'
    assert container.argv == ("/usr/local/openresty/bin/openresty", "-g", "daemon off;")
    assert container.working_dir.value == "/usr/local/openresty/nginx"
    assert [e.value for e in container.env] == ["REDIS_HOST", "POD_IP"]
    assert container.env_values["REDIS_HOST"].value == "redis.prod.svc.cluster.local"
    assert "POD_IP" not in container.env_values
    assert [(e.value, e.text) for e in container.env_from] == [("service-a-env", "configMapRef")]
    assert container.pre_stop.handler == "exec"
    assert container.pre_stop.command[-1] == "sleep 5 && /usr/local/openresty/bin/openresty -s quit"


def test_origin_story_mounts(origin):
    _text_, doc = origin
    container = doc.workloads[0].containers[0]
    summary = [(m.path, m.kind, m.read_only, m.writable) for m in container.mounts]
    assert summary == [
        ("/usr/local/openresty/nginx/conf/nginx.conf", "configMap", False, False),
        ("/usr/local/openresty/nginx/conf/vhosts", "configMap", True, False),
        ("/var/run/openresty", "emptyDir", False, True),
        ("/var/cache/nginx", "persistentVolumeClaim", False, True),
    ]
    run = container.mounts[2]
    assert (run.medium, run.size_limit) == ("Memory", "64Mi")
    assert container.mounts[3].source == "service-a-cache"
    assert [m.path for m in container.writable_mounts] == ["/var/run/openresty", "/var/cache/nginx"]


def test_origin_story_configmap_files_land_where_mounted(origin):
    _text_, doc = origin
    workload = doc.workloads[0]
    files = mounted_configmap_files(workload, workload.containers[0], doc.configmaps)
    assert [(f.container_path, f.entry.key) for f in files] == [
        ("/usr/local/openresty/nginx/conf/nginx.conf", "nginx.conf"),
        ("/usr/local/openresty/nginx/conf/vhosts/inner.prometheus.nginx.conf", "inner.prometheus.nginx.conf"),
    ]
    assert mounted_configmap_files(workload, workload.containers[1], doc.configmaps) == ()


def test_mounted_files_respect_namespaces(origin):
    _text_, doc = origin
    workload = doc.workloads[0]
    from dataclasses import replace

    elsewhere = replace(workload, namespace="staging")
    assert mounted_configmap_files(elsewhere, workload.containers[0], doc.configmaps) == ()


def test_nginx_container_detection(origin):
    _text_, doc = origin
    workload = doc.workloads[0]
    assert [c.name for c in workload.containers if is_nginx_container(c)] == ["openresty"]  # the exporter sidecar is not nginx


def _container(image=None, command=(), args=()):
    return Container(name="c", path="p", span=None, image=image, command=command, args=args)


@pytest.mark.parametrize(
    ("image", "command", "expected"),
    [
        ("nginx:1.25", (), True),
        ("docker.io/library/nginx", (), True),
        ("openresty/openresty:alpine-fat", (), True),
        ("registry.k8s.io/ingress-nginx/controller:v1.9.4", (), False),  # writes its own config from Ingresses
        ("nginxinc/nginx-unprivileged:stable", (), True),
        ("registry.local:5000/team/openresty@sha256:abc", (), True),
        ("nginx/nginx-prometheus-exporter:1.1.0", (), False),
        ("redis:7", (), False),
        ("registry.nginx.local:5000/app:1", (), True),
        ("example/web:1", ("nginx", "-g", "daemon off;"), True),
        ("example/web:1", ("/usr/local/openresty/bin/openresty",), True),
        ("example/web:1", ("/bin/sh", "-c", "envsubst < t > /etc/nginx/nginx.conf && exec nginx -g 'daemon off;'"), True),
        ("example/web:1", ("/bin/sh", "-c", "/usr/local/openresty/bin/openresty"), True),
        ("curlimages/curl", ("/bin/sh", "-c", "until curl -fs http://nginx/; do sleep 1; done"), False),
        ("busybox", ("sh", "-c", "echo nginx: ready"), False),
        (None, (), False),
    ],
)
def test_is_nginx_container(image, command, expected):
    assert is_nginx_container(_container(image, command)) is expected


def test_embedded_files_text_and_flags(origin):
    _text_, doc = origin
    configmap, = doc.configmaps
    assert (configmap.name, configmap.namespace) == ("service-a-nginx", "prod")
    assert [e.key for e in configmap.entries] == ["nginx.conf", "inner.prometheus.nginx.conf", "init.lua"]
    nginx = configmap.entry("nginx.conf")
    assert nginx.text.startswith("worker_processes auto;\nerror_log stderr;\n\nevents {\n")
    assert nginx.exact_positions and nginx.style == "|"
    assert configmap.entry("inner.prometheus.nginx.conf").text.endswith("}")  # '|-' strips the last newline


def _assert_exact_mapping(yaml_text, entry):
    """Every character of the embedded text sits at its mapped position in the YAML file."""
    yaml_lines = yaml_text.split("\n")
    checked = 0
    for number, line in enumerate(entry.text.split("\n"), start=1):
        for column, char in enumerate(line, start=1):
            yaml_line, yaml_column = entry.yaml_position(number, column)
            assert yaml_lines[yaml_line - 1][yaml_column - 1] == char, (number, column)
            checked += 1
    return checked


def test_embedded_nginx_conf_maps_to_exact_yaml_positions(origin):
    text, doc = origin
    configmap, = doc.configmaps
    for entry in configmap.entries:
        assert _assert_exact_mapping(text, entry) > 20
    nginx = configmap.entry("nginx.conf")
    # 'lua_shared_dict' is on line 10, column 5 of the file; in the YAML it is line 20, column 9.
    assert nginx.text.split("\n")[9].index("lua_shared_dict") == 4
    assert nginx.yaml_position(10, 5) == (20, 9)
    assert text.split("\n")[19][8:].startswith("lua_shared_dict prometheus_metrics 10M;")


CHOMPING_AND_INDENTATION = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: styles
data:
  keep.conf: |+
    events {}

  strip.conf: |-
      events {
        worker_connections 16;
      }
  indicator.conf: |4
        # four spaces of content indentation on top of the block indent
      events {}
  indicator-strip.conf: |2-
      events {}
  leading-blank.conf: |

    events {}
  quoted.conf: 'events { }'
  double.conf: "http { }"
  plain.conf: events {}
  folded.conf: >
    events {}
    http {}
  escaped.conf: "events {}\\nhttp {}\\n"
  multiline-plain.conf: events
    {}
  tab.conf: "\\tevents {}"
"""


def test_block_scalar_styles_map_exactly():
    doc = load_kubernetes("cm.yaml", CHOMPING_AND_INDENTATION)
    assert doc.problems == ()
    configmap, = doc.configmaps
    exact = [e.key for e in configmap.entries if e.exact_positions]
    assert exact == [
        "keep.conf", "strip.conf", "indicator.conf", "indicator-strip.conf", "leading-blank.conf",
        "quoted.conf", "double.conf", "plain.conf",
    ]
    for key in exact:
        assert _assert_exact_mapping(CHOMPING_AND_INDENTATION, configmap.entry(key)) > 0
    indicator = configmap.entry("indicator.conf")
    assert indicator.text.startswith("  # four spaces")
    assert indicator.column_offset == 6
    assert configmap.entry("strip.conf").text == "events {\n  worker_connections 16;\n}"
    assert configmap.entry("leading-blank.conf").yaml_position(2, 1) == (20, 5)


def test_non_literal_styles_map_to_the_key():
    doc = load_kubernetes("cm.yaml", CHOMPING_AND_INDENTATION)
    configmap, = doc.configmaps
    for key in ("folded.conf", "escaped.conf", "multiline-plain.conf", "tab.conf"):
        entry = configmap.entry(key)
        assert not entry.exact_positions, key
        assert entry.yaml_position(2, 3) == entry.key_span[:2]
        assert _at(CHOMPING_AND_INDENTATION, entry.key_span) == key
    assert configmap.entry("escaped.conf").text == "events {}\nhttp {}\n"
    assert configmap.entry("folded.conf").text == "events {} http {}\n"


def test_block_scalar_in_a_list_item_configmap():
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: listed}\n  data:\n"
        "    nginx.conf: |\n      events {}\n      http { server { listen 8080; } }\n"
    )
    configmap, = load_kubernetes("list.yaml", text).configmaps
    entry = configmap.entry("nginx.conf")
    assert _assert_exact_mapping(text, entry) > 10
    assert entry.yaml_position(2, 1) == (10, 7)


def test_multi_document_list_and_every_workload_kind():
    text = _text("many-kinds.yaml")
    doc = load_kubernetes("many-kinds.yaml", text)
    assert doc.problems == ()
    assert [(w.kind, w.name, w.document_index) for w in doc.workloads] == [
        ("StatefulSet", "cache", 0),
        ("CronJob", "purge", 1),
        ("DaemonSet", "edge", 2),
        ("Job", "migrate", 3),
        ("Pod", "debug", 4),
        ("ReplicaSet", "legacy", 5),
    ]
    statefulset, cronjob, daemonset, job, pod, replicaset = doc.workloads
    assert statefulset.replicas.value == 2
    assert statefulset.pod_annotations["checksum/config"].value == "abc123"
    assert statefulset.containers[0].cpu_limit.value == 0.5
    assert statefulset.containers[0].memory_limit.value == 256 * 1024**2
    assert cronjob.pod_annotations["sidecar.istio.io/inject"].value == "false"
    assert cronjob.containers[0].command == ("curl", "-X", "PURGE", "http://cache/")
    assert daemonset.replicas is None
    assert daemonset.containers[0].cpu_limit.value == 1.5 and daemonset.containers[0].cpu_limit.text == "1.5"
    assert is_nginx_container(daemonset.containers[0])
    assert job.containers[0].image == "busybox"
    assert pod.annotations == pod.pod_annotations and "prometheus.io/scrape" in pod.annotations
    assert pod.containers[0].run_as_user.value == 0  # inherited from the pod securityContext
    assert [c.name for c in pod.init_containers] == ["render"]
    assert [c.name for c in pod.containers if is_nginx_container(c)] == ["web"]
    assert replicaset.replicas.value == 1
    assert _at(text, cronjob.name_span) == "purge"


@pytest.mark.parametrize(
    "text",
    [
        # GitHub Actions workflow ('on' is even a boolean key in YAML 1.1)
        "name: ci\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    services:\n      redis:\n        image: redis\n    steps:\n      - uses: actions/checkout@v4\n",
        # Docker Compose
        "services:\n  web:\n    image: nginx\n    mem_limit: 512m\n",
        # GitLab CI with a custom tag
        "test:\n  script:\n    - !reference [.setup, script]\n    - make test\n",
        # CloudFormation
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Name\n",
        # random data, a list, a scalar, an empty file, comments only
        "- 1\n- 2\n",
        "just text\n",
        "",
        "# nothing here\n",
        # broken YAML that does not claim to be Kubernetes
        "foo: [1, 2\nbar: {\n",
        # kustomization
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n",
    ],
)
def test_yaml_that_is_not_a_kubernetes_workload_gives_nothing(text):
    doc = load_kubernetes("other.yaml", text)
    assert (doc.workloads, doc.configmaps, doc.problems, doc.skipped) == ((), (), (), None)


def test_unrendered_helm_template_is_skipped_without_problems():
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"chart.fullname\" . }}\n"
        "spec:\n  replicas: {{ .Values.replicaCount }}\n"
        "{{- if .Values.podAnnotations }}\n  annotations:\n    {{- toYaml .Values.podAnnotations | nindent 8 }}\n{{- end }}\n"
    )
    doc = load_kubernetes("templates/deployment.yaml", text)
    assert doc.problems == () and doc.workloads == ()
    assert "template" in doc.skipped


def test_rendered_output_may_carry_template_text_in_strings():
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alerts\ndata:\n  rules.yaml: |\n"
        "    summary: \"{{ $labels.instance }} is down\"\n    {{ range .Alerts }}{{ .Labels }}{{ end }}\n"
        "  note: '{{ .Values.x }}'\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  annotations:\n"
        "    description: \"{{ .Release.Name }}\"\nspec:\n  containers: [{name: a, image: nginx}]\n"
    )
    doc = load_kubernetes("rendered.yaml", text)
    assert doc.skipped is None and doc.problems == ()
    assert [w.name for w in doc.workloads] == ["web"]
    assert doc.configmaps[0].entry("rules.yaml").text.startswith('summary: "{{ $labels.instance }}')


@pytest.mark.parametrize(
    "line",
    ["  replicas: {{ .Values.replicaCount }}", "  name: app-{{ .Release.Name }}", "{{- with .Values.x }}"],
)
def test_each_form_of_unrendered_template_is_skipped(line):
    text = f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n{line}\n"
    doc = load_kubernetes("templates/x.yaml", text)
    assert doc.skipped and doc.problems == () and doc.workloads == ()


def test_syntax_error_in_a_manifest_is_reported_and_other_documents_load():
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: first\nspec:\n  containers:\n    - name: a\n      image: nginx\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broken\n   labels: {}\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: third\nspec:\n  containers:\n  - name: b\n    image: nginx\n"
    )
    doc = load_kubernetes("pods.yaml", text)
    assert [w.name for w in doc.workloads] == ["first", "third"]
    problem, = doc.problems
    assert problem.kind == "yaml" and problem.path == "pods.yaml"
    assert problem.span[0] == 14  # the badly indented 'labels' line
    assert doc.workloads[1].containers[0].span[0] == 22


def test_tabs_in_a_manifest_are_a_yaml_problem():
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: tabbed\n"
    doc = load_kubernetes("pod.yaml", text)
    problem, = doc.problems
    assert problem.span == (4, 1, 4, 2)
    assert "tab" in problem.message


def test_unsafe_tag_in_a_manifest_is_a_problem():
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: evil\n"
        "  annotations:\n    x: !!python/object/apply:os.system ['echo pwned']\n"
        "spec:\n  containers:\n    - name: a\n      image: nginx\n"
    )
    doc = load_kubernetes("pod.yaml", text)
    problem, = doc.problems
    assert problem.kind == "yaml"
    assert problem.span[:2] == (6, 8)
    assert "unsafe" in problem.message
    assert doc.workloads[0].annotations["x"].value is None


def test_invalid_values_are_problems_at_the_value():
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\nspec:\n  replicas: \"3\"\n"
        "  template:\n    spec:\n      terminationGracePeriodSeconds: 30s\n      containers:\n"
        "        - name: a\n          image: nginx\n          resources:\n            limits:\n"
        "              cpu: 2 cores\n              memory: 1GB\n            requests:\n              memory: 512Mi\n"
        "          securityContext:\n            readOnlyRootFilesystem: \"true\"\n"
        "          command: nginx -g 'daemon off;'\n"
        "          ports:\n            - containerPort: http\n"
        "          livenessProbe:\n            httpGet: {path: /, port: web}\n"
    )
    doc = load_kubernetes("bad.yaml", text)
    messages = {p.span[:2]: p.message for p in doc.problems}
    assert messages == {
        (6, 13): "replicas should be an integer, not '3'",
        (9, 38): "terminationGracePeriodSeconds should be an integer, not '30s'",
        (15, 20): "invalid cpu quantity '2 cores'",
        (16, 23): "invalid memory quantity '1GB'",
        (20, 37): "readOnlyRootFilesystem should be true or false, not 'true'",
        (21, 20): "command should be a list",
        (23, 30): "containerPort should be an integer, not 'http'",
    }
    workload = doc.workloads[0]
    container = workload.containers[0]
    assert workload.replicas is None and workload.termination_grace_period is None
    assert container.cpu_limit is None and container.memory_limit is None
    assert container.memory_request.value == 512 * 1024**2
    assert container.read_only_root is None and container.command == ()
    probe = next(probe for probe in container.probes if probe.kind == "liveness")
    assert (probe.port, probe.port_name) == (None, "web")  # a name no container port has


def test_duplicate_keys_in_a_manifest_are_problems():
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\nspec:\n  containers: []\n"
    doc = load_kubernetes("pod.yaml", text)
    assert [(p.message, p.span) for p in doc.problems] == [("duplicate key 'name'", (5, 3, 5, 7))]
    assert doc.workloads[0].name == "b"


def test_exec_and_grpc_probes_and_sleep_hook():
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: nginx\n"
        "      livenessProbe:\n        exec:\n          command: [\"/bin/sh\", \"-c\", \"curl -f localhost\"]\n"
        "      readinessProbe:\n        grpc:\n          port: 9000\n"
        "      startupProbe:\n        initialDelaySeconds: 5\n"
        "      lifecycle:\n        preStop:\n          sleep:\n            seconds: 10\n        stopSignal: SIGQUIT\n"
    )
    container = load_kubernetes("pod.yaml", text).workloads[0].containers[0]
    liveness, readiness, startup = container.probes
    assert (liveness.handler, liveness.command) == ("exec", ("/bin/sh", "-c", "curl -f localhost"))
    assert (readiness.handler, readiness.port) == ("grpc", 9000)
    assert (startup.handler, startup.port) == (None, None)
    assert (container.pre_stop.handler, container.pre_stop.seconds) == ("sleep", 10.0)
    assert container.stop_signal.value == "SIGQUIT"


def test_is_kubernetes_yaml():
    assert is_kubernetes_yaml(_text("many-kinds.yaml"))
    assert not is_kubernetes_yaml("services:\n  web: {image: nginx}\n")
