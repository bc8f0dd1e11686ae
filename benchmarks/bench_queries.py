"""Benchmark: trace and every named query, new implementation beside the previous one.

Builds (or reuses, ``--store``) a store of N synthetic assessments straight from records
(``pia_graph.synth.random_record`` → ``pia_graph.rdf.record_to_graph`` → N-Quads → pyoxigraph
``bulk_load``; extraction is skipped, so 10,000 documents take minutes, not hours), then times

- ``trace --to 日本年金機構`` with the current ``pia_graph.query.trace`` and with the previous
  implementation kept here (``baseline_trace``: the whole flow network read into networkx);
- every ``queries/*.rq`` with its current text and, where it was rewritten for speed, with the
  previous text (``BASELINE_QUERIES``), checking that both give the same rows.

Each measurement runs in a forked child with a time limit (``--timeout``), best of ``--repeat``.

    .venv/bin/python benchmarks/bench_queries.py --assessments 1000
    .venv/bin/python benchmarks/bench_queries.py --store benchmarks/out/store-1000   # an ingested store
    .venv/bin/python benchmarks/bench_queries.py --assessments 10000 --skip-baseline trace,laws-cited

The previous implementations below are the reference of ``tests/query/test_perf_equivalence.py``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402
from rdflib.term import Identifier  # noqa: E402

from pia_graph import vocab  # noqa: E402
from pia_graph.store.base import SparqlSource  # noqa: E402

OUT = ROOT / "benchmarks" / "out"


# --- building a store from synthetic records -----------------------------------------------
def _nquads_of(indexes: tuple[int, int, int]) -> str:
    """N-Quads of the synthetic records ``start..stop`` (each record's rng seeded by its index)."""
    import pyoxigraph as ox

    from pia_graph.rdf import record_to_graph
    from pia_graph.store.oxigraph_store import to_oxigraph
    from pia_graph.synth import random_record

    seed, start, stop = indexes
    quads = []
    for index in range(start, stop):
        record = random_record(random.Random(seed * 1_000_003 + index), index)
        iri, graph = record_to_graph(record)
        name = ox.NamedNode(str(iri))
        quads.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name) for s, p, o in graph)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")


def build_synthetic_store(path: Path, count: int, *, seed: int = 7, jobs: int = 2) -> float:
    """A store of ``count`` synthetic assessments plus the ontology in ``path``; returns seconds."""
    import pyoxigraph as ox

    from pia_graph.rdf import ontology_graph
    from pia_graph.store import Store

    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f"{path.name}.nq"
    chunk = 50
    ranges = [(seed, start, min(start + chunk, count)) for start in range(0, count, chunk)]
    with staging.open("w", encoding="utf-8") as out, multiprocessing.get_context("fork").Pool(jobs) as pool:
        for done, text in enumerate(pool.imap(_nquads_of, ranges), start=1):
            out.write(text)
            if done % 20 == 0:
                print(f"  {done * chunk}/{count} records mapped ({time.perf_counter() - started:.0f} s)",
                      flush=True)
    bulk = ox.Store(str(path))
    bulk.bulk_load(path=str(staging), format=ox.RdfFormat.N_QUADS)
    bulk.flush()
    del bulk
    staging.unlink()
    with Store(path) as store:
        store.ensure_ontology(ontology_graph())
    return time.perf_counter() - started


# --- the previous trace (commit ccce8e0): the whole flow network read into networkx ---------
MAX_HOPS = 4
_PREFIXES = "\n".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in vocab.PREFIXES.items())
_METHOD_LABELS = {str(vocab.method_concept(label)): label for label in vocab.METHOD_CONCEPTS}
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


def fold(text: str) -> str:
    """NFKC, whitespace removed, middle dots unified: the form names are compared in."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    for dot in ("･", "·", "•", "‧"):
        folded = folded.replace(dot, "・")
    return folded


@dataclass
class Hop:
    """One hop of one path: a holder passes a file's data to a recipient."""

    path: int                      # path number (1-based)
    hop: int                       # position in the path (1 = first)
    hops: int                      # length of the path
    assessment: str
    body: str
    department: str
    business: str
    source_file: str
    file: str
    kind: str                      # 提供 | 移転
    recipient: str
    methods: list[str] = field(default_factory=list)
    legal_basis: str = ""
    timing: str = ""
    lines: str = ""                # source lines of the 提供先/移転先 entry, e.g. "412-431"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class _Holder:
    assessment: str
    body_iri: str = ""
    body: str = ""
    business: str = ""
    department_iri: str = ""
    department: str = ""
    source_file: str = ""


