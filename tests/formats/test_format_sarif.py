"""SARIF: valid against the OASIS schema, what GitHub code scanning needs, stable and byte-identical."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

from format_cases import API, make_findings, make_report, make_sources
from nginxlint.formats import sarif
from nginxlint.text import clean
from nginxlint.findings import Span

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


def schema_errors(log: dict) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]


def render(report) -> dict:
    return json.loads(sarif.format_report(report))


def test_vendored_schema_is_the_unmodified_oasis_file():
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_log_validates_against_the_oasis_schema(report, clean_report):
    assert schema_errors(render(report)) == []
    assert schema_errors(render(clean_report)) == []


def test_schema_check_is_not_vacuous(report):
    log = render(report)
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(schema_errors(log)) == 2


def test_one_run_with_the_tool_and_every_enabled_rule(report):
    log = render(report)
    assert log["$schema"] == sarif.SCHEMA_URI and log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == ("nginxlint", "0.1.0", "0.1.0")
    assert driver["informationUri"].startswith("https://")
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids[:len(report.rules)] == list(report.rules)
    assert run["columnKind"] == "unicodeCodePoints"

    by_id = {rule["id"]: rule for rule in driver["rules"]}
    lua = by_id["LUA202"]
    info = report.rules["LUA202"]
    assert lua["name"] == "undeclared-shared-dict"
    assert lua["shortDescription"]["text"] == info.summary
    assert lua["fullDescription"]["text"].startswith("Checks that every `ngx.shared.NAME`")
    assert lua["help"]["markdown"] == info.doc.strip() == lua["help"]["text"]
    assert lua["defaultConfiguration"]["level"] == "error"
    assert lua["properties"] == {"tags": ["lua", "openresty"], "precision": "high", "problem.severity": "error"}
    assert by_id["CTR101"]["defaultConfiguration"]["level"] == "warning"
    metrics = by_id["MET302"]
    assert metrics["defaultConfiguration"]["level"] == "note"
    assert metrics["properties"]["security-severity"] == "5.3"
    assert metrics["properties"]["problem.severity"] == "recommendation"


def test_a_code_outside_the_enabled_rules_still_gets_a_descriptor(report):
    log = render(report)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    internal = [r for r in log["runs"][0]["results"] if r["ruleId"] == "NL999"]
    assert len(internal) == 1 and rules[internal[0]["ruleIndex"]]["id"] == "NL999"


def test_every_result_is_complete_and_points_at_its_rule(report):
    log = render(report)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(report.findings)
    for result, finding in zip(run["results"], report.findings):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.code
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[finding.severity]
        assert result["message"]["text"] == finding.message
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = physical["region"]
        assert tuple(region[k] for k in ("startLine", "startColumn", "endLine", "endColumn")) == tuple(finding.span)


def test_uris_are_relative_and_percent_encoded_and_no_machine_path_leaks(report):
    text = sarif.format_report(report)
    log = json.loads(text)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert "conf/vhosts/api%20gateway%20%C3%BC.conf" in uris
    assert all(not uri.startswith("/") and "://" not in uri for uri in uris)
    assert report.base_dir not in text and "/home/" not in text and "file:" not in text
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"] == {
        "description": {"text": "The root of the linted repository."}}


def test_absolute_paths_inside_the_root_become_relative():
    findings = [dataclasses.replace(f, path="/home/ci/work/my repo/" + f.path) for f in make_findings()]
    log = render(make_report(findings=findings))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert "conf/vhosts/api%20gateway%20%C3%BC.conf" in uris and not any(u.startswith("/") for u in uris)


def test_related_locations_have_ids_and_messages(report):
    result = next(r for r in render(report)["runs"][0]["results"] if "relatedLocations" in r)
    related = result["relatedLocations"]
    assert [r["id"] for r in related] == [1, 2]
    assert related[0]["message"]["text"] == "included from here"
    assert related[0]["physicalLocation"]["region"] == {"startLine": 20, "startColumn": 5, "endLine": 20,
                                                       "endColumn": 35}
    assert related[1]["message"]["text"]  # GitHub shows related locations by their message: never empty
    assert related[1]["physicalLocation"]["artifactLocation"]["uri"] == "lua/cache.lua"


def test_suppressed_findings_stay_with_an_in_source_suppression(report):
    results = render(report)["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert len(suppressed) == 1
    (suppression,) = suppressed[0]["suppressions"]
    assert suppression["kind"] == "inSource"
    assert suppression["justification"] == "pinned by the chart, 100% intended"
    assert "state" not in suppression and "status" not in suppression
    assert suppression["location"]["physicalLocation"]["region"] == {"startLine": 2}


def fingerprint_by_position(report) -> dict:
    results = render(report)["runs"][0]["results"]
    return {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]):
            r["partialFingerprints"]["nginxlint/v1"] for r in results}


def shifted(findings, lines: int):
    return [dataclasses.replace(f, span=Span(f.span.line + lines, f.span.column, f.span.end_line + lines,
                                             f.span.end_column)) for f in findings]


def test_fingerprints_are_unique_and_survive_lines_moving(report):
    before = fingerprint_by_position(report)
    assert len(set(before.values())) == len(before)  # the two LUA202 lines read the same once trimmed
    after = fingerprint_by_position(make_report(findings=shifted(report.findings, 7), sources=make_sources(7)))
    assert {(code, line + 7): fp for (code, line), fp in before.items()} == after


def test_fingerprint_follows_the_source_line_not_the_wording(report):
    before = fingerprint_by_position(report)
    reworded = [dataclasses.replace(f, message=f.message + "!") for f in report.findings]
    after = fingerprint_by_position(make_report(findings=reworded))
    # Where the line's text is known, the message does not matter; where it is not, it stands in.
    assert {k for k in before if before[k] != after[k]} == {("NGX001", 7), ("NL999", 1)}
    edited = fingerprint_by_position(make_report(sources=make_sources(edits={(API, 40): "location /stats {"})))
    assert {k for k in before if before[k] != edited[k]} == {("MET302", 40)}


def test_fingerprint_without_any_source_text_uses_the_message(report):
    before = fingerprint_by_position(make_report(sources={}))
    assert len(set(before.values())) == len(before)
    after = fingerprint_by_position(make_report(findings=shifted(report.findings, 3), sources={}))
    assert {(code, line + 3): fp for (code, line), fp in before.items()} == after


def test_invocation_reports_notifications_and_failure(report, clean_report):
    (invocation,) = render(report)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error", "warning", "note"]
    assert notes[0]["descriptor"] == {"id": "NGX001"}
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "conf/broken.conf"
    assert "descriptor" not in notes[2] and "locations" not in notes[2]
    (clean,) = render(clean_report)["runs"][0]["invocations"]
    assert clean == {"executionSuccessful": True}
    warning_only = make_report(notifications=report.notifications[1:])
    assert render(warning_only)["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_output_is_byte_identical_sorted_and_ends_with_a_newline(report):
    first = sarif.format_report(report)
    assert first == sarif.format_report(make_report())
    assert first.endswith("}\n")
    assert first == json.dumps(json.loads(first), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert "Time" not in first  # no startTimeUtc/endTimeUtc


def test_sarif_om_is_imported_only_when_the_format_is_used():
    code = ("import sys, nginxlint.formats.sarif as s; assert 'sarif_om' not in sys.modules;"
            "from format_cases import make_report; s.format_report(make_report()); assert 'sarif_om' in sys.modules")
    env_path = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]
    subprocess.run([sys.executable, "-c", f"import sys; sys.path[:0] = {env_path!r}; {code}"], check=True)


def test_messages_keep_every_character(report):
    results = render(report)["runs"][0]["results"]
    texts = {r["message"]["text"] for r in results}
    assert 'ngx.shared.cache is used but no "lua_shared_dict cache" is declared\r\nin the http block, 100%' in texts
    assert 'location /metrics: no allow/deny, <open> & "public"' in texts


@settings(max_examples=100, deadline=None)
@given(message=st.text(min_size=1), path=st.text(min_size=1).filter(lambda p: p.strip("/.") != ""))
def test_any_message_and_path_give_a_valid_log(message, path):
    finding = dataclasses.replace(make_findings()[0], message=message, path=path)
    text = sarif.format_report(make_report(findings=[finding], sources={}))
    text.encode("utf-8")  # always writable
    log = json.loads(text)
    assert schema_errors(log) == []
    (result,) = log["runs"][0]["results"]
    assert result["message"]["text"] == clean(message)
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert all(c.isascii() and c.isprintable() and c not in " #?[]" for c in uri)


def test_a_taint_finding_carries_its_path_as_a_code_flow(tmp_path):
    from lintkit import run_cli, write_tree

    write_tree(tmp_path, {"conf/nginx.conf": (
        "events {}\nhttp {\n    server {\n        listen 8080;\n        location /run {\n"
        "            content_by_lua_block {\n"
        "                local args = ngx.req.get_uri_args()\n"
        "                local cmd = \"echo \" .. args.x\n"
        "                io.popen(cmd)\n"
        "            }\n        }\n    }\n}\n")})
    result = run_cli([".", "--format", "sarif", "--select", "SEC561", "--base-dir", str(tmp_path)], cwd=tmp_path)
    log = json.loads(result.out)
    assert schema_errors(log) == []
    (finding,) = log["runs"][0]["results"]
    steps = finding["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps] == [7, 8, 9]
    assert steps[0]["location"]["message"]["text"] == "the `x` query argument is read here"
    assert steps[-1]["location"]["message"]["text"] == "reaches io.popen"
    assert steps[-1]["location"]["physicalLocation"]["region"] == finding["locations"][0]["physicalLocation"]["region"]
