"""The public, one-call API over the pipeline: extract, build, serialise, check."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from rdflib import Dataset, Graph, URIRef

from .catalogue import Catalogue, default_catalogue
from .check import CheckReport, check, check_with_pyshacl, compile_shapes, load_checks
from .emit import emit_graph
from .errors import InputError
from .extract import extract_references
from .formats import (  # noqa: F401 - the formats are part of this module's interface
    FORMAT_ALIASES,
    RDF_FORMATS,
    RDF_INPUT_SUFFIXES,
    guess_format,
    resolve_format,
)
from .iris import DEFAULT_BASE, IriMinter
from .models import Resolved, SourceDocument
from .namespaces import bind_prefixes
from .parse import parse_source
from .resolve import document_target, resolve_references
from .treaty import build_treaty, is_treaty_text


@dataclass(frozen=True, slots=True)
class Overrides:
    """Metadata a user gives on the command line, overriding what the text says."""

    symbol: str | None = None
    date: str | None = None
    title: str | None = None
    plenary_meeting: int | None = None


def process(path: str | Path, *, overrides: Overrides = Overrides(),
            catalogue: Catalogue | None = None, minter: IriMinter | None = None) -> Resolved:
    """Run parse -> extract -> resolve on one source file."""
    catalogue = catalogue or default_catalogue()
    document = parse_source(path, symbol=overrides.symbol, date=overrides.date,
                            title=overrides.title, plenary_meeting=overrides.plenary_meeting)
    extraction = extract_references(document, catalogue=catalogue)
    return resolve_references(extraction, catalogue=catalogue, minter=minter)


def extract(paths: Sequence[str | Path], *, overrides: Overrides = Overrides(),
            catalogue: Catalogue | None = None, base: str = DEFAULT_BASE) -> dict[str, object]:
    """The extraction of ``paths`` as the JSON-ready object of the data contract."""
    catalogue = catalogue or default_catalogue()
    minter = IriMinter(base)
    return {"documents": [extraction_json(process(p, overrides=overrides, catalogue=catalogue,
                                                  minter=minter),
                                          catalogue=catalogue, minter=minter) for p in paths]}


def build_graph(paths: Sequence[str | Path], *, overrides: Overrides = Overrides(),
                base: str = DEFAULT_BASE, catalogue: Catalogue | None = None,
                dataset: bool = False, with_catalogue: bool = False) -> Graph:
    """Build the RDF of ``paths``: one graph, or with ``dataset`` one named graph per document."""
    catalogue = catalogue or default_catalogue()
    minter = IriMinter(base)
    store: Graph = bind_prefixes(Dataset() if dataset else Graph())
    for path in paths:
        if is_treaty_text(path):  # a treaty's articles, in the instrument's own named graph
            build_treaty(path, store, catalogue=catalogue, minter=minter, title=overrides.title)
            continue
        resolved = process(path, overrides=overrides, catalogue=catalogue, minter=minter)
        if isinstance(store, Dataset):
            name = URIRef(_document_iri(resolved.document, minter))
            emit_graph(resolved, graph=store.graph(name), catalogue=catalogue, minter=minter)
        else:
            emit_graph(resolved, graph=store, catalogue=catalogue, minter=minter)
    if with_catalogue:
        target = store.default_context if isinstance(store, Dataset) else store
        for triple in catalogue.graph:
            target.add(tuple(URIRef(minter.rebase(str(t))) if isinstance(t, URIRef) else t
                             for t in triple))  # type: ignore[arg-type]
    return store


def _document_iri(document: SourceDocument, minter: IriMinter) -> str:
    return (minter.document(document.symbol) if document.symbol
            else minter.unnamed_document(document.source))


def serialize(graph: Graph, fmt: str) -> str:
    """Serialise ``graph``; a dataset format on a plain graph puts it in the default graph."""
    serializer, is_dataset, _ = RDF_FORMATS[resolve_format(fmt)]
    if is_dataset and not isinstance(graph, Dataset):
        dataset = bind_prefixes(Dataset())
        for triple in graph:
            dataset.add(triple)
        graph = dataset
    if not is_dataset and isinstance(graph, Dataset):
        merged = bind_prefixes(Graph())
        for s, p, o, _ in graph.quads((None, None, None, None)):
            merged.add((s, p, o))
        graph = merged
    return graph.serialize(format=serializer)


@contextmanager
def atomic_output(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """A file opened in ``mode`` on a temporary name beside ``path``, renamed to ``path`` when
    the block ends without an error and removed otherwise: no half-written file is left."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError("output folder does not exist", path=str(directory))
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        text = {} if "b" in mode else {"encoding": "utf-8", "newline": "\n"}
        with os.fdopen(handle, mode, **text) as out:
            yield out
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as open() would have made it, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so no half-written file is left."""
    with atomic_output(path) as out:
        out.write(text)


def load_rdf(paths: Iterable[str | Path], fmt: str | None = None) -> Graph:
    """Parse RDF files into one graph, with one-line errors that name file and line."""
    graph = bind_prefixes(Graph())
    for path in paths:
        path = Path(path)
        name = resolve_format(fmt) if fmt else guess_format(path)
        if name is None:
            raise InputError("cannot tell the RDF format from the file name; give --input-format",
                             path=str(path))
        if not path.is_file():
            raise InputError("no such file", path=str(path))
        serializer, is_dataset, _ = RDF_FORMATS[name]
        target: Graph = Dataset() if is_dataset else graph
        try:
            target.parse(str(path), format=serializer)
        except Exception as error:  # rdflib's parsers raise many unrelated types
            message = " ".join(str(error).split())
            line = re.search(r"line (\d+)", message) or re.search(r":(\d+):", message)
            raise InputError(f"not valid {name}: {message[:200]}", path=str(path),
                             line=int(line.group(1)) if line else None) from None
        if is_dataset:
            for s, p, o, _ in target.quads((None, None, None, None)):
                graph.add((s, p, o))
    return graph


def check_graph(graph: Graph, *, engine: str = "sparql",
                shapes: str | Path | None = None) -> CheckReport:
    """Check ``graph`` against the shapes and the citation checks.

    ``engine="sparql"`` (the default) runs the shapes compiled to SPARQL and the checks of
    ``queries/checks`` on an Oxigraph store; ``engine="shacl"`` runs pySHACL on the shapes
    alone, the reference the compiled shapes are tested against.
    """
    if engine == "shacl":
        return check_with_pyshacl(graph, shapes=shapes)
    if engine != "sparql":
        raise ValueError(f"unknown check engine {engine!r}; choose sparql or shacl")
    rules = None
    if shapes is not None:
        rules = compile_shapes(Graph().parse(str(shapes), format="turtle")) + load_checks()
    return check(graph, rules=rules)


def extraction_json(resolved: Resolved, *, catalogue: Catalogue | None = None,
                    minter: IriMinter | None = None) -> dict[str, object]:
    """One document of the extraction JSON (the data contract of DESIGN section 5)."""
    document = resolved.document
    catalogue = catalogue or default_catalogue()
    minter = minter or IriMinter()
    footnotes = []
    for note in document.footnotes:
        refs = resolved.extraction.footnote_targets.get(note.number, ())
        targets = [document_target(ref, catalogue, minter) for ref in refs]
        footnotes.append({
            "n": note.number, "text": note.text,
            "symbol": refs[0].symbol if refs else None,
            "annex": refs[0].annex if refs else None,
            "targets": [{"symbol": ref.symbol, "annex": ref.annex, "title": target.title}
                        for ref, target in zip(refs, targets)],
            "start": note.start, "end": note.end, "line": note.line})
    paragraphs = [{
        "id": p.id, "kind": p.kind.value, "number": p.number, "verb": p.verb,
        "parent": p.parent, "start": p.start, "end": p.end, "line": p.line,
        "footnotes": [m.number for m in p.markers], "text": p.text,
        "division": p.division,
    } for p in document.paragraphs]
    divisions = [{"id": d.id, "kind": d.kind.value, "label": d.label, "title": d.title,
                  "line": d.line, "start": d.start,
                  "paragraphs": sum(1 for p in document.paragraphs
                                    if p.division == d.id and p.parent is None)}
                 for d in document.divisions]
    citations = []
    for citation in resolved.citations:
        target = citation.target
        line, column = document.line_column(citation.start)
        citations.append({
            "from": citation.paragraph_id, "relation": citation.relation.value,
            "target": {"symbol": target.symbol, "annex": target.annex, "title": target.title,
                       "iri": target.iri},
            "pinpoint": dict(citation.pinpoint), "iri": citation.cited_iri,
            "quote": citation.quote, "start": citation.start, "end": citation.end,
            "line": line, "column": column, "footnote": citation.footnote})
    diagnostics = [d.to_json() for d in (*document.diagnostics, *resolved.extraction.diagnostics,
                                         *resolved.diagnostics)]
    return {"source": document.source, "symbol": document.symbol, "date": document.date,
            "plenary_meeting": document.plenary_meeting, "title": document.title,
            "session": document.session, "agenda_items": list(document.agenda_items),
            "committee": document.committee, "report": document.report,
            "drafts": list(document.drafts), "divisions": divisions,
            "paragraphs": paragraphs, "footnotes": footnotes, "citations": citations,
            "diagnostics": diagnostics}
