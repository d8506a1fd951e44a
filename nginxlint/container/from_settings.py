"""Runtime facts from the config file's `runtime:` table, for projects without manifests.

    runtime:
      cpu-limit: 2
      memory-limit: 1Gi
      read-only-root: true
      run-as-non-root: true
      writable-paths: [/tmp, /var/run/openresty]
      termination-grace-period: 30s
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ..text import did_you_mean
from .model import Container, ManifestProblem, Mount, RuntimeFacts, Span, Value
from .quantity import parse_cpu, parse_duration, parse_memory
from .yamlpos import YMap, plain

RUNTIME_KEYS = (
    "cpu-limit",
    "memory-limit",
    "read-only-root",
    "run-as-non-root",
    "writable-paths",
    "termination-grace-period",
)


def settings_runtime(
    settings: Mapping[str, Any] | YMap | None, path: str = "", span: Span | None = None
) -> tuple[RuntimeFacts | None, tuple[ManifestProblem, ...]]:
    """RuntimeFacts from the `runtime` settings; unknown keys and bad values are problems.

    `settings` is a plain mapping (TOML, YAML already loaded) or a YMap, whose spans are then
    kept; `span` is used for values that have none. Returns None when nothing is set.
    """
    problems: list[ManifestProblem] = []
    if settings is None:
        return None, ()
    entries = _entries(settings, span)
    if entries is None:
        return None, (ManifestProblem(path, "runtime settings should be a table of keys", span),)
    values: dict[str, Value] = {}
    for key, (raw, value_span, key_span) in entries.items():
        if key not in RUNTIME_KEYS:
            suggestion = did_you_mean(key.replace("_", "-"), RUNTIME_KEYS) or f" (known keys: {', '.join(RUNTIME_KEYS)})"
            problems.append(ManifestProblem(path, f'unknown runtime setting "{key}"{suggestion}', key_span))
            continue
        parsed = _PARSERS[key](raw)
        if parsed is None:
            problems.append(ManifestProblem(path, f"invalid value {raw!r} for runtime setting '{key}': {_EXPECTED[key]}", value_span))
            continue
        text = raw if isinstance(raw, str) else None
        values[key] = Value(parsed, value_span, text, key_span)
    if not values:
        return None, tuple(problems)
    writable = values.get("writable-paths")
    container = Container(
        name="runtime",
        path=path,
        span=span,
        source="settings",
        cpu_limit=values.get("cpu-limit"),
        memory_limit=values.get("memory-limit"),
        read_only_root=values.get("read-only-root"),
        run_as_non_root=values.get("run-as-non-root"),
        mounts=tuple(
            Mount(item, None, "settings", False, writable.span) for item in (writable.value if writable else ())
        ),
    )
    facts = RuntimeFacts(
        source="settings", path=path, name="runtime", container=container, span=span,
        termination_grace_period=values.get("termination-grace-period"),
    )
    return facts, tuple(problems)


def _entries(settings: Mapping[str, Any] | YMap, span: Span | None) -> dict[str, tuple[Any, Span | None, Span | None]] | None:
    if isinstance(settings, YMap):
        return {
            key: (plain(value), value.span, key_node.span)
            for key, key_node, value in settings.items()
        }
    if isinstance(settings, Mapping):
        return {str(key): (value, span, span) for key, value in settings.items()}
    return None


def _boolean(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _paths(value: object) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) and item.startswith("/") for item in value):
        return None
    return tuple(value)


def _seconds(value: object) -> float | None:
    return parse_duration(value)


_PARSERS: dict[str, Callable[[object], object]] = {
    "cpu-limit": lambda value: _positive(parse_cpu(value)),
    "memory-limit": lambda value: _positive(parse_memory(value)),
    "read-only-root": _boolean,
    "run-as-non-root": _boolean,
    "writable-paths": _paths,
    "termination-grace-period": _seconds,
}
_EXPECTED = {
    "cpu-limit": "expected a CPU quantity such as 2, 1.5 or 500m",
    "memory-limit": "expected a memory quantity such as 512Mi or 1Gi",
    "read-only-root": "expected true or false",
    "run-as-non-root": "expected true or false",
    "writable-paths": "expected a list of absolute paths",
    "termination-grace-period": "expected seconds or a duration such as 30s",
}


def _positive(number: float | int | None) -> float | int | None:
    return number if number is not None and number > 0 else None

