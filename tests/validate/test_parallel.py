"""Validating a store in worker processes gives the report one process gives; a worker that
cannot read the source is reported, not fatal; a log without a terminal gets progress lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from pia_graph.rdf import ontology_graph, record_to_graph
from pia_graph.store import Store
from pia_graph.validate.source import BATCH_GRAPHS, SourceSpec, validate_source

from .records import invented_record

CLI = Path(sys.executable).parent / "pia-graph"
METHODS = (["紙"], ["ＦＡＸ"], ["フラッシュメモリ"], ["情報提供ネットワークシステム"])


def assessments(count: int) -> list[tuple[object, Graph]]:
    """``count`` invented assessments, conforming, with warnings, or with violations in turn."""
    graphs = []
    for number in range(count):
        record = invented_record(methods=METHODS[number % len(METHODS)])
        record["assessment"]["number"] = str(100 + number)
        graphs.append(record_to_graph(record))
    return graphs


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parallel") / "store"
    target = Store(path)
    for iri, graph in assessments(3 * BATCH_GRAPHS + 3):
        target.replace_graph(iri, graph)
    target.ensure_ontology(ontology_graph())
    target.close()
    return path


def test_workers_give_the_report_of_one_process(store: Path) -> None:
    source = Store(store, read_only=True)
    try:
        alone = validate_source(source)
        shared = validate_source(source, jobs=2, spec=SourceSpec(store=store))
    finally:
        source.close()
    assert len(alone.assessments) == 3 * BATCH_GRAPHS + 3 and not alone.errors
    assert alone.counts()["Violation"] > 0 and alone.counts()["Warning"] > 0
    assert shared.assessments == alone.assessments
    assert shared.to_json() == alone.to_json()
    assert len(shared.graph) == len(alone.graph) > 0


def test_without_the_report_graph_the_findings_are_the_same(store: Path) -> None:
    source = Store(store, read_only=True)
    try:
        full = validate_source(source, jobs=2, spec=SourceSpec(store=store))
        lean = validate_source(source, jobs=2, spec=SourceSpec(store=store), keep_graph=False)
    finally:
        source.close()
    assert len(lean.graph) == 0 < len(full.graph)
    assert lean.to_json() == full.to_json()


def test_a_worker_that_cannot_open_the_source_is_reported(store: Path, tmp_path: Path) -> None:
    source = Store(store, read_only=True)
    try:
        report = validate_source(source, jobs=2, spec=SourceSpec(store=tmp_path / "gone"))
    finally:
        source.close()
    assert not report.results
    assert len(report.errors) == 3 * BATCH_GRAPHS + 3
    assert all("no store here" in error for error in report.errors)


def test_cli_in_a_log_prints_progress_lines_and_the_turtle_report(
        store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """stderr is not a terminal here, as in a cron job's log: no live line, but a line every
    PROGRESS_LOG_SECONDS (0 here) and the report on stdout."""
    from typer.testing import CliRunner

    from pia_graph.cli import app, validate_cmd

    monkeypatch.setattr(validate_cmd, "PROGRESS_LOG_SECONDS", 0.0)
    result = CliRunner().invoke(app, ["validate", "--store", str(store), "-j", "2", "--format", "turtle"])
    assert result.exit_code == 1, result.stderr
    total = 3 * BATCH_GRAPHS + 3
    lines = result.stderr.splitlines()
    assert lines[-1].startswith(f"validated {total}/{total} assessment graphs (")
    assert lines[0].startswith(f"validated {BATCH_GRAPHS}/{total} assessment graphs (")
    assert "\x1b" not in result.stderr
    graph = Graph().parse(data=result.stdout, format="turtle")
    source = Store(store, read_only=True)
    try:
        expected = validate_source(source).counts()
    finally:
        source.close()
    assert len(list(graph.subjects(SH.resultSeverity, SH.Violation))) == expected["Violation"]
    assert len(list(graph.subjects(SH.resultSeverity, SH.Warning))) == expected["Warning"]
    quiet = subprocess.run([str(CLI), "validate", "--store", str(store), "-j", "2", "--format", "json"],
                           capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 1, quiet.stderr
    assert json.loads(quiet.stdout)["counts"] == expected
    assert quiet.stderr == ""   # a run shorter than PROGRESS_LOG_SECONDS says nothing


def _record_files(directory: Path, count: int) -> list[Path]:
    paths = []
    for number, (_iri, _graph) in enumerate(assessments(count)):
        record = invented_record(methods=METHODS[number % len(METHODS)])
        record["assessment"]["number"] = str(300 + number)
        path = directory / f"record-{number:02d}.json"
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def test_files_in_workers_give_the_report_of_one_process(tmp_path: Path) -> None:
    from pia_graph.validate.files import validate_paths

    paths = _record_files(tmp_path, 7)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    paths.insert(3, broken)
    seen: list[str] = []
    alone, alone_failures = validate_paths(paths)
    shared, shared_failures = validate_paths(paths, jobs=2, on_error=seen.append)
    assert alone_failures == shared_failures == 1
    assert len(seen) == 1 and "broken.json" in seen[0]
    assert len(shared.assessments) == 7 and shared.assessments == alone.assessments
    assert shared.to_json() == alone.to_json()
    assert len(shared.graph) == len(alone.graph) > 0


def test_a_file_that_kills_its_worker_fails_alone(tmp_path: Path) -> None:
    from pia_graph.validate.files import _in_workers

    from .crashing_validator import crash_on_marked

    paths = _record_files(tmp_path, 6)
    crash = tmp_path / "crash.json"
    crash.write_text("{}", encoding="utf-8")
    paths.insert(2, crash)
    outcomes = list(_in_workers(paths, 2, False, crash_on_marked))
    assert [path for path, _ in outcomes] == paths
    failed = {path.name: outcome for path, outcome in outcomes if isinstance(outcome, str)}
    assert list(failed) == ["crash.json"] and "worker process died" in failed["crash.json"]
    assert sum(len(outcome.assessments) for _, outcome in outcomes if not isinstance(outcome, str)) == 6


def test_a_graph_that_cannot_be_fetched_is_an_error_and_the_others_go_on(store: Path) -> None:
    from pia_graph.store.remote import RemoteQueryError

    class Flaky(Store):
        def graph(self, iri):  # type: ignore[no-untyped-def]
            if str(iri).endswith("/102/focused"):
                raise RemoteQueryError("connection lost")
            return super().graph(iri)

    source = Flaky(store, read_only=True)
    try:
        report = validate_source(source)
    finally:
        source.close()
    assert len(report.errors) == 1 and "/102/focused" in report.errors[0] and "connection lost" in report.errors[0]
    assert len(report.assessments) == 3 * BATCH_GRAPHS + 2
