"""LUA rules against a real nginx with ngx_lua: the fail case fails for real (at `nginx -t`, at start or on a
request, with the error the facts doc records) and the pass case works; nginxlint reports the rule on the
fail case and not on the pass case, run on the very same files.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from nginx_harness import RESTY_CORE_DIRS, FakeDns, Nginx, free_port, http_preamble, main_preamble, unavailable


@pytest.fixture(scope="module", autouse=True)
def _nginx_with_lua():
    reason = unavailable()
    if reason:
        pytest.skip(reason)


def conf(http_body: str, main: str = "") -> str:
    return (f"{main_preamble()}{main}events {{ worker_connections 64; }}\n"
            f"http {{\n{http_preamble()}\n{http_body}\n}}\n")


def server(locations: str) -> str:
    return f"server {{\n listen 127.0.0.1:{{port}};\n{locations}\n}}"


def codes(findings: list[dict], code: str) -> list[dict]:
    return [f for f in findings if f["code"] == code]


def conf_line(files: dict, needle: str) -> int:
    """The line of conf/nginx.conf holding `needle` (1-based)."""
    for number, line in enumerate(files["conf/nginx.conf"].split("\n"), 1):
        if needle in line:
            return number
    raise AssertionError(needle)



# -- LUA201 -------------------------------------------------------------------------------------------------

def test_lua201_syntax_error_passes_nginx_t_and_fails_at_start():
    files = {"conf/nginx.conf": conf("init_by_lua_block { local x = = 1 }\n" + server('location / { return 200 "ok"; }'))}
    with Nginx(files) as ng:
        assert ng.test().status == 0  # nginx -t never runs Lua
        started = ng.start()
        assert started.status != 0
        assert "unexpected symbol near '='" in started.stderr
        found = codes(ng.lint(), "LUA201")
        line = conf_line(files, "init_by_lua_block")
        second_equals = files["conf/nginx.conf"].split("\n")[line - 1].index("= =") + 3  # LuaJIT's "near '='"
        assert [(f["line"], f["column"]) for f in found] == [(line, second_equals)]


def test_lua201_valid_code_starts():
    files = {"conf/nginx.conf": conf("init_by_lua_block { local x = 1 }\n" + server('location / { return 200 "ok"; }'))}
    with Nginx(files) as ng:
        assert ng.start().status == 0
        assert ng.get("/") == (200, "ok")
        assert not codes(ng.lint(), "LUA201")


def test_lua201_statement_after_return_fails_at_start():
    """`return` must come last in every LuaJIT build (a statement may follow `break` only in OpenResty's, built
    with LUAJIT_ENABLE_LUA52COMPAT; Debian's is not, so this nginx cannot show that part)."""
    files = {"conf/nginx.conf": conf("init_by_lua_block {\n  if true then\n    return 1\n    x = 1\n  end\n}\n"
                                     + server('location / { return 200 "ok"; }'))}
    with Nginx(files) as ng:
        started = ng.start()
        assert started.status != 0
        assert "'end' expected (to close 'if' at line 2) near 'x'" in started.stderr
        found = codes(ng.lint(), "LUA201")
        assert [(f["line"], f["column"]) for f in found] == [(conf_line(files, "x = 1"), 5)]


_BROKEN = "\n# a shell-style comment, which is no Lua\nngx.log(ngx.NOTICE, 'CODE-RAN')\n"


@pytest.mark.parametrize("handler, starts, answer, says", [
    ("init_by_lua_block {CODE}\n" + server('location = /t { return 200 "ok"; }'), False, None, "nginx fails to start"),
    ("init_worker_by_lua_block {CODE}\n" + server('location = /t { return 200 "ok"; }'), True, 200,
     "nginx starts, but each worker logs the error at start and skips this init_worker_by_lua* code"),
    (server("location = /t { content_by_lua_block {CODE} }"), True, 500, "every request that runs it fails with 500"),
    (server('location = /t { header_filter_by_lua_block {CODE} return 200 "ok"; }'), True, None,
     "every response it runs for is cut off: the client gets no answer"),
    (server('location = /t { log_by_lua_block {CODE} return 200 "ok"; }'), True, 200,
     "requests are answered, but the log handler's code never runs"),
])
def test_lua201_what_a_syntax_error_does_depends_on_the_phase(handler, starts, answer, says):
    files = {"conf/nginx.conf": conf(handler.replace("CODE", _BROKEN))}
    with Nginx(files) as ng:
        started = ng.start()
        assert (started.status == 0) is starts, started.stderr
        if starts:
            try:
                status = ng.get("/t")[0]
            except OSError:  # the connection closed without a response
                status = None
            assert status == answer
            log = ng.wait_for_log("unexpected symbol near '#'")
            assert "unexpected symbol near '#'" in log and "CODE-RAN" not in log
        found = codes(ng.lint(), "LUA201")
    assert len(found) == 1 and says in found[0]["message"], found


# -- LUA202 -------------------------------------------------------------------------------------------------

MONITOR = ('local result_dict = ngx.shared.monitor_status\nlocal _M = {}\n'
           'function _M.get() return result_dict:get("last") end\nreturn _M\n')


def _lua202(declared: bool) -> dict:
    body = 'lua_package_path "$prefix/lua/?.lua;;";\n'
    if declared:
        body += "lua_shared_dict monitor_status 1m;\n"
    body += server('location = /m { content_by_lua_block { ngx.say(tostring(require("monitor").get())) } }')
    return {"conf/nginx.conf": conf(body), "lua/monitor.lua": MONITOR}


def test_lua202_undeclared_dict_fails_on_request():
    with Nginx(_lua202(declared=False)) as ng:
        assert ng.test().status == 0
        assert ng.start().status == 0
        assert ng.get("/m")[0] == 500
        assert "attempt to index upvalue 'result_dict' (a nil value)" in ng.wait_for_log("result_dict")
        found = codes(ng.lint(), "LUA202")
        assert [(f["path"], f["line"]) for f in found] == [("lua/monitor.lua", 1)]


def test_lua202_declared_dict_works():
    with Nginx(_lua202(declared=True)) as ng:
        assert ng.start().status == 0
        assert ng.get("/m") == (200, "nil\n")
        assert not codes(ng.lint(), "LUA202")


# -- LUA218 -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("made", [False, True])
def test_lua218_a_variable_the_config_does_not_make_cannot_be_written(made):
    setter = 'set $backend "";' if made else ""
    files = {"conf/nginx.conf": conf(server(
        f' location = /route {{ {setter} content_by_lua_block {{ ngx.var.backend = "127.0.0.1"; ngx.say("routed") }} }}'))}
    with Nginx(files) as ng:
        assert ng.start().status == 0
        status, body = ng.get("/route")
        assert (status, body) == (200, "routed\n") if made else status == 500
        if not made:
            assert 'variable "backend" not found for writing' in ng.wait_for_log("not found for writing")
        found = codes(ng.lint(), "LUA218")
    assert [f["line"] for f in found] == ([] if made else [conf_line(files, "ngx.var.backend")])


# -- LUA204 -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("declarations, nginx_says", [
    ("lua_shared_dict x 1g;", 'invalid lua shared dict size "1g"'),
    ("lua_shared_dict x 8k;", "ngx_slab_alloc() failed: no memory"),
    ("lua_shared_dict m 10m;\nlua_shared_dict m 10m;", 'lua_shared_dict "m" is already defined as "m"'),
    ("limit_req_zone $binary_remote_addr zone=shared1:10m rate=1r/s;\nlua_shared_dict shared1 10m;",
     'the shared memory zone "shared1" is already declared for a different use'),
])
def test_lua204_invalid_dicts_fail_nginx_t(declarations, nginx_says):
    files = {"conf/nginx.conf": conf(declarations + "\n" + server('location / { return 200 "ok"; }'))}
    with Nginx(files) as ng:
        result = ng.test()
        assert result.status != 0
        assert nginx_says in result.stderr
        assert len(codes(ng.lint(), "LUA204")) == 1


