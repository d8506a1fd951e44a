"""Configs that are not deployed as they stand: templates whose servers answer only to names reserved for
documentation, configs that log at debug level, upstreams that are stand-ins for the user's own, and fill-in
placeholders the user replaces before use (`[FULLCHAIN FILE NAME]`, `<your-domain>`)."""
from __future__ import annotations

import re

from .listen import http_servers

# Names reserved for documentation and testing (RFC 2606, RFC 6761): no deployment answers the public under them.
# `localhost` is left out on purpose: stock configs name their catch-all server so, and serve everyone with it.
DOCUMENTATION_DOMAINS = ("example.com", "example.net", "example.org")
DOCUMENTATION_TLDS = ("example", "test", "invalid")
# Public services that echo requests back, made for trying HTTP clients: an upstream for a demonstration only.
ECHO_SERVICES = ("httpbin.org", "httpbin.io", "postman-echo.com")


def is_documentation_name(name: str) -> bool:
    """`example.com`, `www.example.org`, `*.example.net`, `shop.test`, `.example`: a name the user must replace."""
    name = name.lower().rstrip(".").lstrip("*").lstrip(".")
    if not name:
        return False
    return any(name == domain or name.endswith("." + domain) for domain in DOCUMENTATION_DOMAINS) or any(
        name == tld or name.endswith("." + tld) for tld in DOCUMENTATION_TLDS)


# An IPv4 address with its unknown parts written as x's (`xxx.xxx.xxx.xxx`, `10.0.4.xx`, `192.168.x.x`), or a token
# a start script replaces, wrapped in double underscores (`proxy_pass __LOWCODER_API_SERVICE_URL__;`).
_ADDRESS_PLACEHOLDER = re.compile(r"(?=.*x)(?:\d{1,3}|x{1,3})(?:\.(?:\d{1,3}|x{1,3})){3}|__[a-z][a-z0-9_]*__")


# An upper-case name of words joined by `_` (`DEFAULT_RPC_IP`, `BACKEND_HOST`): a variable's name, for a script or a
# reader to replace with the address (`sed -i "s/DEFAULT_RPC_IP/10.0.0.5/"`), not a host anyone names so
_NAME_PLACEHOLDER = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def is_stand_in_host(host: str) -> bool:
    """An upstream host that only stands in for the user's own: a documentation name, a name under `localhost`
    (RFC 6761: `app.localhost`, a local trial's), a public echo service, or an address or name to fill in
    (`10.0.4.xx`, `__API_URL__`, `DEFAULT_RPC_IP`)."""
    name = host.lower().rstrip(".")
    return is_documentation_name(name) or name.endswith(".localhost") or _ADDRESS_PLACEHOLDER.fullmatch(name) \
        is not None or any(name == s or name.endswith("." + s) for s in ECHO_SERVICES) \
        or _NAME_PLACEHOLDER.fullmatch(host) is not None


# Suffixes of a file shipped for the user to copy into place under its own name (`site.conf.example` -> `site.conf`)
ACTIVATED_SUFFIXES = (".example", ".sample", ".dist")
# Those of files read whether or not anything copies them into place (a `.sample` is read only where a start script
# or a base image copies it, container/placed.py)
_READ_UNCOPIED = (".example", ".dist")


def why_not_deployed(tree) -> str | None:
    """Why a config tree is not served to the public as it stands, or None.

    A main config that logs at debug level is run by its developers (the debug level records every step of every
    request: no public server runs with it). A fragment that lies below a main config (or in the prefix the
    settings name) which does not include it, and whose every http server answers only to documentation names, is
    a template to copy and rename ("replace example.com with your host"). A main config named so, and a fragment
    with no main config above it (a snippet tried out, a file an image's own nginx.conf includes), are still
    advised. So is a ConfigMap's config that nothing of its Helm chart mounts. A fragment shipped for the user to
    copy into place (`default.conf.example`) is the copy's source, unless a container puts it under a name of its
    own (`COPY default.conf.example /etc/nginx/conf.d/default.conf`): a mount of its directory leaves it a file
    that no `include *.conf` reads."""
    if tree.unmounted:
        return tree.unmounted
    if example_kept_aside(tree):
        return "example to copy into place"
    if tree.is_main:
        for node in tree.nodes("error_log"):
            if node.ctx == () and len(node.args) >= 2 and node.args[-1].lower() == "debug":
                return "debug-level error log"
        return None
    servers = http_servers(tree)
    if tree.conf_dir_known and servers and all(_named_for_documentation(server) for server in servers):
        return "template named for documentation"
    return None


def _named_for_documentation(server) -> bool:
    names = [name for node in server.find("server_name") for name in node.args]
    return bool(names) and all(is_documentation_name(name) for name in names)


def example_kept_aside(tree) -> bool:
    """A fragment shipped for the user to copy into place (`default.conf.example`) that no container puts under a
    name of its own: nginx loads the copy, never this file."""
    return not tree.is_main and (tree.root.display or "").endswith(_READ_UNCOPIED) \
        and (tree.binding is None or (tree.binding.container_path or "").endswith(ACTIVATED_SUFFIXES))


def undeployed_files(trees) -> set[str]:
    """The files (display paths) that only trees which are not deployed hold: a snippet that a deployed config
    includes as well keeps its findings."""
    return files_only_of(trees, why_not_deployed)


def files_only_of(trees, chosen) -> set[str]:
    """The files (display paths) that only the trees `chosen(tree)` picks hold; a file another tree includes too is
    that tree's as well."""
    picked: set[str] = set()
    others: set[str] = set()
    for tree in trees:
        (picked if chosen(tree) else others).update(tree.files)
    return picked - others