@dataclass
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


def _load(source: SparqlSource, timeout: float | None) -> tuple[dict[str, _Holder], dict[str, _Flow],
                                                                 dict[str, set[str]]]:
    holders: dict[str, _Holder] = {}
    for row in source.select(_HOLDERS, None, timeout):
        key = _text(row, "assessment")
        holder = holders.setdefault(key, _Holder(assessment=key))
        for attribute, column in (("body_iri", "body"), ("body", "bodyName"), ("business", "businessName"),
                                  ("department_iri", "department"), ("department", "departmentName"),
                                  ("source_file", "sourceFile")):
            if not getattr(holder, attribute) and row.get(column) is not None:
                setattr(holder, attribute, _text(row, column))
    flows: dict[str, _Flow] = {}
    for row in source.select(_FLOWS, None, timeout):
        key = _text(row, "flow")
        flow = flows.setdefault(key, _Flow(iri=key, assessment=_text(row, "assessment"), kind=_text(row, "kind")))
        for attribute, column in (("file", "fileName"), ("recipient_iri", "recipient"),
                                  ("recipient", "recipientName"), ("legal_basis", "legalText"),
                                  ("timing", "timing")):
            if not getattr(flow, attribute) and row.get(column) is not None:
                setattr(flow, attribute, _text(row, column))
    for row in source.select(_METHODS, None, timeout):
        flow = flows.get(_text(row, "flow"))
        if flow is None:
            continue
        if row.get("method") is not None:
            label = _METHOD_LABELS.get(_text(row, "method"), _text(row, "method"))
        else:
            label = f"その他（{_text(row, 'methodOther')}）"
        if label not in flow.methods:
            flow.methods.append(label)
    spans: dict[str, list[int]] = defaultdict(list)
    for row in source.select(_SPANS, None, timeout):
        for column in ("first", "last"):
            if row.get(column) is not None and _text(row, column).isdigit():
                spans[_text(row, "flow")].append(int(_text(row, column)))
    for key, numbers in spans.items():
        if key in flows:
            low, high = min(numbers), max(numbers)
            flows[key].lines = str(low) if low == high else f"{low}-{high}"
    labels: dict[str, set[str]] = defaultdict(set)
    for row in source.select(_LABELS, None, timeout):
        labels[_text(row, "resource")].add(fold(_text(row, "label")))
    for flow in flows.values():
        if flow.recipient:
            labels[flow.recipient_iri or flow.iri].add(fold(flow.recipient))
    return holders, flows, labels


def _names(iri: str, printed: str, labels: dict[str, set[str]]) -> set[str]:
    names = set(labels.get(iri, set()))
    if printed:
        names.add(fold(printed))
    names.discard("")
    return names


def _passes_on_to(flow: _Flow, sender: _Holder, holder: _Holder, labels: dict[str, set[str]]) -> bool:
    """Is ``holder`` (another assessment) the recipient of ``flow``?"""
    recipient_names = _names(flow.recipient_iri, flow.recipient, labels)
    if not recipient_names:
        return False
    if flow.kind == "transfer":
        if not sender.body_iri or holder.body_iri != sender.body_iri:
            return False
        if flow.recipient_iri and flow.recipient_iri == holder.department_iri:
            return True
        department_names = _names(holder.department_iri, holder.department, labels)
        return any(d == r or d.endswith(r) for d in department_names for r in recipient_names)
    if flow.recipient_iri and flow.recipient_iri == holder.body_iri:
        return True
    return bool(recipient_names & _names(holder.body_iri, holder.body, labels))


def _uses_method(flow: _Flow, method: str) -> bool:
    wanted = fold(method)
    for label in flow.methods:
        slug = vocab.METHOD_CONCEPTS.get(label, "")
        if wanted and (wanted in fold(label) or wanted == slug or method == str(vocab.VOCAB[f"method/{slug}"])):
            return True
    return False


