"""Regexes found in directives, what they are matched against, and pattern offsets mapped back to the file."""
from __future__ import annotations

import pytest

from nginxlint.nginx.directives import LUA_BLOCK_DIRECTIVES
from nginxlint.nginx.parser import parse, unescape
from nginxlint.nginx.wordmap import value_offsets, value_span
from nginxlint.regex.sites import sites_of_directive

CONFIG = r"""http {
    map $uri $target {
        default        0;
        ~^/a(?<n>.*)   1;
        "~*^/B\.c"     2;
        \~literal      3;
    }
    map $http_host$uri $both { ~x 1; }
    server {
        server_name  example.com ~^(?<sub>[a-z]+)\.example\.com$ ~^WWW\.;
        location ~* "\.php$" { }
        location ~\.(gif|png)$ { }
        location ~*\.txt$ { }
        location ^~ /static/ { }
        location /plain { }
        if ($http_user_agent ~* "bot\d") { return 403; }
        if ( $request_uri !~ ^/x ) { }
        if ($uri ~ ^/y(z)) { }
        if (-f $request_filename) { }
        rewrite ^/old/(.*)$ /new/$1 permanent;
        valid_referers none blocked ~\.google\.;
        fastcgi_split_path_info ^(.+?\.php)(/.*)$;
        proxy_redirect ~*^http://up/(.*)$ /$1;
        gzip_disable "msie6" "MSIE [4-6]\.";
    }
}
"""


def all_sites(text: str):
    found = []

    def walk(directives, parent=None):
        for d in directives:
            found.extend(sites_of_directive(d, parent))
            if d.block:
                walk(d.block, d)

    walk(parse(text, lua_blocks=LUA_BLOCK_DIRECTIVES).directives)
    return found


def test_every_regex_form_is_found_with_its_flags_and_subject():
    got = [(s.directive.name, s.pattern, s.caseless, s.subject) for s in all_sites(CONFIG)]
    assert got == [
        ("~^/a(?<n>.*)", "^/a(?<n>.*)", False, "uri"),
        ("~*^/B\\.c", "^/B\\.c", True, "uri"),
        ("~x", "x", False, None),  # the map's source is not one variable
        ("server_name", "^(?<sub>[a-z]+)\\.example\\.com$", False, "host"),
        ("server_name", "^WWW\\.", True, "host"),  # an upper-case letter makes nginx compile it caseless
        ("location", "\\.php$", True, "uri"),
        ("location", "\\.(gif|png)$", False, "uri"),
        ("location", "\\.txt$", True, "uri"),
        ("if", "bot\\d", True, "http_user_agent"),
        ("if", "^/x", False, "request_uri"),
        ("if", "^/y(z)", False, "uri"),
        ("rewrite", "^/old/(.*)$", False, "uri"),
        ("valid_referers", "\\.google\\.", True, "http_referer"),
        ("fastcgi_split_path_info", "^(.+?\\.php)(/.*)$", False, "uri"),
        ("proxy_redirect", "^http://up/(.*)$", True, "upstream_http_location"),
        ("gzip_disable", "MSIE [4-6]\\.", True, "http_user_agent"),
    ]


def _column_text(text: str, span) -> str:
    lines = text.split("\n")
    assert span.line == span.end_line
    return lines[span.line - 1][span.column - 1:span.end_column - 1]


def test_spans_point_at_the_pattern_text_in_the_file():
    for site in all_sites(CONFIG):
        written = _column_text(CONFIG, site.span())
        assert unescape(written) == site.pattern, site
    sites = {s.pattern: s for s in all_sites(CONFIG)}
    php = sites["^(.+?\\.php)(/.*)$"]
    group = php.parse().captures[1]
    assert _column_text(CONFIG, php.span(group.start, group.end)) == "(/.*)"
    assert _column_text(CONFIG, sites["^/y(z)"].span(3, 6)) == "(z)"
    assert _column_text(CONFIG, sites["^/a(?<n>.*)"].span(3)) == "("


def test_escapes_inside_quotes_shift_positions():
    text = 'location ~ "^/a\\"b\\\\.(x" {}\n'
    (site,) = all_sites(text)
    assert site.pattern == '^/a"b\\.(x'
    error = site.error()
    assert (error.message, error.offset) == ("missing closing parenthesis", len(site.pattern))
    # the group's "(" is the 8th character of the pattern; in the file it sits after the two escapes
    span = site.span(7, 8)
    assert text[span.column - 1] == "(" and span.column == 22
    assert error.nginx_message(site.pattern) == 'pcre2_compile() failed: missing closing parenthesis in "^/a"b\\.(x"'


def test_a_multi_line_pattern_maps_each_line():
    text = 'location ~ "(?x) ^/api\n   /v(\\d+) $" {}\n'
    (site,) = all_sites(text)
    group = site.parse().captures[0]
    span = site.span(group.start, group.end)
    assert (span.line, span.column, span.end_column) == (2, 6, 11)  # "(\\d+)" on the second line


@pytest.mark.parametrize("raw", ["plain", 'a\\"b', "a\\\\b", "\\d\\w", "x\\ty\\n", "\\", "a\\"])
def test_value_offsets_find_the_character_that_wrote_each_value_character(raw):
    value = unescape(raw)
    offsets = value_offsets(raw)
    assert len(offsets) == len(value) + 1 and offsets[-1] == len(raw)
    for k, char in enumerate(value):
        written = raw[offsets[k]]
        assert written == char or (written == "\\" and unescape(raw[offsets[k]:offsets[k] + 2])[:1] == char)


