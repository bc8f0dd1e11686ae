"""PDF input through extract_path and the CLI: a gold record rendered as a form-like PDF is read
back by the PDF reader, extracted, and its provenance carries page and bbox."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pia_graph.extract.api import extract_path

PIA_GRAPH = Path(sys.executable).parent / "pia-graph"


@pytest.fixture(scope="module")
def rendered_pdf(seed_pairs: list[tuple[Path, Path]], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    testing_render = pytest.importorskip("pia_graph.extract.pdf.testing_render")
    _seed, gold_path = seed_pairs[0]
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    target = tmp_path_factory.mktemp("pdf") / "rendered.pdf"
    testing_render.render_pdf(gold, target)
    return target, gold


def test_pdf_record_through_extract_path(rendered_pdf: tuple[Path, dict]) -> None:
    path, gold = rendered_pdf
    record = extract_path(path)
    assert record["source"] == "rendered.pdf"
    assert record["business_name"] == gold["business_name"]
    located = [entry for entry in record["provenance"].values() if "page" in entry]
    assert located, "annotate_provenance added no page/bbox"
    for entry in located:
        assert entry["page"] >= 1
        assert len(entry["bbox"]) == 4


def test_pdf_under_a_text_name_is_read_as_pdf(rendered_pdf: tuple[Path, dict], tmp_path: Path) -> None:
    path, gold = rendered_pdf
    renamed = tmp_path / "renamed.txt"
    renamed.write_bytes(path.read_bytes())
    record = extract_path(renamed)
    assert record["source"] == "renamed.txt"
    assert record["business_name"] == gold["business_name"]


def test_pdf_through_the_cli(rendered_pdf: tuple[Path, dict], tmp_path: Path) -> None:
    if not PIA_GRAPH.exists():
        pytest.skip(f"console script not installed at {PIA_GRAPH}")
    path, gold = rendered_pdf
    result = subprocess.run([str(PIA_GRAPH), "extract", str(path), "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, encoding="utf-8", timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    record = json.loads((tmp_path / "out" / "rendered.json").read_text(encoding="utf-8"))
    assert record["assessment"]["organization"] == gold["assessment"]["organization"]
