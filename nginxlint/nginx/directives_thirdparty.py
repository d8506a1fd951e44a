"""Directives of third-party modules: the ones OpenResty bundles, and widely used others.

The modules Debian packages (`libnginx-mod-*`) are written exactly as their command tables define them (contexts and
argument counts), and tests/oracle/test_directives_oracle.py checks every row against nginx with the module loaded.
The other rows come from the modules' READMEs ("context:" lines). Where a module documents no exact argument count,
or a row is uncertain, the mask is permissive (``MORE1``/``ANY``, wider contexts): nginxlint must not call a working
config broken. Blocks that hold free-form entries (``geoip2``, ``rtmp``, ``lua``) are declared here; what is inside
them is not checked.
"""

from nginxlint.nginx.directives_masks import (
    ANY, BLOCK, FLAG, H_ALL, H_LI, H_LMT, H_LOC, H_MAIN, H_MS, H_MSL, H_MSLI, H_SET, H_SRV, H_UPS, MAIN, MAIN_ONLY,
    MORE1, MORE2, NOARGS, S_MAIN, S_MS, TAKE1, TAKE2, TAKE3, TAKE4, TAKE5, TAKE6, TAKE12, TAKE23, TAKE1234567,
)

# (mask, whitespace-separated directive names)
_GROUPS = (
    # -- Debian's libnginx-mod-* modules, from their command tables --
    # ngx_devel_kit (NDK)
    (H_MS | MORE2, "upstream_list"),
    # ngx_http_auth_pam_module
    (H_MSL | H_LMT | TAKE1, "auth_pam auth_pam_service_name"),
    (H_MSL | H_LMT | FLAG, "auth_pam_set_pam_env"),
    # ngx_http_brotli_filter_module
    (H_MSLI | FLAG, "brotli"),
    (H_MSL | TAKE2, "brotli_buffers"),
    (H_MSL | MORE1, "brotli_types"),
    (H_MSL | TAKE1, "brotli_comp_level brotli_window brotli_min_length"),
    # ngx_http_brotli_static_module
    (H_MSL | TAKE1, "brotli_static"),
    # ngx_http_cache_purge_module
    (H_MSL | MORE1, "fastcgi_cache_purge proxy_cache_purge scgi_cache_purge uwsgi_cache_purge"),
    # ngx_http_dav_ext_module
    (H_MSL | MORE1, "dav_ext_methods"),
    (H_MAIN | TAKE12, "dav_ext_lock_zone"),
    (H_MSL | TAKE1, "dav_ext_lock"),
    # ngx_http_echo_module
    (H_LI | ANY, "echo echo_before_body echo_after_body"),
    (H_LI | NOARGS, """
        echo_request_body echo_flush echo_reset_timer echo_read_request_body echo_end echo_abort_parent
    """),
    (H_LI | TAKE1, "echo_sleep echo_blocking_sleep echo_status"),
    (H_LI | TAKE12, "echo_location_async echo_location echo_exec"),
    (H_LI | MORE2, "echo_subrequest_async echo_subrequest echo_duplicate echo_foreach_split"),
    # ngx_http_fancyindex_module
    (H_MSL | FLAG, """
        fancyindex fancyindex_directories_first fancyindex_localtime fancyindex_exact_size fancyindex_hide_symlinks
        fancyindex_show_path fancyindex_show_dotfiles fancyindex_hide_parent_dir
    """),
    (H_MSL | TAKE1, "fancyindex_name_length fancyindex_css_href fancyindex_time_format"),
    (H_MSL | TAKE1, "fancyindex_default_sort"),
    (H_MSL | TAKE12, "fancyindex_header fancyindex_footer"),
    (H_MSL | MORE1, "fancyindex_ignore"),
    # ngx_http_geoip2_module
    (H_MAIN | BLOCK | TAKE1, "geoip2"),
    (H_MAIN | TAKE1, "geoip2_proxy"),
    (H_MAIN | FLAG, "geoip2_proxy_recursive"),
    # ngx_http_headers_more_filter_module
    (H_MSLI | MORE1, "more_set_headers more_clear_headers more_set_input_headers more_clear_input_headers"),
    # ngx_http_memc_module
    (H_MSLI | MORE1, "memc_cmds_allowed"),
    (H_LI | TAKE1, "memc_pass"),
    (H_MSL | TAKE1, """
        memc_connect_timeout memc_send_timeout memc_read_timeout memc_buffer_size memc_upstream_max_fails
        memc_upstream_fail_timeout
    """),
    (H_MSL | MORE1, "memc_next_upstream"),
    (H_LI | FLAG, "memc_flags_to_last_modified memc_ignore_client_abort"),
    # ngx_http_modsecurity_module
    (H_MSL | FLAG, "modsecurity"),
    (H_MSL | TAKE1, "modsecurity_rules modsecurity_rules_file"),
    (H_MSL | TAKE2, "modsecurity_rules_remote"),
    (H_MSL | MORE1, "modsecurity_transaction_id"),
    # ngx_http_set_misc_module
    (H_SET | H_MAIN | TAKE12, """
        set_encode_base64 set_decode_base64 set_encode_base64url set_decode_base64url set_decode_hex set_encode_hex
        set_md5 set_sha1 set_unescape_uri set_escape_uri set_quote_sql_str set_quote_pgsql_str set_quote_json_str
        set_encode_base32 set_decode_base32 set_secure_random_alphanum set_secure_random_lcalpha
    """),
    (H_SET | H_MAIN | TAKE3, "set_hmac_sha1 set_hmac_sha256 set_hashed_upstream set_random set_rotate"),
    (H_SET | H_MAIN | TAKE2, "set_if_empty set_formatted_gmt_time set_formatted_local_time"),
    (H_SET | H_MAIN | FLAG, "set_misc_base32_padding set_base32_padding"),
    (H_SET | H_MAIN | TAKE1, "set_base32_alphabet set_local_today"),
    # ngx_http_srcache_filter_module
    (H_MSLI | TAKE1, """
        srcache_buffer srcache_store_max_size srcache_fetch_skip srcache_store_skip srcache_header_buffer_size
        srcache_max_expire srcache_default_expire
    """),
    (H_MSLI | TAKE23, "srcache_fetch srcache_store"),
    (H_MSLI | MORE1, "srcache_store_statuses"),
    (H_MSL | MORE1, "srcache_methods"),
    (H_MSL | FLAG, """
        srcache_request_cache_control srcache_store_private srcache_store_no_store srcache_store_no_cache
        srcache_response_cache_control srcache_store_ranges srcache_ignore_content_encoding
    """),
    (H_MSL | TAKE1, "srcache_store_hide_header srcache_store_pass_header"),
    # ngx_http_subs_filter_module
    (H_MSL | MORE2, "subs_filter"),
    (H_MSL | MORE1, "subs_filter_bypass subs_filter_types"),
    (H_MSL | TAKE2, "subs_line_buffer_size subs_buffers"),
    # ngx_http_uploadprogress_module
    (H_MAIN | TAKE2, "upload_progress"),
    (H_MSL | TAKE2, "track_uploads upload_progress_template"),
    (H_MSL | TAKE1, """
        report_uploads upload_progress_content_type upload_progress_header upload_progress_jsonp_parameter
    """),
    (H_MSL | NOARGS, "upload_progress_java_output upload_progress_json_output upload_progress_jsonp_output"),
    # ngx_http_upstream_fair_module
    (H_UPS | ANY, "fair"),
    (H_MAIN | TAKE1, "upstream_fair_shm_size"),
    # ngx_nchan_module
    (H_LI | H_SRV | TAKE1234567, """
        nchan_channel_id nchan_pubsub_channel_id nchan_publisher_channel_id nchan_pub_channel_id
        nchan_subscriber_channel_id nchan_sub_channel_id
    """),
    (H_LI | H_SRV | TAKE1, """
        nchan_publisher_upstream_request nchan_channel_id_split_delimiter nchan_longpoll_multipart_response
        nchan_eventsource_event nchan_eventsource_ping_comment nchan_eventsource_ping_event
        nchan_eventsource_ping_data nchan_eventsource_ping_interval nchan_subscriber_message_id_custom_etag_header
        nchan_subscriber_http_raw_stream_separator nchan_subscriber_first_message nchan_websocket_ping_interval
        nchan_authorize_request nchan_subscribe_request nchan_unsubscribe_request nchan_channel_group
        push_channel_group nchan_channel_events_channel_id nchan_channel_event_string push_min_message_buffer_length
        push_subscriber_concurrency
    """),
    (H_LI | H_SRV | FLAG, "nchan_subscriber_compound_etag_message_id"),
    (H_SRV | H_LOC | TAKE1, """
        nchan_deflate_message_for_websocket nchan_subscriber_info_string nchan_redis_upstream_stats
    """),
    (H_SRV | H_LOC | FLAG, "nchan_channel_group_accounting"),
    (H_LI | H_SRV | NOARGS | TAKE1 | TAKE2 | TAKE3 | TAKE4 | TAKE5 | TAKE6, """
        nchan_pubsub nchan_pubsub_location
    """),
    (H_LOC | NOARGS, "nchan_subscriber_info nchan_stub_status nchan_benchmark"),
    (H_LI | H_SRV | NOARGS | TAKE1 | TAKE2 | TAKE3 | TAKE4 | TAKE5, """
        nchan_subscriber push_subscriber nchan_subscriber_location
    """),
    (H_LI | H_SRV | TAKE1 | TAKE2 | TAKE3 | TAKE4 | TAKE5, "nchan_subscriber_last_message_id"),
    (H_LI | H_SRV | TAKE2, "nchan_websocket_client_heartbeat"),
    (H_LI | H_SRV | NOARGS | TAKE1 | TAKE2, "nchan_publisher push_publisher nchan_publisher_location"),
    (H_MSLI | TAKE1, """
        nchan_subscriber_timeout push_subscriber_timeout nchan_store_messages push_store_messages
        nchan_access_control_allow_origin
    """),
    (H_MSLI | FLAG, "nchan_access_control_allow_credentials"),
    (H_MAIN | TAKE1, """
        nchan_message_temp_path nchan_shared_memory_size push_max_reserved_memory nchan_max_reserved_memory
        nchan_permessage_deflate_compression_level nchan_permessage_deflate_compression_strategy
        nchan_permessage_deflate_compression_window nchan_permessage_deflate_compression_memlevel
        nchan_redis_publish_msgpacked_max_size nchan_redis_fakesub_timer_interval
    """),
    (H_MSL | TAKE1, """
        nchan_redis_url nchan_redis_pass nchan_redis_wait_after_connecting nchan_redis_idle_channel_cache_timeout
        nchan_message_timeout push_message_timeout nchan_message_buffer_length push_max_message_buffer_length
        push_message_buffer_length nchan_message_max_buffer_length nchan_max_channel_id_length
        push_max_channel_id_length nchan_max_channel_subscribers push_max_channel_subscribers nchan_channel_timeout
        push_channel_timeout nchan_storage_engine
    """),
    (H_MSL | FLAG, """
        nchan_redis_pass_inheritable nchan_use_redis nchan_subscribe_existing_channels_only
        push_authorized_channels_only
    """),
    (H_UPS | TAKE1234567, """
        nchan_redis_discovered_ip_range_blacklist
    """),
    (H_UPS | TAKE1, """
        nchan_redis_server nchan_redis_username nchan_redis_password nchan_redis_ssl_client_certificate
        nchan_redis_tls_client_certificate nchan_redis_ssl_client_certificate_key nchan_redis_ssl_server_name
        nchan_redis_tls_server_name nchan_redis_ssl_trusted_certificate nchan_redis_tls_trusted_certificate
        nchan_redis_ssl_trusted_certificate_path nchan_redis_tls_trusted_certificate_path nchan_redis_ssl_ciphers
        nchan_redis_tls_ciphers nchan_redis_ssl_verify_certificate nchan_redis_tls_verify_certificate
        nchan_redis_connect_timeout nchan_redis_node_connect_timeout nchan_redis_cluster_connect_timeout
        nchan_redis_cluster_max_failing_time nchan_redis_reconnect_delay nchan_redis_reconnect_delay_min
        nchan_redis_reconnect_delay_jitter nchan_redis_reconnect_delay_backoff nchan_redis_reconnect_delay_max
        nchan_redis_idle_channel_keepalive_safety_margin nchan_redis_idle_channel_keepalive_min
        nchan_redis_idle_channel_keepalive_jitter nchan_redis_idle_channel_keepalive_backoff
        nchan_redis_idle_channel_keepalive_max nchan_redis_cluster_check_interval_min
        nchan_redis_cluster_check_interval nchan_redis_cluster_check_interval_jitter
        nchan_redis_cluster_check_interval_backoff nchan_redis_cluster_check_interval_max
        nchan_redis_cluster_recovery_delay nchan_redis_cluster_recovery_delay_min
        nchan_redis_cluster_recovery_delay_jitter nchan_redis_cluster_recovery_delay_backoff
        nchan_redis_cluster_recovery_delay_max nchan_redis_command_timeout nchan_redis_retry_commands_max_wait
        nchan_redis_optimize_target
    """),
    (H_UPS | FLAG, """
        nchan_redis_ssl nchan_redis_tls nchan_redis_load_scripts_unconditionally
        nchan_redis_accurate_subscriber_count nchan_redis_retry_commands nchan_redis_upstream_stats_enabled
        nchan_redis_upstream_stats_disconnected_timeout
    """),
    (H_MSL | H_UPS | TAKE1, "nchan_redis_storage_mode nchan_redis_ping_interval nchan_redis_namespace"),
    (H_MS | H_UPS | FLAG, "nchan_redis_nostore_fastpublish"),
    (H_UPS | TAKE12, "nchan_redis_subscribe_weights"),
    (H_LOC | NOARGS | TAKE1 | TAKE2 | TAKE3, "nchan_group_location"),
    (H_LOC | TAKE1, """
        nchan_group_max_channels nchan_group_max_messages nchan_group_max_messages_memory
        nchan_group_max_messages_disk nchan_group_max_subscribers nchan_benchmark_time
        nchan_benchmark_messages_per_channel_per_minute nchan_benchmark_message_padding_bytes
        nchan_benchmark_channels nchan_benchmark_subscribers_per_channel nchan_benchmark_subscriber_distribution
        nchan_benchmark_publisher_distribution
    """),
    # nginx-rtmp-module (its http and main directives; the rtmp block is its own world)
    (MAIN | BLOCK | NOARGS, "rtmp"),
    (MAIN_ONLY | TAKE1, "rtmp_auto_push_reconnect rtmp_socket_dir"),
    (MAIN_ONLY | FLAG, "rtmp_auto_push"),
    (H_MSL | MORE1, "rtmp_stat rtmp_control"),
    (H_MSL | TAKE1, "rtmp_stat_stylesheet"),
    # ngx_stream_geoip2_module
    (S_MAIN | BLOCK | TAKE1, "geoip2"),
    # -- other modules, from their documentation --
    # nginx_ajp_module (Tomcat's AJP; ingress-nginx's controller is built with it), from its command table; arities
    # left open, as its releases differ
    (H_LI | MORE1, "ajp_pass"),
    (H_MAIN | MORE2, "ajp_cache_path"),
    (H_MSL | MORE1, """
        ajp_header_packet_buffer_size ajp_max_data_packet_size ajp_store ajp_store_access ajp_ignore_client_abort
        ajp_connect_timeout ajp_send_timeout ajp_send_lowat ajp_buffer_size ajp_pass_request_headers
        ajp_pass_request_body ajp_intercept_errors ajp_read_timeout ajp_buffers ajp_busy_buffers_size ajp_cache
        ajp_cache_key ajp_cache_valid ajp_cache_min_uses ajp_cache_use_stale ajp_cache_methods ajp_temp_path
        ajp_max_temp_file_size ajp_temp_file_write_size ajp_next_upstream ajp_upstream_max_fails
        ajp_upstream_fail_timeout ajp_pass_header ajp_hide_header ajp_ignore_headers ajp_keep_conn ajp_secret
    """),
    # ngx_http_proxy_connect_module (the CONNECT method of a forward proxy; Tengine's too): its README says server,
    # later releases take location too
    (H_SRV | H_LOC | NOARGS, "proxy_connect"),
    (H_SRV | H_LOC | MORE1, "proxy_connect_allow"),
    (H_SRV | H_LOC | TAKE1, """
        proxy_connect_connect_timeout proxy_connect_read_timeout proxy_connect_write_timeout
        proxy_connect_send_timeout proxy_connect_data_timeout proxy_connect_response
    """),
    (H_SRV | H_LOC | TAKE12, "proxy_connect_address proxy_connect_bind"),
    # zstd-nginx-module (Alpine's nginx-mod-http-zstd, nginx-extras), from its command tables: the filter's switch
    # also in an `if`, its other settings (later releases' too) in http, server and location, the dictionary in http
    (H_MSLI | FLAG, "zstd"),
    (H_MSL | TAKE1, """
        zstd_comp_level zstd_min_length zstd_max_length zstd_target_cblock_size zstd_window_log zstd_static
    """),
    (H_MSL | MORE1, "zstd_types"),
    (H_MSL | TAKE2, "zstd_buffers"),
    (H_MSL | FLAG, "zstd_buffers_unsafe"),
    (H_MAIN | TAKE1, "zstd_dict_file"),
    # srcache-nginx-module
    (H_MSLI | MORE1, "srcache_expire"),
    # redis2-nginx-module, ngx_http_redis
    (H_MSLI | MORE1, """
        redis2_query redis2_raw_query redis2_raw_queries redis2_literal_raw_query redis2_pass redis2_connect_timeout
        redis2_send_timeout redis2_read_timeout redis2_buffer_size redis2_next_upstream redis_pass redis_bind
        redis_connect_timeout redis_send_timeout redis_read_timeout redis_buffer_size redis_next_upstream
        redis_gzip_flag
    """),
    # rds-json-nginx-module, rds-csv-nginx-module
    (H_MSLI | MORE1, """
        rds_json rds_json_buffer_size rds_json_format rds_json_root rds_json_success_property rds_json_user_property
        rds_json_errcode_key rds_json_errstr_key rds_json_ret rds_json_content_type rds_csv rds_csv_row_terminator
        rds_csv_field_separator rds_csv_field_name_header rds_csv_content_type rds_csv_buffer_size
    """),
    # array-var, encrypted-session, form-input, iconv (NDK set_var style where they set variables)
    (H_SET | MORE1, """
        array_split array_join array_map array_map_op set_encrypt_session set_decrypt_session set_form_input
        set_form_input_multi set_iconv
    """),
    (H_MSL | MORE1, "encrypted_session_key encrypted_session_iv encrypted_session_expires"),
    (H_MSLI | MORE1, "iconv_buffer_size iconv_filter"),
    # xss-nginx-module
    (H_MSLI | MORE1, "xss_get xss_callback_arg xss_override_status xss_check_status xss_input_types"),
    # drizzle-nginx-module, ngx_postgres
    (H_UPS | MORE1, "drizzle_server drizzle_keepalive postgres_server postgres_keepalive"),
    (H_MSLI | MORE1, """
        drizzle_query drizzle_pass drizzle_connect_timeout drizzle_send_query_timeout drizzle_recv_cols_timeout
        drizzle_recv_rows_timeout drizzle_buffer_size drizzle_module_header drizzle_status postgres_pass
        postgres_query postgres_rewrite postgres_output postgres_set postgres_escape postgres_connect_timeout
        postgres_result_timeout
    """),
    # nginx-module-vts / nginx-module-sts
    (H_MSLI | ANY, """
        vhost_traffic_status vhost_traffic_status_zone vhost_traffic_status_dump vhost_traffic_status_display
        vhost_traffic_status_display_format vhost_traffic_status_display_jsonp vhost_traffic_status_display_sum_key
        vhost_traffic_status_filter vhost_traffic_status_filter_by_host vhost_traffic_status_filter_by_set_key
        vhost_traffic_status_filter_check_duplicate vhost_traffic_status_filter_max_node vhost_traffic_status_limit
        vhost_traffic_status_limit_traffic vhost_traffic_status_limit_traffic_by_set_key
        vhost_traffic_status_limit_check_duplicate vhost_traffic_status_set_by_filter
        vhost_traffic_status_average_method vhost_traffic_status_histogram_buckets vhost_traffic_status_bypass_limit
        vhost_traffic_status_bypass_stats stream_server_traffic_status stream_server_traffic_status_display
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
    # ModSecurity-nginx
    (H_MSLI | MORE1, "modsecurity_use_error_log"),
    # ngx_cache_purge
    (H_MSL | MORE1, "cache_purge_response_type"),
    # ngx-fancyindex
    (H_MSLI | MORE1, "fancyindex_case_sensitive"),
    # nginx_upstream_check_module (tengine), nginx-sticky-module-ng, upstream fair
    (H_UPS | ANY, """
        check check_http_send check_http_expect_alive check_smtp_send check_smtp_expect_alive check_mysql_send
        check_keepalive_requests check_fastcgi_param check_shm_size
    """),
    (H_MSL | ANY, "check_status"),
    # nginx-upload-progress, nginx-upload-module
    (H_MSLI | MORE1, """
        upload_pass upload_store upload_state_store upload_store_access upload_set_form_field
        upload_aggregate_form_field upload_pass_form_field upload_cleanup upload_buffer_size
        upload_max_part_header_len upload_max_file_size upload_limit_rate upload_max_output_body_len
        upload_tame_arrays upload_resumable upload_pass_args
    """),
    # naxsi (naxsi_src/naxsi_skeleton.c: the on/off switches take no argument)
    (H_MAIN | MORE1, "MainRule main_rule include_rules"),
    (H_MSLI | H_LMT | MORE1, """
        BasicRule CheckRule DeniedUrl IgnoreIP IgnoreCIDR NaxsiLogFile
        basic_rule check_rule denied_url ignore_ip ignore_cidr naxsi_log
    """),
    (H_MSLI | H_LMT | NOARGS, """
        LearningMode SecRulesEnabled SecRulesDisabled LibInjectionSql LibInjectionXss
        learning_mode rules_enabled rules_disabled libinjection_sql libinjection_xss
    """),
    # nginx-opentracing (its ngx_http_opentracing_module.cpp command table)
    (H_MSL | FLAG, "opentracing opentracing_trace_locations opentracing_trust_incoming_span"),
    (H_MSL | NOARGS, """
        opentracing_propagate_context opentracing_fastcgi_propagate_context opentracing_grpc_propagate_context
    """),
    (H_MSL | TAKE1, "opentracing_operation_name opentracing_location_operation_name"),
    (H_MSL | TAKE2, "opentracing_tag"),
    (H_MS | TAKE2, "opentracing_load_tracer"),
    # ngx_pagespeed, Phusion Passenger (only the common directives)
    (H_ALL | ANY, "pagespeed"),
    (H_MSLI | MORE1, """
        passenger_enabled passenger_root passenger_ruby passenger_python passenger_nodejs passenger_app_env
        passenger_app_root passenger_app_type passenger_startup_file passenger_min_instances passenger_max_pool_size
        passenger_user passenger_group passenger_friendly_error_pages passenger_env_var passenger_set_header
        passenger_base_uri passenger_app_group_name passenger_restart_dir passenger_spawn_method passenger_log_level
        passenger_log_file passenger_instance_registry_dir passenger_pre_start
    """),
    # auth modules: auth_pam, auth_ldap, auth_digest, auth_spnego
    (H_MSL | H_LMT | MORE1, """
        auth_ldap auth_ldap_servers auth_digest auth_digest_user_file auth_digest_timeout auth_digest_expires
        auth_digest_replays auth_digest_shm_size auth_gss auth_gss_keytab auth_gss_realm auth_gss_service_name
        auth_gss_allow_basic_fallback
    """),
    (H_MAIN | BLOCK | TAKE1, "ldap_server"),
    # APISIX's apisix-base: a top-level `lua { lua_shared_dict ...; }` shared by http and stream
    (MAIN_ONLY | BLOCK | NOARGS, "lua"),
    # Kong's builds: lua-resty-lmdb (main-context settings) and ngx_wasm_module (a top-level `wasm {}` block whose
    # content is its own world, and proxy_wasm filters in http)
    (MAIN_ONLY | MORE1, "lmdb_environment_path lmdb_map_size lmdb_max_databases lmdb_validation_tag"),
    (MAIN_ONLY | BLOCK | NOARGS, "wasm"),
    (H_MSL | MORE1, "proxy_wasm proxy_wasm_isolation"),
    # the dynamic TLS record size patch (Cloudflare's, carried by nginx-ee and other source builds): every
    # directive is NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_FLAG, one argument read by a flag, msec, size or
    # number slot
    (H_MS | FLAG, "ssl_dyn_rec_enable"),
    (H_MS | TAKE1, "ssl_dyn_rec_timeout ssl_dyn_rec_size_lo ssl_dyn_rec_size_hi ssl_dyn_rec_threshold"),
    # OpenResty's own patch of the log module (patches/nginx-*-log_escape_non_ascii.patch, in every release since
    # 1.0.9.7): NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG
    (H_MSL | FLAG, "log_escape_non_ascii"),
    # ipscrub (IP address anonymising for logs): NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1
    (H_MAIN | TAKE1, "ipscrub_period_seconds"),
    # ngx_http_dyups_module (tengine, common with OpenResty), from its command table: the interface location takes
    # no argument; the settings are http-main ones (dyups_resolver and dyups_resolver_timeout of older releases too)
    (H_LOC | NOARGS, "dyups_interface"),
    (H_LOC | MORE1, "dyups_resolver"),
    (H_MAIN | TAKE1, """
        dyups_shm_zone_size dyups_read_msg_timeout dyups_trylock dyups_read_msg_log dyups_upstream_conf
        dyups_resolver_timeout
    """),
    # nginx-upsync-module (weibocom): upstream servers pulled from Consul or etcd; from its README's context lines
    (H_UPS | MORE1, "upsync"),
    (H_UPS | TAKE1, "upsync_dump_path upsync_lb"),
    (H_LOC | NOARGS, "upstream_show"),
    # Google's Extensible Service Proxy (ESP, the nginx of gcr.io/endpoints-release/endpoints-runtime), from
    # src/nginx/module.cc's command table: the `endpoints` block's settings (`on`, `api`, `metadata_server`) are its
    # own world
    (H_MSL | BLOCK | NOARGS, "endpoints"),
    (H_LOC | NOARGS, "endpoints_status"),
    (H_MAIN | TAKE1, "endpoints_resolver endpoints_certificates"),
    # Wallarm's filtering node (its own nginx module; also the injected Kubernetes sidecar), from its configuration
    # reference's context lines; it documents no argument counts, so the masks take any
    (H_MSL | MORE1, """
        disable_acl wallarm_application wallarm_block_page wallarm_custom_ruleset_path wallarm_enable_libdetection
        wallarm_fallback wallarm_force wallarm_general_ruleset_memory_limit wallarm_global_trainingset_path
        wallarm_instance wallarm_key_path wallarm_local_trainingset_path wallarm_mode wallarm_mode_allow_override
        wallarm_parse_response wallarm_parse_websocket wallarm_parser_disable wallarm_parse_html_response
        wallarm_partner_client_uuid wallarm_process_time_limit wallarm_process_time_limit_block wallarm_protondb_path
        wallarm_rate_limit wallarm_rate_limit_enabled wallarm_rate_limit_log_level wallarm_rate_limit_status_code
        wallarm_request_chunk_size wallarm_request_memory_limit wallarm_stalled_worker_timeout wallarm_timeslice
        wallarm_ts_request_memory_limit wallarm_unpack_response
    """),
    (H_MAIN | MORE1, """
        wallarm_acl_access_phase wallarm_acl_export_enable wallarm_api_conf wallarm_block_page_add_dynamic_path
        wallarm_cache_path wallarm_file_check_interval wallarm_rate_limit_shm_size wallarm_tarantool_upstream
        wallarm_upstream_backend wallarm_upstream_connect_attempts wallarm_upstream_reconnect_interval
        wallarm_upstream_connect_timeout wallarm_upstream_queue_limit wallarm_upstream_queue_memory_limit
    """),
    (H_SRV | H_LOC | MORE1, "wallarm_status"),
    (MAIN | MORE1, "wallarm_proton_log_mask_master wallarm_proton_log_mask_worker"),
)


def _build() -> dict[str, tuple[int, ...]]:
    table: dict[str, tuple[int, ...]] = {}
    for mask, names in _GROUPS:
        for name in names.split():
            table[name] = table.get(name, ()) + (mask,)
    return table


THIRD_PARTY: dict[str, tuple[int, ...]] = _build()
