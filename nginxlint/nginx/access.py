"""Who may reach a location, as nginx's access phase decides it (ngx_http_core_access_phase).

- allow/deny: the rules of the nearest level that has any (a level with its own rules inherits none), tried in
  order, first match wins; when none matches the module declines, which lets the request through.
- auth_basic, auth_request, auth_jwt, auth_oidc: each inherited on its own, `off` switches it off.
- satisfy all (the default): every module must let the request through; satisfy any: one is enough.

A client is judged as "anyone": an address in no particular range, matched only by `all` or by `0.0.0.0/0`
(IPv4) and `::/0` (IPv6). An IPv4 client on an IPv6 socket is matched against the IPv4 rules (nginx maps the
address back), so `allow ::/0` lets through only clients that really use IPv6. A rule whose address a template
fills in (`deny ${METRICS_DENY_FROM};`) may match anyone: from there on, who gets through is unknown, and a
block with such a rule counts as restricted.
"""
from __future__ import annotations

import ipaddress

from .listen import is_loopback_host, listens_locally
from .templates import is_unknown
from .urls import PASS_DIRECTIVES, upstream_host
from .values import parse_uint

AUTH_DIRECTIVES = ("auth_basic", "auth_request", "auth_jwt", "auth_oidc")
# What says which users exist: htpasswd's file, the LDAP module's directive (nginx-auth-ldap), and the SPNEGO
# module's switch (its Kerberos server's accounts)
_USER_LISTS = ("auth_basic_user_file", "auth_ldap", "auth_gss")
# Lua access code decides on its own: nginxlint cannot tell what it lets through.
OPAQUE_ACCESS = ("access_by_lua_block", "access_by_lua_file", "access_by_lua")
UNIVERSAL = {"all": (4, 6), "0.0.0.0/0": (4,), "::/0": (6,)}
# What lets a client through the access phase only once it proves who it is: authentication, Lua access code.
CLIENT_CHECKS = frozenset({*AUTH_DIRECTIVES, "auth_digest", *OPAQUE_ACCESS})
# What withholds a location's URIs from some clients: access rules, authentication, Lua access code, `internal`.
GUARD_DIRECTIVES = CLIENT_CHECKS | {"deny", "internal", "limit_except"}


def _levels(node):
    """The block and the blocks around it, innermost first, up to the file's top (a fragment's own directives)."""
    level = node
    while level is not None:
        yield level
        level = level.parent


