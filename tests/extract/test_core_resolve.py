"""Stage tests of value assignment: chosen options per page, checkbox grids, groups, history cut,
provenance and abstentions. Texts are small invented documents in the seeds' layout."""

from __future__ import annotations

import pytest

from pia_graph.errors import InputError
from pia_graph.extract.core import extract_text, flow_value_kind

COVER = "特定個人情報保護評価書（重点項目評価書）\n\n評価書番号  評価書名\n\n5 架空事務　重点項目評価書\n\n\n\n"


def doc(*pages: str) -> str:
    return COVER + "\n\n\n\n".join(pages) + "\n"


def uncertain_paths(record: dict) -> set[str]:
    return {u["path"] for u in record["uncertain"]}


# the head of a page of Ⅱ that opens the file 架空ファイル
FILE_HEAD = "Ⅱ　特定個人情報ファイルの概要\n １．特定個人情報ファイル名 架空ファイル\n ２．基本情報"


def test_not_an_assessment_raises_input_error() -> None:
    with pytest.raises(InputError) as info:
        extract_text("hello world\n", "x.txt")
    assert "not a 特定個人情報保護評価書" in str(info.value) and "x.txt" in str(info.value)


def test_arbitrary_text_with_a_marker_returns_a_record() -> None:
    record = extract_text("特定個人情報ファイル [ ○ [ ] ）（ 1） \n\f ① ②\n\n\n\n ]\n", "odd.txt")
    assert record["files"] == [] and isinstance(record["uncertain"], list)


def test_cover_fields_and_provenance_lines() -> None:
    text = doc(" 評価実施機関名\n\n架空村長\n\n 公表日\n\n令和元年5月7日")
    record = extract_text(text, "c.txt")
    assert record["assessment"]["number"] == "5"
    assert record["assessment"]["title"] == "架空事務　重点項目評価書"
    assert record["assessment"]["kind"] == "重点項目評価書"
    assert record["assessment"]["organization"] == "架空村長"
    assert record["assessment"]["published"] == "2019-05-07"
    lines = text.split("\n")
    span = record["provenance"]["/assessment/organization"]["lines"]
    assert lines[span[0] - 1] == "架空村長"
    assert lines[record["provenance"]["/assessment/number"]["lines"][0] - 1].startswith("5 ")


def test_chosen_value_goes_to_the_only_label_of_its_list_on_the_page() -> None:
    text = doc(" ５．情報提供ネットワークシステムによる情報連携 ※\n\n ①実施の有無\n\n＜選択肢＞\n1) 実施する\n"
               "2) 実施しない\n3) 未定\n\n実施する")
    record = extract_text(text, "c.txt")
    assert record["info_network_linkage"] == "実施する"


def test_competing_labels_with_different_values_abstain_with_candidates() -> None:
    page = ("Ⅱ　特定個人情報ファイルの概要\n １．特定個人情報ファイル名\n\n架空ファイル\n\n ２．基本情報\n\n"
            " 使用者数\n\n ④委託先における取扱者数\n\n10人未満\n\n50人以上100人未満")
    # 使用者数 and 取扱者数 share O-NIN; two different values on one page: nobody can tell which is which
    record = extract_text(doc(page), "c.txt")
    assert record["files"][0]["name"] == "架空ファイル"
    assert record["files"][0].get("user_count") is None
    paths = uncertain_paths(record)
    assert "/files/0/user_count" in paths
    candidates = next(u["candidates"] for u in record["uncertain"] if u["path"] == "/files/0/user_count")
    assert set(candidates) == {"10人未満", "50人以上100人未満"}


def test_checkbox_grid_certain_marks() -> None:
    page = (FILE_HEAD + "\n\n"
            " ②入手方法\n\n[ ○ ] 紙 [ ] 電子メール\n\n[ ] 専用線 [ ○ ] 庁内連携システム")
    record = extract_text(doc(page), "c.txt")
    assert record["files"][0]["acquisition_methods"] == ["紙", "庁内連携システム"]


WHOLE_GRID_REST = ("[ ] 専用線 [ ] 庁内連携システム\n\n[ ] 電子記録媒体（フラッシュメモリを除く。） [ ] フラッシュメモリ\n\n"
                   "[ ] 情報提供ネットワークシステム [ ] その他 （ ）")


def test_checkbox_grid_detached_marks_with_a_unique_assignment() -> None:
    # two detached boxes, two orphan marks, the whole grid and no other on the page: both are checked
    page = (FILE_HEAD + "\n\n"
            " ②入手方法\n\n] 紙 [ ○\n\n] 電子メール\n\n[ ○\n\n" + WHOLE_GRID_REST)
    record = extract_text(doc(page), "c.txt")
    assert record["files"][0]["acquisition_methods"] == ["紙", "電子メール"]


@pytest.mark.parametrize(("grid", "candidates"), [
    # the page shows three of the eight options: a mark may belong to a box not seen there
    ("] 紙 [ ○\n\n] 電子メール\n\n[ ○\n\n[ ] 専用線", {"紙", "電子メール"}),
    # one mark for three boxes: any of them may hold it
    ("] 紙 [\n\n] 電子メール\n\n[ ○\n\n] 専用線", {"紙", "電子メール", "専用線"}),
], ids=["part-of-a-grid", "ambiguous"])
def test_checkbox_grid_detached_marks_abstain(grid: str, candidates: set[str]) -> None:
    page = FILE_HEAD + "\n\n ②入手方法\n\n" + grid
    record = extract_text(doc(page), "c.txt")
    assert record["files"][0].get("acquisition_methods") is None
    entry = next(u for u in record["uncertain"] if u["path"] == "/files/0/acquisition_methods")
    assert set(entry["candidates"]) == candidates


