"""Numbers as nginx and the manifests write them, read without surprises.

`str.isdigit()` accepts "²" and other digits `int()` refuses or reads differently, and `int()` refuses more
than 4300 digits: one odd value must never stop a run, so every count, port and uid is read here.
"""
from __future__ import annotations

import re

_UINT = re.compile(r"[0-9]+")
_MAX_DIGITS = 19  # ngx_atoi and ngx_atoof reject what overflows a 64-bit signed integer
_MAX_VALUE = 2**63 - 1


def parse_uint(text: object) -> int | None:
    """The value of a string of ASCII digits ('8080', '0'), else None (signs, spaces, '²', overflow)."""
    if not isinstance(text, str) or _UINT.fullmatch(text) is None:
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        return None
    value = int(digits)
    return value if value <= _MAX_VALUE else None


_SIZE = re.compile(r"([0-9]+)([kKmMgG]?)")
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_TIME_PART = re.compile(r"([0-9]+)(ms|s|m|h|d|w|M|y)?")
_TIME_UNITS = {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000}


def nginx_size(text: str) -> int | None:
    """nginx's size syntax ('150m', '10M', '512k', '1g', '4096') in bytes."""
    match = _SIZE.fullmatch(text or "")
    number = parse_uint(match[1]) if match else None
    return None if number is None else number * _SIZE_UNITS[match[2].lower()]


def nginx_seconds(text: str) -> float | None:
    """nginx's time syntax ('30s', '1m30s', '500ms', '10') in seconds."""
    if not text:
        return None
    total, position = 0.0, 0
    for match in _TIME_PART.finditer(text):
        number = parse_uint(match[1])
        if match.start() != position or number is None:
            return None
        total += number * _TIME_UNITS[match[2]]
        position = match.end()
    return total if position == len(text) else None
