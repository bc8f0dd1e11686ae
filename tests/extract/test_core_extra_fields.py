"""Long text cells (使用目的, 使用方法, 保管場所, 請求先, 連絡先) whose value is printed in blocks of
its own under the label: taken when the layout makes it certain, abstained otherwise. All texts
are invented."""

from __future__ import annotations

from typing import Any

from pia_graph.extract.core import extract_text

COVER = "特定個人情報保護評価書（重点項目評価書）\n\n評価書番号 9\n\n\n\n"
FILE_HEAD = "Ⅱ　特定個人情報ファイルの概要\n\n １．特定個人情報ファイル名\n\n架空台帳ファイル\n\n"
# a checkbox mark detached from its box: the text is a shuffled layout whose print order is not
# trusted
DETACHED_MARK = "○ ]\n\n"


def extract(body: str) -> dict[str, Any]:
    return extract_text(COVER + body, "invented.txt")


def uncertain_of(record: dict[str, Any], path: str) -> dict[str, Any] | None:
    return next((u for u in record["uncertain"] if u["path"] == path), None)


def line_of(text: str, needle: str) -> int:
    lines = (COVER + text).split("\n")
    return next(i for i, line in enumerate(lines) if needle in line) + 1


def test_purpose_in_its_own_block_closed_by_the_next_label_is_taken_with_its_lines() -> None:
    body = FILE_HEAD + " ③使用目的　※\n\n架空手当の支給事務に\n使用する。\n\n 使用部署 架空課\n"
    record = extract(body)
    assert record["files"][0]["purpose"] == "架空手当の支給事務に使用する。"
    first = line_of(body, "架空手当の支給事務に")
    assert record["provenance"]["/files/0/purpose"] == {"lines": [first, first + 1]}
    assert uncertain_of(record, "/files/0/purpose") is None


def test_numbered_items_in_several_blocks_are_one_value() -> None:
    body = (FILE_HEAD + DETACHED_MARK + " ⑤使用方法\n\n１．架空届を受け付けて\n確認する。\n\n２．架空台帳を更新する。\n\n"
            " 使用部署\n\n ⑥使用開始日 令和2年4月1日\n")
    record = extract(body)
    assert record["files"][0]["usage"] == "１．架空届を受け付けて確認する。２．架空台帳を更新する。"


def test_unnumbered_blocks_with_another_label_waiting_are_abstained() -> None:
    # 使用部署 has no value beside it: the second block could be its value printed out of place
    body = (FILE_HEAD + DETACHED_MARK + " 保管場所　※\n\n架空庁舎の施錠された書庫に保管する。\n\n架空課\n\n"
            " 使用部署\n\n ⑥使用開始日 令和2年4月1日\n")
    record = extract(body)
    assert record["files"][0].get("storage") is None
    doubt = uncertain_of(record, "/files/0/storage")
    assert doubt is not None
    assert doubt["candidates"] == ["架空庁舎の施錠された書庫に保管する。", "架空課"]


def test_clean_layout_joins_the_blocks_up_to_the_next_label() -> None:
    body = (FILE_HEAD + " 保管場所　※\n\n架空庁舎の施錠された書庫に保管する。\n\n架空サーバ室で管理する。\n\n"
            " 使用部署\n\n ⑥使用開始日 令和2年4月1日\n")
    record = extract(body)
    assert record["files"][0]["storage"] == "架空庁舎の施錠された書庫に保管する。架空サーバ室で管理する。"


def test_text_running_to_the_page_end_is_abstained() -> None:
    body = FILE_HEAD + " ③使用目的　※\n\n架空手当の支給事務に使用する。\n"
    record = extract(body)
    assert record["files"][0].get("purpose") is None
    doubt = uncertain_of(record, "/files/0/purpose")
    assert doubt is not None and "page end" in doubt["reason"]


