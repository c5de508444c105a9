"""See the graph: RDF -> a typed networkx ``MultiDiGraph`` -> GraphML, GEXF, Cytoscape JSON, DOT,
SVG and a self-contained interactive HTML page.

networkx is the hub. :func:`to_networkx` reads an rdflib graph (or a pyoxigraph store) into one of
three views:

``citations`` (the default)
    documents and instruments only. A paragraph's citation is rolled up to the document the
    paragraph belongs to, and the cited article or paragraph up to its instrument; one edge per
    (citing document, cited instrument, relation), weighted by the number of citations, with the
    paragraph ids, quoted words and pinpoints of every citation it stands for.
``structure``
    each resolution with its paragraphs and sub-paragraphs (``partOf`` edges), one edge per
    citation from the paragraph to the most specific node it cites, and that node's ``partOf``
    chain up to its instrument.
``full``
    every lexgraph node (documents, instruments, paragraphs, articles, footnotes) and every edge
    between them, citations carrying their quote.

Node attributes: ``kind`` (the lex: class, e.g. ``Resolution``, ``Article``), ``family`` (the
group a picture draws alike: resolution, document, treaty, softlaw, part, paragraph, footnote),
``label`` (short: the symbol, ``op.5.b.ii``, ``Article 6(2)``), ``title``, ``symbol``, ``date``
and, where they apply, ``catalogue_key``, ``paragraph``, ``verb``, ``text``, ``heading``, ``order``,
``citations_in``, ``citations_out`` and ``focus``. Edge attributes: ``relation`` (``recalls``,
``implements``, ..., ``partOf``, ``supplements``, ``adoptedBy``, ``footnoteRef``, ``refersTo``),
``weight``, and for a citation ``quote``, ``paragraph``, ``pinpoint``, ``citation`` (in the
citations view the lists ``quotes``, ``paragraphs``, ``pinpoints``, one item per citation).
Edge keys are unique in the graph (``e1``, ``e2``, ...), so every format gets unique edge ids.

The graph is read with single-predicate triple patterns, which rdflib and pyoxigraph both answer
quickly; the joins are done here. (rdflib's SPARQL engine needed minutes for the citation join
on a 900-resolution corpus; the pattern scans take about a second.)

>>> from graph_builder import build_graph
>>> from graph_builder.resources import example_file
>>> view = to_networkx(build_graph([example_file()]))
>>> sorted(data["label"] for _, data in view.nodes(data=True))[:2]
['A/RES/55/25', 'A/RES/58/137']
>>> view.number_of_nodes()  # A/RES/58/137 and the ten instruments and documents it cites
11
>>> "<graphml" in export_text(view, "graphml")
True
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import subprocess
import sys
import textwrap
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from html import escape as html_escape
from importlib import resources as importlib_resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from .errors import EXIT_OK, InputError
from .namespaces import CITO, ELI, LEX, LEX_IRI, OA

if TYPE_CHECKING:
    import networkx as nx

VIEWS = ("citations", "structure", "full")
CITATION_RELATIONS = ("recalls", "reaffirms", "takesNoteOf", "notes", "welcomes", "implements",
                      "cites")
CONTEXT_RELATIONS = ("supplements", "adoptedBy")
NOTE_RELATIONS = ("footnoteRef", "refersTo")
PART_OF = "partOf"
RELATIONS = (*CITATION_RELATIONS, *CONTEXT_RELATIONS, *NOTE_RELATIONS, PART_OF)

# Output formats: name -> file extensions (the first is the usual one).
EXPORT_FORMATS: dict[str, tuple[str, ...]] = {
    "graphml": (".graphml",),
    "gexf": (".gexf",),
    "cyjs": (".cyjs", ".json"),
    "dot": (".dot", ".gv"),
    "html": (".html", ".htm"),
    "svg": (".svg",),
}
FORMAT_ALIASES = {"cytoscape": "cyjs", "json": "cyjs", "gv": "dot", "graphviz": "dot",
                  "htm": "html"}

# The lex: classes, most specific first, and the family each is drawn as.
KIND_FAMILY: dict[str, str] = {
    "Resolution": "resolution",
    "Report": "document",
    "Convention": "treaty",
    "Protocol": "treaty",
    "Declaration": "softlaw",
    "Programme": "softlaw",
    "Rules": "softlaw",
    "Instrument": "softlaw",
    "PreambularParagraph": "paragraph",
    "OperativeParagraph": "paragraph",
    "SubParagraph": "paragraph",
    "Footnote": "footnote",
    "Annex": "part",
    "Article": "part",
    "ArticleParagraph": "part",
    "NumberedParagraph": "part",
    "Guideline": "part",
    "Principle": "part",
    "Section": "part",
    "Subdivision": "part",
}
_KIND_RANK = {kind: rank for rank, kind in enumerate(KIND_FAMILY)}
SUBDIVISION_KINDS = frozenset(k for k, f in KIND_FAMILY.items() if f in ("paragraph", "footnote",
                                                                          "part"))
PARAGRAPH_KINDS = frozenset(k for k, f in KIND_FAMILY.items() if f == "paragraph")
FAMILIES = ("resolution", "document", "treaty", "softlaw", "part", "paragraph", "footnote")

# Colours (Okabe-Ito for the citation relations, so they stay apart for colour-blind readers),
# line styles and words shared by every picture: DOT, SVG and the HTML viewer.
RELATION_STYLE: dict[str, dict[str, str]] = {
    "recalls": {"color": "#0072B2", "dash": "solid", "words": "recalls"},
    "reaffirms": {"color": "#CC79A7", "dash": "solid", "words": "reaffirms"},
    "takesNoteOf": {"color": "#E69F00", "dash": "solid", "words": "takes note of"},
    "notes": {"color": "#56B4E9", "dash": "solid", "words": "notes"},
    "welcomes": {"color": "#009E73", "dash": "solid", "words": "welcomes"},
    "implements": {"color": "#D55E00", "dash": "solid", "words": "implements"},
    "cites": {"color": "#555555", "dash": "solid", "words": "cites"},
    "supplements": {"color": "#888888", "dash": "dashed", "words": "supplements"},
    "adoptedBy": {"color": "#888888", "dash": "dotted", "words": "adopted by"},
    "footnoteRef": {"color": "#aaaaaa", "dash": "dotted", "words": "footnote marker"},
    "refersTo": {"color": "#aaaaaa", "dash": "dashed", "words": "footnote refers to"},
    PART_OF: {"color": "#b7b7b7", "dash": "solid", "words": "part of"},
}
_OTHER_RELATION = {"color": "#555555", "dash": "solid", "words": ""}
FAMILY_STYLE: dict[str, dict[str, str]] = {
    # Graphviz shape, style, fill and border; the HTML viewer's colour and mark; legend words.
    "resolution": {"shape": "box", "style": "rounded,filled", "fill": "#cfe2f3",
                   "border": "#3d6d99", "color": "#3d85c6", "mark": "circle",
                   "words": "resolution", "drawn": "rounded box"},
    "document": {"shape": "note", "style": "filled", "fill": "#eeeeee", "border": "#777777",
                 "color": "#8c8c8c", "mark": "square",
                 "words": "other UN document", "drawn": "folded corner"},
    "treaty": {"shape": "box3d", "style": "filled", "fill": "#fce5cd", "border": "#b45f06",
               "color": "#e69138", "mark": "diamond",
               "words": "treaty (convention, protocol)", "drawn": "3-D box"},
    "softlaw": {"shape": "box", "style": "filled,diagonals", "fill": "#d9ead3",
                "border": "#38761d", "color": "#6aa84f", "mark": "triangle",
                "words": "declaration, programme, rules", "drawn": "cut corners"},
    "part": {"shape": "tab", "style": "filled", "fill": "#fff2cc", "border": "#bf9000",
             "color": "#d6a500", "mark": "hexagon",
             "words": "article, annex or other part", "drawn": "tab"},
    "paragraph": {"shape": "box", "style": "filled", "fill": "#f3f6fa", "border": "#8eaccd",
                  "color": "#7f9fc6", "mark": "square",
                  "words": "paragraph of a resolution", "drawn": "box"},
    "footnote": {"shape": "note", "style": "filled", "fill": "#f5f5f5", "border": "#aaaaaa",
                 "color": "#b0b0b0", "mark": "circle",
                 "words": "footnote", "drawn": "folded corner"},
}

_DOT_ENGINE_LIMIT = 300  # above this many nodes, DOT output asks Graphviz for sfdp, not dot


# --------------------------------------------------------------------------------------------
# Reading the RDF
# --------------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Citation:
    iri: str | None
    citing: str
    cited: str
    relation: str
    quote: str | None = None
    pinpoint: str | None = None
    footnote: str | None = None


@dataclass(slots=True)
class _Facts:
    """What the views need from the RDF, as plain Python values."""

    kinds: dict[str, str] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    aliases: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    citations: list[_Citation] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # supplements, adoptedBy, ...
    _roots: dict[str, str] = field(default_factory=dict)

    def kind(self, node: str) -> str:
        found = self.kinds.get(node)
        if found is not None:
            return found
        return "Subdivision" if node in self.parent else "Instrument"

    def root(self, node: str) -> str:
        """The instrument or document ``node`` belongs to: up ``eli:is_part_of`` past parts."""
        found = self._roots.get(node)
        if found is not None:
            return found
        seen = {node}
        current = node
        while self.kind(current) in SUBDIVISION_KINDS and current in self.parent:
            upper = self.parent[current]
            if upper in seen:  # a cycle in bad data: stop where it closes
                break
            seen.add(upper)
            current = upper
        self._roots[node] = current
        return current

    def chain(self, node: str) -> list[str]:
        """``node`` and its ancestors up to its root."""
        chain = [node]
        top = self.root(node)
        while chain[-1] != top and chain[-1] in self.parent and len(chain) < 64:
            chain.append(self.parent[chain[-1]])
        return chain


_LITERAL_PROPERTIES = {
    RDFS.label: "title",
    ELI.id_local: "symbol",
    ELI.date_document: "date",
    ELI.number: "number",
    LEX.key: "catalogue_key",
    LEX.annex: "annex",
    LEX.paragraphId: "paragraph",
    LEX.heading: "heading",
}
_DETAIL_PROPERTIES = {LEX.position: "order", LEX.verb: "verb", LEX.text: "text"}
_INTEGER_TYPES = {str(t) for t in (XSD.integer, XSD.int, XSD.long, XSD.nonNegativeInteger,
                                   XSD.positiveInteger, XSD.short)}
_FLOAT_TYPES = {str(t) for t in (XSD.decimal, XSD.double, XSD.float)}


def _python(value: str, datatype: str | None) -> Any:
    if datatype in _INTEGER_TYPES:
        try:
            return int(value)
        except ValueError:
            return value
    if datatype in _FLOAT_TYPES:
        try:
            return float(value)
        except ValueError:
            return value
    if datatype == str(XSD.boolean):
        return value.strip().lower() in ("true", "1")
    return value


def _rdflib_term(term: Any) -> Any:
    if isinstance(term, Literal):
        return _python(str(term), str(term.datatype) if term.datatype else None)
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _oxigraph_term(term: Any) -> Any:
    kind = type(term).__name__
    if kind == "Literal":
        return _python(term.value, term.datatype.value if term.datatype else None)
    if kind == "BlankNode":
        return f"_:{term.value}"
    return term.value


def _scanner(source: Any):  # returns a closure that scans one predicate
    """A function predicate -> iterator of (subject, object) for rdflib or pyoxigraph."""
    if isinstance(source, Graph) and source.context_aware:  # a Dataset: every named graph
        def scan_dataset(predicate: URIRef) -> Iterator[tuple[str, Any]]:
            seen = set()
            for s, _, o, _ in source.quads((None, predicate, None, None)):
                if (s, o) not in seen:
                    seen.add((s, o))
                    yield _rdflib_term(s), _rdflib_term(o)
        return scan_dataset
    if isinstance(source, Graph):
        def scan_graph(predicate: URIRef) -> Iterator[tuple[str, Any]]:
            for s, o in source.subject_objects(predicate):
                yield _rdflib_term(s), _rdflib_term(o)
        return scan_graph
    if hasattr(source, "quads_for_pattern"):  # a pyoxigraph Store
        import pyoxigraph

        def scan_store(predicate: URIRef) -> Iterator[tuple[str, Any]]:
            seen = set()
            for quad in source.quads_for_pattern(None, pyoxigraph.NamedNode(str(predicate)),
                                                 None):
                pair = (_oxigraph_term(quad.subject), _oxigraph_term(quad.object))
                if pair not in seen:
                    seen.add(pair)
                    yield pair
        return scan_store
    raise TypeError(f"cannot read a graph from {type(source).__name__}: give an rdflib Graph "
                    "or a pyoxigraph Store")


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def read_facts(source: Any, *, details: bool = True) -> _Facts:
    """Read what the views need; ``details`` adds paragraph text, verbs and order."""
    scan = _scanner(source)
    facts = _Facts()
    for node, cls in scan(RDF.type):
        if isinstance(cls, str) and cls.startswith(LEX_IRI):
            kind = cls[len(LEX_IRI):]
            if kind in KIND_FAMILY:
                current = facts.kinds.get(node)
                if current is None or _KIND_RANK[kind] < _KIND_RANK[current]:
                    facts.kinds[node] = kind
    for child, parent in scan(ELI.is_part_of):
        facts.parent.setdefault(child, str(parent))
    properties = dict(_LITERAL_PROPERTIES)
    if details:
        properties.update(_DETAIL_PROPERTIES)
    for predicate, name in properties.items():
        for node, value in scan(predicate):
            facts.values[node].setdefault(name, value)
    for node, value in scan(SKOS.altLabel):
        facts.aliases[node].append(str(value))

    citing = dict(scan(CITO.hasCitingEntity))
    cited = dict(scan(CITO.hasCitedEntity))
    character = dict(scan(CITO.hasCitationCharacterization))
    evidence: dict[str, list[str]] = defaultdict(list)
    for citation, target in scan(LEX.evidence):
        evidence[citation].append(target)
    selectors: dict[str, list[str]] = defaultdict(list)
    for target, selector in scan(OA.hasSelector):
        selectors[target].append(selector)
    exact = dict(scan(OA.exact))
    pinpoint = dict(scan(LEX.pinpoint))
    via = dict(scan(LEX.viaFootnote))
    covered = set()
    for iri in sorted(citing):
        if iri not in cited:
            continue
        relation = _local_name(str(character.get(iri, LEX.cites)))
        quote = next((exact[s] for t in evidence.get(iri, ()) for s in selectors.get(t, ())
                      if s in exact), None)
        footnote = via.get(iri)
        facts.citations.append(_Citation(iri, str(citing[iri]), str(cited[iri]), relation,
                                         None if quote is None else str(quote),
                                         None if iri not in pinpoint else str(pinpoint[iri]),
                                         None if footnote is None else str(footnote)))
        covered.add((str(citing[iri]), relation, str(cited[iri])))
    # Citation triples with no cito:Citation behind them still count (without a quote).
    for relation in CITATION_RELATIONS:
        for source_node, target in sorted(scan(LEX[relation]), key=lambda pair: str(pair)):
            if isinstance(target, str) and (source_node, relation, target) not in covered:
                facts.citations.append(_Citation(None, source_node, target, relation))
    for relation in (*CONTEXT_RELATIONS, *NOTE_RELATIONS):
        for source_node, target in sorted(scan(LEX[relation]), key=lambda pair: str(pair)):
            if isinstance(target, str):
                facts.links.append((source_node, relation, target))
    return facts


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------

def _short_title(title: str | None, aliases: Sequence[str]) -> str | None:
    if title is None or len(title) <= 48:
        return title
    # The shortest other name, but a name rather than an acronym where there is one.
    candidates = [a for a in aliases if 3 <= len(a) < len(title) and re.search(r"[A-Za-z]", a)]
    named = [a for a in candidates if len(a) >= 12]
    return min(named or candidates, key=lambda a: (len(a), a)) if candidates else title


_PART_WORDS = {"Article": "Article", "NumberedParagraph": "Paragraph", "Guideline": "Guideline",
               "Principle": "Principle", "Section": "Section", "Footnote": "Footnote",
               "Subdivision": "Part"}


def _node_attributes(facts: _Facts, node: str, *, details: bool) -> dict[str, Any]:
    values = facts.values.get(node, {})
    kind = facts.kind(node)
    attributes: dict[str, Any] = {"kind": kind, "family": KIND_FAMILY.get(kind, "softlaw")}
    title = values.get("title")
    symbol = values.get("symbol")
    number = values.get("number")
    if kind in PARAGRAPH_KINDS:
        label = values.get("paragraph") or f"paragraph {number or '?'}"
        root = facts.root(node)
        root_label = facts.values.get(root, {}).get("symbol") or _local_name(root)
        title = title or f"{label} of {root_label}"
    elif kind == "ArticleParagraph":
        article = facts.values.get(facts.parent.get(node, ""), {}).get("number")
        label = f"Article {article}({number})" if article else f"Paragraph {number}"
    elif kind == "Annex":
        annex = values.get("annex", number)
        label = f"Annex {annex}".strip() if annex is not None else "Annex"
        owner = facts.values.get(facts.parent.get(node, ""), {}).get("symbol")
        title = title or (f"{label} of {owner}" if owner else None)
    elif kind in _PART_WORDS and kind in SUBDIVISION_KINDS:
        label = f"{_PART_WORDS[kind]} {number}" if number is not None else _PART_WORDS[kind]
    elif symbol:
        label = symbol
    elif title:
        label = _short_title(title, facts.aliases.get(node, ()))
    elif values.get("annex") is not None and node in facts.parent:
        owner = facts.values.get(facts.parent[node], {}).get("symbol", "")
        label = f"{owner}, annex {values['annex']}".strip(", ")
    else:
        label = _local_name(node) or node
    attributes["label"] = str(label)
    keep = ["symbol", "date", "catalogue_key", "annex", "heading"]
    if details:
        keep += ["paragraph", "verb", "number", "order", "text"]
    for name in keep:
        if values.get(name) is not None:
            attributes[name] = values[name]
    if title:
        attributes["title"] = str(title)
    return attributes


@dataclass(frozen=True, slots=True)
class _Edge:
    source: str
    target: str
    relation: str
    data: tuple[tuple[str, Any], ...] = ()


def _selection(facts: _Facts, citations: Sequence[_Citation], focus: str | None,
               depth: int | None) -> tuple[str | None, set[str] | None]:
    """The focus node and the roots within ``depth`` citation hops of its root (None: all)."""
    if focus is None:
        return None, None
    node = find_node(facts, focus)
    start = facts.root(node)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for citation in citations:
        a, b = facts.root(citation.citing), facts.root(citation.cited)
        if a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    selected = {start}
    frontier = deque([(start, 0)])
    limit = 1 if depth is None else depth
    while frontier:
        current, distance = frontier.popleft()
        if distance == limit:
            continue
        for other in neighbours[current]:
            if other not in selected:
                selected.add(other)
                frontier.append((other, distance + 1))
    return node, selected


def find_node(facts: _Facts, focus: str) -> str:
    """The node ``focus`` names: an IRI, a UN symbol (``A/RES/58/137`` or ``58/137``), an
    instrument key (``untoc``) or an exact title; a ValueError says why none or several match."""
    wanted = focus.strip()
    known = set(facts.kinds) | set(facts.values)
    if wanted in known:
        return wanted
    folded = " ".join(wanted.split()).casefold()

    def matches(test) -> list[str]:  # test: values of a node -> bool
        return sorted(n for n in known if test(facts.values.get(n, {})))

    for test in (lambda v: str(v.get("symbol", "")).casefold() == folded,
                 lambda v: str(v.get("catalogue_key", "")).casefold() == folded,
                 lambda v: str(v.get("symbol", "")).casefold().endswith("/" + folded),
                 lambda v: " ".join(str(v.get("title", "")).split()).casefold() == folded):
        found = matches(test)
        documents = [n for n in found if facts.kind(n) not in SUBDIVISION_KINDS]
        found = documents or found
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(str(facts.values.get(n, {}).get("symbol") or facts.values.get(
                n, {}).get("catalogue_key") or n) for n in found[:4])
            raise ValueError(f"--focus {focus!r} matches {len(found)} nodes ({names}"
                             f"{', ...' if len(found) > 4 else ''}); give an IRI")
    raise ValueError(f"--focus {focus!r}: no IRI, symbol, instrument key or title in the graph "
                     "matches")


def _parse_relations(relations: Iterable[str] | None) -> frozenset[str] | None:
    if relations is None:
        return None
    wanted = set()
    by_folded = {r.casefold(): r for r in RELATIONS}
    for item in relations:
        for name in str(item).split(","):
            name = name.strip()
            if not name:
                continue
            known = by_folded.get(name.casefold()) or by_folded.get(
                name.casefold().replace("-", "").replace("_", ""))
            if known is None:
                raise ValueError(f"unknown relation {name!r}; choose from {', '.join(RELATIONS)}")
            wanted.add(known)
    if not wanted:
        raise ValueError("--relation names no relation")
    return frozenset(wanted)


def to_networkx(source: Any, *, view: str = "citations", focus: str | None = None,
                depth: int | None = None, relations: Iterable[str] | None = None
                ) -> nx.MultiDiGraph:
    """A view of an RDF graph (rdflib ``Graph``/``Dataset`` or pyoxigraph ``Store``) as a
    networkx ``MultiDiGraph``.

    ``focus`` (an IRI, a UN symbol, an instrument key or a title) keeps the documents and
    instruments within ``depth`` citation hops of the focus, in either direction (default 1);
    the view then shows those documents only. ``relations`` keeps the edges of those relations
    (``partOf`` edges always stay in the structure and full views); nodes left without an edge
    are dropped, except the focus.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; choose from {', '.join(VIEWS)}")
    if depth is not None and focus is None:
        raise ValueError("--depth needs --focus")
    if depth is not None and depth < 0:
        raise ValueError(f"--depth must be 0 or more, not {depth}")
    wanted = _parse_relations(relations)
    facts = read_facts(source, details=view != "citations")
    citations = [c for c in facts.citations if wanted is None or c.relation in wanted]
    links = [link for link in facts.links if wanted is None or link[1] in wanted]
    focus_node, selected = _selection(facts, citations, focus, depth)
    if focus_node is not None and view == "citations":
        focus_node = facts.root(focus_node)  # the citations view shows parts as their root

    def inside(node: str) -> bool:
        return selected is None or facts.root(node) in selected

    # Documents whose own text was built: the roots of resolution paragraphs.
    built = sorted({facts.root(n) for n, k in facts.kinds.items() if k in PARAGRAPH_KINDS})
    nodes: set[str] = set()
    edges: list[_Edge] = []
    if view == "citations":
        nodes.update(n for n in built if inside(n))
        groups: dict[tuple[str, str, str], list[_Citation]] = defaultdict(list)
        for citation in citations:
            a, b = facts.root(citation.citing), facts.root(citation.cited)
            if a != b and inside(a) and inside(b):
                groups[(a, b, citation.relation)].append(citation)
        for (a, b, relation), group in sorted(groups.items()):
            group.sort(key=lambda c: (_paragraph_order(facts, c.citing), c.iri or ""))
            nodes.update((a, b))
            edges.append(_Edge(a, b, relation, (
                ("weight", len(group)),
                ("paragraphs", [_paragraph_name(facts, c.citing) for c in group]),
                ("quotes", [c.quote or "" for c in group]),
                ("pinpoints", [c.pinpoint or "" for c in group]))))
    else:
        if view == "structure":
            for node, kind in facts.kinds.items():
                if kind in PARAGRAPH_KINDS and inside(node):
                    nodes.update(facts.chain(node))
            nodes.update(n for n in built if inside(n))
            cited_from = nodes
        else:
            nodes.update(n for n in set(facts.kinds) if inside(n))
            cited_from = nodes
        for citation in sorted(citations, key=lambda c: (c.citing, c.iri or "", c.cited)):
            if citation.citing in cited_from and inside(citation.cited):
                nodes.update(facts.chain(citation.cited))
                data = [("weight", 1)]
                for name in ("quote", "pinpoint", "footnote"):
                    value = getattr(citation, name)
                    if value is not None:
                        data.append((name, value if name != "footnote"
                                     else _footnote_name(facts, value)))
                data.append(("paragraph", _paragraph_name(facts, citation.citing)))
                if citation.iri:
                    data.append(("citation", citation.iri))
                edges.append(_Edge(citation.citing, citation.cited, citation.relation,
                                   tuple(data)))
        if view == "full":
            for source_node, relation, target in links:
                if relation in NOTE_RELATIONS and inside(source_node) and inside(target):
                    nodes.update(facts.chain(target))
        for child in sorted(nodes):
            parent = facts.parent.get(child)
            if parent is not None and parent in nodes:
                edges.append(_Edge(child, parent, PART_OF, (("weight", 1),)))
    for source_node, relation, target in links:
        if source_node in nodes and target in nodes and (
                view == "full" or relation in CONTEXT_RELATIONS):
            edges.append(_Edge(source_node, target, relation, (("weight", 1),)))
    if wanted is not None:
        linked = {e.source for e in edges} | {e.target for e in edges}
        nodes = {n for n in nodes if n in linked or n == focus_node}
    if focus_node is not None and focus_node not in nodes:
        nodes.add(facts.root(focus_node) if view == "citations" else focus_node)
    return _assemble(facts, view, nodes, edges, focus_node, depth, wanted,
                     [n for n in built if n in nodes])


