"""`assessments` lists each assessment once, however many graphs repeat a concept's label."""

from __future__ import annotations

import random
from pathlib import Path

from pia_graph.query import run_query
from pia_graph.rdf import record_to_graph
from pia_graph.store import Store
from pia_graph.synth import random_record


def test_one_row_per_assessment(tmp_path: Path) -> None:
    with Store(tmp_path / "store") as store:
        for index in range(30):
            iri, graph = record_to_graph(random_record(random.Random(index), index))
            store.replace_graph(iri, graph)
        _columns, rows = run_query(store, "assessments", {})
        names = [str(row["assessment"]) for row in rows]
        assert len(names) == len(set(names)) == len(store.assessment_graphs())
