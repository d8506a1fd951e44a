"""Parser acceptance, rejection with LuaJIT's messages and exact positions, and AST shape."""

from __future__ import annotations

import pickle

import pytest

from lua_corpus import INVALID, MODES, VALID
from nginxlint.lua import ast
from nginxlint.lua.parser import LuaSyntaxError, parse


@pytest.mark.parametrize("source", VALID)
def test_accepts_valid_lua(source):
    chunk = parse(source)
    assert isinstance(chunk, ast.Chunk)


@pytest.mark.parametrize("source,message,line", INVALID)
def test_rejects_with_luajit_message(source, message, line):
    with pytest.raises(LuaSyntaxError) as caught:
        parse(source)
    assert caught.value.message == message
    assert caught.value.end_line == line


def _outcome(source: str, lua52: bool):
    try:
        parse(source, lua52=lua52)
    except LuaSyntaxError as error:
        return error.message, error.end_line
    return None


@pytest.mark.parametrize("source,lua51,lua52", MODES)
def test_lua52_compat_and_lua51_mode_differ_as_luajit_does(source, lua51, lua52):
    assert _outcome(source, lua52=True) == lua52
    assert _outcome(source, lua52=False) == lua51


@pytest.mark.parametrize("source,span", [
    ("x = = 1", (1, 5, 1, 6)),
    ("local x =\n  )", (2, 3, 2, 4)),
    ("if x then", (1, 10, 1, 10)),
    ("x = 'é' + @", (1, 11, 1, 12)),  # columns count code points, not bytes
    ('x = "abc\ny"', (1, 5, 1, 9)),
    ("x = 0x", (1, 5, 1, 7)),
    ("goto nowhere", (1, 1, 1, 13)),
    ("::a:: ::a::", (1, 7, 1, 12)),
])
def test_error_positions(source, span):
    with pytest.raises(LuaSyntaxError) as caught:
        parse(source)
    assert caught.value.span == span


@pytest.mark.parametrize("source,span", [
    ("local goto = 1", (1, 7, 1, 11)),
    ("x = t.goto", (1, 7, 1, 11)),
    ("x = {goto = 1}", (1, 6, 1, 10)),
    ("goto = 1", (1, 6, 1, 7)),
    ("while x do\n  break\n  ::a:: ::a::\nend", (3, 9, 3, 14)),
])
def test_lua52_error_positions(source, span):
    with pytest.raises(LuaSyntaxError) as caught:
        parse(source)
    assert caught.value.span == span


def test_lua51_mode_error_positions():
    with pytest.raises(LuaSyntaxError) as caught:
        parse("f(a)\n(g)", lua52=False)
    assert caught.value.span == (2, 1, 2, 2)
    with pytest.raises(LuaSyntaxError) as caught:
        parse("while x do\n  break\n  ::continue::\nend", lua52=False)
    assert caught.value.span == (3, 3, 3, 5)


def test_error_is_picklable_and_printable():
    with pytest.raises(LuaSyntaxError) as caught:
        parse("x = ")
    error = pickle.loads(pickle.dumps(caught.value))
    assert (error.message, error.span) == ("unexpected symbol near '<eof>'", (1, 5, 1, 5))
    assert str(error) == "1:5: unexpected symbol near '<eof>'"


def _expr(source):
    stmt = parse("x = " + source).body[0]
    assert isinstance(stmt, ast.Assign)
    return stmt.values[0]


def _shape(node):
    if isinstance(node, ast.BinOp):
        return (node.op, _shape(node.left), _shape(node.right))
    if isinstance(node, ast.UnOp):
        return (node.op, _shape(node.operand))
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.Number):
        return node.raw
    if isinstance(node, ast.Paren):
        return _shape(node.expr)
    raise AssertionError(type(node))


@pytest.mark.parametrize("source,shape", [
    ("a + b * c", ("+", "a", ("*", "b", "c"))),
    ("a * b + c", ("+", ("*", "a", "b"), "c")),
    ("a - b - c", ("-", ("-", "a", "b"), "c")),
    ("a .. b .. c", ("..", "a", ("..", "b", "c"))),
    ("a ^ b ^ c", ("^", "a", ("^", "b", "c"))),
    ("-a ^ b", ("-", ("^", "a", "b"))),
    ("2 ^ -3 ^ 2", ("^", "2", ("-", ("^", "3", "2")))),
    ("not a == b", ("==", ("not", "a"), "b")),
    ("a or b and c", ("or", "a", ("and", "b", "c"))),
    ("a < b .. c", ("<", "a", ("..", "b", "c"))),
    ("a + b .. c + d", ("..", ("+", "a", "b"), ("+", "c", "d"))),
    ("#t + 1", ("+", ("#", "t"), "1")),
    ("- - a", ("-", ("-", "a"))),
    ("(a + b) * c", ("*", ("+", "a", "b"), "c")),
])
def test_operator_priorities(source, shape):
    assert _shape(_expr(source)) == shape


