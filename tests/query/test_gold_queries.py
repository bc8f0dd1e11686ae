"""Every named query on a store built from the gold records, answers checked against the gold JSON."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from pia_graph.errors import QueryError
from pia_graph.query import list_queries, run_query
from pia_graph.query.catalog import resolve
from pia_graph.query.run import projected_columns
from pia_graph.rdf import parse_legal_basis
from pia_graph.store import Store

from .conftest import add_record, fold, variant

QUERY_NAMES = [spec.name for spec in list_queries()]
INJECTION = 'x" } ; DROP ALL ; #'


def texts(rows: list[dict[str, Any]], *columns: str) -> set[tuple[str, ...]]:
    return {tuple(str(row.get(column, "")) for column in columns) for row in rows}


def gold_files(records: dict[str, dict]) -> list[tuple[dict, dict]]:
    return [(record, file) for record in records.values() for file in record["files"]]


def gold_flows(records: dict[str, dict], key: str = "provisions") -> list[tuple[dict, dict, dict]]:
    return [(record, file, flow) for record, file in gold_files(records) for flow in file.get(key) or []]


def test_at_least_fifteen_commented_queries() -> None:
    specs = list_queries()
    assert len(specs) >= 15
    for spec in specs:
        assert spec.title and " / " in spec.title, f"{spec.name}: title must be ja / en"
        assert spec.description, f"{spec.name}: description missing"
        assert spec.columns == projected_columns(spec.text), f"{spec.name}: # columns differ from SELECT"
        for param in spec.params:
            assert re.search(rf"\?{param}\b", spec.text), f"{spec.name}: param {param} not used"
            # a projected variable would be bound by substitution (a constant everywhere), a
            # filtered one by VALUES (a join): named queries keep to the second, like endpoints
            assert param not in spec.columns, f"{spec.name}: param {param} is projected"


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_query_runs_on_the_gold_store(gold_store: Store, name: str) -> None:
    columns, rows = run_query(gold_store, name, {})
    assert columns == resolve(name).columns
    for row in rows:
        assert set(row) <= set(columns)


def test_contractors_are_the_gold_contractors(gold_store: Store, gold_records: dict) -> None:
    expected = {(fold(r["assessment"]["organization"]), fold(e["contractor"]))
                for r, f in gold_files(gold_records) for e in f["entrustments"] if e["contractor"]}
    _, rows = run_query(gold_store, "contractors", {})
    assert {(fold(a), fold(b)) for a, b in texts(rows, "bodyName", "contractorName")} == expected
    assert len(rows) == sum(1 for r, f in gold_files(gold_records) for e in f["entrustments"] if e["contractor"])


def test_contractor_and_body_filters(gold_store: Store, gold_records: dict) -> None:
    entrustments = [(r, e) for r, f in gold_files(gold_records) for e in f["entrustments"] if e["contractor"]]
    record, entrustment = entrustments[-1]
    _, rows = run_query(gold_store, "contractors", {"contractor": entrustment["contractor"]})
    assert {fold(name) for (name,) in texts(rows, "contractorName")} == {fold(entrustment["contractor"])}
    organization = record["assessment"]["organization"]
    _, rows = run_query(gold_store, "contractors", {"body": organization})
    assert len(rows) == sum(1 for r, _ in entrustments if r["assessment"]["organization"] == organization)


def test_files_reaching_the_pension_service(gold_store: Store, gold_records: dict) -> None:
    expected = {(r["assessment"]["organization"], f["name"], p["recipient"])
                for r, f, p in gold_flows(gold_records) if "日本年金機構" in p["recipient"]}
    assert expected
    _, rows = run_query(gold_store, "files-to-recipient", {"recipient": "日本年金機構"})
    assert texts(rows, "body", "file", "recipientName") == expected
    by_recipient = {p["recipient"]: p["legal_basis"] for _, _, p in gold_flows(gold_records)}
    for row in rows:
        assert str(row["legalText"]) == by_recipient[str(row["recipientName"])]
        assert str(row["kind"]) == "提供"


def test_all_flows_without_filter(gold_store: Store, gold_records: dict) -> None:
    expected = {(f["name"], p["recipient"]) for r, f, p in gold_flows(gold_records)}
    expected |= {(f["name"], t["recipient"]) for r, f, t in gold_flows(gold_records, "transfers")}
    _, rows = run_query(gold_store, "files-to-recipient", {})
    assert texts(rows, "file", "recipientName") == expected


def test_injection_value_matches_nothing_and_changes_nothing(gold_store: Store) -> None:
    before = len(gold_store)
    for name, param in (("files-to-recipient", "recipient"), ("contractors", "contractor"),
                        ("provenance", "text")):
        _, rows = run_query(gold_store, name, {param: INJECTION})
        assert rows == []
    assert len(gold_store) == before


def test_subcontract_chains_are_the_gold_subcontracts(gold_store: Store, gold_records: dict) -> None:
    expected = {(fold(e["contractor"]), e["subcontract_items"] or "")
                for _, f in gold_files(gold_records) for e in f["entrustments"] if e["subcontract"] == "再委託する"}
    _, rows = run_query(gold_store, "subcontract-chains", {})
    assert {(fold(c), i) for c, i in texts(rows, "contractorName", "subcontractItems")} == expected
    assert {s for (s,) in texts(rows, "subcontract")} == {"再委託する"}


def test_systems_per_business(gold_store: Store, gold_records: dict) -> None:
    expected = {(r["assessment"]["organization"], r["business_name"], s)
                for r in gold_records.values() for s in r["systems"]}
    _, rows = run_query(gold_store, "systems-per-business", {})
    assert texts(rows, "bodyName", "business", "systemName") == expected


def test_assessments_and_bodies(gold_store: Store, gold_records: dict) -> None:
    per_body = Counter(r["assessment"]["organization"] for r in gold_records.values())
    _, rows = run_query(gold_store, "assessments-per-body", {})
    assert {(str(r["bodyName"]), int(r["assessments"].toPython())) for r in rows} == set(per_body.items())
    for row in rows:
        mine = [r for r in gold_records.values() if r["assessment"]["organization"] == str(row["bodyName"])]
        assert set(str(row["kinds"]).split("、")) == {r["assessment"]["kind"] for r in mine}
        assert set(str(row["businesses"]).split("、")) == {r["business_name"] for r in mine}
    _, rows = run_query(gold_store, "assessments", {})
    assert texts(rows, "number", "title") == {(r["assessment"]["number"], r["assessment"]["title"])
                                              for r in gold_records.values()}
    assert {str(r["curated"]) for r in rows} == {"true"}  # built from JSON records
    assert {str(r["sourceFile"]) for r in rows} == {r["source"] for r in gold_records.values()}
    assert {str(r["kind"]) for r in rows} == {r["assessment"]["kind"] for r in gold_records.values()}


def _legal_texts(record: dict) -> list[str]:
    found = [record.get("mynumber_legal_basis"), record.get("info_network_legal_basis")]
    for file in record["files"]:
        for flow in (file.get("provisions") or []) + (file.get("transfers") or []):
            found.append(flow.get("legal_basis"))
    return [text for text in found if text]


def test_laws_cited(gold_store: Store, gold_records: dict) -> None:
    _, rows = run_query(gold_store, "laws-cited", {})
    by_id = {str(r["eGovLawId"]): r for r in rows if "eGovLawId" in r}
    my_number_act = by_id["425AC0000000027"]
    citing = [r for r in gold_records.values() if any("番号" in t for t in _legal_texts(r))]
    assert int(my_number_act["assessments"].toPython()) == len(citing)
    pension_act = by_id["334AC0000000141"]  # 国民年金法
    citing = [r for r in gold_records.values() if any("国民年金法第" in t for t in _legal_texts(r))]
    assert int(pension_act["assessments"].toPython()) == len(citing)
    counts = [int(r["legalBases"].toPython()) for r in rows]
    assert counts == sorted(counts, reverse=True)
    _, only = run_query(gold_store, "laws-cited", {"law": "国民年金法"})
    assert only and all("国民年金法" in str(r["lawName"]) for r in only)


def test_table_items_cited(gold_store: Store, gold_records: dict) -> None:
    # the expectation counts assessments per 別表 item from the printed texts (parsed by the
    # project's citation parser); the query must aggregate the graph to the same numbers
    expected: Counter = Counter()
    for record in gold_records.values():
        items = {(c.law.name, c.table, c.table_item) for text in _legal_texts(record)
                 for c in parse_legal_basis(text).citations if c.table_item}
        expected.update(items)
    assert expected
    _, rows = run_query(gold_store, "table-items-cited", {})
    actual = {(str(r["lawName"]), str(r["table"]), str(r["tableItem"])): int(r["assessments"].toPython())
              for r in rows}
    assert actual == dict(expected)
    counts = [int(r["assessments"].toPython()) for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_vendor_concentration(gold_store: Store, gold_records: dict) -> None:
    expected = Counter(fold(e["contractor"]) for _, f in gold_files(gold_records)
                       for e in f["entrustments"] if e["contractor"])
    _, rows = run_query(gold_store, "vendor-concentration", {})
    assert {fold(str(r["contractorName"])): int(r["entrustments"].toPython()) for r in rows} == dict(expected)
    _, none = run_query(gold_store, "vendor-concentration", {"min_bodies": "2"})
    bodies_per_vendor: dict[str, set[str]] = {}
    for record, file in gold_files(gold_records):
        for entrustment in file["entrustments"]:
            if entrustment["contractor"]:
                bodies_per_vendor.setdefault(fold(entrustment["contractor"]), set()).add(
                    record["assessment"]["organization"])
    assert len(none) == sum(1 for bodies in bodies_per_vendor.values() if len(bodies) >= 2)
    _, all_rows = run_query(gold_store, "vendor-concentration", {"min_bodies": "1"})
    assert len(all_rows) == len(bodies_per_vendor)


def test_recipients_by_method_counts_unknown_methods(gold_store: Store, gold_records: dict) -> None:
    flows = gold_flows(gold_records) + gold_flows(gold_records, "transfers")
    _, rows = run_query(gold_store, "recipients-by-method", {})
    assert sum(int(r["flows"].toPython()) for r in rows) == len(flows)
    unknown = sum(1 for _, _, flow in flows if not flow["methods"])
    assert sum(int(r["flows"].toPython()) for r in rows if str(r["methodLabel"]) == "(不明)") == unknown
    _, pension = run_query(gold_store, "recipients-by-method", {"recipient": "日本年金機構"})
    assert len({str(r["recipientName"]) for r in pension}) == 1  # spellings resolved to one entity


def test_gold_has_no_contradictions_or_missing_bases(gold_store: Store, gold_records: dict) -> None:
    _, rows = run_query(gold_store, "contradictions", {})
    assert rows == []  # gold methods are all unknown, so no provision is via the network
    _, rows = run_query(gold_store, "provisions-without-legal-basis", {})
    flows = gold_flows(gold_records) + gold_flows(gold_records, "transfers")
    assert len(rows) <= sum(1 for _, _, flow in flows if not flow["legal_basis"]) + len(flows)
    assert all(str(r["legalText"]) for r in rows if "legalText" in r)


# --- variants of the gold records: each exercises one query's positive case ----------------
def _first_with_provision(gold_records: dict) -> dict:
    return next(r for r in gold_records.values() if any(f["provisions"] for f in r["files"]))


def _with_methods(record: dict, methods: list[str], number: str) -> dict:
    changed = variant(record)
    changed["assessment"]["number"] = number
    for file in changed["files"]:
        for flow in file["provisions"]:
            flow["methods"] = methods
    return changed


def test_contradiction_found(variant_store: Store, gold_records: dict) -> None:
    record = _first_with_provision(gold_records)
    assert record["info_network_linkage"] == "実施しない"
    iri = add_record(variant_store, _with_methods(record, ["情報提供ネットワークシステム"], "901"))
    add_record(variant_store, _with_methods(record, ["紙"], "902"))
    _, rows = run_query(variant_store, "contradictions", {})
    assert {str(r["assessment"]) for r in rows} == {iri}


def test_risky_methods_and_method_filter(variant_store: Store, gold_records: dict) -> None:
    record = _first_with_provision(gold_records)
    email = add_record(variant_store, _with_methods(record, ["電子メール", "専用線"], "903"))
    paper = add_record(variant_store, _with_methods(record, ["紙"], "904"))
    add_record(variant_store, _with_methods(record, ["専用線"], "905"))
    _, rows = run_query(variant_store, "risky-methods", {})
    assert texts(rows, "assessment", "methodLabel") == {(email, "電子メール"), (paper, "紙")}
    _, rows = run_query(variant_store, "risky-methods", {"method": "paper"})
    assert {str(r["assessment"]) for r in rows} == {paper}
    _, rows = run_query(variant_store, "recipients-by-method", {})
    assert {str(r["methodLabel"]) for r in rows} >= {"電子メール", "紙", "専用線"}


def test_provision_without_legal_basis_found(variant_store: Store, gold_records: dict) -> None:
    record = variant(_first_with_provision(gold_records))
    record["assessment"]["number"] = "906"
    file = next(f for f in record["files"] if f["provisions"])
    file["provisions"][0]["legal_basis"] = None
    iri = add_record(variant_store, record)
    _, rows = run_query(variant_store, "provisions-without-legal-basis", {})
    assert (iri, file["provisions"][0]["recipient"]) in texts(rows, "assessment", "recipientName")


def test_abstentions_and_provenance(variant_store: Store, gold_records: dict) -> None:
    record = variant(_first_with_provision(gold_records))
    record["assessment"]["number"] = "907"
    pointer = "/files/0/provisions/0/methods"
    record["uncertain"] = [{"path": pointer, "candidates": ["紙", "電子メール"], "reason": "marks apart"}]
    record["provenance"] = {"/files/0/provisions/0/recipient": {"lines": [120, 121]},
                            "/business_name": {"lines": [12, 12]}}
    iri = add_record(variant_store, record)
    _, rows = run_query(variant_store, "abstentions", {})
    assert texts(rows, "assessment", "recordPath", "reason") == {(iri, pointer, "marks apart")}
    assert set(str(rows[0]["candidates"]).split(" | ")) == {"紙", "電子メール"}
    _, rows = run_query(variant_store, "abstentions", {"path": "/nothing"})
    assert rows == []
    recipient = record["files"][0]["provisions"][0]["recipient"]
    _, rows = run_query(variant_store, "provenance", {"text": recipient})
    assert texts(rows, "recordPath", "firstLine", "lastLine") == {("/files/0/provisions/0/recipient", "120", "121")}
    _, rows = run_query(variant_store, "provenance", {
        "about": "https://w3id.org/pia-graph/ontology#name", "assessment_iri": iri})
    assert texts(rows, "value", "firstLine") == {(record["business_name"], "12")}


def test_param_checks(gold_store: Store) -> None:
    with pytest.raises(QueryError, match="no parameter"):
        run_query(gold_store, "contractors", {"nonsense": "x"})
    with pytest.raises(QueryError, match="not an integer"):
        run_query(gold_store, "vendor-concentration", {"min_bodies": "2; DROP ALL"})
    with pytest.raises(QueryError, match="not an absolute IRI"):
        run_query(gold_store, "provenance", {"assessment_iri": "> } DROP ALL {"})
    with pytest.raises(QueryError, match="unknown query"):
        run_query(gold_store, "no-such-query", {})


def test_two_spellings_of_one_recipient_in_one_assessment(variant_store: Store, gold_records: dict) -> None:
    record = variant(_first_with_provision(gold_records))
    record["assessment"]["number"] = "908"
    file = next(f for f in record["files"] if f["provisions"])
    first = file["provisions"][0]
    assert "日本年金機構" in first["recipient"]
    spellings = {first["recipient"], "日本年金機構", "厚生労働大臣（日本年金機構）"}
    file["provisions"] = [dict(first, recipient=name) for name in sorted(spellings)]
    add_record(variant_store, record)
    _, rows = run_query(variant_store, "files-to-recipient", {"recipient": "日本年金機構"})
    # one row per printed entry, each with its own spelling (the entity is shared)
    assert sorted(str(r["recipientName"]) for r in rows) == sorted(spellings)


def test_changes_counted_and_dated(variant_store: Store, gold_records: dict) -> None:
    record = variant(_first_with_provision(gold_records))
    record["assessment"]["number"] = "909"
    row = {"date": None, "item": "試験項目", "before": "旧", "after": "新", "timing": None,
           "timing_reason": None, "text": "試験", "lines": [10, 11]}
    record["changes"] = [dict(row, date="2020-04-01"), dict(row, date="2021-06-30"), dict(row)]
    iri = add_record(variant_store, record)
    plain = variant(_first_with_provision(gold_records))
    plain["assessment"]["number"] = "910"
    other = add_record(variant_store, plain)
    _, rows = run_query(variant_store, "changes", {})
    by_assessment = {str(r["assessment"]): r for r in rows}
    assert int(by_assessment[iri]["changes"].toPython()) == 3
    assert (str(by_assessment[iri]["firstChange"]), str(by_assessment[iri]["lastChange"])) == (
        "2020-04-01", "2021-06-30")
    assert int(by_assessment[other]["changes"].toPython()) == 0 and "firstChange" not in by_assessment[other]
