"""Date fields take only text that reads as a date."""

from __future__ import annotations

import random

import pytest

from pia_graph.extract import extract_text
from pia_graph.extract.core import looks_like_date
from pia_graph.synth import random_record, render_text


@pytest.mark.parametrize("text", ["令和6年12月1日", "平成27年10月", "令和元年9月", "2019/4/1", "令和７年１月１４日"])
def test_dates(text: str) -> None:
    assert looks_like_date(text)


@pytest.mark.parametrize("text", ["②方法", "③結果", "別添１を参照。", "十分に行っている", "―"])
def test_not_dates(text: str) -> None:
    assert not looks_like_date(text)


@pytest.mark.parametrize("shuffle", [False, True])
def test_procedure_dates_are_dates_only(shuffle: bool) -> None:
    for index in range(15):
        record = random_record(random.Random(index), index)
        out = extract_text(render_text(record, random.Random(index), shuffle=shuffle), "x.txt")
        for value in (out.get("procedure") or {}).get("dates") or []:
            assert looks_like_date(value) or value[:4].isdigit(), value
