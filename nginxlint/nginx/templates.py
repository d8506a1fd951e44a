"""nginx configs written as templates: which language, and the text with its tags masked, every position kept.

`detect(text, name)` names the template language of a file (or None); `mask(text, language)` returns the text with
every tag replaced by characters of the same count (newlines inside a tag stay newlines), so every directive
after a tag is parsed at its true line and column:

- A tag that renders nothing (`{% if %}`, `{{- end }}`, `<% end %>`, Kong's `> if … then` lines, comments) becomes
  spaces. So does a value tag standing where whole directives go: alone between a `;`, `{`, `}` or the start of
  a line and the end of the line (`{{ include "locations" . | nindent 4 }}`). Such a tag, a loop's opening tag
  and a splice (`{% include "x" %}`) may render directives nginxlint cannot see, and are recorded so ("lines").
- A value tag inside a directive (`listen {{ .Values.port }};`, `server_name ${SERVER_NAME};`) becomes a run of
  UNKNOWN characters: one word to nginx's lexer, and a value rules recognise as unknown (`is_unknown`). A tag
  that renders nothing but sits inside a word (`a{% if x %}b`) becomes UNKNOWN characters too, so the word
  stays one word.
- Conditionals keep every branch, which is what linting wants, except an `else`/`elif` branch whose braces do not
  balance (`{% if %} server { {% else %} server { {% endif %}`): the first branch is kept and that one is blanked,
  so the braces balance as in any one rendering.

nginx's own variables (`$host`, `${request_uri}`) are never template tags; envsubst tags are upper-case names
the config does not define itself in that spelling (`${SERVER_NAME}`, `$PORT`).
"""
from __future__ import annotations

import posixpath
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from ..text import first_of
from .envsubst import ImageTemplates, PositionMap, Rendered, defined_names, render_envsubst
from .placeholders import fill_ins
from .template_tags import (
    BRANCH, CLOSE, EXPR, OPEN, PERCENT_NAME, SCANNERS, STMT, Tag, dotted_tags, envsubst_tags, placeholder_tags,
    shell_tags,
)

__all__ = [
    "UNKNOWN", "ImageTemplates", "Masked", "MaskedRegion", "PositionMap", "Rendered", "defined_names", "detect",
    "display_name", "is_unknown", "mask", "render_envsubst",
]

#: The character a masked value is made of. Legal inside an nginx word, special to no regex, and not found in
#: real configs; `░░░░` in an argument means "a template fills this in, the value is unknown".
UNKNOWN = "\u2591"

LANGUAGES = {
    "helm": "Helm",
    "go": "Go templates",
    "jinja": "Jinja",
    "liquid": "Liquid",
    "erb": "ERB",
    "epp": "Puppet EPP",
    "lua-resty-template": "lua-resty-template",
    "kong": "Kong's nginx template syntax",
    "mako": "Mako",
    "mustache": "Mustache",
    "dotted": "`${name.with.dots}` placeholders (Zimbra's and Carbonio's proxy config generator)",
    "percent": "`%{name}` placeholders (a Python string.Template with `%` as its delimiter)",
    "envsubst": "envsubst",
    "shell": "shell command substitutions (`$(…)`, rendered by a script)",
    "placeholders": "placeholder tokens a script of the repository replaces",
    "fill-ins": "fill-in placeholders to replace before use",
}


def is_unknown(value: str) -> bool:
    """True when a template tag was masked inside this value: its real value is not known."""
    return UNKNOWN in value


def display_name(language: str) -> str:
    return LANGUAGES.get(language, language)


# --- detection ------------------------------------------------------------------------------------------------

