"""The change history (変更箇所, 別添２ / 別添３) of an assessment.

The history repeats old and new values with the wording of the live fields (form-fields.md P7),
so the extractor cuts the document at :func:`find_history_start` before reading current values,
and reads the history only through :func:`parse_change_rows`.

Layout of the history in PDF-extracted text (form-fields.md §2.6):

- pages are separated by a run of three or more blank lines (or a form feed); blocks inside a
  page by one blank line; blocks inside a page may be shuffled;
- the header row (変更日 · 項目 · 変更前の記載 · 変更後の記載 · 提出時期 · 提出時期に係る説明)
  repeats on every page, with its cells glued in varying order;
- some documents print each row's 変更日 before the row, others collect a page's dates in a
  separate run of lines, which cannot be paired with rows by position;
- before, after and timing often share one line, separated by single spaces;
- the timing can be glued to a date (``事前`` + date on one line).

:func:`parse_change_rows` never guesses: a column that cannot be separated with certainty is left
``None`` and the raw text kept in ``text``. Every non-header line of the history ends up in exactly
one returned dict (a row, or a fragment with only ``text`` set), so nothing is dropped silently.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field

from pia_graph.extract.catalogue import nfkc

HISTORY_MARKER = "変更前の記載"

# Cells of the repeated header row; a line made only of these (after removing whitespace) is a header.
_HEADER_CELLS = (
    "提出時期に係る説明",
    "変更前の記載",
    "変更後の記載",
    "提出時期",
    "変更日",
    "変更箇所",
    "項目",
)
_APPENDIX_TAG = re.compile(r"[（(]別添[0-9０-９一二三四五]+[）)]")

_ERA_START = {"令和": 2018, "平成": 1988, "昭和": 1925, "大正": 1911, "明治": 1867}
_JP_DATE = r"(?:令和|平成|昭和|大正|明治)\s*(?:\d{1,2}|元)\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"
_WESTERN_DATE = r"\d{4}\s*(?:/\s*\d{1,2}\s*/\s*\d{1,2}|-\s*\d{1,2}\s*-\s*\d{1,2}|年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)"
_DATE = rf"(?:{_JP_DATE}|{_WESTERN_DATE})"
_DATE_LINE = re.compile(rf"^{_DATE}$")
_TIMINGS = ("事前", "事後")
# Timing at the end of a line after one space ("before after 事後"), or at its start, either alone,
# followed by a space and a reason, or glued to a date. "事前の提出…" (prose) is none of these.
_TIMING_AT_END = re.compile(r"^(?P<values>.*\S)[ \u3000](?P<timing>事前|事後)$")
_TIMING_ALONE = re.compile(r"^(?P<timing>事前|事後)$")
_TIMING_THEN_REASON = re.compile(r"^(?P<timing>事前|事後)[ \u3000]+(?P<rest>\S.*)$")
_TIMING_GLUED_DATE = re.compile(rf"^(?P<timing>事前|事後)(?P<date>{_DATE})$")
# A 項目 cell is a section path: Ⅰ-Ⅶ (optionally spaced or followed by ．), or "6．…" (form-fields P7).
# A text normalised to NFKC spells Ⅰ-Ⅶ in Latin letters (Ⅱ -> II), never followed by another letter.
_ITEM_START = re.compile(r"^(?:[ⅠⅡⅢⅣⅤⅥⅦ]|(?:VI{0,2}|IV|I{1,3})(?![A-Za-z])|[0-9０-９]{1,2}[．.]\S|[（(]別添)")


def is_blank(line: str) -> bool:
    return not line.strip()


def split_pages(lines: list[str]) -> list[tuple[int, int]]:
    """``(start, end)`` index ranges (end exclusive) of the pages of ``lines``.

    A page ends at a run of three or more blank lines, or where a line contains a form feed (that
    line starts the next page). The separating blank lines belong to no page.
    """
    pages: list[tuple[int, int]] = []
    # map() runs these per-line tests in C; one join tells whether any line holds a form feed
    blank = list(map(operator.not_, map(str.strip, lines)))
    feeds = {index for index, line in enumerate(lines) if "\f" in line} if "\f" in "".join(lines) else set()
    start = 0
    index = 0
    count = len(lines)
    while index < count:
        if index in feeds:
            if index > start and not all(blank[start:index]):
                pages.append((start, index))
            # A form feed with no text beside it belongs to no page; otherwise the line starts one.
            start = index + 1 if blank[index] else index
            index += 1
            continue
        if blank[index]:
            run_end = index
            while run_end < count and blank[run_end] and run_end not in feeds:
                run_end += 1
            if run_end - index >= 3:
                if index > start:
                    pages.append((start, index))
                start = run_end
            index = run_end
            continue
        index += 1
    if start < count and not all(blank[start:]):
        pages.append((start, count))
    return pages


def find_history_start(lines: list[str], pages: list[tuple[int, int]] | None = None) -> int | None:
    """0-based index of the first line of the first page that contains 変更前の記載, or None.

    ``pages``: ``split_pages(lines)`` when the caller has it already."""
    pages = split_pages(lines) if pages is None else pages
    for number, (start, end) in enumerate(pages):
        if any(HISTORY_MARKER in line for line in lines[start:end]):
            if number == 0:
                # No page break before the history (a text whose blank runs were lost): cutting at the
                # page would drop the whole body, so cut at the block of its first header row.
                return _first_header_block(lines, start, end)
            # Skip leading blank lines so the index points at the page's first text line.
            while start < end and is_blank(lines[start]):
                start += 1
            return start
    return None


def _first_header_block(lines: list[str], start: int, end: int) -> int:
    first = next(index for index in range(start, end) if HISTORY_MARKER in lines[index])
    while first > start and not is_blank(lines[first - 1]):
        first -= 1
    return first


def to_iso_date(text: str) -> str | None:
    """ISO ``YYYY-MM-DD`` for a full 和暦 or western date, else None (partial dates stay as printed)."""
    value = re.sub(r"\s+", "", nfkc(text))
    match = re.fullmatch(r"(令和|平成|昭和|大正|明治)(\d{1,2}|元)年(\d{1,2})月(\d{1,2})日", value)
    if match:
        era_year = 1 if match.group(2) == "元" else int(match.group(2))
        year, month, day = _ERA_START[match.group(1)] + era_year, int(match.group(3)), int(match.group(4))
    else:
        match = re.fullmatch(r"(\d{4})(?:/|-|年)(\d{1,2})(?:/|-|月)(\d{1,2})日?", value)
        if not match:
            return None
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _date_value(text: str) -> str:
    """The row's date: ISO where the date is full, otherwise the text as printed."""
    return to_iso_date(text) or text.strip()


