"""Modules that need no file in the project: bundled, built in, installed as rocks."""
from __future__ import annotations

from pathlib import Path

from nginxlint.openresty.modules import ModuleSet, builtin_modules, dockerfile_rocks, manifest_rocks, rock_modules


def test_builtin_and_bundled_modules():
    modules = builtin_modules()
    for name in ("resty.core", "resty.core.shdict", "ngx.ssl", "ngx.balancer", "cjson.safe", "resty.lock",
                 "resty.limit.req", "resty.websocket.server", "ffi", "jit.util", "table.new", "string.buffer"):
        assert name in modules, name
    for name in ("resty.http", "prometheus", "binary_protocol", "resty", "ngxx"):
        assert name not in modules, name


def test_patterns_match_the_package_and_below():
    modules = ModuleSet()
    modules.add("pl.*", "penlight")
    modules.add("resty.sha*", "string")
    assert modules.why("pl") == modules.why("pl.stringx.x") == "penlight"
    assert "plx" not in modules and "resty.sha256" in modules and "resty.md5" not in modules


def test_rock_names_map_to_modules():
    assert rock_modules("lua-resty-http") == ("resty.http", "resty.http_headers", "resty.http_connect")
    assert "prometheus_resty_counter" in rock_modules("nginx-lua-prometheus")
    assert rock_modules("kong-redis-cluster") == ("resty.rediscluster", "resty.xmodem")  # its rockspec's build.modules
    assert rock_modules("lua-resty-foo") == ("resty.foo", "resty.foo.*")
    assert "openssl.*" in rock_modules("luaossl")  # openssl.rand, openssl.cipher … over its C module _openssl
    assert rock_modules("lua-bar") == ("bar", "bar.*")


def test_dockerfile_luarocks_and_opm_with_continuations_and_options():
    text = (
        "FROM openresty/openresty:alpine-fat\n"
        "RUN apk add git \\\n"
        "    && luarocks install lua-resty-http 0.17.1 \\\n"
        "    && luarocks install --server=https://luarocks.org/dev lua-resty-jwt\n"
        "RUN opm get bungle/lua-resty-template ledgetech/lua-resty-redis-connector\n"
        "RUN luarocks make app-1.0-1.rockspec; luarocks install ./local.rock\n"
        "# RUN luarocks install commented-out\n"
    )
    rocks = dockerfile_rocks(Path("Dockerfile"), text)
    assert [(r.rock, r.line) for r in rocks] == [
        ("lua-resty-http", 3), ("lua-resty-jwt", 4), ("lua-resty-template", 5), ("lua-resty-redis-connector", 5)]


def test_luarocks_manifest_read_with_the_lua_parser():
    text = (
        'commands = {}\n'
        'modules = {\n   ["resty.mlcache"] = { "lua-resty-mlcache/2.6.0-1" },\n}\n'
        'repository = {\n'
        '   ["lua-resty-mlcache"] = { ["2.6.0-1"] = { { arch = "installed", modules = {\n'
        '      ["resty.mlcache"] = "resty/mlcache.lua", ["resty.mlcache.ipc"] = "resty/mlcache/ipc.lua" } } } },\n'
        '   penlight = { ["1.14.0-1"] = { { arch = "installed" } } },\n'
        '}\n'
    )
    rocks = {r.rock: r for r in manifest_rocks(Path("manifest"), text)}
    assert rocks["lua-resty-mlcache"].modules == ("resty.mlcache", "resty.mlcache.ipc")
    assert rocks["lua-resty-mlcache"].line == 6
    assert rocks["penlight"].modules == ("pl", "pl.*")  # no modules table: what the rock name implies
    assert rocks[""].modules == ("resty.mlcache",)
    assert manifest_rocks(Path("manifest"), "repository = {") == []  # not Lua: nothing, no traceback
