"""Files whose text is another file's, word for word: what they share is reported once.

Repositories keep copies: a demo beside the deployed config, one vhost per image version, an install manifest
archived with each release's documentation. The user changes the text once (or with one edit per copy); forty
identical findings say nothing the first did not.
"""
from __future__ import annotations

from dataclasses import replace

from .findings import Finding, Fix, Location, Notification


def said_at_originals(findings: list[Finding], notifications: list[Notification], sources: dict,
                      fixtures, included: set[str]) -> list[Finding]:
    """A file in a fixture directory (an example, a demo) that no config includes and whose text is a deployed
    file's, word for word, is that file's copy: its findings are reported once, at the original, and the copy gets
    a note naming it."""
    originals: dict[str, str] = {}
    for path, source in sources.items():
        if source.text.strip() and not fixtures.holds(path):
            originals.setdefault(source.text, path)
    copies = {path: originals[source.text] for path, source in sources.items()
              if source.text in originals and originals[source.text] != path and path not in included
              and fixtures.holds(path)}
    if not copies:
        return findings
    kept = [f for f in findings if f.path not in copies]
    for path in sorted({f.path for f in findings if f.path in copies}):
        notifications.append(Notification("note", f"the same text as {copies[path]}: its findings are reported "
                                          "there", path))
    return kept


COPY = "the same in this copy"


def said_once_for_copies(findings: list[Finding], texts: dict[str, list[str]]) -> list[Finding]:
    """A finding that identical texts share (same rule, place and words) is reported at the first of them by path,
    and names the others as related places; its fix edits every copy.

    `texts`: each file's texts by display path: its own, and those of the nginx configs a YAML file embeds (each
    at its true lines, the rest blank), so two manifests that differ only in an image tag still hold the same
    config. A finding only one copy has (its context differs: another image, another root) stays where it is.
    Passing a copy alone shows the shared finding too, through its related place.
    """
    lines: dict[int, list[str]] = {}
    shared: dict[tuple, list[Finding]] = {}
    for finding in findings:
        text = _text_around(finding, texts.get(finding.path, ()), lines)
        if text is not None:
            # from the text's first line on: the same ConfigMap entry further down another manifest is a copy
            blank = len(text) - len(text.lstrip("\n"))
            shared.setdefault((text[blank:], finding.span.line - blank, finding.span.end_line - blank,
                               *_what_is_said(finding)), []).append(finding)
    merged: dict[int, Finding | None] = {}  # id of a finding -> what replaces it (None: said at the first copy)
    for same in shared.values():
        if len({f.path for f in same}) < 2:
            continue
        same.sort(key=lambda f: f.path)
        kept = same[0]
        for copy in same[1:]:
            kept = _with_copy(kept, copy)
            merged[id(copy)] = None
        merged[id(same[0])] = kept
    return [merged.get(id(f), f) for f in findings if merged.get(id(f), f) is not None]


def _text_around(finding: Finding, texts, lines: dict[int, list[str]]) -> str | None:
    """The smallest of the file's texts that holds the finding's line: an embedded config before its YAML file."""
    holding = []
    for text in texts:
        split = lines.get(id(text))
        if split is None:
            split = lines[id(text)] = text.split("\n")
        if finding.span.line <= len(split) and split[finding.span.line - 1].strip():
            holding.append(text)
    return min(holding, key=len, default=None)


def _what_is_said(finding: Finding) -> tuple:
    """What must match for two findings in copies to be one: everything but the path and the lines."""
    fix = finding.fix and (finding.fix.title, finding.fix.applicability)
    return (finding.code, finding.span.column, finding.span.end_column, finding.message, finding.severity, finding.suppression is None, fix)


def _with_copy(kept: Finding, copy: Finding) -> Finding:
    copies = {place for finding in (kept, copy) for place in finding.related if place.message == COPY}
    copies.add(Location(copy.path, copy.span, COPY))
    related = (*(place for place in kept.related if place.message != COPY),
               *sorted(copies, key=lambda place: (place.path, place.span)))
    fix = kept.fix and Fix(kept.fix.title, tuple(dict.fromkeys((*kept.fix.edits, *copy.fix.edits))),
                           kept.fix.applicability)
    return replace(kept, related=related, fix=fix)
