"""Each SHACL shape against its conforming and violating fixtures.

Fixtures: tests/fixtures/shapes/{valid,invalid}/<Shape>-<reason>.ttl. A valid fixture must not
make <Shape> fire at all; an invalid one must make it fire with the severity named in its
``# expect: <Severity>`` first line (Violation when absent).
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from pia_graph.rdf.ontology import shapes_graph
from pia_graph.validate.shacl import with_prepared_queries

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "shapes"
SHAPES_NS = "https://w3id.org/pia-graph/shapes#"


def _fixtures(kind: str) -> list[Path]:
    return sorted((FIXTURES / kind).glob("*.ttl"))


def _fired(data: Graph, shapes: Graph) -> dict[str, set[str]]:
    """shape local name → severities it reported."""
    _, report, _ = pyshacl.validate(with_prepared_queries(data), shacl_graph=shapes, inference="none",
                                    allow_warnings=True)
    fired: dict[str, set[str]] = {}
    for result in report.objects(None, SH.result):
        source = report.value(result, SH.sourceShape)
        # property shapes are blank nodes: attribute them to the node shape that holds them
        node_shape = source
        for holder in shapes.subjects(SH.property, source):
            node_shape = holder
        name = str(node_shape).removeprefix(SHAPES_NS)
        severity = str(report.value(result, SH.resultSeverity)).removeprefix(str(SH))
        fired.setdefault(name, set()).add(severity)
    return fired


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return shapes_graph()


def _shape_name(path: Path) -> str:
    return path.stem.split("-", 1)[0]


def test_every_shape_has_valid_and_invalid_fixtures(shapes: Graph) -> None:
    declared = {str(s).removeprefix(SHAPES_NS) for s in shapes.subjects(RDF.type, SH.NodeShape)}
    with_invalid = {_shape_name(p) for p in _fixtures("invalid")}
    with_valid = {_shape_name(p) for p in _fixtures("valid")}
    assert declared - with_invalid == set()
    assert declared - with_valid == set()
    assert (with_invalid | with_valid) - declared == set(), "fixture named after an unknown shape"


@pytest.mark.parametrize("path", _fixtures("valid"), ids=lambda p: p.stem)
def test_valid_fixture_does_not_fire_its_shape(path: Path, shapes: Graph) -> None:
    data = Graph().parse(path, format="turtle")
    fired = _fired(data, shapes)
    assert _shape_name(path) not in fired, fired


@pytest.mark.parametrize("path", _fixtures("invalid"), ids=lambda p: p.stem)
def test_invalid_fixture_fires_its_shape(path: Path, shapes: Graph) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    expected = first_line.removeprefix("# expect:").strip() if first_line.startswith("# expect:") else "Violation"
    data = Graph().parse(path, format="turtle")
    fired = _fired(data, shapes)
    assert _shape_name(path) in fired, f"{_shape_name(path)} did not fire; fired: {fired}"
    assert fired[_shape_name(path)] == {expected}


def test_shapes_pass_meta_shacl(shapes: Graph) -> None:
    """The shapes graph is itself valid SHACL (pySHACL's SHACL-SHACL check)."""
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_every_message_is_bilingual(shapes: Graph) -> None:
    holders = set(shapes.subjects(SH.message, None))
    assert holders
    for holder in holders:
        languages = {m.language for m in shapes.objects(holder, SH.message)}
        assert languages == {"ja", "en"}, holder
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        properties = list(shapes.objects(shape, SH.property))
        for prop in properties:
            assert (prop, SH.message, None) in shapes, f"a property of {shape} has no message"
            assert (prop, SH.severity, None) in shapes, f"a property of {shape} has no severity"
        if not properties:
            assert (shape, SH.message, None) in shapes and (shape, SH.severity, None) in shapes, shape


def test_shape_iris_are_stable(shapes: Graph) -> None:
    assert (URIRef(SHAPES_NS + "FlowValueShape"), RDF.type, SH.NodeShape) in shapes
