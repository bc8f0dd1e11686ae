"""Ingest assessments into the store: extraction and RDF in worker processes, loading here.

Inputs are assessment texts/PDFs (``extract_path``) or record JSON files (``load_record``;
their graphs are marked ``pia:curated true`` because a person may have corrected values by
hand). Directories expand recursively to ``*.txt``, ``*.pdf`` and ``*.json``.

Work split: each worker extracts (or loads) a record, makes its triples (``record_to_triples``,
no rdflib Graph), and from them the N-Triples text and the flow-index rows (``rows_from_triples``);
the main process only hashes inputs and hands finished documents to the store. Graphs the store
does not hold yet (all of a first build) go into a ``GraphStream`` (``Store.stream_new_graphs``):
one pyoxigraph ``bulk_load`` per ``STREAM_DOCUMENTS`` documents, running in a thread of its own
while the next documents are made, a million quads per RocksDB ingestion. While a full stream's
loader stores what it has read ahead, the documents made meanwhile are held (compressed) for the
next stream, so the workers do not wait for it. Graphs that exist
already (changed inputs) or repeat within the run are replaced in batches (``BATCH_DOCUMENTS`` /
``BATCH_TRIPLES``) by ``Store.replace_graphs``, one transaction each. 50,000 documents took
23.6 min this way, 43.7 with one bulk load per 64 documents (docs/benchmarks.md).

Memory is bounded by the stream, not the corpus: at most ``_window(jobs)`` documents are in
flight, each result is one document's text, a batch is at most ``BATCH_TRIPLES`` lines, and the
loader reads ahead of what it has stored by up to a stream's worth of parsed quads (4.3 GB peak at
50,000 with ``STREAM_DOCUMENTS`` = 16,384, against 676 MB for batches of 64).

After a crash (even SIGKILL) every assessment graph is fully in the store or fully absent once
the store is opened for writing again (which drops the graphs a stream's journal names), and
its ``pia:sha256`` with it, so the next run re-ingests exactly the missing documents (see
``Store.replace_graphs`` and ``GraphStream``; tests/robustness/test_interruption.py).

Unchanged inputs are skipped: the sha256 of each input file is recorded in its assessment's
graph (``pia:sha256`` of the source document), and a file whose hash is already in the store is
not read again. A changed file replaces its assessment's graph atomically.
"""

from __future__ import annotations

import hashlib
import multiprocessing.context
import os
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef

from pia_graph import vocab
from pia_graph.errors import InputError, PiaError, StoreError
from pia_graph.fileio import expand_directories
from pia_graph.store.flow_index import GraphRows, rows_from_triples
from pia_graph.store.oxigraph_store import GraphStream, Store
from pia_graph.workers import worker_context

INPUT_SUFFIXES = (".txt", ".pdf", ".json")
# Documents written per store call: each bulk ingestion has a fixed cost (a set of files per
# index, merged later by compaction), and a batch stays small enough (bounded by both counts,
# far below Store's BULK_QUADS_LIMIT) to keep memory flat. Larger batches were measured
# (1,000 documents end to end, idle 2 cores): 128 or 256 documents per call cost more CPU in all
# (38.9 and 41.5 ms/doc against 38.3) and 1.7–3.2x the memory, though less compaction in isolation.
BATCH_DOCUMENTS = 64
BATCH_TRIPLES = 150_000
# Documents per GraphStream (new graphs, streamed into one bulk_load). A crash loses at most the
# graphs of the open stream (they are dropped when the store is next opened, and loaded again).
# A stream's end waits for the loader to store what it has read ahead (35–40 s with 4,096
# documents per stream, 90–110 s with 16,384, at 20,000–50,000 documents; the workers go on
# meanwhile, see HELD_BYTES): short streams cost up to a third of the throughput at 50,000, long
# ones hold more memory (the read-ahead; 4.3 GB peak with 16,384). See docs/benchmarks.md.
STREAM_DOCUMENTS = 16_384
# Repeats of graphs of the open stream wait for it to end (their texts held in memory, ~0.5 MB each)
STREAM_REPEATS_HELD = 256
# While a stream's end is stored (minutes at 50,000, with one core idle), the workers go on and
# their new graphs wait for the next stream, compressed (about 18 KB each instead of 570 KB as
# text; 0.9 ms to compress on the otherwise idle core), up to a stream's worth or this many bytes.
HELD_BYTES = 256 << 20


