#!/usr/bin/env python3
"""Extraction speed: ms per document for synthetic documents and the seeds, against a baseline.

    python benchmarks/bench_extract.py [--docs 200] [--repeat 1]
    python benchmarks/bench_extract.py --save-reference DIR [--docs 300]
    python benchmarks/bench_extract.py --check-reference DIR [--docs 300]

The baseline measured in the same run is the plain cost of what every extraction must do anyway:
NFKC-normalising and splitting the text into lines. The ratio (extraction / baseline) is therefore
comparable across machines, while ms/doc is what the 50,000-document ingest budget is stated in.
On a busy machine, --repeat N runs the timing N times, each round from cold caches as in a single
run, and reports the fastest round of each set.

--save-reference writes the records of N synthetic documents (alternately clean and shuffled), the
seeds (../shared/seeds, when present) and examples/*.txt to DIR; --check-reference extracts the same
documents again and reports every record that is not byte-identical (exit 1). Used while optimising:
an optimisation must not change any output.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import unicodedata
from pathlib import Path

from pia_graph.extract.core import extract_text
from pia_graph.extract.layout import clear_caches
from pia_graph.synth import random_record, render_text_with_truth

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
EXAMPLES = ROOT / "examples"


def synthetic_documents(count: int, seed: int = 20260401) -> list[tuple[str, str]]:
    """(name, text) of ``count`` synthetic documents, every second one in the shuffled layout."""
    rng = random.Random(seed)
    documents = []
    for index in range(count):
        shuffle = index % 2 == 1
        record = random_record(rng, index)
        text, _truth = render_text_with_truth(record, rng, shuffle=shuffle)
        documents.append((f"synth-{index:04d}-{'shuffled' if shuffle else 'clean'}.txt", text))
    return documents


def real_documents() -> list[tuple[str, str]]:
    paths = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    paths += sorted(EXAMPLES.glob("*.txt"))
    return [(path.name, path.read_text(encoding="utf-8")) for path in paths]


def baseline(text: str) -> int:
    """The floor every extraction pays: normalise the text and split it into lines."""
    return len(unicodedata.normalize("NFKC", text).splitlines())


def time_each(documents: list[tuple[str, str]], work) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    for name, text in documents:
        work(text, name) if work is extract_text else work(text)
    return time.process_time() - start


def render(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, indent=1, sort_keys=False)


def save_reference(directory: Path, documents: list[tuple[str, str]]) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in documents:
        (directory / f"{name}.json").write_text(render(extract_text(text, name)), encoding="utf-8")
    print(f"saved {len(documents)} records to {directory}")
    return 0


def check_reference(directory: Path, documents: list[tuple[str, str]]) -> int:
    differing = []
    for name, text in documents:
        expected = (directory / f"{name}.json").read_text(encoding="utf-8")
        if render(extract_text(text, name)) != expected:
            differing.append(name)
    for name in differing[:20]:
        print(f"DIFFERS: {name}")
    print(f"checked {len(documents)} records: {len(documents) - len(differing)} identical, {len(differing)} differ")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="number of synthetic documents")
    parser.add_argument("--save-reference", type=Path, metavar="DIR")
    parser.add_argument("--check-reference", type=Path, metavar="DIR")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="time each set N times and report the fastest round")
    args = parser.parse_args(argv)

    synthetic = synthetic_documents(args.docs)
    real = real_documents()
    if args.save_reference:
        return save_reference(args.save_reference, synthetic + real)
    if args.check_reference:
        return check_reference(args.check_reference, synthetic + real)

    sets = [(label, documents) for label, documents in (("synthetic", synthetic), ("seeds+examples", real))
            if documents]
    # each round as a single run: cold caches, the catalogue loaded outside the timing, then the
    # synthetic documents followed by the seeds (which find the caches the synthetic ones left)
    spent = {label: float("inf") for label, _documents in sets}
    for _round in range(max(args.repeat, 1)):
        clear_caches()
        extract_text(*reversed(synthetic[0]))
        for label, documents in sets:
            spent[label] = min(spent[label], time_each(documents, extract_text))
    rows = []
    for label, documents in sets:
        chars = sum(len(text) for _name, text in documents) / len(documents)
        floor = min(time_each(documents, baseline) for _ in range(max(args.repeat, 1)))
        per_doc = spent[label] / len(documents) * 1000
        rows.append((label, len(documents), chars, per_doc, floor / len(documents) * 1000,
                     spent[label] / max(floor, 1e-9)))
    print(f"{'set':<16}{'docs':>6}{'chars/doc':>11}{'ms/doc':>9}{'baseline ms':>13}{'ratio':>8}")
    for label, count, chars, per_doc, floor_ms, ratio in rows:
        print(f"{label:<16}{count:>6}{chars:>11.0f}{per_doc:>9.2f}{floor_ms:>13.3f}{ratio:>8.1f}")
    synthetic_ms = rows[0][3]
    print(f"50,000 synthetic documents on 2 cores: about {synthetic_ms * 50_000 / 2 / 1000 / 60:.1f} min of extraction CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
