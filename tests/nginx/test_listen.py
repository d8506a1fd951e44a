"""Where a server listens: the loopback and unix-socket forms that only this host's processes reach."""
from __future__ import annotations

import pytest

from nginxlint.nginx.listen import listens_locally
from nginxlint.nginx.parser import parse


def _server(listens: str):
    parsed = parse(f"server {{ {listens} }}", None)
    return _Block(parsed.directives[0])


class _Block:
    """The slice of a tree node listens_locally reads: `find` over the block's directives."""

    def __init__(self, directive):
        self.directive = directive

    def find(self, name):
        return [_Directive(d) for d in self.directive.block if d.name == name]


class _Directive:
    def __init__(self, directive):
        self.args = directive.args


@pytest.mark.parametrize("listens, local", [
    ("listen unix:/var/run/nginx/forward.sock;", True),
    ("listen 127.0.0.1:8081; listen [::1]:8081;", True),
    ("listen localhost:8081;", True),
    ("listen 127.0.0.1:8081; listen 8082;", False),
    ("listen 0.0.0.0:80;", False),
    ("", False),  # no listen: *:80 or *:8000
])
def test_listens_locally(listens, local):
    assert listens_locally(_server(listens)) is local
