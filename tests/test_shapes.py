"""ontology/shapes.ttl accepts the valid fixtures and rejects each invalid one for its reason.

Fixtures live in tests/shapes/ and are named after the shape they exercise:

* ``<ShapeName>-valid.ttl`` must conform.
* ``<ShapeName>-invalid-NN.ttl`` holds exactly one fault. Its first line is
  ``# fault: <what is wrong>`` and its second ``# expect: <ConstraintComponent> [<term>]``, where
  ``<term>`` is the result path or, for ``SPARQLConstraintComponent``, the named SPARQL constraint
  (``lexsh:EvidenceWithinText``). The report must hold a result of that component (and term) from
  ``lexsh:<ShapeName>`` or one of its property shapes, and no result from any other shape: the
  fault is caught where it is meant to be and trips nothing else.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH

from graph_builder.namespaces import LEXSH

ROOT = Path(__file__).resolve().parent.parent
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
ONTOLOGY_FILE = ROOT / "ontology" / "lexgraph.ttl"
FIXTURE_DIR = Path(__file__).resolve().parent / "shapes"

FIXTURE_NAME = re.compile(r"^(?P<shape>[A-Za-z]+Shape)-(?:valid|invalid-\d{2})\.ttl$")
EXPECT_LINE = re.compile(
    r"^# expect: (?P<component>[A-Za-z]+ConstraintComponent)(?: (?P<term>\S+))?\s*$"
)

FIXTURES = sorted(FIXTURE_DIR.glob("*.ttl"))
VALID = [path for path in FIXTURES if path.name.endswith("-valid.ttl")]
INVALID = [path for path in FIXTURES if "-invalid-" in path.name]


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_FILE)


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    return Graph().parse(ONTOLOGY_FILE)


def run_shacl(fixture: Path) -> tuple[bool, Graph]:
    conforms, report, _text = validate(
        Graph().parse(fixture),
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
    )
    return conforms, report


def shape_of(fixture: Path) -> URIRef:
    match = FIXTURE_NAME.match(fixture.name)
    assert match, f"{fixture.name}: not <ShapeName>-valid.ttl or <ShapeName>-invalid-NN.ttl"
    return LEXSH[match["shape"]]


def owned_shapes(shape: URIRef) -> set:
    """The node shape and its property shapes: what may appear as its results' sh:sourceShape."""
    return {shape, *shapes_graph().objects(shape, SH.property)}


def read_expectation(fixture: Path) -> tuple[URIRef, URIRef, URIRef | None]:
    """(constraint component, result property the term is compared with, term) from the header."""
    lines = fixture.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 2, f"{fixture.name}: too short"
    assert lines[0].startswith("# fault: "), f"{fixture.name}: first line must be '# fault: ...'"
    match = EXPECT_LINE.match(lines[1])
    assert match, f"{fixture.name}: second line must be '# expect: <Component> [<term>]'"
    component = SH[match["component"]]
    sparql = component == SH.SPARQLConstraintComponent
    where = SH.sourceConstraint if sparql else SH.resultPath
    if match["term"] is None:
        return component, where, None
    prefixes = Graph().parse(fixture).namespace_manager
    prefixes.bind("lexsh", LEXSH)
    return component, where, prefixes.expand_curie(match["term"])


def test_every_shape_has_fixtures() -> None:
    graph = shapes_graph()
    named = {node for node in graph.subjects(RDF.type, SH.NodeShape) if isinstance(node, URIRef)}
    invalid = [shape_of(path) for path in INVALID]
    assert {shape_of(path) for path in VALID} == named
    assert set(invalid) == named
    assert invalid.count(LEXSH.CitationShape) >= 2


@pytest.mark.parametrize("fixture", VALID, ids=lambda path: path.stem)
def test_valid_fixture_conforms(fixture: Path) -> None:
    shape_of(fixture)
    conforms, report = run_shacl(fixture)
    assert conforms, sorted(str(message) for message in report.objects(None, SH.resultMessage))


@pytest.mark.parametrize("fixture", INVALID, ids=lambda path: path.stem)
def test_invalid_fixture_fails_for_its_reason(fixture: Path) -> None:
    shape = shape_of(fixture)
    component, where, term = read_expectation(fixture)
    conforms, report = run_shacl(fixture)
    assert not conforms

    results = list(report.subjects(RDF.type, SH.ValidationResult))
    owned = owned_shapes(shape)
    foreign = sorted(
        str(report.value(result, SH.resultMessage))
        for result in results
        if report.value(result, SH.sourceShape) not in owned
    )
    assert foreign == [], f"results from shapes other than {shape}"

    expected = [
        result
        for result in results
        if report.value(result, SH.sourceConstraintComponent) == component
        and (term is None or report.value(result, where) == term)
    ]
    assert expected, f"no {component} result{'' if term is None else f' for {term}'} from {shape}"
