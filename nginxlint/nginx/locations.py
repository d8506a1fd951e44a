"""A `location` block's match: modifier and pattern, as nginx reads `location [=|~|~*|^~] uri` and `@name`."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from ..foreign_regex import compile_foreign
from .conditions import if_condition
from .templates import is_unknown
from .values import parse_uint

MODIFIERS = ("=", "~*", "~", "^~")


def named_location(server, name: str):
    """The server's `location @name` (nginx allows named locations at the server level only), or None."""
    return next((node for node in server.find("location") if node.args == [name]), None) if server else None


# The directives whose last argument may send a request to a named location (`try_files $uri @app;`,
# `error_page 404 = @fallback;`)
TO_NAMED_LOCATION = ("error_page", "try_files")
# What a location on file extensions serves, by kind: files a browser never renders (fonts, raster images, audio,
# video) or saves and hands to another program (archives, office documents, PDFs, packages: the types nginx's
# stock mime.types gives them); the site's built files, scripts, style sheets (their sources and maps too) and web
# manifests, which mime.types names and the browser takes as declared; text, JSON and feeds, which
# `X-Content-Type-Options` keeps from being run as script or sniffed into HTML; SVG, a document that can hold
# script. HTML, XML and the types of PAGE_EXTENSIONS are pages; an extension mime.types does not name is served
# with the default_type (`_unnamed_kind`).
ASSET_EXTENSIONS = frozenset({
    "woff", "woff2", "ttf", "ttc", "otf", "eot", "png", "jpg", "jpeg", "gif", "ico", "cur", "webp", "avif", "bmp",
    "tif", "tiff", "heic", "jng", "wbmp", "mp3", "mp4", "m4a", "m4v", "ogg", "oga", "ogv", "webm", "wav", "flac",
    "aac", "mov", "avi", "mpg", "mpeg", "flv", "wmv", "asf", "asx", "3gp", "3gpp", "mng", "ra", "kar", "mid", "midi",
    "zip", "tar", "gz", "tgz", "bz2", "xz", "rar", "7z", "jar", "war", "ear", "doc", "docx", "xls", "xlsx", "ppt",
    "pptx", "odt", "ods", "odp", "odg", "rtf", "pdf", "ps", "eps", "exe", "dll", "bin", "deb", "rpm", "dmg", "iso",
    "img", "msi", "swf", "der", "pem", "crt"})
BUILT_EXTENSIONS = frozenset({"css", "js", "mjs", "map", "scss", "sass", "less", "webmanifest"})
DATA_EXTENSIONS = frozenset({"json", "txt", "rss", "atom"})
SVG_EXTENSIONS = frozenset({"svg", "svgz"})
# Types of mime.types a browser renders as a document, and the extensions of programs an application runs
PAGE_EXTENSIONS = frozenset({
    "html", "htm", "shtml", "xhtml", "xht", "xml", "xsl", "xslt", "mml", "wml", "wmlc", "xspf", "kml", "jad",
    "php", "phtml", "jsp", "asp", "aspx", "cgi", "pl", "pm", "py", "rb", "fcgi"})
# The directory a build tool writes its hashed bundles to (Vite's and Rails' `/assets/`, Django's and Create
# React App's `/static/`, Next.js's `/_next/static/`, Nuxt's `/_nuxt/`): scripts, style sheets, fonts, images.
_BUILT_DIRECTORIES = re.compile(r"(?:.*/)?(?:assets|packs|static|_next/static|_nuxt)/?")
# The names a build tool gives the scripts it writes at the site's root with a hash (Workbox's service-worker
# runtime, `workbox-5a3f9c.js`, which vite-plugin-pwa and workbox-build emit)
_BUILT_NAMES = re.compile(r"workbox-")
# A regex location on such directories at the URI's start (`^/(assets|packs)/`, Rails' with Webpacker's bundles;
# `^/static/.*`), whatever file below them it takes.
_BUILT_DIRECTORIES_REGEX = re.compile(r"\^/(?:\((?:\?:)?([\w/|-]+)\)|([\w/-]+))/(?:\.[*+]|\(\.[*+]\))?")
# `\.(?:woff|woff2)$`, `\.(png|jpe?g)$`, `.*\.(ttf|otf)$`, `^/[^/]+\.(css|js|map)$`, `favicon\.ico$`: a regex
# location on the name's extension alone, whatever comes before the group but a top-level alternative, which the
# `$` would not bind; the group's alternatives are read by `_spellings`. An optional query after the extension
# (`(\?[0-9]+)?`, a cache-busting version) matches nothing: nginx matches locations against the URI without its
# arguments.
_EXTENSIONS = re.compile(r"^(.*?)\\\.(?:\((?:\?:)?([A-Za-z0-9|?()\\.:]+)\)|([A-Za-z0-9?]+))"
                         r"(?:\((?:\?:)?\\\?[^()]*\)\?)?\$$")
