"""Stage 3 (resolve): references to targets and IRIs, with a small hand-written catalogue."""

from __future__ import annotations

import pytest

from graph_builder.iris import IriMinter
from graph_builder.models import DocumentRef, Extraction, Reference, Relation
from graph_builder.parse import parse_text
from graph_builder.resolve import resolve_references

ACT = "https://w3id.org/lexgraph/akn/un/act/"
DOC = "https://w3id.org/lexgraph/akn/un/doc/"


def _resolve(catalogue, reference: Reference, minter=IriMinter()):
    document = parse_text("The General Assembly,\n\n Recalling everything,\n", source="A-RES-1-1.txt")
    return resolve_references(Extraction(document, {}, (reference,)), catalogue=catalogue,
                              minter=minter)


def ref(**kwargs) -> Reference:
    return Reference("pp.1", Relation.RECALLS, "words", 0, 5, **kwargs)


@pytest.mark.parametrize(("reference", "iri", "cited", "title"), [
    (ref(name_key="untoc"), f"{ACT}untoc", f"{ACT}untoc", "United Nations Convention against "
     "Transnational Organized Crime"),
    (ref(document=DocumentRef("A/RES/55/25", "II")), f"{ACT}tip", f"{ACT}tip",
     "Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and Children"),
    (ref(document=DocumentRef("A/RES/55/25", "II"), pinpoint=(("article", "6"), ("paragraph", "2"))),
     f"{ACT}tip", f"{ACT}tip~art_6__para_2", None),
    (ref(document=DocumentRef("A/RES/55/25")), f"{DOC}a-res-55-25", f"{DOC}a-res-55-25",
     "United Nations Convention against Transnational Organized Crime"),  # the resolution's title
    (ref(document=DocumentRef("A/RES/40/34", "")), f"{DOC}a-res-40-34/!annex",
     f"{DOC}a-res-40-34/!annex", None),  # not in this catalogue: the annex node
    (ref(document=DocumentRef("A/78/119")), f"{DOC}a-78-119", f"{DOC}a-78-119", None),
    (ref(name_key="c182", pinpoint=(("article", "3"),)), f"{ACT}c182", f"{ACT}c182~art_3", None),
])
def test_targets(test_catalogue, reference, iri, cited, title):
    (citation,) = _resolve(test_catalogue, reference).citations
    assert (citation.target.iri, citation.cited_iri) == (iri, cited)
    if title is not None:
        assert citation.target.title == title


def test_document_kind_of_unknown_symbols(test_catalogue):
    resolution = _resolve(test_catalogue, ref(document=DocumentRef("A/RES/78/1"))).citations[0]
    report = _resolve(test_catalogue, ref(document=DocumentRef("A/78/119"))).citations[0]
    assert (resolution.target.kind, report.target.kind) == ("Resolution", "Report")


def test_footnote_wins_over_the_name_and_the_mismatch_is_reported(test_catalogue):
    resolved = _resolve(test_catalogue, ref(name_key="untoc", footnote=7,
                                            document=DocumentRef("A/RES/55/25", "II")))
    assert resolved.citations[0].target.key == "tip"
    (diagnostic,) = resolved.diagnostics
    assert diagnostic.code == "name-footnote-mismatch"
    assert "footnote 7" in diagnostic.message and "A/RES/55/25, annex II" in diagnostic.message


def test_custom_resolver_strategy(test_catalogue):
    from graph_builder.models import Target

    def everything_is_the_charter(reference, catalogue, minter):
        return Target(iri=minter.instrument("un-charter"), title="Charter of the United Nations",
                      symbol=None, annex=None, key=None, kind="Convention"), None

    document = parse_text("The General Assembly,\n\n Recalling everything,\n", source="A-RES-1-1.txt")
    resolved = resolve_references(Extraction(document, {}, (ref(name_key="untoc"),)),
                                  catalogue=test_catalogue, resolve_target=everything_is_the_charter)
    assert resolved.citations[0].cited_iri == f"{ACT}un-charter"


def test_the_name_picks_one_of_several_instruments_in_one_annex():
    from graph_builder.catalogue import default_catalogue

    catalogue = default_catalogue()
    place = DocumentRef("A/RES/2200 A (XXI)", "")
    named = _resolve(catalogue, ref(name_key="iccpr", document=place, footnote=2))
    assert (named.citations[0].target.key, named.diagnostics) == ("iccpr", ())
    unnamed = _resolve(catalogue, ref(document=place, footnote=2)).citations[0]
    assert unnamed.target.key is None and unnamed.target.iri.endswith("a-res-2200-a-xxi/!annex")

