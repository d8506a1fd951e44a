"""Is a file an nginx config? Decided by content first (the parse the loader does anyway), by name second.

Discovery picks files by name (`*.conf`, `*.template`, `conf.d/*`), and many such files belong to other programs:
INI files (OpenSSL, supervisord, casbin, systemd units), `key = value` settings (kong.conf, sysctl.conf), YAML,
Dockerfile templates, shell scripts, logrotate and JAAS configs. nginx's own shape is plain: directives nginx
knows, each ending with `;` or opening a `{ }` block. So:

1. The directives the parse found are counted: known to nginx (core, Lua and third-party modules) or not.
   Entries of free-form blocks (`map`, `geo`, `types`, …) are not directives and are not counted. A file whose
   directives are mostly known is nginx, even with a syntax error somewhere.
2. Otherwise each line is looked at (Lua block bodies skipped): the first word, and the shapes of other formats
   (`[section]` headers, `key = value`, `key: value`, `Key value` under a section, Dockerfile instructions, a
   shebang, HOCON's `include classpath(…)` and `${?VAR}`, BIND's `zone "…" {` statements closed with `};`, …).
   Known names are then counted among directives and
   first words of lines together (`known_fraction`). Not nginx is:
   - a file mostly unknown to nginx that matches another format's shape (the reason names the format);
   - a file nginx cannot parse in which no line ends with `;` or opens a block (3 lines or more, or mostly
     unknown names), or in which fewer than one statement in five ends with `;` (mostly unknown names);
   - a file nginx cannot parse with a name other programs use (ld.so.conf, redis.conf, …);
   - a file nginx cannot parse with no name nginx knows at all.
   Everything else is nginx: entries included into `map` or `geo` blocks, unknown modules, broken configs.

A file in a directory named for another program (`fluent-bit/`, `zabbix_agentd.conf.d/`, `logrotate.d/`,
`supervisor/`, `php/`, …; no directory named for nginx or OpenResty below it) is nginx only when it holds a
directive nginx knows: such programs keep files about nginx under nginx's names (`parsers.d/nginx.conf`). One in a
daemon's directory whose words nginx shares (`dovecot/`, `bind/`), or in an Ansible role not named for nginx
(`roles/fastd/templates/fastd.conf`: a role installs one program), is nginx only when nginx could read it and it
holds two directives nginx knows besides `include`.

Before all that, a patch (a unified diff's `---`, `+++` and `@@` lines, a `diff --git` or `Index:` header) is not
nginx, whatever its lines hold: its context lines are often nginx directives of the file it changes. Nor is a
file of rsyslog's RainerScript statements (`action(type="omfile" …)` inside an `if (…) then {`), nor one whose
every statement starts with `@` (ferm's `@include 'conf.d/';`). Nor is a file
of APT's options (`APT::Install-Recommends "false";`) with no directive nginx knows: no nginx name holds `::`.
Nor is a file of notes: a statement whose name is no nginx name (prose, a shell prompt) running over more than ten
lines, as install records that paste nginx snippets between build flags and commands have.

A real nginx file must never be called not-nginx: when in doubt, the verdict is nginx.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from .parser import ParsedFile, parse
from .templates import RENDERED_SUFFIXES, UNKNOWN, hidden_ranges

NGINX, NOT_NGINX, EMPTY = "nginx", "not-nginx", "empty"

# Directives counted at most: a verdict on a huge file needs no more, and stays O(1) after the parse.
_ENOUGH = 4000
# Blocks whose entries are not directives.
_FREE_FORM = frozenset({"map", "geo", "types", "split_clients", "charset_map", "match", "geoip2", "lua"})


# Well-known file names of other programs, for content that is ambiguous on its own (`include /etc/x/*.conf`
# without a `;` is a broken nginx line or the whole of ld.so.conf).
_OTHER_PROGRAMS = {
    "ld.so.conf": "the dynamic linker's config", "sysctl.conf": "the kernel settings file",
    "resolv.conf": "the DNS resolver's config", "nsswitch.conf": "the name service switch config",
    "host.conf": "the resolver's config", "adduser.conf": "adduser's config", "deluser.conf": "deluser's config",
    "logrotate.conf": "logrotate's config", "rsyslog.conf": "rsyslog's config", "redis.conf": "Redis's config",
    "sentinel.conf": "Redis Sentinel's config", "mongod.conf": "MongoDB's config", "kong.conf": "Kong's config",
    "supervisord.conf": "supervisord's config", "php-fpm.conf": "PHP-FPM's config", "my.cnf": "MySQL's config",
    "openssl.cnf": "OpenSSL's config", "krb5.conf": "Kerberos's config", "ntp.conf": "NTP's config",
    "chrony.conf": "chrony's config", "dovecot.conf": "Dovecot's config", "haproxy.cfg": "HAProxy's config",
    "pf.conf": "the pf firewall's rules", "nftables.conf": "the nftables firewall's rules",
    "ldapd.conf": "OpenBSD ldapd's config", "slapd.conf": "OpenLDAP's config", "smtpd.conf": "OpenSMTPD's config",
    "httpd.conf": "Apache's (or OpenBSD httpd's) config", "relayd.conf": "OpenBSD relayd's config",
    "named.conf": "BIND's config", "dhcpd.conf": "the DHCP server's config", "keepalived.conf": "keepalived's config",
    "dhclient.conf": "the DHCP client's config", "tmux.conf": "tmux's config", ".tmux.conf": "tmux's config",
    "shiny-server.conf": "Shiny Server's config",
}


# Directories of programs that keep a file about nginx under nginx's names: a log shipper's parsers for nginx's logs
# (fluent-bit/parsers.d/nginx.conf), a monitoring agent's nginx check (zabbix_agentd.conf.d/nginx.conf), a log
# rotation entry, a process supervisor's program, PHP's pool, Logstash's grok patterns for nginx's log lines,
# Graphite's relay and cache (carbon-c-relay's `match * send to …;`), syslog-ng's sources that tail nginx's logs
# (`source s_nginx { file(…); };`). A file there is nginx's only when its content
# says so.
_PROGRAM_DIRECTORY = re.compile(
    r"(?:fluent-?bit|fluentd|td-agent(?:-bit)?|zabbix[\w.\-]*|logrotate\.d|rsyslog\.d|supervisor[\w.\-]*|"
    r"php[\w.\-]*|filebeat|telegraf[\w.\-]*|collectd[\w.\-]*|monit(?:rc)?(?:\.d)?|cron\.d|logstash|"
    r"carbon[\w.\-]*|graphite[\w.\-]*|syslog-ng|nxlog)$",
    re.IGNORECASE)


# Directories of daemons whose own configs share words with nginx's (Dovecot's `protocol imap { … }`, BIND's
# `include "…";`): a file there is nginx's only when nginx could read it and more than one word is nginx's.
_DAEMON_DIRECTORY = re.compile(
    r"(?:dovecot|postfix|exim4?|bind9?|squid|haproxy|varnish|redis|mysql|mariadb|postgresql|proftpd|vsftpd|clamav|"
    r"spamassassin|rspamd|opendkim|fail2ban|openvpn|unbound|dnsmasq|mosquitto|coturn|turnserver|icecast2?|prosody|"
    r"ejabberd)$", re.IGNORECASE)


def _program_directory(name: str, pattern: re.Pattern = _PROGRAM_DIRECTORY) -> str:
    """The nearest directory of the file's path named for another program than nginx, or "" (also when a directory
    named for nginx comes first: php/nginx/ holds nginx's files)."""
    for directory in reversed(name.split("/")[:-1]):
        if "nginx" in directory.lower() or "openresty" in directory.lower():
            return ""
        if pattern.match(directory):
            return directory
    return ""


