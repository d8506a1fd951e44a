"""SEC561–SEC570: request input reaching a dangerous call in the Lua an nginx deployment runs.

The flows come from nginxlint.lua.taint: each unit's summaries (cached with its Lua facts) linked with those of the
modules it requires, in the same subsystem. One finding per sink argument, at that argument, with the path from
the request input to it as related locations.
"""
from __future__ import annotations

import re

from ..findings import Location
from ..nginx.access import AccessView
from ..nginx.directives import LUA_PHASE
from ..nginx.inheritance import server_of
from ..nginx.urls import forward_proxy
from ..openresty.lua_functions import Functions
from ..openresty.phase_calls import innermost_function
from .registry import rule


# sink kind -> (code, what a request can then do)
CONSEQUENCES = {
    "command": ("SEC561", "a request can run any shell command on the server as the nginx worker user"),
    "path": ("SEC562", "a request can make nginx open any file its worker user can read or write (`../` or an "
                       "absolute path)"),
    "code": ("SEC563", "a request can run any Lua code inside the nginx worker"),
    "redirect": ("SEC564", "a request can send users to any site of its choosing (open redirect)"),
    "subrequest": ("SEC565", "a request chooses which internal location nginx requests on its behalf, and with "
                             "which arguments"),
    "header": ("SEC566", "a request chooses the value of this header"),
    "sql": ("SEC567", "a request can rewrite the SQL statement (SQL injection)"),
    "regex": ("SEC568", "a request chooses the regular expression, which can take exponential time (ReDoS) or fail "
                        "to compile"),
    "xss": ("SEC569", "the response echoes request data unescaped, a reflected XSS when it is served as HTML"),
    "ssrf": ("SEC570", "a request chooses the server nginx connects to: internal services, cloud metadata "
                       "(169.254.169.254), anything the pod can reach"),
}
ADVICE = {
    "command": "pass only values checked against an allowlist (a `^[a-z0-9]+$` check that returns early)",
    "path": "check the name against a strict pattern such as `^[a-z0-9_-]+$` before building the path",
    "code": "never compile request data; look the value up in a table of allowed functions instead",
    "redirect": "redirect to a path of this site, or check the target against a list of allowed hosts",
    "subrequest": "build the URI from a fixed path and pass the value escaped with ngx.escape_uri",
    "header": "escape it with ngx.escape_uri or check it against the values the header may take",
    "sql": "quote it with ngx.quote_sql_str (or the driver's escape_literal)",
    "regex": "match against a fixed pattern, or quote the value before putting it into a pattern",
    "xss": "escape it for HTML, or send it with a non-HTML Content-Type",
    "ssrf": "fix the scheme and host in the code (\"https://api.example.com/\" .. path) or check the host against "
            "an allowlist",
}