def _candidates(flow: _Flow, sender: _Holder, by_body_iri: dict[str, list[_Holder]],
                by_body_name: dict[str, list[_Holder]], labels: dict[str, set[str]]) -> list[_Holder]:
    """Holders that might receive ``flow`` (an index lookup, so large stores stay linear)."""
    if flow.kind == "transfer":
        return by_body_iri.get(sender.body_iri, []) if sender.body_iri else []
    found = list(by_body_iri.get(flow.recipient_iri, [])) if flow.recipient_iri else []
    for name in _names(flow.recipient_iri, flow.recipient, labels):
        found.extend(by_body_name.get(name, []))
    return found


def baseline_flow_network(source: SparqlSource, timeout: float | None = None) -> tuple[nx.MultiDiGraph, dict[str, _Holder],
                                                                             dict[str, _Flow], dict[str, set[str]]]:
    """The holder/recipient multigraph; edge keys are flow IRIs."""
    holders, flows, labels = _load(source, timeout)
    by_body_iri: dict[str, list[_Holder]] = defaultdict(list)
    by_body_name: dict[str, list[_Holder]] = defaultdict(list)
    for holder in holders.values():
        if holder.body_iri:
            by_body_iri[holder.body_iri].append(holder)
        for name in _names(holder.body_iri, holder.body, labels):
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


def baseline_trace(source: SparqlSource, to: str, method: str | None = None, *, max_hops: int = MAX_HOPS,
          timeout: float | None = None) -> list[Hop]:
    """Every path (up to ``max_hops`` hops) from an assessing body to a recipient matching ``to``."""
    wanted = fold(to)
    if not wanted:
        return []
    network, holders, flows, labels = baseline_flow_network(source, timeout)
    targets = set()
    for node in network.nodes:
        if node[0] != "recipient":
            continue
        incoming = [flows[key] for _, _, key in network.in_edges(node, keys=True)]
        names: set[str] = set()
        for flow in incoming:
            names |= _names(flow.recipient_iri, flow.recipient, labels)
        if any(wanted in name for name in names):
            targets.add(node)
    hops: list[Hop] = []
    if not targets:
        return hops
    reaching: set = set()
    for target in targets:
        reaching |= nx.ancestors(network, target)
    paths = []
    for start in sorted(n for n in reaching if n[0] == "holder"):
        for path in nx.all_simple_edge_paths(network, start, targets, cutoff=max_hops):
            last_flow = flows[path[-1][2]]
            if method and not _uses_method(last_flow, method):
                continue
            paths.append(path)
    paths.sort(key=lambda p: (len(p), [flows[key].assessment for _, _, key in p], [key for _, _, key in p]))
    for number, path in enumerate(paths, start=1):
        for position, (_, _, key) in enumerate(path, start=1):
            flow = flows[key]
            holder = holders[flow.assessment]
            hops.append(Hop(
                path=number, hop=position, hops=len(path), assessment=flow.assessment,
                body=holder.body, department=holder.department, business=holder.business,
                source_file=holder.source_file, file=flow.file, kind=_KIND_LABELS.get(flow.kind, flow.kind),
                recipient=flow.recipient, methods=list(flow.methods), legal_basis=flow.legal_basis,
                timing=flow.timing, lines=flow.lines,
            ))
    return hops


