"""trace: every path by which specific personal information reaches a recipient.

Paths run over a network of flow edges (提供 and 移転):

- every assessment is a *holder* node (its body, department, 事務);
- each 提供先/移転先 of one of its files is an edge from the holder to a *recipient* node;
- when a recipient is itself the holder of another assessment, an edge also leads to that
  holder, so data passed on from there continues the path (multi-hop). A 提供 recipient is a
  holder when it names that assessment's body; a 移転 recipient (inside the same body) when it
  names the department of another assessment of the same body.

Names are compared after ``fold`` (NFKC, no whitespace, one middle dot), over every label the
graph gives a recipient (the printed name, entity-resolution labels), and ``--to`` matches
when it is contained in a label: ``日本年金機構`` matches ``厚生労働大臣（日本年金機構）``.
``--method`` keeps the paths whose last hop (the one reaching the recipient) uses that method.

Scale. ``trace`` does not read the whole flow network (``flow_network`` still does, with SPARQL,
into a networkx graph, for callers that want all of it). It reads the labels of every recipient
resource (one small table), picks the target recipients in Python (``fold`` is NFKC, which SPARQL
cannot do), fetches only the flows that end at them, then walks backwards hop by hop: for the
holders reached so far it picks the recipient resources that may name them (body names for 提供,
department names for 移転) and fetches only the flows to those; the same test as ``_passes_on_to``
decides each edge, once per recipient (and per sender's body for a 移転) rather than per flow.
The simple paths are then walked backwards from the flows into the targets (a plain depth-first
search, not networkx: at 50,000 assessments there are 80,000 paths), and ordered by integer ranks.
Details (file, legal basis, methods, source lines) are read for the flows on a path only.
The printed recipient of a flow is one of its recipient resource's ``pia:name`` values
(``record_to_graph`` writes both), so the resource's labels stand for the flow's names.

The facts come from the flow index (``FlowIndex.reader``: a few whole small tables, flows by
recipient) or from SPARQL (``_SparqlFacts``, for remote endpoints and a stale index); both give
the same hops. Python's cyclic garbage collector is paused during a trace (``_collector_paused``).
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple, Protocol

from rdflib import URIRef
from rdflib.term import Identifier

from pia_graph import vocab
from pia_graph.store.base import SparqlSource
from pia_graph.store.flow_index import line_range, method_label, ordered_methods
from pia_graph.store.handoffs import Holder, names_of, passes_on, search_key
from pia_graph.store.oxigraph_store import Store

if TYPE_CHECKING:
    import networkx as nx

MAX_HOPS = 4
_PREFIXES = "\n".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in vocab.PREFIXES.items())
_KIND_LABELS = {"provision": "提供", "transfer": "移転"}

_FLOWS = _PREFIXES + """
SELECT ?assessment ?flow ?kind ?file ?fileName ?recipient ?recipientName ?legalText ?timing
WHERE {
  GRAPH ?assessment {
    ?assessment a pia:Assessment ; pia:hasFile ?file .
    { ?file pia:hasProvision ?flow BIND("provision" AS ?kind) }
    UNION { ?file pia:hasTransfer ?flow BIND("transfer" AS ?kind) }
    OPTIONAL { ?flow pia:recipient ?recipient }
    # the recipient as printed in this entry (the flow's label); the entity's name otherwise
    OPTIONAL { ?flow rdfs:label ?recipientName }
    OPTIONAL { ?recipient pia:name ?recipientName }
    OPTIONAL { ?file pia:name ?fileName }
    OPTIONAL { ?flow pia:legalBasis ?basis . ?basis pia:legalText ?legalText }
    OPTIONAL { ?flow pia:timing ?timing }
  }
}
"""
_HOLDERS = _PREFIXES + """
SELECT ?assessment ?body ?bodyName ?business ?businessName ?department ?departmentName ?sourceFile
WHERE {
  GRAPH ?assessment {
    ?assessment a pia:Assessment .
    OPTIONAL { ?assessment pia:assessedBy ?body OPTIONAL { ?body pia:name ?bodyName } }
    OPTIONAL { ?assessment pia:concernsBusiness ?business
               OPTIONAL { ?business pia:name ?businessName }
               OPTIONAL { ?business pia:responsibleDepartment ?department
                          OPTIONAL { ?department pia:name ?departmentName } } }
    OPTIONAL { ?assessment pia:sourceDocument ?document . ?document pia:fileName ?sourceFile }
  }
}
"""
_LABELS = _PREFIXES + """
SELECT DISTINCT ?resource ?label
WHERE {
  VALUES ?labelProperty { pia:name rdfs:label skos:prefLabel skos:altLabel }
  { ?flow pia:recipient ?resource } UNION { ?a pia:assessedBy ?resource }
  UNION { ?b pia:responsibleDepartment ?resource }
  ?resource ?labelProperty ?label .
}
"""
_METHODS = _PREFIXES + """
SELECT ?flow ?method ?methodOther
WHERE {
  { ?file pia:hasProvision ?flow } UNION { ?file pia:hasTransfer ?flow }
  { ?flow pia:method ?method } UNION { ?flow pia:methodOther ?methodOther }
}
"""
_SPANS = _PREFIXES + """
SELECT ?flow ?first ?last ?page
WHERE {
  { ?file pia:hasProvision ?flow } UNION { ?file pia:hasTransfer ?flow }
  ?span pia:describes ?flow ; pia:firstLine ?first .
  OPTIONAL { ?span pia:lastLine ?last }
  OPTIONAL { ?span pia:page ?page }
}
"""


fold = search_key  # the form names are compared in (NFKC, no whitespace, one middle dot)


class HopFlow(NamedTuple):
    """The columns of a hop that belong to its flow, the same on every path through it."""

    assessment: str
    body: str
    department: str
    business: str
    source_file: str
    file: str
    kind: str                      # 提供 | 移転
    recipient: str
    methods: tuple[str, ...] = ()
    legal_basis: str = ""
    timing: str = ""
    lines: str = ""                # source lines of the 提供先/移転先 entry, e.g. "412-431"


class Hop:
    """One hop of one path: a holder passes a file's data to a recipient.

    A hop is its place on a path (``path``, ``hop``, ``hops``) and its flow's columns
    (``HopFlow``), read through properties of the same names. The flow's columns are one tuple
    shared by every path through that flow: at 50,000 assessments a trace makes 200,000 hops
    over 44,000 flows, and building each hop with its 15 values took a quarter of the trace.
    """

    __slots__ = ("flow", "hop", "hops", "path")

    def __init__(self, path: int, hop: int, hops: int, flow: HopFlow) -> None:
        self.path = path               # path number (1-based)
        self.hop = hop                 # position in the path (1 = first)
        self.hops = hops               # length of the path
        self.flow = flow

    @property
    def assessment(self) -> str:
        return self.flow.assessment

    @property
    def body(self) -> str:
        return self.flow.body

    @property
    def department(self) -> str:
        return self.flow.department

    @property
    def business(self) -> str:
        return self.flow.business

    @property
    def source_file(self) -> str:
        return self.flow.source_file

    @property
    def file(self) -> str:
        return self.flow.file

    @property
    def kind(self) -> str:
        return self.flow.kind

    @property
    def recipient(self) -> str:
        return self.flow.recipient

    @property
    def methods(self) -> list[str]:
        return list(self.flow.methods)

    @property
    def legal_basis(self) -> str:
        return self.flow.legal_basis

    @property
    def timing(self) -> str:
        return self.flow.timing

    @property
    def lines(self) -> str:
        return self.flow.lines

    def as_dict(self) -> dict[str, object]:
        """Every field in order (path, hop, hops, then the flow's), ``methods`` as a new list."""
        values: dict[str, object] = {"path": self.path, "hop": self.hop, "hops": self.hops, **self.flow._asdict()}
        values["methods"] = list(self.flow.methods)
        return values

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Hop):
            return NotImplemented
        return (self.path, self.hop, self.hops, self.flow) == (other.path, other.hop, other.hops, other.flow)

    __hash__ = None  # type: ignore[assignment]   # equal hops compare by value, like the dataclass did

    def __repr__(self) -> str:
        return "Hop(" + ", ".join(f"{name}={value!r}" for name, value in self.as_dict().items()) + ")"



