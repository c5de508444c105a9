"""``lexgraph push``: load a lexgraph store or RDF files into any SPARQL 1.1 server.

A lexgraph store keeps one named graph per source document, so the unit of transfer is the
graph: each one is serialized on its own (never the whole store at once) and sent in one of
three ways, since servers differ in what they accept:

==========  ==================================================================================
``graph``   SPARQL 1.1 Graph Store HTTP Protocol: ``PUT URL?graph=IRI`` (``?default`` for the
            default graph) with an N-Triples body, one request per graph. PUT replaces the
            graph, so a retried request or a second push never leaves duplicates.
            ``append=True`` sends POST, which adds to what the graph holds.
``dataset`` POST N-Quads, ``batch_size`` graphs a request, to a dataset endpoint (Oxigraph's
            ``/store``, Fuseki's dataset URL). This always adds: graphs are not emptied first.
``update``  SPARQL 1.1 Update, ``batch_size`` graphs a request, each as ``DROP SILENT GRAPH``
            then ``INSERT DATA``, for servers without the Graph Store Protocol. The default
            graph is only inserted into, never dropped: on servers whose default graph is the
            union of all graphs, dropping it could empty everything.
==========  ==================================================================================

Requests that fail for reasons that pass (no connection, a time-out, 408, 425, 429, 500, 502,
503, 504) are retried with exponential back-off, or after the ``Retry-After`` the server asks
for; any other refusal stops the push at once with a :class:`PushError` that names the URL, the
status and the server's first line of explanation.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import http.client
import os
import re
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from .errors import EXIT_OK, InputError, LexgraphError
from .iris import BOOKKEEPING_GRAPH

__all__ = ["MODES", "GraphPlan", "PushError", "PushReport", "open_sources", "plan", "push"]

MODES = ("graph", "dataset", "update")
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 120.0  # seconds: a server asking for longer is waited on for this long only
PASSWORD_VARIABLE = "LEXGRAPH_PUSH_PASSWORD"
DEFAULT_GRAPH_LABEL = "(default graph)"
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_sleep = time.sleep  # the tests replace it to see the back-off without waiting for it

Source = Any  # a path (str or os.PathLike) or a pyoxigraph.Store


class PushError(LexgraphError):
    """The server refused a request, or could not be reached after the retries."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(f"{url}: {message}")


@dataclass(frozen=True, slots=True)
class PushReport:
    """What a push did: graphs and triples sent, successful requests, retries, wall time."""

    graphs: int
    triples: int
    requests: int
    retries: int
    seconds: float


@dataclass(frozen=True, slots=True)
class GraphPlan:
    """One graph a push sends: its IRI (``None`` for the default graph) and its size."""

    name: str | None
    triples: int

    @property
    def label(self) -> str:
        return DEFAULT_GRAPH_LABEL if self.name is None else self.name


# --------------------------------------------------------------------------------------------
# Sources


def open_sources(sources: Source | Sequence[Source], *, input_format: str | None = None
                 ) -> list[Any]:
    """Paths and stores -> pyoxigraph stores, ready to be read.

    A folder is opened read-only as an on-disk store, in place; RDF files are loaded together
    into one store in memory (files are small next to a corpus store). A store passes through.
    """
    import pyoxigraph as ox

    from .queries import load_rdf_file

    items = [sources] if isinstance(sources, (str, os.PathLike, ox.Store)) else list(sources)
    stores: list[Any] = []
    files: list[Path] = []
    for item in items:
        if isinstance(item, ox.Store):
            stores.append(item)
            continue
        path = Path(item)
        if path.is_dir():
            stores.append(open_store_folder(path))
        elif not path.exists():
            raise InputError("no such file", path=str(path))
        else:
            files.append(path)
    if files:
        memory = ox.Store()
        for path in files:
            load_rdf_file(memory, path, input_format)
        stores.append(memory)
    return stores


