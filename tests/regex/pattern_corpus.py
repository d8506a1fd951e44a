"""Patterns for the differential test against PCRE2: a seeded generator that covers every construct
nginxlint.regex reads, mutations that break them, and hand-written patterns of the kind nginx configs hold."""
from __future__ import annotations

import random

NAMES = ["n", "id", "path", "ext", "lang", "_x", "a1", "N2"]
LITERALS = list("abcxyz019/-_.~%@!,;:=&'\"<> ") + ["\\.", "\\/", "\\-", "\\*", "\\+", "\\?", "\\(", "\\)", "\\[",
                                                   "\\]", "\\{", "\\}", "\\|", "\\^", "\\$", "\\\\", "\\#", "\\ "]
ESCAPES = ["\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\h", "\\H", "\\v", "\\V", "\\R", "\\X", "\\N", "\\C",
           "\\t", "\\n", "\\r", "\\f", "\\e", "\\a", "\\0", "\\012", "\\x41", "\\x{7f}", "\\x{ff}", "\\xZ",
           "\\o{101}", "\\cA", "\\c?", "\\p{L}", "\\P{Lu}", "\\pN", "\\p{^Nd}", "\\p{Latin}", "\\p{Xan}",
           "\\p{Any}", "\\p{ L }"]
ANCHORS = ["^", "$", "\\A", "\\z", "\\Z", "\\G", "\\b", "\\B", "\\K"]
CLASS_ITEMS = ["a", "z", "0", "-", ".", "/", "_", "\\]", "\\\\", "\\d", "\\w", "\\s", "\\S", "\\b", "\\n",
               "\\x{41}", "\\-", "[:alpha:]", "[:digit:]", "[:^space:]", "[:word:]", "[:punct:]", "[:xdigit:]",
               "a-z", "0-9", "A-Z", "!-/", "\\x00-\\x1f", "\\Q]-\\E", "%", "^", "[", "\\p{L}", "#", " "]
QUANTS = ["*", "+", "?", "{2}", "{1,}", "{0,3}", "{2,5}", "{,3}", "{3", "{a}", "{ 2}"]
VERBS = ["(*FAIL)", "(*F)", "(*ACCEPT)", "(*COMMIT)", "(*PRUNE)", "(*SKIP)", "(*THEN)", "(*MARK:m)", "(*:m)",
         "(*PRUNE:x)"]
FLAGS = ["i", "m", "s", "x", "n", "U", "J", "xx", "-i", "i-s", "^", "^i", "-x", "ims"]


