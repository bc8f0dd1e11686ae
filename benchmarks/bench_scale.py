#!/usr/bin/env python3
"""National-scale benchmark: ingest N synthetic assessments end to end, then time the auditor questions.

    python benchmarks/bench_scale.py --sizes 1000,10000,50000 [--jobs 2] [--baseline-max 2000]

For each size, in a fresh process (so peak memory is per size):
  1. ingest N rendered texts with pia_graph.store.ingest (extraction + RDF in worker processes,
     atomic per-graph load into the persistent pyoxigraph store): documents/s, triples/s;
  2. store size on disk; peak RSS of the main process and of the largest worker
     (resource.getrusage RUSAGE_SELF / RUSAGE_CHILDREN);
  3. where the time goes: each stage timed alone on a sample, in one process (one core);
  4. latency of `trace --to 日本年金機構` and other auditor queries on the full store;
  5. optional: push the store to a local `oxigraph serve` over the Graph Store Protocol.
Then a baseline in another process: plain rdflib (in-memory Dataset, rdflib's SPARQL engine) on
the same assessments — on the first --baseline-max graphs when N is larger, and the embedded store
is timed on that same subset so each ratio compares like with like. Each query runs in a forked
child with a time limit, so a query that does not finish is reported as such, not waited for.

The corpus (benchmarks/generate_corpus.py, deterministic: a corpus of 1,000 is the prefix of one
of 50,000) is generated once into --corpus. Results: a table on stdout, JSON and Markdown in --out.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
PENSION = "日本年金機構"
# (label, named query, params); trace is measured separately
AUDITOR_QUERIES: list[tuple[str, str, dict[str, str]]] = [
    ("files-to-recipient 日本年金機構", "files-to-recipient", {"recipient": PENSION}),
    ("vendor-concentration", "vendor-concentration", {}),
    ("risky-methods", "risky-methods", {}),
    ("laws-cited", "laws-cited", {}),
]


# --- corpus ----------------------------------------------------------------------------------------
def corpus_files(corpus: Path, count: int, seed: int) -> list[Path]:
    """The first ``count`` rendered texts of the corpus, generating it if it is short."""
    existing = sorted(corpus.glob("*.txt")) if corpus.is_dir() else []
    if len(existing) < count:
        from generate_corpus import generate

        print(f"generating {count} documents into {corpus} …", file=sys.stderr)
        generate(count, corpus, seed, "txt", clean=False)
        existing = sorted(corpus.glob("*.txt"))
    return existing[:count]


def disk_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return found


def descendants(pid: int | None = None) -> list[int]:
    """Every live process below this one (ingest workers may be grandchildren via a forkserver)."""
    pending, found = _children(pid or os.getpid()), []
    while pending:
        child = pending.pop()
        found.append(child)
        pending += _children(child)
    return found


def _stat_cpu(pid: int) -> float:
    """utime + stime + cutime + cstime of a live process (its reaped children included), seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and every process below it, live or reaped."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    return total + sum(_stat_cpu(pid) for pid in descendants())


class ChildMemorySampler:
    """Samples the resident memory of every process below this one (the ingest workers) from /proc."""

    def __init__(self, interval: float = 0.5) -> None:
        import threading

        self.interval = interval
        self.peak_one = 0.0
        self.peak_sum = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rss_mb(pid: int) -> float:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            sizes = [self._rss_mb(pid) for pid in descendants()]
            if sizes:
                self.peak_one = max(self.peak_one, max(sizes))
                self.peak_sum = max(self.peak_sum, sum(sizes))

    def __enter__(self) -> ChildMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of this process and of its largest (reaped) child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


