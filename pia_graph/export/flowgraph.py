"""The data-flow graph of the assessments in a SPARQL source, as a networkx ``MultiDiGraph``.

Nodes (``kind``): ``body`` (評価実施機関), ``department`` (部署), ``system`` (システム),
``file`` (特定個人情報ファイル), ``contractor`` (委託先), ``subcontractor`` (再委託先 that is never a
direct 委託先), ``recipient`` (提供先・移転先) and ``law`` (法令). Node ids are the resources' IRIs.

Edges (``kind``): the hops of a flow — ``entrust`` (委託: file → contractor), ``subcontract``
(再委託: contractor → sub-contractor), ``provide`` (提供: file → recipient), ``transfer`` (移転:
file → recipient) — and the structure around them: ``unit`` (body → department), ``holds``
(department, or body when no department is printed → file), ``uses`` (department/body → system)
and ``cites`` (file → law for a hop's legal basis; body → law for the 事務's legal bases).
Edge keys are the IRIs of the resources behind them (one 委託事項, one 提供先 …), so two
provisions to the same recipient stay two edges.

Every node and edge carries ``sources``: where its facts were read (document, first/last line,
page when the record came from a PDF, JSON Pointer).

The graph is fetched with a fixed handful of SELECTs over the whole source (not one per node), and
filtered in Python, so the cost grows with the size of the answer, not with the number of queries.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx
from rdflib.term import Identifier, Literal

from pia_graph import vocab
from pia_graph.store.base import SparqlSource

NODE_KINDS: tuple[str, ...] = (
    "body", "department", "system", "file", "contractor", "subcontractor", "recipient", "law",
)
NODE_KIND_LABELS: dict[str, str] = {
    "body": "評価実施機関", "department": "部署", "system": "システム", "file": "特定個人情報ファイル",
    "contractor": "委託先", "subcontractor": "再委託先", "recipient": "提供先・移転先", "law": "法令",
}
HOP_KINDS: tuple[str, ...] = ("entrust", "subcontract", "provide", "transfer")
EDGE_KINDS: tuple[str, ...] = (*HOP_KINDS, "unit", "holds", "uses", "cites")
EDGE_KIND_LABELS: dict[str, str] = {
    "entrust": "委託", "subcontract": "再委託", "provide": "提供", "transfer": "移転",
    "unit": "部署", "holds": "保有", "uses": "使用", "cites": "根拠法令",
}
METHOD_LABELS: dict[str, str] = {slug: label for label, slug in vocab.METHOD_CONCEPTS.items()}
UNNAMED_SUBCONTRACTOR = "（再委託先名の記載なし）"

_PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in vocab.PREFIXES.items()) + "\n"


@dataclass(frozen=True)
class FlowFilters:
    """Which hops to keep. Every given filter must match (AND); an empty filter keeps everything.

    Text filters are case-insensitive substring matches on every spelling of a label, after NFKC
    normalisation with white space removed (so 全角/半角 and 株式会社　Ａ / 株式会社A match alike):
    - ``body``: the assessing body's name; ``business``: the 事務 name;
    - ``recipient``: the recipient (keeps only 提供/移転 hops); ``contractor``: the contractor or
      sub-contractor at either end (keeps only 委託/再委託 hops);
    - ``method``: a 提供方法/移転方法 label (e.g. 電子メール) or its concept name (e.g. ``email``),
      also the その他 text (keeps only 提供/移転 hops);
    - ``assessment``: the assessment number, title, IRI or source file name.
    ``assessment_iris`` (exact IRIs) is used for one-diagram-per-assessment output.
    Without a hop filter (recipient, contractor, method) every kept assessment is drawn whole,
    including files without any hop, its systems and the laws its 事務 cites; with one, only the
    kept hops and the body → department → file path leading to them.
    """

    body: str | None = None
    business: str | None = None
    recipient: str | None = None
    contractor: str | None = None
    method: str | None = None
    assessment: str | None = None
    assessment_iris: frozenset[str] | None = None

    def is_empty(self) -> bool:
        return not any((self.body, self.business, self.recipient, self.contractor, self.method,
                        self.assessment, self.assessment_iris))

    def describe(self) -> str:
        parts = [f"{name}={value}" for name, value in (
            ("body", self.body), ("business", self.business), ("recipient", self.recipient),
            ("contractor", self.contractor), ("method", self.method), ("assessment", self.assessment),
        ) if value]
        if self.assessment_iris:
            parts.append("assessment_iris=" + ",".join(sorted(self.assessment_iris)))
        return "; ".join(parts)


def normalise(text: str) -> str:
    """The form text filters and searches compare: NFKC, case-folded, without white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _matches(needle: str | None, haystack: Iterable[str]) -> bool:
    if not needle:
        return True
    wanted = normalise(needle)
    return any(wanted in normalise(text) for text in haystack if text)


