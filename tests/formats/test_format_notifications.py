"""A file that could not be analysed arrives once, as a finding (NGX001, NGX008); a notification says what
nginxlint could not do (a skipped manifest, a failure whose code is not selected). Every format shows both."""
from __future__ import annotations

import json

import pytest

from format_cases import make_report
from lintkit import run_cli, write_tree
from nginxlint.formats import checkstyle, github, gitlab, junit, sarif
from nginxlint.findings import Finding, Notification, Span

PARSE_ERROR = Finding("NGX001", "syntax-error", "error", 'unexpected "}"', "conf/broken.conf", Span(5, 5, 5, 6))
UNREADABLE = Notification("error", "permission denied (NGX008 is not selected)", "conf/secret.conf", None, "NGX008")


@pytest.mark.parametrize("module", [github, gitlab, junit, checkstyle], ids=lambda m: m.__name__.split(".")[-1])
def test_line_formats_show_findings_and_notifications(module):
    text = module.format_report(make_report(findings=[PARSE_ERROR], notifications=[UNREADABLE]))
    assert text.count("unexpected") == (2 if module is junit else 1)  # junit: the message and the body
    assert "permission denied" in text


def test_sarif_a_parse_error_is_a_result_and_the_run_succeeded():
    log = json.loads(sarif.format_report(make_report(findings=[PARSE_ERROR], notifications=[])))
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["NGX001"]
    assert "toolExecutionNotifications" not in run["invocations"][0]
    assert run["invocations"][0]["executionSuccessful"] is True


HELM_TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "chart.fullname" . }}
spec:
  template:
    spec:
      containers:
        - name: nginx
          image: "openresty/openresty:{{ .Values.tag }}"
"""


@pytest.mark.parametrize("name", ["full", "concise", "json", "sarif", "github"])
def test_an_unrendered_helm_template_is_a_notification_in_every_format(tmp_path, name):
    write_tree(tmp_path, {"nginx.conf": "events {}\nhttp { server { listen 8080; } }\n",
                          "chart/templates/deployment.yaml": HELM_TEMPLATE})
    result = run_cli(["nginx.conf", "chart/templates/deployment.yaml", "--format", name, "--base-dir", str(tmp_path)],
                     cwd=tmp_path)
    assert result.status in (0, 1), result.err
    out = result.out
    assert "not read: unrendered template" in out
    if name == "json":
        (note,) = json.loads(out)["notifications"]
        assert (note["level"], note["path"]) == ("warning", "chart/templates/deployment.yaml")
    elif name == "sarif":
        (note,) = json.loads(out)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        assert note["level"] == "warning"
        assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "chart/templates/deployment.yaml"
    elif name == "github":
        assert "::warning file=chart/templates/deployment.yaml" in out
    else:
        assert "chart/templates/deployment.yaml: warning: not read: unrendered template" in out
