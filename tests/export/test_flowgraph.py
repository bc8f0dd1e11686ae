"""flow_graph: nodes, hops, structure, provenance and filters, on hand-built and real stores."""

from __future__ import annotations

from collections import Counter

import pytest

from pia_graph import vocab
from pia_graph.export.flowgraph import FlowFilters, flow_graph, hop_edges, per_assessment_graphs
from pia_graph.store.base import SparqlSource


def labels(graph, kind):
    return sorted(d["label"] for _, d in graph.nodes(data=True) if d["kind"] == kind)


def hop_summary(graph):
    return sorted((d["kind"], graph.nodes[u]["label"], graph.nodes[v]["label"]) for u, v, _k, d in hop_edges(graph))


def test_sample_nodes_and_hops(sample):
    graph = flow_graph(sample)
    assert Counter(d["kind"] for _, d in graph.nodes(data=True)) == {
        "body": 2, "department": 1, "system": 1, "file": 2, "contractor": 1, "subcontractor": 2,
        "recipient": 2, "law": 1}
    assert hop_summary(graph) == sorted([
        ("entrust", "住民税ファイル", "株式会社　架空システム"),
        ("entrust", "児童手当ファイル", "株式会社　架空システム"),
        ("subcontract", "株式会社　架空システム", "合同会社下請テック"),
        ("subcontract", "合同会社下請テック", "有限会社孫請サービス"),
        ("provide", "住民税ファイル", "架空年金機構"),
        ("provide", "児童手当ファイル", "架空年金機構"),
        ("transfer", "住民税ファイル", "架空市福祉部"),
    ])
    # the contractor is one node with both spellings and both assessments
    contractor = next(d for _, d in graph.nodes(data=True) if d["kind"] == "contractor")
    assert set(contractor["spellings"]) == {"株式会社架空システム", "株式会社　架空システム"}
    assert len(contractor["assessments"]) == 2


def test_hop_attributes_and_sources(sample):
    graph = flow_graph(sample)
    provide = next(d for u, v, _k, d in hop_edges(graph)
                   if d["kind"] == "provide" and d["assessment"].endswith("t1"))
    assert provide["methods"] == ["情報提供ネットワークシステム", "電子メール"]
    assert provide["legal_basis"] == "架空番号法第19条第8号"
    assert provide["laws"] == ["架空番号法"]
    assert provide["timing"] == "随時"
    assert provide["business"] == "個人住民税に関する事務"
    assert provide["body"] == "架空市長"
    spans = {(s["document"], s["first"], s["last"], s["page"]) for s in provide["sources"]}
    assert spans == {("t1.pdf", 80, 80, 5), ("t1.pdf", 81, 83, 5)}
    # the recipient node knows where its name was read
    recipient = graph.nodes[next(v for u, v, _k, d in hop_edges(graph) if d is provide)]
    assert ("t1.pdf", 80) in {(s["document"], s["first"]) for s in recipient["sources"]}
    sub = [d for _u, _v, _k, d in hop_edges(graph) if d["kind"] == "subcontract"]
    assert sorted(d["depth"] for d in sub) == [2, 3]
    assert {k for _u, _v, k, d in graph.edges(keys=True, data=True) if d["kind"] in ("holds", "unit", "uses", "cites")}


@pytest.mark.parametrize(("filters", "expected"), [
    (FlowFilters(method="email"), [("provide", "住民税ファイル", "架空年金機構")]),
    (FlowFilters(method="紙"), [("provide", "児童手当ファイル", "架空年金機構")]),
    (FlowFilters(recipient="福祉"), [("transfer", "住民税ファイル", "架空市福祉部")]),
    (FlowFilters(body="空想"), [("entrust", "児童手当ファイル", "株式会社　架空システム"),
                              ("provide", "児童手当ファイル", "架空年金機構")]),
    (FlowFilters(business="児童手当"), [("entrust", "児童手当ファイル", "株式会社　架空システム"),
                                    ("provide", "児童手当ファイル", "架空年金機構")]),
    # full-width/half-width and spaces do not matter; a sub-contractor name keeps its whole chain
    (FlowFilters(contractor="孫請ｻｰﾋﾞｽ"), [
        ("entrust", "住民税ファイル", "株式会社　架空システム"),
        ("subcontract", "株式会社　架空システム", "合同会社下請テック"),
        ("subcontract", "合同会社下請テック", "有限会社孫請サービス")]),
    (FlowFilters(assessment="t2.txt", recipient="年金"), [("provide", "児童手当ファイル", "架空年金機構")]),
    (FlowFilters(recipient="no such recipient"), []),
])
def test_filters(sample, filters, expected):
    graph = flow_graph(sample, filters)
    assert hop_summary(graph) == sorted(expected)
    if not expected:
        assert graph.number_of_nodes() == 0


