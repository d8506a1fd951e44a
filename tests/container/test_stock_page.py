"""A config that serves nothing but the image's welcome page and its counters is a demo: no production advice."""
from __future__ import annotations

import pytest

from lintkit import run_cli, write_tree

SITE = """server {
    listen 80;
    location / {
        root /usr/share/nginx/html;
        index index.html;
    }
    location /nginx_status {
        stub_status;
    }
%s}
"""
COMPOSE = """services:
  nginx:
    image: %s
    volumes:
      - ./conf.d/default.conf:/etc/nginx/conf.d/default.conf
%s    ports: ["8080:80"]
  exporter:
    image: nginx/nginx-prometheus-exporter:1.3.0
    command: --nginx.scrape-uri=http://nginx/nginx_status
"""


@pytest.mark.parametrize("extra_location, extra_mount, image, reported", [
    ("", "", "nginx:alpine", False),  # the welcome page and stub_status: a monitoring demo
    ("    location /api/ { proxy_pass http://app:8000; }\n", "", "nginx:alpine", True),  # an application behind it
    ("", "      - ./site:/usr/share/nginx/html:ro\n", "nginx:alpine", True),  # a site of its own in the html directory
    ("    location /files/ { root /srv; }\n", "", "nginx:alpine", True),  # files of its own elsewhere
    ("", "", "registry.example.com/shop/web:1.4", True),  # an image of its own, which may hold a site there
    ("    ssl_certificate /etc/tls/tls.crt;\n    ssl_certificate_key /etc/tls/tls.key;\n", "", "nginx:alpine",
     True),  # a certificate for a name of its own
])
def test_a_config_serving_only_the_welcome_page_gets_no_production_advice(tmp_path, extra_location, extra_mount,
                                                                          image, reported):
    write_tree(tmp_path, {"conf.d/default.conf": SITE % extra_location, "site/index.html": "<p>shop</p>\n",
                          "docker-compose.yml": COMPOSE % (image, extra_mount)})
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json", "--exit-zero", "--select", "MET303"], cwd=tmp_path)
    assert bool(result.json["findings"]) == reported
