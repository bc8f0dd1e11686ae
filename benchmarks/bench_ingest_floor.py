#!/usr/bin/env python3
"""How close ``ingest`` is to the cheapest possible load into the store, and what that floor
means for the 50,000-assessment target (under 10 minutes on 2 cores).

    python benchmarks/bench_ingest_floor.py [--count 2000] [--jobs 2] [--corpus DIR] [--project 50000]

On the first ``--count`` texts of the generated corpus (written by ``generate_corpus.py`` when it is
short, as ``bench_scale.py`` does), in one run:

1. the worker stage alone (extraction, RDF, N-Triples, flow-index rows: ``build_assessment``),
   serially in this process: CPU ms per document;
2. the store floor: the same graphs as one N-Quads file loaded by a single pyoxigraph
   ``bulk_load`` call into a fresh store (no transactions, no batching, no flow index, no crash
   safety): CPU ms per document and µs per quad (the loader's own threads included);
3. ``pia_graph.store.ingest`` with ``--jobs`` workers into another fresh store: wall clock and CPU
   of every process, against the floor (1 + 2) as a ratio.

The projection multiplies the floor by ``--project`` documents and divides by the cores: the
least wall clock any pipeline over this store and these graphs could take, before the cost of a
store that grows (the store floor rises with it: measure at 10,000 to see by how much).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TARGET_SECONDS = 600  # issue #5: 50,000 assessments end to end in under 10 minutes


def worker_stage(files: list[Path], nquads: Path) -> tuple[float, int]:
    """CPU seconds of ``build_assessment`` over ``files`` (this process) and the quads written."""
    from pia_graph.store.ingest import build_assessment, file_sha256

    hashes = [file_sha256(path) for path in files]
    quads = 0
    spent = 0.0
    with nquads.open("w", encoding="utf-8") as out:
        for path, sha in zip(files, hashes, strict=True):
            started = time.process_time()
            _, iri, ntriples, error, _ = build_assessment(str(path), sha)
            spent += time.process_time() - started
            if error is not None or ntriples is None:
                raise SystemExit(f"{path}: {error}")
            graph = f" <{iri}> .\n"
            lines = ntriples.splitlines(keepends=True)
            out.write("".join(line[:-3] + graph for line in lines))   # "… ." → "… <graph> ."
            quads += len(lines)
    return spent, quads


def store_floor(nquads: Path, directory: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one ``bulk_load`` of ``nquads`` into a fresh store."""
    import pyoxigraph as ox

    store = ox.Store(str(directory))
    wall, cpu = time.perf_counter(), time.process_time()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    del store
    return wall, cpu


def pipeline(files: list[Path], directory: Path, jobs: int) -> tuple[float, float, int]:
    """(wall, CPU of every process, failures) of ``ingest`` into a fresh store."""
    from bench_scale import cpu_seconds

    from pia_graph.store.ingest import ingest
    from pia_graph.store.oxigraph_store import Store

    wall, cpu = time.perf_counter(), cpu_seconds()
    with Store(directory) as store:
        summary = ingest(files, store, jobs=jobs)
    return time.perf_counter() - wall, cpu_seconds() - cpu, len(summary.failed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="documents measured")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="ingest worker processes")
    parser.add_argument("--cores", type=int, default=2, help="cores of the machine the target is set for")
    parser.add_argument("--project", type=int, default=50_000, help="corpus size projected")
    parser.add_argument("--corpus", type=Path, default=HERE / "out" / "corpus-scale")
    parser.add_argument("--workdir", type=Path, default=None, help="scratch directory (default: a temporary one)")
    args = parser.parse_args(argv)

    from bench_scale import corpus_files

    files = corpus_files(args.corpus, args.count, seed=0)   # generated when the corpus is short
    scratch = Path(tempfile.mkdtemp(prefix="floor-", dir=args.workdir))
    try:
        print(f"{len(files):,} documents from {args.corpus}", flush=True)
        worker_cpu, quads = worker_stage(files, scratch / "graphs.nq")
        print(f"worker stage: {worker_cpu:.1f} s CPU, {quads:,} quads", flush=True)
        load_wall, load_cpu = store_floor(scratch / "graphs.nq", scratch / "floor-store")
        print(f"one bulk_load: {load_wall:.1f} s wall, {load_cpu:.1f} s CPU", flush=True)
        ingest_wall, ingest_cpu, failed = pipeline(files, scratch / "ingest-store", args.jobs)
        print(f"ingest: {ingest_wall:.1f} s wall, {ingest_cpu:.1f} s CPU, {failed} failed", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    count = len(files)
    floor_ms = (worker_cpu + load_cpu) / count * 1000
    rows: list[tuple[str, Any]] = [
        ("quads per document", f"{quads / count:,.0f}"),
        ("worker stage, CPU ms/document", f"{worker_cpu / count * 1000:.1f}"),
        ("store floor (one bulk_load), CPU ms/document", f"{load_cpu / count * 1000:.1f}"),
        ("store floor, CPU µs/quad", f"{load_cpu / quads * 1e6:.1f}"),
        ("floor (worker + store), CPU ms/document", f"{floor_ms:.1f}"),
        (f"ingest --jobs {args.jobs}, CPU ms/document", f"{ingest_cpu / count * 1000:.1f}"),
        ("ingest CPU / floor CPU", f"{ingest_cpu / (worker_cpu + load_cpu):.2f}x"),
        (f"ingest, documents/s ({count:,})", f"{count / ingest_wall:.1f}"),
        (f"floor projected to {args.project:,} on {args.cores} cores", f"{floor_ms * args.project / args.cores / 1000:,.0f} s"),
        (f"CPU budget of the target ({TARGET_SECONDS} s × {args.cores} cores)",
         f"{TARGET_SECONDS * args.cores / args.project * 1000:.1f} ms/document"),
    ]
    print()
    print("| measure | value |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
