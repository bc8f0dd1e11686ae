"""A tiny in-memory SparqlSource over pyoxigraph, for tests that must not depend on the store package."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from pia_graph import vocab

# pyoxigraph keeps only valid UTF-8, but a remote endpoint's JSON can carry lone surrogates
# (\ud800 escapes): they are stored as markers and come back as surrogates, as from such an endpoint.
_SURROGATE = re.compile("[\ud800-\udfff]")
_MARKER = re.compile(r"\[\[surrogate:([0-9a-f]{4})\]\]")


def _encode(text: str) -> str:
    return _SURROGATE.sub(lambda m: f"[[surrogate:{ord(m.group()):04x}]]", text)


def _decode(text: str) -> str:
    return _MARKER.sub(lambda m: chr(int(m.group(1), 16)), text)


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Identifier:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(_decode(term.value), lang=term.language)
    return Literal(_decode(term.value), datatype=URIRef(term.datatype.value))


def _to_ox(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(_encode(str(term)), language=term.language)
    if term.datatype:
        return ox.Literal(_encode(str(term)), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(_encode(str(term)))


class MemorySource:
    """Named graphs in an in-memory pyoxigraph store; SELECTs run over their union."""

    def __init__(self) -> None:
        self.store = ox.Store()

    def load_trig(self, trig: str) -> MemorySource:
        self.store.load(trig.encode("utf-8"), format=ox.RdfFormat.TRIG)
        return self

    def add_graph(self, iri: URIRef, graph: Graph) -> MemorySource:
        name = ox.NamedNode(str(iri))
        self.store.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), name) for s, p, o in graph)
        return self

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None,
               timeout: float | None = None) -> list[dict[str, Identifier]]:
        subs = {ox.Variable(k): _to_ox(v) for k, v in (bindings or {}).items()}
        result = self.store.query(sparql, use_default_graph_as_union=True, substitutions=subs)
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = _to_rdflib(value)
            rows.append(row)
        return rows

    def assessment_graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self.store.named_graphs()
                      if g.value != str(vocab.ONTOLOGY_GRAPH))

    def graph(self, iri: URIRef) -> Graph:
        out = Graph()
        for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(str(iri))):
            out.add((_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object)))
        return out
