"""The corpus store: an on-disk Oxigraph store with one named graph per source document.

lexgraph keeps its bookkeeping (which source file became which graph, from which content and
with which version of lexgraph) in the store itself, as RDF in :data:`BOOKKEEPING_GRAPH`, so
that ``oxigraph serve --location`` and ``pyoxigraph.Store(path)`` open the folder as it is.

The store's default graph is the merge of the documents' graphs: each triple once, however
many documents repeat it (every document that cites a convention describes it). Queries and
checks run on that default graph, so they count each fact once; Oxigraph's union of named
graphs would return a triple once per graph that holds it. Removing a document removes from
the default graph only the triples no other graph still holds.

A build is safe to kill at any moment. Documents are written in batches, through Oxigraph's
bulk loader (about three times faster than a transaction, but not atomic), so each batch is
bracketed by bookkeeping written in transactions: first the old graphs and records of its
documents are removed and a pending record (a record with a graph but no content hash) is
written for each; then the quads are bulk-loaded; then the pending records become complete
records. A build that finds pending records (the last one was killed) removes what their
graphs may hold, partly loaded or not, before it starts; their documents have no record, so
they are built again.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path

import pyoxigraph as ox

from .emit import nt_string
from .errors import InputError, LexgraphError
from .iris import BOOKKEEPING_GRAPH, DEFAULT_BASE, ONTOLOGY_GRAPH, IriMinter
from .namespaces import LEX_IRI
from .resources import ontology_file
from .statistics import EMPTY, Contribution, Totals, contribution, graph_contribution
from .statistics import is_current, mark_current, recount, unmark

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
BATCH_DOCUMENTS = 64  # documents per transaction: fewer commits, little memory
_BATCH_QUADS = 100_000
_XSD = "http://www.w3.org/2001/XMLSchema#"
_PROV = "http://www.w3.org/ns/prov#"


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """What the store remembers of one source file it built."""

    path: str  # absolute
    content_hash: str  # "sha256:..."
    built_with: str
    graph: str
    triples: int
    iri: str


@dataclass(frozen=True, slots=True)
class BuiltDocument:
    """What a worker made of one source file: its graph as N-Quads, or why it could not."""

    path: str
    shown: str
    content_hash: str
    graph: str | None = None
    nquads: str = ""
    triples: int = 0
    diagnostics: tuple[tuple[str, int], ...] = ()
    error: str | None = None
    contribution: Contribution = EMPTY  # its share of the store's statistics


@dataclass(frozen=True, slots=True)
class BuildSummary:
    """The outcome of a store build, for the summary line and for tests."""

    documents: int
    built: int
    unchanged: int
    removed: int
    failed: tuple[str, ...]
    duplicates: tuple[str, ...]
    triples_built: int
    store_documents: int
    store_triples: int
    seconds: float
    diagnostics: tuple[tuple[str, int], ...] = field(default=())
    compacted_seconds: float | None = None  # None: the storage was not compacted

    def human(self) -> str:
        rate = self.built / self.seconds if self.seconds > 0 else 0.0
        compacted = (f", storage compacted in {self.compacted_seconds:.1f} s"
                     if self.compacted_seconds is not None else "")
        lines = [f"{self.documents} document(s): {self.built} built, {self.unchanged} unchanged, "
                 f"{self.removed} removed, {len(self.failed)} failed"
                 + (f", {len(self.duplicates)} duplicate(s) skipped" if self.duplicates else "")
                 + f" in {self.seconds:.1f} s ({rate:.1f} documents/s, "
                 f"{self.triples_built / self.seconds if self.seconds > 0 else 0:,.0f} triples/s"
                 + compacted + ")",
                 f"store: {self.store_documents} document(s), {self.store_triples:,} triples"]
        if self.diagnostics:
            lines.append("diagnostics: " + ", ".join(f"{code} {count}"
                                                     for code, count in self.diagnostics))
        return "\n".join(lines)


def builder_fingerprint(base: str = DEFAULT_BASE) -> str:
    """What a document's triples depend on besides its text; a change rebuilds every source."""
    from . import __version__

    digest = hashlib.sha256()
    for name in ("lexgraph.ttl", "instruments.ttl"):
        digest.update(ontology_file(name).read_bytes())
    return f"lexgraph {__version__}; catalogue sha256:{digest.hexdigest()[:16]}; base {base}"


