"""check_directive and UNIQUE_DIRECTIVES against a real nginx: same verdict, same words.

Runs ``nginx -t`` (never starts nginx) on small configs: Debian nginx 1.22 with NDK and ngx_lua
0.10.23. Skipped when nginx or the lua module is absent. Set NGINXLINT_FULL_ORACLE=1 to also sweep
every directive the local nginx knows through every context and argument count (a minute or two).
"""

from __future__ import annotations

import os
import shlex
from concurrent.futures import ThreadPoolExecutor

import pytest

import directives_oracle as oracle
from nginxlint.nginx.directives import LUA_PHASE, UNIQUE_DIRECTIVES, check_directive, is_known
from nginxlint.nginx.directives_lua import LUA_DIRECTIVES

REASON = oracle.available()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")

MAIN = ()
EVENTS = ("events",)
HTTP = ("http",)
SRV = ("http", "server")
LOC = ("http", "location")
LIF = ("http", "location", "if")
SIF = ("http", "server", "if")
LMT = ("http", "location", "limit_except")
UPS = ("http", "upstream")

# Known to our table (we target current OpenResty and nginx), unknown to nginx 1.22 + ngx_lua 0.10.23:
# left out of the comparisons.
NEWER_THAN_LOCAL = frozenset({
    "stream", "mail",  # dynamic modules Debian does not load by default (libnginx-mod-stream, -mail)
    "precontent_by_lua_block", "precontent_by_lua_file", "precontent_by_lua_no_postpone",  # ngx_lua 0.10.30
    "proxy_ssl_certificate_by_lua_block", "proxy_ssl_certificate_by_lua_file",  # 0.10.30
    "proxy_ssl_verify_by_lua_block", "proxy_ssl_verify_by_lua_file",  # 0.10.29
    "lua_ssl_key_log", "lua_upstream_skip_openssl_default_verify",  # 0.10.29
    "lua_ssl_certificate", "lua_ssl_certificate_key",  # 0.10.26
    "balancer_keepalive",  # 0.10.27
    "lua_add_variable", "preread_by_lua_block", "preread_by_lua_file", "preread_by_lua_no_postpone",  # stream
    "http2", "http3", "http3_hq", "quic_retry", "quic_gso", "proxy_half_close",  # nginx 1.25+, stream
})

# Where our table is deliberately wider than nginx 1.22: newer nginx (or NGINX Plus) accepts these.
WIDER_THAN_LOCAL = {
    ("resolver", UPS), ("resolver_timeout", UPS),  # open-source nginx 1.27.3
    ("limit_req_zone", HTTP),  # a 4th argument, "sync", in NGINX Plus
}

_OUR_KINDS = (
    "unknown directive", "directive is not allowed here", "invalid number of arguments",
    'it must be "on" or "off"', "has no opening", "is not terminated by",
)


def nginx_says(ctx, text):
    """nginx's message when it is one check_directive can give, else None (passes, or fails later)."""
    message = oracle.nginx_verdict(oracle.config_for(ctx, text))
    if message is not None and any(kind in message for kind in _OUR_KINDS):
        return message
    return None


def body_for(name):
    if name == "set_by_lua_block":
        return "return 1"
    return "ngx.say(1)" if name.endswith("_by_lua_block") else ""


