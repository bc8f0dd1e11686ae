"""Extraction core: PDF-extracted assessment text -> record (docs: shared record-schema.md).

Stages: cut the change history (history.find_history_start) -> pages and blocks with label hits and
value chunks (layout.Segmenter) -> regions (cover, Ⅰ, one Ⅱ/Ⅲ run per file, document tail) ->
values: inline first, then page-level assignment of chosen options and group members, each only
when the form's structure makes it certain. Everything else is left null and listed in
``uncertain``. Every value keeps the 1-based line span it came from in ``provenance``.

Truncated documents: a 重点項目評価書 or 全項目評価書 of a known form version (様式２-４, or none
printed) whose 項目一覧 (table of contents) announces the change history ends with the body of its
last section (Ⅴ/Ⅵ 評価実施手続: ②しきい値判断結果, ①実施日) and then that history (（別添２/３）
変更箇所). A text in which neither the change-history table (変更前の記載) nor a 変更箇所 heading
outside the 項目一覧 appears was cut off (an interrupted download or conversion, a file cut
mid-character) and raises ``InputError(source, "truncated: the text ends at line N inside
<section>; <missing parts> not found")`` rather than giving a partial record. The 項目一覧 prints
the same section names, so only body pages count. A cut inside the change history itself cannot be
told from a short history and is accepted; so is a text cut before its 項目一覧 (cover only).
基礎項目評価書, unknown versions and texts without a 項目一覧 (e.g. excerpts) are not checked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pia_graph.errors import InputError
from pia_graph.extract.catalogue import Catalogue, LabelDef, key_form, load_catalogue, nfkc
from pia_graph.extract.history import find_history_start, parse_change_rows, split_pages, to_iso_date
from pia_graph.extract.layout import (
    Chunk,
    LabelHit,
    Page,
    Segmenter,
    blank_page_numbers,
    restore_label_indent,
)
from pia_graph.extract.options import BoxScan, chosen_option, printed_option, shared_text_scan

FORM_MARKERS = ("特定個人情報保護評価書", "特定個人情報ファイル", "評価書番号", "評価実施機関名")
_KIND = re.compile(r"特定個人情報保護評価書\s*[（(]\s*(基礎項目評価書|重点項目評価書|全項目評価書)\s*[）)]")
_VERSION = re.compile(r"[\[［]\s*([^\[\]［］]{0,30}?様式\s*[0-9０-９]+)\s*[\]］]")
_NUMBER_TITLE = re.compile(r"^\s*(?P<number>[0-9０-９]{1,4})[ \u3000]+(?P<title>\S.*評価書)\s*$")
_ORG_END = re.compile(r"(長|委員会|大臣|管理者|知事|議会|連合|組合|機構)$")
_DATE_ONLY = re.compile(r"^(?:令和|平成|昭和)\s*(?:[0-9０-９]{1,2}|元)\s*年\s*[0-9０-９]{1,2}\s*月(?:\s*[0-9０-９]{1,2}\s*日)?$"
                        r"|^[0-9０-９]{4}\s*[/年.\-]\s*[0-9０-９]{1,2}\s*[/月.\-]\s*[0-9０-９]{1,2}\s*日?$")
_COMPANY = re.compile(r"株式会社|有限会社|合同会社|合資会社|合名会社|[（(]株[）)]|㈱|㈲|法人|組合|協会|公社|事業団"
                      r"|Corporation|Inc\.|Co\.,? ?Ltd|LLC")
_KINDS = ("基礎項目評価書", "重点項目評価書", "全項目評価書")
# Form versions (様式 numbers) whose labels and section structure the catalogue describes.
KNOWN_FORM_VERSIONS = ("2", "3", "4")
# Per kind with a known structure: the last section (its body) and the change-history appendix.
_CLOSING_PARTS = {
    "重点項目評価書": ("Ⅴ 評価実施手続", "（別添２）変更箇所"),
    "全項目評価書": ("Ⅵ 評価実施手続", "（別添３）変更箇所"),
}


_DATE_SHAPE = re.compile(r"(令和|平成|昭和|元年|\d{4}[/年-])")


def looks_like_date(text: str) -> bool:
    """A printed date: a full or partial 和暦/western date, not a label or prose."""
    folded = unicodedata.normalize("NFKC", text)
    return bool(_DATE_SHAPE.search(folded)) and bool(re.search(r"\d", folded)) and len(folded) <= 60


@dataclass
class Value:
    text: Any
    first: int  # 0-based line indices
    last: int
    # (reason, candidates) when the text may be only part of the value: the field is abstained
    doubt: tuple[str, list[str]] | None = None


@dataclass
class Builder:
    """The record being built, with provenance and abstentions."""

    record: dict[str, Any]
    provenance: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    uncertain: list[dict[str, Any]] = field(default_factory=list)
    _abstained: set[str] = field(default_factory=set)
    _settled: set[str] = field(default_factory=set)
    _settled_prefixes: list[tuple[str, ...]] = field(default_factory=list)

    def settle(self, path: str) -> None:
        """A doubt recorded earlier no longer holds: the value was found after all."""
        self._settled.add(path)

    def settle_under(self, prefixes: tuple[str, ...]) -> None:
        self._settled_prefixes.append(prefixes)

    def final_uncertain(self) -> list[dict[str, Any]]:
        return [u for u in self.uncertain if u["path"] not in self._settled
                and not any(u["path"].startswith(p) for p in self._settled_prefixes)
                and self.get(u["path"]) in (None, "", [])]

    def set(self, path: str, value: Value | None) -> None:
        if value is not None and value.doubt is not None:
            self.abstain(path, value.doubt[1], value.doubt[0])
            return
        if value is None or value.text in (None, "", []):
            return
        parts = path.strip("/").split("/")
        node: Any = self.record
        for i, part in enumerate(parts[:-1]):
            nxt = parts[i + 1]
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append([] if nxt.isdigit() else {})
                if node[index] is None:
                    node[index] = [] if nxt.isdigit() else {}
                node = node[index]
                continue
            if part not in node or node[part] is None:
                node[part] = [] if nxt.isdigit() else {}
            node = node[part]
        if isinstance(node, list):
            index = int(parts[-1])
            while len(node) <= index:
                node.append(None)
            node[index] = value.text
        else:
            node[parts[-1]] = value.text
        self.provenance[path] = {"lines": [value.first + 1, value.last + 1]}

    def get(self, path: str) -> Any:
        node: Any = self.record
        for part in path.strip("/").split("/"):
            if isinstance(node, list):
                index = int(part)
                node = node[index] if index < len(node) else None
            elif isinstance(node, dict):
                node = node.get(part)
            else:
                return None
            if node is None:
                return None
        return node

    def abstain(self, path: str, candidates: list[Any], reason: str) -> None:
        if self.get(path) not in (None, "", []):
            return
        if any(u["path"] == path for u in self.uncertain[-64:]) or path in self._abstained:
            return
        self._abstained.add(path)
        unique: list[Any] = []
        seen: set[str] = set()
        for candidate in candidates:
            mark = repr(candidate)
            if mark not in seen:
                seen.add(mark)
                unique.append(candidate)
            if len(unique) >= 50:  # enough to review; bounded on pathological input
                break
        self.uncertain.append({"path": path, "candidates": unique, "reason": reason})


# How the one-line values of short cells end, by cell: a file name (…ファイル), a title (…課長,
# …市長), a business (…事務), the people a file covers (…の対象者), a department (…課, …部).
_SHORT_CELL_ENDINGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("file.name", "a file name", ("ファイル",)),
    ("title", "a title", ("長",)),
    ("business_name", "a business name", ("事務",)),
    ("subject_scope", "the people a file covers", ("対象者",)),
    ("department", "a department", ("課", "部", "室", "係", "局")),
)


def _reads_as_other_cell(text: str, field_name: str) -> str | None:
    """What other cell ``text`` reads as (by its ending, or as a citation of a law or a timing), or None."""
    for other, described, endings in _SHORT_CELL_ENDINGS:
        if other != field_name and text.rstrip(" \t\u3000").endswith(endings):
            return described
    # the flow kinds that no name can be ("…に関する事務" reads as a purpose too)
    return {"legal_basis": "a citation of a law", "timing": "a timing"}.get(flow_value_kind(text) or "")


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip(" \t\u3000")
    return text or None


# The most labels one page holds in the seeds and 1,500 generated texts: 26; a seed whose blank runs
# are shrunk reads as one page of 116-210. Such a text lost its page breaks; read as one page, its
# labels take the values of other pages (precision 0.90 on generated texts). Long pages with few
# labels (a 別添 diagram's fragments) are read as usual.
_LABELS_PER_PAGE_AT_MOST = 60


class Extractor:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.cat: Catalogue = load_catalogue()
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        printed = text.split("\n")
        all_pages = split_pages(printed)
        lines = blank_page_numbers(printed, all_pages)
        if lines is not printed:
            all_pages = split_pages(lines)
        # restoring the indent changes no line's blankness: the pages stay
        self.lines = restore_label_indent(lines, self.cat)
        self.cut = find_history_start(self.lines, all_pages)
        end = self.cut if self.cut is not None else len(self.lines)
        self.body_end = end
        # The pages of lines[:cut] are the pages ending by the cut: split_pages decides a page's end
        # from its own lines and the blank lines after it, and the line at the cut is not blank. A
        # history that shares its page with the body (page breaks lost) cuts that page short.
        body_pages = all_pages if self.cut is None else [
            (start, min(end, self.cut)) for start, end in all_pages if start < self.cut]
        self.pages: list[Page] = Segmenter(self.lines, self.cat).pages(end, body_pages)
        for page in self.pages:
            if len(page.hits) > _LABELS_PER_PAGE_AT_MOST:
                raise InputError(source, f"no page breaks: lines {page.start + 1}-{page.end} read as one page of "
                                         f"{len(page.hits)} labels (a page of the form has at most about 30); pages "
                                         f"must be separated by three or more blank lines or a form feed")
        self.chunk_at: dict[int, Chunk] = {c.first: c for p in self.pages for c in p.chunks}
        self._free_chunk_ending: dict[int, Chunk] | None = None
        self._label_of: dict[int, LabelDef | None] = {}
        # per page: its hits in line order with their keys (FileReader.hits asks for them per key)
        self._keyed: dict[int, list[tuple[LabelHit, str | None]]] = {}
        self.ordered = self._is_ordered()
        self.out = Builder(_empty_record(source))
        # label hit -> resolved value (inline, chosen option or group assignment)
        self.values: dict[int, Value] = {}
        self.region: dict[int, str] = {}
        self.change_rows: list[dict[str, Any]] = []
        self.file_of_page: dict[int, int] = {}

    def _is_ordered(self) -> bool:
        """A clean layout (e.g. rebuilt from PDF geometry): every checkbox mark sits in its
        ``[ ○ ] label``, no grid piece floats alone and group fields come in form order, so print
        order inside a page can be trusted."""
        for page in self.pages:
            if not self._page_in_form_order(page):
                return False
            for chunk in page.chunks:
                if chunk.kind != "box" or _VERSION.search(chunk.text):
                    continue
                if not chunk.tokens:
                    if re.search(r"[\[\]［］○〇]", chunk.text):
                        return False
                    continue
                scan = chunk.scan
                if scan.orphan_marks or scan.open_brackets or any(b.checked is None for b in scan.boxes):
                    return False
            for hit in page.hits:
                if hit.defs and hit.defs[0].type == "C1":
                    continue  # "[ ]": a choice left blank, not a checkbox
                if hit.value and re.search(r"[\[［]\s*[○〇]?\s*[\]］]", hit.value):
                    scan = shared_text_scan(hit.value)
                    if scan.orphan_marks or scan.open_brackets or any(b.checked is None for b in scan.boxes):
                        return False
        return True

    _ORDER_KEYS: ClassVar[tuple[str, ...]] = (
        "entrustment.", "provision.", "transfer.", "flow.", "file.", "system.", "business_", "target_population",
        "info_network_", "department",
    )

    def _page_in_form_order(self, page: Page) -> bool:
        """Numbered fields of Ⅰ and Ⅱ come in form order (①, ②, …) after their heading."""
        last = 0
        for hit in sorted(page.hits, key=lambda h: h.first):
            key = self.key(hit, page) or ""
            if hit.group or key.startswith("heading."):
                last = 0
                continue
            if not key.startswith(self._ORDER_KEYS):
                continue
            match = re.match(r"^(\d{1,2})(?![.．\d])", hit.form)
            if not match:
                continue
            number = int(match.group(1))
            if number < last:
                return False
            last = number
        return True

    # -- helpers ----------------------------------------------------------------------------
    def defs_of(self, hit: LabelHit, page: Page) -> LabelDef | None:
        """The label definition of a hit; context (other labels on the page) picks among several."""
        if len(hit.defs) == 1:
            return hit.defs[0]
        # asked many times per hit; pages are final once segmented, so the answer is too
        known = self._label_of.get(id(hit), self)
        if known is not self:
            return known  # type: ignore[return-value]
        forms = page.forms()
        matching = [d for d in hit.defs if d.context and any(key_form(c) in forms for c in d.context)]
        label = matching[0] if len(matching) == 1 else None
        self._label_of[id(hit)] = label
        return label

    def key(self, hit: LabelHit, page: Page) -> str | None:
        if len(hit.defs) == 1:
            return hit.defs[0].key
        label = self.defs_of(hit, page)
        return label.key if label else None

    def keyed_hits(self, page: Page) -> list[tuple[LabelHit, str | None]]:
        """The page's hits with their keys, in line order (which is also the order of page.hits:
        the segmenter appends them line by line)."""
        keyed = self._keyed.get(page.index)
        if keyed is None:
            keyed = [(hit, self.key(hit, page)) for hit in sorted(page.hits, key=lambda h: h.first)]
            self._keyed[page.index] = keyed
        return keyed

    def inline(self, hit: LabelHit) -> Value | None:
        text = hit.value if hit.value is not None else hit.before
        text = _clean(text)
        if text is None:
            return None
        first = hit.value_first if hit.value_first is not None else hit.first
        last = hit.value_last if hit.value_last is not None else hit.first
        value = Value(text, first, last)
        if hit.value is None:
            value.doubt = self._wrapped_before_label(hit, text)
        return value

    def _wrapped_before_label(self, hit: LabelHit, before: str) -> tuple[str, list[str]] | None:
        """A value printed before its label (P1) sits on one line in every layout seen. Free text
        right above or below that line in the same block may be the rest of it, or another field's
        value: the value's extent is not certain."""
        if self._free_chunk_ending is None:
            self._free_chunk_ending = {c.last: c for p in self.pages for c in p.chunks if c.kind == "free"}
        above = self._free_chunk_ending.get(hit.first - 1)
        below = self.chunk_at.get(hit.last + 1)
        above_text = above.text if above is not None and above.block == hit.block else ""
        below_text = below.text if below is not None and below.kind == "free" and below.block == hit.block else ""
        if not above_text and not below_text:
            return None
        return ("the value printed before its label may run over the lines above or below it",
                [before, above_text + before + below_text])

    # -- main -------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        self.classify_pages()
        self.resolve_choices()
        self.cover()
        self.check_complete()
        self.document_fields()
        self.systems()
        self.changes()
        self.files()
        self.basic_form_lists()
        self.coverage_notes()
        record = self.out.record
        record["provenance"] = self.out.provenance
        record["uncertain"] = self.out.final_uncertain()
        return record

    # -- regions ----------------------------------------------------------------------------
    def classify_pages(self) -> None:
        """cover → toc → Ⅰ → (Ⅱ → 別添 → Ⅲ) per file → tail. A file starts at a page that holds
        Ⅱ１ 特定個人情報ファイル名 together with other Ⅱ labels or the Ⅱ heading."""
        state = "cover"
        file_index = -1
        for page in self.pages:
            keys = {d.key for h in page.hits for d in h.defs}
            nums = [s.num for s in page.sections]
            if len(set(nums)) >= 3 and not page.hits:
                self.region[page.index] = "toc"
                if state == "cover":
                    state = "I"
                continue
            file_start = "file.name" in keys and (
                "Ⅱ" in nums or "heading.file_basic" in keys or "file.file_type" in keys
            )
            risk_start = "Ⅲ" in nums or any(k.startswith("risk.") for k in keys)
            if file_start:
                file_index += 1
                state = "II"
            elif state in ("cover", "I") and (
                "Ⅰ" in nums or keys & self.DOC_KEYS or any(k.startswith(("system.", "heading.")) for k in keys)
            ):
                state = "I"
            elif state in ("II", "appendix") and page.appendix and any("記録項目" in a[1] for a in page.appendix):
                state = "appendix"
            elif state in ("II", "appendix", "III") and risk_start:
                state = "III"
            elif any(n in ("Ⅳ", "Ⅴ", "Ⅵ") for n in nums) and state == "III":
                state = "III"
            self.region[page.index] = state
            if state in ("II", "appendix", "III") and file_index >= 0:
                self.file_of_page[page.index] = file_index
        self.file_count = file_index + 1

    # -- truncation -----------------------------------------------------------------------------
    def check_complete(self) -> None:
        """Refuse a 重点/全項目 text that stops before its closing parts (see the module docstring)."""
        assessment = self.out.record["assessment"]
        kind = assessment.get("kind")
        closing = _CLOSING_PARTS.get(kind or "")
        version = re.search(r"様式\s*([0-9０-９]+)", assessment.get("form_version") or "")
        if closing is None or (version and unicodedata.normalize("NFKC", version.group(1)) not in KNOWN_FORM_VERSIONS):
            return  # 基礎項目評価書 or a form whose structure is not catalogued: nothing to measure against
        toc_pages = [p for p in self.pages if self.region.get(p.index) == "toc"]
        if not any("変更箇所" in title for p in toc_pages for _n, title, _line in p.appendix):
            return  # no 項目一覧 announcing the change history: the text does not say where it ends
        body_pages = [p for p in self.pages if self.region.get(p.index) != "toc"]
        change_pages = self.cut is not None or any(
            "変更箇所" in title for p in body_pages for _n, title, _line in p.appendix)
        if change_pages:
            return
        procedure = any(d.key.startswith("procedure.") for p in body_pages for h in p.hits for d in h.defs)
        section, appendix = closing
        missing = ([] if procedure else [f"the body of {section}"]) + [f"the {appendix} pages"]
        last = max((i for i, line in enumerate(self.lines) if line.strip()), default=0)
        raise InputError(self.source, f"truncated: the text ends at line {last + 1} inside "
                                      f"{self._part_at(body_pages, last)}; {' and '.join(missing)} not found")

    def _part_at(self, pages: list[Page], line: int) -> str:
        """The last section or appendix heading printed before ``line`` (outside the 項目一覧)."""
        best: tuple[int, str] | None = None
        for page in pages:
            if self.region.get(page.index) == "cover":
                continue
            marks = [(s.line, f"{s.num} {s.title}") for s in page.sections]
            marks += [(at, f"（別添{number}）{title}") for number, title, at in page.appendix]
            for at, name in marks:
                if at <= line and (best is None or at > best[0]):
                    best = (at, name)
        return best[1] if best else "the cover"

    # -- chosen options (C1) ------------------------------------------------------------------
    def resolve_choices(self) -> None:
        """Inline chosen values first; then, per page, each chosen-value line goes to the one open
        label whose option list holds it. Labels sharing a list compete: assign only when every
        competitor receives the same value (P4)."""
        for page in self.pages:
            open_hits: list[tuple[LabelHit, LabelDef]] = []
            for hit in page.hits:
                label = self.defs_of(hit, page)
                if label is None or label.type != "C1" or not label.options:
                    continue
                inline = hit.value if hit.value is not None else hit.before
                if inline:
                    chosen = chosen_option(inline, self.cat)
                    if chosen and label.options in chosen[1]:
                        text = printed_option(chosen[0], label.options, self.cat)
                        first = hit.value_first if hit.value_first is not None else hit.first
                        self.values[id(hit)] = Value(text, first, hit.value_last or first)
                        continue
                open_hits.append((hit, label))
            if self.ordered:
                still_open = []
                for hit, label in open_hits:
                    chunk = self.chunk_after(hit, page)
                    if chunk is not None and chunk.kind == "c1" and chunk.c1 and label.options in chunk.c1[1] and not chunk.used:
                        chunk.used = True
                        text = printed_option(chunk.c1[0], label.options, self.cat)
                        self.values[id(hit)] = Value(text, chunk.first, chunk.last)
                    else:
                        still_open.append((hit, label))
                open_hits = still_open
            chunks = [c for c in page.chunks if c.kind == "c1" and not c.used and c.c1]
            self._assign_choices(page, open_hits, chunks)
            self._assign_dates(page)

    def _assign_dates(self, page: Page) -> None:
        """A date label standing alone takes the page's one date line, when it is the page's only
        open date label (dates are typed: nothing else on the page can be mistaken for one)."""
        open_dates = [h for h in page.hits if (d := self.defs_of(h, page)) is not None and d.type == "D"
                      and d.key.startswith("file.") and self.inline(h) is None]
        if len(open_dates) != 1:
            return
        dates = [c for c in page.chunks if c.kind in ("free", "count") and not c.used and c.single_line
                 and _DATE_ONLY.match(c.text)]
        if len(dates) == 1:
            dates[0].used = True
            self.values[id(open_dates[0])] = Value(dates[0].text, dates[0].first, dates[0].last)

    def _assign_choices(self, page: Page, open_hits: list[tuple[LabelHit, LabelDef]], chunks: list[Chunk]) -> None:
        # components of labels and chunks linked by a shared option list
        remaining_hits = list(open_hits)
        remaining_chunks = list(chunks)
        while remaining_hits:
            seed_hit, seed_label = remaining_hits.pop(0)
            comp_hits = [(seed_hit, seed_label)]
            comp_chunks: list[Chunk] = []
            changed = True
            while changed:
                changed = False
                for chunk in list(remaining_chunks):
                    assert chunk.c1 is not None
                    if any(label.options in chunk.c1[1] for _, label in comp_hits):
                        comp_chunks.append(chunk)
                        remaining_chunks.remove(chunk)
                        changed = True
                for hit, label in list(remaining_hits):
                    if any(label.options in c.c1[1] for c in comp_chunks if c.c1):
                        comp_hits.append((hit, label))
                        remaining_hits.remove((hit, label))
                        changed = True
            if not comp_chunks:
                continue
            values = {c.c1[0] for c in comp_chunks if c.c1}
            fits = all(all(label.options in c.c1[1] for c in comp_chunks if c.c1) for _, label in comp_hits)
            if fits and (len(comp_hits) == len(comp_chunks) == 1 or (len(comp_hits) == len(comp_chunks) and len(values) == 1)):
                for (hit, label), chunk in zip(comp_hits, comp_chunks, strict=True):
                    assert chunk.c1 is not None
                    text = printed_option(chunk.c1[0], label.options or "", self.cat)
                    self.values[id(hit)] = Value(text, chunk.first, chunk.last)
                    chunk.used = True
            else:
                for hit, label in comp_hits:
                    cands = [printed_option(c.c1[0], label.options or "", self.cat) for c in comp_chunks if c.c1]
                    hit_candidates = [c for c in cands if c]
                    self.pending_choice(hit, hit_candidates)

    def pending_choice(self, hit: LabelHit, candidates: list[str]) -> None:
        self._pending = getattr(self, "_pending", {})
        self._pending[id(hit)] = candidates

    def choice_candidates(self, hit: LabelHit) -> list[str]:
        return getattr(self, "_pending", {}).get(id(hit), [])

    def waiting_text_labels(self, page: Page) -> list[LabelHit]:
        """The page's labels of text cells (type T) with no value beside them: each may be waiting
        for a value printed apart from it."""
        return [hit for hit in page.hits if self.value_of(hit, page) is None
                and (label := self.defs_of(hit, page)) is not None and label.type == "T"]

    def value_of(self, hit: LabelHit, page: Page) -> Value | None:
        """The value a label's own line(s) give, or the chosen option assigned to it; in a clean
        layout also the value printed right under the label (only blank lines between)."""
        if id(hit) in self.values:
            return self.values[id(hit)]
        label = self.defs_of(hit, page)
        if label is not None and label.type in ("C1", "CM"):
            return None
        value = self.inline(hit)
        if value is None and self.ordered and hit.group is None and (
                label is None or (label.key not in self.LONG_CELL_KEYS and not label.key.startswith(self.INLINE_ONLY))):
            # long cells may run over several blocks: bounded_text reads them whole
            chunk = self.chunk_after(hit, page)
            if chunk is not None and chunk.kind == "free":
                value = Value(chunk.text, chunk.first, chunk.last)
        return value

    def boxes_after(self, hit: LabelHit, page: Page) -> list[Chunk]:
        """The checkbox rows printed right under a label (clean layouts), in order."""
        rows: list[Chunk] = []
        chunk = self.chunk_after(hit, page)
        while chunk is not None and chunk.kind == "box" and chunk.tokens:
            rows.append(chunk)
            index = chunk.last + 1
            while index < page.end and not self.lines[index].strip():
                index += 1
            chunk = self.chunk_at.get(index)
        return rows

    def chunk_after(self, hit: LabelHit, page: Page) -> Chunk | None:
        index = hit.last + 1
        while index < page.end and not self.lines[index].strip():
            index += 1
        return self.chunk_at.get(index)

    # -- cover --------------------------------------------------------------------------------
    def cover(self) -> None:
        cover_pages = [p for p in self.pages if self.region.get(p.index) == "cover"]
        if not cover_pages and self.pages:
            cover_pages = [self.pages[0]]
        body = self.lines[: self.body_end]
        out = self.out
        for index, line in enumerate(body):
            match = _KIND.search(line)
            if match:
                out.set("/assessment/kind", Value(match.group(1), index, index))
                break
        for index, line in enumerate(body):
            match = _VERSION.search(line)
            if match:
                out.set("/assessment/form_version", Value(match.group(1).strip(), index, index))
                break
        free = [c for p in cover_pages for c in p.chunks if c.kind == "free" and not c.used]
        counts = [c for p in cover_pages for c in p.chunks if c.kind == "count"]
        hits = {self.key(h, p): h for p in cover_pages for h in p.hits}
        # number and title
        for chunk in free:
            match = _NUMBER_TITLE.match(chunk.text) if chunk.single_line else None
            if match and not _KIND.search(chunk.text):
                out.set("/assessment/number", Value(match.group("number"), chunk.first, chunk.first))
                out.set("/assessment/title", Value(match.group("title").strip(), chunk.first, chunk.first))
                chunk.used = True
                break
        else:
            for key, path in (("assessment.title", "/assessment/title"), ("assessment.number", "/assessment/number")):
                hit = hits.get(key)
                if hit is not None and self.inline(hit):
                    out.set(path, self.inline(hit))
            if out.get("/assessment/title") is None:
                titles = [c for c in free if c.text.endswith("評価書") and not _KIND.search(c.text) and len(c.text) <= 80]
                if len(titles) == 1:
                    out.set("/assessment/title", Value(titles[0].text, titles[0].first, titles[0].last))
                    titles[0].used = True
                elif titles:
                    out.abstain("/assessment/title", [t.text for t in titles], "several title-like lines on the cover")
            if out.get("/assessment/number") is None and "assessment.number" in hits:
                numbers = [c for c in counts if re.fullmatch(r"[0-9０-９]{1,4}", c.text)]
                if len(numbers) == 1:
                    out.set("/assessment/number", Value(numbers[0].text, numbers[0].first, numbers[0].last))
                elif numbers:
                    out.abstain("/assessment/number", [c.text for c in numbers], "several bare numbers on the cover")
        if out.get("/assessment/kind") is None:
            title = out.get("/assessment/title") or ""
            for kind in _KINDS:
                if title.endswith(kind):
                    out.set("/assessment/kind", Value(kind, *self.out.provenance["/assessment/title"]["lines"]))
                    self.out.provenance["/assessment/kind"] = dict(self.out.provenance["/assessment/title"])
                    break
        # organisation
        hit = hits.get("assessment.organization")
        if hit is not None and self.inline(hit):
            out.set("/assessment/organization", self.inline(hit))
        else:
            orgs = [c for c in free if c.single_line and len(c.text) <= 30 and _ORG_END.search(c.text)
                    and "。" not in c.text and not c.used]
            if len(orgs) == 1:
                out.set("/assessment/organization", Value(orgs[0].text, orgs[0].first, orgs[0].last))
                orgs[0].used = True
            elif orgs:
                out.abstain("/assessment/organization", [c.text for c in orgs], "several body names on the cover")
        # publication date
        hit = hits.get("assessment.published")
        date_chunks = [c for c in free if c.single_line and _DATE_ONLY.match(c.text)]
        value = self.inline(hit) if hit is not None else None
        if value is None and hit is not None:
            if len(date_chunks) == 1:
                value = Value(date_chunks[0].text, date_chunks[0].first, date_chunks[0].last)
            elif date_chunks:
                out.abstain("/assessment/published", [c.text for c in date_chunks], "several dates on the cover")
        if value is not None:
            iso = to_iso_date(value.text)
            if iso:
                out.set("/assessment/published", Value(iso, value.first, value.last))
            else:
                out.abstain("/assessment/published", [value.text], "publication date is not a full date")
        # declaration and special notes
        hit = hits.get("declaration")
        if hit is not None:
            value = self.inline(hit)
            if value is None:
                # the whole declaration: "<body>は、…宣言する。" (a wrapped piece of it is not the value)
                texts = [c for c in free if not c.used and re.match(r"^\S{1,40}?は、", c.text)
                         and re.search(r"宣言する。?$", c.text)]
                if len(texts) == 1:
                    value = Value(texts[0].text, texts[0].first, texts[0].last)
            out.set("/declaration", value)
        hit = hits.get("special_notes")
        if hit is not None:
            out.set("/special_notes", self.inline(hit))
        else:
            for chunk in free:
                match = re.match(r"^特記事項[ \u3000]+(\S.*)$", chunk.text)
                if match and chunk.single_line:
                    out.set("/special_notes", Value(match.group(1), chunk.first, chunk.first))

    # -- document-level fields ----------------------------------------------------------------
    DOC_KEYS: ClassVar[set[str]] = {
        "business_name", "business_description", "target_population", "file_names_listed",
        "mynumber_legal_basis", "info_network_linkage", "info_network_legal_basis", "department",
        "department_head_title", "other_assessing_bodies", "file_reasons.necessity", "file_reasons.benefits",
        "disclosure.contact", "disclosure.method", "disclosure.special_procedure", "disclosure.register_omission",
        "disclosure.fee", "disclosure.register_published", "inquiry.contact", "inquiry.handling",
        "procedure.threshold_result", "procedure.date", "system_names",
        "procedure.public_comment.period", "procedure.public_comment.shortening_reason",
        "procedure.public_comment.main_opinions", "procedure.public_comment.reflection",
    }

    # one-line cells whose value, when not beside the label, is printed in the next block of its own
    SHORT_CELL_KEYS: ClassVar[set[str]] = {"business_name", "department"}

    def document_fields(self) -> None:
        found: dict[str, list[tuple[Value | None, LabelHit, Page]]] = {}
        for page in self.pages:
            if self.region.get(page.index) in ("cover", "toc"):
                continue
            for hit, key in self.keyed_hits(page):
                if key in self.DOC_KEYS:
                    found.setdefault(key, []).append((self.value_of(hit, page), hit, page))
        detached: list[tuple[str, list[tuple[LabelHit, Page]]]] = []
        for key, entries in found.items():
            path = "/" + key.replace(".", "/")
            if key == "procedure.date":
                path = "/procedure/dates"
                values = [v for v, _, _ in entries if v is not None]
                # a date label's neighbour that does not read as a date (e.g. the next row's label) is
                # not its value
                dates = [v for v in values if looks_like_date(str(v.text))]
                for i, value in enumerate(dates):
                    iso = to_iso_date(value.text)
                    self.out.set(f"{path}/{i}", Value(iso or value.text, value.first, value.last))
                rejected = [v.text for v in values if not looks_like_date(str(v.text))]
                if rejected:
                    self.out.abstain(path, rejected, "text next to a date label does not read as a date")
                continue
            values = [v for v, _, _ in entries if v is not None]
            distinct = {key_form(str(v.text)) for v in values}
            if len(distinct) == 1:
                self.out.set(path, values[0])
            elif len(distinct) > 1:
                self.out.abstain(path, [v.text for v in values], "the label appears more than once with different values")
            else:
                hit, page = entries[0][1], entries[0][2]
                candidates = self.choice_candidates(hit)
                if key in self.SHORT_CELL_KEYS and len(entries) == 1:
                    short = self.take_next_short_value(page, hit, key, skip_labels=key == "business_name")
                    if key == "business_name":
                        short = self.business_name_against_title(page, short)
                    if short is not None:
                        self.out.set(path, short)
                        continue
                if key in self.LONG_CELL_KEYS and len(entries) == 1 and hit.group is None:
                    value, texts, reason = self.bounded_text(page, hit)
                    if value is not None:
                        self.out.set(path, value)
                    else:
                        self.out.abstain(path, texts, reason)
                    continue
                if key in self.LEGAL_BASIS_KEYS:
                    detached.append((path, [(h, p) for _v, h, p in entries]))
                    continue
                self.unplaced_value(key, path, candidates, [p for _v, _h, p in entries])
        for path, entries in detached:
            if path != "/info_network_legal_basis" or self.out.get("/info_network_linkage") in (None, "実施する"):
                self.detached_legal_basis(path, entries)
            else:
                self.detached_dash(path, entries)

    def business_name_against_title(self, page: Page, beside: Value | None) -> Value | None:
        """Ⅰ１ ①事務の名称 on a shuffled page, checked against the 評価書名 on the cover, which names
        the business too. With no name beside the label, the value is the one unclaimed line on the
        page that names a 事務 (ends with 事務) and that the title holds. A line beside the label that
        the title does not hold, on a page where such a line is left, is no longer certain: both
        are candidates. A title that names the business otherwise (000: 国民年金に関する事務 for
        国民年金関連事務) and no such line on the page leave the line beside the label as it was."""
        title = self.out.get("/assessment/title")
        if not title:
            return beside
        in_title = key_form(str(title))
        if beside is not None and beside.doubt is None and key_form(str(beside.text)) in in_title:
            return beside
        named = [c for c in page.chunks if _short_line(c) and key_form(c.text).endswith("事務") and key_form(c.text) in in_title]
        if not named:
            return beside
        if beside is not None and beside.doubt is None:
            return Value(None, beside.first, beside.last, doubt=(
                "the line beside the label is not in the 評価書名; another line on the page that is competes",
                [beside.text, *(c.text for c in named)]))
        if len({key_form(c.text) for c in named}) != 1:
            return Value(None, named[0].first, named[0].last, doubt=(
                "no name beside the label; several lines on the page name a 事務 of the 評価書名",
                [c.text for c in named]))
        named[0].used = True
        return Value(named[0].text, named[0].first, named[0].last)

    # Ⅰ 個人番号の利用 and Ⅰ 情報連携 ②: a citation of a law, told apart from other text by its wording
    LEGAL_BASIS_KEYS: ClassVar[set[str]] = {"mynumber_legal_basis", "info_network_legal_basis"}

    def detached_dash(self, path: str, entries: list[tuple[LabelHit, Page]]) -> None:
        """Without 情報連携 the ② cell is blank or a dash. A dash printed apart from the label is
        its value only when the label is the page's one text label without a value and the dash the
        page's one unclaimed dash; several dashes (other blank cells) make an abstention."""
        hit, page = entries[0]
        # a lone dash may be taken for a checkbox fragment: its kind does not matter here
        dashes = [c for c in page.chunks if not c.used and _DASH_ONLY.match(c.text.strip())]
        if not dashes or len(entries) != 1:
            return
        if self.waiting_text_labels(page) == [hit] and len(dashes) == 1:
            dashes[0].used = True
            self.out.set(path, Value(dashes[0].text, dashes[0].first, dashes[0].last))
        else:
            self.out.abstain(path, [c.text for c in dashes], "a dash printed apart from its label; other blank cells on the page compete")

    def detached_legal_basis(self, path: str, entries: list[tuple[LabelHit, Page]]) -> None:
        """A 法令上の根拠 label printed without its value: the value is the one unclaimed citation of a
        law on the label's page, when the label is the page's one 法令上の根拠 (of any section)
        without a value. Otherwise the page's citations (or, with none, its unclaimed short texts
        such as a dash) are the candidates of an abstention."""
        if len(entries) != 1:
            self.out.abstain(path, [], f"the label appears {len(entries)} times, none with a value beside it")
            return
        hit, page = entries[0]
        open_labels = [other for other, key in self.keyed_hits(page)
                       if key is not None and (key in self.LEGAL_BASIS_KEYS or key.endswith(".legal_basis"))
                       and self.value_of(other, page) is None]
        citations = _unclaimed_by_kind(page).get("legal_basis", [])
        if open_labels == [hit] and len(citations) == 1:
            citations[0].used = True
            self.out.set(path, Value(citations[0].text, citations[0].first, citations[0].last))
            return
        if citations:
            self.out.abstain(path, [c.text for c in citations],
                             "value printed apart from its label; several labels or citations compete")
        else:
            self.out.abstain(path, [c.text for c in page.chunks if c.kind == "free" and not c.used and len(c.text) <= 80],
                             "value printed apart from its label; no text on the page reads as a citation of a law")

    # Ⅴ/Ⅵ2 意見の聴取 rows are usually left blank and printed among unnumbered-in-catalogue
    # labels (①方法, ②方法): only a value on the label's own line is certain
    INLINE_ONLY: ClassVar[tuple[str, ...]] = ("procedure.public_comment.",)

    # cells holding free text of any length (prose, addresses): when the value is not beside the
    # label, it is the text printed between the label and the next label (see bounded_text)
    LONG_CELL_KEYS: ClassVar[set[str]] = {
        "file.purpose", "file.usage", "file.storage", "disclosure.contact", "inquiry.contact",
        "business_description",
    }

    def bounded_text(self, page: Page, hit: LabelHit) -> tuple[Value | None, list[str], str]:
        """The value of a long cell printed in blocks of its own under its label: every block from
        the label's up to the next block holding a label is plain unclaimed text. It is taken only
        when the label stands alone in its block and a label closes the run on the same page (a run
        reaching the page end may go on overleaf or belong to a cell printed there); otherwise
        (None, candidate texts, reason)."""
        own = [c for c in page.chunks if c.block == hit.block]
        if any(h is not hit and h.block == hit.block for h in page.hits) or own:
            return None, [c.text for c in own], "the label shares its block with other labels or text"
        blocks_with_hits = {h.block for h in page.hits}
        by_block: dict[int, list[Chunk]] = {}
        for chunk in page.chunks:
            by_block.setdefault(chunk.block, []).append(chunk)
        last_block = max([c.block for c in page.chunks] + [h.block for h in page.hits] + [0])
        run: list[Chunk] = []
        block = hit.block + 1
        while block <= last_block and block not in blocks_with_hits:
            chunks = sorted(by_block.get(block, []), key=lambda c: c.first)
            if any(c.kind != "free" or c.used for c in chunks):
                return None, [c.text for c in run + chunks], "checkbox, option or claimed pieces between the label and the next label"
            run.extend(chunks)
            block += 1
        texts = [c.text for c in run]
        if block > last_block:
            return None, texts, "the text under the label runs to the page end; it may continue or belong elsewhere"
        if not run:
            return None, [], "no text between the label and the next label"
        if len({c.block for c in run}) > 1:
            # in a shuffled layout a detached value of another cell can sit between the blocks of
            # this one: several blocks are joined only when no other text label on the page waits
            # for a value or the blocks are the items of one numbered list (clean layouts: print
            # order holds, the blocks are this cell's)
            waiting = [] if self.ordered else [
                h for h in page.hits if h is not hit and h.group is None and self.inline(h) is None
                and (d := self.defs_of(h, page)) is not None and d.type == "T"]
            if waiting and not _continues_enumeration(run):
                return None, texts, "several text blocks under the label; other text labels on the page have no value beside them"
        for chunk in run:
            chunk.used = True
        return Value("".join(texts), run[0].first, run[-1].last), [], ""

    # cells the forms require to be filled (who is covered, which departments, the head's title, why
    # the file is needed): without a value beside the label, their value was printed apart
    REQUIRED_CELL_KEYS: ClassVar[set[str]] = {
        "file.subject_scope", "file.responsible_department", "file.user_departments",
        "department_head_title", "file_reasons.necessity", "file_reasons.benefits",
    }

    def unplaced_value(self, key: str, path: str, candidates: list[str], pages: list[Page]) -> None:
        """A label with no value beside it or placed by the layout: abstained when chosen values
        compete for it; else, for a required cell, with its pages' unclaimed texts as candidates
        (dropped again if a later pass places a value, see Builder.final_uncertain). Optional cells
        (備考, 特記事項 …) are often blank: left alone."""
        if candidates:
            self.out.abstain(path, candidates, "several chosen values compete for this label on its page")
            return
        if key not in self.REQUIRED_CELL_KEYS:
            return
        loose = [c.text for page in pages for c in page.chunks if c.kind == "free" and not c.used]
        self.out.abstain(path, loose[:10], "the form requires this cell, but no value is beside its "
                         "label or tied to it by the layout (it may be printed apart)")

    def printed_as_line_elsewhere(self, text: str, page: Page) -> bool:
        """Whether the body prints ``text`` as a whole line (after an enumerator such as １．) on
        another page than ``page``."""
        wanted = key_form(text)
        return any(key_form(_without_enumerator(line)) == wanted
                   for index, line in enumerate(self.lines[:self.body_end])
                   if not page.start <= index < page.end and line.strip())

    def take_next_short_value(self, page: Page, hit: LabelHit, field_name: str, *,
                              skip_labels: bool = True) -> Value | None:
        """``next_short_value`` as a value, its block claimed so no other label takes it. A block
        that reads as another short cell's value (a shuffled page can put it after this label) is
        no value: the field is abstained with it as the candidate."""
        chunk = self.next_short_value(page, hit, skip_labels=skip_labels)
        if chunk is None:
            return None
        other = _reads_as_other_cell(chunk.text, field_name)
        if other is not None:
            return Value(None, chunk.first, chunk.last, doubt=(
                f"the block after the label reads as {other}, not as this cell's value", [chunk.text]))
        chunk.used = True
        return Value(chunk.text, chunk.first, chunk.last)

    def next_short_value(self, page: Page, hit: LabelHit, *, skip_labels: bool = True) -> Chunk | None:
        """The value printed in the first non-label block after a label (a one-line value in a
        block of its own, the layout of short cells such as 事務の名称 and ファイル名). With
        ``skip_labels=False`` only the block right after the label's own block counts."""
        blocks_with_hits = {h.block for h in page.hits}
        by_block: dict[int, list[Chunk]] = {}
        for chunk in page.chunks:
            by_block.setdefault(chunk.block, []).append(chunk)
        block = hit.block + 1
        last_block = max([c.block for c in page.chunks] + [h.block for h in page.hits] + [0])
        while block <= last_block:
            chunks = by_block.get(block, [])
            if chunks:
                if block in blocks_with_hits:
                    return None
                if len(chunks) == 1 and _short_line(chunks[0]) and not _DATE_ONLY.match(chunks[0].text):
                    return chunks[0]
                return None
            if block not in blocks_with_hits:
                block += 1
                continue
            if not skip_labels:
                return None  # another label comes first: the next value may be its own
            # a block holding only labels: skip it
            block += 1
        return None

    # -- systems ------------------------------------------------------------------------------
    def systems(self) -> None:
        """Ⅰ2 システムN: a name line belongs to the システムN heading right before it, or to
        システム1 right after the Ⅰ2 heading; one left over with システム1 missing is システム1."""
        numbered: dict[int, tuple[Value, LabelHit, Page]] = {}
        unnumbered: list[tuple[Value, LabelHit, Page]] = []
        for page in self.pages:
            if self.region.get(page.index) not in ("I",):
                continue
            ordered = sorted(page.hits, key=lambda h: h.first)
            for position, hit in enumerate(ordered):
                if self.key(hit, page) != "system.name":
                    continue
                value = self.inline(hit)
                if value is None:
                    continue
                previous = ordered[position - 1] if position > 0 else None
                number = None
                if previous is not None and self._adjacent(previous, hit):
                    if previous.group and previous.group[0] == "システム" and not previous.group_range:
                        number = previous.group[1]
                    elif self.key(previous, page) == "heading.systems":
                        number = 1
                if number is None or number in numbered:
                    unnumbered.append((value, hit, page))
                else:
                    numbered[number] = (value, hit, page)
        if len(unnumbered) == 1 and 1 not in numbered:
            numbered[1] = unnumbered.pop()
        ordered_values = [numbered[n] for n in sorted(numbered)] + unnumbered
        numbers = {id(entry[1]): n for n, entry in numbered.items()}
        for i, (value, hit, page) in enumerate(ordered_values):
            self.out.set(f"/systems/{i}", value)
            self.out.set(f"/systems_detail/{i}/name", value)
            if id(hit) in numbers:
                self.out.set(f"/systems_detail/{i}/number", Value(numbers[id(hit)], hit.first, hit.last))
            # ②システムの機能 printed right under this name, with its value on its own lines
            following = sorted((h for h in page.hits if h.first > hit.last), key=lambda h: h.first)
            if following and self.key(following[0], page) == "system.functions" and self._adjacent(hit, following[0]):
                self.out.set(f"/systems_detail/{i}/functions", self.inline(following[0]))
        if unnumbered:
            self.out.abstain("/systems_detail", [v.text for v, _, _ in unnumbered],
                             "system names whose システムN heading could not be paired; listed after the numbered ones")

    def _adjacent(self, first: LabelHit, second: LabelHit) -> bool:
        """Only blank lines between two hits."""
        return all(not self.lines[i].strip() for i in range(first.last + 1, second.first))

    # -- files --------------------------------------------------------------------------------
    def files(self) -> None:
        count = self.file_count
        if count == 0 and any(self.key(h, p) and (self.key(h, p) or "").startswith(("file.", "entrustment."))
                              for p in self.pages for h in p.hits):
            count = 1
            for page in self.pages:
                if self.region.get(page.index) not in ("cover", "toc", "I"):
                    self.file_of_page[page.index] = 0
        for index in range(count):
            pages = [p for p in self.pages if self.file_of_page.get(p.index) == index]
            FileReader(self, index, pages).run()

    def basic_form_lists(self) -> None:
        """基礎項目評価書 (様式2) has no Ⅱ per file and no システムN: its Ⅰ1③ names every system in
        one cell and its Ⅰ2 every file (``1.児童手当システム 2.ID連携サーバ``). Each name becomes a
        system / a file (named only: the form states nothing else of it) when the cell holds one
        name or a numbered list 1, 2, 3 …; a cell of several names without numbers is abstained,
        as where one name ends is not certain."""
        record = self.out.record
        if record["assessment"].get("kind") != "基礎項目評価書" or record["files"] or record["systems"]:
            return
        for source, target in (("/system_names", "/systems"), ("/file_names_listed", "/files")):
            text = self.out.get(source)
            span = self.out.provenance.get(source)
            if not isinstance(text, str) or span is None:
                continue
            names = enumerated_names(text)
            if names is None:
                self.out.abstain(target, [text], "several names in one cell without numbering 1, 2, …: "
                                 "where one name ends is not certain")
                continue
            first, last = span["lines"][0] - 1, span["lines"][1] - 1
            for i, name in enumerate(names):
                if target == "/files":
                    record["files"].append(_empty_file())
                    self.out.set(f"/files/{i}/name", Value(name, first, last))
                else:
                    self.out.set(f"/systems/{i}", Value(name, first, last))

    def coverage_notes(self) -> None:
        """Say what the catalogue could not cover, rather than leaving silent gaps."""
        record = self.out.record
        kind = record["assessment"].get("kind")
        version = record["assessment"].get("form_version") or ""
        if not record["files"]:
            reason = ("基礎項目評価書: the form has no per-file sections (Ⅱ is しきい値判断項目)"
                      if kind == "基礎項目評価書" else "no Ⅱ 特定個人情報ファイルの概要 block found")
            self.out.uncertain.append({"path": "/files", "candidates": [], "reason": reason})
        abstained = {u["path"] for u in self.out.uncertain}
        for f, file in enumerate(record["files"]):
            for group in ("provisions", "transfers"):
                for n, flow in enumerate(file.get(group) or []):
                    base = f"/files/{f}/{group}/{n}"
                    if flow.get("methods") is None and flow.get("methods_other") is None and f"{base}/methods" in abstained:
                        self.out.abstain(f"{base}/methods_other", [], "whether その他 is checked is left open "
                                         "with the methods (see that abstention)")
        number = re.search(r"様式\s*([0-9０-９]+)", version)
        if number and unicodedata.normalize("NFKC", number.group(1)) not in KNOWN_FORM_VERSIONS:
            self.out.uncertain.append({"path": "/assessment/form_version", "candidates": [version],
                                       "reason": "form version not in the label catalogue; only shared labels were read"})

    # -- change history -----------------------------------------------------------------------
    def changes(self) -> None:
        if self.cut is None:
            return
        try:
            rows = parse_change_rows(self.lines[self.cut:], self.cut + 1)
        except Exception:  # the history is secondary: never lose the record over it
            self.out.abstain("/changes", [], "the change history could not be parsed")
            return
        self.out.record["changes"] = rows
        self.change_rows = rows
        for i, row in enumerate(rows):
            span = row.get("lines")
            if span:
                self.out.provenance[f"/changes/{i}"] = {"lines": list(span)}