@dataclass
class _Assessment:
    iri: str
    number: str = ""
    title: str = ""
    body: str | None = None
    document: str = ""
    businesses: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        head = f"評価書{self.number}" if self.number else ""
        return " ".join(p for p in (head, self.title) if p) or self.iri


def _text(term: Identifier | None) -> str:
    return "" if term is None else str(term)


def _int(term: Identifier | None) -> int | None:
    if term is None:
        return None
    try:
        return int(term.toPython()) if isinstance(term, Literal) else int(str(term))
    except (TypeError, ValueError):
        return None


def _method_label(concept: str) -> str:
    prefix = str(vocab.METHOD_SCHEME) + "/"
    if concept.startswith(prefix):
        slug = concept[len(prefix):]
        return METHOD_LABELS.get(slug, slug)
    return concept


# --- the SELECTs -----------------------------------------------------------------------------

Q_ASSESSMENTS = _PREFIXES + """
SELECT DISTINCT ?a ?number ?title ?body ?doc WHERE {
  ?a a pia:Assessment .
  OPTIONAL { ?a pia:assessmentNumber ?number }
  OPTIONAL { ?a pia:title ?title }
  OPTIONAL { ?a pia:assessedBy ?body }
  OPTIONAL { ?a pia:sourceDocument ?d . ?d pia:fileName ?doc }
}"""

Q_BUSINESSES = _PREFIXES + """
SELECT DISTINCT ?a ?biz ?bizName ?dept ?system ?basisKind ?basis WHERE {
  ?a pia:concernsBusiness ?biz .
  OPTIONAL { ?biz pia:name ?bizName }
  OPTIONAL { ?biz pia:responsibleDepartment ?dept }
  OPTIONAL { ?biz pia:usesSystem ?system }
  OPTIONAL { VALUES ?basisKind { pia:myNumberLegalBasis pia:infoNetworkLegalBasis }
             ?biz ?basisKind ?basis }
}"""

# Under a union default graph a triple that several assessments share (a law's name, a
# contractor's label) comes back once per graph, so every join on shared resources below first
# reduces one side to DISTINCT rows in a sub-select; otherwise duplicates multiply and a query
# that should grow with the data grows with its square.
Q_NAMES = _PREFIXES + """
SELECT DISTINCT ?x ?type ?name ?prop (LANG(?name) AS ?lang) WHERE {
  { SELECT DISTINCT ?x ?type WHERE {
      VALUES ?type { pia:AssessingBody pia:Department pia:System pia:PersonalInfoFile pia:Contractor
                     pia:Recipient pia:Law pia:Business }
      ?x a ?type } }
  { ?x pia:name ?name BIND(pia:name AS ?prop) }
  UNION { ?x rdfs:label ?name BIND(rdfs:label AS ?prop) }
  UNION { ?x skos:prefLabel ?name BIND(skos:prefLabel AS ?prop) }
  UNION { ?x skos:altLabel ?name BIND(skos:altLabel AS ?prop) }
}"""

Q_FILES = _PREFIXES + """
SELECT DISTINCT ?a ?file WHERE { ?a pia:hasFile ?file }"""

Q_ENTRUSTMENTS = _PREFIXES + """
SELECT DISTINCT ?a ?file ?e ?contractor ?etitle ?content WHERE {
  ?a pia:hasFile ?file . ?file pia:hasEntrustment ?e .
  OPTIONAL { ?e pia:contractor ?contractor }
  OPTIONAL { ?e pia:entrustmentTitle ?etitle }
  OPTIONAL { ?e pia:content ?content }
}"""