def _other_role(name: str) -> str:
    """The Ansible role a file belongs to (`roles/fastd/templates/fastd.conf`: "roles/fastd") when the role is not
    nginx's: a role installs one program, and its files are that program's unless their content says nginx."""
    parts = name.split("/")[:-1]
    for index in range(len(parts) - 2, -1, -1):
        role = parts[index + 1].lower()
        if parts[index] == "roles":
            return "" if "nginx" in role or "openresty" in role else f"roles/{parts[index + 1]}"
    return ""


@dataclass(frozen=True)
class Verdict:
    """kind: "nginx", "not-nginx", or "empty" (nothing but comments and blank lines: nothing to lint)."""

    kind: str
    confidence: float  # 0..1, how sure the verdict is
    reason: str = ""  # for not-nginx: what the file looks like instead, in words a user understands

    @property
    def is_nginx(self) -> bool:
        return self.kind == NGINX


# `Dockerfile`, `Dockerfile.dev`, `Dockerfile-install.template`, `Containerfile`, `web.dockerfile`: Docker's names.
_DOCKERFILE_NAME = re.compile(r"^(?:dockerfile|containerfile)(?:[.\-_].*)?$|\.dockerfile(?:\..*)?$")

# A patch (a quilt patch in debian/patches/, `git format-patch` output): a unified diff's file headers and first hunk,
# a `diff --git` header, or Subversion's `Index:` header and its rule. Its context lines may be nginx directives.
_PATCH = re.compile(r"^(?:--- [^\n]*\n\+\+\+ [^\n]*\n@@ -[0-9]+(?:,[0-9]+)? \+[0-9]+(?:,[0-9]+)? @@"
                    r"|diff --git a/\S+ b/\S|Index: [^\n]+\n={20})", re.MULTILINE)
