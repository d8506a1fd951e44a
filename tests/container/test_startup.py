"""container/startup.py: the commands a start script runs, in order, as CTR104 reads them."""
from __future__ import annotations

from nginxlint.container.startup import read_script, script_path, shell_text


def words(start):
    return [(" ".join(c.words), c.background, c.conditional, c.exec_) for c in start.commands]


def test_functions_are_expanded_where_they_are_called():
    start = read_script("#!/bin/sh\nsetup() {\n  cp a b\n}\nmain() {\n  setup\n  openresty -p /app/\n"
                        "  tail -f logs/*.log\n}\nmain\n")
    assert words(start) == [("cp a b", False, False, False), ("openresty -p /app/", False, False, False),
                            ("tail -f logs/*.log", False, False, False)]
    assert start.commands[1].starts_nginx() and start.commands[2].keeps_running()


def test_background_exec_conditionals_and_traps():
    start = read_script("if [ -n \"$DEBUG\" ]; then\n  nginx -t\nfi\nnginx -g 'daemon off;' &\n"
                        "trap 'nginx -s quit' TERM\nexec sleep infinity\n")
    assert ("nginx -t", False, True, False) in words(start)
    assert ("nginx -g daemon off;", True, False, False) in words(start)
    assert ("sleep infinity", False, False, True) in words(start)
    assert start.traps
    assert not read_script("nginx -s reload").commands[0].starts_nginx()


def test_redirections_and_lists_in_one_line():
    start = read_script("envsubst < /tmp/t > /etc/nginx/conf.d/default.conf && nginx -g 'daemon off;'")
    assert words(start) == [("envsubst", False, False, False), ("nginx -g daemon off;", False, False, False)]


def test_the_text_of_a_here_document_is_no_command():
    start = read_script("[[ -n \"$CACHE\" ]] && cat <<EOD >> /etc/nginx/cache.conf\n    if ($x) {\n"
                        "EOD\ncat <<-'EOF' > /etc/nginx/more.conf\n\tcase\n\tEOF\nnginx -g 'daemon off;'\n")
    assert words(start) == [("[[ -n $CACHE ]]", False, False, False), ("cat", False, False, False),
                            ("cat", False, False, False), ("nginx -g daemon off;", False, False, False)]


def test_start_commands():
    assert shell_text(("/bin/bash", "-ec", "nginx && sleep 1")) == "nginx && sleep 1"
    assert shell_text(("sh", "/start.sh")) is None
    assert script_path(("sh", "/start.sh")) == "/start.sh"
    assert script_path(("/app/entrypoint.sh",)) == "/app/entrypoint.sh"
    assert script_path(("openresty", "-g", "daemon off;")) is None
    assert script_path(("./run.sh", "x")) == "./run.sh"
