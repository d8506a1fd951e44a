"""Differential testing: `nginx -t` and nginxlint on the same configs, and where they disagree.

The bar: where nginx rejects a config, nginxlint reports an NGX or LUA error in the same file (on the same line
when nginx names one); where nginx accepts it, nginxlint reports no NGX error; nginxlint never crashes. Cases in
`known_gaps.GAPS` are expected to disagree, each for a written reason.

Run alone on a directory: `python tests/reliability/differential.py DIR` checks every nginx.conf under DIR and
prints each disagreement and the agreement rate (exit status 1 when an unexplained disagreement is left).
"""
from __future__ import annotations

import io
import json
import os
import signal
import sys
import tempfile
import traceback
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(REPO) not in sys.path:  # run as a script
    sys.path.insert(0, str(REPO))
for directory in (HERE, HERE.parent):  # this folder, and tests/ for lintkit
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))

import known_gaps  # noqa: E402
from lintkit import write_tree  # noqa: E402
import nginx_check  # noqa: E402

LINT_TIMEOUT = 60
# not what nginx reads: Lua, data, docs, and templates a renderer turns into the config
NOT_CONFIG = (".lua", ".yaml", ".yml", ".json", ".toml", ".md", ".template", ".tmpl", ".tpl", ".j2", ".erb", ".mustache")
EOF_MESSAGE = "unexpected end of file"


@dataclass
class Case:
    """A tree of files and the root config nginx is pointed at (`-c`), relative to the tree."""

    name: str
    files: dict[str, str | bytes]
    root: str
    settings: dict | None = None

    def write(self, base: Path) -> None:
        write_tree(base, self.files)
        if self.settings:
            import yaml

            (base / ".nginxlint.yaml").write_text(yaml.safe_dump(self.settings), encoding="utf-8")


@dataclass
class LintResult:
    status: int
    findings: list[dict]
    reached: set[str]  # display paths of the files the root's deployment reads
    crash: str | None = None  # traceback, internal-error text or timeout


@dataclass
class Outcome:
    case: str
    kind: str  # "agree", "crash", "missed", "wrong-line", "false-alarm"
    detail: str = ""
    gap: str | None = None  # the known gap that explains it
    nginx: nginx_check.NginxVerdict | None = None
    findings: list[dict] = field(default_factory=list)

    @property
    def explained(self) -> bool:
        return self.kind == "agree" or self.gap is not None


def is_rejection(finding: dict) -> bool:
    """An nginxlint finding that says nginx (or the Lua code at start) will refuse this config."""
    code = finding["code"]
    if code == "NGX004":  # unknown directive: a warning (third-party modules exist), but nginx refuses it
        return True
    return code.startswith(("NGX", "LUA")) and finding["severity"] == "error"


@contextmanager
def _time_limit(seconds: int):
    """SIGALRM in the main thread turns a hang into an error; elsewhere there is no limit."""
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum, frame):
        raise TimeoutError(f"nginxlint did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_lint(args: list[str], cwd: Path) -> tuple[int, str, str, str | None]:
    """The CLI in this process with NGINXLINT_DEBUG set, so that an internal error surfaces as its traceback."""
    from nginxlint.cli import main

    out, err = io.StringIO(), io.StringIO()
    out.buffer, err.buffer = io.BytesIO(), io.BytesIO()
    old_cwd, old_debug = os.getcwd(), os.environ.get("NGINXLINT_DEBUG")
    os.environ["NGINXLINT_DEBUG"] = "1"
    crash = None
    status = 2
    try:
        os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err), _time_limit(LINT_TIMEOUT):
            status = main(args)
    except BaseException:  # noqa: BLE001 - a crash is the result being measured
        crash = traceback.format_exc()
    finally:
        os.chdir(old_cwd)
        if old_debug is None:
            os.environ.pop("NGINXLINT_DEBUG", None)
        else:
            os.environ["NGINXLINT_DEBUG"] = old_debug
    stdout = out.buffer.getvalue().decode("utf-8", "replace") + out.getvalue()
    stderr = err.buffer.getvalue().decode("utf-8", "replace") + err.getvalue()
    return status, stdout, stderr, crash


