"""Lua taint analysis (nginxlint.lua.taint): every source and sink, the ways taint travels, sanitisers and checks
that must leave nothing behind, and flows through functions of required modules."""
from __future__ import annotations

import pickle

import pytest

from nginxlint.lua.facts import FACTS_FORMAT, analyze_lua
from nginxlint.lua.taint_link import unit_flows


def flows(code: str, modules: dict | None = None):
    """The flows of `code` (unit "main"), with `modules` (name -> code) as the deployment's required modules."""
    exports = {name: analyze_lua(text).taint.exports for name, text in (modules or {}).items()}

    def lookup(module, member):
        summary = exports.get(module, {}).get(member)
        return None if summary is None else (module, summary)

    return unit_flows("main", analyze_lua(code).taint, lookup)


def kinds(code: str, modules: dict | None = None) -> list[tuple]:
    return sorted({(f.kind, f.sink) for f in flows(code, modules)})


def only(code: str, modules: dict | None = None):
    found = flows(code, modules)
    assert len(found) == 1, found
    return found[0]


# ---- sources ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("expr, api, what, name", [
    ("ngx.var.arg_cmd", "ngx.var.arg_cmd", "arg", "cmd"),
    ("ngx.var.http_x_cmd", "ngx.var.http_x_cmd", "header", "x_cmd"),
    ("ngx.var.cookie_cmd", "ngx.var.cookie_cmd", "cookie", "cmd"),
    ("ngx.var.uri", "ngx.var.uri", "uri", None),
    ("ngx.var.document_uri", "ngx.var.document_uri", "uri", None),
    ("ngx.var.request_uri", "ngx.var.request_uri", "raw_uri", None),
    ("ngx.var.args", "ngx.var.args", "query", None),
    ("ngx.var.query_string", "ngx.var.query_string", "query", None),
    ("ngx.var.request", "ngx.var.request", "line", None),
    ("ngx.var.request_body", "ngx.var.request_body", "body", None),
    ("ngx.var.host", "ngx.var.host", "host", None),
    ("ngx.var.remote_user", "ngx.var.remote_user", "user", None),
    ("ngx.var.content_type", "ngx.var.content_type", "header", None),
    ("ngx.var['arg_cmd']", "ngx.var.arg_cmd", "arg", "cmd"),
    ("ngx.var[1]", 'ngx.var["1"]', "capture", "1"),
    ("ngx.req.get_uri_args().cmd", "ngx.req.get_uri_args", "arg", "cmd"),
    ("ngx.req.get_post_args()['cmd']", "ngx.req.get_post_args", "post", "cmd"),
    ("ngx.req.get_headers()['X-Cmd']", "ngx.req.get_headers", "header", "X-Cmd"),
    ("ngx.req.get_body_data()", "ngx.req.get_body_data", "body", None),
    ("ngx.req.raw_header()", "ngx.req.raw_header", "raw_header", None),
])
def test_each_source_reaches_a_sink(expr, api, what, name):
    flow = only(f"os.execute({expr})")
    assert (flow.source.api, flow.source.what, flow.source.name) == (api, what, name)
    assert flow.kind == "command" and flow.sink == "os.execute"


@pytest.mark.parametrize("expr", [
    "ngx.var.server_name", "ngx.var.remote_addr", "ngx.var.scheme", "ngx.var.request_method",
    "ngx.req.get_method()", "ngx.var.request_id", "ngx.var.my_mapped_value", "ngx.var[name]", "ngx.var.arg_",
])
def test_server_side_values_are_not_sources(expr):
    assert flows(f"local name = 'x'\nos.execute({expr})") == []


def test_read_body_then_body_data():
    flow = only("ngx.req.read_body()\nlocal body = ngx.req.get_body_data()\nio.popen(body)")
    assert flow.source.span == (2, 14, 2, 37)  # the call that reads it
    assert [step.text for _, step in flow.steps] == ["stored in `body`"]


# ---- sinks -----------------------------------------------------------------------------------------------------

X = "ngx.var.arg_x"
DECODED = "ngx.req.get_uri_args().x"  # a browser percent-encodes the URI it sends: only a decoded value holds `<`