# Lines of a C-style config (BIND's named.conf: `// comment` lines over a few includes), against all lines that hold
# something other than a `#` comment.
_C_COMMENT = re.compile(r"^[ \t]*//", re.MULTILINE)
_ELLIPSIS_LINE = re.compile(r"^[ \t]*(?:\.\.\.|…)[ \t]*$", re.MULTILINE)  # a line of `...` alone
_CONTENT_LINE = re.compile(r"^[ \t]*[^\s#]", re.MULTILINE)
# A Kubernetes object: `apiVersion:` and `kind:` keys at the top level. Its ConfigMap may carry a whole nginx.conf
# in an indented block, whose directives would otherwise make it look like nginx.
_MANIFEST_KEYS = (re.compile(r"^apiVersion:[ \t]*\S", re.MULTILINE), re.compile(r"^kind:[ \t]*[A-Z]", re.MULTILINE))


# An APT option's name: scopes of letters joined by `::` (`APT::Install-Recommends`, `Acquire::http::Proxy`).
_APT_OPTION = re.compile(r"[A-Za-z][\w-]*::[A-Za-z]")
# A Logstash pipeline: `input {`, `filter {` or `output {` at the top (no nginx directive has those names) and its
# plugins' `key => value` settings.
# A function called at the start of a statement (`polkit.addRule(`, `console.log(`): code, never a directive name.
_FUNCTION_CALL = re.compile(r"[A-Za-z_][\w.]*\(")
# A directive name no config holds: outside the ASCII letters, digits and `_.-` of nginx's names (prose in any
# language, a shell prompt `user@host:~$`). With arguments running over many lines, the file is notes.
_NOT_A_NAME = re.compile(r"[^A-Za-z0-9_.\-]")
_PROSE_LINES = 10
# Top-level directives of SRS, the streaming server, whose configs borrow nginx's syntax (conf/full.conf of ossrs/srs)
_SRS_DIRECTIVES = frozenset({"srs_log_tank", "srs_log_level", "srs_log_file", "rtc_server", "srt_server",
                             "disable_daemon_for_docker", "inotify_auto_reload", "auto_reload_for_docker"})
# A line of the system's mime.types (/etc/mime.types, Python's and Apache's): a type, then its extensions, no `;`.
_SYSTEM_MIME_LINE = re.compile(r"[a-z]+/[\w.+-]+(?:[ \t]+[\w.+-]+)*[ \t]*")
# rsyslog's RainerScript statements: `action(type="omfile" …)`, `module(load="imuxsock")`, `template(name=…)`
_RAINERSCRIPT_OBJECTS = ("action", "module", "input", "template", "ruleset", "global", "main_queue")
_RAINERSCRIPT = re.compile(r"^[ \t]*(?:action|module|input|template|ruleset|global|main_queue)\([ \t]*"
                           r"(?:type|load|name|workDirectory|queue\.\w+)[ \t]*=", re.MULTILINE)
# RainerScript's conditions: `if $programname == 'kafkatee' then …`, `if (…) then {`, also over lines (nginx's `if`
# has no `then`; read only in a file that runs no Lua, whose `if … then` is Lua's)
_RAINERSCRIPT_IF = re.compile(r"^[ \t]*(?:else[ \t]+)?if\b[^{;#]{0,300}?[ \t)]then(?:[ \t]|$)", re.MULTILINE)
# A Perl program's pragma (amavisd's conf.d files, with no suffix): nginx's `use` picks an event method
_PERL_PRAGMA = re.compile(r"^use[ \t]+(?:strict|warnings)[ \t]*;", re.MULTILINE)
_LOGSTASH_SECTION = re.compile(r"^(?:input|filter|output)[ \t]*\{", re.MULTILINE)
_LOGSTASH_SETTING = re.compile(r"[\w\]\"][ \t]*=>[ \t]*[{\"\[\w]")

# Programs in other languages, named so: found where nginx's fragments sit (a shell's `conf.d/`, fish's
# `~/.config/fish/conf.d/`), they share words with nginx (`set`) but nginx never reads them.
_SCRIPT_SUFFIXES = {".fish": "a fish shell script", ".sh": "a shell script", ".bash": "a shell script",
                    ".zsh": "a zsh script", ".py": "a Python program", ".rb": "a Ruby program", ".pl": "a Perl program",
                    ".ps1": "a PowerShell script", ".vim": "a Vim script", ".js": "JavaScript", ".mjs": "JavaScript",
                    ".json": "JSON", ".html": "an HTML page", ".css": "a style sheet"}


