"""Stage 1: read a resolution's text and split it into metadata, paragraphs and footnotes.

The reader understands text extracted from the UN's PDF files: footnote blocks after a
``_______________`` rule wherever a page ended, footnote markers glued to the preceding word
(``Crime7``, ``Crime,6``), sub-paragraphs pulled onto the previous line by a page break, and
the closing lines (``77th plenary meeting`` / ``22 December 2003``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .models import (
    Diagnostic,
    Division,
    DivisionKind,
    Footnote,
    FootnoteMarker,
    Paragraph,
    ParagraphKind,
    Severity,
    SourceDocument,
)
from .readers import DATE_TEXT, DOCUMENT_SUFFIXES, MONTHS, OPENING_LINE, read_document, read_text

MAX_SOURCE_BYTES = 50 * 1024 * 1024  # far above any real resolution (the longest are ~1 MB)

_DATE = re.compile(rf"\b(\d{{1,2}})\s+({'|'.join(MONTHS)})\s+(\d{{4}})\b")
_PLENARY = re.compile(r"^\s*(\d+)(?:st|nd|rd|th)\s+plenary\s+meeting\s*$", re.IGNORECASE)
_DATE_LINE = re.compile(rf"^\s*{DATE_TEXT}\s*$")
_RULE = re.compile(r"^\s*_{5,}\s*$")
_NOTE_ENTRY = re.compile(r"^\s{0,3}(\d{1,3})\s+(\S.*)$")
_STAR_NOTE = re.compile(r"^\s{0,3}\*{1,3}\s+\S")
_HEADER_SYMBOL = re.compile(r"^\s*((?:A|S|E)(?:/[A-Z0-9.\-]+)*/RES/[\w./\-]+(?:\s*\(\d{4}\))?)\s*$")
_HEADER_TITLE = re.compile(r"^\s*(?:[A-Z-]*\d+/\d+(?:\s*[A-Z])?)\.\s+(\S.*?)\s*$")
_HEADER_ADOPTED = re.compile(rf"adopted by the [\w ]+? on\s+({DATE_TEXT})")
_OPERATIVE = re.compile(r"^(\d{1,3})\.\s+")
_NUMBER_ALONE = re.compile(r"^\d{1,3}\.$")  # "3." on its own line, the words on the next
_ITEM = re.compile(r"^\(([a-z]{1,2}|[ivxlc]{1,6})\)\s+")
_ROMAN_ITEM = re.compile(r"^[ivxlc]+$")
# Participles and adjectives that open a preambular paragraph ("Recalling", "Deeply concerned",
# "Aware", "Mindful"); used to tell a new paragraph from a capitalised continuation line.
_PREAMBLE_OPENER = re.compile(
    r"^(?:(?:[A-Z][a-z]+ly|Also|Further|Once again|Again)\s+)*"
    r"(?:[A-Z][a-z]+(?:ing|ed)|Aware|Mindful|Conscious|Cognizant|Convinced|Determined|Desirous|"
    r"Alarmed|Concerned|Bearing|Having|Taking|Recognizing|Reaffirming|Recalling|Noting|"
    r"Welcoming|Emphasizing|Stressing|Underlining|Acknowledging|Guided|Encouraged|Appreciating|"
    r"Expressing|Reiterating|Considering|Affirming|Deploring|Condemning)\b")
# Glued footnote marker: digits right after a letter or closing punctuation.
_MARKER = re.compile(r"(?<=[^\W\d_]|[,.;:)\]’”\"'])(\d{1,3})(?=$|[\s,.;:)\]])")


@dataclass(frozen=True, slots=True)
class _Line:
    number: int  # 1-based
    start: int  # source offset of the first character
    raw: str  # without the line break

    @property
    def stripped(self) -> str:
        return self.raw.strip()

    @property
    def indented(self) -> bool:
        return bool(self.raw) and self.raw[0].isspace()


def read_source(path: str | Path, *, max_bytes: int = MAX_SOURCE_BYTES) -> str:
    """Read a text source as UTF-8, refusing binary, undecodable, oversized and empty files.

    Raises :class:`~graph_builder.errors.InputError` naming the file (and the line of the
    first bad byte), never a bare ``UnicodeDecodeError``.
    """
    return read_text(Path(path), max_bytes=max_bytes)


def parse_source(path: str | Path, *, symbol: str | None = None, date: str | None = None,
                 title: str | None = None, plenary_meeting: int | None = None) -> SourceDocument:
    """Read and parse a resolution (text, or Markdown, HTML or PDF converted to text).

    Options override what the text says. For converted formats, offsets and lines refer to the
    converted text.
    """
    path = Path(path)
    if path.suffix.lower() in DOCUMENT_SUFFIXES:  # Markdown, HTML, PDF: converted to text first
        text = read_document(path, max_bytes=MAX_SOURCE_BYTES)
    else:
        text = read_source(path)
    return parse_text(text, source=path.name, symbol=symbol, date=date, title=title,
                      plenary_meeting=plenary_meeting, path=str(path))


def symbol_from_filename(name: str) -> str | None:
    """``A-RES-58-137.txt`` -> ``A/RES/58/137``; None when the name is not a symbol."""
    stem = Path(name).stem
    if not re.fullmatch(r"[A-Z]{1,6}(?:-[A-Za-z0-9.]+){2,}", stem):
        return None
    parts = stem.split("-")
    joined: list[str] = []
    for part in parts:
        # Special-session and emergency-session numbers keep their hyphen: ES-10, S-26.
        if joined and joined[-1] in {"ES", "S"} and part.isdigit() and len(joined) > 1:
            joined[-1] = f"{joined[-1]}-{part}"
        else:
            joined.append(part)
    return "/".join(joined)


def iso_date(text: str) -> str | None:
    """``22 December 2003`` -> ``2003-12-22``."""
    match = _DATE.search(text)
    if not match:
        return None
    day, month, year = match.groups()
    return f"{year}-{MONTHS.index(month) + 1:02d}-{int(day):02d}"


def parse_text(text: str, *, source: str = "<text>", symbol: str | None = None,
               date: str | None = None, title: str | None = None,
               plenary_meeting: int | None = None, path: str | None = None) -> SourceDocument:
    """Parse the text of a resolution into a :class:`SourceDocument`.

    Metadata comes from the options when given, else from a header in the text, else from
    the file name (``A-RES-58-137.txt``) and the closing lines.
    """
    where = path or source
    lines = _split_lines(text)
    diagnostics: list[Diagnostic] = []

    opening = next((i for i, line in enumerate(lines) if OPENING_LINE.match(line.raw)), None)
    parts = _part_starts(lines)
    header = lines[:parts[0][0] if parts else opening] if opening is not None else []
    body_start = opening + 1 if opening is not None else 0
    body_end = len(lines)
    closing: list[_Line] = []
    while body_end > body_start:
        line = lines[body_end - 1]
        if not line.stripped or _PLENARY.match(line.raw) or _DATE_LINE.match(line.raw):
            if line.stripped:
                closing.insert(0, line)
            body_end -= 1
        else:
            break

    meta_symbol, meta_date, meta_title = _header_metadata(header)
    facts = header_facts(line.raw for line in header)
    symbol = symbol or meta_symbol or symbol_from_filename(source)
    head_title = meta_title  # the title's first line: what a page's running head repeats
    title = title or facts.title or meta_title
    furniture = _furniture_test(symbol, title, head_title)
    running = _running_head_test(furniture, symbol, title)
    annexes = _annex_starts(lines, body_start, body_end, running)
    dropped, starts = _division_lines(lines, body_start, parts, annexes, running)
    if dropped and not closing:  # closing lines printed before an annex: the resolution's own
        closing = [lines[i] for i in sorted(dropped)
                   if _PLENARY.match(lines[i].raw) or _DATE_LINE.match(lines[i].raw)]
    closing_text = "\n".join(line.raw for line in closing)
    meeting_match = next((_PLENARY.match(line.raw) for line in closing
                          if _PLENARY.match(line.raw)), None)
    date = date or meta_date or iso_date(closing_text)
    if plenary_meeting is None and meeting_match:
        plenary_meeting = int(meeting_match.group(1))
    if symbol is None:
        diagnostics.append(Diagnostic(Severity.WARNING, "no-symbol",
                                      "no document symbol in the text or the file name; "
                                      "give one with --symbol"))

    page_heads = _running_title_lines(lines, body_start, body_end, furniture, title)
    body = [line for line in lines[body_start:body_end]
            if not furniture(line.stripped) and line.number - 1 not in dropped
            and line.number - 1 not in page_heads]
    blocks, footnotes = _blocks_and_footnotes(body, diagnostics)
    divisions = tuple(division for _, division in starts)
    paragraphs = _paragraphs(blocks, {note.number for note in footnotes}, diagnostics, text,
                             starts)
    recognised = any(p.kind is not ParagraphKind.PREAMBULAR or _PREAMBLE_OPENER.match(p.text)
                     for p in paragraphs)
    if not recognised:
        first = lines[body_start].number if body_start < len(lines) else None
        raise InputError("no resolution paragraphs found (expected preambular paragraphs "
                         "or numbered operative paragraphs)", path=where, line=first)
    return SourceDocument(source=source, text=text, symbol=symbol, date=date,
                          plenary_meeting=plenary_meeting, title=title,
                          paragraphs=tuple(paragraphs), footnotes=tuple(footnotes),
                          diagnostics=tuple(diagnostics), session=facts.session,
                          agenda_items=facts.agenda_items, committee=facts.committee,
                          report=facts.report, drafts=facts.drafts, divisions=divisions)


_ANNEX_HEADING = re.compile(r"^\s*ANNEX(?:\s+([IVXLC]{1,6}))?\s*$", re.IGNORECASE)
_PART_LETTER = re.compile(r"^\s*([A-H])\s*$")


def _running_title_lines(lines: list[_Line], start: int, end: int, furniture,
                         title: str | None) -> set[int]:
    """The lines of a running head that prints a long title over several lines: pieces of the
    title on the line with text right before or after other page furniture (the symbol, the
    job number, the page number), with the lines next to them that continue the title ("... in the field
    of human" / "rights"). A piece of the title elsewhere is the text's own words and stays."""
    folded = " ".join(title.split()) if title else ""
    found: set[int] = set()
    if not folded:
        return found

    def stripped(index: int) -> str:
        return lines[index].stripped if start <= index < end else ""

    def neighbour(index: int, step: int) -> str:
        """The next line with text above or below, across up to two blank lines."""
        for distance in range(1, 4):
            if text := stripped(index + step * distance):
                return text
        return ""

    for index in range(start, end):
        piece = stripped(index)
        if (not piece or index in found or furniture(piece) or piece not in folded
                or not any(furniture(neighbour(index, step)) for step in (-1, 1))):
            continue
        chain = {index}
        before, after = index - 1, index + 1
        while stripped(before) and not furniture(stripped(before)) and \
                f"{stripped(before)} {piece}" in folded:
            piece = f"{stripped(before)} {piece}"
            chain.add(before)
            before -= 1
        while stripped(after) and not furniture(stripped(after)) and \
                f"{piece} {stripped(after)}" in folded:
            piece = f"{piece} {stripped(after)}"
            chain.add(after)
            after += 1
        if len(piece) > 12:  # a few words that happen to be in the title are not a head
            found |= chain
    return found


def _running_head_test(furniture, symbol: str | None, title: str | None):
    """Page furniture, or a piece of a running head that prints the title over two lines."""
    folded = " ".join(title.split()) if title else ""

    def test(stripped: str) -> bool:
        return furniture(stripped) or (len(stripped) > 12 and stripped in folded) or \
            stripped == symbol

    return test


def _next_nonblank(lines: list[_Line], start: int, step: int = 1,
                   furniture=None) -> int | None:
    furniture = furniture or _is_furniture
    index = start
    while 0 <= index < len(lines):
        if lines[index].stripped and not furniture(lines[index].stripped):
            return index
        index += step
    return None


def _part_starts(lines: list[_Line]) -> list[tuple[int, str, int]]:
    """Where the parts of a resolution adopted in parts begin: (index of the letter line,
    letter, index of the part's opening formula), for A, B, ... in order; none for a
    resolution not in parts.

    A part is a letter alone on its line, a heading, then ``The General Assembly``.
    """
    found: list[tuple[int, str, int]] = []
    for index, line in enumerate(lines):
        match = _PART_LETTER.match(line.raw)
        if not match or match.group(1) != chr(ord("A") + len(found)):
            continue
        if index and lines[index - 1].stripped and not _is_furniture(lines[index - 1].stripped):
            continue  # a letter inside running text or a table
        after = index + 1
        for _ in range(4):  # the heading may take a few lines
            after = _next_nonblank(lines, after)
            if after is None or OPENING_LINE.match(lines[after].raw):
                break
            if _OPERATIVE.match(lines[after].stripped) or _PART_LETTER.match(lines[after].raw):
                after = None
                break
            after += 1
        if after is not None and after < len(lines) and OPENING_LINE.match(lines[after].raw):
            found.append((index, match.group(1), after))
    return found if len(found) >= 2 else []


def _annex_starts(lines: list[_Line], start: int, end: int,
                  furniture=None) -> list[tuple[int, str]]:
    """Where the annexes after a resolution's text begin: (index of the heading, numeral).

    The heading (``Annex``, ``Annex II``) stands alone after the closing lines of the
    resolution or after a finished paragraph; later headings of the same annex are not new.
    """
    found: list[tuple[int, str]] = []
    for index in range(start, end):
        match = _ANNEX_HEADING.match(lines[index].raw)
        if not match:
            continue
        label = (match.group(1) or "").upper()
        if any(label == seen for _, seen in found):
            continue
        before = _next_nonblank(lines, index - 1, -1, furniture)
        if before is None or before < start:
            continue
        previous = lines[before]
        closing = bool(_PLENARY.match(previous.raw) or _DATE_LINE.match(previous.raw))
        apart = index - before >= 2 and previous.stripped.endswith((".", ";"))
        if found or closing or apart:  # not a word that happens to stand on a line of its own
            found.append((index, label))
    if found and not found[0][1] and any(label for _, label in found[1:]):
        found = found[:1]  # an unnumbered annex with an annex of its own inside: one annex
    return found


def _division_lines(lines: list[_Line], body_start: int, parts: list[tuple[int, str, int]],
                    annexes: list[tuple[int, str]], furniture=None
                    ) -> tuple[set[int], list[tuple[int, Division]]]:
    """The line indexes that belong to no paragraph (letters, headings, opening formulas of
    later parts, annex titles, closing lines before a division) and each division's start."""
    dropped: set[int] = set()
    starts: list[tuple[int, Division]] = []
    for position, (index, letter, opening) in enumerate(parts, start=1):
        title_lines = [line for line in lines[index + 1:opening] if line.stripped]
        dropped.update(range(index, opening + 1))
        _drop_closing(lines, index, body_start, dropped, furniture)
        starts.append((lines[opening].number, Division(
            letter, DivisionKind.PART, letter, position, lines[index].number, lines[index].start,
            " ".join(line.stripped for line in title_lines) or None)))
    for position, (index, label) in enumerate(annexes, start=1):
        dropped.add(index)
        _drop_closing(lines, index, body_start, dropped, furniture)
        title_at = _next_nonblank(lines, index + 1)
        title = None
        if title_at is not None and not _OPERATIVE.match(lines[title_at].stripped) \
                and not _NUMBER_ALONE.match(lines[title_at].stripped) \
                and not _RULE.match(lines[title_at].raw) \
                and not _ANNEX_HEADING.match(lines[title_at].raw) \
                and not lines[title_at].stripped[:1].islower():
            title_end = title_at
            while title_end < len(lines) and lines[title_end].stripped:
                title_end += 1
            title = " ".join(line.stripped for line in lines[title_at:title_end])
            dropped.update(range(title_at, title_end))
        division_id = f"annex.{label}" if label else "annex"
        starts.append((lines[index].number, Division(
            division_id, DivisionKind.ANNEX, label, position, lines[index].number,
            lines[index].start, title)))
    return dropped, sorted(starts, key=lambda start: start[0])


def _drop_closing(lines: list[_Line], index: int, body_start: int, dropped: set[int],
                  furniture=None) -> None:
    """Drop the closing lines (plenary meeting, date) right before a division's heading."""
    furniture = furniture or _is_furniture
    before = index - 1
    while before >= body_start:
        line = lines[before]
        if line.stripped and not (_PLENARY.match(line.raw) or _DATE_LINE.match(line.raw)
                                  or furniture(line.stripped)):
            break
        if line.stripped and not furniture(line.stripped):
            dropped.add(before)
        before -= 1


_FURNITURE = (
    re.compile(r"^\d{2}-\d{5}(?:\s*\(E\))?(?:\s+\d{6})?$"),  # job number: 23-25978 (E) 100124
    re.compile(r"^\*\d{6,}\*$"),  # bar code: *2325978*
    re.compile(r"^\d{1,3}/\d{1,3}$"),  # page: 2/13
)


def _furniture_test(symbol: str | None, *titles: str | None):  # noqa: ANN202 - a predicate
    """Whether a stripped line is page furniture of a UN PDF: job number, bar code, page
    number, and the running head (the document's symbol, or its title, on a line of its own).
    """
    heads = {head for head in (symbol, *titles) if head}

    def test(stripped: str) -> bool:
        return stripped in heads or any(p.match(stripped) for p in _FURNITURE)

    return test


def _is_furniture(stripped: str) -> bool:
    return any(p.match(stripped) for p in _FURNITURE)


def _split_lines(text: str) -> list[_Line]:
    lines = []
    for number, match in enumerate(re.finditer(r"[^\n]*(?:\n|$)", text), start=1):
        if match.start() == len(text) and not match.group():
            break
        lines.append(_Line(number, match.start(), match.group().rstrip("\r\n")))
    return lines


def _header_metadata(header: list[_Line]) -> tuple[str | None, str | None, str | None]:
    symbol = date = title = None
    for line in header:
        if symbol is None and (match := _HEADER_SYMBOL.match(line.raw)):
            symbol = re.sub(r"\s+", " ", match.group(1))
        elif title is None and (match := _HEADER_TITLE.match(line.raw)):
            title = match.group(1)
    joined = " ".join(line.stripped for line in header)
    if (match := _HEADER_ADOPTED.search(joined)):
        date = iso_date(match.group(1))
    return symbol, date, title


_UNITS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
          "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth").split()
