"""lua_package_path as ngx_lua builds it and the search Lua makes through it."""
from __future__ import annotations

from pathlib import Path

from nginxlint.openresty import package_path as pp


def test_double_semicolon_inserts_the_defaults_once_in_place():
    entries = pp.split_entries("$prefix/lua/?.lua;;/last/?.lua", "/d1/?.lua;/d2/?.lua")
    assert [(e.written, e.default) for e in entries] == [
        ("$prefix/lua/?.lua", False), ("/d1/?.lua", True), ("/d2/?.lua", True), ("/last/?.lua", False)]


def test_no_double_semicolon_keeps_only_what_is_written():
    entries = pp.split_entries("/opt/app/?.lua;waf/?.lua", "/d1/?.lua")
    assert [e.written for e in entries] == ["/opt/app/?.lua", "waf/?.lua"]
    assert [e.relative for e in entries] == [False, True]


def test_no_directive_means_the_defaults():
    assert [e.written for e in pp.split_entries(None, "/d1/?.lua;./?.lua")] == ["/d1/?.lua", "./?.lua"]


def test_prefix_forms_and_offsets_in_the_value():
    value = "$prefix/lua/?.lua;${prefix}lib/?.lua;;"
    entries = [e for e in pp.split_entries(value, "") if not e.default]
    assert [e.offset for e in entries] == [0, 18]
    assert all(e.template.startswith(pp.PREFIX_MARK) and not e.relative for e in entries)
    assert value[18:18 + len(entries[1].written)] == "${prefix}lib/?.lua"
    assert pp.show(entries[1].template) == "$prefix/lib/?.lua"


def test_has_defaults_and_lualib():
    assert pp.has_defaults("a/?.lua;;") and not pp.has_defaults("a/?.lua;")
    assert pp.keeps_lualib("/x/?.lua;/usr/local/openresty/lualib/?.lua")


def _search_path(tmp_path: Path, value: str, cvalue: str | None = None) -> pp.SearchPath:
    return pp.SearchPath(pp.split_entries(value, pp.DEFAULT_PATH), pp.split_entries(cvalue, pp.DEFAULT_CPATH), [])


class _Loader:
    def __init__(self, mapping):
        self.mapping = mapping

    def map_path(self, absolute, conf_dir):
        for prefix, target in self.mapping.items():
            if absolute.startswith(prefix):
                return target / absolute[len(prefix):]
        return None


def test_search_order_dots_become_slashes_and_every_try_is_listed(tmp_path):
    (tmp_path / "lua" / "app").mkdir(parents=True)
    (tmp_path / "lua" / "app" / "init.lua").write_text("return {}")
    search = _search_path(tmp_path, "$prefix/lua/?.lua;$prefix/lua/?/init.lua;;")
    resolve = pp.resolver(tmp_path, _Loader({}), tmp_path / "conf")
    found, tried = search.search("app", resolve)
    assert found == tmp_path / "lua" / "app" / "init.lua"
    assert [t.shown for t in tried] == [pp.PREFIX_MARK + "/lua/app.lua", pp.PREFIX_MARK + "/lua/app/init.lua"]
    missing, tried = search.search("a.b", resolve)
    assert missing is None
    shown = [pp.show(t.shown) for t in tried]
    assert shown[:2] == ["$prefix/lua/a/b.lua", "$prefix/lua/a/b/init.lua"]
    assert "/usr/local/openresty/lualib/a/b.so" in shown  # C loader
    assert shown[-1] == "/usr/local/lib/lua/5.1/loadall.so" and "/usr/local/openresty/lualib/a.so" in shown  # all-in-one


def test_absolute_entries_go_through_the_path_map(tmp_path):
    (tmp_path / "deploy" / "lib").mkdir(parents=True)
    (tmp_path / "deploy" / "lib" / "mod.lua").write_text("return 1")
    search = _search_path(tmp_path, "/opt/app/lib/?.lua;;")
    resolve = pp.resolver(tmp_path, _Loader({"/opt/app/": tmp_path / "deploy"}), tmp_path)
    assert search.search("mod", resolve)[0] == tmp_path / "deploy" / "lib" / "mod.lua"
    resolve = pp.resolver(tmp_path, _Loader({}), tmp_path)
    assert search.search("mod", resolve)[0] is None


def test_the_default_relative_entry_is_not_searched(tmp_path):
    (tmp_path / "mod.lua").write_text("return 1")
    search = _search_path(tmp_path, "/nowhere/?.lua;;")
    resolve = pp.resolver(tmp_path, _Loader({}), tmp_path)
    found, tried = search.search("mod", resolve)
    assert found is None and any(t.shown == "./mod.lua" and t.local is None for t in tried)
    search = _search_path(tmp_path, "./?.lua;;")  # written by the user: resolved against the prefix (LUA207 warns)
    assert search.search("mod", resolve)[0] == tmp_path / "mod.lua"


def test_extra_directories_from_settings(tmp_path):
    (tmp_path / "vendor" / "x").mkdir(parents=True)
    (tmp_path / "vendor" / "x" / "init.lua").write_text("return 1")
    search = pp.SearchPath(pp.split_entries("/nowhere/?.lua", ""), [], [tmp_path / "vendor"])
    assert search.search("x", pp.resolver(tmp_path, _Loader({}), tmp_path))[0] == tmp_path / "vendor" / "x" / "init.lua"
