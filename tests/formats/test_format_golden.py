"""Each CI format on each sample deployment, compared with a reviewed copy in golden/.

After an intended change (a rule's message, a new finding), regenerate with
`NGINXLINT_UPDATE_GOLDEN=1 python -m pytest tests/formats/test_format_golden.py` and review the diff.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from format_cases import ROOT, run_cli, sample_names, sample_output
from nginxlint import __version__

GOLDEN = Path(__file__).resolve().parent / "golden"
EXTENSIONS = {"sarif": "sarif", "github": "github.txt", "gitlab": "gitlab.json", "junit": "junit.xml",
              "checkstyle": "checkstyle.xml"}
VERSION_MARK = "<nginxlint-version>"  # so that a release does not rewrite every golden file


@pytest.mark.parametrize("format_name", sorted(EXTENSIONS))
@pytest.mark.parametrize("sample", sample_names())
def test_output_matches_the_golden_file(sample, format_name):
    output = sample_output(sample, format_name).replace(__version__, VERSION_MARK)
    golden = GOLDEN / f"{sample}.{EXTENSIONS[format_name]}"
    if os.environ.get("NGINXLINT_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(output, encoding="utf-8", newline="\n")
    assert golden.exists(), f"no golden file {golden.name}: run with NGINXLINT_UPDATE_GOLDEN=1"
    assert output == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("sample", sample_names())
def test_sample_sarif_is_valid_and_identical_across_runs(sample):
    from test_format_sarif import schema_errors

    first = sample_output(sample, "sarif")
    assert schema_errors(json.loads(first)) == []
    assert run_cli("--format", "sarif", f"samples/{sample}").stdout == first
    assert str(ROOT) not in first and "file://" not in first


@pytest.mark.parametrize("sample", sample_names())
def test_sarif_file_option_writes_the_same_log(sample, tmp_path):
    target = tmp_path / "out.sarif"
    stdout = sample_output(sample, "sarif")
    run_cli("--format", "concise", "--sarif-file", str(target), f"samples/{sample}")
    assert target.read_text(encoding="utf-8") == stdout
