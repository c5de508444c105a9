"""``lexgraph serve``: a SPARQL 1.1 Protocol endpoint over a pyoxigraph store, with a query page.

=================  ==========================================================================
``/``              the query page: write and run queries, the named queries as examples
``/sparql``        SPARQL 1.1 Protocol, queries: GET, POST form, POST direct; a service
                   description on a GET without a query
``/update``        SPARQL 1.1 Update (only with ``--update``): POST form or direct
``/store``         SPARQL 1.1 Graph Store HTTP Protocol: GET and HEAD always; PUT, POST and
                   DELETE only with ``--update``
``/queries``       the named queries as JSON; ``/queries/NAME?param=value`` runs one
=================  ==========================================================================

On a read-only store built by ``lexgraph build --store`` whose statistics are current,
``/queries/NAME`` answers from the query's store form (``queries/store/``), sorted as the query
asks, like ``lexgraph query --store``: the same rows, without counting the corpus again. With
``--update`` (writes would leave the counts behind), ``--union-default-graph`` or a dataset in
the request, it runs the query as written.

Results are negotiated from ``Accept`` (or a ``format`` parameter): SPARQL JSON, XML, CSV and
TSV for ``SELECT`` and ``ASK``; Turtle, N-Triples, JSON-LD and RDF/XML for ``CONSTRUCT`` and
``DESCRIBE``. ``$name=value`` request parameters bind query variables through the engine.

What keeps a public endpoint safe: read-only unless started with ``--update`` (and then, with
``--update-token``, writes need ``Authorization: Bearer TOKEN``); ``SERVICE`` and ``LOAD`` are
refused, so a query cannot make the server call other hosts or read its files; a per-request
time limit and a result-size limit answer with an error instead of running on.

A read-only endpoint keeps the answers of repeated queries (``--cache``, bounded in bytes,
least recently used dropped first): the data does not change, so neither do they.

On POSIX the server is a supervisor with pre-forked worker processes that share the loaded
store: a worker whose query outlives the time limit answers 503, stops taking requests, and is
replaced, so a runaway query is really stopped (pyoxigraph cannot cancel one in process). A new
connection goes to the worker holding the fewest, so keep-alive clients spread evenly.
Without ``fork`` (or with ``--workers 0``) it serves from threads of one process, and a query
past the limit is answered with 503 but finishes in the background.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import gc
import hmac
import json
import mmap
import os
import re
import shutil
import signal
import socket
import socketserver
import struct
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple

from .errors import EXIT_OK, InputError
from .queries import (
    NamedQuery,
    _prologue_prefixes,
    _statistics_current,
    format_result,
    list_queries,
    parse_term,
    run_query,
    sparql_keywords,
    sparql_tokens,
    to_oxigraph,
)

WEB_DIR = Path(__file__).resolve().parent / "web"
DEFAULT_BIND = "127.0.0.1:7878"
MAX_QUERY_BODY = 16 * 1024 * 1024  # a query or update request body
MAX_STORE_BODY = 1024 * 1024 * 1024  # a Graph Store upload
STATIC_FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
}
PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


class HttpError(Exception):
    """An error answered to the client with ``status`` and a one-line text ``message``."""

    def __init__(self, status: int, message: str, headers: Sequence[tuple[str, str]] = ()):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = list(headers)


@dataclass
class Options:
    """How the endpoint behaves (``lexgraph serve`` flags)."""

    timeout: float = 30.0  # seconds a request may run
    max_result_bytes: int = 100 * 1024 * 1024
    update: bool = False
    update_token: str | None = None
    cors: tuple[str, ...] = ()  # allowed origins; ("*",) for any
    allow_service: bool = False  # SERVICE and LOAD of http(s) IRIs
    union_default_graph: bool = False
    named_queries: bool = True
    cache_bytes: int = 64 * 1024 * 1024  # answers kept for repeated queries; 0: none


@dataclass
class Request:
    method: str
    path: str
    query_string: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    base: str  # "http://host:port"


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Formats and content negotiation

@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a cheap cache key
class _Format:
    name: str
    media_type: str
    aliases: tuple[str, ...]
    ox: str  # attribute of pyoxigraph.QueryResultsFormat or RdfFormat


RESULT_FORMATS = (
    _Format("json", "application/sparql-results+json", ("application/json",), "JSON"),
    _Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), "XML"),
    _Format("csv", "text/csv", (), "CSV"),
    _Format("tsv", "text/tab-separated-values", ("text/tsv",), "TSV"),
)
GRAPH_FORMATS = (
    _Format("turtle", "text/turtle", ("application/x-turtle",), "TURTLE"),
    _Format("nt", "application/n-triples", ("text/plain",), "N_TRIPLES"),
    _Format("jsonld", "application/ld+json", (), "JSON_LD"),
    _Format("rdfxml", "application/rdf+xml", (), "RDF_XML"),
)
DATASET_FORMATS = (
    _Format("nquads", "application/n-quads", (), "N_QUADS"),
    _Format("trig", "application/trig", (), "TRIG"),
)
ASK_FORMATS = RESULT_FORMATS[:2]
_FORMAT_IRIS = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML",
                "csv": "SPARQL_Results_CSV", "tsv": "SPARQL_Results_TSV", "turtle": "Turtle",
                "nt": "N-Triples", "jsonld": "JSON-LD", "rdfxml": "RDF_XML"}


def _parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """``Accept`` -> [(media range, q, position)], best first."""
    ranges = []
    for position, part in enumerate((header or "*/*").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media, q, position))
    return ranges


_NEGOTIATED: dict[tuple[Any, ...], Any] = {}  # (accept, formats, requested) -> _Format | None
_NEGOTIATED_MAX = 512


def negotiate(accept: str | None, formats: Sequence[_Format], requested: str | None = None
              ) -> _Format | None:
    """The format to answer with: a ``format`` parameter wins, then the best ``Accept`` match,
    ties going to the order of ``formats``; ``None`` when nothing acceptable is on offer.

    Clients send the same few ``Accept`` headers again and again: the answers are kept (a
    bounded number of them, for headers of a usual length)."""
    if len(accept or "") + len(requested or "") > 512:
        return _negotiate(accept, formats, requested)
    key = (accept, tuple(formats), requested)
    found = _NEGOTIATED.get(key, key)
    if found is not key:
        return found
    chosen = _negotiate(accept, formats, requested)
    if len(_NEGOTIATED) >= _NEGOTIATED_MAX:
        _NEGOTIATED.clear()
    _NEGOTIATED[key] = chosen
    return chosen


def _negotiate(accept: str | None, formats: Sequence[_Format], requested: str | None
               ) -> _Format | None:
    if requested:
        for fmt in formats:
            if requested.lower() in (fmt.name, fmt.media_type, *fmt.aliases):
                return fmt
        return None
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for index, fmt in enumerate(formats):
        for media, q, position in _parse_accept(accept):
            kind = media.split("/")[0]
            if media in (fmt.media_type, *fmt.aliases):
                specificity = 2
            elif media == f"{kind}/*" and fmt.media_type.startswith(f"{kind}/"):
                specificity = 1
            elif media == "*/*":
                specificity = 0
            else:
                continue
            if q <= 0:
                continue
            key = (q, specificity, -position, -index)
            if best is None or key > best:
                best, chosen = key, fmt
    return chosen


def _mime(fmt: _Format) -> str:
    text = fmt.media_type.startswith("text/") or fmt.name in ("json", "jsonld", "nt")
    return f"{fmt.media_type}; charset=utf-8" if text else fmt.media_type


# --------------------------------------------------------------------------------------------
# Request parameters

def _unquote(text: str) -> str:
    """``urllib.parse.unquote(text, errors="strict")``, in C for ASCII text: the query of a GET
    is all percent escapes, and urllib decodes them one by one in Python."""
    if "%" not in text:
        return text
    if text.isascii() and _escape_decode is not None:
        try:
            raw = _escape_decode(text.replace("\\", "\\\\").replace("%", "\\x")
                                 .encode("ascii"))[0]
        except ValueError:  # a % without two hex digits, which urllib keeps as it is
            pass
        else:
            return raw.decode("utf-8")  # UnicodeDecodeError like urllib's errors="strict"
    return urllib.parse.unquote(text, errors="strict")


_escape_decode = getattr(codecs, "escape_decode", None)


def parse_qs(text: str) -> dict[str, list[str]]:
    """``urllib.parse.parse_qs(text, keep_blank_values=True, errors="strict")``, faster.

    >>> parse_qs("query=ASK%20%7B%7D&default-graph-uri=&x")
    {'query': ['ASK {}'], 'default-graph-uri': [''], 'x': ['']}
    """
    params: dict[str, list[str]] = {}
    for pair in text.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            params.setdefault(_unquote(name.replace("+", " ")), []).append(
                _unquote(value.replace("+", " ")))
    return params


# --------------------------------------------------------------------------------------------
# Writing results under a size and time limit

class _LimitExceeded(Exception):
    pass


class _Deadline(Exception):
    pass


class _BoundedBuffer:
    """A binary writer that refuses to grow past ``limit`` bytes or past ``deadline``."""

    def __init__(self, limit: int, deadline: float) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit
        self.deadline = deadline

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _LimitExceeded
        if time.monotonic() > self.deadline:
            raise _Deadline
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


# --------------------------------------------------------------------------------------------
# Answers kept for repeated queries

class CacheInfo(NamedTuple):
    hits: int
    misses: int
    bytes: int  # charged to the budget: the bodies and the query texts
    entries: int
    budget: int


class ResultCache:
    """Serialized answers of queries on data that does not change, bounded in bytes, the least
    recently used dropped first.

    Clients ask the same questions again and again (a query page's examples, a dashboard's
    counts); the answer is the same bytes as long as the data is, so the engine need not run.
    Thread-safe: the lock is held only for the dictionary, never while a query runs.

    >>> cache = ResultCache(100)
    >>> cache.put("q", b"answer", "text/csv")
    True
    >>> cache.get("q"), cache.get("other")
    ((b'answer', 'text/csv'), None)
    >>> cache.info()
    CacheInfo(hits=1, misses=1, bytes=6, entries=1, budget=100)
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.entries: OrderedDict[Hashable, tuple[bytes, str, int]] = OrderedDict()
        self.size = 0
        self.hits = 0
        self.misses = 0
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bytes, str] | None:
        """The body and media type kept for ``key``, now the most recently used; or None."""
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
        return found[0], found[1]

    def put(self, key: Hashable, body: bytes, media_type: str, charge: int | None = None
            ) -> bool:
        """Keep an answer, charged ``charge`` bytes (its body's size unless told), dropping the
        least recently used ones to make room. An answer over a quarter of the budget is not
        kept: one huge result would push out many small ones that are asked for more often."""
        cost = len(body) if charge is None else charge
        if cost > self.budget // 4:
            return False
        with self.lock:
            previous = self.entries.pop(key, None)
            if previous is not None:  # answered twice at once: keep the newer, count it once
                self.size -= previous[2]
            self.entries[key] = (body, media_type, cost)
            self.size += cost
            while self.size > self.budget:
                _, (_, _, dropped) = self.entries.popitem(last=False)
                self.size -= dropped
        return True

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0

    def info(self) -> CacheInfo:
        with self.lock:
            return CacheInfo(self.hits, self.misses, self.size, len(self.entries), self.budget)


