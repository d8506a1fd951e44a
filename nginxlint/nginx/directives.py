"""What nginx knows about each directive: where it may appear and which arguments it takes.

One check per directive, in the order nginx's ``ngx_conf_handler`` makes them, with nginx's own
messages:

- NGX004 ``unknown directive "foo"``
- NGX005 ``"content_by_lua_block" directive is not allowed here``
- NGX006 ``directive "server" has no opening "{"``, ``directive "gzip" is not terminated by ";"``,
  ``invalid number of arguments in "proxy_pass" directive``,
  ``invalid value "yes" in "gzip" directive, it must be "on" or "off"``

The table is crossplane's (core nginx and NGINX Plus), plus our own rows for what it lacks:
newer core directives (``directives_core``), lua-nginx-module and stream-lua-nginx-module
(``directives_lua``), and third-party modules (``directives_thirdparty``). Each directive maps to a
tuple of masks, one per way it may be used (e.g. ``server`` in ``http``, in ``upstream``, in
``stream``); the context filter picks the usable ones, as nginx does module by module.
"""

from __future__ import annotations

from typing import NamedTuple

from crossplane.analyzer import CONTEXTS as _CONTEXTS
from crossplane.analyzer import DIRECTIVES as _CROSSPLANE_DIRECTIVES

from nginxlint.nginx.directives_core import ARGUMENT_FIXES, CORE_EXTRA
from nginxlint.nginx.directives_lua import LUA_BLOCK_DIRECTIVES, LUA_DIRECTIVES, LUA_PHASE
from nginxlint.nginx.directives_masks import ANY, BLOCK, FLAG, MORE1, MORE2
from nginxlint.nginx.directives_thirdparty import THIRD_PARTY
from nginxlint.nginx.directives_unique import UNIQUE_DIRECTIVES
from nginxlint.nginx.urls import PASS_DIRECTIVES

__all__ = [
    "CONTENT_HANDLERS", "DISTRIBUTION_INCLUDE_FILES", "LUA_BLOCK_DIRECTIVES", "LUA_PHASE", "Problem",
    "STOCK_INCLUDE_FILES", "UNIQUE_DIRECTIVES", "unopened_block",
    "answers_itself", "check_directive", "context_of", "is_content_handler", "holds_directives", "is_known", "known_shape", "likely_typo_of",
    "third_party",
]

# The directives that answer an http location's requests themselves, besides Lua's content handlers (LUA_PHASE):
# a location holding one serves no file of its root through the static module.
CONTENT_HANDLERS = frozenset({
    *PASS_DIRECTIVES, "memcached_pass", "stub_status", "empty_gif", "flv", "mp4", "hls", "echo", "js_content", "perl",
})


def is_content_handler(name: str) -> bool:
    """A directive that sets its location's content handler: one of the table, or a Lua content handler."""
    return name in CONTENT_HANDLERS or LUA_PHASE.get(name) == "content"


def answers_itself(block) -> bool:
    """The block holds a directive that answers its requests: a content handler (`is_content_handler`), or any
    module's `*_pass` (a third party's `redis_pass` too)."""
    return any(is_content_handler(child.name) or child.name.endswith("_pass") for child in block.children or ())


UNKNOWN = "NGX004"
NOT_ALLOWED = "NGX005"
INVALID_ARGUMENTS = "NGX006"

#: Files every nginx package installs next to nginx.conf, so ``include mime.types;`` works
#: even when a project does not carry its own copy.
STOCK_INCLUDE_FILES = frozenset({
    "mime.types", "fastcgi_params", "fastcgi.conf", "scgi_params", "uwsgi_params",
    "koi-utf", "koi-win", "win-utf",
})

#: Files only Debian's and Ubuntu's nginx packages install beside nginx.conf: a config written for them includes
#: them, and they are missing only from an image known to hold no such package (the official nginx image).
DISTRIBUTION_INCLUDE_FILES = frozenset({"snippets/fastcgi-php.conf", "snippets/snakeoil.conf", "proxy_params"})


class Problem(NamedTuple):
    code: str
    message: str
    arg_index: int | None  # the argument to point at; None points at the directive name