class Generator:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.groups = 0
        self.names: list[str] = []

    def pattern(self) -> str:
        self.groups = 0
        self.names = []
        text = self.alternation(0)
        if self.r.random() < 0.1:
            text = self.r.choice(["(*UTF)", "(*CR)", "(*LIMIT_MATCH=100)", "(*NO_JIT)"]) + text
        return text

    def alternation(self, depth: int) -> str:
        count = 1 + (self.r.random() < 0.3) + (self.r.random() < 0.1)
        return "|".join(self.sequence(depth) for _ in range(count))

    def sequence(self, depth: int) -> str:
        return "".join(self.item(depth) for _ in range(self.r.randint(0 if depth else 1, 4)))

    def item(self, depth: int) -> str:
        atom = self.atom(depth)
        if self.r.random() < 0.3:
            quant = self.r.choice(QUANTS)
            if quant[0] != "{" or quant[-1] == "}":
                quant += self.r.choice(["", "", "", "?", "+"])
            atom += quant
        return atom

    def atom(self, depth: int) -> str:
        r = self.r
        roll = r.random()
        if depth > 3:
            roll = r.random() * 0.5
        if roll < 0.22:
            return r.choice(LITERALS)
        if roll < 0.32:
            return r.choice(ESCAPES)
        if roll < 0.38:
            return r.choice(ANCHORS)
        if roll < 0.46:
            return self.char_class()
        if roll < 0.5:
            return "."
        if roll < 0.6:
            self.groups += 1
            return "(" + self.alternation(depth + 1) + ")"
        if roll < 0.66:
            name = r.choice(NAMES)
            self.groups += 1
            self.names.append(name)
            form = r.choice(["(?<{}>", "(?'{}'", "(?P<{}>"])
            return form.format(name) + self.alternation(depth + 1) + ")"
        if roll < 0.72:
            opener = r.choice(["(?:", "(?>", "(?=", "(?!", "(?|", "(*atomic:", "(*pla:", "(*nla:"])
            return opener + self.alternation(depth + 1) + ")"
        if roll < 0.76:
            return r.choice(["(?<=", "(?<!", "(*plb:"]) + self.lookbehind_body(depth) + ")"
        if roll < 0.8:
            return self.reference()
        if roll < 0.83:
            return self.conditional(depth)
        if roll < 0.87:
            flags = r.choice(FLAGS)
            if r.random() < 0.5:
                return f"(?{flags})"
            return f"(?{flags}:" + self.alternation(depth + 1) + ")"
        if roll < 0.9:
            return r.choice(["\\Qa.b\\E", "\\Q(*)\\E", "\\Q\\E", "\\E", "\\Q[x"])
        if roll < 0.93:
            return r.choice(VERBS)
        if roll < 0.95:
            return r.choice(["(?#note)", "(?#a(b)", "(?C)", "(?C1)"])
        if roll < 0.97:
            return r.choice(["(?x) a b ", "(?x)a # c\n", "(?x)[ ]", "(?xx)[ a-c ]"])
        return r.choice(["{", "}", "a{", "{1}", "]", "x{1,2", "\\x{}", "\\g", "\\k", "\\8", "\\u"])

    def lookbehind_body(self, depth: int) -> str:
        r = self.r
        if r.random() < 0.6:
            branches = ["".join(r.choice(["a", "\\d", "[xy]", ".", "\\w{2}", "(?:ab)", "\\b"])
                                for _ in range(r.randint(1, 3))) for _ in range(r.randint(1, 2))]
            return "|".join(branches)
        return self.alternation(depth + 1)

    def char_class(self) -> str:
        r = self.r
        inner = "".join(r.choice(CLASS_ITEMS) for _ in range(r.randint(1, 4)))
        if r.random() < 0.15:
            inner = "]" + inner
        if r.random() < 0.1:
            inner = r.choice(["\\d-z", "z-a", "a-\\d", "[:foo:]", "\\B", "\\N", "a-"])
        return "[" + ("^" if r.random() < 0.3 else "") + inner + "]"

    def reference(self) -> str:
        r = self.r
        number = r.randint(1, max(1, self.groups + 1))
        name = r.choice(self.names) if self.names and r.random() < 0.8 else r.choice(NAMES)
        forms = [f"\\{number}", f"\\g{{{number}}}", f"\\g{number}", "\\g{-1}", "\\g-1", f"\\k<{name}>",
                 f"\\k'{name}'", f"\\k{{{name}}}", f"\\g{{{name}}}", f"(?P={name})", "(?R)", f"(?{number})",
                 "(?-1)", "(?+1)", f"(?&{name})", f"(?P>{name})", f"\\g<{name}>", f"\\g<{number}>", "\\g'-1'"]
        return r.choice(forms)

    def conditional(self, depth: int) -> str:
        r = self.r
        name = r.choice(self.names) if self.names else r.choice(NAMES)
        condition = r.choice([f"({max(1, self.groups)})", f"(<{name}>)", f"('{name}')", "(R)", "(R1)",
                              f"(R&{name})", "(DEFINE)", "(?=a)", "(?!\\d)", "(?<=x)", f"({name})",
                              "(VERSION>=10.0)", "(+1)"])
        branches = [self.sequence(depth + 1) for _ in range(r.choice([1, 2, 2, 3]))]
        return "(?" + condition + "|".join(branches) + ")"


