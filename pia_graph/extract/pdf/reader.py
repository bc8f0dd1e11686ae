"""PDF → text rebuilt from geometry (:func:`read_pdf`).

Plain text extraction of the published forms loses the table: cells come out as separate blocks,
in an order that mixes columns, and checkbox marks end up away from their labels
(form-fields.md P3). Here every character keeps its position:

1. checkbox pieces ``[``, mark, ``]`` are bound geometrically on the whole page
   (:func:`pia_graph.extract.pdf.geometry.bind_checkboxes`), so pieces printed in cells of their
   own still meet;
2. the drawn table (rectangles and lines, found by pdfplumber's table finder) splits the page into
   cells; characters outside every cell form free text (titles, the form tag);
3. inside a cell, characters are grouped into rows by their vertical position and split into lines
   at checkboxes and wide gaps; a checkbox label wrapped under itself is joined back;
4. cells are read row band by row band (top to bottom), left to right inside a band.

Output layout (what ``pia_graph.extract.extract_text`` reads best, like a clean sample text):
a label cell (the forms print labels with a leading space) becomes one line, ``" " + label`` with
its wrapped parts joined. The value cells of the same band follow: a one-line value (text or a
chosen ``[ value ]``) and a checkbox grid (``[ ○ ] 紙 [ ] 専用線 …``, every mark bound to its own
label) stay on the label's line, as a row printed on one baseline reads (form-fields.md P2);
longer values follow on their own lines, one line per printed row, right under the label. A blank
line separates bands; three blank lines separate pages. A value line never starts with an ASCII
space. ``read_pdf(..., inline_single=False, inline_grid=False)`` puts every value under its label.

Every line of ``text`` has an entry in ``locations``: the page (1-based) and the box, in points
from the page's top-left corner, of the characters it was built from; ``None`` for blank lines.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pia_graph.errors import InputError
from pia_graph.extract.pdf.geometry import (
    CHECKED,
    UNCHECKED,
    Box,
    Glyph,
    Line,
    Token,
    bind_checkboxes,
    group_rows,
    lines_from_tokens,
)

PAGE_SEPARATOR_BLANK_LINES = 3
INLINE_SINGLE = True
INLINE_GRID = True
# Cells whose tops differ by less than this many points belong to one row band.
BAND_TOLERANCE = 2.0
# Share of characters without a Unicode mapping ("(cid:N)") above which the text layer is unusable.
MAX_UNMAPPED_SHARE = 0.5
_TABLE_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 2,
    "join_tolerance": 2,
    "intersection_tolerance": 2,
}


@dataclass(frozen=True)
class LineLocation:
    """Where one line of :attr:`PdfText.text` was printed: page (1-based) and box in points."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float

    def bbox(self) -> list[float]:
        return [round(self.x0, 1), round(self.top, 1), round(self.x1, 1), round(self.bottom, 1)]


@dataclass
class PdfText:
    """The text of a PDF rebuilt from geometry, with one location (or None) per line."""

    text: str
    locations: list[LineLocation | None]
    pages: int = 0
    source: str = ""
    checkboxes: int = field(default=0)

    def lines(self) -> list[str]:
        return self.text.split("\n")


@dataclass
class _Block:
    """A cell (or a free-text row) of a page with the lines built from its characters."""

    box: Box
    lines: list[Line]
    label: bool


def _clean_text(text: str) -> str:
    """Drop characters that would break lines or are invisible (the text is split at "\\n" later)."""
    return "".join(
        char for char in text
        if unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp") or char == "\t"
    ).replace("\t", " ")


def _glyphs(chars: Sequence[dict[str, Any]]) -> list[Glyph]:
    glyphs: list[Glyph] = []
    seen: set[tuple[str, int, int]] = set()
    for char in chars:
        text = _clean_text(str(char.get("text", "")))
        if not text:
            continue
        # Fake bold is drawn twice at (almost) the same place: keep one copy.
        key = (text, round(float(char["x0"]) * 2), round(float(char["top"]) * 2))
        if key in seen:
            continue
        seen.add(key)
        glyphs.append(Glyph(text, float(char["x0"]), float(char["top"]), float(char["x1"]),
                            float(char["bottom"]), float(char.get("size") or char["bottom"] - char["top"])))
    return glyphs