def open_store_folder(path: str | Path) -> Any:
    """Open a lexgraph store folder read-only, with a one-line error for anything else."""
    import pyoxigraph as ox

    path = Path(path)
    if not path.exists():
        raise InputError("no such store folder", path=str(path))
    if not path.is_dir():
        raise InputError("not a folder (give RDF files without --store)", path=str(path))
    try:
        return ox.Store.read_only(str(path))
    except OSError as error:
        reason = " ".join(str(error).split())
        if "CURRENT" in reason or isinstance(error, FileNotFoundError):
            raise InputError("not a lexgraph store (no Oxigraph database in this folder)",
                             path=str(path)) from None
        raise InputError(f"cannot open the store: {reason[:200]}", path=str(path)) from None


def _graph_names(stores: Sequence[Any], with_bookkeeping: bool) -> dict[Any, list[Any]]:
    """Every graph of the stores -> the stores that hold it; the default graph first, then
    named graphs by IRI, so pushes are repeatable and dry runs read well."""
    import pyoxigraph as ox

    found: dict[Any, list[Any]] = {}
    default = ox.DefaultGraph()
    bookkeeping = ox.NamedNode(BOOKKEEPING_GRAPH)
    for store in stores:
        if next(iter(store.quads_for_pattern(None, None, None, default)), None) is not None:
            found.setdefault(default, []).append(store)
        for name in store.named_graphs():
            if name == bookkeeping and not with_bookkeeping:
                continue
            found.setdefault(name, []).append(store)
    ordered = sorted(found, key=lambda g: (not isinstance(g, ox.DefaultGraph),
                                           isinstance(g, ox.BlankNode), getattr(g, "value", "")))
    return {name: found[name] for name in ordered}


def _triples(name: Any, stores: Sequence[Any]) -> Iterator[Any]:
    """The triples of one graph, read lazily; a graph found in several sources is merged."""
    quads = (quad for store in stores for quad in store.quads_for_pattern(None, None, None, name))
    if len(stores) == 1:
        return (quad.triple for quad in quads)
    return iter(dict.fromkeys(quad.triple for quad in quads))


def _iri(name: Any) -> str | None:
    """The IRI of a named graph; ``None`` for the default graph."""
    import pyoxigraph as ox

    return name.value if isinstance(name, ox.NamedNode) else None


def _name(name: Any) -> str | None:
    """How a graph is shown: its IRI, ``_:id`` for a blank node, ``None`` for the default."""
    import pyoxigraph as ox

    if isinstance(name, ox.BlankNode):
        return f"_:{name.value}"
    return _iri(name)


def plan(store_or_sources: Source | Sequence[Source], *, with_bookkeeping: bool = False,
         input_format: str | None = None) -> list[GraphPlan]:
    """What a push would send, graph by graph, without contacting any server."""
    stores = open_sources(store_or_sources, input_format=input_format)
    return [GraphPlan(_name(name), sum(1 for _ in _triples(name, holders)))
            for name, holders in _graph_names(stores, with_bookkeeping).items()]


# --------------------------------------------------------------------------------------------
# HTTP


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """urllib turns a redirected POST into a GET without its body; refuse redirects instead."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:
        return None


class _Retry(Exception):
    """A failure worth another try: ``reason`` for the message, ``after`` from Retry-After."""

    def __init__(self, reason: str, *, status: int | None = None,
                 after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.after = after


def _split_endpoint(endpoint: str) -> tuple[str, str | None]:
    """Check the endpoint; return it without ``user:password@`` and those credentials."""
    parts = urllib.parse.urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--endpoint wants an http(s) URL such as "
                         f"http://127.0.0.1:7878/store, not {endpoint!r}")
    try:
        _ = parts.port
    except ValueError:
        raise ValueError(f"--endpoint has a malformed port: {endpoint!r}") from None
    credentials = None
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, netloc = netloc.rpartition("@")
        credentials = urllib.parse.unquote(userinfo)
    clean = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    return clean, credentials


def _graph_url(endpoint: str, name: str | None) -> str:
    joiner = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    if name is None:
        return f"{endpoint}{joiner}default"
    return f"{endpoint}{joiner}graph={urllib.parse.quote(name, safe='')}"


def _first_line(body: bytes) -> str:
    """The first line of a server's explanation, tags of an HTML error page left out."""
    text = body.decode("utf-8", errors="replace")
    if re.search(r"<(?:!doctype|html|body|h1|p)\b", text[:2000], re.IGNORECASE):
        text = re.sub(r"(?is)<(script|style|title)\b.*?</\1>", " ", text)
        text = re.sub(r"(?s)<[^>]*>", "\n", text)
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= 200 else line[:197] + "..."
    return "(no explanation given)"


