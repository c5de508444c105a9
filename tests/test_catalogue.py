"""The shipped instrument catalogue (ontology/instruments.ttl): facts and consistency."""

from __future__ import annotations

from collections import Counter

import pytest

from graph_builder.catalogue import Catalogue, default_catalogue, instrument_classes
from graph_builder.errors import CatalogueError
from graph_builder.iris import IriMinter
from graph_builder.models import DocumentRef


@pytest.fixture(scope="module")
def catalogue():
    return default_catalogue()


@pytest.mark.parametrize(("key", "symbol", "annex", "articles", "kind"), [
    ("untoc", "A/RES/55/25", "I", 41, "Convention"),
    ("untoc-trafficking-protocol", "A/RES/55/25", "II", 20, "Protocol"),
    ("untoc-smuggling-protocol", "A/RES/55/25", "III", 25, "Protocol"),
    ("crc", "A/RES/44/25", "", 54, "Convention"),
    ("crc-opsc", "A/RES/54/263", "II", 17, "Protocol"),
    ("ilo-c182", None, None, 16, "Convention"),
    ("victims-declaration", "A/RES/40/34", "", None, "Declaration"),
    ("vienna-declaration-crime", "A/RES/55/59", "", None, "Declaration"),
    ("trafficking-principles-guidelines", "E/2002/68/Add.1", None, None, "Rules"),
])
def test_instruments_the_example_cites(catalogue, key, symbol, annex, articles, kind):
    instrument = catalogue.instruments[key]
    assert (instrument.symbol, instrument.annex, instrument.article_count, instrument.kind) == (
        symbol, annex, articles, kind)


@pytest.mark.parametrize(("key", "article", "paragraphs"), [
    ("untoc", "24", 4), ("untoc", "25", 3),
    ("untoc-trafficking-protocol", "6", 6), ("untoc-trafficking-protocol", "9", 5),
])
def test_cited_article_paragraph_counts(catalogue, key, article, paragraphs):
    assert catalogue.instruments[key].part(article).paragraph_count == paragraphs


@pytest.mark.parametrize(("child", "parent"), [
    ("untoc-trafficking-protocol", "untoc"), ("untoc-smuggling-protocol", "untoc"),
    ("crc-opsc", "crc"),
])
def test_protocols_supplement_their_convention(catalogue, child, parent):
    assert catalogue.instruments[child].supplements == parent


def test_lookup_by_document_and_treaty_series(catalogue):
    assert catalogue.by_document(DocumentRef("A/RES/55/25", "II")).key == "untoc-trafficking-protocol"
    assert catalogue.by_document(DocumentRef("A/RES/55/25")) is None  # the resolution itself
    assert catalogue.by_treaty_series("United Nations, Treaty Series, vol. 2225, No. 39574").key == "untoc"


def test_catalogue_is_big_enough_to_be_useful(catalogue):
    assert len(catalogue.instruments) >= 80


def test_keys_mint_the_catalogue_iris(catalogue):
    minter = IriMinter()
    for key, instrument in catalogue.instruments.items():
        assert instrument.iri == minter.instrument(key)
    for symbol, document in catalogue.documents.items():
        assert document.iri == minter.document(symbol)


def test_names_pick_one_instrument(catalogue):
    names = Counter(name.casefold() for name, _ in catalogue.names())
    assert [name for name, count in names.items() if count > 1] == []


def test_places_held_by_several_instruments_are_the_known_ones(catalogue):
    places = Counter(i.document for i in catalogue.instruments.values() if i.document)
    shared = [place for place, count in places.items() if count > 1]
    assert shared == [DocumentRef("A/RES/2200 A (XXI)", "")]  # both Covenants and OP1
    assert catalogue.by_document(shared[0]) is None
    assert {i.key for i in catalogue.instruments_at(shared[0])} == {"icescr", "iccpr", "iccpr-op1"}


def test_dates_are_iso(catalogue):
    import datetime

    for instrument in catalogue.instruments.values():
        if instrument.date:
            datetime.date.fromisoformat(instrument.date)


def test_every_work_is_an_instrument_of_the_ontology(catalogue):
    """The store's statistics queries read the types of cited works among lex:Instrument's
    subclasses: the catalogue may not bring a work of another class."""
    classes = instrument_classes()
    assert {"Instrument", "Resolution", "Convention", "Protocol", "Report"} <= classes
    assert not {"Article", "Annex", "Footnote", "Subdivision"} & classes
    assert {i.kind for i in catalogue.instruments.values()} <= classes
    assert {d.kind for d in catalogue.documents.values()} <= classes


@pytest.mark.parametrize(("turtle", "named"), [
    ('ex:w a lex:Treaty ; lex:key "my-treaty" ; rdfs:label "My Treaty" .', "my-treaty"),
    ('ex:w a lex:Article ; lex:key "an-article" ; rdfs:label "An article" .', "an-article"),
    ('ex:d a lex:Footnote ; eli:id_local "A/RES/1/1" .', "A/RES/1/1"),
])
def test_a_work_of_another_class_is_refused(tmp_path, turtle, named):
    path = tmp_path / "catalogue.ttl"
    path.write_text(
        "@prefix lex: <https://w3id.org/lexgraph/ontology#> .\n"
        "@prefix eli: <http://data.europa.eu/eli/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix ex: <https://example.org/> .\n" + turtle + "\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=f"^{named}: lex:\\w+ is not lex:Instrument"):
        Catalogue.from_files([path])


def test_a_work_without_a_class_is_an_instrument(tmp_path):
    path = tmp_path / "catalogue.ttl"
    path.write_text(
        "@prefix lex: <https://w3id.org/lexgraph/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://example.org/w> lex:key "w" ; rdfs:label "W" .\n', encoding="utf-8")
    assert Catalogue.from_files([path]).instruments["w"].kind == "Instrument"
