"""An `ngx.exit` in init_by_lua* that stops nginx's start-up on purpose: in a branch that logs an error first (the
failure is in the error log), or that ends a branch taken on a failure (`if not file then … ngx.exit(1) end`).
ngx_lua refuses the call there, which raises a Lua error, and the error aborts the start: what the code meant."""
from __future__ import annotations

from . import ast
from ..lines import LineIndex
from .errors import LuaSyntaxError, LuaTooComplex
from .parser import parse

# ngx.log levels that say something failed (ngx.ERR and above)
ERROR_LEVELS = frozenset({"STDERR", "EMERG", "ALERT", "CRIT", "ERR"})


def aborts_start_up(text: str, span) -> bool:
    """The `ngx.exit` call whose callee sits at `span` (line, column, end line, end column) in the chunk `text` ends
    a failure branch: one that logs at ngx.ERR or above before it, or an `if not …` / `if … == nil` it ends."""
    try:
        chunk = parse(text)
    except (LuaSyntaxError, LuaTooComplex):
        return False
    lines = LineIndex(text)
    for body, condition in _bodies(chunk.body, None):
        for index, stmt in enumerate(body):
            if type(stmt) is ast.CallStat and type(stmt.call) is ast.Call and \
                    lines.exact(stmt.call.func.start, stmt.call.func.end) == tuple(span):
                return any(map(_logs_an_error, body[:index])) or (index == len(body) - 1 and _on_failure(condition))
    return False


def _bodies(stmts: list, condition):
    """Every statement list below `stmts` (and it), with the `if` condition that leads into it (None elsewhere)."""
    yield stmts, condition
    for stmt in stmts:
        kind = type(stmt)
        if kind is ast.If:
            for clause_condition, body in stmt.clauses:
                yield from _bodies(body, clause_condition)
            if stmt.orelse is not None:
                yield from _bodies(stmt.orelse, None)
        elif kind in (ast.Do, ast.While, ast.Repeat, ast.NumericFor, ast.GenericFor):
            yield from _bodies(stmt.body, None)
        elif kind in (ast.LocalFunction, ast.FunctionStat):
            yield from _bodies(stmt.func.body, None)
        elif kind in (ast.Local, ast.Assign):
            for value in stmt.values or ():
                if type(value) is ast.Function:
                    yield from _bodies(value.body, None)


def _logs_an_error(stmt) -> bool:
    """`ngx.log(ngx.ERR, …)` (or a higher level) as a statement."""
    call = stmt.call if type(stmt) is ast.CallStat else None
    if type(call) is not ast.Call or not call.args or _dotted(call.func) != "ngx.log":
        return False
    level = _dotted(call.args[0])
    return level is not None and level.startswith("ngx.") and level[4:] in ERROR_LEVELS


def _on_failure(condition) -> bool:
    """`not x` or `x == nil`: the branch runs when something was not obtained."""
    if type(condition) is ast.UnOp:
        return condition.op == "not"
    return type(condition) is ast.BinOp and condition.op == "==" and \
        type(condition.right) is ast.Constant and condition.right.value == "nil"


def _dotted(node) -> str | None:
    """`ngx.log` for the expression `ngx.log`, None for anything but names joined by dots."""
    if type(node) is ast.Name:
        return node.name
    if type(node) is ast.Index and node.dot:
        obj = _dotted(node.obj)
        return f"{obj}.{node.key.name}" if obj is not None else None
    return None
