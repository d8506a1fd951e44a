"""`--format json`: the JSON contract (README, "Output"), byte-identical for the same input."""
from __future__ import annotations

import json

from ..findings import SEVERITIES, Report
from ..text import clean


def format_report(report: Report, **_options) -> str:
    active = report.active
    counts = {severity: 0 for severity in SEVERITIES}
    for finding in active:
        counts[finding.severity] += 1
    document = {
        "version": report.version,
        "findings": [finding.to_json() for finding in active],
        "notifications": [note.to_json() for note in report.notifications],
        "summary": {
            "findings": len(active),
            "by_severity": counts,
            "suppressed": len(report.findings) - len(active),
            "files_checked": report.files_checked,
            "errors": [
                {"code": n.code, "path": n.path, "message": n.message}
                for n in report.notifications
                if n.level == "error"
            ],
        },
    }
    return clean(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
