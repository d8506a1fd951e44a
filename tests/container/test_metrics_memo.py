"""MET301, MET303 and MET304 share one search for the metrics locations of each deployment."""
from __future__ import annotations


from lintkit import run_cli, write_tree
from nginxlint.openresty import metrics_pages

CONFIG = """events {}
http {
    server {
        listen 8099;
        location = /status { stub_status; }
    }
}
"""
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      annotations: {prometheus.io/scrape: "true", prometheus.io/port: "8099", prometheus.io/path: /status}
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
"""


def test_metrics_locations_are_found_once_per_deployment(tmp_path, monkeypatch):
    calls = []
    original = metrics_pages.collecting_locations

    def counting(tree):
        calls.append(id(tree))
        return original(tree)

    monkeypatch.setattr(metrics_pages, "collecting_locations", counting)
    write_tree(tmp_path, {"nginx.conf": CONFIG, "k8s/web.yaml": DEPLOYMENT})
    result = run_cli([".", "--format", "json", "--select", "MET"], cwd=tmp_path)
    assert result.status in (0, 1), result.err
    assert "MET303" in result.codes()  # the location was found and checked
    assert len(calls) == 1