_TENS = {"twent": 20, "thirt": 30, "fort": 40, "fift": 50, "sixt": 60, "sevent": 70,
         "eight": 80, "ninet": 90}
_CARDINALS = "one two three four five six seven eight nine".split()
_SESSION = re.compile(
    r"(?<![\w-])((?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-[a-z]+|[a-z]+|"
    r"\d{1,3}(?:st|nd|rd|th))\s+session\b", re.IGNORECASE)
_AGENDA = re.compile(r"\bAgenda\s+items?\s+(\d{1,3}(?:\s*\([a-z]{1,3}\))?"
                     r"(?:\s*(?:,|and|,\s*and)\s*\d{1,3}(?:\s*\([a-z]{1,3}\))?)*)",
                     re.IGNORECASE)
_AGENDA_ITEM = re.compile(r"(\d{1,3})(?:\s*\(([a-z]{1,3})\))?")
_ON_REPORT = re.compile(
    r"\[\s*on\s+the\s+reports?\s+of\s+the\s+([A-Z][\w ]*?Committee)"
    r"(?:\s*\(([A-Z][a-z]+ Committee)\))?\s*\(([^\]]*?)\)\s*\]")
_WITHOUT_REFERENCE = re.compile(
    r"\[\s*without\s+reference\s+to\s+a\s+Main\s+Committee\s*\(([^\]]*?)\)\s*\]",
    re.IGNORECASE)
