"""``lexgraph push`` against a real Oxigraph server, and against small scripted HTTP servers
that answer what a test needs (refusals, 503s, hangs) and record what they were sent."""

from __future__ import annotations

import base64
import gc
import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder import cli
from graph_builder import push as push_module
from graph_builder.push import PushError, plan, push
from graph_builder.store import BOOKKEEPING_GRAPH

EX = "https://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
G1, G2, G3 = f"{EX}doc/a-res-1", f"{EX}doc/a-res-2", f"{EX}doc/a-res-3"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


# Three documents, with the literals that break hand-written serializers: quotes, new lines,
# backslashes, a literal "\u0041" (text, not an escape), language tags, datatypes, non-ASCII.
STORE_GRAPHS: dict[str, set[ox.Triple]] = {
    G1: {
        ox.Triple(_n(f"{EX}s1"), _n(f"{EX}verb"), ox.Literal('Recalling "the Protocol"\nand '
                                                             "its annex", language="en")),
        ox.Triple(_n(f"{EX}s1"), _n(f"{EX}position"), ox.Literal("29", datatype=_n(f"{XSD}integer"))),
        ox.Triple(_n(f"{EX}s1"), _n(f"{EX}cites"), _n(f"{EX}act/untoc~art_6")),
    },
    G2: {
        ox.Triple(_n(f"{EX}s2"), _n(f"{EX}quote"), ox.Literal("a back\\slash, a tab\tand \\u0041")),
        ox.Triple(_n(f"{EX}s2"), _n(f"{EX}title"), ox.Literal("Résolution « traite »", language="fr")),
        ox.Triple(_n(f"{EX}s2"), _n(f"{EX}date"), ox.Literal("2003-12-22", datatype=_n(f"{XSD}date"))),
    },
    G3: {
        ox.Triple(_n(f"{EX}s3"), _n(f"{EX}note"), ox.Literal("")),
        ox.Triple(_n(f"{EX}s3"), _n(f"{EX}note"), ox.Literal("\r\n\u0001 control")),
    },
}
BOOKKEEPING = {ox.Triple(_n(f"{EX}file/a-res-1.txt"), _n(f"{EX}becameGraph"), _n(G1))}
STORE_TRIPLES = sum(len(t) for t in STORE_GRAPHS.values())


def make_store(path: Path, graphs: dict[str, set[ox.Triple]], bookkeeping: bool = True) -> Path:
    """A lexgraph-like store folder, closed again so it can be opened read-only."""
    store = ox.Store(str(path))
    for graph, triples in graphs.items():
        store.extend(ox.Quad(t.subject, t.predicate, t.object, _n(graph)) for t in triples)
    if bookkeeping:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, _n(BOOKKEEPING_GRAPH))
                     for t in BOOKKEEPING)
    store.flush()
    del store
    gc.collect()
    return path


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("push") / "store", STORE_GRAPHS)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _oxigraph_binary() -> str | None:
    found = shutil.which("oxigraph") or Path(sys.executable).parent / "oxigraph"
    return str(found) if Path(found).is_file() else None


class Oxigraph:
    """An ``oxigraph serve`` process on a free port, and what it holds."""

    def __init__(self, location: Path, command: str = "serve") -> None:
        binary = _oxigraph_binary()
        if binary is None:
            pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.store, self.update, self.query = (f"{self.url}/store", f"{self.url}/update",
                                               f"{self.url}/query")
        self.process = subprocess.Popen(
            [binary, command, "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"oxigraph {command} did not start: "
                                       f"{self.process.stderr.read().decode()[-500:]}") from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stderr.close()

    def _send(self, url: str, body: bytes | None = None, content_type: str | None = None,
              accept: str | None = None) -> bytes:
        headers = {k: v for k, v in (("Content-Type", content_type), ("Accept", accept)) if v}
        request = urllib.request.Request(url, data=body, headers=headers,
                                         method="POST" if body is not None else "GET")
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def clear(self) -> None:
        self._send(self.update, b"DROP ALL", "application/sparql-update")

    def graphs(self) -> set[str]:
        body = self._send(self.query, b"SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                          "application/sparql-query", "application/sparql-results+json")
        return {row["g"]["value"] for row in json.loads(body)["results"]["bindings"]}

    def triples(self, graph: str | None = None) -> set[ox.Triple]:
        where = "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")
        try:
            body = self._send(f"{self.store}?{where}", accept="application/n-triples")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return set()
            raise
        return {q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}

    def count(self) -> int:
        body = self._send(self.query, b"SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION "
                          b"{ GRAPH ?g { ?s ?p ?o } } }", "application/sparql-query",
                          "application/sparql-results+json")
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory) -> Iterator[Oxigraph]:
    server = Oxigraph(tmp_path_factory.mktemp("oxigraph") / "data")
    yield server
    server.stop()


