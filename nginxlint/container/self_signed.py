"""The certificates a container's start makes self-signed (`openssl req -x509 … -out /etc/nginx/certs/local.crt`,
in the ENTRYPOINT or the script it runs): with a server named only localhost, a local placeholder.

Made at every start, the certificate overwrites whatever a user could put in its place, so every client meets an
untrusted certificate: browsers ignore Strict-Transport-Security over such a connection (RFC 6797 §8.1) and no
phone is served in production by it. Advice for a public TLS server (HSTS, cipher order) is of no use there.
A certificate made at build time (`RUN openssl req …`) is not one: a volume can put the real one over it.
Source: https://www.rfc-editor.org/rfc/rfc6797#section-8.1
"""
from __future__ import annotations

import posixpath

from .startup import read_script


def made_self_signed_at_start(tree, certificate: str) -> bool:
    """The container's start command makes this `ssl_certificate` file with `openssl req -x509` (same file name)."""
    return posixpath.basename(certificate) in start_certificates(tree)


def start_certificates(tree) -> frozenset[str]:
    """File names of the certificates the container's start command makes with `openssl req -x509` (read once)."""
    if "start-certificates" not in tree.memo:
        text = _start_text(tree)
        tree.memo["start-certificates"] = self_signed_outputs(text) if text else frozenset()
    return tree.memo["start-certificates"]


def self_signed_outputs(text: str) -> frozenset[str]:
    """File names that `openssl req -x509 … -out FILE` commands of a shell text write."""
    found = set()
    for command in read_script(text.replace("\\\n", " ")).commands:  # one command across continued lines
        words = command.words
        if command.program == "openssl" and words[1:2] == ("req",) and "-x509" in words:
            found.update(posixpath.basename(value) for flag, value in zip(words, words[1:]) if flag == "-out")
    return frozenset(found)


def _start_text(tree) -> str | None:
    """The shell text the container starts with: the `sh -c` text of its command or the script it runs."""
    from .view import container_files

    files = container_files(tree)
    return files.start_text(None) if files is not None else None
