"""Unreadable PDFs: scans, encrypted files, damaged files → one clear InputError naming the file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from _pdf_records import build_record, needs_exact_font
from PIL import Image
from reportlab.pdfgen import canvas

from pia_graph.errors import InputError
from pia_graph.extract.api import extract_path
from pia_graph.extract.pdf import read_pdf
from pia_graph.extract.pdf.testing_render import render_pdf

PIA_GRAPH = Path(sys.executable).parent / "pia-graph"


@pytest.fixture(scope="module")
def good_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("good")
    return render_pdf(build_record(21, provisions=1, transfers=0, entrustments=1), folder / "good.pdf")


def scanned_pdf(path: Path) -> Path:
    """A page that holds only an image (what a scanner produces): no text layer."""
    image_path = path.with_suffix(".png")
    image = Image.new("RGB", (400, 560), "white")
    for x in range(40, 360):
        for y in (60, 61, 120, 121, 180, 181):  # ruled lines, as a scanned form would show
            image.putpixel((x, y), (0, 0, 0))
    image.save(image_path)
    page = canvas.Canvas(str(path))
    page.drawImage(str(image_path), 50, 150, width=400, height=560)
    page.save()
    return path


def encrypted_pdf(path: Path) -> Path:
    return render_pdf(build_record(22, provisions=1, transfers=0), path, encrypt="secret-password")


def truncated_pdf(path: Path, good: Path) -> Path:
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def garbage_pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    return path


@pytest.fixture(scope="module")
def bad_pdfs(tmp_path_factory: pytest.TempPathFactory, good_pdf: Path) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    return {
        "scan": scanned_pdf(folder / "scan.pdf"),
        "encrypted": encrypted_pdf(folder / "encrypted.pdf"),
        "truncated": truncated_pdf(folder / "truncated.pdf", good_pdf),
        "garbage": garbage_pdf(folder / "garbage.pdf"),
    }


EXPECTED_PROBLEM = {
    "scan": "no text layer",
    "encrypted": "encrypted PDF",
    "truncated": "damaged or truncated PDF",
    "garbage": "damaged or truncated PDF",
}


@pytest.mark.parametrize("kind", sorted(EXPECTED_PROBLEM))
def test_read_pdf_names_file_and_problem(bad_pdfs: dict[str, Path], kind: str) -> None:
    path = bad_pdfs[kind]
    with pytest.raises(InputError) as caught:
        read_pdf(path)
    message = str(caught.value)
    assert message.startswith(str(path) + ": ")
    assert EXPECTED_PROBLEM[kind] in caught.value.problem
    assert "\n" not in message


@pytest.mark.parametrize("kind", sorted(EXPECTED_PROBLEM))
def test_extract_path_reports_the_same_problem(bad_pdfs: dict[str, Path], kind: str) -> None:
    with pytest.raises(InputError) as caught:
        extract_path(bad_pdfs[kind])
    assert caught.value.path == str(bad_pdfs[kind])
    assert EXPECTED_PROBLEM[kind] in caught.value.problem


def test_truncated_at_any_point_never_escapes_as_another_error(good_pdf: Path, tmp_path: Path) -> None:
    data = good_pdf.read_bytes()
    for fraction in (0.05, 0.25, 0.5, 0.75, 0.9, 0.97):
        cut = tmp_path / f"cut_{int(fraction * 100)}.pdf"
        cut.write_bytes(data[: int(len(data) * fraction)])
        try:
            pdf = read_pdf(cut)
        except InputError as error:
            assert error.path == str(cut)
            continue
        # pdfminer can recover some truncated files; then the pages it read must be usable text
        assert pdf.text.strip()


@needs_exact_font  # reportlab's encrypted CID fonts lose their Unicode mapping in pdfminer
def test_owner_password_only_is_readable(tmp_path: Path) -> None:
    from reportlab.lib import pdfencrypt

    record = build_record(23, provisions=1, transfers=0)
    path = render_pdf(record, tmp_path / "owner_only.pdf",
                      encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner", canPrint=1))
    assert f" ①事務の名称 {record['business_name']}" in read_pdf(path).text.split("\n")


def test_cli_batch_with_one_bad_pdf_still_writes_the_good_ones(good_pdf: Path, bad_pdfs: dict[str, Path],
                                                                tmp_path: Path) -> None:
    if not PIA_GRAPH.exists():
        pytest.skip(f"console script not installed at {PIA_GRAPH}")
    out = tmp_path / "out"
    result = subprocess.run(
        [str(PIA_GRAPH), "extract", str(good_pdf), str(bad_pdfs["encrypted"]), str(bad_pdfs["scan"]), "-o", str(out)],
        capture_output=True, text=True, encoding="utf-8", timeout=300, check=False,
    )
    assert result.returncode != 0
    assert (out / "good.json").is_file()
    assert not (out / "encrypted.json").exists() and not (out / "scan.json").exists()
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert any("encrypted.pdf" in line and "encrypted PDF" in line for line in errors)
    assert any("scan.pdf" in line and "no text layer" in line for line in errors)
