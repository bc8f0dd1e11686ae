"""Validate every assessment graph of a SPARQL source (the store or a remote endpoint)."""

from __future__ import annotations

from collections.abc import Callable

from rdflib import URIRef

from pia_graph.store.base import SparqlSource
from pia_graph.validate.report import Report
from pia_graph.validate.shacl import validate_graph


def validate_source(source: SparqlSource,
                    progress: Callable[[int, int, URIRef], None] | None = None) -> Report:
    """One assessment graph at a time (fetched with ``source.graph``), merged into one report."""
    report = Report()
    graphs = source.assessment_graphs()
    for index, iri in enumerate(graphs, start=1):
        if progress is not None:
            progress(index, len(graphs), iri)
        graph = source.graph(iri)
        if len(graph) == 0:
            report.errors.append(f"{iri}: the graph is empty")
            continue
        report.extend(validate_graph(graph))
    return report
