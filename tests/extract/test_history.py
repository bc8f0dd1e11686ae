"""The change-history cut and row parser, on small invented 変更箇所 tables (form-fields.md §2.6)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pia_graph.extract.history import (
    find_history_start,
    parse_change_rows,
    split_pages,
    to_iso_date,
)

PAGE_BREAK = ["", "", ""]
HEADER_ONE_DATE_PER_ROW = "提出時期に係る説明変更日 項目 変更前の記載 変更後の記載 提出時期"
HEADER_DATES_APART = "変更前の記載 変更後の記載 提出時期変更日"

BODY = [
    "特定個人情報保護評価書（重点項目評価書）",
    "",
    " ①部署 架空市福祉部国保課",
    "",
    " ②所属長の役職名 国保課長",
]


def rows_of(lines: list[str]) -> list[dict]:
    start = find_history_start(lines)
    assert start is not None
    return parse_change_rows(lines[start:], start + 1)


def full_rows(rows: list[dict]) -> list[dict]:
    return [row for row in rows if row["item"] is not None]


# A history where each row's 変更日 is printed just before its 項目 (the 全項目 sample's layout).
ONE_DATE_PER_ROW = [
    *BODY,
    *PAGE_BREAK,
    "（別添３）変更箇所",
    HEADER_ONE_DATE_PER_ROW,
    "",
    "令和3年4月1日",
    "",
    "Ⅰ．基本情報　６．評価実施",
    "機関における担当部署①部署",
    "",
    "架空市福祉部国保課 架空市健康部国保課 事後",
    "組織改正に伴う変更であり、",
    "重要な変更に当たらない。",
    "",
    "令和元年5月7日",
    "",
    "Ⅱ．特定個人情報ファイルの",
    "概要　２．基本情報",
    "",
    "旧い記載の文",
    "章",
    "",
    "新しい記載の",
    "文章",
    "",
    "事前 様式の変更",
    *PAGE_BREAK,
    HEADER_ONE_DATE_PER_ROW,
    "",
    "2022/3/4",
    "",
    "Ⅴ．評価実施手続　１．基礎項目評価",
    "",
    "（記載なし） 令和4年3月1日 事後",
    "",
    "令和5年1月10日",
    "",
    "Ⅲ．リスク対策",
    "",
    "旧い内容の",
    "かたまり",
    "",
    "新しい内容の",
    "続き 事後",
    "",
    "令和5年1月11日",
    "",
    "Ⅲ．リスク対策",
    "",
    "旧い内容",
    "",
    "新しい 内容 事後",
]


def test_history_starts_at_the_page_holding_the_before_column() -> None:
    start = find_history_start(ONE_DATE_PER_ROW)
    assert start == len(BODY) + len(PAGE_BREAK)
    assert ONE_DATE_PER_ROW[start] == "（別添３）変更箇所"


def test_marker_in_the_middle_of_a_page_moves_the_start_to_the_page_top() -> None:
    lines = [*BODY, *PAGE_BREAK, "旧い値 新しい値 事後", "", "（別添２）変更箇所", "", HEADER_DATES_APART]
    assert find_history_start(lines) == len(BODY) + len(PAGE_BREAK)


def test_no_history_gives_none() -> None:
    assert find_history_start(BODY) is None
    assert find_history_start([]) is None


def test_two_blank_lines_do_not_break_a_page() -> None:
    lines = ["本文の行", "", "", "旧い値 新しい値 事後", "", HEADER_DATES_APART]
    assert split_pages(lines) == [(0, 6)]
    # the history is on the first page: cut at its header's block, not at the page (the whole body)
    assert find_history_start(lines) == 5


def test_form_feed_breaks_a_page() -> None:
    lines = ["本文の行", "本文の続き", "\f（別添２）変更箇所", HEADER_DATES_APART]
    assert split_pages(lines) == [(0, 2), (2, 4)]
    assert find_history_start(lines) == 2


def test_form_feed_alone_on_a_line_or_first() -> None:
    assert split_pages(["\f", "a", "\f", "", "b", "\f"]) == [(1, 2), (3, 5)]
    assert split_pages(["\f\f", "", "", ""]) == []
    assert find_history_start(["本文", "\f", "", HEADER_DATES_APART]) == 3


def test_rows_with_one_date_per_row() -> None:
    rows = full_rows(rows_of(ONE_DATE_PER_ROW))
    assert len(rows) == 5
    first, second, third, fourth, fifth = rows
    assert first["date"] == "2021-04-01"
    assert first["item"] == "Ⅰ．基本情報　６．評価実施機関における担当部署①部署"
    assert (first["before"], first["after"]) == ("架空市福祉部国保課", "架空市健康部国保課")
    assert first["timing"] == "事後"
    assert first["timing_reason"] == "組織改正に伴う変更であり、重要な変更に当たらない。"
    assert first["text"] is None
    # 1-based line numbers of the whole document: from the date line to the last reason line.
    assert first["lines"] == [ONE_DATE_PER_ROW.index("令和3年4月1日") + 1,
                              ONE_DATE_PER_ROW.index("重要な変更に当たらない。") + 1]

    assert second["date"] == "2019-05-07"  # 令和元年
    assert second["item"] == "Ⅱ．特定個人情報ファイルの概要　２．基本情報"
    assert (second["before"], second["after"]) == ("旧い記載の文章", "新しい記載の文章")
    assert second["timing"] == "事前"
    assert second["timing_reason"] == "様式の変更"

    assert third["date"] == "2022-03-04"  # western date on the next page, header repeated
    assert (third["before"], third["after"]) == ("（記載なし）", "令和4年3月1日")
    assert third["timing"] == "事後"
    assert third["timing_reason"] is None

    # Before as its own block, after ending on the timing's line.
    assert (fourth["date"], fourth["before"], fourth["after"]) == ("2023-01-10", "旧い内容のかたまり", "新しい内容の続き")
    # The same with a space on the timing's line: which text is which cell is not certain.
    assert fifth["before"] is None and fifth["after"] is None
    assert fifth["text"] == "旧い内容\n新しい 内容"


def test_header_rows_are_not_rows() -> None:
    rows = rows_of(ONE_DATE_PER_ROW)
    for row in rows:
        for value in (row["item"], row["before"], row["after"], row["text"]):
            assert value is None or "変更前の記載" not in value


# A history whose 変更日 cells are collected in a separate run (the 重点 samples' layout), with a
# timing glued to a date and a row whose cells cannot be told apart.
DATES_APART = [
    *BODY,
    *PAGE_BREAK,
    "Ⅰ６．評価実施機関における担",
    "当部署 ①部署",
    "",
    "架空市福祉部国保課 架空市健康部国保課 事後",
    "",
    "（別添２）変更箇所",
    "",
    HEADER_DATES_APART,
    "",
    "令和2年1月6日",
    "",
    "令和2年2月3日",
    "",
    "Ⅱ ２．基本情報 ⑥事務担当部",
    "署",
    "",
    "国保課 窓口 係 国保課 事後",
    "",
    "Ⅳ ２．問合せ ①連絡先",
    "",
    "電話 0000-00-0000",
    "",
    "電話 0000-00-1111",
    "",
    "旧い内容の三つ目のかたまり",
    "",
    "事前令和2年2月3日",
    "",
    "事前の提出・公表が義務付けられない。",
]


def test_dates_collected_apart_are_not_paired_by_position() -> None:
    rows = rows_of(DATES_APART)
    dated = [row for row in rows if row["date"] is not None]
    assert [row["date"] for row in dated] == ["2020-02-03"]  # only the date glued to its timing
    date_fragments = [row for row in rows if row["text"] in ("令和2年1月6日", "令和2年2月3日")]
    assert len(date_fragments) == 2
    assert all(row["item"] is None and row["date"] is None for row in date_fragments)


def test_same_line_cells_split_on_the_single_space() -> None:
    first = full_rows(rows_of(DATES_APART))[0]
    assert first["item"] == "Ⅰ６．評価実施機関における担当部署 ①部署"
    assert (first["before"], first["after"], first["timing"]) == ("架空市福祉部国保課", "架空市健康部国保課", "事後")


def test_ambiguous_cells_keep_raw_text_and_no_columns() -> None:
    rows = full_rows(rows_of(DATES_APART))
    # "国保課 窓口 係 国保課": three spaces, so where before ends is not certain.
    second = rows[1]
    assert second["item"] == "Ⅱ ２．基本情報 ⑥事務担当部署"
    assert second["before"] is None and second["after"] is None
    assert second["text"] == "国保課 窓口 係 国保課"
    assert second["timing"] == "事後"
    # Three value blocks before the timing: not two columns, so no split either.
    third = rows[2]
    assert third["before"] is None and third["after"] is None
    assert third["text"].split("\n") == ["電話 0000-00-0000", "電話 0000-00-1111", "旧い内容の三つ目のかたまり"]
    # The timing glued to a date: cells on one printed line belong to one row.
    assert third["timing"] == "事前"
    assert third["date"] == "2020-02-03"


def test_prose_starting_with_the_timing_word_is_not_a_timing() -> None:
    rows = rows_of(DATES_APART)
    last = rows[-1]
    assert last["text"] == "事前の提出・公表が義務付けられない。"
    assert last["timing"] is None


def test_empty_history_table_gives_no_rows() -> None:
    lines = [*BODY, *PAGE_BREAK, "（別添２）変更箇所", "提出時期に係る説明変更前の記載 変更後の記載 提出時期変更日 項目"]
    assert rows_of(lines) == []


def test_iso_dates() -> None:
    assert to_iso_date("令和7年8月1日") == "2025-08-01"
    assert to_iso_date("令和元年９月３０日") == "2019-09-30"
    assert to_iso_date("平成２７年１０月１日") == "2015-10-01"
    assert to_iso_date("2015/7/8") == "2015-07-08"
    assert to_iso_date("平成27年10月") is None  # partial: kept as printed by the caller
    assert to_iso_date("令和2年13月1日") is None


def _covered_lines(rows: list[dict]) -> list[int]:
    covered: list[int] = []
    for row in rows:
        first, last = row["lines"]
        assert first <= last
        covered.extend(range(first, last + 1))
    return covered


def _is_header(line: str) -> bool:
    rest = "".join(line.split())
    for cell in ("（別添２）", "（別添３）", "提出時期に係る説明", "変更前の記載", "変更後の記載", "提出時期",
                 "変更日", "変更箇所", "項目"):
        rest = rest.replace(cell, "")
    return rest == ""


def _assert_every_line_kept_once(lines: list[str], first_line_number: int, rows: list[dict]) -> None:
    covered = _covered_lines(rows)
    assert len(covered) == len(set(covered)), "two rows claim the same line"
    for offset, line in enumerate(lines):
        if line.strip() and not _is_header(line):
            assert first_line_number + offset in covered, f"line {first_line_number + offset} dropped: {line!r}"


def test_no_history_line_is_dropped_or_claimed_twice() -> None:
    for document in (ONE_DATE_PER_ROW, DATES_APART):
        start = find_history_start(document)
        assert start is not None
        _assert_every_line_kept_once(document[start:], start + 1, parse_change_rows(document[start:], start + 1))


BLOCKS = st.sampled_from([
    ["令和3年4月1日"],
    ["2020/1/2"],
    ["Ⅱ．特定個人情報ファイルの", "概要"],
    ["6．評価実施機関における担当", "部署"],
    ["旧い値 新しい値 事後"],
    ["事前"],
    ["事後 理由の文"],
    ["事前令和2年2月3日"],
    ["事前の提出は不要", "である。"],
    ["値だけのかたまり"],
    [HEADER_DATES_APART],
    ["（別添２）変更箇所"],
    ["値 事後", "理由", "別の 値 事前"],
])


PAGE_SEPARATORS = st.sampled_from([PAGE_BREAK, ["", "", "", ""], ["\f"], ["", "\f"], ["\f", "", "", ""], []])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(PAGE_SEPARATORS, st.booleans(), st.lists(BLOCKS, max_size=8)), max_size=4),
       st.integers(min_value=1, max_value=5000))
def test_random_tables_keep_every_line_once(pages: list[tuple[list[str], bool, list[list[str]]]],
                                            first_line_number: int) -> None:
    lines: list[str] = []
    for separator, glue_form_feed, page in pages:
        lines.extend(separator)
        if glue_form_feed and page:  # pdftotext style: the form feed starts the page's first line
            page = [["\f" + page[0][0], *page[0][1:]], *page[1:]]
        for block_index, block in enumerate(page):
            if block_index:
                lines.append("")
            lines.extend(block)
    rows = parse_change_rows(lines, first_line_number)
    _assert_every_line_kept_once(lines, first_line_number, rows)
    for row in rows:
        assert row["timing"] in (None, "事前", "事後")
        assert set(row) == {"date", "item", "before", "after", "timing", "timing_reason", "text", "lines"}
        if row["before"] is not None:
            assert row["after"] is not None and row["text"] is None


def test_seed_histories_keep_every_line_once(seed_pairs: list[tuple[Path, Path]]) -> None:
    for seed, _gold in seed_pairs:
        lines = seed.read_text(encoding="utf-8").split("\n")
        start = find_history_start(lines)
        assert start is not None, seed.name
        body_text = "\n".join(lines[:start])
        assert "変更前の記載" not in body_text
        rows = parse_change_rows(lines[start:], start + 1)
        _assert_every_line_kept_once(lines[start:], start + 1, rows)
