"""Read resolutions stored as Markdown, HTML or PDF into the text layout the parser reads.

:func:`read_document` turns a file into the layout of text extracted from the UN's PDF files,
the one :mod:`graph_builder.parse` understands:

- an optional header before the opening formula (``The General Assembly,``): the symbol on a
  line of its own, ``Resolution adopted by the General Assembly on 19 December 2023`` and the
  title line ``78/228. Improving ...``;
- paragraphs separated by blank lines, footnote markers glued to the word before them
  (``Crime,6``);
- the footnotes as one block after a rule of underscores, one ``N Text.`` line each;
- the closing lines (``47th plenary meeting`` / ``19 December 2023``) at the very end.

Markdown (``.md``, ``.markdown``): YAML front matter (``symbol``, ``title``, ``date``, ...),
``[^n]`` or plain-digit footnote markers and ``[^n]: text`` definitions. HTML (``.html``,
``.htm``): resolution pages with ``<sup>``/``<a href="#fn1">`` markers and notes at the end,
including the fixed-width ``<pre>`` pages of the 1990s with ``1/`` markers. PDF (``.pdf``):
the text layer, read with pypdf. ``.txt`` files are returned as they are.

Every problem with the input is an :class:`~graph_builder.errors.InputError` of one line that
names the file (and the line, where there is one).
"""

from __future__ import annotations

import codecs
import contextlib
import html
import io
import logging
import math
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .errors import InputError

__all__ = ["DOCUMENT_SUFFIXES", "MONTHS", "DATE_TEXT", "OPENING_LINE", "read_document", "read_text"]

MONTHS = ("January February March April May June July August September October November "
          "December").split()
_MONTH = "|".join(MONTHS)
DATE_TEXT = rf"\d{{1,2}}\s+(?:{_MONTH})\s+\d{{4}}"
_DATE_LINE = re.compile(rf"^\s*({DATE_TEXT})\s*\.?\s*$")
_CLOSING = re.compile(
    rf"^\s*(\d{{1,4}}(?:st|nd|rd|th)\s+plenary\s+meeting)\s*[,.;]?\s*(?:({DATE_TEXT})\s*\.?)?\s*$",
    re.IGNORECASE)
# The line that opens a resolution's text: "The General Assembly," (the comma may be lost).
OPENING_LINE = re.compile(
    r"^\s*The\s+(General\s+Assembly|Security\s+Council|Economic\s+and\s+Social\s+Council|"
    r"Human\s+Rights\s+Council|Commission\s+on\s+[A-Z][\w ]+?|Conference\s+of\s+the\s+Parties"
    r"[\w ]*?)\s*(,?)\s*$")
_SYMBOL = re.compile(r"(?<![\w/])((?:A|S|E)(?:/[A-Z0-9.\-]+)*/RES/[\w.\-]+(?:/[\w.\-]+)*"
                     r"(?:\s*\(\d{4}\))?)")
_TITLE_LINE = re.compile(r"^\s*(?:Resolution\s+)?([A-Z-]*\d+/\d+(?:\s*[A-Z])?)\.\s+(\S.*?)\s*$")
_ADOPTED = re.compile(rf"\badopted\s+by\s+the\s+([A-Z][\w ]+?)\s+on\s+({DATE_TEXT})",
                      re.IGNORECASE)
# Header lines the parser reads facts from besides symbol, date and title.
_HEADER_KEEP = re.compile(r"^\s*(?:[A-Z][a-z]+(?:-[a-z]+)?\s+session\b|Agenda\s+items?\s+\d|"
                          r"\[\s*(?:on\s+the\s+reports?\s+of|without\s+reference\s+to))",
                          re.IGNORECASE)
_OPERATIVE_START = re.compile(r"^\s*\d{1,3}\.\s+(?:(?:[A-Z][a-z]+ly|Also|Further)\s+)*"
                              r"[A-Z][a-z]+s\b")
_PREAMBLE_START = re.compile(
    r"^\s*(?:(?:[A-Z][a-z]+ly|Also|Further)\s+)*(?:Recalling|Reaffirming|Recognizing|Noting|"
    r"Taking|Bearing|Having|Welcoming|Emphasizing|Stressing|Expressing|Acknowledging|Aware|"
    r"Mindful|Convinced|Concerned|Guided|Considering|Underlining|Reiterating|Affirming)\b")
_RULE_LINE = re.compile(r"^\s*(?:[_\-=*]\s*){3,}$")
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                            "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st", "\xad": None})

NOTE_RULE = "_______________"


# --------------------------------------------------------------------------------------------
# Entry point


def read_document(path: Path, *, max_bytes: int) -> str:
    """Read a Markdown, HTML, PDF (or plain text) resolution and return it as parser text.

    The format comes from the file's suffix. Raises :class:`InputError` for a missing, empty,
    oversized, binary or undecodable file, a damaged PDF, a page with no resolution in it and
    a suffix no reader is known for.
    """
    path = Path(path)
    name = str(path)
    if path.is_dir():
        raise InputError("is a directory, not a document", path=name)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        known = ", ".join(sorted(_READERS))
        what = f"{suffix} files" if suffix else "a file without a suffix"
        raise InputError(f"cannot read {what} (known: {known})", path=name)
    data = _read_bytes(path, max_bytes)
    return reader(data, name)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    name = str(path)
    try:
        if path.is_dir():
            raise InputError("is a directory, not a document", path=name)
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"file is {size} bytes, above the limit of {max_bytes} bytes",
                             path=name)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError("no such file", path=name) from None
    except PermissionError:
        raise InputError("permission denied", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a document", path=name) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path=name) from None
    if len(data) > max_bytes:
        raise InputError(f"file is above the limit of {max_bytes} bytes", path=name)
    if not data.strip():
        raise InputError("empty file: no text to read", path=name)
    return data


def read_text(path: Path, *, max_bytes: int) -> str:
    """A plain text file, decoded strictly as UTF-8 and kept exactly as it is (line ends too,
    so offsets into it are offsets into the file)."""
    return _decode(_read_bytes(Path(path), max_bytes), str(path), "text", keep_newlines=True)


def _decode(data: bytes, name: str, kind: str, encoding: str = "utf-8", *,
            keep_newlines: bool = False) -> str:
    """Decode a text file strictly; binary or undecodable bytes are an InputError at a line."""
    if data.startswith(b"%PDF-"):
        raise InputError(f"this is a PDF file, not {kind}; give it the suffix .pdf", path=name)
    if data.startswith(codecs.BOM_UTF8):
        data, encoding = data[len(codecs.BOM_UTF8):], "utf-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in data:
        offset = data.index(b"\x00")
        raise InputError(f"binary file (NUL byte), not {kind}", path=name,
                         line=data.count(b"\n", 0, offset) + 1)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        hint = ("convert it with iconv -f <encoding> -t utf-8" if encoding == "utf-8"
                else "the page declares this encoding")
        shown = {"utf-8": "UTF-8", "cp1252": "windows-1252"}.get(encoding, encoding)
        raise InputError(
            f"not {shown} text (byte 0x{data[error.start]:02x} cannot be decoded); {hint}",
            path=name, line=data.count(b"\n", 0, error.start) + 1,
            column=error.start - line_start + 1) from None
    control = re.search(r"[\x00-\x08\x0e-\x1f\x7f]", text)
    if control:
        raise InputError(f"binary file (control character 0x{ord(control.group()):02x}), "
                         f"not {kind}", path=name, line=text.count("\n", 0, control.start()) + 1)
    if not keep_newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("empty file: no text to read", path=name)
    return text


def _read_plain(data: bytes, name: str) -> str:
    return _decode(data, name, "text")


# --------------------------------------------------------------------------------------------
# The parts of a resolution, and the text the parser reads


@dataclass
class _Parts:
    """A resolution cut into what the parser's layout has room for."""

    header: list[str] = field(default_factory=list)  # lines before the opening formula
    opening: str | None = None
    body: list[str] = field(default_factory=list)  # paragraphs (a paragraph may hold "\n")
    notes: list[tuple[int, str]] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)  # plenary meeting, date
    closing_at: int | None = None  # index in body where the closing lines stood