@pytest.fixture
def oxigraph(oxigraph_server: Oxigraph) -> Oxigraph:
    oxigraph_server.clear()
    return oxigraph_server


@pytest.fixture(scope="module")
def read_only_server(tmp_path_factory) -> Iterator[Oxigraph]:
    location = make_store(tmp_path_factory.mktemp("oxigraph-ro") / "data", {G1: STORE_GRAPHS[G1]})
    server = Oxigraph(location, "serve-read-only")
    yield server
    server.stop()


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["push", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *fragments: str) -> None:
    assert err.startswith("lexgraph: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def endpoint(server: Oxigraph, mode: str) -> str:
    return server.update if mode == "update" else server.store


# ------------------------------------------------------------------ a store, in each mode

STORE_CASES = [(mode, bookkeeping) for mode in ("graph", "dataset", "update")
               for bookkeeping in (False, True)]


@pytest.mark.parametrize("mode,with_bookkeeping", STORE_CASES,
                         ids=[f"{m}{'-bookkeeping' if b else ''}" for m, b in STORE_CASES])
def test_store_pushed_in_each_mode(oxigraph, store_dir, capsys, mode, with_bookkeeping):
    flags = ["--with-bookkeeping"] if with_bookkeeping else []
    code, out, err = run(capsys, "--store", store_dir, "--endpoint", endpoint(oxigraph, mode),
                         "--mode", mode, *flags)
    assert code == 0 and out == ""
    expected = dict(STORE_GRAPHS, **({BOOKKEEPING_GRAPH: BOOKKEEPING} if with_bookkeeping else {}))
    assert oxigraph.graphs() == set(expected)
    for graph, triples in expected.items():
        assert oxigraph.triples(graph) == triples, graph
    assert oxigraph.triples(None) == set()
    graphs, triples = len(expected), sum(len(t) for t in expected.values())
    assert err.startswith(f"pushed {graphs} graph(s), {triples} triple(s) to "
                          f"{endpoint(oxigraph, mode)} in ")
    assert err.endswith(" s (0 retries)\n") and err.count("\n") == 1


@pytest.mark.parametrize("mode,batch_size,requests", [
    ("graph", 100, 3), ("dataset", 100, 1), ("dataset", 2, 2), ("update", 1, 3),
])
def test_requests_per_mode_and_batch_size(oxigraph, store_dir, mode, batch_size, requests):
    report = push(store_dir, endpoint(oxigraph, mode), mode=mode, batch_size=batch_size)
    assert (report.graphs, report.triples, report.requests, report.retries) == (
        3, STORE_TRIPLES, requests, 0)
    assert oxigraph.count() == STORE_TRIPLES


# ------------------------------------------------------------------ replacing and adding

CHANGED_G1 = {ox.Triple(_n(f"{EX}s1"), _n(f"{EX}verb"), ox.Literal("Reaffirming", language="en"))}

REPUSH_CASES = [
    # mode, flags, what G1 holds after pushing the store and then the changed G1
    ("graph", [], CHANGED_G1),
    ("graph", ["--append"], STORE_GRAPHS[G1] | CHANGED_G1),
    ("update", [], CHANGED_G1),
    ("update", ["--append"], STORE_GRAPHS[G1] | CHANGED_G1),
    ("dataset", [], STORE_GRAPHS[G1] | CHANGED_G1),
]


@pytest.mark.parametrize("mode,flags,expected", REPUSH_CASES,
                         ids=[f"{m}{''.join(f)}" for m, f, _ in REPUSH_CASES])
def test_second_push_replaces_or_adds(oxigraph, store_dir, tmp_path, capsys, mode, flags,
                                      expected):
    url = endpoint(oxigraph, mode)
    for _ in range(2):  # the same store twice: nothing is duplicated, whatever the mode
        assert run(capsys, "--store", store_dir, "--endpoint", url, "--mode", mode)[0] == 0
        assert oxigraph.count() == STORE_TRIPLES
    changed = tmp_path / "changed.trig"
    changed.write_bytes(ox.serialize((ox.Quad(t.subject, t.predicate, t.object, _n(G1))
                                      for t in CHANGED_G1), format=ox.RdfFormat.TRIG))
    assert run(capsys, changed, "--endpoint", url, "--mode", mode, *flags)[0] == 0
    assert oxigraph.triples(G1) == expected
    assert oxigraph.triples(G2) == STORE_GRAPHS[G2]  # graphs not pushed again stay as they were


# ------------------------------------------------------------------ RDF files

TTL = """@prefix ex: <https://example.org/> .
ex:catalogue ex:title "Instruments \\"cited\\""@en ; ex:size 3 .
"""
TRIG = f"""@prefix ex: <https://example.org/> .
<{G1}> {{ ex:s1 ex:cites ex:act-art_6 . }}
<{G2}> {{ ex:s2 ex:note \"\"\"two
lines\"\"\" . }}
"""


@pytest.mark.parametrize("mode", ["graph", "dataset", "update"])
def test_files_go_to_their_graphs(oxigraph, tmp_path, capsys, mode):
    (tmp_path / "catalogue.ttl").write_text(TTL, encoding="utf-8")
    (tmp_path / "documents.trig").write_text(TRIG, encoding="utf-8")
    code, _, err = run(capsys, tmp_path / "catalogue.ttl", tmp_path / "documents.trig",
                       "--endpoint", endpoint(oxigraph, mode), "--mode", mode)
    assert code == 0 and err.startswith("pushed 3 graph(s), 4 triple(s)")
    expected = ox.Store()
    expected.load(path=str(tmp_path / "catalogue.ttl"), format=ox.RdfFormat.TURTLE)
    expected.load(path=str(tmp_path / "documents.trig"), format=ox.RdfFormat.TRIG)
    assert oxigraph.graphs() == {G1, G2}
    for graph in (None, G1, G2):
        name = ox.DefaultGraph() if graph is None else _n(graph)
        assert oxigraph.triples(graph) == {
            q.triple for q in expected.quads_for_pattern(None, None, None, name)}, graph


def test_store_and_files_together_merge_a_shared_graph(oxigraph, store_dir, tmp_path):
    extra = tmp_path / "extra.nq"
    extra.write_text(f"<{EX}s1> <{EX}seeAlso> <{EX}s2> <{G1}> .\n", encoding="utf-8")
    report = push([store_dir, extra], oxigraph.store)
    assert (report.graphs, report.requests) == (3, 3)  # G1 once, with the triples of both
    assert oxigraph.triples(G1) == STORE_GRAPHS[G1] | {
        ox.Triple(_n(f"{EX}s1"), _n(f"{EX}seeAlso"), _n(f"{EX}s2"))}


# ------------------------------------------------------------------ a server that refuses


@pytest.mark.parametrize("mode,where", [
    ("graph", "/store?graph=" + urllib.parse.quote(G1, safe="")),
    ("dataset", "/store"),
    ("update", "/update"),
])
def test_read_only_server_refuses(read_only_server, store_dir, capsys, mode, where):
    code, out, err = run(capsys, "--store", store_dir, "--mode", mode,
                         "--endpoint", endpoint(read_only_server, mode))
    assert code == 2 and out == ""
    assert_one_line_error(err, f"{read_only_server.url}{where}: server refused (403 Forbidden): ",
                          "read-only")


# ------------------------------------------------------------------ scripted servers

class Scripted:
    """An HTTP server in a thread that answers from a script: each entry is a status, a
    (status, headers, body) triple, or "hang" (answer nothing for a while)."""

    def __init__(self, script: list) -> None:
        self.script = list(script)
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                outer.seen.append((self.command, self.path, dict(self.headers), body))
                step = outer.script.pop(0) if outer.script else 204
                if step == "hang":
                    time.sleep(0.6)
                    self.close_connection = True
                    return
                status, headers, text = step if isinstance(step, tuple) else (step, {}, b"")
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            do_PUT = do_POST = do_GET = answer

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator:
    servers: list[Scripted] = []

    def start(*script) -> Scripted:
        servers.append(Scripted(list(script)))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def delays(monkeypatch) -> list[float]:
    """The back-off waits a push asked for, without waiting them."""
    waited: list[float] = []
    monkeypatch.setattr(push_module, "_sleep", waited.append)
    return waited


RETRY_CASES = [
    # script, timeout, retries counted, delays asked for (base 0.5 s)
    ([503, 503, 204], 5.0, 2, [0.5, 1.0]),
    ([(429, {"Retry-After": "7"}, b"slow down"), 201], 5.0, 1, [7.0]),
    ([(503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, b""), 500, 502, 204], 5.0, 3,
     [0.5, 1.0, 2.0]),
    (["hang", 204], 0.2, 1, [0.5]),
]


@pytest.mark.parametrize("script,timeout,retries,waits", RETRY_CASES,
                         ids=["503-twice", "429-retry-after", "5xx-thrice", "time-out"])
def test_passing_failures_are_retried(scripted, store_dir, delays, script, timeout, retries,
                                      waits):
    server = scripted(*script)
    report = push(store_dir, f"{server.url}/store", mode="dataset", timeout=timeout)
    assert (report.requests, report.retries) == (1, retries)
    assert delays == waits
    assert len(server.seen) == retries + 1
    assert len({body for *_, body in server.seen}) == 1  # every try sent the same body


def test_retries_reported_by_the_command(scripted, store_dir, capsys, delays):
    server = scripted(503, 503, 204)
    code, _, err = run(capsys, "--store", store_dir, "--mode", "dataset",
                       "--endpoint", f"{server.url}/store")
    assert code == 0 and delays == [0.5, 1.0]
    assert err.startswith(f"pushed 3 graph(s), {STORE_TRIPLES} triple(s) to {server.url}/store ")
    assert err.endswith("(2 retries)\n")


def test_small_base_delay_keeps_retries_fast(scripted, store_dir):
    server = scripted(503, 503, 204)
    started = time.monotonic()
    report = push(store_dir, f"{server.url}/store", mode="dataset", backoff=0.01)
    assert report.retries == 2 and time.monotonic() - started < 2


REFUSALS = [
    ((400, {}, b"Parser error at line 3\nmore detail"),
     "server refused (400 Bad Request): Parser error at line 3"),
    ((401, {"WWW-Authenticate": "Basic"}, b"who are you?"),
     "server refused (401 Unauthorized): who are you? (give --user or an Authorization --header)"),
    ((404, {"Content-Type": "text/html"}, (b"<!DOCTYPE html><html><head><title>x</title>"
                                            b"</head><body><h1>No dataset here</h1></body>"
                                            b"</html>")),
     "server refused (404 Not Found): No dataset here"),
    ((308, {"Location": "https://elsewhere.example/store"}, b""),
     "server redirected (308 Permanent Redirect) to https://elsewhere.example/store"),
]


@pytest.mark.parametrize("answer,message", REFUSALS, ids=[str(a[0]) for a, _ in REFUSALS])
def test_refusal_stops_at_once(scripted, store_dir, capsys, delays, answer, message):
    server = scripted(answer)
    code, _, err = run(capsys, "--store", store_dir, "--endpoint", f"{server.url}/store")
    assert code == 2
    assert_one_line_error(err, f"{server.url}/store?graph={urllib.parse.quote(G1, safe='')}: "
                          f"{message}")
    assert len(server.seen) == 1 and delays == []


def test_server_unavailable_after_the_retries(scripted, store_dir, capsys, delays):
    server = scripted(*[503] * 5)
    code, _, err = run(capsys, "--store", store_dir, "--endpoint", f"{server.url}/update",
                       "--mode", "update", "--retries", "3")
    assert code == 2
    assert_one_line_error(err, f"{server.url}/update: server unavailable (503 Service "
                          "Unavailable) after 3 retries")
    assert len(server.seen) == 4 and delays == [0.5, 1.0, 2.0]


def test_closed_port(store_dir, capsys, delays):
    url = f"http://127.0.0.1:{_free_port()}/store"
    code, _, err = run(capsys, "--store", store_dir, "--endpoint", url, "--retries", "2")
    assert code == 2
    assert_one_line_error(err, f"{url}?graph=", "cannot reach the server (",
                          "refused) after 2 retries")
    assert delays == [0.5, 1.0]


def test_api_raises_push_error(store_dir, delays):
    url = f"http://127.0.0.1:{_free_port()}/update"
    with pytest.raises(PushError) as caught:
        push(store_dir, url, mode="update", retries=0)
    assert caught.value.url == url and caught.value.status is None and delays == []


# ------------------------------------------------------------------ what goes over the wire

WIRE_CASES = [
    ("graph", [], "PUT", "/store?graph=" + urllib.parse.quote(G1, safe=""),
     "application/n-triples"),
    ("graph", ["--append"], "POST", "/store?graph=" + urllib.parse.quote(G1, safe=""),
     "application/n-triples"),
    ("dataset", [], "POST", "/store", "application/n-quads"),
    ("update", [], "POST", "/store", "application/sparql-update"),
]


@pytest.mark.parametrize("mode,flags,method,path,content_type", WIRE_CASES,
                         ids=[f"{c[0]}{''.join(c[1])}" for c in WIRE_CASES])
def test_requests_carry_auth_and_headers(scripted, store_dir, capsys, mode, flags, method, path,
                                         content_type):
    server = scripted()
    code, _, _ = run(capsys, "--store", store_dir, "--endpoint", f"{server.url}/store",
                     "--mode", mode, *flags, "--user", "alice:s3cr:et",
                     "--header", "X-Request-Source: lexgraph", "-q")
    assert code == 0
    command, seen_path, headers, body = server.seen[0]
    assert (command, seen_path, headers["Content-Type"]) == (method, path, content_type)
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"alice:s3cr:et").decode()
    assert headers["X-Request-Source"] == "lexgraph"
    if mode == "update":
        assert body.startswith(f"DROP SILENT GRAPH <{G1}> ;\nINSERT DATA {{ GRAPH <{G1}> {{\n"
                               .encode())


