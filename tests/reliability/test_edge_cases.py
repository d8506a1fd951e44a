"""Bad and strange input, each with its defined outcome: a finding or a clean result, never a traceback."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from runner import assert_sane, lint, write

MAIN = "events {}\nhttp {\n    include conf.d/*.conf;\n}\n"


def test_empty_main_config_lacks_events(tmp_path):
    """nginx refuses an empty nginx.conf (no "events" section): so does nginxlint, at 1:1, once it is set as a root.
    Found alone, a file with no directive is nobody's main config (a placeholder, another program's drop-in)."""
    write(tmp_path, {"nginx.conf": ""})
    found = lint(tmp_path)
    assert_sane(found)
    assert not [f for f in found.findings if f["code"].startswith("NGX")]
    write(tmp_path, {".nginxlint.yaml": "roots: [nginx.conf]\n"})
    rooted = lint(tmp_path)
    assert_sane(rooted)
    assert [(f["code"], f["line"], f["column"]) for f in rooted.findings if f["code"].startswith("NGX")] == [
        ("NGX009", 1, 1)]


def test_empty_included_file_is_clean(tmp_path):
    write(tmp_path, {"nginx.conf": MAIN, "conf.d/empty.conf": ""})
    run = lint(tmp_path)
    assert_sane(run)
    assert not [f for f in run.findings if f["code"].startswith("NGX")]


@pytest.mark.parametrize("name", ["nginx.conf", "conf.d/blob.conf"])
def test_binary_file_is_reported_not_parsed(tmp_path, name):
    write(tmp_path, {"nginx.conf": MAIN, "conf.d/site.conf": "server { listen 8080; }\n"})
    write(tmp_path, {name: b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 4})
    run = lint(tmp_path)
    assert_sane(run)
    assert run.status == 1
    [finding] = run.by_code("NGX008")
    assert finding["path"] == name and (finding["line"], finding["column"]) == (1, 1)
    assert "binary" in finding["message"]


def test_random_high_bytes_without_nul_are_text(tmp_path):
    write(tmp_path, {"nginx.conf": b"events {}\n# \xff\xfe\xc3\x28\xa0\xa1\xe2\x82\n\xf0\x28\x8c\xbc frobnicate;\n"})
    run = lint(tmp_path)
    assert_sane(run)
    assert run.by_code("NGX004") and not run.by_code("NGX008")


GBK_COMMENT = "# 上游服务器配置，请勿修改\n".encode("gbk")


def test_gbk_comments_are_linted_like_any_file_with_positions_right(tmp_path):
    text = b"events {}\n" + GBK_COMMENT + b"http {\n" + GBK_COMMENT + b"    frobnicate on;\n}\n"
    write(tmp_path, {"nginx.conf": text})
    run = lint(tmp_path)
    assert_sane(run)
    assert [(f["code"], f["line"], f["column"], f["end_column"]) for f in run.findings
            if f["code"].startswith(("NGX", "NL"))] == [("NGX004", 5, 5, 15)]


def test_gbk_bytes_before_a_finding_on_the_same_line(tmp_path):
    """Undecodable bytes count one column each (they are kept as they are, byte by byte)."""
    prefix = 'return 200 "中文";'.encode("gbk")
    text = b"events {}\nhttp { server { listen 8080; location / { " + prefix + b" frobnicate; } } }\n"
    write(tmp_path, {"nginx.conf": text})
    run = lint(tmp_path)
    assert_sane(run)
    [finding] = run.by_code("NGX004")
    line = text.split(b"\n")[1]
    before = line[: line.index(b"frobnicate")].decode("utf-8", "surrogateescape")
    assert (finding["line"], finding["column"]) == (2, len(before) + 1)


@pytest.mark.parametrize("fmt", ["full", "concise", "json", "sarif", "github", "gitlab", "junit", "checkstyle"])
def test_gbk_in_a_message_survives_every_format(tmp_path, fmt):
    write(tmp_path, {"nginx.conf": b"events {}\n" + "配置 on;\n".encode("gbk")})
    run = lint(tmp_path, fmt=fmt)
    assert run.crash is None, run.crash
    assert run.status == 1, run.err
    assert run.out.strip()


def test_utf8_bom_is_named_with_the_first_directive(tmp_path):
    write(tmp_path, {"nginx.conf": "\ufeffevents {}\nhttp {\n    frobnicate;\n}\n"})
    run = lint(tmp_path)
    assert_sane(run)
    first, second = sorted(run.by_code("NGX004"), key=lambda f: f["line"])
    assert (first["line"], first["column"]) == (1, 1) and "byte order mark" in first["message"]
    assert (second["line"], second["column"], second["end_column"]) == (3, 5, 15)


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "lone-cr"])
def test_crlf_and_lone_cr_keep_columns(tmp_path, newline):
    text = newline.join(["events {}", "http {", '    add_header X-A "v";  frobnicate on;', "}", ""])
    write(tmp_path, {"nginx.conf": text})
    run = lint(tmp_path)
    assert_sane(run)
    [finding] = run.by_code("NGX004")
    assert (finding["line"], finding["column"], finding["end_column"]) == (3, 26, 36)


def test_nesting_a_thousand_levels_deep(tmp_path):
    depth = 1000
    body = "location /a {\n" * depth + "return 204;\n" + "}\n" * depth
    write(tmp_path, {"nginx.conf": f"events {{}}\nhttp {{\nserver {{\nlisten 8080;\n{body}}}\n}}\n"})
    for fmt in ("json", "sarif", "full"):
        run = lint(tmp_path, fmt=fmt)
        assert run.crash is None, run.crash[-3000:]
        assert run.status in (0, 1)


def test_lua_nested_a_thousand_levels_deep(tmp_path):
    lua = "local t = " + "{" * 1000 + "}" * 1000
    write(tmp_path, {"nginx.conf": f"events {{}}\nhttp {{\n    init_by_lua_block {{ {lua} }}\n}}\n"})
    run = lint(tmp_path)
    assert_sane(run)
    assert not run.by_code("NGX001")  # the braces balance: nginx accepts the block


def test_unclosed_blocks_a_thousand_deep(tmp_path):
    write(tmp_path, {"nginx.conf": "events {}\nhttp {\n" + "location / {\n" * 1000})
    run = lint(tmp_path)
    assert_sane(run)
    assert run.by_code("NGX001")


@pytest.mark.parametrize("include", ["nginx.conf", "*.conf", "./nginx.conf"])
def test_file_including_itself(tmp_path, include):
    write(tmp_path, {"nginx.conf": f"events {{}}\nhttp {{\n    include {include};\n}}\n"})
    run = lint(tmp_path)
    assert_sane(run)
    assert run.by_code("NGX003")


def test_glob_matching_thousands_of_files(tmp_path):
    files = {"nginx.conf": MAIN}
    for index in range(3000):
        files[f"conf.d/site{index:04}.conf"] = f"server {{ listen {10000 + index}; server_name s{index}; }}\n"
    files["conf.d/site2999.conf"] = "server { listen 1; frobnicate; }\n"
    write(tmp_path, files)
    run = lint(tmp_path)
    assert_sane(run)
    assert [(f["path"], f["line"]) for f in run.by_code("NGX004")] == [("conf.d/site2999.conf", 1)]


def test_symlink_loops(tmp_path):
    write(tmp_path, {"nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n    include loop/a.conf;\n}\n",
                     "conf.d/site.conf": "server { listen 8080; }\n"})
    (tmp_path / "conf.d" / "self").symlink_to(tmp_path / "conf.d", target_is_directory=True)
    (tmp_path / "conf.d" / "ping.conf").symlink_to(tmp_path / "conf.d" / "pong.conf")
    (tmp_path / "conf.d" / "pong.conf").symlink_to(tmp_path / "conf.d" / "ping.conf")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    run = lint(tmp_path)
    assert_sane(run)
    assert run.status == 1
    reported = {f["path"] for f in run.findings if f["code"] in ("NGX002", "NGX008")}
    assert "nginx.conf" in reported or "conf.d/ping.conf" in reported, run.findings


def _linted_with_links(top, files: dict, links: dict):
    """The lint of a repository of `files` and of symbolic links {link: target}."""
    write(top, files)
    (top / ".git").mkdir()
    for link, target in links.items():
        (top / link).parent.mkdir(parents=True, exist_ok=True)
        (top / link).symlink_to(target)
    run = lint(top)
    assert_sane(run)
    return run


def test_a_link_to_nginx_s_conf_directory_in_a_repository_installed_there(tmp_path):
    """`caches-enabled/steam.conf -> /etc/nginx/caches-available/steam.conf` in a repository cloned to /etc/nginx:
    the link is read as the repository's own caches-available/steam.conf (and what it says is reported once, at that
    file); one to a file it lacks stays broken."""
    run = _linted_with_links(tmp_path, {"nginx.conf": "events {}\nhttp {\n    include caches-enabled/*.conf;\n}\n",
                                        "caches-available/steam.conf": "server { listen 8080; frobnicate; }\n"},
                             {"caches-enabled/steam.conf": "/etc/nginx/caches-available/steam.conf",
                              "caches-enabled/riot.conf": "/etc/nginx/caches-available/riot.conf"})
    assert {(f["path"], f["code"]) for f in run.findings if f["code"] in ("NGX004", "NGX008")} == {
        ("caches-available/steam.conf", "NGX004"), ("caches-enabled/riot.conf", "NGX008")}


def test_a_link_to_a_site_a_start_script_renders_from_its_template_is_out_of_view(tmp_path):
    """`sites-enabled/centre -> /etc/nginx/sites-available/centre` where the repository holds `centre.tpl`, which the
    image's start script renders: the link is a note, not a broken file; one to a site with no template is NGX008."""
    run = _linted_with_links(tmp_path, {"nginx.conf": "events {}\nhttp {\n    include sites-enabled/*;\n}\n",
                                        "sites-available/centre.tpl": "server { listen 8080; server_name ${HOST}; }\n"},
                             {"sites-enabled/centre": "/etc/nginx/sites-available/centre",
                              "sites-enabled/docs": "/etc/nginx/sites-available/docs"})
    assert [(f["path"], f["code"]) for f in run.findings if f["code"] == "NGX008"] == [("sites-enabled/docs", "NGX008")]


