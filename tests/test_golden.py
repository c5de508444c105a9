"""The bundled example against its hand-checked facts (tests/golden/A-RES-58-137.expected.json).

The facts file was checked by a person against the text of resolution 58/137; this test
compares the whole extraction with it: every paragraph and verb, every footnote, exactly the
21 citations and no others.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from graph_builder import extract

GOLDEN = Path(__file__).resolve().parent / "golden" / "A-RES-58-137.expected.json"
TITLE = ("Strengthening international cooperation in preventing and combating trafficking in "
         "persons and protecting victims of such trafficking")


@pytest.fixture(scope="module")
def expected():
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def actual(example_path):
    from graph_builder.api import Overrides

    (document,) = extract([example_path], overrides=Overrides(title=TITLE))["documents"]
    return document


def _verb_matches(actual: str | None, expected: str) -> bool:
    """A trailing preposition may be kept or dropped ("Taking note of" / "Taking note")."""
    strip = lambda v: v.rsplit(" ", 1)[0] if v.split()[-1] in {"of", "at", "by", "that"} else v  # noqa: E731
    return actual is not None and strip(actual) == strip(expected)


def test_document_metadata(actual, expected):
    meta = expected["document"]
    assert (actual["symbol"], actual["date"], actual["plenary_meeting"], actual["title"]) == (
        meta["symbol"], meta["date"], meta["plenary_meeting"], meta["title"])


def test_paragraph_counts(actual, expected):
    kinds = Counter(p["kind"] for p in actual["paragraphs"])
    assert (kinds["preambular"], kinds["operative"]) == (
        expected["preambular_count"], expected["operative_count"])


def test_verbs(actual, expected):
    verbs = {p["id"]: p["verb"] for p in actual["paragraphs"]}
    wanted = {**expected["preambular_verbs"], **expected["operative_verbs"]}
    wrong = {pid: (verbs.get(pid), verb) for pid, verb in wanted.items()
             if not _verb_matches(verbs.get(pid), verb)}
    assert wrong == {}


def test_subparagraphs(actual, expected):
    children: dict[str, list[str]] = {}
    for paragraph in actual["paragraphs"]:
        if paragraph["parent"]:
            children.setdefault(paragraph["parent"], []).append(paragraph["number"])
    assert children == expected["subparagraphs"]


def test_footnotes(actual, expected):
    got = [{k: note[k] for k in ("n", "text", "symbol", "annex")} for note in actual["footnotes"]]
    assert got == expected["footnotes"]


def test_footnote_markers(actual, expected):
    markers = {p["id"]: p["footnotes"] for p in actual["paragraphs"] if p["footnotes"]}
    assert markers == expected["footnote_markers"]


def _key(citation: dict) -> tuple:
    target = citation["target"]
    identity = ((target["symbol"], target["annex"] if target["annex"] is not None else "-")
                if target["symbol"] else ("-", target["title"].split(" (")[0]))
    return (citation["from"], citation["relation"], identity,
            tuple(sorted(citation.get("pinpoint", {}).items())))


def test_exactly_the_expected_citations(actual, expected):
    assert sorted(map(_key, actual["citations"])) == sorted(map(_key, expected["citations"]))


def test_citation_titles(actual, expected):
    """Titles are labels for people: ours is the official title, which the facts file may
    follow with a parenthesis of short names ("... Child Labour (Worst Forms of ...)")."""
    titles = {_key(c): c["target"]["title"] for c in expected["citations"]}
    for citation in actual["citations"]:
        title = citation["target"]["title"]
        assert title and titles[_key(citation)].startswith(title), (title, _key(citation))


def test_quotes_are_the_words_of_the_source(actual, example_path):
    text = example_path.read_text(encoding="utf-8")
    for citation in actual["citations"]:
        source_words = " ".join(text[citation["start"]:citation["end"]].split())
        assert source_words == citation["quote"]
        assert citation["quote"]


def test_no_error_diagnostics(actual):
    assert [d for d in actual["diagnostics"] if d["severity"] == "error"] == []
