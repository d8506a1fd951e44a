"""Hypothesis strategies for nginx configs and Lua chunks, and mutations that break them the ways people do.

Generated trees are mostly valid (directives nginx accepts, in the right places) with a measured dose of trouble:
a directive in the wrong block, a wrong argument count, a duplicate, an unknown name, quoting with escapes,
comments anywhere, `${var}`, includes of generated fragments, and Lua blocks whose strings, long brackets and
comments hold braces. `nginx -t` decides which of them are broken; the strategies never need to know.
"""
from __future__ import annotations

from hypothesis import strategies as st

# -- arguments --------------------------------------------------------------------------------------------------

SAFE_TEXT = st.text(alphabet="abcXYZ019 _-./:;{}#()=,@!'\"\\\t", min_size=0, max_size=12)


def quote(text: str, style: str) -> str:
    """One nginx argument: bare (only for words that need no quoting), double- or single-quoted with escapes."""
    if style == "bare" and text and all(c not in " \t\n;{}\"'\\#$" for c in text):
        return text
    mark = "'" if style == "single" else '"'
    return mark + text.replace("\\", "\\\\").replace(mark, "\\" + mark) + mark


@st.composite
def text_arg(draw) -> str:
    """Free text as nginx stores it (e.g. a `return` body), sometimes with a `$var` or `${var}`."""
    text = draw(SAFE_TEXT)
    variable = draw(st.sampled_from(["", "", "", "$uri", "${uri}", "$host", "${arg_a}x"]))
    if variable:
        position = draw(st.integers(0, len(text)))
        text = text[:position] + variable + text[position:]
    return quote(text, draw(st.sampled_from(["bare", "double", "single"])))


def word(*choices: str):
    return st.sampled_from(choices)


# -- Lua --------------------------------------------------------------------------------------------------------

LUA_PIECES = (
    "local a = 1", "local t = { x = 1, [2] = 'y' }", 'local s = "}"', "local s = '{'", 'local q = "a\\"}"',
    "local l = [[ } ]]", "local l2 = [==[ ]] { ]==]", "-- a } in a comment", "--[[ { long\n comment ]]",
    "--[==[ ]] } ]==]", "if a then a = a + 1 end", "for i = 1, 3 do local _ = i end",
    "local function f(x) return x end", "ngx.say('{')", "local n = #t", "local u = 'ü'",
    "do local d = { {}, { {} } } end", "local m = a and 1 or 2", "return",
    "local ok = pcall(function() end)", "goto done ::done::",
)
BROKEN_LUA = ("local = 1", "if a then", "end", "local s = [[ unclosed", "x ==", "local t = { 1, 2", "f(",
              "local s = 'unclosed", "::x:: ::x::", "goto nowhere", "return 1 2")


@st.composite
def lua_chunk(draw, broken: bool = True) -> str:
    """A Lua chunk from pieces; with `broken`, sometimes a piece that makes it a syntax error."""
    pieces = list(draw(st.lists(st.sampled_from(LUA_PIECES), max_size=6)))
    if broken and draw(st.integers(0, 3)) == 0:
        pieces.insert(draw(st.integers(0, len(pieces))), draw(st.sampled_from(BROKEN_LUA)))
    separator = draw(st.sampled_from(["\n", "\n  ", " ", "; "]))
    return separator.join(pieces)


LUA_TOKENS = (
    "local", "function", "end", "if", "then", "else", "elseif", "for", "in", "do", "while", "repeat", "until",
    "return", "break", "goto", "nil", "true", "false", "and", "or", "not", "x", "y", "_", "f", "1", "0x1F",
    "1e3", "3.5", "'s'", '"d"', "[[l]]", "[=[l]=]", "...", "..", "=", "==", "~=", "<=", "+", "-", "*", "/", "%",
    "^", "#", "(", ")", "{", "}", "[", "]", ";", ":", "::", ",", ".", "--c\n", "--[[c]]", "\n",
)


@st.composite
def lua_token_soup(draw) -> str:
    """Arbitrary Lua token sequences: mostly syntax errors, which both parsers must reject at the same line."""
    return " ".join(draw(st.lists(st.sampled_from(LUA_TOKENS), max_size=25)))


# -- directives -------------------------------------------------------------------------------------------------


class D:
    """A directive to render: args already quoted; `block` a list of children; `lua` a Lua body."""

    __slots__ = ("name", "args", "block", "lua")

    def __init__(self, name: str, args=(), block=None, lua=None):
        self.name, self.args, self.block, self.lua = name, list(args), block, lua


def simple(name, *arg_strategies):
    return st.tuples(*arg_strategies).map(lambda args: D(name, args))


