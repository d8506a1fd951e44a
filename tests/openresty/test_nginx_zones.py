"""nginxlint.nginx.zones: every shared memory zone a config declares, sizes read as ngx_parse_size reads them."""
from __future__ import annotations

from pathlib import Path

import pytest

from nginxlint.nginx.urls import upstream_names
from nginxlint.nginx.zones import MAX_SIZE, Zone, parse_size, shared_zones
from nginxlint.settings import Settings
from nginxlint.workspace import load_workspace


@pytest.mark.parametrize("text, size", [
    ("0", 0), ("4096", 4096), ("12k", 12 * 1024), ("12K", 12 * 1024), ("10m", 10 * 2**20), ("10M", 10 * 2**20),
    ("007k", 7 * 1024), (str(MAX_SIZE), MAX_SIZE), (f"{MAX_SIZE // 1024}k", MAX_SIZE // 1024 * 1024),
    (f"{MAX_SIZE // 2**20}m", MAX_SIZE // 2**20 * 2**20),
    # what nginx rejects
    ("1g", None), ("1G", None), ("10mb", None), ("k", None), ("m", None), ("", None), (None, None), ("-1", None),
    ("+1", None), (" 1", None), ("1.5m", None), ("١٠m", None), (str(MAX_SIZE + 1), None),
    (f"{MAX_SIZE // 1024 + 1}k", None), (f"{MAX_SIZE // 2**20 + 1}m", None), ("1kk", None),
])
def test_parse_size_is_ngx_parse_size(text, size):
    assert parse_size(text) == size


def _deployment(tmp_path: Path, conf: str):
    path = tmp_path / "conf" / "nginx.conf"
    path.parent.mkdir(parents=True)
    path.write_text(conf, encoding="utf-8")
    settings = Settings()
    settings.no_cache = True
    (tree,) = load_workspace([tmp_path], settings, tmp_path).trees
    return tree


CONF = """\
events {}
http {
    limit_conn_zone $binary_remote_addr zone=addr:10m;
    lua_shared_dict cache 1g;
    lua_shared_dict locks 12k;
    limit_req_zone $binary_remote_addr zone=perip:10m rate=1r/s;
    limit_req_zone $server_name zone=nosize rate=1r/s;
    proxy_cache_path /tmp/c levels=1:2 keys_zone=pages:10m max_size=1g;
    fastcgi_cache_path /tmp/f keys_zone=php:1m;
    ssl_session_cache builtin:1000 shared:SSL:10m;
    upstream backend { zone backend 64k; server 127.0.0.1:8081; }
    upstream shared { zone backend; server 127.0.0.1:8082; }
    server { listen 80; location / { set $zone x; } }
}
stream {
    limit_conn_zone $binary_remote_addr zone=stream_addr:1m;
    upstream tcp { zone tcp 64k; server 127.0.0.1:9000; }
}
"""


def test_every_zone_with_its_argument_and_size(tmp_path):
    tree = _deployment(tmp_path, CONF)
    zones = shared_zones(tree)
    assert [(z.kind, z.name, z.size_text, z.size_bytes, z.node.d.span.line, z.arg) for z in zones] == [
        ("lua_shared_dict", "cache", "1g", None, 4, 0),
        ("lua_shared_dict", "locks", "12k", 12 * 1024, 5, 0),
        ("limit_req_zone", "perip", "10m", 10 * 2**20, 6, 1),
        ("limit_req_zone", "nosize", None, None, 7, 1),
        ("limit_conn_zone", "addr", "10m", 10 * 2**20, 3, 1),
        ("limit_conn_zone", "stream_addr", "1m", 2**20, 16, 1),
        ("proxy_cache_path", "pages", "10m", 10 * 2**20, 8, 2),
        ("fastcgi_cache_path", "php", "1m", 2**20, 9, 1),
        ("ssl_session_cache", "SSL", "10m", 10 * 2**20, 10, 1),
        ("zone", "backend", "64k", 64 * 1024, 11, 0),
        ("zone", "backend", None, None, 12, 0),
        ("zone", "tcp", "64k", 64 * 1024, 17, 0),
    ]
    assert all(isinstance(z, Zone) for z in zones)


def test_upstream_names(tmp_path):
    assert upstream_names(_deployment(tmp_path, CONF)) == {"backend", "shared", "tcp"}
