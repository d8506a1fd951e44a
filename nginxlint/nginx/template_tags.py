"""Where the tags of each template language are in a text, and what each tag does to the output.

Each scanner returns the tags of one language in text order, never overlapping, as `Tag(start, end, role)`:

- EXPR: the tag is replaced by a value when rendered (`{{ .Values.port }}`, `<%= @port %>`, `$(el.name)`).
- STMT: the tag renders to nothing (`{{ $x := 1 }}`, `{# comment #}`, `{% set x = 1 %}`).
- OPEN / BRANCH / CLOSE: the tag opens, splits or closes a conditional or loop (`{% if %}`, `{% else %}`,
  `{% endif %}`); what lies between is nginx text that may appear zero, one or many times.

A text between a "raw" tag pair (`{% raw %}`, lua-resty-template's `{-raw-}`) is output as written, so it is not
scanned. A tag that never closes ends the scan: the rest is left as it is.
"""
from __future__ import annotations

import bisect
import re
from typing import NamedTuple

EXPR, STMT, OPEN, BRANCH, CLOSE = "expr", "stmt", "open", "branch", "close"


class Tag(NamedTuple):
    start: int
    end: int
    role: str


_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def _first_word(code: str) -> str:
    match = _IDENTIFIER.match(code)
    return match.group() if match else ""


# --- Go text/template (Helm, docker-gen, ingress-nginx's nginx.tmpl, consul-template) ---------------------------

# Inside an action: strings ("…", `…`, '…') and comments may hold "}}"; the first "}}" outside them closes it.
_GO_INSIDE = re.compile(r'"(?:\\.|[^"\\\n])*"|`[^`]*`|\'(?:\\.|[^\'\\\n])*\'|/\*[\s\S]*?\*/|\}\}')
_GO_OPENERS = frozenset({"if", "range", "with", "define", "block"})
_GO_ASSIGN = re.compile(r"\$\w*\s*(?:,\s*\$\w*\s*)?:?=")


def _go_role(code: str) -> str:
    code = code.strip(" \t\n-").lstrip()
    if code.startswith("/*"):
        return STMT
    word = _first_word(code)
    if word in _GO_OPENERS:
        return OPEN
    if word == "else":
        return BRANCH
    if word == "end":
        return CLOSE
    if word in ("break", "continue") or _GO_ASSIGN.match(code):
        return STMT
    return EXPR


def go_tags(text: str) -> list[Tag]:
    tags = []
    find, search = text.find, _GO_INSIDE.search
    pos = 0
    while (start := find("{{", pos)) >= 0:
        scan = start + 2
        while (match := search(text, scan)) is not None and match.group() != "}}":
            scan = match.end()
        if match is None:
            break
        tags.append(Tag(start, match.end(), _go_role(text[start + 2:match.start()])))
        pos = match.end()
    return tags


# --- Jinja2 (Ansible, Salt, cookiecutter) -----------------------------------------------------------------------

_JINJA_START = re.compile(r"\{[{%#]")
# Strings inside a tag; at most 256 characters, so an unclosed quote cannot make a scan quadratic.
_JINJA_STRING = re.compile(r""""(?:\\.|[^"\\]){0,256}"|'(?:\\.|[^'\\]){0,256}'""")
# Liquid (Nginx Proxy Manager, 3scale APIcast) shares the delimiters; its unless/case/capture/elsif/when too.
_JINJA_OPENERS = frozenset({"if", "for", "macro", "call", "filter", "block", "with", "autoescape", "trans",
                            "unless", "case", "capture", "tablerow"})
_JINJA_BRANCHES = frozenset({"elif", "else", "pluralize", "elsif", "when"})
_JINJA_ENDRAW = re.compile(r"\{%[-+]?\s*endraw\s*[-+]?%\}")


def _jinja_close(text: str, pos: int, closer: str, strings: bool) -> int:
    """The end of the tag whose body starts at `pos`, or -1; quoted strings may hold the closer."""
    while True:
        end = text.find(closer, pos)
        if end < 0 or not strings:
            return end + 2 if end >= 0 else -1
        quote = _JINJA_STRING.search(text, pos, end)
        if quote is None:
            return end + 2
        pos = quote.end()


