"""Header metadata (session, agenda items, the report or drafts adopted on, the whole title),
annexes and parts of a resolution, and the warning for a citation nothing resolves.

The header snippets are copied in the layouts the corpus has them (PDF text of the 78th-80th
sessions, the one-line header of the Markdown conversions, a 1990s HTML page); the structure
texts are small hand-made resolutions in the PDF-text layout.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Literal, URIRef

from graph_builder import api
from graph_builder.emit import emit_graph
from graph_builder.extract import extract_references
from graph_builder.iris import IriMinter
from graph_builder.namespaces import ELI, LEX
from graph_builder.parse import header_facts, ordinal_number, parse_source, parse_text
from graph_builder.queries import run_query
from graph_builder.resolve import resolve_references

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "A-RES-58-137.txt"
CORPUS = HERE.parent.parent / "shared" / "corpus"

# --------------------------------------------------------------------------------------------
# Header facts

HEADERS = [
    pytest.param(
        "United Nations \nA/RES/78/228\n \nGeneral Assembly \nDistr.: General \n22 December 2023 \n"
        " \n23-25978 (E)    100124 \n*2325978* \n \nSeventy-eighth session \nAgenda item 107 \n"
        "Crime prevention and criminal justice  \n \n Resolution adopted by the General Assembly \n"
        "on 19 December 2023 \n \n[on the report of the Third Committee (A/78/482, para. 29)] \n \n"
        " 78/228. Improving the coordination of efforts against trafficking in persons \n",
        (78, ("107",), "Third Committee", "A/78/482", (),
         "Improving the coordination of efforts against trafficking in persons"),
        id="pdf 78th session, Third Committee"),
    pytest.param(
        "Seventy-eighth session \nAgenda items 13 and 117 \n \n Resolution adopted by the General "
        "Assembly \non 29 September 2023 \n \n[without reference to a Main Committee (A/78/L.1)] \n"
        " \n78/1. Political declaration of the high-level political forum on \nsustainable "
        "development convened under the auspices \nof the General Assembly \n",
        (78, ("13", "117"), None, None, ("A/78/L.1",),
         ("Political declaration of the high-level political forum on sustainable development "
          "convened under the auspices of the General Assembly")),
        id="pdf 78th session, two agenda items, without reference, title over three lines"),
    pytest.param(
        "Seventy-ninth session \nAgenda items 13 and 75 (a) \n[without reference to a Main "
        "Committee (A/79/L.48 and A/79/L.48/Add.1)] \n 79/228. Oceans and the law of the sea \n",
        (79, ("13", "75 (a)"), None, None, ("A/79/L.48", "A/79/L.48/Add.1"),
         "Oceans and the law of the sea"),
        id="pdf 79th session, sub-item, draft and addendum"),
    pytest.param(
        "Eightieth session \nAgenda item 58 \n[on the report of the Special Political and "
        "Decolonization Committee \n(Fourth Committee) (A/80/537, para. 33)] \n 80/99. Question "
        "of Pitcairn \n",
        (80, ("58",), "Special Political and Decolonization Committee (Fourth Committee)",
         "A/80/537", (), "Question of Pitcairn"),
        id="pdf 80th session, Fourth Committee over two lines"),
    pytest.param(
        "A/RES/80/17\nUnited Nations\nGeneral Assembly Distr.: General\nEightieth session Agenda "
        "item 95 Establishment of a nuclear-weapon-free zone\nResolution adopted by the General "
        "Assembly on 1 December 2025\n[on the report of the First Committee (A/80/534, para. 7)]\n"
        "80/17. Establishment of a nuclear-weapon-free zone in the region of the Middle East\n",
        (80, ("95",), "First Committee", "A/80/534", (),
         "Establishment of a nuclear-weapon-free zone in the region of the Middle East"),
        id="markdown: session and agenda item on one line"),
    pytest.param(
        "A/RES/48/905\nForty-eighth session\nAgenda item 114\n[on the report of the Third "
        "Committee (A/48/905/Add.2)]\n48/905. Measures on the examples\nResolution adopted by "
        "the General Assembly on 20 December 1993\n",
        (48, ("114",), "Third Committee", "A/48/905/Add.2", (), "Measures on the examples"),
        id="html 1990s: title followed by the adoption line"),
    pytest.param(
        "Tenth emergency special session \nAgenda item 5 \n", (None, ("5",), None, None, (), None),
        id="emergency special session: not a regular session number"),
    pytest.param("", (None, (), None, None, (), None), id="no header"),
]


@pytest.mark.parametrize(("header", "expected"), HEADERS)
def test_header_facts(header, expected):
    facts = header_facts(header.split("\n"))
    assert (facts.session, facts.agenda_items, facts.committee, facts.report, facts.drafts,
            facts.title) == expected


@pytest.mark.parametrize(("word", "number"), [
    ("first", 1), ("Tenth", 10), ("nineteenth", 19), ("Fiftieth", 50), ("Forty-eighth", 48),
    ("Seventy-eighth", 78), ("Seventy-ninth", 79), ("Eightieth", 80), ("ninety-first", 91),
    ("78th", 78), ("special", None), ("Seventy-something", None),
])
def test_ordinal_number(word, number):
    assert ordinal_number(word) == number


def test_the_bundled_example_has_no_header_and_gets_nothing_invented():
    doc = parse_source(EXAMPLE)
    assert (doc.session, doc.agenda_items, doc.committee, doc.report, doc.drafts,
            doc.divisions) == (None, (), None, None, (), ())
    facts = api.extract([EXAMPLE])["documents"][0]
    assert (facts["session"], facts["agenda_items"], facts["committee"], facts["report"],
            facts["drafts"], facts["divisions"]) == (None, [], None, None, [], [])
    graph = api.build_graph([EXAMPLE])
    for term in (LEX.session, LEX.agendaItem, LEX.committee, LEX.adoptedOnReport,
                 LEX.adoptedOnDraft, LEX.Annex, LEX.Part):
        assert not any(term in triple for triple in graph), term


HEADED = ("United Nations \nA/RES/78/999\n \nGeneral Assembly \n \nSeventy-eighth session \n"
          "Agenda items 14 and 117 \n \n Resolution adopted by the General Assembly \n"
          "on 19 December 2023 \n \n[on the report of the Third Committee (A/78/460, para. 12)] \n"
          " \n 78/999. Protecting the examples \n \nThe General Assembly, \n \n"
          "Recalling its resolution 77/1, \n \n1. Decides to remain seized of the matter. \n \n"
          "50th plenary meeting \n19 December 2023 \n")


def test_header_metadata_goes_into_the_json_and_the_graph(tmp_path):
    source = tmp_path / "A-RES-78-999.txt"
    source.write_text(HEADED, encoding="utf-8")
    facts = api.extract([source])["documents"][0]
    assert (facts["session"], facts["agenda_items"], facts["committee"], facts["report"],
            facts["drafts"], facts["title"]) == (78, ["14", "117"], "Third Committee",
                                                 "A/78/460", [], "Protecting the examples")
    graph = api.build_graph([source])
    doc = URIRef(IriMinter().document("A/RES/78/999"))
    assert graph.value(doc, LEX.session) == Literal(78)
    assert set(graph.objects(doc, LEX.agendaItem)) == {Literal("14"), Literal("117")}
    assert graph.value(doc, LEX.committee) == Literal("Third Committee")
    report = graph.value(doc, LEX.adoptedOnReport)
    assert report == URIRef(IriMinter().document("A/78/460"))
    assert graph.value(report, ELI.id_local) == Literal("A/78/460")
    assert (report, RDF.type, LEX.Report) in graph
    assert api.check_graph(graph).conforms


def test_drafts_adopted_on_become_edges(tmp_path):
    source = tmp_path / "A-RES-78-998.txt"
    source.write_text(HEADED.replace(
        "[on the report of the Third Committee (A/78/460, para. 12)]",
        "[without reference to a Main Committee (A/78/L.48 and A/78/L.48/Add.1)]"),
        encoding="utf-8")
    graph = api.build_graph([source], overrides=api.Overrides(symbol="A/RES/78/998"))
    doc = URIRef(IriMinter().document("A/RES/78/998"))
    drafts = {str(graph.value(node, ELI.id_local)) for node in graph.objects(doc, LEX.adoptedOnDraft)}
    assert drafts == {"A/78/L.48", "A/78/L.48/Add.1"}
    assert graph.value(doc, LEX.committee) is None and graph.value(doc, LEX.adoptedOnReport) is None


@pytest.mark.skipif(not (CORPUS / "unga").is_dir(), reason="the shared corpus is not here")
@pytest.mark.parametrize(("name", "expected"), [
    ("unga/A-RES-78-228.txt", (78, ("107",), "Third Committee", "A/78/482", ())),
    ("unga/A-RES-78-1.txt", (78, ("13", "117"), None, None, ("A/78/L.1",))),
    ("unga/A-RES-79-81.txt", (79, None, None, None, None)),
    ("unga/A-RES-80-99.txt", (80, ("58",),
                              "Special Political and Decolonization Committee (Fourth Committee)",
                              "A/80/537", ())),
    ("unga-md/A-RES-80-1.md", (80, ("7",), None, None, ("A/80/L.2/Rev.1",))),
])
def test_header_facts_of_real_resolutions(name, expected):
    doc = parse_source(CORPUS / name)
    found = (doc.session, doc.agenda_items, doc.committee, doc.report, doc.drafts)
    assert all(e is None or e == f for e, f in zip(expected, found)), found


# --------------------------------------------------------------------------------------------
# Annexes and parts

WITH_ANNEX = """\
A/RES/78/997
 78/997. Declaration on the examples

