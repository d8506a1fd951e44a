"""The command line as users meet it: exit status, formats, settings, suppressions, pre-commit file lists."""
from __future__ import annotations

import json

from lintkit import run_cli, write_tree

MAIN = """events {}
http {
    include vhosts/*.conf;
}
"""
API = """server {
    listen 8080;
    location / {
        content_by_lua_block { ngx.say("ok") }
    }
}
"""
BROKEN_ENV = "events {}\nhttp {\n    env FOO;\n}\n"


def test_clean_config_exits_zero(lint):
    result = lint({"conf/nginx.conf": MAIN, "conf/vhosts/api.conf": API}, "--select", "NGX")
    assert result.status == 0, result.out
    assert result.json["findings"] == []


def test_json_contract_and_exit_one(lint):
    result = lint({"conf/nginx.conf": BROKEN_ENV}, "--select", "NGX")
    assert result.status == 1
    [finding] = result.json["findings"]
    assert list(finding) == ["code", "name", "severity", "message", "path", "line", "column", "end_line",
                             "end_column", "related"]
    assert (finding["code"], finding["path"], finding["line"], finding["column"], finding["end_column"]) == (
        "NGX005", "conf/nginx.conf", 3, 5, 8)
    assert result.json["summary"]["by_severity"]["error"] == 1


def test_same_input_gives_byte_identical_output(lint):
    files = {"conf/nginx.conf": BROKEN_ENV + "worker_processes auto;\n"}
    assert lint(files).out == lint(files).out


def test_full_format_shows_source_and_caret(tmp_path):
    write_tree(tmp_path, {"conf/nginx.conf": BROKEN_ENV})
    result = run_cli(["conf", "--select", "NGX005", "--base-dir", str(tmp_path)], cwd=tmp_path)
    lines = result.out.splitlines()
    assert lines[0] == 'conf/nginx.conf:3:5: NGX005 "env" directive is not allowed here; nginx refuses to start'
    assert lines[2] == "3 |     env FOO;"
    assert lines[3] == "  |     ^^^"
    assert "\033[" not in result.out  # no colour when not on a terminal


def test_fragment_reports_include_chain(lint):
    result = lint({"conf/nginx.conf": MAIN, "conf/vhosts/api.conf": "server { listen 8080; env FOO; }\n"},
                  "--select", "NGX005")
    [finding] = result.json["findings"]
    assert finding["path"] == "conf/vhosts/api.conf"
    assert finding["related"] == [{"path": "conf/nginx.conf", "line": 3, "column": 5,
                                   "message": "included from conf/nginx.conf:3"}]


def test_passed_fragment_is_linted_in_its_root_context_and_only_it_is_reported(tmp_path):
    write_tree(tmp_path, {"conf/nginx.conf": MAIN + "env FOO;\n", "conf/vhosts/api.conf": API,
                          "conf/vhosts/bad.conf": "server { listen 8081; env BAR; }\n"})
    result = run_cli(["conf/vhosts/api.conf", "--format", "json", "--select", "NGX"], cwd=tmp_path)
    assert result.status == 0, result.out  # content_by_lua_block sits in a location once included
    result = run_cli(["conf/vhosts/bad.conf", "--format", "json", "--select", "NGX"], cwd=tmp_path)
    assert [(f["path"], f["code"]) for f in result.json["findings"]] == [("conf/vhosts/bad.conf", "NGX005")]


def test_syntax_error_is_never_clean_even_when_ignored(lint):
    result = lint({"conf/nginx.conf": "events {\n"}, "--ignore", "NGX001")
    assert result.json["findings"] == []
    assert result.status == 1
    assert result.json["summary"]["errors"][0]["code"] == "NGX001"


def test_exit_zero_and_failure_threshold(lint):
    files = {"conf/nginx.conf": "events {}\nhttp { lua_shared_dic x 1m; }\n"}
    assert lint(files, "--select", "NGX004").status == 1
    assert lint(files, "--select", "NGX004", "--failure-threshold", "error").status == 0
    assert lint(files, "--select", "NGX004", "--exit-zero").status == 0


def test_unknown_setting_is_an_error_with_a_hint(lint):
    result = lint({"conf/nginx.conf": "events {}\n", ".nginxlint.yaml": "selct: [NGX]\n"})
    assert result.status == 2
    assert 'unknown setting "selct"; did you mean "select"?' in result.err


def test_unknown_selector_is_an_error_with_a_hint(lint):
    result = lint({"conf/nginx.conf": "events {}\n"}, "--select", "undeclared-shared-dic")
    assert result.status == 2
    assert 'did you mean "undeclared-shared-dict"' in result.err


def test_settings_file_select_and_per_file_ignores(lint):
    files = {
        "conf/nginx.conf": BROKEN_ENV + "include extra.conf;\n",
        "conf/extra.conf": "lua_shared_dic x 1m;\n",
        ".nginxlint.yaml": "select: [NGX]\nper-file-ignores:\n  'conf/extra.conf': [NGX004]\nseverity:\n  NGX005: warning\n",
    }
    result = lint(files)
    assert [(f["code"], f["severity"]) for f in result.json["findings"]] == [("NGX005", "warning")]


def test_pyproject_settings(lint):
    files = {"conf/nginx.conf": BROKEN_ENV, "pyproject.toml": "[tool.nginxlint]\nignore = ['NGX005']\n"}
    assert "NGX005" not in lint(files).codes()


def test_disable_enable_range_and_skip_file(lint):
    files = {
        "conf/nginx.conf": "events {}\nhttp {\n    # nginxlint: disable[NGX004] vendor build\n"
        "    foo_a on;\n    foo_b on;\n    # nginxlint: enable[NGX004]\n    foo_c on;\n}\n",
    }
    result = lint(files, "--select", "NGX004,NL9")
    assert [(f["code"], f["line"]) for f in result.json["findings"]] == [("NGX004", 7)]
    assert result.json["summary"]["suppressed"] == 2
    files["conf/nginx.conf"] = "# nginxlint: skip-file generated\n" + files["conf/nginx.conf"]
    assert lint(files, "--select", "NGX004").json["findings"] == []


def test_disable_ends_with_the_enclosing_block(lint):
    files = {"conf/nginx.conf": "events {}\nhttp {\n    server {\n        # nginxlint: disable[NGX004]\n"
                                "        foo_a on;\n    }\n    foo_b on;\n}\n"}
    result = lint(files, "--select", "NGX004")
    assert [f["line"] for f in result.json["findings"]] == [7]


def test_stdin(tmp_path):
    result = run_cli(["-", "--stdin-filename", "conf/nginx.conf", "--format", "json", "--select", "NGX"],
                     cwd=tmp_path, stdin=BROKEN_ENV.encode())
    assert result.status == 1
    assert [(f["path"], f["line"]) for f in result.json["findings"]] == [("conf/nginx.conf", 3)]


def test_missing_path_is_a_usage_error(tmp_path):
    result = run_cli(["nope/"], cwd=tmp_path)
    assert result.status == 2
    assert "nope/: no such file or directory" in result.err


def test_rules_listing_and_rule_doc():
    listing = run_cli(["rules", "--format", "json"])
    rows = json.loads(listing.out)
    assert {"NGX001", "NGX005"} <= {row["code"] for row in rows}
    doc = run_cli(["rule", "NGX005"])
    assert doc.status == 0 and "## What it does" in doc.out
    assert run_cli(["rule", "NGX999"]).status == 2


def test_a_crashing_rule_becomes_nl999_and_the_others_still_run(lint, monkeypatch):
    from nginxlint.checks import registry

    registry.load_rules()

    def explode(tree, report):
        raise RuntimeError("boom")

    monkeypatch.setitem(registry.RULES, "NGX007", explode)
    monkeypatch.setitem(registry.SCOPES, explode, "deployment")
    explode.code = "NGX007"  # what `@rule("NGX007")` would have set
    result = lint({"conf/nginx.conf": BROKEN_ENV}, "--select", "NGX,NL")
    assert result.status == 2
    codes = result.codes()
    assert "NL999" in codes and "NGX005" in codes
    crash = next(f for f in result.json["findings"] if f["code"] == "NL999")
    assert "NGX007" in crash["message"] and "RuntimeError: boom" in crash["message"]