def _render(parts: _Parts) -> str:
    out: list[str] = []
    if parts.header:
        out.extend(parts.header)
        out.append("")
    if parts.opening:
        out.extend([parts.opening, ""])
    for paragraph in parts.body:
        lines = [line for line in paragraph.split("\n") if line.strip()
                 and not _RULE_LINE.match(line)]
        if lines:
            out.extend(lines)
            out.append("")
    notes = [(number, " ".join(_SENTINEL.sub("", text).split())) for number, text in parts.notes]
    notes = [(number, text) for number, text in notes if text]
    if notes:
        out.append(NOTE_RULE)
        out.extend(f"{number} {text}" for number, text in notes)
        out.append("")
    out.extend(parts.closing)
    return "\n".join(out).rstrip("\n") + "\n"


def _split_closing(body: list[str]) -> tuple[list[str], list[str], int | None]:
    """Take the closing lines (``47th plenary meeting`` and its date) out of the body.

    Returns the body without them, the closing lines, and the index in the new body where
    they stood (None when there were none).
    """
    kept: list[str] = []
    closing: list[str] = []
    where: int | None = None
    for paragraph in body:
        if closing and len(closing) == 1 and (date := _DATE_LINE.match(paragraph)):
            closing.append(date.group(1))
            continue
        match = _CLOSING.match(" ".join(paragraph.split()))
        if match and not closing:
            meeting = " ".join(match.group(1).split())
            closing = [meeting[0].lower() + meeting[1:] if meeting[0].isalpha() else meeting]
            if match.group(2):
                closing.append(" ".join(match.group(2).split()))
            where = len(kept)
            continue
        kept.append(paragraph)
    return kept, closing, where


def _find_opening(paragraphs: list[str]) -> int | None:
    for index, paragraph in enumerate(paragraphs):
        if OPENING_LINE.match(paragraph.strip()):
            return index
    return None


def _opening_line(paragraph: str) -> str:
    """The opening formula with the comma the parser expects (``The General Assembly``)."""
    text = " ".join(paragraph.split())
    return text if text.endswith(",") else text + ","


def _looks_like_resolution(parts: _Parts) -> bool:
    if parts.opening:
        return True
    operative = [p for p in parts.body if _OPERATIVE_START.match(p)]
    preamble = [p for p in parts.body if _PREAMBLE_START.match(p)]
    return len(operative) >= 2 or (bool(operative) and bool(preamble))


def _header_facts(lines: list[str]) -> tuple[str | None, str | None, str | None]:
    """Symbol, adoption date (``19 December 2023``) and title line found in header lines."""
    symbol = adopted = title = None
    for line in lines:
        if symbol is None and (match := _SYMBOL.search(line)):
            symbol = re.sub(r"\s+", " ", match.group(1))
        if title is None and _TITLE_LINE.match(line):
            title = " ".join(line.split())
    joined = " ".join(" ".join(lines).split())
    if (match := _ADOPTED.search(joined)):
        adopted = match.group(2)
    return symbol, adopted, title


def _symbol_alone(line: str) -> bool:
    match = _SYMBOL.fullmatch(line.strip())
    return match is not None


# --------------------------------------------------------------------------------------------
# Footnote markers


_SENTINEL_OPEN, _SENTINEL_CLOSE = "\ue000", "\ue001"
_SENTINEL = re.compile(r"[ \t]*\ue000(\d{1,4})\ue001")


def _sentinel(number: int) -> str:
    return f"{_SENTINEL_OPEN}{number}{_SENTINEL_CLOSE}"


# A number that follows one of these words is part of the text ("article 6", "Goal 5").
_NOT_AFTER = frozenset("""
and or to of the a an in on at by for from with than under over about some all per between
among within least only nearly almost approximately around up down into no nos no. nos.
article articles art. paragraph paragraphs para. paras. resolution resolutions decision
decisions section sections chapter chapters chap. part parts annex annexes appendix goal goals
target targets indicator indicators principle principles guideline guidelines rule rules item
items vol. volume page pages p. pp. session sessions recommendation recommendations
phase step level grade option table figure box category and/or point points
stage stages line lines column columns footnote footnotes note notes
""".split())
_BLANK_REST = re.compile(r"\s*\Z")
_UNIT_AFTER = re.compile(
    rf"[ \t]*(?:{_MONTH}|per\s*cent|percent|%|years?|months?|weeks?|days?|hours?|minutes?|"
    r"times|million|billion|trillion|thousand|hundred|members?|States|countries|persons|"
    r"people|women|men|children|cases|and\s+\d|to\s+\d|or\s+\d)\b", re.IGNORECASE)
_CLOSE_PUNCT = ",.;:)]’”\"'"
_WORD_AFTER = re.compile(r"(?:and|in|which|the|of|as|to|that|with|for|on|by|or|including|"
                         r"adopted|entitled|is|are|was|were|at|from)\b")
_AFTER_MARKER = " \t\n,.;:)]’”\"'"


