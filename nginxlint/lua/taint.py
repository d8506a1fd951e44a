"""Lua taint analysis: request input (ngx.var.*, ngx.req.get_*) reaching a dangerous call.

`analyze_taint(chunk)` walks one chunk once and summarises each function: which of its parameters (and which
request input) reach which sink, which flow into calls of other modules, and what its return value carries. It
depends on the chunk's text alone, so it is cached with the other Lua facts. nginxlint.lua.taint_link then links
a unit's summaries with those of the modules it requires.

The walk is flow-sensitive where it matters for sanitising checks: each branch of an `if` runs on its own copy
of the state and the branches that fall through are merged after it, so a check that returns early
(`if not ngx.re.find(x, "^[a-z]+$", "jo") then return ngx.exit(400) end`) leaves `x` clean after the `if`.
Loops run once. What cannot be resolved (an unknown function, a dynamic key) carries no taint: findings stay
quiet rather than guess.
"""
from __future__ import annotations

from . import ast
from ..lines import LineIndex
from .taint_model import (
    BROWSER_ENCODED, CAPTURED, CLIENT_METHODS, CLIENT_MODULES, CTX, DECODERS, GLOBAL, PROPAGATE_CALLS,
    PROPAGATE_MEMBERS, PROPAGATE_METHODS, REQ_SOURCES, SANITISER_METHODS, SANITISERS, SINK_CALLS, SINK_MEMBERS,
    SOCKET_CALLS, UNREFLECTABLE, URL_ENCODED_VARS, VAR_PREFIXES, VAR_SOURCES, Call, Edge, External, Hit, Param,
    Source, Step, Summary, TaintFacts, Tainted, Use, capture_safe, safe_for,
)
from .phase_api import FIELDS, RECORDED, TABLES
from .taint_values import (
    CLEAN, EMPTY, MAX_STEPS, accepts_anything, concat, decoded, field_of, format_taint, gsub_taint, in_field, made_safe,
    union, untagged, with_step,
)

__all__ = ["analyze_taint"]


def _own_uri(node) -> bool:
    """`ngx.var.uri` itself (`ngx.exec(ngx.var.uri)` once a thumbnail is written): the location search for the
    request's own URI finds where the request already went, nothing a direct request does not reach."""
    return type(node) is ast.Index and node.dot and node.key.name in ("uri", "document_uri") and \
        type(node.obj) is ast.Index and node.obj.dot and node.obj.key.name == "var" and \
        type(node.obj.obj) is ast.Name and node.obj.obj.name == "ngx"

MISSING = object()

_GLOBALS = frozenset((
    "ngx", "os", "io", "string", "table", "math", "ndk", "require", "tonumber", "tostring", "loadstring", "load",
    "dofile", "loadfile", "pairs", "ipairs", "select", "unpack", "setmetatable", "rawget", "next", "error",
    "assert", "type", "pcall", "xpcall",
))
# Libraries whose functions are not the project's: no summary to look for.
_LIBRARY_PREFIXES = ("resty.", "cjson", "ngx.", "ndk", "prometheus", "pgmoon", "lfs", "bit", "ffi", "table.", "jit")
# Calls that end the handler: a branch ending with one does not fall through.
_EXITS = frozenset(("ngx.exit", "ngx.redirect", "ngx.exec", "error", "os.exit", "ngx.throw_error"))


def analyze_taint(chunk: ast.Chunk, lines: LineIndex) -> TaintFacts:
    walker = _Walker(lines)
    walker.run(chunk)
    return walker.result()


# ---- the walk --------------------------------------------------------------------------------------------------

# The Lua types whose values carry no text an attacker could shape.
TEXTLESS_TYPES = frozenset(("number", "boolean", "nil"))
# The response headers a browser, a cache or nginx acts on; any other (`X-Search-Key`, `search_key`) is text that
# only the reader of the response sees, whose value a request may as well choose.
ACTING_RESPONSE_HEADERS = frozenset((
    "content-type", "content-disposition", "content-language", "content-encoding", "content-length",
    "transfer-encoding", "set-cookie", "link", "refresh", "cache-control", "expires", "pragma", "vary", "etag",
    "last-modified", "age", "alt-svc", "clear-site-data", "content-security-policy",
    "content-security-policy-report-only", "strict-transport-security", "permissions-policy", "feature-policy",
    "referrer-policy", "timing-allow-origin", "www-authenticate", "proxy-authenticate", "retry-after",
    "access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-headers",
    "access-control-allow-methods", "access-control-expose-headers", "access-control-max-age",
    "cross-origin-opener-policy", "cross-origin-embedder-policy", "cross-origin-resource-policy",
    "x-frame-options", "x-content-type-options", "x-xss-protection", "x-dns-prefetch-control", "x-robots-tag",
    "x-permitted-cross-domain-policies", "x-download-options", "x-ua-compatible", "x-accel-redirect",
    "x-accel-expires", "x-accel-buffering", "x-accel-charset", "x-accel-limit-rate",
))


class _Binding:
    __slots__ = ("value", "proves", "type_of", "verifies")

    def __init__(self, value):
        self.value = value  # what the name holds when known: ("path", p), ("module", m), ("fn", Summary), ...
        self.proves = None  # `local v = T[x]`: the state key of x, one of T's keys whenever v is not nil
        self.type_of = None  # `local t = type(x)`: the state key of x, whose type t names
        # `local obj = jwt:verify(secret, token)`: the state key of token, a signed token whenever obj.verified is true
        self.verifies = None


class _Context:
    __slots__ = ("name", "params", "hits", "calls", "returns", "uses", "edges", "asks_phase", "typed",
                 "param_keys", "validates", "span")

    def __init__(self, name: str, params: tuple):
        self.name, self.params = name, params
        self.param_keys: list = []  # the parameters' bindings, in order
        self.validates: set | None = None  # params checked wherever a true value is returned; None: none returned
        self.span = ()
        self.typed: str | None = None  # the Content-Type this function's own top level set so far, a literal
        self.hits: list = []
        self.calls: list = []
        self.returns = None
        self.uses: list = []  # restricted ngx_lua APIs, for the phase rules
        self.edges: list = []  # code this function runs, for the phase rules
        self.asks_phase = False

    def summary(self) -> Summary:
        return Summary(self.name, self.params, tuple(self.hits), tuple(self.calls), self.returns or (),
                       tuple(self.uses), tuple(self.edges), self.asks_phase, frozenset(self.validates or ()),
                       self.span)


