"""What an image reference tells about the image: the official OpenResty and nginx images' layout and defaults.

Facts from the images' own Dockerfiles (openresty/docker-openresty, nginxinc/docker-nginx):
- both set `STOPSIGNAL SIGQUIT` (docker-openresty since 1.13.6.2-2, nginx images built since 2020-11-24, i.e.
  nginx 1.19.5 and later; before that nginx images said `STOPSIGNAL SIGTERM` and old OpenResty images set none);
- OpenResty images keep nginx under /usr/local/openresty/nginx and their nginx.conf includes
  /etc/nginx/conf.d/*.conf, which holds only default.conf; the `-fat` and `-buildpack` flavours add LuaRocks and
  OPM and set LUA_PATH/LUA_CPATH (to OpenResty's compiled-in default paths);
- nginx images are built with `--prefix=/etc/nginx --conf-path=/etc/nginx/nginx.conf`; /etc/nginx/conf.d holds
  default.conf, and the entrypoint writes more there from /etc/nginx/templates;
- the Alpine OpenResty image adds, to Alpine's own musl, libcrypto3, libssl3, zlib and apk-tools, only `gd geoip
  libgcc libxslt tzdata zlib` and what they depend on (docker-openresty's alpine/Dockerfile), and keeps OpenSSL,
  PCRE and LuaJIT under /usr/local/openresty: `ALPINE_OPENRESTY_LIBRARIES` names those libraries generously;
- tags with `alpine` are musl images, the others glibc (Debian, Ubuntu, RHEL family); `latest` is Debian for
  both (docker-openresty: "`latest` points to the latest bookworm image").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from ..openresty.package_path import DEFAULT_CPATH, DEFAULT_PATH, OPENRESTY_NGINX_PREFIX
from .filesystem import ABSENT, Filesystem, Layer, Listing, Unknown, normalise

OPENRESTY_PREFIX = OPENRESTY_NGINX_PREFIX
NGINX_PREFIX = "/etc/nginx"
# The top level of the Debian and Alpine images these are built on (their union); /srv, /opt, /home, /mnt and
# /media are empty there and the official nginx and OpenResty builds put nothing in them.
_ROOT = frozenset({"bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt", "opt",
                   "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"})
# The top level of any Linux distribution image a Dockerfile starts from: the Debian and Alpine one, and /afs, which
# the RHEL family (Fedora, CentOS, UBI) adds. Installers and builds write below these directories (the FHS).
STANDARD_ROOT = _ROOT | {"afs"}
_EMPTY = {path: frozenset() for path in ("/srv", "/opt", "/home", "/mnt", "/media")}
# Directories these images are known to hold, and everything in them (before the project adds anything).
_OPENRESTY_DIRS = {"/": _ROOT, **_EMPTY, "/etc/nginx/conf.d": frozenset({"default.conf"})}
_NGINX_DIRS = {"/": _ROOT | {"docker-entrypoint.sh", "docker-entrypoint.d"}, **_EMPTY,
               "/etc/nginx/conf.d": frozenset({"default.conf"}), "/etc/nginx/templates": frozenset()}
# Files (not directories) these images hold.
_OPENRESTY_FILES = frozenset({OPENRESTY_PREFIX + "/conf/" + name for name in (
    "nginx.conf", "mime.types", "fastcgi_params", "fastcgi.conf", "scgi_params", "uwsgi_params", "koi-utf",
    "koi-win", "win-utf")} | {"/etc/nginx/conf.d/default.conf"})
_NGINX_FILES = frozenset({"/etc/nginx/" + name for name in (
    "nginx.conf", "mime.types", "fastcgi_params", "scgi_params", "uwsgi_params")} | {"/etc/nginx/conf.d/default.conf",
                                                                                   "/docker-entrypoint.sh"})
# Directories that exist in these images (a `COPY file /that/dir` lands inside them).
_OPENRESTY_EXISTING = frozenset({
    "/etc/nginx", "/etc/nginx/conf.d", OPENRESTY_PREFIX, OPENRESTY_PREFIX + "/conf", OPENRESTY_PREFIX + "/html",
    "/usr/local/openresty", "/usr/local/openresty/lualib", "/usr/local/openresty/site/lualib",
    "/usr/local/openresty/bin", "/var/run/openresty",
})
_NGINX_EXISTING = frozenset({
    "/etc/nginx", "/etc/nginx/conf.d", "/usr/share/nginx/html", "/docker-entrypoint.d", "/var/cache/nginx",
})
_COMMON_EXISTING = frozenset({"/", "/etc", "/usr", "/usr/local", "/usr/local/bin", "/usr/share", "/var", "/tmp",
                              "/opt", "/srv", "/home", "/root", "/bin", "/lib"})


# Plain distribution images: made of the distribution's packages, which keep out of /usr/local (Debian Policy 9.1.2,
# the FHS), so none holds a Lua module at a default OpenResty or LuaJIT location. None sets an ENTRYPOINT or a
# WORKDIR: an image built on one runs its own command from `/`.
_DISTRIBUTIONS = frozenset({
    "alpine", "debian", "ubuntu", "centos", "fedora", "rockylinux", "almalinux", "amazonlinux", "oraclelinux",
    "busybox", "archlinux", "opensuse/leap", "redhat/ubi8", "redhat/ubi9", "redhat/ubi8-minimal",
    "redhat/ubi9-minimal",
})


# The libraries (by name without `lib` and version: `libpng16.so.16` -> "png16") the Alpine OpenResty image can hold:
# musl and its reserved names, Alpine's base, the run-time packages docker-openresty installs with their
# dependencies, and OpenResty's own. A needed library not named here is not in that image.
ALPINE_OPENRESTY_LIBRARIES = frozenset({
    "c", "m", "dl", "pthread", "rt", "util", "xnet", "crypt", "resolv", "c.musl-x86_64", "c.musl-aarch64",
    "crypto", "ssl", "z", "apk", "gcc_s", "stdc++", "atomic", "gd", "png", "png16", "jpeg", "turbojpeg", "webp",
    "webpdemux", "webpmux", "sharpyuv", "freetype", "fontconfig", "expat", "bz2", "brotlicommon", "brotlidec",
    "brotlienc", "tiff", "lzma", "zstd", "deflate", "lerc", "avif", "heif", "de265", "x265", "dav1d", "aom", "yuv",
    "xml2", "xslt", "exslt", "gcrypt", "gpg-error", "geoip", "intl", "ffi", "x11", "xpm", "xcb", "xau", "xdmcp",
    "bsd", "md", "uuid", "luajit-5.1", "pcre", "pcre2-8", "ncursesw", "readline", "sasl2", "curl", "nghttp2",
})


def library_stem(soname: str) -> str:
    """'libpng16.so.16' -> 'png16', 'libstdc++.so.6' -> 'stdc++', 'ld-musl-x86_64.so.1' -> 'ld-musl-x86_64'."""
    name = soname.split(".so", 1)[0]
    return (name[3:] if name.startswith("lib") else name).lower()


@dataclass(frozen=True)
class BaseImage:
    """What is known of an image that is not built here (a `FROM` reference)."""

    reference: str | None  # None: not known (an unresolved ARG)
    flavour: str = "other"  # "openresty" | "nginx" | "scratch" | "other"
    prefix: str | None = None  # nginx's prefix
    conf_path: str | None = None  # the nginx.conf nginx reads by default
    stop_signal: str | None = None  # the image's STOPSIGNAL; None when not known
    libc: str | None = None  # "musl" | "glibc" | None
    lua_path: str | None = None  # the package.path nginx's Lua starts from (OpenResty only)
    lua_cpath: str | None = None
    env: dict[str, str] = field(default_factory=dict)  # ENV the image sets that matters here
    has_luarocks: bool | None = None
    known_dirs: dict[str, frozenset[str]] = field(default_factory=dict)  # dir -> its complete listing
    existing_dirs: frozenset[str] = frozenset()
    known_files: frozenset[str] = frozenset()
    entrypoint: tuple[str, ...] | None = None  # None: not known
    cmd: tuple[str, ...] | None = None
    user: str | None = None
    libraries: frozenset[str] | None = None  # every library the image holds (library_stem), when known
    links: dict[str, str] = field(default_factory=dict)  # directory -> the directory it is a symbolic link to
    distribution: bool = False  # a plain distribution image (Debian, Alpine...): only the distribution's packages
    official: bool = False  # the official image itself, whose Dockerfile says everything it holds
    # sets no STOPSIGNAL: a distribution's image, or one of Docker Hub's library images but those that set one
    keeps_runtime_stop_signal: bool = False
    library: bool = False  # one of Docker Hub's library images of another program (`php`, `python`, `node`)

    @property
    def empty(self) -> bool:
        return self.flavour == "scratch"

    @property
    def workdir(self) -> str | None:
        """The directory the image starts its command in, where known: the nginx and OpenResty images set no
        WORKDIR, so `/`."""
        return "/" if self.flavour in ("nginx", "openresty") else None

    def holds(self, path: str) -> bool | None:
        """Whether the image has `path`: False only where a complete listing of an ancestor leaves it out."""
        if self.empty:
            return False
        if path == "/":
            return True
        parts = path.strip("/").split("/")
        directory = "/"
        for index, part in enumerate(parts):
            listing = self.known_dirs.get(directory)
            if listing is not None:
                if part not in listing:
                    return False
                if index == len(parts) - 1:
                    return True
            directory = directory.rstrip("/") + "/" + part
        return None


def split_reference(reference: str) -> tuple[str, str | None]:
    """'docker.io/openresty/openresty:1.25.3.1-alpine@sha256:..' -> ('openresty/openresty', '1.25.3.1-alpine');
    a mirror's 'registry.example.org/docker.io/library/nginx:1.27' -> ('nginx', '1.27')."""
    name = reference.split("@", 1)[0]
    tag = None
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > last_slash:
        name, tag = name[:colon], name[colon + 1:]
    parts = name.split("/")
    # a registry host, and a pull-through mirror's path of the registry it mirrors
    # (`registry.cern.ch/docker.io/library/nginx`): Docker Hub's namespaces hold no `.` or `:`
    while len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if parts[:1] == ["library"]:
        parts = parts[1:]
    return "/".join(parts).lower(), tag