@rule("SEC561", "SEC562", "SEC563", "SEC564", "SEC565", "SEC566", "SEC567", "SEC568", "SEC569", "SEC570")
def check_lua_request_taint(dep, report):
    """SEC561-SEC570: request input reaching a dangerous call, one walk of the Lua units' taint summaries for all ten
    (SEC561 command, SEC562 path, SEC563 code, SEC564 redirect, SEC565 subrequest, SEC566 header, SEC567 SQL,
    SEC568 regex, SEC569 page, SEC570 outbound request)."""
    units = [u for u in dep.lua.units if u.facts is not None and u.facts.taint is not None]
    if not units:
        return
    from ..lua.taint_link import unit_flows  # the Lua analysis, only when a config runs Lua
    from ..lua.taint_model import CTX  # the Lua analysis, only when a config runs Lua

    functions = Functions(units)
    writers = [u for u in units if u.facts.taint.ctx]
    reported: set = set()
    access = AccessView(dep)
    local_only: dict[int, bool] = {}  # id of a module function -> only loopback-only handlers call it
    for unit in units:
        if _for_local_clients(access, unit):
            continue  # only this host's own processes send it requests (`allow 127.0.0.1; deny all;`)
        def lookup(module, member, reader=unit):
            if module == CTX:
                return _ctx_field(writers, reader, member)
            return functions.find(reader.subsystem, module, member)

        for flow in unit_flows(unit, unit.facts.taint, lookup):
            if unit.kind == "module" and flow.function is not None:
                key = id(flow.function)
                if key not in local_only:
                    local_only[key] = _called_by_local_clients_only(access, unit, flow.function)
                if local_only[key]:
                    continue  # the module's function that reads the input runs only for this host's own processes
            if _capture_of_safe_group(dep, unit, flow):
                continue  # `ngx.var[1]` of `location ~ ^/users/([0-9]+)$`: digits rewrite no statement
            code, consequence = CONSEQUENCES[flow.kind]
            sink_unit = flow.unit
            served_as = _served_as_html(unit) if flow.kind == "xss" and sink_unit.subsystem != "stream" else None
            if flow.kind == "xss" and (served_as is None or _body_echoed_by_another_method(flow)):
                continue  # ngx.say writes to a TCP/UDP client, or into a response declared as JSON, text...
            if flow.kind == "ssrf" and unit.handlers and all(handler.node is not None and forward_proxy(handler.node)
                                                               for handler in unit.handlers):
                continue  # a forward proxy by design (`proxy_connect;`): the client choosing where it goes is its job
            if flow.kind == "subrequest" and _nothing_guarded(dep, unit, _may_name_named_location(flow)):
                continue  # every location answers the client directly: a subrequest reaches nothing new
            at = sink_unit.span(flow.span)  # in the file: two inline blocks may hold a sink at the same place
            key = (code, sink_unit.path, at)
            if key in reported:
                continue
            reported.add(key)
            source_at = flow.source_unit.location(flow.source.span, f"{_source_text(flow.source)} is read here")
            where = (f"line {source_at.span.line}" if flow.source_unit.path == sink_unit.path
                     else f"{flow.source_unit.path}:{source_at.span.line}")
            if served_as == BY_EXTENSION:
                consequence = _html_by_extension(unit)
            message = (f"{_source_text(flow.source)} ({flow.source.api}, {where}) reaches {flow.sink}: "
                       f"{consequence}; {ADVICE[flow.kind]}")
            path = _path(source_at, flow.steps)
            report.at(sink_unit.path, at, message, code=code, related=path,
                      flow=[*path, Location(sink_unit.path, at, f"reaches {flow.sink}")])


def _capture_of_safe_group(dep, unit, flow) -> bool:
    """The input is `ngx.var[N]`, read by the handler itself, and every location that runs the handler is a regex
    location whose group N can hold none of the bytes an attack on the sink needs. The location's match sets the
    captures; a `rewrite` or a regex `if` in the location would set them again, so none may stand there."""
    from ..lua.taint_model import capture_safe  # the Lua analysis, only when a config runs Lua
    from ..regex.facts import pattern_facts  # the regex grammar, only for a capture
    from ..regex.sites import sites_of

    source = flow.source
    if source.what != "capture" or not (source.name or "").isdigit() or flow.source_unit is not unit \
            or not unit.handlers:
        return False
    for handler in unit.handlers:
        location = handler.node.enclosing("location") if handler.node is not None else None
        sites = sites_of(location) if location is not None else []
        if not sites or _sets_captures_again(location):
            return False
        facts = pattern_facts(dep, sites[0].pattern, sites[0].caseless)
        capture = facts.capture(source.name) if facts.error is None else None
        if facts.error is not None or capture is not None and flow.kind not in capture_safe(capture.mask):
            return False
    return True


def _sets_captures_again(location) -> bool:
    """A `rewrite` or an `if` with a regex in the location: a match there replaces the location's captures."""
    from ..regex.sites import sites_of

    stack = list(location.children or ())
    while stack:
        node = stack.pop()
        if node.name in ("rewrite", "if") and sites_of(node):
            return True
        if node.name == "if":
            stack.extend(node.children or ())
    return False


# The request methods of a REST handler (`local function GET()`, `handlers.DELETE = function`) with which no page of
# another site can make a browser navigate with a body: a form sends one only with POST, and fetch's answers are
# never rendered as the site's page (Fetch standard; HTML form submission).
_NO_FORM_BODY = frozenset({"get", "head", "delete", "put", "patch", "options"})