def test_concise_and_output_file(tmp_path):
    write_tree(tmp_path, {"conf/nginx.conf": BROKEN_ENV})
    result = run_cli(["conf", "--format", "concise", "--select", "NGX", "-o", "out.txt"], cwd=tmp_path)
    assert result.status == 1 and result.out == ""
    text = (tmp_path / "out.txt").read_text()
    assert text.startswith("conf/nginx.conf:3:5: NGX005 ")


def test_jobs_give_the_same_report(tmp_path):
    for name in ("a", "b", "c"):
        write_tree(tmp_path / name, {"conf/nginx.conf": BROKEN_ENV, "conf/x.conf": "lua_shared_dic x 1m;\n"})
    args = ["a", "b", "c", "--format", "json", "--select", "NGX", "--base-dir", str(tmp_path)]
    serial = run_cli(args, cwd=tmp_path)
    parallel = run_cli([*args, "--jobs", "2"], cwd=tmp_path)
    assert serial.status == parallel.status == 1
    assert serial.out == parallel.out
    # the three directories are copies: each finding once, naming the other two, whichever process found them
    assert [sorted(r["path"][0] for r in f["related"]) for f in serial.json["findings"]] == [["b", "c"], ["b", "c"]]


def test_a_broken_file_that_was_not_passed_does_not_fail_the_passed_one(tmp_path):
    write_tree(tmp_path, {"conf/nginx.conf": MAIN, "conf/vhosts/api.conf": API,
                          "conf/vhosts/broken.conf": "server { listen 8081;\n"})
    result = run_cli(["conf/vhosts/api.conf", "--format", "json", "--select", "NGX"], cwd=tmp_path)
    assert result.json["findings"] == [] and result.json["summary"]["errors"] == []
    assert result.status == 0


def test_settings_values_of_the_wrong_shape_are_errors_not_crashes(lint):
    files = {"conf/nginx.conf": BROKEN_ENV + "lua_shared_dic x 1m;\n"}
    files[".nginxlint.yaml"] = "per-file-ignores: {'conf/*.conf': NGX004}\nlua: {known-modules: binary_protocol}\n"
    result = lint(files, "--select", "NGX")
    assert result.status == 1 and result.codes() == ["NGX005"]
    for bad in ("lua: {paths: 5}\n", "per-file-ignores: {'*.conf': [1]}\n", "containers: {web: [a]}\n"):
        files[".nginxlint.yaml"] = bad
        result = lint(files)
        assert result.status == 2 and "must be" in result.err, (bad, result.err)


def test_origin_settings_from_the_command_line_and_their_wrong_shapes(lint):
    conf = {"conf/nginx.conf": "events {}\nhttp { server { listen 80;\n"
                               "    if ($http_origin !~ '^https?://example\\.net$') { return 403; } } }\n"}
    assert lint(conf, "--select", "SEC543").json["findings"] == []
    result = lint(conf, "--select", "SEC543", "--origin-domains", "Example.COM, example.org")
    [finding] = result.json["findings"]
    assert "none of the origin-domains setting (example.com, example.org)" in finding["message"], finding
    result = lint(conf, "--select", "SEC543", "--origin-domains", "example.net", "--origin-https-only")
    [finding] = result.json["findings"]
    assert "http://example.net: it is plain http" in finding["message"], finding
    for bad in ("origin-domains: [1]\n", "origin-https-only: 'yes'\n"):
        result = lint({**conf, ".nginxlint.yaml": bad})
        assert result.status == 2 and "must be" in result.err, (bad, result.err)


def test_security_headers_from_the_command_line_and_their_wrong_shapes(lint):
    conf = {"conf/nginx.conf": "events {}\nhttp { add_header X-Served-By web1;\n"
                               "    server { listen 80; add_header Cache-Control no-store; } }\n"}
    assert lint(conf, "--select", "SEC503").json["findings"] == []
    for flags in (["--security-headers", "*"], ["--security-headers", "X-Served-*"],
                  ["--extend-security-headers", "x-request-id, X-SERVED-BY"]):
        [finding] = lint(conf, "--select", "SEC503", *flags).json["findings"]
        assert finding["line"] == 3 and "drops X-Served-By" in finding["message"], (flags, finding)
    for bad in ("security-headers: {x-frame-options: 1}\n", "extend-security-headers: [1]\n"):
        result = lint({**conf, ".nginxlint.yaml": bad})
        assert result.status == 2 and "must be" in result.err, (bad, result.err)


def test_include_with_a_variable_is_a_missing_file_and_silences_absence_rules(lint):
    result = lint({"conf/nginx.conf": "events {}\nhttp { include $conf_dir/x.conf; }\n"}, "--select", "NGX002,MET301")
    assert [f["code"] for f in result.json["findings"]] == ["NGX002"]


def test_suppression_inside_a_lua_block(lint):
    conf = """events {}
http {
    server {
        listen 8080;
        location / {
            content_by_lua_block {
                -- nginxlint: ignore[LUA202] the dict comes from an included vendor file
                local d = ngx.shared.vendor_cache
                ngx.say(ngx.shared.other:get("k"))
            }
        }
    }
}
"""
    result = lint({"conf/nginx.conf": conf}, "--select", "LUA202,NL")
    assert [(f["code"], f["line"]) for f in result.json["findings"]] == [("LUA202", 9)]
    assert result.json["summary"]["suppressed"] == 1


def test_manifests_named_on_the_command_line(tmp_path):
    write_tree(tmp_path, {
        "nginx/conf/nginx.conf": "worker_processes auto;\nevents {}\nhttp {}\n",
        "deploy/k8s/app.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
                               "    spec:\n      containers:\n        - name: web\n          image: openresty/openresty\n"
                               "          resources: {limits: {cpu: '2'}}\n",
    })
    args = ["nginx", "--format", "json", "--select", "CTR101", "--base-dir", str(tmp_path)]
    alone = run_cli(args, cwd=tmp_path).json["findings"]
    named = run_cli([*args, "--manifests", "deploy"], cwd=tmp_path).json["findings"]
    assert alone == []  # without the manifest nothing shows a container, nor a CPU limit
    assert [f["severity"] for f in named] == ["error"] and "limits.cpu 2" in named[0]["message"]


def test_a_compose_mount_of_a_host_path_outside_the_repository_is_not_read_from_this_machine(tmp_path):
    """`/etc/nginx/nginx.conf:/etc/nginx/nginx.conf` names the server's file: the machine running the lint may hold
    a file at that path, which is not the one deployed."""
    host = tmp_path / "host-etc" / "nginx.conf"
    write_tree(tmp_path, {
        "host-etc/nginx.conf": "events {}\nhttp { server { listen 443 ssl; ssl_protocols TLSv1; } }\n",
        "repo/docker-compose.yml": f"services:\n  web:\n    image: nginx:1.27\n    volumes:\n"
                                   f"      - {host}:/etc/nginx/nginx.conf\n",
        "repo/site.conf": "events {}\nhttp { server { listen 8080; } }\n",
    })
    (tmp_path / "repo" / ".git").mkdir()
    shown = run_cli([".", "--exit-zero", "--show-files"], cwd=tmp_path / "repo").out
    assert "read     site.conf" in shown and "host-etc" not in shown


def test_opt_in_rules_run_only_when_selected_by_code_or_name(tmp_path):
    write_tree(tmp_path, {"nginx.conf": "events {}\nhttp { server { listen 80; location / { proxy_pass "
                                        "http://127.0.0.1:9000; proxy_buffering off; } } }\n"})

    def codes(*args):
        result = run_cli([".", "--format", "json", "--isolated", *args], cwd=tmp_path)
        assert result.status in (0, 1), result.err
        return result.codes()

    assert "NGX027" not in codes()  # ALL, the default, leaves opt-in rules out
    assert "NGX027" not in codes("--select", "NGX")  # and so does a prefix
    assert "NGX027" in codes("--select", "NGX027")
    assert "NGX027" in codes("--extend-select", "proxy-buffering-off")


