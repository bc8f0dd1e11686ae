#!/usr/bin/env python3
"""`validate --store` on an existing store: worker processes against one process, same run.

    python benchmarks/bench_validate.py --store benchmarks/out/store-1000 [--graphs 400] [--jobs 2]

Validates the first ``--graphs`` assessment graphs of the store (sorted by IRI) twice, each time
in a fresh Python process (``--child``): once as one process did before (``jobs=1``, the SHACL
report graph kept) and once in ``--jobs`` worker processes without the report graph (what
``validate --format text|json`` now does). Prints graphs per second, the wall-time ratio, the
peak RSS of the main process, and whether both runs gave the same findings (a digest of the JSON
report). The store is opened read-only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _peak_rss_mb() -> float:
    # VmHWM is this process's own peak; ru_maxrss would carry over from the process that forked it
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(store: Path, graphs: int, jobs: int) -> None:
    from pia_graph.store import Store
    from pia_graph.validate.source import SourceSpec, validate_source

    class FirstGraphs(Store):
        def assessment_graphs(self):  # type: ignore[no-untyped-def]
            return super().assessment_graphs()[:graphs]

    source = FirstGraphs(store, read_only=True)
    started = time.perf_counter()
    if jobs <= 1:
        report = validate_source(source)
    else:
        # the workers open the store themselves and validate the graphs their batches name
        report = validate_source(source, jobs=jobs, spec=SourceSpec(store=store), keep_graph=False)
    elapsed = time.perf_counter() - started
    source.close()
    digest = hashlib.sha256(report.to_json().encode()).hexdigest()[:12]
    print(json.dumps({"seconds": elapsed, "graphs": len(report.assessments), "counts": report.counts(),
                      "errors": len(report.errors), "digest": digest, "peak_mb": _peak_rss_mb()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--graphs", type=int, default=400)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.store, args.graphs, args.jobs)
        return
    runs = {}
    for label, jobs in (("one process (baseline)", 1), (f"{args.jobs} workers", args.jobs)):
        output = subprocess.run([sys.executable, __file__, "--child", "--store", str(args.store),
                                 "--graphs", str(args.graphs), "--jobs", str(jobs)],
                                capture_output=True, text=True, check=True).stdout
        runs[label] = json.loads(output.strip().splitlines()[-1])
    baseline = runs["one process (baseline)"]["seconds"]
    print(f"validate, first {args.graphs} assessment graphs of {args.store}")
    print(f"{'run':<24} {'seconds':>8} {'graphs/s':>9} {'ratio':>6} {'peak MB':>8}  findings")
    for label, run in runs.items():
        rate = run["graphs"] / run["seconds"] if run["seconds"] else 0.0
        print(f"{label:<24} {run['seconds']:8.1f} {rate:9.2f} {baseline / run['seconds']:6.2f} "
              f"{run['peak_mb']:8.0f}  {run['counts']} errors={run['errors']} digest={run['digest']}")
    digests = {run["digest"] for run in runs.values()}
    print("same findings" if len(digests) == 1 else "FINDINGS DIFFER")


if __name__ == "__main__":
    main()
