"""Applying fixes (findings.Fix) to file contents: one round of non-overlapping fixes.

    from nginxlint.fixes import apply_fixes
    done = apply_fixes({"conf/nginx.conf": text}, [f.fix for f in report.active if f.fix])
    done.contents   # path -> new text, for the files that changed
    done.applied    # the fixes taken; done.skipped: those left for the next round

Contents are the files' text as read (`read_text` below), whatever their line endings: positions count "\\r\\n",
"\\r" and "\\n" as one line break each, as the linter does, and a "\\n" in an edit's text becomes the file's own line
ending. Nothing is reformatted: only the spans the edits name change.

A fix is taken whole or not at all. Fixes are taken in the order of their first edit; one whose edits overlap an
edit already taken (or each other), repeats one of them exactly, or names a file not in `contents`, is skipped. A fix with the same edits
as one taken counts as applied (two findings may share a declaration to add). The caller lints the new contents
again and applies what is left, a few rounds at most, as `--fix` does: the findings of the next round have spans
that fit the new text.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from .findings import Edit, Fix

_BREAK = re.compile(r"\r\n|\r|\n")
MAX_ROUNDS = 5  # `--fix` stops after this many rounds even if fixes remain (ruff stops after 100 on a loop)


@dataclass
class FixRound:
    contents: dict[str, str] = field(default_factory=dict)  # path -> new text, the files changed only
    applied: list[Fix] = field(default_factory=list)
    skipped: list[Fix] = field(default_factory=list)


class _Positions:
    """(line, column) to offsets in a text with any line endings."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in _BREAK.finditer(text)]
        found = _BREAK.search(text)
        self.newline = found.group() if found else "\n"

    def offset(self, line: int, column: int) -> int:
        if line > len(self.starts):
            return len(self.text)
        start = self.starts[max(line, 1) - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        body_end = end - len(_line_break(self.text, start, end))
        return min(start + max(column, 1) - 1, body_end)


def _line_break(text: str, start: int, end: int) -> str:
    line = text[start:end]
    return "\r\n" if line.endswith("\r\n") else line[-1:] if line[-1:] in ("\r", "\n") else ""


def _offsets(positions: _Positions, edit: Edit) -> tuple[int, int]:
    span = edit.span
    start = positions.offset(span.line, span.column)
    return start, max(start, positions.offset(span.end_line, span.end_column))


def apply_fixes(contents: Mapping[str, str], fixes: Iterable[Fix]) -> FixRound:
    """One round: the fixes that do not overlap, applied to `contents` (path -> text); see the module docstring."""
    positions: dict[str, _Positions] = {}
    taken: dict[str, list[tuple[int, int, str]]] = {}  # path -> (start, end, text), sorted by start
    done = FixRound()
    seen: set[tuple[Edit, ...]] = set()

    def located(fix: Fix):
        spans = []
        if not fix.edits:
            return None
        for edit in fix.edits:
            if edit.path not in contents:
                return None
            where = positions.get(edit.path) or positions.setdefault(edit.path, _Positions(contents[edit.path]))
            spans.append((edit.path, *_offsets(where, edit), edit.text))
        return spans

    ordered = [(located(fix), fix) for fix in fixes]
    ordered.sort(key=lambda item: (item[0] is None, item[0] and (item[0][0][0], item[0][0][1])))
    for spans, fix in ordered:
        if fix.edits in seen:
            done.applied.append(fix)
            continue
        if not spans or _conflicts(spans, taken):
            done.skipped.append(fix)
            continue
        seen.add(fix.edits)
        for path, start, end, text in spans:
            _insert_sorted(taken.setdefault(path, []), (start, end, text))
        done.applied.append(fix)
    for path, edits in taken.items():
        text, newline = contents[path], positions[path].newline
        pieces, last = [], 0
        for start, end, replacement in edits:
            pieces += [text[last:start], replacement.replace("\n", newline) if newline != "\n" else replacement]
            last = end
        pieces.append(text[last:])
        changed = "".join(pieces)
        if changed != text:
            done.contents[path] = changed
    return done


def _conflicts(spans, taken) -> bool:
    """Whether any of a fix's edits overlaps another of its own or one already taken. Edits that only touch do not
    overlap, and insertions at one place all apply (in the order of their text), so that several declarations
    added after the same line land in one round."""
    mine: dict[str, list[tuple[int, int, str]]] = {}
    for path, start, end, text in spans:
        for edits in (taken.get(path, ()), mine.get(path, ())):
            for other_start, other_end, other_text in edits:
                if (other_start, other_end, other_text) == (start, end, text):
                    return True  # the same text twice at one place: the next round tells whether it is still due
                if other_start >= end and not (other_start == end == start):
                    if other_start > end:
                        break
                    continue
                if max(start, other_start) < min(end, other_end):
                    return True  # both replace some of the same characters
                if other_start < start < other_end or start < other_start < end:
                    return True  # an insertion inside a replacement
        _insert_sorted(mine.setdefault(path, []), (start, end, text))
    return False


def _insert_sorted(edits: list, item: tuple) -> None:
    edits.insert(bisect_right(edits, (item[0], item[1], item[2])), item)


def read_text(path: Path) -> str:
    """A file's text as it is on disk (line endings kept, undecodable bytes kept as they are), for apply_fixes."""
    return path.read_bytes().decode("utf-8", errors="surrogateescape")


def write_text(path: Path, text: str) -> None:
    """Write back what read_text read, byte for byte where nothing changed."""
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