def _paragraph_name(facts: _Facts, node: str) -> str:
    values = facts.values.get(node, {})
    return str(values.get("paragraph") or values.get("symbol") or _local_name(node))


def _footnote_name(facts: _Facts, node: str) -> str:
    number = facts.values.get(node, {}).get("number")
    return str(number) if number is not None else _local_name(node)


def _paragraph_order(facts: _Facts, node: str) -> tuple[tuple[int, ...], str]:
    """Reading order of a paragraph id: preamble first, then operative, numbers as numbers
    (``op.2`` before ``op.10``), letters after numbers; ties go by the id itself."""
    name = _paragraph_name(facts, node)
    first, *rest = name.split(".")
    key = [0 if first == "pp" else 1]
    for part in rest:
        key.append(int(part) if part.isdigit() else 1000 + ord(part[0]) if part else 0)
    return tuple(key), name


def _assemble(facts: _Facts, view: str, nodes: set[str], edges: list[_Edge],
              focus_node: str | None, depth: int | None, wanted: frozenset[str] | None,
              built: Sequence[str]) -> nx.MultiDiGraph:
    import networkx as nx

    graph = nx.MultiDiGraph()
    graph.graph["view"] = view
    details = view != "citations"
    for node in sorted(nodes):
        graph.add_node(node, **_node_attributes(facts, node, details=details))
    count_in: dict[str, int] = defaultdict(int)
    count_out: dict[str, int] = defaultdict(int)

    def order(edge: _Edge) -> tuple[Any, ...]:
        return (edge.source, edge.target, RELATIONS.index(edge.relation)
                if edge.relation in RELATIONS else 99, edge.relation,
                json.dumps(edge.data, default=str))

    unique = sorted({order(e): e for e in edges}.values(), key=order)
    number = 0
    for edge in unique:
        if edge.source not in nodes or edge.target not in nodes:
            continue
        number += 1
        data = dict(edge.data)
        graph.add_edge(edge.source, edge.target, key=f"e{number}", relation=edge.relation,
                       **data)
        if edge.relation in CITATION_RELATIONS:
            count_out[edge.source] += int(data.get("weight", 1))
            count_in[edge.target] += int(data.get("weight", 1))
    for node, attributes in graph.nodes(data=True):
        attributes["citations_in"] = count_in.get(node, 0)
        attributes["citations_out"] = count_out.get(node, 0)
    if focus_node is not None and focus_node in graph:
        graph.nodes[focus_node]["focus"] = True
        graph.graph["focus"] = focus_node
        graph.graph["depth"] = 1 if depth is None else depth
    if wanted is not None:
        graph.graph["relations"] = sorted(wanted, key=RELATIONS.index)
    if focus_node is not None and focus_node in graph:
        subject = graph.nodes[focus_node]["label"]
    elif len(built) == 1:
        subject = graph.nodes[built[0]]["label"]
    else:
        subject = f"{len(built)} documents"
    graph.graph["name"] = f"{subject}: {view} view"
    return graph