def _jinja_statement_role(code: str) -> str:
    word = _first_word(code)
    if word in _JINJA_OPENERS or (word == "set" and "=" not in code):  # `{% set x %}…{% endset %}`
        return OPEN
    if word in _JINJA_BRANCHES:
        return BRANCH
    if word.startswith("end"):
        return CLOSE
    return STMT


# A template of a template writes the tags of the one it renders as strings: `{{ '{{' }} host }}` renders
# `{{ host }}`, `{{ '{%' }} if x {{ '%}' }}` renders `{% if x %}`. Each is one tag, the first-level tags inside it
# (`{{ '{{' }} {{ role_name }}_port }}`) included.
_ESCAPED_OPENER = re.compile(r"""\{\{-?[ \t]*(['"])(\{[{%])\1[ \t]*-?\}\}""")
_ESCAPED_CLOSER = re.compile(r"""\{\{-?[ \t]*(['"])([}%]\})\1[ \t]*-?\}\}""")


def _escaped_tag(text: str, pos: int, opener: str) -> tuple[int, str]:
    """(end, role) of the second-level tag whose escaped opener ends at `pos`: up to its closer, written bare
    (`}}`, `%}`) or escaped (`{{ '%}' }}`), past the first-level tags between; (-1, "") when none closes it
    within 2,000 characters."""
    closer = "}}" if opener == "{{" else "%}"
    body, limit = pos, min(len(text), pos + 2000)

    def role(close: int) -> str:
        return EXPR if opener == "{{" else _jinja_statement_role(text[body:close].strip(" \t\n-+"))

    while (close := text.find(closer, pos, limit)) >= 0:
        inner = text.find("{{", pos, close)  # a first-level tag before it, which may hold or be the closer
        if inner < 0:
            return close + 2, role(close)
        inner_end = _jinja_close(text, inner + 2, "}}", True)
        if inner_end < 0:
            return -1, ""
        escaped = _ESCAPED_CLOSER.fullmatch(text, inner, inner_end)
        if escaped is not None and escaped.group(2) == closer:
            return inner_end, role(inner)
        pos = inner_end
    return -1, ""


def jinja_tags(text: str) -> list[Tag]:
    tags = []
    search = _JINJA_START.search
    pos = 0
    while (match := search(text, pos)) is not None:
        start, kind = match.start(), match.group()[1]
        closer = "}}" if kind == "{" else kind + "}"
        end = _jinja_close(text, start + 2, closer, kind != "#")
        if end < 0:
            break
        escaped = _ESCAPED_OPENER.fullmatch(text, start, end) if kind == "{" else None
        if escaped is not None:  # `{{ '{%' }} if x {{ '%}' }}`: a tag of the template this one renders
            end, role = _escaped_tag(text, end, escaped.group(2))
            if end < 0:
                break
            tags.append(Tag(start, end, role))
        elif kind == "{":
            tags.append(Tag(start, end, EXPR))
        elif kind == "#":
            tags.append(Tag(start, end, STMT))
        else:
            code = text[start + 2:end - 2].strip(" \t\n-+")
            if _first_word(code) == "raw":
                tags.append(Tag(start, end, STMT))
                closing = _JINJA_ENDRAW.search(text, end)
                if closing is None:
                    break
                tags.append(Tag(closing.start(), closing.end(), STMT))
                end = closing.end()
            else:
                tags.append(Tag(start, end, _jinja_statement_role(code)))
        pos = end
    return tags


# --- Mustache (pystache, chevron, mustache.js) ---------------------------------------------------------------------

_MUSTACHE_TAG = re.compile(r"\{\{\{[^{}\n]{1,200}\}\}\}|\{\{([#^/!>&=]?)[^{}]{0,500}?\}\}")
# `{{#name}}` and `{{^name}}` open a section (shown when the value is set, or when it is not), `{{/name}}` closes
# it, `{{! … }}` is a comment, `{{> name}}` a partial, `{{=<% %>=}}` a change of delimiters; the rest are values.
_MUSTACHE_ROLES = {"#": OPEN, "^": OPEN, "/": CLOSE, "!": STMT, ">": STMT, "=": STMT}