@dataclass
class IngestSummary:
    ingested: list[tuple[Path, str]] = field(default_factory=list)   # (file, assessment IRI)
    failed: list[tuple[Path, str]] = field(default_factory=list)     # (file, one-line message naming it)
    skipped: list[Path] = field(default_factory=list)                # unchanged since last ingest
    replaced: list[str] = field(default_factory=list)                # IRIs ingested twice in this run
    warnings: list[str] = field(default_factory=list)                # recovered problems, one line each
    reindexed: int = 0   # graphs whose flow-index rows were rebuilt from the store (index lost or stale)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def total(self) -> int:
        return len(self.ingested) + len(self.failed) + len(self.skipped)


# progress(file, status, done, total): status is "ingested" | "failed" | "skipped"
ProgressCallback = Callable[[Path, str, int, int], None]


def expand_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files to ingest (directories expanded recursively, in sorted order) and unusable inputs."""
    files: list[Path] = []
    problems: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found, empty = expand_directories([path], INPUT_SUFFIXES)
            problems.extend((path, str(error)) for error in empty)
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() in INPUT_SUFFIXES:
                files.append(path)
            else:
                problems.append((path, f"{path}: unsupported file type {path.suffix or '(none)'} (use .txt, .pdf or .json)"))
        else:
            problems.append((path, f"{path}: no such file or directory"))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, problems


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


Built = tuple[str, str, str | None, str | None, GraphRows | None]


def build_assessment(path_text: str, sha256: str) -> Built:
    """Worker: one input file → (file, assessment IRI, N-Triples, error, flow-index rows). Never raises."""
    path = Path(path_text)
    try:
        from pia_graph.rdf.mapping import record_to_triples, triples_to_ntriples

        if path.suffix.lower() == ".json":
            from pia_graph.model import load_record

            record = load_record(path)
            curated = True
        else:
            from pia_graph.extract.api import extract_path

            record = extract_path(path)
            curated = False
        iri, triples = record_to_triples(record, curated=curated, source_sha256=sha256)
        if not any(p == vocab.sha256 and str(o) == sha256 for _, p, o in triples):
            # Keep the skip-unchanged record even if the RDF stage did not write the hash.
            document = vocab.ID[f"source/{sha256}"]
            triples = [*triples, (URIRef(iri), vocab.sourceDocument, document),
                       (document, vocab.RDF.type, vocab.SourceDocument), (document, vocab.sha256, Literal(sha256))]
        rows = rows_from_triples(str(iri), ((str(s), str(p), str(o)) for s, p, o in triples))
        return path_text, str(iri), triples_to_ntriples(triples), None, rows
    except InputError as error:
        return path_text, "", None, str(error), None
    except PiaError as error:
        return path_text, "", None, f"{path}: {error}", None
    except Exception as error:  # a bug or an unexpected input must not stop the batch
        return path_text, "", None, f"{path}: {type(error).__name__}: {error}", None


def _worker_context() -> multiprocessing.context.BaseContext:
    return worker_context(["pia_graph.extract.api", "pia_graph.model", "pia_graph.rdf"])


Worker = Callable[[str, str], Built]


def _results(work: list[tuple[Path, str]], jobs: int,
             worker: Worker | None = None) -> Iterator[Built]:
    worker = worker or build_assessment  # looked up at call time (tests replace it)
    if jobs <= 1 or len(work) <= 1:
        for path, sha in work:
            yield worker(str(path), sha)
        return
    queue = iter(work)
    while True:
        suspects = yield from _pool_run(queue, jobs, worker)
        if not suspects:
            return
        # A worker died (crash, out of memory): every document in flight is suspect. Each is
        # retried alone, so only the one that kills its worker again is reported failed.
        for path, sha in suspects:
            retried = yield from _pool_run(iter([(path, sha)]), 1, worker)
            for retried_path, _ in retried:
                yield str(retried_path), "", None, f"{retried_path}: the worker process reading it died", None


def _window(jobs: int) -> int:
    """Documents in flight: a batch's worth, so workers keep going while a batch is loaded."""
    return max(jobs * 2, BATCH_DOCUMENTS)


