"""Docker Compose services read into the shared Container shape."""

from pathlib import Path

import pytest

from nginxlint.container.compose import load_compose
from nginxlint.container.detect import is_compose_path
from nginxlint.container.detect import is_nginx_container

MANIFESTS = Path(__file__).parent / "manifests"


def _at(text, span):
    line, column, end_line, end_column = span
    assert line == end_line
    return text.split("\n")[line - 1][column - 1:end_column - 1]


@pytest.fixture(scope="module")
def compose():
    text = (MANIFESTS / "compose.yaml").read_text(encoding="utf-8")
    return text, load_compose("deploy/compose.yaml", text)


def test_services_in_order(compose):
    _text, doc = compose
    assert doc.problems == ()
    assert [s.name for s in doc.services] == ["gateway", "redis"]
    assert all(s.source == "compose" and s.container.source == "compose" for s in doc.services)
    assert doc.services[0].path == "deploy/compose.yaml"


def test_resources_prefer_deploy_and_use_docker_units(compose):
    text, doc = compose
    gateway, redis = (s.container for s in doc.services)
    assert gateway.cpu_limit.value == 2.0 and gateway.cpu_limit.text == "2"
    assert gateway.memory_limit.value == 512 * 1024**2  # deploy limit wins over mem_limit: 1g
    assert _at(text, gateway.memory_limit.span) == "512M"
    assert gateway.cpu_request.value == 0.5
    assert gateway.memory_request.value == 128 * 1024**2  # Docker's 'm' is MiB, not milli
    assert redis.cpu_limit.value == 0.5  # top-level cpus
    assert redis.memory_limit.value == 256 * 1024**2  # mem_limit
    assert _at(text, redis.memory_limit.key_span) == "mem_limit"


def test_read_only_user_and_signals(compose):
    text, doc = compose
    gateway_facts, redis_facts = doc.services
    gateway, redis = gateway_facts.container, redis_facts.container
    assert gateway.read_only_root.value is True  # merged from the x-common anchor
    assert _at(text, gateway.read_only_root.key_span) == "read_only"
    assert gateway.user.value == "101:101"
    assert gateway.run_as_user.value == 101
    assert gateway.run_as_non_root.value is True
    assert redis.run_as_non_root.value is False and redis.run_as_user is None
    assert gateway.stop_signal.value == "SIGQUIT"
    assert gateway_facts.termination_grace_period.value == 90.0
    assert gateway_facts.termination_grace_period.text == "1m30s"
    assert gateway_facts.replicas.value == 2
    assert redis_facts.termination_grace_period is None


def test_entrypoint_and_command(compose):
    _text, doc = compose
    gateway = doc.services[0].container
    assert gateway.command == ("/usr/local/openresty/bin/openresty",)
    assert gateway.args == ("-g", "daemon off;", "-c", "/etc/nginx/nginx.conf")
    assert len(gateway.args_spans) == 4
    assert is_nginx_container(gateway)
    assert not is_nginx_container(doc.services[1].container)


def test_ports(compose):
    _text, doc = compose
    ports = [(p.number, p.host_port, p.protocol) for p in doc.services[0].container.ports]
    assert ports == [(80, 8080, "TCP"), (8099, 8099, "TCP"), (443, None, "TCP"), (9145, 19145, "TCP")]


def test_healthcheck_becomes_a_probe_with_port_and_path(compose):
    _text, doc = compose
    probe, = doc.services[0].container.probes
    assert (probe.kind, probe.handler, probe.port, probe.path, probe.host) == (
        "healthcheck", "exec", 8080, "/healthz", "localhost")
    assert probe.command == ("curl", "-fsS", "http://localhost:8080/healthz")


def test_environment_both_forms(compose):
    _text, doc = compose
    gateway, redis = (s.container for s in doc.services)
    assert [e.value for e in gateway.env] == ["REDIS_HOST", "LUA_PATH"]
    assert gateway.env_values["LUA_PATH"].value == "/opt/lua/?.lua;;"
    assert [e.value for e in redis.env] == ["A", "B"]
    assert redis.env_values["A"].value == "1" and "B" not in redis.env_values


