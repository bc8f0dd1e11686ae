#!/usr/bin/env python3
"""trace latency on an existing store, against trace as it was before its rewrite, same run.

    python benchmarks/bench_trace.py --store benchmarks/out/store-50000 [--repeat 3]
        [--case 日本年金機構] [--case 日本年金機構:電子記録媒体] [--case 子育て支援課:庁内連携システム:4]

Each case is ``to[:method[:max_hops]]``. Every run is a fresh Python process (``--child``) that
opens the store read-only and times one ``trace`` call: wall time, CPU time (``time.process_time``,
less disturbed by other work on the machine) and peak RSS (after opening the store, and at the end).
The current trace and the baseline alternate, ``--repeat`` times each; the best of each is
reported with the ratio baseline / current.

The baseline is ``pia_graph/query/trace.py`` and ``pia_graph/store/flow_index.py`` as of
``--baseline-rev`` (git; default: the commit before the rewrite), loaded under other module names,
reading the same flow index. Both runs also print a digest of their hops (every field, in order),
so the table shows whether they returned the same rows. The store is never written: it is opened
read-only and the index only read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BASELINE_REV = "18cf4f8"   # trace before the per-trace reader, the backward walk and the paused GC
DEFAULT_CASES = ("日本年金機構", "日本年金機構:電子記録媒体", "子育て支援課:庁内連携システム")
FIELDS = ("path", "hop", "hops", "assessment", "body", "department", "business", "source_file", "file", "kind",
          "recipient", "methods", "legal_basis", "timing", "lines")


def _module_from_git(name: str, rev: str, path: str) -> types.ModuleType:
    source = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:{path}"], check=True, capture_output=True,
                            text=True).stdout
    module = types.ModuleType(name)
    module.__file__ = f"{rev}:{path}"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)   # our own file, as of a git revision
    return module


def _in_git(rev: str, path: str) -> bool:
    return subprocess.run(["git", "-C", str(REPO), "cat-file", "-e", f"{rev}:{path}"], capture_output=True).returncode == 0


def _baseline_trace(rev: str, store: Any) -> Any:
    """The trace function as of ``rev``, reading this store's flow index with the reader of ``rev``
    (and the handoff tests of ``rev``, where it has them)."""
    replaced = {"pia_graph.store.flow_index": sys.modules["pia_graph.store.flow_index"]}
    if _in_git(rev, "pia_graph/store/handoffs.py"):
        replaced["pia_graph.store.handoffs"] = sys.modules["pia_graph.store.handoffs"]
        sys.modules["pia_graph.store.handoffs"] = _module_from_git("baseline_handoffs", rev,
                                                                   "pia_graph/store/handoffs.py")
    old_index = _module_from_git("baseline_flow_index", rev, "pia_graph/store/flow_index.py")
    # schema 3 added the handoffs table, which the oldest baselines do not read; the tables they
    # read are unchanged
    old_index.SCHEMA_VERSION = replaced["pia_graph.store.flow_index"].SCHEMA_VERSION
    sys.modules["pia_graph.store.flow_index"] = old_index   # what the old trace imports
    try:
        old_trace = _module_from_git("baseline_trace", rev, "pia_graph/query/trace.py")
    finally:
        sys.modules.update(replaced)
    index = old_index.FlowIndex.of_store(Path(store.path), read_only=True)
    store.fresh_flow_index = lambda: index   # the current store checked it is fresh (see child)
    return old_trace.trace


def _digest(hops: list[Any]) -> str:
    text = json.dumps([[getattr(hop, name) for name in FIELDS] for hop in hops], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def child(arguments: argparse.Namespace) -> None:
    from pia_graph.query.trace import trace
    from pia_graph.store.oxigraph_store import Store

    store = Store(arguments.store, read_only=True)
    if store.fresh_flow_index() is None:
        raise SystemExit(f"{arguments.store}: the flow index is missing or stale (run pia-graph build --reindex)")
    run = _baseline_trace(arguments.baseline_rev, store) if arguments.which == "baseline" else trace
    opened_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall, cpu = time.perf_counter(), time.process_time()
    hops = run(store, arguments.to, arguments.method or None, max_hops=arguments.max_hops)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "cpu": cpu, "hops": len(hops), "digest": _digest(hops),
                      "opened_rss_mb": opened_rss, "peak_rss_mb": peak_rss}))


def measure(arguments: argparse.Namespace, which: str, to: str, method: str, max_hops: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", which, "--store", str(arguments.store), "--to", to,
               "--method", method, "--max-hops", str(max_hops), "--baseline-rev", arguments.baseline_rev]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{which} run failed: {done.stderr.strip().splitlines()[-1:] or done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="a built store with a fresh flow index")
    parser.add_argument("--case", action="append", help="to[:method[:max_hops]] (repeatable)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-rev", default=BASELINE_REV)
    parser.add_argument("--child", choices=("current", "baseline"), dest="which", help=argparse.SUPPRESS)
    parser.add_argument("--to", help=argparse.SUPPRESS)
    parser.add_argument("--method", default="", help=argparse.SUPPRESS)
    parser.add_argument("--max-hops", type=int, default=4, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.which:
        child(arguments)
        return 0
    print(f"store {arguments.store}; baseline: trace at {arguments.baseline_rev}; best of {arguments.repeat} "
          f"fresh processes each")
    print(f"{'case':42} {'hops':>7}  {'current wall/cpu':>17}  {'baseline wall/cpu':>17}  {'ratio wall/cpu':>14}  "
          f"{'RSS MB opened→peak cur / base':>30}  same rows")
    for case in arguments.case or DEFAULT_CASES:
        to, method, max_hops = [*case.split(":", 2), "", ""][:3]
        max_hops = max_hops or "4"
        runs: dict[str, list[dict[str, Any]]] = {"current": [], "baseline": []}
        for _ in range(arguments.repeat):
            for which in runs:
                runs[which].append(measure(arguments, which, to, method, int(max_hops)))
        best = {which: (min(r["wall"] for r in found), min(r["cpu"] for r in found)) for which, found in runs.items()}
        rss = {which: f"{max(r['opened_rss_mb'] for r in found):.0f}→{max(r['peak_rss_mb'] for r in found):.0f}"
               for which, found in runs.items()}
        same = len({r["digest"] for found in runs.values() for r in found}) == 1
        current, baseline = best["current"], best["baseline"]
        print(f"{case:42} {runs['current'][0]['hops']:>7}  {current[0]:7.2f}s/{current[1]:6.2f}s  "
              f"{baseline[0]:7.2f}s/{baseline[1]:6.2f}s  {baseline[0] / current[0]:6.1f}x/{baseline[1] / current[1]:5.1f}x  "
              f"{rss['current']:>14} / {rss['baseline']:<13}  {'yes' if same else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
