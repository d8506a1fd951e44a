"""nginx -t and nginxlint on the same configs: the rule test cases, the samples, the regression corpus and
generated trees (valid ones and broken ones). Every disagreement must be a documented known gap.

NGINXLINT_FUZZ_EXAMPLES sets how many trees Hypothesis generates (default 40; CI nightly may run thousands);
NGINXLINT_FUZZ_SAVE=DIR writes each unexplained generated case there, ready to be minimised into corpus/.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import config_strategies
import differential
import nginx_check

pytestmark = pytest.mark.skipif(nginx_check.unavailable_reason() is not None,
                                reason=f"differential tests need nginx: {nginx_check.unavailable_reason()}")

FUZZ_EXAMPLES = int(os.environ.get("NGINXLINT_FUZZ_EXAMPLES", "40"))
OUTCOMES: dict[str, list[differential.Outcome]] = {"fixed cases": [], "generated": []}


@pytest.fixture(scope="module", autouse=True)
def agreement_rate(request):
    """With -v: print the agreement rate of this run, and every disagreement with its reason, after the module."""
    yield
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if reporter is None or capture is None or request.config.getoption("verbose") < 1:
        return
    with capture.global_and_fixture_disabled():
        for label, outcomes in OUTCOMES.items():
            if outcomes:
                reporter.write_line(f"\nnginx -t differential, {label}:")
                for line in differential.summarize(outcomes).splitlines():
                    reporter.write_line("  " + line)


def _fixed_cases():
    return [pytest.param(case, id=case.name) for case in
            [*differential.rule_cases(), *differential.sample_cases(), *differential.corpus_cases()]]


@pytest.mark.parametrize("case", _fixed_cases())
def test_fixed_case_agrees_with_nginx(case):
    outcome = differential.check_case(case)
    OUTCOMES["fixed cases"].append(outcome)
    if outcome.gap and outcome.gap.startswith("product bug"):
        pytest.xfail(f"{outcome.gap}: {outcome.detail}")
    assert outcome.explained, differential.summarize([outcome])


def _save(files: dict, outcome: differential.Outcome) -> None:
    target = os.environ.get("NGINXLINT_FUZZ_SAVE")
    if not target or outcome.explained:
        return
    digest = hashlib.sha1(repr(sorted(files.items())).encode("utf-8", "surrogateescape")).hexdigest()[:10]
    differential.Case("saved", files, "conf/nginx.conf").write(Path(target) / f"found-{digest}")


@settings(max_examples=FUZZ_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(config_strategies.nginx_tree(), config_strategies.broken_tree()))
def test_generated_config_agrees_with_nginx(files):
    outcome = differential.check_case(differential.Case("generated", files, "conf/nginx.conf"))
    OUTCOMES["generated"].append(outcome)
    _save(files, outcome)
    assert outcome.explained, differential.summarize([outcome]) + "\n" + "\n".join(
        f"--- {name}\n{text}" for name, text in files.items())


def test_every_reported_bug_still_shows_in_the_corpus():
    """A fixed bug turns this red: then its entry in known_gaps.BUGS goes (and the corpus case simply agrees)."""
    import known_gaps

    seen = {differential.check_case(case).gap for case in differential.corpus_cases()}
    stale = [bug.reason for bug in known_gaps.BUGS if "product bug: " + bug.reason not in seen]
    assert not stale, f"fixed, remove from known_gaps.BUGS: {stale}"
