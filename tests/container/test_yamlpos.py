"""Safe YAML composition with positions; errors as problems."""

import pytest
import yaml

from nginxlint.container import yamlpos
from nginxlint.container.yamlpos import YMap, YScalar, YSeq, load_yaml, plain


def _slice(text, span):
    """Source text covered by a span (1-based, end exclusive)."""
    lines = text.split("\n")
    line, column, end_line, end_column = span
    if line == end_line:
        return lines[line - 1][column - 1:end_column - 1]
    parts = [lines[line - 1][column - 1:]] + lines[line:end_line - 1] + [lines[end_line - 1][:end_column - 1]]
    return "\n".join(parts)


def test_values_and_key_spans():
    text = "metadata:\n  annotations:\n    prometheus.io/port: \"8099\"\n    count: 3\n"
    document = load_yaml(text).documents[0]
    annotations = document.root.get("metadata").get("annotations")
    assert isinstance(annotations, YMap)
    assert annotations.key_span("prometheus.io/port") == (3, 5, 3, 23)
    assert _slice(text, annotations.key_span("prometheus.io/port")) == "prometheus.io/port"
    port = annotations.get("prometheus.io/port")
    assert (port.value, port.style, port.span) == ("8099", '"', (3, 25, 3, 31))
    assert _slice(text, port.span) == '"8099"'
    count = annotations.get("count")
    assert count.value == 3 and count.text == "3"
    assert plain(document.root) == {"metadata": {"annotations": {"prometheus.io/port": "8099", "count": 3}}}


def test_block_node_spans_end_at_their_last_character():
    text = "ports:\n  - name: http\n    containerPort: 80\n  - name: metrics\n    containerPort: 8099\nnext: 1\n"
    ports = load_yaml(text).documents[0].root.get("ports")
    assert isinstance(ports, YSeq)
    assert [item.span for item in ports] == [(2, 5, 3, 22), (4, 5, 5, 24)]
    assert _slice(text, ports.items[0].span) == "name: http\n    containerPort: 80"


def test_columns_count_code_points_not_bytes():
    text = "é: \"ü\"\nkey: ☃ value\n"
    root = load_yaml(text).documents[0].root
    assert root.get("é").span == (1, 4, 1, 7)
    assert root.get("key").span == (2, 6, 2, 13)
    assert _slice(text, root.get("key").span) == "☃ value"


def test_pure_python_loader_gives_the_same_spans(monkeypatch):
    text = "a:\n  - b: 'x'\n    c: |\n      line\nd: [1, {e: 2}]\n"
    with_c = load_yaml(text)
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    pure = load_yaml(text)

    def spans(node):
        if isinstance(node, YScalar):
            return [node.span]
        if isinstance(node, YSeq):
            return [node.span] + [s for item in node for s in spans(item)]
        return [node.span] + [s for _k, key, value in node.items() for s in spans(key) + spans(value)]

    assert spans(with_c.documents[0].root) == spans(pure.documents[0].root)


def test_multi_document_indexes_and_empty_documents():
    text = "a: 1\n---\n---\nb: 2\n...\n---\n# only a comment\nc: 3\n"
    parsed = load_yaml(text)
    assert [plain(d.root) for d in parsed.documents] == [{"a": 1}, None, {"b": 2}, {"c": 3}]
    assert [d.index for d in parsed.documents] == [0, 1, 2, 3]
    assert parsed.documents[3].root.get("c").span == (8, 4, 8, 5)


def test_syntax_error_keeps_other_documents_and_their_positions():
    text = "a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n"
    parsed = load_yaml(text)
    assert [plain(d.root) for d in parsed.documents] == [{"a": 1}, {"d": 4}]
    assert parsed.documents[1].root.get("d").span == (6, 4, 6, 5)
    assert len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert "expected ',' or ']'" in problem.message and "flow sequence" in problem.message
    assert problem.span[0] in (4, 5)  # where the scanner gave up on the open flow sequence


def test_tab_indentation_is_a_problem_at_the_tab():
    text = "spec:\n  containers:\n\t- name: x\n"
    parsed = load_yaml(text)
    assert parsed.documents == ()
    assert len(parsed.problems) == 1
    assert parsed.problems[0].span == (3, 1, 3, 2)
    assert "'\\t'" in parsed.problems[0].message


def test_bad_indentation_problem_position():
    text = "kind: Pod\nmetadata:\n  name: a\n name: b\n"
    problem, = load_yaml(text).problems
    assert problem.span[0] == 4


def test_control_character_is_a_problem_with_position():
    parsed = load_yaml("a: 1\nb: \x07\n")
    assert parsed.documents == ()
    assert parsed.problems[0].span == (2, 4, 2, 5)
    assert "#x0007" in parsed.problems[0].message


def test_duplicate_anchor_is_a_problem():
    parsed = load_yaml("a: &x 1\nb: &x 2\n---\nc: 3\n")
    assert len(parsed.problems) == 1 and "duplicate anchor" in parsed.problems[0].message
    assert [plain(d.root) for d in parsed.documents] == [{"c": 3}]


def test_undefined_alias_is_a_problem():
    parsed = load_yaml("a: *nowhere\n")
    assert parsed.problems and "nowhere" in parsed.problems[0].message
    assert parsed.problems[0].span == (1, 4, 1, 5)


