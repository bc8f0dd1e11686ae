"""A store built from the three gold records (through ingest), shared by the query tests."""

from __future__ import annotations

import copy
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pia_graph.rdf import ontology_graph, record_to_graph
from pia_graph.store import Store
from pia_graph.store.ingest import ingest


def fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="session")
def gold_records(shared_dir: Path) -> dict[str, dict[str, Any]]:
    records = {}
    for path in sorted((shared_dir / "gold").glob("*.json")):
        records[path.name] = json.loads(path.read_text(encoding="utf-8"))
    assert len(records) >= 3
    return records


@pytest.fixture(scope="module")
def gold_store(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store(tmp_path_factory.mktemp("gold") / "store")
    summary = ingest([shared_dir / "gold"], store, jobs=1)
    assert summary.ok, summary.failed
    yield store
    store.close()


@pytest.fixture
def variant_store(tmp_path: Path) -> Iterator[Store]:
    """An empty store for hand-modified copies of the gold records."""
    store = Store(tmp_path / "variants")
    store.ensure_ontology(ontology_graph())
    yield store
    store.close()


def add_record(store: Store, record: dict[str, Any]) -> str:
    iri, graph = record_to_graph(record, curated=True)
    store.replace_graph(iri, graph)
    return str(iri)


def variant(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of ``record`` with top-level keys replaced."""
    copied = copy.deepcopy(record)
    copied.update(changes)
    return copied
