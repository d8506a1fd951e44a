"""check_directive and the directive tables, without nginx."""

import crossplane.analyzer
import pytest

from nginxlint.nginx.directives import (
    LUA_BLOCK_DIRECTIVES, LUA_PHASE, STOCK_INCLUDE_FILES, UNIQUE_DIRECTIVES, Problem, check_directive,
    context_of, is_known,
)

HTTP = ("http",)
SRV = ("http", "server")
LOC = ("http", "location")
LIF = ("http", "location", "if")
SIF = ("http", "server", "if")
UPS = ("http", "upstream")
LMT = ("http", "location", "limit_except")
STREAM = ("stream",)
S_SRV = ("stream", "server")
S_UPS = ("stream", "upstream")


def code(name, args, ctx, is_block=False, extra=frozenset()):
    problem = check_directive(name, args, ctx, is_block, extra)
    return problem and problem.code


# -- the three kinds of problem, with nginx's words ---------------------------------------------

def test_unknown_directive():
    assert check_directive("foo", ["1"], HTTP, False) == Problem("NGX004", 'unknown directive "foo"', None)


def test_unknown_directive_is_case_sensitive_like_nginx():
    assert code("Server_Tokens", ["off"], HTTP) == "NGX004"


def test_extra_names_are_accepted_anywhere():
    assert check_directive("my_module_thing", [], LOC, False, frozenset({"my_module_thing"})) is None


def test_not_allowed_here():
    problem = check_directive("content_by_lua_block", [], SRV, True)
    assert problem == Problem("NGX005", '"content_by_lua_block" directive is not allowed here', None)


def test_invalid_flag_value_points_at_the_argument():
    problem = check_directive("gzip", ["yes"], HTTP, False)
    assert problem == Problem("NGX006", 'invalid value "yes" in "gzip" directive, it must be "on" or "off"', 0)


def test_flag_values_are_case_insensitive():
    assert check_directive("gzip", ["ON"], HTTP, False) is None
    assert check_directive("gzip", ["Off"], HTTP, False) is None


def test_flag_with_two_arguments_is_a_count_problem():
    problem = check_directive("gzip", ["on", "off"], HTTP, False)
    assert problem == Problem("NGX006", 'invalid number of arguments in "gzip" directive', 1)


def test_missing_argument_points_at_the_name():
    problem = check_directive("proxy_pass", [], LOC, False)
    assert problem == Problem("NGX006", 'invalid number of arguments in "proxy_pass" directive', None)


def test_surplus_argument_is_pointed_at():
    problem = check_directive("proxy_pass", ["http://a", "http://b", "c"], LOC, False)
    assert problem.arg_index == 1


def test_block_directive_without_block():
    problem = check_directive("server", [], HTTP, False)
    assert problem == Problem("NGX006", 'directive "server" has no opening "{"', None)


def test_simple_directive_given_a_block():
    problem = check_directive("proxy_pass", ["http://a"], LOC, True)
    assert problem == Problem("NGX006", 'directive "proxy_pass" is not terminated by ";"', None)


def test_lua_block_given_a_string():
    problem = check_directive("content_by_lua_block", ["ngx.say(1)"], LOC, False)
    assert problem.message == 'directive "content_by_lua_block" has no opening "{"'


def test_context_is_checked_before_arguments():
    assert code("lua_shared_dict", [], SRV) == "NGX005"


# -- contexts -----------------------------------------------------------------------------------

def test_free_form_blocks_are_not_checked():
    for ctx in [("http", "map"), ("http", "types"), ("http", "geo"), ("http", "upstream", "x"),
                ("http", "split_clients"), ("stream", "map"), ("http", "foo"), ("lua",)]:
        assert check_directive("anything_goes", ["x"], ctx, False) is None, ctx


def test_context_of_collapses_nested_locations():
    assert context_of(SRV, "location") == LOC
    assert context_of(LOC, "location") == LOC
    assert context_of(LOC, "if") == LIF
    assert context_of(SRV, "if") == SIF
    assert context_of(LOC, "limit_except") == LMT
    assert context_of((), "http") == HTTP
    assert context_of(HTTP, "map") == ("http", "map")
    assert context_of(STREAM, "server") == S_SRV


def test_stream_location_is_not_http_location():
    assert context_of(S_SRV, "location") == ("stream", "server", "location")


def test_include_works_in_every_context():
    for ctx in [(), ("events",), HTTP, SRV, LOC, LIF, SIF, LMT, UPS, STREAM, S_SRV, S_UPS, ("mail",)]:
        assert check_directive("include", ["x.conf"], ctx, False) is None, ctx


