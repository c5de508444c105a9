"""Benchmark the SPARQL endpoint of ``lexgraph serve`` against Oxigraph's own server and
rdflib-endpoint, on the same graph and the same queries, in the same run; then time the named
queries on the whole graph.

    python bench/serve_bench.py [--corpus ../shared/corpus/unga | --graph corpus.nt]
                                [--rounds 3] [--requests 300] [--clients 8] [--seconds 3]
                                [--lookups 300] [--json results.json]

The graph is built from every resolution text of the corpus (``lexgraph build``). lexgraph
runs twice: as it is started by default, with its result cache, and with ``--cache 0``, which
answers every request with the engine as the other servers do. The check that all servers give
the same answers sends every query first, so the cached server's timings are answers from
memory; the uncached one's are the fair comparison of the engines and the HTTP code. The
competitors are started only if installed: the ``oxigraph`` command (PyPI ``oxigraph``) and the
``rdflib-endpoint`` command (PyPI ``rdflib-endpoint[cli]``, for this benchmark only). Every
server listens on an ephemeral port of 127.0.0.1, holds the graph in memory, runs with its
default settings and is stopped at the end. Without the corpus the benchmark says so and exits 0.

Fairness:

- One client for every server: a minimal HTTP/1.1 client on a keep-alive connection with
  ``TCP_NODELAY``, the request bytes built once, reading ``Content-Length`` and chunked answers
  alike (Oxigraph answers chunked, the others with a length). ``http.client`` spends more time
  per request than the servers do on a small lookup, which hid most of the difference between
  them; the same client and the same request go to every server.
- Before the timing, every server answers every query once and the row counts are compared,
  so that all of them hold the same data and answer the same question.
- rdflib-endpoint keeps its last 128 parsed queries, so a text sent again and again is parsed
  once there and every time by the others. Besides one lookup sent again and again, the
  lookups of ``--lookups`` (300) resolutions in turn compare them as a client looking up many
  resolutions sees them.
- Every measurement is repeated in ``--rounds`` rounds; within a round the servers take turns
  on each query, in an order that rotates from round to round, so a slow spell of a shared
  machine falls on all of them. Each latency measurement starts with warm-up requests.
- Throughput: ``--clients`` client processes, each on its own keep-alive connection, start
  together (after their own warm-up) and send lookups for ``--seconds``; the count of answers
  over that time is the throughput. On Linux the server's CPU time over the same seconds (all
  its processes) gives its CPU cost per request, which depends far less on what else the
  machine is doing than the rates do.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import multiprocessing.pool
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "unga"
PREFIXES = ("PREFIX lex: <https://w3id.org/lexgraph/ontology#>\n"
            "PREFIX eli: <http://data.europa.eu/eli/ontology#>\n"
            "PREFIX cito: <http://purl.org/spar/cito/>\n")
SLOW_BUDGET = 5.0  # seconds a latency measurement may take (the slow server's slow queries)


def queries(resolution: str, resolutions: list[str]) -> dict[str, list[str]]:
    """The benchmark's queries: the same texts are sent to every server. A case of one text
    sends it again and again; a case of many sends them in turn."""
    from graph_builder.queries import load_query

    named = load_query("resolution-citations").text
    # The named query with its parameter fixed by a VALUES block, so that every server can
    # run the same text (only lexgraph takes $var bindings).
    citations = named.replace("WHERE {", f"WHERE {{\n  VALUES ?resolution {{ <{resolution}> }}",
                              1)
    return {
        "lookup": [f"SELECT ?p ?o WHERE {{ <{resolution}> ?p ?o }}"],
        # rdflib-endpoint keeps its last 128 parsed queries: one text sent again and again is
        # parsed once, whereas a client looking up many resolutions sends a new one each time.
        f"lookups of {len(resolutions)} resolutions": [
            f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}" for iri in resolutions],
        "by-symbol": [PREFIXES + 'SELECT ?d WHERE { ?d eli:id_local "A/RES/78/1" }'],
        "paragraphs (path)": [
            PREFIXES + f"SELECT ?p WHERE {{ ?p eli:is_part_of+ <{resolution}> }}"],
        "resolution-citations": [citations],
        "count by class": [
            "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type"],
    }


def sample_resolutions(text: str, count: int) -> list[str]:
    """``count`` resolutions of the corpus (the documents built from a text, not the ones they
    cite), spread over it: the same ones every run."""
    found = sorted(set(re.findall(r"^<(https://[^>]*/doc/a-res-[^>]*)> "
                                  r"<https://w3id\.org/lexgraph/ontology#sourceFile> ",
                                  text, re.MULTILINE)))
    step = max(1, len(found) // count)
    return found[::step][:count]


# --------------------------------------------------------------------------------------------
# The client

class Client:
    """A minimal HTTP/1.1 client: one keep-alive connection, answers read by their
    ``Content-Length`` or chunk by chunk; reconnects when the server closes."""

    def __init__(self, port: int, timeout: float = 600) -> None:
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.buffer = bytearray()
        self.connections = 0

    def request_bytes(self, target: str) -> bytes:
        return (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                "Accept: application/sparql-results+json\r\n\r\n").encode("ascii")

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def get(self, request: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.sock is None:
                self.sock = socket.create_connection(("127.0.0.1", self.port),
                                                     timeout=self.timeout)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.buffer.clear()
                self.connections += 1
                fresh = True
            else:
                fresh = False
            try:
                self.sock.sendall(request)
                return self._response()
            except ConnectionError:
                self.close()
                if fresh or attempt == 2:  # a stale keep-alive connection is retried once
                    raise
        raise AssertionError("unreachable")

    def _more(self) -> None:
        data = self.sock.recv(262144)
        if not data:
            raise ConnectionResetError("the server closed the connection")
        self.buffer += data

    def _line(self) -> bytes:
        while (end := self.buffer.find(b"\r\n")) < 0:
            self._more()
        line = bytes(self.buffer[:end])
        del self.buffer[:end + 2]
        return line

    def _response(self) -> tuple[int, bytes]:
        while True:
            while (end := self.buffer.find(b"\r\n\r\n")) < 0:
                self._more()
            head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
            del self.buffer[:end + 4]
            status = int(head[0].split()[1])
            if status != 100:
                break
        fields = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip().lower()
        if "chunked" in fields.get("transfer-encoding", ""):
            parts = []
            while size := int(self._line().split(b";")[0], 16):
                while len(self.buffer) < size + 2:
                    self._more()
                parts.append(bytes(self.buffer[:size]))
                del self.buffer[:size + 2]
            while self._line():  # trailers, then the empty line
                pass
            body = b"".join(parts)
        elif "content-length" in fields:
            size = int(fields["content-length"])
            while len(self.buffer) < size:
                self._more()
            body = bytes(self.buffer[:size])
            del self.buffer[:size]
        elif status in (204, 304):
            body = b""
        else:  # to the end of the connection
            try:
                while True:
                    self._more()
            except ConnectionError:
                pass
            body = bytes(self.buffer)
            self.close()
            return status, body
        if "close" in fields.get("connection", ""):
            self.close()
        return status, body


# --------------------------------------------------------------------------------------------
# Servers

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(port: int, path: str, limit: float) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        client = Client(port, timeout=30)
        try:
            status, _ = client.get(client.request_bytes(
                path + "?query=" + urllib.parse.quote("ASK {}")))
            if status == 200:
                return
        except OSError:
            pass
        finally:
            client.close()
        time.sleep(0.2)
    raise RuntimeError(f"no server on port {port} after {limit:.0f} s")


def cpu_seconds(pid: int) -> float | None:
    """CPU time so far of a process and its descendants (Linux), or None."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime, of all its threads
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except (OSError, IndexError, ValueError):
            if current == pid:
                return None
            continue  # a child that has just ended
        for task in tasks:
            with contextlib.suppress(OSError, ValueError):  # a thread that has just ended
                todo += [int(c) for c in (task / "children").read_text().split()]
    return total / tick