# --- timing queries with a hard limit -----------------------------------------------------------------
def timed_in_child(open_source: Callable[[], Any], work: Callable[[Any], int], limit: float) -> dict[str, Any]:
    """Open the source and run ``work(source)`` (returns a row count) in a forked child; only the
    work is timed. The child is killed after ``limit`` seconds. The parent must not hold the
    embedded store open (the child opens it: RocksDB handles do not survive a fork)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        try:
            source = open_source()
            started = time.perf_counter()
            rows = work(source)
            sender.send({"seconds": time.perf_counter() - started, "rows": rows})
        except BaseException as error:
            sender.send({"error": f"{type(error).__name__}: {error}"[:200]})

    process = context.Process(target=child, daemon=True)
    process.start()
    outcome: dict[str, Any] = {"seconds": None, "rows": None, "timeout": limit}
    if receiver.poll(limit + 30):  # opening the store is not part of the limit
        outcome.update(receiver.recv())
        outcome.pop("timeout")
    process.join(5)
    if process.is_alive():
        process.kill()
        process.join(5)
    return outcome


def query_workloads() -> dict[str, Callable[[Any], int]]:
    from pia_graph.query import run_query, trace

    workloads: dict[str, Callable[[Any], int]] = {f"trace --to {PENSION}": lambda s: len(trace(s, PENSION))}
    for label, name, params in AUDITOR_QUERIES:
        workloads[label] = (lambda s, n=name, p=params: len(run_query(s, n, p)[1]))
    return workloads


def time_queries(open_source: Callable[[], Any], limit: float, repeat: int = 2) -> dict[str, dict[str, Any]]:
    """Each query ``repeat`` times, each in a fresh child (so the first run is cold-ish)."""
    results: dict[str, dict[str, Any]] = {}
    for label, work in query_workloads().items():
        runs = [timed_in_child(open_source, work, limit)]
        if runs[0].get("seconds") is not None:
            runs += [timed_in_child(open_source, work, limit) for _ in range(repeat - 1)]
        best = [r["seconds"] for r in runs if r.get("seconds") is not None]
        results[label] = {"seconds": min(best) if best else None, "first": runs[0].get("seconds"),
                          "rows": runs[0].get("rows"), "error": runs[0].get("error"),
                          "timeout": runs[0].get("timeout")}
    return results


def open_store(path: Path) -> Callable[[], Any]:
    def opener() -> Any:
        from pia_graph.store import Store

        return Store(path)
    return opener


# --- one size, end to end ---------------------------------------------------------------------------
def stage_profile(files: list[Path], sample: int) -> dict[str, float]:
    """Each stage of the ingest path alone on ``sample`` documents in this process: documents/s on
    one core (extraction, RDF triples, N-Triples text and flow-index rows as the workers make them,
    then the store load in ingest-sized batches)."""
    from pia_graph.extract import extract_path
    from pia_graph.rdf.mapping import record_to_triples, triples_to_ntriples
    from pia_graph.store import Store
    from pia_graph.store.flow_index import rows_from_triples
    from pia_graph.store.ingest import BATCH_DOCUMENTS

    chosen = files[:sample]
    spent = {"extract": 0.0, "rdf": 0.0, "serialise": 0.0, "index rows": 0.0, "load": 0.0}
    triples = 0
    built = []
    for path in chosen:
        tick = time.perf_counter()
        record = extract_path(path)
        spent["extract"] += time.perf_counter() - tick
        tick = time.perf_counter()
        iri, made = record_to_triples(record)
        spent["rdf"] += time.perf_counter() - tick
        tick = time.perf_counter()
        text = triples_to_ntriples(made)
        spent["serialise"] += time.perf_counter() - tick
        tick = time.perf_counter()
        rows = rows_from_triples(str(iri), ((str(s), str(p), str(o)) for s, p, o in made))
        spent["index rows"] += time.perf_counter() - tick
        triples += text.count("\n")
        built.append((str(iri), text, rows))
    with tempfile.TemporaryDirectory() as scratch, Store(Path(scratch) / "store") as store:
        tick = time.perf_counter()
        for start in range(0, len(built), BATCH_DOCUMENTS):
            batch = built[start:start + BATCH_DOCUMENTS]
            store.replace_graphs([(iri, text) for iri, text, _ in batch], [rows for _, _, rows in batch])
        spent["load"] += time.perf_counter() - tick
    rates = {f"{stage} docs/s (1 core)": len(chosen) / seconds for stage, seconds in spent.items() if seconds}
    rates["load triples/s (1 core)"] = triples / spent["load"] if spent["load"] else 0.0
    rates["sample"] = len(chosen)
    return rates


def push_benchmark(store: Any, workdir: Path) -> dict[str, Any]:
    from pia_graph.store.remote import push_graph_store

    executable = Path(sys.executable).with_name("oxigraph")
    if not executable.exists():
        return {"error": "oxigraph server not installed"}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    location = workdir / "push-target"
    shutil.rmtree(location, ignore_errors=True)
    server = subprocess.Popen([str(executable), "serve", "--location", str(location), "--bind",
                               f"127.0.0.1:{port}", "--union-default-graph"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        report = push_graph_store(store, f"http://127.0.0.1:{port}/store")
        return {"graphs": len(report.pushed), "failed": len(report.failed), "seconds": report.seconds,
                "graphs/s": len(report.pushed) / report.seconds if report.seconds else None,
                "MB/s": report.bytes_sent / 1e6 / report.seconds if report.seconds else None}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(location, ignore_errors=True)


def measure_size(args: argparse.Namespace, size: int) -> dict[str, Any]:
    from pia_graph.store import Store
    from pia_graph.store.ingest import ingest

    files = corpus_files(args.corpus, size, args.seed)
    store_dir = args.out / f"store-{size}"
    shutil.rmtree(store_dir, ignore_errors=True)
    result: dict[str, Any] = {"size": size, "jobs": args.jobs, "cpus": os.cpu_count()}
    last = [time.perf_counter()]

    def progress(path: Path, status: str, done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 10 or done == total:
            last[0] = time.perf_counter()
            print(f"  [{size}] {done}/{total} ingested ({time.perf_counter() - started:.0f} s)",
                  file=sys.stderr, flush=True)

    cpu_before = cpu_seconds()
    started = time.perf_counter()
    with ChildMemorySampler() as workers, Store(store_dir) as store:
        summary = ingest(files, store, jobs=args.jobs, progress=progress)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before
        triples = len(store)
    with open("/proc/loadavg") as handle:
        load = handle.read().split()[:3]
    result.update({
        "ingest seconds": seconds, "ingest CPU seconds": cpu, "load average": load,
        "documents": len(summary.ingested), "failed": len(summary.failed),
        "failures (first 3)": [message for _, message in summary.failed[:3]],
        "documents/s": len(summary.ingested) / seconds, "documents per CPU second": len(summary.ingested) / cpu,
        "triples": triples, "triples/s": triples / seconds,
        "store MB (closed)": disk_size(store_dir) / 1e6,
        "peak RSS main MB": peak_rss_mb()[0], "peak RSS largest worker MB": workers.peak_one,
        "peak RSS all workers MB": workers.peak_sum,
        "cpu note": "main + every descendant (workers run under a forkserver)",
    })
    result["queries"] = time_queries(open_store(store_dir), args.query_timeout)
    if size <= args.push_max:
        with Store(store_dir) as store:
            result["push (GSP to local oxigraph serve)"] = push_benchmark(store, args.out)
    result["stages"] = stage_profile(files, min(size, args.stage_sample))
    return result


# --- baseline: rdflib in memory --------------------------------------------------------------------------
class RdflibSource:
    """A SparqlSource over an in-memory rdflib Dataset (union default graph): the baseline engine."""

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset

    def select(self, sparql: str, bindings: Mapping[str, Any] | None = None,
               timeout: float | None = None) -> list[dict[str, Any]]:
        result = self.dataset.query(sparql, initBindings=dict(bindings or {}))
        return [{name: value for name, value in row.asdict().items() if value is not None} for row in result]

    def assessment_graphs(self) -> list[Any]:
        from pia_graph import vocab

        return sorted(g.identifier for g in self.dataset.graphs()
                      if (None, vocab.RDF.type, vocab.Assessment) in g and g.identifier != vocab.ONTOLOGY_GRAPH)

    def graph(self, iri: Any) -> Any:
        from rdflib import Graph

        copy = Graph()
        for triple in self.dataset.graph(iri):
            copy.add(triple)
        return copy


def measure_baseline(args: argparse.Namespace, size: int) -> dict[str, Any]:
    import pyoxigraph as ox
    from rdflib import Dataset, URIRef

    from pia_graph.store import Store

    subset = min(size, args.baseline_max)
    texts: list[tuple[str, str]] = []
    with Store(args.out / f"store-{size}") as store:
        names = store.named_graphs()
        assessment_graphs = set(store.assessment_graphs())   # once: at 50,000 graphs a per-name call never ends
        assessments = [g for g in names if g in assessment_graphs][:subset]
        others = [g for g in names if g not in assessment_graphs]
        for iri in others + assessments:
            data = store.oxigraph.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(iri)))
            texts.append((str(iri), data.decode("utf-8")))
    triples = sum(text.count("\n") for _, text in texts)
    result: dict[str, Any] = {"size": size, "subset": subset, "triples": triples}

    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    for iri, text in texts:
        dataset.graph(URIRef(iri)).parse(data=text, format="nt")
    result["rdflib load triples/s"] = triples / (time.perf_counter() - started)

    with tempfile.TemporaryDirectory() as scratch:
        with Store(Path(scratch) / "subset") as store:
            started = time.perf_counter()
            for iri, text in texts:
                store.replace_graph(iri, text)
            result["oxigraph load triples/s"] = triples / (time.perf_counter() - started)
        result["oxigraph queries (subset)"] = time_queries(open_store(Path(scratch) / "subset"),
                                                           args.query_timeout)
        # what the same triples cost through pyoxigraph's bulk loader (no per-graph transaction)
        quads = "".join(line[:-1] + f"<{iri}> .\n" for iri, text in texts for line in text.splitlines())
        started = time.perf_counter()
        ox.Store(str(Path(scratch) / "bulk")).bulk_load(quads.encode("utf-8"), ox.RdfFormat.N_QUADS)
        result["oxigraph bulk_load triples/s"] = triples / (time.perf_counter() - started)
    result["peak RSS MB (after rdflib load)"] = peak_rss_mb()[0]
    source = RdflibSource(dataset)
    result["rdflib queries (subset)"] = time_queries(lambda: source, args.baseline_timeout, repeat=1)
    return result


# --- report -------------------------------------------------------------------------------------------
def seconds_text(entry: Mapping[str, Any]) -> str:
    if entry.get("seconds") is not None:
        return f"{entry['seconds']:.3f} s ({entry['rows']} rows)"
    if entry.get("error"):
        return f"error: {entry['error'][:60]}"
    return f"> {entry['timeout']:g} s (stopped)"


def ratio_text(slow: Mapping[str, Any], fast: Mapping[str, Any]) -> str:
    if slow.get("seconds") is not None and fast.get("seconds"):
        return f"{slow['seconds'] / fast['seconds']:.1f}x"
    if slow.get("timeout") and fast.get("seconds"):
        return f"> {slow['timeout'] / fast['seconds']:.0f}x"
    if slow.get("seconds") and fast.get("timeout"):
        return f"< {slow['seconds'] / fast['timeout']:.2f}x"
    return "n/a"


def markdown(result: Mapping[str, Any], baseline: Mapping[str, Any] | None) -> str:
    lines = [f"### {result['size']:,} assessments ({result['jobs']} worker processes, {result['cpus']} CPUs)", "",
             "| measure | value |", "|---|---|"]
    lines += [
        f"| ingest end to end | {result['ingest seconds']:.0f} s for {result['documents']:,} documents "
        f"({result['failed']} failed) |",
        f"| documents/s (extraction + RDF + load), wall clock | {result['documents/s']:.1f} "
        f"(load average during the run: {' '.join(result['load average'])}) |",
        f"| documents per CPU second (all processes) | {result['documents per CPU second']:.2f} "
        f"({result['ingest CPU seconds']:.0f} CPU s) |",
        f"| triples loaded | {result['triples']:,} ({result['triples/s']:,.0f} triples/s end to end) |",
        f"| store size on disk (closed) | {result['store MB (closed)']:,.0f} MB |",
        f"| peak RSS: main process / largest other process / all other processes | {result['peak RSS main MB']:,.0f} MB / "
        f"{result['peak RSS largest worker MB']:,.0f} MB / {result['peak RSS all workers MB']:,.0f} MB |",
    ]
    stages = result.get("stages", {})
    lines.append("| stage alone, one core (sample of {}) | {} |".format(
        stages.get("sample"), ", ".join(f"{k.replace(' (1 core)', '')} {v:,.0f}" for k, v in stages.items()
                                        if k != "sample")))
    push = result.get("push (GSP to local oxigraph serve)")
    if push and "graphs/s" in push and push["graphs/s"]:
        lines.append(f"| push to `oxigraph serve` (GSP PUT per graph) | {push['graphs']:,} graphs in "
                     f"{push['seconds']:.0f} s = {push['graphs/s']:.0f} graphs/s, {push['MB/s']:.1f} MB/s |")
    lines += ["", "| query | pyoxigraph, full store | pyoxigraph, baseline subset | rdflib, baseline subset | rdflib / pyoxigraph |",
              "|---|---|---|---|---|"]
    for label, entry in result["queries"].items():
        if baseline:
            ox_subset = baseline["oxigraph queries (subset)"][label]
            rdf_subset = baseline["rdflib queries (subset)"][label]
            lines.append(f"| {label} | {seconds_text(entry)} | {seconds_text(ox_subset)} | "
                         f"{seconds_text(rdf_subset)} | {ratio_text(rdf_subset, ox_subset)} |")
        else:
            lines.append(f"| {label} | {seconds_text(entry)} | | | |")
    if baseline:
        lines += ["", f"Baseline on {baseline['subset']:,} of {result['size']:,} assessments "
                  f"({baseline['triples']:,} triples{', a subset' if baseline['subset'] < result['size'] else ''}): "
                  f"load rdflib {baseline['rdflib load triples/s']:,.0f} triples/s vs pyoxigraph "
                  f"{baseline['oxigraph load triples/s']:,.0f} triples/s "
                  f"({baseline['oxigraph load triples/s'] / baseline['rdflib load triples/s']:.1f}x) "
                  "through `Store.replace_graph` (one SPARQL Update per graph); pyoxigraph `bulk_load` of the "
                  f"same triples {baseline['oxigraph bulk_load triples/s']:,.0f} triples/s."]
    return "\n".join(lines) + "\n"


def run_child(mode: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, f"--{mode}", str(size), "--corpus", str(args.corpus), "--out",
               str(args.out), "--jobs", str(args.jobs), "--seed", str(args.seed), "--baseline-max",
               str(args.baseline_max), "--query-timeout", str(args.query_timeout), "--baseline-timeout",
               str(args.baseline_timeout), "--push-max", str(args.push_max), "--stage-sample",
               str(args.stage_sample)]
    result_file = args.out / f"{mode}-{size}.json"
    result_file.unlink(missing_ok=True)
    completed = subprocess.run(command)
    if completed.returncode != 0 or not result_file.exists():
        raise SystemExit(f"{mode} {size} failed (exit {completed.returncode})")
    return json.loads(result_file.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--corpus", type=Path, default=HERE / "out" / "corpus-scale")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="ingest worker processes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline-max", type=int, default=2000,
                        help="largest number of assessments loaded into the rdflib baseline")
    parser.add_argument("--query-timeout", type=float, default=120.0, help="seconds per pyoxigraph query")
    parser.add_argument("--baseline-timeout", type=float, default=300.0, help="seconds per rdflib query")
    parser.add_argument("--push-max", type=int, default=10000, help="push stores up to this size")
    parser.add_argument("--stage-sample", type=int, default=200, help="documents in the per-stage profile")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.measure is not None:
        (args.out / f"measure-{args.measure}.json").write_text(
            json.dumps(measure_size(args, args.measure), ensure_ascii=False, indent=1), encoding="utf-8")
        return 0
    if args.baseline is not None:
        (args.out / f"baseline-{args.baseline}.json").write_text(
            json.dumps(measure_baseline(args, args.baseline), ensure_ascii=False, indent=1), encoding="utf-8")
        return 0
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    corpus_files(args.corpus, max(sizes), args.seed)
    report = []
    for size in sizes:
        print(f"== {size} assessments", file=sys.stderr, flush=True)
        result = run_child("measure", size, args)
        baseline = None if args.no_baseline else run_child("baseline", size, args)
        text = markdown(result, baseline)
        (args.out / f"scale-{size}.md").write_text(text, encoding="utf-8")
        print(text, flush=True)
        report.append(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