def mustache_tags(text: str) -> list[Tag]:
    return [Tag(m.start(), m.end(), _MUSTACHE_ROLES.get(m.group(1) or "", EXPR))
            for m in _MUSTACHE_TAG.finditer(text)]


# --- Lua code in lua-resty-template `{% %}` and Kong's `> ` lines ------------------------------------------------

_LUA_COMMENT = re.compile(r"--(?!\[=*\[).*")
_LUA_OPENS = re.compile(r"(?:\b(?:then|do)|\bfunction\b[^)\n]{0,200}\))\s*$")


def lua_role(code: str) -> str:
    code = _LUA_COMMENT.sub("", code).strip()
    word = _first_word(code)
    if word in ("end", "until"):
        return CLOSE
    if word in ("else", "elseif"):
        return BRANCH
    if word == "repeat" or _LUA_OPENS.search(code):
        return OPEN
    return STMT


# lua-resty-template: {{escaped}}, {*raw*}, {%code%}, {#comment#}, {(include)}, {[include expression]},
# {-raw-}…{-raw-} (output as written), {-name-}…{-name-} (a named block, output elsewhere).
_RESTY_START = re.compile(r"\{([{*%#(\[])|\{-([A-Za-z_]\w*)-\}")
_RESTY_CLOSERS = {"{": "}}", "*": "*}", "%": "%}", "#": "#}", "(": ")}", "[": "]}"}


def resty_tags(text: str) -> list[Tag]:
    tags = []
    search = _RESTY_START.search
    pos = 0
    while (match := search(text, pos)) is not None:
        start = match.start()
        if match.group(2) is not None:  # {-raw-} / {-block-}: the pair's text stays; raw text is not scanned
            tags.append(Tag(start, match.end(), STMT))
            pos = match.end()
            if match.group(2) == "raw":
                closing = text.find(match.group(), pos)
                if closing < 0:
                    break
                tags.append(Tag(closing, closing + len(match.group()), STMT))
                pos = closing + len(match.group())
            continue
        kind = match.group(1)
        end = text.find(_RESTY_CLOSERS[kind], start + 2)
        if end < 0:
            break
        end += 2
        if kind == "%":
            role = lua_role(text[start + 2:end - 2])
        elif kind == "#":
            role = STMT
        else:
            role = EXPR
        tags.append(Tag(start, end, role))
        pos = end
    return tags


# --- Kong's nginx templates (Penlight pl.template with `>` as the escape) ---------------------------------------

_KONG_LINE = re.compile(r"^[ \t]*>[^\n]*", re.M)
# `${{PORT}}`, and Lapis' `${{pg POSTGRESQL_URL}}` (a filter word before the name; Lapis writes its configs so too)
_KONG_INLINE = re.compile(r"\$\{\{[ \t]*(?:[a-z]+[ \t]+)?[A-Za-z_]\w*[ \t]*\}\}|\$\(")


def _paren_end(text: str, pos: int, shell: bool = False) -> int:
    """The offset after the `)` that closes the `(` before `pos`, or -1. Lua's (Kong's `$(…)`): its strings are
    skipped and it ends on its line. A shell's (`$(for …; done)`): quotes and backslash escapes are followed across
    lines."""
    depth = 1
    size = len(text)
    while pos < size:
        char = text[pos]
        if char in "\"'":
            close = _quote_end(text, pos, shell)
            if close < 0 or not shell and "\n" in text[pos:close]:
                return -1
            pos = close
        elif char == "\\" and shell:
            pos += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return pos + 1
        elif char == "\n" and not shell:
            return -1
        pos += 1
    return -1


def _quote_end(text: str, pos: int, escapes: bool) -> int:
    """The offset of the quote that closes the one at `pos`, or -1; in a shell's double quotes a backslash escapes
    the character after it."""
    quote = text[pos]
    if not (escapes and quote == '"'):
        return text.find(quote, pos + 1)
    pos += 1
    while pos < len(text):
        if text[pos] == "\\":
            pos += 2
            continue
        if text[pos] == quote:
            return pos
        pos += 1
    return -1


