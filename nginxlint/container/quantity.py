"""Units found in manifests: Kubernetes quantities, Docker byte sizes, durations.

Every parser returns None for a value it cannot read; the caller reports it with
the value's position.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

# Kubernetes resource.Quantity: <signed number><suffix>, suffix one of
# binary SI (Ki..Ei), decimal SI (n u m "" k M G T P E) or an exponent (e3, E-2).
_QUANTITY = re.compile(
    r"(?P<sign>[+-]?)(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?:(?P<binary>Ki|Mi|Gi|Ti|Pi|Ei)|(?P<decimal>[numkMGTPE])|[eE](?P<exponent>[+-]?[0-9]+))?"
)
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
# Bounds that keep absurd inputs (1e999999999) from costing time or memory.
_MAX_EXPONENT = 100
_MAX_DIGITS = 100


def parse_quantity(value: object) -> Fraction | None:
    """Exact value of a Kubernetes quantity (a YAML string, int or float)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return Fraction(repr(value))  # the decimal the user wrote, not the binary float
    if not isinstance(value, str) or len(value) > _MAX_DIGITS:
        return None
    match = _QUANTITY.fullmatch(value)
    if match is None:
        return None
    number = Fraction(match["number"])
    if match["sign"] == "-":
        number = -number
    if match["binary"]:
        return number * (1024 ** _BINARY[match["binary"]])
    if match["decimal"]:
        return number * Fraction(10) ** _DECIMAL[match["decimal"]]
    if match["exponent"] is not None:
        exponent = int(match["exponent"])
        if abs(exponent) > _MAX_EXPONENT:
            return None
        return number * Fraction(10) ** exponent
    return number


def parse_cpu(value: object) -> float | None:
    """CPU quantity in cores: '500m' -> 0.5, '2' -> 2.0, 1.5 -> 1.5."""
    quantity = parse_quantity(value)
    return None if quantity is None else float(quantity)


def parse_memory(value: object) -> int | None:
    """Memory quantity in bytes: '512Mi', '1G', '1e9', 1073741824.

    Fractions of a byte round up, as Kubernetes does ('512m' is 0.512 bytes -> 1).
    """
    quantity = parse_quantity(value)
    return None if quantity is None else math.ceil(quantity)




_BINARY_UNITS = ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki")
_DECIMAL_UNITS = ("E", "P", "T", "G", "M", "k")


def format_bytes(n: int | float) -> str:
    """Short human form for messages: 268435456 -> '256Mi', 10**9 -> '1G', 1000 -> '1k'."""
    n = int(n)
    sign = "-" if n < 0 else ""
    n = abs(n)
    if n == 0:
        return "0"
    for unit in _BINARY_UNITS:
        size = 1024 ** _BINARY[unit]
        if n >= size and n % size == 0:
            return f"{sign}{n // size}{unit}"
    for unit in _DECIMAL_UNITS:
        size = 10 ** _DECIMAL[unit]
        if n >= size and n % size == 0:
            return f"{sign}{n // size}{unit}"
    for unit in _BINARY_UNITS:
        size = 1024 ** _BINARY[unit]
        if n >= size:
            return f"{sign}{n / size:.1f}{unit}"
    return f"{sign}{n}"




# Docker/Compose byte values (docker/go-units RAMInBytes): binary multiples,
# case-insensitive unit letter, optional 'i' and 'b' ("512m", "1gb", "1GiB", "1.5g").
_DOCKER_BYTES = re.compile(r"([0-9]+(?:\.[0-9]+)?) ?([kmgtp])?i?b?", re.IGNORECASE)
_DOCKER_POWERS = {"k": 1, "m": 2, "g": 3, "t": 4, "p": 5}


def parse_docker_bytes(value: object) -> int | None:
    """Byte size as Docker and Compose read it: '512m' -> 536870912, 1073741824 -> 1073741824."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if not isinstance(value, str) or len(value) > _MAX_DIGITS:
        return None
    match = _DOCKER_BYTES.fullmatch(value.strip())
    if match is None:
        return None
    power = _DOCKER_POWERS.get((match[2] or "").lower(), 0)
    return int(Fraction(match[1]) * 1024**power)


def parse_decimal_cpus(value: object) -> float | None:
    """Compose 'cpus': a plain decimal number of cores ('0.5', 2)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) and value >= 0 else None
    if isinstance(value, str) and re.fullmatch(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+", value.strip()):
        return float(value)
    return None


# Compose-spec durations ("1m30s", "2.5s", "10ms", "1h"): Go time.ParseDuration units.
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)")
_DURATION_SECONDS = {
    "ns": Fraction(1, 10**9), "us": Fraction(1, 10**6), "µs": Fraction(1, 10**6),
    "μs": Fraction(1, 10**6), "ms": Fraction(1, 1000), "s": Fraction(1), "m": Fraction(60),
    "h": Fraction(3600),
}


def parse_duration(value: object) -> float | None:
    """Seconds in a duration: '1m30s' -> 90.0, '250ms' -> 0.25; a bare number counts as seconds."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) and value >= 0 else None
    if not isinstance(value, str) or not value or len(value) > _MAX_DIGITS:
        return None
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", value):
        return float(value)
    total = Fraction(0)
    position = 0
    for match in _DURATION_PART.finditer(value):
        if match.start() != position:
            return None
        total += Fraction(match[1]) * _DURATION_SECONDS[match[2]]
        position = match.end()
    if position != len(value):
        return None
    return float(total)
