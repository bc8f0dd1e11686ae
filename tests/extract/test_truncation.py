"""Truncated documents: a 重点/全項目 text that stops before its closing parts (Ⅴ/Ⅵ 評価実施手続 body,
変更箇所) is refused with a one-line reason; complete documents of every kind are still accepted."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from pia_graph.errors import InputError
from pia_graph.extract.api import extract_path
from pia_graph.extract.core import extract_text
from pia_graph.extract.history import find_history_start
from pia_graph.synth import random_record, render_text_with_truth

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TRUNCATED = re.compile(r"^truncated: the text ends at line (\d+) inside (.+); (.+) not found$")


def synthetic(count: int, seed: int, *, shuffle: bool, kind: str | None = None) -> list[str]:
    rng = random.Random(seed)
    return [render_text_with_truth(random_record(rng, i, kind=kind), rng, shuffle=shuffle)[0] for i in range(count)]


def cut_points(lines: list[str]) -> list[int]:
    """Line counts to keep: after the 項目一覧 and before the change-history page."""
    history = find_history_start(lines)
    assert history is not None
    toc = next(i for i, line in enumerate(lines) if line.strip() == "項目一覧")
    start = toc + 40  # past the 項目一覧 page
    return sorted({start, *(start + (history - start) * k // 5 for k in range(1, 5)), history})


def assert_truncated(text: str, name: str) -> re.Match[str]:
    with pytest.raises(InputError) as raised:
        extract_text(text, name)
    match = TRUNCATED.match(raised.value.problem)
    assert match, raised.value.problem
    last_text_line = max(i for i, line in enumerate(text.split("\n")) if line.strip()) + 1
    assert int(match.group(1)) == last_text_line
    assert "変更箇所" in match.group(3)
    return match


def test_every_seed_cut_before_its_closing_parts_is_refused(seed_pairs: list[tuple[Path, Path]]) -> None:
    for seed, _gold in seed_pairs:
        lines = seed.read_text(encoding="utf-8").split("\n")
        for keep in cut_points(lines):
            match = assert_truncated("\n".join(lines[:keep]), seed.name)
            assert "項目一覧" not in match.group(2)


def test_seed_cut_mid_character_in_utf8_is_refused(seed_pairs: list[tuple[Path, Path]], tmp_path: Path) -> None:
    seed, _gold = seed_pairs[0]
    data = seed.read_bytes()
    middle = len(data) // 2
    while data[middle] & 0xC0 != 0x80:  # move onto a continuation byte: the cut splits a character
        middle += 1
    path = tmp_path / "cut.txt"
    path.write_bytes(data[:middle])
    with pytest.raises(InputError) as raised:
        extract_path(path)
    assert str(path) in str(raised.value)
    assert raised.value.problem.startswith("truncated: the text ends at line ")


@pytest.mark.parametrize("shuffle", [False, True])
def test_synthetic_documents_cut_before_their_closing_parts_are_refused(shuffle: bool) -> None:
    documents = [(text, "Ⅴ") for text in synthetic(12, 31 + shuffle, shuffle=shuffle, kind="重点項目評価書")]
    documents += [(text, "Ⅵ") for text in synthetic(6, 41 + shuffle, shuffle=shuffle, kind="全項目評価書")]
    for index, (text, section) in enumerate(documents):
        lines = text.split("\n")
        for number, keep in enumerate(cut_points(lines)):
            match = assert_truncated("\n".join(lines[:keep]), f"synth-{index}.txt")
            if number == 0:  # cut early in the body: the last section's body is missing too
                assert f"the body of {section} 評価実施手続" in match.group(3)


def test_a_cut_just_before_the_change_history_names_only_what_is_missing(seed_pairs: list[tuple[Path, Path]]) -> None:
    """The Ⅴ/Ⅵ body was read: only the change history is reported missing."""
    text = synthetic(1, 5, shuffle=False, kind="重点項目評価書")[0]
    lines = text.split("\n")
    heading = next(i for i, line in enumerate(lines) if "変更箇所" in line and i > 100)
    match = assert_truncated("\n".join(lines[:heading]), "synth.txt")
    assert match.group(3) == "the （別添２）変更箇所 pages"
    assert match.group(2).startswith("Ⅴ")


def test_complete_documents_are_accepted(seed_pairs: list[tuple[Path, Path]]) -> None:
    for seed, _gold in seed_pairs:
        assert extract_path(seed)["files"]
    for example in sorted(EXAMPLES.glob("*.txt")):
        assert extract_path(example)["files"]


@pytest.mark.parametrize("shuffle", [False, True])
def test_complete_synthetic_documents_are_accepted(shuffle: bool) -> None:
    for index, text in enumerate(synthetic(100, 7 + shuffle, shuffle=shuffle)):
        record = extract_text(text, f"synth-{index}.txt")
        assert record["assessment"]["kind"]


def test_basic_form_and_unknown_versions_are_not_checked() -> None:
    kiso = (Path(__file__).parent / "fixtures_core" / "kiso_kakuu.txt").read_text(encoding="utf-8")
    record = extract_text("\n".join(kiso.split("\n")[:25]), "kiso.txt")
    assert record["assessment"]["kind"] == "基礎項目評価書"

    juten = synthetic(1, 4, shuffle=False, kind="重点項目評価書")[0].split("\n")
    keep = cut_points(juten)[1]
    with pytest.raises(InputError):
        extract_text("\n".join(juten[:keep]), "juten.txt")
    version = next(i for i, line in enumerate(juten) if re.search(r"様式\s*[0-9０-９]", line))
    juten[version] = re.sub(r"様式\s*[0-9０-９]+", "様式９", juten[version])
    record = extract_text("\n".join(juten[:keep]), "juten-unknown-version.txt")
    assert "様式９" in record["assessment"]["form_version"]


def test_an_excerpt_without_table_of_contents_is_not_checked() -> None:
    lines = synthetic(1, 6, shuffle=False, kind="重点項目評価書")[0].split("\n")
    body = [i for i, line in enumerate(lines) if line.startswith("Ⅰ")][1]  # after the 項目一覧's
    record = extract_text("\n".join(lines[:2] + lines[body:body + 200]), "excerpt.txt")
    assert record["assessment"]["kind"] == "重点項目評価書"


def test_extract_help_states_the_rule_and_the_cli_reports_a_cut_file(seed_pairs: list[tuple[Path, Path]],
                                                                     tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pia_graph.cli.app import app

    runner = CliRunner()
    help_text = " ".join(runner.invoke(app, ["extract", "--help"], terminal_width=200).output.split())
    assert "refused as truncated" in help_text
    seed, _gold = seed_pairs[0]
    lines = seed.read_text(encoding="utf-8").split("\n")
    cut = tmp_path / "cut.txt"
    cut.write_text("\n".join(lines[: cut_points(lines)[2]]), encoding="utf-8")
    result = runner.invoke(app, ["extract", str(cut), str(seed), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"error: {cut}: truncated: the text ends at line " in result.output
    assert (tmp_path / "out" / f"{seed.stem}.json").exists()
