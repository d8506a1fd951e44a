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


def client_variables(dep) -> dict[str, object]:
    """User variables that pass client input on: `set $v …$http_x…`, and `map $http_x $v` whose values hold a
    client variable or a capture of the client's value; {lower-cased name: the set or map node}.

    A variable made from another such variable counts too (a few rounds over set and map, no more: chains of
    variables are short)."""
    found: dict[str, object] = {}

    def tainted(text: str) -> bool:
        return any(client_controlled(v.name) or v.name in found for v in variables(text))

    nodes = [n for n in (*dep.nodes("set"), *dep.nodes("map")) if len(n.args) >= 2]
    for _ in range(3):
        before = len(found)
        for node in nodes:
            target = node.args[-1 if node.name == "map" else 0].lstrip("$").lower()
            if target in found:
                continue
            if node.name == "set":
                if tainted(node.args[1]):
                    found[target] = node
            elif _map_passes_input(node, tainted(node.args[0]), tainted):
                found[target] = node
        if len(found) == before:
            break
    return found


def _map_passes_input(node, source_tainted: bool, tainted) -> bool:
    for entry in node.children or ():
        value = " ".join(entry.args)
        if tainted(value):
            return True
        if source_tainted and entry.name.startswith("~") and any(
                v.name.isdigit() or f"<{v.written}>" in entry.name or f"'{v.written}'" in entry.name
                for v in variables(value)):
            return True  # a capture of the client's value
    return False