@pytest.mark.parametrize("code, kind, sink", [
    (f"os.execute({X})", "command", "os.execute"),
    (f"io.popen({X})", "command", "io.popen"),
    (f"ngx.pipe.spawn({X})", "command", "ngx.pipe.spawn"),
    (f"require('ngx.pipe').spawn({X})", "command", "ngx.pipe.spawn"),
    (f"require('ngx.pipe').spawn({{'sh', '-c', {X}}})", "command", "ngx.pipe.spawn"),
    (f"require('resty.shell').run({X})", "command", "resty.shell.run"),
    (f"io.open({X})", "path", "io.open"),
    (f"io.lines({X})", "path", "io.lines"),
    (f"os.remove({X})", "path", "os.remove"),
    (f"os.rename('/tmp/a', {X})", "path", "os.rename"),
    (f"loadstring({X})", "code", "loadstring"),
    (f"load({X})", "code", "load"),
    (f"dofile({X})", "code", "dofile"),
    (f"loadfile({X})", "code", "loadfile"),
    (f"ngx.redirect({X})", "redirect", "ngx.redirect"),
    (f"ngx.header.Location = {X}", "redirect", 'the response header "Location" (ngx.header)'),
    (f"ngx.exec({X})", "subrequest", "ngx.exec"),
    (f"ngx.location.capture({X})", "subrequest", "ngx.location.capture"),
    (f"ngx.location.capture_multi({{ {{ '/a' }}, {{ {X} }} }})", "subrequest", "ngx.location.capture_multi"),
    (f"ngx.header['Link'] = {X}", "header", 'the response header "Link" (ngx.header)'),
    (f"ngx.header.content_disposition = 'v=' .. {X}", "header", 'the response header "content_disposition" (ngx.header)'),
    (f"ngx.req.set_header('X-A', {X})", "header", "ngx.req.set_header"),
    (f"local db = require('resty.mysql'):new()\ndb:query('select ' .. {X})", "sql", "db:query"),
    (f"local db = require('resty.mysql').new()\ndb:send_query({X})", "sql", "db:send_query"),
    (f"local pg = require('pgmoon').new({{}})\npg:query({X})", "sql", "pg:query"),
    (f"ngx.re.match('s', {X})", "regex", "ngx.re.match"),
    (f"ngx.re.find('s', {X})", "regex", "ngx.re.find"),
    (f"ngx.re.gmatch('s', {X})", "regex", "ngx.re.gmatch"),
    (f"ngx.re.sub('s', {X}, '')", "regex", "ngx.re.sub"),
    (f"ngx.re.gsub('s', {X}, '')", "regex", "ngx.re.gsub"),
    (f"local h = require('resty.http').new()\nh:request_uri({X})", "ssrf", "h:request_uri"),
    (f"local h = require('resty.http').new()\nh:connect({X}, 80)", "ssrf", "h:connect"),
    (f"local h = require('resty.http').new()\nh:connect({{ host = {X} }})", "ssrf", "h:connect"),
    (f"local s = ngx.socket.tcp()\ns:connect({X}, 6379)", "ssrf", "s:connect"),
    (f"local s = ngx.socket.udp()\ns:setpeername({X}, 53)", "ssrf", "s:setpeername"),
    (f"ngx.socket.connect({X}, 80)", "ssrf", "ngx.socket.connect"),
    (f"ngx.say('hi ', {DECODED})", "xss", "ngx.say"),
    (f"ngx.print({{ 'hi ', {DECODED} }})", "xss", "ngx.print"),
])
def test_each_sink(code, kind, sink):
    flow = only(code)
    assert (flow.kind, flow.sink) == (kind, sink)


@pytest.mark.parametrize("value, reported", [
    ("ngx.var.arg_x", False), ("ngx.var.args", False), ("ngx.var.query_string", False),
    ("ngx.var.request_uri", False), ("ngx.var.request", False),
    ("ngx.var.uri", True),  # nginx decodes the path
    ("ngx.unescape_uri(ngx.var.arg_x)", True), ("ngx.decode_args(ngx.var.args).x", True),
    ("ngx.decode_base64(ngx.var.arg_x)", True), ("require('cjson').decode(ngx.var.arg_x).y", True),
    ("ngx.unescape_uri(ngx.escape_uri(ngx.var.arg_x))", True), (DECODED, True),
])
def test_the_request_uri_as_sent_holds_no_markup_until_decoded(value, reported):
    assert bool(flows(f"ngx.say('hi ', {value})")) is reported
    assert flows(f"os.execute({value})")  # percent-encoding keeps out no shell metacharacter


