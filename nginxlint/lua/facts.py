"""Facts nginxlint's rules need from one Lua chunk, collected in one walk of its AST.

``analyze_lua(text)`` parses (raising LuaSyntaxError) and returns ``LuaFacts``: shared-dict
references, requires, os.getenv names, global reads and writes, cosocket use, Prometheus calls and calls
of the ngx_lua API, each with a span (line, column, end_line, end_column) in the text's own coordinates.

Values are followed just far enough to resolve names: a small abstract value per expression
(``ngx.shared``, a dict, a module, a string constant, a library object) flows through locals,
module upvalues and, within the chunk, globals. Nothing unresolvable is guessed: it is recorded
with a None name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from ..gcpause import collector_paused
from . import ast
from .global_order import (
    STILL_FUNCTION, YIELDING_FUNCTION, GlobalOrder, SharedRead, call_may_yield, method_may_yield,
)
from ..lines import LineIndex
from .parser import parse
from .stdlib import (
    COSOCKET_MODULES,
    DICT_ARGUMENTS,
    DICT_OPTIONS,
    PROMETHEUS_DEFAULT_DICT,
    PROMETHEUS_METHODS,
    PROMETHEUS_MODULE,
    SESSION_CONFIG_FUNCTIONS,
    SESSION_DEFAULT_DICT,
    SESSION_MODULE,
    STANDARD_GLOBALS,
)

__all__ = [
    "analyze_lua", "analyze_chunk", "LuaFacts", "DictRef", "Require", "Getenv", "GlobalUse",
    "Cosocket", "PromCall", "ApiCall", "SharedRead", "STANDARD_GLOBALS", "FACTS_FORMAT",
]

Span = tuple  # (line, column, end_line, end_column), 1-based, end column exclusive

# The shape of LuaFacts and of what it holds: part of the disk cache key, so that a build whose facts have other
# fields never reads pickles written by another. Bump it whenever a fact class gains, loses or changes a field, or
# the parser's verdict on some text changes (4: the parser follows LuaJIT's syntax levels and label order exactly).
FACTS_FORMAT = 48  # 6: taint summaries hold the ngx_lua APIs each function uses and the code it runs; 7: not after `or`;
# 8: ngx.re guards read under the x option; 9: calls of the ngx_lua API and the API values read without a call;
# 10: captures of a literal ngx.re.match pattern are safe for the sinks they cannot attack; 11: the content types
# a chunk sets; 12: ngx.pipe.spawn as a member of the required module, an argument table without a shell;
# 13: Lua read as OpenResty's LuaJIT (LJ_52) reads it; 14: set-misc's set_quote_pgsql_str quotes for SQL;
# 15: a value whose type() is number, boolean or nil holds no text; 16: whether the code handles an os.getenv's nil;
# 17: globals created through `_G`; 18: whether a global read is indexed or called at once; 19: global functions
# defined, with their text and whether they close over the code around them; 20: whether the code sets package.path;
# 21: the fields of the tables a function returns or stores in ngx.ctx, each with its own taint; 22: a token that
# lua-resty-jwt verified is clean; 23: whether an os.getenv runs when the chunk runs (outside any function);
# 24: the dicts of one `or` are alternatives of each other, and a dict compared with nil is checked; 25: the nginx
# variables the code assigns (`ngx.var.name = v`); 26: not those it assigns under `if ngx.var.name`; 27: the global
# reads that may see a value another request wrote; 28: no header finding on a response header nothing acts on;
# 29: `require "ngx"` is the ngx table; 30: a normalised $uri after any part of a path stays below it;
# 31: so do $request_uri and the Host header; 32: a global written with a value every run computes alike, and
# a file handle's methods; 33: an echo after its function set a type that is not HTML; 34: a global holding a
# required module's table is written alike by every run; 35: a value whose single quotes are escaped for the shell,
# between single quotes, is one word of a command; 36: a require under pcall (a function literal given to it, or a
# function the chunk calls only through it) is optional: not among the requires; 37: so under a local copy of pcall;
# 38: calls of JWT, HMAC, cookie and IP-matching libraries let no other request run
# 39: a function of the chunk that returns a true value only where its parameter passed a check guards it
# 40: each function's summary holds its span; 41: a yield in a branch of an if comes before no read in a later elseif
# test or branch; 42: ngx.var.is_args is the `?` before the query string; 43: the request URI as sent is
# browser-encoded (no markup) until decoded; 44: ngx.exec(ngx.var.uri) is no subrequest sink;
# 45: writes of an nginx variable under a test of it are kept apart; 46: a read in a function defined after a
# write of the code around it that no yield follows is no shared read; 47: a dict held in a local and tested
# (`if not dict then return end`, `if dict then`, `dict ~= nil`) is checked; 48: a lone "/" after a host the code
# chose (`"http://" .. host .. "/" .. x`) starts the path


@dataclass(frozen=True)
class DictRef:
    """A shared dict use. ``how``: field, index, alias, upvalue, constant, or the library module
    that takes the name (resty.lock, resty.limit.req, prometheus, resty.mlcache, ...)."""

    name: str | None
    span: Span
    how: str
    # the other dicts of an `or` it is one operand of (`ngx.shared.stream_ips or ngx.shared.http_ips`): any of them
    # serves where this one is not declared
    alternatives: tuple[str, ...] = ()
    checked: bool = False  # compared with nil or tested (`if ngx.shared.x ~= nil`): the code expects its absence


@dataclass(frozen=True)
class Require:
    module: str | None
    span: Span


@dataclass(frozen=True)
class Getenv:
    """``handles_nil``: the code tests the value for nil or falls back from it (`os.getenv("X") or "default"`,
    `local x = os.getenv("X")` then `if x == nil`, `if not x`, `x or ""`)."""

    name: str | None
    span: Span
    handles_nil: bool = False
    top_level: bool = False  # run when the chunk runs, not inside a function body that may be called later


@dataclass(frozen=True)
class GlobalUse:
    name: str
    span: Span
    # a read whose value is indexed (`x.y`, `x[k]`, `x:m()`) or called (`x()`) at once: "index" or "call"
    used_as: str | None = None
    # a write that defines a function (`function f() … end`, `f = function() … end`): its text, and whether it reads a
    # local of the code around it (a request's Redis client) other than a required module
    function: str | None = field(default=None, compare=False)
    closes_over: bool = field(default=False, compare=False)
    # a write of a value every run computes alike (a literal, `os.getenv("REDIS_HOST")`): its text
    constant: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Cosocket:
    """``kind``: tcp, udp, stream (ngx.socket.*) or the client module (resty.http, ...)."""

    kind: str
    span: Span
    host: str | None


@dataclass(frozen=True)
class PromCall:
    kind: str  # init, counter, gauge, histogram, collect, metric_data
    dict: str | None
    span: Span
    assigned_to: str | None
    top_level: bool  # run when the chunk runs, not inside a function body that may be called later


@dataclass(frozen=True)
class ApiCall:
    """A call of the ngx_lua API, named as its documentation names it: `ngx.worker.pids`, `ngx.shared.DICT.ttl`
    (a shared dict's method), `tcpsock:getfd` (a cosocket's method). ``field``: the last name as written in the call
    (`pids` of `ngx.worker.pids()`, `ttl` of `d:ttl()`), None when a local holding the function is called."""

    api: str
    span: Span
    method: bool
    field: str | None


@dataclass
class LuaFacts:
    dict_refs: list[DictRef] = field(default_factory=list)
    requires: list[Require] = field(default_factory=list)
    getenvs: list[Getenv] = field(default_factory=list)
    global_reads: list[GlobalUse] = field(default_factory=list)
    global_writes: list[GlobalUse] = field(default_factory=list)
    # Globals created through `_G` (`_G.name = v`, written on purpose), and whether some are under names only known
    # when the code runs (`_G[k] = v`)
    globals_through_g: list[str] = field(default_factory=list)
    computed_globals: bool = False
    sets_package_path: bool = False  # `package.path = …` or `package.cpath = …`: where require looks is the code's
    cosockets: list[Cosocket] = field(default_factory=list)
    prometheus: list[PromCall] = field(default_factory=list)
    api_calls: list[ApiCall] = field(default_factory=list)
    # ngx_lua API values read without being called (`if ngx.worker.pids then`, `pcall(ngx.x, ...)`): the code asks
    # whether the API exists; values only copied into a variable (`local pids = ngx.worker.pids`) are not here
    api_reads: list[str] = field(default_factory=list)
    # the nginx variables the code assigns by name (`ngx.var.backend = …`, `local var = ngx.var; var["x"] = …`),
    # and those it assigns only under a test of the same variable (`if ngx.var.x ~= nil then ngx.var.x = … end`)
    var_writes: list[GlobalUse] = field(default_factory=list)
    tested_var_writes: list[GlobalUse] = field(default_factory=list)
    shared_reads: list[SharedRead] = field(default_factory=list)
    taint: object = None  # nginxlint.lua.taint_model.TaintFacts; None when the chunk is too deep for that walk


def analyze_lua(text: str) -> LuaFacts:
    """Parse a Lua chunk (LuaSyntaxError on invalid code) and extract its facts."""
    # One pause for both steps: the AST is freed before the collector runs again, so it is never scanned.
    with collector_paused():
        return analyze_chunk(parse(text))


def analyze_chunk(chunk: ast.Chunk) -> LuaFacts:
    walker = _Walker(LineIndex(chunk.text))
    # Recursion follows only the nesting the parser caps at LuaJIT's ~200 levels (chains of operators and
    # suffixes are walked in loops). As in the parser: no cycles are made, so the cyclic GC would only rescan the AST.
    with collector_paused():
        walker.block(chunk.body)
        walker.drop_protected_requires()
        walker.facts.shared_reads = walker.order.shared_reads()
        walker.facts.taint = _taint(chunk, walker.lines)
    walker.facts.api_reads = list(dict.fromkeys(walker.facts.api_reads))
    return walker.facts


def _taint(chunk: ast.Chunk, lines: LineIndex):
    from .taint import analyze_taint

    try:
        return analyze_taint(chunk, lines)
    except Exception:  # nested deeper than its walk allows (RecursionError), or a flaw of it: the facts every
        return None  # other Lua rule needs stand without it


# ---- abstract values ---------------------------------------------------------------------------
# Plain tuples: ("path", "ngx.shared"), ("str", value), ("dict", name), ("module", name),
# ("member", module, name), ("prom", dict), ("client", module), ("socket", kind), ("file",).

_GLOBAL_PATHS = {"ngx": ("path", "ngx"), "os": ("path", "os"), "require": ("path", "require")}
_SOCKET_KINDS = {"ngx.socket.tcp": "tcp", "ngx.socket.udp": "udp", "ngx.socket.stream": "stream"}
_SOCKET_OBJECTS = {"tcp": "tcpsock", "stream": "tcpsock", "udp": "udpsock"}  # as the documentation names them
# Operators that take nil as an operand without an error, and so decide what happens when a variable is not set.
_NIL_SAFE_OPERATORS = frozenset({"or", "and", "==", "~="})
VERSION_FIELD = "ngx.config.ngx_lua_version"  # code that reads it chooses the API by the module's version


# Values a local may hold that are the same for every request: a required module, an ngx API, a shared dict, a
# literal, a local function
_SHARED_VALUES = frozenset({"module", "path", "dict", "str", "num", "function"})


class _Binding:
    __slots__ = ("value", "depth")

    def __init__(self, value, depth):
        self.value, self.depth = value, depth


def _require_tried(value) -> bool:
    """`pcall(require, "cjson")`: a require whose failure is caught."""
    return type(value) is ast.Call and ast.dotted_name(value.func) == "pcall" and bool(value.args) \
        and type(value.args[0]) is ast.Name and value.args[0].name == "require"


def _vars_tested(cond) -> list[str]:
    """The nginx variables a condition reads by name (`if ngx.var.user and …`): reading one that nothing makes gives
    nil, so what the `if` guards runs only where the config makes it."""
    found, stack = [], [cond]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Index and node.dot and type(node.obj) is ast.Index and node.obj.dot \
                and type(node.obj.obj) is ast.Name and node.obj.obj.name == "ngx" and node.obj.key.name == "var":
            found.append(node.key.name)
        elif kind is ast.BinOp:
            stack += [node.left, node.right]
        elif kind in (ast.UnOp, ast.Paren):
            stack.append(node.operand if kind is ast.UnOp else node.expr)
    return found


class _Walker(ast.BlockWalker):
    def __init__(self, lines: LineIndex):
        self.lines = lines
        self.facts = LuaFacts()
        self.scopes: dict[str, list[_Binding]] = {}
        self.globals: dict[str, tuple] = {}  # values of globals assigned earlier in this chunk
        self.depth = 0  # function nesting
        # while a function stored in a global is walked: the nesting it is defined at, and whether it has read a
        # local of the code around it that may hold a request's values
        self.closure_floor = -1
        self.upvalues = False
        self.vars_tested: list[str] = []  # nginx variables the `if` conditions around the walk test (`if ngx.var.x`)
        self.order = GlobalOrder()
        # A require under pcall is optional: its failure is caught (dkjson's `pcall(json.use_lpeg)` falls back to
        # plain Lua). The functions walked (their names), the requires each holds, and how functions are called.
        self.function_names: list[str | None] = []
        self.required_in: list[tuple[int, tuple]] = []  # (index in facts.requires, the functions around it)
        self.protected = 0  # nesting of function literals passed to pcall, and of fallbacks of a require under it
        self.require_tried: set[str] = set()  # `ok` of `local ok, json = pcall(require, "cjson")`
        self.pcalled: set[str] = set()
        self.called: set[str] = set()

    def span(self, node) -> Span:
        return self.lines.exact(node.start, node.end)

    # ---- scopes ------------------------------------------------------------------------------

    def bind(self, name: str, value, declared: list) -> None:
        self.scopes.setdefault(name, []).append(_Binding(value, self.depth))
        declared.append(name)


    def lookup(self, name: str):
        stack = self.scopes.get(name)
        return stack[-1] if stack else None

    # ---- statements --------------------------------------------------------------------------


    def s_local(self, stmt: ast.Local, declared: list) -> None:
        names = stmt.names
        values = []  # loops, not comprehensions: each nesting level must cost as few frames as possible
        for i, value in enumerate(stmt.values):
            values.append(self.copied(value, names[i].name if i < len(names) else None))
        for i, name in enumerate(names):
            self.bind(name.name, values[i] if i < len(values) else None, declared)
        if names and stmt.values and _require_tried(stmt.values[0]):
            self.require_tried.add(names[0].name)

    def s_local_function(self, stmt: ast.LocalFunction, declared: list) -> None:
        self.bind(stmt.name.name, ("function", None), declared)
        self.function_names.append(stmt.name.name)
        self.lookup(stmt.name.name).value = STILL_FUNCTION if self.function(stmt.func) else YIELDING_FUNCTION
        self.function_names.pop()

    def s_function(self, stmt: ast.FunctionStat, declared: list) -> None:
        written = len(self.facts.global_writes)
        self.store(stmt.target, None)
        self.function_names.append(ast.dotted_name(stmt.target))
        self.defined_function(stmt.func, written if len(self.facts.global_writes) > written else None)
        self.function_names.pop()

    def s_assign(self, stmt: ast.Assign, declared: list) -> None:
        targets = stmt.targets
        values = []
        functions = []  # `f = function() … end`: walked once f is stored, to mark its write
        for i, value in enumerate(stmt.values):
            if type(value) is ast.Function and i < len(targets):
                functions.append((i, value))
                values.append(None)
                continue
            values.append(self.copied(value, ast.dotted_name(targets[i]) if i < len(targets) else None))
        written = {}
        for i, target in enumerate(targets):
            before = len(self.facts.global_writes)
            self.store(target, values[i] if i < len(values) else None)
            if len(self.facts.global_writes) > before:
                written[i] = before
                if i < len(stmt.values) and self.same_for_every_run(stmt.values[i]):
                    use = self.facts.global_writes[before]
                    value = stmt.values[i]
                    self.facts.global_writes[before] = GlobalUse(use.name, use.span,
                                                                 constant=self.lines.text[value.start:value.end])
        for i, func in functions:
            self.defined_function(func, written.get(i))

    def same_for_every_run(self, expr) -> bool:
        """A value that does not depend on the request: a literal, `os.getenv("NAME")` (the worker's environment),
        `require("cjson")` (the module's one table), `tonumber`/`tostring` of one, or such values joined
        (`os.getenv("PORT") or "6379"`). Locals are not followed."""
        kind = type(expr)
        if kind in (ast.String, ast.Number):
            return True
        if kind is ast.Constant:
            return expr.value != "..."
        if kind is ast.Paren:
            return self.same_for_every_run(expr.expr)
        if kind is ast.BinOp:
            return self.same_for_every_run(expr.left) and self.same_for_every_run(expr.right)
        if kind is ast.UnOp:
            return self.same_for_every_run(expr.operand)
        if kind is not ast.Call or not expr.args:
            return False
        called = ast.dotted_name(expr.func)
        if called in ("os.getenv", "require") and self.lookup(called.split(".")[0]) is None:
            return all(type(arg) is ast.String for arg in expr.args)  # a module's table: the same, cached
        return called in ("tonumber", "tostring") and self.lookup(called) is None and \
            self.same_for_every_run(expr.args[0])

    def defined_function(self, func: ast.Function, write: int | None) -> None:
        """Walk a function stored in a global (the write at index `write`, if any), and mark the write with the
        function's text and whether it reads a local of the code around it that may hold a request's values."""
        floor, self.closure_floor = self.closure_floor, self.depth
        outer, self.upvalues = self.upvalues, False
        still = self.function(func)
        closes_over = self.upvalues
        self.closure_floor, self.upvalues = floor, outer or closes_over
        if write is not None:
            use = self.facts.global_writes[write]
            self.globals[use.name] = STILL_FUNCTION if still else YIELDING_FUNCTION
            self.facts.global_writes[write] = GlobalUse(use.name, use.span, function=self.lines.text[func.start:func.end],
                                                        closes_over=closes_over)

    def store(self, target, value) -> None:
        if type(target) is ast.Name:
            binding = self.lookup(target.name)
            if binding is not None:
                binding.value = value
            else:
                self.facts.global_writes.append(GlobalUse(target.name, self.span(target)))
                self.globals[target.name] = value
                self.order.write(target.name)
        else:  # Index: reads its object and key
            if type(target.obj) is ast.Name and target.obj.name == "_G" and self.lookup("_G") is None:
                self._store_in_globals(target)
            if type(target.obj) is ast.Name and target.obj.name == "package" and target.dot \
                    and target.key.name in ("path", "cpath") and self.lookup("package") is None:
                self.facts.sets_package_path = True
            if type(target.obj) is ast.Name:
                obj = self.e_name(target.obj, "index")  # `x.y = v` indexes x
            else:
                obj = self.expr(target.obj)
            key = ("str", target.key.name) if target.dot else self.expr(target.key)
            if obj == ("path", "ngx.var") and key is not None and key[0] == "str":
                writes = self.facts.tested_var_writes if key[1] in self.vars_tested else self.facts.var_writes
                writes.append(GlobalUse(key[1], self.span(target.key)))

    def _store_in_globals(self, target: ast.Index) -> None:
        """`_G.name = v` and `_G["name"] = v` create the global `name`; `_G[k] = v` (luafun's export of every
        function) creates globals nobody can name."""
        key = target.key
        if target.dot:
            self.facts.globals_through_g.append(key.name)
        elif type(key) is ast.String:
            self.facts.globals_through_g.append(key.value)
        else:
            self.facts.computed_globals = True

    def s_call(self, stmt: ast.CallStat, declared: list) -> None:
        self.expr(stmt.call)

    def s_do(self, stmt: ast.Do, declared: list) -> None:
        self.nested(stmt.body)

    def s_while(self, stmt: ast.While, declared: list) -> None:
        outer = self.order.enter_loop()
        self.expr(stmt.cond)
        self.block(stmt.body)
        self.order.leave_loop(outer)

    def s_repeat(self, stmt: ast.Repeat, declared: list) -> None:
        outer = self.order.enter_loop()
        inner: list = []
        for child in stmt.body:  # the condition sees the body's locals
            handler = self.STATEMENTS.get(type(child))
            if handler is not None:
                handler(self, child, inner)
        self.expr(stmt.cond)
        self.unbind(inner)
        self.order.leave_loop(outer)

    def s_if(self, stmt: ast.If, declared: list) -> None:
        branches = []
        ticks = []  # each branch's ticks: a later elseif or else runs only when it did not
        for cond, body in stmt.clauses:
            self.handles_nil(self.expr(cond))
            tested = _vars_tested(cond)
            self.vars_tested.extend(tested)
            start = self.order.tick
            # `if not ok then json = require "json" end`: the fallback of a require under pcall is optional too
            fallback = type(cond) is ast.UnOp and cond.op == "not" and type(cond.operand) is ast.Name \
                and cond.operand.name in self.require_tried
            self.protected += fallback
            branches.append(self.branch(body))
            self.protected -= fallback
            ticks.append((start, self.order.tick))
            if _ends_the_run(body):
                self.order.dead_end(start, self.order.tick)
            del self.vars_tested[len(self.vars_tested) - len(tested):]
        if stmt.orelse is not None:
            start = self.order.tick
            first = stmt.clauses[0][0]
            fallback = len(stmt.clauses) == 1 and type(first) is ast.Name and first.name in self.require_tried
            self.protected += fallback
            branches.append(self.branch(stmt.orelse))
            self.protected -= fallback
            if _ends_the_run(stmt.orelse):
                self.order.dead_end(start, self.order.tick)
            self.order.merge(branches)
        self.order.alternatives(ticks if stmt.orelse is not None else ticks[:-1])

    def branch(self, body: list) -> dict | None:
        outer = self.order.enter_block()
        self.block(body)
        return self.order.leave_branch(outer, bool(body) and type(body[-1]) in _EXITS)

    def nested(self, body: list, declared: list | None = None, loop: bool = False) -> None:
        """A block that may not run, or run again: what it writes precedes no read after it on every path."""
        outer = self.order.enter_loop() if loop else self.order.enter_block()
        self.block(body, declared)
        (self.order.leave_loop if loop else self.order.leave_block)(outer)

    def s_numeric_for(self, stmt: ast.NumericFor, declared: list) -> None:
        for part in (stmt.first, stmt.last, stmt.step):
            if part is not None:
                self.expr(part)
        inner: list = []
        self.bind(stmt.var.name, None, inner)
        self.nested(stmt.body, inner, loop=True)

    def s_generic_for(self, stmt: ast.GenericFor, declared: list) -> None:
        for part in stmt.exprs:
            self.expr(part)
        inner: list = []
        for name in stmt.names:
            self.bind(name.name, None, inner)
        self.nested(stmt.body, inner, loop=True)

    def s_return(self, stmt: ast.Return, declared: list) -> None:
        for value in stmt.values:
            self.expr(value)

    def function(self, func: ast.Function) -> bool:
        """Walk a function's body; whether it runs without any call that may yield."""
        self.depth += 1
        outer = self.order.enter_function()
        walked = self.order.function
        inner: list = []
        if func.is_method:
            self.bind("self", None, inner)
        for param in func.params:
            self.bind(param.name, None, inner)
        # self.block, inlined: a function nested in a statement is the deepest recursion the walk makes
        statements = self.STATEMENTS
        for stmt in func.body:
            handler = statements.get(type(stmt))
            if handler is not None:
                handler(self, stmt, inner)
        self.unbind(inner)
        self.order.leave_function(outer)
        self.depth -= 1
        return walked not in self.order.yields

    # ---- expressions -------------------------------------------------------------------------

    def copied(self, node, target: str | None):
        """A value assigned: a plain copy of an API function (`local pids = ngx.worker.pids`) is no read of it."""
        kind = type(node)
        if kind is ast.Name:
            value = self.e_name(node)
        elif kind in _SUFFIXES:
            value = self.suffixed(node, target)
        else:
            return self.expr(node, target)
        if value is not None and value[0] == "path" and value[1] == VERSION_FIELD:
            self.facts.api_reads.append(VERSION_FIELD)
        return value

    def expr(self, node, target: str | None = None):
        kind = type(node)
        if kind is ast.Name:
            return self.read(self.e_name(node))
        if kind in _SUFFIXES:
            return self.read(self.suffixed(node, target))
        if kind is ast.String:
            return ("str", node.value)
        if kind is ast.Paren:
            return self.expr(node.expr)
        if kind is ast.BinOp:
            # `a or b or …` and `a + b + …` nest to the left as deep as the code is long, which the parser
            # does not bound: walk that spine in a loop and recurse only into right operands.
            rights = []
            while type(node) is ast.BinOp:
                rights.append(node.right)
                innermost = node
                node = node.left
            first = len(self.facts.dict_refs)
            values = [self.expr(node)]
            self.tested(values[0], innermost)
            for right in reversed(rights):
                values.append(self.expr(right))
            if innermost.op == "or":
                self.fallbacks(first, [v[1] for v in values if v is not None and v[0] == "dict"])
        elif kind is ast.UnOp:
            negated = False
            while type(node) is ast.UnOp:
                negated = negated or node.op == "not"
                node = node.operand
            value = self.expr(node)
            if negated:
                self.handles_nil(value)
        elif kind is ast.Function:
            return STILL_FUNCTION if self.function(node) else YIELDING_FUNCTION
        elif kind is ast.Table:
            for key, value in node.items:
                if key is not None and type(key) is not ast.Name:
                    self.expr(key)
                self.expr(value)
        return None

    def tested(self, value, operation: ast.BinOp) -> None:
        """An os.getenv value as the left operand of `or`/`and` or of a comparison (`== nil`, `== "1"`, which nil
        answers with false): the code handles its nil."""
        if operation.op in _NIL_SAFE_OPERATORS:
            self.handles_nil(value)

    def checked_dict(self, name: str) -> None:
        """The code tests the dict for nil (`if not dict then return end`, `ngx.shared.x ~= nil`): it expects the
        dict may be missing, here and wherever the chunk names it."""
        refs = self.facts.dict_refs
        for index, ref in enumerate(refs):
            if ref.name == name and not ref.checked:
                refs[index] = replace(ref, checked=True)

    def fallbacks(self, first: int, names: list[str]) -> None:
        """The dict references made since `first` are alternatives of one `or`: each names the others."""
        if len(names) < 2:
            return
        refs = self.facts.dict_refs
        for index in range(first, len(refs)):
            if refs[index].name in names:
                others = tuple(name for name in names if name != refs[index].name)
                refs[index] = replace(refs[index], alternatives=others)

    def handles_nil(self, value) -> None:
        if value is not None and value[0] == "dict":
            self.checked_dict(value[1])
        if value is not None and value[0] == "getenv":
            getenvs = self.facts.getenvs
            getenvs[value[1]] = replace(getenvs[value[1]], handles_nil=True)

    def suffixed(self, node, target: str | None):
        """`a.b[c](d):e(f)…`: the base first, then each suffix on the value so far, in a loop (a chain of
        suffixes is as long as the code, like a binary chain). `target` names what the whole chain is assigned to."""
        spine, node = ast.suffix_spine(node)
        used_as = "call" if type(spine[-1]) is ast.Call else "index"  # the suffix applied to the base first
        value = self.e_name(node, used_as) if type(node) is ast.Name else self.expr(node)
        outermost = spine[0]
        for suffix in reversed(spine):
            kind = type(suffix)
            if kind is ast.Index:
                value = self.e_index(suffix, value)
            elif kind is ast.Call:
                value = self.e_call(suffix, value, target if suffix is outermost else None)
            else:
                value = self.e_method(suffix, value, target if suffix is outermost else None)
        return value

    def read(self, value):
        if value is not None and value[0] == "path" and value[1].startswith("ngx."):
            self.facts.api_reads.append(value[1])
        return value

    def e_name(self, node: ast.Name, used_as: str | None = None):
        binding = self.lookup(node.name)
        if binding is None:
            span = self.span(node)
            self.facts.global_reads.append(GlobalUse(node.name, span, used_as))
            self.order.read(node.name, span)
            value = self.globals.get(node.name)
            return value if value is not None else _GLOBAL_PATHS.get(node.name)
        value = binding.value
        if value is not None and value[0] == "dict" and self.depth > binding.depth:
            self.facts.dict_refs.append(DictRef(value[1], self.span(node), "upvalue"))
        if binding.depth <= self.closure_floor and (value is None or value[0] not in _SHARED_VALUES):
            self.upvalues = True
        return value

    def e_index(self, node: ast.Index, obj):
        if node.dot:
            key = ("str", node.key.name)
        else:
            key = self.expr(node.key)
        if obj is None:
            return None
        key_text = key[1] if key is not None and key[0] == "str" else None
        if obj[0] == "path":
            if obj[1] == "ngx.shared":
                self.facts.dict_refs.append(DictRef(key_text, self.span(node.key), self._dict_how(node, key_text)))
                return ("dict", key_text)
            if key_text is not None and obj[1].count(".") < 3:
                return ("path", obj[1] + "." + key_text)
            return None
        if obj[0] == "module" and key_text is not None:
            return ("member", obj[1], key_text)
        return None

    def _dict_how(self, node: ast.Index, key_text) -> str:
        if type(node.obj) is ast.Name and self.lookup(node.obj.name) is not None:
            return "alias"
        if node.dot:
            return "field"
        if key_text is not None and type(node.key) is not ast.String:
            return "constant"
        return "index"

    def e_call(self, node: ast.Call, func, target: str | None):
        called = ast.dotted_name(node.func)
        protecting = called in ("pcall", "xpcall") and bool(node.args)  # a local of that name copies it (dkjson)
        if protecting and type(node.args[0]) is not ast.Function:
            self.pcalled.add(ast.dotted_name(node.args[0]))
        elif called is not None:
            self.called.add(called)
        args = []
        for i, arg in enumerate(node.args):
            # only a function literal runs under pcall: `pcall(require("x").init)` requires before pcall is called
            literal = protecting and i == 0 and type(arg) is ast.Function
            self.protected += literal
            args.append(self.expr(arg))
            self.protected -= literal
        if call_may_yield(func, node.func) or protecting and call_may_yield(args[0], node.args[0]):
            self.order.call()
        if func is None:
            opened = called in _FILE_OPENERS and self.lookup("io") is None
            return ("file",) if opened else None
        if func[0] == "path":
            path = func[1]
            if path.startswith("ngx."):
                self.api_call(path, node.func, False)
            if path == "require":
                return self.require(node, args)
            if path == "os.getenv":
                name = _literal(node.args, args, 0)
                where = node.args[0] if node.args else node
                self.facts.getenvs.append(Getenv(name, self.span(where), top_level=self.depth == 0))
                return ("getenv", len(self.facts.getenvs) - 1)
            if path in _SOCKET_KINDS:
                kind = _SOCKET_KINDS[path]
                self.facts.cosockets.append(Cosocket(kind, self.span(node), None))
                return ("socket", kind)
            if path == "ngx.socket.connect":
                self.facts.cosockets.append(Cosocket("tcp", self.span(node), _literal(node.args, args, 0)))
                return ("socket", "tcp")
            return None
        if func[0] == "member":
            return self.library_call(func[1], func[2], node, node.args, args, False, target)
        return None

    def e_method(self, node: ast.MethodCall, obj, target: str | None):
        args = []
        for arg in node.args:
            args.append(self.expr(arg))
        method = node.name.name
        if method_may_yield(obj, method):
            self.order.call()
        if obj is None:
            if method in PROMETHEUS_METHODS and (
                    type(node.obj) is ast.Name and node.obj.name == PROMETHEUS_MODULE
                    and self.lookup(node.obj.name) is None
                    or type(node.obj) is ast.Index and node.obj.dot and node.obj.key.name == PROMETHEUS_MODULE):
                # the conventional global set by init() in another phase's code, or a module's field so named
                # (`metric_lib.prometheus = prometheus.init(…)`, then `metric_lib.prometheus:collect()`)
                self.facts.prometheus.append(PromCall(method, None, self.span(node), target, self.depth == 0))
            return None
        kind = obj[0]
        if kind == "dict":
            self.api_call("ngx.shared.DICT." + method, node, True)
        elif kind == "socket":
            self.api_call(f"{_SOCKET_OBJECTS[obj[1]]}:{method}", node, True)
        if kind == "module":
            return self.library_call(obj[1], method, node, node.args, args, True, target)
        if kind == "prom":
            if method in PROMETHEUS_METHODS:
                self.facts.prometheus.append(PromCall(method, obj[1], self.span(node), target, self.depth == 0))
            return None
        if kind == "client" or kind == "socket":
            self.client_method(obj, method, node, args)
        return None

    def drop_protected_requires(self) -> None:
        """Keep the requires that may raise: none under a function literal given to pcall, nor in a function this
        chunk calls only through pcall (`function json.use_lpeg() … require "lpeg" … end`, then
        `pcall(json.use_lpeg)`)."""
        optional = self.pcalled - self.called - {None}
        kept = [index for index, around in self.required_in if not optional.intersection(around)]
        if len(kept) < len(self.facts.requires):
            self.facts.requires = [self.facts.requires[index] for index in kept]

    def api_call(self, api: str, node, method: bool) -> None:
        """`node`: the function called (`ngx.worker.pids`), or the method call (`d:ttl(k)`, spanned up to its name)."""
        if method:
            span, field = self.lines.exact(node.obj.start, node.name.end), node.name.name
        else:
            span = self.span(node)
            field = node.key.name if type(node) is ast.Index and node.dot else None
        self.facts.api_calls.append(ApiCall(api, span, method, field))

    def require(self, node: ast.Call, args):
        name = _literal(node.args, args, 0)
        where = node.args[0] if node.args else node
        if not self.protected:
            self.required_in.append((len(self.facts.requires), tuple(self.function_names)))
        self.facts.requires.append(Require(name, self.span(where)))
        if name in COSOCKET_MODULES:
            self.facts.cosockets.append(Cosocket(name, self.span(where), None))
        if name == "ngx":
            return _GLOBAL_PATHS["ngx"]  # `local ngx = require "ngx"` (lua-resty-core's module): the API table itself
        return ("module", name) if name is not None else None

    def library_call(self, module, function, node, arg_nodes, args, is_method, target):
        facts = self.facts
        key = (module, function)
        spec = DICT_ARGUMENTS.get(key)
        if spec is not None:
            index = spec[1] if is_method else spec[0]
            if index is not None:
                self.dict_argument(module, node, arg_nodes, args, index)
        options = DICT_OPTIONS.get(key)
        if options is not None:
            position, paths = options
            table = arg_nodes[position] if position < len(arg_nodes) else None
            if type(table) is ast.Table:
                for path in paths:
                    value = _table_path(table, path)
                    if value is not None:
                        self.dict_value(module, value)
        if module == PROMETHEUS_MODULE and function == "init" and not is_method:
            if arg_nodes:
                name = self.dict_argument(module, node, arg_nodes, args, 0)
            else:
                name = PROMETHEUS_DEFAULT_DICT
                facts.dict_refs.append(DictRef(name, self.span(node), module))
            facts.prometheus.append(PromCall("init", name, self.span(node), target, self.depth == 0))
            return ("prom", name)
        if module == SESSION_MODULE and function in SESSION_CONFIG_FUNCTIONS and arg_nodes:
            config = arg_nodes[0]
            if type(config) is ast.Table:
                storage = config.field("storage")
                if type(storage) is ast.String and storage.value == "shm":
                    zone = _table_path(config, ("shm", "zone"))
                    if zone is not None:
                        self.dict_value(module, zone)
                    else:
                        facts.dict_refs.append(DictRef(SESSION_DEFAULT_DICT, self.span(node), module))
        if module in COSOCKET_MODULES and function == "new":
            return ("client", module)
        return None

    def dict_argument(self, how, node, arg_nodes, args, index):
        if index < len(arg_nodes):
            value = args[index]
            name = value[1] if value is not None and value[0] == "str" else None
            self.facts.dict_refs.append(DictRef(name, self.span(arg_nodes[index]), how))
            return name
        self.facts.dict_refs.append(DictRef(None, self.span(node), how))
        return None

    def dict_value(self, how, node) -> None:
        value = node.value if type(node) is ast.String else self._constant(node)
        self.facts.dict_refs.append(DictRef(value, self.span(node), how))

    def _constant(self, node):
        if type(node) is ast.Name:
            binding = self.lookup(node.name)
            if binding is not None and binding.value is not None and binding.value[0] == "str":
                return binding.value[1]
        return None

    def client_method(self, obj, method, node, args) -> None:
        kind = obj[1]
        host = None
        if method == "connect":
            if node.args and type(node.args[0]) is ast.Table:
                host_node = node.args[0].field("host")
                host = host_node.value if type(host_node) is ast.String else None
            else:
                host = _literal(node.args, args, 0)
        elif method == "request_uri" and kind == "resty.http":
            url = _literal(node.args, args, 0)
            host = _url_host(url)
        else:
            return
        self.facts.cosockets.append(Cosocket(kind, self.span(node), host))


# Lua's calls that give a file handle (`io.open(p):read("*a")`, `io.popen(cmd):read()`): its methods block the
# worker, they never yield to nginx.
_FILE_OPENERS = frozenset(("io.open", "io.popen", "io.tmpfile"))


def _literal(arg_nodes, args, index):
    if index < len(args) and args[index] is not None and args[index][0] == "str":
        return args[index][1]
    return None


def _table_path(table: ast.Table, path: tuple):
    node = table
    for name in path:
        if type(node) is not ast.Table:
            return None
        node = node.field(name)
        if node is None:
            return None
    return node


def _url_host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host or None


_SUFFIXES = frozenset((ast.Index, ast.Call, ast.MethodCall))
_EXITS = (ast.Return, ast.Break, ast.Goto)  # a block's last statement that leaves it


def _ends_the_run(body: list) -> bool:
    """The block ends the function's run: its last statement returns, or calls ngx.exit (which ends the handler in
    the phases that can yield, `if not ok then LOG(err) ngx.exit(403) end`)."""
    last = body[-1] if body else None
    return type(last) is ast.Return or type(last) is ast.CallStat and type(last.call) is ast.Call and \
        ast.dotted_name(last.call.func) == "ngx.exit"

_Walker.STATEMENTS = ast.statement_handlers(_Walker)
