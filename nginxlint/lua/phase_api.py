"""Which ngx_lua API fails in which phase, and with nginx's own words (docs/openresty-phase-api.md, with sources).

Only what real nginx shows is in the table: the phases below were each run against every entry (ngx_lua 0.10.23
with lua-resty-core 0.1.25), and an API is listed as failing in a phase only where it raises an error whatever its
arguments. Where ngx_lua's documentation lists fewer phases than nginx accepts (ngx.time in init_by_lua*, shared
dicts everywhere), nginx wins. Phases not in JUDGED (ssl_*, exit_worker, precontent, server_rewrite) are not judged
at all.

The stream subsystem's Lua (stream-lua-nginx-module) has phases and checks of its own: STREAM_CALLS, read from its C
sources (each API's ngx_stream_lua_check_context flags), since no stream module is at hand to run.
"""
from __future__ import annotations

# The phases the table speaks of: the handlers' phases (nginxlint.nginx.directives.LUA_PHASE) and ngx.timer
# callbacks. Code running elsewhere is never reported.
JUDGED = frozenset((
    "init", "init_worker", "set", "rewrite", "access", "content", "header_filter", "body_filter", "log",
    "balancer", "timer",
))
STARTUP = frozenset(("init", "init_worker"))

# The name ngx_lua gives each context in "API disabled in the context of %s" (ngx_http_lua_context_name).
CONTEXT_NAMES = {
    "init_worker": "init_worker_by_lua*", "set": "set_by_lua*", "rewrite": "rewrite_by_lua*",
    "access": "access_by_lua*", "content": "content_by_lua*", "header_filter": "header_filter_by_lua*",
    "body_filter": "body_filter_by_lua*", "log": "log_by_lua*", "balancer": "balancer_by_lua*",
    "timer": "ngx.timer",
}

_CONTEXT = "context"  # the C functions' ngx_http_lua_check_context: "API disabled in the context of <phase>"
_CURRENT = "current"  # lua-resty-core's FFI functions: "API disabled in the current context"

_YIELDING = frozenset(("rewrite", "access", "content", "timer"))
_OUTPUT = frozenset(("rewrite", "access", "content"))
_FAKE_REQUEST = frozenset(("init_worker", "timer"))  # ngx_lua runs these on a fake request with no client


def _spec(init: str | None, style: str, forbidden: frozenset) -> dict:
    """phase -> what nginx says when the API runs there. `init`: the message without any request (None: not
    judged in init_by_lua*, as nginx 1.22 with ngx_lua 0.10.23 crashes there instead)."""
    said = {}
    for phase in forbidden:
        if phase == "init":
            if init is not None:
                said[phase] = init
        elif style == _CONTEXT:
            said[phase] = f"API disabled in the context of {CONTEXT_NAMES[phase]}"
        else:
            said[phase] = "API disabled in the current context"
    return said


def _allowed_only(phases: frozenset) -> frozenset:
    return JUDGED - phases


_NO_REQUEST = "no request found"
_NO_REQUEST_OBJECT = "no request object found"
_REQUEST_NOT_FOUND = "request object not found"

_SOCKET = _spec(_NO_REQUEST, _CONTEXT, _allowed_only(_YIELDING))
_OUTPUTS = _spec(_NO_REQUEST_OBJECT, _CONTEXT, _allowed_only(_OUTPUT))
_REQUEST = _spec(_NO_REQUEST, _CURRENT, frozenset(("init",)) | _FAKE_REQUEST)
_REQUEST_OBJECT = _spec(_NO_REQUEST_OBJECT, _CURRENT, frozenset(("init",)) | _FAKE_REQUEST)
_BODY = _spec(_REQUEST_NOT_FOUND, _CURRENT, frozenset(("init",)) | _FAKE_REQUEST)

