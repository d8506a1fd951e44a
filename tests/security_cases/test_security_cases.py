"""Security cases: pairs of a vulnerable config and its safe twin, one directory per rule or topic.

Each `*/cases.yaml` names the rules it is about (`codes`) and holds cases of

    name: what the pair shows
    bad:  the vulnerable config (text of conf/nginx.conf, or a map of file name to text)
    findings: [[CODE, line, column], ...]   (a fourth item names another file than conf/nginx.conf)
    good: its safe twin, which must draw no finding of those rules
    codes: (optional) the rules of this case, where they differ from the topic's

The findings of the named rules must be exactly the ones listed, at the position a user must change.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lintkit import run_cli, write_tree

HERE = Path(__file__).parent
MAIN = "conf/nginx.conf"


def _topics():
    for path in sorted(HERE.glob("*/cases.yaml")):
        yield path.parent.name, yaml.safe_load(path.read_text(encoding="utf-8"))


def _pairs():
    for topic, document in _topics():
        for case in document["cases"]:
            yield pytest.param(case.get("codes", document["codes"]), case, id=f"{topic}-{case['name']}")


def _files(config) -> dict[str, str]:
    return {MAIN: config} if isinstance(config, str) else dict(config)


def findings(tmp_path: Path, config, codes: list[str]) -> set[tuple]:
    """(code, line, column, path) of every finding of `codes` on the config."""
    write_tree(tmp_path, _files(config))
    result = run_cli([".", "--format", "json", "--isolated", "--base-dir", str(tmp_path),
                      "--extend-select", ",".join(codes)], cwd=tmp_path)
    assert result.status in (0, 1), result.err
    return {(f["code"], f["line"], f["column"], f["path"]) for f in result.json["findings"] if f["code"] in codes}


def expected(case) -> set[tuple]:
    return {(code, line, column, rest[0] if rest else MAIN) for code, line, column, *rest in case["findings"]}


@pytest.mark.parametrize("codes, case", list(_pairs()))
def test_vulnerable_config_is_reported_where_it_must_change(codes, case, tmp_path):
    assert findings(tmp_path / "bad", case["bad"], codes) == expected(case)


@pytest.mark.parametrize("codes, case", list(_pairs()))
def test_safe_twin_is_quiet(codes, case, tmp_path):
    assert findings(tmp_path / "good", case["good"], codes) == set()


def test_every_case_is_a_pair_with_a_finding():
    for topic, document in _topics():
        assert document["codes"], topic
        for case in document["cases"]:
            assert {"name", "bad", "good", "findings"} <= set(case), (topic, case.get("name"))
            assert case["findings"], (topic, case["name"])
            assert {code for code, *_ in case["findings"]} <= set(case.get("codes", document["codes"])), (topic, case["name"])
