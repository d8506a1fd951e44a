"""NGX010–NGX017, NGX031 and NGX037: HTTP settings that nginx accepts but that do something else than they seem to.

None of them exposes anything by itself (those are SEC rules); each makes nginx misbehave: a header sent
twice, a directive that does not apply inside `if`, a variable that is empty for unmatched values, a log file
called "off".
"""
from __future__ import annotations

import ipaddress
import re

from ..config_tree import GLOB_CHARS
from ..findings import Fix
from ..nginx import edits
from ..nginx.conditions import REGEX_OPERATORS, equality_condition, if_condition
from ..nginx.directives import CONTENT_HANDLERS, LUA_PHASE, UNIQUE_DIRECTIVES, answers_itself
from ..nginx.inheritance import Lists, nearest, value_at
from ..nginx.locations import (
    TO_NAMED_LOCATION, ends_request, extension_names, fixed_status, header_added, location_match, named_location,
    probe_location, rewrite_takes_every_uri,
)
from ..nginx.urls import PASS_DIRECTIVES
from ..nginx.templates import is_unknown
from ..nginx.tls_scope import PlainHttp
from ..nginx.values import parse_uint
from ..nginx.variables import SETTER, variables
from .registry import rule
from .security_http import xss_filter_off

# -- NGX010 add-header-multiline -------------------------------------------------------------------------------


@rule("NGX010")
def add_header_multiline(dep, report):
    for node in dep.nodes("add_header"):
        if len(node.args) >= 2 and "\n" in node.args[1]:
            _multiline(node, 1, node.args[0], report)
    for node in dep.nodes("more_set_headers"):
        for index in _more_headers_values(node.args):
            name, colon, value = node.args[index].partition(":")
            if colon and "\n" in value:  # a word without a colon sends nothing (`\` ending a line, as in a shell)
                _multiline(node, index, name.strip(), report)


def _more_headers_values(args) -> list[int]:
    """The `Name: value` arguments of more_set_headers, skipping `-s codes`, `-t types` and `-r`."""
    found, skip = [], False
    for index, arg in enumerate(args):
        if skip:
            skip = False
        elif arg in ("-s", "-t"):
            skip = True
        elif not arg.startswith("-"):
            found.append(index)
    return found


def _multiline(node, index, header, report):
    report(
        node,
        f"the value of {header} spans several lines: nginx sends the line breaks as they are, an obsolete "
        "header folding that browsers and proxies may reject or cut",
        arg=index,
        help="write the value on one line",
    )


# -- NGX031 add-header-always-quoted ---------------------------------------------------------------------------

_QUOTED_ALWAYS = re.compile(r"(?<=\S)\s+always$")
_FLAG_TAKERS = ("add_header", "add_trailer")  # name value [always]: the flag is a separate word


@rule("NGX031")
def add_header_always_quoted(dep, report):
    for name in _FLAG_TAKERS:
        for node in dep.nodes(name):
            tail = _quoted_always(node, 1) if len(node.args) == 2 else None
            if tail is not None:
                what = "header" if name == "add_header" else "trailer"
                report(node, f"\"always\" inside the quotes is part of the value, not {name}'s flag: responses "
                       f'carry "{node.args[0]}: {node.args[1]}", and error responses (4xx, 5xx) get no such {what}',
                       arg=1, help="put always after the closing quote",
                       fix=Fix.of("Move `always` out of the quotes", edits.move_arg_end(node.d, 1, len(tail), tail)))
    for node in dep.nodes("more_set_headers"):
        for index in _more_headers_values(node.args):
            tail = _quoted_always(node, index)
            if tail is not None:
                report(node, '"always" is part of the value: more_set_headers has no such flag (without -s it sets '
                       f'the header on every status), so responses carry "{node.args[index]}"', arg=index,
                       help="drop always", fix=Fix.of("Drop `always`", edits.move_arg_end(node.d, index, len(tail))))


def _quoted_always(node, index: int) -> str | None:
    """The blanks and `always` that end quoted argument `index` as written, else None."""
    if not node.d.quoted[index]:
        return None
    match = _QUOTED_ALWAYS.search(node.d.raw_args[index])
    return match.group(0) if match else None


# -- NGX011 add-header-content-type ----------------------------------------------------------------------------

HIDE_HEADER = ("proxy_hide_header", "fastcgi_hide_header", "uwsgi_hide_header", "scgi_hide_header",
               "grpc_hide_header")


@rule("NGX011")
def add_header_content_type(dep, report):
    nodes = [n for n in dep.nodes("add_header") if n.args and n.args[0].lower() == "content-type"]
    if not nodes:
        return
    hidden = [Lists(dep, (name,)) for name in HIDE_HEADER]
    default_types = nearest(dep, "default_type")
    for node in nodes:
        if any(any(h.args[:1] and h.args[0].lower() == "content-type" for h in lists.effective(node.parent))
               for lists in hidden):
            continue  # the upstream's Content-Type is hidden, so this one is the only one
        answers = node.parent.find("return")
        if any(r.args[:1] == ["204"] for r in answers):
            continue  # nginx drops its own Content-Type from a 204 (ngx_http_header_filter): this one is alone
        if answers and all(_success(r) and len(r.args) == 1 for r in answers):
            continue  # `return 200;` has no body: no client reads a type for it (a preflight's answer)
        if _health_check(dep, node):
            continue  # a load balancer's or kubelet's probe reads the status, never the type
        if not header_added(node, fixed_status(node.parent)) or _same_as_stub_status(node):
            continue
        passing = None if answers else _pass_of(node.parent)
        proxied = passing is not None
        if not proxied and _media_type(node.args[1:2]) == _own_answer_type(dep, default_types, node.parent, answers):
            continue  # the block's own answer goes out as that type already: the two headers say the same
        source = "the upstream's" if proxied else "the one nginx sends from types/default_type"
        report(
            node,
            f"add_header adds a second Content-Type header next to {source}: clients see two and may pick either",
            arg=0,
            help=_one_content_type(node, passing),
        )