def test_history_is_cut_before_reading_values() -> None:
    body = " ①部署 架空課"
    history = "変更前の記載 変更後の記載 提出時期\n\n ①部署 旧架空課 架空課 事後\n\n ①事務の名称 古い事務 事後"
    record = extract_text(doc(body, history), "c.txt")
    assert record["department"] == "架空課"
    assert record["business_name"] is None
    assert record["changes"], "the history rows are kept under changes"


def test_contractor_and_title_printed_apart_from_their_labels() -> None:
    page = (" ４．特定個人情報ファイルの取扱いの委託\n\n 委託事項1\n\n ①委託内容 架空システムの保守\n\n"
            " ③委託先名\n\n 委託の有無　※\n\n委託する\n\n1\n\n架空システム保守委託\n\n架空計算株式会社")
    record = extract_text(doc(FILE_HEAD,
                              page), "c.txt")
    entrustment = record["files"][0]["entrustments"][0]
    assert entrustment["contractor"] == "架空計算株式会社"
    assert entrustment["title"] == "架空システム保守委託"
    assert record["files"][0]["entrustment"] == "委託する"


def test_two_instances_on_one_page_with_different_values_abstain() -> None:
    page = (" ４．特定個人情報ファイルの取扱いの委託\n\n 委託の有無　※ [ 委託する\n\n 委託事項1 甲業務\n\n 委託事項2 乙業務\n\n"
            " ③委託先名 甲株式会社\n\n ③委託先名 乙株式会社\n\n ①委託内容 甲\n\n ①委託内容 乙")
    record = extract_text(doc(FILE_HEAD,
                              page), "c.txt")
    entrustments = record["files"][0]["entrustments"]
    assert [e["title"] for e in entrustments] == ["甲業務", "乙業務"]
    assert all(e["contractor"] is None for e in entrustments)
    assert {"/files/0/entrustments/0/contractor", "/files/0/entrustments/1/contractor"} <= uncertain_paths(record)


def test_flow_value_kinds() -> None:
    assert flow_value_kind("・架空法第3条・架空法施行令第1条の2") == "legal_basis"
    assert flow_value_kind("申請の都度") == "timing"
    assert flow_value_kind("架空町に住所を有する受給者") == "subject_scope"
    assert flow_value_kind("・受給者の所得情報") == "information"
    assert flow_value_kind("受給資格の審査") == "purpose"
    assert flow_value_kind("架空の説明文です。") is None


def test_every_value_has_provenance_and_every_pointer_resolves() -> None:
    text = doc(" 評価実施機関名 架空村長\n\n ①部署 架空課\n\n ①事務の名称 架空事務")
    record = extract_text(text, "c.txt")
    for pointer, entry in record["provenance"].items():
        node = record
        for part in pointer.strip("/").split("/"):
            node = node[int(part)] if isinstance(node, list) else node[part]
        assert node not in (None, "", [])
        first, last = entry["lines"]
        assert 1 <= first <= last <= len(text.split("\n"))


def test_date_label_takes_the_pages_only_date_line() -> None:
    page = (FILE_HEAD + "\n\n"
            " ⑤保有開始日\n\n架空の説明\n\n令和2年4月\n\n] 紙 [ ○")
    record = extract_text(doc(page), "c.txt")
    assert record["files"][0]["retention_start"] == "令和2年4月"


def test_two_open_date_labels_do_not_share_one_date_line() -> None:
    # a detached checkbox piece marks the shuffled layout, where print order says nothing
    page = (FILE_HEAD + "\n\n"
            " ⑤保有開始日\n\n ⑥使用開始日\n\n令和2年4月\n\n] 紙 [ ○")
    record = extract_text(doc(page), "c.txt")
    assert record["files"][0]["retention_start"] is None and record["files"][0].get("use_start") is None


def test_department_printed_in_the_block_after_its_label() -> None:
    page = (" ６．評価実施機関における担当部署\n\n ②所属長の役職名\n\n ①部署\n\n架空市福祉部国保課\n\n"
            " ７．他の評価実施機関\n\n―")
    record = extract_text(doc("Ⅰ　基本情報\n ①事務の名称 架空事務\n\n" + page), "d.txt")
    assert record["department"] == "架空市福祉部国保課"
    first, last = record["provenance"]["/department"]["lines"]
    assert first == last and doc("Ⅰ　基本情報\n ①事務の名称 架空事務\n\n" + page).split("\n")[first - 1] == "架空市福祉部国保課"


def test_department_label_followed_by_another_label_stays_empty() -> None:
    page = " ６．評価実施機関における担当部署\n\n ①部署\n\n ②所属長の役職名\n\n架空市福祉部国保課\n\n課長"
    record = extract_text(doc("Ⅰ　基本情報\n ①事務の名称 架空事務\n\n" + page), "d.txt")
    assert record["department"] is None