def base_image(reference: str | None) -> BaseImage:
    if reference is None:
        return BaseImage(None)
    if reference == "scratch":
        return BaseImage(reference, flavour="scratch", stop_signal="SIGTERM", entrypoint=(), cmd=())
    repository, tag = split_reference(reference)
    last = repository.rsplit("/", 1)[-1]
    tag_lower = (tag or "latest").lower()
    if last == "openresty":
        return _openresty_image(reference, repository, tag_lower)
    if last in ("nginx", "nginx-unprivileged") and repository in ("nginx", "nginxinc/nginx-unprivileged"):
        return BaseImage(
            reference, flavour="nginx", prefix=NGINX_PREFIX, conf_path=NGINX_PREFIX + "/nginx.conf",
            stop_signal=_nginx_stop_signal(tag_lower), libc=_libc(tag_lower), has_luarocks=False,
            known_dirs=dict(_NGINX_DIRS), existing_dirs=_NGINX_EXISTING | _COMMON_EXISTING, known_files=_NGINX_FILES,
            entrypoint=("/docker-entrypoint.sh",), cmd=("nginx", "-g", "daemon off;"),
            user="nginx" if last == "nginx-unprivileged" else "root", official=True,
        )
    libc = "musl" if repository == "alpine" else _libc(tag_lower) if "alpine" in tag_lower else None
    distribution = repository in _DISTRIBUTIONS
    name = repository.removeprefix("docker.io/library/")
    # a Docker Hub library image, not a name a build argument fills in (`FROM ${NGINX_IMAGE}`): unknown
    library = "/" not in name and "$" not in name
    return BaseImage(reference, libc=libc, existing_dirs=_COMMON_EXISTING, distribution=distribution,
                     entrypoint=() if distribution else None,
                     keeps_runtime_stop_signal=distribution or library and name not in _LIBRARY_STOP_SIGNALS,
                     library=library and not distribution)