The General Assembly,

Recalling its resolution 77/1,

1. Adopts the Declaration on the examples, contained in the annex to the present resolution;

2. Requests the Secretary-General to disseminate the Declaration.

15th plenary meeting
29 September 2023



 Annex


 Declaration on the examples



 I. Our commitment


1.
We, the Heads of State and Government, reaffirm our commitment.
2.
We resolve to:

(a) Act together;

(b) Report on progress.

A/RES/78/997
Declaration on the examples
23-20100
2/3

3. We will review the Declaration at the eightieth session.
"""


def test_annex_paragraphs_are_the_annex_s_not_the_resolution_s():
    doc = parse_text(WITH_ANNEX, source="A-RES-78-997.txt")
    assert [p.id for p in doc.paragraphs] == [
        "pp.1", "op.1", "op.2", "annex.1", "annex.2", "annex.2.a", "annex.2.b", "annex.3"]
    (annex,) = doc.divisions
    assert (annex.id, annex.kind.value, annex.label, annex.title) == (
        "annex", "annex", "", "Declaration on the examples")
    assert {p.kind.value for p in doc.paragraphs if p.division == "annex" and not p.parent} == \
        {"numbered"}
    assert doc.paragraph("annex.2.b").parent == "annex.2"
    assert (doc.plenary_meeting, doc.date) == (15, "2023-09-29")  # closing lines before the annex
    assert "Declaration on the examples" not in doc.paragraph("annex.2.b").text
    assert doc.diagnostics == ()


def test_resolution_counts_are_those_without_the_annex(tmp_path):
    source = tmp_path / "A-RES-78-997.txt"
    source.write_text(WITH_ANNEX, encoding="utf-8")
    facts = api.extract([source])["documents"][0]
    kinds = [p["kind"] for p in facts["paragraphs"]]
    assert (kinds.count("preambular"), kinds.count("operative"), kinds.count("numbered")) == (
        1, 2, 3)
    assert facts["divisions"] == [{"id": "annex", "kind": "annex", "label": "",
                                   "title": "Declaration on the examples",
                                   "line": WITH_ANNEX.splitlines().index(" Annex") + 1,
                                   "start": WITH_ANNEX.index("Annex") - 1, "paragraphs": 3}]
    assert {p["id"]: p["division"] for p in facts["paragraphs"]}["annex.2.a"] == "annex"


def test_annex_nodes_in_the_graph(tmp_path):
    source = tmp_path / "A-RES-78-997.txt"
    source.write_text(WITH_ANNEX, encoding="utf-8")
    graph = api.build_graph([source])
    minter = IriMinter()
    doc = minter.document("A/RES/78/997")
    annex = URIRef(minter.annex(doc, ""))
    assert (annex, RDF.type, LEX.Annex) in graph
    assert (annex, ELI.is_part_of, URIRef(doc)) in graph
    # the node a citation of "paragraph 2 (a) of the annex to resolution 78/997" points at
    paragraph = URIRef(minter.part(str(annex), (("paragraph", "2"),)))
    point = URIRef(minter.part(str(annex), (("paragraph", "2"), ("subparagraph", "a"))))
    assert (paragraph, RDF.type, LEX.NumberedParagraph) in graph
    assert (paragraph, ELI.is_part_of, annex) in graph
    assert (point, ELI.is_part_of, paragraph) in graph
    assert graph.value(point, LEX.paragraphId) == Literal("annex.2.a")
    operative = [s for s in graph.subjects(RDF.type, LEX.OperativeParagraph)]
    assert len(operative) == 2
    assert api.check_graph(graph).conforms


NUMBERED_ANNEXES = WITH_ANNEX.replace(" Annex\n", " Annex I\n").replace(
    "3. We will review", "Annex II\n\nRules of the examples\n\n1. The rules apply.\n\n"
    "2. They apply again.\n\n3. We will review")


def test_numbered_annexes():
    doc = parse_text(NUMBERED_ANNEXES, source="A-RES-78-997.txt")
    assert [(d.id, d.label, d.title) for d in doc.divisions] == [
        ("annex.I", "I", "Declaration on the examples"), ("annex.II", "II", "Rules of the examples")]
    assert [p.id for p in doc.paragraphs if p.division == "annex.II"] == [
        "annex.II.1", "annex.II.2", "annex.II.3"]


def test_a_line_annex_inside_the_text_is_not_an_annex():
    text = ("The General Assembly,\n\nRecalling the table in its\nAnnex\nto resolution 77/1,\n\n"
            "1. Decides to act.\n")
    doc = parse_text(text, source="A-RES-78-996.txt")
    assert doc.divisions == ()
    assert [p.id for p in doc.paragraphs] == ["pp.1", "op.1"]


IN_PARTS = """\
A/RES/78/995
 78/995. Examples in parts



