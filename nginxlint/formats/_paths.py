"""Helpers the CI formats share: repository-relative paths and URIs, stable fingerprints, XML escaping."""
from __future__ import annotations

import hashlib
import os
import posixpath
import re
from typing import Iterable
from urllib.parse import quote

from nginxlint.findings import Notification, Report

# RFC 3986 lets these through a path unencoded; everything else (spaces, %, #, ?, non-ASCII as UTF-8) is encoded.
_URI_PATH_SAFE = "/-._~!$&'()*+,;=:@"


def relative_path(path: str, base_dir: str) -> str:
    """The POSIX path of `path` relative to the repository root; finding paths normally already are."""
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path, base_dir)
        except ValueError:  # another drive on Windows: nothing relative exists
            return path.replace(os.sep, "/")
        if not rel.startswith(os.pardir):
            path = rel
    return posixpath.normpath(path.replace(os.sep, "/"))


def artifact_uri(path: str, base_dir: str) -> str:
    """A percent-encoded URI reference for SARIF: relative to the root when the file is inside it."""
    # Bytes of a name that were not UTF-8 are percent-encoded as the bytes they were.
    rel = relative_path(path, base_dir).encode("utf-8", "surrogateescape")
    if posixpath.isabs(rel):  # outside the repository: only a file URI can name it
        return "file://" + quote(rel, safe=_URI_PATH_SAFE)
    encoded = quote(rel, safe=_URI_PATH_SAFE)
    # A first segment holding ':' would read as a URI scheme; "./" keeps it a relative reference.
    if ":" in encoded.split("/", 1)[0]:
        encoded = "./" + encoded
    return encoded


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


_SURROGATES = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """Text any UTF-8 writer accepts: lone surrogates (bytes that were not UTF-8, kept by surrogateescape)
    become U+FFFD, as `model.clean` does, without failing on surrogates that did not come from a decoder."""
    return _SURROGATES.sub("\ufffd", text)


# Characters XML 1.0 cannot carry at all: C0 controls but tab/LF/CR, U+FFFE/U+FFFF (surrogates go first).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _visible(match: re.Match) -> str:
    return "\\x%02x" % ord(match.group()) if ord(match.group()) < 0x100 else "\\u%04x" % ord(match.group())


def xml_text(value: str) -> str:
    """Element content: undecodable bytes as U+FFFD, markup escaped, CR kept as a reference (parsers fold it), forbidden characters shown as \\xNN."""
    value = _XML_FORBIDDEN.sub(_visible, printable(value))
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def xml_attr(value: object) -> str:
    """A double-quoted attribute value; tab, LF and CR as references so attribute normalisation keeps them."""
    text = xml_text(str(value)).replace('"', "&quot;")
    return '"' + text.replace("\t", "&#9;").replace("\n", "&#10;") + '"'


def notifications_to_show(report: Report) -> list[Notification]:
    """The notifications a finding does not already tell: the engine reports a file nginx cannot parse, or a
    rule that crashed, both as a finding (NGX001, NL999) and as a notification; line formats show it once."""
    told = {(f.code, f.path, f.span.line) for f in report.findings}
    told_files = {(code, path) for code, path, _ in told}
    return [
        note for note in report.notifications
        if not (note.code and ((note.code, note.path, note.span.line) in told if note.span
                               else (note.code, note.path) in told_files))
    ]