def test_a_link_to_a_file_of_the_machine_is_out_of_view_not_unreadable(tmp_path):
    """`modules-enabled/50-mod-mail.conf -> /usr/share/nginx/modules-available/mod-mail.conf`: what is there depends
    on the machine nginx runs on, not on the one that lints, so it is a note, whatever this machine holds; a link
    broken inside the repository is NGX008."""
    run = _linted_with_links(tmp_path, {"nginx.conf": MAIN},
                             {"modules-enabled/50-mod-mail.conf": "/usr/share/nginx/modules-available/mod-mail.conf",
                              "modules-enabled/60-gone.conf": str(tmp_path / "modules-available" / "gone.conf")})
    assert [(f["path"], f["code"]) for f in run.findings if f["code"] == "NGX008"] == [
        ("modules-enabled/60-gone.conf", "NGX008")]


def test_directory_named_like_a_config(tmp_path):
    write(tmp_path, {"nginx.conf": MAIN + "include conf.d/x.conf;\n", "conf.d/x.conf/inner.txt": "not a config",
                     "conf.d/real.conf": "server { listen 8080; }\n"})
    run = lint(tmp_path)
    assert_sane(run)
    # the glob skips the directory (as nginx does); the literal include names it
    [finding] = [f for f in run.findings if f["code"] in ("NGX002", "NGX008")]
    assert finding["path"] in ("nginx.conf", "conf.d/x.conf") and "directory" in finding["message"]


