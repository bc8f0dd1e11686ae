"""Every writer read back by a real reader: networkx GraphML/GEXF, Graphviz, csv, openpyxl, json, XML."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from openpyxl import load_workbook

from pia_graph.export.flowgraph import flow_graph, hop_edges
from pia_graph.export.writers import (
    TABLE_COLUMNS,
    ExportError,
    clean_text,
    dot_quote,
    export,
    render,
    to_dot,
)

from .conftest import EVIL

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz `dot` not installed (make test installs graphviz)")


def as_multi(graph: nx.Graph) -> nx.MultiDiGraph:
    return graph if graph.is_multigraph() else nx.MultiDiGraph(graph)


def check_round_trip(original: nx.MultiDiGraph, back: nx.MultiDiGraph) -> None:
    assert set(back.nodes) == {clean_text(n) for n in original.nodes}
    assert back.number_of_edges() == original.number_of_edges()
    for node, data in original.nodes(data=True):
        got = back.nodes[clean_text(node)]
        assert got["kind"] == data["kind"]
        assert got["label"] == clean_text(data["label"])
        assert got["spellings"] == " | ".join(clean_text(s) for s in data["spellings"])
        assert got["assessment_count"] == len(data["assessments"])
        assert isinstance(got["assessment_count"], int)
    back_edges = {(u, v, d.get("id", k)): d for u, v, k, d in back.edges(keys=True, data=True)}
    for u, v, key, data in original.edges(keys=True, data=True):
        got = back_edges[(clean_text(u), clean_text(v), clean_text(key))]
        assert got["kind"] == data["kind"]
        assert got["methods"] == " | ".join(data["methods"])
        assert got["legal_basis"] == clean_text(data["legal_basis"])
        assert got["depth"] == data["depth"] and isinstance(got["depth"], int)
        assert got["source_count"] == len(data["sources"])


def test_graphml_round_trip(sample, tmp_path):
    graph = flow_graph(sample)
    path = export(graph, "graphml", tmp_path / "flows.graphml")
    back = nx.read_graphml(path, force_multigraph=True)
    check_round_trip(graph, back)
    provide = next(d for _u, _v, d in back.edges(data=True) if d["kind"] == "provide" and "電子メール" in d["methods"])
    assert "t1.pdf:80 p.5 /files/0/provisions/0/recipient" in provide["sources"]


def test_gexf_round_trip(sample, tmp_path):
    graph = flow_graph(sample)
    path = export(graph, "gexf", tmp_path / "flows.gexf")
    back = as_multi(nx.read_gexf(path))
    check_round_trip(graph, back)


def test_cytoscape_json(sample):
    graph = flow_graph(sample)
    document = json.loads(render(graph, "cytoscape"))
    nodes, edges = document["elements"]["nodes"], document["elements"]["edges"]
    assert len(nodes) == graph.number_of_nodes() and len(edges) == graph.number_of_edges()
    ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
    provide = next(e["data"] for e in edges if e["data"]["kind"] == "provide" and len(e["data"]["methods"]) == 2)
    assert provide["methods"] == ["情報提供ネットワークシステム", "電子メール"]
    assert "t1.pdf:81-83 p.5 /files/0/provisions/0/legal_basis" in provide["sources"]


def test_csv_flow_table(sample):
    graph = flow_graph(sample)
    text = render(graph, "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0].keys()) == TABLE_COLUMNS
    assert len(rows) == len(hop_edges(graph)) == 7
    provide = next(r for r in rows if r["flow"] == "提供" and r["methods"])
    assert provide["body"] == "架空市長" and provide["to"] == "架空年金機構"
    assert provide["methods"] == "情報提供ネットワークシステム | 電子メール"
    assert provide["legal_basis"] == "架空番号法第19条第8号"
    assert "t1.pdf:81-83 p.5" in provide["source_lines"]
    assert sorted(r["flow"] for r in rows) == sorted(["委託", "委託", "再委託", "再委託", "提供", "提供", "移転"])


def test_xlsx_flow_table(sample, tmp_path):
    graph = flow_graph(sample)
    path = export(graph, "xlsx", tmp_path / "flows.xlsx")
    sheet = load_workbook(path).active
    values = list(sheet.values)
    assert values[0] == TABLE_COLUMNS
    assert len(values) - 1 == 7
    by_column = [dict(zip(TABLE_COLUMNS, row, strict=True)) for row in values[1:]]
    assert {r["to"] for r in by_column if r["flow"] == "移転"} == {"架空市福祉部"}
    assert max(r["chain_depth"] for r in by_column) == 3


@needs_dot
def test_dot_renders_with_graphviz(sample, tmp_path):
    graph = flow_graph(sample)
    dot_text = to_dot(graph)
    done = subprocess.run(["dot", "-Tsvg"], input=dot_text.encode("utf-8"), capture_output=True, check=True)
    svg = ET.fromstring(done.stdout)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    groups = svg.findall(".//svg:g", ns)
    assert sum(1 for g in groups if g.get("class") == "node") == graph.number_of_nodes()
    assert sum(1 for g in groups if g.get("class") == "edge") == graph.number_of_edges()
    texts = "".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "架空年金機構" in texts
    png = render(graph, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_missing_graphviz_is_a_clear_error(sample, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ExportError, match="install the graphviz package"):
        render(flow_graph(sample), "svg")


def test_dot_quote_escapes():
    assert dot_quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    assert dot_quote("x\x00\x1by") == '"xy"'


def test_clean_text():
    assert clean_text("a\x00b\x0bc\td\ne") == "abc\td\ne"
    assert clean_text("x\ud800y") == "x\ufffdy"
    assert clean_text("😀\U0002000b") == "😀\U0002000b"


# --- hostile names through every exporter -----------------------------------------------------

def test_injection_graphml_gexf_are_well_formed_xml(evil_source, evil_names, tmp_path):
    graph = flow_graph(evil_source)
    for fmt in ("graphml", "gexf"):
        path = export(graph, fmt, tmp_path / f"evil.{fmt}")
        root = ET.parse(path).getroot()  # a real XML parser: raises on any illegal character
        texts = [el.text or "" for el in root.iter()] + [v for el in root.iter() for v in el.attrib.values()]
        joined = "".join(texts)
        assert "<script>alert(1)</script>" in joined  # kept as text, escaped in the file
        assert "\x00" not in joined and "\x1b" not in joined
        back = as_multi(nx.read_graphml(path, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(path))
        assert clean_text(f"株式会社{EVIL}") in {d["label"] for _, d in back.nodes(data=True)} | {
            s for _, d in back.nodes(data=True) for s in d["spellings"].split(" | ")}


def test_injection_dot_svg_csv_xlsx_json(evil_source, tmp_path):
    graph = flow_graph(evil_source)
    dot_text = render(graph, "dot").decode("utf-8")
    assert "\x00" not in dot_text
    if shutil.which("dot"):
        svg = ET.fromstring(render(graph, "svg"))
        text = "".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
        assert "<script>" in text  # drawn as text, not markup
        assert not any(el.tag.endswith("}script") for el in svg.iter())
    rows = list(csv.DictReader(io.StringIO(render(graph, "csv").decode("utf-8-sig"))))
    assert any("<script>alert(1)</script>" in r["to"] for r in rows)
    assert all("\x00" not in v for r in rows for v in r.values())
    export(graph, "xlsx", tmp_path / "evil.xlsx")
    values = [v for row in load_workbook(tmp_path / "evil.xlsx").active.values for v in row if isinstance(v, str)]
    assert any("<script>alert(1)</script>" in v for v in values)
    document = json.loads(render(graph, "cytoscape"))
    labels = [n["data"]["label"] for n in document["elements"]["nodes"]]
    assert any("\ufffd" in label for label in labels)  # the lone surrogates, replaced


def test_formula_cells_are_not_formulas(sample, tmp_path):
    from .sample_graphs import Names, sample_source

    graph = flow_graph(sample_source(Names(recipient1="=HYPERLINK(\"http://x\")", contractor="+1+1")))
    rows = list(csv.DictReader(io.StringIO(render(graph, "csv").decode("utf-8-sig"))))
    assert "'=HYPERLINK(\"http://x\")" in {r["to"] for r in rows}
    export(graph, "xlsx", tmp_path / "f.xlsx")
    sheet = load_workbook(tmp_path / "f.xlsx").active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "'=HYPERLINK(\"http://x\")"
             or c.value == "=HYPERLINK(\"http://x\")"]
    assert cells and all(c.data_type == "s" for c in cells)
