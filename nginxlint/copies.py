"""Files whose text is another file's, word for word or nearly: what they share is reported once.

Repositories keep copies: a demo beside the deployed config, one vhost per image version, an install manifest
archived with each release's documentation, one nginx.conf per distribution release an installer supports. The
user changes the text once (or with one edit per copy); forty identical findings say nothing the first did not.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from .findings import Finding, Fix, Location, Notification
from .nginx.templates import rendered_name


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


def said_once_for_copies(findings: list[Finding], texts: dict[str, list[str]],
                         run_ranks: dict[str, int] | None = None) -> list[Finding]:
    """A finding that copies share (same rule and line, same words but for the directories of the files they name) is
    reported at the first of them: one a container runs (`run_ranks`: 0 a Compose service or manifest, 1 a Dockerfile
    alone), then one outside the directories kept aside (tests, examples, docs, a developer's setup), then the
    template, then the shallowest, then by path; it names the others as related places and its fix edits every copy.

    Copies are identical texts, or files of one name whose lines are nearly all the same (`install/debian/11/nginx/
    nginx.conf` and `install/ubuntu/18.04/nginx/nginx.conf`, a few lines apart; a template and the file rendered from
    it count as of one name). `texts`: each file's texts by
    display path: its own, and those of the nginx configs a YAML file embeds (each at its true lines, the rest
    blank), so two manifests that differ only in an image tag still hold the same config. A finding only one copy
    has (its context differs: another image, another root) stays where it is. Passing a copy alone shows the shared
    finding too, through its related place.
    """
    around = _Around(texts)
    identical: dict[tuple, list[Finding]] = {}
    for finding in findings:
        text = around.text(finding)
        if text is not None:
            body, blank = around.from_first_line(text)
            identical.setdefault((body, finding.span.line - blank, finding.span.end_line - blank,
                                  *_what_is_said(finding)), []).append(finding)
    ranks = run_ranks or {}
    findings = _merged(findings, identical.values(), ranks)
    similar: dict[tuple, list[Finding]] = {}
    for finding in findings:
        text = around.text(finding)
        if text is not None:
            line = around.lines(text)[finding.span.line - 1].strip()
            similar.setdefault((rendered_name(finding.path), line, *_what_is_said(finding)), []).append(finding)
    return _merged(findings, (cluster for same in similar.values() for cluster in around.clusters(same)), ranks)


def _is_template(path: str) -> bool:
    return rendered_name(path) != posixpath.basename(path)


def _merged(findings: list[Finding], groups, ranks: dict[str, int]) -> list[Finding]:
    merged: dict[int, Finding | None] = {}  # id of a finding -> what replaces it (None: said at the first copy)
    for same in groups:
        if len({f.path for f in same}) < 2:
            continue
        # the template a repository renders its copy from is where the fix goes
        # then the shallowest: a tree's copy is kept below the original (`cli/embed/runtime/` of `openresty/`)
        same = sorted(same, key=lambda f: (ranks.get(f.path, 2), bool(_ASIDE.search(f.path)),
                                           not _is_template(f.path), f.path.count("/"), f.path))
        kept = same[0]
        for copy in same[1:]:
            kept = _with_copy(kept, copy)
            merged[id(copy)] = None
        merged[id(same[0])] = kept
    return [merged.get(id(f), f) for f in findings if merged.get(id(f), f) is not None]


# A directory of copies kept aside from what is deployed (tests, examples, docs, a developer's or staging setup): a
# finding is placed at a copy outside them when there is one
_ASIDE = re.compile(r"(?:^|/)\.?(?:tests?|testing|spec|fixtures?|e2e|examples?|samples?|demos?|docs?|documentation|dev|"
                    r"development|local|staging|old|backup|archive)(?:[-_.][^/]*)?/", re.IGNORECASE)

# Nearly the same text: this share of their distinct lines in common, in files of this many distinct lines at least
# (in a short file the shared lines are the boilerplate: `events {}`, `http {`, `}`)
_NEAR = 0.8
_NEAR_LINES = 20


class _Around:
    """The text each finding sits in, its lines, and which texts are nearly the same; each computed once."""

    def __init__(self, texts: dict[str, list[str]]):
        self.texts = texts
        self._lines: dict[int, list[str]] = {}
        self._kept: dict[int, frozenset[str]] = {}
        self._bodies: dict[int, tuple[str, int]] = {}

    def lines(self, text: str) -> list[str]:
        split = self._lines.get(id(text))
        if split is None:
            split = self._lines[id(text)] = text.split("\n")
        return split

    def from_first_line(self, text: str) -> tuple[str, int]:
        """The text from its first line that holds something, and how many blank lines it starts with: the same
        ConfigMap entry further down another manifest is a copy. Made once per text (a key hashed once)."""
        found = self._bodies.get(id(text))
        if found is None:
            blank = len(text) - len(text.lstrip("\n"))
            found = self._bodies[id(text)] = (text[blank:] if blank else text, blank)
        return found

    def text(self, finding: Finding) -> str | None:
        """The smallest of the file's texts that holds the finding's line: an embedded config before its YAML."""
        holding = [text for text in self.texts.get(finding.path, ())
                   if finding.span.line <= len(lines := self.lines(text)) and lines[finding.span.line - 1].strip()]
        return min(holding, key=len, default=None)

    def clusters(self, same: list[Finding]) -> list[list[Finding]]:
        """The findings grouped by nearly the same text, each joining the first group whose first text is like its."""
        if len(same) < 2:
            return []
        groups: list[tuple[frozenset[str], list[Finding]]] = []
        for finding in sorted(same, key=lambda f: f.path):
            kept = self._distinct(self.text(finding))
            if len(kept) < _NEAR_LINES:
                continue
            for first, group in groups:
                if len(first & kept) >= _NEAR * max(len(first), len(kept)):
                    group.append(finding)
                    break
            else:
                groups.append((kept, [finding]))
        return [group for _, group in groups if len(group) > 1]

    def _distinct(self, text: str) -> frozenset[str]:
        found = self._kept.get(id(text))
        if found is None:
            found = self._kept[id(text)] = frozenset(line.strip() for line in self.lines(text) if line.strip())
        return found


def _what_is_said(finding: Finding) -> tuple:
    """What must match for two findings in copies to be one: everything but the path and the lines."""
    fix = finding.fix and (finding.fix.title, finding.fix.applicability)
    return (finding.code, finding.span.column, finding.span.end_column, _PLACE_DIRECTORY.sub("", finding.message),
            finding.severity, finding.suppression is None, fix)


# The directories of a place a message names (`(ngx.var.uri, embed/runtime/lua/http/job.lua:8)`): each copy names
# the file of its own tree, so two copies of a tree say the same with different directories
_PLACE_DIRECTORY = re.compile(r"(?<![\w./-])(?:[\w.-]+/)+(?=[\w.-]+:\d)")


def _with_copy(kept: Finding, copy: Finding) -> Finding:
    copies = {place for finding in (kept, copy) for place in finding.related if place.message == COPY}
    copies.add(Location(copy.path, copy.span, COPY))
    related = (*(place for place in kept.related if place.message != COPY),
               *sorted(copies, key=lambda place: (place.path, place.span)))
    fix = kept.fix and Fix(kept.fix.title, tuple(dict.fromkeys((*kept.fix.edits, *copy.fix.edits))),
                           kept.fix.applicability)
    return replace(kept, related=related, fix=fix)
