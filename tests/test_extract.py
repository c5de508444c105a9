"""Stage 2 (extract): what a paragraph cites, how, and with which words.

Each case is a one-paragraph resolution written by hand; the table gives every citation
expected from it as (paragraph, relation, cited name or document, pinpoint).
"""

from __future__ import annotations

import pytest

from graph_builder.extract import extract_references
from graph_builder.models import DocumentRef
from graph_builder.parse import parse_text

UNTOC = "United Nations Convention against Transnational Organized Crime"
TIP = "Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and Children"
SOM = "Protocol against the Smuggling of Migrants by Land, Sea and Air"


def _cites(body: str, notes: str = "", catalogue=None):
    text = f"The General Assembly,\n\n{body}\n"
    if notes:
        text += f"\n_______________\n{notes}\n"
    document = parse_text(text, source="A-RES-1-1.txt")
    extraction = extract_references(document, catalogue=catalogue)
    return [(r.paragraph_id, r.relation.value, r.name_key or (r.document and r.document.symbol),
             dict(r.pinpoint)) for r in extraction.references], extraction


CASES = [
    # The clause verb decides the relation, not only the paragraph's first word.
    ("recall-and-note",
     " Recalling the Convention on the Rights of the Child,3 and noting the entry into force of "
     f"the {TIP},4", "3 Resolution 44/25, annex.\n4 Resolution 55/25, annex II.",
     [("pp.1", "recalls", "crc", {}), ("pp.1", "notes", "tip", {})]),
    ("taking-note-with-pinpoint-from-footnote-only",
     " Taking note of guideline 8, Special measures for the protection of child victims, "
     "contained in the report of the High Commissioner,2", "2 See E/2002/68/Add.1.",
     [("pp.1", "takesNoteOf", "E/2002/68/Add.1", {"guideline": "8"})]),
    ("articles-list", f" 1. Invites States to act in accordance with articles 24 and 25 of the {UNTOC};",
     "", [("op.1", "implements", "untoc", {"article": "24"}),
          ("op.1", "implements", "untoc", {"article": "25"})]),
    ("article-paragraphs", f" 1. Invites States to act in accordance with article 6, "
     f"paragraphs 3 and 4, of the {TIP};", "",
     [("op.1", "implements", "tip", {"article": "6", "paragraph": "3"}),
      ("op.1", "implements", "tip", {"article": "6", "paragraph": "4"})]),
    ("article-range", f" 1. Recalls articles 2 to 4 of the {UNTOC};", "",
     [("op.1", "recalls", "untoc", {"article": n}) for n in ("2", "3", "4")]),
    ("implement-after-the-mentions",
     f" 1. Urges States to ratify the {UNTOC}6 and the {TIP}7 and to implement those instruments;",
     "6 Resolution 55/25, annex I.\n7 Ibid., annex II.",
     [("op.1", "implements", "untoc", {}), ("op.1", "implements", "tip", {})]),
    ("ratify-alone-is-a-plain-citation", f" 1. Urges States to ratify the {UNTOC};", "",
     [("op.1", "cites", "untoc", {})]),
    ("supplementing-clause-is-one-mention",
     f" Noting the {SOM}, supplementing the {UNTOC},8", "8 Resolution 55/25, annex III.",
     [("pp.1", "notes", "som", {})]),
    ("its-resolution", " Recalling its resolution 55/25 of 15 November 2000,", "",
     [("pp.1", "recalls", "A/RES/55/25", {})]),
    ("ilo-title-with-year-and-number",
     " Recalling also the International Labour Organization Convention concerning the "
     "Prohibition and Immediate Action for the Elimination of the Worst Forms of Child Labour, "
     "1999 (Convention No. 182), which prohibits labour under the age of 18,", "",
     [("pp.1", "recalls", "c182", {})]),
    ("welcomes-and-reaffirms", f" Welcoming the entry into force of the {UNTOC}, and reaffirming "
     f"the {TIP},", "", [("pp.1", "welcomes", "untoc", {}), ("pp.1", "reaffirms", "tip", {})]),
    ("marker-only-cites-every-document-of-its-footnote",
     " Recalling its previous resolutions on the subject,1",
     "1 Resolutions 55/67, 58/137 and 77/194.",
     [("pp.1", "recalls", s, {}) for s in ("A/RES/55/67", "A/RES/58/137", "A/RES/77/194")]),
    ("no-citation", " 1. Requests the Secretary-General to report on the implementation of the "
     "present resolution.", "", []),
    ("alias", " Recalling the Organized Crime Convention,", "", [("pp.1", "recalls", "untoc", {})]),
    ("implementation-of-in-operative", f" 1. Calls for the full implementation of the {UNTOC};",
     "", [("op.1", "implements", "untoc", {})]),
    ("implementation-of-in-preamble-is-no-cue",
     f" Recalling the report on the implementation of the {UNTOC},", "",
     [("pp.1", "recalls", "untoc", {})]),
]