def _pool_run(queue: Iterator[tuple[Path, str]], jobs: int, worker: Worker) -> Generator[
        Built, None, list[tuple[Path, str]]]:
    """Run ``queue`` through one process pool; returns the in-flight items if the pool broke."""
    window = _window(jobs)
    pending: dict[Future, tuple[Path, str]] = {}
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_worker_context()) as pool:
        def refill() -> None:
            while len(pending) < window:
                item = next(queue, None)
                if item is None:
                    return
                pending[pool.submit(worker, str(item[0]), item[1])] = item

        refill()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                item = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    return [item, *pending.values()]
                yield result
            refill()
    return []


def ingest(paths: Iterable[str | Path], store: Store, jobs: int | None = None,
           progress: ProgressCallback | None = None, force: bool = False,
           reindex_progress: Callable[[int, int], None] | None = None,
           stream_documents: int | None = None, stage: Callable[[str], None] | None = None) -> IngestSummary:
    """Extract (or load), convert and store every input; see the module docstring.
    ``reindex_progress(done, total)`` follows the flow-index repair at the end;
    ``stream_documents`` (default ``STREAM_DOCUMENTS``) sets the length of a stream of new graphs;
    ``stage(text)`` is told when the documents wait for the store (a stream's end takes minutes)."""
    if stream_documents is not None and stream_documents < 1:
        raise ValueError("stream_documents must be at least 1")
    from pia_graph.rdf import ontology_graph

    summary = IngestSummary()
    files, problems = expand_inputs(paths)
    summary.failed.extend(problems)
    store.ensure_ontology(ontology_graph())
    known = {} if force else store.source_hashes()
    total = len(files)
    done = 0
    work: list[tuple[Path, str]] = []
    for path in files:
        try:
            sha = file_sha256(path)
        except OSError as error:
            summary.failed.append((path, f"{path}: cannot read: {error.strerror or error}"))
            done += 1
            if progress:
                progress(path, "failed", done, total)
            continue
        if sha in known:
            summary.skipped.append(path)
            done += 1
            if progress:
                progress(path, "skipped", done, total)
        else:
            work.append((path, sha))
    loader = _BatchLoader(store, summary, progress, total, stream_documents or STREAM_DOCUMENTS, stage)
    loader.done = done

    def load(items: list[tuple[Path, str]]) -> None:
        for path_text, iri, ntriples, error, rows in _results(items, jobs or os.cpu_count() or 1):
            path = Path(path_text)
            if error is not None or ntriples is None:
                loader.fail(path, error or f"{path}: no graph produced")
            else:
                loader.add(path, iri, ntriples, rows)
        loader.finish()

    load(work)
    if loader.retry:
        # a stream the store refused was dropped whole: its documents go again, by batches,
        # which find the one refused (if any) and store the others
        hashes = dict(work)
        again = [(path, hashes[path]) for path in loader.retry]
        loader.retry, loader.streaming = [], False
        load(again)
    # graphs stored without their index rows (an interrupted run, a lost index file) are
    # indexed from the stored triples, so trace can rely on the index
    summary.reindexed = store.repair_flow_index(reindex_progress)
    return summary


