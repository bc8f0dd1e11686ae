"""The extraction core on the three seeds (read from ../shared), scored in-process against gold."""

from __future__ import annotations

import json
from pathlib import Path

from pia_graph.extract.core import extract_text


def test_seed_records_meet_the_precision_and_recall_targets(seed_pairs, score_against_gold) -> None:
    tp = fp = missed = 0
    for seed, gold_path in seed_pairs:
        record = extract_text(seed.read_text(encoding="utf-8"), seed.name)
        tally = score_against_gold(json.loads(gold_path.read_text(encoding="utf-8")), record)
        tp, fp, missed = tp + tally.tp, fp + tally.fp, missed + tally.missed
        lines = seed.read_text(encoding="utf-8").split("\n")
        for pointer, entry in record["provenance"].items():
            first, last = entry["lines"]
            assert 1 <= first <= last <= len(lines), pointer
        for entry in record["uncertain"]:
            assert set(entry) == {"path", "candidates", "reason"}
    precision = tp / (tp + fp)
    recall = tp / (tp + fp + missed)
    assert precision >= 0.98 and recall >= 0.95, (precision, recall, tp, fp, missed)


def test_no_value_comes_from_the_change_history(shared_dir: Path, seed_pairs) -> None:
    from pia_graph.extract.history import find_history_start

    for seed, _gold in seed_pairs:
        text = seed.read_text(encoding="utf-8")
        cut = find_history_start(text.split("\n"))
        record = extract_text(text, seed.name)
        for pointer, entry in record["provenance"].items():
            if pointer.startswith("/changes"):
                continue
            assert cut is None or entry["lines"][1] <= cut, pointer
