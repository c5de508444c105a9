"""Benchmark the SPARQL endpoint of ``lexgraph serve`` against Oxigraph's own server and
rdflib-endpoint, on the same graph and the same queries, in the same run; then time the named
queries on the whole graph.

    python bench/serve_bench.py [--corpus ../shared/corpus/unga] [--requests 200] [--clients 8]

The graph is built from every resolution text of the corpus (``lexgraph build``). The
competitors are started only if installed: the ``oxigraph`` command (PyPI ``oxigraph``) and the
``rdflib-endpoint`` command (PyPI ``rdflib-endpoint[cli]``, for this benchmark only). Every
server listens on an ephemeral port of 127.0.0.1 and is stopped at the end. Without the corpus
the benchmark says so and exits 0.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "unga"
PREFIXES = ("PREFIX lex: <https://w3id.org/lexgraph/ontology#>\n"
            "PREFIX eli: <http://data.europa.eu/eli/ontology#>\n"
            "PREFIX cito: <http://purl.org/spar/cito/>\n")


def queries(resolution: str) -> dict[str, str]:
    """The benchmark's queries: the same text is sent to every server."""
    from graph_builder.queries import load_query

    named = load_query("resolution-citations").text
    # The named query with its parameter fixed by a VALUES block, so that every server can
    # run the same text (only lexgraph takes $var bindings).
    citations = named.replace("WHERE {", f"WHERE {{\n  VALUES ?resolution {{ <{resolution}> }}",
                              1)
    return {
        "lookup": f"SELECT ?p ?o WHERE {{ <{resolution}> ?p ?o }}",
        "by-symbol": PREFIXES + 'SELECT ?d WHERE { ?d eli:id_local "A/RES/78/1" }',
        "paragraphs (path)": PREFIXES + f"SELECT ?p WHERE {{ ?p eli:is_part_of+ <{resolution}> }}",
        "resolution-citations": citations,
        "count by class": "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type",
    }


# --------------------------------------------------------------------------------------------
# Servers

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(port: int, path: str, limit: float) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            status, _ = request(port, path + "?query=" + urllib.parse.quote("ASK {}"))
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no server on port {port} after {limit:.0f} s")


def request(port: int, path: str, connection: http.client.HTTPConnection | None = None
            ) -> tuple[int, bytes]:
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        if own:
            connection.close()


class Running:
    def __init__(self, name: str, process: subprocess.Popen, port: int, path: str,
                 started: float) -> None:
        self.name, self.process, self.port, self.path = name, process, port, path
        self.startup = time.monotonic() - started

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


def start_lexgraph(graph: Path) -> Running:
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "graph_builder", "serve", str(graph),
                                "--bind", "127.0.0.1:0"], cwd=ROOT, stderr=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, text=True)
    line = process.stderr.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        process.kill()
        raise RuntimeError(f"lexgraph serve did not start: {line}")
    threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    running = Running("lexgraph serve", process, int(found.group(1)), "/sparql", started)
    wait_ready(running.port, running.path, 60)
    running.startup = time.monotonic() - started
    return running


def start_oxigraph(graph: Path) -> Running | None:
    binary = shutil.which("oxigraph") or shutil.which("oxigraph",
                                                      path=str(Path(sys.executable).parent))
    if binary is None:
        print("oxigraph is not installed (pip install oxigraph): skipped")
        return None
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running = Running("oxigraph serve", process, port, "/query", started)
    wait_ready(port, "/query", 60)
    # In memory, like lexgraph serve: load the graph through its Graph Store endpoint.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    with graph.open("rb") as body:
        connection.request("POST", "/store?default", body=body,
                           headers={"Content-Type": "application/n-triples",
                                    "Content-Length": str(graph.stat().st_size)})
        response = connection.getresponse()
        response.read()
    connection.close()
    if response.status >= 300:
        raise RuntimeError(f"oxigraph refused the graph: {response.status}")
    running.startup = time.monotonic() - started
    return running


