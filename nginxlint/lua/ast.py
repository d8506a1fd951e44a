"""A light Lua AST. Every node keeps character offsets (``start``, ``end``) into the parsed text.

Blocks are plain lists of statements. Expressions that name something keep the name's own
offsets so facts can point at it.
"""

from __future__ import annotations

from .lexer import string_value


class Node:
    __slots__ = ("start", "end")


# ---- expressions -------------------------------------------------------------------------------

class Name(Node):
    __slots__ = ("name",)

    def __init__(self, name, start, end):
        self.name, self.start, self.end = name, start, end


class String(Node):
    """A string literal; ``raw`` is its source text, ``value`` the decoded string."""

    __slots__ = ("raw",)

    def __init__(self, raw, start, end):
        self.raw, self.start, self.end = raw, start, end

    @property
    def value(self) -> str:
        return string_value(self.raw)


class Number(Node):
    __slots__ = ("raw",)

    def __init__(self, raw, start, end):
        self.raw, self.start, self.end = raw, start, end


class Constant(Node):
    """``nil``, ``true``, ``false`` or ``...``."""

    __slots__ = ("value",)

    def __init__(self, value, start, end):
        self.value, self.start, self.end = value, start, end


class Function(Node):
    __slots__ = ("params", "vararg", "body", "is_method")

    def __init__(self, params, vararg, body, start, end, is_method=False):
        self.params, self.vararg, self.body = params, vararg, body
        self.start, self.end, self.is_method = start, end, is_method


class Table(Node):
    """``items``: ``(key, value)`` pairs; key is None (positional), a Name (``name = v``) or an
    expression (``[k] = v``)."""

    __slots__ = ("items",)

    def __init__(self, items, start, end):
        self.items, self.start, self.end = items, start, end

    def field(self, name: str):
        """The value of the named field ``name = v`` or ``["name"] = v``, if present."""
        for key, value in self.items:
            if (type(key) is Name and key.name == name) or (type(key) is String and key.value == name):
                return value
        return None


class Index(Node):
    """``obj.key`` (``dot`` is True, key a Name at the field name) or ``obj[key]``."""

    __slots__ = ("obj", "key", "dot")

    def __init__(self, obj, key, dot, start, end):
        self.obj, self.key, self.dot, self.start, self.end = obj, key, dot, start, end


class Call(Node):
    __slots__ = ("func", "args")

    def __init__(self, func, args, start, end):
        self.func, self.args, self.start, self.end = func, args, start, end


class MethodCall(Node):
    """``obj:name(args)``; ``name`` is a Name at the method name."""

    __slots__ = ("obj", "name", "args")

    def __init__(self, obj, name, args, start, end):
        self.obj, self.name, self.args, self.start, self.end = obj, name, args, start, end


class Paren(Node):
    __slots__ = ("expr",)

    def __init__(self, expr, start, end):
        self.expr, self.start, self.end = expr, start, end


class BinOp(Node):
    __slots__ = ("op", "left", "right")

    def __init__(self, op, left, right):
        self.op, self.left, self.right = op, left, right
        self.start, self.end = left.start, right.end


class UnOp(Node):
    __slots__ = ("op", "operand")

    def __init__(self, op, operand, start):
        self.op, self.operand, self.start, self.end = op, operand, start, operand.end


# ---- statements --------------------------------------------------------------------------------

class Local(Node):
    __slots__ = ("names", "values")

    def __init__(self, names, values, start, end):
        self.names, self.values, self.start, self.end = names, values, start, end


class LocalFunction(Node):
    __slots__ = ("name", "func")

    def __init__(self, name, func, start):
        self.name, self.func, self.start, self.end = name, func, start, func.end


class FunctionStat(Node):
    """``function a.b.c()`` or ``function a.b:c()``: ``target`` is the Name/Index being assigned."""

    __slots__ = ("target", "func")

    def __init__(self, target, func, start):
        self.target, self.func, self.start, self.end = target, func, start, func.end


class Assign(Node):
    __slots__ = ("targets", "values")

    def __init__(self, targets, values):
        self.targets, self.values = targets, values
        self.start, self.end = targets[0].start, values[-1].end


class CallStat(Node):
    __slots__ = ("call",)

    def __init__(self, call):
        self.call, self.start, self.end = call, call.start, call.end


class Do(Node):
    __slots__ = ("body",)

    def __init__(self, body, start, end):
        self.body, self.start, self.end = body, start, end