def test_directory_named_like_a_config_passed_on_the_command_line(tmp_path):
    write(tmp_path, {"x.conf/nginx.conf": "events {}\nhttp { frobnicate; }\n"})
    run = lint(tmp_path, target="x.conf")
    assert_sane(run)
    assert [f["path"] for f in run.by_code("NGX004")] == ["x.conf/nginx.conf"]


def test_file_deleted_while_the_run_is_going(tmp_path, monkeypatch):
    from nginxlint import sources

    write(tmp_path, {"nginx.conf": MAIN, "conf.d/a.conf": "server { listen 8080; frobnicate; }\n",
                     "conf.d/b.conf": "server { listen 8081; }\n"})
    original = sources.read_source_text
    victim = (tmp_path / "conf.d" / "b.conf").resolve()

    def read_after_delete(path):
        if Path(path).resolve() == victim and victim.exists():
            victim.unlink()  # between discovery and reading
        return original(path)

    monkeypatch.setattr(sources, "read_source_text", read_after_delete)
    run = lint(tmp_path)
    assert_sane(run)
    assert not victim.exists()
    assert [f["path"] for f in run.by_code("NGX008")] == ["conf.d/b.conf"]
    assert [f["path"] for f in run.by_code("NGX004")] == ["conf.d/a.conf"]  # the other files are still linted


