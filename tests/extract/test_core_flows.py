"""提供先/移転先 of files that have several: what the text ties to an instance is read, the rest is
null *with* an abstention (never a silent null, never a value taken from another instance)."""

from __future__ import annotations

import random
import re

import pytest

from pia_graph.extract.core import extract_text
from pia_graph.synth import random_record, render_text_with_truth

from .generated import generated as generate
from .generated import truth_or_abstention as check_instances

FIELDS = ("methods", "purpose", "information", "legal_basis", "timing")
PAGE_BREAK = "\n\n\n\n"


@pytest.fixture(scope="module")
def generated() -> list[tuple[str, dict, dict]]:
    """(text, truth, extracted) for shuffled generated assessments with several flows of a kind."""
    out = generate(7000, 120, lambda record: any(len(f["provisions"]) > 1 or len(f["transfers"]) > 1
                                                   for f in record["files"]))
    assert len(out) >= 40
    return out


def flows(record: dict) -> list[tuple[str, dict]]:
    return [(f"/files/{fi}/{kind}/{i}", flow) for fi, file in enumerate(record["files"])
            for kind in ("provisions", "transfers") for i, flow in enumerate(file[kind])]


def truth_or_abstention(truth: dict, extracted: dict, fields: tuple[str, ...] = FIELDS) -> tuple[int, int]:
    return check_instances(truth, extracted, flows, fields)


def test_every_value_is_the_truth_or_an_abstention(generated: list[tuple[str, dict, dict]]) -> None:
    read = abstained = 0
    for _text, truth, extracted in generated:
        counts = truth_or_abstention(truth, extracted)
        read, abstained = read + counts[0], abstained + counts[1]
    assert read > 600 and abstained > 50


def test_methods_of_several_flows_are_read_where_their_page_holds_one_whole_grid(
        generated: list[tuple[str, dict, dict]]) -> None:
    read = 0
    for _text, _truth, extracted in generated:
        for file in extracted["files"]:
            for kind in ("provisions", "transfers"):
                if len(file[kind]) > 1:
                    read += sum(flow["methods"] is not None for flow in file[kind])
    assert read > 40


def _flow_page(text: str, recipient: str, number: int) -> int:
    pages = text.split(PAGE_BREAK)
    found = [i for i, page in enumerate(pages) if f"{recipient} 提供先{number}" in page]
    assert len(found) == 1
    return found[0]


def _case(generated: list[tuple[str, dict, dict]]) -> tuple[str, dict, str, int, int]:
    """A document whose 提供先2 methods were read from a page of its own (text, extracted, path, page)."""
    for text, _truth, extracted in generated:
        if len(extracted["files"]) != 1:
            continue
        provisions = extracted["files"][0]["provisions"]
        if len(provisions) > 2 and provisions[1]["methods"] and not provisions[1]["methods_other"]:
            page = _flow_page(text, provisions[1]["recipient"], 2)
            grid = [line for line in text.split(PAGE_BREAK)[page].split("\n") if "[ ○ ]" in line]
            if page + 1 < len(text.split(PAGE_BREAK)) and grid:
                return text, extracted, "/files/0/provisions/1/methods", page, 2
    pytest.fail("no generated document with a readable 提供先2 grid")


def test_a_grid_a_page_break_splits_is_not_read_in_part(generated: list[tuple[str, dict, dict]]) -> None:
    text, extracted, path, page, _number = _case(generated)
    pages = text.split(PAGE_BREAK)
    lines = pages[page].split("\n")
    marked = next(i for i, line in enumerate(lines) if "[ ○ ]" in line)
    # the marked box row goes over the page break: what is left is part of a grid
    pages[page] = "\n".join(lines[:marked] + lines[marked + 1:])
    pages[page + 1] = lines[marked] + "\n\n" + pages[page + 1]
    split = extract_text(PAGE_BREAK.join(pages), "split.txt")
    assert extracted["files"][0]["provisions"][1]["methods"]
    assert split["files"][0]["provisions"][1]["methods"] is None
    assert path in {u["path"] for u in split["uncertain"]}


