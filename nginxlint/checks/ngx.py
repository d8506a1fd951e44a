"""NGX004–NGX007 and NGX009: what nginx itself rejects at `nginx -t`, checked on the whole tree with includes
spliced in; NGX033, NGX034 and NGX036: what `nginx -t` takes and reads otherwise than it was written for.

NGX001, NGX002, NGX003 and NGX008 are found while the tree is loaded (see checks/load.py).
"""
from __future__ import annotations

import os
from pathlib import Path

from ..findings import SAFE, UNSAFE, Fix, Span
from ..nginx import edits
from ..nginx.directives import (LUA_PHASE, UNIQUE_DIRECTIVES, check_directive, context_of, likely_typo_of,
                                 may_take_a_list, swallowed_directive, third_party, unopened_block)
from ..nginx.listen import http_servers
from ..nginx.locations import MODIFIERS, TO_NAMED_LOCATION
from ..nginx.templates import is_unknown
from ..nginx.tls_scope import alone_on_their_sockets, servers_by_socket, socket_keys
from ..nginx.variables import variable_facts, variables
from ..text import did_you_mean
from .registry import rule

BOM = "\ufeff"


@rule("NGX004", "NGX005", "NGX006")
def check_directives(tree, report):
    """NGX004 (unknown directive), NGX005 (not allowed here), NGX006 (invalid arguments): one walk, one lookup
    in the directive table per directive."""
    extra = frozenset(tree.settings.extra_directives)
    slots = tree.loader.template_slots
    snippets = tree.loader.snippet_collections
    misplaced: dict[int, list] = {}  # block -> the (node, message) of each directive out of place in it
    for node in tree.walk():
        d = node.d
        problem = check_directive(d.name, d.args, node.ctx, _takes_a_block(node), extra)
        if problem is None or (problem.code == "NGX006" and any(is_unknown(arg) for arg in d.args)):
            continue  # a template tag may stand for any number of arguments (`{{ buffers | default: "4 8k" }}`)
        if problem.code == "NGX006" and slots and (d.file.display, d.span.line, d.span.column) in slots:
            continue  # an empty slot a template's renderer fills in (`server_name ;`)
        if problem.code == "NGX005" and node.parent is tree.main and d.file.display in snippets:
            continue  # a block of a snippet collection, to be copied into its own context
        if problem.code == "NGX005" and third_party(d.name) and not _modules_known(tree):
            continue  # another module of a build nginxlint cannot see may take it here (`check` in a stream upstream)
        if problem.code == "NGX005" and _fits_past_an_unclosed_block(node, extra):
            continue  # NGX001 reports the missing `}`, which would have put the directive where it is allowed
        if problem.code == "NGX005" and _fits_in_an_unopened_block(node, extra):
            continue  # NGX006 reports the block's missing `{` (`server` then `listen 80;`), inside which it is allowed

        message = problem.message
        if problem.code == "NGX004":
            if d.name in _module_directives(tree):
                continue  # defined by a module whose source the repository holds
            if d.name.startswith(BOM):
                message = (
                    f'unknown directive "{d.name[1:]}" with a UTF-8 byte order mark in front: nginx reads the mark '
                    "as part of the name; save the file without it"
                )
            elif _own_build_template(tree, d.file.display):
                continue
            elif _modules_known(tree):
                message += ": no known nginx, OpenResty or common third-party module defines it"
            else:
                # the image's nginx is a build nginxlint cannot see into: any module may define the name, so
                # only a name one or two letters away from a known directive is worth a word
                typo = likely_typo_of(d.name, extra | _module_directives(tree))
                if typo is None:
                    continue
                message += f': did you mean "{typo}"? (the image\'s nginx is a build nginxlint cannot see into, so ' \
                           "only names a letter or two from a known directive are reported)"
        else:
            message += "; nginx refuses to start"
        arg = problem.arg_index
        look_alike = next((i for i, a in enumerate(d.args) if a.endswith(_LOOK_ALIKE_SEMICOLONS)), None)
        if problem.code == "NGX006" and look_alike is not None:
            message += (f': "{d.args[look_alike][-1]}" is not nginx\'s ";" (a full-width or Greek look-alike), so '
                        "nginx reads the next directive as more values of this one")
            arg = look_alike
        if problem.code == "NGX005":
            misplaced.setdefault(id(node.parent), []).append((node, message))
            continue
        report(node, message, arg=arg, code=problem.code)
    for found in misplaced.values():
        for (node, message), *others in _one_mistake_each(found, extra):
            report(node, message, code="NGX005",
                   related=[other.location(f"{other.name} is not allowed here either") for other, _ in others])
    for node in tree.nodes("location"):
        args = node.d.args
        if len(args) == 2 and args[0] not in MODIFIERS and not any(is_unknown(arg) for arg in args):
            report(node, f'invalid location modifier "{args[0]}": a location takes one of =, ~, ~*, ^~ before its '
                   "pattern, or the pattern alone; nginx refuses to start", arg=0, code="NGX006")
    for node in tree.nodes("access_log"):
        refused = _refused_log(node.d.args)
        if refused is not None:
            report(node, refused[0] + "; nginx refuses to start", arg=refused[1], code="NGX006")


