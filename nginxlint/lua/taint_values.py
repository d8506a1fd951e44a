"""Taint values and what they become: unions, path steps, sanitisers, and where a value sits in a string.

A taint is a tuple of nginxlint.lua.taint_model.Tainted (None or () when clean). Where a tainted value sits in a
concatenation decides what it can still do: after a fixed "https://host/" it no longer chooses the site a
redirect goes to; after a directory $uri (normalised by nginx) no longer leaves it.
"""
from __future__ import annotations

import re

from .taint_model import BROWSER_ENCODED, ROOTED, UNDER_DIRECTORY, External, Param, Source, Step, Tainted, confined

MAX_ORIGINS = 4  # distinct origins kept per value: enough to name one source, bounded for long concatenations
MAX_STEPS = 8  # path steps kept per value (the last ones: nearest the sink)
EMPTY = frozenset()
# Escapes that accept almost any character: \S \W \D ... (PCRE), %S %W ... (Lua patterns)
_LOOSE_ESCAPES = frozenset("SWDHVNCXR")
_LOOSE_LUA_CLASSES = frozenset("SWDACPLUX")
_FORMAT_SPEC = re.compile(r"%[-+ #0]*\d*(?:\.\d+)?([a-zA-Z%])")
_ORIGIN = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]+$")  # "https://host": a path may follow
_PATH_START = re.compile(r"/[^/\\]")  # a path's first segment, not "//host" (nor "://host")
_SAFE_REDIRECT_PREFIX = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]+/|/[^/\\])")

CLEAN = (None, None)  # an expression's (value, taint) when nothing is known of it


def union(a, b):
    """Both taints, each origin once (the first path to it) for each set of sinks it is safe for (a capture or an
    escaped copy of a value can sit beside the value itself), at most MAX_ORIGINS."""
    if not a:
        return b or None
    if not b:
        return a
    seen = {(t.origin, t.safe, t.field) for t in a}
    extra = tuple(t for t in b if (t.origin, t.safe, t.field) not in seen)
    return (a + extra)[:MAX_ORIGINS] if extra else a


def with_step(taint, step: Step):
    """The taint one step further along its path."""
    return tuple(t._replace(steps=(t.steps + (step,))[-MAX_STEPS:]) for t in taint)


def made_safe(taint, kinds):
    """The taint after a sanitiser for the sink kinds `kinds`."""
    return tuple(Tainted(t.origin, t.steps, t.safe | kinds) for t in taint)


def decoded(taint):
    """The taint of a decoded copy of the value: what the browser's percent-encoding kept out is back."""
    return tuple(t._replace(safe=t.safe - BROWSER_ENCODED) for t in taint) if taint else taint


def concat(parts):
    """The string `a .. b .. c` (or string.format's result): its value when every part is a constant, and the
    taint of each part, made safe for what its place in the string prevents."""
    taint = None
    prefix = ""  # the constant text so far, while every part before is a constant
    previous = None  # the constant just before, if any
    settled = False  # whether the URL's scheme and host are behind us: a redirect goes where they say
    after_value = False  # the part before is a value the request does not choose (a base URL from the environment)
    host_value = False  # that value comes right after a scheme: it is the host (`"http://" .. res.host`)
    for index, (value, part_taint) in enumerate(parts):
        literal = value[1] if value is not None and value[0] == "str" else None
        # `base_url .. "/realms/" .. x`: a path starts after what the code chose, so x is past the host; after a
        # host the code chose (`"http://" .. host .. "/" .. x`), a lone "/" starts the path too
        settled = settled or (after_value and literal is not None and (
            bool(_PATH_START.match(literal)) or host_value and literal.startswith("/")))
        host_value = literal is None and not part_taint and previous is not None and previous.endswith("://")
        after_value = literal is None and not part_taint
        if part_taint:
            following = parts[index + 1][0] if index + 1 < len(parts) else None
            part_taint = _in_single_quotes(part_taint, previous, following[1] if following is not None
                                           and following[0] == "str" else None)
            if index:
                part_taint = _after(prefix, previous, settled, part_taint)
                settled = settled or all(_settles(t) for t in part_taint)
            taint = union(taint, part_taint)
        if literal is None:
            prefix = None
        else:
            if prefix is not None:
                prefix = prefix + literal if len(prefix) < 512 else None
                settled = settled or (prefix is not None and bool(_SAFE_REDIRECT_PREFIX.match(prefix)))
            # a query or a fragment follows: a value after it is no part of the URL's host or path
            settled = settled or "?" in literal or "#" in literal or (index > 0 and "&" in literal)
        previous = literal
    return (("str", prefix) if prefix is not None else None), taint


# What a fixed start of a URI keeps a value from choosing: the site a redirect goes to, and the location a
# subrequest reaches (beyond a fixed "/backend/" the value picks a path under it, as proxy_pass would).
_PLACED = frozenset(("redirect", "subrequest", "ssrf"))


def _settles(t) -> bool:
    """Whether what follows this value is past the URL's host: after a $uri placed as a path, or after a value
    that is reported itself. A value made safe for a redirect (escaped, a regex capture) may be empty: what follows
    it can still start the URL."""
    return ("redirect" in t.safe) if _rooted(t) else ("redirect" not in t.safe)


def _rooted(t) -> bool:
    return type(t.origin) is Source and t.origin.what in ROOTED