def _cells(page: Any) -> list[Box]:
    cells: list[Box] = []
    for table in page.find_tables(_TABLE_SETTINGS):
        for cell in table.cells:
            x0, top, x1, bottom = cell
            if x1 - x0 > 1 and bottom - top > 1:
                cells.append(Box(x0, top, x1, bottom))
    return cells


def _containing_cell(x: float, y: float, cells: Sequence[Box]) -> int | None:
    best: int | None = None
    best_area = 0.0
    for index, cell in enumerate(cells):
        if cell.x0 <= x <= cell.x1 and cell.top <= y <= cell.bottom:
            area = (cell.x1 - cell.x0) * (cell.bottom - cell.top)
            if best is None or area < best_area:
                best, best_area = index, area
    return best


def _starts_with_space(tokens: Sequence[Token]) -> bool:
    """A label cell: its first printed character (top row, leftmost) is an ASCII space."""
    rows = group_rows(tokens)
    return bool(rows) and rows[0][0].text == " " and not rows[0][0].checkbox


def _anchor(token: Token) -> tuple[float, float]:
    """The point that places a token in a cell: a checkbox by its ``[``, other glyphs by their centre."""
    if token.checkbox:
        return token.x0 + 1.0, token.middle
    return (token.x0 + token.x1) / 2, token.middle


def _page_blocks(page: Any) -> list[_Block]:
    glyphs = _glyphs(page.chars)
    if not glyphs:
        return []
    cells = _cells(page)
    # Checkboxes are bound on the whole page first: a spreadsheet may put "[", the mark and
    # "] label" in cells of their own.
    tokens = bind_checkboxes(glyphs)
    by_cell: dict[int, list[Token]] = {}
    free: list[Token] = []
    for token in tokens:
        index = _containing_cell(*_anchor(token), cells)
        if index is None:
            free.append(token)
        else:
            by_cell.setdefault(index, []).append(token)
    blocks: list[_Block] = []
    for index, cell_tokens in by_cell.items():
        lines = lines_from_tokens(cell_tokens)
        if lines:
            blocks.append(_Block(cells[index], lines, _starts_with_space(cell_tokens)))
    if blocks and not any(block.label for block in blocks):
        _labels_by_position(blocks, cells)
    # Free text: each row is a block of its own, so it takes its place among the cells by position.
    for line in lines_from_tokens(free):
        blocks.append(_Block(line.box, [line], False))
    return blocks


def _labels_by_position(blocks: list[_Block], cells: Sequence[Box]) -> None:
    """Mark label cells on a page whose labels carry no leading space.

    The form's label column is the table's leftmost column: a cell there with a (possibly empty)
    value cell to its right is a label; a lone full-width cell holding one short line is a section heading (also
    printed as a label line). Only used when no cell of the page starts with a space, so pages
    that print the space keep exactly what they print.
    """
    left = min(block.box.x0 for block in blocks)
    right = max(block.box.x1 for block in blocks)
    for band in _bands(blocks):
        for block in band:
            if abs(block.box.x0 - left) > 1.5:
                continue
            # a value cell to the right in the same row (it may be empty)
            has_value = any(abs(cell.top - block.box.top) <= BAND_TOLERANCE and cell.x0 >= block.box.x1 - 1.5
                            for cell in cells)
            heading = (not has_value and abs(block.box.x1 - right) <= 1.5 and len(block.lines) == 1
                       and not block.lines[0].checkbox and len(block.lines[0].text) <= 60)
            block.label = has_value or heading


def _bands(blocks: list[_Block]) -> list[list[_Block]]:
    bands: list[list[_Block]] = []
    for block in sorted(blocks, key=lambda b: (b.box.top, b.box.x0)):
        if bands and block.box.top - bands[-1][0].box.top <= BAND_TOLERANCE:
            bands[-1].append(block)
        else:
            bands.append([block])
    return [sorted(band, key=lambda b: (b.box.x0, b.box.top)) for band in bands]


def _block_lines(block: _Block) -> list[Line]:
    if block.label:
        text = "".join(line.text.strip(" ") for line in block.lines)
        box = block.lines[0].box
        for line in block.lines[1:]:
            box = box.union(line.box)
        return [Line(" " + text, box)]
    return [Line(line.text.lstrip(" "), line.box, line.checkbox) for line in block.lines if line.text.strip(" ")]


