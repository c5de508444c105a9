"""Benchmark ``lexgraph export`` on a corpus of resolution texts, and the HTML viewer in Chromium.

    python bench/export_bench.py [CORPUS_FOLDER] [--graph corpus.nt] [--json results.json]

CORPUS_FOLDER defaults to ``../shared/corpus/unga`` beside the repository; without it (and
without ``--graph``) the benchmark says so and exits 0. Steps, each timed:

1. build the corpus graph and write it as N-Triples (skipped with ``--graph``);
2. ``lexgraph export corpus.nt --to html`` end to end, as a user runs it (pyoxigraph reads the
   file where it is installed), and again with rdflib reading it;
3. in one process: load with rdflib, the citations view from rdflib and from pyoxigraph, and
   each format written from the view, with its size;
4. the HTML page in headless Chromium (skipped when Chromium is absent): time until the viewer
   is laid out and ready, the longest the page's main thread was busy at a stretch while
   loading (a timer that should fire every 10 ms, and the browser's long-task records), and the
   time to draw one frame afterwards (what panning and zooming cost).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "unga"
FORMATS = ("graphml", "gexf", "cyjs", "dot", "html")

# Installed before the page's own script runs: how late a 10 ms timer fires tells how long the
# main thread was busy; long tasks (over 50 ms) are also recorded where the browser reports them.
PROBE = """
window.__bench = {maxTimerGap: 0, longTasks: []};
(function () {
  let last = performance.now();
  setInterval(function () {
    const now = performance.now();
    window.__bench.maxTimerGap = Math.max(window.__bench.maxTimerGap, now - last);
    last = now;
  }, 10);
  try {
    new PerformanceObserver(function (list) {
      for (const entry of list.getEntries()) window.__bench.longTasks.push(entry.duration);
    }).observe({type: "longtask", buffered: true});
  } catch (error) { /* no long-task records in this browser */ }
})();
"""


def _browser_module():
    """The DevTools client of the browser tests, loaded from its file."""
    path = ROOT / "tests" / "test_export_browser.py"
    spec = importlib.util.spec_from_file_location("lexgraph_export_browser", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _timed(label: str, results: dict, function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    results[label] = round(time.perf_counter() - started, 2)
    print(f"{label}: {results[label]} s", flush=True)
    return value


def build_corpus_graph(corpus: Path, out: Path, results: dict) -> None:
    from graph_builder.api import build_graph

    texts = sorted(corpus.glob("*.txt"))
    results["documents"] = len(texts)
    graph = _timed("build graph (s)", results, build_graph, texts)
    results["triples"] = len(graph)
    _timed("write N-Triples (s)", results, graph.serialize, destination=str(out), format="nt",
           encoding="utf-8")


# The command line as a user runs it; the second time with rdflib reading the file, as when
# pyoxigraph is not installed.
CLI = "import sys; from graph_builder.cli import main; sys.exit(main(sys.argv[1:]))"
CLI_WITH_RDFLIB = ("import graph_builder.export as export; "
                   "export._load_with_oxigraph = lambda paths, fmt: None; " + CLI)


def measure_cli(graph_file: Path, folder: Path, results: dict) -> Path:
    out = folder / "corpus-citations.html"
    for label, code in (("CLI export --to html, end to end (s)", CLI),
                        ("same, rdflib reading the file (s)", CLI_WITH_RDFLIB)):
        command = [sys.executable, "-c", code, "export", str(graph_file), "--to", "html",
                   "-o", str(out)]
        started = time.perf_counter()
        subprocess.run(command, check=True)
        results[label] = round(time.perf_counter() - started, 2)
        print(f"{label}: {results[label]} s", flush=True)
    return out


def measure_in_process(graph_file: Path, folder: Path, results: dict) -> None:
    from graph_builder.api import load_rdf
    from graph_builder.export import export_text, to_networkx

    graph = _timed("load N-Triples with rdflib (s)", results, load_rdf, [graph_file])
    view = _timed("citations view from rdflib (s)", results, to_networkx, graph)
    results["view nodes"] = view.number_of_nodes()
    results["view edges"] = view.number_of_edges()
    try:
        import pyoxigraph
    except ImportError:
        pyoxigraph = None
    if pyoxigraph is not None:
        store = pyoxigraph.Store()
        _timed("load N-Triples with pyoxigraph (s)", results, store.bulk_load,
               path=str(graph_file), format=pyoxigraph.RdfFormat.N_TRIPLES)
        _timed("citations view from pyoxigraph (s)", results, to_networkx, store)
    for fmt in FORMATS:
        text = _timed(f"write {fmt} (s)", results, export_text, view, fmt)
        results[f"{fmt} size (MB)"] = round(len(text.encode()) / 1e6, 1)
        (folder / f"corpus-citations.{fmt}").write_text(text, encoding="utf-8")


def measure_browser(html: Path, results: dict) -> None:
    module = _browser_module()
    program = module.find_chromium()
    if program is None:
        print("Chromium is not installed: the viewer is not measured")
        return
    browser = module.Browser(program)
    try:
        browser.call("Page.addScriptToEvaluateOnNewDocument", source=PROBE)
        started = time.perf_counter()
        browser.open(html.as_uri(), timeout=600)
        results["viewer ready, wall clock (s)"] = round(time.perf_counter() - started, 2)
        stats = browser.evaluate("window.lexgraph.stats()")
        probe = browser.evaluate("window.__bench")
        results["viewer ready after navigation (s)"] = round(stats["readyMs"] / 1000, 2)
        results["of which layout (s)"] = round(stats["layoutMs"] / 1000, 2)
        results["longest main-thread stall while loading (ms)"] = round(probe["maxTimerGap"])
        if probe["longTasks"]:
            results["longest long task (ms)"] = round(max(probe["longTasks"]))
        results["one frame after load (ms)"] = round(
            browser.evaluate("window.lexgraph.renderTime(20)"), 1)
        results["viewer nodes/edges"] = f"{stats['nodes']}/{stats['edges']}"
        results["console problems"] = len(browser.problems())
    finally:
        browser.close()
    print(json.dumps({k: v for k, v in results.items() if "viewer" in k or "ms" in k}, indent=1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS),
                        help="folder of resolution texts (default: ../shared/corpus/unga)")
    parser.add_argument("--graph", help="an N-Triples file of the corpus graph, already built")
    parser.add_argument("--json", help="write the results to this file as JSON")
    parser.add_argument("--keep", help="folder to keep the exported files in")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    if not args.graph and not corpus.is_dir():
        print(f"skipped: no corpus folder at {corpus} (give one, or --graph FILE)")
        return 0
    results: dict[str, object] = {"python": platform.python_version(),
                                  "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="lexgraph-export-bench-") as scratch:
        folder = Path(args.keep) if args.keep else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        graph_file = Path(args.graph) if args.graph else folder / "corpus.nt"
        if not args.graph:
            build_corpus_graph(corpus, graph_file, results)
        html = measure_cli(graph_file, folder, results)
        measure_in_process(graph_file, folder, results)
        measure_browser(html, results)
    print("\n| measure | value |\n|---|---|")
    for key, value in results.items():
        print(f"| {key} | {value} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
