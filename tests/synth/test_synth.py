"""Synthetic records and their rendering: determinism, validity, layout properties, no seed text."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from pia_graph.synth import forms as F
from pia_graph.synth import random_record, render_text, render_text_with_truth
from pia_graph.synth.examples import SAMPLES, build
from pia_graph.synth.pools import BODIES, VENDORS

from .seedcheck import form_strings, overlaps, seed_windows

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLES = PROJECT / "examples"

CORE = {"source", "assessment", "business_name", "systems", "mynumber_legal_basis", "info_network_linkage",
        "info_network_legal_basis", "department", "files"}
ASSESSMENT = {"number", "title", "kind", "form_version", "organization", "published"}
FILE = {"name", "file_type", "subject_count", "record_item_count", "retention_start", "entrustment",
        "entrustments", "provision", "provisions", "transfers"}
ENTRUSTMENT = {"title", "content", "contractor", "handlers", "subcontract", "subcontract_items"}
FLOW = {"recipient", "legal_basis", "purpose", "information", "methods", "methods_other", "timing"}


def corpus(count: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    return [random_record(rng, i) for i in range(count)]


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return corpus(1500)


# --- determinism ------------------------------------------------------------------------------

def test_same_seed_same_record_and_text():
    for shuffle in (True, False):
        first = [render_text_with_truth(random_record(random.Random(s), s), random.Random(s), shuffle=shuffle)
                 for s in range(20)]
        again = [render_text_with_truth(random_record(random.Random(s), s), random.Random(s), shuffle=shuffle)
                 for s in range(20)]
        assert first == again


def test_different_seeds_differ():
    texts = {render_text(random_record(random.Random(s), s), random.Random(s)) for s in range(30)}
    assert len(texts) == 30


def test_deterministic_across_processes():
    """String hashing is salted per process: output must not depend on set or dict-of-set order."""
    code = ("import random,hashlib;from pia_graph.synth import random_record,render_text;"
            "print(hashlib.sha256(''.join(render_text(random_record(random.Random(i),i),random.Random(i))"
            " for i in range(15)).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": str(salt), "PATH": ""}).stdout for salt in (1, 2)}
    assert len(digests) == 1


# --- validity of random_record --------------------------------------------------------------------

def test_records_have_the_core_keys_and_controlled_values(records):
    for record in records:
        assert CORE <= record.keys()
        a = record["assessment"]
        assert set(a) == ASSESSMENT
        assert a["kind"] in F.KINDS
        assert a["title"].endswith("　" + a["kind"])
        assert a["number"].isdigit()
        assert a["organization"].endswith("長")
        if a["form_version"] is not None:
            assert re.fullmatch(r"(令和７年|平成30年)５月　様式[３４]", a["form_version"])
            assert a["form_version"].endswith("様式３" if a["kind"] == F.KIND_JUUTEN else "様式４")
        if a["published"]:
            published = dt.date.fromisoformat(a["published"])
            if (a["form_version"] or "").startswith("令和７年５月"):
                assert published >= dt.date(2025, 5, 1)
        assert record["info_network_linkage"] in F.O_RENKEI
        if record["info_network_linkage"] == "実施する":
            assert record["info_network_legal_basis"].startswith("番号法第19条第8号")
        else:
            assert record["info_network_legal_basis"] in (None, "―", "－")
        assert record["systems"] and all(isinstance(s, str) and s for s in record["systems"])
        assert len(set(record["systems"])) == len(record["systems"])
        assert record["mynumber_legal_basis"] and record["department"]
        assert 1 <= len(record["files"]) <= 3
        for f in record["files"]:
            check_file(f)


def check_file(f: dict) -> None:
    assert FILE <= f.keys()
    assert f["file_type"] in F.O_FTYPE
    assert f["subject_count"] in F.O_HONNIN
    assert f["record_item_count"] in F.O_KOUMOKU
    assert re.fullmatch(r"(平成|令和)(元|\d+)年\d+月(\d+日)?", f["retention_start"])
    assert f["entrustment"] in F.O_ITAKU
    assert (f["entrustment"] == "委託する") == bool(f["entrustments"])
    assert f["entrustment_count"] == (len(f["entrustments"]) or None)
    assert len(f["entrustments"]) <= 4
    for e in f["entrustments"]:
        assert ENTRUSTMENT <= e.keys()
        assert e["contractor"] in VENDORS
        assert e["handlers"] in F.O_NIN
        assert e["subcontract"] in F.O_SAIITAKU
        assert (e["subcontract_items"] is not None) == (e["subcontract"] == "再委託する")
    assert len({e["title"] for e in f["entrustments"]}) == len(f["entrustments"])
    assert len(f["provisions"]) <= 5
    expected = F.PROVISION_DONE if f["provisions"] else (F.NOT_DONE if not f["transfers"] else None)
    assert f["provision"] == expected
    for key, options in (("provisions", F.C_TEIKYO), ("transfers", F.C_ITEN)):
        recipients = [flow["recipient"] for flow in f[key]]
        assert len(set(recipients)) == len(recipients)
        for flow in f[key]:
            assert FLOW <= flow.keys()
            assert flow["methods"] and set(flow["methods"]) <= set(options)
            assert (flow["methods_other"] is not None) == (F.OTHER in flow["methods"])
            assert flow["legal_basis"] and flow["purpose"] and flow["information"] and flow["timing"]


def test_records_are_json_ready(records):
    for record in records[:50]:
        assert json.loads(json.dumps(record, ensure_ascii=False)) == record


def test_variety(records):
    kinds = Counter(r["assessment"]["kind"] for r in records)
    assert set(kinds) == set(F.KINDS)
    versions = {(r["assessment"]["kind"], r["assessment"]["form_version"]) for r in records}
    assert len(versions) == 6  # three per kind, including no tag
    assert len({r["assessment"]["organization"] for r in records}) > 900
    assert len({r["domain"] for r in records}) >= 8
    provisions = Counter(len(f["provisions"]) for r in records for f in r["files"])
    assert set(provisions) == {0, 1, 2, 3, 4, 5}
    entrustments = Counter(len(f["entrustments"]) for r in records for f in r["files"])
    assert set(entrustments) == {0, 1, 2, 3, 4}
    recipients = {p["recipient"] for r in records for f in r["files"] for p in f["provisions"]}
    assert {"厚生労働大臣（日本年金機構）", "日本年金機構", "都道府県知事", "市町村長", "全国健康保険協会",
            "税務署長", "地方公共団体情報システム機構"} <= recipients
    methods = {m for r in records for f in r["files"] for p in f["provisions"] for m in p["methods"]}
    assert methods == set(F.C_TEIKYO)
    subs = Counter(e["subcontract"] for r in records for f in r["files"] for e in f["entrustments"])
    assert subs["再委託する"] > 100 and subs["再委託しない"] > 100


def test_pools():
    assert len(BODIES) == 1700 and len({b.head for b in BODIES}) == 1700
    assert len(VENDORS) == 200 and len(set(VENDORS)) == 200
    assert any("　" in v for v in VENDORS) and any("支社" in v for v in VENDORS)
    assert any(v.startswith("株式会社") and "　" not in v for v in VENDORS)


def test_kind_can_be_forced():
    rng = random.Random(5)
    assert {random_record(rng, i, kind=F.KIND_ZENKOUMOKU)["assessment"]["kind"] for i in range(20)} == {
        F.KIND_ZENKOUMOKU}
    with pytest.raises(ValueError):
        random_record(rng, 0, kind="基礎項目評価書")


# --- rendered text ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(records) -> list[tuple[dict, str, dict, bool]]:
    out = []
    for i, record in enumerate(records[:200]):
        shuffle = i % 2 == 0
        text, truth = render_text_with_truth(record, random.Random(i), shuffle=shuffle)
        out.append((record, text, truth, shuffle))
    return out


def test_pages_are_separated_by_exactly_three_blank_lines(rendered):
    for _, text, _, _ in rendered:
        body = text.strip("\n")
        assert "\n\n\n\n\n" not in body
        pages = body.split("\n\n\n\n")
        assert len(pages) >= 10
        for page in pages:
            assert page.strip() and "\n\n\n" not in page
            assert not page.startswith("\n") and not page.endswith("\n")


def test_label_lines_start_with_exactly_one_space(rendered):
    for _, text, _, _ in rendered:
        for line in text.splitlines():
            if line.startswith(" "):
                assert not line.startswith("  "), line
                assert line.strip(), line


def test_cover_and_sections(rendered):
    for record, text, _, _ in rendered:
        a = record["assessment"]
        assert F.COVER_TITLES[a["kind"]] in text
        assert a["organization"] in text
        if a["form_version"]:
            assert f"[{a['form_version']}]" in text
        assert F.HISTORY_TITLES[a["kind"]] in text
        assert "変更前の記載" in text
        # the change history starts on a page of its own, after every body page
        pages = text.strip("\n").split("\n\n\n\n")
        first_history = next(i for i, p in enumerate(pages) if "変更前の記載" in p)
        assert all("変更前の記載" in p or "提出時期" in p for p in pages[first_history:])
        for i, system in enumerate(record["systems"], 1):
            assert f" ①システムの名称 {system}" in text
            assert i == 1 or f" システム{i}" in text


def test_clean_layout_keeps_values_with_labels(rendered):
    for record, text, truth, shuffle in rendered:
        if shuffle:
            continue
        assert truth["uncertain"] == []
        assert f" ①部署 {record['department']}" in text
        assert f" ①実施の有無 [ {record['info_network_linkage']} ]" in text
        for f in record["files"]:
            assert f" ②対象となる本人の数 [ {f['subject_count']} ]" in text
            for i, e in enumerate(f["entrustments"], 1):
                assert f" 委託事項{i} {e['title']}" in text
                assert f"{e['contractor']}" in text
            for i, p in enumerate(f["provisions"], 1):
                assert f"{p['recipient']} 提供先{i}" in text
                for method in p["methods"]:
                    text_of = f"その他 （ {p['methods_other']} ）" if method == F.OTHER else method
                    assert f"[ ○ ] {text_of}" in text
            for i, t in enumerate(f["transfers"], 1):
                assert f" 移転先{i} {t['recipient']}" in text


def test_shuffled_layout_has_the_real_pitfalls(rendered):
    shuffled = [text for _, text, _, shuffle in rendered if shuffle]
    lines = Counter(line for text in shuffled for line in text.splitlines())
    assert lines["[ ○"] > 50 and lines["["] > 50 and lines["]"] > 50          # bare marks (P3)
    assert any(line.endswith(" [ ○") and line.startswith("[ ") for line in lines)  # a neighbour's mark
    assert any(line.startswith("] ") for line in lines)                           # labels without a mark
    assert any(re.match(r"^\S.* ⑦時期・頻度$", line) for line in lines)          # value before label (P1)
    assert any(re.search(r"\n1[)）] [^\n]+\n＜選択肢＞\n", text) for text in shuffled)  # list upside down
    assert any(lines[option] for option in F.O_HONNIN)                             # bare chosen value (P4)
    assert any(re.match(r"^\d） .+ \d） ", line) for line in lines)               # glued options (P4)


def test_truth_nulls_exactly_the_undecidable_methods(rendered):
    seen_null = seen_kept = 0
    for record, text, truth, shuffle in rendered:
        uncertain = {u["path"]: u for u in truth["uncertain"]}
        for fi, (f, tf) in enumerate(zip(record["files"], truth["files"], strict=True)):
            for key in ("provisions", "transfers"):
                for i, (flow, tflow) in enumerate(zip(f[key], tf[key], strict=True)):
                    path = f"/files/{fi}/{key}/{i}/methods"
                    if tflow["methods"] is None:
                        seen_null += 1
                        assert shuffle and path in uncertain
                        assert uncertain[path]["hidden"] == flow["methods"]
                        assert uncertain[path]["candidates"]
                        assert tflow["methods_other"] is None
                    else:
                        seen_kept += 1
                        assert tflow["methods"] == flow["methods"] and path not in uncertain
                        for method in flow["methods"]:
                            printed = method if method != F.OTHER else "その他"
                            assert f"[ ○ ] {printed}" in text or f"[ ○] {printed}" in text
        # apart from abstentions, the truth is the record
        stripped = json.loads(json.dumps(truth))
        stripped.pop("uncertain")
        for u in truth["uncertain"]:
            parts = u["path"].strip("/").split("/")
            target_truth, target_record = stripped, record
            for part in parts[:-1]:
                key = int(part) if part.isdigit() else part
                target_truth, target_record = target_truth[key], target_record[key]
            target_truth[parts[-1]] = target_record[parts[-1]]
            if parts[-1] == "methods":
                target_truth["methods_other"] = target_record["methods_other"]
            if parts[-1] == "acquisition_methods":
                target_truth["acquisition_methods_other"] = target_record["acquisition_methods_other"]
        assert stripped == record
    assert seen_null > 20 and seen_kept > 20


def test_long_values_wrap_without_leading_spaces(rendered):
    wrapped = 0
    for record, text, _, _ in rendered:
        basis = record["mynumber_legal_basis"]
        if basis not in text:
            wrapped += 1
            assert basis.replace("\n", "") in text.replace("\n", "")
    assert wrapped > 0


# --- examples -----------------------------------------------------------------------------------

@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_examples_are_reproducible(sample):
    text, truth = build(sample)
    assert (EXAMPLES / f"{sample.name}.txt").read_text(encoding="utf-8") == text
    assert json.loads((EXAMPLES / f"{sample.name}.expected.json").read_text(encoding="utf-8")) == truth


def test_examples_show_what_they_promise():
    nenkin = json.loads((EXAMPLES / "sample-kakuu-nenkin.expected.json").read_text(encoding="utf-8"))
    f = nenkin["files"][0]
    assert nenkin["assessment"]["kind"] == F.KIND_JUUTEN
    assert len(f["provisions"]) >= 2 and any("日本年金機構" in p["recipient"] for p in f["provisions"])
    assert f["transfers"] and any(e["subcontract"] == "再委託する" for e in f["entrustments"])
    full = json.loads((EXAMPLES / "sample-kakuu-zenkoumoku.expected.json").read_text(encoding="utf-8"))
    assert full["assessment"]["kind"] == F.KIND_ZENKOUMOKU and len(full["files"][0]["entrustments"]) >= 3
    shuffled = (EXAMPLES / "sample-kakuu-nenkin.txt").read_text(encoding="utf-8")
    assert "\n[ ○\n" in shuffled


def test_no_seed_text_in_examples_or_rendered_documents(shared_dir):
    windows = seed_windows(shared_dir / "seeds")
    labels = form_strings()
    found: dict[str, list[str]] = {}
    for path in sorted(EXAMPLES.glob("*.txt")):
        hits = overlaps(path.read_text(encoding="utf-8"), windows, labels)
        if hits:
            found[path.name] = hits[:5]
    for i in range(60):
        rng = random.Random(1000 + i)
        hits = overlaps(render_text(random_record(rng, i), rng, shuffle=i % 2 == 0), windows, labels)
        if hits:
            found[f"rendered {i}"] = hits[:5]
    assert found == {}


def test_seed_check_detects_copied_text(shared_dir):
    """The overlap check itself must fire on copied values (it is not vacuous)."""
    seed = sorted((shared_dir / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
    value_lines = [line for line in seed.splitlines() if len(line) >= 30 and not line.startswith(" ")]
    assert overlaps("\n".join(value_lines[:20]), seed_windows(shared_dir / "seeds"), form_strings())


def test_first_provision_and_transfer_share_a_page_and_shared_labels_are_abstained():
    checked = shared = 0
    for i in range(400):
        rng = random.Random(i)
        record = random_record(rng, i)
        for shuffle in (True, False):
            text, truth = render_text_with_truth(record, random.Random(i), shuffle=shuffle)
            pages = text.split("\n\n\n\n")
            for fi, f in enumerate(record["files"]):
                # one file only: the page search below must not find another file's 提供先1
                if len(record["files"]) > 1 or not (f["provisions"] and f["transfers"]):
                    continue
                checked += 1
                p0, t0 = f["provisions"][0], f["transfers"][0]
                together = any(f"{p0['recipient']} 提供先1" in page and f" 移転先1 {t0['recipient']}" in page
                               for page in pages)
                shared += together
                for key in ("legal_basis", "timing"):
                    got = (truth["files"][fi]["provisions"][0][key], truth["files"][fi]["transfers"][0][key])
                    if shuffle and together and p0[key] != t0[key]:
                        assert got == (None, None)
                    else:
                        assert got == (p0[key], t0[key])
    assert checked > 30 and 0.4 * checked < shared < 0.8 * checked


def test_change_history_holds_old_values_and_fair_dates(rendered):
    rows_seen = dates_nulled = 0
    for record, text, truth, shuffle in rendered:
        pages = text.split("\n\n\n\n")
        first = next(i for i, page in enumerate(pages) if "変更前の記載" in page)
        history = "\n\n\n\n".join(pages[first:])
        for number, row in enumerate(record["changes"]):
            rows_seen += 1
            assert row["before"] != row["after"]
            assert f"{row['before']} {row['after']} {row['timing']}" in history
            assert row["date_printed"] in history
            if truth["changes"][number]["date"] is None:
                dates_nulled += 1
                assert shuffle
                # printed apart: the date is not the block just before its row's 項目 cell
                assert f"/changes/{number}/date" in {u["path"] for u in truth["uncertain"]}
            else:
                assert truth["changes"][number]["date"] == row["date"]
                item_head = row["item"][:14]
                assert f"{row['date_printed']}\n\n{item_head}" in history
    assert rows_seen > 100 and dates_nulled > 10


# --- corpus generator ---------------------------------------------------------------------------

def run_generator(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "benchmarks" / "generate_corpus.py"), *args],
                          capture_output=True, text=True, check=True, timeout=300)


def test_generate_corpus_is_deterministic_and_prefix_stable(tmp_path):
    run_generator("6", str(tmp_path / "a"), "--seed", "4")
    run_generator("3", str(tmp_path / "b"), "--seed", "4")
    done = run_generator("6", str(tmp_path / "c"), "--seed", "5")
    assert "documents/s" in done.stdout
    a = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(a) == 12 and all(n.startswith("synthetic-") for n in a)
    for name in sorted(p.name for p in (tmp_path / "b").iterdir()):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / a[0]).read_bytes() != (tmp_path / "c" / a[0]).read_bytes()
    truth = json.loads((tmp_path / "a" / "synthetic-000000.expected.json").read_text(encoding="utf-8"))
    assert truth["source"] == "synthetic-000000.txt" and "uncertain" in truth


def test_generate_corpus_records_and_clean_layout(tmp_path):
    run_generator("4", str(tmp_path / "j"), "--format", "json")
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((tmp_path / "j").glob("*.json"))]
    assert len(records) == 4 and all(CORE <= r.keys() for r in records)
    run_generator("4", str(tmp_path / "t"), "--clean")
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((tmp_path / "t").glob("*.expected.json"))]
    assert all(t["uncertain"] == [] for t in truths)
