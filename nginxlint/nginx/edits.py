"""Edits to an nginx file built from its parsed directives: replace an argument, add a line, delete a directive.

Each edit touches the exact characters it names and nothing else; a new line takes the indentation of the line
it joins (so a config embedded in a YAML block scalar gets the YAML's indentation too). Every function returns
None where the file's positions are not exact (a config in a folded or escaped YAML scalar, whose directives all
sit at its key): no edit is better than a wrong one.
"""
from __future__ import annotations

from ..findings import Edit, Span

INDENT_STEP = "    "


def _exact(d) -> bool:
    return d is not None and d._index.pinned is None


def _edit(d, start: int, end: int, text: str) -> Edit:
    line, column, end_line, end_column = d._index.exact(start, end)
    return Edit(d.file.display, Span(line, column, end_line, end_column), text)


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def _indent(text: str, offset: int) -> str:
    start = _line_start(text, offset)
    line = text[start:offset]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _alone_after(text: str, offset: int) -> bool:
    """Whether nothing but blanks or a comment follows `offset` on its line."""
    rest = text[offset:_line_end(text, offset)].strip(" \t")
    return not rest or rest.startswith("#")


def _alone_before(text: str, offset: int) -> bool:
    return not text[_line_start(text, offset):offset].strip(" \t")


def replace_arg(d, index: int, text: str) -> Edit | None:
    """Argument `index` of directive `d`, as written (quotes included), becomes `text`."""
    if not _exact(d) or not 0 <= index < len(d.args):
        return None
    return _edit(d, d._offsets[2 + 2 * index], d._offsets[3 + 2 * index], text)


def replace_written(d, index: int, old: str, new: str) -> Edit | None:
    """The first `old` (case-insensitive) in argument `index` as written becomes `new` (a misspelt variable)."""
    if not _exact(d) or not 0 <= index < len(d.args):
        return None
    start, end = d._offsets[2 + 2 * index], d._offsets[3 + 2 * index]
    found = d._index.text[start:end].lower().find(old.lower())
    if found < 0:
        return None
    return _edit(d, start + found, start + found + len(old), new)


def append_to_arg(d, index: int, text: str) -> Edit | None:
    """`text` added at the end of argument `index`'s value (inside its quotes, if it has any)."""
    if not _exact(d) or not 0 <= index < len(d.args):
        return None
    end = d._offsets[3 + 2 * index]
    if d.quoted[index]:
        end -= 1
    return _edit(d, end, end, text)


def move_arg_end(d, index: int, length: int, after: str = "") -> Edit | None:
    """The last `length` characters of quoted argument `index` leave its quotes: dropped, or written as `after`
    behind the closing quote (`'deny always'` -> `'deny' always`)."""
    if not _exact(d) or not 0 <= index < len(d.args) or not d.quoted[index]:
        return None
    end = d._offsets[3 + 2 * index]
    return _edit(d, end - 1 - length, end, d._index.text[end - 1] + after)


def delete_arg(d, index: int) -> Edit | None:
    """Argument `index` removed with the blanks before it (the directive keeps its other arguments)."""
    if not _exact(d) or not 0 <= index < len(d.args):
        return None
    return _edit(d, d._offsets[1 + 2 * index], d._offsets[3 + 2 * index], "")


def replace_args(d, text: str) -> Edit | None:
    """Every argument of `d` becomes `text` (the name, the terminator and what lies around them stay)."""
    if not _exact(d) or not d.args:
        return None
    return _edit(d, d._offsets[2], d._offsets[-2], text)


def replace_directive(d, text: str) -> Edit | None:
    """A simple directive, from its name to its `;` included, becomes `text`."""
    if not _exact(d) or d.block is not None or d.lua is not None:
        return None
    return _edit(d, d._offsets[0], d._offsets[-1] + 1, text)


def _after(d) -> int:
    """The offset just after a directive: after its `;`, or after the `}` of its block."""
    if d.block is not None:
        return d._block_end + 1 if d._block_end >= 0 else -1
    if d.lua is not None:
        return -1  # a Lua block's closing brace is not kept: nothing is added after one
    return d._offsets[-1] + 1


def insert_after(d, line: str) -> Edit | None:
    """`line` (a directive, with its `;`) as a new line after `d`, at `d`'s indentation; on `d`'s own line, after
    it, when something else follows it there."""
    if not _exact(d):
        return None
    text = d._index.text
    after = _after(d)
    if after < 0:
        return None
    if _alone_after(text, after):
        end = _line_end(text, after)
        return _edit(d, end, end, "\n" + _indent(text, d._offsets[0]) + line)
    return _edit(d, after, after, " " + line)


def insert_before(d, line: str) -> Edit | None:
    """`line` as a new line before `d`, at its indentation (on `d`'s line, before it, when `d` does not start it)."""
    if not _exact(d):
        return None
    text = d._index.text
    start = d._offsets[0]
    if _alone_before(text, start):
        begin = _line_start(text, start)
        return _edit(d, begin, begin, _indent(text, start) + line + "\n")
    return _edit(d, start, start, line + " ")


def insert_first(block, line: str) -> Edit | None:
    """`line` as the first directive inside `block` (a directive with a `{...}` block), indented as its other
    directives, else one step deeper than the block."""
    if not _exact(block) or block.block is None or block._block_end < 0:
        return None
    text = block._index.text
    brace = block._offsets[-1]
    if block.block:
        first = block.block[0]
        if not _alone_before(text, first._offsets[0]):
            return _edit(block, brace + 1, brace + 1, " " + line)
        indent = _indent(text, first._offsets[0])
    else:
        outer = _indent(text, block._offsets[0])
        indent = outer + ("\t" if outer.endswith("\t") else INDENT_STEP)
    if not _alone_after(text, brace + 1):
        return _edit(block, brace + 1, brace + 1, " " + line)
    end = _line_end(text, brace + 1)
    return _edit(block, end, end, "\n" + indent + line)


def delete_directive(d) -> Edit | None:
    """Remove a simple directive; its whole line when it stands alone there (a comment after it stays)."""
    if not _exact(d) or d.block is not None or d.lua is not None:
        return None
    text = d._index.text
    start, end = d._offsets[0], d._offsets[-1] + 1
    rest_end = _line_end(text, end)
    rest = text[end:rest_end]
    if _alone_before(text, start) and not rest.strip(" \t"):
        begin = _line_start(text, start)
        return _edit(d, begin, min(rest_end + 1, len(text)), "")
    while end < len(text) and text[end] in " \t" and not rest.strip(" \t").startswith("#"):
        end += 1
    return _edit(d, start, end, "")
