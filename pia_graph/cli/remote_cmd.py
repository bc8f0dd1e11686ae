"""`pia-graph push`: hand the store's named graphs to a SPARQL server (Graph Store Protocol or Update).

Credentials never come from the command line: PIA_GRAPH_USER/PIA_GRAPH_PASSWORD or PIA_GRAPH_TOKEN
in the environment, or ~/.netrc. Querying a server goes through `--endpoint` on query, trace,
validate and export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pia_graph.cli.app import app
from pia_graph.cli.common import fail as _fail
from pia_graph.errors import PiaError
from pia_graph.store import DEFAULT_STORE_DIR, open_source
from pia_graph.store.remote import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    PushReport,
    default_state_path,
    push_graph_store,
    push_update,
)


def _summary(report: PushReport) -> str:
    size = report.bytes_sent / 1_000_000
    line = (f"pushed {len(report.pushed)}, unchanged (skipped) {len(report.unchanged)}, "
            f"failed {len(report.failed)}")
    if report.not_attempted:
        line += f", not attempted {report.not_attempted}"
    if report.pruned:
        line += f", removed from the server {len(report.pruned)}"
    return (f"{line} of {report.total} graphs → {report.target} ({report.protocol}, "
            f"{report.seconds:.1f} s, {size:.1f} MB sent)")


@app.command("push")
def push(
    store: Annotated[Path | None, typer.Option("--store", help="Store directory (default ./pia-store).")] = None,
    graph_store: Annotated[str | None, typer.Option(
        "--graph-store", help="Graph Store HTTP Protocol URL (e.g. http://host:7878/store); each graph is PUT.")] = None,
    update: Annotated[str | None, typer.Option(
        "--update", help="SPARQL 1.1 Update URL (e.g. http://host:7878/update); one DROP+INSERT request per graph.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds to wait for each answer.")] = DEFAULT_TIMEOUT,
    retries: Annotated[int, typer.Option("--retries", min=0, max=10,
                                         help="Retries of a request after a dropped connection, time-out or 502/503/504.")] = DEFAULT_RETRIES,
    parallel: Annotated[int, typer.Option("--parallel", min=1, max=16,
                                          help="Requests in flight at once (graphs are independent).")] = 1,
    full: Annotated[bool, typer.Option("--full", help="Push every graph, even those the server already has unchanged.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Remove from the server graphs pushed earlier that the store no longer has.")] = False,
    insecure: Annotated[bool, typer.Option("--insecure", help="Do not check the server's TLS certificate (warns).")] = False,
) -> None:
    """Push every named graph of the store to a SPARQL server, replacing each graph there.

    Resumable: graphs the server accepted unchanged are skipped on the next run. Credentials come
    from PIA_GRAPH_USER/PIA_GRAPH_PASSWORD or PIA_GRAPH_TOKEN, or ~/.netrc; never from the command line.
    """
    if (graph_store is None) == (update is None):
        raise _fail("give exactly one of --graph-store URL or --update URL")
    if insecure:
        typer.echo("warning: --insecure: the server's TLS certificate is not checked; data and "
                   "credentials can be read or altered by anyone on the network path", err=True)
    store_dir = store if store is not None else DEFAULT_STORE_DIR
    try:
        source = open_source(store_dir, None)
    except PiaError as error:
        raise _fail(str(error)) from None
    console = Console(stderr=True)
    progress = Progress(TextColumn("push"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[last]}"),
                        TimeRemainingColumn(), console=console, transient=True,
                        disable=not console.is_terminal)
    task = progress.add_task("push", total=None, last="")

    def on_graph(iri: str, outcome: str) -> None:
        progress.update(task, advance=1, last=f"{outcome}")

    options = dict(state_path=default_state_path(store_dir), timeout=timeout, verify_tls=not insecure,
                   full=full, prune=prune, retries=retries, progress=on_graph, parallel=parallel,
                   on_total=lambda total: progress.update(task, total=total))
    try:
        with progress:
            if graph_store is not None:
                report = push_graph_store(source, graph_store, **options)  # type: ignore[arg-type]
            else:
                assert update is not None
                report = push_update(source, update, **options)  # type: ignore[arg-type]
    except PiaError as error:
        raise _fail(str(error)) from None
    finally:
        close = getattr(source, "close", None)
        if callable(close):
            close()
    typer.echo(_summary(report))
    for iri, message in report.failed[:20]:
        typer.echo(f"failed: <{iri}>: {message}", err=True)
    if len(report.failed) > 20:
        typer.echo(f"failed: … and {len(report.failed) - 20} more", err=True)
    if report.stale:
        typer.echo(f"note: {len(report.stale)} graphs pushed earlier are no longer in the store and were "
                   "left on the server (--prune removes them)", err=True)
    if report.aborted is not None:
        typer.echo(f"error: push stopped: {report.aborted}", err=True)
        typer.echo("run the same command again to resume: graphs the server accepted are recorded in "
                   f"{default_state_path(store_dir)} and will be skipped", err=True)
    if not report.ok:
        raise typer.Exit(1)
