"""nginxlint.regex: the grammar reads every PCRE2 construct, keeps offsets, and the analysis says what captures
can hold."""
from __future__ import annotations

import subprocess
import sys

import pytest

from nginxlint.regex import RegexError, charsets as cs, check_regex, parse_regex
from nginxlint.regex.tree import Group, Quantified, Ref, Set


@pytest.mark.parametrize("pattern, captures, names", [
    (r"(a)(?:b)(?<x>c)(?'y'd)(?P<z>e)", 4, {"x": 2, "y": 3, "z": 4}),
    (r"(?|(a)|(b)(c))(d)", 3, {}),
    (r"(?|(?<n>a)|(?<n>b))", 1, {"n": 1}),
    (r"(?J)(?<n>a)|(?<n>b)", 2, {"n": 1}),
    (r"(?n)(a)(?<k>b)", 1, {"k": 1}),
    (r"(?=(a))(?<=(b))(?!c)(?<!d)(?>(e))", 3, {}),
    (r"\Q(a)\E(b)", 1, {}),
    (r"[(](a)[)]", 1, {}),
    (r"(?x) ( a )  # (not a group)" + "\n" + r" (b)", 2, {}),
    (r"(?#(a)(b)", 1, {}),  # the comment ends at the first ")"
    (r"(*pla:(a))(*atomic:(b))(?*(c))", 3, {}),
])
def test_capture_numbering_follows_pcre(pattern, captures, names):
    regex = parse_regex(pattern)
    assert len(regex.captures) == captures
    assert regex.names == names


@pytest.mark.parametrize("pattern", [
    r"a*?b+?c??d{2}e{2,}f{2,3}g*+h++i?+j{1,2}+k{2}?",
    r"a{,3}b{x}c{", r"\A^a$\z\Z\G\b\B",
    r"[]a][^]a][a\]b][\d-][-a][a-][\w\s[:alpha:][:^digit:]][\x00-\x1f\t]",
    r"\x41\x{41}\o{101}\101\0\cA\e\a\f\n\r\t\d\D\w\W\s\S\h\H\v\V\R\X\N\C\p{L}\P{Lu}\pN\p{^Nd}",
    r"(a)\1\g1\g{1}\g{-1}\g-1(?<n>b)\k<n>\k'n'\k{n}\g{n}(?P=n)",
    r"(a)(?R)(?1)(?+1)(?-1)(?&n)(?P>n)\g<n>\g'1'(?<n>b)(c)",
    r"(a)(?(1)b|c)(?(<n>)d)(?('n')e)(?(R)f)(?(R1)g)(?(R&n)h)(?(DEFINE)i)(?(?=j)k|l)(?(?<!m)n)(?<n>o)",
    r"(?i)a(?-i)b(?i:c)(?^)d(?s-m:e)(?xx)[ f ]",
    r"a(*SKIP)(*FAIL)|b(*PRUNE)(*MARK:m)(*:n)(*THEN)(*COMMIT)(*ACCEPT)(*F)",
    r"(*LIMIT_MATCH=100)(*CR)a.b",
    r"a\Kb", r"a(?C)b(?C1)c(?C'x')d",
])
def test_valid_constructs(pattern):
    assert check_regex(pattern) is None