# normalised once: _is_header_line runs on every line of the history
_HEADER_CELL_FORMS = tuple(nfkc(cell) for cell in _HEADER_CELLS)


# every character a header line can hold (cells and appendix tags): a line with any other is no header
_HEADER_CHARS = frozenset("".join(_HEADER_CELL_FORMS) + "（()）別添0123456789０１２３４５６７８９一二三四五")


def _is_header_line(line: str) -> bool:
    rest = "".join(nfkc(line).split())
    rest = nfkc(rest)
    if not _HEADER_CHARS.issuperset(rest):
        return False  # the removals below only delete header characters
    rest = _APPENDIX_TAG.sub("", rest)
    for cell in _HEADER_CELL_FORMS:
        rest = rest.replace(cell, "")
    return rest == ""


def _is_date_line(line: str) -> bool:
    return bool(_DATE_LINE.match(nfkc(line.strip())))


def _join(lines: list[str]) -> str:
    """Join lines broken by the PDF extraction without the line breaks (record-schema rule)."""
    return "".join(line.strip() for line in lines)


@dataclass
class _Block:
    first: int  # 1-based line number of the first line
    lines: list[str]

    @property
    def last(self) -> int:
        return self.first + len(self.lines) - 1


@dataclass
class _Row:
    first: int
    last: int
    item: str | None = None
    date: str | None = None
    value_blocks: list[list[str]] = field(default_factory=list)
    timing: str | None = None
    timing_reason: str | None = None
    before: str | None = None
    after: str | None = None
    text: str | None = None

    def cover(self, first: int, last: int) -> None:
        self.first = min(self.first, first)
        self.last = max(self.last, last)

    def as_dict(self) -> dict:
        return {
            "date": self.date,
            "item": self.item,
            "before": self.before,
            "after": self.after,
            "timing": self.timing,
            "timing_reason": self.timing_reason,
            "text": self.text,
            "lines": [self.first, self.last],
        }


