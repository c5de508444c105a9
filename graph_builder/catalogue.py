"""The instrument catalogue: what lexgraph can resolve names and symbols to.

The catalogue is data, ``ontology/instruments.ttl``; this module reads it once into small
frozen records with the look-ups the resolver needs (by key, by name, by symbol and annex,
by Treaty Series reference), and keeps the RDF to copy facts into built graphs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from .errors import CatalogueError
from .models import DocumentRef
from .namespaces import ELI, LEX, LEX_IRI
from .resources import ontology_file


@dataclass(frozen=True, slots=True)
class Part:
    """A subdivision of an instrument that the catalogue describes (a cited article)."""

    iri: str
    kind: str
    number: str
    heading: str | None
    paragraph_count: int | None


@dataclass(frozen=True, slots=True)
class Instrument:
    key: str
    iri: str
    kind: str  # local name of the lex: class: Convention, Protocol, Declaration, ...
    title: str
    aliases: tuple[str, ...]
    symbol: str | None  # symbol of the adopting document
    annex: str | None
    date: str | None
    article_count: int | None
    paragraph_count: int | None
    guideline_count: int | None
    supplements: str | None  # key of the parent instrument
    treaty_series: str | None
    parts: tuple[Part, ...] = ()

    @property
    def document(self) -> DocumentRef | None:
        return DocumentRef(self.symbol, self.annex) if self.symbol else None

    def part(self, number: str, kind: str = "Article") -> Part | None:
        return next((p for p in self.parts if p.number == number and p.kind == kind), None)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A UN document the catalogue knows (an adopting resolution, a report)."""

    symbol: str
    iri: str
    kind: str
    title: str | None
    date: str | None
    annex_count: int | None = None