def test_a_directory_and_a_file_named_together_report_what_lies_under_them(tmp_path):
    write_tree(tmp_path, {
        "a/nginx.conf": "events {}\nhttp { server { listen 80; bogus_a on; } }\n",
        "b/nginx.conf": "events {}\nhttp { server { listen 81; bogus_b on; } }\n",
        "c/nginx.conf": "events {}\nhttp { server { listen 82; bogus_c on; } }\n",
    })
    (tmp_path / ".git").mkdir()  # the repository the named file lives in
    result = run_cli(["a", "b/nginx.conf", "--format", "json", "--select", "NGX004"], cwd=tmp_path)
    assert sorted(f["path"] for f in result.json["findings"]) == ["a/nginx.conf", "b/nginx.conf"]


def test_production_advice_is_quiet_in_fixture_directories_however_the_run_starts(tmp_path):
    conf = ("events {}\nhttp { server { listen 80; location / { content_by_lua_block { err.x = 1 } } } }\n")
    paths = ("nginx.conf", "test/e2e/nginx.conf", "e2e-echo/nginx.conf", "testing/nginx.conf",
             "latest/nginx.conf")
    write_tree(tmp_path, {path: f"{conf}# {path}\n" for path in paths})  # not copies of each other
    (tmp_path / ".git").mkdir()

    def findings(*args, cwd=tmp_path):
        result = run_cli([*args, "--format", "json", "--select", "SEC571,LUA211"], cwd=cwd)
        assert result.status in (0, 1), result.err
        return sorted((f["path"], f["code"]) for f in result.json["findings"])

    everywhere = findings(".")
    # server_tokens advice (production-only) only where a server faces the public; the Lua bug everywhere
    # (a directory name matches a pattern whole: latest/ is not a test directory)
    assert [p for p, code in everywhere if code == "SEC571"] == ["latest/nginx.conf", "nginx.conf"]
    assert sorted(p for p, code in everywhere if code == "LUA211") == [
        "e2e-echo/nginx.conf", "latest/nginx.conf", "nginx.conf", "test/e2e/nginx.conf", "testing/nginx.conf"]
    # one answer: the fixture named alone, or the run started inside it, stays quiet too
    assert ("test/e2e/nginx.conf", "SEC571") not in findings("test/e2e/nginx.conf")
    assert [c for _, c in findings(".", cwd=tmp_path / "test" / "e2e")] == ["LUA211"]
    # fixture-dirs: [] reports everything
    (tmp_path / ".nginxlint.yaml").write_text("fixture-dirs: []\n")
    assert len([c for _, c in findings(".") if c == "SEC571"]) == 5


def test_production_advice_is_quiet_on_leftovers_kept_for_reference(tmp_path):
    conf = "events {}\nhttp { server { listen 80; location / { content_by_lua_block { err.x = 1 } } } }\n"
    paths = ("nginx.conf", "config/old_nodejs.org.conf", "nginx-old/nginx.conf", "conf.d/default.bak.conf",
             "conf/gold.conf", "household/nginx.conf", "conf/site-backup.conf", "conf/backups.conf",
             "archive/terraform/nginx/nginx.conf", "archives/base/nginx/conf/nginx.conf")
    write_tree(tmp_path, {path: f"{conf}# {path}\n" for path in paths})
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json", "--select", "SEC571,LUA211"], cwd=tmp_path)
    found = sorted((f["path"], f["code"]) for f in result.json["findings"])
    assert [p for p, code in found if code == "SEC571"] == ["conf/backups.conf", "conf/gold.conf",
                                                            "household/nginx.conf", "nginx.conf"]
    # what breaks stays, but for the backup copy (default.bak.conf), whose findings are one notification
    assert sorted(p for p, code in found if code == "LUA211") == sorted(set(paths) - {"conf.d/default.bak.conf"})


def test_a_benchmark_suite_gets_no_advice_that_protects_people_its_stacks_do_not_serve(tmp_path):
    conf = ("events {}\nhttp { access_log /var/log/app.log;\n"
            "  server { listen 80; location / { content_by_lua_block { err.x = 1 } } } }\n")
    dockerfile = "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\n"
    readme = "# ShopBench\n\nA benchmark suite for online shops, driven by wrk2.\n\n## Running\n\nShops are fun.\n"
    write_tree(tmp_path, {"bench/nginx.conf": conf, "bench/Dockerfile": dockerfile, "bench/README.md": readme,
                          "bench/wrk2/README": "the load generator\n",
                          "shop/nginx.conf": conf, "shop/Dockerfile": dockerfile, "shop/README.md": readme})
    for top in ("bench", "shop"):
        (tmp_path / top / ".git").mkdir()

    def codes(top):
        result = run_cli([".", "--format", "json", "--select", "SEC571,CTR105,LUA211"], cwd=tmp_path / top)
        assert result.status in (0, 1), result.err
        return sorted(f["code"] for f in result.json["findings"])

    # security advice is quiet in the benchmark, the log file and the Lua bug are not; without a load generator
    # the README's words alone make no benchmark
    assert codes("bench") == ["CTR105", "LUA211"]
    assert codes("shop") == ["CTR105", "LUA211", "SEC571"]


def test_a_local_development_environment_gets_no_production_advice(tmp_path):
    conf = "events {}\nhttp { server { listen 80; location / { content_by_lua_block { err.x = 1 } } } }\n"
    opening = "# VVV\n\nVVV is a local developer environment, mainly aimed at WordPress developers.\n\n## Use\n"
    write_tree(tmp_path, {"vvv/provision/nginx.conf": conf, "vvv/README.md": opening,
                          "devbox/provision/nginx.conf": conf, "devbox/README.md": "Docker Devbox for Magento 2\n",
                          "base/provision/nginx.conf": conf,
                          "base/README.md": "Base project demonstrating prometheus scraping from openresty\n",
                          "drupal/provision/nginx.conf": conf,
                          "drupal/README.md": "# Drupal Docker Compose Development\n",
                          "both/provision/nginx.conf": conf,
                          "both/README.md": "# Docker images for development and production\n",
                          "site/provision/nginx.conf": conf,
                          "site/README.md": "# Site\n\nOur site. Its local development environment is Vagrant.\n"})
    for top in ("vvv", "base", "devbox", "drupal", "both", "site"):
        (tmp_path / top / ".git").mkdir()

    def codes(top):
        result = run_cli([".", "--format", "json", "--select", "SEC571,LUA211"], cwd=tmp_path / top)
        assert result.status in (0, 1), result.err
        return sorted(f["code"] for f in result.json["findings"])

    # the README's opening or title calls the project a local development environment: the Lua bug stays
    assert codes("vvv") == codes("base") == codes("devbox") == codes("drupal") == ["LUA211"]
    assert codes("site") == codes("both") == ["LUA211", "SEC571"]


def test_a_fixture_copy_of_a_deployed_config_is_reported_at_the_original(tmp_path):
    conf = "events {}\nhttp { server { listen 80; location / { content_by_lua_block { err.x = 1 } } } }\n"
    write_tree(tmp_path, {"docker/nginx.conf": conf, "docker/example/nginx.conf": conf,
                          "examples/other/nginx.conf": conf + "# changed\n"})
    (tmp_path / ".git").mkdir()

    def lint(*args):
        result = run_cli([*args, "--format", "json", "--select", "LUA211"], cwd=tmp_path)
        assert result.status in (0, 1), result.err
        return result.json

    everywhere = lint(".")
    assert sorted(f["path"] for f in everywhere["findings"]) == ["docker/nginx.conf", "examples/other/nginx.conf"]
    [note] = [n for n in everywhere["notifications"] if n["path"] == "docker/example/nginx.conf"]
    assert note["message"] == "the same text as docker/nginx.conf: its findings are reported there"
    # one answer: the copy named alone says the same
    alone = lint("docker/example/nginx.conf")
    assert alone["findings"] == [] and [n["path"] for n in alone["notifications"]] == ["docker/example/nginx.conf"]