# --------------------------------------------------------------------------------------------
# Attribute values every format can hold
# --------------------------------------------------------------------------------------------

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _plain(value: Any, *, xml: bool) -> Any:
    """A value a file format can hold; None means: leave the attribute out."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if not xml or -2**63 <= value < 2**63 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return _XML_BAD.sub("", value) if xml else value
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        structure = _json_ready(value)
        if not xml:
            return structure
        return _XML_BAD.sub("", json.dumps(structure, ensure_ascii=False))
    text = str(value)
    return _XML_BAD.sub("", text) if xml else text


def _json_ready(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((_json_ready(v) for v in value), key=lambda v: json.dumps(v, default=str))
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    return str(value)


def _clean_attributes(items: Iterable[dict[str, Any]], *, xml: bool,
                      reserved: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Plain values, with one type per attribute name (mixed types become strings)."""
    reserved = set(reserved)
    cleaned = []
    types: dict[str, set[type]] = defaultdict(set)
    for data in items:
        row = {}
        for name, value in data.items():
            name = str(name)
            if name in reserved:
                continue
            plain = _plain(value, xml=xml)
            if plain is not None:
                row[name] = plain
                types[name].add(type(plain))
        cleaned.append(row)
    numbers = {name for name, seen in types.items() if len(seen) > 1 and seen <= {int, float}}
    mixed = {name for name, seen in types.items() if len(seen) > 1} - numbers
    for row in cleaned:
        for name in numbers & row.keys():  # whole and fractional numbers: all fractional
            row[name] = float(row[name])
        for name in mixed & row.keys():
            value = row[name]
            row[name] = value if isinstance(value, str) else (
                json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict))
                else str(value))
    return cleaned


