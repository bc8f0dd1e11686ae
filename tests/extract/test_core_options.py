"""Stage tests: option-list stripping, chosen values (C1) and checkbox scanning (P3, P4)."""

from __future__ import annotations

from pia_graph.extract.options import chosen_option, scan_boxes, strip_option_lists, tokenize


def test_numbered_option_segments_are_removed_even_when_glued() -> None:
    assert strip_option_lists("6） 1,000人以上5） 500人以上1,000人未満").strip() == ""
    assert strip_option_lists("＜選択肢＞ 1） 委託する 2） 委託しない").strip() == ""


def test_leftover_equal_to_an_option_is_the_chosen_value() -> None:
    assert chosen_option("[ 10万人以上100万人未満")[0] == "10万人以上100万人未満"
    assert chosen_option("定めている[")[0] == "定めている"
    assert chosen_option("][ 基礎項目評価及び重点項目評価の実施が義務付けられる") is not None
    assert chosen_option("記録を残している[ 2) 記録を残していない1） 記録を残している")[0] == "記録を残している"
    assert chosen_option("委託する （ 2 ）件")[0] == "委託する"


def test_option_list_alone_has_no_chosen_value() -> None:
    assert chosen_option("1） 再委託する 2） 再委託しない") is None
    assert chosen_option("2） 10人以上50人未満") is None


def test_text_that_only_contains_an_option_is_not_a_choice() -> None:
    assert chosen_option("10人以上50人未満の職員が従事する") is None


def test_detached_checkbox_is_not_a_chosen_value() -> None:
    assert chosen_option("] 行っていない") is None
    assert chosen_option("行っていない") is not None


def test_lists_sharing_an_option_text_are_all_reported() -> None:
    _, lists = chosen_option("十分に行っている")
    assert {"O-OKONAI3", "O-SAIITAKU-TANPO"} <= lists


def test_certain_boxes_checked_and_unchecked() -> None:
    scan = scan_boxes(tokenize("[ ○ ] 専用線 [ ] 電子メール [ ○] 紙"))
    assert [(b.option, b.checked) for b in scan.boxes] == [("専用線", True), ("電子メール", False), ("紙", True)]
    assert scan.orphan_marks == 0


def test_detached_boxes_and_orphan_marks() -> None:
    scan = scan_boxes(tokenize("] フラッシュメモリ] 電子記録媒体（フラッシュメモリを除く。）○ ] 紙 [ ○"))
    assert all(b.checked is None for b in scan.boxes)
    assert scan.orphan_marks == 2


def test_other_detail_inside_parentheses() -> None:
    scan = scan_boxes(tokenize("[ ○ ] その他 （ 架空連携端末 ）"))
    assert scan.boxes[0].checked is True and scan.boxes[0].detail == "架空連携端末"


def test_fullwidth_brackets_and_ideographic_mark() -> None:
    scan = scan_boxes(tokenize("［〇］提供・移転しない"))
    assert [(b.option, b.checked) for b in scan.boxes] == [("提供・移転しない", True)]
