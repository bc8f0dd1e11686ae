"""Queries from users: read-only by default, parameters bound not pasted, runaway queries stopped."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from pia_graph.store import Store

from .conftest import good_text, run_cli

HOSTILE_VALUES = (
    'x" } ; DROP ALL ; #',
    "x' } ; CLEAR DEFAULT ; #",
    "> } INSERT DATA { <urn:a> <urn:b> <urn:c> } #",
    "\\u0022 } DROP ALL",
)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("query-safety")
    rng = random.Random(3)
    for index in range(6):
        (root / f"doc{index}.txt").write_text(good_text(rng, index), encoding="utf-8")
    store = root / "store"
    result = run_cli("build", str(root), "--store", str(store), "--jobs", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    return store


def _quad_count(store_dir: Path) -> int:
    with Store(store_dir) as store:
        return len(store)


def test_update_is_refused_without_allow_update(store_dir: Path, tmp_path: Path) -> None:
    before = _quad_count(store_dir)
    update = tmp_path / "drop.rq"
    update.write_text("DROP ALL", encoding="utf-8")
    result = run_cli("query", str(update), "--store", str(store_dir))
    assert result.returncode == 2
    assert "update" in result.stderr.lower() and "--allow-update" in result.stderr
    assert _quad_count(store_dir) == before


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_parameter_is_just_a_string(store_dir: Path, value: str) -> None:
    before = _quad_count(store_dir)
    result = run_cli("query", "files-to-recipient", "--param", f"recipient={value}",
                     "--store", str(store_dir), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert _quad_count(store_dir) == before


def test_unknown_parameter_is_refused(store_dir: Path) -> None:
    result = run_cli("query", "files-to-recipient", "--param", "nosuch=1", "--store", str(store_dir))
    assert result.returncode == 2
    assert "nosuch" in result.stderr


def test_runaway_query_times_out(store_dir: Path, tmp_path: Path) -> None:
    runaway = tmp_path / "runaway.rq"
    runaway.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
                       encoding="utf-8")
    started = time.monotonic()
    result = run_cli("query", str(runaway), "--store", str(store_dir), "--timeout", "2", timeout=120)
    elapsed = time.monotonic() - started
    assert result.returncode == 2
    assert "time" in result.stderr.lower()
    assert elapsed < 60, f"the time-out of 2 s took {elapsed:.0f} s to act"
