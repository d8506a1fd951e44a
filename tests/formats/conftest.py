"""Fixtures of the format tests; the reports themselves are built in format_cases.py."""
from __future__ import annotations

import pytest

from format_cases import make_report
from nginxlint.findings import Report


@pytest.fixture
def report() -> Report:
    return make_report()


@pytest.fixture
def clean_report() -> Report:
    return make_report(findings=[], notifications=[])
