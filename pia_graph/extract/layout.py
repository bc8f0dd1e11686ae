"""Segmentation of PDF-extracted assessment text: pages, blocks, label lines and value chunks.

Layout facts relied on (form-fields.md §2, P1-P6): pages stay in order and are separated by a run
of three or more blank lines (or a form feed); blocks inside a page are separated by one blank
line and may be shuffled; a label line starts with one ASCII space (restored by
:func:`restore_label_indent` in texts laid out without it); a value may follow its label
on the same line, precede it on the same line, or continue on the next lines of the same block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from pia_graph.bounded_cache import remember
from pia_graph.extract import catalogue, options
from pia_graph.extract.catalogue import Catalogue, LabelDef, key_form, key_form_with_map, uncached_key_form
from pia_graph.extract.history import split_pages
from pia_graph.extract.options import (
    BoxScan,
    chosen_in_rest,
    is_checkbox_line,
    may_be_checkbox_line,
    nfkc,
    shared_scan,
    strip_option_lists_normal,
    tokenize,
)

# Group headings: 委託事項N / 提供先N / 移転先N / システムN, and range captions (…2～5) which label
# empty sub-tables.
_GROUP_HEAD = re.compile(r"^(委託事項|提供先|移転先|システム)(\d{1,2})(?:[～~〜\-－ー](\d{1,2}))?")
_GROUP_TAIL = re.compile(r"^(?P<value>.*\S)\s+(?P<head>(?:提供先|移転先|委託事項)\s*\d{1,2})\s*$")
_SECTION = re.compile(r"^[\s　]*(?P<num>[ⅠⅡⅢⅣⅤⅥⅦ])[\s　]+(?P<title>\S.*)$")
_APPENDIX = re.compile(r"^[\s　]*[（(]別添\s*([0-9０-９])\s*[）)]\s*(?P<title>.*)$")
_COUNT = re.compile(r"^[\s　]*[（(]?[\s　]*[○〇]?[\s　]*(?P<n>[0-9０-９]{1,3})[\s　]*[）)]?[\s　]*件?[\s　]*$")
# Captions printed inside grids; never values.
_SPACES = re.compile(r"[ \u3000]+")
_BRACKETS = re.compile(r"[\[\]]")
_CAPTIONS = {key_form(t) for t in ("・識別情報", "・連絡先等情報", "・業務関係情報", "凡例：「※」重要事項",
                                   "＜選択肢＞", "項目一覧", "）件", "（）件")}


@dataclass(slots=True)
class LabelHit:
    """A catalogue label found in the text, with the value printed on its own line(s), if any."""

    defs: list[LabelDef]
    form: str  # key form of the label text
    first: int  # 0-based line index of the label's first line
    last: int
    page: int
    block: int
    value: str | None = None  # inline value (after the label) joined with continuation lines
    value_first: int | None = None
    value_last: int | None = None
    before: str | None = None  # value printed before the label on the same line (P1)
    group: tuple[str, int] | None = None  # ("委託事項", 1) for group headings
    group_range: bool = False

    @property
    def key(self) -> str | None:
        return self.defs[0].key if len(self.defs) == 1 else None


@dataclass(slots=True)
class Chunk:
    """Text on a page that is not a label: a free value, a chosen option, a count or grid pieces."""

    kind: str  # free | c1 | count | box
    text: str
    first: int
    last: int
    page: int
    block: int
    c1: tuple[str, set[str]] | None = None
    # a tuple: instances of a cached block share it, and it keeps the cached reading GC-untracked
    tokens: tuple[tuple[str, str], ...] = ()
    used: bool = False
    _scan: BoxScan | None = field(default=None, repr=False)

    @property
    def scan(self) -> BoxScan:
        """:func:`scan_boxes` of the tokens, shared by equal rows (callers only read the result)."""
        if self._scan is None:
            self._scan = shared_scan(self.tokens)
        return self._scan

    @property
    def single_line(self) -> bool:
        return self.first == self.last


@dataclass
class Section:
    num: str
    title: str
    line: int


@dataclass
class Page:
    index: int
    start: int
    end: int
    hits: list[LabelHit] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    appendix: list[tuple[str, str, int]] = field(default_factory=list)
    _forms: set[str] | None = field(default=None, repr=False)
    _forms_count: int = field(default=-1, repr=False)

    def forms(self) -> set[str]:
        # asked once per label with several meanings: cache (hits are final once the page is read)
        if self._forms is None or self._forms_count != len(self.hits):
            self._forms = {h.form for h in self.hits}
            self._forms_count = len(self.hits)
        return self._forms

    def has(self, *keys: str) -> bool:
        return any(any(d.key in keys for d in h.defs) for h in self.hits)


def join_value(parts: list[str]) -> str:
    """Join wrapped value lines without line breaks (record-schema.md), trimming each line's ends."""
    return "".join(p.strip(" \t\u3000") for p in parts).strip()


