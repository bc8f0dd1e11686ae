"""The speed rewrites answer exactly as before: new trace and queries against the previous ones.

The previous implementations are kept in ``benchmarks/bench_queries.py`` (``baseline_trace``,
``BASELINE_QUERIES``); both run here on the same stores and must give the same rows in the same
order: the gold store, a store of synthetic assessments (``pia_graph.synth``), and a two-hop
variant (a transfer to a department that provides to 日本年金機構).
"""

from __future__ import annotations

import importlib.util
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pia_graph.query import run_query, trace
from pia_graph.rdf import ontology_graph, record_to_graph
from pia_graph.store import Store
from pia_graph.synth import random_record

from .test_trace import two_hop_store  # noqa: F401  (fixture reused: a two-hop path)

ROOT = Path(__file__).resolve().parents[2]
TRACE_TARGETS = ["日本年金機構", "年金機構", "厚生労働大臣 （日本年金機構）", "市町村長", "都道府県知事", "課",
                 "存在しない受領者"]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_queries", ROOT / "benchmarks" / "bench_queries.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_queries"] = module
    spec.loader.exec_module(module)
    return module


def synthetic_store(path: Path, count: int) -> Store:
    store = Store(path)
    store.ensure_ontology(ontology_graph())
    graphs = [record_to_graph(random_record(random.Random(1000 + index), index)) for index in range(count)]
    store.replace_graphs(graphs)
    return store


