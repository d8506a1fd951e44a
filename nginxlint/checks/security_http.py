"""SEC501–SEC510, SEC526, SEC574, SEC575: HTTP settings of nginx that expose files, headers or access control to
the client, or that keep sending to a public name's old addresses.

Each rule reads what nginx does with the directive (inheritance, how alias and proxy_pass build a path, in
which phase a `return` answers) through the helpers in nginxlint.nginx, and is linear in the config: it starts
from the deployment's index of the directives it is about.
"""
from __future__ import annotations

import ipaddress
import os
import posixpath
import re
from bisect import bisect_right
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from fnmatch import fnmatchcase
from itertools import takewhile
from pathlib import Path

from ..container.view import container_files
from ..findings import UNSAFE, Fix
from ..nginx import edits
from ..nginx.access import CLIENT_CHECKS, GUARD_DIRECTIVES, AccessView, error_return
from ..nginx.captures import group, may_hold, starts_with_slash
from ..nginx.conditions import regex_condition
from ..nginx.directives import LUA_PHASE
from ..nginx.inheritance import Lists, blocks_up, nearest, server_of, value_at
from ..nginx.listen import http_servers, listens_locally, server_listens
from ..nginx.locations import (UNKNOWN, ends_request, error_page_status, fixed_status, front_page, hands_off,
                               header_added, location_match, match_location, may_match, named_location, preflight,
                               probe_location, rewrite_redirects, rewrite_takes_every_uri, served_kinds)
from ..nginx.parser import blocks_around
from ..nginx.placeholders import is_stand_in_host
from ..nginx.templates import UNKNOWN, is_unknown, template_includes
from ..nginx.tls_scope import (PlainHttp, alone_on_their_sockets, default_on_every_socket, named_as_catch_all,
                                servers_by_socket)
from ..nginx.urls import (is_public_name, is_service_name, moving_platform, names_resolved_at_start,
                          registrable_domain, upstream_host, workspace_upstream_names)
from ..nginx.values import parse_uint
from ..nginx.variables import client_controlled, client_variables, parse_value, variables
from .registry import rule
from .security_regex import ALLOW_ORIGIN

HOST_HEADER_DIRECTIVES = ("proxy_set_header", "grpc_set_header")


# -- SEC501 host-spoofing --------------------------------------------------------------------------------------

@rule("SEC501")
def host_spoofing(dep, report):
    nodes = [n for name in HOST_HEADER_DIRECTIVES for n in dep.nodes(name)
             if len(n.args) >= 2 and n.args[0].lower() == "host" and "$" in n.args[1]]
    if not nodes:
        return
    derived = client_variables(dep)
    lua_blocks = _lua_rewriting_blocks(dep)
    servers = http_servers(dep)
    by_socket = servers_by_socket(servers)
    alone = alone_on_their_sockets(dep, servers, by_socket)
    sharing = {server for servers in by_socket.values() if len(servers) > 1 for server in servers}
    spliced_after_lua = _spliced_after_lua(dep)
    for node in nodes:
        name = node.name
        # Lua running before the proxy (rewrite, access, set_by_lua) may assign the variable anew, or replace the
        # request header an $http_ variable reads (ngx.req.set_header): quiet then
        rewritten = spliced_after_lua or any(block in lua_blocks for block in blocks_up(node.parent))
        chosen = [v for v in variables(node.args[1])
                  if (client_controlled(v.name) and not (rewritten and v.name.startswith("http_")))
                  or (v.name in derived and not rewritten)]
        if [v.name for v in chosen] == ["http_host"] and _every_server_alone(dep, node, servers, alone):
            continue  # every Host reaches the servers it serves: $host is the client's choice as much as $http_host
        if chosen:
            var = chosen[0]
            written = "$" + var.written
            origin = derived.get(var.name)
            related = [origin.location(f"{written} is made from client input here")] if origin is not None else []
            if written.lower() == "$http_host" and node.enclosing("server") in sharing and \
                    default_on_every_socket(node.enclosing("server")):
                message = (
                    "a request in absolute form (`GET http://unknown.test/ HTTP/1.1`) reaches this default server "
                    f"with any Host header, even a name another server on its sockets answers for, and {written} "
                    "hands that name to the upstream; send the host nginx matched the request on, $host")
            else:
                message = (
                    f"the Host sent upstream comes from {written}, which the client sets as it likes; send the host "
                    "nginx matched the request on, $host")
            report(
                node,
                message,
                arg=1,
                related=related,
                help=f"{name} Host $host;",
                # $host drops the port and what else the value added: the upstream may expect them
                fix=Fix.of("Send `Host $host`", edits.replace_arg(node.d, 1, "$host"), applicability=UNSAFE),
            )


def _every_server_alone(dep, node, servers: list, alone: set) -> bool:
    """The servers the line applies in all take every Host: its own server; in a fragment of a server's directives,
    the server out of view that includes it, when the fragment names it as a catch-all (`server_name _;`); for a
    line in the http block that the servers inherit, every server in view."""
    server = node.enclosing("server")
    if server is not None:
        return server in alone
    if dep.start_ctx[-1:] == ("server",):
        return bool(dep.main.find("server_name")) and named_as_catch_all(dep.main)
    return bool(servers) and all(s in alone for s in servers)


LUA_BEFORE_CONTENT = frozenset({"rewrite", "access", "server_rewrite", "set"})


def _lua_rewriting_blocks(dep) -> set:
    """Blocks holding a Lua handler that runs before the request is proxied and may set variables."""
    return {node.parent for name, phase in LUA_PHASE.items() if phase in LUA_BEFORE_CONTENT
            for node in dep.nodes(name)}


def _spliced_after_lua(dep) -> bool:
    """A fragment that templates splice (`{% include "conf.d/x.conf" %}`) only into blocks running Lua before
    the proxy: the Lua there is in scope of every directive of the fragment."""
    if dep.is_main or dep.root.display is None:
        return False
    fragment = dep.root.display
    found = [lua for name, sites in _template_include_sites(dep.loader).items()
             if fragment == name or fragment.endswith("/" + name) for lua in sites]
    return bool(found) and all(found)


def _template_include_sites(loader) -> dict[str, list[bool]]:
    """For each file a template includes: whether each place that includes it lies in a block running Lua before
    the proxy. Read once per run from every config text that holds a template tag."""
    memo = loader.memo("template-include-sites")
    if "sites" not in memo:
        sites: dict[str, list[bool]] = {}
        lua_names = {name for name, phase in LUA_PHASE.items() if phase in LUA_BEFORE_CONTENT}
        for source, parsed in loader.parsed_files():
            if "{%" not in source.text:
                continue
            for offset, name in template_includes(source.text):
                line = source.text.count("\n", 0, offset) + 1
                blocks = blocks_around(parsed.directives, (line, offset - source.text.rfind("\n", 0, offset)))
                sites.setdefault(name.removeprefix("./"), []).append(
                    any(child.name in lua_names for block in blocks for child in block.block))
        memo["sites"] = sites
    return memo["sites"]


# -- SEC502 alias-traversal / SEC511 alias-sibling-widening ------------------------------------------------------

@rule("SEC502", "SEC511")
def check_alias(dep, report):
    """SEC502: an alias a request leaves with `..`; SEC511 (opt-in): one it widens to the siblings whose name
    starts as the alias's, through a missing slash on both sides."""
    for node in dep.nodes("alias"):
        if not node.args:
            continue
        location = node.parent if node.parent is not None and node.parent.name == "location" else None
        if location is None:
            continue
        match = location_match(location)
        if match is None or _only_internal(dep, location, match) or _pins_its_files(location):
            continue
        alias = node.args[0]
        if match.prefix:
            _alias_prefix(dep, node, location, match, alias, report)
        elif match.regex:
            _alias_regex(node, location, match, alias, report)


def _alias_prefix(tree, node, location, match, alias, report):
    """nginx builds the path as alias + (URI minus the location prefix)."""
    prefix = match.pattern
    if prefix.endswith("/") or "$" in alias:
        return
    if not alias.endswith("/") and _no_sibling_in_view(tree, alias):
        return
    if _root_serves_the_same(tree, location, match, alias):
        return
    if alias.endswith("/"):
        report(
            location,
            f'location "{prefix}" has no trailing slash but its alias "{alias}" has one: '
            f"{prefix}../ maps to {alias}../, one directory above the alias",
            arg=match.arg,
            related=[node.location("the alias")],
            help=f"location {_modifier(match)}{prefix}/ {{",
            fix=_slash_location(location, match),
        )
    else:
        report(
            location,
            f'location "{prefix}" has no trailing slash: {prefix}_x/ maps to {alias}_x/, so every sibling '
            f"of {alias} whose name starts the same is served",
            arg=match.arg,
            code="SEC511",
            related=[node.location("the alias")],
            help=f"location {_modifier(match)}{prefix}/ {{ alias {alias}/; }}",
            fix=Fix.of("End the location and the alias with `/`", edits.append_to_arg(location.d, match.arg, "/"),
                       edits.append_to_arg(node.d, 0, "/"), applicability=UNSAFE),
        )


def _no_sibling_in_view(tree, alias: str) -> bool:
    """The alias's directory is a repository directory nginxlint sees whole (relative to the prefix, mapped by
    path-map, or copied into the container), or the root of an image built here, and nothing in it but the alias
    starts with the alias's name."""
    if posixpath.isabs(alias):
        found = tree.loader.map_path(alias, tree.conf_dir)
        files = container_files(tree) if found is None else None
        if files is not None and posixpath.dirname(alias) == "/":
            name, entries = posixpath.basename(alias), _root_entries(tree, files)
            return entries is not None and not any(entry != name and entry.startswith(name) for entry in entries)
        if files is not None:
            parent = files.where(posixpath.dirname(alias))
            found = parent / posixpath.basename(alias) if isinstance(parent, Path) else None
    else:
        found = tree.prefix / alias
    if found is None or not found.parent.is_dir():
        return False
    name = found.name
    return not any(entry != name and entry.startswith(name) for entry in os.listdir(found.parent))


def _root_entries(tree, files) -> set[str] | None:
    """The names at the top of an image the repository's Dockerfile builds: the distribution's standard
    directories, and what the Dockerfile and the mounts put there (COPY, ADD, mkdir, WORKDIR, VOLUME). Programs a
    RUN installs or builds write below the standard directories. None for an image built elsewhere."""
    if files.image is None:
        return None
    from ..container.base_images import STANDARD_ROOT  # the image facts, only for an alias at an image's root

    build = tree.binding.container.build
    volumes = {volume.value.strip("/").split("/")[0] for volume in build.volumes} if build is not None else set()
    return set(files.listdir("/").names) | STANDARD_ROOT | volumes


def _pins_its_files(location) -> bool:
    """`try_files index.html =404`: every file the location tries is named in full, so the request's path never
    reaches the alias (oracle: `/csat../secret` answers the named file)."""
    found = location.find("try_files")
    return bool(found) and len(found[-1].args) >= 2 and not any("$" in arg for arg in found[-1].args[:-1])


