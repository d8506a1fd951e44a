"""nginxlint on checked-out public repositories, scored against the labels of labels.yaml (see run.py).

Skips when no copy of a listed repository is present under $NGINXLINT_REALWORLD (default ~/.cache/nginxlint-realworld).
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("realworld_run", Path(__file__).with_name("run.py"))
run = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = run  # dataclasses look their module up there
_spec.loader.exec_module(run)


def _present() -> list[str]:
    config = run.load_yaml("repos.yaml")
    return [e["name"] for e in config.get("repos", []) if run.copy_dir(e["name"]).is_dir()]


pytestmark = pytest.mark.skipif(
    not _present(), reason=f"no repository copies under {run.copies_root()} (set NGINXLINT_REALWORLD)"
)


@pytest.fixture(scope="module")
def measured():
    return run.run_all()


def test_no_crash(measured):
    _, results = measured
    crashed = {r.repo: r.crash for r in results if r.crash}
    assert not crashed


def test_no_labelled_true_finding_lost(measured):
    _, results = measured
    lost = [(r.repo, x["path"], x["line"], x["code"]) for r in results for x in r.lost]
    assert not lost


def test_every_finding_labelled(measured):
    _, results = measured
    unlabelled = [f"{r.repo} {f['path']}:{f['line']} {f['code']}" for r in results for f in r.unlabelled]
    assert not unlabelled, "label them in labels.yaml (run.py --unlabelled lists them):\n" + "\n".join(unlabelled)


def test_precision_at_least_the_floor(measured):
    config, results = measured
    overall = run.totals(results)
    if overall["precision"] is None:
        pytest.skip("no labelled finding in the repositories present")
    assert overall["precision"] >= float(config["precision-floor"])
