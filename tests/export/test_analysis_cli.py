"""`pia-graph export` / `pia-graph analyze` on a real store, and the analysis functions."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from pia_graph.cli import app
from pia_graph.export.analysis import (
    longest_chains,
    recipient_reach,
    recipients_by_method,
    vendor_concentration,
)
from pia_graph.export.flowgraph import flow_graph
from pia_graph.store import Store

from .sample_graphs import sample_graphs

runner = CliRunner()


@pytest.fixture()
def sample_store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    store = Store(path)
    for iri, graph in sample_graphs():
        store.replace_graph(iri, graph)
    store.close()
    return path


def test_vendor_concentration(sample):
    rows = vendor_concentration(flow_graph(sample))
    top = rows[0]
    assert top["contractor"] == "株式会社　架空システム"
    assert (top["bodies"], top["assessments"], top["files"], top["entrustments"]) == (2, 2, 2, 2)
    assert top["share_of_bodies"] == 1.0
    subs = {r["contractor"]: r for r in rows[1:]}
    assert subs["合同会社下請テック"]["subcontracts"] == 1 and subs["合同会社下請テック"]["bodies"] == 1


def test_longest_chains(sample):
    chains = longest_chains(flow_graph(sample))
    assert chains[0]["chain"] == ["株式会社　架空システム", "合同会社下請テック", "有限会社孫請サービス"]
    assert chains[0]["links"] == 3 and chains[0]["body"] == "架空市長"
    assert [c["links"] for c in chains] == [3, 1]


def test_recipient_reach_and_methods(sample):
    graph = flow_graph(sample)
    rows = recipient_reach(graph, "年金")
    assert {(r["body"], r["file"]) for r in rows} == {("架空市長", "住民税ファイル"), ("空想町長", "児童手当ファイル")}
    by_method = {r["recipient"]: r for r in recipients_by_method(graph)}
    assert by_method["架空年金機構"]["methods"] == {"情報提供ネットワークシステム": 1, "電子メール": 1, "紙": 1}
    assert by_method["架空年金機構"]["bodies"] == 2


def test_analyze_cli_json_and_table(sample_store: Path):
    done = runner.invoke(app, ["analyze", "--store", str(sample_store), "--format", "json", "--recipient", "年金"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["recipient_reach"]["summary"]["bodies"] == 2
    assert report["longest_chains"][0]["links"] == 3
    done = runner.invoke(app, ["analyze", "--store", str(sample_store), "--recipient", "年金"])
    assert done.exit_code == 0, done.output
    assert "vendor concentration" in done.stdout and "架空年金機構" in done.stdout


def test_export_cli_stdout_and_file(sample_store: Path, tmp_path: Path):
    done = runner.invoke(app, ["export", "--store", str(sample_store), "--format", "csv", "--method", "紙"])
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.stdout.lstrip("\ufeff"))))
    assert [(r["flow"], r["to"], r["methods"]) for r in rows] == [("提供", "架空年金機構", "紙")]
    out = tmp_path / "out" / "flows.graphml"
    done = runner.invoke(app, ["export", "--store", str(sample_store), "-f", "graphml", "-o", str(out),
                               "--contractor", "下請"])
    assert done.exit_code == 0, done.output
    back = nx.read_graphml(out, force_multigraph=True)
    assert sorted(d["kind"] for _u, _v, d in back.edges(data=True) if d["kind"] in ("entrust", "subcontract")) == \
        ["entrust", "subcontract", "subcontract"]
    assert not list(out.parent.glob(".*.tmp"))  # atomic write left no temporary file


def test_export_cli_per_assessment(sample_store: Path, tmp_path: Path):
    formats = ["dot", "html"] + (["svg"] if shutil.which("dot") else [])
    for fmt in formats:
        target = tmp_path / fmt
        done = runner.invoke(app, ["export", "--store", str(sample_store), "--per-assessment", "-f", fmt,
                                   "-o", str(target)])
        assert done.exit_code == 0, done.output
        files = sorted(p.name for p in target.iterdir())
        assert files == [f"t1.{fmt}", f"t2.{fmt}"]


def test_export_cli_errors(sample_store: Path, tmp_path: Path):
    done = runner.invoke(app, ["export", "--store", str(sample_store), "-f", "png"])
    assert done.exit_code == 2 and "binary" in done.output
    done = runner.invoke(app, ["export", "--store", str(tmp_path / "nowhere"), "-f", "csv"])
    assert done.exit_code == 2 and "no store here" in done.output
    done = runner.invoke(app, ["export", "--store", str(sample_store), "--per-assessment", "-f", "csv",
                               "-o", str(tmp_path / "x")])
    assert done.exit_code == 2 and "svg, dot or html" in done.output


def test_export_cli_gold_store(shared_dir: Path, tmp_path: Path):
    from openpyxl import load_workbook

    from pia_graph.rdf import record_to_graph

    path = tmp_path / "gold-store"
    with Store(path) as store:
        for record in sorted((shared_dir / "gold").glob("*.json")):
            store.replace_graph(*record_to_graph(json.loads(record.read_text(encoding="utf-8")), curated=True))
        hops = sum(1 for *_r, d in flow_graph(store).edges(keys=True, data=True)
                   if d["kind"] in ("entrust", "subcontract", "provide", "transfer"))
    target = tmp_path / "gold.xlsx"
    done = runner.invoke(app, ["export", "--store", str(path), "-f", "xlsx", "-o", str(target)])
    assert done.exit_code == 0, done.output
    rows = list(load_workbook(target).active.values)
    assert len(rows) - 1 == hops > 5
