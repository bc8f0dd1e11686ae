"""The same seed document in any supported encoding, line-end style or page-break style gives the
same record through extract_path (seeds read via the shared_dir / seed_pairs fixtures)."""

from __future__ import annotations

import codecs
import copy
import re
from pathlib import Path
from typing import Any

import pytest

from pia_graph.extract.api import extract_path

VARIANTS = {
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "cp932": lambda text: text.encode("cp932"),
    "cp932-crlf": lambda text: text.replace("\n", "\r\n").encode("cp932"),
    "euc-jis-2004": lambda text: text.encode("euc_jis_2004"),
    "utf-16-le-bom": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-be-bom": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "utf-16-le-no-bom": lambda text: text.encode("utf-16-le"),
    "crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
}


@pytest.fixture(scope="module")
def baselines(seed_pairs: list[tuple[Path, Path]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict]]:
    """Seed name → (text, record of the plain UTF-8 file)."""
    folder = tmp_path_factory.mktemp("plain")
    result = {}
    for seed, _gold in seed_pairs:
        text = seed.read_text(encoding="utf-8")
        plain = folder / seed.name
        plain.write_text(text, encoding="utf-8")
        result[seed.name] = (text, extract_path(plain))
    return result


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_seed_in_other_encodings_gives_the_same_record(variant: str, baselines: dict[str, tuple[str, dict]],
                                                        tmp_path: Path) -> None:
    for name, (text, expected) in baselines.items():
        target = tmp_path / name
        target.write_bytes(VARIANTS[variant](text))
        assert extract_path(target) == expected, f"{name} as {variant}"


def _spans(value: Any, found: list[list[int]]) -> list[list[int]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "lines" and isinstance(item, list) and len(item) == 2:
                found.append(item)
            else:
                _spans(item, found)
    elif isinstance(value, list):
        for item in value:
            _spans(item, found)
    return found


PAGE_BREAK = re.compile(r"\n\n\n\n(?=[^\n])")


def test_form_feed_pages_give_the_same_values_with_file_line_numbers(
        baselines: dict[str, tuple[str, dict]], tmp_path: Path) -> None:
    for name, (text, expected) in baselines.items():
        # pdftotext style: each page break (three blank lines) becomes a form feed before the next page.
        with_form_feeds = PAGE_BREAK.sub("\n\f", text)
        assert with_form_feeds.count("\f") == len(PAGE_BREAK.findall(text)) > 0
        target = tmp_path / name
        target.write_bytes(with_form_feeds.encode("utf-8"))
        record = extract_path(target)

        # Values are unchanged; only the line numbers move, to the lines of the form-feed file.
        without_lines, expected_without_lines = copy.deepcopy(record), copy.deepcopy(expected)
        for span in _spans(without_lines, []) + _spans(expected_without_lines, []):
            span[:] = [0, 0]
        assert without_lines == expected_without_lines, name
        plain_lines = text.split("\n")
        file_lines = with_form_feeds.split("\n")
        for got, wanted in zip(_spans(record, []), _spans(expected, []), strict=True):
            for file_number, plain_number in zip(got, wanted, strict=True):
                plain_line = plain_lines[plain_number - 1]
                if plain_line.strip():
                    # A page's first line shares its file line with the form feed before it.
                    assert file_lines[file_number - 1].replace("\f", "") == plain_line, (name, got, wanted)
        assert sum(1 for got, wanted in zip(_spans(record, []), _spans(expected, []), strict=True) if got != wanted) > 0