# A leading "\n" (the text gets one prepended) instead of ^ with re.M: a literal first character lets the regex
# engine skip ahead, ten times faster on large files.
_KONG = re.compile(
    r"\n[ \t]*>[ \t]*(?:(?:if|elseif)\b[^\n]*\bthen\b|for\b[^\n]*\bdo\b|end\b|else\b)|\$\{\{[A-Z_][A-Z0-9_]*\}\}"
)
_RESTY = re.compile(r"\{\*[^\n]*?\*\}|\{%[ \t]*(?:(?:if|elseif)\b[^\n]*\bthen|for\b[^\n]*\bdo|end)[ \t]*%\}")
_GO = re.compile(r"\{\{-?[ \t]*(?:\.[A-Za-z_$]|\$|/\*|(?:if|else|end|with|define|range|template|include)\b)[^\n]*?\}\}")
# Comments and lazy scans stop after 2,000 characters: a `{#` of Lua code (`{#t}`) never closes, and must not
# make the scan quadratic.
_JINJA_STATEMENT = re.compile(
    r"\{%[-+]?[ \t]*(?:if|for|set|include|block|macro|raw|import|from|extends|endif|endfor|else|elif|with|filter|call|"
    r"assign|unless|case|capture)\b[^\n]*?%\}|\{#[\s\S]{0,2000}?#\}"
)
# `{{ name }}`, `{{ name | filter }}`, `{{ call(NAME) }}`, `{{ "a" if X else "b" }}`: no nginx value holds `{{`
_JINJA_EXPRESSION = re.compile(r"\{\{-?[ \t]*[A-Za-z_\"'(][^{}\n]{0,500}?-?\}\}")
# Mustache's (and Handlebars') own tags: a section `{{#apis}}` … `{{/apis}}`, an inverted one `{{^tls}}`, a value
# left unescaped `{{{API_URL}}}`. Jinja writes none of them.
_MUSTACHE = re.compile(r"\{\{\{[ \t]*[A-Za-z_][\w.]*[ \t]*\}\}\}|\{\{[#^/][ \t]*[A-Za-z_][\w.-]*[ \t]*\}\}")
_LIQUID = re.compile(r"\{%-?[ \t]*(?:assign|unless|elsif|capture|endunless|endcase)\b|\{\{[^{}\n]{0,500}\|[ \t]*\w+:")
_ERB = re.compile(r"<%[=#-]?[\s\S]{0,2000}?%>")
_ANY_TAG = re.compile(r"\{[{%#*]|<%|%\{|\$\{\{|\n[ \t]*[>%]")
# Mako's control lines: `% if enable_debug:` … `% endif`, `% for backend in location.backends:` … `% endfor`.
_MAKO = re.compile(r"\n[ \t]*%[ \t]*(?:(?:if|elif|for|while)\b[^\n]*:[ \t]*(?=\n)|end(?:if|for|while)\b|else[ \t]*:)")
_HELM = re.compile(r"\{\{[^{}]{0,500}?(?:\.Values\b|\.Release\b|\.Chart\b|\binclude\s+\")")
_LUA_BLOCK = re.compile(r"\b\w+_by_lua_block[ \t\n]*\{")
_COMMENT = re.compile(r"#[^\n]*")
# A Liquid or Jinja `{% include "file" %}` splices that file's text in its place when the template is rendered,
# wherever the tag stands (APIcast writes it after a `#`, so that nginx reading the unrendered file skips it).
_TEMPLATE_INCLUDE = re.compile(r"""\{%-?[ \t]*include[ \t]+["']([^"'{}%\n]+)["']""")
_NAME_HINTS = (
    ((".j2", ".jinja", ".jinja2"), "jinja"),
    ((".erb",), "erb"),
    ((".epp",), "epp"),
    ((".tmpl", ".tpl", ".gtpl", ".gotmpl", ".gotemplate"), "go"),
    ((".mustache", ".hbs", ".handlebars"), "mustache"),  # Handlebars writes Mustache's tags, and `{{#if x}}`
    ((".mako",), "mako"),
)


# Names a template of a config is given (`nginx.conf.j2`, `site.conf.tmpl`, `nginx.conf.etlua`): a file named so is
# the input of a renderer, not what nginx reads.
_TEMPLATE_SUFFIXES = (*(suffix for suffixes, _language in _NAME_HINTS for suffix in suffixes), ".etlua")
# A template rendered before nginx starts to the name without the suffix: the nginx image's envsubst step, a start
# script running envsubst or sed on it, or a renderer of the suffix's language (`basics.conf.tpl` -> `basics.conf`).
RENDERED_SUFFIXES = (".template", *_TEMPLATE_SUFFIXES)


