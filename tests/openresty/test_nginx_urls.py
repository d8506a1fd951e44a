"""nginxlint.nginx.urls: the host part of `*_pass` targets, as nginx reads it, with its offsets."""
from __future__ import annotations

import pytest

from nginxlint.nginx.urls import PASS_DIRECTIVES, is_address, upstream_host


@pytest.mark.parametrize("target, host", [
    ("http://backend", "backend"),
    ("http://backend:8080/api", "backend"),
    ("https://api.example.com?x=1", "api.example.com"),
    ("backend:9000", "backend"),
    ("grpc://svc.ns.svc.cluster.local:50051", "svc.ns.svc.cluster.local"),
    ("HTTP://Backend/", "Backend"),
    ("http://127.0.0.1$request_uri", "127.0.0.1"),
    ("http://127.0.0.1:8081$request_uri", "127.0.0.1"),
    ("http://backend$uri$is_args$args", "backend"),
    ("http://backend$1", "backend"),
    ("http://${up}$request_uri", "${up}"),
    ("http://$backend", "$backend"),
    ("http://$backend:8080", "$backend"),
    ("http://$backend$request_uri", "$backend"),
    ("http://api-$env.svc.cluster.local/x", "api-$env.svc.cluster.local"),
    ("$target", "$target"),
    ("http://unix:/run/app.sock:/api", "unix:/run/app.sock"),
    ("http://unix:/run/app.sock:$request_uri", "unix:/run/app.sock"),
    ("unix:/run/php/php-fpm.sock", "unix:/run/php/php-fpm.sock"),
    ("http://[::1]:8080/", "[::1]"),
    ("http://[2001:db8::1]$request_uri", "[2001:db8::1]"),
    ("[fe80::1]:9000", "[fe80::1]"),
    ("http://a$", "a$"),
])
def test_host_and_its_offsets(target, host):
    found = upstream_host(target)
    assert found is not None and found[0] == host
    assert target[found[1]:found[2]] == host


@pytest.mark.parametrize("target", ["http://", "http:///x", "", ":8080", "/path"])
def test_no_host(target):
    assert upstream_host(target) is None


@pytest.mark.parametrize("host, address", [
    ("127.0.0.1", True), ("[::1]", True), ("::1", True), ("unix:/run/app.sock", True), ("[2001:db8::1]", True),
    ("backend", False), ("localhost", False), ("10.0.0", False), ("", False), ("[backend]", False),
    ("$backend", False), ("1.2.3.4.5", False),
])
def test_is_address(host, address):
    assert is_address(host) is address


def test_pass_directives():
    assert set(PASS_DIRECTIVES) == {"proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass"}