@dataclass(slots=True)
class _Flow:
    iri: str
    assessment: str
    kind: str
    file: str = ""
    recipient_iri: str = ""
    recipient: str = ""
    legal_basis: str = ""
    timing: str = ""
    methods: list[str] = field(default_factory=list)
    lines: str = ""


def _text(row: dict[str, Identifier], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value)


def _load(source: SparqlSource, timeout: float | None) -> tuple[dict[str, Holder], dict[str, _Flow],
                                                                 dict[str, set[str]]]:
    holders = {key: Holder(key, *values) for key, values in _first_values(
        source.select(_HOLDERS, None, timeout), "assessment", _HOLDER_COLUMNS).items()}
    flows: dict[str, _Flow] = {}
    for row in source.select(_FLOWS, None, timeout):
        key = _text(row, "flow")
        flow = flows.setdefault(key, _Flow(iri=key, assessment=_text(row, "assessment"), kind=_text(row, "kind")))
        for attribute, column in (("file", "fileName"), ("recipient_iri", "recipient"),
                                  ("recipient", "recipientName"), ("legal_basis", "legalText"),
                                  ("timing", "timing")):
            if not getattr(flow, attribute) and row.get(column) is not None:
                setattr(flow, attribute, _text(row, column))
    for key, methods in _methods_by_flow(source.select(_METHODS, None, timeout)).items():
        if key in flows:
            flows[key].methods = ordered_methods(methods)
    for key, numbers in _span_lines(source.select(_SPANS, None, timeout)).items():
        if key in flows:
            flows[key].lines = line_range(numbers)
    labels = _label_sets(source.select(_LABELS, None, timeout))
    for flow in flows.values():
        if flow.recipient:
            labels[flow.recipient_iri or flow.iri].add(fold(flow.recipient))
    return holders, flows, labels


