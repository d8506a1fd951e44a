"""nginxlint as a pre-commit hook, run by pre-commit itself on a small OpenResty project.

pre-commit installs a hook from a git repository at a commit, so the project is first snapshotted into a
throw-away repository (the files git tracks or would track, as they are on disk: the tests test the working
tree, like the rest of the suite). The hook is installed once for the module (a shared PRE_COMMIT_HOME);
one more install is spent on `pre-commit try-repo`, the command users try first.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"

pytestmark = [
    pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(not HOOKS_FILE.exists(), reason=".pre-commit-hooks.yaml does not exist yet"),
]

# Long enough that the file names of --all-files exceed pre-commit's 128 KiB command line: it must split them.
LONG_DIR = "a-directory-name-long-enough-to-fill-a-command-line-" * 4
SITE_COUNT = 700

NGINX_CONF = """\
worker_processes 2;
gzip_bogus on;
events { worker_connections 1024; }
http {
    lua_shared_dict cache 10m;
    include vhosts/*.conf;
    include sites/*/*.conf;
}
"""
API_CONF = """\
server {
    listen 8080;
    location /api {
        content_by_lua_block {
            local value = ngx.shared.cache:get("k")
            ngx.say(value or "none")
        }
    }
    location /json {
        default_type text/plain;
        include snippets/json.conf;
    }
}
"""
# Valid on its own; inside /json, whose block already sets default_type, nginx refuses to start.
JSON_SNIPPET = """\
default_type application/json;
content_by_lua_block {
    ngx.say('{"ok": true}')
}
"""
BROKEN_CONF = """\
server {
    listen 8081;
    location /x {
        return 200 "ok";
    }
"""


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def commit_all(repo: Path) -> str:
    git("add", "-A", cwd=repo)
    git("commit", "-q", "--no-verify", "-m", "snapshot", cwd=repo)
    return git("rev-parse", "HEAD", cwd=repo).strip()


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", cwd=path)
    git("config", "user.email", "ci@example.invalid", cwd=path)
    git("config", "user.name", "CI", cwd=path)
    git("config", "commit.gpgsign", "false", cwd=path)
    return path


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PRE_COMMIT_HOME", "VIRTUAL_ENV")}
    env.update(PRE_COMMIT_COLOR="never", NO_COLOR="1", **extra)
    return env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """The project as it is on disk, committed in a repository of its own: (path, commit)."""
    try:
        listed = git("ls-files", "-z", "-co", "--exclude-standard", cwd=ROOT)
    except subprocess.CalledProcessError:
        pytest.skip("the project is not a git checkout: pre-commit installs hooks from git")
    snapshot = new_repo(tmp_path_factory.mktemp("hook-repo"))
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    return snapshot, commit_all(snapshot)


@pytest.fixture(scope="module")
def project(tmp_path_factory, hook_repo) -> Path:
    """A user's OpenResty project using the hook, with a committed .pre-commit-config.yaml."""
    repo = new_repo(tmp_path_factory.mktemp("user-project"))
    files = {
        "conf/nginx.conf": NGINX_CONF,
        "conf/vhosts/api.conf": API_CONF,
        "conf/snippets/json.conf": JSON_SNIPPET,
        "conf/broken.conf": BROKEN_CONF,
        "README.md": "not linted\n",
    }
    for number in range(SITE_COUNT):
        directive = "    proxy_bogus on;\n" if number in (0, SITE_COUNT - 1) else ""
        files[f"conf/sites/{LONG_DIR}/site-{number:04d}.conf"] = (
            f"server {{\n    listen {9000 + number};\n{directive}    return 204;\n}}\n")
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    path, rev = hook_repo
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n-   repo: {path.as_uri()}\n    rev: {rev}\n    hooks:\n    -   id: nginxlint\n", encoding="utf-8")
    commit_all(repo)
    return repo


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> str:
    """One PRE_COMMIT_HOME for the module: the hook's environment is installed once for both hook ids."""
    return str(tmp_path_factory.mktemp("pre-commit-home"))


@pytest.fixture(scope="module")
def run_hook(project, pre_commit_home):
    env = clean_env(PRE_COMMIT_HOME=pre_commit_home)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["pre-commit", "run", "nginxlint", "--verbose", "--color", "never", *args],
                              cwd=project, env=env, capture_output=True, text=True, timeout=600)

    return run


