"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers: one run, every enabled rule, every finding.

The log is built with sarif-om's classes and written by `to_json` below (sarif-om has no serializer).
Suppressed findings stay in the log with an `inSource` suppression, as the spec intends.
"""
from __future__ import annotations

import json
import re

from ..catalog import RuleInfo, load_catalog
from ..findings import Finding, Notification, Report, Span
from ..text import clean
from .fingerprints import fingerprints
from .paths import artifact_uri

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/nginxlint/"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "nginxlint/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# GitHub's `problem.severity` vocabulary for non-security rules.
PROBLEM_SEVERITIES = {"error": "error", "warning": "warning", "info": "recommendation"}
# Properties written even when they equal sarif-om's default, so readers never have to know the default.
ALWAYS_WRITTEN = frozenset({"level"})
WHAT_IT_DOES = re.compile(r"^#+\s*What it does\s*\n+(.+?)(?:\n\s*\n|\Z)", re.M | re.S)


def format_report(report: Report, **_options) -> str:
    return clean(json.dumps(to_json(build_log(report)), indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


def build_log(report: Report):
    import sarif_om as om  # only the SARIF format needs the object model

    descriptors, rule_index = _rule_descriptors(report)
    fingerprint_of = fingerprints(report)
    results = [
        _result(om, report, finding, rule_index[finding.code], fingerprint)
        for finding, fingerprint in zip(report.findings, fingerprint_of)
    ]
    driver = om.ToolComponent(
        name="nginxlint",
        version=report.version,
        semantic_version=report.version,
        information_uri=INFORMATION_URI,
        rules=[_descriptor(om, info) for info in descriptors],
    )
    invocation = om.Invocation(
        execution_successful=not any(n.level == "error" for n in report.notifications),
        tool_execution_notifications=[_notification(om, report, n) for n in report.notifications] or None,
    )
    run = om.Run(
        tool=om.Tool(driver=driver),
        invocations=[invocation],
        results=results,
        column_kind="unicodeCodePoints",
        # Only a description: the checkout's absolute path is the consumer's business, never in the log.
        original_uri_base_ids={SRCROOT: {"description": {"text": "The root of the linted repository."}}},
    )
    return om.SarifLog(runs=[run], version="2.1.0", schema_uri=SCHEMA_URI)


def _rule_descriptors(report: Report) -> tuple[list, dict[str, int]]:
    """The enabled rules in code order, then any code a finding uses that is not among them (e.g. NL999)."""
    descriptors = list(report.rules.values())
    index = {info.code: i for i, info in enumerate(descriptors)}
    for finding in report.findings:
        if finding.code not in index:
            index[finding.code] = len(descriptors)
            descriptors.append(_fallback_rule(finding))
    return descriptors, index


def _fallback_rule(finding: Finding):
    try:
        known = load_catalog().get(finding.code)
    except (OSError, ValueError, KeyError):
        known = None
    return known or RuleInfo(
        code=finding.code,
        name=finding.name,
        severity=finding.severity,
        summary=finding.name.replace("-", " "),
        tags=(),
        precision="high",
        security_severity=None,
        doc="",
    )


def _descriptor(om, info):
    properties = {"tags": list(info.tags), "precision": info.precision,
                  "problem.severity": PROBLEM_SEVERITIES[info.severity]}
    if info.security_severity is not None:
        properties["security-severity"] = str(info.security_severity)
    doc = info.doc.strip() or info.summary
    return om.ReportingDescriptor(
        id=info.code,
        name=info.name,
        short_description=om.MultiformatMessageString(text=info.summary),
        full_description=om.MultiformatMessageString(text=_full_description(info)),
        help=om.MultiformatMessageString(text=doc, markdown=doc),
        default_configuration=om.ReportingConfiguration(level=LEVELS[info.severity]),
        properties=properties,
    )


def _full_description(info) -> str:
    """The first paragraph under "What it does", else the summary."""
    match = WHAT_IT_DOES.search(info.doc)
    return " ".join(match.group(1).split()) if match else info.summary


def _result(om, report: Report, finding: Finding, rule_index: int, fingerprint: str):
    related = [
        _location(om, report, loc.path, loc.span, message=loc.message or "Related location", id=number)
        for number, loc in enumerate(finding.related, start=1)
    ]
    suppressions = None
    if finding.suppression is not None:
        suppression = finding.suppression
        # The final 2.1.0 shape (kind + justification); sarif-om's `state` predates it and is left unset.
        suppressions = [om.Suppression(
            kind="inSource",
            justification=suppression.reason or None,
            location=_location(om, report, suppression.path, Span.point(suppression.line, 1), whole_line=True),
        )]
    return om.Result(
        rule_id=finding.code,
        rule_index=rule_index,
        level=LEVELS[finding.severity],
        message=om.Message(text=finding.message),
        locations=[_location(om, report, finding.path, finding.span)],
        related_locations=related or None,
        partial_fingerprints={FINGERPRINT_KEY: fingerprint},
        suppressions=suppressions,
        code_flows=_code_flows(om, report, finding),
        fixes=_fixes(om, report, finding),
    )


def _fixes(om, report: Report, finding: Finding):
    """The finding's fix as SARIF `fixes`: one artifactChange per file, its edits as replacements (an insertion is
    an empty deletedRegion); `applicability` says whether `--fix` applies it or only `--unsafe-fixes`."""
    fix = finding.fix
    if fix is None:
        return None
    changes: dict[str, list] = {}
    for edit in fix.edits:
        span = edit.span
        region = om.Region(start_line=span.line, start_column=span.column,
                           end_line=span.end_line, end_column=span.end_column)
        changes.setdefault(edit.path, []).append(
            om.Replacement(deleted_region=region, inserted_content=om.ArtifactContent(text=edit.text)))
    return [om.Fix(
        description=om.Message(text=fix.title),
        artifact_changes=[
            om.ArtifactChange(
                artifact_location=om.ArtifactLocation(uri=artifact_uri(path, report.base_dir), uri_base_id=SRCROOT),
                replacements=replacements,
            )
            for path, replacements in changes.items()
        ],
        properties={"applicability": fix.applicability},
    )]


def _code_flows(om, report: Report, finding: Finding):
    """A data flow (source to sink) as one thread flow, the way GitHub shows a path under an alert."""
    if not finding.flow:
        return None
    steps = [om.ThreadFlowLocation(location=_location(om, report, loc.path, loc.span, message=loc.message or None))
             for loc in finding.flow]
    return [om.CodeFlow(thread_flows=[om.ThreadFlow(locations=steps)])]


def _location(om, report: Report, path: str, span: Span | None, message: str | None = None,
              id: int | None = None, whole_line: bool = False):
    if span is None:
        region = None
    elif whole_line:
        region = om.Region(start_line=span.line)
    else:
        region = om.Region(start_line=span.line, start_column=span.column,
                           end_line=span.end_line, end_column=span.end_column)
    return om.Location(
        id=id if id is not None else -1,
        physical_location=om.PhysicalLocation(
            artifact_location=om.ArtifactLocation(uri=artifact_uri(path, report.base_dir), uri_base_id=SRCROOT),
            region=region,
        ),
        message=om.Message(text=message) if message else None,
    )


def _notification(om, report: Report, notification: Notification):
    locations = None
    if notification.path is not None:
        locations = [_location(om, report, notification.path, notification.span)]
    return om.Notification(
        level=notification.level,
        message=om.Message(text=notification.message),
        descriptor=om.ReportingDescriptorReference(id=notification.code) if notification.code else None,
        locations=locations,
    )


def to_json(value):
    """sarif-om objects as JSON data: each attribute under its schema name; None and defaults left out."""
    import attr  # only the SARIF format needs the object model

    if attr.has(type(value)):
        data = {}
        for field in attr.fields(type(value)):
            item = getattr(value, field.name)
            if item is None:
                continue
            name = field.metadata["schema_property_name"]
            if name not in ALWAYS_WRITTEN and field.default is not attr.NOTHING and item == _default(field):
                continue
            data[name] = to_json(item)
        return data
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value


def _default(field):
    import attr  # only the SARIF format needs the object model

    default = field.default
    return default.factory() if isinstance(default, attr.Factory) else default
