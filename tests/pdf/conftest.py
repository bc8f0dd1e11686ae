"""Fixtures for the PDF tests: records and the PDFs rendered from them (built once per session)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pdf_records import build_record

from pia_graph.extract.pdf.testing_render import render_pdf

# (seed, files, 提供先, 移転先, 委託事項, kind): None draws the count at random.
RANDOM_SHAPES = [
    (1, 1, None, None, None, "重点項目評価書"),
    (2, 1, 3, 2, 3, "重点項目評価書"),
    (3, 2, None, None, None, "重点項目評価書"),
    (4, 1, 2, 1, 2, "全項目評価書"),
]


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[dict, Path]]:
    """Records with several 提供先/移転先/委託事項 (one with two files, one 全項目), rendered as PDFs."""
    folder = tmp_path_factory.mktemp("rendered")
    result = []
    for seed, files, provisions, transfers, entrustments, kind in RANDOM_SHAPES:
        record = build_record(seed, files=files, provisions=provisions, transfers=transfers,
                              entrustments=entrustments, kind=kind)
        path = folder / f"assessment_{seed}.pdf"
        render_pdf(record, path)
        result.append((record, path))
    return result
