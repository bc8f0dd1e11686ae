"""Example records (examples/*.expected.json) and the gold records, rendered as PDFs and read back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from _pdf_records import TOTAL, checked_sets, parse_checkbox_fields

from pia_graph.extract.api import extract_path
from pia_graph.extract.pdf import read_pdf
from pia_graph.extract.pdf.testing_render import render_pdf

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.expected.json"))


@pytest.fixture(scope="module")
def example_pdfs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict, Path]]:
    if not EXAMPLES:
        pytest.skip("no examples/*.expected.json in this checkout")
    folder = tmp_path_factory.mktemp("examples")
    result = []
    for example in EXAMPLES:
        record = json.loads(example.read_text(encoding="utf-8"))
        result.append((example, record, render_pdf(record, folder / example.name.replace(".expected.json", ".pdf"))))
    return result


def test_every_example_checkbox_comes_back(example_pdfs: list[tuple[Path, dict, Path]]) -> None:
    compared = 0
    for example, record, pdf_path in example_pdfs:
        found = parse_checkbox_fields(read_pdf(pdf_path).text)
        for field, options in checked_sets(record).items():
            assert sorted(o for o, checked, _ in found[field] if checked) == sorted(options), (example.name, field)
            compared += 1
        for field in set(found) - set(checked_sets(record)):
            # grids the record has no data for are printed with every box empty
            assert not any(checked for _, checked, _ in found[field]), (example.name, field)
    assert compared >= len(example_pdfs) * 4


def test_examples_extract_exactly(example_pdfs: list[tuple[Path, dict, Path]], shared_dir: Path,
                                  tmp_path: Path) -> None:
    args = []
    for example, _record, pdf_path in example_pdfs:
        out = tmp_path / f"{pdf_path.stem}.json"
        out.write_text(json.dumps(extract_path(pdf_path), ensure_ascii=False), encoding="utf-8")
        args += [str(example), str(out)]
    result = subprocess.run([sys.executable, str(shared_dir / "tools" / "score_extraction.py"), *args, "--show", "80"],
                            capture_output=True, text=True, encoding="utf-8", timeout=300, check=True)
    totals = TOTAL.match(result.stdout.strip().splitlines()[-1])
    assert totals, result.stdout
    assert float(totals["p"]) == 1.0 and float(totals["r"]) == 1.0, result.stdout
    assert int(totals["tp"]) > 100, result.stdout


def test_gold_records_rendered_as_pdf_extract_exactly(seed_pairs: list[tuple[Path, Path]], shared_dir: Path,
                                                      tmp_path: Path) -> None:
    """The hand-checked gold records (../shared/gold), drawn as forms and read back."""
    args = []
    for _seed, gold in seed_pairs:
        pdf = render_pdf(json.loads(gold.read_text(encoding="utf-8")), tmp_path / f"{gold.stem}.pdf")
        out = tmp_path / f"{gold.stem}.out.json"
        out.write_text(json.dumps(extract_path(pdf), ensure_ascii=False), encoding="utf-8")
        args += [str(gold), str(out)]
    result = subprocess.run([sys.executable, str(shared_dir / "tools" / "score_extraction.py"), *args, "--show", "80"],
                            capture_output=True, text=True, encoding="utf-8", timeout=300, check=True)
    totals = TOTAL.match(result.stdout.strip().splitlines()[-1])
    assert totals, result.stdout
    assert float(totals["p"]) == 1.0 and float(totals["r"]) == 1.0, result.stdout
