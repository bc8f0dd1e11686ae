"""Legal-citation parser on invented citation strings (spellings follow the forms' conventions)."""

from __future__ import annotations

import pytest

from pia_graph.rdf.legal import known_laws, parse_legal_basis, resolve_law, table_slug

MYNUMBER = "https://w3id.org/pia-graph/id/law/425AC0000000027"


def _keys(text: str) -> list[tuple]:
    parsed = parse_legal_basis(text)
    return [(c.law.key, c.article, c.paragraph, c.item, c.table, c.table_item) for c in parsed.citations]


def test_article_paragraph_and_table_items_with_full_width_digits() -> None:
    parsed = parse_legal_basis("番号法第９条第１項（利用範囲）及び別表の７、２０、３３の項")
    assert [(c.article, c.paragraph, c.table, c.table_item) for c in parsed.citations] == [
        ("9", "1", None, None), (None, None, "別表", "7"), (None, None, "別表", "20"), (None, None, "別表", "33")]
    assert {c.law.egov_id for c in parsed.citations} == {"425AC0000000027"}
    assert parsed.unparsed == []
    assert str(parsed.citations[0].iri) == f"{MYNUMBER}/article/9/paragraph/1"
    assert str(parsed.citations[1].iri) == f"{MYNUMBER}/table/table/item/7"


@pytest.mark.parametrize("text", [
    "番号法第9条第1項　別表の12・34・56の項",
    "番号法第9条第1項別表の12項、34項、56項",
    "番号法第9条第1項　別表12項、34項、56\n項",
    "番号利用法第9条第1項 別表の１２、３４、５６の項",
])
def test_table_item_spellings(text: str) -> None:
    items = [c.table_item for c in parse_legal_basis(text).citations if c.table]
    assert items == ["12", "34", "56"]


def test_table_name_is_kept_as_printed_and_keyed_apart() -> None:
    first = parse_legal_basis("番号法別表第一の12の項").citations[0]
    second = parse_legal_basis("番号法別表第二の12の項").citations[0]
    current = parse_legal_basis("番号法別表の12の項").citations[0]
    assert (first.table, second.table, current.table) == ("別表第一", "別表第二", "別表")
    assert len({first.iri, second.iri, current.iri}) == 3
    assert str(first.iri).endswith("/table/table-1/item/12")
    assert table_slug("別表第十二") == "table-12"


def test_aliases_resolve_to_one_law() -> None:
    names = ["番号法", "番号利用法", "行政手続における特定の個人を識別するための番号の利用等に関する法律"]
    laws = {resolve_law(name).iri for name in names}
    assert laws == {resolve_law("番号法").iri}
    assert resolve_law("住基法").egov_id == resolve_law("住民基本台帳法").egov_id == "342AC0000000081"
    assert resolve_law("国年法").egov_id == "334AC0000000141"
    assert resolve_law("個人情報の保護に関する法律").egov_id == "415AC0000000057"
    assert resolve_law("番号法施行令").egov_id == "426CO0000000155"


def test_law_without_confirmed_id_is_keyed_by_name_not_guessed() -> None:
    law = resolve_law("住民基本台帳法施行令")
    assert law.egov_id is None
    assert str(law.iri).endswith("/law/residents-basic-register-act-order")
    unknown = resolve_law("架空地域振興法")
    assert not unknown.known and str(unknown.iri).endswith("/law/架空地域振興法")


def test_article_lists_without_repeated_dai() -> None:
    assert _keys("国民年金法第3条、12条、108条") == [
        ("national-pension-act", a, None, None, None, None) for a in ("3", "12", "108")]


def test_branch_articles_and_kanji_numbers() -> None:
    parsed = parse_legal_basis("番号法第十九条第八号及び同法施行令第二十四条の二")
    assert [(c.law.key, c.article, c.item) for c in parsed.citations] == [
        ("mynumber-act", "19", "8"), ("mynumber-act-order", "24の2", None)]
    assert parsed.citations[1].label().endswith("第24条の2")


def test_paragraph_lists_and_same_article() -> None:
    assert _keys("番号法第9条第1項及び第2項並びに同条第4項")[:3] == [
        ("mynumber-act", "9", "1", None, None, None),
        ("mynumber-act", "9", "2", None, None, None),
        ("mynumber-act", "9", "4", None, None, None)]