def rendered_name(path: str) -> str:
    """The file's name, or the name a template renders (`nginx.conf.template` -> `nginx.conf`, `site.conf.j2` ->
    `site.conf`, `default.template.conf` -> `default.conf`)."""
    name = posixpath.basename(path)
    suffix = next((suffix for suffix in RENDERED_SUFFIXES if name.endswith(suffix) and len(name) > len(suffix)), None)
    if suffix is not None:
        return name[:-len(suffix)]
    stem, dot, extension = name.rpartition(".")
    infix = next((suffix for suffix in RENDERED_SUFFIXES if stem.endswith(suffix) and len(stem) > len(suffix)), None)
    return f"{stem[:-len(infix)]}{dot}{extension}" if infix is not None else name


# The placeholder a project's own renderer replaces in a file named as a template (`__UPSTREAM_IPS__`, filled in by
# a Lua or shell script with gsub or sed): a word of capitals between double underscores.
_DUNDER_PLACEHOLDER = re.compile(r"(?<![\w$])__[A-Z][A-Z0-9_]*__(?!\w)")
# What a template of an nginx config holds whatever its tags: a block nginx opens (`server {`, `location /x {`), not
# a tag that opens there (chrony's `server {{ server }}`, TOML's `location = "{{ item.location }}"`).
_NGINX_BLOCK = re.compile(
    r"^[ \t]*(?:events|http|stream|server|upstream[ \t]+\S+|location[ \t][^{\n]*)[ \t]*\{(?![{%])", re.MULTILINE)


# A part of a file's name that calls it a template (`.template.nginx.conf`, `nginx.template.conf`,
# `site-template.conf`, `nginx_tpl.conf`): the input of a renderer, which may fill in what nginx would reject as it
# stands. Not a last suffix: `default.conf.template` is the official image's envsubst input, and envsubst fills in
# `${NAME}` tags only, never an empty slot.
_TEMPLATE_PART = re.compile(r"(?:^|[._-])(?:template|tmpl|tpl)[._-]", re.IGNORECASE)


def named_as_template(name: str) -> bool:
    return _TEMPLATE_PART.search(name) is not None


def template_name(name: str) -> tuple[str, str] | None:
    """(the name without its template suffix, the suffix) of a file named as a template, or None."""
    lower = name.lower()
    suffix = next((suffix for suffix in _TEMPLATE_SUFFIXES if lower.endswith(suffix)), None)
    return (name[:-len(suffix)], suffix) if suffix and len(name) > len(suffix) else None


def named_placeholders(text: str, name: str) -> frozenset[str]:
    """In a file named as a template, the `__NAME__` words its renderer replaces."""
    if template_name(name) is None and not named_as_template(name):
        return frozenset()
    return frozenset(_DUNDER_PLACEHOLDER.findall(text))


def holds_nginx_blocks(text: str) -> bool:
    return bool(_NGINX_BLOCK.search(text))


def detect(text: str, name: str = "", nginx_variables: frozenset[str] = frozenset(),
           placeholders: frozenset[str] = frozenset()) -> str | None:
    """The template language of a file, or None for plain nginx.

    Content decides, the name breaks ties. Tags inside `*_by_lua_block` bodies and `#` comment lines do not
    count: Lua code may hold `{{`, `{#t}` or `{%` and still be plain nginx. `nginx_variables` (lower case) are
    variables the rest of the config tree defines: `$CORS_ORIGIN` from a `map` in nginx.conf is not envsubst's.
    `placeholders`: words a start script replaces (`sed -i 's#TOKEN#…#'`); a file with nothing else holding one is
    "placeholders". A file whose only tags are fill-in placeholders (`[FULLCHAIN FILE NAME]`) is "fill-ins"."""
    language = _language(text, name, nginx_variables)
    if language is None and placeholders and _any_in_config(text, placeholder_tags(text, placeholders)):
        return "placeholders"
    if language is None and fill_in_tags(text):
        return "fill-ins"
    return language


