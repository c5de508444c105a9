"""Stage 4: write a resolved document as RDF: triples, an rdflib graph, or N-Quads text.

Every node a citation points to is emitted with enough around it to read on its own: its
class and label, and the ``eli:is_part_of`` chain up to the instrument, the instrument's
adopting document, and the convention a protocol supplements.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from .catalogue import Catalogue, DocumentInfo, Instrument, default_catalogue
from .iris import IriMinter
from .models import Citation, Division, DivisionKind, Paragraph, ParagraphKind, Resolved, Target
from .namespaces import CITO, ELI, LEX, OA, bind_prefixes
from .resolve import document_kind, document_target, pinpoint_words

_PARAGRAPH_CLASS = {
    ParagraphKind.PREAMBULAR: LEX.PreambularParagraph,
    ParagraphKind.OPERATIVE: LEX.OperativeParagraph,
    ParagraphKind.SUBPARAGRAPH: LEX.SubParagraph,
    ParagraphKind.NUMBERED: LEX.NumberedParagraph,
}
# Class of the node a pinpoint names, by the kind of its last step and what it is part of.
_PART_CLASS = {
    "article": LEX.Article,
    "guideline": LEX.Guideline,
    "principle": LEX.Principle,
    "section": LEX.Section,
}
_CONTEXT = 40  # characters of prefix and suffix kept by a TextQuoteSelector


def _lit(value: object, datatype: URIRef | None = None) -> Literal:
    return Literal(value, datatype=datatype)


class Triples:
    """The triples of one document, in the order emitted, each once.

    A plain container rather than an rdflib graph: a corpus build turns them straight into
    N-Quads for the store, and indexing them in a graph first would cost more than the rest
    of the emission.
    """

    __slots__ = ("_triples", "instruments")

    def __init__(self) -> None:
        self._triples: dict[tuple[Node, Node, Node], None] = {}
        self.instruments: set[URIRef] = set()  # instruments already described

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        self._triples[triple] = None

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def nquads(self, graph: str | None = None) -> str:
        """The triples as N-Quads in ``graph`` (N-Triples for the default graph)."""
        end = f" <{graph}> .\n" if graph else " .\n"
        return "".join(f"{_nt(s)} {_nt(p)} {_nt(o)}{end}" for s, p, o in self._triples)


def _nt(term: Node) -> str:
    """A term in N-Triples syntax (lexgraph emits IRIs and literals, no blank nodes)."""
    if isinstance(term, Literal):
        lexical = nt_string(str(term))
        if term.language:
            return f"{lexical}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{lexical}^^<{term.datatype}>"
        return lexical
    return f"<{term}>"


def nt_string(value: str) -> str:
    """A string in N-Triples (and SPARQL) syntax: quoted, with its four special characters
    escaped."""
    return '"' + value.translate(_ESCAPES) + '"'


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def emit_graph(resolved: Resolved, *, graph: Graph | None = None,
               catalogue: Catalogue | None = None, minter: IriMinter | None = None) -> Graph:
    """Add the triples of one resolved document to ``graph`` (a new one by default)."""
    graph = bind_prefixes(graph if graph is not None else Graph())
    for triple in emit_triples(resolved, catalogue=catalogue, minter=minter):
        graph.add(triple)
    return graph


def emit_triples(resolved: Resolved, *, catalogue: Catalogue | None = None,
                 minter: IriMinter | None = None) -> Triples:
    """The triples of one resolved document."""
    catalogue = catalogue or default_catalogue()
    minter = minter or IriMinter()
    graph = Triples()
    document = resolved.document
    doc = URIRef(minter.document(document.symbol) if document.symbol
                 else minter.unnamed_document(document.source))
    add = graph.add

    add((doc, RDF.type, LEX.Resolution))  # what was parsed is a resolution, or a draft of one
    if document.symbol:
        add((doc, ELI.id_local, _lit(document.symbol)))
    if document.date:
        add((doc, ELI.date_document, _lit(document.date, XSD.date)))
    if document.plenary_meeting is not None:
        add((doc, LEX.plenaryMeeting, _lit(document.plenary_meeting, XSD.integer)))
    if document.title:
        add((doc, RDFS.label, Literal(document.title, lang="en")))
    _emit_header(graph, doc, resolved, catalogue, minter)
    add((doc, LEX.textLength, _lit(len(document.text), XSD.integer)))
    add((doc, LEX.sourceFile, _lit(document.source)))

    divisions = _emit_divisions(graph, doc, resolved, minter)
    paragraph_iris: dict[str, URIRef] = {}
    for paragraph in document.paragraphs:
        node = _paragraph_iri(minter, doc, paragraph, divisions)
        paragraph_iris[paragraph.id] = node
        parent = paragraph_iris[paragraph.parent] if paragraph.parent else \
            divisions.get(paragraph.division, (doc,))[0]
        add((node, RDF.type, _PARAGRAPH_CLASS[paragraph.kind]))
        add((node, ELI.is_part_of, parent))
        add((parent, ELI.has_part, node))
        add((node, LEX.position, _lit(paragraph.position, XSD.integer)))
        add((node, LEX.paragraphId, _lit(paragraph.id)))
        add((node, LEX.text, _lit(paragraph.text)))
        add((node, LEX.line, _lit(paragraph.line, XSD.integer)))
        if paragraph.number is not None:
            add((node, ELI.number, _lit(paragraph.number)))
        if paragraph.verb:
            add((node, LEX.verb, _lit(paragraph.verb)))

    note_iris: dict[int, URIRef] = {}
    for position, note in enumerate(document.footnotes, start=1):
        node = URIRef(minter.footnote(str(doc), note.number))
        note_iris[note.number] = node
        add((node, RDF.type, LEX.Footnote))
        add((node, ELI.is_part_of, doc))
        add((doc, ELI.has_part, node))
        add((node, ELI.number, _lit(str(note.number))))
        add((node, LEX.position, _lit(position, XSD.integer)))
        add((node, LEX.text, _lit(note.text)))
        add((node, LEX.line, _lit(note.line, XSD.integer)))
        for ref in resolved.extraction.footnote_targets.get(note.number, ()):
            target = document_target(ref, catalogue, minter)
            add((node, LEX.refersTo, URIRef(target.iri)))
            _emit_target(graph, target, (), catalogue, minter)
    for paragraph in document.paragraphs:
        for marker in paragraph.markers:
            note = note_iris.get(marker.number)
            if note is None:  # a marker without its footnote: keep where it stands, for checks
                note = URIRef(minter.footnote(str(doc), marker.number))
                line, column = document.line_column(marker.start)
                add((note, ELI.is_part_of, doc))
                add((note, LEX.line, _lit(line, XSD.integer)))
                add((note, LEX.column, _lit(column, XSD.integer)))
            add((paragraph_iris[paragraph.id], LEX.footnoteRef, note))

    ordinals: dict[str, int] = {}
    for citation in resolved.citations:
        citing = paragraph_iris[citation.paragraph_id]
        ordinals[citation.paragraph_id] = ordinals.get(citation.paragraph_id, 0) + 1
        cited = _emit_target(graph, citation.target, citation.pinpoint, catalogue, minter)
        if citation.named_iri and citation.named_iri != citation.target.iri:
            named = next(i for i in catalogue.instruments.values()
                         if minter.rebase(i.iri) == citation.named_iri)
            _emit_instrument(graph, named, catalogue, minter)
        relation = LEX[citation.relation.value]
        add((citing, relation, cited))
        _emit_citation(graph, citation, URIRef(minter.citation(str(citing),
                                                               ordinals[citation.paragraph_id])),
                       citing, cited, relation, doc, document.text,
                       note_iris.get(citation.footnote) if citation.footnote else None)
    return graph


def _emit_divisions(graph: Triples, doc: URIRef, resolved: Resolved, minter: IriMinter
                    ) -> dict[str, tuple[URIRef, Division]]:
    """The annexes and parts of a resolution, by division id."""
    add = graph.add
    nodes: dict[str, tuple[URIRef, Division]] = {}
    for division in resolved.document.divisions:
        if division.kind is DivisionKind.ANNEX:
            node = URIRef(minter.annex(str(doc), division.label))
            add((node, RDF.type, LEX.Annex))
            add((node, LEX.annex, _lit(division.label)))
        else:
            node = URIRef(minter.part(str(doc), (("part", division.label),)))
            add((node, RDF.type, LEX.Part))
        add((node, ELI.is_part_of, doc))
        add((doc, ELI.has_part, node))
        if division.label:
            add((node, ELI.number, _lit(division.label)))
        add((node, LEX.position, _lit(division.position, XSD.integer)))
        add((node, LEX.line, _lit(division.line, XSD.integer)))
        if division.title:
            add((node, LEX.heading, _lit(division.title)))
        nodes[division.id] = (node, division)
    return nodes


def _paragraph_iri(minter: IriMinter, doc: URIRef, paragraph: Paragraph,
                   divisions: dict[str, tuple[URIRef, Division]]) -> URIRef:
    """A paragraph's IRI: in an annex, the one a citation of "paragraph 3 (a) of the annex"
    gets; in a part, the part's paragraph; else the resolution's."""
    if paragraph.division is None or paragraph.division not in divisions:
        return URIRef(minter.paragraph(str(doc), paragraph.id))
    node, division = divisions[paragraph.division]
    local = paragraph.id[len(division.id) + 1:]
    if division.kind is DivisionKind.PART:
        return URIRef(minter.paragraph(str(node), local))
    number, *points = local.split(".")
    pinpoint = (("paragraph", number), *(("subparagraph", point) for point in points))
    return URIRef(minter.part(str(node), pinpoint))


def _emit_header(graph: Triples, doc: URIRef, resolved: Resolved, catalogue: Catalogue,
                 minter: IriMinter) -> None:
    """Session, agenda items, and the committee report or drafts a resolution was adopted on."""
    document = resolved.document
    add = graph.add
    if document.session is not None:
        add((doc, LEX.session, _lit(document.session, XSD.integer)))
    for item in document.agenda_items:
        add((doc, LEX.agendaItem, _lit(item)))
    if document.committee:
        add((doc, LEX.committee, _lit(document.committee)))
    adopted_on = [(LEX.adoptedOnReport, document.report)] if document.report else []
    adopted_on += [(LEX.adoptedOnDraft, symbol) for symbol in document.drafts]
    for relation, symbol in adopted_on:
        info = catalogue.document(symbol)
        node = URIRef(minter.rebase(info.iri) if info else minter.document(symbol))
        add((doc, relation, node))
        add((node, RDF.type, LEX[info.kind if info else document_kind(symbol)]))
        add((node, ELI.id_local, _lit(symbol)))
        _emit_document_facts(graph, node, info)


def _emit_citation(graph: Triples, citation: Citation, node: URIRef, citing: URIRef, cited: URIRef,
                   relation: URIRef, doc: URIRef, text: str, footnote: URIRef | None) -> None:
    add = graph.add
    add((node, RDF.type, CITO.Citation))
    add((node, CITO.hasCitingEntity, citing))
    add((node, CITO.hasCitedEntity, cited))
    add((node, CITO.hasCitationCharacterization, relation))
    if citation.pinpoint:
        add((node, LEX.pinpoint, _lit(pinpoint_words(citation.pinpoint))))
    if footnote is not None:
        add((node, LEX.viaFootnote, footnote))
    if citation.named_iri is not None:
        add((node, LEX.named, URIRef(citation.named_iri)))
    target = URIRef(f"{node}/target")
    quote = URIRef(f"{node}/quote")
    position = URIRef(f"{node}/position")
    add((node, LEX.evidence, target))
    add((target, RDF.type, OA.SpecificResource))
    add((target, OA.hasSource, doc))
    line = text.count("\n", 0, citation.start) + 1
    column = citation.start - (text.rfind("\n", 0, citation.start) + 1) + 1
    add((target, LEX.line, _lit(line, XSD.integer)))
    add((target, LEX.column, _lit(column, XSD.integer)))
    add((target, OA.hasSelector, quote))
    add((target, OA.hasSelector, position))
    add((quote, RDF.type, OA.TextQuoteSelector))
    add((quote, OA.exact, _lit(text[citation.start:citation.end])))
    add((quote, OA.prefix, _lit(text[max(0, citation.start - _CONTEXT):citation.start])))
    add((quote, OA.suffix, _lit(text[citation.end:citation.end + _CONTEXT])))
    add((position, RDF.type, OA.TextPositionSelector))
    add((position, OA.start, _lit(citation.start, XSD.nonNegativeInteger)))
    add((position, OA.end, _lit(citation.end, XSD.nonNegativeInteger)))


def _emit_target(graph: Triples, target: Target, pinpoint: tuple[tuple[str, str], ...],
                 catalogue: Catalogue, minter: IriMinter) -> URIRef:
    """Emit the cited node and its context; return the IRI of the most specific node."""
    add = graph.add
    node = URIRef(target.iri)
    instrument = catalogue.instruments.get(target.key) if target.key else None
    if instrument is not None:
        _emit_instrument(graph, instrument, catalogue, minter)
    else:
        add((node, RDF.type, LEX[target.kind]))
        if target.title:
            add((node, RDFS.label, Literal(target.title, lang="en")))
        if target.symbol and target.annex is None:
            add((node, ELI.id_local, _lit(target.symbol)))
        info = catalogue.document(target.symbol) if target.symbol else None
        if target.annex is None and info is not None:
            _emit_document_facts(graph, node, info)
        if target.annex is not None and target.symbol:
            doc = URIRef(minter.rebase(info.iri) if info else minter.document(target.symbol))
            add((node, LEX.annex, _lit(target.annex)))
            add((node, ELI.is_part_of, doc))
            add((doc, ELI.has_part, node))
            add((doc, RDF.type, LEX[info.kind if info else document_kind(target.symbol)]))
            add((doc, ELI.id_local, _lit(target.symbol)))
            _emit_document_facts(graph, doc, info)
    parent = node
    for depth in range(1, len(pinpoint) + 1):
        step = pinpoint[:depth]
        kind, number = step[-1]
        part = URIRef(minter.part(str(node), step))
        if kind == "paragraph":
            cls = LEX.ArticleParagraph if depth > 1 and step[-2][0] == "article" \
                else LEX.NumberedParagraph
        else:
            cls = _PART_CLASS.get(kind, LEX.Subdivision)
        add((part, RDF.type, cls))
        add((part, ELI.number, _lit(number)))
        add((part, ELI.is_part_of, parent))
        add((parent, ELI.has_part, part))
        add((part, RDFS.label, Literal(_part_label(target, step), lang="en")))
        if instrument is not None and depth == 1:
            described = instrument.part(number, cls.split("#")[-1])
            if described is not None and described.heading:
                add((part, LEX.heading, _lit(described.heading)))
            if described is not None and described.paragraph_count is not None:
                add((part, LEX.paragraphCount, _lit(described.paragraph_count, XSD.integer)))
        parent = part
    return parent


def _emit_document_facts(graph: Triples, node: URIRef, info: DocumentInfo | None) -> None:
    """Title, date and annex count of a UN document the catalogue knows."""
    if info is None:
        return
    if info.title:
        graph.add((node, RDFS.label, Literal(info.title, lang="en")))
    if info.date:
        graph.add((node, ELI.date_document, _lit(info.date, XSD.date)))
    if info.annex_count is not None:
        graph.add((node, LEX.annexCount, _lit(info.annex_count, XSD.integer)))


def _part_label(target: Target, step: tuple[tuple[str, str], ...]) -> str:
    words = pinpoint_words(step)
    title = target.title or target.symbol or ""
    return f"{words[0].upper()}{words[1:]} of the {title}" if title else words


def _emit_instrument(graph: Triples, instrument: Instrument, catalogue: Catalogue,
                     minter: IriMinter) -> None:
    add = graph.add
    node = URIRef(minter.rebase(instrument.iri))
    if node in graph.instruments:
        return
    graph.instruments.add(node)
    add((node, RDF.type, LEX[instrument.kind]))
    add((node, LEX.key, _lit(instrument.key)))
    add((node, RDFS.label, Literal(instrument.title, lang="en")))
    for alias in instrument.aliases:
        add((node, SKOS.altLabel, Literal(alias, lang="en")))
    if instrument.date:
        add((node, ELI.date_document, _lit(instrument.date, XSD.date)))
    if instrument.article_count is not None:
        add((node, LEX.articleCount, _lit(instrument.article_count, XSD.integer)))
    if instrument.paragraph_count is not None:
        add((node, LEX.paragraphCount, _lit(instrument.paragraph_count, XSD.integer)))
    if instrument.guideline_count is not None:
        add((node, LEX.guidelineCount, _lit(instrument.guideline_count, XSD.integer)))
    if instrument.treaty_series:
        add((node, LEX.treatySeries, _lit(instrument.treaty_series)))
    if instrument.symbol:
        info = catalogue.document(instrument.symbol)
        doc = URIRef(minter.rebase(info.iri) if info else minter.document(instrument.symbol))
        add((node, LEX.adoptedBy, doc))
        add((doc, RDF.type, LEX[info.kind if info else document_kind(instrument.symbol)]))
        add((doc, ELI.id_local, _lit(instrument.symbol)))
        if info and info.title:
            add((doc, RDFS.label, Literal(info.title, lang="en")))
        _emit_document_facts(graph, doc, info)
        if instrument.annex is not None:
            add((node, LEX.annex, _lit(instrument.annex)))
    if instrument.supplements:
        parent = catalogue.instruments[instrument.supplements]
        add((node, LEX.supplements, URIRef(minter.rebase(parent.iri))))
        _emit_instrument(graph, parent, catalogue, minter)
