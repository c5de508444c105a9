"""Treaty texts as graph data: articles and article paragraphs with their headings and words.

A treaty text is Markdown in the layout of the Dutch treaty database's conversions
(``statengeneraal/laws-markdown``)::

    ##<title in the original language>
    ####<English title>
    <preamble>
    ### PART I            (or ### CHAPTER I, ###SECTION I, ###I General provisions)
    ####<heading of the part>
    ### Article  6
    ####<heading of the article>
    1.   <numbered paragraph>
    a) <lettered sub-paragraph, part of the paragraph above>

Often a second language version follows the English one (``### Artikel 1``, ``### DEEL I``);
only headings ``Article N`` make articles, so that version is left out, as is a second
instrument printed after the first (article numbering that starts again at 1, such as the
Optional Protocol printed after a Covenant).

The text is matched to its catalogue instrument by its title, so its article nodes get the IRIs
:meth:`IriMinter.part <graph_builder.iris.IriMinter.part>` gives cited articles: a resolution's
citation of article 6, paragraph 2, and the treaty's own text meet on one node. A treaty the
catalogue does not know is built under an instrument IRI minted from its title, with a warning.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef

from .catalogue import Catalogue, Instrument, default_catalogue
from .emit import Triples, _emit_instrument
from .errors import InputError
from .iris import IriMinter, slug
from .models import Diagnostic, Severity
from .namespaces import ELI, LEX, bind_prefixes
from .parse import read_source
from .resolve import pinpoint_words

log = logging.getLogger(__name__)

TREATY_SUFFIXES = (".md", ".markdown")
_SNIFF_CHARS = 64 * 1024

_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*$")
_ARTICLE = re.compile(
    r"^#{1,4}\s*Article\s+(\d+(?:\s+(?:bis|ter|quater|quinquies|sexies|septies|octies))?)"
    r"\s*\.?\s*$", re.IGNORECASE)
_DIVISION = re.compile(
    r"^#{2,3}\s*(?:(part|chapter|section)\s+)?([IVXLC]+|\d+)(?![\w])\.?\s*(.*?)\s*$",
    re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(\d{1,3})\s*\.(?:\s+|(?=[A-Z(\"“]))(\S.*)$")
# Closing formulas after the last article: the testimonium and the ILO's authentication.
_CLOSING = re.compile(r"^\s*(?:in witness whereof|in faith whereof|done at\b|the foregoing is the "
                      r"authentic text)", re.IGNORECASE)
_ITALIC_LEAD = re.compile(r"^\*([^*]{8,300})\*")
_TITLE_TRIM = " \t.:;,*_"
_TAIL_WORDS = re.compile(r"\s+")
_MAX_KEY_WORDS = 10


@dataclass(frozen=True, slots=True)
class TreatyParagraph:
    """A numbered paragraph of an article, with its lettered sub-paragraphs in ``text``."""

    number: str
    text: str
    start: int
    end: int
    line: int


@dataclass(frozen=True, slots=True)
class TreatyDivision:
    """A part, chapter or section grouping articles: ``kind`` is ``part``, ``chapter`` or ``section``."""

    kind: str
    number: str
    heading: str | None
    line: int
    articles: tuple[str, ...]  # numbers of its articles


@dataclass(frozen=True, slots=True)
class TreatyArticle:
    number: str
    heading: str | None
    text: str  # the article's words below its heading, one source line a line
    paragraphs: tuple[TreatyParagraph, ...]
    start: int  # offset of the article's heading line
    end: int  # end of its last line of text
    line: int
    division: str | None = None  # "part I", "chapter IV"


@dataclass(frozen=True, slots=True)
class TreatyText:
    """A parsed treaty text. Offsets and lines refer to the file as read."""

    source: str
    text: str
    title: str
    preamble: str
    divisions: tuple[TreatyDivision, ...]
    articles: tuple[TreatyArticle, ...]
    diagnostics: tuple[Diagnostic, ...] = ()

    def article(self, number: str) -> TreatyArticle | None:
        return next((a for a in self.articles if a.number == number), None)


@dataclass(frozen=True, slots=True)
class BuiltTreaty:
    """A treaty text turned into triples, under the IRI of its instrument."""

    treaty: TreatyText
    instrument: Instrument | None  # None when the catalogue does not know the treaty
    iri: str
    triples: Triples
    diagnostics: tuple[Diagnostic, ...]


# -- Detecting and parsing ----------------------------------------------------------------------

def is_treaty_text(path: str | Path) -> bool:
    """Whether ``path`` is a treaty text in the Markdown layout described above.

    It is a Markdown file without YAML front matter (resolutions converted to Markdown have
    it) that has an ``Article N`` heading, or opens with the layout's title headings.
    """
    path = Path(path)
    if path.suffix.lower() not in TREATY_SUFFIXES or not path.is_file():
        return False
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            head = handle.read(_SNIFF_CHARS)
    except OSError:
        return False
    head = head.lstrip("\ufeff")
    if head.lstrip().startswith("---"):
        return False
    lines = head.splitlines()
    if any(_ARTICLE.match(line) for line in lines):
        return True
    headings = [line for line in lines[:12] if line.strip()
                and not line.lstrip().startswith("<")][:2]
    return (len(headings) == 2 and all(_HEADING.match(h) for h in headings)
            and headings[0].startswith("##") and headings[1].startswith("###"))


def read_treaty(path: str | Path, *, title: str | None = None,
                catalogue: Catalogue | None = None) -> TreatyText:
    """Read and parse the treaty text at ``path``."""
    path = Path(path)
    return parse_treaty(read_source(path), source=path.name, title=title, catalogue=catalogue)


def parse_treaty(text: str, *, source: str = "<treaty>", title: str | None = None,
                 catalogue: Catalogue | None = None) -> TreatyText:
    """Parse a treaty text; raises :class:`InputError` when it has no ``Article N`` heading."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    bare = [line.rstrip("\r\n") for line in lines]

    first_article = next((i for i, line in enumerate(bare) if _ARTICLE.match(line)), None)
    if first_article is None:
        raise InputError("treaty text has no article (no heading like '### Article 1')",
                         path=source)
    diagnostics: list[Diagnostic] = []

    # Title and preamble: what stands before the first division or article heading.
    front_end = first_article
    for i in range(first_article):
        if _DIVISION.match(bare[i]):
            front_end = i
            break
    candidates = _title_candidates(bare[:front_end])
    chosen = title or _choose_title(candidates, catalogue)
    if not chosen:
        raise InputError("treaty text has no title heading before its first article",
                         path=source)
    preamble = "\n".join(line.strip() for line in bare[:front_end]
                         if line.strip() and not _HEADING.match(line)
                         and not line.lstrip().startswith("<"))

    articles: list[TreatyArticle] = []
    divisions: list[tuple[str, str, str | None, int, list[str]]] = []
    seen: dict[str, int] = {}
    current_division: int | None = None
    i = front_end
    while i < len(bare):
        line = bare[i]
        division = _DIVISION.match(line) if not _ARTICLE.match(line) else None
        if division:
            kind = (division.group(1) or "part").lower()
            number = division.group(2).upper() if not division.group(2).isdigit() \
                else division.group(2)
            heading = division.group(3).strip(_TITLE_TRIM) or None
            j = _next_content(bare, i + 1)
            if heading is None and j < len(bare) and _is_subheading(bare[j]):
                heading = _heading_text(bare[j])
                j += 1
            divisions.append((kind, number, heading, i + 1, []))
            current_division = len(divisions) - 1
            i = j
            continue
        match = _ARTICLE.match(line)
        if not match:
            i += 1
            continue
        number = " ".join(match.group(1).split()).lower()
        if number in seen:  # numbering starts again: another instrument follows
            diagnostics.append(Diagnostic(
                Severity.INFO, "treaty-second-instrument",
                f"article {number} again after article {articles[-1].number}: the text from "
                f"here on is another instrument and is not read", i + 1, 1))
            break
        j = _next_content(bare, i + 1)
        heading = None
        if j < len(bare) and _is_subheading(bare[j]):
            heading = _heading_text(bare[j])
            j += 1
        body_end = j
        while body_end < len(bare) and not _HEADING.match(bare[body_end]):
            body_end += 1
        body = []
        for k in range(j, body_end):
            if _CLOSING.match(bare[k]):
                break
            if bare[k].strip():
                body.append(k)
        if not body and heading is None:
            diagnostics.append(Diagnostic(Severity.WARNING, "treaty-empty-article",
                                          f"article {number} has no text", i + 1, 1))
        paragraphs = _paragraphs(bare, body, starts)
        end = starts[body[-1]] + len(bare[body[-1]].rstrip()) if body else \
            starts[i] + len(line.rstrip())
        division_name = None
        if current_division is not None:
            kind, dnumber, _, _, members = divisions[current_division]
            members.append(number)
            division_name = f"{kind} {dnumber}"
        seen[number] = len(articles)
        articles.append(TreatyArticle(
            number=number, heading=heading,
            text="\n".join(_clean(bare[k]) for k in body),
            paragraphs=paragraphs, start=starts[i], end=end, line=i + 1,
            division=division_name))
        i = body_end
    return TreatyText(
        source=source, text=text, title=chosen, preamble=preamble,
        divisions=tuple(TreatyDivision(kind, number, heading, line, tuple(members))
                        for kind, number, heading, line, members in divisions if members),
        articles=tuple(articles), diagnostics=tuple(diagnostics))


