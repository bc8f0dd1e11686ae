"""`pia-graph build` and `pia-graph export-rdf` through the real command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset
from typer.testing import CliRunner

from pia_graph.cli import app
from pia_graph.store import Store


@pytest.fixture
def records(shared_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "records"
    shutil.copytree(shared_dir / "gold", target)
    return target


def build(*args: str) -> object:
    return CliRunner().invoke(app, ["build", *args])


def test_build_then_rebuild(records: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = build(str(records), "--store", str(store), "--jobs", "1")
    assert first.exit_code == 0, first.stderr
    assert "3 ingested, 0 unchanged (skipped), 0 failed" in first.stderr
    second = build(str(records), "--store", str(store))
    assert second.exit_code == 0
    assert "0 ingested, 3 unchanged (skipped), 0 failed" in second.stderr
    with Store(store) as opened:
        assert len(opened.assessment_graphs()) == 3


def test_build_without_a_terminal_logs_progress_lines(records: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """No live bar in a log: a line every PROGRESS_LOG_SECONDS, naming the waits for the store."""
    from pia_graph.cli import graph_cmd

    quiet = build(str(records), "--store", str(tmp_path / "quiet"), "--jobs", "1")
    assert quiet.exit_code == 0 and "building:" not in quiet.stderr   # a short build stays quiet
    monkeypatch.setattr(graph_cmd, "PROGRESS_LOG_SECONDS", 0.0)
    logged = build(str(records), "--store", str(tmp_path / "logged"), "--jobs", "1", "--stream-documents", "2")
    assert logged.exit_code == 0, logged.stderr
    lines = [line for line in logged.stderr.splitlines() if line.startswith("building: ")]
    assert [line for line in lines if "/3 documents" in line][-1].startswith("building: 3/3 documents (")
    assert lines.count("building: storing 2 new assessments") == 1
    assert lines.count("building: storing 1 new assessment") == 1
    with Store(tmp_path / "logged") as store:
        assert len(store.assessment_graphs()) == 3


def test_build_reports_each_failed_input_and_exits_1(records: Path, tmp_path: Path) -> None:
    broken = records / "broken.json"
    broken.write_text("[]", encoding="utf-8")
    result = build(str(records), "--store", str(tmp_path / "store"), "--jobs", "1")
    assert result.exit_code == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 1 and str(broken) in failed[0]
    assert "3 ingested" in result.stderr


def test_build_usage_and_store_errors_exit_2(records: Path, tmp_path: Path) -> None:
    not_a_store = tmp_path / "plain-file"
    not_a_store.write_text("x", encoding="utf-8")
    result = build(str(records), "--store", str(not_a_store))
    assert result.exit_code == 2 and "not a store" in result.stderr
    with Store(tmp_path / "busy"):
        result = build(str(records), "--store", str(tmp_path / "busy"))
    assert result.exit_code == 2 and "in use" in result.stderr
    no_path = build("--store", str(tmp_path / "store"))
    assert no_path.exit_code == 2 and "give the assessment files or directories" in no_path.stderr


def test_build_reindex_rebuilds_the_flow_index_from_the_store(records: Path, tmp_path: Path) -> None:
    """A store written by another tool: --reindex rebuilds the index (and the handoffs) from
    the graphs themselves, with or without inputs."""
    store = tmp_path / "store"
    assert build(str(records), "--store", str(store), "--jobs", "1").exit_code == 0
    with Store(store) as opened:
        index = opened.fresh_flow_index()
        assert index is not None and index.handoffs_current()
        before = index.entries()
        index._db.execute("DELETE FROM flows")   # as a tool writing beside pia-graph might leave it
        index._db.commit()
    result = build("--store", str(store), "--reindex")
    assert result.exit_code == 0, result.stderr
    assert "flow index: 3 assessment graphs indexed from the store" in result.stderr
    assert "0 ingested, 0 unchanged (skipped), 0 failed" in result.stderr
    with Store(store) as opened:
        index = opened.fresh_flow_index()
        assert index is not None and index.entries() == before and index.handoffs_current()
        (flows,) = index._db.execute("SELECT count(*) FROM flows").fetchone()
        assert flows > 0
    again = build(str(records), "--store", str(store), "--reindex")
    assert again.exit_code == 0 and "3 unchanged (skipped)" in again.stderr and "3 assessment graphs" in again.stderr


def test_export_rdf_formats_round_trip(records: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert build(str(records), "--store", str(store), "--jobs", "1").exit_code == 0
    with Store(store) as opened:
        quads = len(opened)
        graphs = opened.assessment_graphs()
        originals = {name: opened.graph(name) for name in graphs}
    runner = CliRunner()
    for fmt, syntax in (("trig", ox.RdfFormat.TRIG), ("nquads", ox.RdfFormat.N_QUADS),
                        ("jsonld", ox.RdfFormat.JSON_LD)):
        out = tmp_path / f"dump.{fmt}"
        result = runner.invoke(app, ["export-rdf", "--store", str(store), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.stderr
        loaded = ox.Store()
        loaded.load(path=str(out), format=syntax)
        assert len(loaded) == quads, fmt
    dataset = Dataset()
    dataset.parse(str(tmp_path / "dump.trig"), format="trig")
    for name, original in originals.items():
        assert dataset.graph(name).isomorphic(original)
    stdout = runner.invoke(app, ["export-rdf", "--store", str(store), "--format", "nquads"])
    assert stdout.exit_code == 0
    assert sorted(stdout.stdout.splitlines()) == sorted((tmp_path / "dump.nquads").read_text("utf-8").splitlines())
    missing = runner.invoke(app, ["export-rdf", "--store", str(tmp_path / "nothing"), "--format", "trig"])
    assert missing.exit_code == 2 and "no store here" in missing.stderr
    assert not (tmp_path / "nothing").exists()


def test_build_tells_when_it_removed_graphs_of_an_interrupted_build(records: Path, tmp_path: Path) -> None:
    from pia_graph.store.oxigraph_store import STREAM_JOURNAL

    store = tmp_path / "store"
    assert build(str(records), "--store", str(store), "--jobs", "1").exit_code == 0
    with Store(store) as opened:
        victim = str(opened.assessment_graphs()[0])
    (store / STREAM_JOURNAL).write_text(victim + "\n", encoding="utf-8")   # as a crash mid-stream leaves it
    result = build(str(records), "--store", str(store), "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    said = result.stderr.splitlines()
    # said before the removal starts (it can take minutes), then how many were removed
    assert said.index(f"{store}: an earlier build was interrupted; removing the graphs it left half-loaded") < \
        said.index("note: 1 graphs left half-loaded by an interrupted build were removed; they are loaded again "
                   "from their inputs")
    assert "1 ingested, 2 unchanged (skipped), 0 failed" in result.stderr
