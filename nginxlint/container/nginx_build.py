"""The nginx build a config tree runs in, as far as its image shows: which OpenSSL it links, and whether nginxlint
knows its module set.

An official nginx or OpenResty image is a known build (base_images.py). So is nginx from a distribution's own
packages (`apt-get install nginx`, `apk add nginx-mod-http-lua`): those modules are in the directive table. An
OpenResty or nginx from another package repository, compiled in the Dockerfile, or an image that is neither built
here nor official, is a build nginxlint cannot see into. A config no container is shown to run is judged
against the table, unless the repository compiles its own nginx with extra modules or patches (a `./configure
--add-module=` script, nginx-ee) or loads a module file the table does not know (nginx/source_build.py).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .. import sources
from ..nginx.releases import from_image
from ..nginx.source_build import repository_loads_unknown_module, runs_own_build, unknown_loaded_module
from ..repository import find_repository_root
from .base_images import (OPENSSL_1_1_DISTRIBUTIONS, OPENSSL_3_DISTRIBUTIONS, base_image, distribution_since,
                          openssl_3_distribution, split_reference)

# Package names of a distribution's nginx and its dynamic modules (Debian/Ubuntu, Alpine, Fedora/RHEL).
_DISTRIBUTION_NGINX = re.compile(r"^(?:nginx(?:-full|-light|-extras|-core|-common|-all-modules)?|libnginx-mod-[\w-]+|"
                                 r"nginx-mod-[\w-]+)$")
# `openresty`, `openresty=1.27.1.1-1~jammy1`, `openresty-1.27.1-1.el9` (not openresty-resty, openresty-opm...).
_OPENRESTY = re.compile(r"^openresty(?:[-=~]+(\d+(?:\.\d+)+)[\w.~+-]*)?$")
# OpenResty's own packages link its OpenSSL 3 build from this release on (docs/openresty-facts.md); a
# distribution's OpenSSL 3 is linked by builds made on it.
OPENRESTY_OPENSSL_3 = (1, 27, 1)


@dataclass(frozen=True)
class NginxPackage:
    kind: str  # "distribution" | "openresty"
    version: tuple[int, ...] | None  # the pinned version, when the install names one
    line: int


def nginx_package(image) -> NginxPackage | None:
    """The package that puts nginx into the image (the last one a RUN installs), or None."""
    found = None
    for _manager, package, line in image.packages:
        name = package.split("=", 1)[0] if "=" in package and not package.startswith("openresty") else package
        name = re.sub(r"[<>~].*$", "", name) if not name.startswith("openresty") else name
        if _DISTRIBUTION_NGINX.match(name):
            found = NginxPackage("distribution", None, line)
        else:
            match = _OPENRESTY.match(package)
            if match:
                version = tuple(int(part) for part in match.group(1).split(".")) if match.group(1) else None
                found = NginxPackage("openresty", version, line)
    return found


def built_image(tree):
    """The image model of the container the tree is bound to, when it is built from the repository (or known to
    be the project's own), else None."""
    from .view import container_files  # the image model, only for a tree bound to a container

    files = container_files(tree)
    return files.image if files is not None else None


def distribution_openssl_3(tree) -> str | None:
    """'ubi9/ubi-minimal (Red Hat UBI 9)' when the tree's image installs nginx or OpenResty from a package on a
    distribution release whose OpenSSL is 3.x, and that package links it; else None."""
    found = _packaged_on_openssl_3(tree)
    return f"{found[0]} ({found[1]})" if found is not None else None


def _packaged_on_openssl_3(tree):
    """(image reference, distribution release, package) for `distribution_openssl_3`, or None."""
    found = _packaged_on(tree, OPENSSL_3_DISTRIBUTIONS)
    if found is None:
        return None
    package = found[2]
    if package.kind == "openresty" and package.version is not None and package.version[:3] < OPENRESTY_OPENSSL_3:
        return None  # OpenResty's own packages of these releases bring OpenSSL 1.1.1
    return found


def _packaged_on(tree, distributions: dict):
    """(image reference, distribution release, package) when the image installs nginx from a package on a release
    of `distributions` (base_images.distribution_since), or None."""
    if tree.binding is None:
        return None
    image = built_image(tree)
    if image is None or image.final is None:
        return None
    reference = _chain_bottom(tree.loader, image)
    distribution = distribution_since(reference, distributions)
    if distribution is None:
        return None
    package = nginx_package(image)
    return (reference, distribution, package) if package is not None else None


def _chain_bottom(loader, image) -> str | None:
    """The image a FROM chain through the repository's own images starts from: in an image collection laid out as
    <dir>/<image>/<tag>/Dockerfile, `FROM owner/php:8.4` in docker/php-nginx/8.4/Dockerfile is the image that
    docker/php/8.4/Dockerfile builds, and so on down to an image the repository does not build."""
    reference, dockerfile = image.base.reference, Path(os.path.abspath(image.dockerfile))
    for _ in range(4):  # collections stack a few layers (bootstrap, base, php, php-nginx)
        built = _collection_dockerfile(loader, dockerfile, reference)
        if built is None:
            break
        from .dockerfile_build import image_of  # the image model, only for an image the repository builds

        parent = image_of(loader, built)
        if parent.final is None:
            break
        reference, dockerfile = parent.base.reference, built
    return reference


def _collection_dockerfile(loader, dockerfile: Path, reference: str | None) -> Path | None:
    """<dir>/<image>/<tag>/Dockerfile for `FROM …/<image>:<tag>` when `dockerfile` is <dir>/<other>/<tag>/Dockerfile
    of the same collection inside the repository, else None."""
    if not reference or openssl_3_distribution(reference) is not None:
        return None
    repository, tag = split_reference(reference)
    if not tag or dockerfile.name != "Dockerfile":
        return None
    collection = dockerfile.parent.parent.parent
    base = Path(os.path.abspath(loader.base_dir))
    if collection != base and base not in collection.parents:
        return None
    candidate = collection / repository.rsplit("/", 1)[-1] / tag / "Dockerfile"
    return candidate if candidate != dockerfile and candidate.is_file() else None


# Distributions whose OpenSSL 3 is built without `enable-weak-ssl-ciphers`, so it has no legacy suite (3DES, RC4,
# DES, IDEA, SEED) at all (docs/openresty-facts.md, "OpenSSL 3 in the official images"); Red Hat's family is left
# out: not checked.
WITHOUT_LEGACY_SUITES = ("Debian", "Ubuntu", "Alpine")


def openssl_without_weak_suites(tree) -> str | None:
    """"3" when the nginx that runs the tree links an OpenSSL 3 with no legacy suite: the official nginx image's
    (Debian's or Alpine's build), or a distribution's nginx package on a Debian, Ubuntu or Alpine release with
    OpenSSL 3 (a language image's tag counts: `python:3.12-bookworm` is Debian 12); "1.1" when it is an official
    nginx image, or a distribution's nginx package on a Debian, Ubuntu or Alpine release, that links the
    distribution's OpenSSL 1.1 (no RC4, no 3DES), or an OpenResty image built from source on OpenSSL 1.1; else
    None. OpenResty's images of 1.27.1.1 and later build their OpenSSL with the weak suites."""
    from .release import image_has_openssl_1_1, image_has_openssl_3, openresty_image_on_openssl_1_1

    official = image_has_openssl_3(tree)
    if official is not None:
        return "3" if "openresty" not in official else None
    found = _packaged_on_openssl_3(tree)
    if found is not None and found[2].kind == "distribution" and found[1].startswith(WITHOUT_LEGACY_SUITES):
        return "3"
    if image_has_openssl_1_1(tree) or openresty_image_on_openssl_1_1(tree):
        return "1.1"
    found = _packaged_on(tree, OPENSSL_1_1_DISTRIBUTIONS)
    if found is not None and found[2].kind == "distribution":
        return "1.1"
    return "1.1" if tree.binding is None and _installed_from_debian_or_alpine(tree) else None


# A build of nginx's own that links an OpenSSL of its choosing
_OWN_OPENSSL = re.compile(r"--with-openssl\b")


def _installed_from_debian_or_alpine(tree) -> bool:
    """The repository's shell scripts or Ansible tasks install the distribution's nginx with apt or apk, and no
    other nginx (from a Red Hat family's repository, OpenResty's, or built with an OpenSSL of its own): a bare-metal
    installer, an SD card's build, a playbook. Every Debian, Ubuntu and Alpine release since 2018 (Debian 9, Ubuntu
    18.04, Alpine 3.9) links an OpenSSL 1.1 or 3 built without the RC4 and 3DES suites; the release itself is not
    named."""
    from ..shell_scripts import shell_scripts  # the repository's installers, only for a weak suite with no container
    from .ansible_installs import ansible_packages
    from .installs import run_effects

    directory = tree.root.path.parent if tree.root.path is not None else Path(tree.loader.base_dir)
    top = tree.loader.repository_top(directory)
    packages = list(ansible_packages(tree.loader, top))
    for _path, text in shell_scripts(tree.loader, top):
        if "nginx" in text or "openresty" in text:
            if _OWN_OPENSSL.search(text):
                return False
            packages.extend(run_effects(text, "/", 0).packages)
    found = False
    for manager, package in packages:
        if _OPENRESTY.match(package):
            return False
        if _DISTRIBUTION_NGINX.match(package.split("=", 1)[0]):
            if manager not in ("apt", "apk"):
                return False
            found = True
    return found


def openssl_out_of_view(tree) -> bool:
    """Whether the nginx that runs the tree links an OpenSSL of a version nginxlint cannot tell: a container of
    an image that ships nginx of another publisher (Red Hat's UBI nginx images, a team's own) with no
    distribution package it installs, or of an official nginx or OpenResty image whose tag names no release
    (the current one, whose OpenSSL is 3.5)."""
    binding = tree.binding
    if binding is None or binding.source == "settings":
        return False
    reference = binding.container.base_image
    if not reference:
        return True  # named in another file (a Compose override)
    if base_image(reference).flavour in ("nginx", "openresty"):
        return from_image(reference) is None
    return all(_packaged_on(tree, known) is None for known in (OPENSSL_3_DISTRIBUTIONS, OPENSSL_1_1_DISTRIBUTIONS))


# Distribution releases whose own OpenSSL is 3.5 or later (Alpine 3.22, Debian 13): an image whose tag names one
# (`nginx:1.31.2-alpine3.23`, `python:3.13-trixie`) links it.
OPENSSL_3_5_DISTRIBUTIONS = {"alpine": ((3, 22), "Alpine"), "debian": ((13,), "Debian")}


def openssl_3_5_named(tree) -> str | None:
    """The distribution release of OpenSSL 3.5 or later the tag of the tree's image names, else None."""
    binding = tree.binding
    reference = binding.container.base_image if binding is not None and binding.source != "settings" else None
    return distribution_since(reference, OPENSSL_3_5_DISTRIBUTIONS) if reference else None


def modules_known(tree) -> bool:
    """Whether the nginx that runs the tree has a module set nginxlint knows (see the module docstring): never when
    the config loads a module file nginxlint does not know (`load_module modules/ngx_http_wallarm_module.so`)."""
    binding = tree.binding
    if unknown_loaded_module(tree) or not tree.is_main and _repository_loads_unknown_module(tree):
        return False
    if binding is None:
        return not runs_own_build(tree)
    if binding.source == "settings":
        return True
    reference = binding.container.base_image
    if reference is None:
        return False  # a container whose image is named elsewhere (a Compose override file)
    if base_image(reference).flavour in ("nginx", "openresty"):
        return True
    image = built_image(tree)
    if image is None or image.final is None:
        return False
    package = nginx_package(image)
    return package is not None and package.kind == "distribution"


def _repository_loads_unknown_module(tree) -> bool:
    base = Path(os.path.abspath(tree.loader.base_dir))
    return repository_loads_unknown_module(tree.loader, find_repository_root(base) or base)


def links_openssl_3(tree) -> str | None:
    """The image (for messages) when the nginx that runs the tree links OpenSSL 3: an official image of a release
    built on it, or a packaged nginx on a distribution release whose OpenSSL is 3.x; else None."""
    from .release import image_has_openssl_3

    return image_has_openssl_3(tree) or distribution_openssl_3(tree) or nginx_image_on_openssl_3(tree) \
        or builds_openssl_3(tree)


# An OpenSSL source tarball a RUN downloads (`openssl-${RESTY_OPENSSL_VERSION}.tar.gz`), and the configure step of
# nginx or OpenResty that builds against what it made, as docker-openresty's Dockerfiles and their many copies do
_OPENSSL_TARBALL = re.compile(r"openssl-(\$\{?\w+\}?|\d+\.\d+\.\d+[a-z]?)\.tar\.gz")
_CONFIGURE = re.compile(r"\./configure\b")
_VARIABLE = re.compile(r"\$\{?(\w+)\}?")


# The packages of a distribution's OpenSSL headers, which a source build links against when it names no OpenSSL of
# its own (`--with-openssl=`)
_OPENSSL_HEADERS = frozenset({"openssl-dev", "openssl3-dev", "libssl-dev", "openssl-devel", "openssl3-devel"})


def builds_openssl_3(tree) -> str | None:
    """'OpenSSL 3.5.5, built by Dockerfile' when the tree's image builds nginx from source against an OpenSSL 3 it
    builds from the release tarball (the version as the Dockerfile's ARG or ENV fixes it), and no other one; or
    'Alpine 3.22's OpenSSL 3, which Dockerfile's build links' when the build names no OpenSSL and a stage installs the
    headers of the distribution's, on a release whose OpenSSL is 3.x."""
    image = built_image(tree)
    if image is None or image.final is None:
        return None
    try:
        text = tree.loader.text(image.dockerfile)
    except sources.Unreadable:
        return None
    if not _CONFIGURE.search(text):
        return None
    values = {name: value for stage in image.stages for name, value in (*stage.args.items(), *stage.env.items())
              if value}
    versions = {_VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), match.group(1))
                for match in _OPENSSL_TARBALL.finditer(text)}
    if not versions and "--with-openssl" not in text:
        return _links_distribution_openssl_3(image)
    if len(versions) != 1:
        return None
    (version,) = versions
    return f"OpenSSL {version}, built by {image.dockerfile.name}" if re.fullmatch(r"3\.\d+\.\d+[a-z]?", version) \
        else None