# Characters that look like ";" and end a line where it should be: the full-width semicolon of CJK input methods
# (U+FF1B) and the Greek question mark (U+037E)
_LOOK_ALIKE_SEMICOLONS = ("\uff1b", "\u037e")


def _refused_log(args: list[str]) -> tuple[str, int] | None:
    """What nginx says of an access_log's buffering (ngx_http_log_module and ngx_stream_log_module alike), and the
    argument to change: a buffer is written to one file, so its path may not hold a variable; `flush` needs one."""
    if not args or args[0] == "off" or any(is_unknown(arg) for arg in args):
        return None
    params = args[2:]
    buffered = next((i + 2 for i, arg in enumerate(params) if arg.startswith("buffer=") or arg == "gzip"
                     or arg.startswith("gzip=")), None)
    if buffered is None:
        flush = next((i + 2 for i, arg in enumerate(params) if arg.startswith("flush=")), None)
        return None if flush is None else \
            (f'no buffer is defined for access_log "{args[0]}": `flush=` needs `buffer=` or `gzip`', flush)
    if args[0].startswith("syslog:"):
        return "logs to syslog cannot be buffered: drop `buffer=`/`gzip`", buffered
    if "$" in args[0]:
        return ("buffered logs cannot have variables in name: a log whose path holds a variable is written line by "
                "line, so drop `buffer=`/`gzip` or the variable"), 0
    return None


# Template languages of generators that ship an nginx build of their own (Zimbra's and Carbonio's proxy, with its
# mail and auth modules): the directives of their templates are that build's.
OWN_BUILD_LANGUAGES = frozenset({"dotted"})


def _own_build_template(tree, display: str) -> bool:
    masked = tree.loader.masked.get(display)
    return masked is not None and masked.language in OWN_BUILD_LANGUAGES


def _modules_known(tree) -> bool:
    if "nginx-modules-known" not in tree.memo:
        from ..container.nginx_build import modules_known  # the image model, only when a directive is unknown

        tree.memo["nginx-modules-known"] = modules_known(tree)
    return tree.memo["nginx-modules-known"]


def _one_mistake_each(found: list, extra: frozenset[str]) -> list[list]:
    """The directives out of place in one block, grouped by mistake: the same directive again and again is one, and
    so are directives that all belong in a server block (a site file whose `server {` line is lost: `listen`,
    `server_name`, `location` at http level); the others are one each."""
    same: dict[str, list] = {}
    for node, message in found:
        same.setdefault(node.name, []).append((node, message))
    context = found[0][0].ctx
    if len(same) > 1 and context in (("http",), ("stream",)) and all(
            check_directive(node.name, node.args, (*context, "server"), _takes_a_block(node), extra) is None
            for node, _message in found):
        return [found]
    return list(same.values())


def _takes_a_block(node) -> bool:
    return node.d.block is not None or node.d.lua is not None


def _fits_past_an_unclosed_block(node, extra: frozenset[str]) -> bool:
    """A block around the directive is never closed (the file ends first), and the directive is allowed where that
    block sits: the `}` it lacks may belong before the directive (`stream {}` read inside an unclosed `http {`)."""
    d = node.d
    parent = node.parent
    while parent is not None and parent.d is not None:
        if parent.d.block is not None and parent.d.block_end is None and check_directive(
                d.name, d.args, parent.ctx, _takes_a_block(node), extra) is None:
            return True
        parent = parent.parent
    return False


def _fits_in_an_unopened_block(node, extra: frozenset[str]) -> bool:
    """An earlier directive of the block is one that takes a block written without its `{` (`server` on a line of
    its own, then `listen 80;`), and the directive is allowed inside such a block: the `{` it lacks would have put it
    there."""
    siblings = node.parent.children if node.parent is not None else []
    for sibling in siblings[:siblings.index(node)] if node in siblings else ():
        inside = context_of(sibling.ctx, sibling.name)
        if unopened_block(sibling.d, sibling.ctx) and \
                check_directive(node.d.name, node.d.args, inside, _takes_a_block(node), extra) is None:
            return True
    return False


def _module_directives(tree) -> frozenset[str]:
    """Directives the C modules in the repository define, found once per tree."""
    if "repository-directives" not in tree.memo:
        from ..nginx.module_sources import repository_directives  # only when a directive is unknown
        from ..repository import find_repository_root

        base = Path(os.path.abspath(tree.loader.base_dir))
        tree.memo["repository-directives"] = repository_directives(tree.loader, find_repository_root(base) or base)
    return tree.memo["repository-directives"]


