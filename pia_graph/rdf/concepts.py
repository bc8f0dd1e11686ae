"""The controlled vocabularies (SKOS concept schemes) as data.

Mapping uses these tables to turn a printed option into its concept IRI; ``ontology/vocab.ttl``
is generated from them (``python -m pia_graph.rdf.concepts > ontology/vocab.ttl``) and a test
checks the file is current, so the two never drift.
Concept IRIs: ``piav:<scheme>/<slug>`` (``pia_graph.vocab.VOCAB``). Brackets carry
``pia:lowerBound`` (inclusive) and ``pia:upperBound`` (exclusive) integers where defined.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef

from pia_graph import vocab as V
from pia_graph.vocab import VOCAB


@dataclass(frozen=True)
class Concept:
    slug: str
    ja: str                      # the option text as printed (canonical spelling)
    en: str
    lower: int | None = None     # inclusive
    upper: int | None = None     # exclusive
    alt: tuple[str, ...] = ()    # other printed spellings


@dataclass(frozen=True)
class Scheme:
    slug: str
    ja: str
    en: str
    concepts: tuple[Concept, ...]

    @property
    def iri(self) -> URIRef:
        return VOCAB[self.slug]

    def concept_iri(self, concept: Concept) -> URIRef:
        return VOCAB[f"{self.slug}/{concept.slug}"]


def _c(slug: str, ja: str, en: str, lower: int | None = None, upper: int | None = None,
       alt: tuple[str, ...] = ()) -> Concept:
    return Concept(slug, ja, en, lower, upper, alt)


_METHOD_EN = {
    "info-network": "Information-provision network system",
    "intra-agency-link": "Intra-agency linkage system",
    "leased-line": "Leased line",
    "email": "E-mail",
    "electronic-media": "Electronic media (excluding flash memory)",
    "flash-memory": "Flash memory",
    "paper": "Paper",
    "other": "Other",
}

SCHEMES: dict[str, Scheme] = {s.slug: s for s in [
    Scheme("method", "提供方法・移転方法・入手方法", "Transfer channel (provision, transfer, acquisition method)", tuple(
        _c(slug, label, _METHOD_EN[slug]) for label, slug in V.METHOD_CONCEPTS.items())),
    Scheme("kind", "評価書の種類", "Assessment kind", (
        _c("basic", "基礎項目評価書", "Basic assessment (form 2)"),
        _c("focused", "重点項目評価書", "Focused assessment (form 3)"),
        _c("full", "全項目評価書", "Full assessment (form 4)"),
    )),
    Scheme("form-version", "様式の版", "Form version", (
        _c("heisei-26-04-form-2", "平成26年4月　様式2", "April 2014, form 2"),
        _c("heisei-29-05-form-2", "平成29年5月　様式2", "May 2017, form 2"),
        _c("heisei-30-05-form-4", "平成30年5月　様式4", "May 2018, form 4"),
        _c("reiwa-7-05-form-3", "令和7年5月　様式3", "May 2025, form 3"),
    )),
    Scheme("linkage", "情報提供ネットワークシステムによる情報連携の実施の有無",
           "Data linkage through the information-provision network", (
        _c("implemented", "実施する", "Performed"),
        _c("not-implemented", "実施しない", "Not performed"),
        _c("undecided", "未定", "Undecided"),
    )),
    Scheme("file-type", "ファイルの種類", "File type", (
        _c("system-file", "システム用ファイル", "System file"),
        _c("other-electronic-file", "その他の電子ファイル（表計算ファイル等）", "Other electronic file (spreadsheets etc.)"),
    )),
    Scheme("subject-count", "対象となる本人の数", "Number of data subjects", (
        _c("under-10k", "1万人未満", "Fewer than 10,000", 0, 10_000),
        _c("10k-100k", "1万人以上10万人未満", "10,000 to 99,999", 10_000, 100_000),
        _c("100k-1m", "10万人以上100万人未満", "100,000 to 999,999", 100_000, 1_000_000),
        _c("1m-10m", "100万人以上1,000万人未満", "1,000,000 to 9,999,999", 1_000_000, 10_000_000),
        _c("10m-plus", "1,000万人以上", "10,000,000 or more", 10_000_000, None),
    )),
    Scheme("target-population", "対象人数", "People covered by the business", (
        _c("under-1k", "1,000人未満", "Fewer than 1,000", 0, 1_000),
        _c("1k-10k", "1,000人以上1万人未満", "1,000 to 9,999", 1_000, 10_000),
        _c("10k-100k", "1万人以上10万人未満", "10,000 to 99,999", 10_000, 100_000),
        _c("100k-300k", "10万人以上30万人未満", "100,000 to 299,999", 100_000, 300_000),
        _c("300k-plus", "30万人以上", "300,000 or more", 300_000, None),
    )),
    Scheme("handler-count", "取扱者数・使用者数", "Number of handlers / users", (
        _c("under-10", "10人未満", "Fewer than 10", 0, 10),
        _c("10-50", "10人以上50人未満", "10 to 49", 10, 50),
        _c("50-100", "50人以上100人未満", "50 to 99", 50, 100),
        _c("100-500", "100人以上500人未満", "100 to 499", 100, 500),
        _c("500-1000", "500人以上1,000人未満", "500 to 999", 500, 1_000),
        _c("1000-plus", "1,000人以上", "1,000 or more", 1_000, None),
    )),
    Scheme("record-item-count", "記録される項目の数", "Number of recorded items", (
        _c("under-10", "10項目未満", "Fewer than 10 items", 0, 10),
        _c("10-50", "10項目以上50項目未満", "10 to 49 items", 10, 50),
        _c("50-100", "50項目以上100項目未満", "50 to 99 items", 50, 100),
        _c("100-plus", "100項目以上", "100 items or more", 100, None),
    )),
    Scheme("entrustment-status", "委託の有無", "Entrustment (outsourcing)", (
        _c("entrusted", "委託する", "Entrusted"),
        _c("not-entrusted", "委託しない", "Not entrusted"),
    )),
    Scheme("subcontract-status", "再委託の有無", "Sub-contracting", (
        _c("subcontracted", "再委託する", "Sub-contracted"),
        _c("not-subcontracted", "再委託しない", "Not sub-contracted"),
    )),
    Scheme("provision-status", "提供・移転の有無", "Provision / transfer performed", (
        _c("providing", "提供を行っている", "Provides to other bodies"),
        _c("transferring", "移転を行っている", "Transfers inside the body"),
        _c("none", "行っていない", "Neither"),
    )),
    Scheme("source", "入手元", "Source of the data", (
        _c("self-or-agent", "本人又は本人の代理人", "The data subject or their agent"),
        _c("internal-department", "評価実施機関内の他部署", "Another department of the assessing body"),
        _c("national-agency", "行政機関・独立行政法人等", "National agency or incorporated administrative agency"),
        _c("local-government", "地方公共団体・地方独立行政法人", "Local government or local incorporated administrative agency"),
        _c("private-business", "民間事業者", "Private business"),
        _c("other", "その他", "Other"),
    )),
    Scheme("record-category", "主な記録項目", "Main categories of recorded items", (
        _c("my-number", "個人番号", "Individual number (My Number)"),
        _c("my-number-code", "個人番号対応符号", "Code corresponding to the individual number"),
        _c("internal-id", "その他識別情報（内部番号）", "Other identifier (internal number)"),
        _c("basic-4", "4情報（氏名、性別、生年月日、住所）", "Basic 4 items (name, sex, date of birth, address)"),
        _c("basic-5", "5情報（氏名、氏名の振り仮名、性別、生年月日、住所）",
           "Basic 5 items (name, reading of the name, sex, date of birth, address)"),
        _c("contact", "連絡先（電話番号等）", "Contact details (telephone etc.)"),
        _c("resident-record-other", "その他住民票関係情報", "Other resident-record information"),
        _c("national-tax", "国税関係情報", "National tax information"),
        _c("local-tax", "地方税関係情報", "Local tax information"),
        _c("health-medical", "健康・医療関係情報", "Health and medical information"),
        _c("medical-insurance", "医療保険関係情報", "Medical insurance information"),
        _c("child-welfare", "児童福祉・子育て関係情報", "Child welfare and child-rearing information"),
        _c("disability-welfare", "障害者福祉関係情報", "Disability welfare information"),
        _c("public-assistance", "生活保護・社会福祉関係情報", "Public assistance and social welfare information"),
        _c("elderly-care", "介護・高齢者福祉関係情報", "Long-term care and elderly welfare information"),
        _c("employment", "雇用・労働関係情報", "Employment and labour information"),
        _c("pension", "年金関係情報", "Pension information"),
        _c("school-education", "学校・教育関係情報", "School and education information"),
        _c("disaster", "災害関係情報", "Disaster information"),
        _c("other", "その他", "Other"),
    )),
    Scheme("submission-timing", "提出時期", "Submission timing of a change", (
        _c("before", "事前", "Before the change"),
        _c("after", "事後", "After the change"),
    )),
]}


def fold_option(text: str) -> str:
    """Option-matching key: NFKC, no whitespace, 1) / ２） numbering and brackets removed."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    folded = re.sub(r"^\d+\)", "", folded)
    return folded.strip("[]")


