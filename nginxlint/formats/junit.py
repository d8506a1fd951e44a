"""JUnit XML: one test suite, one failing test case per finding, so CI test views list each problem.

Suppressed findings are skipped test cases; error notifications (a file that could not be analysed, an
internal error) are test cases in error, warning notifications tied to a file (test data that does not parse)
skipped ones. A run with none of these is one passing test case.
"""
from __future__ import annotations

from ..findings import Report
from .paths import relative_path
from .xml import xml_attr, xml_text

SUITE_NAME = "nginxlint"


def format_report(report: Report, **_options) -> str:
    cases = [_finding_case(report, finding) for finding in report.findings]
    cases += [_error_case(report, note) for note in report.notifications
              if note.level == "error" or (note.level == "warning" and note.path is not None)]
    if not cases:
        cases.append(_Case(name=f"nginxlint: {report.files_checked} files checked", classname=SUITE_NAME))
    _make_names_unique(cases)

    counts = {"failure": 0, "error": 0, "skipped": 0}
    for case in cases:
        if case.outcome in counts:
            counts[case.outcome] += 1
    totals = (f'tests="{len(cases)}" failures="{counts["failure"]}" errors="{counts["error"]}"'
              f' skipped="{counts["skipped"]}"')
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f"<testsuites name={xml_attr(SUITE_NAME)} {totals}>",
           f"  <testsuite name={xml_attr(SUITE_NAME)} {totals}>"]
    out += [case.render() for case in cases]
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"


class _Case:
    def __init__(self, name: str, classname: str, file: str | None = None, line: int | None = None,
                 outcome: str | None = None, message: str = "", kind: str = "", body: str = ""):
        self.name, self.classname, self.file, self.line = name, classname, file, line
        self.outcome, self.message, self.kind, self.body = outcome, message, kind, body

    def render(self) -> str:
        attrs = f"name={xml_attr(self.name)} classname={xml_attr(self.classname)}"
        if self.file is not None:
            attrs += f" file={xml_attr(self.file)}"
        if self.line is not None:
            attrs += f' line="{self.line}"'
        if self.outcome is None:
            return f"    <testcase {attrs}/>"
        if self.outcome == "skipped":
            child = f"<skipped message={xml_attr(self.message)}/>"
        else:
            child = (f"<{self.outcome} message={xml_attr(self.message)} type={xml_attr(self.kind)}>"
                     f"{xml_text(self.body)}</{self.outcome}>")
        return f"    <testcase {attrs}>\n      {child}\n    </testcase>"


def _finding_case(report: Report, finding) -> _Case:
    path = relative_path(finding.path, report.base_dir)
    span = finding.span
    where = f"{path}:{span.line}:{span.column}"
    if finding.suppression is not None:
        reason = finding.suppression.reason
        return _Case(name=f"{finding.code} {where}", classname=path, file=path, line=span.line,
                     outcome="skipped", message=f"suppressed: {reason}" if reason else "suppressed")
    body = [f"{where}: {finding.severity}: {finding.message} [{finding.code} {finding.name}]"]
    for related in finding.related:
        place = f"{relative_path(related.path, report.base_dir)}:{related.span.line}:{related.span.column}"
        body.append(f"{place}: {related.message}" if related.message else place)
    if finding.help:
        body.append(f"fix: {finding.help}")
    return _Case(name=f"{finding.code} {where}", classname=path, file=path, line=span.line, outcome="failure",
                 message=finding.message, kind=f"{finding.code} {finding.name}", body="\n".join(body))


def _error_case(report: Report, note) -> _Case:
    label = note.code or "nginxlint"
    if note.path is None:
        return _Case(name=label, classname=SUITE_NAME, outcome="error", message=note.message,
                     kind=label, body=note.message)
    path = relative_path(note.path, report.base_dir)
    where = f"{path}:{note.span.line}:{note.span.column}" if note.span else path
    line = note.span.line if note.span else None
    if note.level != "error":  # a file left unlinted (test data that does not parse): a skipped case, never a pass
        return _Case(name=f"{label} {where}", classname=path, file=path, line=line, outcome="skipped",
                     message=note.message)
    return _Case(name=f"{label} {where}", classname=path, file=path, line=line,
                 outcome="error", message=note.message, kind=label, body=f"{where}: {note.message}")


def _make_names_unique(cases: list[_Case]) -> None:
    """Two findings of one rule at one place (different messages) would share a name: number the later ones."""
    seen: dict[str, int] = {}
    for case in cases:
        count = seen.get(case.name, 0) + 1
        seen[case.name] = count
        if count > 1:
            case.name = f"{case.name} ({count})"