# Docker Hub library images that set a STOPSIGNAL of their own: php (SIGQUIT for php-fpm, SIGWINCH for Apache),
# httpd (SIGWINCH), haproxy (SIGUSR1)
_LIBRARY_STOP_SIGNALS = frozenset({"php", "httpd", "haproxy"})


def _openresty_image(reference: str, repository: str, tag: str) -> BaseImage:
    """An OpenResty image: docker-openresty's layout and defaults. Another publisher's `*/openresty` image (Bitnami's,
    one built on it, a team's own) is taken to run OpenResty the same way, but what it holds is not known: it may add
    any module, library or file, so nothing is claimed missing from it."""
    fat = "fat" in tag or "buildpack" in tag
    official = repository == "openresty/openresty" or repository.endswith("/openresty/openresty")  # or a mirror's
    return BaseImage(
        reference, flavour="openresty", prefix=OPENRESTY_PREFIX, conf_path=OPENRESTY_PREFIX + "/conf/nginx.conf",
        stop_signal=_openresty_stop_signal(tag), libc=_libc(tag),
        lua_path=DEFAULT_PATH, lua_cpath=DEFAULT_CPATH,
        env={"LUA_PATH": DEFAULT_PATH, "LUA_CPATH": DEFAULT_CPATH} if fat else {},
        has_luarocks=fat, known_dirs=dict(_OPENRESTY_DIRS) if official else {},
        existing_dirs=_OPENRESTY_EXISTING | _COMMON_EXISTING, known_files=_OPENRESTY_FILES,
        entrypoint=(), cmd=(_openresty_binary(tag), "-g", "daemon off;"), user="root",
        libraries=ALPINE_OPENRESTY_LIBRARIES if official and "alpine" in tag and "fat" not in tag else None,
        official=official, links=dict(_DEB_LINKS) if official and _DEB_FLAVOURS.intersection(tag.split("-")) else {},
    )


