"""File → record: the entry point the CLI and the other stages use to read an assessment.

``extract_path(path)`` reads a text file (any encoding :mod:`pia_graph.extract.decode` knows) or a
PDF, and returns the record described in ../shared/docs/record-schema.md. Every problem with the
input is an ``InputError(path, problem)`` naming the path as given, so a batch can report it in one
line and go on with the other files.

Line numbers in a record read from a text file count the lines of that file as an editor shows
them (lines end at LF, CRLF or CR); see :mod:`pia_graph.extract.decode` for form feeds.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pia_graph.errors import InputError
from pia_graph.extract.decode import decode_with_line_map

# Larger inputs are refused rather than read into memory: real assessments are a few MB at most
# (the longest sample, a 全項目評価書 of over 5,000 lines, is under 1 MB of text).
MAX_INPUT_BYTES = 50 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def _core_extract_text() -> Callable[[str, str], dict]:
    # Imported on use so that importing this module (and the package __init__ that re-exports
    # both) never depends on the order in which the two modules are loaded.
    from pia_graph.extract.core import extract_text

    return extract_text


def _os_problem(error: OSError) -> str:
    reason = error.strerror or str(error)
    if error.errno == errno.ENOENT:
        return "no such file"
    return f"cannot read: {reason}"


def _read_input(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path``, refusing what is not a readable regular file of acceptable size."""
    try:
        info = path.stat()
    except OSError as error:
        raise InputError(path, _os_problem(error)) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(path, "is a directory")
    if not stat.S_ISREG(info.st_mode):
        # FIFOs, sockets and devices can block or never end; an assessment is a regular file.
        raise InputError(path, "not a regular file")
    if info.st_size > max_bytes:
        raise InputError(
            path, f"file too large ({info.st_size:,} bytes; the limit is {max_bytes:,} bytes)"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise InputError(path, _os_problem(error)) from None
    if len(data) > max_bytes:  # the file grew after stat()
        raise InputError(path, f"file too large (over the limit of {max_bytes:,} bytes)")
    return data


def _remap_lines(value: Any, line_map: list[int]) -> None:
    """Rewrite every ``lines: [first, last]`` span from decoded-text lines to original file lines."""
    if isinstance(value, dict):
        for key, item in value.items():
            if (
                key == "lines"
                and isinstance(item, list)
                and len(item) == 2
                and all(isinstance(number, int) and 1 <= number <= len(line_map) for number in item)
            ):
                item[0], item[1] = line_map[item[0] - 1], line_map[item[1] - 1]
            else:
                _remap_lines(item, line_map)
    elif isinstance(value, list):
        for item in value:
            _remap_lines(item, line_map)


def _with_path(error: InputError, path: Path) -> InputError:
    """The same problem, reported against the path the user gave (not the bare file name)."""
    return InputError(path, error.problem)


def _extract_pdf(path: Path, name: str) -> dict:
    try:
        from pia_graph.extract.pdf import annotate_provenance, read_pdf
    except ImportError as error:
        raise InputError(path, f"PDF support not available: {error}") from None
    try:
        pdf = read_pdf(path)
    except InputError as error:
        raise _with_path(error, path) from None
    except Exception as error:
        # A malformed PDF can fail anywhere inside the PDF library; to the user it is one bad input.
        raise InputError(path, f"cannot read PDF: {type(error).__name__}: {error}") from None
    try:
        record = _core_extract_text()(pdf.text, name)
    except InputError as error:
        raise _with_path(error, path) from None
    annotate_provenance(record, pdf)
    return record


def extract_path(path: str | os.PathLike[str], max_bytes: int = MAX_INPUT_BYTES) -> dict:
    """Read one assessment file (text in any supported encoding, or PDF) into a record.

    ``record["source"]`` is the file name without its directory. Raises InputError naming ``path``
    for a directory, a missing or unreadable file, a file over ``max_bytes``, an empty or binary
    file, and text that is not an assessment.
    """
    path = Path(path)
    name = path.name
    if path.suffix.lower() == ".pdf":
        _read_size_checked(path, max_bytes)
        return _extract_pdf(path, name)
    data = _read_input(path, max_bytes)
    if data.lstrip().startswith(PDF_MAGIC):  # a PDF under another name
        return _extract_pdf(path, name)
    try:
        text, line_map = decode_with_line_map(data, str(path))
        record = _core_extract_text()(text, name)
    except InputError as error:
        raise _with_path(error, path) from None
    if line_map != list(range(1, len(line_map) + 1)):
        _remap_lines(record, line_map)
    return record


def _read_size_checked(path: Path, max_bytes: int) -> None:
    """Run the same checks as for text input (directory, readability, size) before opening a PDF."""
    data = _read_input(path, max_bytes)
    if not data.strip():
        raise InputError(path, "empty file")
    if PDF_MAGIC not in data[:1024]:  # readers accept the header anywhere in the first 1 KiB
        raise InputError(path, "not a PDF file (no %PDF- header)")


__all__ = ["MAX_INPUT_BYTES", "extract_path"]