def plain_graph(graph: nx.Graph, *, xml: bool = True,
                reserved: Iterable[str] = ()) -> nx.MultiDiGraph:
    """A copy of ``graph`` as a ``MultiDiGraph`` with string node ids and values a file format
    can hold: None left out, lists, sets and dicts as JSON text (``xml``) or JSON values, other
    objects as text, characters XML forbids removed."""
    import networkx as nx

    plain = nx.MultiDiGraph()
    ids = {node: _XML_BAD.sub("", str(node)) if xml else str(node) for node in graph.nodes}
    if len(set(ids.values())) != len(ids):
        raise ValueError("two nodes have the same id once written as text")
    (graph_data,) = _clean_attributes([graph.graph], xml=xml, reserved=reserved)
    plain.graph.update(graph_data)
    node_data = _clean_attributes((d for _, d in graph.nodes(data=True)), xml=xml,
                                  reserved=reserved)
    for node, data in zip(graph.nodes, node_data, strict=True):
        plain.add_node(ids[node], **data)
    if graph.is_multigraph():
        triples = [(u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True)]
    else:
        triples = [(u, v, None, d) for u, v, d in graph.edges(data=True)]
    edge_data = _clean_attributes((d for *_, d in triples), xml=xml, reserved=reserved)
    used: set[str] = set()
    for number, ((u, v, key, _), data) in enumerate(zip(triples, edge_data, strict=True),
                                                    start=1):
        name = str(key) if key is not None else f"e{number}"
        if name in used or (xml and _XML_BAD.search(name)):
            name = f"e{number}"
            while name in used:
                name += "_"
        used.add(name)
        plain.add_edge(ids[u], ids[v], key=name, **data)
    return plain


