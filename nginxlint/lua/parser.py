"""Lua parser: recursive descent in the shape of LuaJIT's own (lj_parse.c), building the light AST.

``parse(text)`` returns an ``ast.Chunk`` or raises ``LuaSyntaxError``. It reads Lua as OpenResty's LuaJIT
does: built with LUAJIT_ENABLE_LUA52COMPAT, where lj_parse.c's ``LJ_52`` lets statements follow ``break``,
makes ``;`` a statement, reserves ``goto`` and drops the "ambiguous syntax" check (``lua52=False``: plain
Lua 5.1 mode, as Debian's luajit). Each function below mirrors
the lj_parse.c function it names, so a chunk is rejected where LuaJIT rejects it, with LuaJIT's
words: the same checks in the same order, on the same token, and the same syntax levels (a chunk
nested 200 levels deep is "chunk has too many syntax levels"). That cap also bounds the Python
recursion: a level costs two or three frames, so the deepest chunk LuaJIT accepts stays well within
Python's default limit.
"""

from __future__ import annotations

from ..gcpause import collector_paused
from . import ast
from .errors import LuaSyntaxError, syntax_error
from .labels import check_labels
from .lexer import _Lexer, shown

__all__ = ["parse", "LuaSyntaxError"]

LJ_MAX_XLEVEL = 200  # lj_def.h: the syntax levels LuaJIT accepts, the main chunk included
LJ_MAX_LOCVAR = 200  # lj_def.h: locals active at once in one function (loop control variables included)
LJ_MAX_UPVAL = 120  # OpenResty's luajit2 (upstream LuaJIT: 60)

# Binary operator priorities, left and right, as in lj_parse.c ('..' and '^' are right associative).
_LEFT = {
    "OR": 1, "AND": 2, "LT": 3, "GT": 3, "LE": 3, "GE": 3, "NE": 3, "EQEQ": 3, "CONCAT": 5,
    "PLUS": 6, "MINUS": 6, "STAR": 7, "SLASH": 7, "PERCENT": 7, "CARET": 10,
}
_RIGHT = dict(_LEFT, CONCAT=4, CARET=9)
_UNARY_PRIORITY = 8
_UNARY = frozenset(("NOT", "MINUS", "HASH"))
_BLOCK_END = frozenset(("ELSE", "ELSEIF", "END", "UNTIL", "$END"))  # parse_isend
_SUFFIX = frozenset(("DOT", "LSQB", "COLON", "LPAR", "STRING", "LBRACE"))
# Operands of one token, and the node each makes.
_LITERALS = {"NAME": ast.Name, "STRING": ast.String, "NUMBER": ast.Number, "NIL": ast.Constant,
             "TRUE": ast.Constant, "FALSE": ast.Constant}
# lj_lex_token2str: how a token kind is named in "'x' expected".
_SHOWN = {
    "NAME": "<name>", "$END": "<eof>",
    "END": "end", "UNTIL": "until", "THEN": "then", "DO": "do", "IN": "in", "EQ": "=",
    "RPAR": ")", "RSQB": "]", "RBRACE": "}", "LPAR": "(", "LBRACE": "{", "COMMA": ",",
    "DBCOLON": "::", "FUNCTION": "function", "IF": "if", "WHILE": "while", "FOR": "for",
    "REPEAT": "repeat",
}


def parse(text: str, lua52: bool = True) -> ast.Chunk:
    """Parse a Lua chunk. Raises LuaSyntaxError (LuaJIT's wording) on invalid input. ``lua52``: as LuaJIT
    built with LUAJIT_ENABLE_LUA52COMPAT (every OpenResty package) reads it, else as Lua 5.1 mode."""
    # The AST has no reference cycles; pausing the cyclic GC spares its repeated scans of the
    # fast-growing node graph (a third of the parse time on large files).
    with collector_paused():
        return _parse(text, lua52)


def _parse(text: str, lua52: bool) -> ast.Chunk:
    parser = _Parser(_Lexer(text, lua52))
    body = parser.chunk(scoped=False)
    if parser.kind != "$END":
        raise parser.expected("$END")
    if parser.jumps:
        check_labels([body] + [f.body for f in parser.functions], parser.lines)
    return ast.Chunk(body, text)


