"""decode_bytes: encodings, line ends, form feeds, binary and empty input (invented text)."""

from __future__ import annotations

import codecs
import os

import pytest

from pia_graph.errors import InputError
from pia_graph.extract.decode import decode_bytes, decode_with_line_map

# Invented text in the shape of an assessment: generic form labels, made-up values, and the
# characters that differ between encodings (circled numbers, roman numerals, full-width forms).
SAMPLE = "\n".join([
    "特定個人情報保護評価書（重点項目評価書）",
    "",
    "評価書番号  評価書名",
    "",
    "3 架空の事務に関する事務　重点項目評価書",
    "",
    "Ⅰ　基本情報",
    " ①事務の名称 架空市介護保険事務",
    " ②事務の内容 ＡＢＣ－１２３、令和７年１月１４日、ｶﾀｶﾅ･混在",
    "[ ○ ] 紙 [ ] 電子メール",
    "",
    "",
    "",
    "Ⅱ　特定個人情報ファイルの概要",
    " ⑤保有開始日 平成27年10月",
    "",
])

ENCODED = {
    "utf-8": SAMPLE.encode("utf-8"),
    "utf-8-bom": codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
    "cp932": SAMPLE.encode("cp932"),
    "euc-jis-2004": SAMPLE.encode("euc_jis_2004"),
    "utf-16-le-bom": codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"),
    "utf-16-be-bom": codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"),
    "utf-16-le": SAMPLE.encode("utf-16-le"),
    "utf-16-be": SAMPLE.encode("utf-16-be"),
    "utf-32-bom": SAMPLE.encode("utf-32"),
    "crlf": SAMPLE.replace("\n", "\r\n").encode("utf-8"),
    "cr": SAMPLE.replace("\n", "\r").encode("utf-8"),
    "cp932-crlf": SAMPLE.replace("\n", "\r\n").encode("cp932"),
}


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_every_encoding_decodes_to_the_same_text(name: str) -> None:
    assert decode_bytes(ENCODED[name], "sample.txt") == SAMPLE


def test_euc_jp_without_vendor_characters() -> None:
    plain = "評価実施機関名\n架空市長\n公表日\n令和7年8月1日\n"
    assert decode_bytes(plain.encode("euc_jp"), "x.txt") == plain
    assert decode_bytes(plain.encode("shift_jis"), "x.txt") == plain


def test_line_map_is_identity_without_form_feeds() -> None:
    text, line_map = decode_with_line_map(ENCODED["crlf"], "x.txt")
    assert line_map == list(range(1, text.count("\n") + 2))


def test_form_feed_becomes_three_blank_lines_and_maps_back() -> None:
    data = "一頁目の行\n二行目\n\f二頁目の行\n末尾\fすぐ三頁目\n".encode("cp932")
    text, line_map = decode_with_line_map(data, "x.txt")
    assert text.split("\n") == ["一頁目の行", "二行目", "", "", "", "二頁目の行", "末尾", "", "", "", "すぐ三頁目", ""]
    # Every decoded line points at the line of the original file (a form feed does not end a line).
    assert line_map == [1, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5]


def test_form_feed_alone_on_a_line() -> None:
    text = decode_bytes(b"a\n\f\nb\n", "x.txt")
    assert text == "a\n\n\n\nb\n"


def test_dos_end_of_file_marker_is_dropped() -> None:
    assert decode_bytes("本文\r\n".encode("cp932") + b"\x1a", "x.txt") == "本文\n"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", codecs.BOM_UTF8, "　\n".encode(), codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")])
def test_empty_input(data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        decode_bytes(data, "blank.txt")
    assert caught.value.problem == "empty file"
    assert str(caught.value) == "blank.txt: empty file"


BINARY = {
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)),
    "random": os.urandom(4096) + b"\x00\x00\x01",
    "zip": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(200),
    "controls": bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 50 + b"text",
    "all-bytes": bytes(range(256)) * 4,
    "odd-utf16": codecs.BOM_UTF16_LE + b"a\x00b",
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_input(name: str) -> None:
    with pytest.raises(InputError) as caught:
        decode_bytes(BINARY[name], f"{name}.bin")
    assert caught.value.problem.startswith("binary file, not text")
    assert caught.value.path == f"{name}.bin"


def test_utf8_with_a_nul_byte_is_binary() -> None:
    with pytest.raises(InputError, match="binary file, not text"):
        decode_bytes("評価書\x00評価書".encode() * 3, "x.txt")


def test_a_few_stray_controls_in_long_text_are_kept() -> None:
    text = "本文の行です。" * 200 + "\x07" + "\n"
    assert decode_bytes(text.encode("utf-8"), "x.txt") == text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_bomless_utf16_of_plain_ascii_picks_the_right_byte_order(encoding: str) -> None:
    # Read in the wrong order, ASCII becomes kanji; the detector must not prefer that.
    text = "abcdefgh\nsecond line 123\n"
    assert decode_bytes(text.encode(encoding), "x.txt") == text


def test_utf8_cut_inside_its_last_character_keeps_the_whole_ones() -> None:
    data = SAMPLE.encode("utf-8") + "評".encode()[:2]
    assert decode_bytes(data, "cut.txt") == SAMPLE


def test_one_bad_byte_in_utf8_is_reported_where_it_is() -> None:
    good = (SAMPLE * 3).encode("utf-8")
    where = len(SAMPLE.split("\n")[0].encode("utf-8")) + 1  # start of the second line
    data = good[:where] + b"\xff" + good[where:]
    with pytest.raises(InputError) as caught:
        decode_bytes(data, "broken.txt")
    assert caught.value.problem == f"invalid UTF-8 at byte {where} (the rest reads as UTF-8 text)"
