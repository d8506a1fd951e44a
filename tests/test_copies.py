"""Copies: files with the same text, word for word, make the same findings, and each is reported once, at one copy.

The copy ranked first among those that make it: outside fixture directories, then fewest directories deep (a
generator's source above the per-version directories it fills), then one a container runs, then the path's order.
Every other copy gets a note naming where; one answer however the run is started."""
from __future__ import annotations

from lintkit import run_cli, write_tree

CONF = """events {}
http {
    access_log /var/log/app/access.log;
    server {
        listen 80;
        location / { content_by_lua_block { err = 1 } }
    }
}
"""
DOCKERFILE = "FROM openresty/openresty:1.25.3.1-alpine\nCOPY nginx.conf /usr/local/openresty/nginx/conf/nginx.conf\n"
COPIES = ("docker/nginx.conf", "images/1.0/nginx.conf", "images/2.0/nginx.conf")


def _repository(tmp_path, files: dict[str, str]):
    write_tree(tmp_path, files)
    (tmp_path / ".git").mkdir()


def _lint(tmp_path, *args, cwd=None, select="SEC508,LUA211,CTR105"):
    result = run_cli([*args, "--format", "json", "--no-cache", "--select", select], cwd=cwd or tmp_path)
    assert result.status in (0, 1), result.err
    findings = sorted((f["path"], f["line"], f["column"], f["code"]) for f in result.json["findings"])
    notes = sorted((n["path"], n["message"]) for n in result.json["notifications"] if "same text" in n["message"])
    return findings, notes


def test_generated_copies_are_reported_once_at_the_source(tmp_path):
    _repository(tmp_path, {"nginx.conf": CONF, "docker/Dockerfile": DOCKERFILE, **dict.fromkeys(COPIES, CONF)})
    findings, notes = _lint(tmp_path, ".")
    # what every copy makes is said at the one fewest directories deep; the container advice only the image's
    # copy makes stays there
    assert findings == [("docker/nginx.conf", 3, 16, "CTR105"), ("nginx.conf", 2, 1, "SEC508"),
                        ("nginx.conf", 6, 45, "LUA211")]
    assert notes == [
        ("docker/nginx.conf", "the same text as nginx.conf: the findings both make are reported there"),
        ("images/1.0/nginx.conf", "the same text as nginx.conf: its findings are reported there"),
        ("images/2.0/nginx.conf", "the same text as nginx.conf: its findings are reported there"),
    ]
    # one answer: each file named alone, or the run started in its directory, gets what the whole run gives it
    for path in ("nginx.conf", *COPIES):
        alone, alone_notes = _lint(tmp_path, path)
        assert alone == [f for f in findings if f[0] == path], path
        assert alone_notes == [n for n in notes if n[0] == path], path
    inside, _ = _lint(tmp_path, ".", cwd=tmp_path / "images" / "2.0")
    assert inside == []


def test_among_copies_at_one_depth_the_one_a_container_runs_comes_first(tmp_path):
    _repository(tmp_path, {"b/nginx.conf": CONF, "b/Dockerfile": DOCKERFILE, "a/nginx.conf": CONF})
    findings, notes = _lint(tmp_path, ".", select="LUA211")
    assert findings == [("b/nginx.conf", 6, 45, "LUA211")]
    assert notes == [("a/nginx.conf", "the same text as b/nginx.conf: its findings are reported there")]


def test_a_copy_outside_fixture_directories_comes_before_a_shallower_example(tmp_path):
    _repository(tmp_path, {"examples/nginx.conf": CONF, "deploy/prod/nginx.conf": CONF})
    findings, notes = _lint(tmp_path, ".", select="LUA211")
    assert findings == [("deploy/prod/nginx.conf", 6, 45, "LUA211")]
    assert notes == [("examples/nginx.conf", "the same text as deploy/prod/nginx.conf: its findings are reported there")]


def test_a_message_naming_its_own_file_is_the_same_finding_in_each_copy(tmp_path):
    twice = "server {\n    listen 80;\n    root /a;\n    root /b;\n}\n"
    _repository(tmp_path, {"nginx.conf": "events {}\nhttp { include conf.d/*.conf; }\n", "conf.d/site.conf": twice,
                           "vendor/kit/1.0/site.conf": twice, "vendor/kit/2.0/site.conf": twice})
    result = run_cli([".", "--format", "json", "--no-cache", "--select", "NGX007"], cwd=tmp_path)
    [finding] = result.json["findings"]
    assert (finding["path"], finding["line"], finding["column"]) == ("conf.d/site.conf", 4, 5)
    assert "conf.d/site.conf:3" in finding["message"]
    copies = sorted(n["path"] for n in result.json["notifications"] if "same text" in n["message"])
    assert copies == ["vendor/kit/1.0/site.conf", "vendor/kit/2.0/site.conf"]


def test_copies_of_test_data_nginx_would_refuse_are_one_warning(tmp_path):
    twice = "server {\n    listen 80;\n    root /a;\n    root /b;\n}\n"
    _repository(tmp_path, {"nginx.conf": "events {}\nhttp { server { listen 80; } }\n",
                           "spec/fixtures/one.conf": twice, "spec/old/fixtures/one.conf": twice})
    result = run_cli([".", "--format", "json", "--no-cache", "--select", "NGX007"], cwd=tmp_path)
    assert result.json["findings"] == []
    warnings = [(n["path"], n["line"], n["code"]) for n in result.json["notifications"] if n["level"] == "warning"]
    assert warnings == [("spec/fixtures/one.conf", 4, "NGX007")]
    [note] = [n for n in result.json["notifications"] if n["path"] == "spec/old/fixtures/one.conf"]
    assert note["message"] == "the same text as spec/fixtures/one.conf: its findings are reported there"


def test_the_fix_of_a_finding_said_at_one_copy_changes_every_copy(tmp_path):
    _repository(tmp_path, {"nginx.conf": CONF, "images/1.0/nginx.conf": CONF, "images/2.0/nginx.conf": CONF})
    findings, _ = _lint(tmp_path, ".", select="SEC508")
    assert findings == [("nginx.conf", 2, 1, "SEC508")]
    fixed = run_cli([".", "--fix", "--select", "SEC508", "--no-cache"], cwd=tmp_path)
    assert fixed.status == 0, fixed.err
    texts = {(tmp_path / path).read_text() for path in ("nginx.conf", "images/1.0/nginx.conf", "images/2.0/nginx.conf")}
    assert len(texts) == 1 and texts != {CONF}  # each copy fixed the same way: still copies of one text
    assert _lint(tmp_path, ".", select="SEC508") == ([], [])
