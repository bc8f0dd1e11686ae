"""trace through the flow index gives exactly what trace through SPARQL gives, and the index is
used only while it follows the store."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.term import Identifier

from pia_graph.query import trace
from pia_graph.store import Store
from pia_graph.store.flow_index import INDEX_FILE
from pia_graph.store.ingest import ingest
from pia_graph.synth import random_record, render_text

TARGETS = ("日本年金機構", "市町村長", "都道府県知事", "課", "年金", "存在しない受領者")


class SparqlOnly:
    """The store seen through SPARQL alone (as a remote endpoint is): no flow index."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None,
               timeout: float | None = None) -> list[dict[str, Identifier]]:
        return self.store.select(sparql, bindings, timeout)

    def assessment_graphs(self) -> list[URIRef]:
        return self.store.assessment_graphs()

    def graph(self, iri: URIRef) -> Graph:
        return self.store.graph(iri)


def hops(source: object, to: str, method: str | None = None, max_hops: int = 4) -> list[dict[str, object]]:
    return [hop.as_dict() for hop in trace(source, to, method, max_hops=max_hops)]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic assessments as texts (extraction included) and as record files."""
    directory = tmp_path_factory.mktemp("corpus")
    rng = random.Random(20261122)
    for index in range(90):
        record = random_record(rng, index)
        if index % 3:
            (directory / f"doc{index:03d}.txt").write_text(render_text(record, rng), encoding="utf-8")
        else:
            (directory / f"doc{index:03d}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return directory


@pytest.fixture
def store(corpus: Path, tmp_path: Path) -> Iterator[Store]:
    built = Store(tmp_path / "store")
    summary = ingest([corpus], built, jobs=2)
    assert summary.ok, summary.failed
    yield built
    built.close()


def assert_same_as_sparql(store: Store) -> int:
    compared = 0
    for target in TARGETS:
        for method in (None, "情報提供ネットワークシステム", "電子記録媒体"):
            indexed = hops(store, target, method)
            assert indexed == hops(SparqlOnly(store), target, method), (target, method)
            compared += len(indexed)
    assert hops(store, "日本年金機構", max_hops=1) == hops(SparqlOnly(store), "日本年金機構", max_hops=1)
    return compared


def test_the_index_gives_the_hops_sparql_gives(store: Store) -> None:
    assert store.fresh_flow_index() is not None
    assert assert_same_as_sparql(store) > 100
    pension = hops(store, "日本年金機構")
    assert pension and max(hop["hops"] for hop in pension) > 1, "the corpus should hold multi-hop paths"
    assert all(hop["source_file"] for hop in pension)
    extracted = [hop for hop in pension if str(hop["source_file"]).startswith("doc")]   # not the .json records
    assert extracted and all(hop["lines"] for hop in extracted)
    assert hops(store, "存在しない受領者") == []


def test_a_read_only_store_uses_the_index_written_by_build(store: Store) -> None:
    path = store.path
    expected = hops(store, "日本年金機構")
    store.close()
    with Store(path, read_only=True) as reader:
        assert reader.fresh_flow_index() is not None
        assert hops(reader, "日本年金機構") == expected


def test_a_graph_written_without_its_rows_sets_the_index_aside_until_the_next_build(
        store: Store, corpus: Path) -> None:
    victim = store.assessment_graphs()[0]
    changed = store.graph(victim)
    for flow in list(changed.subjects(None, URIRef("https://w3id.org/pia-graph/ontology#Provision"))):
        changed.remove((flow, None, None))
    store.replace_graph(victim, changed)           # by hand: no index rows
    assert store.fresh_flow_index() is None         # trace falls back to SPARQL ...
    assert hops(store, "日本年金機構") == hops(SparqlOnly(store), "日本年金機構")
    summary = ingest([corpus], store, jobs=1)       # ... until a build repairs the index
    assert summary.reindexed == 1 and not summary.ingested
    assert store.fresh_flow_index() is not None
    assert_same_as_sparql(store)


def test_removing_a_graph_keeps_the_index_in_step(store: Store) -> None:
    pension = hops(store, "日本年金機構")
    removed = pension[0]["assessment"]
    assert store.remove_graph(str(removed))
    assert store.fresh_flow_index() is not None
    after = hops(store, "日本年金機構")
    assert after and all(hop["assessment"] != removed for hop in after)
    assert after == hops(SparqlOnly(store), "日本年金機構")


def test_a_sparql_update_discards_the_index(store: Store, corpus: Path) -> None:
    path = store.path
    store.close()
    with Store(path, allow_update=True) as updating:
        updating.select("PREFIX pia: <https://w3id.org/pia-graph/ontology#>\n"
                        "DELETE { GRAPH ?g { ?flow pia:recipient ?r } } WHERE { GRAPH ?g { ?flow pia:recipient ?r } }")
        assert updating.fresh_flow_index() is None
        assert hops(updating, "日本年金機構") == []     # the SPARQL fallback sees the update
    with Store(path) as rebuilt:
        summary = ingest([corpus], rebuilt, jobs=1)
        assert summary.reindexed == len(rebuilt.assessment_graphs())
        assert rebuilt.fresh_flow_index() is not None
        assert hops(rebuilt, "日本年金機構") == hops(SparqlOnly(rebuilt), "日本年金機構") == []


def test_a_write_interrupted_between_store_and_index_is_not_trusted(store: Store) -> None:
    index = store.flow_index_for_writing()
    index.begin([str(store.assessment_graphs()[0])])   # as if killed before commit
    assert store.fresh_flow_index() is None
    assert store.repair_flow_index() == 1
    assert store.fresh_flow_index() is not None
    assert_same_as_sparql(store)


def test_a_lost_index_file_is_rebuilt_from_the_store(store: Store, corpus: Path) -> None:
    path = store.path
    expected = hops(store, "日本年金機構")
    store.close()
    (path / INDEX_FILE).unlink()
    with Store(path, read_only=True) as reader:
        assert reader.fresh_flow_index() is None
        assert hops(reader, "日本年金機構") == expected   # SPARQL fallback
    with Store(path) as writer:
        summary = ingest([corpus], writer, jobs=1)
        assert summary.reindexed == len(writer.assessment_graphs()) and not summary.ingested
        assert writer.fresh_flow_index() is not None
        assert hops(writer, "日本年金機構") == expected


def test_an_index_created_beside_graphs_it_never_saw_waits_for_a_repair(store: Store) -> None:
    path = store.path
    expected = hops(store, "日本年金機構")
    store.close()
    (path / INDEX_FILE).unlink()
    with Store(path) as writer:
        assert writer.fresh_flow_index() is None        # a new, empty index is not the store's
        victim = writer.assessment_graphs()[0]
        writer.replace_graph(victim, writer.graph(victim))   # a write after asking: no crash
        assert writer.fresh_flow_index() is None
        assert hops(writer, "日本年金機構") == expected   # SPARQL fallback
        writer.repair_flow_index()
        assert writer.fresh_flow_index() is not None
        assert hops(writer, "日本年金機構") == expected
