"""Lines of a config that a container's start scripts delete or rewrite before nginx reads it.

A start script often edits the config it ships: `sed -i "/server_names_hash_bucket_size/d" /etc/nginx/nginx.conf`
when a feature brings its own setting, `sed -i "\\|include /etc/nginx/snippets/bots.conf;|d"` when it is off,
`sed -i "s/worker_processes .*/worker_processes $N;/"`. What nginx reads on such a line is not what the repository
holds, so a finding placed on it, or resting on it (the first of two duplicates), is uncertain. The edits are read from the `sed -i` commands of the start scripts
(start_placeholders.start_scripts): a `d` or `c` command with a regex address, and an `s` command whose pattern
matches some text (an `s/^/  /` inserts and changes no directive; an upper-case placeholder token is masked as a
template tag instead). An edit is applied to the configs named as its file's name says (`nginx.conf`,
`sites.available/*.conf` by the name's glob); a pattern made of shell variables says nothing and is left out.
Source: https://www.gnu.org/software/sed/manual/sed.html (addresses, `d`, `c`, `s`, BRE and ERE)
"""
from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass

from ..foreign_regex import compile_foreign
from .startup import read_script

# In a BRE these are literal unless escaped, and special when escaped (GNU): the other way round in Python.
_BRE_SWAPPED = frozenset("(){}+?|")


@dataclass(frozen=True)
class LineEdit:
    """Lines matching `pattern` in the files whose name matches `name` (a glob) are deleted or rewritten."""

    pattern: re.Pattern
    name: str


def sed_line_edits(script: str) -> list[LineEdit]:
    """The line edits of every `sed -i` command of a shell script."""
    edits: list[LineEdit] = []
    for command in read_script(script).commands:
        words = list(command.words)
        start = next((i for i, word in enumerate(words) if posixpath.basename(word) == "sed"), None)
        if start is not None:
            edits += _sed_command(words[start + 1:])
    return edits


def _sed_command(args: list[str]) -> list[LineEdit]:
    """The line edits of one `sed` command given its arguments: none unless it edits in place."""
    scripts, files, in_place, extended = [], [], False, False
    words = iter(args)
    for word in words:
        if word in ("-e", "--expression"):
            scripts.append(next(words, ""))
        elif word in ("-f", "--file", "-l", "--line-length"):
            next(words, None)
        elif word.startswith("--expression="):
            scripts.append(word.split("=", 1)[1])
        elif word.startswith("--in-place"):
            in_place = True
        elif word == "--regexp-extended":
            extended = True
        elif word.startswith("-") and len(word) > 1 and not word.startswith("--"):
            for char in word[1:]:
                if char == "i":  # what follows is the backup suffix: `-i.bak`, and `-ie` is suffix "e"
                    in_place = True
                    break
                extended = extended or char in "Er"
                if char == "e":
                    scripts.append(next(words, ""))
                    break
        elif not scripts:
            scripts.append(word)
        else:
            files.append(word)
    if not in_place:
        return []
    names = [posixpath.basename(f) for f in files if "$" not in posixpath.basename(f)]
    patterns = [pattern for script in scripts for pattern in _edited_patterns(script, extended)]
    return [LineEdit(pattern, name) for pattern in patterns for name in names]


# A regex address, `/re/` or `\cREc`, with its flags and negation, then the command letter.
_ADDRESS = re.compile(r"[\s;]*(?:/((?:[^/\\\n]|\\.)*)/|\\(\S)((?:(?!\2)[^\\]|\\.)*)\2)[IM]*\s*(!?)\s*(\S)")
_SUBSTITUTE = re.compile(r"s(\S)((?:(?!\1)[^\\\n]|\\.)*)\1(?:(?!\1)[^\\\n]|\\.)*\1")
# An upper-case placeholder a start script fills in: masked as a template tag (start_placeholders), not an edit.
_TOKEN = re.compile(r"([{%]|__)?[A-Z][A-Z0-9_]+[A-Z0-9](?(1)[}%]|(?:__)?)")
_NEXT_COMMAND = re.compile(r"[;\n]")


def _edited_patterns(script: str, extended: bool) -> list[re.Pattern]:
    """The regexes of the lines a sed script deletes (`/re/d`), changes (`/re/c …`) or substitutes in (`s/re/…/`),
    read command by command."""
    found, position = [], 0
    while position < len(script):
        while position < len(script) and script[position] in " \t;\n":
            position += 1
        address = _ADDRESS.match(script, position)
        command_at = address.start(5) if address else position
        addressed = address.group(1) if address and address.group(1) is not None else address and address.group(3)
        if address and not address.group(4) and address.group(5) in "dc":
            found.append(addressed)
        substitute = _SUBSTITUTE.match(script, command_at)
        if substitute is not None:
            if not _TOKEN.fullmatch(substitute.group(2)):  # only the addressed lines, when there is an address
                found.append(addressed if address and not address.group(4) else substitute.group(2))
            command_at = substitute.end()
        elif address and address.group(5) == "c":  # its text runs to the end of the line, `;` included
            end = script.find("\n", command_at)
            command_at = len(script) if end < 0 else end
        following = _NEXT_COMMAND.search(script, command_at)
        position = following.end() if following else len(script)
    patterns = []
    for text in found:
        if "$" in text.rstrip("$"):  # a shell variable: which lines is not known here
            continue
        pattern = compile_foreign(text if extended else _from_bre(text))
        if pattern is not None and pattern.fullmatch("") is None:  # `s/^/  /` inserts: it changes no directive
            patterns.append(pattern)
    return patterns


def _from_bre(text: str) -> str:
    """A POSIX basic regex (GNU flavour) as a Python regex."""
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            out.append(following if following in _BRE_SWAPPED else "\\" + following)
            index += 2
            continue
        out.append("\\" + char if char in _BRE_SWAPPED else char)
        index += 1
    return "".join(out)


def edited_lines(text: str, name: str, edits: list[LineEdit]) -> frozenset[int]:
    """The 1-based numbers of the lines of a config called `name` that the edits delete or rewrite."""
    mine = [edit.pattern for edit in edits if fnmatch.fnmatchcase(name, edit.name)]
    if not mine:
        return frozenset()
    return frozenset(number for number, line in enumerate(text.split("\n"), 1)
                     if any(pattern.search(line) for pattern in mine))