def _near(tok) -> str:
    if tok[0] == "$END":
        return "<eof>"
    if tok[0] == "STRING":
        return shown(tok[1])
    if tok[0] == "OTHER" and (ord(tok[1]) < 32 or ord(tok[1]) == 127):
        return f"char({ord(tok[1])})"
    return tok[1]


def _name(tok) -> ast.Name:
    return ast.Name(tok[1], tok[2], tok[3])


class _Function:
    """A function being parsed, as LuaJIT's limits see it. ``at``: the token whose line names it (None for the
    main chunk), ``active``: its locals in sight, ``upvalues``: the enclosing functions' locals it uses."""

    __slots__ = ("parent", "at", "active", "upvalues")

    def __init__(self, parent, at):
        self.parent, self.at = parent, at
        self.active = 0
        self.upvalues: set[int] = set()


class _Parser:
    """The parse state: the token list, the current token, syntax levels, what LuaJIT's limits count, and the
    functions the label checks need."""

    __slots__ = ("lua52", "newline_parens", "lines", "toks", "pos", "tok", "kind", "level", "vararg",
                 "functions", "jumps", "lex_error", "fn", "scope", "declared", "variables")

    def __init__(self, lexer: _Lexer):
        self.lua52 = lexer.lua52
        self.newline_parens = lexer.newline_parens  # '(' tokens that start a line: "ambiguous syntax"
        self.lines = lexer.lines
        # All tokens up front. A lexical error becomes a last token of kind "$ERROR": no rule accepts
        # it, and it is raised when the parser reaches it, where LuaJIT's lexer would have met it.
        self.toks, self.lex_error = lexer.token_list()
        self.pos = 0
        self.tok = self.toks[0]
        self.kind = self.tok[0]
        self.level = 0
        self.vararg = True  # is the function being parsed vararg? The main chunk is.
        self.functions: list[ast.Function] = []  # every function built, for the label checks
        self.jumps = False  # any goto, label or break seen
        # What LuaJIT's limits count: the function being parsed, each visible local name's innermost
        # declaration (its number and function), and the locals activated in the current block.
        self.fn = _Function(None, None)
        self.scope: dict[str, list[tuple[int, _Function]]] = {}
        self.declared: list = []
        self.variables = 0

    # ---- tokens and errors -------------------------------------------------------------------

    def next(self):
        """Consume the current token and return it."""
        tok = self.tok
        self.pos += 1
        self.tok = self.toks[self.pos]
        self.kind = self.tok[0]
        return tok

    def report(self, message: str, start: int | None = None) -> LuaSyntaxError:
        """An error at the current token (from ``start`` on, when given), or the lexical error that stopped the
        tokens there: LuaJIT's lexer would have met it first."""
        if self.kind == "$ERROR":
            return self.lex_error
        tok = self.tok
        return syntax_error(self.lines, message, tok[2] if start is None else start, tok[3])

    def error(self, message: str) -> LuaSyntaxError:
        """err_syntax: ``message near 'current token'``."""
        return self.report(f"{message} near '{_near(self.tok)}'")

    def expected(self, kind: str) -> LuaSyntaxError:
        """err_token"""
        return self.error(f"'{_SHOWN[kind]}' expected")

    def check(self, kind: str):
        """lex_check"""
        if self.kind != kind:
            raise self.expected(kind)
        return self.next()

    def match(self, kind: str, opener: str, at):
        """lex_match: the token closing a construct; ``at`` is the token that was current when it opened
        (LuaJIT's ``line``: where that token ends). Lines are computed only for the message."""
        if self.kind == kind:
            return self.next()
        line = self.lines.position(at[3])[0]
        if line == self.lines.position(self.tok[3])[0]:
            raise self.expected(kind)
        raise self.error(f"'{_SHOWN[kind]}' expected (to close '{_SHOWN[opener]}' at line {line})")

    def name(self) -> ast.Name:
        """lex_str"""
        if self.kind != "NAME" and not self.at_goto_name():
            raise self.expected("NAME")
        return _name(self.next())

    def at_goto_name(self) -> bool:
        """Is the current token a 'goto' read as a name? Only in Lua 5.1 mode, where the lexer makes it a keyword
        when a name follows, and lex_str still takes it."""
        return self.kind == "GOTO" and not self.lua52

    def enter(self) -> None:
        """synlevel_begin"""
        self.level += 1
        if self.level >= LJ_MAX_XLEVEL:
            raise self.too_deep()

    def too_deep(self) -> LuaSyntaxError:
        return self.report("chunk has too many syntax levels")  # LuaJIT names no token here, only the line

    # ---- locals and upvalues (var_new, var_add, var_lookup) -----------------------------------

    def new_local(self, n: int) -> None:
        """var_new: the ``n``-th variable (from 0) of a declaration being read must fit in its function."""
        if self.fn.active + n >= LJ_MAX_LOCVAR:
            raise self.limit(self.fn, LJ_MAX_LOCVAR, "local variables")

    def activate(self, names) -> None:
        """var_add: the names become visible (None: one of LuaJIT's hidden loop control variables)."""
        fn, scope = self.fn, self.scope
        for name in names:
            if name is not None:
                self.variables += 1
                scope.setdefault(name, []).append((self.variables, fn))
        self.declared.extend(names)
        fn.active += len(names)

    def open_scope(self) -> list:
        """fscope_begin: returns what close_scope needs."""
        outer, self.declared = self.declared, []
        return outer

    def close_scope(self, outer: list) -> None:
        """fscope_end: the block's locals go out of sight."""
        scope = self.scope
        for name in self.declared:
            if name is not None:
                stack = scope[name]
                stack.pop()
                if not stack:
                    del scope[name]
        self.fn.active -= len(self.declared)
        self.declared = outer

    def capture(self, variable: int, owner: _Function) -> None:
        """var_lookup_uv: a local of an enclosing function becomes an upvalue of every function in between."""
        chain = []
        fn = self.fn
        while fn is not owner:
            chain.append(fn)
            fn = fn.parent
        for fn in reversed(chain):  # outermost first, as LuaJIT's recursion adds them
            if variable not in fn.upvalues:
                if len(fn.upvalues) >= LJ_MAX_UPVAL:
                    raise self.limit(fn, LJ_MAX_UPVAL, "upvalues")
                fn.upvalues.add(variable)

    def reference(self, name: str) -> None:
        """var_lookup for a name read or assigned."""
        stack = self.scope.get(name)
        if stack is not None and stack[-1][1] is not self.fn:
            self.capture(*stack[-1])

    def limit(self, fn: _Function, limit: int, what: str) -> LuaSyntaxError:
        """err_limit"""
        where = "main function" if fn.at is None else f"function at line {self.lines.position(fn.at[3])[0]}"
        return self.report(f"{where} has more than {limit} {what}")

    # ---- blocks and statements ---------------------------------------------------------------

    def chunk(self, scoped: bool = True) -> list:
        """parse_chunk: statements up to a block end; 'return' must come last, and 'break' too in Lua 5.1 mode
        (LJ_52: a goto like any other, and ';' an empty statement). ``scoped``: in a
        scope of its own (parse_block; a function body and repeat-until keep their caller's, whose locals
        the parameters or the condition share). Not a helper around it: a frame less per syntax level."""
        outer = self.open_scope() if scoped else None
        self.enter()
        body = []
        append = body.append
        block_end = _BLOCK_END
        block_labels: set[str] = set()
        while self.kind not in block_end:
            kind = self.kind
            if kind == "RETURN" or kind == "BREAK":
                append(self.last_statement())
                if self.kind == "SEMI":
                    self.next()
                if kind == "RETURN" or not self.lua52:
                    break
                continue
            if kind == "SEMI" and self.lua52:
                self.next()
                continue
            if kind == "DBCOLON":
                run = self.labels(block_labels)
                body.extend(run)
                if self.kind == "SEMI":  # Lua 5.1 mode: the ';' ends the label run
                    self.next()
                    run[-1].semicolon = True
                continue
            # call_or_assign directly for the commonest statements: one Python frame less per level
            append(self.call_or_assign() if kind == "NAME" else self.statement())
            if self.kind == "SEMI":
                self.next()
        self.level -= 1
        if scoped:
            self.close_scope(outer)
        return body

    def last_statement(self):
        """parse_return and parse_break"""
        tok = self.next()
        if tok[0] == "BREAK":
            self.jumps = True
            return ast.Break(tok[2], tok[3])
        if self.kind in _BLOCK_END or self.kind == "SEMI":
            return ast.Return([], tok[2], tok[3])
        values = self.exprlist()
        return ast.Return(values, tok[2], values[-1].end)

    def statement(self):
        """parse_stmt (without 'return' and 'break')."""
        kind = self.kind
        if kind == "LOCAL":
            return self.local()
        if kind == "IF":
            return self.if_stat()
        if kind == "FUNCTION":
            return self.function_stat()
        if kind == "FOR":
            return self.for_stat()
        if kind == "WHILE":
            at = self.tok
            start = self.next()[2]
            cond = self.expr()
            self.check("DO")
            body = self.chunk()
            end = self.match("END", "WHILE", at)
            return ast.While(cond, body, start, end[3])
        if kind == "DO":
            at = self.tok
            start = self.next()[2]
            body = self.chunk()
            end = self.match("END", "DO", at)
            return ast.Do(body, start, end[3])
        if kind == "REPEAT":
            at = self.tok
            start = self.next()[2]
            outer = self.open_scope()  # the condition still sees the body's locals
            body = self.chunk(scoped=False)
            self.match("UNTIL", "REPEAT", at)
            cond = self.expr()
            self.close_scope(outer)
            return ast.Repeat(body, cond, start)
        if kind == "GOTO":  # the lexer made it a keyword (in Lua 5.1 mode: a name follows)
            self.jumps = True
            start = self.next()[2]
            return ast.Goto(self.name(), start)
        return self.call_or_assign()

    def call_or_assign(self):
        """parse_call_assign and parse_assignment"""
        target = self.suffixes(self.primary())
        kind = type(target)
        if kind is ast.Call or kind is ast.MethodCall:
            return ast.CallStat(target)
        targets = [target]
        while True:
            if kind is not ast.Name and kind is not ast.Index:
                raise self.error("syntax error")
            if self.kind != "COMMA":
                break
            self.next()
            target = self.suffixes(self.primary())
            kind = type(target)
            targets.append(target)
        self.check("EQ")
        return ast.Assign(targets, self.exprlist())

    def local(self):
        """parse_local"""
        start = self.next()[2]
        if self.kind == "FUNCTION":
            function = self.next()
            name = self.name()
            self.new_local(0)
            self.activate((name.name,))  # visible in its own body
            func = self.body(self.tok)
            func.start = function[2]
            return ast.LocalFunction(name, func, start)
        names = [self.name()]
        self.new_local(0)
        while self.kind == "COMMA":
            self.next()
            names.append(self.name())
            self.new_local(len(names) - 1)
        values = []
        if self.kind == "EQ":
            self.next()
            values = self.exprlist()
        self.activate([name.name for name in names])  # after the values: `local x = x` reads the outer x
        return ast.Local(names, values, start, (values or names)[-1].end)

    def if_stat(self):
        """parse_if and parse_then"""
        at = self.tok
        start = self.next()[2]
        cond = self.expr()
        self.check("THEN")
        clauses = [(cond, self.chunk())]
        while self.kind == "ELSEIF":
            self.next()
            cond = self.expr()
            self.check("THEN")
            clauses.append((cond, self.chunk()))
        orelse = None
        if self.kind == "ELSE":
            self.next()
            orelse = self.chunk()
        end = self.match("END", "IF", at)
        return ast.If(clauses, orelse, start, end[3])

    def for_stat(self):
        """parse_for, parse_for_num and parse_for_iter; three hidden control variables count as locals."""
        at = self.tok
        start = self.next()[2]
        var = self.name()
        outer = self.open_scope()
        if self.kind == "EQ":
            self.new_local(3)
            self.next()
            first = self.expr()
            self.check("COMMA")
            last = self.expr()
            step = None
            if self.kind == "COMMA":
                self.next()
                step = self.expr()
            self.activate((None, None, None))
            self.check("DO")
            self.activate((var.name,))
            body = self.chunk()
            end = self.match("END", "FOR", at)
            self.close_scope(outer)
            return ast.NumericFor(var, first, last, step, body, start, end[3])
        if self.kind != "COMMA" and self.kind != "IN":
            raise self.error("'=' or 'in' expected")
        self.new_local(3)
        names = [var]
        while self.kind == "COMMA":
            self.next()
            names.append(self.name())
            self.new_local(2 + len(names))
        self.check("IN")
        exprs = self.exprlist()
        self.activate((None, None, None))
        self.check("DO")
        self.activate([name.name for name in names])
        body = self.chunk()
        end = self.match("END", "FOR", at)
        self.close_scope(outer)
        return ast.GenericFor(names, exprs, body, start, end[3])

    def function_stat(self):
        """parse_func"""
        at = self.tok
        start = self.next()[2]
        target = self.name()
        self.reference(target.name)
        while self.kind == "DOT":
            self.next()
            name = self.name()
            target = ast.Index(target, name, True, target.start, name.end)
        method = self.kind == "COLON"
        if method:
            self.next()
            name = self.name()
            target = ast.Index(target, name, True, target.start, name.end)
        func = self.body(at, method)
        func.start = start
        return ast.FunctionStat(target, func, start)

    def labels(self, block_labels: set[str]) -> list:
        """parse_label: a label and the labels right after it (LJ_52: and the ';' between and after them),
        each one syntax level deeper. A name already used by a label of the same block is an error at once
        (the other goto and label checks need the whole function: nginxlint.lua.labels)."""
        self.jumps = True
        run = []
        level = self.level
        while True:
            start = self.next()[2]
            name = self.name()
            if name.name in block_labels:
                raise self.report(f"duplicate label '{name.name}'", start)
            block_labels.add(name.name)
            end = self.check("DBCOLON")
            run.append(ast.Label(name, start, end[3]))
            if self.lua52:
                while self.kind == "SEMI":
                    self.next()
            if self.kind != "DBCOLON":
                break
            self.enter()
        self.level = level
        return run

    # ---- functions ---------------------------------------------------------------------------

    def body(self, at, method: bool = False) -> ast.Function:
        """parse_body and parse_params: ``(params) block end``; ``at`` as in ``match``."""
        outer_fn = self.fn
        self.fn = _Function(outer_fn, at)
        outer = self.open_scope()
        self.check("LPAR")
        params = []
        vararg = False
        if self.kind != "RPAR":
            while True:
                kind = self.kind
                if kind == "NAME" or self.at_goto_name():
                    params.append(_name(self.next()))
                    self.new_local(len(params) - 1 + method)
                elif kind == "ELLIPSIS":
                    self.next()
                    vararg = True
                    break
                else:
                    raise self.error("<name> or '...' expected")
                if self.kind != "COMMA":
                    break
                self.next()
        self.activate((["self"] if method else []) + [param.name for param in params])
        self.check("RPAR")
        outer_vararg, self.vararg = self.vararg, vararg
        body = self.chunk(scoped=False)
        end = self.match("END", "FUNCTION", at)
        self.vararg = outer_vararg
        self.close_scope(outer)
        self.fn = outer_fn
        func = ast.Function(params, vararg, body, 0, end[3], method)
        self.functions.append(func)
        return func

    # ---- expressions -------------------------------------------------------------------------

    def exprlist(self) -> list:
        """expr_list"""
        values = [self.expr()]
        while self.kind == "COMMA":
            self.next()
            values.append(self.expr())
        return values

    def expr(self, limit: int = 0):
        """expr_binop, with expr_unop and expr_simple inlined: the operators binding tighter than ``limit``."""
        level = self.level + 1  # synlevel_begin, inlined
        if level >= LJ_MAX_XLEVEL:
            raise self.too_deep()
        self.level = level
        kind = self.kind
        literal = _LITERALS.get(kind)
        if literal is not None:  # one token: consumed inline, the hottest path of the parser
            tok = self.tok
            self.pos += 1
            self.tok = self.toks[self.pos]
            self.kind = self.tok[0]
            node = literal(tok[1], tok[2], tok[3])
            if kind == "NAME":
                stack = self.scope.get(tok[1])  # self.reference, inlined
                if stack is not None and stack[-1][1] is not self.fn:
                    self.capture(*stack[-1])
                if self.kind in _SUFFIX:
                    node = self.suffixes(node)
        elif kind in _UNARY:
            tok = self.next()
            node = ast.UnOp(tok[1], self.expr(_UNARY_PRIORITY), tok[2])
        elif kind == "LBRACE":
            node = self.table()
        elif kind == "FUNCTION":
            start = self.next()[2]
            node = self.body(self.tok)
            node.start = start
        elif kind == "ELLIPSIS":
            if not self.vararg:
                raise self.error("cannot use '...' outside a vararg function")
            tok = self.next()
            node = ast.Constant("...", tok[2], tok[3])
        else:
            node = self.suffixes(self.primary())
        left = _LEFT.get(self.kind)
        while left is not None and left > limit:
            right = _RIGHT[self.kind]
            op = self.next()[1]
            node = ast.BinOp(op, node, self.expr(right))
            left = _LEFT.get(self.kind)
        self.level = level - 1
        return node

    def primary(self):
        """expr_primary: a name or a parenthesized expression, then any suffixes."""
        kind = self.kind
        if kind == "NAME" or self.at_goto_name():
            node = _name(self.next())
            self.reference(node.name)
        elif kind == "LPAR":
            lpar = at = self.next()
            inner = self.expr()
            rpar = self.match("RPAR", "LPAR", at)
            node = ast.Paren(inner, lpar[2], rpar[3])
        else:
            raise self.error("unexpected symbol")
        return node

    def suffixes(self, node):
        """The suffix loop of expr_primary, with parse_args: fields, indexes, method calls and calls.
        (Argument lists are read here, not in a helper: nesting f(function() ... end) then costs
        fewer Python frames per LuaJIT level.)"""
        while True:
            kind = self.kind
            if kind == "DOT":
                self.next()
                name = self.name()
                node = ast.Index(node, name, True, node.start, name.end)
                continue
            if kind == "LSQB":
                self.next()
                key = self.expr()
                rsqb = self.check("RSQB")
                node = ast.Index(node, key, False, node.start, rsqb[3])
                continue
            method = None
            if kind == "COLON":
                self.next()
                method = self.name()
                kind = self.kind
            elif kind not in _SUFFIX:
                return node
            if kind == "LPAR":
                if self.tok[2] in self.newline_parens:  # Lua 5.1 mode only: LJ_52 has no such check
                    raise self.error("ambiguous syntax (function call x new statement)")
                at = self.next()
                args = []
                if self.kind != "RPAR":
                    args.append(self.expr())
                    while self.kind == "COMMA":
                        self.next()
                        args.append(self.expr())
                end = self.match("RPAR", "LPAR", at)[3]
            elif kind == "LBRACE":
                table = self.table()
                args, end = [table], table.end
            elif kind == "STRING":
                tok = self.next()
                args, end = [ast.String(tok[1], tok[2], tok[3])], tok[3]
            else:
                raise self.error("function arguments expected")
            if method is None:
                node = ast.Call(node, args, node.start, end)
            else:
                node = ast.MethodCall(node, method, args, node.start, end)

    def table(self) -> ast.Table:
        """expr_table"""
        at = self.tok
        start = self.next()[2]
        items = []
        while self.kind != "RBRACE":
            kind = self.kind
            if kind == "LSQB":
                self.next()
                key = self.expr()
                self.check("RSQB")
                self.check("EQ")
            elif (kind == "NAME" or self.at_goto_name()) and self.toks[self.pos + 1][0] == "EQ":
                key = _name(self.next())
                self.next()
            else:
                key = None
            items.append((key, self.expr()))
            if self.kind != "COMMA" and self.kind != "SEMI":
                break
            self.next()
        end = self.match("RBRACE", "LBRACE", at)
        return ast.Table(items, start, end[3])