def kong_tags(text: str) -> list[Tag]:
    tags = []
    lines = [(m.start(), m.end()) for m in _KONG_LINE.finditer(text)]
    line_iter = iter(lines)
    next_line = next(line_iter, None)
    pos = 0
    search = _KONG_INLINE.search
    while True:
        match = search(text, pos)
        # Lua lines come first when they start before the next inline expression.
        while next_line is not None and (match is None or next_line[0] <= match.start()):
            start, end = next_line
            code = text[start:end].lstrip(" \t")[1:]
            tags.append(Tag(start, end, lua_role(code)))
            pos = max(pos, end)
            next_line = next(line_iter, None)
            if match is not None and match.start() < end:
                match = search(text, pos)
        if match is None:
            break
        if match.group() == "$(":
            end = _paren_end(text, match.end())
            if end < 0:
                pos = match.end()
                continue
        else:
            end = match.end()
        tags.append(Tag(match.start(), end, EXPR))
        pos = end
    return tags


# --- ERB (Chef, Puppet's .erb) and EPP (Puppet) ---------------------------------------------------------------

_ERB_START = re.compile(r"<%(?!%)")
_ERB_OPENERS = frozenset({"if", "unless", "case", "while", "until", "for", "begin"})
_ERB_BRANCHES = frozenset({"elsif", "else", "when", "in", "rescue", "ensure"})
_ERB_BLOCK = re.compile(r"(?:\bdo(?:\s*\|[^|]*\|)?)\s*$")


def _erb_role(code: str) -> str:
    if code.startswith("#"):
        return STMT
    expression = code.startswith("=")
    code = code.lstrip("=-").rstrip("-").strip()
    # EPP (Puppet) writes blocks with braces: `<% if $x { %>`, `<% } else { %>`, `<% } %>`.
    if code.startswith("}"):
        return BRANCH if code.endswith("{") else CLOSE
    if code.endswith("{") or _ERB_BLOCK.search(code):
        return OPEN
    word = _first_word(code)
    if word in _ERB_OPENERS and not expression:
        return OPEN
    if word in _ERB_BRANCHES:
        return BRANCH
    if word == "end":
        return CLOSE
    return EXPR if expression else STMT


def erb_tags(text: str) -> list[Tag]:
    tags = []
    search, find = _ERB_START.search, text.find
    pos = 0
    while (match := search(text, pos)) is not None:
        start = match.start()
        end = find("%>", start + 2)
        if end < 0:
            break
        end += 2
        tags.append(Tag(start, end, _erb_role(text[start + 2:end - 2])))
        pos = end
    return tags


# --- Mako (`% if x:` … `% endif` control lines, `${expr}`; Python tools that render nginx configs) -----------------

_MAKO_LINE = re.compile(r"^[ \t]*%(?![%>])[^\n]*", re.M)
_MAKO_EXPRESSION = re.compile(r"\$\{[^{}\n]*\}")
_MAKO_OPENS = ("if", "for", "while", "try", "with")
_MAKO_BRANCHES = ("elif", "else", "except", "finally")


def mako_tags(text: str) -> list[Tag]:
    """Control lines, `<% python %>` blocks (as ERB's tags are found) and `${expr}` outside them."""
    tags = [Tag(tag.start, tag.end, STMT) for tag in erb_tags(text)]
    blocks = [(tag.start, tag.end) for tag in tags]
    tags += [Tag(m.start(), m.end(), _mako_role(m.group().lstrip(" \t")[1:])) for m in _MAKO_LINE.finditer(text)
             if not _within(blocks, m.start())]
    taken = sorted((tag.start, tag.end) for tag in tags)
    tags += [Tag(m.start(), m.end(), EXPR) for m in _MAKO_EXPRESSION.finditer(text)
             if not _within(taken, m.start())]
    return sorted(tags)


def _within(spans: list[tuple[int, int]], offset: int) -> bool:
    at = bisect.bisect_right(spans, (offset, float("inf"))) - 1
    return at >= 0 and spans[at][0] <= offset < spans[at][1]