def _one_content_type(node, passing: str | None) -> str | None:
    """How to send one Content-Type: hide the upstream's (of the `*_pass` that answers) and keep this one, or say it
    with `default_type`, which takes no variables (none is offered for `add_header Content-Type $type` of nginx's own
    answer). Neither directive is allowed in an `if`: none is offered there."""
    if node.parent is not None and node.parent.name == "if":
        return None
    if passing is not None:
        return f"{passing.rsplit('_', 1)[0]}_hide_header Content-Type;"
    value = node.args[1] if len(node.args) > 1 else "text/plain"
    return None if "$" in value else f"default_type {value};"


def _health_check(dep, node) -> bool:
    """The header is added in a location a probe asks, or in a named location only such locations send their errors
    to (`error_page 502 503 = @health_error;` of `location = /health/ready`): its answer's status is all anyone
    reads."""
    location = node.enclosing("location") if node.parent.name != "location" else node.parent
    if location is None:
        return False
    if probe_location(location):
        return True
    senders = _senders(dep, location)
    return bool(senders) and all(sender is not None and probe_location(sender) for sender in senders)


def _senders(dep, location) -> list:
    """The locations of a named location's server that send requests to it (`try_files $uri @robots;`,
    `error_page 404 @fallback;`); a sender outside a location is None. Empty for any other location."""
    name = location.args[0] if location.args and location.args[0].startswith("@") else None
    server = location.enclosing("server") if name else None
    if server is None:
        return []
    return [sender.enclosing("location") for directive in TO_NAMED_LOCATION for sender in dep.nodes(directive)
            if name in sender.args and sender.enclosing("server") is server]


def _success(answer) -> bool:
    """`return 200 "ok"`: nginx sends the text as default_type (a redirect or an error page is text/html)."""
    code = parse_uint(answer.args[0]) if answer.args else None
    return code is not None and 200 <= code < 300


def _media_type(args: list[str]) -> str | None:
    return args[0].split(";")[0].strip().strip("'\"").lower() if args else None


# The types of nginx's stock mime.types for the extensions an exact location answering with `return` names most
# (conf/mime.types of nginx 1.26), and those nginx knows with no types at all (ngx_http_core_module's default).
STOCK_TYPES = {"txt": "text/plain", "html": "text/html", "htm": "text/html", "json": "application/json",
               "xml": "text/xml", "js": "application/javascript", "css": "text/css", "svg": "image/svg+xml",
               "png": "image/png", "ico": "image/x-icon", "gif": "image/gif", "jpg": "image/jpeg",
               "jpeg": "image/jpeg", "webp": "image/webp"}
BUILT_IN_TYPES = {"html": "text/html", "gif": "image/gif", "jpg": "image/jpeg"}


_LUA_CONTENT = tuple(name for name, phase in LUA_PHASE.items() if phase == "content")


def _own_answer_type(dep, default_types: dict, block, answers: list) -> str | None:
    """The Content-Type of the answer the block makes itself, where nginx decides it: a 2xx `return`'s, a Lua
    content handler's (default_type: ngx.say sends it), a file served from an exact location or a literal
    `try_files` (its extension's type). None where it is not known."""
    if answers:
        return _answer_type(dep, default_types, block) if all(_success(r) for r in answers) else None
    handlers = [node for name in _LUA_CONTENT for node in block.find(name)]
    if handlers:
        return None if _lua_sets_type(dep, handlers) else _default_type(dep, default_types, block)
    if block.name != "location" or answers_itself(block):
        return None  # a handler answers, not a file of the root (a third-party module's `redis_pass` too)
    tried = block.find("try_files")
    if tried:
        first = tried[-1].args[0] if tried[-1].args else "$"
        return None if "$" in first else _extension_type(dep, first)
    alias = block.find("alias")
    if alias:  # `alias /resources/public-key.pub;` in `location = /publickey`: that one file
        path = alias[-1].args[0] if alias[-1].args else "$"
        return None if "$" in path or path.endswith("/") else _file_type(dep, default_types, block, path)
    match = location_match(block)
    if match is not None and match.regex:  # `location ~* \.css$`: every file it serves has the one type
        types = {_extension_type(dep, f"x.{name}") for name in extension_names(match) or ()}
        return types.pop() if len(types) == 1 else None
    if match is not None and (match.modifier == "=" or match.prefix and "." in match.pattern.rsplit("/", 1)[-1]):
        return _extension_type(dep, match.pattern)  # an exact location, or a prefix one named for its file
    return None


def _file_type(dep, default_types: dict, block, path: str) -> str | None:
    """The type nginx sends a file with: its extension's, else the default_type where the whole types table is
    known (a main config with nginx's built-in types or its own types blocks, no mime.types)."""
    found = _extension_type(dep, path)
    if found is not None or not dep.is_main or any(
            node.args and node.args[0].rsplit("/", 1)[-1] == "mime.types" for node in dep.nodes("include")):
        return found
    return _default_type(dep, default_types, block)


def _lua_sets_type(dep, handlers: list) -> bool:
    """The Lua content handler sets `ngx.header.content_type` (or its facts are not known): nginx sends that type."""
    ids = {id(node) for node in handlers}
    return any(unit.facts is None or unit.facts.taint is None or unit.facts.taint.content_types
               for unit in dep.lua.units if any(id(h.node) in ids for h in unit.handlers))