_DOCUMENT_SYMBOL = re.compile(r"(?<![\w/])([A-Z][A-Z0-9.]*(?:/[A-Za-z0-9.\-]+)+)")


# Lines a title does not run on into (converted formats put header lines right after it).
_TITLE_STOP = re.compile(r"^\s*(?:Resolution\s+adopted\b|\[|Agenda\s+item|Distr\.|"
                         r"United\s+Nations\s*$|General\s+Assembly\s*$)", re.IGNORECASE)


def ordinal_number(word: str) -> int | None:
    """``Seventy-eighth`` -> 78, ``fifth`` -> 5, ``78th`` -> 78; None for anything else."""
    word = word.lower()
    if (match := re.fullmatch(r"(\d{1,3})(?:st|nd|rd|th)", word)):
        return int(match.group(1))
    if word in _UNITS:
        return _UNITS.index(word) + 1
    if word.endswith("ieth") and word[:-4] in _TENS:
        return _TENS[word[:-4]]
    tens, _, unit = word.partition("-")
    if tens.endswith("y") and tens[:-1] in _TENS and unit in _UNITS[:9]:
        return _TENS[tens[:-1]] + _UNITS.index(unit) + 1
    return None


@dataclass(frozen=True, slots=True)
class HeaderFacts:
    """What the header of a resolution says besides its symbol and date."""

    session: int | None = None
    agenda_items: tuple[str, ...] = ()
    committee: str | None = None
    report: str | None = None
    drafts: tuple[str, ...] = ()
    title: str | None = None  # the whole title, over as many lines as it is printed on


