"""Readers of Markdown, HTML and PDF resolutions: small hand-made fixtures in
``tests/data/readers/`` and PDFs drawn in the test; the corpus tests skip where it is absent."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from graph_builder.errors import InputError
from graph_builder.parse import parse_text
from graph_builder.readers import DOCUMENT_SUFFIXES, read_document

HERE = Path(__file__).resolve().parent
READERS = HERE / "data" / "readers"
CORPUS_MD = HERE.parent.parent / "shared" / "corpus" / "unga-md"
LIMIT = 50 * 1024 * 1024


def parsed(path: Path):
    text = read_document(path, max_bytes=LIMIT)
    return text, parse_text(text, source=path.name)


def markers(doc) -> dict[str, list[int]]:
    return {p.id: [m.number for m in p.markers] for p in doc.paragraphs if p.markers}


# --------------------------------------------------------------------------------------------
# One case per format: what the parser finds in read_document's text

FORMATS = [
    pytest.param(
        "A-RES-78-901.md",
        ("A/RES/78/901", "2023-12-19", "Protecting the examples", 47),
        ["pp.1", "pp.2", "pp.3", "op.1", "op.1.a", "op.1.b", "op.1.b.i", "op.1.b.ii", "op.2"],
        {"pp.1": [1, 2, 3], "pp.2": [4], "pp.3": [5]},
        id="markdown: [^n] and plain-digit markers, running head, date on the meeting line"),
    pytest.param(
        "A-RES-79-902.md",
        ("A/RES/79/902", "2024-11-25", "Declaration on the examples", 48),
        ["pp.1", "annex.1", "annex.2", "annex.2.a", "annex.2.b", "annex.2.c", "annex.3"],
        {"annex.1": [1, 2], "annex.2": [3]},
        id="markdown: metadata from front matter, plain notes, run-together and unlabeled items"
           ", numbered paragraphs in an annex"),
    pytest.param(
        "A-RES-78-903.html",
        ("A/RES/78/903", "2023-12-18", "Strengthening the examples", 50),
        ["pp.1", "pp.2", "op.1", "op.1.a", "op.1.b", "op.2"],
        {"pp.1": [1, 2], "pp.2": [3], "op.1.a": [2]},
        id="html: <sup><a href=#fn1>, notes in an <ol>, page menus and footer"),
    pytest.param(
        "A-RES-78-904.htm",
        ("A/RES/78/904", "2023-12-20", "Cooperation on the examples", 49),
        ["pp.1", "pp.2", "op.1", "op.2"],
        {"pp.1": [1], "pp.2": [2]},
        id="html: word processor export, windows-1252, _ftn anchors"),
    pytest.param(
        "A-RES-77-906.html",
        ("A/RES/77/906", "2022-12-07", "Cooperation with the examples", 53),
        ["pp.1", "pp.2", "op.1", "op.2"],
        {"pp.1": [1, 2], "pp.2": [3]},
        id="html: older mirror, unclosed <p>, [1] markers as text, <a name=1> endnotes"),
    pytest.param(
        "A-RES-52-907.htm",
        ("A/RES/52/907", "1997-12-12", "Examples of the fifty-second session", 70),
        ["pp.1", "op.1", "op.2"],
        {"pp.1": [1, 2]},
        id="html: late-1990s page in <P> elements, 1/ markers, Notes heading"),
    pytest.param(
        "A-RES-48-905.htm",
        ("A/RES/48/905", "1993-12-20", "Measures on the examples", 85),
        ["pp.1", "pp.2", "op.1", "op.2", "op.2.a", "op.2.b"],
        {"pp.1": [1, 2], "pp.2": [3]},
        id="html: 1990s <pre> page, Distr. GENERAL, 1/ markers, Notes at the end"),
]


@pytest.mark.parametrize(("name", "metadata", "ids", "marked"), FORMATS)
def test_each_format_parses_into_paragraphs_footnotes_and_markers(name, metadata, ids, marked):
    text, doc = parsed(READERS / name)
    assert (doc.symbol, doc.date, doc.title, doc.plenary_meeting) == metadata
    assert [p.id for p in doc.paragraphs] == ids
    assert markers(doc) == marked
    numbers = sorted({n for found in marked.values() for n in found})
    assert [note.number for note in doc.footnotes] == numbers
    assert all(note.text and "\n" not in note.text for note in doc.footnotes)
    assert doc.diagnostics == ()
    assert "\ue000" not in text and "\ue001" not in text


def test_markdown_layout_glues_markers_and_ends_with_notes_then_closing_lines():
    text, doc = parsed(READERS / "A-RES-78-901.md")
    assert "Rights of the Child,1 the Optional Protocol" in text  # "Child, 1 the"
    assert "sale of children2 and" in text  # "children[^2] and"
    assert "Development4 and its resolution 77/194" in text  # two spaces after the digit
    assert "Requests the Secretary-General" in text and "*" not in text
    lines = text.rstrip("\n").split("\n")
    assert lines[-2:] == ["47th plenary meeting", "19 December 2023"]
    rule = lines.index("_______________")
    assert lines[rule + 1] == "1 United Nations, Treaty Series, vol. 1577, No. 27531."
    # a continuation line the converter took for a definition ("[^2022]: (A/78/842).")
    assert doc.footnotes[-1].text.endswith("31 December 2022 (A/78/842).")
    assert "Protecting the examples" not in doc.paragraph("pp.3").text  # running head
    assert doc.paragraph("pp.3").text.endswith("at risk in the conflicts described in the "
                                               "report of the Secretary-General,")


def test_markdown_header_gets_symbol_date_and_title_from_front_matter():
    text, _ = parsed(READERS / "A-RES-79-902.md")
    head = text.split("The General Assembly,")[0]
    assert head.splitlines()[:3] == [
        "A/RES/79/902", "79/902. Declaration on the examples",
        "Resolution adopted by the General Assembly on 25 November 2024"]


def test_html_drops_scripts_menus_backlinks_and_footer():
    text, _ = parsed(READERS / "A-RES-78-903.html")
    for chrome in ("var opening", "Home", "Library of international", "Copyright",
                   "Terms of use", "\u21a9"):
        assert chrome not in text
    assert "article 6, paragraph 2," in text  # &nbsp; became a space


def test_html_keeps_a_last_paragraph_ending_with_a_marker_and_drops_the_footer(tmp_path):
    page = ('<p>The General Assembly,</p><p>Recalling its resolutions,</p>'
            '<p>1. Decides to act;</p><p>2. Requests a report.<sup><a href="#fn1">1</a></sup>'
            '</p><p><a href="#fnref1" id="fn1">1</a> A/78/1.</p><p>Share this page</p>')
    text, doc = parsed(write(tmp_path, "A-RES-78-1.html", page))
    assert "Share this page" not in text
    assert markers(doc) == {"op.2": [1]}
    assert [(n.number, n.text) for n in doc.footnotes] == [(1, "A/78/1.")]


def test_html_pre_page_rejoins_lines_and_drops_page_furniture():
    text, doc = parsed(READERS / "A-RES-48-905.htm")
    assert "Human Rights1 and the International Covenant" in text  # "1/" on the next line
    assert "/..." not in text and "Page 2" not in text
    assert "Return to the resolutions" not in text
    assert doc.paragraph("op.1").text == ("1. Urges all States to co-operate in the "
                                          "implementation of the examples referred to in "
                                          "article 2 of the Covenant;")
    assert doc.footnotes[2].text == "A/48/905 and Corr.1, prepared in accordance with " \
                                    "resolution 47/905."


# --------------------------------------------------------------------------------------------
# Markers: what is glued and what stays text

MARKER_CASES = [
    # (paragraph text, footnote numbers, expected text)
    ("Recalling the Convention, 1 the Protocol 2 and the Charter,3", {1, 2, 3},
     "Recalling the Convention,1 the Protocol2 and the Charter,3"),
    ("Recalling article 1 of the Convention and Goal 2 of the Agenda,", {1, 2},
     "Recalling article 1 of the Convention and Goal 2 of the Agenda,"),
    ("Noting that persons under the age of 1 year,", {1}, "Noting that persons under the age "
                                                          "of 1 year,"),
    ("Recalling its resolution of 1 December 2020,", {1}, "Recalling its resolution of 1 "
                                                          "December 2020,"),
    ("Recalling the Treaty on the Non-Proliferation of Nuclear Weapons 1and the report,",
     {1}, "Recalling the Treaty on the Non-Proliferation of Nuclear Weapons1 and the report,"),
    ("Welcoming the Declaration\ue0001\ue001 and the report,  2", {1, 2},
     "Welcoming the Declaration1 and the report,2"),
    ("Recalling the report, 7 and the Declaration, 8", set(range(1, 10)),
     "Recalling the report, 7 and the Declaration, 8"),  # 7 is not due: no marker
    ("Recalling paragraphs 1, 2 and 3 of the report,", {1, 2, 3},
     "Recalling paragraphs 1, 2 and 3 of the report,"),
]


@pytest.mark.parametrize(("text", "notes", "expected"), MARKER_CASES)
def test_marker_gluing(text, notes, expected):
    from graph_builder.readers import _MarkerFixer

    assert _MarkerFixer(notes).fix(text) == expected


def test_slash_markers_of_the_1990s():
    from graph_builder.readers import _MarkerFixer

    fixer = _MarkerFixer({1, 2}, slash_style=True)
    assert fixer.fix("the Charter, 1/ the Declaration 2/ and resolution 48/104,") == \
        "the Charter,1 the Declaration2 and resolution 48/104,"


# --------------------------------------------------------------------------------------------
# Markdown details


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_front_matter_values_quoted_folded_and_commented(tmp_path):
    from graph_builder.readers import _front_matter

    lines = ["---", "symbol: 'A/RES/1/2'  # the symbol", 'title: "A \\"quoted\\" title"',
             "summary: >", "  folded over", "  two lines", "tags:", "  - one", "  - two",
             "date: 2001-02-03", "---", "body"]
    meta, start = _front_matter(lines, "x.md")
    assert start == 11
    assert meta["symbol"] == "A/RES/1/2"
    assert meta["title"] == 'A "quoted" title'
    assert meta["summary"] == "folded over two lines"
    assert meta["date"] == "2001-02-03"


def test_markdown_named_footnote_labels_are_numbered_in_reading_order(tmp_path):
    path = write(tmp_path, "A-RES-1-2.md", "The General Assembly,\n\nRecalling the Charter[^ch] "
                 "and the Declaration[^dec],\n\n1. Decides to act.\n\n[^dec]: Resolution "
                 "217 A (III).\n[^ch]: The Charter.\n")
    text, doc = parsed(path)
    assert markers(doc) == {"pp.1": [1, 2]}
    assert [(n.number, n.text) for n in doc.footnotes] == [(1, "The Charter."),
                                                            (2, "Resolution 217 A (III).")]


def test_markdown_items_without_labels_get_them_back_or_join_their_paragraph(tmp_path):
    from graph_builder.readers import _restore_items

    body = ["1. Requests the Secretary-General:", "To report;", "To circulate a note:",
            "The first;", "(ii) The second;", "To consult;", "(d) To encourage.",
            "2. Decides:", "That one;", "(x) That other."]
    assert _restore_items(body, set()) == [
        "1. Requests the Secretary-General:", "(a) To report;", "(b) To circulate a note:",
        "(i) The first;", "(ii) The second;", "(c) To consult;", "(d) To encourage.",
        "2. Decides:\nThat one;", "(x) That other."]


def test_markdown_numbered_paragraphs_run_together_are_split():
    from graph_builder.readers import _split_run_together

    assert _split_run_together(["1. We recall the Agenda.2 2. We also recall it. 3 of them.",
                                "3. We act."]) == [
        "1. We recall the Agenda.2", "2. We also recall it. 3 of them.", "3. We act."]


# --------------------------------------------------------------------------------------------
# PDF: drawn with reportlab, read with pypdf


def _pdf(pages: list[list[tuple]], *, encrypt: str | None = None) -> bytes:
    """A PDF whose lines are (x, gap above, [(text, raised marker?)])."""
    canvas_module = pytest.importorskip("reportlab.pdfgen.canvas",
                                        reason="reportlab (a test dependency) draws the PDFs")
    buffer = io.BytesIO()
    canvas = canvas_module.Canvas(buffer, pagesize=(595, 842), invariant=1, encrypt=encrypt)
    for page in pages:
        y = 780.0
        for x, gap, parts in page:
            y -= gap
            at = x
            for text, raised in parts:
                size, rise = (6.5, 3.5) if raised else (10.0, 0.0)
                canvas.setFont("Times-Roman", size)
                canvas.drawString(at, y + rise, text)  # each piece its own text object
                at += canvas.stringWidth(text, "Times-Roman", size)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _line(text: str, x: float = 72, gap: float = 12) -> tuple:
    return (x, gap, [(text, False)])


def _marked(*pieces: str, x: float = 72, gap: float = 12) -> tuple:
    """Text and raised markers, alternating: ("Child,", "1", " the Protocol")."""
    return (x, gap, [(piece, index % 2 == 1) for index, piece in enumerate(pieces)])


def _resolution_pdf() -> bytes:
    page1 = [
        _line("United Nations"), _line("A/RES/78/999", x=420, gap=0),
        _line("General Assembly", gap=16), _line("Distr.: General", x=420, gap=0),
        _line("22 December 2023", x=420),
        _line("23-25978 (E)    100124", gap=20), _line("*2325978*", x=420, gap=0),
        _line("Resolution adopted by the General Assembly", x=100, gap=30),
        _line("on 19 December 2023", x=100),
        _line("78/999. Protecting the examples", x=100, gap=30),
        _line("The General Assembly,", x=100, gap=30),
        _marked("Recalling the Convention on the Rights of the Child,", "1",
                " the Optional Protocol", x=100, gap=18),
        _marked("thereto on the sale of children", "2",
                " and the United Nations Convention against"),
        _marked("Transnational Organized Crime,", "3"),
        _line("Noting with concern the report of the Secretary-General on the matter,",
              x=100, gap=18),
        _line("and taking note of article 6, paragraph 2, of the Protocol, as well as of the"),
        _line("work of the Special Rapporteur,"),
        _line("__________________", gap=40),
        _line("1 Resolution 44/25, annex.", gap=14),
        _line("2 Resolution 54/263, annex II.", gap=12),
        _line("3 Resolution 55/25, annex I.", gap=12),
        _line("23-25978", gap=30), _line("2/2", x=420, gap=0),
    ]
    page2 = [
        _line("A/RES/78/999"), _line("Protecting the examples", x=300, gap=0),
        _line("1. Urges Member States to ratify the Convention and the Protocol and to",
              x=100, gap=30),
        _line("implement them by:"),
        _line("(a) Criminalizing trafficking in persons, in accordance with the Protocol;",
              x=100, gap=18),
        _line("(b) Promoting cooperation among States, in particular through the exchange"
              , x=100, gap=18),
        _line("of information;"),
        _marked("2. Requests the Secretary-General to report at its eightieth session.", "4",
                x=100, gap=18),
        _line("47th plenary meeting", x=320, gap=30), _line("19 December 2023", x=320),
        _line("__________________", gap=60),
        _line("4 A/78/999.", gap=14),
    ]
    return _pdf([page1, page2])


def test_pdf_text_has_the_layout_of_the_pdf_extractions(tmp_path):
    pytest.importorskip("pypdf", reason="pypdf reads PDF files")
    text, doc = parsed(write(tmp_path, "A-RES-78-999.pdf", _resolution_pdf()))
    assert "Rights of the Child,1 the Optional Protocol" in text.replace("  ", " ")
    assert "\nA/RES/78/999\n" in text  # the header's two columns stay apart
    assert "\n\nNoting with concern" in text or "\n\n Noting with concern" in text
    assert (doc.symbol, doc.date, doc.title, doc.plenary_meeting) == (
        "A/RES/78/999", "2023-12-19", "Protecting the examples", 47)
    assert [p.id for p in doc.paragraphs] == ["pp.1", "pp.2", "op.1", "op.1.a", "op.1.b",
                                              "op.2"]
    assert markers(doc) == {"pp.1": [1, 2, 3], "op.2": [4]}
    assert [n.number for n in doc.footnotes] == [1, 2, 3, 4]
    assert doc.paragraph("pp.2").text.endswith("as well as of the work of the Special "
                                               "Rapporteur,")
    assert "Protecting the examples" not in doc.paragraph("op.1").text
    assert doc.diagnostics == ()
    # the last page's notes stood below the closing lines: these now end the text
    assert text.rstrip("\n").splitlines()[-2:] == [" 47th plenary meeting", " 19 December 2023"]


# --------------------------------------------------------------------------------------------
# Bad input: one line, naming the file (and the line where there is one)


def _truncated_pdf() -> bytes:
    pytest.importorskip("reportlab", reason="reportlab (a test dependency) draws the PDFs")
    data = _resolution_pdf()
    return data[:len(data) // 2]


def _image_only_pdf() -> bytes:
    canvas_module = pytest.importorskip("reportlab.pdfgen.canvas",
                                        reason="reportlab (a test dependency) draws the PDFs")
    buffer = io.BytesIO()
    canvas = canvas_module.Canvas(buffer, invariant=1)
    canvas.rect(72, 72, 200, 300, fill=1)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _encrypted_pdf() -> bytes:
    return _pdf([[_line("The General Assembly,")]], encrypt="secret")


BAD = [
    # (file name, content, message pattern, line)
    ("empty.md", b"", r"empty file", None),
    ("blank.html", b" \n\t\n", r"empty file", None),
    ("junk.md", bytes(range(256)) * 8, r"binary file \(NUL byte\)", 1),
    ("junk.html", b"<p>The General Assembly,</p>\n" + bytes(range(128, 256)) + b"\x00",
     r"binary file \(NUL byte\)", 2),
    ("control.md", b"The General Assembly,\n\nRecalling \x01\x02", r"control character 0x01", 3),
    ("latin1.md", "The General Assembly,\n\nRecalling the caf\u00e9,\n".encode("latin-1"),
     r"not UTF-8 text \(byte 0xe9", 3),
    ("latin1.html", "<p>The General Assembly,</p>\n<p>Noting the caf\u00e9,</p>\n"
     .encode("latin-1"), r"not UTF-8 text \(byte 0xe9", 2),
    ("declared.html", b'<meta charset="klingon">\n<p>The General Assembly,</p>',
     r"unknown encoding 'klingon'", 1),
    ("bad-cp1252.html", b'<meta charset="windows-1252">\n<p>The General Assembly,\x81</p>',
     r"not windows-1252 text \(byte 0x81", 2),
    ("nothing.html", b"<html><body><nav>Home</nav><p>Nothing here.</p></body></html>",
     r"no resolution text found", None),
    ("readme.md", b"# Tool\n\nIt does things.\n\n1. Install it\n2. Run it\n",
     r"no resolution text found", None),
    ("open.md", b"---\nsymbol: A/RES/1/2\n\nThe General Assembly,\n", r"never closed", 1),
    ("keyless.md", b"---\nsymbol A/RES/1/2\n---\nThe General Assembly,\n",
     r"expected 'key: value'", 2),
    ("quote.md", b'---\ntitle: "no end\n---\nThe General Assembly,\n', r"unterminated", 2),
    ("only-front-matter.md", b"---\nsymbol: A/RES/1/2\n---\n\n", r"no text after the front "
                                                                  r"matter", 4),
    ("a-pdf.md", b"%PDF-1.7\n...", r"this is a PDF file, not Markdown", None),
    ("junk.pdf", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), r"not a PDF file", None),
    ("empty.pdf", b"", r"empty file", None),
    ("no-xref.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", r"damaged PDF", None),
    ("truncated.pdf", _truncated_pdf, r"truncated PDF", None),
    ("scan.pdf", _image_only_pdf, r"no text in the PDF", None),
    ("locked.pdf", _encrypted_pdf, r"encrypted PDF", None),
    ("letter.docx", b"PK\x03\x04", r"cannot read \.docx files", None),
]


@pytest.mark.parametrize(("name", "content", "pattern", "line"), BAD,
                         ids=[case[0] for case in BAD])
def test_bad_input_is_one_line_naming_the_file(tmp_path, name, content, pattern, line):
    if name.endswith(".pdf") and name not in ("junk.pdf", "empty.pdf"):
        pytest.importorskip("pypdf", reason="pypdf reads PDF files")
    data = content() if callable(content) else content
    path = write(tmp_path, name, data)
    with pytest.raises(InputError) as caught:
        read_document(path, max_bytes=LIMIT)
    error = caught.value
    message = str(error)
    assert "\n" not in message and "Traceback" not in message
    assert message.startswith(f"{path}:")
    assert re.search(pattern, message), message
    assert error.line == line
    assert error.__suppress_context__ or error.__cause__ is None


def test_a_page_with_no_resolution_in_it_is_refused():
    path = READERS / "no-resolution.html"
    with pytest.raises(InputError, match=r"no resolution text found in the page") as caught:
        read_document(path, max_bytes=LIMIT)
    assert str(caught.value).startswith(f"{path}: ")


def test_missing_directory_and_oversized_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "absent.md", max_bytes=LIMIT)
    with pytest.raises(InputError, match="is a directory"):
        read_document(tmp_path, max_bytes=LIMIT)
    big = write(tmp_path, "big.html", "<p>The General Assembly,</p>" * 10)
    with pytest.raises(InputError, match="above the limit of 100 bytes"):
        read_document(big, max_bytes=100)


def test_declared_windows_1252_is_read_and_utf8_bom_is_dropped(tmp_path):
    page = ('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
            "<p>The General Assembly,</p><p>Recalling the States\u2019 \u201cduty\u201d,</p>"
            "<p>1. Decides to act.</p>")
    text = read_document(write(tmp_path, "a.htm", page.encode("cp1252")), max_bytes=LIMIT)
    assert "Recalling the States\u2019 \u201cduty\u201d," in text
    bom = b"\xef\xbb\xbfThe General Assembly,\n\n1. Decides to act.\n"
    assert read_document(write(tmp_path, "b.md", bom), max_bytes=LIMIT).startswith("The ")


def test_plain_text_is_returned_as_it_is(tmp_path):
    text = "The General Assembly,\n\n1. Decides  to act.\n"
    assert read_document(write(tmp_path, "a.txt", text), max_bytes=LIMIT) == text
    assert ".txt" not in DOCUMENT_SUFFIXES
    assert DOCUMENT_SUFFIXES == {".md", ".markdown", ".html", ".htm", ".pdf"}


# --------------------------------------------------------------------------------------------
# The corpus of Markdown resolutions (skipped where it is absent)


@pytest.mark.skipif(not CORPUS_MD.is_dir(), reason=f"no Markdown corpus at {CORPUS_MD}")
def test_every_markdown_resolution_of_the_corpus_reads_and_parses():
    files = sorted(CORPUS_MD.glob("*.md"))
    assert files
    complete = 0
    notes = marked = 0
    for path in files:
        text, doc = parsed(path)  # raises on any failure
        assert doc.symbol == path.stem.replace("-", "/"), path.name
        assert doc.paragraphs and doc.date, path.name
        numbers = {note.number for note in doc.footnotes}
        found = {m.number for p in doc.paragraphs for m in p.markers}
        notes += len(numbers)
        marked += len(numbers & found)
        complete += numbers <= found
    # Most misses are markers glued to a year ("of 19881") or to a symbol and its comma
    # ("resolution 79/16,2"), which the parser does not read as markers.
    assert complete > len(files) / 2, (complete, len(files))
    assert marked >= 0.85 * notes, (marked, notes)
