"""Stage 3: resolve references to the catalogue's instruments and to IRIs.

A reference names its target by catalogue key (an instrument named in the text), by document
(a symbol and annex, often from a footnote) or both. The document wins when both are given,
since the footnote is the authority a drafter attached; a disagreement is reported.
Strategies are keyword callables, so a user can plug in another authority table.
"""

from __future__ import annotations

from collections.abc import Callable

from .catalogue import Catalogue, Instrument, default_catalogue
from .iris import IriMinter
from .models import (
    Citation,
    Diagnostic,
    DocumentRef,
    Extraction,
    Reference,
    Resolved,
    Severity,
    Target,
)

TargetResolver = Callable[[Reference, Catalogue, IriMinter], "tuple[Target, Diagnostic | None]"]


def document_kind(symbol: str) -> str:
    """The lex: class of a UN document known only by its symbol."""
    return "Resolution" if "/RES/" in symbol else "Report"


def instrument_target(instrument: Instrument, minter: IriMinter) -> Target:
    return Target(iri=minter.rebase(instrument.iri), title=instrument.title,
                  symbol=instrument.symbol, annex=instrument.annex, key=instrument.key,
                  kind=instrument.kind)


def document_target(ref: DocumentRef, catalogue: Catalogue, minter: IriMinter) -> Target:
    """The target of a document reference: the catalogue's instrument there, if one, else the
    document or its annex."""
    if ref.key is not None:
        return instrument_target(catalogue.instruments[ref.key], minter)
    assert ref.symbol is not None
    instrument = catalogue.by_document(ref)
    if instrument is not None:
        return instrument_target(instrument, minter)
    info = catalogue.document(ref.symbol)
    document_iri = minter.rebase(info.iri) if info else minter.document(ref.symbol)
    if ref.annex is None:
        return Target(iri=document_iri, title=info.title if info else None, symbol=ref.symbol,
                      annex=None, kind=info.kind if info else document_kind(ref.symbol))
    return Target(iri=minter.annex(document_iri, ref.annex), title=None, symbol=ref.symbol,
                  annex=ref.annex, kind="Annex")


def default_target_resolver(reference: Reference, catalogue: Catalogue, minter: IriMinter
                            ) -> tuple[Target, Diagnostic | None]:
    """Resolve by document when there is one, else by the catalogue key of the name."""
    named = catalogue.instruments.get(reference.name_key) if reference.name_key else None
    if reference.document is not None:
        if named is not None and named in catalogue.instruments_at(reference.document):
            return instrument_target(named, minter), None  # the name picks one of several
        target = document_target(reference.document, catalogue, minter)
        problem = None
        if named is not None and target.key != named.key:
            where = (f"footnote {reference.footnote}" if reference.footnote is not None
                     else "its symbol")
            problem = Diagnostic(
                Severity.WARNING, "name-footnote-mismatch",
                f"the text names the {named.title}, but {where} points to "
                f"{_describe(reference.document)}")
        return target, problem
    if named is not None:
        return instrument_target(named, minter), None
    raise ValueError(f"reference with neither a document nor a name: {reference}")


def _describe(ref: DocumentRef) -> str:
    if ref.key is not None:
        return ref.key
    if ref.annex is None:
        return ref.symbol
    return f"{ref.symbol}, annex {ref.annex}".rstrip() if ref.annex else f"{ref.symbol}, annex"


def resolve_references(extraction: Extraction, *, catalogue: Catalogue | None = None,
                       minter: IriMinter | None = None,
                       resolve_target: TargetResolver = default_target_resolver) -> Resolved:
    """Turn every reference of ``extraction`` into a :class:`Citation` with IRIs."""
    catalogue = catalogue or default_catalogue()
    minter = minter or IriMinter()
    document = extraction.document
    citations: list[Citation] = []
    diagnostics: list[Diagnostic] = []
    for reference in extraction.references:
        target, problem = resolve_target(reference, catalogue, minter)
        if problem is None:
            problem = _unresolved(target, reference, catalogue)
        if problem is not None:
            line, column = document.line_column(reference.start)
            diagnostics.append(Diagnostic(problem.severity, problem.code, problem.message,
                                          line, column))
        citations.append(Citation(
            paragraph_id=reference.paragraph_id, relation=reference.relation, target=target,
            cited_iri=minter.part(target.iri, reference.pinpoint), pinpoint=reference.pinpoint,
            quote=reference.quote, start=reference.start, end=reference.end,
            footnote=reference.footnote, named_iri=_named_iri(reference, catalogue, minter)))
    return Resolved(extraction, tuple(citations), tuple(diagnostics))


def _unresolved(target: Target, reference: Reference, catalogue: Catalogue
                ) -> Diagnostic | None:
    """A warning for a citation of a document the catalogue does not know: its node is kept
    in the graph (with the quote), so the user sees what the catalogue lacks."""
    if target.key is not None or target.symbol is None or catalogue.document(target.symbol):
        return None
    what = target.symbol if target.annex is None else _describe(
        DocumentRef(target.symbol, target.annex))
    return Diagnostic(Severity.WARNING, "citation-unresolved",
                      f"{what} is neither in the instrument catalogue nor a document it knows: "
                      f"\"{reference.quote}\"")


def _named_iri(reference: Reference, catalogue: Catalogue, minter: IriMinter) -> str | None:
    named = catalogue.instruments.get(reference.name_key) if reference.name_key else None
    return minter.rebase(named.iri) if named and reference.named else None


def pinpoint_words(pinpoint: tuple[tuple[str, str], ...]) -> str:
    """``(("article", "6"), ("paragraph", "2"))`` -> ``"article 6, paragraph 2"``."""
    return ", ".join(f"{kind} {number}" for kind, number in pinpoint)