class Running:
    def __init__(self, name: str, process: subprocess.Popen, port: int, path: str,
                 started: float) -> None:
        self.name, self.process, self.port, self.path = name, process, port, path
        self.startup = time.monotonic() - started

    def target(self, text: str) -> str:
        return f"{self.path}?query={urllib.parse.quote(text)}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


LEXGRAPH = "lexgraph serve"
LEXGRAPH_UNCACHED = "lexgraph serve --cache 0"


def start_lexgraph(graph: Path, name: str = LEXGRAPH, extra: tuple[str, ...] = ()) -> Running:
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "graph_builder", "serve", str(graph),
                                "--bind", "127.0.0.1:0", *extra], cwd=ROOT,
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    line = process.stderr.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        process.kill()
        raise RuntimeError(f"lexgraph serve did not start: {line}")
    threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    running = Running(name, process, int(found.group(1)), "/sparql", started)
    wait_ready(running.port, running.path, 60)
    running.startup = time.monotonic() - started
    return running


def start_lexgraph_uncached(graph: Path) -> Running:
    return start_lexgraph(graph, LEXGRAPH_UNCACHED, ("--cache", "0"))


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
    import http.client

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

def rows(body: bytes) -> int:
    return len(json.loads(body)["results"]["bindings"])


def latency(server: Running, texts: list[str], count: int) -> list[float] | str:
    """Seconds of each of up to ``count`` sequential requests on one connection (at least
    three, within SLOW_BUDGET), after up to 20 warm-up ones within a second; or an error.
    The requests go through ``texts`` in turn."""
    client = Client(server.port)
    requests = [client.request_bytes(server.target(text)) for text in texts]
    times: list[float] = []
    sent = 0
    try:
        begin = time.perf_counter()
        for _ in range(20):
            status, body = client.get(requests[sent % len(requests)])
            sent += 1
            if status != 200:
                return f"HTTP {status}: {body[:100]!r}"
            if time.perf_counter() - begin > 1:
                break
        begin = time.perf_counter()
        while len(times) < count and (len(times) < 3
                                      or time.perf_counter() - begin < SLOW_BUDGET):
            request = requests[sent % len(requests)]
            sent += 1
            start = time.perf_counter()
            status, body = client.get(request)
            times.append(time.perf_counter() - start)
            if status != 200:
                return f"HTTP {status}: {body[:100]!r}"
    finally:
        client.close()
    if client.connections > 1:  # the same keep-alive behaviour is part of a fair comparison
        print(f"warning: {server.name} closed the connection {client.connections - 1} times")
    return times