@pytest.mark.parametrize("pattern, message, offset", [
    ("(", "missing closing parenthesis", 1),
    ("a)", "unmatched closing parenthesis", 1),
    ("[a", "missing terminating ] for character class", 2),
    ("[z-a]", "range out of order in character class", 3),
    (r"[\w-.]", "invalid range in character class", 3),
    ("*a", "quantifier does not follow a repeatable item", 0),
    ("a**", "quantifier does not follow a repeatable item", 2),
    ("^*", "quantifier does not follow a repeatable item", 1),
    ("x{2,1}", "numbers out of order in {} quantifier", 5),
    ("a{70000}", "number too big in {} quantifier", 7),
    ("\\", "\\ at end of pattern", 1),
    (r"\y", "unrecognized character follows \\", 1),
    (r"\x{100}", "character code point value in \\x{} or \\o{} is too large", 6),
    ("(a)\\2", "reference to non-existent subpattern", 4),
    ("(?<n>a)(?<n>b)", "two named subpatterns have the same name (PCRE2_DUPNAMES not set)", 12),
    ("(?<1a>x)", "subpattern name must start with a non-digit", 3),
    ("(?<=a+)b", "lookbehind assertion is not fixed length", 0),
    ("(?<=a(b|cd))", "lookbehind assertion is not fixed length", 0),
    ("(?(1)a|b|c)(d)", "conditional subpattern contains more than two branches", 0),
    ("(?z)", "unrecognized character after (? or (?-", 2),
    (r"[a-\w]", "invalid range in character class", 5),
    ("[[:foo:]]", "unknown POSIX class name", 3),
    ("[:alpha:]", "POSIX named classes are supported only within a class", 0),
    (r"\p{Foo}", "unknown property after \\P or \\p", 7),
    ("(*FOO)", "(*VERB) not recognized or malformed", 5),
    ("(?#x", "missing ) after (?# comment", 4),
])
def test_errors_use_pcre_words_and_offsets(pattern, message, offset):
    with pytest.raises(RegexError) as caught:
        parse_regex(pattern)
    assert (caught.value.message, caught.value.offset) == (message, offset)


def test_nesting_limit_and_deep_patterns_without_recursion_errors():
    deep = "(" * 220 + "a+" + ")" * 220
    assert len(parse_regex(deep).captures) == 220
    error = check_regex("(?:" * 221 + "a" + ")" * 221)
    assert (error.message, error.offset) == ("parentheses are too deeply nested", 663)


def test_non_ascii_characters_are_their_utf8_bytes_and_offsets_stay_in_characters():
    pattern = "^/café/(?<p>[^/]+)$"
    regex = parse_regex(pattern)
    cap = regex.capture("p")
    assert pattern[cap.start:cap.end] == "(?<p>[^/]+)"
    word = parse_regex("^/café$")
    assert word.can_match(0xC3) and word.can_match(0xA9) and not word.can_match(0xE9)
    error = check_regex("^/文档/(")
    assert (error.message, error.offset) == ("missing closing parenthesis", 6)
    assert check_regex("(?<=é)x") is None  # two bytes, a fixed length


def test_nginx_message_quotes_the_pattern_from_the_offset():
    error = check_regex("[z-a]")
    assert error.nginx_message("[z-a]") == 'pcre2_compile() failed: range out of order in character class in "[z-a]" at "a]"'
    assert check_regex("(").nginx_message("(") == 'pcre2_compile() failed: missing closing parenthesis in "("'


def test_every_node_keeps_its_offsets():
    pattern = r"^/(?<dir>[^/]+)/(\d{2,4})\.(?:png|jpe?g)$"
    regex = parse_regex(pattern)
    groups = [n for n in regex.tree.walk() if isinstance(n, Group)]
    assert [pattern[g.start:g.end] for g in groups] == ["(?<dir>[^/]+)", r"(\d{2,4})", "(?:png|jpe?g)"]
    sets = [pattern[n.start:n.end] for n in regex.tree.walk() if isinstance(n, Set)]
    assert sets == ["[^/]", r"\d"]
    quantified = [pattern[n.start:n.end] for n in regex.tree.walk() if isinstance(n, Quantified)]
    assert quantified == ["[^/]+", r"\d{2,4}", "e?"]
    (cap1, cap2) = regex.captures
    assert (cap1.start, cap1.end, cap1.name) == (2, 15, "dir")
    assert pattern[cap2.start:cap2.end] == r"(\d{2,4})"