def _body_echoed_by_another_method(flow) -> bool:
    """The request body reaches the page inside a function named for a method other than POST: no link or form of
    another site can put markup there."""
    if flow.source.what not in ("body", "post"):
        return False
    summary = innermost_function(flow.unit.facts.taint.summaries, flow.span)
    return summary is not None and re.split(r"[.:]", summary.name)[-1].lower() in _NO_FORM_BODY


def _for_local_clients(access, unit) -> bool:
    """Every handler that runs the unit answers only processes of this host: its location lets no one else
    through, or its server listens on loopback addresses and unix sockets alone."""
    nodes = [handler.node for handler in unit.handlers]
    return bool(nodes) and all(node is not None and node.parent is not None and access.local_clients_only(node.parent)
                               for node in nodes)


def _called_by_local_clients_only(access, unit, function) -> bool:
    """A module's exported function reads the input itself, and the handlers that call it by name (`require(
    "opmserver").do_processed()`) all answer only processes of this host. Called from nowhere in view, or by
    another function of the module, it may run for any handler."""
    names = {name for name, summary in unit.facts.taint.exports.items() if summary is function}
    callers = [handler for handler in unit.handlers if handler.facts is not None and handler.facts.taint is not None
               and any(edge.kind == "external" and edge.module == unit.module and edge.member in names
                       for summary in handler.facts.taint.summaries for edge in summary.edges)]
    return bool(callers) and all(_for_local_clients(access, handler) for handler in callers) \
        and not _called_inside(unit, names)


def _called_inside(unit, names: set) -> bool:
    """Another function of the module calls one of these (`M.process()` from `M.run()`)."""
    for summary in unit.facts.taint.summaries:
        for edge in summary.edges:
            callee = edge.member if edge.kind == "external" else edge.summary.name if edge.kind == "local" else None
            if callee in names:
                return True
    return False


def _nothing_guarded(dep, unit, named: bool) -> bool:
    """No location of the servers that run the handler withholds anything from clients (no `internal` location,
    access rule, authentication or Lua access code, nor a named location where `named`), and all of the config is in
    view: a subrequest, which skips the access phase, reaches only what the client may request itself
    (`ngx.location.capture(ngx.var.request_uri)` replaying the client's own request)."""
    servers = [server_of(handler.node) if handler.node is not None else None for handler in unit.handlers]
    if not dep.complete or not servers or None in servers:
        return False  # a handler outside a server in view: what its subrequests reach is not known
    guarded = _guarded_servers(dep, named)
    return not any(id(server) in guarded for server in servers)


# The request's own path, which always starts with "/": never `@name`
_URI_SOURCES = frozenset({"ngx.var.request_uri", "ngx.var.uri", "ngx.var.document_uri"})


def _may_name_named_location(flow) -> bool:
    """Only ngx.exec jumps to a named location (`ngx.exec("@fallback")`; a subrequest cannot), and only with a
    value that may start with "@": not the request's own path."""
    return flow.sink.startswith("ngx.exec") and flow.source.api not in _URI_SOURCES


def _guarded_servers(dep, named: bool) -> set[int]:
    """The servers holding something withheld from clients (named locations too where `named`), from the tree's
    index, once per tree."""
    key = f"guarded-servers-{named}"
    if key not in dep.memo:
        from ..nginx.access import GUARD_DIRECTIVES  # the access model, only for a subrequest built from input

        guards = [node for name in GUARD_DIRECTIVES for node in dep.nodes(name)]
        if named:
            guards += [node for node in dep.nodes("location") if node.args[:1] and node.args[0].startswith("@")]
        dep.memo[key] = {id(server) for node in guards if (server := server_of(node))}
    return dep.memo[key]


# How a handler's response may be HTML: its type says so (a default_type, a type the Lua sets), or, with no
# default_type at all, only for a request whose path ends in .html
DECLARED, BY_EXTENSION = "declared", "extension"


