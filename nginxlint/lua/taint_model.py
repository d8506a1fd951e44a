"""What the Lua taint analysis keeps per chunk (cached with the other facts) and the tables it works from.

A tainted value is a tuple of `Tainted`: where the value comes from (`Source`, a function's `Param`, or the
result of another module's function, `External`) and the steps it took to get here. Spans are in the chunk's own
coordinates, as everywhere in the Lua facts.
"""
from __future__ import annotations

from typing import NamedTuple

from ..regex import charsets as cs

Span = tuple  # (line, column, end_line, end_column)


class Source(NamedTuple):
    """Request input: `api` as written (ngx.var.arg_cmd, ngx.req.get_uri_args), what it is, and the name of
    the argument/header/cookie when known (`name`), at the span of the read."""

    api: str
    what: str  # a key of SOURCE_WORDS
    name: str | None
    span: Span


class Param(NamedTuple):
    """The value a function receives as its parameter `index` (self counts for methods), or one field of it."""

    index: int
    field: str | None = None  # `token.redirect_uri` of the parameter `token`


class External(NamedTuple):
    """What `module.member(args)` returns, for a module of the deployment: known once its summary is."""

    module: str
    member: str
    span: Span  # the call
    args: tuple  # the taint of each argument, in the callee's parameter order (self first for a method call)
    field: str | None = None  # `match(uri).provider`: one field of the table returned


class Step(NamedTuple):
    span: Span
    text: str


class Tainted(NamedTuple):
    origin: object  # Source | Param | External
    steps: tuple  # of Step, in order
    safe: frozenset  # the sink kinds a sanitiser made this value safe for
    # the field of a table the input sits in (`{path = uri}`: "path"), so that `t.provider` does not carry it;
    # None: the value itself, or a field nginxlint cannot name
    field: str | None = None


class Hit(NamedTuple):
    """A tainted value at a sink: `kind` (a key of SINK_KINDS), the sink as the user wrote it, the argument's span."""

    kind: str
    sink: str
    span: Span
    taint: tuple


class Call(NamedTuple):
    """A call of another module's function with at least one tainted argument."""

    module: str
    member: str
    span: Span
    args: tuple


class Use(NamedTuple):
    """A call or field of the ngx_lua API whose phases are restricted (a key of nginxlint.lua.phase_api.RECORDED)."""

    api: str
    span: Span


class Edge(NamedTuple):
    """Code a function runs: `local` (a function of the chunk, `summary`), `external` (`module`.`member` of another
    chunk; GLOBAL for a global function), `require` (the top level of `module`). `timer`: the function is an
    ngx.timer callback, run later in the timer context."""

    kind: str
    span: Span
    summary: object = None
    module: str | None = None
    member: str | None = None
    timer: bool = False


class Summary(NamedTuple):
    """One function (or the chunk's main body): what its parameters and the request input reach, and for the
    phase rules the restricted APIs it uses and the code it runs."""

    name: str
    params: tuple  # parameter names, self first for a method
    hits: tuple  # of Hit
    calls: tuple  # of Call
    returns: tuple  # taint of the returned value (Source, Param and External origins)
    uses: tuple = ()  # of Use
    edges: tuple = ()  # of Edge
    asks_phase: bool = False  # calls ngx.get_phase(): its code is written for several phases
    # indexes of the parameters the function checks: it returns a true value only where each passed a check
    # (`if name:match("^[a-z]+$") then return true end return false`), so `if f(x) then` proves x clean
    validates: frozenset = frozenset()
    span: Span = ()  # the function's own text; () for the main body


class TaintFacts(NamedTuple):
    summaries: tuple  # every function of the chunk and its main body (last)
    exports: dict  # member name -> Summary, for the functions of the table a module returns
    globals: dict  # global set by the main body -> ("module", name) | Summary | {member: Summary} (a table)
    ctx: dict  # ngx.ctx field -> the taint of what the chunk stores in it (request input only)
    # what the chunk assigns to ngx.header.content_type: a literal set in its main body, else None
    content_types: tuple


# Calls of globals the chunk did not set are External calls of this pseudo-module: `run(x)` is GLOBAL."run",
# `utils.run(x)` is GLOBAL + "utils"."run". Linking looks them up among the globals other chunks set (init_by_lua).
GLOBAL = "global:"
# Reads of an ngx.ctx field the chunk did not set are External calls of this pseudo-module: CTX."user". Linking
# looks them up among what the other handlers of the same request store there (access_by_lua, then content).
CTX = "ngx.ctx"


# ---- sources -------------------------------------------------------------------------------------
# What each source is, singular and plural (a whole table of query arguments).
SOURCE_WORDS = {
    "arg": ("query argument", "query arguments"),
    "post": ("form field", "form fields"),
    "header": ("request header", "request headers"),
    "cookie": ("cookie", "cookies"),
    "uri": ("request URI", "request URI"),
    "raw_uri": ("raw request URI", "raw request URI"),
    "query": ("query string", "query string"),
    "line": ("request line", "request line"),
    "body": ("request body", "request body"),
    "raw_header": ("raw request header", "raw request headers"),
    "host": ("Host header", "Host header"),
    "user": ("basic-auth user name", "basic-auth user name"),
    "capture": ("regex capture", "regex captures"),
    "uri_part": ("part of the request URI", "part of the request URI"),
    "raw_uri_part": ("part of the raw request URI", "part of the raw request URI"),
}
# What a capture of ngx.re.match holds, when the subject is one of these: a part that need not start with `/`.
CAPTURED = {"uri": "uri_part", "raw_uri": "raw_uri_part"}