def _extension_type(dep, path: str) -> str | None:
    """The type nginx's types give a path by its extension (`/robots.txt`, text/plain with mime.types), or None.
    A fragment is taken to be included where mime.types is, as stock configs include it."""
    if "." not in path.rsplit("/", 1)[-1]:
        return None
    extension = path.rsplit(".", 1)[-1].lower()
    if not dep.is_main or any(node.args and node.args[0].rsplit("/", 1)[-1] == "mime.types"
                              for node in dep.nodes("include")):
        return STOCK_TYPES.get(extension)
    if not dep.nodes("types"):
        return BUILT_IN_TYPES.get(extension)
    return _http_types(dep).get(extension)


def _http_types(dep) -> dict[str, str]:
    """{extension: type} of the `types` blocks of the http block (a types file read, whatever its name: `include
    /etc/nginx/mime.type;`); empty where a server or location has types of its own, which this does not follow."""
    if "http-types" not in dep.memo:
        blocks = dep.nodes("types")
        found: dict[str, str] = {}
        if all(block.parent is not None and block.parent.name == "http" for block in blocks):
            for block in blocks:
                for entry in block.children or ():
                    found.update((extension.lower(), entry.name) for extension in entry.args)
        dep.memo["http-types"] = found
    return dep.memo["http-types"]


def _answer_type(dep, default_types: dict, block) -> str | None:
    """The Content-Type nginx gives a `return` in the block: the type of the extension of the file the location
    names (`location = /robots.txt`, or `location /robots.txt`, which no one asks for another name), text/plain with
    mime.types; else default_type."""
    location = block if block.name == "location" else block.enclosing("location")
    found = _named_file_type(dep, location)
    if found is None and location is not None and location.args[:1] and location.args[0].startswith("@"):
        # a named location keeps the URI of the request sent to it, whose extension gives the type
        # (`location = /robots.txt { try_files $uri @default_robots; }`: text/plain)
        types = {_named_file_type(dep, sender) for sender in _senders(dep, location)}
        found = types.pop() if len(types) == 1 else None
    return found or _default_type(dep, default_types, block)


def _named_file_type(dep, location) -> str | None:
    """The type of the file an exact or prefix location is named for (`location = /robots.txt`), or None."""
    match = location_match(location) if location is not None else None
    return _extension_type(dep, match.pattern) if match is not None and match.modifier in ("=", "", "^~") else None


def _default_type(dep, table: dict, block) -> str | None:
    """The default_type in effect in the block: its own or an enclosing block's, nginx's `text/plain` in a main
    config that sets none; None in a fragment that sets none (the config that includes it may)."""
    found = value_at(table, block)
    if found is not None:
        return _media_type(found.args)
    return "text/plain" if dep.is_main and dep.complete else None


def _same_as_stub_status(node) -> bool:
    """`add_header Content-Type text/plain` beside `stub_status`, whose page nginx sends as text/plain: the two
    headers say the same (nginx 1.22)."""
    value = node.args[1].split(";")[0].strip().lower() if len(node.args) > 1 else ""
    return value == "text/plain" and any(level.find("stub_status") for level in (node.parent, *node.parent.ancestors())
                                         if level.name == "location")


def _pass_of(block) -> str | None:
    """The `*_pass` by which the block, or the location it sits in, hands the request to an upstream, whose
    Content-Type is sent; None when none does."""
    for level in (block, *block.ancestors()):
        passing = next((name for name in PASS_DIRECTIVES if level.find(name)), None)
        if passing is not None or level.name == "location":
            return passing
    return None


# -- NGX012 if-is-evil -----------------------------------------------------------------------------------------

_REDIRECT_FLAGS = ("redirect", "permanent")
_ENDING_FLAGS = ("last", *_REDIRECT_FLAGS)


# The echo module declares every directive for the if in a location (NGX_HTTP_LIF_CONF), and its merge handler
# inherits each of its lists on its own: the response commands, the text before the body, the text after it, the
# status. An echo directive in an if therefore replaces only its own list, and drops nothing when the location
# sets that list nowhere else.
_ECHO_LISTS = {"echo_before_body": "before_body", "echo_after_body": "after_body", "echo_status": "status"} | {
    name: "handler" for name in (
        "echo", "echo_request_body", "echo_sleep", "echo_flush", "echo_blocking_sleep", "echo_reset_timer",
        "echo_location_async", "echo_location", "echo_subrequest_async", "echo_subrequest", "echo_duplicate",
        "echo_read_request_body", "echo_foreach_split", "echo_end", "echo_abort_parent", "echo_exec")}


# Directives whose list a location takes whole from its parent only when it sets none of its own: one in an
# `if` replaces every inherited entry when the condition holds (ngx_conf_merge_ptr_value / the array merges).
_LISTS = frozenset({
    "add_header", "add_trailer", "proxy_set_header", "proxy_hide_header", "proxy_pass_header", "fastcgi_param",
    "uwsgi_param", "scgi_param", "grpc_set_header", "grpc_hide_header", "fastcgi_hide_header",
    "uwsgi_hide_header", "scgi_hide_header", "sub_filter", "ssi_types", "gzip_types"})
# The lists that make the headers of an answer, which a later `if` that answers sends from its own settings.
_ANSWER_HEADERS = frozenset({"add_header", "add_trailer"})
# Set on a location and merged into no other (ngx_http_core_merge_loc_conf leaves them out): neither a nested
# location nor the location nginx makes of an `if` has them, so when the condition holds they do not run.
_NOT_INHERITED = frozenset({"try_files"})
# The rewrite module runs these as it meets them; they are no setting of the if's location a later if can replace.
_REWRITE_ACTIONS = frozenset({"set", "rewrite", "break"})


