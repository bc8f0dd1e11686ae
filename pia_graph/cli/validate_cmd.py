"""`pia-graph validate`: SHACL-validate records, assessment texts/PDFs, or a whole store.

Exit codes follow pySHACL: 0 conforms (warnings and infos alone still conform), 1 violations
(or some inputs could not be read while others were validated), 2 usage error or no input
could be validated.
"""

from __future__ import annotations

import hashlib
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
from pia_graph.errors import InputError, PiaError
from pia_graph.validate.report import Report


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    turtle = "turtle"


def _error(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


def _progress() -> Callable[[int, int, object], None]:
    """``[i/N] graph`` rewritten in place on a terminal; without one, a line every
    PROGRESS_LOG_SECONDS with the rate (a national store takes hours to validate)."""
    started = time.monotonic()
    last_line = started

    def show(index: int, total: int, iri: object) -> None:
        nonlocal last_line
        if sys.stderr.isatty():
            sys.stderr.write(f"\r\x1b[K[{index}/{total}] {for_terminal(str(iri))}")
            if index == total:
                sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            return
        now = time.monotonic()
        if now - last_line >= PROGRESS_LOG_SECONDS or index == total:
            last_line = now
            rate = index / (now - started) if now > started else 0.0
            sys.stderr.write(f"validated {index}/{total} assessment graphs ({rate:.1f}/s)\n")
            sys.stderr.flush()

    return show


def _graph_for_path(path: Path) -> tuple[object, object]:
    """(assessment IRI, graph) for a record .json or an assessment .txt/.pdf."""
    from pia_graph.model import load_record
    from pia_graph.rdf import record_to_graph

    if path.suffix.lower() == ".json":
        record = load_record(path)
        return record_to_graph(record)
    if not path.exists():
        raise InputError(path, "no such file")
    from pia_graph.extract.api import extract_path  # imported lazily: extraction is heavy

    record = extract_path(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return record_to_graph(record, source_sha256=digest)


INPUT_SUFFIXES = (".json", ".txt", ".pdf")




def validate_paths(paths: list[Path]) -> tuple[Report, int]:
    """Validate each file on its own; a bad file is reported and skipped. Returns (report, failures)."""
    from pia_graph.validate import validate_graph

    report = Report()
    failures = 0
    for path in paths:
        try:
            _, graph = _graph_for_path(path)
            report.extend(validate_graph(graph))  # type: ignore[arg-type]
        except PiaError as error:
            failures += 1
            message = str(error) if isinstance(error, InputError) else f"{path}: {error}"
            report.errors.append(message)
            _error(message)
    return report, failures


@app.command("validate")
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(
        readable=False,  # an unreadable file is reported on its own; the batch goes on
        help="Record .json files, assessment .txt/.pdf files (extracted first), or directories of them.")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="Validate every assessment graph in this store.")] = None,
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Validate every assessment graph at this SPARQL endpoint.")] = None,
    output_format: Annotated[ReportFormat, typer.Option("--format", help="Report format.")] = ReportFormat.text,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Worker processes validating a store's or endpoint's graphs (default: CPU count).",
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
    if paths:
        file_report, file_failures = validate_paths(paths)
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
                report.extend(validate_source(
                    source, progress=_progress(), jobs=jobs or os.cpu_count() or 1,
                    spec=SourceSpec(store, endpoint), keep_graph=output_format is ReportFormat.turtle))
            finally:
                close_source(source)
        except PiaError as error:
            failures += 1
            report.errors.append(str(error))
            _error(str(error))
    if output_format is ReportFormat.json:
        typer.echo(report.to_json(), nl=False)
    elif output_format is ReportFormat.turtle:
        typer.echo(report.to_turtle(), nl=False)
    else:
        typer.echo(for_terminal(report.to_text()), nl=False)
    if failures and failures >= attempted:
        raise typer.Exit(2)
    if failures or not report.conforms:
        raise typer.Exit(1)
