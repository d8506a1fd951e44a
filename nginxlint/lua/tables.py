"""The LALR(1) tables for grammar.lark: built once with lark, then cached on disk.

A lark build costs ~0.2-0.4 s, so the tables are reduced to plain dicts, ints and strings and
stored with marshal in nginxlint's cache directory (``nginxlint.cache.default_directory()``, the one the
analysis cache uses), keyed by a hash of the grammar.
When the cache cannot be read or written, the tables are built in memory (still only once per process).
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path

_GRAMMAR = Path(__file__).with_name("grammar.lark")
_FORMAT = 1  # bump when the cached layout changes


class ParseTables:
    """``actions[state][terminal]``: >= 0 shift to that state, < 0 reduce rule ``~action``.
    ``gotos[state][nonterminal]``: state after a reduce. ``rules``: (callback, nonterminal, length).
    ``accept``: the state reached once the whole chunk is reduced."""

    __slots__ = ("actions", "gotos", "rules", "start", "accept")

    def __init__(self, actions, gotos, rules, start, accept):
        self.actions: list[dict[str, int]] = actions
        self.gotos: list[dict[str, int]] = gotos
        self.rules: list[tuple[str, str, int]] = rules
        self.start: int = start
        self.accept: int = accept


_tables: ParseTables | None = None


def load_tables() -> ParseTables:
    global _tables
    if _tables is None:
        _tables = _load_or_build()
    return _tables


def _cache_dir() -> Path:
    from ..cache import default_directory

    return default_directory()


def _cache_key(grammar: bytes) -> str:
    # The cached tables are plain data in our own layout: any lark that builds them from the same
    # grammar gives the same parser, so only the grammar and the layout version key the cache.
    import hashlib

    return hashlib.sha256(grammar + f"|{_FORMAT}".encode()).hexdigest()[:20]


def _load_or_build() -> ParseTables:
    grammar = _GRAMMAR.read_bytes()
    path = _cache_dir() / f"lua-tables-{_cache_key(grammar)}.marshal"
    try:
        data = marshal.loads(path.read_bytes())
        return ParseTables(*data)
    except Exception:
        pass
    tables = build_tables(grammar.decode())
    _store(path, tables)
    return tables


def _store(path: Path, tables: ParseTables) -> None:
    data = marshal.dumps((tables.actions, tables.gotos, tables.rules, tables.start, tables.accept))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home still parses, it only pays the build on each run


def build_tables(grammar: str) -> ParseTables:
    """Run lark's LALR analysis on the grammar and keep only what the parse loop needs."""
    from lark import Lark
    from lark.lexer import Lexer
    from lark.parsers.lalr_analysis import Shift

    class _NoLexer(Lexer):  # the tokens come from nginxlint.lua.lexer
        def __init__(self, lexer_conf):
            pass

        def lex(self, lexer_state, parser_state):  # pragma: no cover - never called
            raise NotImplementedError

    lark = Lark(grammar, parser="lalr", lexer=_NoLexer, start="start")
    table = lark.parser.parser.parser.parse_table
    rule_index: dict[object, int] = {}
    rules: list[tuple[str, str, int]] = []
    actions: list[dict[str, int]] = []
    gotos: list[dict[str, int]] = []
    states = table.states
    for state in range(len(states)):
        state_actions: dict[str, int] = {}
        state_gotos: dict[str, int] = {}
        for symbol, (action, arg) in states[state].items():
            symbol = str(symbol)
            if action is Shift:
                if symbol.isupper() or symbol == "$END":
                    state_actions[symbol] = arg
                else:
                    state_gotos[symbol] = arg
            else:
                if arg not in rule_index:
                    rule_index[arg] = len(rules)
                    callback = arg.alias or arg.origin.name
                    rules.append((str(callback), str(arg.origin.name), len(arg.expansion)))
                state_actions[symbol] = ~rule_index[arg]
        actions.append(state_actions)
        gotos.append(state_gotos)
    start = table.start_states["start"]
    accept = table.end_states["start"]
    return ParseTables(actions, gotos, rules, start, accept)
