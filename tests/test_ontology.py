"""The ontology files parse, declare exactly the terms of the Python mirror, and are annotated."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from graph_builder.namespaces import ELI, LEX, LEX_IRI, LEXSH, PREFIXES

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "lexgraph.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
ONTOLOGY_IRI = URIRef("https://w3id.org/lexgraph/ontology")
SHAPES_IRI = URIRef("https://w3id.org/lexgraph/shapes")
DCTERMS = Namespace("http://purl.org/dc/terms/")
CITO = Namespace("http://purl.org/spar/cito/")
OA = Namespace("http://www.w3.org/ns/oa#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

TURTLE_FILES = sorted(ONTOLOGY_DIR.rglob("*.ttl"))
TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
DEFINITION_PROPERTIES = (SKOS.definition, RDFS.comment)
NAMES = sorted(LEX.__annotations__)

# ELI terms checked against the ELI ontology itself (http://data.europa.eu/eli/ontology#).
# A misspelt ELI IRI in lexgraph.ttl or shapes.ttl would silently mint a new, meaningless term.
KNOWN_ELI_TERMS = {
    ELI[name]
    for name in (
        "LegalResource",
        "LegalResourceSubdivision",
        "cites",
        "applies",
        "is_part_of",
        "has_part",
        "number",
        "id_local",
        "date_document",
        "first_date_entry_in_force",
    )
}

INSTRUMENT_KINDS = (
    "Resolution",
    "Convention",
    "Protocol",
    "Declaration",
    "Report",
    "Programme",
    "Rules",
)
SUBDIVISION_KINDS = (
    "PreambularParagraph",
    "OperativeParagraph",
    "SubParagraph",
    "Annex",
    "Part",
    "Article",
    "ArticleParagraph",
    "NumberedParagraph",
    "Guideline",
    "Principle",
    "Section",
    "Footnote",
)
CITATION_KINDS = ("recalls", "reaffirms", "takesNoteOf", "notes", "welcomes", "implements")

SUBCLASS_AXIOMS = [
    (LEX.Instrument, ELI.LegalResource),
    (LEX.Subdivision, ELI.LegalResourceSubdivision),
    *[(LEX[name], LEX.Instrument) for name in INSTRUMENT_KINDS],
    *[(LEX[name], LEX.Subdivision) for name in SUBDIVISION_KINDS],
]

SUBPROPERTY_AXIOMS = [
    (LEX.cites, ELI.cites),
    *[(LEX[name], LEX.cites) for name in CITATION_KINDS],
    (LEX.implements, ELI.applies),
]

DOMAIN_RANGE_AXIOMS = [
    (LEX.evidence, RDFS.domain, CITO.Citation),
    (LEX.evidence, RDFS.range, OA.SpecificResource),
    (LEX.named, RDFS.domain, CITO.Citation),
    (LEX.named, RDFS.range, LEX.Instrument),
    (LEX.viaFootnote, RDFS.domain, CITO.Citation),
    (LEX.viaFootnote, RDFS.range, LEX.Footnote),
    (LEX.supplements, RDFS.domain, LEX.Protocol),
    (LEX.supplements, RDFS.range, LEX.Instrument),
    (LEX.adoptedBy, RDFS.domain, LEX.Instrument),
    (LEX.footnoteRef, RDFS.range, LEX.Footnote),
    (LEX.adoptedOnReport, RDFS.domain, LEX.Resolution),
    (LEX.adoptedOnDraft, RDFS.domain, LEX.Resolution),
]

INTEGER_PROPERTIES = (
    "position",
    "plenaryMeeting",
    "textLength",
    "articleCount",
    "paragraphCount",
    "iloNumber",
    "guidelineCount",
    "annexCount",
    "line",
    "column",
    "tripleCount",
    "diagnosticCount",
    # statistics of a store
    "statParagraphs",
    "statCitationsMade",
    "statFootnotes",
    "statCitedBy",
    "statCitedAsWork",
    "statCitingDocuments",
    "statCitations",
    "statCitingParagraphs",
    "session",
)
DATE_PROPERTIES = ("entryIntoForce",)
STRING_PROPERTIES = (
    "paragraphId",
    "text",
    "verb",
    "heading",
    "annex",
    "sourceFile",
    "key",
    "pinpoint",
    "treatySeries",
    "sourcePath",
    "contentHash",
    "builtWith",
    "agendaItem",
    "committee",
)
DATATYPE_RANGES = {
    **{name: XSD.integer for name in INTEGER_PROPERTIES},
    **{name: XSD.date for name in DATE_PROPERTIES},
    **{name: XSD.string for name in STRING_PROPERTIES},
}

# sh: predicates a node shape may carry that are not constraint parameters.
NOT_CONSTRAINT_PARAMETERS = {
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.property,
    SH.sparql,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
}

SHORT_NAMES = {**PREFIXES, "lexsh": str(LEXSH)}


def short(term: object) -> str:
    """A CURIE for test ids, without parsing any file at collection time."""
    text = str(term)
    for prefix, namespace in SHORT_NAMES.items():
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@lru_cache(maxsize=None)
def parsed(path: Path) -> Graph:
    return Graph().parse(path)


def ontology() -> Graph:
    return parsed(ONTOLOGY_FILE)


def shapes() -> Graph:
    return parsed(SHAPES_FILE)


def iris_in(graph: Graph, namespace: str) -> set[URIRef]:
    return {
        term
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(namespace)
    }


def declared_terms() -> set[URIRef]:
    graph = ontology()
    return {
        subject
        for kind in TERM_KINDS
        for subject in graph.subjects(RDF.type, kind)
        if isinstance(subject, URIRef) and str(subject).startswith(LEX_IRI)
    }


def shape_names() -> list[str]:
    """Local names of the node shapes, read as text so that collection never parses Turtle."""
    text = SHAPES_FILE.read_text(encoding="utf-8")
    return sorted(set(re.findall(r"^lexsh:(\w+)\s*\n\s*a sh:NodeShape", text, flags=re.MULTILINE)))


# --- files ------------------------------------------------------------------------------------


def test_the_expected_files_exist() -> None:
    assert ONTOLOGY_FILE in TURTLE_FILES
    assert SHAPES_FILE in TURTLE_FILES


@pytest.mark.parametrize("path", TURTLE_FILES, ids=relative)
def test_turtle_file_parses(path: Path) -> None:
    assert len(parsed(path)) > 0


def test_ontology_header() -> None:
    graph = ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY_IRI, DCTERMS.title) is not None
    assert graph.value(ONTOLOGY_IRI, DCTERMS.description) is not None


def test_version_info_follows_the_package_version() -> None:
    tomllib = pytest.importorskip("tomllib")
    with (ROOT / "pyproject.toml").open("rb") as handle:
        version = Literal(tomllib.load(handle)["project"]["version"])
    assert ontology().value(ONTOLOGY_IRI, OWL.versionInfo) == version
    assert shapes().value(SHAPES_IRI, OWL.versionInfo) == version


# --- terms ------------------------------------------------------------------------------------


def test_declared_terms_are_exactly_the_python_mirror() -> None:
    declared = declared_terms()
    mirrored = {LEX[name] for name in NAMES}
    assert sorted(declared - mirrored) == [], "declared in lexgraph.ttl but not in LEX"
    assert sorted(mirrored - declared) == [], "in LEX but not declared in lexgraph.ttl"


@pytest.mark.parametrize("name", NAMES)
def test_term_is_declared_once_as_its_kind(name: str) -> None:
    kinds = set(ontology().objects(LEX[name], RDF.type)) & set(TERM_KINDS)
    allowed = {OWL.Class} if name[0].isupper() else {OWL.ObjectProperty, OWL.DatatypeProperty}
    assert len(kinds) == 1
    assert kinds <= allowed


@pytest.mark.parametrize("name", NAMES)
def test_term_has_label_and_definition(name: str) -> None:
    graph = ontology()
    labels = [label for label in graph.objects(LEX[name], RDFS.label) if isinstance(label, Literal)]
    definitions = [
        text
        for predicate in DEFINITION_PROPERTIES
        for text in graph.objects(LEX[name], predicate)
        if isinstance(text, Literal)
    ]
    assert any(label.language == "en" and str(label).strip() for label in labels)
    assert any(str(text).strip() for text in definitions)


@pytest.mark.parametrize("path", TURTLE_FILES, ids=relative)
def test_every_lex_iri_used_is_declared(path: Path) -> None:
    assert sorted(iris_in(parsed(path), LEX_IRI) - declared_terms()) == []


# --- alignments -------------------------------------------------------------------------------


@pytest.mark.parametrize(("subclass", "superclass"), SUBCLASS_AXIOMS, ids=short)
def test_subclass_axiom(subclass: URIRef, superclass: URIRef) -> None:
    assert (subclass, RDFS.subClassOf, superclass) in ontology()


@pytest.mark.parametrize(("sub", "sup"), SUBPROPERTY_AXIOMS, ids=short)
def test_subproperty_axiom(sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subPropertyOf, sup) in ontology()


@pytest.mark.parametrize("name", CITATION_KINDS)
def test_citation_property_reaches_eli_cites(name: str) -> None:
    ancestors = set(ontology().transitive_objects(LEX[name], RDFS.subPropertyOf))
    assert {LEX.cites, ELI.cites} <= ancestors


@pytest.mark.parametrize(("prop", "axiom", "value"), DOMAIN_RANGE_AXIOMS, ids=short)
def test_domain_or_range_axiom(prop: URIRef, axiom: URIRef, value: URIRef) -> None:
    assert (prop, axiom, value) in ontology()


def test_datatype_properties_are_the_expected_ones() -> None:
    declared = set(ontology().subjects(RDF.type, OWL.DatatypeProperty))
    assert declared == {LEX[name] for name in DATATYPE_RANGES}


@pytest.mark.parametrize(("name", "datatype"), sorted(DATATYPE_RANGES.items()), ids=short)
def test_datatype_property_range(name: str, datatype: URIRef) -> None:
    assert list(ontology().objects(LEX[name], RDFS.range)) == [datatype]


@pytest.mark.parametrize("path", [ONTOLOGY_FILE, SHAPES_FILE], ids=relative)
def test_eli_terms_exist_in_eli(path: Path) -> None:
    assert sorted(iris_in(parsed(path), str(ELI)) - KNOWN_ELI_TERMS) == []


@pytest.mark.parametrize("path", TURTLE_FILES, ids=relative)
def test_deprecated_eli_implements_is_not_used(path: Path) -> None:
    assert ELI.implements not in iris_in(parsed(path), str(ELI))


# --- shapes -----------------------------------------------------------------------------------


def test_shapes_conform_to_shacl_shacl() -> None:
    conforms, _report, text = meta_validate(shapes(), inference="none")
    assert conforms, text


def test_shacl_shacl_check_catches_a_broken_shape() -> None:
    broken = Graph()
    for triple in shapes():
        broken.add(triple)
    broken.add((LEXSH.ResolutionShape, SH.minCount, Literal("one")))
    conforms, _report, _text = meta_validate(broken, inference="none")
    assert not conforms


def test_shape_names_are_read_completely() -> None:
    parsed_shapes = {
        subject
        for subject in shapes().subjects(RDF.type, SH.NodeShape)
        if isinstance(subject, URIRef)
    }
    assert parsed_shapes == {LEXSH[name] for name in shape_names()}


@pytest.mark.parametrize("name", shape_names())
def test_every_constraint_has_a_message(name: str) -> None:
    graph = shapes()
    shape = LEXSH[name]
    direct = {
        predicate
        for predicate in graph.predicates(shape)
        if str(predicate).startswith(str(SH)) and predicate not in NOT_CONSTRAINT_PARAMETERS
    }
    if direct:
        assert graph.value(shape, SH.message) is not None, f"{sorted(direct)} have no message"
    constraints = [*graph.objects(shape, SH.property), *graph.objects(shape, SH.sparql)]
    assert constraints, "a shape without constraints"
    assert [node for node in constraints if graph.value(node, SH.message) is None] == []


def test_sparql_constraints_declare_their_prefixes() -> None:
    graph = shapes()
    declared = {str(graph.value(node, SH.prefix)) for node in graph.objects(None, SH.declare)}
    constraints = list(graph.objects(None, SH.sparql))
    assert constraints
    for constraint in constraints:
        assert graph.value(constraint, SH.prefixes) is not None
        query = str(graph.value(constraint, SH.select))
        assert set(re.findall(r"\b([a-z]+):[A-Za-z_]", query)) <= declared