# (context, name, args, is_block)
CASES = [
    # valid
    (MAIN, "worker_processes", ["1"], False),
    (MAIN, "daemon", ["off"], False),
    (EVENTS, "worker_connections", ["64"], False),
    (HTTP, "gzip", ["on"], False),
    (HTTP, "gzip", ["OFF"], False),
    (LOC, "proxy_pass", ["http://127.0.0.1:1"], False),
    (LIF, "include", ["missing.conf"], False),  # fails later (open() failed), not on context
    (LMT, "include", ["missing.conf"], False),
    (LOC, "content_by_lua_block", [], True),
    (LIF, "content_by_lua_block", [], True),
    (LOC, "content_by_lua_file", ["a.lua"], False),
    (LOC, "content_by_lua", ["ngx.say(1)"], False),
    (HTTP, "init_by_lua_block", [], True),
    (HTTP, "init_worker_by_lua_block", [], True),
    (HTTP, "exit_worker_by_lua_block", [], True),
    (HTTP, "server_rewrite_by_lua_block", [], True),
    (SRV, "server_rewrite_by_lua_block", [], True),
    (HTTP, "access_by_lua_block", [], True),
    (SRV, "access_by_lua_block", [], True),
    (LIF, "access_by_lua_block", [], True),
    (LIF, "rewrite_by_lua_file", ["a.lua"], False),
    (SRV, "log_by_lua_block", [], True),
    (HTTP, "header_filter_by_lua_block", [], True),
    (LIF, "body_filter_by_lua_block", [], True),
    (UPS, "balancer_by_lua_block", [], True),
    (HTTP, "ssl_session_fetch_by_lua_block", [], True),
    (SRV, "ssl_certificate_by_lua_block", [], True),  # context fine; fails later: no ssl configured
    (SRV, "set_by_lua_block", ["$a"], True),
    (SIF, "set_by_lua_block", ["$a"], True),
    (LOC, "set_by_lua_file", ["$a", "a.lua", "$arg_x"], False),
    (LIF, "set_by_lua", ["$a", "return 1"], False),
    (HTTP, "lua_shared_dict", ["d", "1m"], False),
    (HTTP, "lua_package_path", ["/x/?.lua;;"], False),
    (LIF, "lua_code_cache", ["on"], False),
    (LOC, "lua_need_request_body", ["on"], False),
    (HTTP, "lua_load_resty_core", ["whatever"], False),  # a no-op: its value is never looked at
    (HTTP, "limit_req_dry_run", ["on"], False),
    # wrong context
    (SRV, "content_by_lua_block", [], True),
    (HTTP, "content_by_lua_block", [], True),
    (SIF, "content_by_lua_block", [], True),
    (SRV, "init_by_lua_block", [], True),
    (LOC, "init_worker_by_lua_block", [], True),
    (LOC, "balancer_by_lua_block", [], True),
    (HTTP, "set_by_lua_block", ["$a"], True),
    (SIF, "access_by_lua_block", [], True),
    (LOC, "server_rewrite_by_lua_block", [], True),
    (SRV, "ssl_session_store_by_lua_block", [], True),
    (SRV, "lua_shared_dict", ["d", "1m"], False),
    (LOC, "lua_package_path", ["/x/?.lua;;"], False),
    (SIF, "lua_code_cache", ["on"], False),
    (UPS, "lua_code_cache", ["on"], False),
    (HTTP, "worker_processes", ["1"], False),
    (HTTP, "use", ["epoll"], False),
    (HTTP, "location", ["/"], True),
    (MAIN, "server", [], True),
    (LOC, "server_name", ["a"], False),
    (LIF, "proxy_set_header_x", ["a"], False),
    # wrong arguments
    (LOC, "access_by_lua_block", ["x"], True),
    (LOC, "content_by_lua_block", ["ngx.say(1)"], False),
    (LOC, "set_by_lua_block", [], True),
    (LOC, "set_by_lua_file", ["$a"], False),
    (LOC, "content_by_lua_file", [], False),
    (LOC, "content_by_lua_file", ["a.lua", "b.lua"], False),
    (HTTP, "lua_shared_dict", ["d"], False),
    (HTTP, "lua_code_cache", ["yes"], False),
    (HTTP, "gzip", ["yes"], False),
    (HTTP, "gzip", ["on", "off"], False),
    (HTTP, "limit_req_dry_run", ["yes"], False),
    (HTTP, "proxy_cookie_flags", ["a", "b", "c", "d", "e"], False),
    (LOC, "proxy_pass", [], False),
    (LOC, "proxy_pass", ["http://a", "http://b"], False),
    (LOC, "proxy_pass", ["http://127.0.0.1:1"], True),
    (HTTP, "server", [], False),
    (MAIN, "worker_processes", [], False),
    # unknown
    (HTTP, "foo", ["1"], False),
    (LOC, "Proxy_Pass", ["http://127.0.0.1:1"], False),
]


def _case_id(case):
    ctx, name, args, is_block = case
    return "-".join([*ctx, name, *args]) + ("{}" if is_block else ";")


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_same_verdict_and_words_as_nginx(case):
    ctx, name, args, is_block = case
    expected = nginx_says(ctx, oracle.render(name, args, is_block, body_for(name)))
    problem = check_directive(name, args, ctx, is_block)
    assert (problem and problem.message) == expected


def test_cases_cover_every_problem_kind():
    problems = (check_directive(name, args, ctx, is_block) for ctx, name, args, is_block in CASES)
    codes = {problem.code for problem in problems if problem is not None}
    assert codes == {"NGX004", "NGX005", "NGX006"}


