"""nginx releases: which one a name stands for, and which directives a release has.

A release is named by an image tag (`nginx:1.25.3`, `nginx:1.25-alpine`, `openresty/openresty:1.21.4.1-0-alpine`),
by the `nginx-version` setting or `--nginx-version` ("1.25.3", "openresty/1.21.4.1"), or by `nginx -v` output
("nginx version: nginx/1.25.3", "nginx version: openresty/1.21.4.1"). OpenResty's version is its nginx core's
followed by a fourth number. A name with two numbers (`1.25`) stands for a branch: whichever release of it was
pulled. A tag without a number (`latest`, `alpine`) names no release; when it is an official image's tag that
follows the newest releases (`current_flavour`), a pull of it gives CURRENT_FLOOR or later.

When each directive appeared comes from nginx's documentation (directive_versions.tsv, with its source), read on
first use; when one was removed, from nginx's changes and the commits that removed it (REMOVED).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

Version = tuple

NGINX_REPOSITORIES = ("nginx", "nginx-unprivileged", "openresty")
_NUMBER = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?(?=$|[-_.a-z])")
_VERSION_LINE = re.compile(r"nginx version: (nginx|openresty)/(\d+(?:\.\d+){2,3})\b", re.I)
_TABLE_FILE = Path(__file__).with_name("directive_versions.tsv")
_DIRECTIVE_SINCE: dict = {}  # filled once from the data file: the same for every run
SUBSYSTEMS = ("http", "stream", "mail")

# The words of the official images' tags that follow the newest release of a line instead of naming one
# (docker-nginx: `latest`, `mainline`, `stable`, `alpine`, `alpine-slim`, `stable-alpine-perl`, `otel`;
# docker-openresty: `latest`, `alpine`, `alpine-fat`, `alpine-apk`). Distribution names are left out: the images of
# a replaced distribution (`bullseye`, `buster`, `centos7`) stop being built and freeze at an old release.
_CURRENT_TAG_WORDS = frozenset({"latest", "mainline", "stable", "alpine", "slim", "perl", "otel", "fat", "apk"})
_CURRENT_REPOSITORIES = {"nginx": "nginx", "nginxinc/nginx-unprivileged": "nginx", "openresty/openresty": "openresty"}

# Directives and listen parameters nginx dropped, with the release from which nginx -t stops at them ("unknown
# directive", "invalid parameter") and what to do instead. From nginx's changes (docs/xml/nginx/changes.xml) and
# the commits that removed them:
# - 1.7.6 "the deprecated limit_zone directive is not supported anymore" (superseded by limit_conn_zone in 1.1.8);
# - 1.9.5 replaced the SPDY module with the HTTP/2 module, which kept the spdy_* directives and listen's `spdy`
#   only to warn and ignore them; 1.19.7 removed them ("HTTP/2: removed SPDY directives handling", e82939206);
# - 1.25.1 "the deprecated ssl directive is not supported anymore" (deprecated in 1.15.0), in http and mail.
# Not here, as nginx still accepts them with a warning ("is obsolete, ignored" or "is deprecated"): http2_push,
# http2_push_preload and http2_max_concurrent_pushes (server push removed in 1.25.1), http2_recv_timeout,
# http2_idle_timeout, http2_max_requests, http2_max_field_size and http2_max_header_size (1.19.7), listen's `http2`
# (1.25.1). Nor the directives 1.9.1 removed (connections, imap, so_keepalive, optimize_server_names, satisfy_any,
# open_file_cache_retest): no release nginxlint knows has them, and NGX004 reports them as unknown.
_LISTEN_SSL = "delete it; where it turned TLS on, add ssl to the server's listen (`listen 443 ssl;`)"
_SPDY = ("spdy_recv_buffer_size", "spdy_pool_size", "spdy_max_concurrent_streams", "spdy_streams_index_size",
         "spdy_recv_timeout", "spdy_keepalive_timeout", "spdy_headers_comp", "spdy_chunk_size")
_SPDY_IGNORED = "remove it: nginx has ignored it since 1.9.5, when HTTP/2 replaced SPDY"
REMOVED = {
    ("http", "limit_zone"): ((1, 7, 6), "use limit_conn_zone instead (`limit_conn_zone $binary_remote_addr "
                                        "zone=NAME:10m;`)"),
    **{("http", name): ((1, 19, 7), _SPDY_IGNORED) for name in _SPDY},
    ("http", "listen:spdy"): ((1, 19, 7), "use http2 instead (`http2 on;` from nginx 1.25.1, the listen parameter "
                                          "http2 before)"),
    ("http", "ssl"): ((1, 25, 1), _LISTEN_SSL),
    ("mail", "ssl"): ((1, 25, 1), _LISTEN_SSL),
}


@dataclass(frozen=True)
class Release:
    flavour: str  # "nginx" | "openresty"
    number: Version  # as named: (1, 25) for a branch, (1, 25, 3), or OpenResty's (1, 21, 4, 1)

    @property
    def nginx(self) -> Version:
        """The nginx core's version (two numbers for a branch)."""
        return self.number[:3]

    @property
    def branch_only(self) -> bool:
        return len(self.number) < 3

    @property
    def name(self) -> str:
        return f"{'OpenResty' if self.flavour == 'openresty' else 'nginx'} {'.'.join(map(str, self.number))}"

    def predates(self, version: Version) -> bool:
        """Every release this name stands for is older than `version` (for a branch: the whole branch is)."""
        if self.branch_only:
            return self.nginx < version[:2]
        return self.nginx < version[:3]

    def reaches(self, version: Version) -> bool:
        """Every release this name stands for is `version` or newer (for a branch: a later branch)."""
        if self.branch_only:
            return self.nginx[:2] > version[:2]
        return self.nginx >= version