def _load(port: int, requests: list[bytes], first: int, start_at: float, seconds: float
          ) -> tuple[int, int]:
    """One throughput client: warm up, wait for the common start, count answers."""
    client = Client(port)
    sent = first
    try:
        for _ in range(20):
            client.get(requests[sent % len(requests)])
            sent += 1
        time.sleep(max(0.0, start_at - time.time()))
        done = failed = 0
        end = start_at + seconds
        while time.time() < end:
            status, _ = client.get(requests[sent % len(requests)])
            sent += 1
            if status == 200:
                done += 1
            else:
                failed += 1
        return done, failed
    finally:
        client.close()


def throughput(pool: multiprocessing.pool.Pool, clients: int, server: Running,
               texts: list[str], seconds: float) -> dict[str, float]:
    """Answers a second to ``clients`` concurrent clients, each going through ``texts`` from
    its own place; with the server's CPU time per answer where the system tells it."""
    maker = Client(server.port)
    requests = [maker.request_bytes(server.target(text)) for text in texts]
    start_at = time.time() + 1.0  # time for every client to connect and warm up
    spread = max(1, len(requests) // clients)
    pending = pool.starmap_async(_load, [(server.port, requests, index * spread, start_at,
                                          seconds) for index in range(clients)])
    time.sleep(max(0.0, start_at - time.time()))
    cpu_before = cpu_seconds(server.process.pid)
    time.sleep(seconds)
    cpu_after = cpu_seconds(server.process.pid)
    counts = pending.get()
    done = sum(c[0] for c in counts)
    result = {"rps": done / seconds, "failed": sum(c[1] for c in counts)}
    if cpu_before is not None and cpu_after is not None and done:
        result["cpu_us"] = 1e6 * (cpu_after - cpu_before) / done
    return result


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


# --------------------------------------------------------------------------------------------
# Reporting

def _ms(seconds: float) -> str:
    ms = 1000 * seconds
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}" \
        if ms >= 0.1 else f"{ms:.3f}"


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return ""
    value = a / b
    if value < 0.1:  # an answer from lexgraph's cache against a query that runs
        return f"{value:.2g}x"
    return f"{value:,.0f}x" if value >= 10 else f"{value:.2f}x" if value < 2 else f"{value:.1f}x"