def _mako_role(code: str) -> str:
    word = _first_word(code.strip())
    if word.startswith("end"):
        return CLOSE
    if word in _MAKO_BRANCHES:
        return BRANCH
    return OPEN if word in _MAKO_OPENS else STMT


# --- dotted names (Zimbra's and Carbonio's proxy config generator: `${web.http.port}`, `!{explode domain(vhn)}`) ---

# A name with dots in `${…}`: never an nginx variable, whose names are letters, digits and `_` only
DOTTED_NAME = re.compile(r"\$\{[A-Za-z_][\w-]*(?:\.[\w:-]*)+\}")
# `${vhn}` where a directive's name goes: no directive starts with `$`
_NAME_SLOT = re.compile(r"(?m)^[ \t]*(\$\{\w+\})")
# A generator's directive on a line of its own, which repeats the block after it (once per domain)
_GENERATOR_LINE = re.compile(r"^[ \t]*!\{[^\n]*", re.M)


def dotted_tags(text: str, name_slots: bool = True) -> list[Tag]:
    """The generator's tags; `name_slots`: also `${name}` where a directive's name goes, a tag only in a file the
    dotted names already make a template."""
    tags = [Tag(m.start(), m.end(), STMT) for m in _GENERATOR_LINE.finditer(text)]
    tags += [Tag(m.start(), m.end(), EXPR) for m in DOTTED_NAME.finditer(text)]
    if name_slots:
        tags += [Tag(m.start(1), m.end(1), EXPR) for m in _NAME_SLOT.finditer(text)]
    return sorted(set(tags))


# --- envsubst (the official nginx image's templates, Dockerfiles running envsubst) ------------------------------

# An environment name: upper case by convention; nginx's own variables are lower case ($host, ${request_uri}).
ENV_REFERENCE = re.compile(r"\$(?:\{([A-Z_][A-Z0-9_]*)\}|([A-Z_][A-Z0-9_]*)(?![A-Za-z0-9_]))")
# Variables a config defines itself; upper-case ones among them are nginx's, not the environment's.
_DEFINED_HERE = re.compile(
    r"\b(?:set|auth_request_set|perl_set|js_set|set_by_lua\w*)[ \t\n]+\$(\w+)"
    r"|\b(?:map|geo|split_clients)[ \t\n][^;{]{0,500}\$(\w+)[ \t\n]*\{"
    r"|\(\?P?<(\w+)>"
)


# A naxsi rule (to its `;`): its `$SQL`, `$XSS` are scores the rules add to, not variables.
_NAXSI_RULE = re.compile(r"(?<![\w$])(?:CheckRule|check_rule|MainRule|main_rule|BasicRule|basic_rule)\b[^;\n]*")


def is_environment_name(name: str) -> bool:
    return not any(c.islower() for c in name) and any(c.isupper() for c in name)


def defined_spellings(text: str) -> set[str]:
    """Names of variables the text defines itself (`set $X`, `map … $X {`, `(?<X>…)`), as written."""
    return {next(g for g in m.groups() if g) for m in _DEFINED_HERE.finditer(text)}


