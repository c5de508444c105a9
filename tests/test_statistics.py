"""The statistics a store build keeps, and the store forms of the named queries that read them.

A document's share is checked on small graphs written by hand; the store's totals are checked
against a count from nothing after every kind of change, and each store form against the
query it stands for, row for row.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder import statistics as stats
from graph_builder import store as corpus
from graph_builder.iris import STATISTICS_GRAPH
from graph_builder.queries import list_queries, load_query, run_query, sparql_tokens

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "A-RES-58-137.txt"
READERS = HERE / "data" / "readers"
CORPUS = HERE.parent.parent / "shared" / "corpus" / "unga"

LEX = "https://w3id.org/lexgraph/ontology#"
ACT = "https://w3id.org/lexgraph/akn/un/act/"
ELI = "http://data.europa.eu/eli/ontology#"
CITO = "http://purl.org/spar/cito/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
D = "urn:doc"
T = "urn:treaty"


def _document(*extra: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    """A document with two paragraphs, a sub-paragraph and a footnote, and what it cites."""
    return [
        (D, f"{LEX}sourceFile", "d.txt"),
        (f"{D}/p1", f"{ELI}is_part_of", D), (f"{D}/p1", f"{LEX}paragraphId", "pp.1"),
        (f"{D}/p2", f"{ELI}is_part_of", D), (f"{D}/p2", f"{LEX}paragraphId", "op.1"),
        (f"{D}/p2a", f"{ELI}is_part_of", f"{D}/p2"), (f"{D}/p2a", f"{LEX}paragraphId", "op.1.a"),
        (f"{D}/fn1", f"{ELI}is_part_of", D), (f"{D}/fn1", RDF_TYPE, f"{LEX}Footnote"),
        (f"{T}/art6/para2", f"{ELI}is_part_of", f"{T}/art6"),
        (f"{T}/art6", f"{ELI}is_part_of", T),
        *extra,
    ]


def _citation(name: str, paragraph: str, target: str, relation: str) -> list[tuple[str, str, str]]:
    return [(name, f"{CITO}hasCitingEntity", paragraph), (name, f"{CITO}hasCitedEntity", target),
            (name, f"{CITO}hasCitationCharacterization", f"{LEX}{relation}")]


def _facts(share: stats.Contribution) -> dict[str, object]:
    found: dict[str, object] = {}
    for _, predicate, value in share.facts:
        name = predicate.rpartition("#")[2]
        if predicate == stats.CITES_WITHIN:
            found.setdefault(name, set()).add(value)  # type: ignore[union-attr]
        else:
            found[name] = value
    return found


def _totals(share: stats.Contribution) -> dict[tuple[str, str], int]:
    return {(s, p.rpartition("#")[2]): n for (s, p), n in share.totals}


# -- A document's share ------------------------------------------------------------------------

CASES = [
    # (id, extra triples, facts, some totals)
    ("nothing cited", [],
     {"statParagraphs": 3, "statCitationsMade": 0, "statFootnotes": 1}, {}),
    ("an article paragraph counts for the article and the treaty",
     _citation("urn:c1", f"{D}/p2a", f"{T}/art6/para2", "implements"),
     {"citesWithin": {f"{T}/art6/para2", f"{T}/art6", T}, "statCitationsMade": 1},
     {(T, "statCitedBy"): 1, (f"{T}/art6", "statCitedBy"): 1, (T, "statCitingDocuments"): 1,
      (f"{LEX}implements", "statCitations"): 1, (f"{LEX}implements", "statCitingParagraphs"): 1,
      (f"{LEX}implements", "statCitingDocuments"): 1}),
    ("two citations of one treaty: two citations, one document",
     [*_citation("urn:c1", f"{D}/p1", f"{T}/art6", "recalls"),
      *_citation("urn:c2", f"{D}/p1", T, "recalls")],
     {"citesWithin": {f"{T}/art6", T}, "statCitationsMade": 2},
     {(T, "statCitedBy"): 2, (T, "statCitingDocuments"): 1, (f"{T}/art6", "statCitedBy"): 1,
      (f"{LEX}recalls", "statCitations"): 2, (f"{LEX}recalls", "statCitingParagraphs"): 1}),
    ("a footnote's citation belongs to the document",
     _citation("urn:c1", f"{D}/fn1", "urn:report", "cites"),
     {"citesWithin": {"urn:report"}, "statCitationsMade": 1},
     {("urn:report", "statCitedBy"): 1, (f"{LEX}cites", "statCitingParagraphs"): 1}),
    ("a citation from outside the document does not count",
     _citation("urn:c1", "urn:elsewhere", T, "recalls"),
     {"statCitationsMade": 0}, {(T, "statCitedBy"): 0}),
    ("a cycle of parts ends",
     [(f"{T}/x", f"{ELI}is_part_of", f"{T}/y"), (f"{T}/y", f"{ELI}is_part_of", f"{T}/x"),
      *_citation("urn:c1", f"{D}/p1", f"{T}/x", "notes")],
     {"citesWithin": {f"{T}/x", f"{T}/y"}}, {(f"{T}/x", "statCitedBy"): 1}),
]


@pytest.mark.parametrize(("extra", "facts", "totals"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_document_s_share(extra, facts, totals):
    share = stats.contribution(_document(*extra))
    found = _facts(share)
    for name, value in facts.items():
        assert found.get(name, set() if name == "citesWithin" else None) == value, name
    counted = _totals(share)
    for key, value in totals.items():
        assert counted.get(key, 0) == value, key


def test_a_graph_without_a_document_adds_nothing():
    assert stats.contribution(_citation("urn:c1", "urn:p", T, "recalls")) == stats.EMPTY


def test_the_example_s_share_is_what_the_text_says():
    """A/RES/58/137: 47 paragraphs at every level, 8 footnotes (hand-checked against the
    text); 21 citations; the Trafficking Protocol cited in four paragraphs, nine times in all."""
    from graph_builder.api import build_graph

    graph = build_graph([EXAMPLE])
    share = stats.contribution((str(s), str(p), str(o)) for s, p, o in graph)
    document = "https://w3id.org/lexgraph/akn/un/doc/a-res-58-137"
    facts = _facts(share)
    assert (facts["statParagraphs"], facts["statCitationsMade"], facts["statFootnotes"]) == \
        (47, 21, 8)
    protocol = "https://w3id.org/lexgraph/akn/un/act/untoc-trafficking-protocol"
    assert protocol in facts["citesWithin"]  # type: ignore[operator]
    totals = _totals(share)
    assert totals[(protocol, "statCitingDocuments")] == 1
    assert all(s == document for s, _, _ in share.facts)


# -- Keeping the totals --------------------------------------------------------------------------

def test_totals_go_up_and_down_and_vanish_at_zero():
    one = stats.contribution(_document(*_citation("urn:c1", f"{D}/p1", T, "recalls")))
    totals = stats.Totals()
    added = totals.update([], [one, one])
    assert totals.values[(T, stats.CITED_BY)] == 2
    assert len(added) == 1 and added[0].startswith("INSERT DATA")
    changed = totals.update([one], [])
    assert totals.values[(T, stats.CITED_BY)] == 1
    assert changed[0].startswith("DELETE DATA") and '"2"' in changed[0] and '"1"' in changed[1]
    totals.update([one], [])
    assert (T, stats.CITED_BY) not in totals.values


# -- In a store ----------------------------------------------------------------------------------

def statistics_quads(location: Path) -> set[str]:
    store = ox.Store.read_only(str(location))
    found = store.quads_for_pattern(None, None, None, ox.NamedNode(STATISTICS_GRAPH))
    return {str(q) for q in found}


def recounted(location: Path, into: Path) -> set[str]:
    """The statistics of a copy of the store, counted again from its documents' graphs."""
    shutil.copytree(location, into)
    store = ox.Store(str(into))
    stats.recount(store)
    store.flush()
    del store
    return statistics_quads(into)