def classify(text: str, name: str = "", parsed: ParsedFile | None = None,
             extra: frozenset[str] = frozenset()) -> Verdict:
    """The verdict for one file. `parsed` is the loader's parse of `text` (parsed here when not given);
    `extra` names directives the user declares as known."""
    from .directives import LUA_BLOCK_DIRECTIVES, is_known, known_shape  # the directive table is built on first use

    # a renderer's suffix: `settings.js.template` renders settings.js, whose own suffix tells what it is
    rendered = next((end for end in RENDERED_SUFFIXES if name.lower().endswith(end) and len(name) > len(end)), "")
    suffix = posixpath.splitext(name[:len(name) - len(rendered)])[1].lower()
    if suffix in _SCRIPT_SUFFIXES:
        return Verdict(NOT_NGINX, 1.0, f"{_SCRIPT_SUFFIXES[suffix]} (its name ends in {suffix}{rendered}), not an "
                       "nginx config")
    if _C_COMMENT.search(text) and len(_C_COMMENT.findall(text)) * 10 >= 3 * len(_CONTENT_LINE.findall(text)):
        return Verdict(NOT_NGINX, 0.9, "its comments start with //, as in BIND's or C's configs: nginx has none")
    if text.startswith("\n# Configuration checksum: ") or text.startswith("# Configuration checksum: "):
        # the controller rewrites it from the cluster's Ingress resources and its ConfigMap at every change
        return Verdict(NOT_NGINX, 1.0, "the nginx.conf ingress-nginx's controller generated (`# Configuration "
                       "checksum:`): change the Ingress resources or the controller's ConfigMap it is made from")
    if text.startswith("#cloud-config"):  # the header cloud-init requires; nginx configs it writes are YAML strings
        return Verdict(NOT_NGINX, 1.0, "a cloud-init config (#cloud-config): YAML that cloud-init reads, not nginx")
    content = (line for line in map(str.strip, text.split("\n")) if line and not line.startswith("#"))
    first = next(content, None)  # the first line that is not the format's stops the reading: most files, at once
    if first is not None and _SYSTEM_MIME_LINE.fullmatch(first) and all(map(_SYSTEM_MIME_LINE.fullmatch, content)):
        return Verdict(NOT_NGINX, 0.9, "the system's mime.types format (a type, then its extensions, as in "
                       "/etc/mime.types), not nginx's `types { }` block")
    if ("\n+++ " in text or "diff --git a/" in text or "Index: " in text) and _PATCH.search(text):
        # whatever its lines hold, nginx never reads a diff: `patch` or `quilt` applies it
        return Verdict(NOT_NGINX, 1.0, "looks like a patch (a unified diff), which patch, quilt or git applies to a "
                       "file; nginx does not read it")
    if "=>" in text and _LOGSTASH_SECTION.search(text) and len(_LOGSTASH_SETTING.findall(text, 0, 20000)) >= 2:
        return Verdict(NOT_NGINX, 0.9, "looks like a Logstash pipeline (input, filter or output blocks of "
                       "`key => value` settings)")
    if any(f"{word}(" in text for word in _RAINERSCRIPT_OBJECTS) and _RAINERSCRIPT.search(text) or \
            "_by_lua" not in text and "then" in text and _RAINERSCRIPT_IF.search(text):
        return Verdict(NOT_NGINX, 0.9, "looks like rsyslog's config (RainerScript statements such as "
                       "`action(type=…)` or `if … then`), not nginx directives")
    if ("strict" in text or "warnings" in text) and _PERL_PRAGMA.search(text):
        return Verdict(NOT_NGINX, 0.9, "a Perl program (`use strict;`), not an nginx config")
    if "apiVersion:" in text and all(key.search(text) for key in _MANIFEST_KEYS):
        return Verdict(NOT_NGINX, 1.0, "looks like a Kubernetes manifest (apiVersion and kind at its top level)")
    if parsed is None:
        parsed = parse(text, None, LUA_BLOCK_DIRECTIVES)
    call = next((d for d in parsed.directives if _FUNCTION_CALL.match(d.name)), None)
    if call is not None:  # `polkit.addRule(function(action, subject) {`: no nginx directive name holds a call
        return Verdict(NOT_NGINX, 0.9, f"looks like JavaScript or C code (`{call.name[:50]}`), not nginx directives")
    if parsed.directives and all(d.name.startswith("@") for d in parsed.directives):
        return Verdict(NOT_NGINX, 0.9, f"its statements start with @ (`{parsed.directives[0].name[:50]}`, as ferm's "
                       "@include and @def do), which no nginx directive does")
    scoped = next((d for d in parsed.directives if _APT_OPTION.match(d.name)), None)
    if scoped is not None and not any(known_shape(d.name, d.block is not None) for d in parsed.directives):
        return Verdict(NOT_NGINX, 0.9, f"looks like an APT config (`{scoped.name[:50]}`: option names scoped with "
                       "::, which no nginx directive has)")
    prose = next((d.full_span for d in parsed.directives if _NOT_A_NAME.search(d.name)
                  and d.full_span.end_line - d.full_span.line > _PROSE_LINES), None)
    if prose is not None:  # `这个上github` then a hundred lines of ./configure flags, commands and pasted snippets
        return Verdict(NOT_NGINX, 0.9, f"notes: line {prose.line} starts a statement that runs over "
                       f"{prose.end_line - prose.line + 1} lines with no nginx name, as prose and shell sessions do")
    srs = next((d.name for d in parsed.directives if d.name in _SRS_DIRECTIVES), None)
    if srs is not None:  # nginx-like syntax, and names only SRS gives its top level
        return Verdict(NOT_NGINX, 0.9, f"looks like an SRS (Simple Realtime Server) config (`{srs}`), not nginx's")
    known, unknown, assignments, lua_ranges, includes = _count(parsed.directives, known_shape, extra)
    elided = next((m for m in (_ELLIPSIS_LINE.finditer(text) if "..." in text or "…" in text else ())
                   if not any(start <= m.start() < end for start, end in lua_ranges)), None)
    if elided is not None:  # `http {` then `...` then the lines of interest: notes or docs, not a config to load
        return Verdict(NOT_NGINX, 0.9, "an excerpt: its `...` lines stand for parts left out, as in notes and docs; "
                       "nginx would not load it")
    verdict = _by_content(text, name, parsed, (known, unknown, assignments), lua_ranges, is_known, extra, known_shape)
    directory = _program_directory(name)
    if directory and not known and (verdict.kind != NOT_NGINX or verdict.confidence < 0.9):
        # another program's file named for the nginx it watches, with no word of nginx in it
        return Verdict(NOT_NGINX, 0.9, f"in {directory}/, a directory of another program, and holds no directive "
                       "nginx knows")
    daemon = _program_directory(name, _DAEMON_DIRECTORY) or _other_role(name)
    if daemon and (known - includes < 2 or parsed.problem is not None) \
            and (verdict.kind != NOT_NGINX or verdict.confidence < 0.9):
        return Verdict(NOT_NGINX, 0.9,
                       f"in {daemon}/, a directory of another program, and not a config nginx could load")
    return verdict