class FileReader:
    """One 特定個人情報ファイル: Ⅱ fields, 委託事項, 提供先/移転先, Ⅲ answers."""

    SIMPLE: ClassVar[set[str]] = {
        "file.file_type", "file.subject_count", "file.subject_scope", "file.subject_scope_necessity",
        "file.record_item_count", "file.record_items_validity", "file.record_items_ref", "file.retention_start",
        "file.responsible_department", "file.acquisition_timing", "file.acquisition_validity",
        "file.notice_to_subject", "file.purpose", "file.purpose_change_validity", "file.user_departments",
        "file.user_count", "file.usage", "file.usage_matching", "file.usage_statistics", "file.usage_decisions",
        "file.use_start", "file.entrustment", "file.storage", "file.retention_period",
        "file.retention_period_validity", "file.deletion_method", "file.remarks",
    }

    def __init__(self, ex: Extractor, index: int, pages: list[Page]) -> None:
        self.ex = ex
        self.index = index
        self.pages = pages
        self.base = f"/files/{index}"
        ex.out.record["files"].append(_empty_file())
        # fields whose values are known but not which instance owns which: (field, key, slots, values)
        self.groups: list[tuple[str, str, list[tuple[str, str, int]], list[Value]]] = []
        self.flow_numbers: dict[str, dict[int, int]] = {}
        # a label ``distribute`` gave to one instance but which printed no value of its own → its path
        self.open_slots: dict[int, str] = {}
        self._by_key: dict[str | None, list[tuple[int, LabelHit, Page]]] | None = None
        self._checked_options: set[str] | None = None
        # the Ⅱ１ page and the doubt about the block after the label, when no name is beside it
        self.unplaced_name: tuple[Page, tuple[str, list[str]] | None] | None = None

    def hits(self, *keys: str, region: str | None = None) -> list[tuple[LabelHit, Page]]:
        """Hits of the file with one of ``keys``, in page and line order."""
        if self._by_key is None:
            self._by_key = {}
            ordinal = 0
            for page in self.pages:
                for hit, key in self.ex.keyed_hits(page):
                    self._by_key.setdefault(key, []).append((ordinal, hit, page))
                    ordinal += 1
        wanted = set(keys)
        region_of = self.ex.region
        found = [entry for key in wanted for entry in self._by_key.get(key, ())
                 if not region or region_of.get(entry[2].index) == region]
        if len(wanted) > 1:  # each key's list is already in ordinal order
            found.sort(key=lambda entry: entry[0])
        return [(hit, page) for _ordinal, hit, page in found]

    def run(self) -> None:
        self.name()
        self.simple_fields()
        self.record_items_appendix()
        self.entrustments()
        self.flows()
        if self.ex.ordered:
            self.ordered_pass()
        self.attribute_from_history()
        if self.unplaced_name is not None:
            self.displaced_name(*self.unplaced_name)
        self.risk()

    def ordered_pass(self) -> None:
        """Clean layouts: a field belongs to the 委託事項N / 提供先N / 移転先N heading printed last
        before it, which also tells 提供先 and 移転先 apart for the shared labels ① and ⑦."""
        ex = self.ex
        record_file = ex.out.record["files"][self.index]
        # print order is authoritative here: drop the page-level doubts about group members
        prefixes = tuple(f"{self.base}/{k}/" for k in ("entrustments", "provisions", "transfers"))
        ex.out.settle_under(prefixes)
        bases = {"委託事項": ("entrustments", ("entrustment",)), "提供先": ("provisions", ("provision", "flow")),
                 "移転先": ("transfers", ("transfer", "flow"))}
        current: tuple[str, int] | None = None
        for page in self.pages:
            for hit in sorted(page.hits, key=lambda h: h.first):
                if hit.group and hit.group[0] in bases:
                    current = None if hit.group_range else hit.group
                    continue
                key = ex.key(hit, page) or ""
                head, _, field_name = key.partition(".")
                if current is None or head not in bases[current[0]][1]:
                    current = None if head in ("file", "heading") else current
                    continue
                kind = bases[current[0]][0]
                slot = self.slot_of(kind, current[1])
                if slot is None or slot >= len(record_file[kind]):
                    continue
                path = f"{self.base}/{kind}/{slot}/{field_name}"
                if field_name in ("methods", "delivery_methods"):
                    value = self.inline_boxes(hit, "O-TEIKYO" if kind == "provisions" else
                                              "O-ITEN" if kind == "transfers" else "O-ITAKU-TEIKYO", path)
                    continue
                value = ex.value_of(hit, page)
                if value is not None and ex.out.get(path) is None:
                    ex.out.set(path, value)
                    ex.out.settle(path)

    def slot_of(self, kind: str, number: int) -> int | None:
        if kind == "entrustments":
            return number - 1
        return self.flow_numbers.get(kind, {}).get(number)

    def inline_boxes(self, hit: LabelHit, list_id: str, path: str) -> Value | None:
        """Checked options of a checkbox row printed with its label, all marks certain."""
        ex = self.ex
        text = hit.value
        first = hit.value_first if hit.value_first is not None else hit.first
        last = hit.value_last if hit.value_last is not None else hit.last
        if not text and ex.ordered:
            page = next(p for p in self.pages if p.index == hit.page)
            rows = ex.boxes_after(hit, page)
            if rows:
                text = " ".join(c.text for c in rows)
                first, last = rows[0].first, rows[-1].last
        if not text:
            return None
        scan = shared_text_scan(text)
        if not scan.boxes or any(b.checked is None for b in scan.boxes) or scan.orphan_marks:
            return None
        order = {key_form(o): i for i, o in enumerate(ex.cat.cm_options.get(list_id, []))}
        checked = sorted((b for b in scan.boxes if b.checked), key=lambda b: order.get(b.option, len(order)))
        names = list(dict.fromkeys(_printed_cm(b.option, list_id, ex.cat) for b in checked))
        value = Value(names, first, last)
        if ex.out.get(path) is None:
            ex.out.set(path, value)
            ex.out.settle(path)
            other = next((b.detail for b in scan.boxes if b.checked and b.detail), None)
            if other:
                ex.out.set(path + "_other", Value(other, value.first, value.last))
        return value

    def attribute_from_history(self) -> None:
        """Decide which instance owns which body value with the change history: a row whose item
        names the instance (委託事項２, 提供先１) and the field, and whose text holds exactly one of
        the competing body values, ties that value to the instance; a last one follows by elimination.
        Values are always taken from the body, never from the history (P7)."""
        ex = self.ex
        if not ex.change_rows or not self.groups:
            return
        rows = [(_item_form(row.get("item") or row.get("text") or ""),
                 key_form(" ".join(str(row.get(k) or "") for k in ("after", "text")))) for row in ex.change_rows]
        for field_name, key, slots, values in self.groups:
            labels = [_item_form(t) for d in ex.cat.labels if d.key == key for t in d.texts]
            owner: dict[int, int] = {}  # slot position -> value position
            for item, text in rows:
                if not item or not any(label in item for label in labels):
                    continue
                for s_pos, (_path, marker, number) in enumerate(slots):
                    if not re.search(re.escape(_item_form(f"{marker}{number}")) + r"(?!\d)", item):
                        continue
                    hits = [v_pos for v_pos, v in enumerate(values) if len(key_form(str(v.text))) >= 2
                            and key_form(str(v.text)) in text]
                    if len(hits) == 1:
                        if owner.get(s_pos, hits[0]) != hits[0]:
                            owner[s_pos] = -1  # conflicting rows: give up on this slot
                        else:
                            owner[s_pos] = hits[0]
            owner = {s: v for s, v in owner.items() if v >= 0}
            if len(set(owner.values())) != len(owner):
                continue
            free_slots = [i for i in range(len(slots)) if i not in owner]
            free_values = [i for i in range(len(values)) if i not in owner.values()]
            if len(free_slots) == 1 and len(free_values) == 1 and owner:
                owner[free_slots[0]] = free_values[0]
            for s_pos, v_pos in owner.items():
                path = f"{slots[s_pos][0]}/{field_name}"
                if ex.out.get(path) is None:
                    ex.out.set(path, values[v_pos])
                    ex.out.settle(path)

    def name(self) -> None:
        ex = self.ex
        for hit, page in self.hits("file.name", region="II"):
            value = ex.inline(hit) or ex.take_next_short_value(page, hit, "file.name")
            if value is not None and value.doubt is None:
                ex.out.set(f"{self.base}/name", value)
            else:
                self.unplaced_name = (page, value.doubt if value is not None else None)
            break
        for hit, page in self.hits("file.name", region="III"):
            value = ex.inline(hit) or ex.take_next_short_value(page, hit, "file.name")
            ex.out.set(f"{self.base}/risk/file_name", value)
            break

    def displaced_name(self, page: Page, doubt: tuple[str, list[str]] | None) -> None:
        """Ⅱ１ 特定個人情報ファイル名 with no name beside its label (a shuffled page printed it
        elsewhere on the page). Taken when, once every other label of the file has claimed its value,
        one line left on the page names a file (holds ファイル, is no option text) and the document
        prints that same name as a whole line on another page too (the Ⅰ３ list, Ⅲ１, the 別添
        heading). Otherwise abstained, with the lines that name a file as candidates."""
        ex = self.ex
        path = f"{self.base}/name"
        names = [c for c in page.chunks if _short_line(c) and _names_a_file(c.text, ex.cat)]
        printed_elsewhere = [c for c in names if ex.printed_as_line_elsewhere(_without_enumerator(c.text), page)]
        if len({key_form(c.text) for c in printed_elsewhere}) == 1:
            chunk = printed_elsewhere[0]
            chunk.used = True
            ex.out.set(path, Value(chunk.text, chunk.first, chunk.last))
            return
        if printed_elsewhere:
            reason = "several lines on the Ⅱ１ page name a file; which one the label means is not printed"
        elif names:
            reason = ("no value next to Ⅱ１ 特定個人情報ファイル名; the lines on its page that name a file "
                      "are printed nowhere else in the document")
        else:
            reason = doubt[0] if doubt else "no value next to Ⅱ１ 特定個人情報ファイル名"
        ex.out.abstain(path, [c.text for c in printed_elsewhere or names] + (doubt[1] if doubt else []), reason)

    def simple_fields(self) -> None:
        ex = self.ex
        found: dict[str, list[tuple[Value | None, LabelHit]]] = {}
        page_of: dict[int, Page] = {}
        for page in self.pages:
            if ex.region.get(page.index) != "II":
                continue
            for hit, key in ex.keyed_hits(page):
                if key in self.SIMPLE:
                    found.setdefault(key, []).append((ex.value_of(hit, page), hit))
                    page_of[id(hit)] = page
        for key, entries in found.items():
            path = f"{self.base}/{key.split('.', 1)[1]}"
            values = [v for v, _ in entries if v is not None]
            if not values and key in ex.LONG_CELL_KEYS and len(entries) == 1 and entries[0][1].group is None:
                hit = entries[0][1]
                value, texts, reason = ex.bounded_text(page_of[id(hit)], hit)
                if value is not None:
                    ex.out.set(path, value)
                else:
                    ex.out.abstain(path, texts, reason)
                continue
            distinct = {key_form(str(v.text)) for v in values}
            if len(distinct) == 1 and len(values) == len(entries):
                value = values[0]
                if key == "file.use_start":
                    iso = to_iso_date(value.text)
                    if iso:
                        value = Value(iso, value.first, value.last)
                ex.out.set(path, value)
            elif len(distinct) >= 1:
                ex.out.abstain(path, [v.text for v in values], "the label appears more than once with different values")
            else:
                candidates = [c for _, h in entries for c in ex.choice_candidates(h)]
                ex.unplaced_value(key, path, candidates, [page_of[id(h)] for _, h in entries])
        self.checkboxes("file.record_categories", f"{self.base}/record_categories", "O-KIROKU")
        self.checkboxes("file.sources", f"{self.base}/sources", "O-NYUSHUMOTO")
        self.checkboxes("file.acquisition_methods", f"{self.base}/acquisition_methods", "O-NYUSHU")
        # the 委託 count printed as （ N ）件 or as a bare number on the 委託 page
        if ex.out.get(f"{self.base}/entrustment") == "委託する":
            count = self.count_on_pages("file.entrustment")
            if count is not None:
                ex.out.set(f"{self.base}/entrustment_count", Value(int(count.text), count.first, count.last))

    def count_on_pages(self, key: str) -> Value | None:
        pages = {p.index for _, p in self.hits(key)}
        counts = [c for p in self.pages if p.index in pages for c in p.chunks
                  if c.kind == "count" and "○" not in c.text and "〇" not in c.text]
        numbers = {unicodedata.normalize("NFKC", re.sub(r"\D", "", unicodedata.normalize("NFKC", c.text))) for c in counts}
        if len(numbers) == 1 and counts:
            return Value(numbers.pop(), counts[0].first, counts[0].last)
        return None

    def checkboxes(self, key: str, path: str, list_id: str) -> Value | None:
        """Checked options of a checkbox field, when certain (P3): from the label's own line(s), or
        from its page when that page holds no other grid sharing these options."""
        entries = self.hits(key)
        if len(entries) != 1:
            return None
        hit, page = entries[0]
        return self.page_checkboxes(hit, page, path, list_id)

    def page_checkboxes(self, hit: LabelHit, page: Page, path: str, list_id: str) -> Value | None:
        """Checked options of the checkbox label ``hit``: from its own line(s), or from its page
        when that page holds no other grid sharing these options and each option of the list
        exactly once. Marks detached from their boxes are counted against the boxes left
        without one, which is sound only if every box was recognised: an option wrapped over two
        lines, a grid a page break splits, or the grids of two instances on one page, break that."""
        ex = self.ex
        if ex.ordered:
            return self.inline_boxes(hit, list_id, path)
        options = ex.cat.option_key_forms(list_id)
        inline = hit.value if hit.value is not None else None
        scans = []
        if inline:
            scans.append(shared_text_scan(inline))
        if scans and all(b.checked is not None for b in scans[0].boxes) and scans[0].boxes:
            scan = scans[0]
        else:
            others = [h for h in page.hits if h is not hit and (d := ex.defs_of(h, page)) is not None
                      and d.type == "CM" and d.options and ex.cat.option_key_forms(d.options) & options]
            foreign = set()
            boxes = []
            orphans = 0
            for chunk in page.chunks:
                if chunk.kind != "box" or not chunk.tokens:
                    continue
                chunk_scan = chunk.scan
                boxes.extend(chunk_scan.boxes)
                orphans += chunk_scan.orphan_marks
                foreign |= {b.option for b in chunk_scan.boxes} - options
            marked = sorted({_printed_cm(b.option, list_id, ex.cat) for b in boxes if b.checked is not False})
            if others or foreign:
                if boxes:
                    ex.out.abstain(path, marked, "checkbox marks detached from labels; other grids share the page")
                return None
            if len(boxes) != len(options) or {b.option for b in boxes} != options:
                ex.out.abstain(path, marked,
                               "the page of this label does not hold one whole grid of its options "
                               "(a grid split by a page break, or the grids of several instances)")
                return None
            scan = BoxScan(boxes, orphans, 0, [])
        unknown = [b for b in scan.boxes if b.checked is None]
        checked = [b for b in scan.boxes if b.checked]
        if unknown:
            if scan.orphan_marks == 0:
                pass  # no mark left to give: the detached boxes are unchecked
            elif scan.orphan_marks == len(unknown):
                checked = checked + unknown
            else:
                ex.out.abstain(path, [_printed_cm(b.option, list_id, ex.cat) for b in unknown],
                               f"checkbox marks detached from labels: {scan.orphan_marks} marks for {len(unknown)} boxes")
                return None
        if not scan.boxes:
            return None
        names = []
        other = None
        order = {key_form(o): i for i, o in enumerate(ex.cat.cm_options.get(list_id, []))}
        checked.sort(key=lambda b: order.get(b.option, len(order)))
        for box in checked:
            name = _printed_cm(box.option, list_id, ex.cat)
            if name not in names:
                names.append(name)
            if box.detail and name == "その他":
                other = box.detail
        value = Value(names, hit.first, hit.value_last or hit.last)
        ex.out.set(path, value)
        if other:
            ex.out.set(path + "_other", Value(other, hit.first, hit.last))
        return value

    def record_items_appendix(self) -> None:
        ex = self.ex
        pages = [p for p in self.pages if ex.region.get(p.index) == "appendix"]
        texts = [c for p in pages for c in p.chunks if c.kind == "free" and not c.used]
        if not texts:
            return
        # the item list is one wrapped block; pieces of it scattered over blocks cannot be ordered
        lists = [c for c in texts if re.match(r"^[0-9０-９]+[.．]", c.text)]
        if len(lists) == 1:
            ex.out.set(f"{self.base}/record_items_appendix", Value(lists[0].text, lists[0].first, lists[0].last))
        elif lists:
            ex.out.abstain(f"{self.base}/record_items_appendix", [c.text[:40] for c in lists],
                           "the 別添 item list is printed in several pieces whose order is not known")
        else:
            # grouped lists: a heading block (file name, title) then groups （１） （２） … in blocks
            # of their own; the numbering shows the blocks are complete and in order
            ordered = sorted(texts, key=lambda c: c.first)
            groups = ordered[1:]
            if len({c.block for c in groups}) >= 2 and _enumerator(ordered[0].text) is None \
                    and _continues_enumeration(groups):
                ex.out.set(f"{self.base}/record_items_appendix",
                           Value("".join(c.text for c in ordered), ordered[0].first, ordered[-1].last))
            else:
                ex.out.abstain(f"{self.base}/record_items_appendix", [c.text[:40] for c in ordered],
                               "the 別添 pages hold the items in several blocks whose order is not certain")

    # -- 委託 ---------------------------------------------------------------------------------
    ENTRUSTMENT_KEYS: ClassVar[tuple[str, ...]] = (
        "content", "file_scope", "scope_subject_count", "scope_subject_range", "scope_validity", "handlers",
        "delivery_methods", "contractor_disclosure", "contractor", "subcontract", "subcontract_permission",
        "subcontract_items",
    )

    def entrustments(self) -> None:
        ex = self.ex
        if ex.out.get(f"{self.base}/entrustment") == "委託しない":
            return
        heads = [(h, p) for p in self.pages for h in p.hits if h.group and h.group[0] == "委託事項" and not h.group_range]
        numbers = sorted({h.group[1] for h, _ in heads if h.group})
        stated = ex.out.get(f"{self.base}/entrustment_count")
        contents = self.hits("entrustment.content")
        total = max([stated or 0, numbers[-1] if numbers else 0, len(contents)])
        if total == 0:
            return
        if stated is not None and stated != total:
            ex.out.abstain(f"{self.base}/entrustments", [stated, total], "委託 count disagrees with the 委託事項 found")
        base = f"{self.base}/entrustments"
        ex.out.record["files"][self.index]["entrustments"] = [_empty_entrustment() for _ in range(total)]
        # titles printed on the heading line
        for hit, _page in heads:
            assert hit.group is not None
            if hit.value and 1 <= hit.group[1] <= total:
                ex.out.set(f"{base}/{hit.group[1] - 1}/title", ex.inline(hit))
        for key in self.ENTRUSTMENT_KEYS:
            self.distribute(f"entrustment.{key}", key, base, total, heads)
        self.company_names(base, total)
        self.bare_titles(base, total, heads)
        self.detached_entrustment_texts()

    def distribute(self, full_key: str, field_name: str, base: str, total: int,
                   heads: list[tuple[LabelHit, Page]]) -> None:
        """Give the i-th occurrence of a label (pages in order) to instance i. Inside one page the
        order is unknown: several occurrences there take their values only when these agree, or
        (for ①, printed right under its heading) when the heading is adjacent."""
        ex = self.ex
        entries = self.hits(full_key)
        if not entries:
            return
        if len(entries) != total:
            values = [v.text for h, p in entries if (v := ex.value_of(h, p)) is not None]
            if values:
                for i in range(total):
                    ex.out.abstain(f"{base}/{i}/{field_name}", values,
                                   f"{len(entries)} labels for {total} instances")
            return
        position = 0
        for group in _by_page(entries):
            slots = list(range(position, position + len(group)))
            position += len(group)
            values = [ex.value_of(h, p) for h, p in group]
            if len(group) == 1:
                self._put(f"{base}/{slots[0]}/{field_name}", values[0], group[0][0])
                continue
            texts = {key_form(str(v.text)) for v in values if v is not None}
            if len(texts) == 1 and all(v is not None for v in values):
                for slot, value in zip(slots, values, strict=True):
                    ex.out.set(f"{base}/{slot}/{field_name}", value)
                continue
            if len(texts) == 0:
                continue
            # ① right under its own heading
            assigned: dict[int, int] = {}
            if field_name == "content" and len(group) <= 50:
                for g_index, (hit, page) in enumerate(group):
                    for head, head_page in heads:
                        if head_page is page and head.group and head.last < hit.first and ex._adjacent(head, hit):
                            number = head.group[1] - 1
                            if number in slots and number not in assigned.values():
                                assigned[g_index] = number
                left_slots = [s for s in slots if s not in assigned.values()]
                left_items = [g for g in range(len(group)) if g not in assigned]
                if len(left_slots) == 1 and len(left_items) == 1:
                    assigned[left_items[0]] = left_slots[0]
            for g_index, slot in assigned.items():
                ex.out.set(f"{base}/{slot}/{field_name}", values[g_index])
            left_values = [values[g] for g in range(len(group)) if g not in assigned]
            left_slots = [s for s in slots if s not in assigned.values()]
            if base.endswith("/entrustments") and all(v is not None for v in left_values) and len(left_slots) > 1:
                self.groups.append((field_name, full_key, [(f"{base}/{s}", "委託事項", s + 1) for s in left_slots],
                                    [v for v in left_values if v is not None]))
            for slot in slots:
                if slot not in assigned.values():
                    ex.out.abstain(f"{base}/{slot}/{field_name}", [v.text for v in values if v is not None],
                                   "one page holds this field of several instances; which is which is not printed")

    def _put(self, path: str, value: Value | None, hit: LabelHit) -> None:
        """Give the label's value to ``path``; a label without one is an open slot, which a value
        printed apart from it may fill later (``detached_flow_values``, ``detached_entrustment_texts``)."""
        if value is not None:
            self.ex.out.set(path, value)
        else:
            self.open_slots[id(hit)] = path
            candidates = self.ex.choice_candidates(hit)
            if candidates:
                self.ex.out.abstain(path, candidates, "several chosen values compete for this label on its page")

    def company_names(self, base: str, total: int) -> None:
        """③委託先名 standing alone: the one company-like line on its page (when only one
        委託先名 label there lacks a value)."""
        ex = self.ex
        entries = self.hits("entrustment.contractor")
        if len(entries) != total:
            return
        for slot, (hit, page) in enumerate(entries):
            if ex.value_of(hit, page) is not None or ex.out.get(f"{base}/{slot}/contractor"):
                continue
            open_here = [h for h, p in entries if p is page and ex.value_of(h, p) is None]
            names = [c for c in page.chunks if c.kind == "free" and not c.used and c.single_line
                     and _COMPANY.search(c.text) and "。" not in c.text and len(c.text) <= 60]
            if len(open_here) == 1 and len(names) == 1:
                names[0].used = True
                ex.out.set(f"{base}/{slot}/contractor", Value(names[0].text, names[0].first, names[0].last))
            elif names:
                ex.out.abstain(f"{base}/{slot}/contractor", [c.text for c in names],
                               "委託先名 printed apart from its label; several candidates")

    def bare_titles(self, base: str, total: int, heads: list[tuple[LabelHit, Page]]) -> None:
        """A 委託事項N heading without its title: the one short unlabelled line left on its page."""
        ex = self.ex
        repeated: dict[str, int] | None = None  # counted on first need: most headings carry their title
        bare_by_page: dict[int, int] = {}
        for head, head_page in heads:
            if not head.value:
                bare_by_page[head_page.index] = bare_by_page.get(head_page.index, 0) + 1
        for hit, page in heads:
            assert hit.group is not None
            number = hit.group[1]
            if not 1 <= number <= total or ex.out.get(f"{base}/{number - 1}/title"):
                continue
            bare_heads = bare_by_page.get(page.index, 0)
            if repeated is None:
                repeated = {}
                for each_page in self.pages:
                    for chunk in each_page.chunks:
                        if chunk.kind == "free":
                            form = key_form(chunk.text)
                            repeated[form] = repeated.get(form, 0) + 1
            # a title names one contract: a line printed identically elsewhere is a repeated cell value
            candidates = [c for c in page.chunks if c.kind == "free" and not c.used and c.single_line
                          and "。" not in c.text and len(c.text) <= 80 and not _DATE_ONLY.match(c.text)
                          and not _COMPANY.search(c.text) and repeated.get(key_form(c.text), 0) == 1]
            if bare_heads == 1 and len(candidates) == 1:
                candidates[0].used = True
                ex.out.set(f"{base}/{number - 1}/title", Value(candidates[0].text, candidates[0].first, candidates[0].last))
            elif candidates:
                ex.out.abstain(f"{base}/{number - 1}/title", [c.text for c in candidates],
                               "委託事項 title printed apart from its heading; several candidates")

    DETACHED_ENTRUSTMENT_FIELDS: ClassVar[tuple[str, ...]] = ("content", "subcontract_permission", "subcontract_items")

    def detached_entrustment_texts(self) -> None:
        """①委託内容, ⑤再委託の許諾方法 and ⑥再委託事項 tied to their 委託事項 by ``distribute`` but
        printed apart from their label: no wording marks such a value, so it is read only when its
        label is the page's one text label still waiting for a value and the page holds one
        unclaimed text; otherwise the page's unclaimed texts are the candidates of an abstention.
        ⑤ and ⑥ wait only when 再委託する was chosen (with 再委託しない they are empty)."""
        ex = self.ex
        waiting_paths = {hit_id: path for hit_id, path in self.open_slots.items()
                         if path.rsplit("/", 1)[1] in self.DETACHED_ENTRUSTMENT_FIELDS and "/entrustments/" in path
                         and ex.out.get(path) is None}
        if not waiting_paths:
            return
        for page in self.pages:
            labels = [hit for hit in page.hits if id(hit) in waiting_paths]
            if not labels:
                continue
            texts = [c for c in page.chunks if c.kind == "free" and not c.used and not _COMPANY.search(c.text)
                     and not _DATE_ONLY.match(c.text)]
            waiting_here = [hit for hit in ex.waiting_text_labels(page) if not hit.group
                            and ((path := self.open_slots.get(id(hit))) is None or ex.out.get(path) is None)
                            and not self._empty_subcontract_cell(id(hit))]
            for hit in labels:
                path = waiting_paths[id(hit)]
                if self._empty_subcontract_cell(id(hit)):
                    continue
                if len(texts) == 1 and waiting_here == [hit]:
                    texts[0].used = True
                    ex.out.set(path, Value(texts[0].text, texts[0].first, texts[0].last))
                elif texts:
                    ex.out.abstain(path, [c.text for c in texts],
                                   "value printed apart from its label; other labels or texts on the page compete")

    def _empty_subcontract_cell(self, hit_id: int) -> bool:
        path = self.open_slots.get(hit_id, "")
        return path.endswith(("/subcontract_items", "/subcontract_permission")) and \
            self.ex.out.get(path.rsplit("/", 1)[0] + "/subcontract") != "再委託する"

    # -- 提供・移転 ------------------------------------------------------------------------------

    def flows(self) -> None:
        ex = self.ex
        heads: dict[str, list[tuple[LabelHit, Page]]] = {"提供先": [], "移転先": []}
        for page in self.pages:
            for hit in page.hits:
                if hit.group and hit.group[0] in heads and not hit.group_range:
                    heads[hit.group[0]].append((hit, page))
        flow_pages = {p.index for lst in heads.values() for _, p in lst}
        flow_pages |= {p.index for h, p in self.hits("file.provision_flags")}
        kinds = {"提供先": "provisions", "移転先": "transfers"}
        instances: dict[str, list[tuple[LabelHit, Page]]] = {}
        for head, kind in kinds.items():
            filled = [(h, p) for h, p in heads[head] if h.value]
            filled.sort(key=lambda hp: hp[0].group[1] if hp[0].group else 0)
            instances[kind] = filled
            self.flow_numbers[kind] = {h.group[1]: i for i, (h, _p) in enumerate(filled) if h.group}
            ex.out.record["files"][self.index][kind] = [_empty_flow() for _ in filled]
            for i, (hit, _page) in enumerate(filled):
                ex.out.set(f"{self.base}/{kind}/{i}/recipient", ex.inline(hit))
        self.provision_flag(instances)
        # fields: a label names its kind (②提供先における用途) or is shared (①法令上の根拠, ⑦時期・頻度)
        for kind, prefix in (("provisions", "provision"), ("transfers", "transfer")):
            total = len(instances[kind])
            if total == 0:
                continue
            for field_name in ("purpose", "information", "subject_count", "subject_scope"):
                self.distribute(f"{prefix}.{field_name}", field_name, f"{self.base}/{kind}", total, [])
            methods_key = f"{prefix}.methods"
            list_id = "O-TEIKYO" if prefix == "provision" else "O-ITEN"
            self.flow_methods(methods_key, kind, total, list_id)
        for field_name in ("legal_basis", "timing"):
            self.shared_flow_field(field_name, instances)
        self.typed_flow_values(instances)
        self.detached_flow_values()

    DETACHED_FLOW_FIELDS: ClassVar[tuple[str, ...]] = ("legal_basis", "purpose", "information", "subject_scope", "timing")

    def detached_flow_values(self) -> None:
        """①法令上の根拠, ②用途, ③提供する情報, ⑤本人の範囲 and ⑦時期・頻度 whose value is printed
        apart from its label, where ``distribute`` or ``shared_flow_field`` has tied the label to
        its instance: on the label's page, the one value of
        that field's kind (``flow_value_kind``) goes to the one label of that kind left without a
        value. Where the page holds several such labels or values, or another text label waiting
        for a value, each of its instances abstains with the page's values as candidates."""
        ex = self.ex
        for page in self.pages:
            if not any(id(hit) in self.open_slots for hit in page.hits):
                continue   # nothing here waits for a detached value
            open_labels: dict[str, list[LabelHit]] = {}
            others_open = False
            for hit, hit_key in ex.keyed_hits(page):
                head, _, field_name = (hit_key or "").partition(".")
                if ex.value_of(hit, page) is not None:
                    continue
                if head in ("provision", "transfer", "flow") and field_name in self.DETACHED_FLOW_FIELDS:
                    open_labels.setdefault(field_name, []).append(hit)
                elif head not in ("provision", "transfer", "flow") and (label := ex.defs_of(hit, page)) is not None \
                        and label.type == "T" and not hit.group:
                    others_open = True
            if not open_labels:
                continue
            typed = _unclaimed_by_kind(page)
            for field_name, labels in open_labels.items():
                chunks = typed.get(field_name, [])
                paths = [self.open_slots.get(id(hit)) for hit in labels]
                waiting = [path for path in paths if path is not None and ex.out.get(path) is None]
                if not waiting:
                    continue
                if not chunks:
                    # nothing on the page reads as this field's value: any text of no known kind may be it
                    untyped = typed.get(None, [])
                    for path in waiting if untyped else []:
                        ex.out.abstain(path, [c.text for c in untyped],
                                       "value printed apart from its label; no text on the page reads as this field")
                    continue
                if len(labels) == 1 and len(chunks) == 1 and not others_open:
                    chunks[0].used = True
                    ex.out.set(waiting[0], Value(chunks[0].text, chunks[0].first, chunks[0].last))
                    continue
                for path in waiting:
                    ex.out.abstain(path, [c.text for c in chunks],
                                   "value printed apart from its label; several labels or values compete")

    def flow_methods(self, key: str, kind: str, total: int, list_id: str) -> None:
        """⑥提供方法/⑥移転方法 of the instances: as ``distribute`` does for text fields, the
        i-th label (pages in order) is instance i's; its grid is read from its page only when
        that page holds no other instance's label and one whole grid (``page_checkboxes``)."""
        ex = self.ex
        entries = self.hits(key)
        if not entries:
            return
        base = f"{self.base}/{kind}"
        if len(entries) != total:
            candidates = self._grid_candidates([page for _, page in entries], list_id)
            for slot in range(total):
                ex.out.abstain(f"{base}/{slot}/methods", candidates, f"{len(entries)} labels for {total} instances")
            return
        position = 0
        for page_entries in _by_page(entries):
            if len(page_entries) == 1:
                hit, page = page_entries[0]
                self.page_checkboxes(hit, page, f"{base}/{position}/methods", list_id)
            else:
                candidates = self._grid_candidates([page_entries[0][1]], list_id)
                for slot in range(position, position + len(page_entries)):
                    ex.out.abstain(f"{base}/{slot}/methods", candidates,
                                   "one page holds this field of several instances; which is which is not printed")
            position += len(page_entries)

    def _grid_candidates(self, pages: list[Page], list_id: str) -> list[str]:
        """The options of ``list_id`` marked, or perhaps marked, on ``pages``."""
        options = self.ex.cat.option_key_forms(list_id)
        seen: dict[int, Page] = {page.index: page for page in pages}
        found = {box.option for page in seen.values() for chunk in page.chunks if chunk.kind == "box" and chunk.tokens
                 for box in chunk.scan.boxes if box.checked is not False and box.option in options}
        return sorted(_printed_cm(option, list_id, self.ex.cat) for option in found)

    def typed_flow_values(self, instances: dict[str, list[tuple[LabelHit, Page]]]) -> None:
        """Flow labels standing alone, their values elsewhere on the page: a value goes to a label
        only when it is the page's one value of that label's kind (a legal citation, a timing, a
        subject range, an information list, a use) and the label is the page's one open label of
        that kind, for a 提供先/移転先 that is alone in the file."""
        ex = self.ex
        prefixes = {"provision": "provisions", "transfer": "transfers"}
        for page in self.pages:
            kinds_here = set()
            slots: list[tuple[str, str, LabelHit]] = []  # (field, kind or "", hit)
            keyed = ex.keyed_hits(page)
            for hit, hit_key in keyed:
                key = hit_key or ""
                head, _, field_name = key.partition(".")
                if head in prefixes:
                    kinds_here.add(prefixes[head])
                elif hit.group and hit.group[0] in ("提供先", "移転先") and hit.value:
                    kinds_here.add("provisions" if hit.group[0] == "提供先" else "transfers")
            for hit, hit_key in keyed:
                key = hit_key or ""
                head, _, field_name = key.partition(".")
                if field_name not in ("legal_basis", "purpose", "information", "subject_scope", "timing"):
                    continue
                if head == "flow":
                    kind = next(iter(kinds_here)) if len(kinds_here) == 1 else ""
                elif head in prefixes:
                    kind = prefixes[head]
                else:
                    continue
                if ex.value_of(hit, page) is None:
                    slots.append((field_name, kind, hit))
            if not slots:
                continue
            typed = _unclaimed_by_kind(page)
            for field_name in ("legal_basis", "purpose", "information", "subject_scope", "timing"):
                field_slots = [s for s in slots if s[0] == field_name]
                chunks = typed.get(field_name, [])
                if len(field_slots) != 1 or len(chunks) != 1:
                    if field_slots and chunks:
                        for _, kind, _hit in field_slots:
                            for slot in range(len(instances.get(kind, []))):
                                ex.out.abstain(f"{self.base}/{kind}/{slot}/{field_name}", [c.text for c in chunks],
                                               "value printed apart from its label; several labels or values compete")
                    continue
                _, kind, hit = field_slots[0]
                if not kind or len(instances.get(kind, [])) != 1:
                    continue
                path = f"{self.base}/{kind}/0/{field_name}"
                if ex.out.get(path) is not None:
                    continue
                chunks[0].used = True
                ex.out.set(path, Value(chunks[0].text, chunks[0].first, chunks[0].last))

    def shared_flow_field(self, field_name: str, instances: dict[str, list[tuple[LabelHit, Page]]]) -> None:
        """①法令上の根拠 and ⑦時期・頻度 print the same label for 提供先 and 移転先. A page holding
        labels of one kind alone gives its labels to that kind; as ``distribute`` does, the i-th
        label of a kind (pages in order) is its i-th instance. A page holding both kinds (or
        neither) is shared: with one shared page, the counts tell how many of its labels are each
        kind's; with several, a kind's labels are placed from the file's start up to the first
        shared page and from its end back to the last, and those in between abstain. Inside a
        page the order is lost, so several labels there take their values only when these agree."""
        ex = self.ex
        entries = self.hits(f"flow.{field_name}")
        counts = {kind: len(instances[kind]) for kind in ("provisions", "transfers")}
        if not any(counts.values()):
            return
        pages: list[tuple[list[tuple[LabelHit, Page]], str | None]] = []  # labels of a page, its kind (None: shared)
        for group in _by_page(entries):
            kinds = self._flow_kinds(group[0][1])
            kind = kinds.pop() if len(kinds) == 1 else None
            if kind is not None and counts[kind] == 0:
                continue   # the labels of an empty table (a bare 提供先1 or 移転先1)
            pages.append((group, kind))
        shared = [group for group, kind in pages if kind is None]
        on_shared = {kind: counts[kind] - sum(len(g) for g, k in pages if k == kind) for kind in counts}
        spare = sum(len(g) for g in shared) - sum(on_shared.values())
        if min(on_shared.values()) < 0 or spare < 0 or (spare and all(counts.values())):
            values = [v.text for h, p in entries if (v := ex.value_of(h, p)) is not None]
            for kind, total in counts.items():
                for slot in range(total):
                    ex.out.abstain(f"{self.base}/{kind}/{slot}/{field_name}", values,
                                   f"{len(entries)} labels for {sum(counts.values())} 提供先 and 移転先")
            return
        # the slots of each kind each page holds, where the counts make them certain
        placed: dict[int, dict[str, list[int]]] = {id(group): {} for group, _ in pages}
        for kind, total in counts.items():
            def labels_of(group: list[tuple[LabelHit, Page]], page_kind: str | None, kind: str = kind) -> int | None:
                if page_kind is not None:
                    return len(group) if page_kind == kind else 0
                return on_shared[kind] if len(shared) == 1 else None
            position = 0
            for group, page_kind in pages:
                number = labels_of(group, page_kind)
                if number is None:
                    break
                placed[id(group)][kind] = list(range(position, position + number))
                position += number
            position = total
            for group, page_kind in reversed(pages):
                number = labels_of(group, page_kind)
                if number is None:
                    break
                placed[id(group)][kind] = list(range(position - number, position))
                position -= number
        markers = {"provisions": "提供先", "transfers": "移転先"}
        for group, _page_kind in pages:
            owners = [(kind, slot) for kind, slots in placed[id(group)].items() for slot in slots]
            paths = [f"{self.base}/{kind}/{slot}/{field_name}" for kind, slot in owners]
            values = [ex.value_of(h, p) for h, p in group]
            if len(group) == 1 and len(owners) == 1:
                self._put(paths[0], values[0], group[0][0])
                continue
            present = [v for v in values if v is not None]
            if len(owners) == len(group) and len(present) == len(values) \
                    and len({key_form(str(v.text)) for v in present}) == 1:
                for path, value in zip(paths, present, strict=True):
                    ex.out.set(path, value)
                continue
            page = group[0][1]
            if len(present) < len(values):
                # labels standing alone: their values are the page's unclaimed texts of this kind
                typed = _unclaimed_by_kind(page).get(field_name, [])
                if len(typed) == len(values) - len(present):
                    present += [Value(c.text, c.first, c.last) for c in typed]
            if len(owners) == len(group) and len(present) == len(values):
                self.groups.append((field_name, f"flow.{field_name}",
                                    [(f"{self.base}/{kind}/{slot}", markers[kind], self._flow_number(instances, kind, slot))
                                     for kind, slot in owners], present))
            for path in paths:
                ex.out.abstain(path, [v.text for v in present],
                               "one page holds this label of several 提供先/移転先; which value is whose is not printed")
        # slots no page could be given: between two shared pages
        candidates = [v.text for group in shared for h, p in group if (v := ex.value_of(h, p)) is not None]
        for kind, total in counts.items():
            given = {slot for slots in placed.values() for slot in slots.get(kind, [])}
            for slot in range(total):
                if slot not in given:
                    ex.out.abstain(f"{self.base}/{kind}/{slot}/{field_name}", candidates,
                                   "several pages hold this label of both 提供先 and 移転先; which is whose is not printed")

    def _flow_kinds(self, page: Page) -> set[str]:
        """The flow kinds whose labels or filled headings the page holds (a bare heading such as
        提供先1 with no recipient is an empty table, not an instance)."""
        kinds: set[str] = set()
        for other in page.hits:
            key = self.ex.key(other, page) or ""
            if key.startswith("provision.") or (other.group and other.group[0] == "提供先" and other.value):
                kinds.add("provisions")
            if key.startswith("transfer.") or (other.group and other.group[0] == "移転先" and other.value):
                kinds.add("transfers")
        return kinds

    @staticmethod
    def _flow_number(instances: dict[str, list[tuple[LabelHit, Page]]], kind: str, slot: int) -> int:
        head = instances[kind][slot][0]
        return head.group[1] if head.group else slot + 1

    def provision_flag(self, instances: dict[str, list[tuple[LabelHit, Page]]]) -> None:
        """提供・移転の有無 (provision part): a filled 提供先 or a certain mark says 提供を行っている; a
        certain 行っていない, or no recipients at all with Ⅲ5 提供・移転しない marked, says 行っていない."""
        ex = self.ex
        entries = self.hits("file.provision_flags")
        path = f"{self.base}/provision"
        boxes = []
        if entries:
            hit, page = entries[0]
            for chunk in page.chunks:
                if chunk.kind == "box" and chunk.tokens:
                    boxes.extend(chunk.scan.boxes)
            if hit.value:
                boxes.extend(shared_text_scan(hit.value).boxes)
        state = {b.option: b.checked for b in boxes if b.option in ("提供を行っている", "移転を行っている", "行っていない")}
        anchor = entries[0][0] if entries else None
        span = (anchor.first, anchor.last) if anchor else (0, 0)
        if instances["provisions"]:
            first = instances["provisions"][0][0]
            ex.out.set(path, Value("提供を行っている", first.first, first.last))
            ex.out.set(f"{self.base}/provision_count", Value(len(instances["provisions"]), first.first, first.last))
        elif state.get("提供を行っている") is True:
            ex.out.set(path, Value("提供を行っている", *span))
        elif state.get("行っていない") is True:
            ex.out.set(path, Value("行っていない", *span))
        elif (entries and not instances["transfers"] and state.get("提供を行っている") is not True
              and (self.flag_checked("提供・移転しない") or state.get("提供を行っている") is False)):
            # no 提供先 and no 移転先 filled in: 提供を行っている and 移転を行っている （N）件 would
            # each need one, so with 提供 certainly unmarked the row says 行っていない
            ex.out.set(path, Value("行っていない", *span))
        elif entries:
            ex.out.abstain(path, sorted(o for o, c in state.items() if c is not False),
                           "提供・移転の有無 marks detached from their boxes")
        if instances["transfers"]:
            first = instances["transfers"][0][0]
            ex.out.set(f"{self.base}/transfer", Value("移転を行っている", first.first, first.last))
            ex.out.set(f"{self.base}/transfer_count", Value(len(instances["transfers"]), first.first, first.last))

    def flag_checked(self, option: str) -> bool:
        if self._checked_options is None:
            # asked for several flags: collect the file's checked options in one pass
            self._checked_options = {box.option for page in self.pages for chunk in page.chunks
                                     if chunk.kind == "box" and chunk.tokens
                                     for box in chunk.scan.boxes if box.checked is True}
        return key_form(option) in self._checked_options

    # -- Ⅲ ------------------------------------------------------------------------------------
    def risk(self) -> None:
        ex = self.ex
        found: dict[str, list[tuple[Value | None, LabelHit]]] = {}
        for page in self.pages:
            for hit, hit_key in ex.keyed_hits(page):
                key = hit_key or ""
                if key.startswith("risk.") and key != "risk.sufficient":
                    found.setdefault(key, []).append((ex.value_of(hit, page), hit))
        for key, entries in found.items():
            path = f"{self.base}/" + key.replace(".", "/")
            values = [v for v, _ in entries if v is not None]
            if len(values) == len(entries) and len({v.text for v in values}) == 1:
                ex.out.set(path, values[0])
            else:
                candidates = [c for _, h in entries for c in ex.choice_candidates(h)] + [v.text for v in values]
                if candidates:
                    ex.out.abstain(path, candidates, "chosen value not tied to this label with certainty")
        self.sufficient_answers()
        for flag, name in (("委託しない", "entrustment/not_entrusted"), ("提供・移転しない", "transfer/none"),
                           ("接続しない（入手）", "network/no_acquire"), ("接続しない（提供）", "network/no_provide")):
            if self.flag_checked(flag):
                for page in self.pages:
                    for chunk in page.chunks:
                        if chunk.kind == "box" and any(b.option == key_form(flag) and b.checked for b in chunk.scan.boxes):
                            ex.out.set(f"{self.base}/risk/{name}", Value(True, chunk.first, chunk.last))
                            break


    # Ⅲ: the リスクへの対策は十分か answers in form order, as (section, key) under files[].risk
    SUFFICIENT_SLOTS: ClassVar[dict[str, tuple[tuple[str, str], ...]]] = {
        "重点項目評価書": (("acquisition", "sufficient"), ("use", "r1_sufficient"), ("use", "r2_sufficient"),
                      ("entrustment", "sufficient"), ("transfer", "sufficient"), ("network", "r1_sufficient"),
                      ("network", "r2_sufficient"), ("storage", "sufficient")),
        "全項目評価書": (*(("acquisition", f"r{n}_sufficient") for n in range(1, 5)),
                     *(("use", f"r{n}_sufficient") for n in range(1, 5)), ("entrustment", "sufficient"),
                     *(("transfer", f"r{n}_sufficient") for n in range(1, 4)),
                     *(("network", f"r{n}_sufficient") for n in range(1, 8)),
                     *(("storage", f"r{n}_sufficient") for n in range(1, 4))),
    }
    SECTION_NUMBERS: ClassVar[dict[str, int]] = {
        "acquisition": 2, "use": 3, "entrustment": 4, "transfer": 5, "network": 6, "storage": 7,
    }

    def sufficient_answers(self) -> None:
        """The labels repeat once per risk, so a hit is tied to its risk by count and page order:
        only when the file prints exactly the form's number of them, each page's hits take the
        next slots, and the page lies between its section's heading and the next one's (when
        printed). Inside a page a shuffled layout keeps no order, so the hits of a page are
        answered only when they all carry the same chosen value."""
        ex = self.ex
        slots = self.SUFFICIENT_SLOTS.get(ex.out.record["assessment"].get("kind") or "")
        if slots is None:
            return
        pages = [p for p in self.pages if ex.region.get(p.index) == "III"]
        # the file's hits by key are indexed already (page order, then line order in a page)
        grouped: dict[int, tuple[Page, list[LabelHit]]] = {}
        for hit, page in self.hits("risk.sufficient", region="III"):
            grouped.setdefault(page.index, (page, []))[1].append(hit)
        per_page = list(grouped.values())
        total = sum(len(hits) for _, hits in per_page)
        if total == 0:
            return
        paths = [f"{self.base}/risk/{section}/{name}" for section, name in slots]
        if total != len(slots):
            values = [v.text for _, hits in per_page for h in hits if (v := ex.values.get(id(h))) is not None]
            for path in paths:
                ex.out.abstain(path, values, f"{total} リスクへの対策は十分か labels found where the form prints "
                                             f"{len(slots)}: the answers cannot be tied to their risks")
            return
        headings = self._section_heading_pages(pages)
        position = 0
        for page, hits in per_page:
            page_slots = list(range(position, position + len(hits)))
            position += len(hits)
            values = [ex.values.get(id(h)) for h in hits]
            candidates = [v.text for v in values if v is not None] + [c for h in hits for c in ex.choice_candidates(h)]
            misplaced = any(not self._page_in_section(page.index, slots[i][0], headings) for i in page_slots)
            if misplaced:
                for i in page_slots:
                    ex.out.abstain(paths[i], candidates, "the page of this answer lies outside its section's headings")
                continue
            if ex.ordered and all(v is not None for v in values):
                for i, value in zip(page_slots, values, strict=True):
                    ex.out.set(paths[i], value)
                continue
            if all(v is not None for v in values) and len({v.text for v in values if v is not None}) == 1:
                for i, value in zip(page_slots, values, strict=True):
                    ex.out.set(paths[i], value)
            elif candidates:
                for i in page_slots:
                    ex.out.abstain(paths[i], candidates, "answers on one page differ and the page's print order is not kept")

    def _section_heading_pages(self, pages: list[Page]) -> dict[int, int]:
        """Section number -> index of the first Ⅲ page printing its heading (２．特定個人情報の入手 …)."""
        found: dict[int, int] = {}
        for page in pages:
            for line in self.ex.lines[page.start:page.end]:
                number = _risk_section_number(line)
                if number:
                    found.setdefault(number, page.index)
        return found

    def _page_in_section(self, page_index: int, section: str, headings: dict[int, int]) -> bool:
        number = self.SECTION_NUMBERS[section]
        start = headings.get(number)
        if start is not None and page_index < start:
            return False
        # a later section that begins on an earlier page: this page is past the section
        return not any(page < page_index for n, page in headings.items() if n > number)