def make_texts(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(3):
        shutil.copyfile(EXAMPLE, folder / f"A-RES-58-{137 + n}.txt")
    for name in ("A-RES-78-901.md", "A-RES-77-906.html", "A-RES-79-902.md"):
        shutil.copyfile(READERS / name, folder / name)
    return folder


def built(tmp_path: Path) -> tuple[Path, Path]:
    """The texts of :func:`make_texts`, built into a store: (texts folder, store folder)."""
    texts = make_texts(tmp_path / "texts")
    location = tmp_path / "db"
    corpus.build_store([texts], location)
    return texts, location


def _cite_less(folder: Path) -> None:
    path = folder / "A-RES-58-138.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Protocol to Prevent", "Protocol to Deter"), encoding="utf-8")


def _remove(folder: Path) -> None:
    (folder / "A-RES-78-901.md").unlink()


def _add(folder: Path) -> None:
    shutil.copyfile(EXAMPLE, folder / "A-RES-58-150.txt")


def _rename(folder: Path) -> None:
    (folder / "A-RES-58-139.txt").rename(folder / "A-RES-58-160.txt")


def _break(folder: Path) -> None:
    (folder / "A-RES-79-902.md").write_bytes(b"\xff\xfe\x00binary\x00")


@pytest.mark.parametrize("change", [_cite_less, _remove, _add, _rename, _break],
                         ids=["edited", "removed", "added", "renamed", "now-unreadable"])
