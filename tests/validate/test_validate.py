"""validate_graph / validate_source: findings, messages, source lines, report formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from pia_graph import vocab as V
from pia_graph.rdf import ontology_graph, record_to_graph
from pia_graph.validate import validate_graph, validate_source

from .records import invented_record

SHAPES = "https://w3id.org/pia-graph/shapes#"


def _findings(report) -> set[tuple[str, str, str]]:
    return {(r.severity, str(r.shape).removeprefix(SHAPES), str(r.path).removeprefix(str(V.PIA)))
            for r in report.results}


def test_invented_complete_record_conforms_without_findings() -> None:
    _, graph = record_to_graph(invented_record())
    report = validate_graph(graph)
    assert report.conforms and report.results == [], report.to_text()


def test_gold_records_give_the_expected_findings(shared_dir: Path) -> None:
    expected = {
        # gold records leave the ambiguous methods null and carry no `uncertain` list
        "000": {("Violation", "FlowValueShape", "method")},
        "001": {("Violation", "FlowValueShape", "method")},
        "002": set(),
    }
    for number, findings in expected.items():
        record = json.loads((shared_dir / "gold" / f"{number}.json").read_text(encoding="utf-8"))
        _, graph = record_to_graph(record)
        report = validate_graph(graph)
        assert _findings(report) == findings, (number, report.to_text())
        assert report.conforms == (not findings)


def test_gold_with_abstentions_recorded_turns_violation_into_info(shared_dir: Path) -> None:
    record = json.loads((shared_dir / "gold" / "000.json").read_text(encoding="utf-8"))
    record["uncertain"] = [{"path": f"/files/0/{group}/0/methods", "candidates": [], "reason": "marks detached"}
                           for group in ("provisions", "transfers")]
    _, graph = record_to_graph(record)
    report = validate_graph(graph)
    assert report.conforms
    assert _findings(report) == {("Info", "FlowAbstainedShape", "method")}
    assert len(report.results) == 2


def test_off_list_method_is_reported_with_its_exact_source_line() -> None:
    _, graph = record_to_graph(invented_record(methods=["紙", "ＦＡＸ"]))
    report = validate_graph(graph)
    [result] = [r for r in report.results if str(r.shape).endswith("ProvisionMethodShape")]
    assert result.severity == "Violation"
    assert str(result.value) == "ＦＡＸ"
    assert (result.first_line, result.last_line, result.page) == (47, 49, 4)
    assert result.location_exact and result.record_path == "/files/0/provisions/0/methods"
    assert result.source_file == "invented-assessment.txt"
    assert result.message_ja.startswith("提供方法") and result.message_en.startswith("A provision method")
    assert "invented-assessment.txt:47-49 p.4" in report.to_text()


def test_linkage_contradiction_is_a_violation_at_the_method_line() -> None:
    _, graph = record_to_graph(invented_record(methods=["情報提供ネットワークシステム"]))
    report = validate_graph(graph)
    [result] = [r for r in report.results if str(r.shape).endswith("LinkageContradictionShape")]
    assert result.severity == "Violation" and not report.conforms
    assert result.value == V.method_concept("情報提供ネットワークシステム")
    assert result.first_line == 47


def test_email_is_a_warning_and_still_conforms() -> None:
    _, graph = record_to_graph(invented_record(methods=["電子メール"]))
    report = validate_graph(graph)
    assert _findings(report) == {("Warning", "RiskyMethodShape", "method")}
    assert report.conforms


def test_count_mismatch_points_at_the_printed_count() -> None:
    record = invented_record()
    record["files"][0]["provision_count"] = 2
    _, graph = record_to_graph(record)
    report = validate_graph(graph)
    [result] = [r for r in report.results if str(r.shape).endswith("CountShape")]
    assert result.path == V.provisionCount and str(result.value) == "2"
    assert result.first_line == 38 and result.location_exact
    assert "2" in result.message_en and "1" in result.message_en


def test_missing_legal_basis_without_abstention_is_a_violation() -> None:
    record = invented_record(legal_basis=None)
    del record["provenance"]["/files/0/provisions/0/legal_basis"]
    _, graph = record_to_graph(record)
    report = validate_graph(graph)
    assert ("Violation", "FlowValueShape", "legalBasis") in _findings(report)
    [result] = report.results
    assert result.first_line is not None and not result.location_exact   # a neighbouring line
    # with a span for the blank cell itself, the location is exact
    _, graph = record_to_graph(invented_record(legal_basis=None))
    [result] = validate_graph(graph).results
    assert (result.first_line, result.location_exact) == (41, True)


def test_unparsed_legal_basis_gives_warning_and_info() -> None:
    _, graph = record_to_graph(invented_record(legal_basis="関係規程のとおり"))
    report = validate_graph(graph)
    assert _findings(report) == {("Warning", "LegalBasisShape", "cites"),
                                 ("Info", "UnparsedLegalTextShape", "legalText")}
    warning = next(r for r in report.results if r.severity == "Warning")
    assert warning.first_line == 41          # the provision's 法令上の根拠 line


def test_report_formats() -> None:
    _, graph = record_to_graph(invented_record(methods=["電子メール", "ＦＡＸ"]))
    report = validate_graph(graph)
    text = report.to_text().splitlines()
    assert len(text) == len(report.results) + 1 and text[-1].endswith("does not conform")
    assert all(" / " in line for line in text[:-1])
    data = json.loads(report.to_json())
    assert data["conforms"] is False and data["counts"]["Violation"] == 1 and data["counts"]["Warning"] == 1
    assert {r["message"]["ja"][:2] for r in data["results"]} and all(r["assessment"] for r in data["results"])
    assert data["results"][0]["source"]["first_line"] == 47
    turtle = Graph().parse(data=report.to_turtle(), format="turtle")
    [node] = list(turtle.subjects(SH.conforms, None))
    assert len(list(turtle.objects(node, SH.result))) == 2
    assert len(list(turtle.subject_objects(V.firstLine))) == 2


def test_validate_source_runs_per_assessment_graph(tmp_path: Path) -> None:
    from pia_graph.store import Store

    store = Store(tmp_path / "store")
    good_iri, good = record_to_graph(invented_record())
    bad_record = invented_record(methods=["フラッシュメモリ", "ＦＡＸ"])
    bad_record["assessment"]["number"] = "8"
    bad_iri, bad = record_to_graph(bad_record)
    store.replace_graph(good_iri, good)
    store.replace_graph(bad_iri, bad)
    store.ensure_ontology(ontology_graph())
    report = validate_source(store)
    store.close()
    assert sorted(report.assessments) == sorted([good_iri, bad_iri])
    assert {r.assessment for r in report.results} == {bad_iri}
    assert {r.severity for r in report.results} == {"Violation", "Warning"}
    assert all(r.first_line == 47 for r in report.results)


@pytest.mark.parametrize("number", ["000", "001", "002"])
def test_extracted_seeds_validate_with_source_lines(seed_pairs: list[tuple[Path, Path]], number: str) -> None:
    from pia_graph.extract.api import extract_path

    seed = next((s for s, _ in seed_pairs if s.name.startswith(number)), None)
    if seed is None:
        pytest.skip(f"seed {number} absent")
    _, graph = record_to_graph(extract_path(seed))
    report = validate_graph(graph)
    for result in report.results:
        assert result.message_ja and result.message_en
        if result.severity == "Violation":
            assert result.first_line is not None, result.to_text()


def test_abstention_with_lines_locates_the_info_result() -> None:
    record = invented_record(methods=None)
    del record["provenance"]["/files/0/provisions/0/methods"]
    record["uncertain"] = [{"path": "/files/0/provisions/0/methods", "candidates": ["紙"],
                            "reason": "marks detached", "lines": [47, 49], "page": 4}]
    _, graph = record_to_graph(record)
    [result] = validate_graph(graph).results
    assert result.severity == "Info"
    assert (result.first_line, result.last_line, result.page, result.location_exact) == (47, 49, 4, True)
    assert result.record_path == "/files/0/provisions/0/methods"


def test_span_for_a_null_value_names_its_property() -> None:
    record = invented_record(timing=None)
    record["uncertain"] = [{"path": "/files/0/provisions/0/timing", "candidates": [], "reason": "blank cell"}]
    record["provenance"]["/files/0/provisions/0/timing"] = {"lines": [50, 50]}
    _, graph = record_to_graph(record)
    [result] = validate_graph(graph).results
    assert result.severity == "Info" and result.path == V.timing
    assert result.first_line == 50 and result.location_exact


def test_the_json_report_written_in_pieces_is_the_json_of_the_whole_report() -> None:
    """`validate --format json` writes the report one result at a time; the text must be the one
    json.dumps gives for the whole report (quotes, line breaks and empty lists included)."""
    import json

    from rdflib import Literal, URIRef

    from pia_graph.validate.report import Report, Result

    def whole(report: Report) -> str:
        data = {"conforms": report.conforms, "counts": report.counts(),
                "assessments": [str(a) for a in report.assessments], "errors": report.errors,
                "results": [result.to_json() for result in report.sorted_results()]}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    violation = Result("Violation", "改行\nあり", 'with "quotes"', URIRef("https://example.org/a"),
                       URIRef("https://example.org/f"), None, Literal("値"), None)
    info = Result("Info", "保留", "abstained", None, URIRef("https://example.org/g"),
                  URIRef("https://example.org/p"), None, URIRef("https://example.org/s"), first_line=3, last_line=4)
    for report in (Report(), Report(results=[violation], assessments=[URIRef("https://example.org/a")], errors=["x"]),
                   Report(results=[violation, info, violation], errors=[])):
        assert report.to_json() == whole(report)
        assert json.loads(report.to_json())["counts"] == report.counts()


def test_extracted_basic_form_conforms_with_its_listed_file() -> None:
    """A 基礎項目評価書 has no Ⅱ per file; the files its Ⅰ2 lists satisfy 'at least one file'."""
    from pia_graph.extract.api import extract_path

    kiso = Path(__file__).parents[1] / "extract" / "fixtures_core" / "kiso_kakuu.txt"
    _, graph = record_to_graph(extract_path(kiso))
    report = validate_graph(graph)
    assert report.conforms and not [r for r in report.results if r.severity == "Violation"], report.to_text()
    assert len(list(graph.subjects(V.RDF.type, V.PersonalInfoFile))) == 1