def _only_internal(tree, location, match) -> bool:
    """An `internal` location answers no client request (404, oracle); only a rewrite that glues a capture or
    variable right after its prefix (`rewrite ^/dl(.*)$ /static$1 last;`) brings a client's `..` into it."""
    if not location.find("internal"):
        return False
    return not any(len(node.args) >= 2 and node.args[1].startswith(match.pattern + "$")
                   for node in tree.nodes("rewrite"))


# what makes a location answer otherwise than with the files under its root
_WITHHOLDING = frozenset({"alias", "internal", "deny", "auth_basic", "auth_request", "auth_jwt", "return", "rewrite",
                          "satisfy", "if", "limit_except"})
# what keeps files from some clients
_GUARDS = GUARD_DIRECTIVES | {"satisfy"}
# what makes the alias's own location show more than the root's: a listing, or access rules of its own
_LOOSENING = ("autoindex", "allow", "auth_basic", "auth_request", "satisfy")


def _root_serves_the_same(tree, location, match, alias: str) -> bool:
    """The directory a request reaches above the alias (`/static../x` reads dirname(alias)/x; `/files_old/x`
    a sibling of `alias /srv/files`) lies under the server's root, and the server serves that part of the root
    as plain files, with no location that withholds some of it: the traversal then shows only what a plain
    request for the same file shows (oracle)."""
    server = location.enclosing("server")
    if server is None or "$" in alias or match.modifier == "^~" or any(location.find(n) for n in _LOOSENING):
        return False  # ^~ skips the regex locations (a deny of dot files) that a plain request meets
    base = _served_root(tree, server)
    if base is None:
        return False
    target = _in_prefix(tree, alias)
    reached = posixpath.dirname(target)
    if reached != base and not reached.startswith(base.rstrip("/") + "/"):
        return False
    below = "/" + reached[len(base):].strip("/") + "/" if reached != base else "/"
    if not alias.endswith("/"):
        below += posixpath.basename(target)  # only the siblings whose name starts as the alias's
    public = _public_root(tree, server, base)
    for other in server.walk():
        if other.name != "location" or other is location or location in other.ancestors():
            continue
        other_match = location_match(other)
        if other_match is None or other_match.regex or other_match.modifier == "@":
            continue
        path = other_match.pattern
        if (path.startswith(below) or below.startswith(path)) and not _plain_files(tree, other, base):
            if not public or _guards(other):
                return False
    return True


def _public_root(tree, server, base: str) -> bool:
    """The server publishes its root: the requests no other location takes (`location /`, or the server itself
    when it has none) get the files under it. What the alias reaches there is then the project's public files,
    even where a nested location answers some of their paths otherwise (a redirect, a fallback page)."""
    top = [c for c in server.children if c.name == "location" and c.args in (["/"], ["^~", "/"])]
    if not top:
        return True
    return all(not _answers_alone(tree, child, base) for child in top[0].children if child.name != "location")


def _answers_alone(tree, node, base: str) -> bool:
    name = node.name
    if name in _WITHHOLDING or hands_off(node):
        return True
    return name == "root" and (not node.args or _in_prefix(tree, node.args[0]) != base)


def _guards(location) -> bool:
    """An access rule in the location (or one nested in it): the files it covers are not for everyone."""
    return any(node.name in _GUARDS for node in location.walk())


def _served_root(tree, server) -> str | None:
    """The server's root (its own, its http block's, or nginx's default `html`) as a normal path."""
    for block in (server, server.enclosing("http")):
        found = block.find("root") if block is not None else []
        if found:
            return None if "$" in found[-1].args[0] else _in_prefix(tree, found[-1].args[0])
    return _in_prefix(tree, "html")


def _in_prefix(tree, path: str) -> str:
    return _normal(path if posixpath.isabs(path) else posixpath.join(str(tree.prefix), path))


def _plain_files(tree, location, base: str) -> bool:
    """The location answers with the files under base and withholds none (no access rule, no handler)."""
    return not any(_answers_alone(tree, node, base) for node in location.walk())


def _slash_location(location, match):
    """A `/` at the end of the location's prefix: `/i` itself no longer matches it, so only on request."""
    return Fix.of("End the location with `/`", edits.append_to_arg(location.d, match.arg, "/"),
                  applicability=UNSAFE)


def _modifier(match) -> str:
    return match.modifier + " " if match.modifier else ""


def _ends_with_slash(pattern: str) -> bool:
    """The regex text before a capture always matches a `/` last: `^/files/`, or a group whose every alternative does
    (`^(?:/-/u/|/-/uploads/public/)`)."""
    if pattern.endswith("/"):
        return True
    if not pattern.endswith(")") or pattern.endswith("\\)"):
        return False
    depth, index = 0, len(pattern) - 1
    while index >= 0:  # the "(" that opens the last group
        char = pattern[index]
        if index and pattern[index - 1] == "\\":
            index -= 2
            continue
        depth += char == ")"
        depth -= char == "("
        if depth == 0:
            break
        index -= 1
    body = pattern[index + 1:-1]
    if index < 0 or body.startswith("?") and not body.startswith("?:"):
        return False  # unbalanced, or a lookaround or named group's syntax
    body = body.removeprefix("?:")
    alternatives, depth, start = [], 0, 0
    for position, char in enumerate(body):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0 and (position == 0 or body[position - 1] != "\\"):
            alternatives.append(body[start:position])
            start = position + 1
    alternatives.append(body[start:])
    return all(_ends_with_slash(alternative) for alternative in alternatives)


def _alias_regex(node, location, match, alias, report):
    """In a regex location the alias is the whole path; a capture the client fills can climb out of it."""
    for var in variables(alias):
        if not (var.name.isdigit() or not var.name[:1].isdigit()):
            continue
        captured = group(match.pattern, var.written)
        if captured is None or starts_with_slash(captured.body):
            continue
        before_alias = alias[:var.start]
        after_slash = before_alias.endswith("/")
        after_slash_in_regex = _ends_with_slash(captured.before)
        if after_slash and not after_slash_in_regex and may_hold(captured.body, dot_only=True) \
                and _may_hold_dotdot(match, var.written):
            tail = f'right after "{captured.before[-12:]}"' if captured.before else "at the start"
            report(
                node,
                f'the capture ${var.written} begins {tail} in the location regex, so it can start with "..", and '
                f"the alias puts it after a slash: a request climbs out of {before_alias}",
                arg=0,
                related=[location.location("the location regex")],
            )
            return
        if not after_slash and before_alias and may_hold(captured.body, dot_only=False):
            report(
                node,
                f'the capture ${var.written} is glued to "{before_alias}" without a slash: a request reaches every '
                f"sibling path that starts with {before_alias}",
                arg=0,
                code="SEC511",
                related=[location.location("the location regex")],
            )
            return


def _may_hold_dotdot(match, key: str) -> bool:
    """Whether the capture can hold `..` as PCRE reads the location regex: `(\\w+/\\w+.ts)` cannot, since `\\w`
    matches no dot and the one `.` stands alone. True for a regex nginxlint cannot read."""
    from ..regex import RegexError, parse_regex  # the regex engine, only for an alias with a capture

    try:
        capture = parse_regex(match.pattern, caseless=match.modifier == "~*").capture(key)
    except RegexError:
        return True
    return capture is None or capture.dotdot


# -- SEC503 add-header-redefinition / SEC504 proxy-set-header-redefinition -------------------------------------

_HEADER_INHERIT = {"add_header": "add_header_inherit", "add_trailer": "add_trailer_inherit"}


@rule("SEC503")
def add_header_redefinition(dep, report):
    weighs = _security_weight(dep.settings)
    access = AccessView(dep)
    plain = PlainHttp(dep)
    opens_to_other_sites = _allows_origins(dep)
    expires = nearest(dep, "expires")
    for directive, inherit in _HEADER_INHERIT.items():
        lists = Lists(dep, (directive,))
        if not lists.own:
            continue
        modes = nearest(dep, inherit)
        headers = _Effective(lists, modes)
        for block, own in lists.own.items():
            if headers.mode(block) in ("merge", "off"):
                continue  # merge keeps the parent's; off is reported where it is written (below)
            if _own_location_if(block):
                continue  # NGX012 reports the list an `if` of a location replaces, where the request goes on
            if block.name == "if" and block.parent is not None and block.parent.name == "server":
                continue  # nginx refuses add_header in an `if` of a server (NGX005): nothing is dropped at run time
            if access.loopback_only(block):
                continue  # only this host's own processes get its answers (others get the 403, without them)
            if block.name == "location" and probe_location(block):
                continue  # a health check's answer is read by the prober (a load balancer, the kubelet), no browser
            inherited = headers.of(block.parent) if block.parent is not None else []
            weight = _for_files(weighs, served_kinds(block), block)
            if preflight(block):
                weight = _without(weight, NOT_READ_ON_PREFLIGHT)
            weight = _sent_with(weight, fixed_status(block))
            error_page = error_page_status(block)
            if error_page is not None:
                weight = _on_error_page(weight, error_page)
            if plain.only(block) or _front_page_sends_hsts(block, headers):
                # no HSTS lost: over plain HTTP browsers ignore it (RFC 6797 8.1); off the front page, the front
                # page's answer already recorded it
                weight = _without(weight, frozenset({HOST_POLICY}))
            if any(node.args[:1] and node.args[0].lower() == ALLOW_ORIGIN for node in own):
                # no Cross-Origin-Resource-Policy lost where the block itself opens its answers to other sites'
                # scripts: a policy keeping other sites from loading them would undo what it adds
                weight = _without(weight, frozenset({READ_POLICY}))
            if not opens_to_other_sites:
                weight = _without(weight, _CORS_COMPANIONS)
            weight = _without_what_ingress_adds(dep, block, weight)
            if directive == "add_header" and _framing_left_out_on_purpose(dep, block, own, inherited):
                weight = _without(weight, frozenset({"x-frame-options"}))
            if _own_caching(block, own):
                weight = _without(weight, _CACHE_HEADERS)
            elif _expired_by_nginx(value_at(expires, block)):
                weight = _without(weight, _STALE_MARKS)
            _report_dropped(report, directive, own, inherited,
                            f"{inherit} merge;  (nginx >= 1.29.3), or repeat the dropped {directive} lines here",
                            weight)
        for mode in modes.values():
            if mode.args[:1] == ["off"]:
                _report_off_inherited(report, directive, mode, modes, headers, weighs)


def _words(*words: str):
    """A value test: the value holds one of the words."""
    return lambda value: any(word in value.lower() for word in words)


# Referrer policies that send less than browsers do without one (strict-origin-when-cross-origin, their default
# since 2021): dropping a weaker one, or the default itself, leaks nothing more.
_STRICTER_REFERRER_POLICIES = frozenset({"no-referrer", "same-origin", "strict-origin"})
_REFERRER_POLICIES = _STRICTER_REFERRER_POLICIES | {
    "no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "strict-origin-when-cross-origin",
    "unsafe-url"}


