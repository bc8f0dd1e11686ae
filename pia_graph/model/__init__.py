"""Pipeline stage: model — a record's structure checked before it becomes RDF."""

from pia_graph.model.record import check_record, load_record, provenance_of, resolve_pointer
from pia_graph.model.types import Record

__all__ = ["Record", "check_record", "load_record", "provenance_of", "resolve_pointer"]