def _label_sets(rows: list[dict[str, Identifier]]) -> dict[str, set[str]]:
    """?resource → the search keys of its ?label values."""
    labels: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        labels[_text(row, "resource")].add(fold(_text(row, "label")))
    return labels


def _methods_by_flow(rows: list[dict[str, Identifier]]) -> dict[str, list[str]]:
    methods: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        methods[_text(row, "flow")].append(_method_of(row))
    return methods


def _span_lines(rows: list[dict[str, Identifier]]) -> dict[str, list[int]]:
    """?flow → the line numbers (?first, ?last) of the spans that describe it."""
    spans: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        for column in ("first", "last"):
            if row.get(column) is not None and _text(row, column).isdigit():
                spans[_text(row, "flow")].append(int(_text(row, column)))
    return spans


def _method_of(row: dict[str, Identifier]) -> str:
    method = row.get("method")
    return method_label(None if method is None else str(method), _text(row, "methodOther"))


def _passes_on_to(flow: _Flow, sender: Holder, holder: Holder, labels: Mapping[str, Collection[str]],
                  memo: dict[tuple[str, str], set[str]] | None = None) -> bool:
    """Is ``holder`` (another assessment) the recipient of ``flow``?"""
    recipient_names = names_of(flow.recipient_iri, flow.recipient, labels, memo)
    if not recipient_names:
        return False
    if flow.kind == "transfer":
        if not sender.body_iri or holder.body_iri != sender.body_iri:
            return False
        if flow.recipient_iri and flow.recipient_iri == holder.department_iri:
            return True
        department_names = names_of(holder.department_iri, holder.department, labels, memo)
        return any(d == r or d.endswith(r) for d in department_names for r in recipient_names)
    if flow.recipient_iri and flow.recipient_iri == holder.body_iri:
        return True
    return bool(recipient_names & names_of(holder.body_iri, holder.body, labels, memo))


def _uses_method(methods: Iterable[str], method: str) -> bool:
    wanted = fold(method)
    for label in methods:
        slug = vocab.METHOD_CONCEPTS.get(label, "")
        if wanted and (wanted in fold(label) or wanted == slug or method == str(vocab.VOCAB[f"method/{slug}"])):
            return True
    return False


def _candidates(flow: _Flow, sender: Holder, by_body_iri: dict[str, list[Holder]],
                by_body_name: dict[str, list[Holder]], labels: Mapping[str, Collection[str]],
                memo: dict[tuple[str, str], set[str]] | None = None) -> list[Holder]:
    """Holders that might receive ``flow`` (an index lookup, so large stores stay linear)."""
    if flow.kind == "transfer":
        return by_body_iri.get(sender.body_iri, []) if sender.body_iri else []
    found = list(by_body_iri.get(flow.recipient_iri, [])) if flow.recipient_iri else []
    for name in names_of(flow.recipient_iri, flow.recipient, labels, memo):
        found.extend(by_body_name.get(name, []))
    return found


def flow_network(source: SparqlSource, timeout: float | None = None) -> tuple[nx.MultiDiGraph, dict[str, Holder],
                                                                             dict[str, _Flow], dict[str, set[str]]]:
    """The holder/recipient multigraph; edge keys are flow IRIs."""
    import networkx as nx  # here: every command that imports trace would load it at start-up

    holders, flows, labels = _load(source, timeout)
    by_body_iri: dict[str, list[Holder]] = defaultdict(list)
    by_body_name: dict[str, list[Holder]] = defaultdict(list)
    for holder in holders.values():
        if holder.body_iri:
            by_body_iri[holder.body_iri].append(holder)
        for name in names_of(holder.body_iri, holder.body, labels):
            by_body_name[name].append(holder)
    network = nx.MultiDiGraph()
    for key in holders:
        network.add_node(("holder", key))
    for flow in flows.values():
        sender = holders.get(flow.assessment)
        if sender is None:
            continue
        recipient_node = ("recipient", flow.recipient_iri or f"{flow.iri}#recipient")
        network.add_edge(("holder", flow.assessment), recipient_node, key=flow.iri)
        seen: set[str] = set()
        for other in _candidates(flow, sender, by_body_iri, by_body_name, labels):
            if other.assessment in seen or other.assessment == flow.assessment:
                continue
            seen.add(other.assessment)
            if _passes_on_to(flow, sender, other, labels):
                network.add_edge(("holder", flow.assessment), ("holder", other.assessment), key=flow.iri)
    return network, holders, flows, labels