def _blocks_of_page(lines: list[str], start: int, end: int, first_line_number: int) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for index in range(start, end):
        line = lines[index].replace("\f", "")
        if is_blank(line) or _is_header_line(line):
            current = None
            continue
        if current is None:
            current = _Block(first_line_number + index, [])
            blocks.append(current)
        current.lines.append(line.rstrip())
    return blocks


def _timing_line(line: str) -> re.Match[str] | None:
    stripped = line.strip()
    for pattern in (_TIMING_ALONE, _TIMING_GLUED_DATE, _TIMING_THEN_REASON, _TIMING_AT_END):
        match = pattern.match(stripped)
        if match:
            return match
    return None


def _resolve_values(row: _Row, inline_lines: list[str]) -> None:
    """Set before/after only where the columns are certain; otherwise keep the raw text.

    Certain cases: exactly one value line ``before after`` split by a single ASCII space into two
    parts (the cells share a line, form-fields §2.6 b); exactly two value blocks of their own and
    nothing on the timing line (cells printed as separate blocks, one per column); or one value
    block (before) and, ending on the timing's line, text without any ASCII space (after).
    """
    blocks = [block for block in row.value_blocks if block]
    if not blocks and len(inline_lines) == 1:
        parts = inline_lines[0].strip().split(" ")
        if len(parts) == 2 and all(part.strip() for part in parts):
            row.before, row.after = parts[0].strip(), parts[1].strip()
            return
    if len(blocks) == 2 and not inline_lines:
        row.before, row.after = _join(blocks[0]), _join(blocks[1])
        return
    if len(blocks) == 1 and inline_lines and not any(" " in line.strip() for line in inline_lines):
        # The before cell as a block of its own, the after cell ending on the timing's line: one
        # cell per side, as only one text without a column-separating space shares that line.
        row.before, row.after = _join(blocks[0]), _join(inline_lines)
        return
    raw = ["\n".join(line.strip() for line in block) for block in blocks]
    if inline_lines:
        raw.append("\n".join(line.strip() for line in inline_lines))
    row.text = "\n".join(part for part in raw if part) or None


def _close(row: _Row | None, rows: list[dict]) -> None:
    if row is None:
        return
    if row.timing is None and row.value_blocks:
        # No timing line: the row was cut short by the page or another row, so its cells are uncertain.
        row.text = "\n".join("\n".join(line.strip() for line in block) for block in row.value_blocks)
    rows.append(row.as_dict())


def _fragment(block: _Block) -> dict:
    return _Row(block.first, block.last, text="\n".join(line.strip() for line in block.lines)).as_dict()


def _block_kind(block: _Block) -> str:
    if all(_is_date_line(line) for line in block.lines):
        return "date"
    if any(_timing_line(line) for line in block.lines):
        return "timing"
    if _ITEM_START.match(block.lines[0].strip()):
        return "item"
    return "text"


