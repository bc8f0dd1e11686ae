"""Validate files: record .json files, or assessment .txt/.pdf files extracted first.

Each file is validated on its own; a file that cannot be read is reported and the others go on.
Many files are shared among worker processes (extraction and pySHACL are both CPU-bound).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from rdflib import BNode, Graph, URIRef

from pia_graph.errors import InputError, PiaError
from pia_graph.validate.report import PortableReport, Report
from pia_graph.validate.shacl import shapes_labelled_by_content, validate_graph
from pia_graph.workers import WorkerDied, each_in_workers

# below this many files, starting workers costs more than it saves
PARALLEL_FROM = 4

Progress = Callable[[int, int, object], None]


def graph_for_path(path: Path) -> tuple[URIRef, Graph]:
    """(assessment IRI, graph) for a record .json or an assessment .txt/.pdf."""
    from pia_graph.model import load_record
    from pia_graph.rdf import record_to_graph

    if path.suffix.lower() == ".json":
        return record_to_graph(load_record(path))
    if not path.exists():
        raise InputError(path, "no such file")
    from pia_graph.extract.api import extract_path  # imported lazily: extraction is heavy

    record = extract_path(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return record_to_graph(record, source_sha256=digest)


def validate_path(path: Path, *, keep_graph: bool = True, shapes: Graph | None = None) -> Report:
    """One file's report; raises ``PiaError`` when the file cannot be read or extracted."""
    _, graph = graph_for_path(path)
    return validate_graph(graph, shapes, keep_graph=keep_graph)


def error_message(path: Path, error: PiaError) -> str:
    return str(error) if isinstance(error, InputError) else f"{path}: {error}"


def validate_paths(paths: list[Path], *, jobs: int = 1, keep_graph: bool = True,
                   progress: Progress | None = None,
                   on_error: Callable[[str], None] | None = None) -> tuple[Report, int]:
    """Validate each file on its own, the report in the order of ``paths``; a bad file is
    reported (``on_error`` as soon as it is met) and skipped. Returns (report, failures)."""
    report = Report()
    failures = 0
    outcomes = (_in_workers(paths, jobs, keep_graph) if jobs > 1 and len(paths) >= PARALLEL_FROM
                else ((path, _validate_here(path, keep_graph)) for path in paths))
    blank_nodes: dict[str, BNode] = {}
    for index, (path, outcome) in enumerate(outcomes, start=1):
        if progress is not None:
            progress(index, len(paths), path)
        if isinstance(outcome, str):
            failures += 1
            report.errors.append(outcome)
            if on_error is not None:
                on_error(outcome)
        elif isinstance(outcome, Report):
            report.extend(outcome)
        else:
            report.extend(outcome.to_report(blank_nodes))
    return report, failures


def _validate_here(path: Path, keep_graph: bool, shapes: Graph | None = None) -> Report | str:
    try:
        return validate_path(path, keep_graph=keep_graph, shapes=shapes)
    except PiaError as error:
        return error_message(path, error)


def _validate_in_worker(path: Path, keep_graph: bool) -> PortableReport | str:
    try:
        outcome = _validate_here(path, keep_graph, shapes_labelled_by_content())
    except Exception as error:  # a bug or an unexpected input must not stop the batch
        return f"{path}: {type(error).__name__}: {error}"
    return outcome if isinstance(outcome, str) else PortableReport.of(outcome)


Worker = Callable[[Path, bool], PortableReport | str]


def _in_workers(paths: list[Path], jobs: int, keep_graph: bool,
                worker: Worker | None = None) -> Iterator[tuple[Path, PortableReport | str]]:
    """(path, outcome) in the order of ``paths``; a file that kills its worker (twice: see
    ``each_in_workers``) comes with the reason."""
    worker = worker or _validate_in_worker   # looked up at call time (tests pass their own)
    for path, outcome in each_in_workers(worker, paths, (keep_graph,), jobs=jobs,
                                         preload=["pia_graph.extract.api", "pia_graph.rdf", "pia_graph.validate.shacl"],
                                         initializer=shapes_labelled_by_content):
        yield path, (f"{path}: the validating worker process died" if isinstance(outcome, WorkerDied)
                     else f"{path}: {type(outcome).__name__}: {outcome}" if isinstance(outcome, Exception)
                     else outcome)
