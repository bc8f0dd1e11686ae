"""Option lists inside the text: numbered ＜選択肢＞ segments, chosen values, checkbox tokens.

All matching runs on NFKC text; values that come out are the catalogue's printed option texts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pia_graph.bounded_cache import remember
from pia_graph.extract.catalogue import Catalogue, key_form, load_catalogue, nfkc

MARKS = "○〇◯"


@dataclass(frozen=True)
class OptionPatterns:
    numbered: re.Pattern[str]
    tokens: re.Pattern[str]
    grid_only: re.Pattern[str]


@lru_cache(maxsize=1)
def _patterns() -> OptionPatterns:
    cat = load_catalogue()
    texts = {unicodedata.normalize("NFKC", o) for opts in cat.c1_options.values() for o in opts}
    texts |= {unicodedata.normalize("NFKC", o) for opts in cat.cm_options.values() for o in opts}
    alternation = "|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True))
    numbered = re.compile(rf"\d{{1,2}}\s*\)\s*(?:{alternation})")
    cm = sorted({unicodedata.normalize("NFKC", o) for opts in cat.cm_options.values() for o in opts},
                key=len, reverse=True)
    cm_alt = "|".join(re.escape(t) for t in cm)
    tokens = re.compile(
        rf"(?P<open>\[)|(?P<close>\])|(?P<mark>[{MARKS}])|(?P<opt>{cm_alt})|(?P<lp>\()|(?P<rp>\))"
        rf"|(?P<ws>\s+)|(?P<text>[^\[\]{MARKS}()\s]+)"
    )
    # whitespace, parentheses and checkbox option texts only (see may_be_checkbox_line)
    grid_only = re.compile(rf"(?:\s|\(|\)|{cm_alt})*")
    return OptionPatterns(numbered, tokens, grid_only)




# Compiled once: chosen_option runs on every line not seen before.
_DETACHED_BOX = re.compile(r"^\s*\]\s*[^\s\[\]]")
_BRACKETS_AND_SPACE = re.compile(r"[\[\]\s]+")
# 委託する （ 2 ）件: the count printed after the choice is not part of it
_TRAILING_COUNT = re.compile(r"[(（]\d{0,3}[)）]件$")


def strip_option_lists(text: str) -> str:
    """NFKC text with ＜選択肢＞ and every numbered option segment (``3) 10人以上50人未満``) removed."""
    return strip_option_lists_normal(nfkc(text))


def strip_option_lists_normal(normal: str) -> str:
    """:func:`strip_option_lists` of text that is already NFKC (callers holding it save a pass)."""
    return _patterns().numbered.sub(" ", normal.replace("<選択肢>", " "))


def chosen_option(text: str, cat: Catalogue | None = None) -> tuple[str, set[str]] | None:
    """(option key form, ids of the C1 lists holding it) when ``text`` is a chosen C1 value.

    The chosen value is what is left once the option list and the brackets ``[ … ]`` are removed
    (form-fields P4); it must equal an option text exactly.
    """
    cat = cat or load_catalogue()
    cache = _CHOSEN.setdefault(id(cat), {})
    known = cache.get(text, _UNKNOWN)
    if known is _UNKNOWN:
        known = remember(cache, _CHOSEN_LIMIT, text, chosen_in_rest(strip_option_lists(text), cat))
    return known  # type: ignore[return-value]


# chosen_option results by catalogue and text: inline values of choice labels are option texts,
# the same few in every document. Shared results: callers only read them. Bounded.
_CHOSEN: dict[int, dict[str, tuple[str, set[str]] | None]] = {}
_CHOSEN_LIMIT = 8192
_UNKNOWN = object()


def chosen_in_rest(rest: str, cat: Catalogue) -> tuple[str, set[str]] | None:
    """:func:`chosen_option` given the :func:`strip_option_lists` of the text."""
    if _DETACHED_BOX.match(rest) and key_form(rest.strip(" ]")) in cat.cm_forms:
        # "] option" is a checkbox whose bracket and mark were printed elsewhere, not a chosen value
        return None
    rest = _BRACKETS_AND_SPACE.sub("", rest)
    rest = _TRAILING_COUNT.sub("", rest)
    if not rest:
        return None
    form = key_form(rest)
    lists = cat.c1_by_form.get(form)
    if lists:
        return form, lists
    return None


def printed_option(form: str, list_id: str, cat: Catalogue | None = None) -> str | None:
    """The catalogue's printed text of the option whose key form is ``form`` in list ``list_id``."""
    return (cat or load_catalogue()).printed_options(list_id).get(form)


@dataclass
class Box:
    """One checkbox option seen in the text: checked True/False when certain, None when detached."""

    option: str  # key form
    checked: bool | None
    detail: str | None = None  # text inside その他 （ … ）


@dataclass
class BoxScan:
    boxes: list[Box]
    orphan_marks: int
    open_brackets: int
    other_text: list[str]

    @property
    def options(self) -> set[str]:
        return {b.option for b in self.boxes}


def _aligned_nfkc(text: str, normal: str | None = None) -> tuple[str, str]:
    """(NFKC text, text as printed) of equal length where possible, so a token found in the NFKC
    text can be copied from the printed one; falls back to NFKC for both."""
    if normal is None:
        normal = nfkc(text)
    if len(normal) == len(text):
        return normal, text
    return normal, normal


