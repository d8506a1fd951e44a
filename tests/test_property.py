"""Any input ends in findings or a clean result with exit status 0, 1 or 2: never a traceback."""
from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lintkit import ROOT, run_cli

EXAMPLES = int(os.environ.get("NGINXLINT_PROPERTY_EXAMPLES", "60"))
TOKENS = st.sampled_from([
    "http", "server", "location", "/", "{", "}", ";", "listen", "80", '"', "'", "#", "\n", " ", "\\", "$", "${x}",
    "content_by_lua_block", "init_by_lua_block", "[[", "]]", "--[==[", "]==]", "--", "include", "*.conf",
    "lua_shared_dict", "10m", "env", "worker_processes", "auto", "events", "ngx.shared.d", "os.getenv('X')",
    "require 'm'", "\ufeff", "\t", "\r", "\x00", "é", "\udcff",
])
SAMPLE_FILES = sorted(p for p in (ROOT / "samples").rglob("*") if p.is_file() and p.suffix in (".conf", ".lua", ".yaml"))
CASE = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def _lint(tmp: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    result = run_cli([str(tmp), "--format", "json", "--base-dir", str(tmp), "--isolated"], cwd=tmp)
    assert result.status in (0, 1, 2), result.err
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert result.status == 2 or result.json is not None


@CASE
@given(soup=st.lists(TOKENS, max_size=80), include=st.lists(TOKENS, max_size=30))
def test_token_soup(tmp_path_factory, soup, include):
    tmp = tmp_path_factory.mktemp("soup")
    encode = lambda tokens: "".join(tokens).encode("utf-8", "surrogateescape")  # noqa: E731
    _lint(tmp, {"conf/nginx.conf": encode(["events {}\nhttp { include x.conf;\n", *soup]),
                "conf/x.conf": encode(include)})


@CASE
@given(data=st.data())
def test_truncated_and_mutated_samples(tmp_path_factory, data):
    if not SAMPLE_FILES:
        return
    source = data.draw(st.sampled_from(SAMPLE_FILES))
    text = source.read_bytes()
    cut = data.draw(st.integers(0, len(text)))
    mutation = data.draw(st.sampled_from(["cut", "drop", "duplicate", "swap-quotes"]))
    if mutation == "cut":
        text = text[:cut]
    elif mutation == "drop" and text:
        text = text[:cut] + text[cut + 1:]
    elif mutation == "duplicate":
        lines = text.split(b"\n")
        at = min(cut, len(lines) - 1)
        text = b"\n".join(lines[:at] + [lines[at]] + lines[at:])
    else:
        text = text.replace(b'"', b"\0").replace(b"'", b'"').replace(b"\0", b"'")
    tmp = tmp_path_factory.mktemp("mutated")
    sample = source.relative_to(ROOT / "samples").parts[0]
    for path in (ROOT / "samples" / sample).rglob("*"):
        if path.is_file():
            target = tmp / path.relative_to(ROOT / "samples" / sample)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    _lint(tmp, {str(source.relative_to(ROOT / "samples" / sample)): text})
