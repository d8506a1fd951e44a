"""The directive table against the real nginx: every directive of Debian's nginx and of every `libnginx-mod-*`
module installed here, probed with `nginx -t` in each context and with argument counts around its limits.

The directives come from the command tables of the binary and of each module (`nginx_commands`); which contexts and
counts nginx accepts is asked of nginx. A probe is one line (`server { location / { NAME 1 1; } }`); many probes go
in one config, and nginx -t stops at the first one it rejects, naming its line: the probes before it were accepted,
the run goes on from the next one. A marker directive nginx does not know ends each config inside its block, so the
block's post-processing never runs and every error comes from a probe. nginx's verdict for a probe:

- `unknown directive`, `is not allowed here`: as said;
- `invalid number of arguments`, `is not terminated by ";"`, `has no opening "{"`: the arguments do not fit;
- `it must be "on" or "off"`: the value of a flag (nginxlint checks it with the table too);
- any other error (the value `1` is not a size, a file does not exist...) or none: the context and the count fit.

nginxlint's `check_directive` must give the same verdict for every probe, except for the directives in `KNOWN`, where
the table follows a newer nginx or NGINX Plus on purpose (each with its reason).
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from lintkit import MODULES_DIR, NGINX
from nginx_commands import Command, needed_modules, read_commands

from nginxlint.nginx import directives

END = "nginxlint_probe_end"

# Contexts nginxlint checks, per kind of module, with the nginx context bit that allows a directive there and the
# one-line wrapper that puts a probe there (`{i}` makes names and ports unique).
CONTEXTS = {
    "CORE": [((), 0x01000000, "{probe}")],
    "EVENT": [(("events",), 0x02000000, "{probe}")],
    "HTTP": [
        (("http",), 0x02000000, "{probe}"),
        (("http", "server"), 0x04000000, "server {{ {probe} }}"),
        (("http", "location"), 0x08000000, "server {{ location / {{ {probe} }} }}"),
        (("http", "upstream"), 0x10000000, "upstream u{i} {{ server 127.0.0.1:1; {probe} }}"),
        (("http", "server", "if"), 0x20000000, "server {{ if ($args) {{ {probe} }} }}"),
        (("http", "location", "if"), 0x40000000, "server {{ location / {{ if ($args) {{ {probe} }} }} }}"),
        (("http", "location", "limit_except"), 0x80000000,
         "server {{ location / {{ limit_except GET {{ {probe} }} }} }}"),
    ],
    "STREAM": [
        (("stream",), 0x02000000, "{probe}"),
        (("stream", "server"), 0x04000000, "server {{ listen 127.0.0.1:{port}; {probe} }}"),
        (("stream", "upstream"), 0x08000000, "upstream u{i} {{ server 127.0.0.1:1; {probe} }}"),
    ],
    "MAIL": [
        (("mail",), 0x02000000, "{probe}"),
        (("mail", "server"), 0x04000000, "server {{ listen 127.0.0.1:{port}; protocol smtp; {probe} }}"),
    ],
}
CONTEXTS["CONF"] = [c for kind in ("CORE", "EVENT", "HTTP", "STREAM", "MAIL") for c in CONTEXTS[kind]]  # include
WRAPPERS = {ctx: wrapper for kind in CONTEXTS.values() for ctx, _bit, wrapper in kind}
BLOCKS = {(): "", ("events",): "events", ("http",): "http", ("stream",): "stream", ("mail",): "mail"}

# nginx's argument bits (ngx_conf_file.h)
TAKE, BLOCK, FLAG, ANY, MORE1, MORE2 = 0xFF, 0x100, 0x200, 0x400, 0x800, 0x1000

# Directive -> why nginx and the table disagree on it. The table describes current nginx and NGINX Plus; Debian 12
# ships nginx 1.22 and njs 0.7.9. None of these is about a value nginx checks by counting.
KNOWN: dict[str, str] = {
    "resolver": "allowed in an upstream block since nginx 1.27.3 (re-resolvable servers); 1.22 does not know it there",
    "resolver_timeout": "allowed in an upstream block since nginx 1.27.3, like resolver",
    "js_set": "njs 0.8.6 added a third argument, `nocache`; njs 0.7.9 takes two",
    "limit_req_zone": "NGINX Plus takes a fourth argument, `sync` (zone synchronisation); open-source nginx takes three",
}


@dataclass(frozen=True)
class Probe:
    name: str
    ctx: tuple[str, ...]
    count: int
    block: bool

    def line(self, wrapper: str, i: int) -> str:
        probe = " ".join([self.name] + ["1"] * self.count) + (" { }" if self.block else ";")
        return wrapper.format(probe=probe, i=i, port=20000 + i)


def verdict_of_nginx(name: str, message: str | None) -> str:
    if message is None:
        return "accepted"
    if message == f'unknown directive "{name}"':
        return "unknown"
    if message == f'"{name}" directive is not allowed here':
        return "not allowed"
    if message in (f'invalid number of arguments in "{name}" directive', f'directive "{name}" is not terminated by ";"',
                   f'directive "{name}" has no opening "{{"'):
        return "arguments"
    if message.endswith(f'in "{name}" directive, it must be "on" or "off"'):
        return "flag value"
    return "accepted"


def verdict_of_table(probe: Probe) -> str:
    problem = directives.check_directive(probe.name, ["1"] * probe.count, probe.ctx, probe.block)
    if problem is None:
        return "accepted"
    if problem.code == "NGX004":
        return "unknown"
    if problem.code == "NGX005":
        return "not allowed"
    return "flag value" if problem.message.startswith("invalid value") else "arguments"


def most_args(bits: int) -> int:
    """The most arguments a mask takes, capped: probing one more shows the limit, 8 shows nginx's own maximum."""
    if bits & (ANY | MORE1 | MORE2):
        return 3
    if bits & FLAG:
        return 1
    return max((n for n in range(8) if bits & (1 << n)), default=0)


