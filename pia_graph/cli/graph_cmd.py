"""`pia-graph build` (ingest into the store) and `pia-graph export-rdf` (dump the store)."""

from __future__ import annotations

import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pia_graph.cli.app import app
from pia_graph.cli.common import PROGRESS_LOG_SECONDS
from pia_graph.cli.common import fail as _fail
from pia_graph.errors import PiaError, StoreError
from pia_graph.fileio import atomic_open
from pia_graph.store import DEFAULT_STORE_DIR, Store
from pia_graph.store.ingest import STREAM_DOCUMENTS, ingest
from pia_graph.store.oxigraph_store import STREAM_JOURNAL

_STORE_HELP = "Store directory (created when absent)."


class RdfFormat(StrEnum):
    turtle = "turtle"
    trig = "trig"
    nquads = "nquads"
    jsonld = "jsonld"




@app.command("build")
def build(
    paths: Annotated[list[Path] | None, typer.Argument(
        readable=False,  # an unreadable file is reported on its own; the batch goes on
        help="Assessment .txt/.pdf files, record .json files, or directories.", show_default=False)] = None,
    store: Annotated[Path, typer.Option("--store", help=_STORE_HELP)] = DEFAULT_STORE_DIR,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1,
                                             help="Worker processes (default: CPU count).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Re-ingest files even when unchanged.")] = False,
    reindex: Annotated[bool, typer.Option(
        "--reindex", help="Rebuild trace's flow index from every graph of the store (after other tools wrote "
                          "to it); PATHS may then be left out.")] = False,
    stream_documents: Annotated[int, typer.Option(
        "--stream-documents", min=1,
        help="New assessments loaded per bulk load. Longer streams build large stores faster but hold more "
             "memory (about 4 GB at the default on 50,000 assessments); after a crash the next build loads "
             "at most one stream again.")] = STREAM_DOCUMENTS,
) -> None:
    """Extract, convert and load assessments into the store (one named graph per assessment)."""
    if not paths and not reindex:
        raise _fail("build: give the assessment files or directories to build from (or --reindex)")
    console = Console(stderr=True)
    if (store / STREAM_JOURNAL).exists():   # said before: dropping a whole stream's graphs takes a while
        typer.echo(f"{store}: an earlier build was interrupted; removing the graphs it left half-loaded", err=True)
    try:
        target = Store(store)
        if target.dropped_on_open:
            typer.echo(f"note: {target.dropped_on_open} graphs left half-loaded by an interrupted build were "
                       "removed; they are loaded again from their inputs", err=True)
        if reindex:
            target.flow_index_for_writing().discard_all()
    except PiaError as error:
        raise _fail(str(error)) from None
    started = time.monotonic()
    try:
        with Progress(
            TextColumn("[bold]building"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} docs/s"), TimeElapsedColumn(), TextColumn("{task.fields[current]}"),
            console=console, transient=False, disable=not console.is_terminal,
        ) as progress:
            task = progress.add_task("build", total=None, rate="0.0", current="")
            last_line = started

            def log_line(text: str) -> None:
                nonlocal last_line
                now = time.monotonic()
                if not console.is_terminal and now - last_line >= PROGRESS_LOG_SECONDS:
                    last_line = now
                    typer.echo(f"building: {text}", err=True)

            def report(path: Path, status: str, done: int, total: int) -> None:
                elapsed = max(time.monotonic() - started, 1e-6)
                progress.update(task, completed=done, total=total, rate=f"{done / elapsed:.1f}",
                                current=f"{status}: {path.name}")
                log_line(f"{done:,}/{total:,} documents ({done / elapsed:.1f} docs/s)")

            def report_reindex(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total, current="indexing flows for trace")
                log_line(f"indexing flows for trace: {done:,}/{total:,} assessments")

            def report_stage(text: str) -> None:
                progress.update(task, current=text)
                log_line(text)

            summary = ingest(paths or [], target, jobs=jobs, progress=report, force=force,
                             reindex_progress=report_reindex, stream_documents=stream_documents,
                             stage=report_stage)
    except PiaError as error:
        raise _fail(str(error)) from None
    finally:
        target.close()
    elapsed = time.monotonic() - started
    for _path, reason in summary.failed:
        typer.echo(f"failed: {reason}", err=True)
    for warning in summary.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for iri in dict.fromkeys(summary.replaced):
        typer.echo(f"warning: several inputs describe {iri}; the last one read is kept", err=True)
    if summary.reindexed:
        typer.echo(f"flow index: {summary.reindexed} assessment graphs indexed from the store", err=True)
    rate = summary.total / elapsed if elapsed > 0 else 0.0
    typer.echo(
        f"{len(summary.ingested)} ingested, {len(summary.skipped)} unchanged (skipped), "
        f"{len(summary.failed)} failed in {elapsed:.1f} s ({rate:.1f} docs/s); store: {store}",
        err=True,
    )
    raise typer.Exit(0 if summary.ok else 1)


@app.command("export-rdf")
def export_rdf(
    output_format: Annotated[RdfFormat, typer.Option("--format", "-f", help="RDF syntax.")] = RdfFormat.trig,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here (atomically); default stdout.")] = None,
    store: Annotated[Path, typer.Option("--store", help="Store directory.")] = DEFAULT_STORE_DIR,
) -> None:
    """Dump the store as RDF: trig/nquads/jsonld keep the named graphs, turtle is their union."""
    if not store.exists():
        raise _fail(f"{store}: no store here (build one with `pia-graph build PATH... --store {store}`)")
    try:
        source = Store(store, read_only=True)
    except PiaError as error:
        raise _fail(str(error)) from None
    try:
        if output is None:
            source.dump(output_format.value, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            with atomic_open(output, "wb", encoding=None) as handle:
                source.dump(output_format.value, handle)
            typer.echo(f"wrote {output} ({output_format.value})", err=True)
    except (PiaError, OSError) as error:
        message = str(error) if isinstance(error, StoreError) else f"{output or 'stdout'}: {error}"
        raise _fail(message) from None
    finally:
        source.close()
