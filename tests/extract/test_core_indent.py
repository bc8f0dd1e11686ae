"""Texts whose label lines lost the one-space indent (another PDF-to-text tool, tabs, a copy that
stripped leading spaces) and texts whose page breaks were lost: read as well as the original."""

from __future__ import annotations

import json
import re
import runpy
from collections.abc import Callable
from pathlib import Path

import pytest

from pia_graph.extract.catalogue import load_catalogue
from pia_graph.extract.core import extract_text
from pia_graph.extract.history import find_history_start
from pia_graph.extract.layout import restore_label_indent
from tests.extract.generated import generated


def _lines_without_indent(text: str) -> str:
    return "\n".join(line.lstrip(" ") for line in text.split("\n"))


def _lines_tab_indented(text: str) -> str:
    return "\n".join("\t" + line if line else line for line in text.split("\n"))


def _labels_two_spaces(text: str) -> str:
    return "\n".join(" " + line if line.startswith(" ") else line for line in text.split("\n"))


RELAYOUTS: dict[str, Callable[[str], str]] = {
    "no indent": _lines_without_indent,
    "tab indent": _lines_tab_indented,
    "two spaces": _labels_two_spaces,
}


def test_a_text_with_the_one_space_label_indent_is_left_as_it_is() -> None:
    text, _truth, _record = generated(7100, 1)[0]
    lines = text.split("\n")
    assert restore_label_indent(lines, load_catalogue()) is lines


def test_labels_get_the_indent_back_and_values_lose_theirs() -> None:
    lines = ["特定個人情報保護評価書（重点項目評価書）", "", "①事務の名称 国民年金関連事務",
             "\t委託事項1 保守業務委託", "  国民年金の資格・給付に関する事務を行う。", "Ⅰ　基本情報"]
    assert restore_label_indent(lines, load_catalogue()) == [
        "特定個人情報保護評価書（重点項目評価書）", "", " ①事務の名称 国民年金関連事務",
        " 委託事項1 保守業務委託", "国民年金の資格・給付に関する事務を行う。", "Ⅰ　基本情報"]


@pytest.mark.parametrize("relayout", list(RELAYOUTS), ids=list(RELAYOUTS))
def test_generated_records_do_not_depend_on_the_label_indent(relayout: str) -> None:
    # without the restored indent, about half of the fields were lost (seeds: recall 0.962 -> 0.453)
    for index, (text, _truth, record) in enumerate(generated(7200, 12)):
        assert extract_text(RELAYOUTS[relayout](text), f"gen{index}.txt") == record


@pytest.mark.parametrize("relayout", list(RELAYOUTS), ids=list(RELAYOUTS))
def test_seed_scores_do_not_depend_on_the_label_indent(shared_dir: Path, seed_pairs, relayout: str) -> None:
    scorer = runpy.run_path(str(shared_dir / "tools" / "score_extraction.py"))
    for seed, gold_path in seed_pairs:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        text = seed.read_text(encoding="utf-8")
        original = scorer["score"](gold, extract_text(text, seed.name))
        relaid = scorer["score"](gold, extract_text(RELAYOUTS[relayout](text), seed.name))
        assert (relaid.tp, relaid.fp, relaid.missed) == (original.tp, original.fp, original.missed), seed.name


def test_history_without_page_breaks_is_cut_at_its_header_block() -> None:
    # every blank run shrunk to one line: the whole text is one page, and cutting the history at the
    # start of that page (the rule for paged text) would have taken the whole body with it
    text, _truth, _record = next(item for item in generated(7300, 40) if "変更前の記載" in item[0])
    collapsed = re.sub(r"\n{3,}", "\n\n", text).split("\n")
    cut = find_history_start(collapsed)
    assert cut is not None and cut > 0
    block = collapsed[cut:collapsed.index("", cut)]
    assert any("変更前の記載" in line for line in block)
    assert collapsed[cut - 1] == ""
    record = extract_text("\n".join(collapsed), "collapsed.txt")
    assert record["assessment"]["kind"] is not None