# Calls: the function as written from `ngx` (locals that alias it resolve to the same name).
CALLS = {
    "ngx.sleep": _SOCKET,
    "ngx.socket.tcp": _SOCKET,
    "ngx.socket.udp": _SOCKET,
    "ngx.socket.connect": _SOCKET,
    "ngx.thread.spawn": _SOCKET,
    "ngx.location.capture": _OUTPUTS,
    "ngx.location.capture_multi": _OUTPUTS,
    "ngx.say": _OUTPUTS,
    "ngx.print": _OUTPUTS,
    "ngx.eof": _OUTPUTS,
    "ngx.redirect": _OUTPUTS,
    "ngx.exec": _OUTPUTS,
    "ngx.send_headers": _spec(_NO_REQUEST, _CONTEXT, _allowed_only(_OUTPUT)),
    "ngx.flush": _spec(None, _CONTEXT, _allowed_only(_OUTPUT)),
    "ngx.req.socket": _spec(None, _CONTEXT, _allowed_only(_OUTPUT)),
    "ngx.req.read_body": _spec(_REQUEST_NOT_FOUND, _CONTEXT, _allowed_only(_OUTPUT)),
    "ngx.exit": _spec(_NO_REQUEST, _CONTEXT, frozenset(("init", "init_worker", "set", "body_filter", "log"))),
    "ngx.on_abort": _spec(_NO_REQUEST, _CONTEXT, frozenset(("init",)) | _FAKE_REQUEST),
    "ngx.req.get_headers": _REQUEST,
    "ngx.req.get_uri_args": _REQUEST,
    "ngx.req.get_method": _REQUEST,
    "ngx.req.set_method": _REQUEST,
    "ngx.req.set_header": _REQUEST,
    "ngx.req.clear_header": _REQUEST,
    "ngx.req.set_uri": _REQUEST,
    "ngx.req.is_internal": _REQUEST,
    "ngx.req.init_body": _REQUEST,
    "ngx.req.set_uri_args": _REQUEST_OBJECT,
    "ngx.req.raw_header": _REQUEST_OBJECT,
    "ngx.req.http_version": _REQUEST_OBJECT,
    "ngx.req.get_post_args": _REQUEST_OBJECT,
    "ngx.resp.get_headers": _REQUEST_OBJECT,
    "ngx.req.discard_body": _BODY,
    "ngx.req.get_body_data": _BODY,
    "ngx.req.get_body_file": _BODY,
    "ngx.req.set_body_data": _BODY,
    "ngx.req.start_time": _spec(_NO_REQUEST, _CURRENT, frozenset(("init",))),
    "ngx.timer.at": _spec("no request", _CONTEXT, frozenset(("init",))),
    "ngx.timer.every": _spec("no request", _CONTEXT, frozenset(("init",))),
    # lua-resty-* clients whose new() makes the cosocket (ngx.socket.tcp) right away
    "resty.http.new": _SOCKET,
    "resty.redis.new": _SOCKET,
    "resty.mysql.new": _SOCKET,
    "resty.memcached.new": _SOCKET,
}

# Tables whose entries are the API: reading or writing `ngx.var.<name>`, `ngx.header.<name>`, `ngx.arg[i]`.
TABLES = {
    "ngx.var": _REQUEST,
    "ngx.header": _REQUEST,
    "ngx.arg": _spec(_NO_REQUEST, _CURRENT, _allowed_only(frozenset(("set", "body_filter")))),
}
# Fields of `ngx` read or written themselves.
FIELDS = {
    "ngx.status": _REQUEST,
    "ngx.is_subrequest": _REQUEST,
    "ngx.headers_sent": _REQUEST,
    "ngx.ctx": _spec(_NO_REQUEST, _CURRENT, frozenset(("init",))),
}

# The APIs the Lua walk records (nginxlint.lua.taint).
RECORDED = frozenset((*CALLS, *TABLES, *FIELDS))


