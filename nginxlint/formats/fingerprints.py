"""Stable fingerprints for CI formats: a finding keeps its fingerprint when lines above it move."""
from __future__ import annotations

import hashlib
from typing import Iterable

from ..findings import Report


def fingerprints(report: Report) -> list[str]:
    """One fingerprint per finding of the report, in order: stable when lines above it move, distinct.

    The hash covers the rule code, the path, the whitespace-trimmed text of the finding's first line and
    the finding's rank among findings with the same three (in report order), like GitHub's own
    primaryLocationLineHash. When the source text is not in the report (or the line is blank), the message
    stands in for it. A finding keeps its fingerprint when lines are added or removed elsewhere; it changes
    when its own line is edited or when an identical finding appears before it in the same file.
    Suppressed findings count too, so that suppressing one does not renumber the others.
    """
    keys = []
    for finding in report.findings:
        text = " ".join(report.source_line(finding.path, finding.span.line).split())
        anchor = "line:" + text if text else "message:" + finding.message
        keys.append((finding.code, finding.path, anchor))
    return occurrence_fingerprints(keys)


def occurrence_fingerprints(keys: Iterable[tuple[str, ...]]) -> list[str]:
    """sha256 of each key plus how many equal keys came before it: equal keys still get distinct prints."""
    seen: dict[tuple[str, ...], int] = {}
    result = []
    for key in keys:
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        digest = hashlib.sha256("\0".join((*key, str(occurrence))).encode("utf-8", "surrogatepass"))
        result.append(digest.hexdigest()[:32])
    return result