def trace(source: SparqlSource, to: str, method: str | None = None, *, max_hops: int = MAX_HOPS,
          timeout: float | None = None) -> list[Hop]:
    """Every path (up to ``max_hops`` hops) from an assessing body to a recipient matching ``to``.

    On the embedded store the facts come from its flow index when that describes exactly the
    store's graphs (``Store.fresh_flow_index``); otherwise, and on remote endpoints, from SPARQL.
    Both give the same hops (tests/query/test_trace_index.py).
    """
    wanted = fold(to)
    if not wanted:
        return []
    index = source.fresh_flow_index() if isinstance(source, Store) else None
    with _collector_paused():
        if index is None:
            return _trace(_SparqlFacts(source, timeout), wanted, method, max_hops)
        with index.reader() as reader:
            return _trace(reader, wanted, method, max_hops)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while trace builds its objects: a large trace
    makes hundreds of thousands of them (rows, flows, holders, paths, hops), none in a reference
    cycle, and each collection the allocations trigger rescans them all (at 50,000 assessments
    that took half of the time). Reference counting still frees them as usual.

    Afterwards the objects still alive (mostly the hops returned) go straight to the oldest
    generation (``freeze`` then ``unfreeze`` moves every tracked object there without scanning
    any), so the first collection after the trace does not scan them either; skipped when the
    program keeps frozen objects of its own, which ``unfreeze`` would release."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _trace(facts: _Facts, wanted: str, method: str | None, max_hops: int) -> list[Hop]:
    methods = _FlowMethods(facts)
    # with --method, when no flow into a target uses it there is no path: the walk stops there
    network = _relevant_network(facts, wanted, max_hops,
                                (lambda ends: bool(methods.using(ends, method))) if method else None)
    return _paths_to_hops(facts, network, methods, method, max_hops)


class _FlowMethods:
    """The methods of flows, read once each: what ``--method`` tests on the last hops (the hops'
    other columns are read with ``hop_details``)."""

    def __init__(self, facts: _Facts) -> None:
        self.facts = facts
        self.read: dict[str, tuple[str, ...]] = {}

    def using(self, keys: list[str], method: str) -> list[str]:
        """The flows of ``keys`` that use ``method``, in order."""
        new = {key for key in keys if key not in self.read}
        for key, *_, methods, _ in self.facts.flow_details(new) if new else ():
            if key in new:
                self.read[key] = methods   # a flow given twice: the last row's, as hop_details reads them
        return [key for key in keys if _uses_method(self.read.get(key, ()), method)]


@dataclass(slots=True)
class _Network:
    """The edges of the paths that may reach the targets. Every edge is a flow and leaves the
    holder of the flow's assessment, so an edge is kept as its flow's IRI."""

    targets: set[str] = field(default_factory=set)             # target recipient resources
    holders: dict[str, Holder] = field(default_factory=dict)
    flows: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # IRI → (assessment, kind, recipient)
    into_targets: list[str] = field(default_factory=list)      # flows to a target recipient
    into: dict[str, list[str]] = field(default_factory=dict)   # holder → flows passing data on to it