_RISK_SECTION = re.compile(r"^\s*([2-7])\s*\.\s*(?:特定個人情報の入手|特定個人情報の使用|特定個人情報ファイルの取扱いの委託"
                           r"|特定個人情報の提供・移転|情報提供ネットワークシステムとの接続|特定個人情報の保管・消去)")
# Ⅲ section number (2-7) of a heading line, 0 for other lines, by line text: Ⅲ pages repeat the
# same printed lines in every document. A str -> int dict, which the GC does not track. Bounded.
_RISK_SECTION_OF_LINE: dict[str, int] = {}


def _risk_section_number(line: str) -> int:
    number = _RISK_SECTION_OF_LINE.get(line)
    if number is None:
        if len(_RISK_SECTION_OF_LINE) >= 60_000:
            _RISK_SECTION_OF_LINE.clear()
        match = _RISK_SECTION.match(nfkc(line))
        number = _RISK_SECTION_OF_LINE[line] = int(match.group(1)) if match else 0
    return number


_DASH_ONLY = re.compile(r"^[－―ー\-‐—]$")
_LAW_REF = re.compile(r"(法|令|規則|条例|命令|法律)[^。]{0,60}?(第[0-9一二三四五六七八九十百]+条|別表)")
_LAW_END = re.compile(r"(条|項|号|等|表|\)|条の\d+)$")
_TIMING = re.compile(r"^(随時|毎|週|月次|年次|日次|定期|都度|その都度|必要に応じ|四半期|半期)|都度|随時|頻度|回程度")
_SCOPE_END = re.compile(r"(者|者等|者を含む|配偶者|世帯員|者全員)$")
_INFO_END = re.compile(r"(情報|情報等|番号|事項)$")
_PURPOSE_END = re.compile(r"(ため|確認|審査|決定|調査|事務|管理|証明|証明等|支給|把握|照会|算定|賦課|徴収|判定|通知|調整|認定)$")