# Functions whose value changes from one evaluation to the next: such answers are never kept.
NONDETERMINISTIC = frozenset({"NOW", "RAND", "UUID", "STRUUID", "BNODE"})
_FORMS = {"SELECT": RESULT_FORMATS, "ASK": ASK_FORMATS, "CONSTRUCT": GRAPH_FORMATS,
          "DESCRIBE": GRAPH_FORMATS}
_FORM_WORDS = frozenset(_FORMS)


# --------------------------------------------------------------------------------------------
# The protocol

class SparqlService:
    """The endpoint's logic: a :class:`Request` in, a :class:`Response` out."""

    def __init__(self, store: Any, options: Options | None = None, *,
                 sources: Sequence[str] = ()) -> None:
        import pyoxigraph

        self.ox = pyoxigraph
        self.store = store
        self.options = options or Options()
        self.sources = tuple(sources)
        self.write_lock = threading.Lock()
        self.generation = 0  # bumped by every write, so cached counts are redone
        self._description_cache: dict[tuple[int, str, str], bytes] = {}
        self._count_cache: tuple[int, int] | None = None
        self._queries = list_queries("select") if self.options.named_queries else []
        # Writes would make kept answers stale: an endpoint that takes them keeps none.
        self.cache = ResultCache(self.options.cache_bytes) \
            if self.options.cache_bytes > 0 and not self.options.update else None

    def cache_info(self) -> CacheInfo | None:
        """Hits, misses, bytes and entries of the result cache; None when there is none."""
        return self.cache.info() if self.cache is not None else None

    # -- dispatch ------------------------------------------------------------------------

    def handle(self, request: Request, deadline: float) -> Response:
        try:
            response = self._route(request, deadline)
        except HttpError as error:
            response = Response(error.status, (error.message + "\n").encode(),
                                "text/plain; charset=utf-8", error.headers)
        self._decorate(request, response)
        return response

    def _decorate(self, request: Request, response: Response) -> None:
        response.headers.append(("X-Content-Type-Options", "nosniff"))
        origin = request.headers.get("origin")
        allowed = self.options.cors
        if allowed and origin is not None:
            if "*" in allowed:
                response.headers.append(("Access-Control-Allow-Origin", "*"))
            elif origin in allowed:
                response.headers.append(("Access-Control-Allow-Origin", origin))
                response.headers.append(("Vary", "Origin"))

    def _route(self, request: Request, deadline: float) -> Response:
        path = request.path.rstrip("/") or "/"
        if request.method == "OPTIONS":
            return self._options(request)
        if path == "/sparql" or path == "/query":
            return self._query_endpoint(request, deadline)
        if path == "/update":
            return self._update_endpoint(request, deadline)
        if path == "/store":
            return self._store_endpoint(request, deadline)
        if path == "/queries" or path.startswith("/queries/"):
            return self._named_endpoint(request, path, deadline)
        if request.path in STATIC_FILES:
            self._allow(request, ("GET", "HEAD"))
            name, media = STATIC_FILES[request.path]
            try:
                body = (WEB_DIR / name).read_bytes()
            except OSError:
                raise HttpError(404, f"{request.path}: the query page is not installed") from None
            headers = [("Cache-Control", "no-cache")]
            if name == "index.html":
                headers += [("Content-Security-Policy", PAGE_POLICY),
                            ("Referrer-Policy", "no-referrer")]
            return Response(200, body, media, headers)
        raise HttpError(404, f"no such resource: {request.path} (the SPARQL endpoint is /sparql)")

    def _options(self, request: Request) -> Response:
        methods = "GET, HEAD, POST, PUT, DELETE, OPTIONS" if self.options.update \
            else "GET, HEAD, POST, OPTIONS"
        response = Response(204, headers=[("Allow", methods)])
        if self.options.cors and request.headers.get("origin") is not None:
            response.headers += [
                ("Access-Control-Allow-Methods", methods),
                ("Access-Control-Allow-Headers", "Accept, Authorization, Content-Type"),
                ("Access-Control-Max-Age", "600")]
        return response

    @staticmethod
    def _allow(request: Request, methods: Sequence[str]) -> None:
        if request.method not in methods:
            raise HttpError(405, f"{request.method} is not allowed on {request.path}; use "
                            f"{' or '.join(methods)}", [("Allow", ", ".join(methods))])

    # -- request parameters ----------------------------------------------------------------

    @staticmethod
    def _media_type(request: Request) -> tuple[str, dict[str, str]]:
        raw = request.headers.get("content-type", "")
        media, *rest = [p.strip() for p in raw.split(";")] if raw else [""]
        params = {}
        for piece in rest:
            name, _, value = piece.partition("=")
            params[name.strip().lower()] = value.strip().strip('"')
        return media.lower(), params

    @staticmethod
    def _decode(data: bytes, charset: str | None, what: str) -> str:
        if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise HttpError(415, f"the {what} must be UTF-8, not {charset}")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(400, f"the {what} is not valid UTF-8") from None

    def _params(self, request: Request, direct_type: str | None) -> tuple[dict[str, list[str]],
                                                                           str | None]:
        """The protocol parameters (URL and form body merged), and a directly posted body."""
        def parse(text: str) -> dict[str, list[str]]:
            try:
                return parse_qs(text)
            except UnicodeDecodeError:
                raise HttpError(400, "the request parameters are not valid UTF-8") from None

        params = parse(request.query_string)
        direct = None
        if request.method == "POST":
            media, extra = self._media_type(request)
            if media == "application/x-www-form-urlencoded":
                form = parse(self._decode(request.body, extra.get("charset"), "form body"))
                for name, values in form.items():
                    params.setdefault(name, []).extend(values)
            elif direct_type is not None and media == direct_type:
                direct = self._decode(request.body, extra.get("charset"), "request body")
            elif not media:
                raise HttpError(415, "a POST needs a Content-Type: application/"
                                "x-www-form-urlencoded" + (f" or {direct_type}" if direct_type
                                                           else ""))
            else:
                raise HttpError(415, f"unsupported Content-Type {media}; use application/"
                                "x-www-form-urlencoded" + (f" or {direct_type}" if direct_type
                                                           else ""))
        return params, direct

    def _graphs(self, params: dict[str, list[str]], name: str) -> list[Any]:
        graphs = []
        for value in params.get(name, []):
            try:
                graphs.append(self.ox.NamedNode(value))
            except ValueError:
                raise HttpError(400, f"{name} is not a valid IRI: {value!r}") from None
        return graphs

    def _substitutions(self, params: dict[str, list[str]], query_text: str,
                       named: NamedQuery | None = None) -> dict[Any, Any]:
        if named is None and not any(key.startswith("$") for key in params):
            return {}
        prefixes = _prologue_prefixes(query_text)
        result = {}
        for key, values in params.items():
            plain = key[1:] if key.startswith("$") else key
            if not key.startswith("$") and (named is None or named.parameter(plain) is None):
                continue
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", plain):
                raise HttpError(400, f"not a variable name: {key!r}")
            if len(values) != 1:
                raise HttpError(400, f"{key} is given {len(values)} times")
            if values[0] == "" and not key.startswith("$"):
                continue  # an empty form field leaves the parameter free
            declared = named.parameter(plain) if named else None
            try:
                term = parse_term(values[0], type=declared.type if declared else "term",
                                  prefixes=prefixes)
            except ValueError as error:
                raise HttpError(400, f"{key}: {error}") from None
            result[self.ox.Variable(plain)] = to_oxigraph(term)
        return result

    def _refuse_remote(self, text: str, what: str) -> None:
        keywords = sparql_keywords(text)
        if "SERVICE" in keywords and not self.options.allow_service:
            raise HttpError(403, f"SERVICE (federated {what}) is disabled on this endpoint, so "
                            "that it never calls other hosts; start the server with "
                            "--allow-service to allow it")
        if "LOAD" in keywords:
            tokens = sparql_tokens(text)
            for index, token in enumerate(tokens):
                if token.kind != "word" or token.text.upper() != "LOAD":
                    continue
                following = [t for t in tokens[index + 1:index + 3] if t.kind == "iri"]
                iri = following[0].text[1:-1] if following else ""
                if not re.match(r"^https?://", iri, re.I):
                    raise HttpError(403, f"LOAD of {iri or 'that source'} is refused: the server "
                                    "never reads local files")
                if not self.options.allow_service:
                    raise HttpError(403, "LOAD is disabled on this endpoint, so that it never "
                                    "fetches other hosts; start the server with "
                                    "--allow-service to allow it")

    # -- /sparql -----------------------------------------------------------------------------

    def _query_endpoint(self, request: Request, deadline: float) -> Response:
        self._allow(request, ("GET", "HEAD", "POST"))
        params, direct = self._params(request, "application/sparql-query")
        if "update" in params:
            raise HttpError(400, "send updates to /update, not to the query endpoint")
        queries = params.get("query", [])
        if direct is not None:
            if queries:
                raise HttpError(400, "the query is both in the body and in a query parameter")
            queries = [direct]
        if len(queries) > 1:
            raise HttpError(400, f"one query per request, not {len(queries)}")
        if not queries:
            if request.method == "POST":
                raise HttpError(400, "no query: POST a query parameter or an "
                                "application/sparql-query body")
            return self._service_description(request, params)
        text = queries[0]
        if not text.strip():
            raise HttpError(400, "the query is empty")
        return self._run(request, text, params, deadline, self._substitutions(params, text))

    def _cache_key(self, request: Request, text: str, params: dict[str, list[str]],
                   substitutions: dict[Any, Any]) -> tuple[Any, ...] | None:
        """Everything that decides the answer's bytes, or None for a query not to keep.

        The format is the one negotiated for the query's form, so clients that send different
        ``Accept`` headers for the same format share an answer. A query whose form the keywords
        do not tell (a ``CONSTRUCT`` with a sub-``SELECT``) is keyed by its ``Accept`` header
        and ``format`` parameter instead."""
        keywords = sparql_keywords(text)
        if keywords & NONDETERMINISTIC:
            return None
        accept = request.headers.get("accept")
        requested = (params.get("format") or [None])[0]
        forms = keywords & _FORM_WORDS
        if len(forms) == 1:
            fmt = negotiate(accept, _FORMS[next(iter(forms))], requested)
            if fmt is None:
                return None  # answered 406 below
            negotiated: _Format | tuple[str | None, str | None] = fmt
        else:
            negotiated = (accept, requested)
        return (text, f"{request.base}{request.path}",
                tuple(params.get("default-graph-uri", ())),
                tuple(params.get("named-graph-uri", ())), self.options.union_default_graph,
                frozenset(substitutions.items()), negotiated)

    def _run(self, request: Request, text: str, params: dict[str, list[str]], deadline: float,
             substitutions: dict[Any, Any]) -> Response:
        # An answer kept for this key has passed every check below with the same text, graphs
        # and options: none of them can fail now.
        key, kept = self._kept_answer(request, text, params, substitutions)
        if kept is not None:
            return kept
        ox = self.ox
        self._refuse_remote(text, "query")
        default_graphs = self._graphs(params, "default-graph-uri")
        named_graphs = self._graphs(params, "named-graph-uri")
        options: dict[str, Any] = {"base_iri": f"{request.base}{request.path}"}
        if default_graphs or named_graphs:
            # A dataset in the request replaces the one in the query (FROM, FROM NAMED).
            options["default_graph"] = default_graphs or [ox.DefaultGraph()]
            options["named_graphs"] = named_graphs
        elif self.options.union_default_graph:
            options["use_default_graph_as_union"] = True
        if substitutions:
            options["substitutions"] = substitutions
        requested = (params.get("format") or [None])[0]
        try:
            result = self.store.query(text, **options)
        except SyntaxError as error:
            raise HttpError(400, f"SPARQL syntax error: {_one_line(error)}") from None
        except RuntimeError as error:
            message = _one_line(error)
            if "SELECT projection" in message:
                raise HttpError(400, f"cannot bind a variable the query does not select: "
                                f"{message}") from None
            raise HttpError(500, f"query failed: {message}") from None
        except OSError as error:
            raise HttpError(500, f"query failed: {_one_line(error)}") from None
        # pyoxigraph results belong to the thread that made them: drop them here, whatever
        # happens, rather than in whichever thread collects a traceback later.
        try:
            if isinstance(result, ox.QueryTriples):
                fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS, requested)
                if fmt is None:
                    raise self._not_acceptable(GRAPH_FORMATS)
                body = self._serialize(result, getattr(ox.RdfFormat, fmt.ox), deadline)
            else:
                offered = RESULT_FORMATS if isinstance(result, ox.QuerySolutions) \
                    else ASK_FORMATS
                fmt = negotiate(request.headers.get("accept"), offered, requested)
                if fmt is None:
                    raise self._not_acceptable(offered)
                body = self._serialize(result, getattr(ox.QueryResultsFormat, fmt.ox), deadline)
        finally:
            del result
        return self._answer(key, body, fmt, len(text), deadline)

    def _kept_answer(self, request: Request, text: str, params: dict[str, list[str]],
                     substitutions: dict[Any, Any]) -> tuple[Any, Response | None]:
        """The cache key of a query (None when nothing is kept) and its kept answer, if any."""
        if self.cache is None:
            return None, None
        key = self._cache_key(request, text, params, substitutions)
        found = self.cache.get(key) if key is not None else None
        if found is None:
            return key, None
        return key, Response(200, found[0], found[1], [("Vary", "Accept"), ("X-Cache", "hit")])

    def _answer(self, key: Any, body: bytes, fmt: _Format, text_size: int,
                deadline: float) -> Response:
        """The 200 response of a query, kept in the cache under ``key`` when it may be."""
        media_type = _mime(fmt)
        headers = [("Vary", "Accept")]
        if self.cache is not None:
            headers.append(("X-Cache", "miss"))
            # Not an answer finished past the time limit (the client may have had a 503), nor
            # one whose format the key guessed differently from the result.
            if key is not None and time.monotonic() <= deadline \
                    and (not isinstance(key[-1], _Format) or key[-1] is fmt):
                self.cache.put(key, body, media_type, len(body) + text_size)
        return Response(200, body, media_type, headers)

    @staticmethod
    def _not_acceptable(formats: Sequence[_Format]) -> HttpError:
        return HttpError(406, "none of the accepted media types can be produced; ask for "
                         + ", ".join(f.media_type for f in formats))

    def _serialize(self, result: Any, fmt: Any, deadline: float) -> bytes:
        buffer = _BoundedBuffer(self.options.max_result_bytes, deadline)
        try:
            result.serialize(buffer, fmt)
        except (_LimitExceeded, _Deadline, OSError) as error:
            del result  # see _run
            error.__traceback__ = None
            cause = error.__cause__ or error.__context__ or error
            if isinstance(error, _LimitExceeded) or isinstance(cause, _LimitExceeded) \
                    or buffer.size > buffer.limit:
                raise HttpError(422, f"the result is larger than this endpoint's limit of "
                                f"{_size(self.options.max_result_bytes)}; add a LIMIT or "
                                "narrow the query") from None
            if isinstance(error, _Deadline) or isinstance(cause, _Deadline) \
                    or time.monotonic() > deadline:
                raise HttpError(503, f"the query ran out of time (limit "
                                f"{self.options.timeout:g} s)") from None
            raise HttpError(500, f"query failed: {_one_line(error)}") from None
        except RuntimeError as error:
            del result
            raise HttpError(500, f"query failed: {_one_line(error)}") from None
        return buffer.getvalue()

    # -- service description -----------------------------------------------------------------

    def triple_count(self) -> int:
        cached = self._count_cache
        if cached is not None and cached[0] == self.generation:
            return cached[1]
        count = len(self.store)
        self._count_cache = (self.generation, count)
        return count

    def _service_description(self, request: Request, params: dict[str, list[str]]) -> Response:
        requested = (params.get("format") or [None])[0]
        accept = request.headers.get("accept")
        if requested is None and accept and negotiate(accept, GRAPH_FORMATS) is None \
                and "text/html" in accept:
            return Response(303, headers=[("Location", "/")])
        fmt = negotiate(accept, GRAPH_FORMATS, requested)
        if fmt is None:
            raise self._not_acceptable(GRAPH_FORMATS)
        endpoint = f"{request.base}/sparql"
        key = (self.generation, fmt.name, endpoint)
        if key not in self._description_cache:
            self._description_cache[key] = self._describe(endpoint, fmt)
        return Response(200, self._description_cache[key], _mime(fmt), [("Vary", "Accept")])

    def _describe(self, endpoint: str, fmt: _Format) -> bytes:
        ox = self.ox
        sd = "http://www.w3.org/ns/sparql-service-description#"
        void = "http://rdfs.org/ns/void#"
        rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        service = ox.NamedNode(endpoint)
        quads: list[Any] = []

        def add(s: Any, p: str, o: Any) -> None:
            quads.append(ox.Quad(s, ox.NamedNode(p) if isinstance(p, str) else p, o))

        add(service, str(rdf_type.value), ox.NamedNode(sd + "Service"))
        add(service, sd + "endpoint", service)
        add(service, sd + "supportedLanguage", ox.NamedNode(sd + "SPARQL11Query"))
        if self.options.update:
            add(service, sd + "supportedLanguage", ox.NamedNode(sd + "SPARQL11Update"))
        if self.options.union_default_graph:
            add(service, sd + "feature", ox.NamedNode(sd + "UnionDefaultGraph"))
        if self.options.allow_service:
            add(service, sd + "feature", ox.NamedNode(sd + "BasicFederatedQuery"))
        for fmt_name in _FORMAT_IRIS.values():
            add(service, sd + "resultFormat", ox.NamedNode(f"http://www.w3.org/ns/formats/"
                                                           f"{fmt_name}"))
        dataset = ox.BlankNode()
        default = ox.BlankNode()
        add(service, sd + "defaultDataset", dataset)
        add(dataset, str(rdf_type.value), ox.NamedNode(sd + "Dataset"))
        add(dataset, sd + "defaultGraph", default)
        add(default, str(rdf_type.value), ox.NamedNode(sd + "Graph"))
        integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
        default_count = sum(1 for _ in self.store.quads_for_pattern(None, None, None,
                                                                    ox.DefaultGraph()))
        add(default, void + "triples", ox.Literal(str(default_count), datatype=integer))
        for index, graph in enumerate(self.store.named_graphs()):
            if index >= 1000:
                break
            named = ox.BlankNode()
            add(dataset, sd + "namedGraph", named)
            add(named, sd + "name", graph)
        for source in self.sources:  # file names only: the server's folders are its own
            add(service, "http://purl.org/dc/terms/source", ox.Literal(Path(source).name))
        return ox.serialize(quads, format=getattr(ox.RdfFormat, fmt.ox),
                            prefixes={"sd": sd, "void": void}) or b""

    # -- /queries ------------------------------------------------------------------------------

    def _named_endpoint(self, request: Request, path: str, deadline: float) -> Response:
        self._allow(request, ("GET", "HEAD", "POST"))
        if path == "/queries":
            body = json.dumps({"queries": [q.to_json() for q in self._queries],
                               "triples": self.triple_count(), "update": self.options.update,
                               "sources": [Path(s).name for s in self.sources]},
                              ensure_ascii=False)
            return Response(200, body.encode(), "application/json; charset=utf-8")
        name = urllib.parse.unquote(path[len("/queries/"):])
        named = next((q for q in self._queries if q.name == name), None)
        if named is None:
            raise HttpError(404, f"no named query {name!r}; see /queries")
        params, _ = self._params(request, None)
        substitutions = self._substitutions(params, named.text, named)
        for parameter in named.parameters:
            if parameter.required and self.ox.Variable(parameter.name) not in substitutions:
                raise HttpError(400, f"query {name} needs a value for ?{parameter.name}")
        unknown = [k for k in params if not k.startswith("$") and k not in
                   ("format", "default-graph-uri", "named-graph-uri")
                   and named.parameter(k) is None]
        if unknown:
            raise HttpError(400, f"query {name} has no parameter {unknown[0]!r}")
        if named.store_form is not None and self._reads_statistics(params):
            return self._run_store_form(request, named, params, deadline, substitutions)
        return self._run(request, named.text, params, deadline, substitutions)

    def _reads_statistics(self, params: dict[str, list[str]]) -> bool:
        """Whether the store forms answer: a read-only lexgraph store with current statistics,
        queried on its default graph."""
        options = self.options
        return not (options.update or options.union_default_graph
                    or "default-graph-uri" in params or "named-graph-uri" in params) \
            and _statistics_current(self.store)

    def _run_store_form(self, request: Request, named: NamedQuery,
                        params: dict[str, list[str]], deadline: float,
                        substitutions: dict[Any, Any]) -> Response:
        """Run the store form and write its sorted rows in the negotiated format."""
        assert named.store_form is not None
        requested = (params.get("format") or [None])[0]
        fmt = negotiate(request.headers.get("accept"), RESULT_FORMATS, requested)
        if fmt is None:
            raise self._not_acceptable(RESULT_FORMATS)
        key, kept = self._kept_answer(request, named.store_form.text, params, substitutions)
        if kept is not None:
            return kept
        bindings = {str(variable.value): term for variable, term in substitutions.items()}
        try:
            result = run_query(self.store, named, bindings=bindings)
        except (ValueError, InputError) as error:
            raise HttpError(400, _one_line(error)) from None
        except (RuntimeError, OSError) as error:
            raise HttpError(500, f"query failed: {_one_line(error)}") from None
        if time.monotonic() > deadline:
            raise HttpError(503, f"the query ran out of time (limit "
                            f"{self.options.timeout:g} s)")
        body = format_result(result, fmt.name, compact=True).encode("utf-8")
        if len(body) > self.options.max_result_bytes:
            raise HttpError(422, f"the result is larger than this endpoint's limit of "
                            f"{_size(self.options.max_result_bytes)}; add a LIMIT or "
                            "narrow the query")
        return self._answer(key, body, fmt, len(named.store_form.text), deadline)

    # -- /update -------------------------------------------------------------------------------

    def _authorize(self, request: Request) -> None:
        if not self.options.update:
            raise HttpError(403, "this endpoint is read-only; start lexgraph serve with --update "
                            "to allow SPARQL Update and Graph Store writes")
        token = self.options.update_token
        if token is None:
            return
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(),
                                                                 token.encode()):
            raise HttpError(401, "this write needs Authorization: Bearer <the update token>",
                            [("WWW-Authenticate", 'Bearer realm="lexgraph"')])

    def _update_endpoint(self, request: Request, deadline: float) -> Response:
        self._allow(request, ("POST",))
        self._authorize(request)
        params, direct = self._params(request, "application/sparql-update")
        if "query" in params:
            raise HttpError(400, "send queries to /sparql, not to the update endpoint")
        updates = params.get("update", [])
        if direct is not None:
            if updates:
                raise HttpError(400, "the update is both in the body and in a parameter")
            updates = [direct]
        if len(updates) != 1:
            raise HttpError(400, "one update per request" if updates else
                            "no update: POST an update parameter or an "
                            "application/sparql-update body")
        text = _with_using(updates[0], self._graphs(params, "using-graph-uri"),
                           self._graphs(params, "using-named-graph-uri"))
        self._refuse_remote(text, "update")
        with self.write_lock:
            try:
                self.store.update(text, base_iri=f"{request.base}{request.path}")
            except SyntaxError as error:
                raise HttpError(400, f"SPARQL syntax error: {_one_line(error)}") from None
            except (OSError, RuntimeError, ValueError) as error:
                raise HttpError(500, f"update failed: {_one_line(error)}") from None
            finally:
                self.generation += 1
        return Response(204)

    # -- /store (Graph Store HTTP Protocol) ---------------------------------------------------

    def _target_graph(self, request: Request, params: dict[str, list[str]]) -> Any:
        ox = self.ox
        graphs = params.get("graph", [])
        if "default" in params and graphs:
            raise HttpError(400, "give either ?default or ?graph=IRI, not both")
        if len(graphs) > 1:
            raise HttpError(400, "one ?graph per request")
        if "default" in params:
            return ox.DefaultGraph()
        if graphs:
            try:
                return ox.NamedNode(urllib.parse.urljoin(f"{request.base}/store", graphs[0]))
            except ValueError:
                raise HttpError(400, f"graph is not a valid IRI: {graphs[0]!r}") from None
        return None

    def _store_endpoint(self, request: Request, deadline: float) -> Response:
        ox = self.ox
        self._allow(request, ("GET", "HEAD", "PUT", "POST", "DELETE"))
        params = urllib.parse.parse_qs(request.query_string, keep_blank_values=True)
        graph = self._target_graph(request, params)
        if request.method in ("GET", "HEAD"):
            requested = (params.get("format") or [None])[0]
            formats = DATASET_FORMATS if graph is None else GRAPH_FORMATS
            fmt = negotiate(request.headers.get("accept"), formats, requested)
            if fmt is None:
                raise self._not_acceptable(formats)
            if isinstance(graph, ox.NamedNode) and not self.store.contains_named_graph(graph):
                raise HttpError(404, f"no graph named <{graph.value}>")
            buffer = _BoundedBuffer(self.options.max_result_bytes, deadline)
            try:
                if graph is None:
                    self.store.dump(buffer, getattr(ox.RdfFormat, fmt.ox))
                else:
                    self.store.dump(buffer, getattr(ox.RdfFormat, fmt.ox), from_graph=graph)
            except (_LimitExceeded, OSError):
                raise HttpError(422, "the graph is larger than this endpoint's result limit of "
                                f"{_size(self.options.max_result_bytes)}") from None
            return Response(200, buffer.getvalue(), _mime(fmt), [("Vary", "Accept")])
        self._authorize(request)
        if request.method == "DELETE":
            if graph is None:
                raise HttpError(400, "DELETE needs ?default or ?graph=IRI")
            with self.write_lock:
                if isinstance(graph, ox.NamedNode) and not self.store.contains_named_graph(graph):
                    raise HttpError(404, f"no graph named <{graph.value}>")
                self.store.remove_graph(graph)
                self.generation += 1
            return Response(204)
        media, extra = self._media_type(request)
        fmt = ox.RdfFormat.from_media_type(media) if media else None
        if fmt is None:
            raise HttpError(415, f"unsupported Content-Type {media or '(none)'}; send Turtle, "
                            "N-Triples, N-Quads, TriG, JSON-LD or RDF/XML")
        location = None
        if graph is None:
            if request.method == "PUT":
                raise HttpError(400, "PUT needs ?default or ?graph=IRI")
            graph = ox.NamedNode(f"{request.base}/store/{uuid.uuid4()}")
            location = graph.value
        try:
            base = graph.value if isinstance(graph, ox.NamedNode) else f"{request.base}/store"
            quads = [ox.Quad(q.subject, q.predicate, q.object, graph)
                     for q in ox.parse(request.body, fmt, base_iri=base,
                                       without_named_graphs=True, rename_blank_nodes=True)]
        except (SyntaxError, ValueError) as error:
            raise HttpError(400, f"the {fmt.name} body is not valid: {_one_line(error)}") from None
        with self.write_lock:
            existed = isinstance(graph, ox.DefaultGraph) or self.store.contains_named_graph(graph)
            if request.method == "PUT" and existed:
                self.store.remove_graph(graph)
            if isinstance(graph, ox.NamedNode):
                self.store.add_graph(graph)
            self.store.extend(quads)
            self.generation += 1
        headers = [("Location", location)] if location else []
        return Response(201 if not existed else 204, headers=headers)


