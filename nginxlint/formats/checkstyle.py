"""Checkstyle 4.3 XML, read by Jenkins (warnings-ng), reviewdog and many code review tools."""
from __future__ import annotations

from ..findings import Report
from .paths import relative_path
from .xml import xml_attr

SEVERITIES = {"error": "error", "warning": "warning", "info": "info", "note": "info"}


def format_report(report: Report, **_options) -> str:
    # path -> [(line, column, severity, message, source)]; column None when only the file is known
    by_file: dict[str, list[tuple]] = {}
    for finding in report.active:
        path = relative_path(finding.path, report.base_dir)
        by_file.setdefault(path, []).append((finding.span.line, finding.span.column,
                                             SEVERITIES[finding.severity], finding.message,
                                             f"nginxlint.{finding.code}"))
    # Notifications tied to a file (e.g. it could not be read) must show: a failed run never looks clean.
    for note in report.notifications:
        if note.path is None:
            continue
        path = relative_path(note.path, report.base_dir)
        line, column = (note.span.line, note.span.column) if note.span else (1, None)
        source = f"nginxlint.{note.code}" if note.code else "nginxlint"
        by_file.setdefault(path, []).append((line, column, SEVERITIES.get(note.level, "warning"),
                                             note.message, source))
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<checkstyle version="4.3">']
    for path in sorted(by_file):
        out.append(f"  <file name={xml_attr(path)}>")
        entries = sorted(by_file[path], key=lambda e: (e[0], e[1] or 0, e[4], e[3]))
        out += [_error(*entry) for entry in entries]
        out.append("  </file>")
    out.append("</checkstyle>")
    return "\n".join(out) + "\n"


def _error(line: int, column: int | None, severity: str, message: str, source: str) -> str:
    column_attr = f' column="{column}"' if column is not None else ""
    return (f'    <error line="{line}"{column_attr} severity="{severity}"'
            f" message={xml_attr(message)} source={xml_attr(source)}/>")
