"""Benchmark: the HTML flow viewer on a store of synthetic assessments, against baselines in the same run.

Builds (or reuses) a store of N/10 synthetic assessments through the real pipeline
(pia_graph.synth.random_record → render_text → the extractor → record_to_graph → Store, via
pia_graph.store.ingest; about 1 s per document on a loaded 2-core machine), and a store of N as 10
renamed copies of it (fresh per-assessment IRIs and document names, shared bodies/contractors/
recipients/laws), then for each store measures:
- flow_graph: the SELECTs and the networkx build;
- HTML export (layout + JSON + write) and its file size; GraphML export of the same graph as a baseline;
- in headless Chromium: time to first render (navigation start → first frame drawn, from the page's
  own performance clock) and interaction latency (search, method filter, zoom — each followed by a
  full redraw; median of several runs).
Figures are printed with ratios: large vs small store, and HTML vs GraphML export time.

    .venv/bin/python benchmarks/bench_html_export.py [--assessments 5000] [--jobs 2] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pia_graph.export.flowgraph import flow_graph  # noqa: E402
from pia_graph.export.writers import export  # noqa: E402
from pia_graph.store import Store  # noqa: E402
from pia_graph.store.ingest import ingest  # noqa: E402
from pia_graph.synth import random_record, render_text  # noqa: E402

OUT = ROOT / "benchmarks" / "out"


def build_corpus(count: int, seed: int) -> Path:
    """``count`` synthetic assessment texts (cached between runs)."""
    corpus = OUT / f"corpus-{seed}"
    corpus.mkdir(parents=True, exist_ok=True)
    marker = corpus / f".complete-{count}"
    if marker.exists():
        return corpus
    rng = random.Random(seed)
    for index in range(count):
        record = random_record(rng, index)
        text = render_text(record, rng)
        target = corpus / record["source"]
        if not target.exists():
            target.write_text(text, encoding="utf-8")
    marker.touch()
    return corpus


def build_store(count: int, corpus: Path, jobs: int, rebuild: bool) -> tuple[Path, float, int]:
    path = OUT / f"store-{count}"
    files = sorted(corpus.glob("*.txt"))[:count]
    if rebuild and path.exists():
        import shutil

        shutil.rmtree(path)
    started = time.perf_counter()
    with Store(path) as store:
        summary = ingest(files, store, jobs=jobs)
        if summary.failed:
            print(f"  {len(summary.failed)} inputs failed, e.g. {summary.failed[0][1]}", file=sys.stderr)
        graphs = len(store.assessment_graphs())
    return path, time.perf_counter() - started, graphs


def replicate_store(small: Path, copies: int, rebuild: bool) -> tuple[Path, float, int]:
    """A store of ``copies`` × the small store's assessments: each copy gets fresh per-assessment
    IRIs (everything below ``id/assessment/``: files, flows, spans …) and its own source documents
    and file names, while shared resources (bodies, contractors, recipients, laws, systems) stay
    shared — as when several 事務 of the same bodies are assessed. The copies are written as
    N-Quads and bulk-loaded (pyoxigraph ``bulk_load``): one transaction per graph through
    ``Store.replace_graph`` took over half an hour for 5,000 graphs on a loaded 2-core machine."""
    import re

    import pyoxigraph as ox

    path = OUT / f"store-{small.name.split('-')[1]}x{copies}-bulk"
    if rebuild and path.exists():
        import shutil

        shutil.rmtree(path)
    started = time.perf_counter()
    if not path.exists():
        with Store(small) as source:
            nquads = source.dump("nquads").decode("utf-8")
        assessment = "<https://w3id.org/pia-graph/id/assessment/"
        document = "<https://w3id.org/pia-graph/id/document/"
        file_name = re.compile(r'(<https://w3id.org/pia-graph/ontology#fileName> "[^"]*)"')
        staging = OUT / f"{path.name}.nq"
        with staging.open("w", encoding="utf-8") as out:
            for copy in range(copies):
                text = nquads.replace(assessment, f"{assessment}copy{copy}/")
                text = text.replace(document, f"{document}copy{copy}-")
                out.write(file_name.sub(rf'\1 (copy {copy})"', text))
        bulk = ox.Store(str(path))
        bulk.bulk_load(path=str(staging), format=ox.RdfFormat.N_QUADS)
        bulk.flush()
        del bulk
        staging.unlink()
    with Store(path) as store:
        count = len(store.assessment_graphs())
    return path, time.perf_counter() - started, count


def browser_figures(page: Path, query: str, method: str) -> dict[str, float]:
    from tests.export.browser import chromium, severe_console_messages

    figures: dict[str, float] = {}
    with chromium() as driver:
        started = time.perf_counter()
        driver.get(page.as_uri())
        while not driver.execute_script("return !!(window.piaGraph && window.piaGraph.ready)"):
            time.sleep(0.02)
        figures["wall_to_ready_s"] = time.perf_counter() - started
        state = driver.execute_script("return JSON.parse(JSON.stringify(window.piaGraph))")
        figures["first_render_ms"] = state["readyAt"]
        figures["first_frame_draw_ms"] = state["lastRenderMs"]
        figures["drawn_nodes"] = state["drawnNodes"]
        figures["drawn_edges"] = state["drawnEdges"]

        def timed(script: str, runs: int = 5) -> tuple[float, float]:
            samples = [driver.execute_script(
                "const t0 = performance.now();" + script + "; window.piaGraph.redraw();"
                "return performance.now() - t0;") for _ in range(runs)]
            return samples[0], statistics.median(samples[1:] or samples)

        first, median = timed(f"window.piaGraph.search({query!r})")
        figures["search_first_ms"], figures["search_ms"] = first, median
        figures["search_matches"] = len(driver.execute_script("return window.piaGraph.matches"))
        driver.execute_script("window.piaGraph.fit()")
        _, figures["filter_toggle_ms"] = timed(
            f"window.piaGraph.setMethod({method!r}, false); window.piaGraph.setMethod({method!r}, true)")
        _, figures["zoom_redraw_ms"] = timed("window.piaGraph.zoom(1.5)")
        errors = severe_console_messages(driver) + state["errors"]
        if errors:
            print("  browser errors:", errors[:3], file=sys.stderr)
    return figures


def measure(store_path: Path) -> dict[str, float]:
    figures: dict[str, float] = {}
    with Store(store_path) as store:
        started = time.perf_counter()
        graph = flow_graph(store)
        figures["flow_graph_s"] = time.perf_counter() - started
    figures["nodes"] = graph.number_of_nodes()
    figures["edges"] = graph.number_of_edges()
    figures["assessments"] = len({d["assessment"] for _u, _v, d in graph.edges(data=True)})
    OUT.mkdir(parents=True, exist_ok=True)
    html = OUT / f"flows-{store_path.name}.html"
    started = time.perf_counter()
    export(graph, "html", html)
    figures["html_export_s"] = time.perf_counter() - started
    figures["html_mb"] = html.stat().st_size / 1e6
    graphml = OUT / f"flows-{store_path.name}.graphml"
    started = time.perf_counter()
    export(graph, "graphml", graphml)
    figures["graphml_export_s"] = time.perf_counter() - started
    figures["graphml_mb"] = graphml.stat().st_size / 1e6
    contractor = next(d["label"] for _n, d in graph.nodes(data=True) if d["kind"] == "contractor")
    figures.update(browser_figures(html, contractor[:6], "情報提供ネットワークシステム"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assessments", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the stores even if cached")
    parser.add_argument("--copies", type=int, default=10,
                        help="the large store is this many renamed copies of a pipeline-built store")
    parser.add_argument("--build-only", action="store_true", help="only build (or update) the stores")
    args = parser.parse_args()
    large_n, small_n = args.assessments, max(1, args.assessments // args.copies)

    print(f"corpus: {small_n} synthetic assessment texts …", flush=True)
    corpus = build_corpus(small_n, args.seed)
    small_path, seconds, graphs = build_store(small_n, corpus, args.jobs, args.rebuild)
    print(f"store-{small_n}: {graphs} assessment graphs via the full pipeline (ingest {seconds:.1f} s)", flush=True)
    large_path, seconds, graphs = replicate_store(small_path, args.copies, args.rebuild)
    print(f"{large_path.name}: {graphs} assessment graphs ({args.copies} renamed copies, bulk-loaded in {seconds:.1f} s)",
          flush=True)
    if args.build_only:
        return
    results = {small_n: measure(small_path), large_n: measure(large_path)}

    keys = ["assessments", "nodes", "edges", "flow_graph_s", "html_export_s", "graphml_export_s", "html_mb",
            "graphml_mb", "wall_to_ready_s", "first_render_ms", "first_frame_draw_ms", "drawn_nodes",
            "drawn_edges", "search_first_ms", "search_ms", "search_matches", "filter_toggle_ms", "zoom_redraw_ms"]
    small, large = results[small_n], results[large_n]
    print(f"\n{'figure':22} {small_n:>12} {large_n:>12} {'ratio':>8}")
    for key in keys:
        ratio = large[key] / small[key] if small[key] else float("nan")
        print(f"{key:22} {small[key]:12.3f} {large[key]:12.3f} {ratio:8.2f}")
    for label, figures in ((small_n, small), (large_n, large)):
        print(f"{label} assessments: HTML export / GraphML export time = "
              f"{figures['html_export_s'] / figures['graphml_export_s']:.2f}; "
              f"HTML size / GraphML size = {figures['html_mb'] / figures['graphml_mb']:.2f}")


if __name__ == "__main__":
    main()