def reached_files(tree: Path, root: str) -> set[str]:
    """The files nginxlint reads for this root (the root and what it includes): the files nginx reads too."""
    from nginxlint.settings import load_settings
    from nginxlint.workspace import load_workspace

    settings = load_settings(None, False, tree)
    workspace = load_workspace([tree], settings, tree)
    root_path = os.path.abspath(tree / root)
    for tree in workspace.trees:
        if os.path.abspath(tree.root.path) == root_path:
            return set(tree.files)
    return {root}


def lint_tree(tree: Path, root: str) -> LintResult:
    args = [str(tree), "--format", "json", "--base-dir", str(tree)]
    if os.environ.get("NGINXLINT_DIFF_SELECT"):  # e.g. NGX,LUA201 while other rules are being written
        args += ["--select", os.environ["NGINXLINT_DIFF_SELECT"]]
    status, stdout, stderr, crash = run_lint(args, tree)
    if crash is None and status == 2:
        crash = f"exit status 2: {stderr.strip()}"
    findings = []
    if crash is None:
        try:
            findings = json.loads(stdout)["findings"]
        except (ValueError, KeyError) as error:
            crash = f"unreadable JSON output ({error}): {stdout[:500]!r}"
    if crash is None and any(f["code"] == "NL999" for f in findings):
        crash = "; ".join(f["message"] for f in findings if f["code"] == "NL999")
    reached = {root}
    if crash is None:
        try:
            reached = reached_files(tree, root)
        except Exception:  # noqa: BLE001
            crash = traceback.format_exc()
    return LintResult(status, findings, reached, crash)


def _statement_ends(tree: Path, path: str) -> dict[int, set[int]]:
    """For each line of `path`: the lines on which the statements starting or running through it end.

    nginx names the line it was reading when it gave up, the line of a statement's `;` or `{`; nginxlint points at
    the word at fault. A multi-line statement makes both right.
    """
    from nginxlint.nginx.directives import LUA_BLOCK_DIRECTIVES
    from nginxlint.nginx.parser import parse
    from nginxlint.sources import Unreadable, read_text

    try:
        text = read_text(tree / path)
    except Unreadable:
        return {}
    ends: dict[int, set[int]] = {}
    stack = list(parse(text, None, LUA_BLOCK_DIRECTIVES).directives)
    while stack:
        d = stack.pop()
        if d.block:
            stack.extend(d.block)
        last = d.full_span.end_line
        if d.lua is not None and d.block_end is not None:  # a Lua block is one token to nginx: it ends at "}"
            last = d.block_end.end_line
        for line in range(d.span.line, last + 1):
            ends.setdefault(line, set()).add(last)
    return ends


def compare(case: Case, nginx: nginx_check.NginxVerdict, lint: LintResult, tree: Path) -> Outcome:
    outcome = Outcome(case.name, "agree", nginx=nginx, findings=lint.findings)
    if lint.crash is not None:
        outcome.kind, outcome.detail = "crash", lint.crash
    elif nginx.accepted:
        wrong = [f for f in lint.findings if f["code"].startswith("NGX") and is_rejection(f) and f["path"] in lint.reached]
        if wrong:
            outcome.kind = "false-alarm"
            outcome.detail = "; ".join(_describe(f) for f in wrong)
    else:
        path = nginx.path  # nginx names no file when it crashes or fails after reading: any file it read
        here = [f for f in lint.findings
                if is_rejection(f) and (f["path"] == path if path else f["path"] in lint.reached)]
        if not here:
            outcome.kind = "missed"
            outcome.detail = f"nginx: {nginx.message} ({path}:{nginx.line}); nginxlint: " + (
                "; ".join(_describe(f) for f in lint.findings) or "clean")
        elif nginx.line is not None and EOF_MESSAGE not in nginx.message:
            ends = _statement_ends(tree, path)
            if not any(f["line"] <= nginx.line <= f["end_line"] or nginx.line in ends.get(f["line"], ())
                       for f in here):
                outcome.kind = "wrong-line"
                outcome.detail = f"nginx: {nginx.message} ({path}:{nginx.line}); nginxlint: " + "; ".join(
                    _describe(f) for f in here)
    if outcome.kind != "agree":
        outcome.gap = known_gaps.explain(outcome, case)
    return outcome


