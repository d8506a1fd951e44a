"""The error a pattern PCRE2 would refuse raises: PCRE2's own wording and the offset it points at."""
from __future__ import annotations

import re

# A class escape right before the hyphen the error points at: `[\w-_]`
_CLASS_ESCAPE_BEFORE = re.compile(r"\\[dDsSwWhHvV]$")


class RegexError(ValueError):
    """A pattern PCRE2 refuses. `message` is worded as pcre2_compile() words it (nginx prints it after
    `pcre2_compile() failed: `); `offset` is where in the pattern the problem was found.

    >>> from nginxlint.regex import parse_regex
    >>> try:
    ...     parse_regex("(a")
    ... except RegexError as error:
    ...     print(error.offset, error.message)
    2 missing closing parenthesis
    """

    def __init__(self, message: str, offset: int):
        super().__init__(f"{message} at offset {offset}")
        self.message = message
        self.offset = offset

    def nginx_message(self, pattern: str) -> str:
        """The text nginx logs for this error (ngx_regex_compile), before ` in FILE:LINE`:
        `pcre2_compile() failed: MESSAGE in "PATTERN" at "REST"`, without the `at` part when the offset is at
        the end of the pattern.

        >>> RegexError("missing closing parenthesis", 1).nginx_message("(")
        'pcre2_compile() failed: missing closing parenthesis in "("'
        """
        text = f'pcre2_compile() failed: {self.message} in "{pattern}"'
        if self.offset < len(pattern):
            text += f' at "{pattern[self.offset:]}"'
        return text

    def pcre2_only(self, pattern: str) -> bool:
        r"""Whether PCRE1 takes the pattern: a hyphen after a class escape (`[\w-_]`) is a literal there (libpcre
        8.39 compiles it), a range PCRE2 refuses. nginx before 1.21.5 and OpenResty before 1.27.1.1 link PCRE1.

        >>> RegexError("invalid range in character class", 3).pcre2_only(r"[\w-_]+")
        True
        >>> RegexError("invalid range in character class", 4).pcre2_only(r"[a-\d]")
        False
        """
        return self.message == "invalid range in character class" and pattern[self.offset:self.offset + 1] == "-" \
            and bool(_CLASS_ESCAPE_BEFORE.search(pattern[:self.offset]))

    def __reduce__(self):  # picklable (memoised results may be cached on disk)
        return (RegexError, (self.message, self.offset))
