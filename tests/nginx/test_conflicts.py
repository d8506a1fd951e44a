"""Merge conflicts committed in a config: the checked-out side is kept at its own lines and columns."""
from __future__ import annotations

from nginxlint.nginx.conflicts import ours


def test_the_checked_out_side_is_kept_and_the_rest_of_each_hunk_blanked():
    text = "a;\n<<<<<<< HEAD\nb;\n||||||| base\nx;\n=======\nc;\n>>>>>>> 12bd998\nd;\n"
    kept, first = ours(text)
    assert len(kept) == len(text) and kept.count("\n") == text.count("\n")
    assert kept.split() == ["a;", "b;", "d;"]
    assert first == text.index("<<<<<<<")


def test_lines_that_only_look_like_markers_are_left_alone():
    for text in ("a;\n=======\n", "<<<<<<< HEAD\nb;\n", "a;\n>>>>>>> x\n<<<<<<< HEAD\nb;\n=======\n>>>>>>> y\n"):
        assert ours(text) == (text, None)