def test_duplicate_key_is_reported_and_last_value_kept():
    parsed = load_yaml("a: 1\nb: 2\na: 3\n")
    document = parsed.documents[0]
    assert plain(document.root) == {"a": 3, "b": 2}
    assert [(p.message, p.span) for p in document.problems] == [("duplicate key 'a'", (3, 1, 3, 2))]


@pytest.mark.parametrize(
    "payload",
    [
        "!!python/object/apply:os.system ['touch /tmp/nginxlint-pwned']",
        "!!python/object:__main__.Thing {a: 1}",
        "!!python/name:os.system",
        "!!python/tuple [1, 2]",
    ],
)
def test_unsafe_tags_are_rejected_not_executed(payload, tmp_path, monkeypatch):
    called = []
    monkeypatch.setattr("os.system", lambda *a: called.append(a))
    parsed = load_yaml(f"safe: 1\nevil: {payload}\n")
    document = parsed.documents[0]
    assert called == []
    assert plain(document.root) == {"safe": 1, "evil": None}
    assert len(document.problems) == 1
    assert document.problems[0].message.startswith("unsafe YAML tag '!!python/")
    assert document.problems[0].span[:2] == (2, 7)


def test_unknown_local_tag_is_a_problem_but_value_is_kept():
    document = load_yaml("a: !Ref Other\n").documents[0]
    assert plain(document.root) == {"a": "Other"}
    assert document.problems[0].message == "unsupported YAML tag '!Ref'"


def test_compose_merge_tags_keep_the_value_and_are_no_problem():
    document = load_yaml("environment: !override\n  A: b\nsecrets: !reset []\nports: !reset null\n").documents[0]
    assert plain(document.root) == {"environment": {"A": "b"}, "secrets": [], "ports": None}
    assert document.problems == ()


def test_standard_tags_and_timestamps_stay_plain():
    document = load_yaml("a: !!str 10\nb: 2021-01-01\nc: !!int '7'\nd: !!int x\ne: ~\nf: yes\n").documents[0]
    assert plain(document.root) == {"a": "10", "b": "2021-01-01", "c": 7, "d": "x", "e": None, "f": True}
    assert [p.message for p in document.problems] == ["value 'x' is not a valid !!int"]


def test_merge_keys_explicit_keys_win():
    text = "x-base: &base\n  image: nginx\n  read_only: true\nservices:\n  web:\n    <<: *base\n    read_only: false\n"
    root = load_yaml(text).documents[0].root
    web = root.get("services").get("web")
    assert plain(web) == {"read_only": False, "image": "nginx"}
    assert web.get("image").span == (2, 10, 2, 15)  # where the merged value is written


def test_alias_bomb_is_not_expanded():
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 30):
        levels.append(f"{chr(97 + index % 26)}{index}: &l{index} [{', '.join(['*' + ('a' if index == 1 else f'l{index - 1}')] * 10)}]")
    parsed = load_yaml("\n".join(levels) + "\n")
    assert parsed.problems == ()
    assert len(parsed.documents[0].root) == 30


def test_recursive_alias_is_a_problem():
    document = load_yaml("a: &x [1, *x]\n").documents[0]
    assert document.problems and "recursive" in document.problems[0].message


def test_deep_nesting_never_raises():
    parsed = load_yaml("[" * 5000 + "]" * 5000)
    assert parsed.problems or parsed.documents


def test_unsafe_loaders_are_never_used(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("unsafe loading")

    monkeypatch.setattr(yaml, "load", forbidden)
    monkeypatch.setattr(yaml, "unsafe_load", forbidden)
    monkeypatch.setattr(yaml, "full_load", forbidden)
    assert plain(load_yaml("a: 1\n").documents[0].root) == {"a": 1}
    assert "Loader=loader" in open(yamlpos.__file__).read()


def test_every_span_of_the_manifest_model_is_the_shared_span_type():
    """Rules hand manifest spans to the report as they are: one Span type, with .line and .column."""
    import dataclasses
    from pathlib import Path

    from nginxlint.findings import Span
    from nginxlint.container.compose import load_compose
    from nginxlint.container.kubernetes import load_kubernetes

    manifests = Path(__file__).parent / "manifests"
    documents = [load_kubernetes(name, (manifests / name).read_text(encoding="utf-8"))
                 for name in ("many-kinds.yaml", "openresty-deployment.yaml")]
    documents.append(load_compose("compose.yaml", (manifests / "compose.yaml").read_text(encoding="utf-8")))
    documents.append(load_kubernetes("bad.yaml", "apiVersion: v1\nkind: Pod\nspec: [\n"))
    seen, spans, stack = set(), [], list(documents)
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if dataclasses.is_dataclass(item):
            for entry in dataclasses.fields(item):
                value = getattr(item, entry.name)
                if entry.name.endswith("span") and value is not None:
                    spans.append(value)
                elif entry.name.endswith("spans"):
                    spans.extend(span for span in value if span is not None)
                else:
                    stack.append(value)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    assert len(spans) > 100
    assert all(type(span) is Span for span in spans), {type(span) for span in spans}