def _simple_paths(network: _Network, ends: list[str], max_hops: int) -> list[tuple[str, ...]]:
    """Every path of at most ``max_hops`` flows, no holder twice, that ends with a flow of ``ends``
    (what ``networkx.all_simple_edge_paths`` gives from every holder, walked backwards), in the
    order of (length, the assessments along the path, its flow IRIs)."""
    flows, into = network.flows, network.into
    if max_hops < 1 or not ends:
        return []
    # The order as one integer per path: its length, then the ranks of its assessments, then those
    # of its flow IRIs, as the digits of a number in base ``base`` (a longer path's number is
    # larger); sorting those is much cheaper than comparing lists of IRIs. Flow IRIs are compared
    # only between paths through the same assessments, so a flow's rank among the flows of its
    # own assessment is enough.
    flows_of: dict[str, list[str]] = defaultdict(list)   # assessment → its flows that are edges
    for key in set(ends).union(*into.values()):
        flows_of[flows[key][0]].append(key)
    ranks: dict[str, tuple[int, int]] = {}
    for assessment_digit, assessment in enumerate(sorted(flows_of)):
        for iri_digit, key in enumerate(sorted(flows_of[assessment])):
            ranks[key] = (assessment_digit, iri_digit)
    base = max(len(flows_of), *map(len, flows_of.values())) + 1
    powers = [base ** length for length in range(min(max_hops, len(flows_of)) + 1)]  # no holder twice
    # holder → (flow, its sender, the flow's digits) of the flows passing data on to it
    senders_into = {holder: [(key, flows[key][0], *ranks[key]) for key in keys] for holder, keys in into.items()}
    # the paths one length at a time, each extending one of the length before backwards:
    # (path, its holders, the digits of its assessments, those of its IRIs)
    level = [((key,), (flows[key][0],), *ranks[key]) for key in ends]
    found: list[tuple[int, tuple[str, ...]]] = []
    for length in range(1, max_hops + 1):
        scale = powers[length]
        found += [((length * scale + by_assessment) * scale + by_iri, path)
                  for path, _, by_assessment, by_iri in level]
        if length == max_hops:
            break
        level = [((key, *path), (sender, *holders_on_path), assessment_digit * scale + by_assessment,
                  iri_digit * scale + by_iri)
                 for path, holders_on_path, by_assessment, by_iri in level
                 for key, sender, assessment_digit, iri_digit in senders_into.get(holders_on_path[0], ())
                 if sender not in holders_on_path]
        if not level:
            break
    found.sort(key=itemgetter(0))
    return [path for _, path in found]


def _paths_to_hops(facts: _Facts, network: _Network, methods: _FlowMethods, method: str | None,
                   max_hops: int) -> list[Hop]:
    """The hops of every path, numbered in the order of (length, the assessments along the
    path, its flow IRIs); ``method`` keeps the paths whose last flow uses it."""
    if not network.targets:
        return []
    flows = network.flows
    ends = list(dict.fromkeys(network.into_targets))
    if method:   # the methods of the last hops first: only the paths they allow are walked
        ends = methods.using(ends, method)
    paths = _simple_paths(network, ends, max_hops)
    # a path's tail is a path too (paths grow backwards from the targets): its first flows are all
    flow_columns = _hop_flows(facts, flows, {path[0] for path in paths})
    # ~200,000 hops at 50,000 assessments: one comprehension, the cheapest loop
    return [Hop(number, position, len(path), flow_columns[key])
            for number, path in enumerate(paths, start=1) for position, key in enumerate(path, start=1)]


def _hop_flows(facts: _Facts, flows: Mapping[str, tuple[str, str, str]], keys: set[str]) -> dict[str, HopFlow]:
    """The hop columns of the flows ``keys`` (``flows`` gives each one's assessment and kind)."""
    columns: dict[str, HopFlow] = {}
    new_flow = tuple.__new__   # HopFlow's own __new__ is Python code: 37,000 flows at 50,000 assessments
    for key, body, department, business, source_file, file, recipient, methods, legal_basis, timing, lines in (
            facts.hop_details({key: flows[key][0] for key in keys})):
        earlier = columns.get(key)
        if earlier is not None:   # a second row fills what the first left empty (methods, lines: the last)
            file, recipient = file or earlier.file, recipient or earlier.recipient
            legal_basis, timing = legal_basis or earlier.legal_basis, timing or earlier.timing
        assessment, kind, _ = flows[key]
        columns[key] = new_flow(HopFlow, (assessment, body, department, business, source_file, file,
                                          _KIND_LABELS.get(kind, kind), recipient, methods, legal_basis, timing, lines))
    for key in keys - columns.keys():   # a flow without details still has its hop
        assessment, kind, _ = flows[key]
        columns[key] = HopFlow(assessment, *[""] * 5, _KIND_LABELS.get(kind, kind), "")
    return columns


