"""The config file's `runtime:` settings as runtime facts."""

import pytest

from nginxlint.container.from_settings import RUNTIME_KEYS, settings_runtime
from nginxlint.container.yamlpos import load_yaml


def test_all_keys_from_a_plain_mapping():
    facts, problems = settings_runtime(
        {
            "cpu-limit": 2,
            "memory-limit": "1Gi",
            "read-only-root": True,
            "run-as-non-root": True,
            "writable-paths": ["/tmp", "/var/run/openresty"],
            "termination-grace-period": "45s",
        },
        path="pyproject.toml",
    )
    assert problems == ()
    assert (facts.source, facts.path, facts.workload) == ("settings", "pyproject.toml", None)
    container = facts.container
    assert container.source == "settings"
    assert container.cpu_limit.value == 2.0
    assert container.memory_limit.value == 1024**3 and container.memory_limit.text == "1Gi"
    assert container.read_only_root.value is True
    assert container.run_as_non_root.value is True
    assert [(m.path, m.kind, m.writable) for m in container.writable_mounts] == [
        ("/tmp", "settings", True), ("/var/run/openresty", "settings", True)]
    assert facts.termination_grace_period.value == 45.0
    assert container.memory_request is None and container.ports == ()


def test_spans_come_from_a_yaml_mapping():
    text = "runtime:\n  cpu-limit: 500m\n  memory-limt: 256Mi\n  read-only-root: maybe\n"
    runtime = load_yaml(text).documents[0].root.get("runtime")
    facts, problems = settings_runtime(runtime, path=".nginxlint.yaml")
    assert facts.container.cpu_limit.value == 0.5
    assert facts.container.cpu_limit.span == (2, 14, 2, 18)
    assert facts.container.cpu_limit.key_span == (2, 3, 2, 12)
    assert [(p.message, p.span) for p in problems] == [
        ('unknown runtime setting "memory-limt"; did you mean "memory-limit"?', (3, 3, 3, 14)),
        ("invalid value 'maybe' for runtime setting 'read-only-root': expected true or false", (4, 19, 4, 24)),
    ]


@pytest.mark.parametrize(
    ("key", "hint"),
    [("cpu_limit", "cpu-limit"), ("cpus", None), ("readonly-root", "read-only-root"), ("writable_paths", "writable-paths")],
)
def test_unknown_keys_get_a_did_you_mean(key, hint):
    _facts, problems = settings_runtime({key: 1}, span=(7, 1, 7, 9))
    problem, = problems
    assert problem.span == (7, 1, 7, 9)
    if hint:
        assert problem.message == f'unknown runtime setting "{key}"; did you mean "{hint}"?'
    else:
        assert problem.message.startswith(f'unknown runtime setting "{key}" (known keys: cpu-limit')


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("cpu-limit", "two"),
        ("cpu-limit", 0),
        ("memory-limit", "1GB"),
        ("memory-limit", -5),
        ("read-only-root", "true"),
        ("writable-paths", "tmp"),
        ("writable-paths", ["/tmp", 3]),
        ("termination-grace-period", "later"),
    ],
)
def test_invalid_values(key, value):
    facts, problems = settings_runtime({key: value})
    assert facts is None
    problem, = problems
    assert problem.message.startswith(f"invalid value {value!r} for runtime setting '{key}'")


def test_nothing_set_gives_no_facts():
    assert settings_runtime({}) == (None, ())
    assert settings_runtime(None) == (None, ())
    facts, problems = settings_runtime(["cpu-limit"])
    assert facts is None and "table" in problems[0].message


def test_single_writable_path_string_is_accepted():
    facts, _problems = settings_runtime({"writable-paths": "/tmp"})
    assert [m.path for m in facts.container.mounts] == ["/tmp"]


def test_known_keys():
    assert RUNTIME_KEYS == (
        "cpu-limit", "memory-limit", "read-only-root", "run-as-non-root", "writable-paths", "termination-grace-period")
