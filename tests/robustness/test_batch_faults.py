"""A batch of 1,000 inputs with a tenth broken: every good one in, every bad one reported, nothing else."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pia_graph.store import Store

from .conftest import DAMAGE_KINDS, Corpus, make_corpus, run_cli

TOTAL = 1000
BROKEN_SHARE = 0.10


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("robust")


@pytest.fixture(scope="module")
def corpus(workdir: Path) -> Corpus:
    return make_corpus(workdir / "in", TOTAL, BROKEN_SHARE)


def _reported(stderr: str, path: Path) -> list[str]:
    return [line for line in stderr.splitlines() if str(path) in line]


def test_corpus_has_every_kind_of_damage(corpus: Corpus) -> None:
    assert len(corpus.good) + len(corpus.bad) == TOTAL
    assert set(corpus.bad.values()) == set(DAMAGE_KINDS)


def test_build_ingests_exactly_the_good_files_and_reports_each_bad_one(workdir: Path, corpus: Corpus) -> None:
    store_dir = workdir / "store"
    inputs = [str(p) for p in sorted([*corpus.good, *corpus.bad])]
    result = run_cli("build", *inputs, "--store", str(store_dir), "--jobs", "2", without_dac_override=True, timeout=1800)

    assert result.returncode == 1, result.stderr[-2000:]
    for path, kind in corpus.bad.items():
        lines = _reported(result.stderr, path)
        assert lines, f"{kind} input {path.name} was not reported"
        assert all(len(line) < 400 for line in lines), lines
    # the summary names the counts
    summary = result.stdout + result.stderr
    assert re.search(rf"\b{len(corpus.good)}\b", summary) and re.search(rf"\b{len(corpus.bad)}\b", summary), summary[-800:]

    with Store(store_dir) as store:
        rows = store.select("""
            PREFIX pia: <https://w3id.org/pia-graph/ontology#>
            SELECT ?name WHERE { ?a a pia:Assessment ; pia:sourceDocument ?d . ?d pia:fileName ?name }""")
        names = sorted(str(row["name"]) for row in rows)
        assert names == sorted(p.name for p in corpus.good)
        assert len(store.assessment_graphs()) == len(corpus.good)


def test_extract_batch_writes_exactly_the_good_records(workdir: Path, corpus: Corpus) -> None:
    sample_good = corpus.good[:40]
    sample_bad = list(corpus.bad)
    out = workdir / "records"
    out.mkdir()
    result = run_cli("extract", *map(str, sample_good + sample_bad), "-o", str(out), without_dac_override=True)

    assert result.returncode == 2
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{p.stem}.json" for p in sample_good)
    for record_file in out.iterdir():
        json.loads(record_file.read_text(encoding="utf-8"))  # complete, parseable
    for path in sample_bad:
        assert _reported(result.stderr, path), f"{corpus.bad[path]} input {path.name} was not reported"