def test_lua204_valid_dicts_start():
    declarations = ("lua_shared_dict x 12k;\nlua_shared_dict y 10M;\nlua_shared_dict z 65536;\n"
                    "limit_req_zone $binary_remote_addr zone=other:10m rate=1r/s;\n")
    files = {"conf/nginx.conf": conf(declarations + server(
        'location / { content_by_lua_block { ngx.say(ngx.shared.x:capacity() > 0) } }'))}
    with Nginx(files) as ng:
        assert ng.test().status == 0
        assert ng.start().status == 0
        assert ng.get("/") == (200, "true\n")
        assert not codes(ng.lint(), "LUA204")


# -- LUA205 -------------------------------------------------------------------------------------------------

def _lua205(module_path: str) -> dict:
    body = 'lua_package_path "$prefix/lua/?.lua;;";\n' + server(
        'location = /mod { content_by_lua_block { local bp = require "binary_protocol" ngx.say(bp.name) } }')
    return {"conf/nginx.conf": conf(body), module_path: 'return { name = "bp" }\n'}


def test_lua205_module_outside_the_search_path_is_not_found():
    with Nginx(_lua205("conf/binary_protocol.lua")) as ng:
        assert ng.start().status == 0
        assert ng.get("/mod")[0] == 500
        log = ng.wait_for_log("not found")
        assert "module 'binary_protocol' not found" in log
        found = codes(ng.lint(), "LUA205")
        assert len(found) == 1
        assert "no file 'lua/binary_protocol.lua'" in found[0]["message"]
        assert f"{ng.root}//lua/binary_protocol.lua" in log  # the file Lua looked for ($prefix keeps its slash)


