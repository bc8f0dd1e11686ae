"""Validation results: one ``Result`` per SHACL result, with both messages and the source line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from pia_graph import vocab as V

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def short(term: Any) -> str:
    """An IRI as a prefixed name where a project prefix fits, else the IRI itself."""
    if term is None:
        return ""
    text = str(term)
    for prefix, namespace in (("pia", V.PIA), ("piav", V.VOCAB), ("piaid", V.ID)):
        if text.startswith(str(namespace)):
            return f"{prefix}:{text[len(str(namespace)):]}"
    return text


@dataclass
class Result:
    severity: str                        # Violation | Warning | Info
    message_ja: str
    message_en: str
    assessment: URIRef | None
    focus_node: Any
    path: URIRef | None
    value: Any
    shape: Any
    source_file: str | None = None
    first_line: int | None = None
    last_line: int | None = None
    page: int | None = None
    record_path: str | None = None
    location_exact: bool = False         # the span is the offending value's own (not a neighbour's)

    def location(self) -> str:
        if self.first_line is None:
            return f"{self.source_file or '?'}"
        lines = (f"{self.first_line}" if self.first_line == self.last_line
                 else f"{self.first_line}-{self.last_line}")
        page = f" p.{self.page}" if self.page is not None else ""
        approximate = "" if self.location_exact else "~"
        return f"{self.source_file or '?'}:{approximate}{lines}{page}"

    def to_text(self) -> str:
        value = f" value={short(self.value)}" if self.value is not None and self.value != self.focus_node else ""
        shape = f" [{str(self.shape).rsplit('#', 1)[-1]}]" if isinstance(self.shape, URIRef) else ""
        return (f"{self.severity.upper()} {self.location()} {short(self.focus_node)}"
                f" {short(self.path) or '-'}{value}{shape}: {self.message_en} / {self.message_ja}")

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "message": {"ja": self.message_ja, "en": self.message_en},
            "assessment": str(self.assessment) if self.assessment else None,
            "focus_node": str(self.focus_node),
            "path": str(self.path) if self.path is not None else None,
            "value": None if self.value is None else str(self.value),
            "shape": None if isinstance(self.shape, BNode) or self.shape is None else str(self.shape),
            "source": {
                "file": self.source_file,
                "record_path": self.record_path,
                "first_line": self.first_line,
                "last_line": self.last_line,
                "page": self.page,
                "exact": self.location_exact,
            },
        }


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)     # the SHACL validation report(s)
    assessments: list[URIRef] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # inputs that could not be validated

    @property
    def conforms(self) -> bool:
        """No Violation (warnings and infos do not fail validation)."""
        return not any(r.severity == "Violation" for r in self.results)

    def counts(self) -> dict[str, int]:
        counts = {"Violation": 0, "Warning": 0, "Info": 0}
        for result in self.results:
            counts[result.severity] = counts.get(result.severity, 0) + 1
        return counts

    def extend(self, other: Report) -> None:
        self.results.extend(other.results)
        self.assessments.extend(other.assessments)
        self.errors.extend(other.errors)
        for triple in other.graph:
            self.graph.add(triple)

    def sorted_results(self) -> list[Result]:
        # the value and message break ties: pySHACL's order follows set iteration, which changes
        # with each process's hash seed
        return sorted(self.results, key=lambda r: (str(r.assessment), SEVERITY_ORDER.get(r.severity, 9),
                                                   r.first_line or 0, str(r.focus_node), str(r.path),
                                                   str(r.value), r.message_en))

    def to_text(self) -> str:
        lines = [result.to_text() for result in self.sorted_results()]
        counts = self.counts()
        if not self.assessments and self.errors:
            lines.append(f"no assessment validated ({len(self.errors)} input error(s))")
        else:
            errors = f"; {len(self.errors)} input error(s)" if self.errors else ""
            lines.append(f"{len(self.assessments)} assessment(s): {counts['Violation']} violation(s), "
                         f"{counts['Warning']} warning(s), {counts['Info']} info; "
                         f"{'conforms' if self.conforms else 'does not conform'}{errors}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        return "".join(self.json_chunks())

    def json_chunks(self) -> Iterator[str]:
        """``to_json`` in pieces, one result at a time: a national report is written without
        first building its whole text (which took most of ``validate``'s memory)."""
        def dumped(value: Any, depth: int) -> str:
            # nested indentation is the outer one added to every line after the first
            return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * depth)

        yield "{\n"
        for key, value in (("conforms", self.conforms), ("counts", self.counts()),
                           ("assessments", [str(a) for a in self.assessments]), ("errors", self.errors)):
            yield f'  "{key}": {dumped(value, 1)},\n'
        results = self.sorted_results()
        if not results:
            yield '  "results": []\n}\n'
            return
        yield '  "results": [\n'
        for index, result in enumerate(results):
            yield f"    {dumped(result.to_json(), 2)}{',' if index < len(results) - 1 else ''}\n"
        yield "  ]\n}\n"

    def to_turtle(self) -> str:
        """One sh:ValidationReport over every assessment; results carry their source lines
        (pia:recordPath, pia:firstLine, pia:lastLine) as extra triples."""
        combined = Graph()
        combined.bind("sh", SH)
        combined.bind("pia", V.PIA)
        report = BNode()
        combined.add((report, RDF.type, SH.ValidationReport))
        combined.add((report, SH.conforms, Literal(self.conforms)))
        for s, p, o in self.graph:
            if p == SH.result:
                combined.add((report, SH.result, o))
            elif (s, RDF.type, SH.ValidationReport) in self.graph or p == SH.conforms:
                continue
            else:
                combined.add((s, p, o))
        return combined.serialize(format="turtle")

    def annotate(self, node: BNode, result: Result) -> None:
        if result.record_path:
            self.graph.add((node, V.recordPath, Literal(result.record_path)))
        if result.first_line is not None:
            self.graph.add((node, V.firstLine, Literal(result.first_line, datatype=XSD.integer)))
            self.graph.add((node, V.lastLine, Literal(result.last_line, datatype=XSD.integer)))


@dataclass
class PortableReport:
    """A report as it crosses from a worker process: the results, and the SHACL report graph as
    N-Triples (an rdflib graph does not pickle cheaply)."""

    results: list[Result]
    assessments: list[URIRef]
    errors: list[str]
    graph_ntriples: str

    @classmethod
    def of(cls, report: Report) -> PortableReport:
        graph = report.graph.serialize(format="nt") if len(report.graph) else ""
        return cls(report.results, report.assessments, report.errors, graph)

    def to_report(self, blank_nodes: dict[str, BNode]) -> Report:
        """``blank_nodes`` (label → node) is shared by every part, so that a shape node every
        report copies stays one node (workers label shapes alike, see
        ``shapes_labelled_by_content``); result nodes have labels unique to their process."""
        graph = Graph()
        if self.graph_ntriples:
            graph.parse(data=self.graph_ntriples, format="nt", bnode_context=blank_nodes)
        return Report(results=self.results, graph=graph, assessments=self.assessments, errors=self.errors)
