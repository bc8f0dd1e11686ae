"""The ontology, the concept schemes and the alignment, loaded as one graph.

Source of truth: ``ontology/*.ttl`` at the repository root (what people edit and read).
The installed package carries byte-identical copies in ``pia_graph/data/rdf/`` (listed in
package-data), which is what this module loads, so an installed ``pia-graph`` works without
the repository; ``tests/graph/test_ontology.py`` fails when a copy differs from its source and
``python -m pia_graph.rdf.ontology --sync`` refreshes the copies.
"""

from __future__ import annotations

import shutil
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rdflib import Graph

from pia_graph import vocab as V

ONTOLOGY_FILES = ("pia.ttl", "vocab.ttl", "alignment.ttl")
SHAPES_FILES = ("pia-shapes.ttl",)
REPO_ROOT = Path(__file__).resolve().parent.parent.parent


def packaged_text(name: str) -> str:
    return resources.files("pia_graph").joinpath(f"data/rdf/{name}").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _ontology_turtle() -> tuple[str, ...]:
    return tuple(packaged_text(name) for name in ONTOLOGY_FILES)


def ontology_graph() -> Graph:
    """A fresh graph (identifier ``vocab.ONTOLOGY_GRAPH``) holding ontology + vocab + alignment."""
    graph = Graph(identifier=V.ONTOLOGY_GRAPH)
    for prefix, namespace in V.PREFIXES.items():
        graph.bind(prefix, namespace)
    for text in _ontology_turtle():
        graph.parse(data=text, format="turtle")
    return graph


def shapes_graph() -> Graph:
    graph = Graph()
    for name in SHAPES_FILES:
        graph.parse(data=packaged_text(name), format="turtle")
    return graph


def source_files() -> dict[str, Path]:
    """Packaged copy name → its source file in the repository."""
    files = {name: REPO_ROOT / "ontology" / name for name in ONTOLOGY_FILES}
    files.update({name: REPO_ROOT / "shapes" / name for name in SHAPES_FILES})
    return files


def sync() -> None:
    target = Path(__file__).resolve().parent.parent / "data" / "rdf"
    target.mkdir(parents=True, exist_ok=True)
    for name, source in source_files().items():
        shutil.copyfile(source, target / name)


if __name__ == "__main__":
    if sys.argv[1:] == ["--sync"]:
        sync()
    else:
        sys.stderr.write("usage: python -m pia_graph.rdf.ontology --sync\n")
        sys.exit(2)