# Fill-in placeholders: upper-case words in square or angle brackets, two at least (`[FULLCHAIN FILE NAME]`,
# `[YOUR_DOMAIN]`, `<CERT_PATH>`; a regex class such as `[A-Z]` or `[ABC]` is none), or any words in brackets that
# start with "your" (`<your-domain>`, `[your.server.ip]`, `<YOUR VPS IP address>`), or any words in angle brackets
# where a URL's host or port goes (`http://<proxy to backend>:80`, `<nexus3 ip>:<nexus3 port>`). Angle brackets join
# upper-case words with `_` or `-` only (HTML's `<TD NOWRAP>` is no placeholder); a named capture (`(?<NAME_X>`,
# `(?P<NAME_X>`) and a key after a word (`env[DB_HOST]` in a PHP-FPM pool file) are none either. An upper-case name
# in `#{…}` inside a word, the interpolation of Ruby, CoffeeScript and the tools written in them (`server_name
# build.#{MAIN_DOMAIN};`), is one too: nginx would read its `{` as a block's start (a `#` that starts a word starts a
# comment). So is autoconf's `@NAME@` (`include @NGINX_CONF_PATH@/http.conf;`), which an install package replaces
# when it renders the file, and a provisioning script's `##NAME##` (`root ##INSTALL_DIR##/static;`, which its `sed -i
# "s@##${var}##@…@g"` fills in; unmasked, its `#` would start a comment). So is an address with question marks for
# its unknown parts (`???.???.???.???`, "replace with your backend's address"), wherever it stands: no regex or value
# holds one as written. So is a quoted argument that is a `{name}` alone (`access_by_lua_file "{lua_resolve_host}";`),
# Python's str.format slot or a name a setup script replaces.
# So is what a secret scrubber left (BFG Repo-Cleaner's `***REMOVED***`, `***REMOVED: example.ddns.com***`,
# `***REDACTED***`), a value the user puts back.
# Every repetition starts with a separator its words cannot hold: the scan is linear.
_FILL_IN = re.compile(
    r"(?<!\w)\[(?:(?P<upper>[A-Z][A-Z0-9]+(?:[ _-][A-Z0-9]+){1,8})"
    r"|(?i:your)[ _.-]?[A-Za-z0-9]+(?:[ _.-][A-Za-z0-9]+){0,8})\]"
    r"|(?<![?P])<(?:(?P<angle>[A-Z][A-Z0-9]+(?:[_-][A-Z0-9]+){1,8})"
    r"|(?i:your)[ _.-]?[A-Za-z0-9]+(?:[ _.-][A-Za-z0-9]+){0,8})>"
    r"|(?<=//|.:)<(?P<slot>[A-Za-z][A-Za-z0-9]*(?:[ _.-][A-Za-z0-9]+){0,8})>"
    r"|(?<=[^\s;{}])#\{(?P<hash>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+){0,8})\}"
    r"|(?<![\w@])@(?P<at>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+){0,8})@(?![\w@])"
    r"|(?<![\w#])##(?P<hashes>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+){0,8})##(?![\w#])"
    r"|(?<![\w?.])(?=[\d.]*\?)(?:\d{1,3}|\?{1,3})(?:\.(?:\d{1,3}|\?{1,3})){3}(?![\w?.])"
    r"|(?<=[\"'])\{[a-z_][a-z0-9_]*\}(?=[\"'])"
    r"|\*\*\*(?:REMOVED|REDACTED)(?::[^*\n]{0,200})?\*\*\*"
)


_AUTOCONF_NAME = re.compile(r"@[A-Z][A-Z0-9_]*@")
# A path whose first part is an upper-case token (`PH_NGINX_CONF_TMPL_DIR/ssl.tmpl`, `VALET_HOME_PATH/Log/x.log`): a
# word an installer's `sed`/`perl -pi` replaces with a real path before nginx reads the file, never a directory name.
INSTALLER_TOKEN = re.compile(r"[A-Z][A-Z0-9]*_[A-Z0-9_]*(?:/|$)")


def fill_ins(text: str) -> list[tuple[int, int]]:
    """Offsets [start, end) of the fill-in placeholders in a config's text: values, so after a directive's name
    on their line (a bracketed line alone is an INI section, `[SETTINGS_MAIN]`).

    Upper-case words count only outside quotes and comments: in a quoted string (`log_format '[ACCESS LOG] …'`,
    `return 503 "[MAINTENANCE MODE]"`) they are text the config sends as written. A "your …" placeholder counts
    wherever it stands, but not in a comment."""
    if "[" not in text and "<" not in text and "#{" not in text and "??" not in text and '"{' not in text \
            and "'{" not in text and "***" not in text and "##" not in text and not _AUTOCONF_NAME.search(text):
        return []  # (named locations put `@` in most configs: only an `@NAME@` is worth the full scan)
    found = []
    seen = 0  # the text up to here is read into `worded`, `quoted` and `commented`, for the line it is on
    worded = quoted = commented = False
    for match in _FILL_IN.finditer(text):
        start = match.start()
        newline = text.rfind("\n", seen, start)
        if newline >= 0:
            seen, worded, quoted, commented = newline + 1, False, False, False
        before = text[seen:start]
        worded = worded or bool(before.strip())
        quoted = quoted or '"' in before or "'" in before
        commented = commented or "#" in before
        seen = start
        if not worded or commented or quoted and (match.group("upper") or match.group("angle") or match.group("hash")
                                                  or match.group("at") or match.group("slot") or match.group("hashes")):
            continue
        found.append(match.span())
    return found
