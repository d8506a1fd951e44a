"""Linking deployments to the container that runs them, through the real workspace loader."""

import shutil
from pathlib import Path

import pytest

from nginxlint.runtime.binding import bind_runtime
from nginxlint.settings import Settings, SettingsError
from nginxlint.workspace import load_workspace

MANIFESTS = Path(__file__).parent / "manifests"
NGINX_CONF = "worker_processes auto;\nevents {}\nhttp {\n    server { listen 8080; }\n}\n"


def _bind(root: Path, settings: Settings | None = None):
    workspace = load_workspace([root], settings or Settings(), root)
    findings, notifications = [], []
    bind_runtime(workspace, findings, notifications)
    return workspace, notifications


def _deployment(workspace, display):
    return next(d for d in workspace.deployments if d.root.display == display)


def test_configmap_with_the_same_text_links_the_config(tmp_path):
    text = (MANIFESTS / "openresty-deployment.yaml").read_text(encoding="utf-8")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "app.yaml").write_text(text, encoding="utf-8")
    embedded = text.split("  nginx.conf: |\n", 1)[1].split("  inner.prometheus", 1)[0]
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "nginx.conf").write_text(
        "".join(line[4:] + "\n" for line in embedded.splitlines()), encoding="utf-8")
    workspace, notifications = _bind(tmp_path)
    assert notifications == []
    binding = _deployment(workspace, "conf/nginx.conf").runtime
    assert binding.reason == "configmap-mount"
    assert binding.container_path == "/usr/local/openresty/nginx/conf/nginx.conf"
    assert binding.container.name == "openresty"
    assert binding.workload.name == "service-a"
    assert binding.facts.container.cpu_limit.value == 2.0
    assert binding.manifest.path == "deploy/app.yaml"
    assert workspace.extra["runtime"].manifests[0].configmaps[0].name == "service-a-nginx"


def test_single_nginx_container_is_linked_when_nothing_else_matches(tmp_path):
    (tmp_path / "nginx.conf").write_text(NGINX_CONF, encoding="utf-8")
    shutil.copy(MANIFESTS / "many-kinds.yaml", tmp_path / "k8s.yaml")
    # many-kinds.yaml has three nginx containers (StatefulSet, DaemonSet, Pod): no guess.
    workspace, _notifications = _bind(tmp_path)
    assert workspace.deployments[0].runtime is None
    (tmp_path / "k8s.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: nginx\n          image: nginx:1.25\n"
        "          resources: {limits: {cpu: 1}}\n        - name: app\n          image: example/app\n",
        encoding="utf-8")
    workspace, _notifications = _bind(tmp_path)
    binding = workspace.deployments[0].runtime
    assert (binding.reason, binding.container.name, binding.container.cpu_limit.value) == (
        "only-nginx-container", "nginx", 1.0)


def test_containers_setting_names_the_container(tmp_path):
    (tmp_path / "nginx.conf").write_text(NGINX_CONF, encoding="utf-8")
    shutil.copy(MANIFESTS / "many-kinds.yaml", tmp_path / "k8s.yaml")
    settings = Settings()
    settings.containers = {"edge/edge": str(tmp_path / "nginx.conf")}
    workspace, _notifications = _bind(tmp_path, settings)
    binding = workspace.deployments[0].runtime
    assert (binding.reason, binding.workload.kind, binding.container.cpu_limit.value) == (
        "containers-setting", "DaemonSet", 1.5)


def test_compose_bind_mount_links_the_config(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "nginx.conf").write_text(NGINX_CONF, encoding="utf-8")
    shutil.copy(MANIFESTS / "compose.yaml", tmp_path / "compose.yaml")
    workspace, notifications = _bind(tmp_path)
    assert notifications == []
    binding = workspace.deployments[0].runtime
    assert (binding.reason, binding.source, binding.facts.name) == ("bind-mount", "compose", "gateway")
    assert binding.container_path == "/etc/nginx/nginx.conf"
    assert binding.container.read_only_root.value is True
    assert binding.compose.path == "compose.yaml"


def test_settings_are_the_fallback(tmp_path):
    (tmp_path / "nginx.conf").write_text(NGINX_CONF, encoding="utf-8")
    settings = Settings()
    settings.runtime = {"cpu-limit": 2, "memory-limit": "256Mi"}
    workspace, _notifications = _bind(tmp_path, settings)
    binding = workspace.deployments[0].runtime
    assert (binding.reason, binding.container.memory_limit.value) == ("settings", 256 * 1024**2)


def test_unknown_runtime_setting_is_a_settings_error(tmp_path):
    (tmp_path / "nginx.conf").write_text(NGINX_CONF, encoding="utf-8")
    settings = Settings()
    settings.runtime = {"cpu_limit": 2}
    with pytest.raises(SettingsError, match="did you mean 'cpu-limit'"):
        _bind(tmp_path, settings)


def test_broken_manifest_is_an_error_notification_with_position(tmp_path):
    (tmp_path / "nginx.conf").write_text(NGINX_CONF, encoding="utf-8")
    (tmp_path / "deploy.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n spec: {}\n", encoding="utf-8")
    (tmp_path / "values.yaml").write_text("replicaCount: 1\nimage: {repository: nginx}\n", encoding="utf-8")
    workspace, notifications = _bind(tmp_path)
    notification, = notifications
    assert notification.level == "error" and notification.path == "deploy.yaml"
    assert notification.span.line == 5
    assert workspace.deployments[0].runtime is None