class AccessView:
    """The access directives of one config, indexed by the block that holds them (built once: a lookup per level
    instead of a scan of every level's children, which an http block with thousands of servers would make slow)."""

    def __init__(self, dep):
        self.index: dict[str, dict[int, list]] = {}
        for name in ("allow", "deny", "satisfy", *AUTH_DIRECTIVES, *OPAQUE_ACCESS, *_USER_LISTS):
            held: dict[int, list] = {}
            for node in dep.nodes(name):
                held.setdefault(id(node.parent), []).append(node)
            self.index[name] = held
        self._rules: dict[int, list] = {}
        self._unread = dep.unread_include_ids()
        self._dep = dep
        self._relays_here: bool | None = None  # whether a server in view passes requests to this host

    def _nearest(self, node, names) -> object | None:
        for level in _levels(node):
            found = [n for name in names for n in self.index[name].get(id(level), ())]
            if found:
                return found[0]
        return None

    def access_rules(self, node) -> list:
        for level in _levels(node):
            key = id(level)
            if key not in self._rules:
                allows, denies = self.index["allow"].get(key, []), self.index["deny"].get(key, [])
                # both kinds: their order in the block decides (one scan per block, remembered)
                self._rules[key] = [c for c in level.children if c.d.name in ("allow", "deny")] \
                    if allows and denies else allows or denies
            if self._rules[key]:
                return self._rules[key]
        return []

    def authenticated(self, node) -> bool:
        for name in AUTH_DIRECTIVES:
            found = self._nearest(node, (name,))
            if found is not None and found.args and found.args[0] != "off":
                return True
        return False

    def user_checked(self, node) -> bool:
        """Only a user an account list knows gets through to this block (`auth_basic` with its user file, the LDAP
        module's `auth_ldap`, the SPNEGO module's `auth_gss on`, whose Kerberos server accepts the ticket or the
        Basic name and password), so $remote_user is one of its names, not text the client chose; not so with
        `satisfy any`, where an `allow` lets a request through with whatever Authorization header it sends."""
        satisfy = self._nearest(node, ("satisfy",))
        if satisfy is not None and satisfy.args[:1] == ["any"]:
            return False
        basic = self._nearest(node, ("auth_basic",))
        if basic is not None and basic.args[:1] != ["off"] and self._nearest(node, ("auth_basic_user_file",)):
            return True
        ldap = self._nearest(node, ("auth_ldap",))
        if ldap is not None and ldap.args[:1] != ["off"]:
            return True
        kerberos = self._nearest(node, ("auth_gss",))
        return kerberos is not None and kerberos.args[:1] == ["on"]

    def opaque(self, node) -> bool:
        """Access decided where nginxlint cannot judge it: code (`access_by_lua*`), or an include it could not read
        at this level or one around it (it may hold the allow list or the authentication)."""
        return self._nearest(node, OPAQUE_ACCESS) is not None or any(id(level) in self._unread
                                                                      for level in _levels(node))

    def open_to_anyone(self, node, families) -> list[int]:
        """The address families (4, 6) whose arbitrary clients the access phase lets through at this block."""
        rules = self.access_rules(node)
        auth = self.authenticated(node)
        satisfy = self._nearest(node, ("satisfy",))
        any_module = satisfy is not None and satisfy.args[:1] == ["any"]
        open_families = []
        for family in families:
            verdict = _verdict(rules, family)
            if any_module:
                exposed = verdict == "allow" or (verdict is None and not auth)
            else:
                exposed = verdict != "deny" and not auth
            if exposed and verdict != "unknown":
                open_families.append(family)
        return open_families

    def local_clients_only(self, node) -> bool:
        """Only processes of this host reach the block: its allow/deny rules (`loopback_only`), unless the realip
        module may take the client's address from a header (`set_real_ip_from`: a request that claims 127.0.0.1
        passes them), or its server listens on loopback addresses and unix sockets alone; and no server in view
        relays requests to this host (`proxy_pass http://127.0.0.1:8081`, an upstream's `server unix:…`), which
        would bring any client's request there."""
        if self._relays_here is None:
            targets = [node for name in PASS_DIRECTIVES for node in self._dep.nodes(name)]
            targets += [node for node in self._dep.nodes("server") if node.ctx[-1:] == ("upstream",)]
            self._relays_here = any(node.args and _to_this_host(node.args[0]) for node in targets)
        if self._relays_here:
            return False
        server = node if node.name == "server" else node.enclosing("server")
        if server is not None and listens_locally(server):
            return True
        return not self._dep.nodes("set_real_ip_from") and self.loopback_only(node)

    def loopback_only(self, node) -> bool:
        """The allow/deny rules at this block let no client through but processes of this host: every `allow`
        before the `deny` that stops anyone names a loopback address or `unix:`, and `satisfy any` lets no one in
        by another module."""
        satisfy = self._nearest(node, ("satisfy",))
        if satisfy is not None and satisfy.args[:1] == ["any"] and (self.authenticated(node) or self.opaque(node)):
            return False
        rules = self.access_rules(node)
        if any(_verdict(rules, family) != "deny" for family in (4, 6)):
            return False
        for rule in rules:
            if rule.d.name == "deny" and rule.args and rule.args[0].lower() == "all":
                return True
            if rule.d.name == "allow" and not (rule.args and _loopback(rule.args[0])):
                return False
        return True  # `deny 0.0.0.0/0; deny ::/0;` after loopback allows only


def _to_this_host(target: str) -> bool:
    """A *_pass or upstream server on this host: a unix socket, a loopback address or `localhost`
    (`http://127.0.0.1:8081/`, `unix:/run/app.sock`)."""
    found = upstream_host(target)
    host = found[0] if found is not None else ""
    return host.lower().startswith("unix:") or is_loopback_host(host)


def _loopback(address: str) -> bool:
    """`127.0.0.1`, `127.0.0.0/8`, `::1`, `unix:`: the allow/deny forms that only this host's clients match."""
    if address == "unix:":
        return True
    try:
        return ipaddress.ip_network(address, strict=False).is_loopback
    except ValueError:
        return False


def _verdict(rules, family: int) -> str | None:
    """"allow", "deny", None (no rule matches anyone of this family), or "unknown" (a templated rule comes
    first)."""
    for rule in rules:
        if rule.args and is_unknown(rule.args[0]):
            return "unknown"
        if rule.args and family in UNIVERSAL.get(rule.args[0].lower(), ()):
            return rule.d.name
    return None


def listen_families(listen_nodes) -> set:
    """The families of the clients the listens accept (none for unix sockets). No listen: *:80, IPv4."""
    if not listen_nodes:
        return {4}
    families: set = set()
    for node in listen_nodes:
        text = node.args[0] if node.args else ""
        if text.startswith("unix:"):
            continue
        if text.startswith("["):
            families.add(6)
            if "ipv6only=off" in node.args[1:]:
                families.add(4)
        elif text.split(":")[0].replace(".", "").isdigit() or text.startswith("*") or text.isdigit():
            families.add(4)
        else:
            families.update((4, 6))  # a host name: whatever it resolves to
    return families


def error_return(node) -> bool:
    """`return 403;`, `return 444;`: a `return` that answers with an error status (400 or more), refusing."""
    code = parse_uint(node.args[0]) if node.name == "return" and node.args else None
    return code is not None and code >= 400