def _next_content(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _is_subheading(line: str) -> bool:
    """A heading line that names what stands above it (``####Use of terms``)."""
    match = _HEADING.match(line)
    return bool(match and len(match.group(1)) >= 4 and match.group(2).strip(_TITLE_TRIM))


def _heading_text(line: str) -> str:
    match = _HEADING.match(line)
    assert match is not None
    return " ".join(match.group(2).split()).strip(_TITLE_TRIM)


def _clean(line: str) -> str:
    return " ".join(line.split())


def _paragraphs(lines: list[str], body: list[int],
                starts: list[int]) -> tuple[TreatyParagraph, ...]:
    """Numbered paragraphs 1, 2, 3, ... of an article body (a number out of order is text)."""
    found: list[tuple[str, list[int]]] = []
    for k in body:
        match = _NUMBERED.match(lines[k])
        if match and int(match.group(1)) == len(found) + 1:
            found.append((match.group(1), [k]))
        elif found:
            found[-1][1].append(k)
    paragraphs = []
    for number, members in found:
        first, last = members[0], members[-1]
        words = [_clean(lines[k]) for k in members]
        words[0] = _clean(_NUMBERED.match(lines[first]).group(2))  # type: ignore[union-attr]
        offset = len(lines[first]) - len(lines[first].lstrip())
        paragraphs.append(TreatyParagraph(
            number=number, text="\n".join(words), start=starts[first] + offset,
            end=starts[last] + len(lines[last].rstrip()), line=first + 1))
    return tuple(paragraphs)


def _title_candidates(lines: list[str]) -> list[str]:
    """Headings, and an italic title opening a line, before the first article, in order."""
    found = []
    for line in lines:
        match = _HEADING.match(line)
        if match and match.group(2).strip(_TITLE_TRIM):
            found.append(" ".join(match.group(2).split()).strip(_TITLE_TRIM))
            continue
        italic = _ITALIC_LEAD.match(line.strip())
        if italic:
            found.append(" ".join(italic.group(1).split()).strip(_TITLE_TRIM))
    return found


def _squash(name: str) -> str:
    return " ".join(name.lower().replace("’", "'").split()).strip(_TITLE_TRIM)


def _choose_title(candidates: list[str], catalogue: Catalogue | None) -> str | None:
    """The candidate the catalogue knows; else the English title of the layout (the heading
    after the original-language one), else the first heading."""
    if catalogue is not None and _match_name(candidates, catalogue) is not None:
        return _match_name(candidates, catalogue)[0]  # type: ignore[index]
    if len(candidates) >= 2:
        return candidates[1]
    return candidates[0] if candidates else None


def _match_name(candidates: list[str], catalogue: Catalogue) -> tuple[str, str] | None:
    """(candidate, key): an exact title or alias first; else the longest title or alias that
    begins a candidate ("Single Convention on Narcotic Drugs, 1961, as amended by ...")."""
    names = {}
    for name, key in catalogue.names():
        names.setdefault(_squash(name), key)
    for candidate in candidates:
        key = names.get(_squash(candidate))
        if key is not None:
            return candidate, key
    best: tuple[int, str, str] | None = None
    for candidate in candidates:
        squashed = _squash(candidate)
        for name, key in names.items():
            if len(name) >= 20 and squashed.startswith(name) \
                    and not squashed[len(name):len(name) + 1].isalnum() \
                    and (best is None or len(name) > best[0]):
                best = (len(name), candidate, key)
    return (best[1], best[2]) if best else None


def match_instrument(treaty: TreatyText, catalogue: Catalogue) -> Instrument | None:
    """The catalogue instrument whose title or alias is the treaty's title."""
    found = _match_name([treaty.title], catalogue)
    return catalogue.instruments[found[1]] if found else None


# -- Emitting ------------------------------------------------------------------------------------

def _lit(value: object, datatype: URIRef | None = None) -> Literal:
    return Literal(value, datatype=datatype)


def _kind_of(title: str) -> str:
    first = title.split()[0].lower() if title.split() else ""
    return "Protocol" if first in ("protocol", "optional") else "Convention"


def _minted_key(title: str) -> str:
    words = _TAIL_WORDS.split(slug(title).replace("-", " "))
    return "-".join(words[:_MAX_KEY_WORDS])


def treaty_triples(treaty: TreatyText, *, catalogue: Catalogue | None = None,
                   minter: IriMinter | None = None) -> BuiltTreaty:
    """The triples of a parsed treaty: its instrument, articles and article paragraphs."""
    catalogue = catalogue or default_catalogue()
    minter = minter or IriMinter()
    triples = Triples()
    add = triples.add
    diagnostics = list(treaty.diagnostics)
    instrument = match_instrument(treaty, catalogue)
    # Articles counted as lex:articleCount counts them: "14 bis" is not one more.
    numbered = sum(1 for article in treaty.articles if article.number.isdigit())
    if instrument is not None:
        node = URIRef(minter.rebase(instrument.iri))
        title = instrument.title
        _emit_instrument(triples, instrument, catalogue, minter)
        if instrument.article_count is not None and instrument.article_count != numbered:
            diagnostics.append(Diagnostic(
                Severity.WARNING, "treaty-article-count",
                f"the text has {numbered} numbered articles; the catalogue says "
                f"{instrument.title} has {instrument.article_count}"))
    else:
        title = treaty.title
        key = _minted_key(title)
        node = URIRef(minter.instrument(key))
        diagnostics.append(Diagnostic(
            Severity.WARNING, "treaty-not-in-catalogue",
            f"the catalogue has no instrument titled {title!r}; built as {node}"))
        add((node, RDF.type, LEX[_kind_of(title)]))
        add((node, LEX.key, _lit(key)))
        add((node, RDFS.label, Literal(title, lang="en")))
        add((node, LEX.articleCount, _lit(numbered, XSD.integer)))
    add((node, LEX.sourceFile, _lit(treaty.source)))

    def part(step: tuple[tuple[str, str], ...], kind: URIRef, whole: URIRef, position: int,
             line: int) -> URIRef:
        """An article or article-paragraph node, numbered, placed and labelled."""
        iri = URIRef(minter.part(str(node), step))
        add((iri, RDF.type, kind))
        add((iri, ELI.number, _lit(step[-1][1])))
        add((iri, ELI.is_part_of, whole))
        add((whole, ELI.has_part, iri))
        add((iri, RDFS.label, Literal(_label(step, title), lang="en")))
        add((iri, LEX.position, _lit(position, XSD.integer)))
        add((iri, LEX.line, _lit(line, XSD.integer)))
        return iri

    for position, article in enumerate(treaty.articles, start=1):
        step = (("article", article.number),)
        art = part(step, LEX.Article, node, position, article.line)
        if article.heading:
            add((art, LEX.heading, _lit(article.heading)))
        if article.text:
            add((art, LEX.text, _lit(article.text)))
        described = instrument.part(article.number) if instrument is not None else None
        if described is not None and described.heading and article.heading \
                and _squash(described.heading) != _squash(article.heading):
            diagnostics.append(Diagnostic(
                Severity.WARNING, "treaty-heading-differs",
                f"article {article.number} is headed {article.heading!r} in the text and "
                f"{described.heading!r} in the catalogue", article.line, 1))
        if article.paragraphs:
            counted = described.paragraph_count if described is not None else None
            if counted is None:
                add((art, LEX.paragraphCount, _lit(len(article.paragraphs), XSD.integer)))
            elif counted != len(article.paragraphs):
                diagnostics.append(Diagnostic(
                    Severity.WARNING, "treaty-paragraph-count",
                    f"article {article.number} has {len(article.paragraphs)} numbered "
                    f"paragraphs in the text; the catalogue says {counted}", article.line, 1))
        for index, paragraph in enumerate(article.paragraphs, start=1):
            para = part((*step, ("paragraph", paragraph.number)), LEX.ArticleParagraph, art,
                        index, paragraph.line)
            add((para, LEX.text, _lit(paragraph.text)))
    for diagnostic in diagnostics:
        if diagnostic.severity is Severity.WARNING:
            where = f":{diagnostic.line}" if diagnostic.line else ""
            log.warning("%s%s: warning[%s]: %s", treaty.source, where, diagnostic.code,
                        diagnostic.message)
    return BuiltTreaty(treaty, instrument, str(node), triples, tuple(diagnostics))


def _label(step: tuple[tuple[str, str], ...], title: str) -> str:
    """The label emit gives a cited part: "Article 6, paragraph 2 of the Protocol ..."."""
    words = pinpoint_words(step)
    return f"{words[0].upper()}{words[1:]} of the {title}"


def build_treaty(path: str | Path, store: Graph, *, catalogue: Catalogue | None = None,
                 minter: IriMinter | None = None, title: str | None = None) -> BuiltTreaty:
    """Add the treaty text at ``path`` to ``store``: a graph, or the instrument's named graph
    of a dataset."""
    catalogue = catalogue or default_catalogue()
    built = treaty_triples(read_treaty(path, title=title, catalogue=catalogue),
                           catalogue=catalogue, minter=minter)
    target = store.graph(URIRef(built.iri)) if isinstance(store, Dataset) else store
    for triple in built.triples:
        target.add(triple)
    return built


def build_treaty_graph(path: str | Path, *, catalogue: Catalogue | None = None,
                       minter: IriMinter | None = None) -> Graph:
    """The graph of one treaty text."""
    graph = bind_prefixes(Graph())
    build_treaty(path, graph, catalogue=catalogue, minter=minter)
    return graph


def diagnostic_counts(built: BuiltTreaty) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(Counter(d.code for d in built.diagnostics).items()))
