"""Lua parser: the lexer's tokens driven through the cached LALR tables, building the light AST.

``parse(text)`` returns an ``ast.Chunk`` or raises ``LuaSyntaxError`` worded like LuaJIT.
The loop is iterative, so nesting depth costs no Python recursion; like LuaJIT, a chunk nested
deeper than ~200 syntax levels is rejected ("chunk has too many syntax levels").
"""

from __future__ import annotations

from ..gcpause import collector_paused
from . import ast
from .errors import LuaSyntaxError
from .labels import check_labels
from .lexer import _Lexer, string_value
from .tables import load_tables

__all__ = ["parse", "LuaSyntaxError"]

# LuaJIT's LJ_MAX_XLEVEL is 200 and counts the main chunk too; every construct counted here is one
# LuaJIT level or more, so stopping at this depth never rejects a chunk LuaJIT accepts.
MAX_LEVELS = 199

_BLOCK_END = frozenset(("END", "ELSE", "ELSEIF", "UNTIL", "$END"))
_OPENERS = frozenset(("FUNCTION", "DO", "WHILE", "FOR", "IF", "REPEAT", "LPAR", "LBRACE", "LSQB"))
_CLOSERS = frozenset(("END", "UNTIL", "RPAR", "RBRACE", "RSQB"))
_BLOCK_CLOSER = {"function": "END", "do": "END", "while": "END", "for": "END", "if": "END",
                 "repeat": "UNTIL"}
_MATCHING = {"RPAR": "(", "RBRACE": "{", "END": None, "UNTIL": "repeat"}
_SHOWN = {
    "END": "end", "UNTIL": "until", "THEN": "then", "DO": "do", "IN": "in", "RPAR": ")",
    "RSQB": "]", "RBRACE": "}", "EQ": "=", "DBCOLON": "::", "COMMA": ",", "LPAR": "(",
    "NAME": "<name>", "$END": "<eof>",
}
# When several tokens could follow, LuaJIT's recursive descent names the one its parser checks.
_PREFERRED = ("THEN", "DO", "RPAR", "RSQB", "RBRACE", "EQ", "IN", "DBCOLON", "UNTIL", "END",
              "$END", "COMMA", "LPAR", "NAME")
_ARGS_START = frozenset(("LPAR", "STRING", "LBRACE"))
# Tokens that only continue an expression or a list: a state whose shifts are all of these can be
# reduced when the error token is none of them.
_CONTINUATIONS = frozenset((
    "OR", "AND", "LT", "GT", "LE", "GE", "NE", "EQEQ", "CONCAT", "PLUS", "MINUS", "STAR", "SLASH",
    "PERCENT", "CARET", "DOT", "LSQB", "COLON", "LPAR", "STRING", "LBRACE", "COMMA",
))

# Binary operator priorities (left, right), as in LuaJIT's lj_parse.c.
_PRIORITY = {
    "or": (1, 1), "and": (2, 2), "<": (3, 3), ">": (3, 3), "<=": (3, 3), ">=": (3, 3),
    "~=": (3, 3), "==": (3, 3), "..": (5, 4), "+": (6, 6), "-": (6, 6), "*": (7, 7),
    "/": (7, 7), "%": (7, 7), "^": (10, 9),
}
_UNARY_PRIORITY = 8


class _Deferred(Exception):
    """Raised by a builder method whose message names the next token ('{near}')."""


class _Flat(list):
    """A binary expression as read: operand, operator token, operand, ... (precedence not yet applied)."""

    __slots__ = ()


def parse(text: str) -> ast.Chunk:
    """Parse a Lua chunk. Raises LuaSyntaxError (LuaJIT's wording) on invalid input."""
    # The AST has no reference cycles; pausing the cyclic GC spares its repeated scans of the
    # fast-growing node graph (a third of the parse time on large files).
    with collector_paused():
        return _parse(text)


