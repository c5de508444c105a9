"""Stage 1 (parse): small hand-written texts in the layout of UN PDF extractions."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_builder.errors import InputError
from graph_builder.parse import (
    opening_phrase,
    parse_source,
    parse_text,
    read_source,
    symbol_from_filename,
)

SEED_LIKE = """  The General Assembly,

 Recalling the Convention on the Rights of the Child,3 and noting the entry into
force of the Optional Protocol to the Convention on the Rights of the Child on the
sale of children, child prostitution and child pornography,4

 Recalling also the International Labour Organization Convention concerning
the Worst Forms of Child Labour, 1999 (Convention No. 182), which prohibits forced
labour of all people under the age of 18, and its resolution 55/25 of 15 November 2000,
by which it adopted the United Nations Convention against Transnational Organized

_______________
3 Resolution 44/25, annex.
4 Resolution 54/263, annex II.
  Crime,6 and guideline 8 of the report,

 1. Urges Member States to ratify the Convention6 and to implement it by:

 (a) Criminalizing trafficking in persons;
  (b) Promoting cooperation, in accordance with article 6, paragraph 2, of the
Protocol, by, inter alia:

(i) Investigating all cases;

(ii) Treating victims with sensitivity;

 2. Requests the Secretary-General to report.

_______________
6 Resolution 55/25, annex I.

