"""`pia-graph export` (the flow graph in visual-tool and spreadsheet formats) and
`pia-graph analyze` (vendor concentration, reach of a recipient, 委託 chains, methods)."""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from pia_graph.cli.app import app
from pia_graph.cli.common import close_source as _close
from pia_graph.cli.common import fail as _fail
from pia_graph.cli.common import for_terminal
from pia_graph.errors import PiaError
from pia_graph.export.formats import BINARY_FORMATS, ExportFormat, suffix
from pia_graph.fileio import write_bytes_atomic

if TYPE_CHECKING:
    from pia_graph.export.flowgraph import FlowFilters

PER_ASSESSMENT_FORMATS = (ExportFormat.svg, ExportFormat.dot, ExportFormat.html)


class AnalyzeFormat(StrEnum):
    table = "table"
    json = "json"




def _open(store: Path | None, endpoint: str | None) -> Any:
    from pia_graph.store import open_source

    return open_source(store, endpoint)




def _file_stem(number: str, iri: str, used: set[str]) -> str:
    """A safe, unique file name for one assessment's diagram, from its IRI (body, number, kind)."""
    from urllib.parse import unquote

    tail = unquote(iri.rstrip("/")).split("/assessment/", 1)[-1]
    raw = tail.replace("/", "_") or number
    stem = re.sub(r"[^\w.-]+", "_", raw, flags=re.UNICODE).strip("._") or "assessment"
    stem = stem[:80]
    candidate, n = stem, 2
    while candidate in used:
        candidate, n = f"{stem}-{n}", n + 1
    used.add(candidate)
    return candidate


@app.command("export")
def export(
    output_format: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")] = ExportFormat.html,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output file (a directory with --per-assessment); text formats go to stdout without it.")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="Store directory (default ./pia-store).")] = None,
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Remote SPARQL endpoint URL.")] = None,
    body: Annotated[str | None, typer.Option("--body", help="Keep assessing bodies whose name contains this.")] = None,
    business: Annotated[str | None, typer.Option("--business", help="Keep 事務 whose name contains this.")] = None,
    recipient: Annotated[str | None, typer.Option("--recipient", help="Keep 提供/移転 to recipients whose name contains this.")] = None,
    contractor: Annotated[str | None, typer.Option("--contractor", help="Keep 委託/再委託 chains that reach a contractor whose name contains this.")] = None,
    method: Annotated[str | None, typer.Option("--method", help="Keep 提供/移転 by this method (label such as 電子メール, or email, paper …).")] = None,
    assessment: Annotated[str | None, typer.Option("--assessment", help="Keep assessments whose number, title, IRI or file name contains this.")] = None,
    per_assessment: Annotated[bool, typer.Option("--per-assessment", help="One diagram per 評価書 into the -o directory (svg, dot or html).")] = False,
    title: Annotated[str | None, typer.Option("--title", help="Title of the diagram / page.")] = None,
) -> None:
    """Export the data-flow graph (GraphML, GEXF, DOT, SVG, PNG, Cytoscape.js JSON, HTML, CSV, XLSX).

    Text filters match any spelling, ignoring case, width (全角/半角) and white space.
    """
    from pia_graph.export.flowgraph import FlowFilters, flow_graph
    from pia_graph.export.writers import render

    filters = FlowFilters(body=body, business=business, recipient=recipient, contractor=contractor,
                          method=method, assessment=assessment)
    if per_assessment:
        if output is None:
            raise _fail("--per-assessment needs -o DIR (one file per assessment is written there)")
        if output_format not in PER_ASSESSMENT_FORMATS:
            raise _fail("--per-assessment writes svg, dot or html, not " + output_format.value)
    elif output is None and output_format in BINARY_FORMATS:
        raise _fail(f"--format {output_format.value} is binary: give -o FILE")
    source = None
    try:
        source = _open(store, endpoint)
        if per_assessment:
            _export_each(source, filters, output_format, output)  # type: ignore[arg-type]
            return
        graph = flow_graph(source, filters)
        heading = title or ("pia-graph data flows" + (f" ({filters.describe()})" if filters.describe() else ""))
        data = render(graph, output_format, heading)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            write_bytes_atomic(output, data)
            typer.echo(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)",
                       err=True)
    except PiaError as error:
        raise _fail(str(error)) from None
    finally:
        if source is not None:
            _close(source)


def _export_each(source: Any, filters: FlowFilters, fmt: ExportFormat, directory: Path) -> None:
    from pia_graph.export.flowgraph import per_assessment_graphs
    from pia_graph.export.writers import render

    used: set[str] = set()
    written = 0
    for iri, number, label, one in per_assessment_graphs(source, filters):
        target = directory / f"{_file_stem(number, iri, used)}.{suffix(fmt)}"
        write_bytes_atomic(target, render(one, fmt, label))
        written += 1
    typer.echo(f"wrote {written} diagrams to {directory}", err=True)


def _table(console: Console, title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title, expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*[for_terminal(str(v)) for v in row])
    console.print(table)


@app.command("analyze")
def analyze(
    store: Annotated[Path | None, typer.Option("--store", help="Store directory (default ./pia-store).")] = None,
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Remote SPARQL endpoint URL.")] = None,
    output_format: Annotated[AnalyzeFormat, typer.Option("--format", "-f")] = AnalyzeFormat.table,
    recipient: Annotated[str | None, typer.Option("--recipient", help="Also list the bodies and files that reach this recipient (substring).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows per table.")] = 20,
) -> None:
    """Vendor concentration, longest 委託 → 再委託 chains, recipients by method (and reach of --recipient)."""
    from pia_graph.export.analysis import analyze as run_analysis
    from pia_graph.export.flowgraph import FlowFilters, flow_graph

    source = None
    try:
        source = _open(store, endpoint)
        report = run_analysis(flow_graph(source, FlowFilters()), recipient=recipient, limit=limit)
    except PiaError as error:
        raise _fail(str(error)) from None
    finally:
        if source is not None:
            _close(source)
    if output_format is AnalyzeFormat.json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    console = Console(soft_wrap=False)
    _table(console, "委託先の集中 / vendor concentration",
           ["contractor", "kind", "bodies", "share", "assessments", "files", "委託", "再委託"],
           [[r["contractor"], r["kind"], r["bodies"], f"{r['share_of_bodies']:.1%}", r["assessments"],
             r["files"], r["entrustments"], r["subcontracts"]] for r in report["vendor_concentration"]])
    _table(console, "委託 → 再委託 chains (longest first)", ["links", "body", "file", "chain"],
           [[c["links"], c["body"], c["file"], " → ".join(c["chain"])] for c in report["longest_chains"]])
    _table(console, "提供先・移転先 by method", ["recipient", "hops", "bodies", "methods"],
           [[r["recipient"], r["hops"], r["bodies"], ", ".join(f"{m} {n}" for m, n in r["methods"].items())]
            for r in report["recipients_by_method"]])
    if recipient:
        reach = report["recipient_reach"]
        summary = reach["summary"]
        _table(console, f"reach of “{recipient}”: {summary['hops']} hops from {summary['bodies']} bodies, "
                        f"{summary['files']} files",
               ["recipient", "body", "business", "file", "flow", "methods", "legal basis", "source"],
               [[r["recipient"], r["body"], r["business"], r["file"], r["flow"], "・".join(r["methods"]),
                 r["legal_basis"], "; ".join(r["sources"])] for r in reach["hops"]])
