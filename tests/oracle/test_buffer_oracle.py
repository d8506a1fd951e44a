"""NGX001 for what does not fit in nginx's config buffer, against a real nginx with ngx_lua.

For each kind of token (a word, a quoted string, a comment, a Lua long string inside `content_by_lua_block`) and
several places in the file (the buffer is refilled at places that depend on everything before), the longest token
nginx accepts is found by asking `nginx -t`. nginxlint must then agree with nginx at that length, one byte less and
one byte more: accepted, accepted, rejected with nginx's words.
"""
from __future__ import annotations

import re

import pytest

from nginx_harness import Nginx, main_preamble

END = "nginxlint_buffer_probe_end;"  # an unknown directive: nginx -t stops there when everything before it is fine


def config(kind: str, pad: int, length: int) -> str:
    token = {
        "word": f"return 200 {'w' * length};",
        "quoted": f'return 200 "{"q" * length}";',
        "comment": "#" + "c" * length + "\n return 200;",
        "lua": f"content_by_lua_block {{ local s = [[{'x' * length}]] ngx.say(s) }}",
        "lua-level": "content_by_lua_block {\n" + "  local n = 1 -- count\n" * (pad // 40)
        + f"  local s = [==[{'y' * length}]==]\n  ngx.say(s)\n}}",
    }[kind]
    padding = "".join(f"# {'p' * 67}\n" for _ in range(pad // 70)) + "#" * (pad % 70) + "\n"
    return (f"{main_preamble()}{padding}events {{}}\nhttp {{ server {{ listen 127.0.0.1:1; location / {{ {token} }} }} }}\n"
            f"{END}\n")


def nginx_error(ng: Nginx, text: str) -> tuple[str, int] | None:
    """nginx's message and line, None when nginx read everything up to the end marker."""
    ng.write({"conf/nginx.conf": text})
    outcome = ng.test()
    found = re.search(r"\[emerg\] \d+#\d+: (.*) in /\S+:(\d+)", outcome.stderr)
    assert found, outcome.stderr
    message = found.group(1)
    return None if message == f'unknown directive "{END[:-1]}"' else (message, int(found.group(2)))


def longest_accepted(ng: Nginx, kind: str, pad: int) -> int:
    """The longest token nginx accepts here (bisection between a length it accepts and one it rejects)."""
    low, high = 1500, 4500
    assert nginx_error(ng, config(kind, pad, low)) is None
    assert nginx_error(ng, config(kind, pad, high)) is not None
    while high - low > 1:
        middle = (low + high) // 2
        if nginx_error(ng, config(kind, pad, middle)) is None:
            low = middle
        else:
            high = middle
    return low


def ngx001(ng: Nginx, text: str) -> list[dict]:
    ng.write({"conf/nginx.conf": text})
    return [f for f in ng.lint() if f["code"] == "NGX001"]


@pytest.mark.parametrize("kind", ["word", "quoted", "comment", "lua", "lua-level"])
@pytest.mark.parametrize("pad", [0, 1500, 3100, 5020])
def test_ngx001_at_the_buffer_limit(ng, kind, pad):
    limit = longest_accepted(ng, kind, pad)
    for length in (limit - 1, limit):
        assert ngx001(ng, config(kind, pad, length)) == [], (kind, pad, length)
    text = config(kind, pad, limit + 1)
    message, line = nginx_error(ng, text)
    found = ngx001(ng, text)
    assert len(found) == 1, (kind, pad, limit + 1, message)
    # nginx's words come first (nginxlint adds why), at nginx's line
    assert found[0]["message"].startswith(message.split(", the inlined")[0]), (found[0]["message"], message)
    assert found[0]["line"] == line
