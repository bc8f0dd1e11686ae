"""SHACL validation of assessment graphs (pySHACL with ``shapes/pia-shapes.ttl``).

Validation runs per assessment graph, so memory and time grow with one assessment, not
with the store. Inference is not needed: the mapping asserts the pia: classes that the
shapes target, and controlled vocabularies are checked with ``sh:in``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from pia_graph import vocab as V
from pia_graph.rdf.ontology import shapes_graph
from pia_graph.validate.report import Report, Result, short


@lru_cache(maxsize=256)
def _prepared(query: str) -> Query:
    return prepareQuery(query)


class _PreparedQueryGraph(Graph):
    """pySHACL hands every SPARQL constraint to ``Graph.query`` as text, once per focus node,
    and rdflib parses the text each time (~0.15 s with pyparsing): parse each text once."""

    def query(self, query_object: Any, processor: Any = "sparql", result: Any = "sparql",
              initNs: Any = None, initBindings: Any = None, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(query_object, str) and not initNs:
            query_object = _prepared(query_object)
        return super().query(query_object, processor, result, initNs, initBindings, *args, **kwargs)


def with_prepared_queries(graph: Graph) -> Graph:
    """The same triples (the same store, not a copy) seen through ``_PreparedQueryGraph``."""
    return _PreparedQueryGraph(store=graph.store, identifier=graph.identifier, namespace_manager=graph.namespace_manager)


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    return shapes_graph()


@lru_cache(maxsize=1)
def shapes_labelled_by_content() -> Graph:
    """The shapes, their blank nodes labelled from their content: alike in every process.

    A SHACL report copies the shape each result comes from, and most property shapes are blank
    nodes; reports made in several worker processes merge into one report only when every
    process labels the same shape alike. Costs about 0.3 s, once per process.
    """
    canonical = Graph(namespace_manager=_shapes().namespace_manager)
    for triple in to_canonical_graph(_shapes()):
        canonical.add(triple)
    return canonical


@lru_cache(maxsize=2)
def _owning_shapes(shapes: Graph) -> dict[object, object]:
    """Property shapes are blank nodes: report the named node shape that holds them."""
    return {prop: holder for holder, prop in shapes.subject_objects(SH.property)}


@lru_cache(maxsize=1)
def _term_labels() -> dict[str, dict[str, str]]:
    """language → {term IRI: label} for the ontology's terms, used in messages."""
    from pia_graph.rdf.ontology import ontology_graph

    labels: dict[str, dict[str, str]] = {"ja": {}, "en": {}}
    for term, label in ontology_graph().subject_objects(RDFS.label):
        if isinstance(label, Literal) and label.language in labels and str(term).startswith(str(V.PIA)):
            labels[label.language][str(term)] = str(label)
    return labels


def _with_labels(text: str, language: str) -> str:
    """{?path} arrives as a full IRI: name the field as the form does (ja) or in English."""
    labels = _term_labels().get(language, {})
    for iri in sorted(set(re.findall(re.escape(str(V.PIA)) + r"[A-Za-z0-9_]+", text)), key=len, reverse=True):
        if iri in labels:
            text = text.replace(iri, f"「{labels[iri]}」" if language == "ja" else f"'{labels[iri]}'")
    return text


def _message(report: Graph, node: BNode) -> tuple[str, str]:
    ja = en = ""
    plain = ""
    for message in report.objects(node, SH.resultMessage):
        if not isinstance(message, Literal):
            continue
        language = message.language or _guess_language(str(message))
        text = _readable(_with_labels(str(message), language or ""))
        if language == "ja":
            ja = ja or text
        elif language == "en":
            en = en or text
        else:
            plain = plain or text
    return ja or plain or en, en or plain or ja


def _guess_language(text: str) -> str | None:
    """pySHACL drops the language tag of a message it substitutes ``{?var}`` into; every
    Japanese message of our shapes starts with Japanese script, every English one with ASCII."""
    stripped = text.lstrip()
    if not stripped:
        return None
    return "en" if stripped[0].isascii() else "ja"


def _readable(text: str) -> str:
    """{?path} substitutions arrive as full IRIs; show project terms as prefixed names."""
    for namespace, prefix in ((str(V.PIA), "pia:"), (str(V.VOCAB), "piav:")):
        text = text.replace(f"<{namespace}", f"<{prefix}").replace(namespace, prefix)
    return text


