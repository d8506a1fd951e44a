"""apply_fixes: exact spans, line endings kept, overlapping fixes left for the next round."""
from nginxlint.findings import Edit, Fix, Span
from nginxlint.fixes import apply_fixes

TEXT = "events {}\r\nhttp {\r\n    worker_processes auto;  # keep me\r\n}\r\n"


def _fix(title, *edits, applicability="safe"):
    return Fix(title, tuple(edits), applicability)


def test_replacement_and_insertion_keep_crlf_and_comments():
    value = _fix("value", Edit("a.conf", Span(3, 22, 3, 26), "2"))
    declare = _fix("env", Edit.insert("a.conf", 2, 7, "\n    env A;"))
    done = apply_fixes({"a.conf": TEXT}, [value, declare])
    assert done.contents["a.conf"] == "events {}\r\nhttp {\r\n    env A;\r\n    worker_processes 2;  # keep me\r\n}\r\n"
    assert done.applied == [declare, value] and done.skipped == []


def test_overlapping_fix_waits_for_the_next_round():
    whole = _fix("whole", Edit("a.conf", Span(3, 5, 3, 27), "worker_processes 3;"))
    value = _fix("value", Edit("a.conf", Span(3, 22, 3, 26), "2"))
    done = apply_fixes({"a.conf": TEXT}, [value, whole])
    assert done.applied == [whole] and done.skipped == [value]
    assert "worker_processes 3;  # keep me" in done.contents["a.conf"]


def test_same_edits_twice_apply_once_and_both_count():
    first = _fix("dict", Edit.insert("a.conf", 2, 7, "\n    lua_shared_dict d 1m;"))
    second = _fix("dict", Edit.insert("a.conf", 2, 7, "\n    lua_shared_dict d 1m;"))
    done = apply_fixes({"a.conf": TEXT}, [first, second])
    assert done.contents["a.conf"].count("lua_shared_dict") == 1
    assert len(done.applied) == 2


def test_a_fix_is_all_or_nothing_across_files():
    both = _fix("both", Edit("a.conf", Span(3, 22, 3, 26), "2"), Edit.insert("b.lua", 1, 1, "-- x\n"))
    missing = _fix("missing", Edit.insert("c.conf", 1, 1, "x"))
    done = apply_fixes({"a.conf": TEXT, "b.lua": "return 1\n"}, [both, missing])
    assert done.contents == {"a.conf": TEXT.replace("auto", "2"), "b.lua": "-- x\nreturn 1\n"}
    assert done.skipped == [missing]


def test_columns_count_characters_and_undecodable_bytes_survive():
    text = "# caf\u00e9 \udcff\nserver_tokens on;\n"
    done = apply_fixes({"a.conf": text}, [_fix("off", Edit("a.conf", Span(2, 15, 2, 17), "off"))])
    assert done.contents["a.conf"] == "# caf\u00e9 \udcff\nserver_tokens off;\n"


def test_insertions_at_one_place_all_apply():
    first = _fix("a", Edit.insert("a.conf", 2, 7, "\n    env A;"))
    second = _fix("b", Edit.insert("a.conf", 2, 7, "\n    env B;"))
    done = apply_fixes({"a.conf": TEXT}, [second, first])
    assert done.contents["a.conf"].startswith("events {}\r\nhttp {\r\n    env A;\r\n    env B;\r\n")
    assert done.skipped == []


def test_an_insertion_inside_a_replacement_waits():
    whole = _fix("whole", Edit("a.conf", Span(3, 5, 3, 27), "worker_processes 3;"))
    inside = _fix("inside", Edit.insert("a.conf", 3, 10, "x"))
    touching = _fix("touching", Edit.insert("a.conf", 3, 27, " # 3"))
    done = apply_fixes({"a.conf": TEXT}, [whole, inside, touching])
    assert done.skipped == [inside] and "worker_processes 3; # 3  # keep me" in done.contents["a.conf"]


def test_one_edit_shared_by_two_different_fixes_is_made_once():
    """Two fixes that both end a location with `/`: the second waits for the next round, where it is gone."""
    slash = Edit.insert("a.conf", 3, 26, "/")
    first = _fix("location", slash)
    second = _fix("location and alias", slash, Edit.insert("a.conf", 1, 10, "#"))
    done = apply_fixes({"a.conf": TEXT}, [first, second])
    assert done.applied == [first] and done.skipped == [second]
    assert done.contents["a.conf"].count("auto/") == 1
