"""One answer, however files are passed: for any file F, the findings located in F are the same whether the
whole repository is linted, a directory above F, or F alone (as pre-commit passes it). Checked on every sample, each copied into a
repository of its own."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lintkit import run_cli, write_tree

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
KEYS = ("code", "line", "column", "end_line", "end_column", "message")


def _repository(tmp_path: Path, sample: Path) -> Path:
    root = tmp_path / sample.name
    shutil.copytree(sample, root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def _by_path(result) -> dict[str, list[tuple]]:
    assert result.status in (0, 1), result.err
    found: dict[str, list[tuple]] = {}
    for finding in result.json["findings"]:
        found.setdefault(finding["path"], []).append(tuple(finding[k] for k in KEYS))
    return {path: sorted(items) for path, items in found.items()}


@pytest.mark.parametrize("sample", sorted(p for p in SAMPLES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_each_file_alone_gets_what_the_whole_repository_gets(tmp_path, sample):
    root = _repository(tmp_path, sample)
    whole = _by_path(run_cli([".", "--format", "json", "--no-cache"], cwd=root))
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)
    differences = {}
    for name in files:
        alone = _by_path(run_cli([name, "--format", "json", "--no-cache"], cwd=root)).get(name, [])
        if alone != whole.get(name, []):
            differences[name] = {"whole": whole.get(name, []), "alone": alone}
    assert differences == {}


@pytest.mark.parametrize("sample", sorted(p for p in SAMPLES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_each_directory_gets_what_the_whole_repository_gets_for_its_files(tmp_path, sample):
    root = _repository(tmp_path, sample)
    whole = _by_path(run_cli([".", "--format", "json", "--no-cache"], cwd=root))
    directories = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir() and ".git" not in p.parts)
    differences = {}
    for directory in directories:
        found = _by_path(run_cli([directory, "--format", "json", "--no-cache"], cwd=root))
        # (a finding elsewhere that points into the directory is shown too: only the files under it are compared)
        for name in sorted(p for p in {*found, *whole} if p.startswith(directory + "/")):
            if found.get(name, []) != whole.get(name, []):
                differences[f"{directory}: {name}"] = {"whole": whole.get(name, []), "directory": found.get(name, [])}
    assert differences == {}



def test_outside_a_repository_a_directory_is_linted_with_the_main_config_above_it(tmp_path):
    # The resolver the fragment's variable proxy_pass needs is set in the main config one directory up.
    write_tree(tmp_path, {
        "conf/nginx.conf": "events {}\nhttp {\n    server_tokens on;\n    resolver 127.0.0.11 valid=10s;\n"
                           "    include conf.d/*.conf;\n}\n",
        "conf/conf.d/app.conf": "server {\n    listen 8080;\n    location / {\n"
                                "        set $backend \"api.internal\";\n        proxy_pass http://$backend:8080;\n    }\n}\n",
    })
    whole = _by_path(run_cli([".", "--format", "json", "--no-cache"], cwd=tmp_path))
    assert "conf/nginx.conf" in whole and "conf/conf.d/app.conf" not in whole
    for target in ("conf/conf.d", "conf/conf.d/app.conf"):  # the main config's own findings are not theirs
        assert _by_path(run_cli([target, "--format", "json", "--no-cache"], cwd=tmp_path)) == {}, target


def test_a_script_alone_reads_the_template_it_renders(tmp_path):
    # The config is a template named `.tpl`, read as a config only by the repository's discovery: the start script
    # passed alone must still see it.
    write_tree(tmp_path, {
        "nginx/default.conf.tpl": "server {\n    listen 80;\n    server_name ${DOMAIN};\n"
                                  "    location / { proxy_set_header Host $host; proxy_pass http://app:8000; }\n}\n",
        "nginx/run.sh": "#!/bin/sh\nenvsubst < /etc/nginx/default.conf.tpl > /etc/nginx/conf.d/default.conf\n"
                        "exec nginx -g 'daemon off;'\n",
    })
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    whole = _by_path(run_cli([".", "--format", "json", "--no-cache"], cwd=tmp_path))
    assert [finding[0] for finding in whole["nginx/run.sh"]] == ["CTR119"]
    alone = _by_path(run_cli(["nginx/run.sh", "--format", "json", "--no-cache"], cwd=tmp_path))
    assert alone == {"nginx/run.sh": whole["nginx/run.sh"]}
