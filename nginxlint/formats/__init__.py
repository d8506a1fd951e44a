"""Output formats: each a module with `format_report(report, **options) -> str`, imported only when chosen."""
from __future__ import annotations

import importlib

FORMATS = {
    "full": "nginxlint.formats.text:format_full",
    "concise": "nginxlint.formats.text:format_concise",
    "json": "nginxlint.formats.json_format:format_report",
    "sarif": "nginxlint.formats.sarif:format_report",
    "github": "nginxlint.formats.github:format_report",
    "gitlab": "nginxlint.formats.gitlab:format_report",
    "junit": "nginxlint.formats.junit:format_report",
    "checkstyle": "nginxlint.formats.checkstyle:format_report",
}


def formatter(name: str):
    module, function = FORMATS[name].split(":")
    return getattr(importlib.import_module(module), function)