@rule("NGX012")
def if_is_evil(dep, report):
    plain = None  # PlainHttp, made for the first add_header in an `if`

    def harmless(block, name: str):
        """Which entries of the list lose nothing when the `if` replaces them: `X-XSS-Protection: 1; mode=block`
        (no current browser has the filter), and HSTS where the answer goes out over plain HTTP only (browsers
        ignore it there, RFC 6797 8.1)."""
        nonlocal plain
        if name != "add_header":
            return lambda entry: False
        plain = plain or PlainHttp(dep)
        plain_only = plain.only(block)
        return lambda entry: _loses_nothing(entry.args, plain_only)

    late_names = _set_only_by_auth_request(dep) if dep.nodes("auth_request_set") else frozenset()
    for block in dep.nodes("if"):
        if block.parent is None or block.parent.name != "location" or ends_request(block) or _never_reached(block) \
                or _answered_next(block) or _only_sets_and_leaves(block):
            continue
        if any(is_unknown(child.name) for child in block.children or ()):
            continue  # a template writes a directive there, which may well be a `return`
        later_set = _set_after_rewrite(block, late_names)
        if later_set is not None:
            report(block, f"this `if` never holds: {later_set} is set by auth_request_set in the access phase, after "
                   "the rewrite phase has tested it (still empty), so nothing inside the if ever applies", arg=0,
                   help="test the variable where it is set: a map on it, read after the access phase")
            continue
        # an if that hands the request to a content handler of its own (`rewrite … break; proxy_pass …`) means to
        # skip what the location would try: not running its try_files is the point
        lost = None if answers_itself(block) else _not_inherited(block)
        later_ifs = _later_ifs(block)
        later = [other for other in later_ifs if not ends_request(other) and not _leaves(other)]
        answering = next((other for other in later_ifs if ends_request(other)), None)
        reasons: dict[str, list] = {}  # why -> the directives it applies to, in order
        for child in block.children or ():
            if child.name == "rewrite" and len(child.args) >= 2 and child.args[-1] in _ENDING_FLAGS:
                continue  # restarts the location search: nothing of the if's location is used after it
            echo_list = _ECHO_LISTS.get(child.name)
            if lost:
                why = f"{lost} is not inherited by the location nginx makes of an `if`, so it does not run when " \
                      "the condition holds"
            elif echo_list is not None:
                if echo_list not in _echo_lists_around(block):
                    continue  # the module is made for this: its list is inherited apart and replaces nothing here
                why = "its list replaces the one the location sets when the condition holds"
            elif child.name in _ANSWER_HEADERS and answering is not None and not _sets(answering, child.name):
                why = f"a later `if` of the location (line {answering.d.span.line}) answers the request when it " \
                      "matches too, with that if's own headers: what this one adds is not sent"
            elif child.name in _LISTS and _set_around(block, child.name) \
                    and not _set_again(block, child.name, harmless(block, child.name)):
                why = f"it replaces every {child.name} the location inherits or sets when the condition holds"
            elif child.name not in _REWRITE_ACTIONS and any(not _sets(other, child.name) for other in later):
                why = "when a later `if` of the location matches too, that if's settings replace this one's, " \
                      "and this is lost"
            else:
                continue  # inherited like any setting, used only when the condition holds: as the config reads
            reasons.setdefault(why, []).append(child)
        for why, children in reasons.items():  # one finding per if and reason, at its first directive
            names = ", ".join(dict.fromkeys(child.name for child in children))
            report(
                children[0],
                f"{names} inside `if` in a location: the if block is a location of its own; {why}",
                related=[child.location(f"{child.name}, for the same reason") for child in children[1:]],
                help="move the condition into a map and use the variable, or use return/rewrite … last inside the if",
            )


def _set_only_by_auth_request(dep) -> frozenset[str]:
    """The variables `auth_request_set` sets and no `set` or `map` does."""
    others = {n.args[0] for n in dep.nodes("set") if n.args} | {n.args[1] for n in dep.nodes("map") if len(n.args) > 1}
    return frozenset(n.args[0] for n in dep.nodes("auth_request_set") if n.args) - others


def _set_after_rewrite(block, late_names: frozenset[str]) -> str | None:
    """The variable an `if` tests for a value (`($saved != "")`, `($saved)`) when only `auth_request_set` sets it:
    the access phase sets it after the rewrite phase has run the `if`, so the condition never holds (nginx 1.22: an
    `add_header` in such an `if` is never sent, though the variable holds the auth answer's cookie by the end)."""
    if not late_names:
        return None
    condition = if_condition(block)
    if len(condition) == 1 or len(condition) == 3 and condition[1:] == ["!=", ""]:
        return condition[0] if condition[0] in late_names else None
    return None


def _answered_next(block) -> bool:
    """The location's next step after the `if` is a `return`: the request is answered there whether the condition
    holds or not, and the if's settings configure that answer, as if the if returned itself. So it is when a later
    `if` of the location tests the same condition and answers (`if ($logged_in = 0) { set $next 1; }` … `if
    ($logged_in = 0) { return 301 …; }`), and nothing between stops the rewrite module or sets what it tests."""
    siblings = block.parent.children
    after = siblings[siblings.index(block) + 1:]
    step = next((child for child in after if child.name in ("return", "if", "rewrite")), None)
    if step is not None and step.name == "return":
        return True
    tested = {variable.name for arg in block.args for variable in variables(arg)}
    for child in after:
        if child.name == "if" and child.args == block.args and ends_request(child):
            return True
        if _stops_or_sets(child, tested):
            return False
    return False


def _stops_or_sets(node, tested: set[str]) -> bool:
    """The directive (or an `if` around it) may stop the rewrite module before a later `if` runs (`break`,
    `rewrite … break`) or change a variable the condition reads."""
    for child in [node, *(node.children or ())]:
        if child.name == "break" or child.name == "rewrite" and child.args[-1:] == ["break"]:
            return True
        if child.name == "set" and child.args and {variable.name for variable in variables(child.args[0])} & tested:
            return True
    return False


