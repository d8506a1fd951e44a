"""`nginx -T` dumps as input: split, linted as the tree nginx loaded, findings at the dump's lines.

The oracle tests make their dumps with the real nginx (Debian's, with NDK and ngx_lua loaded through -g, as
tests/oracle/nginx_harness.py loads them) from copies of the samples, and check that linting the dump finds what
linting the copied tree finds: the same codes at the same original files and lines.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lintkit import LOAD_LUA_MODULES, NGINX, ROOT, nginx_missing, run_cli, write_tree
from nginxlint.dump import is_dump, split_dump

SAMPLES = ROOT / "samples"
RUNNING = " in the running server"


# -- the format, without nginx ------------------------------------------------------------------------------------

DUMP = """nginx: the configuration file /etc/nginx/nginx.conf syntax is ok
nginx: configuration file /etc/nginx/nginx.conf test is successful
# configuration file /etc/nginx/nginx.conf:
events {}
http {
    include /etc/nginx/conf.d/*.conf;
}

# configuration file /etc/nginx/conf.d/api.conf:
server {
    listen 8080;
    location /files {
        alias /srv/www/;
    }
}

"""


def test_split_keeps_each_file_and_its_first_dump_line():
    files = split_dump(DUMP)
    assert [(f.original, f.first_line) for f in files] == [("/etc/nginx/nginx.conf", 4),
                                                           ("/etc/nginx/conf.d/api.conf", 10)]
    assert files[0].text == "events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n"
    assert files[1].text.startswith("server {\n") and files[1].text.endswith("}\n")
    lines = DUMP.split("\n")
    for file in files:  # line N of a file is dump line first_line + N - 1
        for number, line in enumerate(file.text.split("\n")[:-1], start=1):
            assert lines[file.first_line + number - 2] == line


def test_a_file_without_final_newline_is_kept_as_it_was():
    text = "# configuration file /a.conf:\nevents {}\n# configuration file /b.conf:\nhttp {}\n"
    assert [f.text for f in split_dump(text)] == ["events {}", "http {}"]


def test_recognised_by_its_markers_only():
    assert is_dump(DUMP)
    assert is_dump(DUMP.split("\n", 2)[2])  # `nginx -T` without its stderr
    assert not is_dump("events {}\n# configuration file /etc/nginx/nginx.conf:\n")
    assert not is_dump("# configuration file for the shop\nevents {}\n")


def _dump_findings(result) -> list[dict]:
    return result.json["findings"]


def test_findings_are_at_the_dump_line_with_the_original_place(tmp_path):
    write_tree(tmp_path, {"dump.txt": DUMP})
    result = run_cli(["dump.txt", "--format", "json", "--isolated", "--base-dir", str(tmp_path)], cwd=tmp_path)
    assert result.status == 1, result.err
    alias = [f for f in _dump_findings(result) if "alias" in f["message"]]
    assert alias, result.out
    finding = alias[0]
    assert finding["path"] == "dump.txt"
    assert DUMP.split("\n")[finding["line"] - 1].strip() == "location /files {"
    original = [r for r in finding["related"] if r["message"].endswith(RUNNING)]
    assert original == [{"path": "/etc/nginx/conf.d/api.conf", "line": 3, "column": finding["column"],
                         "message": "/etc/nginx/conf.d/api.conf:3 in the running server"}]
    chain = [r for r in finding["related"] if r["message"].startswith("included from")]
    assert chain and chain[0]["path"] == "dump.txt" and chain[0]["line"] == 6  # the include, in the dump
    assert "/etc/nginx/nginx.conf:3" in chain[0]["message"]  # named as on the server
    assert ".nginxlint-dump" not in result.out
    assert not (tmp_path / "etc").exists() and not Path("/.nginxlint-dump").exists()  # nothing written


def test_standard_input_and_the_text_format(tmp_path):
    result = run_cli(["-", "--stdin-filename", "dump.txt", "--isolated", "--base-dir", str(tmp_path)],
                     cwd=tmp_path, stdin=DUMP.encode())
    assert result.status == 1
    assert re.search(r"^dump\.txt:12:\d+: SEC502 ", result.out, re.M), result.out
    assert "12 |     location /files {" in result.out  # the source line shown is the dump's


def test_an_include_is_looked_for_in_the_dump_only(tmp_path):
    """/etc/nginx/sites-enabled/default exists on this machine (Debian nginx): a dump without it must not read it."""
    text = "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n    include /etc/nginx/sites-enabled/default;\n}\n\n"
    write_tree(tmp_path, {"dump.txt": text})
    result = run_cli(["dump.txt", "--format", "json", "--isolated", "--base-dir", str(tmp_path)], cwd=tmp_path)
    codes = [(f["code"], f["line"]) for f in _dump_findings(result)]
    assert ("NGX002", 4) in codes, result.out  # not in the dump: nginx could not have loaded it
    message = next(f["message"] for f in _dump_findings(result) if f["code"] == "NGX002")
    assert message.endswith("(looked for /etc/nginx/sites-enabled/default)"), message  # named as on the server


def test_dump_flag_forces_and_explains(tmp_path):
    text = "kubectl: Defaulted container \"nginx\"\n" + DUMP
    write_tree(tmp_path, {"dump.txt": text, "plain.txt": "events {}\n"})
    auto = run_cli(["dump.txt", "--format", "json", "--isolated", "--base-dir", str(tmp_path)], cwd=tmp_path)
    assert not any(r["message"].endswith(RUNNING) for f in _dump_findings(auto) for r in f["related"])
    assert ("NGX004", 1) in [(f["code"], f["line"]) for f in _dump_findings(auto)]  # linted as one config
    forced = run_cli(["dump.txt", "--dump", "--format", "json", "--isolated", "--base-dir", str(tmp_path)],
                     cwd=tmp_path)
    alias = [f for f in _dump_findings(forced) if "alias" in f["message"]]
    assert alias and alias[0]["line"] == 13
    wrong = run_cli(["plain.txt", "--dump", "--format", "json", "--isolated", "--base-dir", str(tmp_path)],
                    cwd=tmp_path)
    assert wrong.status == 1
    assert any("no `nginx -T` output" in n["message"] for n in wrong.json["notifications"]), wrong.out


def test_lua_files_of_a_dump_are_unseen_not_missing(tmp_path):
    text = ("# configuration file /usr/local/openresty/nginx/conf/nginx.conf:\nevents {}\nhttp {\n"
            "    lua_package_path \"/app/lua/?.lua;;\";\n    server {\n        listen 8080;\n"
            "        location / { content_by_lua_file lua/handler.lua; }\n"
            "        location /a { content_by_lua_block { local m = require \"app.routes\" m.go() } }\n"
            "    }\n}\n\n")
    write_tree(tmp_path, {"dump.txt": text})
    result = run_cli(["dump.txt", "--format", "json", "--isolated", "--base-dir", str(tmp_path)], cwd=tmp_path)
    codes = {f["code"] for f in _dump_findings(result)}
    assert not codes & {"LUA205", "LUA209"}, result.out
    # the same config on disk, without the files: the handler file is missing there; the module may still be in
    # /app/lua, outside the repository, and the search path names nothing inside it
    write_tree(tmp_path / "disk", {"conf/nginx.conf": "\n".join(split_dump(text)[0].text.split("\n"))})
    on_disk = run_cli(["disk", "--format", "json", "--isolated", "--base-dir", str(tmp_path)], cwd=tmp_path)
    assert "LUA209" in on_disk.codes() and "LUA205" not in on_disk.codes(), on_disk.out


# -- the oracle: real `nginx -T` output of the samples -------------------------------------------------------------

MISSING_FILE = re.compile(r'open\(\) "(/[^"]+)" failed \(2: No such file or directory\)')


# A tree of several files with findings in each (the samples are clean without their manifests).
SEEDED = {
    "conf/nginx.conf": """worker_processes 1;
pid logs/nginx.pid;
error_log logs/error.log;
events { worker_connections 64; }
http {
    access_log off;
    lua_shared_dict cache 1m;
    include conf.d/*.conf;
}
""",
    "conf/conf.d/api.conf": """server {
    listen 127.0.0.1:18080;
    include snippets/files.conf;
    location /lua {
        content_by_lua_block {
            local v = ngx.shared.sessions:get("k")
            ngx.say(v)
        }
    }
    location /handler {
        content_by_lua_file lua/handler.lua;
    }
}
""",
    "conf/snippets/files.conf": """location /files {
    alias /srv/www/;
}
""",
    "lua/handler.lua": 'local missing = require "app.not_installed"\nngx.say(undefined_name)\n',
}


def _real_dump(sample: str, work: Path) -> tuple[Path, Path, str]:
    """A copy of the sample without its manifests (a dump has none), and `nginx -T` of it with the copy's config
    directory's parent as nginx's prefix. Absolute log and pid paths that do not exist on this machine are pointed
    into the prefix (same lines, so nothing moves), as a pod's volumes would provide them."""
    copy = work / "project"
    if sample == "seeded":
        write_tree(copy, SEEDED)
    else:
        shutil.copytree(SAMPLES / sample, copy, ignore=shutil.ignore_patterns("*.yaml", "*.yml"))
    conf = sorted(copy.rglob("nginx.conf"), key=lambda p: len(p.parts))[0]
    prefix = conf.parent.parent if conf.parent.name == "conf" else conf.parent
    (prefix / "logs").mkdir(exist_ok=True)
    for _ in range(10):
        done = subprocess.run([NGINX, "-T", "-p", f"{prefix}/", "-c", str(conf), "-g", LOAD_LUA_MODULES],
                              capture_output=True, text=True, timeout=30)
        if done.returncode == 0:
            return copy, prefix, done.stdout
        missing = MISSING_FILE.search(done.stderr)
        if missing is None:
            pytest.skip(f"nginx -T fails on {sample}: {done.stderr.strip()[-300:]}")
        directory = os.path.dirname(missing.group(1))
        for file in prefix.rglob("*.conf"):
            file.write_text(file.read_text().replace(directory + "/", f"{prefix}/logs/"))
    pytest.skip(f"nginx -T keeps failing on {sample}")


def _lint(target: str, cwd: Path) -> list[dict]:
    result = run_cli([target, "--format", "json", "--isolated", "--no-cache", "--base-dir", str(cwd)], cwd=cwd)
    assert result.status in (0, 1), result.err
    return _dump_findings(result)


# Rules that claim something is missing from the Lua a server runs: the Lua files are not in a dump, so they stay
# quiet there (a module not found, a handler file not found, a global no code defines, a dict no code uses).
LUA_ABSENCE = frozenset({"LUA203", "LUA205", "LUA209", "LUA211"})


def _container_rules() -> frozenset:
    """Rules whose premise is the container (or its image's nginx version): a dump carries no Dockerfile or
    manifest, so linted alone it has no container to speak of."""
    from nginxlint.checks.registry import load_rules

    return frozenset(code for code, f in load_rules().items() if getattr(f, "needs", None) == "container") | {"SEC525"}


@pytest.mark.skipif(nginx_missing() is not None, reason=nginx_missing() or "")
@pytest.mark.parametrize("sample", ["reverse-proxy", "openresty-clean", "openresty-compose", "openresty-k8s", "seeded"])
def test_real_dump_gives_the_tree_findings(sample, tmp_path):
    copy, prefix, text = _real_dump(sample, tmp_path)
    assert is_dump(text)
    (tmp_path / "dump.txt").write_text(text)
    dump_lines = text.split("\n")
    for file in split_dump(text):  # the split gives back every file as nginx read it
        assert Path(file.original).read_text() == file.text

    from_tree = {(f["code"], os.path.join(copy, f["path"]), f["line"]) for f in _lint(".", copy)
                 if not f["path"].endswith(".lua")}  # a dump holds no Lua file
    from_dump = set()
    for f in _lint("dump.txt", tmp_path):
        assert f["path"] == "dump.txt"
        original = [r for r in f["related"] if r["message"].endswith(RUNNING)]
        assert len(original) == 1, f
        where = original[0]
        from_dump.add((f["code"], where["path"], where["line"]))
        source_line = Path(where["path"]).read_text().split("\n")[where["line"] - 1]
        assert dump_lines[f["line"] - 1] == source_line  # the dump line is the original line
    if sample in ("seeded", "openresty-k8s"):
        assert len({path for _, path, _ in from_tree}) >= 2, from_tree  # findings in several files to map
    assert from_dump <= from_tree, sorted(from_dump - from_tree)
    assert {code for code, *_ in from_tree - from_dump} <= LUA_ABSENCE | _container_rules(), sorted(from_tree - from_dump)


def test_inline_suppressions_in_a_dumped_file_still_apply(tmp_path):
    text = DUMP.replace("    location /files {", "    location /files {  # nginxlint: ignore[SEC502] reviewed")
    write_tree(tmp_path, {"dump.txt": text})
    result = run_cli(["dump.txt", "--format", "sarif", "--isolated", "--base-dir", str(tmp_path)], cwd=tmp_path)
    results = {r["ruleId"]: r for r in json.loads(result.out)["runs"][0]["results"]}
    suppressed = results["SEC502"]["suppressions"][0]
    assert suppressed["justification"] == "reviewed"
    assert suppressed["location"]["physicalLocation"]["region"]["startLine"] == 12  # the dump's line
    assert "NL902" not in results  # the comment is used, not idle


def test_an_unreadable_file_forced_as_a_dump_is_still_reported(tmp_path):
    write_tree(tmp_path, {"dump.txt": b"\xff\xfe\x00\x00binary"})
    (tmp_path / "dump.txt").chmod(0)
    if os.access(tmp_path / "dump.txt", os.R_OK):
        pytest.skip("this user reads any file (root)")
    result = run_cli(["dump.txt", "--dump", "--format", "json", "--isolated", "--base-dir", str(tmp_path)],
                     cwd=tmp_path)
    assert result.status == 1 and "NGX008" in result.codes(), result.out
