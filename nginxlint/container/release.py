"""The nginx release that runs a config tree, and where that is written.

Strongest first: the tag of the image the container runs (a Compose build's or a Dockerfile's `FROM`, else the
manifest's `image:`), then the `nginx version:` line of an `nginx -V` printed into an `nginx -T` dump, then the
`nginx-version` setting (or `--nginx-version`). An image whose tag names no release (`latest`, `alpine`) leaves the
release unknown unless the setting names it; nothing known, nothing said. What a release no longer has is known
for such a tag too, when it follows the current releases (pulled_release).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..findings import Location
from ..nginx.releases import CURRENT_FLOOR, Release, current_flavour, from_image, from_setting, \
    from_version_output
from ..openresty.releases import bundled_lua_module, module_order


@dataclass(frozen=True)
class RunningRelease:
    release: Release
    source: str  # for messages: "from the image nginx:1.19.6", "from the nginx-version setting"
    location: Location | None = None  # the image reference in the manifest or Dockerfile, when it has a place
    from_image: bool = False
    current: bool = False  # the release is only the oldest one a tag that follows current releases gives

    @property
    def shown(self) -> str:
        """The release and where it was found, for messages: "nginx 1.22.1 (from the image nginx:1.22.1)", or
        "the current nginx (from the image nginx:alpine)"."""
        if self.current:
            name = "OpenResty" if self.release.flavour == "openresty" else "nginx"
            return f"the current {name} ({self.source})"
        return f"{self.release.name} ({self.source})"

    @property
    def related(self) -> list[Location]:
        """Where the release is written, as a finding's related location (none for a setting)."""
        return [self.location] if self.location is not None else []


def running_release(tree) -> RunningRelease | None:
    memo = tree.memo
    if "running-release" not in memo:
        memo["running-release"] = _find(tree)
    return memo["running-release"]


def _find(tree) -> RunningRelease | None:
    image = _image(tree)
    if image is not None:
        reference, where = image
        release = from_image(reference)
        if release is not None:
            return RunningRelease(release, f"from the image {reference}", where, True)
    built = _release_built_from_source(tree)
    if built is not None:
        return built
    if tree.version_output:
        release = from_version_output(tree.version_output)
        if release is not None:
            return RunningRelease(release, "from the dump's `nginx version:` line")
    release = from_setting(getattr(tree.settings, "nginx_version", None))
    if release is not None:
        return RunningRelease(release, "from the nginx-version setting")
    return None


def _image(tree) -> tuple[str, Location] | None:
    """The image the tree's container runs (a build's base, else `image:`) and where it is written."""
    binding = tree.binding
    container = binding.container if binding is not None else None
    if container is None:
        return None
    build = container.build
    if build is not None and build.base is not None:
        return build.base.value, Location(build.path, build.base.span, f"the image: FROM {build.base.value}")
    if container.image:
        return container.image, binding.location(container.image_span, f"the image: {container.image}")
    return None


def pulled_release(tree) -> RunningRelease | None:
    """The running release as running_release() finds it, else, for an official image whose tag follows the newest
    releases (`nginx:alpine`), the oldest release a pull of it gives today (releases.CURRENT_FLOOR), marked
    `current`: enough to know what that image no longer has, never what it does not have yet."""
    running = running_release(tree)
    if running is not None:
        return running
    image = _image(tree)
    flavour = current_flavour(image[0]) if image is not None else None
    if flavour is None:
        return None
    reference, where = image
    return RunningRelease(CURRENT_FLOOR[flavour], f"from the image {reference}", where, True, current=True)


@dataclass(frozen=True)
class RunningLuaModule:
    version: str  # "0.10.21"
    source: str  # for messages: "bundled by OpenResty 1.21.4.1, from the image openresty/openresty:1.21.4.1-alpine"
    related: list  # where the release is written, as a finding's related location
    openresty: bool = False  # bundled by an OpenResty release (else named by the setting)
    from_image: bool = False


def running_lua_module(tree) -> RunningLuaModule | None:
    """The lua-nginx-module that runs a tree's http Lua: the one its OpenResty release bundles (image tag, dump's
    `nginx -V`, `nginx-version` setting) when the table knows it, else the `lua-nginx-module` setting (nginx with the
    module added, such as Debian's libnginx-mod-http-lua); None when neither says."""
    running = running_release(tree)
    if running is not None and running.release.flavour == "openresty":
        version = bundled_lua_module(running.release.number)
        if version is not None:
            return RunningLuaModule(version, f"bundled by {running.release.name}, {running.source}",
                                    running.related, True, running.from_image)
    built = _lua_module_built_from_source(tree)
    if built is not None:
        return built
    version = getattr(tree.settings, "lua_nginx_module", None)
    if version and module_order(version):
        return RunningLuaModule(version, "from the lua-nginx-module setting", [])
    return None