def test_lua205_module_on_the_search_path_loads():
    with Nginx(_lua205("lua/binary_protocol.lua")) as ng:
        assert ng.start().status == 0
        assert ng.get("/mod") == (200, "bp\n")
        assert not codes(ng.lint(), "LUA205")


# -- LUA206 -------------------------------------------------------------------------------------------------

def _lua206(path: str) -> dict:
    return {"conf/nginx.conf": conf(f'lua_package_path "{path}";\n' + server('location / { return 200 "ok"; }'))}


def test_lua206_path_without_defaults_fails_at_start():
    with Nginx(_lua206("$prefix/lua/?.lua")) as ng:
        assert ng.test().status == 0
        started = ng.start()
        assert started.status != 0
        assert "failed to load the 'resty.core' module" in started.stderr
        assert len(codes(ng.lint(), "LUA206")) == 1


def test_lua206_path_with_defaults_starts():
    with Nginx(_lua206("$prefix/lua/?.lua;;")) as ng:
        assert ng.start().status == 0
        assert ng.get("/") == (200, "ok")
        assert not codes(ng.lint(), "LUA206")


def test_lua206_lualib_beside_the_prefix_is_openresty_s_own():
    """OpenResty installs nginx in <its prefix>/nginx and its Lua libraries in <its prefix>/lualib: a path of
    `$prefix/../lualib/?.lua` alone finds resty.core there, and nginx starts."""
    openresty = Path(tempfile.mkdtemp(prefix="nginxlint-oracle-openresty-"))
    try:
        openresty.chmod(0o755)
        (openresty / "lualib").symlink_to(next(Path(p) for p in RESTY_CORE_DIRS if Path(p, "resty", "core.lua").exists()))
        (openresty / "nginx").mkdir(mode=0o755)
        handler = 'location / { content_by_lua_block { ngx.say(type(require("resty.core.base").new_tab)) } }'
        files = {"conf/nginx.conf": conf('lua_package_path "$prefix/../lualib/?.lua";\n' + server(handler))}
        with Nginx(files, root=openresty / "nginx") as ng:
            assert ng.start().status == 0
            assert ng.get("/") == (200, "function\n")
            assert not codes(ng.lint(), "LUA206")
    finally:
        shutil.rmtree(openresty, ignore_errors=True)


