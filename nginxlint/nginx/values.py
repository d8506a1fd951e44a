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