def _never_reached(block) -> bool:
    """The rewrite module stops before the `if` for every URI of its location: a `break` or `return` before it,
    or a `rewrite … break` whose regex takes every such URI (`rewrite ^/customize/(.*)$ $1 break;` in `location
    ^~ /customize/`). The if's location is then never used."""
    location = block.parent
    for child in location.children or ():
        if child is block:
            return False
        if child.name in ("break", "return"):
            return True
        if child.name == "rewrite" and rewrite_takes_every_uri(child, location):
            return True
    return False


def _not_inherited(block) -> str | None:
    """A directive of the if's location that the if's own location does not get, and whose loss changes the
    answer. Only the location's own counts: a nested location does not inherit its parent's try_files, and a
    server's runs only where no location does."""
    values = {node.args[0]: node.args[1] for node in block.find("set")  # what the if sets: `set $fallback =404;`
              if len(node.args) == 2 and "$" not in node.args[1]}
    for child in block.parent.children or ():
        if child.name in _NOT_INHERITED and not _static_serving(child, block.parent, values) \
                and not _tried_file_exists(block, child):
            return child.name
    return None


# Operands of `-f` that name the file `$uri` maps to under `root`.
_URI_FILES = frozenset({"$request_filename", "$document_root$uri"})


def _tried_file_exists(block, try_files) -> bool:
    """The `if` holds only when the file try_files tries first exists (`if (-f $request_filename)` beside
    `try_files $uri =404`): try_files would have gone on with that file too, so skipping it changes nothing. In a
    location whose regex ends with `\\.php$`, the URI ends with the script, so `$fastcgi_script_name` is all of it."""
    condition = if_condition(block)
    if condition[:1] != ["-f"] or len(condition) != 2 or try_files.args[:1] != ["$uri"]:
        return False
    operand, location = condition[1], block.parent
    return operand in _URI_FILES or operand == "$document_root$fastcgi_script_name" and \
        location.args[:1] in (["~"], ["~*"]) and location.args[-1].lower().endswith("\\.php$")


# File arguments of a try_files that the static and index handlers serve alike without it: the file the URI
# names, or the directory's index page.
_STATIC_FILES = frozenset({"$uri", "$uri/", "$uri/index.html", "$uri/index.htm"})


def _static_serving(try_files, location, values=None) -> bool:
    """The try_files gives what the location's handlers give without it: the URI's file, a directory's index page
    and a 404 (`$uri $uri/ =404`, `$uri $uri/index.html @missing` with `location @missing { return 404; }`). Its
    loss inside an `if` is then invisible. Not so a fallback with logic (`/index.html` of an SPA, `@app`) or a
    URI (`$uri/ $uri` sends every file back to the location, a redirection cycle: 500), nor `$uri =404` alone,
    which answers a directory with 404 where the index handler serves its page."""
    # with the values the if sets (`set $fallback =404;`); a code among the files names a file no root holds
    args = [(values or {}).get(arg, arg) for arg in try_files.args]
    files, fallback = [arg for arg in args[:-1] if not arg.startswith("=")], args[-1] if args else ""
    if not files or not all(arg in _STATIC_FILES for arg in files) or all(arg == "$uri" for arg in files):
        return False
    return fallback == "=404" or fallback.startswith("@") and \
        _answers_404(named_location(location.enclosing("server"), fallback))


def _answers_404(named) -> bool:
    """A named location that only answers 404, as a missing file would (logging aside)."""
    children = [child for child in named.children or () if child.name not in ("access_log", "log_not_found")] \
        if named is not None else []
    return len(children) == 1 and children[0].name == "return" and children[0].args == ["404"]


def _leaves(block) -> bool:
    """The `if` sends every request it takes to another location (`rewrite ^/static/(.*)$ /static.php?r=$1 last;`),
    whose own settings then apply: none of the if's replaces another's."""
    return any(child.name == "rewrite" and rewrite_takes_every_uri(child, block.parent, ("last",))
               for child in block.children or ())


def _only_sets_and_leaves(block) -> bool:
    """`if ($is_api) { set $api 1; rewrite ^ /api$uri last; }`: the request goes on to another location with the
    variables set (they belong to the request), and nothing of the if's own location is used."""
    return _leaves(block) and all(child.name in ("set", "rewrite") for child in block.children or ())


def _later_ifs(block) -> list:
    siblings = block.parent.children or ()
    return [n for n in siblings[siblings.index(block) + 1:] if n.name == "if" and not _exclusive(n, block)]


def _exclusive(one, other) -> bool:
    """The two conditions never hold together: the same variable compared with two different strings, or one
    condition and its negation (`($content_type = application/grpc)`, `($content_type != application/grpc)`)."""
    first, second = equality_condition(one), equality_condition(other)
    if first is not None and second is not None:
        return first[0] == second[0] and first[1] != second[1]
    first, second = if_condition(one), if_condition(other)
    return len(first) == len(second) and len(first) in (2, 3) and first[-1] == second[-1] \
        and _NEGATED.get(first[-2]) == second[-2] and first[:-2] == second[:-2]


# A condition's operator and the one that negates it (`=`/`!=`, `~`/`!~`, `-f`/`!-f`, …)
_NEGATED = {op: "!" + op for op in ("=", "~", "~*", "-f", "-d", "-e", "-x")}
_NEGATED |= {negated: op for op, negated in _NEGATED.items()}


def _sets(block, name: str) -> bool:
    return any(child.name == name for child in block.children or ())