def _parse(text: str) -> ast.Chunk:
    tables = load_tables()
    lexer = _Lexer(text)
    builder = _Builder(lexer)
    actions, gotos, accept = tables.actions, tables.gotos, tables.accept
    # (callback or None for a unit rule that passes its value through, length, nonterminal)
    reductions = [
        (None if name in _PASS_THROUGH else getattr(builder, name), length, origin)
        for name, origin, length in tables.rules
    ]
    nesting = _NESTING
    depth = 0
    state = tables.start
    states = [state]
    values: list = []
    for tok in lexer.tokens():
        ttype = tok[0]
        while True:
            action = actions[state].get(ttype)
            if action is None:
                raise builder.syntax_error(tables, states, values, tok)
            if action >= 0:
                state = action
                states.append(state)
                values.append(tok)
                step = nesting.get(ttype)
                if step:
                    depth += step
                    builder.depth = depth
                    if depth >= MAX_LEVELS:
                        raise lexer.error("chunk has too many syntax levels", tok[2], tok[3])
                break
            callback, size, origin = reductions[~action]
            try:
                if callback is None:
                    del states[-1]
                elif size == 1:
                    values[-1] = callback(values[-1])
                    del states[-1]
                elif size == 0:
                    values.append(callback())
                else:
                    args = values[-size:]
                    del values[-size:]
                    del states[-size:]
                    values.append(callback(*args))
            except _Deferred as deferred:
                raise lexer.error(deferred.args[0].format(near=_near(tok)), tok[2], tok[3]) from None
            state = gotos[states[-1]][origin]
            states.append(state)
            if state == accept:
                chunk = values[-1]
                if builder.jumps:
                    check_labels([chunk.body] + [f.body for f in builder.functions], lexer.lines)
                return chunk
    raise AssertionError("token stream ended without $END")  # pragma: no cover


# Unit rules whose value is their only child's value: the loop skips their callback.
_PASS_THROUGH = frozenset(("expr_one", "operand_suffixed", "operand_table", "token", "block"))

# Nesting depth per token: a loop's 'do' counts, not its 'while'/'for', so blocks balance with 'end'.
_NESTING = {"FUNCTION": 1, "DO": 1, "IF": 1, "REPEAT": 1, "LPAR": 1, "LBRACE": 1, "LSQB": 1,
            "END": -1, "UNTIL": -1, "RPAR": -1, "RBRACE": -1, "RSQB": -1}


def _open_constructs(lexer: _Lexer, offset: int) -> list[list]:
    """The constructs still open before ``offset``, as [kind, start, loop 'do' seen] (for messages).

    Rebuilt from the tokens only when an error is reported, so parsing pays nothing for it.
    """
    openers: list[list] = []
    params_next = False
    for tok in _Lexer(lexer.text).tokens():
        if tok[2] >= offset or tok[0] == "$END":
            break
        ttype = tok[0]
        if ttype in _CLOSERS:
            if openers:
                openers.pop()
        elif ttype == "DO" and openers and openers[-1][0] in ("while", "for") and not openers[-1][2]:
            openers[-1][2] = True
        elif ttype in _OPENERS:
            if ttype == "LPAR":
                kind = "params" if params_next else "("
                params_next = False
            elif ttype == "FUNCTION":
                kind = "function"
                params_next = True
            else:
                kind = {"LBRACE": "{", "LSQB": "["}.get(ttype) or ttype.lower()
            openers.append([kind, tok[2], False])
    return openers


def _near(tok) -> str:
    if tok[0] == "$END":
        return "<eof>"
    if tok[0] == "STRING" and tok[1][0] != "[":  # LuaJIT shows a short string's decoded text
        return tok[1][0] + string_value(tok[1]) + tok[1][0]
    if tok[0] == "OTHER" and (ord(tok[1]) < 32 or ord(tok[1]) == 127):
        return f"char({ord(tok[1])})"
    return tok[1]


