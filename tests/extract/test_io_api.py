"""extract_path: bad inputs give one InputError naming the file; text and PDF dispatch."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from pia_graph.errors import InputError
from pia_graph.extract.api import MAX_INPUT_BYTES, extract_path


def problem_of(path: Path, **kwargs: int) -> InputError:
    with pytest.raises(InputError) as caught:
        extract_path(path, **kwargs)
    error = caught.value
    assert error.path == str(path)
    assert "\n" not in str(error), "the message must fit on one line"
    return error


def test_directory(tmp_path: Path) -> None:
    assert problem_of(tmp_path).problem == "is a directory"


def test_missing_file(tmp_path: Path) -> None:
    assert problem_of(tmp_path / "absent.txt").problem == "no such file"


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert problem_of(fifo).problem == "not a regular file"


def test_unreadable_file_reports_the_os_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, which can read a chmod 000 file, so the refusal is simulated at open().
    target = tmp_path / "locked.txt"
    target.write_text("本文\n", encoding="utf-8")
    real_open = Path.open

    def refusing_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self == target:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    assert problem_of(target).problem == "cannot read: Permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads chmod 000 files; covered by the simulated refusal")
def test_chmod_000_file(tmp_path: Path) -> None:
    target = tmp_path / "locked.txt"
    target.write_text("本文\n", encoding="utf-8")
    target.chmod(0)
    try:
        assert problem_of(target).problem == "cannot read: Permission denied"
    finally:
        target.chmod(0o644)


def test_size_limit(tmp_path: Path) -> None:
    target = tmp_path / "big.txt"
    target.write_bytes(b"a" * 2000)
    error = problem_of(target, max_bytes=1000)
    assert error.problem.startswith("file too large (2,000 bytes; the limit is 1,000 bytes)")
    assert MAX_INPUT_BYTES == 50 * 1024 * 1024


def test_empty_file(tmp_path: Path) -> None:
    target = tmp_path / "empty.txt"
    target.write_bytes(b"")
    assert problem_of(target).problem == "empty file"
    target.write_bytes(b" \r\n\r\n")
    assert problem_of(target).problem == "empty file"


def test_binary_file(tmp_path: Path) -> None:
    target = tmp_path / "image.txt"
    target.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert problem_of(target).problem.startswith("binary file, not text")


def test_pdf_suffix_without_pdf_content(tmp_path: Path) -> None:
    target = tmp_path / "fake.pdf"
    target.write_text("特定個人情報保護評価書\n", encoding="utf-8")
    assert problem_of(target).problem == "not a PDF file (no %PDF- header)"


def test_empty_pdf(tmp_path: Path) -> None:
    target = tmp_path / "empty.PDF"
    target.write_bytes(b"")
    assert problem_of(target).problem == "empty file"


@pytest.mark.parametrize("name", ["broken.pdf", "broken.txt"])
def test_broken_pdf_is_an_input_error(tmp_path: Path, name: str) -> None:
    # A PDF header followed by garbage, also under a .txt name (content decides, not the suffix).
    target = tmp_path / name
    target.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    error = problem_of(target)
    assert "PDF" in error.problem  # the PDF reader's wording, or "PDF support not available"


def test_not_an_assessment(tmp_path: Path) -> None:
    target = tmp_path / "letter.txt"
    target.write_text("拝啓\n\n来週の会議の件でご連絡します。\n\n敬具\n", encoding="cp932")
    error = problem_of(target)
    assert error.problem  # the core's wording; it names this path, not only the file name