class Catalogue:
    """Look-ups over the catalogue's instruments and documents."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.documents: dict[str, DocumentInfo] = {}
        self.instruments: dict[str, Instrument] = {}
        self._at_document: dict[DocumentRef, list[str]] = {}
        self._by_series: dict[str, str] = {}
        self._load()

    @classmethod
    def from_files(cls, paths: Iterable[str | Path]) -> Catalogue:
        graph = Graph()
        for path in paths:
            try:
                graph.parse(str(path), format="turtle")
            except FileNotFoundError:
                raise CatalogueError(f"{path}: catalogue file not found") from None
            except Exception as error:  # rdflib raises several unrelated types
                raise CatalogueError(f"{path}: not valid Turtle: {_one_line(error)}") from None
        return cls(graph)

    def _kind(self, subject: URIRef) -> str:
        kinds = sorted(str(o)[len(LEX_IRI):] for o in self.graph.objects(subject, RDF.type)
                       if str(o).startswith(LEX_IRI))
        return kinds[0] if kinds else "Instrument"

    def _work_kind(self, subject: URIRef, name: str) -> str:
        """The class of a document or instrument, which must be one of the ontology's
        instruments: queries and the statistics take every whole work cited to be one."""
        kind = self._kind(subject)
        if kind not in instrument_classes():
            raise CatalogueError(f"{name}: lex:{kind} is not lex:Instrument or one of its "
                                 f"subclasses ({', '.join(sorted(instrument_classes()))})")
        return kind

    def _text(self, subject: URIRef, predicate: URIRef) -> str | None:
        value = self.graph.value(subject, predicate)
        return str(value) if value is not None else None

    def _int(self, subject: URIRef, predicate: URIRef) -> int | None:
        value = self.graph.value(subject, predicate)
        return int(value) if isinstance(value, Literal) else None

    def _load(self) -> None:
        g = self.graph
        for doc in set(g.subjects(ELI.id_local, None)):
            if g.value(doc, LEX.key) is not None:
                continue
            symbol = str(g.value(doc, ELI.id_local))
            self.documents[symbol] = DocumentInfo(
                symbol, str(doc), self._work_kind(doc, symbol), self._text(doc, RDFS.label),
                self._text(doc, ELI.date_document), self._int(doc, LEX.annexCount))
        keys_of = {s: str(o) for s, o in g.subject_objects(LEX.key)}
        for subject, key in keys_of.items():
            assert isinstance(subject, URIRef)
            adopted = g.value(subject, LEX.adoptedBy)
            symbol = self._text(adopted, ELI.id_local) if adopted is not None else None
            if symbol is None and adopted is not None:
                raise CatalogueError(f"{key}: adopting document {adopted} has no eli:id_local")
            parts = []
            for part in g.subjects(ELI.is_part_of, subject):
                assert isinstance(part, URIRef)
                number = self._text(part, ELI.number)
                if number is None:
                    continue
                parts.append(Part(str(part), self._kind(part), number,
                                  self._text(part, LEX.heading),
                                  self._int(part, LEX.paragraphCount)))
            parent = g.value(subject, LEX.supplements)
            title = self._text(subject, RDFS.label)
            if title is None:
                raise CatalogueError(f"{key}: instrument has no rdfs:label")
            instrument = Instrument(
                key=key, iri=str(subject), kind=self._work_kind(subject, key), title=title,
                aliases=tuple(sorted(str(o) for o in g.objects(subject, SKOS.altLabel))),
                symbol=symbol,
                annex=self._text(subject, LEX.annex) if symbol else None,
                date=self._text(subject, ELI.date_document),
                article_count=self._int(subject, LEX.articleCount),
                paragraph_count=self._int(subject, LEX.paragraphCount),
                guideline_count=self._int(subject, LEX.guidelineCount),
                supplements=keys_of.get(parent) if parent is not None else None,
                treaty_series=self._text(subject, LEX.treatySeries),
                parts=tuple(sorted(parts, key=lambda p: (p.kind, _number_key(p.number)))))
            self.instruments[key] = instrument
            if instrument.document is not None:
                self._at_document.setdefault(instrument.document, []).append(key)
            if instrument.treaty_series:
                self._by_series[_series_key(instrument.treaty_series)] = key

    def names(self) -> list[tuple[str, str]]:
        """Every (name, key) pair: official titles and aliases."""
        pairs = []
        for instrument in self.instruments.values():
            pairs.append((instrument.title, instrument.key))
            pairs.extend((alias, instrument.key) for alias in instrument.aliases)
        return pairs

    def by_document(self, ref: DocumentRef) -> Instrument | None:
        """The instrument held by a document or annex: (A/RES/55/25, "II") -> Trafficking Protocol.

        None when the place holds no instrument, or several (resolution 2200 A (XXI) annexes
        both Covenants): then only the name in the text can tell.
        """
        keys = self._at_document.get(ref, [])
        return self.instruments[keys[0]] if len(keys) == 1 else None

    def instruments_at(self, ref: DocumentRef) -> list[Instrument]:
        if ref.key is not None:
            return [self.instruments[ref.key]]
        return [self.instruments[key] for key in self._at_document.get(ref, [])]

    def reference(self, instrument: Instrument) -> DocumentRef:
        """How a footnote refers to ``instrument``: its place in a UN document, else its key."""
        return instrument.document or DocumentRef(None, None, key=instrument.key)

    def by_treaty_series(self, reference: str) -> Instrument | None:
        key = self._by_series.get(_series_key(reference))
        return self.instruments[key] if key else None

    def document(self, symbol: str) -> DocumentInfo | None:
        return self.documents.get(symbol)


def _series_key(reference: str) -> str:
    import re

    numbers = re.findall(r"\d+", reference)
    return "/".join(numbers[:2])


def _number_key(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (10**6, number)


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())[:300]


@cache
def instrument_classes() -> frozenset[str]:
    """Local names of lex:Instrument and its subclasses, read from the ontology."""
    ontology = Graph().parse(ontology_file("lexgraph.ttl"), format="turtle")
    found = {LEX.Instrument}
    for cls in ontology.transitive_subjects(RDFS.subClassOf, LEX.Instrument):
        found.add(cls)
    return frozenset(str(cls)[len(LEX_IRI):] for cls in found if str(cls).startswith(LEX_IRI))


@cache
def default_catalogue() -> Catalogue:
    """The catalogue shipped with lexgraph (``ontology/instruments.ttl``), loaded once."""
    return Catalogue.from_files([ontology_file("instruments.ttl")])
