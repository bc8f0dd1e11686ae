"""trace through the flow index gives exactly what trace through SPARQL gives, and the index is
used only while it follows the store."""

from __future__ import annotations

import gc
import json
import random
from collections.abc import Iterator, Mapping
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph, URIRef
from rdflib.term import Identifier

from pia_graph.errors import QueryError
from pia_graph.query import flow_network, trace
from pia_graph.query.trace import _uses_method, fold
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


def whole_network_hops(source: object, to: str, method: str | None = None,
                       max_hops: int = 4) -> list[dict[str, object]]:
    """trace as first written, an independent oracle: the whole flow network (``flow_network``,
    networkx), ``all_simple_edge_paths`` from every holder to the recipients whose labels contain
    ``to``, ordered by (length, the assessments along the path, the flow IRIs)."""
    network, holders, flows, labels = flow_network(source)  # type: ignore[arg-type]
    wanted = fold(to)
    targets = {node for node in network if node[0] == "recipient" and any(wanted in name for name in labels[node[1]])}
    found = [path for start in sorted(node for node in network if node[0] == "holder")
             for path in nx.all_simple_edge_paths(network, start, targets, cutoff=max_hops)] if targets else []
    if method:
        found = [path for path in found if _uses_method(flows[path[-1][2]].methods, method)]
    found.sort(key=lambda p: (len(p), [flows[key].assessment for _, _, key in p], [key for _, _, key in p]))
    kinds = {"provision": "提供", "transfer": "移転"}
    return [{"path": number, "hop": position, "hops": len(path), "assessment": flow.assessment,
             "body": holder.body, "department": holder.department, "business": holder.business,
             "source_file": holder.source_file, "file": flow.file, "kind": kinds[flow.kind],
             "recipient": flow.recipient, "methods": flow.methods, "legal_basis": flow.legal_basis,
             "timing": flow.timing, "lines": flow.lines}
            for number, path in enumerate(found, start=1)
            for position, (_, _, key) in enumerate(path, start=1)
            for flow in [flows[key]] for holder in [holders[flow.assessment]]]


def test_trace_gives_the_paths_of_the_whole_networkx_network(store: Store) -> None:
    """The backward walk over the relevant part of the network (index and SPARQL alike) finds
    the same paths, in the same order, as networkx over the whole network."""
    compared = 0
    for target in TARGETS:
        for method in (None, "庁内連携システム", "電子記録媒体"):
            expected = whole_network_hops(store, target, method)
            assert hops(store, target, method) == expected, (target, method)
            compared += len(expected)
    for max_hops in (1, 2, 6):
        assert hops(store, "日本年金機構", max_hops=max_hops) == whole_network_hops(store, "日本年金機構",
                                                                                   max_hops=max_hops)
        assert hops(SparqlOnly(store), "課", max_hops=max_hops) == whole_network_hops(store, "課",
                                                                                     max_hops=max_hops)
    assert hops(store, "日本年金機構", max_hops=0) == []
    assert compared > 100


def relay_flow(recipient: str, methods: list[str]) -> dict[str, object]:
    return {"recipient": recipient, "legal_basis": "条例第1条", "purpose": "試験", "information": "試験",
            "subject_count": "1万人未満", "subject_scope": "試験", "methods": methods, "methods_other": None,
            "timing": "随時"}


