"""Reading a file as nginx does: bytes first, text second, and a clear reason when it cannot be read."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 256 * 1024 * 1024


@dataclass(eq=False)
class SourceFile:
    """One file's text with its display path (relative, POSIX); lines end in "\\n" only."""

    path: Path
    display: str
    text: str
    _lines: list[str] | None = field(default=None, repr=False)
    crlf: bool = False  # CRLF line ends became "\n": offsets in `text` are no longer the file's bytes

    def line(self, number: int) -> str:
        if self._lines is None:
            self._lines = self.text.split("\n")
        if 1 <= number <= len(self._lines):
            return self._lines[number - 1]
        return ""


class Unreadable(Exception):
    """Why a file could not be read, in words a user understands."""


class Binary(Unreadable):
    """The file holds bytes no text file does: an encrypted file (git-crypt's `\0GITCRYPT\0`), an image."""


def decode(data: bytes) -> str:
    """Bytes to text without losing any: invalid UTF-8 (GBK comments, say) maps byte by byte.

    Line endings become "\\n": CR is whitespace to nginx, and editors count a lone CR as a line break.
    """
    return unix_newlines(data.decode("utf-8", errors="surrogateescape"))


def unix_newlines(text: str) -> str:
    """Line endings as "\\n" only (text that never was bytes, such as an editor's buffer, needs it too)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_bytes(path: Path) -> bytes:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise Unreadable("does not exist") from None
    except PermissionError:
        raise Unreadable("is not readable (permission denied)") from None
    except OSError as error:
        raise Unreadable(f"could not be read ({error.strerror or error})") from None
    if stat.S_ISDIR(info.st_mode):
        raise Unreadable("is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise Unreadable("is not a regular file")
    if info.st_size > MAX_BYTES:
        raise Unreadable(f"is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except PermissionError:
        raise Unreadable("is not readable (permission denied)") from None
    except OSError as error:
        raise Unreadable(f"could not be read ({error.strerror or error})") from None
    return data


def read_text(path: Path) -> str:
    return read_source_text(path)[0]


BINARY = "holds binary content (NUL bytes), not text"


def read_source_text(path: Path) -> tuple[str, bool]:
    """The text of a file, and whether it had CRLF line ends (then `text` is shorter than the file)."""
    data = read_bytes(path)
    if b"\0" in data:
        raise Binary(BINARY)
    return decode(data), b"\r\n" in data