def _language(text: str, name: str, nginx_variables: frozenset[str]) -> str | None:
    lower = name.lower().rsplit("/", 1)[-1]
    hidden = None  # (starts, ends) of Lua bodies and comment lines; computed on the first hit

    def found(pattern: re.Pattern) -> bool:
        nonlocal hidden
        for match in pattern.finditer(text):
            if hidden is None:
                hidden = hidden_ranges(text)
            if not _inside(hidden, match.start()):
                return True
        return False

    # One pass over the text rules out every language but envsubst, for most files.
    if _ANY_TAG.search(text) is None and not text.lstrip(" \t").startswith((">", "%")):
        return _dollar_language(text, nginx_variables)
    for suffixes, language in _NAME_HINTS:
        if lower.endswith(suffixes) and SCANNERS[language](text):
            return _go_flavour(text) if language == "go" else language
    if ">" in text or "${{" in text:
        for match in _KONG.finditer("\n" + text):  # offsets are one past the text's; a "\n" match starts a line
            if hidden is None:
                hidden = hidden_ranges(text)
            if not _inside(hidden, match.start() if match.group()[0] == "\n" else match.start() - 1):
                return "kong"
    if "%" in text and _MAKO.search("\n" + text):
        return "mako"
    if "{%" in text or "{*" in text:
        if found(_RESTY):
            return "lua-resty-template"
    # Mustache's `{{#section}}` holds a `{#` that Jinja would open a comment with: without `{% %}`, it is Mustache's.
    if "{{" in text and "{%" not in text and found(_MUSTACHE):
        return "mustache"
    # Go templates never use {% %} or {# #}: with those present, {{ }} is Jinja's (or Liquid's, masked alike).
    if ("{%" in text or "{#" in text) and found(_JINJA_STATEMENT):
        return "liquid" if _LIQUID.search(text) else "jinja"
    if "{{" in text and found(_GO):
        return _go_flavour(text)
    if "{{" in text and found(_JINJA_EXPRESSION):
        return "liquid" if _LIQUID.search(text) else "jinja"
    if "<%" in text and found(_ERB):
        return "erb"
    if "%{" in text and found(PERCENT_NAME):
        return "percent"
    return _dollar_language(text, nginx_variables)


def _dollar_language(text: str, nginx_variables: frozenset[str]) -> str | None:
    """The language of `$`-tags: a generator's dotted names, envsubst's environment names, or None."""
    if "${" in text and _any_in_config(text, dotted_tags(text, name_slots=False)):
        return "dotted"
    if "$(" in text and _any_in_config(text, shell_tags(text)):
        return "shell"
    return "envsubst" if _any_in_config(text, envsubst_tags(text, nginx_variables)) else None


def _any_in_config(text: str, tags) -> bool:
    """Some tag stands in the config itself, not in a Lua body or a comment line."""
    if not tags:
        return False
    hidden = hidden_ranges(text)
    return any(not _inside(hidden, tag.start) for tag in tags)


def fill_in_tags(text: str) -> list[Tag]:
    """The fill-in placeholders of the config itself (not in Lua code or comment lines), as value tags."""
    spans = fill_ins(text)
    if not spans:
        return []
    hidden = hidden_ranges(text)
    return [Tag(start, end, EXPR) for start, end in spans if not _inside(hidden, start)]


def _go_flavour(text: str) -> str:
    return "helm" if _HELM.search(text) else "go"


def hidden_ranges(text: str) -> tuple[list[int], list[int]]:
    """Sorted, disjoint (starts, ends) of `#` comment lines and Lua block bodies: tags there do not count."""
    from .parser import LUA_TOKEN  # the same Lua-aware brace matching the parser does

    ranges = []
    for comment in _COMMENT.finditer(text):  # only comments alone on their line
        start = comment.start()
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip(" \t"):
            ranges.append((line_start, comment.end()))
    for block in _LUA_BLOCK.finditer(text):
        pos, depth = block.end(), 1
        while depth and (token := LUA_TOKEN.search(text, pos)) is not None:
            pos = token.end()
            level = token.group("comment") if token.group("comment") is not None else token.group("string")
            if level is not None:
                close = text.find("]" + level + "]", pos)
                pos = len(text) if close < 0 else close + len(level) + 2
            elif token.group() == "{":
                depth += 1
            elif token.group() == "}":
                depth -= 1
        ranges.append((block.end(), pos if not depth else len(text)))
    ranges.sort()
    starts, ends = [], []
    for start, end in ranges:
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _inside(ranges: tuple[list[int], list[int]], offset: int) -> bool:
    i = bisect_right(ranges[0], offset) - 1
    return i >= 0 and offset < ranges[1][i]