def _band_lines(band: list[_Block], inline_single: bool, inline_grid: bool) -> list[Line]:
    """The lines of one row band: the label line, then the lines of the value cells.

    A one-line value (text or a chosen ``[ value ]``) shares the label's line when
    ``inline_single`` is set, as a row printed on one baseline reads in plain extraction
    (form-fields.md P2); with ``inline_grid`` a checkbox grid follows its label on one line.
    """
    cells = [_block_lines(block) for block in band]
    cells = [cell for cell in cells if cell]
    if len(cells) >= 2 and band[0].label and len(cells[0]) == 1:
        label, first = cells[0][0], cells[1]
        merge = (inline_single and len(first) == 1 and not first[0].checkbox) or (
            inline_grid and all(line.checkbox for line in first))
        if merge:
            text = " ".join([label.text, *(line.text for line in first)])
            box = label.box
            for line in first:
                box = box.union(line.box)
            cells = [[Line(text, box)], *cells[2:]]
    return [line for cell in cells for line in cell]


def _open(path: Path) -> Any:
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        return pdfplumber.open(path)
    except PdfminerException as error:
        raise InputError(path, _pdf_problem(error.args[0] if error.args else error)) from None
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from None
    except Exception as error:
        raise InputError(path, _pdf_problem(error)) from None


def _pdf_problem(error: BaseException) -> str:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    if isinstance(error, PDFPasswordIncorrect | PDFEncryptionError) or "password" in str(error).lower():
        return "encrypted PDF (a password is needed to read it); save an unencrypted copy and retry"
    detail = str(error).strip() or type(error).__name__
    return f"damaged or truncated PDF ({type(error).__name__}: {detail})"


def read_pdf(path: str | os.PathLike[str], *, inline_single: bool = INLINE_SINGLE,
             inline_grid: bool = INLINE_GRID) -> PdfText:
    """Read ``path`` into lines rebuilt from character geometry (module docstring).

    Raises InputError naming ``path`` for a file that is not a readable PDF: damaged or truncated,
    encrypted with a password, or without a text layer (a scan).
    """
    path = Path(path)
    from pdfplumber.utils.exceptions import PdfminerException

    lines: list[str] = []
    locations: list[LineLocation | None] = []
    glyph_count = 0
    unmapped = 0
    checkboxes = 0
    pdf = _open(path)
    try:
        page_count = len(pdf.pages)
        for number, page in enumerate(pdf.pages, start=1):
            try:
                blocks = _page_blocks(page)
                glyph_count += sum(1 for c in page.chars if str(c.get("text", "")).strip())
                unmapped += sum(1 for c in page.chars if str(c.get("text", "")).startswith("(cid:"))
            except PdfminerException as error:
                raise InputError(path, _pdf_problem(error.args[0] if error.args else error)) from None
            except (InputError, MemoryError):
                raise
            except Exception as error:
                raise InputError(path, f"page {number}: {_pdf_problem(error)}") from None
            finally:
                page.close()  # drop the page's parsed objects: long documents stay small in memory
            if not blocks:
                continue
            if lines:
                lines.extend([""] * PAGE_SEPARATOR_BLANK_LINES)
                locations.extend([None] * PAGE_SEPARATOR_BLANK_LINES)
            for band_index, band in enumerate(_bands(blocks)):
                if band_index:
                    lines.append("")
                    locations.append(None)
                for line in _band_lines(band, inline_single, inline_grid):
                    box = line.box
                    lines.append(line.text)
                    locations.append(LineLocation(number, box.x0, box.top, box.x1, box.bottom))
                    checkboxes += line.text.count(CHECKED) + line.text.count(UNCHECKED)
    finally:
        pdf.close()
    if page_count == 0:
        raise InputError(path, "PDF has no pages")
    if glyph_count == 0:
        raise InputError(path, "PDF has no text layer (a scanned or image-only document); run OCR on it first")
    if unmapped > MAX_UNMAPPED_SHARE * glyph_count:
        raise InputError(path, "PDF text cannot be decoded (its fonts have no Unicode mapping)")
    return PdfText("\n".join(lines), locations, page_count, path.name, checkboxes)


__all__ = ["LineLocation", "PdfText", "read_pdf"]
