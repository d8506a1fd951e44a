"""Who may reach a location, as nginx's access phase decides it (ngx_http_core_access_phase).

- allow/deny: the rules of the nearest level that has any (a level with its own rules inherits none), tried in
  order, first match wins; when none matches the module declines, which lets the request through.
- auth_basic, auth_request, auth_jwt, auth_oidc: each inherited on its own, `off` switches it off.
- satisfy all (the default): every module must let the request through; satisfy any: one is enough.

A client is judged as "anyone": an address in no particular range, matched only by `all` or by `0.0.0.0/0`
(IPv4) and `::/0` (IPv6). An IPv4 client on an IPv6 socket is matched against the IPv4 rules (nginx maps the
address back), so `allow ::/0` lets through only clients that really use IPv6.
"""
from __future__ import annotations

AUTH_DIRECTIVES = ("auth_basic", "auth_request", "auth_jwt", "auth_oidc")
# Lua access code decides on its own: nginxlint cannot tell what it lets through.
OPAQUE_ACCESS = ("access_by_lua_block", "access_by_lua_file", "access_by_lua")
UNIVERSAL = {"all": (4, 6), "0.0.0.0/0": (4,), "::/0": (6,)}


def _levels(node):
    """The block and the blocks around it, innermost first."""
    level = node
    while level is not None and level.d is not None:
        yield level
        level = level.parent


def _nearest(node, names) -> object | None:
    for level in _levels(node):
        for child in level.children or ():
            if child.d.name in names:
                return child
    return None


def access_rules(node) -> list:
    for level in _levels(node):
        rules = [c for c in level.children or () if c.d.name in ("allow", "deny")]
        if rules:
            return rules
    return []


def _verdict(rules, family: int) -> str | None:
    """"allow", "deny", or None (no rule matches anyone of this family)."""
    for rule in rules:
        if rule.args and family in UNIVERSAL.get(rule.args[0].lower(), ()):
            return rule.d.name
    return None


def authenticated(node) -> bool:
    for name in AUTH_DIRECTIVES:
        found = _nearest(node, (name,))
        if found is not None and found.args and found.args[0] != "off":
            return True
    return False


def opaque(node) -> bool:
    return _nearest(node, OPAQUE_ACCESS) is not None


def open_to_anyone(node, families) -> list[int]:
    """The address families (4, 6) whose arbitrary clients the access phase lets through at this block."""
    rules = access_rules(node)
    auth = authenticated(node)
    satisfy = _nearest(node, ("satisfy",))
    any_module = satisfy is not None and satisfy.args[:1] == ["any"]
    open_families = []
    for family in families:
        verdict = _verdict(rules, family)
        if any_module:
            exposed = verdict == "allow" or (verdict is None and not auth)
        else:
            exposed = verdict != "deny" and not auth
        if exposed:
            open_families.append(family)
    return open_families


def listen_families(listen_nodes) -> tuple[set, bool]:
    """(families of the clients the listens accept, every listen is a unix socket). No listen: *:80, IPv4."""
    if not listen_nodes:
        return {4}, False
    families: set = set()
    unix = True
    for node in listen_nodes:
        text = node.args[0] if node.args else ""
        if text.startswith("unix:"):
            continue
        unix = False
        if text.startswith("["):
            families.add(6)
            if "ipv6only=off" in node.args[1:]:
                families.add(4)
        elif text.split(":")[0].replace(".", "").isdigit() or text.startswith("*") or text.isdigit():
            families.add(4)
        else:
            families.update((4, 6))  # a host name: whatever it resolves to
    return families, unix
