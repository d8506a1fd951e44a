"""The whole CLI on arbitrary bytes, as file content (config, fragment, Lua file, manifest, settings) and as file
names: always findings or a clean result and exit status 0 or 1 (2 only for a broken settings file), never a
traceback. NGINXLINT_FUZZ_EXAMPLES raises the number of examples per test (default 150).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import config_strategies
from nginxlint.repository import is_backup_copy
from runner import assert_sane, lint, write

EXAMPLES = int(os.environ.get("NGINXLINT_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])

NGINXISH = st.lists(st.sampled_from([
    "events", "http", "server", "location", "/", "{", "}", ";", " ", "\n", "\t", "\r", "#", "# nginxlint: ignore[",
    "NGX004]", "# nginxlint: disable[ALL]", "# nginxlint: skip-file", '"', "'", "\\", "$", "${", "include", "*.conf",
    "content_by_lua_block", "init_by_lua_block", "lua_shared_dict", "d", "1m", "ngx.shared.d", "[[", "]]",
    "--[[", "--", "[==[", "listen", "8080", "return", "200", "if", "(", ")", "map", "upstream", "\ufeff", "\x00",
    "\udcff", "é", "set_by_lua_block", "$x", "worker_processes", "auto", "env", "require('m')", "daemon", "off",
]), max_size=60).map("".join)
CONTENT = st.one_of(st.binary(max_size=1500), NGINXISH.map(lambda s: s.encode("utf-8", "surrogateescape")))


def _reset(base: Path) -> None:
    for path in sorted(base.rglob("*"), reverse=True):
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        else:
            path.unlink()


@FUZZ
@given(content=CONTENT)
def test_any_bytes_as_the_main_config(tmp_path, content):
    _reset(tmp_path)
    write(tmp_path, {"nginx.conf": content})
    assert_sane(lint(tmp_path, "--isolated"))


@FUZZ
@given(fragment=CONTENT, lua=CONTENT, manifest=CONTENT)
def test_any_bytes_as_fragment_lua_file_and_manifest(tmp_path, fragment, lua, manifest):
    _reset(tmp_path)
    write(tmp_path, {
        "conf/nginx.conf": "events {}\nhttp {\n  lua_package_path '$prefix/lua/?.lua;;';\n  include conf.d/*.conf;\n"
                           "  server { listen 8080; location / { content_by_lua_file lua/handler.lua; } }\n}\n",
        "conf/conf.d/fuzz.conf": fragment,
        "lua/handler.lua": lua,
        "lua/m.lua": lua,
        "deploy.yaml": manifest,
    })
    assert_sane(lint(tmp_path, "--isolated"))


@FUZZ
@given(tree=st.one_of(config_strategies.nginx_tree(), config_strategies.broken_tree()))
def test_generated_trees_in_every_format(tmp_path, tree):
    _reset(tmp_path)
    write(tmp_path, tree)
    run = lint(tmp_path, "--isolated")
    assert_sane(run)
    for fmt in ("sarif", "full", "github"):
        other = lint(tmp_path, "--isolated", fmt=fmt)
        assert other.crash is None, other.crash
        assert other.status == run.status


SETTINGS_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(["select: [", "ignore:", "NGX004", "]", "\n", "- ", "per-file-ignores:", "  '*.conf':",
                              "prefix: ", "path-map: {", "/etc/nginx/: x/", "}", "roots: [nginx.conf]", "!!python/name:os",
                              "severity: {NGX004: error}", "failure-threshold: info", ": ", "{", "&a", "*a", "\t",
                              "runtime: {cpu-limit: 2}", "lua: {known-modules: [m]}", "context: server", "'", '"']),
             max_size=30).map("".join),
).map(lambda text: text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(settings_text=SETTINGS_TEXT)
def test_any_text_as_the_settings_file(tmp_path, settings_text):
    """UTF-8 text only: bytes that are not UTF-8 crash today (test_regressions.py)."""
    _reset(tmp_path)
    write(tmp_path, {"nginx.conf": "events {}\nhttp {}\n", ".nginxlint.yaml": settings_text})
    run = lint(tmp_path)
    assert run.crash is None, run.crash
    if run.status == 2:  # a settings file nginxlint cannot use is a usage error, said in one line
        assert run.err.startswith("nginxlint: error:") and "Traceback" not in run.err, run.err
    else:
        assert_sane(run)


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


FILE_NAME = st.binary(min_size=1, max_size=120).filter(
    lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b".."))


@FUZZ
@given(name=FILE_NAME, content=st.sampled_from([b"server { listen 8080; frobnicate; }\n", b"server {\n", b""]))
def test_any_bytes_as_a_file_name(tmp_path, name, content):
    _reset(tmp_path)
    write(tmp_path, {"nginx.conf": "events {}\nhttp {\n    include conf.d/*;\n}\n"})
    (tmp_path / "conf.d").mkdir()
    fuzzed = os.fsdecode(os.fsencode(str(tmp_path / "conf.d")) + b"/" + name)
    with open(os.fsencode(fuzzed), "wb") as handle:
        handle.write(content)
    for fmt in ("json", "sarif"):
        if fmt == "sarif" and not _utf8(name):
            continue  # crashes today on a name that is not UTF-8 (test_regressions.py)
        run = lint(tmp_path, "--isolated", fmt=fmt)
        assert run.crash is None, run.crash
        assert run.status in (0, 1), run.err
        json.loads(run.out)
    # and passed by name on the command line
    run = lint(tmp_path, "--isolated", target=os.path.relpath(fuzzed, tmp_path))
    assert run.crash is None, run.crash
    assert run.status in (0, 1), run.err
    if content == b"server {\n" and not is_backup_copy(os.fsdecode(name)):  # (`x~`: test data, a warning instead)
        assert any(f["code"] == "NGX001" for f in run.findings)