# One valid occurrence of every directive of UNIQUE_DIRECTIVES the local nginx knows.
UNIQUE_SAMPLES = {
    'events': (MAIN, 'events { }'),
    'http': (MAIN, 'http { }'),
    'absolute_redirect': (HTTP, 'absolute_redirect on'),
    'accept_mutex': (EVENTS, 'accept_mutex on'),
    'accept_mutex_delay': (EVENTS, 'accept_mutex_delay 100ms'),
    'access_by_lua': (LOC, "access_by_lua 'local a = 1'"),
    'access_by_lua_block': (LOC, 'access_by_lua_block {local a = 1}'),
    'access_by_lua_file': (LOC, 'access_by_lua_file a.lua'),
    'access_by_lua_no_postpone': (HTTP, 'access_by_lua_no_postpone on'),
    'aio': (HTTP, 'aio off'),
    'alias': (LOC, 'alias /tmp/'),
    'auth_basic': (HTTP, 'auth_basic x'),
    'auth_basic_user_file': (HTTP, 'auth_basic_user_file x'),
    'auth_request': (LOC, 'auth_request /x'),
    'autoindex': (HTTP, 'autoindex on'),
    'autoindex_exact_size': (HTTP, 'autoindex_exact_size on'),
    'autoindex_format': (HTTP, 'autoindex_format html'),
    'autoindex_localtime': (HTTP, 'autoindex_localtime on'),
    'balancer_by_lua_block': (UPS, 'balancer_by_lua_block {local a = 1}'),
    'balancer_by_lua_file': (UPS, 'balancer_by_lua_file a.lua'),
    'body_filter_by_lua': (LOC, "body_filter_by_lua 'local a = 1'"),
    'body_filter_by_lua_block': (LOC, 'body_filter_by_lua_block {local a = 1}'),
    'body_filter_by_lua_file': (LOC, 'body_filter_by_lua_file a.lua'),
    'charset': (HTTP, 'charset utf-8'),
    'chunked_transfer_encoding': (HTTP, 'chunked_transfer_encoding on'),
    'client_body_buffer_size': (HTTP, 'client_body_buffer_size 8k'),
    'client_body_in_file_only': (HTTP, 'client_body_in_file_only off'),
    'client_body_temp_path': (HTTP, 'client_body_temp_path tmp/b2'),
    'client_body_timeout': (HTTP, 'client_body_timeout 10s'),
    'client_header_buffer_size': (HTTP, 'client_header_buffer_size 1k'),
    'client_header_timeout': (HTTP, 'client_header_timeout 10s'),
    'client_max_body_size': (HTTP, 'client_max_body_size 1m'),
    'content_by_lua': (LOC, "content_by_lua 'ngx.say(1)'"),
    'content_by_lua_block': (LOC, 'content_by_lua_block {ngx.say(1)}'),
    'content_by_lua_file': (LOC, 'content_by_lua_file a.lua'),
    'daemon': (MAIN, 'daemon on'),
    'debug_points': (MAIN, 'debug_points abort'),
    'default_type': (HTTP, 'default_type text/plain'),
    'directio': (HTTP, 'directio off'),
    'disable_symlinks': (HTTP, 'disable_symlinks off'),
    'etag': (HTTP, 'etag on'),
    'exit_worker_by_lua_block': (HTTP, 'exit_worker_by_lua_block {local a = 1}'),
    'exit_worker_by_lua_file': (HTTP, 'exit_worker_by_lua_file a.lua'),
    'expires': (HTTP, 'expires 1h'),
    'fastcgi_buffering': (HTTP, 'fastcgi_buffering on'),
    'fastcgi_buffers': (HTTP, 'fastcgi_buffers 8 4k'),
    'fastcgi_index': (HTTP, 'fastcgi_index i'),
    'fastcgi_pass': (LOC, 'fastcgi_pass 127.0.0.1:1'),
    'fastcgi_read_timeout': (HTTP, 'fastcgi_read_timeout 10s'),
    'grpc_pass': (LOC, 'grpc_pass 127.0.0.1:1'),
    'grpc_read_timeout': (HTTP, 'grpc_read_timeout 10s'),
    'gunzip': (HTTP, 'gunzip on'),
    'gzip': (HTTP, 'gzip on'),
    'gzip_buffers': (HTTP, 'gzip_buffers 16 8k'),
    'gzip_comp_level': (HTTP, 'gzip_comp_level 5'),
    'gzip_http_version': (HTTP, 'gzip_http_version 1.1'),
    'gzip_min_length': (HTTP, 'gzip_min_length 100'),
    'gzip_static': (HTTP, 'gzip_static on'),
    'gzip_vary': (HTTP, 'gzip_vary on'),
    'header_filter_by_lua': (LOC, "header_filter_by_lua 'local a = 1'"),
    'header_filter_by_lua_block': (LOC, 'header_filter_by_lua_block {local a = 1}'),
    'header_filter_by_lua_file': (LOC, 'header_filter_by_lua_file a.lua'),
    'http2_chunk_size': (HTTP, 'http2_chunk_size 8k'),
    'http2_max_concurrent_streams': (HTTP, 'http2_max_concurrent_streams 64'),
    'http2_recv_buffer_size': (HTTP, 'http2_recv_buffer_size 256k'),
    'if_modified_since': (HTTP, 'if_modified_since off'),
    'ignore_invalid_headers': (HTTP, 'ignore_invalid_headers on'),
    'init_by_lua': (HTTP, "init_by_lua 'local a = 1'"),
    'init_by_lua_block': (HTTP, 'init_by_lua_block {ngx.log(ngx.ERR, 1)}'),
    'init_by_lua_file': (HTTP, 'init_by_lua_file a.lua'),
    'init_worker_by_lua': (HTTP, "init_worker_by_lua 'local a = 1'"),
    'init_worker_by_lua_block': (HTTP, 'init_worker_by_lua_block {local a = 1}'),
    'init_worker_by_lua_file': (HTTP, 'init_worker_by_lua_file a.lua'),
    'internal': (LOC, 'internal'),
    'keepalive': (UPS, 'keepalive 8'),
    'keepalive_requests': (HTTP, 'keepalive_requests 100'),
    'keepalive_time': (HTTP, 'keepalive_time 1h'),
    'keepalive_timeout': (HTTP, 'keepalive_timeout 10'),
    'large_client_header_buffers': (HTTP, 'large_client_header_buffers 4 8k'),
    'limit_conn_log_level': (HTTP, 'limit_conn_log_level warn'),
    'limit_conn_status': (HTTP, 'limit_conn_status 429'),
    'limit_except': (LOC, 'limit_except GET {deny all;}'),
    'limit_rate': (HTTP, 'limit_rate 1k'),
    'limit_rate_after': (HTTP, 'limit_rate_after 1m'),
    'limit_req_log_level': (HTTP, 'limit_req_log_level warn'),
    'limit_req_status': (HTTP, 'limit_req_status 429'),
    'lingering_close': (HTTP, 'lingering_close on'),
    'lingering_time': (HTTP, 'lingering_time 30s'),
    'lingering_timeout': (HTTP, 'lingering_timeout 5s'),
    'lock_file': (MAIN, 'lock_file logs/lock'),
    'log_by_lua': (LOC, "log_by_lua 'local a = 1'"),
    'log_by_lua_block': (LOC, 'log_by_lua_block {local a = 1}'),
    'log_by_lua_file': (LOC, 'log_by_lua_file a.lua'),
    'log_not_found': (HTTP, 'log_not_found off'),
    'log_subrequest': (HTTP, 'log_subrequest on'),
    'lua_check_client_abort': (HTTP, 'lua_check_client_abort on'),
    'lua_code_cache': (HTTP, 'lua_code_cache on'),
    'lua_http10_buffering': (HTTP, 'lua_http10_buffering on'),
    'lua_max_pending_timers': (HTTP, 'lua_max_pending_timers 10'),
    'lua_max_running_timers': (HTTP, 'lua_max_running_timers 10'),
    'lua_need_request_body': (HTTP, 'lua_need_request_body on'),
    'lua_package_cpath': (HTTP, 'lua_package_cpath /x/?.so'),
    'lua_package_path': (HTTP, 'lua_package_path /x/?.lua'),
    'lua_regex_cache_max_entries': (HTTP, 'lua_regex_cache_max_entries 10'),
    'lua_regex_match_limit': (HTTP, 'lua_regex_match_limit 10'),
    'lua_sa_restart': (HTTP, 'lua_sa_restart on'),
    'lua_socket_buffer_size': (HTTP, 'lua_socket_buffer_size 4k'),
    'lua_socket_connect_timeout': (HTTP, 'lua_socket_connect_timeout 5s'),
    'lua_socket_keepalive_timeout': (HTTP, 'lua_socket_keepalive_timeout 60s'),
    'lua_socket_log_errors': (HTTP, 'lua_socket_log_errors on'),
    'lua_socket_pool_size': (HTTP, 'lua_socket_pool_size 30'),
    'lua_socket_read_timeout': (HTTP, 'lua_socket_read_timeout 5s'),
    'lua_socket_send_timeout': (HTTP, 'lua_socket_send_timeout 5s'),
    'lua_ssl_ciphers': (HTTP, 'lua_ssl_ciphers HIGH'),
    'lua_ssl_crl': (HTTP, 'lua_ssl_crl x'),
    'lua_ssl_trusted_certificate': (HTTP, 'lua_ssl_trusted_certificate x.pem'),
    'lua_ssl_verify_depth': (HTTP, 'lua_ssl_verify_depth 2'),
    'lua_thread_cache_max_entries': (HTTP, 'lua_thread_cache_max_entries 10'),
    'lua_transform_underscores_in_response_headers': (HTTP, 'lua_transform_underscores_in_response_headers on'),
    'lua_use_default_type': (HTTP, 'lua_use_default_type on'),
    'lua_worker_thread_vm_pool_size': (HTTP, 'lua_worker_thread_vm_pool_size 10'),
    'map_hash_bucket_size': (HTTP, 'map_hash_bucket_size 64'),
    'master_process': (MAIN, 'master_process on'),
    'max_ranges': (HTTP, 'max_ranges 1'),
    'memcached_pass': (LOC, 'memcached_pass 127.0.0.1:1'),
    'merge_slashes': (HTTP, 'merge_slashes on'),
    'msie_padding': (HTTP, 'msie_padding on'),
    'multi_accept': (EVENTS, 'multi_accept on'),
    'open_file_cache': (HTTP, 'open_file_cache off'),
    'open_file_cache_errors': (HTTP, 'open_file_cache_errors on'),
    'open_file_cache_min_uses': (HTTP, 'open_file_cache_min_uses 1'),
    'open_file_cache_valid': (HTTP, 'open_file_cache_valid 60s'),
    'open_log_file_cache': (HTTP, 'open_log_file_cache off'),
    'output_buffers': (HTTP, 'output_buffers 2 32k'),
    'pcre_jit': (MAIN, 'pcre_jit on'),
    'pid': (MAIN, 'pid logs/x.pid'),
    'port_in_redirect': (HTTP, 'port_in_redirect on'),
    'postpone_output': (HTTP, 'postpone_output 1460'),
    'proxy_bind': (HTTP, 'proxy_bind off'),
    'proxy_buffer_size': (HTTP, 'proxy_buffer_size 4k'),
    'proxy_buffering': (HTTP, 'proxy_buffering on'),
    'proxy_buffers': (HTTP, 'proxy_buffers 8 4k'),
    'proxy_cache': (HTTP, 'proxy_cache off'),
    'proxy_cache_key': (HTTP, 'proxy_cache_key $uri'),
    'proxy_cache_lock': (HTTP, 'proxy_cache_lock on'),
    'proxy_connect_timeout': (HTTP, 'proxy_connect_timeout 10s'),
    'proxy_force_ranges': (HTTP, 'proxy_force_ranges on'),
    'proxy_headers_hash_max_size': (HTTP, 'proxy_headers_hash_max_size 512'),
    'proxy_http_version': (HTTP, 'proxy_http_version 1.1'),
    'proxy_ignore_client_abort': (HTTP, 'proxy_ignore_client_abort on'),
    'proxy_intercept_errors': (HTTP, 'proxy_intercept_errors on'),
    'proxy_limit_rate': (HTTP, 'proxy_limit_rate 0'),
    'proxy_max_temp_file_size': (HTTP, 'proxy_max_temp_file_size 0'),
    'proxy_method': (HTTP, 'proxy_method GET'),
    'proxy_pass': (LOC, 'proxy_pass http://127.0.0.1:1'),
    'proxy_pass_request_body': (HTTP, 'proxy_pass_request_body on'),
    'proxy_pass_request_headers': (HTTP, 'proxy_pass_request_headers on'),
    'proxy_read_timeout': (HTTP, 'proxy_read_timeout 10s'),
    'proxy_request_buffering': (HTTP, 'proxy_request_buffering on'),
    'proxy_send_timeout': (HTTP, 'proxy_send_timeout 10s'),
    'proxy_socket_keepalive': (HTTP, 'proxy_socket_keepalive on'),
    'proxy_ssl_certificate': (HTTP, 'proxy_ssl_certificate x'),
    'proxy_ssl_certificate_key': (HTTP, 'proxy_ssl_certificate_key x'),
    'proxy_ssl_ciphers': (HTTP, 'proxy_ssl_ciphers HIGH'),
    'proxy_ssl_name': (HTTP, 'proxy_ssl_name x'),
    'proxy_ssl_server_name': (HTTP, 'proxy_ssl_server_name on'),
    'proxy_ssl_session_reuse': (HTTP, 'proxy_ssl_session_reuse on'),
    'proxy_ssl_trusted_certificate': (HTTP, 'proxy_ssl_trusted_certificate x.pem'),
    'proxy_ssl_verify': (HTTP, 'proxy_ssl_verify on'),
    'proxy_ssl_verify_depth': (HTTP, 'proxy_ssl_verify_depth 1'),
    'proxy_store': (HTTP, 'proxy_store off'),
    'proxy_temp_path': (HTTP, 'proxy_temp_path tmp/p2'),
    'read_ahead': (HTTP, 'read_ahead 0'),
    'real_ip_header': (HTTP, 'real_ip_header X-Real-IP'),
    'real_ip_recursive': (HTTP, 'real_ip_recursive on'),
    'recursive_error_pages': (HTTP, 'recursive_error_pages on'),
    'reset_timedout_connection': (HTTP, 'reset_timedout_connection on'),
    'resolver': (HTTP, 'resolver 127.0.0.1'),
    'resolver_timeout': (HTTP, 'resolver_timeout 5s'),
    'rewrite_by_lua': (LOC, "rewrite_by_lua 'local a = 1'"),
    'rewrite_by_lua_block': (LOC, 'rewrite_by_lua_block {local a = 1}'),
    'rewrite_by_lua_file': (LOC, 'rewrite_by_lua_file a.lua'),
    'rewrite_by_lua_no_postpone': (HTTP, 'rewrite_by_lua_no_postpone on'),
    'rewrite_log': (HTTP, 'rewrite_log on'),
    'root': (HTTP, 'root html'),
    'satisfy': (HTTP, 'satisfy any'),
    'scgi_pass': (LOC, 'scgi_pass 127.0.0.1:1'),
    'send_lowat': (HTTP, 'send_lowat 0'),
    'send_timeout': (HTTP, 'send_timeout 10s'),
    'sendfile': (HTTP, 'sendfile on'),
    'sendfile_max_chunk': (HTTP, 'sendfile_max_chunk 1m'),
    'server_name_in_redirect': (HTTP, 'server_name_in_redirect on'),
    'server_names_hash_bucket_size': (HTTP, 'server_names_hash_bucket_size 64'),
    'server_names_hash_max_size': (HTTP, 'server_names_hash_max_size 512'),
    'server_rewrite_by_lua_block': (HTTP, 'server_rewrite_by_lua_block {local a = 1}'),
    'server_rewrite_by_lua_file': (HTTP, 'server_rewrite_by_lua_file a.lua'),
    'server_tokens': (HTTP, 'server_tokens off'),
    'ssi': (HTTP, 'ssi on'),
    'ssl_buffer_size': (HTTP, 'ssl_buffer_size 4k'),
    'ssl_certificate_by_lua_block': (SRV, 'ssl_certificate_by_lua_block {local a = 1}'),
    'ssl_certificate_by_lua_file': (SRV, 'ssl_certificate_by_lua_file a.lua'),
    'ssl_ciphers': (HTTP, 'ssl_ciphers HIGH'),
    'ssl_client_certificate': (HTTP, 'ssl_client_certificate x.pem'),
    'ssl_client_hello_by_lua_block': (SRV, 'ssl_client_hello_by_lua_block {local a = 1}'),
    'ssl_client_hello_by_lua_file': (SRV, 'ssl_client_hello_by_lua_file a.lua'),
    'ssl_dhparam': (HTTP, 'ssl_dhparam x.pem'),
    'ssl_early_data': (HTTP, 'ssl_early_data off'),
    'ssl_ecdh_curve': (HTTP, 'ssl_ecdh_curve auto'),
    'ssl_prefer_server_ciphers': (HTTP, 'ssl_prefer_server_ciphers on'),
    'ssl_session_fetch_by_lua_block': (HTTP, 'ssl_session_fetch_by_lua_block {local a = 1}'),
    'ssl_session_fetch_by_lua_file': (HTTP, 'ssl_session_fetch_by_lua_file a.lua'),
    'ssl_session_store_by_lua_block': (HTTP, 'ssl_session_store_by_lua_block {local a = 1}'),
    'ssl_session_store_by_lua_file': (HTTP, 'ssl_session_store_by_lua_file a.lua'),
    'ssl_session_tickets': (HTTP, 'ssl_session_tickets off'),
    'ssl_session_timeout': (HTTP, 'ssl_session_timeout 5m'),
    'ssl_stapling': (HTTP, 'ssl_stapling on'),
    'ssl_stapling_verify': (HTTP, 'ssl_stapling_verify on'),
    'ssl_trusted_certificate': (HTTP, 'ssl_trusted_certificate x.pem'),
    'ssl_verify_client': (HTTP, 'ssl_verify_client off'),
    'sub_filter_once': (HTTP, 'sub_filter_once on'),
    'subrequest_output_buffer_size': (HTTP, 'subrequest_output_buffer_size 4k'),
    'tcp_nodelay': (HTTP, 'tcp_nodelay on'),
    'tcp_nopush': (HTTP, 'tcp_nopush on'),
    'timer_resolution': (MAIN, 'timer_resolution 100ms'),
    'try_files': (SRV, 'try_files $uri =404'),
    'types_hash_bucket_size': (HTTP, 'types_hash_bucket_size 64'),
    'types_hash_max_size': (HTTP, 'types_hash_max_size 2048'),
    'underscores_in_headers': (HTTP, 'underscores_in_headers on'),
    'uninitialized_variable_warn': (HTTP, 'uninitialized_variable_warn on'),
    'use': (EVENTS, 'use epoll'),
    'user': (MAIN, 'user root root'),
    'userid': (HTTP, 'userid off'),
    'userid_name': (HTTP, 'userid_name uid'),
    'uwsgi_pass': (LOC, 'uwsgi_pass 127.0.0.1:1'),
    'uwsgi_read_timeout': (HTTP, 'uwsgi_read_timeout 10s'),
    'variables_hash_max_size': (HTTP, 'variables_hash_max_size 1024'),
    'worker_aio_requests': (EVENTS, 'worker_aio_requests 32'),
    'worker_connections': (EVENTS, 'worker_connections 64'),
    'worker_cpu_affinity': (MAIN, 'worker_cpu_affinity auto'),
    'worker_processes': (MAIN, 'worker_processes 1'),
    'worker_rlimit_core': (MAIN, 'worker_rlimit_core 10m'),
    'worker_rlimit_nofile': (MAIN, 'worker_rlimit_nofile 1024'),
    'worker_shutdown_timeout': (MAIN, 'worker_shutdown_timeout 10s'),
    'working_directory': (MAIN, 'working_directory /tmp'),
}


