"""Which nginx build a config runs in: OpenSSL 3 from the distribution release, the package that brings nginx,
the files an image deletes after copying them, and a directive name's likely misspelling."""
from __future__ import annotations

import pytest

from lintkit import write_tree
from nginxlint.container.base_images import openssl_3_distribution
from nginxlint.container.development import is_development
from nginxlint.container.dockerfile_build import read_image
from nginxlint.container.nginx_build import nginx_package
from nginxlint.nginx.directives import likely_typo_of

pytest.importorskip("dockerfile")


@pytest.mark.parametrize("reference, expected", [
    ("debian:bookworm-slim", "Debian 12"), ("debian:12.5", "Debian 12.5"), ("debian", "Debian"),
    ("debian:bullseye", None), ("ubuntu:22.04", "Ubuntu 22.04"), ("ubuntu:noble", "Ubuntu 24.04"),
    ("ubuntu:20.04", None), ("alpine:3.17", "Alpine 3.17"), ("alpine:3.9", None), ("alpine:3.16", None),
    ("fedora:36", "Fedora 36"), ("fedora:35", None), ("registry.access.redhat.com/ubi9/ubi-minimal", "Red Hat UBI 9"),
    ("registry.access.redhat.com/ubi8/ubi:8.10-1132.1731461736", None), ("redhat/ubi9-minimal:9.3", "Red Hat UBI 9"),
    ("rockylinux:9", "Rocky Linux 9"), ("rockylinux:8.9", None), ("almalinux/9-minimal", "AlmaLinux 9"),
    ("quay.io/centos/centos:stream9", "CentOS Stream 9"), ("centos:7", None), ("centos:8", None),
    ("amazonlinux:2023", "Amazon Linux 2023"), ("amazonlinux:2", None),
    ("myorg/ubi9-app", None), ("nginx:1.27", None), ("node:20", None), (None, None),
    # language images name their distribution release in the tag
    ("python:3.12-bookworm", "Debian 12"), ("node:20-bookworm-slim", "Debian 12"), ("python:3.11-bullseye", None),
    ("eclipse-temurin:21-jammy", "Ubuntu 22.04"), ("python:3.12-alpine3.19", "Alpine 3.19"),
    ("python:3.12-alpine3.16", None), ("node:20-alpine", None), ("php:8.3-fpm-bookworm", "Debian 12"),
    ("acme/nginx-proxy:nginx-1.27.3-alpine-3.21.0", "Alpine 3.21"), ("acme/nginx-proxy:1.20-alpine-3.14", None),
    # the official php image's tags that name no release: OpenSSL 3 from PHP 8.1 on
    ("php:8.4-fpm-alpine", "Alpine"), ("php:8.1-fpm", "Debian"), ("php:8.0-fpm-alpine", None), ("php:7.4-fpm", None),
    ("php:8.1-fpm-alpine3.16", None), ("php:latest", None), ("acme/php:8.4", None),
    ("myorg/app:stable", None),
])
def test_distribution_releases_with_openssl_3(reference, expected):
    assert openssl_3_distribution(reference) == expected


@pytest.mark.parametrize("install, kind, version", [
    ("apt-get install -y nginx", "distribution", None),
    ("apt-get install -y libnginx-mod-http-lua", "distribution", None),
    ("apk add nginx-mod-http-lua", "distribution", None),
    ("microdnf -y install openresty-1.27.1-1.el9 openresty-resty-1.27.1-1.el9", "openresty", (1, 27, 1)),
    ("apt-get install -y openresty=1.21.4.3-1~jammy1", "openresty", (1, 21, 4, 3)),
    ("yum install -y openresty", "openresty", None),
    ("apk-install nginx", "distribution", None), ("install_packages nginx-extras", "distribution", None),
    ("apt-get install -y curl", None, None),
])
def test_the_package_that_brings_nginx(tmp_path, install, kind, version):
    write_tree(tmp_path, {"Dockerfile": f"FROM debian:bookworm\nRUN {install}\n"})
    package = nginx_package(read_image(tmp_path / "Dockerfile"))
    assert (package.kind, package.version) == (kind, version) if kind else package is None


def test_files_a_run_removes_after_copying_them(tmp_path):
    write_tree(tmp_path, {
        "docker/Dockerfile": "FROM nginx:1.27\nCOPY docker/rootfs /\nRUN rm -rf /etc/nginx/conf.d/dev.conf /tmp/x\n",
        "docker/rootfs/etc/nginx/conf.d/dev.conf": "server {}\n",
        "docker/rootfs/etc/nginx/conf.d/app.conf": "server {}\n",
    })
    image = read_image(tmp_path / "docker/Dockerfile", tmp_path)
    assert image.removed_copies() == [tmp_path / "docker/rootfs/etc/nginx/conf.d/dev.conf"]


def test_a_file_copied_again_after_the_removal_is_in_the_image(tmp_path):
    write_tree(tmp_path, {
        "Dockerfile": "FROM nginx:1.27\nCOPY conf /etc/nginx\nRUN rm /etc/nginx/conf.d/*.conf\n"
                      "COPY conf/conf.d/app.conf /etc/nginx/conf.d/app.conf\n",
        "conf/conf.d/app.conf": "server {}\n",
        "conf/conf.d/old.conf": "server {}\n",
    })
    assert read_image(tmp_path / "Dockerfile").removed_copies() == [tmp_path / "conf/conf.d/old.conf"]


@pytest.mark.parametrize("path, development", [
    ("docker/dev/Dockerfile", True), ("Dockerfile.devel", True), ("docker-compose.dev.yml", True),
    ("compose-development.yaml", True), ("docker/Dockerfile", False), ("Dockerfile", False),
    ("devops/Dockerfile", False), ("device/Dockerfile", False), ("compose.override.yml", True),
    ("docker-compose.override.yaml", True), ("override/compose.yml", False), ("docker-compose.local.yml", True),
    ("docker-compose.prod-local.yml", True), ("docker-compose.nonlocal.yml", False),
    ("local/Dockerfile", False), ("docker-compose.test.yml", True), ("compose.ci.yaml", True),
    ("docker-compose.e2e.yml", True), ("docker-compose.testing-grounds.yml", False), ("ci/compose.yml", False),
    ("e2e-testing.docker-compose.yml", True),
    ("k8s/working-test.yaml", True), ("k8s/test-ingress.yaml", True), ("k8s/latest.yaml", False),
    ("k8s/attestation.yaml", False),
])
def test_development_dockerfiles_and_manifests(path, development):
    assert is_development(path) is development


@pytest.mark.parametrize("name, typo", [
    ("lua_shared_dic", "lua_shared_dict"), ("proxy_pss", "proxy_pass"), ("sever_name", "server_name"),
    ("liten", "listen"), ("more_set_header", "more_set_headers"),
    ("keepalive_pool", None), ("my_module_switch", None), ("opentelemetry_propagate", None),
])
def test_likely_typos_of_known_directives(name, typo):
    assert likely_typo_of(name) == typo