class _Walker(ast.BlockWalker):
    def __init__(self, lines: LineIndex):
        self.lines = lines
        self.scopes: dict[str, list[_Binding]] = {}
        self.globals: dict[str, _Binding] = {}
        self.state: dict = {}  # binding | (binding, field) | ("var", name) -> taint (None: clean)
        self.logs: list[dict] = []  # open branches: key -> value before the branch first wrote it
        self.ctx = _Context("main chunk", ())
        self.summaries: list[Summary] = []
        self.tables: list[dict] = []  # fields of tables bound to locals of the main body
        self.exports: dict | None = None
        self.depth = 0
        self.overridden: set = set()  # bindings with a field whose taint differs from the table's: (binding, key)
        self.global_defs: dict = {}  # globals the main body sets, and their values
        self.ctx_writes: dict = {}  # ngx.ctx field -> taint stored there anywhere in the chunk
        self.content_types: list = []  # what the chunk assigns to ngx.header.content_type (None: not a literal)
        self.invoked = None  # how the function value being invoked runs: "timer", "protected" (pcall) or None
        self.fallback = 0  # inside the right operand of `a or b`: its API uses may never run, so none is recorded
        self.patterns: dict = {}  # (pattern, options) -> what each capture of an ngx.re pattern is safe for

    def span(self, node):
        return self.lines.exact(node.start, node.end)

    def run(self, chunk: ast.Chunk) -> None:
        self.block(chunk.body)

    def result(self) -> TaintFacts:
        self.summaries.append(self.ctx.summary())
        exports = self.exports
        if exports is None:  # no `return <table>`: every function stored in a table of the main body
            exports = {}
            for fields in self.tables:
                for key, (value, _) in fields.items():
                    if value is not None and value[0] == "fn":
                        exports.setdefault(key, value[1])
        ctx = {}
        for key, taint in self.ctx_writes.items():
            kept = tuple(t for t in taint if type(t.origin) is not Param)  # a parameter: unknown here
            if kept:
                ctx[key] = kept
        return TaintFacts(tuple(self.summaries), exports, self.exported_globals(), ctx, tuple(self.content_types))

    def exported_globals(self) -> dict:
        out: dict = {}
        for name, value in self.global_defs.items():
            kind = value[0]
            if kind == "module":
                out[name] = value
            elif kind == "fn":
                out[name] = value[1]
            elif kind == "table":
                members = {k: v[0][1] for k, v in value[1].items() if v[0] is not None and v[0][0] == "fn"}
                if members:
                    out[name] = members
        return out

    # ---- state -----------------------------------------------------------------------------------------------

    def write(self, key, value) -> None:
        state = self.state
        if self.logs:
            log = self.logs[-1]
            if key not in log:
                log[key] = state.get(key, MISSING)
        if value is MISSING:
            state.pop(key, None)
        else:
            state[key] = value

    def branch(self, run, *args) -> dict:
        """Run `run(*args)` on a copy of the state: returns what it changed, and puts the state back."""
        log: dict = {}
        self.logs.append(log)
        run(*args)
        self.logs.pop()
        state = self.state
        outcome = {}
        for key, old in log.items():
            outcome[key] = state.get(key, MISSING)
            if old is MISSING:
                state.pop(key, None)
            else:
                state[key] = old
        return outcome

    def merge(self, outcomes: list) -> None:
        """The state after branches: each key holds what any branch that falls through left in it."""
        keys: dict = {}
        for outcome in outcomes:
            keys.update(dict.fromkeys(outcome))
        state = self.state
        for key in keys:
            current = state.get(key, MISSING)
            merged = None
            for outcome in outcomes:
                value = outcome.get(key, current)
                if value is MISSING:
                    merged = MISSING
                    break
                merged = union(merged, value)
            if merged is not current:
                self.write(key, merged)

    # ---- scopes ----------------------------------------------------------------------------------------------

    def bind(self, name: str, value, taint, declared: list) -> _Binding:
        binding = _Binding(value)
        self.scopes.setdefault(name, []).append(binding)
        declared.append(name)
        if taint:  # a new binding has no state yet: nothing to write (or undo) when it is clean
            self.write(binding, taint)
        if value is not None and value[0] == "table" and self.depth == 0:
            self.tables.append(value[1])
        return binding


    def lookup(self, name: str):
        stack = self.scopes.get(name)
        if stack:
            return stack[-1]
        return self.globals.get(name)

    # ---- statements ------------------------------------------------------------------------------------------


    def s_local(self, stmt: ast.Local, declared: list) -> None:
        names = stmt.names
        results = []
        for i, node in enumerate(stmt.values):
            if type(node) is ast.Function and i < len(names):
                results.append((("fn", self.function(node, names[i].name)), None))
            else:
                results.append(self.expr(node))
        single = len(names) == 1 and len(stmt.values) == 1
        proves = (self.table_lookup(stmt.values[0]) or self.validated_first(stmt.values[0])) if single else None
        type_of = self.type_call(stmt.values[0]) if single else None
        verifies = self.verified_token(stmt.values[0]) if single else None
        for i, name in enumerate(names):
            value, taint = results[i] if i < len(results) else CLEAN
            if taint:
                taint = with_step(taint, Step(self.span(name), f"stored in `{name.name}`"))
            binding = self.bind(name.name, value, taint, declared)
            binding.proves, binding.type_of, binding.verifies = proves, type_of, verifies

    def s_local_function(self, stmt: ast.LocalFunction, declared: list) -> None:
        binding = self.bind(stmt.name.name, None, None, declared)
        binding.value = ("fn", self.function(stmt.func, stmt.name.name))

    def s_function(self, stmt: ast.FunctionStat, declared: list) -> None:
        name = ast.dotted_name(stmt.target) or "function"
        if stmt.func.is_method and type(stmt.target) is ast.Index:
            name = f"{ast.dotted_name(stmt.target.obj)}:{stmt.target.key.name}"
        self.store(stmt.target, (("fn", self.function(stmt.func, name)), None))

    def s_assign(self, stmt: ast.Assign, declared: list) -> None:
        targets = stmt.targets
        results = []
        for i, node in enumerate(stmt.values):
            if type(node) is ast.Function and i < len(targets):
                results.append((("fn", self.function(node, ast.dotted_name(targets[i]) or "function")), None))
            else:
                results.append(self.expr(node))
        for i, target in enumerate(targets):
            self.store(target, results[i] if i < len(results) else CLEAN, stmt.values[i] if i < len(stmt.values)
                       else None)

    def store(self, target, result, value_node=None) -> None:
        value, taint = result
        if type(target) is ast.Name:
            if taint:
                taint = with_step(taint, Step(self.span(target), f"stored in `{target.name}`"))
            binding = self.lookup(target.name)
            if binding is None:
                binding = self.globals[target.name] = _Binding(value)
            else:
                binding.value = value
            binding.proves = self.table_lookup(value_node) if value_node is not None else None
            binding.verifies = self.verified_token(value_node) if value_node is not None else None
            self.write(binding, taint)
            if self.depth == 0 and value is not None and binding is self.globals.get(target.name):
                self.global_defs[target.name] = value
            return
        obj, _ = self.expr(target.obj)
        if target.dot:
            key = target.key.name
        else:
            key_value, _ = self.expr(target.key)
            key = key_value[1] if key_value is not None and key_value[0] == "str" else None
        if obj is not None and obj[0] == "path":
            self.field_use(obj[1], key, target)
        if obj is not None and obj[0] == "path" and obj[1] == CTX and key is not None:
            if taint:
                taint = with_step(taint, Step(self.span(target), f"stored in `ngx.ctx.{key}`"))
                self.ctx_writes[key] = union(self.ctx_writes.get(key), taint)
            self.write(("ctx", key), taint)
            return
        if obj is not None and obj[0] == "path" and obj[1] == "ngx.header":
            if key is not None and key.lower().replace("-", "_") == "content_type":
                literal = value is not None and value[0] == "str" and self.depth == 0 and not self.logs
                self.content_types.append(value[1] if literal else None)
                unconditional = len(self.logs) == self.depth  # at its function's top, in no branch
                self.ctx.typed = value[1] if unconditional and value is not None and value[0] == "str" else None
            if taint and value_node is not None:
                if key is not None and key.lower() == "location":  # a redirect by hand
                    self.hit("redirect", f'the response header "{key}" (ngx.header)', value_node, taint)
                elif key is None or key.lower().replace("_", "-") in ACTING_RESPONSE_HEADERS:
                    name = f'"{key}"' if key is not None else "(computed name)"
                    self.hit("header", f"the response header {name} (ngx.header)", value_node, taint)
            return
        base = self.lookup(target.obj.name) if type(target.obj) is ast.Name else None
        if obj is not None and obj[0] == "table" and key is not None:
            obj[1][key] = result
        if base is not None:
            if key is not None and (taint or self.state.get(base) or base in self.overridden):
                self.overridden.add(base)
                self.write((base, key), taint)
            if taint:
                self.write(base, union(self.state.get(base), in_field(taint, key)))

    def s_call(self, stmt: ast.CallStat, declared: list) -> None:
        self.expr(stmt.call)

    def s_do(self, stmt: ast.Do, declared: list) -> None:
        self.block(stmt.body)

    def s_while(self, stmt: ast.While, declared: list) -> None:
        self.expr(stmt.cond)
        self.merge([self.branch(self.block, stmt.body)])

    def s_repeat(self, stmt: ast.Repeat, declared: list) -> None:
        inner: list = []  # the body runs at least once: no branch
        for child in stmt.body:  # the condition sees the body's locals
            handler = self.STATEMENTS.get(type(child))
            if handler is not None:
                handler(self, child, inner)
        self.expr(stmt.cond)
        self.unbind(inner)

    def s_if(self, stmt: ast.If, declared: list) -> None:
        outcomes = []
        chain: dict = {}  # what the conditions found false so far made clean
        self.logs.append(chain)
        for cond, body in stmt.clauses:
            self.expr(cond)
            when_true, when_false = self.guard(cond)
            before = {key: self.state.get(key, MISSING) for key in chain}
            outcome = self.branch(self._clause, when_true, body)
            if not _terminates(body):
                outcomes.append({**before, **outcome})
            for key in when_false:
                self.write(key, None)
        before = {key: self.state.get(key, MISSING) for key in chain}
        if stmt.orelse is not None:
            outcome = self.branch(self.block, stmt.orelse)
            if not _terminates(stmt.orelse):
                outcomes.append({**before, **outcome})
        else:
            outcomes.append(before)
        self.logs.pop()
        for key, old in chain.items():
            if old is MISSING:
                self.state.pop(key, None)
            else:
                self.state[key] = old
        if outcomes:  # else nothing after the `if` runs
            self.merge(outcomes)

    def _clause(self, when_true, body) -> None:
        for key in when_true:
            self.write(key, None)
        self.block(body)

    def s_numeric_for(self, stmt: ast.NumericFor, declared: list) -> None:
        for part in (stmt.first, stmt.last, stmt.step):
            if part is not None:
                self.expr(part)

        def body():
            inner: list = []
            self.bind(stmt.var.name, None, None, inner)
            self.block(stmt.body, inner)

        self.merge([self.branch(body)])

    def s_generic_for(self, stmt: ast.GenericFor, declared: list) -> None:
        taint = value = None
        for i, part in enumerate(stmt.exprs):
            part_value, part_taint = self.expr(part)
            if i == 0:
                value, taint = part_value, part_taint
        # `for m in ngx.re.gmatch(s, p)`: each m is a match of p
        first = ("match", value[1]) if value is not None and value[0] == "matches" else None

        def body():
            inner: list = []
            for i, name in enumerate(stmt.names):
                step = Step(self.span(name), f"iterated as `{name.name}`")
                self.bind(name.name, first if i == 0 else None, with_step(untagged(taint), step) if taint else None,
                          inner)
            self.block(stmt.body, inner)

        self.merge([self.branch(body)])

    def s_return(self, stmt: ast.Return, declared: list) -> None:
        first = None
        for i, node in enumerate(stmt.values):
            result = self.expr(node)
            if i == 0:
                first = result
        ctx = self.ctx
        if self.depth and ctx.param_keys and stmt.values and not _is_falsy(stmt.values[0]):
            proven = self.guard(stmt.values[0])[0]
            checked = {i for i, key in enumerate(ctx.param_keys) if key in proven or self.state.get(key) is None}
            ctx.validates = checked if ctx.validates is None else ctx.validates & checked
        if first is None:
            return
        value, taint = first
        if taint:
            ctx.returns = union(ctx.returns, taint)
        if self.depth == 0 and value is not None and value[0] == "table":
            self.exports = {k: v[0][1] for k, v in value[1].items() if v[0] is not None and v[0][0] == "fn"}

    def function(self, func: ast.Function, name: str) -> Summary:
        outer = self.ctx
        params = (("self",) if func.is_method else ()) + tuple(p.name for p in func.params)
        ctx = self.ctx = _Context(name, params)
        ctx.span = self.span(func)
        self.depth += 1
        log: dict = {}
        self.logs.append(log)  # what the body writes to the enclosing state is undone: it runs later, if ever
        inner: list = []
        for index, param in enumerate(params):
            ctx.param_keys.append(self.bind(param, None, (Tainted(Param(index), (), EMPTY),), inner))
        statements = self.STATEMENTS
        for stmt in func.body:
            handler = statements.get(type(stmt))
            if handler is not None:
                handler(self, stmt, inner)
        self.unbind(inner)
        self.logs.pop()
        for key, old in log.items():
            if old is MISSING:
                self.state.pop(key, None)
            else:
                self.state[key] = old
        self.depth -= 1
        self.ctx = outer
        summary = ctx.summary()
        self.summaries.append(summary)
        return summary

    # ---- guards ----------------------------------------------------------------------------------------------

    def guard(self, cond) -> tuple[list, list]:
        """State keys a condition proves clean: (when it is true, when it is false)."""
        kind = type(cond)
        if kind is ast.Paren:
            return self.guard(cond.expr)
        if kind is ast.UnOp and cond.op == "not":
            when_true, when_false = self.guard(cond.operand)
            return when_false, when_true
        if kind is ast.BinOp:
            op = cond.op
            if op in ("==", "~="):
                if type(cond.right) is ast.Constant and cond.right.value == "nil" and (type(cond.left) in (
                        ast.Call, ast.MethodCall) or self.proof(cond.left) is not None):
                    when_true, when_false = self.guard(cond.left)  # `f(x) == nil` is `not f(x)`
                    return (when_false, when_true) if op == "==" else (when_true, when_false)
                typed = self.typed_key(cond.left, cond.right) or self.typed_key(cond.right, cond.left)
                if typed is not None:  # `type(x) == "number"`: x holds no text
                    return ([typed], []) if op == "==" else ([], [typed])
                key = self.target_key(cond.left) if _is_constant(cond.right) else (
                    self.target_key(cond.right) if _is_constant(cond.left) else None)
                if key is None:
                    return [], []
                return ([key], []) if op == "==" else ([], [key])
            if op == "and":
                left, right = self.guard(cond.left), self.guard(cond.right)
                return left[0] + right[0], [k for k in left[1] if k in right[1]]
            if op == "or":
                left, right = self.guard(cond.left), self.guard(cond.right)
                return [k for k in left[0] if k in right[0]], left[1] + right[1]
            return [], []
        if kind is ast.Call:
            path = self.path_of(cond.func)
            args = cond.args
            if path == "tonumber" and args:
                key = self.target_key(args[0])
                return ([key] if key is not None else []), []
            if path in ("ngx.re.find", "ngx.re.match", "string.find", "string.match") and len(args) >= 2:
                key = self.target_key(args[0])
                extended = path.startswith("ngx.re.") and len(args) >= 3 and "x" in self.literal(args[2])
                if key is not None and self.strict_pattern(args[1], extended):
                    return [key], []
                return [], []
            return self.validated(cond), []
        if kind is ast.MethodCall and cond.name.name in ("find", "match") and cond.args:
            key = self.target_key(cond.obj)
            if key is not None and self.strict_pattern(cond.args[0]):
                return [key], []
            return [], []
        if kind is ast.Index:  # an allowlist: ALLOWED[x]; a JWT's verification: obj.verified
            key = self.table_lookup(cond) or self.verification(cond)
            return ([key] if key is not None else []), []
        proof = self.proof(cond)  # `local v = ALLOWED[x]`, then `if v then`
        return ([proof] if proof is not None else []), []

    def validated(self, call: ast.Call) -> list:
        """`check(x)`, `M.check(x)`: the state keys of the arguments a function of this chunk checks (see
        Summary.validates) when it returns a true value."""
        func = call.func
        value = None
        if type(func) is ast.Name:
            binding = self.lookup(func.name)
            value = binding.value if binding is not None else None
        elif type(func) is ast.Index and func.dot and type(func.obj) is ast.Name:
            table = self.lookup(func.obj.name)
            if table is not None and table.value is not None and table.value[0] == "table":
                value = table.value[1].get(func.key.name, (None,))[0]
        if value is None or value[0] != "fn":
            return []
        keys = (self.target_key(call.args[i]) for i in value[1].validates if i < len(call.args))
        return [key for key in keys if key is not None]

    def validated_first(self, node):
        """`local ok = check(x)`: the state key of x, clean whenever ok is true."""
        keys = self.validated(node) if type(node) is ast.Call else []
        return keys[0] if keys else None

    def type_call(self, node):
        """`type(x)`: the state key of x."""
        if type(node) is ast.Call and self.path_of(node.func) == "type" and node.args:
            return self.target_key(node.args[0])
        return None

    def typed_key(self, side, other):
        """The state key of x when `side` is `type(x)` (or a local holding it) and `other` names a type that holds
        no text: number, boolean, nil."""
        if type(other) is not ast.String or other.value not in TEXTLESS_TYPES:
            return None
        if type(side) is ast.Name:
            binding = self.lookup(side.name)
            return binding.type_of if binding is not None else None
        return self.type_call(side)

    def proof(self, node):
        """The state key a local proves clean when it is not nil (see _Binding.proves)."""
        if type(node) is ast.Name:
            binding = self.lookup(node.name)
            if binding is not None:
                return binding.proves
        return None

    def verified_token(self, node):
        """`jwt:verify(secret, token, …)` of lua-resty-jwt (a module whose name says jwt): the state key of token."""
        if type(node) is not ast.MethodCall or node.name.name != "verify" or len(node.args) < 2 \
                or type(node.obj) is not ast.Name:
            return None
        module = self.lookup(node.obj.name)
        value = module.value if module is not None else None
        if value is None or value[0] != "module" or "jwt" not in str(value[1]).lower():
            return None
        return self.target_key(node.args[1])

    def verification(self, node):
        """`obj.verified` (or `obj["verified"]`) of a verification result: the state key of the token it checked,
        a signed token, not text of the client's choosing, when the field is true."""
        key = node.key.name if node.dot else (node.key.value if type(node.key) is ast.String else None)
        if key != "verified" or type(node.obj) is not ast.Name:
            return None
        binding = self.lookup(node.obj.name)
        return binding.verifies if binding is not None else None

    def table_lookup(self, node):
        """`T[x]` with T a local table constructor: the state key of x, which is one of T's keys when the
        lookup finds something."""
        if type(node) is ast.Index and not node.dot and type(node.obj) is ast.Name:
            table = self.lookup(node.obj.name)
            if table is not None and table.value is not None and table.value[0] == "table":
                return self.target_key(node.key)
        return None

    def target_key(self, node):
        """The state key of a checked value: a local, a constant field of a local, or ngx.var.<name>."""
        kind = type(node)
        if kind is ast.Paren:
            return self.target_key(node.expr)
        if kind is ast.BinOp and node.op == "or" and _is_constant(node.right):
            return self.target_key(node.left)  # `x or ""` passes a check only when x does, or x is nil
        if kind is ast.Name:
            return self.lookup(node.name)
        if kind is ast.Index:
            key = node.key.name if node.dot else (node.key.value if type(node.key) is ast.String else None)
            if key is None:
                return None
            if type(node.obj) is ast.Name:
                base = self.lookup(node.obj.name)
                if base is not None:
                    self.overridden.add(base)
                    return (base, key)
            if self.path_of(node.obj) == "ngx.var":
                return ("var", key)
        return None

    def literal(self, node) -> str:
        """The text of a string literal or of a local bound to one, else ""."""
        if type(node) is ast.String:
            return node.value
        if type(node) is ast.Name:
            binding = self.lookup(node.name)
            if binding is not None and binding.value is not None and binding.value[0] == "str":
                return binding.value[1]
        return ""

    def strict_pattern(self, node, extended: bool = False) -> bool:
        """A literal pattern anchored at both ends that does not accept any character: a whole-value check.
        `extended`: PCRE's x option, under which white space and # comments are not part of the pattern."""
        pattern = self.literal(node)
        if extended:
            pattern = _without_extended_noise(pattern)
        if not pattern:
            return False
        anchored = pattern.startswith(("^", "\\A")) and pattern.endswith(("$", "\\z", "\\Z"))
        return anchored and not accepts_anything(pattern)

    def captures(self, args):
        """What each capture of a literal ngx.re pattern is safe for, by number ("1") and by name; None when the
        pattern is not a literal or nginx would refuse it."""
        pattern = self.literal(args[1])
        if not pattern:
            return None
        options = self.literal(args[2]) if len(args) > 2 else ""
        known = self.patterns.get((pattern, options), MISSING)
        if known is not MISSING:
            return known
        from ..regex.facts import compute_facts  # the regex grammar, only for code that has such a pattern

        flags = "".join(f for f in "xs" if f in options)  # white space and comments; `.` takes a line break
        facts = compute_facts(("1" if "i" in options else "0") + (f"(?{flags})" if flags else "") + pattern)
        captures = None
        if facts.error is None and facts.captures:
            captures = {str(c.number): capture_safe(c.mask) for c in facts.captures}
            for name, number in facts.names:
                captures[name] = captures[str(number)]
        self.patterns[(pattern, options)] = captures
        return captures

    def path_of(self, node):
        """The global path an expression names (ngx.re.find), resolving locals that alias one."""
        parts = []
        while type(node) is ast.Index and node.dot:
            parts.append(node.key.name)
            node = node.obj
        if type(node) is not ast.Name:
            return None
        binding = self.lookup(node.name)
        if binding is None:
            if node.name not in _GLOBALS:
                return None
            base = node.name
        elif binding.value is not None and binding.value[0] == "path":
            base = binding.value[1]
        else:
            return None
        return ".".join((base, *reversed(parts))) if parts else base

    # ---- expressions -----------------------------------------------------------------------------------------

    def expr(self, node):
        kind = type(node)
        if kind is ast.Name:
            binding = self.lookup(node.name)
            if binding is None:
                return (("path" if node.name in _GLOBALS else "global", node.name), None)
            return binding.value, self.state.get(binding)
        if kind in _SUFFIXES:
            return self.suffixed(node)
        if kind is ast.String:
            return ("str", node.value), None
        if kind is ast.Number or kind is ast.Constant:
            return CLEAN
        if kind is ast.Paren:
            return self.expr(node.expr)
        if kind is ast.BinOp:
            return self.binop(node)
        if kind is ast.UnOp:
            while type(node) is ast.UnOp:
                node = node.operand
            self.expr(node)
            return CLEAN
        if kind is ast.Function:
            return ("fn", self.function(node, "function")), None
        if kind is ast.Table:
            return self.table(node)
        return CLEAN

    def table(self, node: ast.Table):
        fields: dict = {}
        taint = None
        for key, value in node.items:
            if key is not None and type(key) is not ast.Name:
                self.expr(key)
            if type(value) is ast.Function and type(key) is ast.Name:
                result = (("fn", self.function(value, key.name)), None)
            else:
                result = self.expr(value)
            name = key.name if type(key) is ast.Name else key.value if type(key) is ast.String else None
            if name is not None:
                fields[name] = result
            if result[1]:
                taint = union(taint, in_field(result[1], name))
        return ("table", fields), taint

    def binop(self, node):
        """A tree of binary operators, in post-order without recursion on its spine (`..` chains nest to the
        right as deep as the code is long). A `..` chain is taken whole: what may follow what depends on all
        that comes before it."""
        left, right = node.left, node.right
        if type(left) is not ast.BinOp and type(right) is not ast.BinOp:  # most operators: no stack needed
            left = self.expr(left)
            if node.op == "or":  # `os.getenv("HOST") or ngx.var.host`: a fallback, run only when needed
                self.fallback += 1
                right = self.expr(right)
                self.fallback -= 1
            else:
                right = self.expr(right)
            return concat((left, right)) if node.op == ".." else _combine(node.op, left, right)
        stack = [(node, None)]
        results = []
        while stack:
            current, ready = stack.pop()
            if ready is None:
                if type(current) is not ast.BinOp:
                    results.append(self.expr(current))
                elif current.op == "..":
                    operands = _concat_operands(current)
                    stack.append((current, len(operands)))
                    stack.extend((operand, None) for operand in reversed(operands))
                else:
                    stack.append((current, "binary"))
                    stack.append((current.right, None))
                    stack.append((current.left, None))
            elif ready == "binary":
                right = results.pop()
                left = results.pop()
                results.append(_combine(current.op, left, right))
            else:
                parts = results[-ready:]
                del results[-ready:]
                results.append(concat(parts))
        return results[0]

    def suffixed(self, node):
        spine, node = ast.suffix_spine(node)
        result = self.expr(node)
        for suffix in reversed(spine):
            kind = type(suffix)
            if kind is ast.Index:
                result = self.index(suffix, result)
            elif kind is ast.Call:
                result = self.call(suffix, result)
            else:
                result = self.method(suffix, result)
        return result

    def index(self, node: ast.Index, result):
        obj, taint = result
        if node.dot:
            key = node.key.name
        else:
            key_value, _ = self.expr(node.key)
            key = key_value[1] if key_value is not None and key_value[0] == "str" else None
            if key is None and type(node.key) is ast.Number:
                key = node.key.raw
        if obj is not None:
            kind = obj[0]
            if kind == "path":
                path = obj[1]
                self.field_use(path, key, node)
                if path == "ngx.var":  # $is_args is "?" when a query string follows, else empty, as that string is
                    return (_QUERY_MARK if key == "is_args" else None), self.var_source(node, key)
                if path == CTX and key is not None:
                    known = self.state.get(("ctx", key), MISSING)
                    if known is not MISSING:
                        return None, known
                    return None, (Tainted(External(CTX, key, self.span(node), ()), (), EMPTY),)
                if key is None:
                    return CLEAN
                return ("path", f"{path}.{key}") if path.count(".") < 3 else None, None
            if kind == "module" and key is not None:
                return ("member", obj[1], key), None
            if kind == "global":
                return (("member", GLOBAL + obj[1], key) if key is not None else None), None
            if kind == "match" and key is not None:
                return None, _captured(taint, obj[1].get(key, EMPTY)) if taint else None
            if kind == "table" and key is not None and key in obj[1]:
                value, field_taint = obj[1][key]
                taint = field_taint
                obj = value
            else:
                obj = None
        if self.overridden and key is not None and type(node.obj) is ast.Name:
            base = self.lookup(node.obj.name)
            if base in self.overridden:
                known = self.state.get((base, key), MISSING)
                if known is not MISSING:
                    return obj, known
        if not taint:
            return obj, None
        return obj, field_of(taint, key)

    def field_use(self, path: str, key, node) -> None:
        """`ngx.var.x`, `ngx.header[h]`, `ngx.arg[1]` (the table is the API) or `ngx.status`, `ngx.ctx` (the field)."""
        if self.fallback:
            return
        if path in TABLES:
            self.ctx.uses.append(Use(path, self.span(node)))
        elif path == "ngx" and key is not None and "ngx." + key in FIELDS:
            self.ctx.uses.append(Use("ngx." + key, self.span(node)))

    def var_source(self, node: ast.Index, key):
        if key is None:
            return None
        known = self.state.get(("var", key), MISSING)
        if known is not MISSING:
            return known
        what = VAR_SOURCES.get(key)
        name = None
        if what is None:
            for prefix, kind in VAR_PREFIXES:
                if key.startswith(prefix) and len(key) > len(prefix):
                    what, name = kind, key[len(prefix):]
                    break
            else:
                if key.isdigit():
                    what, name = "capture", key
                else:
                    return None
        api = f"ngx.var.{key}" if key.isidentifier() else f'ngx.var["{key}"]'
        safe = UNREFLECTABLE.get(what, EMPTY) | (BROWSER_ENCODED if what in URL_ENCODED_VARS else EMPTY)
        return (Tainted(Source(api, what, name, self.span(node)), (), safe),)

    def args(self, nodes):
        results = []
        for arg in nodes:
            results.append(self.expr(arg))
        return results

    def call(self, node: ast.Call, result):
        func, _ = result
        args = self.args(node.args)
        if func is None:
            return CLEAN
        kind = func[0]
        if kind == "path":
            return self.global_call(func[1], node, args)
        if kind == "member":
            return self.member_call(func[1], func[2], node, node.args, args, False)
        if kind == "fn":
            return self.local_call(func[1], node, node.args, args, None)
        if kind == "global":
            return self.member_call(GLOBAL, func[1], node, node.args, args, False)
        return CLEAN

    def method(self, node: ast.MethodCall, result):
        obj, taint = result
        args = self.args(node.args)
        name = node.name.name
        if obj is not None:
            kind = obj[0]
            if kind == "module" or kind == "instance":
                return self.member_call(obj[1], name, node, node.args, args, True)
            if kind == "global":
                return self.member_call(GLOBAL + obj[1], name, node, node.args, args, True)
            if kind in ("db", "http", "socket"):
                sink = CLIENT_METHODS.get((kind, name))
                if sink is not None and node.args:
                    arg, taint = node.args[0], args[0][1]
                    if type(arg) is ast.Table and arg.field("host") is not None:  # connect({ host = ... })
                        arg = arg.field("host")
                        taint = self.expr(arg)[1]
                    if taint:
                        self.hit(sink, f"{ast.dotted_name(node.obj) or kind}:{name}", arg, taint)
                elif name in SANITISER_METHODS and args and args[0][1]:
                    return None, made_safe(args[0][1], SANITISER_METHODS[name])
                return CLEAN
            if kind == "table":
                field = obj[1].get(name)
                if field is not None and field[0] is not None and field[0][0] == "fn":
                    return self.local_call(field[0][1], node, node.args, args, result)
            if kind == "str" and name == "format":
                return None, format_taint(obj[1], args)
        if taint and name in PROPAGATE_METHODS:
            if name == "format":
                return None, union(taint, format_taint(None, args))
            if name == "gsub" and args:
                return None, gsub_taint(taint, args)
            return None, taint
        return CLEAN

    def global_call(self, path: str, node, args):
        if path in RECORDED and not self.fallback:
            self.ctx.uses.append(Use(path, self.callee_span(node)))
        elif path == "ngx.get_phase":
            self.ctx.asks_phase = True
        source = REQ_SOURCES.get(path)
        if source is not None:
            what = source[0]
            return None, (Tainted(Source(path, what, None, self.span(node)), (), UNREFLECTABLE.get(what, EMPTY)),)
        if path == "require":
            module = args[0][0] if args else None
            if module is not None and module[0] == "str":
                if module[1] == "ngx":
                    return ("path", "ngx"), None  # `local ngx = require "ngx"`: the API table itself
                self.ctx.edges.append(Edge("require", self.span(node), module=module[1]))
                return ("module", module[1]), None
            return CLEAN
        sink = SINK_CALLS.get(path)
        if sink is not None:
            kind, indexes = sink
            for i in (range(len(args)) if indexes is None else indexes):
                if i < len(args) and args[i][1] and not (kind == "subrequest" and _own_uri(node.args[i])):
                    self.hit(kind, path, node.args[i], args[i][1])
        elif path == "ngx.location.capture_multi" and node.args:
            self.capture_multi(node.args[0], args[0])
        if path in SOCKET_CALLS:
            return (SOCKET_CALLS[path], path), None
        if path in SANITISERS:
            kinds = SANITISERS[path]
            if kinds is None or not args or not args[0][1]:
                return CLEAN
            return None, made_safe(args[0][1], kinds)
        if path in ("ngx.re.match", "ngx.re.gmatch") and len(args) > 1 and args[0][1]:
            captures = self.captures(node.args)
            if captures is not None:
                if path == "ngx.re.match" and len(node.args) > 4 and type(node.args[4]) is ast.Name:
                    res = self.lookup(node.args[4].name)  # the table the captures are written to
                    if res is not None:
                        res.value = ("match", captures)
                        self.write(res, args[0][1])
                return ("match" if path == "ngx.re.match" else "matches", captures), args[0][1]
        if path in ("string.gsub", "ngx.re.gsub") and len(args) > 1:
            return None, gsub_taint(args[0][1], args[1:])
        spread = PROPAGATE_CALLS.get(path, MISSING)
        if spread is not MISSING:
            taint = None
            for i in (range(len(args)) if spread is None else spread):
                if i < len(args):
                    taint = union(taint, args[i][1])
            return None, decoded(untagged(taint)) if path in DECODERS else untagged(taint)
        if path == "string.format" and args:
            value = args[0][0]
            return None, union(args[0][1], format_taint(value[1] if value and value[0] == "str" else None,
                                                        args[1:]))
        if path == "table.insert" and len(args) >= 2 and type(node.args[0]) is ast.Name:
            binding = self.lookup(node.args[0].name)
            if binding is not None and args[-1][1]:
                self.write(binding, union(self.state.get(binding), args[-1][1]))
            return CLEAN
        if path in ("pairs", "ipairs", "setmetatable") and args:
            return args[0]
        if path in ("pcall", "xpcall") and args:  # runs its function; the result comes second, as an error or not
            skip = 2 if path == "xpcall" else 1
            self.invoke(args[0][0], node, node.args[skip:], args[skip:], "protected")
        elif path in ("ngx.timer.at", "ngx.timer.every") and len(args) > 1:  # fn(premature, ...) later
            self.invoke(args[1][0], node, [node, *node.args[2:]], [CLEAN, *args[2:]], "timer")
        return CLEAN

    def invoke(self, func, node, arg_nodes, args, how):
        """A call of a function value passed to another function (pcall, ngx.timer.at)."""
        if func is None:
            return CLEAN
        outer, self.invoked = self.invoked, how
        try:
            if func[0] == "fn":
                return self.local_call(func[1], node, arg_nodes, args, None)
            if func[0] == "member":
                return self.member_call(func[1], func[2], node, arg_nodes, args, False)
            return CLEAN
        finally:
            self.invoked = outer

    def edge(self, kind: str, node, **target) -> None:
        """Code this call runs, unless it runs under pcall (an error there is caught: no phase failure)."""
        how, self.invoked = self.invoked, None  # only the invoked function itself, not what its arguments call
        if how != "protected":
            self.ctx.edges.append(Edge(kind, self.callee_span(node), timer=how == "timer", **target))

    def callee_span(self, node):
        """The function as written in a call: `ngx.sleep` of `ngx.sleep(1)`, `red:new` of `red:new()`."""
        if type(node) is ast.Call:
            return self.span(node.func)
        if type(node) is ast.MethodCall:
            return self.lines.exact(node.obj.start, node.name.end)
        return self.span(node)

    def capture_multi(self, node, result) -> None:
        if type(node) is ast.Table:
            for _, item in node.items:
                if type(item) is ast.Table and item.items and item.items[0][0] is None:
                    _, taint = self.expr(item.items[0][1])
                    if taint:
                        self.hit("subrequest", "ngx.location.capture_multi", item.items[0][1], taint)
        elif result[1]:
            self.hit("subrequest", "ngx.location.capture_multi", node, result[1])

    def member_call(self, module: str, member: str, node, arg_nodes, args, is_method: bool):
        api = f"{module}.{member}"
        if api in RECORDED and not self.fallback:
            self.ctx.uses.append(Use(api, self.callee_span(node)))
        sink = SINK_MEMBERS.get((module, member))
        if sink is not None:
            kind, indexes = sink
            for i in indexes:
                if i < len(args) and args[i][1]:
                    self.hit(kind, f"{module}.{member}", arg_nodes[i], args[i][1])
            return CLEAN
        if (module, member) in PROPAGATE_MEMBERS:  # a JSON decoder: "\u003c" gives `<` back
            return None, decoded(untagged(args[0][1])) if args else None
        client = CLIENT_MODULES.get(module)
        if client is not None and member in client[1]:
            return (client[0], module), None
        if module.startswith(_LIBRARY_PREFIXES):
            return CLEAN
        self.edge("external", node, module=module, member=member)
        taints = ((None,) if is_method else ()) + tuple(a[1] for a in args)
        if any(taints):
            taints = self.argument_steps(taints, arg_nodes, is_method, member)
            self.ctx.calls.append(Call(module, member, self.span(node), taints))
        # `new` makes an object whose methods are the module's functions (the lua-resty-* convention)
        value = ("instance", module) if member == "new" else None
        return value, (Tainted(External(module, member, self.span(node), taints), (), EMPTY),)

    def argument_steps(self, taints, arg_nodes, is_method, callee, params=()):
        """Each argument's taint with the step that passes it to `callee` (as the parameter named, if known)."""
        out = []
        offset = 1 if is_method else 0
        for i, taint in enumerate(taints):
            if taint and i - offset < len(arg_nodes) and i >= offset:
                text = f"passed to `{callee}` as `{params[i]}`" if i < len(params) else f"passed to `{callee}`"
                taint = with_step(taint, Step(self.span(arg_nodes[i - offset]), text))
            out.append(taint)
        return tuple(out)

    def local_call(self, summary: Summary, node, arg_nodes, args, self_result):
        """A function of this chunk: its summary applied to the arguments of this call."""
        self.edge("local", node, summary=summary)
        taints = ((self_result[1],) if self_result is not None else ()) + tuple(a[1] for a in args)
        if not summary.hits and not summary.calls and not summary.returns:
            return CLEAN
        passed = self.argument_steps(taints, arg_nodes, self_result is not None, summary.name, summary.params)
        for hit in summary.hits:
            taint = _substitute(hit.taint, passed, own_only=True)
            if taint:
                self.ctx.hits.append(Hit(hit.kind, hit.sink, hit.span, taint))
        for call in summary.calls:
            call_args = tuple(_substitute(a, passed) if a else None for a in call.args)
            if any(call_args):
                self.ctx.calls.append(Call(call.module, call.member, call.span, call_args))
        taint = _substitute(summary.returns, passed)
        if taint:
            taint = with_step(taint, Step(self.span(node), f"returned by `{summary.name}`"))
        return None, taint

    def hit(self, kind: str, sink: str, node, taint) -> None:
        if kind == "command" and _argv_without_shell(node):
            return  # one argument of a program run without a shell, not a command line
        if kind == "xss" and self.ctx.typed is not None and "html" not in self.ctx.typed.lower():
            return  # its function set a type that is not HTML before (`ngx.header.content_type = "text/plain"`)
        kept = tuple(t for t in taint if kind not in safe_for(t.origin, t.safe))
        if kept:
            self.ctx.hits.append(Hit(kind, sink, self.span(node), kept))


