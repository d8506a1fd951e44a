"""Directives of lua-nginx-module and stream-lua-nginx-module (OpenResty), as of their HEAD.

Contexts and argument counts come from the C command tables (``ngx_http_lua_cmds[]`` in
``src/ngx_http_lua_module.c``, ``ngx_stream_lua_cmds[]`` in ``src/ngx_stream_lua_module.c``) and
from docs/openresty-facts.md ("Directives that carry Lua"). Newer directives that Debian's ngx_lua 0.10.23 does not know yet
(``precontent_by_lua*``, ``proxy_ssl_*_by_lua*``, ``lua_ssl_key_log``, ...) are kept: nginxlint
targets current OpenResty.
"""

from nginxlint.nginx.directives_masks import (
    BLOCK, FLAG, H_LI, H_MAIN, H_MS, H_MSL, H_MSLI, H_SET, H_UPS, MORE1, MORE2, NOARGS,
    S_MAIN, S_MS, S_SRV, S_UPS, TAKE1, TAKE2,
)

# (phase, contexts, has the deprecated string form `X_by_lua '<code>'`)
_HTTP_PHASES = (
    ("init", H_MAIN, True),
    ("init_worker", H_MAIN, True),
    ("exit_worker", H_MAIN, False),
    ("server_rewrite", H_MS, False),
    ("rewrite", H_MSLI, True),
    ("access", H_MSLI, True),
    ("precontent", H_MSLI, False),
    ("content", H_LI, True),
    ("header_filter", H_MSLI, True),
    ("body_filter", H_MSLI, True),
    ("log", H_MSLI, True),
    ("balancer", H_UPS, False),
    ("ssl_client_hello", H_MS, False),
    ("ssl_certificate", H_MS, False),
    ("ssl_session_fetch", H_MAIN, False),
    ("ssl_session_store", H_MAIN, False),
    ("proxy_ssl_certificate", H_LI, False),
    ("proxy_ssl_verify", H_LI, False),
)

_STREAM_PHASES = (
    ("init", S_MAIN, True),
    ("init_worker", S_MAIN, True),
    ("preread", S_MS, False),
    ("content", S_SRV, True),
    ("log", S_MS, False),
    ("balancer", S_UPS, False),
    ("ssl_client_hello", S_MS, False),
    ("ssl_certificate", S_MS, False),
    ("proxy_ssl_certificate", S_SRV, False),
    ("proxy_ssl_verify", S_SRV, False),
)

# Directives that are not phase handlers: name -> mask (http subsystem).
_HTTP_OTHER = {
    # A no-op since 0.10.16: its handler only warns and never looks at the value.
    "lua_load_resty_core": H_MAIN | TAKE1,
    "lua_thread_cache_max_entries": H_MAIN | TAKE1,
    "lua_max_running_timers": H_MAIN | TAKE1,
    "lua_max_pending_timers": H_MAIN | TAKE1,
    "lua_shared_dict": H_MAIN | TAKE2,
    "lua_capture_error_log": H_MAIN | TAKE1,
    "lua_sa_restart": H_MAIN | FLAG,
    "lua_regex_cache_max_entries": H_MAIN | TAKE1,
    "lua_regex_match_limit": H_MAIN | TAKE1,
    "lua_package_cpath": H_MAIN | TAKE1,
    "lua_package_path": H_MAIN | TAKE1,
    "lua_code_cache": H_MSLI | FLAG,
    "lua_need_request_body": H_MSLI | FLAG,
    "lua_transform_underscores_in_response_headers": H_MSLI | FLAG,
    "lua_socket_log_errors": H_MSLI | FLAG,
    "rewrite_by_lua_no_postpone": H_MAIN | FLAG,
    "access_by_lua_no_postpone": H_MAIN | FLAG,
    "precontent_by_lua_no_postpone": H_MAIN | FLAG,
    "balancer_keepalive": H_UPS | TAKE1,
    "lua_socket_keepalive_timeout": H_MSLI | TAKE1,
    "lua_socket_connect_timeout": H_MSLI | TAKE1,
    "lua_socket_send_timeout": H_MSLI | TAKE1,
    "lua_socket_send_lowat": H_MSLI | TAKE1,
    "lua_socket_buffer_size": H_MSLI | TAKE1,
    "lua_socket_pool_size": H_MSLI | TAKE1,
    "lua_socket_read_timeout": H_MSLI | TAKE1,
    "lua_http10_buffering": H_MSLI | FLAG,
    "lua_check_client_abort": H_MSLI | FLAG,
    "lua_use_default_type": H_MSLI | FLAG,
    "lua_ssl_protocols": H_MSL | MORE1,
    "lua_ssl_ciphers": H_MSL | TAKE1,
    "lua_ssl_verify_depth": H_MSL | TAKE1,
    "lua_ssl_certificate": H_MSL | TAKE1,
    "lua_ssl_certificate_key": H_MSL | TAKE1,
    "lua_ssl_trusted_certificate": H_MSL | TAKE1,
    "lua_ssl_crl": H_MSL | TAKE1,
    "lua_ssl_key_log": H_MSL | TAKE1,
    "lua_ssl_conf_command": H_MSL | TAKE2,
    # 0.10.29; its exact contexts are not in our pinned sources: allow everywhere a request runs.
    "lua_upstream_skip_openssl_default_verify": H_MSLI | FLAG,
    "lua_malloc_trim": H_MAIN | TAKE1,
    "lua_worker_thread_vm_pool_size": H_MAIN | TAKE1,
}