def _retry_after(value: str | None) -> float | None:
    if value is None or not value.strip().isdigit():
        return None  # an HTTP date or nonsense: fall back to the back-off
    return min(float(value.strip()), MAX_RETRY_AFTER)


def _status(code: int, reason: str | None) -> str:
    if not reason:
        try:
            reason = HTTPStatus(code).phrase
        except ValueError:
            reason = ""
    return f"{code} {reason}".strip()


def _reason(error: BaseException) -> str:
    """Why a connection failed, in the operating system's words."""
    cause: Any = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(cause, TimeoutError) or "timed out" in str(cause):
        return "timed out"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    text = " ".join(str(cause).split())
    return text or type(cause).__name__


class _Client:
    """Sends one request at a time, with retries; counts requests and retries."""

    def __init__(self, *, headers: Mapping[str, str], timeout: float, retries: int,
                 backoff: float) -> None:
        self.headers = dict(headers)
        self.timeout = timeout
        self.max_retries = retries
        self.backoff = backoff
        self.requests = 0
        self.retries = 0
        self.opener = urllib.request.build_opener(_NoRedirect())

    def send(self, method: str, url: str, body: bytes, content_type: str) -> None:
        attempt = 0
        while True:
            try:
                self._once(method, url, body, content_type)
            except _Retry as problem:
                if attempt >= self.max_retries:
                    tries = f" after {attempt} retr{'y' if attempt == 1 else 'ies'}" \
                        if attempt else ""
                    if problem.status is None:
                        raise PushError(f"cannot reach the server ({problem.reason}){tries}",
                                        url=url) from None
                    raise PushError(f"server unavailable ({problem.reason}){tries}", url=url,
                                    status=problem.status) from None
                delay = problem.after if problem.after is not None \
                    else self.backoff * (2 ** attempt)
                _sleep(delay)
                attempt += 1
                self.retries += 1
                continue
            self.requests += 1
            return

    def _once(self, method: str, url: str, body: bytes, content_type: str) -> None:
        request = urllib.request.Request(url, data=body, method=method,
                                         headers={**self.headers, "Content-Type": content_type})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            try:
                detail = error.read(64 * 1024)
            except (OSError, http.client.HTTPException):
                detail = b""
            finally:
                error.close()
            status = _status(error.code, error.reason if isinstance(error.reason, str) else None)
            if error.code in RETRY_STATUSES:
                raise _Retry(f"{status}: {_first_line(detail)}" if detail else status,
                             status=error.code,
                             after=_retry_after(error.headers.get("Retry-After"))) from None
            if 300 <= error.code < 400:
                location = error.headers.get("Location")
                where = f" to {location}; give that URL as --endpoint" if location else ""
                raise PushError(f"server redirected ({status}){where}", url=url,
                                status=error.code) from None
            hint = ""
            if error.code == 401 and "Authorization" not in self.headers:
                hint = " (give --user or an Authorization --header)"
            raise PushError(f"server refused ({status}): {_first_line(detail)}{hint}", url=url,
                            status=error.code) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, ssl.SSLCertVerificationError):
                raise PushError(f"TLS certificate not trusted ({error.reason.verify_message})",
                                url=url) from None
            raise _Retry(_reason(error)) from None
        except (OSError, http.client.HTTPException) as error:
            raise _Retry(_reason(error)) from None


