"""Synthetic General Assembly resolutions for benchmarks beyond the real corpus.

    python bench/synth.py --templates ../shared/corpus/unga --count 20000 --out DIR \\
        [--seed 1] [--jobs 2] [--no-manifest] [--verify]

Each output is a real resolution (a template) with new facts written into its own layout: a new
symbol (sessions 81 and later: A/RES/81/1, ...) everywhere it appears, a new adoption date, session
and plenary meeting, new job numbers in the page furniture, the instruments it cites replaced by
other instruments of the lexgraph catalogue (weighted toward those the templates cite most, with
their footnotes and article numbers made to fit), and the resolutions it cites replaced by other
plausible ones (earlier outputs, or templates) with their dates. Everything else is kept as it is.

Templates are read once with lexgraph's own pipeline (parse, extract, resolve with the default
catalogue); a template it cannot read, or one without a General Assembly symbol or a date, is
skipped and counted. The output is the same, byte for byte, for the same seed and template set,
whatever ``--jobs`` is. Files are named as in the corpus (``A-RES-81-1.txt``) and written through
a temporary file; ``DIR/manifest.json`` maps each file to its template, symbol, date and the
number of paragraphs and citations lexgraph should find in it. ``--verify`` parses every output
again and counts those that do not match their manifest entry.

From Python: :func:`load_templates` then :func:`generate`, or :func:`render` for one document.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import multiprocessing
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from graph_builder.api import process, write_atomic
from graph_builder.catalogue import Catalogue, Instrument, default_catalogue
from graph_builder.extract import NameFinder, extract_references
from graph_builder.parse import parse_text
from graph_builder.readers import MONTHS, OPENING_LINE
from graph_builder.resolve import resolve_references
from graph_builder.symbols import find_symbols, footnote_targets

FIRST_SESSION = 81  # the first session of generated symbols (the corpus ends at the 80th)
PER_SESSION = 1100  # resolution numbers per generated session: 20,000 fit in sessions 81-99
MAX_COUNT = 100_000

# --- words ---------------------------------------------------------------------------------

_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ORDINAL_UNITS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                  "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth",
                  "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth")
_ORDINAL_TENS = ("", "", "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth",
                 "seventieth", "eightieth", "ninetieth")


def ordinal_words(n: int) -> str:
    """58 -> ``fifty-eighth``, 80 -> ``eightieth``, 101 -> ``one hundred and first``."""
    if n < 1 or n > 199:
        raise ValueError(f"no ordinal words for {n}")
    if n >= 100:
        return "one hundredth" if n == 100 else f"one hundred and {ordinal_words(n - 100)}"
    if n < 20:
        return _ORDINAL_UNITS[n]
    tens, unit = divmod(n, 10)
    return _ORDINAL_TENS[tens] if unit == 0 else f"{_TENS[tens]}-{_ORDINAL_UNITS[unit]}"


_ORDINAL_VALUES = {ordinal_words(n): n for n in range(1, 200)}
_ORDINAL_BEFORE = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(map(re.escape, _ORDINAL_VALUES), key=len, reverse=True))
    + r")\s+$", re.IGNORECASE)
_SESSION = re.compile(r"\bsession\b", re.IGNORECASE)


def ordinal_suffix(n: int) -> str:
    """1 -> ``1st``, 22 -> ``22nd``, 113 -> ``113th``."""
    if n % 100 in (11, 12, 13):
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }".replace(" ", "")


def date_words(day: date) -> str:
    """2023-12-08 -> ``8 December 2023``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _same_case(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


# --- the plan of generated symbols, dates and meetings -------------------------------------

def session_opening(session: int) -> date:
    """The session opens on the Tuesday of the week after the second Monday of September."""
    day = date(1945 + session, 9, 1)
    mondays = 0
    while True:
        if day.weekday() == 0:
            mondays += 1
            if mondays == 2:
                return day + timedelta(days=1)
        day += timedelta(days=1)


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@dataclass(frozen=True, slots=True)
class Slot:
    """The symbol, date and plenary meeting of one generated resolution."""

    session: int
    number: int
    date: date
    meeting: int

    @property
    def symbol(self) -> str:
        return f"A/RES/{self.session}/{self.number}"

    @property
    def short(self) -> str:
        return f"{self.session}/{self.number}"

    @property
    def filename(self) -> str:
        return f"A-RES-{self.session}-{self.number}.txt"


def slot_of(index: int, first_session: int = FIRST_SESSION) -> Slot:
    """Output ``index`` -> its symbol, adoption date and meeting: a pure function, so any
    output can cite any earlier one. Numbers follow adoption dates as at the Assembly: a few
    resolutions in the autumn, most in December, the rest until the next September."""
    session = first_session + index // PER_SESSION
    number = index % PER_SESSION + 1
    opening = session_opening(session)
    share = (number - 1) / PER_SESSION
    if share < 0.06:  # mid-September to the end of November
        end = date(opening.year, 11, 30)
        day = opening + timedelta(days=int(share / 0.06 * (end - opening).days))
    elif share < 0.82:  # December
        day = date(opening.year, 12, 1) + timedelta(days=int((share - 0.06) / 0.76 * 22))
    else:  # resumed sessions, January to early September
        start = date(opening.year + 1, 1, 10)
        day = start + timedelta(days=int((share - 0.82) / 0.18 * 235))
    day = _weekday_on_or_after(day)
    weekdays = sum(1 for n in range((day - opening).days + 1)
                   if (opening + timedelta(days=n)).weekday() < 5)
    meeting = 2 + (int(weekdays * 0.75) if weekdays <= 70 else 52 + int((weekdays - 70) * 0.3))
    return Slot(session, number, day, meeting)


# --- templates ----------------------------------------------------------------------------

# Slot kinds, in the order overlapping slots give way (earlier kinds win).
NOTE, NAME, PIN, SELF, GA, REPORT, ORDINAL, ADOPTED, OTHER_DATE, MEETING, JOB, BARCODE, \
    DDMMYY, IBID = range(14)
_PRIORITY = {NAME: 0, PIN: 1, SELF: 2, GA: 3, REPORT: 4, ORDINAL: 5, ADOPTED: 6, OTHER_DATE: 7,
             MEETING: 8, JOB: 9, BARCODE: 10, DDMMYY: 11, IBID: 12}

# "article 3 of the Convention": lexgraph takes the instrument named most in the text whose
# name holds that word. Where a text says so, replacements keep those words.
_HEADS = ("charter", "convention", "covenant", "protocol", "statute", "agreement", "declaration",
          "constitution")
_SHORT_FORM = re.compile(
    r"\b(?:articles?|paragraphs?|guidelines?|principles?|sections?|rules?|chapters?|parts?)\s+"
    r"[^.;]{0,60}?\bof\s+the\s+(?:[A-Z][a-z]+\s+)?(" + "|".join(_HEADS) + r")\b", re.IGNORECASE)
_PIN_KINDS = ("article", "paragraph", "guideline")
_PIN_WORDS = re.compile(
    r"(?<![\w-])(?P<kind>articles?|paragraphs?|guidelines?|principles?|sections?|rules?|"
    r"chapters?|parts?)\s+(?P<list>\d+(?:\s*\([a-z]\))?(?:\s*(?:,\s*and|,|and|to|-|–)\s*"
    r"\d+(?:\s*\([a-z]\))?)*)", re.IGNORECASE)
# A resolution number, with the letter of a part ("32/40 B"), which goes with it.
_GA_NUMBER = re.compile(r"(?:(?<=A/RES/)|(?<![\w/.-]))(\d{1,3})/(\d{1,4})(?:\s?[A-Z]\b)?(?![\w/])")
_DATE = re.compile(rf"\b(\d{{1,2}})\s+({'|'.join(MONTHS)})\s+(\d{{4}})\b")
_OF_DATE = re.compile(rf"\s+of\s+(\d{{1,2}}\s+(?:{'|'.join(MONTHS)})\s+\d{{4}})\b")
_REPORT = re.compile(r"^A/(\d{1,3})/(?!RES/)")
_JOB = re.compile(r"^[ \t]*(\d{2}-\d{5})(?:[ \t]*\(E\))?(?:[ \t]+(\d{6}))?[ \t]*$", re.MULTILINE)
_BARCODE = re.compile(r"^[ \t]*\*(\d{7})\*[ \t]*$", re.MULTILINE)
# The closing lines: "47th plenary meeting" alone on its line (or with the date after a
# comma), then the date on a line of its own.
_MEETING = re.compile(
    rf"^[ \t]*(\d{{1,4}}(?:st|nd|rd|th))(?:[ \t]+\(resumed\))?[ \t]+plenary[ \t]+meeting"
    rf"(?:[ \t]*[,.;]?[ \t]*\d{{1,2}}[ \t]+(?:{'|'.join(MONTHS)})[ \t]+\d{{4}}[ \t]*\.?)?[ \t]*$",
    re.MULTILINE | re.IGNORECASE)
_CLOSING_DATE = re.compile(
    rf"(?:[ \t]*\n){{1,3}}[ \t]*\d{{1,2}}[ \t]+(?:{'|'.join(MONTHS)})[ \t]+\d{{4}}[ \t]*\.?[ \t]*$",
    re.MULTILINE)
_IBID = re.compile(r"^\s*(Ibid)\.?", re.IGNORECASE)
# Bodies other than the General Assembly whose resolutions are numbered as its are, and a
# resolution of theirs named later in the same clause.
_OTHER_BODY = re.compile(
    r"Conference\s+of\s+(?:the\s+)?(?:States\s+)?Parties|Human\s+Rights\s+Council|"
    r"Commission\s+on|Assembly\s+of\s+States\s+Parties|Environment\s+Assembly|Board|"
    r"Governing\s+Council|Executive\s+Committee|Conference\s+of\s+States")
# Words after which lexgraph never reads a number as a footnote marker.
_SAFE_BEFORE = re.compile(r"(?:\b(?:articles?|paragraphs?|guidelines?|and|or|to)|[-–])\s+$",
                          re.IGNORECASE)
_ENTITLED = re.compile(r"\bentitled\s+[“\"‘']\s*(?:the\s+)?$", re.IGNORECASE)
_BODY_RESOLUTION = re.compile(r"[^;.]{0,250}?\bresolutions?\s+\d")
_SERIES = re.compile(r"vol\.\s*\d+,\s*Nos?\.\s*\d+")


@dataclass(frozen=True, slots=True)
class Rule:
    """What a replacement for a cited instrument must satisfy in one template."""

    pinned: bool  # keep it: its words or footnotes cannot be rewritten safely
    footnoted: bool  # a footnote names it: the replacement needs a footnote form
    # a footnote marker follows its name: the replacement's title must end alike (with or
    # without digits, with or without a bracket), or lexgraph would read the marker otherwise
    ending: tuple[bool, bool, bool] | None = None
    cues: tuple[str, ...] = ()  # the clause verbs in its name ("Implementation of"), kept alike
    heads: frozenset[str] = frozenset()  # the words of short forms in the text its names hold
    # (pinpoint kind, lowest, highest number, numbers lexgraph could take for footnote markers
    # if a footnote had their number: "articles 7, 13 and 15")
    spans: tuple[tuple[str, int, int, tuple[int, ...]], ...] = ()
    # the words around each of its names, to check that a replacement reads as one name there
    contexts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Template:
    """A template read once: its text, facts, and the places a new document differs."""

    name: str
    text: str
    symbol: str
    session: int
    date: str
    plenary_meeting: int | None
    paragraphs: int
    citations: int
    width: int  # the length of a full line of text
    notes: frozenset[int]  # the numbers of its footnotes
    short_forms: frozenset[str]  # the words of short forms ("of the Convention") in the text
    cited: tuple[str, ...]  # catalogue keys of the instruments it cites, for the weights
    rules: tuple[tuple[str, Rule], ...]
    # (start, end, kind, value): value is a catalogue key, a number, a symbol, a date, ...
    slots: tuple[tuple[int, int, int, object], ...]


def _anchored(catalogue: Catalogue) -> frozenset[str]:
    """Symbols that hold a catalogue instrument or are catalogue documents: never replaced."""
    symbols = {i.symbol for i in catalogue.instruments.values() if i.symbol}
    return frozenset(symbols | set(catalogue.documents))


def _span_ok(text: str, start: int, end: int, words: str) -> bool:
    """Whether source ``text[start:end]`` is ``words`` laid out on at most two lines."""
    source = text[start:end]
    return (" ".join(source.split()) == " ".join(words.split()) and source.count("\n") <= 1)


def analyse(path: str | Path, catalogue: Catalogue | None = None) -> Template:
    """Read one template with lexgraph's pipeline and find what a new document rewrites.

    Raises ``ValueError`` (or lexgraph's ``InputError``) for a template that cannot be used.
    """
    catalogue = catalogue or default_catalogue()
    path = Path(path)
    resolved = process(path, catalogue=catalogue)
    document = resolved.document
    text = document.text
    match = re.fullmatch(r"A/RES/(\d{1,3})/(\d{1,4})", document.symbol or "")
    if not match:
        raise ValueError(f"{path.name}: no General Assembly resolution symbol")
    if not document.date:
        raise ValueError(f"{path.name}: no adoption date")
    session = int(match.group(1))
    short = f"{match.group(1)}/{match.group(2)}"
    anchored = _anchored(catalogue)
    finder = _finder(catalogue)
    slots: list[tuple[int, int, int, object]] = []
    pinned: set[str] = set()
    footnoted: set[str] = set()
    endings: dict[str, set[tuple[bool, bool, bool]]] = {}
    cues: dict[str, set[tuple[str, ...]]] = {}
    contexts: dict[str, list[tuple[str, str]]] = {}
    risky: dict[tuple[str, str], set[int]] = {}
    numbers: dict[tuple[str, str], set[int]] = {}

    opening = next((m.start() for m in re.finditer(r"^.*$", text, re.MULTILINE)
                    if OPENING_LINE.match(m.group())), 0)
    body_end = max(p.end for p in document.paragraphs)

    # Instrument names in the paragraphs.
    for paragraph in document.paragraphs:
        words = paragraph.text
        exact = finder.find(words)
        found = sorted(exact + finder.near_misses(words, [(s, e) for s, e, _ in exact]))
        bodies = [m.end() for m in _OTHER_BODY.finditer(words)]
        for n, (start, end, key) in enumerate(found):
            src_start, src_end = paragraph.source_span(start, end)
            overlaps = any(s < end and start < e for j, (s, e, _) in enumerate(found) if j != n)
            # between another body and "its resolution 5/1" the distance tells lexgraph whose
            # resolution it is: such a name keeps its length
            near_body = any(b <= start and _BODY_RESOLUTION.match(words, end) for b in bodies
                            if start - b < 300)
            # "the Plan of Implementation ... (Johannesburg Plan of Implementation)": one name
            # twice would read "X (X)"
            repeated = any(k == key and re.fullmatch(r"\s*\(", words[e:start])
                           for s, e, k in found[:n])
            # "resolution 79/1 ..., entitled “The Pact for the Future”": the document's own title
            entitled = bool(_ENTITLED.search(words, max(0, start - 30), start))
            if overlaps or near_body or repeated or entitled or not _span_ok(
                    text, src_start, src_end, words[start:end]):
                pinned.add(key)
                continue
            if re.match(r"[^\w\s]{0,3}[ \t]*\d", text[src_end:src_end + 6]):
                endings.setdefault(key, set()).add(_ending(words[start:end]))
            cues.setdefault(key, set()).add(_cues(words[start:end]))
            contexts.setdefault(key, []).append((words[max(0, start - 60):start],
                                                 words[end:end + 60]))
            slots.append((src_start, src_end, NAME, key))

    # Pinpoint numbers of the instruments cited.
    name_starts = sorted((s, e) for s, e, kind, _ in slots if kind == NAME)
    for citation in resolved.citations:
        key = citation.target.key
        if key is None or not citation.pinpoint:
            continue
        kind, number = citation.pinpoint[0]
        found = [m for m in _PIN_WORDS.finditer(text, citation.start, citation.end)
                 if not _inside(name_starts, m.start())]
        if kind not in _PIN_KINDS or not number.isdigit() or not found:
            pinned.add(key)
            continue
        words = found[0]
        values = [(m.start() + words.start("list"), m.end() + words.start("list"), int(m.group()))
                  for m in re.finditer(r"\d+", words.group("list"))]
        values = [v for v in values if text[v[0] - 1:v[0]] != "("]
        if (words.group("kind").lower().rstrip("s") != kind
                or int(number) not in {v for _, _, v in values}):
            pinned.add(key)
            continue
        for start, end, value in values:
            slots.append((start, end, PIN, (key, kind, value)))
            numbers.setdefault((key, kind), set()).add(value)
            if not _SAFE_BEFORE.search(text, max(0, start - 12), start):
                risky.setdefault((key, kind), set()).add(value)

    # Footnotes that name one instrument, and those that say "Ibid." after them.
    citing: dict[int, set[str]] = {}
    for citation in resolved.citations:
        if citation.footnote is not None and citation.target.key:
            citing.setdefault(citation.footnote, set()).add(citation.target.key)
    notes = list(document.footnotes)
    note_keys: list[str | None] = []
    for note in notes:
        refs = resolved.extraction.footnote_targets.get(note.number, ())
        keys = set(citing.get(note.number, set()))
        for ref in refs:
            keys.update(i.key for i in catalogue.instruments_at(ref))
        source = text[note.start:note.end]
        own = len(keys) == 1 and len(refs) == 1 and "\n\n" not in source.replace(" ", "")
        if keys and not own:
            pinned.update(keys)
        note_keys.append(next(iter(keys)) if own else None)
        footnoted.update(keys)
    frozen = [False] * len(notes)  # a note that must stay as written
    depends: list[int | None] = []  # the note an "Ibid." note refers to
    for i, note in enumerate(notes):
        ibid = _IBID.match(note.text)
        rest = note.text[ibid.end():] if ibid else ""
        depends.append(i - 1 if ibid and i > 0 and not find_symbols(rest) else None)
    for i in reversed(range(len(notes))):
        previous = depends[i]
        if previous is None:
            continue
        expandable = note_keys[i] is None and _explicit(
            resolved.extraction.footnote_targets.get(notes[previous].number, ()))
        if (note_keys[i] is not None and _note_form(catalogue.instruments[note_keys[i]],
                                                    catalogue) is None) or \
                (note_keys[i] is None and not expandable):
            frozen[previous] = True
    for i in reversed(range(len(notes))):  # a frozen note freezes the note it says Ibid. to
        if frozen[i] and depends[i] is not None:
            frozen[depends[i]] = True
    for i, note in enumerate(notes):
        key = note_keys[i]
        if frozen[i] and key is not None:
            pinned.add(key)
        if key is not None:
            slots.append((note.start, note.end, NOTE, (key, depends[i], i)))
        elif depends[i] is not None:
            ibid = _IBID.match(text, note.start)
            refs = resolved.extraction.footnote_targets.get(notes[depends[i]].number, ())
            if ibid and _explicit(refs):
                slots.append((ibid.start(1), ibid.end(), IBID, (depends[i], _explicit(refs))))

    # Symbols: the template's own, resolutions cited, reports of recent sessions.
    for m in re.finditer(rf"(?<![\w/]){re.escape(document.symbol)}(?![\w/])", text):
        slots.append((m.start(), m.end(), SELF, "full"))
    for m in re.finditer(rf"(?<![\w/.-]){re.escape(short)}(?![\w/])", text):
        slots.append((m.start(), m.end(), SELF, "short"))
    regions: list[tuple[str, int, list[int] | None]] = [(text[:opening], 0, None)]
    regions += [(p.text, 0, list(p.offsets)) for p in document.paragraphs]
    regions += [(text[n.start:n.end], n.start, None) for n in notes]
    if body_end < len(text):
        regions.append((text[body_end:], body_end, None))
    seen_regions: set[tuple[int, int]] = set()
    for words, base, offsets in regions:
        def span(s: int, e: int, offsets: list[int] | None = offsets,
                 base: int = base) -> tuple[int, int]:
            if offsets is None:
                return (base + s, base + e)
            return (offsets[s], offsets[e - 1] + 1)

        for mention in find_symbols(words):
            ref = mention.ref
            symbol = ref.symbol or ""
            if symbol in anchored or symbol == document.symbol:
                continue
            chunk = words[mention.start:mention.end]
            if symbol.startswith("A/RES/"):
                number = _GA_NUMBER.search(chunk)
                if not number or symbol.split()[0] != f"A/RES/{number.group(1)}/{number.group(2)}":
                    continue
                s, e = span(mention.start + number.start(), mention.start + number.end())
                if text[s:e] != number.group() or (s, e) in seen_regions:
                    continue
                seen_regions.add((s, e))
                when = _OF_DATE.match(words, mention.start + number.end())
                if when:  # "resolution 46/182 of 19 December 1991": the date goes with it
                    ds, de = span(when.start(1), when.end(1))
                    if _span_ok(text, ds, de, when.group(1)) and ds > e:
                        slots.append((s, de, GA, (number.group(), e - s, ds - s)))
                        continue
                slots.append((s, e, GA, (number.group(), e - s, None)))
            elif (report := _REPORT.match(symbol)) and session - 3 <= int(report.group(1)) <= session:
                where = chunk.find(symbol[:len(report.group())])
                if where < 0:
                    continue
                s, e = span(mention.start + where + 2, mention.start + where + 2
                            + len(report.group(1)))
                if text[s:e] == report.group(1) and (s, e) not in seen_regions:
                    seen_regions.add((s, e))
                    slots.append((s, e, REPORT, int(report.group(1))))

    # Session words near the template's session ("Seventy-eighth session", "at its
    # eightieth session"), except in footnotes that name documents that are not replaced.
    keep_notes = [(n.start, n.end) for i, n in enumerate(notes)
                  if any((ref.symbol or "") in anchored
                         for ref in resolved.extraction.footnote_targets.get(n.number, ()))]
    for word in _SESSION.finditer(text):
        base = max(0, word.start() - 40)
        m = _ORDINAL_BEFORE.search(text, base, word.start())
        if not m:
            continue
        value = _ORDINAL_VALUES[m.group(1).lower()]
        if session - 3 <= value <= session + 5 and not any(s <= m.start() < e for s, e in keep_notes):
            slots.append((m.start(1), m.end(1), ORDINAL, value))

    # Dates, meeting and page furniture: in the header and the closing lines only (which may
    # come before an annex: "47th plenary meeting" / "8 December 2023" on lines of their own).
    adopted = date.fromisoformat(document.date)
    closing: list[tuple[int, int]] = [(0, opening)]
    for m in _MEETING.finditer(text):
        slots.append((m.start(1), m.end(1), MEETING, None))
        after = _CLOSING_DATE.match(text, m.end())
        closing.append((m.start(), after.end() if after else m.end()))
    for m in _DATE.finditer(text):
        if not any(s <= m.start() < e for s, e in closing):
            continue
        day, month, year = m.groups()
        value = date(int(year), MONTHS.index(month) + 1, int(day))
        slots.append((m.start(), m.end(), ADOPTED if value == adopted else OTHER_DATE, value))
    for m in _JOB.finditer(text):
        slots.append((m.start(1), m.end(1), JOB, m.group(1)))
        if m.group(2):
            try:
                value = date(2000 + int(m.group(2)[4:]), int(m.group(2)[2:4]), int(m.group(2)[:2]))
            except ValueError:
                continue
            slots.append((m.start(2), m.end(2), DDMMYY, value))
    for m in _BARCODE.finditer(text):
        slots.append((m.start(1), m.end(1), BARCODE, m.group(1)))

    # Rules for the instruments cited.
    cited = tuple(c.target.key for c in resolved.citations if c.target.key)
    short_forms = frozenset(m.group(1).lower() for p in document.paragraphs
                            for m in _SHORT_FORM.finditer(p.text))
    rules = []
    for key in sorted({k for _, _, kind, v in slots if kind == NAME for k in [v]} | set(cited)):
        spans = tuple(sorted((kind, min(values), max(values),
                              tuple(sorted(risky.get((k, kind), ()))))
                             for (k, kind), values in numbers.items() if k == key))
        ending = endings.get(key)
        cue = cues.get(key, {()})
        rules.append((key, Rule(key in pinned or len(ending or ()) > 1 or len(cue) > 1,
                                key in footnoted, next(iter(ending)) if ending else None,
                                next(iter(cue)),
                                _head_words(catalogue.instruments[key]) & short_forms, spans,
                                tuple(contexts.get(key, ())))))
    return Template(
        name=path.name, text=text, symbol=document.symbol, session=session, date=document.date,
        plenary_meeting=document.plenary_meeting, paragraphs=len(document.paragraphs),
        citations=len(resolved.citations), width=_width(text),
        notes=frozenset(n.number for n in notes), short_forms=short_forms,
        cited=cited, rules=tuple(rules),
        slots=_disjoint(slots))


def _head_words(instrument: Instrument) -> frozenset[str]:
    words = {w for name in (instrument.title, *instrument.aliases) for w in name.casefold().split()}
    return frozenset(w for w in _HEADS if w in words)


def _ending(name: str) -> tuple[bool, bool, bool]:
    """How a name ends, as far as reading a footnote marker after it goes: with a year
    ("2015–20301"), other digits ("Agenda 21 1"), a bracket ("(the Beijing Rules) 2")."""
    last = name.split()[-1] if name.split() else ""
    return (bool(re.search(r"(?:19|20)\d\d$", last)), bool(re.search(r"\d", last)),
            last.endswith(")"))


# Words lexgraph reads as the verb of a citation ("implementation of"): a title that holds one
# changes how the words after it cite.
_CUE_WORDS = re.compile(
    r"\b(?:tak(?:ing|es?)\s+note|recall|reaffirm|not(?:ing|es)\b|welcom|implement|"
    r"in\s+accordance\s+with|pursuant\s+to|in\s+conformity\s+with|in\s+compliance\s+with|"
    r"giv(?:e|ing)\s+(?:full\s+)?effect\s+to)", re.IGNORECASE)


def _cues(name: str) -> tuple[str, ...]:
    return tuple(" ".join(m.group().lower().split()) for m in _CUE_WORDS.finditer(name))


def _width(text: str) -> int:
    """How long a full line is: the 90th percentile of the lengths of the longer lines."""
    lengths = sorted(len(line.rstrip()) for line in text.splitlines() if len(line.strip()) > 40)
    return max(60, lengths[int(len(lengths) * 0.9)] if lengths else 80)


def _explicit(refs: Sequence[object]) -> str | None:
    """What "Ibid." stands for when the footnote before it is rewritten: its first symbol."""
    if not refs:
        return None
    symbol = getattr(refs[0], "symbol", None)
    if not symbol:
        return None
    return f"Resolution {symbol[6:]}" if symbol.startswith("A/RES/") else symbol


def _disjoint(slots: list[tuple[int, int, int, object]]) -> tuple[tuple[int, int, int, object], ...]:
    """Slots sorted by place; of overlapping ones the higher kind wins. Footnote slots may hold
    others (those apply only when the footnote is kept)."""
    kept: list[tuple[int, int, int, object]] = []
    starts: list[int] = []  # the kept slots other than footnotes, disjoint, by place
    ends: list[int] = []
    for slot in sorted(slots, key=lambda s: (_PRIORITY.get(s[2], -1), s[0])):
        start, end, kind, _ = slot
        if start >= end:
            continue
        if kind != NOTE:
            at = bisect.bisect_left(starts, end)  # kept slots that start before this ends
            if at > 0 and ends[at - 1] > start:
                continue
            starts.insert(at, start)
            ends.insert(at, end)
        kept.append(slot)
    unique = sorted({(s, e, k, _freeze(v)) for s, e, k, v in kept},
                    key=lambda s: (s[0], -s[1], s[2]))
    return tuple(unique)


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether ``position`` falls in one of the disjoint, sorted ``spans``."""
    at = bisect.bisect_right(spans, (position, 1 << 60))
    return at > 0 and spans[at - 1][0] <= position < spans[at - 1][1]


def _freeze(value: object) -> object:
    return tuple(_freeze(v) for v in value) if isinstance(value, (list, tuple)) else value


# --- the catalogue side ---------------------------------------------------------------------

_FINDERS: dict[int, NameFinder] = {}


def _finder(catalogue: Catalogue) -> NameFinder:
    finder = _FINDERS.get(id(catalogue))
    if finder is None:
        finder = _FINDERS[id(catalogue)] = NameFinder(catalogue.names())
    return finder


def _note_form(instrument: Instrument, catalogue: Catalogue) -> str | None:
    """How a footnote cites ``instrument`` ("Resolution 58/4, annex."), checked to resolve
    back to it; None when no footnote can name it alone."""
    if instrument.symbol:
        symbol = instrument.symbol
        text = f"Resolution {symbol[6:]}" if symbol.startswith("A/RES/") else symbol
        if instrument.annex is not None:
            text += ", annex" + (f" {instrument.annex}" if instrument.annex else "")
        text += "."
    elif instrument.treaty_series:
        text = f"United Nations, Treaty Series, {instrument.treaty_series}."
    else:
        return None
    refs = footnote_targets(text, ())
    series = _SERIES.search(text)
    if series and not refs:
        found = catalogue.by_treaty_series(series.group())
        return text if found is not None and found.key == instrument.key else None
    if len(refs) == 1 and catalogue.by_document(refs[0]) is instrument:
        return text
    return None


@dataclass(frozen=True, slots=True)
class _Candidate:
    key: str
    title: str
    kind: str
    heads: frozenset[str]  # head words of its title and aliases
    ending: tuple[bool, bool, bool]
    cues: tuple[str, ...]
    note: str | None
    counts: dict[str, int | None]
    weight: float


@dataclass
class Library:
    """Templates and what every output draws on: catalogue candidates, citable symbols."""

    templates: list[Template]
    skipped: list[tuple[str, str]]
    catalogue: Catalogue
    first_session: int = FIRST_SESSION
    candidates: dict[str, _Candidate] = field(default_factory=dict)
    symbols: list[tuple[str, date]] = field(default_factory=list)  # templates: (n/m, date)
    _pools: dict[tuple[str, str], tuple[list[str], list[float]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        counts = Counter(key for t in self.templates for key in t.cited)
        finder = _finder(self.catalogue)
        for key, instrument in sorted(self.catalogue.instruments.items()):
            title = instrument.title
            if finder.find(title) != [(0, len(title), key)]:
                continue  # a title lexgraph would read as another instrument
            self.candidates[key] = _Candidate(
                key, title, instrument.kind,
                _head_words(instrument),
                _ending(title), _cues(title), _note_form(instrument, self.catalogue),
                {"article": instrument.article_count, "paragraph": instrument.paragraph_count,
                 "guideline": instrument.guideline_count},
                1.0 + math.sqrt(counts.get(key, 0)))
        anchored = _anchored(self.catalogue)
        self.symbols = sorted((t.symbol[6:], date.fromisoformat(t.date)) for t in self.templates
                              if t.symbol not in anchored)
        sessions = [t.session for t in self.templates]
        self.first_session = max([FIRST_SESSION] + [s + 1 for s in sessions])

    def pool(self, template: Template, key: str, rule: Rule) -> tuple[list[str], list[float]]:
        """The instruments that may stand for ``key`` in ``template``, with their weights."""
        cached = self._pools.get((template.name, key))
        if cached is not None:
            return cached
        own = self.catalogue.instruments[key]
        keys: list[str] = []
        weights: list[float] = []
        if not rule.pinned:
            cited = set(template.cited) | {k for k, _ in template.rules}
            for candidate in self.candidates.values():
                if (candidate.key in cited or candidate.kind != own.kind
                        or candidate.heads & template.short_forms != rule.heads):
                    continue
                if rule.footnoted and candidate.note is None:
                    continue
                if rule.ending is not None and candidate.ending != rule.ending:
                    continue
                if candidate.cues != rule.cues:
                    continue
                if any((candidate.counts.get(kind) or 0) < high - low + 1
                       for kind, low, high, _ in rule.spans):
                    continue
                keys.append(candidate.key)
                weights.append(candidate.weight)
        self._pools[(template.name, key)] = (keys, weights)
        return keys, weights


def _analyse_one(path: str) -> Template | tuple[str, str]:
    try:
        return analyse(path)
    except Exception as error:  # noqa: BLE001 - a template the pipeline cannot read is skipped
        return (Path(path).name, " ".join(str(error).split())[:200] or type(error).__name__)


def load_templates(folder: str | Path, *, jobs: int = 1,
                   catalogue: Catalogue | None = None) -> Library:
    """Read every ``*.txt`` template of ``folder`` once (in ``jobs`` processes)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"templates folder not found: {folder}")
    paths = [str(p) for p in sorted(folder.glob("*.txt")) if p.is_file()]
    if jobs > 1 and len(paths) > 1 and catalogue is None:
        with _pool(jobs) as workers:
            results = list(workers.imap(_analyse_one, paths, chunksize=4))
    else:
        results = []
        for path in paths:
            try:
                results.append(analyse(path, catalogue))
            except Exception as error:  # noqa: BLE001 - skipped and counted, as above
                results.append((Path(path).name, " ".join(str(error).split())[:200]))
    templates = [r for r in results if isinstance(r, Template)]
    skipped = [r for r in results if not isinstance(r, Template)]
    if not templates:
        raise UsageError(f"no readable templates in {folder} ({len(skipped)} *.txt skipped)")
    return Library(templates, skipped, catalogue or default_catalogue())