@pytest.mark.parametrize(("body", "notes", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_citations(test_catalogue, body, notes, expected):
    found, _ = _cites(body, notes, test_catalogue)
    assert found == expected


def test_marker_glued_to_a_name_takes_its_footnote_document(test_catalogue):
    _, extraction = _cites(f" Recalling the {UNTOC},6", "6 Resolution 55/25, annex I.",
                           test_catalogue)
    (reference,) = extraction.references
    assert (reference.footnote, reference.document) == (6, DocumentRef("A/RES/55/25", "I"))


def test_quote_and_span(test_catalogue):
    body = f" 1. Acts in accordance with article 6, paragraph 2, of the\n{TIP};"
    _, extraction = _cites(body, "", test_catalogue)
    (reference,) = extraction.references
    text = extraction.document.text
    assert reference.quote == f"article 6, paragraph 2, of the {TIP}"
    assert text[reference.start:reference.end] == f"article 6, paragraph 2, of the\n{TIP}"


def test_unreferenced_footnote_is_reported(test_catalogue):
    _, extraction = _cites(" Recalling the past,", "1 Resolution 40/34, annex.", test_catalogue)
    assert [d.code for d in extraction.diagnostics] == ["footnote-unreferenced"]


def test_treaty_series_footnote_resolves_through_the_catalogue(test_catalogue):
    found, _ = _cites(" Recalling the Convention,5",
                      "5 United Nations, Treaty Series, vol. 2225, No. 39574.", test_catalogue)
    assert found == [("pp.1", "recalls", "A/RES/55/25", {})]


def test_ibid_with_another_treaty_series_volume(test_catalogue):
    _, extraction = _cites(" Recalling the Convention,1 and the Protocol,2",
                           "1 United Nations, Treaty Series, vol. 2225, No. 39574.\n"
                           "2 Ibid., vol. 2237, No. 39574.", test_catalogue)
    assert [r.document for r in extraction.references] == [
        DocumentRef("A/RES/55/25", "I"), DocumentRef("A/RES/55/25", "II")]


def test_footnote_on_a_report_about_an_instrument_names_no_instrument(test_catalogue):
    _, extraction = _cites(
        f" Taking note of the report of the Secretary-General on the {UNTOC},5",
        "5 A/78/119.", test_catalogue)
    (reference,) = extraction.references
    assert (reference.name_key, reference.document) == (None, DocumentRef("A/78/119"))


def test_economic_and_social_council_resolutions_by_year(test_catalogue):
    found, _ = _cites(" Recalling Economic and Social Council resolutions 2017/18 of 6 July 2017 "
                      "and 2021/25 of 22 July 2021, and Council resolution 2019/1 of 8 May 2019,",
                      "", test_catalogue)
    assert [f[2] for f in found] == ["E/RES/2017/18", "E/RES/2021/25", "E/RES/2019/1"]


def test_ibid_with_an_unknown_treaty_series_volume_is_unresolved(test_catalogue):
    _, extraction = _cites(" Recalling the Convention,1 and another,2",
                           "1 United Nations, Treaty Series, vol. 2225, No. 39574.\n"
                           "2 Ibid., vol. 993, No. 14537.", test_catalogue)
    assert extraction.footnote_targets[2] == ()
    assert [r.footnote for r in extraction.references] == [1]


def test_real_catalogue_treaty_without_un_document_and_footnote_with_two_parts():
    """With the shipped catalogue: the Single Convention, which no UN document holds, is
    found by its Treaty Series volume after an "Ibid."; the Global Compact on Refugees is in
    part II of a report whose two parts one footnote names."""
    found, extraction = _cites(
        " Recalling the United Nations Convention against Corruption,1 the Single Convention on "
        "Narcotic Drugs, 1961,2 and the Global Compact on Refugees,3",
        "1 United Nations, Treaty Series, vol. 2349, No. 42146.\n"
        "2 Ibid., vol. 976, No. 14152.\n"
        "3 Official Records of the General Assembly, Seventy-third Session, Supplement No. 12 "
        "(A/73/12 (Part I) and A/73/12 (Part II)).")
    assert extraction.footnote_targets[2] == (DocumentRef(None, None, key="single-convention"),)
    assert [(r.name_key, r.document) for r in extraction.references] == [
        ("uncac", DocumentRef("A/RES/58/4", "")),
        ("single-convention", DocumentRef(None, None, key="single-convention")),
        ("global-compact-refugees", DocumentRef("A/73/12 (Part II)")),
        (None, DocumentRef("A/73/12 (Part I)")),  # the footnote cites part I too
    ]


@pytest.mark.parametrize(("body", "expected"), [
    (f" Recalling the {UNTOC}, in particular its article 24,",
     [("untoc", ()), ("untoc", (("article", "24"),))]),
    (f" 1. Recalls the {UNTOC}, and article 25 thereof;",
     [("untoc", ()), ("untoc", (("article", "25"),))]),
    (f" Recalling the {UNTOC}, 1. Urges compliance with article 2 (b) of the Convention;",
     [("untoc", ()), ("untoc", (("article", "2"), ("subparagraph", "b")))]),
    (" Recalling Article 49 of the Charter,", []),  # no Charter in the test catalogue
])
def test_pinpoints_after_the_name_and_short_forms(test_catalogue, body, expected):
    _, extraction = _cites(body, "", test_catalogue)
    assert [(r.name_key, r.pinpoint) for r in extraction.references] == expected


def test_a_marker_never_attaches_to_a_later_name(test_catalogue):
    _, extraction = _cites(f" Noting the report,1 and the {UNTOC},",
                           "1 A/78/119.", test_catalogue)
    assert [(r.name_key, r.footnote) for r in extraction.references] == [(None, 1), ("untoc", None)]



@pytest.mark.parametrize(("note", "expected"), [
    # a footnote that lists instruments by name, no symbol: each named instrument, in order
    ("5 The United Nations Standard Minimum Rules for the Administration of Juvenile Justice "
     "(the Beijing Rules), the Guidelines for the Prevention of Crime and the Code of Conduct "
     "for Law Enforcement Officials.",
     (DocumentRef("A/RES/40/33", ""), DocumentRef("E/RES/2002/13", ""),
      DocumentRef("A/RES/34/169", ""))),
    # a symbol wins: the names beside it are the symbol's own description
    ("5 Resolution 40/33, annex, the Beijing Rules.", (DocumentRef("A/RES/40/33", ""),)),
    # "Ibid." never looks for names
    ("5 Ibid., the Code of Conduct for Law Enforcement Officials.", ()),
    # a footnote that names nothing known stays unresolved
    ("5 Adopted at the 12th meeting of the working group.", ()),
], ids=["names-only", "symbol-first", "ibid", "nothing"])
def test_footnote_that_names_instruments(note, expected):
    """With the shipped catalogue: the standards and norms listed by name in one footnote
    (A/RES/79/188, footnote 5) are each cited by the paragraph that carries the marker."""
    found, extraction = _cites(
        " Recalling also the United Nations standards and norms in crime prevention and "
        "criminal justice,5", note)
    assert extraction.footnote_targets[5] == expected
    assert [r.document for r in extraction.references] == list(expected)
    codes = {d.code for d in extraction.diagnostics}
    assert ("footnote-unresolved" in codes or "ibid-without-antecedent" in codes) == (not expected)


@pytest.mark.parametrize(("body", "note", "expected"), [
    # the footnote alone says what is cited: a short form of an instrument named before
    (" Recalling the Relationship Agreement between the United Nations and the International "
     "Criminal Court, and the implementation of the Relationship Agreement,3",
     "3 Articles 10 and 13 of the Relationship Agreement.",
     [("un-icc-relationship-agreement", {}),
      ("un-icc-relationship-agreement", {"article": "10"}),
      ("un-icc-relationship-agreement", {"article": "13"})]),
    (" Noting the cooperation under the Relationship Agreement between the United Nations and "
     "the International Criminal Court and its provisions on information,6",
     "6 Article 2, paragraph 3, of the Relationship Agreement.",
     [("un-icc-relationship-agreement", {}),
      ("un-icc-relationship-agreement", {"article": "2", "paragraph": "3"})]),
    # the footnote on the name gives its articles
    (" Recalling the Rome Statute of the International Criminal Court,4",
     "4 Article 13 of the Rome Statute of the International Criminal Court.",
     [("rome-statute", {}), ("rome-statute", {"article": "13"})]),
    # a footnote about another instrument adds nothing to the name
    (" Recalling the Rome Statute of the International Criminal Court,4",
     "4 Article 2 of the Relationship Agreement between the United Nations and the "
     "International Criminal Court.",
     [("rome-statute", {})]),
], ids=["short-form-loose-marker", "article-and-paragraph", "on-the-name", "other-instrument"])
def test_footnote_that_gives_the_articles(body, note, expected):
    found, _ = _cites(body, note)
    named = sorted((key, sorted(pin.items())) for _, _, key, pin in found
                   if key is not None and not str(key).startswith("A/"))
    assert named == sorted((key, sorted(pin.items())) for key, pin in expected)
