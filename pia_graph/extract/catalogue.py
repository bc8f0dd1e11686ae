"""The label catalogue of the assessment forms, loaded from ``pia_graph/data/forms/labels.json``.

Label texts, option lists and the record key each label fills are data, not code: a new form
version adds entries there. Matching is done on a *key form* of the text (NFKC, whitespace and
the 重要事項 mark ※ removed) so wrapping, width variants and spacing do not matter.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from pia_graph.bounded_cache import remember

_DROP = re.compile(r"[\s※]+")

# NFKC of every BMP character that NFKC changes. Why: unicodedata.normalize is fast only for text
# that is already normalised; a line with one full-width character (（, ０, the ideographic space)
# takes its slow path, several microseconds per line. Replacing each character by its own NFKC
# first leaves the compatibility decomposition (NFKD) of the text unchanged, so the NFKC of the
# result is exactly the NFKC of the text, and usually reached on the fast path.
_NFKC_OF_CHAR = {code: normal for code in range(0x80, 0x10000)
                 if (normal := unicodedata.normalize("NFKC", chr(code))) != chr(code)}


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, faster on text with full-width characters."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text.translate(_NFKC_OF_CHAR))


@lru_cache(maxsize=8192)
def _char_form(char: str) -> str:
    """NFKC of one character without whitespace and ※ (cached: documents reuse few characters)."""
    if char.isspace() or char == "※":
        return ""
    normal = unicodedata.normalize("NFKC", char) if ord(char) > 0x7F else char
    return "".join(p for p in normal if not p.isspace() and p != "※")


# key_form results by text, bounded as every cross-document cache is (``pia_graph.bounded_cache``:
# with 65,536 entries an lru_cache made most of the cost of each full collection during a batch).
_KEY_FORMS: dict[str, str] = {}
_KEY_FORMS_LIMIT = 65_536


def key_form(text: str) -> str:
    """Text as compared with catalogue entries: NFKC, no whitespace, no ※."""
    form = _KEY_FORMS.get(text)
    if form is None:
        form = remember(_KEY_FORMS, _KEY_FORMS_LIMIT, text, uncached_key_form(text))
    return form


def uncached_key_form(text: str) -> str:
    """:func:`key_form` without the cache, for texts seen once (line tails, not lines)."""
    return _DROP.sub("", nfkc(text))


def clear_caches() -> None:
    """Forget cached key forms (benchmarks measure from a cold start)."""
    _KEY_FORMS.clear()
    _char_form.cache_clear()


def key_form_with_map(text: str) -> tuple[str, list[int]]:
    """:func:`key_form` of ``text`` plus, for each output character, the index of its source character."""
    out: list[str] = []
    index_map: list[int] = []
    for index, char in enumerate(text):
        piece = _char_form(char)
        if piece:
            out.append(piece)
            index_map.extend([index] * len(piece))
    return "".join(out), index_map


@dataclass(frozen=True)
class LabelDef:
    """One catalogue label: its printed variants, the key it fills, type and option list."""

    texts: tuple[str, ...]
    key: str
    type: str
    options: str | None = None
    context: tuple[str, ...] = ()
    bare: bool = False  # also printed without the label indent, value after it (特記事項 なし)


@dataclass
class Catalogue:
    labels: list[LabelDef]
    c1_options: dict[str, list[str]]
    cm_options: dict[str, list[str]]
    # key form of a label text -> definitions sharing it (several when context decides)
    by_text: dict[str, list[LabelDef]] = field(default_factory=dict)
    prefixes: set[str] = field(default_factory=set)
    c1_by_form: dict[str, set[str]] = field(default_factory=dict)
    cm_texts: list[str] = field(default_factory=list)
    cm_forms: set[str] = field(default_factory=set)
    _printed: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for label in self.labels:
            for text in label.texts:
                form = key_form(text)
                self.by_text.setdefault(form, []).append(label)
                for end in range(1, len(form)):
                    self.prefixes.add(form[:end])
        for list_id, options in self.c1_options.items():
            for option in options:
                self.c1_by_form.setdefault(key_form(option), set()).add(list_id)
        texts = {key_form(o) for options in self.cm_options.values() for o in options}
        self.cm_texts = sorted(texts, key=len, reverse=True)
        self.cm_forms = texts

    def printed_options(self, list_id: str) -> dict[str, str]:
        """Key form -> printed text of the options of ``list_id`` (C1 list first, then CM; the
        first option of a key form wins). Built once per list: asked for every chosen value."""
        known = self._printed.get(list_id)
        if known is None:
            known = {}
            for option in self.c1_options.get(list_id, []) + self.cm_options.get(list_id, []):
                known.setdefault(key_form(option), option)
            self._printed[list_id] = known
        return known

    def option_key_forms(self, list_id: str) -> set[str]:
        options = self.c1_options.get(list_id) or self.cm_options.get(list_id) or []
        return {key_form(o) for o in options}


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    raw = json.loads(resources.files("pia_graph").joinpath("data/forms/labels.json").read_text("utf-8"))
    labels = [
        LabelDef(tuple(e["texts"]), e["key"], e["type"], e.get("options"), tuple(e.get("context", ())),
                 bool(e.get("bare", False)))
        for e in raw["labels"]
    ]
    return Catalogue(labels, raw["c1_options"], raw["cm_options"])
