"""`pia-graph extract`: assessment text/PDF files → records (JSON or YAML)."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import yaml

from pia_graph.cli.app import app
from pia_graph.cli.common import expand_directories
from pia_graph.errors import InputError
from pia_graph.extract.api import extract_path
from pia_graph.fileio import write_text_atomic

# Batches longer than this show a progress indicator (on a terminal, or with --progress).
PROGRESS_MIN_INPUTS = 4
INPUT_SUFFIXES = (".txt", ".pdf")


class OutputFormat(StrEnum):
    json = "json"
    yaml = "yaml"


def render_record(record: dict, output_format: OutputFormat) -> str:
    """The record as JSON (non-ASCII kept, indent 2) or YAML (Unicode kept, key order kept)."""
    if output_format is OutputFormat.yaml:
        return yaml.safe_dump(record, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def _one_line(text: str) -> str:
    """Control characters (a newline in a file name or a library's message) shown escaped."""
    return "".join(
        repr(char)[1:-1] if unicodedata.category(char) in ("Cc", "Zl", "Zp") and char != "\t" else char
        for char in text
    )


def _error(message: str) -> None:
    typer.echo(f"error: {_one_line(message)}", err=True)


class _Progress:
    """``[i/N] file`` on stderr: rewritten in place on a terminal, one line per file otherwise."""

    def __init__(self, total: int, forced: bool | None) -> None:
        self.total = total
        self.tty = sys.stderr.isatty()
        wanted = self.tty if forced is None else forced
        self.enabled = wanted and total >= PROGRESS_MIN_INPUTS
        self.dirty = False

    def step(self, index: int, path: Path) -> None:
        if not self.enabled:
            return
        text = f"[{index}/{self.total}] {path.name}"
        if self.tty:
            sys.stderr.write(f"\r\x1b[K{text}")
            self.dirty = True
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def clear(self) -> None:
        """Clear the in-place line before an error or the summary is printed."""
        if self.dirty:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.dirty = False


def _write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error of the input. Silence the final flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None


def _extract_one(path: Path) -> dict:
    try:
        return extract_path(path)
    except InputError:
        raise
    except Exception as error:
        # An extractor bug on one file must not stop the batch; the line says it is not the input's fault.
        raise InputError(path, f"internal error ({type(error).__name__}: {error}); please report it") from error


TRUNCATION_RULE = ("A 重点/全項目 text whose 項目一覧 announces a 変更箇所 page it never reaches (nor the "
                   "評価実施手続 body) is refused as truncated.")


@app.command("extract", epilog=TRUNCATION_RULE)
def extract(
    paths: Annotated[list[Path], typer.Argument(
        metavar="PATH...", readable=False,  # an unreadable file is reported on its own; the batch goes on
        help="Assessment text (.txt, any common Japanese encoding) or PDF files.")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Record format.")] = OutputFormat.json,
    output_dir: Annotated[Path | None, typer.Option(
        "--output-dir", "-o", metavar="DIR",
        help="Write one <stem>.json or <stem>.yaml per input into DIR (created if missing), atomically.")] = None,
    recursive: Annotated[bool, typer.Option(
        "--recursive", "-r", help="Expand directories into the .txt and .pdf files below them.")] = False,
    progress: Annotated[bool | None, typer.Option(
        "--progress/--no-progress",
        help=f"Show \\[i/N] progress on stderr for batches of {PROGRESS_MIN_INPUTS} or more files "
             "(default: only when stderr is a terminal).")] = None,
) -> None:
    """Extract assessment records from text or PDF files.

    With one input and no -o, the record is printed on stdout. Several inputs need -o DIR, one record file per input (without -o they are refused with exit 2).

    A bad input gets one line on stderr, "error: <file>: <problem>"; the other inputs are still extracted and written. With -o the run ends with the summary line "extracted N, failed M" on stderr.

    A directory is an error for that path unless --recursive is given. Exit status: 0 when every input was extracted, 2 when any input failed or on a usage error.
    """
    inputs, problems = expand_directories(paths, INPUT_SUFFIXES) if recursive else (list(paths), [])
    if output_dir is None and len(inputs) + len(problems) > 1:
        _error(f"{len(inputs) + len(problems)} inputs given: use -o DIR to write one record file per input "
               "(stdout takes a single record)")
        raise typer.Exit(2)
    if output_dir is not None and output_dir.exists() and not output_dir.is_dir():
        _error(f"{output_dir}: output path exists and is not a directory")
        raise typer.Exit(2)

    for problem in problems:
        _error(str(problem))
    failed = len(problems)
    extracted = 0
    suffix = f".{output_format.value}"
    claimed: dict[str, Path] = {}  # output file name → the input that claimed it
    tracker = _Progress(len(inputs), progress)
    for index, path in enumerate(inputs, start=1):
        tracker.step(index, path)
        target_name = path.stem + suffix
        try:
            if output_dir is not None and target_name in claimed:
                raise InputError(path, f"output {target_name} would overwrite the record of {claimed[target_name]}")
            record = _extract_one(path)
            text = render_record(record, output_format)
            if output_dir is None:
                _write_stdout(text)
            else:
                try:
                    write_text_atomic(output_dir / target_name, text)
                except OSError as error:
                    raise InputError(output_dir / target_name, f"cannot write: {error.strerror or error}") from None
                claimed[target_name] = path
        except InputError as error:
            tracker.clear()
            _error(str(error))
            failed += 1
            continue
        extracted += 1
    tracker.clear()
    if output_dir is not None:
        typer.echo(f"extracted {extracted}, failed {failed}", err=True)
    if failed:
        raise typer.Exit(2)