77th plenary meeting
22 December 2003
"""


@pytest.fixture(scope="module")
def seed_like():
    return parse_text(SEED_LIKE, source="A-RES-58-137.txt")


def test_metadata_from_file_name_and_closing_lines(seed_like):
    assert (seed_like.symbol, seed_like.date, seed_like.plenary_meeting) == (
        "A/RES/58/137", "2003-12-22", 77)


def test_options_override_the_text():
    doc = parse_text(SEED_LIKE, source="A-RES-58-137.txt", symbol="A/RES/1/2", date="2001-01-01",
                     title="A title", plenary_meeting=5)
    assert (doc.symbol, doc.date, doc.title, doc.plenary_meeting) == (
        "A/RES/1/2", "2001-01-01", "A title", 5)


def test_header_metadata():
    text = ("United Nations\nA/RES/78/228\n\nGeneral Assembly\n\n Resolution adopted by the "
            "General Assembly\non 19 December 2023\n\n 78/228. Improving the coordination of "
            "efforts against trafficking in persons\n\nThe General Assembly,\n\nRecalling its "
            "resolutions,\n\n 1. Decides to remain seized.\n")
    doc = parse_text(text, source="whatever.txt")
    assert (doc.symbol, doc.date, doc.title) == (
        "A/RES/78/228", "2023-12-19",
        "Improving the coordination of efforts against trafficking in persons")


@pytest.mark.parametrize(("pid", "kind", "parent", "verb"), [
    ("pp.1", "preambular", None, "Recalling"),
    ("pp.2", "preambular", None, "Recalling also"),
    ("op.1", "operative", None, "Urges"),
    ("op.1.a", "subparagraph", "op.1", None),
    ("op.1.b", "subparagraph", "op.1", None),  # glued to (a) by a page break
    ("op.1.b.i", "subparagraph", "op.1.b", None),
    ("op.1.b.ii", "subparagraph", "op.1.b", None),
    ("op.2", "operative", None, "Requests"),
])
def test_paragraph_structure(seed_like, pid, kind, parent, verb):
    paragraph = seed_like.paragraph(pid)
    assert (paragraph.kind.value, paragraph.parent, paragraph.verb) == (kind, parent, verb)


def test_no_other_paragraphs(seed_like):
    assert [p.id for p in seed_like.paragraphs] == [
        "pp.1", "pp.2", "op.1", "op.1.a", "op.1.b", "op.1.b.i", "op.1.b.ii", "op.2"]


def test_footnote_block_does_not_leak_into_the_paragraph_it_interrupts(seed_like):
    pp2 = seed_like.paragraph("pp.2")
    assert "Resolution 44/25" not in pp2.text
    assert pp2.text.endswith("Transnational Organized Crime, and guideline 8 of the report,")


@pytest.mark.parametrize(("pid", "markers"), [
    ("pp.1", [3, 4]),  # "Child,3" and "pornography,4"
    ("pp.2", [6]),  # "Crime,6" after the page break; not 18, 182, 1999, 55/25, 15, 2000, 8
    ("op.1", [6]),  # "Convention6" glued to the word
    ("op.1.b", []),  # "article 6," and "paragraph 2," are not markers
])
def test_footnote_markers(seed_like, pid, markers):
    assert [m.number for m in seed_like.paragraph(pid).markers] == markers


def test_markers_are_removed_from_text_and_mapped_to_the_source(seed_like):
    pp1 = seed_like.paragraph("pp.1")
    assert "Child, and noting" in pp1.text
    marker = pp1.markers[0]
    assert SEED_LIKE[marker.start:marker.end] == "3"


def test_footnotes(seed_like):
    assert [(n.number, n.text) for n in seed_like.footnotes] == [
        (3, "Resolution 44/25, annex."), (4, "Resolution 54/263, annex II."),
        (6, "Resolution 55/25, annex I.")]
    assert SEED_LIKE[seed_like.footnotes[0].start:seed_like.footnotes[0].end] == \
        "Resolution 44/25, annex."


def test_spans_point_into_the_source(seed_like):
    for paragraph in seed_like.paragraphs:
        assert SEED_LIKE[paragraph.start] == paragraph.text[0]
        for i, ch in enumerate(paragraph.text):
            if ch != " ":
                assert SEED_LIKE[paragraph.offsets[i]] == ch


def test_letter_i_after_h_is_a_letter_not_a_roman_numeral():
    items = "\n\n".join(f" ({c}) Item {c};" for c in "abcdefghij")
    doc = parse_text(f"The General Assembly,\n\n 1. Decides:\n\n{items}\n", source="x.txt")
    assert [p.id for p in doc.paragraphs][-3:] == ["op.1.h", "op.1.i", "op.1.j"]


@pytest.mark.parametrize(("text", "operative", "expected"), [
    ("Recalling also the Declaration", False, "Recalling also"),
    ("Recalling further paragraphs 25 and 27", False, "Recalling further"),
    ("Taking note of guideline 8", False, "Taking note of"),
    ("Deeply concerned at the worldwide occurrence", False, "Deeply concerned"),
    ("Profoundly alarmed by the fact", False, "Profoundly alarmed"),
    ("Expressing dismay at the ability", False, "Expressing dismay"),
    ("Expressing deep concern about", False, "Expressing deep concern"),
    ("Convinced also that civil society", False, "Convinced also"),
    ("Bearing in mind that", False, "Bearing in mind"),
    ("Noting with appreciation the work", False, "Noting with appreciation"),
    ("Having considered the report", False, "Having considered"),
    ("2. Calls upon Member States", True, "Calls upon"),
    ("6. Also invites Member States", True, "Also invites"),
    ("13. Further encourages Member States", True, "Further encourages"),
    ("17. Requests the Secretary-General", True, "Requests"),
])
def test_opening_phrase(text, operative, expected):
    assert opening_phrase(text, operative=operative) == expected


@pytest.mark.parametrize(("name", "symbol"), [
    ("A-RES-58-137.txt", "A/RES/58/137"),
    ("A-C.3-80-L.10.txt", "A/C.3/80/L.10"),
    ("E-RES-2017-18.txt", "E/RES/2017/18"),
    ("A-RES-ES-10-1.txt", "A/RES/ES-10/1"),
    ("draft.txt", None),
])
def test_symbol_from_filename(name, symbol):
    assert symbol_from_filename(name) == symbol


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty file"),
    (b"  \n\n ", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ("Recalling\nthe Caf\u00e9 Convention".encode("latin-1"), "not UTF-8"),
])
def test_bad_files_raise_one_line_errors(tmp_path: Path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_source(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


def test_undecodable_byte_is_located_by_line_and_column(tmp_path: Path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("line one\nthe Caf\u00e9".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_source(path)
    assert (caught.value.line, caught.value.column) == (2, 8)


def test_missing_file_and_size_limit(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        read_source(tmp_path / "absent.txt")
    big = tmp_path / "big.txt"
    big.write_text("Recalling " * 100)
    with pytest.raises(InputError, match="above the limit"):
        read_source(big, max_bytes=100)


def test_text_without_paragraphs_is_an_input_error(tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("_______________\n1 Resolution 40/34, annex.\n")
    with pytest.raises(InputError, match="no resolution paragraphs"):
        parse_source(path)


def test_item_labels_after_z_are_doubled():
    items = "\n\n".join(f" ({c}) Item;" for c in [*"abcdefghijklmnopqrstuvwxyz", "aa", "bb"])
    doc = parse_text(f"The General Assembly,\n\n 1. Decides:\n\n{items}\n", source="x.txt")
    assert [p.id for p in doc.paragraphs][-3:] == ["op.1.z", "op.1.aa", "op.1.bb"]
    assert not [d for d in doc.diagnostics if d.code == "subparagraph-order"]


UNGA_LAYOUT = """United Nations
A/RES/78/999

