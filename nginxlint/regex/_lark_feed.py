"""The lark side of the regex parser: imported only by grammar.parser(), so lark loads when a regex is parsed.

(A module of its own because lark pickles the lexer class into its table cache, which needs a module-level name.)
"""
from __future__ import annotations

from lark.lexer import Lexer, Token


class TokenFeed(Lexer):
    """Hands lark the tokens nginxlint.regex.lexer already read (the "text" lark is given is that token list);
    each lark token's value is the index of its Tok."""

    def __init__(self, lexer_conf):
        pass

    def lex(self, data):
        for index, tok in enumerate(data):
            yield Token(tok.kind, str(index), tok.start, 1, tok.start + 1, 1, tok.end + 1, tok.end)