@pytest.fixture(scope="module")
def relay_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Five assessments of one body passing data on to each other's departments, in cycles and
    with parallel flows (two files to the same unit), two of them providing to 日本年金機構:
    simple paths of up to four hops."""
    rng = random.Random(7)
    directory = tmp_path_factory.mktemp("relay")
    plan = {  # department → (the units each file transfers to, provides to the pension service)
        "甲課": ([["乙課"], ["乙課", "丙課"]], False),
        "乙課": ([["丙課", "甲課"]], False),
        "丙課": ([["丁課"]], False),
        "丁課": ([["乙課"]], True),
        "戊課": ([["丁課"], ["丁課"]], True),
    }
    organization = random_record(rng, 0)["assessment"]["organization"]
    for index, (department, (transfers, pension)) in enumerate(plan.items()):
        record = random_record(rng, index)
        record["assessment"].update(organization=organization, number=str(900 + index))
        record["department"] = f"試験部　{department}"
        template = record["files"][0]
        record["files"] = []
        for position, units in enumerate(transfers):
            file = dict(template, name=f"試験ファイル{position + 1}",
                        transfers=[relay_flow(unit, ["庁内連携システム"] if position else ["紙"]) for unit in units],
                        provisions=[relay_flow("日本年金機構", ["専用線"])] if pension and position == 0 else [])
            record["files"].append(file)
        (directory / f"relay{index}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    built = Store(tmp_path_factory.mktemp("relay-store") / "store")
    summary = ingest([directory], built, jobs=1)
    assert summary.ok, summary.failed
    yield built
    built.close()


def test_paths_through_cycles_and_parallel_flows(relay_store: Store) -> None:
    assert relay_store.fresh_flow_index() is not None
    for max_hops in range(1, 7):
        for target, method in (("日本年金機構", None), ("日本年金機構", "専用線"), ("課", None), ("乙課", "紙"),
                               ("課", "庁内連携システム")):
            expected = whole_network_hops(relay_store, target, method, max_hops)
            assert hops(relay_store, target, method, max_hops) == expected, (target, method, max_hops)
            assert hops(SparqlOnly(relay_store), target, method, max_hops) == expected, (target, method, max_hops)
    found = hops(relay_store, "日本年金機構", max_hops=6)
    paths: dict[object, list[dict[str, object]]] = {}
    for hop in found:
        paths.setdefault(hop["path"], []).append(hop)
    assert max(len(path) for path in paths.values()) == 4   # 甲→乙→丙→丁→; 乙→甲 and 丁→乙 close cycles
    assert all(len({hop["assessment"] for hop in path}) == len(path) for path in paths.values()), "simple paths"
    shapes = [tuple(hop["assessment"] for hop in path) for path in paths.values()]
    assert len(shapes) > len(set(shapes)), "parallel flows give paths through the same assessments"


def test_trace_leaves_the_garbage_collector_as_it_found_it(store: Store) -> None:
    assert gc.isenabled()
    expected = hops(store, "日本年金機構")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        assert hops(store, "日本年金機構") == expected
        assert not gc.isenabled()
    finally:
        gc.enable()
    gc.freeze()   # a program that keeps frozen objects of its own: trace does not release them
    try:
        frozen = gc.get_freeze_count()
        assert hops(store, "日本年金機構") == expected
        assert gc.get_freeze_count() >= frozen and gc.isenabled()
    finally:
        gc.unfreeze()


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


def test_an_update_that_names_its_graph_keeps_the_index_in_step(store: Store) -> None:
    path = store.path
    pension = hops(store, "日本年金機構")
    changed = pension[0]["assessment"]
    store.close()
    with Store(path, allow_update=True) as updating:
        updating.select("PREFIX pia: <https://w3id.org/pia-graph/ontology#>\n"
                        f"DELETE {{ GRAPH <{changed}> {{ ?flow pia:recipient ?r }} }}\n"
                        f"WHERE {{ GRAPH <{changed}> {{ ?flow pia:recipient ?r }} }}")
        index = updating.fresh_flow_index()
        assert index is not None                            # trace keeps its index ...
        assert index.handoffs_current()                     # ... with its handoffs decided again
        after = hops(updating, "日本年金機構")
        assert after and all(hop["assessment"] != changed for hop in after)
        assert len(after) < len(pension)
        assert_same_as_sparql(updating)                    # ... and it follows the update
        assert updating.repair_flow_index() == 0           # nothing left for a build to mend


def test_a_malformed_update_leaves_the_index_usable(store: Store) -> None:
    path = store.path
    store.close()
    with Store(path, allow_update=True) as updating:
        before = len(updating)
        for text in ("DELETE { GRAPH ?g { ?s ?p } } WHERE {",                        # no graph read
                     "DELETE { GRAPH <http://example.org/g> { ?s ?p } } WHERE {"):
            with pytest.raises(QueryError, match="syntax"):
                updating.select(text)
            assert updating.fresh_flow_index() is not None
        assert len(updating) == before


def test_an_update_of_any_graph_cut_short_is_not_trusted(store: Store) -> None:
    index = store.flow_index_for_writing()
    index.begin_unfollowed()                       # as if killed inside such an update ...
    victim = str(hops(store, "日本年金機構")[0]["assessment"])
    store.oxigraph.update("PREFIX pia: <https://w3id.org/pia-graph/ontology#>\n"
                          f"DELETE WHERE {{ GRAPH <{victim}> {{ ?flow pia:recipient ?r }} }}")
    assert store.fresh_flow_index() is None        # ... trace reads SPARQL ...
    assert all(hop["assessment"] != victim for hop in hops(store, "日本年金機構"))
    assert store.repair_flow_index() == len(store.assessment_graphs())   # ... until every row is derived again
    assert store.fresh_flow_index() is not None
    assert_same_as_sparql(store)


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


def stored_handoffs(store: Store) -> set[tuple[str, str, str]] | None:
    index = store.fresh_flow_index()
    assert index is not None
    with index.reader() as reader:
        into = reader.handoffs()
    if into is None:
        return None
    return {(key, sender, receiver) for receiver, handoffs in into.items() for key, sender, _, _ in handoffs}


@pytest.mark.parametrize("built", ["store", "relay_store"])
def test_a_build_decides_the_handoffs_of_the_whole_network(built: str, request: pytest.FixtureRequest) -> None:
    """The handoffs a build keeps are the holder → holder edges of the whole networkx network."""
    source: Store = request.getfixturevalue(built)
    network, *_ = flow_network(SparqlOnly(source))
    expected = {(key, sender[1], receiver[1]) for sender, receiver, key in network.edges(keys=True)
                if sender[0] == receiver[0] == "holder"}
    if built == "relay_store":
        assert len(expected) == 9, "the relay plan has nine 移転 between its departments"
    assert expected, "the corpus should pass data on between assessments"
    assert stored_handoffs(source) == expected


def test_trace_with_and_without_the_handoffs_gives_the_same_hops(store: Store) -> None:
    pension = hops(store, "日本年金機構")
    assert store.remove_graph(str(pension[0]["assessment"]))
    index = store.fresh_flow_index()
    assert index is not None and not index.handoffs_current(), "a write empties the handoffs"
    assert stored_handoffs(store) is None
    cases = [(target, max_hops) for target in TARGETS for max_hops in (1, 2, 4)]
    deciding = {case: hops(store, *case[:1], max_hops=case[1]) for case in cases}
    assert store.repair_flow_index() == 0   # what a build does at its end
    assert index.handoffs_current() and stored_handoffs(store)
    for case in cases:
        assert hops(store, case[0], max_hops=case[1]) == deciding[case], case
    assert sum(map(len, deciding.values())) > 100
