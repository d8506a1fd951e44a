"""The certificates a container's start makes self-signed (`openssl req -x509 … -out /etc/nginx/certs/local.crt`,
in the ENTRYPOINT or the script it runs): with a server named only localhost, a local placeholder. And those the
repository's own tooling makes self-signed wherever it runs (a Dockerfile's RUN, a setup or start script), or whose
name says so (`nginx-selfsigned.crt`, Debian's `ssl-cert-snakeoil.pem`): what the repository serves with them is
untrusted by every browser.

Made at every start, the certificate overwrites whatever a user could put in its place, so every client meets an
untrusted certificate: browsers ignore Strict-Transport-Security over such a connection (RFC 6797 §8.1) and no
phone is served in production by it. Advice for a public TLS server (HSTS, cipher order) is of no use there.
A certificate made at build time (`RUN openssl req …`) is not one: a volume can put the real one over it.
Source: https://www.rfc-editor.org/rfc/rfc6797#section-8.1
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from ..sources import Unreadable
from .dockerfile import repository_dockerfiles


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
    return frozenset(posixpath.basename(path) for path in _made_paths(text))


def _start_text(tree) -> str | None:
    """The shell text the container starts with: the `sh -c` text of its command or the script it runs."""
    from .view import container_files

    files = container_files(tree)
    return files.start_text(None) if files is not None else None


# A name that says the certificate is self-signed: `nginx-selfsigned.crt`, `self-signed.pem`, Debian's snakeoil; but
# not one that says it stands in until the user's own replaces it (`c2d-temporary-self-signed-cert.pem` of a cloud
# image): the config is the one served with the real certificate
_SELF_SIGNED_NAME = re.compile(r"self[-_]?signed|snakeoil", re.I)
_PLACEHOLDER_NAME = re.compile(r"(?:^|[-_.])(?:temp|temporary|dummy|placeholder|fake)(?:[-_.]|$)", re.I)
# A script that also asks an ACME client makes a placeholder the real certificate replaces (certbot's
# init-letsencrypt.sh writes a dummy `fullchain.pem` so that nginx can start, then asks for the real one)
_ACME_CLIENT = re.compile(r"\b(?:certbot|acme\.sh|lego|dehydrated|getssl)\b")
_RUNNERS = frozenset({"exec", "sudo", "command"})  # words that run the command after them


def made_self_signed_here(loader, directory: Path, certificate: str) -> bool:
    """The `ssl_certificate` file is self-signed by its name, or the repository's Dockerfiles or shell scripts make
    it with `openssl req -x509` at the same absolute path, or at a relative path whose last two parts it ends with
    (`nginx/ssl/self.cert` mounted as `/etc/nginx/ssl/self.cert`). `directory`: the config's, in its repository."""
    name = posixpath.basename(certificate)
    if _PLACEHOLDER_NAME.search(name):
        return False
    if _SELF_SIGNED_NAME.search(name):
        return True
    if "$" in certificate or not certificate.startswith("/"):
        return False
    top = loader.repository_top(directory)
    for made in loader.once("repository-self-signed", top, lambda: _repository_outputs(loader, top)):
        if made == certificate or not made.startswith("/") and made.count("/") >= 1 and \
                certificate.endswith("/" + "/".join(made.split("/")[-2:])):
            return True
    return False


def _repository_outputs(loader, top: Path) -> frozenset[str]:
    from ..shell_scripts import shell_scripts  # the repository's scripts, read once per run

    texts = [text for _, text in shell_scripts(loader, top)]
    for dockerfile in repository_dockerfiles(loader, top):
        try:
            texts.append(_run_lines(loader.text(dockerfile)))
        except Unreadable:
            continue
    return frozenset(path for text in texts if not _ACME_CLIENT.search(text) for path in _made_paths(text)
                     if "$" not in path)


def _run_lines(dockerfile: str) -> str:
    """The shell text of a Dockerfile's RUN instructions, and of its ENTRYPOINT and CMD in shell form."""
    return re.sub(r"(?im)^\s*(?:RUN\s+(?:--\S+\s+)*|ENTRYPOINT\s+|CMD\s+)", "", dockerfile)


def _made_paths(text: str) -> set[str]:
    """The `-out` paths of `openssl req -x509` commands, with the script's own plain assignments expanded
    (`SSL_DIR="/etc/nginx/ssl"`, `SSL_CERT="$SSL_DIR/server.crt"`; a variable it does not assign stays as
    written), normalised (`./nginx/ssl/x` is `nginx/ssl/x`)."""
    from .installs import simple_commands
    from .start_writes import ASSIGNMENT, OPENING_WORDS, expanded

    known: dict[str, str | None] = {}
    found = set()
    for line in text.replace("\\\n", " ").split("\n"):  # one command across continued lines
        for words in simple_commands(line):
            while len(words) > 1 and (words[0] in OPENING_WORDS or words[0] in _RUNNERS):
                words = words[1:]
            assignments = [ASSIGNMENT.fullmatch(word) for word in words]
            if all(assignments):
                known.update((m.group(1), expanded(m.group(2), known)) for m in assignments)
            elif posixpath.basename(words[0]) == "openssl" and words[1:2] == ["req"] and "-x509" in words:
                found.update(posixpath.normpath(expanded(value, known))
                             for flag, value in zip(words, words[1:]) if flag == "-out")
    return found