def test_manifest_is_valid_and_matches_config_files():
    done = subprocess.run(["pre-commit", "validate-manifest", str(HOOKS_FILE)], capture_output=True, text=True,
                          env=clean_env())
    assert done.returncode == 0, done.stdout + done.stderr
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))}
    hook = hooks["nginxlint"]
    assert (hook["entry"], hook["language"], hook["require_serial"]) == ("nginxlint", "python", True)
    fixing = hooks["nginxlint-fix"]
    assert (fixing["entry"], fixing["files"]) == ("nginxlint --fix", hook["files"])
    pattern = re.compile(hook["files"])  # pre-commit matches with re.search
    for name in ("conf/nginx.conf", "nginx.conf", "conf/vhosts/api.conf", "deploy/conf.d/default"):
        assert pattern.search(name), name
    assert not pattern.search("README.md") and not pattern.search("conf/vhosts/api.conf.orig")


def test_a_finding_that_names_the_passed_file_is_shown_and_the_root_s_stay_out(run_hook):
    done = run_hook("--files", "conf/vhosts/api.conf")
    assert done.returncode == 1, done.stdout + done.stderr
    # The duplicate sits in json.conf and is first set in api.conf: editing api.conf can fix it, so it is shown.
    assert "conf/snippets/json.conf:1:1: NGX007" in done.stdout and "(conf/vhosts/api.conf:10:9)" in done.stdout
    # content_by_lua_block sits in a location: no "not allowed here"; nginx.conf's own warning is not shown.
    assert "NGX005" not in done.stdout and "gzip_bogus" not in done.stdout


def test_fragment_is_linted_in_the_context_of_its_root(run_hook):
    done = run_hook("--files", "conf/snippets/json.conf")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "conf/snippets/json.conf:1:1: NGX007" in done.stdout  # only visible through conf/vhosts/api.conf:11
    assert "NGX005" not in done.stdout and "gzip_bogus" not in done.stdout


def test_broken_file_fails_with_the_finding_printed(run_hook):
    done = run_hook("--files", "conf/broken.conf")
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"nginxlint\.+Failed", done.stdout)
    assert re.search(r"conf/broken\.conf:\d+:\d+: NGX001", done.stdout)
    assert "conf/nginx.conf" not in done.stdout and "json.conf" not in done.stdout


def test_many_files_split_into_batches_report_each_finding_once(run_hook):
    done = run_hook("--all-files")
    assert done.returncode == 1, done.stdout + done.stderr
    summaries = re.findall(r"^(?:Found \d+ findings?|No findings)\b", done.stdout, re.M)
    assert len(summaries) >= 2, "pre-commit did not split the file list: the test no longer tests splitting"
    for place in ("site-0000.conf:3:5: NGX004", f"site-{SITE_COUNT - 1:04d}.conf:3:5: NGX004",
                  "conf/nginx.conf:2:1: NGX004", "conf/snippets/json.conf:1:1: NGX007"):
        assert done.stdout.count(place) == 1, place
    assert len(re.findall(r"conf/broken\.conf:\d+:\d+: NGX001", done.stdout)) == 1
    assert "Traceback" not in done.stdout + done.stderr


def test_try_repo_runs_the_hook_from_the_repository(project, hook_repo):
    path, rev = hook_repo
    done = subprocess.run(["pre-commit", "try-repo", str(path), "nginxlint", "--ref", rev, "--color", "never",
                           "--files", "conf/broken.conf", "conf/nginx.conf"],
                          cwd=project, env=clean_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"conf/broken\.conf:\d+:\d+: NGX001", done.stdout)
    assert "conf/nginx.conf:2:1: NGX004" in done.stdout
    assert "api.conf:" not in done.stdout and "json.conf:" not in done.stdout  # files not passed


FIXABLE_CONF = """\
events {}
http {
    server_tokens on;  # the version stays private
    server { listen 8080; return 204; }
}
"""


def test_fix_hook_fixes_the_file_then_passes(tmp_path_factory, hook_repo, pre_commit_home):
    repo = new_repo(tmp_path_factory.mktemp("fix-project"))
    conf = repo / "conf" / "nginx.conf"
    conf.parent.mkdir()
    conf.write_bytes(FIXABLE_CONF.replace("\n", "\r\n").encode())
    path, rev = hook_repo
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n-   repo: {path.as_uri()}\n    rev: {rev}\n    hooks:\n    -   id: nginxlint-fix\n", encoding="utf-8")
    commit_all(repo)
    env = clean_env(PRE_COMMIT_HOME=pre_commit_home)

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(["pre-commit", "run", "nginxlint-fix", "--color", "never", "--files", "conf/nginx.conf"],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=600)

    first = run()
    assert first.returncode == 1 and "files were modified by this hook" in first.stdout, first.stdout + first.stderr
    assert conf.read_bytes() == FIXABLE_CONF.replace("server_tokens on;", "server_tokens off;").replace(
        "\n", "\r\n").encode()
    second = run()
    assert second.returncode == 0, second.stdout + second.stderr
