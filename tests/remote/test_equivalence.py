"""The same questions give the same answers on the embedded store and on a server it was pushed to."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Identifier

from pia_graph.query import list_queries, run_query, trace
from pia_graph.rdf import ontology_graph, record_to_graph
from pia_graph.store import Store
from pia_graph.store.remote import RemoteEndpoint, push_graph_store, push_update
from pia_graph.synth import random_record

from .conftest import OxigraphServer

pytestmark = pytest.mark.server

RECORDS = 12  # laws-cited grows steeply with the corpus (10: ~3 s, 20: ~50 s embedded); see docs/benchmarks.md
PENSION = "日本年金機構"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, OxigraphServer]]:
    """A store of synthetic assessments and an Oxigraph server holding the pushed copy."""
    base = tmp_path_factory.mktemp("equivalence")
    store_path = base / "store"
    rng = random.Random(20240401)
    with Store(store_path) as store:
        store.ensure_ontology(ontology_graph())
        for index in range(RECORDS):
            iri, graph = record_to_graph(random_record(rng, index))
            store.replace_graph(URIRef(str(iri)), graph)
        server = OxigraphServer(base / "oxigraph-db").start()
        try:
            half = store.named_graphs()[: RECORDS // 2]
            assert push_update(store, server.update_url, graphs=half).ok
            assert push_graph_store(store, server.store_url).ok  # the rest, and the first half again
        except BaseException:
            server.stop()
            raise
    try:
        yield store_path, server
    finally:
        server.stop()


def canonical(rows: list[dict[str, Identifier]], *, language: bool = True) -> list[tuple]:
    """Rows as sortable tuples; blank node labels differ between stores, so they compare as equal.

    ``language=False`` ignores language tags: Virtuoso drops them from GROUP_CONCAT results where
    Oxigraph keeps a tag all the values share (the text is the same).
    """
    def cell(term: Identifier) -> tuple:
        if isinstance(term, BNode):
            return ("bnode",)
        tag = str(getattr(term, "language", "") or "") if language else ""
        return (type(term).__name__, str(term), str(getattr(term, "datatype", "") or ""), tag)
    return sorted(tuple(sorted((name, cell(term)) for name, term in row.items())) for row in rows)


QUERY_CASES = [(spec.name, {}) for spec in list_queries()] + [
    ("files-to-recipient", {"recipient": PENSION}),
    ("risky-methods", {"method": "電子メール"}),
    ("contractors", {"body": "市"}),
]


@pytest.mark.parametrize(("name", "params"), QUERY_CASES, ids=[f"{n}{'-' + '-'.join(p) if p else ''}"
                                                               for n, p in QUERY_CASES])
def test_named_query_same_answer_embedded_and_remote(pair: tuple[Path, OxigraphServer], name: str,
                                                     params: dict[str, str]) -> None:
    store_path, server = pair
    with Store(store_path) as store:
        columns, embedded = run_query(store, name, params)
    remote_columns, remote = run_query(RemoteEndpoint(server.query_url), name, params)
    assert remote_columns == columns
    assert canonical(remote) == canonical(embedded)


def test_corpus_has_answers_to_compare(pair: tuple[Path, OxigraphServer]) -> None:
    """Guard against comparing empty with empty: the main questions have rows here."""
    store_path, _ = pair
    with Store(store_path) as store:
        for name in ("assessments", "contractors", "laws-cited", "files-to-recipient"):
            assert run_query(store, name)[1], name


def test_trace_same_answer_embedded_and_remote(pair: tuple[Path, OxigraphServer]) -> None:
    store_path, server = pair
    with Store(store_path) as store:
        embedded = trace(store, PENSION)
    remote = trace(RemoteEndpoint(server.query_url), PENSION)
    assert embedded, "the synthetic corpus should send data to the pension service"
    assert remote == embedded


def test_remote_graphs_match_the_store(pair: tuple[Path, OxigraphServer]) -> None:
    store_path, server = pair
    endpoint = RemoteEndpoint(server.query_url)
    with Store(store_path) as store:
        assert endpoint.assessment_graphs() == store.assessment_graphs()
        for iri in store.assessment_graphs()[:3]:
            assert isomorphic(endpoint.graph(iri), store.graph(iri))


@pytest.mark.parametrize("command", [
    ["query", "laws-cited", "--format", "csv"],
    ["trace", "--to", PENSION, "--format", "json"],
    ["validate", "--format", "json"],
    ["export", "--format", "csv", "--recipient", PENSION],
    ["analyze", "--format", "json"],
])
def test_cli_endpoint_option_gives_the_store_answer(pair: tuple[Path, OxigraphServer], command: list[str]) -> None:
    store_path, server = pair
    pia_graph = str(Path(sys.executable).with_name("pia-graph"))
    embedded = subprocess.run([pia_graph, *command, "--store", str(store_path)], capture_output=True,
                              text=True, timeout=300)
    remote = subprocess.run([pia_graph, *command, "--endpoint", server.query_url], capture_output=True,
                            text=True, timeout=300)
    assert embedded.returncode in (0, 1), embedded.stderr  # validate: 1 = findings
    assert remote.returncode == embedded.returncode, remote.stderr
    assert sorted(remote.stdout.splitlines()) == sorted(embedded.stdout.splitlines())
    assert len(embedded.stdout.splitlines()) > 2