@pytest.mark.parametrize("code, reported", [
    ("ngx.exec(ngx.var.uri)", False),  # the request's own URI: where it already went
    ("ngx.location.capture(ngx.var.document_uri)", False),
    ("ngx.exec(ngx.var.uri .. '.orig')", True),
    ("ngx.exec(ngx.var.arg_next)", True),
])
def test_a_subrequest_of_the_requests_own_uri_reaches_nothing_new(code, reported):
    assert bool(flows(code)) is reported


def test_the_finding_is_at_the_argument():
    flow = only("local a = ngx.var.arg_a\nos.execute('ls ' .. a, 1)")
    assert flow.span == (2, 12, 2, 22)


@pytest.mark.parametrize("code", [
    f"ngx.req.set_header({X}, 'fixed')",  # the header name: not this rule's
    f"require('ngx.pipe').spawn({{'ls', '-l', {X}}})",  # an argument vector: no shell reads it
    f"ngx.re.match({X}, '^a')",  # the subject of a regex is what it is for
    f"string.find('abc', {X}, 1, true)",
    f"ngx.location.capture('/a', {{ args = {{ q = {X} }} }})",
    f"local c = require('resty.lrucache').new(1)\nc:query({X})",  # not a database client
    f"unknown_db:query({X})",
    f"ngx.log(ngx.ERR, {X})",
])
def test_what_is_not_a_sink(code):
    assert flows(code) == []


# ---- propagation -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [
    "local a = ngx.var.arg_x\nlocal b = a\nlocal c\nc = b\nos.execute(c)",
    "local t = {}\nt.cmd = ngx.var.arg_x\nos.execute(t.cmd)",
    "local t = { cmd = ngx.var.arg_x }\nos.execute(t.cmd)",
    "local args = ngx.req.get_uri_args()\nos.execute(args['x'])",
    "os.execute('a' .. ngx.var.arg_x .. 'b')",
    "os.execute(string.format('echo %s', ngx.var.arg_x))",
    "os.execute(('echo %s'):format(ngx.var.arg_x))",
    "os.execute(table.concat({ 'echo', ngx.var.arg_x }, ' '))",
    "local parts = {}\ntable.insert(parts, ngx.var.arg_x)\nos.execute(table.concat(parts))",
    "os.execute(ngx.var.arg_x:lower())",
    "os.execute(ngx.var.arg_x:sub(2):upper())",
    "os.execute(string.gsub(ngx.var.arg_x, 'a', 'b'))",
    "os.execute(tostring(ngx.var.arg_x))",
    "os.execute(ngx.unescape_uri(ngx.var.arg_x))",
    "os.execute(ngx.var.arg_x or 'default')",
    "local ok = true\nos.execute(ok and ngx.var.arg_x)",
    "local data = require('cjson.safe').decode(ngx.req.get_body_data())\nos.execute(data.cmd)",
    "for k, v in pairs(ngx.req.get_uri_args()) do os.execute(v) end",
    "for word in ngx.var.arg_x:gmatch('%S+') do os.execute(word) end",
    "local function f(a) return 'echo ' .. a end\nos.execute(f(ngx.var.arg_x))",
    "local function run(a) os.execute(a) end\nrun(ngx.var.arg_x)",
    "local function run(a) os.execute(a) end\nlocal function outer(b) run(b) end\nouter(ngx.var.arg_x)",
    "local M = {}\nfunction M.run(a) os.execute(a) end\nM.run(ngx.var.arg_x)",
    "local M = {}\nfunction M:run(a) os.execute(a) end\nM:run(ngx.var.arg_x)",
    "local cmd = ngx.var.arg_x\nlocal function later() os.execute(cmd) end",
    "local x\nif ngx.var.arg_a then x = ngx.var.arg_x else x = 'ls' end\nos.execute(x)",
    "local x = 'ls'\nwhile true do x = ngx.var.arg_x break end\nos.execute(x)",
])
def test_propagation(code):
    assert kinds(code) == [("command", "os.execute")]


def test_path_follows_the_value_through_a_function():
    flow = only("local args = ngx.req.get_uri_args()\nlocal cmd = args.cmd\n"
                "local function run(c)\n  local full = 'sh ' .. c\n  os.execute(full)\nend\nrun(cmd)")
    assert flow.source.name == "cmd" and flow.span == (5, 14, 5, 18)
    assert [(step.span[0], step.text) for _, step in flow.steps] == [
        (1, "stored in `args`"), (2, "stored in `cmd`"), (7, "passed to `run` as `c`"), (4, "stored in `full`")]


