"""nginxlint.gcpause: the cyclic GC is off inside the block and back to its previous state after it."""
from __future__ import annotations

import gc

import pytest

from nginxlint.gcpause import collector_paused


@pytest.fixture
def restore_gc():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_inside_and_restored_after(restore_gc):
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the inner exit must not re-enable it
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_after_an_exception(restore_gc):
    gc.enable()
    with pytest.raises(ValueError):
        with collector_paused():
            raise ValueError("boom")
    assert gc.isenabled()


def test_left_off_when_it_was_off(restore_gc):
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_parsing_and_analysis_pause_it(restore_gc, monkeypatch):
    from nginxlint.lua import facts, parser

    seen = []
    real_parse, real_walk = parser._parse, facts._Walker.block
    monkeypatch.setattr(parser, "_parse", lambda *args: seen.append(gc.isenabled()) or real_parse(*args))
    monkeypatch.setattr(facts._Walker, "block", lambda self, *a: seen.append(gc.isenabled()) or real_walk(self, *a))
    gc.enable()
    facts.analyze_lua("local x = 1")
    assert seen == [False, False] and gc.isenabled()
