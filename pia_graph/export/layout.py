"""A layered layout for the flow graph, computed here so the browser only draws.

Columns follow the direction of the data: 評価実施機関 → 部署 → システム → ファイル → (提供先・移転先
above, 委託先 below) → (法令 above, 再委託先 below). Inside a column, nodes are ordered by the mean
position of their neighbours (a few barycentre sweeps, which untangle most crossings), then laid out
over the full height of the drawing; a column with more nodes than fit in one strip wraps into
several strips side by side, filled row by row so that the order still runs top to bottom.
Cost: O(nodes + edges) per sweep, so it stays usable for tens of thousands of nodes.
"""

from __future__ import annotations

import math
from collections import defaultdict

import networkx as nx

# (column, band): nodes sharing a column split its height between bands in proportion to their count
SLOTS: dict[str, tuple[int, int]] = {
    "body": (0, 0), "department": (1, 0), "system": (2, 0), "file": (3, 0),
    "recipient": (4, 0), "contractor": (4, 1), "law": (5, 0), "subcontractor": (5, 1),
}
ROW_GAP = 14.0           # vertical distance between two nodes in a strip
ASPECT = 0.6            # height / width of the frame a small graph is spread over
STRIP_GAP = 110.0        # horizontal distance between the strips of one wrapped column
COLUMN_GAP = 420.0       # horizontal distance between two columns
SWEEPS = 4


def layered_layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Position of every node (x to the right, y downwards, in drawing units)."""
    if graph.number_of_nodes() == 0:
        return {}
    groups: dict[tuple[int, int], list[str]] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        groups[SLOTS.get(data.get("kind", ""), (6, 0))].append(node)
    for members in groups.values():
        members.sort(key=lambda n: (str(graph.nodes[n].get("label", "")), str(n)))

    neighbours: dict[str, set[str]] = defaultdict(set)
    for u, v in graph.edges():
        if u != v:
            neighbours[u].add(v)
            neighbours[v].add(u)

    slots = sorted(groups)
    rank: dict[str, float] = {}

    def place(slot: tuple[int, int]) -> None:
        members = groups[slot]
        for i, node in enumerate(members):
            rank[node] = (i + 0.5) / len(members)

    for slot in slots:
        place(slot)
    for sweep in range(SWEEPS):
        order = slots if sweep % 2 == 0 else list(reversed(slots))
        for slot in order:
            members = groups[slot]
            keys = {}
            for node in members:
                others = [rank[m] for m in neighbours[node] if SLOTS.get(
                    graph.nodes[m].get("kind", ""), (6, 0))[0] != slot[0]]
                keys[node] = sum(others) / len(others) if others else rank[node]
            members.sort(key=lambda n: (keys[n], rank[n]))
            place(slot)

    total = graph.number_of_nodes()
    rows_per_strip = max(40, math.ceil(math.sqrt(total) * 4))
    columns: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for slot in slots:
        columns[slot[0]].append(slot)
    # at least as tall as a screen-shaped frame around the columns, so a small graph fills the
    # viewer's canvas (and its labels are readable at the first fit) instead of a thin band
    height = max(ROW_GAP * min(rows_per_strip, max(len(m) for m in groups.values())), 400.0,
                 ASPECT * len(columns) * COLUMN_GAP)

    positions: dict[str, tuple[float, float]] = {}
    x = 0.0
    for column in sorted(columns):
        bands = columns[column]
        counts = [len(groups[b]) for b in bands]
        shares = [max(c / sum(counts), 0.2) for c in counts]
        scale = 1.0 / sum(shares)
        top = 0.0
        widest = 0
        for band, share in zip(bands, shares, strict=True):
            band_height = height * share * scale
            members = groups[band]
            rows_fit = max(1, int(band_height // ROW_GAP))
            strips = max(1, math.ceil(len(members) / rows_fit))
            rows = math.ceil(len(members) / strips)
            step = band_height / rows
            for i, node in enumerate(members):
                row, strip = divmod(i, strips)
                positions[node] = (x + strip * STRIP_GAP, top + (row + 0.5) * step)
            widest = max(widest, strips)
            top += band_height
        x += (widest - 1) * STRIP_GAP + COLUMN_GAP
    return positions
