"""Corpus statistics a store build keeps up to date, so corpus-wide questions answer at once.

Counting every citation of a 20,000-resolution store takes Oxigraph tens of seconds: the
counts join some 600,000 citations with their paragraphs and documents. The build already
holds each document's triples, so it counts there, once, and keeps the sums in the store's
:data:`STATISTICS_GRAPH`:

* about each document ``D`` (facts that belong to ``D`` alone, written and removed with it):
  ``D lex:citesWithin N`` for every node ``N`` that ``D`` cites or that holds a part ``D``
  cites (the resolution of a paragraph, the treaty of an article), ``D lex:citesWork W`` for
  those of them that are part of nothing (the whole works), ``D lex:leadsTo X`` for those
  works and what they lead to in ``D``'s graph through ``lex:supplements`` and
  ``lex:adoptedBy`` (one step of a citation chain), and the counts
  ``lex:statParagraphs``, ``lex:statCitationsMade``, ``lex:statFootnotes``;
* totals over the documents: for every cited node and each whole it is part of,
  ``lex:statCitedBy`` (citations pointing at it or into it) and ``lex:statCitingDocuments``;
  for a whole work also ``lex:statCitedAsWork`` (the documents citing it, in whose graphs it
  is part of nothing); for every relation (``lex:recalls``, ...) ``lex:statCitations``,
  ``lex:statCitingParagraphs`` and ``lex:statCitingDocuments``.

A document's share is a :class:`Contribution`, computed by :func:`contribution` from the
document's own triples, by the worker that built it or, when it is replaced or removed, from
the graph the store holds. The totals change by the old share out and the new share in, in
the same transactions that replace the document's graph, so they stay exact through
incremental builds and a build killed half-way. ``queries/store/`` holds the forms of the
named queries that read these statistics; :func:`is_current` says when they may.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from .iris import BOOKKEEPING_GRAPH, STATISTICS_GRAPH
from .namespaces import LEX_IRI

__all__ = ["STATISTICS_GRAPH", "Contribution", "Totals", "contribution", "graph_contribution",
           "is_current", "mark_current", "recount", "unmark"]
# Written in the bookkeeping graph when the statistics graph is complete; a change of what
# is counted changes the version, and the next build counts the store again.
STATISTICS_VERSION = "lexgraph statistics 3"

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_ELI = "http://data.europa.eu/eli/ontology#"
_CITO = "http://purl.org/spar/cito/"
_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
PART_OF = f"{_ELI}is_part_of"
SOURCE_FILE = f"{LEX_IRI}sourceFile"
PARAGRAPH_ID = f"{LEX_IRI}paragraphId"
FOOTNOTE = f"{LEX_IRI}Footnote"
CITING = f"{_CITO}hasCitingEntity"
CITED = f"{_CITO}hasCitedEntity"
CHARACTERIZATION = f"{_CITO}hasCitationCharacterization"

CITES_WITHIN = f"{LEX_IRI}citesWithin"
CITES_WORK = f"{LEX_IRI}citesWork"
LEADS_TO = f"{LEX_IRI}leadsTo"
SUPPLEMENTS = f"{LEX_IRI}supplements"
ADOPTED_BY = f"{LEX_IRI}adoptedBy"
PARAGRAPHS = f"{LEX_IRI}statParagraphs"
CITATIONS_MADE = f"{LEX_IRI}statCitationsMade"
FOOTNOTES = f"{LEX_IRI}statFootnotes"
CITED_BY = f"{LEX_IRI}statCitedBy"
CITED_AS_WORK = f"{LEX_IRI}statCitedAsWork"
CITING_DOCUMENTS = f"{LEX_IRI}statCitingDocuments"
CITATIONS = f"{LEX_IRI}statCitations"
CITING_PARAGRAPHS = f"{LEX_IRI}statCitingParagraphs"
# the predicates of the totals (summed over documents); the others are facts of one document
TOTALS = (CITED_BY, CITING_DOCUMENTS, CITED_AS_WORK, CITATIONS, CITING_PARAGRAPHS)

Key = tuple[str, str]  # (subject IRI, predicate IRI) of a total
_PIECE = 20_000  # quads a transaction when the whole graph is written or emptied


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one document adds to the statistics: its own facts and its share of the totals."""

    facts: tuple[tuple[str, str, str | int], ...]  # (document, predicate, IRI or count)
    totals: tuple[tuple[Key, int], ...]

    def total_counts(self) -> Counter[Key]:
        return Counter(dict(self.totals))


EMPTY = Contribution((), ())


