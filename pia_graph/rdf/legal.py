"""Legal-basis texts → the provisions they cite.

A 法令上の根拠 text such as ``番号法第９条第１項（利用範囲）及び別表の46、116、128の項`` becomes
one ``Citation`` per provision: (law, 条, 項, 号) or (law, 別表 as printed, item). Laws resolve
through ``pia_graph/data/laws.yaml`` (aliases, e-Gov 法令ID); 同法 / 同条 refer back; a
``（以下「X」という。）`` or ``（X）`` right after a law name defines X as an alias for the rest of
the text. What cannot be read is returned in ``ParsedLegalBasis.unparsed`` (never dropped);
the text itself is always kept.

Item numbers of 別表 depend on the table's version (the 2023 amendment renamed 別表第一 to
別表), so ``table`` keeps the name as printed and the IRI keeps it apart.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import quote

import yaml
from rdflib import URIRef

from pia_graph.vocab import ID

_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = "[〇一二三四五六七八九十百千]+"


@dataclass(frozen=True)
class Law:
    key: str
    name: str                     # canonical name, or the printed name of an unknown law
    egov_id: str | None = None
    name_en: str | None = None
    kind: str | None = None
    parent: str | None = None
    known: bool = True

    @property
    def iri(self) -> URIRef:
        if self.egov_id:
            return ID[f"law/{self.egov_id}"]
        return ID[f"law/{iri_segment(self.key if self.known else self.name)}"]


@dataclass(frozen=True)
class Citation:
    """One provision cited: an article (with 項/号) or an item of a table, of one law."""

    law: Law
    printed_law: str
    article: str | None = None    # "9", "24の2"
    paragraph: str | None = None
    item: str | None = None       # 号
    table: str | None = None      # 別表 / 別表第一 / 別表第二 (as printed, NFKC)
    table_item: str | None = None  # "46", "31の2"

    @property
    def iri(self) -> URIRef:
        """ELI-style subdivision IRI: …/law/<id>/article/9/paragraph/1/item/2 or …/table/<t>/item/46."""
        parts = [str(self.law.iri)]
        if self.table is not None:
            parts.append(f"table/{table_slug(self.table)}")
            if self.table_item is not None:
                parts.append(f"item/{iri_segment(self.table_item)}")
        else:
            if self.article is not None:
                parts.append(f"article/{iri_segment(self.article)}")
            if self.paragraph is not None:
                parts.append(f"paragraph/{iri_segment(self.paragraph)}")
            if self.item is not None:
                parts.append(f"item/{iri_segment(self.item)}")
        return URIRef("/".join(parts))

    def parent_iris(self) -> list[URIRef]:
        """The chain of containing subdivisions, innermost first, ending with the law."""
        chain: list[Citation] = []
        if self.table is not None and self.table_item is not None:
            chain.append(Citation(self.law, self.printed_law, table=self.table))
        elif self.table is None:
            if self.item is not None:
                chain.append(Citation(self.law, self.printed_law, self.article, self.paragraph))
            if self.paragraph is not None and self.article is not None:
                chain.append(Citation(self.law, self.printed_law, self.article))
        return [c.iri for c in chain] + [self.law.iri]

    def label(self) -> str:
        if self.table is not None:
            return f"{self.law.name}{self.table}" + (f"{self.table_item}の項" if self.table_item else "")
        text = self.law.name
        if self.article:
            number, _, branch = self.article.partition("の")
            text += f"第{number}条" + (f"の{branch}" if branch else "")
        if self.paragraph:
            text += f"第{self.paragraph}項"
        if self.item:
            text += f"第{self.item}号"
        return text


@dataclass
class ParsedLegalBasis:
    text: str                                         # as printed
    citations: list[Citation] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)  # fragments that could not be read

    @property
    def laws(self) -> list[Law]:
        seen: dict[str, Law] = {}
        for citation in self.citations:
            seen.setdefault(str(citation.law.iri), citation.law)
        return list(seen.values())


_IRI_SAFE_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@")


@lru_cache(maxsize=65_536)  # the same names and record paths recur in every assessment
def iri_segment(text: str) -> str:
    """A path segment: NFKC, no whitespace; non-ASCII characters kept (IRIs allow them) except
    separators, controls and private-use ones; ASCII outside the IRI-safe set percent-encoded
    (so ``/`` never splits a key)."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return "".join(
        c if c in _IRI_SAFE_ASCII or (ord(c) > 127 and unicodedata.category(c)[0] not in "ZC")
        else quote(c, safe="")
        for c in folded
    )


def table_slug(table: str) -> str:
    """別表 → table, 別表第一 → table-1, 別表第二 → table-2 (any other name kept as a segment)."""
    folded = unicodedata.normalize("NFKC", table).replace(" ", "")
    match = re.fullmatch(rf"別表(?:第({_KANJI_NUMBER}|\d+))?", folded)
    if not match:
        return iri_segment(folded)
    if match.group(1) is None:
        return "table"
    number = match.group(1)
    return f"table-{number if number.isdigit() else kanji_to_int(number)}"