# --- one output -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Output:
    filename: str
    text: str
    template: str
    symbol: str
    date: str
    plenary_meeting: int | None
    paragraphs: int
    citations: int

    def manifest(self) -> dict[str, object]:
        return {"template": self.template, "symbol": self.symbol, "date": self.date,
                "plenary_meeting": self.plenary_meeting, "paragraphs": self.paragraphs,
                "citations": self.citations}


def template_index(library: Library, index: int, seed: int) -> int:
    """Which template output ``index`` is made from: every template once per round, in an
    order shuffled by the seed, so that all are used before any is used twice."""
    count = len(library.templates)
    round_ = index // count
    order = _ORDERS.get((id(library), seed, round_))
    if order is None:
        order = list(range(count))
        random.Random(f"{seed}/round/{round_}").shuffle(order)
        _ORDERS.clear()
        _ORDERS[(id(library), seed, round_)] = order
    return order[index % count]


_ORDERS: dict[tuple[int, int, int], list[int]] = {}


def render(library: Library, index: int, seed: int = 1) -> Output:
    """Output ``index`` of the corpus of ``seed``: a pure function of the two and the library."""
    template = library.templates[template_index(library, index, seed)]
    rng = random.Random(f"{seed}/{index}")
    slot = slot_of(index, library.first_session)
    text = template.text
    delta = slot.session - template.session
    adopted = date.fromisoformat(template.date)
    shift = slot.date - adopted

    # Instruments: one replacement each, none cited already, article numbers moved to fit.
    mapping: dict[str, str] = {}
    moves: dict[tuple[str, str], int] = {}
    used = set(template.cited) | {k for k, _ in template.rules}
    finder = _finder(library.catalogue)
    for key, rule in template.rules:
        keys, weights = library.pool(template, key, rule)
        choice = key
        for _ in range(6 if keys else 0):
            pick = rng.choices(keys, weights)[0]
            if pick in used:
                continue
            shifts = _shifts(rng, rule, library.candidates[pick].counts, template.notes)
            title = library.candidates[pick].title
            if shifts is not None and all(_reads_as(finder, before, title, after, pick)
                                          for before, after in rule.contexts):
                choice = pick
                moves.update({(key, kind): move for kind, move in shifts.items()})
                break
        mapping[key] = choice
        used.add(choice)

    # Resolutions cited: earlier outputs or templates, each once, with their dates.
    symbols: dict[str, tuple[str, date] | None] = {}
    # never a number the template cites already: one kept as written would be cited twice
    taken = {slot.short} | {value[0] for _, _, kind, value in template.slots if kind == GA}
    for _, _, kind, value in template.slots:
        if kind != GA or value[0] in symbols:
            continue
        symbols[value[0]] = None
        for _ in range(5):
            if index > 0 and (rng.random() < 0.5 or not library.symbols):
                earlier = slot_of(max(0, index - 1 - int(rng.expovariate(1 / 400))),
                                  library.first_session)
                pick = (earlier.short, earlier.date)
            elif library.symbols:
                pick = library.symbols[rng.randrange(len(library.symbols))]
            else:
                break
            if pick[0] not in taken:
                symbols[value[0]] = pick
                taken.add(pick[0])
                break

    job = f"{slot.date.year % 100:02d}-{rng.randrange(10000, 100000)}"
    pieces: list[str] = []
    position = 0
    rewritten: set[int] = set()  # indexes of the footnotes rewritten, for "Ibid."
    skip_until = -1
    for start, end, kind, value in template.slots:
        if start < skip_until:
            continue
        new = _replacement(kind, value, text, start, end, mapping=mapping, moves=moves,
                           symbols=symbols, slot=slot, delta=delta, shift=shift, job=job,
                           library=library, rewritten=rewritten, width=template.width)
        if kind == NOTE:
            if new is None:
                continue
            skip_until = end
        if new is None:
            continue
        pieces.append(text[position:start])
        pieces.append(new)
        position = end
    pieces.append(text[position:])
    return Output(slot.filename, "".join(pieces), template.name, slot.symbol,
                  slot.date.isoformat(),
                  slot.meeting if template.plenary_meeting is not None else None,
                  template.paragraphs, template.citations)