_INDEX: dict[str, dict[str, Concept]] = {
    slug: {fold_option(label): concept for concept in scheme.concepts for label in (concept.ja, *concept.alt)}
    for slug, scheme in SCHEMES.items()
}
_INDEX["method"][fold_option("その他（）")] = next(c for c in SCHEMES["method"].concepts if c.slug == "other")
_INDEX["source"][fold_option("その他（）")] = next(c for c in SCHEMES["source"].concepts if c.slug == "other")


def lookup(scheme: str, label: str) -> URIRef | None:
    """The concept IRI of a printed option in ``scheme``, or None when the text is not an option."""
    folded = fold_option(label)
    concept = _INDEX[scheme].get(folded)
    if concept is None and scheme in ("source", "method", "record-category"):
        # 行政機関・独立行政法人等（日本年金機構）: the printed detail follows the option
        base = re.sub(r"\(.*\)$", "", folded)
        concept = _INDEX[scheme].get(base)
    if concept is None:
        return None
    return SCHEMES[scheme].concept_iri(concept)


_ERAS = {"令和": ("reiwa", 2018), "平成": ("heisei", 1988), "昭和": ("showa", 1925)}


def form_version_concept(text: str) -> tuple[URIRef, str] | None:
    """``令和７年５月　様式３`` → (piav:form-version/reiwa-7-05-form-3, canonical label)."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    match = re.fullmatch(r"\[?(令和|平成|昭和)(\d+|元)年(\d+)月様式(\d+)\]?", folded)
    if not match:
        return None
    era, year, month, form = match.groups()
    year_number = 1 if year == "元" else int(year)
    slug = f"{_ERAS[era][0]}-{year_number}-{int(month):02d}-form-{form}"
    return VOCAB[f"form-version/{slug}"], f"{era}{year_number}年{int(month)}月　様式{form}"


def vocabulary_graph() -> Graph:
    """Every scheme and concept as SKOS (the content of ``ontology/vocab.ttl``)."""
    graph = Graph()
    for prefix, namespace in V.PREFIXES.items():
        graph.bind(prefix, namespace)
    for scheme in SCHEMES.values():
        graph.add((scheme.iri, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme.iri, SKOS.prefLabel, Literal(scheme.ja, lang="ja")))
        graph.add((scheme.iri, SKOS.prefLabel, Literal(scheme.en, lang="en")))
        for concept in scheme.concepts:
            iri = scheme.concept_iri(concept)
            graph.add((iri, RDF.type, SKOS.Concept))
            graph.add((iri, SKOS.inScheme, scheme.iri))
            graph.add((iri, SKOS.topConceptOf, scheme.iri))
            graph.add((iri, SKOS.notation, Literal(concept.slug)))
            graph.add((iri, SKOS.prefLabel, Literal(concept.ja, lang="ja")))
            graph.add((iri, SKOS.prefLabel, Literal(concept.en, lang="en")))
            for alt in concept.alt:
                graph.add((iri, SKOS.altLabel, Literal(alt, lang="ja")))
            if concept.lower is not None:
                graph.add((iri, V.PIA.lowerBound, Literal(concept.lower, datatype=XSD.integer)))
            if concept.upper is not None:
                graph.add((iri, V.PIA.upperBound, Literal(concept.upper, datatype=XSD.integer)))
    return graph


def vocabulary_turtle() -> str:
    header = ("# GENERATED from pia_graph/rdf/concepts.py — do not edit by hand:\n"
              "#   .venv/bin/python -m pia_graph.rdf.concepts > ontology/vocab.ttl\n")
    return header + vocabulary_graph().serialize(format="turtle")


if __name__ == "__main__":
    import sys

    sys.stdout.write(vocabulary_turtle())