def content_hash(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def source_files(sources: Sequence[str | Path]) -> list[tuple[str, str]]:
    """(absolute path, path as shown) of the resolution texts named or found in folders."""
    found: list[tuple[str, str]] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            texts = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
            if not texts:
                raise InputError("folder holds no resolution texts", path=str(source))
            found.extend((str(p.resolve()), str(p)) for p in texts)
        elif path.is_file():
            found.append((str(path.resolve()), str(path)))
        else:
            raise InputError("no such file or folder", path=str(source))
    seen: set[str] = set()
    return [item for item in found if not (item[0] in seen or seen.add(item[0]))]


def open_store(location: str | Path, *, read_only: bool = False) -> ox.Store:
    """Open (or, for writing, create) a store folder, with a one-line error if it cannot be."""
    path = Path(location)
    if path.exists() and not path.is_dir():
        raise InputError("not a store folder (it is a file)", path=str(location))
    is_store = (path / "CURRENT").is_file()
    if read_only and not is_store:
        raise InputError("not a lexgraph store (no Oxigraph store in this folder)",
                         path=str(location))
    if not read_only and path.is_dir() and not is_store and any(path.iterdir()):
        raise InputError("folder is not empty and holds no Oxigraph store; "
                         "give a new or an existing store folder", path=str(location))
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as error:
        reason = " ".join(str(error).split())
        if "lock" in reason.lower():
            reason = "the store is open in another process (a build or a server); " + reason
        raise InputError(f"cannot open the store: {reason[:300]}", path=str(location)) from None


def read_records(store: ox.Store) -> dict[str, SourceRecord]:
    """The store's source records, by absolute source path."""
    query = f"""
        PREFIX lex: <{LEX_IRI}>
        SELECT ?record ?path ?hash ?with ?graph ?triples WHERE {{
          GRAPH <{BOOKKEEPING_GRAPH}> {{
            ?record a lex:SourceRecord ; lex:sourcePath ?path ; lex:contentHash ?hash ;
                    lex:builtWith ?with ; lex:namedGraph ?graph ; lex:tripleCount ?triples
          }}
        }}"""
    records = {}
    for row in store.query(query):
        records[row["path"].value] = SourceRecord(
            path=row["path"].value, content_hash=row["hash"].value, built_with=row["with"].value,
            graph=row["graph"].value, triples=int(row["triples"].value), iri=row["record"].value)
    return records


def record_iri(path: str) -> str:
    return f"{BOOKKEEPING_GRAPH}/source/{hashlib.sha256(path.encode('utf-8')).hexdigest()[:32]}"




def _record_data(built: BuiltDocument, built_with: str, when: str) -> str:
    """The record of a built document, as a GRAPH block of INSERT DATA."""
    s = f"<{record_iri(built.path)}>"
    g = f"<{BOOKKEEPING_GRAPH}>"
    diagnostics = sum(count for _, count in built.diagnostics)
    rows = (
        (f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{LEX_IRI}SourceRecord>"),
        (f"<{LEX_IRI}sourcePath>", nt_string(built.path)),
        (f"<{LEX_IRI}sourceFile>", nt_string(built.shown)),
        (f"<{LEX_IRI}contentHash>", nt_string(built.content_hash)),
        (f"<{LEX_IRI}builtWith>", nt_string(built_with)),
        (f"<{LEX_IRI}namedGraph>", f"<{built.graph}>"),
        (f"<{LEX_IRI}tripleCount>", f'"{built.triples}"^^<{_XSD}integer>'),
        (f"<{LEX_IRI}diagnosticCount>", f'"{diagnostics}"^^<{_XSD}integer>'),
        (f"<{_PROV}generatedAtTime>", f'"{when}"^^<{_XSD}dateTime>'),
    )
    return f"GRAPH {g} {{\n" + "".join(f"{s} {p} {o} .\n" for p, o in rows) + "}\n"


def _forget(store: ox.Store, graphs: Iterable[str], records: Iterable[str],
            then: str | Sequence[str] | None = None) -> None:
    """Remove graphs (and what only they gave the default graph) and records, in one update.

    ``then`` is one or more update operations run in the same transaction.
    """
    operations = []
    for graph in sorted(set(graphs)):
        operations.append(f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
                          f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} "
                          f"FILTER (?other != <{graph}>) }} }}")
        operations.append(f"DROP SILENT GRAPH <{graph}>")
    operations += [f"DELETE WHERE {{ GRAPH <{BOOKKEEPING_GRAPH}> {{ <{iri}> ?p ?o }} }}"
                   for iri in sorted(set(records))]
    operations += [then] if isinstance(then, str) else list(then or ())
    if operations:
        store.update(" ;\n".join(operations))


# -- Workers ---------------------------------------------------------------------------------

_WORKER: dict[str, object] = {}


def _init_worker(base: str) -> None:
    from .catalogue import default_catalogue

    _WORKER["catalogue"] = default_catalogue()
    _WORKER["minter"] = IriMinter(base)


def build_document(task: tuple[str, str, str, bool]) -> BuiltDocument:
    """Parse, extract, resolve and emit one source file (run in a worker process).

    The task is (absolute path, path as shown, content hash, whether the triples go into the
    default graph as well as the document's own graph).
    """
    from .api import process
    from .emit import emit_triples
    from .treaty import diagnostic_counts, is_treaty_text, read_treaty, treaty_triples

    path, shown, digest, merged = task
    if "catalogue" not in _WORKER:
        _init_worker(DEFAULT_BASE)
    catalogue, minter = _WORKER["catalogue"], _WORKER["minter"]
    if is_treaty_text(shown):  # a treaty text: its graph is named by its instrument's IRI
        try:
            built = treaty_triples(read_treaty(shown, catalogue=catalogue),  # type: ignore[arg-type]
                                   catalogue=catalogue, minter=minter)  # type: ignore[arg-type]
        except LexgraphError as error:
            return BuiltDocument(path, shown, digest, error=str(error))
        except Exception as error:  # a bug on one document must not stop a corpus build
            return BuiltDocument(path, shown, digest,
                                 error=f"{shown}: internal error: {type(error).__name__}: {error}")
        return BuiltDocument(path, shown, digest, graph=built.iri,
                             nquads=built.triples.nquads(built.iri)
                             + (built.triples.nquads() if merged else ""),
                             triples=len(built.triples), diagnostics=diagnostic_counts(built),
                             contribution=_share(built.triples))
    try:
        resolved = process(shown, catalogue=catalogue, minter=minter)  # type: ignore[arg-type]
    except LexgraphError as error:
        return BuiltDocument(path, shown, digest, error=str(error))
    except Exception as error:  # a bug on one document must not stop a corpus build
        return BuiltDocument(path, shown, digest,
                             error=f"{shown}: internal error: {type(error).__name__}: {error}")
    document = resolved.document
    graph = (minter.document(document.symbol) if document.symbol  # type: ignore[union-attr]
             else minter.unnamed_document(document.source))  # type: ignore[union-attr]
    triples = emit_triples(resolved, catalogue=catalogue, minter=minter)  # type: ignore[arg-type]
    codes = Counter(d.code for d in (*document.diagnostics, *resolved.extraction.diagnostics,
                                     *resolved.diagnostics))
    return BuiltDocument(path, shown, digest, graph=graph,
                         nquads=triples.nquads(graph) + (triples.nquads() if merged else ""),
                         triples=len(triples), diagnostics=tuple(sorted(codes.items())),
                         contribution=_share(triples))


def _share(triples: Iterable[tuple[object, object, object]]) -> Contribution:
    return contribution((str(s), str(p), str(o)) for s, p, o in triples)


def build_documents(tasks: Sequence[tuple[str, str, str, bool]], *, jobs: int = 1,
                    base: str = DEFAULT_BASE) -> Iterator[BuiltDocument]:
    """Build documents in ``jobs`` processes, yielding them in the order of ``tasks``.

    At most a few documents per worker are in flight, so memory stays flat however long the
    list is, and the order (which decides between two files of the same symbol) is stable.
    """
    if jobs <= 1 or len(tasks) <= 1:
        _init_worker(base)
        for task in tasks:
            yield build_document(task)
        return
    window = 4 * jobs
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork"),
                             initializer=_init_worker, initargs=(base,)) as pool:
        pending: list[Future[BuiltDocument]] = []
        queue = iter(tasks)
        try:
            for task in queue:
                pending.append(pool.submit(build_document, task))
                if len(pending) >= window:
                    yield pending.pop(0).result()
            while pending:
                yield pending.pop(0).result()
        except BaseException:
            for future in pending:
                future.cancel()
            raise