# --- reading only the part of the network that reaches the targets -------------------------
_VALUES_CHUNK = 1000  # IRIs per VALUES block: keeps each request small for remote endpoints
# an alternative path, not a VALUES list of properties: pyoxigraph joins the latter badly (30x slower)
_LABEL_PATH = "pia:name|rdfs:label|skos:prefLabel|skos:altLabel"
_RECIPIENT_LABELS = _PREFIXES + f"""
SELECT DISTINCT ?resource ?label
WHERE {{
  {{ SELECT DISTINCT ?resource WHERE {{ GRAPH ?g {{ ?flow pia:recipient ?resource }} }} }}
  ?resource {_LABEL_PATH} ?label .
}}
"""
_LABELS_OF = _PREFIXES + f"""
SELECT DISTINCT ?resource ?label
WHERE {{
  #VALUES#
  ?resource {_LABEL_PATH} ?label .
}}
"""
_FLOWS_TO = _PREFIXES + """
SELECT ?assessment ?flow ?kind ?recipient
WHERE {
  #VALUES#
  GRAPH ?assessment {
    ?flow pia:recipient ?recipient .
    { ?file pia:hasProvision ?flow BIND("provision" AS ?kind) }
    UNION { ?file pia:hasTransfer ?flow BIND("transfer" AS ?kind) }
    ?assessment a pia:Assessment ; pia:hasFile ?file .
  }
}
"""
_HOLDERS_OF = _HOLDERS.replace("WHERE {\n  GRAPH ?assessment {", "WHERE {\n  #VALUES#\n  GRAPH ?assessment {", 1)
_BODIES_OF = _PREFIXES + """
SELECT ?assessment ?body ?bodyName ?department ?departmentName
WHERE {
  #VALUES#
  GRAPH ?assessment {
    ?assessment a pia:Assessment .
    OPTIONAL { ?assessment pia:assessedBy ?body OPTIONAL { ?body pia:name ?bodyName } }
    OPTIONAL { ?assessment pia:concernsBusiness ?business
               OPTIONAL { ?business pia:responsibleDepartment ?department
                          OPTIONAL { ?department pia:name ?departmentName } } }
  }
}
"""
_FLOW_DETAILS = _PREFIXES + """
SELECT ?flow ?fileName ?recipientName ?legalText ?timing
WHERE {
  GRAPH ?assessment {
    #VALUES#
    { ?file pia:hasProvision ?flow } UNION { ?file pia:hasTransfer ?flow }
    OPTIONAL { ?flow pia:recipient ?recipient }
    OPTIONAL { ?flow rdfs:label ?recipientName }
    OPTIONAL { ?recipient pia:name ?recipientName }
    OPTIONAL { ?file pia:name ?fileName }
    OPTIONAL { ?flow pia:legalBasis ?basis . ?basis pia:legalText ?legalText }
    OPTIONAL { ?flow pia:timing ?timing }
  }
}
"""
# the VALUES block inside GRAPH: pyoxigraph then looks each flow up instead of joining afterwards
_METHODS_OF = _PREFIXES + """
SELECT ?flow ?method ?methodOther
WHERE {
  GRAPH ?assessment {
    #VALUES#
    { ?flow pia:method ?method } UNION { ?flow pia:methodOther ?methodOther }
  }
}
"""
_SPANS_OF = _PREFIXES + """
SELECT ?flow ?first ?last ?page
WHERE {
  GRAPH ?assessment {
    #VALUES#
    ?span pia:describes ?flow ; pia:firstLine ?first .
    OPTIONAL { ?span pia:lastLine ?last }
    OPTIONAL { ?span pia:page ?page }
  }
}
"""
assert all("#VALUES#" in text for text in (_HOLDERS_OF, _METHODS_OF, _SPANS_OF))


# (flow, body, department, 事務, source file, file, printed recipient, methods, legal basis, timing, lines)
HopDetails = tuple[str, str, str, str, str, str, str, tuple[str, ...], str, str, str]


class _Facts(Protocol):
    """What trace reads: the flow index (``FlowReader``) or SPARQL (``_SparqlFacts``)."""


    def recipients_matching(self, wanted: str) -> set[str]: ...
    def recipients_named(self, names: set[str], iris: set[str]) -> set[str]: ...
    def labels_of(self, resources: Iterable[str]) -> Mapping[str, Collection[str]]: ...
    def flows_to(self, recipients: Iterable[str]) -> list[tuple[str, ...]]: ...
    def holders(self, assessments: Iterable[str]) -> list[tuple[str, ...]]: ...
    def flow_details(self, flows: Iterable[str]) -> list[tuple[str, str, str, str, str, tuple[str, ...], str]]: ...
    def hop_details(self, flows: Mapping[str, str]) -> list[HopDetails]: ...
    def handoffs(self) -> Mapping[str, list[tuple[str, str, str, str]]] | None: ...


def _select_for(source: SparqlSource, template: str, variable: str, iris: Iterable[str],
                timeout: float | None) -> list[dict[str, Identifier]]:
    """``template`` run once per chunk of ``iris``, bound to ``variable`` by a VALUES block.

    The IRIs come from the store itself and are written with rdflib's N3 serialisation."""
    ordered = sorted(set(iris))
    rows: list[dict[str, Identifier]] = []
    for start in range(0, len(ordered), _VALUES_CHUNK):
        chunk = " ".join(URIRef(iri).n3() for iri in ordered[start:start + _VALUES_CHUNK])
        rows.extend(source.select(template.replace("#VALUES#", f"VALUES ?{variable} {{ {chunk} }}", 1),
                                  None, timeout))
    return rows