# --- masking --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MaskedRegion:
    """Offsets [start, end) of the text that masking replaced.

    kind: "value" (UNKNOWN characters: a value a template fills in), "blank" (a tag that renders no directive
    text, now spaces: a comment, an assignment, a conditional's tags, whose branches all stay in view), "lines"
    (now spaces, but what it renders may hold directives out of view: a value tag standing where directives go, a
    loop that repeats its body, a splice of another file) or "dropped" (an else branch left out to keep braces
    balanced, now spaces)."""

    start: int
    end: int
    kind: str


@dataclass
class Masked:
    text: str
    language: str
    regions: list[MaskedRegion]
    note: str  # one message per file for the user
    # offsets [start, end) of each branch of the template's conditionals (`{% if %}…{% else %}…{% endif %}`)
    branches: list[tuple[int, int]] = field(default_factory=list)
    # offsets [start, end) of each macro, its tags included: its body is output where it is called, not here
    macros: list[tuple[int, int]] = field(default_factory=list)
    _starts: list[int] | None = field(default=None, repr=False)
    _index: object = field(default=None, repr=False)

    @property
    def hides_directives(self) -> bool:
        """Whether what the tags render may add or leave out directives. A template language's control tags, loops,
        splices and values standing where directives go may; a value inside a directive (`server_name {{ domain
        }};`, a fill-in placeholder) does not: the directives are all there."""
        return any(region.kind != "value" for region in self.regions)

    def out_of_view(self) -> list[tuple[int, int]]:
        """(line, column) of each tag or left-out branch that may render directives nginxlint does not see."""
        index = self._line_index()
        return [index.position(region.start) for region in self.regions if region.kind in ("lines", "dropped")]

    def _regions_from(self, start: int) -> list[MaskedRegion]:
        """The regions from the last one that starts at or before `start` on, in order (found by bisection)."""
        if self._starts is None:
            self._starts = [region.start for region in self.regions]
        return self.regions[max(bisect_right(self._starts, start) - 1, 0):]

    def _overlapped(self, start: int, end: int, kinds: tuple[str, ...]) -> bool:
        """Whether a region of one of `kinds` overlaps offsets [start, end) of the text."""
        for region in self._regions_from(start):
            if region.start >= end:
                break
            if region.kind in kinds and region.end > start:
                return True
        return False

    def unknown_between(self, start: int, end: int) -> bool:
        """Whether a masked value overlaps offsets [start, end) of the text."""
        return self._overlapped(start, end, ("value",))

    def lines_between(self, start, end) -> bool:
        """Whether a tag that may render lines (or a branch left out) stands between two (line, column) positions:
        what it renders may end a directive there (`{{- include "log-format" . }}` writing its `;`)."""
        index = self._line_index()
        return self._overlapped(index.offset(*start), index.offset(*end), ("lines", "dropped"))

    def unknown_at(self, span) -> bool:
        """Whether a masked value overlaps a span (line, column, end line, end column) of the text."""
        index = self._line_index()
        return self.unknown_between(index.offset(span[0], span[1]), index.offset(span[2], span[3]))

    def tag_in_statement(self, span) -> bool:
        """Whether a tag stands among the arguments of the directive that starts at `span`, before its `;` or `{`
        (`server_name {% for n in names %}{{ n }} {% endfor %};`): what the directive is given is unknown."""
        start = self._line_index().offset(span[0], span[1])
        end = min((found for found in (self.text.find(";", start), self.text.find("{", start)) if found >= 0),
                  default=len(self.text))
        return any(start <= region.start < end for region in self._regions_from(start))

    def touched(self, span) -> bool:
        """Whether replacing `span` would change a masked region (any kind: a tag is no text a fix may rewrite),
        or inserting there would land inside one."""
        index = self._line_index()
        start, end = index.offset(span[0], span[1]), index.offset(span[2], span[3])
        for region in self._regions_from(start):
            if region.start >= max(end, start + 1):
                break
            if region.start < end and region.end > start or region.start < start < region.end:
                return True
        return False

    def branch_text(self, span) -> str | None:
        """The masked text of the innermost conditional branch that holds the start of `span`, or None."""
        offset = self._line_index().offset(span[0], span[1])
        holding = [(end - start, start, end) for start, end in self.branches if start <= offset < end]
        if not holding:
            return None
        _size, start, end = min(holding)
        return self.text[start:end]

    def only_within(self, ranges: list[tuple[int, int]], note: str) -> "Masked":
        """The same masked text, with only the regions and branches that lie within offsets [start, end) of one of
        `ranges`: the parts of a file read as nginx (a YAML file's block scalars), the rest's tags hiding nothing
        of them."""
        def inside(start: int, end: int) -> bool:
            return any(low <= start and end <= high for low, high in ranges)

        return Masked(self.text, self.language, [r for r in self.regions if inside(r.start, r.end)], note,
                      [branch for branch in self.branches if inside(*branch)],
                      [macro for macro in self.macros if inside(*macro)])

    def macro_holding(self, offset: int) -> tuple[int, int] | None:
        """The macro whose body holds `offset`, or None."""
        i = bisect_right(self.macros, (offset, len(self.text))) - 1
        return self.macros[i] if i >= 0 and offset < self.macros[i][1] else None

    def spans(self) -> list[tuple[object, str]]:
        """Every masked region as (Span, kind), for notes and SARIF."""
        index = self._line_index()
        return [(index.span(region.start, region.end), region.kind) for region in self.regions]

    def _line_index(self):
        from .parser import LineIndex  # only rules that meet a masked file ask

        if self._index is None:
            self._index = LineIndex(self.text)
        return self._index