def test_reference_nodes_resolve_to_group_numbers():
    regex = parse_regex(r"(?<a>x)(y)\k<a>\g{-1}(?1)")
    refs = [(n.kind, n.numbers) for n in regex.tree.walk() if isinstance(n, Ref)]
    assert refs == [("backref", [1]), ("backref", [2]), ("call", [1])]


@pytest.mark.parametrize("pattern, start, end", [
    (r"^/a", True, None), (r"\A/a\z", True, "\\z"), (r"^/a|^/b$", True, None), (r"/a$", False, "$"),
    (r"(?:^/a|^/b)(x)\Z", True, "\\Z"), (r"(?m)^/a$", False, None), (r"^(/a|/b)$", True, "$"),
    (r"/a|^/b", False, None), (r"(?i)^a$(?#end)", True, "$"), (r"^a(?=b)", True, None),
])
def test_anchors(pattern, start, end):
    regex = parse_regex(pattern)
    assert (regex.anchored_start, regex.end_anchor) == (start, end)
    assert regex.end_allows_newline == (end in ("$", "\\Z"))


@pytest.mark.parametrize("pattern, crlf, slash, dot, dotdot, unrestricted, bounded", [
    (r"^/(.*)$", (True, False), True, True, True, True, False),
    (r"^/(.*)$(?s)", (True, False), True, True, True, True, False),
    (r"(?s)^/(.*)$", (True, True), True, True, True, True, False),
    (r"^/([^/]+)$", (True, True), False, True, True, True, False),
    (r"^/([a-z0-9_-]+)$", (False, False), False, False, False, False, False),
    (r"^/(\w{1,8})$", (False, False), False, False, False, False, True),
    (r"^/([a-z.]+)$", (False, False), False, True, True, False, False),
    (r"^/(\.[a-z]+)+$", (False, False), False, True, False, False, False),
    (r"^/((?:\.[a-z])+)$", (False, False), False, True, False, False, False),
    (r"^/([\w./-]+)$", (False, False), True, True, True, False, False),
    (r"^/(\S+)$", (False, False), True, True, True, True, False),
    (r"^/(\d+)/$", (False, False), False, False, False, False, False),
    (r"^/([^\r\n]*)$", (False, False), True, True, True, True, False),
    (r"^/(a\.\.b)$", (False, False), False, True, True, False, True),
])
def test_what_a_capture_can_hold(pattern, crlf, slash, dot, dotdot, unrestricted, bounded):
    cap = parse_regex(pattern).captures[0]
    assert (cap.can_contain("\r"), cap.can_contain("\n")) == crlf
    assert (cap.slash, cap.dot, cap.dotdot, cap.unrestricted, cap.bounded) == (slash, dot, dotdot, unrestricted,
                                                                              bounded)


@pytest.mark.parametrize("pattern, text, cr_before_text, lf_before_text, cr_last", [
    (r"^/(.*)$", True, True, False, True),  # `.` takes CR, not LF: a CR the rest of `.*` follows
    (r"^/([^/]+)$", True, True, True, True),
    (r"^/(3.(.*))$", True, True, False, True),  # the lone `.` comes before `(.*)`
    (r"^/(3|3.6|3.10)/x$", False, False, False, False),  # a lone `.` between digits: nothing follows it
    (r"^/(searchindex.js|objects.inv)$", False, False, False, False),
    (r"^/(3.)x$", False, False, False, True),  # it can end with CR, which another variable may follow
    (r"^/(.{2})$", False, False, False, True),  # too short for a name, a colon and a value
    (r"^/(.{3})$", True, True, False, True),
    (r"^/(.\w+)$", False, False, False, False),  # no colon: no header line
    (r"^/((?:a|:)*.)$", True, False, False, True),  # the run comes before the CR, not after it
    (r"^/((?:[^/]|//)*)$", True, True, True, True),  # a round can be one character of the client's
    (r"^/(?:(.)\1)$", False, False, False, True),
    (r"^/([^\r\n]*)$", True, False, False, False),
])
def test_where_a_capture_lets_the_client_write_after_a_line_break(pattern, text, cr_before_text, lf_before_text,
                                                                 cr_last):
    cap = parse_regex(pattern).captures[0]
    assert cap.text == text
    assert (cs.has(cap.before_text, "\r"), cs.has(cap.before_text, "\n")) == (cr_before_text, lf_before_text)
    assert cs.has(cap.last, "\r") == cr_last