def _by_content(text: str, name: str, parsed: ParsedFile, counts: tuple[int, int, int],
                lua_ranges: list[tuple[int, int]], is_known, extra, known_shape) -> Verdict:
    """The verdict from the text alone, given the directives counted (known, unknown, `key = value` ones) and the
    offsets of Lua block bodies."""
    known, unknown, assignments = counts
    # `set -e; echo x; if [ … ]; then` parses as three known directives: a script's #! line says otherwise.
    if known and known >= unknown and (parsed.problem is None or known >= 3 and not text.startswith("#!")):
        return Verdict(NGINX, _confidence(known, unknown))
    if parsed.problem is not None or known + unknown >= _ENOUGH:
        # Lua blocks after the problem (or after the directives counted) were not seen: find them by their braces
        lua_ranges = list(zip(*hidden_ranges(text)))
    lines = _Lines(text, lua_ranges, is_known, extra)
    shape = lines.other_shape(name)
    known_fraction = (known + lines.known) / max(1, known + unknown + lines.content)
    if not lines.content and not parsed.directives:
        if parsed.problem is not None and lines.ini_comments:  # nginx rejects a line starting with ';'
            return Verdict(NOT_NGINX, 0.8, "only comment lines starting with ';', as in INI files (PHP, php-fpm)")
        return Verdict(EMPTY, 1.0, "no directives: only comments and blank lines")
    if not shape and assignments and assignments * 10 >= unknown * 6 and known_fraction < 0.5:
        shape = "looks like a key = value config with braces (UCL/HCL, like rspamd's), not nginx directives"
    if shape and (known_fraction < 0.5 or lines.first_line.startswith("#!")):  # a #! line decides alone
        return Verdict(NOT_NGINX, 0.9 if known_fraction < 0.2 else 0.7, shape)
    interpreter = text.split("\n", 1)[0].strip()
    if interpreter.startswith("#!") and (parsed.problem is not None or known < unknown) and "nginx" not in interpreter \
            and "openresty" not in interpreter:  # `#!/usr/sbin/nft -f`: the program that runs the file reads it
        return Verdict(NOT_NGINX, 0.9, f"starts with `{interpreter[:60]}`: a file that program runs, not an nginx "
                       "config")
    owner = _OTHER_PROGRAMS.get(name.rsplit("/", 1)[-1])
    if owner and (parsed.problem is not None or known_fraction < 0.5):
        # a name nginx never uses, and content nginx rejects or mostly does not know
        return Verdict(NOT_NGINX, 0.8, f"{name.rsplit('/', 1)[-1]} is {owner}, not nginx's")
    if parsed.problem is not None and not lines.terminated and (known_fraction < 0.5 or lines.content >= 3):
        return Verdict(NOT_NGINX, 0.8, "no line ends with ';' or opens a '{' block, as every nginx directive does")
    statements = lines.content - lines.structural
    if parsed.problem is not None and known_fraction < 0.5 and statements >= 3 and \
            lines.terminated_lines * 5 < statements:
        return Verdict(NOT_NGINX, 0.7, "most lines do not end with ';', as nginx directives do")
    if known == 0 and lines.known == 0 and parsed.problem is not None:
        return Verdict(NOT_NGINX, 0.7, "no directive nginx knows at its top level")
    block = next((d for d in parsed.directives if d.block is not None and UNKNOWN not in d.name), None)
    if block is not None and not any(known_shape(d.name, d.block is not None) or d.name in extra or UNKNOWN in d.name
                                     for d in parsed.directives):
        # no nginx directive at the top (entries of a map or geo block have no blocks of their own)
        shown = " ".join([block.name, *(arg for arg in block.args[:3] if UNKNOWN not in arg)])
        return Verdict(NOT_NGINX, 0.8, f"holds no nginx directive at its top level, and blocks no nginx module opens "
                       f"(`{shown} {{`)")
    # Entries only (an include of a map or geo block), unknown modules, or a config broken early: nginx.
    return Verdict(NGINX, 0.5 if known == 0 else _confidence(known, unknown))


