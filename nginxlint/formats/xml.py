"""Escaping for the XML formats (JUnit, Checkstyle): any text, including bytes that were not UTF-8."""
from __future__ import annotations

import re

from ..text import clean

# Characters XML 1.0 cannot carry at all: C0 controls but tab/LF/CR, U+FFFE/U+FFFF (surrogates go first).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _visible(match: re.Match) -> str:
    return "\\x%02x" % ord(match.group()) if ord(match.group()) < 0x100 else "\\u%04x" % ord(match.group())


def xml_text(value: str) -> str:
    """Element content: undecodable bytes as U+FFFD, markup escaped, CR kept as a reference (parsers fold it), forbidden characters shown as \\xNN."""
    value = _XML_FORBIDDEN.sub(_visible, clean(value))
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def xml_attr(value: object) -> str:
    """A double-quoted attribute value; tab, LF and CR as references so attribute normalisation keeps them."""
    text = xml_text(str(value)).replace('"', "&quot;")
    return '"' + text.replace("\t", "&#9;").replace("\n", "&#10;") + '"'
