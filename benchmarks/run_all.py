#!/usr/bin/env python3
"""Run every benchmark with defaults that finish in reasonable time on a 2-core machine (`make bench`).

    python benchmarks/run_all.py [--sizes 1000,10000] [--only scale|html]

Each benchmark runs in its own process with its own output; results land in benchmarks/out/.
Larger runs: `python benchmarks/bench_scale.py --sizes 1000,10000,50000` (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks(sizes: str) -> dict[str, list[str]]:
    return {
        "extract": [str(HERE / "bench_extract.py")],
        "ingest": [str(HERE / "bench_ingest.py"), "-n", "300", "--with-extraction", "--jobs", "2"],
        "queries": [str(HERE / "bench_queries.py"), "--assessments", "1000"],
        "scale": [str(HERE / "bench_scale.py"), "--sizes", sizes],
        "floor": [str(HERE / "bench_ingest_floor.py"), "--count", "1000"],
        # on the store bench_scale has just built
        "trace": [str(HERE / "bench_trace.py"), "--store", str(HERE / "out" / "store-1000")],
        "validate": [str(HERE / "bench_validate.py"), "--store", str(HERE / "out" / "store-1000"), "--graphs", "200"],
        "html": [str(HERE / "bench_html_export.py"), "--assessments", "1000"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000", help="corpus sizes for bench_scale.py")
    parser.add_argument("--only", choices=("extract", "ingest", "queries", "scale", "floor", "trace", "validate", "html"), help="run one benchmark")
    args = parser.parse_args(argv)
    failed = []
    for name, command in benchmarks(args.sizes).items():
        if args.only and name != args.only:
            continue
        if not Path(command[0]).exists():
            print(f"== {name}: {command[0]} is missing, skipped", flush=True)
            failed.append(name)
            continue
        print(f"== {name}: {' '.join(command[1:])}", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, *command]).returncode
        print(f"== {name}: exit {code} after {time.perf_counter() - started:.0f} s", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