# -- LUA207 -------------------------------------------------------------------------------------------------

def _lua207(handler: str) -> dict:
    return {"conf/nginx.conf": conf('lua_package_path "lua/?.lua;;";\n'
                                    + server(f"location / {{ content_by_lua_block {{ {handler} }} }}")),
            "lua/relmod.lua": 'return { name = "relmod" }\n'}


def test_lua207_module_found_through_a_relative_entry_only_from_the_prefix():
    files = _lua207('ngx.say(require("relmod").name)')
    with Nginx(files) as ng:
        assert ng.start(cwd=Path("/")).status == 0
        assert ng.get("/")[0] == 500  # module 'relmod' not found: "lua/relmod.lua" is looked for below /
        ng.stop()
        assert ng.start().status == 0  # started from the prefix
        assert ng.get("/") == (200, "relmod\n")
        found = codes(ng.lint(), "LUA207")
    assert [f["line"] for f in found] == [conf_line(files, "lua_package_path")]
    assert "module 'relmod'" in found[0]["message"]


def test_lua207_entry_nothing_is_required_through():
    with Nginx(_lua207('ngx.say(require("ngx.base64").encode_base64url("ok"))')) as ng:
        assert ng.start(cwd=Path("/")).status == 0
        assert ng.get("/") == (200, "b2s\n")
        assert not codes(ng.lint(), "LUA207")


# -- LUA220 -------------------------------------------------------------------------------------------------

def _lua220(path: str) -> dict:
    body = server('location / { content_by_lua_block { ngx.say(require("app.mod").name) } }')
    return {"conf/nginx.conf": conf(f'lua_package_path "{path}";\n' + body),
            "lua/app/mod.lua": 'return { name = "mod" }\n', "lua/util.lua": 'return { name = "util" }\n'}


def test_lua220_directory_entry_stops_the_start():
    with Nginx(_lua220("$prefix/lua/;;")) as ng:
        assert ng.test().status == 0
        started = ng.start()
        assert started.status != 0
        assert "failed to load the 'resty.core' module" in started.stderr
        assert "Is a directory" in started.stderr
        found = codes(ng.lint(), "LUA220")
        assert len(found) == 1 and 'write "$prefix/lua/?.lua"' in found[0]["message"]


def test_lua220_file_entry_answers_every_require():
    with Nginx(_lua220("$prefix/lua/util.lua;;")) as ng:
        assert ng.start().status == 0
        assert ng.get("/") == (200, "util\n")  # require "app.mod" got util.lua
        assert len(codes(ng.lint(), "LUA220")) == 1


def test_lua220_pattern_loads_the_module():
    with Nginx(_lua220("$prefix/lua/?.lua;;")) as ng:
        assert ng.start().status == 0
        assert ng.get("/") == (200, "mod\n")
        assert not codes(ng.lint(), "LUA220")


# -- LUA208 -------------------------------------------------------------------------------------------------

def _lua208(main: str) -> dict:
    body = server('location / { content_by_lua_block { ngx.say(tostring(os.getenv("ORACLE_TOKEN"))) } }')
    return {"conf/nginx.conf": conf(body, main)}


def test_lua208_getenv_without_env_is_nil():
    with Nginx(_lua208(""), env={"ORACLE_TOKEN": "secret"}) as ng:
        assert ng.start().status == 0
        assert ng.get("/") == (200, "nil\n")
        found = codes(ng.lint(), "LUA208")
        assert [f["severity"] for f in found] == ["error"]


def test_lua208_getenv_with_env_sees_the_value():
    with Nginx(_lua208("env ORACLE_TOKEN;\n"), env={"ORACLE_TOKEN": "secret"}) as ng:
        assert ng.start().status == 0
        assert ng.get("/") == (200, "secret\n")
        assert not codes(ng.lint(), "LUA208")


