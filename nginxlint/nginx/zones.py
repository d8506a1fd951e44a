"""Shared memory zones a config declares, and sizes read exactly as nginx reads them.

Every zone lives in one namespace per nginx instance (`ngx_shared_memory_add`): a name declared twice for
different uses stops nginx. Each declaration is returned, in the order of `ZONE_DIRECTIVES` and then of the
document; callers keep the first of a name when they need one.
"""
from __future__ import annotations

from dataclasses import dataclass

from .values import parse_uint

CACHE_PATHS = ("proxy_cache_path", "fastcgi_cache_path", "uwsgi_cache_path", "scgi_cache_path")
# directive -> the prefix of the argument naming the zone ("" for a name that is the first argument)
ZONE_DIRECTIVES = (
    ("lua_shared_dict", ""),
    ("limit_req_zone", "zone="),
    ("limit_conn_zone", "zone="),
    *((name, "keys_zone=") for name in CACHE_PATHS),
    ("ssl_session_cache", "shared:"),
    ("zone", ""),  # in an upstream block
)

MAX_SIZE = 2**63 - 1  # NGX_MAX_SIZE_T_VALUE on 64-bit systems
_SCALE = {"k": 1024, "K": 1024, "m": 1024 * 1024, "M": 1024 * 1024}


@dataclass(frozen=True)
class Zone:
    kind: str  # the directive declaring it (lua_shared_dict, limit_req_zone, proxy_cache_path, zone, ...)
    name: str
    size_text: str | None  # as written; None when the declaration gives no size
    size_bytes: int | None  # None when missing or not a size nginx accepts
    node: object  # the declaring directive's Node
    arg: int  # the index of the argument holding the name


def parse_size(text: str | None) -> int | None:
    """Bytes, as nginx's ngx_parse_size: digits with an optional k/K or m/M suffix; None where nginx fails.
    (No `g`: that is ngx_parse_offset, used for sizes of files, not of shared memory.)"""
    if not text:
        return None
    scale = _SCALE.get(text[-1])
    digits = text[:-1] if scale else text
    scale = scale or 1
    value = parse_uint(digits)
    if value is None or value > MAX_SIZE // scale:
        return None
    return value * scale


def shared_zones(tree) -> list[Zone]:
    """Every shared memory zone declaration of the deployment, the ones with a missing or invalid size included."""
    zones: list[Zone] = []
    for directive, prefix in ZONE_DIRECTIVES:
        for node in tree.nodes(directive):
            args = node.args
            if directive == "zone":
                if node.ctx[-1:] == ("upstream",) and args and args[0]:
                    zones.append(_zone(directive, args[0], args[1] if len(args) > 1 else None, node, 0))
            elif not prefix:
                if args and args[0]:
                    zones.append(_zone(directive, args[0], args[1] if len(args) > 1 else None, node, 0))
            else:
                for index, arg in enumerate(args):
                    if arg.startswith(prefix):
                        name, colon, size = arg[len(prefix):].partition(":")
                        if name:
                            zones.append(_zone(directive, name, size if colon else None, node, index))
    return zones


def _zone(kind: str, name: str, size_text: str | None, node, arg: int) -> Zone:
    return Zone(kind, name, size_text, parse_size(size_text), node, arg)