def _stricter_than_browsers(value: str) -> bool:
    """A Referrer-Policy stricter than the browsers' default: its last policy a browser knows decides."""
    if "$" in value:
        return True  # set at run time: unknown
    known = [token for token in (part.strip().lower() for part in value.split(",")) if token in _REFERRER_POLICIES]
    return bool(known) and known[-1] in _STRICTER_REFERRER_POLICIES


# Permissions-Policy features no browser knows any more: FLoC's `interest-cohort` (the trial ended in 2021, FLoC was
# replaced by the Topics API and Chromium removed the feature). A policy of those alone restricts nothing.
_RETIRED_FEATURES = frozenset({"interest-cohort"})


def _restricts_a_feature(value: str) -> bool:
    """A Permissions-Policy that names some feature a browser still knows (`camera=()`), not only retired ones."""
    if "$" in value:
        return True  # set at run time: unknown
    features = {item.partition("=")[0].strip().lower() for item in value.split(",") if item.strip()}
    return not features <= _RETIRED_FEATURES


def xss_filter_off(value: str) -> bool:
    """`X-XSS-Protection: 0` turns off the XSS filter of older browsers (itself a source of leaks); dropping it turns
    the filter back on. Dropping `1; mode=block` changes nothing a current browser does: none has the filter."""
    return "$" in value or value.strip().startswith("0")


def _restricts_beyond(default: str):
    """A value test: the policy is other than the value that restricts nothing, what browsers do without the header
    (`Cross-Origin-Resource-Policy: cross-origin` lets every site load the answer, `unsafe-none` opts out)."""
    return lambda value: "$" in value or value.strip().strip("\"'").lower() != default


def _already_expired(value: str) -> bool:
    """An Expires that a cache must treat as past (RFC 9111 5.3: an invalid date such as 0 is in the past)."""
    if "$" in value:
        return False  # set at run time: unknown
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return True
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when <= datetime.now(timezone.utc)


# The response headers whose loss SEC503 reports by default (rules/SEC503.md argues each, with its sources), as
# patterns of lowercase names; a value test, where there is one, says when the header protects: when it keeps
# a private answer out of shared caches, or has the browser download a file instead of rendering it.
SECURITY_HEADERS = {
    "strict-transport-security": None,
    "content-security-policy": lambda value: not _allows_any_script(value),
    "content-security-policy-report-only": None,
    "x-frame-options": None,
    "x-content-type-options": None,
    "referrer-policy": _stricter_than_browsers,
    "permissions-policy": _restricts_a_feature,
    "feature-policy": None,
    "cross-origin-opener-policy": _restricts_beyond("unsafe-none"),
    "cross-origin-embedder-policy": _restricts_beyond("unsafe-none"),
    "cross-origin-resource-policy": _restricts_beyond("cross-origin"),
    "x-permitted-cross-domain-policies": None,
    "x-xss-protection": xss_filter_off,
    "clear-site-data": None,
    "access-control-*": None,
    "cache-control": _words("no-store", "private", "no-cache"),
    "pragma": _words("no-cache"),
    "expires": _already_expired,
    "content-disposition": _words("attachment"),
}


# Headers a browser reads from the page it renders: lost on a font, an image, a script or a style sheet, they
# protect nothing; of them only the Content-Security-Policy acts on an SVG opened as a document (its scripts). HSTS
# is the host's policy, which the browser records from any answer: the site's pages carry it. So is
# X-Permitted-Cross-Domain-Policies, read by a Flash or PDF reader with the site's policy file (crossdomain.xml).
DOCUMENT_POLICIES = frozenset({
    "content-security-policy", "content-security-policy-report-only", "x-frame-options", "x-xss-protection",
    "referrer-policy", "permissions-policy", "feature-policy", "cross-origin-opener-policy",
    "cross-origin-embedder-policy", "x-permitted-cross-domain-policies"})
SCRIPT_POLICIES = frozenset({"content-security-policy", "content-security-policy-report-only"})
# What a CORS preflight's answer does not use: no cache stores an answer to OPTIONS (RFC 9110 9.3.7), it has no body
# to download, and which headers a script may read is told on the actual response; its Allow-* headers count
NOT_READ_ON_PREFLIGHT = frozenset({"cache-control", "pragma", "expires", "content-disposition",
                                   "access-control-expose-headers"})
HOST_POLICY = "strict-transport-security"
NOSNIFF = "x-content-type-options"
# Keeps other sites from loading the answer into their pages: a fixed text of the site's own, or its built scripts
# and style sheets (code every visitor downloads), hold nothing to keep
READ_POLICY = "cross-origin-resource-policy"
_NOTHING_TO_KEEP = frozenset({"text", "empty", "built"})


def _for_files(weighs, kinds, block):
    """The weight of a header lost in a location on file extensions (`served_kinds`): no HSTS; a page policy only
    where a page may be served (the CSP where an SVG may); X-Content-Type-Options only where an application may
    answer a page, text, JSON or a feed, whose declared type a browser could otherwise second-guess (the pages
    nginx reads from disk go out as mime.types types them, text/html); no Cross-Origin-Resource-Policy on a fixed
    text of the site's own, its built scripts and style sheets, or an answer without a body."""
    if kinds is None:
        return weighs
    sniffed = bool(kinds & {"page", "data"}) and any(hands_off(inner) for inner in block.walk())

    def counts(node) -> bool:
        name = node.args[0].lower()
        if name == HOST_POLICY or (name == READ_POLICY and kinds <= _NOTHING_TO_KEEP):
            return False
        if name in DOCUMENT_POLICIES and "page" not in kinds and not (name in SCRIPT_POLICIES and "svg" in kinds):
            return False
        if name in SCRIPT_POLICIES and "page" not in kinds and len(node.args) > 1 \
                and _runs_inline_scripts(node.args[1]):
            return False  # an SVG's scripts are all the policy guards there, and it lets them run
        return weighs(node) and (name != NOSNIFF or sniffed)
    return counts


def _csp_directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy's directives (lower case), each with its words; the first of a name counts."""
    directives: dict[str, list[str]] = {}
    for part in policy.lower().split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0], words[1:])
    return directives


def _script_sources(directives: dict) -> list[str] | None:
    return directives.get("script-src", directives.get("default-src"))


def _runs_inline_scripts(policy: str) -> bool:
    """A Content-Security-Policy that lets a document's own inline scripts run: its `script-src` (else its
    `default-src`) allows 'unsafe-inline' with no nonce or hash, which would make browsers ignore it (CSP Level 3),
    or names no source list for scripts at all."""
    if "$" in policy:
        return False  # set at run time: unknown
    sources = _script_sources(_csp_directives(policy))
    if sources is None:
        return True
    return "'unsafe-inline'" in sources and not any(word.startswith(("'nonce-", "'sha")) or word == "'strict-dynamic'"
                                                    for word in sources)


# CSP directives that default-src does not stand in for: each restricts something of its own (framing, forms,
# the base URL, a sandbox, mixed content, DOM sinks) whatever the policy allows scripts.
_OWN_DIRECTIVES = frozenset({"frame-ancestors", "form-action", "base-uri", "sandbox", "navigate-to",
                             "upgrade-insecure-requests", "block-all-mixed-content", "require-trusted-types-for",
                             "trusted-types"})
_ANY_ORIGIN = frozenset({"*", "http:", "https:"})


def _allows_any_script(policy: str) -> bool:
    """A Content-Security-Policy that guards nothing: its scripts may be inline and come from any web origin
    (`default-src 'self' http: https: 'unsafe-inline'`), and it has no directive of its own kind (`frame-ancestors`):
    an injected script runs as if there were no policy."""
    if "$" in policy or not _runs_inline_scripts(policy):
        return False
    directives = _csp_directives(policy)
    sources = _script_sources(directives)
    return sources is not None and bool(_ANY_ORIGIN.intersection(sources)) and not _OWN_DIRECTIVES & directives.keys()


def _front_page_sends_hsts(block, headers) -> bool:
    """Whether a block that does not answer the front page sits beside one that sends HSTS: the browser records
    the host's policy from that answer, which every visitor meets."""
    front = front_page(block)
    return front is not None and front is not block and any(
        node.args[0].lower() == HOST_POLICY and node.args[1:2] != [""] for node in headers.of(front))


def _own_location_if(block) -> bool:
    """An `if` of a location that lets the request go on (no `return`, no redirect): nginx makes it a location of
    its own, whose lists replace the location's, which NGX012 reports (one cause, one finding)."""
    return block.name == "if" and block.parent is not None and block.parent.name == "location" \
        and not ends_request(block)


def _without_what_ingress_adds(dep, block, weighs):
    """No weight for the headers Home Assistant adds to every answer, in a server of an add-on's ingress."""
    from ..container.home_assistant import ADDED_BY_INGRESS, behind_ingress  # only for a block that drops headers

    server = block if block.name == "server" else block.enclosing("server")
    return _without(weighs, ADDED_BY_INGRESS) if behind_ingress(dep.loader, server) else weighs


# The error statuses a cache may store without being told (RFC 9110 15.1, "heuristically cacheable")
_CACHEABLE_ERRORS = frozenset({404, 405, 410, 414, 501})


def _on_error_page(weighs, status: int):
    """On nginx's own error page (`return 401;`: a fixed page with no script, link or data of the user) only the
    host's HSTS and, where a cache may store that status, the cache headers still protect anything."""
    kept = {HOST_POLICY} | (_CACHE_HEADERS if status in _CACHEABLE_ERRORS else set())
    return lambda node: node.args[0].lower() in kept and weighs(node)


def _sent_with(weighs, status: int | None):
    """Only what nginx adds to the block's answers was sent: where it answers `return 503`, the `always` lines."""
    return lambda node: header_added(node, status) and weighs(node)


# The CORS headers that only add to what Access-Control-Allow-Origin grants: without an allowed origin the browser
# refuses the cross-origin read whatever they say (Fetch standard, CORS check).
_CORS_COMPANIONS = frozenset({"access-control-allow-headers", "access-control-allow-methods",
                              "access-control-allow-credentials", "access-control-expose-headers",
                              "access-control-max-age"})


def _allows_origins(dep) -> bool:
    """Whether the config lets other sites read some answer: an add_header or more_set_headers writes
    Access-Control-Allow-Origin, or the Lua it runs names it. (An application behind a proxy that sends one sends
    its whole CORS policy.)"""
    if any(arg.lower().lstrip("-").startswith(ALLOW_ORIGIN)
           for name in ("add_header", "more_set_headers") for node in dep.nodes(name) for arg in node.args[:2]):
        return True
    return any(name in LUA_PHASE for name in dep.names()) and \
        any(ALLOW_ORIGIN in unit.text.lower() for unit in dep.lua.units)


# The headers that say how caches keep an answer
_CACHE_HEADERS = frozenset({"cache-control", "pragma", "expires"})


def _own_caching(block, own) -> bool:
    """The block sets its own caching policy (an `add_header Cache-Control` of its own, or `expires`): the cache
    headers it drops are the ones it means to replace (`Cache-Control: public, immutable` for static files)."""
    return bool(block.find("expires")) or any(node.args[:1] and node.args[0].lower() == "cache-control"
                                              for node in own)


