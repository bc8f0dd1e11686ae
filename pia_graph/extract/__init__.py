"""Pipeline stage: extract."""

from pia_graph.extract.api import extract_path
from pia_graph.extract.core import extract_text
from pia_graph.extract.decode import decode_bytes

__all__ = ["decode_bytes", "extract_path", "extract_text"]
