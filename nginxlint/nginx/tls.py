"""What an OpenSSL cipher string and an `ssl_protocols` list enable, read the way OpenSSL and nginx read them.

The cipher string is evaluated against a fixed table of representative TLS 1.2-and-older suites (not against the
OpenSSL of this machine, which differs from the one in the image): the list is processed left to right, a word
adds the suites it names, `-` removes them (a later word may add them back), `!` removes them for good, `+` only
reorders. A word joins aliases with `+` to mean their intersection. TLS 1.3 suites are not set by `ssl_ciphers`.
"""
from __future__ import annotations

import functools
import re

WEAK_PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")
# nginx >= 1.23.4 defaults to TLSv1.2 TLSv1.3; before that TLSv1 TLSv1.1 TLSv1.2 (ngx_http_ssl_module docs)
DEFAULT_PROTOCOLS = ("TLSv1.2", "TLSv1.3")
OLD_DEFAULT_PROTOCOLS = ("TLSv1", "TLSv1.1", "TLSv1.2")
# nginx matches protocol names without regard to case (ngx_conf_set_bitmask_slot): `tlsv1.1` enables TLS 1.1.
_PROTOCOL_NAMES = {name.lower(): name for name in (*WEAK_PROTOCOLS, *DEFAULT_PROTOCOLS)}


def protocol_name(arg: str) -> str:
    """An `ssl_protocols` argument as nginx's own spelling of the version (`tlsv1.1` -> `TLSv1.1`)."""
    return _PROTOCOL_NAMES.get(arg.lower(), arg)

# The directives of a TLS profile: which versions, suites and key exchange a server or an upstream connection uses.
_PROFILE_DIRECTIVE = re.compile(
    r"(?:proxy_|grpc_|uwsgi_)?ssl_(?:protocols|ciphers|prefer_server_ciphers|ecdh_curve|conf_command|dhparam"
    r"|session_\w+)")
_COMMENT = re.compile(r"#[^\n]*")


def only_tls_profile(text: str) -> bool:
    """Whether a piece of config holds TLS profile directives and nothing else (no block, no other directive)."""
    text = _COMMENT.sub("", text)
    if "{" in text or "}" in text:
        return False
    statements = [statement.split(None, 1)[0] for statement in text.split(";") if statement.strip()]
    return bool(statements) and all(_PROFILE_DIRECTIVE.fullmatch(name) for name in statements)

# name: (key exchange, authentication, encryption, mac, export)
SUITES = {
    "ECDHE-ECDSA-AES128-GCM-SHA256": ("ECDHE", "ECDSA", "AESGCM128", "AEAD", False),
    "ECDHE-RSA-AES256-GCM-SHA384": ("ECDHE", "RSA", "AESGCM256", "AEAD", False),
    "ECDHE-RSA-CHACHA20-POLY1305": ("ECDHE", "RSA", "CHACHA20", "AEAD", False),
    "DHE-RSA-AES128-GCM-SHA256": ("DHE", "RSA", "AESGCM128", "AEAD", False),
    "ECDHE-RSA-AES128-SHA256": ("ECDHE", "RSA", "AES128", "SHA256", False),
    "ECDHE-ECDSA-AES256-SHA": ("ECDHE", "ECDSA", "AES256", "SHA1", False),
    "DHE-DSS-AES128-SHA": ("DHE", "DSS", "AES128", "SHA1", False),
    "AES128-GCM-SHA256": ("RSA", "RSA", "AESGCM128", "AEAD", False),
    "AES256-SHA": ("RSA", "RSA", "AES256", "SHA1", False),
    "CAMELLIA128-SHA": ("RSA", "RSA", "CAMELLIA128", "SHA1", False),
    "DHE-RSA-CAMELLIA256-SHA": ("DHE", "RSA", "CAMELLIA256", "SHA1", False),
    "SEED-SHA": ("RSA", "RSA", "SEED", "SHA1", False),
    "PSK-AES128-CBC-SHA": ("PSK", "PSK", "AES128", "SHA1", False),
    "ECDHE-RSA-DES-CBC3-SHA": ("ECDHE", "RSA", "3DES", "SHA1", False),
    "DES-CBC3-SHA": ("RSA", "RSA", "3DES", "SHA1", False),
    "DES-CBC-SHA": ("RSA", "RSA", "DES", "SHA1", False),
    "IDEA-CBC-SHA": ("RSA", "RSA", "IDEA", "SHA1", False),
    "RC4-SHA": ("RSA", "RSA", "RC4", "SHA1", False),
    "RC4-MD5": ("RSA", "RSA", "RC4", "MD5", False),
    "ECDHE-RSA-RC4-SHA": ("ECDHE", "RSA", "RC4", "SHA1", False),
    "ADH-AES128-SHA": ("DHE", "NULL", "AES128", "SHA1", False),
    "ADH-AES256-GCM-SHA384": ("DHE", "NULL", "AESGCM256", "AEAD", False),
    "AECDH-AES128-SHA": ("ECDHE", "NULL", "AES128", "SHA1", False),
    "NULL-SHA256": ("RSA", "RSA", "NULL", "SHA256", False),
    "ECDHE-RSA-NULL-SHA": ("ECDHE", "RSA", "NULL", "SHA1", False),
    "EXP-RC4-MD5": ("RSA", "RSA", "RC4", "MD5", True),
    "EXP-DES-CBC-SHA": ("RSA", "RSA", "DES", "SHA1", True),
    "EXP-RC2-CBC-MD5": ("RSA", "RSA", "RC2", "MD5", True),
}