SHARED_SLOTS = {"root": "root/alias", "alias": "root/alias"}


def _slot(name: str):
    """Directives that share one configuration slot: every form of one Lua phase handler, and root with alias."""
    phase = LUA_PHASE.get(name)
    if phase is not None and phase != "set":
        return "lua:" + phase
    if name in SHARED_SLOTS:
        return SHARED_SLOTS[name]
    return name if name in UNIQUE_DIRECTIVES else None


@rule("NGX007")
def duplicate_directive(tree, report):
    blocks = [tree.main, *(n for n in tree.walk() if n.children is not None)]
    slots: dict = {}  # directive name -> its slot: a few dozen names over the whole tree
    for block in blocks:
        seen = {}
        for child in block.children:
            name = child.name
            slot = slots[name] if name in slots else slots.setdefault(name, _slot(name))
            if slot is None:
                continue
            first = seen.setdefault(slot, child)
            if first is not child:
                report(
                    child,
                    f'"{child.d.name}" directive is duplicate: "{first.d.name}" is already set in this block at '
                    f"{first.file.display}:{first.d.span.line}, and nginx refuses to start",
                    related=[first.location("first set here")],
                    fix=_remove_duplicate(child, first),
                )


def _handler(name: str) -> bool:
    """A directive that answers requests (proxy_pass, content_by_lua*, return...): which of two to keep is the
    user's decision, not a fix's."""
    return name.endswith("_pass") or name in LUA_PHASE or name in HANDLERS


HANDLERS = frozenset({"return", "stub_status", "empty_gif", "perl", "mp4", "flv", "dav_methods", "echo"})


def _remove_duplicate(child, first):
    """Remove the repeated directive: safe when it repeats the first one word for word (nginx never ran the
    config, and the first one's value stays), unsafe when it says something else (the user meant one of them)."""
    if _handler(child.d.name) or child.d.block is not None or child.d.lua is not None:
        return None
    same = child.d.name == first.d.name and child.d.args == first.d.args
    return Fix.of(f"Remove the repeated `{child.d.name}`", edits.delete_directive(child.d),
                  applicability=SAFE if same else UNSAFE)


# Blocks a file included into nginx.conf's main context holds (`include /etc/nginx/stream.d/*.conf;`); a main
# config has directives of its own besides them (worker_processes, pid, error_log, events...).
_MAIN_FRAGMENT_BLOCKS = frozenset({"stream", "http", "mail", "include"})


@rule("NGX009")
def missing_events_block(tree, report):
    if not tree.is_main or not tree.complete or tree.nodes("events"):
        return
    children = tree.main.children
    named = tree.root.display.rsplit("/", 1)[-1] == "nginx.conf" or bool(tree.settings.roots)
    run = bool(tree.settings.roots) or tree.binding is not None  # a root, or a container starts nginx on it
    if not (named and run) and children and all(c.d.name in _MAIN_FRAGMENT_BLOCKS for c in children):
        return  # only `stream {}` / `http {}`: as likely a file included at the top of the real nginx.conf, or a
        # snippet to paste into one (`nginx.conf` beside a service's Compose file that runs no nginx)
    anchor = next((c for c in children if c.d.name == "http"), children[0] if children else None)
    message = ('no "events" section in configuration: nginx refuses to start without one; add '
               "`events { worker_connections 1024; }` to the main context")
    if anchor is None:
        report.at(tree.root.display, Span(1, 1, 1, 1), message)
    else:
        # a file that only looks like a root may be included by the real one, which has its events: adding one
        # there is safe only for a file named nginx.conf or set as a root
        report(anchor, message, fix=Fix.of("Add `events {}`", edits.insert_before(anchor.d, "events {}"),
                                           applicability=SAFE if named else UNSAFE))


# -- NGX033 missing-semicolon -------------------------------------------------------------------------------------

@rule("NGX033")
def missing_semicolon(tree, report):
    """A word that starts a line inside a directive taking any number of arguments, and names a directive of the
    context: the `;` before it is missing, and nginx reads the next directive as more arguments."""
    for node in (node for name in tree.names() if may_take_a_list(name) for node in tree.nodes(name)):
        index = swallowed_directive(node.d, node.ctx)
        if index is None:
            continue
        d, arg = node.d, node.d.args[index]
        masked = tree.loader.masked.get(d.file.display)
        if masked is not None and masked.lines_between(d.span[:2], d.arg_span(index)[:2]):
            continue  # a template tag before the word may render the `;` (a helper writing the format's end)
        report(node, f'"{arg}" starts a line inside "{d.name}": the ";" that ends "{d.name}" is missing, so '
               f'nginx takes "{arg}" and what follows as more {d.name} values and never sets {arg}',
               arg=index, help='end the line before with ";"')


