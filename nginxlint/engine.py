"""One run: load the workspace, bind configs to containers, run the selected rules, apply selection and
suppressions, hand back a Report.

Everything that goes wrong in a run takes one of two paths: a Finding when the user must change something
(made by the loader, the include resolver, the manifest reader or a rule; see nginxlint.checks), a Notification
when nginxlint could not do something (a manifest it skipped, a file it did not analyse because its code is not
selected). Formatters print both; nothing is copied from one to the other.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from . import __version__
from .catalog import load_catalog
from .checks import load
from .checks.registry import SCOPES, Reporter, load_rules
from .copies import said_at_originals, said_once_for_copies
from .dump import relocate
from .findings import SEVERITY_RANK, Finding, Location, Notification, Report
from .gcpause import collector_paused
from .nginx.conf_dirs import disabled_site
from .nginx.placeholders import example_kept_aside, files_only_of, undeployed_files
from .nginx.templates import UNKNOWN
from .nginx.tls import only_tls_profile
from .repository import backup_kind, is_backup_copy
from .settings import Selection
from .suppressions import suppress
from .workspace import Workspace, load_workspace


def run(paths: list[Path], settings, base_dir: Path, stdin=None, texts=None) -> Report:
    """Lint `paths`. `stdin`: (path, text) of a file given on standard input; `texts`: absolute path -> text read
    instead of the file on disk."""
    return analyse(paths, settings, base_dir, stdin, texts)[0]


def analyse(paths: list[Path], settings, base_dir: Path, stdin=None, texts=None) -> tuple[Report, "Workspace"]:
    """The report, and the workspace it was made from (its trees, bindings and Lua units), for `graph`."""
    # A run builds large, long-lived object graphs (parse trees, config trees, Lua facts) and little cyclic
    # garbage: the cyclic GC would rescan the growing heap again and again (a third of a large lint) for nothing.
    with collector_paused():
        return _run(paths, settings, base_dir, stdin, texts)


def _run(paths: list[Path], settings, base_dir: Path, stdin, texts) -> tuple[Report, "Workspace"]:
    catalog = load_catalog()
    selection = Selection(settings, catalog, base_dir)
    workspace = load_workspace(paths, settings, base_dir, stdin, texts)
    findings: list[Finding] = []
    notifications: list[Notification] = []
    _bind_containers(workspace, findings, notifications)
    selection.fixtures.add_files(undeployed_files(workspace.trees))  # ConfigMaps' trees too, made while binding
    # a site sites-enabled/ leaves out, an example kept beside the copy nginx reads
    selection.fixtures.add_switched_off(
        tree.root.display for tree in workspace.trees
        if not tree.is_main and (disabled_site(tree.root.path) or example_kept_aside(tree)))
    _switch_off_unreferenced(workspace, selection.fixtures, notifications)
    for tree in workspace.trees:
        findings.extend(tree.findings)

    functions = {function: function.code for code, function in load_rules().items() if code in selection.enabled}
    for function, code in functions.items():
        if SCOPES[function] == "workspace":
            _call(function, workspace, code, catalog, findings, _workspace_root(workspace))
        else:
            for tree in workspace.trees:
                needs = getattr(function, "needs", None)
                unbound = tree.binding is None
                if (needs is not None and unbound) or (needs == "container" and tree.binding.in_working_copy):
                    continue  # container advice on a config nothing shows to run in a container
                _call(function, tree, code, catalog, findings, tree.root.display)

    # The loader is still at work after loading: building a ConfigMap's deployment or reading a Lua file from a
    # rule parses and reads more, and what it says then belongs in the report as much as what it said before.
    findings = [*workspace.loader.findings, *findings]
    notifications = [*workspace.loader.notifications, *notifications]
    masked = workspace.loader.masked
    findings = _masks_shown(_unique(_fixes_outside_masks(
        _outside_opt_in_tls_profiles(_outside_masked_values(findings, masked), masked), masked)))
    findings = _outside_start_edits(findings, workspace.loader.start_edited)
    findings = _clashes_in_one_container(findings, workspace, selection)
    notifications += _unselected_failures(findings, selection)
    if any(catalog[f.code].production_only or catalog[f.code].deployed_only for f in findings if f.code in catalog):
        _note_undeployed_files(workspace, selection)
    findings = [
        replace(f, severity=selection.severity.get(f.code, f.severity))
        for f in findings
        if selection.allows(f.code, f.path)
    ]
    findings = _refusals_in_test_data(findings, notifications, workspace.test_data)
    sources = _sources(workspace)
    findings = said_at_originals(findings, notifications, sources, selection.fixtures, _included(workspace))
    texts = _texts(workspace, sources)
    run_ranks = _run_ranks(workspace)
    findings = said_once_for_copies(_said_once(suppress(findings, workspace.loader, sources, selection)), texts,
                                    run_ranks)
    if workspace.dumps:  # from the files nginx read to the lines of the dump the user has
        findings, notifications, sources = relocate(findings, notifications, sources, list(workspace.dumps))
        findings = [f for f in findings if selection.allows(f.code, f.path)]
    if workspace.report_only is not None:
        shown = workspace.report_only
        # a finding that spans files is shown when any of its places is a passed file (not the include chain)
        findings = [f for f in findings
                    if f.path in shown or any(r.path in shown and not r.chain for r in f.related)]
        notifications = [n for n in notifications if n.path is None or n.path in shown]
    findings.sort(key=lambda f: f.sort_key)
    enabled = {code: catalog[code] for code in sorted(selection.enabled)}
    read = sorted(path for path in sources if workspace.report_only is None or path in workspace.report_only)
    skipped = {path: why for path, why in workspace.loader.skipped.items()
               if workspace.report_only is None or path in workspace.report_only}
    report = Report(findings, enabled, notifications, str(base_dir), __version__, len(read), sources, skipped, read,
                    texts, run_ranks)
    return report, workspace


def run_parallel(paths: list[Path], settings, base_dir: Path, jobs: int) -> Report:
    """Lint the given paths in `jobs` processes (each path's roots are independent) and merge the reports.

    Worth it for many paths on many cores; with one path it is the same as `run`.
    """
    if jobs <= 1 or len(paths) < 2:
        return run(paths, settings, base_dir)
    from concurrent.futures import ProcessPoolExecutor  # only with --jobs

    groups = [paths[i::jobs] for i in range(jobs) if paths[i::jobs]]
    with ProcessPoolExecutor(max_workers=len(groups)) as pool:
        reports = list(pool.map(run, groups, [settings] * len(groups), [base_dir] * len(groups)))
    first = reports[0]
    texts = {path: found for report in reports for path, found in report.texts.items()}
    run_ranks = _lowest(report.run_ranks for report in reports)
    findings = said_once_for_copies(_unique([f for report in reports for f in report.findings]), texts, run_ranks)
    findings.sort(key=lambda f: f.sort_key)
    notifications = list({(n.level, n.message, n.path): n for r in reports for n in r.notifications}.values())
    sources = {path: source for report in reports for path, source in report.sources.items()}
    files = len(sources) or sum(report.files_checked for report in reports)
    return Report(findings, first.rules, notifications, first.base_dir, first.version, files, sources, texts=texts,
                  run_ranks=run_ranks)


# Mistakes that make nginx refuse a file as it stands: a cycle, an unknown directive, a wrong context or value, a
# duplicate. In test data nginx never loads (a cert-name parser's input with two certificates in one server) they
# are the data, not a bug.
_REFUSED_BY_NGINX = frozenset({"NGX003", "NGX004", "NGX005", "NGX006", "NGX007", "NGX028", "NGX029", "NGX030"})


def _refusals_in_test_data(findings: list[Finding], notifications: list[Notification], test_data) -> list[Finding]:
    """Such findings in a fixture file that no config includes become one warning notification per file, and so
    does every finding of a backup copy that no config includes (yesterday's version of a site: nginx loads it
    only where a config names it)."""
    refused: dict[str, list[Finding]] = {}
    kept = []
    for finding in findings:
        if finding.path in test_data and (finding.code in _REFUSED_BY_NGINX or is_backup_copy(finding.path)):
            refused.setdefault(finding.path, []).append(finding)
        else:
            kept.append(finding)
    for path, found in refused.items():
        first = min(found, key=lambda f: f.sort_key)
        said = f"{first.code}: {first.message}" + (f" and {len(found) - 1} more" if len(found) > 1 else "")
        text = (f"{backup_kind(path)} beside a config that no config includes, so its findings are not reported "
                f"({said})"
                if is_backup_copy(path) else f"test data nginx would refuse as it stands ({said}): a file in a "
                "fixture directory that no config includes, so not reported as findings")
        notifications.append(Notification("warning", text, path, first.span, first.code))
    return kept


def _run_ranks(workspace) -> dict[str, int]:
    """How surely a container runs each file: 0 where a Compose service, a manifest or a setting runs its config, 1
    where only a Dockerfile copies it; files of no container are not listed. A copy that runs is where its shared
    finding goes."""
    return _lowest(dict.fromkeys(tree.files, 1 if tree.binding.how == "dockerfile" else 0)
                   for tree in workspace.trees if tree.binding is not None)


def _lowest(rankings) -> dict[str, int]:
    """Each path's lowest rank of all the rankings."""
    lowest: dict[str, int] = {}
    for ranks in rankings:
        for path, rank in ranks.items():
            lowest[path] = min(rank, lowest.get(path, rank))
    return lowest


def _included(workspace) -> set[str]:
    return {path for tree in workspace.trees for path in tree.files if path != tree.root.display}


def _workspace_root(workspace) -> str:
    return workspace.trees[0].root.display if workspace.trees else "."


def _call(function, subject, code, catalog, findings, where: str) -> None:
    sink: list[Finding] = []
    try:
        function(subject, Reporter(catalog, sink, code))
    except Exception as error:  # one broken rule must not hide the others' findings
        findings.append(load.internal_error(code, error, where))
        return
    findings.extend(sink)


def _bind_containers(workspace, findings, notifications) -> None:
    """Link each config tree to the container that runs it, from manifests, Dockerfiles or settings.

    The manifest readers are imported only when some YAML file may describe a container.
    """
    from .container.binding import bind_containers  # binding code, loaded by a run, not by `import nginxlint`
    from .container.view import settle_includes

    nginx_containers = bind_containers(workspace, findings, notifications)
    for tree in workspace.trees:
        settle_includes(tree, nginx_containers)


def _switch_off_unreferenced(workspace, fixtures, notifications) -> None:
    """The files only configs nothing of the repository deploys hold (unreferenced.py) are switched off, with one
    note per config."""
    from .unreferenced import unreferenced_configs  # with the binding code, loaded by a run

    roots = set(unreferenced_configs(workspace))
    if not roots:
        return
    notifications.extend(Notification(
        "note", "no container is bound to this config and no other file of the repository names it, so advice for a "
        "deployed server is not reported here", root) for root in sorted(roots) if not fixtures.holds(root))
    fixtures.add_switched_off(files_only_of(workspace.trees, lambda tree: tree.root.display in roots))


def _note_undeployed_files(workspace, selection) -> None:
    """The files only a development container holds, or that serve nothing but the image's welcome page and its
    counters (container/stock_page.py); and those only a test run's container holds (container/development.py)."""
    from .container.development import development_only, test_run_only  # loaded by every run's binding already
    from .container.stock_page import stock_page_demos

    selection.development_only = development_only(workspace, selection.fixtures) | stock_page_demos(workspace)
    selection.test_run_only = test_run_only(workspace)


def _unique(findings: list[Finding]) -> list[Finding]:
    """A fragment included by several roots, or by several blocks of one, yields each finding once: one per rule
    and place (the user changes that place once). What another inclusion found there (a header dropped from
    another server) is kept among the first finding's related places, at the highest severity of them."""
    placed: dict[tuple, list[Finding]] = {}
    for finding in findings:
        placed.setdefault((finding.code, finding.path, finding.span), []).append(finding)
    result = []
    for same in placed.values():
        # the trees run in no fixed order: neither the kept words nor the related places may depend on it
        same.sort(key=lambda f: (f.message, [(place.path, place.span, place.message) for place in f.related]))
        kept = same[0]
        for other in same[1:]:
            kept = _joined(kept, other)
        result.append(kept)
    return result


def _joined(kept: Finding, other: Finding) -> Finding:
    related = list(kept.related)
    # the other inclusion's places (where its dropped header is set, where it includes the file), and its words
    # where it has no place of its own
    own_places = other.message == kept.message or any(not place.chain for place in other.related)
    places = list(other.related) if own_places else [Location(other.path, other.span, other.message), *other.related]
    related += [place for place in places if place not in related]
    severity = max(kept.severity, other.severity, key=SEVERITY_RANK.__getitem__)
    return replace(kept, related=tuple(related), severity=severity)


# A finding another rule already makes on the same line, in more words: (code, what its message starts with, the
# code that says it, what that one's message holds). SEC503 names every header a block's own add_header drops,
# HSTS among them, where SEC523 would say the same of HSTS alone. NGX017 says that `access_log on;` writes to a
# file named "on", which CTR105 would call a log file inside the container.
SAID_BY_ANOTHER = (("SEC523", "this add_header stops", "SEC503", "strict-transport-security"),
                   ("CTR105", "`", "NGX017", "is no switch"))


def _said_once(findings: list[Finding]) -> list[Finding]:
    said = {(code, f.path, f.span.line) for f in findings for code, _, other, words in SAID_BY_ANOTHER
            if f.code == other and f.suppression is None and words in f.message.lower()}
    return [f for f in findings
            if not any(f.code == code and f.message.startswith(start) and (code, f.path, f.span.line) in said
                       for code, start, _, _ in SAID_BY_ANOTHER)]


# Findings a template's control tags make meaningless: every branch is kept, so a directive set in both an `if` and
# an `else` branch looks duplicated, and a fragment the template renders into some context looks misplaced. A
# template whose tags are all values inside directives (`server_name {{ domain }};`) renders the directives in view.
TEMPLATE_ARTEFACTS = frozenset({"NGX005", "NGX007"})


def _outside_masked_values(findings: list[Finding], masked: dict) -> list[Finding]:
    """In a templated config, a finding on a value the template fills in says nothing: the value is unknown."""
    if not masked:
        return findings
    return [f for f in findings if f.path not in masked or not (
        f.code in TEMPLATE_ARTEFACTS and masked[f.path].hides_directives or masked[f.path].unknown_at(f.span)
        or f.code == "NGX006" and masked[f.path].tag_in_statement(f.span))]


_MASKED_RUN = re.compile(f"{UNKNOWN}+")  # the characters that stand for one value a template fills in


def _masks_shown(findings: list[Finding]) -> list[Finding]:
    """A value a template fills in is masked while linting; a message that quotes it shows `…` in its place."""
    return [replace(f, message=_MASKED_RUN.sub("…", f.message)) if UNKNOWN in f.message else f for f in findings]


def _outside_start_edits(findings: list[Finding], edited: dict[str, frozenset[int]]) -> list[Finding]:
    """A line a container's start script deletes or rewrites (`sed -i '/re/d'`) is not what nginx reads: a finding
    placed on it, or resting on it (the first of two duplicates), is uncertain and stays quiet. The include that
    brought a file in does not count: what the file says holds whenever the script keeps the include."""
    if not edited:
        return findings
    return [f for f in findings if not any(place.span.line in edited.get(place.path, ())
                                           for place in (f, *(r for r in f.related if not r.chain)))]


# Rules that report a clash between two places (a directive or shared dict given twice): the second place is the
# finding, the first its first related location.
_CLASH_CODES = frozenset({"NGX007", "LUA204"})


def _clashes_in_one_container(findings: list[Finding], workspace, selection) -> list[Finding]:
    """A clash between two files that no container holds together (each image deletes one of them) never happens."""
    pairs = {(f.path, f.related[0].path) for f in findings
             if f.code in _CLASH_CODES and f.related and f.related[0].path not in (None, f.path)}
    if not pairs:
        return findings
    from .container.development import never_together  # the image model, only for clashes across files

    apart = never_together(workspace, selection.fixtures, pairs)
    return [f for f in findings if not (f.code in _CLASH_CODES and f.related and (f.path, f.related[0].path) in apart)]


# Rules about a TLS profile: weak versions and suites.
_TLS_PROFILE_CODES = frozenset({"SEC521", "SEC522"})


def _outside_opt_in_tls_profiles(findings: list[Finding], masked: dict) -> list[Finding]:
    """A weak TLS setting in a template branch that holds TLS settings and nothing else is a profile the template
    offers for a user to opt into (`{% if SSL_CIPHERS_LEVEL == "old" %}`, `{{ if .Values.legacyTls }}`): which
    branch renders is the user's choice, out of sight."""
    if not masked:
        return findings
    kept = []
    for f in findings:
        branch = masked[f.path].branch_text(f.span) if f.code in _TLS_PROFILE_CODES and f.path in masked else None
        if branch is None or not only_tls_profile(branch):
            kept.append(f)
    return kept


def _fixes_outside_masks(findings: list[Finding], masked: dict) -> list[Finding]:
    """A fix that would rewrite a template's tags (or insert between their characters) is dropped: the finding
    stays, the user edits the template."""
    if not masked:
        return findings
    return [replace(f, fix=None) if f.fix is not None and any(
        e.path in masked and masked[e.path].touched(e.span) for e in f.fix.edits) else f for f in findings]


def _unselected_failures(findings: list[Finding], selection: Selection) -> list[Notification]:
    """A file that was not analysed (or a rule that crashed) still fails the run when its code is not selected:
    the notification says why the exit status is not 0."""
    return [
        Notification("error", f"{f.message} ({f.code} is not selected)", f.path, f.span, f.code)
        for f in findings
        if f.code in load.NOT_ANALYSED and not selection.allows(f.code, f.path)
    ]



def _sources(workspace) -> dict:
    """Every file the run read and linted, by display path (after the rules ran: the Lua stage reads files too)."""
    sources = {}
    for tree in workspace.trees:
        sources.update(tree.files)
    dumps = {dump.display for dump in workspace.dumps}  # added back once the findings are on its lines
    for source in workspace.loader.read_files():
        if source.display not in workspace.loader.skipped and source.display not in dumps:
            sources.setdefault(source.display, source)
    return sources


def _texts(workspace, sources: dict) -> dict[str, list[str]]:
    """Each file's texts: its own, and those of the configs a YAML file embeds (container/embedded.py)."""
    texts = {path: [source.text] for path, source in sources.items()}
    for tree in workspace.trees:
        for path, source in tree.embedded_files.items():
            if source.text not in texts.setdefault(path, []):
                texts[path].append(source.text)
    return texts


def exit_status(report: Report, threshold: str) -> int:
    """2 for an internal error; 1 for findings at or above the threshold, or for any file that could not be read
    or parsed (never clean, whatever was selected or suppressed); else 0."""
    failures = {f.code for f in report.active} | {n.code for n in report.notifications if n.level == "error"}
    if "NL999" in failures:
        return 2
    if failures & load.NOT_ANALYSED or any(n.level == "error" for n in report.notifications):
        return 1
    rank = SEVERITY_RANK[threshold]
    return 1 if any(SEVERITY_RANK[f.severity] >= rank for f in report.active) else 0
