"""The command line: `nginxlint [PATH ...]`, `nginxlint rule CODE`, `nginxlint rules`, `nginxlint graph`,
`nginxlint server`."""
from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from . import __version__
from .formats import FORMATS
from .settings import CONTEXT_NAMES, SettingsError, check_lua_nginx_module, check_nginx_version



def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _names(value: str) -> list[str]:
    return [part.strip().lower() for part in value.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nginxlint",
        description="Static analysis of nginx and OpenResty deployments: the config tree, the Lua it runs, "
        "and the Kubernetes or Compose manifests around it.",
        epilog="Also: `nginxlint rule CODE` prints a rule's documentation; `nginxlint rules` lists every rule; "
        "`nginxlint graph [PATH ...]` draws the deployment (Mermaid, DOT or HTML); "
        "`nginxlint server` runs the language server (LSP over stdio).",
    )
    parser.add_argument("paths", nargs="*", help="files or directories to lint (default: .); - reads standard input")
    parser.add_argument("--version", action="version", version=f"nginxlint {__version__}")
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=tuple(FORMATS), help="output format (default: full; github under GitHub Actions)")
    out.add_argument("-o", "--output", metavar="FILE", help="write the output to FILE instead of standard output")
    out.add_argument("--sarif-file", metavar="FILE", help="also write SARIF to FILE, from the same run")
    out.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour (honours NO_COLOR)")
    out.add_argument("--show-files", action="store_true",
                     help="list the files read and the files skipped (with why) instead of the findings")
    out.add_argument("--base-dir", metavar="DIR", help="report paths relative to DIR (default: the repository root)")
    fixing = parser.add_argument_group("fixes")
    fixing.add_argument("--fix", action="store_true",
                        help="apply the safe fixes in place, then report what is left (with -, print the fixed text)")
    fixing.add_argument("--diff", action="store_true",
                        help="print the fixes as a unified diff and change nothing (exit 1 when there is a diff)")
    fixing.add_argument("--unsafe-fixes", action="store_true",
                        help="with --fix or --diff, also apply the fixes that change more than the finding")
    status = parser.add_argument_group("exit status")
    status.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    status.add_argument("--failure-threshold", choices=("error", "warning", "info"),
                        help="lowest severity that makes the exit status 1 (default: warning)")
    rules = parser.add_argument_group("rule selection")
    rules.add_argument("--select", type=_codes, metavar="CODES", help="only these rules (codes, prefixes, names, ALL)")
    rules.add_argument("--extend-select", type=_codes, metavar="CODES", help="add these rules to the selection")
    rules.add_argument("--ignore", type=_codes, metavar="CODES", help="leave these rules out")
    config = parser.add_argument_group("configuration")
    config.add_argument("--config", metavar="FILE", help="read settings from FILE (.nginxlint.yaml or pyproject.toml)")
    config.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    config.add_argument("--prefix", metavar="DIR", help="the server prefix, as nginx -p (default: parent of conf/)")
    config.add_argument("--nginx-version", metavar="VERSION",
                        help="the nginx release that runs the configs when no image tag says: 1.25.3, 1.25 (a branch) "
                        "or openresty/1.21.4.1 (as the nginx-version setting)")
    config.add_argument("--lua-nginx-module", metavar="VERSION",
                        help="the lua-nginx-module release nginx loads when no OpenResty release says: 0.10.23 (as "
                        "the lua-nginx-module setting)")
    config.add_argument("--origin-domains", type=_names, metavar="DOMAINS",
                        help="the only sites an Origin or Referer check may accept: example.com,example.org (their "
                        "subdomains included; as the origin-domains setting)")
    config.add_argument("--origin-https-only", action="store_true", default=None,
                        help="an Origin or Referer check may accept https:// only (as the origin-https-only setting)")
    config.add_argument("--security-headers", type=_names, metavar="HEADERS",
                        help="the only headers whose loss SEC503 reports, instead of its list of security headers: "
                        "x-frame-options,access-control-* ('*' for every header; as the security-headers setting)")
    config.add_argument("--extend-security-headers", type=_names, metavar="HEADERS",
                        help="headers SEC503 reports the loss of, besides its list (as the extend-security-headers "
                        "setting)")
    config.add_argument("--context", choices=sorted(CONTEXT_NAMES), help="context of fragments no root includes")
    config.add_argument("--manifests", action="append", metavar="PATH", help="Kubernetes or Compose files to read")
    config.add_argument("--stdin-filename", metavar="PATH", help="the name of the file read from standard input")
    config.add_argument("--dump", action="store_true",
                        help="the files named (or standard input) are `nginx -T` output, even when they do not start "
                        "like it (recognised without this flag when they do)")
    config.add_argument("--no-cache", action="store_true", help="do not read or write the analysis cache")
    config.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="lint the given paths in N processes: for several independent trees outside a repository "
                        "(inside one, each path is linted with its whole repository)")
    return parser


