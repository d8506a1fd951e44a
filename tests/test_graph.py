"""`nginxlint graph`: the story's deployment drawn from the samples, in Mermaid, DOT and HTML."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from lintkit import run_cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "samples/openresty-k8s"
NODE = r'^\s+(n\d+)(?:\[\[|\(\(|\[\(|\(\[|\[/|\[)"([^"]*)"'


def graph(fmt: str) -> str:
    result = run_cli(["graph", SAMPLE, "--format", fmt], cwd=ROOT)
    assert result.status == 0, result.err
    return result.out


def test_mermaid_shows_the_story_wiring_and_its_findings():
    text = graph("mermaid")
    assert text.startswith("flowchart LR\n")
    labels = dict(re.findall(NODE, text, re.M))
    by_label = {label.split("<br/>")[0]: node for node, label in labels.items()}
    edges = set(re.findall(r"^\s+(n\d+) -->(?:\|\"([^\"]*)\"\|)? (n\d+)$", text, re.M))
    # the include chain, the dict the Lua reads but nothing declares (LUA202), the container and its limits
    assert (by_label["samples/openresty-k8s/nginx/conf/nginx.conf"], "include",
            by_label["samples/openresty-k8s/nginx/conf/vhosts/project.nginx.conf"]) in edges
    monitor = labels[by_label["monitor"]]
    assert "findings: LUA202" in monitor
    assert "not declared" in labels[by_label["ngx.shared.monitor_status"]]
    assert (by_label["monitor"], "uses", by_label["ngx.shared.monitor_status"]) in edges
    container = next(label for label in labels.values() if label.startswith("project-openresty ("))
    assert "cpu limit 2, memory limit 256Mi" in container and "CTR103" in container
    # the probes reach the port the vhost listens on
    assert (by_label["project-openresty (harbor.example.com/backend/project-openresty:1.13.6.2-2-centos-20210421)"],
            "readiness /health", by_label[":80"]) in edges
    # every finding of a plain lint of the sample is marked on some node
    lint = run_cli([SAMPLE, "--format", "json"], cwd=ROOT).json["findings"]
    marked = re.findall(r"findings: ([A-Z0-9 ]+)", text)
    assert {f["code"] for f in lint} == {code for line in marked for code in line.split()}


def test_dot_is_a_digraph_with_the_same_nodes():
    text = graph("dot")
    assert text.startswith("digraph deployment {") and text.rstrip().endswith("}")
    assert len(re.findall(r"^\s+n\d+ \[shape=", text, re.M)) == len(re.findall(NODE, graph("mermaid"), re.M))


def test_html_is_self_contained_and_its_boxes_never_overlap():
    page = graph("html")
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    svg = ET.fromstring(page[page.index("<svg"):page.index("</svg>") + 6])
    ns = {"s": "http://www.w3.org/2000/svg"}
    boxes = [tuple(float(r.get(k)) for k in ("x", "y", "width", "height")) for r in svg.iterfind(".//s:g/s:rect", ns)]
    assert len(boxes) >= 15
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1, "two boxes overlap"
    # each line of text stays inside its box
    for group in svg.iterfind(".//s:g", ns):
        x, y, w, h = (float(group.find("s:rect", ns).get(k)) for k in ("x", "y", "width", "height"))
        for line in group.iterfind("s:text", ns):
            assert y < float(line.get("y")) <= y + h
            assert len(line.text) * 7 <= w - 16, line.text  # ~7 px per character at 12 px Helvetica, 8 px padding