def _parse_page(blocks: list[_Block], rows: list[dict]) -> None:
    kinds = [_block_kind(block) for block in blocks]
    # Dates collected in a run of two or more blocks are the page's date column: they cannot be
    # paired with rows by position (form-fields §2.6 c), so they are kept as fragments.
    in_date_run = [
        kind == "date"
        and ((i > 0 and kinds[i - 1] == "date") or (i + 1 < len(kinds) and kinds[i + 1] == "date"))
        for i, kind in enumerate(kinds)
    ]
    row: _Row | None = None
    pending_date: _Block | None = None

    def flush_pending_date() -> None:
        nonlocal pending_date
        if pending_date is not None:
            rows.append(_fragment(pending_date))
            pending_date = None

    for i, (block, kind) in enumerate(zip(blocks, kinds, strict=True)):
        if kind == "date" and in_date_run[i]:
            flush_pending_date()
            _close(row, rows)
            row = None
            rows.append(_fragment(block))
            continue
        if kind == "date" and i + 1 < len(kinds) and kinds[i + 1] == "item":
            # A lone date printed right before a row's 項目 is that row's 変更日 (the one-date-per-row layout).
            flush_pending_date()
            _close(row, rows)
            row = None
            pending_date = block
            continue
        if kind == "item":
            _close(row, rows)
            row = _Row(block.first, block.last, item=_join(block.lines))
            if pending_date is not None:
                row.date = _date_value(pending_date.lines[0])
                row.cover(pending_date.first, pending_date.last)
                pending_date = None
            continue
        flush_pending_date()
        if kind == "timing":
            row = _apply_timing_block(row, block, rows)
            continue
        # Text (or a lone date that is not followed by an item): a value of the open row, or a fragment.
        if row is not None and row.timing is None:
            row.value_blocks.append(block.lines)
            row.cover(block.first, block.last)
        else:
            _close(row, rows)
            row = None
            rows.append(_fragment(block))
    flush_pending_date()
    _close(row, rows)


def _apply_timing_block(row: _Row | None, block: _Block, rows: list[dict]) -> _Row | None:
    """Consume a block holding one or more timing lines; return the row still open (or None)."""
    pending_lines: list[str] = []
    pending_first = block.first
    for offset, line in enumerate(block.lines):
        match = _timing_line(line)
        if match is None:
            pending_lines.append(line)
            continue
        line_number = block.first + offset
        if row is not None and row.timing is not None:
            # A second timing in the same block: whether the lines between are the first row's
            # reason or the second row's values is not certain, so they become a fragment.
            _close(row, rows)
            row = None
            if pending_lines:
                rows.append(_Row(pending_first, line_number - 1,
                                 text="\n".join(item.strip() for item in pending_lines)).as_dict())
                pending_lines = []
                pending_first = line_number
        if row is None:
            row = _Row(pending_first, line_number)
        groups = match.groupdict()
        inline = list(pending_lines)
        if groups.get("values"):
            inline.append(groups["values"])
        row.timing = groups["timing"]
        if groups.get("date"):
            # Cells on one printed line belong to one table row, so a glued date is this row's 変更日.
            row.date = _date_value(groups["date"])
        if groups.get("rest"):
            rest = groups["rest"].strip()
            if _is_date_line(rest):
                row.date = _date_value(rest)
            else:
                row.timing_reason = rest
        _resolve_values(row, inline)
        row.cover(pending_first, line_number)
        pending_lines = []
        pending_first = line_number + 1
    if pending_lines and row is not None:
        # Lines after the timing line in the same block: the 提出時期に係る説明 cell, wrapped.
        reason = _join(pending_lines)
        row.timing_reason = f"{row.timing_reason}{reason}" if row.timing_reason else reason
        row.cover(pending_first, block.last)
    return row


def parse_change_rows(lines: list[str], first_line_number: int) -> list[dict]:
    """Parse the 変更箇所 rows of ``lines`` (the history part of a document).

    ``first_line_number`` is the 1-based line number of ``lines[0]`` in the decoded input, so the
    returned ``lines`` spans point into the whole document. Each dict has ``date`` (ISO where the
    date is full, else as printed), ``item``, ``before``, ``after``, ``timing`` (事前/事後),
    ``timing_reason``, ``text`` (raw cells that could not be separated with certainty, or an
    unattached fragment of the history) and ``lines: [first, last]``. Unknown columns are None.
    """
    rows: list[dict] = []
    for start, end in split_pages(lines):
        _parse_page(_blocks_of_page(lines, start, end, first_line_number), rows)
    return rows


__all__ = ["find_history_start", "parse_change_rows", "split_pages", "to_iso_date"]