@pytest.mark.parametrize("code", [
    "local x = ngx.var.arg_x\nx = 'ls'\nos.execute(x)",
    "local x = ngx.var.arg_x\nif a then x = 'a' else x = 'b' end\nos.execute(x)",
    "local t = { cmd = ngx.var.arg_x }\nt.cmd = 'ls'\nos.execute(t.cmd)",
    "os.execute('sleep ' .. #ngx.var.arg_x)",
    "os.execute('sleep ' .. (ngx.var.arg_x + 1))",
    "os.execute(string.format('sleep %d', ngx.var.arg_x))",
    "os.execute(some_helper(ngx.var.arg_x))",
    "os.execute(ngx.var.arg_x == 'a' and 'ls' or 'pwd')",
    "local function f(a) return 'ls' end\nos.execute(f(ngx.var.arg_x))",
])
def test_what_ends_propagation(code):
    assert flows(code) == []


# ---- sanitisers and checks -------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [
    "os.execute('sleep ' .. tonumber(ngx.var.arg_x))",
    "os.execute('sleep ' .. math.floor(tonumber(ngx.var.arg_x)))",
    "local x = ngx.var.arg_x\nif not ngx.re.find(x, '^[a-z]+$', 'jo') then return ngx.exit(400) end\nos.execute(x)",
    "local x = ngx.var.arg_x\nif not ngx.re.find(x or '', '^[a-z]+$') then return ngx.exit(400) end\nos.execute(x)",
    "local x = ngx.var.arg_x\nif not ngx.re.match(x, [[^\\d+$]]) then ngx.exit(400) end\nos.execute(x)",
    "local x = ngx.var.arg_x\nif not x:match('^%w+$') then return end\nos.execute(x)",
    "local x = ngx.var.arg_x\nif not string.find(x, '^[%w_]+$') then error('bad') end\nos.execute(x)",
    "local x = ngx.var.arg_x\nif ngx.re.find(x, '^[a-z]+$', 'jo') then os.execute(x) end",
    "local x = ngx.var.arg_x\nif x ~= 'a' and x ~= 'b' then return end\nos.execute(x)",
    "local x = ngx.var.arg_x\nif not (x == 'a' or x == 'b') then return end\nos.execute(x)",
    "local x = ngx.var.arg_x\nif x == 'a' then os.execute(x) end",
    "local x = ngx.var.arg_x\nif not tonumber(x) then return ngx.exit(400) end\nos.execute(x)",
    "local x = ngx.var.arg_x\nif ngx.re.find(x, '^[a-z]+$') == nil then return end\nos.execute(x)",
    "local x = ngx.var.arg_x\nif x:match('^%a+$') ~= nil then os.execute(x) end",
    "local OK = { a = true }\nlocal x = ngx.var.arg_x\nif not OK[x] then return end\nos.execute(x)",
    "local args = ngx.req.get_uri_args()\nif not ngx.re.find(args.x, '^[a-z]+$') then return end\nos.execute(args.x)",
    "if not ngx.re.find(ngx.var.arg_x, '^[a-z]+$') then return end\nos.execute(ngx.var.arg_x)",
    "local x = ngx.var.arg_x\nif x ~= 'a' then\n  if x ~= 'b' then return end\nend\nos.execute(x)",
    "local x = ngx.var.arg_x\nif x ~= 'a' or ngx.var.arg_b then return end\nos.execute(x)",  # x == 'a' after it
    # a value whose type is checked to hold no text (opm's quote_sql_str)
    "local x = ngx.var.arg_x\nif type(x) == 'number' then os.execute('sleep ' .. x) end",
    "local db = require('pgmoon').new({})\nlocal function q(v)\n  local t = type(v)\n"
    "  if t == 'number' or t == 'boolean' then return tostring(v) end\n  return ngx.quote_sql_str(v)\nend\n"
    "db:query('select ' .. q(ngx.var.arg_x))",
])
def test_sanitisers_and_checks_leave_nothing(code):
    assert flows(code) == []