# An nginx or OpenResty release a Dockerfile compiles: the source archive a RUN fetches
# (`…/openresty-1.21.4.1.tar.gz`, `ngx_openresty-1.7.7.2.tar.gz` before 1.9, `nginx-1.25.3.tar.gz`).
_SOURCE_ARCHIVE = re.compile(r"(?<![\w.-])(ngx_openresty|openresty|nginx)-(1\.\d+\.\d+(?:\.\d+)?)\.tar\.gz\b")


def _release_built_from_source(tree) -> RunningRelease | None:
    """The release the image of the tree's container compiles from its source archive (its Dockerfile's RUN lines),
    the last one fetched."""
    build = _build(tree)
    fetched = [match for text in (build.runs if build is not None else ()) for match in _SOURCE_ARCHIVE.finditer(text)]
    if not fetched:
        return None
    found = fetched[-1]
    flavour = "nginx" if found.group(1) == "nginx" else "openresty"
    return RunningRelease(Release(flavour, tuple(int(part) for part in found.group(2).split("."))),
                          f"built from source in {build.path}")


def _build(tree):
    """The Dockerfile build of the tree's container, or None."""
    binding = tree.binding
    return binding.container.build if binding is not None else None


# A lua-nginx-module a Dockerfile builds from its source: the release archive it downloads or the tag it clones
# (`lua-nginx-module/archive/v0.10.7.zip`, `lua-nginx-module-0.10.7.tar.gz`, `git clone -b v0.10.7 …lua-nginx-module`)
_SOURCE_RELEASE = re.compile(r"lua-nginx-module(?:/archive/(?:refs/tags/)?v?|-)(\d+\.\d+\.\d+)\b"
                             r"|\s(?:-b|--branch)\s+v?(\d+\.\d+\.\d+)\s+\S*lua-nginx-module")


def _lua_module_built_from_source(tree) -> RunningLuaModule | None:
    """The lua-nginx-module the image of the tree's container builds from source (its Dockerfile's RUN lines)."""
    build = _build(tree)
    for text in build.runs if build is not None else ():
        found = _SOURCE_RELEASE.search(text)
        if found is not None:
            return RunningLuaModule(found.group(1) or found.group(2), f"built from source in {build.path}", [])
    return None


# LuaJIT from its own project (luajit.org's archive, LuaJIT/LuaJIT on GitHub), not OpenResty's luajit2: an ngx_lua
# built against it lacks OPENRESTY_LUAJIT
_STOCK_LUAJIT = re.compile(r"luajit\.org/download/LuaJIT-|github\.com/LuaJIT/LuaJIT\b", re.IGNORECASE)


def built_with_stock_luajit(tree) -> bool:
    """The image of the tree's container compiles ngx_lua against stock LuaJIT (and no OpenResty source archive,
    which brings its own): each request's Lua then runs with a globals table of its own."""
    build = _build(tree)
    runs = build.runs if build is not None else ()
    return any(_STOCK_LUAJIT.search(text) for text in runs) and not any(
        match.group(1) != "nginx" for text in runs for match in _SOURCE_ARCHIVE.finditer(text))


# OpenSSL 3 refuses TLS 1.0 and 1.1 at its default security level 1 (they need SHA-1/MD5 signatures), and the
# Debian and Alpine builds of OpenSSL 3 have no 3DES suite at all (docs/openresty-facts.md). The official images
# link OpenSSL 3 from these releases on: nginx's since 1.25 (Debian bookworm, Alpine 3.17+), OpenResty's since
# 1.27.1.1; a tag that names no release (`latest`, `alpine`, `stable`) is a current image.
OPENSSL_3_SINCE = {"nginx": (1, 25), "openresty": (1, 27, 1, 1)}
# Images that run Alpine's own nginx package, rebuilt on each Alpine release: linuxserver.io's swag and nginx have
# been on Alpine 3.17 or later (OpenSSL 3) since 2023, so their current tag links OpenSSL 3; a pinned tag may not.
_CURRENT_ALPINE_NGINX_IMAGES = frozenset({"linuxserver/swag", "linuxserver/nginx"})