# What `expires -1` or `expires epoch` sends itself (`Cache-Control: no-cache` and an Expires in the past): a cache
# asks again whatever Pragma or an add_header's past Expires said
_STALE_MARKS = frozenset({"pragma", "expires"})


def _expired_by_nginx(expires) -> bool:
    """The `expires` in effect marks every answer stale: `epoch`, or a negative time."""
    value = expires.args[-1].lower() if expires is not None and expires.args else ""
    return value == "epoch" or value.startswith("-")


def _without(weighs, names: frozenset[str]):
    """No weight for the headers named."""
    return lambda node: node.args[0].lower() not in names and weighs(node)


def _security_weight(settings):
    """Whether an add_header line sets a header whose loss matters: by the security-headers settings, else by
    SECURITY_HEADERS. A header the user names counts whatever its value."""
    chosen = SECURITY_HEADERS if settings.security_headers is None else dict.fromkeys(settings.security_headers)
    patterns = {**chosen, **dict.fromkeys(settings.extend_security_headers)}

    def weighs(node) -> bool:
        name, value = node.args[0].lower(), " ".join(node.args[1:2])
        if value.replace(UNKNOWN, "") == "" and value:
            return False  # a value a template fills in whole may be empty, and nginx sends no header then
        return value != "" and any(  # nginx sends no header for an empty value
            fnmatchcase(name, pattern) and (protects is None or protects(value))
            for pattern, protects in patterns.items())
    return weighs


_HEADER_BLOCKS = ("server", "location", "if")


def _report_off_inherited(report, directive: str, mode, modes, headers, weighs) -> None:
    """`add_header_inherit off` drops the inherited headers in its own block, as written, and, being inherited
    itself, in every block inside it that does not set the mode again: report those, where the off is written."""
    losses = []
    stack = [c for c in mode.parent.children or () if c.name in _HEADER_BLOCKS]
    while stack:
        block = stack.pop(0)
        if value_at(modes, block) is not mode:
            continue  # a nearer add_header_inherit decides here and below
        weighty, _ = _weigh(_dropped(headers.lists.of(block), headers.of(block.parent)), weighs)
        if weighty:
            losses.append((block, weighty))
        stack[:0] = [c for c in block.children or () if c.name in _HEADER_BLOCKS]
    if not losses:
        return
    block, weighty = losses[0]
    more = f" and {len(losses) - 1} more block{'s' if len(losses) > 2 else ''}" if len(losses) > 1 else ""
    report(
        mode,
        f"{mode.name} off is inherited by the blocks inside this one: {_block_name(block)}{more} "
        f"lose{'s' if not more else ''} {_names(weighty)} (set {_where(weighty[0])}), which nginx would otherwise "
        "pass down to them",
        related=[b.location(f"drops {_names(w)} here") for b, w in losses][:5],
        help=f"write {mode.name} off only in the blocks that must drop the inherited {directive} lines",
    )


def _block_name(block) -> str:
    return f"{' '.join([block.name, *block.args])} (line {block.d.span.line})"


class _Effective:
    """The add_header (or add_trailer) list that applies in a block, with add_header_inherit (nginx 1.29.3):
    `on` (default) inherits only into blocks without their own, `merge` appends the own to the inherited,
    `off` inherits nothing. The mode itself is inherited like any scalar."""

    def __init__(self, lists, modes):
        self.lists, self.modes, self.memo = lists, modes, {}

    def mode(self, block) -> str:
        found = value_at(self.modes, block)
        return found.args[0] if found is not None and found.args else "on"

    def of(self, block) -> list:
        chain = []
        node = block
        while node is not None and node not in self.memo:
            chain.append(node)
            node = node.parent
        for node in reversed(chain):  # outermost first, so that each parent is known
            parent = self.memo.get(node.parent, []) if node.parent is not None else []
            own = self.lists.of(node)
            mode = self.mode(node)
            if mode == "off":
                self.memo[node] = own
            elif mode == "merge":
                self.memo[node] = parent + own
            else:
                self.memo[node] = own or parent
        return self.memo[block]


# A comment that speaks of being framed: the page is meant to be embedded in other sites' frames
_FRAMED = re.compile(r"\b(?:i?frames?|framed|framing|embed\w*|x-frame-options)\b", re.IGNORECASE)


def _framing_left_out_on_purpose(dep, block, own: list, inherited: list) -> bool:
    """The block repeats inherited headers but X-Frame-Options, and a comment in it or just above it speaks of
    frames or embedding ("keep it separate so embed pages do not inherit X-Frame-Options"): a page made to be
    framed by other sites, which that header would forbid."""
    names = {node.args[0].lower() for node in own if node.args}
    repeated = {node.args[0].lower() for node in inherited if node.args} & names
    if "x-frame-options" in names or not repeated:
        return False
    parsed = dep.loader.parse(block.file)
    if parsed is None or not parsed.comments:
        return False
    first = block.d.span.line
    while first > 1 and block.file.line(first - 1).strip().startswith("#"):
        first -= 1  # the comment lines right above the block
    end = block.d.block_end
    last = end.line if end is not None else first
    return any(first <= span.line <= last and _FRAMED.search(text) for span, text in parsed.comments)


def _report_dropped(report, directive: str, own: list, inherited: list, fix: str, weighs=None) -> None:
    """Report at a block's first `directive` the inherited ones its own list makes nginx drop, if `weighs` (when
    given) counts one of them; the others are named apart."""
    weighty, others = _weigh(_dropped(own, inherited), weighs)
    if not weighty:
        return
    besides = f", and also {_names(others)} (of no security weight here)" if others else ""
    report(
        own[0],
        f"this {directive} drops {_names(weighty)} (set {_where(weighty[0])}){besides}: nginx inherits "
        f"{directive} only into blocks that have none of their own",
        related=[n.location("dropped here") for n in weighty][:5],
        help=fix,
    )


def _dropped(own, inherited) -> list:
    """The inherited lines whose header the own list does not name."""
    kept = {n.args[0].lower() for n in own if n.args}
    return [node for node in inherited if node.args and node.args[0].lower() not in kept]


def _weigh(lines: list, weighs) -> tuple[list, list]:
    """The lines `weighs` counts (all of them without it), and the others of headers none of those name."""
    weighty = [node for node in lines if weighs is None or weighs(node)]
    counted = {node.args[0].lower() for node in weighty}
    return weighty, [node for node in lines if node.args[0].lower() not in counted]


def _names(lines) -> str:
    """The header names of the lines, each once, as first written."""
    names = {}
    for node in lines:
        names.setdefault(node.args[0].lower(), node.args[0])
    return ", ".join(names.values())


def _where(node) -> str:
    block = node.parent
    level = f"in the {block.name} block" if block is not None and block.d is not None else "at the top of the file"
    return f"{level}, {node.file.display}:{node.d.span.line}"


# What nginx sends upstream when no proxy_set_header names the header (ngx_http_proxy_headers): losing a
# parent's line that says the same changes nothing.
PROXY_DEFAULTS = {"host": {"$proxy_host"}, "upgrade": {""}, "te": {""}, "keep-alive": {""}, "expect": {""},
                  # "" keeps the upstream connection alive, nginx's default closes it: a cost, not an exposure
                  "connection": {"", "close"}}


# What a request to another service sets for itself: its Host, and how its own connection is kept.
_OWN_CONNECTION = frozenset({"host", "connection", "proxy-connection", "keep-alive"})


@rule("SEC504")
def proxy_set_header_redefinition(dep, report):
    lists = Lists(dep, ("proxy_set_header",))
    auth_targets = {n.args[0] for n in dep.nodes("auth_request") if n.args and n.args[0] != "off"}
    # what the auth service answered (`auth_request_set $user $upstream_http_remote_user;`): empty where no
    # auth_request runs, and nginx sends no header whose value is empty
    from_auth = {n.args[0].lstrip("$") for n in dep.nodes("auth_request_set") if n.args}
    auth_request = nearest(dep, "auth_request")
    for block, own in lists.own.items():
        if _follows_upstream_redirect(block, own) or _own_location_if(block):
            continue
        _, inherited = lists.inherited(block)
        # an auth_request's subrequest goes to the auth service: the Host and connection headers set for the
        # proxied application are not its own
        subrequest = block.name == "location" and bool(block.args) and block.args[-1] in auth_targets
        in_force = value_at(auth_request, block)
        unauthenticated = from_auth and (in_force is None or in_force.args[:1] == ["off"])
        # a header a template names (`proxy_set_header {{ $key }} …`) may be the one this block sets again
        meaningful = [n for n in inherited if len(n.args) >= 2 and not is_unknown(n.args[0]) and
                      n.args[1].lower() not in PROXY_DEFAULTS.get(n.args[0].lower(), ()) and
                      not (subrequest and n.args[0].lower() in _OWN_CONNECTION) and
                      not (unauthenticated and _only_variables(n.args[1], from_auth))]
        scheme_set = any(n.args[:1] and n.args[0].lower() == "x-forwarded-proto" for n in own)
        _report_dropped(report, "proxy_set_header", own, meaningful,
                        "repeat the dropped proxy_set_header lines here (or move them all into one include)",
                        weighs=lambda node: not (scheme_set and node.args[0].lower() in _SCHEME_HEADERS))


# Headers that tell the application the scheme the client used, as X-Forwarded-Proto does: where the block sets that
# one, dropping these says nothing new is lost (Rack reads any of them; X-Forwarded-Proto first)
_SCHEME_HEADERS = frozenset({"x-forwarded-ssl", "x-forwarded-scheme", "x-scheme", "x-url-scheme", "front-end-https"})


def _only_variables(value: str, names: set[str]) -> bool:
    """The value is made of these variables alone (`$user`, `$user$role`)."""
    parts = parse_value(value)
    return bool(parts) and all(part.variable is not None and part.variable in names for part in parts)


_UPSTREAM_ANSWER = re.compile(r"\$\{?upstream_http_\w+")


def _follows_upstream_redirect(block, own) -> bool:
    """The block proxies to a URL an upstream answer gave (`proxy_pass $upstream_http_location`, or a variable
    the block `set` from one: a redirect to an object store's presigned URL) and sets Host itself: a request to
    another service, which has no use for the client's forwarding headers."""
    if not any(n.args[:1] and n.args[0].lower() == "host" for n in own):
        return False
    from_answer = {n.args[0] for n in block.children
                   if n.name == "set" and len(n.args) >= 2 and _UPSTREAM_ANSWER.search(n.args[1])}
    for node in block.children:
        if node.name == "proxy_pass" and node.args:
            target = node.args[0]
            return bool(_UPSTREAM_ANSWER.match(target)) or target in from_answer
    return False


# -- SEC505 allow-without-deny ---------------------------------------------------------------------------------

AUTH_DIRECTIVES = ("auth_basic", "auth_request", "auth_jwt", "auth_oidc", "auth_digest")


