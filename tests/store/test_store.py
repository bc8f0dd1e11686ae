"""The embedded store on small hand-written graphs: replacement, read-only, bindings, time-outs, dumps."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from pia_graph import vocab
from pia_graph.errors import QueryError, StoreError
from pia_graph.store import Store, open_source
from pia_graph.store.sparql_text import bind_with_values, graphs_written_by, is_update, outer_group_start

PREFIXES = "\n".join(f"@prefix {p}: <{ns}> ." for p, ns in vocab.PREFIXES.items())
ASSESSMENT_A = URIRef("https://w3id.org/pia-graph/id/assessment/test-body/1/focused")
ASSESSMENT_B = URIRef("https://w3id.org/pia-graph/id/assessment/test-body/2/full")


def assessment_graph(iri: URIRef, recipient: str, extra: str = "") -> Graph:
    text = f"""{PREFIXES}
<{iri}> a pia:Assessment ; pia:title "試験用評価書" ; pia:hasFile <{iri}/file/1> .
<{iri}/file/1> a pia:PersonalInfoFile ; pia:name "試験ファイル" ; pia:hasProvision <{iri}/file/1/provision/1> .
<{iri}/file/1/provision/1> a pia:Provision ; pia:recipient <{iri}/recipient> ;
    pia:method <https://w3id.org/pia-graph/vocab/method/paper> .