_MOST_SPELLINGS = 64
# PCRE's `(?<name>…)`, which Python spells `(?P<name>…)`
_PCRE_NAMED_GROUP = re.compile(r"\(\?<(?=[A-Za-z_])")
UNKNOWN = object()  # a regular expression Python cannot read: the match is not known


class Match(NamedTuple):
    modifier: str  # "" (prefix), "=", "^~", "~", "~*" or "@" (named)
    pattern: str
    arg: int  # the argument that holds the pattern

    @property
    def regex(self) -> bool:
        return self.modifier in ("~", "~*")

    @property
    def prefix(self) -> bool:
        """A prefix match whose remainder of the URI is appended to alias or to a proxy_pass URI."""
        return self.modifier in ("", "^~")


# The last path segment of the locations probes ask (`location = /healthz`, `/ping`, `/nginx-health`, a load
# balancer's `/lbcheck`).
_HEALTH_CHECK = re.compile(r"(?:[\w-]*[-_])?(?:health|healthz|healthcheck|health-check|ping|ready|readyz|live|livez|"
                           r"alive|liveness|readiness|heartbeat|lb[-_]?check)", re.IGNORECASE)

# The kinds of probe a health path names below it (`/healthz/startup`, `/health/started`)
_PROBE_KINDS = frozenset({"startup", "started", "liveness", "readiness"})


def probe_location(location) -> bool:
    """The location is named for a health check (`location = /healthz`, `/_ping`, `/admin/monitor/health`): a
    probe asks it, and what it answers is for the prober to reach."""
    if not location.args:
        return False
    segments = location.args[-1].rstrip("/$").split("/")
    if len(segments) > 1 and segments[-1].lower() in _PROBE_KINDS:
        segments.pop()  # `/healthz/startup`: the startup probe's own path below the health check's
    return bool(_HEALTH_CHECK.fullmatch(segments[-1]))


def hands_off(node) -> bool:
    """The directive hands the request to an application: a `*_pass`, or a Lua content or access handler."""
    return node.name.endswith("_pass") or node.name.startswith(("content_by_", "access_by_"))


def may_match(location, uri: str) -> bool:
    """The regex location may take the URI: its regex finds it, or Python cannot read the regex (uncertain)."""
    return regex_finds(location, uri) is not False


def regex_finds(location, uri: str) -> bool | None:
    """Whether the regex location's pattern finds the URI (`~*` without case); None when Python cannot read it."""
    match = location_match(location)
    found = _compiled(match.pattern, match.modifier == "~*")
    return None if found is None else found.search(uri) is not None


@lru_cache(maxsize=1024)
def _compiled(pattern: str, caseless: bool) -> re.Pattern | None:
    return compile_foreign(_PCRE_NAMED_GROUP.sub("(?P<", pattern), re.IGNORECASE if caseless else 0)


def _built_regex(match: Match) -> bool:
    """A regex location on build tools' output directories alone (`^/(assets|packs)/`)."""
    found = _BUILT_DIRECTORIES_REGEX.fullmatch(match.pattern)
    names = (found.group(1) or found.group(2)).split("|") if found else ()
    return bool(names) and all(_BUILT_DIRECTORIES.fullmatch(name) for name in names)


