"""``lexgraph export``: RDF -> networkx views -> GraphML, GEXF, Cytoscape JSON, DOT, SVG, HTML.

The example's facts below were counted by hand in ``examples/A-RES-58-137.txt``: what each
paragraph cites, rolled up to the ten instruments and documents it names.
"""

from __future__ import annotations

import datetime
import io
import json
import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph, Literal, URIRef

from graph_builder import export
from graph_builder.api import build_graph
from graph_builder.cli import main
from graph_builder.export import (
    export_text,
    plain_graph,
    to_cytoscape,
    to_dot,
    to_html,
    to_networkx,
    write_export,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "A-RES-58-137.txt"
ACT = "https://w3id.org/lexgraph/akn/un/act/"
DOC = "https://w3id.org/lexgraph/akn/un/doc/"
RES = DOC + "a-res-58-137"
HAS_DOT = shutil.which("dot") is not None

# What A/RES/58/137 cites, after rolling each citation up to the instrument or document: the ten
# of the acceptance criterion. "its resolution 55/25" (pp.6) counts as the document A/RES/55/25.
CITED = {
    ACT + "victims-declaration": "Declaration",            # pp.1, footnote 1
    ACT + "trafficking-principles-guidelines": "Rules",    # pp.2, guideline 8
    ACT + "crc": "Convention",                            # pp.3
    ACT + "crc-opsc": "Protocol",                         # pp.3, op.4
    ACT + "ilo-c182": "Convention",                       # pp.4
    ACT + "vienna-declaration-crime": "Declaration",      # pp.5, paragraphs 25 and 27
    DOC + "a-res-55-25": "Resolution",                    # pp.6 "its resolution 55/25"
    ACT + "untoc": "Convention",                          # pp.6, op.4, op.5.b.ii
    ACT + "untoc-trafficking-protocol": "Protocol",       # pp.6, pp.12, op.4, 5.b.ii, 6.c, 13
    ACT + "untoc-smuggling-protocol": "Protocol",         # pp.12
}

# (cited, relation) -> the paragraphs whose citations the edge stands for, in reading order.
CITATION_EDGES = {
    ("victims-declaration", "recalls"): ["pp.1"],
    ("trafficking-principles-guidelines", "takesNoteOf"): ["pp.2"],
    ("crc", "recalls"): ["pp.3"],
    ("crc-opsc", "notes"): ["pp.3"],
    ("crc-opsc", "implements"): ["op.4"],
    ("ilo-c182", "recalls"): ["pp.4"],
    ("vienna-declaration-crime", "recalls"): ["pp.5", "pp.5"],      # paragraphs 25 and 27
    ("a-res-55-25", "recalls"): ["pp.6"],
    ("untoc", "recalls"): ["pp.6"],
    ("untoc", "implements"): ["op.4", "op.5.b.ii", "op.5.b.ii"],   # articles 24 and 25
    ("untoc-trafficking-protocol", "recalls"): ["pp.6"],
    ("untoc-trafficking-protocol", "notes"): ["pp.12"],
    ("untoc-trafficking-protocol", "implements"): ["op.4", "op.5.b.ii", "op.6.c", "op.6.c",
                                                   "op.13"],
    ("untoc-smuggling-protocol", "notes"): ["pp.12"],
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return build_graph([EXAMPLE])


@pytest.fixture(scope="module")
def views(graph):
    return {view: to_networkx(graph, view=view) for view in export.VIEWS}


def _short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _edges(view: nx.MultiDiGraph, relation: str | None = None) -> list[tuple[str, str, dict]]:
    return [(u, v, d) for u, v, d in view.edges(data=True)
            if relation is None or d["relation"] == relation]


# ---------------------------------------------------------------------------------------------
# The views of the example
# ---------------------------------------------------------------------------------------------

def test_citations_view_is_the_resolution_and_the_ten_instruments_it_cites(views):
    view = views["citations"]
    assert set(view.nodes) == {RES, *CITED}
    assert {n: view.nodes[n]["kind"] for n in CITED} == CITED
    assert view.nodes[RES]["label"] == "A/RES/58/137"
    assert view.nodes[RES]["citations_out"] == 21  # every citation of the text, rolled up
    cited = {(_short(v), d["relation"]): d["paragraphs"] for u, v, d in view.edges(data=True)
             if d["relation"] in export.CITATION_RELATIONS}
    assert cited == CITATION_EDGES
    assert all(u == RES for u, _, d in _edges(view) if d["relation"] in
               export.CITATION_RELATIONS)


@pytest.mark.parametrize(("cited", "relation", "weight", "quote"), [
    ("untoc", "implements", 3, "articles 24 and 25 of the United \nNations Convention"),
    ("untoc-trafficking-protocol", "implements", 5, "article 9, paragraph 5, of the Protocol"),
    ("vienna-declaration-crime", "recalls", 2, "paragraphs 25 and 27 of the Vienna Declaration"),
    ("a-res-55-25", "recalls", 1, "resolution 55/25"),
])
def test_citation_edges_are_weighted_and_keep_every_quote(views, cited, relation, weight, quote):
    view = views["citations"]
    (data,) = [d for d in view.get_edge_data(RES, next(n for n in view if _short(n) == cited))
               .values() if d["relation"] == relation]
    assert data["weight"] == weight == len(data["quotes"]) == len(data["pinpoints"])
    assert any(q.startswith(quote) for q in data["quotes"])


@pytest.mark.parametrize(("source", "relation", "target"), [
    ("untoc-trafficking-protocol", "supplements", "untoc"),
    ("untoc-smuggling-protocol", "supplements", "untoc"),
    ("crc-opsc", "supplements", "crc"),
    ("untoc", "adoptedBy", "a-res-55-25"),
])
def test_context_edges_join_instruments_already_in_the_view(views, source, relation, target):
    view = views["citations"]
    assert relation in {d["relation"] for d in view.get_edge_data(ACT + source,
                                                                   next(n for n in view if
                                                                        _short(n) == target))
                        .values()}


def test_structure_view_has_the_33_paragraphs_and_the_articles_they_cite(views):
    view = views["structure"]
    kinds = {}
    for _, data in view.nodes(data=True):
        kinds[data["kind"]] = kinds.get(data["kind"], 0) + 1
    assert kinds["PreambularParagraph"] + kinds["OperativeParagraph"] == 33
    assert (kinds["PreambularParagraph"], kinds["SubParagraph"]) == (16, 14)
    articles = {view.nodes[v]["label"]: view.nodes[v]["title"] for _, v, d in _edges(view)
                if d["relation"] in export.CITATION_RELATIONS
                and view.nodes[v]["kind"] in ("Article", "ArticleParagraph")}
    assert sorted(articles) == ["Article 24", "Article 25", "Article 6(2)", "Article 6(3)",
                                "Article 6(4)", "Article 9(5)"]
    assert articles["Article 9(5)"].startswith("Article 9, paragraph 5 of the Protocol to Prevent")
    # Every paragraph hangs from its parent; cited parts hang from their instrument.
    part_of = {(view.nodes[u]["label"], view.nodes[v]["label"]) for u, v, _ in
               _edges(view, "partOf")}
    assert {("op.5.b.ii", "op.5.b"), ("op.5.b", "op.5"), ("op.5", "A/RES/58/137"),
            ("Article 6(2)", "Article 6"), ("Article 6", "Palermo Protocol")} <= part_of


@pytest.mark.parametrize(("paragraph", "relation", "cited", "pinpoint", "quote"), [
    ("op.13", "implements", "untoc-trafficking-protocol~art_9__para_5",
     "article 9, paragraph 5", "article 9, paragraph 5, of the Protocol"),
    ("op.5.b.ii", "implements", "untoc~art_24", "article 24", "articles 24 and 25"),
    ("pp.2", "takesNoteOf", "trafficking-principles-guidelines~guideline_8", "guideline 8",
     "guideline 8, Special measures"),
    ("pp.6", "recalls", "a-res-55-25", None, "resolution 55/25"),
])
def test_structure_edges_carry_quote_paragraph_and_pinpoint(views, paragraph, relation, cited,
                                                            pinpoint, quote):
    view = views["structure"]
    (data,) = [d for u, v, d in _edges(view, relation)
               if d["paragraph"] == paragraph and _short(v) == cited]
    assert data.get("pinpoint") == pinpoint
    assert data["quote"].startswith(quote)
    assert data["citation"].startswith(RES + "/!main~")


def test_full_view_adds_footnotes_and_what_they_refer_to(views):
    view = views["full"]
    footnotes = sorted(int(d["number"]) for _, d in view.nodes(data=True)
                       if d["kind"] == "Footnote")
    assert footnotes == list(range(1, 9))
    refers = {(view.nodes[u]["label"], _short(v)) for u, v, _ in _edges(view, "refersTo")}
    assert ("Footnote 1", "victims-declaration") in refers
    assert ("Footnote 7", "untoc-trafficking-protocol") in refers  # "Ibid., annex II."
    adopted = {(_short(u), view.nodes[v]["label"]) for u, v, _ in _edges(view, "adoptedBy")}
    assert ("victims-declaration", "A/RES/40/34") in adopted
    assert ("trafficking-principles-guidelines", "E/2002/68/Add.1") in adopted
    assert len(_edges(view, "footnoteRef")) == 11
    assert set(views["structure"].nodes) < set(view.nodes)


@pytest.mark.parametrize(("focus", "depth", "view", "expected"), [
    ("A/RES/58/137", 0, "citations", {"a-res-58-137"}),
    ("A/RES/58/137", None, "citations", {"a-res-58-137", *map(_short, CITED)}),
    ("58/137", 1, "citations", {"a-res-58-137", *map(_short, CITED)}),       # short symbol
    ("untoc", 1, "citations", {"untoc", "a-res-58-137"}),                     # instrument key
    (ACT + "untoc~art_24", 1, "citations", {"untoc", "a-res-58-137"}),        # a part: its root
    ("untoc", 2, "citations", {"a-res-58-137", *map(_short, CITED)}),
    ("protocol against the smuggling of migrants by land, sea and air", 0, "citations",
     {"untoc-smuggling-protocol"}),                                           # exact title
])
def test_focus_keeps_what_is_within_depth_citation_hops(graph, focus, depth, view, expected):
    result = to_networkx(graph, view=view, focus=focus, depth=depth)
    assert set(map(_short, result.nodes)) == expected
    assert sum(1 for _, d in result.nodes(data=True) if d.get("focus")) == 1


def test_focus_in_the_structure_view_keeps_the_focus_documents_parts(graph):
    view = to_networkx(graph, view="structure", focus="untoc", depth=1)
    cited = {_short(v) for u, v, d in _edges(view) if d["relation"] in
             export.CITATION_RELATIONS}
    assert cited == {"untoc", "untoc~art_24", "untoc~art_25"}
    assert sum(1 for _, d in view.nodes(data=True) if d["kind"] == "OperativeParagraph") == 17


@pytest.mark.parametrize(("relations", "nodes", "edge_relations"), [
    (["implements"], {"a-res-58-137", "untoc", "untoc-trafficking-protocol", "crc-opsc"},
     {"implements"}),
    (["recalls,notes"], {"a-res-58-137", "victims-declaration", "crc", "crc-opsc", "ilo-c182",
                         "vienna-declaration-crime", "a-res-55-25", "untoc",
                         "untoc-trafficking-protocol", "untoc-smuggling-protocol"},
     {"recalls", "notes"}),
    (["takes-note-of", "SUPPLEMENTS"], {"a-res-58-137", "trafficking-principles-guidelines"},
     {"takesNoteOf"}),  # no supplements edge joins two nodes that are left
])
def test_relation_filter_keeps_those_edges_and_drops_lone_nodes(graph, relations, nodes,
                                                                edge_relations):
    view = to_networkx(graph, relations=relations)
    assert set(map(_short, view.nodes)) == nodes
    assert {d["relation"] for *_, d in view.edges(data=True)} == edge_relations


def test_structure_view_keeps_part_of_edges_whatever_the_relation_filter(graph):
    view = to_networkx(graph, view="structure", relations=["implements"])
    assert {d["relation"] for *_, d in view.edges(data=True)} == {"implements", "partOf"}
    assert sum(1 for *_, d in view.edges(data=True) if d["relation"] == "implements") == 9


@pytest.mark.parametrize(("arguments", "message"), [
    ({"view": "network"}, "unknown view 'network'; choose from citations, structure, full"),
    ({"depth": 2}, "--depth needs --focus"),
    ({"focus": "A/RES/58/137", "depth": -1}, "--depth must be 0 or more"),
    ({"focus": "A/RES/99/999"}, "--focus 'A/RES/99/999': no IRI, symbol"),
    ({"relations": ["recall"]}, "unknown relation 'recall'; choose from recalls"),
    ({"relations": [" , "]}, "--relation names no relation"),
])
def test_bad_view_arguments_are_one_line_value_errors(graph, arguments, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        to_networkx(graph, **arguments)


def test_a_focus_that_names_several_documents_asks_for_an_iri():
    graph = Graph()
    for symbol in ("A/RES/55/25", "E/RES/55/25"):
        node = URIRef(DOC + symbol.replace("/", "-").lower())
        graph.add((node, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                   URIRef("https://w3id.org/lexgraph/ontology#Resolution")))
        graph.add((node, URIRef("http://data.europa.eu/eli/ontology#id_local"), Literal(symbol)))
    with pytest.raises(ValueError,
                       match=r"matches 2 nodes \(A/RES/55/25, E/RES/55/25\); give an IRI"):
        to_networkx(graph, focus="55/25")
    assert set(to_networkx(graph, focus="E/RES/55/25", depth=0).nodes) == {DOC + "e-res-55-25"}


def test_citation_triples_without_a_citation_node_still_make_edges():
    graph = Graph().parse(data=f"""
        @prefix lex: <https://w3id.org/lexgraph/ontology#> .
        @prefix eli: <http://data.europa.eu/eli/ontology#> .
        <{DOC}x> a lex:Resolution ; eli:id_local "A/RES/1/1" .
        <{DOC}x/!main~para_1> a lex:OperativeParagraph ; eli:is_part_of <{DOC}x> ;
            lex:paragraphId "op.1" ; lex:welcomes <{ACT}y~art_2> .
        <{ACT}y~art_2> a lex:Article ; eli:number "2" ; eli:is_part_of <{ACT}y> .
        <{ACT}y> a lex:Convention ; <http://www.w3.org/2000/01/rdf-schema#label> "Y" .
        """, format="turtle")
    view = to_networkx(graph)
    (edge,) = view.edges(data=True)
    assert (edge[0], edge[1], edge[2]["relation"], edge[2]["paragraphs"],
            edge[2]["quotes"]) == (DOC + "x", ACT + "y", "welcomes", ["op.1"], [""])


def test_the_same_view_from_pyoxigraph_as_from_rdflib(graph, views):
    pyoxigraph = pytest.importorskip("pyoxigraph")
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    for name, view in views.items():
        other = to_networkx(store, view=name)
        assert dict(other.nodes(data=True)) == dict(view.nodes(data=True)), name
        assert list(other.edges(keys=True, data=True)) == list(view.edges(keys=True,
                                                                          data=True)), name


def test_a_dataset_reads_every_named_graph(graph, views):
    dataset = build_graph([EXAMPLE], dataset=True)
    view = to_networkx(dataset)
    assert set(view.nodes) == set(views["citations"].nodes)
    assert view.number_of_edges() == views["citations"].number_of_edges()


def test_edge_keys_are_unique_in_the_whole_graph(views):
    for view in views.values():
        keys = [k for *_, k in view.edges(keys=True)]
        assert len(keys) == len(set(keys)) == view.number_of_edges()


def test_structure_layout_is_an_outline_in_reading_order(views):
    view = views["structure"]
    positions = export.layout_positions(view)
    assert positions is not None and set(positions) == set(view.nodes)
    by_label = {view.nodes[n]["label"]: xy for n, xy in positions.items()}
    reading = ["A/RES/58/137", *(f"pp.{i}" for i in range(1, 17)), "op.1", "op.2", "op.2.a",
               "op.5.b.ii", "op.6", "op.17"]
    heights = [by_label[name][1] for name in reading]
    assert heights == sorted(heights) and len(set(heights)) == len(heights)
    assert by_label["op.5.b.ii"][0] > by_label["op.5.b"][0] > by_label["op.5"][0]
    # Cited parts sit right of the outline, instruments right of their parts; none overlap.
    assert by_label["Palermo Protocol"][0] > by_label["Article 9"][0] > by_label["op.13"][0]
    assert len(set(positions.values())) == len(positions)
    assert export.layout_positions(views["citations"]) is None


# ---------------------------------------------------------------------------------------------
# Formats: round trips through networkx's own readers
# ---------------------------------------------------------------------------------------------

def _attributes(graph: nx.Graph, drop_node=(), drop_edge=()):
    nodes = {str(n): {k: v for k, v in d.items() if k not in drop_node}
             for n, d in graph.nodes(data=True)}
    if graph.is_multigraph():
        triples = graph.edges(keys=True, data=True)
    else:  # networkx's GEXF reader gives a simple graph when no two edges share ends
        triples = ((u, v, d["id"], d) for u, v, d in graph.edges(data=True))
    edges = {(str(u), str(v), str(k)): {a: b for a, b in d.items() if a not in drop_edge}
             for u, v, k, d in triples}
    return nodes, edges


@pytest.mark.parametrize("view_name", export.VIEWS)
@pytest.mark.parametrize(("fmt", "read", "extra_node", "extra_edge"), [
    ("graphml", lambda text: nx.read_graphml(io.BytesIO(text.encode()), force_multigraph=True),
     (), ()),
    ("gexf", lambda text: nx.read_gexf(io.BytesIO(text.encode())), ("viz",), ("viz", "id")),
    ("cyjs", lambda text: nx.cytoscape_graph(json.loads(text)), ("id", "value", "name"),
     ("id", "key", "source", "target", "interaction")),
])
def test_formats_read_back_with_the_same_nodes_edges_and_attributes(views, view_name, fmt,
                                                                     read, extra_node,
                                                                     extra_edge):
    view = views[view_name]
    text = export_text(view, fmt)
    back = read(text)
    assert back.is_directed()
    expected = _attributes(plain_graph(view, xml=fmt != "cyjs"))
    found = _attributes(back, drop_node=extra_node, drop_edge=extra_edge)
    assert found[0] == expected[0]
    assert found[1] == expected[1]
    assert view.number_of_nodes() == back.number_of_nodes() > 10


def test_lists_become_json_text_in_xml_and_stay_lists_in_json(views):
    view = views["citations"]
    graphml = nx.read_graphml(io.BytesIO(export_text(view, "graphml").encode()),
                              force_multigraph=True)
    cyjs = json.loads(export_text(view, "cyjs"))
    (key,) = [k for u, v, k, d in view.edges(keys=True, data=True)
              if _short(v) == "untoc" and d["relation"] == "implements"]
    (edge,) = [e["data"] for e in cyjs["elements"]["edges"] if e["data"]["id"] == key]
    assert edge["paragraphs"] == ["op.4", "op.5.b.ii", "op.5.b.ii"]
    assert edge["interaction"] == "implements"
    stored = next(d for *_, k, d in graphml.edges(keys=True, data=True) if k == key)
    assert json.loads(stored["paragraphs"]) == ["op.4", "op.5.b.ii", "op.5.b.ii"]


class _Thing:
    def __str__(self) -> str:
        return "a thing"


def _awkward_graph(kind=nx.MultiDiGraph) -> nx.Graph:
    """Values no format holds as they are, ids that are not strings."""
    graph = kind(name="awkward", tags={"b", "a"}, nothing=None)
    graph.add_node(1, label="one", none=None, items=[1, "two", None], mapping={"k": [1, 2]},
                   when=datetime.date(2003, 12, 22), iri=URIRef("http://example.org/x"),
                   ratio=math.nan, flag=True, mixed=3, text="form\x0cfeed\x00 and </script>")
    graph.add_node((2, "b"), label=None, mixed="three", shape=(1, 2), thing=_Thing())
    graph.add_edge(1, (2, "b"), relation="recalls", weight=2.5, quotes=["“a”", "b"],
                   nested={"x": {"y": None}}, empty=[])
    graph.add_edge((2, "b"), 1, relation=None, weight=3)  # a whole weight beside 2.5
    return graph


@pytest.mark.parametrize("kind", [nx.MultiDiGraph, nx.DiGraph, nx.Graph, nx.MultiGraph])
@pytest.mark.parametrize("fmt", ["graphml", "gexf", "cyjs", "dot", "html"])
def test_values_a_format_cannot_hold_are_converted_never_a_crash(tmp_path, kind, fmt):
    graph = _awkward_graph(kind)
    path = tmp_path / f"out.{fmt}"
    write_export(graph, path, fmt=fmt)
    text = path.read_text(encoding="utf-8")
    assert len(text) > 200
    assert "\x0c" not in text and "\x00" not in text
    if fmt in ("graphml", "gexf"):
        ET.fromstring(text.encode())
        back = (nx.read_graphml(io.BytesIO(text.encode()), force_multigraph=True)
                if fmt == "graphml" else nx.read_gexf(io.BytesIO(text.encode())))
        one = back.nodes["1"]
        assert json.loads(one["items"]) == [1, "two", None]
        assert (one["when"], one["iri"], one["mixed"], one["text"]) == (
            "2003-12-22", "http://example.org/x", "3", "formfeed and </script>")
        assert "none" not in one and "ratio" not in one
        assert back.nodes["(2, 'b')"]["mixed"] == "three"
        if graph.number_of_edges() == 2:  # an undirected simple graph merges the two
            weights = sorted(d["weight"] for *_, d in back.edges(data=True))
            assert weights == [2.5, 3.0] and all(isinstance(w, float) for w in weights)
    if fmt == "cyjs":
        data = json.loads(text)
        (one,) = [n["data"] for n in data["elements"]["nodes"] if n["data"]["id"] == "1"]
        assert one["items"] == [1, "two", None] and one["mapping"] == {"k": [1, 2]}
        assert data["data"]["tags"] == ["a", "b"]
    if fmt == "html":
        assert text.count("</script>") == 2  # the data block's own and the code's
        (one,) = [n for n in _viewer_data(text)["nodes"] if n["id"] == "1"]
        assert one["data"]["text"] == "form\x0cfeed\x00 and </script>"
        assert one["data"]["items"] == [1, "two", None]


def _viewer_data(html: str) -> dict:
    match = re.search(r'<script id="lexgraph-data" type="application/json">(.*?)</script>',
                      html, re.DOTALL)
    assert match
    return json.loads(match.group(1))


def test_two_nodes_that_print_alike_are_refused():
    graph = nx.MultiDiGraph()
    graph.add_nodes_from([1, "1"])
    with pytest.raises(ValueError, match="same id"):
        export_text(graph, "graphml")


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "cyjs", "dot", "html"])
def test_the_same_graph_gives_the_same_file(graph, fmt):
    assert export_text(to_networkx(graph), fmt) == export_text(to_networkx(graph), fmt)


def test_gexf_colours_nodes_by_kind_and_edges_by_relation(views):
    text = export_text(views["citations"], "gexf")
    back = nx.read_gexf(io.BytesIO(text.encode()))
    assert back.nodes[RES]["viz"]["color"] == {"r": 0x3d, "g": 0x85, "b": 0xc6, "a": 1.0}
    ns = {"g": "http://www.gexf.net/1.2draft", "viz": "http://www.gexf.net/1.2draft/viz"}
    root = ET.fromstring(text.encode())
    implements = [e for e in root.iterfind(".//g:edge", ns) if any(
        v.get("value") == "implements" for v in e.iterfind(".//g:attvalue", ns))]
    assert len(implements) == 3
    for edge in implements:
        assert edge.find("viz:color", ns).attrib == {"r": "213", "g": "94", "b": "0", "a": "1.0"}
    structure = nx.read_gexf(io.BytesIO(export_text(views["structure"], "gexf").encode()))
    assert "position" in structure.nodes[RES]["viz"]


def test_cytoscape_json_has_ids_names_and_outline_positions(views):
    data = to_cytoscape(views["structure"])
    assert data["directed"] and data["multigraph"]
    ids = [e["data"]["id"] for e in data["elements"]["edges"]]
    assert len(ids) == len(set(ids))
    first = data["elements"]["nodes"][0]
    assert set(first["data"]) >= {"id", "name", "kind"} and "position" in first
    assert "position" not in to_cytoscape(views["citations"])["elements"]["nodes"][0]


# ---------------------------------------------------------------------------------------------
# DOT, SVG and the HTML page
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("family", "shape"), [
    ("resolution", "box"), ("treaty", "box3d"), ("softlaw", "box"), ("part", "tab"),
    ("paragraph", "box"),
])
def test_dot_draws_each_kind_its_own_way(views, family, shape):
    dot = to_dot(views["structure"])
    style = export.FAMILY_STYLE[family]
    node = next(n for n, d in views["structure"].nodes(data=True) if d["family"] == family)
    line = next(x for x in dot.splitlines() if x.strip().startswith(f'"{node}" ['))
    assert f'shape="{shape}"' in line and f'fillcolor="{style["fill"]}"' in line


