"""Shared fixtures. Paths are anchored on this file, never on the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = ROOT / "examples" / "A-RES-58-137.txt"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def test_catalogue():
    from graph_builder.catalogue import Catalogue

    return Catalogue.from_files([DATA / "catalogue.ttl"])


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE
