"""Page and box for provenance entries of a record read from a PDF."""

from __future__ import annotations

from typing import Any

from pia_graph.extract.pdf.reader import LineLocation, PdfText


def span_location(pdf: PdfText, first: int, last: int) -> tuple[int, list[float]] | None:
    """(page, [x0, top, x1, bottom]) of the 1-based line span ``first..last``, or None.

    A span that crosses a page break is located on the page of its first printed line; the box
    is the union of that page's lines in the span.
    """
    located = [loc for loc in pdf.locations[max(first, 1) - 1:max(last, first)] if loc is not None]
    if not located:
        return None
    page = located[0].page
    on_page = [loc for loc in located if loc.page == page]
    box = LineLocation(page, min(loc.x0 for loc in on_page), min(loc.top for loc in on_page),
                       max(loc.x1 for loc in on_page), max(loc.bottom for loc in on_page))
    return page, box.bbox()


def _annotate(entry: Any, pdf: PdfText) -> None:
    if not isinstance(entry, dict):
        return
    lines = entry.get("lines")
    if (isinstance(lines, list) and len(lines) == 2 and all(isinstance(n, int) for n in lines)):
        where = span_location(pdf, lines[0], lines[1])
        if where is not None:
            entry["page"], entry["bbox"] = where


def annotate_provenance(record: dict, pdf: PdfText) -> None:
    """Add ``page`` and ``bbox`` to every provenance entry (and located ``uncertain`` entry) in place.

    Entries whose lines have no location (blank lines only) are left as they are.
    """
    provenance = record.get("provenance")
    if isinstance(provenance, dict):
        for entry in provenance.values():
            _annotate(entry, pdf)
    for item in record.get("uncertain") or []:
        _annotate(item, pdf)


__all__ = ["annotate_provenance", "span_location"]
