"""Reports built by hand for the format tests, with what real runs produce: multi-line spans, include chains, suppressions,
a file nginx cannot parse, paths with spaces and non-ASCII, messages holding %, :, ',' and CR/LF."""
from __future__ import annotations

import functools
from pathlib import Path

import pytest

from nginxlint.catalog import RuleInfo
from nginxlint.findings import Edit, Finding, Fix, Location, Notification, Report, Span, Suppression
from nginxlint.sources import SourceFile

DOC = """## What it does

Checks that every `ngx.shared.NAME` the Lua code uses is declared
with `lua_shared_dict NAME SIZE;` in the http block.

## Why is this bad?

`ngx.shared.NAME` is nil for an undeclared dict: the first request errors with a 500.

## Example

```nginx fail
content_by_lua_block { ngx.shared.cache:set("k", 1) }
```
"""

RULES = {
    "CTR101": RuleInfo("CTR101", "worker-processes-auto", "warning",
                       "`worker_processes auto` counts the node's CPUs, not the container's limit",
                       ("container", "performance"), "high", None, "## What it does\n\nFlags it.\n"),
    "LUA202": RuleInfo("LUA202", "undeclared-shared-dict", "error",
                       "A shared dict is used but never declared", ("lua", "openresty"), "high", None, DOC),
    "MET302": RuleInfo("MET302", "unprotected-metrics-endpoint", "info",
                       "The metrics endpoint is reachable by anyone", ("metrics", "security"), "medium", "5.3",
                       "## What it does\n\nFlags a metrics location without allow/deny.\n"),
    "NGX001": RuleInfo("NGX001", "syntax-error", "error", "nginx cannot parse this file", ("validity",),
                       "high", None, "## What it does\n\nReports what nginx's parser rejects.\n"),
}

API = "conf/vhosts/api gateway ü.conf"


def make_findings() -> list[Finding]:
    findings = [
        Finding("CTR101", "worker-processes-auto", "warning",
                "worker_processes auto: the node has 64 CPUs, the pod's limit is 2, so 62 workers idle",
                "conf/nginx.conf", Span(1, 1, 1, 23), help="worker_processes 2;",
                fix=Fix("Set `worker_processes 2;`", (Edit("conf/nginx.conf", Span(1, 18, 1, 22), "2"),))),
        Finding("CTR101", "worker-processes-auto", "warning", "duplicate, suppressed",
                "conf/nginx.conf", Span(2, 1, 2, 23),
                suppression=Suppression("conf/nginx.conf", 2, "pinned by the chart, 100% intended")),
        Finding("LUA202", "undeclared-shared-dict", "error",
                'ngx.shared.cache is used but no "lua_shared_dict cache" is declared\r\nin the http block, 100%',
                API, Span(12, 9, 15, 4),
                related=(Location("conf/nginx.conf", Span(20, 5, 20, 35), "included from here"),
                         Location("lua/cache.lua", Span(3, 1, 3, 10), ""))),
        Finding("LUA202", "undeclared-shared-dict", "error",
                'ngx.shared.cache is used but no "lua_shared_dict cache" is declared\r\nin the http block, 100%',
                API, Span(30, 9, 30, 25),
                fix=Fix("Declare `lua_shared_dict cache 10m;`",
                        (Edit.insert("conf/nginx.conf", 3, 5, "lua_shared_dict cache 10m;\n    "),), "unsafe")),
        Finding("MET302", "unprotected-metrics-endpoint", "info", "location /metrics: no allow/deny, <open> & \"public\"",
                API, Span(40, 3, 40, 20)),
        Finding("NGX001", "syntax-error", "error", 'unexpected "}"', "conf/broken.conf", Span(7, 1, 7, 2)),
        Finding("NL999", "internal-error", "error", "the Lua analysis of lua/x.lua crashed: KeyError",
                "lua/x.lua", Span(1, 1, 1, 2)),
    ]
    return sorted(findings, key=lambda f: f.sort_key)


# The lines the findings above point at; conf/broken.conf and the Lua files are left out on purpose.
SOURCE_LINES = {
    "conf/nginx.conf": {1: "worker_processes auto;", 2: "worker_processes auto;  # nginxlint: ignore[CTR101]",
                        20: "    include vhosts/*.conf;"},
    API: {12: "        content_by_lua_block { ngx.shared.cache:get(k) }",
          30: "\tcontent_by_lua_block {   ngx.shared.cache:get(k) }\r", 40: "  location /metrics {"},
}


def make_sources(shift: int = 0, edits: dict | None = None) -> dict:
    """SourceFiles holding SOURCE_LINES, each `shift` lines further down; `edits` maps (path, line) to new text."""
    sources = {}
    for display, lines in SOURCE_LINES.items():
        lines = {**lines, **{line: text for (path, line), text in (edits or {}).items() if path == display}}
        body = ["# filler"] * (max(lines) + shift)
        for number, text in lines.items():
            body[number + shift - 1] = text
        sources[display] = SourceFile(Path("/nowhere") / display, display, "\n".join(body) + "\n")
    return sources


def make_report(findings=None, notifications=None, base_dir="/home/ci/work/my repo", sources=None) -> Report:
    return Report(
        findings=make_findings() if findings is None else findings,
        rules=dict(RULES),
        notifications=[
            Notification("error", "conf/broken.conf: unexpected end of file, expecting \"}\"", "conf/broken.conf",
                         Span(9, 1, 9, 1), "NGX001"),
            Notification("warning", "lua/bin.lua is not UTF-8, skipped", "lua/bin.lua", None, None),
            Notification("note", "3 files checked", None, None, None),
        ] if notifications is None else notifications,
        base_dir=base_dir,
        version="0.1.0",
        files_checked=5,
        sources=make_sources() if sources is None else sources,
    )


ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def sample_names() -> list[str]:
    """The sample deployments (directories under samples/), or a skip marker while there are none."""
    names = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()) if SAMPLES.is_dir() else []
    return names or [pytest.param(None, marks=pytest.mark.skip(reason="samples/ holds no sample yet"))]


def run_cli(*args: str):
    """`python -m nginxlint ARGS` from the project root, paths reported relative to it, nothing cached."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-m", "nginxlint", "--no-cache", "--base-dir", ".", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode in (0, 1), f"exit {done.returncode}: {done.stderr}"
    return done


@functools.lru_cache(maxsize=None)
def sample_output(sample: str, format_name: str) -> str:
    """One run per sample and format for the whole session: several tests read the same output."""
    return run_cli("--format", format_name, f"samples/{sample}").stdout
