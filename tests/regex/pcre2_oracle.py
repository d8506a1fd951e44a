"""Ask the real PCRE2 (Debian's `pcre2test`, from pcre2-utils) whether patterns compile, and what groups they have.

Patterns go to one pcre2test process in hexadecimal (so any character, the delimiter included, passes through as
it is) with `info`, which prints the capture count and the named groups; a compile error prints
`Failed: error N at offset K: message`. nginx compiles location and other regexes with pcre2_compile() and only
PCRE2_CASELESS for `~*`, no UTF: pcre2test's defaults are the same.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

PCRE2TEST = shutil.which("pcre2test")
_FAILED = re.compile(r"Failed: error (\d+) at offset (\d+): (.*)")
_COUNT = re.compile(r"Capture group count = (\d+)")
_NAME = re.compile(r"  (\S+) +(\d+)$")


@dataclass
class Compiled:
    pattern: str
    ok: bool = True
    error: str | None = None  # PCRE2's message
    offset: int | None = None
    captures: int = 0
    names: dict[str, list[int]] = field(default_factory=dict)


def missing() -> str | None:
    return None if PCRE2TEST else "pcre2test is not installed (Debian package pcre2-utils)"


def compile_many(patterns: list[str], caseless: bool = False) -> list[Compiled]:
    """One Compiled per pattern, in order, from a single pcre2test run."""
    modifiers = "hex,info" + (",caseless" if caseless else "")
    lines = []
    encoded = [pattern.encode("utf-8", "surrogateescape") for pattern in patterns]  # what nginx hands PCRE2
    for data in encoded:
        lines.append(f"/{data.hex(' ')}/{modifiers}\n\n")
    with tempfile.NamedTemporaryFile("w", suffix=".in", delete=False) as handle:
        handle.write("".join(lines))
        name = handle.name
    try:
        out = subprocess.run([PCRE2TEST, "-q", name], capture_output=True, timeout=600).stdout
    finally:
        import os

        os.unlink(name)
    results: list[Compiled] = []
    in_names = False
    for line in out.decode("latin-1").split("\n"):
        if line.startswith("/") and line.endswith("/" + modifiers):
            results.append(Compiled(patterns[len(results)]))
            in_names = False
            continue
        if not results:
            continue
        current = results[-1]
        if (m := _FAILED.match(line)):
            # PCRE2 counts bytes; nginxlint.regex reports positions in the str pattern
            offset = len(encoded[len(results) - 1][:int(m.group(2))].decode("utf-8", "surrogateescape"))
            current.ok, current.error, current.offset = False, m.group(3), offset
        elif (m := _COUNT.match(line)):
            current.captures = int(m.group(1))
        elif line == "Named capture groups:":
            in_names = True
        elif in_names and (m := _NAME.match(line)):
            current.names.setdefault(m.group(1), []).append(int(m.group(2)))
        else:
            in_names = False
    if len(results) != len(patterns):
        raise RuntimeError(f"pcre2test answered for {len(results)} of {len(patterns)} patterns")
    return results


def exceeds_match_limit(cases: list[tuple[str, str]], limit: int = 1_000_000) -> list[bool]:
    """For each (pattern, subject), whether PCRE2's interpreter gives up on the match limit (error -47): the
    backtracking explosion a ReDoS pattern suffers. Subjects are ASCII without backslashes."""
    lines = []
    for pattern, subject in cases:
        lines.append(f"/{pattern.encode('utf-8').hex(' ')}/hex\n{subject}\\=match_limit={limit}\n\n")
    with tempfile.NamedTemporaryFile("w", suffix=".in", delete=False) as handle:
        handle.write("".join(lines))
        name = handle.name
    try:
        out = subprocess.run([PCRE2TEST, "-q", name], capture_output=True, timeout=600).stdout.decode("latin-1")
    finally:
        import os

        os.unlink(name)
    blocks = [block for block in out.split("\n\n") if block.strip()]
    if len(blocks) != len(cases):
        raise RuntimeError(f"pcre2test answered for {len(blocks)} of {len(cases)} cases")
    return ["match limit exceeded" in block for block in blocks]
