"""Stage tests of the extraction core's layout reader: pages, blocks, label lines, values."""

from __future__ import annotations

from pia_graph.extract.catalogue import key_form, load_catalogue
from pia_graph.extract.layout import Segmenter


def read(text: str):
    lines = text.split("\n")
    return lines, Segmenter(lines, load_catalogue()).pages(len(lines))


def hit_of(pages, key: str):
    found = [h for p in pages for h in p.hits if any(d.key == key for d in h.defs)]
    assert found, f"no label {key}"
    return found[0]


def test_pages_split_on_three_blank_lines_and_form_feed() -> None:
    text = "a\n\nb\n\n\n\nc\n\fd\n"
    _, pages = read(text)
    assert [(p.start, p.end) for p in pages] == [(0, 3), (6, 7), (7, 9)]


def test_one_blank_line_separates_blocks_not_pages() -> None:
    _, pages = read(" ①事務の名称\n\n架空事務\n")
    assert len(pages) == 1
    hit = hit_of(pages, "business_name")
    chunk = pages[0].chunks[0]
    assert hit.block != chunk.block and chunk.text == "架空事務"


def test_label_with_value_on_the_same_line_keeps_full_width_text() -> None:
    _, pages = read(" ①部署 架空市　福祉部\n")
    hit = hit_of(pages, "department")
    assert hit.value == "架空市　福祉部"
    assert (hit.value_first, hit.value_last) == (0, 0)


def test_value_continues_on_following_lines_of_the_block_joined_without_breaks() -> None:
    _, pages = read(" 法令上の根拠\n・架空法第1条\n・架空法施行令第2\n条\n\n別の値\n")
    hit = hit_of(pages, "mynumber_legal_basis")
    assert hit.value == "・架空法第1条・架空法施行令第2条"
    assert (hit.value_first, hit.value_last) == (1, 3)
    assert [c.text for c in pages[0].chunks if c.kind == "free"] == ["別の値"]


def test_wrapped_label_over_two_lines_is_one_label() -> None:
    _, pages = read(" ⑤移転する情報の対象となる\n本人の範囲\n")
    hit = hit_of(pages, "transfer.subject_scope")
    assert (hit.first, hit.last) == (0, 1)
    assert not pages[0].chunks


def test_wrapped_label_with_the_important_mark_on_its_own_line() -> None:
    _, pages = read(" 使用部署\n※\n")
    hit = hit_of(pages, "file.user_departments")
    assert hit.value is None and not [c for c in pages[0].chunks if c.kind == "free"]


def test_value_printed_before_its_label_on_the_same_line() -> None:
    _, pages = read("毎月 ⑦時期・頻度\n")
    hit = hit_of(pages, "flow.timing")
    assert hit.before == "毎月" and hit.value is None


def test_group_heading_with_recipient_before_and_after() -> None:
    _, pages = read("架空県知事 提供先1\n\n 移転先2 架空市税務課\n\n 提供先2～5\n")
    heads = [h for h in pages[0].hits if h.group]
    assert [(h.group, h.value, h.group_range) for h in heads] == [
        (("提供先", 1), "架空県知事", False), (("移転先", 2), "架空市税務課", False), (("提供先", 2), None, True)]


def test_label_text_running_into_a_longer_word_is_not_a_label() -> None:
    _, pages = read(" 期間中の処理\n")
    assert not pages[0].hits


def test_chosen_value_option_list_and_grid_pieces_are_told_apart() -> None:
    text = "[ 10人以上50人未満\n\n＜選択肢＞\n1） 10人未満\n2） 10人以上50人未満\n\n] 紙 [ ○\n\n（\n\n7\n"
    _, pages = read(text)
    kinds = [(c.kind, c.text) for c in pages[0].chunks]
    assert ("c1", "[ 10人以上50人未満") in kinds
    assert ("count", "7") in kinds
    assert all(kind in ("box", "c1", "count") for kind, _ in kinds)
    assert not [k for k in kinds if k[0] == "free"]


def test_section_headings_are_not_values() -> None:
    _, pages = read("Ⅱ　特定個人情報ファイルの概要\n １．特定個人情報ファイル名\n")
    assert [s.num for s in pages[0].sections] == ["Ⅱ"]
    assert hit_of(pages, "file.name").value is None


def test_key_form_ignores_width_spacing_and_the_important_mark() -> None:
    assert key_form(" ①ファイルの種類　※ ") == key_form("①ファイルの種類")
    assert key_form("１０人") == "10人"