# --------------------------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------------------------

def to_graphml(graph: nx.Graph) -> str:
    """GraphML text (Gephi, yEd, Cytoscape; ``networkx.read_graphml`` reads it back)."""
    import networkx as nx

    plain = plain_graph(graph, xml=True)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + "\n".join(
        nx.generate_graphml(plain, encoding="utf-8", prettyprint=True)) + "\n"


_GEXF_RESERVED = ("viz", "start", "end", "spells", "slices", "parents", "pid", "id", "type")


def _rgb(colour: str) -> dict[str, int]:
    colour = colour.lstrip("#")
    return {"r": int(colour[0:2], 16), "g": int(colour[2:4], 16), "b": int(colour[4:6], 16)}


def to_gexf(graph: nx.Graph) -> str:
    """GEXF 1.2 text for Gephi, with colours and sizes by kind and relation (``viz``)."""
    import networkx as nx

    plain = plain_graph(graph, xml=True, reserved=_GEXF_RESERVED)
    positions = layout_positions(graph)
    for node, data in plain.nodes(data=True):
        style = FAMILY_STYLE.get(str(data.get("family")), FAMILY_STYLE["softlaw"])
        viz: dict[str, Any] = {"color": {**_rgb(style["color"]), "a": 1.0},
                               "size": round(_node_size(data), 2)}
        if positions and node in positions:
            x, y = positions[node]
            viz["position"] = {"x": x, "y": -y, "z": 0.0}
        data["viz"] = viz
    for *_, key, data in plain.edges(keys=True, data=True):
        style = RELATION_STYLE.get(str(data.get("relation")), _OTHER_RELATION)
        data["viz"] = {"color": {**_rgb(style["color"]), "a": 1.0}}
        data["id"] = key  # the edge's id in the file is its key, as in GraphML and .cyjs
    text = "\n".join(nx.generate_gexf(plain, encoding="utf-8", prettyprint=True))
    # The writer stamps today's date: leave it out, so the same graph gives the same file.
    text = re.sub(r'<meta lastmodifieddate="[^"]*">', "<meta>", text, count=1)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n"


