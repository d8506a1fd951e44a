"""Sets of characters as nginx's PCRE2 sees them: 256-bit integers, bit c set when byte c can match.

nginx compiles without PCRE2_UTF or PCRE2_UCP, so a pattern works on bytes (code points 0-255) with PCRE2's
default "C locale" tables: `\\w` is `[A-Za-z0-9_]`, caseless matching folds ASCII letters only, `.` is any byte but
LF (nginx keeps PCRE2's default newline, LF). Sources: pcre2pattern(3) "Generic character types", "Newline
conventions" and "Unicode character properties" (https://www.pcre.org/current/doc/html/pcre2pattern.html).
"""
from __future__ import annotations

ALL = (1 << 256) - 1
NONE = 0


def of(*chars: str | int) -> int:
    """The set of the given characters (strings of one character or code points)."""
    mask = 0
    for char in chars:
        mask |= 1 << (char if isinstance(char, int) else ord(char))
    return mask


def span(low: int, high: int) -> int:
    """Every code point from low to high inclusive."""
    return ((1 << (high - low + 1)) - 1) << low if high >= low else 0


def has(mask: int, char: str | int) -> bool:
    return bool(mask >> (char if isinstance(char, int) else ord(char)) & 1)


def members(mask: int) -> list[int]:
    return [c for c in range(256) if mask >> c & 1]


def size(mask: int) -> int:
    return bin(mask).count("1")


DIGIT = span(0x30, 0x39)
UPPER = span(0x41, 0x5A)
LOWER = span(0x61, 0x7A)
ALPHA = UPPER | LOWER
WORD = ALPHA | DIGIT | of("_")
SPACE = of("\t", "\n", "\x0b", "\x0c", "\r", " ")  # \s includes VT since PCRE 8.34
HSPACE = of("\t", " ", 0xA0)
VSPACE = span(0x0A, 0x0D) | of(0x85)
NEWLINE = of("\n")
ASCII = span(0, 127)
CNTRL = span(0, 31) | of(127)
PRINT = span(32, 126)
GRAPH = span(33, 126)
PUNCT = GRAPH & ~(ALPHA | DIGIT)
XDIGIT = DIGIT | span(0x41, 0x46) | span(0x61, 0x66)

POSIX = {
    "alpha": ALPHA, "digit": DIGIT, "alnum": ALPHA | DIGIT, "upper": UPPER, "lower": LOWER,
    "space": SPACE, "blank": of(" ", "\t"), "punct": PUNCT, "print": PRINT, "graph": GRAPH,
    "cntrl": CNTRL, "xdigit": XDIGIT, "word": WORD, "ascii": ASCII,
}

# The backslash escapes that stand for a set of one character each.
ESCAPE_SETS = {"d": DIGIT, "w": WORD, "s": SPACE, "h": HSPACE, "v": VSPACE}


def escape_set(letter: str) -> int:
    """\\d \\D \\w \\W \\s \\S \\h \\H \\v \\V."""
    mask = ESCAPE_SETS[letter.lower()]
    return ALL & ~mask if letter.isupper() else mask


def fold(mask: int) -> int:
    """The set matched caselessly: ASCII letters in either case (PCRE2's default tables)."""
    return mask | ((mask & UPPER) << 32) | ((mask & LOWER) >> 32)


# Unicode general categories evaluated on code points 0-255 (PCRE2 evaluates \p on the code point even without UTF).
_CATEGORY_CACHE: dict[str, int] = {}


def _category_mask(prefix: str) -> int:
    if prefix not in _CATEGORY_CACHE:
        import unicodedata  # only for \p{..}, which nginx configs rarely use

        _CATEGORY_CACHE[prefix] = of(*(c for c in range(256) if unicodedata.category(chr(c)).startswith(prefix)))
    return _CATEGORY_CACHE[prefix]


_CATEGORIES = {"c", "cc", "cf", "cn", "co", "cs", "l", "ll", "lm", "lo", "lt", "lu", "m", "mc", "me", "mn", "n",
               "nd", "nl", "no", "p", "pc", "pd", "pe", "pf", "pi", "po", "ps", "s", "sc", "sk", "sm", "so", "z",
               "zl", "zp", "zs"}
# Scripts with code points below 256, and a list of other common ones (their mask within bytes is empty).
_LATIN1_SCRIPTS = {"latin", "common", "inherited", "zyyy", "zinh", "latn"}
_OTHER_SCRIPTS = {
    "arabic", "armenian", "bengali", "bopomofo", "braille", "buginese", "buhid", "canadianaboriginal", "cherokee",
    "coptic", "cyrillic", "devanagari", "ethiopic", "georgian", "glagolitic", "gothic", "greek", "gujarati",
    "gurmukhi", "han", "hangul", "hanunoo", "hebrew", "hiragana", "kannada", "katakana", "khmer", "lao", "malayalam",
    "mongolian", "myanmar", "ogham", "oriya", "runic", "sinhala", "syriac", "tagalog", "tamil", "telugu", "thaana",
    "thai", "tibetan", "yi", "cyrl", "grek", "arab", "hebr", "hani", "hira", "kana", "thaa", "deva", "beng",
}


def property_set(name: str) -> int | None:
    """The bytes \\p{name} matches, or None for a name PCRE2 does not know. Names match loosely (case, spaces,
    hyphens and underscores ignored) as in PCRE2 10.40+; `^` negates."""
    negate = name.startswith("^")
    key = "".join(c for c in (name[1:] if negate else name).lower() if c not in " -_")
    if key == "any":
        mask = ALL
    elif key == "l&" or key == "lc":
        mask = _category_mask("Lu") | _category_mask("Ll") | _category_mask("Lt")
    elif key in _CATEGORIES:
        mask = _category_mask(key[0].upper() + key[1:])
    elif key == "xan":
        mask = _category_mask("L") | _category_mask("N")
    elif key == "xwd":
        mask = _category_mask("L") | _category_mask("N") | of("_")
    elif key in ("xsp", "xps"):
        mask = _category_mask("Z") | of("\t", "\n", "\x0b", "\x0c", "\r")
    elif key == "xuc":
        mask = of("$", "@", "`") | span(0xA0, 0xFF)
    elif key in _LATIN1_SCRIPTS:
        import unicodedata

        latin = of(*(c for c in range(256) if "LATIN" in unicodedata.name(chr(c), "")))
        mask = {"latin": latin, "latn": latin}.get(key, ALL & ~latin)
    elif key in _OTHER_SCRIPTS:
        mask = NONE
    else:
        return None
    return ALL & ~mask if negate else mask


def describe(char: int) -> str:
    """A character as a message shows it: `\\n`, `/`, `\\x00`."""
    names = {10: "\\n", 13: "\\r", 9: "\\t", 0: "\\0"}
    if char in names:
        return names[char]
    return chr(char) if 32 < char < 127 else f"\\x{char:02x}"