@rule("SEC505")
def allow_without_deny(dep, report):
    lists = Lists(dep, ("allow", "deny"))
    satisfy = nearest(dep, "satisfy")
    auth_tables = [nearest(dep, name) for name in AUTH_DIRECTIVES]
    for block, all_rules in lists.own.items():
        if block.d is None:
            continue  # the top of a fragment: the block that includes it may go on with `deny all`
        for rules in _per_action(all_rules):
            _check_list(rules, block, satisfy, auth_tables, report)


# nginx-rtmp's lists: `allow publish 10.0.0.1;`, `deny play all;`, one list per action
_RTMP_ACTIONS = ("publish", "play")


def _per_action(rules: list) -> list[list]:
    """The allow/deny lists of a block: one, or nginx-rtmp's one per action."""
    actions: dict = {}
    for rule in rules:
        actions.setdefault(_address_action(rule), []).append(rule)
    return list(actions.values())


def _address_action(rule) -> str | None:
    return rule.args[0] if rule.args[:1] and rule.args[0] in _RTMP_ACTIONS else None


def _address(rule) -> str | None:
    args = rule.args[1:] if _address_action(rule) else rule.args
    return args[0] if args else None


def _check_list(rules: list, block, satisfy, auth_tables, report) -> None:
    """SEC505 on one allow/deny list of a block."""
    action = _address_action(rules[0])
    deny_all, arg = (f"deny {action} all;", 1) if action else ("deny all;", 0)
    allows = [n for n in rules if n.name == "allow" and _address(n) != "all"]
    if not allows:
        return
    closing = next((n for n in rules if _address(n) == "all"), None)
    if closing is not None:
        # every client matches `all`: none falls through; an allow after `deny all` is never reached
        after = rules[rules.index(closing) + 1:] if closing.name == "deny" else []
        dead = [n for n in after if n.name == "allow"]
        if dead:
            report(dead[0], f"this allow comes after `deny all` (line {closing.d.span.line}): nginx applies the "
                   "first rule that matches, so it never lets anyone in; put the allow rules before `deny all`",
                   arg=arg, related=[closing.location("the rule every client matches first")],
                   help=f"{deny_all}  (after the last allow)",
                   # the clients of the allow rules get in: what the list meant, but a change of who gets in
                   fix=Fix.of("Move `deny all;` after the last rule", edits.delete_directive(closing.d),
                              edits.insert_after(rules[-1].d, deny_all), applicability=UNSAFE))
        return
    any_mode = value_at(satisfy, block)
    if any_mode is not None and any_mode.args[:1] == ["any"] and _auth_applies(auth_tables, block):
        return  # with `satisfy any`, a client outside the list still has to authenticate
    report(
        allows[0],
        "this allow restricts nothing: the allow/deny list here does not end with `deny all`, so nginx lets in "
        "the clients that match no rule",
        arg=arg,
        help=f"{deny_all}  (after the last allow)",
        # the clients no rule matched lose access: what the list meant, but a change of who gets in
        fix=Fix.of("Add `deny all;` after the last rule", edits.insert_after(rules[-1].d, deny_all),
                   applicability=UNSAFE),
    )


def _auth_applies(tables, block) -> bool:
    for table in tables:
        found = value_at(table, block)
        if found is not None and found.args[:1] != ["off"]:
            return True
    return False


# -- SEC506 return-bypasses-allow-deny -------------------------------------------------------------------------



@rule("SEC506")
def return_bypasses_allow_deny(dep, report):
    _return_before_authentication(dep, report)
    lists = Lists(dep, ("allow", "deny"))
    if not lists.own:
        return
    error_pages = Lists(dep, ("error_page",))
    for name in ("return", "rewrite"):
        for node in dep.nodes(name):
            if not _answers_in_rewrite_phase(node, error_pages):
                continue
            block = node.parent
            if block is None or block.name not in ("location", "if", "server"):
                continue  # a return at server level runs in the server's rewrite phase, before any location
            access = lists.own.get(block)
            level = block
            if not access and block.name == "if" and block.parent is not None:
                level = block.parent
                access = lists.own.get(level)
            if not access:
                if _internal_only(level):
                    continue  # reached by an internal redirect, after the access phase of where it came from
                _, access = lists.inherited(level)
            if not access or not any(n.name == "deny" for n in access):
                continue
            if _redirects_under_same_rules(node, access, lists) or _sends_back_to_own_site(dep, node) or \
                    _error_page_under_same_rules(node, access, lists, error_pages) or \
                    _only_allowed_connect(node, access) or _redirect_past_blocklist(node, access):
                continue
            report(
                node,
                f"this {name} {'answers' if name == 'return' else 'redirects'} in the rewrite phase, before "
                "nginx checks the allow/deny rules in the access phase: every client gets the answer",
                related=[access[0].location("the access rules it skips")],
                help="move the allow/deny rules into a location that does not answer with return, or check the "
                    "client with a map/if before the return",
            )


def _return_before_authentication(dep, report) -> None:
    """A `return` of content (a 2xx with a body) as the answer of a location whose own access check
    (auth_basic, auth_request, access_by_lua*) runs in the access phase: the rewrite phase answers first, so every
    client gets the content unchecked (oracle)."""
    for node in dep.nodes("return"):
        args = node.args
        code = parse_uint(args[0]) if args else None
        if code is None or code >= 300 or len(args) < 2 or args[1] == "":
            continue
        location = node.parent  # the location's own answer: one in an `if` answers some requests a fixed way
        if location is None or location.name != "location":
            continue
        guard = next((child for child in location.children or () if child.name in CLIENT_CHECKS
                      and child.args[:1] != ["off"]), None)
        if guard is None:
            continue
        report(
            node,
            f"this return answers in the rewrite phase, before {guard.name} runs in the access phase: every client "
            f"gets the answer, whatever {guard.name} would decide",
            related=[guard.location("the authentication it skips")],
            help="serve the content with a content handler (a file, proxy_pass, content_by_lua) instead of return, "
                "or check the client before the return",
        )


def _probe_answer(node) -> bool:
    location = node.enclosing("location")
    return location is not None and probe_location(location)


def _answers_in_rewrite_phase(node, error_pages) -> bool:
    args = node.args
    if node.name == "rewrite":
        return len(args) >= 2 and rewrite_redirects(node)
    if not args:
        return False
    code = parse_uint(args[0])
    if code is None:
        return True  # `return URL`: a 302
    if code < 300 and (len(args) == 1 or args[1] == ""):
        return False  # an empty answer (`return 200;` for a liveness probe) gives nothing away
    if code < 300 and "$" not in args[1] and _probe_answer(node):
        return False  # nor a probe's fixed word (`location /health-check { return 200 "healthy\n"; … }`)
    if code < 400:
        return True
    if len(args) > 1 and args[1] != "":
        return "$" in args[1]  # a refusal in the config's own words (`return 403 "Nice try";`) serves nothing
    # an error code without text is what a denied client gets anyway, unless error_page hands the request, its URI
    # unchanged, to a named location (`error_page 404 @backend;`, which may proxy the very path denied); a page's
    # URI (`/index.php`, `/404.html`) is answered by the location of that URI, under its own rules
    return any(page.args[-1].startswith("@") and not _refuses(node.enclosing("server"), page.args[-1])
               for page in _error_pages_of(node, error_pages))


# What a named location may hold besides its answer that serves nothing of the site
_ANSWER_SETTINGS = frozenset({"default_type", "add_header", "more_set_headers", "access_log", "error_log", "expires",
                              "charset"})


def _refuses(server, name: str) -> bool:
    """The server's named location answers every request with an error of its own fixed words (`location @404 {
    return 404 '{"error": "not found"}'; }`): handing the request to it serves nothing of the site."""
    location = next((n for n in server.find("location") if n.args == [name]), None) if server is not None else None
    if location is None or not location.children:
        return False
    returns = [child for child in location.children if child.name == "return"]
    return bool(returns) and all(
        child.name == "return" or child.name in _ANSWER_SETTINGS for child in location.children) and all(
        (code := parse_uint(child.args[0]) if child.args else None) is not None and code >= 400
        and (len(child.args) == 1 or "$" not in child.args[1]) for child in returns)


def _error_pages_of(node, error_pages: Lists) -> list:
    """The `error_page` lines that take the status of the `return` (`error_page 503 @maintenance;`), in order: those
    of its location, or of the level around an `if` that holds it."""
    block = node.parent
    return [page for page in error_pages.effective(block if block.name == "location" else block.parent or block)
            if node.args[0] in page.args[:-1]]


_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


def _redirects_under_same_rules(node, access: list, lists: Lists) -> bool:
    """A redirect to a path of the same server where the very rules it skips apply: it tells the client nothing
    but a path, and the client's next request meets the rules there (`location /netdata { return 301 /netdata/; }`
    under a server's `deny all`)."""
    target = _local_redirect_target(node)
    server = node.enclosing("server")
    if target is None or server is None:
        return False
    path = target.split("?", 1)[0]
    if "$" in path:  # a capture or variable: any location of the server may receive it
        reached = [b for b in server.walk() if b.name == "location" and not _internal_only(b)] + [server]
    else:
        location = match_location(server, path)
        if location is UNKNOWN:
            return False
        reached = [location if location is not None else server]
    return all(_same_rules(lists.effective(block), access) for block in reached)


def _error_page_under_same_rules(node, access: list, lists: Lists, error_pages: Lists) -> bool:
    """An error code whose `error_page` hands the request to a named location where the very rules it skips
    apply, and that answers no earlier than its own access phase: the access phase runs there (checked with nginx
    1.22: `return 503` with `error_page 503 @maintenance` under a server's `deny all` answers a denied client
    403)."""
    args = node.args
    if node.name != "return" or len(args) > 1 and args[1] != "" or (parse_uint(args[0]) or 0) < 400:
        return False
    page = next(iter(_error_pages_of(node, error_pages)), None)
    target = named_location(server_of(node), page.args[-1]) if page is not None else None
    if target is None or any(child.name in ("return", "if") or child.name == "rewrite" and rewrite_redirects(child)
                             for child in target.children or ()):
        return False  # unknown, or answered in its rewrite phase, before its access phase
    return _same_rules(lists.effective(target), access)


def _redirect_past_blocklist(node, access: list) -> bool:
    """A redirect under rules that only turn some addresses away (`deny 95.216.156.34;`, no `allow`, no `deny
    all`): every other client gets the same address, so a refused one learns nothing the public does not."""
    code = parse_uint(node.args[0]) if node.name == "return" else None
    redirect = node.name == "rewrite" or code is None or code in _REDIRECT_CODES  # `return URL` is a 302
    return redirect and all(rule.name == "deny" and rule.args[:1] != ["all"] for rule in access)


def _only_allowed_connect(node, access: list) -> bool:
    """The server listens on loopback addresses only, and the rules allow each of them: every client that can
    connect is one the rules let through, so the return skips no refusal (a host's nginx on 127.0.0.1:8080 with
    `allow 127.0.0.1; deny all;`)."""
    server = node.enclosing("server")
    if server is None or not listens_locally(server):
        return False
    listens = server_listens(server)
    return bool(listens) and all(_first_match(access, listen.address) == "allow" for listen in listens)