def header_facts(lines: Iterable[str]) -> HeaderFacts:
    """Session, agenda items, committee report (or drafts) and title from header lines.

    >>> header_facts(["Seventy-eighth session", "Agenda items 14 and 117",
    ...               "[on the report of the Third Committee (A/78/460, para. 12)]"])
    HeaderFacts(session=78, agenda_items=('14', '117'), committee='Third Committee', \
report='A/78/460', drafts=(), title=None)
    """
    lines = list(lines)
    joined = " ".join(" ".join(lines).split())
    session = None
    for match in _SESSION.finditer(joined):
        before = joined[:match.start()].rstrip().lower()
        if before.endswith(("special", "emergency")):
            continue
        session = ordinal_number(match.group(1))
        if session is not None:
            break
    agenda: list[str] = []
    if (match := _AGENDA.search(joined)):
        for item in _AGENDA_ITEM.finditer(match.group(1)):
            agenda.append(f"{item.group(1)} ({item.group(2)})" if item.group(2) else item.group(1))
    committee = report = None
    drafts: tuple[str, ...] = ()
    if (match := _ON_REPORT.search(joined)):
        committee = match.group(1).strip()
        if match.group(2):
            committee = f"{committee} ({match.group(2)})"
        symbols = _DOCUMENT_SYMBOL.findall(match.group(3))
        report = symbols[0].rstrip(".") if symbols else None
    elif (match := _WITHOUT_REFERENCE.search(joined)):
        drafts = tuple(symbol.rstrip(".") for symbol in _DOCUMENT_SYMBOL.findall(match.group(1)))
    title = None
    for index, line in enumerate(lines):
        if (match := _HEADER_TITLE.match(line)):
            words = [match.group(1)]
            for more in lines[index + 1:]:
                if not more.strip() or _HEADER_TITLE.match(more) or _is_furniture(more.strip()) \
                        or _TITLE_STOP.match(more) or _HEADER_SYMBOL.match(more):
                    break
                words.append(more.strip())
            title = " ".join(" ".join(words).split())
            break
    return HeaderFacts(session, tuple(agenda), committee, report, drafts, title)


