"""The nginx parser: token for token with crossplane's lexer where nginx and crossplane agree, exact spans,
nginx's own verdicts on syntax (checked against `nginx -t` when it is installed), and no recursion limit."""
from __future__ import annotations

import subprocess
from pathlib import Path

import crossplane
import pytest

from lintkit import LOAD_LUA_MODULES, NGINX, ROOT, nginx_missing
from nginxlint.findings import Span
from nginxlint.nginx.directives import LUA_BLOCK_DIRECTIVES
from nginxlint.nginx.parser import parse

PLAIN = """user nginx;
worker_processes 2;
events { worker_connections 1024; }
http {
    log_format main '$remote_addr - "$request" $status';
    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    server {
        listen 80 default_server;
        server_name example.com "*.example.org";
        if ($request_uri ~* "\\.(php|asp)$") { return 403; }
        location ~ ^/(api|v1)/ { proxy_set_header Host $host; proxy_pass http://backend; }
        location / { try_files $uri $uri/ =404; add_header X-Frame-Options "SAMEORIGIN" always; }
        # a comment { with braces }
    }
}
"""


def _tokens(parsed):
    """Our tree back to crossplane's (value, line) token stream (comments included). crossplane keeps backslash
    escapes as written except an escaped quote inside quotes; nginx (and we) undo `\\n`, `\\t` and others too."""
    out = []
    for span, text in parsed.comments:
        out.append((span.line, span.column, text))

    def walk(directives):
        for d in directives:
            out.append((d.span.line, d.span.column, d.name))
            for i, (raw, span) in enumerate(zip(d.raw_args, d.arg_spans)):
                quote = d._index.text[d.arg_offset(i)]
                if quote in "\"'":
                    raw = raw.replace("\\" + quote, quote)
                out.append((span.line, span.column, raw))
            out.append((d.end.line, d.end.column, "{" if d.block is not None else ";"))
            if d.block is not None:
                walk(d.block)
                out.append((d.block_end.line, d.block_end.column, "}"))

    walk(parsed.directives)
    return [(line, value) for line, _, value in sorted(out)]


def _crossplane_tokens(path: Path):
    return [(line, token) for token, line, _ in crossplane.lex(str(path))]