def _with_using(update: str, using: list[Any], using_named: list[Any]) -> str:
    """Apply the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` to an update by
    adding ``USING`` clauses before the ``WHERE`` of each ``DELETE``/``INSERT`` operation.

    The IRIs are pyoxigraph ``NamedNode`` values, so they are valid IRIs and cannot break out of
    the ``<...>`` they are written in.
    """
    if not using and not using_named:
        return update
    tokens = sparql_tokens(update)
    words = [t.text.upper() for t in tokens if t.kind == "word"]
    if "USING" in words or "WITH" in words:
        raise HttpError(400, "using-graph-uri and using-named-graph-uri cannot be combined with "
                        "USING or WITH in the update")
    clause = " ".join([f"USING <{g.value}>" for g in using]
                      + [f"USING NAMED <{g.value}>" for g in using_named]) + " "
    inserts: list[int] = []
    depth = 0
    previous = ""  # the word just before, at the top level, with nothing between
    for token in tokens:
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        if depth == 0 and token.kind == "word":
            word = token.text.upper()
            if word == "WHERE":
                if previous == "DELETE":
                    raise HttpError(400, "using-graph-uri cannot apply to DELETE WHERE; write "
                                    "DELETE { ... } WHERE { ... }")
                inserts.append(token.start)
            previous = word
        else:
            previous = ""
    for position in reversed(inserts):
        update = update[:position] + clause + update[position:]
    return update


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    # pyoxigraph lists every token it would have taken; a few say enough.
    expected = re.match(r"^(.*?expected one of )(.*)$", text)
    if expected:
        items = re.findall(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|\[[^\]]*\]|[A-Z_]+',
                           expected.group(2))
        if len(items) > 8:
            text = f"{expected.group(1)}{', '.join(items[:8])}, ..."
    return text if len(text) <= 300 else text[:297] + "..."