def start_rdflib_endpoint(graph: Path) -> Running | None:
    binary = shutil.which("rdflib-endpoint") or shutil.which(
        "rdflib-endpoint", path=str(Path(sys.executable).parent))
    if binary is None:
        print("rdflib-endpoint is not installed (pip install 'rdflib-endpoint[cli]'): skipped")
        return None
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen([binary, "serve", str(graph), "--host", "127.0.0.1", "--port",
                                str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running = Running("rdflib-endpoint", process, port, "/", started)
    wait_ready(port, "/", 900)
    running.startup = time.monotonic() - started
    return running


# --------------------------------------------------------------------------------------------
# Measuring

def latency(server: Running, text: str, count: int) -> dict[str, float]:
    path = f"{server.path}?query={urllib.parse.quote(text)}"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    times = []
    rows = None
    try:
        for i in range(count + 3):
            start = time.perf_counter()
            status, body = request(server.port, path, connection)
            elapsed = time.perf_counter() - start
            if status != 200:
                return {"error": f"HTTP {status}: {body[:100]!r}"}
            if i >= 3:  # three warm-up requests
                times.append(elapsed)
            rows = len(json.loads(body)["results"]["bindings"])
    finally:
        connection.close()
    times.sort()
    return {"median_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * times[int(0.95 * (len(times) - 1))], "rows": rows}


def _client(port: int, path: str, count: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    ok = 0
    try:
        for _ in range(count):
            status, _ = request(port, path, connection)
            ok += status == 200
    finally:
        connection.close()
    return ok


def throughput(server: Running, text: str, clients: int, each: int) -> float:
    path = f"{server.path}?query={urllib.parse.quote(text)}"
    with ProcessPoolExecutor(clients) as pool:
        list(pool.map(_client, [server.port] * clients, [path] * clients, [5] * clients))
        start = time.perf_counter()
        done = sum(pool.map(_client, [server.port] * clients, [path] * clients,
                            [each] * clients))
        elapsed = time.perf_counter() - start
    return done / elapsed


def named_queries(graph: Path, resolution: str) -> list[tuple[str, float, int]]:
    """Each named query on the whole graph, in process on pyoxigraph (seconds, rows)."""
    import pyoxigraph

    from graph_builder.queries import list_queries, run_query

    store = pyoxigraph.Store()
    store.bulk_load(path=str(graph), format=pyoxigraph.RdfFormat.N_TRIPLES)
    results = []
    for named in list_queries("select"):
        bindings = {}
        for parameter in named.parameters:
            if parameter.name == "resolution":
                bindings["resolution"] = f"<{resolution}>"
            elif parameter.required:
                bindings[parameter.name] = parameter.example
        start = time.perf_counter()
        answer = run_query(store, named, bindings=bindings)
        results.append((named.name + (" (" + ", ".join(bindings) + ")" if bindings else ""),
                        time.perf_counter() - start, len(answer)))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder of resolution texts (default: ../shared/corpus/unga)")
    parser.add_argument("--graph", type=Path, help="a built N-Triples graph (skips the build)")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests a query")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client processes")
    parser.add_argument("--each", type=int, default=100, help="requests per client")
    parser.add_argument("--no-rdflib-endpoint", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="lexgraph-bench-"))
    servers: list[Running] = []
    try:
        graph = args.graph
        if graph is None:
            texts = sorted(args.corpus.glob("*.txt")) if args.corpus.is_dir() else []
            if not texts:
                print(f"no corpus at {args.corpus}: nothing to measure (skipped)")
                return 0
            graph = work / "corpus.nt"
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "graph_builder", "build", *map(str, texts),
                            "-f", "nt", "-o", str(graph)], cwd=ROOT, check=True)
            print(f"built {len(texts)} texts into {sum(1 for _ in graph.open('rb')):,} triples "
                  f"in {time.perf_counter() - start:.1f} s")
        first = re.search(r"<(https://[^>]*/doc/a-res-78-1)> ", graph.read_text(errors="replace"))
        resolution = first.group(1) if first else "https://w3id.org/lexgraph/akn/un/doc/a-res-78-1"
        for starter in (start_lexgraph, start_oxigraph,
                        None if args.no_rdflib_endpoint else start_rdflib_endpoint):
            if starter is None:
                continue
            try:
                running = starter(graph)
            except (RuntimeError, OSError) as error:
                print(f"{starter.__name__}: {error}")
                continue
            if running is not None:
                servers.append(running)
                print(f"{running.name}: ready in {running.startup:.1f} s")
        report: dict = {"cpus": os.cpu_count(), "servers": {}, "named": []}
        for server in servers:
            entry = report["servers"].setdefault(server.name, {"startup_s": server.startup})
            for name, text in queries(resolution).items():
                count = args.requests if server.name != "rdflib-endpoint" or name in (
                    "lookup", "by-symbol") else max(5, args.requests // 20)
                entry[name] = latency(server, text, count)
                print(f"{server.name:16} {name:22} {entry[name]}")
            entry["throughput_rps"] = throughput(server, queries(resolution)["lookup"],
                                                 args.clients, args.each)
            print(f"{server.name:16} throughput {entry['throughput_rps']:.0f} requests/s "
                  f"({args.clients} clients)")
        for server in servers:
            server.stop()
        servers.clear()
        for name, seconds, rows in named_queries(graph, resolution):
            report["named"].append({"query": name, "seconds": seconds, "rows": rows})
            print(f"named {name:40} {seconds:7.3f} s {rows:8} rows")
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
        return 0
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
