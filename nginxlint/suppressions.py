"""Inline suppressions, one grammar in nginx (`#`), Lua (`--`) and YAML (`#`) comments:

    # nginxlint: ignore[LUA202,CTR105] reason     this line, or the next line with code when alone on its line
    # nginxlint: disable[CTR105] reason           from here to enable[...] or the end of the enclosing block
    # nginxlint: enable[CTR105]
    # nginxlint: skip-file

Suppressed findings are kept (marked) so that SARIF can show them as dismissed. NGX001, NGX008 and NL999 (a file
not analysed, a rule that crashed) cannot be suppressed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .catalog import load_catalog
from .findings import Finding, Span, Suppression
from .nginx.parser import walk_directives
from .settings import SettingsError

MARKER = "nginxlint:"
COMMENT = re.compile(r"(?:#|--)[ \t]*nginxlint:(?P<body>[^\n]*)")
DIRECTIVE = re.compile(r"\s*(?P<verb>ignore|disable|enable)\[(?P<codes>[^\]]*)\]\s*(?P<reason>.*)$|\s*(?P<skip>skip-file)\b\s*(?P<why>.*)$")
UNSUPPRESSIBLE = frozenset({"NGX001", "NGX008", "NL999"})  # a run that did not analyse everything is never clean
END = 10**9


@dataclass
class Entry:
    verb: str  # ignore | disable | skip-file
    codes: tuple[str, ...]
    reason: str
    span: Span
    first: int  # lines it covers, inclusive
    last: int
    used: set = field(default_factory=set)


def _own_line(text_line: str, column: int) -> bool:
    return not text_line[: column - 1].strip()


def _next_code_line(lines: list[str], after: int) -> int:
    """The next line that is neither blank nor a comment (nginx `#`, Lua `--`)."""
    for number in range(after + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith(("#", "--")):
            return number
    return after


def _block_end(block_ranges: list[tuple[int, int]], line: int) -> int:
    """The last line of the innermost block holding `line` (end of file outside any block)."""
    best = None
    for start, end in block_ranges:
        if start <= line <= end and (best is None or end - start < best[1] - best[0]):
            best = (start, end)
    return best[1] if best else END


def block_ranges(directives) -> list[tuple[int, int]]:
    """(first, last) line of every block: a disable[...] ends with the block that holds it."""
    return [(d.end.line, d.block_end.line) for d in walk_directives(directives)
            if d.block is not None and d.end and d.block_end]


def parse_entries(text: str, comments, ranges, resolve, problems: list):
    """Suppression entries of one file. `comments` is [(span, text)]; `resolve` maps a selector to codes."""
    lines = text.split("\n")
    entries: list[Entry] = []
    open_ranges: dict[str, Entry] = {}
    for span, comment in comments:
        match = COMMENT.match(comment)
        if not match:
            continue
        body = match.group("body")
        parsed = DIRECTIVE.match(body)
        if not parsed:
            problems.append((span, f'malformed suppression "{comment.strip()}": expected ignore[CODE,...], '
                                   "disable[CODE,...], enable[CODE,...] or skip-file"))
            continue
        if parsed.group("skip"):
            entries.append(Entry("skip-file", (), parsed.group("why").strip(), span, 1, END))
            continue
        verb = parsed.group("verb")
        codes = []
        for selector in (part.strip() for part in parsed.group("codes").split(",")):
            found = resolve(selector) if selector else None
            if not found:
                problems.append((span, f'unknown rule "{selector}" in suppression' if selector
                                 else "empty rule list in suppression"))
                continue
            codes.extend(found)
        if not codes:
            continue
        reason = parsed.group("reason").strip()
        if verb == "ignore":
            line = span.line
            if _own_line(lines[line - 1], span.column):
                line = _next_code_line(lines, line)
            entries.append(Entry("ignore", tuple(codes), reason, span, line, line))
        elif verb == "disable":
            entry = Entry("disable", tuple(codes), reason, span, span.line, _block_end(ranges, span.line))
            entries.append(entry)
            for code in codes:
                open_ranges[code] = entry
        else:
            for code in codes:
                entry = open_ranges.pop(code, None)
                if entry is not None and entry.last > span.line:
                    entry.last = span.line
    return entries


LUA_MARKED = re.compile(r"--[ \t]*nginxlint:[^\n]*")


def lua_block_comments(lua) -> list[tuple[Span, str]]:
    """`-- nginxlint:` comments inside a `*_by_lua_block`, at their place in the nginx file."""
    return [(lua.span_of(match.start(), match.end()), match.group()) for match in LUA_MARKED.finditer(lua.text)]


def lua_comments(text: str) -> list[tuple[Span, str]]:
    """`-- nginxlint:` comments of a Lua or YAML file, found without parsing (the marker is rare)."""
    found = []
    if MARKER not in text:
        return found
    for number, line in enumerate(text.split("\n"), 1):
        if MARKER in line:
            for match in re.finditer(r"(?:--|#)[ \t]*nginxlint:[^\n]*", line):
                found.append((Span(number, match.start() + 1, number, match.end() + 1), match.group()))
    return found


def apply_suppressions(findings: list[Finding], entries_by_path: dict[str, list[Entry]]) -> list[Finding]:
    result = []
    for finding in findings:
        entries = entries_by_path.get(finding.path)
        if entries and finding.code not in UNSUPPRESSIBLE:
            line = finding.span.line
            for entry in entries:
                if entry.first <= line <= entry.last and (entry.verb == "skip-file" or finding.code in entry.codes):
                    entry.used.add(finding.code)
                    finding = replace(finding, suppression=Suppression(finding.path, entry.span.line, entry.reason))
                    break
        result.append(finding)
    return result


def _comments(source, parsed) -> tuple[list, list]:
    """(comments, block line ranges) of a file, for suppressions: in an nginx file its `#` comments and
    the `--` comments inside its Lua blocks; elsewhere the `--` or `#` comments found by their marker."""
    if MARKER not in source.text:  # no suppression here: spare the comment and block walks
        return [], []
    if parsed is None:
        return lua_comments(source.text), []
    comments = list(parsed.comments)
    for d in walk_directives(parsed.directives):
        if d.lua is not None and MARKER in d.lua.text:
            comments.extend(lua_block_comments(d.lua))
    return comments, block_ranges(parsed.directives)


def suppress(findings, loader, sources, selection) -> list[Finding]:
    """Mark the findings that inline comments silence, and add NL901/NL902 for comments that are wrong or idle."""
    catalog = load_catalog()
    parsed_by_path = {source.display: parsed for source, parsed in loader.parsed_files()}
    problems_by_path: dict[str, list] = {}
    entries_by_path = {}

    def resolve(selector):
        try:
            return sorted(selection.expand([selector]))
        except SettingsError:
            return None

    for display, source in sources.items():
        comments, ranges = _comments(source, parsed_by_path.get(display))
        if not comments:
            continue
        problems: list = []
        entries = parse_entries(source.text, comments, ranges, resolve, problems)
        if entries:
            entries_by_path[display] = entries
        if problems:
            problems_by_path[display] = problems

    findings = apply_suppressions(findings, entries_by_path)
    extra = []
    for path, problems in problems_by_path.items():
        for span, message in problems:
            extra.append(Finding.of(catalog["NL901"], message, path, span))
    for path, entries in entries_by_path.items():
        for entry in entries:
            if entry.verb == "skip-file":
                continue
            unused = [c for c in entry.codes if c not in entry.used and c in selection.enabled]
            if unused:
                extra.append(Finding.of(catalog["NL902"], f"unused suppression: no {', '.join(unused)} finding here to "
                                   f"{entry.verb}; remove it", path, entry.span))
    findings.extend(f for f in extra if selection.allows(f.code, f.path))
    return findings