def test_production_advice_is_quiet_where_the_config_says_it_is_not_deployed(tmp_path):
    """A template named for documentation that no config includes, a config logging at debug level, and every
    config of a Lua library's repository are not served to the public; what breaks nginx or a directive still is."""
    lua_bug = "location /l { bogus_directive on; }"
    https = "listen 443 ssl; ssl_certificate c.pem; ssl_certificate_key k.pem;"
    write_tree(tmp_path, {
        "nginx.conf": "events {}\nhttp { server_tokens off; include sites/*.conf; }\n",
        "sites/shop.conf": f"server {{ {https} server_name shop.io; {lua_bug} }}\n",
        "templates/example.com.conf": f"server {{ {https} server_name example.com www.example.com; {lua_bug} }}\n",
        "templates/mixed.conf": f"server {{ {https} server_name example.com shop.io; }}\n",
        "dev/nginx.conf": f"error_log stderr debug;\nevents {{}}\nhttp {{ server {{ listen 80; {lua_bug} }} }}\n",
        "prod/nginx.conf": f"error_log stderr warn;\nevents {{}}\nhttp {{ server {{ listen 80; }} }}\n",
    })
    (tmp_path / ".git").mkdir()

    def findings(*args):
        result = run_cli([*args, "--format", "json", "--select", "SEC571,SEC523,NGX004"], cwd=tmp_path)
        assert result.status in (0, 1), result.err
        return sorted((f["path"], f["code"]) for f in result.json["findings"])

    assert findings(".") == [
        ("dev/nginx.conf", "NGX004"), ("prod/nginx.conf", "SEC571"), ("sites/shop.conf", "NGX004"),
        ("sites/shop.conf", "SEC523"), ("templates/example.com.conf", "NGX004"), ("templates/mixed.conf", "SEC523")]
    assert findings("templates/example.com.conf") == [("templates/example.com.conf", "NGX004")]
    # a main config named for documentation is what nginx starts: still advised
    (tmp_path / "prod/nginx.conf").write_text("events {}\nhttp { server { listen 80; server_name example.com; } }\n")
    assert ("prod/nginx.conf", "SEC571") in findings(".")
    # the repository of a Lua library (a rockspec that installs modules only): its configs run the library
    (tmp_path / "lib-1.0-1.rockspec").write_text(
        'package = "lib"\nbuild = {\n  type = "builtin",\n  modules = { lib = "src/lib.lua" }\n}\n')
    assert findings(".") == [("dev/nginx.conf", "NGX004"), ("sites/shop.conf", "NGX004"),
                             ("templates/example.com.conf", "NGX004")]
    # one that installs more (a command, its configs) ships a product
    (tmp_path / "lib-1.0-1.rockspec").write_text(
        'build = {\n  type = "builtin",\n  modules = { lib = "src/lib.lua" },\n  install = { bin = { "bin/lib" } }\n}\n')
    assert ("prod/nginx.conf", "SEC571") in findings(".")
    # fixture-dirs: [] judges nothing a fixture
    (tmp_path / ".nginxlint.yaml").write_text("fixture-dirs: []\n")
    assert ("templates/example.com.conf", "SEC523") in findings(".")


def test_production_advice_is_quiet_in_demos(tmp_path):
    """A directory of a demo, and every config of a repository named as a collection of demos or examples."""
    conf = "events {}\nhttp { server { listen 80; location / { bogus_directive on; } } }\n"

    def findings(top):
        paths = ("nginx.conf", "redis-demo/nginx.conf", "demolition/nginx.conf")
        write_tree(top, {path: f"{conf}# {path}\n" for path in paths})  # not copies of each other
        (top / ".git").mkdir()
        result = run_cli([".", "--format", "json", "--select", "SEC571,NGX004"], cwd=top)
        assert result.status in (0, 1), result.err
        return sorted((f["path"], f["code"]) for f in result.json["findings"])

    assert findings(tmp_path / "shop") == [
        ("demolition/nginx.conf", "NGX004"), ("demolition/nginx.conf", "SEC571"), ("nginx.conf", "NGX004"),
        ("nginx.conf", "SEC571"), ("redis-demo/nginx.conf", "NGX004")]
    assert [c for _, c in findings(tmp_path / "NGINX-Demos")] == ["NGX004"] * 3
    assert [c for _, c in findings(tmp_path / "njs-examples")] == ["NGX004"] * 3
    assert ("nginx.conf", "SEC571") in findings(tmp_path / "counterexample")


def test_stale_address_advice_is_quiet_in_a_repository_of_samples(tmp_path):
    """A repository of demos or samples holds stacks started and removed whole: no container outlives another."""
    files = {"proxy/nginx.conf": "events {}\nhttp { server { listen 80; location / { proxy_pass http://app:8000; } } }\n",
             "proxy/docker-compose.yml": "services:\n  proxy:\n    image: nginx:1.27\n    restart: always\n"
                                         "    volumes: ['./nginx.conf:/etc/nginx/nginx.conf:ro']\n"
                                         "  app:\n    image: shop/app:3\n    restart: always\n"}

    def codes(top):
        write_tree(top, files)
        (top / ".git").mkdir()
        result = run_cli([".", "--format", "json", "--select", "CTR112"], cwd=top)
        assert result.status in (0, 1), result.err
        return [f["code"] for f in result.json["findings"]]

    assert codes(tmp_path / "shop") == ["CTR112"]
    assert codes(tmp_path / "orthanc-setup-samples") == []
    assert codes(tmp_path / "nginx-demos") == []
    assert codes(tmp_path / "docker-examples") == ["CTR112"]  # an image's examples are stacks its users deploy


def test_a_fragment_of_stream_server_directives_is_read_in_the_stream_context(tmp_path):
    write_tree(tmp_path, {"nginx.conf": "events {}\nhttp { server { listen 80; } }\n",
                          "stream.d/preread.conf": "preread_by_lua_block { ngx.log(ngx.INFO, 'x') }\nproxy_pass b:443;\n"})
    result = run_cli([".", "--format", "json", "--select", "NGX005"], cwd=tmp_path)
    assert result.json["findings"] == []


def test_a_vendored_submodule_is_a_fixture_directory_of_its_superproject(tmp_path):
    conf = "events {}\nhttp { server { listen 80; server_tokens on; } }\n"
    write_tree(tmp_path, {"vendor/nginx/conf/nginx.conf": conf})
    (tmp_path / ".git").mkdir()
    (tmp_path / "vendor/nginx/.git").write_text("gitdir: ../../.git/modules/nginx\n")
    result = run_cli(["vendor/nginx/conf/nginx.conf", "--format", "json", "--select", "SEC571"], cwd=tmp_path)
    assert result.json["findings"] == []


def test_broken_test_data_in_a_fixture_directory_is_a_notification_in_every_format(tmp_path):
    cut = "events {}\nhttp {\n    server { listen 80; }\n"  # a cleaner's input, cut short on purpose
    write_tree(tmp_path, {"nginx.conf": "events {}\nhttp { include test/included/*.conf; }\n",
                          "test/data/cut.conf": cut, "test/included/site.conf": "server { listen 81;\n",
                          "conf/cut.conf": cut.replace("80", "82")})  # not a copy: reported on its own
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json", "--select", "NGX001"], cwd=tmp_path)
    # NGX001 stays for a file some config includes, and outside the fixture directories
    assert sorted((f["path"], f["line"]) for f in result.json["findings"]) == [
        ("conf/cut.conf", 2), ("test/included/site.conf", 1)]
    (note,) = [n for n in result.json["notifications"] if n["path"] == "test/data/cut.conf"]
    assert (note["level"], note["line"], note["column"]) == ("warning", 2, 6)
    assert note["message"].startswith("not linted from here on: unexpected end of file")
    for form in ("full", "concise", "json", "sarif", "github", "gitlab", "junit", "checkstyle"):
        shown = run_cli(["test/data", "--format", form, "--select", "NGX001"], cwd=tmp_path)
        assert "test/data/cut.conf" in shown.out and "not linted from here on" in shown.out, (form, shown.out)
    assert "1 file not fully linted" in run_cli(["test/data", "--select", "NGX001"], cwd=tmp_path).out
    (tmp_path / ".nginxlint.yaml").write_text("fixture-dirs: []\n")
    result = run_cli([".", "--format", "json", "--select", "NGX001"], cwd=tmp_path)
    assert ("test/data/cut.conf", "NGX001") in [(f["path"], f["code"]) for f in result.json["findings"]]


