"""Write the project's invented sample assessments (examples/*.txt + *.expected.json).

Run ``python -m pia_graph.synth.examples examples/``. Each sample is the first record, in a fixed
seed sequence, that has the features it is meant to show; the search and the rendering are
deterministic, so rerunning rewrites identical files.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import fileio
from . import forms as F
from .record import random_record
from .render import render_text_with_truth


@dataclass(frozen=True)
class Sample:
    name: str
    seed: int
    kind: str
    shuffle: bool
    wanted: Callable[[dict[str, Any]], bool]
    description: str


def _pension_focused(record: dict[str, Any]) -> bool:
    if record["domain"] != "pension" or len(record["files"]) != 1:
        return False
    f = record["files"][0]
    return (len(f["provisions"]) >= 2 and any("日本年金機構" in p["recipient"] for p in f["provisions"])
            and len(f["transfers"]) >= 1 and any(e["subcontract"] == "再委託する" for e in f["entrustments"])
            and record["info_network_linkage"] == "実施する" and len(record["changes"]) >= 3)


def _full_many_entrustments(record: dict[str, Any]) -> bool:
    f = record["files"][0]
    return (record["domain"] == "ltc" and len(f["entrustments"]) >= 3 and len(record["files"]) == 1
            and len(f["provisions"]) >= 1 and len(record["changes"]) >= 2)


def _clean_two_files(record: dict[str, Any]) -> bool:
    return (len(record["files"]) == 2 and record["domain"] == "nhi"
            and all(f["entrustments"] for f in record["files"]) and record["files"][0]["provisions"] != [])


SAMPLES = (
    Sample("sample-kakuu-nenkin", 2024, F.KIND_JUUTEN, True, _pension_focused,
           "重点項目評価書, 国民年金; two or more 提供先 including 日本年金機構, a 移転先 and a 再委託; "
           "shuffled like real PDF-extracted text"),
    Sample("sample-kakuu-zenkoumoku", 2025, F.KIND_ZENKOUMOKU, True, _full_many_entrustments,
           "全項目評価書, 介護保険, three or more 委託事項; shuffled like real PDF-extracted text"),
    Sample("sample-kakuu-clean", 2026, F.KIND_JUUTEN, False, _clean_two_files,
           "重点項目評価書, 国民健康保険, two 特定個人情報ファイル; clean layout (values follow their labels)"),
)


def find_record(sample: Sample, limit: int = 200_000) -> tuple[int, dict[str, Any]]:
    for index in range(limit):
        record = random_record(random.Random(sample.seed * 1_000_003 + index), index, kind=sample.kind)
        if sample.wanted(record):
            return index, record
    raise RuntimeError(f"no record for {sample.name} within {limit} tries")


def build(sample: Sample) -> tuple[str, dict[str, Any]]:
    index, record = find_record(sample)
    record["source"] = f"{sample.name}.txt"
    text, truth = render_text_with_truth(record, random.Random(sample.seed + index), shuffle=sample.shuffle)
    return text, truth


def write_examples(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for sample in SAMPLES:
        text, truth = build(sample)
        text_path = directory / f"{sample.name}.txt"
        json_path = directory / f"{sample.name}.expected.json"
        fileio.write_text_atomic(text_path, text)
        fileio.write_text_atomic(json_path, json.dumps(truth, ensure_ascii=False, indent=2) + "\n")
        for path in (text_path, json_path):
            path.chmod(0o644)  # the atomic writer's temporary file is private; samples are public
        written += [text_path, json_path]
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m pia_graph.synth.examples OUTDIR", file=sys.stderr)
        return 2
    for path in write_examples(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