# the columns of _HOLDERS (and _BODIES_OF, which leaves some unbound), in Holder's field order
_HOLDER_COLUMNS = ("body", "bodyName", "businessName", "department", "departmentName", "sourceFile")


def _first_values(rows: list[dict[str, Identifier]], key: str, columns: tuple[str, ...]) -> dict[str, list[str]]:
    """Per value of ``key``: the first non-empty value of each column over its rows."""
    merged: dict[str, list[str]] = {}
    for row in rows:
        values = merged.setdefault(_text(row, key), [""] * len(columns))
        for position, column in enumerate(columns):
            if not values[position] and row.get(column) is not None:
                values[position] = _text(row, column)
    return merged


class _SparqlFacts:
    """Trace's facts read with SPARQL from any source (embedded store or remote endpoint)."""

    def __init__(self, source: SparqlSource, timeout: float | None) -> None:
        self.source = source
        self.timeout = timeout
        self._recipient_names: dict[str, set[str]] | None = None

    def _recipients(self) -> dict[str, set[str]]:
        """Every recipient resource with its labels (one query, read once)."""
        if self._recipient_names is None:
            labels = _label_sets(self.source.select(_RECIPIENT_LABELS, None, self.timeout))
            self._recipient_names = {iri: names - {""} for iri, names in labels.items()}
        return self._recipient_names

    def handoffs(self) -> None:
        """None: SPARQL has no handoffs decided beforehand (trace decides those it walks)."""
        return None

    def recipients_matching(self, wanted: str) -> set[str]:
        return {iri for iri, names in self._recipients().items() if any(wanted in name for name in names)}

    def recipients_named(self, names: set[str], iris: set[str]) -> set[str]:
        return {iri for iri, labels in self._recipients().items() if iri in iris or labels & names}

    def labels_of(self, resources: Iterable[str]) -> dict[str, set[str]]:
        return _label_sets(_select_for(self.source, _LABELS_OF, "resource", resources, self.timeout))

    def flows_to(self, recipients: Iterable[str]) -> list[tuple[str, ...]]:
        return [(_text(row, "flow"), _text(row, "assessment"), _text(row, "kind"), _text(row, "recipient"))
                for row in _select_for(self.source, _FLOWS_TO, "recipient", recipients, self.timeout)]

    def holders(self, assessments: Iterable[str], details: bool = False) -> list[tuple[str, ...]]:
        rows = _select_for(self.source, _HOLDERS_OF if details else _BODIES_OF, "assessment", assessments,
                           self.timeout)
        return [(key, *values) for key, values in _first_values(rows, "assessment", _HOLDER_COLUMNS).items()]

    def flow_details(self, flows: Iterable[str]) -> list[tuple[str, str, str, str, str, tuple[str, ...], str]]:
        keys = set(flows)
        columns = ("fileName", "recipientName", "legalText", "timing")
        details = _first_values(_select_for(self.source, _FLOW_DETAILS, "flow", keys, self.timeout), "flow", columns)
        methods = _methods_by_flow(_select_for(self.source, _METHODS_OF, "flow", keys, self.timeout))
        spans = _span_lines(_select_for(self.source, _SPANS_OF, "flow", keys, self.timeout))
        return [(key, *details.get(key, [""] * len(columns)), tuple(ordered_methods(methods.get(key, []))),
                 line_range(spans.get(key, []))) for key in keys]

    def hop_details(self, flows: Mapping[str, str]) -> list[HopDetails]:
        """(flow, body, department, 事務, source file, file, printed recipient, methods, legal basis,
        timing, lines) of each of ``flows`` (flow → its assessment)."""
        holders = {key: values for key, *values in self.holders(set(flows.values()), details=True)}
        rows: list[HopDetails] = []
        for key, file, recipient, legal_basis, timing, methods, lines in self.flow_details(flows):
            _, body, business, _, department, source_file = holders.get(flows[key]) or [""] * 6
            rows.append((key, body, department, business, source_file, file, recipient, methods, legal_basis,
                         timing, lines))
        return rows


def _load_holders(facts: _Facts, holders: dict[str, Holder], assessments: set[str]) -> None:
    """Holder records of ``assessments`` (body and department: what deciding handoffs needs)."""
    wanted = assessments - holders.keys()
    if not wanted:
        return
    for key, body_iri, body, business, department_iri, department, source_file in facts.holders(wanted):
        holders[key] = Holder(key, body_iri or "", body or "", business or "", department_iri or "",
                               department or "", source_file or "")   # Holder's field order


def _suffixes(names: set[str]) -> set[str]:
    return {name[index:] for name in names for index in range(len(name))}