def test_contact_found_and_contact_interrupted_by_a_checkbox_abstained() -> None:
    body = ("Ⅳ　開示請求、問合せ\n １．特定個人情報の開示・訂正・利用停止請求\n\n ①請求先\n\n架空町総務課\n"
            "〒000-0000 架空町1番地\n\n ②請求方法 書面を提出する。\n\n"
            " ２．特定個人情報ファイルの取扱いに関する問合せ\n\n ①連絡先\n\n[ ○\n\n架空町福祉課\n\n"
            " ②対応方法 記録を残す。\n")
    record = extract(body)
    assert record["disclosure"]["contact"] == "架空町総務課〒000-0000 架空町1番地"
    first = line_of(body, "架空町総務課")
    assert record["provenance"]["/disclosure/contact"] == {"lines": [first, first + 1]}
    assert (record.get("inquiry") or {}).get("contact") is None
    assert uncertain_of(record, "/inquiry/contact") is not None


RISK_SECTIONS = (
    (" ２．特定個人情報の入手", 1), (" ３．特定個人情報の使用", 2), (" ４．特定個人情報ファイルの取扱いの委託", 1),
    (" ５．特定個人情報の提供・移転", 1), (" ６．情報提供ネットワークシステムとの接続", 2),
    (" ７．特定個人情報の保管・消去", 1),
)


def risk_body(answers: list[list[str]], *, shuffled_page: bool = False) -> str:
    """Ⅲ of an invented 重点項目評価書: one page per section, each リスクへの対策は十分か with the
    chosen value given (or, with ``shuffled_page``, the chosen values printed after all labels)."""
    pages = [FILE_HEAD + " ③使用目的　※ 架空の目的。\n", "Ⅲ　リスク対策　※（７．②を除く。）\n\n １．特定個人情報ファイル名 架空台帳ファイル\n"]
    for (heading, count), values in zip(RISK_SECTIONS, answers, strict=True):
        assert len(values) == count
        if shuffled_page:
            labels = "".join(" リスクへの対策は十分か\n\n" for _ in values)
            chosen = "".join(f"[ {v}\n\n" for v in values)
            pages.append(f"{heading}\n\n{labels}{chosen}")
        else:
            pages.append(f"{heading}\n\n" + "".join(f" リスクへの対策は十分か [ {v} ]\n\n" for v in values))
    return "\n\n\n\n".join(pages)


def test_sufficient_answers_follow_the_form_order_of_the_risks() -> None:
    answers = [["十分である"], ["特に力を入れている", "十分である"], ["課題が残されている"], ["十分である"],
               ["十分である", "特に力を入れている"], ["特に力を入れている"]]
    risk = extract(risk_body(answers))["files"][0]["risk"]
    assert risk["acquisition"]["sufficient"] == "十分である"
    assert risk["use"]["r1_sufficient"] == "特に力を入れている"
    assert risk["use"]["r2_sufficient"] == "十分である"
    assert risk["entrustment"]["sufficient"] == "課題が残されている"
    assert risk["network"]["r2_sufficient"] == "特に力を入れている"
    assert risk["storage"]["sufficient"] == "特に力を入れている"


def test_different_answers_on_one_shuffled_page_are_abstained() -> None:
    answers = [["十分である"], ["特に力を入れている", "十分である"], ["十分である"], ["十分である"],
               ["十分である", "十分である"], ["十分である"]]
    record = extract(DETACHED_MARK + risk_body(answers, shuffled_page=True))
    risk = record["files"][0]["risk"]
    # one answer per page, or the same answer for every label of the page: certain
    assert risk["acquisition"]["sufficient"] == "十分である"
    assert risk["network"]["r1_sufficient"] == risk["network"]["r2_sufficient"] == "十分である"
    # two different answers and two labels on one page: which is which is not known
    assert (risk.get("use") or {}).get("r1_sufficient") is None
    doubt = uncertain_of(record, "/files/0/risk/use/r1_sufficient")
    assert doubt is not None and set(doubt["candidates"]) == {"特に力を入れている", "十分である"}


def test_a_missing_sufficient_label_abstains_every_answer() -> None:
    answers = [["十分である"], ["十分である", "十分である"], ["十分である"], ["十分である"],
               ["十分である", "十分である"], ["十分である"]]
    body = risk_body(answers).replace(" リスクへの対策は十分か [ 十分である ]\n", "", 1)
    record = extract(body)
    risk = record["files"][0]["risk"]
    assert all("sufficient" not in name for section in risk.values() if isinstance(section, dict) for name in section)
    doubt = uncertain_of(record, "/files/0/risk/storage/sufficient")
    assert doubt is not None and "7 " in doubt["reason"]