# ngx.var.<name> that a client controls. Server-side ones (server_name, remote_addr, scheme, ...) are not
# sources, nor $request_method: nginx accepts only letters, `_` and `-` in a method, which no sink can misuse.
VAR_PREFIXES = (("arg_", "arg"), ("http_", "header"), ("cookie_", "cookie"))
VAR_SOURCES = {
    "uri": "uri", "document_uri": "uri", "request_uri": "raw_uri", "args": "query", "query_string": "query",
    "request": "line", "request_body": "body", "host": "host", "remote_user": "user", "content_type": "header",
}
# Input nginx keeps below a directory placed before it: $uri is normalised (no `..` segment survives); a request
# whose path climbs above the root (%2e-encoded too) is answered 400, so the raw $request_uri stays below it as well;
# and so is a Host header holding `/` or `..` ($host, $http_host). A path built as "<dir>" .. value stays in <dir>.
CONFINED = frozenset(("uri", "raw_uri", "host"))


# Marks a function's parameter (or another module's result) placed after a directory: once the caller's value is
# known to be confined input (`convert(ngx.var.uri)` building `dir .. "/" .. uri`), it stays in that directory.
UNDER_DIRECTORY = "under_directory"


def confined(source) -> bool:
    """The source is input nginx keeps below a directory placed before it (CONFINED, or ngx.var.http_host)."""
    return source.what in CONFINED or source.what == "header" and source.name == "host"


def safe_for(source, safe: frozenset) -> frozenset:
    """The sink kinds a value of `source` is safe for, its place after a directory (UNDER_DIRECTORY) included."""
    return safe | {"path"} if UNDER_DIRECTORY in safe and type(source) is Source and confined(source) else safe


# Values that start with `/`: after a host they are the path of the URL, not its host.
ROOTED = frozenset(("uri", "raw_uri"))
# Sinks that hurt the user whose browser sent the request (redirect, response header, page), and the input a link
# or a form of another site cannot make that browser send with chosen content: request headers (Origin and Referer
# included: the browser sets them), cookies, the Host header, the basic-auth user. For these sinks, such input
# is the client's own and only reaches the client.
_REFLECTED = frozenset(("redirect", "header", "xss"))
UNREFLECTABLE = {what: _REFLECTED for what in ("header", "cookie", "host", "raw_header", "user")}
# ngx.var.<name> holding the request URI as sent, not decoded: a browser percent-encodes `<`, `>` and `"` in every
# URL it sends (the WHATWG URL path and query percent-encode sets), so a link cannot put markup in them; decoding
# (DECODERS) gives it back.
URL_ENCODED_VARS = frozenset(("arg", "query", "raw_uri", "line"))
BROWSER_ENCODED = frozenset(("xss",))
DECODERS = frozenset(("ngx.unescape_uri", "ngx.decode_args", "ngx.decode_base64"))

# ngx.req functions whose result the client writes: function -> (what, returns a table of named values).
REQ_SOURCES = {
    "ngx.req.get_uri_args": ("arg", True),
    "ngx.req.get_post_args": ("post", True),
    "ngx.req.get_headers": ("header", True),
    "ngx.req.get_body_data": ("body", False),
    "ngx.req.raw_header": ("raw_header", False),
}

# ---- sinks ---------------------------------------------------------------------------------------
SINK_KINDS = ("command", "path", "code", "redirect", "subrequest", "header", "sql", "regex", "xss", "ssrf")

