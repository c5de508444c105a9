"""``lexgraph serve``: started as a real process, queried over real sockets, then stopped.

Every server here listens on an ephemeral port of 127.0.0.1 and is stopped at the end of its
module, whatever happens. Request loops are bounded; nothing asserts on time.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import re
import select
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURES = HERE / "queries" / "fixtures.ttl"
EXAMPLE = ROOT / "examples" / "A-RES-58-137.txt"
LEX = "https://w3id.org/lexgraph/ontology#"
ACT = "https://w3id.org/lexgraph/akn/un/act/"
DOC = "https://w3id.org/lexgraph/akn/un/doc/"
ANNOUNCE = re.compile(r"at (http://127\.0\.0\.1:\d+)/ ")
# Runs for ever on any data with more than a handful of triples.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


class Server:
    """A ``lexgraph serve`` child process and the base URL it announced."""

    def __init__(self, *args: str, startup: float = 120.0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "graph_builder", "serve", "--bind", "127.0.0.1:0", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        self.log: list[str] = []
        self.url = ""
        end = time.monotonic() + startup
        while time.monotonic() < end and not self.url:
            ready, _, _ = select.select([self.process.stderr], [], [], 0.5)
            if ready:
                line = self.process.stderr.readline()
                if not line:
                    break
                self.log.append(line)
                found = ANNOUNCE.search(line)
                if found:
                    self.url = found.group(1)
            elif self.process.poll() is not None:
                break
        if not self.url:
            self.stop()
            raise RuntimeError("the server did not start: " + "".join(self.log))
        self.drain = threading.Thread(target=self._drain, daemon=True)
        self.drain.start()
        parts = urllib.parse.urlsplit(self.url)
        self.host, self.port = parts.hostname, parts.port

    def _drain(self) -> None:
        for line in self.process.stderr:
            self.log.append(line)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        return self.process.returncode

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30
                ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            if isinstance(body, str):
                body = body.encode()
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return (response.status, {k.lower(): v for k, v in response.getheaders()},
                    response.read())
        finally:
            connection.close()

    def select(self, query: str, **params: str) -> list[dict]:
        query_string = urllib.parse.urlencode({"query": query, **params})
        status, _, body = self.request("GET", f"/sparql?{query_string}")
        assert status == 200, body
        return json.loads(body)["results"]["bindings"]


def start(*args: str) -> Server:
    return Server(*args)


@pytest.fixture(scope="module")
def server():
    running = Server(str(FIXTURES), "--timeout", "1.5", "--max-result-size", "32k", "--cors")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def writable():
    running = Server(str(FIXTURES), "--update", "--update-token", "s3cret", "--timeout", "10")
    try:
        yield running
    finally:
        running.stop()


def q(text: str, **extra: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": text, **extra})


SUPPLEMENTS = f"SELECT ?p ?t WHERE {{ ?p <{LEX}supplements> ?t }} ORDER BY ?p"
CONSTRUCT = f"CONSTRUCT {{ ?p <urn:to> ?t }} WHERE {{ ?p <{LEX}supplements> ?t }}"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}

# (name, method, path, headers, body, status, content type prefix, text in the body)
PROTOCOL_CASES = [
    ("get-ask", "GET", q("ASK {}"), {}, None, 200, "application/sparql-results+json",
     '"boolean":true'),
    ("select-json", "GET", q(SUPPLEMENTS), {"Accept": "application/sparql-results+json"}, None,
     200, "application/sparql-results+json", f'"value":"{ACT}crc-opsc"'),
    ("select-xml", "GET", q(SUPPLEMENTS), {"Accept": "application/sparql-results+xml"}, None,
     200, "application/sparql-results+xml", f"<uri>{ACT}crc-opsc</uri>"),
    ("select-csv", "GET", q(SUPPLEMENTS), {"Accept": "text/csv"}, None, 200, "text/csv",
     f"p,t\r\n{ACT}crc-opsc,{ACT}crc\r\n"),
    ("select-tsv", "GET", q(SUPPLEMENTS), {"Accept": "text/tab-separated-values"}, None, 200,
     "text/tab-separated-values", f"?p\t?t\n<{ACT}crc-opsc>\t<{ACT}crc>\n"),
    ("select-q-values", "GET", q(SUPPLEMENTS),
     {"Accept": "text/csv;q=0.5, text/tab-separated-values;q=0.9"}, None, 200,
     "text/tab-separated-values", "?p\t?t"),
    ("select-format-param", "GET", q(SUPPLEMENTS, format="csv"), {}, None, 200, "text/csv",
     "p,t"),
    ("ask-xml", "GET", q("ASK {}"), {"Accept": "application/sparql-results+xml"}, None, 200,
     "application/sparql-results+xml", "<boolean>true</boolean>"),
    ("ask-csv-not-offered", "GET", q("ASK {}"), {"Accept": "text/csv"}, None, 406,
     "text/plain", "application/sparql-results+json"),
    ("construct-turtle", "GET", q(CONSTRUCT), {"Accept": "text/turtle"}, None, 200,
     "text/turtle", "<urn:to>"),
    ("construct-nt", "GET", q(CONSTRUCT), {"Accept": "application/n-triples"}, None, 200,
     "application/n-triples", f"<{ACT}crc-opsc> <urn:to> <{ACT}crc> ."),
    ("construct-jsonld", "GET", q(CONSTRUCT), {"Accept": "application/ld+json"}, None, 200,
     "application/ld+json", '"urn:to"'),
    ("construct-rdfxml", "GET", q(CONSTRUCT), {"Accept": "application/rdf+xml"}, None, 200,
     "application/rdf+xml", "rdf:RDF"),
    ("describe", "GET", q(f"DESCRIBE <{ACT}crc>"), {}, None, 200, "text/turtle",
     "Convention on the Rights of the Child"),
    ("construct-not-acceptable", "GET", q(CONSTRUCT), {"Accept": "image/png"}, None, 406,
     "text/plain", "text/turtle"),
    ("post-form", "POST", "/sparql", FORM, urllib.parse.urlencode({"query": SUPPLEMENTS}), 200,
     "application/sparql-results+json", "crc-opsc"),
    ("post-direct", "POST", "/sparql", DIRECT, SUPPLEMENTS, 200,
     "application/sparql-results+json", "crc-opsc"),
    ("bind-variable", "GET", q(SUPPLEMENTS, **{"$t": f"<{ACT}untoc>"}), {}, None, 200,
     "application/sparql-results+json", "untoc-trafficking-protocol"),
    ("bind-unselected", "GET", q("SELECT ?p WHERE { ?p ?q ?t }", **{"$t": "<urn:x>"}), {},
     None, 400, "text/plain", "does not select"),
    ("bind-malformed", "GET", q(SUPPLEMENTS, **{"$t": "not an iri"}), {}, None, 200,
     "application/sparql-results+json", '"bindings":[]'),
    ("repeated-query", "GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", {}, None, 400,
     "text/plain", "one query per request"),
    ("syntax-error", "GET", q("SELECT ?x WHERE { ?x"), {}, None, 400, "text/plain",
     "SPARQL syntax error"),
    ("empty-query", "GET", q(" "), {}, None, 400, "text/plain", "empty"),
    ("wrong-method", "PUT", q("ASK {}"), FORM, None, 405, "text/plain", "not allowed"),
    ("wrong-media-type", "POST", "/sparql", {"Content-Type": "text/plain"}, "ASK {}", 415,
     "text/plain", "unsupported Content-Type"),
    ("missing-media-type", "POST", "/sparql", {}, "query=ASK%20%7B%7D", 415, "text/plain",
     "needs a Content-Type"),
    ("not-utf8", "POST", "/sparql", {"Content-Type": "application/sparql-query; charset=UTF-16"},
     "ASK {}".encode("utf-16"), 415, "text/plain", "UTF-8"),
    ("update-on-query-endpoint", "POST", "/sparql", FORM, "update=CLEAR%20ALL", 400,
     "text/plain", "/update"),
    ("service-refused", "GET", q("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> "
                                 "{ ?s ?p ?o } }"), {}, None, 403, "text/plain", "SERVICE"),
    ("service-in-string-is-fine", "GET", q('SELECT ("SERVICE" AS ?x) WHERE {}'), {}, None, 200,
     "application/sparql-results+json", "SERVICE"),
    ("read-only-update", "POST", "/update", {"Content-Type": "application/sparql-update"},
     "CLEAR ALL", 403, "text/plain", "read-only"),
    ("update-get", "GET", "/update?update=CLEAR%20ALL", {}, None, 405, "text/plain", "POST"),
    ("result-too-large", "GET", q("SELECT * WHERE { ?s ?p ?o }"), {}, None, 422, "text/plain",
     "limit"),
    ("service-description", "GET", "/sparql", {"Accept": "text/turtle"}, None, 200,
     "text/turtle", "sd:SPARQL11Query"),
    ("service-description-nt", "GET", "/sparql", {"Accept": "application/n-triples"}, None,
     200, "application/n-triples", "http://www.w3.org/ns/sparql-service-description#endpoint"),
    ("browser-to-page", "GET", "/sparql", {"Accept": "text/html,application/xhtml+xml"}, None,
     303, None, ""),
    ("named-query", "GET", "/queries/supplements?format=tsv", {}, None, 200,
     "text/tab-separated-values", f"<{ACT}crc-opsc>"),
    ("named-query-param", "GET", f"/queries/cited-articles?instrument=%3C{ACT}untoc%3E", {},
     None, 200, "application/sparql-results+json", "Protection of witnesses"),
    ("named-query-missing-param", "GET", "/queries/citation-chain", {}, None, 400,
     "text/plain", "needs a value for ?resolution"),
    ("named-query-unknown-param", "GET", "/queries/supplements?treaty=x", {}, None, 400,
     "text/plain", "no parameter"),
    ("named-query-unknown", "GET", "/queries/nope", {}, None, 404, "text/plain", "no named"),
    ("page", "GET", "/", {}, None, 200, "text/html", '<script src="/static/app.js"'),
    ("script", "GET", "/static/app.js", {}, None, 200, "text/javascript", "loadExamples"),
    ("style", "GET", "/static/style.css", {}, None, 200, "text/css", "table"),
    ("not-found", "GET", "/nothing", {}, None, 404, "text/plain", "/sparql"),
    ("head", "HEAD", q("ASK {}"), {}, None, 200, "application/sparql-results+json", ""),
]


@pytest.mark.parametrize("name,method,path,headers,body,status,media,text", PROTOCOL_CASES,
                         ids=[c[0] for c in PROTOCOL_CASES])
def test_protocol(server, name, method, path, headers, body, status, media, text):
    got, got_headers, got_body = server.request(method, path, body, headers)
    assert got == status, got_body
    if media:
        assert got_headers["content-type"].startswith(media)
    assert text in got_body.decode()
    if status >= 400:
        assert got_body.decode().count("\n") == 1  # one line, for people and logs
    if method == "HEAD":
        assert got_body == b"" and int(got_headers["content-length"]) > 0
    assert got_headers["x-content-type-options"] == "nosniff"


def test_page_is_locked_down(server):
    status, headers, _ = server.request("GET", "/")
    assert status == 200
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]


def test_redirect_goes_to_the_page(server):
    _, headers, _ = server.request("GET", "/sparql", headers={"Accept": "text/html"})
    assert headers["location"] == "/"


def test_named_query_list(server):
    status, _, body = server.request("GET", "/queries")
    info = json.loads(body)
    assert status == 200 and info["update"] is False and info["triples"] > 300
    assert info["sources"] == ["fixtures.ttl"]  # no folder of the server's is shown
    names = {q["name"] for q in info["queries"]}
    assert {"cited-articles", "citation-chain", "co-citation"} <= names
    cited = next(q for q in info["queries"] if q["name"] == "cited-articles")
    assert cited["parameters"][0]["name"] == "instrument" and "SELECT" in cited["query"]


def test_cors_on_request(server):
    _, headers, _ = server.request("GET", q("ASK {}"), headers={"Origin": "https://elsewhere"})
    assert headers["access-control-allow-origin"] == "*"
    status, headers, _ = server.request("OPTIONS", "/sparql", headers={
        "Origin": "https://elsewhere", "Access-Control-Request-Method": "POST"})
    assert status == 204 and "POST" in headers["access-control-allow-methods"]
    assert "Content-Type" in headers["access-control-allow-headers"]


def test_no_cors_unless_asked(writable):
    _, headers, _ = writable.request("GET", q("ASK {}"), headers={"Origin": "https://elsewhere"})
    assert "access-control-allow-origin" not in headers


def test_service_never_reaches_another_host(server):
    hits: list[str] = []

    class Sink(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - stdlib name
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    sink = http.server.HTTPServer(("127.0.0.1", 0), Sink)
    thread = threading.Thread(target=sink.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        target = f"http://127.0.0.1:{sink.server_address[1]}/sparql"
        for text in (f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                     f"select * where {{ service silent <{target}> {{ ?s ?p ?o }} }}",
                     f"ASK {{ ?s ?p ?o . SERVICE <{target}> {{ ?s ?p ?o }} }}"):
            status, _, _ = server.request("GET", q(text))
            assert status == 403
    finally:
        sink.shutdown()
        sink.server_close()
    assert hits == []


def test_timeout_answers_and_the_server_recovers(server):
    for _ in range(2):  # twice: the first worker is replaced, the next one too
        status, _, body = server.request("GET", q(RUNAWAY), timeout=60)
        assert status == 503 and b"ran out of time" in body
        rows = server.select(SUPPLEMENTS)
        assert [r["p"]["value"] for r in rows] == [f"{ACT}crc-opsc",
                                                   f"{ACT}untoc-trafficking-protocol"]


def test_sparqlwrapper_client(server):
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(SUPPLEMENTS)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [r["t"]["value"] for r in rows] == [f"{ACT}crc", f"{ACT}untoc"]
    client.setMethod(POST)
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == 2


def test_concurrent_clients(server):
    answers: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
        try:
            for i in range(20):  # keep-alive: 20 requests on one connection
                query = (SUPPLEMENTS if (number + i) % 2 else
                         f"SELECT ?a WHERE {{ ?a a <{LEX}Article> }}")
                connection.request("GET", q(query))
                response = connection.getresponse()
                rows = json.loads(response.read())["results"]["bindings"]
                answers.append((response.status, len(rows)))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Counter(answers) == Counter({(200, 2): 80, (200, 4): 80})


# ------------------------------------------------------------------ HTTP framing

def _exchange_raw(server: Server, *pieces: bytes, pause: float = 0.05) -> list[tuple[int, dict,
                                                                                    bytes]]:
    """Send ``pieces`` on one connection (a pause between them), read until the server
    closes it, and split what came back into responses."""
    import socket

    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        for index, piece in enumerate(pieces):
            if index:
                time.sleep(pause)
            sock.sendall(piece)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    responses = []
    while data:
        head, _, data = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        size = int(fields.get("content-length", "0"))
        responses.append((int(lines[0].split()[1]), fields, data[:size]))
        data = data[size:]
    return responses


def _get(path: str, *headers: str, version: str = "HTTP/1.1", end: str = "\r\n") -> bytes:
    return (end.join([f"GET {path} {version}", "Host: test", *headers, "", ""])).encode()


def test_keep_alive_pipelining_and_split_headers(server):
    ask = q("ASK {}")
    responses = _exchange_raw(
        server,
        _get(ask) + _get(q(SUPPLEMENTS), "Accept: text/csv"),  # two at once
        b"GET " + ask.encode() + b" HTTP/1.1\r\nHost: te",  # headers in pieces
        b"st\r\nAccept: application/sparql-results+xml\r\n",
        b"\r\n" + _get(ask, "Connection: close"))
    assert [r[0] for r in responses] == [200, 200, 200, 200]
    assert b'"boolean":true' in responses[0][2]
    assert responses[1][2].startswith(b"p,t\r\n")
    assert b"<boolean>true</boolean>" in responses[2][2]
    assert responses[3][1]["connection"] == "close"
    assert all("connection" not in r[1] for r in responses[:3])


def test_header_forms(server):
    # Bare LF line endings, and a header repeated: its values are joined with a comma (the
    # first alone would give CSV, the last alone nothing acceptable).
    (status, fields, _), = _exchange_raw(server, _get(
        q(SUPPLEMENTS), "Accept: text/csv;q=0.5", "Accept: text/tab-separated-values;q=0.9",
        "Accept: image/png", "Connection: close", end="\n"))
    assert status == 200 and fields["content-type"].startswith("text/tab-separated-values")
    # No header at all, HTTP/1.0: answered, then the connection is closed.
    (status, fields, body), = _exchange_raw(
        server, f"GET {q('ASK {}')} HTTP/1.0\r\n\r\n".encode())
    assert status == 200 and b'"boolean":true' in body and fields["connection"] == "close"
    # No header at all, the next request right behind: its request line is not a header.
    responses = _exchange_raw(server, f"GET {q('ASK {}')} HTTP/1.1\r\n\r\n".encode()
                              + _get(q(SUPPLEMENTS), "Accept: text/csv", "Connection: close"))
    assert [r[0] for r in responses] == [200, 200]
    assert b'"boolean":true' in responses[0][2] and responses[1][2].startswith(b"p,t")


@pytest.mark.parametrize("request_bytes,status,text", [
    (_get("/sparql", *[f"X-Header-{i}: {i}" for i in range(120)]), 431, "too many"),
    (_get("/sparql", "X-Long: " + "a" * 70000), 431, "too long"),
    (_get("/sparql", "no colon here"), 400, "malformed request header"),
    (_get("/sparql", version="HTTP/2.0"), 505, "not supported"),
    (b"GET /sparql\r\n\r\n", 400, "malformed request line"),
    (b"BREW /sparql HTTP/1.1\r\nHost: test\r\n\r\n", 501, "not supported"),
], ids=["too-many-headers", "header-too-long", "malformed-header", "http2", "no-version",
        "unknown-method"])
def test_malformed_requests(server, request_bytes, status, text):
    responses = _exchange_raw(server, request_bytes)
    assert responses[0][0] == status and text in responses[0][2].decode()
    assert responses[0][1]["connection"] == "close"


@pytest.mark.parametrize("query_string,status,text", [
    ("query=ASK%20%7B%7D&x=%zz&y=100%", 200, '"boolean":true'),  # stray % kept, as urllib does
    ("query=ASK+%7B%7D", 200, '"boolean":true'),  # + is a space in a query string
    ("query=ASK%20%7B%7D&%24x=%FF", 400, "not valid UTF-8"),
    ("query=SELECT%20%28%22%C3%A9%E2%82%AC%22%20AS%20%3Fx%29%20%7B%7D", 200, "\u00e9\u20ac"),
], ids=["stray-percent", "plus", "bad-utf8", "non-ascii"])
def test_query_string_decoding(server, query_string, status, text):
    got, _, body = server.request("GET", "/sparql?" + query_string)
    assert got == status and text in body.decode()


def test_query_string_parsing_matches_urllib():
    import random

    from graph_builder.serve import parse_qs

    def reference(text: str) -> dict | str:
        try:
            return urllib.parse.parse_qs(text, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            return "error"

    def ours(text: str) -> dict | str:
        try:
            return parse_qs(text)
        except UnicodeDecodeError:
            return "error"

    rng = random.Random(5)
    samples = ["", "&", "a", "a=", "=b", "a=b=c", "%", "%4", "%41", "%zz", "a%2", "%C3%A9",
               "%C3", "%FF", "%e2%82%ac", "+", "%2B", "\\", "\\x41", "\\%41", "a=%5Cn", "é=%41"]
    samples += ["".join(rng.choice("ab%+=&\\x0fF9Cé€ ") for _ in range(rng.randrange(16)))
                for _ in range(20000)]
    for text in samples:
        assert ours(text) == reference(text), text


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_workers_share_keep_alive_connections_evenly():
    import os
    import socket

    running = Server(str(FIXTURES), "--workers", "2")
    try:
        pid = running.process.pid
        workers: list[int] = []
        end = time.monotonic() + 30  # the workers are forked after the announcement
        while len(workers) < 2 and time.monotonic() < end:
            time.sleep(0.05)
            workers = [int(c) for t in Path(f"/proc/{pid}/task").iterdir()
                       for c in (t / "children").read_text().split()]
        assert len(workers) == 2

        def held(worker: int) -> int:  # connected TCP sockets; the listening one is shared
            count = 0
            for fd in Path(f"/proc/{worker}/fd").iterdir():
                with contextlib.suppress(OSError):
                    count += os.readlink(fd).startswith("socket:")
            return count

        before = [held(w) for w in workers]
        connections = []
        try:
            for _ in range(8):  # open together, then each sends one request and stays open
                connections.append(socket.create_connection((running.host, running.port),
                                                            timeout=30))
            for sock in connections:
                sock.sendall(_get(q("ASK {}")))
            for sock in connections:
                data = b""
                while b'"boolean"' not in data:
                    data += sock.recv(65536)
            counts = [held(w) - b for w, b in zip(workers, before)]
            assert sum(counts) == 8 and max(counts) - min(counts) <= 2, counts
        finally:
            for sock in connections:
                sock.close()
    finally:
        running.stop()


def test_watchdog_follows_connections_not_requests():
    import socket

    import pyoxigraph

    from graph_builder.serve import EndpointServer

    with EndpointServer(pyoxigraph.Store()) as endpoint:
        parts = urllib.parse.urlsplit(endpoint.url)
        watchdog = endpoint.httpd.watchdog
        with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
            for _ in range(3):
                sock.sendall(_get(q("ASK {}")))
                data = b""
                while b'"boolean"' not in data:
                    data += sock.recv(65536)
            assert len(watchdog.handlers) == 1
            end = time.monotonic() + 10  # the handler clears its request just after answering
            while watchdog.active() and time.monotonic() < end:
                time.sleep(0.02)
            assert watchdog.active() == 0  # nothing in flight between requests
        end = time.monotonic() + 10
        while watchdog.handlers and time.monotonic() < end:
            time.sleep(0.02)
        assert not watchdog.handlers


# ------------------------------------------------------------------ writes

AUTH = {"Authorization": "Bearer s3cret"}
UPDATE = {"Content-Type": "application/sparql-update", **AUTH}


def test_update_needs_the_token(writable):
    body = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    for headers, status in (({"Content-Type": "application/sparql-update"}, 401),
                            ({"Content-Type": "application/sparql-update",
                              "Authorization": "Bearer wrong"}, 401),
                            (UPDATE, 204)):
        got, got_headers, _ = writable.request("POST", "/update", body, headers)
        assert got == status
        if status == 401:
            assert got_headers["www-authenticate"].startswith("Bearer")
    assert writable.select("SELECT ?o WHERE { <urn:a> <urn:b> ?o }") == [
        {"o": {"type": "uri", "value": "urn:c"}}]


UPDATE_REFUSALS = [
    ("LOAD <file:///etc/passwd>", 403, "local files"),
    ("LOAD <http://127.0.0.1:9/data.ttl>", 403, "--allow-service"),
    ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 403,
     "SERVICE"),
    ("INSERT DATA { <urn:a> <urn:b> ", 400, "syntax"),
]


@pytest.mark.parametrize("update,status,text", UPDATE_REFUSALS,
                         ids=[c[0].split()[0] + str(i) for i, c in enumerate(UPDATE_REFUSALS)])
def test_update_refusals(writable, update, status, text):
    got, _, body = writable.request("POST", "/update", update, UPDATE)
    assert got == status and text in body.decode()


def test_update_form_and_using_graph(writable):
    graph = "http://example.org/g1"
    body = urllib.parse.urlencode({"update": f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x> "
                                             f"<urn:y> <urn:z> }} }}"})
    assert writable.request("POST", "/update", body, {**FORM, **AUTH})[0] == 204
    # using-graph-uri makes <g1> the default graph of the WHERE clause
    update = "INSERT { GRAPH <http://example.org/g2> { ?s <urn:copied> ?o } } WHERE { ?s ?p ?o }"
    status, _, _ = writable.request(
        "POST", "/update?using-graph-uri=" + urllib.parse.quote(graph), update, UPDATE)
    assert status == 204
    rows = writable.select("SELECT ?s ?o WHERE { GRAPH <http://example.org/g2> { ?s ?p ?o } }")
    assert rows == [{"s": {"type": "uri", "value": "urn:x"}, "o": {"type": "uri",
                                                                   "value": "urn:z"}}]


def test_graph_store_protocol(writable):
    path = "/store?graph=" + urllib.parse.quote("http://example.org/gsp")
    turtle = {"Content-Type": "text/turtle", **AUTH}
    assert writable.request("GET", path)[0] == 404
    assert writable.request("PUT", path, "<urn:s> <urn:p> 1 .", turtle)[0] == 201
    assert writable.request("PUT", path, "<urn:s> <urn:p> 2 .", turtle)[0] == 204  # replaced
    assert writable.request("POST", path, "<urn:s> <urn:p> 3 .", turtle)[0] == 204  # merged
    status, headers, body = writable.request("GET", path, headers={"Accept":
                                                                   "application/n-triples"})
    assert status == 200 and headers["content-type"].startswith("application/n-triples")
    assert sorted(body.decode().split("\n")[:-1]) == [
        '<urn:s> <urn:p> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        '<urn:s> <urn:p> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .']
    assert writable.request("PUT", path, "<urn:s> <urn:p> .", turtle)[0] == 400
    assert writable.request("PUT", path, "x", {"Content-Type": "image/png", **AUTH})[0] == 415
    assert writable.request("DELETE", path)[0] == 401
    assert writable.request("DELETE", path, headers=AUTH)[0] == 204
    assert writable.request("DELETE", path, headers=AUTH)[0] == 404
    status, headers, _ = writable.request("POST", "/store", "<urn:s> <urn:p> 4 .", turtle)
    assert status == 201 and headers["location"].startswith(writable.url + "/store/")


def test_graph_store_read_only(server):
    status, headers, body = server.request("GET", "/store?default",
                                           headers={"Accept": "application/n-triples"})
    assert status == 422  # the fixture graph is over this server's 32k result limit
    status, _, _ = server.request("PUT", "/store?default", "<urn:s> <urn:p> 1 .",
                                  {"Content-Type": "text/turtle"})
    assert status == 403


# ------------------------------------------------------------------ same answers as rdflib

def test_endpoint_answers_like_rdflib(server):
    from graph_builder.queries import list_queries, run_query

    graph = Graph().parse(FIXTURES, format="turtle")
    for named in list_queries("select"):
        params = {p.name: p.example for p in named.parameters if p.required}
        expected = run_query(graph, named, bindings=params)
        status, _, body = server.request(
            "GET", f"/queries/{named.name}?{urllib.parse.urlencode(params)}",
            headers={"Accept": "application/sparql-results+json"})
        assert status == 200, body
        data = json.loads(body)
        assert data["head"]["vars"] == list(expected.variables)
        got = Counter(json.dumps(row, sort_keys=True) for row in data["results"]["bindings"])
        want = Counter(json.dumps(_json_row(expected.variables, row), sort_keys=True)
                       for row in expected.rows)
        assert got == want, named.name


def _json_row(variables, row):
    from graph_builder.queries import _json_term

    return {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}


# ------------------------------------------------------------------ the command and the process

def test_serves_resolution_texts_and_stops_cleanly():
    running = Server(str(EXAMPLE), "--workers", "0")
    try:
        rows = running.select("SELECT ?s WHERE { ?d <http://data.europa.eu/eli/ontology#id_local>"
                              " ?s ; <https://w3id.org/lexgraph/ontology#sourceFile> ?f }")
        assert rows == [{"s": {"type": "literal", "value": "A/RES/58/137"}}]
        assert "threads" in running.log[0]
    finally:
        code = running.stop()
    assert code in (0, -15)


SERVE_ERRORS = [
    (["missing.ttl"], "missing.ttl: no such file"),
    ([str(FIXTURES), "--bind", "nonsense"], "--bind wants HOST:PORT"),
    ([str(FIXTURES), "--update-token", "x"], "--update-token needs --update"),
    ([str(FIXTURES), "--max-result-size", "lots"], "not a size"),
    ([str(FIXTURES), "--cache", "huge"], "not a size: 'huge'"),
]


@pytest.mark.parametrize("args,message", SERVE_ERRORS, ids=[m for _, m in SERVE_ERRORS])
def test_serve_usage_errors(args, message, capsys):
    from graph_builder import cli

    assert cli.main(["serve", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_in_process_server_times_out_without_stopping():
    import pyoxigraph

    from graph_builder.serve import EndpointServer, Options

    # 70 triples: the four-way product below takes a few seconds, which is over the limit but
    # ends soon after, so the thread left running in this process does not linger.
    store = pyoxigraph.Store()
    for i in range(70):
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(f"urn:s{i}"), pyoxigraph.NamedNode("urn:p"),
                                  pyoxigraph.Literal(str(i))))
    with EndpointServer(store, Options(timeout=0.5)) as endpoint:
        parts = urllib.parse.urlsplit(endpoint.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        connection.request("GET", q("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
                                    "?g ?h ?i . ?j ?k ?l }"))
        response = connection.getresponse()
        assert response.status == 503
        connection.close()


# ------------------------------------------------------------------ the result cache

class InProcess(Server):
    """An :class:`~graph_builder.serve.EndpointServer` on the fixture graph, in this process,
    so that its service's cache statistics can be read; requests still go over sockets."""

    def __init__(self, options) -> None:  # no process: Server.__init__ is not called
        import pyoxigraph

        from graph_builder.serve import EndpointServer

        store = pyoxigraph.Store()
        store.load(path=str(FIXTURES), format=pyoxigraph.RdfFormat.TURTLE)
        self.endpoint = EndpointServer(store, options).start()
        self.url = self.endpoint.url
        parts = urllib.parse.urlsplit(self.url)
        self.host, self.port = parts.hostname, parts.port

    def stop(self) -> int:
        self.endpoint.stop()
        return 0


