"""Shared test fixtures."""

from __future__ import annotations

import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = PROJECT_ROOT.parent / "shared"
EXAMPLES_DIR = PROJECT_ROOT / "examples"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (seeds, gold records, scorer); tests that need it skip where it is absent."""
    if not (SHARED_DIR / "seeds").is_dir() or not (SHARED_DIR / "gold").is_dir():
        pytest.skip(f"../shared not present at {SHARED_DIR}: seed/gold tests need it")
    return SHARED_DIR


@pytest.fixture(scope="session")
def seed_pairs(shared_dir: Path) -> list[tuple[Path, Path]]:
    """(seed text, gold record) pairs from ../shared."""
    pairs = []
    for seed in sorted((shared_dir / "seeds").glob("*.txt")):
        gold = shared_dir / "gold" / f"{seed.name.split('_')[0]}.json"
        if gold.exists():
            pairs.append((seed, gold))
    return pairs


@pytest.fixture(scope="session")
def score_against_gold(shared_dir: Path) -> Callable[[dict, dict], Any]:
    """``score(gold, record)`` of ../shared/tools/score_extraction.py: a tally with tp, fp, missed."""
    return runpy.run_path(str(shared_dir / "tools" / "score_extraction.py"))["score"]
