"""Directives nginx rejects with "is duplicate" when one context block sets them twice.

Each of the names below was checked with ``nginx -t`` (nginx 1.22, ngx_lua 0.10.23): the directive
twice in one block fails with ``"NAME" directive is duplicate`` (``is duplicate`` alone for the
``*_by_lua_block`` forms). tests/directives/test_directives_against_nginx.py re-checks them.

How to use it: a duplicate is two occurrences in the same block, ``include``d files counted in the
block that includes them; the same directive in an inner block is inheritance, not a duplicate.
Some directives share one slot, so mixing them is a duplicate as well: ``root``/``alias``, and the
``_block``/``_file``/string forms of one Lua phase (group them by ``LUA_PHASE``; ``set_by_lua*``
is the exception: each one sets its own variable).

Left out on purpose, though nginx sometimes says "is duplicate" for them: directives whose check
depends on the value (``worker_priority 0`` twice passes; ``proxy_redirect off``,
``proxy_cookie_domain off`` and ``proxy_cookie_path off`` are duplicates only with ``off``), and
``listen`` (its duplicate check compares addresses, across servers too).
"""

_CHECKED_CORE = """
    absolute_redirect accept_mutex accept_mutex_delay aio alias auth_basic auth_basic_user_file
    auth_request autoindex autoindex_exact_size autoindex_format autoindex_localtime charset
    chunked_transfer_encoding client_body_buffer_size client_body_in_file_only
    client_body_temp_path client_body_timeout client_header_buffer_size client_header_timeout
    client_max_body_size daemon debug_points default_type directio disable_symlinks etag expires
    fastcgi_buffering fastcgi_buffers fastcgi_index fastcgi_pass fastcgi_read_timeout grpc_pass
    grpc_read_timeout gunzip gzip gzip_buffers gzip_comp_level gzip_http_version gzip_min_length
    gzip_static gzip_vary http2_chunk_size http2_max_concurrent_streams http2_recv_buffer_size
    if_modified_since ignore_invalid_headers internal keepalive keepalive_requests
    keepalive_time keepalive_timeout large_client_header_buffers limit_conn_log_level
    limit_conn_status limit_except limit_rate limit_rate_after limit_req_log_level
    limit_req_status lingering_close lingering_time lingering_timeout lock_file log_not_found
    log_subrequest map_hash_bucket_size master_process max_ranges memcached_pass merge_slashes
    msie_padding multi_accept open_file_cache open_file_cache_errors open_file_cache_min_uses
    open_file_cache_valid open_log_file_cache output_buffers pcre_jit pid port_in_redirect
    postpone_output proxy_bind proxy_buffer_size proxy_buffering proxy_buffers proxy_cache
    proxy_cache_key proxy_cache_lock proxy_connect_timeout proxy_force_ranges
    proxy_headers_hash_max_size proxy_http_version proxy_ignore_client_abort
    proxy_intercept_errors proxy_limit_rate proxy_max_temp_file_size proxy_method proxy_pass
    proxy_pass_request_body proxy_pass_request_headers proxy_read_timeout
    proxy_request_buffering proxy_send_timeout proxy_socket_keepalive proxy_ssl_certificate
    proxy_ssl_certificate_key proxy_ssl_ciphers proxy_ssl_name proxy_ssl_server_name
    proxy_ssl_session_reuse proxy_ssl_trusted_certificate proxy_ssl_verify
    proxy_ssl_verify_depth proxy_store proxy_temp_path read_ahead real_ip_header
    real_ip_recursive recursive_error_pages reset_timedout_connection resolver resolver_timeout
    rewrite_log root satisfy scgi_pass send_lowat send_timeout sendfile sendfile_max_chunk
    server_name_in_redirect server_names_hash_bucket_size server_names_hash_max_size
    server_tokens ssi ssl_buffer_size ssl_ciphers ssl_client_certificate ssl_dhparam
    ssl_early_data ssl_ecdh_curve ssl_prefer_server_ciphers ssl_session_tickets
    ssl_session_timeout ssl_stapling ssl_stapling_verify ssl_trusted_certificate
    ssl_verify_client sub_filter_once subrequest_output_buffer_size tcp_nodelay tcp_nopush
    timer_resolution try_files types_hash_bucket_size types_hash_max_size underscores_in_headers
    uninitialized_variable_warn use user userid userid_name uwsgi_pass uwsgi_read_timeout
    variables_hash_max_size worker_aio_requests worker_connections worker_cpu_affinity
    worker_processes worker_rlimit_core worker_rlimit_nofile worker_shutdown_timeout
    working_directory
"""

_CHECKED_LUA = """
    access_by_lua access_by_lua_block access_by_lua_file access_by_lua_no_postpone
    balancer_by_lua_block balancer_by_lua_file body_filter_by_lua body_filter_by_lua_block
    body_filter_by_lua_file content_by_lua content_by_lua_block content_by_lua_file
    exit_worker_by_lua_block exit_worker_by_lua_file header_filter_by_lua
    header_filter_by_lua_block header_filter_by_lua_file init_by_lua init_by_lua_block
    init_by_lua_file init_worker_by_lua init_worker_by_lua_block init_worker_by_lua_file
    log_by_lua log_by_lua_block log_by_lua_file lua_check_client_abort lua_code_cache
    lua_http10_buffering lua_max_pending_timers lua_max_running_timers lua_need_request_body
    lua_package_cpath lua_package_path lua_regex_cache_max_entries lua_regex_match_limit
    lua_sa_restart lua_socket_buffer_size lua_socket_connect_timeout
    lua_socket_keepalive_timeout lua_socket_log_errors lua_socket_pool_size
    lua_socket_read_timeout lua_socket_send_timeout lua_ssl_ciphers lua_ssl_crl
    lua_ssl_trusted_certificate lua_ssl_verify_depth lua_thread_cache_max_entries
    lua_transform_underscores_in_response_headers lua_use_default_type
    lua_worker_thread_vm_pool_size rewrite_by_lua rewrite_by_lua_block rewrite_by_lua_file
    rewrite_by_lua_no_postpone server_rewrite_by_lua_block server_rewrite_by_lua_file
    ssl_certificate_by_lua_block ssl_certificate_by_lua_file ssl_client_hello_by_lua_block
    ssl_client_hello_by_lua_file ssl_session_fetch_by_lua_block ssl_session_fetch_by_lua_file
    ssl_session_store_by_lua_block ssl_session_store_by_lua_file
"""

# Not in the nginx we check against, but set by the same kind of handler (flag, msec or string
# slot, or the one-handler-per-phase check of ngx_lua), so nginx reports them the same way.
_BY_ANALOGY = """
    precontent_by_lua_block precontent_by_lua_file precontent_by_lua_no_postpone
    proxy_ssl_certificate_by_lua_block proxy_ssl_certificate_by_lua_file
    proxy_ssl_verify_by_lua_block proxy_ssl_verify_by_lua_file lua_ssl_key_log
    preread_by_lua_block preread_by_lua_file preread_by_lua_no_postpone
    http2 http3 http3_hq quic_retry quic_gso proxy_half_close
"""

# The main context's blocks: a second `events {}` or `http {}` is "directive is duplicate" (checked with nginx -t).
_MAIN_BLOCKS = "events http stream mail"

UNIQUE_DIRECTIVES: frozenset[str] = frozenset((_CHECKED_CORE + _CHECKED_LUA + _BY_ANALOGY + _MAIN_BLOCKS).split())