def _size(count: int) -> str:
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if count >= factor:
            return f"{count / factor:g} {unit}"
    return f"{count} bytes"


def parse_size(text: str) -> int:
    """``"100M"`` -> bytes; plain numbers are bytes.

    >>> parse_size("2M"), parse_size("512k"), parse_size("1000")
    (2097152, 524288, 1000)
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?\s*", text)
    if not match:
        raise ValueError(f"not a size: {text!r} (write e.g. 100M, 512k or 1G)")
    factor = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()]
    return int(float(match.group(1)) * factor)


# --------------------------------------------------------------------------------------------
# HTTP plumbing

class _Exchange:
    """One request in flight: who answers it, the handler or the watchdog on a timeout."""

    __slots__ = ("answered", "deadline", "handler", "lock")

    def __init__(self, handler: _Handler, deadline: float) -> None:
        self.lock = threading.Lock()
        self.answered = False
        self.handler = handler
        self.deadline = deadline


class _Watchdog:
    """One thread per server that answers 503 for the requests past their deadline.

    A connection registers once, not every request: the request in flight is its handler's
    ``exchange``, set and cleared without a lock, and the watchdog looks at every connection
    twenty times a second."""

    def __init__(self) -> None:
        self.handlers: set[_Handler] = set()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def register(self, handler: _Handler) -> None:
        with self.lock:
            self.handlers.add(handler)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, daemon=True,
                                               name="lexgraph-watchdog")
                self.thread.start()

    def unregister(self, handler: _Handler) -> None:
        with self.lock:
            self.handlers.discard(handler)

    def active(self) -> int:
        """The requests in flight."""
        with self.lock:
            handlers = list(self.handlers)
        return sum(1 for handler in handlers if handler.exchange is not None)

    def _run(self) -> None:
        while True:
            time.sleep(0.05)
            now = time.monotonic()
            with self.lock:
                handlers = list(self.handlers)
            for handler in handlers:
                exchange = handler.exchange
                if exchange is not None and exchange.deadline <= now and not exchange.answered:
                    handler._time_out(exchange)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, address: Any, service: SparqlService, *, verbose: bool = False,
                 on_timeout: Callable[[], None] | None = None, sock: socket.socket | None = None,
                 family: int = socket.AF_INET, balance: _Balance | None = None,
                 slot: int = 0) -> None:
        self.address_family = family
        self.service = service
        self.verbose = verbose
        self.on_timeout = on_timeout
        self.balance = balance  # with the other workers accepting on the same socket
        self.slot = slot
        self.connections = 0
        self.withdrawn = False
        self.count_lock = threading.Lock()
        self.watchdog = _Watchdog()
        if sock is None:
            super().__init__(address, _Handler)
        else:
            super().__init__(address, _Handler, bind_and_activate=False)
            self.socket = sock
            self.server_address = sock.getsockname()
        host, port = self.server_address[:2]
        self.default_base = f"http://{'[' + host + ']' if ':' in host else host}:{port}"

    def get_request(self) -> tuple[socket.socket, Any]:
        balance = self.balance
        if balance is not None:
            # Every worker wakes for a new connection: the one holding the fewest takes it, and
            # the others find nothing left to accept (the socket does not block). Keep-alive
            # clients so spread evenly over the workers; by chance, one worker would often hold
            # most of them and be the bottleneck, a worker running Python on one core at a time.
            extra = self.connections - balance.least()
            if extra > 0:
                time.sleep(min(0.001 * extra, 0.01))
        connection, address = self.socket.accept()
        connection.setblocking(True)
        if balance is not None:
            self._count(1)
        return connection, address

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        if self.balance is not None:
            self._count(-1)

    def withdraw(self) -> None:
        """Take no new connection (a retiring worker): the others stop leaving them to it."""
        self.withdrawn = True
        if self.balance is not None:
            self._count(0)

    def _count(self, change: int) -> None:
        with self.count_lock:
            self.connections += change
            self.balance.set(self.slot, _WITHDRAWN if self.withdrawn else self.connections)


_WITHDRAWN = 1 << 40  # the connection count of a worker that takes no more


class _Balance:
    """How many connections each worker holds, in memory the forked workers share."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.memory = mmap.mmap(-1, 8 * workers)

    def set(self, slot: int, count: int) -> None:
        struct.pack_into("q", self.memory, 8 * slot, count)

    def least(self) -> int:
        return min(struct.unpack_from(f"{self.workers}q", self.memory))