# The ratios of the table: (numerator, denominator, heading); for latency and CPU time, how
# many times longer the first takes; for throughput, how many times more answers the second
# gives.
RATIOS = (
    (LEXGRAPH, "oxigraph serve", "lexgraph (cached) / oxigraph"),
    (LEXGRAPH_UNCACHED, "oxigraph serve", "lexgraph --cache 0 / oxigraph"),
    ("rdflib-endpoint", LEXGRAPH, "rdflib-endpoint / lexgraph (cached)"),
    ("rdflib-endpoint", LEXGRAPH_UNCACHED, "rdflib-endpoint / lexgraph --cache 0"),
)


def table(report: dict) -> str:
    """The results as the Markdown table of bench/README.md."""
    servers = [LEXGRAPH, LEXGRAPH_UNCACHED, "oxigraph serve", "rdflib-endpoint"]
    present = [s for s in servers if s in report["servers"]]
    ratios = [r for r in RATIOS if r[0] in present and r[1] in present]
    lines = ["| query | " + " | ".join(present) + " | " + " | ".join(r[2] for r in ratios)
             + " |", "|---" * (len(present) + len(ratios) + 1) + "|"]

    def entry(server: str, key: str) -> dict | None:
        found = report["servers"].get(server, {}).get(key)
        return found if isinstance(found, dict) else None

    def row(label: str, cells: list[str], values: dict[str, float], higher_better: bool
            ) -> str:
        shown = [_ratio(values.get(b), values.get(a)) if higher_better
                 else _ratio(values.get(a), values.get(b)) for a, b, _ in ratios]
        return f"| {label} | " + " | ".join(cells + shown) + " |"

    for name in report["queries"]:
        cells, medians = [], {}
        for server in present:
            found = entry(server, name)
            if found is None:
                cells.append(str(report["servers"][server].get(name, "")))
                continue
            medians[server] = found["median_s"]
            cells.append(f"{_ms(found['median_s'])} ms ({_ms(found['p95_s'])})")
        answers = report["rows"].get(name)
        label = f"{name} ({answers} rows)" if isinstance(answers, int) else name
        lines.append(row(label, cells, medians, False))
    for name in report["throughput"]:
        key = "throughput: " + name
        rates = {s: found for s in present if (found := entry(s, key))}
        lines.append(row(f"throughput, {report['clients']} clients, {name}",
                         [f"{rates[s]['rps']:,.0f} requests/s" if s in rates else ""
                          for s in present], {s: r["rps"] for s, r in rates.items()}, True))
        cpu = {s: r["cpu_us"] for s, r in rates.items() if "cpu_us" in r}
        if cpu:
            lines.append(row("server CPU time per request, under that load",
                             [f"{cpu[s]:.0f} µs" if s in cpu else "" for s in present], cpu,
                             False))
    lines.append("| ready to answer | " + " | ".join(
        f"{report['servers'][s]['startup_s']:.1f} s" for s in present) + " |" * len(ratios)
        + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder of resolution texts (default: ../shared/corpus/unga)")
    parser.add_argument("--graph", type=Path, help="a built N-Triples graph (skips the build)")
    parser.add_argument("--rounds", type=int, default=3, help="repetitions of every measurement")
    parser.add_argument("--requests", type=int, default=300,
                        help="sequential requests a query a round")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client processes")
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="duration of a throughput measurement")
    parser.add_argument("--lookups", type=int, default=300,
                        help="resolutions looked up in turn (more than rdflib-endpoint's cache "
                        "of 128 parsed queries)")
    parser.add_argument("--no-rdflib-endpoint", action="store_true")
    parser.add_argument("--no-named", action="store_true", help="skip the named queries")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="lexgraph-bench-"))
    servers: list[Running] = []
    # The client processes are forked before any server starts, so they hold nothing big.
    pool = multiprocessing.get_context("fork").Pool(args.clients)
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
        content = graph.read_text(errors="replace")
        first = re.search(r"<(https://[^>]*/doc/a-res-78-1)> ", content)
        resolution = first.group(1) if first else "https://w3id.org/lexgraph/akn/un/doc/a-res-78-1"
        cases = queries(resolution, sample_resolutions(content, args.lookups))
        del content
        varied = next(name for name in cases if name.startswith("lookups of"))
        loads = {"one lookup again and again": cases["lookup"], varied: cases[varied]}
        for starter in (start_lexgraph, start_lexgraph_uncached, start_oxigraph,
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
        report: dict = {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                        "clients": args.clients, "rounds": args.rounds,
                        "queries": list(cases), "throughput": list(loads),
                        "servers": {s.name: {"startup_s": s.startup} for s in servers},
                        "rows": {}, "named": []}
        # The same answers from every server, or the comparison means nothing.
        for name, texts in cases.items():
            counts: dict[str, int | str] = {}
            for server in servers:
                client = Client(server.port)
                try:
                    total = 0
                    for text in texts:
                        status, body = client.get(client.request_bytes(server.target(text)))
                        if status != 200:
                            total = f"HTTP {status}"
                            break
                        total += rows(body)
                finally:
                    client.close()
                counts[server.name] = total
            agreed = len(set(map(str, counts.values()))) == 1
            report["rows"][name] = (next(iter(counts.values())) if len(texts) == 1 else None) \
                if agreed else counts
            if not agreed:
                print(f"warning: the servers disagree on {name}: {counts}")
        samples: dict[tuple[str, str], list[float]] = {}
        rates: dict[tuple[str, str], list[dict]] = {}
        for round_index in range(args.rounds):
            turn = round_index % max(1, len(servers))
            order = servers[turn:] + servers[:turn]
            for name, texts in cases.items():
                for server in order:
                    slow = server.name == "rdflib-endpoint" and name in (
                        "paragraphs (path)", "resolution-citations", "count by class")
                    result = latency(server, texts, max(5, args.requests // 20) if slow
                                     else args.requests)
                    if isinstance(result, str):
                        report["servers"][server.name][name] = result
                        print(f"round {round_index + 1} {server.name:16} {name:30} {result}")
                        continue
                    samples.setdefault((server.name, name), []).extend(result)
                    print(f"round {round_index + 1} {server.name:16} {name:30} median "
                          f"{_ms(statistics.median(result))} ms", flush=True)
            for name, texts in loads.items():
                for server in order:
                    rate = throughput(pool, args.clients, server, texts, args.seconds)
                    rates.setdefault((server.name, name), []).append(rate)
                    print(f"round {round_index + 1} {server.name:16} throughput, {name}: "
                          f"{rate['rps']:,.0f} requests/s"
                          + (f", server CPU {rate['cpu_us']:.0f} µs a request"
                             if "cpu_us" in rate else ""), flush=True)
        for (server_name, name), times in samples.items():
            times.sort()
            report["servers"][server_name][name] = {
                "median_s": statistics.median(times),
                "p95_s": times[int(0.95 * (len(times) - 1))], "requests": len(times)}
        for (server_name, name), runs in rates.items():
            found = {"rps": statistics.median(r["rps"] for r in runs),
                     "rounds_rps": [round(r["rps"]) for r in runs],
                     "failed": sum(r["failed"] for r in runs)}
            cpu = [r["cpu_us"] for r in runs if "cpu_us" in r]
            if cpu:
                found["cpu_us"] = statistics.median(cpu)
            report["servers"][server_name]["throughput: " + name] = found
        for server in servers:
            server.stop()
        servers.clear()
        print()
        print(table(report))
        print()
        if not args.no_named:
            for name, seconds, count in named_queries(graph, resolution):
                report["named"].append({"query": name, "seconds": seconds, "rows": count})
                print(f"named {name:40} {seconds:7.3f} s {count:8} rows")
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
        return 0
    finally:
        pool.terminate()
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