def test_every_unique_directive_has_a_sample():
    assert set(UNIQUE_SAMPLES) == UNIQUE_DIRECTIVES - NEWER_THAN_LOCAL


def _twice(name):
    ctx, text = UNIQUE_SAMPLES[name]
    text = text if text.endswith("}") else text + ";"
    return ctx, text


@pytest.mark.parametrize("name", sorted(UNIQUE_SAMPLES))
def test_unique_directive_is_duplicate_when_repeated(name):
    ctx, text = _twice(name)
    once = oracle.nginx_verdict(oracle.config_for(ctx, text)) or ""
    twice = oracle.nginx_verdict(oracle.config_for(ctx, f"{text} {text}")) or ""
    # the test config sets these already
    in_template = name in ("pid", "client_body_temp_path", "proxy_temp_path", "events", "http")
    assert in_template or "duplicate" not in once
    assert "is duplicate" in twice
    words = shlex.split(text.rstrip(";").split("{")[0])
    assert check_directive(words[0], words[1:], ctx, text.endswith("}")) is None


# Repeatable: each occurrence adds a value.
REPEATABLE = [
    (MAIN, "env A; env B;"),
    (MAIN, "worker_priority 0; worker_priority 0;"),
    (HTTP, "index a.html; index b.html;"),
    (HTTP, "add_header A b; add_header C d;"),
    (HTTP, "access_log off; access_log off;"),
    (HTTP, "error_log logs/a.log; error_log logs/b.log;"),
    (HTTP, "proxy_set_header A b; proxy_set_header C d;"),
    (HTTP, "gzip_types text/css; gzip_types text/plain;"),
    (HTTP, "ssl_protocols TLSv1.2; ssl_protocols TLSv1.3;"),
    (HTTP, "lua_shared_dict a 1m; lua_shared_dict b 1m;"),
    (HTTP, "lua_ssl_protocols TLSv1.2; lua_ssl_protocols TLSv1.3;"),
    (SRV, "server_name a; server_name b;"),
    (SRV, "error_page 404 /a; error_page 500 /b;"),
    (SRV, "set $a 1; set $b 2;"),
    (SRV, "set_by_lua_block $a { return 1 } set_by_lua_block $b { return 2 }"),
    (LOC, "set_by_lua_file $a a.lua; set_by_lua $b 'return 1';"),
    (LOC, "rewrite ^/a /b; rewrite ^/c /d;"),
]


