"""Named SPARQL queries: the registry of ``queries/**/*.rq``, running a query, writing results.

A named query is one ``.rq`` file whose name is the file name without ``.rq``. It opens with a
comment header that says what it answers::

    # name: cited-articles
    # purpose: The most cited articles of a treaty ...
    # param: ?instrument IRI — the treaty; without it, the articles of every instrument
    # example: ?instrument <https://w3id.org/lexgraph/akn/un/act/untoc>
    # columns: ?instrument ?article ?number ?heading ?citations ?resolutions

A parameter is a variable of the query that is left free: a caller narrows the query by binding
it, through rdflib's ``initBindings`` or pyoxigraph's ``substitutions``, never by pasting text
into the query. Unbound, an optional parameter matches everything.

>>> query = load_query("supplements")
>>> query.name, [p.name for p in query.parameters]
('supplements', ['protocol'])

:func:`run_query` runs a query on an rdflib :class:`~rdflib.Graph` or a pyoxigraph ``Store``
and returns a :class:`QueryResult` of rdflib terms, whichever engine ran it, so the same
question gives the same answer on both; :func:`format_result` writes it as a table, CSV, TSV
or JSON (the SPARQL 1.1 result formats), or RDF for ``CONSTRUCT`` and ``DESCRIBE``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from decimal import Decimal, InvalidOperation
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from .errors import EXIT_OK, InputError, LexgraphError
from .iris import BOOKKEEPING_GRAPH
from .namespaces import PREFIXES, bind_prefixes
from .resources import queries_dir

__all__ = [
    "NamedQuery",
    "Parameter",
    "QueryNotFoundError",
    "QueryResult",
    "format_result",
    "list_queries",
    "load_query",
    "parse_term",
    "run_query",
]

QUERY_KINDS = ("select", "checks")  # subfolders of queries/, in listing order
# queries/store/NAME.rq: the form of named query NAME that reads the statistics a store build
# keeps (graph_builder/statistics.py); not a query of its own
STORE_FORMS = "store"
PARAMETER_TYPES = ("IRI", "string", "integer", "decimal", "date", "boolean", "term")
SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("turtle", "nt", "jsonld", "xml")
_FORMAT_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".srj": "json",
                    ".txt": "table", ".ttl": "turtle", ".nt": "nt", ".jsonld": "jsonld",
                    ".rdf": "xml", ".xml": "xml"}
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HEADER_LINE = re.compile(r"^#\s?([A-Za-z][A-Za-z -]*):\s*(.*)$")
_PARAM = re.compile(r"^\?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[A-Za-z]+)"
                    r"(?:\s*\((?P<flag>required|optional)\))?\s*(?:[—–-]+\s*(?P<text>.*))?$")
_EXAMPLE = re.compile(r"^\?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=?\s*(?P<value>.+)$")
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$")


class QueryNotFoundError(LexgraphError):
    """No named query has this name; the message lists the names there are."""

    def __init__(self, name: str, available: Sequence[str]) -> None:
        self.name = name
        self.available = tuple(available)
        super().__init__(f"no query named {name!r}; choose from {', '.join(available)} "
                         "(or give the path of a .rq file)")


@dataclass(frozen=True, slots=True)
class Parameter:
    """A variable of a named query that a caller may bind."""

    name: str  # without the "?"
    type: str = "IRI"  # one of PARAMETER_TYPES
    required: bool = False
    description: str = ""
    example: str | None = None  # a value in SPARQL term syntax, e.g. "<https://...>"


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """One ``.rq`` file of ``queries/`` and what its header says about it."""

    name: str
    kind: str  # the subfolder: "select" or "checks"
    path: Path
    text: str
    purpose: str = ""
    parameters: tuple[Parameter, ...] = ()
    columns: tuple[str, ...] = ()
    columns_note: str = ""
    # The form run on a lexgraph store whose statistics are current: the same question,
    # answered from the counts the build keeps (queries/store/NAME.rq), or None.
    store_form: NamedQuery | None = None
    # For a store form without ORDER BY: the ORDER BY of the query it stands for, as
    # (variable, descending) pairs, applied by lexgraph to the rows (see _sort_rows).
    order: tuple[tuple[str, bool], ...] = ()

    @property
    def summary(self) -> str:
        """The first sentence of the purpose."""
        first = re.split(r"(?<=[a-z)]):\s|(?<=[a-z)])\.\s+(?=[A-Z])", self.purpose,
                         maxsplit=1)[0]
        return first.rstrip(".:;")

    def parameter(self, name: str) -> Parameter | None:
        name = name.lstrip("?$")
        return next((p for p in self.parameters if p.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "purpose": self.purpose,
                "summary": self.summary, "columns": list(self.columns),
                "parameters": [{"name": p.name, "type": p.type, "required": p.required,
                                "description": p.description, "example": p.example}
                               for p in self.parameters],
                "query": self.text,
                "store_query": self.store_form.text if self.store_form else None}


def parse_header(text: str, *, path: str = "<query>") -> dict[str, Any]:
    """Read the comment header of a query: ``name``, ``purpose``, ``params``, ``columns``.

    Lines ``# key: value`` start an entry; a comment line indented by two or more spaces
    continues the one before. The header ends at the first line that is not a comment.
    """
    entries: list[list[Any]] = []  # [key, first line, continuation, line number]
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            if entries:
                break
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER_LINE.match(stripped)
        if match and not re.match(r"^#\s{2,}", stripped):
            entries.append([match.group(1).strip().lower(), match.group(2).strip(), "", number])
        elif entries and stripped.lstrip("#").strip():
            entries[-1][2] = f"{entries[-1][2]} {stripped.lstrip('#').strip()}".strip()
    header: dict[str, Any] = {"params": [], "examples": {}}
    for key, first, more, number in entries:
        value = f"{first} {more}".strip()
        if key == "param":
            match = _PARAM.match(value)
            if not match or match.group("type") not in PARAMETER_TYPES:
                raise InputError(f"malformed parameter line {value!r}: write "
                                 "'# param: ?name TYPE [(required)] — what it is' with TYPE one "
                                 f"of {', '.join(PARAMETER_TYPES)}", path=path, line=number)
            header["params"].append(Parameter(
                match.group("name"), match.group("type"), match.group("flag") == "required",
                (match.group("text") or "").strip()))
        elif key == "example":
            match = _EXAMPLE.match(value)
            if not match:
                raise InputError(f"malformed example line {value!r}: write "
                                 "'# example: ?name <value>'", path=path, line=number)
            header["examples"][match.group("name")] = match.group("value").strip()
        elif key == "columns":
            header["columns"] = tuple(_VARIABLE.findall(first))
            header["columns_note"] = more
        else:
            header[key] = value
    examples = header.pop("examples")
    header["params"] = [Parameter(p.name, p.type, p.required, p.description,
                                  examples.get(p.name)) for p in header["params"]]
    for name in examples:
        if name not in {p.name for p in header["params"]}:
            raise InputError(f"example for ?{name}, which is not a declared parameter", path=path)
    return header


def _read_query(path: Path, kind: str) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text ({error.reason})", path=str(path)) from None
    header = parse_header(text, path=str(path))
    return NamedQuery(name=path.stem, kind=kind, path=path, text=text,
                      purpose=header.get("purpose") or header.get("store") or header.get("title", ""),
                      parameters=tuple(header["params"]),
                      columns=tuple(header.get("columns", ())),
                      columns_note=header.get("columns_note", ""))


@cache
def _registry(root: Path) -> dict[str, NamedQuery]:
    found: dict[str, NamedQuery] = {}
    for kind in QUERY_KINDS:
        for path in sorted((root / kind).glob("*.rq")):
            found.setdefault(path.stem, _read_query(path, kind))
    for path in sorted((root / STORE_FORMS).glob("*.rq")):
        form = _read_query(path, STORE_FORMS)
        query = found.get(path.stem)
        if query is None or query.kind != "select":
            raise InputError("a store form of no named query: name it after a query of "
                             "select/", path=str(path))
        if form.columns != query.columns:
            raise InputError(f"its columns ({' '.join(form.columns)}) are not those of "
                             f"{query.name} ({' '.join(query.columns)})", path=str(path))
        if "ORDER" not in sparql_keywords(form.text):
            form = replace(form, order=_plain_order(query, path))
        found[path.stem] = replace(query, store_form=form)
    return found


def list_queries(kind: str | None = None, *, root: str | Path | None = None) -> list[NamedQuery]:
    """The named queries, sorted by name: those of one ``kind`` (subfolder), or all of them.

    >>> "cited-articles" in [q.name for q in list_queries("select")]
    True
    """
    if kind is not None and kind not in QUERY_KINDS:
        raise ValueError(f"unknown query kind {kind!r}; choose from {', '.join(QUERY_KINDS)}")
    queries = _registry(Path(root) if root else queries_dir()).values()
    return sorted((q for q in queries if kind is None or q.kind == kind), key=lambda q: q.name)


def load_query(name: str, *, root: str | Path | None = None) -> NamedQuery:
    """The named query ``name`` (``"cited-articles"``, or ``"checks/x-violation"``).

    Raises :class:`QueryNotFoundError`, which lists the available names, for an unknown one.
    """
    kind, _, stem = name.rpartition("/")
    found = _registry(Path(root) if root else queries_dir()).get(stem)
    if found is None or (kind and found.kind != kind):
        raise QueryNotFoundError(name, [q.name for q in list_queries(root=root)])
    return found


def query_from_file(path: str | Path) -> NamedQuery:
    """A user's own ``.rq`` file, read as a named query (its header is optional)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=str(path))
    return _read_query(path, kind="file")


