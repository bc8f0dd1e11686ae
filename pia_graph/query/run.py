"""Run a named (or file) query against any SparqlSource with parameters bound from outside."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from pia_graph.errors import QueryError
from pia_graph.query.catalog import Param, QuerySpec, resolve
from pia_graph.store.base import SparqlSource
from pia_graph.store.sparql_text import VARIABLE_NAME, is_update

Row = dict[str, Identifier]
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+$")


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """``["k=v", ...]`` (from ``--param k=v``) → ``{"k": "v"}``; the value may contain ``=``."""
    params: dict[str, str] = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        name = name.strip()
        if not separator or not name:
            raise QueryError(f"--param {pair!r}: expected NAME=VALUE")
        if name in params:
            raise QueryError(f"--param {name} given twice")
        params[name] = value
    return params


def bind_value(param: Param, value: str) -> Identifier:
    """A parameter value as an RDF term of the declared type (never as query text)."""
    if param.type == "iri":
        if not _IRI.match(value):
            raise QueryError(f"--param {param.name}: {value!r} is not an absolute IRI")
        return URIRef(value)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise QueryError(f"--param {param.name}: {value!r} is not an integer")
        return Literal(int(value), datatype=XSD.integer)
    return Literal(value)


def bindings_for(spec: QuerySpec, params: Mapping[str, str]) -> dict[str, Identifier]:
    """Check ``params`` against the query's declared parameters and turn them into RDF terms."""
    declared = dict(spec.params)
    if not spec.declared:
        # A file without declarations: any variable it uses may be bound, as a string.
        for name in params:
            if VARIABLE_NAME.match(name) and re.search(rf"[?$]{name}\b", spec.text):
                declared[name] = Param(name)
    unknown = sorted(set(params) - set(declared))
    if unknown:
        accepted = ", ".join(sorted(declared)) or "none"
        raise QueryError(f"query {spec.name!r} has no parameter {', '.join(unknown)} (parameters: {accepted})")
    missing = [p.name for p in declared.values() if p.required and p.name not in params]
    if missing:
        raise QueryError(f"query {spec.name!r} needs --param {', '.join(f'{m}=…' for m in missing)}")
    return {name: bind_value(declared[name], value) for name, value in params.items()}


def projected_columns(sparql: str) -> list[str]:
    """The SELECT's projected variables in order, read with rdflib's parser."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(sparql)
    except Exception as error:  # rdflib raises pyparsing and other errors for bad syntax
        raise QueryError(f"SPARQL syntax error: {error}") from error
    return [str(variable) for variable in prepared.algebra.get("PV", [])]


def run_query(source: SparqlSource, name_or_file: str, params: Mapping[str, str] | None = None,
              timeout: float | None = None) -> tuple[list[str], list[Row]]:
    """Run a named query or ``.rq`` file; returns the column names and the rows.

    Rows map column names to rdflib terms; unbound values are absent.
    """
    spec = resolve(name_or_file)
    bindings = bindings_for(spec, params or {})
    if is_update(spec.text):
        rows = source.select(spec.text, bindings, timeout)
        return [], rows
    try:
        columns = projected_columns(spec.text)
    except QueryError:
        # rdflib's parser is stricter than some engines; let the source judge the query
        select_columns = getattr(source, "select_columns", None)
        columns = select_columns(spec.text) if callable(select_columns) else []
    rows = source.select(spec.text, bindings, timeout)
    extra = [name for row in rows for name in row if name not in columns]
    columns += list(dict.fromkeys(extra))
    return columns, rows


def term_text(term: Identifier | None) -> str:
    """A cell value as plain text: the lexical form of literals, the IRI of resources."""
    return "" if term is None else str(term)