# ---- stream-lua-nginx-module -----------------------------------------------------------------------------------
# Its contexts (NGX_STREAM_LUA_CONTEXT_* in src/ngx_stream_lua_common.h) and the names its errors give them
# (ngx_stream_lua_context_name in src/ngx_stream_lua_util.h). Every handler but init_by_lua* runs with a request
# (init_worker_by_lua* and timers on a fake one), so a refused API says "API disabled in the context of <name>";
# init_by_lua* code has no request at all, and each API says so in its own words.
STREAM_JUDGED = frozenset((
    "init", "init_worker", "preread", "content", "log", "balancer", "ssl_client_hello", "ssl_certificate", "timer",
))
STREAM_CONTEXT_NAMES = {
    "init_worker": "init_worker_by_lua*", "preread": "preread_by_lua*", "content": "content_by_lua*",
    "log": "log_by_lua*", "balancer": "balancer_by_lua*", "ssl_client_hello": "ssl_client_hello_by_lua*",
    "ssl_certificate": "ssl_certificate_by_lua*", "timer": "ngx.timer",
}
# NGX_STREAM_LUA_CONTEXT_YIELDABLE: preread, content, timer, ssl_client_hello, ssl_certificate (and proxy_ssl_*)
_S_YIELDING = frozenset(("preread", "content", "timer", "ssl_client_hello", "ssl_certificate"))
_S_OUTPUT = frozenset(("preread", "content"))  # ngx.say, print, flush, eof, ngx.req.socket: CONTENT | PREREAD
_S_EXIT = frozenset(("preread", "content", "timer", "balancer", "ssl_client_hello", "ssl_certificate"))


def _stream(allowed: frozenset, init: str | None) -> dict:
    """phase -> what stream-lua says when the API runs there; `init`: its words in init_by_lua* (None: unknown)."""
    said = {phase: f"API disabled in the context of {STREAM_CONTEXT_NAMES[phase]}"
            for phase in STREAM_JUDGED - allowed - {"init"}}
    if init is not None:
        said["init"] = init
    return said


_S_SOCKET = _stream(_S_YIELDING, _NO_REQUEST)
_S_OUTPUTS = _stream(_S_OUTPUT, _NO_REQUEST_OBJECT)
STREAM_CALLS = {
    "ngx.sleep": _S_SOCKET,  # ngx_stream_lua_sleep.c
    "ngx.socket.tcp": _S_SOCKET,  # ngx_stream_lua_socket_tcp.c
    "ngx.socket.udp": _S_SOCKET,  # ngx_stream_lua_socket_udp.c
    "ngx.socket.connect": _S_SOCKET,
    "ngx.thread.spawn": _S_SOCKET,  # ngx_stream_lua_uthread.c, through ngx_stream_lua_coroutine_create_helper
    "ngx.say": _S_OUTPUTS,  # ngx_stream_lua_output.c
    "ngx.print": _S_OUTPUTS,
    "ngx.eof": _S_OUTPUTS,
    "ngx.flush": _stream(_S_OUTPUT, None),
    "ngx.req.socket": _stream(_S_OUTPUT, _NO_REQUEST),  # ngx_stream_lua_req_socket_tcp/udp
    "ngx.exit": _stream(_S_EXIT, _NO_REQUEST),  # ngx_stream_lua_control.c, lua-resty-core's resty/core/exit.lua
    "ngx.timer.at": {"init": "no request"},  # ngx_stream_lua_timer.c
    "ngx.timer.every": {"init": "no request"},
    "resty.http.new": _S_SOCKET,
    "resty.redis.new": _S_SOCKET,
    "resty.mysql.new": _S_SOCKET,
    "resty.memcached.new": _S_SOCKET,
}


def judged(subsystem: str) -> frozenset:
    """The phases the tables speak of in a subsystem."""
    return STREAM_JUDGED if subsystem == "stream" else JUDGED


def failure(api: str, phase: str, subsystem: str = "http") -> str | None:
    """nginx's error message when `api` runs in `phase` of `subsystem`, or None when it works there (or nothing is
    known)."""
    if subsystem == "stream":
        said = STREAM_CALLS.get(api)
    else:
        said = CALLS.get(api) or TABLES.get(api) or FIELDS.get(api)
    return None if said is None else said.get(phase)