def _shifts(rng: random.Random, rule: Rule, counts: dict[str, int | None],
            notes: frozenset[int]) -> dict[str, int] | None:
    """How far to move the cited numbers of each pinpoint kind to fit an instrument with
    ``counts`` parts, so that none lands on a footnote's number where it could read as its
    marker; None when no move does."""
    shifts: dict[str, int] = {}
    for kind, low, high, risky in rule.spans:
        top = counts.get(kind) or high
        for _ in range(8):
            move = rng.randint(1 - low, max(1 - low, top - high))
            if not any(number + move in notes for number in risky):
                shifts[kind] = move
                break
        else:
            return None
    return shifts


def _reads_as(finder: NameFinder, before: str, title: str, after: str, key: str) -> bool:
    """Whether lexgraph reads ``title`` between those words as one name of ``key``, no more
    and no less ("the United Nations" before "United Nations Convention ..." would not)."""
    start, end = len(before), len(before) + len(title)
    words = before + title + after
    exact = finder.find(words)
    if [(s, e, k) for s, e, k in exact if s < end and start < e] != [(start, end, key)]:
        return False
    # a name slightly wrong that would start just before it ("the United Nations United
    # Nations Convention ..."); the words further back are too far to make one
    near = re.search(r"(?:\S+\s+){0,3}$", before).start()  # type: ignore[union-attr]
    taken = [(s - near, e - near) for s, e, _ in exact if s >= near]
    return not any(s + near < end and start < e + near
                   for s, e, _ in finder.near_misses(words[near:], taken))