def test_statistics_after_a_change_equal_a_count_from_nothing(tmp_path, change):
    texts, location = built(tmp_path)
    before = statistics_quads(location)
    change(texts)
    corpus.build_store([texts], location)
    after = statistics_quads(location)
    assert after != before  # the change was seen
    assert after == recounted(location, tmp_path / "again")
    assert stats.is_current(ox.Store.read_only(str(location)))


def test_a_forced_build_counts_from_nothing_and_ends_current(tmp_path):
    texts, location = built(tmp_path)
    first = statistics_quads(location)
    corpus.build_store([texts], location, force=True)
    assert statistics_quads(location) == first
    assert stats.is_current(ox.Store.read_only(str(location)))


def test_a_store_without_statistics_is_queried_as_written_then_counted(tmp_path):
    texts, location = built(tmp_path)
    counted = statistics_quads(location)
    store = ox.Store(str(location))
    stats.unmark(store)  # as a store built before lexgraph kept statistics
    assert not stats.is_current(store)
    written = run_query(store, "relation-counts", statistics=False)
    assert written.rows  # the emptied statistics would give none
    assert run_query(store, "relation-counts") == written  # no statistics: the query as written
    del store
    summary = corpus.build_store([texts], location)  # nothing to build, but statistics to count
    assert summary.built == 0
    assert statistics_quads(location) == counted


# -- Store forms ---------------------------------------------------------------------------------

STORE_FORMS = [q for q in list_queries("select") if q.store_form is not None]


def _cases(query) -> list[dict[str, str]]:
    """No parameter (unless one is required), then each example on its own."""
    cases = [] if any(p.required for p in query.parameters) else [{}]
    cases += [{p.name: p.example} for p in query.parameters if p.example]
    return cases


def _normal(result) -> Counter:
    return Counter(tuple(None if t is None else t.n3() for t in row) for row in result.rows)


def _leading_keys(query) -> list[int]:
    """The columns the query's ORDER BY sorts on first, up to the first key that is not a
    selected variable: the order both forms must agree on."""
    tokens = sparql_tokens(query.text)
    start = max(i for i, t in enumerate(tokens) if t.text.upper() == "ORDER") + 2
    keys = []
    for token in tokens[start:]:
        if token.kind == "var" and token.text[1:] in query.columns:
            keys.append(query.columns.index(token.text[1:]))
        elif token.text.upper() not in ("ASC", "DESC", "(", ")"):
            break
    return keys


def assert_forms_agree(store: ox.Store, query, bindings: dict[str, str]) -> int:
    written = run_query(store, query, bindings=bindings, statistics=False)
    read = run_query(store, query, bindings=bindings)
    assert read.variables == written.variables == query.columns
    assert _normal(read) == _normal(written), (query.name, bindings)
    keys = _leading_keys(query)
    assert keys, query.name
    assert [[row[i] for i in keys] for row in read.rows] == \
        [[row[i] for i in keys] for row in written.rows], (query.name, "order")
    return len(written.rows)


def test_the_store_forms_are_there_for_the_corpus_questions():
    assert {q.name for q in STORE_FORMS} == {
        "citation-chain", "cited-articles", "citing-paragraphs", "co-citation",
        "instruments-by-decade", "most-cited-instruments", "relation-counts", "resolutions",
        "uncited-paragraphs"}
    for query in STORE_FORMS:
        assert query.store_form.columns == query.columns
        assert f"# name: {query.name}" in query.store_form.text


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("statistics")
    texts = make_texts(root / "texts")
    location = root / "db"
    corpus.build_store([texts], location)
    return ox.Store.read_only(str(location))


@pytest.mark.parametrize("query", STORE_FORMS, ids=[q.name for q in STORE_FORMS])
def test_each_store_form_answers_as_the_query_it_stands_for(small_store, query):
    assert stats.is_current(small_store)
    rows = [assert_forms_agree(small_store, query, case) for case in _cases(query)]
    assert any(rows), "no case gives an answer: the comparison would prove nothing"


