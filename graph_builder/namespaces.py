"""RDF namespaces used by lexgraph, with a closed Python mirror of the lexgraph vocabulary.

``LEX`` is a closed :class:`rdflib.namespace.DefinedNamespace`: ``LEX.recals`` raises
``AttributeError`` instead of silently minting a new term. ``tests/test_ontology.py`` checks that
the terms declared here and in ``ontology/lexgraph.ttl`` are the same set, so the two cannot drift.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DefinedNamespace

LEX_IRI = "https://w3id.org/lexgraph/ontology#"


class LEX(DefinedNamespace):
    """The lexgraph ontology (``ontology/lexgraph.ttl``)."""

    _NS = Namespace(LEX_IRI)
    _fail = True

    # Classes: instruments
    Instrument: URIRef  # a legal instrument or UN document that can be cited
    Resolution: URIRef  # a resolution of a UN organ
    Convention: URIRef  # a treaty called convention, covenant, charter or statute
    Protocol: URIRef  # a protocol or optional protocol to a treaty
    Declaration: URIRef  # a declaration adopted by a UN organ or conference
    Report: URIRef  # a report or other UN document
    Programme: URIRef  # a programme, plan of action or agenda
    Rules: URIRef  # rules, standards, principles or guidelines adopted as soft law
    # Classes: subdivisions
    Subdivision: URIRef  # a citable part of an instrument
    PreambularParagraph: URIRef  # a paragraph of a resolution's preamble
    OperativeParagraph: URIRef  # a numbered operative paragraph of a resolution
    SubParagraph: URIRef  # a lettered or roman-numbered sub-paragraph
    Annex: URIRef  # an annex of a UN document
    Part: URIRef  # a lettered part (A, B) of a resolution adopted in parts
    Article: URIRef  # an article of a treaty
    ArticleParagraph: URIRef  # a numbered paragraph of an article
    NumberedParagraph: URIRef  # a numbered paragraph of an instrument outside any article
    Guideline: URIRef  # a numbered guideline
    Principle: URIRef  # a numbered principle
    Section: URIRef  # a numbered section
    Footnote: URIRef  # a footnote of a document

    # Citation properties
    cites: URIRef  # generic citation from a paragraph to what it cites
    recalls: URIRef  # "Recalling ..."
    reaffirms: URIRef  # "Reaffirming ..."
    takesNoteOf: URIRef  # "Taking note of ..."
    notes: URIRef  # "Noting ..."
    welcomes: URIRef  # "Welcoming ..."
    implements: URIRef  # calls for implementing, or acts in accordance with, a provision

    # Relations between instruments and to footnotes
    supplements: URIRef  # a protocol supplements a convention
    adoptedBy: URIRef  # an instrument was adopted by a resolution
    footnoteRef: URIRef  # a paragraph carries the marker of a footnote
    refersTo: URIRef  # a footnote refers to a document or instrument
    viaFootnote: URIRef  # a citation was made through a footnote
    evidence: URIRef  # a citation's text evidence (an oa:SpecificResource)
    named: URIRef  # the instrument a citation's words name (beside the cited entity)
    adoptedOnReport: URIRef  # a resolution was adopted on this committee report
    adoptedOnDraft: URIRef  # a resolution was adopted on this draft, without a Main Committee

    # Data properties
    position: URIRef  # order within the parent, from 1
    paragraphId: URIRef  # local id of a paragraph: pp.1, op.5.b.ii
    text: URIRef  # the text of a paragraph or footnote
    verb: URIRef  # the opening phrase of a paragraph
    heading: URIRef  # the heading of an article
    annex: URIRef  # the annex of the adopting document holding an instrument
    plenaryMeeting: URIRef  # number of the plenary meeting at which a resolution was adopted
    session: URIRef  # number of the session at which a resolution was adopted: 78
    agendaItem: URIRef  # agenda item a resolution was adopted under: "109", "75 (a)"
    committee: URIRef  # the Main Committee on whose report a resolution was adopted
    textLength: URIRef  # number of characters in the source text
    sourceFile: URIRef  # the name of the source file a document was read from
    key: URIRef  # short stable key of a catalogue instrument, used to mint its IRI
    pinpoint: URIRef  # the cited part, as words: "article 6, paragraph 2"
    articleCount: URIRef  # number of articles of a treaty
    paragraphCount: URIRef  # number of paragraphs of an article or instrument
    entryIntoForce: URIRef  # date of entry into force
    treatySeries: URIRef  # United Nations Treaty Series reference: "vol. 2225, No. 39574"
    iloNumber: URIRef  # number of an ILO convention
    guidelineCount: URIRef  # number of guidelines of an instrument
    annexCount: URIRef  # number of annexes of a UN document
    line: URIRef  # line of the source text where something begins, from 1
    column: URIRef  # column of the source text where a citation's words begin, from 1

    # Bookkeeping of a corpus store
    SourceRecord: URIRef  # what a store remembers of one source file it built
    sourcePath: URIRef  # absolute path of a source file
    contentHash: URIRef  # "sha256:..." of a source file's bytes when built
    builtWith: URIRef  # lexgraph version, catalogue digest and base IRI of a build
    namedGraph: URIRef  # the named graph holding what was built from a source
    tripleCount: URIRef  # number of triples in a named graph
    diagnosticCount: URIRef  # number of diagnostics a source gave

    # Statistics a store build keeps (graph_builder/statistics.py)
    citesWithin: URIRef  # a document cites this node or a part of it
    citesWork: URIRef  # a document cites this whole work or a part of it
    leadsTo: URIRef  # one step of a citation chain from a document
    statParagraphs: URIRef  # paragraphs of a document
    statCitationsMade: URIRef  # citations a document makes
    statFootnotes: URIRef  # footnotes of a document
    statCitedBy: URIRef  # citations of a node or its parts
    statCitingDocuments: URIRef  # documents citing a node, or using a relation
    statCitedAsWork: URIRef  # documents citing a whole work
    statCitations: URIRef  # citations of one kind (relation)
    statCitingParagraphs: URIRef  # paragraphs making citations of one kind


ELI = Namespace("http://data.europa.eu/eli/ontology#")
CITO = Namespace("http://purl.org/spar/cito/")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
LEXSH = Namespace("https://w3id.org/lexgraph/shapes#")

PREFIXES: dict[str, str] = {
    "lex": LEX_IRI,
    "eli": str(ELI),
    "cito": str(CITO),
    "oa": str(OA),
    "prov": str(PROV),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "dcterms": "http://purl.org/dc/terms/",
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind lexgraph's prefixes on ``graph`` (so Turtle output is readable) and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True)
    return graph