def _replacement(kind: int, value: object, text: str, start: int, end: int, *,
                 mapping: dict[str, str], moves: dict[tuple[str, str], int],
                 symbols: dict[str, tuple[str, date] | None], slot: Slot, delta: int,
                 shift: timedelta, job: str, library: Library, rewritten: set[int],
                 width: int) -> str | None:
    if kind == NAME:
        key = mapping.get(value, value)  # type: ignore[arg-type]
        if key == value:
            return None
        return _wrap(library.candidates[key].title, text, start, end, width)
    if kind == PIN:
        key, pin_kind, number = value  # type: ignore[misc]
        move = moves.get((key, pin_kind))
        return None if move is None else str(number + move)
    if kind == NOTE:
        key, depends, number = value  # type: ignore[misc]
        new_key = mapping.get(key, key)
        if new_key == key and (depends is None or depends not in rewritten):
            return None
        candidate = library.candidates.get(new_key)
        form = candidate.note if candidate else _note_form(library.catalogue.instruments[new_key],
                                                           library.catalogue)
        if form is None:
            return None
        rewritten.add(number)
        return form
    if kind == IBID:
        depends, explicit = value  # type: ignore[misc]
        return explicit if depends in rewritten else None
    if kind == SELF:
        return slot.symbol if value == "full" else slot.short
    if kind == GA:
        number, length, date_at = value  # type: ignore[misc]
        pick = symbols.get(number)
        if pick is None:
            return None
        if date_at is None:
            return pick[0]
        # the number and "of <date>" after it: keep the words between
        return pick[0] + text[start + length:start + date_at] + date_words(pick[1])
    if kind == REPORT:
        return str(value + delta)  # type: ignore[operator]
    if kind == ORDINAL:
        return _same_case(ordinal_words(value + delta), text[start:end])  # type: ignore[operator]
    if kind == ADOPTED:
        return date_words(slot.date)
    if kind == OTHER_DATE:
        return date_words(value + shift)  # type: ignore[operator]
    if kind == MEETING:
        return ordinal_suffix(slot.meeting)
    if kind == JOB:
        return job
    if kind == BARCODE:
        return job.replace("-", "")
    if kind == DDMMYY:
        day = value + shift  # type: ignore[operator]
        return f"{day.day:02d}{day.month:02d}{day.year % 100:02d}"
    return None