# Facts about one line that depend on its text alone, cached across lines and documents: forms
# repeat their labels, option lists and boilerplate on every page and in every document, so most
# lines have been analysed before. Bounded: cleared when full.
_LINE_CACHE_LIMIT = 60_000


_BLOCK_CACHE_LIMIT = 30_000


def _has_label_indent(raw: str) -> bool:
    """The line starts with exactly one ASCII space, as label lines do (P6)."""
    return raw[:1] == " " and raw[1:2] not in (" ", "")


def _moved(line: int | None, offset: int) -> int | None:
    return None if line is None else line + offset


# Cached block readings are kept as tuples of strings, numbers and None only: the garbage collector
# stops tracking such tuples, so tens of thousands of cached blocks add nothing to each full
# collection (as LabelHit/Chunk objects they made up most of its cost). The label definitions and
# C1 list ids are looked up again in the catalogue when a block is instantiated.
HitTemplate = tuple  # (form, first, last, value, value_first, value_last, before, group, group_range)
ChunkTemplate = tuple  # (kind, text, first, last, c1 option form or None, tokens, used)


def _hit_template(hit: LabelHit, offset: int, cat: Catalogue) -> HitTemplate:
    # a group heading has no definitions; any other hit has all those of its form
    assert hit.defs == ([] if hit.group is not None else cat.by_text[hit.form])
    return (hit.form, hit.first + offset, hit.last + offset, hit.value, _moved(hit.value_first, offset),
            _moved(hit.value_last, offset), hit.before, hit.group, hit.group_range)


def _chunk_template(chunk: Chunk, offset: int, cat: Catalogue) -> ChunkTemplate:
    c1_form = None
    if chunk.c1 is not None:
        c1_form = chunk.c1[0]
        assert cat.c1_by_form[c1_form] is chunk.c1[1]
    return (chunk.kind, chunk.text, chunk.first + offset, chunk.last + offset, c1_form, chunk.tokens,
            chunk.used)