General Assembly
Distr.: General
22 December 2023

23-25978 (E)    100124
*2325978*

 Resolution adopted by the General Assembly
on 19 December 2023

 78/999. Protecting the examples

The General Assembly,

Recalling the 2030 Agenda for Sustainable Development, 1  and recalling also the targets
of the Goals on violence against children, 2 on taking measures to eradicate
__________________

1  Resolution 70/1.

2  Target 16.2.

A/RES/78/999
Protecting the examples

23-25978
2/13

forced labour,3 and the Convention adopted on 19 September 2016,4 in which States declared
that they would act under the age of 18,

1.
Decides to act, in accordance with article 6, paragraph 2, of the Protocol;

2. Requests the Secretary-General to report, in particular on:

(i) The first matter;

(ii) The second matter.

__________________

3  Ibid.

4  Resolution 71/1.
"""


def test_layout_of_recent_pdfs_page_furniture_loose_markers_and_numbers_alone():
    doc = parse_text(UNGA_LAYOUT, source="A-RES-78-999.txt")
    assert (doc.symbol, doc.date, doc.title) == ("A/RES/78/999", "2023-12-19",
                                                "Protecting the examples")
    assert [p.id for p in doc.paragraphs] == ["pp.1", "op.1", "op.2", "op.2.i", "op.2.ii"]
    pp1 = doc.paragraph("pp.1")
    assert [m.number for m in pp1.markers] == [1, 2, 3, 4]  # apart, apart, glued, "2016,4"
    assert "23-25978" not in pp1.text and "2/13" not in pp1.text and "Protecting" not in pp1.text
    assert "Development, and recalling" in pp1.text and "age of 18," in pp1.text
    assert doc.paragraph("op.1").verb == "Decides"
    assert [n.number for n in doc.footnotes] == [1, 2, 3, 4]
    assert doc.diagnostics == ()


LONG_TITLE_LAYOUT = """United Nations
A/RES/78/998
General Assembly
Distr.: General
22 December 2023

 Resolution adopted by the General Assembly
on 19 December 2023

 78/998. Enhancement of international cooperation in the field of human rights and
         of the protection of United Nations personnel

The General Assembly,

Recalling its resolutions on the protection of United Nations personnel and on the
cooperation in the field of human rights,{first}
__________________

1  Resolution 77/1.

Enhancement of international cooperation in the field of human rights and of the
protection of United Nations personnel
A/RES/78/998

23-25979
2/3

Welcoming the cooperation of United Nations personnel
{inside}and the Member States,

