"""Stage 2: find what each paragraph cites, and how.

Three kinds of mention are found in a paragraph's text: an instrument named by one of the
catalogue's titles or aliases, a document named by symbol ("its resolution 55/25"), and a
footnote marker. A marker glued to a mention says which document the mention means; a marker
on its own cites the documents of its footnote. Words before a mention ("article 6,
paragraph 2, of the") give the pinpoint, and the nearest clause verb before it ("Recalling",
"noting", "in accordance with") gives the relation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache

from .catalogue import Catalogue, default_catalogue
from .models import (
    Diagnostic,
    DocumentRef,
    Extraction,
    Paragraph,
    ParagraphKind,
    Pinpoint,
    Reference,
    Relation,
    Severity,
    SourceDocument,
)
from .symbols import find_symbols, footnote_targets

# Clause verbs and the relation they give, matched case-insensitively anywhere before a
# mention; the nearest one wins ("Recalling X, and noting Y": X recalled, Y noted).
_CUES: tuple[tuple[re.Pattern[str], Relation], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), relation) for pattern, relation in (
        (r"\btak(?:ing|es?)\s+note\b", Relation.TAKES_NOTE_OF),
        (r"\brecall(?:ing|s|ed)?\b", Relation.RECALLS),
        (r"\breaffirm(?:ing|s|ed)?\b", Relation.REAFFIRMS),
        (r"\bnot(?:ing|es)\b", Relation.NOTES),
        (r"\bwelcom(?:ing|es)\b", Relation.WELCOMES),
        (r"\b(?:implement(?:ing|s|ed)?|in\s+accordance\s+with|pursuant\s+to|in\s+conformity\s+with"
         r"|in\s+compliance\s+with|giv(?:e|ing)\s+(?:full\s+)?effect\s+to)\b", Relation.IMPLEMENTS),
    ))
# In an operative clause, a call to implement after the mentions ("to ratify X, Y and Z and to
# implement those instruments") makes them implemented.
_IMPLEMENT_AFTER = re.compile(r"\bimplement(?:ing|ation)?\b\s+(?:of\s+)?(?:those|these|them|the\s+said|"
                              r"the\s+instruments|its|their|it\b)", re.IGNORECASE)

_NUMBER = r"(?:\d+(?:\s*\([a-z]\))?|[IVXLC]+)"
_LIST = rf"{_NUMBER}(?:\s*(?:,\s*and|,|and|to|-)\s*{_NUMBER})*"
_KINDS = r"articles?|paragraphs?|guidelines?|principles?|sections?|rules?|chapters?|parts?"
_PINPOINT = rf"(?P<k1>{_KINDS})\s+(?P<n1>{_LIST})(?:\s*,\s*(?P<k2>paragraphs?|subparagraphs?)\s+(?P<n2>{_LIST}))?"
_PIN_BEFORE = re.compile(rf"(?<![\w-]){_PINPOINT}\s*,?\s+(?:of|in|contained\s+in)\s+(?:the\s+|its\s+)?$",
                         re.IGNORECASE)
_PIN_AT_START = re.compile(rf"^{_PINPOINT}\b", re.IGNORECASE)
# A pinpoint that follows the instrument: "the Rome Statute, in particular its article 12" or
# "Article 33 thereof".
_PIN_AFTER = re.compile(rf"\s*,?\s*(?:(?:and|in\s+particular|including|notably|especially)\s+)+"
                        rf"(?:its\s+)?{_PINPOINT}", re.IGNORECASE)
_PIN_THEREOF = re.compile(rf"(?<![\w-]){_PINPOINT}\s+thereof\b", re.IGNORECASE)
# A short form with a pinpoint: "Article 49 of the Charter", "article 3 of the Relationship
# Agreement": the instrument named before whose title has that word.
_SHORT_FORM = re.compile(
    rf"(?<![\w-]){_PINPOINT}\s*,?\s+of\s+the\s+(?P<name>(?:[A-Z][a-z]+\s+)?(?P<head>Charter|Convention|Covenant|Protocol|"
    rf"Statute|Agreement|Declaration|Constitution))\b"
    rf"(?!\s+(?:of|on|for|against|to|concerning|relating|between|and)\b)", re.IGNORECASE)
_DEFAULT_SHORT_FORMS = {"charter": "un-charter"}  # "the Charter" in a UN text, named or not
# What may follow an instrument's title and still belong to the mention.
_TITLE_TAILS = (
    re.compile(r"^,?\s*\d{4}\b(?!\s*/)"),  # "Child Labour, 1999"
    re.compile(r"^\s*\((?:ILO\s+)?(?:Convention\s+)?No\.\s*\d+\)"),  # "(Convention No. 182)"
)
_SUPPLEMENTING = re.compile(r"^,?\s+(?:supplementing|supplementary\s+to|additional\s+to)\s+(?:the\s+)?")
_LEADING_JOINERS = re.compile(r"(?:[\s,;:]|\band\b|\bor\b|\bas\s+well\s+as\b|\bin\s+particular\b|"
                              r"\bincluding\b|\bnotably\b)*", re.IGNORECASE)
_MAX_QUOTE = 300  # characters; a longer clause is cut at its last document noun
_NEAR_MISS = 0.93  # similarity (difflib ratio) above which words are taken for a title
_NEAR_MISS_MIN_LENGTH = 30  # short names are too easily near other words


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    name_key: str | None = None
    document: DocumentRef | None = None
    footnote: int | None = None
    short: bool = False  # "the Convention": the instrument is meant, not named


class NameFinder:
    """Finds catalogue titles and aliases in text, longest first, on word boundaries.

    Matching ignores case and line breaks: texts print "Their Parts" where the Treaty
    Collection has "their Parts".
    """

    def __init__(self, names: list[tuple[str, str]]) -> None:
        self._keys: dict[str, str] = {}
        for name, key in names:
            self._keys.setdefault(_squash(name), key)
        self._anchors: dict[str, list[tuple[str, str, set[str]]]] = {}
        for name, key in self._keys.items():
            first_two = " ".join(name.split()[:2])
            if len(name) >= _NEAR_MISS_MIN_LENGTH and len(name.split()) >= 4:
                words = {w.strip(",;:.") for w in name.split()}
                self._anchors.setdefault(first_two, []).append((name, key, words))
        alternatives = _trie_pattern([name.split() for name in self._keys])
        anchors = _trie_pattern([anchor.split() for anchor in self._anchors])
        self._anchor_pattern = (re.compile(rf"(?<!\S)(?:{anchors})(?!\S)", re.IGNORECASE)
                                if self._anchors else None)
        self._pattern = (re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)
                         if self._keys else None)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        if self._pattern is None:
            return []
        found = []
        position = 0
        while (match := self._pattern.search(text, position)):
            start, end = match.span()
            key = self._keys[_squash(match.group())]
            while True:  # "Protocol ..., supplementing the Convention ...": one mention
                tail = _SUPPLEMENTING.match(text[end:])
                if not tail:
                    break
                parent = self._pattern.match(text, end + tail.end())
                if not parent:
                    break
                end = parent.end()
            for tail_pattern in _TITLE_TAILS:
                if (extra := tail_pattern.match(text[end:])):
                    end += extra.end()
            found.append((start, end, key))
            position = end
        return found

    def match_at(self, text: str, position: int) -> bool:
        return bool(self._pattern and self._pattern.match(text, position))

    def near_misses(self, text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
        """Titles written slightly wrong ("the Right of the Child"): close to a catalogue name
        but not equal to any. They are cited all the same, and a check warns about the words.
        """
        found: list[tuple[int, int, str]] = []
        starts = []
        position = 0
        while self._anchor_pattern and (match := self._anchor_pattern.search(text, position)):
            starts.append(match.start())
            # from the second word on: anchors may overlap ("the rights of")
            position = match.start() + len(match.group().split()[0])
        if not starts:
            return found  # most paragraphs name no title's first two words
        words = [(m.start(), m.end(), m.group().casefold()) for m in re.finditer(r"\S+", text)]
        index = {start: i for i, (start, _, _) in enumerate(words)}
        for i in (index[start] for start in starts):
            candidates = self._anchors.get(f"{words[i][2]} {words[i + 1][2]}")
            if not candidates:
                continue
            start = words[i][0]
            if any(s <= start < e for s, e in taken + [(f[0], f[1]) for f in found]):
                continue
            best: tuple[float, int, str] | None = None
            longest = max(len(name) for name, _, _ in candidates) * 1.15
            steps: list[tuple[str, str]] = []  # (word, span up to it), shared by candidates
            for j in range(i, len(words)):
                span = text[start:words[j][1]].rstrip(",;:.")
                if len(span) > longest:
                    break
                steps.append((words[j][2].strip(",;:."), span))
            reachable = {word for word, _ in steps}
            for name, key, name_words in candidates:
                if len(reachable & name_words) < 0.75 * len(name_words):
                    continue  # the words test below would fail at every step
                seen: set[str] = set()
                for word, span in steps:
                    seen.add(word)
                    if len(span) > len(name) * 1.15:
                        break
                    if len(span) < len(name) * 0.85:
                        continue
                    if len(seen & name_words) < 0.75 * len(name_words):
                        continue  # cheap word test before the costly character comparison
                    matcher = SequenceMatcher(None, _squash(span), name)
                    floor = max(_NEAR_MISS, best[0] if best else 0.0)
                    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                        continue  # upper bounds of ratio(), far cheaper
                    ratio = matcher.ratio()
                    if ratio >= _NEAR_MISS and (best is None or ratio > best[0]):
                        best = (ratio, start + len(span), key)
            if best is not None and best[0] < 1.0:
                found.append((start, best[1], best[2]))
        return found


def _trie_pattern(names: list[list[str]]) -> str:
    """One regex alternation for many names, factored by their common leading words.

    Python's ``re`` tries a flat alternation name by name at every position; factored as a
    word trie it tries each distinct first word once. Longer continuations come first, so
    the longest name wins, as in a flat alternation sorted by length.
    """
    trie: dict[str, dict] = {}
    for words in names:
        node = trie
        for word in words:
            node = node.setdefault(word, {})
        node[""] = {}  # a name ends here

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(word) + (rf"(?:\s+(?:{pattern(child)}))" if _continues(child)
                                       else "") + ("?" if "" in child and _continues(child)
                                                   else "")
                    for word, child in sorted(node.items(), key=lambda kv: -len(kv[0]))
                    if word]
        return "|".join(branches)

    return pattern(trie)


def _continues(node: dict[str, dict]) -> bool:
    return any(word for word in node)


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


@cache
def _finder_for(catalogue: Catalogue) -> NameFinder:
    return NameFinder(catalogue.names())


def extract_references(document: SourceDocument, *, catalogue: Catalogue | None = None
                       ) -> Extraction:
    """Find every citation in ``document``: what is cited, how, by which words."""
    catalogue = catalogue or default_catalogue()
    finder = _finder_for(catalogue)
    diagnostics: list[Diagnostic] = []
    targets = _footnote_targets(document, catalogue, diagnostics, finder)
    references: list[Reference] = []
    recent: list[str] = []  # instruments named so far, for "the Convention" and "thereof"
    by_id = {paragraph.id: paragraph for paragraph in document.paragraphs}
    notes = {note.number: note.text for note in document.footnotes}
    for paragraph in document.paragraphs:
        found = _paragraph_references(paragraph, by_id, finder, targets, catalogue, recent,
                                      notes)
        references.extend(found)
        recent.extend(r.name_key for r in found if r.name_key)
    used = {marker.number for p in document.paragraphs for marker in p.markers}
    for note in document.footnotes:
        if note.number not in used:
            diagnostics.append(Diagnostic(Severity.WARNING, "footnote-unreferenced",
                                          f"footnote {note.number} has no marker in the text",
                                          note.line))
    return Extraction(document, targets, tuple(references), tuple(diagnostics))


def _footnote_targets(document: SourceDocument, catalogue: Catalogue,
                      diagnostics: list[Diagnostic], finder: NameFinder | None = None
                      ) -> dict[int, tuple[DocumentRef, ...]]:
    targets: dict[int, tuple[DocumentRef, ...]] = {}
    previous: tuple[DocumentRef, ...] = ()
    for note in document.footnotes:
        found = footnote_targets(note.text, previous)
        # "United Nations, Treaty Series, vol. 2225, No. 39574." and "Ibid., vol. 2237, No. 39574."
        series = re.search(r"vol\.\s*\d+,\s*Nos?\.\s*\d+", note.text)
        if series and (not found or re.match(r"\s*Ibid", note.text, re.IGNORECASE)):
            instrument = catalogue.by_treaty_series(series.group())
            # another volume of the Treaty Series is another treaty: never the one before
            found = (catalogue.reference(instrument),) if instrument else ()
        if not found and finder is not None and not re.match(r"\s*Ibid", note.text,
                                                             re.IGNORECASE):
            # A footnote without a symbol that lists instruments by name ("The United Nations
            # Standard Minimum Rules for the Administration of Juvenile Justice (the Beijing
            # Rules), the United Nations Guidelines for ..."): each catalogue title it names.
            found = tuple(dict.fromkeys(catalogue.reference(catalogue.instruments[key])
                                        for _, _, key in finder.find(note.text)))
        if not found and re.match(r"\s*Ibid", note.text, re.IGNORECASE):
            diagnostics.append(Diagnostic(
                Severity.ERROR, "ibid-without-antecedent",
                f"footnote {note.number} says Ibid., but "
                + (f"footnote {_previous_number(document, note.number)} before it names no "
                   "document" if note is not document.footnotes[0] else "no footnote precedes it"),
                note.line))
        elif not found:
            diagnostics.append(Diagnostic(Severity.WARNING, "footnote-unresolved",
                                          f"footnote {note.number} names no document lexgraph "
                                          f"recognises: {note.text[:80]!r}", note.line))
        targets[note.number] = found
        previous = found  # "Ibid." means the footnote just before, resolved or not
    return targets


def _footnote_pinpoints(note: str, named_before: list[str], finder: NameFinder,
                        catalogue: Catalogue) -> tuple[str | None, list[Pinpoint]]:
    """A footnote that opens with a pinpoint: "Articles 10 and 13 of the Relationship
    Agreement." The instrument it names (by its title, an alias, or a short form such as "the
    Agreement" meaning the one of ``named_before`` with that word) and the pinpoints; or
    (None, []) for any other footnote.
    """
    text = note.strip()
    at_start = _PIN_AT_START.match(text)
    if at_start is None:
        return None, []
    named = list(dict.fromkeys(key for _, _, key in finder.find(text[at_start.end():])))
    if len(named) > 1:
        return None, []
    key = named[0] if named else None
    if key is None and (short := _SHORT_FORM.match(text)) is not None:
        key = _short_form_key(short.group("head"), named_before, catalogue)
    pins = [pin for pin in _pinpoints(at_start) if pin]
    return (key, pins) if key and pins else (None, [])


def _previous_number(document: SourceDocument, number: int) -> int:
    numbers = [note.number for note in document.footnotes]
    return numbers[numbers.index(number) - 1]


def _short_form_key(head: str, recent: list[str], catalogue: Catalogue) -> str | None:
    """The instrument "the Convention" means: of those named so far whose title has that word,
    the one named most often (the text's own "the Convention"), the latest on a tie."""
    word = head.casefold()
    times: dict[str, int] = {}
    latest: dict[str, int] = {}
    for order, key in enumerate(recent):
        instrument = catalogue.instruments.get(key)
        names = (instrument.title, *instrument.aliases) if instrument else ()
        if any(word in name.casefold().split() for name in names):
            times[key] = times.get(key, 0) + 1
            latest[key] = order
    if times:
        return max(times, key=lambda key: (times[key], latest[key]))
    default = _DEFAULT_SHORT_FORMS.get(word)
    return default if default in catalogue.instruments else None


def _paragraph_references(paragraph: Paragraph, by_id: dict[str, Paragraph], finder: NameFinder,
                          targets: dict[int, tuple[DocumentRef, ...]],
                          catalogue: Catalogue, recent: list[str] | None = None,
                          notes: dict[int, str] | None = None) -> list[Reference]:
    recent = recent if recent is not None else []
    notes = notes or {}
    text = paragraph.text
    exact = finder.find(text)
    near = finder.near_misses(text, [(s, e) for s, e, _ in exact])
    mentions: list[_Mention] = [_Mention(s, e, name_key=k) for s, e, k in exact + near]
    for short in _SHORT_FORM.finditer(text):
        if any(m.start < short.end() and short.start() < m.end for m in mentions):
            continue
        named_before = recent + [k for s, _, k in sorted(exact + near) if s < short.start()]
        key = _short_form_key(short.group("head"), named_before, catalogue)
        if key is not None:
            mentions.append(_Mention(short.start("name"), short.end(), name_key=key, short=True))
    for symbol in find_symbols(text):
        if all(symbol.end <= m.start or symbol.start >= m.end for m in mentions):
            mentions.append(_Mention(symbol.start, symbol.end, document=symbol.ref))
    mentions.sort(key=lambda m: m.start)

    loose: list[tuple[int, int]] = []  # (marker position, footnote number) not on a mention
    for marker in paragraph.markers:
        for i, mention in enumerate(mentions):
            gap = text[mention.end:marker.at]
            if (mention.end <= marker.at and mention.footnote is None and len(gap) <= 3
                    and re.fullmatch(r"[\s,;:.)]*", gap)):
                mentions[i] = _Mention(mention.start, mention.end, mention.name_key,
                                       mention.document, marker.number, mention.short)
                break
        else:
            loose.append((marker.at, marker.number))

    references: list[Reference] = []
    seen: set[tuple[object, ...]] = set()

    def add(start: int, end: int, pin_start: int, *, name_key: str | None,
            document: DocumentRef | None, footnote: int | None, pin_text: str | None,
            named: bool = True) -> None:
        pins: list[Pinpoint] = [()]
        quote_start = start
        if pin_text is None and (before := _PIN_BEFORE.search(text[:pin_start])):
            pins, quote_start = _pinpoints(before), before.start()
        elif pin_text is not None and (at_start := _PIN_AT_START.match(pin_text)):
            pins = _pinpoints(at_start)
        relation = _relation(paragraph, by_id, quote_start, end)
        src_start, src_end = paragraph.source_span(quote_start, end)
        quote = text[quote_start:end].rstrip(" ,;:")
        src_end = paragraph.source_span(quote_start, quote_start + len(quote))[1]
        for pin in pins:
            identity = (relation, name_key, document, pin)
            if identity in seen:
                continue
            seen.add(identity)
            references.append(Reference(paragraph.id, relation, quote, src_start, src_end,
                                        name_key=name_key, document=document,
                                        footnote=footnote, pinpoint=pin, named=named))

    def _add_pinned(start: int, end: int, pin: Pinpoint, name_key: str | None,
                    document: DocumentRef | None, footnote: int | None, *, named: bool) -> None:
        relation = _relation(paragraph, by_id, start, end)
        identity = (relation, name_key, document, pin)
        if identity in seen:
            return
        seen.add(identity)
        quote = text[start:end].rstrip(" ,;:")
        src_start, src_end = paragraph.source_span(start, start + len(quote))
        references.append(Reference(paragraph.id, relation, quote, src_start, src_end,
                                    name_key=name_key, document=document, footnote=footnote,
                                    pinpoint=pin, named=named))

    for mention in sorted(mentions, key=lambda m: m.start):
        documents = targets.get(mention.footnote, ()) if mention.footnote is not None else ()
        document = mention.document or (documents[0] if documents else None)
        if mention.name_key and len(documents) > 1:  # "(A/73/12 (Part I) and ... (Part II))"
            held = [d for d in documents if mention.name_key in
                    {i.key for i in catalogue.instruments_at(d)}]
            document = held[0] if held else document
        name_key = mention.name_key
        if (name_key and document is not None and mention.footnote is not None
                and _described_document(text, mention.start)):
            name_key = None  # the footnote is on "the report ... on the <instrument>"
        add(mention.start, mention.end, mention.start, name_key=name_key,
            document=document, footnote=mention.footnote, pin_text=None, named=not mention.short)
        for other in documents:  # "A/58/874 and A/58/874/Add.1.": the footnote cites both
            if other != document and mention.document is None:
                add(mention.start, mention.end, mention.start, name_key=None, document=other,
                    footnote=mention.footnote, pin_text=None)
        if (name_key and (after := _PIN_AFTER.match(text, mention.end))
                and not re.match(r"\s*,?\s*(?:of|in)\s", text[after.end():])):
            for pin in _pinpoints(after):
                _add_pinned(mention.start, after.end(), pin, name_key, document, mention.footnote,
                            named=not mention.short)
        if name_key and mention.footnote is not None:
            # The footnote on a name gives the articles: "the Rome Statute,4" with "4 Article 13
            # of the Rome Statute."
            key, pins = _footnote_pinpoints(notes.get(mention.footnote, ""), [name_key],
                                            finder, catalogue)
            for pin in pins if key == name_key else ():
                _add_pinned(mention.start, mention.end, pin, name_key, document,
                            mention.footnote, named=not mention.short)
    for thereof in _PIN_THEREOF.finditer(text):
        before = [m for m in mentions if m.end <= thereof.start() and m.name_key]
        if before:
            last = before[-1]
            for pin in _pinpoints(thereof):
                _add_pinned(thereof.start(), thereof.end(), pin, last.name_key, None, None,
                            named=False)

    boundaries = sorted([m.end for m in mentions] + [at for at, _ in loose])
    for at, number in loose:
        start = max([b for b in boundaries if b < at] + [_clause_floor(paragraph, at)])
        start = _LEADING_JOINERS.match(text, start, at).end()  # type: ignore[union-attr]
        clause = text[start:at]
        if len(clause) > _MAX_QUOTE:
            nouns = list(re.finditer(r"\b(?:the|its|their)\s+(?:\w+\s+){0,3}?(?:report|resolution|"
                                     r"declaration|convention|decision|guidelines|plan|agenda|"
                                     r"programme|principles|rules|document|conclusions|"
                                     r"recommendations|statement)\b", clause, re.IGNORECASE))
            cut = nouns[-1].start() if nouns else len(clause) - _MAX_QUOTE
            pin_text, start = clause, start + cut
        else:
            pin_text = clause
        if start >= at:
            continue
        for document in targets.get(number, ()):
            add(start, at, start, name_key=None, document=document, footnote=number,
                pin_text=pin_text)
        if not targets.get(number):
            # "... the implementation of the Relationship Agreement,3" with "3 Articles 10 and
            # 13 of the Relationship Agreement.": the footnote alone says what is cited.
            named_before = recent + [m.name_key for m in mentions
                                     if m.name_key and m.start < at]
            key, pins = _footnote_pinpoints(notes.get(number, ""), named_before, finder,
                                            catalogue)
            for pin in pins:
                _add_pinned(start, at, pin, key, None, number, named=False)
    references.sort(key=lambda r: (r.start, r.end))
    return references


_DOCUMENT_NOUN = re.compile(
    r"\b(?:report|reports|note|study|letter|statement|resolution|decision|conclusions|"
    r"recommendations|outcome\s+document|review|commentary|general\s+comment|"
    r"general\s+recommendation)\b[^;:]{0,160}?\b(?:of|on|under|to|for)\s+(?:the\s+)?$",
    re.IGNORECASE)


# The capitalised head of a longer title that ends with an instrument's name: "Declaration on
# Principles of International Law ... in accordance with the Charter of the United Nations".
_LONGER_TITLE = re.compile(
    r"\b(?:Declaration|Convention|Principles|Guidelines|Rules|Programme|Plan|Protocol|"
    r"Agreement|Strategy|Framework|Agenda|Statute|Code)\b[^,;:.]{0,200}?"
    r"\b(?:with|of|to|under|on|for|in)\s+(?:the\s+)?$")


def _described_document(text: str, start: int) -> bool:
    """Whether an instrument's name at ``start`` ends a phrase about another document: a
    report on it, or a longer title that ends with it."""
    window = text[max(0, start - 200):start]
    return bool(_DOCUMENT_NOUN.search(window) or _LONGER_TITLE.search(window))


def _clause_floor(paragraph: Paragraph, at: int) -> int:
    """Where the clause holding position ``at`` can start: after the nearest cue or the verb."""
    floor = 0
    label = re.match(r"^(?:\d+\.|\([a-z]+\))\s+", paragraph.text)
    if label:
        floor = label.end()
    if paragraph.verb:
        floor += len(paragraph.verb)
    for pattern, _ in _CUES:
        for match in pattern.finditer(paragraph.text, 0, at):
            end = match.end()
            if paragraph.text[end:end + 3] == " of":
                end += 3
            floor = max(floor, end)
    return min(floor, at)


def _relation(paragraph: Paragraph, by_id: dict[str, Paragraph], start: int, end: int) -> Relation:
    """The relation given by the nearest clause verb before the mention."""
    relation = _last_cue(paragraph.text[:start],
                         operative=paragraph.kind is not ParagraphKind.PREAMBULAR)
    if relation is not None:
        return relation
    if paragraph.kind is not ParagraphKind.PREAMBULAR:
        sentence = re.split(r"[;:]", paragraph.text[end:], maxsplit=1)[0]
        if _IMPLEMENT_AFTER.search(sentence):
            return Relation.IMPLEMENTS
    parent = by_id.get(paragraph.parent) if paragraph.parent else None
    while parent is not None:
        relation = _last_cue(parent.text)
        if relation is not None:
            return relation
        parent = by_id.get(parent.parent) if parent.parent else None
    return Relation.CITES


_OPERATIVE_CUES = _CUES + ((re.compile(r"\b(?:full\s+|effective\s+)?implementation\s+of\b",
                                        re.IGNORECASE), Relation.IMPLEMENTS),)


def _last_cue(text: str, *, operative: bool = False) -> Relation | None:
    """The relation of the cue nearest the end of ``text``; "implementation of" counts in
    operative paragraphs ("Calls for the full implementation of the Convention")."""
    best: tuple[int, Relation] | None = None
    for pattern, relation in (_OPERATIVE_CUES if operative else _CUES):
        for match in pattern.finditer(text):
            if best is None or match.start() > best[0]:
                best = (match.start(), relation)
    return best[1] if best else None


def _numbers(listing: str) -> list[str]:
    numbers: list[str] = []
    for token in re.findall(rf"{_NUMBER}|\bto\b|-", listing):
        if token in ("to", "-") or not numbers:
            numbers.append(token)
            continue
        if numbers[-1] in ("to", "-") and len(numbers) >= 2 and numbers[-2].isdigit() and token.isdigit():
            first = int(numbers[-2])
            numbers[-1:] = [str(n) for n in range(first + 1, int(token) + 1)]
            continue
        numbers.append(token)
    return [re.sub(r"\s+", "", n) for n in numbers if n not in ("to", "-")]


def _singular(kind: str) -> str:
    kind = kind.lower()
    return "paragraph" if kind.startswith("subparagraph") else kind.rstrip("s")


def _pinpoints(match: re.Match[str]) -> list[Pinpoint]:
    """``article 6, paragraphs 3 and 4`` -> [(article 6, paragraph 3), (article 6, paragraph 4)]."""
    first = _singular(match.group("k1"))
    pins: list[Pinpoint] = []
    for n1 in _numbers(match.group("n1")):
        number, _, letter = n1.partition("(")
        step: Pinpoint = ((first, number),)
        if letter:  # "article 2 (b)": sub-paragraph (b) of article 2
            step += (("subparagraph", letter.rstrip(")")),)
        if match.group("k2"):
            second = _singular(match.group("k2"))
            pins.extend(step + ((second, n2),) for n2 in _numbers(match.group("n2")))
        else:
            pins.append(step)
    return pins or [()]