HTTP_SIMPLE = [
    simple("default_type", word("text/plain", "application/json")),
    simple("sendfile", word("on", "off", "on", "maybe")),
    simple("keepalive_timeout", word("5", "10s"), word("5", "10s")).map(lambda d: D(d.name, d.args[:1] if
                                                                                 d.args[0] == "5" else d.args)),
    simple("client_max_body_size", word("1m", "0", "10k")),
    simple("add_header", word("X-A", "X-B"), text_arg()),
    simple("lua_shared_dict", word("cache", "locks", "stats"), word("1m", "10m", "12k")),
    simple("lua_package_path", word('"/opt/lua/?.lua;;"', "'./?.lua;;'")),
    simple("server_tokens", word("off")),
    simple("resolver", word("127.0.0.1", "127.0.0.11 valid=10s")),
]
SERVER_SIMPLE = [
    simple("server_name", word("example.com", "_", "*.example.org", "a.b")),
    simple("root", word("html", "/srv/www")),
    simple("index", word("index.html", "index.html index.htm")),
    simple("return", word("200", "404", "204"), text_arg()),
    simple("add_header", word("X-A", "X-B"), text_arg()),
    simple("set", word("$v", "$w"), text_arg()),
    simple("rewrite", word("^/a$", "^/(.*)$"), word("/b", "/$1"), word("last", "break", "redirect")),
    simple("error_page", word("404", "500 502"), word("/e.html", "@fallback")),
]
LOCATION_SIMPLE = SERVER_SIMPLE[1:] + [
    simple("proxy_pass", word("http://127.0.0.1:9", "http://u")),
    simple("proxy_set_header", word("Host", "X-Real-IP"), word("$host", "$remote_addr", '"${host}:1"')),
    simple("expires", word("1h", "off", "max")),
    simple("internal"),
]
MAIN_SIMPLE = [
    simple("worker_processes", word("1", "2", "auto")),
    simple("daemon", word("off", "on")),
    simple("env", word("FOO", "BAR=1")),
    simple("pcre_jit", word("on")),
]
UNKNOWN = simple("frobnicate", word("x", "1")) | simple("lua_shared_dic", word("a"), word("1m"))
WRONG_COUNT = simple("default_type") | simple("internal", word("x")) | simple("sendfile", word("on"), word("off"))

LUA_BLOCK_NAMES = {
    "http": ("init_by_lua_block", "init_worker_by_lua_block"),
    "server": ("access_by_lua_block", "rewrite_by_lua_block", "ssl_certificate_by_lua_block"),
    "location": ("content_by_lua_block", "access_by_lua_block", "header_filter_by_lua_block",
                 "log_by_lua_block", "body_filter_by_lua_block", "balancer_by_lua_block"),
}


@st.composite
def lua_block(draw, where: str) -> D:
    return D(draw(st.sampled_from(LUA_BLOCK_NAMES[where])), lua=draw(lua_chunk()))


@st.composite
def some(draw, options: list, where: str, size: int = 4) -> list[D]:
    """Directives for one block: mostly its own, sometimes another block's, unknown or miscounted ones."""
    pool = list(options)
    others = [MAIN_SIMPLE, HTTP_SIMPLE, SERVER_SIMPLE, LOCATION_SIMPLE]
    result = []
    for _ in range(draw(st.integers(0, size))):
        roll = draw(st.integers(0, 19))
        if roll == 0:
            result.append(draw(UNKNOWN))
        elif roll == 1:
            result.append(draw(WRONG_COUNT))
        elif roll == 2:
            result.append(draw(st.sampled_from(others).flatmap(st.one_of)))
        elif roll in (3, 4) and where in LUA_BLOCK_NAMES:
            result.append(draw(lua_block(where)))
        else:
            result.append(draw(st.one_of(pool)))
    return result


@st.composite
def location(draw, depth: int = 0, parent: str = "") -> D:
    """A location; nested ones mostly follow nginx's rules (a prefix inside its parent's prefix, nothing inside an
    exact or named location), and sometimes break them."""
    if parent:
        path = draw(st.sampled_from([f"{parent}/n", f"^~ {parent}/s", f"~ ^{parent}/re$", "/elsewhere"]))
    else:
        path = draw(word("/", "/a", "= /exact", "~ ^/re(x)?$", "^~ /static", "@fallback" if depth == 0 else "/n"))
    children = draw(some(LOCATION_SIMPLE, "location"))
    prefix = path.split(" ")[-1]
    nestable = path[0] not in "=@~" and not path.startswith("^~")
    if depth < 2 and draw(st.booleans()) and (nestable or draw(st.integers(0, 9)) == 0):
        children.append(draw(location(depth + 1, prefix.rstrip("/") if nestable else "/x")))
    if draw(st.integers(0, 4)) == 0:
        children.append(D("if", ["($arg_a)"], draw(some(LOCATION_SIMPLE[:6], "if", 2))))
    return D("location", path.split(" "), children)


@st.composite
def server(draw, port: int) -> D:
    children = [D("listen", [f"127.0.0.1:{port}"])]
    children += draw(some(SERVER_SIMPLE, "server", 3))
    children += draw(st.lists(location(), max_size=3))
    return D("server", [], children)