# -- Building a store ------------------------------------------------------------------------

Progress = Callable[[int, int, float], None]


def build_store(sources: Sequence[str | Path], location: str | Path, *, jobs: int = 1,
                base: str = DEFAULT_BASE, force: bool = False,
                progress: Progress | None = None,
                batch_size: int = BATCH_DOCUMENTS, optimize: bool = True) -> BuildSummary:
    """Build the resolution texts of ``sources`` into the store at ``location``.

    Sources whose content and builder are unchanged are skipped; sources that disappeared
    from a folder given in ``sources`` are removed from the store. With ``optimize``, a build
    that changed the store ends by compacting its storage (Oxigraph's ``optimize``): the
    bulk loader leaves overlapping files behind, and reading through them made the checks
    and queries on a 20,000-document store 2.5-3.5 times slower (and the store 1.7 times
    larger).
    """
    started = time.perf_counter()
    files = source_files(sources)
    store = open_store(location)
    built_with = builder_fingerprint(base)
    _ensure_ontology(store, built_with)
    recover(store)
    records = read_records(store)
    totals = _statistics(store)

    present = {path for path, _ in files}
    scopes = [str(Path(s).resolve()) for s in sources]
    vanished = [record for path, record in records.items() if path not in present
                and any(path == scope or path.startswith(scope.rstrip(os.sep) + os.sep)
                        for scope in scopes)]
    _forget(store, (r.graph for r in vanished), (r.iri for r in vanished),
            then=totals.update([graph_contribution(store, r.graph) for r in vanished], []))
    for record in vanished:
        del records[record.path]

    tasks: list[tuple[str, str, str, bool]] = []
    unchanged = 0
    for path, shown in files:
        digest = content_hash(path)
        record = records.get(path)
        if (not force and record is not None and record.content_hash == digest
                and record.built_with == built_with
                and store.contains_named_graph(ox.NamedNode(record.graph))):
            unchanged += 1
        else:
            tasks.append((path, shown, digest, True))
    # A build of every document the store holds (a new version of lexgraph, --force) counts
    # the statistics from nothing instead of taking each old document out first; until it
    # ends they are not current, and a killed build leaves them to be counted again.
    rebuilt = {task[0] for task in tasks}
    restart = bool(records) and all(path in rebuilt for path in records)
    if restart:
        unmark(store)
        totals = Totals()
    owners = {record.graph: record.path for record in records.values()}
    failed: list[str] = []
    duplicates: list[str] = []
    diagnostics: Counter[str] = Counter()
    built = triples_built = 0
    batch: list[BuiltDocument] = []
    done = 0

    def commit() -> None:
        if not batch:
            return
        old = [records[b.path] for b in batch if b.path in records]
        pending = "".join(f"<{record_iri(b.path)}> <{LEX_IRI}namedGraph> <{b.graph}> .\n"
                          for b in batch)
        removed = [] if restart else [graph_contribution(store, r.graph) for r in old]
        _forget(store, [r.graph for r in old] + [b.graph for b in batch if b.graph],
                [r.iri for r in old], then=[f"INSERT DATA {{ GRAPH <{BOOKKEEPING_GRAPH}> "
                f"{{ {pending} }} }}", *totals.update(removed, [])])
        store.bulk_load("".join(b.nquads for b in batch).encode("utf-8"),
                        format=ox.RdfFormat.N_QUADS)
        when = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        complete = "".join(_record_data(b, built_with, when) for b in batch)
        _forget(store, [], [record_iri(b.path) for b in batch],
                then=[f"INSERT DATA {{ {complete} }}",
                      *totals.update([], [b.contribution for b in batch])])
        batch.clear()

    quads_in_batch = 0
    for result in build_documents(tasks, jobs=jobs, base=base):
        done += 1
        if result.error is not None or result.graph is None:
            failed.append(result.error or f"{result.shown}: nothing built")
            old = records.pop(result.path, None)
            if old is not None:  # stale: the file no longer reads
                _forget(store, [old.graph], [old.iri], then=totals.update(
                    [] if restart else [graph_contribution(store, old.graph)], []))
                owners.pop(old.graph, None)
        else:
            owner = owners.get(result.graph)
            if owner is not None and owner != result.path and owner in present:
                shown_owner = next((s for p, s in files if p == owner), owner)
                duplicates.append(f"{result.shown}: same document as {shown_owner} "
                                  f"({result.graph}); not stored")
            else:
                previous = records.get(result.path)
                if previous is not None and previous.graph != result.graph:
                    owners.pop(previous.graph, None)
                owners[result.graph] = result.path
                batch.append(result)
                quads_in_batch += result.triples
                built += 1
                triples_built += result.triples
                diagnostics.update(dict(result.diagnostics))
                if len(batch) >= batch_size or quads_in_batch >= _BATCH_QUADS:
                    commit()
                    quads_in_batch = 0
        if progress is not None:
            progress(done, len(tasks), time.perf_counter() - started)
    commit()
    if restart:
        mark_current(store)
    store.flush()
    compacted: float | None = None
    if optimize and (built or vanished or failed):
        began = time.perf_counter()
        store.optimize()
        compacted = time.perf_counter() - began
    documents, triples = store_totals(store)
    return BuildSummary(
        documents=len(files), built=built, unchanged=unchanged, removed=len(vanished),
        failed=tuple(failed), duplicates=tuple(duplicates), triples_built=triples_built,
        store_documents=documents, store_triples=triples,
        seconds=time.perf_counter() - started,
        diagnostics=tuple(sorted(diagnostics.items(), key=lambda kv: (-kv[1], kv[0]))),
        compacted_seconds=compacted)


