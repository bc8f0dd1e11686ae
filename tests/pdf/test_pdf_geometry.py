"""Checkbox binding and row building on hand-placed glyphs (no PDF involved)."""

from __future__ import annotations

from pia_graph.extract.pdf.geometry import Glyph, lines_of


def run(text: str, x: float, top: float, size: float = 9.0, step: float | None = None) -> list[Glyph]:
    """Glyphs of ``text`` set from ``x`` on one baseline (one glyph per character)."""
    width = step or size
    return [Glyph(char, x + i * width, top, x + (i + 1) * width, top + size, size) for i, char in enumerate(text)]


def checkbox(x: float, top: float, label: str, checked: bool, mark: str = "○", drop: float = 4.0) -> list[Glyph]:
    """A form checkbox: "[" , a larger mark lower and close to it, "]" far right, then the label."""
    glyphs = run("[", x, top, step=4.5)
    if checked:
        glyphs += run(mark, x + 5, top + drop, size=11.0)
    glyphs += run("]", x + 44, top, step=4.5)
    glyphs += run(label, x + 48.5, top)
    return glyphs


def texts(glyphs: list[Glyph]) -> list[str]:
    return [line.text for line in lines_of(glyphs)]


def test_mark_offset_below_the_brackets_is_bound_to_its_own_box() -> None:
    glyphs = checkbox(10, 100, "紙", True) + checkbox(130, 100, "専用線", False)
    assert texts(glyphs) == ["[ ○ ] 紙", "[ ] 専用線"]


def test_right_hand_mark_stays_with_the_right_hand_label() -> None:
    # The plain-extraction failure case: the right box is checked, the left is not.
    glyphs = checkbox(10, 100, "電子メール", False) + checkbox(130, 100, "紙", True)
    glyphs += checkbox(250, 100, "フラッシュメモリ", True, mark="〇")
    assert texts(glyphs) == ["[ ] 電子メール", "[ ○ ] 紙", "[ ○ ] フラッシュメモリ"]


def test_mark_of_the_next_row_is_not_taken() -> None:
    glyphs = checkbox(10, 100, "紙", False) + checkbox(10, 116, "専用線", True)
    assert texts(glyphs) == ["[ ] 紙", "[ ○ ] 専用線"]


def test_filled_mark_counts_as_checked() -> None:
    assert texts(checkbox(10, 50, "電子メール", True, mark="●")) == ["[ ○ ] 電子メール"]


def test_bracketed_value_is_not_a_checkbox() -> None:
    glyphs = run("[ 10人以上50人未満 ]", 10, 50)
    assert texts(glyphs) == ["[ 10人以上50人未満 ]"]


def test_open_bracket_without_partner_stays_text() -> None:
    glyphs = run("[", 10, 50, step=4.5) + run("○", 15, 50, size=11.0) + run("紙", 60, 50)
    lines = texts(glyphs)
    assert lines == ["[○", "紙"]


def test_two_marks_in_one_box_are_not_vouched_for() -> None:
    glyphs = run("[", 10, 50, step=4.5) + run("○", 16, 50) + run("○", 28, 50) + run("]", 54, 50, step=4.5)
    glyphs += run("紙", 60, 50)
    assert not any(line.startswith("[ ○ ]") for line in texts(glyphs))


def test_wide_gap_splits_a_row_into_segments_and_small_gap_is_a_space() -> None:
    glyphs = run("委託する", 10, 50) + run("＜選択肢＞", 200, 50)
    assert texts(glyphs) == ["委託する", "＜選択肢＞"]
    near = run("その他", 10, 80) + run("（", 10 + 27 + 4, 80)
    assert texts(near) == ["その他 （"]


def test_rows_come_out_top_to_bottom_left_to_right() -> None:
    glyphs = run("二行目", 10, 70) + run("一行目", 10, 50) + run("右", 37, 51)
    assert texts(glyphs) == ["一行目右", "二行目"]


def test_line_boxes_cover_their_glyphs() -> None:
    lines = lines_of(checkbox(10, 100, "紙", True))
    box = lines[0].box
    assert box.x0 == 10 and box.x1 == 10 + 48.5 + 9
    assert box.top == 100 and box.bottom >= 100 + 9


def test_label_wrapped_under_itself_is_joined_to_its_checkbox() -> None:
    glyphs = checkbox(10, 100, "フラッシュメモ", False) + checkbox(140, 100, "紙", True)
    glyphs += run("リ", 10 + 48.5, 110)  # the wrapped tail, inside the first label's column
    glyphs += run("・業務関係情報", 10, 130)  # a caption at the cell's left edge is not a tail
    assert texts(glyphs) == ["[ ] フラッシュメモリ", "[ ○ ] 紙", "・業務関係情報"]


def test_tail_under_the_second_column_goes_to_the_second_label() -> None:
    glyphs = checkbox(10, 100, "紙", False) + checkbox(140, 100, "電子記録媒体（フラッシュ", True)
    glyphs += run("メモリを除く。）", 140 + 48.5, 110)
    assert texts(glyphs) == ["[ ] 紙", "[ ○ ] 電子記録媒体（フラッシュメモリを除く。）"]


def test_chosen_value_box_stays_one_segment_across_wide_gaps() -> None:
    # "[" at the left edge of a wide cell, the value, "]" at the right edge, then another column
    glyphs = run("[", 10, 50, step=4.5) + run("10人以上50人未満", 22, 50) + run("]", 200, 50, step=4.5)
    glyphs += run("＜選択肢＞", 260, 50)
    assert texts(glyphs) == ["[ 10人以上50人未満 ]", "＜選択肢＞"]


def test_unclosed_bracket_does_not_swallow_the_row() -> None:
    glyphs = run("[", 10, 50, step=4.5) + run("値", 22, 50) + run("別の列", 200, 50)
    assert texts(glyphs) == ["[ 値", "別の列"]
