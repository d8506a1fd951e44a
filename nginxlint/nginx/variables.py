"""nginx variables in directive arguments: where they are, and which ones the client chooses.

Variable names are case-insensitive in nginx (`$HTTP_HOST` is `$http_host`), so every comparison here is on
the lower-cased name.
"""
from __future__ import annotations

import re
from typing import Iterator, NamedTuple

# `$name` or `${name}`; names are letters, digits and `_` (ngx_http_script_compile)
VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")

# Variables whose whole value is whatever the client sent.
CLIENT_PREFIXES = ("http_", "arg_", "cookie_")
CLIENT_VARIABLES = frozenset({
    "args", "query_string", "request_uri", "request", "request_body", "uri", "document_uri", "is_args",
    "request_line", "content_type", "content_length", "remote_user",
})


class Variable(NamedTuple):
    name: str  # lower-cased
    written: str  # as written, without `$` and braces
    start: int  # offsets of `$…` in the argument
    end: int


def variables(text: str) -> Iterator[Variable]:
    for match in VARIABLE.finditer(text):
        written = match.group(1) or match.group(2)
        yield Variable(written.lower(), written, match.start(), match.end())


def client_controlled(name: str) -> bool:
    """The client sets the value as it likes: a request header, query argument or cookie, or the raw request."""
    name = name.lower()
    return name in CLIENT_VARIABLES or name.startswith(CLIENT_PREFIXES)