Q_SUBCONTRACTS = _PREFIXES + """
SELECT DISTINCT ?parent ?s ?sub ?items WHERE {
  ?parent pia:hasSubcontract ?s .
  OPTIONAL { ?s pia:subcontractor ?sub }
  OPTIONAL { ?s pia:subcontractItems ?items }
}"""

Q_HANDOVERS = _PREFIXES + """
SELECT DISTINCT ?a ?file ?h ?link ?recipient ?purpose ?info ?timing ?other ?lb ?ownText WHERE {
  VALUES ?link { pia:hasProvision pia:hasTransfer }
  ?a pia:hasFile ?file . ?file ?link ?h .
  OPTIONAL { ?h pia:recipient ?recipient }
  OPTIONAL { ?h pia:purpose ?purpose }
  OPTIONAL { ?h pia:information ?info }
  OPTIONAL { ?h pia:timing ?timing }
  OPTIONAL { ?h pia:methodOther ?other }
  OPTIONAL { ?h pia:legalBasis ?lb }
  OPTIONAL { ?h pia:legalText ?ownText }
}"""

Q_METHODS = _PREFIXES + """
SELECT DISTINCT ?h ?method WHERE { ?h pia:method ?method }"""

Q_LAWS = _PREFIXES + """
SELECT DISTINCT ?lb ?law WHERE {
  ?lb pia:cites ?c .
  { SELECT DISTINCT ?c ?law WHERE { ?c pia:law ?law } }
}"""

Q_LAW_IDS = _PREFIXES + """
SELECT DISTINCT ?law ?lawId WHERE { ?law pia:eGovLawId ?lawId }"""

Q_BASIS_TEXTS = _PREFIXES + """
SELECT DISTINCT ?lb ?legalText WHERE { ?lb a pia:LegalBasis ; pia:legalText ?legalText }"""

# Only the spans an exported fact needs: everything said about a 委託/再委託/提供/移転 and its
# legal basis, and where the names of files, systems, bodies and departments were printed
# (not the risk-measure answers or change rows, which are most spans of a full assessment).
Q_SPANS = _PREFIXES + """
SELECT ?g ?x ?first ?last ?page ?prop ?path WHERE {
  GRAPH ?g {
    VALUES ?type { pia:Entrustment pia:Subcontract pia:Provision pia:Transfer pia:LegalBasis }
    ?x a ?type .
    ?span pia:describes ?x ; pia:firstLine ?first .
    OPTIONAL { ?span pia:aboutProperty ?prop }
    OPTIONAL { ?span pia:lastLine ?last }
    OPTIONAL { ?span pia:page ?page }
    OPTIONAL { ?span pia:recordPath ?path }
  }
}"""

Q_NAME_SPANS = _PREFIXES + """
SELECT ?g ?x ?first ?last ?page ?prop ?path WHERE {
  GRAPH ?g {
    VALUES ?prop { pia:name pia:assessedBy pia:responsibleDepartment }
    ?span pia:aboutProperty ?prop ; pia:describes ?x ; pia:firstLine ?first .
    OPTIONAL { ?span pia:lastLine ?last }
    OPTIONAL { ?span pia:page ?page }
    OPTIONAL { ?span pia:recordPath ?path }
  }
}"""


def _source(document: str, first: int | None, last: int | None, page: int | None,
            path: str, prop: str) -> dict[str, Any]:
    return {"document": document, "first": first or 0, "last": last or first or 0,
            "page": page or 0, "path": path, "property": prop}


def source_text(src: dict[str, Any]) -> str:
    """``doc.txt:12-14 p.3 /files/0/name`` — one source span as text."""
    lines = f"{src['first']}" if src["first"] == src["last"] else f"{src['first']}-{src['last']}"
    out = f"{src['document']}:{lines}"
    if src.get("page"):
        out += f" p.{src['page']}"
    if src.get("path"):
        out += f" {src['path']}"
    return out