def _confidence(known: int, unknown: int) -> float:
    return round(0.5 + 0.5 * known / (known + unknown), 2)


def _count(directives, known_shape, extra) -> tuple[int, int, int, list[tuple[int, int]], int]:
    """Known and unknown directives outside free-form blocks (a known name written with a block nginx's directive
    does not take, or without the block it takes, is unknown), unknown ones written `key = value;` (nginx never
    takes "=" as a first argument but in `location = /uri`), the offsets of Lua block bodies, and the known ones
    that are `include` (a word the configs of many programs share, no sign of nginx's)."""
    known = unknown = assignments = includes = 0
    lua_ranges = []
    stack = [directives]
    while stack and known + unknown < _ENOUGH:
        for directive in stack.pop():
            name = directive.name
            if UNKNOWN in name:  # a template fills the name in
                pass
            elif (known_shape(name, directive.block is not None) or name in extra) \
                    and not (directive.args[:1] == ["="] and name != "location"):  # curl's `user = "a:b"`
                known += 1
                includes += name == "include"
            else:
                unknown += 1
                if "=" in name or directive.args and directive.args[0] in ("=", ":", "+="):
                    assignments += 1
            if directive.lua is not None:
                start = directive.lua._offset
                lua_ranges.append((start, start + len(directive.lua.text)))
            elif directive.block and name not in _FREE_FORM:
                stack.append(directive.block)
    return known, unknown, assignments, lua_ranges, includes


_TRAILING_COMMENT = re.compile(r"(?<=[\s;{}])#.*")
_WORD = re.compile(r"[^\s;{}#\"']+")
_SECTION = re.compile(r"^\[[^\]\n]+\]\s*(?:[#;].*)?$")  # ^: searched, it does not retry at every "["
_KEY_EQUALS = re.compile(r"[\w.\-/@:]+\s*\+?=")
_KEY_COLON = re.compile(r"""(?:-[ \t]+)?(?:[\w.\-/@]+(?: [\w.\-/@]+)*|"[^"\n]*"|'[^'\n]*')[ \t]*:(?:\s|$)""")
_YAML_ITEM = re.compile(r"-(?:\s|$)")
_KEY_SPACE = re.compile(r"[A-Za-z_][\w.\-]*[ \t]+\S")  # `Name nginx-standard` under an INI section (Fluent Bit)
_DOCKER = re.compile(r"(?:FROM|RUN|CMD|LABEL|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|ONBUILD|"
                     r"STOPSIGNAL|HEALTHCHECK|SHELL|MAINTAINER)\s")