_ENUMERATOR = re.compile(r"^[ \u3000]*(?:(?P<dot>[0-9０-９]{1,2})[．.]|[(（](?P<paren>[0-9０-９]{1,2})[)）]|(?P<circled>[①-⑳]))")
# An item marker inside one cell (``1.A 2.B``, see enumerated_names): wider than _ENUMERATOR (1) and
# 1 . too), as enumerated_names checks the numbers' order and what stands around each marker.
_LIST_MARKER = re.compile(r"[（(]?([0-9０-９]{1,2})\s*[.．)）]|([①-⑳])")


def _short_line(chunk: Chunk) -> bool:
    """An unclaimed free text that can be a short cell's value (a name, a department): one line,
    at most 60 characters, no sentence."""
    return chunk.kind == "free" and not chunk.used and chunk.single_line and len(chunk.text) <= 60 \
        and "。" not in chunk.text


def _without_enumerator(text: str) -> str:
    match = _ENUMERATOR.match(text)
    return text[match.end():].strip() if match else text.strip()


def _names_a_file(text: str, cat: Catalogue) -> bool:
    """A line that reads as a 特定個人情報ファイル name: it says ファイル and is no option text
    (システム用ファイル is a ファイルの種類 option)."""
    form = key_form(_without_enumerator(text))
    return "ファイル" in form and form not in cat.c1_by_form and form not in cat.cm_forms


