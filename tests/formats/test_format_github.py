"""GitHub Actions workflow commands, escaped as @actions/core does and read back as the runner reads them."""
from __future__ import annotations

import dataclasses

from hypothesis import given, settings, strategies as st

from format_cases import API, make_report
from nginxlint.formats import github
from nginxlint.formats.paths import relative_path
from nginxlint.findings import Finding, Span


def unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def parse_command(line: str) -> tuple[str, dict, str]:
    """The runner's reading of `::name k=v,k=v::message` (ActionCommand.TryParseV2)."""
    assert line.startswith("::")
    head, message = line[2:].split("::", 1)
    name, _, props = head.partition(" ")
    properties = dict(pair.split("=", 1) for pair in props.split(",")) if props else {}
    return name, {k: unescape(v) for k, v in properties.items()}, unescape(message)


def test_each_active_finding_is_one_annotation(report):
    lines = github.format_report(report).splitlines()
    findings = [parse_command(line) for line in lines if "title=nginxlint" not in line]
    assert len(findings) == len(report.active) == 6
    assert [name for name, _, _ in findings] == [
        {"error": "error", "warning": "warning", "info": "notice"}[f.severity] for f in report.active]
    assert "suppressed" not in github.format_report(report)


def test_multi_line_span_has_no_columns_and_escapes_the_message(report):
    text = github.format_report(report)
    assert ("::error file=conf/vhosts/api gateway ü.conf,line=12,endLine=15,title=LUA202 undeclared-shared-dict::"
            'ngx.shared.cache is used but no "lua_shared_dict cache" is declared%0D%0Ain the http block, 100%25\n'
            in text)


def test_one_line_span_gets_inclusive_columns_and_escaped_properties(report):
    text = github.format_report(report)
    assert ("::warning file=conf/nginx.conf,line=1,endLine=1,col=1,endColumn=22,title=CTR101 worker-processes-auto::"
            "worker_processes auto: the node has 64 CPUs, the pod's limit is 2, so 62 workers idle\n" in text)
    finding = Finding("NGX001", "syntax-error", "error", "x", "a:b,c%d.conf", Span(3, 4, 3, 5))
    (line,) = github.format_report(make_report(findings=[finding], notifications=[])).splitlines()
    assert line == "::error file=a%3Ab%2Cc%25d.conf,line=3,endLine=3,col=4,endColumn=4,title=NGX001 syntax-error::x"


def test_notifications_are_annotations_too(report):
    commands = [parse_command(line) for line in github.format_report(report).splitlines()]
    notes = [c for c in commands if c[1]["title"].startswith("nginxlint")]
    assert [(name, props.get("file"), props.get("line")) for name, props, _ in notes] == [
        ("error", "conf/broken.conf", "9"), ("warning", "lua/bin.lua", None), ("notice", None, None)]
    assert notes[0][1]["title"] == "nginxlint NGX001"


def test_clean_report_prints_nothing(clean_report):
    assert github.format_report(clean_report) == ""


@settings(max_examples=200, deadline=None)
@given(message=st.text(), path=st.text(min_size=1).filter(lambda p: not p.startswith("/")))
def test_any_text_reads_back_unchanged(message, path):
    finding = Finding("LUA202", "undeclared-shared-dict", "error", message, path, Span(1, 1, 1, 2))
    text = github.format_report(make_report(findings=[finding], notifications=[], sources={}))
    assert text.endswith("\n") and text.count("\n") == 1
    name, properties, read = parse_command(text[:-1])
    assert (name, read) == ("error", message)
    assert properties["file"] == relative_path(path, "/root")
    assert properties["title"] == "LUA202 undeclared-shared-dict"


def test_paths_are_reported_relative_to_the_root(report):
    moved = [dataclasses.replace(f, path=report.base_dir + "/" + f.path) for f in report.findings]
    text = github.format_report(make_report(findings=moved))
    assert report.base_dir not in text and f"file={API}," in text
