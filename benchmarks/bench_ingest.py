#!/usr/bin/env python3
"""Ingest throughput per stage and end to end, against the previous implementation in the same run.

    python benchmarks/bench_ingest.py [-n 300] [--jobs 2] [--with-extraction] [--sample 100]

Inputs: ``n`` synthetic records (``pia_graph.synth.random_record``, rendered with ``render_text`` and
extracted once, so they carry provenance like real extractions; cached in ``--workdir``). Without
``--with-extraction`` the ingest reads the record JSON files (the RDF and store stages only); with it,
the rendered texts (extraction included).

1. Stages alone, one process, ``--sample`` records, ms of CPU per document:
   - RDF: ``record_to_graph`` (rdflib Graph) + ``graph_to_ntriples`` (the reference) vs
     ``record_to_ntriples`` (the fast path);
   - store load: the reference (one SPARQL Update ``DROP SILENT GRAPH; INSERT DATA`` per document,
     what ``Store.replace_graph`` sent before) vs ``Store.replace_graphs`` in ingest-sized batches;
     ``rdflib.Dataset.parse`` of the same N-Quads as a plain-rdflib yardstick.
2. End to end: ``pia_graph.store.ingest`` with ``--jobs`` workers into a fresh store, in a child
   process: wall clock, CPU of the main process (RocksDB threads included) and of the workers,
   main-process RSS after 100/200/400/800/… documents, peak RSS of main and workers.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

RSS_MARKS = (100, 200, 400, 800, 1600, 3200, 6400)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def prepare(workdir: Path, count: int, seed: int) -> tuple[list[Path], list[Path]]:
    """Rendered texts and their extracted records (JSON), generated once per (count, seed)."""
    from pia_graph.extract import extract_text
    from pia_graph.synth import random_record, render_text

    texts_dir, records_dir = workdir / "texts", workdir / "records"
    texts_dir.mkdir(parents=True, exist_ok=True)
    records_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    texts, records = [], []
    started = time.time()
    for index in range(count):
        record = random_record(rng, index)
        text_path = texts_dir / f"doc{index:06d}.txt"
        record_path = records_dir / f"doc{index:06d}.json"
        text = render_text(record, rng)
        if not record_path.exists():
            text_path.write_text(text, encoding="utf-8")
            extracted = extract_text(text, text_path.name)
            record_path.write_text(json.dumps(extracted, ensure_ascii=False), encoding="utf-8")
        texts.append(text_path)
        records.append(record_path)
    print(f"corpus: {count} documents in {workdir} ({time.time() - started:.1f} s)", file=sys.stderr)
    return texts, records


def reference_replace(store: Any, iri: str, ntriples: str) -> None:
    """What ``Store.replace_graph`` did before: one SPARQL Update parsed as text by pyoxigraph."""
    import pyoxigraph as ox

    name = ox.NamedNode(iri)
    store.oxigraph.update(f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n{ntriples}\n}} }}")


def cpu() -> float:
    return time.process_time()


def stage_profile(records: list[Path], workdir: Path) -> dict[str, Any]:
    from pia_graph.model import load_record
    from pia_graph.rdf import record_to_graph
    from pia_graph.rdf.mapping import record_to_ntriples
    from pia_graph.store import Store
    from pia_graph.store.ingest import BATCH_DOCUMENTS
    from pia_graph.store.oxigraph_store import graph_to_ntriples

    loaded = [load_record(path) for path in records]
    count = len(loaded)
    shas = [f"{index:064x}" for index in range(count)]
    result: dict[str, Any] = {"sample": count}

    started = cpu()
    graphs = [record_to_graph(record, curated=True, source_sha256=sha) for record, sha in zip(loaded, shas, strict=True)]
    result["reference record_to_graph ms"] = (cpu() - started) / count * 1000
    started = cpu()
    reference_texts = [(str(iri), graph_to_ntriples(graph)) for iri, graph in graphs]
    result["reference graph_to_ntriples ms"] = (cpu() - started) / count * 1000
    result["triples per document"] = sum(len(graph) for _, graph in graphs) / count
    del graphs

    started = cpu()
    fast_texts = [record_to_ntriples(record, curated=True, source_sha256=sha) for record, sha in zip(loaded, shas, strict=True)]
    result["fast record_to_ntriples ms"] = (cpu() - started) / count * 1000
    fast_texts = [(str(iri), text) for iri, text in fast_texts]

    with Store(workdir / "stage-reference-store") as store:
        started = cpu()
        for iri, text in reference_texts:
            reference_replace(store, iri, text)
        store.oxigraph.flush()
        result["reference store load ms"] = (cpu() - started) / count * 1000
        reference_size = len(store)
    with Store(workdir / "stage-fast-store") as store:
        started = cpu()
        for first in range(0, count, BATCH_DOCUMENTS):
            store.replace_graphs(fast_texts[first:first + BATCH_DOCUMENTS])
        store.oxigraph.flush()
        result["fast store load ms"] = (cpu() - started) / count * 1000
        fast_size = len(store)
        # replacing graphs that exist (the transactional path of a re-ingest)
        started = cpu()
        for first in range(0, count, BATCH_DOCUMENTS):
            store.replace_graphs(fast_texts[first:first + BATCH_DOCUMENTS])
        result["fast store re-replace ms"] = (cpu() - started) / count * 1000
    result["quads reference / fast store"] = [reference_size, fast_size]

    from rdflib import Dataset

    nquads = "".join(text.replace(" .\n", f" <{iri}> .\n") for iri, text in fast_texts)
    dataset = Dataset()
    started = cpu()
    dataset.parse(data=nquads, format="nquads")
    result["rdflib Dataset.parse ms"] = (cpu() - started) / count * 1000
    rdf_reference = result["reference record_to_graph ms"] + result["reference graph_to_ntriples ms"]
    result["ratio RDF (reference / fast)"] = rdf_reference / result["fast record_to_ntriples ms"]
    result["ratio load (reference / fast)"] = result["reference store load ms"] / result["fast store load ms"]
    result["ratio load (rdflib parse / fast)"] = result["rdflib Dataset.parse ms"] / result["fast store load ms"]
    return result


def end_to_end(inputs: list[Path], workdir: Path, jobs: int) -> dict[str, Any]:
    """Ingest in a fresh interpreter (not a fork: RocksDB's thread pool does not survive one)."""
    listing = workdir / f"inputs-{len(inputs)}.txt"
    listing.write_text("\n".join(map(str, inputs)), encoding="utf-8")
    result_file = workdir / f"e2e-{len(inputs)}-{jobs}.json"
    import subprocess

    subprocess.run([sys.executable, __file__, "--child", str(listing), str(workdir), str(jobs), str(result_file)],
                   check=True)
    return json.loads(result_file.read_text(encoding="utf-8"))


def _ingest_child(inputs: list[Path], workdir: Path, jobs: int) -> dict[str, Any]:
    from bench_scale import ChildMemorySampler, _stat_cpu, descendants

    from pia_graph.store import Store
    from pia_graph.store.ingest import ingest

    marks: dict[int, float] = {}

    def progress(path: Path, status: str, done: int, total: int) -> None:
        if done in RSS_MARKS:
            marks[done] = round(rss_mb(), 1)

    store_dir = workdir / f"e2e-store-{len(inputs)}-{jobs}"
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.time()
    forkserver_cpu = 0.0
    with ChildMemorySampler() as sampler, Store(store_dir) as store:
        summary = ingest(inputs, store, jobs=jobs, progress=progress)
        # the fork server holds its reaped workers' CPU time; read it before the pool's server exits
        forkserver_cpu = sum(_stat_cpu(child) for child in descendants())
        quads = len(store)
    wall = time.time() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    main_cpu = (own.ru_utime + own.ru_stime) - (own_before.ru_utime + own_before.ru_stime)
    worker_cpu = forkserver_cpu + children.ru_utime + children.ru_stime
    count = len(inputs)
    return {
        "documents": count, "jobs": jobs, "ingested": len(summary.ingested), "failed": len(summary.failed),
        "failures": [message for _, message in summary.failed[:3]],
        "quads": quads, "wall s": wall, "documents/s": count / wall,
        "main CPU ms/doc": main_cpu / count * 1000, "worker CPU ms/doc": worker_cpu / count * 1000,
        "total CPU ms/doc": (main_cpu + worker_cpu) / count * 1000,
        "main RSS MB at": marks, "main peak RSS MB": own.ru_maxrss / 1024,
        "worker peak RSS MB": sampler.peak_one,
        "load average": Path("/proc/loadavg").read_text().split()[:3],
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        listing, workdir, jobs, result_file = argv[1:5]
        inputs = [Path(line) for line in Path(listing).read_text(encoding="utf-8").splitlines()]
        outcome = _ingest_child(inputs, Path(workdir), int(jobs))
        Path(result_file).write_text(json.dumps(outcome), encoding="utf-8")
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--documents", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=100, help="documents for the per-stage timing")
    parser.add_argument("--with-extraction", action="store_true", help="ingest the texts (extraction included)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None, help="corpus cache (default: a temporary directory)")
    parser.add_argument("--skip-stages", action="store_true")
    parser.add_argument("--output", type=Path, default=HERE / "out" / "ingest.json")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    corpus_dir = workdir / f"corpus-{args.seed}"
    texts, records = prepare(corpus_dir, args.documents, args.seed)
    runs = Path(tempfile.mkdtemp(prefix="runs-", dir=workdir))
    report: dict[str, Any] = {"documents": args.documents, "with extraction": args.with_extraction}
    if not args.skip_stages:
        report["stages"] = stage_profile(records[: args.sample], runs)
        print(json.dumps(report["stages"], indent=1), flush=True)
    report["end to end"] = end_to_end(texts if args.with_extraction else records, runs, args.jobs)
    print(json.dumps(report["end to end"], indent=1), flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0 if report["end to end"].get("failed") == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
