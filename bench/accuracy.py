"""Score lexgraph's extraction against hand-checked truth files.

    python bench/accuracy.py TRUTH_DIR [--corpus DIR] [--json OUT] [--errors]

Each truth file ``<name>.expected.json`` (the shape of tests/golden/A-RES-58-137.expected.json)
is compared with the extraction of ``<name>.txt``, looked up in the corpus folder (default
``../shared/corpus/unga`` beside the repository) and then in ``examples/``. Per document the
script reports whether the preambular, operative and footnote counts are exact, precision,
recall and F1 of the cited documents, of the article pinpoints and of the documents the
footnotes name, and how many relations agree on the citations both sides found; then the
micro-averaged totals. ``--errors`` also prints every miss and false positive. It exits 0
whatever the scores (2 on a usage error).

The scoring functions are importable (tests/test_accuracy.py tests them on tiny inputs):

- :func:`cited_symbols`: the set of (symbol, annex) a list of citations names;
- :func:`article_pinpoints`: the set of (symbol, annex, article, paragraph) of the citations
  with an article pinpoint;
- :func:`paragraph_citations`: the set of (paragraph, symbol, annex), which also catches a
  citation made in the wrong paragraph;
- :func:`prf`: precision, recall and F1 of a found set against an expected one;
- :func:`relation_agreement`: relations compared on the citations both lists hold;
- :func:`score_document` and :func:`total`: one document, and the micro-averaged sum.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "unga"
EXAMPLES = ROOT / "examples"
TRUTH_SUFFIX = ".expected.json"

Citation = Mapping[str, Any]
# Who a target is: ("doc", symbol, annex) for a UN document or one of its annexes, or
# ("instrument", key) for an instrument with no UN symbol (the Charter, ILO conventions).
Identity = tuple[str | None, ...]


# --- precision, recall, F1 -----------------------------------------------------------------

@dataclass(frozen=True)
class Score:
    """Counts of one comparison: true positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def prf(expected: Iterable[object], found: Iterable[object]) -> Score:
    """Compare two sets: what both hold, what only ``found`` holds, what only ``expected`` holds.

    An empty expected set and an empty found set agree fully (precision and recall 1.0).
    """
    expected, found = set(expected), set(found)
    return Score(len(expected & found), len(found - expected), len(expected - found))


# --- what a citation points at -------------------------------------------------------------

def squash(title: str) -> str:
    """A title reduced for comparison: case, punctuation and spacing ignored."""
    return " ".join(re.sub(r"[^\w]+", " ", title.casefold()).split())


def identity(target: Mapping[str, Any], names: Mapping[str, str] | None = None,
             iris: Mapping[str, str] | None = None) -> Identity:
    """Who ``target`` is. A UN symbol and annex identify it when it has a symbol; without one,
    the catalogue's instrument (found by IRI, by title or by the title without its closing
    parenthesis), else the squashed title.

    ``names`` maps squashed titles and aliases to instrument keys, ``iris`` IRIs to keys.
    """
    symbol = target.get("symbol")
    if symbol:
        return ("doc", _symbol(symbol), target.get("annex"))
    names, iris = names or {}, iris or {}
    if target.get("iri") in iris:
        return ("instrument", iris[target["iri"]])
    title = target.get("title") or ""
    for candidate in (title, re.sub(r"\s*\([^()]*\)\s*$", "", title)):
        if squash(candidate) in names:
            return ("instrument", names[squash(candidate)])
    return ("instrument", squash(title))


def _symbol(symbol: str) -> str:
    return " ".join(symbol.split())


def cited_symbols(citations: Iterable[Citation], *, annex: bool = True) -> set[tuple]:
    """The UN documents the citations point at: {(symbol, annex)}, or {(symbol,)} with
    ``annex=False``. Citations of instruments with no symbol are left out."""
    found: set[tuple] = set()
    for citation in citations:
        target = citation.get("target") or {}
        if target.get("symbol"):
            symbol = _symbol(target["symbol"])
            found.add((symbol, target.get("annex")) if annex else (symbol,))
    return found


def paragraph_citations(citations: Iterable[Citation]) -> set[tuple]:
    """{(paragraph, symbol, annex)}: the cited documents with the paragraph that cites them, so a
    citation put in the wrong paragraph, or made up from a stray number, counts as an error even
    when the document is cited elsewhere in the text."""
    return {(c["from"], *key) for c in citations for key in cited_symbols([c])}


def unsymbolled_instruments(citations: Iterable[Citation],
                            identify: Callable[[Mapping[str, Any]], Identity] = identity
                            ) -> set[Identity]:
    """The instruments with no UN symbol the citations point at (the Charter, ILO conventions)."""
    return {identify(c["target"]) for c in citations
            if c.get("target") and not c["target"].get("symbol")}


