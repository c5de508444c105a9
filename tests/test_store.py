"""The corpus store: build into an on-disk Oxigraph store, incrementally, in parallel, safely.

Each test builds a small corpus (the bundled example under several symbols and the readers'
fixtures) into a store in a temporary folder and looks at the store with pyoxigraph alone.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder import store as corpus
from graph_builder.api import build_graph
from graph_builder.cli import main
from graph_builder.emit import Triples
from graph_builder.iris import STATISTICS_GRAPH
from graph_builder.namespaces import LEX_IRI

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "A-RES-58-137.txt"
READERS = HERE / "data" / "readers"
GENERATED_AT = "<http://www.w3.org/ns/prov#generatedAtTime>"
DOC = "https://w3id.org/lexgraph/akn/un/doc/"


def make_corpus(folder: Path, copies: int = 3) -> list[Path]:
    """The example under ``copies`` symbols (the file name gives it) and two readers' texts."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for n in range(copies):
        target = folder / f"A-RES-58-{137 + n}.txt"
        shutil.copyfile(EXAMPLE, target)
        files.append(target)
    for name in ("A-RES-78-901.md", "A-RES-77-906.html"):
        shutil.copyfile(READERS / name, folder / name)
        files.append(folder / name)
    return files


def quads(location: Path) -> set[str]:
    """Every quad of a store as N-Quads text, without the build times."""
    store = ox.Store.read_only(str(location))
    text = ox.serialize(store, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    return {line for line in text.splitlines() if GENERATED_AT not in line}


def graph_triples(store: ox.Store, graph: str | None) -> set[str]:
    name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    triples = (q.triple for q in store.quads_for_pattern(None, None, None, name))
    return set(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode().splitlines())


def single_document_triples(path: Path) -> set[str]:
    """The document built alone in memory, as an Oxigraph store holds it.

    (Oxigraph stores integers of derived types, such as the xsd:nonNegativeInteger of a
    text position, as xsd:integer.)
    """
    graph = build_graph([path])
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return graph_triples(store, None)


@pytest.fixture
def built(tmp_path):
    files = make_corpus(tmp_path / "texts")
    location = tmp_path / "db"
    summary = corpus.build_store([tmp_path / "texts"], location)
    return files, location, summary


# -- What a build puts in the store ----------------------------------------------------------

def test_each_document_is_a_named_graph_equal_to_its_own_build(built):
    files, location, summary = built
    assert (summary.documents, summary.built, summary.unchanged, summary.failed) == \
        (5, 5, 0, ())
    store = ox.Store.read_only(str(location))
    records = corpus.read_records(store)
    assert set(records) == {str(f.resolve()) for f in files}
    for path in files:
        record = records[str(path.resolve())]
        own = graph_triples(store, record.graph)
        assert own == single_document_triples(path), path.name
        assert record.triples == len(own)
        assert record.content_hash == corpus.content_hash(path)
    assert summary.store_documents == 5
    assert summary.store_triples == sum(r.triples for r in records.values())


def test_default_graph_is_the_merge_of_the_documents_and_the_ontology(built):
    _, location, _ = built
    store = ox.Store.read_only(str(location))
    records = corpus.read_records(store)
    merged = set().union(*(graph_triples(store, r.graph) for r in records.values()),
                         graph_triples(store, corpus.ONTOLOGY_GRAPH))
    assert graph_triples(store, None) == merged
    # every document describes the Charter or a convention it cites: stored once, not 5 times
    count = next(iter(store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?r <{LEX_IRI}sourceFile> ?file }}")))["n"].value
    assert int(count) == 5


def test_store_holds_bookkeeping_ontology_and_statistics_graphs(built):
    _, location, _ = built
    store = ox.Store.read_only(str(location))
    graphs = {g.value for g in store.named_graphs()}
    assert {corpus.BOOKKEEPING_GRAPH, corpus.ONTOLOGY_GRAPH, STATISTICS_GRAPH} <= graphs
    assert len(graphs) == 5 + 3
    ontology = graph_triples(store, corpus.ONTOLOGY_GRAPH)
    assert any(f"<{LEX_IRI}recalls>" in line and "subPropertyOf" in line for line in ontology)


def test_the_folder_opens_in_the_oxigraph_server(built):
    _, location, _ = built
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([binary, "serve-read-only", "--location", str(location),
                               "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?r <{LEX_IRI}sourceFile> ?file }}"
        url = f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode({"query": query})
        request = urllib.request.Request(url, headers={"Accept": "text/csv"})
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    answer = response.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert answer.split() == ["n", "5"]
    finally:
        server.terminate()
        server.wait(timeout=10)


# -- Rebuilding --------------------------------------------------------------------------------

def _edit(folder: Path) -> None:
    path = folder / "A-RES-58-138.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Recalling further",
                                                             "Recalling moreover"),
                    encoding="utf-8")


def _remove(folder: Path) -> None:
    (folder / "A-RES-78-901.md").unlink()


def _rename(folder: Path) -> None:
    (folder / "A-RES-58-139.txt").rename(folder / "A-RES-58-200.txt")


def _nothing(folder: Path) -> None:
    pass


@pytest.mark.parametrize(("change", "options", "expected"), [
    # (built, unchanged, removed, storage compacted) on the second build
    (_nothing, {}, (0, 5, 0, False)),  # nothing changed: nothing to compact
    (_edit, {}, (1, 4, 0, True)),
    (_remove, {}, (0, 4, 1, True)),
    (_rename, {}, (1, 4, 1, True)),
    (_nothing, {"force": True}, (5, 0, 0, True)),
    (_nothing, {"base": "https://example.org/"}, (5, 0, 0, True)),  # another builder: all again
    (_edit, {"optimize": False}, (1, 4, 0, False)),
], ids=["unchanged", "edited", "removed", "renamed", "forced", "other-base", "not-compacted"])
def test_rebuild_does_only_what_changed(tmp_path, change, options, expected):
    texts = tmp_path / "texts"
    make_corpus(texts)
    location = tmp_path / "db"
    corpus.build_store([texts], location)
    change(texts)
    summary = corpus.build_store([texts], location, **options)
    assert (summary.built, summary.unchanged, summary.removed,
            summary.compacted_seconds is not None) == expected
    assert ("storage compacted in" in summary.human()) == expected[3]
    # whatever the history, the store is what a fresh build of the folder makes
    fresh = tmp_path / "fresh"
    corpus.build_store([texts], fresh, **{k: v for k, v in options.items() if k == "base"})
    assert quads(location) == quads(fresh)


def test_a_removed_document_leaves_no_triple_of_its_own(tmp_path):
    texts = tmp_path / "texts"
    make_corpus(texts)
    location = tmp_path / "db"
    corpus.build_store([texts], location)
    _remove(texts)
    corpus.build_store([texts], location)
    store = ox.Store.read_only(str(location))
    assert not any("a-res-78-901" in line for line in graph_triples(store, None))
    assert len(corpus.read_records(store)) == 4


def test_building_another_folder_keeps_the_first(tmp_path):
    make_corpus(tmp_path / "one", copies=2)
    (tmp_path / "two").mkdir()
    shutil.copyfile(EXAMPLE, tmp_path / "two" / "A-RES-58-300.txt")
    location = tmp_path / "db"
    corpus.build_store([tmp_path / "one"], location)
    summary = corpus.build_store([tmp_path / "two"], location)
    assert (summary.built, summary.removed, summary.store_documents) == (1, 0, 5)


def test_parallel_build_equals_serial_build(tmp_path):
    texts = tmp_path / "texts"
    make_corpus(texts, copies=6)
    corpus.build_store([texts], tmp_path / "serial", jobs=1)
    corpus.build_store([texts], tmp_path / "parallel", jobs=2, batch_size=3)
    assert quads(tmp_path / "serial") == quads(tmp_path / "parallel")


def test_two_files_of_one_document_keep_the_first(tmp_path, capsys):
    texts = tmp_path / "texts"
    texts.mkdir()
    shutil.copyfile(EXAMPLE, texts / "A-RES-58-137.txt")
    (texts / "copy").mkdir()
    shutil.copyfile(EXAMPLE, texts / "copy" / "A-RES-58-137.txt")
    code = main(["build", str(texts), "--store", str(tmp_path / "db"), "-q"])
    err = capsys.readouterr().err
    assert code == 0
    assert err.count("\n") == 1 and "warning" in err and "same document as" in err
    assert len(corpus.read_records(ox.Store.read_only(str(tmp_path / "db")))) == 1


def test_unreadable_file_fails_alone_and_is_retried(tmp_path, capsys):
    texts = tmp_path / "texts"
    make_corpus(texts, copies=2)
    bad = texts / "A-RES-99-1.txt"
    bad.write_bytes(b"\x7fELF\x02\x01\x01\x00" * 10)
    location = tmp_path / "db"
    code = main(["build", str(texts), "--store", str(location), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "A-RES-99-1.txt" in err and "binary" in err and err.count("\n") == 1
    assert len(corpus.read_records(ox.Store.read_only(str(location)))) == 4
    shutil.copyfile(EXAMPLE, bad)
    summary = corpus.build_store([texts], location)
    assert (summary.built, summary.unchanged, summary.failed) == (1, 4, ())


# -- A build killed half-way ---------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("after", [2, 9, 17])
def test_kill_9_leaves_a_store_that_opens_and_a_rerun_completes(tmp_path, after):
    texts = tmp_path / "texts"
    make_corpus(texts, copies=22)
    location = tmp_path / "db"
    command = [sys.executable, "-m", "graph_builder", "build", str(texts), "--store",
               str(location), "--jobs", "1", "--batch-size", "3", "--progress"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    seen = b""
    assert process.stderr is not None
    while process.poll() is None:
        seen += os.read(process.stderr.fileno(), 256)
        if max(map(int, re.findall(rb"\] (\d+)/", seen)), default=0) >= after:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the build ended before it could be killed"
    half = ox.Store(str(location))  # opens
    records = corpus.read_records(half)
    assert len(records) < 24
    for record in records.values():  # what is recorded is complete
        assert len(graph_triples(half, record.graph)) == record.triples
    del half
    summary = corpus.build_store([texts], location)
    assert summary.store_documents == 24 and summary.failed == ()
    corpus.build_store([texts], tmp_path / "clean")
    assert quads(location) == quads(tmp_path / "clean")


# -- The command line ----------------------------------------------------------------------------

def test_cli_build_query_and_check_a_store(tmp_path, capsys):
    texts = tmp_path / "texts"
    files = make_corpus(texts)
    location = tmp_path / "db"
    assert main(["build", str(texts), "--store", str(location), "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("5 document(s): 5 built, 0 unchanged, 0 removed, 0 failed")
    assert "store: 5 document(s)" in out
    assert "storage compacted in" in out
    assert main(["build", str(texts), "--store", str(location)]) == 0
    assert capsys.readouterr().out.startswith("5 document(s): 0 built, 5 unchanged")
    assert main(["build", str(texts), "--store", str(location), "--force", "--no-optimize"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("5 document(s): 5 built") and "compacted" not in out

    # the named queries give on the store what they give on the texts built in memory
    for name in ("relation-counts", "cited-articles", "resolutions", "most-cited-instruments"):
        assert main(["query", name, "--store", str(location), "-f", "csv"]) == 0
        on_store = capsys.readouterr().out
        assert main(["query", name, "--data", *map(str, files), "-f", "csv"]) == 0
        on_texts = capsys.readouterr().out
        assert sorted(on_store.splitlines()) == sorted(on_texts.splitlines()), name

    # the graph checks find on the store what they find on the built graph
    graph_file = tmp_path / "all.nt"
    assert main(["build", *map(str, files), "-o", str(graph_file)]) == 0
    code_store = main(["check", "--store", str(location), "-f", "json"])
    on_store = capsys.readouterr().out
    code_graph = main(["check", str(graph_file), "-f", "json"])
    on_graph = capsys.readouterr().out
    assert code_store == code_graph
    import json

    def codes(report: str) -> list[tuple[str, str]]:
        return sorted((f["code"], f["focus"]) for f in json.loads(report)["findings"])
    assert codes(on_store) == codes(on_graph)


@pytest.mark.parametrize(("setup", "arguments", "needle"), [
    ("file", [], "not a store folder"),
    ("non-store-folder", [], "holds no Oxigraph store"),
    ("locked", [], "open in another process"),
    ("none", ["-o", "x.ttl"], "give one or the other"),
    ("none", ["--symbol", "A/RES/1/1"], "do not apply"),
    ("none", ["--jobs", "0"], "--jobs must be 1 or more"),
], ids=["file", "non-store-folder", "locked", "with-output", "with-metadata", "no-jobs"])
def test_cli_store_errors_are_one_line(tmp_path, capsys, setup, arguments, needle):
    texts = tmp_path / "texts"
    make_corpus(texts, copies=1)
    location = tmp_path / "db"
    held = None
    if setup == "file":
        location.write_text("not a store")
    elif setup == "non-store-folder":
        location.mkdir()
        (location / "notes.txt").write_text("mine")
    elif setup == "locked":
        held = ox.Store(str(location))
    code = main(["build", str(texts), "--store", str(location), *arguments])
    err = capsys.readouterr().err
    assert code == 2 and needle in err and err.count("\n") == 1 and "Traceback" not in err
    if setup == "non-store-folder":
        assert sorted(p.name for p in location.iterdir()) == ["notes.txt"]
    del held


def test_cli_query_and_check_need_an_existing_store(tmp_path, capsys):
    for command in (["query", "resolutions", "--store"], ["check", "--store"]):
        code = main([*command, str(tmp_path / "absent")])
        err = capsys.readouterr().err
        assert code == 2 and "not a lexgraph store" in err and err.count("\n") == 1
    assert not (tmp_path / "absent").exists()


# -- One file for a corpus ---------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".nq", ".trig"])
def test_corpus_dataset_file_has_one_graph_per_document(tmp_path, suffix):
    texts = tmp_path / "texts"
    files = make_corpus(texts)
    output = tmp_path / f"corpus{suffix}"
    assert main(["build", str(texts), "-o", str(output), "--jobs", "2"]) == 0
    store = ox.Store()
    store.load(path=str(output))
    graphs = {g.value for g in store.named_graphs()}
    assert len(graphs) == 5
    by_name = {f.name: f for f in files}
    example_graph = DOC + "a-res-58-137"
    assert graph_triples(store, example_graph) == \
        single_document_triples(by_name["A-RES-58-137.txt"])
    assert not list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


@pytest.mark.parametrize("suffix", [".nt", ".ttl"])
def test_corpus_triple_file_is_the_merge(tmp_path, suffix):
    texts = tmp_path / "texts"
    files = make_corpus(texts)
    output = tmp_path / f"corpus{suffix}"
    assert main(["build", str(texts), "-o", str(output)]) == 0
    store = ox.Store()
    store.load(path=str(output))
    merged = set().union(*(single_document_triples(f) for f in files))
    assert graph_triples(store, None) == merged
    if suffix == ".nt":  # each shared description written once
        lines = output.read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(set(lines)) == len(merged)


def test_corpus_file_is_not_left_half_written(tmp_path, capsys):
    texts = tmp_path / "texts"
    make_corpus(texts, copies=1)
    output = tmp_path / "missing" / "corpus.nq"
    assert main(["build", str(texts), "-o", str(output)]) == 2
    assert "output folder does not exist" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["texts"]


# -- N-Quads of one document ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    'plain', 'with "quotes"', "back\\slash", "line\nbreak", "carriage\rreturn", "tab\there",
    "caf\u00e9 \u2013 \U0001F600", "",
])
@pytest.mark.parametrize("kind", ["string", "lang", "typed"])
def test_nquads_writer_round_trips_literals(value, kind):
    from rdflib import Literal, URIRef

    literal = {"string": Literal(value), "lang": Literal(value, lang="en"),
               "typed": Literal(value, datatype=URIRef("https://example.org/datatype"))}[kind]
    triples = Triples()
    triples.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), literal))
    for graph in (None, "https://example.org/g"):
        (quad,) = list(ox.parse(triples.nquads(graph), format=ox.RdfFormat.N_QUADS))
        assert quad.object.value == value
        assert (quad.object.language or None) == (literal.language or None)
        if kind == "typed":
            assert quad.object.datatype.value == "https://example.org/datatype"
        assert quad.graph_name == (ox.DefaultGraph() if graph is None else ox.NamedNode(graph))


@pytest.mark.parametrize("loaded", [0.0, 0.5, 1.0], ids=["nothing", "half", "all"])
def test_a_batch_left_pending_is_undone_and_built_again(tmp_path, loaded):
    """The state a build killed during a bulk load leaves: pending records, some quads."""
    texts = tmp_path / "texts"
    make_corpus(texts, copies=2)
    location = tmp_path / "db"
    corpus.build_store([texts], location)
    extra = texts / "A-RES-58-300.txt"
    shutil.copyfile(EXAMPLE, extra)
    built = corpus.build_document((str(extra.resolve()), str(extra), "", True))
    store = ox.Store(str(location))
    store.update(f"INSERT DATA {{ GRAPH <{corpus.BOOKKEEPING_GRAPH}> {{ "
                 f"<{corpus.record_iri(built.path)}> <{LEX_IRI}namedGraph> <{built.graph}> "
                 f"}} }}")
    lines = built.nquads.splitlines(keepends=True)
    store.bulk_load("".join(lines[::2] if loaded == 0.5 else lines if loaded else []),
                    format=ox.RdfFormat.N_QUADS)
    del store
    summary = corpus.build_store([texts], location)
    assert (summary.built, summary.unchanged) == (1, 4)
    corpus.build_store([texts], tmp_path / "clean")
    assert quads(location) == quads(tmp_path / "clean")