def test_lua208_getenv_in_init_by_lua_keeps_its_value_for_the_workers():
    stored = ('init_by_lua_block { TOKEN = tostring(os.getenv("ORACLE_TOKEN")) }\n'
              + server('location / { content_by_lua_block { ngx.say(TOKEN) } }'))
    with Nginx({"conf/nginx.conf": conf(stored)}, env={"ORACLE_TOKEN": "secret"}) as ng:
        assert ng.start().status == 0
        assert ng.get("/") == (200, "secret\n")  # read by the master, inherited by the worker
        assert not codes(ng.lint(), "LUA208")


def test_lua208_unset_variable_gives_the_fallback_with_or_without_env():
    """Where the container does not set the variable, `env` changes nothing: the code's fallback answers either way."""
    body = server('location / { content_by_lua_block { ngx.say(os.getenv("ORACLE_UNSET_SUFFIX") or "fallback") } }')
    compose = ("services:\n  web:\n    image: openresty/openresty:1.27.1.2-alpine\n"
               "    volumes: [\"./conf/nginx.conf:/usr/local/openresty/nginx/conf/nginx.conf:ro\"]\n")
    for main in ("", "env ORACLE_UNSET_SUFFIX;\n"):
        with Nginx({"conf/nginx.conf": conf(body, main), "docker-compose.yml": compose}) as ng:
            assert ng.start().status == 0
            assert ng.get("/") == (200, "fallback\n")
            assert not codes(ng.lint(), "LUA208")


# -- LUA209 -------------------------------------------------------------------------------------------------

def _lua209(with_file: bool) -> dict:
    files = {"conf/nginx.conf": conf(server("location / { content_by_lua_file lua/handler.lua; }"))}
    if with_file:
        files["lua/handler.lua"] = 'ngx.say("handled")\n'
    return files


def test_lua209_missing_file_fails_on_request():
    with Nginx(_lua209(with_file=False)) as ng:
        assert ng.test().status == 0
        assert ng.start().status == 0
        assert ng.get("/")[0] == 404
        assert "failed to load external Lua file" in ng.wait_for_log("failed to load")
        assert len(codes(ng.lint(), "LUA209")) == 1


@pytest.mark.parametrize("handler, answer, says", [
    ("init_worker_by_lua_file lua/missing.lua;\n" + server('location = /t { return 200 "ok"; }'), 200,
     "nginx starts, but each worker logs the error at start and skips this init_worker_by_lua* code"),
    (server('location = /t { log_by_lua_file lua/missing.lua; return 200 "ok"; }'), 200,
     "requests are answered, but the log handler's code never runs"),
    (server('location = /t { header_filter_by_lua_file lua/missing.lua; return 200 "ok"; }'), None,
     "every response it runs for is cut off: the client gets no answer"),
])
def test_lua209_a_missing_file_outside_the_request_phases_fails_as_loading_does(handler, answer, says):
    """nginx starts with each of these missing: init_worker's is skipped at each worker's start, a log handler's
    request is answered, a header filter's response is cut off; the error log says `cannot open`."""
    with Nginx({"conf/nginx.conf": conf(handler)}) as ng:
        assert ng.start().status == 0
        try:
            status = ng.get("/t")[0]
        except OSError:  # the connection closed without a response
            status = None
        assert status == answer
        assert "missing.lua: No such file or directory" in ng.wait_for_log("missing.lua")
        found = codes(ng.lint(), "LUA209")
    assert len(found) == 1 and says in found[0]["message"], found


def test_lua209_existing_file_runs():
    with Nginx(_lua209(with_file=True)) as ng:
        assert ng.start().status == 0
        assert ng.get("/") == (200, "handled\n")
        assert not codes(ng.lint(), "LUA209")


# -- LUA211 -------------------------------------------------------------------------------------------------

def _lua211(created: bool) -> dict:
    body = ""
    if created:
        body += "init_worker_by_lua_block { metric_requests = { inc = function(self, n) end } }\n"
    body += "log_by_lua_block { metric_requests:inc(1) }\n" + server('location / { return 200 "ok"; }')
    return {"conf/nginx.conf": conf(body)}