def test_dot_colours_edges_by_relation_and_has_a_legend(views):
    dot = to_dot(views["citations"])
    for relation in ("recalls", "notes", "takesNoteOf", "implements", "supplements"):
        assert f'color="{export.RELATION_STYLE[relation]["color"]}"' in dot
    legend = next(x for x in dot.splitlines() if "lexgraph:legend" in x)
    for words in ("resolution", "treaty", "recalls", "takes note of", "implements",
                  "adopted by (dotted)"):
        assert words in legend
    assert "reaffirms" not in legend  # only what the picture shows
    assert dot.count(" -> ") == 20


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz is not installed (Debian: apt install graphviz)")
@pytest.mark.parametrize("view_name", export.VIEWS)
def test_graphviz_renders_every_view(views, view_name):
    svg = export_text(views[view_name], "svg")
    root = ET.fromstring(svg.encode())
    titles = {t.text for t in root.iter("{http://www.w3.org/2000/svg}title")}
    assert set(views[view_name].nodes) <= titles
    assert "lexgraph:legend" in titles


def test_svg_without_graphviz_is_a_one_line_error_and_writes_nothing(monkeypatch, capsys,
                                                                     tmp_path):
    monkeypatch.setattr(export, "dot_program", lambda: None)
    out = tmp_path / "picture.svg"
    assert main(["export", str(EXAMPLE), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == ("lexgraph: error: --to svg needs Graphviz's dot program, which is not "
                   "installed (Debian: apt install graphviz); --to dot writes the DOT text "
                   "instead\n")
    assert not out.exists()


def test_html_is_one_offline_file_with_the_data_inside(views):
    html = to_html(views["citations"])
    assert "default-src 'none'" in html  # the page may not fetch anything
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=\"(https?:)?//", html)
    assert "__LEXGRAPH" not in html
    data = _viewer_data(html)
    assert len(data["nodes"]) == 11 and len(data["edges"]) == 20
    assert {r["name"] for r in data["relations"]} == {"recalls", "takesNoteOf", "notes",
                                                      "implements", "supplements", "adoptedBy"}
    assert "<title>A/RES/58/137: citations view</title>" in html


def test_html_data_cannot_close_its_script_element():
    graph = nx.MultiDiGraph(name="</script><script>alert(1)</script> __LEXGRAPH_DATA__")
    graph.add_node("x", label="</script><!-- \u2028 __LEXGRAPH_TITLE__")
    html = to_html(graph)
    assert html.count("</script>") == 2
    assert _viewer_data(html)["nodes"][0]["label"] == "</script><!-- \u2028 __LEXGRAPH_TITLE__"
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; __LEXGRAPH_DATA__</title>" \
        in html


@pytest.mark.skipif(shutil.which("false") is None, reason="no 'false' program to stand in")
def test_a_graphviz_failure_is_a_one_line_error(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(export, "dot_program", lambda: shutil.which("false"))
    out = tmp_path / "picture.svg"
    assert main(["export", str(EXAMPLE), "-o", str(out)]) == 2
    assert capsys.readouterr().err == "lexgraph: error: Graphviz failed: exit code 1\n"
    assert not out.exists()


# ---------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def turtle(tmp_path_factory, graph):
    path = tmp_path_factory.mktemp("rdf") / "graph.ttl"
    path.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "to", "check"), [
    ("out.graphml", None, lambda p: nx.read_graphml(p).number_of_nodes() == 11),
    ("out.gexf", None, lambda p: nx.read_gexf(p).number_of_nodes() == 11),
    ("out.cyjs", None, lambda p: len(json.loads(p.read_text())["elements"]["nodes"]) == 11),
    ("out.json", None, lambda p: len(json.loads(p.read_text())["elements"]["edges"]) == 20),
    ("out.dot", None, lambda p: p.read_text().startswith("digraph lexgraph {")),
    ("out.gv", None, lambda p: p.read_text().startswith("digraph lexgraph {")),
    ("out.html", None, lambda p: "lexgraph-data" in p.read_text()),
    ("out.txt", "cytoscape", lambda p: json.loads(p.read_text())["multigraph"]),
    ("out.xml", "GRAPHML", lambda p: p.read_text().startswith("<?xml")),
])
def test_cli_writes_each_format_from_the_extension_or_to(capsys, tmp_path, turtle, name, to,
                                                         check):
    out = tmp_path / name
    argv = ["export", str(turtle), "-o", str(out)] + (["--to", to] if to else [])
    assert main(argv) == 0
    assert capsys.readouterr() == ("", "")
    assert check(out)


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz is not installed (Debian: apt install graphviz)")
def test_cli_draws_svg_from_a_resolution_text(capsys, tmp_path):
    out = tmp_path / "picture.svg"
    assert main(["export", str(EXAMPLE), "-o", str(out)]) == 0
    assert out.read_text().lstrip().startswith("<?xml") and "A/RES/58/137" in out.read_text()


