"""nginxlint reads, it never runs what it reads, writes only the outputs asked for, loads YAML safely and prints
no absolute path of the machine. (NL999 for a crashing rule is covered by tests/test_cli.py.)"""
from __future__ import annotations

import os
import subprocess

import pytest

from runner import assert_sane, lint, snapshot, write

FORMATS = ("full", "concise", "json", "sarif", "github", "gitlab", "junit", "checkstyle")


def _hostile_tree(marker: str) -> dict[str, str]:
    touch = f"touch {marker}"
    return {
        "conf/nginx.conf": (
            "events {}\nhttp {\n"
            "    lua_package_path '$prefix/lua/?.lua;;';\n"
            f"    init_by_lua_block {{ os.execute(\"{touch}\") io.popen(\"{touch}\") }}\n"
            f"    include \"$(touch {marker})\";\n"
            f"    include `{touch}`;\n"
            "    server {\n        listen 8080;\n"
            "        location / { content_by_lua_file lua/handler.lua; }\n"
            f"        location /x {{ content_by_lua_block {{ require('evil') loadstring(\"os.execute('{touch}')\")() }} }}\n"
            "    }\n}\n"
        ),
        "lua/handler.lua": f"os.execute('{touch}')\nlocal m = require('evil')\nreturn m\n",
        "lua/evil.lua": f"os.execute('{touch}')\nreturn {{}}\n",
        "deploy.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
            "      containers:\n        - name: nginx\n          image: openresty/openresty\n"
            f"          command: [sh, -c, \"{touch}\"]\n"
            f"          lifecycle: {{preStop: {{exec: {{command: [sh, -c, \"{touch}\"]}}}}}}\n"
            f"x: !!python/object/apply:os.system [\"{touch}\"]\n"
        ),
        "compose.yaml": f"services:\n  web:\n    image: nginx\n    command: [\"sh\", \"-c\", \"{touch}\"]\n",
    }


def test_never_executes_what_it_reads(tmp_path, monkeypatch):
    marker = tmp_path / "EXECUTED"
    write(tmp_path, _hostile_tree(str(marker)))
    spawned = []
    real_popen = subprocess.Popen

    def watch(args, *rest, **kwargs):
        spawned.append(args)
        return real_popen(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", watch)
    for name in ("system", "popen", "execv", "execve", "execvp", "spawnv", "posix_spawn"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, lambda *a, _n=name, **k: spawned.append((_n, a)) or 0)
    for fmt in FORMATS:
        run = lint(tmp_path, fmt=fmt)
        assert run.crash is None, run.crash
    assert not marker.exists()
    # the only program nginxlint may start is git, to list the files git would track
    assert all(isinstance(a, (list, tuple)) and os.path.basename(str(a[0])) == "git" for a in spawned), spawned


def test_writes_only_the_outputs_asked_for(tmp_path, monkeypatch):
    project, elsewhere = tmp_path / "project", tmp_path / "out"
    elsewhere.mkdir()
    write(project, _hostile_tree(str(tmp_path / "EXECUTED")))
    write(project, {"conf/conf.d/a.conf": "server { listen 8081; frobnicate; }\n"})
    monkeypatch.setenv("NGINXLINT_CACHE_DIR", str(tmp_path / "cache"))
    before = snapshot(project)
    run = lint(project, "-o", str(elsewhere / "report.json"), "--sarif-file", str(elsewhere / "report.sarif"))
    assert run.crash is None and run.status == 1, run.crash or run.err
    assert snapshot(project) == before
    assert sorted(p.name for p in elsewhere.iterdir()) == ["report.json", "report.sarif"]
    assert sorted(p.name for p in tmp_path.iterdir()) in (["out", "project"], ["cache", "out", "project"])


@pytest.mark.parametrize("where", [".nginxlint.yaml", "deploy.yaml", "k8s/pod.yml", "pyproject.toml"])
def test_yaml_is_loaded_with_the_safe_loader(tmp_path, where):
    marker = tmp_path / "EXECUTED"
    payload = f"!!python/object/apply:os.system [\"touch {marker}\"]"
    if where == "pyproject.toml":
        content = f"[tool.nginxlint]\nselect = ['{payload}']\n"
    elif where == ".nginxlint.yaml":
        content = f"select: {payload}\n"
    else:
        content = f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {payload}\nspec: {{containers: [{{name: a}}]}}\n"
    write(tmp_path, {"nginx.conf": "events {}\nhttp {}\n", where: content})
    run = lint(tmp_path)
    assert run.crash is None, run.crash
    assert not marker.exists()
    if run.status == 2:
        assert run.err.startswith("nginxlint: error:"), run.err


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_absolute_path_of_the_machine_in_the_output(tmp_path, fmt):
    project = tmp_path / "project"
    write(project, {
        "conf/nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n    include missing.conf;\n"
                           "    include /etc/nginx/snippets/x.conf;\n    include /opt/outside/y.conf;\n"
                           "    server { listen 80; location / { content_by_lua_file lua/absent.lua; } }\n}\n",
        "conf/conf.d/a.conf": "server { listen 8081; frobnicate; location / { return 200 \"x\"; }\n",
        "conf/conf.d/b.conf": b"\x00binary",
        "conf/conf.d/cycle.conf": "include conf.d/cycle.conf;\n",
        "deploy.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: nginx, "
                       "image: nginx, resources: {limits: {cpu: '1'}}}]}\n",
    })
    run = lint(project, target=str(project), fmt=fmt)  # the target given as an absolute path
    assert run.crash is None, run.crash
    assert run.status == 1
    for absolute in {str(tmp_path), os.path.realpath(tmp_path)}:
        assert absolute not in run.out, [line for line in run.out.splitlines() if absolute in line][:5]
        assert absolute not in run.err


def test_hostile_tree_gives_findings_not_a_crash(tmp_path):
    write(tmp_path, _hostile_tree(str(tmp_path / "EXECUTED")))
    run = lint(tmp_path)
    assert_sane(run)
    # the include split by the backticks has two arguments
    assert [f["line"] for f in run.by_code("NGX006")] == [6]
