"""Whether a pattern that checks an Origin or Referer header accepts a site of someone else.

`weakness(key)` (key: "o" or "r" for origin or referer, "0"/"1" for caseless, then the pattern) expands the
pattern into sample strings (each alternative, optional parts with and without, repetitions once, a character
class as a free letter "`") and tries each as an attacker would: with their own site in front when the start is
not anchored, with `.evil.test` after it when the end is not anchored. The answer is None (safe) or
(problem, sample): "prefix" or "suffix" when text the attacker chooses before or after a sample lands on another
registrable domain, "foreign" when a sample has no site of its own or a free letter sits in its registrable
domain (`www.yandex.ru` with unescaped dots takes `wwwayandex.ru`; not the dot before the top-level domain:
`yandex.ru` takes only `yandexaru`, which nobody can register), "malformed" when the accepted value cannot be an origin (a path in an Origin, an upper-case host).

`beyond_policy(key)` holds the pattern to the operator's own list instead (the `origin-domains` and
`origin-https-only` settings; key: "o"/"r", "0"/"1" for caseless, "1" when only https is allowed, the domains
joined by ",", a space, the pattern): "untrusted" when a sample's host lies outside the listed domains and their
subdomains, "plain-http" when a sample is an http:// URL and only https is allowed.

    >>> beyond_policy("o01yandex.ru ^https?://yandex\\\\.ru$")
    ('plain-http', 'http://yandex.ru')
    >>> beyond_policy("o00yandex.com ^https://([^/:]+)?\\\\.yandex\\\\.ru$")
    ('untrusted', 'https://.yandex.ru')

    >>> weakness("o0^https://example\\\\.com$") is None
    True
    >>> weakness("o0^https://example\\\\.com")
    ('suffix', 'https://example.com.evil.test')
    >>> weakness("o0^https://([^/]+)?example\\\\.com$")
    ('foreign', 'https://`example.com')

The registrable domain is the last two labels, or three under a two-letter country code whose second level is
a generic one (co.uk, com.au): no public-suffix list is shipped, so `example.github.io` and `example.github.io`'s
neighbours count as one site.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from ..nginx.urls import registrable_domain

FREE = "`"
LIMIT = 64
EVIL = "evil.test"


def weakness(key: str):
    from . import RegexError, parse_regex  # the grammar (lark): only when no cached answer exists

    origin, caseless, pattern = key[0] == "o", key[1] == "1", key[2:]
    try:
        rx = parse_regex(pattern, caseless)
    except (RegexError, RecursionError):
        return None
    malformed = None
    for sample in _samples(rx.tree):
        verdict = _judge(sample, origin)
        if verdict is not None and verdict[0] != "malformed":
            return verdict
        malformed = malformed or verdict
    return malformed


def beyond_policy(key: str):
    from . import RegexError, parse_regex  # the grammar (lark): only when no cached answer exists

    caseless, https_only = key[1] == "1", key[2] == "1"
    listed, pattern = key[3:].split(" ", 1)  # a domain has no space
    domains = [d.lower().strip(".") for d in listed.split(",") if d and d != "*"]
    try:
        rx = parse_regex(pattern, caseless)
    except (RegexError, RecursionError):
        return None
    for sample in _samples(rx.tree):
        base = _cut(sample).strip("^$")
        if _site(base) is None:
            continue  # no scheme and host of its own: weakness() reports it
        parts = urlsplit(base.replace(FREE, "a"))
        host = parts.netloc.rsplit("@", 1)[-1].split(":", 1)[0].lower().rstrip(".")
        if domains and not any(host == d or host.endswith("." + d) for d in domains):
            return ("untrusted", base)
        if https_only and parts.scheme == "http":
            return ("plain-http", base)
    return None


def _cut(sample: str) -> str:
    """The part of a sample the regex pins down: up to an end anchor inside it, from the last start anchor."""
    if "$" in sample:  # an end anchor inside (`($|/)`): the text ends there
        sample = sample[:sample.index("$") + 1]
    if "^" in sample:
        sample = sample[sample.rindex("^"):]
    return sample


def _judge(sample: str, origin: bool):
    sample = _cut(sample)
    anchored_start, anchored_end = sample.startswith("^"), sample.endswith("$")
    base = sample.strip("^$")
    site = _site(base)
    if site is None:
        return ("foreign", base)  # no scheme and host of its own: anything in front decides
    if FREE in site and not _dot_before_top_level(base):
        return ("foreign", base)
    if not anchored_start:
        mutant = (f"http://{EVIL}" if origin else f"http://{EVIL}/?") + base
        if _site(mutant) != site:
            return ("prefix", mutant)
    if not anchored_end:
        mutant = base + "." + EVIL
        if _site(mutant) != site:
            return ("suffix", mutant)
    parts = urlsplit(base.replace(FREE, "a"))
    host = parts.netloc
    if any(not (c.islower() or c.isdigit() or c in ".:[]-") for c in host):
        return ("malformed", base)
    if origin and (parts.path or parts.query or parts.fragment):
        return ("malformed", base)
    return None


def _dot_before_top_level(url: str) -> bool:
    """The free letter stands inside the host's last label, between letters (`example.com` written with an
    unescaped dot: `example`com`): a dot there gives the site meant, and any other character a top-level domain
    that does not exist (`examplexcom`), which nobody can register."""
    host = urlsplit(url).netloc.rsplit("@", 1)[-1].split(":", 1)[0]
    last = host.rsplit(".", 1)[-1]
    return FREE in last and last.strip(FREE) == last and last.replace(FREE, "").isalnum()


def _site(url: str) -> str | None:
    """The registrable domain of an http(s) URL, or None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return registrable_domain(parts.netloc.rsplit("@", 1)[-1].split(":", 1)[0])


def _samples(root) -> list[str]:
    from .tree import Alternation, Assertion, Char, Group, Quantified, Sequence, Set

    def expand(node) -> list[str]:
        if isinstance(node, Alternation):
            out: list[str] = []
            for branch in node.branches:
                out += expand(branch)
            return out[:LIMIT]
        if isinstance(node, Sequence):
            out = [""]
            for item in node.items:
                tails = expand(item)
                out = [a + b for a in out for b in tails][:LIMIT]
            return out
        if isinstance(node, Char):
            return [chr(node.code)] if node.code < 256 else [FREE]
        if isinstance(node, Set):
            from . import charsets as cs

            members = cs.members(node.mask)
            if len(members) == 1:
                return [chr(members[0])]
            if cs.has(node.mask, "a") or cs.has(node.mask, "."):
                return [FREE]
            return [chr(members[0])]
        if isinstance(node, Assertion):
            return {"^": ["^"], "\\A": ["^"], "$": ["$"], "\\z": ["$"], "\\Z": ["$"]}.get(node.what, [""])
        if isinstance(node, Group):
            if node.kind in ("lookahead", "lookbehind"):
                return [""]
            return expand(node.body)
        if isinstance(node, Quantified):
            body = expand(node.body)
            if node.min == 0:
                return ([""] + body)[:LIMIT]
            return [b * min(node.min, 2) for b in body]
        return [""]

    return expand(root)
