"""Stage 4 (emit): the RDF of the bundled example, counted and walked."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, URIRef

from graph_builder import build_graph, check_graph
from graph_builder.api import Overrides
from graph_builder.namespaces import CITO, ELI, LEX, OA

DOC = URIRef("https://w3id.org/lexgraph/akn/un/doc/a-res-58-137")
PARAGRAPHS = (LEX.PreambularParagraph, LEX.OperativeParagraph, LEX.SubParagraph)


@pytest.fixture(scope="module")
def graph(example_path) -> Graph:
    return build_graph([example_path])


@pytest.mark.parametrize(("cls", "count"), [
    (LEX.PreambularParagraph, 16),
    (LEX.OperativeParagraph, 17),
    (LEX.SubParagraph, 14),
    (LEX.Footnote, 8),
    (CITO.Citation, 21),
])
def test_node_counts(graph, cls, count):
    assert len(set(graph.subjects(RDF.type, cls))) == count


@pytest.mark.parametrize(("relation", "count"), [
    (LEX.recalls, 8), (LEX.implements, 9), (LEX.notes, 3), (LEX.takesNoteOf, 1),
    (LEX.welcomes, 0), (LEX.reaffirms, 0), (LEX.cites, 0),
])
def test_citation_edges_from_paragraphs(graph, relation, count):
    edges = [(s, o) for s, o in graph.subject_objects(relation)
             if any((s, RDF.type, cls) in graph for cls in PARAGRAPHS)]
    assert len(edges) == count


def test_every_citation_has_both_selectors_matching_the_source(graph, example_path):
    text = example_path.read_text(encoding="utf-8")
    for citation in graph.subjects(RDF.type, CITO.Citation):
        target = graph.value(citation, LEX.evidence)
        assert graph.value(target, OA.hasSource) == DOC
        selectors = {graph.value(s, RDF.type): s for s in graph.objects(target, OA.hasSelector)}
        quote, position = selectors[OA.TextQuoteSelector], selectors[OA.TextPositionSelector]
        start, end = int(graph.value(position, OA.start)), int(graph.value(position, OA.end))
        assert str(graph.value(quote, OA.exact)) == text[start:end]
        assert str(graph.value(quote, OA.prefix)) == text[max(0, start - 40):start]
        # The edge the citation describes is in the graph too.
        edge = (graph.value(citation, CITO.hasCitingEntity),
                graph.value(citation, CITO.hasCitationCharacterization),
                graph.value(citation, CITO.hasCitedEntity))
        assert (edge[0], edge[1], edge[2]) in graph


def test_pinpoint_chain_reaches_the_instrument_and_its_adopting_resolution(graph):
    op13 = URIRef(f"{DOC}/!main~para_13")
    (cited,) = graph.objects(op13, LEX.implements)
    assert str(cited).endswith("untoc-trafficking-protocol~art_9__para_5")
    assert (cited, RDF.type, LEX.ArticleParagraph) in graph
    article = graph.value(cited, ELI.is_part_of)
    assert (article, RDF.type, LEX.Article) in graph
    assert str(graph.value(article, LEX.heading)) == "Prevention of trafficking in persons"
    protocol = graph.value(article, ELI.is_part_of)
    assert (protocol, RDF.type, LEX.Protocol) in graph
    convention = graph.value(protocol, LEX.supplements)
    assert str(convention).endswith("/act/untoc")
    resolution = graph.value(protocol, LEX.adoptedBy)
    assert str(graph.value(resolution, ELI.id_local)) == "A/RES/55/25"
    assert str(graph.value(protocol, LEX.annex)) == "II"


def test_footnote_derived_citation_links_its_footnote(graph):
    pp1 = URIRef(f"{DOC}/!main~preamble__block_1")
    (citation,) = graph.subjects(CITO.hasCitingEntity, pp1)
    note = graph.value(citation, LEX.viaFootnote)
    assert str(graph.value(note, LEX.text)) == "Resolution 40/34, annex."
    assert (pp1, LEX.footnoteRef, note) in graph
    assert str(graph.value(note, LEX.refersTo)).endswith("/act/victims-declaration")


def test_document_metadata(example_path):
    graph = build_graph([example_path], overrides=Overrides(title="A title"))
    assert str(graph.value(DOC, ELI.id_local)) == "A/RES/58/137"
    assert str(graph.value(DOC, ELI.date_document)) == "2003-12-22"
    assert int(graph.value(DOC, LEX.plenaryMeeting)) == 77
    assert str(graph.value(DOC, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == "A title"


def test_conforms_to_the_shapes(graph):
    result = check_graph(graph)
    assert result.conforms, result.human()
    assert result.findings == ()


def test_a_broken_graph_does_not_conform(graph):
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    op5 = URIRef(f"{DOC}/!main~para_5")
    broken.remove((op5, LEX.position, None))
    assert not check_graph(broken).conforms


def test_base_iri_moves_every_minted_iri(example_path):
    graph = build_graph([example_path], base="http://example.org/kg/")
    subjects = {str(s) for s in graph.subjects() if isinstance(s, URIRef)}
    assert subjects and all(s.startswith("http://example.org/kg/") for s in subjects)


def test_output_is_stable_across_runs(example_path, graph):
    from rdflib.compare import isomorphic

    assert isomorphic(build_graph([example_path]), graph)
