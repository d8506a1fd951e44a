"""LUA216 against a real nginx with ngx_lua: for each class of phase (init, init_worker, set, header and body filter,
log, balancer, timer) the API the rule reports really fails there, with the words the rule quotes, and the same code
where nginxlint is quiet (the API moved to where it works) runs; nginxlint reports exactly the failing call, on the
very same files.
"""
from __future__ import annotations

import http.client

import pytest

from nginx_harness import Nginx, http_preamble, main_preamble, unavailable


@pytest.fixture(scope="module", autouse=True)
def _nginx_with_lua():
    reason = unavailable()
    if reason:
        pytest.skip(reason)


def conf(http_body: str) -> str:
    return (f"{main_preamble()}events {{ worker_connections 64; }}\n"
            f"http {{\n{http_preamble()}\n{http_body}\n}}\n")


def server(locations: str) -> str:
    return f"server {{\n listen 127.0.0.1:{{port}};\n location = /ok {{ return 200 \"ok\"; }}\n{locations}\n}}"


def upstream(balancer: str) -> str:
    return f"upstream backend {{\n server 127.0.0.1:{{port}};\n balancer_by_lua_block {{ {balancer} }}\n}}\n"



def fetch(ng: Nginx, path: str):
    """The status of GET path, or None when nginx closes the connection without a response."""
    try:
        return ng.get(path)[0]
    except (OSError, http.client.HTTPException):
        return None


def lua216(ng: Nginx) -> list[tuple[int, int]]:
    return [(f["line"], f["column"]) for f in ng.lint() if f["code"] == "LUA216"]


def position(files: dict, needle: str) -> tuple[int, int]:
    for number, line in enumerate(files["conf/nginx.conf"].split("\n"), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


# (phase, the http block with the failing call (marked by CALL), the call, nginx's words, what the good version
# writes instead of the call)
CASES = [
    ("init", "init_by_lua_block { local loaded = true if loaded then CALL end }\n" + server(""),
     "ngx.exit(0)", "no request found", "error('not ready')"),
    ("init_worker", "init_worker_by_lua_block { CALL ngx.log(ngx.NOTICE, 'WORKER-READY') }\n" + server(""),
     "ngx.sleep(0.01)", "API disabled in the context of init_worker_by_lua*",
     "ngx.timer.at(0, function() ngx.sleep(0.01) end)"),
    ("set", server('location = /t { set_by_lua_block $v { local r = CALL return "x" } return 200 "$v"; }'),
     'ngx.location.capture("/ok")', "API disabled in the context of set_by_lua*", 'ngx.md5("ok")'),
    ("header_filter", server('location = /t { header_filter_by_lua_block { CALL } return 200 "body"; }'),
     'ngx.say("x")', "API disabled in the context of header_filter_by_lua*", 'ngx.header["X-A"] = "b"'),
    ("body_filter", server('location = /t { body_filter_by_lua_block { if ngx.arg[2] then CALL end } '
                           'return 200 "body"; }'),
     "ngx.exit(500)", "API disabled in the context of body_filter_by_lua*",
     'ngx.arg[1] = string.upper(ngx.arg[1] or "")'),
    ("log", server('location = /t { log_by_lua_block { local sock = CALL ngx.log(ngx.NOTICE, "LOG-DONE") } '
                   'return 200 "ok"; }'),
     "ngx.socket.tcp()", "API disabled in the context of log_by_lua*",
     "ngx.timer.at(0, function() ngx.socket.tcp() end)"),
    ("balancer", upstream("CALL") + server("location = /t { proxy_pass http://backend/ok; }"),
     "ngx.sleep(0.01)", "API disabled in the context of balancer_by_lua*", "ngx.log(ngx.INFO, 'peer')"),
    ("timer", server('location = /t { content_by_lua_block { ngx.timer.at(0, function() local u = CALL '
                     'ngx.log(ngx.NOTICE, "TIMER-DONE") end) ngx.say("ok") } }'),
     "ngx.var.uri", "API disabled in the current context", "ngx.worker.id()"),
]


@pytest.mark.parametrize("phase, body, call, said, fixed", CASES, ids=[c[0] for c in CASES])
def test_lua216_call_fails_in_its_phase(phase, body, call, said, fixed):
    files = {"conf/nginx.conf": conf(body.replace("CALL", call))}
    with Nginx(files) as ng:
        assert ng.test().status == 0  # nginx -t runs no Lua
        started = ng.start()
        if phase == "init":
            assert started.status != 0
            assert said in started.stderr
        else:
            assert started.status == 0, started.stderr
            if phase != "init_worker":
                status = fetch(ng, "/t")
                if phase in ("set", "balancer"):
                    assert status == 500
                elif phase in ("header_filter", "body_filter"):
                    assert status is None  # the response is aborted: the client gets nothing it can read
            log = ng.wait_for_log(said)
            assert said in log
            for after in ("WORKER-READY", "LOG-DONE", "TIMER-DONE"):  # the code after the call never runs
                assert after not in log
        assert lua216(ng) == [position(files, call)]


@pytest.mark.parametrize("phase, body, call, said, fixed", CASES, ids=[c[0] for c in CASES])
def test_lua216_quiet_where_the_call_works(phase, body, call, said, fixed):
    files = {"conf/nginx.conf": conf(body.replace("CALL", fixed if phase != "init" else "")
                                     if phase == "init" else body.replace("CALL", fixed))}
    with Nginx(files) as ng:
        started = ng.start()
        assert started.status == 0, started.stderr
        if phase not in ("init", "init_worker"):
            assert ng.get("/t")[0] == 200
        marker = {"init_worker": "WORKER-READY", "log": "LOG-DONE", "timer": "TIMER-DONE"}.get(phase)
        log = ng.wait_for_log(marker) if marker else ng.error_log()
        assert said not in log
        assert marker is None or marker in log
        assert lua216(ng) == []


@pytest.mark.parametrize("branch", [
    "if not ready then ngx.log(ngx.ERR, 'CONFIG-MISSING') ngx.exit(1) end",
    "if not ready then ngx.exit(1) end",
])
def test_lua216_quiet_where_ngx_exit_ends_a_failure_branch_of_init(branch):
    # the error ngx.exit raises in init_by_lua* aborts the start, which is what the failure branch is for
    files = {"conf/nginx.conf": conf("init_by_lua_block { local ready = false " + branch + " }\n" + server(""))}
    with Nginx(files) as ng:
        started = ng.start()
        assert started.status != 0 and "no request found" in started.stderr
        assert "CONFIG-MISSING" in started.stderr or "CONFIG-MISSING" not in branch
        assert lua216(ng) == []