def to_cytoscape(graph: nx.Graph) -> dict[str, Any]:
    """Cytoscape JSON (``.cyjs``: Cytoscape desktop and Cytoscape.js); ``networkx``'s
    ``cytoscape_graph`` reads it back."""
    plain = plain_graph(graph, xml=False, reserved=("id", "value", "source", "target", "name",
                                                    "interaction", "key"))
    positions = layout_positions(graph)
    nodes = []
    for node, data in plain.nodes(data=True):
        item: dict[str, Any] = {"data": {"id": node, "value": node,
                                         "name": data.get("label", node), **data}}
        if positions and node in positions:
            x, y = positions[node]
            item["position"] = {"x": x, "y": y}
        nodes.append(item)
    edges = [{"data": {"id": key, "key": key, "source": u, "target": v,
                       "interaction": data.get("relation", ""), **data}}
             for u, v, key, data in plain.edges(keys=True, data=True)]
    return {"format_version": "1.0", "generated_by": "lexgraph",
            "target_cytoscapejs_version": "~3.0", "data": dict(plain.graph),
            "directed": True, "multigraph": True,
            "elements": {"nodes": nodes, "edges": edges}}


def _node_size(data: dict[str, Any]) -> float:
    base = {"resolution": 10.0, "document": 8.0, "treaty": 10.0, "softlaw": 9.0, "part": 6.0,
            "paragraph": 5.0, "footnote": 4.0}.get(str(data.get("family")), 7.0)
    cited = data.get("citations_in", 0)
    return base + 2.5 * math.sqrt(cited if isinstance(cited, (int, float)) else 0)


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _wrap(label: str, width: int = 26, lines: int = 4) -> str:
    wrapped = textwrap.wrap(label, width=width, break_long_words=True) or [label]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][:width - 1].rstrip() + "…"
    return "\n".join(wrapped)


def _tooltip_node(data: dict[str, Any]) -> str:
    parts = [str(data.get("title") or data.get("label", ""))]
    for name in ("symbol", "date"):
        if data.get(name):
            parts.append(f"{name}: {data[name]}")
    return "\n".join(parts)


def _tooltip_edge(data: dict[str, Any]) -> str:
    relation = str(data.get("relation", ""))
    lines = [RELATION_STYLE.get(relation, _OTHER_RELATION)["words"] or relation]
    quotes = data.get("quotes")
    paragraphs = data.get("paragraphs")
    if isinstance(quotes, list):
        for number, quote in enumerate(quotes[:6]):
            where = paragraphs[number] if isinstance(paragraphs, list) and number < len(
                paragraphs) else ""
            lines.append(f"{where}: “{quote}”")
        if len(quotes) > 6:
            lines.append(f"... and {len(quotes) - 6} more")
    elif data.get("quote"):
        lines.append(f"{data.get('paragraph', '')}: “{data['quote']}”")
    return "\n".join(lines)


def to_dot(graph: nx.Graph) -> str:
    """Graphviz DOT text: kinds drawn differently, edges coloured by relation, a legend."""
    count = graph.number_of_nodes()
    big = count > _DOT_ENGINE_LIMIT
    title = str(graph.graph.get("name", "lexgraph"))
    lines = ["digraph lexgraph {",
             (f"  graph [layout={'sfdp' if big else 'dot'}, rankdir=LR, "
              f"fontname=\"Helvetica,Arial,sans-serif\", fontsize=14, labelloc=t, "
              f"label={_dot_string(title)}, tooltip={_dot_string(title)}, bgcolor=white, "
              f"{'overlap=prism, splines=false, ' if big else 'ranksep=0.9, nodesep=0.18, '}"
              "pad=0.3];"),
             "  node [fontname=\"Helvetica,Arial,sans-serif\", fontsize=10, margin=\"0.12,0.05\"];",
             "  edge [fontname=\"Helvetica,Arial,sans-serif\", fontsize=8, arrowsize=0.6];"]
    families_seen: list[str] = []
    relations_seen: list[str] = []
    for node, data in graph.nodes(data=True):
        family = str(data.get("family", "softlaw"))
        style = FAMILY_STYLE.get(family, FAMILY_STYLE["softlaw"])
        if family not in families_seen:
            families_seen.append(family)
        small = family in ("paragraph", "part", "footnote")
        attributes = {
            "label": _wrap(str(data.get("label", node)), 16 if small else 26),
            "shape": style["shape"], "style": style["style"], "fillcolor": style["fill"],
            "color": style["border"], "tooltip": _tooltip_node(data),
        }
        if small:
            attributes["fontsize"] = "9"
        if data.get("focus"):
            attributes["penwidth"] = "2.5"
        lines.append(f"  {_dot_string(str(node))} [" + ", ".join(
            f"{k}={_dot_string(v)}" for k, v in attributes.items()) + "];")
    edge_iter = (graph.edges(keys=True, data=True) if graph.is_multigraph()
                 else ((u, v, None, d) for u, v, d in graph.edges(data=True)))
    for u, v, _, data in edge_iter:
        relation = str(data.get("relation", ""))
        style = RELATION_STYLE.get(relation, _OTHER_RELATION)
        if relation not in relations_seen:
            relations_seen.append(relation)
        weight = data.get("weight", 1)
        weight = weight if isinstance(weight, (int, float)) and weight > 0 else 1
        attributes = {"color": style["color"], "style": style["dash"],
                      "penwidth": f"{1.0 + 1.2 * math.log2(weight):.2f}",
                      "tooltip": _tooltip_edge(data)}
        if weight > 1:
            attributes["label"] = "×" + (str(int(weight)) if float(weight).is_integer()
                                         else str(weight))
            attributes["fontcolor"] = style["color"]
        if relation == PART_OF:
            attributes["arrowhead"] = "none"
            attributes["weight"] = "4"
        lines.append(f"  {_dot_string(str(u))} -> {_dot_string(str(v))} [" + ", ".join(
            f"{k}={_dot_string(val)}" for k, val in attributes.items()) + "];")
    lines.append(_dot_legend(families_seen, relations_seen))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_legend(families: Sequence[str], relations: Sequence[str]) -> str:
    rows = ['<tr><td colspan="2" align="left"><b>Legend</b></td></tr>']
    for family in FAMILIES:
        if family in families:
            style = FAMILY_STYLE[family]
            rows.append(f'<tr><td bgcolor="{style["fill"]}" border="1" color="{style["border"]}"'
                        f' width="26"> </td><td align="left">{html_escape(style["words"])}'
                        f' ({style["drawn"]})</td></tr>')
    for relation in RELATIONS:
        if relation in relations:
            style = RELATION_STYLE[relation]
            dash = "" if style["dash"] == "solid" else f' ({style["dash"]})'
            rows.append(f'<tr><td><font color="{style["color"]}"><b>&#8212;&#8212;&#9654;'
                        f'</b></font></td><td align="left"><font color="{style["color"]}">'
                        f'{html_escape(style["words"])}{dash}</font></td></tr>')
    table = ('<table border="1" color="#cccccc" cellborder="0" cellspacing="2" cellpadding="3">'
             + "".join(rows) + "</table>")
    return (f'  "lexgraph:legend" [shape=plain, fontsize=9, label=<{table}>, '
            'tooltip="Legend"];')