# Same, stream subsystem (stream-lua-nginx-module).
_STREAM_OTHER = {
    "lua_load_resty_core": S_MAIN | TAKE1,
    "lua_thread_cache_max_entries": S_MAIN | TAKE1,
    "lua_max_running_timers": S_MAIN | TAKE1,
    "lua_max_pending_timers": S_MAIN | TAKE1,
    "lua_shared_dict": S_MAIN | TAKE2,
    "lua_sa_restart": S_MAIN | FLAG,
    "lua_capture_error_log": S_MAIN | TAKE1,
    "lua_regex_cache_max_entries": S_MAIN | TAKE1,
    "lua_regex_match_limit": S_MAIN | TAKE1,
    "lua_package_cpath": S_MAIN | TAKE1,
    "lua_package_path": S_MAIN | TAKE1,
    "lua_code_cache": S_MS | FLAG,
    "lua_socket_log_errors": S_MS | FLAG,
    "preread_by_lua_no_postpone": S_MAIN | FLAG,
    "lua_socket_keepalive_timeout": S_MS | TAKE1,
    "lua_socket_connect_timeout": S_MS | TAKE1,
    "lua_socket_send_timeout": S_MS | TAKE1,
    "lua_socket_send_lowat": S_MS | TAKE1,
    "lua_socket_buffer_size": S_MS | TAKE1,
    "lua_socket_pool_size": S_MS | TAKE1,
    "lua_socket_read_timeout": S_MS | TAKE1,
    "lua_check_client_abort": S_MS | FLAG,
    "lua_ssl_protocols": S_MS | MORE1,
    "lua_ssl_ciphers": S_MS | TAKE1,
    "lua_ssl_verify_depth": S_MS | TAKE1,
    "lua_ssl_certificate": S_MS | TAKE1,
    "lua_ssl_certificate_key": S_MS | TAKE1,
    "lua_ssl_trusted_certificate": S_MS | TAKE1,
    "lua_ssl_crl": S_MS | TAKE1,
    "lua_ssl_key_log": S_MS | TAKE1,
    "lua_ssl_conf_command": S_MS | TAKE2,
    "lua_malloc_trim": S_MAIN | TAKE1,
    "lua_worker_thread_vm_pool_size": S_MAIN | TAKE1,
    "lua_add_variable": S_MAIN | TAKE1,
}


def _phase_forms(phases):
    """Yield (name, mask, phase) for the _block, _file and string forms of each phase."""
    for phase, contexts, has_string_form in phases:
        yield f"{phase}_by_lua_block", contexts | BLOCK | NOARGS, phase
        yield f"{phase}_by_lua_file", contexts | TAKE1, phase
        if has_string_form:
            yield f"{phase}_by_lua", contexts | TAKE1, phase
    if phases is _HTTP_PHASES:
        # set_by_lua* need NDK; the block form is the only one that takes an argument ($res).
        yield "set_by_lua_block", H_SET | BLOCK | TAKE1, "set"
        yield "set_by_lua_file", H_SET | MORE2, "set"
        yield "set_by_lua", H_SET | MORE2, "set"


def _build():
    table: dict[str, tuple[int, ...]] = {}
    phase_of: dict[str, str] = {}
    for phases, other in ((_HTTP_PHASES, _HTTP_OTHER), (_STREAM_PHASES, _STREAM_OTHER)):
        for name, mask, phase in _phase_forms(phases):
            table[name] = table.get(name, ()) + (mask,)
            phase_of[name] = phase
        for name, mask in other.items():
            table[name] = table.get(name, ()) + (mask,)
    return table, phase_of


#: name -> masks (one per subsystem where the directive exists)
LUA_DIRECTIVES, LUA_PHASE = _build()

LUA_BLOCK_DIRECTIVES = frozenset(name for name in LUA_PHASE if name.endswith("_by_lua_block"))