# Braces as nginx's lexer sees them: not in a comment, not in a quoted string (both only at the start of a token;
# a string longer than 4,000 characters is not skipped, so an unclosed quote cannot make the scan quadratic).
_NGINX_BRACES = re.compile(
    r"""(?<![^\s;{}])#[^\n]*|(?<![^\s;{}(])"(?:\\[\s\S]|[^"\\]){0,4000}"|(?<![^\s;{}(])'(?:\\[\s\S]|[^'\\]){0,4000}'"""
    r"""|[{}]"""
)
_WORD_BREAK = frozenset(" \t\n;{}")


def mask(text: str, language: str, nginx_variables: frozenset[str] = frozenset(),
         placeholders: frozenset[str] = frozenset()) -> Masked:
    """The text with every tag of `language` masked (see the module's docstring); same length, same lines.
    `nginx_variables`: names (lower case) the rest of the config tree defines, never envsubst references.
    `placeholders`: words a start script replaces, masked as value tags too (whatever the language), as are
    fill-in placeholders (`[FULLCHAIN FILE NAME]`: one value, however many words)."""
    if language in ("placeholders", "fill-ins"):
        tags = []
    else:
        tags = envsubst_tags(text, nginx_variables) if language == "envsubst" else SCANNERS[language](text)
    tokens = _outside(placeholder_tags(text, placeholders), tags)
    if tokens:
        tags = sorted(tags + tokens)
    fills = _outside(fill_in_tags(text), tags)
    if fills:
        tags = sorted(tags + fills)
    if not tags:
        return Masked(text, language, [], "")
    kinds = _fills(text, tags)
    dropped = _unbalanced_branches(text, tags)
    regions = _glued(text, _merge(tags, kinds, dropped))
    pieces = []
    pos = 0
    for region in regions:
        pieces.append(text[pos:region.start])
        pieces.append(_fill(text[region.start:region.end], UNKNOWN if region.kind == "value" else " "))
        pos = region.end
    pieces.append(text[pos:])
    branches = _conditional_branches(text, tags)
    if language == "fill-ins":
        note = f"{display_name(language)} ({_named(text, fills)}): masked, values behind them unknown"
    else:
        note = f"templated with {display_name(language)}: tags masked, values behind them unknown"
    if tokens and language != "placeholders":
        note += f"; {display_name('placeholders')} masked too"
    if fills and language != "fill-ins":
        note += f"; {display_name('fill-ins')} masked too ({_named(text, fills)})"
    if dropped:
        note += (f"; {len(dropped)} else-branch{'es' if len(dropped) > 1 else ''} left out to keep braces "
                 "balanced")
    return Masked("".join(pieces), language, regions, note, branches, _macros(text, tags))


def _named(text: str, tags: list[Tag]) -> str:
    """The first two tags as written, and how many more."""
    return first_of([f"`{text[tag.start:tag.end]}`" for tag in tags], 2)


