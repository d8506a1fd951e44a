"""Each sample gives exactly the findings its `# expect: CODE` (or `-- expect: CODE`) annotations announce."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from lintkit import ROOT, run_cli

SAMPLES = ROOT / "samples"
EXPECT = re.compile(r"(?:#|--)\s*expect:\s*(?P<codes>[A-Z][A-Z0-9]*[0-9](?:\s*,\s*[A-Z][A-Z0-9]*[0-9])*)")


def expected(sample: Path) -> Counter:
    found = Counter()
    for path in sorted(p for p in sample.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for match in EXPECT.finditer(line):
                for code in match.group("codes").split(","):
                    found[(path.relative_to(ROOT).as_posix(), number, code.strip())] += 1
    return found


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()) if SAMPLES.is_dir() else [])
def test_sample_findings_match_annotations(sample):
    result = run_cli([str(SAMPLES / sample), "--format", "json", "--base-dir", str(ROOT)], cwd=ROOT)
    assert result.status in (0, 1), result.err
    got = Counter((f["path"], f["line"], f["code"]) for f in result.json["findings"])
    want = expected(SAMPLES / sample)
    assert got == want, f"unexpected: {sorted((got - want).elements())}; missing: {sorted((want - got).elements())}"
    assert result.status == (1 if want else 0)


def test_all_samples_at_once_give_the_union_of_their_annotations():
    """One run over several projects binds each config to its own project's container (the README's first command)."""
    result = run_cli([str(SAMPLES), "--format", "json", "--base-dir", str(ROOT)], cwd=ROOT)
    got = Counter((f["path"], f["line"], f["code"]) for f in result.json["findings"])
    want = sum((expected(SAMPLES / name) for name in sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())),
               Counter())
    assert got == want, f"unexpected: {sorted((got - want).elements())}; missing: {sorted((want - got).elements())}"
