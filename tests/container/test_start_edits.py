"""The lines a start script's `sed -i` deletes or rewrites in a config."""
from __future__ import annotations

from nginxlint.container.start_edits import edited_lines, sed_line_edits

CONFIG = """events {}
http {
    server_names_hash_bucket_size 64;
    include /etc/nginx/snippets/bots.conf;
    # listen 80;
    server { listen 8080; }
}
"""


def lines(script: str, name: str = "nginx.conf") -> list[int]:
    return sorted(edited_lines(CONFIG, name, sed_line_edits(script)))


def test_deletions_by_regex_any_delimiter():
    assert lines('sed -i "/server_names_hash_bucket_size/d" /etc/nginx/nginx.conf') == [3]
    assert lines('sed -i "\\|include /etc/nginx/snippets/bots.conf;|d" /etc/nginx/nginx.conf') == [4]
    assert lines("sed -i -e '/^#/d' -e '/^ *#/d' /etc/nginx/nginx.conf") == [5]


def test_substitutions_and_changes_rewrite_the_lines_they_match():
    assert lines("sed -i 's/listen 8080/listen 80/' /etc/nginx/nginx.conf") == [6]
    assert lines("sed -Ei 's/(hash|max)_bucket_size [0-9]+/\\1_bucket_size 128/' nginx.conf") == [3]
    assert lines("sed -i 's/\\(hash\\|max\\)_bucket_size/x/' nginx.conf") == [3]
    assert lines("sed -i '/server {/s/8080/80/' nginx.conf") == [6]  # the addressed lines
    assert lines("sed -i '/bots.conf/c include /etc/nginx/other.conf;' nginx.conf") == [4]
    assert lines("sed -i.bak '/bots/d;/hash/d' nginx.conf") == [3, 4]


def test_what_says_nothing_of_a_line_is_left_out():
    assert lines("sed '/bots/d' nginx.conf") == []  # not in place: it prints
    assert lines("sed -i 's/^/    /' nginx.conf") == []  # inserts text, changes no directive
    assert lines('sed -i "s/${OLD}/new/" nginx.conf') == []  # a pattern the shell fills in
    assert lines('sed -i "/bots/d" "$CONF"') == []  # a file the shell names
    assert lines("sed -i 's/UPSTREAM_HOST/app/' nginx.conf") == []  # a placeholder, masked as a template tag
    assert lines("sed -i '/bots/!d' nginx.conf") == []  # keeps the matching lines: not read here
    assert lines("sed -i '/bots/d' /etc/nginx/conf.d/default.conf") == []  # another file


def test_file_names_are_globs_and_prefixes_of_commands_are_skipped():
    assert lines("silent sed -i 's|bots.conf|bots-off.conf|g' /etc/nginx/*.conf", "nginx.conf") == [4]
    assert lines("if [ -n \"$X\" ]; then sed -i '/hash/d' /etc/nginx/nginx.conf; fi") == [3]