class _Fetched:
    """Everything the SELECTs returned, grouped by resource."""

    def __init__(self, source: SparqlSource) -> None:
        self.assessments: dict[str, _Assessment] = {}
        for row in source.select(Q_ASSESSMENTS):
            a = self.assessments.setdefault(_text(row["a"]), _Assessment(_text(row["a"])))
            a.number = a.number or _text(row.get("number"))
            a.title = a.title or _text(row.get("title"))
            a.body = a.body or (_text(row["body"]) if "body" in row else None)
            a.document = a.document or _text(row.get("doc"))

        self.names: dict[str, list[str]] = defaultdict(list)
        self.types: dict[str, set[str]] = defaultdict(set)
        # the display label: the resolved (canonical) rdfs:label in Japanese or without language,
        # then skos:prefLabel, then the name as printed; English labels and altLabels last
        priority = {"http://www.w3.org/2000/01/rdf-schema#label": 0,
                    "http://www.w3.org/2004/02/skos/core#prefLabel": 1, str(vocab.PIA.name): 2}
        ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for row in source.select(Q_NAMES):
            x = _text(row["x"])
            self.types[x].add(_text(row["type"]))
            rank = priority.get(_text(row["prop"]), 3)
            if _text(row.get("lang")) not in ("", "ja"):
                rank = 4
            ranked[x].append((rank, _text(row["name"])))
        for x, pairs in ranked.items():
            seen: dict[str, None] = {}
            for _, name in sorted(pairs):
                seen.setdefault(name, None)
            self.names[x] = list(seen)

        self.business_of: dict[str, list[tuple[str, str]]] = defaultdict(list)  # a → (biz, name)
        self.department_of: dict[str, list[str]] = defaultdict(list)             # a → depts
        self.systems_of: dict[str, dict[str, str]] = defaultdict(dict)         # a → system → biz
        self.business_bases: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)  # a → lb → (biz, kind)
        for row in source.select(Q_BUSINESSES):
            a, biz = _text(row["a"]), _text(row["biz"])
            name = _text(row.get("bizName")) or (self.names.get(biz) or [""])[0]
            if (biz, name) not in self.business_of[a]:
                self.business_of[a].append((biz, name))
            if "dept" in row and _text(row["dept"]) not in self.department_of[a]:
                self.department_of[a].append(_text(row["dept"]))
            if "system" in row:
                self.systems_of[a].setdefault(_text(row["system"]), name)
            if "basis" in row:
                kind = "myNumberLegalBasis" if _text(row["basisKind"]).endswith("myNumberLegalBasis") \
                    else "infoNetworkLegalBasis"
                self.business_bases[a].setdefault(_text(row["basis"]), (name, kind))
        for a, pairs in self.business_of.items():
            if a in self.assessments:
                self.assessments[a].businesses = [name for _, name in pairs if name]

        self.files: dict[str, list[str]] = defaultdict(list)  # a → files
        for row in source.select(Q_FILES):
            a, f = _text(row["a"]), _text(row["file"])
            if f not in self.files[a]:
                self.files[a].append(f)

        self.entrustments: dict[str, dict[str, Any]] = {}
        for row in source.select(Q_ENTRUSTMENTS):
            e = self.entrustments.setdefault(_text(row["e"]), {
                "a": _text(row["a"]), "file": _text(row["file"]), "contractor": None,
                "title": "", "content": ""})
            e["contractor"] = e["contractor"] or (_text(row["contractor"]) if "contractor" in row else None)
            e["title"] = e["title"] or _text(row.get("etitle"))
            e["content"] = e["content"] or _text(row.get("content"))

        self.subcontracts: dict[str, dict[str, Any]] = {}
        for row in source.select(Q_SUBCONTRACTS):
            s = self.subcontracts.setdefault(_text(row["s"]), {
                "parent": _text(row["parent"]), "sub": None, "items": ""})
            s["sub"] = s["sub"] or (_text(row["sub"]) if "sub" in row else None)
            s["items"] = s["items"] or _text(row.get("items"))
        self.sub_children: dict[str, list[str]] = defaultdict(list)  # parent → subcontracts
        for s_iri, s in sorted(self.subcontracts.items()):
            self.sub_children[s["parent"]].append(s_iri)

        self.handovers: dict[str, dict[str, Any]] = {}
        for row in source.select(Q_HANDOVERS):
            h = self.handovers.setdefault(_text(row["h"]), {
                "a": _text(row["a"]), "file": _text(row["file"]),
                "kind": "provide" if _text(row["link"]).endswith("hasProvision") else "transfer",
                "recipient": None, "purpose": "", "information": "", "timing": "", "other": "",
                "bases": [], "own_text": ""})
            h["own_text"] = h["own_text"] or _text(row.get("ownText"))
            h["recipient"] = h["recipient"] or (_text(row["recipient"]) if "recipient" in row else None)
            for key, var in (("purpose", "purpose"), ("information", "info"), ("timing", "timing"),
                             ("other", "other")):
                h[key] = h[key] or _text(row.get(var))
            if "lb" in row and _text(row["lb"]) not in h["bases"]:
                h["bases"].append(_text(row["lb"]))

        self.methods: dict[str, list[str]] = defaultdict(list)
        for row in source.select(Q_METHODS):
            label = _method_label(_text(row["method"]))
            if label not in self.methods[_text(row["h"])]:
                self.methods[_text(row["h"])].append(label)
        form_order = {label: i for i, label in enumerate(vocab.METHOD_CONCEPTS)}
        for labels in self.methods.values():
            labels.sort(key=lambda m: (form_order.get(m, len(form_order)), m))  # as printed on the form

        self.basis_text: dict[str, str] = {}
        for row in source.select(Q_BASIS_TEXTS):
            self.basis_text.setdefault(_text(row["lb"]), _text(row["legalText"]))
        self.laws_of_basis: dict[str, list[str]] = defaultdict(list)
        self.law_ids: dict[str, str] = {}
        for row in source.select(Q_LAWS):
            lb, law = _text(row["lb"]), _text(row["law"])
            if law not in self.laws_of_basis[lb]:
                self.laws_of_basis[lb].append(law)
        for row in source.select(Q_LAW_IDS):
            self.law_ids.setdefault(_text(row["law"]), _text(row["lawId"]))

        # indexes, so that one assessment's graph is built without scanning everyone's hops
        self.entrustments_of: dict[str, list[str]] = defaultdict(list)
        for e_iri, e in self.entrustments.items():
            self.entrustments_of[e["a"]].append(e_iri)
        self.handovers_of: dict[str, list[str]] = defaultdict(list)
        for h_iri, h in self.handovers.items():
            self.handovers_of[h["a"]].append(h_iri)
        self.subcontracts_below: dict[str, list[str]] = {
            e_iri: [s for s in self._below(e_iri)] for e_iri in self.entrustments}

        documents = {a.iri: a.document for a in self.assessments.values()}
        self.sources: dict[str, list[dict[str, Any]]] = defaultdict(list)
        rows = source.select(Q_SPANS) + source.select(Q_NAME_SPANS)
        for row in rows:
            g = _text(row["g"])
            self.sources[_text(row["x"])].append(_source(
                documents.get(g, "") or g, _int(row.get("first")), _int(row.get("last")),
                _int(row.get("page")), _text(row.get("path")),
                _text(row.get("prop")).rsplit("#", 1)[-1]))
        for spans in self.sources.values():
            spans.sort(key=lambda s: (s["document"], s["first"], s["last"], s["path"]))

    def _below(self, e_iri: str) -> list[str]:
        out, todo, seen = [], [e_iri], {e_iri}
        while todo:
            for child in self.sub_children.get(todo.pop(), []):
                if child not in seen:
                    seen.add(child)
                    out.append(child)
                    todo.append(child)
        return out

    def spans_about(self, iri: str, prop: str) -> list[dict[str, Any]]:
        """The spans of a flow resource that say where the name of its counterpart was read."""
        return [s for s in self.sources.get(iri, []) if s["property"] == prop]

    def label(self, iri: str | None) -> str:
        if iri is None:
            return ""
        names = self.names.get(iri)
        if names:
            return names[0]
        if iri in self.law_ids:
            return self.law_ids[iri]
        return iri.rsplit("/", 1)[-1]


