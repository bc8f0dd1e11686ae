"""Small, careful helpers for SPARQL text: tell a query from an update, bind values safely.

Neither helper pastes user text into a query: values are RDF terms serialised by the RDF
library (N-Triples escaping), and only variable names checked against ``VARIABLE_NAME`` are
written next to them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from pia_graph.errors import QueryError
from pia_graph.rdf.mapping import literal_text

VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_PROLOGUE = re.compile(
    r"\s*(?:#[^\n]*\n?|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE
)


def first_keyword(sparql: str) -> str:
    """The first keyword after the prologue (comments, PREFIX and BASE), upper-cased."""
    position = 0
    while True:
        match = _PROLOGUE.match(sparql, position)
        if not match or match.end() == position:
            break
        position = match.end()
    word = re.match(r"\s*([A-Za-z]+)", sparql[position:])
    return word.group(1).upper() if word else ""


def is_update(sparql: str) -> bool:
    """True when the text is a SPARQL Update request rather than a query."""
    return first_keyword(sparql) in _UPDATE_KEYWORDS


def _skip_string(text: str, start: int) -> int:
    """Index just past the string literal opening at ``start``."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        end = text.find(quote * 3, start + 3)
        while end != -1 and text[end - 1] == "\\":
            end = text.find(quote * 3, end + 1)
        return len(text) if end == -1 else end + 3
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == quote:
            return index + 1
        index += 1
    return index


def outer_group_start(sparql: str) -> int:
    """Index of the ``{`` that opens the outermost WHERE group (outside comments, strings, IRIs)."""
    index = 0
    while index < len(sparql):
        char = sparql[index]
        if char == "#":
            newline = sparql.find("\n", index)
            index = len(sparql) if newline == -1 else newline + 1
        elif char in "\"'":
            index = _skip_string(sparql, index)
        elif char == "<":
            iri = re.match(r"<[^<>\"{}|^`\\\s]*>", sparql[index:])
            index += iri.end() if iri else 1
        elif char == "{":
            return index
        else:
            index += 1
    raise QueryError("the query has no WHERE group to bind parameters in")


def term_to_sparql(term: Identifier) -> str:
    """An RDF term in N-Triples syntax (valid SPARQL), escaped by pyoxigraph's serialiser."""
    if isinstance(term, URIRef):
        return str(ox.NamedNode(str(term)))
    if isinstance(term, Literal):
        return literal_text(term)
    if isinstance(term, BNode):
        raise QueryError("a blank node cannot be bound as a query parameter")
    raise QueryError(f"cannot bind {term!r}: not an RDF term")


def bind_with_values(sparql: str, bindings: Mapping[str, Identifier]) -> str:
    """Insert ``VALUES ?name { term }`` blocks at the start of the outermost WHERE group.

    Used where the engine cannot bind a variable itself (pyoxigraph's substitutions only bind
    projected variables). Inside the group, the values restrict every pattern and FILTER, as
    if the variable had been written there as a constant.
    """
    if not bindings:
        return sparql
    blocks = []
    for name, term in bindings.items():
        if not VARIABLE_NAME.match(name):
            raise QueryError(f"not a SPARQL variable name: {name!r}")
        blocks.append(f"VALUES ?{name} {{ {term_to_sparql(term)} }}")
    brace = outer_group_start(sparql)
    return f"{sparql[: brace + 1]} {' '.join(blocks)}\n{sparql[brace + 1 :]}"


def graphs_written_by(sparql: str) -> set[str] | None:
    """The named graphs a SPARQL Update request can change, when its text names every one of
    them; None when it may write to the default graph or to graphs picked by a variable
    (``GRAPH ?g``, ``CLEAR ALL``, ``DROP NAMED``), or when rdflib cannot parse it.

    Lets a store keep what it derives per graph (trace's flow index) for all the other graphs.
    rdflib only reads the text here: the store's own engine runs it.
    """
    from rdflib.plugins.sparql.processor import prepareUpdate

    try:
        operations = prepareUpdate(sparql).algebra
    except Exception:   # pyparsing raises several types; any text rdflib cannot read is "unknown"
        return None
    written: set[str] = set()
    for operation in operations:
        targets = _operation_targets(operation)
        if targets is None:
            return None
        written |= targets
    return written


def _part(operation: Any, key: str) -> Any:
    # rdflib's CompValue.get returns the key itself for a part the operation lacks
    return operation[key] if key in operation else None


def _operation_targets(operation: Any) -> set[str] | None:
    name = operation.name
    if name in ("InsertData", "DeleteData", "DeleteWhere"):
        return _template_targets(operation, None)
    if name == "Modify":
        with_graph = _part(operation, "withClause")
        targets: set[str] = set()
        for template in (_part(operation, "delete"), _part(operation, "insert")):
            found = _template_targets(template, with_graph) if template is not None else set()
            if found is None:
                return None
            targets |= found
        return targets
    if name in ("Clear", "Drop", "Create", "Load"):
        graph = _part(operation, "graphiri")
        return {str(graph)} if isinstance(graph, URIRef) else None
    if name in ("Add", "Copy", "Move"):
        source, destination = operation["graph"]
        if not isinstance(destination, URIRef) or (name == "Move" and not isinstance(source, URIRef)):
            return None
        return {str(destination)} | ({str(source)} if name == "Move" else set())
    return None


def _template_targets(template: Any, with_graph: URIRef | None) -> set[str] | None:
    graphs = set(_part(template, "quads") or {})
    if _part(template, "triples"):
        if with_graph is None:
            return None   # the default graph
        graphs.add(with_graph)
    if not all(isinstance(graph, URIRef) for graph in graphs):
        return None       # GRAPH ?g
    return {str(graph) for graph in graphs}
