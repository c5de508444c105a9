"""RDF file formats by name, alias and file extension.

Kept apart from :mod:`.api` so that the command line can offer them without loading the
pipeline.
"""

from __future__ import annotations

from pathlib import Path

# Output formats: name -> (rdflib serializer, is a dataset format, file extensions)
RDF_FORMATS: dict[str, tuple[str, bool, tuple[str, ...]]] = {
    "turtle": ("turtle", False, (".ttl",)),
    "nt": ("nt", False, (".nt",)),
    "jsonld": ("json-ld", False, (".jsonld", ".json")),
    "xml": ("xml", False, (".rdf", ".owl", ".xml")),
    "trig": ("trig", True, (".trig",)),
    "nquads": ("nquads", True, (".nq",)),
}
FORMAT_ALIASES = {"ttl": "turtle", "n-triples": "nt", "ntriples": "nt", "json-ld": "jsonld",
                  "nq": "nquads", "n-quads": "nquads", "rdfxml": "xml", "rdf/xml": "xml",
                  "text/turtle": "turtle", "application/n-triples": "nt",
                  "application/ld+json": "jsonld", "application/trig": "trig",
                  "application/n-quads": "nquads", "application/rdf+xml": "xml"}
RDF_INPUT_SUFFIXES = {ext: name for name, (_, _, exts) in RDF_FORMATS.items() for ext in exts
                      if ext not in (".json", ".xml")}


def resolve_format(name: str) -> str:
    """A format name or MIME type -> the canonical name in :data:`RDF_FORMATS`."""
    key = FORMAT_ALIASES.get(name.lower(), name.lower())
    if key not in RDF_FORMATS:
        raise ValueError(f"unknown RDF format {name!r}; choose from {', '.join(RDF_FORMATS)}")
    return key


def guess_format(path: str | Path) -> str | None:
    suffix = Path(path).suffix.lower()
    for name, (_, _, extensions) in RDF_FORMATS.items():
        if suffix in extensions:
            return name
    return None