@pytest.mark.parametrize("code", [
    # a pattern that accepts anything, or is not anchored
    "local x = ngx.var.arg_x\nif not ngx.re.find(x, '^.+$') then return end\nos.execute(x)",
    "local x = ngx.var.arg_x\nif not ngx.re.find(x, '^[^;]+$') then return end\nos.execute(x)",
    "local x = ngx.var.arg_x\nif not ngx.re.find(x, '[a-z]+') then return end\nos.execute(x)",
    "local x = ngx.var.arg_x\nif not x:match('^%S+$') then return end\nos.execute(x)",
    # a check that does not return
    "local x = ngx.var.arg_x\nif not ngx.re.find(x, '^[a-z]+$') then ngx.log(ngx.ERR, 'bad') end\nos.execute(x)",
    # a check of another value
    "local x, y = ngx.var.arg_x, ngx.var.arg_y\nif y ~= 'a' then return end\nos.execute(x)",
    # a comparison joined by `and` to another condition: the `if` may be skipped for the other one
    "local x = ngx.var.arg_x\nif x ~= 'a' and ngx.var.arg_b then return end\nos.execute(x)",
    # the else branch of a positive check
    "local x = ngx.var.arg_x\nif ngx.re.find(x, '^[a-z]+$') then ngx.say('ok') else os.execute(x) end",
    # quoting for SQL is not quoting for a shell
    "os.execute('grep ' .. ngx.quote_sql_str(ngx.var.arg_x))",
    # a type that holds text, and the branch where the type is not a number
    "local x = ngx.var.arg_x\nif type(x) == 'string' then os.execute(x) end",
    "local x = ngx.var.arg_x\nlocal t = type(x)\nif t ~= 'number' then os.execute(x) end",
])
def test_what_does_not_clean(code):
    assert kinds(code) == [("command", "os.execute")]


@pytest.mark.parametrize("code, kind", [
    ("local db = require('resty.mysql'):new()\ndb:query('select ' .. ngx.quote_sql_str(ngx.var.arg_x))", "sql"),
    ("local db = require('pgmoon').new({})\ndb:query('select ' .. db:escape_literal(ngx.var.arg_x))", "sql"),
    # the ngx_devel_kit quoting opm keeps in a local of its own, behind a function of its own
    ("local q = ndk.set_var.set_quote_pgsql_str\nlocal function quote(v) return q(v) end\n"
     "local db = require('pgmoon').new({})\ndb:query('select ' .. quote(ngx.var.arg_x))", "sql"),
    ("ngx.redirect('/a?b=' .. ngx.escape_uri(ngx.var.arg_x))", "redirect"),
    ("ngx.redirect(ngx.escape_uri(ngx.var.arg_x))", "redirect"),
    ("ngx.header['Link'] = ngx.escape_uri(ngx.var.arg_x)", "header"),
    ("ngx.location.capture('/a/' .. ngx.escape_uri(ngx.var.arg_x))", "subrequest"),
    ("ngx.say(ngx.escape_uri(ngx.var.arg_x))", "xss"),
    ("ngx.say((ngx.var.arg_x:gsub('[<>&]', '')))", "xss"),
])
def test_sink_specific_sanitisers(code, kind):
    assert flows(code) == []


def test_a_sanitiser_for_one_sink_keeps_the_others():
    code = "local q = ngx.quote_sql_str(ngx.var.arg_x)\nngx.redirect(q)\nio.open(q)"
    assert kinds(code) == [("path", "io.open"), ("redirect", "ngx.redirect")]


# ---- where a value sits in a string ----------------------------------------------------------------------------

@pytest.mark.parametrize("code, reported", [
    ("ngx.redirect(ngx.var.arg_x)", True),
    ("ngx.redirect('/' .. ngx.var.arg_x)", True),  # //evil.example
    ("ngx.redirect('https://' .. ngx.var.arg_x)", True),
    ("ngx.redirect('/app/' .. ngx.var.arg_x)", False),
    ("ngx.redirect('https://example.com/' .. ngx.var.arg_x)", False),
    ("ngx.redirect(ngx.var.arg_a .. '?next=' .. ngx.var.arg_x)", True),  # arg_a still chooses the host
    ("ngx.redirect('/login?next=' .. ngx.var.arg_x)", False),
    ("ngx.redirect(ngx.var.scheme .. '://' .. ngx.var.host .. ngx.var.uri)", False),
    ("ngx.redirect('https://' .. ngx.var.http_host .. ngx.var.request_uri)", False),
    ("ngx.redirect(string.format('https://%s%s', ngx.var.host, ngx.var.request_uri))", False),
    ("ngx.redirect(ngx.var.uri)", True),  # /\\evil.example is another host to a browser
    ("ngx.redirect('/' .. ngx.var.uri)", True),
    ("io.open('/srv/www' .. ngx.var.uri)", False),  # $uri is normalised: no .. segment
    ("io.open(ngx.var.uri)", True),
    ("io.open('/srv/www/' .. ngx.var.request_uri)", False),  # nginx answers 400 to a climb above the root
    ("ngx.location.capture('/backend' .. ngx.var.request_uri)", False),  # a path under /backend, as proxy_pass
    ("ngx.location.capture('/backend/' .. ngx.var.arg_x)", False),
    ("ngx.location.capture('/' .. ngx.var.arg_x)", True),
    ("require('resty.http').new():request_uri('http://backend' .. ngx.var.request_uri)", False),
    ("require('resty.http').new():request_uri('http://' .. ngx.var.request_uri)", True),
    ("require('resty.http').new():request_uri('http://' .. ngx.var.host .. '/x')", True),  # Host is the client's
])
def test_place_in_the_string(code, reported):
    assert bool(flows(code)) is reported