# global function -> (kind, argument indexes)
SINK_CALLS = {
    "os.execute": ("command", (0,)),
    "io.popen": ("command", (0,)),
    "ngx.pipe.spawn": ("command", (0,)),
    "io.open": ("path", (0,)),
    "io.lines": ("path", (0,)),
    "os.remove": ("path", (0,)),
    "os.rename": ("path", (0, 1)),
    "loadstring": ("code", (0,)),
    "load": ("code", (0,)),
    "dofile": ("code", (0,)),
    "loadfile": ("code", (0,)),
    "ngx.redirect": ("redirect", (0,)),
    "ngx.socket.connect": ("ssrf", (0,)),
    "ngx.exec": ("subrequest", (0,)),
    "ngx.location.capture": ("subrequest", (0,)),
    "ngx.req.set_header": ("header", (1,)),
    "ngx.re.match": ("regex", (1,)),
    "ngx.re.find": ("regex", (1,)),
    "ngx.re.gmatch": ("regex", (1,)),
    "ngx.re.sub": ("regex", (1,)),
    "ngx.re.gsub": ("regex", (1,)),
    "ngx.say": ("xss", None),  # every argument
    "ngx.print": ("xss", None),
}
# (module, function) -> (kind, argument indexes), for functions of required library modules
SINK_MEMBERS = {
    ("resty.shell", "run"): ("command", (0,)),
    ("ngx.pipe", "spawn"): ("command", (0,)),  # lua-resty-core's module, as its docs use it: `require "ngx.pipe"`
}
# Client modules and how their objects are made: module -> (object kind, constructor names)
CLIENT_MODULES = {"resty.mysql": ("db", ("new",)), "pgmoon": ("db", ("new",)), "resty.http": ("http", ("new",))}
# Functions that make a cosocket: -> object kind
SOCKET_CALLS = {"ngx.socket.tcp": "socket", "ngx.socket.udp": "socket", "ngx.socket.connect": "socket"}
# (object kind, method) -> sink kind; the first argument is the sink (a table's `host` field for connect)
CLIENT_METHODS = {
    ("db", "query"): "sql", ("db", "send_query"): "sql",
    ("http", "request_uri"): "ssrf", ("http", "connect"): "ssrf", ("socket", "connect"): "ssrf",
    ("socket", "setpeername"): "ssrf",
}

# ---- propagation and sanitisers ------------------------------------------------------------------
# Functions whose result carries the taint of the listed arguments (None: all).
PROPAGATE_CALLS = {
    "tostring": (0,), "string.lower": (0,), "string.upper": (0,), "string.sub": (0,), "string.gsub": (0, 2),
    "string.rep": (0,), "string.reverse": (0,), "string.match": (0,), "string.gmatch": (0,),
    "table.concat": (0,), "ngx.unescape_uri": (0,), "ngx.decode_base64": (0,), "ngx.encode_base64": (0,),
    "ngx.decode_args": (0,), "ngx.re.match": (0,), "ngx.re.gmatch": (0,), "ngx.re.sub": (0, 2),
    "ngx.re.gsub": (0, 2), "unpack": (0,), "table.unpack": (0,), "select": None, "rawget": (0,), "next": (0,),
}
PROPAGATE_MEMBERS = {("cjson", "decode"), ("cjson.safe", "decode")}
# String methods whose result is (part of) the string: s:lower(), s:sub(...), ...
PROPAGATE_METHODS = frozenset(("lower", "upper", "sub", "gsub", "rep", "reverse", "match", "gmatch", "format"))
# Calls that make a value safe for some sinks: function -> kinds (None: every kind; the value is a number).
SANITISERS = {
    "tonumber": None,
    "math.floor": None, "math.ceil": None, "math.abs": None,
    "ngx.quote_sql_str": frozenset(("sql",)),
    "ndk.set_var.set_quote_sql_str": frozenset(("sql",)), "ndk.set_var.set_quote_pgsql_str": frozenset(("sql",)),
    "ngx.escape_uri": frozenset(("redirect", "subrequest", "header", "xss")),
    "ngx.md5": None, "ngx.sha1_bin": None, "ngx.crc32_short": None, "ngx.crc32_long": None, "ngx.md5_bin": None,
}
SANITISER_METHODS = {"escape_literal": frozenset(("sql",)), "escape_identifier": frozenset(("sql",))}

# ---- regex captures ------------------------------------------------------------------------------
# A capture of a literal ngx.re.match pattern holds only the bytes its group can match. For each sink kind, the
# bytes an attack on it cannot do without: a capture that can hold none of them is safe for that sink. Kinds
# not listed (code, subrequest, ssrf) are never cleared: a bare word already picks a location or a host.
_CONTROLS = cs.CNTRL
CAPTURE_DANGERS = {
    # to leave the site a URL needs a scheme (`:`), a host (`//`, `\` read as `/`), user info (`@`) or a
    # longer host name after a fixed one (`.`); browsers drop tabs and line breaks inside a URL
    "redirect": cs.of(":", "/", "\\", "@", ".") | _CONTROLS,
    # only a line break ends a header and starts another
    "header": cs.of("\r", "\n"),
    # leaving a string literal needs a quote or a backslash; adding a clause needs a space, a comment
    # (`--`, `#`, `/*`), a `;`, parentheses or an operator
    "sql": cs.of(*"'\"`\\;-#/*()=<>|&!+~^%,") | cs.SPACE | _CONTROLS,
    # shell metacharacters, white space, and `-` (an option) or `/` `.` (another file)
    "command": cs.ALL & ~(cs.ALPHA | cs.DIGIT | cs.of("_")),
    # leaving a directory needs `..` or a separator
    "path": cs.of(".", "/", "\\", "\0"),
    # a pattern needs metacharacters to match more, or to backtrack
    "regex": cs.ALL & ~(cs.WORD | cs.of("-")),
    # markup needs `<`, quotes or `&`
    "xss": cs.of("<", ">", "\"", "'", "`", "&"),
}


def capture_safe(mask: int) -> frozenset:
    """The sink kinds a capture that can hold the bytes of `mask` cannot attack."""
    return frozenset(kind for kind, danger in CAPTURE_DANGERS.items() if not mask & danger)