# -- lua-nginx-module and stream-lua-nginx-module ----------------------------------------------

@pytest.mark.parametrize("ctx, expected", [
    (LOC, None), (LIF, None), (SRV, "NGX005"), (HTTP, "NGX005"), (SIF, "NGX005"), (UPS, "NGX005"),
    (S_SRV, None), (STREAM, "NGX005"), ((), "NGX005"),
])
def test_content_by_lua_block_contexts(ctx, expected):
    assert code("content_by_lua_block", [], ctx, True) == expected


@pytest.mark.parametrize("name, good, bad", [
    ("init_by_lua_block", [HTTP, STREAM], [SRV, LOC, S_SRV, ()]),
    ("init_worker_by_lua_block", [HTTP, STREAM], [SRV, LOC]),
    ("exit_worker_by_lua_block", [HTTP], [SRV, LOC]),
    ("server_rewrite_by_lua_block", [HTTP, SRV], [LOC, LIF]),
    ("rewrite_by_lua_block", [HTTP, SRV, LOC, LIF], [SIF, UPS, S_SRV]),
    ("access_by_lua_block", [HTTP, SRV, LOC, LIF], [SIF, UPS, LMT]),
    ("precontent_by_lua_block", [HTTP, SRV, LOC, LIF], [SIF, UPS]),
    ("header_filter_by_lua_block", [HTTP, SRV, LOC, LIF], [SIF]),
    ("body_filter_by_lua_block", [HTTP, SRV, LOC, LIF], [SIF]),
    ("log_by_lua_block", [HTTP, SRV, LOC, LIF, STREAM, S_SRV], [SIF, UPS]),
    ("balancer_by_lua_block", [UPS, S_UPS], [HTTP, SRV, LOC]),
    ("ssl_client_hello_by_lua_block", [HTTP, SRV, STREAM, S_SRV], [LOC]),
    ("ssl_certificate_by_lua_block", [HTTP, SRV, STREAM, S_SRV], [LOC]),
    ("ssl_session_fetch_by_lua_block", [HTTP], [SRV, LOC]),
    ("ssl_session_store_by_lua_block", [HTTP], [SRV, LOC]),
    ("proxy_ssl_certificate_by_lua_block", [LOC, LIF, S_SRV], [HTTP, SRV]),
    ("proxy_ssl_verify_by_lua_block", [LOC, LIF, S_SRV], [HTTP, SRV]),
    ("preread_by_lua_block", [STREAM, S_SRV], [HTTP, SRV, LOC]),
])
def test_lua_block_contexts(name, good, bad):
    for ctx in good:
        assert check_directive(name, [], ctx, True) is None, ctx
    for ctx in bad:
        assert code(name, [], ctx, True) == "NGX005", ctx


def test_lua_block_takes_no_arguments():
    assert code("access_by_lua_block", ["x"], LOC, True) == "NGX006"


def test_set_by_lua_forms():
    assert check_directive("set_by_lua_block", ["$res"], LOC, True) is None
    assert check_directive("set_by_lua_block", ["$res"], SIF, True) is None
    assert code("set_by_lua_block", [], LOC, True) == "NGX006"
    assert code("set_by_lua_block", ["$res"], HTTP, True) == "NGX005"
    assert check_directive("set_by_lua_file", ["$res", "a.lua", "$arg_x"], LOC, False) is None
    assert code("set_by_lua_file", ["$res"], LOC, False) == "NGX006"
    assert check_directive("set_by_lua", ["$res", "return 1"], SRV, False) is None


def test_file_and_string_forms_take_one_argument():
    assert check_directive("access_by_lua_file", ["a.lua"], LOC, False) is None
    assert code("access_by_lua_file", [], LOC, False) == "NGX006"
    assert code("access_by_lua_file", ["a.lua", "b"], LOC, False) == "NGX006"
    assert check_directive("content_by_lua", ["ngx.say(1)"], LOC, False) is None
    assert not is_known("exit_worker_by_lua")  # no string form for this phase


def test_lua_settings():
    assert check_directive("lua_shared_dict", ["d", "10m"], HTTP, False) is None
    assert check_directive("lua_shared_dict", ["d", "10m"], STREAM, False) is None
    assert code("lua_shared_dict", ["d"], HTTP) == "NGX006"
    assert code("lua_shared_dict", ["d", "10m"], SRV) == "NGX005"
    assert check_directive("lua_package_path", ["/a/?.lua;;"], HTTP, False) is None
    assert code("lua_package_path", ["/a/?.lua;;"], LOC) == "NGX005"
    assert check_directive("lua_code_cache", ["off"], LIF, False) is None
    assert code("lua_code_cache", ["off"], SIF) == "NGX005"
    assert code("lua_code_cache", ["no"], LOC) == "NGX006"
    assert check_directive("balancer_keepalive", ["10"], UPS, False) is None
    assert check_directive("lua_ssl_conf_command", ["Options", "x"], LOC, False) is None
    assert check_directive("lua_add_variable", ["$v"], STREAM, False) is None


