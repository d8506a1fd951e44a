"""JUnit and Checkstyle XML: well-formed whatever the text, counts right, every character carried."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings, strategies as st

from format_cases import API, make_report
from nginxlint.formats import checkstyle, junit
from nginxlint.findings import Finding, Span


def junit_cases(report) -> tuple[ET.Element, list[ET.Element]]:
    root = ET.fromstring(junit.format_report(report).encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root
    return suite, list(suite)


def test_junit_one_suite_one_case_per_finding(report):
    suite, cases = junit_cases(report)
    assert suite.tag == "testsuite" and suite.get("name") == "nginxlint"
    names = [c.get("name") for c in cases]
    # + the error notification and the warning about a file left unlinted (a skipped case)
    assert len(names) == len(set(names)) == len(report.findings) + 2
    assert names[0] == "NGX001 conf/broken.conf:7:1"  # report order: by path, then position
    assert "nginxlint lua/bin.lua" in names
    outcomes = [c[0].tag if len(c) else "pass" for c in cases]
    assert outcomes.count("failure") == len(report.active) == int(suite.get("failures"))
    assert outcomes.count("skipped") == 2 == int(suite.get("skipped"))
    assert outcomes.count("error") == 1 == int(suite.get("errors"))
    assert int(suite.get("tests")) == len(cases)


def test_junit_failure_carries_message_position_and_related_places(report):
    _, cases = junit_cases(report)
    case = next(c for c in cases if c.get("name") == f"LUA202 {API}:12:9")
    failure = case.find("failure")
    assert failure.get("message") == report.active[2].message  # CR/LF survive attribute normalisation
    assert failure.get("type") == "LUA202 undeclared-shared-dict"
    assert case.get("file") == API and case.get("line") == "12" and case.get("classname") == API
    assert "conf/nginx.conf:20:5: included from here" in failure.text
    assert failure.text.splitlines()[-1] == "lua/cache.lua:3:1"
    skipped = next(c for c in cases if c.find("skipped") is not None)
    assert skipped.find("skipped").get("message") == "suppressed: pinned by the chart, 100% intended"
    error = next(c for c in cases if c.find("error") is not None)
    assert error.get("name") == "NGX001 conf/broken.conf:9:1"


def test_junit_names_stay_unique_for_two_findings_at_one_place():
    twins = [Finding("LUA202", "undeclared-shared-dict", "error", m, "a.conf", Span(1, 1, 1, 5)) for m in "ab"]
    _, cases = junit_cases(make_report(findings=twins, notifications=[]))
    assert [c.get("name") for c in cases] == ["LUA202 a.conf:1:1", "LUA202 a.conf:1:1 (2)"]


def test_junit_clean_run_is_one_passing_case(clean_report):
    suite, cases = junit_cases(clean_report)
    assert [(c.get("name"), len(c)) for c in cases] == [("nginxlint: 5 files checked", 0)]
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "0", "0")


def test_checkstyle_files_sorted_with_their_errors(report):
    root = ET.fromstring(checkstyle.format_report(report).encode("utf-8"))
    assert root.tag == "checkstyle" and root.get("version") == "4.3"
    names = [f.get("name") for f in root]
    assert names == sorted(names) == sorted({"conf/nginx.conf", API, "conf/broken.conf", "lua/x.lua", "lua/bin.lua"})
    errors = {f.get("name"): [dict(e.attrib) for e in f] for f in root}
    assert errors["conf/nginx.conf"] == [{
        "line": "1", "column": "1", "severity": "warning", "source": "nginxlint.CTR101",
        "message": "worker_processes auto: the node has 64 CPUs, the pod's limit is 2, so 62 workers idle"}]
    assert [e["source"] for e in errors["conf/broken.conf"]] == ["nginxlint.NGX001", "nginxlint.NGX001"]
    assert [e["line"] for e in errors["conf/broken.conf"]] == ["7", "9"]
    assert errors["lua/bin.lua"] == [{"line": "1", "severity": "warning", "source": "nginxlint",
                                      "message": "lua/bin.lua is not UTF-8, skipped"}]
    assert [e["severity"] for e in errors[API]] == ["error", "error", "info"]


def test_checkstyle_clean_run_has_no_files(clean_report):
    assert checkstyle.format_report(clean_report) == ('<?xml version="1.0" encoding="UTF-8"?>\n'
                                                      '<checkstyle version="4.3">\n</checkstyle>\n')


def expected_xml_text(text: str) -> str:
    """What an XML reader gets back: surrogates as U+FFFD, characters XML cannot hold shown as \\xNN."""
    out = []
    for char in text:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
            continue
        forbidden = (code < 0x20 and char not in "\t\n\r") or code in (0xFFFE, 0xFFFF)
        out.append("\\x%02x" % code if forbidden and code < 0x100 else "\\u%04x" % code if forbidden else char)
    return "".join(out)


@settings(max_examples=200, deadline=None)
@given(message=st.text(), path=st.text(alphabet=st.characters(blacklist_characters="/\\"), min_size=1))
def test_any_text_gives_well_formed_xml_and_reads_back(message, path):
    finding = Finding("NGX001", "syntax-error", "error", message, path, Span(2, 3, 2, 4))
    report = make_report(findings=[finding], notifications=[], sources={})
    _, (case,) = junit_cases(report)
    assert case.find("failure").get("message") == expected_xml_text(message)
    root = ET.fromstring(checkstyle.format_report(report).encode("utf-8"))
    (file,) = root
    assert file[0].get("message") == expected_xml_text(message)
    if path not in (".", ".."):
        assert file.get("name") == expected_xml_text(path)


def test_undecodable_bytes_become_replacement_characters():
    message = b"bad \xff byte".decode("utf-8", "surrogateescape")
    finding = Finding("NGX001", "syntax-error", "error", message, "a.conf", Span(1, 1, 1, 2))
    report = make_report(findings=[finding], notifications=[], sources={})
    _, (case,) = junit_cases(report)
    assert case.find("failure").get("message") == "bad \ufffd byte"