def _tamper(location: Path) -> str:
    """Change the count of lex:implements citations behind the build's back, so that an answer
    tells which form gave it; return the true count."""
    store = ox.Store(str(location))
    graph = ox.NamedNode(STATISTICS_GRAPH)
    implements = ox.NamedNode(f"{LEX}implements")
    count = ox.NamedNode(stats.CITATIONS)
    kept = next(store.quads_for_pattern(implements, count, None, graph))
    store.remove(kept)
    store.add(ox.Quad(implements, count, ox.Literal("999", datatype=kept.object.datatype), graph))
    return kept.object.value


def test_the_query_command_reads_the_statistics_unless_told_not_to(tmp_path, capsys):
    from graph_builder.cli import main

    _, location = built(tmp_path)
    true_count = _tamper(location)
    arguments = ["query", "relation-counts", "--store", str(location), "-f", "csv"]
    assert main(arguments) == 0
    read = capsys.readouterr().out.splitlines()
    assert read[0] == "relation,citations,paragraphs,resolutions"
    assert read[1].startswith(f"{LEX}implements,999,")
    assert main([*arguments, "--no-statistics"]) == 0
    written = capsys.readouterr().out.splitlines()
    assert f"{LEX}implements,{true_count}," in "\n".join(written)


def _results(body: bytes, fmt: str) -> list[tuple]:
    parser = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
              "tsv": ox.QueryResultsFormat.TSV}[fmt]
    solutions = ox.parse_query_results(body, format=parser)
    return [tuple(str(row[v]) if row[v] is not None else None for v in solutions.variables)
            for row in solutions]


@pytest.fixture(scope="module")
def served_store(tmp_path_factory):
    """A store with a tampered count, served read-only, and its true count."""
    from test_serve import Server

    _, location = built(tmp_path_factory.mktemp("served"))
    true_count = _tamper(location)
    running = Server(str(location), "--workers", "0")
    try:
        yield running, location, true_count
    finally:
        running.stop()


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
@pytest.mark.parametrize("name", ["resolutions", "most-cited-instruments", "co-citation"])
def test_the_endpoint_answers_named_queries_from_the_store_forms(served_store, name, fmt):
    """/queries/NAME on a corpus store: the store form's rows, in the order of the query as
    written (which /sparql runs, with its ORDER BY), in every result format."""
    import urllib.parse

    server, _, _ = served_store
    query = load_query(name)
    status, headers, body = server.request("GET", f"/queries/{name}?format={fmt}")
    assert status == 200, body
    assert headers["content-type"].startswith(
        {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
         "tsv": "text/tab-separated-values"}[fmt])
    written = urllib.parse.urlencode({"query": query.text, "format": fmt})
    status, _, reference = server.request("GET", f"/sparql?{written}")
    assert status == 200, reference
    rows = _results(body, fmt)
    assert rows and rows == _results(reference, fmt)


