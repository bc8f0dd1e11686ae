"""Fixtures for the export tests: hand-built graphs in memory, and real stores from gold/synthetic records."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from .sample_graphs import Names, sample_source

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

# names that try every trick: markup, quotes, ampersands, control characters, lone surrogates
EVIL = "<script>alert(1)</script>\"'&amp;\x00\x01\x07\x0b\x1b\ud800x\udfff]]><!--"


@pytest.fixture()
def sample():
    return sample_source()


@pytest.fixture()
def evil_names() -> Names:
    return Names(
        body1=f"架空市長{EVIL}", contractor=f"株式会社{EVIL}", contractor_alt=f"{EVIL}株式会社",
        recipient1=f"<img src=x onerror=\"window.__pwned=1\">{EVIL}", file1=f"ファイル{EVIL}",
        legal_text=f"法第1条{EVIL}", sub1=f"</script><script>window.__pwned=2</script>{EVIL}",
        law=f"{EVIL}法", department=f"部署\\n{EVIL}",
    )


@pytest.fixture()
def evil_source(evil_names: Names):
    return sample_source(evil_names)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def gold_store(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """A real Store holding the three gold records (read from ../shared, never copied)."""
    from pia_graph.rdf import record_to_graph
    from pia_graph.store import Store

    store = Store(tmp_path_factory.mktemp("gold") / "store")
    for path in sorted((shared_dir / "gold").glob("*.json")):
        iri, graph = record_to_graph(json.loads(path.read_text(encoding="utf-8")), curated=True)
        store.replace_graph(iri, graph)
    return store


def build_synthetic_store(directory: Path, count: int, seed: int = 7, extract: bool = True):
    """A real Store of ``count`` synthetic assessments; with ``extract`` each record is rendered as
    text and extracted again, so the graph carries real source spans."""
    from pia_graph.extract import extract_text
    from pia_graph.rdf import record_to_graph
    from pia_graph.store import Store
    from pia_graph.synth import random_record, render_text

    rng = random.Random(seed)
    store = Store(directory)
    for index in range(count):
        record = random_record(rng, index)
        if extract:
            record = extract_text(render_text(record, rng), record["source"])
        iri, graph = record_to_graph(record)
        store.replace_graph(iri, graph)
    return store


@pytest.fixture(scope="session")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory):
    return build_synthetic_store(tmp_path_factory.mktemp("synth") / "store", 12)