class _Builder:
    """Reduce callbacks (named by the grammar's aliases) plus the state error messages need."""

    def __init__(self, lexer: _Lexer):
        self.lexer = lexer
        self.text = lexer.text
        self.vararg_stack = [True]  # is the innermost function vararg? The main chunk is.
        self.depth = 0  # open blocks, functions and brackets, kept by the parse loop
        self.functions: list[ast.Function] = []  # every function built, for the label checks
        self.jumps = False  # any goto, label or break seen

    # ---- open constructs and errors ----------------------------------------------------------

    def syntax_error(self, tables, states: list, values: list, tok) -> LuaSyntaxError:
        expected, bare = _settle(tables, states, values)
        if bare is not None:  # a statement made of a non-call expression: LuaJIT wants an assignment
            message = "'=' expected" if bare == "var" else "syntax error"
            return self.lexer.error(f"{message} near '{_near(tok)}'", tok[2], tok[3])
        ttype = tok[0]
        openers = _open_constructs(self.lexer, tok[2])
        top = openers[-1] if openers else None
        closer = _BLOCK_CLOSER.get(top[0], "") if top else "$END"
        can_close = closer in expected
        near = _near(tok)
        if "LOCAL" in expected or "NIL" in expected:
            if ttype in _BLOCK_END and can_close:
                return self._expected(closer, top, tok)
            message = f"unexpected symbol near '{near}'"
        elif can_close:
            return self._expected(closer, top, tok)
        elif "EQ" in expected and "IN" in expected:
            message = f"'=' or 'in' expected near '{near}'"
        elif "NAME" in expected and "ELLIPSIS" in expected:
            message = f"<name> or '...' expected near '{near}'"
        elif "NAME" in expected and "LPAR" in expected:
            message = f"unexpected symbol near '{near}'"
        elif _ARGS_START.issuperset(expected) and "LPAR" in expected and len(expected) == 3:
            message = f"function arguments expected near '{near}'"
        else:
            wanted = next((t for t in _PREFERRED if t in expected), None)
            if wanted is None:  # pragma: no cover - every state expects one of _PREFERRED
                message = f"unexpected symbol near '{near}'"
            else:
                opener = top if top and _closes(wanted, top[0]) else None
                return self._expected(wanted, opener, tok)
        return self.lexer.error(message, tok[2], tok[3])

    def _expected(self, wanted: str, opener, tok) -> LuaSyntaxError:
        lines = self.lexer.lines
        message = f"'{_SHOWN[wanted]}' expected"
        if opener is not None and wanted != "$END":
            open_line = lines.position(opener[1])[0]
            if open_line != lines.position(tok[3])[0]:
                message += f" (to close '{opener[0]}' at line {open_line})"
        return lines.error(f"{message} near '{_near(tok)}'", tok[2], tok[3])

    # ---- expressions -------------------------------------------------------------------------

    def resolve(self, flat: _Flat):
        """Apply Lua's operator priorities to a flat operand/operator list (shunting-yard)."""
        output: list = []
        pending: list = []  # operator tokens; unary ones as ('unary', op text, start)
        deepest = 0
        index = 0
        count = len(flat)
        while True:
            operand = flat[index]
            while type(operand) is ast.UnOp:  # unary prefixes bind looser than '^' only
                pending.append(("unary", operand.op, operand.start))
                operand = operand.operand
            output.append(operand)
            if len(pending) > deepest:
                deepest = len(pending)
            index += 1
            if index >= count:
                break
            op = flat[index][1]
            left = _PRIORITY[op][0]
            while pending:
                top = pending[-1]
                right = _UNARY_PRIORITY if top[0] == "unary" else _PRIORITY[top[1]][1]
                if right < left:
                    break
                _apply(pending.pop(), output)
            pending.append(flat[index])
            index += 1
        if deepest + self.depth >= MAX_LEVELS:
            node = flat[0]
            raise self.lexer.error("chunk has too many syntax levels", node.start, node.end)
        while pending:
            _apply(pending.pop(), output)
        return output[0]

    def expr_one(self, operand):
        return operand

    def expr_add(self, left, op, right):
        if type(left) is _Flat:
            left.append(op)
            left.append(right)
            return left
        return _Flat((left, op, right))

    def operand_suffixed(self, node):
        return node

    def operand_table(self, node):
        return node

    def constant(self, tok):
        return ast.Constant(tok[1], tok[2], tok[3])

    def vararg(self, tok):
        if not self.vararg_stack[-1]:
            raise self.lexer.error("cannot use '...' outside a vararg function near '...'", tok[2], tok[3])
        return ast.Constant("...", tok[2], tok[3])

    def number(self, tok):
        return ast.Number(tok[1], tok[2], tok[3])

    def string(self, tok):
        return ast.String(tok[1], tok[2], tok[3])

    def function_expr(self, tok, func):
        func.start = tok[2]
        return func

    def unary(self, op, operand):
        node = ast.UnOp(op[1], operand, op[2])
        depth = 0
        while type(operand) is ast.UnOp and depth < MAX_LEVELS:
            operand = operand.operand
            depth += 1
        if depth + self.depth >= MAX_LEVELS:
            raise self.lexer.error("chunk has too many syntax levels", op[2], op[3])
        return node

    def name(self, tok):
        return ast.Name(tok[1], tok[2], tok[3])

    def paren(self, lpar, expr, rpar):
        if type(expr) is _Flat:
            expr = self.resolve(expr)
        return ast.Paren(expr, lpar[2], rpar[3])

    def field(self, obj, dot, name):
        return ast.Index(obj, ast.Name(name[1], name[2], name[3]), True, obj.start, name[3])

    def index(self, obj, lsqb, key, rsqb):
        if type(key) is _Flat:
            key = self.resolve(key)
        return ast.Index(obj, key, False, obj.start, rsqb[3])

    def method_call(self, obj, colon, name, args):
        return ast.MethodCall(obj, ast.Name(name[1], name[2], name[3]), args[0], obj.start, args[1])

    def call(self, func, args):
        return ast.Call(func, args[0], func.start, args[1])

    def _check_ambiguous(self, lpar):
        if lpar[2] in self.lexer.newline_parens:
            raise self.lexer.error("ambiguous syntax (function call x new statement) near '('",
                                   lpar[2], lpar[3])

    def args_none(self, lpar, rpar):
        self._check_ambiguous(lpar)
        return [], rpar[3]

    def args_list(self, lpar, exprs, rpar):
        self._check_ambiguous(lpar)
        return exprs, rpar[3]

    def args_table(self, table):
        return [table], table.end

    def args_string(self, tok):
        return [ast.String(tok[1], tok[2], tok[3])], tok[3]

    def table_empty(self, lbrace, rbrace):
        return ast.Table([], lbrace[2], rbrace[3])

    def table_fields(self, lbrace, fields, rbrace):
        return ast.Table(fields, lbrace[2], rbrace[3])

    def table_fields_sep(self, lbrace, fields, sep, rbrace):
        return ast.Table(fields, lbrace[2], rbrace[3])

    def fieldlist_add(self, fields, sep, item):
        fields.append(item)
        return fields

    def token(self, tok):
        return tok

    def field_keyed(self, lsqb, key, rsqb, eq, value):
        if type(key) is _Flat:
            key = self.resolve(key)
        if type(value) is _Flat:
            value = self.resolve(value)
        return (key, value)

    def field_named(self, name, eq, value):
        if type(value) is _Flat:
            value = self.resolve(value)
        return (ast.Name(name[1], name[2], name[3]), value)

    def field_positional(self, value):
        if type(value) is _Flat:
            value = self.resolve(value)
        return (None, value)

    # ---- lists -------------------------------------------------------------------------------

    def list_one(self, item):
        if type(item) is _Flat:
            item = self.resolve(item)
        return [item]

    def list_add(self, items, comma, item):
        if type(item) is _Flat:
            item = self.resolve(item)
        items.append(item)
        return items

    def funcname_one(self, tok):
        return ast.Name(tok[1], tok[2], tok[3])

    def funcname_add(self, target, dot, name):
        return ast.Index(target, ast.Name(name[1], name[2], name[3]), True, target.start, name[3])

    # ---- functions ---------------------------------------------------------------------------

    def params_none(self, lpar, rpar):
        self.vararg_stack.append(False)
        return [], False

    def params_names(self, lpar, names, rpar):
        self.vararg_stack.append(False)
        return [ast.Name(t[1], t[2], t[3]) for t in names], False

    def params_names_vararg(self, lpar, names, comma, ellipsis, rpar):
        self.vararg_stack.append(True)
        return [ast.Name(t[1], t[2], t[3]) for t in names], True

    def params_vararg(self, lpar, ellipsis, rpar):
        self.vararg_stack.append(True)
        return [], True

    def funcbody(self, params, body, end):
        self.vararg_stack.pop()
        func = ast.Function(params[0], params[1], body, 0, end[3])
        self.functions.append(func)
        return func

    # ---- statements --------------------------------------------------------------------------

    def chunk(self, body):
        return ast.Chunk(body, self.text)

    def block(self, stats):
        return stats

    def block_last(self, stats, last):
        stats.append(last)
        return stats

    def block_last_semi(self, stats, last, semi):
        stats.append(last)
        return stats

    def statlist_empty(self):
        return []

    def statlist_add(self, stats, stat):
        stats.append(stat)
        return stats

    def statlist_add_semi(self, stats, stat, semi):
        if type(stat) is ast.Label:
            stat.semicolon = True
        stats.append(stat)
        return stats

    def return_empty(self, tok):
        return ast.Return([], tok[2], tok[3])

    def return_values(self, tok, values):
        return ast.Return(values, tok[2], values[-1].end)

    def break_stat(self, tok):
        self.jumps = True
        return ast.Break(tok[2], tok[3])

    def expr_stat(self, node):
        if type(node) is ast.Call or type(node) is ast.MethodCall:
            return ast.CallStat(node)
        if type(node) is ast.Paren:
            raise _Deferred("syntax error near '{near}'")
        raise _Deferred("'=' expected near '{near}'")

    def varlist_one(self, target):
        kind = type(target)
        if kind is not ast.Name and kind is not ast.Index:
            if kind is ast.Call or kind is ast.MethodCall:  # a call statement, then a stray '=' or ','
                raise _Deferred("unexpected symbol near '{near}'")
            raise _Deferred("syntax error near '{near}'")
        return [target]

    def varlist_add(self, targets, comma, target):
        if type(target) is not ast.Name and type(target) is not ast.Index:
            raise _Deferred("syntax error near '{near}'")
        targets.append(target)
        return targets

    def assign(self, targets, eq, values):
        return ast.Assign(targets, values)

    def label(self, open_, name, close):
        self.jumps = True
        return ast.Label(ast.Name(name[1], name[2], name[3]), open_[2], close[3])

    def goto_stat(self, goto, name):
        self.jumps = True
        return ast.Goto(ast.Name(name[1], name[2], name[3]), goto[2])

    def do_stat(self, do, body, end):
        return ast.Do(body, do[2], end[3])

    def while_stat(self, while_, cond, do, body, end):
        if type(cond) is _Flat:
            cond = self.resolve(cond)
        return ast.While(cond, body, while_[2], end[3])

    def repeat_stat(self, repeat, body, until, cond):
        if type(cond) is _Flat:
            cond = self.resolve(cond)
        return ast.Repeat(body, cond, repeat[2])

    def elseifs_empty(self):
        return []

    def elseifs_add(self, clauses, elseif, cond, then, body):
        if type(cond) is _Flat:
            cond = self.resolve(cond)
        clauses.append((cond, body))
        return clauses

    def if_stat(self, if_, cond, then, body, clauses, end):
        if type(cond) is _Flat:
            cond = self.resolve(cond)
        clauses.insert(0, (cond, body))
        return ast.If(clauses, None, if_[2], end[3])

    def if_else_stat(self, if_, cond, then, body, clauses, else_, orelse, end):
        if type(cond) is _Flat:
            cond = self.resolve(cond)
        clauses.insert(0, (cond, body))
        return ast.If(clauses, orelse, if_[2], end[3])

    def numfor(self, for_, name, eq, first, comma, last, do, body, end):
        return self.numfor_step(for_, name, eq, first, comma, last, None, None, do, body, end)

    def numfor_step(self, for_, name, eq, first, comma, last, comma2, step, do, body, end):
        first, last, step = (self.resolve(e) if type(e) is _Flat else e for e in (first, last, step))
        var = ast.Name(name[1], name[2], name[3])
        return ast.NumericFor(var, first, last, step, body, for_[2], end[3])

    def genfor(self, for_, names, in_, exprs, do, body, end):
        names = [ast.Name(t[1], t[2], t[3]) for t in names]
        return ast.GenericFor(names, exprs, body, for_[2], end[3])

    def function_stat(self, function, target, func):
        func.start = function[2]
        return ast.FunctionStat(target, func, function[2])

    def method_stat(self, function, target, colon, name, func):
        func.start = function[2]
        func.is_method = True
        target = ast.Index(target, ast.Name(name[1], name[2], name[3]), True, target.start, name[3])
        return ast.FunctionStat(target, func, function[2])

    def local_function(self, local, function, name, func):
        func.start = function[2]
        return ast.LocalFunction(ast.Name(name[1], name[2], name[3]), func, local[2])

    def local_stat(self, local, names):
        names = [ast.Name(t[1], t[2], t[3]) for t in names]
        return ast.Local(names, [], local[2], names[-1].end)

    def local_assign(self, local, names, eq, values):
        names = [ast.Name(t[1], t[2], t[3]) for t in names]
        return ast.Local(names, values, local[2], values[-1].end)