def _enumerator(text: str) -> tuple[str, int] | None:
    match = _ENUMERATOR.match(text)
    if match is None:
        return None
    style = next(name for name in ("dot", "paren", "circled") if match.group(name))
    return style, _number_printed(match.group(style))


def _number_printed(marker: str) -> int:
    """The number of an enumerator's digits (1, １, 12) or circled numeral (①)."""
    return ord(marker) - ord("①") + 1 if "①" <= marker <= "⑳" else int(nfkc(marker))


def _continues_enumeration(run: list[Chunk]) -> bool:
    """Each text block of the run opens with the next number of one enumeration (1. 2. 3. /
    (1) (2) / ① ②): the blocks are the items of one numbered list, not pieces of other cells."""
    starts: list[Chunk] = []
    for chunk in run:
        if not starts or chunk.block != starts[-1].block:
            starts.append(chunk)
    numbers = [_enumerator(c.text) for c in starts]
    if any(n is None for n in numbers):
        return False
    styles = {n[0] for n in numbers if n}
    first = numbers[0][1] if numbers[0] else 0
    return len(styles) == 1 and all(n is not None and n[1] == first + i for i, n in enumerate(numbers))


def _by_page(entries: list[tuple[LabelHit, Page]]) -> list[list[tuple[LabelHit, Page]]]:
    """Label hits grouped by page, pages in the order they first appear."""
    groups: dict[int, list[tuple[LabelHit, Page]]] = {}
    for hit, page in entries:
        groups.setdefault(page.index, []).append((hit, page))
    return list(groups.values())