def contribution(triples: Iterable[tuple[str, str, str]]) -> Contribution:
    """A document's share of the statistics, from its graph's triples as (s, p, o) strings.

    Counted as the named queries count on the merged graph: a citation belongs to the
    document its citing paragraph (or footnote) is part of, at any depth; it counts for the
    node it cites and for every whole that node is part of.
    """
    parents: defaultdict[str, list[str]] = defaultdict(list)
    documents: set[str] = set()
    paragraph_ids: Counter[str] = Counter()
    footnotes: set[str] = set()
    citing: defaultdict[str, list[str]] = defaultdict(list)
    cited: defaultdict[str, list[str]] = defaultdict(list)
    relations: defaultdict[str, list[str]] = defaultdict(list)
    onward: defaultdict[str, list[str]] = defaultdict(list)  # supplements, adoptedBy
    for s, p, o in triples:
        if p == PART_OF:
            parents[s].append(o)
        elif p in (SUPPLEMENTS, ADOPTED_BY):
            onward[s].append(o)
        elif p == CITING:
            citing[s].append(o)
        elif p == CITED:
            cited[s].append(o)
        elif p == CHARACTERIZATION:
            relations[s].append(o)
        elif p == SOURCE_FILE:
            documents.add(s)
        elif p == PARAGRAPH_ID:
            paragraph_ids[s] += 1
        elif p == _RDF_TYPE and o == FOOTNOTE:
            footnotes.add(s)
    if not documents:
        return EMPTY

    memo: dict[str, frozenset[str]] = {}

    def ancestors(node: str) -> frozenset[str]:
        """The wholes a node is part of, at any depth (not the node itself)."""
        found = memo.get(node)
        if found is None:
            seen: set[str] = set()
            todo = list(parents.get(node, ()))
            while todo:
                parent = todo.pop()
                if parent not in seen:
                    seen.add(parent)
                    todo.extend(parents.get(parent, ()))
            found = memo[node] = frozenset(seen)
        return found

    facts: list[tuple[str, str, str | int]] = []
    totals: Counter[Key] = Counter()
    for document in sorted(documents):
        paragraphs = sum(n for node, n in paragraph_ids.items() if document in ancestors(node))
        notes = sum(1 for note in footnotes if document in parents.get(note, ()))
        made = 0
        within: set[str] = set()
        relation_paragraphs: defaultdict[str, set[str]] = defaultdict(set)
        for citation, entities in citing.items():
            for entity in entities:
                if document not in ancestors(entity):
                    continue
                made += 1
                for relation in relations.get(citation, ()):
                    totals[(relation, CITATIONS)] += 1
                    relation_paragraphs[relation].add(entity)
                for target in cited.get(citation, ()):
                    for node in {target, *ancestors(target)}:
                        totals[(node, CITED_BY)] += 1
                        within.add(node)
        for relation, paragraph_set in relation_paragraphs.items():
            totals[(relation, CITING_PARAGRAPHS)] += len(paragraph_set)
            totals[(relation, CITING_DOCUMENTS)] += 1
        works = {node for node in within if not parents.get(node)}
        for node in within:
            totals[(node, CITING_DOCUMENTS)] += 1
        for node in works:
            totals[(node, CITED_AS_WORK)] += 1
        leads = set(works)  # and on from each, to the treaty supplemented, the adopting body
        todo = list(works)
        while todo:
            for target in onward.get(todo.pop(), ()):
                if target not in leads:
                    leads.add(target)
                    todo.append(target)
        facts += [(document, CITES_WITHIN, node) for node in sorted(within)]
        facts += [(document, CITES_WORK, node) for node in sorted(works)]
        facts += [(document, LEADS_TO, node) for node in sorted(leads)]
        facts += [(document, PARAGRAPHS, paragraphs), (document, CITATIONS_MADE, made),
                  (document, FOOTNOTES, notes)]
    return Contribution(tuple(facts), tuple(sorted(totals.items())))