def test_what_makes_nginx_refuse_test_data_is_a_notification_per_file(tmp_path):
    # a cert-name parser's input: two certificates in one server, which nginx would refuse (NGX007)
    twice = ("server {\n    listen 443 ssl;\n    ssl_trusted_certificate /a/chain.pem;\n"
             "    ssl_trusted_certificate /b/chain.pem;\n    ssl_trusted_certificate /c/chain.pem;\n}\n")
    write_tree(tmp_path, {"nginx.conf": "events {}\nhttp { include tests/included/*.conf; }\n",
                          "tests/fixtures/two_certs.conf": twice, "tests/included/site.conf": twice,
                          "conf.d/site.conf": twice})
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json", "--select", "NGX007"], cwd=tmp_path)
    # a file some config includes, and one outside the fixture directories, keep their findings: the same in both
    # copies, said once with the other copy as a related place
    assert sorted({f["path"] for f in result.json["findings"]}) == ["conf.d/site.conf"]
    assert all(("tests/included/site.conf", f["line"]) in [(r["path"], r["line"]) for r in f["related"]]
               for f in result.json["findings"])
    (note,) = [n for n in result.json["notifications"] if n["path"] == "tests/fixtures/two_certs.conf"]
    assert (note["level"], note["code"], note["line"], note["column"]) == ("warning", "NGX007", 4, 5)
    assert note["message"].startswith("test data nginx would refuse as it stands (NGX007: ")
    assert "and 1 more" in note["message"]
    # an unselected code says nothing, and without fixture directories the findings come back
    assert not [n for n in run_cli([".", "--format", "json", "--select", "NGX001"], cwd=tmp_path).json["notifications"]
                if n["path"] == "tests/fixtures/two_certs.conf"]
    (tmp_path / ".nginxlint.yaml").write_text("fixture-dirs: []\n")
    result = run_cli([".", "--format", "json", "--select", "NGX007"], cwd=tmp_path)
    assert "tests/fixtures/two_certs.conf" in {f["path"] for f in result.json["findings"]}



def test_a_parsers_test_data_gets_no_finding_even_where_its_files_include_each_other(tmp_path):
    # certbot's round-trip inputs: configs that include each other, read by a parser's tests, never run by nginx
    broken = "events {}\nhttp { include sites/*.conf; map $uri $x { ~^/(a|b+)+$ 1; } }\n"
    site = "server {\n    listen 80;\n    root /srv/a;\n    root /srv/b;\n}\n"  # NGX007: nginx refuses it
    write_tree(tmp_path, {"compat-test/nginx/nginx-roundtrip-testdata/elgg/nginx.conf": broken,
                          "compat-test/nginx/nginx-roundtrip-testdata/elgg/sites/a.conf": site,
                          "conf/nginx.conf": "events {}\nhttp { include sites/*.conf; }\n", "conf/sites/a.conf": site})
    (tmp_path / ".git").mkdir()
    paths = {f["path"] for f in run_cli([".", "--format", "json", "--select", "NGX007"], cwd=tmp_path).json["findings"]}
    assert paths == {"conf/sites/a.conf"}


def test_a_backup_copy_no_config_includes_is_a_notification_not_findings(tmp_path):
    write_tree(tmp_path, {"nginx.conf": "events {}\nhttp { include conf.d/*.conf; }\n",
                          "conf.d/site.conf.bak": "server {\n    listen 80;\n    listen 80;\n    unknown_thing on;\n",
                          "conf.d/site.conf": "server { listen 80; }\n"})
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json"], cwd=tmp_path)
    assert [f for f in result.json["findings"] if f["path"] == "conf.d/site.conf.bak"] == []
    cut, refused = [n for n in result.json["notifications"] if n["path"] == "conf.d/site.conf.bak"]
    assert (cut["level"], cut["code"], cut["line"], cut["column"]) == ("warning", None, 1, 8)
    assert cut["message"].startswith("not linted from here on: unexpected end of file")
    assert cut["message"].endswith("(a backup copy that no config includes, so this is no NGX001 finding)")
    assert (refused["level"], refused["code"], refused["line"], refused["column"]) == ("warning", "NGX004", 4, 5)
    assert refused["message"].startswith("a backup copy beside a config that no config includes, so its findings "
                                         "are not reported (NGX004: ")


def test_every_finding_of_a_backup_copy_named_with_bak_before_the_extension_is_one_notification(tmp_path):
    write_tree(tmp_path, {"conf/nginx.bak.conf": "events {}\nhttp {\n    server { listen 80; location / { "
                          "access_by_lua_block { require(\"resty.jwt\") } } }\n}\n",
                          "conf/nginx.conf": "events {}\nhttp { server { listen 80; } }\n"})
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json"], cwd=tmp_path).json
    assert [f for f in result["findings"] if f["path"] == "conf/nginx.bak.conf"] == []
    [note] = [n for n in result["notifications"] if n["path"] == "conf/nginx.bak.conf"]
    assert (note["level"], note["code"]) == ("warning", "LUA205")


def test_empty_slots_of_a_template_its_renderer_fills_are_one_note_and_no_finding(tmp_path):
    write_tree(tmp_path, {".template.nginx.conf": "server {\n    server_name ;\n    listen ;\n    location / {\n"
                          "        proxy_pass ;\n        proxy_read_timeout 1m 2m;\n    }\n}\n"})
    result = run_cli([".", "--format", "json"], cwd=tmp_path).json
    assert [(f["code"], f["line"]) for f in result["findings"]] == [("NGX006", 6)]
    assert [(n["level"], n["path"], n["message"]) for n in result["notifications"]] == [(
        "note", ".template.nginx.conf", "named as a template and included by no config: its renderer fills in the "
        "empty argument slots (`server_name` at line 2, `listen` at line 3, `proxy_pass` at line 5), so they are "
        "not reported; the rest is linted")]


def test_a_supervisord_file_called_nginx_conf_is_skipped_and_a_broken_nginx_conf_is_not(tmp_path):
    write_tree(tmp_path, {
        "conf/supervisor/nginx.conf": '[program:nginx]\ncommand=/usr/sbin/nginx -g "daemon off;"\nautorestart=true\n',
        "broken/nginx.conf": "worker_processes 1;\nevents {}\nhttp { server { listen 80;\n"})
    result = run_cli([".", "--format", "json"], cwd=tmp_path)
    assert [(f["path"], f["code"]) for f in result.json["findings"]] == [("broken/nginx.conf", "NGX001")]
    shown = run_cli([".", "--show-files"], cwd=tmp_path).out
    assert "skipped  conf/supervisor/nginx.conf: looks like a supervisord config" in shown


def test_an_nginx_conf_of_comments_alone_is_no_main_config_missing_its_events(tmp_path):
    write_tree(tmp_path, {"monitoring/nginx.conf": "# stub_status is scraped by the agent\n# Autoregister=nginx\n",
                          "etc/nginx/nginx.conf": "events {}\nhttp { server { listen 80; } }\n"})
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json", "--select", "NGX"], cwd=tmp_path)
    assert result.json["findings"] == []


def test_a_quilt_patch_named_conf_is_skipped_with_a_note(tmp_path):
    write_tree(tmp_path, {
        "debian/patches/series": "fix-lua-path.conf\n",
        "debian/patches/fix-lua-path.conf": "Update the Lua path\n--- a/nginx/lua.conf\n+++ b/nginx/lua.conf\n"
                                            "@@ -1,2 +1,2 @@\n-lua_package_path '/usr/local/lua/?.lua;;';\n"
                                            "+lua_package_path '/usr/lib/lua/?.lua;;';\n lua_shared_dict cache 50m;\n"})
    result = run_cli([".", "--format", "json"], cwd=tmp_path)
    assert result.json["findings"] == []
    (note,) = result.json["notifications"]
    assert note["path"] == "debian/patches/fix-lua-path.conf"
    assert note["message"].startswith("not linted: looks like a patch (a unified diff)")