@pytest.mark.parametrize(("argv", "output"), [
    (["--to", "cyjs", "-o", "-"], lambda out: len(json.loads(out)["elements"]["nodes"]) == 11),
    (["--to", "dot", "--view", "structure"], lambda out: out.count(" -> ") == 85),
    (["--to", "graphml", "--focus", "untoc", "--depth", "1"],
     lambda out: nx.read_graphml(io.BytesIO(out.encode())).number_of_nodes() == 2),
    (["--to", "gexf", "--relation", "implements", "--relation", "notes"],
     lambda out: nx.read_gexf(io.BytesIO(out.encode())).number_of_edges() == 6),
])
def test_cli_writes_text_formats_to_stdout(capsys, turtle, argv, output):
    assert main(["export", str(turtle), *argv]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert output(out)


@pytest.mark.parametrize(("argv", "message"), [
    (["{ttl}"], "give --to FORMAT (graphml|gexf|cyjs|dot|html|svg) or an -o file"),
    (["{ttl}", "-o", "{tmp}/out.png"], "cannot tell the export format from"),
    (["{ttl}", "--to", "png"], "unknown export format 'png'; choose from graphml, gexf"),
    (["{ttl}", "--to", "dot", "--depth", "1"], "--depth needs --focus"),
    (["{ttl}", "--to", "dot", "--relation", "quotes"], "unknown relation 'quotes'"),
    (["{ttl}", "--to", "dot", "--focus", "nowhere"], "--focus 'nowhere': no IRI, symbol"),
    (["{tmp}/missing.ttl", "--to", "dot"], "missing.ttl: no such file"),
    (["{ttl}", "-o", "{tmp}/no/such/folder/out.dot"], "output folder does not exist"),
    (["{tmp}/broken.ttl", "--to", "dot"], "broken.ttl:1: not valid turtle"),
])
def test_cli_errors_are_one_line_with_exit_code_2(capsys, tmp_path, turtle, argv, message):
    (tmp_path / "broken.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    argv = [a.format(ttl=turtle, tmp=tmp_path) for a in argv]
    assert main(["export", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("lexgraph: error: ") and message in err
    assert err.count("\n") == 1
    assert not [p for p in tmp_path.rglob("out.*")]


def test_cli_view_choices_are_checked_by_argparse(capsys, turtle):
    with pytest.raises(SystemExit) as exit_:
        main(["export", str(turtle), "--to", "dot", "--view", "everything"])
    assert exit_.value.code == 2
    assert "invalid choice: 'everything'" in capsys.readouterr().err


def test_cli_help_lists_formats_views_and_relations(capsys):
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = capsys.readouterr().out
    for word in ("graphml|gexf|cyjs|dot|html|svg", "citations", "structure", "full",
                 "takesNoteOf", "--focus", "--depth"):
        assert word in out


def test_cli_mixes_rdf_files_and_resolution_texts(capsys, tmp_path, turtle):
    out = tmp_path / "both.cyjs"
    assert main(["export", str(turtle), str(EXAMPLE), "-o", str(out)]) == 0
    assert len(json.loads(out.read_text())["elements"]["nodes"]) == 11


def test_cli_runs_as_a_subprocess(tmp_path, turtle):
    out = tmp_path / "g.graphml"
    done = subprocess.run([__import__("sys").executable, "-m", "graph_builder", "export",
                           str(turtle), "-o", str(out)], capture_output=True, text=True,
                          check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert nx.read_graphml(out).number_of_nodes() == 11


# ---------------------------------------------------------------------------------------------
# The picture in the README
# ---------------------------------------------------------------------------------------------

def test_readme_shows_the_example_picture_made_by_the_export_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/example-citations.svg" in readme
    assert "lexgraph export" in readme
    svg = (ROOT / "docs" / "example-citations.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg.encode())
    titles = {t.text for t in root.iter("{http://www.w3.org/2000/svg}title")}
    assert {RES, *CITED} <= titles
    for colour in ("#0072b2", "#d55e00", "#56b4e9", "#e69f00"):  # recalls, implements, notes,
        assert colour in svg.lower()                             # takes note of


@pytest.mark.parametrize(("name", "reader"), [("graph.nt", "nt"), ("graph.trig", "trig"),
                                              ("graph.jsonld", "json-ld"), ("graph.rdf", "xml")])
def test_cli_gives_the_same_file_whichever_library_reads_the_rdf(capsys, tmp_path, monkeypatch,
                                                                  graph, name, reader):
    data = tmp_path / name
    data.write_text(graph.serialize(format=reader), encoding="utf-8")
    assert main(["export", str(data), "--to", "graphml"]) == 0
    fast = capsys.readouterr().out
    monkeypatch.setattr(export, "_load_with_oxigraph", lambda paths, fmt: None)
    assert main(["export", str(data), "--to", "graphml"]) == 0
    assert capsys.readouterr().out == fast
    assert nx.read_graphml(io.BytesIO(fast.encode())).number_of_nodes() == 11
