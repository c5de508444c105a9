"""The corpus store: an on-disk Oxigraph store with one named graph per source document.

lexgraph keeps its bookkeeping (which source file became which graph, from which content and
with which version of lexgraph) in the store itself, as RDF in :data:`BOOKKEEPING_GRAPH`, so
that ``oxigraph serve --location`` and ``pyoxigraph.Store(path)`` open the folder as it is.
"""

from __future__ import annotations

BOOKKEEPING_GRAPH = "https://w3id.org/lexgraph/bookkeeping"
