"""One run: load the workspace, run the selected rules, apply selection and suppressions, hand back a Report."""
from __future__ import annotations

import traceback
from dataclasses import replace
from pathlib import Path

from . import __version__
from .catalog import load_catalog
from .checks.registry import SCOPES, Reporter, load_rules
from .gcpause import collector_paused
from .findings import SEVERITY_RANK, Finding, Notification, Report, Span
from .settings import Selection, SettingsError
from .suppressions import MARKER, apply_suppressions, block_ranges, lua_block_comments, lua_comments, parse_entries
from .workspace import load_workspace


def run(paths: list[Path], settings, base_dir: Path, stdin=None) -> Report:
    # A run builds large, long-lived object graphs (parse trees, deployments, Lua facts) and little cyclic
    # garbage: the cyclic GC would rescan the growing heap again and again (a third of a large lint) for nothing.
    with collector_paused():
        return _run(paths, settings, base_dir, stdin)


def _run(paths: list[Path], settings, base_dir: Path, stdin) -> Report:
    catalog = load_catalog()
    selection = Selection(settings, catalog)
    workspace = load_workspace(paths, settings, base_dir, stdin)
    findings: list[Finding] = list(workspace.loader.findings)
    notifications: list[Notification] = []
    _bind_runtime(workspace, findings, notifications)
    for tree in workspace.trees:
        findings.extend(tree.findings)

    functions: dict = {}
    for code, function in load_rules().items():
        if code in selection.enabled:
            functions.setdefault(function, code)
    for function, code in functions.items():
        if SCOPES[function] == "workspace":
            _call(function, workspace, code, catalog, findings, notifications, workspace_root(workspace))
        else:
            for tree in workspace.trees:
                _call(function, tree, code, catalog, findings, notifications, tree.root.display)

    findings = _unique(findings)
    for finding in findings:
        if finding.code == "NGX001":
            notifications.append(
                Notification("error", f"{finding.path} could not be parsed: {finding.message}", finding.path,
                             finding.span, "NGX001"))
        elif finding.code == "NGX008":
            notifications.append(Notification("error", f"{finding.path}: {finding.message}", finding.path,
                                              finding.span, "NGX008"))
    findings = [
        replace(f, severity=selection.severity.get(f.code, f.severity))
        for f in findings
        if selection.allows(f.code, f.path)
    ]
    sources = _sources(workspace)
    findings = _suppress(findings, workspace.loader, sources, selection, catalog)
    if workspace.report_only is not None:
        findings = [f for f in findings if f.path in workspace.report_only]
        notifications = [n for n in notifications if n.path is None or n.path in workspace.report_only]
    findings.sort(key=lambda f: f.sort_key)
    enabled = {code: catalog[code] for code in sorted(selection.enabled)}
    return Report(findings, enabled, notifications, str(base_dir), __version__, workspace.files_checked, sources)


def run_parallel(paths: list[Path], settings, base_dir: Path, jobs: int) -> Report:
    """Lint the given paths in `jobs` processes (each path's roots are independent) and merge the reports.

    Worth it for many paths on many cores; with one path it is the same as `run`.
    """
    if jobs <= 1 or len(paths) < 2:
        return run(paths, settings, base_dir)
    from concurrent.futures import ProcessPoolExecutor

    groups = [paths[i::jobs] for i in range(jobs) if paths[i::jobs]]
    with ProcessPoolExecutor(max_workers=len(groups)) as pool:
        reports = list(pool.map(run, groups, [settings] * len(groups), [base_dir] * len(groups)))
    first = reports[0]
    findings = _unique([f for report in reports for f in report.findings])
    findings.sort(key=lambda f: f.sort_key)
    notifications = list({(n.level, n.message, n.path): n for r in reports for n in r.notifications}.values())
    sources = {path: source for report in reports for path, source in report.sources.items()}
    files = len(sources) or sum(report.files_checked for report in reports)
    return Report(findings, first.rules, notifications, first.base_dir, first.version, files, sources)


def workspace_root(workspace) -> str:
    return workspace.trees[0].root.display if workspace.trees else "."


def _call(function, subject, code, catalog, findings, notifications, where: str) -> None:
    sink: list[Finding] = []
    try:
        function(subject, Reporter(catalog, sink, code))
    except Exception as error:  # one broken rule must not hide the others' findings
        info = catalog[code]
        frame = traceback.extract_tb(error.__traceback__)[-1]
        message = (
            f"internal error in rule {code} ({info.name}) while checking this config: "
            f"{type(error).__name__}: {error} (at {Path(frame.filename).name}:{frame.lineno}); please report it"
        )
        findings.append(Finding.of(catalog["NL999"], message, where, Span(1, 1, 1, 1)))
        notifications.append(Notification("error", message, where, Span(1, 1, 1, 1), "NL999"))
        return
    findings.extend(sink)


def _bind_runtime(workspace, findings, notifications) -> None:
    """Link each deployment to the container that runs it, from manifests or settings.

    Without any of those there is nothing to bind, and a plain config pays nothing for the manifest readers.
    """
    settings = workspace.loader.settings
    if not (workspace.manifests or settings.manifests or settings.runtime or settings.containers):
        return
    from .container.binding import bind_runtime

    bind_runtime(workspace, findings, notifications)


def _unique(findings: list[Finding]) -> list[Finding]:
    """A fragment included by several roots yields the same finding once."""
    seen = set()
    result = []
    for finding in findings:
        key = (finding.code, finding.path, finding.span, finding.message)
        if key not in seen:
            seen.add(key)
            result.append(finding)
    return result


def _sources(workspace) -> dict:
    """Every file the run read, by display path (after the rules ran: the Lua stage adds the files it reads)."""
    sources = {}
    for tree in workspace.trees:
        sources.update(tree.files)
    for source, _ in workspace.loader.parsed_files():
        sources.setdefault(source.display, source)
    return sources


def _comments(source, parsed) -> tuple[list, list]:
    """(comments, block line ranges) of a file, for suppressions: in an nginx file its `#` comments and
    the `--` comments inside its Lua blocks; elsewhere the `--` or `#` comments found by their marker."""
    if MARKER not in source.text:  # no suppression here: spare the comment and block walks
        return [], []
    if parsed is None:
        return lua_comments(source.text), []
    comments = list(parsed.comments)
    stack = list(parsed.directives)
    while stack:
        d = stack.pop()
        if d.block:
            stack.extend(d.block)
        elif d.lua is not None and MARKER in d.lua.text:
            comments.extend(lua_block_comments(d.lua))
    return comments, block_ranges(parsed.directives)


def _suppress(findings, loader, sources, selection, catalog) -> list[Finding]:
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


def exit_status(report: Report, threshold: str) -> int:
    """2 for an internal error; 1 for findings at or above the threshold, or for any file that could not be read
    or parsed (never clean, whatever was selected); else 0."""
    if any(n.code == "NL999" for n in report.notifications):
        return 2
    rank = SEVERITY_RANK[threshold]
    if any(n.level == "error" for n in report.notifications):
        return 1
    return 1 if any(SEVERITY_RANK[f.severity] >= rank for f in report.active) else 0
