"""Every regular expression nginxlint compiles, fed its worst case: each call must finish in well under a second.

The patterns are found, not listed: every `re.Pattern` held by a module of the package (and the lazily built
Lua token pattern). Each gets long runs of every character its source mentions, of pairs of them, and of the
usual troublemakers, with and without a character that makes the match fail at the end. `match` is timed for
every pattern; `search` (which retries at every offset) for the patterns the code scans with, and `fullmatch`
(which backtracks into every way the pattern could have split the text) for those the code calls it on.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import time

import pytest

import nginxlint

RUN = 20_000  # characters per input: a quadratic pattern takes seconds on this, a linear one microseconds
LIMIT = 1.0  # seconds per call; generous on purpose (shared CI machines), still far below a backtracking blowup
SCANNING_CALLS = ("search", "finditer", "findall", "sub", "subn", "split")
# Patterns whose callers bound the input: name -> (largest input that reaches the pattern, why).
GUARDED = {
    "nginxlint.container.quantity._DURATION_PART": (100, "parse_duration returns None above _MAX_DIGITS characters"),
}
# Reported product bugs (strict xfail: the fix turns the test red until the entry goes).
SLOW: dict[str, str] = {}
TROUBLE = ("\\", '"', "'", "$", "${", "{", "}", "#", "--", "--[", "[=", "[[", "]=", "-- ", "\\z", "0x", "1.", "1e",
           "1e+", "a", "0", " ", "\t", "\n", "\r\n", ":", "::", "=", "/", "*", "{{", "{{-", ".", "ü", "\udc80")


def _modules():
    for info in pkgutil.walk_packages(nginxlint.__path__, "nginxlint."):
        if info.name.endswith("__main__"):
            continue
        try:
            yield importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - a module that cannot be imported here has no pattern to test
            continue


def _patterns():
    found = {}
    for module in _modules():
        try:
            source = inspect.getsource(module)
        except (OSError, TypeError):
            source = ""
        builder = getattr(module, "token_regex", None)
        if callable(builder):
            found[f"{module.__name__}.token_regex()"] = (builder(), ("match", "search"))
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                calls = ["match", *(call for call in ("search", "fullmatch") if f"{name}.{call}(" in source)]
                if any(f"{name}.{call}(" in source for call in SCANNING_CALLS):
                    calls.append("search")
                found.setdefault(f"{module.__name__}.{name}", (value, tuple(dict.fromkeys(calls))))
    return found


PATTERNS = _patterns()


def _inputs(pattern: re.Pattern):
    source = pattern.pattern if isinstance(pattern.pattern, str) else pattern.pattern.decode("latin-1")
    literals = sorted({c for c in source if c.isprintable() and c not in "()?:|*+"} | {" ", "\n", "\t"})[:60]
    pieces = list(dict.fromkeys([*TROUBLE, *literals]))
    for piece in pieces:
        run = piece * (RUN // len(piece))
        yield run
        yield run + "\x00"
    for first in literals[:25]:
        for second in ("\\", " ", "a", "0", "-", "[", "=", '"', "'", "\n", "$", "{"):
            yield (first + second) * (RUN // 2) + "\x00"


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=SLOW[name])) if name in SLOW else name
    for name in sorted(PATTERNS)
])
def test_pattern_is_fast_on_adversarial_input(name):
    pattern, call_names = PATTERNS[name]
    calls = [getattr(pattern, call) for call in call_names]
    if not isinstance(pattern.pattern, str):
        pytest.skip("bytes pattern")
    size = GUARDED.get(name, (None, ""))[0]
    worst, worst_input = 0.0, ""
    for text in _inputs(pattern):
        if size is not None:
            text = text[:size]
        if worst >= LIMIT:
            break
        for call in calls:
            start = time.perf_counter()
            call(text)
            elapsed = time.perf_counter() - start
            if elapsed > worst:
                worst, worst_input = elapsed, f"{call.__name__}({text[:40]!r}... len {len(text)})"
    assert worst < LIMIT, f"{name} took {worst:.2f} s on {worst_input}"


def test_guarded_inputs_are_refused_before_the_pattern():
    from nginxlint.container.quantity import parse_duration

    start = time.perf_counter()
    assert parse_duration("0" * RUN + "x") is None
    assert time.perf_counter() - start < LIMIT


def test_patterns_were_found():
    # the parser's and the Lua lexer's patterns at least; an empty list would make the test above vacuous
    assert len(PATTERNS) >= 10
    assert any("nginx.parser" in name for name in PATTERNS)
    assert any("token_regex" in name for name in PATTERNS)