def recover(store: ox.Store) -> int:
    """Undo the batch a killed build left half-written; the number of documents undone.

    Its documents have pending records: their graphs may be partly loaded, and so may their
    copies in the default graph. Both are removed, with any default-graph triple about the
    documents' own nodes that no graph holds any more.
    """
    query = f"""
        PREFIX lex: <{LEX_IRI}>
        SELECT ?record ?graph WHERE {{ GRAPH <{BOOKKEEPING_GRAPH}> {{
          ?record lex:namedGraph ?graph FILTER NOT EXISTS {{ ?record lex:contentHash ?hash }}
        }} }}"""
    pending = [(row["record"].value, row["graph"].value) for row in store.query(query)]
    for record, graph in pending:
        _forget(store, [graph], [record], then=(
            f"DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o "
            f"FILTER (STR(?s) = \"{graph}\" || STRSTARTS(STR(?s), \"{graph}/\")) "
            f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} }} }}"))
    return len(pending)


def _statistics(store: ox.Store) -> Totals:
    """The statistics' totals, counted again first if they are not current."""
    return Totals.read(store) if is_current(store) else recount(store)


def store_totals(store: ox.Store) -> tuple[int, int]:
    """Documents and triples of the documents' graphs, from the bookkeeping (no full scan)."""
    query = f"""
        PREFIX lex: <{LEX_IRI}>
        SELECT (COUNT(?record) AS ?documents) (SUM(?triples) AS ?total) WHERE {{
          GRAPH <{BOOKKEEPING_GRAPH}> {{ ?record a lex:SourceRecord ; lex:tripleCount ?triples }}
        }}"""
    row = next(iter(store.query(query)))
    total = row["total"]
    return int(row["documents"].value), int(total.value) if total is not None else 0


