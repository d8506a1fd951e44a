"""Fixes, for every rule whose doc says it has one (`fix: always|sometimes`), on every fail case of the rule: its
`nginx fail` doc examples and the cases of tests/rules/CODE.yaml that report.

Each case is fixed with `--fix --unsafe-fixes`, then: the fixed findings are gone and no other finding appears; a
second `--fix` changes nothing; and real `nginx -t` accepts the fixed config, or stops at the same problem as on the
original (something the fix is not about, such as a host it cannot resolve here).
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from lintkit import run_cli, write_tree
from nginxlint.catalog import docs_dir, load_catalog, parse_doc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))
import nginx_check  # noqa: E402
from test_docs import examples  # noqa: E402

HERE = Path(__file__).parent
FIXABLE = sorted(code for code, info in load_catalog().items() if info.fix != "none")


def _cases():
    for code in FIXABLE:
        _, body = parse_doc((docs_dir() / f"{code}.md").read_text(encoding="utf-8"))
        for index, (kind, files, skip) in enumerate(examples(body)):
            if kind == "fail" and not skip:
                yield pytest.param(code, {"files": files, "args": ["--isolated"]}, id=f"{code}-doc-{index}")
        path = HERE / f"{code}.yaml"
        if path.exists():
            for index, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]):
                if case.get("findings"):
                    yield pytest.param(code, case, id=f"{code}-{index}-{case.get('name', '')}")


def _lint(tmp_path: Path, code: str, case: dict, *extra: str):
    args = [case.get("lint", "."), "--format", "json", "--base-dir", str(tmp_path), "--extend-select", code,
            *case.get("args", []), *extra]
    result = run_cli(args, cwd=tmp_path)
    assert result.status in (0, 1), result.err
    return result


def _snapshot(tree: Path) -> dict[str, bytes]:
    return {p.relative_to(tree).as_posix(): p.read_bytes() for p in sorted(tree.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("code, case", list(_cases()))
def test_fix(code, case, tmp_path):
    original, fixed = tmp_path / "original", tmp_path / "fixed"
    for tree in (original, fixed):
        write_tree(tree, case["files"])
        if case.get("settings"):
            (tree / ".nginxlint.yaml").write_text(yaml.safe_dump(case["settings"]), encoding="utf-8")
    before = _lint(fixed, code, case).json["findings"]
    mine = [f for f in before if f["code"] == code]
    assert mine, f"the fail case gives no {code}"
    with_fix = [f for f in mine if "fix" in f]
    if load_catalog()[code].fix == "always":
        assert len(with_fix) == len(mine), f"`fix: always`, yet some {code} findings have no fix: {mine}"
    if not with_fix:
        pytest.skip(f"no finding of {code} has a fix in this case (`fix: sometimes`)")

    after = _lint(fixed, code, case, "--fix", "--unsafe-fixes").json["findings"]
    assert _snapshot(fixed) != _snapshot(original), "--fix changed nothing"
    left = Counter(f["code"] for f in after)
    assert left[code] <= len(mine) - len(with_fix), f"{code} is still reported after the fix: {after}"
    had = Counter(f["code"] for f in before)
    new = {c: n for c, n in left.items() if n > had[c]}
    assert not new, f"the fix made new findings appear: {[f for f in after if f['code'] in new]}"

    once = _snapshot(fixed)
    again = _lint(fixed, code, case, "--fix", "--unsafe-fixes")
    assert _snapshot(fixed) == once, "a second --fix changed the files again"
    assert "fixed 0 findings" in again.err

    root = "conf/nginx.conf"
    if root not in case["files"] or nginx_check.unavailable_reason():
        return  # nginx can check only a config it is given as a file (not one inside a ConfigMap)
    was, now = nginx_check.check_tree(original, root), nginx_check.check_tree(fixed, root)
    assert now.accepted or now.message == was.message, (
        f"nginx -t rejects the fixed config: {now.message} (the original: {was.message or 'accepted'})\n"
        + (fixed / root).read_text(encoding="utf-8", errors="replace"))


def test_every_fixable_rule_has_a_fail_case():
    """A rule whose doc promises a fix has a case that exercises it."""
    for code in FIXABLE:
        assert any(param.values[0] == code for param in _cases()), f"{code} has no fail case to fix"