@pytest.mark.parametrize("sink", ["ngx.redirect(%s)", "ngx.header['Link'] = %s", "ngx.say(%s)"])
@pytest.mark.parametrize("source", ["ngx.var.http_referer", "ngx.var.cookie_a", "ngx.var.host",
                                    "ngx.req.get_headers()['Origin']", "ngx.req.raw_header()"])
def test_input_a_link_cannot_choose_is_not_reflected(sink, source):
    assert flows(sink % source) == []
    assert kinds(f"os.execute({source})") == [("command", "os.execute")]  # still input for the server's sinks


# ---- modules ---------------------------------------------------------------------------------------------------

JOBS = """
local _M = {}
local function shell(c) return os.execute(c) end
function _M.start(name) return shell("/bin/job " .. name) end
function _M.safe(name) return os.execute("/bin/job " .. tonumber(name)) end
function _M:method(name) io.open(name) end
_M.get = function() return ngx.var.arg_q end
function _M.echo(v) return v end
function _M.relay(v) return require("other").run(v) end
return _M
"""
OTHER = "return { run = function(v) loadstring(v) end }"


def test_module_function_with_a_tainted_argument():
    flow = only("local jobs = require 'jobs'\njobs.start(ngx.var.arg_x)", {"jobs": JOBS})
    assert (flow.kind, flow.unit, flow.source_unit) == ("command", "jobs", "main")
    assert flow.span == (3, 43, 3, 44)  # the sink in the module, inside the local function `start` calls
    assert [(unit, step.span[0], step.text) for unit, step in flow.steps] == [
        ("main", 2, "passed to `start`"), ("jobs", 4, "passed to `shell` as `c`")]


def test_module_functions_across_require():
    modules = {"jobs": JOBS, "other": OTHER}
    assert kinds("local jobs = require 'jobs'\njobs.start('backup')", modules) == []
    assert kinds("local jobs = require 'jobs'\njobs.safe(ngx.var.arg_x)", modules) == []
    assert kinds("local jobs = require 'jobs'\njobs:method(ngx.var.arg_x)", modules) == [("path", "io.open")]
    assert kinds("local jobs = require 'jobs'\nos.execute(jobs.get())", modules) == [("command", "os.execute")]
    assert kinds("local jobs = require 'jobs'\nos.execute(jobs.echo(ngx.var.arg_x))", modules) == [
        ("command", "os.execute")]
    assert kinds("local jobs = require 'jobs'\nos.execute(jobs.echo('ls'))", modules) == []
    assert kinds("require('jobs').relay(ngx.var.arg_x)", modules) == [("code", "loadstring")]


def test_unknown_modules_are_quiet():
    assert flows("local m = require 'missing'\nos.execute(m.get())\nm.run(ngx.var.arg_x)") == []


def test_module_exports_and_summaries():
    facts = analyze_lua(JOBS).taint
    assert set(facts.exports) == {"start", "safe", "method", "get", "echo", "relay"}
    start = facts.exports["start"]
    assert start.params == ("name",) and [h.kind for h in start.hits] == ["command"]
    assert facts.exports["method"].params == ("self", "name")
    assert [type(t.origin).__name__ for t in facts.exports["echo"].returns] == ["Param"]


# ---- the walk itself -------------------------------------------------------------------------------------------

def test_cached_with_the_facts():
    facts = analyze_lua(JOBS)
    assert FACTS_FORMAT >= 5
    again = pickle.loads(pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL))
    assert again.taint == facts.taint


def test_long_concatenations_and_deep_code_do_not_exhaust_the_stack():
    code = "os.execute(" + " .. ".join(["'a'"] * 150 + ["ngx.var.arg_x"]) + ")"
    assert kinds(code) == [("command", "os.execute")]
    nested = "local x = ngx.var.arg_x\n" + "do " * 150 + "os.execute(x)" + " end" * 150
    assert kinds(nested) == [("command", "os.execute")]