def _set_around(block, name: str) -> bool:
    """The list is set elsewhere for the requests the `if` serves: its location (other ifs included) or above."""
    for child in block.parent.children or ():
        if child is not block and (child.name == name or child.name == "if" and _sets(child, name)
                                   and not _exclusive(child, block) and not ends_request(child)):
            return True
    return any(_sets(outer, name) for outer in block.parent.ancestors())


# Lists whose entries are keyed by their first argument (a header's or a parameter's name).
_KEYED_LISTS = frozenset({"add_header", "add_trailer", "proxy_set_header", "grpc_set_header", "fastcgi_param",
                          "uwsgi_param", "scgi_param"})


_HOST_POLICY = frozenset({"strict-transport-security"})


def _set_again(block, name: str, harmless) -> bool:
    """The `if` sets again every entry of the keyed list it replaces (`add_header Strict-Transport-Security` in
    each CORS `if`, as the config's authors do on purpose), but those whose loss changes nothing (`harmless`): the
    replacement loses nothing."""
    if name not in _KEYED_LISTS:
        return False
    location = block.parent
    around = list(location.find(name))
    for child in location.find("if"):
        if child is not block and not _exclusive(child, block) and not ends_request(child):
            around += child.find(name)
    if not location.find(name):  # a location that sets none inherits the nearest level's list
        around += next((found for outer in location.ancestors() if (found := outer.find(name))), [])
    return _keys(entry for entry in around if not harmless(entry)) <= _keys(block.find(name))


def _keys(entries) -> set:
    return {entry.args[0].lower() for entry in entries if entry.args}


def _loses_nothing(args: list[str], plain_only: bool) -> bool:
    """An `add_header` whose loss changes nothing a browser does: `X-XSS-Protection` that keeps the old filter on,
    which no current browser has; HSTS on an answer that goes out over plain HTTP only."""
    key = args[0].lower() if args else ""
    return key == "x-xss-protection" and len(args) > 1 and not xss_filter_off(args[1]) \
        or plain_only and key in _HOST_POLICY


def _echo_lists_around(block) -> set:
    """The echo lists set elsewhere for the requests an `if` serves: in its location (other ifs included) and
    the locations around it."""
    found = set()
    location = block.parent
    for child in location.children or ():
        if child is not block:
            inside = child.children or () if child.name == "if" else ()
            found.update(_ECHO_LISTS.get(n.name) for n in (child, *inside))
    for outer in location.ancestors():
        if outer.name == "location":
            found.update(_ECHO_LISTS.get(n.name) for n in outer.children or ())
    return found


# -- NGX013 try-files-is-evil-too ------------------------------------------------------------------------------

@rule("NGX013")
def try_files_is_evil_too(dep, report):
    nodes = dep.nodes("try_files")
    if not nodes:
        return
    cache = nearest(dep, "open_file_cache")
    for node in nodes:
        found = value_at(cache, node.parent)
        if found is None and not (dep.is_main and dep.complete):
            continue  # it may sit in a file that could not be read, or around the include of this fragment
        if found is None or found.args[:1] == ["off"]:
            state = "is off here" if found is not None else "is not set here"
            report(
                node,
                f"try_files checks the filesystem for every request and open_file_cache {state}: each check is a "
                "stat() call",
                help="open_file_cache max=1000 inactive=20s;",
            )


# -- NGX014 hash-without-default -------------------------------------------------------------------------------

# Where an empty value is a documented "off": add_header sends no header, limit_req_zone/limit_conn_zone do not
# count the request, *_cache_bypass/*_no_cache and access_log if= read it as false.
EMPTY_MEANS_OFF = frozenset({
    "add_header", "add_trailer", "limit_req_zone", "limit_conn_zone", "proxy_cache_bypass", "proxy_no_cache",
    "fastcgi_cache_bypass", "fastcgi_no_cache", "uwsgi_cache_bypass", "uwsgi_no_cache", "scgi_cache_bypass",
    "scgi_no_cache", "access_log", "proxy_set_header", "grpc_set_header", "log_format",
})


@rule("NGX014")
def hash_without_default(dep, report):
    blocks = []
    for name in ("map", "geo"):
        for node in dep.nodes(name):
            entries = [c for c in node.children or () if c.name not in ("hostnames", "volatile", "ranges")]
            if any(c.name == "default" for c in entries):
                continue
            if any(c.name == "include" for c in entries) and not dep.complete:
                continue
            values = [c for c in entries if c.name != "include"]
            if not values or (name == "map" and len(values) <= 1):
                continue  # one entry: "this value, else nothing" is the usual idiom
            blocks.append(node)
    if not blocks:
        return
    names = {n.args[-1].lstrip("$").lower() for n in blocks if n.args}
    sources = {n.args[0].lstrip("$").lower() for n in blocks if n.name == "map" and len(n.args) == 2}
    seen = _variable_uses(dep, names, sources)
    for node in blocks:
        variable = node.args[-1] if node.args else ""
        used_in = seen.uses.get(variable.lstrip("$").lower(), set())
        if not used_in and seen.open:
            continue  # no use in view, and the config leaves room for one: what an empty value does is unknown
        if used_in and used_in <= EMPTY_MEANS_OFF:
            continue  # every use reads the empty string as "off": the missing default is the idiom
        if node.name == "map" and _covers_every_value(node, seen.setters):
            continue
        report(
            node,
            f"{node.name} has no default: every value that matches no entry sets {variable} to an empty string",
            arg=len(node.args) - 1 if node.args else None,
            help="default <value>;  (as the block's first entry)",
        )


class _Seen:
    """What one walk of the tree found: {variable: names of the directives that use it}, {variable: the
    directives that set it}, and whether uses may lie out of sight."""

    def __init__(self):
        self.uses: dict[str, set] = {}
        self.setters: dict[str, list] = {}
        self.open = False


