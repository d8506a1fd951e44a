"""Any text gives a result, never an exception; big rendered output is read in linear time."""

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nginxlint.container.compose import load_compose
from nginxlint.container.kubernetes import load_kubernetes
from nginxlint.container.yamlpos import load_yaml

_YAMLISH = st.lists(
    st.sampled_from([
        "apiVersion: v1", "kind: Pod", "kind: Deployment", "kind: List", "kind: ConfigMap", "items:", "metadata:",
        "  name: x", "spec:", "  containers:", "    - name: a", "      image: nginx", "      resources:",
        "        limits: {cpu: 1, memory: 1Gi}", "data:", "  nginx.conf: |", "    events {}", "  a.conf: |2-",
        "---", "...", "services:", "  web:", "    ports: ['80:80']", "    mem_limit: 1g", "\t- tab", "- item",
        "key: &a [1, *a]", "x: *missing", "y: !!python/object:os.system 1", "<<: *a", "? complex", ": value",
        "  template:", "    spec:", "      volumes: [{name: v, emptyDir: {}}]", "z: [unclosed", "'quoted: \"",
        "{{ .Values.x }}", "%YAML 1.1", "q: \x00",
    ]),
    max_size=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_YAMLISH)
def test_line_soup_never_raises(lines):
    text = "\n".join(lines) + "\n"
    parsed = load_yaml(text)
    for problem in [*parsed.problems, *(p for document in parsed.documents for p in document.problems)]:
        line, column, end_line, end_column = problem.span
        assert 1 <= line <= end_line and column >= 1
    load_kubernetes("soup.yaml", text)
    load_compose("compose.yaml", text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text):
    load_kubernetes("any.yaml", text)
    load_compose("compose.yml", text)


def test_a_large_rendered_chart_is_read_in_linear_time():
    """Growth, not speed (speed is measured in benchmarks/): 4x the documents may take at most ~3x the 4x time."""
    document = (
        "---\n# Source: chart/templates/deployment-{i}.yaml\napiVersion: apps/v1\nkind: Deployment\n"
        "metadata:\n  name: app-{i}\n  annotations: {{a: b}}\nspec:\n  replicas: 2\n  template:\n"
        "    metadata:\n      annotations:\n        prometheus.io/scrape: 'true'\n    spec:\n      containers:\n"
        "        - name: web\n          image: nginx:1.25\n          resources:\n"
        "            limits: {{cpu: 500m, memory: 256Mi}}\n          ports: [{{containerPort: 80}}]\n"
        "          volumeMounts: [{{name: conf, mountPath: /etc/nginx/conf.d}}]\n"
        "      volumes: [{{name: conf, configMap: {{name: conf-{i}}}}}]\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: conf-{i}}}\ndata:\n  default.conf: |\n"
        "    server {{\n        listen 80;\n        location / {{ return 200; }}\n    }}\n"
    )

    def read(count: int) -> tuple[float, object]:
        text = "".join(document.format(i=i) for i in range(count))  # 1000 documents: ~36k lines
        start = time.perf_counter()
        doc = load_kubernetes("rendered.yaml", text)
        return time.perf_counter() - start, doc

    small, _ = read(250)
    large, doc = read(1000)
    assert len(doc.workloads) == 1000 and len(doc.configmaps) == 1000 and doc.problems == ()
    assert large / max(small, 1e-3) < 12, (small, large)  # linear: ~4; quadratic: ~16
