"""Pipeline stage: model — a record's structure checked before it becomes RDF."""

from pia_graph.model.record import check_record, load_record, resolve_pointer

__all__ = ["check_record", "load_record", "resolve_pointer"]