def _wrap(title: str, text: str, start: int, end: int, width: int) -> str:
    """``title`` in place of ``text[start:end]``, broken into lines of about ``width``
    characters as the PDF's were (never indented, no line opens or ends with a small number)."""
    column = start - (text.rfind("\n", 0, start) + 1)
    line_end = text.find("\n", start)
    gap = " \n" if line_end > 0 and text[line_end - 1:line_end] == " " else "\n"
    # what follows the name on its line stays there: keep room for it after the last word
    after = text.find("\n", end)
    rest = len(text[end:after if after >= 0 else len(text)].rstrip())
    pieces: list[str] = []
    words = title.split(" ")
    for i, word in enumerate(words):
        need = len(word) + (rest if i == len(words) - 1 else 0)
        # a small number at either end of a line would read as a footnote marker or entry
        if (pieces and column + 1 + need > width and not re.fullmatch(r"\d{1,3}\W*", word)
                and not re.fullmatch(r"\d{1,3}\W*", pieces[-1])):
            pieces.append(gap)
            column = 0
        elif pieces:
            pieces.append(" ")
            column += 1
        pieces.append(word)
        column += len(word)
    return "".join(pieces)


# --- many outputs ---------------------------------------------------------------------------

_STATE: dict[str, object] = {}


def _pool(jobs: int, library: Library | None = None):  # a multiprocessing pool
    """Worker processes: forked where the system can (they share the library read), else
    started afresh and given the library once each."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if library is not None and method != "fork":
        return context.Pool(jobs, initializer=_keep_library, initargs=(library,))
    return context.Pool(jobs)


def _keep_library(library: Library) -> None:
    _STATE["library"] = library


def _write_chunk(task: tuple[int, int, int, str, bool]) -> list[tuple[str, dict[str, object], bool | None]]:
    start, stop, seed, out, verify = task
    library = _STATE["library"]
    assert isinstance(library, Library)
    return [_write_one(library, index, seed, Path(out), verify) for index in range(start, stop)]


def _write_one(library: Library, index: int, seed: int, out: Path, verify: bool
               ) -> tuple[str, dict[str, object], bool | None]:
    output = render(library, index, seed)
    write_atomic(out / output.filename, output.text)
    return output.filename, output.manifest(), (check(output, library.catalogue) if verify else None)


def check(output: Output, catalogue: Catalogue | None = None) -> bool:
    """Whether lexgraph reads ``output`` as its manifest says: symbol, date, meeting,
    paragraphs and citations, every citation of an instrument to a catalogue instrument."""
    catalogue = catalogue or default_catalogue()
    document = parse_text(output.text, source=output.filename)
    resolved = resolve_references(extract_references(document, catalogue=catalogue),
                                  catalogue=catalogue)
    return (document.symbol == output.symbol and document.date == output.date
            and (output.plenary_meeting is None or document.plenary_meeting == output.plenary_meeting)
            and len(document.paragraphs) == output.paragraphs
            and len(resolved.citations) == output.citations
            and all(c.target.key in catalogue.instruments for c in resolved.citations
                    if c.target.key))


def generate(library: Library, count: int, out: str | Path, *, seed: int = 1, jobs: int = 1,
             manifest: bool = True, verify: bool = False) -> dict[str, object]:
    """Write ``count`` outputs to ``out`` (and its manifest); return a summary."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    used: set[str] = set()
    files = 0
    failed = 0

    def results() -> Iterator[tuple[str, dict[str, object], bool | None]]:
        if jobs <= 1:
            for index in range(count):
                yield _write_one(library, index, seed, out, verify)
            return
        _STATE["library"] = library
        step = 50
        tasks = [(s, min(count, s + step), seed, str(out), verify) for s in range(0, count, step)]
        with _pool(jobs, library) as workers:
            for chunk in workers.imap(_write_chunk, tasks):
                yield from chunk

    manifest_path = out / "manifest.json"
    handle = None
    temporary = None
    try:
        if manifest:
            import tempfile

            fd, temporary = tempfile.mkstemp(prefix=".manifest.json.", suffix=".tmp", dir=out)
            handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
            handle.write("{")
        for filename, entry, ok in results():
            files += 1
            used.add(str(entry["template"]))
            if ok is False:
                failed += 1
            if handle is not None:
                handle.write(("\n" if files == 1 else ",\n") + f"  {json.dumps(filename)}: "
                             + json.dumps(entry, ensure_ascii=False))
        if handle is not None:
            handle.write("\n}\n")
            handle.close()
            handle = None
            os.chmod(temporary, 0o644)
            os.replace(temporary, manifest_path)
            temporary = None
    finally:
        if handle is not None:
            handle.close()
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
    return {"files": files, "templates_used": len(used), "templates": len(library.templates),
            "skipped": len(library.skipped), "seconds": time.perf_counter() - started,
            "verified_failed": failed if verify else None}