def _first_match(rules: list, address: str | None) -> str | None:
    """"allow" or "deny": what the first rule that matches a client at `address` says; None when none does or
    a rule cannot be read."""
    try:
        client = ipaddress.ip_address("127.0.0.1" if address == "localhost" else (address or "").strip("[]"))
    except ValueError:
        return None
    for rule in rules:
        value = rule.args[0].lower() if rule.args else ""
        if value == "all":
            return rule.name
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            if value == "unix:":
                continue
            return None  # a templated or unknown rule
        if client.version == network.version and client in network:
            return rule.name
    return None


def _same_rules(one: list, other: list) -> bool:
    """The same allow/deny list: the very nodes, or the same rules written again (a file of rules each location
    includes, `include blockips.conf;`)."""
    return one is other or [(n.name, n.args) for n in one] == [(n.name, n.args) for n in other]


# The scheme of a redirect: written, `$scheme`, or one a proxy in front sent (`$http_x_forwarded_proto`)
_SCHEME = r"(?:https?|\$\{?\w+\}?)"
# The host the client asked for, as a variable: the server that answered it
_OWN_HOST = r"\$\{?(?:host|http_host|server_name)\}?"
# A URL of the server that answers it: a scheme, its host by variable or by a name (`https://$host/cart/`), a path
_SERVER_URL = re.compile(rf"{_SCHEME}://(?P<host>{_OWN_HOST}|[\w.-]+)(?P<path>[/$].*)?")
# A redirect to a site of this config: `https://` and its host ($host, or a literal that a server_name of the
# config names), then the client's own URI; it tells the client nothing it did not send.
_OWN_SITE_REDIRECT = re.compile(rf"{_SCHEME}://(?P<host>{_OWN_HOST}|[\w.-]+)"
                                r"(?:/|\$request_uri|\$uri|\$is_args|\$args|\$query_string)*\??")


def _sends_back_to_own_site(dep, node) -> bool:
    """A redirect of the request to a site of this config (`return 301 https://example.org$request_uri;`, www to
    the apex, http to https): the answer holds only what the client sent and a host it may ask itself, where that
    site's own rules meet its next request."""
    target = _redirect_target(node)
    found = _OWN_SITE_REDIRECT.fullmatch(target) if target else None
    if found is None:
        return False
    host = found.group("host")
    return host.startswith("$") or host.lower() in _server_names(dep)


def _server_names(dep) -> frozenset[str]:
    """The literal names the config's servers answer to, lowercase, found once per tree."""
    if "server-names" not in dep.memo:
        dep.memo["server-names"] = frozenset(name.lower() for node in dep.nodes("server_name") for name in node.args
                                             if "$" not in name and not name.startswith("~"))
    return dep.memo["server-names"]


def _redirect_target(node) -> str | None:
    """Where a `return 3xx` or a redirecting `rewrite` sends the client, as written; None for any other answer."""
    args = node.args
    if node.name == "return":
        return args[1] if len(args) > 1 and parse_uint(args[0]) in _REDIRECT_CODES else None
    return args[1] if len(args) > 1 and rewrite_redirects(node) else None


def _local_redirect_target(node) -> str | None:
    """The URI a `return 3xx` or a redirecting `rewrite` sends the client to when it is a path of this server
    (`/netdata/`, or a URL of the server's own host: `https://$host/netdata/`, a name its server_name lists; not
    `//host/` nor another host); else None."""
    target = _redirect_target(node)
    if target is None or target.startswith("//"):
        return None
    if target.startswith("/"):
        return target
    found = _SERVER_URL.fullmatch(target)
    server = node.enclosing("server")
    if found is None or server is None:
        return None
    host = found.group("host")
    names = {name.lower() for child in server.children or () if child.name == "server_name" for name in child.args}
    return (found.group("path") or "/") if host.startswith("$") or host.lower() in names else None


def _internal_only(block) -> bool:
    if block.name != "location":
        return False
    match = location_match(block)
    return (match is not None and match.modifier == "@") or any(c.name == "internal" for c in block.children)


# -- SEC507 filesystem-root-exposure ---------------------------------------------------------------------------

@rule("SEC507")
def filesystem_root_exposure(dep, report):
    for name in ("root", "alias"):
        for node in dep.nodes(name):
            if not node.args or "$" in node.args[0] or not node.args[0].startswith("/"):
                continue
            path = node.args[0]
            if name == "root":
                served = path + "/"  # the URI, which starts with "/", is appended
            else:
                location = node.parent if node.parent is not None and node.parent.name == "location" else None
                match = location_match(location) if location is not None else None
                if match is None or not match.prefix:
                    continue  # exact and regex locations serve the alias itself, not what lies below it
                served = path if match.pattern.endswith("/") else path + "/"
            if served.endswith("/") and _normal(served) == "/" and not _no_file_served(node) \
                    and not _upstream_picks_file(dep, node):
                report(
                    node,
                    f'{name} "{path}" is the filesystem root: a request can read any file the workers may read, '
                    "such as /etc/passwd",
                    arg=0,
                )


# The argument by which nginx itself sends a request on to another URI (try_files' last, error_page's, a rewrite's
# replacement): built from the request when it holds a variable.
_REDIRECTING = {"try_files": slice(-1, None), "error_page": slice(-1, None), "rewrite": slice(1, 2)}


def _upstream_picks_file(dep, node) -> bool:
    """The root or alias is in an `internal` prefix location that no URI of the client's reaches: a client's request
    for it gets 404, and only a fixed internal redirect, or an upstream's X-Accel-Redirect (the application
    choosing which file to send), leads there. A try_files, error_page or rewrite that builds a URI under it from
    a variable (`try_files $uri /files$uri;`) lets the client's path pick the file again."""
    location = node.parent
    if location is None or location.name != "location" or not any(c.name == "internal" for c in location.children):
        return False
    match = location_match(location)
    if match is None or not match.prefix:
        return False
    server = location.enclosing("server")
    for name, taken in _REDIRECTING.items():
        for redirect in dep.nodes(name):
            if redirect.enclosing("server") not in (server, None):
                continue  # another server's redirect stays in that server
            if location in redirect.ancestors():
                continue  # only reached from inside the internal location, by a URI already under it
            for arg in redirect.args[taken]:
                fixed = _fixed_start(redirect, arg)
                if "$" in arg and (match.pattern.startswith(fixed) or fixed.startswith(match.pattern)):
                    return False
    return True


# `^(` and the literal text the first capture starts with (an unescaped `.` matches any character: it ends it)
_LEADING_CAPTURE = re.compile(r"\^\(((?:[\w/-]|\\[/.-])*)")


def _fixed_start(redirect, uri: str) -> str:
    """What a redirect's URI starts with whatever the request holds: the text before its first variable, or, for a
    rewrite's `$1` that the regex captures from the start (`rewrite ^(/cloud/doc/[^/]+/)$ $1/index.html;`), that
    capture's literal start."""
    fixed = uri.split("$", 1)[0]
    if fixed or redirect.name != "rewrite" or not uri.startswith("$1") or uri[2:3].isdigit():
        return fixed
    capture = _LEADING_CAPTURE.match(redirect.args[0]) if redirect.args else None
    return capture.group(1).replace("\\", "") if capture else ""


# handlers that answer without reading a file under the root
# A location's own answer: a fixed text, or an application that answers instead of a file (uwsgi and SCGI send the
# path to the application, which serves no file of the root; FastCGI's script is judged apart, _fixed_script)
_ANSWERS = ("return", "proxy_pass", "grpc_pass", "uwsgi_pass", "scgi_pass", "memcached_pass", "stub_status", "echo",
            "content_by_lua", "content_by_lua_block", "content_by_lua_file")


def _no_file_served(node) -> bool:
    """Every request in the scope of this root or alias gets a fixed answer (`return 200 'ok'`, a proxy) or one
    fixed file (an exact location, `try_files /index.html =404`): no path of the client's picks a file."""
    block = node.parent
    if block is None or block.name not in ("server", "location"):
        return False
    if block.name == "location":
        return _fixed_answer(block, node)
    locations = block.find("location")
    catch_all = any((m := location_match(loc)) is not None and m.prefix and m.pattern == "/" for loc in locations)
    # without `location /`, a request no location matches is served from the server's root
    return catch_all and all(_fixed_answer(loc, node) for loc in locations)


def _fixed_answer(location, owner) -> bool:
    own = [c for c in location.children or () if c.name in ("root", "alias")]
    if own and owner not in own:
        return True  # a root of its own: not in this one's scope
    if any(c.name == "autoindex" and c.args[:1] == ["on"] for c in location.children or ()):
        return False
    match = location_match(location)
    children = location.children or ()
    answered = (match is not None and match.modifier == "=") or any(
        c.name in _ANSWERS or (c.name == "try_files" and not any("$" in a for a in c.args[:-1]))
        or c.name == "rewrite" and _rewrites_all_to_one(c) for c in children) \
        or _fixed_script(children) or _denies_all(children)
    return answered and all(_fixed_answer(inner, owner) for inner in location.find("location"))


# regexes that match every URI (each starts with "/")
_MATCH_ALL = frozenset({"^", "^.*", "^.*$", "^(.*)$", "^(.*)", ".*", "(.*)", "^/", "^/.*", "^/.*$", "^/(.*)$",
                        "^/(.*)", "/"})


def _rewrites_all_to_one(rewrite) -> bool:
    """`rewrite ^ /front-controller.php last;`: every URI becomes one fixed URI (or one redirect)."""
    return len(rewrite.args) >= 2 and rewrite.args[0] in _MATCH_ALL and "$" not in rewrite.args[1]


def _fixed_script(children) -> bool:
    """A FastCGI location whose SCRIPT_FILENAME (the last one set, after the included defaults) is one fixed file:
    the root does not build the script's path."""
    scripts = [c for c in children if c.name == "fastcgi_param" and c.args[:1] == ["SCRIPT_FILENAME"]]
    return any(c.name == "fastcgi_pass" for c in children) and bool(scripts) and len(scripts[-1].args) > 1 \
        and "$" not in scripts[-1].args[1]


def _denies_all(children) -> bool:
    """`deny all;` with no `allow`: every request gets 403."""
    return any(c.name == "deny" and c.args[:1] == ["all"] for c in children) and \
        not any(c.name == "allow" for c in children)


def _normal(path: str) -> str:
    return posixpath.normpath(re.sub(r"/+", "/", path))


# -- SEC508 version-disclosure ---------------------------------------------------------------------------------

@rule("SEC508")
def version_disclosure(dep, report):
    access = None
    for node in dep.nodes("server_tokens"):
        if node.args[:1] in (["on"], ["build"]):
            access = access or AccessView(dep)
            if _loopback_only_below(access, node.parent):
                continue  # only this host's processes get the answers (a status page for its monitoring agent)
            report(
                node,
                f"server_tokens {node.args[0]} puts the nginx version in the Server header and on error pages",
                arg=0,
                help="server_tokens off;",
                fix=Fix.of("Set `server_tokens off;`", edits.replace_arg(node.d, 0, "off")),
            )


