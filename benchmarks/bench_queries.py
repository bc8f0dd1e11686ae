"""Benchmark: trace and every named query, new implementation beside the previous one.

Builds (or reuses, ``--store``) a store of N synthetic assessments straight from records
(``pia_graph.synth.random_record`` → ``pia_graph.rdf.record_to_graph`` → N-Quads → pyoxigraph
``bulk_load``; extraction is skipped, so 10,000 documents take minutes, not hours), then times

- ``trace --to 日本年金機構`` with the current ``pia_graph.query.trace`` and with the previous
  implementation kept here (``baseline_trace``: the whole flow network read into networkx);
- every ``queries/*.rq`` with its current text and, where it was rewritten for speed, with the
  previous text (``BASELINE_QUERIES``), checking that both give the same rows.

Each measurement runs in a forked child with a time limit (``--timeout``), best of ``--repeat``.

    .venv/bin/python benchmarks/bench_queries.py --assessments 1000
    .venv/bin/python benchmarks/bench_queries.py --store benchmarks/out/store-1000   # an ingested store
    .venv/bin/python benchmarks/bench_queries.py --assessments 10000 --skip-baseline trace,laws-cited

The previous implementations below are the reference of ``tests/query/test_perf_equivalence.py``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402
from rdflib.term import Identifier  # noqa: E402

from pia_graph import vocab  # noqa: E402
from pia_graph.query.trace import Hop  # noqa: E402
from pia_graph.store.base import SparqlSource  # noqa: E402

OUT = ROOT / "benchmarks" / "out"


# --- building a store from synthetic records -----------------------------------------------
def _nquads_of(indexes: tuple[int, int, int]) -> str:
    """N-Quads of the synthetic records ``start..stop`` (each record's rng seeded by its index)."""
    import pyoxigraph as ox

    from pia_graph.rdf import record_to_graph
    from pia_graph.store.oxigraph_store import to_oxigraph
    from pia_graph.synth import random_record

    seed, start, stop = indexes
    quads = []
    for index in range(start, stop):
        record = random_record(random.Random(seed * 1_000_003 + index), index)
        iri, graph = record_to_graph(record)
        name = ox.NamedNode(str(iri))
        quads.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name) for s, p, o in graph)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")


def build_synthetic_store(path: Path, count: int, *, seed: int = 7, jobs: int = 2) -> float:
    """A store of ``count`` synthetic assessments plus the ontology in ``path``; returns seconds."""
    import pyoxigraph as ox

    from pia_graph.rdf import ontology_graph
    from pia_graph.store import Store

    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f"{path.name}.nq"
    chunk = 50
    ranges = [(seed, start, min(start + chunk, count)) for start in range(0, count, chunk)]
    with staging.open("w", encoding="utf-8") as out, multiprocessing.get_context("fork").Pool(jobs) as pool:
        for done, text in enumerate(pool.imap(_nquads_of, ranges), start=1):
            out.write(text)
            if done % 20 == 0:
                print(f"  {done * chunk}/{count} records mapped ({time.perf_counter() - started:.0f} s)",
                      flush=True)
    bulk = ox.Store(str(path))
    bulk.bulk_load(path=str(staging), format=ox.RdfFormat.N_QUADS)
    bulk.flush()
    del bulk
    staging.unlink()
    with Store(path) as store:
        store.ensure_ontology(ontology_graph())
    return time.perf_counter() - started