def mutate(pattern: str, r: random.Random) -> str:
    """One small edit that often makes a pattern invalid."""
    if not pattern:
        return r.choice("()[]{}\\*+?|")
    at = r.randrange(len(pattern))
    choice = r.random()
    if choice < 0.35:
        return pattern[:at] + pattern[at + 1:]
    if choice < 0.75:
        return pattern[:at] + r.choice("()[]{}\\*+?|^$-:<>'=!&PRg#") + pattern[at:]
    if choice < 0.9:
        return pattern[:at]
    other = r.randrange(len(pattern))
    chars = list(pattern)
    chars[at], chars[other] = chars[other], chars[at]
    return "".join(chars)


def generated(count: int, seed: int = 2024) -> list[str]:
    """`count` patterns: about two thirds generated, one third of those mutated."""
    gen = Generator(seed)
    r = random.Random(seed + 1)
    patterns = []
    for _ in range(count):
        pattern = gen.pattern()
        if r.random() < 0.35:
            pattern = mutate(pattern, r)
        patterns.append(pattern)
    return patterns


# Patterns as nginx configs write them (location, map, rewrite, server_name, if, valid_referers,
# fastcgi_split_path_info), each valid or not as written.
REALISTIC = r"""
\.php$
^/api/v[0-9]+/(.*)$
^(.+\.php)(/.+)$
^(.+?\.php)(/.*)$
\.(jpg|jpeg|png|gif|ico|css|js|svg|woff2?)$
^/(?<lang>en|de|fr)/(?<rest>.*)$
^/download/(?P<file>[^/]+)$
^~/static/
^/user/(\d+)/profile/?$
^www\.(?<domain>.+)$
^(?<sub>[a-z0-9-]+)\.example\.com$
~^(www\.)?example\.(com|org)$
\.(?:css|js)(\?v=\d+)?$
^/(images|javascript|js|css|flash|media|static)/
/\.(?!well-known)
/\.ht
(?i)\.(bak|old|orig|swp)$
^/([a-z]{2})(/.*)?$
^/index\.php/(.*)
^/(.*)/$
^(.*)$
^/(?:(?!admin).)*$
^/wp-(admin|includes)/.*\.php$
[^/]+\.(png|jpg)$
^/(\w+\s?)*$
^(a+)+$
^/files/(.*)
^/proxy/(https?)/([^/]+)/(.*)$
^/\d{4}/\d{2}/\d{2}/[\w-]+/?$
\.\./
%2e%2e
^/(?<bucket>[a-z0-9.-]{3,63})/(?<key>.+)$
(?<!\.)\.php$
^/health(?:z|check)?$
^/metrics(/|$)
^/(?<version>v\d+(?:\.\d+){0,2})/
[a-z]+://[^/]+(/.*)
^Mozilla.*(Android|iPhone)
(Googlebot|bingbot|Baiduspider)
^(GET|HEAD|POST)$
^\s*$
^bytes=(\d*)-(\d*)$
^multipart/form-data;\s*boundary=(.+)$
^(?:[^:]+):(?<port>\d+)$
\b(select|union|insert)\b
(<|%3C).*script.*(>|%3E)
^/static/(?<path>(?:[a-z0-9_-]+/)*[a-z0-9_.-]+)$
^/(?:[^/]+/)*[^/]+\.(?i:PNG|JPE?G)$
(
[a-z
^/(?<n>a)(?<n>b)
(?<=a+)b
\.php$)
*\.php
^/api/(?P<v>\d+)/(?P=v)
^/x{2,1}
^/(?i)caseless
^/a\Qb.c\Ed
^/a(?#comment)b
^/a(*SKIP)(*FAIL)|^/b
(?x) ^/api  # the api
  /v\d+ $
\x{100}
^/(?<app>[^/]+)/(?<rest>.*)$
^/v1/users/(?<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$
^/(?:en|de|fr|es|it)(?:/|$)
^/assets/.+-[0-9a-f]{20,}\.(?:js|css|map)$
\.(?:ttf|ttc|otf|eot|woff|woff2)$
^/(?!api/|static/).*$
^/(\w+)/(\w+)/?(\d+)?$
^/([^/]+)/([^/]+)/(.+)$
^/thumb/(\d+)x(\d+)/(.+\.(?:jpe?g|png|webp))$
^/s3/(?<bucket>[^/]+)/(?<object>.+)$
^(?<scheme>https?)://(?<host>[^/:]+)(?::(?<port>\d+))?(?<path>/.*)?$
^/old/(.*)$
^/blog/(\d{4})/(\d{2})/(?<slug>[a-z0-9-]+)/?$
^/(?:index|main)\.html?$
^/\.well-known/acme-challenge/([-_A-Za-z0-9]+)$
/\.(git|svn|hg|bzr|env|DS_Store)
(?:^|/)\.
\.(?:ini|log|sh|sql|conf|bak)$
^/(?:phpmyadmin|pma|myadmin)(?:/|$)
^/wp-content/uploads/.*\.php$
^/(?<tenant>[a-z][a-z0-9-]{2,30})\.api\.example\.com$
^(?<user>[^:]+):(?<pass>.*)$
^Bearer\s+(?<token>[A-Za-z0-9._~+/-]+=*)$
^([^,]+)
(?:^|;\s*)session=([^;]+)
^(?:\d{1,3}\.){3}\d{1,3}$
^\[?([0-9a-f:]+)\]?$
^text/html(?:;.*)?$
(MSIE [1-6]\.)
(?i)(curl|wget|python-requests|go-http-client)
^$
.
.*
^/+
/{2,}
^/[^?#]*$
^(.{0,100})
^/(?<a>a)|^/(?<b>b)
^/(?|(?<x>a)|(?<x>b))$
^/a{2,3}?b{,2}c{3}d{1,}?$
^/(?i:Admin)(?-i)/path$
^/(?x: a \d + )$
^/\Q.php\E$
(?<!\.php)$
^/(?=[a-z])[a-z0-9]+$
^/(?>a+)b$
^/a++b*+c?+$
^/(\d+)(?(1)x|y)$
^/(?:(?:[a-z]+)-)*[a-z]+$
\p{L}+
[^\x00-\x7f]
\xff\x{fe}
^/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10$
^/(?P<n>x)(?P>n)?$
^/(?<n>x)\g{n}\k<n>\k'n'\k{n}$
^/(x)(?1)(?-1)(?+1)(y)$
^/(?(DEFINE)(?<d>\d{2}))(?&d)-(?&d)$
^/a(*SKIP)(*F)|/b$
^/(?#no)x$
^/[]a]$
^/[^]a]$
^/[a-]$
^/[-a]$
^/[\]]$
^/[[:alpha:][:digit:]_-]+$
(?<=/)[^/]+$
(?<=/ab|/c)x
(?<=\d{3})x
(?<!^)/
(
)
[
[]
[^]
^/(?<1x>a)$
^/(?<n>a)(?<n>b)$
^/(?<=a*)x$
^/\g{2}(a)$
^/(?P=nope)(?<x>a)$
^/(?<x>a)(?(y)b)$
^/a{3,2}$
^/a{99999}$
^/\c$
^/\x{110000}$
^/(?i-)x$
^/(?q)x$
^/\p{Nope}$
^/[[:nope:]]$
^/[a-\w]$
^/(*NOPE)$
^/(?#unclosed
^/\k<>$
^/\g$
^/café/(.+)$
^/文档/(?<page>[^/]+)\.html$
^/[éè]+$
^/(?<ü>x)$
^/é{2}$
^/[^é]/(.*)$
(?<=é)x
^/[[:alpha:]]+/[[:^digit:]]*$
^/[:alpha:]
[\w-.]
"""


def realistic() -> list[str]:
    lines = REALISTIC.strip("\n").split("\n")
    patterns = []
    for line in lines:
        if line.startswith("  ") and patterns:  # a continuation of an (?x) pattern
            patterns[-1] += "\n" + line
        else:
            patterns.append(line)
    return patterns
