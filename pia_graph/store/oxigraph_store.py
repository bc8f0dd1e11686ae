"""The embedded store: a persistent pyoxigraph (RocksDB) dataset in one directory.

One named graph per assessment, named by the assessment IRI; the ontology and concept
schemes in ``vocab.ONTOLOGY_GRAPH``. Queries see the union of the named graphs.

Atomic replacement (``replace_graphs``). Readers and a crash (even SIGKILL) see each
assessment graph whole or absent, never half-written, and its ``pia:sha256`` with it:

- graphs the store does not hold yet are written by one ``Store.bulk_load`` per call: pyoxigraph
  parses the whole input first and, below a million quads, adds it as one set of sorted files in
  a single atomic RocksDB ingestion (all column families at once). A call is all or nothing.
  (pyoxigraph does not document ``bulk_load`` as transactional; the all-or-nothing behaviour
  comes from its implementation (oxigraph's FileBulkLoader) and is checked by killing writers in
  tests/store/test_ingest_perf_invariants.py and tests/robustness/test_interruption.py.)
- a call that touches an existing graph sends ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g>
  { ... } }`` for every graph as a single SPARQL Update, which pyoxigraph documents as
  transactional ("either the full operation succeeds, or nothing is written"): the old graphs
  or the new ones.

Streamed loading (``GraphStream``, used by ``build`` for graphs the store does not hold yet).
One ``bulk_load`` reads TriG from a pipe while the documents are being made, a million quads per
atomic ingestion, so a graph may span two ingestions and a crash can leave it half there. A
journal (``STREAM_JOURNAL``) names every graph before any of its triples is sent, and is deleted
once the load has ended; opening the store for writing drops every graph a journal names
(``_recover_stream``), before anything can read them, so the next build loads them again. After
that, as above, every graph is whole or absent. Reading a store whose journal is still there is
refused until a writer has recovered it.

The ontology graph is (re)loaded by ``ensure_ontology`` only when its content changed.

Skip-unchanged bookkeeping. The sha256 of the input file is written into the assessment
graph itself (``?document pia:sha256 "…"``, added by ``record_to_graph``), so it changes in the
same transaction as the data it describes.

Time-outs. pyoxigraph has no query time-out. It releases the GIL while evaluating, so a query
runs (and its results are read) in a daemon worker thread; when the limit passes, ``select``
raises ``QueryError`` and tells the worker to stop at the next result row. An aggregate that
never yields a row cannot be interrupted: its thread is abandoned and finishes in the
background (it only reads, under the store's snapshot isolation).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from pia_graph import vocab
from pia_graph.errors import QueryError, StoreError
from pia_graph.store.flow_index import (
    ASSESSMENT_TYPE,
    PROPERTIES_READ,
    FlowIndex,
    GraphRows,
    rows_from_triples,
)
from pia_graph.store.sparql_text import bind_with_values, graphs_written_by, is_update

DEFAULT_STORE_DIR = Path("pia-store")
DUMP_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_XSD_STRING = str(XSD.string)
_ROCKSDB_MARKERS = ("CURRENT", "IDENTITY")
# pyoxigraph's bulk loader cuts its input into batches of a million quads, each ingested
# atomically; a call stays well below one batch so that it is all-or-nothing.
BULK_QUADS_LIMIT = 500_000
STREAM_JOURNAL = "pia-stream.journal"


# --- term conversion -------------------------------------------------------------------------
def to_oxigraph(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: Any) -> Identifier:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term from the store: {term!r}")


def graph_to_ntriples(graph: Graph) -> str:
    """The graph's triples as N-Triples text (blank nodes keep their labels)."""
    triples = (ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def _as_trig(graph_nodes: list[ox.NamedNode], texts: list[str]) -> bytes:
    """N-Triples texts as one TriG document, each text in its graph's block.

    N-Triples is valid inside a TriG block, and as no IRI and no statement may hold a ``}``
    outside a literal, a text without any ``}`` cannot leave its block: every triple it holds
    lands in its graph (anything else that is not N-Triples is a syntax error, or a triple of
    the same graph). A text with a ``}`` (in a literal) is parsed as strict N-Triples and
    written out by pyoxigraph instead.
    """
    parts: list[str] = []
    for node, text in zip(graph_nodes, texts, strict=True):
        if "}" in text:
            triples = ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES)
            text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
            text = text.replace("}", "\\u007D")  # only inside literals: the same characters
        parts.append(f"GRAPH {node} {{\n{text}\n}}\n")
    return "".join(parts).encode("utf-8")