def test_credentials_in_the_url_are_used_and_not_shown(scripted, store_dir, capsys):
    server = scripted()
    url = server.url.replace("http://", "http://bob:pa%40ss@") + "/store"
    code, _, err = run(capsys, "--store", store_dir, "--endpoint", url)
    assert code == 0 and "pa%40ss" not in err and "bob" not in err
    assert server.seen[0][2]["Authorization"] == "Basic " + base64.b64encode(
        b"bob:pa@ss").decode()


# ------------------------------------------------------------------ dry run and input errors


@pytest.mark.parametrize("flags,graphs", [([], [G1, G2, G3]),
                                          (["--with-bookkeeping"], [G1, G2, G3,
                                                                    BOOKKEEPING_GRAPH])])
def test_dry_run_sends_nothing(scripted, store_dir, capsys, flags, graphs):
    server = scripted()
    code, out, err = run(capsys, "--store", store_dir, "--endpoint", f"{server.url}/store",
                         "--dry-run", *flags)
    assert code == 0 and server.seen == []
    counts = {**{g: len(t) for g, t in STORE_GRAPHS.items()}, BOOKKEEPING_GRAPH: 1}
    assert out.splitlines() == [f"{g}\t{counts[g]}" for g in sorted(graphs)]
    assert err == (f"would push {len(graphs)} graph(s), {sum(counts[g] for g in graphs)} "
                   f"triple(s) to {server.url}/store (graph mode); nothing sent\n")
    assert [p.name for p in plan(store_dir, with_bookkeeping=bool(flags))] == sorted(graphs)


