"""The accuracy scorer (bench/accuracy.py) and the truth files it reads (bench/truth/).

The scoring functions are checked on tiny hand-made inputs whose precision, recall and F1 were
worked out by hand; the script is run on the bundled example, whose truth file (tests/golden)
lexgraph is known to match exactly.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
TRUTH = ROOT / "bench" / "truth"
CORPUS = ROOT.parent / "shared" / "corpus" / "unga"


def _load_scorer():
    spec = importlib.util.spec_from_file_location("bench_accuracy", ROOT / "bench" / "accuracy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_accuracy"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


acc = _load_scorer()


def cite(frm: str, symbol: str | None, annex: str | None = None, relation: str = "recalls",
         title: str = "", **pinpoint: str) -> dict:
    return {"from": frm, "relation": relation, "pinpoint": pinpoint,
            "target": {"symbol": symbol, "annex": annex, "title": title}}


# --- precision, recall, F1 ----------------------------------------------------------------

PRF_CASES = [
    # (id, expected set, found set, (tp, fp, fn), (precision, recall, F1))
    ("perfect", {"a", "b"}, {"a", "b"}, (2, 0, 0), (1.0, 1.0, 1.0)),
    ("one-missing", {"a", "b"}, {"a"}, (1, 0, 1), (1.0, 0.5, 2 / 3)),
    ("one-extra", {"a"}, {"a", "b"}, (1, 1, 0), (0.5, 1.0, 2 / 3)),
    ("one-of-four-missing-one-extra", {"a", "b", "c", "d"}, {"a", "b", "c", "x"}, (3, 1, 1),
     (0.75, 0.75, 0.75)),
    ("both-empty", set(), set(), (0, 0, 0), (1.0, 1.0, 1.0)),
    ("nothing-found", {"a"}, set(), (0, 0, 1), (1.0, 0.0, 0.0)),
    ("nothing-expected", set(), {"a"}, (0, 1, 0), (0.0, 1.0, 0.0)),
    ("disjoint", {"a"}, {"b"}, (0, 1, 1), (0.0, 0.0, 0.0)),
]


@pytest.mark.parametrize("expected, found, counts, ratios",
                         [case[1:] for case in PRF_CASES], ids=[case[0] for case in PRF_CASES])
def test_prf(expected, found, counts, ratios):
    score = acc.prf(expected, found)
    assert (score.tp, score.fp, score.fn) == counts
    assert (score.precision, score.recall, score.f1) == pytest.approx(ratios)


def test_scores_add_up_micro_averaged():
    # document 1: 2 of 2 found; document 2: 1 of 2 found and 1 extra -> 3 tp, 1 fp, 1 fn
    total = acc.prf({"a", "b"}, {"a", "b"}) + acc.prf({"c", "d"}, {"c", "x"})
    assert (total.tp, total.fp, total.fn) == (3, 1, 1)
    assert (total.precision, total.recall) == pytest.approx((0.75, 0.75))


# --- what is compared ---------------------------------------------------------------------

SYMBOL_CASES = [
    # (id, citations, with annex, expected set)
    ("annexes-are-different-documents",
     [cite("pp.1", "A/RES/55/25", "I"), cite("pp.2", "A/RES/55/25", "II"),
      cite("op.1", "A/RES/55/25", "I")], True, {("A/RES/55/25", "I"), ("A/RES/55/25", "II")}),
    ("symbol-only-merges-annexes",
     [cite("pp.1", "A/RES/55/25", "I"), cite("pp.2", "A/RES/55/25", None)], False,
     {("A/RES/55/25",)}),
    ("unnumbered-annex-is-not-the-document",
     [cite("pp.1", "A/RES/44/25", ""), cite("pp.2", "A/RES/44/25", None)], True,
     {("A/RES/44/25", ""), ("A/RES/44/25", None)}),
    ("no-symbol-left-out", [cite("pp.1", None, title="Charter of the United Nations")], True,
     set()),
    ("spacing-normalised", [cite("pp.1", "A/RES/217  A (III)")], True,
     {("A/RES/217 A (III)", None)}),
]


@pytest.mark.parametrize("citations, annex, expected", [c[1:] for c in SYMBOL_CASES],
                         ids=[c[0] for c in SYMBOL_CASES])
def test_cited_symbols(citations, annex, expected):
    assert acc.cited_symbols(citations, annex=annex) == expected


NAMES = {"charter of the united nations": "un-charter",
         "convention concerning the prohibition and immediate action for the elimination of the "
         "worst forms of child labour": "ilo-c182"}
IRIS = {"https://example.org/act/un-charter": "un-charter"}

IDENTITY_CASES = [
    ("symbol-and-annex", {"symbol": "A/RES/55/25", "annex": "II", "title": "Protocol"},
     ("doc", "A/RES/55/25", "II")),
    ("iri-of-instrument", {"symbol": None, "annex": None, "title": "UN Charter",
                           "iri": "https://example.org/act/un-charter"},
     ("instrument", "un-charter")),
    ("title-case-and-punctuation", {"symbol": None, "title": "Charter of the United Nations."},
     ("instrument", "un-charter")),
    ("title-with-closing-parenthesis",
     {"symbol": None, "title": "Convention concerning the Prohibition and Immediate Action for the "
      "Elimination of the Worst Forms of Child Labour (ILO Convention No. 182)"},
     ("instrument", "ilo-c182")),
    ("unknown-title", {"symbol": None, "title": "Arms Trade Treaty"},
     ("instrument", "arms trade treaty")),
]


@pytest.mark.parametrize("target, expected", [c[1:] for c in IDENTITY_CASES],
                         ids=[c[0] for c in IDENTITY_CASES])
def test_identity(target, expected):
    assert acc.identity(target, NAMES, IRIS) == expected


def _identify(target):
    return acc.identity(target, NAMES, IRIS)


def test_article_pinpoints():
    citations = [
        cite("op.5", "A/RES/55/25", "II", article="6", paragraph="2"),
        cite("op.6", "A/RES/55/25", "II", article="6", paragraph="2"),  # same key, counted once
        cite("op.5", "A/RES/55/25", "I", article="24"),
        cite("pp.5", "A/RES/55/59", "", paragraph="25"),  # no article: not an article pinpoint
        cite("pp.3", None, title="Charter of the United Nations", article="17"),
        cite("pp.4", "A/RES/70/1", None),
    ]
    assert acc.article_pinpoints(citations, _identify) == {
        ("A/RES/55/25", "II", "6", "2"), ("A/RES/55/25", "I", "24", None),
        ("instrument:un-charter", None, "17", None)}


def test_wrong_article_number_is_one_miss_and_one_false_positive():
    expected = [cite("op.8", "A/RES/55/25", "I", article="2", subparagraph="b")]
    found = [cite("op.8", "A/RES/55/25", "I", article="2(b)")]
    score = acc.prf(acc.article_pinpoints(expected), acc.article_pinpoints(found))
    assert (score.tp, score.fp, score.fn) == (0, 1, 1)


def test_paragraph_citations_notice_the_wrong_paragraph():
    expected = [cite("pp.3", "A/RES/69/194"), cite("pp.4", "A/RES/70/1")]
    found = [cite("pp.2", "A/RES/69/194"), cite("pp.4", "A/RES/70/1")]
    assert acc.prf(acc.cited_symbols(expected), acc.cited_symbols(found)).f1 == 1.0
    score = acc.prf(acc.paragraph_citations(expected), acc.paragraph_citations(found))
    assert (score.tp, score.fp, score.fn) == (1, 1, 1)


RELATION_CASES = [
    # (id, expected citations, found citations, (matched, agreed))
    ("same", [cite("pp.1", "A/RES/40/34", "")], [cite("pp.1", "A/RES/40/34", "")], (1, 1)),
    ("other-relation", [cite("pp.1", "A/RES/40/34", "", "recalls")],
     [cite("pp.1", "A/RES/40/34", "", "notes")], (1, 0)),
    ("other-paragraph-not-matched", [cite("pp.1", "A/RES/40/34", "")],
     [cite("pp.2", "A/RES/40/34", "")], (0, 0)),
    ("multiset",
     [cite("pp.3", "A/RES/70/1", None, "recalls"), cite("pp.3", "A/RES/70/1", None, "notes")],
     [cite("pp.3", "A/RES/70/1", None, "recalls"), cite("pp.3", "A/RES/70/1", None, "recalls")],
     (2, 1)),
    ("unpaired-extra-not-counted", [cite("op.4", "A/RES/55/25", "I", "implements")],
     [cite("op.4", "A/RES/55/25", "I", "implements"), cite("op.4", "A/RES/55/25", "I", "cites")],
     (1, 1)),
]


@pytest.mark.parametrize("expected, found, counts", [c[1:] for c in RELATION_CASES],
                         ids=[c[0] for c in RELATION_CASES])
def test_relation_agreement(expected, found, counts):
    agreement = acc.relation_agreement(expected, found, _identify)
    assert (agreement.matched, agreement.agreed) == counts


def test_relation_confusions_name_both_sides():
    agreement = acc.relation_agreement([cite("pp.1", "A/RES/1/1", None, "recalls")],
                                       [cite("pp.1", "A/RES/1/1", None, "notes")], _identify)
    assert agreement.confusions == (("recalls", "notes"),)
    assert agreement.accuracy == 0.0


# --- one document -------------------------------------------------------------------------

def _document(paragraph_kinds, footnotes, citations):
    return {"paragraphs": [{"id": f"p{i}", "kind": kind} for i, kind in enumerate(paragraph_kinds)],
            "footnotes": footnotes, "citations": citations}


def test_score_document_by_hand():
    truth = {
        "preambular_count": 2, "operative_count": 1,
        "footnotes": [{"n": 1, "symbol": "A/RES/44/25", "annex": ""},
                      {"n": 2, "symbol": None, "annex": None}],
        "citations": [
            {**cite("pp.1", "A/RES/44/25", ""), "form": "footnote"},
            {**cite("pp.2", "A/RES/70/1", None), "form": "symbol"},
            {**cite("op.1", "A/RES/55/25", "II", "implements", article="6", paragraph="2"),
             "form": "name"},
        ]}
    found = _document(
        ["preambular", "preambular", "operative", "subparagraph"],
        [{"n": 1, "symbol": "A/RES/44/25", "annex": ""},
         {"n": 2, "symbol": "A/RES/44/25", "annex": ""}],
        [cite("pp.1", "A/RES/44/25", ""), cite("pp.2", "A/RES/70/1", None, "notes"),
         cite("op.1", "A/RES/55/25", "II", "implements", article="6"),
         cite("op.1", "A/RES/26/3", None)])
    score = acc.score_document("tiny", truth, found, _identify)
    assert score.counts_exact == {"preambular": True, "operative": True, "footnotes": True}
    # documents: 3 expected, 3 of them found, 1 made up
    assert (score.symbols.tp, score.symbols.fp, score.symbols.fn) == (3, 1, 0)
    assert score.symbols.precision == pytest.approx(0.75)
    # pinpoints: article 6 paragraph 2 expected, article 6 alone found
    assert (score.pinpoints.tp, score.pinpoints.fp, score.pinpoints.fn) == (0, 1, 1)
    # footnote 2 names no document; lexgraph gave it one
    assert (score.footnote_symbols.tp, score.footnote_symbols.fp) == (1, 1)
    # relations: pp.1 agrees, pp.2 recalls/notes, op.1 implements/implements
    assert (score.relations.matched, score.relations.agreed) == (3, 2)
    assert {form: (s.tp, s.fn) for form, s in score.by_form.items()} == {
        "footnote": (1, 0), "symbol": (1, 0), "name": (1, 0)}
    assert score.errors["extra_symbols"] == [("A/RES/26/3", None)]


def test_counts_that_differ():
    truth = {"preambular_count": 3, "operative_count": 2, "footnotes": [], "citations": []}
    found = _document(["preambular", "preambular", "operative", "operative"], [{"n": 1}], [])
    score = acc.score_document("counts", truth, found)
    assert score.counts_exact == {"preambular": False, "operative": True, "footnotes": False}
    overall = acc.total([score, acc.score_document("same", truth, _document(
        ["preambular"] * 3 + ["operative"] * 2, [], []))])
    assert overall.counts_exact == {"preambular": 1, "operative": 2, "footnotes": 1}
    assert overall.all_counts_exact == 1


# --- the script on the bundled example ----------------------------------------------------

def test_script_on_the_example_scores_one(tmp_path):
    out = tmp_path / "scores.json"
    empty_corpus = tmp_path / "corpus"
    empty_corpus.mkdir()
    assert acc.main([str(GOLDEN), "--corpus", str(empty_corpus), "--json", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    (document,) = result["documents"]
    assert document["name"] == "A-RES-58-137"
    assert document["counts_exact"] == {"preambular": True, "operative": True, "footnotes": True}
    overall = result["overall"]
    assert overall["symbols"]["f1"] == 1.0 and overall["symbols"]["tp"] == 9
    assert overall["pinpoints"]["f1"] == 1.0 and overall["pinpoints"]["tp"] == 6
    assert overall["relations"]["accuracy"] == 1.0


def test_script_command_line(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "accuracy.py"), str(GOLDEN),
                           "--corpus", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "| A-RES-58-137 | 16 | 17 | 8 | 1.00 1.00 1.00 (9/9, +0) |" in done.stdout


def test_script_skips_a_truth_file_without_text(tmp_path):
    (tmp_path / "A-RES-1-1.expected.json").write_text(json.dumps(
        {"preambular_count": 0, "operative_count": 0, "footnotes": [], "citations": []}))
    assert acc.main([str(tmp_path), "--corpus", str(tmp_path)]) == 0


# --- the hand-annotated truth files -------------------------------------------------------

TRUTH_FILES = sorted(TRUTH.glob("*.expected.json"))
RELATIONS = {"recalls", "reaffirms", "takesNoteOf", "notes", "welcomes", "implements", "cites"}
PARAGRAPH_ID = re.compile(r"^(?:pp\.\d+|op\.\d+(?:\.[a-z]+(?:\.[ivxlc]+)?)?)$")


def test_there_are_truth_files():
    assert len(TRUTH_FILES) >= 8


@pytest.mark.parametrize("path", TRUTH_FILES, ids=[p.name for p in TRUTH_FILES])
def test_truth_file_shape(path):
    truth = json.loads(path.read_text(encoding="utf-8"))
    assert set(truth) >= {"document", "preambular_count", "operative_count", "footnotes",
                          "citations"}
    name = path.name.removesuffix(".expected.json")
    assert truth["document"]["symbol"] == name.replace("-", "/", 2).replace("-", "/")
    assert [f["n"] for f in truth["footnotes"]] == list(range(1, len(truth["footnotes"]) + 1))
    for citation in truth["citations"]:
        assert PARAGRAPH_ID.match(citation["from"]), citation
        assert citation["relation"] in RELATIONS, citation
        kind, number = citation["from"].split(".")[:2]
        limit = truth["preambular_count"] if kind == "pp" else truth["operative_count"]
        assert 1 <= int(number) <= limit, citation
        target = citation["target"]
        assert target["symbol"] or target["title"], citation
        assert target["symbol"] is not None or target["annex"] is None, citation
        assert all(isinstance(v, str) for v in (citation.get("pinpoint") or {}).values()), citation


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize("path", TRUTH_FILES, ids=[p.name for p in TRUTH_FILES])
def test_truth_file_matches_its_text(path):
    """Footnote texts were copied from the text, and each citation's line is in the body."""
    truth = json.loads(path.read_text(encoding="utf-8"))
    text_path = CORPUS / path.name.replace(".expected.json", ".txt")
    lines = text_path.read_text(encoding="utf-8").split("\n")
    flat = " ".join(" ".join(lines).split())
    for note in truth["footnotes"]:
        assert " ".join(note["text"].split()) in flat, note["n"]
    for citation in truth["citations"]:
        assert 1 <= citation["line"] <= len(lines), citation
        assert lines[citation["line"] - 1].strip(), citation