# ---- helpers ---------------------------------------------------------------------------------------------------

def _combine(op: str, left, right):
    if op == "or":
        return None, union(left[1], right[1])
    if op == "and":
        return right[0], right[1]
    return CLEAN  # arithmetic and comparisons give numbers and booleans


def _concat_operands(node) -> list:
    """The operands of a `..` chain, in order."""
    stack, operands = [node], []
    while stack:
        current = stack.pop()
        if type(current) is ast.BinOp and current.op == "..":
            stack.append(current.right)
            stack.append(current.left)
        else:
            operands.append(current)
    return operands


_QUERY_MARK = ("str", "?")


def _captured(taint, safe):
    """A capture of a tainted subject: safe for what its bytes cannot attack; a part of $uri, which may not start
    with `/`."""
    out = []
    for t in taint:
        origin = t.origin
        if type(origin) is Source and origin.what in CAPTURED:
            origin = origin._replace(what=CAPTURED[origin.what])
        out.append(Tainted(origin, t.steps, t.safe | safe))
    return tuple(out)


def _substitute(taint, passed, own_only: bool = False):
    """A callee's taint in the caller's terms: Param(i) becomes the caller's argument i."""
    out = None
    for t in taint:
        origin = t.origin
        if type(origin) is Param:
            arg = passed[origin.index] if origin.index < len(passed) else None
            if arg and origin.field is not None:
                arg = field_of(arg, origin.field)
            if arg:
                out = union(out, tuple(a._replace(steps=(a.steps + t.steps)[-MAX_STEPS:], safe=a.safe | t.safe,
                                                  field=a.field if t.field is None else t.field) for a in arg))
        elif own_only:
            continue  # the callee's own request input: reported where the callee is
        elif type(origin) is External:
            args = tuple(_substitute(a, passed) if a else None for a in origin.args)
            out = union(out, (t._replace(origin=origin._replace(args=args)),))
        else:
            out = union(out, (t,))
    return out


