"""Character geometry → lines: checkbox binding, rows, segments.

Everything here works on :class:`Glyph` objects (one drawn character with its box, in points, with
``top``/``bottom`` measured from the top of the page, as pdfplumber reports them), so it can be
tested without a PDF.

Checkboxes. The published forms print a checkbox as three separately placed pieces: ``[``, the mark
(``○``, sometimes ``〇`` or ``●``; often in a larger size and not on the same baseline) and ``]``
followed by the option label. Plain text extraction cuts these apart (form-fields.md P3). Here a
``[`` is paired with the nearest ``]`` to its right on the same row with nothing but blanks and
marks between them; a mark whose centre lies inside that pair (horizontally) and within the
bracket's row (vertically) is the pair's mark. A bracket pair enclosing other text is not a
checkbox (it is a chosen value, ``[ value ]``) and stays text. A ``[`` without a partner is left
as text, so a document without usable geometry reads as plain text.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

OPEN_BRACKETS = frozenset("[［")
CLOSE_BRACKETS = frozenset("]］")
MARKS = frozenset("○〇●◯")
BLANKS = frozenset(" \u3000\t")
CHECKED = "[ ○ ]"
UNCHECKED = "[ ]"

# A gap wider than this many font sizes inside a row separates two segments (cells of a
# spreadsheet row without a border between them).
SEGMENT_GAP = 2.5
# A gap wider than this many font sizes between two glyphs of one segment is printed as a space.
SPACE_GAP = 0.3


@dataclass(frozen=True)
class Glyph:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def centre_x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def blank(self) -> bool:
        return self.text in BLANKS


@dataclass(frozen=True)
class Token:
    """A unit of a row: a glyph, or a bound checkbox (``[ ○ ]`` / ``[ ]``) standing for its pieces."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    checkbox: bool = False
    # The row position of a checkbox is its brackets' middle, not the (offset) mark's.
    anchor: float | None = None

    @property
    def middle(self) -> float:
        return self.anchor if self.anchor is not None else (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)

    @property
    def blank(self) -> bool:
        return not self.checkbox and self.text in BLANKS

    @classmethod
    def of(cls, glyph: Glyph) -> Token:
        return cls(glyph.text, glyph.x0, glyph.top, glyph.x1, glyph.bottom, glyph.size)


@dataclass(frozen=True)
class Box:
    x0: float
    top: float
    x1: float
    bottom: float

    @classmethod
    def around(cls, items: Iterable[Token | Glyph]) -> Box:
        items = list(items)
        return cls(min(i.x0 for i in items), min(i.top for i in items),
                   max(i.x1 for i in items), max(i.bottom for i in items))

    def union(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.top, other.top),
                   max(self.x1, other.x1), max(self.bottom, other.bottom))


@dataclass
class Line:
    """One output line: its text and the box of the glyphs it was built from."""

    text: str
    box: Box
    checkbox: bool = False
    label_x0: float | None = None  # where a checkbox's label starts (for wrapped labels)


def _same_row(a: Glyph, b: Glyph) -> bool:
    return abs(a.middle - b.middle) <= 0.6 * max(a.height, b.height)


def bind_checkboxes(glyphs: Sequence[Glyph]) -> list[Token]:
    """Replace each bracket pair (and its mark) by one checkbox token; other glyphs pass through."""
    used: set[int] = set()
    tokens: list[Token] = []
    opens = sorted((i for i, g in enumerate(glyphs) if g.text in OPEN_BRACKETS), key=lambda i: glyphs[i].x0)
    closes = [i for i, g in enumerate(glyphs) if g.text in CLOSE_BRACKETS]
    marks = {i for i, g in enumerate(glyphs) if g.text in MARKS}
    for open_index in opens:
        opening = glyphs[open_index]
        candidates = [i for i in closes if i not in used and glyphs[i].x0 >= opening.x1 - 0.5
                      and _same_row(opening, glyphs[i])]
        if not candidates:
            continue
        close_index = min(candidates, key=lambda i: glyphs[i].x0)
        closing = glyphs[close_index]
        band_top = opening.top - 0.75 * opening.height
        band_bottom = opening.bottom + 0.75 * opening.height
        inside = [i for i, g in enumerate(glyphs)
                  if i not in used and i not in (open_index, close_index)
                  and opening.x1 - 0.5 <= g.centre_x <= closing.x0 + 0.5
                  and band_top <= g.middle <= band_bottom]
        if any(not glyphs[i].blank and glyphs[i].text not in MARKS for i in inside):
            continue  # "[ value ]": a chosen value, not a checkbox
        inside_marks = [i for i in inside if i in marks]
        if len(inside_marks) > 1:
            continue  # two marks in one box: not a shape this reader can vouch for
        pieces = [open_index, close_index, *inside]
        used.update(pieces)
        box = Box.around(glyphs[i] for i in pieces)
        tokens.append(Token(CHECKED if inside_marks else UNCHECKED, box.x0, box.top, box.x1, box.bottom,
                            opening.size, checkbox=True, anchor=(opening.middle + closing.middle) / 2))
    tokens.extend(Token.of(g) for i, g in enumerate(glyphs) if i not in used)
    return tokens