def _plain_samples():
    """Sample configs without Lua blocks (crossplane's Lua lexer is known to differ from nginx's)."""
    for path in sorted((ROOT / "samples").rglob("*.conf")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "_by_lua_block" not in text and "expect: NGX001" not in text:
            yield path


@pytest.mark.parametrize("name", ["plain", *[str(p.relative_to(ROOT)) for p in _plain_samples()]])
def test_tokens_agree_with_crossplane(name, tmp_path):
    path = tmp_path / "nginx.conf" if name == "plain" else ROOT / name
    if name == "plain":
        path.write_text(PLAIN)
    parsed = parse(path.read_text(encoding="utf-8"))
    assert parsed.problem is None
    assert _tokens(parsed) == _crossplane_tokens(path)


def test_spans_are_exact():
    parsed = parse('http {\n  server_name a "b c";\n}\n')
    server_name = parsed.directives[0].block[0]
    assert server_name.span == Span(2, 3, 2, 14)
    assert server_name.arg_spans == [Span(2, 15, 2, 16), Span(2, 17, 2, 22)]
    assert server_name.args == ["a", "b c"]


def test_lua_block_body_and_position():
    parsed = parse('http {\n  init_by_lua_block {\n    local s = "}"\n  }\n}\n', lua_blocks=LUA_BLOCK_DIRECTIVES)
    block = parsed.directives[0].block[0]
    assert block.lua.text == '\n    local s = "}"\n  '
    assert (block.lua.line, block.lua.column) == (2, 22)


def test_every_lua_block_directive_is_lexed_as_lua():
    for name in ("exit_worker_by_lua_block", "server_rewrite_by_lua_block", "ssl_client_hello_by_lua_block",
                 "precontent_by_lua_block", "proxy_ssl_verify_by_lua_block", "preread_by_lua_block"):
        parsed = parse(name + " { local t = [[ } ]] }\n", lua_blocks=LUA_BLOCK_DIRECTIVES)
        assert parsed.problem is None and parsed.directives[0].lua is not None, name


def test_escapes_follow_nginx():
    parsed = parse(r'return 200 "a\"b\\c\n"; set $x a\ b;')
    assert parsed.directives[0].args == ["200", 'a"b\\c\n']
    assert parsed.directives[1].args == ["$x", "a\\ b"]


def test_gbk_bytes_keep_positions():
    from nginxlint.sources import decode

    text = decode("# 注释\n".encode("gbk") + b"  worker_processes 2;\n")
    parsed = parse(text)
    assert parsed.directives[0].span == Span(2, 3, 2, 19)


def test_crlf_and_lone_cr_line_endings():
    from nginxlint.sources import decode

    for ending in (b"\r\n", b"\r"):
        parsed = parse(decode(ending.join([b"events {}", b"  worker_processes 2;", b""])))
        assert parsed.directives[1].span == Span(2, 3, 2, 19)


def test_deep_nesting_needs_no_recursion():
    depth = 5000
    parsed = parse("a {" * depth + "}" * depth)
    assert parsed.problem is None


# text -> (line nginx reports, line nginxlint reports). At the end of the file nginx can only name the last line;
# nginxlint points at what is left open (the block's "{", the unterminated directive), where the fix starts.
SYNTAX_CASES = {
    "unexpected_brace": ("events {}\n}\n", 2, 2),
    "unclosed_block": ("events {\n", 2, 1),
    "missing_semicolon": ("events {}\nworker_processes 2\n", 3, 2),
    "text_after_quote": ('events {}\nworker_processes "2"x;\n', 2, 2),
    "unclosed_lua": ("events {}\nhttp {\n init_by_lua_block {\n local t = {\n}\n", 4, 3),
    "unclosed_long_bracket": ("events {}\nhttp {\n init_by_lua_block {\n local s = [==[ x ]] }\n}\n", None, 4),
    "lua_quote_open_on_line": ('events {}\nhttp {\n init_by_lua_block { local s = "a }\n}\n', None, None),
    "lua_long_comment": ("events {}\nhttp {\n init_by_lua_block { --[[ }\n ]] }\n}\n", None, None),
}

@pytest.mark.skipif(nginx_missing() is not None, reason=str(nginx_missing()))
@pytest.mark.parametrize("case", sorted(SYNTAX_CASES))
def test_syntax_verdicts_agree_with_nginx(case, tmp_path):
    text, nginx_line, line = SYNTAX_CASES[case]
    conf = tmp_path / "conf"
    conf.mkdir()
    (tmp_path / "logs").mkdir()
    (conf / "nginx.conf").write_text(text)
    load = LOAD_LUA_MODULES + " pid logs/nginx.pid;"
    run = subprocess.run([NGINX, "-t", "-p", f"{tmp_path}/", "-c", "conf/nginx.conf", "-g", load, "-e", "stderr"],
                         capture_output=True, text=True, timeout=30)
    parsed = parse(text, lua_blocks=LUA_BLOCK_DIRECTIVES)
    nginx_syntax_error = "syntax is ok" not in run.stderr
    assert (parsed.problem is not None) == nginx_syntax_error, run.stderr
    if nginx_line is not None:
        assert f"nginx.conf:{nginx_line}" in run.stderr
    if line is not None:
        assert parsed.problem.span.line == line


def test_a_token_longer_than_nginx_config_buffer_is_a_syntax_error():
    head = "events {}\nhttp {\n    server {\n        location / { return 200 "
    short = parse(head + "w" * 4000 + "; }\n    }\n}\n" + "# end\n" * 800)
    assert short.problem is None
    long = parse(head + "w" * 5000 + "; }\n    }\n}\n" + "# end\n" * 800)
    assert long.problem.message.startswith('too long parameter "wwwwwwwwww..." started')
    assert (long.problem.span.line, long.problem.span.column) == (4, 33)
    # nginx's bytes are not known (a masked template, CRLF line ends): no claim
    assert parse(head + "w" * 5000 + "; }\n    }\n}\n" + "# end\n" * 800, exact=False).problem is None


def test_a_lua_long_string_must_close_inside_nginx_config_buffer():
    def block(length: int) -> str:
        return ("events {}\nhttp { server { location / {\n    content_by_lua_block {\n        local s = [==["
                + "x" * length + "]==]\n        ngx.say(s)\n    }\n} } }\n" + "# end\n" * 800)

    assert parse(block(1500), lua_blocks=LUA_BLOCK_DIRECTIVES).problem is None
    problem = parse(block(4100), lua_blocks=LUA_BLOCK_DIRECTIVES).problem
    assert problem.message.startswith('Lua code block missing the closing long bracket "]==]", the inlined Lua code '
                                      "may be too long")
    assert (problem.span.line, problem.span.column) == (4, 19)


def test_a_long_token_whose_buffer_edge_falls_inside_a_character_is_too_long_not_a_hang():
    for text in ("a " + "中" * 1400 + ";\n", "set $x " + "中" * 1366 + "é;\n"):
        problem = parse(text).problem
        assert problem is not None and problem.message.startswith("too long parameter"), problem