class Segmenter:
    # per catalogue (by id), by line text
    _facts_cache: ClassVar[dict[int, dict[str, tuple]]] = {}
    _kind_cache: ClassVar[dict[int, dict[str, tuple[str, object]]]] = {}
    _heading_cache: ClassVar[dict[str, tuple[str, str, str] | None]] = {}
    # per catalogue: block readings by the block's line (one-line blocks, most of them) or lines
    _block_cache: ClassVar[dict[int, dict[str | tuple[str, ...], tuple]]] = {}

    def __init__(self, lines: list[str], cat: Catalogue) -> None:
        self.lines = lines
        self.cat = cat
        self._cat_id = id(cat)
        self._blocks = Segmenter._block_cache.setdefault(self._cat_id, {})
        self._facts = Segmenter._facts_cache.setdefault(self._cat_id, {})
        self._kinds = Segmenter._kind_cache.setdefault(self._cat_id, {})
        self._joins: list[bool] = []

    # -- label matching -------------------------------------------------------------------
    def _match_prefix(self, form: str) -> int:
        """Length of the longest catalogue label that ``form`` starts with (0 if none)."""
        best = 0
        end = 1
        limit = min(len(form), 80)
        while end <= limit:
            piece = form[:end]
            if piece in self.cat.by_text:
                best = end
            elif piece not in self.cat.prefixes:
                break
            end += 1
        return best

    def _start_facts(self, line: str) -> tuple[str, str, str] | None:
        """The part of :meth:`_label_at_start` that depends on the line alone:
        ("hit", label form, remainder) / ("wrap", line form, "") / None."""
        form = key_form(line)
        if not form:
            return None
        length = self._match_prefix(form)
        if not length and form not in self.cat.prefixes:
            return None  # most lines: values, not labels
        form, index_map = key_form_with_map(line)
        length = self._match_prefix(form)
        if length:
            cut = index_map[length - 1] + 1
            rest = line[cut:]
            if rest and not (rest[0].isspace() or rest[0] in "※[［" or not rest.strip(" \t\u3000※")):
                # the label runs on into a longer word: not this label
                return None
            return "hit", form[:length], rest.strip(" \t\u3000※")
        if form in self.cat.prefixes and len(form) >= 2:
            return "wrap", form, ""
        return None

    def _label_at_start(self, index: int, block_end: int,
                        facts: tuple[str, str, str] | None) -> tuple[str, int, str, int] | None:
        """(label form, last label line, inline remainder as printed, remainder line) or None."""
        if facts is None:
            return None
        if facts[0] == "hit":
            return facts[1], index, facts[2], index
        # a label wrapped over several lines (P5)
        form = facts[1]
        joined = form
        last = index
        while last + 1 < block_end and last - index < 4:
            nxt = self.lines[last + 1]
            nxt_form, nxt_map = key_form_with_map(nxt)
            if not nxt_form:
                break
            candidate = joined + nxt_form
            length = self._match_prefix(candidate)
            if length > len(joined):
                consumed = length - len(joined)
                cut = nxt_map[consumed - 1] + 1
                rest = nxt[cut:].strip(" \t\u3000※")
                return candidate[:length], last + 1, rest, last + 1
            if candidate in self.cat.prefixes:
                joined = candidate
                last += 1
                continue
            break
        return None

    def _end_facts(self, line: str) -> tuple[tuple[bool, str, str], ...]:
        """The line-only part of :meth:`_label_at_end`: (complete, form, value before) per space that
        could start a trailing label, in print order, up to the first complete label."""
        found: list[tuple[bool, str, str]] = []
        # labels are short: only a space in the line's last 90 characters can start one
        tail_start = max(0, len(line) - 90)
        by_text = self.cat.by_text
        prefixes = self.cat.prefixes
        for match in _SPACES.finditer(line, tail_start):
            after = line[match.end():]
            if not after.strip():
                continue
            form = uncached_key_form(after)  # tails of value lines recur rarely: keep them out of the cache
            complete = form in by_text and len(form) >= 3
            if not complete and not (form in prefixes and len(form) >= 4):
                continue  # most spaces: the text after them is no label
            before = line[: match.start()].strip(" \t\u3000")
            if not before:
                continue
            found.append((complete, form, before))
            if complete:
                break
        return tuple(found)

    def _label_at_end(self, index: int, block_end: int,
                      facts: tuple[tuple[bool, str, str], ...]) -> tuple[str, int, str] | None:
        """A label printed after its value on one line (P1): (label form, last line, value before)."""
        for complete, form, before in facts:
            if complete:
                return form, index, before
            if index + 1 < block_end:
                candidate = form + key_form(self.lines[index + 1])
                if candidate in self.cat.by_text:
                    return candidate, index + 1, before
        return None

    # -- line classification --------------------------------------------------------------
    def _chunk_kind(self, line: str) -> tuple[str, object]:
        cache = self._kinds
        known = cache.get(line)
        if known is None:
            known = remember(cache, _LINE_CACHE_LIMIT, line, self._classify(line))
        return known

    def _classify(self, line: str) -> tuple[str, object]:
        stripped = line.strip(" \t\u3000")
        form = key_form(stripped)
        if not form or form in _CAPTIONS or (len(form) == 1 and not form.isdigit()):
            return "box", ()
        count = _COUNT.match(stripped)
        if count and any(c.isdigit() for c in stripped):
            return "count", None
        # one NFKC pass and one option-list strip shared by the three readings below
        normal = nfkc(stripped)
        rest = strip_option_lists_normal(normal)
        chosen = chosen_in_rest(rest, self.cat)
        if chosen:
            return "c1", chosen
        residue = key_form(_BRACKETS.sub("", rest))
        if not residue:
            return "box", ()
        if not may_be_checkbox_line(normal):
            return "free", None
        tokens = tokenize(stripped, normal)
        if is_checkbox_line(tokens):
            return "box", tuple(tokens)
        return "free", None

    # -- pages ------------------------------------------------------------------------------
    def pages(self, end: int, page_ranges: list[tuple[int, int]] | None = None) -> list[Page]:
        """The pages of lines[:end]; ``page_ranges`` is ``split_pages(lines[:end])`` when known."""
        pages: list[Page] = []
        lines = self.lines[:end]
        # a block runs over lines with text and stops before a line with a form feed after its start
        if "\f" in "".join(lines):
            self._joins = [bool(line.strip()) and line.find("\f", 1) < 0 for line in lines]
        else:
            self._joins = list(map(bool, map(str.strip, lines)))  # the same, per line in C
        for number, (start, stop) in enumerate(split_pages(lines) if page_ranges is None else page_ranges):
            page = Page(number, start, stop)
            self._read_page(page)
            pages.append(page)
        return pages

    def _read_page(self, page: Page) -> None:
        block = 0
        index = page.start
        lines = self.lines
        joins = self._joins
        end = page.end
        while index < end:
            if not joins[index]:  # a joining line has text; only the others can be blank
                line = lines[index]
                if not line or line.isspace():
                    index += 1
                    continue
            block_end = index
            while block_end < end and joins[block_end]:
                block_end += 1
            if block_end == index:
                block_end = index + 1
            self._read_block(page, block, index, block_end)
            block += 1
            index = block_end

    def _read_block(self, page: Page, block: int, start: int, end: int) -> None:
        """Read one block; its reading depends on its lines alone, so a block seen before (forms
        repeat labels, option lists and captions) is instantiated from the cached reading."""
        cache = self._blocks
        # a str never equals a tuple: one-line and longer blocks cannot be confused
        key = self.lines[start] if end - start == 1 else tuple(self.lines[start:end])
        template = cache.get(key)
        if template is None:
            template = remember(cache, _BLOCK_CACHE_LIMIT, key, self._block_template(page.index, start, end))
        hits, chunks, sections, appendix = template
        number = page.index
        by_text = self.cat.by_text
        c1_by_form = self.cat.c1_by_form
        # Inlined construction (no helper call per object): most blocks come from the cache, so
        # this loop is the per-block cost of segmenting a document.
        # A hit's definitions are the catalogue's own list, shared: nothing changes a hit's defs.
        add_hit = page.hits.append
        for form, first, last, value, value_first, value_last, before, group, group_range in hits:
            add_hit(LabelHit([] if group is not None else by_text[form], form, first + start, last + start,
                             number, block, value,
                             None if value_first is None else value_first + start,
                             None if value_last is None else value_last + start,
                             before, group, group_range))
        add_chunk = page.chunks.append
        for kind, text, first, last, c1_form, tokens, used in chunks:
            add_chunk(Chunk(kind, text, first + start, last + start, number, block,
                            None if c1_form is None else (c1_form, c1_by_form[c1_form]), tokens, used))
        if sections:
            page.sections.extend(Section(num, title, line + start) for num, title, line in sections)
        if appendix:
            page.appendix.extend((n, t, at + start) for n, t, at in appendix)

    def _block_template(self, page_index: int, start: int, end: int) -> tuple:
        """The reading of lines ``start:end`` with line numbers relative to ``start`` (see HitTemplate)."""
        scratch = Page(page_index, start, end)
        self._read_block_lines(scratch, 0, start, end)
        return (
            tuple(_hit_template(h, -start, self.cat) for h in scratch.hits),
            tuple(_chunk_template(c, -start, self.cat) for c in scratch.chunks),
            tuple((x.num, x.title, x.line - start) for x in scratch.sections),
            tuple((n, t, at - start) for n, t, at in scratch.appendix),
        )

    def _read_block_lines(self, page: Page, block: int, start: int, end: int) -> None:
        index = start
        open_hit: LabelHit | None = None  # label whose value may continue on the next lines
        free_run: list[int] = []

        def flush() -> None:
            if free_run:
                text = join_value([self.lines[i] for i in free_run])
                page.chunks.append(Chunk("free", text, free_run[0], free_run[-1], page.index, block))
                free_run.clear()

        while index < end:
            raw = self.lines[index].replace("\f", "")
            heading = self._heading(raw)
            if heading is not None:
                flush()
                if heading[0] == "section":
                    page.sections.append(Section(heading[1], heading[2], index))
                else:
                    page.appendix.append((heading[1], heading[2], index))
                open_hit = None
                index += 1
                continue
            hit = self._hit(page, block, index, end)
            if hit is not None:
                flush()
                page.hits.append(hit)
                index = hit.last + 1
                open_hit = hit
                continue
            kind, extra = self._chunk_kind(raw)
            if (kind == "box" and ((open_hit is not None and open_hit.value_first is not None) or free_run)
                    and self._lone_character(index, start, end)):
                kind = "free"  # the last character of a wrapped value ("者", "。"), not a grid piece
            if kind == "free":
                if open_hit is not None and open_hit.before is None and open_hit.group is None:
                    # continuation of the label's value in the same block (P2, wrapped values)
                    if open_hit.value_first is None:
                        open_hit.value = raw.strip(" \t\u3000")
                        open_hit.value_first = index
                    else:
                        open_hit.value = join_value([open_hit.value or "", raw])
                    open_hit.value_last = index
                else:
                    free_run.append(index)
                index += 1
                continue
            if (kind == "box" and open_hit is not None and open_hit.before is None and open_hit.defs
                    and open_hit.defs[0].type == "CM" and extra):
                # an intact checkbox row under its label (clean layouts)
                open_hit.value = (open_hit.value + " " if open_hit.value else "") + raw.strip(" \t\u3000")
                if open_hit.value_first is None:
                    open_hit.value_first = index
                open_hit.value_last = index
                index += 1
                continue
            flush()
            open_hit = None
            text = raw.strip(" \t\u3000")
            chunk = Chunk(kind, text, index, index, page.index, block)
            if kind == "c1":
                chunk.c1 = extra  # type: ignore[assignment]
            elif kind == "box":
                chunk.tokens = extra or ()  # type: ignore[assignment]
            page.chunks.append(chunk)
            index += 1
        flush()

    def _heading(self, raw: str) -> tuple[str, str, str] | None:
        """("section", Ⅰ-Ⅶ, title) or ("appendix", number, title) for a heading line (cached by text)."""
        cache = Segmenter._heading_cache
        known = cache.get(raw, self)
        if known is not self:
            return known  # type: ignore[return-value]
        section = _SECTION.match(raw)
        appendix = _APPENDIX.match(raw)
        result: tuple[str, str, str] | None = None
        if section and not raw.startswith(" "):
            result = ("section", section.group("num"), section.group("title").strip())
        elif appendix:
            result = ("appendix", appendix.group(1), appendix.group("title").strip())
        return remember(cache, _LINE_CACHE_LIMIT, raw, result)

    def _lone_character(self, index: int, start: int, end: int) -> bool:
        """A one-character line that is not part of a vertical caption (再/委/託 one per line)."""
        def single(i: int) -> bool:
            return start <= i < end and len(key_form(self.lines[i])) == 1

        line = self.lines[index]
        return (single(index) and not re.search(r"[\[\]［］○〇()（）]", line)
                and not single(index - 1) and not single(index + 1))

    def _line_facts(self, raw: str) -> tuple:
        """What :meth:`_hit` can tell from the line alone (cached by line text):
        ("blank",) | ("group", name, number, is_range, title) | ("tail", name, number, value)
        | ("other", leading_space, start facts, end facts)."""
        cache = self._facts
        known = cache.get(raw)
        if known is not None:
            return known
        return remember(cache, _LINE_CACHE_LIMIT, raw, self._read_line_facts(raw))

    def _read_line_facts(self, raw: str) -> tuple:
        stripped = raw.strip(" \t\u3000\f")
        if not stripped:
            return ("blank",)
        leading_space = _has_label_indent(raw)
        form_all = key_form(stripped)
        group = _GROUP_HEAD.match(form_all)
        if group and (leading_space or len(form_all) <= 8):
            is_range = group.group(3) is not None
            # the title printed on the heading line (委託事項1 title / 移転先1 recipient)
            match = re.match(r"^\s*\S+?[0-9０-９]{1,2}(?:[～~〜][0-9０-９]{1,2})?[ \u3000]+(?P<v>\S.*)$", raw)
            title = match.group("v").strip(" \t\u3000") if match and not is_range else None
            return ("group", group.group(1), int(group.group(2)), is_range, title)
        # the pattern needs one of its heads printed literally: most lines have none, skip the match
        tail = (_GROUP_TAIL.match(stripped)
                if "提供先" in stripped or "移転先" in stripped or "委託事項" in stripped else None)
        if tail:
            head = key_form(tail.group("head"))
            gm = _GROUP_HEAD.match(head)
            if gm:
                return ("tail", gm.group(1), int(gm.group(2)), tail.group("value"))
        return ("other", leading_space, self._start_facts(raw), self._end_facts(raw))

    def _hit(self, page: Page, block: int, index: int, end: int) -> LabelHit | None:
        facts = self._line_facts(self.lines[index])
        if facts[0] == "blank":
            return None
        if facts[0] == "group":
            _kind, name, number, is_range, title = facts
            hit = LabelHit([], name, index, index, page.index, block)
            hit.group = (name, number)
            hit.group_range = is_range
            if title is not None:
                hit.value = title
                hit.value_first = hit.value_last = index
            return hit
        if facts[0] == "tail":
            _kind, name, number, value = facts
            hit = LabelHit([], name, index, index, page.index, block)
            hit.group = (name, number)
            hit.before = value
            hit.value = value
            hit.value_first = hit.value_last = index
            return hit
        _kind, leading_space, start_facts, end_facts = facts
        start = self._label_at_start(index, end, start_facts)
        if start is not None:
            form, last, rest, rest_line = start
            if not leading_space and rest and not re.match(r"^[①-⑳]|^\d+．", form) and form not in self.cat.by_text:
                return None
            if not leading_space and rest and not re.match(r"^[①-⑳]", form) and not any(
                    d.bare for d in self.cat.by_text[form]):
                # without the label indent, accept only a label standing alone (value lines never
                # start with one ASCII space, but prose can start with a label-like word)
                return None
            hit = LabelHit(list(self.cat.by_text[form]), form, index, last, page.index, block)
            if rest:
                hit.value = rest
                hit.value_first = hit.value_last = rest_line
            return hit
        end_label = self._label_at_end(index, end, end_facts)
        if end_label is not None:
            form, last, before = end_label
            hit = LabelHit(list(self.cat.by_text[form]), form, index, last, page.index, block)
            hit.before = before
            return hit
        return None


