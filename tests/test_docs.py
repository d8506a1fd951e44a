"""Every rule has a doc with the required sections, and the doc's examples behave as they say when linted."""
from __future__ import annotations

import re

import pytest

from lintkit import run_cli, write_tree
from nginxlint.catalog import docs_dir, load_catalog, parse_doc

SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"]
FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```\s*$", re.M | re.S)
DOCS = sorted(docs_dir().glob("*.md"))


def examples(body: str):
    """(kind, files, skip) for each `nginx fail` / `nginx pass` block and the `file=` blocks that follow it."""
    found = []
    for match in FENCE.finditer(body):
        words = match.group("info").split()
        if words[:1] == ["nginx"] and len(words) > 1 and words[1] in ("fail", "pass"):
            found.append((words[1], {"conf/nginx.conf": match.group("body")}, "skip" in words[2:]))
        else:
            target = next((w[5:] for w in words if w.startswith("file=")), None)
            if target and found:
                found[-1][1][target] = match.group("body")
    return found


def test_docs_exist_for_every_rule_and_are_well_formed():
    assert DOCS, "no rule docs found"
    for path in DOCS:
        meta, body = parse_doc(path.read_text(encoding="utf-8"))
        assert path.stem == meta["code"], path
        assert meta["severity"] in ("error", "warning", "info"), path
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta["name"]), path
        positions = [body.find(section) for section in SECTIONS]
        assert all(p >= 0 for p in positions) and positions == sorted(positions), f"{path}: sections {SECTIONS}"
        kinds = [kind for kind, _, _ in examples(body)]
        assert "fail" in kinds and "pass" in kinds, f"{path}: needs an `nginx fail` and an `nginx pass` example"


def test_front_matter_reader_agrees_with_yaml():
    import yaml

    from nginxlint.catalog import FRONT_MATTER, parse_front_matter

    for path in DOCS:
        block = FRONT_MATTER.match(path.read_text(encoding="utf-8")).group(1)
        expected = {k: [str(i) for i in v] if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else str(v)
                    for k, v in yaml.safe_load(block).items()}
        assert parse_front_matter(block) == expected, path


def test_codes_and_names_are_unique():
    catalog = load_catalog()
    names = [info.name for info in catalog.values()]
    assert len(names) == len(set(names))


def test_security_rules_are_production_only():
    """Security advice concerns a server the public reaches: quiet in test, example and benchmark directories."""
    catalog = load_catalog()
    assert [code for code, info in catalog.items() if code.startswith("SEC") and not info.production_only] == []


def _example_params():
    for path in DOCS:
        _, body = parse_doc(path.read_text(encoding="utf-8"))
        for index, (kind, files, skip) in enumerate(examples(body)):
            yield pytest.param(path.stem, kind, files, skip, id=f"{path.stem}-{kind}-{index}")


@pytest.mark.parametrize("code, kind, files, skip", list(_example_params()))
def test_doc_example(code, kind, files, skip, tmp_path):
    if skip:
        pytest.skip("the doc marks this example as not runnable (its condition cannot be written as text)")
    write_tree(tmp_path, files)
    result = run_cli([".", "--format", "json", "--base-dir", str(tmp_path), "--isolated", "--extend-select", code],
                     cwd=tmp_path)
    assert result.status in (0, 1), result.err
    codes = result.codes()
    if kind == "fail":
        assert code in codes, f"the fail example of {code} gives {codes}"
    else:
        assert code not in codes, f"the pass example of {code} still gives {code}: {result.json['findings']}"
