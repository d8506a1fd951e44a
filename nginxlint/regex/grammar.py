"""The LALR parser for pcre.lark: built once per process, its tables cached on disk between runs.

lark is imported here, inside `parser()`, and only when a pattern really needs parsing: most runs lint configs
whose regexes are few, and importing lark and building tables costs more than all of them together.
"""
from __future__ import annotations

from pathlib import Path

from .errors import RegexError
from .lexer import Tok

GRAMMAR = Path(__file__).with_name("pcre.lark")
_PARSER = []  # the one parser of this process, once built
_TABLE_CACHE = [True]


def use_table_cache(enabled: bool) -> None:
    """Whether the LALR tables may be read from and saved to nginxlint's cache directory (`--no-cache`: no)."""
    _TABLE_CACHE[0] = enabled


def parser():
    """The lark LALR parser (tables loaded from nginxlint's cache directory when a previous run saved them)."""
    if _PARSER:
        return _PARSER[0]
    from lark import Lark  # a run-time dependency used only here: imported when the first regex is parsed

    from ._lark_feed import TokenFeed

    cache = _cache_file()
    options = dict(parser="lalr", lexer=TokenFeed, maybe_placeholders=False, propagate_positions=False)
    try:
        built = Lark(GRAMMAR.read_text(encoding="utf-8"), cache=str(cache) if cache else False, **options)
    except OSError:  # an unwritable or broken cache: build in memory
        built = Lark(GRAMMAR.read_text(encoding="utf-8"), **options)
    _PARSER.append(built)
    return built


def _cache_file() -> Path | None:
    from ..cache import default_directory

    if not _TABLE_CACHE[0]:
        return None
    directory = default_directory() / "regex"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return directory / "pcre-lalr.cache"


def parse_tokens(tokens: list[Tok], pattern: str):
    """The lark tree of a token list; grammar errors become RegexError with PCRE2's wording."""
    from lark.exceptions import UnexpectedInput

    try:
        return parser().parse(tokens)
    except UnexpectedInput as failure:
        raise _as_regex_error(failure, tokens, pattern) from None


def _as_regex_error(failure, tokens: list[Tok], pattern: str) -> RegexError:
    token = getattr(failure, "token", None)
    kind = getattr(token, "type", "$END")
    if kind == "$END" or token is None:
        return RegexError("missing closing parenthesis", len(pattern))
    tok = tokens[int(token)]
    if kind == "RPAREN":
        return RegexError("unmatched closing parenthesis", tok.start)
    if kind == "QUANT":
        return RegexError("quantifier does not follow a repeatable item", tok.value[3])
    if kind == "CLASS_SET":  # [a-\d]: PCRE2 points after the escape
        return RegexError("invalid range in character class", tok.end)
    if kind in ("RANGE", "CLASS_CLOSE", "CLASS_CHAR"):  # [\d-z]: at the hyphen
        return RegexError("invalid range in character class", tok.start)
    return RegexError("internal error: unexpected item", tok.start)