def _relevant_network(facts: _Facts, wanted: str, max_hops: int,
                      go_on: Callable[[list[str]], bool] | None = None) -> _Network:
    """The edges of every path of at most ``max_hops`` hops that ends at a recipient matching ``wanted``.

    Same edges as ``flow_network`` restricted to those paths: flows into the target recipients,
    then, ``max_hops - 1`` times, every flow that passes data on to a holder reached so far
    (``passes_on``). The flow index may hold those decided already for the whole store
    (``handoffs``); otherwise they are decided here, for the holders reached. When ``go_on``
    says no for the flows into the targets, only those are kept.
    """
    network = _Network()
    network.targets = target_iris = facts.recipients_matching(wanted)
    if not target_iris:
        return network
    flows_by_recipient: dict[str, list[str]] = {}
    flows = network.flows

    def fetch(recipients: set[str]) -> list[str]:
        """The flows to ``recipients`` (each recipient's read once per trace)."""
        new = recipients - flows_by_recipient.keys()
        for recipient in new:
            flows_by_recipient[recipient] = []
        for key, assessment, kind, recipient in facts.flows_to(new):
            if key not in flows:
                flows[key] = (assessment, kind, recipient)
            flows_by_recipient.setdefault(recipient, []).append(key)
        fetched: list[str] = []
        for recipient in recipients:
            fetched += flows_by_recipient[recipient]
        return list(dict.fromkeys(fetched))

    # every flow read leaves an assessment (flows_to reads those of assessment graphs only)
    network.into_targets = fetch(target_iris)
    frontier = {flows[key][0] for key in network.into_targets}
    if go_on is not None and not go_on(network.into_targets):
        return network
    handoffs = facts.handoffs() if max_hops > 1 and frontier else None
    if handoffs is not None:
        _walk_handoffs(network, frontier, handoffs, max_hops)
    else:
        _walk_deciding(network, frontier, fetch, facts, max_hops)
    return network


def _walk_handoffs(network: _Network, frontier: set[str], handoffs: Mapping[str, list[tuple[str, str, str, str]]],
                   max_hops: int) -> None:
    """The walk back from ``frontier`` over handoffs decided beforehand (receiver → flows)."""
    flows, into = network.flows, network.into
    visited = set(frontier)
    for _ in range(max_hops - 1):
        next_frontier: set[str] = set()
        for receiver in frontier:
            for key, sender, kind, recipient in handoffs.get(receiver, ()):
                if key not in flows:
                    flows[key] = (sender, kind, recipient)
                into.setdefault(receiver, []).append(key)
                if sender not in visited:
                    next_frontier.add(sender)
        if not next_frontier:
            break
        visited |= next_frontier
        frontier = next_frontier


def _walk_deciding(network: _Network, frontier: set[str], fetch: Callable[[set[str]], list[str]], facts: _Facts,
                   max_hops: int) -> None:
    """The walk back from ``frontier``, deciding at each hop which flows pass data on to the
    holders reached: only the flows to recipients that may name them are read."""
    holders, flows, into = network.holders, network.flows, network.into
    labels: dict[str, Collection[str]] = {}

    def label(resources: set[str]) -> None:
        labels.update(facts.labels_of(resources - labels.keys()))

    visited = set(frontier)
    for _ in range(max_hops - 1):
        if not frontier:
            break
        _load_holders(facts, holders, frontier)
        reached = [holders[key] for key in frontier if key in holders]   # (the order of edges does not matter: paths are sorted)
        label({iri for holder in reached for iri in (holder.body_iri, holder.department_iri) if iri})
        # the labels of a resource do not change once read: their search keys are kept for this hop
        memo: dict[tuple[str, str], set[str]] = {}
        body_names = set().union(*(names_of(h.body_iri, h.body, labels, memo) for h in reached))
        department_suffixes = _suffixes(set().union(*(names_of(h.department_iri, h.department, labels, memo)
                                                      for h in reached)))
        body_iris = {h.body_iri for h in reached if h.body_iri}
        department_iris = {h.department_iri for h in reached if h.department_iri}
        # a 移転 passes on only inside one body, and its recipient unit is minted below the sender's
        # body (``…/org/<body>/unit/<unit>``): units matched by a department name count only
        # below a body reached so far
        candidates = facts.recipients_named(body_names, body_iris | department_iris)
        candidates |= {iri for iri in facts.recipients_named(department_suffixes, set())
                       if iri.rpartition("/unit/")[0] in body_iris}
        label(candidates)
        next_frontier: set[str] = set()
        fetched = [(key, *flows[key]) for key in fetch(candidates)]
        _load_holders(facts, holders, {sender for _, sender, _, _ in fetched})
        for key, sender, receiver in passes_on(fetched, holders, reached, labels, memo):
            into.setdefault(receiver, []).append(key)
            if sender not in visited:
                next_frontier.add(sender)
        visited |= next_frontier
        frontier = next_frontier