def article_pinpoints(citations: Iterable[Citation],
                      identify: Callable[[Mapping[str, Any]], Identity] = identity
                      ) -> set[tuple]:
    """{(symbol, annex, article, paragraph)} of the citations whose pinpoint names an article;
    for an instrument with no symbol, ("instrument:<key>", None, article, paragraph)."""
    found: set[tuple] = set()
    for citation in citations:
        pin = citation.get("pinpoint") or {}
        if not pin.get("article"):
            continue
        who = identify(citation["target"])
        head = (who[1], who[2]) if who[0] == "doc" else (f"instrument:{who[1]}", None)
        found.add((*head, str(pin["article"]),
                   str(pin["paragraph"]) if pin.get("paragraph") is not None else None))
    return found


@dataclass(frozen=True)
class Agreement:
    """Relations compared on the citations both sides hold (same paragraph, same target)."""

    matched: int = 0
    agreed: int = 0
    confusions: tuple[tuple[str, str], ...] = ()  # (expected, found) where they differ

    @property
    def accuracy(self) -> float:
        return self.agreed / self.matched if self.matched else 1.0

    def __add__(self, other: Agreement) -> Agreement:
        return Agreement(self.matched + other.matched, self.agreed + other.agreed,
                         self.confusions + other.confusions)


def relation_agreement(expected: Iterable[Citation], found: Iterable[Citation],
                       identify: Callable[[Mapping[str, Any]], Identity] = identity
                       ) -> Agreement:
    """Pair the citations of both lists that come from the same paragraph and point at the same
    target, and count how many pairs have the same relation. Under one (paragraph, target) the
    relations are compared as multisets: expected [recalls, notes] against found [recalls,
    recalls] gives two pairs, one of them agreeing."""
    def grouped(citations: Iterable[Citation]) -> dict[tuple, Counter[str]]:
        groups: dict[tuple, Counter[str]] = {}
        for c in citations:
            if c.get("target"):
                groups.setdefault((c["from"], identify(c["target"])), Counter())[c["relation"]] += 1
        return groups

    mine, theirs = grouped(expected), grouped(found)
    matched = agreed = 0
    confusions: list[tuple[str, str]] = []
    for key in mine.keys() & theirs.keys():
        want, got = mine[key], theirs[key]
        pairs = min(sum(want.values()), sum(got.values()))
        same = sum((want & got).values())
        matched += pairs
        agreed += same
        left, right = sorted((want - got).elements()), sorted((got - want).elements())
        confusions.extend(zip(left, right))
    return Agreement(matched, agreed, tuple(sorted(confusions)))


def footnote_symbols(footnotes: Iterable[Mapping[str, Any]]) -> set[tuple]:
    """{(n, symbol, annex)} of the footnotes that name a UN document."""
    return {(f["n"], _symbol(f["symbol"]), f.get("annex")) for f in footnotes if f.get("symbol")}


# --- one document ------------------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    preambular: int
    operative: int
    footnotes: int


@dataclass
class DocumentScore:
    name: str
    expected: Counts
    found: Counts
    symbols: Score
    symbols_only: Score
    pinpoints: Score
    footnote_symbols: Score
    unsymbolled: Score
    in_paragraphs: Score
    relations: Agreement
    # recall of the cited documents by the form of the citation in the text (truth "form")
    by_form: dict[str, Score] = field(default_factory=dict)
    errors: dict[str, list] = field(default_factory=dict)

    @property
    def counts_exact(self) -> dict[str, bool]:
        return {kind: getattr(self.expected, kind) == getattr(self.found, kind)
                for kind in ("preambular", "operative", "footnotes")}


def truth_counts(truth: Mapping[str, Any]) -> Counts:
    return Counts(truth["preambular_count"], truth["operative_count"], len(truth["footnotes"]))


def extraction_counts(document: Mapping[str, Any]) -> Counts:
    kinds = Counter(p["kind"] for p in document["paragraphs"])
    return Counts(kinds["preambular"], kinds["operative"], len(document["footnotes"]))