def _blocks_and_footnotes(lines: list[_Line], diagnostics: list[Diagnostic]
                          ) -> tuple[list[list[_Line]], list[Footnote]]:
    """Split body lines into paragraph blocks, lifting out footnote blocks at page breaks."""
    blocks: list[list[_Line]] = []
    notes: list[list[_Line]] = []
    note_numbers: list[int] = []
    in_notes = False
    note_gap = False
    blank_before = True
    for line in lines:
        if _RULE.match(line.raw):
            in_notes, note_gap = True, False
            continue
        if in_notes:
            if _STAR_NOTE.match(line.raw):  # "* On behalf of ...": a note on the symbol, not cited
                notes.append([line])  # kept apart (its continuation lines too), then dropped
                note_numbers.append(note_numbers[-1] if note_numbers else 0)
                note_gap = False
                continue
            entry = _NOTE_ENTRY.match(line.raw)
            expected = note_numbers[-1] + 1 if note_numbers else None
            # the next footnote, or one a little further on (a footnote missing); not a line of
            # text that happens to start with a number ("21 December 2020, ...")
            if entry and (expected is None or expected <= int(entry.group(1)) <= expected + 2
                          or (int(entry.group(1)) < expected and _note_complete(notes[-1])
                              and note_gap)):
                notes.append([line])
                note_numbers.append(int(entry.group(1)))
                note_gap = False
                continue
            if not line.stripped:
                note_gap = True
                continue
            if (notes and not note_gap and not line.raw.startswith("  ")
                    and not _note_complete(notes[-1])):
                notes[-1].append(line)
                continue
            in_notes = False
            blank_before = note_gap or blank_before
        if not line.stripped:
            blank_before = True
            continue
        if not blocks or blank_before or _starts_paragraph(line, blocks[-1][-1]):
            blocks.append([line])
        else:
            blocks[-1].append(line)
        blank_before = False

    footnotes = []
    seen: set[int] = set()
    for note_lines in notes:
        first = note_lines[0]
        if _STAR_NOTE.match(first.raw):
            continue
        entry = _NOTE_ENTRY.match(first.raw)
        assert entry is not None
        number = int(entry.group(1))
        text_start = first.start + entry.start(2)
        end_line = note_lines[-1]
        end = end_line.start + len(end_line.raw.rstrip())
        text = " ".join([entry.group(2).strip()] + [line.stripped for line in note_lines[1:]])
        if number in seen:
            diagnostics.append(Diagnostic(Severity.WARNING, "duplicate-footnote",
                                          f"footnote {number} appears twice", first.number))
            continue
        seen.add(number)
        footnotes.append(Footnote(number, text, text_start, end, first.number))
    return blocks, footnotes


def _note_complete(note_lines: list[_Line]) -> bool:
    return note_lines[-1].stripped.endswith((".", ")", "]"))


def _starts_paragraph(line: _Line, previous: _Line) -> bool:
    """Whether ``line`` starts a paragraph although no blank line precedes it.

    A page break can pull a sub-paragraph or the next paragraph onto the previous line's
    heels; such lines are indented or start with an item label after a line that ended a
    clause.
    """
    text = line.stripped
    ended_clause = previous.stripped.endswith((";", ":", ".", ","))
    if _NUMBER_ALONE.match(text):  # not a numbered quotation after "as follows:"
        return previous.stripped.endswith((";", ".")) or line.indented
    if _ITEM.match(text) or _OPERATIVE.match(text):
        return ended_clause or line.indented
    return line.indented and ended_clause and bool(_PREAMBLE_OPENER.match(text))


def _join(lines: Iterable[_Line]) -> tuple[str, list[int]]:
    """Join lines into one string, collapsing whitespace; return it with source offsets."""
    chars: list[str] = []
    offsets: list[int] = []
    for line in lines:
        content = line.raw.rstrip()
        lead = len(content) - len(content.lstrip())
        content = content.lstrip()
        if not content:
            continue
        if chars:
            if chars[-1] == "-" and len(chars) > 1 and chars[-2].isalpha() and content[0].isalpha():
                pass  # a word hyphenated across the line break: keep the hyphen, no space
            else:
                chars.append(" ")
                offsets.append(offsets[-1] + 1)
        for i, ch in enumerate(content):
            if ch.isspace():
                if chars and chars[-1] == " ":
                    continue
                ch = " "
            chars.append(ch)
            offsets.append(line.start + lead + i)
    return "".join(chars), offsets


