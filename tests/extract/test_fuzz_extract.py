"""Property tests: on any input, extraction returns a record or raises InputError, nothing else.

Inputs: arbitrary text, arbitrary bytes (through extract_path), and text assembled from generic
form labels, option lists, checkbox marks, dates and page breaks (the seeds' vocabulary, not their
content). Example counts are bounded so the file runs in well under a minute.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pia_graph.errors import InputError
from pia_graph.extract.api import extract_path

FUZZ_SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LABELS = [
    "特定個人情報保護評価書（重点項目評価書）", "特定個人情報保護評価書（全項目評価書）", "特定個人情報保護評価書（基礎項目評価書）",
    "評価書番号  評価書名", "評価書番号", "評価書名", " 評価実施機関名", " 公表日", "特記事項", "項目一覧",
    "Ⅰ　基本情報", "Ⅱ　特定個人情報ファイルの概要", "Ⅲ　リスク対策", "Ⅳ　開示請求、問合せ", "Ⅴ　評価実施手続",
    " １．特定個人情報ファイルを取り扱う事務", " ①事務の名称", " ②事務の内容", " ③対象人数",
    " ２．特定個人情報ファイルを取り扱う事務において使用するシステム", " システム1", " システム2～5",
    " ①システムの名称", " ②システムの機能", " ③他のシステムとの接続", " ３．特定個人情報ファイル名",
    " ４．個人番号の利用 ※", "法令上の根拠", " ５．情報提供ネットワークシステムによる情報連携 ※", " ①実施の有無",
    " ②法令上の根拠", " ６．評価実施機関における担当部署", " ①部署", " ②所属長の役職名",
    " １．特定個人情報ファイル名", " ①ファイルの種類　※", " ②対象となる本人の数", " ④記録される項目",
    " ⑤保有開始日", " ６．事務担当部署", " ４．特定個人情報ファイルの取扱いの委託", "委託の有無　※",
    " 委託事項1", " 委託事項2～5", " ①委託内容", " ②委託先における取扱者数", " ③委託先名", " ④再委託の有無　※",
    " ⑥再委託事項", " ５．特定個人情報の提供・移転（委託に伴うものを除く。）", "提供・移転の有無", " 提供先1", " 移転先1",
    " ①法令上の根拠", " ②提供先における用途", " ③提供する情報", " ⑥提供方法", " ⑦時期・頻度",
    "（別添１） 特定個人情報ファイル記録項目", "（別添２）変更箇所", "変更前の記載 変更後の記載 提出時期変更日",
    "提出時期に係る説明変更日 項目 変更前の記載 変更後の記載 提出時期", "＜選択肢＞", "再", "委", "託",
]
OPTIONS = [
    "実施する", "実施しない", "未定", "委託する", "委託しない", "再委託する", "再委託しない", "システム用ファイル",
    "その他の電子ファイル（表計算ファイル等）", "1万人未満", "10万人以上100万人未満", "1,000万人以上", "100項目以上",
    "10人以上50人未満", "提供を行っている", "移転を行っている", "行っていない", "情報提供ネットワークシステム",
    "電子記録媒体（フラッシュメモリを除く。）", "フラッシュメモ", "リ", "紙", "電子メール", "専用線", "その他 （ )",
    "事前", "事後", "（記載なし）", "―", "－", "別添１を参照。",
]
MARKS = ["[ ○ ] ", "[ ] ", "[ ○ ", "○ ] ", "] ", "[", "][ ", "〔〇〕", "［〇］", "1） ", "2) ", "（ ", " ）件", " 1 ）件"]
DATES = ["令和7年8月1日", "令和元年9月", "平成27年10月", "2015/7/8", "令和２年６月３０日、10月26日", "事前令和6年12月2日"]
INVENTED_VALUES = ["架空市長", "架空市福祉部国保課", "架空介護システム", "架空情報ファイル", "8", "株式会社架空", "随時"]

pieces = st.sampled_from(LABELS + OPTIONS + MARKS + DATES + INVENTED_VALUES)
form_line = st.lists(pieces, min_size=0, max_size=4).map(" ".join)
separator = st.sampled_from(["\n", "\n", "\n", "\n\n", "\n\n\n\n", "\f", "\r\n"])
form_text = st.lists(st.tuples(form_line, separator), min_size=0, max_size=150).map(
    lambda parts: "".join(line + sep for line, sep in parts)
)
# With the title first, every example passes the "is it an assessment" gate and runs the whole extractor.
titled_form_text = form_text.map(lambda text: "特定個人情報保護評価書（重点項目評価書）\n\n" + text)


def assert_record(record: object) -> None:
    assert isinstance(record, dict)
    assert isinstance(record.get("provenance"), dict)
    assert isinstance(record.get("uncertain"), list)
    json.dumps(record, ensure_ascii=False)  # JSON-ready, as the CLI writes it


def check_text(text: str) -> None:
    from pia_graph.extract import extract_text

    try:
        record = extract_text(text, "fuzz.txt")
    except InputError as error:
        assert "\n" not in str(error)
        return
    assert_record(record)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def check_bytes(data: bytes, folder: Path, name: str = "fuzz.txt") -> None:
    target = folder / name
    target.write_bytes(data)
    try:
        record = extract_path(target)
    except InputError as error:
        assert error.path == str(target)
        assert "\n" not in str(error)
        return
    assert_record(record)
    assert record["source"] == name


@FUZZ_SETTINGS
@given(st.text(max_size=3000))
def test_arbitrary_text(text: str) -> None:
    check_text(text)


@FUZZ_SETTINGS
@given(form_text)
def test_text_from_form_vocabulary(text: str) -> None:
    check_text(text)


@FUZZ_SETTINGS
@given(titled_form_text)
def test_titled_text_from_form_vocabulary_gives_a_record(text: str) -> None:
    from pia_graph.extract import extract_text

    assert_record(extract_text(text, "fuzz.txt"))


@FUZZ_SETTINGS
@given(form_text, st.sampled_from(["utf-8", "utf-8-sig", "cp932", "utf-16", "utf-16-le", "euc_jis_2004"]))
def test_form_vocabulary_files_in_any_encoding(fuzz_dir: Path, text: str, encoding: str) -> None:
    check_bytes(text.encode(encoding), fuzz_dir)


@FUZZ_SETTINGS
@given(st.binary(max_size=4000))
def test_arbitrary_bytes(fuzz_dir: Path, data: bytes) -> None:
    check_bytes(data, fuzz_dir)


@FUZZ_SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_named_pdf(fuzz_dir: Path, data: bytes) -> None:
    check_bytes(b"%PDF-1.4\n" + data, fuzz_dir, "fuzz.pdf")


@FUZZ_SETTINGS
@given(form_text, st.binary(max_size=64), st.integers(min_value=0, max_value=10_000))
def test_text_with_spliced_garbage(fuzz_dir: Path, text: str, garbage: bytes, where: int) -> None:
    data = text.encode("utf-8")
    cut = where % (len(data) + 1)
    check_bytes(data[:cut] + garbage + data[cut:], fuzz_dir)