def served_kinds(node) -> frozenset[str] | None:
    """What a location on one file (`= /favicon.ico`), on a build tool's output directory (`/assets/`) or a regex
    location on the name's extension alone serves: "asset", "built", "data", "svg" (the *_EXTENSIONS above) or
    "page" (None for a file location); "text" for a location that answers with a fixed text of the site's own
    (`fixed_text`; an `if` too), or with nginx's own error page (`return 401;`), or with text or data files nginx reads from disk,
    typed by mime.types; "empty" for a location, `if` or server that answers with no body (`bodiless`) or with a
    redirect, whose body no browser renders (it follows the Location); None for any other block."""
    if node.name in ("location", "if", "server") and (bodiless(node) or _redirects(node)):
        return frozenset({"empty"})
    if node.name in ("location", "if") and _builtin_error_page(node):
        return frozenset({"text"})
    if node.name == "if" and _answering_return(node) is not None and _fixed_answer(node):
        return frozenset({"text"})  # `if (…) { return 503 "disabled\n"; }`: a text of the site's own
    match = location_match(node) if node.name == "location" else None
    if match is None:
        return None
    if fixed_text(node, match) or _own_types_serve_no_page(node):
        return frozenset({"text"})
    if match.prefix and (_BUILT_DIRECTORIES.fullmatch(match.pattern.lstrip("/"))
                         or _BUILT_NAMES.fullmatch(match.pattern.lstrip("/"))) or match.regex and _built_regex(match):
        return frozenset({"built"})
    if not match.regex and match.modifier in ("", "=", "^~"):
        name = match.pattern.rsplit("/", 1)[-1]  # `location = /favicon.ico`: that file
        names = [name] if "." in name.strip(".") else None
    else:
        names = extension_names(match)
        if names:  # nginx takes the first regex location that matches: what an earlier one takes never comes here
            names = [name for name in names if name not in _taken_before(node, match)] or names
    if not names:
        return None
    handed_off = any(hands_off(inner) for inner in node.walk())
    kinds = {_kind(name.rsplit(".", 1)[-1].lower()) for name in names}
    if None in kinds:  # an extension mime.types does not name
        kinds = (kinds - {None}) | {_unnamed_kind(node, handed_off)}
    if not match.regex and "page" in kinds:
        return None
    if not handed_off:
        kinds = {"text" if kind == "data" else kind for kind in kinds}  # the site's own files, typed as declared
    return frozenset(kinds)


def _taken_before(node, match: Match) -> set[str]:
    """The extensions the regex locations on extensions before this one in its block take, as its match reads them
    (a case-sensitive one before a caseless one leaves it the other spellings: none counted)."""
    taken: set[str] = set()
    for sibling in node.parent.children or () if node.parent is not None else ():
        if sibling is node:
            break
        earlier = location_match(sibling) if sibling.name == "location" else None
        if earlier is not None and earlier.regex and (earlier.modifier == "~*" or match.modifier == "~"):
            taken.update(extension_names(earlier) or ())
    return taken


@lru_cache(maxsize=4096)
def extension_names(match: Match) -> tuple[str, ...] | None:
    """The names of the extensions a regex location on the name's extension alone takes (`~* \\.(css|js)$`:
    css, js), lowercase; None for any other location."""
    found = _EXTENSIONS.match(match.pattern) if match.regex else None
    if found is None or _alternatives(found.group(1)):
        return None
    spelled = _spellings((found.group(2) or found.group(3)).lower())
    return tuple(spelled) if spelled is not None else None


def _alternatives(pattern: str) -> bool:
    """The pattern holds a `|` outside any group or class: its parts are matched apart."""
    return any(pattern[at] == "|" for at in top_level(pattern))


def top_level(pattern: str):
    """The offsets of a regex's characters outside any group, class or escape: its top level."""
    depth, in_class, escaped = 0, False, False
    for at, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            yield at