# The words that open or continue a conditional in the template languages (Go, Jinja/Liquid, ERB, Lua, Kong).
_CONDITIONAL = re.compile(r"[\s{%<>=*#(\[-]*(?:if|unless|with|case|when|elif|elsif|elseif|else)\b")
# A statement that puts another template's text in its place (Jinja, Liquid).
_SPLICE = re.compile(r"[\s{%<>=*#(\[-]*(?:include|extends|import|render)\b")


def _conditional_branches(text: str, tags: list[Tag]) -> list[tuple[int, int]]:
    """The text between a conditional's tags, one range per branch; loops and blocks are no branches."""
    branches = []
    stack: list[list] = []  # [is a conditional, start of the current branch]
    for tag in tags:
        if tag.role == OPEN:
            stack.append([bool(_CONDITIONAL.match(text, tag.start, tag.end)), tag.end])
        elif tag.role in (BRANCH, CLOSE) and stack:
            conditional, start = stack[-1]
            if conditional:
                branches.append((start, tag.start))
            if tag.role == CLOSE:
                stack.pop()
            else:
                stack[-1][1] = tag.end
    return branches


_MACRO = re.compile(r"\{%[-+]?\s*macro\b")


def _macros(text: str, tags: list[Tag]) -> list[tuple[int, int]]:
    """Offsets [start, end) of each outermost Jinja macro, from its tag to its `endmacro`."""
    macros = []
    stack: list[int] = []  # start of each open tag that defines a macro, -1 for other openers
    for tag in tags:
        if tag.role == OPEN:
            stack.append(tag.start if _MACRO.match(text, tag.start, tag.end) else -1)
        elif tag.role == CLOSE and stack and (start := stack.pop()) >= 0:
            while macros and macros[-1][0] > start:  # one defined inside this one
                macros.pop()
            macros.append((start, tag.end))
    return macros


def _outside(extra: list[Tag], tags: list[Tag]) -> list[Tag]:
    """The `extra` tags that overlap none of `tags` (a token inside `{{ … }}` is part of that tag)."""
    if not extra or not tags:
        return extra
    starts = [tag.start for tag in tags]
    kept = []
    for tag in extra:
        i = bisect_right(starts, tag.start) - 1
        if i >= 0 and tags[i].end > tag.start or i + 1 < len(tags) and tags[i + 1].start < tag.end:
            continue
        kept.append(tag)
    return kept


def _fill(piece: str, char: str) -> str:
    if "\n" not in piece:
        return char * len(piece)
    return "\n".join(char * len(part) for part in piece.split("\n"))


def _fills(text: str, tags: list[Tag]) -> list[str]:
    """For each tag, "value", "blank" or "lines" (see MaskedRegion)."""
    starts = {tag.start: i for i, tag in enumerate(tags)}
    ends = {tag.end: i for i, tag in enumerate(tags)}
    size = len(text)

    def before(pos: int, skip_space: bool) -> str:
        while True:
            if skip_space:
                while pos > 0 and text[pos - 1] in " \t":
                    pos -= 1
            if pos in ends:
                pos = tags[ends[pos]].start
                continue
            return text[pos - 1] if pos > 0 else "\n"

    def after(pos: int, skip_space: bool) -> str:
        while True:
            if skip_space:
                while pos < size and text[pos] in " \t":
                    pos += 1
            if pos in starts:
                pos = tags[starts[pos]].end
                continue
            return text[pos] if pos < size else "\n"

    fills = []
    for tag in tags:
        if tag.role == EXPR:
            alone = before(tag.start, True) in "\n;{}" and after(tag.end, True) in "\n#}"
            fills.append("lines" if alone else "value")
        elif before(tag.start, False) not in _WORD_BREAK and after(tag.end, False) not in _WORD_BREAK:
            fills.append("value")
        elif tag.role == OPEN and not _CONDITIONAL.match(text, tag.start, tag.end) or \
                tag.role == STMT and _SPLICE.match(text, tag.start, tag.end):
            fills.append("lines")
        else:
            fills.append("blank")
    return fills


