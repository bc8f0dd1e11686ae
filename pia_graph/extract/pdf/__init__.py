"""Read published 評価書 PDFs directly, binding checkbox marks to their labels by position.

``read_pdf(path) -> PdfText`` (``.text``: lines rebuilt from geometry; ``.locations``: one
``LineLocation(page, x0, top, x1, bottom)`` or None per line) and
``annotate_provenance(record, pdf)`` (adds ``page``/``bbox`` to provenance entries) are the
contract with :mod:`pia_graph.extract.api` (docs/architecture.md, "PDF input").
"""

from pia_graph.extract.pdf.provenance import annotate_provenance, span_location
from pia_graph.extract.pdf.reader import LineLocation, PdfText, read_pdf

__all__ = ["LineLocation", "PdfText", "annotate_provenance", "read_pdf", "span_location"]