1. Decides to act.
"""


@pytest.mark.parametrize(("first", "inside", "paragraphs", "kept"), [
    # the running head prints the title over two lines next to the symbol and the page
    # number: both lines go, and the next paragraph starts on its own
    ("1", "", 2, "Welcoming the cooperation of United Nations personnel and the Member States,"),
    # a title's words inside the text, away from the page furniture, stay
    ("1", "protection of United Nations personnel\n", 2,
     "Welcoming the cooperation of United Nations personnel protection of United Nations "
     "personnel and the Member States,"),
], ids=["running-title-over-two-lines", "title-words-in-the-text"])
def test_a_running_head_that_prints_a_long_title(first, inside, paragraphs, kept):
    doc = parse_text(LONG_TITLE_LAYOUT.format(first=first, inside=inside),
                     source="A-RES-78-998.txt")
    preambular = [p for p in doc.paragraphs if p.id.startswith("pp.")]
    assert len(preambular) == paragraphs
    assert preambular[-1].text == kept
    assert "Enhancement" not in preambular[0].text + preambular[-1].text


@pytest.mark.parametrize(("sentence", "markers", "kept"), [
    ("Recalling its resolution 79/16,1 and the Convention of 19892 and", [1, 2],
     "Recalling its resolution 79/16, and the Convention of 1989 and"),
    ("Recalling its resolution 79/16,2 and", [], "79/16,2"),  # 2 is not due: a number
    ("Noting the year 20231 and", [1], "the year 2023 and"),
    ("Noting the year 20232 and", [], "20232"),  # marker 2 not due before 1
])
def test_markers_after_symbols_and_years_only_when_due(sentence, markers, kept):
    text = f"The General Assembly\n\n {sentence} more,\n\n_______________\n1 Resolution 1/1.\n2 Resolution 2/2.\n"
    doc = parse_text(text, source="A-RES-1-1.txt")
    paragraph = doc.paragraph("pp.1")
    assert [m.number for m in paragraph.markers] == markers
    assert kept in paragraph.text


@pytest.mark.parametrize(("body", "paragraphs", "markers", "kept"), [
    # a marker printed apart after a year, at the end of a line (A/RES/79/217): the paragraph
    # then ends with a comma and the next one starts on its own
    (" Recalling the declaration adopted on 1 April 2019 1 \nand the declaration of 29 April "
     "2024, 2 \n\n Welcoming the Summit,", ["pp.1", "pp.2"], [1, 2],
     "adopted on 1 April 2019 and the declaration of 29 April 2024,"),
    # a number after a year inside a line is a count, not a marker
    (" Noting that in 2019 1 country joined,", ["pp.1"], [], "in 2019 1 country joined"),
], ids=["apart-after-a-year", "count-after-a-year"])
def test_markers_printed_apart_after_a_year(body, paragraphs, markers, kept):
    text = (f"The General Assembly,\n\n{body}\n\n_______________\n1 Resolution 1/1.\n"
            "2 Resolution 2/2.\n")
    doc = parse_text(text, source="A-RES-1-1.txt")
    assert [p.id for p in doc.paragraphs] == paragraphs
    assert [m.number for m in doc.paragraph("pp.1").markers] == markers
    assert kept in doc.paragraph("pp.1").text


def test_text_after_a_footnote_block_that_starts_with_a_number_is_not_a_footnote():
    text = ("The General Assembly,\n\n Recalling its resolutions 75/1,1 and its resolutions of\n"
            "_______________\n1 Resolution 75/1.\n\n"
            "21 December 2020 on the Non-\nProliferation of weapons,\n\n 1. Decides to act.\n")
    doc = parse_text(text, source="A-RES-1-1.txt")
    assert [n.number for n in doc.footnotes] == [1]
    assert doc.paragraph("pp.1").text.endswith(
        "resolutions of 21 December 2020 on the Non-Proliferation of weapons,")