def _links_distribution_openssl_3(image) -> str | None:
    """The distribution release whose OpenSSL 3 headers a stage of the image installs for the build, for messages."""
    for stage in image.stages:
        if any(package.split("=", 1)[0] in _OPENSSL_HEADERS for _manager, package, _line in stage.packages):
            distribution = openssl_3_distribution(stage.base.reference)
            if distribution is not None:
                return f"{distribution}'s OpenSSL 3, which {image.dockerfile.name}'s build links"
    return None


# An image of another publisher that holds OpenResty or a fork with an OpenSSL of its own build: its tag says
# nothing of the OpenSSL it links
_BUNDLES_OPENSSL = re.compile(r"openresty|tengine|angie|freenginx|kong|apisix")


def nginx_image_on_openssl_3(tree) -> str | None:
    """'rpardini/nginx-proxy-connect-stable-alpine:nginx-1.27.3-alpine-3.21.0 (Alpine 3.21)' when the tree runs in
    an nginx image of another publisher whose tag names the distribution release it is built on, one with OpenSSL
    3.x: nginx brings no OpenSSL of its own, and a build on that release (as the official image's Dockerfile, which
    such images follow, does) links the release's libssl."""
    binding = tree.binding
    if binding is None or binding.container is None:
        return None
    image = built_image(tree)  # the project's own image, a manifest's too: followed down to what it starts from
    reference = _chain_bottom(tree.loader, image) if image is not None and image.final is not None \
        else binding.container.base_image
    if not reference or base_image(reference).flavour != "other":
        return None
    repository, _ = split_reference(reference)
    name = repository.lower().split("/")[-1]
    if "nginx" not in name or _BUNDLES_OPENSSL.search(repository.lower()):
        return None
    distribution = openssl_3_distribution(reference)
    return f"{reference} ({distribution})" if distribution is not None else None
