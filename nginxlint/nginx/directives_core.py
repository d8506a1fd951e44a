"""Core nginx directives that crossplane 0.5.8's table lacks (added in nginx 1.19 to 1.29).

crossplane stays the source for everything it knows; this table only adds masks. Where a row is
not taken from the nginx C source with certainty, it is deliberately permissive (more contexts,
``MORE1``/``ANY`` arguments): a false "not allowed here" costs users more than a missed one.
"""

from nginxlint.nginx.directives_masks import (
    BLOCK, EVENTS, FLAG, H_LI, H_LIF, H_LMT, H_LOC, H_MAIN, H_MS, H_MSL, H_UPS, MAIN_ONLY, MORE1, M_MS, NOARGS,
    H_SIF, S_MAIN, S_MS, S_SRV, S_UPS, TAKE1, TAKE12, TAKE13, TAKE2, TAKE23, TAKE123, TAKE1234,
)

CORE_EXTRA: dict[str, tuple[int, ...]] = {
    # crossplane forgets that include (NGX_ANY_CONF in nginx) also works in if and limit_except
    "include": (H_SIF | H_LIF | H_LMT | TAKE1,),
    # in ngx_http_core_module since 0.x, undocumented: crossplane's table never had it
    "post_action": (H_MSL | H_LIF | TAKE1,),
    # 1.15 - 1.21
    "ssl_reject_handshake": (H_MS | FLAG, S_MS | FLAG),
    "keepalive_time": (H_MSL | TAKE1, H_UPS | TAKE1),
    "ssl_conf_command": (H_MS | TAKE2, S_MS | TAKE2, M_MS | TAKE2),
    "proxy_ssl_conf_command": (H_MSL | TAKE2, S_MS | TAKE2),
    "grpc_ssl_conf_command": (H_MSL | TAKE2,),
    "uwsgi_ssl_conf_command": (H_MSL | TAKE2,),
    "ssl_ocsp": (H_MS | TAKE1, S_MS | TAKE1),
    # 1.27.2: OCSP stapling in stream (http's rows are crossplane's)
    "ssl_stapling": (S_MS | FLAG,),
    "ssl_stapling_file": (S_MS | TAKE1,),
    "ssl_stapling_responder": (S_MS | TAKE1,),
    "ssl_stapling_verify": (S_MS | FLAG,),
    "ssl_ocsp_responder": (H_MS | TAKE1, S_MS | TAKE1),
    "ssl_ocsp_cache": (H_MS | TAKE1, S_MS | TAKE1),
    "auth_delay": (H_MSL | TAKE1,),
    "proxy_cookie_flags": (H_MSL | TAKE1234,),
    "userid_flags": (H_MSL | TAKE123,),
    "proxy_half_close": (S_MS | FLAG,),
    "ssl_alpn": (S_MS | MORE1,),
    "mp4_start_key_frame": (H_MSL | FLAG,),
    "max_errors": (M_MS | TAKE1,),
    "proxy_smtp_auth": (M_MS | FLAG,),
    "set": (S_SRV | TAKE2,),  # stream set module, 1.19.3
    # 1.25 - 1.29: HTTP/2 and HTTP/3 switches, QUIC
    "http2": (H_MS | FLAG,),
    "http3": (H_MS | FLAG,),
    "http3_hq": (H_MS | FLAG,),
    "http3_max_concurrent_streams": (H_MS | TAKE1,),
    "http3_stream_buffer_size": (H_MS | TAKE1,),
    "quic_retry": (H_MS | FLAG,),
    "quic_gso": (H_MS | FLAG,),
    "quic_host_key": (H_MS | TAKE1,),
    "quic_active_connection_id_limit": (H_MS | TAKE1,),
    "quic_bpf": (MAIN_ONLY | FLAG,),
    "pass": (S_SRV | TAKE1,),
    "ssl_key_log": (H_MS | TAKE1, S_MS | TAKE1, M_MS | TAKE1),
    "ssl_certificate_cache": (H_MS | TAKE123, S_MS | TAKE123),
    "proxy_ssl_certificate_cache": (H_MSL | TAKE123, S_MS | TAKE123),
    "ssl_object_cache_inheritable": (MAIN_ONLY | FLAG,),
    "early_hints": (H_MSL | MORE1,),
    "keepalive_min_timeout": (H_MSL | TAKE1,),
    "ssl_certificate_compression": (H_MS | FLAG, S_MS | FLAG, M_MS | FLAG),
    "proxy_pass_trailers": (H_MSL | FLAG,),
    # 1.29.3: how a level's add_header/add_trailer list takes the enclosing level's (on, off, merge)
    "add_header_inherit": (H_MSL | H_LIF | TAKE1,),
    "add_trailer_inherit": (H_MSL | H_LIF | TAKE1,),
    # 1.27.4 - 1.31.3
    "grpc_ssl_certificate_cache": (H_MSL | TAKE123,),
    "uwsgi_ssl_certificate_cache": (H_MSL | TAKE123,),
    "ssl_ech_file": (H_MS | TAKE1, S_MS | TAKE1),
    "xml_external_entities": (H_MSL | FLAG,),
    **{f"{module}_socket_{buffer}": (H_MSL | TAKE1,) for module in ("fastcgi", "grpc", "scgi", "uwsgi", "tunnel")
       for buffer in ("rcvbuf", "sndbuf")},
    "proxy_ssl_alpn": (S_MS | MORE1,),
    "proxy_socket_rcvbuf": (H_MSL | TAKE1, S_MS | TAKE1),
    "proxy_socket_sndbuf": (H_MSL | TAKE1, S_MS | TAKE1),
    "max_headers": (H_MS | TAKE1,),
    # 1.25.5: virtual servers in stream, chosen by the name the client's TLS handshake sends (SNI)
    "server_name": (S_SRV | MORE1,),
    "server_names_hash_max_size": (S_MAIN | TAKE1,),
    "server_names_hash_bucket_size": (S_MAIN | TAKE1,),
    # 1.27.3: re-resolvable upstream servers in open-source nginx
    "resolver": (S_UPS | MORE1,),
    "resolver_timeout": (H_UPS | TAKE1, S_UPS | TAKE1),
    # NGINX Plus R33 and later
    "mgmt": (MAIN_ONLY | BLOCK | NOARGS,),
    "internal_redirect": (H_MSL | TAKE1,),
    "auth_jwt_key_cache": (H_MSL | TAKE1,),
    "auth_jwt_type": (H_MSL | TAKE1,),
    "auth_jwt_require": (H_MSL | H_LMT | MORE1,),
    "auth_jwt_header_set": (H_MAIN | MORE1,),
    # njs: crossplane knows only the first njs release; newer njs widened contexts and args.
    "js_import": (H_MSL | TAKE13, S_MS | TAKE13),  # `module.js` or `name from module.js`
    "js_path": (H_MSL | TAKE1, S_MS | TAKE1),
    "js_set": (H_MSL | TAKE23, S_MS | TAKE23),
    "js_content": (H_LI | H_LMT | TAKE1, S_SRV | TAKE1),
    "js_body_filter": (H_LI | H_LMT | TAKE12,),
    "js_header_filter": (H_LI | H_LMT | TAKE1,),
    "js_var": (H_MSL | TAKE12, S_MS | TAKE12),
    "js_preload_object": (H_MSL | TAKE13, S_MS | TAKE13),
    "js_shared_dict_zone": (H_MAIN | MORE1, S_MAIN | MORE1),
    "js_periodic": (H_LOC | MORE1, S_SRV | MORE1),
    "js_engine": (H_MSL | TAKE1, S_MS | TAKE1),
    "js_context_reuse": (H_MSL | TAKE1, S_MS | TAKE1),
    "js_fetch_buffer_size": (H_MSL | TAKE1, S_MS | TAKE1),
    "js_fetch_ciphers": (H_MSL | TAKE1, S_MS | TAKE1),
    "js_fetch_max_response_buffer_size": (H_MSL | TAKE1, S_MS | TAKE1),
    "js_fetch_protocols": (H_MSL | MORE1, S_MS | MORE1),
    "js_fetch_timeout": (H_MSL | TAKE1, S_MS | TAKE1),
    "js_fetch_trusted_certificate": (H_MSL | TAKE1, S_MS | TAKE1),
    "js_fetch_verify": (H_MSL | FLAG, S_MS | FLAG),
    "js_fetch_verify_depth": (H_MSL | TAKE1, S_MS | TAKE1),
    "js_fetch_keepalive": (H_MSL | TAKE1, S_MS | TAKE1),
    "js_fetch_keepalive_requests": (H_MSL | TAKE1, S_MS | TAKE1),
    "js_fetch_keepalive_time": (H_MSL | TAKE1, S_MS | TAKE1),
    "js_fetch_keepalive_timeout": (H_MSL | TAKE1, S_MS | TAKE1),
    "js_access": (S_MS | TAKE1,),
    "js_preread": (S_MS | TAKE1,),
    "js_filter": (S_MS | TAKE1,),
    # Obsolete or undocumented, still accepted by nginx 1.22 (Debian 12), absent from crossplane's table
    "epoll_events": (EVENTS | TAKE1,),
    "open_file_cache_events": (H_MSL | FLAG,),
    "gzip_hash": (H_MSL | TAKE1,),
    "gzip_window": (H_MSL | TAKE1,),
    "gzip_no_buffer": (H_MSL | FLAG,),
    "postpone_gzipping": (H_MSL | TAKE1,),
    "ssi_ignore_recycled_buffers": (H_MSL | FLAG,),
    "http2_pool_size": (H_MS | TAKE1,),
    "http2_streams_index_size": (H_MS | TAKE1,),
    "uwsgi_string": (H_MSL | TAKE1,),
    "proxy_downstream_buffer": (S_MS | TAKE1,),
    "proxy_upstream_buffer": (S_MS | TAKE1,),
    # mail: `proxy on|off`, and the PROXY protocol and realip modules (1.19.8)
    "proxy": (M_MS | FLAG,),
    "proxy_protocol": (M_MS | FLAG,),
    "set_real_ip_from": (M_MS | TAKE1,),
    # nginx-otel (official module)
    "otel_exporter": (H_MAIN | BLOCK | NOARGS,),
    "otel_service_name": (H_MAIN | TAKE1,),
    "otel_resource_attr": (H_MAIN | TAKE2,),
    "otel_trace": (H_MSL | TAKE1,),
    "otel_trace_context": (H_MSL | TAKE1,),
    "otel_span_name": (H_MSL | TAKE1,),
    "otel_span_attr": (H_MSL | TAKE2,),
}

# Rows of crossplane 0.5.8 whose argument style differs from nginx's C source (found by running
# `nginx -t`): name -> argument bits that replace crossplane's; its context bits are kept.
ARGUMENT_FIXES: dict[str, int] = {
    "limit_conn_dry_run": FLAG,
    "limit_req_dry_run": FLAG,
    "uwsgi_cache_background_update": FLAG,
}
