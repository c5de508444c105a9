"""The W3C SPARQL 1.1 Protocol test cases, run against ``lexgraph serve``.

The cases are those of the W3C test suite for the protocol (the ``sparql11/protocol`` manifest
of the RDF and SPARQL test suites), written out here as requests and expected outcomes: each
case is a list of requests, and each request's answer must have the status class, the format
("boolean", "tabular" or "RDF") and the ASK answer the suite expects. As the suite allows, its
``/sparql/`` path is mapped to this server's endpoints: ``/sparql`` for queries and ``/update``
for updates. The suite's data — three one-triple graphs named after the documents they
describe — is written to a temporary N-Quads file and served.
"""

from __future__ import annotations

import json
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
from test_serve import Server

K = "http://kasei.us/2009/09/sparql/data/"
D0, D1, D2, D3 = (f"{K}data{n}.rdf" for n in range(4))
FOAF = "http://xmlns.com/foaf/0.1/"
DC = "http://purl.org/dc/terms/"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}
DIRECT_UPDATE = {"Content-Type": "application/sparql-update"}
OK, BAD = "2xx/3xx", "4xx"
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR_TYPES = BOOLEAN_TYPES + ("text/csv", "text/tab-separated-values")
RDF_TYPES = ("application/rdf+xml", "text/turtle", "application/n-triples", "text/html")