_HIGH = frozenset({"AESGCM128", "AESGCM256", "AES128", "AES256", "CHACHA20", "CAMELLIA128", "CAMELLIA256"})
_MEDIUM = frozenset({"SEED", "IDEA", "RC4", "3DES"})  # OpenSSL >= 1.1.0 puts 3DES in MEDIUM
_SIXTY_FOUR_BIT_BLOCKS = frozenset({"3DES", "DES", "IDEA", "RC2"})


def weakness(name: str) -> str | None:
    """Why a suite of the table is weak (a short phrase), or None."""
    kx, au, enc, mac, export = SUITES[name]
    if export:
        return "export-grade"
    if enc == "NULL":
        return "unencrypted"
    if au == "NULL":
        return "anonymous (no server authentication)"
    if enc == "RC4":
        return "RC4"
    if enc in _SIXTY_FOUR_BIT_BLOCKS:
        return f"{enc} (64-bit blocks, Sweet32)" if enc != "DES" else "single DES"
    if mac == "MD5":
        return "MD5"
    return None


def _alias(word: str):
    """The predicate an OpenSSL alias stands for, or None when the word is not an alias known here."""
    w = word.upper()
    attr = {
        "ALL": lambda s: s[2] != "NULL",
        "COMPLEMENTOFALL": lambda s: s[2] == "NULL", "ENULL": lambda s: s[2] == "NULL",
        "NULL": lambda s: s[2] == "NULL",
        "ANULL": lambda s: s[1] == "NULL",
        "ADH": lambda s: s[0] == "DHE" and s[1] == "NULL", "AECDH": lambda s: s[0] == "ECDHE" and s[1] == "NULL",
        "KRSA": lambda s: s[0] == "RSA", "RSA": lambda s: s[0] == "RSA", "ARSA": lambda s: s[1] == "RSA",
        "KDHE": lambda s: s[0] == "DHE", "KEDH": lambda s: s[0] == "DHE", "DH": lambda s: s[0] == "DHE",
        "DHE": lambda s: s[0] == "DHE" and s[1] != "NULL", "EDH": lambda s: s[0] == "DHE" and s[1] != "NULL",
        "KECDHE": lambda s: s[0] == "ECDHE", "KEECDH": lambda s: s[0] == "ECDHE", "ECDH": lambda s: s[0] == "ECDHE",
        "ECDHE": lambda s: s[0] == "ECDHE" and s[1] != "NULL", "EECDH": lambda s: s[0] == "ECDHE" and s[1] != "NULL",
        "AECDSA": lambda s: s[1] == "ECDSA", "ECDSA": lambda s: s[1] == "ECDSA",
        "ADSS": lambda s: s[1] == "DSS", "DSS": lambda s: s[1] == "DSS",
        "PSK": lambda s: s[0] == "PSK", "KPSK": lambda s: s[0] == "PSK", "APSK": lambda s: s[1] == "PSK",
        "HIGH": lambda s: s[2] in _HIGH and not s[4],
        "MEDIUM": lambda s: s[2] in _MEDIUM and not s[4],
        "LOW": lambda s: s[2] == "DES" and not s[4],
        "EXP": lambda s: s[4], "EXPORT": lambda s: s[4], "EXPORT40": lambda s: s[4], "EXPORT56": lambda s: s[4],
        "AES": lambda s: s[2].startswith("AES"), "AESGCM": lambda s: s[2].startswith("AESGCM"),
        "AES128": lambda s: s[2] in ("AES128", "AESGCM128"), "AES256": lambda s: s[2] in ("AES256", "AESGCM256"),
        "CHACHA20": lambda s: s[2] == "CHACHA20",
        "CAMELLIA": lambda s: s[2].startswith("CAMELLIA"),
        "CAMELLIA128": lambda s: s[2] == "CAMELLIA128", "CAMELLIA256": lambda s: s[2] == "CAMELLIA256",
        "3DES": lambda s: s[2] == "3DES", "DES": lambda s: s[2] == "DES", "RC4": lambda s: s[2] == "RC4",
        "RC2": lambda s: s[2] == "RC2", "IDEA": lambda s: s[2] == "IDEA", "SEED": lambda s: s[2] == "SEED",
        "MD5": lambda s: s[3] == "MD5", "SHA1": lambda s: s[3] == "SHA1", "SHA": lambda s: s[3] == "SHA1",
        "SHA256": lambda s: s[3] == "SHA256" or (s[3] == "AEAD" and s[2] != "AESGCM256"),
        "SHA384": lambda s: s[2] == "AESGCM256",
        "TLSV1.2": lambda s: s[3] in ("AEAD", "SHA256"),
        "TLSV1": lambda s: s[3] not in ("AEAD", "SHA256"), "SSLV3": lambda s: s[3] not in ("AEAD", "SHA256"),
    }.get(w)
    if attr is not None:
        return attr
    if w == "DEFAULT":  # OpenSSL >= 1.1.0: ALL minus aNULL, eNULL and the MEDIUM/LOW/EXPORT suites
        return lambda s: s[2] in _HIGH and s[1] != "NULL" and not s[4]
    if w == "COMPLEMENTOFDEFAULT":
        return lambda s: s[2] != "NULL" and not (s[2] in _HIGH and s[1] != "NULL" and not s[4])
    if w in _NOT_IN_TABLE:
        return lambda s: False
    if w in SUITES:
        return lambda s, _t=SUITES[w]: s is _t
    return None