_REASONS = {200: "OK", 201: "Created", 204: "No Content", 303: "See Other", 400: "Bad Request",
            401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            406: "Not Acceptable", 413: "Content Too Large", 414: "URI Too Long",
            415: "Unsupported Media Type", 422: "Unprocessable Content",
            431: "Request Header Fields Too Large", 500: "Internal Server Error",
            501: "Not Implemented", 503: "Service Unavailable", 505: "HTTP Version Not Supported"}
_STATUS_LINES = {status: f"HTTP/1.1 {status} {reason}\r\nServer: lexgraph\r\n"
                 for status, reason in _REASONS.items()}
_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}
_DATE: tuple[int, str] = (0, "")  # the Date header line, formatted once a second


def _http_date() -> str:
    """``Date: ...\\r\\n`` of now."""
    global _DATE
    now = int(time.time())
    date = _DATE
    if date[0] != now:
        date = _DATE = (now, f"Date: {formatdate(now, usegmt=True)}\r\n")
    return date[1]


_MAX_LINE = 65536
_MAX_HEADERS = 100
_BLANK_LINES = (b"\r\n", b"\n")
_HEADER_ENDS = (b"\r\n", b"\n", b"")


class _Handler(socketserver.StreamRequestHandler):
    """A small HTTP/1.1 server loop: keep-alive, Content-Length or chunked bodies,
    ``Expect: 100-continue``, one write per answer. (The standard library's handler parses
    headers with the e-mail parser and writes headers and body apart, which costs more than
    answering most queries.)"""

    server: _Server
    rbufsize = 65536
    exchange: _Exchange | None = None

    def setup(self) -> None:
        super().setup()
        # Small answers go out at once instead of waiting for the client's delayed ACK.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.close_connection = False
        self.command = ""
        self.write_lock = threading.Lock()
        self.exchange = None
        self.server.watchdog.register(self)

    def finish(self) -> None:
        self.server.watchdog.unregister(self)
        super().finish()

    def handle(self) -> None:
        for _ in range(1_000_000):  # requests on this connection
            try:
                if not self._one():
                    return
            except (ConnectionError, TimeoutError, OSError):
                return
            if self.close_connection:
                return

    def _fail(self, status: int, message: str) -> bool:
        self.close_connection = True
        self._send(Response(status, (message + "\n").encode(), "text/plain; charset=utf-8"))
        return False

    def _one(self) -> bool:
        rfile = self.rfile
        line = rfile.readline(_MAX_LINE + 1)
        while line in _BLANK_LINES:  # tolerate blank lines between requests
            line = rfile.readline(_MAX_LINE + 1)
        if not line:
            return False
        self.command = ""
        if len(line) > _MAX_LINE:
            return self._fail(414, "the request line is too long")
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            return self._fail(400, "malformed request line")
        method, target, version = parts
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            return self._fail(505, f"{version} is not supported")
        headers = self._headers()
        if isinstance(headers, tuple):
            return self._fail(*headers)
        self.command = method
        connection = headers.get("connection")
        if connection is None:
            self.close_connection = version == "HTTP/1.0"
        else:
            connection = connection.lower()
            self.close_connection = "close" in connection or (
                version == "HTTP/1.0" and "keep-alive" not in connection)
        if method not in _METHODS:
            return self._fail(501, f"{method} is not supported")
        if self.server.verbose:
            sys.stderr.write(f"{self.client_address[0]} - {method} {target}\n")
        self._exchange(method, target, headers)
        return True

    def _headers(self) -> dict[str, str] | tuple[int, str]:
        """The request's header fields (lower-case names), or the error to answer."""
        rfile = self.rfile
        # Most often the whole header block has arrived with the request line: take it in one
        # piece when it ends with an empty CRLF line and holds no bare LF.
        buffered = rfile.peek(1)
        if buffered.startswith(b"\r\n"):  # no header at all
            rfile.read(2)
            return {}
        end = buffered.find(b"\r\n\r\n")
        if end >= 0 and buffered.count(b"\n", 0, end) == buffered.count(b"\r\n", 0, end):
            lines = rfile.read(end + 4)[:end].decode("latin-1").split("\r\n")
            if len(lines) > _MAX_HEADERS:
                return 431, "too many request headers"
        else:
            lines = []
            for _ in range(_MAX_HEADERS + 1):
                raw = rfile.readline(_MAX_LINE + 1)
                if raw in _HEADER_ENDS:
                    break
                if len(raw) > _MAX_LINE:
                    return 431, "a request header is too long"
                lines.append(raw.decode("latin-1"))
            else:
                return 431, "too many request headers"
        headers: dict[str, str] = {}
        for text in lines:
            name, sep, value = text.partition(":")
            if not sep:
                return 400, "malformed request header"
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return headers

    def _body(self, headers: dict[str, str], limit: int) -> bytes:
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts, size = [], 0
            for _ in range(1_000_000):
                line = self.rfile.readline(_MAX_LINE)
                try:
                    chunk = int(line.split(b";")[0].strip() or b"0", 16)
                except ValueError:
                    raise HttpError(400, "malformed chunked body") from None
                if chunk == 0:
                    for _ in range(_MAX_HEADERS):
                        if self.rfile.readline(_MAX_LINE) in _HEADER_ENDS:
                            break
                    break
                size += chunk
                if size > limit:
                    raise HttpError(413, f"the request body is over {_size(limit)}")
                parts.append(self.rfile.read(chunk))
                self.rfile.readline(3)
            return b"".join(parts)
        length = headers.get("content-length")
        if not length:
            return b""
        try:
            count = int(length)
        except ValueError:
            raise HttpError(400, "Content-Length is not a number") from None
        if count > limit:
            raise HttpError(413, f"the request body is over {_size(limit)}")
        return self.rfile.read(count)

    def _exchange(self, method: str, target: str, headers: dict[str, str]) -> None:
        server = self.server
        service = server.service
        exchange = self.exchange = _Exchange(self, time.monotonic() + service.options.timeout)
        try:
            path, _, query_string = target.partition("?")
            if "#" in path:
                path = path.split("#")[0]
            if "://" in path:  # an absolute-form target
                path = urllib.parse.urlsplit(target).path
            path = path or "/"
            host = headers.get("host")
            try:
                if "content-length" in headers or "transfer-encoding" in headers \
                        or "expect" in headers:
                    body = self._body(headers, MAX_STORE_BODY if path.rstrip("/") == "/store"
                                      else MAX_QUERY_BODY)
                else:
                    body = b""
                request = Request(method, path, query_string, headers, body,
                                  f"http://{host}" if host else server.default_base)
                response = service.handle(request, exchange.deadline)
            except HttpError as error:
                response = Response(error.status, (error.message + "\n").encode(),
                                    "text/plain; charset=utf-8", error.headers)
                self.close_connection = True
            with exchange.lock:
                if exchange.answered:
                    self.close_connection = True
                    return
                exchange.answered = True
                self._send(response)
        finally:
            self.exchange = None

    def _send(self, response: Response) -> None:
        status = response.status
        head = _STATUS_LINES.get(status) or f"HTTP/1.1 {status} Unknown\r\nServer: lexgraph\r\n"
        head += _http_date()
        for name, value in response.headers:
            head += f"{name}: {value}\r\n"
        if response.content_type:
            head += f"Content-Type: {response.content_type}\r\n"
        head += f"Content-Length: {len(response.body)}\r\n"
        if self.close_connection:
            head += "Connection: close\r\n"
        data = (head + "\r\n").encode("latin-1")
        if self.command != "HEAD":
            data += response.body
        with self.write_lock:
            self.wfile.write(data)

    def _time_out(self, exchange: _Exchange) -> None:
        """The watchdog: answer 503 for a request still running at the deadline."""
        with exchange.lock:
            if exchange.answered:
                return
            exchange.answered = True
            self.close_connection = True
            limit = self.server.service.options.timeout
            with contextlib.suppress(OSError):
                self._send(Response(503, f"the query ran out of time (limit {limit:g} s)\n"
                                    .encode(), "text/plain; charset=utf-8"))
                self.connection.shutdown(socket.SHUT_RDWR)
        if self.server.on_timeout is not None:
            self.server.on_timeout()