# fewer label lines than this with the one-space indent: the text was not laid out that way
_INDENTED_LABELS_EXPECTED = 5


def restore_label_indent(lines: list[str], cat: Catalogue) -> list[str]:
    """``lines`` as the segmenter expects them: every label line indented by one ASCII space.

    The seeds' PDF-to-text tool prints each label line after one ASCII space and no value line that
    way; the segmenter relies on it to tell a label from prose that starts with a label-like word.
    Another tool (or a copy that lost its leading spaces, or indents with tabs or several spaces)
    leaves that cue out, and most labels with a value beside them would be read as values. Such a
    text has (almost) no one-space label lines: then the label lines (and group headings such as
    委託事項1) are given the indent and every other line loses its leading spaces. A text laid out
    like the seeds is returned unchanged.
    """
    # a label line as the segmenter reads one: a label, or the first line of one wrapped over lines
    reader = Segmenter(lines, cat)
    indented = 0
    for line in lines:
        if _has_label_indent(line) and reader._start_facts(line) is not None:
            indented += 1
            if indented >= _INDENTED_LABELS_EXPECTED:
                return lines
    restored: list[str] = []
    for line in lines:
        stripped = line.lstrip(" \t")
        if stripped and not _SECTION.match(stripped) and (
                _GROUP_HEAD.match(key_form(stripped)) or reader._start_facts(stripped) is not None):
            restored.append(" " + stripped)
        else:
            restored.append(stripped)
    return restored