def enc(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def qs(**params: str | list[str]) -> str:
    pairs = []
    for name, values in params.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append(f"{name.replace('_', '-')}={enc(value)}")
    return "&".join(pairs)


def step(method, path, *, headers=None, body=None, status=OK, fmt=None, boolean=None):
    return {"method": method, "path": path, "headers": headers or {}, "body": body,
            "status": status, "format": fmt, "boolean": boolean}


ASK_D1_D2 = f"ASK {{ <{D1}> a ?type . <{D2}> a ?type . }}"
ASK_GRAPHS = f"ASK {{ GRAPH ?g1 {{ <{D1}> a ?type }} GRAPH ?g2 {{ <{D2}> a ?type }} }}"

QUERY_CASES = {
    "query_post_form": [step(
        "POST", f"/sparql?{qs(default_graph_uri=D0)}", headers=FORM, body="query=ASK%20%7B%7D",
        fmt="boolean", boolean=True)],
    "query_dataset_default_graphs_get": [step(
        "GET", f"/sparql?query={enc(ASK_D1_D2)}&{qs(default_graph_uri=[D1, D2])}",
        fmt="boolean", boolean=True)],
    "query_dataset_default_graphs_post": [step(
        "POST", f"/sparql?{qs(default_graph_uri=[D1, D2])}", headers=DIRECT, body=ASK_D1_D2,
        fmt="boolean", boolean=True)],
    "query_dataset_named_graphs_post": [step(
        "POST", f"/sparql?{qs(named_graph_uri=[D1, D2])}", headers=DIRECT, body=ASK_GRAPHS,
        fmt="boolean", boolean=True)],
    "query_dataset_named_graphs_get": [step(
        "GET", f"/sparql?query={enc(ASK_GRAPHS)}&{qs(named_graph_uri=[D1, D2])}",
        fmt="boolean", boolean=True)],
    "query_dataset_full": [step(
        "POST", f"/sparql?{qs(default_graph_uri=D3, named_graph_uri=[D1, D2])}", headers=DIRECT,
        body=f"ASK {{\n  <{D3}> a ?type\n  GRAPH ?g1 {{ <{D1}> a ?type }}\n"
             f"  GRAPH ?g2 {{ <{D2}> a ?type }}\n}}", fmt="boolean", boolean=True)],
    "query_multiple_dataset": [step(
        "POST", f"/sparql?{qs(named_graph_uri=[D1, D2])}", headers=DIRECT,
        body=f"ASK FROM <{D3}> {{ GRAPH ?g1 {{ <{D1}> a ?type }} GRAPH ?g2 {{ <{D2}> a ?type }} }}",
        fmt="boolean", boolean=True)],
    "query_get": [step("GET", f"/sparql?query=ASK%20%7B%7D&{qs(default_graph_uri=D0)}",
                       fmt="boolean", boolean=True)],
    "query_content_type_select": [step(
        "POST", f"/sparql?{qs(default_graph_uri=D0)}", headers=DIRECT,
        body="SELECT (1 AS ?value) {}", fmt="tabular")],
    "query_content_type_ask": [step(
        "POST", f"/sparql?{qs(default_graph_uri=D0)}", headers=DIRECT, body="ASK {}",
        fmt="boolean")],
    "query_content_type_describe": [step(
        "POST", f"/sparql?{qs(default_graph_uri=D0)}", headers=DIRECT,
        body="DESCRIBE <http://example.org/>", fmt="RDF")],
    "query_content_type_construct": [step(
        "POST", f"/sparql?{qs(default_graph_uri=D0)}", headers=DIRECT,
        body="CONSTRUCT { <s> <p> 1 } WHERE {}", fmt="RDF")],
    "query_post_direct": [step("POST", "/sparql", headers=DIRECT, body="ASK {}", fmt="boolean",
                               boolean=True)],
    "bad_query_method": [step("PUT", f"/sparql?query=ASK%20%7B%7D&{qs(default_graph_uri=D0)}",
                              headers=FORM, status=BAD)],
    "bad_multiple_queries": [step("GET", "/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D",
                                  status=BAD)],
    "bad_query_wrong_media_type": [step("POST", "/sparql", headers={"Content-Type": "text/plain"},
                                        body="ASK {}", status=BAD)],
    "bad_query_missing_form_type": [step("POST", "/sparql", body="query=ASK%20%7B%7D",
                                         status=BAD)],
    "bad_query_missing_direct_type": [step("POST", "/sparql", body="ASK {}", status=BAD)],
    "bad_query_non_utf8": [step(
        "POST", "/sparql", headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
        body="ASK {}".encode("utf-16"), status=BAD)],
    "bad_query_syntax": [step("GET", "/sparql?query=ASK%20%7B", status=BAD)],
}

DOCS = "\n".join(f"    GRAPH <{d}> {{ <{d}> a foaf:Document }}" for d in (D1, D2, D3))
PROLOGUE = f"PREFIX dc: <{DC}>\nPREFIX foaf: <{FOAF}>\n"


def _ask(body: str) -> dict:
    return step("POST", "/sparql", headers=DIRECT, body=body, fmt="boolean", boolean=True)


UPDATE_CASES = {
    "update_dataset_default_graph": [
        step("POST", f"/update?{qs(using_graph_uri=D1)}", headers=DIRECT_UPDATE,
             body=PROLOGUE + f"CLEAR ALL ;\nINSERT DATA {{\n    GRAPH <{D1}> {{\n        <{D1}> a "
             "foaf:Document\n    }\n} ;\nINSERT {\n    GRAPH <http://example.org/protocol-update-"
             "dataset-test/> {\n        ?s a dc:BibliographicResource\n    }\n}\nWHERE {\n    ?s "
             "a foaf:Document\n}"),
        _ask(f"ASK {{\n    GRAPH <http://example.org/protocol-update-dataset-test/> {{\n        "
             f"<{D1}> a <{DC}BibliographicResource>\n    }}\n}}")],
    "update_dataset_default_graphs": [
        step("POST", f"/update?{qs(using_graph_uri=[D1, D2])}", headers=DIRECT_UPDATE,
             body=PROLOGUE + f"DROP ALL ;\nINSERT DATA {{\n{DOCS}\n}} ;\nINSERT {{\n    GRAPH "
             "<http://example.org/protocol-update-dataset-graphs-test/> {\n        ?s a "
             "dc:BibliographicResource\n    }\n}\nWHERE {\n    ?s a foaf:Document\n}"),
        _ask(f"ASK {{\n    GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {{\n"
             f"        <{D1}> a <{DC}BibliographicResource> .\n        <{D2}> a "
             f"<{DC}BibliographicResource> .\n    }}\n    FILTER NOT EXISTS {{\n        GRAPH "
             f"<http://example.org/protocol-update-dataset-graphs-test/> {{\n            <{D3}> a "
             f"<{DC}BibliographicResource> .\n        }}\n    }}\n}}")],
    "update_dataset_named_graphs": [
        step("POST", f"/update?{qs(using_named_graph_uri=[D1, D2])}", headers=DIRECT_UPDATE,
             body=PROLOGUE + f"DROP ALL ;\nINSERT DATA {{\n{DOCS}\n}} ;\nINSERT {{\n    GRAPH "
             "<http://example.org/protocol-update-dataset-named-graphs-test/> {\n        ?s a "
             "dc:BibliographicResource\n    }\n}\nWHERE {\n    GRAPH ?g {\n        ?s a "
             "foaf:Document\n    }\n}"),
        _ask(f"ASK {{\n    GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> "
             f"{{\n        <{D1}> a <{DC}BibliographicResource> .\n        <{D2}> a "
             f"<{DC}BibliographicResource> .\n    }}\n    FILTER NOT EXISTS {{\n        GRAPH "
             f"<http://example.org/protocol-update-dataset-named-graphs-test/> {{\n            "
             f"<{D3}> a <{DC}BibliographicResource> .\n        }}\n    }}\n}}")],
    "update_dataset_full": [
        step("POST", f"/update?{qs(using_graph_uri=D1, using_named_graph_uri=D2)}",
             headers=DIRECT_UPDATE,
             body=PROLOGUE + f"DROP ALL ;\nINSERT DATA {{\n{DOCS}\n}} ;\nINSERT {{\n    GRAPH "
             "<http://example.org/protocol-update-dataset-full-test/> {\n        ?s "
             "<http://example.org/in> ?in\n    }\n}\nWHERE {\n    {\n        GRAPH ?g { ?s a "
             "foaf:Document }\n        BIND(?g AS ?in)\n    }\n    UNION\n    {\n        ?s a "
             "foaf:Document .\n        BIND(\"default\" AS ?in)\n    }\n}"),
        _ask(f"ASK {{\n    GRAPH <http://example.org/protocol-update-dataset-full-test/> {{\n"
             f"        <{D1}> <http://example.org/in> \"default\" .\n        <{D2}> "
             f"<http://example.org/in> <{D2}> .\n    }}\n    FILTER NOT EXISTS {{\n        GRAPH "
             f"<http://example.org/protocol-update-dataset-full-test/> {{\n            <{D3}> ?p "
             "?o\n        }\n    }\n}")],
    "update_post_form": [step("POST", "/update", headers=FORM, body="update=CLEAR+ALL")],
    "update_post_direct": [step("POST", "/update", headers=DIRECT_UPDATE, body="CLEAR ALL")],
    "update_base_uri": [
        step("POST", "/update", headers=DIRECT_UPDATE,
             body="CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ;\nINSERT DATA { "
             "GRAPH <http://example.org/protocol-base-test/> { <http://example.org/s> "
             "<http://example.org/p> <test> } }"),
        _ask("ASK {\n    GRAPH <http://example.org/protocol-base-test/> {\n        "
             "<http://example.org/s> <http://example.org/p> ?o\n        FILTER (isIRI(?o) && "
             "STR(?o) != \"test\")\n    }\n}")],
    "bad_update_get": [step("GET", "/update?update=CLEAR%20ALL", status=BAD)],
    "bad_multiple_updates": [step("POST", "/update", headers=FORM,
                                  body="update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                                  status=BAD)],
    "bad_update_wrong_media_type": [step("POST", "/update", headers={"Content-Type":
                                                                     "text/plain"},
                                         body="CLEAR NAMED", status=BAD)],
    "bad_update_missing_form_type": [step("POST", "/update", body="update=CLEAR%20NAMED",
                                          status=BAD)],
    "bad_update_non_utf8": [step(
        "POST", "/update", headers={"Content-Type": "application/sparql-update; charset=UTF-16"},
        body="CLEAR NAMED".encode("utf-16"), status=BAD)],
    "bad_update_syntax": [step("POST", "/update", headers=FORM, body="update=CLEAR%20XYZ",
                               status=BAD)],
    "bad_update_dataset_conflict": [step(
        "POST", "/update?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
        headers=DIRECT_UPDATE,
        body="PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
             "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName "
             "'William' }\nWHERE {\n    ?person foaf:givenName 'Bill'\n}", status=BAD)],
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    path = tmp_path_factory.mktemp("protocol") / "kasei.nq"
    path.write_text("".join(f"<{d}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                            f"<{FOAF}Document> <{d}> .\n" for d in (D1, D2, D3)))
    return path


@pytest.fixture(scope="module")
def query_server(dataset):
    running = Server(str(dataset))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def update_server(dataset):
    running = Server(str(dataset), "--update")
    try:
        yield running
    finally:
        running.stop()


def _check(server: Server, request: dict) -> None:
    status, headers, body = server.request(request["method"], request["path"], request["body"],
                                           request["headers"])
    if request["status"] == OK:
        assert 200 <= status < 400, body
    else:
        assert 400 <= status < 500, body
    fmt = request["format"]
    if fmt is None:
        return
    media = headers.get("content-type", "").split(";")[0].strip()
    allowed = {"boolean": BOOLEAN_TYPES, "tabular": TABULAR_TYPES, "RDF": RDF_TYPES}[fmt]
    assert media in allowed
    if request["boolean"] is not None:
        if media == "application/sparql-results+json":
            answer = json.loads(body)["boolean"]
        else:
            answer = ET.fromstring(body).find(
                "{http://www.w3.org/2005/sparql-results#}boolean").text == "true"
        assert answer is request["boolean"]


@pytest.mark.parametrize("name", list(QUERY_CASES))
def test_query_case(query_server, name):
    for request in QUERY_CASES[name]:
        _check(query_server, request)


@pytest.mark.parametrize("name", list(UPDATE_CASES))
def test_update_case(update_server, name):
    for request in UPDATE_CASES[name]:
        _check(update_server, request)


def test_every_case_of_the_suite_is_here():
    # The 34 entries of the suite's manifest: 20 for queries, 14 for updates.
    assert len(QUERY_CASES) == 20 and len(UPDATE_CASES) == 14
