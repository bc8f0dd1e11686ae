"""record_to_graph on gold records and invented ones: resources, links, IRIs, provenance, abstentions."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS

from pia_graph import vocab as V
from pia_graph.errors import InputError
from pia_graph.rdf import record_to_graph, resolve_entity
from pia_graph.rdf.concepts import lookup
from pia_graph.vocab import ID, ORG

from .records import minimal_record


def _gold(shared_dir: Path, number: str) -> dict[str, Any]:
    return json.loads((shared_dir / "gold" / f"{number}.json").read_text(encoding="utf-8"))


def _org(name: str) -> URIRef:
    return ID[f"org/{resolve_entity(name).key}"]


def test_iri_is_keyed_on_organisation_number_and_kind() -> None:
    iri, _ = record_to_graph(minimal_record())
    assert iri == ID["assessment/架空市長/1/focused"]
    record = minimal_record()
    record["assessment"]["organization"] = "架空市長　"      # whitespace does not change the key
    assert record_to_graph(record)[0] == iri
    record["assessment"]["number"] = None
    assert record_to_graph(record)[0] == ID["assessment/source/invented.txt"]


def test_same_record_gives_same_iri_and_same_triples(shared_dir: Path) -> None:
    for number in ("000", "001", "002"):
        first_iri, first = record_to_graph(_gold(shared_dir, number))
        second_iri, second = record_to_graph(_gold(shared_dir, number))
        assert first_iri == second_iri
        assert set(first) == set(second)
        assert first.identifier == first_iri
        assert not any(isinstance(term, type(None)) for triple in first for term in triple)


def test_gold_000_resources_and_links(shared_dir: Path) -> None:
    record = _gold(shared_dir, "000")
    iri, graph = record_to_graph(record)
    assert (iri, RDF.type, V.Assessment) in graph
    body = _org(record["assessment"]["organization"])
    assert (iri, V.assessedBy, body) in graph and (body, RDF.type, V.AssessingBody) in graph
    assert (iri, V.assessmentKind, lookup("kind", record["assessment"]["kind"])) in graph
    assert (iri, V.publishedDate, Literal(record["assessment"]["published"], datatype=V.XSD.date)) in graph
    business = URIRef(f"{iri}/business")
    assert len(list(graph.objects(business, V.usesSystem))) == len(record["systems"])
    assert (business, V.infoNetworkLinkage, lookup("linkage", "実施しない")) in graph
    file = URIRef(f"{iri}/file/1")
    assert (iri, V.hasFile, file) in graph
    entrustment = URIRef(f"{file}/entrustment/1")
    contractor = _org(record["files"][0]["entrustments"][0]["contractor"])
    assert (entrustment, V.contractor, contractor) in graph and (contractor, RDF.type, V.Contractor) in graph
    provision = URIRef(f"{file}/provision/1")
    recipient = next(graph.objects(provision, V.recipient))
    assert recipient == _org("日本年金機構")
    assert Literal(record["files"][0]["provisions"][0]["recipient"]) in set(graph.objects(recipient, V.name))
    basis = next(graph.objects(provision, V.legalBasis))
    assert (basis, V.legalText, Literal(record["files"][0]["provisions"][0]["legal_basis"])) in graph
    cited = set(graph.objects(basis, V.cites))
    law = ID["law/425AC0000000027"]
    assert URIRef(f"{law}/article/9/paragraph/1") in cited
    assert (law, V.eGovLawId, Literal("425AC0000000027")) in graph
    assert (law, V.RDFS.seeAlso, URIRef("https://laws.e-gov.go.jp/law/425AC0000000027")) in graph
    transfer = URIRef(f"{file}/transfer/1")
    unit = next(graph.objects(transfer, V.recipient))
    assert (unit, ORG.unitOf, body) in graph and (unit, RDF.type, V.Recipient) in graph
    # the methods are null in the gold record: absent, not guessed
    assert list(graph.objects(provision, V.method)) == []


def test_my_number_basis_cites_table_items(shared_dir: Path) -> None:
    iri, graph = record_to_graph(_gold(shared_dir, "000"))
    basis = URIRef(f"{iri}/business/mynumber-legal-basis")
    items = {str(graph.value(c, V.tableItem)) for c in graph.objects(basis, V.cites) if graph.value(c, V.tableItem)}
    assert len(items) == 3
    for citation in graph.objects(basis, V.cites):
        assert (citation, V.law, ID["law/425AC0000000027"]) in graph
        assert (citation, V.ELI.is_part_of, None) in graph


def test_same_recipient_across_assessments_is_one_resource(shared_dir: Path) -> None:
    _, first = record_to_graph(_gold(shared_dir, "000"))
    _, second = record_to_graph(_gold(shared_dir, "001"))
    first_recipients = set(first.objects(None, V.recipient))
    second_recipients = set(second.objects(None, V.recipient))
    assert _org("日本年金機構") in first_recipients & second_recipients


def test_gold_002_branch_and_subcontract_chain(shared_dir: Path) -> None:
    record = _gold(shared_dir, "002")
    iri, graph = record_to_graph(record)
    entrustments = sorted(graph.objects(URIRef(f"{iri}/file/1"), V.hasEntrustment))
    assert len(entrustments) == len(record["files"][0]["entrustments"])
    branches = [c for c in graph.objects(None, V.contractor) if (c, ORG.unitOf, None) in graph]
    assert len(branches) == 1
    company = graph.value(branches[0], ORG.unitOf)
    assert (company, RDF.type, ORG.Organization) in graph
    subcontracted = [e for e in entrustments
                     if (e, V.subcontractStatus, lookup("subcontract-status", "再委託する")) in graph]
    assert len(subcontracted) == 1
    link = graph.value(subcontracted[0], V.hasSubcontract)
    assert (link, RDF.type, V.Subcontract) in graph
    assert graph.value(link, V.subcontractedBy) == graph.value(subcontracted[0], V.contractor)
    assert graph.value(link, V.concernsFile) == URIRef(f"{iri}/file/1")
    # a dash printed for the info-network basis creates no legal-basis resource
    assert list(graph.objects(URIRef(f"{iri}/business"), V.infoNetworkLegalBasis)) == []


def test_provenance_spans_and_abstentions() -> None:
    record = minimal_record()
    record["files"][0]["provisions"][0]["methods"] = None
    record["provenance"] = {
        "/business_name": {"lines": [10, 10]},
        "/systems/0": {"lines": [12, 12]},
        "/files/0/provisions/0/recipient": {"lines": [40, 41], "page": 3},
        "/files/0/provisions/0/timing": {"lines": [44, 44]},
    }
    record["uncertain"] = [{"path": "/files/0/provisions/0/methods", "candidates": ["紙", "電子メール"],
                            "reason": "checkbox marks detached from labels"},
                           {"path": "/assessment/published", "candidates": [], "reason": "date illegible"}]
    record["assessment"]["published"] = None
    iri, graph = record_to_graph(record, source_sha256="ab" * 32)
    document = ID[f"document/sha256-{'ab' * 32}"]
    assert (iri, V.sourceDocument, document) in graph
    assert (document, V.sha256, Literal("ab" * 32)) in graph
    provision = URIRef(f"{iri}/file/1/provision/1")
    spans = {str(graph.value(s, V.recordPath)): s for s in graph.subjects(RDF.type, V.SourceSpan)}
    assert set(spans) == set(record["provenance"])
    span = spans["/files/0/provisions/0/recipient"]
    assert (span, V.describes, provision) in graph
    assert (span, V.aboutProperty, V.recipient) in graph
    assert (graph.value(span, V.firstLine), graph.value(span, V.lastLine), graph.value(span, V.page)) == (
        Literal(40, datatype=V.XSD.integer), Literal(41, datatype=V.XSD.integer), Literal(3, datatype=V.XSD.integer))
    assert (span, PROV.wasDerivedFrom, document) in graph
    system_span = spans["/systems/0"]
    assert (graph.value(system_span, V.describes), RDF.type, V.System) in graph
    assert (URIRef(f"{iri}/business"), V.name, None) in graph
    assert (spans["/business_name"], V.describes, URIRef(f"{iri}/business")) in graph

    abstentions = {str(graph.value(a, V.recordPath)): a for a in graph.subjects(RDF.type, V.Abstention)}
    method = abstentions["/files/0/provisions/0/methods"]
    assert (method, V.describes, provision) in graph
    assert (method, V.aboutProperty, V.method) in graph
    assert set(graph.objects(method, V.candidate)) == {Literal("紙"), Literal("電子メール")}
    assert graph.value(method, V.reason) == Literal("checkbox marks detached from labels")
    assert list(graph.objects(provision, V.method)) == []
    published = abstentions["/assessment/published"]
    assert (published, V.describes, iri) in graph and (published, V.aboutProperty, V.publishedDate) in graph
    assert (iri, V.publishedDate, None) not in graph


def test_abstention_on_top_level_business_field() -> None:
    record = minimal_record()
    record["department"] = None
    record["uncertain"] = [{"path": "/department", "candidates": ["架空課", "架空室"], "reason": "two values"}]
    iri, graph = record_to_graph(record)
    abstention = next(graph.subjects(RDF.type, V.Abstention))
    assert graph.value(abstention, V.describes) == URIRef(f"{iri}/business")
    assert graph.value(abstention, V.aboutProperty) == V.responsibleDepartment


def test_methods_become_concepts_and_off_list_values_stay_visible() -> None:
    record = minimal_record()
    record["files"][0]["provisions"][0]["methods"] = ["紙", "電子メール", "ＦＡＸ"]
    iri, graph = record_to_graph(record)
    provision = URIRef(f"{iri}/file/1/provision/1")
    values = set(graph.objects(provision, V.method))
    assert V.method_concept("紙") in values and V.method_concept("電子メール") in values
    assert Literal("ＦＡＸ") in values          # kept for validation to report, never dropped


def test_brackets_and_statuses_are_concepts() -> None:
    iri, graph = record_to_graph(minimal_record())
    file = URIRef(f"{iri}/file/1")
    assert graph.value(file, V.subjectCount) == lookup("subject-count", "1万人未満")
    assert graph.value(file, V.entrustmentStatus) == lookup("entrustment-status", "委託しない")
    assert graph.value(file, V.fileType) == lookup("file-type", "システム用ファイル")


def test_unparsed_legal_text_is_kept_and_reported() -> None:
    record = minimal_record()
    record["files"][0]["provisions"][0]["legal_basis"] = "関係規程のとおり"
    iri, graph = record_to_graph(record)
    basis = URIRef(f"{iri}/file/1/provision/1/legal-basis")
    assert graph.value(basis, V.legalText) == Literal("関係規程のとおり")
    unparsed = next(graph.subjects(RDF.type, V.UnparsedLegalText))
    assert (unparsed, RDF.type, V.Abstention) in graph
    assert graph.value(unparsed, V.describes) == basis
    assert graph.value(unparsed, V.recordPath) == Literal("/files/0/provisions/0/legal_basis")


def test_extra_fields_sources_methods_counts_changes_risk() -> None:
    record = minimal_record()
    file = record["files"][0]
    file.update({
        "sources": ["本人又は本人の代理人", "行政機関・独立行政法人等"],
        "sources_detail": {"行政機関・独立行政法人等": "架空機構"},
        "acquisition_methods": ["紙", "専用線"], "user_count": "10人以上50人未満",
        "record_categories": ["個人番号", "年金関係情報"], "provision_count": "1", "transfer_count": 0,
        "risk": {"use": {"user_auth": "行っている"}},
    })
    record["changes"] = [{"date": "2024-04-01", "item": "Ⅱ　２．", "before": "旧", "after": "新",
                          "timing": "事後", "timing_reason": "軽微な変更"}]
    iri, graph = record_to_graph(record, curated=True)
    resource = URIRef(f"{iri}/file/1")
    assert set(graph.objects(resource, V.dataSource)) == {lookup("source", "本人又は本人の代理人"),
                                                          lookup("source", "行政機関・独立行政法人等")}
    assert Literal("行政機関・独立行政法人等: 架空機構") in set(graph.objects(resource, V.sourceDetail))
    assert V.method_concept("専用線") in set(graph.objects(resource, V.acquisitionMethod))
    assert graph.value(resource, V.provisionCount) == Literal(1, datatype=V.XSD.integer)
    assert graph.value(resource, V.transferCount) == Literal(0, datatype=V.XSD.integer)
    assert len(set(graph.objects(resource, V.recordCategory))) == 2
    change = graph.value(iri, V.hasChange)
    assert (change, RDF.type, V.ChangeRecord) in graph
    assert graph.value(change, V.changeDate) == Literal("2024-04-01", datatype=V.XSD.date)
    assert graph.value(change, V.submissionTiming) == lookup("submission-timing", "事後")
    risk = graph.value(resource, V.hasRiskMeasure)
    assert graph.value(risk, V.riskKey) == Literal("use.user_auth")
    assert graph.value(iri, V.curated) == Literal(True)


def test_named_subcontractors_form_a_chain() -> None:
    record = minimal_record()
    file = record["files"][0]
    file["entrustment"] = "委託する"
    file["entrustments"] = [{"title": "保守", "content": "保守", "contractor": "架空情報株式会社",
                             "handlers": "10人未満", "subcontract": "再委託する", "subcontract_items": "保守の一部",
                             "subcontractors": ["架空保守株式会社"]}]
    iri, graph = record_to_graph(record)
    prime, sub = _org("架空情報株式会社"), _org("架空保守株式会社")
    assert (prime, V.subcontractsTo, sub) in graph
    link = URIRef(f"{iri}/file/1/entrustment/1/subcontract/1")
    assert graph.value(link, V.subcontractor) == sub
    assert graph.value(link, V.subcontractedBy) == prime


def test_every_spelling_is_kept_as_a_label() -> None:
    record = minimal_record()
    record["files"][0]["entrustment"] = "委託する"
    base = {"title": None, "content": "保守", "handlers": None, "subcontract": "再委託しない", "subcontract_items": None}
    record["files"][0]["entrustments"] = [dict(base, contractor="株式会社　架空計算"),
                                          dict(base, contractor="株式会社架空計算")]
    _, graph = record_to_graph(record)
    contractors = set(graph.objects(None, V.contractor))
    assert len(contractors) == 1
    labels = set(graph.objects(next(iter(contractors)), SKOS.altLabel))
    assert {str(label) for label in labels} == {"株式会社　架空計算", "株式会社架空計算"}


def test_malformed_record_is_an_input_error() -> None:
    record = minimal_record()
    record["files"][0]["provisions"][0]["methods"] = "紙"
    with pytest.raises(InputError, match="/files/0/provisions/0/methods"):
        record_to_graph(record)


def test_extracted_seed_records_map_with_spans(seed_pairs: list[tuple[Path, Path]]) -> None:
    from pia_graph.extract.api import extract_path

    for seed, _ in seed_pairs:
        record = extract_path(seed)
        _, graph = record_to_graph(copy.deepcopy(record))
        spans = list(graph.subjects(RDF.type, V.SourceSpan))
        assert len(spans) == len(record.get("provenance", {}))
        for span in spans:
            assert graph.value(span, V.firstLine) is not None
            assert graph.value(span, V.describes) is not None
        assert len(list(graph.subjects(RDF.type, V.Abstention))) >= len(record.get("uncertain", []))


def test_without_assessing_body_units_are_still_departments() -> None:
    record = minimal_record()
    record["assessment"]["organization"] = None
    iri, graph = record_to_graph(record)
    assert iri == ID["assessment/source/invented.txt"]
    department = graph.value(URIRef(f"{iri}/business"), V.responsibleDepartment)
    assert (department, RDF.type, V.Department) in graph
    assert (iri, V.assessedBy, None) not in graph


def test_system_detail_blocks_describe_the_same_systems() -> None:
    record = minimal_record()
    record["systems_detail"] = [{"name": "架空システム", "functions": "照会"}]
    record["provenance"] = {"/systems_detail/0/name": {"lines": [20, 20]}}
    iri, graph = record_to_graph(record)
    systems = set(graph.objects(URIRef(f"{iri}/business"), V.usesSystem))
    assert len(systems) == 1
    span = next(graph.subjects(RDF.type, V.SourceSpan))
    assert graph.value(span, V.describes) in systems and graph.value(span, V.aboutProperty) == V.name


def test_change_row_text_and_risk_join_key() -> None:
    record = minimal_record()
    record["changes"] = [{"date": None, "item": None, "before": None, "after": None, "timing": None,
                          "timing_reason": None, "text": "架空の変更"}]
    record["files"][0]["risk"] = {"file_name": "架空ファイル", "use": {"user_auth": "行っている"}}
    iri, graph = record_to_graph(record)
    change = graph.value(iri, V.hasChange)
    assert graph.value(change, V.changeText) == Literal("架空の変更")
    keys = {str(k) for k in graph.objects(None, V.riskKey)}
    assert keys == {"use.user_auth"}
