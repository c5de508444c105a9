"""Recognise UN document symbols in footnotes and running text.

Turns the ways resolutions name documents ("Resolution 55/25, annex I.", "See E/2002/68/Add.1.",
"Ibid., annex II.", "its resolution 55/25 of 15 November 2000", "Security Council resolution
2331 (2016)") into :class:`~graph_builder.models.DocumentRef` values with the official symbol.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import DocumentRef

_ROMAN = r"[IVXLC]+"
# "annex", "annex II", "annexes I and II" right after a symbol.
_ANNEX = re.compile(rf"^\s*,?\s*annex(?:es)?(?:\s+({_ROMAN}(?:\s*(?:,|and|,\s*and)\s*{_ROMAN})*)\b)?",
                    re.IGNORECASE)
# A General Assembly resolution number: session/number (1 to 3 digits of session: a
# four-digit first part is a year, as in Economic and Social Council resolutions), the
# special and emergency sessions, and the pre-1976 form "217 A (III)".
_GA_NUMBER = (r"(?:ES-\d+/\d+|S-\d+/\d+|\d{1,3}/\d+(?:\s?[A-Z]\b)?"
              r"|\d+\s?[A-Z]?\s?\([IVXLC]+\))")

# (pattern, function building the symbol from the match); earlier patterns win.
_BODY_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Security Council resolutions?\s+(\d+)\s*\((\d{4})\)"), "S/RES/{0} ({1})"),
    (re.compile(r"(?:Economic and Social )?Council resolutions?\s+(\d{4}/\d+)"), "E/RES/{0}"),
    (re.compile(r"(?<!\d)(?<!/)(?:resolutions?\s+)?((?:19[4-9]\d|20\d\d)/\d{1,3})(?!\d)(?=\s+of\b)"),
     "E/RES/{0}"),  # "resolutions 2017/18 of 6 July 2017 and 2021/25 of ...": a year first
    (re.compile(r"Human Rights Council resolutions?\s+(\d+/\d+)"), "A/HRC/RES/{0}"),
    (re.compile(rf"(?:General Assembly )?[Rr]esolutions?\s+({_GA_NUMBER})"), "A/RES/{0}"),
]
# An explicit symbol: A/78/119, E/2002/68/Add.1, CTOC/COP/2020/10, S/RES/2331 (2016).
_EXPLICIT = re.compile(
    r"\b((?:[A-Z][A-Z0-9]*\.?)(?:/(?:[A-Z0-9][A-Za-z0-9.\-]*))+)"
    r"(\s\((?:Part\s+[IVX]+|\d{4})\))?")
# Further Security Council resolutions in a list: "resolutions 2106 (2013) of 24 June 2013,
# 2117 (2013) and 2242 (2015)".
_SC_MORE = re.compile(r"^(?:\s+of\s+\d{1,2}\s+\w+\s+\d{4})?\s*(?:,|and|,\s*and)\s+(\d{3,4})\s*\((\d{4})\)")
# Further numbers in a list after the first: "resolutions 55/25 and 55/255".
_LIST_MORE = re.compile(rf"^(?:\s+of\s+\d{{1,2}}\s+\w+\s+\d{{4}})?\s*(?:,|and|,\s*and)\s+({_GA_NUMBER})")


# A body other than the General Assembly named just before "resolution N/M", whose own
# resolutions share the session/number form.
_OTHER_BODY = re.compile(
    r"(?:Conference\s+of\s+the\s+(?:States\s+)?Parties|Human\s+Rights\s+Council|Commission\s+on"
    r"|Assembly\s+of\s+States\s+Parties|Environment\s+Assembly|Board|Governing\s+Council|"
    r"Executive\s+Committee|Conference\s+of\s+States)(?:(?!resolution)[^;.]){0,100}?"
    r"(?:its|their|the)?\s*$")


@dataclass(frozen=True, slots=True)
class SymbolMention:
    """A document named in text: which one, and where the words are."""

    ref: DocumentRef
    start: int
    end: int


def _clean_symbol(symbol: str) -> str:
    symbol = re.sub(r"\s+", " ", symbol.strip())
    return symbol[:-1] if symbol.endswith(".") else symbol


def _ga_symbol(number: str) -> str:
    number = re.sub(r"\s+", " ", number.strip())
    return f"A/RES/{number}"


def find_symbols(text: str) -> list[SymbolMention]:
    """Every document named by symbol or by "resolution N/M" in ``text``, in order.

    >>> [m.ref.symbol for m in find_symbols("resolutions 55/25 and 55/255 and S/RES/2331 (2016)")]
    ['A/RES/55/25', 'A/RES/55/255', 'S/RES/2331 (2016)']
    """
    found: list[SymbolMention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def annexes_after(end: int) -> tuple[list[str | None], int]:
        """The annex or annexes named right after a symbol ("annexes I and II")."""
        match = _ANNEX.match(text[end:])
        if not match:
            return [None], end
        numerals = re.findall(_ROMAN, match.group(1) or "")
        return [n.upper() for n in numerals] or [""], end + match.end()

    def add(symbol: str, start: int, end: int) -> None:
        annexes, end = annexes_after(end)
        for annex in annexes:
            found.append(SymbolMention(DocumentRef(symbol, annex), start, end))
        taken.append((start, end))

    for pattern, template in _BODY_PATTERNS:
        for match in pattern.finditer(text):
            if not free(match.start(), match.end()):
                continue
            if (template == "A/RES/{0}" and not match.group().startswith("General Assembly")
                    and _OTHER_BODY.search(text[max(0, match.start() - 120):match.start()])):
                continue  # "the Conference of the Parties ... in its resolution 12/4"
            groups = [re.sub(r"\s+", " ", g) for g in match.groups()]
            symbol = template.format(*groups) if template != "A/RES/{0}" else _ga_symbol(groups[0])
            add(symbol, match.start(), match.end())
            tail = match.end()
            while template.startswith("S/RES") and (more := _SC_MORE.match(text[tail:])):
                start = tail + more.start(1)
                tail += more.end()
                symbol = f"S/RES/{more.group(1)} ({more.group(2)})"
                found.append(SymbolMention(DocumentRef(symbol, None), start, tail))
                taken.append((start, tail))
            while template == "A/RES/{0}" and (more := _LIST_MORE.match(text[tail:])):
                start = tail + more.start(1)
                tail += more.end()
                add(_ga_symbol(more.group(1)), start, tail)
    for match in _EXPLICIT.finditer(text):
        symbol = _clean_symbol(match.group(1) + (match.group(2) or ""))
        if symbol.count("/") < 1 or not free(match.start(), match.end()):
            continue
        if not re.search(r"\d", symbol) or re.fullmatch(r"\d+/\d+", symbol):
            continue
        add(symbol, match.start(), match.end())
    found.sort(key=lambda mention: mention.start)
    return found


_IBID = re.compile(r"^\s*Ibid\.?", re.IGNORECASE)


def footnote_targets(text: str, previous: tuple[DocumentRef, ...]) -> tuple[DocumentRef, ...]:
    """The documents a footnote cites; ``previous`` is the last footnote's, for "Ibid.".

    >>> footnote_targets("Ibid., annex II.", (DocumentRef("A/RES/55/25", "I"),))
    (DocumentRef(symbol='A/RES/55/25', annex='II'),)
    """
    if (ibid := _IBID.match(text)) and (own := find_symbols(text[ibid.end():])):
        return tuple(mention.ref for mention in own)  # "Ibid., Supplement No. 2 (E/2024/22)."
    if (ibid := _IBID.match(text)) and previous:
        rest = text[ibid.end():]
        annex_match = _ANNEX.match(rest)
        base = previous[0]
        if base.symbol is None:
            return (base,)
        if annex_match:
            numerals = [n.upper() for n in re.findall(_ROMAN, annex_match.group(1) or "")]
            return tuple(DocumentRef(base.symbol, n) for n in (numerals or [""]))
        return (DocumentRef(base.symbol, base.annex),)
    return tuple(mention.ref for mention in find_symbols(text))