# docker-openresty's Debian flavours (`bookworm`, `bullseye-fat`) install OpenResty's deb package, which links
# /etc/openresty to the conf directory (openresty-packaging, deb/openresty/debian/openresty.links): a COPY there
# writes the config nginx reads. The Ubuntu, Alpine and RPM flavours have no such link.
_DEB_FLAVOURS = frozenset({"buster", "bullseye", "bookworm", "trixie"})
_DEB_LINKS = {"/etc/openresty": OPENRESTY_PREFIX + "/conf"}


def _openresty_binary(tag: str) -> str:
    """Alpine images run the binary in /usr/local/openresty/bin; Debian/Ubuntu/RHEL ones /usr/bin/openresty."""
    if "alpine" in tag:
        return "/usr/local/openresty/bin/openresty"
    return "/usr/bin/openresty"


def _libc(tag: str) -> str:
    return "musl" if "alpine" in tag else "glibc"


def _version(tag: str) -> tuple[tuple[int, ...], int | None] | None:
    """'1.25.3.1-2-alpine' -> ((1, 25, 3, 1), 2); tags without a version -> None (a current image)."""
    match = re.match(r"(\d+(?:\.\d+)+)(?:-(\d+))?(?:-|$)", tag)
    if not match:
        return None
    return tuple(int(part) for part in match.group(1).split(".")), (int(match.group(2)) if match.group(2) else None)


def _openresty_stop_signal(tag: str) -> str | None:
    version = _version(tag)
    if version is None:
        return "SIGQUIT"
    numbers, revision = version
    if numbers[:4] < (1, 13, 6, 2):
        return "SIGTERM"  # no STOPSIGNAL then: Docker's default
    if numbers[:4] == (1, 13, 6, 2) and (revision or 0) < 2:
        return None  # 1.13.6.2-1 had none, -2 added it; an unrevisioned tag moved between them
    return "SIGQUIT"