# --- the previous texts of the queries rewritten for speed ------------------------------------
BASELINE_QUERIES: dict[str, str] = {
    "recipients-by-method": r'''# title: 提供方法別の提供先 / Recipients by method
# description: For each recipient (grouped by the resolved entity) and each 提供方法/移転方法, how
# description: many provisions/transfers and assessments use it. Flows whose method is unknown
# description: (abstained) are counted under "(不明)".
# param: recipient (string, optional) part of the recipient's name
# columns: recipientName, methodLabel, flows, assessments
PREFIX pia: <https://w3id.org/pia-graph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

# Counted first; the recipient's labels are looked up once per recipient afterwards (they are
# repeated in every graph that names the recipient, so a lookup per flow grows with the store twice).
SELECT ?recipientName ?methodLabel ?flows ?assessments
WHERE {
  {
    SELECT ?recipientResource ?methodLabel (COUNT(DISTINCT ?flow) AS ?flows)
           (COUNT(DISTINCT ?assessment) AS ?assessments) (SAMPLE(?name) AS ?anyName)
    WHERE {
      GRAPH ?assessment {
        ?assessment a pia:Assessment ; pia:hasFile ?fileResource .
        ?fileResource pia:hasProvision|pia:hasTransfer ?flow .
        ?flow pia:recipient ?recipientResource .
        OPTIONAL { ?recipientResource pia:name ?name }
      }
      OPTIONAL { ?flow pia:method ?method
                 OPTIONAL { ?method skos:prefLabel ?prefLabel FILTER(LANG(?prefLabel) = "ja") } }
      BIND(IF(BOUND(?method), COALESCE(?prefLabel, STRAFTER(STR(?method), "method/")), "(不明)") AS ?methodLabel)
    }
    GROUP BY ?recipientResource ?methodLabel
  }
  # the resolved entity's Japanese label (one name for every printed spelling)
  OPTIONAL {
    SELECT ?recipientResource (SAMPLE(?ja) AS ?canonical)
    WHERE {
      { SELECT DISTINCT ?recipientResource WHERE { GRAPH ?anyGraph { ?anyFlow pia:recipient ?recipientResource } } }
      ?recipientResource rdfs:label ?ja FILTER(LANG(?ja) = "ja")
    }
    GROUP BY ?recipientResource
  }
  BIND(COALESCE(?canonical, ?anyName) AS ?recipientName)
  # every label of the recipient, whitespace removed, joined by newlines (see files-to-recipient.rq)
  OPTIONAL {
    SELECT ?recipientResource (GROUP_CONCAT(DISTINCT ?labelKey; SEPARATOR="\n") AS ?labelKeys)
    WHERE {
      { SELECT DISTINCT ?recipientResource WHERE { GRAPH ?anyGraph { ?anyFlow pia:recipient ?recipientResource } } }
      ?recipientResource pia:name|rdfs:label|skos:prefLabel|skos:altLabel ?label .
      BIND(REPLACE(STR(?label), "[\\s　]", "") AS ?labelKey)
    }
    GROUP BY ?recipientResource
  }
  FILTER(!BOUND(?recipient) || (BOUND(?labelKeys) && CONTAINS(?labelKeys, REPLACE(?recipient, "[\\s　]", ""))))
}
ORDER BY ?recipientName DESC(?flows) ?methodLabel
''',
    "laws-cited": r'''# title: 引用の多い法令 / Laws cited most
# description: Laws cited by any 法令上の根拠 (個人番号の利用, 情報連携, 提供・移転), counted by the
# description: legal-basis texts that cite them, by distinct provisions cited, and by assessment, most cited first. Keyed by e-Gov 法令ID where known.
# param: law (string, optional) part of the law's name
# columns: lawName, eGovLawId, legalBases, provisions, assessments
PREFIX pia: <https://w3id.org/pia-graph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

# Counted first, per law, inside the assessment graphs; the law's names are looked up afterwards,
# one property at a time. A law's labels are repeated in every assessment graph that cites it, and
# the union of the graphs keeps each copy, so looking them up before grouping (or several in one
# OPTIONAL group) multiplies rows by the number of citing graphs per property (minutes at 1,000).
SELECT ?lawName ?eGovLawId ?legalBases ?provisions ?assessments
WHERE {
  {
    SELECT ?lawResource ?legalBases ?provisions ?assessments (SAMPLE(?lawLabel) AS ?anyLabel)
           (SAMPLE(?printedName) AS ?lawPrintedName)
    WHERE {
      {
        SELECT ?lawResource ?legalBases ?provisions ?assessments (SAMPLE(?printed) AS ?printedName)
        WHERE {
          {
            SELECT ?lawResource (COUNT(DISTINCT ?basis) AS ?legalBases) (COUNT(DISTINCT ?citation) AS ?provisions)
                   (COUNT(DISTINCT ?assessment) AS ?assessments)
            WHERE {
              GRAPH ?assessment {
                ?assessment a pia:Assessment .
                ?basis pia:cites ?citation .
                ?citation pia:law ?lawResource .
              }
            }
            GROUP BY ?lawResource
          }
          OPTIONAL { ?lawResource pia:name ?printed }
        }
        GROUP BY ?lawResource ?legalBases ?provisions ?assessments
      }
      OPTIONAL { FILTER(!BOUND(?printedName)) ?lawResource rdfs:label ?lawLabel }
    }
    GROUP BY ?lawResource ?legalBases ?provisions ?assessments ?printedName
  }
  OPTIONAL { SELECT ?lawResource (SAMPLE(?id) AS ?eGovLawId) WHERE { ?lawResource pia:eGovLawId ?id } GROUP BY ?lawResource }
  BIND(COALESCE(?lawPrintedName, ?anyLabel, STR(?lawResource)) AS ?lawName)
  FILTER(!BOUND(?law) || EXISTS {
    ?lawResource pia:name|rdfs:label|skos:prefLabel|skos:altLabel ?label
    FILTER(CONTAINS(STR(?label), ?law))
  })
}
ORDER BY DESC(?legalBases) DESC(?assessments) ?lawName
''',
    "table-items-cited": r'''# title: 引用の多い別表の項 / 別表 items cited most
# description: Items of a law's 別表 (別表 / 別表第一 / 別表第二) cited by 法令上の根拠, counted by
# description: assessment. The table name is kept as printed: the 2023 amendment renamed 別表第一 to 別表.
# param: law (string, optional) part of the law's name
# columns: lawName, table, tableItem, assessments, legalBases
PREFIX pia: <https://w3id.org/pia-graph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>

SELECT (SAMPLE(?name) AS ?lawName) ?table ?tableItem
       (COUNT(DISTINCT ?assessment) AS ?assessments) (COUNT(DISTINCT ?basis) AS ?legalBases)
WHERE {
  GRAPH ?assessment {
    ?assessment a pia:Assessment .
    ?basis pia:cites ?citation .
    ?citation pia:tableItem ?tableItem .
    OPTIONAL { ?citation pia:table ?printedTable }
    OPTIONAL { ?citation pia:law ?lawResource }
  }
  BIND(COALESCE(?printedTable, "別表") AS ?table)
  OPTIONAL { ?lawResource pia:name ?lawPrintedName }
  OPTIONAL { ?lawResource rdfs:label ?lawLabel }
  BIND(COALESCE(?lawPrintedName, ?lawLabel, "") AS ?name)
  FILTER(!BOUND(?law) || EXISTS {
    ?lawResource pia:name|rdfs:label|skos:prefLabel|skos:altLabel ?label
    FILTER(CONTAINS(STR(?label), ?law))
  })
}
GROUP BY ?lawResource ?table ?tableItem
ORDER BY DESC(?assessments) DESC(?legalBases) ?table xsd:integer(?tableItem)
''',
    "files-to-recipient": r'''# title: 提供先・移転先に届く特定個人情報ファイル / Files reaching a recipient
# description: Every 提供 (provision) and 移転 (transfer) of a 特定個人情報ファイル, with the assessing
# description: body, 事務, recipient as printed, 提供方法/移転方法 and 法令上の根拠 text. Filter by a
# description: recipient name (any part of any label: 日本年金機構 matches 厚生労働大臣（日本年金機構）).
# param: recipient (string, optional) part of the recipient's name
# columns: assessment, body, business, file, kind, recipientName, methods, legalText
PREFIX pia: <https://w3id.org/pia-graph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?assessment ?body ?business ?file ?kind ?recipientName
       (GROUP_CONCAT(DISTINCT ?methodLabel; SEPARATOR="、") AS ?methods) ?legalText
WHERE {
  GRAPH ?assessment {
    ?assessment a pia:Assessment ; pia:hasFile ?fileResource .
    { ?fileResource pia:hasProvision ?flow BIND("提供" AS ?kind) }
    UNION { ?fileResource pia:hasTransfer ?flow BIND("移転" AS ?kind) }
    ?flow pia:recipient ?recipientResource .
    # the recipient as printed in this entry (the flow's label); the entity's name otherwise
    OPTIONAL { ?flow rdfs:label ?recipientName }
    OPTIONAL { ?recipientResource pia:name ?recipientName }
    OPTIONAL { ?fileResource pia:name ?file }
    OPTIONAL { ?assessment pia:assessedBy/pia:name ?body }
    OPTIONAL { ?assessment pia:concernsBusiness/pia:name ?business }
    OPTIONAL { ?flow pia:legalBasis/pia:legalText ?legalText }
  }
  # method labels live in the ontology graph (SKOS concepts)
  OPTIONAL { ?flow pia:method ?method
             OPTIONAL { ?method skos:prefLabel ?methodLabelJa FILTER(LANG(?methodLabelJa) = "ja") } }
  BIND(COALESCE(?methodLabelJa, STRAFTER(STR(?method), "method/")) AS ?methodLabel)
  # Every label of each recipient, whitespace removed, joined by newlines: computed once per
  # recipient instead of once per flow (the labels are repeated in every graph that names the
  # recipient). The wanted text has its whitespace removed too, so it holds no newline and can
  # only match inside one label: the same test as EXISTS { label CONTAINS wanted }.
  OPTIONAL {
    SELECT ?recipientResource (GROUP_CONCAT(DISTINCT ?labelKey; SEPARATOR="\n") AS ?labelKeys)
    WHERE {
      { SELECT DISTINCT ?recipientResource WHERE { GRAPH ?anyGraph { ?anyFlow pia:recipient ?recipientResource } } }
      ?recipientResource pia:name|rdfs:label|skos:prefLabel|skos:altLabel ?label .
      BIND(REPLACE(STR(?label), "[\\s　]", "") AS ?labelKey)
    }
    GROUP BY ?recipientResource
  }
  FILTER(!BOUND(?recipient) || (BOUND(?labelKeys) && CONTAINS(?labelKeys, REPLACE(?recipient, "[\\s　]", ""))))
}
GROUP BY ?assessment ?body ?business ?file ?kind ?recipientName ?legalText ?flow
ORDER BY ?recipientName ?body ?file
''',
    "contractors": r'''# title: 委託先（評価実施機関・事務別） / Contractors per body and business
# description: Every 委託先 named in a 委託事項, with the assessing body, 事務, file, the 委託事項
# description: heading, 委託内容, 取扱者数 and whether it sub-contracts.
# param: contractor (string, optional) part of the contractor's name
# param: body (string, optional) part of the assessing body's name
# columns: assessment, bodyName, business, file, contractorName, entrustment, content, handlers, subcontract
PREFIX pia: <https://w3id.org/pia-graph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?assessment ?bodyName ?business ?file ?contractorName ?entrustment ?content ?handlers ?subcontract
WHERE {
  GRAPH ?assessment {
    ?assessment a pia:Assessment ; pia:hasFile ?fileResource .
    ?fileResource pia:hasEntrustment ?entrustmentResource .
    ?entrustmentResource pia:contractor ?contractorResource .
    ?contractorResource pia:name ?contractorName .
    OPTIONAL { ?assessment pia:assessedBy ?bodyResource . ?bodyResource pia:name ?bodyName }
    OPTIONAL { ?assessment pia:concernsBusiness/pia:name ?business }
    OPTIONAL { ?fileResource pia:name ?file }
    OPTIONAL { ?entrustmentResource pia:entrustmentTitle ?entrustment }
    OPTIONAL { ?entrustmentResource pia:content ?content }
  }
  # concept labels live in the ontology graph; the concept link and its label form one OPTIONAL
  OPTIONAL { ?entrustmentResource pia:handlerCount ?handlerConcept .
             ?handlerConcept skos:prefLabel ?handlers FILTER(LANG(?handlers) = "ja") }
  OPTIONAL { ?entrustmentResource pia:subcontractStatus ?subcontractConcept .
             ?subcontractConcept skos:prefLabel ?subcontract FILTER(LANG(?subcontract) = "ja") }
  FILTER(!BOUND(?contractor) || EXISTS {
    ?contractorResource pia:name|rdfs:label|skos:prefLabel|skos:altLabel ?label
    FILTER(CONTAINS(REPLACE(STR(?label), "[\\s　]", ""), REPLACE(?contractor, "[\\s　]", "")))
  })
  FILTER(!BOUND(?body) || EXISTS {
    ?bodyResource pia:name|rdfs:label|skos:prefLabel|skos:altLabel ?bodyLabel
    FILTER(CONTAINS(REPLACE(STR(?bodyLabel), "[\\s　]", ""), REPLACE(?body, "[\\s　]", "")))
  })
}
ORDER BY ?bodyName ?business ?file ?entrustment ?contractorName
''',
    "risky-methods": r'''# title: 電子メール・フラッシュメモリ・紙による提供・移転 / Provisions by risky methods
# description: Provisions and transfers whose 提供方法/移転方法 include 電子メール, フラッシュメモリ or 紙
# description: (channels that leave the controlled network). Narrow to one method with `method`
# description: (its Japanese label or its concept slug: email, flash-memory, paper).
# param: method (string, optional) one of 電子メール / フラッシュメモリ / 紙, or email / flash-memory / paper
# columns: assessment, body, business, file, kind, recipientName, methodLabel, timing
PREFIX pia: <https://w3id.org/pia-graph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?assessment ?body ?business ?file ?kind ?recipientName ?methodLabel ?timing
WHERE {
  VALUES (?riskyMethod ?slug) {
    (<https://w3id.org/pia-graph/vocab/method/email> "email")
    (<https://w3id.org/pia-graph/vocab/method/flash-memory> "flash-memory")
    (<https://w3id.org/pia-graph/vocab/method/paper> "paper")
  }
  GRAPH ?assessment {
    ?assessment a pia:Assessment ; pia:hasFile ?fileResource .
    { ?fileResource pia:hasProvision ?flow BIND("提供" AS ?kind) }
    UNION { ?fileResource pia:hasTransfer ?flow BIND("移転" AS ?kind) }
    ?flow pia:method ?riskyMethod .
    # the recipient as printed in this entry (the flow's label); the entity's name otherwise
    OPTIONAL { ?flow rdfs:label ?recipientName }
    OPTIONAL { ?flow pia:recipient/pia:name ?recipientName }
    OPTIONAL { ?flow pia:timing ?timing }
    OPTIONAL { ?fileResource pia:name ?file }
    OPTIONAL { ?assessment pia:assessedBy/pia:name ?body }
    OPTIONAL { ?assessment pia:concernsBusiness/pia:name ?business }
  }
  OPTIONAL { ?riskyMethod skos:prefLabel ?prefLabel FILTER(LANG(?prefLabel) = "ja") }
  BIND(COALESCE(?prefLabel, ?slug) AS ?methodLabel)
  FILTER(!BOUND(?method) || ?method = ?slug || CONTAINS(STR(?methodLabel), ?method))
}
ORDER BY ?methodLabel ?body ?file ?recipientName
''',
    "vendor-concentration": r'''# title: 委託先の集中度 / Vendor concentration
# description: Contractors (委託先 and named 再委託先) ranked by how many assessing bodies,
# description: assessments and 委託事項 rely on them. Names are grouped by the resolved entity, so
# description: spelling variants of one company count once.
# param: min_bodies (integer, optional) only contractors serving at least this many bodies
# columns: contractorName, bodies, assessments, entrustments, subcontracts
PREFIX pia: <https://w3id.org/pia-graph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT (SAMPLE(COALESCE(?canonical, ?name)) AS ?contractorName) (COUNT(DISTINCT ?body) AS ?bodies)
       (COUNT(DISTINCT ?assessment) AS ?assessments) (COUNT(DISTINCT ?entrustment) AS ?entrustments)
       (COUNT(DISTINCT ?link) AS ?subcontracts)
WHERE {
  GRAPH ?assessment {
    ?assessment a pia:Assessment ; pia:hasFile/pia:hasEntrustment ?entrustment .
    OPTIONAL { ?assessment pia:assessedBy ?body }
    { ?entrustment pia:contractor ?contractor }
    UNION { ?entrustment pia:hasSubcontract ?link . ?link pia:subcontractor ?contractor }
    ?contractor pia:name ?name .
  }
  OPTIONAL { ?contractor rdfs:label ?canonical FILTER(LANG(?canonical) = "ja") }
}
GROUP BY ?contractor ?min_bodies
HAVING (!BOUND(?min_bodies) || COUNT(DISTINCT ?body) >= ?min_bodies)
ORDER BY DESC(?bodies) DESC(?assessments) DESC(?entrustments) ?contractorName
''',
}


