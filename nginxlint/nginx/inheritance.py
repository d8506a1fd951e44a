"""How nginx merges a directive from the enclosing levels into a block (http, server, location, `if`,
`limit_except`): one table per directive name, built once from the deployment's index, so that every lookup
walks only the ancestors of one block.

Two kinds of directives matter to the rules:

- array directives (`add_header`, `proxy_set_header`, `allow`/`deny`): a block that has any of its own uses
  only its own list; a block without inherits the whole list of the nearest enclosing block that has one;
- scalar directives (`satisfy`, `auth_basic`, `server_tokens`, …): the nearest one, the block's own first.
"""
from __future__ import annotations


class Lists:
    """The own list of every block for a family of array directives, e.g. {"allow", "deny"}."""

    def __init__(self, dep, names):
        names = frozenset(names)
        blocks = {node.parent for name in names for node in dep.nodes(name)}
        if len(names) == 1:  # the index holds them in document order already: no block's children are read
            grouped: dict = {}
            for node in dep.nodes(next(iter(names))):
                grouped.setdefault(node.parent, []).append(node)
            self.own: dict = {block: grouped[block] for block in blocks}
            return
        # each block's children once, so that the list keeps document order across the names
        self.own = {block: [c for c in block.children if c.name in names] for block in blocks}

    def of(self, block) -> list:
        return self.own.get(block, [])

    def inherited(self, block):
        """(block, list) of the nearest enclosing block with entries of its own, or (None, [])."""
        node = block.parent
        while node is not None:
            nodes = self.own.get(node)
            if nodes:
                return node, nodes
            node = node.parent
        return None, []

    def effective(self, block) -> list:
        return self.own.get(block) or self.inherited(block)[1]


def nearest(dep, name: str) -> dict:
    """{block: the block's own `name` directive}: the table `value_at` looks in. A scalar set twice in one
    block is refused by nginx (NGX007), so the first one stands for the block."""
    table: dict = {}
    for node in dep.nodes(name):
        table.setdefault(node.parent, node)
    return table


def value_at(table: dict, block):
    """The directive that applies in `block`: its own, else the nearest enclosing block's; None if none."""
    node = block
    while node is not None:
        found = table.get(node)
        if found is not None:
            return found
        node = node.parent
    return None


def blocks_up(block):
    """The block and every block around it, innermost first (the fragment's or main context last)."""
    node = block
    while node is not None:
        yield node
        node = node.parent


def server_of(node):
    """The server block around the node; where none is in view (a fragment of a server's directives, `include
    location.part.conf;` inside one, or a template macro's body), the root of its tree, which stands for it."""
    server = node.enclosing("server")
    return server if server is not None else next(block for block in blocks_up(node) if block.parent is None)