def test_value_span_of_the_name_and_clamping():
    d = parse('"~*^/B" 1;').directives[0]
    assert value_span(d, None, 3, 5) == value_span(d, None, 3, 5)
    assert (value_span(d, None, 3, 5).column, value_span(d, None, 3, 5).end_column) == (5, 7)
    beyond = value_span(d, None, 40, 50)
    assert beyond.column == 7


def test_regex_sites_of_a_config_tree(tmp_path):
    from lintkit import write_tree
    from nginxlint.regex.sites import regex_sites
    from nginxlint.settings import Settings
    from nginxlint.workspace import load_workspace

    write_tree(tmp_path, {
        "nginx.conf": "events {}\nhttp {\n  include maps.conf;\n  server {\n    location ~ \"^/(a\" { }\n  }\n}\n",
        "maps.conf": "map $http_user_agent $bot {\n  ~*(googlebot|bingbot) 1;\n}\n",
    })
    (tree,) = load_workspace([tmp_path], Settings(), tmp_path).trees
    found = [(node.name, node.file.display, site.pattern, site.subject) for node, site in regex_sites(tree)]
    assert found == [("~*(googlebot|bingbot)", "maps.conf", "(googlebot|bingbot)", "http_user_agent"),
                     ("location", "nginx.conf", "^/(a", "uri")]
    assert regex_sites(tree) is regex_sites(tree)  # one walk per tree, however many rules ask
    (_, broken) = [site for _, site in regex_sites(tree)]
    error = broken.error()
    assert error.nginx_message(broken.pattern) == 'pcre2_compile() failed: missing closing parenthesis in "^/(a"'
    # the offset is the end of the pattern: the span is the closing quote, where the ")" is missing
    assert tuple(broken.span(error.offset)) == (5, 21, 5, 22)


ORACLE_SERVER = r"""
    server_name ~^(?<sub>Abc)\.test$ ~^lower\.test$;
    location /ref/ { valid_referers ~EXAMPLE\.com; if ($invalid_referer) { return 403; } return 200 "ok"; }
    location /gz/ { gzip on; gzip_http_version 1.0; gzip_min_length 1; gzip_types text/plain;
                    gzip_disable "CURLX"; default_type text/plain; return 200 "hello hello hello hello"; }
    location ~* ^/CI/ { return 200 "ci"; }
    location ~ ^/CS/ { return 200 "cs"; }
    location /if/ { if ($http_x_t ~* "^YES$") { return 200 "yes"; } return 200 "no"; }
"""


def _ask(port: int, raw: bytes) -> bytes:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(raw)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return data


def test_caseless_flags_match_what_nginx_does():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "oracle"))
    try:
        import nginx_harness as harness
    finally:
        sys.path.pop(0)
    if harness.NGINX is None:
        pytest.skip("nginx is not installed")
    flags = {(s.directive.name, s.pattern): s.caseless for s in all_sites("server {" + ORACLE_SERVER + "}")}
    assert flags == {("server_name", r"^(?<sub>Abc)\.test$"): True, ("server_name", r"^lower\.test$"): False,
                     ("valid_referers", r"EXAMPLE\.com"): True, ("gzip_disable", "CURLX"): True,
                     ("location", "^/CI/"): True, ("location", "^/CS/"): False, ("if", "^YES$"): True}
    conf = ("pid logs/nginx.pid;\nerror_log logs/error.log;\nevents {}\nhttp {\n  access_log off; "
            + " ".join(f"{name}_temp_path tmp/{name};" for name in harness.TEMP_PATHS)
            + "\n  server {\n    listen 127.0.0.1:{port};" + ORACLE_SERVER + "  }\n"
            + "  server { listen 127.0.0.1:{port} default_server; return 200 'default'; }\n}\n")
    with harness.Nginx({"conf/nginx.conf": conf}) as nginx:
        started = nginx.start()
        assert started.status == 0, started.stderr
        port = nginx.port
        assert _ask(port, b"GET /ref/ HTTP/1.0\r\nHost: abc.test\r\n\r\n").startswith(b"HTTP/1.1 403")
        assert b"200 OK" in _ask(port, b"GET /ref/ HTTP/1.0\r\nHost: abc.test\r\nReferer: http://example.com/\r\n\r\n")
        gzip = b"GET /gz/ HTTP/1.0\r\nHost: abc.test\r\nAccept-Encoding: gzip\r\nUser-Agent: "
        assert b"Content-Encoding: gzip" not in _ask(port, gzip + b"curlx/1\r\n\r\n")
        assert b"Content-Encoding: gzip" in _ask(port, gzip + b"other/1\r\n\r\n")
        assert _ask(port, b"GET /ci/ HTTP/1.0\r\nHost: abc.test\r\n\r\n").endswith(b"ci")
        assert not _ask(port, b"GET /cs/ HTTP/1.0\r\nHost: abc.test\r\n\r\n").endswith(b"cs")
        assert _ask(port, b"GET /if/ HTTP/1.0\r\nHost: abc.test\r\nX-T: yes\r\n\r\n").endswith(b"yes")
        # server_name: nginx lower-cases the host, so "Abc" only matches because a capital makes it caseless
        assert _ask(port, b"GET /ci/ HTTP/1.0\r\nHost: ABC.test\r\n\r\n").endswith(b"ci")
        assert _ask(port, b"GET /ci/ HTTP/1.0\r\nHost: LOWER.test\r\n\r\n").endswith(b"ci")