def dot_program() -> str | None:
    """The path of Graphviz's ``dot``, or None when Graphviz is not installed."""
    return shutil.which("dot")


def to_svg(graph: nx.Graph, *, program: str | None = None) -> str:
    """SVG drawn by Graphviz from :func:`to_dot`; a ValueError when Graphviz is missing."""
    program = program or dot_program()
    if program is None:
        raise ValueError("--to svg needs Graphviz's dot program, which is not installed "
                         "(Debian: apt install graphviz); --to dot writes the DOT text instead")
    try:
        done = subprocess.run([program, "-Tsvg"], input=to_dot(graph).encode("utf-8"),
                              capture_output=True, check=False)
    except OSError as error:
        raise ValueError(f"cannot run Graphviz's dot: {error}") from None
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ValueError("Graphviz failed: " + (problem[-1] if problem else
                                                f"exit code {done.returncode}"))
    return done.stdout.decode("utf-8")


# --------------------------------------------------------------------------------------------
# Layout for the structure view, and the HTML viewer
# --------------------------------------------------------------------------------------------

def layout_positions(graph: nx.Graph) -> dict[str, tuple[float, float]] | None:
    """Positions for the structure view (an outline of each resolution on the left, what it
    cites on the right); None for other views, which the viewer lays out itself."""
    if graph.graph.get("view") != "structure":
        return None
    return layered_layout(graph)


def layered_layout(graph: nx.Graph, *, row: float = 26.0,
                   column: float = 190.0) -> dict[str, tuple[float, float]]:
    """An outline layout: each citing document, then its paragraphs one row each, indented by
    depth; each cited node in a column by its depth below its instrument, at the mean height of
    the paragraphs citing it, pushed apart so no two overlap."""
    parent: dict[str, str] = {}
    children: dict[str, list[str]] = defaultdict(list)
    for u, v, data in graph.edges(data=True):
        if data.get("relation") == PART_OF:
            parent[str(u)] = str(v)
            children[str(v)].append(str(u))
    families = {str(n): d.get("family") for n, d in graph.nodes(data=True)}
    orders = {str(n): d.get("order", 0) for n, d in graph.nodes(data=True)}

    def top(node: str) -> str:
        seen = {node}
        while node in parent and parent[node] not in seen:
            node = parent[node]
            seen.add(node)
        return node

    citing_roots = sorted({top(n) for n, f in families.items() if f == "paragraph"},
                          key=lambda n: str(graph.nodes[n].get("label", n)))
    positions: dict[str, tuple[float, float]] = {}
    line = 0

    def place(node: str, depth: int) -> None:
        nonlocal line
        positions[node] = (depth * 80.0, line * row)
        line += 1
        kids = [k for k in children.get(node, []) if families.get(k) == "paragraph"]
        kids.sort(key=lambda k: (orders.get(k) if isinstance(orders.get(k), int) else 0,
                                 str(graph.nodes[k].get("label", k))))
        for kid in kids:
            place(kid, depth + 1)

    for root in citing_roots:
        place(root, 0)
        line += 1
    outline_width = 4 * 80.0
    rest = [str(n) for n in graph.nodes if str(n) not in positions]
    height: dict[str, int] = {}

    def levels_below(node: str) -> int:
        if node not in height:
            height[node] = 0
            kids = [k for k in children.get(node, []) if k not in positions]
            height[node] = 1 + max((levels_below(k) for k in kids), default=-1)
        return height[node]

    depth_from_top: dict[str, int] = {}
    for node in rest:
        steps, current = 0, node
        while current in parent and parent[current] not in positions and steps < 64:
            current = parent[current]
            steps += 1
        depth_from_top[node] = steps
    deepest = max(depth_from_top.values(), default=0)
    wanted: dict[str, float] = {}
    for node in rest:
        citers = [positions[str(u)][1] for u, _ in graph.in_edges(node)
                  if str(u) in positions]
        if citers:
            wanted[node] = sum(citers) / len(citers)
    # Parents without citers of their own sit at the mean of their children.
    for node in sorted(rest, key=lambda n: -depth_from_top[n]):
        if node not in wanted:
            below = [wanted[k] for k in children.get(node, []) if k in wanted]
            wanted[node] = sum(below) / len(below) if below else line * row
    by_column: dict[int, list[str]] = defaultdict(list)
    for node in rest:
        by_column[deepest - depth_from_top[node]].append(node)
    for index in sorted(by_column, reverse=True):
        placed = sorted(by_column[index], key=lambda n: (wanted[n], n))
        last = -math.inf
        x = outline_width + column * (1.5 + index)
        for node in placed:
            y = max(wanted[node], last + row)
            positions[node] = (x, y)
            last = y
    return {node: (round(x, 1), round(y, 1)) for node, (x, y) in positions.items()}


def _viewer_template() -> str:
    return (importlib_resources.files("graph_builder") / "web" / "viewer.html").read_text(
        encoding="utf-8")


def viewer_payload(graph: nx.Graph) -> dict[str, Any]:
    """The data the HTML viewer draws: nodes, edges (by node index), kinds and relations."""
    plain = plain_graph(graph, xml=False)
    positions = layout_positions(graph)
    index = {node: number for number, node in enumerate(plain.nodes)}
    nodes = []
    families_seen, kinds_seen, relations_seen = set(), {}, set()
    for node, data in plain.nodes(data=True):
        family = str(data.get("family", "softlaw"))
        if family not in FAMILY_STYLE:
            family = "softlaw"
        kind = str(data.get("kind", family))
        families_seen.add(family)
        kinds_seen[kind] = family
        item = {"id": node, "label": str(data.get("label", node)), "kind": kind,
                "family": family, "size": round(_node_size(data), 2), "data": data}
        if positions and node in positions:
            item["x"], item["y"] = positions[node]
        nodes.append(item)
    edges = []
    for u, v, key, data in plain.edges(keys=True, data=True):
        relation = str(data.get("relation", ""))
        relations_seen.add(relation)
        edges.append({"id": key, "source": index[u], "target": index[v],
                      "relation": relation, "data": data})
    relation_names = [r for r in RELATIONS if r in relations_seen] + sorted(
        relations_seen - set(RELATIONS))
    kind_order = sorted(kinds_seen, key=lambda k: (FAMILIES.index(kinds_seen[k]),
                                                   _KIND_RANK.get(k, 99), k))
    return {
        "title": str(plain.graph.get("name", "lexgraph")),
        "view": plain.graph.get("view"),
        "focus": plain.graph.get("focus"),
        "relations": [{"name": r, **RELATION_STYLE.get(r, {**_OTHER_RELATION, "words": r}),
                       "citation": r in CITATION_RELATIONS} for r in relation_names],
        "families": [{"name": f, "color": FAMILY_STYLE[f]["color"],
                      "mark": FAMILY_STYLE[f]["mark"], "words": FAMILY_STYLE[f]["words"]}
                     for f in FAMILIES if f in families_seen],
        "kinds": [{"name": k, "family": kinds_seen[k]} for k in kind_order],
        "nodes": nodes,
        "edges": edges,
    }