def _without_extended_noise(pattern: str) -> str:
    """The pattern without what PCRE's x option ignores: white space and # comments outside classes (escapes
    and classes kept whole), in one pass."""
    out, i, n, in_class = [], 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c.isspace():
            i += 1
            continue
        elif c == "#":
            end = pattern.find("\n", i)
            i = n if end < 0 else end
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _is_falsy(node) -> bool:
    return type(node) is ast.Constant and node.value in ("nil", "false")


def _is_constant(node) -> bool:
    return type(node) in (ast.String, ast.Number) or (type(node) is ast.Constant and node.value != "...")


def _terminates(body: list) -> bool:
    if not body:
        return False
    last = body[-1]
    kind = type(last)
    if kind in (ast.Return, ast.Break, ast.Goto):
        return True
    if kind is ast.CallStat and type(last.call) is ast.Call:
        return ast.dotted_name(last.call.func) in _EXITS
    if kind is ast.If:
        return last.orelse is not None and _terminates(last.orelse) and all(_terminates(b) for _, b in last.clauses)
    if kind is ast.Do:
        return _terminates(last.body)
    return False


_SUFFIXES = frozenset((ast.Index, ast.Call, ast.MethodCall))

_Walker.STATEMENTS = ast.statement_handlers(_Walker)


_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})


def _argv_without_shell(node) -> bool:
    """A table of arguments (`ngx.pipe.spawn({"ls", dir})`) run without a shell: a value in it is one argument,
    not a command line, unless the program is a shell (`{"sh", "-c", cmd}`) or not written literally."""
    if type(node) is not ast.Table or not node.items or node.items[0][0] is not None:
        return False
    program = node.items[0][1]
    return type(program) is ast.String and program.value.rsplit("/", 1)[-1] not in _SHELLS