def front_page(block):
    """The location that answers the front page `/` of the server `block` lies in, where the config writes one
    (`location /`, `location = /`): a browser records HSTS from any answer, and every visitor of a site meets this
    one first. None outside a server, where no location takes "/" (an API host's root may be no page anyone
    visits), or where the choice is not known."""
    server = block.enclosing("server") if block.name != "server" else block
    if server is None:
        return None
    found = match_location(server, "/")
    return None if found is UNKNOWN else found


# Statuses whose answer has no body (RFC 9110 15.3.5, 15.4.5): nothing a browser renders, frames, sniffs or loads
BODILESS = frozenset({204, 304})


def bodiless(block) -> bool:
    """Every answer of the block is a `return 204` or `304` (the CORS preflight's `if ($request_method = OPTIONS) {
    add_header Access-Control-Allow-Origin …; return 204; }`), or a 2xx `return` without a text (`return 200;`
    answers with an empty body: nginx 1.22 sends `Content-Length: 0`)."""
    status, text = _answer(block)
    return status in BODILESS or (status is not None and 200 <= status < 300 and not text)


def _redirects(block) -> bool:
    """Every answer of the block is a redirect: `return 302 /login;` or `return https://…;`."""
    answer = _answering_return(block)
    if answer is None:
        return False
    first = answer.args[0]
    return first in REDIRECTS and len(answer.args) > 1 or first.startswith(_URL_STARTS)


def _builtin_error_page(block) -> bool:
    """Every answer of the block is a `return` of an error status without a text (`return 401;`): nginx's own error
    page, a fixed text with no script and nothing the client chose (or, where `error_page` names the status, the
    answer of the location it names, which has its own headers)."""
    status, text = _answer(block)
    return status is not None and 400 <= status < 600 and not text


# The statuses add_header adds its header to without `always` (ngx_http_headers_filter).
ADDED_STATUSES = frozenset({200, 201, 204, 206, 301, 302, 303, 304, 307, 308})


def header_added(add_header, status: int | None) -> bool:
    """Whether nginx adds an add_header line's header to an answer of the status (None: not known, so it may):
    without `always`, only to the ADDED_STATUSES."""
    return status is None or status in ADDED_STATUSES or "always" in add_header.args[2:]


def ends_request(block) -> bool:
    """The `if` answers the request itself (`return`, a redirecting `rewrite`): its other directives configure that
    answer, as the config reads, and no later if, try_files or handler runs. (`rewrite … last` leaves for another
    location instead, where the if's settings are lost.)"""
    for child in block.children or ():
        if child.name == "return":
            return True
        if child.name == "rewrite" and len(child.args) >= 2 and rewrite_redirects(child):
            return True
    return False


def preflight(block) -> bool:
    """An `if ($request_method = OPTIONS)` that answers with no body: the CORS preflight's answer."""
    return block.name == "if" and [arg.upper() for arg in if_condition(block)] == ["$REQUEST_METHOD", "=", "OPTIONS"] \
        and bodiless(block)


def fixed_status(block) -> int | None:
    """The status every answer of the block has, where a `return` answers them all. None where it is not so."""
    return _answer(block)[0]


def error_page_status(block) -> int | None:
    """The status of nginx's own error page, where every answer of the block is one (`return 401;`, no text)."""
    status, text = _answer(block)
    return status if status is not None and status >= 400 and not text else None


def _answer(block) -> tuple[int | None, bool]:
    """(the status of the `return` that answers every request of the block, whether it sends a text); (None, False)
    where no return answers them all, or its first argument is no status (`return https://…;`)."""
    answer = _answering_return(block)
    if answer is None:
        return None, False
    return parse_uint(answer.args[0]), len(answer.args) > 1


def _answering_return(block):
    """The `return` that answers every request of the block: it is the first of the rewrite module's directives in
    the block (so it answers before any handler runs, and no `if` or `rewrite` may answer otherwise) and no
    location inside the block takes requests of its own."""
    children = block.children or ()
    if any(child.name == "location" for child in children):
        return None
    first = _first_rewrite_step(children)
    return first if first is not None and first.name == "return" and first.args else None