def tokenize(text: str, normal: str | None = None) -> list[tuple[str, str]]:
    """Checkbox tokens ``(kind, printed text)``: open, close, mark, opt, lp, rp, text.

    ``normal``, when given, must be the NFKC of ``text`` (saves normalising it again)."""
    normal, printed = _aligned_nfkc(text, normal)
    out: list[tuple[str, str]] = []
    for match in _patterns().tokens.finditer(normal):
        kind = match.lastgroup or "text"
        if kind != "ws":
            out.append((kind, printed[match.start():match.end()]))
    return out


def may_be_checkbox_line(normal: str) -> bool:
    """False when ``is_checkbox_line(tokenize(text, normal))`` is False for certain (``normal`` is
    the NFKC text), so that prose lines are not tokenised at all.

    Without brackets or marks, a checkbox line is made only of option texts and parentheses: its
    tokens are opt/lp/rp (and whitespace), which then also parse the whole text as such pieces."""
    if "[" in normal or "]" in normal or any(mark in normal for mark in MARKS):
        return True
    return _patterns().grid_only.fullmatch(normal) is not None


def is_checkbox_line(tokens: Sequence[tuple[str, str]]) -> bool:
    """A line made of checkbox grid pieces: brackets, marks, option texts (with その他 details)."""
    kinds = {k for k, _ in tokens}
    if not kinds:
        return False
    if kinds <= {"lp", "rp", "mark", "open", "close"}:
        return True
    if "open" in kinds or "close" in kinds or "mark" in kinds:
        return True
    return kinds <= {"opt", "lp", "rp"} and "opt" in kinds and len(tokens) > 1


def scan_boxes(tokens: Sequence[tuple[str, str]]) -> BoxScan:
    """Read checkbox items from tokens: ``[ ○ ] opt`` (checked), ``[ ] opt`` (unchecked),
    ``] opt`` / bare ``opt`` (detached: unknown); marks not inside a ``[ ○ ]`` are orphans."""
    boxes: list[Box] = []
    orphans = 0
    opens = 0
    other: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        kind, value = tokens[i]
        if kind == "open":
            # [ ○ ] opt  |  [ ] opt  |  [ ○ ]opt
            j = i + 1
            mark = False
            if j < n and tokens[j][0] == "mark":
                mark = True
                j += 1
            if j < n and tokens[j][0] == "close" and j + 1 < n and tokens[j + 1][0] == "opt":
                box = Box(key_form(tokens[j + 1][1]), mark)
                i = _read_detail(tokens, j + 2, box, other)
                boxes.append(box)
                continue
            opens += 1
            if mark:
                orphans += 1
            i = j
            continue
        if kind == "mark":
            orphans += 1
        elif kind == "close" and i + 1 < n and tokens[i + 1][0] == "opt":
            box = Box(key_form(tokens[i + 1][1]), None)
            i = _read_detail(tokens, i + 2, box, other)
            boxes.append(box)
            continue
        elif kind == "opt":
            box = Box(key_form(value), None)
            i = _read_detail(tokens, i + 1, box, other)
            boxes.append(box)
            continue
        elif kind == "text":
            other.append(value)
        i += 1
    return BoxScan(boxes, orphans, opens, other)


# Scans of the checkbox rows seen so far. Forms print the same few hundred rows in every document,
# so most rows are scanned once per process. Shared results: callers only read them. Bounded.
_SCANS: dict[tuple[tuple[str, str], ...], BoxScan] = {}
_SCANS_LIMIT = 4096


def shared_scan(tokens: tuple[tuple[str, str], ...]) -> BoxScan:
    """:func:`scan_boxes` of ``tokens``, the same object for equal tokens (never change it)."""
    scan = _SCANS.get(tokens)
    if scan is None:
        scan = remember(_SCANS, _SCANS_LIMIT, tokens, scan_boxes(tokens))
    return scan


_TEXT_SCANS: dict[str, BoxScan] = {}


def shared_text_scan(text: str) -> BoxScan:
    """``scan_boxes(tokenize(text))``, shared like :func:`shared_scan` (never change it)."""
    scan = _TEXT_SCANS.get(text)
    if scan is None:
        scan = remember(_TEXT_SCANS, _SCANS_LIMIT, text, scan_boxes(tokenize(text)))
    return scan


def clear_caches() -> None:
    """Forget shared scans and chosen values (benchmarks measure from a cold start)."""
    _SCANS.clear()
    _TEXT_SCANS.clear()
    _CHOSEN.clear()


def _read_detail(tokens: Sequence[tuple[str, str]], i: int, box: Box, other: list[str]) -> int:
    """After an option: ``（ detail ）`` belongs to it (only その他-like options carry one)."""
    if i < len(tokens) and tokens[i][0] == "lp":
        parts: list[str] = []
        j = i + 1
        while j < len(tokens) and tokens[j][0] in ("text", "opt"):
            parts.append(tokens[j][1])
            j += 1
        if parts:
            box.detail = " ".join(parts)
        if j < len(tokens) and tokens[j][0] == "rp":
            j += 1
        return j
    return i
