"""Frozen value objects passed between the pipeline stages.

parse -> :class:`SourceDocument`; extract -> :class:`Extraction` (footnote targets and
:class:`Reference` objects); resolve -> :class:`Citation` with a :class:`Target`; emit -> RDF.
Offsets (``start``/``end``) are always character offsets into :attr:`SourceDocument.text`,
the source exactly as decoded, so a quote can be found again in the file it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Relation(str, Enum):
    """How a paragraph cites: the local name of the ``lex:`` property it becomes."""

    CITES = "cites"
    RECALLS = "recalls"
    REAFFIRMS = "reaffirms"
    TAKES_NOTE_OF = "takesNoteOf"
    NOTES = "notes"
    WELCOMES = "welcomes"
    IMPLEMENTS = "implements"


class ParagraphKind(str, Enum):
    PREAMBULAR = "preambular"
    OPERATIVE = "operative"
    SUBPARAGRAPH = "subparagraph"
    NUMBERED = "numbered"  # a numbered paragraph of an annex, not one of the resolution's own


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something a user should know about a source: a doubtful marker, an unresolved name."""

    severity: Severity
    code: str
    message: str
    line: int | None = None
    column: int | None = None

    def to_json(self) -> dict[str, object]:
        return {"severity": self.severity.value, "code": self.code, "message": self.message,
                "line": self.line, "column": self.column}


@dataclass(frozen=True, slots=True)
class FootnoteMarker:
    """A footnote marker in a paragraph: ``at`` in the paragraph's clean text, span in the source."""

    number: int
    at: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A preambular or operative paragraph, or a sub-paragraph, without its own sub-paragraphs.

    ``text`` is the paragraph's words with line breaks joined, page furniture and footnote
    markers removed; ``offsets[i]`` is the source offset of ``text[i]``.
    """

    id: str
    kind: ParagraphKind
    number: str | None
    position: int
    parent: str | None
    verb: str | None
    text: str
    start: int
    end: int
    line: int
    offsets: tuple[int, ...] = field(repr=False)
    markers: tuple[FootnoteMarker, ...] = ()
    division: str | None = None  # id of the annex or part it stands in ("annex.II", "A")

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of :attr:`text` to the source."""
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass(frozen=True, slots=True)
class Footnote:
    number: int
    text: str
    start: int
    end: int
    line: int


class DivisionKind(str, Enum):
    ANNEX = "annex"
    PART = "part"


@dataclass(frozen=True, slots=True)
class Division:
    """An annex of a resolution, or one of its parts (A, B, ...), and where it begins.

    ``id`` prefixes the ids of the paragraphs in it: ``annex`` (the single annex),
    ``annex.II`` (annex II), ``A`` (part A). ``label`` is the printed numeral or letter
    (``""`` for a single unnumbered annex); ``title`` the heading printed under it, if any.
    """

    id: str
    kind: DivisionKind
    label: str
    position: int
    line: int
    start: int
    title: str | None = None


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A parsed resolution: its metadata, paragraphs in reading order, and footnotes."""

    source: str
    text: str
    symbol: str | None
    date: str | None
    plenary_meeting: int | None
    title: str | None
    paragraphs: tuple[Paragraph, ...]
    footnotes: tuple[Footnote, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    session: int | None = None  # "Seventy-eighth session" -> 78
    agenda_items: tuple[str, ...] = ()  # "Agenda items 13 and 75 (a)" -> ("13", "75 (a)")
    committee: str | None = None  # "Third Committee", on whose report it was adopted
    report: str | None = None  # symbol of that report: "A/78/460"
    drafts: tuple[str, ...] = ()  # adopted without reference to a Main Committee, on these
    divisions: tuple[Division, ...] = ()  # annexes and parts, in reading order

    def paragraph(self, paragraph_id: str) -> Paragraph:
        for paragraph in self.paragraphs:
            if paragraph.id == paragraph_id:
                return paragraph
        raise KeyError(paragraph_id)

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a source offset."""
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return line, column


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A UN document, or one of its annexes, named by its symbol.

    ``annex`` is a roman numeral, ``""`` for a single unnumbered annex, ``None`` for the
    document itself. A treaty no UN document holds (found by its Treaty Series reference) has
    no symbol and the catalogue ``key`` instead.
    """

    symbol: str | None
    annex: str | None = None
    key: str | None = None


Pinpoint = tuple[tuple[str, str], ...]
"""The cited part as ordered (kind, number) pairs: ``(("article", "6"), ("paragraph", "2"))``."""


@dataclass(frozen=True, slots=True)
class Reference:
    """What some words of a paragraph cite, before resolution to IRIs.

    The cited thing is named by a catalogue ``name_key`` (an instrument named in the text),
    by ``document`` (a symbol from the text or from the footnote ``footnote``), or both.
    """

    paragraph_id: str
    relation: Relation
    quote: str
    start: int
    end: int
    name_key: str | None = None
    document: DocumentRef | None = None
    footnote: int | None = None
    pinpoint: Pinpoint = ()
    named: bool = True  # whether the words name the instrument (not "the Convention", "thereof")


@dataclass(frozen=True, slots=True)
class Extraction:
    """The result of the extract stage for one document."""

    document: SourceDocument
    footnote_targets: dict[int, tuple[DocumentRef, ...]]
    references: tuple[Reference, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True, slots=True)
class Target:
    """A resolved cited instrument or document (not yet the pinpointed part)."""

    iri: str
    title: str | None
    symbol: str | None
    annex: str | None
    key: str | None = None
    kind: str = "Instrument"


@dataclass(frozen=True, slots=True)
class Citation:
    """A resolved citation: paragraph -> target (+ pinpoint), with its words and where they are."""

    paragraph_id: str
    relation: Relation
    target: Target
    cited_iri: str
    pinpoint: Pinpoint
    quote: str
    start: int
    end: int
    footnote: int | None = None
    named_iri: str | None = None  # the instrument the words name, when they name one


@dataclass(frozen=True, slots=True)
class Resolved:
    """The result of the resolve stage for one document."""

    extraction: Extraction
    citations: tuple[Citation, ...]
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def document(self) -> SourceDocument:
        return self.extraction.document