<{iri}/recipient> pia:name "{recipient}" .
{extra}
"""
    return Graph().parse(data=text, format="turtle")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store(tmp_path / "store")
    yield opened
    opened.close()


def count_in(store: Store, iri: URIRef) -> int:
    return len(list(store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(str(iri)))))


def test_replace_graph_twice_keeps_one_copy(store: Store) -> None:
    graph = assessment_graph(ASSESSMENT_A, "受領機関")
    store.replace_graph(ASSESSMENT_A, graph)
    first = count_in(store, ASSESSMENT_A)
    store.replace_graph(ASSESSMENT_A, graph)
    assert first == len(graph) == count_in(store, ASSESSMENT_A)
    assert store.graph(ASSESSMENT_A).isomorphic(graph)


def test_replace_graph_drops_old_triples(store: Store) -> None:
    store.replace_graph(ASSESSMENT_A, assessment_graph(ASSESSMENT_A, "旧受領機関"))
    store.replace_graph(ASSESSMENT_A, assessment_graph(ASSESSMENT_A, "新受領機関"))
    names = {str(row["n"]) for row in store.select(
        "PREFIX pia: <https://w3id.org/pia-graph/ontology#> SELECT ?n WHERE { ?r pia:name ?n }")}
    assert names == {"新受領機関", "試験ファイル"}


def test_failed_replacement_leaves_the_old_graph(store: Store) -> None:
    graph = assessment_graph(ASSESSMENT_A, "受領機関")
    store.replace_graph(ASSESSMENT_A, graph)
    broken = graph_text = "<https://example.org/s> <https://example.org/p> \"unterminated .\n"
    assert graph_text
    with pytest.raises(StoreError):
        store.replace_graph(ASSESSMENT_A, broken)
    # the DROP and the INSERT are one transaction: the failed request changed nothing
    assert store.graph(ASSESSMENT_A).isomorphic(graph)


def test_graph_bookkeeping(store: Store) -> None:
    store.replace_graph(ASSESSMENT_A, assessment_graph(ASSESSMENT_A, "甲"))
    store.replace_graph(ASSESSMENT_B, assessment_graph(ASSESSMENT_B, "乙"))
    store.replace_graph(vocab.ONTOLOGY_GRAPH, Graph().parse(
        data=f"{PREFIXES}\npia:Assessment a owl:Class .", format="turtle"))
    assert store.assessment_graphs() == sorted([ASSESSMENT_A, ASSESSMENT_B])
    assert store.remove_graph(ASSESSMENT_B) is True
    assert store.remove_graph(ASSESSMENT_B) is False
    assert store.assessment_graphs() == [ASSESSMENT_A]
    assert len(store.graph(ASSESSMENT_B)) == 0


def test_ensure_ontology_loads_once(store: Store) -> None:
    ontology = Graph().parse(data=f"{PREFIXES}\n<{vocab.PIA_VERSION_IRI}> a owl:Ontology .\n"
                             f"<https://w3id.org/pia-graph/ontology> owl:versionIRI <{vocab.PIA_VERSION_IRI}> .",
                             format="turtle")
    ontology.parse(data=f"{PREFIXES}\npia:Assessment owl:equivalentClass [ a owl:Class ] .", format="turtle")
    assert store.ensure_ontology(ontology) is True
    assert store.ensure_ontology(ontology) is False
    reparsed = Graph()
    reparsed.parse(data=ontology.serialize(format="turtle"), format="turtle")  # new blank-node labels
    assert store.ensure_ontology(reparsed) is False
    edited = Graph()
    edited += ontology
    edited.add((vocab.Assessment, vocab.RDFS.comment, Literal("changed")))
    assert store.ensure_ontology(edited) is True
    assert (vocab.Assessment, vocab.RDFS.comment, Literal("changed")) in store.graph(vocab.ONTOLOGY_GRAPH)
    assert vocab.ONTOLOGY_GRAPH in store.named_graphs()
    assert vocab.ONTOLOGY_GRAPH not in store.assessment_graphs()
    assert store.source_hashes() == {}


def test_select_binds_projected_and_unprojected_variables(store: Store) -> None:
    store.replace_graph(ASSESSMENT_A, assessment_graph(ASSESSMENT_A, "甲機関"))
    store.replace_graph(ASSESSMENT_B, assessment_graph(ASSESSMENT_B, "乙機関"))
    query = ("PREFIX pia: <https://w3id.org/pia-graph/ontology#>\n"
             "SELECT ?a ?n WHERE { ?a pia:hasFile/pia:hasProvision/pia:recipient/pia:name ?n }")
    projected = store.select(query, {"a": ASSESSMENT_B})
    assert [str(row["n"]) for row in projected] == ["乙機関"]
    filtered = store.select(
        "PREFIX pia: <https://w3id.org/pia-graph/ontology#>\n"
        "SELECT ?a WHERE { ?a pia:hasFile/pia:hasProvision/pia:recipient/pia:name ?n "
        "FILTER(!BOUND(?want) || CONTAINS(?n, ?want)) }", {"want": Literal("甲")})
    assert [row["a"] for row in filtered] == [ASSESSMENT_A]


INJECTION = 'x" } ; DROP ALL ; #'


def test_injection_string_is_only_a_string(store: Store) -> None:
    store.replace_graph(ASSESSMENT_A, assessment_graph(ASSESSMENT_A, "甲機関"))
    before = len(store)
    query = ("PREFIX pia: <https://w3id.org/pia-graph/ontology#>\n"
             "SELECT ?r WHERE { ?r pia:name ?n FILTER(CONTAINS(?n, ?want)) }")
    assert store.select(query, {"want": Literal(INJECTION)}) == []
    rewritten = bind_with_values(query, {"want": Literal(INJECTION)})
    assert '"x\\" } ; DROP ALL ; #"' in rewritten
    assert len(store) == before
    # the same value stored as data is matched exactly, proving it reached the engine intact
    store.replace_graph(ASSESSMENT_B, assessment_graph(ASSESSMENT_B, INJECTION.replace('"', '\\"')))
    rows = store.select(query, {"want": Literal(INJECTION)})
    assert len(rows) == 1


def test_bad_variable_names_are_refused() -> None:
    with pytest.raises(QueryError):
        bind_with_values("SELECT * WHERE { ?s ?p ?o }", {"x } DROP ALL": Literal("v")})


def test_group_start_ignores_braces_in_comments_strings_and_iris() -> None:
    text = 'PREFIX a: <http://example.org/x#y> # a { comment\nSELECT ("{" AS ?b) WHERE { ?s ?p ?o }'
    assert text[outer_group_start(text):].startswith("{ ?s ?p ?o }")


@pytest.mark.parametrize("update", [
    "INSERT DATA { <https://example.org/s> <https://example.org/p> 1 }",
    "DROP ALL",
    "# a comment\nPREFIX ex: <https://example.org/>\nDELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
    "clear all",
])
def test_updates_are_refused_unless_allowed(tmp_path: Path, update: str) -> None:
    assert is_update(update)
    with Store(tmp_path / "ro") as read_only:
        read_only.replace_graph(ASSESSMENT_A, assessment_graph(ASSESSMENT_A, "甲"))
        before = len(read_only)
        with pytest.raises(QueryError, match="read-only"):
            read_only.select(update)
        assert len(read_only) == before
    with Store(tmp_path / "ro", allow_update=True) as writable:
        assert writable.select(update) == []
        assert len(writable) != before


@pytest.mark.parametrize(("update", "graphs"), [
    ("PREFIX ex: <http://e/> INSERT DATA { GRAPH ex:g { ex:a ex:b ex:c } } ;"
     " DELETE DATA { GRAPH <http://g2> { <http://a> <http://b> 1 } }", {"http://e/g", "http://g2"}),
    ("WITH <http://w> DELETE { ?s ?p ?o } INSERT { GRAPH <http://h> { ?s ?p 2 } } WHERE { ?s ?p ?o }",
     {"http://w", "http://h"}),
    ("DELETE WHERE { GRAPH <http://x> { ?s ?p ?o } }", {"http://x"}),
    ("CLEAR GRAPH <http://x> ; DROP SILENT GRAPH <http://y> ; CREATE GRAPH <http://z>",
     {"http://x", "http://y", "http://z"}),
    ("COPY <http://a> TO <http://b> ; ADD <http://c> TO <http://d>", {"http://b", "http://d"}),
    ("MOVE <http://a> TO <http://b>", {"http://a", "http://b"}),
    ("LOAD <http://example.org/data.ttl> INTO GRAPH <http://l>", {"http://l"}),
    # the default graph, or graphs a variable or a keyword picks: any graph may change
    ("INSERT DATA { <http://a> <http://b> <http://c> }", None),
    ("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }", None),
    ("INSERT { ?s ?p ?o } USING <http://u> WHERE { ?s ?p ?o }", None),
    ("DELETE { GRAPH <http://x> { ?s ?p ?o } } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", None),
    ("DROP NAMED", None), ("CLEAR ALL", None), ("DROP DEFAULT", None), ("MOVE DEFAULT TO <http://c>", None),
    ("COPY <http://a> TO DEFAULT", None), ("LOAD <http://example.org/data.ttl>", None),
    ("DELETE { GRAPH ?g { ?s ?p } } WHERE {", None),   # unreadable
])
def test_the_graphs_an_update_writes_are_read_from_its_text(update: str, graphs: set[str] | None) -> None:
    assert graphs_written_by(update) == graphs


def test_queries_are_not_mistaken_for_updates() -> None:
    assert not is_update("PREFIX ex: <https://example.org/#insert>\n# DROP ALL\nSELECT * WHERE { ?s ?p ?o }")


def test_syntax_error_is_a_query_error(store: Store) -> None:
    with pytest.raises(QueryError, match="syntax"):
        store.select("SELECT WHERE {")


def test_runaway_query_times_out(store: Store) -> None:
    graph = Graph()
    for index in range(250):
        graph.add((URIRef(f"https://example.org/s{index}"), URIRef("https://example.org/p"), Literal(index)))
    store.replace_graph(ASSESSMENT_A, graph)
    # 250^3 (15.6 million) joined rows counted before the single result row: seconds of work
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?p ?d . ?e ?p ?f }"
    with pytest.raises(QueryError, match="timed out"):
        store.select(slow, timeout=0.3)
    # select returned on its deadline while the abandoned worker was still counting
    assert any(t.name == "pia-graph-query" and t.is_alive() for t in threading.enumerate())
    # a row-streaming runaway is stopped at the next row as well
    with pytest.raises(QueryError, match="timed out"):
        store.select("SELECT * WHERE { ?a ?p ?b . ?c ?p ?d . ?e ?p ?f }", timeout=0.5)
    assert store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=30)[0]["n"].toPython() == 250


def test_store_errors_name_the_directory(tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(StoreError, match="not a store"):
        Store(a_file)
    other = tmp_path / "documents"
    other.mkdir()
    (other / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(StoreError, match="not a store"):
        Store(other)
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]  # untouched
    with Store(tmp_path / "busy"), pytest.raises(StoreError, match="in use"):
        Store(tmp_path / "busy")
    with pytest.raises(StoreError, match="no store here"):
        open_source(tmp_path / "missing", None)


def test_store_persists_across_opens(tmp_path: Path) -> None:
    graph = assessment_graph(ASSESSMENT_A, "甲")
    with Store(tmp_path / "s") as first:
        first.replace_graph(ASSESSMENT_A, graph)
    with Store(tmp_path / "s") as second:
        assert second.graph(ASSESSMENT_A).isomorphic(graph)


def _filled(store: Store) -> None:
    store.replace_graph(ASSESSMENT_A, assessment_graph(ASSESSMENT_A, "甲", '<x:s> <x:p> "改行\\n入り"@ja .'))
    store.replace_graph(ASSESSMENT_B, assessment_graph(ASSESSMENT_B, "乙", "<x:s> <x:p> [ <x:q> 1 ] ."))


def test_dump_round_trips(store: Store, tmp_path: Path) -> None:
    _filled(store)
    quads = len(store)
    nquads = store.dump("nquads")
    fresh = ox.Store()
    fresh.load(nquads, ox.RdfFormat.N_QUADS)
    assert len(fresh) == quads

    trig = store.dump("trig")
    fresh_trig = ox.Store()
    fresh_trig.load(trig, ox.RdfFormat.TRIG)
    assert len(fresh_trig) == quads
    dataset = Dataset()
    dataset.parse(data=trig.decode("utf-8"), format="trig")
    for name in (ASSESSMENT_A, ASSESSMENT_B):
        assert dataset.graph(name).isomorphic(store.graph(name))

    jsonld = store.dump("jsonld")
    fresh_json = ox.Store()
    fresh_json.load(jsonld, ox.RdfFormat.JSON_LD)
    assert len(fresh_json) == quads

    union = Graph()
    for name in (ASSESSMENT_A, ASSESSMENT_B):
        union += store.graph(name)
    turtle = Graph().parse(data=store.dump("turtle").decode("utf-8"), format="turtle")
    assert turtle.isomorphic(union)

    buffer = io.BytesIO()
    assert store.dump("nquads", buffer) is None
    assert buffer.getvalue() == nquads
    with pytest.raises(StoreError, match="unknown RDF format"):
        store.dump("rdfxml")


@contextmanager
def _held_by_another_process(path: Path) -> Iterator[None]:
    """A pyoxigraph writer in another process holds the store in ``path`` meanwhile."""
    import subprocess
    import sys

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); "
                               "print('ready', flush=True); sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield
    finally:
        holder.communicate(input="", timeout=30)  # closing stdin ends the holder


def test_store_held_by_another_process(tmp_path: Path) -> None:
    with _held_by_another_process(tmp_path / "held"), \
            pytest.raises(StoreError, match="in use by another process"):
        Store(tmp_path / "held")
    with Store(tmp_path / "held") as reopened:  # released once the holder is gone
        assert len(reopened) == 0


_REPLACER = """
import sys
from pia_graph.store import Store
path, graph, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = Store(path)
lines = [f'<{graph}/s{i}> <https://example.org/p> "new {i}" .' for i in range(size)]
print("replacing", flush=True)
store.replace_graph(graph, "\\n".join(lines))
print("replaced", flush=True)
"""


@pytest.mark.parametrize("delay", [0.2, 1.0, None])
def test_killed_replacement_leaves_old_or_new_graph(tmp_path: Path, delay: float | None) -> None:
    import signal
    import subprocess
    import sys

    path = tmp_path / "store"
    old = Graph()
    for index in range(500):
        old.add((URIRef(f"{ASSESSMENT_A}/s{index}"), URIRef("https://example.org/p"), Literal(f"old {index}")))
    with Store(path) as store:
        store.replace_graph(ASSESSMENT_A, old)
    new_size = 30_000
    writer = subprocess.Popen([sys.executable, "-c", _REPLACER, str(path), str(ASSESSMENT_A), str(new_size)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "replacing"
        if delay is None:
            assert writer.stdout.readline().strip() == "replaced"  # committed, maybe not flushed
        else:
            time.sleep(delay)
        writer.send_signal(signal.SIGKILL)  # a crash in the middle of (or just after) the write
    finally:
        writer.wait(timeout=60)
        if writer.stdout is not None:
            writer.stdout.close()
    with Store(path) as reopened:
        graph = reopened.graph(ASSESSMENT_A)
        values = {str(o).split()[0] for o in graph.objects()}
        assert (len(graph), values) in ((500, {"old"}), (new_size, {"new"}))
        if delay is None:
            assert len(graph) == new_size  # a committed replacement survives the crash


def test_readers_share_the_store_and_wait_for_no_writer(tmp_path: Path) -> None:
    path = tmp_path / "shared"
    with Store(path) as writer:
        writer.replace_graph(ASSESSMENT_A, assessment_graph(ASSESSMENT_A, "甲"))
        with pytest.raises(StoreError, match="in use"):
            Store(path, read_only=True)  # a writer holds it: reading beside it is undefined
        assert len(writer) > 0  # the probe left the writer's lock in place
        with pytest.raises(StoreError, match="in use"):
            Store(path)
    first = Store(path, read_only=True)
    second = Store(path, read_only=True)
    try:
        assert len(first.select("SELECT * WHERE { ?s ?p ?o }")) == len(second.select("SELECT * WHERE { ?s ?p ?o }")) > 0
        with pytest.raises(StoreError, match="read-only"):
            first.replace_graph(ASSESSMENT_B, assessment_graph(ASSESSMENT_B, "乙"))
        with pytest.raises(StoreError, match="read-only"):
            first.remove_graph(ASSESSMENT_A)
        with Store(path) as later_writer:  # readers take no lock
            later_writer.replace_graph(ASSESSMENT_B, assessment_graph(ASSESSMENT_B, "乙"))
    finally:
        first.close()
        second.close()
    with pytest.raises(StoreError, match="cannot allow updates"):
        Store(path, read_only=True, allow_update=True)
    with pytest.raises(StoreError, match="no store here"):
        Store(tmp_path / "absent", read_only=True)
    assert not (tmp_path / "absent").exists()


def _probe_many(path: str) -> int:
    from pia_graph.store.oxigraph_store import writer_holds

    return sum(bool(writer_holds(Path(path))) for _ in range(500))


def test_readers_opening_at_once_do_not_take_each_other_for_a_writer(tmp_path: Path) -> None:
    """validate's workers open the store read-only at the same moment: the writer probe of one
    must not make another refuse the store as "in use"."""
    import multiprocessing

    Store(tmp_path / "shared").close()
    with multiprocessing.get_context("fork").Pool(4) as pool:
        assert pool.map(_probe_many, [str(tmp_path / "shared")] * 4) == [0, 0, 0, 0]


def test_a_reader_refuses_a_store_a_writer_holds_in_another_process(tmp_path: Path) -> None:
    Store(tmp_path / "held").close()
    with _held_by_another_process(tmp_path / "held"), \
            pytest.raises(StoreError, match="in use by another process"):
        Store(tmp_path / "held", read_only=True)
    Store(tmp_path / "held", read_only=True).close()