def test_a_template_of_an_nginx_config_nothing_includes_is_one_note_not_linted(tmp_path):
    template = "server {\n    listen {{ port }};\n    server_name <%= name %>;\n}\n"
    write_tree(tmp_path, {"conf/nginx.conf": "events {}\nhttp { server { listen 80; } }\n",
                          **{f"conf/site.conf.{suffix}": template
                             for suffix in ("tmpl", "tpl", "gtpl", "j2", "erb", "etlua", "hbs")},
                          "conf/redis.conf.j2": "port {{ redis_port }}\n", "conf/app.py.j2": template,
                          # a site file's template (Ansible's `templates/site.j2`, docker-gen's `nginx.tmpl`)
                          "roles/web/templates/site.j2": template, "roles/web/templates/motd.j2": "Hi {{ name }}\n",
                          "roles/web/templates/_blocks.j2": template,  # a partial another template calls
                          # a tag where nginx would open a block: chrony's servers, TOML's registry locations
                          "conf/chrony.conf.j2": "{% for server in ntp_servers %}\nserver {{ server }}\n{% endfor %}\n",
                          "conf/registry.conf.j2": '[[registry]]\nlocation = "{{ item.location }}"\n'})
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json", "--exit-zero"], cwd=tmp_path)
    notes = {n["path"]: n for n in result.json["notifications"]}
    assert sorted(notes) == [*(f"conf/site.conf.{suffix}" for suffix in ("erb", "etlua", "gtpl", "hbs", "j2", "tmpl",
                                                                           "tpl")),
                             "roles/web/templates/site.j2"]
    assert {n["level"] for n in notes.values()} == {"note"}
    assert notes["conf/site.conf.j2"]["message"].startswith("not linted: a template of an nginx config (`.j2`)")
    assert not {f["path"] for f in result.json["findings"]} & set(notes)
    # named on the command line, the template is linted with its tags masked
    named = run_cli(["conf/site.conf.j2", "--format", "json", "--exit-zero"], cwd=tmp_path)
    assert [n["message"] for n in named.json["notifications"]] == [
        "templated with Jinja: tags masked, values behind them unknown"]


def test_a_manifest_linked_into_a_missing_submodule_is_a_note_not_a_broken_manifest(tmp_path):
    write_tree(tmp_path, {"nginx.conf": "events {}\nhttp { server { listen 8080; } }\n"})
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "test-openshift.yaml").symlink_to("../common/test-openshift.yaml")
    result = run_cli([".", "--format", "json"], cwd=tmp_path)
    assert [f for f in result.json["findings"] if f["code"] == "K8S404"] == []
    assert {n["path"]: n["message"] for n in result.json["notifications"]}["test/test-openshift.yaml"] == (
        "not linted: a symbolic link to ../common/test-openshift.yaml, which is not in this checkout")


def test_a_sample_a_start_script_copies_into_place_is_linted_and_one_nothing_copies_is_not(tmp_path):
    weak = "events {}\nhttp {\n    server { listen 443 ssl; ssl_protocols TLSv1 TLSv1.2; }\n}\n"
    write_tree(tmp_path, {
        "root/defaults/nginx/nginx.conf.sample": weak,
        "root/defaults/nginx/unused.conf.sample": weak,
        "root/defaults/site.conf.sample": "server {\n    listen 443 ssl;\n    ssl_protocols TLSv1.1 TLSv1.2;\n}\n",
        "Dockerfile": "FROM alpine:3.16\nCOPY root/ /\nRUN cp /defaults/site.conf.sample /etc/nginx/http.d/site.conf\n",
        "root/etc/s6-overlay/s6-rc.d/init-nginx/run": "#!/usr/bin/with-contenv bash\n"
        "if [[ ! -f /config/nginx/nginx.conf ]]; then\n"
        "    cp /defaults/nginx/nginx.conf.sample /config/nginx/nginx.conf\nfi\n"})
    result = run_cli([".", "--format", "json", "--select", "SEC521"], cwd=tmp_path)
    assert [(f["path"], f["line"], f["column"]) for f in result.json["findings"]] == [
        ("root/defaults/nginx/nginx.conf.sample", 3, 44), ("root/defaults/site.conf.sample", 3, 19)]


def test_the_sample_files_a_linuxserver_nginx_base_image_copies_at_start_are_linted(tmp_path):
    # baseimage-alpine-nginx's init-nginx copies /defaults/nginx/site-confs/default.conf.sample into /config/nginx/
    site = "server {\n    listen 443 ssl;\n    ssl_protocols TLSv1.1 TLSv1.2;\n}\n"
    files = {"root/defaults/nginx/site-confs/default.conf.sample": site, "root/other/site.conf.sample": site,
             "Dockerfile": "FROM ghcr.io/linuxserver/baseimage-alpine-nginx:3.22\nCOPY root/ /\n"}
    write_tree(tmp_path, files)
    result = run_cli([".", "--format", "json", "--select", "SEC521"], cwd=tmp_path)
    assert [(f["path"], f["line"]) for f in result.json["findings"]] == [
        ("root/defaults/nginx/site-confs/default.conf.sample", 3)]
    # on another base image nothing copies them
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.22\nCOPY root/ /\n")
    assert run_cli([".", "--format", "json", "--select", "SEC521"], cwd=tmp_path).json["findings"] == []


def test_a_hocon_file_is_skipped_unless_an_nginx_config_includes_it(tmp_path):
    hocon = 'include classpath("application.conf")\n\nservice {\n  port = ${?PORT}\n}\n'
    write_tree(tmp_path, {"helm/app/appconfig.conf": hocon, "nginx/app.conf": hocon,
                          "nginx/nginx.conf": "events {}\nhttp { include app.conf; }\n"})
    result = run_cli([".", "--format", "json"], cwd=tmp_path)
    assert {(f["path"], f["code"]) for f in result.json["findings"]} >= {("nginx/app.conf", "NGX001")}
    assert not [f for f in result.json["findings"] if f["path"] == "helm/app/appconfig.conf"]
    (note,) = [n for n in result.json["notifications"] if n["path"] == "helm/app/appconfig.conf"]
    assert note["message"].startswith("not linted: looks like a HOCON (Typesafe config) file")


def test_a_lua_librarys_example_gets_no_deployment_advice_and_keeps_its_failures(tmp_path):
    conf = ("events {}\nhttp {\n  lua_code_cache off;\n  upstream app { server backend:8080; }\n"
            "  server { listen 80; location / { content_by_lua_block { ngx.shared.hits:incr('x', 1) } }"
            " location /api { proxy_pass http://app; } }\n}\n")
    compose = ("services:\n  backend:\n    image: example/app\n  gateway:\n    image: openresty/openresty:1.25.3.1\n"
               "    volumes:\n      - ./nginx.conf:/usr/local/openresty/nginx/conf/nginx.conf\n")
    files = {"examples/nginx.conf": conf, "examples/compose.yaml": compose, "lib/resty/hits.lua": "return {}\n"}
    write_tree(tmp_path / "library", files)
    write_tree(tmp_path / "application", {**files, "lib/app.lua": "return {}\n"})
    (tmp_path / "application" / "lib" / "resty" / "hits.lua").unlink()
    for top in ("library", "application"):
        (tmp_path / top / ".git").mkdir()

    def found(top):
        result = run_cli([".", "--format", "json", "--select", "LUA202,LUA210,CTR112"], cwd=tmp_path / top)
        assert result.status in (0, 1), result.err
        return sorted((f["code"], f["line"], f["column"]) for f in result.json["findings"])

    # the library's example: the missing shared dict stays, the code cache and DNS advice go; an application's
    # example keeps the DNS advice (a code cache turned off is for development in any example: production-only)
    assert found("library") == [("LUA202", 5, 70)]
    assert found("application") == [("CTR112", 4, 25), ("LUA202", 5, 70)]