def _nginx_stop_signal(tag: str) -> str | None:
    version = _version(tag)
    if version is None:
        return "SIGQUIT"
    numbers = version[0]
    if numbers >= (1, 19, 5):
        return "SIGQUIT"
    if numbers < (1, 18):
        return "SIGTERM"
    return None  # 1.18.x/1.19.0-4: rebuilt with SIGQUIT late in their life; which build is in use is unknown


def base_filesystem(base: BaseImage) -> Filesystem:
    """A filesystem holding just what the base image is known (or not known) to hold."""
    return Filesystem(_bottom(base), _bottom_listing(base))


def _bottom(base: BaseImage):
    # An official image's files are those its own Dockerfile puts there (its Lua modules are the bundled ones), a
    # distribution image's those of the packages it is made of.
    named = base.official or base.distribution

    def bottom(path: str):
        holds = base.holds(path)
        if holds is False:
            return ABSENT
        if holds:
            return Unknown(f"a file of the base image {base.reference}", named)
        if base.reference is None:
            return Unknown("the content of a base image named by a build argument")
        return Unknown(f"the content of the base image {base.reference}", named)

    return bottom


def _bottom_listing(base: BaseImage):
    def listing(directory: str) -> Listing:
        if base.empty:
            return Listing({}, True)
        known = base.known_dirs.get(directory)
        if known is not None:
            return Listing({name: Unknown(f"a file of the base image {base.reference}") for name in known}, True)
        return Listing({}, False)

    return listing


def apply_entrypoint_writes(fs: Filesystem, base: BaseImage, env: Mapping[str, str],
                            entrypoint: tuple[str, ...] | None) -> None:
    """The nginx image's entrypoint renders /etc/nginx/templates/*.template into /etc/nginx/conf.d at start."""
    if base.flavour != "nginx" or entrypoint != ("/docker-entrypoint.sh",):
        return
    templates = env.get("NGINX_ENVSUBST_TEMPLATE_DIR", "/etc/nginx/templates")
    listing = fs.listdir(templates)
    output = normalise(env.get("NGINX_ENVSUBST_OUTPUT_DIR", "/etc/nginx/conf.d"))
    why = f"rendered by the image's entrypoint from {templates}"
    if listing.names or not listing.complete:
        fs.add(Layer(output, "unknown", why=why))  # its filter and suffix settings may render more, or fewer
    suffix = env.get("NGINX_ENVSUBST_TEMPLATE_SUFFIX", ".template")
    for name in listing.names:  # x.conf.template is rendered as x.conf, made at every start
        if name.endswith(suffix) and len(name) > len(suffix):
            fs.add(Layer(f"{output}/{name[:-len(suffix)]}", "unknown", why=why, made=True))



# Distribution images whose own OpenSSL is 3.x, and from which release (docs/openresty-facts.md, "OpenSSL 3 in
# distribution images", has each with its package page). Keyed by the repository's last component; a tag that
# names no release (`latest`, `stable`, `slim`) is a current release. Repositories that carry the release in their
# name (`ubi9/ubi-minimal`, `almalinux/9-minimal`, `centos:stream9`) are read by `_RELEASE_IN_NAME`.
_CURRENT = (9999,)
_CODENAMES = {"debian": {"buster": (10,), "bullseye": (11,), "bookworm": (12,), "trixie": (13,), "forky": (14,),
                         "oldstable": (12,), "stable": _CURRENT, "testing": _CURRENT, "sid": _CURRENT,
                         "unstable": _CURRENT},
              "ubuntu": {"bionic": (18, 4), "focal": (20, 4), "jammy": (22, 4), "kinetic": (22, 10),
                         "lunar": (23, 4), "mantic": (23, 10), "noble": (24, 4), "oracular": (24, 10),
                         "plucky": (25, 4), "questing": (25, 10), "rolling": _CURRENT, "devel": _CURRENT}}