@st.composite
def nginx_tree(draw) -> dict[str, str]:
    """Files of one deployment: conf/nginx.conf and, sometimes, fragments it includes."""
    files: dict[str, str] = {}
    main = draw(some(MAIN_SIMPLE, "main", 2))
    events = D("events", [], [D("worker_connections", ["64"])] if draw(st.booleans()) else [])
    http_children = draw(some(HTTP_SIMPLE, "http", 4))
    if draw(st.booleans()):
        http_children.append(D("upstream", ["u"], [D("server", ["127.0.0.1:9"])]))
    if draw(st.integers(0, 3)) == 0:
        http_children.append(D("map", ["$uri", "$m"], [D("default", ["0"]), D("/a", ["1"])]))
    http_children += draw(st.lists(server(18080), min_size=0, max_size=2))
    if draw(st.integers(0, 2)) == 0:
        pattern = draw(word("conf.d/*.conf", "vhost.conf", "conf.d/missing-*.conf"))
        http_children.append(D("include", [pattern]))
        for index in range(draw(st.integers(0, 2))):
            name = "vhost.conf" if pattern == "vhost.conf" else f"conf.d/site{index}.conf"
            files["conf/" + name] = render([draw(server(18081 + index))], draw(layout()))
    top = [*main, events, D("http", [], http_children)]
    if draw(st.integers(0, 9)) == 0:
        top.insert(draw(st.integers(0, len(top))), draw(st.sampled_from([events, D("daemon", ["off"])])))
    files = {"conf/nginx.conf": render(top, draw(layout())), **files}
    return files


# -- rendering --------------------------------------------------------------------------------------------------


@st.composite
def layout(draw) -> dict:
    return {
        "indent": draw(st.sampled_from(["", "  ", "\t"])),
        "one_line": draw(st.integers(0, 5)) == 0,
        "comment": draw(st.sampled_from(["", "", "# note", "#{ brace; in comment", "# ünïcode ¥"])),
        "end_comment": draw(st.booleans()),
        "crlf": draw(st.integers(0, 9)) == 0,
    }


def render(directives: list[D], style: dict) -> str:
    """Text of a directive list; iterative so that deep trees cost no recursion."""
    out: list[str] = []
    newline = " " if style["one_line"] else "\n"
    stack: list = [(iter(directives), 0)]
    while stack:
        items, depth = stack[-1]
        d = next(items, None)
        pad = "" if style["one_line"] else style["indent"] * depth
        if d is None:
            stack.pop()
            if stack:
                out.append(f"{style['indent'] * (depth - 1) if not style['one_line'] else ''}}}{newline}")
            continue
        if style["comment"] and not style["one_line"] and len(out) % 3 == 1:
            out.append(f"{pad}{style['comment']}\n")
        head = " ".join([d.name, *d.args])
        if d.lua is not None:
            out.append(f"{pad}{head} {{ {d.lua} }}{newline}")
        elif d.block is not None:
            out.append(f"{pad}{head} {{{newline}")
            stack.append((iter(d.block), depth + 1))
        else:
            tail = f" {style['comment']}" if style["end_comment"] and style["comment"] and not style["one_line"] else ""
            out.append(f"{pad}{head};{tail}{newline}")
    text = "".join(out)
    return text.replace("\n", "\r\n") if style["crlf"] else text


# -- mutations --------------------------------------------------------------------------------------------------

MUTATIONS = ("drop_semicolon", "drop_brace", "cut", "duplicate_line", "swap_quote", "none")


@st.composite
def mutated(draw, text: str) -> str:
    """`text` with one of the everyday breakages applied at a drawn place."""
    kind = draw(st.sampled_from(MUTATIONS))

    def pick(chars: str) -> int | None:
        places = [i for i, c in enumerate(text) if c in chars]
        return draw(st.sampled_from(places)) if places else None

    if kind == "drop_semicolon" or kind == "drop_brace" or kind == "swap_quote":
        at = pick({"drop_semicolon": ";", "drop_brace": "{}", "swap_quote": "'\""}[kind])
        if at is None:
            return text
        replacement = {"drop_semicolon": "", "drop_brace": "", "swap_quote": "'" if text[at] == '"' else '"'}[kind]
        return text[:at] + replacement + text[at + 1:]
    if kind == "cut":
        return text[: draw(st.integers(0, len(text)))]
    if kind == "duplicate_line":
        lines = text.split("\n")
        at = draw(st.integers(0, len(lines) - 1))
        return "\n".join(lines[: at + 1] + lines[at:])
    return text


@st.composite
def broken_tree(draw) -> dict[str, str]:
    """A generated tree with one file mutated."""
    files = draw(nginx_tree())
    name = draw(st.sampled_from(sorted(files)))
    files[name] = draw(mutated(files[name]))
    return files
