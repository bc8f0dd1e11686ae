"""Pipeline stage: rdf — records as RDF, the ontology, legal citations, entity resolution."""

from pia_graph.rdf.entities import explain, resolve_entity
from pia_graph.rdf.legal import parse_legal_basis
from pia_graph.rdf.mapping import assessment_iri, record_to_graph
from pia_graph.rdf.ontology import ontology_graph

__all__ = ["assessment_iri", "explain", "ontology_graph", "parse_legal_basis", "record_to_graph",
           "resolve_entity"]