def _unclaimed_by_kind(page: Page) -> dict[str | None, list[Chunk]]:
    """The page's unclaimed free texts, by the 提供/移転 field each can only be (``flow_value_kind``;
    None: no field or several), in page order."""
    by_kind: dict[str | None, list[Chunk]] = {}
    for chunk in page.chunks:
        if chunk.kind == "free" and not chunk.used:
            by_kind.setdefault(flow_value_kind(chunk.text), []).append(chunk)
    return by_kind


def flow_value_kind(text: str) -> str | None:
    """Which 提供/移転 field a detached value can only be: legal_basis, timing, subject_scope,
    information or purpose; None when it fits none or more than one."""
    normal = unicodedata.normalize("NFKC", text).strip().rstrip("。.")
    kinds = []
    if _LAW_REF.search(normal) and _LAW_END.search(normal):
        kinds.append("legal_basis")
    if _TIMING.search(normal) and len(normal) <= 150:
        kinds.append("timing")
    if _SCOPE_END.search(normal):
        kinds.append("subject_scope")
    if _INFO_END.search(normal):
        kinds.append("information")
    if _PURPOSE_END.search(normal):
        kinds.append("purpose")
    return kinds[0] if len(kinds) == 1 else None


_CIRCLED = {chr(0x2460 + i): f"<{i + 1}>" for i in range(20)}
_CIRCLED_TABLE = str.maketrans(_CIRCLED)


