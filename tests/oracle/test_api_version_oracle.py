"""LUA217 against a real nginx with ngx_lua: every function of nginxlint's table (openresty/lua_api_versions.tsv) is
called on the installed module. Those the table dates after the installed release are nil there ("attempt to call
field ... (a nil value)"), those it dates at or before it exist; and given the installed release
(`--lua-nginx-module`, read from the module itself through ngx.config.ngx_lua_version), nginxlint reports exactly the
calls of the missing ones, at their positions.
"""
from __future__ import annotations

import pytest

from nginx_harness import Nginx, http_preamble, main_preamble, unavailable
from nginxlint.openresty.releases import lua_api_versions, module_order


@pytest.fixture(scope="module", autouse=True)
def _nginx_with_lua():
    reason = unavailable()
    if reason:
        pytest.skip(reason)


def call_of(api: str) -> tuple[str, str]:
    """(Lua that calls `api`, the name LuaJIT's error gives it when it is nil)."""
    if api.startswith("ngx.shared.DICT."):
        method = api.rsplit(".", 1)[1]
        return f'ngx.shared.d:{method}("k")', f"method '{method}'"
    if ":" in api:
        kind, method = api.split(":")
        return f"ngx.socket.{'tcp' if kind == 'tcpsock' else 'udp'}():{method}()", f"method '{method}'"
    return f"{api}()", f"field '{api.rsplit('.', 1)[1]}'"


def conf(locations: list[str]) -> str:
    return (f"{main_preamble()}events {{ worker_connections 64; }}\nhttp {{\n{http_preamble()}\n"
            "lua_shared_dict d 1m;\nserver {\nlisten 127.0.0.1:{port};\n"
            "location = /version { content_by_lua_block { ngx.say(ngx.config.ngx_lua_version) } }\n"
            + "".join(line + "\n" for line in locations) + "}\n}\n")


def installed_version() -> str:
    with Nginx({"conf/nginx.conf": conf([])}) as ng:
        assert ng.start().status == 0
        number = int(ng.get("/version")[1])  # 10023 for 0.10.23
    return f"{number // 1000000}.{number // 1000 % 1000}.{number % 1000}"


def test_lua217_table_agrees_with_the_installed_module():
    version = installed_version()
    since = lua_api_versions()
    apis = list(since)
    locations, expected = [], []
    for index, api in enumerate(apis):
        call, _ = call_of(api)
        line = (f"location = /{index} {{ content_by_lua_block {{ local ok, err = pcall(function() {call} end) "
                "ngx.say(tostring(err)) } }")
        locations.append(line)
    files = {"conf/nginx.conf": conf(locations)}
    text = files["conf/nginx.conf"].split("\n")
    with Nginx(files) as ng:
        assert ng.start().status == 0, ng.error_log()
        missing = []
        for index, api in enumerate(apis):
            call, name = call_of(api)
            said = ng.get(f"/{index}")[1]
            nil = f"attempt to call {name} (a nil value)" in said
            assert nil == (module_order(since[api]) > module_order(version)), (api, said)
            if nil:
                number = text.index(locations[index]) + 1
                column = locations[index].index(call) + 1
                # a method call is spanned from its object up to the method's name, a function by its name
                end = column + (call.rindex("(") if ":" in call else len(api))
                missing.append((number, column, end))
                expected.append(api)
        found = [(f["line"], f["column"], f["end_column"]) for f in ng.lint("--lua-nginx-module", version)
                 if f["code"] == "LUA217"]
    assert expected, f"the table has no function newer than the installed lua-nginx-module {version}"
    assert found == missing


def test_lua217_call_of_a_missing_function_fails_the_request():
    version = installed_version()
    newer = [api for api, since in lua_api_versions().items()
             if api.startswith("ngx.") and "DICT" not in api and module_order(since) > module_order(version)]
    if not newer:
        pytest.skip(f"the table has no ngx.* function newer than lua-nginx-module {version}")
    api = newer[0]
    line = f'location = /t {{ content_by_lua_block {{ ngx.say({api}("aGk=")) }} }}'
    guarded = (f'location = /g {{ content_by_lua_block {{ if {api} then ngx.say({api}("aGk=")) '
               'else ngx.say("without") end } }')
    files = {"conf/nginx.conf": conf([line, guarded])}
    with Nginx(files) as ng:
        assert ng.test().status == 0  # nginx -t runs no Lua
        assert ng.start().status == 0
        assert ng.get("/t")[0] == 500
        assert f"attempt to call field '{api.rsplit('.', 1)[1]}' (a nil value)" in ng.wait_for_log("attempt to call")
        assert ng.get("/g") == (200, "without\n")
        findings = [f for f in ng.lint("--lua-nginx-module", version) if f["code"] == "LUA217"]
        number = files["conf/nginx.conf"].split("\n").index(line) + 1
        assert [(f["line"], f["column"]) for f in findings] == [(number, line.index(api) + 1)]
        assert [f for f in ng.lint() if f["code"] == "LUA217"] == []  # no release known: nothing said
