"""`pia-graph extract`: stdout, -o DIR, YAML, batches with bad inputs, progress, exit codes.

The command runs as a real subprocess (the installed console script) except where a test needs
to simulate an OS refusal in-process.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

PIA_GRAPH = Path(sys.executable).parent / "pia-graph"

# An invented 重点項目評価書 (generic form labels, made-up values) in the seeds' layout.
INVENTED = "\n".join([
    "",
    "特定個人情報保護評価書（重点項目評価書）",
    "",
    "評価書番号  評価書名",
    "",
    "5 架空市介護保険に関する事務　重点項目評価書",
    "",
    " 評価実施機関名",
    "",
    "架空市長",
    "",
    " 公表日",
    "",
    "令和6年4月1日",
    "",
    "",
    "",
    "Ⅰ　基本情報",
    " １．特定個人情報ファイルを取り扱う事務",
    "",
    " ①事務の名称 架空市介護保険事務",
    "",
    " ２．特定個人情報ファイルを取り扱う事務において使用するシステム",
    "",
    " ①システムの名称 架空介護システム",
    "",
    " ６．評価実施機関における担当部署",
    "",
    " ①部署 架空市福祉部介護課",
    "",
    "",
    "",
    "Ⅱ　特定個人情報ファイルの概要",
    " １．特定個人情報ファイル名",
    "",
    "架空介護情報ファイル",
    "",
])


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    if not PIA_GRAPH.exists():
        pytest.skip(f"console script not installed at {PIA_GRAPH}")
    return subprocess.run(
        [str(PIA_GRAPH), "extract", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=cwd, check=False,
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


@pytest.fixture
def invented(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "invented.txt"
    path.parent.mkdir()
    path.write_text(INVENTED, encoding="utf-8")
    return path


def test_one_input_prints_json_on_stdout(invented: Path) -> None:
    result = run(invented)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["source"] == "invented.txt"
    assert "provenance" in record and "uncertain" in record
    assert "架空" in result.stdout  # ensure_ascii=False: Japanese printed as is
    assert result.stdout.startswith("{\n  \"")  # indent=2
    assert result.stderr == ""


def test_yaml_keeps_unicode_and_key_order(invented: Path) -> None:
    as_json = json.loads(run(invented).stdout)
    result = run(invented, "--format", "yaml")
    assert result.returncode == 0, result.stderr
    assert "架空" in result.stdout and "\\u" not in result.stdout
    as_yaml = yaml.safe_load(result.stdout)
    assert as_yaml == as_json
    assert list(as_yaml) == list(as_json)


def test_seed_record_on_stdout(seed_pairs: list[tuple[Path, Path]]) -> None:
    seed, _gold = seed_pairs[0]
    result = run(seed)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["source"] == seed.name


def test_several_inputs_without_output_dir_are_refused(invented: Path) -> None:
    result = run(invented, invented)
    assert result.returncode == 2
    assert result.stdout == ""
    assert error_lines(result.stderr) == [
        "error: 2 inputs given: use -o DIR to write one record file per input (stdout takes a single record)"
    ]


def test_one_bad_input_without_output_dir(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run(empty)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"error: {empty}: empty file"]


def test_batch_with_bad_inputs_writes_the_good_ones(tmp_path: Path, invented: Path,
                                                     seed_pairs: list[tuple[Path, Path]]) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    empty = bad / "empty.txt"
    empty.write_bytes(b"")
    binary = bad / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02\x03" * 100)
    missing = bad / "missing.txt"
    letter = bad / "letter.txt"
    letter.write_text("拝啓\n\n来週の会議の件でご連絡します。\n\n敬具\n", encoding="utf-8")
    fifo = bad / "pipe.txt"
    os.mkfifo(fifo)
    directory = bad / "folder"
    directory.mkdir()
    seed = seed_pairs[0][0]
    out = tmp_path / "out"

    result = run(invented, empty, binary, missing, seed, letter, fifo, directory, "-o", out)

    assert result.returncode == 2
    assert result.stdout == ""
    errors = error_lines(result.stderr)
    assert len(errors) == 6
    for path, problem in [(empty, "empty file"), (binary, "binary file, not text"), (missing, "no such file"),
                          (fifo, "not a regular file"), (directory, "is a directory")]:
        assert f"error: {path}: {problem}" in errors
    assert any(line.startswith(f"error: {letter}: ") for line in errors)
    assert result.stderr.splitlines()[-1] == "extracted 2, failed 6"
    assert sorted(child.name for child in out.iterdir()) == sorted(["invented.json", seed.with_suffix(".json").name])
    assert json.loads((out / "invented.json").read_text(encoding="utf-8"))["source"] == "invented.txt"


def test_all_good_batch_exits_zero_with_summary(tmp_path: Path, invented: Path) -> None:
    second = tmp_path / "second.txt"
    second.write_bytes(INVENTED.replace("\n", "\r\n").encode("cp932"))
    out = tmp_path / "out"
    result = run(invented, second, "-o", out, "--format", "yaml")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["extracted 2, failed 0"]
    first_record = yaml.safe_load((out / "invented.yaml").read_text(encoding="utf-8"))
    second_record = yaml.safe_load((out / "second.yaml").read_text(encoding="utf-8"))
    # The same document in another encoding and line-end style gives the same record.
    assert {**first_record, "source": None} == {**second_record, "source": None}
    assert not [child for child in out.iterdir() if child.name.startswith(".")], "temporary files left"


def test_same_stem_twice_is_not_overwritten(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "doc.txt").write_text(INVENTED, encoding="utf-8")
    out = tmp_path / "out"
    result = run(tmp_path / "a" / "doc.txt", tmp_path / "b" / "doc.txt", "-o", out)
    assert result.returncode == 2
    assert error_lines(result.stderr) == [
        f"error: {tmp_path / 'b' / 'doc.txt'}: output doc.json would overwrite the record of {tmp_path / 'a' / 'doc.txt'}"
    ]
    assert [child.name for child in out.iterdir()] == ["doc.json"]


def test_output_dir_that_is_a_file(tmp_path: Path, invented: Path) -> None:
    not_a_dir = tmp_path / "taken"
    not_a_dir.write_text("x", encoding="utf-8")
    result = run(invented, "-o", not_a_dir)
    assert result.returncode == 2
    assert error_lines(result.stderr) == [f"error: {not_a_dir}: output path exists and is not a directory"]


def test_recursive_expands_directories(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "one.txt").write_text(INVENTED, encoding="utf-8")
    (tree / "sub" / "two.TXT").write_text(INVENTED, encoding="utf-8")
    (tree / "notes.md").write_text("not an input", encoding="utf-8")
    (tmp_path / "nothing").mkdir()
    out = tmp_path / "out"
    result = run(tree, tmp_path / "nothing", "-r", "-o", out)
    assert result.returncode == 2
    assert error_lines(result.stderr) == [f"error: {tmp_path / 'nothing'}: directory holds no .txt or .pdf files"]
    assert sorted(child.name for child in out.iterdir()) == ["one.json", "two.json"]


def test_progress_only_when_asked_off_a_terminal(tmp_path: Path) -> None:
    inputs = []
    for index in range(4):
        path = tmp_path / f"doc{index}.txt"
        path.write_text(INVENTED, encoding="utf-8")
        inputs.append(path)
    quiet = run(*inputs, "-o", tmp_path / "out1")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr.splitlines() == ["extracted 4, failed 0"]
    loud = run(*inputs, "-o", tmp_path / "out2", "--progress")
    assert loud.returncode == 0, loud.stderr
    assert loud.stderr.splitlines() == [*(f"[{i}/4] doc{i - 1}.txt" for i in range(1, 5)), "extracted 4, failed 0"]


def test_unreadable_input_in_a_batch(tmp_path: Path, invented: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root can read chmod 000 files, so the refusal is simulated in-process at open().
    from pia_graph.cli import app

    locked = tmp_path / "locked.txt"
    locked.write_text(INVENTED, encoding="utf-8")
    real_open = Path.open

    def refusing_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", str(locked), str(invented), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {locked}: cannot read: Permission denied", "extracted 1, failed 1"]
    assert [child.name for child in out.iterdir()] == ["invented.json"]


def test_progress_rewrites_one_line_on_a_terminal(tmp_path: Path) -> None:
    import pty

    if not PIA_GRAPH.exists():
        pytest.skip(f"console script not installed at {PIA_GRAPH}")
    inputs = []
    for index in range(4):
        path = tmp_path / f"doc{index}.txt"
        path.write_text(INVENTED, encoding="utf-8")
        inputs.append(str(path))
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run([str(PIA_GRAPH), "extract", *inputs, "-o", str(tmp_path / "out")],
                                stdout=subprocess.PIPE, stderr=terminal, timeout=300, check=False)
        os.close(terminal)
        terminal = -1
        seen = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's other end is closed: all output read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if terminal != -1:
            os.close(terminal)
        os.close(controller)
    assert result.returncode == 0
    shown = seen.decode("utf-8")
    assert "\r\x1b[K[1/4] doc0.txt" in shown and "\r\x1b[K[4/4] doc3.txt" in shown
    assert shown.rstrip().endswith("extracted 4, failed 0")


def test_error_for_a_file_name_with_a_newline_stays_on_one_line(tmp_path: Path) -> None:
    odd = tmp_path / "two\nlines.txt"
    odd.write_bytes(b"")
    result = run(odd)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"error: {tmp_path}/two\\nlines.txt: empty file"]
