"""What every SPARQL source offers: the embedded store and a remote endpoint alike.

Query, trace, validate and export are written against this protocol only, so each of them
works on ``--store DIR`` and on ``--endpoint URL`` without knowing which it has.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from rdflib import Graph, URIRef
from rdflib.term import Identifier


@runtime_checkable
class SparqlSource(Protocol):
    def select(
        self,
        sparql: str,
        bindings: Mapping[str, Identifier] | None = None,
        timeout: float | None = None,
    ) -> list[dict[str, Identifier]]:
        """Run a SELECT over the union of the named graphs.

        ``bindings`` maps variable names (without ``?``) to RDF terms; they are bound by the
        engine (or a VALUES block built from serialised terms), never pasted into the text.
        Rows map variable names to rdflib terms; unbound variables are absent.
        Raises ``pia_graph.errors.QueryError`` for refused updates, syntax errors and time-outs.
        """
        ...

    def assessment_graphs(self) -> list[URIRef]:
        """The named graphs that hold assessments (not the ontology graph)."""
        ...

    def graph(self, iri: URIRef) -> Graph:
        """A copy of one named graph as an rdflib Graph (empty if absent)."""
        ...