# nginx's own variables, whatever their case (nginx looks variables up lower-cased): `$HTTP_HOST` is `$http_host`.
# From ngx_http_variables.c and the modules' docs (https://nginx.org/en/docs/varindex.html); the prefixed families
# by their prefix.
NGINX_BUILTINS = frozenset("""
    args binary_remote_addr body_bytes_sent bytes_sent connection connection_requests connection_time
    content_length content_type cookie document_root document_uri host hostname https is_args limit_rate msec
    nginx_version pid pipe proxy_protocol_addr proxy_protocol_port query_string realpath_root remote_addr
    remote_port remote_user request request_body request_body_file request_completion request_filename request_id
    request_length request_method request_time request_uri scheme server_addr server_name server_port
    server_protocol status time_iso8601 time_local uri realip_remote_addr realip_remote_port
    proxy_host proxy_port proxy_add_x_forwarded_for
    ssl_alpn_protocol ssl_cipher ssl_ciphers ssl_client_cert ssl_client_escaped_cert ssl_client_fingerprint
    ssl_client_i_dn ssl_client_i_dn_legacy ssl_client_raw_cert ssl_client_s_dn ssl_client_s_dn_legacy
    ssl_client_serial ssl_client_v_end ssl_client_v_remain ssl_client_v_start ssl_client_verify ssl_curve
    ssl_curves ssl_early_data ssl_preread_alpn_protocols ssl_preread_protocol ssl_preread_server_name
    ssl_protocol ssl_server_name ssl_session_id ssl_session_reused
    upstream_addr upstream_bytes_received upstream_bytes_sent upstream_cache_key upstream_cache_status
    upstream_connect_time upstream_first_byte_time upstream_header_time upstream_last_server_name
    upstream_queue_time upstream_response_length upstream_response_time upstream_session_time upstream_status
""".split())
# Only these families take any name after the prefix (`$http_<header>`, `$upstream_http_<header>`); `$ssl_…` and
# `$upstream_…` are fixed lists above, so `${SSL_PREFER_CIPHERS}` or `${UPSTREAM_REAL_IP_RECURSIVE}` is a template's.
NGINX_PREFIXES = ("http_", "arg_", "cookie_", "sent_http_", "sent_trailer_", "upstream_http_", "upstream_cookie_",
                  "upstream_trailer_", "jwt_claim_", "jwt_header_")


def is_nginx_builtin(name: str) -> bool:
    """`$HTTP_HOST`, `$REQUEST_URI`: nginx's own. A one-word name (`$HOST`, `$PORT`) is as likely an environment
    variable of a template, and stays one."""
    lower = name.lower()
    return lower.startswith(NGINX_PREFIXES) or ("_" in lower and lower in NGINX_BUILTINS)


_LINE_SLOT = re.compile(r"(?m)^[ \t]*(\$\{\w+\})[ \t]*(?:\}[ \t]*)*$")  # `${blocks}}`: the blocks, then a close
# A shell's default or check written in the braces (`${NGINX_REWRITE_LOG:-off}`, `${PORT:=80}`), as envplate and
# shell heredocs fill in: no nginx variable is written so. The word may hold nginx's own variables, a whole
# directive a8m/envsubst writes when the name is set (`${UI_SERVER+proxy_set_header Host $host;}`).
_SHELL_DEFAULT = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=+?](?:[^${}\n]|\$\w+)*\}")


def envsubst_tags(text: str, nginx_variables: frozenset[str] = frozenset()) -> list[Tag]:
    """`${NAME}` and `$NAME` for upper-case names the config does not define as nginx variables (nor the rest of
    the config tree: `nginx_variables`, lower-cased, e.g. a `map` in nginx.conf used in a conf.d file). Once one
    such name makes the file a template, a name the config defines only in another case is a tag too."""
    if "$" not in text:
        return []
    # `${servers}` alone on its line, where a renderer (Terraform's templatefile, envsubst) puts whole lines: no
    # nginx directive is named so, whatever the case of the name
    slots = sorted([*(Tag(m.start(1), m.end(1), EXPR) for m in _LINE_SLOT.finditer(text)),
                    *(Tag(m.start(), m.end(), EXPR) for m in _SHELL_DEFAULT.finditer(text))], key=lambda tag: tag.start)
    candidates = [m for m in ENV_REFERENCE.finditer(text) if is_environment_name(m.group(1) or m.group(2))]
    if candidates and _NAXSI_RULE.search(text):  # naxsi's scores (`CheckRule "$SQL >= 8" BLOCK;`) are no references
        rules = [(m.start(), m.end()) for m in _NAXSI_RULE.finditer(text)]
        starts = [start for start, _end in rules]
        candidates = [m for m in candidates
                      if (i := bisect.bisect_right(starts, m.start()) - 1) < 0 or m.start() >= rules[i][1]]
    if not candidates:  # the common case: nginx's own lower-case variables only
        return slots
    spellings = defined_spellings(text)
    own = {name.lower() for name in spellings} | nginx_variables
    names = [(m, m.group(1) or m.group(2)) for m in candidates]
    # `{$SERVER_NAME}` in braces is a renderer's, whatever nginx variable its name spells
    names = [(m, name) for m, name in names if not is_nginx_builtin(name) or _in_braces(text, m.start(), m.end())]
    if not any(name.lower() not in own for _m, name in names):
        return slots
    # A file envsubst renders (it holds a name nothing defines): a name written in upper case where the config
    # writes that variable in lower case is the environment's too (`map $http_host $root_path { default
    # "${ROOT_PATH}"; }`); the config's own spelling, or a name only another file defines, stays nginx's.
    tags = {tag.start: tag for tag in slots}
    for m, name in names:
        if _in_braces(text, m.start(), m.end()):  # the braces are the tag's, no block of nginx's
            tags[m.start() - 1] = Tag(m.start() - 1, m.end() + 1, EXPR)
        elif name not in spellings and name.lower() not in nginx_variables:
            tags[m.start()] = Tag(m.start(), m.end(), EXPR)
    return [tags[start] for start in sorted(tags)]