A

Assistance in the examples

The General Assembly,

Recalling its resolution 77/1,

1. Requests the Secretary-General to assist;

2. Decides to continue.

50th plenary meeting
19 December 2023

B

Moratorium on the examples

The General Assembly,

Welcoming the report,

1. Calls upon States to act;

(a) At once;

2. Decides to remain seized.

50th plenary meeting
19 December 2023
"""


def test_resolution_in_parts():
    doc = parse_text(IN_PARTS, source="A-RES-78-995.txt")
    assert [(d.id, d.kind.value, d.title) for d in doc.divisions] == [
        ("A", "part", "Assistance in the examples"), ("B", "part", "Moratorium on the examples")]
    assert [p.id for p in doc.paragraphs] == [
        "A.pp.1", "A.op.1", "A.op.2", "B.pp.1", "B.op.1", "B.op.1.a", "B.op.2"]
    assert doc.paragraph("B.op.1").verb == "Calls upon"
    assert (doc.title, doc.plenary_meeting, doc.date) == ("Examples in parts", 50, "2023-12-19")
    assert doc.diagnostics == ()


def test_parts_in_the_graph(tmp_path):
    source = tmp_path / "A-RES-78-995.txt"
    source.write_text(IN_PARTS, encoding="utf-8")
    graph = api.build_graph([source])
    minter = IriMinter()
    doc = minter.document("A/RES/78/995")
    part_b = URIRef(minter.part(doc, (("part", "B"),)))
    assert (part_b, RDF.type, LEX.Part) in graph
    assert graph.value(part_b, LEX.heading) == Literal("Moratorium on the examples")
    operative = URIRef(minter.paragraph(str(part_b), "op.1"))
    assert (operative, ELI.is_part_of, part_b) in graph
    assert graph.value(operative, LEX.paragraphId) == Literal("B.op.1")
    assert api.check_graph(graph).conforms


def test_a_table_of_letters_is_not_a_resolution_in_parts():
    text = ("The General Assembly,\n\nRecalling its resolution 77/1,\n\n1. Decides on the levels:\n\n"
            "A\nPermanent members\n\nB\nAll other Member States\n\n2. Decides to act.\n")
    doc = parse_text(text, source="A-RES-78-994.txt")
    assert doc.divisions == ()
    assert [p.id for p in doc.paragraphs if not p.parent] == ["pp.1", "op.1", "op.2"]


@pytest.mark.skipif(not (CORPUS / "unga").is_dir(), reason="the shared corpus is not here")
@pytest.mark.parametrize(("name", "divisions", "first"), [
    ("unga/A-RES-78-1.txt", ["annex"], "annex.1"),
    ("unga/A-RES-78-128.txt", ["annex.I", "annex.II", "annex.III"], "annex.I.1"),
    ("unga/A-RES-78-317.txt", ["annex"], None),
    ("unga/A-RES-80-9.txt", ["annex"], "annex.1"),
    ("drafts/A-C.5-80-L.6.txt", ["A", "B", "C"], "A.pp.1"),
])
def test_real_annexes_and_parts(name, divisions, first):
    doc = parse_source(CORPUS / name)
    assert [d.id for d in doc.divisions] == divisions
    inside = [p.id for p in doc.paragraphs if p.division and not p.parent]
    assert len(inside) == len(set(inside))
    if first:
        assert inside[0] == first


# --------------------------------------------------------------------------------------------
# A citation nothing resolves: a warning, and the node stays


def test_unresolved_citation_warns_and_stays_in_the_graph():
    text = ("The General Assembly,\n\nRecalling its resolution 77/9999 on the examples,\n\n"
            "1. Decides to act.\n")
    document = parse_text(text, source="A-RES-78-993.txt")
    resolved = resolve_references(extract_references(document))
    warnings = [d for d in resolved.diagnostics if d.code == "citation-unresolved"]
    assert len(warnings) == 1
    (warning,) = warnings
    assert warning.severity.value == "warning"
    assert (warning.line, warning.column) == (3, text.splitlines()[2].index("resolution") + 1)
    assert "A/RES/77/9999" in warning.message and "resolution 77/9999" in warning.message
    graph = emit_graph(resolved)
    cited = URIRef(IriMinter().document("A/RES/77/9999"))
    assert (cited, ELI.id_local, Literal("A/RES/77/9999")) in graph
    rows = run_query(graph, "unresolved-citations").rows
    assert [(str(row[1]), str(row[3])) for row in rows] == [("pp.1", str(cited))]


def test_the_example_has_no_unresolved_citation():
    document = parse_source(EXAMPLE)
    resolved = resolve_references(extract_references(document))
    assert not [d for d in resolved.diagnostics if d.code == "citation-unresolved"]