def _describe(finding: dict) -> str:
    return f"{finding['code']} {finding['path']}:{finding['line']}:{finding['column']} {finding['message']}"


def check_case(case: Case) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="nginxlint-diff-") as scratch:
        tree = Path(scratch)
        case.write(tree)
        nginx = nginx_check.check_tree(tree, case.root)
        lint = lint_tree(tree, case.root)
        return compare(case, nginx, lint, tree)


# -- where cases come from --------------------------------------------------------------------------------------


def looks_main(text: str, name: str) -> bool:
    """A file nginxlint treats as a main config (and so may be given to nginx -c)."""
    from nginxlint.nginx.directives import LUA_BLOCK_DIRECTIVES
    from nginxlint.nginx.parser import parse

    if Path(name).name == "nginx.conf":
        return True
    top = parse(text, None, LUA_BLOCK_DIRECTIVES).directives
    return any(d.name in ("http", "events", "stream", "mail") for d in top)


def rule_cases(rules_dir: Path = REPO / "tests" / "rules") -> list[Case]:
    """Each case of tests/rules/*.yaml whose first file is a main nginx config (not an `nginx -T` dump, which
    nginx cannot read back)."""
    import yaml

    from nginxlint.dump import is_dump

    cases = []
    for path in sorted(rules_dir.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, raw in enumerate(document.get("cases") or ()):
            files = raw.get("files") or {}
            if not files:
                continue
            root = next(iter(files))
            if root.endswith(NOT_CONFIG) or not looks_main(files[root], root) or is_dump(files[root]):
                continue
            name = f"rules/{document['rule']}-{index}-{raw.get('name', '')}"
            cases.append(Case(name, dict(files), root, raw.get("settings") or None))
    return cases


def tree_cases(directory: Path, label: str | None = None) -> list[Case]:
    """Every nginx.conf under `directory`, each with the tree around it (its server prefix) as a case."""
    cases = []
    for conf in sorted(directory.rglob("nginx.conf")):
        if not conf.is_file():
            continue
        tree = nginx_check.server_prefix(conf)
        files = {}
        for file in sorted(tree.rglob("*")):
            if file.is_file() and not file.is_symlink():
                files[file.relative_to(tree).as_posix()] = file.read_bytes()
        name = f"{label or directory.name}/{conf.relative_to(directory).as_posix()}"
        cases.append(Case(name, files, conf.relative_to(tree).as_posix()))
    return cases


def sample_cases() -> list[Case]:
    samples = REPO / "samples"
    return tree_cases(samples, "samples") if samples.is_dir() else []


def corpus_cases() -> list[Case]:
    return tree_cases(HERE / "corpus", "corpus")


# -- running a batch --------------------------------------------------------------------------------------------


def summarize(outcomes: list[Outcome]) -> str:
    agreed = sum(o.kind == "agree" for o in outcomes)
    explained = sum(o.kind != "agree" and o.gap is not None for o in outcomes)
    lines = []
    for o in outcomes:
        if o.kind == "agree":
            continue
        tag = f"known gap: {o.gap}" if o.gap else "UNEXPLAINED"
        lines.append(f"{o.kind:11} {o.case}\n            {o.detail.strip()[:2000]}\n            ({tag})")
    total = len(outcomes) or 1
    lines.append(
        f"agreement: {agreed}/{len(outcomes)} ({100 * agreed / total:.1f}%); known gaps: {explained}; "
        f"unexplained: {len(outcomes) - agreed - explained}"
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/reliability/differential.py DIR", file=sys.stderr)
        return 2
    reason = nginx_check.unavailable_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    directory = Path(argv[0])
    outcomes = [check_case(case) for case in tree_cases(directory)]
    print(summarize(outcomes))
    return 0 if all(o.explained for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
