"""nginxlint.regex against the real PCRE2 (pcre2test, Debian's pcre2-utils; nginx 1.22.1 on Debian links the
same libpcre2-8 10.42): the same patterns accepted and refused, the same capture count, the same group names.

Three sets: thousands of seeded generated patterns (every construct, a third of them broken by a mutation), the
hand-written nginx-style patterns of pattern_corpus.REALISTIC, and every regex the repository's own nginx
configs hold (samples/, tests/). Error messages and offsets are compared and summarised but must only mostly
agree: PCRE2 reports the first of several errors in its own pass order.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import pcre2_oracle
from pattern_corpus import generated, realistic
from nginxlint.regex import RegexError, parse_regex

ROOT = Path(__file__).resolve().parents[2]
GENERATED = int(os.environ.get("NGINXLINT_REGEX_DIFF_COUNT", "4000"))

pytestmark = pytest.mark.skipif(pcre2_oracle.missing() is not None, reason=str(pcre2_oracle.missing()))


def ours(pattern: str, caseless: bool = False):
    """(accepted, capture count, {name: first number}, error) as nginxlint.regex reads the pattern."""
    try:
        regex = parse_regex(pattern, caseless)
    except RegexError as error:
        return False, 0, {}, error
    count = max((c.number for c in regex.captures), default=0)
    return True, count, dict(regex.names), None


def compare(patterns: list[str], caseless: bool = False):
    """(disagreements, same-message count, same-message-and-offset count, both-refused count)."""
    disagreements = []
    same_message = same_offset = both_refused = 0
    for theirs in pcre2_oracle.compile_many(patterns, caseless):
        accepted, count, names, error = ours(theirs.pattern, caseless)
        if accepted != theirs.ok:
            disagreements.append((theirs.pattern, "accepted" if accepted else f"refused: {error.message}",
                                  theirs.error or "compiles"))
        elif accepted:
            expected = {name: numbers[0] for name, numbers in theirs.names.items()}
            if (count, names) != (theirs.captures, expected):
                disagreements.append((theirs.pattern, f"{count} groups {names}",
                                      f"{theirs.captures} groups {expected}"))
        else:
            both_refused += 1
            if error.message == theirs.error:
                same_message += 1
                same_offset += error.offset == theirs.offset
    return disagreements, same_message, same_offset, both_refused


def config_regexes() -> list[tuple[str, bool]]:
    """Every regex in the nginx configs of samples/ and tests/ (files and the file trees of rule cases)."""
    import yaml

    from nginxlint.nginx.directives import LUA_BLOCK_DIRECTIVES
    from nginxlint.nginx.parser import parse
    from nginxlint.regex.sites import sites_of_directive

    texts = [p.read_text(encoding="utf-8", errors="replace") for base in ("samples", "tests")
             for p in (ROOT / base).rglob("*.conf")]
    for case_file in (ROOT / "tests" / "rules").glob("*.yaml"):
        for case in (yaml.safe_load(case_file.read_text(encoding="utf-8")) or {}).get("cases", []):
            for name, text in (case.get("files") or {}).items():
                if isinstance(text, str) and name.endswith(".conf"):
                    texts.append(text)
    found = []

    def walk(directives, parent=None):
        for d in directives:
            found.extend((site.pattern, site.caseless) for site in sites_of_directive(d, parent))
            if d.block:
                walk(d.block, d)

    for text in texts:
        walk(parse(text, lua_blocks=LUA_BLOCK_DIRECTIVES).directives)
    return sorted(set(found))


def test_generated_patterns_agree_with_pcre2():
    patterns = generated(GENERATED, seed=2024)
    disagreements, same_message, same_offset, refused = compare(patterns)
    print(f"\ngenerated: {len(patterns) - len(disagreements)}/{len(patterns)} agree; of {refused} refused by both, "
          f"{same_message} with PCRE2's message, {same_offset} also at its offset")
    assert disagreements == []
    assert refused > len(patterns) // 4  # the mutations do break patterns
    assert same_message >= 0.85 * refused


def test_caseless_patterns_agree_with_pcre2():
    patterns = generated(500, seed=77)
    disagreements, *_ = compare(patterns, caseless=True)
    assert disagreements == []


def test_realistic_nginx_patterns_agree_with_pcre2():
    patterns = realistic()
    disagreements, same_message, same_offset, refused = compare(patterns)
    assert disagreements == []
    assert refused >= 10 and same_message == refused and same_offset == refused


def test_the_repository_configs_regexes_agree_with_pcre2():
    found = config_regexes()
    assert found  # the samples and rule cases do use regexes
    for caseless in (False, True):
        patterns = [pattern for pattern, flag in found if flag == caseless]
        disagreements, *_ = compare(patterns, caseless)
        assert disagreements == []


# Patterns the ReDoS heuristic flags, and the safe ones it leaves, each with a subject that almost matches.
REDOS_CASES = [
    (r"^(a+)+$", "a" * 40 + "!", True),
    (r"^(\w+\s?)*$", "word " * 12 + "word!", True),
    (r"^(\d+|x)*$", "1" * 40 + "!", True),
    (r"^(.*/)+x$", "/" * 30 + "x!", True),  # an "x" somewhere, or PCRE2 gives up before matching
    (r"^(a|a)*$", "a" * 40 + "!", True),
    (r"^(\w|\d)+$", "1" * 40 + "!", True),
    (r"^(\w+\.?)+$", "a" * 40 + "!", True),
    (r"^(/[^/]+)*$", "/a" * 40 + "/", False),
    (r"^(ab+)*$", "ab" * 40 + "!", False),
    (r"^(a+b)*$", "ab" * 40 + "!", False),
    (r"^(a|ab)*$", "a" * 40 + "!", False),
    (r"^(a++)+$", "a" * 40 + "!", False),
    (r"^(?>a+)+$", "a" * 40 + "!", False),
    (r"^(\w+\.)*\w+$", "a." * 40 + "!", False),
    (r"^(?:[a-z0-9-]+\.)*example\.com$", "a." * 40 + "!", False),
]


def test_redos_heuristic_agrees_with_pcre2s_match_limit():
    blown = pcre2_oracle.exceeds_match_limit([(pattern, subject) for pattern, subject, _ in REDOS_CASES])
    for (pattern, _, risky), exceeded in zip(REDOS_CASES, blown):
        assert bool(parse_regex(pattern).redos) == risky, pattern
        assert exceeded == risky, pattern