def _variable_uses(dep, names: set, sources: set) -> _Seen:
    """Uses of `names` and setters of `sources`, in one walk. The picture is open when a use could lie out of
    sight: in a fragment, a file that could not be read, a glob include (the place a deployment drops its
    servers), or Lua (which reads ngx.var)."""
    seen = _Seen()
    seen.open = not (dep.is_main and dep.complete)
    for node in dep.walk():
        defining = len(node.args) - 1 if node.name in ("map", "geo") else -1
        setter = node.args[defining] if defining >= 0 else node.args[0] if SETTER.match(node.name) and node.args else ""
        if setter.startswith("$") and setter[1:].lower() in sources:
            seen.setters.setdefault(setter[1:].lower(), []).append(node)
        if "by_lua" in node.name:
            seen.open = True  # Lua reads variables as ngx.var.NAME, in blocks and files alike
        if node.d.lua is not None:
            continue
        if node.name == "include" and node.args and GLOB_CHARS.intersection(node.args[0]):
            seen.open = True
        for index, arg in enumerate(node.args):
            if "$" in arg and index != defining:
                for var in variables(arg):
                    if var.name in names:
                        seen.uses.setdefault(var.name, set()).add(node.name)
    return seen


def _covers_every_value(node, setters: dict) -> bool:
    """The map has an entry for every value its source can take: a variable set only by set-misc's
    `set_random $v FROM TO`, a random integer from FROM to TO (both included, either order)."""
    if len(node.args) != 2 or not node.args[0].startswith("$") or node.find("hostnames"):
        return False
    found = setters.get(node.args[0][1:].lower())
    if not found:
        return False
    values: set[str] = set()
    for setter in found:
        if setter.name != "set_random" or len(setter.args) != 3:
            return False
        bounds = parse_uint(setter.args[1]), parse_uint(setter.args[2])
        if None in bounds or abs(bounds[0] - bounds[1]) > 1024:
            return False
        low, high = sorted(bounds)  # set_random swaps bounds given in the wrong order
        values.update(str(n) for n in range(low, high + 1))
    return values <= {entry.name for entry in node.children or ()}


# -- NGX015 default-server-flag --------------------------------------------------------------------------------

@rule("NGX015")
def default_server_flag(dep, report):
    if not (dep.is_main and dep.complete):
        return  # another file of the deployment may hold the default_server
    sockets: dict = {}
    for server in dep.nodes("server"):
        module = server.ctx[-1:]
        if server.children is None or module not in (("http",), ("stream",)):
            continue
        listens = server.find("listen")
        if not listens and module == ("http",):
            sockets.setdefault(("http", "tcp", None, 80), {}).setdefault(server, (server, False))
            continue
        for listen in listens:
            key = _socket(listen.args, stream=module == ("stream",))
            if key is None:
                continue
            default = any(a in ("default_server", "default") for a in listen.args[1:])
            seen = sockets.setdefault((module[0], *key), {})
            if server not in seen or default:
                seen[server] = (listen, default)
    for key, servers in sockets.items():
        if len(servers) < 2 or any(default for _, default in servers.values()):
            continue
        if len({id(server.file) for server in servers}) == 1:
            continue  # one file: its first server is the default, in an order no include can change
        first, _ = next(iter(servers.values()))
        module, proto, address, port = key
        where = f"{address or '*'}:{port}{'' if proto == 'tcp' else ' (quic)' if module == 'http' else ' (udp)'}"
        if module == "http":
            message = (f"{len(servers)} servers listen on {where} and none is marked default_server: requests with "
                       "an unknown Host go to the first one defined, which changes when files are reordered")
        else:  # stream servers share a socket since nginx 1.25.5; earlier releases refuse it
            message = (f"{len(servers)} stream servers listen on {where} and none is marked default_server: "
                       "connections whose name matches no server_name go to the first one defined (nginx before "
                       "1.25.5 refuses the shared socket)")
        report(first, message, arg=0 if first.name == "listen" else None,
               help="add default_server to the listen of the server meant to answer unknown hosts")


def _socket(args, stream: bool = False):
    """(protocol, address or None for all, port) of a listen; None for unix sockets and what cannot be read."""
    if not args or args[0].startswith("unix:"):
        return None
    proto = "udp" if ("udp" if stream else "quic") in args[1:] else "tcp"
    text = args[0]
    if text.startswith("["):
        close = text.find("]")
        address, rest = text[1:close], text[close + 1:]
        port = rest[1:] if rest.startswith(":") else "80"
        try:
            normal = ipaddress.ip_address(address)
        except ValueError:
            return None
        return proto, "[" + str(normal) + "]", _port(port)  # [::] is its own socket, apart from *:80
    if ":" in text:
        address, port = text.rsplit(":", 1)
    elif text.isdigit():
        address, port = "*", text
    else:
        address, port = text, "80"
    if address in ("*", "0.0.0.0"):
        address = None
    number = _port(port)
    return None if number is None else (proto, address, number)


def _port(text):
    return parse_uint(text)


# -- NGX016 mixed-case-variable --------------------------------------------------------------------------------

_REGEX_ARG = {"rewrite": (0,), "location": (0, 1)}


