"""collect_units: every piece of Lua a deployment runs, with phase, subsystem and positions in the user's files."""
from __future__ import annotations

from pathlib import Path

import pytest

from nginxlint.openresty import units as units_module
from nginxlint.settings import Settings
from nginxlint.workspace import load_workspace


def load_tree(tmp_path: Path, files: dict[str, str], settings: Settings | None = None):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    settings = settings or Settings()
    settings.no_cache = True
    workspace = load_workspace([tmp_path], settings, tmp_path)
    (tree,) = [d for d in workspace.trees if d.root.display == "conf/nginx.conf"]
    return tree


def handlers(lua) -> list:
    return [u for u in lua.units if u.kind != "module"]


def modules(lua) -> list:
    return [u for u in lua.units if u.kind == "module"]


CONF = """\
events {}
http {
    lua_package_path "$prefix/lua/?.lua;;";
    init_worker_by_lua_block { require("metrics").init() }
    server {
        listen 8080;
        location /a { content_by_lua_block { local m = require "metrics"
            ngx.say(m.x) } }
        location /b { access_by_lua_file lua/access.lua; log_by_lua 'ngx.log(ngx.ERR, \\'it\\\\\\'s\\') x = ngx.shared.d'; }
        location /c { set_by_lua_block $v { return "1" } content_by_lua_file lua/$arg_f.lua; }
        location /d { rewrite_by_lua_file /opt/outside/rewrite.lua; }
    }
}
stream {
    lua_package_path "$prefix/lua/?.lua;;";
    server { listen 9000; content_by_lua_block { require("metrics") } }
}
"""
METRICS = 'local util = require "util"\nlocal _M = {}\nfunction _M.init() end\nreturn _M\n'
UTIL = 'local m = require "metrics"\nreturn {}\n'


@pytest.fixture
def tree(tmp_path):
    return load_tree(tmp_path, {"conf/nginx.conf": CONF, "lua/metrics.lua": METRICS, "lua/util.lua": UTIL,
                                 "lua/access.lua": "ngx.exit(ngx.OK)\n"})


def test_handlers_phases_and_subsystems(tree):
    lua = tree.lua
    found = [(u.kind, u.phase, u.subsystem, u.node.d.name) for u in handlers(lua)]
    assert found == [
        ("block", "init_worker", "http", "init_worker_by_lua_block"),
        ("block", "content", "http", "content_by_lua_block"),
        ("file", "access", "http", "access_by_lua_file"),
        ("string", "log", "http", "log_by_lua"),
        ("block", "set", "http", "set_by_lua_block"),
        ("block", "content", "stream", "content_by_lua_block"),
    ]
    assert [n.d.name for n in lua.dynamic_files] == ["content_by_lua_file"]
    assert [n.d.name for n in lua.outside_files] == ["rewrite_by_lua_file"]
    assert not lua.missing_files and not lua.unresolved and not lua.parse_failed


def test_modules_once_per_subsystem_with_the_phases_that_reach_them(tree):
    by_name = {(u.subsystem, u.module): u for u in modules(tree.lua)}
    assert sorted(by_name) == [("http", "metrics"), ("http", "util"), ("stream", "metrics"), ("stream", "util")]
    assert by_name[("http", "metrics")].phases == {"init_worker", "content"}
    assert by_name[("http", "util")].phases == {"init_worker", "content"}  # through metrics, cycle included
    assert by_name[("stream", "metrics")].phases == {"content"}
    assert [loc.span.line for loc in by_name[("http", "metrics")].required_at] == [4, 7, 1]
    assert "lua/metrics.lua" in tree.files and "lua/access.lua" in tree.files


def test_block_positions_shift_on_the_first_line_only(tree):
    content = handlers(tree.lua)[1]
    (require,) = content.facts.requires
    span = content.span(require.span)  # the module name, on the block's first line
    assert (span.line, span.end_line) == (7, 7)
    assert CONF.split("\n")[6][span.column - 1 : span.end_column - 1] == '"metrics"'
    assert content.span((2, 13, 2, 17)) == (8, 13, 8, 17)  # later lines keep their columns


def test_string_form_positions_go_back_through_nginx_escapes(tree):
    log = handlers(tree.lua)[3]
    assert log.text == "ngx.log(ngx.ERR, 'it\\'s') x = ngx.shared.d"
    (ref,) = log.facts.dict_refs
    span = log.span(ref.span)
    raw_line = CONF.split("\n")[8]
    assert raw_line[span.column - 1 : span.end_column - 1] == "d"
    (write,) = log.facts.global_writes
    assert raw_line[log.span(write.span).column - 1] == "x"