def test_lua211_undefined_global_errors_in_the_log_phase():
    with Nginx(_lua211(created=False)) as ng:
        assert ng.start().status == 0
        assert ng.get("/") == (200, "ok")  # the log phase cannot change the response
        log = ng.wait_for_log("metric_requests")
        assert "attempt to index global 'metric_requests' (a nil value)" in log
        found = codes(ng.lint(), "LUA211")
        assert [f["line"] for f in found] == [conf_line(_lua211(False), "log_by_lua_block")]


def test_lua211_global_created_at_init_worker():
    with Nginx(_lua211(created=True)) as ng:
        assert ng.start().status == 0
        assert ng.get("/") == (200, "ok")
        time.sleep(0.2)
        assert "metric_requests" not in ng.error_log()
        assert not codes(ng.lint(), "LUA211")


@pytest.mark.parametrize("code_cache, counts", [("on", ["1", "2"]), ("off", ["1", "1"])])
def test_lua211_a_request_global_is_shared_only_with_the_code_cache_on(code_cache, counts):
    """With `lua_code_cache off` each request runs in a Lua VM of its own: a global it writes dies with it."""
    files = {"conf/nginx.conf": conf(f"lua_code_cache {code_cache};\n" + server(
        " location = /count { content_by_lua_block { hits = (hits or 0) + 1; ngx.say(hits) } }"))}
    with Nginx(files) as ng:
        assert ng.start().status == 0
        assert [ng.get("/count")[1].strip() for _ in range(2)] == counts
        found = codes(ng.lint(), "LUA211")
    assert [f["line"] for f in found] == ([conf_line(files, "hits = ")] if code_cache == "on" else [])


# Waiting half a second, by yielding to the event loop or by spinning on the clock (which no other request can
# interrupt): only the first lets a request that arrives meanwhile write the global before the first one reads it.
WAITS = {
    "yielding": "ngx.sleep(0.5)",
    "spinning": "local t = ngx.now() repeat ngx.update_time() until ngx.now() - t > 0.5",
}


@pytest.mark.parametrize("wait, first_reads", [("yielding", "b"), ("spinning", "a")])
def test_lua211_a_request_reads_another_requests_global_only_across_a_yield(wait, first_reads):
    files = {"conf/nginx.conf": conf(server(
        f" location = /who {{ content_by_lua_block {{ user = ngx.var.arg_u {WAITS[wait]} ngx.say(user) }} }}"))}
    with Nginx(files) as ng:
        assert ng.start().status == 0
        with ThreadPoolExecutor(max_workers=2) as pool:
            first = pool.submit(ng.get, "/who?u=a")
            time.sleep(0.15)
            second = pool.submit(ng.get, "/who?u=b")
            assert first.result()[1].strip() == first_reads
            assert second.result()[1].strip() == "b"
        found = codes(ng.lint(), "LUA211")
    assert [f["line"] for f in found] == ([conf_line(files, "user = ")] if wait == "yielding" else [])


# -- LUA212 -------------------------------------------------------------------------------------------------

def _lua212(inner_handler: bool) -> dict:
    inner = 'log_by_lua_block { ngx.shared.counters:incr("loc_b", 1, 0) }' if inner_handler else ""
    body = (
        "lua_shared_dict counters 1m;\n"
        'log_by_lua_block { ngx.shared.counters:incr("http_level", 1, 0) }\n'
        + server(f'location = /b {{ {inner} return 200 "b"; }}\n'
                 'location = /count { content_by_lua_block { ngx.say(ngx.shared.counters:get("http_level") or 0) } }')
    )
    return {"conf/nginx.conf": conf(body)}


def test_lua212_inner_log_handler_disables_the_outer_one():
    with Nginx(_lua212(inner_handler=True)) as ng:
        assert ng.start().status == 0
        assert ng.get("/b") == (200, "b")
        assert ng.get("/b") == (200, "b")
        assert ng.get("/count") == (200, "0\n")  # the http-level handler never ran for /b
        found = codes(ng.lint(), "LUA212")
        assert [f["line"] for f in found] == [conf_line(_lua212(True), "location = /b")]


