"""The named queries (queries/select/*.rq), run_query on both engines, result formats and the CLI.

The query tests are data: ``tests/queries/manifest.ttl`` lists W3C-style query evaluation
entries (query, data, expected results in SPARQL TSV, parameter bindings), and every entry runs
on the rdflib backend and on the pyoxigraph backend, which must both give the expected answer.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from graph_builder import cli
from graph_builder.errors import InputError
from graph_builder.queries import (
    QueryNotFoundError,
    QueryResult,
    format_result,
    list_queries,
    load_query,
    ntriples,
    parse_header,
    parse_term,
    run_query,
    sparql_keywords,
    to_rdflib,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES = HERE / "queries"
MANIFEST = CASES / "manifest.ttl"
FIXTURES = CASES / "fixtures.ttl"
EXAMPLE = ROOT / "examples" / "A-RES-58-137.txt"
SELECT_DIR = ROOT / "queries" / "select"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
LXT = Namespace("https://w3id.org/lexgraph/tests#")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
LEX = "https://w3id.org/lexgraph/ontology#"
DOC = "https://w3id.org/lexgraph/akn/un/doc/"
ACT = "https://w3id.org/lexgraph/akn/un/act/"
BACKENDS = ("rdflib", "oxigraph")


def _manifest_entries() -> list[dict]:
    graph = Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    manifest = graph.value(predicate=RDF_TYPE, object=MF.Manifest)
    entries = []
    for entry in graph.items(graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        bindings = {str(graph.value(b, LXT.variable)): graph.value(b, LXT.value)
                    for b in graph.objects(entry, LXT.binding)}
        entries.append({
            "id": str(graph.value(entry, MF.name)),
            "query": Path(URIRef(graph.value(action, QT.query)).replace("file://", "")),
            "data": Path(URIRef(graph.value(action, QT.data)).replace("file://", "")),
            "result": Path(URIRef(graph.value(entry, MF.result)).replace("file://", "")),
            "bindings": bindings,
        })
    return entries


ENTRIES = _manifest_entries()


def _load(path: Path, backend: str):
    if backend == "rdflib":
        return Graph().parse(path, format="turtle")
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def datasets():
    cache: dict = {}

    def get(path: Path, backend: str):
        if (path, backend) not in cache:
            cache[path, backend] = _load(path, backend)
        return cache[path, backend]
    return get


def _expected(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    solutions = ox.parse_query_results(path=str(path), format=ox.QueryResultsFormat.TSV)
    variables = [v.value for v in solutions.variables]
    rows = [tuple(ntriples(None if t is None else to_rdflib(t)) for t in s) for s in solutions]
    return variables, rows


def _rows(result: QueryResult) -> list[tuple[str, ...]]:
    return [tuple(ntriples(t) for t in row) for row in result.rows]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_manifest_entry(entry, backend, datasets):
    query = load_query(entry["query"].stem)
    result = run_query(datasets(entry["data"], backend), query, bindings=entry["bindings"])
    variables, expected = _expected(entry["result"])
    assert list(result.variables) == variables == list(query.columns)
    got = _rows(result)
    if "ORDER" in sparql_keywords(query.text):
        assert got == expected
    else:
        assert Counter(got) == Counter(expected)


def test_every_select_query_is_in_the_manifest():
    in_manifest = {e["query"].resolve() for e in ENTRIES}
    on_disk = {p.resolve() for p in SELECT_DIR.glob("*.rq")}
    assert on_disk - in_manifest == set(), "queries without a manifest entry"
    assert in_manifest - on_disk == set(), "manifest entries whose query file is missing"
    # Anything else under queries/ outside checks/ and store/ (whose own tests cover them:
    # tests/test_check.py, tests/test_statistics.py) would be untested.
    stray = {p for p in (ROOT / "queries").rglob("*.rq")
             if p.parent.name not in ("select", "checks", "store")}
    assert stray == set()


def test_every_expected_file_is_used():
    used = {e["result"].resolve() for e in ENTRIES}
    assert {p.resolve() for p in (CASES / "expected").iterdir()} == used
    assert all(e["data"].is_file() for e in ENTRIES)
    assert len({e["id"] for e in ENTRIES}) == len(ENTRIES)


SELECT_QUERIES = list_queries("select")


def test_there_are_enough_named_queries():
    assert len(SELECT_QUERIES) >= 12


@pytest.mark.parametrize("query", SELECT_QUERIES, ids=[q.name for q in SELECT_QUERIES])
def test_query_header(query):
    import re

    from rdflib.plugins.sparql import prepareQuery

    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", query.name)
    header = parse_header(query.text)
    assert header["name"] == query.name == query.path.stem
    assert len(query.purpose) > 40 and query.columns
    select = query.text[query.text.index("SELECT"):query.text.index("WHERE")]
    where = query.text[query.text.index("WHERE"):]
    for parameter in query.parameters:
        # bound by the engine: it must be selected (pyoxigraph requires it) and used in a pattern
        assert f"?{parameter.name}" in select
        assert f"?{parameter.name}" in where
        if parameter.example:
            assert isinstance(parse_term(parameter.example, type=parameter.type), URIRef)
    prepareQuery(query.text)  # rdflib parses it
    ox.Store().query(query.text)  # so does pyoxigraph
    assert "SERVICE" not in sparql_keywords(query.text)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("query", [q for q in SELECT_QUERIES if q.parameters],
                         ids=[q.name for q in SELECT_QUERIES if q.parameters])
def test_a_binding_that_matches_nothing_gives_nothing(datasets, backend, query):
    bindings = {p.name: URIRef("urn:nothing") for p in query.parameters}
    assert len(run_query(datasets(FIXTURES, backend), query, bindings=bindings)) == 0


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("query", SELECT_QUERIES, ids=[q.name for q in SELECT_QUERIES])
def test_an_empty_graph_gives_nothing(backend, query):
    data = Graph() if backend == "rdflib" else ox.Store()
    bindings = {p.name: p.example for p in query.parameters if p.required}
    assert len(run_query(data, query, bindings=bindings)) == 0


# ------------------------------------------------------------------ the real example graph

@pytest.fixture(scope="module")
def example_graphs():
    from graph_builder.api import build_graph

    graph = build_graph([EXAMPLE])
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
    return {"rdflib": graph, "oxigraph": store}


RES = f"<{DOC}a-res-58-137>"
# (query, bindings, column, values that must be among that column's values). The extractor
# keeps improving, so these are facts of the text that any correct graph of it holds.
EXAMPLE_FACTS = [
    ("resolutions", {}, "symbol", ["A/RES/58/137"]),
    ("cited-articles", {"instrument": f"<{ACT}untoc>"}, "number", ["24", "25"]),
    ("cited-articles", {"instrument": f"<{ACT}untoc-trafficking-protocol>"}, "number",
     ["6", "9"]),
    ("supplements", {}, "protocol", [f"{ACT}crc-opsc", f"{ACT}untoc-smuggling-protocol",
                                     f"{ACT}untoc-trafficking-protocol"]),
    ("footnotes", {"resolution": RES}, "number", ["1", "2", "3", "4", "5", "6", "7", "8"]),
    ("citing-paragraphs", {"target": f"<{ACT}untoc>", "relation": "lex:implements"},
     "paragraphId", ["op.4", "op.5.b.ii"]),
    ("citation-chain", {"resolution": RES}, "reached", [f"{DOC}a-res-55-25", f"{ACT}crc"]),
    ("uncited-paragraphs", {"resolution": RES}, "paragraphId", ["op.1", "op.10"]),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name,bindings,column,expected", EXAMPLE_FACTS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(EXAMPLE_FACTS)])
def test_named_queries_on_the_example(example_graphs, backend, name, bindings, column, expected):
    result = run_query(example_graphs[backend], name, bindings=bindings)
    values = [str(row[column]) for row in result.bindings()]
    assert set(expected) <= set(values)


@pytest.mark.parametrize("name", [q.name for q in SELECT_QUERIES])
def test_both_backends_agree_on_the_example(example_graphs, name):
    query = load_query(name)
    bindings = {p.name: p.example for p in query.parameters if p.required}
    results = [run_query(example_graphs[b], query, bindings=bindings) for b in BACKENDS]
    assert results[0].variables == results[1].variables
    assert Counter(_rows(results[0])) == Counter(_rows(results[1]))


# ------------------------------------------------------------------ run_query and bindings

ASK_CASES = [
    # (query, bindings, answer)
    ("ASK { ?p <https://w3id.org/lexgraph/ontology#supplements> ?t }", {}, True),
    ("ASK { ?p <https://w3id.org/lexgraph/ontology#supplements> <urn:none> }", {}, False),
    ("SELECT ?t WHERE { ?p <https://w3id.org/lexgraph/ontology#supplements> ?t }",
     {"t": f"<{ACT}crc>"}, 1),
    ("SELECT ?n WHERE { ?x <http://data.europa.eu/eli/ontology#number> ?n }",
     {"n": '"24"'}, 1),
    ("SELECT ?n WHERE { ?x <https://w3id.org/lexgraph/ontology#position> ?n }",
     {"n": "5"}, 2),  # a bare number is an xsd:integer
    ("SELECT ?d WHERE { ?x <http://data.europa.eu/eli/ontology#date_document> ?d }",
     {"d": '"2000-11-15"^^xsd:date'}, 3),
    ("SELECT ?l WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
     {"l": '"Universal Declaration of Human Rights"@en'}, 1),
    # a value is never pasted into the text: quotes and braces are just characters
    ("SELECT ?v WHERE { ?x <https://w3id.org/lexgraph/ontology#verb> ?v }",
     {"v": '"x\\" } ; DROP ALL ; #"'}, 0),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text,bindings,answer", ASK_CASES,
                         ids=[str(i) for i in range(len(ASK_CASES))])
def test_run_query_cases(datasets, backend, text, bindings, answer):
    result = run_query(datasets(FIXTURES, backend), text, bindings=bindings)
    if isinstance(answer, bool):
        assert result.type == "ASK" and result.boolean is answer
    else:
        assert result.type == "SELECT" and len(result) == answer


@pytest.mark.parametrize("backend", BACKENDS)
def test_construct_and_describe(datasets, backend):
    data = datasets(FIXTURES, backend)
    result = run_query(data, "CONSTRUCT { ?p <urn:to> ?t } WHERE { ?p "
                       "<https://w3id.org/lexgraph/ontology#supplements> ?t }")
    assert result.type == "CONSTRUCT" and len(result) == 2
    assert (URIRef(f"{ACT}crc-opsc"), URIRef("urn:to"), URIRef(f"{ACT}crc")) in result.graph
    text = format_result(result, "nt")
    assert f"<{ACT}crc-opsc> <urn:to> <{ACT}crc> ." in text


@pytest.mark.parametrize("backend", BACKENDS)
def test_bindings_accept_engine_terms(datasets, backend):
    data = datasets(FIXTURES, backend)
    for value in (URIRef(f"{ACT}crc-opsc"), ox.NamedNode(f"{ACT}crc-opsc")):
        result = run_query(data, "supplements", bindings={"?protocol": value})
        assert [str(b["treaty"]) for b in result.bindings()] == [f"{ACT}crc"]


ERROR_CASES = [
    # (query, bindings, exception, words in the message)
    ("citation-chain", {}, ValueError, "needs a value for ?resolution"),
    ("supplements", {"treaty": f"<{ACT}crc>"}, ValueError, "has no parameter ?treaty"),
    ("relation-counts", {"x": "1"}, ValueError, "takes no parameters"),
    ("supplements", {"protocol": "not an iri"}, ValueError, "not an absolute IRI"),
    ("no-such-query", {}, QueryNotFoundError, "cited-articles"),
    ("SELECT ?x WHERE { ?x ?p ?o }", {"y": "<urn:a>"}, ValueError, "does not select it"),
]


@pytest.mark.parametrize("text,bindings,error,words", ERROR_CASES,
                         ids=[str(i) for i in range(len(ERROR_CASES))])
def test_run_query_errors(datasets, text, bindings, error, words):
    with pytest.raises(error, match=words.replace("?", r"\?")):
        run_query(datasets(FIXTURES, "oxigraph"), text, bindings=bindings)


@pytest.mark.parametrize("backend", BACKENDS)
def test_syntax_error_names_line_and_column(datasets, backend):
    with pytest.raises(InputError) as caught:
        run_query(datasets(FIXTURES, backend), "SELECT ?x\nWHERE {\n  ?x ?p ?o .\n  FILTER( }")
    assert caught.value.line == 4 and caught.value.column is not None
    assert "SPARQL syntax error" in str(caught.value)


TERM_CASES = [
    ("<urn:x>", "term", URIRef("urn:x")),
    ("https://example.org/a", "IRI", URIRef("https://example.org/a")),
    ("lex:Convention", "IRI", URIRef(LEX + "Convention")),
    ('"a \\"b\\""', "term", Literal('a "b"')),
    ('"Recalling"@en', "term", Literal("Recalling", lang="en")),
    ('"5"^^xsd:integer', "term", Literal("5", datatype=XSD_INTEGER)),
    ("5", "term", Literal("5", datatype=XSD_INTEGER)),
    ("5", "string", Literal("5")),
    ("2003-12-22", "date", Literal("2003-12-22", datatype=XSD_DATE)),
    ("plain words", "term", Literal("plain words")),
]


@pytest.mark.parametrize("text,type_,term", TERM_CASES, ids=[c[0] for c in TERM_CASES])
def test_parse_term(text, type_, term):
    assert parse_term(text, type=type_) == term


KEYWORD_CASES = [
    ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", True),
    ("select * { service silent <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * { ?service ?p 'SERVICE' }", False),
    ('SELECT * { ?s <urn:SERVICE> """a SERVICE b""" }  # SERVICE', False),
    ("PREFIX service: <urn:x> SELECT * { ?s service:SERVICE ?o }", False),
]


@pytest.mark.parametrize("text,has", KEYWORD_CASES, ids=[str(i) for i in range(5)])
def test_sparql_keywords(text, has):
    assert ("SERVICE" in sparql_keywords(text)) is has


# ------------------------------------------------------------------ result formats

def _tricky() -> QueryResult:
    return QueryResult("SELECT", ("a", "b"), (
        (URIRef(f"{LEX}recalls"), Literal('tab\there, "quoted",\nnew line')),
        (URIRef("urn:x"), None),
        (Literal("24", datatype=XSD_INTEGER), Literal("Convention", lang="en")),
        (URIRef("urn:a?b=c&d"), Literal("a < b & c > d ]]> 'e'")),
    ))


@pytest.mark.parametrize("fmt,parser", [("json", ox.QueryResultsFormat.JSON),
                                        ("tsv", ox.QueryResultsFormat.TSV),
                                        ("xml", ox.QueryResultsFormat.XML)])
def test_result_formats_round_trip(fmt, parser):
    result = _tricky()
    for text in (format_result(result, fmt), format_result(result, fmt, compact=True)):
        parsed = list(ox.parse_query_results(text.encode(), format=parser))
        assert [tuple(None if t is None else to_rdflib(t) for t in row) for row in parsed] \
            == [tuple(row) for row in result.rows]
    if fmt == "json":  # compact: no line breaks but the ones inside values, escaped
        assert "\n" not in format_result(result, fmt, compact=True)


def test_csv_format_keeps_lexical_forms():
    import csv
    import io

    text = format_result(_tricky(), "csv")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["a", "b"], [f"{LEX}recalls", 'tab\there, "quoted",\nnew line'],
                    ["urn:x", ""], ["24", "Convention"],
                    ["urn:a?b=c&d", "a < b & c > d ]]> 'e'"]]


def test_table_format_is_readable():
    text = format_result(_tricky(), "table", width=20)
    lines = text.splitlines()
    assert lines[0].split() == ["a", "b"]
    assert lines[2].startswith("lex:recalls")
    assert "…" in lines[2] and "\t" not in text.replace("\t", "")
    assert lines[-1] == "(4 rows)"


def test_ask_and_wrong_formats():
    ask = QueryResult("ASK", boolean=True)
    assert json.loads(format_result(ask, "json")) == {"head": {}, "boolean": True}
    assert format_result(ask, "table") == "true"
    for value in (True, False):
        text = format_result(QueryResult("ASK", boolean=value), "xml")
        parsed = ox.parse_query_results(text.encode(), format=ox.QueryResultsFormat.XML)
        assert bool(parsed) is value
    with pytest.raises(ValueError, match="written as one of"):
        format_result(ask, "turtle")


# ------------------------------------------------------------------ command line

def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_lists_queries(capsys):
    code, out, _ = _run(capsys, "queries")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert {q.name for q in SELECT_QUERIES} <= set(names)
    code, out, _ = _run(capsys, "queries", "--long")
    assert "param ?instrument (IRI, optional)" in out
    code, out, _ = _run(capsys, "queries", "supplements")
    assert out.startswith("# name: supplements")
    code, out, _ = _run(capsys, "queries", "-f", "json")
    assert {q["name"] for q in json.loads(out)} >= {q.name for q in SELECT_QUERIES}


CLI_CASES = [
    # (arguments after "query", expected exit code, text expected in stdout or stderr)
    (["cited-articles", "-d", str(FIXTURES), "--param", f"instrument={ACT}untoc", "-f", "csv"],
     0, "instrument,article,number,heading,citations,resolutions\r\n"
        f"{ACT}untoc,{ACT}untoc~art_24,24,Protection of witnesses,2,2"),
    (["supplements", "-d", str(FIXTURES), "-f", "tsv", "--backend", "rdflib"],
     0, f"<{ACT}crc-opsc>\t"),
    (["relation-counts", "-d", str(FIXTURES)], 0, "lex:implements   5          4           3"),
    (["resolutions", "-d", str(EXAMPLE), "-f", "json"], 0, '"value": "A/RES/58/137"'),
    (["cited-articles", "-d", str(FIXTURES), "--param", "instrument"], 2, "VAR=VALUE"),
    (["nope", "-d", str(FIXTURES)], 2, "no query named 'nope'; choose from"),
    (["citation-chain", "-d", str(FIXTURES)], 2, "needs a value for ?resolution"),
    (["supplements", "-d", str(HERE / "missing.ttl")], 2, "missing.ttl: no such file"),
]


@pytest.mark.parametrize("args,code,text", CLI_CASES, ids=[c[0][0] + str(i)
                                                        for i, c in enumerate(CLI_CASES)])
def test_cli_query(capsys, args, code, text):
    got, out, err = _run(capsys, "query", *args)
    assert got == code, err
    assert text in (out if code == 0 else err)
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("lexgraph: error: ")


def test_cli_user_query_file_and_output(tmp_path, capsys):
    mine = tmp_path / "mine.rq"
    mine.write_text("PREFIX lex: <https://w3id.org/lexgraph/ontology#>\n"
                    "SELECT ?p ?t WHERE { ?p lex:supplements ?t } ORDER BY ?p\n")
    out_file = tmp_path / "out.csv"
    code, _, err = _run(capsys, "query", str(mine), "-d", str(FIXTURES), "-p",
                        f"t=<{ACT}crc>", "-o", str(out_file))
    assert code == 0, err
    assert out_file.read_bytes() == f"p,t\r\n{ACT}crc-opsc,{ACT}crc\r\n".encode()


def test_cli_malformed_query_points_at_line_and_column(tmp_path, capsys):
    bad = tmp_path / "my.rq"
    bad.write_text("PREFIX lex: <https://w3id.org/lexgraph/ontology#>\nSELECT ?p\n"
                   "WHERE { ?p lex:supplements ?t ) }\n")
    code, out, err = _run(capsys, "query", str(bad), "-d", str(FIXTURES))
    assert code == 2 and out == ""
    assert err.startswith(f"lexgraph: error: {bad}:3:") and "SPARQL syntax error" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(("text", "bindings", "expected"), [
    ("SELECT ?a WHERE { ?a ?b ?c }", {"a": ox.NamedNode("http://e/a")},
     "SELECT ?a WHERE { VALUES (?a) { (<http://e/a>) }  ?a ?b ?c }"),
    ("PREFIX e: <http://e/> SELECT * { ?a e:p ?c }", {"c": ox.Literal('say "hi"', language="en")},
     'PREFIX e: <http://e/> SELECT * { VALUES (?c) { ("say \\"hi\\""@en) }  ?a e:p ?c }'),
    ("CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c }", {"a": ox.NamedNode("http://e/a")},
     "CONSTRUCT { ?a ?b ?c } WHERE { VALUES (?a) { (<http://e/a>) }  ?a ?b ?c }"),
    ("ASK { ?a ?b ?c }", {"a": ox.NamedNode("http://e/a"), "b": ox.NamedNode("http://e/b")},
     "ASK { ?a ?b ?c }"),  # no WHERE: left to the substitutions
    ("# SELECT { in a comment\nSELECT ?a WHERE { ?a ?b '{' }", {"a": ox.NamedNode("http://e/a")},
     "# SELECT { in a comment\nSELECT ?a WHERE { VALUES (?a) { (<http://e/a>) }  ?a ?b '{' }"),
    ("DESCRIBE ?a", {"a": ox.NamedNode("http://e/a")}, "DESCRIBE ?a"),
    ("SELECT ?a WHERE { ?a ?b ?c }", {}, "SELECT ?a WHERE { ?a ?b ?c }"),
], ids=["select", "short-select-literal", "construct", "ask", "comment-and-string", "describe",
        "nothing-bound"])
def test_bound_values_also_open_the_where_group(text, bindings, expected):
    """Oxigraph plans before it substitutes: the values are given to the planner as VALUES."""
    from graph_builder.queries import anchor_values

    substitutions = {ox.Variable(name): term for name, term in bindings.items()}
    anchored = anchor_values(text, substitutions)
    assert anchored == expected
    ox.Store().query(anchored, substitutions=substitutions or None)  # still valid SPARQL
