"""What the Lua facts know about the runtime: standard globals and well-known OpenResty libraries."""

from __future__ import annotations

# Globals of Lua 5.1, LuaJIT 2.1 (bit, jit) and OpenResty's lua-nginx-module (ngx, ndk).
# ffi is not a global: it comes from require "ffi".
STANDARD_GLOBALS = frozenset((
    # Lua 5.1 base library and library tables
    "_G", "_VERSION", "assert", "collectgarbage", "dofile", "error", "gcinfo", "getfenv",
    "getmetatable", "ipairs", "load", "loadfile", "loadstring", "module", "newproxy", "next",
    "pairs", "pcall", "print", "rawequal", "rawget", "rawset", "require", "select", "setfenv",
    "setmetatable", "tonumber", "tostring", "type", "unpack", "xpcall",
    "coroutine", "debug", "io", "math", "os", "package", "string", "table",
    # Lua 5.2's environment: code that names it does so for Lua 5.2 and later (`if _VERSION == "Lua 5.1" then
    # setfenv(…) else … _ENV … end`), a branch LuaJIT never takes
    "_ENV",
    # LuaJIT
    "bit", "jit",
    # OpenResty
    "ngx", "ndk",
))

# Modules whose objects talk over cosockets (they need a resolver for host names).
COSOCKET_MODULES = frozenset((
    "resty.http", "resty.redis", "resty.mysql", "resty.memcached", "resty.websocket.client",
    "resty.kafka.producer", "resty.kafka.client", "resty.dns.resolver", "resty.redis.connector",
    "resty.rediscluster", "pgmoon",
))

# Libraries known to open no cosocket of their own: metrics kept in a shared dict (nginx-lua-prometheus), tokens and
# cookies parsed and signed in memory, templates rendered from files.
OFFLINE_MODULES = frozenset((
    "prometheus", "resty.prometheus", "resty.jwt", "resty.jwt-validators", "resty.evp", "resty.hmac", "resty.cookie",
    "resty.template", "resty.jit-uuid", "resty.iputils", "resty.ipmatcher", "resty.radixtree",
))

# Library calls that take a shared dict name as a positional argument (docs/openresty-facts.md, "Libraries that take a dict name"):
# (module, function) -> (argument index for a dot call, argument index for a method call, None when that form takes none).
DICT_ARGUMENTS = {
    ("resty.lock", "new"): (1, 0),  # function _M.new(_, dict_name, opts)
    ("resty.limit.req", "new"): (0, None),
    ("resty.limit.conn", "new"): (0, None),
    ("resty.limit.count", "new"): (0, None),
    ("prometheus_resty_counter", "new"): (0, None),
    ("resty.mlcache", "new"): (1, None),  # new(name, shm, opts): arg 1 is a namespace
}

# Option fields of library calls that name shared dicts: (module, function) -> [(path, ...)].
DICT_OPTIONS = {
    ("resty.mlcache", "new"): (2, (("shm_miss",), ("shm_locks",), ("ipc_shm",))),
    ("resty.upstream.healthcheck", "spawn_checker"): (0, (("shm",),)),
    ("resty.healthcheck", "new"): (0, (("shm_name",),)),
    ("resty.worker.events", "configure"): (0, (("shm",),)),
}

PROMETHEUS_MODULE = "prometheus"
PROMETHEUS_DEFAULT_DICT = "prometheus_metrics"
PROMETHEUS_METHODS = frozenset(("counter", "gauge", "histogram", "collect", "metric_data"))

SESSION_MODULE = "resty.session"
SESSION_CONFIG_FUNCTIONS = frozenset(("init", "new", "start", "open"))
SESSION_DEFAULT_DICT = "sessions"