def test_lua212_outer_log_handler_runs_without_an_inner_one():
    with Nginx(_lua212(inner_handler=False)) as ng:
        assert ng.start().status == 0
        assert ng.get("/b") == (200, "b")
        assert ng.get("/b") == (200, "b")
        assert ng.get("/count") == (200, "2\n")
        assert not codes(ng.lint(), "LUA212")


# -- LUA213 -------------------------------------------------------------------------------------------------

def _lua213(with_proxy: bool) -> dict:
    proxy = f"proxy_pass http://127.0.0.1:{free_port()};" if with_proxy else ""
    return {"conf/nginx.conf": conf(server(f'location / {{ content_by_lua_block {{ ngx.say("lua") }} {proxy} }}'))}


def test_lua213_proxy_pass_silently_wins_over_content_by_lua():
    with Nginx(_lua213(with_proxy=True)) as ng:
        result = ng.test()
        assert result.status == 0 and "warn" not in result.stderr  # nginx says nothing
        assert ng.start().status == 0
        assert ng.get("/")[0] == 502  # the Lua never ran
        assert len(codes(ng.lint(), "LUA213")) == 1


def test_lua213_content_by_lua_alone_answers():
    with Nginx(_lua213(with_proxy=False)) as ng:
        assert ng.start().status == 0
        assert ng.get("/") == (200, "lua\n")
        assert not codes(ng.lint(), "LUA213")


# -- LUA215 -------------------------------------------------------------------------------------------------

def _lua215(resolver: str) -> dict:
    body = resolver + server(
        'location = /cosocket { content_by_lua_block {\n'
        '  local s = ngx.socket.tcp()\n'
        '  local ok, err = s:connect("backend.oracle.test", {port})\n'
        '  ngx.say(tostring(ok), " ", tostring(err))\n'
        '} }\n'
        'location = /proxyvar { set $up "http://backend.oracle.test:{port}/ok"; proxy_pass $up; }\n'
        'location = /ok { return 200 "ok"; }'
    )
    return {"conf/nginx.conf": conf(body)}


def test_lua215_no_resolver_fails_cosockets_and_variable_proxy_pass():
    with Nginx(_lua215("")) as ng:
        assert ng.start().status == 0
        assert ng.get("/cosocket") == (200, 'nil no resolver defined to resolve "backend.oracle.test"\n')
        assert ng.get("/proxyvar")[0] == 502
        assert "no resolver defined to resolve backend.oracle.test" in ng.wait_for_log("no resolver")
        found = codes(ng.lint(), "LUA215")
        lines = sorted(f["line"] for f in found)
        files = _lua215("")
        assert lines == [conf_line(files, "s:connect"), conf_line(files, "proxy_pass $up")]


def test_lua215_variable_scheme_and_uri_around_an_upstream_name_needs_no_resolver():
    files = {"conf/nginx.conf": conf(
        "upstream app_backend { server 127.0.0.1:{port}; }\n" + server(
            'location /in { set $up_scheme http; set $up_uri /ok; proxy_pass $up_scheme://app_backend$up_uri; }\n'
            'location = /ok { return 200 "ok"; }'))}
    with Nginx(files) as ng:
        assert ng.start().status == 0
        assert ng.get("/in") == (200, "ok")  # no resolver: nginx finds the upstream block at request time
        assert not codes(ng.lint(), "LUA215")


