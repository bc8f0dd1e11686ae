"""Questions auditors ask of the flow graph, answered from it (``pia-graph analyze``).

- vendor concentration: contractors ranked by how many bodies, assessments and files entrust them;
- reach: which bodies and files hand data to a recipient (substring match), how and on what basis;
- chains: the longest 委託 → 再委託 → … chains;
- recipients by method: how each recipient receives data (提供/移転 counts per method).
Every function takes the graph from ``flow_graph`` and returns plain rows (dicts) ready for JSON.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx

from pia_graph.export.flowgraph import normalise, source_text


def vendor_concentration(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Contractors (direct 委託先, and sub-contractors) by number of bodies, then files."""
    stats: dict[str, dict[str, Any]] = defaultdict(lambda: {
        "bodies": set(), "assessments": set(), "files": set(), "entrustments": 0, "subcontracts": 0})
    file_ids = {(d["assessment"], d["file"]): u for u, _v, d in graph.edges(data=True) if d["kind"] == "entrust"}
    for u, v, _key, d in graph.edges(keys=True, data=True):
        if d["kind"] == "entrust":
            s = stats[v]
            s["entrustments"] += 1
            s["files"].add(u)
        elif d["kind"] == "subcontract":
            s = stats[v]
            s["subcontracts"] += 1
            s["files"].add(file_ids.get((d["assessment"], d["file"]), d["file"]))
        else:
            continue
        s["bodies"].add(d["body"])
        s["assessments"].add(d["assessment"])
    rows = []
    for node, s in stats.items():
        attrs = graph.nodes[node]
        rows.append({
            "contractor": attrs["label"], "iri": node, "kind": attrs["kind"],
            "spellings": attrs["spellings"], "bodies": len(s["bodies"]),
            "assessments": len(s["assessments"]), "files": len(s["files"]),
            "entrustments": s["entrustments"], "subcontracts": s["subcontracts"],
            "body_names": sorted(b for b in s["bodies"] if b),
        })
    rows.sort(key=lambda r: (-r["bodies"], -r["files"], -r["entrustments"], r["contractor"]))
    total_bodies = len({d["body"] for _, _, d in graph.edges(data=True) if d["kind"] == "entrust"})
    for row in rows:
        row["share_of_bodies"] = round(row["bodies"] / total_bodies, 4) if total_bodies else 0.0
    return rows


def recipient_reach(graph: nx.MultiDiGraph, recipient: str) -> list[dict[str, Any]]:
    """Every 提供/移転 hop whose recipient matches ``recipient`` (substring, any spelling)."""
    wanted = normalise(recipient)
    rows = []
    for u, v, _key, d in graph.edges(keys=True, data=True):
        if d["kind"] not in ("provide", "transfer"):
            continue
        spellings = [*graph.nodes[v].get("spellings", []), graph.nodes[v].get("label", "")]
        if not any(wanted in normalise(s) for s in spellings):
            continue
        rows.append({
            "recipient": graph.nodes[v]["label"], "body": d["body"], "assessment": d["assessment_label"],
            "business": d["business"], "file": graph.nodes[u]["label"], "flow": d["label"],
            "methods": d["methods"], "legal_basis": d["legal_basis"], "laws": d["laws"],
            "timing": d["timing"], "sources": [source_text(s) for s in d["sources"]],
        })
    rows.sort(key=lambda r: (r["recipient"], r["body"], r["assessment"], r["file"]))
    return rows


def reach_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"hops": len(rows), "bodies": len({r["body"] for r in rows}),
            "files": len({(r["assessment"], r["file"]) for r in rows}),
            "methods": dict(Counter(m for r in rows for m in r["methods"]).most_common())}


def longest_chains(graph: nx.MultiDiGraph, limit: int = 20) -> list[dict[str, Any]]:
    """委託 chains, longest first: body → file → contractor → sub-contractor → …"""
    children: dict[str, list[tuple[str, str]]] = defaultdict(list)  # parent flow → (flow, target)
    roots = []
    for u, v, key, d in graph.edges(keys=True, data=True):
        if d["kind"] == "entrust":
            roots.append((u, v, key, d))
        elif d["kind"] == "subcontract":
            children[d["parent"]].append((key, v))
    chains = []
    for file_node, contractor, key, d in roots:
        # depth-first; each maximal path is one chain
        stack: list[tuple[str, list[str]]] = [(key, [contractor])]
        while stack:
            flow, path = stack.pop()
            below = [(k, t) for k, t in children.get(flow, []) if t not in path]
            if not below:
                chains.append({
                    "links": len(path), "body": d["body"], "assessment": d["assessment_label"],
                    "business": d["business"], "file": graph.nodes[file_node]["label"],
                    "chain": [graph.nodes[n]["label"] for n in path], "entrustment": d["title"],
                })
            for k, t in below:
                stack.append((k, [*path, t]))
    chains.sort(key=lambda c: (-c["links"], c["body"], c["assessment"], c["chain"]))
    return chains[:limit]


def recipients_by_method(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """For each recipient: hops per method, and how many bodies send to it."""
    per: dict[str, dict[str, Any]] = defaultdict(lambda: {"methods": Counter(), "bodies": set(), "hops": 0})
    for _u, v, _key, d in graph.edges(keys=True, data=True):
        if d["kind"] not in ("provide", "transfer"):
            continue
        entry = per[v]
        entry["hops"] += 1
        entry["bodies"].add(d["body"])
        for method in d["methods"] or ["（記載なし）"]:
            entry["methods"][method] += 1
    rows = [{"recipient": graph.nodes[v]["label"], "iri": v, "hops": e["hops"], "bodies": len(e["bodies"]),
             "methods": dict(e["methods"].most_common())} for v, e in per.items()]
    rows.sort(key=lambda r: (-r["hops"], r["recipient"]))
    return rows


def analyze(graph: nx.MultiDiGraph, recipient: str | None = None, limit: int = 20) -> dict[str, Any]:
    report: dict[str, Any] = {
        "vendor_concentration": vendor_concentration(graph)[:limit],
        "longest_chains": longest_chains(graph, limit),
        "recipients_by_method": recipients_by_method(graph)[:limit],
    }
    if recipient:
        rows = recipient_reach(graph, recipient)
        report["recipient_reach"] = {"query": recipient, "summary": reach_summary(rows), "hops": rows}
    return report
