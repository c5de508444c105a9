"""Find the data files (ontology, queries, examples) in a checkout or an installed wheel.

The wheel carries them under ``graph_builder/_data/``; a source checkout has them at the top
of the repository. Installed data wins, so an installed lexgraph never reads a stray checkout.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """The folder holding ``ontology/`` and ``queries/``."""
    installed = _PACKAGE / "_data"
    if (installed / "ontology").is_dir():
        return installed
    checkout = _PACKAGE.parent
    if (checkout / "ontology").is_dir():
        return checkout
    raise FileNotFoundError("lexgraph data files (ontology/, queries/) are missing: "
                            "reinstall lexgraph")


def ontology_file(name: str) -> Path:
    """A file of ``ontology/``: ``lexgraph.ttl``, ``shapes.ttl``, ``instruments.ttl``."""
    return data_root() / "ontology" / name


def queries_dir() -> Path:
    return data_root() / "queries"


def example_file(name: str = "A-RES-58-137.txt") -> Path:
    return data_root() / "examples" / name
