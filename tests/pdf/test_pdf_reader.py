"""read_pdf on PDFs rendered from records: plain extraction detaches the marks, geometry does not."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from _pdf_records import OPTIONS, build_record, checked_sets, needs_exact_font, parse_checkbox_fields
from pdfminer.high_level import extract_text as pdfminer_extract_text

from pia_graph.extract.pdf import LineLocation, read_pdf
from pia_graph.extract.pdf.testing_render import EXACT_FONT, render_pdf


@pytest.fixture(scope="module")
def read_back(rendered: list[tuple[dict, Path]]) -> list[tuple[dict, Path, object]]:
    return [(record, path, read_pdf(path)) for record, path in rendered]


@needs_exact_font
def test_renderer_font_round_trips_exactly(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    from pia_graph.extract.pdf.testing_render import FONT

    assert EXACT_FONT
    sample = "全角　スペース－～―‐・･①⑳Ⅱ〇○●［］（）＜＞１２３ＡＢＣ髙﨑"
    path = tmp_path / "chars.pdf"
    page = canvas.Canvas(str(path))
    page.setFont(FONT, 10)
    page.drawString(50, 700, sample)
    page.save()
    with pdfplumber.open(path) as pdf:
        assert "".join(char["text"] for char in pdf.pages[0].chars) == sample


def test_plain_extraction_detaches_marks_like_the_seeds(rendered: list[tuple[dict, Path]]) -> None:
    for record, path in rendered:
        checked = [option for options in checked_sets(record).values() for option in options]
        assert checked
        plain_texts = {"pdfminer": pdfminer_extract_text(str(path))}
        with pdfplumber.open(path) as pdf:
            plain_texts["pdfplumber"] = "\n".join(page.extract_text() or "" for page in pdf.pages)
        for tool, plain in plain_texts.items():
            # The marks are all there ...
            assert plain.count("○") == len(checked), tool
            # ... but none sits right before its label, so the "[ ○ ] label" rule recovers nothing.
            for option in checked:
                bound = re.compile(r"[○〇][ \u3000]*[\]］][ \u3000]*" + re.escape(option))
                assert not bound.search(plain), f"{tool}: mark still bound to {option!r} in {path.name}"


def test_geometry_recovers_every_checkbox(read_back: list[tuple[dict, Path, object]]) -> None:
    total = 0
    for record, path, pdf in read_back:
        expected = checked_sets(record)
        found = parse_checkbox_fields(pdf.text)
        assert set(found) == set(expected), path.name
        for field, items in found.items():
            options = OPTIONS[field.rsplit("/", 1)[1]]
            # every option of the form printed once, checked exactly when the record says so
            assert [option for option, _, _ in items] == [o for o in options if o in {i[0] for i in items}], field
            printed = [option for option, _, _ in items]
            # 4情報 and 5情報 are the same box in different form versions: one of them is printed
            versioned = ("4情報", "5情報")
            assert sum(option.startswith(versioned) for option in printed) == (field.endswith("主な記録項目"))
            assert sorted(printed) == sorted(o for o in options if o in printed or not o.startswith(versioned)), field
            assert [option for option, checked, _ in items if checked] == expected[field], field
            total += len(items)
        assert pdf.checkboxes == sum(len(items) for items in found.values())
    assert total > 250


def test_other_text_and_source_details_stay_with_their_boxes(read_back: list[tuple[dict, Path, object]]) -> None:
    for record, _path, pdf in read_back:
        found = parse_checkbox_fields(pdf.text)
        for file_index, file in enumerate(record["files"]):
            for noun, kind in (("提供", "provisions"), ("移転", "transfers")):
                for number, flow in enumerate(file[kind], start=1):
                    items = found[f"file{file_index}/{noun}先{number}/⑥{noun}方法"]
                    other = [detail for option, checked, detail in items if option == "その他" and checked]
                    assert other == ([flow["methods_other"]] if flow["methods_other"] else [])
            sources = found[f"file{file_index}/①入手元"]
            details = {option: detail for option, checked, detail in sources if checked and detail}
            assert details == file["sources_detail"]


def test_layout_contract(read_back: list[tuple[dict, Path, object]]) -> None:
    for _record, path, pdf in read_back:
        lines = pdf.text.split("\n")
        assert len(pdf.locations) == len(lines) == len(pdf.text.splitlines())
        for line, location in zip(lines, pdf.locations, strict=True):
            if not line.strip():
                assert location is None
                continue
            assert isinstance(location, LineLocation)
            assert 1 <= location.page <= pdf.pages
            assert location.x0 < location.x1 and location.top < location.bottom
            # a label line starts with exactly one space, a value line never with a space
            assert not line.startswith("  ")
        label_lines = [line for line in lines if line.startswith(" ")]
        assert " ⑥提供方法" in {line.split(" [")[0] for line in label_lines}
        # pages are separated by exactly three blank lines and stay in order
        pages = [page for page in re.split(r"\n\n\n\n", pdf.text) if page.strip()]
        assert len(pages) == pdf.pages, path.name
        page_numbers = [loc.page for loc in pdf.locations if loc is not None]
        assert page_numbers == sorted(page_numbers)
        assert "\n\n\n\n\n" not in pdf.text


def test_reading_order_follows_the_form(read_back: list[tuple[dict, Path, object]]) -> None:
    record, _path, pdf = read_back[1]  # three 提供先, two 移転先, three 委託事項
    text = pdf.text
    file = record["files"][0]
    positions = [text.index(f" 委託事項{i} {item['title']}") for i, item in enumerate(file["entrustments"], 1)]
    positions += [text.index(f" 提供先{i} {flow['recipient']}") for i, flow in enumerate(file["provisions"], 1)]
    positions += [text.index(f" 移転先{i} {flow['recipient']}") for i, flow in enumerate(file["transfers"], 1)]
    assert positions == sorted(positions)
    for item in file["entrustments"]:
        assert f" ③委託先名 {item['contractor']}" in text
        assert f" ②委託先における取扱者数 [ {item['handlers']} ]" in text


@needs_exact_font
def test_values_keep_full_width_characters(tmp_path: Path) -> None:
    record = build_record(7, provisions=1, transfers=0, entrustments=1)
    record["files"][0]["entrustments"][0]["contractor"] = "株式会社　全角スペース－波～ダッシュ"
    path = render_pdf(record, tmp_path / "widths.pdf")
    assert " ③委託先名 株式会社　全角スペース－波～ダッシュ" in read_pdf(path).text.split("\n")


def test_without_table_or_brackets_the_plain_rows_come_back(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    from pia_graph.extract.pdf.testing_render import FONT

    path = tmp_path / "plain.pdf"
    page = canvas.Canvas(str(path))
    page.setFont(FONT, 10)
    page.drawString(60, 760, "特定個人情報保護評価書（重点項目評価書）")
    page.drawString(60, 740, "○ 紙")  # a mark without brackets: nothing to bind, kept as printed
    page.drawString(60, 720, "[ 委託する ]")
    page.save()
    pdf = read_pdf(path)
    assert pdf.text.split("\n") == ["特定個人情報保護評価書（重点項目評価書）", "", "○ 紙", "", "[ 委託する ]"]
    assert pdf.checkboxes == 0


@pytest.mark.parametrize(("seed", "kind"), [(60, "全項目評価書"), (61, "重点項目評価書")])
def test_labels_without_their_space_are_found_by_position(tmp_path: Path, seed: int, kind: str) -> None:
    """A PDF whose label cells carry no leading space reads exactly like one whose cells do."""
    record = build_record(seed, files=1 + seed % 2, kind=kind)
    with_space = read_pdf(render_pdf(record, tmp_path / "space.pdf")).text
    without = read_pdf(render_pdf(record, tmp_path / "nospace.pdf", label_spaces=False)).text
    assert without == with_space
    assert sum(line.startswith(" ") for line in without.split("\n")) > 60