def test_lua_block_directives_are_every_block_form():
    assert LUA_BLOCK_DIRECTIVES == {
        "init_by_lua_block", "init_worker_by_lua_block", "exit_worker_by_lua_block", "set_by_lua_block",
        "server_rewrite_by_lua_block", "rewrite_by_lua_block", "access_by_lua_block",
        "precontent_by_lua_block", "content_by_lua_block", "header_filter_by_lua_block",
        "body_filter_by_lua_block", "log_by_lua_block", "balancer_by_lua_block",
        "ssl_client_hello_by_lua_block", "ssl_certificate_by_lua_block", "ssl_session_fetch_by_lua_block",
        "ssl_session_store_by_lua_block", "proxy_ssl_certificate_by_lua_block",
        "proxy_ssl_verify_by_lua_block", "preread_by_lua_block",
    }


def test_lua_phase_names_every_form():
    assert set(LUA_PHASE.values()) == {
        "init", "init_worker", "exit_worker", "set", "server_rewrite", "rewrite", "access", "precontent",
        "content", "header_filter", "body_filter", "log", "balancer", "ssl_client_hello", "ssl_certificate",
        "ssl_session_fetch", "ssl_session_store", "proxy_ssl_certificate", "proxy_ssl_verify", "preread",
    }
    assert LUA_PHASE["access_by_lua_block"] == LUA_PHASE["access_by_lua_file"] == LUA_PHASE["access_by_lua"]
    assert LUA_PHASE["set_by_lua_file"] == "set"
    assert "lua_code_cache" not in LUA_PHASE and "rewrite_by_lua_no_postpone" not in LUA_PHASE
    for name, phase in LUA_PHASE.items():
        assert name.startswith(phase + "_by_lua"), name
        assert is_known(name)


# -- core additions and fixes over crossplane ---------------------------------------------------

def test_newer_core_directives_are_known():
    assert check_directive("http2", ["on"], SRV, False) is None
    assert code("http2", ["on"], LOC) == "NGX005"
    assert check_directive("ssl_reject_handshake", ["on"], SRV, False) is None
    assert check_directive("ssl_conf_command", ["Options", "PrioritizeChaCha"], SRV, False) is None
    assert check_directive("proxy_half_close", ["on"], S_SRV, False) is None
    assert check_directive("quic_retry", ["on"], SRV, False) is None
    assert check_directive("set", ["$a", "1"], S_SRV, False) is None
    assert check_directive("resolver", ["10.0.0.2"], UPS, False) is None
    assert check_directive("keepalive_time", ["1h"], UPS, False) is None


def test_argument_fixes_over_crossplane():
    assert code("limit_req_dry_run", ["yes"], HTTP) == "NGX006"
    assert check_directive("limit_req_dry_run", ["on"], HTTP, False) is None
    assert code("proxy_cookie_flags", ["a", "b", "c", "d", "e"], LOC) == "NGX006"


def test_crossplane_table_is_not_modified():
    assert "content_by_lua_block" not in crossplane.analyzer.DIRECTIVES
    assert "ssl_reject_handshake" not in crossplane.analyzer.DIRECTIVES
    assert crossplane.analyzer.DIRECTIVES["limit_req_dry_run"][0] & crossplane.analyzer.NGX_CONF_FLAG == 0


def test_crossplane_directives_are_all_known():
    assert all(is_known(name) for name in crossplane.analyzer.DIRECTIVES)


# -- third-party modules ------------------------------------------------------------------------