def test_a_lua_packages_own_development_config_gets_no_deployment_advice(tmp_path):
    """An OPM package (dist.ini naming its main module) keeps an nginx.conf at its top for its developers: the
    container's DNS advice goes, the missing shared dict stays. A lib/resty/ tree alone may be an application's
    vendored libraries: its top-level config keeps the advice."""
    conf = ("events {}\nhttp {\n  upstream app { server backend:8080; }\n"
            "  server { listen 80; location / { content_by_lua_block { ngx.shared.hits:incr('x', 1) } }"
            " location /api { proxy_pass http://app; } }\n}\n")
    compose = ("services:\n  backend:\n    image: example/app\n  resty:\n    image: openresty/openresty:1.25.3.1\n"
               "    volumes:\n      - ./nginx.conf:/usr/local/openresty/nginx/conf/nginx.conf\n")
    files = {"nginx.conf": conf, "docker-compose.yml": compose, "lib/resty/waf.lua": "return {}\n"}
    write_tree(tmp_path / "package", {**files, "dist.ini": "name = lua-resty-waf\nmain_module = lib/resty/waf.lua\n"})
    write_tree(tmp_path / "lua-resty-waf", files)  # named as a lua-resty library, published nowhere yet
    write_tree(tmp_path / "application", files)
    for top in ("package", "lua-resty-waf", "application"):
        (tmp_path / top / ".git").mkdir()

    def found(top):
        result = run_cli([".", "--format", "json", "--select", "LUA202,CTR112"], cwd=tmp_path / top)
        assert result.status in (0, 1), result.err
        return sorted((f["code"], f["line"]) for f in result.json["findings"])

    assert found("package") == found("lua-resty-waf") == [("LUA202", 4)]
    assert found("application") == [("CTR112", 3), ("LUA202", 4)]


def test_a_lowercase_dockerfile_is_read_as_docker_build_reads_it(tmp_path):
    # docker build falls back to `dockerfile` when the context has no `Dockerfile` (moby/moby#10858)
    write_tree(tmp_path, {"dockerfile": "FROM openresty/openresty:alpine\n"
                                        "COPY deploy/nginx.conf /usr/local/openresty/nginx/conf/nginx.conf\n",
                          "deploy/nginx.conf": "events {}\nhttp { server { listen 80; } }\n"})
    shown = run_cli([".", "--show-files"], cwd=tmp_path).out
    assert "read     dockerfile" in shown


def test_advice_on_a_site_sites_enabled_does_not_enable_is_quiet(tmp_path):
    site = ("server {\n    listen 443 ssl;\n    server_name {name};\n    ssl_certificate /etc/letsencrypt/live/{name}/"
            "fullchain.pem;\n    ssl_certificate_key /etc/letsencrypt/live/{name}/privkey.pem;\n    ssl_stapling on;\n}\n")
    write_tree(tmp_path, {"nginx.conf": "events {}\nhttp { include sites-enabled/*; }\n",
                          "sites-available/on.example.org": site.replace("{name}", "on.example.org"),
                          "sites-available/off.example.org": site.replace("{name}", "off.example.org")})
    (tmp_path / "sites-enabled").mkdir()
    (tmp_path / "sites-enabled" / "on.example.org").symlink_to("../sites-available/on.example.org")
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json", "--select", "NGX023"], cwd=tmp_path)
    assert {f["path"] for f in result.json["findings"]} == {"sites-available/on.example.org"}


def test_what_nginx_would_refuse_in_a_directory_of_leftovers_is_one_notification(tmp_path):
    write_tree(tmp_path, {"nginx.conf": "events {}\nhttp { server { listen 80; } }\n",
                          "example/old/nginx8.conf": "events {}\nhttp {\n    location / { root /srv; }\n"
                                                     "    server { listen 81; proxy_cache_valid any 1m; }\n}\n"})
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json"], cwd=tmp_path).json
    assert [f for f in result["findings"] if f["path"] == "example/old/nginx8.conf"] == []
    [note] = [n for n in result["notifications"] if n["path"] == "example/old/nginx8.conf"]
    assert (note["level"], note["code"]) == ("warning", "NGX005")