@pytest.fixture(scope="module")
def synthetic_100(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = synthetic_store(tmp_path_factory.mktemp("synthetic") / "store-100", 100)
    yield store
    store.close()


@pytest.fixture(scope="module")
def synthetic_10(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Small enough for the previous laws-cited (minutes on 100 assessments)."""
    store = synthetic_store(tmp_path_factory.mktemp("synthetic") / "store-10", 10)
    yield store
    store.close()


def hop_dicts(hops: list[Any]) -> list[dict[str, object]]:
    return [hop.as_dict() for hop in hops]


def assert_same_trace(store: Store, bench: ModuleType, to: str, **options: Any) -> int:
    new = hop_dicts(trace(store, to, **options))
    old = hop_dicts(bench.baseline_trace(store, to, **options))
    # trace lists methods in the form's option order; the previous version, in result-row order
    for hop in (*new, *old):
        hop["methods"] = sorted(hop["methods"])  # type: ignore[call-overload]
    assert new == old, f"trace --to {to} {options}"
    return len(new)


def rows_as_text(columns: list[str], rows: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    return [tuple(str(row.get(column, "")) for column in columns) for row in rows]


def order_keys(query_text: str) -> list[str]:
    """The variables of the final ORDER BY clause, in order (all of them are projected columns)."""
    clauses = re.findall(r"^ORDER BY (.+)$", query_text, re.MULTILINE)
    return re.findall(r"\?(\w+)", clauses[-1]) if clauses else []


def assert_same_query(store: Store, bench: ModuleType, tmp_path: Path, name: str, params: dict[str, str]) -> int:
    """Same columns, the same rows (with their multiplicities) and the same ORDER BY order.

    Rows that tie on every ORDER BY key have no order in SPARQL: the engine returns them in
    whatever order its join plan produced them, and a rewrite changes the plan. So the rows are
    compared as a multiset, and their order as the sequence of their ORDER BY keys, which must
    be identical row by row.
    """
    baseline = bench.baseline_query_file(name, tmp_path)
    new_columns, new_rows = run_query(store, name, params)
    old_columns, old_rows = run_query(store, str(baseline), params)
    assert new_columns == old_columns
    new_text, old_text = rows_as_text(new_columns, new_rows), rows_as_text(old_columns, old_rows)
    if new_text == old_text:
        return len(new_rows)
    assert sorted(new_text) == sorted(old_text), f"{name} {params}: different rows"
    keys = order_keys(bench.BASELINE_QUERIES[name])
    assert keys, f"{name} {params}: rows in a different order and no ORDER BY"
    assert rows_as_text(keys, new_rows) == rows_as_text(keys, old_rows), f"{name} {params}: different order"
    return len(new_rows)


def test_trace_on_the_gold_store_is_unchanged(gold_store: Store, bench: ModuleType) -> None:
    counts = {to: assert_same_trace(gold_store, bench, to) for to in TRACE_TARGETS}
    assert counts["日本年金機構"] >= 2 and counts["存在しない受領者"] == 0
    assert_same_trace(gold_store, bench, "日本年金機構", method="電子記録媒体")


def test_trace_on_synthetic_assessments_is_unchanged(synthetic_100: Store, bench: ModuleType) -> None:
    counts = {to: assert_same_trace(synthetic_100, bench, to) for to in TRACE_TARGETS}
    assert counts["日本年金機構"] > 10 and counts["課"] > 10
    for method in ("電子メール", "paper", "情報提供ネットワークシステム"):
        assert_same_trace(synthetic_100, bench, "日本年金機構", method=method)
    assert_same_trace(synthetic_100, bench, "課", max_hops=2)


def test_trace_over_two_hops_is_unchanged(two_hop_store: tuple[Store, str, str],  # noqa: F811
                                          bench: ModuleType) -> None:
    store, _, _ = two_hop_store
    hops = trace(store, "日本年金機構")
    assert any(hop.hops == 2 for hop in hops)
    for max_hops in (1, 2, 4):
        assert_same_trace(store, bench, "日本年金機構", max_hops=max_hops)
    assert_same_trace(store, bench, "日本年金機構", method="electronic-media")
    assert_same_trace(store, bench, "中継課")


CONTRACTOR_PARAMS = [{}, {"contractor": "株式会社"}, {"contractor": "株式会社 テラノ"}, {"body": "市長"},
                     {"contractor": "株式会社", "body": "市"}, {"contractor": "存在しない"}]
METHOD_PARAMS = [{}, {"method": "電子メール"}, {"method": "paper"}, {"method": "フラッシュ"}, {"method": "存在しない"}]
VENDOR_PARAMS = [{}, {"min_bodies": "2"}, {"min_bodies": "10"}, {"min_bodies": "100000"}]
RECIPIENT_PARAMS = [{}, {"recipient": "日本年金機構"}, {"recipient": "厚生労働大臣 （日本"},
                    {"recipient": "存在しない"}]
LAW_PARAMS = [{}, {"law": "番号"}, {"law": "存在しない"}]


def test_rewritten_queries_on_the_gold_store_are_unchanged(gold_store: Store, bench: ModuleType,
                                                           tmp_path: Path) -> None:
    assert set(bench.BASELINE_QUERIES) == {"laws-cited", "table-items-cited", "files-to-recipient",
                                            "recipients-by-method", "contractors", "risky-methods",
                                            "vendor-concentration"}
    for params in RECIPIENT_PARAMS:
        assert_same_query(gold_store, bench, tmp_path, "files-to-recipient", params)
        assert_same_query(gold_store, bench, tmp_path, "recipients-by-method", params)
    for params in LAW_PARAMS:
        assert_same_query(gold_store, bench, tmp_path, "laws-cited", params)
        assert_same_query(gold_store, bench, tmp_path, "table-items-cited", params)
    for params in CONTRACTOR_PARAMS:
        assert_same_query(gold_store, bench, tmp_path, "contractors", params)
    for params in METHOD_PARAMS:
        assert_same_query(gold_store, bench, tmp_path, "risky-methods", params)
    for params in VENDOR_PARAMS:
        assert_same_query(gold_store, bench, tmp_path, "vendor-concentration", params)


def test_rewritten_queries_on_synthetic_assessments_are_unchanged(synthetic_100: Store, synthetic_10: Store,
                                                                  bench: ModuleType, tmp_path: Path) -> None:
    counts = [assert_same_query(synthetic_100, bench, tmp_path, "files-to-recipient", params)
              for params in RECIPIENT_PARAMS]
    assert counts[0] > counts[1] > 10 and counts[3] == 0
    for params in [*RECIPIENT_PARAMS, {"recipient": "課"}]:
        assert_same_query(synthetic_100, bench, tmp_path, "recipients-by-method", params)
    for params in LAW_PARAMS:
        assert assert_same_query(synthetic_10, bench, tmp_path, "laws-cited", params) or params
        assert_same_query(synthetic_10, bench, tmp_path, "table-items-cited", params)
    assert_same_query(synthetic_100, bench, tmp_path, "table-items-cited", {})
    contractor_counts = [assert_same_query(synthetic_100, bench, tmp_path, "contractors", params)
                         for params in CONTRACTOR_PARAMS]
    assert contractor_counts[0] > contractor_counts[1] > 0 and contractor_counts[-1] == 0
    method_counts = [assert_same_query(synthetic_100, bench, tmp_path, "risky-methods", params)
                     for params in METHOD_PARAMS]
    assert method_counts[0] > method_counts[1] > 0 and method_counts[-1] == 0
    vendor_counts = [assert_same_query(synthetic_100, bench, tmp_path, "vendor-concentration", params)
                     for params in VENDOR_PARAMS]
    assert vendor_counts[0] > 0 and vendor_counts[-1] == 0
