"""Property-based checks of the legal parser and the entity resolver (hypothesis)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from pia_graph.rdf.entities import resolve_entity
from pia_graph.rdf.legal import parse_legal_basis

LAWS = ["番号法", "番号利用法", "住基法", "国民年金法", "国民年金法施行令", "地方税法", "架空振興法"]
SEPARATORS = ["、", "・", "及び", "並びに", "　", "，"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def citation_texts(draw: st.DrawFn) -> tuple[str, int]:
    """A text citing N provisions of several laws (each article with optional 項/号)."""
    parts, expected = [], 0
    for _ in range(draw(st.integers(1, 4))):
        law = draw(st.sampled_from(LAWS))
        articles = []
        for _ in range(draw(st.integers(1, 3))):
            article = f"第{draw(st.integers(1, 300))}条"
            if draw(st.booleans()):
                article += f"の{draw(st.integers(2, 9))}"
            if draw(st.booleans()):
                article += f"第{draw(st.integers(1, 20))}項"
            if draw(st.booleans()):
                article += f"第{draw(st.integers(1, 30))}号"
            articles.append(article)
            expected += 1
        text = law + draw(st.sampled_from(SEPARATORS)).join(articles)
        if draw(st.booleans()):
            items = [str(draw(st.integers(1, 200))) for _ in range(draw(st.integers(1, 4)))]
            text += "　別表の" + draw(st.sampled_from(["、", "・"])).join(items) + "の項"
            expected += len(items)
        parts.append(text)
    text = draw(st.sampled_from(["・", "、", "及び"])).join(parts)
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    return text, expected


@settings(max_examples=200, deadline=None)
@given(citation_texts())
def test_generated_citations_are_all_found(case: tuple[str, int]) -> None:
    text, expected = case
    parsed = parse_legal_basis(text)
    assert len(parsed.citations) == expected, (text, [c.label() for c in parsed.citations])
    assert parsed.unparsed == [], (text, parsed.unparsed)
    assert parsed.text == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_kept_and_never_silently_empty(text: str) -> None:
    parsed = parse_legal_basis(text)
    assert parsed.text == text
    meaningful = any(unicodedata.category(c)[0] in "LN" for c in unicodedata.normalize("NFKC", text))
    if meaningful:
        assert parsed.citations or parsed.unparsed


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("株式会社架空情報センター支社千葉ＡＢＣabc123（）()・･ 　ー")), max_size=30))
def test_resolution_is_stable_under_normalisation(name: str) -> None:
    resolution = resolve_entity(name)
    assert resolution.key == resolve_entity(unicodedata.normalize("NFKC", name)).key
    assert resolution.key == resolve_entity(name.replace("　", " ")).key
    assert not any(c.isspace() for c in resolution.key)
    assert resolution.printed == name