# Aliases OpenSSL knows whose suites the table leaves out (static ECDH/DH, SRP, GOST, CCM, ARIA, Suite B):
# removing them removes nothing weak that the table holds.
_NOT_IN_TABLE = frozenset({
    "KECDH", "KECDHR", "KDH", "KDHR", "KDHD", "SRP", "KSRP", "ASRP", "AESCCM", "AESCCM8",
    "ARIA", "ARIA128", "ARIA256", "ARIAGCM", "KGOST", "AGOST", "AGOST01", "GOST89MAC", "GOST94", "KRSAPSK",
    "KECDHEPSK", "KDHEPSK", "RSAPSK", "ECDHEPSK", "DHEPSK", "SUITEB128", "SUITEB128ONLY", "SUITEB192",
    "SUITEB128C2", "AGOST12", "CECPQ1", "SSLV2",
})
_SEPARATORS = re.compile(r"[:, ]+")


def _words(cipher_string: str):
    """(operator, the word without it, the predicates of its `+`-joined parts, None for one not known here) of each
    word of a cipher string; its directives (`@SECLEVEL=0`) are left out."""
    for word in _SEPARATORS.split(cipher_string.strip().strip('"\'')):
        if not word or word.startswith("@"):
            continue
        op, body = (word[0], word[1:]) if word[0] in "!-+" else ("", word)
        parts = [_alias(part) for part in body.split("+") if part]
        if parts:
            yield op, body, parts


def _unknown(parts) -> bool:
    return any(p is None for p in parts)


def enabled_suites(cipher_string: str) -> set[str] | None:
    """The suites of the table that the string enables, or None when a word it removes is unknown here (then a
    removal might cover a weak suite, and saying "weak" would be a guess)."""
    return _enabled(_words(cipher_string))


def _enabled(words) -> set[str] | None:
    enabled: set[str] = set()
    killed: set[str] = set()
    for op, _body, parts in words:
        if _unknown(parts):
            if op in ("!", "-"):
                return None
            continue  # an unknown name adds nothing OpenSSL would call weak here
        matched = {name for name, suite in SUITES.items() if all(p(suite) for p in parts)}
        if op == "!":
            killed |= matched
            enabled -= matched
        elif op == "-":
            enabled -= matched
        elif op == "":
            enabled |= matched - killed
    return enabled