def _first_rewrite_step(children):
    """The first `return`, `if` or `rewrite` that may end the rewrite phase: a `rewrite` without a flag that sets a
    URI, not a redirect, lets the next directive run."""
    return next((child for child in children if child.name in ("return", "if") or child.name == "rewrite" and
                 not (len(child.args) == 2 and not rewrite_redirects(child))), None)


def answers_nothing_of_the_user(block) -> bool:
    """No answer going out with the block's add_header list holds anything a request or the user's cookies chose:
    each request is answered by a redirect (whose body is nginx's own page), a `return` of the config's own text (no
    variable), or leaves for another location (`rewrite … last`), whose own headers go out with its answer. A
    server's requests are its locations', a `location /` among them (a request no location takes would be served
    from the server's root)."""
    locations = [child for child in block.children or () if child.name == "location"]
    if not locations:
        step = _first_rewrite_step(block.children or ())
        if step is None or step.name == "if" or not step.args:
            return False
        if step.name == "rewrite":
            return rewrite_redirects(step) or step.args[2:] == ["last"]
        return step.args[0] in REDIRECTS or not any("$" in arg for arg in step.args[1:])
    if block.name != "server" or not any((match := location_match(loc)) is not None and match.prefix and
                                         match.pattern == "/" for loc in locations):
        return False
    return all(answers_nothing_of_the_user(loc) for loc in locations)


# `^`, `.*`, `^(.*)$`, `^/static/(.*)$`, `^/static/(version\d*/)?(.*)$`: a literal start, then groups that may match
# nothing, then anything (what `.` takes: all but a newline).
_EVERYTHING_AFTER = re.compile(r"\^?(?P<literal>[\w/~-]*)(?:\([^()]*\)\?)*(?:(?:\.\*|\(\.\*\))\$?)?")


def rewrite_takes_every_uri(rewrite, location, flags=("break",)) -> bool:
    """A `rewrite … break` (or with another of `flags`) whose regex matches every URI (holding no newline) that
    reaches its location: a literal start that the location's own prefix begins with, then anything. Anchored or
    not: every URI of `location /pad/p/` holds `/pad/p/` (`rewrite /pad/p/(.*) /p/$1 break;`)."""
    if len(rewrite.args) != 3 or rewrite.args[2] not in flags:
        return False
    found = _EVERYTHING_AFTER.fullmatch(rewrite.args[0])
    if found is None:
        return False
    match = location_match(location)
    prefix = match.pattern if match is not None and match.prefix else "/"
    return prefix.startswith(found.group("literal"))


def rewrite_redirects(rewrite) -> bool:
    """The rewrite answers with a redirect, by its flag or by a replacement with a scheme whatever the flag: the
    request ends there, and the URI it would have set reaches nothing after it."""
    flag = rewrite.args[2] if len(rewrite.args) > 2 else ""
    return flag in ("redirect", "permanent") or rewrite.args[1].startswith(_URL_STARTS)



def fixed_text(node, match: Match) -> bool:
    """The location answers with a text the site wrote, not a page and nothing a client chose: an exact location on
    a text file (`location = /robots.txt`, ads.txt, humans.txt, security.txt) or a location under RFC 8615's
    `/.well-known/` (site metadata for programs) that serves files from disk, a `return 200 "ok";` of literal
    text without markup, or a `return 200 "addr: $remote_addr";` of the connection's facts sent with a
    default_type no browser renders as a page. Nothing in it, nor in a block inside it, hands the request on or
    answers otherwise."""
    inside = list(node.walk())
    if any(other.name == "if" or hands_off(other) for other in inside):
        return False
    if _fixed_answer(node):
        return True
    if any(other.name == "return" for other in inside):
        return False  # not the file
    path = match.pattern.lower()
    if match.modifier == "=" and path.endswith(".txt"):
        return True
    return (match.prefix or match.modifier == "=") and (path + "/").startswith("/.well-known/")