def _sync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _commit_index_rows(index: FlowIndex, written: Iterable[str], index_rows: Iterable[GraphRows]) -> None:
    """After ``written`` graphs are stored: their rows of ``index_rows`` into the index, which is
    flagged stale when some graph came without its rows (e.g. stored by hand; the next build
    repairs it)."""
    graphs = set(written)
    rows = [entry for entry in index_rows if entry.graph in graphs]
    if {entry.graph for entry in rows} != graphs - {str(vocab.ONTOLOGY_GRAPH)}:
        index.mark_stale()
    index.commit(rows)


class GraphStream:
    """New named graphs streamed into a store by one pyoxigraph ``bulk_load`` (the module
    docstring says how a crash is recovered). ``add`` each graph (one the store does not hold,
    each once), then ``close`` with their flow-index rows; until then the flow index is pending.

    ``bulk_load`` runs in a thread of its own, reading TriG from a pipe, so it loads while the
    caller makes the next documents. It reads ahead of what it has stored (memory grows with the
    stream, up to gigabytes for tens of thousands of graphs), and ``close`` waits for it to
    catch up. ``end_input`` ends the input without waiting, so the caller can go on working
    while the loader stores the rest (``loading``); ``close`` then only waits for what is left.
    A load that fails raises ``StoreError`` from ``add`` or ``close``, after dropping every graph
    of the stream (``graphs``).
    """

    JOURNAL_GROUP = 32   # graphs named per journal sync; their triples are sent after it

    def __init__(self, store: Store) -> None:
        self.store = store
        self.graphs: list[str] = []
        self._pending: list[tuple[ox.NamedNode, str]] = []
        self._index = store.flow_index_for_writing()
        self._index.begin([])
        self._journal_path = store.path / STREAM_JOURNAL
        self._journal = self._journal_path.open("w", encoding="utf-8")
        _sync_directory(store.path)
        read_end, write_end = os.pipe()
        self._reader = os.fdopen(read_end, "rb", buffering=1 << 20)
        self._writer = os.fdopen(write_end, "wb", buffering=1 << 20)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="pia-graph bulk load", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            self.store.oxigraph.bulk_load(input=self._reader, format=ox.RdfFormat.TRIG)
        except BaseException as error:   # handed to the caller's thread (see _failed)
            self._error = error
        finally:
            self._reader.close()   # a writer still writing gets a broken pipe, not a hang

    def add(self, iri: str, ntriples: str) -> None:
        if self.input_ended:
            raise ValueError("GraphStream.add after end_input")
        self.graphs.append(iri)
        self._pending.append((ox.NamedNode(iri), ntriples))
        if len(self._pending) >= self.JOURNAL_GROUP:
            self._send()

    def _send(self) -> None:
        if not self._pending:
            return
        self._journal.write("".join(f"{node.value}\n" for node, _ in self._pending))
        self._journal.flush()
        os.fsync(self._journal.fileno())
        nodes, texts = zip(*self._pending, strict=True)
        self._pending = []
        try:
            self._writer.write(_as_trig(list(nodes), list(texts)))
        except OSError as error:   # the loader stopped: its own error says why
            raise self._failed(error) from None

    def end_input(self) -> None:
        """No more graphs: the loader goes on storing what it has read ahead, in its own thread,
        while the caller works on; ``close`` waits for it."""
        if self.input_ended:
            return
        self._send()
        try:
            self._writer.close()
        except OSError as error:
            raise self._failed(error) from None

    @property
    def input_ended(self) -> bool:
        """Whether ``end_input`` was called (or the load failed): no graph can be added."""
        return self._writer.closed

    @property
    def loading(self) -> bool:
        """Whether the loader is still storing (after ``end_input``: what it had read ahead)."""
        return self._thread.is_alive()

    def close(self, index_rows: Iterable[GraphRows]) -> None:
        """Wait for the load to end, then write the graphs' flow-index rows and delete the journal."""
        self.end_input()
        self._thread.join()
        if self._error is not None:
            raise self._failed(self._error)
        self.store.oxigraph.flush()
        _commit_index_rows(self._index, self.graphs, index_rows)
        self._journal.close()
        self._journal_path.unlink()
        _sync_directory(self.store.path)

    def _failed(self, error: BaseException) -> StoreError:
        with contextlib.suppress(OSError):
            self._writer.close()
        self._thread.join()
        cause = self._error or error
        self._journal.close()
        self.store._recover_stream()
        return StoreError(f"{self.store.path}: could not load {len(self.graphs)} new graphs: {_one_line(cause)}")