def test_analysis_is_cached_by_content(tmp_path, monkeypatch):
    calls = []
    real = units_module._compute
    monkeypatch.setattr(units_module, "_compute", lambda text: calls.append(text) or real(text))
    same = "location /%s { content_by_lua_block { ngx.say(require('m').v) } }"
    conf = "events {}\nhttp {\nlua_package_path '$prefix/lua/?.lua;;';\nserver { listen 80;\n%s\n%s\n}\n}\n" % (
        same % "x", same % "y")
    tree = load_tree(tmp_path, {"conf/nginx.conf": conf, "lua/m.lua": "return { v = 1 }\n"})
    assert len(tree.lua.units) == 3
    assert sorted(calls) == sorted({" ngx.say(require('m').v) ", "return { v = 1 }\n"})


def test_missing_unresolved_and_broken(tmp_path):
    conf = ("events {}\nhttp {\n init_by_lua_file lua/nope.lua;\n"
            " init_worker_by_lua_block { require('absent') require('cjson') }\n"
            " server { listen 80; location / { content_by_lua_block { local = 1 } } }\n}\n")
    tree = load_tree(tmp_path, {"conf/nginx.conf": conf})
    lua = tree.lua
    assert [(m.node.d.name, m.path.name) for m in lua.missing_files] == [("init_by_lua_file", "nope.lua")]
    assert [u.require.module for u in lua.unresolved] == ["absent"]
    assert lua.parse_failed and handlers(lua)[-1].error.message


def test_known_modules_and_extra_paths(tmp_path):
    settings = Settings()
    settings.lua = {"known-modules": ["corp.*"], "paths": [str(tmp_path / "vendor")]}
    conf = "events {}\nhttp {\n init_by_lua_block { require('corp.auth') require('vend') }\n}\n"
    tree = load_tree(tmp_path, {"conf/nginx.conf": conf, "vendor/vend.lua": "return 1\n"}, settings)
    assert not tree.lua.unresolved
    assert [u.module for u in modules(tree.lua)] == ["vend"]


class _RunLoader:
    """What analyze() needs of a run's loader: its disk cache and its memos."""

    def __init__(self, cache=None):
        self.cache = cache
        self._memos = {}

    def memo(self, name):
        return self._memos.setdefault(name, {})


def test_disk_cache_entries_of_another_facts_format_are_not_read(tmp_path, monkeypatch):
    import pickle

    from nginxlint.cache import Cache
    from nginxlint.lua.facts import FACTS_FORMAT

    text = "local p = require('prometheus').init('stale_format_check')\n"
    cache = Cache(tmp_path / "cache")
    # what an older build stored: facts of another shape under the kind it used
    for kind in ("lua-facts", f"lua-facts-{FACTS_FORMAT - 1}"):
        cache.get(kind, text, lambda _: ("stale", None))
    facts, error = units_module.analyze(text, _RunLoader(cache))
    assert error is None and facts != "stale"
    assert [(c.kind, c.dict, c.top_level) for c in facts.prometheus] == [("init", "stale_format_check", True)]
    stored = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and p.parts[-3] == f"lua-facts-{FACTS_FORMAT}"]
    assert len(stored) == 1 and pickle.loads(stored[0].read_bytes())[0] == facts


def _lint(tmp_path: Path, files: dict[str, str]) -> list[dict]:
    from lintkit import run_cli, write_tree

    write_tree(tmp_path, files)
    result = run_cli([".", "--format", "json", "--no-cache", "--base-dir", str(tmp_path)], cwd=tmp_path)
    assert result.status in (0, 1), result.err
    return result.json["findings"]


def test_twenty_thousand_operands_give_findings_not_internal_errors(tmp_path):
    chain = " or ".join(["a"] * 20_000)
    concatenation = " .. ".join(["a"] * 20_000)
    conf = ("events {}\nhttp {\n lua_package_path '$prefix/lua/?.lua;;';\n server { listen 80;\n"
            f"  location /a {{ content_by_lua_block {{ local x = {chain} or ngx.shared.nodict }} }}\n"
            "  location /b { content_by_lua_file lua/cat.lua; }\n }\n}\n")
    findings = _lint(tmp_path, {"conf/nginx.conf": conf, "lua/cat.lua": f"local x = {concatenation}\n"})
    codes = sorted({f["code"] for f in findings})
    assert "NL999" not in codes
    assert [(f["path"], f["message"].split(";")[0]) for f in findings if f["code"] == "LUA201"] == [
        ("lua/cat.lua", "Lua syntax error in content_by_lua_file: chunk has too many syntax levels")]
    assert [f["path"] for f in findings if f["code"] == "LUA202"] == ["conf/nginx.conf"]