def test_python_m_in_a_repository_whose_files_shadow_the_standard_library(tmp_path):
    """`python -m nginxlint` puts the working directory on sys.path: a linted repository's `json.py` or `socket.so`
    at its top must not replace the standard library's."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    write_tree(tmp_path, {"json.py": "raise ImportError('the repository shadows json')\n",
                          "socket.py": "raise ImportError('the repository shadows socket')\n",
                          "nginx.conf": "events {}\nhttp { server { listen 8080; } }\n"})
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "nginxlint", "--format", "json", "."], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["findings"] == 0


def test_a_lua_file_outside_the_project_is_named_in_a_note_with_the_path_map_that_reads_it(tmp_path):
    write_tree(tmp_path, {"nginx.conf": "events {}\nhttp {\n    server {\n        listen 80;\n"
                                        "        location / { access_by_lua_file /app/lualib/proxy/cache.lua; }\n"
                                        "    }\n}\n",
                          "proxy/cache.lua": "ngx.exit(ngx.HTTP_FORBIDDEN)\n"})
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json"], cwd=tmp_path)
    (note,) = [n for n in result.json["notifications"] if "outside the project" in n["message"]]
    assert (note["path"], note["line"], note["column"]) == ("nginx.conf", 5, 41)
    assert '"/app/lualib/proxy/: <its directory in this repository>/"' in note["message"]
    (tmp_path / ".nginxlint.yaml").write_text("path-map:\n  /app/lualib/: ./\n")
    result = run_cli([".", "--format", "json"], cwd=tmp_path)
    assert not [n for n in result.json["notifications"] if "outside the project" in n["message"]]


def test_an_include_outside_the_conf_directory_that_the_image_copies_there_is_not_called_outside_the_project(tmp_path):
    write_tree(tmp_path, {
        "nginx/nginx.conf": "events {}\nhttp {\n    include /usr/local/openresty/nginx/route/routes.conf;\n}\n",
        "nginx/routes.conf": "server { listen 80; location / { return 200; } }\n",
        "Dockerfile": "FROM openresty/openresty:1.27.1.2-alpine\n"
                      "COPY nginx/nginx.conf /usr/local/openresty/nginx/conf/nginx.conf\n",
    })
    (tmp_path / ".git").mkdir()

    def notes():
        result = run_cli([".", "--format", "json"], cwd=tmp_path)
        return [(n["path"], n["line"]) for n in result.json["notifications"] if "outside the project" in n["message"]]

    assert notes() == [("nginx/nginx.conf", 3)]
    with open(tmp_path / "Dockerfile", "a") as dockerfile:
        dockerfile.write("COPY nginx/routes.conf /usr/local/openresty/nginx/route/routes.conf\n")
    assert notes() == []


def test_a_message_quoting_a_value_a_template_fills_in_shows_an_ellipsis_for_it(tmp_path):
    write_tree(tmp_path, {"default.conf.template": "server {\n    listen 80;\n    location /rest {\n"
                                                   "        proxy_pass ${API_SCHEME}://${API_HOST}:8080/rest/;\n    }\n}\n"})
    result = run_cli([".", "--format", "json", "--select", "SEC509"], cwd=tmp_path)
    (finding,) = result.json["findings"]
    assert "…:8080/rest/" in finding["message"] and "\u2591" not in finding["message"], finding["message"]


def test_an_older_python_gets_a_message_and_exit_two(monkeypatch, capsys):
    import nginxlint.cli as cli

    monkeypatch.setattr(cli.sys, "version_info", (3, 10, 13))
    assert cli.main(["samples"]) == 2
    assert "needs Python 3.11 or later" in capsys.readouterr().err


def test_a_dependency_missing_for_this_python_is_named_not_an_internal_error(monkeypatch, capsys):
    import nginxlint.cli as cli

    def missing(argv):
        raise ModuleNotFoundError("No module named 'crossplane'", name="crossplane")

    monkeypatch.setattr(cli, "lint", missing)
    assert cli.main(["samples"]) == 2
    err = capsys.readouterr().err
    assert "`crossplane`, which nginxlint needs, is not installed for this Python" in err
    assert "internal error" not in err

    def broken(argv):  # one of nginxlint's own modules missing is a bug to report
        raise ModuleNotFoundError("No module named 'nginxlint.gone'", name="nginxlint.gone")

    monkeypatch.setattr(cli, "lint", broken)
    assert cli.main(["samples"]) == 2
    assert "internal error" in capsys.readouterr().err


def test_a_site_file_without_a_suffix_or_named_for_its_domain_in_a_directory_named_for_nginx_is_linted(tmp_path):
    site = "# the app's site\nupstream app {\n    server unix:/run/app.sock;\n}\nserver {\n    listen 443 ssl;\n" \
           "    ssl_protocols TLSv1 TLSv1.2;\n}\n"
    write_tree(tmp_path, {
        "assets/runtime/config/nginx/app": site,
        "root/defaults/default": "server {\n    listen 443 ssl;\n    ssl_protocols TLSv1.1 TLSv1.2;\n}\n",
        "roles/cdn/templates/nginx/static.shop.acme.de": site.replace("app", "cdn"),  # named for its domain
        "roles/cdn/templates/nginx/render.py": "server {\n    listen 443 ssl;\n}\n",  # a script's suffix
        "config/git.acme.com": site.replace("app", "git"),  # named for its domain: its upstream first, anywhere
        # a script, prose and another program's file in the same places are not sites
        "assets/runtime/config/nginx/install": "#!/bin/sh\ncat > /etc/nginx/x.conf <<EOF\nserver {\n}\nEOF\n",
        "assets/runtime/config/nginx/NOTES": "Reload nginx after editing:\nserver {\n",
        "etc/default/default": "GRUB_TIMEOUT=5\n",
        # outside such places, one whose first statement opens its server is a site; another block first is not
        "wordpress": "# WordPress site\nserver {\n    listen 443 ssl;\n    ssl_protocols TLSv1 TLSv1.2;\n}\n",
        "src/app": "upstream app {\n    server 127.0.0.1:8080;\n}\nserver {\n    listen 443 ssl;\n"
                   "    ssl_protocols TLSv1 TLSv1.2;\n}\n",
    })
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json", "--exit-zero", "--select", "SEC521,NGX001"], cwd=tmp_path)
    assert [(f["code"], f["path"], f["line"]) for f in result.json["findings"]] == [
        ("SEC521", "assets/runtime/config/nginx/app", 7), ("SEC521", "config/git.acme.com", 7),
        ("SEC521", "roles/cdn/templates/nginx/static.shop.acme.de", 7),
        ("SEC521", "root/defaults/default", 3), ("SEC521", "wordpress", 4)]


def test_ngx011_help_hides_the_upstream_type_and_offers_no_default_type_with_a_variable(tmp_path):
    write_tree(tmp_path, {"nginx.conf": "events {}\nhttp {\n    server {\n        listen 80;\n"
                          "        location /s3/ { add_header Content-Type $real_mtype;\n"
                          "            proxy_pass http://127.0.0.1:9000; }\n"
                          "        location /app/ { add_header Content-Type text/html; fastcgi_pass 127.0.0.1:9000; }\n"
                          "        location /x { add_header Content-Type $t; return 200 \"x\"; }\n"
                          "        location /y { add_header Content-Type text/csv; return 200 \"x\"; }\n"
                          "        location /z { if ($arg_csv) { add_header Content-Type text/csv; }\n"
                          "            return 200 \"x\"; }\n    }\n}\n"})
    result = run_cli([".", "--format", "json", "--select", "NGX011"], cwd=tmp_path)
    # neither default_type nor *_hide_header is allowed in an `if`
    assert [(f["line"], f.get("help")) for f in result.json["findings"]] == [
        (5, "proxy_hide_header Content-Type;"), (7, "fastcgi_hide_header Content-Type;"), (8, None),
        (9, "default_type text/csv;"), (10, None)]


def test_lua_files_in_conf_d_are_reached_through_their_configs_not_read_as_configs(tmp_path):
    write_tree(tmp_path, {
        "nginx.conf": "events {}\nhttp {\n    server {\n        listen 80;\n"
                      "        location / { content_by_lua_file conf.d/handler.lua; }\n    }\n}\n",
        "conf.d/handler.lua": "if ngx.var.arg_x then\n    ngx.say(undefined_table.x)\nend\n"})
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json", "--exit-zero"], cwd=tmp_path)
    assert [n for n in result.json["notifications"] if n["path"] == "conf.d/handler.lua"] == []
    assert [(f["code"], f["path"]) for f in result.json["findings"]] == [("LUA211", "conf.d/handler.lua")]


def test_a_developer_copy_named_after_its_config_gets_no_production_advice(tmp_path):
    conf = "server {\n    listen 443 ssl;\n    ssl_protocols TLSv1 TLSv1.2;\n}\n"
    write_tree(tmp_path, {"conf.d/default.conf": conf, "conf.d/default.conf.dev": conf + "# dev\n",
                          "conf.d/other.conf.local": conf + "# alone\n"})
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json", "--select", "SEC521"], cwd=tmp_path)
    assert sorted(f["path"] for f in result.json["findings"]) == ["conf.d/default.conf", "conf.d/other.conf.local"]


def test_ctr112_offers_server_resolve_only_to_an_nginx_that_has_it(tmp_path):
    conf = "events {}\nhttp { server { listen 80; location / { proxy_pass http://api:8080; } } }\n"
    compose = "services:\n  web:\n    image: {image}\n    volumes: ['./nginx.conf:{conf}:ro']\n  api:\n    image: shop/api\n"
    messages = {}
    for image, conf_path in (("openresty/openresty:1.27.1.2-alpine", "/usr/local/openresty/nginx/conf/nginx.conf"),
                             ("nginx:1.27.4", "/etc/nginx/nginx.conf")):
        directory = tmp_path / image.split(":")[0].replace("/", "-")
        write_tree(directory, {"nginx.conf": conf, "compose.yaml": compose.format(image=image, conf=conf_path)})
        (directory / ".git").mkdir()
        result = run_cli([".", "--format", "json", "--select", "CTR112"], cwd=directory)
        messages[image] = [f["message"].rsplit("; ", 1)[-1] for f in result.json["findings"]]
    assert messages == {"openresty/openresty:1.27.1.2-alpine": ["use a variable with `resolver`"],
                        "nginx:1.27.4": ["use a variable with `resolver`, or `server … resolve` in an upstream with a "
                                         "`zone`"]}


def test_a_template_holding_no_tag_of_its_language_is_linted_as_the_config_envsubst_renders(tmp_path):
    """`entrypoint.sh` runs `envsubst '${DOMAIN}' < default.conf.tpl > conf.d/default.conf`: only `${VAR}` inside."""
    site = ("server {\n    listen 80;\n    server_name ${DOMAIN};\n    root /srv;\n"
            "    location / { try_files $uri @rewrite; }\n}\n")
    write_tree(tmp_path, {"templates/default.conf.tpl": site,
                          "templates/tagged.conf.tpl": site.replace("${DOMAIN}", "{{ .Domain }}"),
                          "integration/nginx.conf.tmpl": site})  # a test harness renders its own
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json", "--exit-zero", "--select", "NGX036"], cwd=tmp_path)
    assert [(f["path"], f["line"]) for f in result.json["findings"]] == [("templates/default.conf.tpl", 5)]
    notes = {n["path"]: n["message"] for n in result.json["notifications"]}
    assert notes["templates/default.conf.tpl"] == "templated with envsubst: tags masked, values behind them unknown"
    assert notes["templates/tagged.conf.tpl"].startswith("not linted: a template of an nginx config (`.tpl`)")
    assert notes["integration/nginx.conf.tmpl"].startswith("not linted: a template of an nginx config (`.tmpl`)")