def ontology_digest(graph: Graph) -> str:
    """sha256 of a graph's triples with blank nodes anonymised (a change detector, not an identity)."""
    def text(term: Identifier) -> str:
        return "_:" if isinstance(term, BNode) else term.n3()

    lines = sorted(f"{text(s)} {text(p)} {text(o)}" for s, p, o in graph)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def writer_holds(path: Path) -> bool | None:
    """Does a read-write instance (in any process) hold the store in ``path``? None: cannot tell.

    RocksDB takes a POSIX record lock on ``LOCK``. An open-file-description lock conflicts with
    it even inside the same process (a plain ``lockf`` probe would not see, and on release would
    drop, a lock this process holds). The probe only asks (``F_OFD_GETLK``) and takes no lock:
    readers opening the store at once (validation's workers) must not see each other's probe
    as a writer.
    """
    import fcntl
    import os
    import struct

    lock_file = path / "LOCK"
    if not hasattr(fcntl, "F_OFD_SETLK") or not lock_file.exists():
        return None if lock_file.exists() else False
    layout = "@hhqqi4x"  # struct flock: l_type, l_whence, l_start, l_len (0 = whole file), l_pid
    descriptor = os.open(lock_file, os.O_RDWR)
    try:
        try:
            answer = fcntl.fcntl(descriptor, fcntl.F_OFD_GETLK,
                                 struct.pack(layout, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
        except OSError:
            return None
        return struct.unpack(layout, answer)[0] != fcntl.F_UNLCK
    finally:
        os.close(descriptor)


class Store:
    """A persistent pyoxigraph store in ``path``.

    Read-write (the default) creates the directory when absent and takes the store's lock: one
    writer at a time. ``read_only=True`` opens an existing store without the lock, so several
    readers (queries, trace, export) can work at once; it refuses to open while a writer holds
    the store, because pyoxigraph leaves reading beside a writing process undefined. A reader
    sees the store as it was when opened.
    ``allow_update`` lets ``select`` run SPARQL Update text; without it such text is refused.
    ``default_timeout`` (seconds) applies to ``select`` calls that give none.
    """

    def __init__(self, path: str | Path = DEFAULT_STORE_DIR, *, allow_update: bool = False,
                 default_timeout: float | None = None, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only and allow_update:
            raise StoreError(f"{self.path}: a read-only store cannot allow updates")
        self.allow_update = allow_update
        self.default_timeout = default_timeout
        self.read_only = read_only
        self._index: FlowIndex | None = None   # opened on the first write (see flow_index)
        self._check_directory()
        busy = (f"{self.path}: the store is in use by another process (or another open Store); "
                "wait for it to finish")
        if read_only:
            if not (self.path / "CURRENT").exists():
                raise StoreError(f"{self.path}: no store here (build one with `pia-graph build PATH... "
                                 f"--store {self.path}`)")
            if writer_holds(self.path):
                raise StoreError(busy)
            if (self.path / STREAM_JOURNAL).exists():
                raise StoreError(f"{self.path}: a build was interrupted while loading new graphs; run `pia-graph "
                                 f"build --reindex --store {self.path}` (or the build again) first: it removes "
                                 "them, to be loaded again")
        try:
            self._store: ox.Store | None = (ox.Store.read_only(str(self.path)) if read_only
                                            else ox.Store(str(self.path)))
        except OSError as error:
            message = str(error)
            if "lock" in message.lower():
                raise StoreError(busy) from error
            raise StoreError(f"{self.path}: cannot open the store: {message}") from error
        # graphs of an interrupted build's stream, dropped on opening (the next build loads them)
        self.dropped_on_open = 0 if read_only else self._recover_stream()

    def _check_directory(self) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path}: not a store (it is a file, a store is a directory)")
        if self.path.is_dir():
            entries = {entry.name for entry in self.path.iterdir()}
            if entries and not all(marker in entries for marker in _ROCKSDB_MARKERS):
                raise StoreError(
                    f"{self.path}: not a store (a non-empty directory without a database); "
                    "choose an empty or new directory"
                )

    # --- lifecycle ---------------------------------------------------------------------------
    @property
    def oxigraph(self) -> ox.Store:
        if self._store is None:
            raise StoreError(f"{self.path}: the store is closed")
        return self._store

    def close(self) -> None:
        """Flush and release the directory lock (when no abandoned query still holds the store)."""
        if self._index is not None:
            self._index.close()
            self._index = None
        if self._store is not None:
            try:
                if not self.read_only:
                    self._store.flush()
            finally:
                self._store = None

    def _writable(self) -> ox.Store:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")
        return self.oxigraph

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self.oxigraph)

    # --- writing -----------------------------------------------------------------------------
    def replace_graph(self, iri: URIRef | str, graph: Graph | str) -> None:
        """Replace the named graph ``iri`` by ``graph`` (an rdflib Graph or N-Triples text), atomically."""
        self.replace_graphs([(iri, graph)])

    def replace_graphs(self, items: Iterable[tuple[URIRef | str, Graph | str]],
                       index_rows: Iterable[GraphRows] = ()) -> None:
        """Replace several named graphs at once: all replaced, or none. (``build`` streams the
        graphs the store does not hold yet through ``stream_new_graphs`` instead.)

        Graphs the store does not hold yet are written by one
        pyoxigraph ``bulk_load`` (of TriG, see ``_as_trig``): it parses everything before writing anything (a
        syntax error writes nothing) and below its batch size of a million quads it builds one
        set of sorted files and adds them to the database in a single atomic RocksDB ingestion,
        so a crash (even SIGKILL) leaves every graph of the call fully there or fully absent —
        and with it the ``pia:sha256`` that ingest uses to skip unchanged inputs. It bypasses
        RocksDB's memtables, so a long ingest does not grow the process by ~1 MB per graph (the
        transactional path fills the 512 MB of write buffers pyoxigraph configures first), and
        costs about a quarter of the CPU of a transactional load (benchmarks/bench_ingest.py).
        Calls holding more than ``BULK_QUADS_LIMIT`` lines, a graph that exists already, or
        the same graph twice go through one SPARQL Update ``DROP SILENT GRAPH; INSERT DATA``
        per graph in a single request, which pyoxigraph runs as one transaction: the old
        graphs or the new ones, never a mix.

        The flow index entries of these graphs are deleted first and ``index_rows`` (the rows
        of the new graphs, see ``flow_index``) written after, so a crash between the two leaves
        entries missing (repaired by ``repair_flow_index``), never stale.
        """
        names: list[str] = []
        texts: list[str] = []
        for iri, graph in items:
            names.append(str(iri))
            texts.append(graph if isinstance(graph, str) else graph_to_ntriples(graph))
        if not names:
            return
        store = self._writable()
        index = self.flow_index_for_writing()
        index.begin(names)
        try:
            graph_nodes = [ox.NamedNode(name) for name in names]
            fresh = (len(set(names)) == len(names)
                     and sum(text.count("\n") for text in texts) <= BULK_QUADS_LIMIT
                     and not any(store.contains_named_graph(node) for node in graph_nodes))
            if fresh:
                store.bulk_load(input=_as_trig(graph_nodes, texts), format=ox.RdfFormat.TRIG)
            else:
                store.update(" ;\n".join(
                    f"DROP SILENT GRAPH {node} ;\nINSERT DATA {{ GRAPH {node} {{\n{text}\n}} }}"
                    for node, text in zip(graph_nodes, texts, strict=True)))
        except (SyntaxError, OSError, ValueError) as error:
            index.mark_stale()   # the old graphs stay, their entries are gone: repaired later
            which = f"<{names[0]}>" if len(names) == 1 else f"{len(names)} graphs"
            raise StoreError(f"{self.path}: could not replace {which}: {_one_line(error)}") from error
        _commit_index_rows(index, names, index_rows)

    def stream_new_graphs(self) -> GraphStream:
        """A ``GraphStream`` into this store: graphs it does not hold yet, loaded as they come."""
        self._writable()
        return GraphStream(self)

    def _recover_stream(self) -> int:
        """Drop the graphs named by the journal of an interrupted ``GraphStream`` (they may be
        half-loaded; none existed before it) and delete the journal. Returns how many."""
        journal = self.path / STREAM_JOURNAL
        if not journal.exists():
            return 0
        text = journal.read_text(encoding="utf-8", errors="replace")
        # a line cut short by the crash is not a whole IRI (its graph's triples were never sent)
        names = list(dict.fromkeys(text.split("\n")[:-1]))
        index = self.flow_index_for_writing()
        index.begin(names)
        for start in range(0, len(names), 256):
            self.oxigraph.update(" ;\n".join(f"DROP SILENT GRAPH {ox.NamedNode(name)}"
                                             for name in names[start:start + 256]))
        self.oxigraph.flush()
        index.commit([])
        journal.unlink()
        _sync_directory(self.path)
        return len(names)

    def has_graph(self, iri: URIRef | str) -> bool:
        return bool(self.oxigraph.contains_named_graph(ox.NamedNode(str(iri))))

    def remove_graph(self, iri: URIRef | str) -> bool:
        """Remove one named graph; False when it was not there."""
        name = ox.NamedNode(str(iri))
        if not self.oxigraph.contains_named_graph(name):
            return False
        index = self.flow_index_for_writing()
        index.begin([str(iri)])
        self._writable().update(f"DROP GRAPH {name}")
        index.commit([])
        return True

    # --- the flow index (see pia_graph.store.flow_index) -------------------------------------
    def flow_index_for_writing(self) -> FlowIndex:
        if self._index is None:
            self._writable()
            self._index = FlowIndex.of_store(self.path)
            assert self._index is not None
        return self._index

    def stored_sources(self) -> dict[str, str]:
        """Every assessment graph → the sha256 of its source document ("" when it has none)."""
        stored = {str(graph): "" for graph in self.assessment_graphs()}
        predicate = ox.NamedNode(str(vocab.sha256))
        for quad in self.oxigraph.quads_for_pattern(None, predicate, None, None):
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and graph.value in stored and not stored[graph.value]:
                stored[graph.value] = quad.object.value
        return stored

    def fresh_flow_index(self) -> FlowIndex | None:
        """The flow index, when every write since its last repair went through it (see
        ``flow_index``); None when there is none or it needs a repair (the next build does it)."""
        if self.read_only:
            index = self._index if self._index is not None else FlowIndex.of_store(self.path, read_only=True)
        else:
            # a writable store keeps one writable connection: later writes go through it
            index = self.flow_index_for_writing()
        if index is None or not index.usable():
            if index is not None and index is not self._index:
                index.close()
            return None
        self._index = index
        return index

    def repair_flow_index(self, progress: Any = None) -> int:
        """Bring the flow index up to date with the store (rows derived from the stored triples)
        and refresh its handoffs; returns the number of graphs (re)indexed. ``progress(done,
        total)`` is called as it goes."""
        index = self.flow_index_for_writing()
        index.forget_if_unfollowed()
        missing, extra = index.differences(self.stored_sources())
        index.discard(extra)
        ordered = sorted(missing)
        batch: list[GraphRows] = []
        for done, graph in enumerate(ordered, start=1):
            batch.append(rows_from_triples(graph, self._triples_indexed(graph)))
            if len(batch) >= 256 or done == len(ordered):
                index.write(batch)
                batch = []
                if progress:
                    progress(done, len(ordered))
        index.repaired()
        index.refresh_handoffs()
        return len(ordered)

    def _triples_indexed(self, graph: str) -> Iterator[tuple[str, str, str]]:
        """The triples of ``graph`` that ``rows_from_triples`` reads, one index range per property:
        about a third of the graph's quads (spans' record paths, risk answers and history are not
        read), so a repair converts half as many terms to Python as from the whole graph.
        The values of one subject and property come in the same order either way (by object)."""
        node = ox.NamedNode(graph)
        predicate, assessment = ASSESSMENT_TYPE
        if ox.Quad(node, ox.NamedNode(predicate), ox.NamedNode(assessment), node) in self.oxigraph:
            yield graph, predicate, assessment
        for name in PROPERTIES_READ:
            for quad in self.oxigraph.quads_for_pattern(None, ox.NamedNode(name), None, node):
                yield quad.subject.value, name, quad.object.value

    def ensure_ontology(self, ontology: Graph) -> bool:
        """Load the ontology into its named graph unless this exact content is already there.

        The graph carries ``<ONTOLOGY_GRAPH> pia:sha256 "…"``, a digest of the ontology's
        triples (blank-node labels left out, as they change on every parse), so an edited
        ontology is reloaded even when its version IRI stayed the same.
        """
        digest = ontology_digest(ontology)
        name = ox.NamedNode(str(vocab.ONTOLOGY_GRAPH))
        marker = ox.Literal(digest)
        if any(True for _ in self.oxigraph.quads_for_pattern(name, ox.NamedNode(str(vocab.sha256)), marker, name)):
            return False
        stamped = Graph()
        stamped += ontology
        stamped.add((vocab.ONTOLOGY_GRAPH, vocab.sha256, Literal(digest)))
        self.replace_graph(vocab.ONTOLOGY_GRAPH, stamped)
        return True

    # --- reading -----------------------------------------------------------------------------
    def named_graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self.oxigraph.named_graphs() if isinstance(g, ox.NamedNode))

    def assessment_graphs(self) -> list[URIRef]:
        return [g for g in self.named_graphs() if g != vocab.ONTOLOGY_GRAPH]

    graphs = assessment_graphs  # the name architecture.md uses

    def graph(self, iri: URIRef | str) -> Graph:
        result = Graph()
        for prefix, namespace in vocab.PREFIXES.items():
            result.bind(prefix, namespace)
        # an assessment repeats few terms many times (predicates, classes, its own IRIs): convert each once
        terms: dict[Any, Identifier] = {}

        def term(node: Any) -> Identifier:
            converted = terms.get(node)
            if converted is None:
                converted = terms[node] = to_rdflib(node)
            return converted

        add = result.store.add
        for quad in self.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(str(iri))):
            add((term(quad.subject), term(quad.predicate), term(quad.object)), context=result, quoted=False)
        return result

    def source_hashes(self) -> dict[str, URIRef]:
        """sha256 of every ingested input file → the assessment graph built from it."""
        rows = self.select(
            "PREFIX pia: <https://w3id.org/pia-graph/ontology#>\n"
            "SELECT ?g ?sha WHERE { GRAPH ?g { ?document pia:sha256 ?sha } FILTER(?g != ?ontology) }",
            {"ontology": vocab.ONTOLOGY_GRAPH},
        )
        return {str(row["sha"]): row["g"] for row in rows}  # type: ignore[misc]

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None,
               timeout: float | None = None) -> list[dict[str, Identifier]]:
        """Run a SELECT over the union of the named graphs (see ``SparqlSource.select``).

        Bindings go to the engine: when every bound variable is projected, as pyoxigraph
        ``substitutions`` (SEP-0007: the value stands for the variable everywhere); otherwise, as
        pyoxigraph cannot substitute an unprojected variable, in a ``VALUES`` block at the start
        of the outermost WHERE group, each term serialised by pyoxigraph (never pasted text).
        SPARQL Update text is refused (``QueryError``) unless the store allows updates.
        """
        if is_update(sparql):
            if not self.allow_update:
                raise QueryError("refused: this is a SPARQL Update and the store is read-only "
                                 "(pass --allow-update to change the store)")
            self._update(sparql)
            return []
        limit = self.default_timeout if timeout is None else timeout
        return _run_with_deadline(lambda cancel: self._select_rows(sparql, bindings or {}, cancel), limit)

    query = select  # the name architecture.md uses

    def _update(self, sparql: str) -> None:
        """Run SPARQL Update text. When the text names every graph it writes (``GRAPH <iri>``,
        ``WITH``, ``CLEAR GRAPH`` …), the flow index follows: those graphs' rows are derived
        again from the store, and ``trace`` keeps its index. Otherwise (the default graph,
        ``GRAPH ?g``, ``DROP ALL``) any graph may have changed: once it has run, the index is
        discarded and the next build rebuilds it from the store (minutes at 50,000
        assessments). An update refused as malformed changes neither."""
        index = self.flow_index_for_writing()
        written = graphs_written_by(sparql) if index.usable() else None
        # a crash inside the update leaves the index flagged, never silently wrong
        if written is None:
            index.begin_unfollowed()
        else:
            written.discard(str(vocab.ONTOLOGY_GRAPH))   # not indexed (see ``stored_sources``)
            index.begin(written)
        try:
            self._writable().update(sparql)
        except SyntaxError as error:
            self._end_update(index, written, wrote=False)
            raise QueryError(f"SPARQL Update syntax error: {_one_line(error)}") from error
        except OSError as error:   # what was written is not known: the index stays flagged
            raise StoreError(f"{self.path}: update failed: {error}") from error
        self._end_update(index, written, wrote=True)

    def _end_update(self, index: FlowIndex, written: set[str] | None, *, wrote: bool) -> None:
        if written is None:
            index.end_unfollowed(written=wrote)
        else:
            index.commit(self._rows_of(written))
            # any write empties the handoffs; without them a national trace takes ~0.7 s longer
            index.refresh_handoffs()

    def _rows_of(self, graphs: Iterable[str]) -> list[GraphRows]:
        """Flow-index rows of those of ``graphs`` that are in the store, from their triples."""
        return [rows_from_triples(graph, self._triples_indexed(graph))
                for graph in sorted(graphs) if self.has_graph(graph)]

    def _solutions(self, sparql: str, bindings: Mapping[str, Identifier]) -> ox.QuerySolutions:
        def run(text: str, substitutions: dict | None) -> Any:
            return self.oxigraph.query(text, use_default_graph_as_union=True, substitutions=substitutions)

        try:
            if not bindings:
                result = run(sparql, None)
            else:
                substitutions = {ox.Variable(name): to_oxigraph(term) for name, term in bindings.items()}
                try:
                    result = run(sparql, substitutions)
                except RuntimeError as error:
                    # pyoxigraph binds only projected variables; others go into a VALUES block.
                    if "projection" not in str(error):
                        raise
                    result = run(bind_with_values(sparql, bindings), None)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {_one_line(error)}") from error
        except (RuntimeError, OSError, ValueError) as error:
            raise QueryError(f"query failed: {_one_line(error)}") from error
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("only SELECT queries are supported here (got ASK/CONSTRUCT/DESCRIBE)")
        return result

    def _select_rows(self, sparql: str, bindings: Mapping[str, Identifier],
                     cancel: threading.Event) -> list[dict[str, Identifier]]:
        solutions = self._solutions(sparql, bindings)
        names = [variable.value for variable in solutions.variables]
        rows: list[dict[str, Identifier]] = []
        try:
            for solution in solutions:
                if cancel.is_set():
                    break
                row = {}
                for name in names:
                    value = solution[name]
                    if value is not None:
                        row[name] = to_rdflib(value)
                rows.append(row)
        except (RuntimeError, OSError) as error:
            raise QueryError(f"query failed: {_one_line(error)}") from error
        return rows

    def select_columns(self, sparql: str) -> list[str]:
        """The projected variable names of a SELECT, in order (parses without evaluating rows)."""
        return [variable.value for variable in self._solutions(sparql, {}).variables]

    # --- export ------------------------------------------------------------------------------
    def dump(self, fmt: str, output: IO[bytes] | None = None) -> bytes | None:
        """Serialise the store: trig/nquads/jsonld keep the named graphs; turtle is their union.

        Writes to ``output`` (binary) when given, else returns the bytes.
        """
        if fmt not in DUMP_FORMATS:
            raise StoreError(f"unknown RDF format {fmt!r} (use one of: {', '.join(DUMP_FORMATS)})")
        target = output if output is not None else io.BytesIO()
        prefixes = {prefix: str(namespace) for prefix, namespace in vocab.PREFIXES.items()}
        rdf_format = DUMP_FORMATS[fmt]
        if fmt == "turtle":
            triples = self.oxigraph.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                          use_default_graph_as_union=True)
            ox.serialize(triples, target, rdf_format, prefixes=prefixes)
        elif fmt == "nquads":
            self.oxigraph.dump(target, rdf_format)
        else:
            self.oxigraph.dump(target, rdf_format, prefixes=prefixes if fmt == "trig" else None)
        if output is None:
            assert isinstance(target, io.BytesIO)
            return target.getvalue()
        return None

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self.oxigraph)


def _one_line(error: BaseException, limit: int = 300) -> str:
    """An engine message on one line, clipped (parser messages list every expected token)."""
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _run_with_deadline(work: Any, timeout: float | None) -> list[dict[str, Identifier]]:
    """Run ``work(cancel_event)`` in a daemon thread; raise QueryError when ``timeout`` passes."""
    if timeout is None:
        return work(threading.Event())
    cancel = threading.Event()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["rows"] = work(cancel)
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=target, name="pia-graph-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        cancel.set()
        raise QueryError(f"query timed out after {timeout:g} s (raise --timeout for long queries)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["rows"]


def iter_ntriples_quads(ntriples: str, graph_iri: str) -> Iterable[ox.Quad]:
    """Parse N-Triples text into quads of one named graph (for tests and bulk tools)."""
    name = ox.NamedNode(graph_iri)
    for triple in ox.parse(ntriples.encode("utf-8"), ox.RdfFormat.N_TRIPLES):
        yield ox.Quad(triple.subject, triple.predicate, triple.object, name)
