"""Words for the user: text safe to print whatever bytes it came from, and did-you-mean hints."""
from __future__ import annotations

import re

_SURROGATES = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """Text safe to print or encode: bytes that were not UTF-8 (kept as surrogates) become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a lone surrogate that no decoding produced
        return _SURROGATES.sub("\ufffd", text)


def first_of(words: list[str], shown: int) -> str:
    """The first `shown` words joined with commas, and how many more: "`a`, `b` and 3 more"."""
    more = f" and {len(words) - shown} more" if len(words) > shown else ""
    return ", ".join(words[:shown]) + more


def did_you_mean(word: str, choices) -> str:
    """'; did you mean "X"?' for the closest of `choices`, or nothing."""
    import difflib  # only when a name is wrong

    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f'; did you mean "{close[0]}"?' if close else ""