def _unbalanced_branches(text: str, tags: list[Tag]) -> list[tuple[int, int]]:
    """Else/elif branches whose braces do not balance, as offsets [start, end) from the branch tag on."""
    if not any(tag.role == BRANCH for tag in tags):
        return []
    # The braces nginx sees: outside tags, comments and quoted strings.
    skeleton = _skeleton(text, tags)
    positions, totals = [], []
    total = 0
    for match in _NGINX_BRACES.finditer(skeleton):
        char = match.group()
        if char in "{}":
            total += 1 if char == "{" else -1
            positions.append(match.start())
            totals.append(total)

    def braces(start: int, end: int) -> int:
        def upto(offset):
            i = bisect_left(positions, offset)
            return totals[i - 1] if i else 0
        return upto(end) - upto(start)

    dropped = []
    stack: list[list] = []
    for tag in tags:
        if tag.role == OPEN:
            # branch start (-1 for the first branch), segment start, braces removed in this segment and in all,
            # and whether the conditional sits inside one directive's arguments (`{{ if .x }}""{{ else }}on{{ end }}`)
            line_start = text.rfind("\n", 0, tag.start) + 1
            inline = bool(text[line_start:tag.start].strip())
            stack.append([-1, tag.end, 0, 0, inline, tag.start])
        elif tag.role in (BRANCH, CLOSE) and stack:
            frame = stack[-1]
            branch_start, segment_start, removed, removed_all, inline, _ = frame
            if inline and text.count("\n", frame[5], tag.start):
                inline = False
            if branch_start >= 0:
                delta = braces(segment_start, tag.start) - removed
                if delta or inline:  # one rendering gives one branch: keep the first as the value
                    dropped.append((branch_start, tag.start))
                    removed_all += delta + removed
                else:
                    removed_all += removed
            else:
                removed_all += removed
            if tag.role == BRANCH:
                stack[-1] = [tag.start, tag.end, 0, removed_all, inline, frame[5]]
            else:
                stack.pop()
                if stack:
                    stack[-1][2] += removed_all
    return sorted(dropped)


def _skeleton(text: str, tags: list[Tag]) -> str:
    pieces, pos = [], 0
    for tag in tags:
        pieces.append(text[pos:tag.start])
        pieces.append(_fill(text[tag.start:tag.end], " "))
        pos = tag.end
    pieces.append(text[pos:])
    return "".join(pieces)


def _merge(tags: list[Tag], fills: list[str], dropped: list[tuple[int, int]]) -> list[MaskedRegion]:
    """Tag regions and dropped branches as one sorted list; a tag inside a dropped branch is dropped with it."""
    regions = []
    d = 0
    for tag, fill in zip(tags, fills):
        while d < len(dropped) and dropped[d][1] <= tag.start:
            regions.append(MaskedRegion(dropped[d][0], dropped[d][1], "dropped"))
            d += 1
        if d < len(dropped) and dropped[d][0] <= tag.start:
            continue  # inside the dropped branch
        regions.append(MaskedRegion(tag.start, tag.end, fill))
    regions.extend(MaskedRegion(start, end, "dropped") for start, end in dropped[d:])
    return _outermost(regions) if dropped else regions


def _glued(text: str, regions: list[MaskedRegion]) -> list[MaskedRegion]:
    """A dropped branch between two characters of one word stands for part of a value: UNKNOWN, not spaces.
    Adjacent masked tags are looked through: `a{{ else }}b{{ end }}.com`."""
    size = len(text)
    result = list(regions)
    for i, region in enumerate(regions):
        if region.kind != "dropped":
            continue
        before, j = region.start, i - 1
        while j >= 0 and regions[j].end == before:
            before, j = regions[j].start, j - 1
        after, j = region.end, i + 1
        while j < len(regions) and regions[j].start == after:
            after, j = regions[j].end, j + 1
        if before > 0 and after < size and text[before - 1] not in _WORD_BREAK and text[after] not in _WORD_BREAK:
            result[i] = MaskedRegion(region.start, region.end, "value")
    return result


def _outermost(regions: list[MaskedRegion]) -> list[MaskedRegion]:
    """Nested dropped branches (an inner else inside an outer else) collapse into the outer one."""
    regions.sort(key=lambda r: (r.start, -r.end))
    result: list[MaskedRegion] = []
    for region in regions:
        if result and region.start < result[-1].end:
            continue
        result.append(region)
    return result


def template_includes(text: str) -> list[tuple[int, str]]:
    """(offset, file as written) of every Liquid/Jinja `{% include "file" %}` in a template's text."""
    return [(match.start(), match.group(1)) for match in _TEMPLATE_INCLUDE.finditer(text)]
