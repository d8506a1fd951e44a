"""Numbers written oddly ('²', 5000 digits, '[::1') in a config or a manifest are no number, never a crash."""
from __future__ import annotations

import pytest

from lintkit import run_cli, write_tree
from nginxlint.nginx.values import nginx_seconds, nginx_size
from nginxlint.nginx.values import parse_uint
from nginxlint.container.compose import _short_port, load_compose
from nginxlint.container.kubernetes import load_kubernetes

HUGE = "9" * 5000  # int() refuses more than 4300 digits


@pytest.mark.parametrize("text, expected", [
    ("0", 0), ("8080", 8080), ("007", 7), ("0" * 5000 + "1", 1), ("9223372036854775807", 2**63 - 1),
    ("9223372036854775808", None), (HUGE, None), ("²", None), ("١٢", None), ("", None), ("+1", None),
    ("-1", None), (" 1", None), ("1\n", None), (None, None), (12, None),
], ids=lambda value: repr(value)[:12])
def test_parse_uint(text, expected):
    assert parse_uint(text) == expected


def test_nginx_units_refuse_odd_digits():
    assert nginx_size("²m") is None and nginx_size(HUGE + "k") is None and nginx_size("10m") == 10 * 1024**2
    assert nginx_seconds("²s") is None and nginx_seconds(HUGE) is None and nginx_seconds("1m30s") == 90


def test_odd_probe_port_is_a_port_name_that_resolves_to_nothing():
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: nginx\n"
        "      image: nginx\n      livenessProbe:\n        httpGet: {port: \"²\", path: /}\n"
        f"      readinessProbe:\n        httpGet: {{port: \"{HUGE}\", path: /}}\n"
    )
    liveness, readiness = load_kubernetes("pod.yaml", text).workloads[0].containers[0].probes
    assert (liveness.port, liveness.port_name) == (None, "²")
    assert (readiness.port, readiness.port_name) == (None, HUGE)


def test_odd_compose_user_ports_and_healthcheck_url():
    text = (
        "services:\n  web:\n    image: nginx\n    user: \"²\"\n"
        f"    ports: [\"{HUGE}:80\", {{target: 80, published: \"²\"}}]\n"
        "    healthcheck: {test: [CMD, curl, -f, 'http://[::1/health']}\n"
    )
    doc = load_compose("compose.yaml", text)
    container = doc.services[0].container
    assert container.run_as_user is None  # a user name, not a uid
    assert container.run_as_non_root.value is True
    assert [(port.number, port.host_port) for port in container.ports] == [(80, None)]
    assert [problem.message for problem in doc.problems] == [f"invalid port mapping {HUGE + ':80'!r}"]
    assert container.probes[0].port is None


@pytest.mark.parametrize("text", ["8000-²", HUGE, f"80-{HUGE}", "80-", "-80", "80-81-82"], ids=str.__len__)
def test_odd_port_ranges_are_not_ports(text):
    assert _short_port(text) is None


@pytest.mark.parametrize("config", [
    "worker_processes ²;\nworker_rlimit_nofile ²;\nevents { worker_connections ²; }\n"
    "http { lua_shared_dict cache ²m; server { listen ²; } server { listen 127.0.0.1:²; } }\n",
    f"worker_processes {HUGE};\nevents {{ worker_connections {HUGE}; }}\n"
    f"http {{ server {{ listen {HUGE}; worker_shutdown_timeout {HUGE}s; }} }}\n",
], ids=["superscript", "5000 digits"])
def test_odd_numbers_in_a_config_crash_no_rule(tmp_path, config):
    write_tree(tmp_path, {
        "nginx.conf": config,
        "compose.yaml": "services:\n  web:\n    image: nginx\n    user: '1000'\n    cpus: 1\n    mem_limit: 64m\n",
    })
    result = run_cli([".", "--format", "json"], cwd=tmp_path)
    assert result.status in (0, 1), result.err
    assert "NL999" not in result.codes()


def test_odd_manifest_values_crash_no_run(tmp_path):
    write_tree(tmp_path, {
        "nginx.conf": "events {}\nhttp { server { listen 8080; location / { return 200; } } }\n",
        "k8s/pod.yaml": (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  annotations: {prometheus.io/scrape: 'true', "
            "prometheus.io/port: '²'}\nspec:\n  containers:\n    - name: nginx\n      image: nginx\n"
            "      livenessProbe:\n        httpGet: {port: \"²\", path: /}\n"
        ),
    })
    result = run_cli([".", "--format", "json"], cwd=tmp_path)
    assert result.status in (0, 1), result.err
    assert "NL999" not in result.codes()