def flow_graph(source: SparqlSource, filters: FlowFilters | None = None) -> nx.MultiDiGraph:
    """Build the flow graph of every assessment in ``source`` that passes ``filters``."""
    filters = filters or FlowFilters()
    data = _Fetched(source)
    return _build(data, filters)


def per_assessment_graphs(source: SparqlSource, filters: FlowFilters | None = None
                          ) -> Iterator[tuple[str, str, str, nx.MultiDiGraph]]:
    """(assessment IRI, number, label, flow graph) for each assessment that passes ``filters``
    and has something to draw; the SELECTs run once for all of them."""
    filters = filters or FlowFilters()
    data = _Fetched(source)
    for iri, a in sorted(data.assessments.items(), key=lambda item: (item[1].label, item[0])):
        if not _assessment_passes(a, data, filters):
            continue
        one = _build(data, replace(filters, assessment_iris=frozenset({iri})))
        if one.number_of_nodes():
            yield iri, a.number, a.label, one


def _assessment_passes(a: _Assessment, data: _Fetched, filters: FlowFilters) -> bool:
    if filters.assessment_iris is not None and a.iri not in filters.assessment_iris:
        return False
    if not _matches(filters.body, data.names.get(a.body or "", [])):
        return False
    if filters.business and not _matches(filters.business, a.businesses):
        return False
    if filters.assessment and not _matches(
            filters.assessment, (a.number, a.title, a.iri, a.document, a.label)):
        return False
    return True