# Suites only TLS 1.2 and later negotiate: AEAD ones, and CBC ones with a SHA-256 or SHA-384 MAC (RFC 5246 A.5)
_TLS12_MACS = frozenset({"AEAD", "SHA256"})
_TLS12_SUITE_NAME = re.compile(r"[A-Z0-9-]+-(?:SHA256|SHA384|POLY1305)", re.IGNORECASE)


def only_tls12_suites(cipher_string: str) -> bool:
    """The string enables no suite a TLS 1.0 or 1.1 handshake can use (every one of those has a SHA-1 or MD5 MAC):
    `HIGH:!aNULL:!MD5:!SHA`. Every word it adds must be known here or a TLS 1.2 suite's name, else it may add one; a
    removal nginxlint does not know (`!KRB5`) only removes, and is left out."""
    known = []
    for op, body, parts in _words(cipher_string):
        if not _unknown(parts):
            known.append((op, body, parts))
        elif op not in ("!", "-") and not _TLS12_SUITE_NAME.fullmatch(body):
            return False
    enabled = _enabled(known)
    return enabled is not None and all(SUITES[name][3] in _TLS12_MACS for name in enabled)


# OpenSSL 3 as Debian, Ubuntu and Alpine build it has no RC4, single DES, 3DES, IDEA, SEED or export suite for TLS
# (they live in the legacy provider, or are not built), and negotiates anonymous and unencrypted suites only at
# security level 0 (`openssl ciphers -s 'aNULL:@SECLEVEL=0'` lists them, at level 1 "no cipher match").
_OPENSSL_3_LEVEL_ZERO_ONLY = frozenset({"anonymous (no server authentication)", "unencrypted", "MD5"})


# OpenSSL 1.1.0 and later build no RC4 or 3DES suite unless configured with `enable-weak-ssl-ciphers` (OpenSSL's
# Sweet32 advisory: "for the 1.1.0 release, we treat triple-DES just like we are treating RC4"), and have no single
# DES or export suite at all. Debian's and Alpine's builds leave the option off; OpenResty's images turn it on
# from 1.27.1.1.
_NOT_BUILT_SINCE_1_1 = frozenset({"RC4", "3DES (64-bit blocks, Sweet32)", "single DES", "export-grade"})


def negotiable(why: str, cipher_string: str, openssl: str | None) -> bool:
    """Whether the OpenSSL the server links can negotiate a suite weak for `why` (weakness()) under this cipher
    string: `openssl` is "3" (OpenSSL 3 without the legacy suites), "1.1" (1.1.0 or later without the weak ones)
    or None (not known: any)."""
    if openssl == "3":
        return why in _OPENSSL_3_LEVEL_ZERO_ONLY and "@seclevel=0" in cipher_string.lower()
    if openssl == "1.1":
        return why not in _NOT_BUILT_SINCE_1_1
    return True


@functools.lru_cache(maxsize=256)  # a config repeats the same few strings in every server
def weak_suites(cipher_string: str) -> dict[str, str] | None:
    """{suite: why weak} for the weak suites the string enables; None when that cannot be told (read-only)."""
    enabled = enabled_suites(cipher_string)
    if enabled is None:
        return None
    found = {name: weakness(name) for name in enabled}
    return {name: why for name, why in found.items() if why}


# OpenSSL's own order for the suites one word of a cipher string adds (ssl_create_cipher_list): by strength, and
# within a strength AES-GCM first, then ChaCha20, AES-CBC, the rest; ECDHE before DHE before plain RSA.
_BITS = {"AESGCM256": 256, "AES256": 256, "CHACHA20": 256, "CAMELLIA256": 256, "AESGCM128": 128, "AES128": 128,
         "CAMELLIA128": 128, "SEED": 128, "IDEA": 128, "RC4": 128, "RC2": 40, "3DES": 112, "DES": 56, "NULL": 0}
_CIPHER_RANK = {"AESGCM256": 0, "AESGCM128": 0, "CHACHA20": 1, "AES256": 2, "AES128": 2}
_EXCHANGE_RANK = {"ECDHE": 0, "DHE": 1}