def test_mounts(compose):
    _text, doc = compose
    mounts = [(m.path, m.kind, m.read_only, m.writable, m.source) for m in doc.services[0].container.mounts]
    assert mounts == [
        ("/etc/nginx/nginx.conf", "bind", True, False, "./conf/nginx.conf"),
        ("/var/cache/nginx", "volume", False, True, "cache"),
        ("/var/run/openresty", "tmpfs", False, True, None),
        ("/tmp", "tmpfs", False, True, None),
        ("/etc/nginx/conf.d/site.conf", "config", True, False, "./conf/site.conf"),
    ]
    tmpfs = doc.services[0].container.mounts[2]
    assert tmpfs.size_limit == "64m"
    assert doc.services[0].container.mounts[3].size_limit == "16m"


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        ('"80"', [(80, None, "TCP", None)]),
        ("80", [(80, None, "TCP", None)]),
        ('"53:53/udp"', [(53, 53, "UDP", None)]),
        ('"[::1]:8443:443"', [(443, 8443, "TCP", "::1")]),
        ('"8000-8001:80-81"', [(80, 8000, "TCP", None), (81, 8001, "TCP", None)]),
        ('"127.0.0.1::80"', [(80, None, "TCP", "127.0.0.1")]),
        ('"127.0.0.1:8080:8080"', [(8080, 8080, "TCP", "127.0.0.1")]),
        ("{target: 80, published: 8080, host_ip: 127.0.0.1}", [(80, 8080, "TCP", "127.0.0.1")]),
    ],
)
def test_short_port_forms(port, expected):
    doc = load_compose("compose.yaml", f"services:\n  web:\n    image: nginx\n    ports:\n      - {port}\n")
    assert doc.problems == ()
    assert [(p.number, p.host_port, p.protocol, p.host_ip) for p in doc.services[0].container.ports] == expected


def test_string_healthcheck_and_disabled_healthcheck():
    text = (
        "services:\n"
        "  a:\n    image: nginx\n    healthcheck:\n      test: wget -qO- https://127.0.0.1/status || exit 1\n"
        "  b:\n    image: nginx\n    healthcheck:\n      disable: true\n"
        "  c:\n    image: nginx\n    healthcheck:\n      test: [\"NONE\"]\n"
    )
    a, b, c = (s.container for s in load_compose("compose.yml", text).services)
    probe, = a.probes
    assert (probe.port, probe.path, probe.scheme) == (443, "/status", "HTTPS")
    assert probe.command == ("wget -qO- https://127.0.0.1/status || exit 1",)
    assert b.probes == () and c.probes == ()


def test_invalid_values_are_problems():
    text = (
        "services:\n  web:\n    image: nginx\n    mem_limit: lots\n    cpus: 500m\n"
        "    read_only: \"yes\"\n    stop_grace_period: soon\n    ports:\n      - \"80:http\"\n"
        "    command: \"nginx -g 'daemon off;\"\n"
    )
    doc = load_compose("docker-compose.yml", text)
    messages = {p.span[:2]: p.message for p in doc.problems}
    assert messages == {
        (4, 16): "invalid memory size 'lots'",
        (5, 11): "invalid cpus '500m'",
        (6, 16): "read_only should be true or false, not 'yes'",
        (7, 24): "invalid duration 'soon'",
        (9, 9): "invalid port mapping '80:http'",
        (10, 14): "cannot split command: No closing quotation",
    }
    container = doc.services[0].container
    assert container.memory_limit is None and container.cpu_limit is None and container.read_only_root is None


def test_a_variable_left_for_the_deploy_environment_is_unknown_not_invalid():
    text = ("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: ${INSTANCES}\n      resources:\n"
            "        limits: {cpus: '${NGINX_CPU_LIMIT}', memory: $NGINX_MEMORY_LIMIT}\n")
    doc = load_compose("docker-compose.yml", text)
    assert not doc.problems
    assert doc.services[0].container.cpu_limit is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("compose.yaml", True),
        ("compose.yml", True),
        ("docker-compose.yml", True),
        ("deploy/docker-compose.prod.yaml", True),
        ("compose.override.yml", True),
        ("k8s/deployment.yaml", False),
        ("composer.yaml", False),
    ],
)
def test_compose_file_names(path, expected):
    assert is_compose_path(path) is expected


def test_detected_by_services_mapping_whatever_the_name():
    doc = load_compose("stack.yml", "services:\n  web:\n    image: openresty/openresty\n    cpus: 1\n")
    assert [s.name for s in doc.services] == ["web"]


@pytest.mark.parametrize(
    "text",
    [
        "image: python:3.12\nservices:\n  - docker:dind\ntest:\n  script: [make]\n",  # GitLab CI
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nservices: {a: {}}\n",
        "name: ci\non: push\njobs:\n  t:\n    services:\n      redis: {image: redis}\n",
        "- a\n- b\n",
        "",
    ],
)
def test_not_compose(text):
    doc = load_compose("other.yml", text)
    assert (doc.services, doc.problems) == ((), ())


def test_broken_compose_file_reports_its_yaml_error():
    doc = load_compose("compose.yaml", "services:\n  web:\n    image: nginx\n   ports: []\n")
    assert doc.services == ()
    problem, = doc.problems
    assert problem.kind == "yaml" and problem.span[0] == 4


def test_ulimits_nofile_soft_limit():
    text = ("services:\n  a:\n    image: nginx\n    ulimits:\n      nofile: {soft: 1024, hard: 65536}\n"
            "  b:\n    image: nginx\n    ulimits:\n      nofile: 4096\n      nproc: 512\n"
            "  c:\n    image: nginx\n")
    doc = load_compose("compose.yaml", text)
    a, b, c = (service.container.nofile_soft for service in doc.services)
    assert (a.value, a.span[0]) == (1024, 5) and (b.value, b.span[0]) == (4096, 9) and c is None
    assert doc.problems == ()