def _fixed_answer(node) -> bool:
    """The location's own first `return` is a fixed text: `return 200 "pong";` of literal text without markup, or
    one whose variables are the connection's facts (`$remote_addr`, GeoIP data), sent with a default_type that no
    browser renders as a page."""
    answer = next((child for child in node.children or () if child.name == "return"), None)
    if answer is None or len(answer.args) != 2 or not answer.args[0].isdigit() or answer.args[0] in REDIRECTS:
        return False
    text = answer.args[1]
    if "$" not in text:
        return "<" not in text
    return all(_fact_of_connection(name) for name in _VARIABLE.findall(text)) and _plain_default_type(node)


# A return with one of these codes takes a URL, not a text
REDIRECTS = frozenset({"301", "302", "303", "307", "308"})
# A `return` or `rewrite` whose URL starts so redirects (ngx_http_rewrite_module)
_URL_STARTS = ("http://", "https://", "$scheme")
_VARIABLE = re.compile(r"\$\{?(\w+)")
# Variables that hold what the server and the client's connection are, not what a request's URL, body or headers
# chose nor its credentials: another site that has the browser load the answer learns nothing it does not see.
_CONNECTION_FACTS = frozenset({
    "remote_addr", "remote_port", "realip_remote_addr", "realip_remote_port", "binary_remote_addr", "server_addr",
    "server_port", "server_name", "hostname", "nginx_version", "pid", "msec", "time_iso8601", "time_local",
    "connection", "scheme", "https", "server_protocol", "request_id", "http_x_forwarded_for", "http_x_real_ip",
    "proxy_add_x_forwarded_for", "ssl_protocol", "ssl_cipher", "http2", "http3"})


def _fact_of_connection(name: str) -> bool:
    return name in _CONNECTION_FACTS or name.startswith(("geoip_", "geoip2_"))


# Types a browser renders as a document that can run script; any type not known here counts as one
_PLAIN_TYPES = frozenset({"text/plain", "application/json", "application/octet-stream", "text/csv"})


# The types a browser renders as a document
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"})


def _own_types_serve_no_page(location) -> bool:
    """A location that serves its files itself with a `types {}` block of its own that names no page type
    (`location /hls { types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; } root /tmp; }`), under a plain
    default_type: every file it answers with goes out as one of those types, or as text or a download."""
    own = [child for child in location.children or () if child.name == "types" and child.children]
    return bool(own) and not any(hands_off(inner) for inner in location.walk()) and _plain_default_type(location) \
        and not any(entry.name.lower() in _PAGE_TYPES for block in own for entry in block.children)


def _plain_default_type(node) -> bool:
    """The answer's type, the nearest default_type (text/plain, nginx's own, once an http block is reached), is
    one a browser shows as text or saves: not a page. In a fragment the including block's is out of view: nginx's
    own, or application/octet-stream that its stock nginx.conf sets, is taken."""
    for level in (node, *node.ancestors()):
        declared = level.find("default_type")
        if declared:
            return declared[-1].args[:1] != [] and declared[-1].args[0].lower() in _PLAIN_TYPES
        if level.name == "http":
            return True  # nginx's default: text/plain
    return True


def _kind(extension: str) -> str | None:
    """The kind of the files of a mime.types extension; None for an extension it does not name."""
    for kind, extensions in (("asset", ASSET_EXTENSIONS), ("built", BUILT_EXTENSIONS), ("data", DATA_EXTENSIONS),
                             ("svg", SVG_EXTENSIONS), ("page", PAGE_EXTENSIONS)):
        if extension in extensions:
            return kind
    return None


def _unnamed_kind(location, handed_off: bool) -> str:
    """A file whose extension mime.types does not name (`.feed`, `.jsx`) goes out with the default_type: text a
    browser shows as such, or a file it saves, where that type is plain and nginx serves the file itself; where
    an application answers (`handed_off`), it sets the type."""
    return "data" if not handed_off and _plain_default_type(location) else "page"


