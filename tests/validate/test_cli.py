"""`pia-graph validate`: exit codes (pySHACL's), formats, bad files, --store."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pia_graph.rdf import ontology_graph, record_to_graph

from .records import invented_record

CLI = Path(sys.executable).parent / "pia-graph"


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The installed console script in its own process (exit codes as a shell sees them)."""
    return subprocess.run([str(CLI), "validate", *map(str, args)], capture_output=True, text=True, timeout=300)


@dataclass
class _Outcome:
    returncode: int
    stdout: str
    stderr: str


def _invoke(*args: str | Path) -> _Outcome:
    """The same command in this process (faster; pySHACL stays warm between tests)."""
    from typer.testing import CliRunner

    from pia_graph.cli import app

    result = CliRunner().invoke(app, ["validate", *map(str, args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return _Outcome(result.exit_code, result.stdout, result.stderr)


def _write(path: Path, record: dict) -> Path:
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path


def test_conforming_record_exits_0(tmp_path: Path) -> None:
    result = _invoke(_write(tmp_path / "ok.json", invented_record()))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("conforms")


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    result = _invoke(_write(tmp_path / "mail.json", invented_record(methods=["電子メール"])))
    assert result.returncode == 0
    assert result.stdout.startswith("WARNING invented-assessment.txt:47-49 p.4 ")


def test_violations_exit_1_with_one_line_per_finding(tmp_path: Path) -> None:
    result = _run(_write(tmp_path / "bad.json", invented_record(methods=["情報提供ネットワークシステム"])))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("VIOLATION invented-assessment.txt:47-49")
    assert "情報連携" in lines[0] and "information-provision network" in lines[0]


def test_bad_file_is_named_and_the_others_still_validated(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    good = _write(tmp_path / "good.json", invented_record())
    result = _invoke(broken, good)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: {broken}: not valid JSON (line 1, column 2: "
                                                  "Expecting property name enclosed in double quotes)"]
    assert "1 assessment(s)" in result.stdout


def test_only_bad_inputs_exit_2(tmp_path: Path) -> None:
    result = _run(tmp_path / "absent.json")
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'absent.json'}: no such file"
    assert result.stdout.strip() == "no assessment validated (1 input error(s))"
    assert _run().returncode == 2


def test_json_and_turtle_formats(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.json", invented_record(methods=["ＦＡＸ"]))
    data = json.loads(_invoke(path, "--format", "json").stdout)
    assert data["conforms"] is False and data["results"][0]["source"]["first_line"] == 47
    from rdflib import Graph
    from rdflib.namespace import SH

    turtle = _invoke(path, "--format", "turtle")
    assert turtle.returncode == 1
    graph = Graph().parse(data=turtle.stdout, format="turtle")
    assert len(list(graph.subjects(SH.resultSeverity, SH.Violation))) == 1


def test_store_validation(tmp_path: Path) -> None:
    from pia_graph.store import Store

    store = Store(tmp_path / "store")
    iri, graph = record_to_graph(invented_record(methods=["フラッシュメモリ"]))
    store.replace_graph(iri, graph)
    store.ensure_ontology(ontology_graph())
    store.close()
    result = _invoke("--store", tmp_path / "store")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("WARNING ") and "1 assessment(s)" in result.stdout
    missing = _invoke("--store", tmp_path / "nowhere")
    assert missing.returncode == 2 and "no store here" in missing.stderr


def test_assessment_text_is_extracted_then_validated(seed_pairs: list[tuple[Path, Path]]) -> None:
    seed, _ = seed_pairs[0]
    result = _run(seed, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(result.stdout)
    assert len(data["assessments"]) == 1
    assert all(r["source"]["file"] == seed.name for r in data["results"])


def test_directory_inputs(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    (folder / "nested").mkdir(parents=True)
    _write(folder / "a.json", invented_record())
    second = invented_record(methods=["ＦＡＸ"])
    second["assessment"]["number"] = "99"
    _write(folder / "nested" / "b.json", second)
    (folder / "notes.md").write_text("not an input", encoding="utf-8")
    result = _invoke(folder)
    assert result.returncode == 1
    assert "2 assessment(s)" in result.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = _invoke(empty)
    assert nothing.returncode == 2 and "directory holds no .json, .txt or .pdf files" in nothing.stderr


def test_build_then_validate_store(shared_dir: Path, tmp_path: Path) -> None:
    """End to end with the store stage: `pia-graph build` the gold records, then validate the store."""
    from typer.testing import CliRunner

    from pia_graph.cli import app

    store = tmp_path / "store"
    built = CliRunner().invoke(app, ["build", str(shared_dir / "gold"), "--store", str(store)])
    assert built.exit_code == 0, built.stdout + built.stderr
    result = _invoke("--store", store, "--format", "json")
    data = json.loads(result.stdout)
    assert len(data["assessments"]) == 3
    findings = {(r["severity"], r["shape"].rsplit("#", 1)[-1], r["path"].rsplit("#", 1)[-1])
                for r in data["results"]}
    assert findings == {("Violation", "FlowValueShape", "method")}
    assert result.returncode == 1


def test_pdf_input_reports_page_and_line(tmp_path: Path) -> None:
    """An invented record drawn as a PDF: extracted, validated, the finding located on its page."""
    testing_render = pytest.importorskip("pia_graph.extract.pdf.testing_render")
    record = invented_record(methods=["電子メール"])
    record.pop("provenance")
    record.pop("uncertain")
    pdf = testing_render.render_pdf(record, tmp_path / "invented.pdf")
    result = _invoke(pdf, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    [finding] = data["results"]
    assert finding["shape"].endswith("RiskyMethodShape") and finding["severity"] == "Warning"
    assert finding["source"]["file"] == "invented.pdf"
    assert finding["source"]["page"] >= 1 and finding["source"]["first_line"] >= 1
    assert finding["source"]["exact"] is True
