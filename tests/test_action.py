"""The GitHub Action (action.yml): its `run:` scripts executed in order with bash as the runner runs them
(`GITHUB_ACTIONS`, `RUNNER_TEMP`, `GITHUB_OUTPUT`, `GITHUB_PATH`, the inputs through each step's env), nginxlint
installed from this checkout into a fresh virtual environment; then the SARIF against the schema, the annotations,
the upload step's condition and file, and the exit status."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lintkit import write_tree

sys.path.insert(0, str(Path(__file__).resolve().parent / "formats"))
from test_format_github import parse_command  # noqa: E402  (the runner's reading of a workflow command)
from test_format_sarif import schema_errors  # noqa: E402  (the OASIS schema)

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
PROJECT = {
    "conf/nginx.conf": "events {}\nhttp {\n    server_tokens off;\n    include conf.d/*.conf;\n}\n",
    "conf/conf.d/api.conf": "server {\n    listen 8080;\n    location / { lua_code_cache off; content_by_lua_file lua/handler.lua; }\n}\n",
    "lua/handler.lua": 'local stats = ngx.shared.stats\nstats:incr("hits", 1)\nngx.say("ok")\n',
}


class Runner:
    """What the Actions runner does for a composite action, for the parts this action uses."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str]):
        self.action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
        self.workspace, self.temp = workspace, temp
        self.inputs = {name: str(spec.get("default", "")) for name, spec in self.action["inputs"].items()}
        self.inputs.update(inputs)
        self.outputs: dict[str, dict[str, str]] = {}
        self.path_file = temp / "github_path"
        self.path_file.touch()
        self.ran: list[dict] = []  # per step: name, and returncode/stdout/stderr, or `with` for a `uses:` step, or skipped

    def value(self, expression: str) -> str:
        parts = expression.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return self.inputs[parts[1]]
        if parts == ["github", "action_path"]:
            return str(ROOT)
        if parts[0] == "steps" and parts[2] == "outputs" and len(parts) == 4:
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"an expression this test does not know: {expression}")

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.value(m.group(1)), str(text))

    def condition(self, text: str) -> bool:
        """`a == 'x' && b != ''`: the only form of `if:` the action uses."""
        result = True
        for clause in EXPRESSION.sub(lambda m: m.group(1), text).split("&&"):
            match = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*", clause)
            assert match, f"a condition this test does not know: {text}"
            left = self.value(match.group(1))
            result = result and ((left == match.group(3)) == (match.group(2) == "=="))
        return result

    def run(self, skip: tuple[str, ...] = (), stop_after: str | None = None) -> "Runner":
        for index, step in enumerate(self.action["runs"]["steps"]):
            if step["name"] in skip:
                continue
            if "if" in step and not self.condition(step["if"]):
                self.ran.append({"name": step["name"], "skipped": True})
                continue
            if "uses" in step:
                self.ran.append({"name": step["name"], "uses": step["uses"],
                                 "with": {k: self.substitute(v) for k, v in step["with"].items()}})
                continue
            assert step["shell"] == "bash"
            output = self.temp / f"output-{index}"
            output.write_text("")
            script = self.temp / f"step-{index}.sh"
            script.write_text(step["run"], encoding="utf-8")
            added = [line for line in self.path_file.read_text().splitlines() if line]
            env = {**os.environ, "GITHUB_ACTIONS": "true", "RUNNER_TEMP": str(self.temp),
                   "GITHUB_WORKSPACE": str(self.workspace), "GITHUB_OUTPUT": str(output),
                   "GITHUB_PATH": str(self.path_file), "PATH": os.pathsep.join([*reversed(added), os.environ["PATH"]])}
            env.update({name: self.substitute(value) for name, value in (step.get("env") or {}).items()})
            env.pop("PYTHONPATH", None)  # the installed nginxlint, not this checkout's sources
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                  cwd=self.workspace, env=env, capture_output=True, text=True, timeout=900)
            if "id" in step:
                self.outputs[step["id"]] = dict(line.split("=", 1) for line in output.read_text().splitlines() if line)
            self.ran.append({"name": step["name"], "returncode": done.returncode, "stdout": done.stdout,
                             "stderr": done.stderr})
            if done.returncode != 0 or step["name"] == stop_after:  # the runner stops at a failure
                break
        return self

    def step(self, name: str) -> dict:
        (found,) = [step for step in self.ran if step["name"] == name]
        return found


