"""Per-rule YAML cases (tests/rules/<CODE>.yaml): exact positions of every finding of the rule under test."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lintkit import ROOT, run_cli, write_tree
from nginxlint.catalog import load_catalog

HERE = Path(__file__).parent
CASE_FILES = sorted(HERE.glob("*.yaml"))


def _cases():
    for path in CASE_FILES:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, case in enumerate(document["cases"]):
            yield pytest.param(document["rule"], case, id=f"{document['rule']}-{index}-{case.get('name', '')}")


def _content(value):
    """A file's text, or `{copy: path}`: the bytes of a repository file (a binary such as a sample's `.so`)."""
    if isinstance(value, dict):
        return (ROOT / value["copy"]).read_bytes()
    return value


@pytest.mark.parametrize("code, case", list(_cases()))
def test_case(code, case, tmp_path):
    write_tree(tmp_path, {name: _content(value) for name, value in case["files"].items()})
    if case.get("settings"):
        (tmp_path / ".nginxlint.yaml").write_text(yaml.safe_dump(case["settings"]), encoding="utf-8")
    target = case.get("lint", ".")
    result = run_cli([target, "--format", "json", "--base-dir", str(tmp_path), "--extend-select", code,
                      *case.get("args", [])], cwd=tmp_path)
    assert result.status in (0, 1), result.err
    got = [f for f in result.json["findings"] if f["code"] == code]
    expected = case.get("findings") or []
    keys = ("path", "line", "column", "end_line", "end_column")
    assert sorted(tuple(f[k] for k in keys) for f in got) == sorted(tuple(e[k] for k in keys) for e in expected), got
    for want in expected:
        match = next(f for f in got if all(f[k] == want[k] for k in keys))
        if "severity" in want:
            assert match["severity"] == want["severity"]
        if "message" in want:
            assert want["message"] in match["message"]
    _fix_agrees_with_doc(code, got)


def _fix_agrees_with_doc(code: str, found: list[dict]) -> None:
    """The doc's `fix` and `fix-safety` say what the rule does: a fix on every finding (always), on none (none),
    and of the applicability said (safe, unsafe, or mixed)."""
    info = load_catalog()[code]
    fixes = [f.get("fix") for f in found]
    if info.fix == "none":
        assert not any(fixes), f"{code}'s doc says `fix: none`, yet a finding has a fix: {fixes}"
    elif info.fix == "always":
        assert all(fixes), f"{code}'s doc says `fix: always`, yet a finding has none: {found}"
    for fix in filter(None, fixes):
        assert info.fix_safety in (fix["applicability"], "mixed"), (
            f"{code}'s doc says `fix-safety: {info.fix_safety}`, yet a fix is {fix['applicability']}")


def test_every_rule_has_pass_and_fail_cases():
    covered: dict[str, set] = {}
    for path in CASE_FILES:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert path.stem == document["rule"], f"{path.name} holds cases of {document['rule']}"
        kinds = covered.setdefault(document["rule"], set())
        for case in document["cases"]:
            kinds.add("fail" if case.get("findings") else "pass")
    # NL999 reports a rule that crashed: no input should cause it, so tests/test_cli.py makes a rule crash instead.
    missing = {code: {"pass", "fail"} - covered.get(code, set()) for code in load_catalog() if code != "NL999"}
    missing = {code: sorted(kinds) for code, kinds in missing.items() if kinds}
    assert not missing, f"rules without pass or fail cases: {missing}"
