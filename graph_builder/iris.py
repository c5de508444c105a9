"""The one place that mints IRIs.

IRIs follow the Akoma Ntoso naming convention for the UN (AKN4UN) in spirit, under a
configurable base:

====================================  ==========================================================
resolution or other UN document        ``{base}akn/un/doc/a-res-58-137``
preambular paragraph 3                 ``{doc}/!main~preamble__block_3``
operative paragraph 5, its (b), (ii)   ``{doc}/!main~para_5``, ``…~para_5__list_1__point_b``,
                                       ``…~para_5__list_1__point_b__list_1__point_ii``
footnote 7                             ``{doc}/!main~note_7``
annex II, single unnumbered annex      ``{doc}/!annex_2``, ``{doc}/!annex``
catalogue instrument                   ``{base}akn/un/act/untoc``
article 6, paragraph 2                 ``{base}akn/un/act/untoc~art_6__para_2``
====================================  ==========================================================

Documents are named by their UN symbol alone, not by date as AKN does, because a document is
usually cited before lexgraph knows its date: ``A/RES/55/25`` must get the same IRI when a
footnote cites it and when its own text is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Pinpoint

DEFAULT_BASE = "https://w3id.org/lexgraph/"
# The named graphs a corpus store keeps besides one graph per document: lexgraph's record of
# what it built, the ontology, and the statistics the build keeps up to date. Fixed, not under
# the base: they name lexgraph's own bookkeeping, not the documents.
BOOKKEEPING_GRAPH = "https://w3id.org/lexgraph/bookkeeping"
ONTOLOGY_GRAPH = "https://w3id.org/lexgraph/ontology"
STATISTICS_GRAPH = "https://w3id.org/lexgraph/statistics"

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
# AKN element names of the pinpoint kinds a citation can name.
_PART_NAMES = {
    "article": "art",
    "paragraph": "para",
    "subparagraph": "point",
    "guideline": "guideline",
    "principle": "principle",
    "section": "sec",
    "rule": "rule",
    "chapter": "chp",
    "part": "part",
}


def slug(text: str) -> str:
    """Lowercase ``text`` and turn every run of other characters than a-z0-9 into ``-``.

    >>> slug("A/RES/217 A (III)")
    'a-res-217-a-iii'
    """
    result = _SLUG_JUNK.sub("-", text.lower()).strip("-")
    if not result:
        raise ValueError(f"cannot make an IRI segment from {text!r}")
    return result


def roman_to_int(numeral: str) -> int:
    """Value of a roman numeral (``"IV"`` -> 4); raises ValueError for anything else."""
    value, previous = 0, 0
    if not numeral or any(ch not in _ROMAN for ch in numeral.upper()):
        raise ValueError(f"not a roman numeral: {numeral!r}")
    for ch in reversed(numeral.upper()):
        digit = _ROMAN[ch]
        value = value - digit if digit < previous else value + digit
        previous = max(previous, digit)
    return value


def paragraph_path(paragraph_id: str) -> str:
    """AKN path of a paragraph id: ``op.5.b.ii`` -> ``para_5__list_1__point_b__list_1__point_ii``."""
    kind, first, *points = paragraph_id.split(".")
    if kind == "pp":
        path = f"preamble__block_{first}"
    elif kind == "op":
        path = f"para_{first}"
    else:
        raise ValueError(f"not a paragraph id: {paragraph_id!r}")
    for point in points:
        path += f"__list_1__point_{point}"
    return path


def part_path(pinpoint: Pinpoint) -> str:
    """AKN path of a pinpoint: ``(("article", "6"), ("paragraph", "2"))`` -> ``art_6__para_2``."""
    parts = []
    for kind, number in pinpoint:
        name = _PART_NAMES.get(kind)
        if name is None:
            raise ValueError(f"unknown pinpoint kind {kind!r}")
        parts.append(f"{name}_{slug(number)}")
    return "__".join(parts)


@dataclass(frozen=True, slots=True)
class IriMinter:
    """Mints every IRI lexgraph writes, under one ``base``."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+[/#]$", self.base):
            raise ValueError(f"base IRI must be absolute and end with '/' or '#': {self.base!r}")

    def document(self, symbol: str) -> str:
        return f"{self.base}akn/un/doc/{slug(symbol)}"

    def unnamed_document(self, name: str) -> str:
        """A document with no UN symbol, known only by its file name."""
        return f"{self.base}source/{slug(name)}"

    def annex(self, document_iri: str, annex: str) -> str:
        if annex == "":
            return f"{document_iri}/!annex"
        try:
            number = str(roman_to_int(annex))
        except ValueError:
            number = slug(annex)
        return f"{document_iri}/!annex_{number}"

    def instrument(self, key: str) -> str:
        if slug(key) != key:
            raise ValueError(f"instrument key must be a slug: {key!r}")
        return f"{self.base}akn/un/act/{key}"

    def part(self, instrument_iri: str, pinpoint: Pinpoint) -> str:
        """The node of a pinpointed part; the instrument itself for an empty pinpoint."""
        return f"{instrument_iri}~{part_path(pinpoint)}" if pinpoint else instrument_iri

    def paragraph(self, document_iri: str, paragraph_id: str) -> str:
        return f"{document_iri}/!main~{paragraph_path(paragraph_id)}"

    def footnote(self, document_iri: str, number: int) -> str:
        return f"{document_iri}/!main~note_{number}"

    def citation(self, paragraph_iri: str, ordinal: int) -> str:
        return f"{paragraph_iri}/!citation_{ordinal}"

    def rebase(self, iri: str) -> str:
        """Move an IRI written under :data:`DEFAULT_BASE` (the catalogue's) under ``base``."""
        if self.base != DEFAULT_BASE and iri.startswith(DEFAULT_BASE):
            return self.base + iri[len(DEFAULT_BASE):]
        return iri