@pytest.mark.parametrize("name, args, ctx", [
    ("more_set_headers", ["Server: x"], LOC),
    ("more_clear_headers", ["Server"], LIF),
    ("more_set_input_headers", ["X: y"], HTTP),
    ("set_escape_uri", ["$a", "$b"], LOC),
    ("set_md5", ["$a", "$b"], SIF),
    ("echo", ["hello"], LOC),
    ("echo_location_async", ["/x"], LIF),
    ("srcache_fetch", ["GET", "/memc", "$key"], LOC),
    ("redis2_query", ["get", "a"], LOC),
    ("memc_pass", ["127.0.0.1:11211"], LOC),
    ("rds_json", ["on"], LOC),
    ("array_split", [",", "$a"], LOC),
    ("encrypted_session_key", ["k"], HTTP),
    ("set_form_input", ["$a"], LOC),
    ("drizzle_server", ["127.0.0.1", "dbname=x"], UPS),
    ("postgres_pass", ["db"], LOC),
    ("vhost_traffic_status_zone", [], HTTP),
    ("brotli", ["on"], SRV),
    ("geoip2", ["/db.mmdb"], HTTP),
    ("modsecurity", ["on"], LOC),
    ("js_import", ["main.js"], HTTP),
    ("js_set", ["$a", "main.f", "nocache"], LOC),
    ("otel_trace", ["on"], LOC),
    ("dyups_interface", [], LOC),
    ("dyups_shm_zone_size", ["2m"], HTTP),
    ("dyups_upstream_conf", ["conf/upstream.conf"], HTTP),
])
def test_third_party_directives(name, args, ctx):
    assert check_directive(name, args, ctx, name == "geoip2") is None


def test_third_party_contexts_still_matter():
    assert code("more_set_headers", ["Server: x"], UPS) == "NGX005"
    assert code("echo", ["x"], HTTP) == "NGX005"
    assert code("brotli", ["yes"], SRV) == "NGX006"
    assert code("dyups_interface", ["on"], LOC) == "NGX006"
    assert code("dyups_shm_zone_size", ["2m"], SRV) == "NGX005"


# -- constants ----------------------------------------------------------------------------------

def test_stock_include_files():
    assert STOCK_INCLUDE_FILES == {
        "mime.types", "fastcgi_params", "fastcgi.conf", "scgi_params", "uwsgi_params", "koi-utf", "koi-win",
        "win-utf",
    }


def test_unique_directives():
    for name in ["daemon", "worker_processes", "pid", "user", "worker_connections", "root", "alias",
                 "proxy_pass", "fastcgi_pass", "lua_code_cache", "lua_package_path", "client_max_body_size",
                 "keepalive_timeout", "sendfile", "gzip", "server_tokens", "access_by_lua_block",
                 "content_by_lua_file", "init_by_lua"]:
        assert name in UNIQUE_DIRECTIVES, name
    # repeatable: several values, one per occurrence
    for name in ["index", "add_header", "listen", "server_name", "error_log", "access_log", "include",
                 "set", "set_by_lua_block", "lua_shared_dict", "proxy_set_header", "env", "location",
                 "error_page", "worker_priority", "proxy_redirect", "lua_ssl_certificate"]:
        assert name not in UNIQUE_DIRECTIVES, name
    assert all(is_known(name) for name in UNIQUE_DIRECTIVES)


def test_every_known_directive_has_a_context():
    from nginxlint.nginx.directives import _TABLE

    every_context = 0
    for mask in crossplane.analyzer.CONTEXTS.values():
        every_context |= mask
    for name, masks in _TABLE.items():
        assert masks and all(isinstance(m, int) and m & every_context for m in masks), name


def test_every_directive_nginx_documents_a_release_for_is_known():
    """directive_versions.tsv lists what nginx's documentation says appeared in a release: each is a directive the
    tables know, or a config using it is told its directive is unknown (NGX004)."""
    from nginxlint.nginx import releases

    releases.directive_since("http", "add_header")  # reads the table
    documented = {name for _subsystem, name in releases._DIRECTIVE_SINCE if ":" not in name}
    assert sorted(name for name in documented if not is_known(name)) == []


def test_every_directive_nginx_documents_a_release_for_goes_in_its_module_s_blocks():
    """A directive documented for stream (`server_name`, 1.25.5) is allowed in a stream block, not only where its
    http namesake goes: else a config using it is told it is not allowed there (NGX005)."""
    from nginxlint.nginx import releases

    releases.directive_since("http", "add_header")  # reads the table
    blocks = {"http": [("http",), ("http", "server"), ("http", "server", "location"), ("http", "upstream"),
                       ("http", "server", "location", "limit_except")],
              "stream": [("stream",), ("stream", "server"), ("stream", "upstream")]}
    placed = {}
    for subsystem, name in releases._DIRECTIVE_SINCE:
        if subsystem in blocks and ":" not in name and name != subsystem:
            placed[(subsystem, name)] = any(
                getattr(check_directive(name, ["x"], ctx, block, frozenset()), "code", None) != "NGX005"
                for ctx in blocks[subsystem] for block in (False, True))
    assert sorted(key for key, allowed in placed.items() if not allowed) == []


def test_add_header_inherit_goes_where_add_header_does():
    for ctx in (HTTP, SRV, LOC, LIF):
        assert code("add_header_inherit", ["merge"], ctx) is None
    assert code("add_header_inherit", ["merge"], STREAM) == "NGX005"