def _build(data: _Fetched, filters: FlowFilters) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="pia-graph data flows", filters=filters.describe())
    kept = {iri: a for iri, a in data.assessments.items() if _assessment_passes(a, data, filters)}
    hop_filter = bool(filters.recipient or filters.contractor or filters.method)

    def context(a: _Assessment) -> dict[str, Any]:
        return {"assessment": a.iri, "assessment_label": a.label,
                "body": data.label(a.body), "business": " / ".join(a.businesses),
                "department": " / ".join(data.label(d) for d in data.department_of.get(a.iri, [])),
                "document": a.document}

    seen: dict[str, tuple[set[tuple[Any, ...]], set[str]]] = {}

    def json_key(src: dict[str, Any]) -> tuple[Any, ...]:
        return (src["document"], src["first"], src["last"], src["page"], src["path"], src["property"])

    def add_node(iri: str, kind: str, a: _Assessment | None, *, label: str | None = None,
                 extra_sources: Iterable[dict[str, Any]] = ()) -> None:
        if iri not in graph:
            graph.add_node(iri, kind=kind, label=label or data.label(iri),
                           spellings=list(data.names.get(iri, [])) or [label or data.label(iri)],
                           assessments=[], assessment_labels=[], roles=[],
                           sources=list(data.sources.get(iri, [])))
            seen[iri] = ({json_key(s) for s in graph.nodes[iri]["sources"]}, set())
        attrs = graph.nodes[iri]
        seen_sources, seen_assessments = seen[iri]  # sets: shared nodes gather thousands of these
        if kind == "contractor" and attrs["kind"] == "subcontractor":
            attrs["kind"] = "contractor"  # a direct 委託先 somewhere: contractor wins
        if kind not in attrs["roles"]:
            attrs["roles"].append(kind)
        if a is not None and a.iri not in seen_assessments:
            seen_assessments.add(a.iri)
            attrs["assessments"].append(a.iri)
            attrs["assessment_labels"].append(a.label)
        for src in extra_sources:
            if json_key(src) not in seen_sources:
                seen_sources.add(json_key(src))
                attrs["sources"].append(src)

    # --- hops ---------------------------------------------------------------------------------
    hop_files: set[tuple[str, str]] = set()       # (assessment, file) with a kept hop
    hop_assessments: set[str] = set()
    entrust_keep: dict[str, bool] = {}
    entrustments = sorted((e_iri, data.entrustments[e_iri]) for a_iri in kept
                          for e_iri in data.entrustments_of.get(a_iri, []))
    for e_iri, e in entrustments:
        a = kept.get(e["a"])
        if a is None or filters.recipient or filters.method:
            continue
        contractor = e["contractor"]
        names = data.names.get(contractor or "", [])
        chain_names = list(names)
        # a contractor filter keeps the 委託 whose chain reaches a matching sub-contractor too
        for s in _chain(e_iri, data):
            chain_names.extend(data.names.get(s["sub"] or "", []))
        if filters.contractor and not _matches(filters.contractor, chain_names):
            continue
        entrust_keep[e_iri] = True
        target = contractor or f"{e_iri}#contractor"
        add_node(e["file"], "file", a)
        add_node(target, "contractor", a, label=None if contractor else "（委託先名の記載なし）",
                 extra_sources=data.spans_about(e_iri, "contractor"))
        graph.add_edge(e["file"], target, key=e_iri, kind="entrust", label=EDGE_KIND_LABELS["entrust"],
                       **context(a), file=data.label(e["file"]), target_label=graph.nodes[target]["label"],
                       methods=[], method_other="", legal_basis="", laws=[], timing="", purpose="",
                       information="", title=e["title"], content=e["content"], subcontract_items="",
                       parent="", entrustment=e_iri, depth=1, sources=list(data.sources.get(e_iri, [])))
        hop_files.add((a.iri, e["file"]))
        hop_assessments.add(a.iri)

    for s_iri, s in sorted((s_iri, data.subcontracts[s_iri]) for e_iri, _e in entrustments
                           for s_iri in data.subcontracts_below.get(e_iri, [])):
        root, depth = _root_entrustment(s_iri, data)
        if root is None or not entrust_keep.get(root):
            continue
        e = data.entrustments[root]
        a = kept[e["a"]]
        parent = s["parent"]
        if parent in data.entrustments:
            origin = data.entrustments[parent]["contractor"] or f"{parent}#contractor"
        else:
            origin = data.subcontracts[parent]["sub"] or f"{parent}#subcontractor"
        target = s["sub"] or f"{s_iri}#subcontractor"
        if origin not in graph:
            add_node(origin, "subcontractor", a, label=UNNAMED_SUBCONTRACTOR)
        add_node(target, "subcontractor", a, label=None if s["sub"] else UNNAMED_SUBCONTRACTOR,
                 extra_sources=data.spans_about(s_iri, "subcontractor"))
        graph.add_edge(origin, target, key=s_iri, kind="subcontract", label=EDGE_KIND_LABELS["subcontract"],
                       **context(a), file=data.label(e["file"]), target_label=graph.nodes[target]["label"],
                       methods=[], method_other="", legal_basis="", laws=[], timing="", purpose="",
                       information="", title=e["title"], content="", subcontract_items=s["items"],
                       parent=parent, entrustment=root, depth=depth + 1,
                       sources=list(data.sources.get(s_iri, [])))

    for h_iri, h in sorted((h_iri, data.handovers[h_iri]) for a_iri in kept
                           for h_iri in data.handovers_of.get(a_iri, [])):
        a = kept.get(h["a"])
        if a is None or filters.contractor:
            continue
        if not _matches(filters.recipient, data.names.get(h["recipient"] or "", [])):
            continue
        methods = data.methods.get(h_iri, [])
        if filters.method:
            slugs = [vocab.METHOD_CONCEPTS.get(m, m) for m in methods]
            if not _matches(filters.method, [*methods, *slugs, h["other"]]):
                continue
        target = h["recipient"] or f"{h_iri}#recipient"
        add_node(h["file"], "file", a)
        add_node(target, "recipient", a, label=None if h["recipient"] else "（提供先名の記載なし）",
                 extra_sources=data.spans_about(h_iri, "recipient"))
        graph.nodes[target]["roles"] = sorted(set(graph.nodes[target]["roles"]) | {h["kind"]})
        laws: list[str] = []
        for lb in h["bases"]:
            for law in data.laws_of_basis.get(lb, []):
                if law not in laws:
                    laws.append(law)
        # a printed ― (no basis) stays on the provision itself as its legalText
        legal_text = " / ".join(t for t in (data.basis_text.get(lb, "") for lb in h["bases"]) if t) \
            or h["own_text"]
        spans = list(data.sources.get(h_iri, []))
        for lb in h["bases"]:
            spans.extend(s for s in data.sources.get(lb, []) if s not in spans)
        graph.add_edge(h["file"], target, key=h_iri, kind=h["kind"], label=EDGE_KIND_LABELS[h["kind"]],
                       **context(a), file=data.label(h["file"]), target_label=graph.nodes[target]["label"],
                       methods=list(methods), method_other=h["other"], legal_basis=legal_text,
                       laws=[data.label(law) for law in laws], timing=h["timing"], purpose=h["purpose"],
                       information=h["information"], title="", content="", subcontract_items="",
                       parent="", entrustment="", depth=0, sources=spans)
        for law in laws:
            add_node(law, "law", a)
            graph.add_edge(h["file"], law, key=f"{h_iri}#cites:{law}", kind="cites",
                           label=EDGE_KIND_LABELS["cites"], **context(a), file=data.label(h["file"]),
                           target_label=graph.nodes[law]["label"], methods=[], method_other="",
                           legal_basis=legal_text, laws=[data.label(law)], timing="", purpose="",
                           information="", title="", content="", subcontract_items="", parent="",
                           entrustment="", depth=0, sources=spans)
        hop_files.add((a.iri, h["file"]))
        hop_assessments.add(a.iri)

    # --- structure ----------------------------------------------------------------------------
    # without a hop filter the kept assessments are drawn whole (every file, system, cited law)
    structure_assessments = kept if not hop_filter else {i: kept[i] for i in hop_assessments}
    for a_iri, a in sorted(structure_assessments.items()):
        body = a.body or f"{a_iri}#body"
        add_node(body, "body", a, label=None if a.body else "（評価実施機関名の記載なし）")
        departments = data.department_of.get(a_iri, [])
        for dept in departments:
            add_node(dept, "department", a)
            _add_structure(graph, body, dept, "unit", a_iri, context(a), data.label(dept))
        holder = departments[0] if departments else body
        for f in data.files.get(a_iri, []):
            if hop_filter and (a_iri, f) not in hop_files:
                continue
            add_node(f, "file", a)
            _add_structure(graph, holder, f, "holds", a_iri, context(a), data.label(f))
        if hop_filter:
            continue
        for system in data.systems_of.get(a_iri, {}):
            add_node(system, "system", a)
            _add_structure(graph, holder, system, "uses", a_iri, context(a), data.label(system))
        for lb, (_biz, basis_kind) in data.business_bases.get(a_iri, {}).items():
            for law in data.laws_of_basis.get(lb, []):
                add_node(law, "law", a)
                _add_structure(graph, body, law, "cites", a_iri, context(a), data.label(law),
                               legal_basis=data.basis_text.get(lb, ""), basis_kind=basis_kind,
                               sources=list(data.sources.get(lb, [])))
    return graph