def _loopback_only_below(access: AccessView, block) -> bool:
    """The block, and every location inside it, lets no client through but this host's own processes."""
    return block is not None and block.d is not None and all(
        access.loopback_only(level) for level in (block, *block.walk()) if level is block or level.name == "location")


# -- SEC571 server-tokens-default (opt-in) ---------------------------------------------------------------------

@rule("SEC571")
def server_tokens_default(dep, report):
    if not (dep.is_main and dep.complete):
        return
    table = nearest(dep, "server_tokens")
    for http in dep.nodes("http"):
        if table.get(http) is not None:
            continue
        servers = [s for s in http.find("server") if value_at(table, s) is None]
        if servers:
            report(
                http,
                "server_tokens is not set and defaults to on: every response names the nginx version in the "
                "Server header and on error pages",
                help="server_tokens off;  (in http)",
                fix=Fix.of("Add `server_tokens off;` to http", edits.insert_first(http.d, "server_tokens off;")),
            )


# -- SEC509 proxy-pass-normalized ------------------------------------------------------------------------------

_RAW = "request_uri"
_DECODED = frozenset({"uri", "document_uri"})


# The last segment of a proxy_pass URI that names one page or script (`/dev/video.html`, `/index.php`): the location
# maps its routes to that page on purpose (`/watch/?v=…`), not to a directory missing its slash.
_PAGE = re.compile(r"/[^/]*\.(?:html?|php|jsp|aspx?|cgi|json|xml|txt)$", re.IGNORECASE)


def _names_a_page(uri: str) -> bool:
    return bool(_PAGE.search(uri.split("?", 1)[0]))


# A rewrite to a path that holds a whole URL (`/https://$host$request_uri`, Prerender's recipe): the upstream reads
# the path as the URL to fetch and decodes it once, so the escaping nginx adds is what it expects
_EMBEDDED_URL = re.compile(r"^/(?:https?|\$scheme)://", re.IGNORECASE)


@rule("SEC509", "SEC575")
def check_proxy_pass_normalized(dep, report):
    """SEC509 (off-by-slash, double encoding, a missing trailing slash) and SEC575 (a decoded path sent raw,
    opt-in): one pass over the proxy_pass lines and the locations they serve."""
    paths = _DecodedVariables(dep)
    locations = _locations_by_server(dep)
    raw_by_location: dict = {}  # location -> its rewrites (own or in its `if` blocks) to the raw $request_uri
    for rewrite in dep.nodes("rewrite"):
        if len(rewrite.args) >= 2 and any(v.name == _RAW for v in variables(rewrite.args[1])) \
                and not rewrite_redirects(rewrite) and not _EMBEDDED_URL.match(rewrite.args[1]):
            raw_by_location.setdefault(rewrite.enclosing("location"), []).append(rewrite)
    for node in dep.nodes("proxy_pass"):
        if not node.args or "http" not in node.ctx:
            continue
        location = node.enclosing("location")
        if location is None:
            continue
        match = location_match(location)
        target = node.args[0]
        host = upstream_host(target)
        if host is not None and is_stand_in_host(host[0]):
            continue  # a stand-in upstream: the user's own replaces host and path together
        uri, uri_start = _uri_part(target, paths)
        raw_rewrites = raw_by_location.get(location, [])
        unconditional = [r for r in raw_rewrites if r.parent is location]
        same_if = [r for r in raw_rewrites if r.parent is node.parent and node.parent is not location]
        if raw_rewrites and (uri is None or not any(True for _ in variables(uri))) and (
                uri is not None or paths.host_is_plain(target)):
            report(
                node,
                "the URI was set to the raw $request_uri by a rewrite, and this proxy_pass sends it without a "
                "variable: nginx escapes it a second time (%2F reaches the upstream as %252F)",
                arg=0,
                related=[raw_rewrites[0].location("the rewrite to $request_uri")],
                help="pass the rewritten URI on explicitly, e.g. proxy_pass http://backend$1;",
            )
            continue
        if uri is not None and uri_start is not None:
            decoded = _decoded_in(uri, node, location, match, paths, bool(unconditional or same_if))
            if decoded is not None:
                report(
                    node,
                    f"{decoded} holds the decoded, normalised path and nginx sends it unescaped: %3F reaches the "
                    "upstream as ?, %2F as /, so the upstream sees another path than the client sent",
                    arg=0,
                    help="proxy_pass without a URI (nginx then sends the request URI as the client wrote it), or "
                        "$request_uri",
                    code="SEC575",
                )
                continue
        if match is None or not match.prefix or uri is None or any(True for _ in variables(uri)):
            continue
        prefix = match.pattern
        if any(rewrite_takes_every_uri(rewrite, location) for rewrite in location.find("rewrite")):
            continue  # nginx then sends the rewritten URI as it is: the proxy_pass URI replaces nothing
        guard = _guard_below(locations, location, match) if uri == "/" else None
        if uri.endswith("/") and not prefix.endswith("/") and (uri != "/" or guard is not None) \
                and not (guard is None and _proxied_whole(locations, location, target, uri)):
            if guard is None:
                why = f"{prefix}../x reaches the upstream as {uri}../x, outside the proxied path"
                related = [node.location("the proxy_pass URI")]
            else:
                guarded = location_match(guard).pattern
                rest = guarded[len(prefix) + 1:]
                why = f'{prefix}{rest} reaches the upstream as /{rest}, past location "{guarded}"'
                related = [node.location("the proxy_pass URI"), guard.location("the location it passes by")]
            report(
                location,
                f'location "{prefix}" has no trailing slash but proxy_pass replaces it with "{uri}": {why}',
                arg=match.arg,
                related=related,
                help=f"location {_modifier(match)}{prefix}/ {{",
                fix=_slash_location(location, match),
            )
        elif prefix.endswith("/") and uri and not uri.endswith("/") and not _names_a_page(uri) \
                and not _proxied_whole(locations, location, target, uri):
            report(
                node,
                f'proxy_pass replaces "{prefix}" with "{uri}", which lacks the trailing slash: '
                f"{prefix}x reaches the upstream as {uri}x",
                arg=0,
                severity="warning",
                help=f"proxy_pass {target}/;",
                fix=Fix.of("End the proxy_pass URI with `/`", edits.append_to_arg(node.d, 0, "/"),
                           applicability=UNSAFE),
            )


def _locations_by_server(dep) -> dict:
    """{server: (its prefix locations as (pattern, location) pairs sorted by pattern, its regex locations)},
    built once per config."""
    found: dict = {}
    for location in dep.nodes("location"):
        match = location_match(location)
        if match is None or not (match.prefix or match.regex):
            continue
        prefixes, regexes = found.setdefault(location.enclosing("server"), ([], []))
        (prefixes if match.prefix else regexes).append((match.pattern, location))
    for prefixes, _ in found.values():
        prefixes.sort(key=lambda pair: pair[0])
    return found


def _origin(target: str) -> str:
    """`http://app:8000` of `http://app:8000/api/`: the scheme and host a proxy_pass sends to."""
    scheme, _, rest = target.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}".lower()


def _proxied_whole(locations: dict, location, target: str, uri: str) -> bool:
    """What the off-by-slash or the missing slash reaches, the level above the URI part (`/api/v1.0/items/x` past
    `/api/v1.0/items/media-auth/`, `/cablex` beside `/cable`), another prefix location of the server already proxies
    to the same upstream, the request's URI unchanged, and keeps from no one (`location / { proxy_pass
    http://backend; }`): a client asks for those paths directly."""
    parent = uri.rstrip("/").rsplit("/", 1)[0] + "/"
    server = location.enclosing("server")
    prefixes, _ = locations.get(server, ([], []))
    return any(other is not location and parent.startswith(pattern) and not _withholds(other) and any(
        sender.args and _origin(sender.args[0]) == _origin(target) and _path_of(sender.args[0]) in ("", pattern)
        for sender in _proxy_passes(server, other)) for pattern, other in prefixes)


def _path_of(target: str) -> str:
    """The URI part of a proxy_pass target ("" for none): the location's own prefix (`location / { proxy_pass
    http://b/; }`) leaves the request's URI unchanged, as none does."""
    rest = target.partition("://")[2]
    return rest[rest.index("/"):] if "/" in rest else ""


def _proxy_passes(server, location) -> list:
    """The location's own proxy_pass lines, and those of the named location its try_files falls back to
    (`try_files $uri @backend;`)."""
    found = list(location.find("proxy_pass"))
    for tries in location.find("try_files"):
        name = tries.args[-1] if tries.args else ""
        named = named_location(server, name) if name.startswith("@") else None
        if named is not None:
            found += named.find("proxy_pass")
    return found


def _withholds_more(guard, location) -> bool:
    """The guard withholds its paths from clients `location` serves: a refusing `return`, an authentication, or
    allow/deny rules other than those `location` applies itself (not the same file of rules both include)."""
    if not _withholds(guard):
        return False
    if any(error_return(node) for node in guard.children or ()) or \
            any(node.name in _GUARDS - {"allow", "deny"} for node in guard.walk()):
        return True
    return not _same_rules(_access_rules(guard), _access_rules(location))


def _access_rules(block) -> list:
    """The allow/deny rules that apply in a block: its own, else those of the nearest block around it."""
    for level in (block, *block.ancestors()):
        own = [child for child in level.children or () if child.name in ("allow", "deny")]
        if own:
            return own
    return []


def _withholds(location) -> bool:
    """An access rule or a refusing `return` in the location: its paths are not for everyone."""
    return _guards(location) or any(error_return(node) for node in location.children or ())


def _guard_below(locations: dict, location, match):
    """The first prefix location of the server below this one that withholds a path this one would serve
    without it (`location /api/admin { return 403; }`): with `proxy_pass http://b/;` in `location /api`,
    `/apiadmin` reaches the upstream's /admin past it. None when there is none: the URI part `/` proxies the
    whole upstream anyway, and `/api../x` gets at nothing more. A longer location that serves something else
    (`location /news/images/ { proxy_pass http://cdn/; }`) keeps nothing from anyone, and a guard whose path
    would otherwise go to another location (a longer prefix, a regex) keeps nothing of this one's."""
    prefixes, regexes = locations.get(location.enclosing("server"), ([], []))
    after = bisect_right(prefixes, match.pattern, key=lambda pair: pair[0])
    below = list(takewhile(lambda pair: pair[0].startswith(match.pattern), prefixes[after:]))
    for pattern, other in below:
        if pattern.startswith(match.pattern + "/") and _withholds_more(other, location) and \
                _falls_to(location, match, pattern, below, regexes):
            return other
    return None


def _falls_to(location, match, path: str, below: list, regexes: list) -> bool:
    """Without the location of `path`, a request for `path` would be served by `location`: no longer prefix
    location takes it and, unless `location` is `^~`, no regex location nginx would try (the server's own and
    those nested in `location`)."""
    if any(len(pattern) < len(path) and path.startswith(pattern) for pattern, _ in below):
        return False
    if match.modifier == "^~":
        return True
    return not any(may_match(regex, path) for _, regex in regexes
                   if regex.enclosing("location") in (None, location))