def current_flavour(image: str | None) -> str | None:
    """"nginx" or "openresty" for an official image whose tag follows the newest releases (`nginx`, `nginx:alpine`,
    `openresty/openresty:alpine-fat`), else None (a tag with a version, a digest, another image)."""
    if not image or "@" in image:
        return None  # a digest pins one build, however old
    name = image.split("/", 1)[1] if image.startswith("docker.io/") else image
    name = name[len("library/"):] if name.startswith("library/") else name
    repository, _, tag = name.partition(":")
    flavour = _CURRENT_REPOSITORIES.get(repository.lower())
    if flavour is None or not set((tag or "latest").lower().split("-")) <= _CURRENT_TAG_WORDS:
        return None
    return flavour


def directive_removed(subsystem: str, name: str) -> tuple[Version, str] | None:
    """(the first release without directive `name` in `subsystem`, what to do instead), or None."""
    return REMOVED.get((subsystem, name))


# The oldest release a pull of such a tag gives today: nginx's stable line is 1.26 since April 2024 (mainline is
# newer still), and OpenResty's images have been 1.25.3.1 (nginx 1.25.3) or newer since 2024.
CURRENT_FLOOR = {"nginx": Release("nginx", (1, 26)), "openresty": Release("openresty", (1, 25, 3, 1))}


def parse_version(text: str) -> Version:
    return tuple(int(part) for part in text.split("."))


def _numbers(text: str) -> Version | None:
    match = _NUMBER.match(text)
    if match is None or match[1] != "1":
        return None
    return tuple(int(g) for g in match.groups() if g is not None)


# Publishers whose nginx and OpenResty images are tagged with the release they hold: Docker Hub's library (and its
# per-architecture copies), NGINX's, OpenResty's and Bitnami's. Another's `acme/nginx:1.1.1` is tagged with its
# project's own version.
_RELEASE_TAGGING_PUBLISHERS = frozenset({"", "nginxinc", "nginx", "openresty", "bitnami", "amd64", "arm64v8",
                                         "arm32v7", "arm32v6", "arm32v5", "i386", "ppc64le", "s390x", "riscv64"})


def from_image(image: str | None) -> Release | None:
    """The release an nginx, nginx-unprivileged or OpenResty image's tag names (an image of a publisher that tags
    them so), else None."""
    if not image:
        return None
    from ..container.base_images import split_reference  # the image reference reader, only for an image named

    repository, tag = split_reference(image)  # without its registry host, a mirror's path and `library/`
    publisher, _, name = repository.rpartition("/")
    if tag is None or name not in NGINX_REPOSITORIES or publisher not in _RELEASE_TAGGING_PUBLISHERS:
        return None
    numbers = _numbers(tag)
    if numbers is None:
        return None
    return Release("openresty" if name == "openresty" else "nginx", numbers)


def from_setting(text: str | None) -> Release | None:
    """The `nginx-version` setting: "1.25.3", "1.25", "nginx/1.25.3" or "openresty/1.21.4.1"; None if it is not one."""
    if not text:
        return None
    flavour, _, number = text.strip().rpartition("/")
    if flavour.lower() not in ("", "nginx", "openresty"):
        return None
    numbers = _numbers(number)
    if numbers is None or not re.fullmatch(r"\d+(\.\d+){1,3}", number):
        return None
    return Release("openresty" if flavour.lower() == "openresty" else "nginx", numbers)


def from_version_output(text: str) -> Release | None:
    """The release `nginx -v` or `nginx -V` printed ("nginx version: nginx/1.25.3"), found in `text`."""
    match = _VERSION_LINE.search(text)
    if match is None:
        return None
    return Release(match[1].lower(), parse_version(match[2]))


def directive_since(subsystem: str, name: str) -> tuple[Version, str] | None:
    """(the first release with directive `name` in `subsystem` ("http", "stream", "mail" or "main"), its module),
    or None when every release nginx documents has it, or nginx does not document it."""
    if not _DIRECTIVE_SINCE:
        for line in _TABLE_FILE.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                where, directive, version, module = line.split("\t")
                _DIRECTIVE_SINCE[(where, directive)] = (parse_version(version), module)
    return _DIRECTIVE_SINCE.get((subsystem, name))


def subsystem_of(ctx: tuple) -> str:
    """The subsystem a directive in context `ctx` belongs to ("main" for the main and events contexts)."""
    return ctx[0] if ctx and ctx[0] in SUBSYSTEMS else "main"