class _MarkerFixer:
    """Glue footnote markers to the word before them, in reading order.

    Explicit markers (``[^4]`` in Markdown, ``<sup>4</sup>`` in HTML) arrive as sentinels and
    are always markers. Plain digits after a word (``Rights, 1 the``) and ``1/`` markers (the
    style of the 1990s) are markers when their footnote exists and is due: the next after the
    highest marker seen, or up to three further (a marker the text lost, or one the parser
    cannot be shown) when the digits follow a comma, end the line, stand apart by two
    spaces or come before a lower-case word. Numbers after words such as "article" or
    "Goal", and before units and months, stay text.
    """

    def __init__(self, note_numbers: set[int], *, slash_style: bool = False) -> None:
        self.notes = note_numbers
        self.slash = slash_style
        self.highest = 0

    def fix(self, text: str) -> str:
        out: list[str] = []
        last = 0
        for match in re.finditer(r"\ue000(\d{1,4})\ue001|\d+", text):
            start, end = match.start(), match.end()
            if match.group(1) is not None:
                number = int(match.group(1))
                cut = _gap_start(text, start)
                out.append(text[last:cut])
                out.append(str(number))
                self._see(number)
                last = end
                continue
            decision = self._decide(text, start, end)
            if decision is None:
                continue
            cut, resume = decision
            out.append(text[last:cut])
            out.append(text[start:end])
            if text[resume:resume + 1].isalpha():
                out.append(" ")  # "Weapons 6and the" -> "Weapons6 and the"
            last = resume
        out.append(text[last:])
        return "".join(out)

    def _see(self, number: int) -> None:
        self.highest = max(self.highest, number)

    def _decide(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """Whether digits at text[start:end] are a marker: (where to cut, where to resume)."""
        digits = text[start:end]
        if len(digits) > 3:
            self._year_and_marker(text, start, end)
            return None
        number = int(digits)
        if number == 0 or number not in self.notes:
            return None
        after = text[end:end + 1]
        slashed = after == "/" and self.slash
        resume = end + 1 if slashed else end
        follow = text[resume:resume + 1]
        glued_after = False
        if follow and follow not in _AFTER_MARKER:
            if not (follow.islower() and _WORD_AFTER.match(text, resume)):
                return None
            glued_after = True  # glued to the next word instead: "Weapons 6and the"
        before = text[start - 1:start] if start else ""
        if before and (before.isdigit() or before in "/-\u2013+"):
            return None
        due = number == self.highest + 1
        near = self.highest < number <= self.highest + 3
        if before and (before.isalpha() or before in _CLOSE_PUNCT):
            # glued already: the parser reads it as it is
            if slashed or due or (near and before in _CLOSE_PUNCT):
                self._see(number)
                return (start, resume) if slashed or glued_after else None
            return None
        cut = _gap_start(text, start)
        if cut == start or cut == 0:
            return None  # at the start of a line or paragraph
        word_end = text[cut - 1]
        if not (word_end.isalpha() or word_end in _CLOSE_PUNCT):
            return None
        word_start = max(text.rfind(" ", 0, cut), text.rfind("\n", 0, cut)) + 1
        word = text[word_start:cut].lower()
        clause_end = word.endswith((",", ";", ":"))
        if not clause_end and word.strip("([\u201c\u2018\"'") in _NOT_AFTER:
            return None
        if re.search(r"\d", word) and not (due and clause_end):
            if due and re.fullmatch(r"(?:19|20)\d\d", word):
                self._see(number)  # "of 1990 3 and": a marker the parser cannot be shown
            return None  # "1 and 2", "15 November 2000 ..."
        if not slashed and _UNIT_AFTER.match(text, resume):
            return None
        rest = text[resume:resume + 2]
        apart = rest.startswith(("  ", "\n")) or _BLANK_REST.match(text, resume) is not None or (
            rest[:1] in ",.;:" and word_end not in ",.;:")
        lower_next = bool(re.match(r" [a-z]", rest))
        if slashed or due or (near and (apart or glued_after or word_end in ",;:" or lower_next)):
            self._see(number)
            return cut, resume
        return None

    def _year_and_marker(self, text: str, start: int, end: int) -> None:
        """A marker glued to a year (``of 19881 and``): the parser cannot tell it from the
        digits, but it is counted here so that the markers after it are still due."""
        digits = text[start:end]
        if not re.fullmatch(r"(?:19|20)\d\d\d{1,3}", digits):
            return
        number = int(digits[4:])
        if number in self.notes and self.highest < number <= self.highest + 2 \
                and not text[end:end + 1].isalnum():
            self._see(number)


def _gap_start(text: str, at: int) -> int:
    """Index where the run of spaces and tabs that ends at ``at`` begins."""
    cut = at
    while cut > 0 and text[cut - 1] in " \t":
        cut -= 1
    return cut


def _fix_markers(parts: _Parts, *, slash_style: bool = False) -> _Parts:
    fixer = _MarkerFixer({number for number, _ in parts.notes}, slash_style=slash_style)
    parts.body = [fixer.fix(paragraph) for paragraph in parts.body]
    parts.header = [_SENTINEL.sub("", line) for line in parts.header]
    return parts


# --------------------------------------------------------------------------------------------
# Markdown


_FRONT_KEY = re.compile(r"^([A-Za-z_][\w\-]*)\s*:(?:\s+(.*?))?\s*$")
_FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:[ \t]?(.*)$")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_MD_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)\s*$")
_PLAIN_NOTE = re.compile(r"^\s{0,3}(?:\[(\d{1,3})\]|(\d{1,3})(?:[.)]|/)?)\s+(\S.*)$")


def _read_markdown(data: bytes, name: str) -> str:
    text = _decode(data, name, "Markdown text")
    lines = text.split("\n")
    meta, body_start = _front_matter(lines, name)
    body_lines = lines[body_start:]
    body_lines, notes, labels = _markdown_footnotes(body_lines)
    paragraphs = _markdown_paragraphs(body_lines, labels)
    if not any(p.strip() for p in paragraphs) and not notes:
        raise InputError("no text after the front matter", path=name,
                         line=body_start + 1 if body_start else None)
    parts = _assemble(paragraphs, notes, meta, keep_header=True)
    if not _looks_like_resolution(parts):
        raise InputError("no resolution text found (no opening formula such as 'The General "
                         "Assembly,' and no numbered operative paragraphs)", path=name)
    symbol, _adopted, title_line = _header_facts(parts.header)
    heads = {head for head in (symbol, title_line and _TITLE_LINE.match(title_line).group(2))
             if head}
    parts.body = _restore_items(_split_run_together(parts.body), heads)
    return _render(_fix_markers(parts))


_ITEM_LABEL = re.compile(r"^\(([a-z]{1,2}|[ivxlc]{1,6})\)\s")
_NUMBERED = re.compile(r"^(\d{1,3})\.\s")


def _split_run_together(body: list[str]) -> list[str]:
    """Split numbered paragraphs that a converter ran into the one before them.

    ``... Agenda for Sustainable Development.2 2. We acknowledge ...`` holds paragraph 2:
    it starts where the next number due follows the end of a sentence (and its marker).
    """
    out: list[str] = []
    last = 0
    for paragraph in body:
        numbered = _NUMBERED.match(paragraph)
        if numbered:
            last = int(numbered.group(1))
        pieces = [paragraph]
        while True:
            due = last + 1
            pattern = re.compile(rf"(?<=[.;:])((?:\ue000\d{{1,4}}\ue001|\d{{1,3}})?)[ \n]+"
                                 rf"(?={due}\.\s+[A-Z])")
            match = pattern.search(pieces[-1])
            if not match or not last:
                break
            tail = pieces[-1]
            pieces[-1] = tail[:match.end(1)]
            pieces.append(tail[match.end():])
            last = due
        out.extend(pieces)
    return out


def _restore_items(body: list[str], heads: set[str]) -> list[str]:
    """Give back the ``(a)``, ``(i)`` labels a converter dropped from sub-paragraphs.

    In the operative part, a paragraph that ends with ``:`` is followed by its items. An item
    without a label (it starts with a capital after a block that ended a clause) gets the
    label its neighbours imply: ``(a)``, ``(b)`` before a ``(c)``; ``(i)`` before a ``(ii)``.
    Where that is not certain, the item joins the paragraph before it, so that its words
    and footnote markers stay in the document.
    """
    out = list(body)
    index = 0
    seen_operative = False
    while index < len(out):
        paragraph = out[index]
        if _NUMBERED.match(paragraph):
            seen_operative = True
        if not (seen_operative and _plain(paragraph).endswith(":")
                and (_NUMBERED.match(paragraph) or _ITEM_LABEL.match(paragraph))):
            index += 1
            continue
        # the region: up to the next numbered paragraph
        end = index + 1
        while end < len(out) and not _NUMBERED.match(out[end]):
            end += 1
        _label_region(out, index, end, heads)
        index = end
    return [paragraph for paragraph in out if paragraph is not None]


def _plain(paragraph: str) -> str:
    return _SENTINEL.sub("", paragraph).rstrip().rstrip("0123456789").rstrip()