def _print_rule(code: str) -> int:
    from .catalog import load_catalog  # start-up: `nginxlint --version` and `rules` load no more than they use
    from .text import did_you_mean  # start-up: `nginxlint --version` and `rules` load no more than they use

    catalog = load_catalog()
    by_name = {info.name: info for info in catalog.values()}
    info = catalog.get(code.upper()) or by_name.get(code)
    if info is None:
        _write(f"nginxlint: error: unknown rule \"{code}\"{did_you_mean(code, [*catalog, *by_name])}\n", sys.stderr)
        return 2
    _write(f"# {info.code} {info.name} ({info.severity})\n\n{info.summary}\n\n{info.fix_text}\n\n{info.doc}", sys.stdout)
    return 0


def _print_rules(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nginxlint rules", description="List every rule.")
    parser.add_argument("--format", choices=("text", "full", "concise", "json"), default="text",
                        help="text (one line a rule; full and concise are the same) or json")
    args = parser.parse_args(argv)
    from .catalog import load_catalog  # start-up: `nginxlint --version` and `rules` load no more than they use

    catalog = load_catalog()
    if args.format == "json":
        import json  # start-up: `nginxlint --version` and `rules` load no more than they use

        rows = [
            {"code": i.code, "name": i.name, "severity": i.severity, "severity_when": i.severity_when,
             "summary": i.summary, "tags": list(i.tags), "gixy": list(i.gixy), "opt_in": i.opt_in,
             "fix": i.fix, "fix_safety": i.fix_safety or None}
            for i in catalog.values()
        ]
        _write(json.dumps(rows, indent=2) + "\n", sys.stdout)
        return 0
    width = max(len(i.name) for i in catalog.values())
    lines = [
        f"{i.code}  {i.name:<{width}}  {i.severity:<7}  {i.summary}" + (f" ({i.severity_when})" if i.severity_when else "")
        + (" [opt-in: select it by its code]" if i.opt_in else "") + (" [fix]" if i.fix != "none" else "")
        for i in catalog.values()
    ]
    _write("\n".join(lines) + "\n", sys.stdout)
    return 0


def _graph(argv: list[str]) -> int:
    """`nginxlint graph [PATH ...]`: the deployment as Mermaid, DOT or a self-contained HTML page."""
    parser = argparse.ArgumentParser(prog="nginxlint graph", description="Draw the deployment: configs and their "
                                     "includes, Lua units and modules, shared dicts, ports, probes, the container; "
                                     "findings marked on the nodes they concern.")
    parser.add_argument("paths", nargs="*", help="files or directories (default: .)")
    parser.add_argument("--format", choices=("mermaid", "dot", "html"), default="mermaid")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    parser.add_argument("--config", metavar="FILE", help="settings file (default: found by walking up)")
    parser.add_argument("--isolated", action="store_true", help="ignore every settings file")
    args = parser.parse_args(argv)
    from .engine import analyse  # start-up: a plain lint never loads the graph code
    from .graph.model import build_graph
    from .graph.render import dot, html_page, mermaid
    from .settings import load_settings

    paths = [Path(p) for p in args.paths or ["."]]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _write(f"nginxlint: error: no such file or directory: {', '.join(missing)}\n", sys.stderr)
        return 2
    settings = load_settings(Path(args.config) if args.config else None, args.isolated,
                             Path(os.path.abspath(paths[0])))
    report, workspace = analyse(paths, settings, _base_dir(argparse.Namespace(base_dir=None), paths))
    drawn = build_graph(report, workspace)
    title = "nginxlint graph: " + " ".join(args.paths or ["."])
    text = {"mermaid": mermaid, "dot": dot}[args.format](drawn) if args.format != "html" else html_page(drawn, title)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        _write(text, sys.stdout)
    return 0
def _serve(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="nginxlint server",
                            description="The language server: LSP over standard input and output.").parse_args(argv)
    try:
        from .server import serve  # pygls: the `server` extra, loaded by this command alone
    except ModuleNotFoundError as error:
        if (error.name or "").startswith("nginxlint"):
            raise
        _write(f"nginxlint: error: `nginxlint server` needs pygls ({error}): pip install 'nginxlint[server]'\n",
               sys.stderr)
        return 2
    gc.enable()  # a long-lived process, unlike one lint: the collector frees each run's trees (runs still pause it)
    return serve()


def _write(text: str, stream) -> None:
    stream.buffer.write(text.encode("utf-8", "replace")) if hasattr(stream, "buffer") else stream.write(text)
    stream.flush()


def _base_dir(args, paths: list[Path]) -> Path:
    from .repository import find_repository_root  # start-up: `nginxlint --version` and `rules` load no more than they use

    if args.base_dir:
        return Path(os.path.abspath(args.base_dir))
    cwd = Path.cwd()
    first = Path(os.path.abspath(paths[0])) if paths else cwd
    for start in (cwd, first if first.is_dir() else first.parent):
        root = find_repository_root(start)
        if root is not None and (first == root or root in first.parents):
            return root
    return cwd


def _settings(args, paths: list[Path]):
    from .settings import load_settings  # start-up: `nginxlint --version` and `rules` load no more than they use

    start = paths[0] if paths else Path.cwd()
    settings = load_settings(Path(args.config) if args.config else None, args.isolated, Path(os.path.abspath(start)))
    for attribute in ("select", "extend_select", "ignore", "failure_threshold"):
        value = getattr(args, attribute)
        if value is not None:
            setattr(settings, attribute, value)
    if args.prefix:
        settings.prefix = os.path.abspath(args.prefix)
    if args.context:
        settings.context = CONTEXT_NAMES[args.context]
    if args.nginx_version is not None:
        check_nginx_version(args.nginx_version, "--nginx-version")
        settings.nginx_version = args.nginx_version
    if args.lua_nginx_module is not None:
        check_lua_nginx_module(args.lua_nginx_module, "--lua-nginx-module")
        settings.lua_nginx_module = args.lua_nginx_module
    if args.origin_domains is not None:
        settings.origin_domains = args.origin_domains
    if args.origin_https_only:
        settings.origin_https_only = True
    if args.security_headers is not None:
        settings.security_headers = args.security_headers
    if args.extend_security_headers is not None:
        settings.extend_security_headers = args.extend_security_headers
    settings.no_cache = args.no_cache
    settings.dump = args.dump
    if args.manifests:
        settings.manifests = [*settings.manifests, *(os.path.abspath(m) for m in args.manifests)]
    return settings


def lint(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    stdin = None
    paths: list[Path] = []
    for raw in args.paths or ["."]:
        if raw == "-":
            name = args.stdin_filename or "stdin.conf"
            stdin = (Path(os.path.abspath(name)), _read_stdin())
            continue
        path = Path(raw)
        if not os.path.lexists(path):
            _write(f"nginxlint: error: {raw}: no such file or directory\n", sys.stderr)
            return 2
        paths.append(path)
    for option, target in (("-o", args.output), ("--sarif-file", args.sarif_file)):
        directory = os.path.dirname(os.path.abspath(target)) if target else None
        if directory and not os.path.isdir(directory):
            _write(f"nginxlint: error: {option} {target}: the directory {directory} does not exist\n", sys.stderr)
            return 2
    settings = _settings(args, paths)
    from .engine import run, run_parallel  # start-up: `nginxlint --version` and `rules` load no more than they use

    base_dir = _base_dir(args, paths)
    if args.fix or args.diff:
        return _fix(args, paths, settings, base_dir, stdin)
    if stdin is None and args.jobs > 1:
        report = run_parallel(paths, settings, base_dir, args.jobs)
    else:
        report = run(paths, settings, base_dir, stdin)
    if args.show_files:
        lines = [f"read     {path}" for path in report.read]
        lines += [f"skipped  {path}: {why}" for path, why in sorted(report.skipped.items())]
        _write("".join(line + "\n" for line in lines), sys.stdout)
        return 0
    return _output(args, report, settings)


def _output(args, report, settings) -> int:
    from .formats import formatter  # start-up: `nginxlint --version` and `rules` load no more than they use

    name = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full")
    colour = args.color == "always" or (
        args.color == "auto" and not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    )
    if not report.sources and not report.findings:
        _write("nginxlint: no nginx config found under " + " ".join(args.paths or ["."]) + "\n", sys.stderr)
    text = formatter(name)(report, colour=colour)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        _write(text, sys.stdout)
    if args.sarif_file:
        Path(args.sarif_file).write_text(formatter("sarif")(report), encoding="utf-8")
    return _status(args, report, settings)


def _status(args, report, settings) -> int:
    """0 clean, 1 findings at or above the threshold (0 with --exit-zero)."""
    from .engine import exit_status  # start-up: `nginxlint --version` and `rules` load no more than they use

    status = exit_status(report, settings.failure_threshold)
    return 0 if args.exit_zero and status == 1 else status


def _fix(args, paths: list[Path], settings, base_dir: Path, stdin) -> int:
    """--fix: write the fixes, report what is left; --diff: print them, write nothing, exit 1 if any."""
    from .autofix import fix_rounds, unified_diff, write  # only --fix and --diff

    if args.show_files:
        _write("nginxlint: error: --show-files cannot be combined with --fix or --diff\n", sys.stderr)
        return 2
    done = fix_rounds(paths, settings, base_dir, args.unsafe_fixes, stdin)
    hint = ""
    if done.unsafe_left and not args.unsafe_fixes:
        hint = f" ({done.unsafe_left} more with --unsafe-fixes)"
    if args.diff:
        _write(unified_diff(done, base_dir), sys.stdout)
        files = len(done.changed)
        _write(f"nginxlint: {done.applied} fix{'es' if done.applied != 1 else ''} would change {files} "
               f"file{'s' if files != 1 else ''}{hint}\n", sys.stderr)
        return 1 if done.changed else 0
    stdin_path = Path(os.path.abspath(stdin[0])) if stdin else None
    write(done, skip=stdin_path)
    _write(f"nginxlint: fixed {done.applied} finding{'s' if done.applied != 1 else ''} in {len(done.changed)} "
           f"file{'s' if len(done.changed) != 1 else ''}{hint}\n", sys.stderr)
    if stdin_path is not None:  # as ruff does: the fixed text on standard output, for an editor to take
        _write(done.changed.get(stdin_path, stdin[1]), sys.stdout)
        return _status(args, done.report, settings)
    return _output(args, done.report, settings)


def _read_stdin() -> str:
    from .sources import decode  # start-up: `nginxlint --version` and `rules` load no more than they use

    return decode(sys.stdin.buffer.read())


# The oldest Python nginxlint runs on: its parser's patterns use possessive quantifiers (Python 3.11).
OLDEST_PYTHON = (3, 11)


def main(argv: list[str] | None = None) -> int:
    if sys.version_info < OLDEST_PYTHON:
        print(f"nginxlint: needs Python {'.'.join(map(str, OLDEST_PYTHON))} or later (this is "
              f"{sys.version.split()[0]})", file=sys.stderr)
        return 2
    if argv is None:  # the process's own command line: `nginxlint ...`, `python -m nginxlint ...`
        # One command, then the process exits. A config tree is cyclic (parent links), so freeing it is the
        # collector's job: a pass over everything a large run built, a fifth of its time, then another at exit,
        # for memory the OS takes back anyway. The collector stays off and what exists at the end is frozen out
        # of the exit-time pass. Called with argv (tests, embedding), the collector is left as it was.
        gc.disable()
        try:
            return _main(sys.argv[1:])
        finally:
            gc.freeze()
    return _main(list(argv))


def _main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["rule"]:
            if len(argv) != 2:
                _write("nginxlint: error: usage: nginxlint rule CODE\n", sys.stderr)
                return 2
            return _print_rule(argv[1])
        if argv[:1] == ["rules"]:
            return _print_rules(argv[1:])
        if argv[:1] == ["graph"]:
            return _graph(argv[1:])
        if argv[:1] == ["server"]:
            return _serve(argv[1:])
        return lint(argv)
    except SettingsError as error:
        _write(f"nginxlint: error: {error}\n", sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 2
    except Exception as error:  # never a traceback for the user; NGINXLINT_DEBUG=1 shows it
        if os.environ.get("NGINXLINT_DEBUG"):
            raise
        missing = error.name if isinstance(error, ModuleNotFoundError) else None
        if missing and missing.split(".")[0] != "nginxlint":  # another Python on the PATH, without the dependencies
            _write(f"nginxlint: error: `{missing}`, which nginxlint needs, is not installed for this Python "
                   f"({sys.version.split()[0]}, {sys.executable}): install nginxlint with it "
                   "(`python -m pip install nginxlint`)\n", sys.stderr)
            return 2
        _write(f"nginxlint: internal error: {type(error).__name__}: {error}; please report it "
               "(NGINXLINT_DEBUG=1 shows the traceback)\n", sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
