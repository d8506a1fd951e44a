"""Directives of third-party modules: the ones OpenResty bundles, and widely used others.

Rows come from the modules' READMEs ("context:" lines). Where a module documents no exact argument
count, or a row is uncertain, the mask is permissive (``MORE1``/``ANY``, wider contexts): nginxlint
must not call a working config broken. Blocks that hold free-form entries (``geoip2``, ``rtmp``,
``lua``) are declared here; what is inside them is not checked.
"""

from nginxlint.nginx.directives_masks import (
    ANY, BLOCK, FLAG, H_ALL, H_LI, H_LMT, H_LOC, H_MAIN, H_MSL, H_MSLI, H_SET, H_UPS, MAIN_ONLY,
    MORE1, NOARGS, S_MAIN, S_MS, TAKE1,
)

# (mask, whitespace-separated directive names)
_GROUPS = (
    # headers-more-nginx-module
    (H_MSLI | MORE1, "more_set_headers more_clear_headers more_set_input_headers more_clear_input_headers"),
    # set-misc-nginx-module (NDK set_var: server, if in server, location, if in location)
    (H_SET | MORE1, """
        set_if_empty set_quote_sql_str set_quote_pgsql_str set_quote_json_str set_unescape_uri
        set_escape_uri set_hashed_upstream set_encode_base32 set_decode_base32 set_encode_base64
        set_decode_base64 set_encode_base64url set_decode_base64url set_encode_hex set_decode_hex
        set_sha1 set_md5 set_hmac_sha1 set_hmac_sha256 set_random set_secure_random_alphanum
        set_secure_random_lcalpha set_rotate set_local_today set_formatted_gmt_time
        set_formatted_local_time
    """),
    (H_MSLI | MORE1, "set_misc_base32_padding set_base32_padding set_base32_alphabet"),
    (H_MAIN | MORE1, "upstream_list"),  # upstream_list NAME UPSTREAM...: for set_hashed_upstream
    # echo-nginx-module
    (H_LI | ANY, """
        echo echo_duplicate echo_flush echo_sleep echo_blocking_sleep echo_reset_timer
        echo_read_request_body echo_location_async echo_location echo_subrequest_async
        echo_subrequest echo_foreach_split echo_end echo_request_body echo_exec echo_status
        echo_before_body echo_after_body
    """),
    # srcache-nginx-module
    (H_MSLI | MORE1, """
        srcache_fetch srcache_fetch_skip srcache_store srcache_store_max_size srcache_store_skip
        srcache_store_statuses srcache_store_ranges srcache_header_buffer_size
        srcache_store_hide_header srcache_store_pass_header srcache_methods
        srcache_ignore_content_encoding srcache_response_cache_control srcache_expire
        srcache_max_expire srcache_default_expire srcache_request_cache_control
        srcache_store_private srcache_store_no_store srcache_store_no_cache
    """),
    # redis2-nginx-module, ngx_http_redis
    (H_MSLI | MORE1, """
        redis2_query redis2_raw_query redis2_raw_queries redis2_literal_raw_query redis2_pass
        redis2_connect_timeout redis2_send_timeout redis2_read_timeout redis2_buffer_size
        redis2_next_upstream redis_pass redis_bind redis_connect_timeout redis_send_timeout
        redis_read_timeout redis_buffer_size redis_next_upstream redis_gzip_flag
    """),
    # memc-nginx-module
    (H_MSLI | MORE1, """
        memc_pass memc_cmds_allowed memc_flags_to_last_modified memc_connect_timeout
        memc_send_timeout memc_read_timeout memc_buffer_size memc_next_upstream
        memc_upstream_max_fails memc_upstream_fail_timeout memc_ignore_client_abort
    """),
    # rds-json-nginx-module, rds-csv-nginx-module
    (H_MSLI | MORE1, """
        rds_json rds_json_buffer_size rds_json_format rds_json_root rds_json_success_property
        rds_json_user_property rds_json_errcode_key rds_json_errstr_key rds_json_ret
        rds_json_content_type rds_csv rds_csv_row_terminator rds_csv_field_separator
        rds_csv_field_name_header rds_csv_content_type rds_csv_buffer_size
    """),
    # array-var, encrypted-session, form-input, iconv (NDK set_var style where they set variables)
    (H_SET | MORE1, """
        array_split array_join array_map array_map_op set_encrypt_session set_decrypt_session
        set_form_input set_form_input_multi set_iconv
    """),
    (H_MSL | MORE1, "encrypted_session_key encrypted_session_iv encrypted_session_expires"),
    (H_MSLI | MORE1, "iconv_buffer_size iconv_filter"),
    # xss-nginx-module
    (H_MSLI | MORE1, "xss_get xss_callback_arg xss_override_status xss_check_status xss_input_types"),
    # drizzle-nginx-module, ngx_postgres
    (H_UPS | MORE1, "drizzle_server drizzle_keepalive postgres_server postgres_keepalive"),
    (H_MSLI | MORE1, """
        drizzle_query drizzle_pass drizzle_connect_timeout drizzle_send_query_timeout
        drizzle_recv_cols_timeout drizzle_recv_rows_timeout drizzle_buffer_size
        drizzle_module_header drizzle_status postgres_pass postgres_query postgres_rewrite
        postgres_output postgres_set postgres_escape postgres_connect_timeout
        postgres_result_timeout
    """),
    # nginx-module-vts / nginx-module-sts
    (H_MSLI | ANY, """
        vhost_traffic_status vhost_traffic_status_zone vhost_traffic_status_dump
        vhost_traffic_status_display vhost_traffic_status_display_format
        vhost_traffic_status_display_jsonp vhost_traffic_status_display_sum_key
        vhost_traffic_status_filter vhost_traffic_status_filter_by_host
        vhost_traffic_status_filter_by_set_key vhost_traffic_status_filter_check_duplicate
        vhost_traffic_status_filter_max_node vhost_traffic_status_limit
        vhost_traffic_status_limit_traffic vhost_traffic_status_limit_traffic_by_set_key
        vhost_traffic_status_limit_check_duplicate vhost_traffic_status_set_by_filter
        vhost_traffic_status_average_method vhost_traffic_status_histogram_buckets
        vhost_traffic_status_bypass_limit vhost_traffic_status_bypass_stats
        stream_server_traffic_status stream_server_traffic_status_display
        stream_server_traffic_status_display_format stream_server_traffic_status_display_jsonp
        stream_server_traffic_status_zone stream_server_traffic_status_average_method
    """),
    (S_MS | ANY, """
        server_traffic_status server_traffic_status_zone server_traffic_status_filter
        server_traffic_status_filter_by_set_key server_traffic_status_filter_check_duplicate
        server_traffic_status_limit server_traffic_status_limit_traffic
        server_traffic_status_limit_traffic_by_set_key server_traffic_status_limit_check_duplicate
        server_traffic_status_average_method server_traffic_status_histogram_buckets
    """),
    # ngx_brotli
    (H_MSLI | FLAG, "brotli"),
    (H_MSL | MORE1, "brotli_static brotli_types brotli_buffers brotli_comp_level brotli_window brotli_min_length"),
    # ngx_http_geoip2_module (the block holds variable definitions)
    (H_MAIN | BLOCK | TAKE1, "geoip2"),
    (S_MAIN | BLOCK | TAKE1, "geoip2"),
    (H_MAIN | MORE1, "geoip2_proxy geoip2_proxy_recursive"),
    # ModSecurity-nginx
    (H_MSLI | MORE1, """
        modsecurity modsecurity_rules modsecurity_rules_file modsecurity_rules_remote
        modsecurity_transaction_id modsecurity_use_error_log
    """),
    # ngx_cache_purge
    (H_MSL | MORE1, "proxy_cache_purge fastcgi_cache_purge scgi_cache_purge uwsgi_cache_purge cache_purge_response_type"),
    # ngx-fancyindex
    (H_MSLI | MORE1, """
        fancyindex fancyindex_default_sort fancyindex_case_sensitive fancyindex_directories_first
        fancyindex_css_href fancyindex_exact_size fancyindex_name_length fancyindex_footer
        fancyindex_header fancyindex_show_path fancyindex_show_dotfiles fancyindex_ignore
        fancyindex_hide_symlinks fancyindex_hide_parent_dir fancyindex_localtime
        fancyindex_time_format
    """),
    # ngx_http_substitutions_filter_module
    (H_MSLI | MORE1, "subs_filter subs_filter_types subs_filter_bypass"),
    # nginx-dav-ext-module
    (H_MSL | MORE1, "dav_ext_methods dav_ext_lock dav_ext_lock_zone"),
    # nginx_upstream_check_module (tengine), nginx-sticky-module-ng, upstream fair
    (H_UPS | ANY, """
        check check_http_send check_http_expect_alive check_smtp_send check_smtp_expect_alive
        check_mysql_send check_keepalive_requests check_fastcgi_param check_shm_size fair
    """),
    (H_MSL | ANY, "check_status"),
    # nginx-upload-progress, nginx-upload-module
    (H_MSLI | MORE1, """
        upload_progress track_uploads report_uploads upload_progress_json_output
        upload_progress_jsonp_output upload_progress_header upload_progress_jsonp_parameter
        upload_pass upload_store upload_state_store upload_store_access upload_set_form_field
        upload_aggregate_form_field upload_pass_form_field upload_cleanup upload_buffer_size
        upload_max_part_header_len upload_max_file_size upload_limit_rate upload_max_output_body_len
        upload_tame_arrays upload_resumable upload_pass_args
    """),
    # nchan
    (H_MSLI | MORE1, """
        nchan_publisher nchan_subscriber nchan_pubsub nchan_channel_id nchan_publisher_channel_id
        nchan_subscriber_channel_id nchan_channel_group nchan_message_timeout
        nchan_message_buffer_length nchan_redis_url nchan_redis_pass nchan_use_redis
        nchan_subscriber_timeout nchan_store_messages nchan_authorize_request nchan_max_reserved_memory
        nchan_shared_memory_size nchan_stub_status nchan_websocket_ping_interval
    """),
    (H_UPS | MORE1, "nchan_redis_server nchan_redis_storage_mode nchan_redis_connect_timeout"),
    # naxsi
    (H_MAIN | MORE1, "MainRule include_rules"),
    (H_LI | MORE1, """
        BasicRule CheckRule DeniedUrl LearningMode SecRulesEnabled SecRulesDisabled LibInjectionSql
        LibInjectionXss basic_rule check_rule denied_url learning_mode rules_enabled rules_disabled
        libinjection_sql libinjection_xss
    """),
    # nginx-opentracing
    (H_MSLI | MORE1, """
        opentracing opentracing_load_tracer opentracing_trace_locations opentracing_propagate_context
        opentracing_fastcgi_propagate_context opentracing_grpc_propagate_context opentracing_operation_name
        opentracing_location_operation_name opentracing_tag opentracing_trust_incoming_span
    """),
    # ngx_pagespeed, Phusion Passenger (only the common directives)
    (H_ALL | ANY, "pagespeed"),
    (H_MSLI | MORE1, """
        passenger_enabled passenger_root passenger_ruby passenger_python passenger_nodejs
        passenger_app_env passenger_app_root passenger_app_type passenger_startup_file
        passenger_min_instances passenger_max_pool_size passenger_user passenger_group
        passenger_friendly_error_pages passenger_env_var passenger_set_header passenger_base_uri
        passenger_app_group_name passenger_restart_dir passenger_spawn_method passenger_log_level
        passenger_log_file passenger_instance_registry_dir passenger_pre_start
    """),
    # auth modules: auth_pam, auth_ldap, auth_digest, auth_spnego
    (H_MSL | H_LMT | MORE1, """
        auth_pam auth_pam_service_name auth_pam_set_pam_env auth_ldap auth_ldap_servers
        auth_digest auth_digest_user_file auth_digest_timeout auth_digest_expires
        auth_digest_replays auth_digest_shm_size auth_gss auth_gss_keytab auth_gss_realm
        auth_gss_service_name auth_gss_allow_basic_fallback
    """),
    (H_MAIN | BLOCK | TAKE1, "ldap_server"),
    # nginx-rtmp-module: a top-level block whose content is its own world
    (MAIN_ONLY | BLOCK | NOARGS, "rtmp"),
    (MAIN_ONLY | MORE1, "rtmp_auto_push rtmp_auto_push_reconnect rtmp_socket_dir"),
    (H_LOC | ANY, "rtmp_stat rtmp_stat_stylesheet rtmp_control"),
    # APISIX's apisix-base: a top-level `lua { lua_shared_dict ...; }` shared by http and stream
    (MAIN_ONLY | BLOCK | NOARGS, "lua"),
    # Kong's builds: lua-resty-lmdb (main-context settings) and ngx_wasm_module (a top-level `wasm {}` block whose
    # content is its own world, and proxy_wasm filters in http)
    (MAIN_ONLY | MORE1, "lmdb_environment_path lmdb_map_size lmdb_max_databases lmdb_validation_tag"),
    (MAIN_ONLY | BLOCK | NOARGS, "wasm"),
    (H_MSL | MORE1, "proxy_wasm proxy_wasm_isolation"),
    # ngx_http_dyups_module (tengine, common with OpenResty)
    (H_MSL | MORE1, "dyups_interface dyups_shm_zone_size dyups_read_msg_timeout dyups_trylock dyups_read_msg_log"),
)


def _build() -> dict[str, tuple[int, ...]]:
    table: dict[str, tuple[int, ...]] = {}
    for mask, names in _GROUPS:
        for name in names.split():
            table[name] = table.get(name, ()) + (mask,)
    return table


THIRD_PARTY: dict[str, tuple[int, ...]] = _build()
