"""nginx releases: which one a name stands for, and which directives a release has.

A release is named by an image tag (`nginx:1.25.3`, `nginx:1.25-alpine`, `openresty/openresty:1.21.4.1-0-alpine`),
by the `nginx-version` setting or `--nginx-version` ("1.25.3", "openresty/1.21.4.1"), or by `nginx -v` output
("nginx version: nginx/1.25.3", "nginx version: openresty/1.21.4.1"). OpenResty's version is its nginx core's
followed by a fourth number. A name with two numbers (`1.25`) stands for a branch: whichever release of it was
pulled. A tag without a number (`latest`, `alpine`) names no release.

When each directive appeared comes from nginx's documentation (directive_versions.tsv, with its source), read on
first use.
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


def parse_version(text: str) -> Version:
    return tuple(int(part) for part in text.split("."))


def _numbers(text: str) -> Version | None:
    match = _NUMBER.match(text)
    if match is None or match[1] != "1":
        return None
    return tuple(int(g) for g in match.groups() if g is not None)


def from_image(image: str | None) -> Release | None:
    """The release an nginx, nginx-unprivileged or OpenResty image's tag names, else None."""
    if not image:
        return None
    name = image.split("@", 1)[0]
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon <= slash:
        return None
    repository, tag = name[:colon].rsplit("/", 1)[-1].lower(), name[colon + 1:]
    if repository not in NGINX_REPOSITORIES:
        return None
    numbers = _numbers(tag)
    if numbers is None:
        return None
    return Release("openresty" if repository == "openresty" else "nginx", numbers)


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
