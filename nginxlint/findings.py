"""The values every stage shares: spans, findings and the locations they point at."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


class Span(NamedTuple):
    """A region of a file: 1-based line and column; the end column is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int) -> "Span":
        return cls(line, column, line, column + 1)

    def cover(self, other: "Span") -> "Span":
        """The smallest span holding both."""
        start = min((self.line, self.column), (other.line, other.column))
        end = max((self.end_line, self.end_column), (other.end_line, other.end_column))
        return Span(start[0], start[1], end[0], end[1])



@dataclass(frozen=True)
class Location:
    """A place in a file, with why it matters to a finding (e.g. "included from here")."""

    path: str
    span: Span
    message: str = ""
    chain: bool = False  # an "included from" note: where the file was reached, not part of the problem


class Edit(NamedTuple):
    """Replace the text at `span` of the file `path` with `text`; an empty span (end == start) inserts.

    `path` is a display path, as `Finding.path` (relative to `Report.base_dir`). Positions are nginxlint's
    everywhere: 1-based lines and columns, the end exclusive, columns counted in characters of the line (an
    undecodable byte counts as one), "\\r\\n", "\\r" and "\\n" each one line break. `text` writes line breaks as
    "\\n": applying an edit turns them into the file's own. An editor speaking LSP converts to 0-based lines and
    UTF-16 columns itself.
    """

    path: str
    span: Span
    text: str

    @classmethod
    def insert(cls, path: str, line: int, column: int, text: str) -> "Edit":
        return cls(path, Span(line, column, line, column), text)


SAFE = "safe"  # keeps what the config means beyond the finding: applied by `--fix`
UNSAFE = "unsafe"  # changes behaviour beyond the finding (or may): only with `--unsafe-fixes`
APPLICABILITIES = (SAFE, UNSAFE)


@dataclass(frozen=True)
class Fix:
    """A change that makes a finding go away: `edits` applied together (possibly in several files, e.g. a
    declaration added to the root config for a finding in a Lua file), or not at all.

    Rules pass one as `report(..., fix=Fix(...))`; `nginxlint.fixes.apply_fixes` applies a list of them to file
    contents (`--fix`, `--diff`, an editor's code action). `title` says what it does in a few words, as a code
    action's label ("Set `worker_processes 2;`").
    """

    title: str
    edits: tuple[Edit, ...]
    applicability: str = SAFE

    def __post_init__(self):
        if self.applicability not in APPLICABILITIES:
            raise ValueError(f"unknown fix applicability {self.applicability!r}")

    @classmethod
    def of(cls, title: str, *edits: "Edit | None", applicability: str = SAFE) -> "Fix | None":
        """A fix of these edits, or None when one of them could not be made (the edit helpers of nginx/edits.py
        return None where a file's positions are not exact)."""
        if not edits or any(edit is None for edit in edits):
            return None
        return cls(title, tuple(edits), applicability)

    @property
    def safe(self) -> bool:
        return self.applicability == SAFE

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "applicability": self.applicability,
            "edits": [
                {"path": e.path, "line": e.span.line, "column": e.span.column, "end_line": e.span.end_line,
                 "end_column": e.span.end_column, "text": e.text}
                for e in self.edits
            ],
        }


@dataclass(frozen=True)
class Suppression:
    """An inline comment that silenced a finding; the finding is kept for SARIF."""

    path: str
    line: int
    reason: str


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: str
    message: str
    path: str
    span: Span
    related: tuple[Location, ...] = ()
    help: str | None = None  # what to write instead, in words or as the line to write (shown as "help:")
    suppression: Suppression | None = field(default=None, compare=False)
    flow: tuple[Location, ...] = ()  # a data flow, source first, ending where the finding is (SARIF codeFlows)
    fix: Fix | None = field(default=None, compare=False)  # the edits that make it go away, when a rule knows them

    @classmethod
    def of(cls, info, message: str, path: str, span: Span, *, severity: str | None = None, related=(),
           help: str | None = None, flow=(), fix: Fix | None = None) -> "Finding":
        """A finding of the rule `info` (a catalog.RuleInfo), at its default severity unless told otherwise."""
        return cls(info.code, info.name, severity or info.severity, message, path, span, tuple(related), help,
                   flow=tuple(flow), fix=fix)

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.span.line, self.span.column, self.code, self.message)

    def to_json(self) -> dict:
        """The JSON contract (README, "Output"): keys in a fixed order."""
        data = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "related": [
                {"path": r.path, "line": r.span.line, "column": r.span.column, "message": r.message}
                for r in self.related
            ],
        }
        if self.help:
            data["help"] = self.help
        if self.fix is not None:
            data["fix"] = self.fix.to_json()
        return data


@dataclass(frozen=True)
class Notification:
    """Something about the run itself: a file that could not be analysed, an internal error."""

    level: str  # "error" | "warning" | "note"
    message: str
    path: str | None = None
    span: Span | None = None
    code: str | None = None

    def to_json(self) -> dict:
        span = self.span
        return {"level": self.level, "code": self.code, "path": self.path,
                "line": span.line if span else None, "column": span.column if span else None,
                "message": self.message}


@dataclass
class Report:
    """Everything a formatter needs; formatters never decide, they only print this."""

    findings: list[Finding]  # sorted by Finding.sort_key; suppressed ones carry .suppression
    rules: dict  # code -> catalog.RuleInfo, the enabled rules, in code order
    notifications: list[Notification]
    base_dir: str  # absolute path the finding paths are relative to (the repository root)
    version: str
    files_checked: int = 0
    sources: dict = field(default_factory=dict)  # path -> SourceFile, for formatters that show source lines
    skipped: dict = field(default_factory=dict)  # path -> why it was not linted as an nginx config
    read: list = field(default_factory=list)  # the files read that the run reports on (the paths named, or all)
    texts: dict = field(default_factory=dict)  # path -> its texts (copies.py), to merge the reports of --jobs
    run_ranks: dict = field(default_factory=dict)  # path -> how surely a container runs it (copies.py), for --jobs

    def source_line(self, path: str, line: int) -> str:
        source = self.sources.get(path)
        return source.line(line) if source is not None else ""

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is None]

    @property
    def unlinted(self) -> list[Notification]:
        """Error and warning notifications tied to a file (one that could not be read, test data that does not
        parse): every format shows them, so that a file nginxlint could not lint never looks clean."""
        return [n for n in self.notifications if n.level in ("error", "warning") and n.path is not None]
