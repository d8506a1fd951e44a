"""A parse failure or a crashed rule arrives as a finding and as a notification: line formats show it once,
SARIF keeps both (result and tool execution notification); a notification no finding tells is always shown."""
from __future__ import annotations

import json

import pytest

from format_cases import make_report
from nginxlint.formats import checkstyle, github, gitlab, junit, sarif
from nginxlint.findings import Finding, Notification, Span

PARSE_ERROR = Finding("NGX001", "syntax-error", "error", 'unexpected "}"', "conf/broken.conf", Span(5, 5, 5, 6))
SAME_FAILURE = Notification("error", 'conf/broken.conf could not be parsed: unexpected "}"', "conf/broken.conf",
                            Span(5, 5, 5, 6), "NGX001")
UNREADABLE = Notification("error", "conf/secret.conf: permission denied", "conf/secret.conf", None, "NGX008")


@pytest.mark.parametrize("module", [github, gitlab, junit, checkstyle], ids=lambda m: m.__name__.split(".")[-1])
def test_line_formats_show_a_failure_once(module):
    text = module.format_report(make_report(findings=[PARSE_ERROR], notifications=[SAME_FAILURE, UNREADABLE]))
    assert text.count("unexpected") == (2 if module is junit else 1)  # junit: the message and the body
    assert "could not be parsed" not in text
    assert "permission denied" in text


def test_sarif_keeps_the_result_and_the_notification():
    log = json.loads(sarif.format_report(make_report(findings=[PARSE_ERROR], notifications=[SAME_FAILURE])))
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["NGX001"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [SAME_FAILURE.message]
    assert run["invocations"][0]["executionSuccessful"] is False
