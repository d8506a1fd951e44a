"""An ngx_lua API call in init_by_lua* that stops nginx's start-up on purpose: in a branch that logs an error first
(the failure is in the error log: `if not ok then ngx.log(ngx.ERR, …) … ngx.exit(500) end`, in that block or one
around it), or an `ngx.exit` that ends a branch taken on a failure (`if not file then … ngx.exit(1) end`). ngx_lua
refuses such a call there, which raises a Lua error, and the error aborts the start: what the code meant."""
from __future__ import annotations

from . import ast
from ..lines import LineIndex
from .errors import LuaSyntaxError, LuaTooComplex
from .parser import parse

# ngx.log levels that say something failed (ngx.ERR and above)
ERROR_LEVELS = frozenset({"STDERR", "EMERG", "ALERT", "CRIT", "ERR"})


def aborts_start_up(text: str, span, exits: bool) -> bool:
    """The API use at `span` (line, column, end line, end column) in the chunk `text` is in a failure branch: a
    statement before it, in its block or in a block around it within its function, logs at ngx.ERR or above; or,
    for an `ngx.exit` (`exits`), it is the last statement of an `if not …` / `if … == nil` branch."""
    try:
        chunk = parse(text)
    except (LuaSyntaxError, LuaTooComplex):
        return False
    lines = LineIndex(text)
    start, end = lines.offset(span[0], span[1]), lines.offset(span[2], span[3])
    body, condition = chunk.body, None
    while True:
        index = next((i for i, stmt in enumerate(body) if stmt.start <= start and end <= stmt.end), None)
        if index is None:
            return False
        inner = next(((below, cond, function) for below, cond, function in _blocks(body[index])
                      if _holds(below, start, end)), None)
        # what is logged before a function's definition is not on the path of a call inside it
        if (inner is None or not inner[2]) and any(map(_logs_an_error, body[:index])):
            return True
        if inner is None:
            return exits and index == len(body) - 1 and _on_failure(condition)
        body, condition, _ = inner


def _holds(body: list, start: int, end: int) -> bool:
    return any(stmt.start <= start and end <= stmt.end for stmt in body)


def _blocks(stmt):
    """The statement lists directly inside a statement, with the `if` condition that leads into each, and whether
    the list is a function's body (a new function: what is logged around it is not on its path)."""
    kind = type(stmt)
    if kind is ast.If:
        for clause_condition, body in stmt.clauses:
            yield body, clause_condition, False
        if stmt.orelse is not None:
            yield stmt.orelse, None, False
    elif kind in (ast.Do, ast.While, ast.Repeat, ast.NumericFor, ast.GenericFor):
        yield stmt.body, None, False
    elif kind in (ast.LocalFunction, ast.FunctionStat):
        yield stmt.func.body, None, True
    elif kind in (ast.Local, ast.Assign):
        for value in stmt.values or ():
            if type(value) is ast.Function:
                yield value.body, None, True


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