def _build_table() -> dict[str, tuple[int, ...]]:
    # Start from crossplane's dict (not a copy of its content) and add our rows' masks.
    table = {name: tuple(masks) for name, masks in _CROSSPLANE_DIRECTIVES.items()}
    for name, argument_bits in ARGUMENT_FIXES.items():
        table[name] = tuple(mask & ~_ARGUMENT_BITS | argument_bits for mask in table[name])
    for extra in (CORE_EXTRA, LUA_DIRECTIVES, THIRD_PARTY):
        for name, masks in extra.items():
            table[name] = table.get(name, ()) + masks
    return table


_TAKE_BITS = 0xFF  # NOARGS, TAKE1 .. TAKE7: bit n set means "n arguments"
_ARGUMENT_BITS = 0x1FFF  # NOARGS .. TAKE7, BLOCK, FLAG, ANY, 1MORE, 2MORE
_SPECIAL_ARGUMENTS = FLAG | ANY | MORE1 | MORE2
_TABLE = _build_table()


def is_known(name: str) -> bool:
    return name in _TABLE


def known_shape(name: str, is_block: bool) -> bool:
    """A directive nginx knows, written as nginx takes it: with a block or without (BIRD's `protocol device { }` is
    not the mail module's `protocol smtp;`)."""
    return any(bool(mask & BLOCK) == is_block for mask in _TABLE.get(name, ()))


def unopened_block(d, ctx: tuple[str, ...]) -> bool:
    """The directive takes a block in this context and is written without one (`server` ended by the `;` of the line
    after it): nginx stops at it ("has no opening {")."""
    if d.block is not None or d.lua is not None:
        return False
    problem = check_directive(d.name, d.args, ctx, False)
    return problem is not None and problem.message.endswith('has no opening "{"')


def takes_a_list(name: str, ctx: tuple[str, ...]) -> bool:
    """The directive takes any number of arguments here (`gzip_types`, `index`; not `proxy_set_header`):
    a word too many is no error nginx reports."""
    masks = _usable(ctx).get(name, ())
    return bool(masks) and all(map(_a_list, masks))


def may_take_a_list(name: str) -> bool:
    """In some context the directive takes any number of arguments."""
    return any(map(_a_list, _TABLE.get(name, ())))


def _a_list(mask: int) -> bool:
    return bool(mask & (ANY | MORE1 | MORE2)) and not mask & BLOCK


def swallowed_directive(d, ctx: tuple[str, ...]) -> int | None:
    """The index of the first argument of `d` that starts a line and names a directive of the context, in a
    directive taking any number of arguments: the `;` before it is missing, and nginx reads that directive and what
    follows as more arguments (NGX033). None when no such word is there."""
    if len(d.args) < 2 or d.block is not None or d.lua is not None or d.on_one_line() or not takes_a_list(d.name, ctx):
        return None
    from .templates import is_unknown  # the template model, only for a directive written over several lines

    quoted = d.quoted
    return next((index for index, arg in enumerate(d.args)
                 if index > 0 and not quoted[index] and arg != d.name and d.starts_a_line(index)
                 and usable_in(arg, ctx) and not is_unknown(arg)), None)


def usable_in(name: str, ctx: tuple[str, ...]) -> bool:
    """A directive nginx takes in this context, written without a block."""
    return any(not mask & BLOCK for mask in _usable(ctx).get(name, ()))


def _usable(ctx: tuple[str, ...]) -> dict[str, tuple[int, ...]]:
    usable_here = _USABLE.get(ctx)
    if usable_here is None:
        usable_here = _USABLE[ctx] = _usable_in(_CONTEXTS[ctx]) if ctx in _CONTEXTS else {}
    return usable_here


def likely_typo_of(name: str, extra=()) -> str | None:
    """The known directive `name` is most likely a misspelling of: one or two edits away (a letter added, dropped,
    changed, or two letters swapped), one edit for names under eight letters; None when no name is that close."""
    limit = 1 if len(name) < 8 else 2
    best = None
    for known in sorted({*_TABLE, *extra}):
        if abs(len(known) - len(name)) > limit or known == name:
            continue
        distance = _edit_distance(name, known, limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, known)
    return best[1] if best else None


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance between a and b, stopping early once it exceeds `limit`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def holds_directives(ctx: tuple[str, ...]) -> bool:
    """Whether a block of context `ctx` holds directives (not the entries of `map`, `types`, `geo`...)."""
    return ctx == () or ctx in _CONTEXTS


