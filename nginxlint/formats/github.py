"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per active finding."""
from __future__ import annotations

from ..findings import Finding, Notification, Report
from ..text import clean
from .paths import relative_path

COMMANDS = {"error": "error", "warning": "warning", "info": "notice", "note": "notice"}


def format_report(report: Report, **_options) -> str:
    lines = [_finding_command(report, finding) for finding in report.active]
    lines += [_notification_command(report, note) for note in report.notifications]
    return clean("".join(line + "\n" for line in lines))


def _finding_command(report: Report, finding: Finding) -> str:
    span = finding.span
    properties = [("file", relative_path(finding.path, report.base_dir)), ("line", span.line),
                  ("endLine", span.end_line)]
    # GitHub takes columns only for a one-line range, and its endColumn is inclusive (ours is exclusive).
    if span.line == span.end_line:
        properties += [("col", span.column), ("endColumn", max(span.column, span.end_column - 1))]
    properties.append(("title", f"{finding.code} {finding.name}"))
    return _command(COMMANDS[finding.severity], properties, finding.message)


def _notification_command(report: Report, note: Notification) -> str:
    properties = []
    if note.path is not None:
        properties.append(("file", relative_path(note.path, report.base_dir)))
        if note.span is not None:
            properties += [("line", note.span.line), ("endLine", note.span.end_line)]
    properties.append(("title", f"nginxlint {note.code}" if note.code else "nginxlint"))
    return _command(COMMANDS.get(note.level, "warning"), properties, note.message)


def _command(name: str, properties: list[tuple[str, object]], message: str) -> str:
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{name} {rendered}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """As @actions/core's escapeData: the message may hold any character but these three."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """As @actions/core's escapeProperty: also ':' and ',', which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
