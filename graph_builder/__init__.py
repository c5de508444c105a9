"""lexgraph: UN resolutions and the instruments they cite, as a checked RDF knowledge graph.

The pipeline is one module per stage (:mod:`.parse` -> :mod:`.extract` -> :mod:`.resolve` ->
:mod:`.emit`); this package exports the one-call functions over it. They are imported when
first used, so that a command that needs few of them (a query) starts without loading all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# public name -> the module that defines it
_EXPORTS = {
    **dict.fromkeys(("Overrides", "build_graph", "check_graph", "extract", "extraction_json",
                     "load_rdf", "process", "serialize"), ".api"),
    **dict.fromkeys(("CheckReport", "Finding"), ".check"),
    "to_networkx": ".export",
    "extract_references": ".extract",
    "IriMinter": ".iris",
    **dict.fromkeys(("parse_source", "parse_text"), ".parse"),
    **dict.fromkeys(("list_queries", "load_query", "run_query"), ".queries"),
    "resolve_references": ".resolve",
}

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


# The stage module ``.extract`` and the function ``extract`` share a name. Importing a submodule
# binds it on the package, so load the stage now and drop that binding: the package's
# ``extract`` stays the function, whatever is imported later.
importlib.import_module(".extract", __name__)
del globals()["extract"]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("lexgraph")
        except PackageNotFoundError:  # running from a checkout that was never installed
            found = "0.0.0+unknown"
    elif name in _EXPORTS:
        found = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = found
    return found


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
