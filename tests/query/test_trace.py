"""trace: paths to a recipient, on the gold store and on a two-hop variant."""

from __future__ import annotations

import pytest

from pia_graph.query import trace
from pia_graph.store import Store

from .conftest import add_record, variant


def test_trace_to_pension_service_returns_the_gold_provisions(gold_store: Store, gold_records: dict) -> None:
    expected = {(r["source"], f["name"], p["recipient"], p["legal_basis"], p["timing"])
                for r in gold_records.values() for f in r["files"] for p in f["provisions"]
                if "日本年金機構" in p["recipient"]}
    assert len(expected) >= 2  # printed as 日本年金機構 and as 厚生労働大臣（日本年金機構）
    hops = trace(gold_store, "日本年金機構")
    assert {(h.source_file, h.file, h.recipient, h.legal_basis, h.timing) for h in hops} == expected
    assert all(h.hops == 1 and h.kind == "提供" for h in hops)
    by_source = {r["source"]: r for r in gold_records.values()}
    for hop in hops:
        record = by_source[hop.source_file]
        assert hop.body == record["assessment"]["organization"]
        assert hop.business == record["business_name"]
        assert hop.department == record["department"]


def test_trace_matches_any_part_of_a_label_and_nothing_else(gold_store: Store, gold_records: dict) -> None:
    assert trace(gold_store, "年金機構")
    assert trace(gold_store, "存在しない受領者") == []
    transfers = {t["recipient"] for r in gold_records.values() for f in r["files"] for t in f["transfers"]}
    recipient = sorted(transfers)[0]
    hops = trace(gold_store, recipient)
    assert {h.recipient for h in hops} == {recipient} and all(h.kind == "移転" for h in hops)


@pytest.fixture
def two_hop_store(variant_store: Store, gold_records: dict) -> tuple[Store, str, str]:
    base = next(r for r in gold_records.values()
                if any("日本年金機構" in p["recipient"] for f in r["files"] for p in f["provisions"]))
    relay_name = "中継課"
    sender = variant(base)
    sender["assessment"]["number"] = "911"
    for file in sender["files"]:
        template = file["provisions"][0] if file["provisions"] else None
        file["provisions"] = []
        file["transfers"] = [dict(template or {}, recipient=relay_name, methods=["庁内連携システム"],
                                  methods_other=None, legal_basis="条例第1条", timing="随時")]
    relay = variant(base)
    relay["assessment"]["number"] = "912"
    relay["department"] = f"試験部{relay_name}"
    for file in relay["files"]:
        file["transfers"] = []
        for provision in file["provisions"]:
            provision["methods"] = ["電子記録媒体（フラッシュメモリを除く。）"]
    return variant_store, add_record(variant_store, sender), add_record(variant_store, relay)


def test_trace_follows_a_transfer_then_a_provision(two_hop_store: tuple[Store, str, str]) -> None:
    store, sender, relay = two_hop_store
    hops = trace(store, "日本年金機構")
    paths: dict[int, list] = {}
    for hop in hops:
        paths.setdefault(hop.path, []).append(hop)
    shapes = sorted(tuple((h.assessment, h.kind) for h in path) for path in paths.values())
    assert shapes == sorted([((relay, "提供"),), ((sender, "移転"), (relay, "提供"))])
    two_hop = next(path for path in paths.values() if len(path) == 2)
    assert two_hop[0].recipient == "中継課" and two_hop[0].methods == ["庁内連携システム"]
    assert two_hop[0].legal_basis == "条例第1条"
    assert two_hop[1].methods == ["電子記録媒体（フラッシュメモリを除く。）"]


def test_trace_method_filter_applies_to_the_last_hop(two_hop_store: tuple[Store, str, str]) -> None:
    store, _, _ = two_hop_store
    assert trace(store, "日本年金機構", method="電子メール") == []
    assert len({h.path for h in trace(store, "日本年金機構", method="electronic-media")}) == 2
    assert len({h.path for h in trace(store, "日本年金機構", method="電子記録媒体")}) == 2
    assert trace(store, "日本年金機構", max_hops=1) and all(h.hops == 1 for h in trace(store, "日本年金機構", max_hops=1))


def test_trace_follows_a_provision_to_an_assessing_body(variant_store: Store, gold_records: dict) -> None:
    base = next(r for r in gold_records.values()
                if any("日本年金機構" in p["recipient"] for f in r["files"] for p in f["provisions"]))
    intermediary = "試験県知事"
    sender = variant(base)
    sender["assessment"]["number"] = "921"
    for file in sender["files"]:
        template = file["provisions"][0] if file["provisions"] else {}
        file["provisions"] = [dict(template, recipient=intermediary, methods=["専用線"])]
        file["transfers"] = []
    prefecture = variant(base)
    prefecture["assessment"]["number"] = "922"
    prefecture["assessment"]["organization"] = intermediary
    for file in prefecture["files"]:
        file["transfers"] = []
    sender_iri = add_record(variant_store, sender)
    prefecture_iri = add_record(variant_store, prefecture)
    hops = trace(variant_store, "日本年金機構")
    two_hop = [h for h in hops if h.hops == 2]
    assert [(h.assessment, h.kind, h.recipient) for h in two_hop] == [
        (sender_iri, "提供", intermediary),
        (prefecture_iri, "提供", two_hop[1].recipient),
    ]
    assert "日本年金機構" in two_hop[1].recipient and two_hop[1].body == intermediary
    # the intermediary itself is a recipient too
    assert {h.assessment for h in trace(variant_store, intermediary)} == {sender_iri}