@pytest.mark.parametrize("ctx, text", REPEATABLE)
def test_repeatable_directives_are_not_unique(ctx, text):
    assert oracle.nginx_verdict(oracle.config_for(ctx, text)) is None
    name = text.split()[0]
    assert name not in UNIQUE_DIRECTIVES


@pytest.mark.parametrize("ctx, first, second", [
    (LOC, "access_by_lua_block { ngx.say(1) }", "access_by_lua_file a.lua;"),
    (LOC, "content_by_lua_file a.lua;", "content_by_lua 'ngx.say(1)';"),
    (HTTP, "init_by_lua_block { local a = 1 }", "init_by_lua_file a.lua;"),
    (LOC, "root /tmp;", "alias /tmp/;"),
])
def test_one_slot_shared_by_several_names(ctx, first, second):
    """The forms of one Lua phase (and root/alias) are duplicates of each other."""
    assert "is duplicate" in (oracle.nginx_verdict(oracle.config_for(ctx, f"{first} {second}")) or "")
    first_name, second_name = first.split()[0], second.split()[0]
    assert {first_name, second_name} <= UNIQUE_DIRECTIVES
    if first_name in LUA_PHASE:
        assert LUA_PHASE[first_name] == LUA_PHASE[second_name]


def test_inner_block_is_inheritance_not_duplicate():
    text = "access_by_lua_block { local a = 1 } location /x { access_by_lua_block { local b = 2 } }"
    assert oracle.nginx_verdict(oracle.config_for(SRV, text)) is None