def _ensure_ontology(store: ox.Store, built_with: str) -> None:
    """Load the ontology into its graph when the store has none or another version's."""
    node = ox.NamedNode(ONTOLOGY_GRAPH)
    marker = ox.Quad(node, ox.NamedNode(f"{LEX_IRI}builtWith"), ox.Literal(built_with),
                     ox.NamedNode(BOOKKEEPING_GRAPH))
    if marker in store:
        return
    _forget(store, [ONTOLOGY_GRAPH], [])
    store.update(f"DELETE WHERE {{ GRAPH <{BOOKKEEPING_GRAPH}> {{ <{ONTOLOGY_GRAPH}> ?p ?o }} }}")
    triples = list(ox.parse(path=str(ontology_file("lexgraph.ttl")), format=ox.RdfFormat.TURTLE))
    # in its graph, and merged into the default graph with the documents, so that a query
    # can follow rdfs:subClassOf and rdfs:subPropertyOf without naming graphs
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
             for t in triples for graph in (node, ox.DefaultGraph())]
    store.extend(quads + [marker])


# -- Writing a corpus to one file ------------------------------------------------------------

# lexgraph format name -> (Oxigraph format, is a dataset format)
STREAM_FORMATS = {
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "nquads": (ox.RdfFormat.N_QUADS, True),
    "turtle": (ox.RdfFormat.TURTLE, False),
    "trig": (ox.RdfFormat.TRIG, True),
}


