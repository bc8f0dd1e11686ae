"""Pipeline stage: store. The embedded pyoxigraph store, ingest, and the source picker."""

from __future__ import annotations

from pathlib import Path

from pia_graph.errors import StoreError
from pia_graph.store.base import SparqlSource
from pia_graph.store.oxigraph_store import DEFAULT_STORE_DIR, DUMP_FORMATS, Store


def open_source(store: Path | str | None = None, endpoint: str | None = None, *,
                allow_update: bool = False) -> SparqlSource:
    """The SPARQL source a command reads: a remote endpoint when given, else the embedded store.

    Reading commands never create a store: a missing directory is an error, not an empty result.
    The embedded store is opened read-only (several readers at once) unless ``allow_update``.
    """
    if endpoint:
        if store is not None:
            raise StoreError("give either --store or --endpoint, not both")
        from pia_graph.store.remote import RemoteEndpoint  # written by the remote-endpoint stage

        return RemoteEndpoint(endpoint)
    path = Path(store) if store is not None else DEFAULT_STORE_DIR
    if not path.exists():
        raise StoreError(f"{path}: no store here (build one with `pia-graph build PATH... --store {path}`)")
    # readers share the store; only a caller that may change it takes the writer's lock
    return Store(path, allow_update=allow_update, read_only=not allow_update)


__all__ = ["DEFAULT_STORE_DIR", "DUMP_FORMATS", "SparqlSource", "Store", "StoreError", "open_source"]
