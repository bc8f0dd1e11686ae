"""The precomputed layout and the HTML page's embedded data (without a browser)."""

from __future__ import annotations

import json
import re

from pia_graph.export.flowgraph import flow_graph
from pia_graph.export.html import embed_json, to_html
from pia_graph.export.layout import layered_layout


def test_layout_places_every_node_in_its_column(sample):
    graph = flow_graph(sample)
    positions = layered_layout(graph)
    assert set(positions) == set(graph.nodes)
    x = {kind: {positions[n][0] for n, d in graph.nodes(data=True) if d["kind"] == kind}
         for kind in ("body", "file", "recipient", "contractor", "law")}
    assert max(x["body"]) < min(x["file"]) < min(x["recipient"]) < min(x["law"])
    assert x["recipient"] == x["contractor"]  # one column, two bands
    assert len(set(positions.values())) == len(positions)  # no two nodes on one spot


def test_layout_wraps_large_columns(sample):
    import networkx as nx

    graph = nx.MultiDiGraph()
    for i in range(3000):
        graph.add_node(f"f{i}", kind="file", label=f"file {i}")
        graph.add_edge(f"f{i}", f"r{i % 7}", kind="provide")
    for i in range(7):
        graph.nodes[f"r{i}"].update(kind="recipient", label=f"r{i}")
    positions = layered_layout(graph)
    xs = [positions[f"f{i}"][0] for i in range(3000)]
    ys = [positions[f"f{i}"][1] for i in range(3000)]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    assert len(set(xs)) > 1 and height < 3000 * 14  # wrapped into strips, not one tall column
    assert width < height * 4


def test_embedded_json_cannot_close_the_script(evil_source):
    html = to_html(flow_graph(evil_source))
    block = re.search(r'<script type="application/json" id="pia-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    assert any("<script>alert(1)</script>" in s for s in data["strings"])
    assert embed_json({"a": "</script><!--\u2028"}) == '{"a":"\\u003c/script\\u003e\\u003c!--\\u2028"}'