def _label_region(out: list, start: int, end: int, heads: set[str]) -> None:
    """Label or join the unlabeled items of out[start + 1:end] (None marks a joined block)."""
    entries: list[_Entry] = []
    owner = _ITEM_LABEL.match(out[start])
    if owner:
        entries.append(_Entry(None, _label_kind(owner.group(1), None)[0], owner.group(1),
                              _plain(out[start]).endswith(":")))
    previous_end = _plain(out[start])[-1:]
    for index in range(start + 1, end):
        text = out[index].strip()
        if text in heads:
            continue  # running head
        labeled = _ITEM_LABEL.match(text)
        if labeled:
            last_letter = next((e.label for e in reversed(entries) if e.kind == "letter"), None)
            entries.append(_Entry(None, _label_kind(labeled.group(1), last_letter)[0],
                                  labeled.group(1), _plain(text).endswith(":")))
        elif text[:1].isupper() and previous_end in (";", ":", "."):
            entries.append(_Entry(index, None, None, _plain(text).endswith(":")))
        previous_end = _plain(text)[-1:]
    position = 0
    while position < len(entries):
        if entries[position].index is None:
            position += 1
            continue
        run_end = position
        while run_end < len(entries) and entries[run_end].index is not None:
            run_end += 1
        labels = _infer_labels(entries[:position], entries[position:run_end],
                               entries[run_end] if run_end < len(entries) else None,
                               nested=owner is not None)
        for slot, entry in enumerate(entries[position:run_end]):
            if labels:
                kind, label = labels[slot]
                out[entry.index] = f"({label}) {out[entry.index]}"
                entry.kind, entry.label = kind, label
            else:
                target = entry.index - 1
                while out[target] is None:
                    target -= 1
                out[target] = f"{out[target]}\n{out[entry.index]}"
                out[entry.index] = None
        position = run_end


@dataclass
class _Entry:
    index: int | None  # position in the body of an unlabeled item; None for a labeled one
    kind: str | None  # "letter" or "roman"
    label: str | None
    opens_list: bool  # ends with ":"


def _infer_labels(earlier: list[_Entry], run: list[_Entry], after: _Entry | None, *,
                  nested: bool) -> list[tuple[str, str]] | None:
    """Labels for a run of unlabeled items, or None when the neighbours do not settle them.

    Items continue the list the entry before them belongs to; a letter item ending with ":"
    opens a list of roman numerals, and inside such a list the letters may resume at any
    item. Every way of labelling the run is tried against the labeled item that follows;
    only a single fit is taken.
    """
    letter = next((e.label for e in reversed(earlier) if e.kind == "letter"), None)
    roman = None
    sublist = nested and not earlier
    if earlier:
        before = earlier[-1]
        sublist = before.kind == "roman" or (before.kind == "letter" and before.opens_list)
        if before.kind == "roman":
            roman = before.label
    fits: list[list[tuple[str, str]]] = []
    if len(run) > 40:
        return None  # no list that long lost every label
    budget = [20000]

    def search(slot: int, letter: str | None, roman: str | None, sublist: bool,
               labels: list[tuple[str, str]]) -> None:
        budget[0] -= 1
        if len(fits) > 1 or budget[0] < 0:
            return  # ambiguous already, or too many ways to try
        if slot == len(run):
            if _fits_after(after, letter, roman, sublist):
                fits.append(list(labels))
            return
        if sublist:
            following = _ROMANS[_ROMANS.index(roman) + 1] if roman else "i"
            if following != _ROMANS[-1]:
                search(slot + 1, letter, following, True, labels + [("roman", following)])
        if nested and letter is None and not earlier:
            return  # the items of an item are romans only
        following = _letters(letter, 2)[1] if letter else "a"
        search(slot + 1, following, None, run[slot].opens_list,
               labels + [("letter", following)])

    search(0, letter, roman, sublist, [])
    return fits[0] if len(fits) == 1 and budget[0] >= 0 else None


def _fits_after(after: _Entry | None, letter: str | None, roman: str | None,
                sublist: bool) -> bool:
    if after is None:
        return not sublist or roman is not None  # an opened list of romans has items
    if after.kind == "letter":
        return after.label == (_letters(letter, 2)[1] if letter else "a")
    return sublist and after.label == (_ROMANS[_ROMANS.index(roman) + 1] if roman else "i")


_ROMANS = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii",
           "xiv", "xv", "xvi", "xvii", "xviii", "xix", "xx"]


def _letters(start: str, count: int) -> list[str]:
    labels = []
    label = start
    for _ in range(count):
        labels.append(label)
        label = "a" * (len(label) + 1) if label[-1] == "z" else chr(ord(label[0]) + 1) * len(label)
    return labels


def _letter_index(label: str) -> int:
    return (len(label) - 1) * 26 + ord(label[0]) - ord("a")


def _label_kind(label: str, last_letter: str | None) -> tuple[str, str]:
    """Whether an item label is a letter or a roman numeral (``(i)`` after ``(h)`` is a
    letter)."""
    if label in _ROMANS:
        if last_letter is not None and _letters(last_letter, 2)[1] == label:
            return "letter", label
        return "roman", label
    return "letter", label


