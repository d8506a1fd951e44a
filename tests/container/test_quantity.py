"""Every Kubernetes quantity form, Docker byte sizes and durations."""

import pytest

from nginxlint.container.quantity import (
    format_bytes,
    parse_cpu,
    parse_decimal_cpus,
    parse_docker_bytes,
    parse_duration,
    parse_memory,
)


@pytest.mark.parametrize(
    ("text", "cores"),
    [
        ("500m", 0.5),
        ("2000m", 2.0),
        ("1", 1.0),
        ("1.5", 1.5),
        (".5", 0.5),
        ("5.", 5.0),
        (2, 2.0),
        (0.25, 0.25),
        ("100k", 100_000.0),
        ("1e3", 1000.0),
        ("1E3", 1000.0),
        ("2e-3", 0.002),
        ("1Ki", 1024.0),
        ("250000000n", 0.25),
        ("250000u", 0.25),
        ("+1", 1.0),
        ("-1", -1.0),
        ("0", 0.0),
    ],
)
def test_parse_cpu(text, cores):
    assert parse_cpu(text) == pytest.approx(cores)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("512Mi", 512 * 1024**2),
        ("1Gi", 1024**3),
        ("1.5Gi", 3 * 512 * 1024**2),
        ("1Ki", 1024),
        ("3Ti", 3 * 1024**4),
        ("1Pi", 1024**5),
        ("2Ei", 2 * 1024**6),
        ("1G", 10**9),
        ("100k", 100_000),
        ("128M", 128 * 10**6),
        ("1T", 10**12),
        ("1P", 10**15),
        ("2E", 2 * 10**18),
        ("1e9", 10**9),
        ("1E9", 10**9),
        ("12e6", 12 * 10**6),
        ("1.5e3", 1500),
        ("1073741824", 1024**3),
        (1073741824, 1024**3),
        (1.5e9, 1_500_000_000),
        ("512m", 1),  # 0.512 bytes, rounded up the way Kubernetes does
        ("0", 0),
    ],
)
def test_parse_memory(text, size):
    assert parse_memory(text) == size


@pytest.mark.parametrize(
    "text",
    ["", "abc", "1K", "1KB", "1kb", "1gi", "1 Gi", " 1Gi", "Gi", "1.2.3", "1e", "1e999", "1Gix", True, None, [], "nan",
     float("inf"), "0x10", "1_000"],
)
def test_invalid_quantities(text):
    assert parse_cpu(text) is None
    assert parse_memory(text) is None


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (256 * 1024**2, "256Mi"),
        (1024**3, "1Gi"),
        (1536 * 1024**2, "1536Mi"),
        (150 * 1024**2, "150Mi"),
        (10**9, "1G"),
        (1000, "1k"),
        (12 * 1024, "12Ki"),
        (1_500_000_001, "1.4Gi"),
        (0, "0"),
        (17, "17"),
    ],
)
def test_format_bytes(size, text):
    assert format_bytes(size) == text


def test_format_bytes_round_trips_through_parse():
    for size in (1, 1024, 5 * 1024**2, 7 * 10**9, 3 * 1024**5):
        assert parse_memory(format_bytes(size)) == size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("512m", 512 * 1024**2),
        ("512M", 512 * 1024**2),
        ("1g", 1024**3),
        ("1gb", 1024**3),
        ("1GiB", 1024**3),
        ("1.5g", 3 * 512 * 1024**2),
        ("64k", 64 * 1024),
        ("100", 100),
        ("100b", 100),
        (1073741824, 1024**3),
    ],
)
def test_docker_bytes(text, size):
    assert parse_docker_bytes(text) == size


@pytest.mark.parametrize("text", ["", "lots", "1x", "-1m", True, -5, "1Mi B"])
def test_docker_bytes_invalid(text):
    assert parse_docker_bytes(text) is None


def test_compose_cpus():
    assert parse_decimal_cpus("0.5") == 0.5
    assert parse_decimal_cpus(2) == 2.0
    assert parse_decimal_cpus("500m") is None
    assert parse_decimal_cpus(True) is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1m30s", 90.0), ("10s", 10.0), ("2.5s", 2.5), ("250ms", 0.25), ("1h", 3600.0), ("1h2m3s", 3723.0),
     ("100us", 0.0001), (30, 30.0), ("45", 45.0)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "1m30", "ten seconds", "1d", "-1s", True, None])
def test_parse_duration_invalid(text):
    assert parse_duration(text) is None
