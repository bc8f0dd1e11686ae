"""Synthetic assessments: random records and their rendering in the real PDF-text layout.

`random_record(rng, index)` builds a valid record (record-schema.md core keys plus extra fields) and
`render_text(record, rng, shuffle=True)` prints it the way a PDF-to-text tool leaves a real
assessment; `render_text_with_truth` also returns the fair gold for that text (values the layout
makes undecidable set to null and listed in `uncertain`). All values are invented.
"""

from .record import random_record
from .render import render_text, render_text_with_truth

__all__ = ["random_record", "render_text", "render_text_with_truth"]