def _item_form(text: str) -> str:
    """Key form that keeps circled numbers apart from digits (委託事項２　⑥… must not read 26)."""
    return key_form(text.translate(_CIRCLED_TABLE))


def _printed_cm(form: str, list_id: str, cat: Catalogue) -> str:
    return printed_option(form, list_id, cat) or form


def _empty_record(source: str) -> dict[str, Any]:
    return {
        "source": source,
        "assessment": {k: None for k in ("number", "title", "kind", "form_version", "organization", "published")},
        "business_name": None,
        "systems": [],
        "mynumber_legal_basis": None,
        "info_network_linkage": None,
        "info_network_legal_basis": None,
        "department": None,
        "files": [],
    }


def enumerated_names(text: str) -> list[str] | None:
    """The names of a cell that lists them: ``1.A 2.B`` (markers 1, 2, … in order, the first at the
    start; a wrapped cell joined without spaces still splits) → ``[A, B]``; one name without
    separators → ``[text]``; anything else (names set apart by spaces or 、 alone) → None."""
    text = text.strip()
    markers: list[re.Match[str]] = []
    while (marker := _next_marker(text, markers[-1].end() if markers else 0, len(markers) + 1)) is not None:
        if not markers and marker.start() != 0:
            break
        markers.append(marker)
    if not markers:
        return None if re.search(r"[\s、，,；;]", text) else [text]
    accepted = {m.start() for m in markers}
    if any(m.start() not in accepted and (_marker_number(m) == len(markers) + 1 or text[m.start() - 1].isspace())
           for m in _LIST_MARKER.finditer(text, markers[0].end())):
        return None  # a number out of order (``1.A 3.B``) or glued to a word (``1.ABC2.DEF``): unclear
    ends = [m.start() for m in markers[1:]] + [len(text)]
    names = [text[m.end():end].strip(" \u3000、，,") for m, end in zip(markers, ends, strict=True)]
    return names if all(names) else None


