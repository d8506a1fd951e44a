"""Patterns a repository wrote for another engine (nginx's PCRE, sed, awk), run with Python's `re`."""
from __future__ import annotations

import re
import warnings


def compile_foreign(pattern: str, flags: int = 0) -> re.Pattern | None:
    """The pattern compiled by Python, or None where Python refuses it. Python's warnings that a construct may
    mean something else in a later Python (`[[`: "Possible nested set") concern nginxlint, not the user: silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            return re.compile(pattern, flags)
        except re.error:
            return None