def step(path: str, *, method: str = "GET", headers: dict[str, str] | None = None,
         body: str | None = None, status: int = 200, cache: str | None = None,
         media: str | None = None, text: str = "", same: int | None = None,
         differs: int | None = None) -> dict:
    """One request of a cache scenario and what its answer must be: ``cache`` is the
    ``X-Cache`` header (None: absent), ``same`` / ``differs`` the index of an earlier step whose
    body this one must equal / differ from."""
    return {"path": path, "method": method, "headers": headers or {}, "body": body,
            "status": status, "cache": cache, "media": media, "text": text, "same": same,
            "differs": differs}


def _padded_ask(letter: str) -> str:
    """An ``ASK {}`` of exactly 74 characters: with its 26-byte JSON answer, 100 bytes."""
    text = "ASK {} # "
    return text + letter * (74 - len(text))


JSON_ACCEPT = {"Accept": "application/sparql-results+json"}
CSV_ACCEPT = {"Accept": "text/csv"}
NEW_TRIPLE = "SELECT ?o WHERE { <urn:new> <urn:p> ?o }"

# (name, Options fields, steps, (hits, misses, entries) at the end or None for no cache)
CACHE_CASES = [
    ("repeat-is-a-hit", {}, [
        step(q(SUPPLEMENTS), cache="miss", text="crc-opsc"),
        step(q(SUPPLEMENTS), cache="hit", same=0),
        step("/sparql", method="POST", headers=DIRECT, body=SUPPLEMENTS, cache="hit", same=0),
        step("/sparql", method="POST", headers=FORM, cache="hit", same=0,
             body=urllib.parse.urlencode({"query": SUPPLEMENTS})),
        step(q(SUPPLEMENTS), method="HEAD", cache="hit"),
    ], (4, 1, 1)),
    ("formats-do-not-leak", {}, [
        step(q(SUPPLEMENTS), headers=JSON_ACCEPT, cache="miss",
             media="application/sparql-results+json", text='"bindings"'),
        step(q(SUPPLEMENTS), headers=CSV_ACCEPT, cache="miss", media="text/csv",
             text="p,t\r\n", differs=0),
        step(q(SUPPLEMENTS), headers={"Accept": "text/tab-separated-values"}, cache="miss",
             media="text/tab-separated-values", text="?p\t?t\n"),
        step(q(SUPPLEMENTS, format="xml"), cache="miss", media="application/sparql-results+xml",
             text="<sparql"),
        step(q(SUPPLEMENTS), headers=CSV_ACCEPT, cache="hit", media="text/csv", same=1),
        # Another header negotiated to the same format shares the answer.
        step(q(SUPPLEMENTS), headers={"Accept": "image/png, text/csv;q=0.8"}, cache="hit",
             media="text/csv", same=1),
        step(q(SUPPLEMENTS), headers=JSON_ACCEPT, cache="hit",
             media="application/sparql-results+json", same=0),
        step(q(SUPPLEMENTS), cache="hit", media="application/sparql-results+json", same=0),
        step(q(CONSTRUCT), headers={"Accept": "text/turtle"}, cache="miss", media="text/turtle"),
        step(q(CONSTRUCT), headers={"Accept": "application/n-triples"}, cache="miss",
             media="application/n-triples", text=f"<{ACT}crc-opsc> <urn:to> <{ACT}crc> ."),
        step(q(CONSTRUCT), headers={"Accept": "text/turtle"}, cache="hit", media="text/turtle",
             same=8),
        step(q("ASK {}"), headers={"Accept": "application/sparql-results+xml"}, cache="miss",
             media="application/sparql-results+xml", text="<boolean>true</boolean>"),
        step(q("ASK {}"), cache="miss", media="application/sparql-results+json",
             text='"boolean":true'),
    ], (5, 8, 8)),
    ("bindings-and-datasets-are-part-of-the-key", {}, [
        step(q(SUPPLEMENTS, **{"$t": f"<{ACT}crc>"}), cache="miss", text="crc-opsc"),
        step(q(SUPPLEMENTS, **{"$t": f"<{ACT}untoc>"}), cache="miss", differs=0,
             text="untoc-trafficking-protocol"),
        step(q(SUPPLEMENTS, **{"$t": f"<{ACT}crc>"}), cache="hit", same=0),
        # The same bindings in another order are the same question.
        step(q(SUPPLEMENTS, **{"$p": f"<{ACT}crc-opsc>", "$t": f"<{ACT}crc>"}), cache="miss"),
        step(q(SUPPLEMENTS, **{"$t": f"<{ACT}crc>", "$p": f"<{ACT}crc-opsc>"}), cache="hit",
             same=3),
        step(q(SUPPLEMENTS, **{"default-graph-uri": "urn:nothing"}), cache="miss",
             text='"bindings":[]'),
        step(q(SUPPLEMENTS), cache="miss", differs=5, text="untoc-trafficking-protocol"),
        step(q(SUPPLEMENTS, **{"default-graph-uri": "urn:nothing"}), cache="hit", same=5),
        step(q(SUPPLEMENTS, **{"named-graph-uri": "urn:nothing"}), cache="miss", same=6),
        step(f"/queries/cited-articles?instrument=%3C{ACT}untoc%3E", cache="miss",
             text="Protection of witnesses"),
        step(f"/queries/cited-articles?instrument=%3C{ACT}crc%3E", cache="miss", differs=9),
        step(f"/queries/cited-articles?instrument=%3C{ACT}untoc%3E", cache="hit", same=9),
    ], (4, 8, 8)),
    ("nondeterministic-answers-are-never-kept", {}, [
        step(q("SELECT (STRUUID() AS ?u) {}"), cache="miss"),
        step(q("SELECT (STRUUID() AS ?u) {}"), cache="miss", differs=0),
        step(q("select (rand() as ?r) {}"), cache="miss"),
        step(q("select (rand() as ?r) {}"), cache="miss", differs=2),
        step(q("SELECT (NOW() AS ?n) {}"), cache="miss"),
        step(q("SELECT (NOW() AS ?n) {}"), cache="miss"),
        step(q("SELECT (UUID() AS ?u) (BNODE() AS ?b) {}"), cache="miss"),
        step(q("SELECT (UUID() AS ?u) (BNODE() AS ?b) {}"), cache="miss", differs=6),
        # The words alone, in a string or a comment, do not stop an answer being kept.
        step(q('SELECT ("NOW()" AS ?x) {} # RAND()'), cache="miss"),
        step(q('SELECT ("NOW()" AS ?x) {} # RAND()'), cache="hit", same=8),
    ], (1, 1, 1)),
    ("update-mode-keeps-nothing", {"update": True}, [
        step(q(NEW_TRIPLE), text='"bindings":[]'),
        step(q(NEW_TRIPLE), text='"bindings":[]', same=0),
        step("/update", method="POST", headers={"Content-Type": "application/sparql-update"},
             body="INSERT DATA { <urn:new> <urn:p> <urn:o> }", status=204),
        step(q(NEW_TRIPLE), text='"value":"urn:o"', differs=0),
        step("/update", method="POST", headers={"Content-Type": "application/sparql-update"},
             body="DELETE DATA { <urn:new> <urn:p> <urn:o> }", status=204),
        step(q(NEW_TRIPLE), text='"bindings":[]', same=0),
    ], None),
    ("least-recently-used-goes-first", {"cache_bytes": 400}, [
        step(q(_padded_ask("a")), cache="miss"),
        step(q(_padded_ask("b")), cache="miss"),
        step(q(_padded_ask("c")), cache="miss"),
        step(q(_padded_ask("d")), cache="miss"),  # 400 bytes: full
        step(q(_padded_ask("a")), cache="hit"),  # a is now the most recently used
        step(q(_padded_ask("e")), cache="miss"),  # b goes
        step(q(_padded_ask("b")), cache="miss"),  # c goes
        step(q(_padded_ask("a")), cache="hit"),
        step(q(_padded_ask("d")), cache="hit"),
        step(q(_padded_ask("c")), cache="miss"),  # e goes
        step(q(_padded_ask("e")), cache="miss"),  # b goes
    ], (3, 8, 4)),
    ("oversize-answers-are-not-kept", {"cache_bytes": 1000}, [
        step(q(SUPPLEMENTS), cache="miss"),  # over 250 bytes, a quarter of the budget
        step(q(SUPPLEMENTS), cache="miss", same=0),
        step(q("ASK {}"), cache="miss"),
        step(q("ASK {}"), cache="hit", same=2),
    ], (1, 3, 1)),
    ("cache-0-turns-it-off", {"cache_bytes": 0}, [
        step(q(SUPPLEMENTS), text="crc-opsc"),
        step(q(SUPPLEMENTS), same=0),
    ], None),
    ("errors-are-not-kept", {"max_result_bytes": 4096}, [
        step(q("SELECT ?x WHERE { ?x"), status=400, text="syntax error"),
        step(q("SELECT ?x WHERE { ?x"), status=400, text="syntax error"),
        step(q("ASK {}"), headers=CSV_ACCEPT, status=406),
        step(q("ASK {}"), headers=CSV_ACCEPT, status=406),
        step(q("SELECT * WHERE { ?s ?p ?o }"), status=422, text="limit"),
        step(q("SELECT * WHERE { ?s ?p ?o }"), status=422, text="limit"),
        step(q("SELECT ?p WHERE { ?p ?q ?t }", **{"$t": "<urn:x>"}), status=400,
             text="does not select"),
        step(q("SELECT ?p WHERE { ?p ?q ?t }", **{"$t": "<urn:x>"}), status=400),
        step(q(SUPPLEMENTS, **{"default-graph-uri": "not an iri"}), status=400, text="IRI"),
        step(q(SUPPLEMENTS, **{"default-graph-uri": "not an iri"}), status=400, text="IRI"),
        step(q("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), status=403),
        step(q("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), status=403),
    ], (0, 10, 0)),
]


@pytest.mark.parametrize("name,options,steps,info", CACHE_CASES, ids=[c[0] for c in CACHE_CASES])
def test_result_cache(name, options, steps, info):
    from graph_builder.serve import Options

    endpoint = InProcess(Options(**options))
    try:
        bodies: list[bytes] = []
        for index, expected in enumerate(steps):
            status, headers, body = endpoint.request(expected["method"], expected["path"],
                                                     expected["body"], expected["headers"])
            where = f"step {index}: {body[:200]!r}"
            bodies.append(body)
            assert status == expected["status"], where
            assert headers.get("x-cache") == expected["cache"], where
            if expected["media"]:
                assert headers["content-type"].startswith(expected["media"]), where
            assert expected["text"] in body.decode(), where
            if expected["same"] is not None:
                assert body == bodies[expected["same"]], where
            if expected["differs"] is not None:
                assert body != bodies[expected["differs"]], where
        got = endpoint.endpoint.service.cache_info()
        if info is None:
            assert got is None
        else:
            assert (got.hits, got.misses, got.entries) == info
            assert got.bytes <= got.budget
    finally:
        endpoint.stop()


def test_result_cache_keeps_nothing_past_the_deadline():
    from graph_builder.serve import Options, Request

    endpoint = InProcess(Options())
    try:
        service = endpoint.endpoint.service
        request = Request("GET", "/sparql", q(SUPPLEMENTS).split("?", 1)[1], {}, b"",
                          endpoint.url)
        late = service.handle(request, time.monotonic() - 1)
        assert late.status == 503 and b"ran out of time" in late.body
        on_time = service.handle(request, time.monotonic() + 30)
        assert on_time.status == 200 and ("X-Cache", "miss") in on_time.headers
        again = service.handle(request, time.monotonic() + 30)
        assert ("X-Cache", "hit") in again.headers and again.body == on_time.body
        assert service.cache_info().entries == 1
    finally:
        endpoint.stop()


def test_result_cache_evicts_by_bytes():
    from graph_builder.serve import ResultCache

    cache = ResultCache(40)
    for key in "abcd":
        assert cache.put(key, key.encode() * 10, "text/csv")
    assert cache.info().bytes == 40 and cache.info().entries == 4
    assert cache.get("a") == (b"a" * 10, "text/csv")  # a: now the most recently used
    assert cache.put("e", b"e" * 5, "text/csv")  # b goes
    assert cache.get("b") is None
    assert cache.put("f", b"f" * 10, "text/csv")  # c goes; 35 + 10 - 10 = 35
    assert [cache.get(k) is not None for k in "acdef"] == [True, False, True, True, True]
    assert cache.info() == (5, 2, 35, 4, 40)
    assert cache.put("a", b"A" * 3, "text/tsv")  # the same key again: counted once
    assert cache.get("a") == (b"AAA", "text/tsv") and cache.info().bytes == 28
    cache.clear()
    assert cache.info().bytes == 0 and cache.info().entries == 0


def test_result_cache_refuses_oversize_answers():
    from graph_builder.serve import ResultCache

    cache = ResultCache(100)
    assert cache.put("quarter", b"x" * 25, "text/csv")
    assert not cache.put("more", b"x" * 26, "text/csv")
    assert not cache.put("charged", b"x", "text/csv", charge=26)
    assert cache.get("more") is None and cache.get("charged") is None
    assert cache.info().entries == 1 and cache.info().bytes == 25


def test_result_cache_under_threads():
    from graph_builder.serve import ResultCache

    cache = ResultCache(1000)
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for i in range(2000):
                key = (seed * 7 + i) % 60
                found = cache.get(key)
                if found is None:
                    cache.put(key, bytes([key]) * (key % 20 + 1), "text/csv")
                else:
                    assert found[0] == bytes([key]) * (key % 20 + 1)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    info = cache.info()
    assert info.hits + info.misses == 8 * 2000
    assert info.bytes == sum(len(v[0]) for v in cache.entries.values()) <= 1000


def test_cache_flag_of_the_command():
    # One connection, so both requests reach the same worker; a comment makes the text new.
    text = SUPPLEMENTS + " # test_cache_flag_of_the_command"
    for args, expected in ((("--workers", "0", "--cache", "0"), [None, None]),
                           (("--cache", "4k"), ["miss", "hit"])):
        running = Server(str(FIXTURES), *args)
        try:
            connection = http.client.HTTPConnection(running.host, running.port, timeout=30)
            seen, bodies = [], []
            for _ in range(2):
                connection.request("GET", q(text))
                response = connection.getresponse()
                bodies.append(response.read())
                assert response.status == 200
                seen.append(response.getheader("X-Cache"))
            connection.close()
            assert seen == expected and bodies[0] == bodies[1]
        finally:
            running.stop()


def test_writable_endpoint_answers_from_the_data(writable):
    text = "SELECT ?o WHERE { <urn:cached> <urn:p> ?o }"
    status, headers, body = writable.request("GET", q(text))
    assert status == 200 and json.loads(body)["results"]["bindings"] == []
    assert "x-cache" not in headers
    assert writable.request("POST", "/update", "INSERT DATA { <urn:cached> <urn:p> 1 }",
                            UPDATE)[0] == 204
    assert [r["o"]["value"] for r in writable.select(text)] == ["1"]