def group_rows(tokens: Sequence[Token]) -> list[list[Token]]:
    """Cluster tokens into rows by their vertical middle; rows top to bottom, tokens left to right."""
    if not tokens:
        return []
    heights = [t.height for t in tokens if not t.blank] or [t.height for t in tokens]
    tolerance = 0.5 * statistics.median(heights)
    rows: list[list[Token]] = []
    middles: list[float] = []
    for token in sorted(tokens, key=lambda t: (t.middle, t.x0)):
        if rows and abs(token.middle - middles[-1]) <= tolerance:
            rows[-1].append(token)
            count = len(rows[-1])
            middles[-1] = middles[-1] + (token.middle - middles[-1]) / count
        else:
            rows.append([token])
            middles.append(token.middle)
    return [sorted(row, key=lambda t: t.x0) for row in rows]


def _join(tokens: Sequence[Token]) -> str:
    parts: list[str] = []
    previous: Token | None = None
    for token in tokens:
        if previous is not None and not previous.blank and not token.blank:
            if token.x0 - previous.x1 > SPACE_GAP * max(previous.size, token.size, 1.0):
                parts.append(" ")
        parts.append(token.text)
        previous = token
    return "".join(parts)


def row_lines(row: Sequence[Token]) -> list[Line]:
    """Split one row into lines: each checkbox with the label after it, other text by wide gaps.

    A chosen value printed in a wide box, ``[`` at the box's left edge and ``]`` at its right,
    stays one segment (``[ value ]``) however wide the gaps inside the brackets are.
    """
    segments: list[list[Token]] = []
    closes = [i for i, t in enumerate(row) if not t.checkbox and t.text in CLOSE_BRACKETS]
    enclosed_until = -1  # index of the "]" closing the enclosure the current token is in
    for index, token in enumerate(row):
        if token.checkbox:
            segments.append([token])
            enclosed_until = -1
            continue
        if segments and not segments[-1][-1].blank:
            last = segments[-1][-1]
            wide = token.x0 - last.x1 > SEGMENT_GAP * max(last.size, token.size, 1.0)
            wide = wide and index > enclosed_until
            if wide and not segments[-1][0].checkbox:
                segments.append([token])
                continue
            if wide and segments[-1][0].checkbox and len(segments[-1]) > 1:
                segments.append([token])
                continue
        if not segments:
            segments.append([token])
        else:
            segments[-1].append(token)
        if token.text in OPEN_BRACKETS and index > enclosed_until:
            later = [i for i in closes if i > index]
            nested_open = [i for i, t in enumerate(row) if index < i < (later[0] if later else -1)
                           and (t.checkbox or t.text in OPEN_BRACKETS)]
            if later and not nested_open:
                enclosed_until = later[0]
    lines: list[Line] = []
    for content in segments:
        if all(t.blank for t in content):
            continue
        if content[0].checkbox:
            label = _join(content[1:]).strip(" ")
            text = f"{content[0].text} {label}" if label else content[0].text
            label_start = next((t.x0 for t in content[1:] if not t.blank), None)
            lines.append(Line(text, Box.around(t for t in content if not t.blank), checkbox=True,
                              label_x0=label_start))
        else:
            text = _join(content).strip(" ")
            lines.append(Line(text, Box.around(t for t in content if not t.blank)))
    return lines


def _label_tails(row: Sequence[Token], previous: Sequence[Line]) -> dict[int, list[Token]] | None:
    """The parts of ``row`` that continue checkbox labels of the row above, by line index, or None.

    A label too long for its grid column wraps under itself (``] フラッシュメモ`` / ``リ``). A row
    without checkboxes whose every glyph lies inside the label column of a checkbox right above it
    holds such tails (one per column); any glyph outside the label columns means it is a row of
    its own (a caption, a count, the next field).
    """
    if not previous or any(t.checkbox for t in row):
        return None
    printed = [t for t in row if not t.blank]
    if not printed:
        return None
    tails: dict[int, list[Token]] = {}
    for token in printed:
        owner = None
        for index, line in enumerate(previous):
            if not line.checkbox or line.label_x0 is None:
                continue
            column_end = previous[index + 1].box.x0 if index + 1 < len(previous) else float("inf")
            # right below the label (a checked box's mark may hang lower than the label itself)
            below = (line.box.top + 0.5 * token.height < token.top
                     and token.top - line.box.bottom <= 0.8 * token.height)
            if line.label_x0 - 1 <= token.x0 < column_end and below:
                owner = index
                break
        if owner is None:
            return None
        tails.setdefault(owner, []).append(token)
    return tails


def lines_from_tokens(tokens: Sequence[Token]) -> list[Line]:
    """Rows and segments of already bound tokens (one cell or one text region)."""
    result: list[Line] = []
    previous: list[Line] = []
    for row in group_rows(tokens):
        tails = _label_tails(row, previous)
        if tails is not None:
            for index, tail in tails.items():
                line = previous[index]
                line.text += _join(tail).strip(" ")
                line.box = line.box.union(Box.around(tail))
            continue
        previous = row_lines(row)
        result.extend(previous)
    return result


def lines_of(glyphs: Sequence[Glyph]) -> list[Line]:
    """Checkbox binding, rows and segments for the glyphs of one cell (or one text region)."""
    return lines_from_tokens(bind_checkboxes(glyphs))


__all__ = ["CHECKED", "MARKS", "UNCHECKED", "Box", "Glyph", "Line", "Token", "bind_checkboxes",
           "group_rows", "lines_from_tokens", "lines_of", "row_lines"]
