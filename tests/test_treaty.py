"""Treaty texts (the Markdown layout of the treaty database) built into article nodes.

The fixtures in tests/data/treaty-*.md are short texts written for these tests; the expected
articles, headings and paragraphs below were read off them by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Dataset, Graph, Literal, URIRef

from graph_builder import store as corpus
from graph_builder.api import build_graph, check_graph
from graph_builder.catalogue import default_catalogue
from graph_builder.cli import main
from graph_builder.errors import InputError
from graph_builder.iris import IriMinter
from graph_builder.namespaces import ELI, LEX
from graph_builder.treaty import is_treaty_text, parse_treaty, read_treaty, treaty_triples

DATA = Path(__file__).resolve().parent / "data"
PROTOCOL = DATA / "treaty-trafficking-protocol.md"
LIGHTHOUSES = DATA / "treaty-lighthouses.md"
NO_ARTICLES = DATA / "treaty-no-articles.md"
ACT = "https://w3id.org/lexgraph/akn/un/act/"
TIP = ACT + "untoc-trafficking-protocol"

# number, heading, line, division, paragraph texts
PROTOCOL_ARTICLES = [
    ("1", "Relation with the Convention", 12, "part I",
     ["This test Protocol supplements the Convention.",
      "The Convention applies to this test Protocol."]),
    ("2", "Statement of purpose", 19, "part I", []),
    ("6", "Assistance to and protection of victims of trafficking in persons", 33, "part II",
     ["Each State Party shall protect the privacy of victims.",
      "Each State Party shall ensure that victims receive:\na) Information on proceedings;\n"
      "b) Assistance in presenting their views.",
      "Each State Party shall consider measures for the recovery of victims."]),
]


@pytest.fixture(scope="module")
def protocol():
    return read_treaty(PROTOCOL, catalogue=default_catalogue())


@pytest.mark.parametrize("path, expected", [
    (PROTOCOL, True),
    (LIGHTHOUSES, True),
    (NO_ARTICLES, True),  # the layout's title headings: a treaty text, but a bad one
    (Path(__file__).resolve().parent.parent / "examples" / "A-RES-58-137.txt", False),
    (DATA / "does-not-exist.md", False),
])
def test_is_treaty_text(path, expected):
    assert is_treaty_text(path) is expected


def test_resolution_markdown_is_not_a_treaty(tmp_path):
    text = tmp_path / "A-RES-80-1.md"
    text.write_text("---\nsymbol: A/RES/80/1\n---\n\n### Article 1\n\nText.\n", encoding="utf-8")
    assert not is_treaty_text(text)


def test_title_preamble_and_divisions(protocol):
    assert protocol.title == ("Protocol to Prevent, Suppress and Punish Trafficking in Persons, "
                              "Especially Women and Children, supplementing the United Nations "
                              "Convention against Transnational Organized Crime")
    assert protocol.preamble == ("Preamble The States Parties to this Protocol, Mindful that "
                                 "this is a short test text, Have agreed as follows:")
    assert [(d.kind, d.number, d.heading, d.articles) for d in protocol.divisions] == [
        ("part", "I", "General provisions", ("1", "2")),
        ("part", "II", "Protection of victims", ("6",))]


@pytest.mark.parametrize("number, heading, line, division, paragraphs", PROTOCOL_ARTICLES)
def test_articles(protocol, number, heading, line, division, paragraphs):
    article = protocol.article(number)
    assert article is not None
    assert (article.heading, article.line, article.division) == (heading, line, division)
    assert [p.text for p in article.paragraphs] == paragraphs
    assert [p.number for p in article.paragraphs] == [str(n) for n in
                                                      range(1, len(paragraphs) + 1)]
    for paragraph in article.paragraphs:  # spans point at the paragraph in the file
        source = protocol.text[paragraph.start:paragraph.end]
        assert source.startswith(f"{paragraph.number}.")
        assert protocol.text.count("\n", 0, paragraph.start) + 1 == paragraph.line


def test_only_english_articles_and_no_closing_formula(protocol):
    assert [a.number for a in protocol.articles] == ["1", "2", "6"]
    assert protocol.article("2").text == ("The purposes of this test Protocol are:\n"
                                          "a) To test the reading of articles;\n"
                                          "b) To test the reading of headings.")
    assert "WITNESS" not in protocol.article("6").text
    assert "Artikel" not in protocol.text[protocol.articles[-1].start:protocol.articles[-1].end]


def test_second_instrument_is_not_read():
    text = ("##Covenant\n\n####Covenant of Tests\n\n### Article 1\n\nFirst.\n\n### Article 2\n\n"
            "Second.\n\n####Optional Protocol to the Covenant of Tests\n\n### Article 1\n\n"
            "Another first.\n")
    treaty = parse_treaty(text)
    assert [(a.number, a.text) for a in treaty.articles] == [("1", "First."), ("2", "Second.")]
    assert [d.code for d in treaty.diagnostics] == ["treaty-second-instrument"]


@pytest.mark.parametrize("number", ["14 bis", "3"])
def test_article_numbers(number):
    treaty = parse_treaty(f"## Convention of Tests\n\n### Article  {number}  \n\nText.\n")
    assert [a.number for a in treaty.articles] == [number]


def test_iris_are_those_citations_mint(protocol):
    minter = IriMinter()
    built = treaty_triples(protocol, catalogue=default_catalogue(), minter=minter)
    assert built.instrument is not None and built.instrument.key == "untoc-trafficking-protocol"
    assert built.iri == TIP
    graph = Graph()
    for triple in built.triples:
        graph.add(triple)
    para = URIRef(minter.part(TIP, (("article", "6"), ("paragraph", "2"))))
    assert str(para) == f"{TIP}~art_6__para_2"
    assert (para, RDF.type, LEX.ArticleParagraph) in graph
    assert graph.value(para, ELI.is_part_of) == URIRef(f"{TIP}~art_6")
    assert str(graph.value(para, LEX.text)).startswith("Each State Party shall ensure")
    articles = sorted(str(n) for n in graph.subjects(RDF.type, LEX.Article))
    assert articles == [f"{TIP}~art_1", f"{TIP}~art_2", f"{TIP}~art_6"]
    assert len(set(graph.subjects(RDF.type, LEX.ArticleParagraph))) == 5
    article = URIRef(f"{TIP}~art_2")
    assert graph.value(article, LEX.heading) == Literal("Statement of purpose")
    assert graph.value(article, LEX.position) == Literal(2)
    assert graph.value(article, LEX.line) == Literal(19)
    assert {d.code for d in built.diagnostics} == {"treaty-article-count",
                                                   "treaty-paragraph-count"}


def test_treaty_graph_conforms():
    graph = build_graph([PROTOCOL])
    assert check_graph(graph).conforms
    assert check_graph(graph, engine="shacl").conforms


def test_combined_build_meets_on_one_node(example_path):
    graph = build_graph([example_path, PROTOCOL])
    para = URIRef(f"{TIP}~art_6__para_2")
    citing = list(graph.subjects(LEX.implements, para))
    assert citing, "the resolution cites article 6, paragraph 2 of the Protocol"
    assert str(graph.value(para, LEX.text)).startswith("Each State Party shall ensure that")
    assert Literal("Assistance to and protection of victims of trafficking in persons") in set(
        graph.objects(URIRef(f"{TIP}~art_6"), LEX.heading))
    assert check_graph(graph).conforms


def test_dataset_names_the_treaty_graph_by_its_instrument():
    dataset = build_graph([PROTOCOL], dataset=True)
    assert isinstance(dataset, Dataset)
    named = dataset.graph(URIRef(TIP))
    assert (URIRef(f"{TIP}~art_1"), RDF.type, LEX.Article) in named


def test_treaty_not_in_catalogue():
    treaty = read_treaty(LIGHTHOUSES, catalogue=default_catalogue())
    built = treaty_triples(treaty)
    assert built.instrument is None
    assert built.iri == ACT + "convention-on-the-keeping-of-lighthouses"
    assert [d.code for d in built.diagnostics] == ["treaty-not-in-catalogue"]
    assert [(a.number, a.heading, [p.text for p in a.paragraphs]) for a in treaty.articles] == [
        ("1", "Keepers", ["Each Party shall keep its lighthouses lit.",
                          "Each Party shall train keepers."]),
        ("2", None, [])]
    graph = build_graph([LIGHTHOUSES])
    assert graph.value(URIRef(built.iri), LEX.articleCount) == Literal(2)
    assert check_graph(graph).conforms


def test_cli_build_and_check(tmp_path, capsys, example_path):
    out = tmp_path / "t.ttl"
    assert main(["build", str(PROTOCOL), "-o", str(out)]) == 0
    assert main(["check", str(out)]) == 0
    both = tmp_path / "both.ttl"
    assert main(["build", str(example_path), str(PROTOCOL), "-o", str(both)]) == 0
    graph = Graph().parse(both)
    assert graph.value(URIRef(f"{TIP}~art_6__para_2"), LEX.text) is not None
    assert list(graph.subjects(LEX.implements, URIRef(f"{TIP}~art_6__para_2")))


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    code = main(["build", str(NO_ARTICLES), "-o", str(tmp_path / "x.ttl")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0 and "treaty-no-articles.md" in err and "no article" in err
    with pytest.raises(InputError):
        read_treaty(NO_ARTICLES)


def test_store_worker_builds_a_treaty():
    built = corpus.build_document((str(PROTOCOL), str(PROTOCOL), "sha256:x", False))
    assert built.error is None and built.graph == TIP
    assert f"<{TIP}~art_6__para_2> <{RDF.type}> <{LEX.ArticleParagraph}> <{TIP}> ." \
        in built.nquads
    assert dict(built.diagnostics)["treaty-article-count"] == 1
    bad = corpus.build_document((str(NO_ARTICLES), str(NO_ARTICLES), "sha256:y", False))
    assert bad.graph is None and "no article" in (bad.error or "")


def test_store_build(tmp_path):
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / PROTOCOL.name).write_bytes(PROTOCOL.read_bytes())
    summary = corpus.build_store([texts], tmp_path / "store")
    assert summary.built == 1 and not summary.failed