OPENSSL_3_DISTRIBUTIONS = {  # repository -> (first release with OpenSSL 3, what to call it)
    "debian": ((12,), "Debian"), "ubuntu": ((22, 4), "Ubuntu"), "alpine": ((3, 17), "Alpine"),
    "fedora": ((36,), "Fedora"), "rockylinux": ((9,), "Rocky Linux"), "almalinux": ((9,), "AlmaLinux"),
    "oraclelinux": ((9,), "Oracle Linux"), "amazonlinux": ((2023,), "Amazon Linux"),
    "centos": ((9,), "CentOS Stream"), "ubi": ((9,), "Red Hat UBI"),
}
_RELEASE_IN_NAME = re.compile(r"(?:^|/)(ubi|rockylinux|almalinux)[/-]?(\d+)(?:-(?:minimal|micro|init|base))?(?:/ubi(?:-(?:minimal|micro|init))?)?$")
_CURRENT_WORDS = frozenset({"latest", "slim", "stable", "edge", "rawhide", "minimal", "base", "micro", "init"})
# Images built on one distribution release whose tags are version numbers of their own: phusion/baseimage 0.11 is
# Ubuntu 18.04 (0.10.2 is 16.04; from 1.0.0 on its tags name the release, `focal-1.0.0`).
_OWN_NUMBERS = {("phusion/baseimage", "0.11"): ("ubuntu", (18, 4))}


# Distributions whose own OpenSSL is 1.1.0 or later from these releases on (Debian 9, Ubuntu 18.04, Alpine 3.9; Alpine
# 3.5 to 3.8 shipped LibreSSL by default), built without `enable-weak-ssl-ciphers`: no RC4 or 3DES suite.
OPENSSL_1_1_DISTRIBUTIONS = {"debian": ((9,), "Debian"), "ubuntu": ((18, 4), "Ubuntu"), "alpine": ((3, 9), "Alpine")}


def openssl_3_distribution(reference: str | None) -> str | None:
    """'Debian 12' when the image is a distribution release whose own OpenSSL is 3.x; None when it is an older
    release or not a distribution image nginxlint knows (nothing is claimed then)."""
    return distribution_since(reference, OPENSSL_3_DISTRIBUTIONS)


def distribution_since(reference: str | None, table: dict) -> str | None:
    """'Debian 12' when the image is a release of a distribution of `table` (repository -> (first release, what to
    call it)) from its first release on; None when it is older or not a distribution image nginxlint knows."""
    if not reference:
        return None
    repository, tag = split_reference(reference)
    named = _RELEASE_IN_NAME.search(repository)
    if named:  # ubi9/ubi-minimal, redhat/ubi9, almalinux/9-minimal
        name, release = named.group(1), (int(named.group(2)),)
    elif (repository, tag) in _OWN_NUMBERS:
        name, release = _OWN_NUMBERS[repository, tag]
    else:
        name = repository.split("/")[-1]
        release = _release_of(name, tag)
    if name not in OPENSSL_3_DISTRIBUTIONS:
        name, release = _release_in_tag(tag)  # a language image built on a distribution: python:3.12-bookworm
    if release is None:
        name, release = _current_release_of_language_image(repository, tag)
    if name not in table or release is None:
        return None
    first, called = table[name]
    if release < first:
        return None
    if release == _CURRENT:
        return called
    return f"{called} {release[0]}" + "".join(f".{part:02d}" if name == "ubuntu" else f".{part}" for part in release[1:])


_ALPINE_IN_TAG = re.compile(r"alpine(\d+\.\d+)$")
_GENERIC_CODENAMES = frozenset({"oldstable", "stable", "testing", "sid", "unstable", "rolling", "devel"})