# A marker glued to a year: "adopted on 20 November 19891 and" (1989, marker 1).
_YEAR_MARKER = re.compile(r"(?<=\b(?:19|20)\d\d)(\d{1,2})(?=$|[\s,.;:)])")
# A footnote marker printed apart from its word, as UN PDFs of the 2020s extract: a number
# after a word or clause punctuation, followed in the source by two spaces or the line's end
# ("Sustainable Development, 1  and"; "Crime,2 \n").
_LOOSE_MARKER = re.compile(r"(?<=[^\W\d_]|[,.;:)]) (\d{1,3})(?= |$|[,;.])")
# The same after a year: "adopted on 1 April 2019 6\n" (the year 2019, marker 6 printed apart).
_YEAR_LOOSE_MARKER = re.compile(r"(?<=\b(?:19|20)\d\d) (\d{1,2})(?= |$|[,;.])")
_NOT_BEFORE_MARKER = {"and", "or", "to", "of", "article", "articles", "paragraph", "paragraphs",
                      "resolution", "resolutions", "decision", "decisions", "no.", "nos.",
                      "guideline", "principle", "section", "rule", "chapter", "part", "annex",
                      "goal", "goals", "target", "targets", "vol.", "page", "para.", "paras.",
                      "under", "over", "than", "about", "some", "all", "session", "item"}


class _MarkerState:
    """Footnote numbers known, and the highest marker seen so far in reading order.

    A glued number that is not a footnote's is still a marker when it is the next one due
    (``Crime9`` after marker 8): a marker whose footnote is missing, which is reported.
    """

    def __init__(self, note_numbers: set[int], source: str = "") -> None:
        self.note_numbers = note_numbers
        self.highest = 0
        self.source = source

    def loose_ok(self, number: int) -> bool:
        """A marker printed apart must be a known footnote, due now or re-used."""
        return number in self.note_numbers and number <= self.highest + 1

    def accepts(self, number: int) -> bool:
        # the marker due next, though its footnote is missing (deleted, or never written)
        dangling = bool(self.note_numbers) and number == self.highest + 1
        if number in self.note_numbers or dangling:
            self.highest = max(self.highest, number)
            return True
        return False


def _strip_markers(text: str, offsets: list[int], state: _MarkerState
                   ) -> tuple[str, list[int], list[FootnoteMarker]]:
    """Remove glued footnote markers (``Crime,6``) from a paragraph's text."""
    keep_text: list[str] = []
    keep_offsets: list[int] = []
    markers: list[FootnoteMarker] = []
    last = 0
    candidates = [(m.start(1), m.end(1), "glued") for m in _MARKER.finditer(text)]
    candidates += [(m.start(1), m.end(1), "loose") for m in _LOOSE_MARKER.finditer(text)]
    candidates += [(m.start(1), m.end(1), "year") for m in _YEAR_MARKER.finditer(text)]
    candidates += [(m.start(1), m.end(1), "year-apart")
                   for m in _YEAR_LOOSE_MARKER.finditer(text)]
    for start, end, kind in sorted(candidates):
        number = int(text[start:end])
        due = number == state.highest + 1 and number in state.note_numbers
        if kind == "glued" and not _is_marker(text, start):
            # "resolution 79/16,2": after a symbol only the marker due next is believed
            if not (due and text[start - 1:start] in ",;" and "/" in text[:start].rsplit(" ", 1)[-1]):
                continue
        if kind == "loose" and not _loose_marker(text, start, end, offsets, state):
            continue
        if kind == "year" and not due:
            continue  # "of 19881 and": the year 1988 and marker 1, only when 1 is due
        if kind == "year-apart" and not (due and _printed_apart(end, offsets, state.source)):
            continue  # "in 2019 6 countries": a count, unless due and alone at the line's end
        loose = kind in ("loose", "year-apart")
        if not state.accepts(number):
            continue
        match = _Span(start, end, text[start:end])
        cut = match.start
        if loose:
            cut -= 1  # a marker printed apart takes its space with it
        keep_text.append(text[last:cut])
        keep_offsets.extend(offsets[last:cut])
        at = sum(len(part) for part in keep_text)
        markers.append(FootnoteMarker(number, at, offsets[match.start],
                                      offsets[match.end - 1] + 1))
        last = match.end
    keep_text.append(text[last:])
    keep_offsets.extend(offsets[last:])
    return "".join(keep_text), keep_offsets, markers


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    text: str


def _loose_marker(text: str, start: int, end: int, offsets: list[int],
                  state: _MarkerState) -> bool:
    if not state.loose_ok(int(text[start:end])):
        return False
    before = text[:start - 1].rsplit(" ", 1)[-1].lower().strip("(")
    if before.rstrip(",.;:)") in _NOT_BEFORE_MARKER or before in _NOT_BEFORE_MARKER:
        return False
    if re.search(r"\d", before) and not before.endswith(","):
        return False  # "15 November 2000 ..." or "2/13": a number, not a marker
    if int(text[start:end]) == state.highest + 1 and before[-1:] in ",;.”’)\"":
        return True  # the next marker due, right after a clause: "technologies”, 14 and"
    if _printed_apart(end, offsets, state.source):
        return True
    after = offsets[end - 1] + 1
    rest = state.source[after:after + 3]
    return rest[:1] in ",;." and text[start - 2:start - 1] not in ",;."