def _uri_part(target: str, paths) -> tuple[str | None, int | None]:
    """The URI part of a proxy_pass target (what replaces the location prefix) and where it starts; (None,
    None) when there is none. `http://host:8080/v1` -> "/v1"; `http://host$uri` -> "$uri"."""
    if "://" not in target:
        return None, None
    host = upstream_host(target)
    if host is None:
        return None, None
    _, start, end = host
    rest_at = end
    if target[end:end + 1] == ":":
        rest_at = end + 1
        while rest_at < len(target) and target[rest_at].isdigit():
            rest_at += 1
        # a port an installer fills in (`:__PORT__`): nginx takes only digits or a variable there
        while rest_at < len(target) and target[rest_at] not in "/?$":
            rest_at += 1
    rest = target[rest_at:]
    if not rest:
        # a variable in the host that holds a decoded path (`http://backend$decoded_path`)
        for var in variables(target[start:end]):
            if var.start > 0 and paths.holds_path(var.name):
                at = start + var.start
                return target[at:], at
        return None, None
    return rest, rest_at


class _DecodedVariables:
    """User variables (set, map) whose value is the decoded URI or a capture of it."""

    def __init__(self, dep):
        self.decoded: set[str] = set()
        for node in dep.nodes("set"):
            if len(node.args) >= 2 and any(v.name in _DECODED or (not v.name.isdigit() and _named_capture(node, v))
                                           for v in variables(node.args[1])):
                self.decoded.add(node.args[0].lstrip("$").lower())
        for node in dep.nodes("map"):
            if len(node.args) >= 2 and any(v.name in _DECODED for v in variables(node.args[0])):
                if any(any(True for _ in variables(" ".join(e.args))) for e in node.children or ()):
                    self.decoded.add(node.args[1].lstrip("$").lower())

        self.set_values: dict[str, list[str]] = {}
        for node in dep.nodes("set"):
            if len(node.args) >= 2:
                self.set_values.setdefault(node.args[0].lstrip("$").lower(), []).append(node.args[1])

    def holds_path(self, name: str) -> bool:
        return name in self.decoded

    def host_is_plain(self, target: str) -> bool:
        """Whether every variable of the target is `set` only to values without a "/" or a variable, so that
        the target has no URI part of its own."""
        for var in variables(target):
            values = self.set_values.get(var.name)
            if not values or any("/" in v or "$" in v for v in values):
                return False
        return True


def _named_capture(node, var) -> bool:
    location = node.enclosing("location")
    match = location_match(location) if location is not None else None
    if match is None or not match.regex:
        return False
    captured = group(match.pattern, var.written)
    return captured is not None and may_hold(captured.body, dot_only=False)


def _decoded_in(uri, node, location, match, paths, raw_first) -> str | None:
    """The first variable of the URI part that carries the decoded path, written as in the config."""
    for var in variables(uri):
        name = var.name
        if name in _DECODED or paths.holds_path(name):
            if name in _DECODED and raw_first:
                continue  # the URI was set to the raw $request_uri first
            return "$" + var.written
        if name.isdigit() or not name.isidentifier() or name[:1].isdigit():
            source = _capture_source(node, location, match)
            if source is None or raw_first:
                continue
            pattern, subject = source
            if subject == _RAW:
                continue
            captured = group(pattern, var.written)
            if captured is not None and may_hold(captured.body, dot_only=False):
                return "$" + var.written
    return None


def _capture_source(node, location, match):
    """(regex, subject variable) that sets $1… where the proxy_pass runs: its `if`, else the location."""
    block = node.parent
    condition = regex_condition(block) if block.name == "if" else None
    if condition is not None:
        subject = [v.name for v in variables(condition[0])]
        return condition[2], subject[0] if subject else None
    if any(r.name == "rewrite" for r in location.children):
        return None  # the last matching rewrite sets the captures: out of reach here
    if match is not None and match.regex:
        return match.pattern, "uri"
    return None


# -- SEC510 real-ip-from-anywhere ---------------------------------------------------------------------------------

# What uses the client's address, after the realip module replaced it, for more than the access log (nginx's
# documentation): the access module, ip_hash, the geoip module, `geo` with no source variable, the stock parameter
# files (REMOTE_ADDR), code nginx runs (Lua, njs, Perl: it may read the address), and the variables that hold it.
_ADDRESS_VARIABLES = frozenset({"remote_addr", "binary_remote_addr", "proxy_add_x_forwarded_for"})
_USES_ADDRESS = frozenset({"allow", "deny", "ip_hash", "geoip_country", "geoip_city", "geoip_org", "geoip2",
                           "perl", "perl_set"})
_CODE_PREFIXES = ("js_",)
_PARAMS_WITH_ADDRESS = frozenset({"fastcgi_params", "fastcgi.conf", "uwsgi_params", "scgi_params"})
_ZONE_USERS = {"limit_req_zone": "limit_req", "limit_conn_zone": "limit_conn"}


@rule("SEC510")
def real_ip_from_anywhere(dep, report):
    headers = nearest(dep, "real_ip_header")
    recursive = nearest(dep, "real_ip_recursive")
    by_block: dict[int, list] = {}  # `0.0.0.0/0` and `::/0` of one block: one cause, one finding
    for node in dep.nodes("set_real_ip_from"):
        if "http" in node.ctx and node.args and _every_address(node.args[0]):
            by_block.setdefault(id(node.parent), []).append(node)
    for node, *others in by_block.values():
        if not _address_decides(dep, node.enclosing("server")):
            continue  # the address only reaches the access log
        related = [other.location(f"{other.args[0]} too") for other in others]
        header_node = value_at(headers, node.parent)
        header = header_node.args[0] if header_node is not None and header_node.args else "X-Real-IP"
        if header.lower() == "proxy_protocol" or is_unknown(header):
            continue  # the address comes from the connection's PROXY protocol header, not from a request header
            # (or may: a template fills the header's name in)
        recursive_node = value_at(recursive, node.parent)
        if header.lower() == "x-forwarded-for" and recursive_node is not None and recursive_node.args[:1] == ["on"]:
            report(node, "every address is trusted and real_ip_recursive is on: nginx skips each X-Forwarded-For "
                   "entry as a trusted proxy back to the first one, which the client wrote, so any client chooses "
                   "its $remote_addr (allow/deny, limit_req, logs) even behind a proxy that appends the true one",
                   arg=0, severity="error", related=[recursive_node.location("real_ip_recursive on"), *related],
                   help="list only your proxies' addresses in set_real_ip_from")
        else:
            report(node, f"every address is trusted to send {header}: a client that reaches nginx without going "
                   f"through your proxy sets its own $remote_addr (allow/deny, limit_req, logs) with that header",
                   arg=0, related=related, help="list only your proxies' addresses in set_real_ip_from")


def _address_decides(dep, server) -> bool:
    """Whether a request of `server` (every server when None) may use the client's address for more than its log
    line. A config with a part out of view (a fragment, an include nginxlint cannot read) may use it there."""
    if not (dep.is_main and dep.complete):
        return True
    used_zones = _used_zones(dep)
    for node in dep.walk():
        if "http" not in node.ctx and node.name != "http" or node.name == "log_format":
            continue
        if server is not None and node.enclosing("server") not in (None, server):
            continue  # another server's requests
        if _uses_address(node, used_zones):
            return True
    return False


def _uses_address(node, used_zones: set[tuple[str, str]]) -> bool:
    name = node.name
    if name in _USES_ADDRESS or name.startswith(_CODE_PREFIXES) or "_by_lua" in name:
        return True
    if name == "geo" and len(node.args) == 1:
        return True  # `geo $var { … }` looks up the client's address
    if name == "include" and node.args and posixpath.basename(node.args[0]) in _PARAMS_WITH_ADDRESS:
        return True  # fastcgi_param REMOTE_ADDR $remote_addr, and its uwsgi and scgi peers
    if not any(v.name in _ADDRESS_VARIABLES for arg in node.args for v in variables(arg)):
        return False
    if name in _ZONE_USERS:  # a zone keyed on the address counts only where a limit applies it
        zone = next((a[5:].split(":")[0] for a in node.args if a.startswith("zone=")), None)
        return (_ZONE_USERS[name], zone) in used_zones
    return True


def _used_zones(dep) -> set[tuple[str, str]]:
    """(directive, zone) of every `limit_req zone=…` and `limit_conn zone …`."""
    used = {("limit_req", a[5:]) for n in dep.nodes("limit_req") for a in n.args if a.startswith("zone=")}
    return used | {("limit_conn", n.args[0]) for n in dep.nodes("limit_conn") if n.args}


def _every_address(text: str) -> bool:
    """`0.0.0.0/0` or `::/0`: a network that holds every address of its family."""
    try:
        return ipaddress.ip_network(text, strict=False).prefixlen == 0
    except ValueError:
        return False


# -- SEC526 public-name-resolved-once -------------------------------------------------------------------------------


@rule("SEC526", "SEC574")
def check_public_names_resolved_once(dep, report):
    """A public DNS name in a `*_pass` or an upstream `server` is looked up once, at start: when the service behind
    it moves (a cloud load balancer, a CDN, a hosted app), nginx sends to the old addresses until a reload. SEC526
    is a platform's name, which moves without its user doing anything; SEC574 (opt-in) any other public name. In a
    container CTR112 reports every such name, so these rules cover the configs nothing shows to run in one."""
    if dep.binding is not None:
        return
    own_domains = None
    for name in names_resolved_at_start(dep):
        if not is_public_name(name.host) or is_stand_in_host(name.host) \
                or _names_a_service(name.host, dep.pod_namespaces):
            continue
        if own_domains is None:
            own_domains = {registrable_domain(arg) for node in dep.nodes("server_name") for arg in node.args}
        if registrable_domain(name.host) in own_domains:
            continue  # a host of the site's own domain: its operator moves it, and reloads nginx when doing so
        if name.may_name_upstream and not (dep.is_main and dep.complete):
            # an upstream block of that name may be out of view: in a part of the main config nginxlint cannot
            # read, or, for a file included from a stock nginx.conf, in a sibling file of the project
            if dep.is_main or name.host in workspace_upstream_names(dep):
                continue
        platform = moving_platform(name.host)
        what = f"a name of {platform}, whose addresses the platform changes," if platform else "a public DNS name"
        report(name.node, f'"{name.host}" is {what} that nginx looks up once, when it starts, and keeps '
               "until it is reloaded: when the service behind it moves to new addresses, requests keep going to the "
               "old ones; resolve it per request with a variable and `resolver`, or use `server … resolve` in an "
               "upstream with a `zone`", span=name.span, code="SEC526" if platform else "SEC574")


def _names_a_service(host: str, namespaces: frozenset[str]) -> bool:
    """`users.shop` in a pod of a cluster with a namespace `shop`: the pod's DNS search path makes it the Service
    `users.shop.svc.cluster.local` before public DNS is asked."""
    labels = host.lower().rstrip(".").split(".")
    return len(labels) == 2 and labels[1] in namespaces and is_service_name(host)