# --- command line ---------------------------------------------------------------------------

class UsageError(Exception):
    """A bad argument or input: one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="synth.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--templates", required=True, help="folder of resolution texts (*.txt)")
    parser.add_argument("--count", type=int, required=True, help="number of documents to write")
    parser.add_argument("--out", required=True, help="output folder (made if missing)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--no-manifest", action="store_true", help="do not write manifest.json")
    parser.add_argument("--verify", action="store_true",
                        help="parse every output again and count those that differ from the manifest")
    started = time.perf_counter()
    try:
        args = parser.parse_args(argv)
        if args.count < 1 or args.count > MAX_COUNT:
            raise UsageError(f"--count must be between 1 and {MAX_COUNT}, not {args.count}")
        if args.jobs < 1:
            raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out is not a folder: {out}")
        library = load_templates(args.templates, jobs=args.jobs)
        last = slot_of(args.count - 1, library.first_session).session
        if last > 190:
            raise UsageError(f"{args.count} documents would need sessions up to {last}; "
                             f"give fewer (the templates end at session {library.first_session - 1})")
        read = time.perf_counter() - started
        summary = generate(library, args.count, out, seed=args.seed, jobs=args.jobs,
                           manifest=not args.no_manifest, verify=args.verify)
    except UsageError as error:
        print(f"synth.py: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"synth.py: error: {where}{error.strerror or error}", file=sys.stderr)
        return 2
    verified = ("" if summary["verified_failed"] is None
                else f", {summary['files'] - summary['verified_failed']} verified"
                     f" ({summary['verified_failed']} differ)")
    print(f"{summary['files']} files from {summary['templates_used']} of {summary['templates']} "
          f"templates ({summary['skipped']} skipped){verified} in "
          f"{time.perf_counter() - started:.1f} s (templates read in {read:.1f} s) -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