def _in_braces(text: str, start: int, end: int) -> bool:
    """The reference is written in braces (`root {$SERVER_PATH}/lam;`), as a panel that fills it in with
    str.replace writes it: no nginx config writes a variable so."""
    return start > 0 and text[start - 1] == "{" and text.startswith("}", end)


# --- placeholder tokens (a start script's `sed -i 's#TOKEN#value#'`) ----------------------------------------------

def placeholder_tags(text: str, tokens: frozenset[str]) -> list[Tag]:
    """Whole-word occurrences of `tokens` (not `$TOKEN`, an envsubst reference or an nginx variable); a token its
    wrapping delimits (`{BASE_URL}`) also inside a word (`http://jupyter{BASE_URL}/x`)."""
    if not tokens or not any(token in text for token in tokens):
        return []
    pattern = re.compile(r"(?<!\$\{)(?:" + "|".join(map(_delimited, sorted(tokens, key=len, reverse=True))) + ")")
    return [Tag(m.start(), m.end(), EXPR) for m in pattern.finditer(text)]


def _delimited(token: str) -> str:
    """The token as a pattern that takes no part of a longer word at an end that is a word character."""
    start = r"(?<![\w$])" if token[0].isalnum() or token[0] == "_" else r"(?<!\$)"
    end = r"(?!\w)" if token[-1].isalnum() or token[-1] == "_" else ""
    return start + re.escape(token) + end


# --- shell command substitutions (a config a script renders with `eval "cat <<EOF"` or `eval printf`) ---------------

# `$(var host)`, `$(for h in $(lookup hosts); do … done)`: a command and a space; nginx never writes `$(` so (a
# regex's `$(a|b)` holds no space)
_SHELL_START = re.compile(r"\$\((?=\s*[A-Za-z_][\w.-]*[ \t\n])")


def shell_tags(text: str) -> list[Tag]:
    tags = []
    pos = 0
    while (match := _SHELL_START.search(text, pos)) is not None:
        end = _paren_end(text, match.end(), shell=True)
        if end < 0:
            break
        if text[match.start() - 1:match.start()] not in ("'", '"'):  # nginx's own quoted string holds it as text
            tags.append(Tag(match.start(), end, EXPR))
        pos = end
    return tags


# --- `%{name}` placeholders (a Python `string.Template` whose delimiter is `%`, as installers render with) ---------

# nginx writes `%` only in URL escapes (`%20`) and formats (`%Y`), never before a brace
PERCENT_NAME = re.compile(r"(?<!%)%\{[A-Za-z_]\w*\}")


def percent_tags(text: str) -> list[Tag]:
    return [Tag(m.start(), m.end(), EXPR) for m in PERCENT_NAME.finditer(text)]


SCANNERS = {
    "go": go_tags,
    "helm": go_tags,
    "jinja": jinja_tags,
    "liquid": jinja_tags,
    "erb": erb_tags,
    "epp": erb_tags,
    "lua-resty-template": resty_tags,
    "kong": kong_tags,
    "mako": mako_tags,
    "envsubst": envsubst_tags,
    "shell": shell_tags,
    "mustache": mustache_tags,
    "dotted": dotted_tags,
    "percent": percent_tags,
}