_SHELL = re.compile(r"(?:fi|done|esac|then|do|else|elif|export\s+\w+=|\w+=\S*$|echo\s|exec\s|set\s+-[a-z]+$|"
                    r"if\s+\[|for\s+\w+\s+in\s|while\s|case\s.*\sin$|\w+\(\)\s*\{)")
_LOGROTATE = frozenset({"daily", "weekly", "monthly", "yearly", "rotate", "compress", "nocompress", "missingok",
                        "notifempty", "delaycompress", "sharedscripts", "postrotate", "prerotate", "endscript",
                        "copytruncate", "dateext", "create", "su", "maxsize", "minsize", "size", "olddir"})
# HOCON (Typesafe config, read by Akka, Play, Spark…): its includes name where a file comes from, `classpath("…")`,
# `required(…)`, and `${?VAR}` takes an optional environment variable. nginx has neither form.
_HOCON_INCLUDE = re.compile(r"include\s+(?:required\(\s*)?(?:classpath|file|url|required)\(")
_HOCON_OPTIONAL = re.compile(r"\$\{\?[\w.\-]+\}")
# BIND's named.conf: its statements (`options {`, `zone "example.org" IN {`, `acl trusted {`, `view "inside" {`)
# close with `};`, which nginx rejects ("unexpected ;") wherever it comes.
_BIND_STATEMENT = re.compile(r"(?:options|logging|controls|statistics-channels"
                             r"|(?:zone|view|acl|key|masters|primaries)\s+(?:\"[^\"]*\"|[\w.\-]+)"
                             r"(?:\s+(?:IN|CH|HS))?)\s*\{$")
_JAAS = re.compile(r"\S+\s+(?:required|requisite|sufficient|optional)\b")
_CAMEL = re.compile(r"[A-Z][a-z]+[A-Z]\w*$")  # Apache's ServerName, DocumentRoot
_FLUENT_BIT_SECTIONS = frozenset({"SERVICE", "INPUT", "FILTER", "OUTPUT", "PARSER", "MULTILINE_PARSER"})
_SYSTEMD_SECTIONS = frozenset({"Unit", "Service", "Install", "Socket", "Timer", "Mount", "Path", "Slice", "Scope"})


