#!/usr/bin/env python3
"""Write N synthetic assessments for scale benchmarks.

    python benchmarks/generate_corpus.py N OUTDIR [--seed S] [--format txt|json] [--clean]

txt: the text in the layout of real PDF-extracted assessments (shuffled like real input unless
--clean), plus <name>.expected.json, the fair gold for that text (values the layout makes
undecidable are null); json: the records only. Deterministic for a given N-independent seed:
document i depends only on (seed, i), so a corpus of 1,000 is the prefix of a corpus of 50,000.
Prints a progress line and, at the end, documents/s.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from pia_graph.synth import random_record, render_text_with_truth


def document_rng(seed: int, index: int) -> random.Random:
    return random.Random(seed * 1_000_003 + index)


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def generate(count: int, outdir: Path, seed: int, fmt: str, clean: bool,
             progress: bool = True) -> tuple[float, float, float]:
    """Write the corpus; returns documents/s overall (wall clock), of generation alone (wall clock)
    and of generation alone in CPU time of this process (independent of other load on the host)."""
    outdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generating = 0.0
    cpu = 0.0
    step = max(1, count // 100)
    # file writes overlap with generation (the GIL is released during I/O); a bounded backlog
    # keeps memory flat on large corpora
    backlog: list[Future[None]] = []
    with ThreadPoolExecutor(max_workers=4) as pool:
        for index in range(count):
            tick, cpu_tick = time.perf_counter(), time.thread_time()
            rng = document_rng(seed, index)
            record = random_record(rng, index)
            stem = record["source"].removesuffix(".txt")
            if fmt == "json":
                files = [(outdir / f"{stem}.json", json.dumps(record, ensure_ascii=False))]
            else:
                text, truth = render_text_with_truth(record, rng, shuffle=not clean)
                files = [(outdir / f"{stem}.txt", text),
                         (outdir / f"{stem}.expected.json", json.dumps(truth, ensure_ascii=False))]
            generating += time.perf_counter() - tick
            cpu += time.thread_time() - cpu_tick
            backlog += [pool.submit(_write, path, text) for path, text in files]
            if len(backlog) > 256:
                for future in backlog:
                    future.result()
                backlog.clear()
            if progress and (index + 1) % step == 0:
                elapsed = time.perf_counter() - started
                print(f"\r{index + 1}/{count} documents, {(index + 1) / elapsed:,.0f}/s", end="",
                      file=sys.stderr, flush=True)
        for future in backlog:
            future.result()
    elapsed = time.perf_counter() - started
    if progress:
        print(file=sys.stderr)
    def rate(seconds: float) -> float:
        return count / seconds if seconds else float("inf")

    return rate(elapsed), rate(generating), rate(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("count", type=int, help="number of documents")
    parser.add_argument("outdir", type=Path, help="output directory (created if missing)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("txt", "json"), default="txt")
    parser.add_argument("--clean", action="store_true", help="clean layout: no shuffling, intact checkbox rows")
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("N must be >= 0")
    overall, generation, cpu = generate(args.count, args.outdir, args.seed, args.format, args.clean)
    print(f"wrote {args.count} documents to {args.outdir}: {overall:,.0f} documents/s overall; "
          f"generation alone {generation:,.0f} documents/s wall clock, {cpu:,.0f} documents/s CPU time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
