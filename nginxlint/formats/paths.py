"""Finding paths as the CI formats write them: repository-relative POSIX paths and percent-encoded URIs."""
from __future__ import annotations

import os
import posixpath
from urllib.parse import quote


# RFC 3986 lets these through a path unencoded; everything else (spaces, %, #, ?, non-ASCII as UTF-8) is encoded.
_URI_PATH_SAFE = "/-._~!$&'()*+,;=:@"


def relative_path(path: str, base_dir: str) -> str:
    """The POSIX path of `path` relative to the repository root; finding paths normally already are."""
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path, base_dir)
        except ValueError:  # another drive on Windows: nothing relative exists
            return path.replace(os.sep, "/")
        if not rel.startswith(os.pardir):
            path = rel
    return posixpath.normpath(path.replace(os.sep, "/"))


def artifact_uri(path: str, base_dir: str) -> str:
    """A percent-encoded URI reference for SARIF: relative to the root when the file is inside it."""
    # Bytes of a name that were not UTF-8 are percent-encoded as the bytes they were.
    rel = relative_path(path, base_dir).encode("utf-8", "surrogateescape")
    if posixpath.isabs(rel):  # outside the repository: only a file URI can name it
        return "file://" + quote(rel, safe=_URI_PATH_SAFE)
    encoded = quote(rel, safe=_URI_PATH_SAFE)
    # A first segment holding ':' would read as a URI scheme; "./" keeps it a relative reference.
    if ":" in encoded.split("/", 1)[0]:
        encoded = "./" + encoded
    return encoded