def kanji_to_int(text: str) -> int:
    total, current = 0, 0
    for character in text:
        if character in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[character] if current else _KANJI_DIGITS[character]
        else:
            total += (current or 1) * _KANJI_UNITS[character]
            current = 0
    return total + current


# --- law table -------------------------------------------------------------------------------

def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=1)
def _law_table() -> tuple[dict[str, Law], dict[str, Law]]:
    data: dict[str, Any] = yaml.safe_load(
        resources.files("pia_graph").joinpath("data/laws.yaml").read_text(encoding="utf-8"))
    by_key: dict[str, Law] = {}
    by_alias: dict[str, Law] = {}
    for entry in data["laws"]:
        law = Law(entry["key"], entry["name"], entry.get("egov_id"), entry.get("en"),
                  entry.get("kind"), entry.get("parent"))
        by_key[law.key] = law
        for alias in [entry["name"], *entry.get("aliases", [])]:
            by_alias[_fold(alias)] = law
    return by_key, by_alias


def known_laws() -> list[Law]:
    return list(_law_table()[0].values())


def resolve_law(printed: str) -> Law:
    """The law a printed name stands for; an unknown name becomes a law keyed by that name."""
    _, by_alias = _law_table()
    folded = _fold(printed)
    if folded in by_alias:
        return by_alias[folded]
    return Law(folded, folded, known=False)


# --- the parser --------------------------------------------------------------------------------

_LAW_SUFFIX = r"(?:法律|法|施行令|施行規則|政令|省令|規則|命令|条例|令)"
_NAME_CHARS = r"[一-鿿々〆ヶぁ-ゟァ-ヿー・A-Za-z]"
_CONNECTIVES = ("・", "及び", "並びに", "又は", "若しくは", "に基づく", "による", "において", "及", "並", "又", "の", "と", "等")

_TOKEN_TEMPLATE = (
    r"(?P<paren>[(（][^()（）]*[)）])"
    # known law names first (別表第二の主務省令で定める…命令 is a law, not a table); a known name
    # is not taken when it only begins a longer, unknown name (地方税法|施行規則)
    r"|(?P<known_law>(?:{known})(?!施行令|施行規則|施行細則))"
    r"|(?P<same_law>同法施行令|同法施行規則|同法|同令|同規則)"
    r"|(?P<same_article>同条)"
    r"|(?P<table>別表(?:第(?:[〇一二三四五六七八九十百]+|\d+))?)"
    r"|(?P<article>第?(?P<art_no>\d+)条(?P<art_sub>(?:の\d+)*))"
    r"|(?P<paragraph>第?(?P<para_no>\d+)項)"
    r"|(?P<item>第?(?P<item_no>\d+)号)"
    r"|(?P<number>(?P<num>\d+(?:の\d+)*)\s*(?:の項|項)?)"
    r"|(?P<sep>[、，,・;；]|及び|並びに|又は|若しくは)"
    r"|(?P<law>" + _NAME_CHARS + r"{1,80}?" + _LAW_SUFFIX + r"(?=第|別表|[\s、，,・（(]|及び|並びに|$|\d))"
    r"|(?P<other>.)"
)
_BARE_SUFFIXES = frozenset({"法律", "法", "施行令", "施行規則", "政令", "省令", "規則", "命令", "条例", "令"})


@lru_cache(maxsize=1)
def _token_pattern() -> re.Pattern[str]:
    aliases = sorted(_law_table()[1], key=len, reverse=True)
    known = "|".join(re.escape(alias) for alias in aliases)
    return re.compile(_TOKEN_TEMPLATE.replace("{known}", known), re.S)

_ALIAS_DEFINITION = re.compile(r"[(（](?:以下)?「?(?P<alias>[^「」()（）、。]+?)」?(?:という。?)?[)）]")
_IGNORABLE = re.compile(r"^(?:[\s・、，,。.:：;；\-－―‐ー~〜]|等|の|及び|並びに|又は|若しくは|に基づく|による|において"
                        r"|に規定する|で定める|の規定|規定|準用する場合を含む|など|ほか)*$")


def _arabic_numbers(text: str) -> str:
    """第二十四条の二 → 第24条の2 (kanji numbers next to 第/条/項/号/の)."""

    def replace(match: re.Match[str]) -> str:
        return str(kanji_to_int(match.group(0)))

    text = re.sub(rf"(?<=第){_KANJI_NUMBER}(?=[条項号])", replace, text)
    text = re.sub(rf"(?<=条の){_KANJI_NUMBER}", replace, text)
    return re.sub(rf"(?<=\dの){_KANJI_NUMBER}", replace, text)


