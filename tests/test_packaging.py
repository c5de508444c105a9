"""A non-editable install works: the wheel carries ontology/, queries/ and the example.

Builds the wheel from this checkout, installs it into a fresh virtual environment (its
dependencies are borrowed from the running environment, so no network is needed), and runs
``lexgraph build`` there from a folder outside the checkout.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(out), str(ROOT)], check=True, timeout=300)
    (built,) = out.glob("lexgraph-*.whl")
    return built


def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("graph_builder/cli.py", "graph_builder/py.typed",
                     "graph_builder/_data/ontology/lexgraph.ttl",
                     "graph_builder/_data/ontology/shapes.ttl",
                     "graph_builder/_data/ontology/instruments.ttl",
                     "graph_builder/_data/examples/A-RES-58-137.txt",
                     "graph_builder/_data/queries/checks/article-not-found-violation.rq",
                     "graph_builder/web/viewer.html"):
        assert required in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "lexgraph = graph_builder.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_builds_the_example(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # Borrow rdflib, pyshacl, networkx from this environment, after the venv's own packages.
    Path(site, "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                    "--no-index", "--quiet", str(wheel)], check=True, timeout=300)
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run([str(python), "-c", "import graph_builder, graph_builder.resources as r;"
                            "print(graph_builder.__file__); print(r.data_root())"],
                           cwd=work, capture_output=True, text=True, check=True).stdout.split()
    assert all(str(env_dir) in line for line in where), where
    example = subprocess.run([str(python), "-c", "from graph_builder.resources import example_file;"
                              "print(example_file())"], cwd=work, capture_output=True, text=True,
                             check=True).stdout.strip()
    result = subprocess.run([str(env_dir / "bin" / "lexgraph"), "build", example, "-o", "g.ttl"],
                            cwd=work, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(str(work / "g.ttl"), format="turtle")
    assert len(graph) > 500


def test_the_package_exports_its_functions_lazily():
    """A command that needs few of the pipeline's modules (a query) does not load them all: the
    package's functions are imported at first use, and the command line loads the pipeline and
    networkx only for the commands that build, check or export."""
    script = (
        "import sys, graph_builder, graph_builder.cli\n"
        "graph_builder.cli.build_parser()\n"
        "print(sorted(m for m in ('networkx', 'graph_builder.api', 'graph_builder.parse',\n"
        "                         'graph_builder.store', 'pyshacl') if m in sys.modules))\n"
        "import graph_builder.extract\n"
        "from graph_builder import extract, build_graph, to_networkx, run_query, __version__\n"
        "print(extract.__module__, build_graph.__module__, to_networkx.__module__,\n"
        "      run_query.__module__, bool(__version__))\n"
        "print(all(hasattr(graph_builder, name) for name in graph_builder.__all__))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.splitlines() == [
        "[]",
        "graph_builder.api graph_builder.api graph_builder.export graph_builder.queries True",
        "True"]