def _release_in_tag(tag: str | None) -> tuple[str | None, tuple[int, ...] | None]:
    """(distribution, release) a language image's tag names: `3.12-bookworm`, `20-bookworm-slim`, `21-jammy`,
    `3.12-alpine3.19`, `nginx-1.27.3-alpine-3.21.0`; (None, None) when it names none (a generic word such as
    `stable` is the image's own)."""
    words = (tag or "").lower().split("-")
    for index, word in enumerate(words):
        for name, codenames in _CODENAMES.items():
            if word in codenames and word not in _GENERIC_CODENAMES:
                return name, codenames[word]
        alpine = _ALPINE_IN_TAG.fullmatch(word)
        if alpine:
            return "alpine", _numbers(alpine.group(1))
        following = words[index + 1] if index + 1 < len(words) else ""
        if word == "alpine" and re.fullmatch(r"\d+\.\d+(?:\.\d+)?", following):
            return "alpine", _numbers(following)
    return None, None


# Official language images whose tags that name no release (`php:8.4-fpm-alpine`, `php:8.2-fpm`) have been built
# only on releases with OpenSSL 3 from this language version on, to the last image of that version: docker-library/php
# built PHP 8.1 on Alpine 3.17 to 3.22 and Debian bookworm/trixie at the end, while PHP 8.0 stopped at Alpine 3.16
# and Debian bullseye (OpenSSL 1.1.1).
_LANGUAGE_IMAGES_ON_OPENSSL_3 = {"php": (8, 1)}


def _current_release_of_language_image(repository: str, tag: str | None):
    """(distribution, current release) of an official language image's tag that names no release, when every
    image of its language version is on OpenSSL 3; (None, None) otherwise."""
    since = _LANGUAGE_IMAGES_ON_OPENSSL_3.get(repository)
    version = _numbers(tag or "")
    if since is None or version is None or len(version) < 2 or version < since:
        return None, None
    return ("alpine" if "alpine" in (tag or "").lower().split("-") else "debian"), _CURRENT


def _release_of(name: str, tag: str | None) -> tuple[int, ...] | None:
    """The release a tag names: 'bookworm-slim' -> (12,), '22.04' -> (22, 4), 'stream9' -> (9,), 'latest' -> current."""
    word = re.split(r"[-_]", (tag or "latest").lower(), maxsplit=1)[0]
    if word in _CODENAMES.get(name, {}):
        return _CODENAMES[name][word]
    if name == "centos":  # centos:7 and centos:8 are CentOS Linux; only the Stream tags are Stream
        word = word[len("stream"):] if word.startswith("stream") else ""
        return _numbers(word)
    if word in _CURRENT_WORDS:
        return _CURRENT
    return _numbers(word)


def _numbers(text: str) -> tuple[int, ...] | None:
    match = re.match(r"\d+(?:\.\d+)?", text)
    return tuple(int(part) for part in match.group(0).split(".")) if match else None


# Debian's dash, the /bin/sh of Debian, Ubuntu and the images built on them, runs every command of a `-c` text as a
# child and waits for it, the last one too: Debian disables the optimisation of upstream dash that execs it (checked
# with Debian 12's dash 0.5.12: under `unshare --pid --fork`, `sh -c 'ps'` lists sh as PID 1 and ps as PID 2).
# bash and BusyBox ash (Alpine) exec the last simple command of a `-c` text, and so does upstream dash.
def sh_keeps_the_last_command_a_child(reference: str | None) -> bool:
    """Whether the image's /bin/sh is Debian's dash, known from its reference: Debian and Ubuntu themselves, an
    image whose tag names one of their releases (`python:3.12-bookworm`), and the official nginx and OpenResty
    images except their Alpine, RHEL-family and Amazon Linux builds. False when not known."""
    if not reference:
        return False
    repository, tag = split_reference(reference)
    tag_lower = (tag or "latest").lower()
    if repository in ("debian", "ubuntu") or _release_in_tag(tag)[0] in ("debian", "ubuntu"):
        return True
    if repository in ("nginx", "nginxinc/nginx-unprivileged"):
        return "alpine" not in tag_lower
    return repository == "openresty/openresty" and tag_lower == "latest"