def test_two_grids_on_one_page_are_abstained(generated: list[tuple[str, dict, dict]]) -> None:
    text, extracted, path, page, _number = _case(generated)
    pages = text.split(PAGE_BREAK)
    following = _flow_page(text, extracted["files"][0]["provisions"][2]["recipient"], 3)
    # 提供先3's page printed right after 提供先2's, on the same page: two ⑥ labels, two grids
    joined = pages[:page] + [pages[page] + "\n\n" + pages[following]] + \
        [p for i, p in enumerate(pages) if i > page and i != following]
    together = extract_text(PAGE_BREAK.join(joined), "together.txt")
    uncertain = {u["path"]: u for u in together["uncertain"]}
    for slot in (1, 2):
        flow_path = f"/files/0/provisions/{slot}/methods"
        assert together["files"][0]["provisions"][slot]["methods"] is None
        assert flow_path in uncertain
    assert set(extracted["files"][0]["provisions"][1]["methods"]) <= set(uncertain[path]["candidates"])


def test_a_detached_purpose_is_read_only_when_alone_on_its_page(generated: list[tuple[str, dict, dict]]) -> None:
    checked = 0
    for text, _truth, extracted in generated:
        for fi, file in enumerate(extracted["files"]):
            for i, flow in enumerate(file["provisions"]):
                pointer = f"/files/{fi}/provisions/{i}/purpose"
                if flow["purpose"] is None or pointer not in extracted["provenance"]:
                    continue
                first, last = extracted["provenance"][pointer]["lines"]
                value_lines = text.split("\n")[first - 1:last]
                if any("用途" in line for line in value_lines):
                    continue   # printed with its label
                checked += 1
                # the value was printed apart: its page holds exactly one ②提供先における用途 left open
                offset = sum(len(line) + 1 for line in text.split("\n")[:first - 1])
                page = text.split(PAGE_BREAK)[text[:offset].count(PAGE_BREAK)]
                assert "\n".join(value_lines) in page
                assert len(re.findall(r"②提供先における用途\s*$", page, flags=re.MULTILINE)) == 1
    assert checked > 10


@pytest.mark.parametrize("option", ["フラッシュメモリ", "電子記録媒体（フラッシュメモリを除く。）", "情報提供ネットワークシステム"])
def test_an_option_wrapped_over_two_lines_does_not_let_a_detached_mark_go_elsewhere(option: str) -> None:
    """A detached mark is given to a box left without one only when every box of the grid was
    recognised: with an option's text wrapped (… / its last character), its box is not seen, and
    its mark could go to another option. Whatever is read from such text is still the truth."""
    detached = f"\n] {option}\n"
    checked = 0
    for index in range(100):
        rng = random.Random(9100 + index)
        record = random_record(rng, index)
        text, truth = render_text_with_truth(record, rng, shuffle=True)
        if detached not in text:
            continue
        wrapped = extract_text(text.replace(detached, f"\n] {option[:-1]}\n{option[-1]}\n"), "wrapped.txt")
        hidden = {u["path"]: u.get("hidden") for u in truth["uncertain"]}
        uncertain = {u["path"] for u in wrapped["uncertain"]}
        for (base, got), (_, want) in zip(flows(wrapped), flows(truth), strict=True):
            true_methods = want["methods"] if want["methods"] is not None else hidden.get(f"{base}/methods")
            if got["methods"] is not None:
                checked += 1
                assert sorted(got["methods"]) == sorted(true_methods), (index, base)
            elif true_methods:
                assert f"{base}/methods" in uncertain, (index, base)
    assert checked > 30


# -- ①法令上の根拠 and ⑦時期・頻度: one label text for 提供先 and 移転先 ---------------------------

SHARED = ("legal_basis", "timing")


def test_shared_labels_are_read_by_the_kind_of_their_page_and_their_order(
        generated: list[tuple[str, dict, dict]]) -> None:
    """Files with both 提供先 and 移転先, several of one kind: the labels on pages of one kind alone
    are placed in order around the page both kinds share."""
    read = 0
    for _text, truth, extracted in generated:
        for file in extracted["files"]:
            if file["provisions"] and file["transfers"]:
                read += sum(flow[name] is not None for kind in ("provisions", "transfers")
                            for flow in file[kind] for name in SHARED)
        truth_or_abstention(truth, extracted, SHARED)
    assert read > 200