def _strip_connectives(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for word in _CONNECTIVES:
            if name.startswith(word) and len(name) > len(word) + 1:
                name = name[len(word):]
                changed = True
    return name


class _State:
    def __init__(self) -> None:
        self.law: Law | None = None
        self.printed_law = ""
        self.article: str | None = None
        self.paragraph: str | None = None
        self.table: str | None = None
        self.last: Citation | None = None
        self.open = False             # the last citation can still be refined (no separator since)
        self.aliases: dict[str, Law] = {}


def parse_legal_basis(text: str | None) -> ParsedLegalBasis:
    """Parse a printed legal-basis text (see the module docstring); ``None``/dash → no citations."""
    result = ParsedLegalBasis(text or "")
    if text is None:
        return result
    normalised = _arabic_numbers(unicodedata.normalize("NFKC", text))
    if re.fullmatch(r"[\s\-－―‐ー—]*", normalised):
        return result
    state = _State()
    leftovers: list[str] = []
    pending_other: list[str] = []

    def flush_other() -> None:
        if pending_other:
            leftovers.append("".join(pending_other))
            pending_other.clear()

    def emit(citation: Citation) -> None:
        result.citations.append(citation)
        state.last = citation
        state.open = True

    def refine(**changes: str) -> None:
        """Attach a 項/号 to the open citation, or start a sibling of the last one."""
        assert state.law is not None
        if state.last is not None and state.open and all(getattr(state.last, k) is None for k in changes):
            updated = Citation(state.last.law, state.last.printed_law, state.last.article,
                               changes.get("paragraph", state.last.paragraph),
                               changes.get("item", state.last.item))
            result.citations[-1] = updated
            state.last = updated
            return
        base = state.last
        article = base.article if base and base.table is None else state.article
        paragraph = changes.get("paragraph", base.paragraph if (base and "item" in changes) else None)
        emit(Citation(state.law, state.printed_law, article, paragraph, changes.get("item")))

    def close_law() -> None:
        """A law named without any article or table is cited as a whole."""
        if state.law is not None and state.last is None:
            emit(Citation(state.law, state.printed_law))

    for match in _token_pattern().finditer(normalised):
        kind = match.lastgroup
        token = match.group(0)
        if kind != "other":
            flush_other()
        if kind == "paren":
            # （番号利用法） / （以下「番号法」という。） right after a law name defines an alias;
            # any other parenthesis (a caption such as （利用範囲）, a law number) is skipped
            if state.law is not None:
                defined = re.search(r"以下「([^「」]+)」", token)
                short = _ALIAS_DEFINITION.fullmatch(token)
                if defined:
                    state.aliases[_fold(defined.group(1))] = state.law
                elif (short and state.last is None and not re.search(r"\d", token)
                      and re.search(_LAW_SUFFIX + "$", short.group("alias"))):
                    state.aliases[_fold(short.group("alias"))] = state.law
            continue
        if kind in ("law", "known_law"):
            close_law()
            printed = _strip_connectives(token)
            skipped = token[: len(token) - len(printed)]
            if skipped and not _IGNORABLE.match(skipped):
                leftovers.append(skipped)
            folded = _fold(printed)
            law = state.aliases.get(folded) or resolve_law(printed)
            if not law.known and folded in _BARE_SUFFIXES:
                leftovers.append(printed)
                state.law = None
                continue
            state.law, state.printed_law = law, printed
            state.article = state.paragraph = state.table = None
            state.last, state.open = None, False
            continue
        if kind == "same_law":
            if state.law is None:
                leftovers.append(token)
                continue
            close_law()
            suffix = token[len("同法"):] if token.startswith("同法") else ""
            if suffix:
                base = state.law
                while base.parent:
                    base = _law_table()[0][base.parent]
                state.law = resolve_law(base.name + suffix)
                state.printed_law = token
            state.article = state.paragraph = state.table = None
            state.last, state.open = None, False
            continue
        if kind == "same_article":
            state.open = False
            continue
        if kind == "sep":
            state.open = False
            continue
        if state.law is None:
            if kind in ("article", "paragraph", "item", "table", "number"):
                leftovers.append(token)
            else:
                pending_other.append(token)
            continue
        if kind == "table":
            state.table = token
            emit(Citation(state.law, state.printed_law, table=token))
            continue
        if kind == "article":
            state.table = None
            state.article = match.group("art_no") + match.group("art_sub")
            state.paragraph = None
            emit(Citation(state.law, state.printed_law, state.article))
            continue
        if state.table is not None and kind in ("paragraph", "number"):
            number = match.group("para_no") if kind == "paragraph" else match.group("num")
            last = state.last
            if last is not None and last.table == state.table and last.table_item is None:
                result.citations[-1] = Citation(last.law, last.printed_law, table=state.table,
                                                table_item=number)
                state.last = result.citations[-1]
            else:
                emit(Citation(state.law, state.printed_law, table=state.table, table_item=number))
            continue
        if kind == "paragraph":
            if state.article is None:
                leftovers.append(token)
                continue
            refine(paragraph=match.group("para_no"))
            continue
        if kind == "item":
            if state.article is None:
                leftovers.append(token)
                continue
            refine(item=match.group("item_no"))
            continue
        if kind == "number":
            # a bare number outside a table: "第3条、12条" is caught as article; this is not
            leftovers.append(token)
            continue
        pending_other.append(token)
    flush_other()
    close_law()
    result.unparsed = [piece.strip() for piece in leftovers if not _IGNORABLE.match(piece.strip())]
    if not result.citations and not result.unparsed:
        result.unparsed = [text.strip()]
    return result
