"""Validate every assessment graph of a SPARQL source (the store or a remote endpoint).

Validation is CPU-bound (pySHACL runs its SPARQL constraints in rdflib, 0.1–0.3 s per
assessment), so a national store is validated by several worker processes. A store or an
endpoint connection cannot be handed to another process: each worker opens the source again
from its ``SourceSpec`` (the embedded store read-only, as any reader) and fetches the graphs it
validates itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef

from pia_graph.errors import PiaError
from pia_graph.store.base import SparqlSource
from pia_graph.validate.report import PortableReport, Report
from pia_graph.validate.shacl import shapes_labelled_by_content, validate_graph
from pia_graph.workers import WorkerDied, each_in_workers

# graphs a worker validates per task: progress stays fine-grained, the hand-over cost small
BATCH_GRAPHS = 8

Progress = Callable[[int, int, URIRef], None]


@dataclass(frozen=True)
class SourceSpec:
    """How a worker process opens the source again: a store directory or an endpoint URL
    (credentials are read by each process from the environment or netrc, never passed)."""

    store: Path | None = None
    endpoint: str | None = None

    def open(self) -> SparqlSource:
        from pia_graph.store import open_source

        return open_source(self.store, self.endpoint)


def validate_one(source: SparqlSource, iri: URIRef, *, keep_graph: bool = True,
                 shapes: Graph | None = None) -> Report:
    """Validate one assessment graph of ``source``; a graph that is empty or cannot be fetched
    (e.g. the endpoint dropped the connection) is an input error, and the others go on."""
    try:
        graph = source.graph(iri)
    except PiaError as error:
        return Report(errors=[f"{iri}: {error}"])
    if len(graph) == 0:
        return Report(errors=[f"{iri}: the graph is empty"])
    return validate_graph(graph, shapes, keep_graph=keep_graph)


def validate_source(source: SparqlSource, progress: Progress | None = None, *, jobs: int = 1,
                    spec: SourceSpec | None = None, keep_graph: bool = True) -> Report:
    """Every assessment graph of ``source``, merged into one report in the source's order.

    With ``jobs`` > 1 and a ``spec`` to reopen the source, ``jobs`` worker processes share the
    graphs. ``keep_graph=False`` drops each SHACL report graph once its results are read (only
    the Turtle report needs them), so memory grows with the findings, not with the store.
    """
    report = Report()
    graphs = source.assessment_graphs()
    if jobs <= 1 or spec is None or len(graphs) <= BATCH_GRAPHS:
        for index, iri in enumerate(graphs, start=1):
            if progress is not None:
                progress(index, len(graphs), iri)
            report.extend(validate_one(source, iri, keep_graph=keep_graph))
        return report
    done = 0
    shape_nodes: dict[str, BNode] = {}   # the workers label shape nodes alike: one node each here
    for batch, outcome in _in_workers(graphs, jobs, spec, keep_graph):
        done += len(batch)
        if progress is not None:
            progress(done, len(graphs), batch[-1])
        if isinstance(outcome, str):
            report.errors.extend(f"{iri}: {outcome}" for iri in batch)
        else:
            for part in outcome:
                report.extend(part.to_report(shape_nodes))
    return report


_worker_source: SparqlSource | PiaError | None = None


def _open_in_worker(spec: SourceSpec) -> None:
    global _worker_source
    shapes_labelled_by_content()
    try:
        _worker_source = spec.open()
    except PiaError as error:   # said by each task: a failing initializer only breaks the pool
        _worker_source = error


def _validate_batch(iris: list[URIRef], keep_graph: bool) -> list[PortableReport]:
    if isinstance(_worker_source, PiaError):
        raise _worker_source
    assert _worker_source is not None
    return [PortableReport.of(validate_one(_worker_source, iri, keep_graph=keep_graph, shapes=shapes_labelled_by_content()))
            for iri in iris]


def _in_workers(graphs: list[URIRef], jobs: int, spec: SourceSpec,
                keep_graph: bool) -> Iterator[tuple[list[URIRef], list[PortableReport] | str]]:
    """(batch, its parts) in the order of ``graphs``; a batch whose worker died (twice: see
    ``each_in_workers``), or whose source the worker could not open, comes with the reason."""
    batches = [graphs[start:start + BATCH_GRAPHS] for start in range(0, len(graphs), BATCH_GRAPHS)]
    for batch, outcome in each_in_workers(_validate_batch, batches, (keep_graph,), jobs=jobs,
                                          preload=["pia_graph.validate.shacl", "pia_graph.store"],
                                          initializer=_open_in_worker, initargs=(spec,)):
        if isinstance(outcome, WorkerDied):
            yield batch, "the validating worker process died"
        elif isinstance(outcome, PiaError):
            yield batch, str(outcome)
        elif isinstance(outcome, Exception):
            raise outcome
        else:
            yield batch, outcome
