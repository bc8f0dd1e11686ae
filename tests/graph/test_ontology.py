"""The ontology, concept schemes and alignment: parse, match vocab.py, carry labels and comments."""

from __future__ import annotations

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from pia_graph import vocab as V
from pia_graph.rdf import ontology_graph
from pia_graph.rdf.concepts import SCHEMES, vocabulary_turtle
from pia_graph.rdf.ontology import REPO_ROOT, packaged_text, source_files

PIA_NS = str(V.PIA)


def _vocab_terms() -> dict[str, URIRef]:
    return {name: value for name, value in vars(V).items()
            if isinstance(value, URIRef) and str(value).startswith(PIA_NS)}


@pytest.fixture(scope="module")
def core() -> Graph:
    return Graph().parse(REPO_ROOT / "ontology" / "pia.ttl", format="turtle")


@pytest.fixture(scope="module")
def full() -> Graph:
    return ontology_graph()


def test_packaged_copies_match_their_sources() -> None:
    for name, source in source_files().items():
        assert packaged_text(name) == source.read_text(encoding="utf-8"), (
            f"pia_graph/data/rdf/{name} differs from {source}: run "
            "`.venv/bin/python -m pia_graph.rdf.ontology --sync`")


def test_vocab_ttl_is_generated_from_the_concept_tables() -> None:
    assert (REPO_ROOT / "ontology" / "vocab.ttl").read_text(encoding="utf-8") == vocabulary_turtle(), (
        "regenerate: .venv/bin/python -m pia_graph.rdf.concepts > ontology/vocab.ttl")


def test_ontology_graph_is_named_and_versioned(full: Graph) -> None:
    assert full.identifier == V.ONTOLOGY_GRAPH
    ontology = URIRef(PIA_NS.rstrip("#"))
    assert (ontology, RDF.type, OWL.Ontology) in full
    assert (ontology, OWL.versionIRI, V.PIA_VERSION_IRI) in full


def test_every_vocab_term_is_declared_with_labels_and_comment(core: Graph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    missing = []
    for name, term in _vocab_terms().items():
        types = set(core.objects(term, RDF.type)) & kinds
        labels = {label.language for label in core.objects(term, RDFS.label) if isinstance(label, Literal)}
        comments = list(core.objects(term, RDFS.comment))
        if not types or not {"ja", "en"} <= labels or not comments:
            missing.append(name)
    assert missing == []


def test_every_ontology_term_is_in_the_vocab_contract(core: Graph) -> None:
    contract = set(_vocab_terms().values())
    declared = {s for s in core.subjects(RDF.type, None)
                if isinstance(s, URIRef) and str(s).startswith(PIA_NS)}
    assert declared - contract == set()


def test_domains_and_ranges_name_declared_classes(core: Graph) -> None:
    classes = set(core.subjects(RDF.type, OWL.Class))
    for prop in (RDFS.domain, RDFS.range):
        for _, target in core.subject_objects(prop):
            if str(target).startswith(PIA_NS):
                assert target in classes, target


def test_object_and_datatype_properties_are_typed_consistently(core: Graph) -> None:
    for prop in core.subjects(RDF.type, OWL.DatatypeProperty):
        for target in core.objects(prop, RDFS.range):
            assert str(target).startswith(str(V.XSD)), (prop, target)
    for prop in core.subjects(RDF.type, OWL.ObjectProperty):
        for target in core.objects(prop, RDFS.range):
            assert not str(target).startswith(str(V.XSD)), (prop, target)


def test_concepts_have_bilingual_labels_and_a_scheme(full: Graph) -> None:
    concepts = set(full.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) >= 60
    for concept in concepts:
        languages = {label.language for label in full.objects(concept, SKOS.prefLabel)}
        assert languages == {"ja", "en"}, concept
        assert (concept, SKOS.inScheme, None) in full, concept


def test_method_concepts_follow_the_contract(full: Graph) -> None:
    for label in V.METHOD_CONCEPTS:
        concept = V.method_concept(label)
        assert (concept, SKOS.inScheme, V.METHOD_SCHEME) in full
        assert Literal(label, lang="ja") in set(full.objects(concept, SKOS.prefLabel))


def test_brackets_carry_integer_bounds(full: Graph) -> None:
    for scheme in ("subject-count", "target-population", "handler-count", "record-item-count"):
        previous_upper = 0
        for concept in SCHEMES[scheme].concepts:
            iri = SCHEMES[scheme].concept_iri(concept)
            lower = full.value(iri, V.lowerBound)
            assert lower is not None and int(lower) == previous_upper, (scheme, concept.slug)
            upper = full.value(iri, V.upperBound)
            previous_upper = int(upper) if upper is not None else -1
        assert previous_upper == -1, f"the last {scheme} bracket is open-ended"


def test_alignment_links_to_dpv_prov_org_and_eli(full: Graph) -> None:
    expected = [
        (V.Assessment, RDFS.subClassOf, V.DPV.DPIA),
        (V.Business, RDFS.subClassOf, V.DPV.Process),
        (V.PersonalInfoFile, RDFS.subClassOf, V.DPV.PersonalData),
        (V.AssessingBody, RDFS.subClassOf, V.DPV.DataController),
        (V.Contractor, RDFS.subClassOf, V.DPV.DataProcessor),
        (V.Recipient, RDFS.subClassOf, V.DPV.Recipient),
        (V.LegalBasis, RDFS.subClassOf, V.DPV.LegalBasis),
        (V.Law, RDFS.subClassOf, V.DPV.Law),
        (V.Transfer, RDFS.subClassOf, V.DPV.Transfer),
        (V.Provision, RDFS.subClassOf, V.DPV.Disclose),
        (V.SourceSpan, RDFS.subClassOf, V.PROV.Entity),
        (V.Department, RDFS.subClassOf, V.ORG.OrganizationalUnit),
        (V.Contractor, RDFS.subClassOf, V.ORG.Organization),
        (V.Law, RDFS.subClassOf, V.ELI.LegalResource),
        (V.legalBasis, RDFS.subPropertyOf, V.DPV.hasLegalBasis),
        (V.recipient, RDFS.subPropertyOf, V.DPV.hasRecipient),
    ]
    for triple in expected:
        assert triple in full, triple
    assert (V.method_concept("電子メール"), None, None) in full


def test_ontology_is_valid_input_for_pyshacl_meta_validation(full: Graph) -> None:
    """The ontology graph loads as pySHACL's ont_graph without errors (mixin sanity)."""
    from pia_graph.rdf.ontology import shapes_graph

    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes_graph(), ont_graph=full,
                                         inference="rdfs", meta_shacl=True)
    assert conforms, text
