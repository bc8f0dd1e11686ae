"""One self-contained HTML file that draws the flow graph offline (no CDN, every script inline).

The layout is computed in Python (``layered_layout``); the page (``assets/viewer.js``) draws on a
canvas with pan/zoom, colours nodes by kind and edges by method, labels only what is legible at the
current zoom, and shows a clicked node's facts with their source lines in a side panel.

Safety: the graph travels as JSON inside ``<script type="application/json">`` with ``<``, ``>`` and
``&`` written as ``\\u003c`` … so no document text can close the block or open a tag; the page puts
text on screen only through ``textContent`` and canvas ``fillText``, never through ``innerHTML``.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any

import networkx as nx

from pia_graph.export.flowgraph import (
    EDGE_KIND_LABELS,
    EDGE_KINDS,
    NODE_KIND_LABELS,
    NODE_KINDS,
)
from pia_graph.export.layout import layered_layout
from pia_graph.export.writers import EDGE_COLOURS, METHOD_COLOURS, NODE_COLOURS, clean_text

NO_METHOD = "（方法の記載なし）"
FORMAT_VERSION = 1


class _Strings:
    """A string table: repeated texts (legal bases, timings, document names) are stored once."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, text: str | None) -> int:
        text = clean_text(text or "")
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.items)
            self.items.append(text)
        return found


def payload(graph: nx.MultiDiGraph, title: str) -> dict[str, Any]:
    """The compact JSON the viewer reads (documented in assets/viewer.js)."""
    strings = _Strings()
    strings("")
    positions = layered_layout(graph)
    kinds = list(NODE_KINDS) + sorted({d["kind"] for _, d in graph.nodes(data=True)} - set(NODE_KINDS))
    kind_index = {k: i for i, k in enumerate(kinds)}
    edge_kinds = list(EDGE_KINDS)
    methods: list[str] = list(METHOD_COLOURS)
    method_index = {m: i for i, m in enumerate(methods)}
    assessments: list[list[int]] = []
    assessment_index: dict[str, int] = {}

    def source(src: dict[str, Any]) -> list[int]:
        return [strings(src["document"]), int(src["first"]), int(src["last"]), int(src["page"] or 0),
                strings(src["path"])]

    def assessment(iri: str, data: dict[str, Any]) -> int:
        found = assessment_index.get(iri)
        if found is None:
            found = assessment_index[iri] = len(assessments)
            assessments.append([strings(data.get("assessment_label") or iri), strings(iri),
                                strings(data.get("document")), strings(data.get("body")),
                                strings(data.get("business"))])
        return found

    for _u, _v, data in graph.edges(data=True):
        assessment(data["assessment"], data)

    node_ids = {node: i for i, node in enumerate(graph.nodes)}
    nodes = []
    for node, data in graph.nodes(data=True):
        x, y = positions.get(node, (0.0, 0.0))
        asm = []
        for iri, label in zip(data.get("assessments", []), data.get("assessment_labels", []), strict=False):
            asm.append(assessment(iri, {"assessment_label": label}))
        nodes.append([kind_index[data["kind"]], strings(data.get("label")), round(x, 1), round(y, 1),
                      [strings(s) for s in data.get("spellings", [])], asm,
                      [source(s) for s in data.get("sources", [])], strings(str(node))])

    edges = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        edge_methods = []
        for m in data.get("methods") or []:
            if m not in method_index:
                method_index[m] = len(methods)
                methods.append(m)
            edge_methods.append(method_index[m])
        if not edge_methods and data["kind"] in ("provide", "transfer"):
            if NO_METHOD not in method_index:
                method_index[NO_METHOD] = len(methods)
                methods.append(NO_METHOD)
            edge_methods.append(method_index[NO_METHOD])
        details = [strings(data.get("legal_basis")), strings(data.get("timing")), strings(data.get("purpose")),
                   strings(data.get("information")), strings(data.get("title")), strings(data.get("content")),
                   strings(data.get("subcontract_items")), strings(data.get("method_other")),
                   [strings(law) for law in data.get("laws", [])], int(data.get("depth", 0)),
                   [source(s) for s in data.get("sources", [])], strings(str(key))]
        edges.append([node_ids[u], node_ids[v], edge_kinds.index(data["kind"]), edge_methods,
                      assessment(data["assessment"], data), details])

    return {
        "version": FORMAT_VERSION, "title": clean_text(title), "filters": clean_text(str(graph.graph.get("filters", ""))),
        "strings": strings.items,
        "kinds": kinds, "kindLabels": [NODE_KIND_LABELS.get(k, k) for k in kinds],
        "kindColours": [NODE_COLOURS.get(k, "#888888") for k in kinds],
        "edgeKinds": edge_kinds, "edgeKindLabels": [EDGE_KIND_LABELS[k] for k in edge_kinds],
        "edgeKindColours": [EDGE_COLOURS[k] for k in edge_kinds],
        "methods": methods, "methodColours": [METHOD_COLOURS.get(m, "#555555") for m in methods],
        "assessments": assessments, "nodes": nodes, "edges": edges,
    }


def embed_json(data: Any) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' appears literally."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _asset(name: str) -> str:
    text = resources.files("pia_graph.export").joinpath("assets", name).read_text(encoding="utf-8")
    if "</script" in text.lower() or "</style" in text.lower():
        raise ValueError(f"asset {name} must not contain a closing script/style tag")
    return text


def to_html(graph: nx.MultiDiGraph, title: str = "pia-graph data flows") -> str:
    data = embed_json(payload(graph, title))
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{html.escape(clean_text(title))}</title>
<style>
{_asset("viewer.css")}
</style>
</head>
<body>
<header id="bar">
  <strong id="title"></strong>
  <input id="search" type="search" placeholder="検索 / search (Enter)" autocomplete="off">
  <button id="search-go" type="button">検索</button>
  <span id="search-count"></span>
  <button id="fit" type="button" title="全体表示 / fit">全体</button>
  <span id="stats"></span>
</header>
<aside id="filters"></aside>
<main id="view"><canvas id="canvas"></canvas></main>
<aside id="panel"><p class="hint">ノードをクリックすると詳細と出典行を表示します / click a node for its facts and source lines.</p></aside>
<script type="application/json" id="pia-data">{data}</script>
<script>
{_asset("viewer.js")}
</script>
</body>
</html>
"""