def _served_as_html(unit) -> str | None:
    """How the handler's response may be HTML, or None: not when its main body sets `ngx.header.content_type` to
    another type, nor, when it sets none, when the nearest `default_type` names another type. With no
    `default_type`, nginx's own is text/plain, and only a URI whose extension the types map to HTML (`/x.html`)
    gets text/html (oracle): never in an exact location whose path has no such extension (`location = /geolookup`)."""
    declared_in_lua = unit.facts.taint.content_types
    if declared_in_lua:
        return DECLARED if any(value is None or "html" in value.lower() for value in declared_in_lua) else None
    by_extension = False
    for handler in unit.handlers:
        node = handler.node
        for level in (node.parent, *node.parent.ancestors()) if node is not None and node.parent is not None else ():
            declared = level.find("default_type") if level.d is not None else []
            if declared:
                if "html" in declared[-1].args[0].lower() if declared[-1].args else True:
                    return DECLARED
                break
        else:
            by_extension = by_extension or not _exact_path_without_html(node)
    return BY_EXTENSION if by_extension else None


def _html_by_extension(unit) -> str:
    """What makes an echo with no default_type a page, with a path that shows it (`/hello.html` for `location
    /hello`) when nginx hands that path to the handler's location."""
    shown = next((path for handler in unit.handlers if (path := _html_path(handler.node))), None)
    which = f"the answer to {shown}" if shown else "the answer to a path ending in .html"
    return (f"the response echoes request data unescaped, a reflected XSS: nginx sends {which} as text/html (with no "
            "default_type, the .html extension sets the type, with or without mime.types)")


def _html_path(node) -> str | None:
    """A path ending in .html that nginx hands to the prefix location of the handler, or None."""
    from ..nginx.locations import location_match, match_location  # the location model, only for an echo

    location = node.enclosing("location") if node is not None else None
    match = location_match(location) if location is not None else None
    server = location.enclosing("server") if location is not None else None
    if match is None or match.modifier not in ("", "^~") or server is None:
        return None
    path = match.pattern + ("x.html" if match.pattern.endswith("/") else ".html")
    return path if match_location(server, path) is location else None


def _exact_path_without_html(node) -> bool:
    """The handler answers one exact path (`location = /geolookup`) whose extension no types map to HTML."""
    from ..nginx.locations import location_match  # the location model, only for a handler that echoes input

    location = node.enclosing("location") if node is not None else None
    match = location_match(location) if location is not None else None
    return match is not None and match.modifier == "=" and \
        not match.pattern.lower().endswith((".html", ".htm", ".shtml", ".xhtml", ".svg"))


def _ctx_field(writers: list, reader, key: str):
    """(unit, Summary) standing for what another handler of the same request stores in ngx.ctx[key]."""
    from ..lua.taint_model import Summary  # the Lua analysis, only when a config runs Lua

    for writer in writers:
        taint = writer.facts.taint.ctx.get(key)
        if taint and writer.subsystem == reader.subsystem and _same_request(writer, reader):
            return writer, Summary(f"ngx.ctx.{key}", (), (), (), taint)
    return None


def _same_request(writer, reader) -> bool:
    """Whether some handler running `writer` runs in the request of a handler running `reader`: the writer's
    directive is in the reader's block, or in a block around it that no block in between overrides with a handler
    of the same phase (a server's access_by_lua runs for the locations without one of their own)."""
    for reading in reader.handlers:
        if reading.node is None:
            continue
        for writing in writer.handlers:
            if writing.node is not None and _inherited(writing, reading.node.parent):
                return True
    return False


def _inherited(writing, block) -> bool:
    scope = writing.node.parent
    while block is not None:
        if block is scope:
            return True
        if any(LUA_PHASE.get(child.name) == writing.phase for child in block.children):
            return False  # this block's own handler of that phase replaces the outer one
        block = block.parent
    return False


def _source_text(source) -> str:
    from ..lua.taint_model import SOURCE_WORDS  # the Lua analysis, only when a config runs Lua

    singular, plural = SOURCE_WORDS[source.what]
    if source.name is not None:
        return f"the `{source.name}` {singular}"
    return f"the {plural}"


def _path(source_at: Location, steps) -> list[Location]:
    """The source, then each step in order; a step on the line of the one before (`local args =
    ngx.req.get_uri_args()`) adds nothing the reader does not see there."""
    path = [source_at]
    for unit, step in steps:
        location = unit.location(step.span, step.text)
        if location.path == path[-1].path and location.span.line == path[-1].span.line:
            continue
        path.append(location)
    return path