# --------------------------------------------------------------------------------------------
# Loading data

def load_store(sources: Sequence[str | Path], *, location: str | Path | None = None,
               input_format: str | None = None, read_only: bool = True) -> Any:
    """RDF files, resolution texts and store folders -> a pyoxigraph store.

    A single store folder is opened as it is (read-only unless ``read_only`` is false); anything
    else is loaded into a new store, in memory or in ``location``.
    """
    import pyoxigraph as ox

    from . import api
    from .queries import load_rdf_file

    paths = [Path(s) for s in sources]
    folders = [p for p in paths if p.is_dir()]
    if location is None and len(paths) == 1 and folders:
        return ox.Store.read_only(str(paths[0])) if read_only else ox.Store(str(paths[0]))
    store = ox.Store(str(location)) if location is not None else ox.Store()
    texts = []
    for path in paths:
        if path.is_dir():
            source = ox.Store.read_only(str(path))
            store.extend(source.quads_for_pattern(None, None, None, None))
            del source
        elif input_format or path.suffix.lower() in api.RDF_INPUT_SUFFIXES:
            load_rdf_file(store, path, input_format)
        elif not path.exists():
            raise InputError("no such file or store folder", path=str(path))
        else:
            texts.append(path)
    if texts:
        graph = api.build_graph(texts)
        store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
    if location is not None:
        store.flush()
    return store


