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
    import lark  # a run-time dependency used only here: imported when the first regex is parsed

    from ._lark_feed import TokenFeed

    grammar = GRAMMAR.read_text(encoding="utf-8")
    cache = _cache_file(grammar, lark.__version__)
    built = None
    if cache is not None:
        try:
            with open(cache, "rb") as handle:
                built = lark.Lark.load(handle)
        except Exception:  # missing, truncated or written by another lark: build the tables again
            built = None
    if built is None:
        built = lark.Lark(grammar, parser="lalr", lexer=TokenFeed, maybe_placeholders=False)
        if cache is not None:
            _save(built, cache)
    _PARSER.append(built)
    return built


def _save(built, cache: Path) -> None:
    """Write the tables atomically (another process may be reading them); a failure only costs the next run."""
    import os
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(dir=cache.parent, delete=False) as handle:
            built.save(handle)
        os.replace(handle.name, cache)
    except Exception:
        try:
            os.unlink(handle.name)
        except Exception:
            pass


def _cache_file(grammar: str, lark_version: str) -> Path | None:
    """Where the tables of this grammar, built by this lark, are kept (None: no cache)."""
    import hashlib

    from ..cache import default_directory

    if not _TABLE_CACHE[0]:
        return None
    directory = default_directory() / "regex"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    digest = hashlib.blake2b(f"{lark_version}\n{grammar}".encode(), digest_size=8).hexdigest()
    return directory / f"pcre-lalr-{digest}.pickle"


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