def test_very_long_lines(tmp_path):
    long_value = "x" * 2_000_000
    line = f'events {{}} http {{ add_header X-Long "{long_value}"; ' + "default_type text/plain; " * 20_000
    write(tmp_path, {"nginx.conf": line + "frobnicate; }\n"})
    run = lint(tmp_path)
    assert_sane(run)
    # nginx reads 4096-byte buffers: a 2 MB string does not fit (`too long parameter`), and nginx stops there
    [finding] = run.by_code("NGX001")
    assert finding["message"].startswith('too long parameter, probably missing terminating """ character')
    assert (finding["line"], finding["column"]) == (1, line.index('"') + 1)


def _as_nobody(tree: Path, args: list[str]) -> tuple[int, str]:
    """The CLI in a forked child that dropped root for nobody (python itself is not readable by nobody here)."""
    import io
    import json  # noqa: F401 - loaded before the fork

    from nginxlint.cli import main

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        status = 3
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.chdir(tree)
            out = io.StringIO()
            out.buffer = io.BytesIO()
            import contextlib

            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                status = main(args)
            os.write(write_end, out.buffer.getvalue() + out.getvalue().encode())
        finally:
            os._exit(status)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    _, wait_status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(wait_status), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(not hasattr(os, "fork") or os.geteuid() != 0, reason="needs root to drop privileges")
def test_permission_denied():
    import json

    tree = Path(tempfile.mkdtemp(prefix="nginxlint-perm-"))
    try:
        tree.chmod(0o755)
        write(tree, {"nginx.conf": "events {}\nhttp {\n    include secret.conf;\n    include open.conf;\n}\n",
                     "secret.conf": "server { listen 8080; }\n", "open.conf": "frobnicate;\n"})
        (tree / "secret.conf").chmod(0o000)
        args = [".", "--format", "json", "--base-dir", str(tree), "--isolated"]
        lint(tree, "--isolated")  # load every lazy module as root first: the child cannot read the interpreter
        status, out = _as_nobody(tree, args)
        assert status == 1, out
        findings = json.loads(out)["findings"]
        [denied] = [f for f in findings if f["code"] == "NGX008"]
        assert denied["path"] == "secret.conf" and "permission denied" in denied["message"]
        assert [f["path"] for f in findings if f["code"] == "NGX004"] == ["open.conf"]
    finally:
        (tree / "secret.conf").chmod(0o644)
        shutil.rmtree(tree)


def test_a_binary_data_file_found_by_its_place_is_skipped_not_reported(tmp_path):
    write(tmp_path, {"nginx.conf": MAIN, "conf.d/site.conf": "server { listen 8080; }\n"})
    write(tmp_path, {"conf.d/GeoIP.dat": b"\x01\x00\x00\x02\x00\x00\x03" + bytes(range(256))})
    run = lint(tmp_path)
    assert_sane(run)
    assert not run.by_code("NGX008")
    assert any(n["path"] == "conf.d/GeoIP.dat" and "binary" in n["message"] for n in run.json["notifications"])


def test_a_binary_file_with_a_config_s_name_that_no_config_includes_is_skipped_unless_it_is_utf16_text(tmp_path):
    # another program's pickled settings under a `.conf` name; a site saved as UTF-16 is a config nginx
    # cannot read, and is reported
    write(tmp_path, {"nginx.conf": MAIN, "usr/share/pyblock/settings.conf": b"\x80\x04\x95\x10\x00\x00\x00}\x94.",
                     "windows/site.conf": "server { listen 80; }\n".encode("utf-16")})
    run = lint(tmp_path)
    assert_sane(run)
    assert [f["path"] for f in run.by_code("NGX008")] == ["windows/site.conf"]
    assert any(n["path"] == "usr/share/pyblock/settings.conf" and "binary" in n["message"]
               for n in run.json["notifications"])
