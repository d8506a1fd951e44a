"""LuaJIT's compile-time checks on goto, labels and break (lj_parse.c, gola_*).

- ``goto x`` needs a label ``x`` in its block or an enclosing block of the same function;
- a forward goto may not jump into the scope of a local declared after it, unless the label is
  trailing (followed only by labels, and with LJ_52 ';', up to the end of a block other than repeat-until);
- ``break`` needs an enclosing loop.

Only statements are walked; the parser hands over every function body it built.
"""

from __future__ import annotations

from . import ast
from ..lines import LineIndex
from .errors import LuaSyntaxError, syntax_error

_BREAK = "break"  # cannot clash with a label: it is a keyword
_LOOPS = (ast.While, ast.NumericFor, ast.GenericFor, ast.Repeat)


def check_labels(bodies: list[list], lines: LineIndex) -> None:
    for body in bodies:
        for name, node, _ in _check_block(body, 0, False, lines):
            if name == _BREAK:
                raise _error(lines, "no loop to break", node)
            raise _error(lines, f"undefined label '{name}'", node)


def _error(lines: LineIndex, message: str, node) -> LuaSyntaxError:
    return syntax_error(lines, message, node.start, node.end)


def _nested_bodies(stmt):
    kind = type(stmt)
    if kind is ast.Do or kind is ast.While or kind is ast.NumericFor or kind is ast.GenericFor:
        return (stmt.body,)
    if kind is ast.Repeat:
        return (stmt.body,)
    if kind is ast.If:
        bodies = [body for _, body in stmt.clauses]
        if stmt.orelse is not None:
            bodies.append(stmt.orelse)
        return bodies
    return ()


def _check_block(stmts: list, nact_start: int, is_repeat: bool, lines: LineIndex) -> list:
    """Resolve the block's gotos; return those left for the enclosing block as (name, node, nact)."""
    labels: dict[str, int] = {}
    pending: list[tuple[str, ast.Node, int]] = []
    local_names: list[str] = []
    nact = nact_start
    count = len(stmts)
    for position, stmt in enumerate(stmts):
        kind = type(stmt)
        if kind is ast.Local:
            nact += len(stmt.names)
            local_names.extend(name.name for name in stmt.names)
        elif kind is ast.LocalFunction:
            nact += 1
            local_names.append(stmt.name.name)
        elif kind is ast.Label:
            name = stmt.name.name
            label_nact = nact_start if _is_trailing(stmts, position, count, is_repeat) else nact
            labels[name] = label_nact
            still_pending = []
            for goto_name, node, goto_nact in pending:
                if goto_name != name:
                    still_pending.append((goto_name, node, goto_nact))
                elif goto_nact < label_nact:
                    local = local_names[goto_nact - nact_start]
                    raise _error(lines, f"<goto {name}> jumps into the scope of local '{local}'", node)
            pending = still_pending
        elif kind is ast.Goto:
            if stmt.label.name not in labels:
                pending.append((stmt.label.name, stmt, nact))
        elif kind is ast.Break:
            pending.append((_BREAK, stmt, nact))
        else:
            bodies = _nested_bodies(stmt)
            if bodies:
                is_loop = isinstance(stmt, _LOOPS)
                for body in bodies:
                    for name, node, _ in _check_block(body, nact, kind is ast.Repeat, lines):
                        if name == _BREAK and is_loop:
                            continue
                        if name not in labels:
                            pending.append((name, node, nact))
    return pending


def _is_trailing(stmts: list, position: int, count: int, is_repeat: bool) -> bool:
    if is_repeat:
        return False
    for later in range(position, count):
        stmt = stmts[later]
        if type(stmt) is not ast.Label:
            return False
        if stmt.semicolon:  # LuaJIT 5.1 mode stops the label run at ';'
            return False
    return True