def test_caseless_and_backreferences_widen_what_is_matched():
    assert parse_regex("^/(abc)$", caseless=True).captures[0].can_contain("B")
    assert not parse_regex("^/(abc)$").captures[0].can_contain("B")
    assert parse_regex("(?i)^/(abc)$").captures[0].can_contain("B")
    # a group made of a back reference holds what the referenced group holds
    regex = parse_regex(r"^/(?<q>['\"])(?<v>\k<q>)$")
    assert regex.capture("v").can_contain('"') and not regex.capture("v").can_contain("a")
    # recursion: anything, conservatively
    assert parse_regex(r"^(a(?1)?b)$").captures[0].can_contain("a")


def test_whole_pattern_characters():
    regex = parse_regex(r"^/static/[a-z]+\.css$")
    assert regex.can_match("/") and regex.can_match("s") and not regex.can_match("\n")
    assert not regex.can_match("A") and parse_regex(r"^/static/[a-z]+\.css$", caseless=True).can_match("A")


@pytest.mark.parametrize("pattern, shape", [
    (r"^(a+)+$", "nested"), (r"(\w+\s?)*$", "nested"), (r"^(.*/)+x", "nested"), (r"(a*)*b", "nested"),
    (r"^(\d+|x)*$", "nested"), (r"(a|a)*b", "alternatives"), (r"^(\w|\d)+$", "alternatives"),
    (r"^/(?:[^/]+/)*(x)(a+)+", "nested"),
])
def test_redos_heuristic_flags_ambiguous_repetition(pattern, shape):
    found = parse_regex(pattern).redos
    assert found and found[0].shape == shape


@pytest.mark.parametrize("pattern", [
    r"^/(/[^/]+)*$", r"^(ab+)*$", r"^(a+b)*$", r"^(\w+\.)*\w+$", r"^(a|ab)*$", r"^(a++)+$", r"^(?>a+)+$",
    r"^(.|\n)*$", r"^/static/(.*)$", r".*a.*b", r"^(a+){2,5}$", r"^(?:[a-z0-9-]+\.)*example\.com$",
])
def test_redos_heuristic_leaves_safe_patterns(pattern):
    assert parse_regex(pattern).redos == []


def test_redos_offsets_point_at_the_repetition():
    pattern = r"^/x/(\w+\s?)*$"
    (found,) = parse_regex(pattern).redos
    assert pattern[found.start:found.end] == r"(\w+\s?)*"
    assert pattern[found.inner_start:found.inner_end] == r"\w+"


def test_results_are_memoised_and_errors_raised_each_time():
    assert parse_regex("^/m(e)mo$") is parse_regex("^/m(e)mo$")
    assert parse_regex("^/m(e)mo$") is not parse_regex("^/m(e)mo$", caseless=True)
    for _ in range(2):
        with pytest.raises(RegexError):
            parse_regex("memo(")


def test_lark_is_imported_only_when_a_pattern_is_parsed(tmp_path):
    code = ("import sys, nginxlint.regex, nginxlint.regex.sites, nginxlint.nginx.variables;"
            "assert 'lark' not in sys.modules;"
            "nginxlint.regex.parse_regex('a(b)');"
            "assert 'lark' in sys.modules")
    env = {"NGINXLINT_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    import os

    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # the tables were cached on disk for the next process
    (tables,) = list(tmp_path.rglob("pcre-lalr-*.pickle"))
    # a second process reads them; a broken file is rebuilt silently
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    tables.write_bytes(tables.read_bytes()[:100])
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    assert tables.stat().st_size > 1000
