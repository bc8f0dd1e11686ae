"""End to end: the real CLI on the three seeds, scored against the hand-checked gold records by
../shared/tools/score_extraction.py (precision ≥ 0.98, recall ≥ 0.95)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

PIA_GRAPH = Path(sys.executable).parent / "pia-graph"
MIN_PRECISION = 0.98
MIN_RECALL = 0.95
TOTAL_LINE = re.compile(
    r"^TOTAL precision=(?P<precision>[0-9.]+) recall=(?P<recall>[0-9.]+) "
    r"tp=(?P<tp>\d+) fp=(?P<fp>\d+) missed=(?P<missed>\d+) extra=(?P<extra>\d+)$",
    re.MULTILINE,
)


def test_seeds_score_against_gold(shared_dir: Path, seed_pairs: list[tuple[Path, Path]], tmp_path: Path) -> None:
    if not PIA_GRAPH.exists():
        pytest.skip(f"console script not installed at {PIA_GRAPH}")
    scorer = shared_dir / "tools" / "score_extraction.py"
    if not scorer.exists():
        pytest.skip(f"scorer not present at {scorer}")
    assert len(seed_pairs) == 3, "expected the three seeds with gold records"

    out = tmp_path / "records"
    extracted = subprocess.run(
        [str(PIA_GRAPH), "extract", *(str(seed) for seed, _ in seed_pairs), "-o", str(out)],
        capture_output=True, text=True, encoding="utf-8", timeout=600, check=False,
    )
    assert extracted.returncode == 0, extracted.stderr
    assert extracted.stderr.splitlines()[-1] == "extracted 3, failed 0"

    arguments: list[str] = []
    for seed, gold in seed_pairs:
        record = out / f"{seed.stem}.json"
        assert record.exists(), record
        arguments += [str(gold), str(record)]
    scored = subprocess.run(
        [sys.executable, str(scorer), *arguments, "--show", "50"],
        capture_output=True, text=True, encoding="utf-8", timeout=300, check=False,
    )
    assert scored.returncode == 0, scored.stdout + scored.stderr
    total = TOTAL_LINE.search(scored.stdout)
    assert total is not None, scored.stdout
    precision, recall = float(total["precision"]), float(total["recall"])
    # The whole scorer report (per-document rows, wrong and missed facts) is the failure message.
    assert precision >= MIN_PRECISION and recall >= MIN_RECALL, scored.stdout