def _after(prefix, previous, settled, taint):
    """What a value placed after something else is safe for. After "https://host/", "/dir", a `?` or a path, a
    redirect stays where they point; after any directory (a constant, a setting, a parameter: what the request
    chooses there is reported by itself) $uri, $request_uri and the Host header stay in it (taint_model.CONFINED);
    and $uri (which starts with `/`) after anything but a scheme or a lone `/` is the path of a URL whose host
    comes before it."""
    kinds = set(_PLACED) if settled or (prefix is not None and _SAFE_REDIRECT_PREFIX.match(prefix)) else set()
    out = []
    for t in taint:
        extra = kinds
        what = t.origin.what if type(t.origin) is Source else None
        if prefix != "" and what is None:
            extra = extra | {UNDER_DIRECTORY}  # a parameter: confined or not once the caller's value is known
        elif what is not None and confined(t.origin) and prefix != "":
            extra = extra | {"path"}
        if what in ROOTED and (_ORIGIN.match(prefix) if prefix is not None
                               else not (previous is not None and previous.endswith((":", "/")))):
            extra = extra | _PLACED
        out.append(Tainted(t.origin, t.steps, t.safe | extra) if extra else t._replace(field=None))
    return tuple(out)


def gsub_taint(subject, args):
    """s:gsub(pattern, replacement): the subject and the replacement. A literal pattern replacing both `<` and `>`
    is an HTML escape: what it returns is safe in a page. One replacing a single quote with quote, backslash, quote,
    quote (or with `'"'"'`) is the shell's quoting of a quote: between single quotes (_in_single_quotes), what it
    returns is one word of a command."""
    taint = union(subject, args[1][1] if len(args) > 1 else None)
    pattern = args[0][0]
    if taint and pattern is not None and pattern[0] == "str" and "<" in pattern[1] and ">" in pattern[1]:
        taint = made_safe(taint, _HTML_ESCAPED)
    replacement = args[1][0] if len(args) > 1 else None
    if taint and pattern == ("str", "'") and replacement in (("str", "'\\''"), ("str", "'\"'\"'")):
        taint = made_safe(taint, _QUOTE_ESCAPED)
    return taint


_HTML_ESCAPED = frozenset(("xss",))
_QUOTE_ESCAPED = frozenset(("quote-escaped",))  # no sink kind: what _in_single_quotes turns into "command"
_SHELL_WORD = frozenset(("command",))


def _in_single_quotes(taint, before, after):
    """A value whose single quotes are escaped for the shell, written between single quotes: the shell reads it as
    one word, whatever it holds."""
    if before is None or after is None or not before.endswith("'") or not after.startswith("'"):
        return taint
    return tuple(Tainted(t.origin, t.steps, t.safe | _SHELL_WORD) if "quote-escaped" in t.safe else t for t in taint)


def format_taint(template, args):
    """string.format's result: the arguments formatted with %s/%q placed as in a concatenation (numbers from
    %d, %x, ... carry nothing)."""
    if template is None:
        taint = None
        for _, arg_taint in args:
            taint = union(taint, arg_taint)
        return taint
    parts = []
    position = 0
    index = 0
    for match in _FORMAT_SPEC.finditer(template):
        if match.group(1) == "%":
            continue
        parts.append((("str", template[position:match.start()]), None))
        position = match.end()
        if index < len(args):
            value, taint = args[index]
            parts.append((value, taint) if match.group(1) in "sqa" else CLEAN)
        index += 1
    parts.append((("str", template[position:]), None))
    return concat(parts)[1]


def accepts_anything(pattern: str) -> bool:
    """Whether a regex (PCRE or Lua) has a part matching nearly any character: `.` outside a class, a negated
    class, or an escape like \\S or %S. Such a check lets `;`, `/` or a quote through."""
    in_class = False
    i, end = 0, len(pattern)
    while i < end:
        char = pattern[i]
        if char in "\\%" and i + 1 < end:
            following = pattern[i + 1]
            if (char == "\\" and following in _LOOSE_ESCAPES) or (char == "%" and following in _LOOSE_LUA_CLASSES):
                return True
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            if pattern.startswith("^", i + 1):
                return True
            in_class = True
            if pattern.startswith("]", i + 1):  # a leading ] is a member
                i += 1
        elif char == ".":
            return True
        i += 1
    return False


def in_field(taint, key):
    """The taint of a table whose field `key` holds a value with this taint."""
    return tuple(t._replace(field=key) for t in taint) if type(key) is str else untagged(taint)


def untagged(taint):
    """The taint of a value made from this one (a string, an iteration, a decoded copy): in no field of its own."""
    return tuple(t._replace(field=None) if t.field is not None else t for t in taint) if taint else taint


def field_of(taint, key):
    """The taint of `value[key]`: what the table holds in that field (all it holds, for a key nginxlint cannot
    name); a table of named request values gives the one named `key`; what another module's function returns (or
    another handler stores in ngx.ctx) and what a parameter receives give that field of it, once linked."""
    out = []
    for t in taint:
        origin = t.origin
        if t.field is not None:
            if key is None or t.field == key:
                out.append(t._replace(field=None))
            continue
        if type(origin) is Source and origin.name is None and key is not None and origin.api.startswith("ngx.req."):
            t = Tainted(Source(origin.api, origin.what, str(key), origin.span), t.steps, t.safe)
        elif type(origin) in (External, Param) and origin.field is None and type(key) is str:
            t = Tainted(origin._replace(field=key), t.steps, t.safe)
        out.append(t)
    return tuple(out)