# --------------------------------------------------------------------------------------------
# Terms and bindings


def _prologue_prefixes(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(
        r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", text)}


def parse_term(value: str, *, type: str = "term",
               prefixes: Mapping[str, str] | None = None) -> Identifier:
    """A parameter value given as text -> an rdflib term.

    SPARQL term syntax always works (``<https://...>``, ``lex:Convention``, ``"text"@en``,
    ``"5"^^xsd:integer``); a bare value is read as the parameter's type says.

    >>> parse_term("https://w3id.org/lexgraph/akn/un/act/untoc", type="IRI")
    rdflib.term.URIRef('https://w3id.org/lexgraph/akn/un/act/untoc')
    >>> parse_term("lex:Protocol")
    rdflib.term.URIRef('https://w3id.org/lexgraph/ontology#Protocol')
    >>> parse_term('"Recalling"@en')
    rdflib.term.Literal('Recalling', lang='en')
    """
    known = {**PREFIXES, **(prefixes or {})}
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        return _iri(text[1:-1], value)
    literal = re.match(r'^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(.+))?$', text,
                       re.S)
    if literal:
        lexical = re.sub(r'\\(["\\nrt])', lambda m: {"n": "\n", "r": "\r", "t": "\t"}
                         .get(m.group(1), m.group(1)), literal.group(1))
        if literal.group(3):
            datatype = parse_term(literal.group(3), type="IRI", prefixes=prefixes)
            return Literal(lexical, datatype=datatype)
        return Literal(lexical, lang=literal.group(2)) if literal.group(2) else Literal(lexical)
    curie = re.match(r"^([A-Za-z][\w.-]*)?:([^\s/<>\"]*)$", text)
    if curie and (curie.group(1) or "") in known and type in ("IRI", "term"):
        return _iri(known[curie.group(1) or ""] + curie.group(2), value)
    if type == "IRI" or (type == "term" and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text)):
        return _iri(text, value)
    if type == "integer" or (type == "term" and re.match(r"^[+-]?\d+$", text)):
        if not re.match(r"^[+-]?\d+$", text):
            raise ValueError(f"not an integer: {value!r}")
        return Literal(text, datatype=XSD.integer)
    if type == "decimal":
        if not re.match(r"^[+-]?(\d+\.?\d*|\.\d+)$", text):
            raise ValueError(f"not a decimal number: {value!r}")
        return Literal(text, datatype=XSD.decimal)
    if type == "date":
        if not re.match(r"^-?\d{4,}-\d\d-\d\d$", text):
            raise ValueError(f"not a date (YYYY-MM-DD): {value!r}")
        return Literal(text, datatype=XSD.date)
    if type == "boolean":
        if text not in ("true", "false"):
            raise ValueError(f"not a boolean (true or false): {value!r}")
        return Literal(text, datatype=XSD.boolean)
    return Literal(value)


def _iri(text: str, original: str) -> URIRef:
    if not _IRI.match(text):
        raise ValueError(f"not an absolute IRI: {original!r}")
    return URIRef(text)


def _bindings(query: NamedQuery, bindings: Mapping[str, Any] | None) -> dict[str, Identifier]:
    """Check and convert the caller's bindings against the query's declared parameters."""
    prefixes = _prologue_prefixes(query.text)
    result: dict[str, Identifier] = {}
    for raw, value in (bindings or {}).items():
        name = raw.lstrip("?$")
        parameter = query.parameter(name)
        if query.parameters and parameter is None and query.kind != "file":
            declared = ", ".join(f"?{p.name}" for p in query.parameters)
            raise ValueError(f"query {query.name} has no parameter ?{name}; it takes {declared}")
        if query.kind != "file" and not query.parameters:
            raise ValueError(f"query {query.name} takes no parameters")
        result[name] = _to_rdflib(value) if not isinstance(value, str) else parse_term(
            value, type=parameter.type if parameter else "term", prefixes=prefixes)
    for parameter in query.parameters:
        if parameter.required and parameter.name not in result:
            raise ValueError(f"query {query.name} needs a value for ?{parameter.name}: give "
                             f"--param {parameter.name}=VALUE ({parameter.description})")
    return result


# --------------------------------------------------------------------------------------------
# Running


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The answer to a query as rdflib terms, whichever engine computed it.

    ``type`` is ``"SELECT"``, ``"ASK"`` or ``"CONSTRUCT"`` (for ``DESCRIBE`` too); a row holds
    ``None`` where its variable is unbound.
    """

    type: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Identifier | None, ...], ...] = ()
    boolean: bool | None = None
    graph: Graph | None = field(default=None, compare=False)

    def __len__(self) -> int:
        if self.type == "SELECT":
            return len(self.rows)
        if self.type == "ASK":
            return 1
        return len(self.graph) if self.graph is not None else 0

    def bindings(self) -> list[dict[str, Identifier]]:
        """The rows as dictionaries of the bound variables."""
        return [{v: t for v, t in zip(self.variables, row, strict=True) if t is not None}
                for row in self.rows]


def _is_store(data: object) -> bool:
    return type(data).__module__.startswith("pyoxigraph") and hasattr(data, "quads_for_pattern")


def resolve_query(query: str | Path | NamedQuery) -> NamedQuery:
    """A name, a path of a ``.rq`` file, or SPARQL text -> a :class:`NamedQuery`."""
    if isinstance(query, NamedQuery):
        return query
    if isinstance(query, Path) or (isinstance(query, str) and query.endswith(".rq")
                                   and "\n" not in query and "{" not in query):
        return query_from_file(query)
    if _NAME.match(query) or re.match(r"^[a-z]+/[a-z0-9-]+$", query):
        return load_query(query)
    return NamedQuery(name="query", kind="file", path=Path("<query>"), text=query)


def run_query(data: Any, query: str | Path | NamedQuery, *,
              bindings: Mapping[str, Any] | None = None, base_iri: str | None = None,
              union_default_graph: bool = False, statistics: bool = True) -> QueryResult:
    """Run ``query`` on ``data`` and return a :class:`QueryResult`.

    :param data: an rdflib ``Graph`` (or ``Dataset``) or a pyoxigraph ``Store``.
    :param query: a query name, the path of a ``.rq`` file, SPARQL text or a :class:`NamedQuery`.
    :param bindings: values for the query's parameters, by variable name (with or without the
        ``?``): rdflib or pyoxigraph terms, or text in SPARQL term syntax (a bare value is read
        as the parameter's declared type). They are bound by the engine, never spliced into text.
    :param union_default_graph: on a pyoxigraph store, query the union of all graphs.
    :param statistics: on a lexgraph store whose statistics are current, run the query's store
        form (``queries/store/``), which reads the counts the build keeps: the same answer,
        without counting the corpus again. ``False`` always runs the query as written.
    :raises InputError: for a syntax error, as ``FILE:LINE:COLUMN: message``.
    :raises ValueError: for an unknown or missing parameter or a malformed value.

    >>> from rdflib import Graph
    >>> g = Graph().parse(data='<urn:p> <https://w3id.org/lexgraph/ontology#supplements> <urn:c> .',
    ...                   format="turtle")
    >>> run_query(g, "supplements").bindings()[0]["treaty"]
    rdflib.term.URIRef('urn:c')
    """
    named = resolve_query(query)
    values = _bindings(named, bindings)
    if _is_store(data):
        if (statistics and named.store_form is not None and not union_default_graph
                and _statistics_current(data)):
            result = _run_oxigraph(data, named.store_form, values, base_iri, False)
            return _sort_rows(result, named.store_form.order)
        return _run_oxigraph(data, named, values, base_iri, union_default_graph)
    if isinstance(data, Graph):
        return _run_rdflib(data, named, values, base_iri)
    raise TypeError(f"cannot query a {type(data).__name__}: give an rdflib Graph or a "
                    "pyoxigraph Store")


def _syntax_error(named: NamedQuery, message: str, line: int | None, column: int | None
                  ) -> InputError:
    message = " ".join(message.split())
    if len(message) > 200:
        message = message[:197] + "..."
    return InputError(f"SPARQL syntax error: {message}", path=str(named.path), line=line,
                      column=column)


def _oxigraph_syntax_error(named: NamedQuery, error: SyntaxError) -> InputError:
    """pyoxigraph reports where its parser gave up, which can be past the mistake; rdflib's
    parser stops at the first token it cannot take, so its line and column are used when it
    fails too."""
    found = re.match(r"^error at (\d+):(\d+):\s*(.*)$", str(error), re.S)
    line, column, message = ((int(found.group(1)), int(found.group(2)), found.group(3))
                             if found else (None, None, str(error)))
    try:
        from pyparsing import ParseBaseException
        from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    except ImportError:  # pragma: no cover - rdflib always brings pyparsing
        return _syntax_error(named, message, line, column)
    keywords = sparql_keywords(named.text)
    parse = parseUpdate if keywords & _UPDATE_KEYWORDS and not keywords & _QUERY_FORMS \
        else parseQuery
    try:
        parse(named.text)
    except ParseBaseException as other:
        return _syntax_error(named, other.msg, other.lineno, other.col)
    except Exception:  # noqa: BLE001 - rdflib may fail in other ways; keep pyoxigraph's words
        pass
    return _syntax_error(named, message, line, column)


_QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"}


def _run_rdflib(graph: Graph, named: NamedQuery, values: dict[str, Identifier],
                base_iri: str | None) -> QueryResult:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(named.text, base=base_iri) if base_iri else prepareQuery(named.text)
    except ParseBaseException as error:
        raise _syntax_error(named, error.msg, error.lineno, error.col) from None
    except Exception as error:  # rdflib raises assorted errors for unknown prefixes and such
        raise _syntax_error(named, str(error), None, None) from None
    result = graph.query(prepared, initBindings=values)
    if result.type == "ASK":
        return QueryResult("ASK", boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return QueryResult("CONSTRUCT", graph=result.graph)
    variables = tuple(str(v) for v in (result.vars or ()))
    rows = tuple(tuple(row[i] for i in range(len(variables))) for row in result)
    return QueryResult("SELECT", variables, rows)


def _statistics_current(store: Any) -> bool:
    from .statistics import is_current

    return _is_lexgraph_store(store) and is_current(store)


def _plain_order(query: NamedQuery, path: Path) -> tuple[tuple[str, bool], ...]:
    """The ORDER BY of ``query`` as (variable, descending) pairs of selected variables.

    A store form leaves the sorting to lexgraph: Oxigraph compares two IRIs or strings by
    reading both from disk at every comparison, which made sorting 11,000 rows cost a second
    on a 20,000-document store; Python sorts them, once read, in milliseconds.
    """
    tokens = sparql_tokens(query.text)
    words = [i for i, t in enumerate(tokens) if t.kind == "word" and t.text.upper() == "ORDER"]
    keys: list[tuple[str, bool]] = []
    descending = False
    for token in tokens[words[-1] + 2:] if words else ():
        if token.kind == "var" and token.text[1:] in query.columns:
            keys.append((token.text[1:], descending))
            descending = False
        elif token.kind == "word" and token.text.upper() in ("ASC", "DESC"):
            descending = token.text.upper() == "DESC"
        elif token.text not in ("(", ")"):
            raise InputError(f"no ORDER BY here, and {query.name} orders by more than selected "
                             "variables: give this form its own ORDER BY", path=str(path))
    return tuple(keys)


_NUMERIC = {str(XSD[name]) for name in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_DATES = {str(XSD.date), str(XSD.dateTime), str(XSD.gYear)}
_XSD_STRING = str(XSD.string)
_XSD_BOOLEAN = str(XSD.boolean)


def _order_key(term: Identifier | None) -> tuple[Any, ...]:
    """Where SPARQL's ORDER BY puts a term: unbound, blank nodes, IRIs, then literals (numbers
    by value, booleans, dates, strings by their characters)."""
    if term is None:
        return (0,)
    if isinstance(term, BNode):
        return (1, str(term))
    if not isinstance(term, Literal):
        return (2, str(term))
    datatype = str(term.datatype) if term.datatype is not None else ""
    if datatype in _NUMERIC:
        try:
            return (3, 0, Decimal(str(term)))
        except InvalidOperation:
            pass
    if datatype == _XSD_BOOLEAN:
        return (3, 1, str(term) in ("true", "1"))
    if datatype in _DATES:
        return (3, 2, str(term))
    return (3, 3, str(term), term.language or "", datatype)


def _sort_rows(result: QueryResult, order: Sequence[tuple[str, bool]]) -> QueryResult:
    if not order or result.type != "SELECT":
        return result
    runs: list[tuple[list[int], bool]] = []  # keys next to each other in one direction
    for name, descending in order:
        index = result.variables.index(name)
        if runs and runs[-1][1] == descending:
            runs[-1][0].append(index)
        else:
            runs.append(([index], descending))
    rows = list(result.rows)
    keys: dict[Identifier | None, tuple[Any, ...]] = {}  # counts, decades, types repeat

    def key(term: Identifier | None) -> tuple[Any, ...]:
        found = keys.get(term)
        if found is None:
            found = keys[term] = _order_key(term)
        return found

    for indexes, descending in reversed(runs):  # stable sorts, the last keys first
        if len(indexes) == 1:
            index = indexes[0]
            rows.sort(key=lambda row: key(row[index]), reverse=descending)
        else:
            rows.sort(key=lambda row: tuple(key(row[i]) for i in indexes), reverse=descending)
    return replace(result, rows=tuple(rows))


def _run_oxigraph(store: Any, named: NamedQuery, values: dict[str, Identifier],
                  base_iri: str | None, union: bool) -> QueryResult:
    import pyoxigraph as ox

    substitutions = {ox.Variable(k): to_oxigraph(v) for k, v in values.items()}
    try:
        result = store.query(anchor_values(named.text, substitutions), base_iri=base_iri,
                             substitutions=substitutions or None,
                             use_default_graph_as_union=union)
    except SyntaxError as error:
        raise _oxigraph_syntax_error(named, error) from None
    except RuntimeError as error:
        missing = re.search(r"variable \?(\w+) in its SELECT projection", str(error))
        if missing:
            raise ValueError(f"cannot bind ?{missing.group(1)}: the query does not select it "
                             "(add it to the SELECT clause)") from None
        raise
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ASK", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = tuple(v.value for v in result.variables)
        # counts, classes and datatypes repeat from row to row: convert each term once
        convert = lru_cache(maxsize=1 << 16)(to_rdflib)
        rows = tuple(tuple(None if t is None else convert(t) for t in solution)
                     for solution in result)
        return QueryResult("SELECT", variables, rows)
    graph = bind_prefixes(Graph())
    for triple in result:
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate),
                   to_rdflib(triple.object)))
    return QueryResult("CONSTRUCT", graph=graph)


def anchor_values(text: str, substitutions: Mapping[Any, Any]) -> str:
    """The query with its bound values also given as a VALUES block opening its WHERE group.

    Oxigraph plans a query before it applies ``substitutions``, so a query about one
    instrument is planned as if it were about all of them (seconds on a corpus store). A
    VALUES block at the start of the group lets the planner start from the value (tens of
    milliseconds). The terms are written by pyoxigraph's own serializer from terms already
    parsed, never from the user's text, and the substitutions still bind the variables.
    """
    if not substitutions:
        return text
    tokens = sparql_tokens(text)
    for index, token in enumerate(tokens):
        if token.kind == "word" and token.text.upper() in ("SELECT", "CONSTRUCT", "ASK",
                                                          "DESCRIBE"):
            rest = tokens[index:]
            where = next((i for i, t in enumerate(rest)
                          if t.kind == "word" and t.text.upper() == "WHERE"), None)
            if where is None and token.text.upper() != "SELECT":
                return text  # a CONSTRUCT's first group is its template
            opening = next((t for t in rest[where or 0:] if t.text == "{"), None)
            break
    else:
        return text
    if opening is None:
        return text
    names = " ".join(str(variable) for variable in substitutions)
    row = " ".join(str(term) for term in substitutions.values())
    block = f" VALUES ({names}) {{ ({row}) }} "
    return text[:opening.start + 1] + block + text[opening.start + 1:]


def to_oxigraph(term: Identifier) -> Any:
    """An rdflib term -> the pyoxigraph term."""
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot bind a {type(term).__name__}")


def to_rdflib(term: Any) -> Identifier:
    """A pyoxigraph term -> the rdflib term (``xsd:string`` literals become plain literals)."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        # Oxigraph only holds valid IRIs: skip rdflib's check of each one (a third of the
        # time of reading a large result)
        return str.__new__(URIRef, term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value) if datatype == _XSD_STRING else Literal(
            term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")


def _to_rdflib(value: Any) -> Identifier:
    if isinstance(value, Identifier):
        return value
    return to_rdflib(value)


# --------------------------------------------------------------------------------------------
# Writing results


def ntriples(term: Identifier | None) -> str:
    """A term in N-Triples syntax (``""`` for unbound), as the TSV result format writes it."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, Literal)
    text = (str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))
    if term.language:
        return f'"{text}"@{term.language}'
    if term.datatype is not None and term.datatype != XSD.string:
        return f'"{text}"^^<{term.datatype}>'
    return f'"{text}"'


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    item = {"type": "literal", "value": str(term)}
    if term.language:
        item["xml:lang"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        item["datatype"] = str(term.datatype)
    return item


def _xml_results(result: QueryResult) -> str:
    """The SPARQL Query Results XML Format (W3C, 2013) of a SELECT or ASK result."""
    from xml.sax.saxutils import escape, quoteattr

    def term(value: Identifier) -> str:
        if isinstance(value, URIRef):
            return f"<uri>{escape(str(value))}</uri>"
        if isinstance(value, BNode):
            return f"<bnode>{escape(str(value))}</bnode>"
        assert isinstance(value, Literal)
        if value.language:
            attribute = f" xml:lang={quoteattr(value.language)}"
        elif value.datatype is not None and value.datatype != XSD.string:
            attribute = f" datatype={quoteattr(str(value.datatype))}"
        else:
            attribute = ""
        return f"<literal{attribute}>{escape(str(value))}</literal>"

    lines = ['<?xml version="1.0"?>',
             '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    lines += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    lines.append("</head>")
    if result.type == "ASK":
        lines.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        lines.append("<results>")
        for row in result.rows:
            cells = "".join(f"<binding name={quoteattr(v)}>{term(t)}</binding>"
                            for v, t in zip(result.variables, row, strict=True) if t is not None)
            lines.append(f"<result>{cells}</result>")
        lines.append("</results>")
    lines.append("</sparql>")
    return "\n".join(lines) + "\n"


def _short(term: Identifier | None, prefixes: Mapping[str, str], width: int) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, namespace in prefixes.items():
            if text.startswith(namespace) and re.match(r"^[\w.-]*$", text[len(namespace):]):
                text = f"{prefix}:{text[len(namespace):]}"
                break
        else:
            text = f"<{text}>"
    elif isinstance(term, BNode):
        text = f"_:{term}"
    else:
        text = " ".join(str(term).split())
    return text if width <= 0 or len(text) <= width else text[:width - 1] + "…"


def format_result(result: QueryResult, fmt: str = "table", *, width: int = 80,
                  compact: bool = False) -> str:
    """Write a result: ``table``, ``csv``, ``tsv``, ``json`` or ``xml`` (the SPARQL 1.1
    formats) for ``SELECT`` and ``ASK``; ``turtle``, ``nt``, ``jsonld`` or ``xml`` (RDF/XML)
    for a graph.

    ``table`` is for reading: known prefixes are shortened and cells cut at ``width``.
    ``compact`` writes JSON without the line breaks that make it readable (for a server).
    """
    if result.type == "CONSTRUCT":
        fmt = {"table": "turtle", "json": "jsonld"}.get(fmt, fmt)
        if fmt not in GRAPH_FORMATS:
            raise ValueError(f"a CONSTRUCT or DESCRIBE result is written as one of "
                             f"{', '.join(GRAPH_FORMATS)}, not {fmt}")
        from .api import serialize

        return serialize(bind_prefixes(result.graph or Graph()), fmt)
    if fmt not in SELECT_FORMATS:
        raise ValueError(f"a {result.type} result is written as one of "
                         f"{', '.join(SELECT_FORMATS)}, not {fmt}")
    if fmt == "xml":
        return _xml_results(result)
    if result.type == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean})
        return "true" if result.boolean else "false"
    if fmt == "json":
        return json.dumps({"head": {"vars": list(result.variables)}, "results": {"bindings": [
            {v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows]}}, ensure_ascii=False,
            **({"separators": (",", ":")} if compact else {"indent": 1}))
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in result.variables)]
        lines += ["\t".join(ntriples(t) for t in row) for row in result.rows]
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow(["" if t is None else (f"_:{t}" if isinstance(t, BNode) else str(t))
                             for t in row])
        return out.getvalue()
    cells = [[_short(t, PREFIXES, width) for t in row] for row in result.rows]
    widths = [max([len(v)] + [len(row[i]) for row in cells]) for i, v in
              enumerate(result.variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(result.variables, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
              for row in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Loading data for the command line


def load_data(paths: Iterable[str | Path], *, backend: str = "oxigraph",
              input_format: str | None = None) -> Any:
    """RDF files, resolution texts and (for pyoxigraph) store folders -> one graph or store."""
    from . import api

    paths = [Path(p) for p in paths]
    texts = [p for p in paths if not p.is_dir() and not input_format
             and p.suffix.lower() not in api.RDF_INPUT_SUFFIXES]
    rdf = [p for p in paths if not p.is_dir() and p not in texts]
    stores = [p for p in paths if p.is_dir()]
    if backend == "rdflib":
        if stores:
            raise InputError("a store folder needs the oxigraph backend", path=str(stores[0]))
        graph = api.load_rdf(rdf, input_format) if rdf else bind_prefixes(Graph())
        if texts:
            graph += api.build_graph(texts)
        return graph
    import pyoxigraph as ox

    if len(stores) == 1 and not rdf and not texts:
        return ox.Store.read_only(str(stores[0]))
    store = ox.Store()
    for folder in stores:
        source = ox.Store.read_only(str(folder))
        store.extend(source.quads_for_pattern(None, None, None, None))
    for path in rdf:
        load_rdf_file(store, path, input_format)
    if texts:
        built = api.build_graph(texts)
        store.load(built.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
    return store


def oxigraph_format(name: str) -> Any:
    import pyoxigraph as ox

    return {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
            "jsonld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML,
            "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}[name]


def load_rdf_file(store: Any, path: str | Path, input_format: str | None = None) -> None:
    """Load one RDF file into a pyoxigraph store, with a ``FILE:LINE:COLUMN`` error."""
    from . import api

    path = Path(path)
    name = api.resolve_format(input_format) if input_format else api.guess_format(path)
    if name is None:
        raise InputError("cannot tell the RDF format from the file name; give --input-format",
                         path=str(path))
    if not path.is_file():
        raise InputError("no such file", path=str(path))
    try:
        store.bulk_load(path=str(path), format=oxigraph_format(name))
    except SyntaxError as error:
        message = " ".join(str(error).split())
        where = re.search(r"(?:line |at )(\d+)(?:[:, ]+(?:column )?(\d+))?", message)
        raise InputError(f"not valid {name}: {message[:200]}", path=str(path),
                         line=int(where.group(1)) if where else None,
                         column=int(where.group(2)) if where and where.group(2) else None
                         ) from None


# --------------------------------------------------------------------------------------------
# Command line: ``lexgraph queries`` and ``lexgraph query``


def register_cli(subparsers: Any) -> None:
    listing = subparsers.add_parser(
        "queries", help="list the named SPARQL queries, or print one",
        description="List the named queries with what each answers; with a NAME, print its "
        "SPARQL.")
    listing.add_argument("name", nargs="?", metavar="NAME", help="print this query's SPARQL")
    listing.add_argument("-l", "--long", action="store_true",
                         help="also show parameters, examples and columns")
    listing.add_argument("-f", "--format", choices=("text", "json"), default="text")
    listing.set_defaults(func=_cmd_queries)

    names = ", ".join(q.name for q in list_queries("select"))
    query = subparsers.add_parser(
        "query", help="run a named SPARQL query, or your own .rq file, on a graph",
        description="Run a named query or a .rq file on RDF files, resolution texts (built "
        "first) or a pyoxigraph store folder.", epilog=f"Named queries: {names}.")
    query.add_argument("query", metavar="NAME|FILE.rq", help="a named query or a .rq file")
    query.add_argument("-d", "--data", nargs="+", action="extend", metavar="FILE",
                       help="RDF files, resolution texts or a store folder to query")
    query.add_argument("--store", metavar="DIR",
                       help="query a store made by 'lexgraph build --store' (read-only; its "
                       "default graph merges the documents)")
    query.add_argument("--no-statistics", dest="statistics", action="store_false",
                       help="with --store: run the query as written, not its store form that "
                       "reads the counts the build keeps (queries/store/)")
    query.add_argument("-p", "--param", action="append", default=[], metavar="VAR=VALUE",
                       help="bind a parameter: instrument=https://... or instrument=<...>, "
                       "'relation=lex:implements', 'name=\"text\"@en' (repeatable)")
    query.add_argument("-f", "--format", choices=tuple(dict.fromkeys(SELECT_FORMATS
                                                                     + GRAPH_FORMATS)),
                       help="output format (default: from the -o extension, else table; "
                       "turtle for CONSTRUCT and DESCRIBE; xml is SPARQL XML results for "
                       "SELECT and ASK, RDF/XML for a graph)")
    query.add_argument("-o", "--output", default="-", help="output file ('-': stdout)")
    query.add_argument("-i", "--input-format", help="RDF format of the data files, if their "
                       "names do not tell")
    query.add_argument("--backend", choices=("oxigraph", "rdflib"), default=None,
                       help="query engine (default: oxigraph when pyoxigraph is installed)")
    query.add_argument("--width", type=int, default=80, metavar="N",
                       help="cut table cells at N characters (0: never)")
    query.set_defaults(func=_cmd_query)


def _cmd_queries(args: argparse.Namespace) -> int:
    if args.name:
        named = load_query(args.name)
        text = json.dumps(named.to_json(), indent=2, ensure_ascii=False) \
            if args.format == "json" else named.text
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return EXIT_OK
    queries = sorted(list_queries(), key=lambda q: (QUERY_KINDS.index(q.kind)
                                                    if q.kind in QUERY_KINDS else 99, q.name))
    if args.format == "json":
        sys.stdout.write(json.dumps([q.to_json() for q in queries], indent=2,
                                    ensure_ascii=False) + "\n")
        return EXIT_OK
    labels = [q.name if q.kind == "select" else f"{q.kind}/{q.name}" for q in queries]
    width = max((len(label) for label in labels), default=0)
    lines = []
    for named, label in zip(queries, labels, strict=True):
        if not args.long:
            lines.append(f"{label.ljust(width)}  {named.summary}")
            continue
        lines.append(label)
        lines.append(f"    {named.purpose}")
        for p in named.parameters:
            flag = "required" if p.required else "optional"
            lines.append(f"    param ?{p.name} ({p.type}, {flag}): {p.description}")
            if p.example:
                lines.append(f"        e.g. --param {p.name}={p.example}")
        if named.columns:
            lines.append(f"    columns: {' '.join('?' + c for c in named.columns)}")
        if named.store_form is not None:
            lines.append(f"    on a store: {named.store_form.purpose.rstrip('.')} "
                         f"(queries/store/{named.name}.rq)")
        lines.append("")
    sys.stdout.write("\n".join(lines).rstrip("\n") + "\n")
    return EXIT_OK


def _parse_params(items: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            raise ValueError(f"--param wants VAR=VALUE, got {item!r}")
        if name in params:
            raise ValueError(f"--param {name} given twice")
        params[name] = value
    return params


def _default_backend() -> str:
    try:
        import pyoxigraph  # noqa: F401
    except ImportError:
        return "rdflib"
    return "oxigraph"


def check_syntax(named: NamedQuery) -> None:
    """Raise the one-line syntax error of a malformed query before any data is loaded."""
    if "SERVICE" in sparql_keywords(named.text):
        return  # never run a federated query just to check it
    try:
        import pyoxigraph as ox
    except ImportError:
        return
    empty = ox.Store()
    try:
        result = empty.query(named.text)
    except SyntaxError as error:
        raise _oxigraph_syntax_error(named, error) from None
    if not isinstance(result, ox.QueryBoolean):
        for _ in result:
            break


def _is_lexgraph_store(store: Any) -> bool:
    import pyoxigraph as ox

    return bool(store.contains_named_graph(ox.NamedNode(BOOKKEEPING_GRAPH)))


def _cmd_query(args: argparse.Namespace) -> int:
    target = args.query
    if target.endswith(".rq") or Path(target).is_file():
        named = query_from_file(target)
    else:
        named = load_query(target)
    params = _parse_params(args.param)
    _bindings(named, params)  # refuse unknown, missing and malformed values before loading
    check_syntax(named)
    backend = args.backend or _default_backend()
    if args.store:
        if args.data or backend != "oxigraph":
            raise ValueError("--store is queried on its own, with the oxigraph backend; "
                             "drop --data and --backend")
        from .store import open_store

        data = open_store(args.store, read_only=True)
    elif args.data:
        data = load_data(args.data, backend=backend, input_format=args.input_format)
    else:
        raise ValueError("give the data to query: --data FILE... or --store DIR")
    # A lexgraph store's default graph already merges its documents, each triple once; the
    # union of its named graphs would repeat what several documents hold.
    merged = _is_store(data) and _is_lexgraph_store(data)
    result = run_query(data, named, bindings=params, union_default_graph=not merged,
                       statistics=args.statistics)
    fmt = args.format
    if fmt is None and args.output != "-":
        fmt = _FORMAT_SUFFIXES.get(Path(args.output).suffix.lower())
    fmt = fmt or ("turtle" if result.type == "CONSTRUCT" else "table")
    text = format_result(result, fmt, width=args.width)
    if args.output == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        from .api import write_atomic

        write_atomic(args.output, text)
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# A small SPARQL lexer: which keywords a query uses, outside strings, IRIs and comments.

_TOKENS = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\u00b7\u00c0-\uffff-]*)?:(?:[\w\u00c0-\uffff%\\:.-])*)
  | (?P<bnode>_:[\w.-]+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<space>\s+)
  | (?P<other>.)
""", re.X | re.S)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    start: int


def sparql_tokens(text: str) -> list[Token]:
    """The tokens of a SPARQL query or update, comments and white space left out."""
    tokens = []
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("comment", "space"):
            tokens.append(Token(kind, match.group(), match.start()))
    return tokens


@lru_cache(maxsize=1024)
def sparql_keywords(text: str) -> frozenset[str]:
    """The bare words (upper-cased) a query uses as keywords: ``{"SELECT", "WHERE", ...}``.

    >>> sorted(sparql_keywords('SELECT * { ?service <urn:SERVICE> "SERVICE" } # SERVICE'))
    ['SELECT']
    >>> "SERVICE" in sparql_keywords("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }")
    True
    """
    return frozenset(t.text.upper() for t in sparql_tokens(text) if t.kind == "word")
