"""Ⅰ 個人番号の利用 法令上の根拠 and Ⅰ 情報連携 ②法令上の根拠 of generated assessments: the truth,
or null with an abstention; a value printed apart from its label is read only when it is the
page's one citation of a law and the label the page's one 法令上の根拠 without a value."""

from __future__ import annotations

import unicodedata

import pytest

from pia_graph.extract.core import extract_text

from .generated import generated as generate

KEYS = ("mynumber_legal_basis", "info_network_legal_basis")


@pytest.fixture(scope="module")
def generated() -> list[tuple[str, dict, dict]]:
    return generate(7600, 80)


def _apart(text: str, extracted: dict, key: str) -> str | None:
    """The value of ``key`` when it was read from lines apart from its label."""
    pointer = f"/{key}"
    if extracted[key] is None or pointer not in extracted["provenance"]:
        return None
    first, last = extracted["provenance"][pointer]["lines"]
    lines = text.split("\n")[first - 1:last]
    return None if any("根拠" in line for line in lines) else "\n".join(lines)


def _form(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_laws_are_the_truth_or_an_abstention(generated: list[tuple[str, dict, dict]]) -> None:
    read_apart = abstained = 0
    for text, truth, extracted in generated:
        hidden = {u["path"]: u.get("hidden") for u in truth["uncertain"]}
        uncertain = {u["path"] for u in extracted["uncertain"]}
        for key in KEYS:
            got, want = extracted[key], truth[key]
            if got is None:
                if want is not None and want not in ("－", "―"):
                    assert f"/{key}" in uncertain, (extracted["source"], key, want)
                    abstained += 1
            else:
                # a value wrapped over lines loses the space at the break (as the scorer, compare without)
                assert _form(got) == _form(want if want is not None else hidden[f"/{key}"]), (extracted["source"], key)
                read_apart += _apart(text, extracted, key) is not None
    assert read_apart > 5 and abstained > 0


def test_a_second_citation_on_the_page_makes_it_abstain(generated: list[tuple[str, dict, dict]]) -> None:
    for text, _truth, extracted in generated:
        value = _apart(text, extracted, "info_network_legal_basis")
        if value is None:
            continue
        other = "番号法第19条第8号に基づく主務省令第99条"
        crowded = extract_text(text.replace(value, f"{value}\n\n{other}", 1), "crowded.txt")
        assert crowded["info_network_legal_basis"] is None
        doubt = next(u for u in crowded["uncertain"] if u["path"] == "/info_network_legal_basis")
        assert {value, other} <= set(doubt["candidates"])
        return
    pytest.fail("no generated document whose 情報連携 法令上の根拠 was printed apart from its label")