def _spellings(pattern: str) -> list[str] | None:
    """Every name a group of alternatives spells: `jpe?g|css(\\.map)?` -> jpg, jpeg, css, css.map; None for
    anything else a regex can say (a class, a repeat, a wildcard) or too many names."""
    names: list[str] = []
    depth, start = 0, 0
    for at, char in enumerate(pattern + "|"):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            spelled = _sequence(pattern[start:at])
            if not spelled:
                return None
            names.extend(spelled)
            start = at + 1
    return names if depth == 0 and len(names) <= _MOST_SPELLINGS else None


def _sequence(text: str) -> list[str] | None:
    """The names one alternative spells: letters, `\\.`, a group (optionally `?:`), each optionally with `?`."""
    names, at = [""], 0
    while at < len(text):
        if text.startswith("\\.", at):
            options, at = ["."], at + 2
        elif text[at] == "(":
            close = _closing(text, at)
            inner = text[at + 1:close]
            options = _spellings(inner[2:] if inner.startswith("?:") else inner) if close > 0 else None
            if options is None:
                return None
            at = close + 1
        elif text[at].isalnum():
            options, at = [text[at]], at + 1
        else:
            return None
        if text.startswith("?", at):
            options, at = [*options, ""], at + 1
        names = [name + option for name in names for option in options]
        if len(names) > _MOST_SPELLINGS:
            return None
    return names if names != [""] else None


def _closing(text: str, at: int) -> int:
    """Where the group opened at `at` closes; -1 when it does not."""
    depth = 0
    for index in range(at, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return index
    return -1


def location_match(node) -> Match | None:
    """None for a location without arguments (nginx refuses it anyway)."""
    return _match_of(tuple(node.args)) if node.args else None


@lru_cache(maxsize=4096)
def _match_of(args: tuple[str, ...]) -> Match:
    """The match a location's arguments write, read once per spelling (rules ask every location again and again)."""
    first = args[0]
    if len(args) >= 2 and first in MODIFIERS:
        return Match(first, args[1], 1)
    if first.startswith("@"):
        return Match("@", first[1:], 0)
    # nginx also takes the modifier glued to the pattern: `location ~^/api`, `location =/`
    for modifier in ("^~", "~*", "=", "~"):
        if first.startswith(modifier) and len(first) > len(modifier):
            return Match(modifier, first[len(modifier):], 0)
    return Match("", first, 0)


def match_location(block, path: str):
    """The location of `block` (a server or location Node) that nginx picks for `path`; None; or UNKNOWN.

    As ngx_http_core_find_location: an exact `=` match wins at once; else the longest prefix, whose nested
    locations are searched first; then, unless that prefix is `^~`, this level's regular expressions in order.
    A `^~` only spares its own level's expressions: the levels around it still try theirs. A matching
    expression's nested locations are searched as well. None when nothing matches at any level.
    """
    return _find_location(block, path, None)[0]


def _find_location(block, path: str, current):
    """(location, final): `final` when the search is over (exact or regex match, or UNKNOWN); else the deepest
    prefix found so far, which the enclosing levels' regular expressions may still override."""
    prefix, prefix_len, regexes = None, -1, []
    for node in block.find("location"):
        parsed = location_match(node)
        if parsed is None or parsed.modifier == "@":
            continue  # a named location serves no URI
        mod, uri = parsed.modifier, parsed.pattern
        if is_unknown(uri):
            return UNKNOWN, True  # a template fills the location's path in: which one nginx picks is not known
        if mod == "=":
            if path == uri:
                return node, True
        elif mod in ("", "^~"):
            if path.startswith(uri) and len(uri) > prefix_len:
                prefix, prefix_len = node, len(uri)
        else:
            regexes.append(node)
    noregex = False
    if prefix is not None:
        found, final = _find_location(prefix, path, prefix)
        if final:
            return found, True
        current, noregex = found, location_match(prefix).modifier == "^~"
    if not noregex:
        for node in regexes:
            matched = regex_finds(node, path)
            if matched is None:
                return UNKNOWN, True
            if matched:
                return _find_location(node, path, node)[0], True
    return current, False