def _openssl_key(name: str) -> tuple:
    kx, _, enc, _, _ = SUITES[name]
    return -_BITS[enc], _CIPHER_RANK.get(enc, 3), _EXCHANGE_RANK.get(kx, 2)


def _strength(name: str) -> int:
    if name in SUITES:
        return -_BITS[SUITES[name][2]]
    return -256 if "CHACHA20" in name or "AES256" in name else -128 if "AES128" in name else 0


@functools.lru_cache(maxsize=256)
def ordered_suites(cipher_string: str) -> tuple[str, ...] | None:
    """The suites the string enables, in the order OpenSSL prefers them for TLS 1.2 (words in the order written,
    `+X` moved to the end, `@STRENGTH` sorted by bits): the table's suites, and by name a suite it leaves out;
    None when an alias is unknown here."""
    order: list[str] = []
    killed: set[str] = set()
    for word in _SEPARATORS.split(cipher_string.strip().strip('"\'')):
        if not word:
            continue
        if word.upper() == "@STRENGTH":
            order.sort(key=_strength)
            continue
        if word.startswith("@"):
            continue
        op, body = (word[0], word[1:]) if word[0] in "!-+" else ("", word)
        parts = [_alias(part) for part in body.split("+") if part]
        if not op and "-" in body and None in parts:
            order.append(body.upper())  # a suite the table leaves out (ECDHE-ECDSA-CHACHA20-POLY1305): kept by name
            continue
        if not parts or any(p is None for p in parts):
            return None
        matched = sorted((name for name, suite in SUITES.items() if all(p(suite) for p in parts)), key=_openssl_key)
        if op == "!":
            killed.update(matched)
        if op in ("!", "-", "+"):
            moved = [name for name in order if name in matched]
            order = [name for name in order if name not in matched] + (moved if op == "+" else [])
        else:
            order += [name for name in matched if name not in killed and name not in order]
    return tuple(order)


def only_forward_secret(cipher_string: str) -> bool:
    """Every suite the string enables has an ephemeral key exchange (ECDHE, DHE, authenticated) and none is weak:
    False when one is not, or when an alias is unknown here. A suite the table leaves out is read from its name."""
    order = ordered_suites(cipher_string)
    return bool(order) and all(map(_forward_secret, order)) and weak_suites(cipher_string) == {}


def _forward_secret(name: str) -> bool:
    if name in SUITES:
        kx, au, _, _, _ = SUITES[name]
        return kx in ("ECDHE", "DHE") and au != "NULL"
    return name.startswith(("ECDHE-", "DHE-"))


# -- key exchange groups (ssl_ecdh_curve) ------------------------------------------------------------------------

# Group names OpenSSL 1.1.1 and every later release accepts (plus the RFC 7919 ffdhe groups of OpenSSL 3.0).
CLASSIC_GROUPS = frozenset(name.lower() for name in (
    "X25519", "X448", "prime256v1", "P-256", "secp256r1", "secp384r1", "P-384", "secp521r1", "P-521",
    "secp224r1", "P-224", "secp256k1", "prime192v1", "secp192r1", "P-192",
    "brainpoolP256r1", "brainpoolP384r1", "brainpoolP512r1",
    "brainpoolP256r1tls13", "brainpoolP384r1tls13", "brainpoolP512r1tls13",
    "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192",
    # the rest of OpenSSL's TLS group table (RFC 8422's deprecated curves; the binary ones where OpenSSL is built
    # with them, as Debian's is): weak, but nginx starts
    "secp160k1", "secp160r1", "secp160r2", "secp192k1", "secp224k1",
    "sect163k1", "sect163r1", "sect163r2", "sect193r1", "sect193r2", "sect233k1", "sect233r1", "sect239k1",
    "sect283k1", "sect283r1", "sect409k1", "sect409r1", "sect571k1", "sect571r1",
))
# Post-quantum groups that OpenSSL knows from 3.5 on.
OPENSSL_35_GROUPS = frozenset(name.lower() for name in (
    "X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024", "MLKEM512", "MLKEM768", "MLKEM1024",
))
# Kyber drafts: BoringSSL, AWS-LC or the oqs-provider only; no OpenSSL release knows them.
DRAFT_GROUPS = frozenset(name.lower() for name in (
    "X25519Kyber768Draft00", "P256Kyber768Draft00", "X25519Kyber512Draft00", "X25519Kyber768",
))