def _printed_apart(end: int, offsets: list[int], source: str) -> bool:
    """Whether a number ending at ``end`` stands apart in the source: two spaces or the end of
    the line follow it, as the PDF extraction leaves a superscript."""
    after = offsets[end - 1] + 1
    rest = source[after:after + 3]
    return rest.startswith("  ") or rest.lstrip(" ").startswith(("\n", "\r")) or \
        after >= len(source)


def _is_marker(text: str, at: int) -> bool:
    token_start = text.rfind(" ", 0, at) + 1
    token = text[token_start:at]
    if "/" in token:  # part of a document symbol: E/2002/68/Add.1
        return False
    digits = len(re.match(r"\d*", text[at:]).group())  # type: ignore[union-attr]
    if token.endswith(".") and len(token) >= 2 and token[-2].isdigit():
        return False  # "3.5": a number, not a marker
    if token.endswith(",") and len(token) >= 2 and token[-2].isdigit() and digits == 3:
        return False  # "1,200": thousands, not a marker ("2016,18" is a marker)
    return not re.search(r"\b(?:No|Nos|para|paras|art|arts|vol|p|pp|sect|chap)\.?$", token)


def _paragraphs(blocks: list[list[_Line]], note_numbers: set[int],
                diagnostics: list[Diagnostic], source: str,
                starts: list[tuple[int, Division]] = ()) -> list[Paragraph]:
    """Paragraphs of the blocks; ``starts`` gives the line at which each annex or part begins
    (its paragraph ids then start with the division's id: ``annex.3``, ``A.op.2``)."""
    paragraphs: list[Paragraph] = []
    state = _MarkerState(note_numbers, source)
    preambular = 0
    operative_seen = False
    current_op: str | None = None
    current_letter: str | None = None  # id of the lettered item sub-sub-items attach to
    last_letter: str | None = None
    positions: dict[tuple[str | None, str | None], int] = {}
    pending = list(starts)
    annex_ids: set[str] = set()
    division: Division | None = None
    prefix_id = ""

    def add(pid: str, kind: ParagraphKind, number: str | None, parent: str | None,
            lines: list[_Line], prefix: int) -> None:
        text, offsets = _join(lines)
        text, offsets, markers = _strip_markers(text, offsets, state)
        _report_dangling(markers, note_numbers, lines, diagnostics)
        scope = division.id if division else None
        positions[scope, parent] = positions.get((scope, parent), 0) + 1
        verb = None if kind is ParagraphKind.SUBPARAGRAPH else opening_phrase(
            text[prefix:], operative=kind is not ParagraphKind.PREAMBULAR)
        paragraphs.append(Paragraph(
            id=pid, kind=kind, number=number, position=positions[scope, parent], parent=parent,
            verb=verb, text=text, start=offsets[0], end=offsets[-1] + 1, line=lines[0].number,
            offsets=tuple(offsets), markers=tuple(markers), division=scope))

    for lines in blocks:
        if pending and lines[0].number >= pending[0][0]:
            while pending and lines[0].number >= pending[0][0]:
                division = pending.pop(0)[1]
            assert division is not None
            prefix_id = f"{division.id}."
            preambular, operative_seen = 0, False
            current_op = current_letter = last_letter = None
        in_annex = division is not None and division.kind is DivisionKind.ANNEX
        head = " ".join(line.stripped for line in lines[:2])
        if (op := _OPERATIVE.match(head)):
            operative_seen = True
            number = op.group(1)
            if in_annex:  # a numbered paragraph of the annex, numbered as the annex numbers
                current_op, current_letter, last_letter = f"{prefix_id}{number}", None, None
                if current_op in annex_ids:  # numbering restarts (rules, an appendix): kept out
                    current_op = None
                    continue
                annex_ids.add(current_op)
                add(current_op, ParagraphKind.NUMBERED, number, None, lines, 0)
                continue
            expected = int(current_op.rsplit(".", 1)[1]) + 1 if current_op else 1
            if int(number) != expected:
                diagnostics.append(Diagnostic(
                    Severity.WARNING, "operative-numbering",
                    f"operative paragraph {number} follows {expected - 1}", lines[0].number))
            current_op, current_letter, last_letter = f"{prefix_id}op.{number}", None, None
            add(current_op, ParagraphKind.OPERATIVE, number, None, lines, 0)
            continue
        if (item := _ITEM.match(head)):
            label = item.group(1)
            owner = current_op or (f"{prefix_id}pp.{preambular}" if preambular else None)
            if owner is None and in_annex:
                continue  # a list before the annex's first numbered paragraph
            if owner is None:
                diagnostics.append(Diagnostic(Severity.WARNING, "orphan-item",
                                              f"item ({label}) outside any paragraph",
                                              lines[0].number))
                continue
            next_letter = _next_label(last_letter)
            is_roman = (bool(_ROMAN_ITEM.match(label)) and label != next_letter
                        and current_letter is not None)
            if current_letter is None and last_letter is None and label == "i":
                # a list numbered (i), (ii) right under the paragraph: no letters above it
                current_letter = owner
                is_roman = True
            if is_roman:
                assert current_letter is not None
                add(f"{current_letter}.{label}", ParagraphKind.SUBPARAGRAPH, label,
                    current_letter, lines, item.end())
            else:
                if label != next_letter:
                    diagnostics.append(Diagnostic(
                        Severity.WARNING, "subparagraph-order",
                        f"sub-paragraph ({label}) where ({next_letter}) was expected",
                        lines[0].number))
                current_letter, last_letter = f"{owner}.{label}", label
                add(current_letter, ParagraphKind.SUBPARAGRAPH, label, owner, lines, item.end())
            continue
        continues = head[:1].islower() or (paragraphs and not paragraphs[-1].text.rstrip()
                                            .endswith((",", ";", ":", ".")))
        same_scope = bool(paragraphs) and paragraphs[-1].division == (
            division.id if division else None)
        if paragraphs and continues and same_scope:
            _extend_last(paragraphs, lines, state)
            _report_dangling(paragraphs[-1].markers, note_numbers, lines, diagnostics)
            continue
        if in_annex:
            continue  # headings, titles and tables of an annex
        if operative_seen:
            diagnostics.append(Diagnostic(Severity.WARNING, "unnumbered-block",
                                          f"unnumbered text after the operative paragraphs "
                                          f"began: {head[:40]!r}", lines[0].number))
            continue
        preambular += 1
        current_letter, last_letter = None, None
        add(f"{prefix_id}pp.{preambular}", ParagraphKind.PREAMBULAR, None, None, lines, 0)
    return paragraphs