class _BatchLoader:
    """Writes finished documents to the store and reports progress: graphs the store does not
    hold yet are streamed (``Store.stream_new_graphs``, ``stream_documents`` per stream), the
    others replaced a few at a time (one transaction per batch).

    A full stream's input is ended without waiting (``GraphStream.end_input``): while its loader
    stores what it read ahead, new graphs are held (``_hold``) and go into the next stream once
    the last one is closed. They are in no journal until then, so a crash loses nothing stored."""

    def __init__(self, store: Store, summary: IngestSummary, progress: ProgressCallback | None,
                 total: int, stream_documents: int = STREAM_DOCUMENTS,
                 stage: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.stream_documents = stream_documents
        self.stage = stage
        self.summary = summary
        self.progress = progress
        self.total = total
        self.done = 0
        self.pending: list[tuple[Path, str, str, GraphRows | None]] = []
        self.pending_lines = 0
        self.seen: set[str] = set()
        self.streaming = True
        self.stream: GraphStream | None = None
        self.streamed: list[tuple[Path, str, GraphRows | None]] = []   # in the open stream
        self.streamed_iris: set[str] = set()
        self.held: list[tuple[Path, str, bytes, GraphRows | None]] = []   # for the next stream
        self.held_iris: set[str] = set()
        self.held_bytes = 0
        self.deferred: list[tuple[Path, str, str, GraphRows | None]] = []   # repeats of streamed graphs
        self.retry: list[Path] = []   # documents of a stream the store refused

    def _report(self, path: Path, status: str) -> None:
        self.done += 1
        if self.progress:
            self.progress(path, status, self.done, self.total)

    def fail(self, path: Path, reason: str) -> None:
        self.summary.failed.append((path, reason))
        self._report(path, "failed")

    @property
    def closing(self) -> bool:
        """Whether the open stream's input has ended: its loader is storing the rest."""
        return self.stream is not None and self.stream.input_ended

    def add(self, path: Path, iri: str, ntriples: str, rows: GraphRows | None = None) -> None:
        if self.stream is not None and self.stream.input_ended and not self.stream.loading:
            self._close_stream()   # stored meanwhile: the held graphs start the next stream
        if iri in self.held_iris:
            self._close_stream()   # rare: a repeat of a held graph, which must be stored first
        if iri in self.streamed_iris:
            # the same assessment twice: this copy replaces the streamed one once that is loaded
            self.deferred.append((path, iri, ntriples, rows))
            if len(self.deferred) >= STREAM_REPEATS_HELD:
                self.end_stream()
            return
        if self.streaming and iri not in self.seen and not self.store.has_graph(iri):
            if self.closing:
                self._hold(path, iri, ntriples, rows)
            else:
                self._stream(path, iri, ntriples, rows)
            return
        self._add_to_batch(path, iri, ntriples, rows)

    def _add_to_batch(self, path: Path, iri: str, ntriples: str, rows: GraphRows | None) -> None:
        if any(iri == pending_iri for _, pending_iri, _, _ in self.pending):
            self.flush()  # the same assessment twice: keep the order of replacement
        self.pending.append((path, iri, ntriples, rows))
        self.pending_lines += ntriples.count("\n")
        if len(self.pending) >= BATCH_DOCUMENTS or self.pending_lines >= BATCH_TRIPLES:
            self.flush()

    def _store(self, batch: list[tuple[Path, str, str, GraphRows | None]]
               ) -> list[tuple[Path, str, str, GraphRows | None]]:
        """Write ``batch`` in one call; if the store refuses it, each document alone."""
        if not batch:
            return []
        try:
            self.store.replace_graphs([(iri, ntriples) for _, iri, ntriples, _ in batch],
                                      [rows for *_, rows in batch if rows is not None])
            return batch
        except PiaError:
            # find the document the store refused; the others are written one by one
            stored = []
            for item in batch:
                path, iri, ntriples, rows = item
                try:
                    self.store.replace_graphs([(iri, ntriples)], [rows] if rows is not None else [])
                    stored.append(item)
                except PiaError as store_error:
                    self.fail(path, f"{path}: {store_error}")
            return stored

    def _stream(self, path: Path, iri: str, ntriples: str, rows: GraphRows | None,
                reported: bool = False) -> None:
        if self.stream is None:
            self.stream = self.store.stream_new_graphs()
        self.streamed.append((path, iri, rows))
        self.streamed_iris.add(iri)
        try:
            self.stream.add(iri, ntriples)
        except StoreError as error:
            self._stream_refused(error, reported=len(self.streamed) - (0 if reported else 1))
            return
        if not reported:
            self._report(path, "ingested")   # on its way into the store; summary.ingested once it is there
        if len(self.streamed) >= self.stream_documents:
            self._end_input()

    def _hold(self, path: Path, iri: str, ntriples: str, rows: GraphRows | None) -> None:
        text = zlib.compress(ntriples.encode("utf-8"), 1)
        self.held.append((path, iri, text, rows))
        self.held_iris.add(iri)
        self.held_bytes += len(text)
        self._report(path, "ingested")
        if len(self.held) >= self.stream_documents or self.held_bytes >= HELD_BYTES:
            self._close_stream()

    def _end_input(self) -> None:
        """End the open stream's input; its loader stores the rest while the documents go on."""
        assert self.stream is not None
        try:
            self.stream.end_input()
        except StoreError as error:
            self._stream_refused(error, reported=len(self.streamed))

    def end_stream(self) -> None:
        """Wait until every streamed and held graph is stored; their documents are then ingested."""
        while self.stream is not None or self.held:
            if self.stream is not None and not self.stream.input_ended:
                self._end_input()
            else:
                self._close_stream()   # with no stream open: only starts the next with the held graphs

    def _close_stream(self) -> None:
        """Wait for the stream to be stored, then start the next one with the held graphs."""
        if self.stream is not None:
            if self.stage:
                count = len(self.streamed)
                self.stage(f"storing {count:,} new assessment{'' if count == 1 else 's'}")
            try:
                self.stream.close([rows for _, _, rows in self.streamed if rows is not None])
            except StoreError as error:
                self._stream_refused(error, reported=len(self.streamed))
                return
            for path, iri, _ in self.streamed:
                self.seen.add(iri)
                self.summary.ingested.append((path, iri))
            self.stream, self.streamed, self.streamed_iris = None, [], set()
            deferred, self.deferred = self.deferred, []
            for item in deferred:
                self._add_to_batch(*item)
        held, self.held, self.held_iris, self.held_bytes = self.held, [], set(), 0
        for path, iri, text, rows in held:
            if self.streaming:
                self._stream(path, iri, zlib.decompress(text).decode("utf-8"), rows, reported=True)
            else:   # the next stream was refused while these were fed to it: they go again
                self.retry.append(path)
                self.done -= 1

    def _stream_refused(self, error: StoreError, reported: int) -> None:
        self.summary.warnings.append(f"{error} (they are loaded again, by batches)")
        self.done -= reported + len(self.held)   # they are reported again when loaded
        self.retry.extend(path for path, _, _ in self.streamed)
        self.retry.extend(path for path, *_ in self.held)
        self.retry.extend(path for path, *_ in self.deferred)
        self.stream, self.streamed, self.streamed_iris, self.deferred = None, [], set(), []
        self.held, self.held_iris, self.held_bytes = [], set(), 0
        self.streaming = False

    def finish(self) -> None:
        self.end_stream()
        self.flush()

    def flush(self) -> None:
        batch, self.pending, self.pending_lines = self.pending, [], 0
        if not batch:
            return
        # graphs already in the store are replaced in their own call: one of them would otherwise
        # send the whole batch down the transactional path, several times slower than a bulk load
        stored_before = {iri for _, iri, _, _ in batch if self.store.has_graph(iri)}
        new = [item for item in batch if item[1] not in stored_before]
        existing = [item for item in batch if item[1] in stored_before]
        stored = [*self._store(new), *self._store(existing)]
        for path, iri, _, _ in stored:
            if iri in self.seen:
                self.summary.replaced.append(iri)
            self.seen.add(iri)
            self.summary.ingested.append((path, iri))
            self._report(path, "ingested")