def _marker_number(match: re.Match[str]) -> int:
    return _number_printed(match.group(1) or match.group(2))


def _next_marker(text: str, position: int, number: int) -> re.Match[str] | None:
    """The first list marker from ``position`` that carries ``number`` and is not part of a
    longer number (``2.0``) or of a word before it (``Ver1.``)."""
    for match in _LIST_MARKER.finditer(text, position):
        if _marker_number(match) != number:
            continue
        digits = match.group(1)
        after = text[match.end():match.end() + 1]
        before = text[match.start() - 1:match.start()] if match.start() else ""
        if digits and (nfkc(after).isdigit() or (nfkc(before).isascii() and nfkc(before).isalnum())):
            continue
        return match
    return None


def _empty_file() -> dict[str, Any]:
    return {
        "name": None, "file_type": None, "subject_count": None, "record_item_count": None,
        "retention_start": None, "entrustment": None, "entrustments": [], "provision": None,
        "provisions": [], "transfers": [],
    }


def _empty_entrustment() -> dict[str, Any]:
    return {k: None for k in ("title", "content", "contractor", "handlers", "subcontract", "subcontract_items")}


def _empty_flow() -> dict[str, Any]:
    return {k: None for k in ("recipient", "legal_basis", "purpose", "information", "methods", "methods_other", "timing")}


def looks_like_assessment(text: str) -> str | None:
    """None when the text carries a marker of the form, else why not."""
    head = text[:200000]
    if not head.strip():
        return "the text is empty"
    if any(m in head for m in FORM_MARKERS):  # as printed: no need to normalise the whole text
        return None
    normal = unicodedata.normalize("NFKC", head)
    if any(unicodedata.normalize("NFKC", m) in normal for m in FORM_MARKERS):
        return None
    return "none of the form's markers (特定個人情報保護評価書, 特定個人情報ファイル, 評価書番号, 評価実施機関名) found"


def extract_text(text: str, source: str) -> dict[str, Any]:
    """Record (record-schema.md) of one assessment given as PDF-extracted text.

    Raises InputError when the text is not a 特定個人情報保護評価書 at all, or when a 重点/全項目
    text stops before its closing parts (truncated; see the module docstring).
    """
    why = looks_like_assessment(text)
    if why is not None:
        raise InputError(source, f"not a 特定個人情報保護評価書: {why}")
    return Extractor(text, source).run()


__all__ = ["extract_text", "looks_like_assessment"]