def score_document(name: str, truth: Mapping[str, Any], document: Mapping[str, Any],
                   identify: Callable[[Mapping[str, Any]], Identity] = identity
                   ) -> DocumentScore:
    """Compare one extracted document (a ``documents[]`` item of the extraction JSON) with its
    truth file."""
    want, got = truth["citations"], document["citations"]
    want_symbols, got_symbols = cited_symbols(want), cited_symbols(got)
    want_pins, got_pins = article_pinpoints(want, identify), article_pinpoints(got, identify)
    want_notes = footnote_symbols(truth["footnotes"])
    got_notes = footnote_symbols(document["footnotes"])
    want_plain = unsymbolled_instruments(want, identify)
    got_plain = unsymbolled_instruments(got, identify)
    by_form: dict[str, set[tuple]] = {}
    for citation in want:
        form = citation.get("form")
        if form:
            by_form.setdefault(form, set()).update(cited_symbols([citation]))
    score = DocumentScore(
        name=name, expected=truth_counts(truth), found=extraction_counts(document),
        symbols=prf(want_symbols, got_symbols),
        symbols_only=prf(cited_symbols(want, annex=False), cited_symbols(got, annex=False)),
        pinpoints=prf(want_pins, got_pins),
        footnote_symbols=prf(want_notes, got_notes),
        unsymbolled=prf(want_plain, got_plain),
        in_paragraphs=prf(paragraph_citations(want), paragraph_citations(got)),
        relations=relation_agreement(want, got, identify),
        by_form={form: Score(len(keys & got_symbols), 0, len(keys - got_symbols))
                 for form, keys in by_form.items()})
    score.errors = {
        "missed_symbols": sorted(want_symbols - got_symbols, key=str),
        "extra_symbols": sorted(got_symbols - want_symbols, key=str),
        "missed_pinpoints": sorted(want_pins - got_pins, key=str),
        "extra_pinpoints": sorted(got_pins - want_pins, key=str),
        "missed_footnote_symbols": sorted(want_notes - got_notes, key=str),
        "extra_footnote_symbols": sorted(got_notes - want_notes, key=str),
        "missed_instruments": sorted(want_plain - got_plain, key=str),
        "extra_instruments": sorted(got_plain - want_plain, key=str),
        "relation_confusions": [list(pair) for pair in score.relations.confusions],
    }
    return score


@dataclass
class Total:
    documents: int
    counts_exact: dict[str, int]
    all_counts_exact: int
    symbols: Score
    symbols_only: Score
    pinpoints: Score
    footnote_symbols: Score
    unsymbolled: Score
    in_paragraphs: Score
    relations: Agreement
    by_form: dict[str, Score]


def total(scores: Sequence[DocumentScore]) -> Total:
    """Micro-averaged sums over documents (each document's sets stay separate)."""
    def add(scores_: Iterable[Score]) -> Score:
        result = Score()
        for s in scores_:
            result = result + s
        return result

    relations = Agreement()
    for s in scores:
        relations = relations + s.relations
    forms = sorted({form for s in scores for form in s.by_form})
    return Total(
        documents=len(scores),
        counts_exact={kind: sum(s.counts_exact[kind] for s in scores)
                      for kind in ("preambular", "operative", "footnotes")},
        all_counts_exact=sum(all(s.counts_exact.values()) for s in scores),
        symbols=add(s.symbols for s in scores),
        symbols_only=add(s.symbols_only for s in scores),
        pinpoints=add(s.pinpoints for s in scores),
        footnote_symbols=add(s.footnote_symbols for s in scores),
        unsymbolled=add(s.unsymbolled for s in scores),
        in_paragraphs=add(s.in_paragraphs for s in scores),
        relations=relations,
        by_form={form: add(s.by_form[form] for s in scores if form in s.by_form) for form in forms})


# --- the command ---------------------------------------------------------------------------

def catalogue_identity() -> Callable[[Mapping[str, Any]], Identity]:
    """:func:`identity` with the names and IRIs of lexgraph's instrument catalogue."""
    from graph_builder.catalogue import default_catalogue

    catalogue = default_catalogue()
    names = {squash(name): key for name, key in catalogue.names()}
    iris = {instrument.iri: key for key, instrument in catalogue.instruments.items()}
    return lambda target: identity(target, names, iris)


def find_text(name: str, corpus: Path) -> Path | None:
    for folder in (corpus, EXAMPLES):
        candidate = folder / f"{name}.txt"
        if candidate.is_file():
            return candidate
    return None


def _cell(score: Score) -> str:
    """"P R F1 (found of expected, +false positives)", or "-" when neither side has any."""
    if not score.tp + score.fp + score.fn:
        return "-"
    return (f"{score.precision:.2f} {score.recall:.2f} {score.f1:.2f} "
            f"({score.tp}/{score.tp + score.fn}, +{score.fp})")


def _count_cell(expected: int, found: int) -> str:
    return f"{expected}" if expected == found else f"{expected}≠{found}"