def image_has_openssl_3(tree) -> str | None:
    """The official image the tree runs in when it links OpenSSL 3 (the image's name, for messages), else None."""
    reference = _base_reference(tree)
    if reference is None:
        return None
    from .base_images import split_reference  # the image facts table, only for a tree in a container

    repository, tag = split_reference(reference)
    if repository in _CURRENT_ALPINE_NGINX_IMAGES and tag in (None, "latest"):
        return reference
    return _official_image_since(reference, OPENSSL_3_SINCE)


# The official nginx images link their distribution's OpenSSL 1.1 from nginx 1.16 on (Debian 9 and 10, Alpine 3.9 and
# later; Alpine 3.5 to 3.8 made LibreSSL the default), built without the weak suites.
OPENSSL_1_1_SINCE = {"nginx": (1, 16)}


def image_has_openssl_1_1(tree) -> str | None:
    """The official nginx image the tree runs in when it links OpenSSL 1.1 or later, else None."""
    reference = _base_reference(tree)
    return _official_image_since(reference, OPENSSL_1_1_SINCE) if reference is not None else None


# docker-openresty's flavours built from source (alpine, alpine-fat, bionic, focal, jammy, noble) link an OpenSSL
# 1.1 they build without `enable-weak-ssl-ciphers` from 1.15.8.2 until 1.27.1.1, which moved them to an OpenSSL 3
# built with it (the RESTY_OPENSSL_VERSION and RESTY_OPENSSL_BUILD_OPTIONS of their Dockerfiles); before, OpenSSL
# 1.0.2. Its package flavours (alpine-apk, bookworm, centos, …) link OpenResty's own OpenSSL package.
OPENRESTY_SOURCE_BUILT_OPENSSL_1_1 = ((1, 15, 8, 2), (1, 27, 1, 1))
_OPENRESTY_SOURCE_FLAVOUR = re.compile(r"-(?:alpine(?!-apk)|bionic|focal|jammy|noble)\b")


def openresty_image_on_openssl_1_1(tree) -> str | None:
    """The official OpenResty image the tree runs in when it is a flavour built from source with OpenSSL 1.1 (no
    RC4, no 3DES), else None."""
    reference = _base_reference(tree)
    if reference is None:
        return None
    from .base_images import split_reference  # the image facts table, only for a tree in a container

    repository, tag = split_reference(reference)
    if repository.removeprefix("docker.io/") != "openresty/openresty" \
            or not _OPENRESTY_SOURCE_FLAVOUR.search(tag or ""):
        return None
    release = from_image(reference)
    first, moved = OPENRESTY_SOURCE_BUILT_OPENSSL_1_1
    return reference if release is not None and first <= release.number < moved else None


def _base_reference(tree) -> str | None:
    """The image the tree's container runs nginx from, when a container is known and names one."""
    binding = tree.binding
    return (binding.container.base_image or None) if binding is not None else None


def _official_image_since(reference: str, since: dict) -> str | None:
    """The reference when it is an official image of a flavour of `since` (flavour -> first release) from that
    release on; a tag that names no release is a current image."""
    from .base_images import base_image  # the image facts table, only for a tree in a container

    flavour = base_image(reference).flavour
    if flavour not in since:
        return None
    release = from_image(reference)
    return reference if release is None or release.number >= since[flavour] else None


# nginx's configure prefers PCRE2 from 1.21.5, and the official OpenResty images link it from 1.27.1.1 (their
# Dockerfiles build PCRE 8.45 before); a tag that names no release is a current image.
PCRE2_SINCE = {"nginx": (1, 21, 5), "openresty": (1, 27, 1, 1)}


def may_link_pcre1(tree) -> bool:
    """Whether the nginx that runs the tree may link PCRE1: a release from before PCRE2, or an OpenResty whose
    release nothing in view tells (an image of another publisher's build, `bkci/openresty:0.0.2`, or a config with
    Lua and no image at all)."""
    running = pulled_release(tree)
    if running is not None:
        return running.release.number < PCRE2_SINCE[running.release.flavour]
    image = _image(tree)
    if image is not None:
        return "openresty" in image[0].lower()
    from ..openresty.units import has_lua  # only for a pattern PCRE1 would take

    return has_lua(tree)