def test_public_comment_rows_are_read_from_their_own_lines_only() -> None:
    body = ("Ⅵ　評価実施手続\n １．基礎項目評価\n ①実施日 令和3年1月5日\n\n ２．国民・住民等からの意見の聴取\n\n"
            " ①方法\n\n ②実施日・期間 令和2年9月1日から令和2年9月30日まで\n\n ④主な意見の内容 なし\n\n"
            " ⑤評価書への反映\n\n架空の反映内容\n")
    record = extract(body)
    comment = record["procedure"]["public_comment"]
    assert comment["period"] == "令和2年9月1日から令和2年9月30日まで"
    assert comment["main_opinions"] == "なし"
    first = line_of(body, "②実施日・期間")
    assert record["provenance"]["/procedure/public_comment/period"] == {"lines": [first, first]}
    # a value printed apart from ⑤ is not taken, even in print order
    assert "reflection" not in comment


APPENDIX = "\n\n\n\n （別添１） 特定個人情報ファイル記録項目\n架空台帳ファイル\n\n"


def test_appendix_of_numbered_groups_is_one_value() -> None:
    body = (FILE_HEAD + " ③使用目的　※ 架空の目的。\n" + APPENDIX
            + "（１）架空記録\n1　番号　　2　氏名\n\n（２）架空口座\n1　口座番号\n")
    record = extract(body)
    assert record["files"][0]["record_items_appendix"] == (
        "架空台帳ファイル（１）架空記録1　番号　　2　氏名（２）架空口座1　口座番号")


def test_appendix_groups_without_numbers_are_abstained() -> None:
    body = (FILE_HEAD + " ③使用目的　※ 架空の目的。\n" + APPENDIX
            + "＜架空記録＞\n番号　氏名\n\n＜架空口座＞\n口座番号\n")
    record = extract(body)
    assert record["files"][0].get("record_items_appendix") is None
    assert uncertain_of(record, "/files/0/record_items_appendix") is not None


def test_business_description_is_the_text_under_its_label_or_abstained() -> None:
    import random
    import unicodedata

    from pia_graph.synth import random_record, render_text_with_truth

    def folded(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split())

    read = abstained = 0
    for index in range(40):
        rng = random.Random(9000 + index)
        text, truth = render_text_with_truth(random_record(rng, index), rng, shuffle=index % 2 == 0)
        record = extract_text(text, f"gen{index}.txt")
        got = record.get("business_description")
        if got is None:
            assert uncertain_of(record, "/business_description") is not None, index
            abstained += 1
            continue
        # the generator knows the cell's items: all of them, in order, and nothing long after the last
        items = [folded(item) for item in truth["business_description"]]
        positions = [folded(got).find(item) for item in items]
        assert -1 not in positions and positions == sorted(positions), index
        assert len(folded(got)) - positions[-1] - len(items[-1]) < 120, index
        read += 1
    assert read >= 20 and abstained >= 5, (read, abstained)


def test_required_cells_are_read_right_or_abstained_never_silently_null() -> None:
    from .generated import generated

    abstained = read = 0
    for _text, truth, record in generated(9100, 60):
        uncertain = {u["path"] for u in record["uncertain"]}
        cells = [("/department_head_title", record.get("department_head_title"), truth.get("department_head_title"))]
        for n, (got, want) in enumerate(zip(record["files"], truth["files"], strict=True)):
            cells += [(f"/files/{n}/{name}", got.get(name), want.get(name))
                      for name in ("subject_scope", "responsible_department", "user_departments")]
        for path, got, want in cells:
            if want is None:
                continue
            if got is None:
                assert path in uncertain, (record["source"], path, want)
                abstained += 1
            else:
                assert got == want, (record["source"], path)
                read += 1
    assert read > 100 and abstained > 0, (read, abstained)
