"""nginx security advisories that a known nginx version and the config's own directives make relevant.

The version comes from the image that runs the config (`nginx:1.25.3`, `nginx:1.25-alpine`,
`openresty/openresty:1.21.4.1-0-alpine`); without it nothing is said. A tag that names a branch only
(`1.25`) stands for any release of that branch: an advisory is reported only when every release of the
branch is affected. Source: https://nginx.org/en/security_advisories.html
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

Version = tuple


def parse_version(text: str) -> Version:
    return tuple(int(part) for part in text.split("."))


def _directive(name: str) -> Callable:
    return lambda dep: next(iter(dep.nodes(name)), None)


def _quic(dep):
    return next((n for n in dep.nodes("listen") if "quic" in n.args[1:]), None)


def _http2(dep):
    on = next((n for n in dep.nodes("http2") if n.args and n.args[0] == "on"), None)
    return on or next((n for n in dep.nodes("listen") if "http2" in n.args[1:]), None)


def _smtp_auth_none(dep):
    return next((n for n in dep.nodes("smtp_auth") if "none" in n.args), None)


def _client_certificates(dep):
    """ssl_verify_client in a server that shares its listen socket with other servers (name-based virtual hosts)."""
    from .tls_scope import http_server_blocks, sockets

    shared = {id(server) for entries in sockets(http_server_blocks(dep)).values() if len(entries) > 1
              for server, _listen in entries}
    for node in dep.nodes("ssl_verify_client"):
        server = node if node.name == "server" else node.enclosing("server")
        if node.args and node.args[0] != "off" and (server is None or id(server) in shared):
            return node
    return None


_CAPTURE = re.compile(r"\$(?:[0-9]|\{[0-9]\})")
_REWRITE_FLAGS = ("last", "break", "redirect", "permanent")


def _rewrite_stale_args(dep):
    """A rewrite without a flag whose replacement has `?`, followed in its block by a set, if or rewrite that
    reads a numbered capture: the copy pass escapes what the length pass did not count (CVE-2026-42945)."""
    reads_capture_later: dict[int, set] = {}  # block -> ids of its children followed by a capture reader
    for node in dep.nodes("rewrite"):
        if len(node.args) < 2 or "?" not in node.args[1] or any(f in node.args[2:] for f in _REWRITE_FLAGS):
            continue
        block = node.parent
        if id(block) not in reads_capture_later:  # one backward pass per block
            marked, seen = set(), False
            for child in reversed(block.children or ()):
                if seen:
                    marked.add(id(child))
                if child.name in ("set", "if", "rewrite") and any(_CAPTURE.search(a) for a in child.args):
                    seen = True
            reads_capture_later[id(block)] = marked
        if id(node) in reads_capture_later[id(block)]:
            return node
    return None


_NESTED_GROUP = re.compile(r"\((?!\?)[^)]*\((?!\?)")


def _rewrite_nested_captures(dep):
    """A rewrite whose regex nests one capture in another and whose replacement uses two captures or more
    (CVE-2026-9256)."""
    for node in dep.nodes("rewrite"):
        if len(node.args) >= 2 and _NESTED_GROUP.search(node.args[0]) and len(_CAPTURE.findall(node.args[1])) >= 2:
            return node
    return None


@dataclass(frozen=True)
class Advisory:
    cves: str
    what: str
    first: Version  # first affected release
    fixed: tuple[Version, ...]  # first fixed release of the mainline, then of stable branches
    trigger: Callable | None  # the directive the advisory needs, None when any config is affected
    needs: str = ""


ADVISORIES = (
    Advisory("CVE-2026-9256", "heap overflow in the rewrite module with nested captures", (0, 6, 27),
             ((1, 31, 1), (1, 30, 2)), _rewrite_nested_captures, "this rewrite (nested captures, two of them used)"),
    Advisory("CVE-2026-42945", "heap overflow in the rewrite module", (0, 6, 27), ((1, 31, 0), (1, 30, 1)),
             _rewrite_stale_args, "this rewrite (a `?` without a flag, then a numbered capture read)"),
    Advisory("CVE-2025-53859", "memory disclosure in the SMTP module", (0, 7, 22), ((1, 29, 1), (1, 28, 1)),
             _smtp_auth_none, "`smtp_auth none`"),
    Advisory("CVE-2025-23419", "TLS session reuse bypasses client certificate authentication", (1, 11, 4),
             ((1, 27, 4), (1, 26, 3)), _client_certificates, "`ssl_verify_client` in name-based servers"),
    Advisory("CVE-2024-7347", "the mp4 module reads out of bounds on a crafted file", (1, 5, 13),
             ((1, 27, 1), (1, 26, 2)), _directive("mp4"), "`mp4`"),
    Advisory("CVE-2024-32760, CVE-2024-31079, CVE-2024-35200, CVE-2024-34161", "HTTP/3 crashes and memory "
             "disclosure", (1, 25, 0), ((1, 27, 0), (1, 26, 1)), _quic, "`listen … quic`"),
    Advisory("CVE-2024-24989, CVE-2024-24990", "HTTP/3 worker crash", (1, 25, 0), ((1, 25, 4),), _quic,
             "`listen … quic`"),
    Advisory("CVE-2022-41741, CVE-2022-41742", "memory corruption in the mp4 module", (1, 1, 3),
             ((1, 23, 2), (1, 22, 1)), _directive("mp4"), "`mp4`"),
    Advisory("CVE-2021-23017", "one-byte memory overwrite in the resolver", (0, 6, 18), ((1, 21, 0), (1, 20, 1)),
             _directive("resolver"), "`resolver`"),
    Advisory("CVE-2019-9511, CVE-2019-9513, CVE-2019-9516", "HTTP/2 denial of service", (1, 9, 5),
             ((1, 17, 3), (1, 16, 1)), _http2, "HTTP/2"),
    Advisory("CVE-2018-16843, CVE-2018-16844", "HTTP/2 excessive memory and CPU use", (1, 9, 5),
             ((1, 15, 6), (1, 14, 1)), _http2, "HTTP/2"),
    Advisory("CVE-2018-16845", "memory disclosure in the mp4 module", (1, 1, 3), ((1, 15, 6), (1, 14, 1)),
             _directive("mp4"), "`mp4`"),
    Advisory("CVE-2017-7529", "integer overflow in the range filter (memory disclosure)", (0, 5, 6),
             ((1, 13, 3), (1, 12, 1)), None),
)
# OpenResty ships nginx with its own patches: the resolver fix came in OpenResty 1.19.3.2.
OPENRESTY_PATCHED = {"CVE-2021-23017": (1, 19, 3, 2)}


def affected(advisory: Advisory, version: Version) -> bool:
    v = version[:3]
    if v < advisory.first or v >= advisory.fixed[0]:
        return False
    return not any(v[:2] == fix[:2] and v >= fix for fix in advisory.fixed[1:])


def affected_branch(advisory: Advisory, version: Version) -> bool:
    """Every release the version stands for is affected (a branch tag `1.25` stands for 1.25.x)."""
    if len(version) >= 3:
        return affected(advisory, version)
    return affected(advisory, (*version, 0)) and affected(advisory, (*version, 10**6))


_TAG = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?(?=$|[-_.a-z])")
NGINX_REPOSITORIES = ("nginx", "nginx-unprivileged", "openresty")


def image_version(image: str | None) -> tuple[str, Version] | None:
    """("nginx"|"openresty", version) for an image whose tag names the release, else None."""
    if not image:
        return None
    name = image.split("@", 1)[0]
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon <= slash:
        return None
    repository, tag = name[:colon].rsplit("/", 1)[-1].lower(), name[colon + 1:]
    if repository not in NGINX_REPOSITORIES:
        return None
    match = _TAG.match(tag)
    if match is None or match[1] != "1":
        return None
    numbers = tuple(int(g) for g in match.groups() if g is not None)
    flavour = "openresty" if repository == "openresty" else "nginx"
    return flavour, numbers


def setting_version(text: str | None) -> tuple[str, Version] | None:
    """The `nginx-version` setting: "1.25.3", "1.25" or "openresty/1.21.4.1"."""
    if not text:
        return None
    flavour, _, number = text.strip().rpartition("/")
    match = _TAG.match(number)
    if match is None or match[1] != "1":
        return None
    return ("openresty" if flavour.lower() == "openresty" else "nginx"), tuple(int(g) for g in match.groups() if g)


def check_version(dep, report) -> None:
    binding = dep.binding
    container = binding.container if binding is not None else None
    known = image_version(container.image if container is not None else None)
    image_location = None
    if known is not None:
        image_location = binding.location(container.image_span, f"the image: {container.image}")
        source = "from the image"
    else:
        known = setting_version(getattr(dep.settings, "nginx_version", None))
        source = "from the nginx-version setting"
        if known is None:
            return
    flavour, version = known
    shown = ".".join(map(str, version))
    related = [image_location] if image_location is not None else []
    release = f"{'OpenResty' if flavour == 'openresty' else 'nginx'} {shown}"
    by_node: dict[int, tuple] = {}  # one finding per directive, naming every advisory it exposes
    for advisory in ADVISORIES:
        patched = OPENRESTY_PATCHED.get(advisory.cves)
        if flavour == "openresty" and patched is not None and version >= patched:
            continue
        if not affected_branch(advisory, version[:3]):
            continue
        fixes = " or ".join(".".join(map(str, fix)) for fix in advisory.fixed)
        if advisory.trigger is None:
            if image_location is not None:
                report.at(image_location.path, image_location.span, f"{release} is affected by {advisory.cves} "
                          f"({advisory.what}); upgrade to nginx {fixes} or later")
            continue
        node = advisory.trigger(dep)
        if node is not None:
            by_node.setdefault(id(node), (node, []))[1].append((advisory, fixes))
    for node, found in by_node.values():
        named = "; ".join(f"{a.cves}, {a.what} (fixed in {fixes})" for a, fixes in found)
        report(node, f"{release} ({source}) has published vulnerabilities that {found[0][0].needs} "
               f"exposes: {named}; upgrade the image", related=related)
