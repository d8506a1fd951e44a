"""GitLab Code Quality report: a JSON array of Code Climate issues, one per active finding."""
from __future__ import annotations

import json

from ..findings import Report
from ..text import clean
from .fingerprints import fingerprints, occurrence_fingerprints
from .paths import relative_path

SEVERITIES = {"info": "info", "warning": "minor", "error": "major"}
# A config nginx cannot parse, or a crash of the linter itself, blocks everything else: shown above "major".
CRITICAL_CODES = frozenset({"NGX001", "NL999"})


def format_report(report: Report, **_options) -> str:
    issues = []
    for finding, fingerprint in zip(report.findings, fingerprints(report)):
        if finding.suppression is not None:
            continue
        issues.append({
            "type": "issue",
            "check_name": finding.code,
            "description": f"{finding.code} {finding.name}: {finding.message}",
            "severity": "critical" if finding.code in CRITICAL_CODES else SEVERITIES[finding.severity],
            "fingerprint": fingerprint,
            "location": {
                "path": relative_path(finding.path, report.base_dir),
                "lines": {"begin": finding.span.line, "end": finding.span.end_line},
            },
        })
    issues += _run_errors(report)
    return clean(json.dumps(issues, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


def _run_errors(report: Report) -> list[dict]:
    """Report.unlinted as issues."""
    notes = report.unlinted
    paths = [relative_path(n.path, report.base_dir) for n in notes]
    prints = occurrence_fingerprints(("notification", n.code or "", path, n.message) for n, path in zip(notes, paths))
    return [
        {
            "type": "issue",
            "check_name": note.code or "nginxlint",
            "description": note.message,
            "severity": "critical" if note.level == "error" else "minor",
            "fingerprint": fingerprint,
            "location": {"path": path, "lines": {"begin": note.span.line if note.span else 1,
                                                 "end": note.span.end_line if note.span else 1}},
        }
        for note, path, fingerprint in zip(notes, paths, prints)
    ]
