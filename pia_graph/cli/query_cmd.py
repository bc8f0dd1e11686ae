"""`pia-graph query` (named auditor queries, .rq files) and `pia-graph trace` (paths to a recipient)."""

from __future__ import annotations

import csv
import json
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from json.encoder import encode_basestring  # type: ignore[attr-defined]  # C when available
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from pia_graph import vocab
from pia_graph.cli.app import app
from pia_graph.cli.common import close_source as _close
from pia_graph.cli.common import fail as _fail
from pia_graph.cli.common import for_terminal
from pia_graph.errors import PiaError
from pia_graph.query import Hop, list_queries, parse_params, run_query, term_text, trace
from pia_graph.store import open_source

DEFAULT_TIMEOUT = 60.0


class QueryFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class TraceFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


TABLE_CELL_LIMIT = 60          # table mode only: csv and json always carry the full text
PIPE_WIDTH = 200               # console width when stdout is not a terminal
# rich lays a table out at about 1 ms a row, whole, before printing it: a national trace
# (200,000 hops) took 216 s and 2.3 GB. Longer results are printed as plain aligned columns.
RICH_TABLE_ROWS = 1000


def _cell(text: str) -> str:
    text = text.replace(str(vocab.ID), "piaid:").replace(str(vocab.VOCAB), "piav:")
    text = " ".join(text.split())
    if not text.isprintable():   # a control character (most cells have none: the check is cheaper)
        text = for_terminal(text)
    return text if len(text) <= TABLE_CELL_LIMIT else text[: TABLE_CELL_LIMIT - 1] + "…"


def _print_table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    if len(rows) > RICH_TABLE_ROWS:
        _print_plain_table(title, columns, rows)
        return
    table = Table(title=title, show_lines=False, expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(value) for value in row))
    console = Console()
    if not console.is_terminal:
        console = Console(width=PIPE_WIDTH)
    console.print(table)


def _display_width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide and full-width characters take two."""
    if text.isascii():   # numbers, file names, line ranges: one column a character
        return len(text)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 0 if unicodedata.combining(char) else 1
               for char in text)


def _print_plain_table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    """``rows`` as columns padded to their widest cell (by display width), one line per row.

    Cells repeat a great deal (bodies, files, methods), so each distinct value is shortened and
    measured once, each column's distinct values padded once, and the lines are put together by
    C loops (``zip``, ``map``): a national trace has 2.5 million cells."""
    shown: dict[str, tuple[str, int]] = {}   # value → (text shown, its display width)

    def cell(value: str) -> tuple[str, int]:
        found = shown.get(value)
        if found is None:
            text = _cell(value)
            found = shown[value] = (text, _display_width(text))
        return found

    widths: list[int] = []
    padded: list[Iterator[str]] = []
    for heading, values in zip(columns, zip(*rows, strict=True) if rows else [()] * len(columns), strict=True):
        distinct = {value: cell(value) for value in set(values)}
        width = max([_display_width(heading), *(used for _, used in distinct.values())])
        widths.append(width)
        pad = {value: text + " " * (width - used) for value, (text, used) in distinct.items()}
        padded.append(map(pad.__getitem__, values))
    out = sys.stdout
    out.write(f"{title}\n")
    out.write(" │ ".join(heading + " " * (width - _display_width(heading))
                         for heading, width in zip(columns, widths, strict=True)).rstrip() + "\n")
    out.write("─┼─".join("─" * width for width in widths) + "\n")
    for line in map(" │ ".join, zip(*padded, strict=True)):
        out.write(line.rstrip() + "\n")
    out.flush()


def _echo_json_list(items: Iterable[object]) -> None:
    """What ``typer.echo(json.dumps(list(items), ensure_ascii=False, indent=2))`` prints, written
    item by item: a trace of 200,000 hops took 1 GB as one string."""
    _echo_json_texts(_indented_json(item, "  ") for item in items)


def _echo_json_texts(texts: Iterable[str]) -> None:
    """The JSON list of items already written as ``_indented_json(item, "  ")``."""
    out = sys.stdout
    first = True
    for text in texts:
        out.write(("[\n  " if first else ",\n  ") + text)
        first = False
    out.write("[]\n" if first else "\n]\n")
    out.flush()


_json_scalar = json.JSONEncoder(ensure_ascii=False).encode
# how json writes values of these exact types (floats are left to it: nan, infinity)
_PLAIN_SCALARS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring, int: int.__repr__, bool: lambda flag: "true" if flag else "false",
    type(None): lambda _: "null"}


def _indented_json(value: object, indent: str) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` nested at ``indent``, with every
    scalar written by the C encoder: json's indenting encoder is pure Python (5 s for the
    200,000 hops of a national trace). Exact types first: they are nearly all of the values."""
    plain = _PLAIN_SCALARS.get(type(value))
    if plain is not None:
        return plain(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        members = []
        for key, item in value.items():
            write = _PLAIN_SCALARS.get(type(item))
            members.append(f"{inner}{encode_basestring(key) if type(key) is str else _json_key(key)}: "
                           f"{write(item) if write is not None else _indented_json(item, inner)}")
        return "{\n" + ",\n".join(members) + f"\n{indent}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join([inner + _indented_json(item, inner) for item in value]) + f"\n{indent}]"
    return _json_scalar(value)


def _json_key(key: object) -> str:
    """A dict key as json writes it: strings as they are, numbers, booleans and None as text."""
    if isinstance(key, str):
        return _json_scalar(key)
    return _json_scalar(json.dumps(key) if key is None or isinstance(key, bool | int | float) else str(key))