# -- NGX034 variable-in-server-name -------------------------------------------------------------------------------

@rule("NGX034")
def variable_in_server_name(tree, report):
    """nginx reads variables in no server name but `$hostname` written alone: `www.$hostname` is those very
    characters. A server alone on its sockets gets every request whatever its names: no name of it chooses. So is
    one that shares no socket with a server in view (a site file whose neighbours, if any, are out of view): the
    requests that go elsewhere need another server to go to."""
    nodes = tree.nodes("server_name")
    servers = http_servers(tree) if nodes else []
    by_socket = servers_by_socket(servers)
    alone = alone_on_their_sockets(tree, servers, by_socket) if servers else set()
    for node in nodes:
        server = node.enclosing("server")
        if server is None or server in alone or \
                not any(len(by_socket.get(key, ())) > 1 for key in socket_keys(server)):
            continue  # (a mail block's server_name names the mail server, no http server chooses by it)
        for index, name in enumerate(node.d.args):
            if not name.startswith("~") and name.lower() != "$hostname" and not is_unknown(name) \
                    and _names_nginx_variables(name):
                report(node, f'server_name "{name}" is matched as written, "$" and all: nginx expands no variable in a '
                       "server name (only `$hostname` alone stands for the machine's name), so requests for the "
                       "name meant go to another server", arg=index)


def _names_nginx_variables(name: str) -> bool:
    """Every `$` of the name is one of nginx's own variables, written as nginx writes them (`$hostname`): a
    `${DOMAIN}` or `$SERVER_NAME` is a placeholder a script fills in before nginx reads the file."""
    found = list(variables(name))
    return bool(found) and name.count("$") == len(found) and all(
        name[v.start + 1] != "{" and v.written.islower() and variable_facts(v.name) is not None for v in found)


# -- NGX036 missing-named-location -------------------------------------------------------------------------------



@rule("NGX036")
def missing_named_location(tree, report):
    """nginx looks a named location up in the request's server when it sends the request there, not at `nginx -t`:
    a name no `location @name` of that server defines fails the request with a 500. Judged only for a server whose
    every directive is in view (no unread include in it, no template tag that may render one)."""
    named: dict[int, set[str] | None] = {}
    for node in (node for name in TO_NAMED_LOCATION for node in tree.nodes(name)):
        target = node.args[-1] if node.args else ""
        if not target.startswith("@") or "$" in target or is_unknown(target):
            continue
        server = node.enclosing("server")
        if server is not None:
            servers = [server] if node.ctx[:1] == ("http",) else []
        elif node.ctx == ("http",):  # inherited by every server that sets no error_page of its own
            servers = [s for s in http_servers(tree) if not s.find(node.name)] if node.name == "error_page" else []
        else:
            continue
        for server in servers:
            names = named.setdefault(id(server), _named_locations(tree, server))
            if names is not None and target not in names:
                where = "this server" if server is node.enclosing("server") else \
                    f"the server at {server.d.file.display}:{server.d.span.line}, which inherits this line,"
                report(node, f'no `location {target}` in {where}: nginx -t accepts the name, but each request sent '
                       f'there fails with a 500 ("could not find named location"){did_you_mean(target, names)}',
                       arg=len(node.args) - 1,
                       related=[] if server is node.enclosing("server") else [server.location("this server")])
                break


def _named_locations(tree, server) -> set[str] | None:
    """The names of the server's named locations (nginx allows them at the server level only), or None where an
    include in the server could not be read or a template may render directives in it or fill in a location's
    name."""
    if not _whole_in_view(tree, server):
        return None
    locations = [child.args for child in server.children or () if child.name == "location"]
    if any(is_unknown(arg) for args in locations for arg in args):
        return None
    return {args[0] for args in locations if len(args) == 1 and args[0].startswith("@")}


def _whole_in_view(tree, server) -> bool:
    """Every directive of the server is in view: each include in it was read, and no template tag in it, nor in a
    template it includes, may render directives (a tag inside a value, such as envsubst's `${HOST}`, renders none)."""
    unread = tree.unread_include_ids()
    nodes = [server, *server.walk()]
    if any(id(node) in unread for node in nodes if node.children is not None):
        return False
    own = server.d.file.display
    for display in {node.d.file.display for node in nodes}:
        masked = tree.loader.masked.get(display)
        if masked is None or not masked.hides_directives:
            continue
        if display != own:
            return False  # an included template: where its tags sit says nothing of this server alone
        start, end = server.d.span.line, (server.d.block_end or server.d.span).line  # from `server {` to its `}`
        if any(start <= line <= end for line, _column in masked.out_of_view()):
            return False
    return True