INSTALL = "Install nginxlint"


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory):
    """RUNNER_TEMP after the action's install step: nginxlint installed from this checkout (once for the module)."""
    python = shutil.which("python3") or shutil.which("python")
    if python is None or subprocess.run([python, "-c", "import ensurepip, venv"], capture_output=True).returncode:
        pytest.skip("the action's install step needs python3 with venv and ensurepip (Debian: python3-venv)")
    temp = tmp_path_factory.mktemp("runner-temp")
    install = Runner(temp, temp, {}).run(stop_after=INSTALL).step(INSTALL)
    assert install["returncode"] == 0, install["stderr"]
    return temp


def _workspace(tmp_path: Path) -> Path:
    workspace = tmp_path / "workspace"
    write_tree(workspace, PROJECT)
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    return workspace


def test_the_action_takes_the_inputs_the_readme_names():
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"paths", "args", "version", "upload"}
    (upload,) = [step for step in action["runs"]["steps"] if "uses" in step]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    # no input is spliced into a script: each reaches it through env
    assert all("${{" not in step.get("run", "") for step in action["runs"]["steps"])


def test_the_action_annotates_uploads_sarif_and_fails_on_findings(tmp_path, runner_temp):
    workspace = _workspace(tmp_path)
    runner = Runner(workspace, runner_temp, {}).run(skip=(INSTALL,))
    lint = runner.step("Lint")
    assert lint["returncode"] == 0, lint["stderr"]
    assert runner.outputs["lint"]["status"] == "1"

    commands = [parse_command(line) for line in lint["stdout"].splitlines()]
    assert commands == [
        ("warning", {"file": "conf/conf.d/api.conf", "line": "3", "endLine": "3", "col": "33", "endColumn": "35",
                     "title": "LUA210 lua-code-cache-off"},
         "lua_code_cache off reloads every Lua file for every request: throughput drops by an order of magnitude and "
         "module state (nginx-lua-prometheus metrics, caches) resets each time; remove it outside development"),
        ("error", {"file": "lua/handler.lua", "line": "1", "endLine": "1", "col": "26", "endColumn": "30",
                   "title": "LUA202 undeclared-shared-dict"},
         "add `lua_shared_dict stats <size>;` to the http block; referenced at lua/handler.lua:1:26, and "
         "ngx.shared.stats is nil without it"),
    ]

    sarif = Path(runner.outputs["lint"]["sarif-file"])
    assert sarif == runner_temp / "nginxlint.sarif"
    log = yaml.safe_load(sarif.read_text(encoding="utf-8"))  # JSON is YAML
    assert schema_errors(log) == []
    results = log["runs"][0]["results"]
    places = [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
               r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results]
    assert places == [("LUA210", "conf/conf.d/api.conf", 3), ("LUA202", "lua/handler.lua", 1)]

    upload = runner.step("Upload to code scanning")
    assert upload["with"] == {"sarif_file": str(sarif), "category": "nginxlint"}
    status = runner.step("Exit status")
    assert status["returncode"] == 1
    # the lint ran the installed nginxlint, which later steps of the job find on the PATH too
    (bin_dir,) = runner.path_file.read_text().split()
    assert Path(bin_dir, "nginxlint").exists() and Path(bin_dir).parent == runner_temp / "nginxlint-venv"


def test_the_action_passes_args_and_paths_and_upload_can_be_turned_off(tmp_path, runner_temp):
    workspace = _workspace(tmp_path)
    runner = Runner(workspace, runner_temp, {"paths": "conf/conf.d/api.conf\nlua", "args": "--ignore LUA202",
                                             "upload": "false"}).run(skip=(INSTALL,))
    lint = runner.step("Lint")
    assert lint["returncode"] == 0, lint["stderr"]
    assert [parse_command(line)[1]["title"] for line in lint["stdout"].splitlines()] == ["LUA210 lua-code-cache-off"]
    assert runner.step("Upload to code scanning") == {"name": "Upload to code scanning", "skipped": True}
    assert runner.step("Exit status")["returncode"] == 1

    clean = Runner(workspace, runner_temp, {"args": "--select SEC508", "upload": "false"}).run(skip=(INSTALL,))
    assert clean.step("Lint")["stdout"] == ""
    assert clean.outputs["lint"]["status"] == "0"
    assert clean.step("Exit status")["returncode"] == 0