def test_ast_positions_and_values():
    text = 'local t = { name = "v", [k] = 2, 3 }\nngx.shared["a-b"]:get(x)'
    chunk = parse(text)
    local, call = chunk.body
    table = local.values[0]
    assert [type(key).__name__ if key else None for key, _ in table.items] == ["Name", "Name", None]
    assert table.field("name").value == "v"
    method = call.call
    assert isinstance(method, ast.MethodCall) and method.name.name == "get"
    key = method.obj.key
    assert isinstance(key, ast.String) and key.value == "a-b"
    assert text[key.start:key.end] == '"a-b"'


@pytest.mark.parametrize("raw,value", [
    ('"a\\tb"', "a\tb"),
    ('"\\65\\066"', "AB"),
    ('"\\x41"', "A"),
    ('"\\u{48}\\u{49}"', "HI"),
    ('"a\\z   \n  b"', "ab"),
    ("'it\\'s'", "it's"),
    ("[[\nfirst newline dropped]]", "first newline dropped"),
    ("[==[a]]b]==]", "a]]b"),
])
def test_string_values(raw, value):
    assert _expr(raw).value == value


def test_break_may_be_followed_by_statements_and_labels():
    """OpenResty's opm server: `break` then the `::continue::` label a goto in the same loop jumps to."""
    source = "for i = 1, 3 do\n  if f(i) then goto continue end\n  break\n  ::continue::\nend\nx = 1"
    chunk = parse(source)
    loop = chunk.body[0]
    assert [type(stmt) for stmt in loop.body] == [ast.If, ast.Break, ast.Label]
    assert (loop.body[1].start, loop.body[2].start) == (source.index("break"), source.index("::continue::"))
    assert isinstance(chunk.body[1], ast.Assign)


def test_semicolons_are_empty_statements():
    chunk = parse(";; x = 1 ;; ::a:: ; ; ::b:: ; y = 2 ;")
    assert [type(stmt) for stmt in chunk.body] == [ast.Assign, ast.Label, ast.Label, ast.Assign]


def test_a_call_may_continue_on_the_next_line():
    call = parse("local x = f\n(g)").body[0].values[0]
    assert isinstance(call, ast.Call) and call.func.name == "f" and call.args[0].name == "g"


def test_goto_is_a_name_unless_a_name_follows_in_lua51_mode():
    chunk = parse("local goto = 1\ngoto = goto + 1\ndo goto skip end ::skip::", lua52=False)
    assert isinstance(chunk.body[0], ast.Local) and chunk.body[0].names[0].name == "goto"
    assert isinstance(chunk.body[1], ast.Assign)
    assert isinstance(chunk.body[2].body[0], ast.Goto)


def test_method_definitions_are_marked():
    stmt = parse("function a.b:c(x) end").body[0]
    assert stmt.func.is_method and [p.name for p in stmt.func.params] == ["x"]
    assert stmt.target.key.name == "c" and stmt.target.obj.key.name == "b"


@pytest.mark.parametrize("depth", [150, 190])
def test_nesting_within_luajit_limits_parses(depth):
    parse("x = " + "(" * depth + "1" + ")" * depth)
    parse("do " * depth + "end " * depth)
    parse("x = " + "{" * depth + "}" * depth)


@pytest.mark.parametrize("source", [
    "x = " + "(" * 1000 + "1" + ")" * 1000,
    "do " * 1000 + "end " * 1000,
    "x = " + "{" * 1000 + "}" * 1000,
    "x = " + "- " * 1000 + "1",
    "x = a" + " .. a" * 1000,
    "x = " + "function() return " * 1000 + "1" + " end" * 1000,
    "x = " + "f(" * 1000 + ")" * 1000,
])
def test_deep_nesting_is_a_syntax_error_not_a_crash(source):
    with pytest.raises(LuaSyntaxError) as caught:
        parse(source)
    assert caught.value.message == "chunk has too many syntax levels"


def test_long_concatenation_chain_within_limits():
    chunk = parse("x = a" + " .. a" * 150)
    assert isinstance(chunk.body[0].values[0], ast.BinOp)


def test_crlf_and_unicode_positions():
    with pytest.raises(LuaSyntaxError) as caught:
        parse("local s = 'ü'\r\nlocal = 1")
    assert caught.value.span == (2, 7, 2, 8)