def test_paragraph_list_with_comma() -> None:
    assert _keys("国民年金法第12条第1項、第4項") == [
        ("national-pension-act", "12", "1", None, None, None),
        ("national-pension-act", "12", "4", None, None, None)]


def test_bulleted_list_of_several_laws() -> None:
    text = ("・番号法第9条第1項・住基法第7条第11号、住民基本台帳法施行令第5条"
            "・年金生活者支援給付金の支給に関する法律第38条、第39条　等")
    assert _keys(text) == [
        ("mynumber-act", "9", "1", None, None, None),
        ("residents-basic-register-act", "7", None, "11", None, None),
        ("residents-basic-register-act-order", "5", None, None, None, None),
        ("pension-support-benefit-act", "38", None, None, None, None),
        ("pension-support-benefit-act", "39", None, None, None, None)]
    assert parse_legal_basis(text).unparsed == []


def test_full_name_with_parenthesised_abbreviation_and_law_number() -> None:
    text = ("行政手続における特定の個人を識別するための番号の利用等に関する法律（番号利用法）"
            "（平成25年5月31日法律第27号）第9条第1項別表の5項・番号利用法第19条第2号")
    keys = _keys(text)
    assert keys[0] == ("mynumber-act", "9", "1", None, None, None)
    assert keys[1] == ("mynumber-act", None, None, None, "別表", "5")
    assert keys[2] == ("mynumber-act", "19", None, "2", None, None)
    assert len(keys) == 3   # the law number 法律第27号 inside the brackets is not a citation


def test_ordinance_named_after_the_act_table_is_its_own_law() -> None:
    keys = _keys("番号利用法別表の主務省令で定める事務を定める命令第3条の2、第7条")
    assert keys == [("mynumber-act-table-ordinance", "3の2", None, None, None, None),
                    ("mynumber-act-table-ordinance", "7", None, None, None, None)]


def test_alias_defined_in_the_text() -> None:
    keys = _keys("架空振興法（以下「振興法」という。）第3条及び振興法第4条")
    assert [k[1] for k in keys] == ["3", "4"]
    assert len({k[0] for k in keys}) == 1


def test_whole_law_cited_without_article() -> None:
    parsed = parse_legal_basis("地方税法に基づく")
    assert len(parsed.citations) == 1
    assert parsed.citations[0].article is None
    assert parsed.citations[0].iri == parsed.citations[0].law.iri


@pytest.mark.parametrize("text", ["条例で定めるところによる", "関係規程のとおり", "第3条", "別表第一の12の項"])
def test_unparseable_text_is_reported_not_dropped(text: str) -> None:
    parsed = parse_legal_basis(text)
    assert parsed.text == text
    assert parsed.citations == []
    assert parsed.unparsed, "nothing reported for an unreadable text"


def test_partly_parseable_text_keeps_both() -> None:
    parsed = parse_legal_basis("番号法第9条第2項に基づく条例")
    assert _keys("番号法第9条第2項に基づく条例") == [("mynumber-act", "9", "2", None, None, None)]
    assert parsed.unparsed == ["条例"]


@pytest.mark.parametrize("text", [None, "", "―", "－", " - "])
def test_none_and_dashes_cite_nothing(text: str | None) -> None:
    parsed = parse_legal_basis(text)
    assert parsed.citations == [] and parsed.unparsed == []


def test_same_law_without_antecedent_is_reported() -> None:
    parsed = parse_legal_basis("同法第3条")
    assert parsed.citations == []
    assert "同法" in parsed.unparsed


def test_subdivision_chain() -> None:
    citation = parse_legal_basis("番号法第19条第1項第8号").citations[0]
    assert [str(i) for i in citation.parent_iris()] == [
        f"{MYNUMBER}/article/19/paragraph/1", f"{MYNUMBER}/article/19", MYNUMBER]


def test_law_table_ids_are_well_formed() -> None:
    import re

    for law in known_laws():
        if law.egov_id:
            assert re.fullmatch(r"\d{3}[A-Z0-9]{12}", law.egov_id), law
