"""GitLab Code Quality: the fields GitLab requires, severities, fingerprints unique and stable."""
from __future__ import annotations

import dataclasses
import json

from format_cases import API, make_report, make_sources
from nginxlint.formats import gitlab, sarif
from nginxlint.findings import Span


def issues_of(report) -> list[dict]:
    return json.loads(gitlab.format_report(report))


def test_every_active_finding_is_an_issue_with_the_required_fields(report):
    issues = issues_of(report)
    notes = {n.message for n in report.notifications}
    finding_issues = [i for i in issues if i["description"] not in notes]
    assert len(finding_issues) == len(report.active)
    for issue, finding in zip(finding_issues, report.active):
        assert issue["check_name"] == finding.code
        assert finding.message in issue["description"] and issue["description"].startswith(finding.code)
        assert issue["location"] == {"path": finding.path,
                                     "lines": {"begin": finding.span.line, "end": finding.span.end_line}}
        assert issue["type"] == "issue"
    assert all(i["fingerprint"] for i in issues)
    assert "suppressed" not in gitlab.format_report(report)


def test_severities(report):
    by_code = {}
    for issue in issues_of(report):
        by_code.setdefault(issue["check_name"], set()).add(issue["severity"])
    assert by_code == {"CTR101": {"minor"}, "LUA202": {"major"}, "MET302": {"info"},
                       "NGX001": {"critical"}, "NL999": {"critical"}, "nginxlint": {"minor"}}


def test_error_notifications_with_a_file_are_issues(report):
    issue = next(i for i in issues_of(report) if i["location"]["path"] == "conf/broken.conf"
                 and i["description"].startswith("conf/broken.conf:"))
    assert issue["severity"] == "critical" and issue["check_name"] == "NGX001"
    assert issue["location"]["lines"] == {"begin": 9, "end": 9}
    # a file left unlinted shows as a minor issue; the path-less note is no code quality issue
    skipped = next(i for i in issues_of(report) if i["location"]["path"] == "lua/bin.lua")
    assert skipped["severity"] == "minor" and skipped["description"] == "lua/bin.lua is not UTF-8, skipped"
    assert {i["location"]["path"] for i in issues_of(report)} == {"conf/nginx.conf", API, "conf/broken.conf",
                                                                 "lua/x.lua", "lua/bin.lua"}


def test_fingerprints_are_unique_stable_and_agree_with_sarif(report):
    issues = issues_of(report)
    prints = [i["fingerprint"] for i in issues]
    assert len(set(prints)) == len(prints)
    moved = [dataclasses.replace(f, span=Span(f.span.line + 5, f.span.column, f.span.end_line + 5, f.span.end_column))
             for f in report.findings]
    assert [i["fingerprint"] for i in issues_of(make_report(findings=moved, sources=make_sources(5)))] == prints
    sarif_prints = {r["partialFingerprints"]["nginxlint/v1"]
                    for r in json.loads(sarif.format_report(report))["runs"][0]["results"]}
    assert set(prints[:len(report.active)]) <= sarif_prints


def test_output_is_deterministic_and_empty_is_an_empty_array(report, clean_report):
    assert gitlab.format_report(report) == gitlab.format_report(make_report())
    assert gitlab.format_report(clean_report) == "[]\n"
