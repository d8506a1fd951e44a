"""GitHub's own SARIF ingestion rules (GH1001..GH2012), checked by Microsoft's SARIF multitool.

The tool is the npm package @microsoft/sarif-multitool (a self-contained .NET binary). It is looked up at
$NGINXLINT_SARIF_MULTITOOL, then in the test cache ($NGINXLINT_TEST_CACHE, default ~/.cache/nginxlint-test),
where it is installed with npm when npm is available. It exits 0 even when it finds errors, so the
verdict is read from its output log.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from pathlib import Path

import pytest

from format_cases import make_report, sample_names, sample_output
from nginxlint.formats import sarif

MULTITOOL_VERSION = "5.7.0"
PLATFORM_PACKAGE = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}.get(platform.system(), "linux")


def cache_dir() -> Path:
    return Path(os.environ.get("NGINXLINT_TEST_CACHE") or Path.home() / ".cache" / "nginxlint-test")


def find_multitool() -> Path | None:
    explicit = os.environ.get("NGINXLINT_SARIF_MULTITOOL")
    if explicit:
        return Path(explicit)
    name = "Sarif.Multitool.exe" if PLATFORM_PACKAGE == "win32" else "Sarif.Multitool"
    binary = cache_dir() / "node_modules" / "@microsoft" / f"sarif-multitool-{PLATFORM_PACKAGE}" / name
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(cache_dir()),
                        f"@microsoft/sarif-multitool@{MULTITOOL_VERSION}"],
                       capture_output=True, timeout=600, check=False)
    if not binary.exists():
        return None
    binary.chmod(binary.stat().st_mode | 0o100)  # npm may skip the package's own chmod postinstall
    return binary


@pytest.fixture(scope="module")
def multitool() -> Path:
    tool = find_multitool()
    if tool is None:
        pytest.skip("@microsoft/sarif-multitool is not installed and npm could not install it; CI runs "
                    f"`npm install --prefix ~/.cache/nginxlint-test @microsoft/sarif-multitool@{MULTITOOL_VERSION}`")
    return tool


def github_findings(tool: Path, log_text: str, tmp_path: Path) -> list[tuple[str, str, str]]:
    """(rule id, level, message) for every problem GitHub's rules find in the log."""
    source, verdict = tmp_path / "input.sarif", tmp_path / "verdict.sarif"
    source.write_text(log_text, encoding="utf-8")
    env = dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1")
    # --log before the input: it takes a list and would swallow the file name otherwise.
    done = subprocess.run([str(tool), "validate", "--rule-kind", "Gh;Ghas", "--level", "Error;Warning;Note",
                           "--log", "ForceOverwrite", "-o", str(verdict), str(source)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert verdict.exists(), f"the multitool wrote no verdict: {done.stdout}\n{done.stderr}"
    run = json.loads(verdict.read_text(encoding="utf-8-sig"))["runs"][0]
    rules = run["tool"]["driver"].get("rules", [])
    problems = []
    for result in run.get("results", []):
        template = rules[result["ruleIndex"]]["messageStrings"][result["message"]["id"]]["text"]
        text = template.format(*result["message"].get("arguments", []))
        problems.append((result["ruleId"], result.get("level", "warning"), text))
    return problems


def test_github_accepts_the_log(multitool, tmp_path, report, clean_report):
    problems = github_findings(multitool, sarif.format_report(report), tmp_path)
    assert [p for p in problems if p[1] in ("error", "warning")] == []
    assert github_findings(multitool, sarif.format_report(clean_report), tmp_path) == []


def test_github_check_is_not_vacuous(multitool, tmp_path, report):
    """The same check on a log GitHub would reject finds the faults: the tool and its rules did run."""
    log = json.loads(sarif.format_report(report))
    del log["runs"][0]["results"][0]["locations"]
    log["runs"][0]["results"][1]["message"] = {"id": "undefined"}
    problems = github_findings(multitool, json.dumps(log), tmp_path)
    errors = {(rule, text.split(":")[0]) for rule, level, text in problems if level == "error"}
    assert ("GH1015", "runs[0].results[0]") in errors
    assert ("GH1015", "runs[0].results[1].message") in errors


def test_github_accepts_a_report_with_many_findings(multitool, tmp_path):
    import dataclasses

    from nginxlint.findings import Span

    base = make_report()
    findings = [dataclasses.replace(f, span=Span(f.span.line + 100 * i, f.span.column, f.span.end_line + 100 * i,
                                                 f.span.end_column))
                for i in range(150) for f in base.findings]
    findings.sort(key=lambda f: f.sort_key)
    problems = github_findings(multitool, sarif.format_report(make_report(findings=findings)), tmp_path)
    assert [p for p in problems if p[1] in ("error", "warning")] == []


@pytest.mark.parametrize("sample", sample_names())
def test_github_accepts_the_log_of_each_sample(multitool, tmp_path, sample):
    log = sample_output(sample, "sarif")
    problems = github_findings(multitool, log, tmp_path)
    assert [p for p in problems if p[1] in ("error", "warning")] == []