def test_lua215_variable_pass_to_the_host_and_port_of_a_plain_pass_needs_no_resolver():
    """A proxy_pass without variables makes an upstream of its host and port; a proxy_pass with variables that comes
    to the same host and port uses it, and one to another port needs a resolver."""
    files = {"conf/nginx.conf": conf(server(
        "location /plain/ { proxy_pass http://localhost:{port}/; }\n"
        "location ~ ^/same/(.*)$ { proxy_pass http://localhost:{port}/$1; }\n"
        "location ~ ^/other/(.*)$ { proxy_pass http://localhost:1/$1; }\n"
        'location = /ok { return 200 "ok"; }'))}
    with Nginx(files) as ng:
        assert ng.start().status == 0
        assert ng.get("/same/ok") == (200, "ok")
        assert ng.get("/other/ok")[0] == 502
        assert "no resolver defined to resolve localhost" in ng.wait_for_log("no resolver")
        found = codes(ng.lint(), "LUA215")
        assert [f["line"] for f in found] == [conf_line(files, "localhost:1/")]


def test_lua215_variable_host_whose_every_value_is_an_address_needs_no_resolver():
    files = {"conf/nginx.conf": conf(
        "map $arg_to $backend { default 127.0.0.1:{port}; b [::1]:{port}; }\n" + server(
            'location /in { proxy_pass http://$backend/ok; }\n'
            'location = /ok { return 200 "ok"; }'))}
    with Nginx(files) as ng:
        assert ng.start().status == 0
        assert ng.get("/in") == (200, "ok")  # no resolver: nginx parses the address, nothing is looked up
        assert "no resolver" not in ng.error_log()
        assert not codes(ng.lint(), "LUA215")


def test_lua215_with_resolver_both_reach_the_backend():
    with FakeDns() as dns:
        files = _lua215(f"resolver 127.0.0.1:{dns.port} valid=30s ipv6=off;\n")
        with Nginx(files) as ng:
            assert ng.start().status == 0
            assert ng.get("/cosocket") == (200, "1 nil\n")
            assert ng.get("/proxyvar") == (200, "ok")
            assert "backend.oracle.test" in dns.queries
            assert not codes(ng.lint(), "LUA215")


# -- SEC569 -------------------------------------------------------------------------------------------------

def test_sec569_with_no_default_type_only_an_html_extension_makes_the_answer_html():
    """nginx's own default_type is text/plain; the types it knows without mime.types map html to text/html."""
    import urllib.request

    files = {"conf/nginx.conf": conf(server(
        " location = /geolookup { content_by_lua_block { ngx.print(ngx.req.get_uri_args().ip) } }\n"
        " location /lookup/ { content_by_lua_block { ngx.print(ngx.req.get_uri_args().ip) } }"))}
    with Nginx(files) as ng:
        assert ng.start().status == 0

        def content_type(path: str) -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{ng.port}{path}", timeout=3) as response:
                return response.headers["Content-Type"]

        assert content_type("/geolookup?ip=x") == "text/plain"
        assert content_type("/lookup/x?ip=x") == "text/plain"
        assert content_type("/lookup/x.html?ip=x") == "text/html"
        found = codes(ng.lint_deployed(), "SEC569")
        assert [f["line"] for f in found] == [conf_line(files, "location /lookup/")]


def test_sec569_the_request_uri_as_sent_stays_percent_encoded_until_decoded():
    """A browser sends `<` as %3C; $arg_*, $args and $request_uri keep it so, get_uri_args and $uri decode it."""
    files = {"conf/nginx.conf": conf(server(
        " default_type text/html;\n"
        " location /raw/ { content_by_lua_block {"
        " ngx.say(ngx.var.arg_q, ' ', ngx.var.args, ' ', ngx.var.request_uri) } }\n"
        " location /decoded/ { content_by_lua_block { ngx.say(ngx.req.get_uri_args().q, ' ', ngx.var.uri) } }"))}
    with Nginx(files) as ng:
        assert ng.start().status == 0
        assert ng.get("/raw/?q=%3Cb%3E") == (200, "%3Cb%3E q=%3Cb%3E /raw/?q=%3Cb%3E\n")
        assert ng.get("/decoded/%3Ci%3E?q=%3Cb%3E") == (200, "<b> /decoded/<i>\n")
        found = codes(ng.lint_deployed(), "SEC569")
        assert [f["line"] for f in found] == [conf_line(files, "location /decoded/")] * 2