def _auth_header(user: str | tuple[str, str]) -> str:
    if isinstance(user, tuple):
        name, password = user
    else:
        name, sep, password = user.partition(":")
        if not sep:
            password = os.environ.get(PASSWORD_VARIABLE, "")
            if not password and sys.stdin.isatty():
                password = getpass.getpass(f"password for {name}: ")
            if not password:
                raise ValueError(f"--user wants USER:PASSWORD, or USER with the password in "
                                 f"${PASSWORD_VARIABLE}")
    token = base64.b64encode(f"{name}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def parse_header(text: str) -> tuple[str, str]:
    """``'Name: value'`` -> (name, value), refusing what would break the request."""
    name, sep, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not sep or not _HEADER_NAME.match(name) or "\r" in value or "\n" in value:
        raise ValueError(f"--header wants 'Name: value', got {text!r}")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(f"--header {name}: HTTP header values are Latin-1 text") from None
    return name, value


# --------------------------------------------------------------------------------------------
# Pushing


def _serialize(triples: Iterable[Any], counter: list[int]) -> bytes:
    """N-Triples of ``triples``, counting them into ``counter[0]`` on the way."""
    import pyoxigraph as ox

    def counted() -> Iterator[Any]:
        for triple in triples:
            counter[0] += 1
            yield triple

    return ox.serialize(counted(), format=ox.RdfFormat.N_TRIPLES) or b""


def _serialize_quads(batch: Sequence[tuple[Any, list[Any]]], counter: list[int]) -> bytes:
    import pyoxigraph as ox

    def quads() -> Iterator[Any]:
        for name, holders in batch:
            if len(holders) == 1:  # the store's own quads, as they are
                for quad in holders[0].quads_for_pattern(None, None, None, name):
                    counter[0] += 1
                    yield quad
                continue
            for triple in _triples(name, holders):
                counter[0] += 1
                yield ox.Quad(triple.subject, triple.predicate, triple.object, name)

    return ox.serialize(quads(), format=ox.RdfFormat.N_QUADS) or b""


def _update_body(batch: Sequence[tuple[Any, list[Any]]], counter: list[int], append: bool
                 ) -> bytes:
    """``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { ... } }`` for each graph.

    N-Triples is valid inside ``INSERT DATA``: its escapes are SPARQL's too, so literals with
    quotes, backslashes and new lines arrive as they left.
    """
    operations = []
    for name, holders in batch:
        data = _serialize(_triples(name, holders), counter)
        iri = _iri(name)
        if iri is None:
            operations.append(b"INSERT DATA {\n" + data + b"}")
            continue
        graph = f"<{iri}>".encode()
        insert = b"INSERT DATA { GRAPH " + graph + b" {\n" + data + b"} }"
        operations.append(insert if append else b"DROP SILENT GRAPH " + graph + b" ;\n" + insert)
    return b" ;\n".join(operations) + b"\n"


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def push(store_or_sources: Source | Sequence[Source], endpoint: str, *, mode: str = "graph",
         append: bool = False, batch_size: int = 100, retries: int = 3, timeout: float = 60.0,
         headers: Mapping[str, str] | Sequence[tuple[str, str]] = (),
         user: str | tuple[str, str] | None = None, with_bookkeeping: bool = False,
         input_format: str | None = None, dry_run: bool = False, backoff: float = 0.5,
         progress: Callable[[int, int, int], None] | None = None) -> PushReport:
    """Send every graph of a store (or of RDF files) to a SPARQL 1.1 server.

    ``store_or_sources``: a pyoxigraph ``Store``, a store folder, RDF files, or a list of them.
    ``endpoint``: the Graph Store endpoint (``mode="graph"``), a dataset endpoint that takes
    N-Quads (``"dataset"``) or the update endpoint (``"update"``). ``user`` is
    ``"USER:PASSWORD"`` or a pair, sent as HTTP basic authentication; ``headers`` go with every
    request. ``backoff`` is the first delay between retries, doubled each time. ``progress``
    is called after each request with (graphs done, graphs in all, triples so far).

    The bookkeeping graph of a lexgraph store stays behind unless ``with_bookkeeping``: it
    describes the files on this machine, not the documents.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    if batch_size < 1:
        raise ValueError("--batch-size must be 1 or more")
    if retries < 0:
        raise ValueError("--retries must be 0 or more")
    if timeout <= 0:
        raise ValueError("--timeout must be more than 0 seconds")
    url, credentials = _split_endpoint(endpoint)
    extra = dict(headers.items()) if isinstance(headers, Mapping) else dict(headers)
    if user is None and credentials is not None:
        user = credentials
    if user is not None:
        if any(name.lower() == "authorization" for name in extra):
            raise ValueError("give --user or an Authorization header, not both")
        extra["Authorization"] = _auth_header(user)
    started = time.monotonic()
    stores = open_sources(store_or_sources, input_format=input_format)
    graphs = list(_graph_names(stores, with_bookkeeping).items())
    if mode in ("graph", "update"):
        import pyoxigraph as ox

        for name, _ in graphs:
            if isinstance(name, ox.BlankNode):
                protocol = "the Graph Store Protocol" if mode == "graph" else "SPARQL Update"
                raise InputError(f"graph {name} is named by a blank node, which {protocol} "
                                 "cannot address; push with --mode dataset")
    if dry_run:
        total = sum(sum(1 for _ in _triples(name, holders)) for name, holders in graphs)
        return PushReport(len(graphs), total, 0, 0, time.monotonic() - started)
    client = _Client(headers=extra, timeout=timeout, retries=retries, backoff=backoff)
    counter = [0]
    done = 0
    if mode == "graph":
        method = "POST" if append else "PUT"
        for name, holders in graphs:
            body = _serialize(_triples(name, holders), counter)
            client.send(method, _graph_url(url, _iri(name)), body, "application/n-triples")
            done += 1
            if progress:
                progress(done, len(graphs), counter[0])
    else:
        for batch in _batches(graphs, batch_size):
            if mode == "dataset":
                client.send("POST", url, _serialize_quads(batch, counter), "application/n-quads")
            else:
                client.send("POST", url, _update_body(batch, counter, append),
                            "application/sparql-update")
            done += len(batch)
            if progress:
                progress(done, len(graphs), counter[0])
    return PushReport(len(graphs), counter[0], client.requests, client.retries,
                      time.monotonic() - started)


# --------------------------------------------------------------------------------------------
# Command line: ``lexgraph push``


def register_cli(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "push", help="load a store or RDF files into a SPARQL 1.1 server",
        description="Send every named graph of a lexgraph store (and of RDF files) to a SPARQL "
        "1.1 server, one graph at a time: as Graph Store Protocol PUTs (graph), N-Quads POSTs "
        "(dataset) or SPARQL Update requests (update).",
        epilog="graph mode replaces each graph, so pushing twice never duplicates; dataset "
        "mode and --append add to what the server holds. Failed connections, time-outs and "
        "408/425/429/5xx answers are retried; any other refusal stops at once (exit 2). The "
        f"password of --user USER is read from ${PASSWORD_VARIABLE} or asked for.")
    parser.add_argument("sources", nargs="*", metavar="FILE",
                        help="RDF files (.ttl .nt .nq .trig .jsonld .rdf); a .ttl goes to the "
                        "default graph, the graphs of a .trig or .nq to their own graphs")
    parser.add_argument("--store", metavar="DIR", help="a lexgraph store folder (read-only)")
    parser.add_argument("--endpoint", required=True, metavar="URL",
                        help="graph: the Graph Store endpoint (e.g. http://127.0.0.1:7878/store)"
                        "; dataset: an endpoint taking N-Quads; update: the update endpoint")
    parser.add_argument("--mode", choices=MODES, default="graph",
                        help="graph (default): PUT each graph; dataset: POST N-Quads in batches;"
                        " update: SPARQL Update in batches")
    parser.add_argument("--append", action="store_true",
                        help="add to the server's graphs instead of replacing them (graph: POST "
                        "instead of PUT; update: no DROP)")
    parser.add_argument("--batch-size", type=int, default=100, metavar="N",
                        help="graphs per request in dataset and update modes (default 100)")
    parser.add_argument("--retries", type=int, default=3, metavar="N",
                        help="retries of a failed request, waiting 0.5 s, 1 s, 2 s, ... or what "
                        "Retry-After says (default 3)")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="give up on an unanswered request after this long (default 60)")
    parser.add_argument("--header", action="append", default=[], metavar="'Name: value'",
                        help="send this header with every request (repeatable), e.g. "
                        "'Authorization: Bearer TOKEN'")
    parser.add_argument("--user", metavar="USER:PASSWORD",
                        help="HTTP basic authentication")
    parser.add_argument("--with-bookkeeping", action="store_true",
                        help="also push the store's bookkeeping graph "
                        f"({BOOKKEEPING_GRAPH})")
    parser.add_argument("-i", "--input-format",
                        help="RDF format of the FILEs, if their names do not tell")
    parser.add_argument("--dry-run", action="store_true",
                        help="list the graphs and triple counts that would be sent; send nothing")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no summary and no progress on stderr")
    parser.set_defaults(func=_cmd_push)


def _shown(url: str) -> str:
    return _split_endpoint(url)[0]


def _cmd_push(args: argparse.Namespace) -> int:
    if not args.sources and not args.store:
        raise ValueError("nothing to push: give --store DIR or RDF files")
    endpoint = _shown(args.endpoint)  # a malformed URL is refused before any source is read
    headers = [parse_header(text) for text in args.header]
    sources: list[Source] = []
    if args.store:
        sources.append(open_store_folder(args.store))
    for name in args.sources:
        path = Path(name)
        if path.is_dir():
            sources.append(open_store_folder(path))
        elif not path.exists():
            raise InputError("no such file", path=name)
        else:
            sources.append(path)
    if args.dry_run:
        graphs = plan(sources, with_bookkeeping=args.with_bookkeeping,
                      input_format=args.input_format)
        for graph in graphs:
            sys.stdout.write(f"{graph.label}\t{graph.triples}\n")
        if not args.quiet:
            total = sum(graph.triples for graph in graphs)
            sys.stderr.write(f"would push {len(graphs):,} graph(s), {total:,} triple(s) to "
                             f"{endpoint} ({args.mode} mode); nothing sent\n")
        return EXIT_OK
    show_progress = not args.quiet and sys.stderr.isatty()

    def progress(done: int, total: int, triples: int) -> None:
        sys.stderr.write(f"\rpushing: {done:,}/{total:,} graph(s), {triples:,} triple(s)")
        sys.stderr.flush()

    try:
        report = push(sources, args.endpoint, mode=args.mode, append=args.append,
                      batch_size=args.batch_size, retries=args.retries, timeout=args.timeout,
                      headers=headers, user=args.user, with_bookkeeping=args.with_bookkeeping,
                      input_format=args.input_format,
                      progress=progress if show_progress else None)
    finally:
        if show_progress:
            sys.stderr.write("\r\x1b[K")
    if not args.quiet:
        retries = f"{report.retries} retr{'y' if report.retries == 1 else 'ies'}"
        sys.stderr.write(f"pushed {report.graphs:,} graph(s), {report.triples:,} triple(s) to "
                         f"{endpoint} in {report.seconds:.1f} s ({retries})\n")
    return EXIT_OK