def test_the_endpoint_reads_the_statistics_only_when_it_can_trust_them(served_store):
    server, location, true_count = served_store
    status, _, body = server.request("GET", "/queries/relation-counts?format=csv")
    assert status == 200, body
    assert f"{LEX}implements,999," in body.decode()
    # a named query by POST form, with a parameter, as the query page sends it
    status, _, body = server.request(
        "POST", "/queries/cited-articles", f"$instrument=<{ACT}untoc>&format=json",
        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and _results(body, "json"), body
    status, _, body = server.request("GET", "/queries/citation-chain")
    assert status == 400 and b"needs a value for ?resolution" in body
    # writes would leave the counts behind: an endpoint that takes them runs the query as written
    from test_serve import Server

    for options in (["--update"], ["--union-default-graph"]):
        other = Server(str(location), "--workers", "0", *options)
        try:
            status, _, body = other.request("GET", "/queries/relation-counts?format=csv")
        finally:
            other.stop()
        assert status == 200, body
        assert f"{LEX}implements," in body.decode() and ",999," not in body.decode(), options
        if options == ["--update"]:
            assert f"{LEX}implements,{true_count}," in body.decode()


def test_the_endpoint_limits_store_form_answers_too(served_store):
    from test_serve import Server

    _, location, _ = served_store
    small = Server(str(location), "--workers", "0", "--max-result-size", "1k")
    try:
        status, _, body = small.request("GET", "/queries/resolutions?format=json")
        assert status == 422 and b"larger than this endpoint's limit of 1" in body, body
        status, _, body = small.request("GET", "/queries/relation-counts?format=csv")
        assert status == 200 and b"999" in body, body
        status, _, body = small.request("GET", "/queries/relation-counts?format=turtle")
        assert status == 406, body
    finally:
        small.stop()


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the development corpus is not beside the project")
def test_store_forms_agree_on_a_slice_of_the_corpus(tmp_path):
    texts = tmp_path / "texts"
    texts.mkdir()
    for path in sorted(CORPUS.glob("*.txt"))[:120]:
        shutil.copyfile(path, texts / path.name)
    location = tmp_path / "db"
    corpus.build_store([texts], location, jobs=2)
    store = ox.Store.read_only(str(location))
    some = next(iter(corpus.read_records(store).values())).graph
    for query in STORE_FORMS:
        for case in _cases(query) + [{p.name: f"<{some}>" for p in query.parameters
                                      if p.name == "resolution"}]:
            if case or not any(p.required for p in query.parameters):
                assert_forms_agree(store, query, case)


# -- The registry refuses a store form it could not stand behind ---------------------------------

_QUERY = """# name: things
# purpose: Things.
# columns: ?thing ?count

SELECT ?thing ?count WHERE { ?thing <urn:count> ?count } ORDER BY {order}
"""


@pytest.mark.parametrize(("order", "form", "message"), [
    ("?thing", "# name: others\n# columns: ?thing ?count\nSELECT ?thing ?count {}",
     "a store form of no named query"),
    ("?thing", "# name: things\n# columns: ?thing\nSELECT ?thing {}", "are not those of things"),
    ("STR(?thing)", "# name: things\n# columns: ?thing ?count\nSELECT ?thing ?count {}",
     "give this form its own ORDER BY"),
], ids=["orphan", "other-columns", "order-not-on-columns"])
def test_a_malformed_store_form_is_refused_with_its_file(tmp_path, order, form, message):
    from graph_builder.errors import InputError

    (tmp_path / "select").mkdir()
    (tmp_path / "store").mkdir()
    (tmp_path / "select" / "things.rq").write_text(_QUERY.replace("{order}", order))
    name = "others" if "others" in form else "things"
    (tmp_path / "store" / f"{name}.rq").write_text(form)
    with pytest.raises(InputError, match=message) as error:
        list_queries(root=tmp_path)
    assert f"{name}.rq" in str(error.value)


def test_a_store_form_without_order_takes_the_query_s(tmp_path):
    (tmp_path / "select").mkdir()
    (tmp_path / "store").mkdir()
    (tmp_path / "select" / "things.rq").write_text(_QUERY.replace("{order}",
                                                                  "DESC(?count) ?thing"))
    (tmp_path / "store" / "things.rq").write_text(
        "# name: things\n# store: kept counts.\n# columns: ?thing ?count\n"
        "SELECT ?thing ?count { ?thing <urn:kept> ?count }")
    query = load_query("things", root=tmp_path)
    assert query.store_form is not None and query.store_form.order == (("count", True),
                                                                        ("thing", False))


_KINDS = {  # values of one kind, as a column of a named query holds them
    "integers": '10 9 100 -1 0',
    "decimals": '"1.5"^^xsd:decimal "1.25"^^xsd:decimal "10"^^xsd:decimal',
    "strings": '"b" "a" "B" "ab" "é" "z"',
    "language strings": '"b"@en "a"@en "a"@fr',
    "dates": '"2003-12-22"^^xsd:date "1999-01-02"^^xsd:date "2003-01-05"^^xsd:date',
    "booleans": 'true false',
    "IRIs": '<urn:b> <urn:a> <urn:a/1> <https://x/>',
}


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("kind", sorted(_KINDS))
def test_lexgraph_sorts_as_oxigraph_orders(kind, descending):
    """The sort of a store form's rows against Oxigraph's own ORDER BY, unbound values too."""
    from graph_builder.queries import QueryResult, _sort_rows, to_rdflib

    direction = "DESC(?t)" if descending else "?t"
    query = ("PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT ?t ?n WHERE { "
             f"VALUES (?t ?n) {{ {' '.join(f'({v} {i})' for i, v in enumerate(_KINDS[kind].split()))}"
             f" (UNDEF 99) }} }}")
    store = ox.Store()
    expected = [None if row["t"] is None else to_rdflib(row["t"])
                for row in store.query(f"{query} ORDER BY {direction} ?n")]
    rows = tuple((None if row["t"] is None else to_rdflib(row["t"]), to_rdflib(row["n"]))
                 for row in store.query(query))
    result = _sort_rows(QueryResult("SELECT", ("t", "n"), rows), [("t", descending),
                                                                  ("n", False)])
    assert [row[0] for row in result.rows] == expected