def third_party(name: str) -> bool:
    """A directive of a common third-party module (which may also be built into an older nginx)."""
    return name in THIRD_PARTY


def context_of(parent_ctx: tuple[str, ...], block_name: str) -> tuple[str, ...]:
    """The context inside ``block_name { }`` opened in ``parent_ctx`` (like crossplane).

    Locations nest, but nginx checks a nested location like any other: it is ``('http', 'location')``.
    """
    if block_name == "location" and parent_ctx and parent_ctx[0] == "http":
        return ("http", "location")
    return parent_ctx + (block_name,)


def check_directive(
    name: str,
    args: list[str],
    ctx: tuple[str, ...],
    is_block: bool,
    extra: frozenset[str] = frozenset(),
) -> Problem | None:
    """The first problem nginx would report for this directive, or None.

    ``ctx`` is the enclosing context (see ``context_of``). Entries of free-form blocks (``map``,
    ``types``, ``geo``, unknown blocks, ...) are not directives: their contexts are not checked.
    ``extra`` names directives the user declares as known (modules we have no table for).
    """
    fits = (name, ctx, is_block, len(args))
    if fits in _FITS:
        return None
    if ctx not in _CONTEXTS:
        return None
    masks = _usable(ctx).get(name)
    if masks:
        n_args = len(args)
        for mask in masks:
            # the common case inline: a fixed argument count, block or not as expected
            if not mask & _SPECIAL_ARGUMENTS and (mask & BLOCK != 0) == is_block:
                if n_args <= 7 and mask >> n_args & 1:
                    _FITS.add(fits)  # whatever the words: the count alone decided
                    return None
            elif _accepts(mask, args, is_block):
                if not mask & FLAG:  # (a flag's value decides; the other masks count the words)
                    _FITS.add(fits)
                return None
        if name in extra:
            return None
        # Several masks may fit the context; like nginx, report what the first one expects.
        return _argument_problem(name, masks[0], args, is_block)
    if name in extra:
        return None
    if masks is None:
        return Problem(UNKNOWN, f'unknown directive "{name}"', None)
    return Problem(NOT_ALLOWED, f'"{name}" directive is not allowed here', None)


# context -> {name: masks usable there}; filled on first use of each context (14 at most).
_USABLE: dict[tuple[str, ...], dict[str, tuple[int, ...]]] = {}
# (name, context, is_block, argument count) that a mask accepts whatever the arguments say (every mask but a flag
# counts the words only): a large config repeats the same few shapes of directive thousands of times.
_FITS: set[tuple] = set()


def _usable_in(ctx_mask: int) -> dict[str, tuple[int, ...]]:
    return {name: tuple(m for m in masks if m & ctx_mask) for name, masks in _TABLE.items()}


def _accepts(mask: int, args: list[str], is_block: bool) -> bool:
    if bool(mask & BLOCK) != is_block:
        return False
    n_args = len(args)
    if mask & ANY:
        return True
    if mask & FLAG:
        return n_args == 1 and args[0].lower() in ("on", "off")
    if mask & MORE1:
        return n_args >= 1
    if mask & MORE2:
        return n_args >= 2
    return n_args <= 7 and bool(mask >> n_args & 1)


def _argument_problem(name: str, mask: int, args: list[str], is_block: bool) -> Problem:
    if is_block and not mask & BLOCK:
        return Problem(INVALID_ARGUMENTS, f'directive "{name}" is not terminated by ";"', None)
    if mask & BLOCK and not is_block:
        return Problem(INVALID_ARGUMENTS, f'directive "{name}" has no opening "{{"', None)
    n_args = len(args)
    if mask & FLAG and n_args == 1:
        return Problem(
            INVALID_ARGUMENTS,
            f'invalid value "{args[0]}" in "{name}" directive, it must be "on" or "off"',
            0,
        )
    most = _most_args(mask)
    return Problem(
        INVALID_ARGUMENTS,
        f'invalid number of arguments in "{name}" directive',
        most if most is not None and n_args > most else None,
    )


def _most_args(mask: int) -> int | None:
    """The largest argument count the mask allows, None when unbounded."""
    if mask & (ANY | MORE1 | MORE2):
        return None
    if mask & FLAG:
        return 1
    return (mask & _TAKE_BITS).bit_length() - 1