def _kinds_of_page(page: str) -> set[str]:
    """The flow kinds whose filled headings a page prints (提供先 after its recipient, 移転先 before)."""
    kinds = set()
    if re.search(r"\S \s*提供先\d+\s*$", page, flags=re.MULTILINE):
        kinds.add("provisions")
    if re.search(r"移転先\d+ +\S", page):
        kinds.add("transfers")
    return kinds


def _mixed_case(generated: list[tuple[str, dict, dict]]) -> tuple[dict, dict, list[str], int]:
    """A one-file document with ≥ 2 提供先 and ≥ 1 移転先, its 提供先2's ① read, where a page
    before 提供先2's holds both kinds and 提供先2's page holds 提供先 alone: (truth, extracted,
    pages, the page of 提供先2)."""
    for text, truth, extracted in generated:
        if len(extracted["files"]) != 1:
            continue
        file = extracted["files"][0]
        if len(file["provisions"]) < 2 or not file["transfers"]:
            continue
        if file["provisions"][1]["legal_basis"] is None:
            continue
        pages = text.split(PAGE_BREAK)
        page = _flow_page(text, file["provisions"][1]["recipient"], 2)
        if _kinds_of_page(pages[page]) == {"provisions"} and "①法令上の根拠" in pages[page] \
                and any(_kinds_of_page(p) == {"provisions", "transfers"} for p in pages[:page]):
            return truth, extracted, pages, page
    pytest.fail("no generated document with a shared page before a page of 提供先2 alone")


def test_a_label_too_many_makes_every_flow_abstain(generated: list[tuple[str, dict, dict]]) -> None:
    truth, extracted, pages, page = _mixed_case(generated)
    pages[page] += "\n\n ①法令上の根拠 番号法第19条第8号\n"
    extra = extract_text(PAGE_BREAK.join(pages), "extra.txt")
    uncertain = {u["path"]: u for u in extra["uncertain"]}
    file = extra["files"][0]
    for kind in ("provisions", "transfers"):
        for slot, flow in enumerate(file[kind]):
            assert flow["legal_basis"] is None
            assert "labels for" in uncertain[f"/files/0/{kind}/{slot}/legal_basis"]["reason"]
            assert flow["timing"] == extracted["files"][0][kind][slot]["timing"]
    truth_or_abstention(truth, extra)


def test_labels_between_two_shared_pages_abstain(generated: list[tuple[str, dict, dict]]) -> None:
    """A 移転先 label printed on 提供先2's page makes it a second shared page: its ① could be the
    移転先's, so 提供先2 abstains; no value goes to the wrong instance."""
    truth, extracted, pages, page = _mixed_case(generated)
    pages[page] += "\n\n ⑥移転方法\n"
    shared = extract_text(PAGE_BREAK.join(pages), "shared.txt")
    uncertain = {u["path"]: u for u in shared["uncertain"]}
    assert extracted["files"][0]["provisions"][1]["legal_basis"] is not None
    assert shared["files"][0]["provisions"][1]["legal_basis"] is None
    assert "several pages" in uncertain["/files/0/provisions/1/legal_basis"]["reason"]
    truth_or_abstention(truth, shared, SHARED)


def test_methods_other_is_abstained_with_the_methods() -> None:
    # whether その他 is checked is open when the methods are: its text is not silently null
    checked = 0
    for _text, truth, record in generate(9300, 60):
        uncertain = {u["path"] for u in record["uncertain"]}
        for f, file in enumerate(record["files"]):
            for group in ("provisions", "transfers"):
                for n, flow in enumerate(file[group]):
                    base = f"/files/{f}/{group}/{n}"
                    if flow["methods"] is None and f"{base}/methods" in uncertain:
                        assert flow["methods_other"] is not None or f"{base}/methods_other" in uncertain, base
                        checked += 1
                    if truth["files"][f][group][n]["methods_other"] and flow["methods_other"] is None:
                        assert f"{base}/methods_other" in uncertain, base
    assert checked > 0