def _settle(tables, states: list, values: list):
    """The terminals that could follow, once the reductions LALR postponed are done.

    LALR states carry lookaheads merged from every context; the error token may sit in a state
    reached only to be reduced. Reducing while a single reduction is possible (on a copy of the
    stack, never past a statement boundary) gives the state LuaJIT's parser would report from.
    Returns (terminals, kind): kind is "var" or "paren" when the parse sits on a statement made
    of a bare non-call expression (LuaJIT then wants an assignment), else None.
    """
    actions, gotos, rules = tables.actions, tables.gotos, tables.rules
    stack = list(states)
    last_rule = None
    for _ in range(len(stack) + 64):
        state_actions = actions[stack[-1]]
        reduces = {action for action in state_actions.values() if action < 0}
        if len(reduces) != 1:
            break
        if any(action >= 0 and symbol not in _CONTINUATIONS for symbol, action in state_actions.items()):
            break
        callback, origin, size = rules[~reduces.pop()]
        if origin == "block":  # a statement boundary: LuaJIT would try another statement here
            break
        below = stack[:-size] if size else stack[:]
        target = gotos[below[-1]][origin]
        if not actions[target]:  # never reduce the whole chunk away
            break
        stack = below
        stack.append(target)
        last_rule = callback
    state_actions = actions[stack[-1]]
    if any(action < 0 and rules[~action][0] == "expr_stat" for action in state_actions.values()):
        if last_rule is not None:
            kind = {"call": None, "method_call": None, "paren": "paren"}.get(last_rule, "var")
        else:
            kind = {ast.Call: None, ast.MethodCall: None, ast.Paren: "paren"}.get(type(values[-1]), "var")
        return state_actions, kind
    return state_actions, None


def _closes(wanted: str, opener_kind: str) -> bool:
    if wanted == "END":
        return _BLOCK_CLOSER.get(opener_kind) == "END"
    return _MATCHING.get(wanted) == opener_kind


def _apply(op, output: list) -> None:
    if op[0] == "unary":
        operand = output.pop()
        output.append(ast.UnOp(op[1], operand, op[2]))
    else:
        right = output.pop()
        left = output.pop()
        output.append(ast.BinOp(op[1], left, right))
