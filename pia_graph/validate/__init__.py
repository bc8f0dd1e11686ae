"""Pipeline stage: validate — SHACL reports with Japanese/English messages and source lines."""

from pia_graph.validate.report import Report, Result
from pia_graph.validate.shacl import validate_graph
from pia_graph.validate.source import validate_source

__all__ = ["Report", "Result", "validate_graph", "validate_source"]