def _front_matter(lines: list[str], name: str) -> tuple[dict[str, str], int]:
    """Read a YAML front matter block of ``key: value`` lines; return it and the body start."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    if not any(line.rstrip() in ("---", "...") for line in lines[1:]):
        raise InputError("front matter opened with '---' is never closed", path=name, line=1)
    meta: dict[str, str] = {}
    key: str | None = None
    block_lines: list[str] = []
    folded = False

    def finish() -> None:
        if key is not None and block_lines:
            joiner = " " if folded else "\n"
            meta[key] = joiner.join(part.strip() for part in block_lines).strip()

    for index in range(1, len(lines)):
        line = lines[index]
        stripped = line.strip()
        if stripped in ("---", "...") and not line.startswith((" ", "\t")):
            finish()
            return meta, index + 1
        if not stripped or stripped.startswith("#"):
            continue
        if line.startswith((" ", "\t")) or stripped.startswith("- "):
            if key is None:
                raise InputError("front matter: indented line with no key above it",
                                 path=name, line=index + 1)
            block_lines.append(stripped[2:] if stripped.startswith("- ") else stripped)
            continue
        match = _FRONT_KEY.match(line)
        if not match:
            raise InputError(f"front matter: expected 'key: value', found {stripped[:40]!r}",
                             path=name, line=index + 1)
        finish()
        key, value = match.group(1).lower(), match.group(2) or ""
        block_lines = []
        folded = value.startswith(">")
        if value[:1] in ("|", ">"):
            continue
        try:
            meta[key] = _yaml_scalar(value)
        except ValueError as error:
            raise InputError(f"front matter: {error}", path=name, line=index + 1) from None
    raise InputError("front matter opened with '---' is never closed", path=name, line=1)


def _yaml_scalar(value: str) -> str:
    """A YAML scalar on one line: plain, 'single' or "double" quoted (with escapes)."""
    value = value.strip()
    if value.startswith('"'):
        match = re.match(r'"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$', value)
        if not match:
            raise ValueError(f"unterminated double-quoted value {value[:40]!r}")
        escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "/": "/", "0": ""}
        return re.sub(r"\\(u[0-9a-fA-F]{4}|.)",
                      lambda m: chr(int(m.group(1)[1:], 16)) if len(m.group(1)) == 5
                      else escapes.get(m.group(1), m.group(1)), match.group(1))
    if value.startswith("'"):
        match = re.match(r"'((?:[^']|'')*)'\s*(?:#.*)?$", value)
        if not match:
            raise ValueError(f"unterminated single-quoted value {value[:40]!r}")
        return match.group(1).replace("''", "'")
    return re.sub(r"\s+#.*$", "", value).strip()


def _markdown_footnotes(lines: list[str]
                        ) -> tuple[list[str], list[tuple[int, str]], dict[str, int]]:
    """Lift ``[^n]: text`` definitions (and their indented continuations) out of the body.

    Returns the remaining lines, the footnotes in order, and the number of each label. A
    definition whose label breaks the numbering while the note before it is unfinished is a
    continuation the converter mistook for a definition (``[^1994]: (United Nations ...``).
    """
    kept: list[str] = []
    raw: list[list[str]] = []  # [label, text]
    current: list[str] | None = None
    gap = False
    for line in lines:
        definition = _FOOTNOTE_DEF.match(line)
        if definition:
            label, rest = definition.group(1), definition.group(2).strip()
            if (current is not None and raw and label.isdigit() and _numeric(raw)
                    and int(label) != int(raw[-1][0]) + 1 and not _finished(current[1])):
                current[1] += f" {label} {rest}"
            else:
                current = [label, rest]
                raw.append(current)
            gap = False
            continue
        if current is not None:
            if not line.strip():
                gap = True
                continue
            if line.startswith(("    ", "\t")) or (not gap and not _MD_HEADING.match(line)):
                current[1] += " " + line.strip()
                gap = False
                continue
            current = None
            if gap:
                kept.append("")
        kept.append(line)
    seen: set[str] = set()
    unique = []
    for label, text in raw:
        if label not in seen:
            seen.add(label)
            unique.append((label, text))
    labels: dict[str, int] = {}
    if all(label.isdigit() and 0 < int(label) < 1000 for label, _ in unique):
        labels = {label: int(label) for label, _ in unique}
    else:
        # named labels ([^note]): number them in the order the text refers to them
        order = [m.group(1) for line in kept for m in _FOOTNOTE_REF.finditer(line)]
        order += [label for label, _ in unique]
        for label in order:
            if label in seen and label not in labels:
                labels[label] = len(labels) + 1
    notes = sorted(((labels[label], _strip_inline_markdown(text)) for label, text in unique),
                   key=lambda note: note[0])
    if not notes:
        kept, notes = _plain_markdown_notes(kept)
        labels = {str(number): number for number, _ in notes}
    return kept, notes, labels


def _note_number(entry: re.Match[str]) -> int:
    return int(entry.group(1) or entry.group(2))


def _numeric(raw: list[list[str]]) -> bool:
    return all(label.isdigit() for label, _ in raw)


def _finished(note: str) -> bool:
    return note.rstrip().endswith((".", ")", "]", ";"))


def _plain_markdown_notes(lines: list[str]) -> tuple[list[str], list[tuple[int, str]]]:
    """Footnotes written as plain ``1 Text`` lines after a final rule (``---``, ``___``)."""
    rule = None
    for index in range(len(lines) - 1, -1, -1):
        if _RULE_LINE.match(lines[index]) and lines[index].strip():
            rule = index
            break
    if rule is None:
        return lines, []
    notes: list[tuple[int, str]] = []
    for line in lines[rule + 1:]:
        if not line.strip():
            continue
        entry = _PLAIN_NOTE.match(line)
        if entry and _OPERATIVE_START.match(line):
            return lines, []  # numbered paragraphs after a rule, not notes
        if entry and (not notes or _note_number(entry) == notes[-1][0] + 1):
            notes.append((_note_number(entry), entry.group(3)))
        elif notes and (line.startswith((" ", "\t")) or not _finished(notes[-1][1])):
            notes[-1] = (notes[-1][0], f"{notes[-1][1]} {line.strip()}")
        else:
            return lines, []
    if not notes:
        return lines, []
    return lines[:rule], [(number, _strip_inline_markdown(text)) for number, text in notes]


def _markdown_paragraphs(lines: list[str], labels: dict[str, int]) -> list[str]:
    """Blank-line separated paragraphs, Markdown syntax removed, ``[^n]`` made sentinels."""
    paragraphs: list[str] = []
    current: list[str] = []
    in_fence = False

    def flush() -> None:
        if current:
            paragraphs.append("\n".join(current))
            current.clear()

    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            flush()
            continue
        if not stripped or (_RULE_LINE.match(line) and not in_fence):
            flush()
            continue
        if re.fullmatch(r"<!--.*?-->", stripped):
            continue
        if _MD_SETEXT.match(line) and current:
            flush()
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            flush()
            current.append(heading.group(1))
            flush()
            continue
        line = re.sub(r"^ {0,3}>\s?", "", line)  # block quote
        line = re.sub(r"^\s*[-*+]\s+", "", line)  # bullet
        line = _FOOTNOTE_REF.sub(lambda m: _reference(m.group(1), labels), line)
        line = _strip_inline_markdown(line)
        line = " ".join(line.split())
        if line:
            current.append(line)
    flush()
    return paragraphs


def _reference(label: str, labels: dict[str, int]) -> str:
    """A ``[^n]`` reference as a marker sentinel (one with no definition keeps its number,
    for the parser to report)."""
    if label in labels:
        return _sentinel(labels[label])
    return _sentinel(int(label)) if label.isdigit() and 0 < int(label) < 1000 else ""


def _strip_inline_markdown(text: str) -> str:
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # image
    text = re.sub(r"\[([^\]^][^\]]*)\]\([^)]*\)", r"\1", text)  # link
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)  # autolink
    text = re.sub(r"</?[A-Za-z][^>]*>", "", text)  # inline HTML
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"(\*{1,3})(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w\\])(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)", r"\2", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|>~])", r"\1", text)
    return html.unescape(text)


def _assemble(paragraphs: list[str], notes: list[tuple[int, str]], meta: dict[str, str], *,
              keep_header: bool) -> _Parts:
    """Cut paragraphs into header, opening, body and closing, filling gaps from metadata."""
    opening = _find_opening(paragraphs)
    parts = _Parts(notes=notes)
    if opening is None:
        header_lines: list[str] = []
        body = paragraphs
    else:
        header_lines = [line for p in paragraphs[:opening] for line in p.split("\n")]
        parts.opening = _opening_line(paragraphs[opening])
        body = paragraphs[opening + 1:]
    body, parts.closing, parts.closing_at = _split_closing(body)
    symbol, adopted, title = _header_facts(header_lines)
    symbol = symbol or _clean_symbol(meta.get("symbol"))
    header: list[str] = []
    if opening is not None:
        if keep_header:
            if symbol and not any(_symbol_alone(line) for line in header_lines):
                header.append(symbol)
            header.extend(line.strip() for line in header_lines if line.strip())
        elif symbol:
            header.append(symbol)
        if not keep_header:  # session, agenda items, the report adopted on: kept as printed
            header.extend(" ".join(line.split()) for line in header_lines
                          if _HEADER_KEEP.search(line))
        if adopted is None:
            adopted = _long_date(meta.get("adopted") or meta.get("adoption_date")
                                 or meta.get("date"))
            if adopted:
                header.append(f"Resolution adopted by the General Assembly on {adopted}")
        elif not keep_header:
            header.append(f"Resolution adopted by the General Assembly on {adopted}")
        if title is None:
            title_text = (meta.get("title") or "").strip().rstrip(":").strip()
            number = _resolution_number(symbol)
            if title_text and number:
                header.append(f"{number}. {' '.join(title_text.split())}")
        elif not keep_header:
            header.append(title)
    parts.header = header
    parts.body = body
    if parts.closing and len(parts.closing) == 1 and adopted:
        parts.closing.append(adopted)
    if not parts.closing:
        meeting = meta.get("plenary_meeting") or meta.get("meeting")
        if meeting and meeting.strip().isdigit():
            parts.closing.append(f"{_ordinal(int(meeting))} plenary meeting")
            if adopted:
                parts.closing.append(adopted)
    return parts


def _clean_symbol(value: str | None) -> str | None:
    if not value:
        return None
    match = _SYMBOL.fullmatch(value.strip())
    return re.sub(r"\s+", " ", match.group(1)) if match else None


def _resolution_number(symbol: str | None) -> str | None:
    """``A/RES/78/228`` -> ``78/228``."""
    if not symbol:
        return None
    match = re.search(r"/RES/((?:[A-Z]+-)?\d+/\d+[A-Z]?)$", symbol)
    return match.group(1) if match else None


def _long_date(value: str | None) -> str | None:
    """``2023-12-19`` -> ``19 December 2023``; a date already written out stays."""
    if not value:
        return None
    value = value.strip()
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", value)
    if match:
        year, month, day = (int(part) for part in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{day} {MONTHS[month - 1]} {year}"
        return None
    match = re.fullmatch(DATE_TEXT, value)
    return " ".join(value.split()) if match else None


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10,
                                                                                    "th")
    return f"{number}{suffix}"


# --------------------------------------------------------------------------------------------
# HTML


@dataclass
class _Block:
    kind: str  # "text", "pre" or "rule"
    text: str
    line: int
    note_id: int | None = None  # the number of the footnote this block defines, from its id
    in_notes: bool = False  # inside a footnotes container (section, div, ol)
    list_index: int | None = None  # position in an ordered list inside such a container


_BLOCK_TAGS = frozenset("""
address article aside blockquote body caption center dd details dialog dir div dl dt fieldset
figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup html li main menu ol p section
summary table tbody td tfoot th thead tr ul
""".split())
_SKIP_TAGS = frozenset("script style noscript template svg math nav button select textarea "
                       "iframe object canvas audio video map".split())
_IMPLIED = {"li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "tr": {"tr", "td", "th"},
            "td": {"td", "th"}, "th": {"td", "th"}}
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track "
                       "wbr".split())
_NOTE_ID = re.compile(r"^(?:_?ftn|fn|foot-?note-?|end-?note-?|note-?)(\d{1,3})$",
                      re.IGNORECASE)
_NOTES_CONTAINER = re.compile(r"foot-?notes|end-?notes|^notes$|footnote-list|ftn-list",
                              re.IGNORECASE)
_BACKLINK = re.compile(r"^\s*(?:[\u21a9\u2191\u2934^]\ufe0e?\ufe0f?|back|return)\s*$",
                       re.IGNORECASE)
_MARKER_TEXT = re.compile(r"^\s*[\[(]?\s*(\d{1,3})\s*[\])]?\s*/?\s*$")


class _HtmlBlocks(HTMLParser):
    """Collect the visible text of a page as blocks, markers as sentinels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.title = ""
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._skip = 0
        self._pre = 0
        self._in_title = False
        self._buffer: list[str] = []
        self._has_text = False
        self._buffer_line = 1
        self._ids: list[str] = []
        self._capture: list[str] | None = None
        self._capture_tag: str | None = None
        self._capture_href: str | None = None
        self._capture_depth = 0
        self._list_counters: list[int] = []

    # element bookkeeping -------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag in _VOID_TAGS:
            self._void(tag)
            return
        if tag == "title":
            self._in_title = True
        if tag == "body":
            self._stack = [entry for entry in self._stack if entry[0] != "head"]
        self._close_implied(tag)
        self._stack.append((tag, attributes))
        if tag in _SKIP_TAGS:
            self._skip += 1
            return
        if self._skip:
            return
        if self._capture is None and (tag == "pre" or tag in _BLOCK_TAGS):
            self._flush()
        for key in ("id", "name"):
            if attributes.get(key):
                self._ids.append(attributes[key])
        if self._capture is not None:
            return
        if tag == "pre":
            self._pre += 1
            return
        if tag in _BLOCK_TAGS:
            if tag == "ol":
                start = attributes.get("start", "1")
                self._list_counters.append(int(start) - 1 if start.isdigit() else 0)
            elif tag == "li" and self._list_counters:
                self._list_counters[-1] += 1
            return
        href = attributes.get("href", "")
        if tag == "sup" or (tag == "a" and href.startswith("#")):
            self._capture = []
            self._capture_tag = tag
            self._capture_href = href or None
            self._capture_depth = len(self._stack)

    def _close_implied(self, tag: str) -> None:
        """Close what HTML closes without an end tag: a ``<p>`` before a block, an ``<li>``
        before the next one, and so on (pages often leave these open)."""
        if tag not in _BLOCK_TAGS and tag not in ("pre", "hr"):
            return
        closes = {"p"} | _IMPLIED.get(tag, set())
        while True:
            found = None
            for open_tag, _ in reversed(self._stack):
                if open_tag in closes:
                    found = open_tag
                    break
                if open_tag in _BLOCK_TAGS or open_tag == "pre":
                    break
            if found is None:
                return
            self.handle_endtag(found)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS:
            self.handle_starttag(tag, attrs)
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def _void(self, tag: str) -> None:
        if self._skip:
            return
        if tag == "br":
            if self._capture is not None:
                self._capture.append(" ")
            else:
                self._buffer.append("\n")
        elif tag == "hr":
            self._flush()
            self.blocks.append(_Block("rule", "", self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID_TAGS:
            return
        if not any(open_tag == tag for open_tag, _ in self._stack):
            return  # a stray end tag
        while self._stack:
            open_tag = self._stack[-1][0]
            self._close(open_tag)  # while it is still open: its id belongs to the block
            self._stack.pop()
            if open_tag == tag:
                break

    def _close(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if self._capture is not None and len(self._stack) <= self._capture_depth:
            self._end_capture()
        if tag == "pre":
            self._flush(kind="pre")
            self._pre = max(0, self._pre - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag == "ol" and self._list_counters:
                self._list_counters.pop()

    def _end_capture(self) -> None:
        text = "".join(self._capture or [])
        href = self._capture_href
        self._capture = None
        marker = _MARKER_TEXT.match(text)
        if marker and (self._capture_tag == "sup" or href):
            self._buffer.append(_sentinel(int(marker.group(1))))
        elif href and _BACKLINK.match(text) and text.strip():
            pass  # a link back from a note to its marker: "↩"
        else:
            self._buffer.append(text)

    # text ----------------------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._skip or self._stack_has("head"):
            return
        if not self._pre:
            data = re.sub(r"[\r\n\t\f]+", " ", data)  # line breaks in the source are spaces
        if self._capture is not None:
            self._capture.append(data)
            return
        if not self._has_text and data.strip():
            self._has_text = True
            self._buffer_line = self.getpos()[0]
        self._buffer.append(data)

    def _stack_has(self, tag: str) -> bool:
        return any(open_tag == tag for open_tag, _ in self._stack)

    def _flush(self, kind: str = "text") -> None:
        if self._capture is not None:
            self._end_capture()
        text = "".join(self._buffer)
        self._buffer = []
        self._has_text = False
        ids = self._ids + [attributes.get(key, "") for _, attributes in self._stack
                           for key in ("id", "name")]
        self._ids = []
        if not text.strip():
            return
        note_id = None
        for identifier in ids:
            match = _NOTE_ID.match(identifier)
            if match:
                note_id = int(match.group(1))
            elif identifier.isdigit() and re.match(
                    rf"\s*[\[(]?{int(identifier)}[\])]?[.:/]?\s", text.lstrip("\n")):
                note_id = int(identifier)  # <a name="1">[1]</a> Text
        in_notes = any(_NOTES_CONTAINER.search(" ".join((attributes.get("id", ""),
                                                         attributes.get("class", ""),
                                                         attributes.get("style", ""))))
                       for _, attributes in self._stack)
        list_index = self._list_counters[-1] if self._list_counters and self._stack_has("li") \
            else None
        if kind == "pre" or self._pre:
            self.blocks.append(_Block("pre", text, self._buffer_line))
            return
        for piece in re.split(r"\n[ \t\xa0]*\n", text):
            lines = [" ".join(line.replace("\xa0", " ").split()) for line in piece.split("\n")]
            joined = "\n".join(line for line in lines if line)
            if joined:
                self.blocks.append(_Block("text", joined, self._buffer_line, note_id, in_notes,
                                          list_index))

    def close(self) -> None:
        super().close()
        self._flush()


_DECLARED_CHARSET = re.compile(
    rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:\-]+)", re.IGNORECASE)
_WINDOWS_ALIASES = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii",
                    "windows-1252", "cp1252", "x-cp1252"}


def _html_encoding(data: bytes, name: str) -> str:
    """The encoding a page declares in a ``<meta>`` element (UTF-8 when it declares none)."""
    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return "utf-8"
    label = match.group(1).decode("ascii", "replace").lower()
    if label in _WINDOWS_ALIASES:
        return "cp1252"  # what browsers do with these labels
    try:
        return codecs.lookup(label).name
    except LookupError:
        line = data.count(b"\n", 0, match.start()) + 1
        raise InputError(f"the page declares an unknown encoding {label!r}", path=name,
                         line=line) from None


def _read_html(data: bytes, name: str) -> str:
    encoding = _html_encoding(data, name)
    text = _decode(data, name, "HTML", encoding)
    collector = _HtmlBlocks()
    try:
        collector.feed(text)
        collector.close()
    except (AssertionError, ValueError) as error:  # malformed markup the parser gives up on
        raise InputError(f"cannot parse the HTML: {error}", path=name) from None
    blocks = collector.blocks
    if not any(block.text.strip() for block in blocks):
        raise InputError("no text in the page", path=name)
    paragraphs, notes, slash_style = _html_paragraphs(blocks)
    meta: dict[str, str] = {}
    if (match := _SYMBOL.search(collector.title)):
        meta["symbol"] = match.group(1)
    parts = _assemble(paragraphs, notes, meta, keep_header=False)
    parts = _trim_page_chrome(parts)
    numbers = {number for number, _ in notes}
    parts.body = [re.sub(r"\[(\d{1,3})\]",  # "Rights[1]": a marker written as text
                         lambda m: _sentinel(int(m.group(1))) if int(m.group(1)) in numbers
                         else m.group(0), paragraph) for paragraph in parts.body]
    if not _looks_like_resolution(parts):
        raise InputError("no resolution text found in the page (no opening formula such as "
                         "'The General Assembly,' and no numbered operative paragraphs)",
                         path=name)
    return _render(_fix_markers(parts, slash_style=slash_style))


def _html_paragraphs(blocks: list[_Block]) -> tuple[list[str], list[tuple[int, str]], bool]:
    """Paragraph texts and footnotes from the blocks of a page."""
    paragraphs: list[str] = []
    notes: dict[int, str] = {}
    slash_style = False
    notes_heading = False
    after_rule = False
    for block in blocks:
        if block.kind == "rule":
            after_rule = True
            continue
        if block.kind == "pre":
            pre_paragraphs, pre_notes = _fixed_width(block.text)
            paragraphs.extend(pre_paragraphs)
            for number, text in pre_notes:
                notes.setdefault(number, text)
            slash_style = slash_style or bool(pre_notes) or bool(
                re.search(r"(?m)^\s*\d{1,3}/\s", block.text))
            continue
        text = block.text
        sentinel = re.match(r"^\s*\ue000(\d{1,4})\ue001[\s.:)]*", text)
        if sentinel:
            number = int(sentinel.group(1))
            notes.setdefault(number, _SENTINEL.sub("", text[sentinel.end():]).strip())
            continue
        if block.note_id is not None and not OPENING_LINE.match(text):
            body = re.sub(r"^\s*[\[(]?\d{1,3}[\])]?[.:/]?\s+", "", _SENTINEL.sub("", text))
            notes.setdefault(block.note_id, body.strip())
            continue
        if block.in_notes and block.list_index is not None:
            notes.setdefault(block.list_index, _SENTINEL.sub("", text).strip())
            continue
        if re.fullmatch(r"\s*(?:Notes|Footnotes|Endnotes)\s*:?\s*", text, re.IGNORECASE):
            notes_heading = True
            continue
        plain = _PLAIN_NOTE.match(text)
        if (notes_heading or after_rule or block.in_notes) and plain and \
                not _OPERATIVE_START.match(text):
            notes.setdefault(_note_number(plain), plain.group(3).strip())
            if re.match(r"^\s*\d{1,3}/", text):
                slash_style = True
            continue
        after_rule = False
        paragraphs.append(text)
    return paragraphs, sorted(notes.items()), slash_style


def _trim_page_chrome(parts: _Parts) -> _Parts:
    """Drop the page's menus and footers that surround the resolution."""
    body = parts.body
    if parts.closing_at is not None and parts.closing_at < len(body) and not re.match(
            r"\s*annex\b", body[parts.closing_at], re.IGNORECASE):
        body = body[:parts.closing_at]  # after the closing lines: the page's footer
    if parts.opening is None:
        start = next((i for i, p in enumerate(body)
                      if _PREAMBLE_START.match(p) or _OPERATIVE_START.match(p)), len(body))
        body = body[start:]
    # after the last paragraph that ends a clause, what is left is the page's footer
    end = len(body)
    while end > 0 and not _plain(body[end - 1]).endswith((".", ";", ":", ",", ")", "\u201d",
                                                          "\u2019", '"')):
        end -= 1
    parts.body = body[:end] if end else body
    return parts


# --------------------------------------------------------------------------------------------
# Fixed-width text (``<pre>`` pages of the 1990s)


_SLASH_NOTE = re.compile(r"^\s*(\d{1,3})/\s+(\S.*)$")
_PAGE_FURNITURE = re.compile(r"^\s*(?:/\.\.\.|\.\.\./?|(?:English\s+)?Page\s+\d+|-\s*\d+\s*-|"
                             r"English|\d{2}-\d{5}(?:\s*\(E\))?.*|\*\d{6,}\*)\s*$")


def _fixed_width(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    """Paragraphs and ``1/``-style notes of a fixed-width text, its lines rejoined."""
    lines = [line.expandtabs().rstrip() for line in text.replace("\f", "\n").split("\n")]
    paragraphs: list[str] = []
    notes: list[tuple[int, str]] = []
    block: list[str] = []
    in_notes = False
    symbol: str | None = None

    def flush() -> None:
        if block:
            paragraphs.extend(_rejoin(block))
            block.clear()

    for line in lines:
        stripped = line.strip()
        if symbol is None and (match := _SYMBOL.fullmatch(stripped)):
            symbol = match.group(1)
        elif symbol and stripped == symbol:
            continue  # running head
        if _PAGE_FURNITURE.match(line):
            continue
        if _RULE_LINE.match(line) and stripped:
            flush()
            in_notes = True
            continue
        if re.fullmatch(r"(?:Notes|NOTES)\s*", stripped):
            flush()
            in_notes = True
            continue
        entry = _SLASH_NOTE.match(line)
        if in_notes:
            if entry:
                notes.append((int(entry.group(1)), entry.group(2).strip()))
                continue
            if stripped and notes and not _finished(notes[-1][1]):
                notes[-1] = (notes[-1][0], f"{notes[-1][1]} {stripped}")
                continue
            if not stripped:
                continue
            in_notes = False
        if not stripped:
            flush()
            continue
        block.append(line)
    flush()
    return paragraphs, notes


def _rejoin(lines: list[str]) -> list[str]:
    """Rejoin the hard-wrapped lines of a block; a block holding several paragraphs (an
    indented first line or an item label after a line that ended a clause) is split."""
    indents = [len(line) - len(line.lstrip()) for line in lines]
    base = min(indents)
    groups: list[list[str]] = [[]]
    for index, line in enumerate(lines):
        stripped = line.strip()
        previous = lines[index - 1].rstrip() if index else ""
        starts = index and previous.endswith((";", ":", ".", ",")) and (
            re.match(r"^(?:\([a-z]{1,2}\)|\([ivx]+\)|\d{1,3}\.)\s", stripped)
            or (indents[index] > base and indents[index - 1] == base))
        if starts:
            groups.append([])
        groups[-1].append(stripped)
    paragraphs = []
    for group in groups:
        text = ""
        for part in group:
            if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and part[:1].islower():
                text += part
            else:
                text = f"{text} {part}" if text else part
        paragraphs.append(" ".join(text.split()))
    return paragraphs


# --------------------------------------------------------------------------------------------
# PDF


def _read_pdf(data: bytes, name: str) -> str:
    head = data[:1024]
    if b"%PDF-" not in head:
        raise InputError("not a PDF file (no %PDF- header)", path=name)
    if b"%%EOF" not in data[-2048:]:
        raise InputError("truncated PDF: no %%EOF marker at its end (an incomplete download?)",
                         path=name)
    try:
        import pypdf
    except ImportError:
        raise InputError("reading PDF files needs the pypdf package (pip install pypdf)",
                         path=name) from None
    pages: list[str] = []
    with _quiet_pypdf():
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise InputError("encrypted PDF: cannot read its text without a password",
                                 path=name)
            count = len(reader.pages)
        except InputError:
            raise
        except Exception as error:  # noqa: BLE001 - pypdf raises many kinds on damaged files
            raise InputError(f"damaged PDF: {_reason(error)}", path=name) from None
        for number in range(count):
            try:
                pages.append(_page_text(reader.pages[number]))
            except Exception as error:  # noqa: BLE001
                raise InputError(f"page {number + 1}: cannot read its text: {_reason(error)}",
                                 path=name) from None
    text = "\n\n".join(page.strip("\n") for page in pages)
    text = text.translate(_LIGATURES).replace("\x00", "").replace("\r", "")
    if not text.strip():
        raise InputError(f"no text in the PDF ({count} page(s) of images only?); "
                         "run OCR on it first", path=name)
    return _closing_last(text.rstrip("\n") + "\n")


def _closing_last(text: str) -> str:
    """Put the closing lines after the last page's footnotes, where the parser looks.

    On the last page of a UN PDF the footnotes are printed below ``47th plenary meeting`` /
    ``19 December 2023``; the lines are moved only when nothing but footnotes and page
    furniture follows them.
    """
    lines = text.split("\n")
    at = next((i for i in range(len(lines) - 1, -1, -1) if _CLOSING.match(lines[i])), None)
    if at is None:
        return text
    end = at + 1
    if end < len(lines) and _DATE_LINE.match(lines[end]):
        end += 1
    rest = [line for line in lines[end:] if line.strip()]
    if not rest or not _RULE_LINE.match(rest[0]):
        return text
    if any(not (re.match(r"^\s{0,3}\d{1,3}\s+\S", line) or _RULE_LINE.match(line)
                or not line[:1].isspace() and not _OPERATIVE_START.match(line))
           for line in rest):
        return text
    closing = lines[at:end]
    kept = lines[:at] + lines[end:]
    return "\n".join(kept).rstrip("\n") + "\n\n" + "\n".join(closing) + "\n"


def _reason(error: Exception) -> str:
    message = " ".join(str(error).split()) or type(error).__name__
    return message[:120]


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Keep pypdf's warnings about damaged files off the user's terminal."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


@dataclass
class _Segment:
    text: str
    x: float | None  # where the text starts
    y: float | None  # its baseline
    size: float  # font size, in the units of the page
    edge: float | None = None  # where it ends, roughly

    def __post_init__(self) -> None:
        if self.edge is None and self.x is not None:
            # half an em a character: pypdf gives no widths to the visitor
            self.edge = self.x + 0.5 * self.size * len(self.text.rstrip())


def _page_text(page) -> str:  # noqa: ANN001 - a pypdf PageObject
    """A page's text, one line a line, with a blank line where the page leaves a gap.

    pypdf's own text keeps no vertical space and may put a raised footnote marker on a line
    of its own; here pieces on the same baseline (a marker raised a little above it included)
    are joined, markers glued to their word, wide gaps between lines become blank lines and
    a line that starts right of the page's margin (a first line, a centred heading) starts
    with a space.
    """
    segments: list[_Segment] = [_Segment("", None, None, 0.0)]

    def visit(text: str, cm: list[float], tm: list[float], _font: object,
              size: float) -> None:
        if not text:
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
        effective = abs(size * scale) if scale else abs(size)
        for index, piece in enumerate(text.split("\n")):
            if index:
                segments.append(_Segment("", None, None, 0.0))
            current = segments[-1]
            if piece.strip() and current.y is None:
                current.x, current.y, current.size = x, y, effective
            current.text += piece

    plain = page.extract_text(visitor_text=visit) or ""
    visited = "\n".join(segment.text for segment in segments)
    if visited.strip() != plain.strip():
        return plain  # a pypdf that visits differently: its own text
    pieces = [_Segment(s.text, s.x, s.y, s.size) for s in segments if s.text.strip()]
    return _space_lines(_merge_baselines(pieces))


def _merge_baselines(segments: list[_Segment]) -> list[_Segment]:
    merged: list[_Segment] = []
    for segment in segments:
        previous = merged[-1] if merged else None
        if previous is None or not _same_line(previous, segment):
            merged.append(segment)
            continue
        piece = segment.text
        small = segment.size < 0.85 * previous.size
        if small and re.fullmatch(r"\s*\d{1,3}\s*", piece):
            joined = previous.text.rstrip() + piece.strip()  # a raised footnote marker
        elif previous.text.endswith((" ", "\t")) or piece.startswith((" ", "\t")):
            joined = previous.text + piece
        else:
            joined = previous.text + " " + piece
        bigger = previous if previous.size >= segment.size else segment
        merged[-1] = _Segment(joined, previous.x, bigger.y, bigger.size,
                              max(previous.edge or 0.0, segment.edge or 0.0))
    return merged


def _same_line(a: _Segment, b: _Segment) -> bool:
    """Whether b continues a's line: about the same baseline (a raised marker included),
    to the right of a and close to where a ends (not the next column of a header)."""
    if a.y is None or b.y is None or a.x is None or b.x is None or a.edge is None:
        return False
    size = max(a.size, b.size, 1.0)
    return abs(a.y - b.y) < 0.45 * size and b.x > a.x and b.x - a.edge < 3 * size


def _mode(values: list[float]) -> float | None:
    """The most frequent value, rounded to a point (the smallest of a tie)."""
    if not values:
        return None
    counts: dict[int, int] = {}
    for value in values:
        counts[round(value)] = counts.get(round(value), 0) + 1
    best = max(counts.values())
    return float(min(value for value, count in counts.items() if count == best))


def _space_lines(lines: list[_Segment]) -> str:
    gaps = [a.y - b.y for a, b in zip(lines, lines[1:], strict=False)
            if a.y is not None and b.y is not None and 0 < a.y - b.y < 3 * max(a.size, 1.0)]
    spacing = _mode(gaps)
    margin = _mode([line.x for line in lines if line.x is not None])
    out: list[str] = []
    for index, line in enumerate(lines):
        previous = lines[index - 1] if index else None
        if previous is not None and spacing and previous.y is not None and line.y is not None:
            gap = previous.y - line.y
            if gap < 0 or (gap > 1.3 * spacing and gap > 1.2 * max(line.size, 1.0)):
                out.append("")
        indent = margin is not None and line.x is not None and \
            line.x - margin > max(line.size, 1.0)
        out.append((" " if indent else "") + line.text.strip())
    return "\n".join(out)


# --------------------------------------------------------------------------------------------

_READERS: dict[str, Callable[[bytes, str], str]] = {
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".txt": _read_plain,
}

#: Suffixes :func:`read_document` converts (``.txt`` is returned as it is).
DOCUMENT_SUFFIXES = frozenset(suffix for suffix in _READERS if suffix != ".txt")
