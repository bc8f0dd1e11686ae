"""Pipeline stage: validate — SHACL reports with Japanese/English messages and source lines.

pySHACL takes ~0.6 s to import, so the exports load on first use: importing this package (as
every CLI start does through the validate command) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pia_graph.validate.report import Report, Result
    from pia_graph.validate.shacl import validate_graph
    from pia_graph.validate.source import validate_source

_EXPORTS = {
    "Report": "pia_graph.validate.report",
    "Result": "pia_graph.validate.report",
    "validate_graph": "pia_graph.validate.shacl",
    "validate_source": "pia_graph.validate.source",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Report", "Result", "validate_graph", "validate_source"]