class _Lines:
    """What the lines of a file look like (Lua block bodies and comments aside)."""

    def __init__(self, text: str, lua_ranges: list[tuple[int, int]], is_known, extra):
        self.first_line = text[:text.find("\n")] if "\n" in text else text
        if lua_ranges:
            pieces, pos = [], 0
            for start, end in sorted(lua_ranges):
                pieces.append(text[pos:start])
                pieces.append("\n" * text.count("\n", start, end))
                pos = end
            pieces.append(text[pos:])
            text = "".join(pieces)
        self.content = self.known = 0
        self.ini_comments = 0  # lines starting with ';': comments in INI files, an error for nginx
        self.terminated = False  # a line ends with ";" or opens or closes a block
        self.terminated_lines = 0  # lines ending with ";"
        self.markup_document = False
        self.structural = 0  # lines that only open or close a block: no shape of their own
        self.sections: list[str] = []
        self.has_from = False
        counts = dict.fromkeys(("equals", "colon", "item", "docker", "shell", "logrotate", "jaas", "path_block",
                                "markup", "camel", "modsecurity", "key_value", "hocon", "hocon_include", "bind",
                                "bind_close"), 0)
        for raw in text.split("\n"):
            line = raw.strip()
            if not line or line[0] in "#;":
                self.ini_comments += line[:1] == ";"
                continue
            if self.content >= _ENOUGH:  # the shape is clear long before: stay fast on huge files
                break
            self.content += 1
            if line[-1] == "{" or not line.strip("}]);, "):
                self.structural += 1
            if line[0] == "<":
                counts["markup"] += 1
                if line[:9].lower() in ("<!doctype", "<?xml ver") or line[:5].lower() == "<html":
                    self.markup_document = True
            code = _TRAILING_COMMENT.sub("", line) if "#" in line else line
            if code and code[-1] == ";":
                self.terminated_lines += 1
            if code and (code[-1] in ";{}" or "{" in code):
                self.terminated = True
            word = _WORD.match(line)
            first = word.group() if word else ""
            if first and (is_known(first) or first in extra) and not (first != "location" and _KEY_EQUALS.match(line)):
                self.known += 1
            if _SECTION.match(line):
                self.sections.append(line[1:line.index("]")].strip())
            elif _KEY_EQUALS.match(line):
                counts["equals"] += 1
            elif _DOCKER.match(line):
                counts["docker"] += 1
                self.has_from = self.has_from or line.startswith("FROM")
            elif _KEY_COLON.match(line):
                counts["colon"] += 1
            elif _YAML_ITEM.match(line):
                counts["item"] += 1
            elif code and code[-1] not in ";{}" and _KEY_SPACE.match(line):
                counts["key_value"] += 1
            if _CAMEL.match(first):
                counts["camel"] += 1
                if first.startswith("Sec"):
                    counts["modsecurity"] += 1
            if first in _LOGROTATE:
                counts["logrotate"] += 1
            if first.startswith("/") and line.endswith("{"):
                counts["path_block"] += 1
            if _SHELL.match(line):
                counts["shell"] += 1
            if _JAAS.match(line):
                counts["jaas"] += 1
            if code.rstrip() == "};":
                counts["bind_close"] += 1
            elif _BIND_STATEMENT.match(code.rstrip()):
                counts["bind"] += 1
            if _HOCON_INCLUDE.match(line):
                counts["hocon_include"] += 1
                counts["hocon"] += 1
            elif "${?" in line and _HOCON_OPTIONAL.search(line):
                counts["hocon"] += 1
        self.counts = counts

    def other_shape(self, name: str) -> str:
        """What the file looks like when it is not nginx, or "" when it looks like no other format."""
        c, content = self.counts, max(1, self.content - self.structural)
        lower = name.lower().rsplit("/", 1)[-1]
        if self.has_from and c["docker"] >= 2:
            return "looks like a Dockerfile (FROM, RUN, COPY instructions)"
        if _DOCKERFILE_NAME.match(lower):
            return "named as a Dockerfile (or a part a script assembles into one), not an nginx config"
        if self.first_line.startswith("#!") and ("sh" in self.first_line or c["shell"]):
            return "looks like a shell script (it starts with #!)"
        if self.sections:
            keyed = len(self.sections) + c["equals"] + c["colon"] + c["key_value"]
            if keyed * 10 >= content * 6:
                if _SYSTEMD_SECTIONS.intersection(self.sections):
                    return "looks like a systemd unit ([Unit], [Service] sections, Key=value lines)"
                if any(s.startswith(("program:", "supervisord", "unix_http_server")) for s in self.sections):
                    return "looks like a supervisord config ([program:…] sections, key = value lines)"
                if _FLUENT_BIT_SECTIONS.intersection(self.sections):
                    return "looks like a Fluent Bit config ([INPUT], [PARSER] … sections, Key value lines)"
                return "looks like an INI file ([section] headers, key = value lines)"
        if c["hocon"] and (c["hocon_include"] + c["equals"] + c["colon"]) * 10 >= content * 6:
            return ("looks like a HOCON (Typesafe config) file: `include classpath(…)`, `${?VAR}`, key = value in "
                    "braces, not nginx directives")
        if c["bind"] and c["bind_close"] >= c["bind"]:
            return "looks like a BIND (named) config: options and zone statements closed with `};`"
        if c["path_block"] and c["logrotate"] >= 2:
            return "looks like a logrotate config (a log path followed by daily, rotate, compress …)"
        if c["jaas"] and c["jaas"] * 4 >= content:
            return "looks like a Java JAAS login config (LoginModule … required)"
        if c["colon"] + c["item"] >= 2 and (c["colon"] + c["item"]) * 10 >= content * 6 or \
                lower.endswith((".yaml", ".yml")) and c["colon"] + c["item"]:
            return "looks like YAML (key: value lines)"
        if c["equals"] >= 2 and c["equals"] * 10 >= content * 6 or c["equals"] == content and not self.terminated:
            if self.structural:
                return "looks like a key = value config with braces (UCL/HCL, like rspamd's), not nginx directives"
            return "looks like a key = value settings file (like kong.conf or sysctl.conf), not nginx directives"
        if c["modsecurity"] * 10 >= content * 3:
            return ("looks like ModSecurity rules (SecRule, SecAction …): nginx reads them through "
                    "modsecurity_rules_file, not as its own config")
        if c["markup"] and c["camel"] and (c["markup"] + c["camel"]) * 10 >= content * 6:
            return ("looks like an Apache-style config (<Section> blocks and CamelCase options, as Apache httpd's or "
                    "collectd's)")
        if self.markup_document or c["markup"] * 10 >= content * 6:
            if c["camel"]:
                return "looks like an Apache httpd config (<VirtualHost>, ServerName …)"
            return "looks like HTML or XML"
        if c["camel"] * 10 >= content * 6:
            return ("looks like another program's config of CamelCase options, one per line (Apache httpd's "
                    "ServerName, ClamAV's LogFile …), not nginx directives")
        if c["shell"] * 10 >= content * 6 and c["shell"] >= 2:
            return "looks like a shell script (if/then/fi, variable assignments)"
        return ""
