"""The synthetic corpus generator (bench/synth.py) on the bundled example and the hand-made
templates of tests/data/synth (two resolutions in the layout of the UN's PDF texts, and one file
that is no resolution, which must be skipped and counted)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from graph_builder.api import process
from graph_builder.catalogue import default_catalogue
from graph_builder.parse import parse_source

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "synth.py"
TEMPLATES = [ROOT / "examples" / "A-RES-58-137.txt",
             *sorted((Path(__file__).resolve().parent / "data" / "synth").glob("*.txt"))]
COUNT = 12  # four rounds of the three readable templates


def _load_synth():
    spec = importlib.util.spec_from_file_location("bench_synth", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_synth"] = module  # dataclasses and worker processes look it up by name
    spec.loader.exec_module(module)
    return module


synth = _load_synth()


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("templates")
    for path in TEMPLATES:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def library(templates):
    return synth.load_templates(templates)


@pytest.fixture(scope="module")
def corpus(library, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    synth.generate(library, COUNT, out, seed=1)
    return out


@pytest.fixture(scope="module")
def manifest(corpus) -> dict[str, dict[str, object]]:
    return json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --- words and the plan of symbols ----------------------------------------------------------

@pytest.mark.parametrize(("number", "words"), [
    (1, "first"), (14, "fourteenth"), (58, "fifty-eighth"), (80, "eightieth"),
    (81, "eighty-first"), (99, "ninety-ninth"), (100, "one hundredth"),
    (103, "one hundred and third"),
])
def test_ordinal_words(number, words):
    assert synth.ordinal_words(number) == words


@pytest.mark.parametrize(("number", "text"), [
    (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
    (21, "21st"), (52, "52nd"), (77, "77th"), (103, "103rd"), (111, "111th"),
])
def test_ordinal_suffix(number, text):
    assert synth.ordinal_suffix(number) == text


def test_slots_are_unique_and_follow_the_calendar():
    slots = [synth.slot_of(i) for i in [*range(0, 2 * synth.PER_SESSION, 7), 2 * synth.PER_SESSION]]
    assert len({s.symbol for s in slots}) == len(slots)
    assert all(a.date <= b.date for a, b in itertools.pairwise(slots))
    assert slots[0].symbol == "A/RES/81/1" and slots[0].filename == "A-RES-81-1.txt"
    assert slots[-1].session == 83
    assert all(s.date.weekday() < 5 for s in slots)


# --- what a replacement must keep --------------------------------------------------------

UNCCD = ("United Nations Convention to Combat Desertification in Those Countries Experiencing "
         "Serious Drought and/or Desertification, Particularly in Africa")


@pytest.mark.parametrize(("before", "title", "after", "key", "reads"), [
    ("participation in processes under the ", UNCCD, ";", "unccd", True),
    # the words before hold half the title already: two names, or one slightly wrong
    ("processes under the United Nations ", UNCCD, ";", "unccd", False),
    # the title would join the name before it into one mention
    ("the Protocol against the Smuggling of Migrants by Land, Sea and Air, supplementing the ",
     "United Nations Convention against Transnational Organized Crime", ",", "untoc", False),
    ("Recalling the ", "Convention on the Rights of the Child", ",3 and noting", "crc", True),
    ("Recalling the ", "Convention on the Rights of the Child", ",3 and noting", "cedaw", False),
])
def test_a_title_must_read_as_one_name_in_place(before, title, after, key, reads):
    finder = synth._finder(default_catalogue())
    assert synth._reads_as(finder, before, title, after, key) is reads


@pytest.mark.parametrize(("name", "ending"), [
    ("Sendai Framework for Disaster Risk Reduction 2015–2030", (True, True, False)),
    ("Agenda 21", (False, True, False)),
    ("United Nations Standard Minimum Rules for Non-custodial Measures (the Tokyo Rules)",
     (False, False, True)),
    ("Convention on the Rights of the Child", (False, False, False)),
])
def test_how_a_name_ends_before_a_marker(name, ending):
    assert synth._ending(name) == ending


def test_moved_article_numbers_avoid_footnote_numbers():
    rule = synth.Rule(pinned=False, footnoted=False, spans=(("article", 7, 15, (13,)),))
    rng = random.Random(3)
    for _ in range(50):
        shifts = synth._shifts(rng, rule, {"article": 20}, frozenset(range(1, 30)) - {18})
        assert shifts in ({"article": 5}, None)  # 13 + 5 = 18, the only number no footnote has
    assert synth._shifts(rng, rule, {"article": 20}, frozenset()) is not None


# --- templates ------------------------------------------------------------------------------

def test_unreadable_templates_are_skipped_and_counted(library):
    assert sorted(t.name for t in library.templates) == [
        "A-RES-58-137.txt", "A-RES-79-901.txt", "A-RES-80-902.txt"]
    assert [name for name, _ in library.skipped] == ["not-a-resolution.txt"]


# --- outputs --------------------------------------------------------------------------------

@pytest.mark.parametrize("count", [1, 4, COUNT])
def test_count_is_respected(library, tmp_path, count):
    summary = synth.generate(library, count, tmp_path, seed=3)
    texts = sorted(tmp_path.glob("*.txt"))
    assert len(texts) == count == summary["files"]
    assert sorted(json.loads((tmp_path / "manifest.json").read_text())) == [p.name for p in texts]
    assert summary["templates_used"] == min(count, 3)


@pytest.mark.parametrize("seed", [1, 7])
def test_same_seed_same_bytes(library, tmp_path, seed):
    synth.generate(library, 8, tmp_path / "a", seed=seed)
    synth.generate(library, 8, tmp_path / "b", seed=seed)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_worker_processes_write_the_same_bytes(library, tmp_path):
    synth.generate(library, 9, tmp_path / "one", seed=4, jobs=1)
    synth.generate(library, 9, tmp_path / "two", seed=4, jobs=2)
    assert _files(tmp_path / "one") == _files(tmp_path / "two")


@pytest.mark.parametrize(("seed", "other"), [(1, 2), (2, 3), (1, 11)])
def test_different_seeds_differ(library, tmp_path, seed, other):
    synth.generate(library, 6, tmp_path / "a", seed=seed, manifest=False)
    synth.generate(library, 6, tmp_path / "b", seed=other, manifest=False)
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert first.keys() == second.keys()  # the symbols are the plan's, the contents differ
    assert sum(first[name] != second[name] for name in first) >= 4


def test_symbols_are_unique_and_new(corpus, manifest, library):
    symbols = [entry["symbol"] for entry in manifest.values()]
    assert len(set(symbols)) == len(symbols) == COUNT
    assert not set(symbols) & {t.symbol for t in library.templates}
    for name, entry in manifest.items():
        session = int(str(entry["symbol"]).split("/")[2])
        assert session >= 81
        assert name == str(entry["symbol"]).replace("/", "-") + ".txt"


def test_manifest_matches_files(corpus, manifest):
    assert sorted(manifest) == sorted(p.name for p in corpus.glob("*.txt"))
    assert Counter(entry["template"] for entry in manifest.values()) == {
        "A-RES-58-137.txt": 4, "A-RES-79-901.txt": 4, "A-RES-80-902.txt": 4}
    for entry in manifest.values():
        assert set(entry) == {"template", "symbol", "date", "plenary_meeting", "paragraphs",
                              "citations"}


def test_no_temporary_files_left(corpus):
    assert [p.name for p in corpus.iterdir()
            if p.name.startswith(".") or p.suffix == ".tmp"] == []


@pytest.mark.parametrize("index", range(COUNT))
def test_output_parses_as_its_manifest_says(corpus, manifest, templates, index):
    name = synth.slot_of(index).filename
    entry = manifest[name]
    document = parse_source(corpus / name)
    template = parse_source(templates / str(entry["template"]))
    assert document.symbol == entry["symbol"]
    assert document.date == entry["date"]
    if template.plenary_meeting is not None:
        assert document.plenary_meeting == entry["plenary_meeting"] is not None
        assert document.plenary_meeting != template.plenary_meeting
    else:
        assert entry["plenary_meeting"] is None
    assert len(document.paragraphs) == len(template.paragraphs) == entry["paragraphs"]
    assert [p.id for p in document.paragraphs] == [p.id for p in template.paragraphs]
    assert len(document.footnotes) == len(template.footnotes)


@pytest.mark.parametrize("index", range(COUNT))
def test_citations_resolve_to_catalogue_instruments(corpus, manifest, templates, index):
    catalogue = default_catalogue()
    name = synth.slot_of(index).filename
    entry = manifest[name]
    output = process(corpus / name, catalogue=catalogue).citations
    original = process(templates / str(entry["template"]), catalogue=catalogue).citations
    assert len(output) == len(original) == entry["citations"]
    # what cited an instrument still does, and every instrument is the catalogue's
    assert [c.target.kind for c in output] == [c.target.kind for c in original]
    assert all(c.target.key in catalogue.instruments for c in output if c.target.key)
    # the same paragraphs cite, with the same verbs
    assert [(c.paragraph_id, c.relation) for c in output] == \
        [(c.paragraph_id, c.relation) for c in original]
    # instruments and resolutions cited change
    before = {(c.target.key or c.target.symbol) for c in original}
    after = {(c.target.key or c.target.symbol) for c in output}
    assert after != before


def test_pinpoints_fit_the_new_instruments(corpus):
    catalogue = default_catalogue()
    pinned = 0
    for path in sorted(corpus.glob("*.txt")):
        for citation in process(path, catalogue=catalogue).citations:
            instrument = catalogue.instruments.get(citation.target.key or "")
            if instrument is None or not citation.pinpoint:
                continue
            kind, number = citation.pinpoint[0]
            limit = {"article": instrument.article_count,
                     "paragraph": instrument.paragraph_count,
                     "guideline": instrument.guideline_count}.get(kind)
            if limit is not None:
                assert 1 <= int(number) <= limit, (path.name, citation.quote)
                pinned += 1
    assert pinned > COUNT


def test_outputs_cite_earlier_documents_only(corpus, manifest):
    catalogue = default_catalogue()
    dates = {str(e["symbol"]): str(e["date"]) for e in manifest.values()}
    for name, entry in manifest.items():
        for citation in process(corpus / name, catalogue=catalogue).citations:
            symbol = citation.target.symbol
            if symbol in dates:
                assert dates[symbol] <= str(entry["date"]), (name, symbol)
            assert symbol != entry["symbol"]


def test_verify_counts_no_difference(library, tmp_path):
    summary = synth.generate(library, 6, tmp_path, seed=9, verify=True, manifest=False)
    assert summary["verified_failed"] == 0
    assert not (tmp_path / "manifest.json").exists()


def test_a_generated_text_keeps_the_layout(corpus, templates, manifest):
    name = next(n for n, e in manifest.items() if e["template"] == "A-RES-79-901.txt")
    text = (corpus / name).read_text(encoding="utf-8")
    original = (templates / "A-RES-79-901.txt").read_text(encoding="utf-8")
    symbol = str(manifest[name]["symbol"])
    assert text.count(symbol) == original.count("A/RES/79/901") == 3
    assert "A/RES/79/901" not in text
    assert "Eighty-first session" in text and "Seventy-ninth session" not in text
    assert text.count("__________________") == original.count("__________________")
    pages = re.compile(r"^\d/3 $", re.MULTILINE)
    assert pages.findall(text) == pages.findall(original) == ["2/3 ", "3/3 "]
    assert re.findall(r"^\*26\d{5}\* $", text, re.MULTILINE)  # the bar code of 2026


# --- the command line -----------------------------------------------------------------------

def test_command_line_summary(templates, tmp_path, capsys):
    assert synth.main(["--templates", str(templates), "--count", "5", "--out",
                       str(tmp_path / "out"), "--seed", "2"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("5 files from 3 of 3 templates (1 skipped)")
    assert captured.err == ""
    assert len(list((tmp_path / "out").glob("*.txt"))) == 5


@pytest.mark.parametrize(("arguments", "message"), [
    (["--templates", "{missing}", "--count", "3"], "templates folder not found"),
    (["--templates", "{bad}", "--count", "3"], "no readable templates"),
    (["--templates", "{good}", "--count", "0"], "--count must be between 1"),
    (["--templates", "{good}", "--count", "-4"], "--count must be between 1"),
    (["--templates", "{good}", "--count", "many"], "invalid int value"),
    (["--templates", "{good}"], "required"),
    (["--templates", "{good}", "--count", "2", "--jobs", "0"], "--jobs must be at least 1"),
])
def test_bad_arguments(templates, tmp_path, capsys, arguments, message):
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(Path(__file__).resolve().parent / "data" / "synth" / "not-a-resolution.txt", bad)
    names = {"missing": tmp_path / "nowhere", "bad": bad, "good": templates}
    argv = [a.format(**names) for a in arguments] + ["--out", str(tmp_path / "out")]
    assert synth.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert captured.err.startswith("synth.py: error: ") and message in captured.err
    assert not any((tmp_path / "out").glob("*.txt")) if (tmp_path / "out").exists() else True


def test_bad_arguments_from_the_shell(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), "--templates", str(tmp_path / "none"),
                             "--count", "2", "--out", str(tmp_path / "out")],
                            check=False, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