def test_code_too_deep_for_the_analysis_is_an_info_finding(tmp_path, monkeypatch):
    from nginxlint.lua import facts

    def exhausted(text):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(facts, "analyze_lua", exhausted)
    conf = ("events {}\nhttp {\n lua_shared_dict unused 1m;\n server { listen 80;\n"
            "  location / { content_by_lua_block { ngx.say(undefined_global) } }\n }\n}\n")
    findings = _lint(tmp_path, {"conf/nginx.conf": conf})
    assert "NL999" not in {f["code"] for f in findings}
    (finding,) = [f for f in findings if f["code"].startswith("LUA")]
    assert (finding["code"], finding["severity"], finding["line"], finding["column"]) == ("LUA201", "info", 5, 38)
    assert "nested too deeply for nginxlint to analyse" in finding["message"]


def test_string_form_mapping_uses_the_parser_escapes():
    from hypothesis import given, settings, strategies as st

    from nginxlint.lines import LineIndex
    from nginxlint.nginx import parser, wordmap

    assert units_module.value_offsets is wordmap.value_offsets
    assert wordmap.ESCAPE is parser.ESCAPE and wordmap.ESCAPED is parser.ESCAPED
    assert units_module.LineIndex is LineIndex is parser.LineIndex

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet='ab\\\n"\'tnrxé', max_size=40))
    def every_character_maps_to_the_raw_text_that_wrote_it(raw):
        value = parser.unescape(raw)
        mapper = units_module._Escaped(raw, 10, 5)
        raw_lines = LineIndex(raw)
        value_lines = LineIndex(value)
        for offset, char in enumerate(value):
            line, column = mapper.map(*value_lines.position(offset))
            # back from the nginx file's coordinates to the raw argument's
            raw_line, raw_column = line - 9, column - 4 if line == 10 else column
            raw_offset = raw_lines.offset(raw_line, raw_column)
            written = raw[raw_offset]
            assert written == char or (written == "\\" and parser.unescape(raw[raw_offset:raw_offset + 2])[:1] == char)

    every_character_maps_to_the_raw_text_that_wrote_it()


def test_analyses_are_kept_per_run_and_shared_with_views_of_the_run(monkeypatch):
    calls = []
    real = units_module._compute
    monkeypatch.setattr(units_module, "_compute", lambda text: calls.append(text) or real(text))

    class View:  # how a ConfigMap-embedded config sees the run's loader: everything but its own files delegated
        def __init__(self, loader):
            self._loader = loader

        def __getattr__(self, name):
            return getattr(self._loader, name)

    first, second = _RunLoader(), _RunLoader()
    text = "local run_scoped = ngx.shared.d\n"
    one = units_module.analyze(text, first)
    assert units_module.analyze(text, View(first)) is one and calls == [text]
    assert units_module.analyze(text, second) is not one and calls == [text, text]
    assert not hasattr(units_module, "_ANALYSIS")  # nothing outlives its run


def test_installed_rocks_are_found_without_walking_the_repository(tmp_path, monkeypatch):
    import os

    def no_walk(*args, **kwargs):
        raise AssertionError("the repository must not be walked")

    conf = ("events {}\nhttp {\n init_by_lua_block { require('resty.http') require('pl.stringx') require('resty.jwt')"
            " require('resty.template') }\n}\n")
    tree = load_tree(tmp_path, {
        "conf/nginx.conf": conf,
        "docker/Dockerfile": "FROM openresty/openresty\nRUN luarocks install lua-resty-http\n",
        "conf/Containerfile": "FROM openresty/openresty\nRUN luarocks install lua-resty-jwt\n",
        "lua_modules/lib/luarocks/rocks-5.1/manifest":
            'repository = { penlight = { ["1.14.0-1"] = { { arch = "installed", modules = { ["pl.stringx"] = "x" } } } } }\n',
        "far/away/in/the/tree/Dockerfile": "FROM openresty/openresty\nRUN luarocks install lua-resty-template\n",
    })
    monkeypatch.setattr(os, "walk", no_walk)  # discovery may walk; the Lua analysis must not
    # a config no container runs gets the rocks of any Dockerfile of the repository, through the cached listings
    assert [u.require.module for u in tree.lua.unresolved] == []
    assert tree.binding is None


def test_phases_spread_with_one_search_per_required_module():
    from nginxlint.sources import SourceFile

    source = SourceFile(Path("x.lua"), "x.lua", "")
    chain = [units_module.LuaUnit("module", None, "http", source, "", module=f"m{i}") for i in range(200)]
    edges = {id(a): [b] for a, b in zip(chain, chain[1:])}
    edges[id(chain[-1])] = [chain[0]]  # a require cycle
    handlers = []
    for i in range(300):
        handler = units_module.LuaUnit("block", ("access", "content", "log")[i % 3], "http", source, "")
        handler.phases, handler.handlers = {handler.phase}, [handler]
        edges[id(handler)] = [chain[0], chain[100]]
        handlers.append(handler)

    class Counting(dict):
        lookups = 0

        def get(self, key, default=None):
            Counting.lookups += 1
            return super().get(key, default)

    units_module._spread_phases(handlers + chain, Counting(edges))
    assert all(m.phases == {"access", "content", "log"} and m.handlers == handlers for m in chain)
    assert Counting.lookups <= len(handlers) + 2 * len(chain)  # not handlers x modules