# A page number as printers print one, alone on its line (after NFKC): "3", "- 3 -", "3 / 40",
# "（3ページ）", "P.3", "Page 3", "第3頁". ``n`` is the page's number, ``of`` the page count when printed.
_PAGE_NUMBER = re.compile(
    r"^(?:[-‐－―–—~〜]\s*)?(?:[(（]\s*)?(?:[pP](?:age)?\.?\s*|ページ\s*|第\s*)?(?P<n>\d{1,4})"
    r"(?:\s*/\s*(?P<of>\d{1,4}))?\s*(?:ページ|頁)?(?:\s*[)）])?(?:\s*[-‐－―–—~〜])?$")
# fewer page numbers than this in one sequence: a coincidence of values, not page furniture
_PAGE_NUMBERS_EXPECTED = 3


def _page_number_shape(line: str) -> tuple[str, int] | None:
    """``(shape, number)`` of a line that reads as a printed page number, else None; lines of the
    same shape differ only in their number (the page count, when printed, is part of the shape)."""
    text = nfkc(line).strip()
    if not text or len(text) > 16:
        return None
    match = _PAGE_NUMBER.match(text)
    if match is None:
        return None
    shape = text[:match.start("n")] + "#" + text[match.end("n"):]
    return shape, int(match.group("n"))


