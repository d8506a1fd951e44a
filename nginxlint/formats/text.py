"""Console output: `full` like a compiler (location, source line, caret, notes) and `concise` one line each."""
from __future__ import annotations

from ..findings import Finding, Notification, Report
from ..text import clean

COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[1;36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


class _Paint:
    def __init__(self, colour: bool):
        self.colour = colour

    def __call__(self, style: str, text: str) -> str:
        return f"{style}{text}{RESET}" if self.colour else text


def _headline(finding: Finding, paint: _Paint) -> str:
    where = paint(BOLD, f"{finding.path}:{finding.span.line}:{finding.span.column}:")
    code = paint(COLOURS[finding.severity], finding.code)
    return clean(f"{where} {code} {finding.message}")


def _snippet(report: Report, finding: Finding, paint: _Paint) -> list[str]:
    source = report.source_line(finding.path, finding.span.line)
    if not source:
        return []
    number = str(finding.span.line)
    gutter = " " * len(number)
    start = finding.span.column - 1
    end = finding.span.end_column - 1 if finding.span.end_line == finding.span.line else len(source)
    end = max(end, start + 1)
    # Keep tabs under tabs so that the caret lines up in any terminal.
    lead = "".join(c if c == "\t" else " " for c in source[:start])
    return [
        paint(DIM, f"{gutter} |"),
        clean(f"{paint(DIM, f'{number} |')} {source.rstrip()}"),
        f"{paint(DIM, f'{gutter} |')} {lead}{paint(COLOURS[finding.severity], '^' * (end - start))}",
    ]


def _notification(note: Notification, paint: _Paint) -> str:
    """What nginxlint could not do, after the findings: `path:line:col: warning: message`."""
    where = note.path or "nginxlint"
    if note.path and note.span is not None:
        where += f":{note.span.line}:{note.span.column}"
    level = paint(COLOURS.get(note.level, BOLD), note.level)
    return clean(f"{paint(BOLD, where + ':')} {level}: {note.message}")


def _summary(report: Report, paint: _Paint) -> str:
    active = report.active
    if not active:
        text = f"No findings in {report.files_checked} file{'s' if report.files_checked != 1 else ''}."
    else:
        counts = {}
        for finding in active:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
        parts = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}"
                          for s in ("error", "warning", "info") if s in counts)
        text = f"Found {len(active)} finding{'s' if len(active) != 1 else ''} ({parts})."
    unlinted = len({n.path for n in report.unlinted})
    if unlinted:  # a file nginxlint could not lint never reads as clean
        text += f" {unlinted} file{'s' if unlinted != 1 else ''} not fully linted (see above)."
    suppressed = len(report.findings) - len(active)
    if suppressed:
        text += f" {suppressed} suppressed inline."
    safe = sum(1 for f in active if f.fix is not None and f.fix.safe)
    unsafe = sum(1 for f in active if f.fix is not None and not f.fix.safe)
    if safe:
        text += f" {safe} fixable with --fix" + (f" ({unsafe} more with --unsafe-fixes)." if unsafe else ".")
    elif unsafe:
        text += f" {unsafe} fixable with --fix --unsafe-fixes."
    return paint(BOLD, text)


def format_full(report: Report, colour: bool = False, **_options) -> str:
    paint = _Paint(colour)
    lines: list[str] = []
    for finding in report.active:
        lines.append(_headline(finding, paint))
        lines.extend(_snippet(report, finding, paint))
        gutter = " " * len(str(finding.span.line))
        for related in finding.related:
            note = related.message or "see"
            lines.append(clean(f"{gutter} = note: {note} ({related.path}:{related.span.line}:{related.span.column})"
                               if not note.startswith("included from") else f"{gutter} = note: {note}"))
        if finding.help:
            lines.append(clean(f"{gutter} = help: {finding.help}"))
        lines.append("")
    if report.notifications:
        lines.extend(_notification(note, paint) for note in report.notifications)
        lines.append("")
    lines.append(_summary(report, paint))
    return "\n".join(lines) + "\n"


def format_concise(report: Report, colour: bool = False, **_options) -> str:
    paint = _Paint(colour)
    lines = [_headline(finding, paint) for finding in report.active]
    lines.extend(_notification(note, paint) for note in report.notifications)
    lines.append(_summary(report, paint))
    return "\n".join(lines) + "\n"