def test_filtered_graph_keeps_context_of_kept_hops_only(sample):
    graph = flow_graph(sample, FlowFilters(method="紙"))
    assert labels(graph, "body") == ["空想町長"]
    assert labels(graph, "file") == ["児童手当ファイル"]
    assert labels(graph, "contractor") == []


class CountingSource:
    """Counts the SELECTs, to show that the number of queries does not grow with the data."""

    def __init__(self, inner: SparqlSource) -> None:
        self.inner, self.calls = inner, 0

    def select(self, sparql, bindings=None, timeout=None):
        self.calls += 1
        return self.inner.select(sparql, bindings, timeout)

    def assessment_graphs(self):
        return self.inner.assessment_graphs()

    def graph(self, iri):
        return self.inner.graph(iri)


def test_query_count_is_fixed(sample, synthetic_store):
    small, large = CountingSource(sample), CountingSource(synthetic_store)
    flow_graph(small)
    graph = flow_graph(large)
    assert small.calls == large.calls <= 13
    assert len({d["assessment"] for _u, _v, d in graph.edges(data=True)}) == 12


def test_synthetic_store_has_real_spans(synthetic_store):
    graph = flow_graph(synthetic_store)
    hops = hop_edges(graph)
    kinds = Counter(d["kind"] for *_rest, d in hops)
    assert kinds["entrust"] > 0 and kinds["provide"] > 0
    with_sources = [d for *_rest, d in hops if d["sources"]]
    assert len(with_sources) > len(hops) / 2
    src = with_sources[0]["sources"][0]
    assert src["document"].startswith("synthetic-") and src["first"] > 0


def test_synthetic_records_methods(tmp_path):
    from .conftest import build_synthetic_store

    store = build_synthetic_store(tmp_path / "store", 6, extract=False)
    hops = hop_edges(flow_graph(store))
    methods = Counter(m for *_rest, d in hops if d["kind"] in ("provide", "transfer") for m in d["methods"])
    assert methods and set(methods) <= set(vocab.METHOD_CONCEPTS)


def test_gold_store(gold_store):
    graph = flow_graph(gold_store)
    kinds = Counter(d["kind"] for *_rest, d in hop_edges(graph))
    assert kinds["entrust"] >= 3 and kinds["provide"] >= 2
    assert len(labels(graph, "body")) == 3
    # every hop names the assessment and body it came from
    assert all(d["assessment"] and d["body"] for *_rest, d in hop_edges(graph))


def test_per_assessment_graphs(sample):
    parts = list(per_assessment_graphs(sample))
    assert [number for _iri, number, _label, _g in parts] == ["1", "2"]
    for iri, _number, _label, graph in parts:
        assert {d["assessment"] for _u, _v, d in graph.edges(data=True)} == {iri}


def test_assessment_without_hops_is_still_drawn():
    from rdflib import RDF

    from pia_graph.vocab import ID

    from .memory_source import MemorySource
    from .sample_graphs import sample_graphs

    source = MemorySource()
    for iri, graph in sample_graphs():
        source.add_graph(iri, graph)
    lonely = ID["assessment/t3"]
    from rdflib import Graph, Literal

    g = Graph()
    g.add((lonely, RDF.type, vocab.Assessment))
    g.add((lonely, vocab.assessmentNumber, Literal("3")))
    g.add((lonely, vocab.assessedBy, ID["org/body2"]))
    g.add((lonely, vocab.hasFile, ID["file/t3/0"]))
    g.add((ID["file/t3/0"], vocab.name, Literal("単独ファイル")))
    g.add((ID["file/t3/0"], RDF.type, vocab.PersonalInfoFile))
    source.add_graph(lonely, g)
    parts = {number: graph for _iri, number, _label, graph in per_assessment_graphs(source)}
    assert sorted(parts) == ["1", "2", "3"]
    assert labels(parts["3"], "file") == ["単独ファイル"]
    assert labels(flow_graph(source, FlowFilters(body="空想")), "file") == ["児童手当ファイル", "単独ファイル"]