def test_lua_rules_find_their_directives_without_walking_the_tree(tmp_path, monkeypatch):
    from lintkit import run_cli, write_tree

    from nginxlint.config_tree import Node

    conf = ("events {}\nhttp {\n access_by_lua_block { ngx.exit(ngx.OK) }\n server {\n  listen 80;\n"
            "  ssl_certificate_by_lua_block { local x = 1 }\n"
            "  location / { access_by_lua_block { ngx.log(ngx.INFO, 1) } content_by_lua_block { ngx.say(1) } proxy_pass http://b; }\n"
            " }\n}\n")
    write_tree(tmp_path, {"conf/nginx.conf": conf})
    real_walk = Node.walk

    def walk(node):
        if node.d is None:  # from the root: the whole tree
            raise AssertionError("the whole tree is walked")
        return real_walk(node)

    monkeypatch.setattr(Node, "walk", walk)
    result = run_cli([".", "--format", "json", "--no-cache", "--base-dir", str(tmp_path),
                      "--select", "LUA201,LUA212,LUA213,LUA214"], cwd=tmp_path)
    assert sorted(f["code"] for f in result.json["findings"]) == ["LUA212", "LUA213", "LUA214"], result.out


def test_plain_nginx_builds_no_module_search(tmp_path, monkeypatch):
    def forbidden(*args):
        raise AssertionError("no Lua: nothing to search for")

    tree = load_tree(tmp_path, {"conf/nginx.conf": "events {}\nhttp { server { listen 80; } }\n"})
    from nginxlint.openresty import project

    monkeypatch.setattr(project, "project_modules", forbidden)
    monkeypatch.setattr(units_module, "_search_path", forbidden)
    lua = tree.lua
    assert lua.units == [] and lua.unresolved == [] and not lua.parse_failed


def test_units_come_in_document_order_across_directive_names(tmp_path):
    conf = ("events {}\nhttp {\n init_worker_by_lua_block { a = 1 }\n server { listen 80;\n"
            "  location /a { rewrite_by_lua_block { b = 1 } content_by_lua_block { c = 1 } }\n"
            "  location /b { access_by_lua 'd = 1'; content_by_lua_block { e = 1 } }\n }\n"
            " init_by_lua_block { f = 1 }\n}\n")
    tree = load_tree(tmp_path, {"conf/nginx.conf": conf})
    assert [u.facts.global_writes[0].name for u in tree.lua.units] == ["a", "b", "c", "d", "e", "f"]


def test_a_plain_nginx_run_imports_nothing_of_the_lua_analysis(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp {\n upstream b { server 127.0.0.1:8081; }\n server { listen 80;\n"
        "  location / { proxy_pass http://b$request_uri; } location /x { proxy_pass http://127.0.0.1; } }\n}\n")
    probe = (
        "import sys, io, contextlib\n"
        "from nginxlint.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main([{str(tmp_path)!r}, '--no-cache'])\n"
        "print(' '.join(sorted(m for m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={**__import__("os").environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    heavy = {"nginxlint.openresty.package_path", "nginxlint.openresty.project", "nginxlint.openresty.modules",
             "nginxlint.lua.stdlib", "nginxlint.lua.parser", "nginxlint.lua.facts", "shlex"}
    assert not heavy & loaded, sorted(heavy & loaded)


def test_a_run_with_broken_lua_keeps_nothing_alive(tmp_path):
    import gc
    import weakref

    conf = "events {}\nhttp { server { listen 80; location / { content_by_lua_block { local = 1 } } } }\n"
    tree = load_tree(tmp_path, {"conf/nginx.conf": conf})
    assert tree.lua.parse_failed
    dead_dep, dead_loader = weakref.ref(tree), weakref.ref(tree.loader)
    del tree
    gc.collect()
    assert dead_dep() is None and dead_loader() is None  # the stored syntax error holds no frames


def test_a_module_behind_a_link_this_checkout_cannot_follow_is_out_of_view_not_missing(tmp_path):
    """`lib/jsonschema.lua -> ../deps/jsonschema/lib/jsonschema.lua`, a git submodule not fetched."""
    files = {"conf/nginx.conf": 'events {}\nhttp {\n    lua_package_path "$prefix/lib/?.lua;;";\n'
                                '    init_by_lua_block { require "jsonschema"; require "absent" }\n}\n'}
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "jsonschema.lua").symlink_to("../deps/jsonschema/lib/jsonschema.lua")
    lua = load_tree(tmp_path, files).lua
    assert [u.require.module for u in lua.unresolved] == ["absent"]
    assert [u.require.module for u in lua.unseen_modules] == ["jsonschema"]