def plan(commands: list[Command], available: set[str]) -> list[Probe]:
    """Probes for every directive these commands define, in the contexts of their kind of module.

    Contexts where the same command of nginx answers and the table gives the same answers are probed as one: each
    gets a probe, and together they cover every count from 0 to one past the larger limit (and 8).
    """
    probes: list[Probe] = []
    by_name: dict[str, list[Command]] = {}
    for command in commands:
        by_name.setdefault(command.name, []).append(command)
    for name, defined in by_name.items():
        kinds = {c.module_type for c in defined if c.module_type in CONTEXTS}
        contexts = [c for kind in CONTEXTS for c in CONTEXTS[kind] if kind in kinds and _kind(c[0]) in available]
        seen = set()
        contexts = [c for c in contexts if not (c[0] in seen or seen.add(c[0]))]
        classes: dict[tuple, list[tuple[str, ...]]] = {}
        for ctx, bit, _wrapper in contexts:
            # nginx asks the first module of the block's kind (or the conf module) that allows the directive here
            answering = next((c for c in defined if c.type & bit and c.module_type in ("CONF", _kind(ctx))), None)
            table = tuple(verdict_of_table(Probe(name, ctx, n, b)) for n in range(9) for b in (False, True))
            classes.setdefault((answering, table), []).append(ctx)
        for (answering, table), ctxs in classes.items():
            if answering is None and set(table) <= {"not allowed", "unknown"}:
                probes.append(Probe(name, ctxs[0], 1, False))  # nginx and the table agree it is not allowed here
                continue
            bits = answering.type if answering else 0
            fits = [verdict in ("accepted", "flag value") for verdict in table]  # the table's verdicts, by count
            top = min(8, max(most_args(bits), max((n for n in range(9) if fits[2 * n] or fits[2 * n + 1]),
                                                  default=0)) + 1)
            block = bool(bits & BLOCK) or any(fits[2 * n + 1] for n in range(9))
            unbounded = bits & (ANY | MORE1 | MORE2) or fits[16] or fits[17]
            forms = [(n, block) for n in sorted(set(range(top + 1)) | ({8} if unbounded else set()))]
            if block:
                forms.append((next((n for n in range(9) if bits & (1 << n)), 0), False))
            for i in range(max(len(forms), len(ctxs))):
                n, as_block = forms[i % len(forms)]
                probes.append(Probe(name, ctxs[i % len(ctxs)], n, as_block))
    return probes


def _kind(ctx: tuple[str, ...]) -> str:
    """The kind of module whose directives nginx looks at in this context."""
    return {(): "CORE", ("events",): "EVENT"}.get(ctx) or {"http": "HTTP", "stream": "STREAM", "mail": "MAIL"}[ctx[0]]


def run_batch(loads: list[Path], probes: list[Probe]) -> dict[Probe, str | None]:
    """nginx's message for each probe (None: accepted without error), running nginx -t until every probe is seen."""
    results: dict[Probe, str | None] = {}
    with tempfile.TemporaryDirectory(prefix="nginxlint-probe-") as root:
        (Path(root) / "logs").mkdir()
        rest = list(probes)
        while rest:
            at, message = _first_error(Path(root), loads, rest)
            if at is None:
                results.update((p, None) for p in rest)
                break
            results.update((p, None) for p in rest[:at])
            results[rest[at]] = message
            rest = rest[at + 1:]
    return results