# -- contexts of every lua-nginx-module directive the local ngx_lua knows -----------------------

def _context_rows(names):
    rows = []
    for name in names:
        for ctx in oracle.CONTEXT_TEMPLATES:
            rows.append((name, ctx))
    return rows


def _compare_context(row):
    name, ctx = row
    message = oracle.nginx_verdict(oracle.config_for(ctx, f"{name};")) or ""
    problem = check_directive(name, [], ctx, False)
    ours = problem is not None and problem.code == "NGX005"
    return name, ctx, message, ours, message.endswith("directive is not allowed here")


def test_lua_directive_contexts_match_nginx():
    names = sorted(n for n in LUA_DIRECTIVES if n not in NEWER_THAN_LOCAL)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(_compare_context, _context_rows(names)))
    unknown = sorted({r[0] for r in results if r[2].startswith("unknown directive")})
    assert unknown == [], "newer than the local ngx_lua? add to NEWER_THAN_LOCAL"
    wrong = [(name, ctx, message) for name, ctx, message, ours, theirs in results if ours != theirs]
    assert wrong == []


# -- the whole table: opt-in, slow -------------------------------------------------------------

@pytest.mark.skipif(not os.environ.get("NGINXLINT_FULL_ORACLE"), reason="set NGINXLINT_FULL_ORACLE=1")
def test_whole_table_against_nginx():
    from nginxlint.nginx.directives import _TABLE
    from nginxlint.nginx.directives_masks import BLOCK

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(_compare_context, _context_rows(sorted(_TABLE))))
    local = {r[0] for r in results} - {r[0] for r in results if r[2].startswith("unknown directive")}
    wrong = [(n, c, m) for n, c, m, ours, theirs in results
             if n in local and ours != theirs and (n, c) not in WIDER_THAN_LOCAL]
    assert wrong == []

    jobs = []
    for name in sorted(local):
        for ctx, ctx_mask in ((c, oracle_mask) for c, oracle_mask in _contexts()):
            masks = [m for m in _TABLE[name] if m & ctx_mask]
            if masks and (name, ctx) not in WIDER_THAN_LOCAL:
                jobs += [(ctx, name, ["x"] * n, bool(masks[0] & BLOCK)) for n in range(9)]
                break

    def compare(job):
        ctx, name, args, is_block = job
        expected = nginx_says(ctx, oracle.render(name, args, is_block, body_for(name)))
        if expected is not None and "not allowed here" in expected:
            expected = None  # e.g. a second events block: not what this sweep looks at
        problem = check_directive(name, args, ctx, is_block)
        return job, expected, problem and problem.message

    with ThreadPoolExecutor(4) as pool:
        mismatches = [r for r in pool.map(compare, jobs) if r[1] != r[2]]
    assert mismatches == []


def _contexts():
    import crossplane.analyzer

    return [(ctx, crossplane.analyzer.CONTEXTS[ctx]) for ctx in oracle.CONTEXT_TEMPLATES]


def test_known_names_only_in_comparisons():
    assert all(is_known(name) for name in NEWER_THAN_LOCAL)
