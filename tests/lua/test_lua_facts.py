"""Facts extracted from Lua code, with exact spans."""

from __future__ import annotations

import pickle

import pytest

from nginxlint.lua.facts import (
    STANDARD_GLOBALS,
    Cosocket,
    DictRef,
    Getenv,
    GlobalUse,
    LuaFacts,
    PromCall,
    Require,
    analyze_lua,
)
from nginxlint.lua.parser import LuaSyntaxError


def span_of(text: str, needle: str, occurrence: int = 1) -> tuple[int, int, int, int]:
    """Span of the n-th occurrence of needle, computed independently of the parser."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    end = index + len(needle)
    end_line = text.count("\n", 0, end) + 1
    end_column = end - (text.rfind("\n", 0, end) + 1) + 1
    return (line, column, end_line, end_column)


def refs(text):
    return analyze_lua(text).dict_refs


def test_field_and_index_forms():
    text = 'local a = ngx.shared.first\nlocal b = ngx.shared["with-dash"]\nngx.shared.third:get("k")'
    assert refs(text) == [
        DictRef("first", span_of(text, "first"), "field"),
        DictRef("with-dash", span_of(text, '"with-dash"'), "index"),
        DictRef("third", span_of(text, "third"), "field"),
    ]


def test_alias_of_ngx_shared():
    text = "local shared = ngx.shared\nlocal d = shared.foo\nlocal e = shared['bar']"
    assert refs(text) == [
        DictRef("foo", span_of(text, "foo"), "alias"),
        DictRef("bar", span_of(text, "'bar'"), "alias"),
    ]


def test_local_ngx_alias_still_resolves():
    text = "local ngx = ngx\nlocal ngx_shared = ngx.shared\nngx_shared.x:set('a', 1)"
    assert refs(text) == [DictRef("x", (3, 12, 3, 13), "alias")]


def test_module_upvalue_used_in_function():
    text = (
        "local result_dict = ngx.shared.monitor_status\n"
        "local function check()\n"
        "  local v = result_dict:get('k')\n"
        "end\n"
        "result_dict:set('a', 1)\n"
    )
    assert refs(text) == [
        DictRef("monitor_status", span_of(text, "monitor_status"), "field"),
        DictRef("monitor_status", span_of(text, "result_dict", 2), "upvalue"),
    ]


def test_string_constant_through_a_local():
    text = 'local DICT = "cache"\nlocal d = ngx.shared[DICT]'
    assert refs(text) == [DictRef("cache", span_of(text, "DICT", 2), "constant")]


def test_dynamic_name_is_recorded_unresolved():
    text = "local function f(name)\n  return ngx.shared[name], ngx.shared[conf.dict]\nend"
    assert refs(text) == [
        DictRef(None, span_of(text, "name", 2), "index"),
        DictRef(None, span_of(text, "conf.dict"), "index"),
    ]


def test_reassigned_constant_is_not_trusted_past_a_dynamic_value():
    text = 'local DICT = "a"\nDICT = get()\nlocal d = ngx.shared[DICT]'
    assert refs(text) == [DictRef(None, span_of(text, "DICT", 3), "index")]


def test_shadowing_local_named_ngx_is_not_ngx():
    text = "local function f(ngx)\n  return ngx.shared.nope\nend\nreturn ngx.shared.yes"
    assert [r.name for r in refs(text)] == ["yes"]


def test_scope_ends_with_block():
    text = "do local shared = ngx.shared end\nlocal x = shared.not_a_dict"
    assert refs(text) == []


def test_resty_lock_forms():
    text = (
        'local lock = require "resty.lock"\n'
        'local a = lock:new("locks_a")\n'
        'local b = lock.new(lock, "locks_b")\n'
        'local c = require("resty.lock"):new("locks_c", { timeout = 1 })\n'
        "local d = lock:new(name)\n"
    )
    assert refs(text) == [
        DictRef("locks_a", span_of(text, '"locks_a"'), "resty.lock"),
        DictRef("locks_b", span_of(text, '"locks_b"'), "resty.lock"),
        DictRef("locks_c", span_of(text, '"locks_c"'), "resty.lock"),
        DictRef(None, (5, 20, 5, 24), "resty.lock"),
    ]


def test_limit_traffic_and_counter():
    text = (
        'local limit_req = require "resty.limit.req"\n'
        'local lim = limit_req.new("req_store", 200, 100)\n'
        'local conn = require("resty.limit.conn").new("conn_store", 10, 5, 0.1)\n'
        'local cnt = require("resty.limit.count").new("count_store", 10, 60)\n'
        'local rc = require("prometheus_resty_counter").new("counter_dict", 1)\n'
    )
    assert [(r.name, r.how) for r in refs(text)] == [
        ("req_store", "resty.limit.req"), ("conn_store", "resty.limit.conn"),
        ("count_store", "resty.limit.count"), ("counter_dict", "prometheus_resty_counter"),
    ]
    assert refs(text)[0].span == span_of(text, '"req_store"')


def test_prometheus_init_and_metrics():
    text = (
        'prometheus = require("prometheus").init("prom_metrics", {prefix = "x_"})\n'
        'metric_requests = prometheus:counter("nginx_http_requests_total", "Requests", {"host"})\n'
        'local latency = prometheus:histogram("latency", "Latency")\n'
        "M.gauge = prometheus:gauge('g', 'G')\n"
        "prometheus:collect()\n"
    )
    facts = analyze_lua(text)
    assert facts.dict_refs == [DictRef("prom_metrics", span_of(text, '"prom_metrics"'), "prometheus")]
    first_line = text.splitlines()[0]
    assert facts.prometheus == [
        PromCall("init", "prom_metrics", (1, 14, 1, len(first_line) + 1), "prometheus", True),
        PromCall("counter", "prom_metrics", (2, 19, 2, len(text.splitlines()[1]) + 1), "metric_requests", True),
        PromCall("histogram", "prom_metrics", (3, 17, 3, len(text.splitlines()[2]) + 1), "latency", True),
        PromCall("gauge", "prom_metrics", (4, 11, 4, len(text.splitlines()[3]) + 1), "M.gauge", True),
        PromCall("collect", "prom_metrics", (5, 1, 5, 21), None, True),
    ]


def test_prometheus_default_dict_points_at_the_call():
    text = 'local prometheus = require("prometheus").init()'
    facts = analyze_lua(text)
    assert facts.dict_refs == [DictRef("prometheus_metrics", (1, 20, 1, 48), "prometheus")]
    assert facts.prometheus[0].dict == "prometheus_metrics"


def test_prometheus_global_from_another_phase():
    text = "prometheus:collect()\nlocal prometheus = {}\nprometheus:collect()"
    assert analyze_lua(text).prometheus == [PromCall("collect", None, (1, 1, 1, 21), None, True)]


def test_prometheus_calls_know_whether_they_run_with_the_chunk():
    text = (
        'local _M = {}\n'
        'if ngx.config then prometheus = require("prometheus").init("top") end\n'
        'function _M.init()\n'
        '  _M.prom = require("prometheus").init("in_function")\n'
        '  local later = function() prometheus:collect() end\n'
        'end\n'
        'prometheus:collect()\n'
        'return _M\n'
    )
    calls = [(c.kind, c.dict, c.top_level) for c in analyze_lua(text).prometheus]
    assert calls == [
        ("init", "top", True),
        ("init", "in_function", False),
        ("collect", "top", False),
        ("collect", "top", True),
    ]


def test_mlcache_and_option_tables():
    text = (
        'local mlcache = require "resty.mlcache"\n'
        'local c = mlcache.new("my_cache", "cache_shm", {\n'
        '  shm_miss = "cache_miss", shm_locks = "cache_locks", ipc_shm = "ipc_shm" })\n'
        'require("resty.upstream.healthcheck").spawn_checker{ shm = "healthcheck", upstream = "u" }\n'
        'require("resty.healthcheck").new({ name = "n", shm_name = "test_shm" })\n'
        'require("resty.worker.events").configure{ shm = "process_events" }\n'
    )
    found = refs(text)
    assert [(r.name, r.how) for r in found] == [
        ("cache_shm", "resty.mlcache"), ("cache_miss", "resty.mlcache"),
        ("cache_locks", "resty.mlcache"), ("ipc_shm", "resty.mlcache"),
        ("healthcheck", "resty.upstream.healthcheck"), ("test_shm", "resty.healthcheck"),
        ("process_events", "resty.worker.events"),
    ]
    assert found[1].span == span_of(text, '"cache_miss"')
    assert "my_cache" not in {r.name for r in found}  # arg 1 is a namespace, not a dict


def test_session_v4():
    text = (
        'local session = require "resty.session"\n'
        'session.init({ storage = "shm", shm = { zone = "my_sessions" } })\n'
        'session.start({ storage = "shm" })\n'
        'session.new({ storage = "cookie" })\n'
    )
    assert refs(text) == [
        DictRef("my_sessions", span_of(text, '"my_sessions"'), "resty.session"),
        DictRef("sessions", span_of(text, 'session.start({ storage = "shm" })'), "resty.session"),
    ]


def test_requires():
    text = (
        'local a = require "mod.a"\nlocal b = require("mod.b")\nlocal c = require \'mod.c\'\n'
        "local d = require [[mod.d]]\nlocal r = require\nlocal e = r('mod.e')\nlocal f = require(name)\n"
    )
    assert analyze_lua(text).requires == [
        Require("mod.a", span_of(text, '"mod.a"')),
        Require("mod.b", span_of(text, '"mod.b"')),
        Require("mod.c", span_of(text, "'mod.c'")),
        Require("mod.d", span_of(text, "[[mod.d]]")),
        Require("mod.e", span_of(text, "'mod.e'")),
        Require(None, span_of(text, "name")),
    ]


def test_require_shadowed_by_a_parameter_is_not_require():
    assert analyze_lua("local function f(require) return require('x') end").requires == []


def test_getenv():
    text = ('local h = os.getenv("HOME")\nlocal getenv = os.getenv\nlocal p = getenv("PORT")\nos.getenv(v)\n'
            'local function f() return os.getenv("LATER") end')
    assert analyze_lua(text).getenvs == [
        Getenv("HOME", span_of(text, '"HOME"'), top_level=True),
        Getenv("PORT", span_of(text, '"PORT"'), top_level=True),
        Getenv(None, (4, 11, 4, 12), top_level=True),
        Getenv("LATER", span_of(text, '"LATER"')),  # in a function body: run when it is called
    ]


@pytest.mark.parametrize("code, handled", [
    ('local s = os.getenv("X") or ""', True),
    ('local s = os.getenv("X")\nif (s == nil) then s = "" end', True),
    ('local s = os.getenv("X")\nif not s then return end', True),
    ('local s = os.getenv("X")\nif s then ngx.say(s) end', True),
    ('local on = os.getenv("X") == "1"', True),
    ('local s = os.getenv("X")\nngx.say("users" .. s)', False),
    ('ngx.say(os.getenv("X") .. "")', False),
])
def test_getenv_handles_nil(code, handled):
    assert [use.handles_nil for use in analyze_lua(code).getenvs] == [handled]


def test_globals_with_lua_scoping():
    text = (
        "local a = b\n"             # b read
        "c = a\n"                   # c written
        "local function f(p)\n"
        "  local q = p + r\n"       # r read
        "  return f(q)\n"           # f is local inside itself
        "end\n"
        "function g() return g end\n"  # g written, then read (global)
        "for i = 1, n do x = i end\n"  # n read, x written
        "repeat local z = 1 until z\n"  # z local in until
        "local a = a\n"             # a: the previous local
        "t.k = 1\n"                 # t read
    )
    facts = analyze_lua(text)
    assert facts.global_reads == [
        GlobalUse("b", (1, 11, 1, 12)), GlobalUse("r", (4, 17, 4, 18)),
        GlobalUse("g", (7, 21, 7, 22)), GlobalUse("n", (8, 12, 8, 13)), GlobalUse("t", (11, 1, 11, 2), "index"),
    ]
    assert facts.global_writes == [
        GlobalUse("c", (2, 1, 2, 2)), GlobalUse("g", (7, 10, 7, 11)), GlobalUse("x", (8, 17, 8, 18)),
    ]


def test_a_global_read_says_whether_it_is_indexed_or_called_at_once():
    facts = analyze_lua("log(desc)\nlocal n = stats.n + cache[1]\nobj:m()\nif x == nil then end\n")
    assert [(g.name, g.used_as) for g in facts.global_reads] == [
        ("log", "call"), ("desc", None), ("stats", "index"), ("cache", "index"), ("obj", "index"), ("x", None)]


def test_local_is_visible_only_after_its_statement():
    facts = analyze_lua("local x = x\nlocal f = function() return f end")
    assert [g.name for g in facts.global_reads] == ["x", "f"]


def test_method_self_is_local():
    facts = analyze_lua("function M:m() return self end")
    assert [g.name for g in facts.global_reads] == ["M"]


def test_cosockets():
    text = (
        'local http = require "resty.http"\n'
        "local httpc = http.new()\n"
        'local res = httpc:request_uri("https://api.example.com:8443/v1", {})\n'
        'local redis = require "resty.redis"\n'
        "local red = redis:new()\n"
        'red:connect("redis.default.svc", 6379)\n'
        "local sock = ngx.socket.tcp()\n"
        'sock:connect("10.0.0.1", 80)\n'
        "local u = ngx.socket.udp()\n"
        "local c2 = http.new()\n"
        'c2:connect({ scheme = "http", host = "opt.host", port = 80 })\n'
    )
    assert analyze_lua(text).cosockets == [
        Cosocket("resty.http", span_of(text, '"resty.http"'), None),
        Cosocket("resty.http", span_of(text, 'httpc:request_uri("https://api.example.com:8443/v1", {})'),
                 "api.example.com"),
        Cosocket("resty.redis", span_of(text, '"resty.redis"'), None),
        Cosocket("resty.redis", span_of(text, 'red:connect("redis.default.svc", 6379)'), "redis.default.svc"),
        Cosocket("tcp", span_of(text, "ngx.socket.tcp()"), None),
        Cosocket("tcp", span_of(text, 'sock:connect("10.0.0.1", 80)'), "10.0.0.1"),
        Cosocket("udp", span_of(text, "ngx.socket.udp()"), None),
        Cosocket("resty.http", span_of(text, 'c2:connect({ scheme = "http", host = "opt.host", port = 80 })'),
                 "opt.host"),
    ]


def test_standard_globals():
    for name in ("ngx", "ndk", "bit", "jit", "coroutine", "string", "unpack", "setfenv", "_G"):
        assert name in STANDARD_GLOBALS
    assert "ffi" not in STANDARD_GLOBALS


def test_facts_are_picklable_and_syntax_errors_propagate():
    facts = analyze_lua("local d = ngx.shared.x")
    assert isinstance(facts, LuaFacts)
    assert pickle.loads(pickle.dumps(facts)) == facts
    with pytest.raises(LuaSyntaxError):
        analyze_lua("local = ngx.shared.x")


def test_facts_on_deeply_nested_code():
    depth = 180
    text = "x = " + "function() return " * (depth // 2) + "ngx.shared.deep" + " end" * (depth // 2)
    assert [r.name for r in analyze_lua(text).dict_refs] == ["deep"]


def test_analysis_is_linear_in_input_size():
    import time

    unit = "do local d = ngx.shared.d{n}\nlocal function f{n}(a) return d:get(a) .. os.getenv('X') end end\n"

    def cost(count):
        text = "".join(unit.format(n=i % 150) for i in range(count))
        start = time.perf_counter()
        analyze_lua(text)
        return time.perf_counter() - start

    cost(100)
    small, large = min(cost(500) for _ in range(3)), min(cost(4000) for _ in range(3))
    assert large < small * 8 * 2.5


CHAIN = 20_000


@pytest.mark.parametrize("operator", ["or", "+", ".."])
def test_long_operator_chains_are_walked_without_recursion(operator):
    # `..` nests to the right, and LuaJIT (like the parser) stops at 200 levels: parenthesised groups keep the
    # chain long and every group shallow
    operand = "(a .. b)" if operator == ".." else "a"
    joiner = " or " if operator == ".." else f" {operator} "
    text = "local x = " + joiner.join([operand] * CHAIN) + joiner + "ngx.shared.last"
    facts = analyze_lua(text)
    column = len(text) - len("last") + 1
    assert facts.dict_refs == [DictRef("last", (1, column, 1, column + 4), "field")]
    assert len(facts.global_reads) == CHAIN * (2 if operator == ".." else 1) + 1


def test_long_unary_operands_in_a_chain():
    text = "local x = " + " + ".join(["-a.b"] * CHAIN) + " + #ngx.shared.z"
    facts = analyze_lua(text)
    assert [r.name for r in facts.dict_refs] == ["z"]
    assert len(facts.global_reads) == CHAIN + 1


@pytest.mark.parametrize("suffix", [".b", "()", ":m()", "[1]", "'s'", ".b:c().d[1]"])
def test_long_suffix_chains_are_walked_without_recursion(suffix):
    text = "local lock = require('resty.lock')" + suffix * CHAIN + "\nlocal v = ngx.shared.d" + suffix * CHAIN
    facts = analyze_lua(text)
    assert [r.module for r in facts.requires] == ["resty.lock"]
    assert facts.dict_refs == [DictRef("d", (2, 22, 2, 23), "field")]


def test_twenty_thousand_element_concatenation_is_a_syntax_error_as_in_luajit():
    with pytest.raises(LuaSyntaxError, match="chunk has too many syntax levels"):
        analyze_lua("local x = " + " .. ".join(["a"] * CHAIN))


def _nested(opening: str, closing: str, inner: str, prefix: str = "") -> str:
    """The deepest nesting of one construct that the parser (like LuaJIT) accepts."""
    low, high = 1, 400
    while low < high:
        middle = (low + high + 1) // 2
        try:
            analyze_lua(prefix + opening * middle + inner + closing * middle)
            low = middle
        except LuaSyntaxError:
            high = middle - 1
    return prefix + opening * low + inner + closing * low


@pytest.mark.parametrize("opening, closing, inner, prefix", [
    ("local f = function() ", " end", "x = ngx.shared.d", ""),
    ("f(function() ", " end)", "x = ngx.shared.d", ""),
    ("a:b(function() ", " end)", "x = ngx.shared.d", ""),
    ("x = {function() ", " end}", "x = ngx.shared.d", ""),
    ("if a then ", " end", "x = ngx.shared.d", ""),
    ("f(", ")", "ngx.shared.d", "x = "),
    ("{", "}", "ngx.shared.d", "x = "),
])
def test_deepest_valid_nesting_leaves_stack_to_spare(opening, closing, inner, prefix):
    import sys

    text = _nested(opening, closing, inner, prefix)
    assert text.count(opening) > 60  # LuaJIT's cap: 200 syntax levels, two or three per nesting here
    spare = 250  # frames a caller (the CLI, a test runner) may already use, beyond the ones in use here

    def below(frames: int):
        return analyze_lua(text) if frames == 0 else below(frames - 1)

    assert sys.getrecursionlimit() == 1000  # the walk does not depend on a raised limit
    facts = below(spare)
    assert [r.name for r in facts.dict_refs] == ["d"]
    assert sys.getrecursionlimit() == 1000