def to_html(graph: nx.Graph) -> str:
    """One HTML file that works offline: pan, zoom, search, filters, details on click."""
    payload = viewer_payload(graph)
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    head, marker, tail = _viewer_template().partition("__LEXGRAPH_DATA__")
    if not marker:
        raise RuntimeError("the viewer template has lost its data marker")
    return head.replace("__LEXGRAPH_TITLE__", html_escape(payload["title"])) + data + tail


def export_text(graph: nx.Graph, fmt: str) -> str:
    """``graph`` in one of :data:`EXPORT_FORMATS`, as text."""
    fmt = resolve_export_format(fmt)
    if fmt == "graphml":
        return to_graphml(graph)
    if fmt == "gexf":
        return to_gexf(graph)
    if fmt == "cyjs":
        return json.dumps(to_cytoscape(graph), ensure_ascii=False, indent=1) + "\n"
    if fmt == "dot":
        return to_dot(graph)
    if fmt == "svg":
        return to_svg(graph)
    return to_html(graph)


def resolve_export_format(name: str) -> str:
    key = name.lower().lstrip(".")
    key = FORMAT_ALIASES.get(key, key)
    if key not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {name!r}; choose from "
                         f"{', '.join(EXPORT_FORMATS)}")
    return key


def guess_export_format(path: str | Path) -> str | None:
    suffix = Path(path).suffix.lower()
    for name, extensions in EXPORT_FORMATS.items():
        if suffix in extensions:
            return name
    return None


def write_export(graph: nx.Graph, path: str | Path, *, fmt: str | None = None) -> str:
    """Write ``graph`` to ``path`` (the format from ``fmt`` or the extension), atomically;
    returns the format name."""
    from . import api

    name = resolve_export_format(fmt) if fmt else guess_export_format(path)
    if name is None:
        raise ValueError(f"cannot tell the export format from {str(path)!r}; give --to")
    api.write_atomic(path, export_text(graph, name))
    return name


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------

def register_cli(subparsers: Any) -> None:
    """Add ``lexgraph export`` to the command line."""
    parser = subparsers.add_parser(
        "export", help="export a view of the graph: GraphML, GEXF, Cytoscape JSON, DOT, SVG, HTML",
        description="Export a view of the graph for Gephi, Cytoscape, Graphviz or a browser. "
        "DATA are RDF files (.ttl, .nt, .jsonld, .rdf, .trig, .nq) or resolution texts, "
        "which are built first.")
    parser.add_argument("sources", nargs="+", metavar="DATA",
                        help="RDF files or resolution texts")
    parser.add_argument("--to", dest="to", metavar="FORMAT",
                        help=f"{'|'.join(EXPORT_FORMATS)} (required unless -o's extension tells;"
                        " svg needs Graphviz)")
    parser.add_argument("-o", "--output", default="-",
                        help="output file ('-': stdout, the default)")
    parser.add_argument("--view", choices=VIEWS, default="citations",
                        help="citations: documents and the instruments they cite (default); "
                        "structure: resolutions, their paragraphs and the articles they cite; "
                        "full: every node and edge")
    parser.add_argument("--focus", metavar="SYMBOL|IRI",
                        help="keep only what is within --depth citation hops of this document, "
                        "instrument or node (a symbol such as A/RES/58/137, an instrument key, "
                        "or an IRI)")
    parser.add_argument("--depth", type=int, metavar="N",
                        help="citation hops around --focus, in either direction (default 1)")
    parser.add_argument("--relation", action="append", metavar="NAME[,NAME...]",
                        help=f"keep only these edge relations: {', '.join(RELATIONS)}")
    parser.add_argument("-i", "--input-format",
                        help="RDF format of the DATA files, if their names do not tell")
    parser.set_defaults(func=_cmd_export)


# RDF formats pyoxigraph reads, by lexgraph's format names (JSON-LD stays with rdflib).
_OXIGRAPH_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "xml": "RDF_XML", "trig": "TRIG",
                     "nquads": "N_QUADS"}


def _load(sources: Sequence[str], input_format: str | None) -> Any:
    """The graph of RDF files and resolution texts: a pyoxigraph store when pyoxigraph is
    installed and reads every file (ten times faster than rdflib on a corpus), else an rdflib
    graph from :func:`graph_builder.api.load_rdf`, whose messages name the file and line."""
    from . import api

    rdf = [p for p in sources if input_format or Path(p).suffix.lower() in
           api.RDF_INPUT_SUFFIXES]
    texts = [p for p in sources if p not in rdf]
    store = _load_with_oxigraph(rdf, input_format) if rdf else None
    if store is not None:
        if texts:
            import pyoxigraph

            store.load(api.build_graph(texts).serialize(format="nt"),
                       format=pyoxigraph.RdfFormat.N_TRIPLES)
        return store
    graph = api.load_rdf(rdf, input_format) if rdf else Graph()
    if texts:
        for triple in api.build_graph(texts):
            graph.add(triple)
    return graph


def _load_with_oxigraph(paths: Sequence[str], input_format: str | None) -> Any:
    from . import api

    try:
        import pyoxigraph
    except ImportError:
        return None
    store = pyoxigraph.Store()
    for path in paths:
        name = api.resolve_format(input_format) if input_format else api.guess_format(path)
        kind = _OXIGRAPH_FORMATS.get(name or "")
        if kind is None or not Path(path).is_file():
            return None
        try:
            store.load(path=str(path), format=getattr(pyoxigraph.RdfFormat, kind))
        except Exception:  # noqa: BLE001 - rdflib reads it again and says what is wrong
            return None
    return store


def _cmd_export(args: argparse.Namespace) -> int:
    from . import api

    if args.to:
        fmt = resolve_export_format(args.to)
    elif args.output != "-":
        guessed = guess_export_format(args.output)
        if guessed is None:
            raise ValueError(f"cannot tell the export format from {args.output!r}; give --to "
                             f"({'|'.join(EXPORT_FORMATS)})")
        fmt = guessed
    else:
        raise ValueError("give --to FORMAT (" + "|".join(EXPORT_FORMATS) + ") or an -o file "
                         "with one of their extensions")
    if fmt == "svg" and dot_program() is None:
        raise ValueError("--to svg needs Graphviz's dot program, which is not installed "
                         "(Debian: apt install graphviz); --to dot writes the DOT text instead")
    if args.depth is not None and args.focus is None:
        raise ValueError("--depth needs --focus")
    relations = _parse_relations(args.relation) if args.relation else None
    if args.output != "-":
        folder = Path(args.output).parent
        if str(folder) and not folder.is_dir():
            raise InputError("output folder does not exist", path=str(folder))
    graph = _load(args.sources, args.input_format)
    view = to_networkx(graph, view=args.view, focus=args.focus, depth=args.depth,
                       relations=relations)
    text = export_text(view, fmt)
    if args.output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        api.write_atomic(args.output, text)
    return EXIT_OK