def test_calls_between_modules_do_not_fan_out():
    """Every function of each module calls every function of the next one: following that blindly is 8^4 paths
    per call; only the calls that carry request input are followed."""
    modules = {}
    for index in range(5):
        calls = "".join(f"  nxt.f{k}(v)\n" for k in range(8)) if index < 4 else "  os.execute(v)\n"
        body = "".join(f"function M.f{k}(v)\n{calls}end\n" for k in range(8))
        modules[f"m{index}"] = f"local nxt = require 'm{index + 1}'\nlocal M = {{}}\n{body}return M\n"
    assert flows("require('m0').f0('ls')", modules) == []
    found = flows("require('m1').f0(ngx.var.arg_x)", modules)
    assert {(f.unit, f.kind) for f in found} == {("m4", "command")}


@pytest.mark.parametrize("code", [
    "local function run(c) os.execute(c) end\nlocal ok, err = pcall(run, ngx.var.arg_x)",
    "local function run(c) os.execute(c) end\nxpcall(run, debug.traceback, ngx.var.arg_x)",
    "local function job(premature, c) os.execute(c) end\nngx.timer.at(0, job, ngx.var.arg_x)",
])
def test_functions_run_by_pcall_and_timers(code):
    assert kinds(code) == [("command", "os.execute")]


def test_objects_made_by_a_module_new():
    client = """
local _M = {}
local mt = { __index = _M }
function _M.new(opts) return setmetatable({ opts = opts }, mt) end
function _M:fetch(path) return io.open("/data/" .. path) end
return _M
"""
    code = "local client = require 'client'\nlocal c = client.new({})\nc:fetch(ngx.var.arg_p)\nc:fetch('fixed')"
    assert kinds(code, {"client": client}) == [("path", "io.open")]


def test_globals_a_chunk_sets():
    facts = analyze_lua("jobs = require 'jobs'\nfunction shell(c) os.execute(c) end\ntools = {}\n"
                        "function tools.ping(h) io.popen(h) end\nlocal function hidden() end\n"
                        "function later() counter = 1 end").taint
    assert set(facts.globals) == {"jobs", "shell", "tools", "later"}
    assert facts.globals["jobs"] == ("module", "jobs")
    assert [h.kind for h in facts.globals["shell"].hits] == ["command"]
    assert [h.kind for h in facts.globals["tools"]["ping"].hits] == ["command"]
    calls = analyze_lua("shell(ngx.var.arg_x)\ntools.ping(ngx.var.arg_y)").taint.summaries[-1].calls
    assert [(c.module, c.member) for c in calls] == [("global:", "shell"), ("global:tools", "ping")]


def test_ngx_ctx_within_a_chunk_and_what_it_leaves_for_other_handlers():
    assert kinds("ngx.ctx.u = ngx.var.arg_u\nos.execute(ngx.ctx.u)") == [("command", "os.execute")]
    assert kinds("local ctx = ngx.ctx\nctx.u = ngx.var.arg_u\nctx.u = 'x'\nos.execute(ctx.u)") == []
    facts = analyze_lua("ngx.ctx.user = ngx.var.arg_user\nngx.ctx.n = 1\n"
                        "local function set(v) ngx.ctx.p = v end").taint
    assert set(facts.ctx) == {"user"}
    read = analyze_lua("os.execute(ngx.ctx.user)").taint.summaries[-1].hits[0].taint[0].origin
    assert (read.module, read.member) == ("ngx.ctx", "user")


# ---- regex captures and checked table lookups ------------------------------------------------------------------

_OPENRESTY_ORG = """
local re_match = ngx.re.match
local match_table = {}
local i18n_objs = { cn = {}, en = {} }
local db = require("pgmoon").new({})
local m = re_match(ngx.var.uri, [[ ^ / ( [a-z]{2} ) / (?: ([-\\w]+) \\.html )? $ ]], 'jox', nil, match_table)
if not m then return ngx.exit(404) end
local lang = m[1]
local i18n = i18n_objs[lang]
if not i18n then return ngx.exit(404) end
db:query("select id from posts_" .. lang)
return ngx.redirect("/" .. lang .. "/", 301)
"""


def test_a_capture_of_letters_reaches_a_redirect_and_a_query_clean():
    assert flows(_OPENRESTY_ORG) == []