@rule("NGX016")
def mixed_case_variable(dep, report):
    first: dict = {}
    found: dict[str, list] = {}  # argument -> its variables: a large config repeats the same few values
    for node in dep.walk():
        for arg in node.args:
            if "$" in arg:
                break
        else:
            continue  # no variable: most directives, and the cheapest way to pass them
        d = node.d
        if d.lua is not None:
            continue
        args = d.args
        skip = _REGEX_ARG.get(d.name, ())
        if d.name == "if" and len(args) >= 3 and args[1] in REGEX_OPERATORS:
            skip = (2,)  # the regex, whose "$" ends a line
        for index, arg in enumerate(args):
            if index in skip or "$" not in arg:
                continue
            written = found.get(arg)
            if written is None:
                written = found[arg] = list(variables(arg))
            for var in written:
                if var.name.isdigit():
                    continue
                seen = first.setdefault(var.name, (var.written, node))
                if seen[0] != var.written:
                    report(
                        node,
                        f"${var.written} is ${seen[0]} written in another case: nginx ignores case in variable "
                        "names, so both are one variable; one spelling keeps that visible",
                        arg=index,
                        related=[seen[1].location(f"${seen[0]} first written here")],
                        help=f"${seen[0]}",
                    )


# -- NGX017 error-log-off --------------------------------------------------------------------------------------

def _unused_by_servers(dep, node) -> bool:
    """An http or stream block's error_log that every server of the block replaces with its own: requests are
    logged by their server's (nginx opens the file, which stays empty). A block with an include nginxlint could not
    read, or a glob outside the repository may fill, may hold a server that uses it."""
    block = node.parent
    if block is None or block.name not in ("http", "stream") or id(block) in dep.unread_include_ids() \
            or block.name == "http" and not dep.http_includes_read:
        return False
    servers = [server for server in dep.nodes("server") if server.parent is block]
    return bool(servers) and all(server.find("error_log") for server in servers)


@rule("NGX017")
def error_log_off(dep, report):
    for node in dep.nodes("error_log"):
        if node.args[:1] in (["off"], ["on"]) and not _unused_by_servers(dep, node):
            switch = node.args[0]
            report(
                node,
                f'error_log {switch} is no switch: nginx writes the errors to a file named "{switch}" under its prefix',
                arg=0,
                help="error_log /dev/null crit;  (or keep the errors: error_log stderr;)",
            )
    for node in dep.nodes("access_log"):
        if node.args[:1] == ["on"]:  # `off` is access_log's switch; `on` is not
            report(node, 'access_log on is no switch: nginx writes the log to a file named "on" under its prefix',
                   arg=0, help="access_log /dev/stdout;  (or a file of your choice, or the default: remove the line)")


# -- NGX037 repeated-proxy-header ----------------------------------------------------------------------------------

_SET_HEADER = ("proxy_set_header", "grpc_set_header")


@rule("NGX037")
def repeated_proxy_header(dep, report):
    """A header set twice in one block is sent twice: nginx adds each line's header to the request, it does not let
    the second replace the first. A line with an empty value sends no header. Not judged in a template that may
    render either line alone (its conditional branches)."""
    masked = dep.loader.masked
    twice_included = set()
    for name in _SET_HEADER:
        seen: dict[tuple[int, str], object] = {}
        for node in dep.nodes(name):
            if len(node.args) < 2 or node.args[1] == "" or is_unknown(node.args[0]):
                continue
            template = masked.get(node.d.file.display)
            if template is not None and template.hides_directives:
                continue
            first = seen.setdefault((id(node.parent), node.args[0].lower()), node)
            if first is node:
                continue
            if first.d is node.d:  # one file included twice into the block: the second include is the mistake
                include = next((inc for inc in reversed(node.via) if inc not in first.via), None)
                if include is not None and include not in twice_included \
                        and not _repeats_a_unique_directive(node):
                    twice_included.add(include)
                    report.at(include.file.display, include.span,
                              f"{node.d.file.display} is included a second time in this block (first on line "
                              f"{first.via[-1].span.line}): nginx sends each header its {name} lines set twice; "
                              "remove one include", related=[first.location("set here first")])
                continue
            header = node.args[0]
            what = ("a server that follows RFC 9112 refuses a request with two Host headers (nginx and Go answer "
                    "400)" if header.lower() == "host" else "the upstream may read either")
            report(node, f'{name} {header} is already set in this block (line {first.d.span.line}'
                   f'{"" if first.d.file is node.d.file else " of " + first.d.file.display}): nginx sends both '
                   f"headers, it does not replace the first, and {what}; keep one", arg=0,
                   related=[first.location("set here first")])


def _repeats_a_unique_directive(node) -> bool:
    """The file included twice also sets a directive nginx takes once per block (`proxy_http_version`): nginx
    refuses to start, which NGX007 reports."""
    return any(other.d.file is node.d.file and other.name in UNIQUE_DIRECTIVES for other in node.parent.children)


# -- NGX038 two-content-handlers --------------------------------------------------------------------------------------

@rule("NGX038")
def two_content_handlers(dep, report):
    """Two content handlers in one block of http (`uwsgi_pass` then `proxy_pass`): nginx keeps the last, without a
    word, and the other never answers. A Lua content handler with another one is LUA213's; the same directive twice
    is NGX007's. Not judged in a template that may render either line alone."""
    masked = dep.loader.masked
    blocks = {id(node.parent): node.parent for name in CONTENT_HANDLERS for node in dep.nodes(name)
              if node.parent is not None and node.parent.d is not None}
    for block in blocks.values():
        handlers = [child for child in block.children if child.name in CONTENT_HANDLERS]
        last = handlers[-1]
        if last.ctx[:1] == ("stream",) or any(
                (template := masked.get(node.d.file.display)) is not None and template.hides_directives
                for node in handlers):
            continue
        for node in handlers[:-1]:
            if node.name != last.name:
                report(node, f"{node.name} and {last.name} are both content handlers of this {block.name}: nginx "
                       f"keeps the last one ({last.name}) without a word, so {node.name} never answers here; remove "
                       f"it, or move it to a {block.name} of its own",
                       related=[last.location(f"{last.name}, which answers")])
