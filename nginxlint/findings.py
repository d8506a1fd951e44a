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
    fix: str | None = None
    suppression: Suppression | None = field(default=None, compare=False)
    flow: tuple[Location, ...] = ()  # a data flow, source first, ending where the finding is (SARIF codeFlows)

    @classmethod
    def of(cls, info, message: str, path: str, span: Span, *, severity: str | None = None, related=(),
           fix: str | None = None, flow=()) -> "Finding":
        """A finding of the rule `info` (a catalog.RuleInfo), at its default severity unless told otherwise."""
        return cls(info.code, info.name, severity or info.severity, message, path, span, tuple(related), fix,
                   flow=tuple(flow))

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
        if self.fix:
            data["fix"] = self.fix
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

    def source_line(self, path: str, line: int) -> str:
        source = self.sources.get(path)
        return source.line(line) if source is not None else ""

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is None]
