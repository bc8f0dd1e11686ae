"""Record structure checks: precise JSON-Pointer messages, gold and hand-curated records accepted."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pia_graph.errors import InputError
from pia_graph.model import load_record, provenance_of, resolve_pointer

from .records import minimal_record


def test_gold_records_load(shared_dir: Path) -> None:
    for path in sorted((shared_dir / "gold").glob("*.json")):
        record = load_record(path)
        assert record["source"]


def test_dict_input_and_extra_keys_are_kept() -> None:
    record = minimal_record()
    record["notes"] = ["hand-edited"]
    record["files"][0]["sources"] = ["本人又は本人の代理人"]
    assert load_record(record)["notes"] == ["hand-edited"]


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda r: r.pop("business_name"), "/business_name: missing key"),
    (lambda r: r.__setitem__("systems", "架空システム"), "/systems: expected a list of strings"),
    (lambda r: r["systems"].append(3), "/systems: expected a list of strings"),
    (lambda r: r["assessment"].__setitem__("published", "令和7年4月1日"), "/assessment/published: expected an ISO date"),
    (lambda r: r.__setitem__("assessment", []), "/assessment: expected an object"),
    (lambda r: r["files"][0]["provisions"][0].__setitem__("methods", "紙"),
     "/files/0/provisions/0/methods: expected a list of strings or null"),
    (lambda r: r["files"][0].__setitem__("entrustments", {}), "/files/0/entrustments: expected a list of objects"),
    (lambda r: r["files"][0]["provisions"].append("x"), "/files/0/provisions/1: expected an object"),
    (lambda r: r.__setitem__("provenance", {"/business_name": {"lines": [5, 2]}}),
     "/provenance/~1business_name/lines: expected [first, last]"),
    (lambda r: r.__setitem__("uncertain", [{"path": "/x", "candidates": [], "reason": ""}]),
     "/uncertain/0/reason: expected a non-empty string"),
    (lambda r: r.__setitem__("uncertain", [{"path": "x", "reason": "r"}]), "/uncertain/0/path"),
])
def test_structure_errors_name_the_pointer(mutate: Any, message: str) -> None:
    record = minimal_record()
    mutate(record)
    with pytest.raises(InputError) as caught:
        load_record(record)
    assert message in str(caught.value)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.json"
    with pytest.raises(InputError, match=r"absent\.json: no such file"):
        load_record(missing)
    broken = tmp_path / "broken.json"
    broken.write_text("{\"source\": ", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.json: not valid JSON \(line 1"):
        load_record(broken)
    latin = tmp_path / "latin.json"
    latin.write_bytes("{\"source\": \"é\"}".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin\.json: not UTF-8"):
        load_record(latin)
    wrong = tmp_path / "wrong.json"
    record = minimal_record()
    del record["files"][0]["provisions"][0]["timing"]
    wrong.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_record(wrong)
    assert str(caught.value) == f"{wrong}: /files/0/provisions/0/timing: missing key (expected a string or null)"


def test_resolve_pointer() -> None:
    record = copy.deepcopy(minimal_record())
    assert resolve_pointer(record, "/files/0/provisions/0/methods/1") == "電子メール"
    with pytest.raises(KeyError):
        resolve_pointer(record, "/files/3")


def test_provenance_lookup() -> None:
    record = minimal_record()
    record["provenance"] = {"/files/0/provisions/0": {"lines": [30, 36]},
                            "/files/0/provisions/0/recipient": {"lines": [31, 31], "page": 2}}
    assert provenance_of(record, "/files/0/provisions/0/recipient") == {"lines": [31, 31], "page": 2}
    assert provenance_of(record, "/files/0/provisions/0/timing") is None
    assert provenance_of(record, "/files/0/provisions/0/timing", nearest=True) == {"lines": [30, 36]}
    assert provenance_of(record, "/business_name", nearest=True) is None