class While(Node):
    __slots__ = ("cond", "body")

    def __init__(self, cond, body, start, end):
        self.cond, self.body, self.start, self.end = cond, body, start, end


class Repeat(Node):
    __slots__ = ("body", "cond")

    def __init__(self, body, cond, start):
        self.body, self.cond, self.start, self.end = body, cond, start, cond.end


class If(Node):
    """``clauses``: ``[(cond, body), ...]`` for if and each elseif; ``orelse`` the else body or None."""

    __slots__ = ("clauses", "orelse")

    def __init__(self, clauses, orelse, start, end):
        self.clauses, self.orelse, self.start, self.end = clauses, orelse, start, end


class NumericFor(Node):
    __slots__ = ("var", "first", "last", "step", "body")

    def __init__(self, var, first, last, step, body, start, end):
        self.var, self.first, self.last, self.step, self.body = var, first, last, step, body
        self.start, self.end = start, end


class GenericFor(Node):
    __slots__ = ("names", "exprs", "body")

    def __init__(self, names, exprs, body, start, end):
        self.names, self.exprs, self.body, self.start, self.end = names, exprs, body, start, end


class Return(Node):
    __slots__ = ("values",)

    def __init__(self, values, start, end):
        self.values, self.start, self.end = values, start, end


class Break(Node):
    __slots__ = ()

    def __init__(self, start, end):
        self.start, self.end = start, end


class Goto(Node):
    __slots__ = ("label",)

    def __init__(self, label, start):
        self.label, self.start, self.end = label, start, label.end


class Label(Node):
    """``::name::``; ``semicolon`` records a ``;`` right after it (in Lua 5.1 mode it ends a trailing label run)."""

    __slots__ = ("name", "semicolon")

    def __init__(self, name, start, end):
        self.name, self.start, self.end, self.semicolon = name, start, end, False


class Chunk(Node):
    __slots__ = ("body", "text")

    def __init__(self, body, text):
        self.body, self.text, self.start, self.end = body, text, 0, len(text)


def dotted_name(target) -> str | None:
    """`ngx.req.get_uri_args` for a chain of dotted names, else None (a call, a bracket, a method in between)."""
    parts = []
    while type(target) is Index and target.dot:
        parts.append(target.key.name)
        target = target.obj
    if type(target) is not Name:
        return None
    parts.append(target.name)
    return ".".join(reversed(parts))


def suffix_spine(node) -> tuple[list, object]:
    """`a.b[c](d):e(f)` as (its suffixes, outermost first; the base `a`), in a loop: a chain is as long as the code."""
    spine = []
    while True:
        kind = type(node)
        if kind is Call:
            spine.append(node)
            node = node.func
        elif kind is Index or kind is MethodCall:
            spine.append(node)
            node = node.obj
        else:
            return spine, node


def unbind(scopes: dict, declared: list) -> None:
    """Leave a block: the names it declared no longer shadow the outer ones (a walker's scope stacks by name)."""
    for name in declared:
        stack = scopes[name]
        stack.pop()
        if not stack:
            del scopes[name]


_STATEMENT_METHODS = {
    "Local": "s_local", "LocalFunction": "s_local_function", "FunctionStat": "s_function", "Assign": "s_assign",
    "CallStat": "s_call", "Do": "s_do", "While": "s_while", "Repeat": "s_repeat", "If": "s_if",
    "NumericFor": "s_numeric_for", "GenericFor": "s_generic_for", "Return": "s_return",
}


class BlockWalker:
    """A walk over statements with a stack of bindings per name (`scopes`): `block` runs each statement's `s_…`
    method (`STATEMENTS`, from statement_handlers) and then drops the names the block declared."""

    STATEMENTS: dict = {}
    scopes: dict

    def block(self, stmts: list, declared: list | None = None) -> None:
        declared = [] if declared is None else declared
        handlers = self.STATEMENTS
        for stmt in stmts:
            handler = handlers.get(type(stmt))
            if handler is not None:
                handler(self, stmt, declared)
        unbind(self.scopes, declared)

    def unbind(self, declared: list) -> None:
        unbind(self.scopes, declared)


def statement_handlers(walker: type) -> dict:
    """{statement class: the walker's `s_…` method} for a walker over statements (one dict lookup a statement)."""
    return {globals()[kind]: getattr(walker, method) for kind, method in _STATEMENT_METHODS.items()}