def test_dry_run_names_the_default_graph(tmp_path, capsys):
    (tmp_path / "catalogue.ttl").write_text(TTL, encoding="utf-8")
    code, out, _ = run(capsys, tmp_path / "catalogue.ttl", "--endpoint",
                       "http://127.0.0.1:9/store", "--dry-run", "-q")
    assert (code, out) == (0, "(default graph)\t2\n")


INPUT_ERRORS = [
    (["--store", "{tmp}/plain"], "{tmp}/plain: not a lexgraph store"),
    (["--store", "{tmp}/missing"], "{tmp}/missing: no such store folder"),
    (["--store", "{tmp}/plain/notes.txt"], "{tmp}/plain/notes.txt: not a folder"),
    (["{tmp}/missing.ttl"], "{tmp}/missing.ttl: no such file"),
    (["{tmp}/broken.ttl"], "{tmp}/broken.ttl:"),
    ([], "nothing to push: give --store DIR or RDF files"),
    (["{tmp}/good.ttl", "--endpoint", "ftp://example.org/"], "--endpoint wants an http(s) URL"),
    (["{tmp}/good.ttl", "--header", "no colon"], "--header wants 'Name: value'"),
    (["{tmp}/good.ttl", "--batch-size", "0"], "--batch-size must be 1 or more"),
    (["{tmp}/good.ttl", "--user", "a:b", "--header", "Authorization: Bearer x"],
     "give --user or an Authorization header, not both"),
]


@pytest.mark.parametrize("args,message", INPUT_ERRORS, ids=[m.split(":")[-1].strip()[:30]
                                                            for _, m in INPUT_ERRORS])
def test_input_errors(tmp_path, capsys, args, message):
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "notes.txt").write_text("not a database", encoding="utf-8")
    (tmp_path / "broken.ttl").write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    (tmp_path / "good.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--endpoint" not in args:
        args += ["--endpoint", f"http://127.0.0.1:{_free_port()}/store"]
    code, out, err = run(capsys, *args, "--retries", "0")
    assert code == 2 and out == ""
    assert_one_line_error(err, message.replace("{tmp}", str(tmp_path)))


def test_help_lists_push(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "push" in capsys.readouterr().out