# --- measuring ---------------------------------------------------------------------------------
QUERY_PARAMS: dict[str, dict[str, str]] = {"files-to-recipient": {"recipient": "日本年金機構"}}


def baseline_query_file(name: str, directory: Path) -> Path:
    """The previous text of a rewritten query as a .rq file (``run_query`` takes a path)."""
    path = directory / f"{name}.rq"
    path.write_text(BASELINE_QUERIES[name], encoding="utf-8")
    return path


def _measure(store_path: str, kind: str, target: str, params: dict[str, str], queue: Any) -> None:
    from pia_graph.query import run_query, trace
    from pia_graph.store import Store

    source = Store(store_path, read_only=True)
    started = time.perf_counter()
    if kind == "trace":
        count = len(trace(source, target))
    elif kind == "baseline-trace":
        count = len(baseline_trace(source, target))
    else:
        count = len(run_query(source, target, params)[1])
    queue.put((time.perf_counter() - started, count))


def timed(store_path: Path, kind: str, target: str, params: dict[str, str], timeout: float,
          repeat: int) -> tuple[float | None, int | None]:
    """Best wall-clock seconds of ``repeat`` runs, each in a forked child (None: over ``timeout``)."""
    context = multiprocessing.get_context("fork")
    best: float | None = None
    count: int | None = None
    for _ in range(repeat):
        queue = context.Queue()
        child = context.Process(target=_measure, args=(str(store_path), kind, target, params, queue))
        child.start()
        child.join(timeout)
        if child.is_alive():
            child.kill()
            child.join()
            return None, None
        if queue.empty():
            return None, None
        seconds, count = queue.get()
        best = seconds if best is None else min(best, seconds)
    return best, count