@app.command("query")
def query(
    name: Annotated[str | None, typer.Argument(help="Named query (see --list) or a .rq file.")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE, repeatable.")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="Store directory (default ./pia-store).")] = None,
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Remote SPARQL endpoint URL.")] = None,
    output_format: Annotated[QueryFormat, typer.Option("--format", "-f")] = QueryFormat.table,
    allow_update: Annotated[bool, typer.Option("--allow-update", help="Allow SPARQL Update (changes the store).")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds before the query is abandoned.")] = DEFAULT_TIMEOUT,
    list_: Annotated[bool, typer.Option("--list", help="List the named queries and exit.")] = False,
) -> None:
    """Run an auditor query over every assessment in the store (or an endpoint)."""
    if list_:
        try:
            specs = list_queries()
        except PiaError as error:
            raise _fail(str(error)) from None
        if output_format is QueryFormat.json:
            typer.echo(json.dumps([{"name": s.name, "title": s.title, "description": s.description,
                                    "params": [p.__dict__ for p in s.params.values()]} for s in specs],
                                  ensure_ascii=False, indent=2))
        else:
            for spec in specs:
                params = " ".join(f"[{p.name}=…]" if not p.required else f"{p.name}=…" for p in spec.params.values())
                typer.echo(f"{spec.name:34} {spec.title}" + (f"  (params: {params})" if params else ""))
        return
    if not name:
        raise _fail("give a query name or a .rq file (see `pia-graph query --list`)")
    try:
        params = parse_params(param or [])
        source = open_source(store, endpoint, allow_update=allow_update)
    except PiaError as error:
        raise _fail(str(error)) from None
    try:
        columns, rows = run_query(source, name, params, timeout=timeout)
    except PiaError as error:
        raise _fail(str(error)) from None
    finally:
        _close(source)
    cells = [[term_text(row.get(column)) for column in columns] for row in rows]
    if output_format is QueryFormat.json:
        _echo_json_list({c: v for c, v in zip(columns, r, strict=True) if v != ""} for r in cells)
    elif output_format is QueryFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(cells)
    else:
        _print_table(f"{name} ({len(rows)} rows)", columns, cells)


@app.command("trace")
def trace_command(
    to: Annotated[str, typer.Option("--to", help="Recipient name (or part of it), e.g. 日本年金機構.")],
    method: Annotated[str | None, typer.Option("--method", help="Only paths whose last hop uses this method "
                                                                "(e.g. 電子メール, paper, flash-memory).")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="Store directory (default ./pia-store).")] = None,
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Remote SPARQL endpoint URL.")] = None,
    output_format: Annotated[TraceFormat, typer.Option("--format", "-f")] = TraceFormat.table,
    max_hops: Annotated[int, typer.Option("--max-hops", min=1, help="Longest path followed.")] = 4,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds per SPARQL request.")] = DEFAULT_TIMEOUT,
) -> None:
    """Every path by which data reaches a recipient: body, 事務, file, method, legal basis, lines."""
    try:
        source = open_source(store, endpoint)
    except PiaError as error:
        raise _fail(str(error)) from None
    try:
        hops = trace(source, to, method, max_hops=max_hops, timeout=timeout)
    except PiaError as error:
        raise _fail(str(error)) from None
    finally:
        _close(source)
    if output_format is TraceFormat.json:
        _echo_json_texts(_hop_json_texts(hops))
        return
    if not hops:
        typer.echo(f"no path reaches a recipient matching {to!r}" + (f" by {method}" if method else ""), err=True)
    if output_format is TraceFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(TRACE_COLUMNS)
        writer.writerows(_trace_rows(hops))
    elif hops:
        _print_table(f"paths to {to} ({hops[-1].path})", TRACE_COLUMNS, list(_trace_rows(hops)))


TRACE_COLUMNS = ["path", "hop", "body", "事務", "file", "kind", "recipient", "methods", "legal basis", "timing",
                 "source", "lines"]


def _trace_rows(hops: list[Hop]) -> Iterator[list[str]]:
    """The ``TRACE_COLUMNS`` of each hop. The hops through one flow share its ``HopFlow``, whose
    cells are made once (found by identity: hashing a HopFlow would hash its twelve fields)."""
    cells: dict[int, list[str]] = {}
    for hop in hops:
        flow = hop.flow
        found = cells.get(id(flow))
        if found is None:
            found = cells[id(flow)] = [flow.body, flow.business, flow.file, flow.kind, flow.recipient,
                                       "、".join(flow.methods) or "(unknown)", flow.legal_basis, flow.timing,
                                       flow.source_file, flow.lines]
        yield [str(hop.path), f"{hop.hop}/{hop.hops}", *found]


def _hop_json_texts(hops: list[Hop]) -> Iterator[str]:
    """``_indented_json(hop.as_dict(), "  ")`` of each hop, its flow's members written once per flow."""
    tails: dict[int, str] = {}   # by identity, as in _trace_rows
    for hop in hops:
        flow = hop.flow
        tail = tails.get(id(flow))
        if tail is None:
            members = {**flow._asdict(), "methods": list(flow.methods)}
            tail = tails[id(flow)] = _indented_json(members, "  ")[1:]   # from the line break after "{"
        yield f'{{\n    "path": {hop.path},\n    "hop": {hop.hop},\n    "hops": {hop.hops},{tail}'