# --------------------------------------------------------------------------------------------
# Running: in process, or a supervisor with forked workers

def parse_bind(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[::1]:PORT``, ``:PORT`` or ``PORT`` -> (host, port)."""
    match = re.fullmatch(r"(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]]*))?:?(\d{1,5})", text.strip())
    if not match or int(match.group(3)) > 65535:
        raise ValueError(f"--bind wants HOST:PORT, e.g. {DEFAULT_BIND}, not {text!r}")
    host = match.group(1) or match.group(2) or "127.0.0.1"
    return host, int(match.group(3))


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(128)
    return sock


class EndpointServer:
    """An endpoint serving from threads of this process (for tests and embedding).

    >>> import pyoxigraph
    >>> with EndpointServer(pyoxigraph.Store(), bind="127.0.0.1:0") as server:
    ...     server.url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(self, store: Any, options: Options | None = None, *,
                 bind: str = "127.0.0.1:0", sources: Sequence[str] = (),
                 verbose: bool = False) -> None:
        host, port = parse_bind(bind)
        self.service = SparqlService(store, options, sources=sources)
        self.sock = _listen(host, port)
        self.httpd = _Server(self.sock.getsockname(), self.service, verbose=verbose,
                             sock=self.sock, family=self.sock.family)
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}"

    def start(self) -> EndpointServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={
            "poll_interval": 0.1}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread is not None:
            self.httpd.shutdown()
            self.thread.join(timeout=10)
        self.httpd.server_close()

    def __enter__(self) -> EndpointServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _worker(sock: socket.socket, open_store: Callable[[], Any], options: Options,
            sources: Sequence[str], verbose: bool, balance: _Balance | None = None,
            slot: int = 0) -> None:
    """A forked worker: serve until the supervisor stops it or a query times out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    service = SparqlService(open_store(), options, sources=sources)
    retiring = threading.Event()
    httpd: _Server

    def retire() -> None:
        # Stop taking requests, let the others finish within their own limits, then exit:
        # the supervisor forks a fresh worker, and the runaway query dies with this one.
        if retiring.is_set():
            return
        retiring.set()

        def finish() -> None:
            httpd.withdraw()
            httpd.shutdown()
            end = time.monotonic() + options.timeout
            while time.monotonic() < end:
                if httpd.watchdog.active() <= 1:
                    break
                time.sleep(0.05)
            os._exit(75)
        threading.Thread(target=finish, daemon=True).start()

    httpd = _Server(sock.getsockname(), service, verbose=verbose, on_timeout=retire, sock=sock,
                    family=sock.family, balance=balance, slot=slot)
    httpd.serve_forever(poll_interval=0.2)
    while True:  # retire() ends the process
        time.sleep(1)


def _supervise(sock: socket.socket, open_store: Callable[[], Any], options: Options,
               sources: Sequence[str], workers: int, verbose: bool) -> int:
    children: dict[int, int] = {}  # pid -> slot
    stopping = threading.Event()
    balance = _Balance(workers) if workers > 1 else None
    if balance is not None:
        sock.setblocking(False)  # a worker that wakes for a connection another took goes on

    def spawn(slot: int) -> None:
        if stopping.is_set():
            return
        if balance is not None:
            balance.set(slot, 0)
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                _worker(sock, open_store, options, sources, verbose, balance, slot)
            except BaseException as error:  # noqa: BLE001 - a worker must never return
                sys.stderr.write(f"lexgraph: worker error: {type(error).__name__}: {error}\n")
                code = 70
            finally:
                os._exit(code)
        children[pid] = slot
        if stopping.is_set():  # stopped while forking, before this worker was known
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def stop(signum: int, frame: Any) -> None:
        stopping.set()
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for slot in range(workers):
            spawn(slot)
        failures = 0
        while children:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            slot = children.pop(pid, 0)
            if stopping.is_set():
                continue
            code = os.waitstatus_to_exitcode(status)
            if code == 75:  # retired after a timeout
                spawn(slot)
                continue
            failures += 1
            if failures > 20:
                sys.stderr.write("lexgraph: workers keep failing; stopping\n")
                stop(signal.SIGTERM, None)
                return 2
            time.sleep(min(0.1 * failures, 2))
            spawn(slot)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        deadline = time.monotonic() + 5
        while children and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                pid, _ = os.waitpid(-1, os.WNOHANG)
                if pid:
                    children.pop(pid, None)
                    continue
            time.sleep(0.05)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        sock.close()
    return EXIT_OK


def serve(sources: Sequence[str | Path], *, bind: str = DEFAULT_BIND,
          options: Options | None = None, workers: int | None = None,
          location: str | Path | None = None, input_format: str | None = None,
          verbose: bool = False, announce: Callable[[str], None] | None = None) -> int:
    """Load ``sources`` and serve them until interrupted; returns the exit code."""
    options = options or Options()
    host, port = parse_bind(bind)
    can_fork = hasattr(os, "fork")
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if can_fork else 0
    if workers and not can_fork:
        workers = 0
    if options.update and workers:
        workers = 1  # one writer: every request must see the same store
    paths = [Path(s) for s in sources]
    for path in paths:
        if not path.exists():
            raise InputError("no such file or store folder", path=str(path))
    single_store = len(paths) == 1 and paths[0].is_dir() and location is None
    temporary: str | None = None
    started = time.monotonic()
    if options.update and workers and not single_store and location is None:
        # Writes must outlive a worker that is replaced: keep the data on disk.
        temporary = tempfile.mkdtemp(prefix="lexgraph-serve-")
        location = temporary
    try:
        if workers and (single_store or location is not None):
            store_path = str(paths[0]) if single_store else str(location)
            if not single_store:
                loaded = load_store(paths, location=location, input_format=input_format)
                del loaded
                gc.collect()
            import pyoxigraph as ox

            def open_store() -> Any:
                return ox.Store(store_path) if options.update else ox.Store.read_only(store_path)
            probe = open_store() if not options.update else None
            count = len(probe) if probe is not None else None
            del probe
            gc.collect()
        else:
            store = load_store(paths, location=location, input_format=input_format,
                               read_only=not options.update)
            count = len(store)

            def open_store() -> Any:
                return store
        sock = _listen(host, port)
        real_host, real_port = sock.getsockname()[:2]
        shown = f"[{real_host}]" if ":" in real_host else real_host
        mode = "read-write" if options.update else "read-only"
        workers_text = f"{workers} worker{'s' if workers != 1 else ''}" if workers \
            else "threads"
        triples = f"{count:,} triples" if count is not None else "the store"
        message = (f"lexgraph: serving {triples} at http://{shown}:{real_port}/ (SPARQL endpoint "
                   f"/sparql; {mode}; {workers_text}; loaded in "
                   f"{time.monotonic() - started:.1f} s)")
        (announce or (lambda text: (sys.stderr.write(text + "\n"), sys.stderr.flush())))(message)
        if real_host not in ("127.0.0.1", "::1", "localhost"):
            sys.stderr.write("lexgraph: warning: listening beyond this machine: anyone who can "
                             "reach the port can query" + (" and write" if options.update
                                                           else "") + "\n")
        names = [str(p) for p in paths]
        if workers:
            return _supervise(sock, open_store, options, names, workers, verbose)
        service = SparqlService(open_store(), options, sources=names)
        httpd = _Server(sock.getsockname(), service, verbose=verbose, sock=sock,
                        family=sock.family)
        try:
            httpd.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
        return EXIT_OK
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def register_cli(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve graphs as a SPARQL 1.1 endpoint with a query page",
        description="Serve RDF files, resolution texts (built first) or a pyoxigraph store "
        "folder as a SPARQL 1.1 Protocol endpoint (/sparql), with a query page at /.",
        epilog="Read-only by default. SERVICE and LOAD are refused unless --allow-service.")
    parser.add_argument("sources", nargs="+", metavar="SOURCE",
                        help="RDF files, resolution texts or a store folder")
    parser.add_argument("-b", "--bind", default=DEFAULT_BIND, metavar="HOST:PORT",
                        help=f"address to listen on (default {DEFAULT_BIND}; port 0 picks one)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="time limit of one request (default 30)")
    parser.add_argument("--max-result-size", default="100M", metavar="SIZE",
                        help="refuse results larger than this (default 100M)")
    parser.add_argument("--cache", default="64M", metavar="SIZE",
                        help="keep the answers of repeated queries, up to SIZE in each worker "
                        "process (default 64M; 0 turns it off; always off with --update); "
                        "answers with NOW, RAND, UUID, STRUUID or BNODE are never kept")
    parser.add_argument("--update", action="store_true",
                        help="allow SPARQL Update on /update and writes on /store")
    parser.add_argument("--update-token", metavar="TOKEN",
                        default=os.environ.get("LEXGRAPH_UPDATE_TOKEN"),
                        help="require 'Authorization: Bearer TOKEN' for writes (default: "
                        "$LEXGRAPH_UPDATE_TOKEN)")
    parser.add_argument("--cors", nargs="?", const="*", action="append", metavar="ORIGIN",
                        help="allow cross-origin requests (from ORIGIN; any origin without "
                        "one); repeatable")
    parser.add_argument("--allow-service", action="store_true",
                        help="allow SERVICE and LOAD of http(s) IRIs (the server then calls "
                        "other hosts)")
    parser.add_argument("--union-default-graph", action="store_true",
                        help="query the union of all graphs when no GRAPH is given")
    parser.add_argument("-l", "--location", metavar="DIR",
                        help="load the sources into an on-disk store in DIR instead of memory")
    parser.add_argument("-i", "--input-format", help="RDF format of the sources, if their "
                        "names do not tell")
    parser.add_argument("-w", "--workers", type=int, default=None, metavar="N",
                        help="worker processes (default: CPUs up to 4; 0: threads of one "
                        "process; 1 with --update)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    parser.set_defaults(func=_cmd_serve)


def _cmd_serve(args: argparse.Namespace) -> int:
    if args.timeout <= 0:
        raise ValueError("--timeout must be more than 0 seconds")
    if args.update_token and not args.update:
        raise ValueError("--update-token needs --update")
    if args.workers is not None and args.workers < 0:
        raise ValueError("--workers must be 0 or more")
    options = Options(timeout=args.timeout, max_result_bytes=parse_size(args.max_result_size),
                      update=args.update, update_token=args.update_token,
                      cors=tuple(args.cors or ()), allow_service=args.allow_service,
                      union_default_graph=args.union_default_graph,
                      cache_bytes=parse_size(args.cache))
    return serve(args.sources, bind=args.bind, options=options, workers=args.workers,
                 location=args.location, input_format=args.input_format, verbose=args.verbose)
