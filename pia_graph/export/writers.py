"""Writers for the flow graph: GraphML, GEXF, DOT (+ SVG/PNG via Graphviz), Cytoscape.js JSON,
CSV and XLSX of the flow table, and the self-contained HTML viewer (``pia_graph.export.html``).

Every string that leaves here is cleaned first (``clean_text``): C0 control characters are dropped
and lone surrogates become U+FFFD, because either would make an XML file unreadable (GraphML,
GEXF, XLSX) or a CSV row surprising. Nothing else is changed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from pia_graph.errors import PiaError
from pia_graph.export.flowgraph import (
    EDGE_KIND_LABELS,
    NODE_KIND_LABELS,
    hop_edges,
    source_text,
)
from pia_graph.export.formats import ExportFormat
from pia_graph.fileio import write_bytes_atomic

LIST_SEPARATOR = " | "
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
GRAPHVIZ_TIMEOUT_SECONDS = 600


class ExportError(PiaError):
    """An export that cannot be written (missing Graphviz, unknown format …)."""


def clean_text(text: str) -> str:
    """``text`` without XML-illegal control characters, with lone surrogates replaced by U+FFFD."""
    if not text:
        return ""
    repaired = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _XML_ILLEGAL.sub("", repaired)


def _flat(value: Any) -> str | int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        return LIST_SEPARATOR.join(
            clean_text(source_text(v) if isinstance(v, dict) else str(v)) for v in value)
    if value is None:
        return ""
    return clean_text(str(value))


def flat_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are strings or ints only (lists joined with `` | ``), no None,
    every node with the same keys and every edge with the same keys, so each attribute gets one
    declared type in GraphML/GEXF; counts (``assessment_count``, ``source_count``) are ints."""
    flat = nx.MultiDiGraph()
    flat.graph.update({k: _flat(v) for k, v in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        attrs = {k: _flat(v) for k, v in data.items()}
        attrs["kind_label"] = NODE_KIND_LABELS.get(str(data.get("kind")), "")
        attrs["assessment_count"] = len(data.get("assessments", []))
        attrs["source_count"] = len(data.get("sources", []))
        flat.add_node(clean_text(str(node)), **attrs)
    for u, v, key, data in graph.edges(keys=True, data=True):
        attrs = {k: _flat(val) for k, val in data.items()}
        attrs["source_count"] = len(data.get("sources", []))
        flat.add_edge(clean_text(str(u)), clean_text(str(v)), key=clean_text(str(key)), **attrs)
    return flat


# --- GraphML / GEXF ---------------------------------------------------------------------------

def to_graphml(graph: nx.MultiDiGraph) -> bytes:
    out = io.BytesIO()
    nx.write_graphml(flat_graph(graph), out, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return out.getvalue()


def to_gexf(graph: nx.MultiDiGraph) -> bytes:
    flat = flat_graph(graph)
    for _u, _v, key, data in flat.edges(keys=True, data=True):
        data["id"] = key  # GEXF edge ids are the flow IRIs, as the GraphML edge ids are
    out = io.BytesIO()
    nx.write_gexf(flat, out, encoding="utf-8", prettyprint=True)
    return out.getvalue()


# --- DOT (written here, no pydot) ------------------------------------------------------------

NODE_COLOURS = {
    "body": "#4e79a7", "department": "#76b7b2", "system": "#bab0ac", "file": "#59a14f",
    "contractor": "#f28e2b", "subcontractor": "#e15759", "recipient": "#b07aa1", "law": "#9c755f",
}
METHOD_COLOURS = {
    "情報提供ネットワークシステム": "#1f77b4", "庁内連携システム": "#17becf", "専用線": "#2ca02c",
    "電子メール": "#d62728", "電子記録媒体（フラッシュメモリを除く。）": "#ff7f0e",
    "フラッシュメモリ": "#e377c2", "紙": "#8c564b", "その他": "#7f7f7f",
}
EDGE_COLOURS = {
    "entrust": "#f28e2b", "subcontract": "#e15759", "provide": "#6a3d9a", "transfer": "#b07aa1",
    "unit": "#9e9e9e", "holds": "#9e9e9e", "uses": "#c7c7c7", "cites": "#9c755f",
}
NODE_SHAPES = {"body": "house", "department": "box", "system": "component", "file": "note",
               "contractor": "box", "subcontractor": "box", "recipient": "ellipse", "law": "tab"}
DOT_FONT = "Noto Sans CJK JP"


def dot_quote(text: str) -> str:
    """A DOT double-quoted string; backslashes are doubled so Graphviz shows them literally."""
    cleaned = clean_text(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + cleaned.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


def _wrap(text: str, width: int = 24) -> str:
    return "\n".join(text[i:i + width] for i in range(0, len(text), width)) or " "


def edge_caption(data: dict[str, Any]) -> str:
    caption = EDGE_KIND_LABELS.get(data["kind"], data["kind"])
    if data.get("methods"):
        caption += "\n" + "・".join(data["methods"])
    return caption


def to_dot(graph: nx.MultiDiGraph, title: str = "pia-graph data flows") -> str:
    ids = {node: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = [
        "digraph flows {",
        f"  graph [rankdir=LR, charset=\"UTF-8\", fontname={dot_quote(DOT_FONT)}, "
        f"label={dot_quote(title)}, labelloc=t, nodesep=0.25, ranksep=1.2];",
        f"  node [fontname={dot_quote(DOT_FONT)}, fontsize=10, style=\"filled\", fillcolor=\"white\"];",
        f"  edge [fontname={dot_quote(DOT_FONT)}, fontsize=8];",
    ]
    for node, data in graph.nodes(data=True):
        kind = data.get("kind", "")
        colour = NODE_COLOURS.get(kind, "#cccccc")
        lines.append(
            f"  {ids[node]} [label={dot_quote(_wrap(str(data.get('label', ''))))}, "
            f"shape={NODE_SHAPES.get(kind, 'box')}, color={dot_quote(colour)}, "
            f"fillcolor={dot_quote(colour + '33')}, tooltip={dot_quote(str(node))}];")
    for u, v, _key, data in graph.edges(keys=True, data=True):
        kind = data.get("kind", "")
        methods = data.get("methods") or []
        colour = METHOD_COLOURS.get(methods[0], EDGE_COLOURS.get(kind, "#555555")) if methods \
            else EDGE_COLOURS.get(kind, "#555555")
        style = "dashed" if kind == "subcontract" else ("dotted" if kind in ("uses", "cites") else "solid")
        lines.append(
            f"  {ids[u]} -> {ids[v]} [label={dot_quote(edge_caption(data))}, color={dot_quote(colour)}, "
            f"fontcolor={dot_quote(colour)}, style={style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_with_graphviz(dot_text: str, fmt: str) -> bytes:
    """SVG or PNG bytes from ``dot``; a clear error when Graphviz is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        raise ExportError(
            f"--format {fmt} needs Graphviz's `dot` program, which is not installed: install the "
            "graphviz package (e.g. `apt-get install graphviz`, `brew install graphviz`), or use "
            "--format dot/html")
    try:
        done = subprocess.run([dot, f"-T{fmt}"], input=dot_text.encode("utf-8"), capture_output=True,
                              timeout=GRAPHVIZ_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ExportError(f"Graphviz `dot` did not finish within {GRAPHVIZ_TIMEOUT_SECONDS} s: "
                          "filter the graph (--body, --recipient …) or use --format html") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExportError(f"Graphviz `dot -T{fmt}` failed: {message[-1] if message else done.returncode}")
    return done.stdout


# --- Cytoscape.js -----------------------------------------------------------------------------

def _json_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, str):
        return clean_text(value)
    return value


def to_cytoscape(graph: nx.MultiDiGraph) -> str:
    """Cytoscape.js elements JSON (also imported by Cytoscape desktop): lists stay lists and
    ``sources`` keeps each span as text."""
    nodes = []
    for node, data in graph.nodes(data=True):
        item = {k: _json_value(v) for k, v in data.items() if k != "sources"}
        item["sources"] = [clean_text(source_text(s)) for s in data.get("sources", [])]
        nodes.append({"data": {"id": clean_text(str(node)), **item}})
    edges = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        item = {k: _json_value(val) for k, val in data.items() if k != "sources"}
        item["sources"] = [clean_text(source_text(s)) for s in data.get("sources", [])]
        edges.append({"data": {**item, "id": clean_text(str(key)), "source": clean_text(str(u)),
                               "target": clean_text(str(v))}})
    document = {"format_version": "1.0", "generated_by": "pia-graph",
                "data": {k: _json_value(v) for k, v in graph.graph.items()},
                "elements": {"nodes": nodes, "edges": edges}}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


# --- the flow table (CSV, XLSX) ---------------------------------------------------------------

TABLE_COLUMNS: tuple[str, ...] = (
    "assessment", "assessment_iri", "document", "body", "business", "department", "file",
    "flow", "flow_kind", "from", "to", "methods", "method_other", "legal_basis", "laws", "timing",
    "purpose", "information", "entrustment_title", "content", "subcontract_items", "chain_depth",
    "source_lines",
)


def flow_table(graph: nx.MultiDiGraph) -> list[dict[str, str | int]]:
    """One row per hop (委託, 再委託, 提供, 移転) with its context and where it was read."""
    rows = []
    for u, v, _key, d in hop_edges(graph):
        rows.append({
            "assessment": d["assessment_label"], "assessment_iri": d["assessment"],
            "document": d["document"], "body": d["body"], "business": d["business"],
            "department": d["department"], "file": d["file"],
            "flow": EDGE_KIND_LABELS[d["kind"]], "flow_kind": d["kind"],
            "from": graph.nodes[u]["label"], "to": graph.nodes[v]["label"],
            "methods": LIST_SEPARATOR.join(d["methods"]), "method_other": d["method_other"],
            "legal_basis": d["legal_basis"], "laws": LIST_SEPARATOR.join(d["laws"]),
            "timing": d["timing"], "purpose": d["purpose"], "information": d["information"],
            "entrustment_title": d["title"], "content": d["content"],
            "subcontract_items": d["subcontract_items"], "chain_depth": d["depth"],
            "source_lines": LIST_SEPARATOR.join(source_text(s) for s in d["sources"]),
        })
    return [{k: (clean_text(v) if isinstance(v, str) else v) for k, v in row.items()} for row in rows]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(value: str | int) -> str | int:
    """A text cell a spreadsheet will not run as a formula: a leading ' as OWASP recommends."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(graph: nx.MultiDiGraph) -> str:
    """The flow table as CSV (UTF-8 with BOM, so Excel reads the Japanese text; cells that would
    start a formula get a leading ')."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TABLE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in flow_table(graph):
        writer.writerow({k: _spreadsheet_safe(v) for k, v in row.items()})
    return "\ufeff" + out.getvalue()


def to_xlsx(graph: nx.MultiDiGraph) -> bytes:
    """The flow table as an Excel sheet; every text cell is stored as text, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "flows"
    sheet.append(list(TABLE_COLUMNS))
    for row in flow_table(graph):
        sheet.append([row[c] for c in TABLE_COLUMNS])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # openpyxl would otherwise store it as a formula
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(TABLE_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, len(column) + 4))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- dispatch ---------------------------------------------------------------------------------

def render(graph: nx.MultiDiGraph, fmt: ExportFormat | str, title: str = "pia-graph data flows") -> bytes:
    """The graph in ``fmt`` as bytes (text formats UTF-8)."""
    fmt = ExportFormat(fmt)
    if fmt is ExportFormat.html:
        from pia_graph.export.html import to_html

        return to_html(graph, title=title).encode("utf-8")
    text_writers: dict[ExportFormat, Callable[[nx.MultiDiGraph], str]] = {
        ExportFormat.cytoscape: to_cytoscape, ExportFormat.csv: to_csv,
    }
    if fmt in text_writers:
        return text_writers[fmt](graph).encode("utf-8")
    if fmt is ExportFormat.graphml:
        return to_graphml(graph)
    if fmt is ExportFormat.gexf:
        return to_gexf(graph)
    if fmt is ExportFormat.xlsx:
        return to_xlsx(graph)
    dot_text = to_dot(graph, title)
    if fmt is ExportFormat.dot:
        return dot_text.encode("utf-8")
    return render_with_graphviz(dot_text, fmt.value)


def export(graph: nx.MultiDiGraph, fmt: ExportFormat | str, path: str | Path,
           title: str = "pia-graph data flows") -> Path:
    """Write the graph to ``path`` atomically (a reader never sees half a file)."""
    data = render(graph, fmt, title)
    write_bytes_atomic(path, data)
    return Path(path)
