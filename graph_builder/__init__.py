"""lexgraph: UN resolutions and the instruments they cite, as a checked RDF knowledge graph.

The pipeline is one module per stage (:mod:`.parse` -> :mod:`.extract` -> :mod:`.resolve` ->
:mod:`.emit`); this package exports the one-call functions over it.
"""

from importlib.metadata import PackageNotFoundError, version

from .api import (
    Overrides,
    build_graph,
    check_graph,
    extract,
    extraction_json,
    load_rdf,
    process,
    serialize,
)
from .check import CheckReport, Finding
from .export import to_networkx
from .extract import extract_references
from .iris import IriMinter
from .parse import parse_source, parse_text
from .queries import list_queries, load_query, run_query
from .resolve import resolve_references

try:
    __version__ = version("lexgraph")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "CheckReport",
    "Finding",
    "IriMinter",
    "Overrides",
    "__version__",
    "build_graph",
    "check_graph",
    "extract",
    "extract_references",
    "extraction_json",
    "list_queries",
    "load_query",
    "load_rdf",
    "parse_source",
    "parse_text",
    "process",
    "resolve_references",
    "run_query",
    "serialize",
    "to_networkx",
]
