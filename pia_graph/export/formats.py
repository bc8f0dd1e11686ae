"""The export formats, apart from the writers: the CLI names them in its options without importing
networkx and the renderers (which every command would otherwise load at start-up)."""

from __future__ import annotations

from enum import StrEnum


class ExportFormat(StrEnum):
    graphml = "graphml"
    gexf = "gexf"
    dot = "dot"
    svg = "svg"
    png = "png"
    cytoscape = "cytoscape"
    html = "html"
    csv = "csv"
    xlsx = "xlsx"


BINARY_FORMATS = {ExportFormat.png, ExportFormat.xlsx}
SUFFIXES = {ExportFormat.cytoscape: "json"}


def suffix(fmt: ExportFormat) -> str:
    return SUFFIXES.get(fmt, fmt.value)