def _first_error(root: Path, loads: list[Path], probes: list[Probe]) -> tuple[int | None, str]:
    """(index of the probe nginx -t stops at, its message); (None, "") when it reads them all."""
    head = [f"load_module {path};" for path in loads] + ["pid logs/nginx.pid;", "error_log logs/error.log;"]
    block = BLOCKS[probes[0].ctx[:1]]
    if block:
        head.append(f"{block} {{")
    lines = [p.line(WRAPPERS[p.ctx], i) for i, p in enumerate(probes)]
    (root / "nginx.conf").write_text("\n".join(head + lines + [f"{END};", "}" if block else ""]) + "\n")
    proc = subprocess.run([NGINX, "-t", "-q", "-p", f"{root}/", "-c", f"{root}/nginx.conf"], capture_output=True,
                          text=True, timeout=60)
    found = re.search(r"\[emerg\] \d+#\d+: (.*) in \S+:(\d+)\n", proc.stderr)
    if found is None:
        # An error nginx does not place (a handler's library call failed, a crash): not an argument or context
        # error. Find the probe that causes it by bisection.
        assert proc.returncode != 0, proc.stderr
        low, high = 0, len(probes)  # probes[:low] pass, probes[:high] fail
        while high - low > 1:
            middle = (low + high) // 2
            if _first_error(root, loads, probes[:middle])[0] is not None:
                high = middle
            else:
                low = middle
        return low, (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[0]
    message, at = found.group(1), int(found.group(2)) - len(head) - 1
    if at == len(probes) and message == f'unknown directive "{END}"':
        return None, ""
    assert 0 <= at < len(probes), f"nginx failed outside the probes: {proc.stderr}"
    return at, message


def batches() -> list[tuple[str, list[Path], list[Probe]]]:
    """(what, modules to load, probes), probes of one block kind per batch, in pieces for two workers."""
    modules = sorted(MODULES_DIR.glob("*.so"))
    work = [("nginx", [], read_commands(Path(os.path.realpath(NGINX))))]
    for module in modules:
        loads = needed_modules(module, modules) + [module]
        work.append((module.name, loads, read_commands(module)))
    out = []
    for what, loads, commands in work:
        available = {"CORE", "EVENT", "HTTP"} | {c.module_type for path in loads for c in read_commands(path)}
        by_block: dict[tuple[str, ...], list[Probe]] = {}
        for probe in plan(commands, available):
            by_block.setdefault(probe.ctx[:1], []).append(probe)
        for probes in by_block.values():
            for start in range(0, len(probes), 150):
                out.append((what, loads, probes[start:start + 150]))
    return out


@pytest.fixture(scope="module")
def verdicts():
    if NGINX is None:
        pytest.skip("nginx is not installed")
    try:
        import elftools  # noqa: F401
    except ImportError:
        pytest.skip("pyelftools is not installed")
    work = batches()  # the binary's own directives, and those of whichever modules are installed
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda job: (job[0], run_batch(job[1], job[2])), work))
    return results


def test_the_directive_table_agrees_with_nginx(verdicts):
    disagreements = {}
    for what, results in verdicts:
        for probe, message in results.items():
            said = verdict_of_nginx(probe.name, message)
            table = verdict_of_table(probe)
            if said != table:
                disagreements.setdefault((probe.name, probe.ctx), []).append(
                    f"{what}: {probe.name} with {probe.count} argument(s){' and a block' if probe.block else ''} in "
                    f"{'/'.join(probe.ctx) or 'main'}: nginx {said} ({message}), the table {table}")
    unexplained = [line for (name, _ctx), lines in sorted(disagreements.items()) if name not in KNOWN for line in lines]
    assert not unexplained, f"{len(unexplained)} disagreements:\n" + "\n".join(unexplained)
    stale = sorted(set(KNOWN) - {name for name, _ctx in disagreements})
    assert not stale, f"KNOWN entries nginx and the table now agree on: {stale}"


def test_every_module_was_probed(verdicts):
    """The probes covered the binary and each module, and nginx rejected some of them (the probing can fail)."""
    probed = {what for what, _ in verdicts}
    assert "nginx" in probed and "ngx_http_lua_module.so" in probed
    said = [verdict_of_nginx(p.name, m) for _, results in verdicts for p, m in results.items()]
    assert {"accepted", "not allowed", "arguments"} <= set(said)