def _cell(seconds: float | None, count: int | None, timeout: float) -> str:
    return f"> {timeout:g} s" if seconds is None else f"{seconds:.2f} s ({count})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assessments", type=int, default=1000, help="synthetic assessments to build")
    parser.add_argument("--store", type=Path, help="time an existing store instead of building one")
    parser.add_argument("--to", default="日本年金機構", help="the trace target")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per measurement")
    parser.add_argument("--repeat", type=int, default=2, help="runs per measurement (best is kept)")
    parser.add_argument("--skip-baseline", default="", help="comma-separated names whose old version is not run")
    parser.add_argument("--only", default="", help="comma-separated names to time (trace, query names)")
    args = parser.parse_args(argv)

    from pia_graph.query import list_queries

    store_path = args.store or OUT / f"qstore-{args.assessments}"
    if not (store_path / "CURRENT").exists():
        print(f"building {store_path} from {args.assessments} synthetic records …", flush=True)
        print(f"built in {build_synthetic_store(store_path, args.assessments):.0f} s", flush=True)
    skip = {name for name in args.skip_baseline.split(",") if name}
    only = {name for name in args.only.split(",") if name}
    print(f"\nstore {store_path}; wall clock, best of {args.repeat}, rows in brackets\n")
    print("| question | now | before | before / now |\n|---|---|---|---|")
    scratch = OUT / "baseline-queries"
    scratch.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[str, str, str, str, str, dict[str, str]]] = [
        (f"trace --to {args.to}", "trace", args.to, "baseline-trace", args.to, {})]
    for spec in list_queries():
        params = QUERY_PARAMS.get(spec.name, {})
        label = spec.name + "".join(f" {key}={value}" for key, value in params.items())
        baseline = str(baseline_query_file(spec.name, scratch)) if spec.name in BASELINE_QUERIES else ""
        jobs.append((label, "query", spec.name, "query" if baseline else "", baseline, params))
    for label, kind, target, baseline_kind, baseline_target, params in jobs:
        name = "trace" if kind == "trace" else target
        if only and name not in only:
            continue
        now = timed(store_path, kind, target, params, args.timeout, args.repeat)
        before: tuple[float | None, int | None] = (None, None)
        ratio = "(unchanged)"
        if baseline_kind and name not in skip:
            before = timed(store_path, baseline_kind, baseline_target, params, args.timeout, args.repeat)
            if now[0] and before[0]:
                ratio = f"{before[0] / now[0]:.1f}x"
            elif now[0] and before[0] is None:
                ratio = f"> {args.timeout / now[0]:.0f}x"
            else:
                ratio = "n/a"
            before_cell = _cell(*before, args.timeout)
        else:
            before_cell = "not run" if baseline_kind else "same text"
        print(f"| {label} | {_cell(*now, args.timeout)} | {before_cell} | {ratio} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