@dataclass(frozen=True, slots=True)
class CorpusSummary:
    documents: int
    written: int
    failed: tuple[str, ...]
    duplicates: tuple[str, ...]
    seconds: float


def write_corpus(sources: Sequence[str | Path], output: str | Path, fmt: str, *, jobs: int = 1,
                 base: str = DEFAULT_BASE, with_catalogue: bool = False,
                 progress: Progress | None = None) -> CorpusSummary:
    """Build many documents into one file through Oxigraph's streaming writers.

    Documents are written as they are built, so memory does not grow with the corpus. In a
    dataset format each document is its own named graph; in a triple format the descriptions
    of cited instruments, repeated by every document, are written once.
    """
    import sys

    from .namespaces import PREFIXES

    started = time.perf_counter()
    ox_format, is_dataset = STREAM_FORMATS[fmt]
    files = source_files(sources)
    tasks = [(path, shown, "", False) for path, shown in files]
    failed: list[str] = []
    duplicates: list[str] = []
    written = [0]

    def statements() -> Iterator[ox.Quad | ox.Triple]:
        owners: dict[str, str] = {}
        shared: set[ox.Triple] = set()
        for done, result in enumerate(build_documents(tasks, jobs=jobs, base=base), start=1):
            if progress is not None:
                progress(done, len(tasks), time.perf_counter() - started)
            if result.error is not None or result.graph is None:
                failed.append(result.error or f"{result.shown}: nothing built")
                continue
            if result.graph in owners:
                duplicates.append(f"{result.shown}: same document as {owners[result.graph]} "
                                  f"({result.graph}); not written")
                continue
            owners[result.graph] = result.shown
            written[0] += 1
            for quad in ox.parse(result.nquads, format=ox.RdfFormat.N_QUADS):
                if is_dataset:
                    yield quad
                    continue
                triple = quad.triple
                if triple.subject.value.startswith(result.graph):
                    yield triple
                elif triple not in shared:
                    shared.add(triple)
                    yield triple
        if with_catalogue:
            yield from _catalogue_statements(base, is_dataset)

    prefixes = PREFIXES if ox_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    if str(output) == "-":
        ox.serialize(statements(), output=sys.stdout.buffer, format=ox_format,
                     prefixes=prefixes)
        sys.stdout.buffer.flush()
    else:
        from .api import atomic_output

        with atomic_output(output, "wb") as out:
            ox.serialize(statements(), output=out, format=ox_format, prefixes=prefixes)
    return CorpusSummary(documents=len(files), written=written[0], failed=tuple(failed),
                         duplicates=tuple(duplicates), seconds=time.perf_counter() - started)


def _catalogue_statements(base: str, is_dataset: bool) -> Iterator[ox.Quad | ox.Triple]:
    """The whole instrument catalogue, under ``base``, in the default graph."""
    from .catalogue import default_catalogue

    from rdflib import Graph, URIRef

    minter = IriMinter(base)
    graph = Graph()
    for triple in default_catalogue().graph:
        graph.add(tuple(URIRef(minter.rebase(str(t))) if isinstance(t, URIRef) else t
                        for t in triple))  # type: ignore[arg-type]
    for triple in ox.parse(graph.serialize(format="nt", encoding="utf-8"),
                           format=ox.RdfFormat.N_TRIPLES):
        yield ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph()) \
            if is_dataset else triple