@pytest.mark.parametrize("group, sink, reported", [
    ("(.*)", 'ngx.redirect("/" .. c)', True),
    ("([^/]+)", 'ngx.redirect("/" .. c)', True),
    ("([\\w.]+)", 'ngx.redirect("https://example.com" .. c)', True),  # a longer host name
    ("([a-z]*)", 'ngx.redirect("/" .. c)', False),
    ("([a-z]+)", 'ngx.header["Content-Language"] = c', False),
    ("([^\\r\\n]+)", 'ngx.header["Content-Language"] = c', False),  # only a line break splits a header
    ("(.+)", 'ngx.header["Content-Language"] = c', True),  # `.` takes no LF, but CR
    ("([a-z]+)", 'io.open("/srv/" .. c)', False),
    ("([a-z.]+)", 'io.open("/srv/" .. c)', True),
    ("([a-z]+)", 'ngx.say(c)', False),
    ("([a-z<>]+)", 'ngx.say(c)', True),
    ("([a-z]+)", 'os.execute("ls " .. c)', False),
    ("([a-z-]+)", 'os.execute("ls " .. c)', True),  # an option
    ("([a-z]+)", 'ngx.exec("/" .. c)', True),  # a bare word picks any location
    ("([a-z]+)", 'loadstring("return " .. c)', True),
])
def test_what_a_capture_can_hold_decides_each_sink(group, sink, reported):
    code = f"local m = ngx.re.match({DECODED}, [[^{group}$]], \"jo\")\nlocal c = m[1]\n{sink}"
    assert bool(flows(code)) is reported


def test_the_s_and_i_options_are_read():
    header = 'ngx.header["Link"] = m[1]'
    assert flows(f'local m = ngx.re.match(ngx.var.arg_x, "^(.+)$", "jos")\n{header}')  # `.` takes LF
    assert not flows(f'local m = ngx.re.match(ngx.var.arg_x, "^([a-z]+)$", "joi")\nos.execute("ls " .. m[1])')


def test_a_pattern_that_is_not_a_literal_narrows_nothing():
    assert flows('local p = ngx.var.arg_p or ""\nlocal m = ngx.re.match(ngx.var.arg_x, "^([a-z]+)" .. p)\n'
                 'os.execute("ls " .. m[1])')


def test_named_captures_the_result_table_and_gmatch():
    code = """
local res = {}
local m = ngx.re.match(ngx.var.arg_x, "^(?<word>[a-z]+)/(?<rest>.*)$", "jo", nil, res)
os.execute("ls " .. m.word)
os.execute("ls " .. res.word)
os.execute("cat " .. res.rest)
for w in ngx.re.gmatch(ngx.var.arg_y, "([a-z]+)") do os.execute("ls " .. w[1]) end
for w in ngx.re.gmatch(ngx.var.arg_y, "([^,]+)") do os.execute("rm " .. w[1]) end
"""
    assert sorted(f.span[0] for f in flows(code)) == [6, 8]


def test_a_clean_capture_beside_its_subject_keeps_the_subject_reported():
    code = 'local x = ngx.var.arg_x\nlocal m = ngx.re.match(x, "^([a-z]+)", "jo")\nngx.redirect("/" .. m[1] .. x)'
    assert only(code).source.name == "x"


def test_a_capture_of_the_uri_is_not_a_rooted_path():
    code = 'local m = ngx.re.match(ngx.var.uri, "^/go/(.*)$", "jo")\nngx.redirect("https://" .. ngx.var.host .. m[1])'
    flow = only(code)  # "@evil.example" after the host names another site
    assert flow.source.what == "uri_part"


@pytest.mark.parametrize("check, reported", [
    ("local v = ALLOWED[x]\nif not v then return ngx.exit(404) end", False),
    ("local v = ALLOWED[x]\nif v == nil then return end", False),
    ("if not ALLOWED[x] then return end", False),
    ("local v = ALLOWED[x]\nif not v then ngx.log(ngx.ERR, 'unknown') end", True),  # no early exit
    ("local v = ALLOWED[x] or 'en'\nif not v then return end", True),
    ("local v = ALLOWED[x]\nv = 1\nif not v then return end", True),
])
def test_a_table_lookup_checked_before_use(check, reported):
    code = f"local ALLOWED = {{ en = 1, cn = 2 }}\nlocal x = ngx.var.arg_x\n{check}\nos.execute('ls ' .. x)"
    assert bool(flows(code)) is reported
