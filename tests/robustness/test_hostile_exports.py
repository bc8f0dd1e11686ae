"""Text from documents cannot inject script into the HTML export or break the XML exports.

A hand-edited record carrying markup, quotes, ampersands and control characters goes through
`build` and every exporter of the CLI; the outputs are read back with real parsers and the HTML is
opened in headless Chromium. A lone surrogate is refused at the record loader with the field named.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from export.browser import chromium, missing_browser, severe_console_messages
from openpyxl import load_workbook

from pia_graph.synth import random_record

from .conftest import run_cli

EVIL = '<script>window.__pwned=1</script>"&amp;\x07\x1b]]>'
XML_EXPORTS = ("graphml", "gexf")
ALL_EXPORTS = ("graphml", "gexf", "cytoscape", "csv", "xlsx", "dot", "html")


def _hostile_record() -> dict:
    record = random_record(random.Random(2), 2, kind="重点項目評価書")
    record["assessment"]["organization"] = "悪意市長" + EVIL
    first = record["files"][0]
    first["name"] = "ファイル</title><img src=x onerror=window.__pwned=2>" + EVIL
    for entrustment in first["entrustments"]:
        entrustment["contractor"] = "株式会社<b>" + EVIL
    first["provisions"] = first["provisions"] or [{
        "recipient": None, "legal_basis": None, "purpose": None, "information": None,
        "methods": None, "methods_other": None, "timing": None}]
    for provision in first["provisions"]:
        provision["recipient"] = "日本年金機構" + EVIL
        provision["timing"] = "随時\x00\x0b" + EVIL
        provision["legal_basis"] = "番号法第9条第1項" + EVIL
    first["provision"] = "提供を行っている"
    return record


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    record_file = root / "hostile.json"
    record_file.write_text(json.dumps(_hostile_record(), ensure_ascii=True), encoding="utf-8")
    result = run_cli("build", str(record_file), "--store", str(root / "store"), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    return root / "store"


@pytest.fixture(scope="module")
def exports(hostile_store: Path) -> dict[str, Path]:
    out = hostile_store.parent / "out"
    files = {}
    for fmt in ALL_EXPORTS:
        target = out / f"flows.{fmt}"
        result = run_cli("export", "--store", str(hostile_store), "--format", fmt, "-o", str(target))
        assert result.returncode == 0, (fmt, result.stderr)
        files[fmt] = target
    return files


@pytest.mark.parametrize("fmt", XML_EXPORTS)
def test_xml_exports_parse_and_keep_the_names(exports: dict[str, Path], fmt: str) -> None:
    ET.parse(exports[fmt])  # a real XML parser: nothing broke the markup
    graph = nx.read_graphml(exports[fmt]) if fmt == "graphml" else nx.read_gexf(exports[fmt])
    labels = " ".join(str(data.get("label", "")) for _, data in graph.nodes(data=True))
    assert "<script>window.__pwned=1</script>" in labels
    assert "\x07" not in labels and "\x1b" not in labels


def test_tabular_and_json_exports_read_back(exports: dict[str, Path]) -> None:
    with exports["csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and any("<script>" in " ".join(row.values()) for row in rows)
    sheet = load_workbook(exports["xlsx"]).active
    assert sheet.max_row == len(rows) + 1
    elements = json.loads(exports["cytoscape"].read_text(encoding="utf-8"))
    assert "<script>window.__pwned=1</script>" in json.dumps(elements, ensure_ascii=False)


def test_dot_renders(exports: dict[str, Path]) -> None:
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz `dot` not installed (scripts/install-system-deps.sh installs it)")
    svg = subprocess.run([dot, "-Tsvg", str(exports["dot"])], capture_output=True, timeout=120)
    assert svg.returncode == 0, svg.stderr.decode(errors="replace")
    ET.fromstring(svg.stdout)


@pytest.mark.browser
def test_html_export_runs_no_injected_script(exports: dict[str, Path]) -> None:
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    with chromium() as driver:
        driver.get(exports["html"].as_uri())
        driver.implicitly_wait(5)
        ready = driver.execute_script("return window.piaGraph && window.piaGraph.ready")
        for _ in range(100):
            if ready:
                break
            ready = driver.execute_script("return window.piaGraph && window.piaGraph.ready")
        assert ready, severe_console_messages(driver)
        assert driver.execute_script("return window.__pwned === undefined")
        assert driver.execute_script("return document.querySelectorAll('img').length") == 0
        assert driver.execute_script("return window.piaGraph.search('<script>')") >= 1
        assert severe_console_messages(driver) == []


def test_lone_surrogate_is_refused_with_the_field_named(tmp_path: Path) -> None:
    record = _hostile_record()
    record["files"][0]["provisions"][0]["recipient"] = "日本年金機構\ud800"
    record_file = tmp_path / "surrogate.json"
    record_file.write_text(json.dumps(record, ensure_ascii=True), encoding="utf-8")
    result = run_cli("build", str(record_file), "--store", str(tmp_path / "store"))
    assert result.returncode == 1
    message = [line for line in result.stderr.splitlines() if "surrogate.json" in line]
    assert message and "/files/0/provisions/0/recipient" in message[0] and "surrogate" in message[0]


@pytest.mark.parametrize("rich_rows", [1000, 0])
def test_terminal_tables_carry_no_control_characters(hostile_store: Path, rich_rows: int,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """trace and query tables (rich, and the plain columns of long results) print the hostile
    names without the control characters that could drive a terminal."""
    from typer.testing import CliRunner

    from pia_graph.cli import app, query_cmd

    monkeypatch.setattr(query_cmd, "RICH_TABLE_ROWS", rich_rows)
    for command in (("trace", "--to", "日本年金機構"), ("query", "files-to-recipient"), ("analyze",)):
        result = CliRunner().invoke(app, [*command, "--store", str(hostile_store)])
        assert result.exit_code == 0, result.output
        assert "悪意市長" in result.stdout or "株式会社" in result.stdout, command
        assert not any(char in result.stdout for char in "\x00\x07\x0b\x1b\x9b"), command
