"""`pia-graph validate`: SHACL-validate records, assessment texts/PDFs, or a whole store.

Exit codes follow pySHACL: 0 conforms (warnings and infos alone still conform), 1 violations
(or some inputs could not be read while others were validated), 2 usage error or no input
could be validated.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pia_graph.cli.app import app
from pia_graph.cli.common import PROGRESS_LOG_SECONDS, close_source, expand_directories, for_terminal
from pia_graph.errors import PiaError
from pia_graph.validate.report import Report


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    turtle = "turtle"


def _error(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


def _progress(what: str) -> Callable[[int, int, object], None]:
    """``[i/N] graph`` rewritten in place on a terminal; without one, a line every
    PROGRESS_LOG_SECONDS with the rate (a national store takes an hour to validate), and a last
    one at the end of a run that printed any."""
    started = time.monotonic()
    last_line = started
    printed = False

    def show(index: int, total: int, iri: object) -> None:
        nonlocal last_line, printed
        if sys.stderr.isatty():
            sys.stderr.write(f"\r\x1b[K[{index}/{total}] {for_terminal(str(iri))}")
            if index == total:
                sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            return
        now = time.monotonic()
        if now - last_line >= PROGRESS_LOG_SECONDS or (index == total and printed):
            last_line, printed = now, True
            rate = index / (now - started) if now > started else 0.0
            sys.stderr.write(f"validated {index}/{total} {what} ({rate:.1f}/s)\n")
            sys.stderr.flush()

    return show


INPUT_SUFFIXES = (".json", ".txt", ".pdf")


@app.command("validate")
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(
        readable=False,  # an unreadable file is reported on its own; the batch goes on
        help="Record .json files, assessment .txt/.pdf files (extracted first), or directories of them.")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="Validate every assessment graph in this store.")] = None,
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Validate every assessment graph at this SPARQL endpoint.")] = None,
    output_format: Annotated[ReportFormat, typer.Option("--format", help="Report format.")] = ReportFormat.text,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Worker processes sharing the files or graphs (default: CPU count).",
    )] = None,
) -> None:
    """Check assessments against the SHACL shapes; print one line per finding with its source line."""
    given = paths or []
    if not given and store is None and endpoint is None:
        _error("give PATH... to validate files, or --store DIR / --endpoint URL")
        raise typer.Exit(2)
    paths, problems = expand_directories(given, INPUT_SUFFIXES)
    report = Report()
    for problem in problems:
        _error(str(problem))
        report.errors.append(str(problem))
    failures = len(problems)
    attempted = len(paths) + len(problems)
    workers = jobs or os.cpu_count() or 1
    keep_graph = output_format is ReportFormat.turtle
    if paths:
        from pia_graph.validate.files import validate_paths

        file_report, file_failures = validate_paths(paths, jobs=workers, keep_graph=keep_graph,
                                                    progress=_progress("files") if len(paths) > 1 else None,
                                                    on_error=_error)
        failures += file_failures
        report.extend(file_report)
    if store is not None or endpoint is not None:
        attempted += 1
        try:
            from pia_graph.store import open_source
            from pia_graph.validate import validate_source
            from pia_graph.validate.source import SourceSpec

            source = open_source(store, endpoint)
            try:
                report.extend(validate_source(source, progress=_progress("assessment graphs"), jobs=workers,
                                              spec=SourceSpec(store, endpoint), keep_graph=keep_graph))
            finally:
                close_source(source)
        except PiaError as error:
            failures += 1
            report.errors.append(str(error))
            _error(str(error))
    if output_format is ReportFormat.json:
        for chunk in report.json_chunks():
            sys.stdout.write(chunk)
        sys.stdout.flush()
    elif output_format is ReportFormat.turtle:
        typer.echo(report.to_turtle(), nl=False)
    else:
        typer.echo(for_terminal(report.to_text()), nl=False)
    if failures and failures >= attempted:
        raise typer.Exit(2)
    if failures or not report.conforms:
        raise typer.Exit(1)