def _next_label(last: str | None) -> str:
    """The item label after ``last``: a, b, ... z, then aa, bb, ... as UN texts number them."""
    if not last:
        return "a"
    if last[-1] == "z":
        return "a" * (len(last) + 1)
    return chr(ord(last[0]) + 1) * len(last)


def _report_dangling(markers: tuple[FootnoteMarker, ...] | list[FootnoteMarker],
                     note_numbers: set[int], lines: list[_Line],
                     diagnostics: list[Diagnostic]) -> None:
    for marker in markers:
        line = next((ln for ln in reversed(lines) if ln.start <= marker.start), None)
        if marker.number in note_numbers or line is None:
            continue  # known footnote, or a marker of an earlier block
        diagnostics.append(Diagnostic(Severity.ERROR, "marker-without-footnote",
                                      f"footnote marker {marker.number} has no footnote",
                                      line.number, marker.start - line.start + 1))


def _extend_last(paragraphs: list[Paragraph], lines: list[_Line], state: _MarkerState) -> None:
    """Append lines separated by a page break to the paragraph they continue."""
    last = paragraphs[-1]
    text, offsets = _join(lines)
    text, offsets, markers = _strip_markers(text, offsets, state)
    shift = len(last.text) + 1
    joined_offsets = last.offsets + (last.offsets[-1] + 1,) + tuple(offsets)
    moved = tuple(FootnoteMarker(m.number, m.at + shift, m.start, m.end) for m in markers)
    paragraphs[-1] = Paragraph(
        id=last.id, kind=last.kind, number=last.number, position=last.position,
        parent=last.parent, verb=last.verb, text=f"{last.text} {text}", start=last.start,
        end=offsets[-1] + 1, line=last.line, offsets=joined_offsets,
        markers=last.markers + moved, division=last.division)


# Words that may follow the head of an opening phrase and belong to it.
_PHRASE_TAILS = {
    "taking": ("note of", "note", "into account", "into consideration"),
    "takes": ("note of", "note", "into account"),
    "take": ("note of",),
    "calls": ("upon", "on", "for"),
    "call": ("upon", "on", "for"),
    "bearing": ("in mind",),
    "having": (),
    "noting": ("with deep concern", "with grave concern", "with concern", "with appreciation",
               "with satisfaction", "with interest"),
    "notes": ("with deep concern", "with grave concern", "with concern", "with appreciation",
              "with satisfaction", "with interest"),
    "expressing": (),
    "expresses": (),
}
_TRAILING_ADVERBS = ("also", "further", "again", "moreover", "once again")
_STOP_WORDS = {"at", "by", "for", "that", "of", "to", "with", "about", "over", "in", "on", "the",
               "a", "an", "its", "their", "all", "member", "states", "whether", "what", "how"}


def opening_phrase(text: str, *, operative: bool = False) -> str | None:
    """The phrase a paragraph opens with: "Recalling also", "Deeply concerned", "Calls upon".

    >>> opening_phrase("Taking note of guideline 8, Special measures")
    'Taking note of'
    >>> opening_phrase("5. Also invites Member States", operative=True)
    'Also invites'
    """
    if operative:
        text = _OPERATIVE.sub("", text, count=1)
    words = text.split()
    if not words:
        return None
    phrase: list[str] = []
    i = 0
    while i < len(words) - 1 and (re.fullmatch(r"[A-Z]?[a-z]+ly", words[i])
                                  or words[i] in {"Also", "Further", "Again", "Once", "again"}):
        phrase.append(words[i])
        i += 1
    head = words[i].rstrip(",;:")
    phrase.append(head)
    i += 1
    rest = " ".join(words[i:])
    lowered = head.lower()
    if lowered in ("having", "expressing", "expresses"):
        # "Having considered", "Expressing deep concern": take words up to a preposition.
        while i < len(words) and words[i].lower().strip(",;:") not in _STOP_WORDS:
            phrase.append(words[i].rstrip(",;:"))
            i += 1
            if lowered == "having":
                break
        rest = " ".join(words[i:])
    for tail in _PHRASE_TAILS.get(lowered, ()):
        if rest.startswith(tail + " ") or rest == tail:
            phrase.append(tail)
            rest = rest[len(tail):].lstrip()
            break
    for adverb in _TRAILING_ADVERBS:
        if rest.startswith(adverb + " "):
            phrase.append(adverb)
            break
    return " ".join(phrase)
