"""The extraction core on invented documents (架空市/架空町) in two layouts: a clean one (checkbox
rows intact, labels followed by their values) and a shuffled 全項目 one like the PDF-extracted seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from pia_graph.extract.core import enumerated_names, extract_text

FIXTURES = Path(__file__).parent / "fixtures_core"


def load(name: str) -> tuple[list[str], dict]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text.split("\n"), extract_text(text, name)


def assert_provenance_holds_value(lines: list[str], record: dict, pointer: str) -> None:
    node = record
    for part in pointer.strip("/").split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part]
    first, last = record["provenance"][pointer]["lines"]
    span = "".join(line.strip() for line in lines[first - 1:last]).replace(" ", "").replace("\u3000", "")
    assert str(node).replace(" ", "").replace("\u3000", "")[:6] in span, (pointer, node, span)


def test_clean_layout_extracts_every_group_member() -> None:
    lines, record = load("clean_juten_kakuu.txt")
    assert record["assessment"] == {
        "number": "31", "title": "架空市子ども手当に関する事務　重点項目評価書", "kind": "重点項目評価書",
        "form_version": "令和７年５月　様式３", "organization": "架空市長", "published": "2026-04-01",
    }
    assert record["systems"] == ["架空手当システム", "架空宛名基盤"]
    assert record["info_network_linkage"] == "実施する"
    assert record["info_network_legal_basis"] == "番号法第１９条第８号"
    first, second = record["files"]
    assert first["name"] == "子ども手当受給者ファイル" and second["name"] == "子ども手当口座ファイル"
    assert [e["contractor"] for e in first["entrustments"]] == ["架空システム株式会社", "株式会社架空印刷"]
    assert [e["handlers"] for e in first["entrustments"]] == ["10人未満", "10人以上50人未満"]
    assert [e["subcontract"] for e in first["entrustments"]] == ["再委託しない", "再委託する"]
    assert first["entrustments"][1]["subcontract_items"] == "封入封緘作業"
    assert first["entrustments"][0]["subcontract_items"] is None
    assert [p["recipient"] for p in first["provisions"]] == ["架空県知事", "架空年金事務所"]
    assert [p["legal_basis"] for p in first["provisions"]] == ["番号法第１９条第８号", "番号法第１９条第１５号"]
    assert [p["methods"] for p in first["provisions"]] == [["情報提供ネットワークシステム"], ["紙"]]
    assert [p["timing"] for p in first["provisions"]] == ["照会の都度", "毎月１回"]
    transfer = first["transfers"][0]
    assert transfer["recipient"] == "架空市税務課" and transfer["legal_basis"] == "番号法第９条第２項"
    assert transfer["methods"] == ["庁内連携システム", "その他"] and transfer["methods_other"] == "架空連携端末"
    assert first["provision"] == "提供を行っている"
    assert second["entrustment"] == "委託しない" and second["provision"] == "行っていない"
    assert not record["uncertain"]
    for pointer in ("/files/0/provisions/1/legal_basis", "/files/0/entrustments/1/contractor",
                    "/files/0/transfers/0/recipient", "/assessment/organization"):
        assert_provenance_holds_value(lines, record, pointer)


def test_shuffled_full_form_extracts_what_is_certain_and_abstains_on_the_rest() -> None:
    lines, record = load("shuffled_zenkoumoku_kakuu.txt")
    assert record["assessment"]["number"] == "77"
    assert record["assessment"]["kind"] == "全項目評価書"
    assert record["assessment"]["organization"] == "架空町長"
    assert record["assessment"]["published"] is None
    assert record["business_name"] == "後期架空給付に関する事務"
    # システム1 is printed before the Ⅰ2 heading; the history's old name must not leak in
    assert record["systems"] == ["架空給付システム", "架空統合宛名サーバ"]
    assert record["info_network_legal_basis"] == "－"
    file = record["files"][0]
    assert file["name"] == "架空給付受給者ファイル"
    assert file["subject_count"] == "1万人未満"
    assert file["entrustment"] == "委託する" and file["entrustment_count"] == 3
    entrustments = file["entrustments"]
    assert [e["title"] for e in entrustments] == ["架空給付システム運用保守契約", "給付通知印刷発送業務", "受付窓口運営業務"]
    assert [e["content"] for e in entrustments] == [
        "架空給付システムの運用及び保守", "給付通知の印刷及び発送", "給付申請の受付窓口の運営"]
    assert entrustments[0]["handlers"] == "10人未満" and entrustments[0]["subcontract"] == "再委託する"
    # 委託事項2 and 3 share one page: the history row names 委託事項３'s contractor, the other follows
    assert [e["contractor"] for e in entrustments[1:]] == ["有限会社架空サービス", "架空印刷株式会社"]
    # their 取扱者数 differ and nothing says which is whose: abstain
    assert [e["handlers"] for e in entrustments[1:]] == [None, None]
    paths = {u["path"] for u in record["uncertain"]}
    assert {"/files/0/entrustments/1/handlers", "/files/0/entrustments/2/handlers"} <= paths
    assert all(e["subcontract"] == "再委託しない" for e in entrustments[1:])
    provision = file["provisions"][0]
    assert provision["recipient"] == "架空県後期給付連合"
    assert provision["legal_basis"] == "・番号法第19条第8号・架空給付法第12条"
    assert provision["timing"] == "申請受付の都度"
    assert file["transfers"] == []
    assert file["provision"] == "提供を行っている"
    for pointer in ("/files/0/entrustments/2/contractor", "/files/0/provisions/0/legal_basis", "/systems/0"):
        assert_provenance_holds_value(lines, record, pointer)


def test_basic_form_degrades_gracefully() -> None:
    """基礎項目評価書 (様式2): read the Ⅰ fields it shares with the other forms, invent no files."""
    lines, record = load("kiso_kakuu.txt")
    assert record["assessment"]["kind"] == "基礎項目評価書"
    assert record["assessment"]["form_version"] == "平成29年５月　様式２"
    assert record["assessment"]["published"] == "2018-03-01"
    assert record["business_name"] == "予防接種事務"
    assert record["business_description"] == "予防接種の実施及び記録の管理"
    assert record["system_names"] == "1.架空健康システム 2.架空宛名サーバ"
    assert record["file_names_listed"] == "予防接種台帳ファイル"
    assert record["mynumber_legal_basis"] == "番号法第９条第１項　別表の１０の項"
    assert record["info_network_linkage"] == "実施する"
    assert record["department"] == "架空村保健課"
    assert record["department_head_title"] == "保健課長"
    assert record["disclosure"]["contact"] == "架空村総務課"
    assert record["inquiry"]["contact"] == "架空村保健課"
    # Ⅰ1③ and Ⅰ2 list every system and file: each is one of the record's, named only
    assert record["systems"] == ["架空健康システム", "架空宛名サーバ"]
    assert [file["name"] for file in record["files"]] == ["予防接種台帳ファイル"]
    assert all(value in (None, []) for key, value in record["files"][0].items() if key != "name")
    assert not [u for u in record["uncertain"] if u["path"] in ("/files", "/systems")]
    for pointer in ("/business_name", "/department", "/inquiry/contact", "/systems/0", "/systems/1",
                    "/files/0/name"):
        assert_provenance_holds_value(lines, record, pointer)


def _kiso_with(old: str, new: str) -> tuple[list[str], dict]:
    text = (FIXTURES / "kiso_kakuu.txt").read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new)
    return text.split("\n"), extract_text(text, "kiso_variant.txt")


def test_basic_form_list_wrapped_over_lines_is_split_by_its_numbers() -> None:
    lines, record = _kiso_with(" ③システムの名称 1.架空健康システム 2.架空宛名サーバ",
                               " ③システムの名称 1.架空健康システム\n2.架空宛名サーバ ３．架空連携基盤")
    assert record["systems"] == ["架空健康システム", "架空宛名サーバ", "架空連携基盤"]
    for pointer in ("/systems/0", "/systems/2"):
        assert_provenance_holds_value(lines, record, pointer)


def test_basic_form_names_without_numbers_are_abstained() -> None:
    _, record = _kiso_with(" ２．特定個人情報ファイル名 予防接種台帳ファイル",
                           " ２．特定個人情報ファイル名 予防接種台帳ファイル、接種券発行ファイル")
    assert record["files"] == []
    abstained = [u for u in record["uncertain"] if u["path"] == "/files"]
    assert abstained and "予防接種台帳ファイル、接種券発行ファイル" in abstained[0]["candidates"]
    assert record["systems"] == ["架空健康システム", "架空宛名サーバ"]


@pytest.mark.parametrize(("cell", "names"), [
    ("1.架空健康システム 2.架空宛名サーバ", ["架空健康システム", "架空宛名サーバ"]),
    ("1.児童手当システム2.ID連携サーバ", ["児童手当システム", "ID連携サーバ"]),   # joined from two lines
    ("１．住民記録システム　２．宛名システム", ["住民記録システム", "宛名システム"]),
    ("①健康管理システム ②宛名システム", ["健康管理システム", "宛名システム"]),
    ("(1)架空Aシステム (2)架空Bシステム", ["架空Aシステム", "架空Bシステム"]),
    ("1.架空Ver2.0システム 2.宛名", ["架空Ver2.0システム", "宛名"]),
    ("中間サーバー・プラットフォーム", ["中間サーバー・プラットフォーム"]),
    ("架空Aシステム、架空Bシステム", None),      # several names, no numbers
    ("架空A 架空B", None),
    ("1.架空A 3.架空B", None),                   # a number skipped
    ("1.架空A 3.架空B 2.架空C", None),           # a number out of order inside an item
    ("2.架空A 3.架空B", None),                   # not from 1
    ("1.ABC2.DEF", None),                        # 2 glued to a word
    ("1.  2.架空B", None),                       # an empty item
])
def test_enumerated_names(cell: str, names: list[str] | None) -> None:
    assert enumerated_names(cell) == names


def _scrambled(text: str) -> str:
    """Each label line (with the lines wrapped under it) a block of its own, each checkbox row too,
    and the blocks of every page in reverse order: the shuffled layout at its worst."""
    pages = text.split("\n\n\n\n")
    out = []
    for page in pages:
        blocks: list[list[str]] = []
        for line in page.split("\n"):
            if not line.strip():
                continue
            if not blocks or line.startswith(" ") or line.lstrip().startswith(("[", "]")):
                blocks.append([line])
            else:
                blocks[-1].append(line)
        out.append("\n\n".join("\n".join(b) for b in reversed(blocks)))
    return "\n\n\n\n".join(out) + "\n"


def _leaves(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{path}/{i}")
    elif node is not None:
        yield path, node


def test_scrambled_clean_document_never_contradicts_the_clean_reading() -> None:
    """Blocks out of order: the extractor may know less, but never something else."""
    text = (FIXTURES / "clean_juten_kakuu.txt").read_text(encoding="utf-8")
    clean = extract_text(text, "clean")
    scrambled = extract_text(_scrambled(text), "scrambled")
    skip = ("provenance", "uncertain", "source", "systems", "systems_detail")
    truth = dict(_leaves({k: v for k, v in clean.items() if k not in skip}))
    found = dict(_leaves({k: v for k, v in scrambled.items() if k not in skip}))
    # systems: the same names; a number only where the heading could be paired, and then the same
    assert set(scrambled["systems"]) <= set(clean["systems"])
    clean_numbers = {d["name"]: d.get("number") for d in clean["systems_detail"]}
    for detail in scrambled["systems_detail"]:
        assert detail.get("number") in (None, clean_numbers[detail["name"]]), detail
    wrong = {p: (v, truth.get(p)) for p, v in found.items() if p in truth and truth[p] != v}
    invented = {p: v for p, v in found.items() if p not in truth and not p.startswith("/changes")}
    assert not wrong, wrong
    assert not invented, invented
    assert len(found) >= len(truth) // 3  # still reads the inline values
