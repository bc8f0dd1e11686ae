"""annotate_provenance on hand-made line locations: page and bbox per provenance entry."""

from __future__ import annotations

from pia_graph.extract.pdf import LineLocation, PdfText, annotate_provenance, span_location


def sample() -> PdfText:
    text = "\n".join([" ①事務の名称 A", "", "値の一行目", "値の二行目", "", "", "", "次ページの続き"])
    locations = [
        LineLocation(1, 40, 100, 300, 110),
        None,
        LineLocation(1, 160, 120, 400, 130),
        LineLocation(1, 160, 132, 380, 142),
        None,
        None,
        None,
        LineLocation(2, 160, 50, 350, 60),
    ]
    return PdfText(text, locations, pages=2)


def test_one_line_span() -> None:
    assert span_location(sample(), 1, 1) == (1, [40.0, 100.0, 300.0, 110.0])


def test_multi_line_span_is_the_union_of_its_lines() -> None:
    assert span_location(sample(), 3, 4) == (1, [160.0, 120.0, 400.0, 142.0])


def test_span_over_a_page_break_is_placed_on_its_first_page() -> None:
    assert span_location(sample(), 3, 8) == (1, [160.0, 120.0, 400.0, 142.0])
    assert span_location(sample(), 5, 8) == (2, [160.0, 50.0, 350.0, 60.0])


def test_blank_lines_only_have_no_location() -> None:
    assert span_location(sample(), 5, 7) is None
    assert span_location(sample(), 20, 25) is None


def test_annotate_adds_page_and_bbox_and_leaves_the_rest() -> None:
    record = {
        "provenance": {
            "/business_name": {"lines": [1, 1]},
            "/business_description": {"lines": [3, 4]},
            "/blank": {"lines": [5, 6]},
            "/odd": {"lines": "1-2"},
        },
        "uncertain": [{"path": "/x", "candidates": [], "reason": "r", "lines": [8, 8]},
                      {"path": "/y", "candidates": [], "reason": "r"}],
    }
    annotate_provenance(record, sample())
    provenance = record["provenance"]
    assert provenance["/business_name"] == {"lines": [1, 1], "page": 1, "bbox": [40.0, 100.0, 300.0, 110.0]}
    assert provenance["/business_description"]["bbox"] == [160.0, 120.0, 400.0, 142.0]
    assert provenance["/blank"] == {"lines": [5, 6]}
    assert provenance["/odd"] == {"lines": "1-2"}
    assert record["uncertain"][0]["page"] == 2
    assert "page" not in record["uncertain"][1]


def test_record_without_provenance_is_left_alone() -> None:
    record: dict = {"source": "x.pdf"}
    annotate_provenance(record, sample())
    assert record == {"source": "x.pdf"}