def blank_page_numbers(lines: list[str], pages: list[tuple[int, int]] | None = None) -> list[str]:
    """``lines`` with the printed page numbers blanked (line numbers kept for provenance); ``lines``
    itself when there are none. ``pages``: ``split_pages(lines)`` when the caller has it already.

    The seeds' PDF-to-text tool prints no page furniture, but a PDF printed with a footer or header
    page number ("- 3 -", "3 / 40") leaves a line at the top or bottom of each page that reads as a
    short value and competes with the real ones (評価書番号, 委託事項 titles). A line is taken for a
    page number only as part of a run: the first (or last) line of at least three pages, of one
    shape, whose numbers grow with the pages (never by more than the pages do, plus one). A lone
    number at a page's edge — a value such as 評価書番号 27 — is kept. The blanked line joins the page
    break's blank run, so the pages hold the same text.
    """
    pages = split_pages(lines) if pages is None else pages
    if len(pages) < _PAGE_NUMBERS_EXPECTED:
        return lines
    runs: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
    for page_no, (start, end) in enumerate(pages):
        edges = {"top": start}
        last = end - 1
        while last > start and not lines[last].strip():
            last -= 1
        if last > start:
            edges["bottom"] = last
        for edge, index in edges.items():
            reading = _page_number_shape(lines[index])
            if reading is not None:
                shape, number = reading
                runs.setdefault((edge, shape), []).append((page_no, number, index))
    blanked: set[int] = set()
    for found in runs.values():
        chain = _page_number_chain(found)
        if len(chain) >= _PAGE_NUMBERS_EXPECTED:
            blanked.update(chain)
    if not blanked:
        return lines
    return ["" if index in blanked else line for index, line in enumerate(lines)]


def _page_number_chain(found: list[tuple[int, int, int]]) -> list[int]:
    """Line indexes of the longest run in ``found`` ((page, number, line) in page order) whose
    numbers grow with its pages: by at least one, and by at most the pages' gap plus one (a page
    split or merged by the text's blank runs shifts the count by one)."""
    best: list[list[int]] = []  # best[i]: longest chain ending at found[i], as positions in found
    for i, (page, number, _) in enumerate(found):
        chain = [i]
        for j in range(i):
            before_page, before_number, _ = found[j]
            if 1 <= number - before_number <= page - before_page + 1 and len(best[j]) + 1 > len(chain):
                chain = [*best[j], i]
        best.append(chain)
    longest = max(best, key=len, default=[])
    return [found[i][2] for i in longest]


def clear_caches() -> None:
    """Forget every reading cached across documents (benchmarks measure from a cold start)."""
    for cache in (Segmenter._facts_cache, Segmenter._kind_cache, Segmenter._heading_cache, Segmenter._block_cache):
        cache.clear()
    options.clear_caches()
    catalogue.clear_caches()
