"""IRI minting: the table in graph_builder/iris.py, and validity for any input."""

from __future__ import annotations

import pyoxigraph
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_builder.iris import IriMinter, paragraph_path, roman_to_int, slug

M = IriMinter()
DOC = "https://w3id.org/lexgraph/akn/un/doc/a-res-58-137"


@pytest.mark.parametrize(("iri", "expected"), [
    (M.document("A/RES/58/137"), DOC),
    (M.document("A/RES/217 A (III)"), "https://w3id.org/lexgraph/akn/un/doc/a-res-217-a-iii"),
    (M.paragraph(DOC, "op.5"), f"{DOC}/!main~para_5"),
    (M.paragraph(DOC, "op.5.b"), f"{DOC}/!main~para_5__list_1__point_b"),
    (M.paragraph(DOC, "op.5.b.ii"), f"{DOC}/!main~para_5__list_1__point_b__list_1__point_ii"),
    (M.paragraph(DOC, "pp.3"), f"{DOC}/!main~preamble__block_3"),
    (M.annex(M.document("A/RES/55/25"), "II"), "https://w3id.org/lexgraph/akn/un/doc/a-res-55-25/!annex_2"),
    (M.annex(M.document("A/RES/40/34"), ""), "https://w3id.org/lexgraph/akn/un/doc/a-res-40-34/!annex"),
    (M.part(M.instrument("untoc"), (("article", "6"), ("paragraph", "2"))),
     "https://w3id.org/lexgraph/akn/un/act/untoc~art_6__para_2"),
    (M.footnote(DOC, 7), f"{DOC}/!main~note_7"),
    (IriMinter("http://example.org/kg/").document("A/RES/1/1"), "http://example.org/kg/akn/un/doc/a-res-1-1"),
])
def test_minted_iris(iri, expected):
    assert iri == expected


def test_rebase_moves_catalogue_iris_under_another_base():
    other = IriMinter("http://example.org/")
    assert other.rebase("https://w3id.org/lexgraph/akn/un/act/untoc") == "http://example.org/akn/un/act/untoc"
    assert other.rebase("http://elsewhere.org/x") == "http://elsewhere.org/x"


@pytest.mark.parametrize("bad", ["relative/", "http://example.org/no-slash", "", "http://a b/"])
def test_bad_base_is_refused(bad):
    with pytest.raises(ValueError):
        IriMinter(bad)


@pytest.mark.parametrize(("numeral", "value"), [("I", 1), ("IV", 4), ("IX", 9), ("XIV", 14)])
def test_roman(numeral, value):
    assert roman_to_int(numeral) == value


@given(st.text(min_size=1).filter(lambda s: any(c.isascii() and c.isalnum() for c in s)))
def test_any_symbol_gives_a_valid_stable_iri(symbol):
    iri = M.document(symbol)
    pyoxigraph.NamedNode(iri)  # raises on an invalid IRI
    assert iri == M.document(symbol)
    assert set(slug(symbol)) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


@given(st.integers(1, 300), st.lists(st.sampled_from("abcdefghij"), max_size=1),
       st.lists(st.sampled_from(["i", "ii", "iii", "iv"]), max_size=1))
def test_paragraph_iris_are_valid(number, letters, romans):
    pid = ".".join(["op", str(number), *letters, *(romans if letters else [])])
    pyoxigraph.NamedNode(M.paragraph(DOC, pid))
    assert paragraph_path(pid).startswith(f"para_{number}")
