"""Any text either parses into in-bounds spans or is refused with an InputError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_builder.errors import InputError
from graph_builder.extract import extract_references
from graph_builder.parse import parse_text

# Lines built from the pieces resolutions are made of, so the parser's branches are reached.
PIECES = st.sampled_from([
    "The General Assembly,", "", " Recalling the Convention on the Rights of the Child,3",
    "_______________", "3 Resolution 44/25, annex.", "4 Ibid., annex II.", " 1. Urges States",
    "(a) To act;", "  (b) To act in accordance with article 6, paragraph 2, of the Protocol;",
    "(i) Investigating;", "(ii) Treating;", "and the Protocol4 and", "77th plenary meeting",
    "22 December 2003", "  Noting", " 2. Requests", "(aa) Item;", "resolution 55/25 of 1 May 2000,",
])


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(st.lists(PIECES, max_size=30).map("\n".join), st.text(max_size=400)))
def test_parse_and_extract_never_crash(test_catalogue, text):
    try:
        document = parse_text(text, source="A-RES-1-1.txt")
    except InputError:
        return
    for paragraph in document.paragraphs:
        assert 0 <= paragraph.start < paragraph.end <= len(text)
        assert len(paragraph.offsets) == len(paragraph.text)
    for reference in extract_references(document, catalogue=test_catalogue).references:
        assert 0 <= reference.start < reference.end <= len(text)