def _assessment_of(graph: Graph, focus: object, assessments: list[URIRef]) -> URIRef | None:
    if len(assessments) == 1:
        return assessments[0]
    text = str(focus)
    matches = [a for a in assessments if text == str(a) or text.startswith(f"{a}/")]
    return max(matches, key=lambda a: len(str(a))) if matches else None


def _source_file(graph: Graph, assessment: URIRef | None) -> str | None:
    if assessment is None:
        return None
    for document in graph.objects(assessment, V.sourceDocument):
        for name in graph.objects(document, V.fileName):
            return str(name)
    return None


def _span_of(graph: Graph, focus: object, path: object) -> tuple[URIRef | None, bool]:
    """The source span of (focus, path); else one describing the focus; else the span of the
    fact that points at the focus (a legal basis → its provision's 法令上の根拠 line)."""
    spans = list(graph.subjects(V.describes, focus))
    spans = [s for s in spans if (s, RDF.type, V.SourceSpan) in graph]
    exact = [s for s in spans if path is not None and (s, V.aboutProperty, path) in graph]
    if exact:
        return min(exact, key=lambda s: _first(graph, s)), True
    for owner, prop in graph.subject_predicates(focus):
        for span in graph.subjects(V.describes, owner):
            if (span, V.aboutProperty, prop) in graph and (span, RDF.type, V.SourceSpan) in graph:
                return span, path is None
    if spans:
        return min(spans, key=lambda s: _first(graph, s)), False
    return None, False


def _first(graph: Graph, span: URIRef) -> int:
    value = graph.value(span, V.firstLine)
    return int(value) if value is not None else 0


def validate_graph(graph: Graph, shapes: Graph | None = None, *, keep_graph: bool = True) -> Report:
    """Validate one assessment graph; the report carries messages, paths and source lines.
    ``keep_graph=False`` drops the SHACL report graph once the results are read (only a Turtle
    report needs it)."""
    shapes = shapes if shapes is not None else _shapes()
    _, report_graph, _ = pyshacl.validate(
        with_prepared_queries(graph), shacl_graph=shapes, inference="none", allow_warnings=True, abort_on_first=False,
    )
    assessments = sorted(graph.subjects(RDF.type, V.Assessment), key=str)
    report = Report(graph=report_graph, assessments=list(assessments))
    severities = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
    for node in report_graph.objects(None, SH.result):
        focus = report_graph.value(node, SH.focusNode)
        path = report_graph.value(node, SH.resultPath)
        value = report_graph.value(node, SH.value)
        severity = severities.get(report_graph.value(node, SH.resultSeverity), "Violation")
        message_ja, message_en = _message(report_graph, node)
        if not message_en:
            component = report_graph.value(node, SH.sourceConstraintComponent)
            message_en = message_ja = f"{short(component)} on {short(path)}"
        assessment = _assessment_of(graph, focus, assessments)
        span, exact = _span_of(graph, focus, path)
        result = Result(
            severity=severity, message_ja=message_ja, message_en=message_en, assessment=assessment,
            focus_node=focus, path=path if isinstance(path, URIRef) else None, value=value,
            shape=_owning_shapes(shapes).get(report_graph.value(node, SH.sourceShape),
                                       report_graph.value(node, SH.sourceShape)),
            source_file=_source_file(graph, assessment),
        )
        if span is not None:
            first, last = graph.value(span, V.firstLine), graph.value(span, V.lastLine)
            page = graph.value(span, V.page)
            record_path = graph.value(span, V.recordPath)
            result.first_line = int(first) if first is not None else None
            result.last_line = int(last) if last is not None else result.first_line
            result.page = int(page) if page is not None else None
            result.record_path = str(record_path) if record_path is not None else None
            result.location_exact = exact
        if not result.location_exact and result.path is not None:
            # an abstained value has no span of its own; its record path is still exact
            for abstention in graph.subjects(V.describes, focus):
                if ((abstention, RDF.type, V.Abstention) in graph
                        and (abstention, V.aboutProperty, result.path) in graph):
                    result.record_path = str(graph.value(abstention, V.recordPath))
                    first = graph.value(abstention, V.firstLine)
                    if first is not None:
                        last, page = graph.value(abstention, V.lastLine), graph.value(abstention, V.page)
                        result.first_line = int(first)
                        result.last_line = int(last) if last is not None else int(first)
                        result.page = int(page) if page is not None else None
                        result.location_exact = True
                    break
        report.results.append(result)
        if keep_graph:
            report.annotate(node, result)
    if not keep_graph:
        report.graph = Graph()
    return report