def table(scores: Sequence[DocumentScore], overall: Total) -> str:
    """The per-document table and the overall numbers, as Markdown."""
    lines = [
        "| document | pp | op | fn | cited symbols P R F1 | article pinpoints P R F1 "
        "| footnote symbols F1 | citations in paragraphs F1 | relations |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s.name} | {_count_cell(s.expected.preambular, s.found.preambular)} "
            f"| {_count_cell(s.expected.operative, s.found.operative)} "
            f"| {_count_cell(s.expected.footnotes, s.found.footnotes)} "
            f"| {_cell(s.symbols)} | {_cell(s.pinpoints)} | {s.footnote_symbols.f1:.2f} "
            f"| {s.in_paragraphs.f1:.2f} | {s.relations.agreed}/{s.relations.matched} |")
    n = overall.documents
    o = overall
    exact = o.counts_exact
    lines += [
        "",
        f"Counts (truth≠found marks a difference) exact in: "
        f"preambular {exact['preambular']}/{n}, "
        f"operative {exact['operative']}/{n}, footnotes {exact['footnotes']}/{n}; "
        f"all three {o.all_counts_exact}/{n} documents.",
        "",
        "| micro-averaged over the documents | tp | fp | fn | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, score in (("cited symbols (symbol, annex)", o.symbols),
                         ("cited symbols (symbol only)", o.symbols_only),
                         ("article pinpoints", o.pinpoints),
                         ("footnote symbols (n, symbol, annex)", o.footnote_symbols),
                         ("citations in paragraphs (paragraph, symbol, annex)", o.in_paragraphs),
                         ("instruments without a symbol", o.unsymbolled)):
        lines.append(f"| {label} | {score.tp} | {score.fp} | {score.fn} | {score.precision:.3f} "
                     f"| {score.recall:.3f} | {score.f1:.3f} |")
    lines.append("")
    lines.append(f"Relations agree on {o.relations.agreed} of the {o.relations.matched} citations "
                 f"found on both sides ({o.relations.accuracy:.3f}).")
    if o.by_form:
        lines.append("Recall of cited symbols by how the text cites them: " + ", ".join(
            f"{form} {score.tp}/{score.tp + score.fn}" for form, score in o.by_form.items()) + ".")
    return "\n".join(lines)


def error_report(scores: Sequence[DocumentScore]) -> str:
    lines = []
    for s in scores:
        shown = {k: v for k, v in s.errors.items() if v}
        if shown:
            lines.append(f"{s.name}:")
            lines.extend(f"  {kind}: {items}" for kind, items in shown.items())
    return "\n".join(lines)


def run(truth_dir: Path, corpus: Path) -> tuple[list[DocumentScore], list[str]]:
    """Score every truth file of ``truth_dir``; also the names whose text was not found."""
    from graph_builder import extract

    identify = catalogue_identity()
    scores: list[DocumentScore] = []
    missing: list[str] = []
    for truth_file in sorted(truth_dir.glob(f"*{TRUTH_SUFFIX}")):
        name = truth_file.name[:-len(TRUTH_SUFFIX)]
        text = find_text(name, corpus)
        if text is None:
            missing.append(name)
            continue
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        (document,) = extract([text])["documents"]
        scores.append(score_document(name, truth, document, identify))
    return scores, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("truth_dir", type=Path, help="folder of <name>.expected.json files")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder of the <name>.txt texts (default: %(default)s)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the scores as JSON")
    parser.add_argument("--errors", action="store_true", help="list every miss and false positive")
    args = parser.parse_args(argv)
    if not args.truth_dir.is_dir():
        parser.error(f"{args.truth_dir}: not a folder")
    scores, missing = run(args.truth_dir, args.corpus)
    for name in missing:
        print(f"{name}: no {name}.txt in {args.corpus} or {EXAMPLES}; skipped")
    if not scores:
        print(f"no truth file with a text to score in {args.truth_dir}")
        return 0
    overall = total(scores)
    print(table(scores, overall))
    if args.errors:
        print()
        print(error_report(scores))
    if args.json:
        args.json.write_text(json.dumps(as_json(scores, overall, missing), indent=1) + "\n",
                             encoding="utf-8")
    return 0


def as_json(scores: Sequence[DocumentScore], overall: Total, missing: Sequence[str] = ()
            ) -> dict[str, Any]:
    def score_fields(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("symbols", "symbols_only", "pinpoints", "footnote_symbols", "unsymbolled",
                    "in_paragraphs"):
            out[key] = getattr(obj, key).as_dict()
        out["relations"] = {"matched": obj.relations.matched, "agreed": obj.relations.agreed,
                            "accuracy": round(obj.relations.accuracy, 4)}
        out["symbol_recall_by_form"] = {form: s.as_dict() for form, s in obj.by_form.items()}
        return out

    return {
        "documents": [{"name": s.name, "expected": asdict(s.expected), "found": asdict(s.found),
                       "counts_exact": s.counts_exact, **score_fields(s),
                       "errors": {k: [list(i) if isinstance(i, tuple) else i for i in v]
                                  for k, v in s.errors.items()}} for s in scores],
        "overall": {"documents": overall.documents, "counts_exact": overall.counts_exact,
                    "all_counts_exact": overall.all_counts_exact, **score_fields(overall)},
        "skipped": list(missing),
    }


if __name__ == "__main__":
    sys.exit(main())