def _add_structure(graph: nx.MultiDiGraph, u: str, v: str, kind: str, a_iri: str,
                   ctx: dict[str, Any], target_label: str, *, legal_basis: str = "",
                   basis_kind: str = "", sources: list[dict[str, Any]] | None = None) -> None:
    key = f"{a_iri}#{kind}:{u}>{v}"
    if graph.has_edge(u, v, key):
        return
    graph.add_edge(u, v, key=key, kind=kind, label=EDGE_KIND_LABELS[kind], **ctx, file="",
                   target_label=target_label, methods=[], method_other="", legal_basis=legal_basis,
                   laws=[target_label] if kind == "cites" else [], timing="", purpose="", information="",
                   title=basis_kind, content="", subcontract_items="", parent="", entrustment="", depth=0,
                   sources=sources or [])


def _root_entrustment(s_iri: str, data: _Fetched) -> tuple[str | None, int]:
    """The 委託 a 再委託 hangs from, and how many 再委託 links lie between them."""
    depth, current, seen = 0, s_iri, set()
    while current in data.subcontracts and current not in seen:
        seen.add(current)
        depth += 1
        current = data.subcontracts[current]["parent"]
    return (current, depth) if current in data.entrustments else (None, depth)


def _chain(e_iri: str, data: _Fetched) -> list[dict[str, Any]]:
    """Every 再委託 below one 委託 (any depth)."""
    return [data.subcontracts[s] for s in data.subcontracts_below.get(e_iri, [])]


def hop_edges(graph: nx.MultiDiGraph) -> list[tuple[str, str, str, dict[str, Any]]]:
    """The 委託/再委託/提供/移転 edges in a stable order: (source, target, key, attrs)."""
    order = {kind: i for i, kind in enumerate(HOP_KINDS)}
    hops = [(u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True) if d["kind"] in order]
    hops.sort(key=lambda h: (h[3]["assessment_label"], h[3]["assessment"], h[3]["file"],
                             order[h[3]["kind"]], h[3]["depth"], h[2]))
    return hops