def graph_contribution(store: ox.Store, graph: str) -> Contribution:
    """The share of the document whose graph the store holds (before it is replaced)."""
    return contribution((q.subject.value, q.predicate.value, q.object.value)
                        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


# -- Writing ---------------------------------------------------------------------------------


def _term(value: str | int) -> str:
    if isinstance(value, int):
        return f'"{value}"^^<{_XSD_INTEGER}>'
    return f"<{value}>"


def _block(rows: Iterable[tuple[str, str, str | int]]) -> str:
    return "".join(f"<{s}> <{p}> {_term(o)} .\n" for s, p, o in rows)


class Totals:
    """The totals of a store's statistics graph, held in memory while a build runs.

    :meth:`update` turns documents going out and coming in into SPARQL update operations
    that a caller runs in the same transaction as the change of the documents' graphs.
    """

    def __init__(self, values: Mapping[Key, int] | None = None) -> None:
        self.values: dict[Key, int] = dict(values or {})

    @classmethod
    def read(cls, store: ox.Store) -> Totals:
        graph = ox.NamedNode(STATISTICS_GRAPH)
        values: dict[Key, int] = {}
        for predicate in TOTALS:
            for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph):
                values[(quad.subject.value, predicate)] = int(quad.object.value)
        return cls(values)

    def update(self, removed: Sequence[Contribution], added: Sequence[Contribution]
               ) -> list[str]:
        """Update operations taking ``removed`` out and putting ``added`` in; applied here too."""
        delta: Counter[Key] = Counter()
        for share in removed:
            delta.subtract(share.total_counts())
        for share in added:
            delta.update(share.total_counts())
        old_rows: list[tuple[str, str, str | int]] = [
            fact for share in removed for fact in share.facts]
        new_rows: list[tuple[str, str, str | int]] = [
            fact for share in added for fact in share.facts]
        for key, change in sorted(delta.items()):
            if change == 0:
                continue
            before = self.values.get(key, 0)
            after = before + change
            if after < 0:  # only a store changed behind the build's back could do this
                after = 0
            if before:
                old_rows.append((*key, before))
            if after:
                new_rows.append((*key, after))
                self.values[key] = after
            else:
                self.values.pop(key, None)
        operations = []
        if old_rows:
            operations.append(f"DELETE DATA {{ GRAPH <{STATISTICS_GRAPH}> {{\n"
                              f"{_block(old_rows)}}} }}")
        if new_rows:
            operations.append(f"INSERT DATA {{ GRAPH <{STATISTICS_GRAPH}> {{\n"
                              f"{_block(new_rows)}}} }}")
        return operations


def _marker(version: str = STATISTICS_VERSION) -> ox.Quad:
    return ox.Quad(ox.NamedNode(STATISTICS_GRAPH), ox.NamedNode(f"{LEX_IRI}builtWith"),
                   ox.Literal(version), ox.NamedNode(BOOKKEEPING_GRAPH))


def is_current(store: ox.Store) -> bool:
    """Whether the store's statistics are complete and counted the way this version counts.

    They count the documents whose records are complete: after a killed build, not those it
    left half-written (which the next build removes or completes).
    """
    return _marker() in store


def document_graphs(store: ox.Store) -> Iterator[str]:
    """The named graphs of the documents the store's bookkeeping lists as built."""
    for row in store.query(f"""SELECT ?graph WHERE {{ GRAPH <{BOOKKEEPING_GRAPH}> {{
            ?record a <{LEX_IRI}SourceRecord> ; <{LEX_IRI}namedGraph> ?graph ;
                    <{LEX_IRI}contentHash> ?hash }} }}"""):
        yield row["graph"].value


def recount(store: ox.Store) -> Totals:
    """Count the statistics of every document in the store again, from their graphs.

    For a store built before it kept statistics, or by a version that counts differently.
    Safe to stop: the marker that makes the statistics current is written last.
    """
    unmark(store)
    graph = ox.NamedNode(STATISTICS_GRAPH)
    totals: Counter[Key] = Counter()
    batch: list[ox.Quad] = []
    for name in list(document_graphs(store)):  # read the list before writing
        share = graph_contribution(store, name)
        totals.update(share.total_counts())
        batch += [_quad(s, p, o, graph) for s, p, o in share.facts]
        if len(batch) >= _PIECE:
            _write(store, batch)
            batch = []
    _write(store, batch + [_quad(s, p, n, graph) for (s, p), n in totals.items() if n])
    store.add(_marker())
    return Totals({key: n for key, n in totals.items() if n})


def _write(store: ox.Store, quads: Sequence[ox.Quad]) -> None:
    """Add quads a piece at a time, each piece written out (see :func:`unmark`)."""
    for start in range(0, len(quads), _PIECE):
        store.extend(quads[start:start + _PIECE])
        store.flush()


def _quad(s: str, p: str, o: str | int, graph: ox.NamedNode) -> ox.Quad:
    obj = ox.Literal(str(o), datatype=ox.NamedNode(_XSD_INTEGER)) if isinstance(o, int) \
        else ox.NamedNode(o)
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), obj, graph)


def mark_current(store: ox.Store) -> None:
    """Mark the statistics complete and counted the way this version counts."""
    store.add(_marker())


def unmark(store: ox.Store) -> None:
    """Mark the statistics incomplete and empty them (a build starts them over).

    In pieces: Oxigraph holds a whole transaction in memory, and dropping the 1.6 million
    statistics of a 20,000-document store at once took 2.2 GB.
    """
    store.update(f"DELETE WHERE {{ GRAPH <{BOOKKEEPING_GRAPH}> {{ <{STATISTICS_GRAPH}> ?p ?o }} }}")
    graph = ox.NamedNode(STATISTICS_GRAPH)
    while True:
        piece = list(islice(store.quads_for_pattern(None, None, None, graph), _PIECE))
        if not piece:
            break
        block = ox.serialize((q.triple for q in piece), format=ox.RdfFormat.N_TRIPLES)
        store.update(f"DELETE DATA {{ GRAPH <{STATISTICS_GRAPH}> {{ {block.decode()} }} }}")
        store.flush()
