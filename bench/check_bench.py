"""Benchmark of `lexgraph check`: the checks against bare SPARQL on the same store, and the
compiled shapes against pySHACL on a small graph.

    python bench/check_bench.py [CORPUS_DIR] [--documents N] [--small M]

CORPUS_DIR defaults to ../shared/corpus/unga beside the repository; the script says so and
stops if it is absent. All times are medians of three runs, measured in this one process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from graph_builder import build_graph
from graph_builder.check import (
    check,
    check_with_pyshacl,
    compile_shapes,
    default_rules,
    to_store,
)
from graph_builder.resources import ontology_file

ROOT = Path(__file__).resolve().parent.parent


def median_time(work, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "unga"))
    parser.add_argument("--documents", type=int, default=902)
    parser.add_argument("--small", type=int, default=10)
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    files = sorted(corpus.glob("*.txt"))[:args.documents]
    if not files:
        print(f"no corpus at {corpus}: nothing to measure")
        return 0
    rules = default_rules()

    start = time.perf_counter()
    graph = build_graph(files)
    built = time.perf_counter() - start
    store = to_store(graph)
    print(f"{len(files)} documents, {len(graph)} triples (built in {built:.1f} s)")

    def bare() -> None:
        for rule in rules:
            for _ in store.query(rule.query, use_default_graph_as_union=True):
                pass

    findings = len(check(store).findings)
    bare_time = median_time(bare)
    check_time = median_time(lambda: check(store))
    print(f"bare SPARQL of all {len(rules)} rules: {bare_time:.3f} s")
    print(f"lexgraph check on the store:   {check_time:.3f} s ({findings} findings), "
          f"ratio {check_time / bare_time:.2f}x")

    small = build_graph(files[:args.small])
    shapes = compile_shapes(_shapes())
    compiled_time = median_time(lambda: check(small, rules=shapes))
    shacl_time = median_time(lambda: check_with_pyshacl(small), runs=1)
    print(f"{args.small} documents, {len(small)} triples: compiled shapes {compiled_time:.3f} s, "
          f"pySHACL {shacl_time:.2f} s, ratio {shacl_time / compiled_time:.0f}x")

    example = build_graph([ROOT / "examples" / "A-RES-58-137.txt"])
    one = median_time(lambda: check(example))
    print(f"one resolution (the example, {len(example)} triples): {one * 1000:.0f} ms")
    return 0


def _shapes():
    from rdflib import Graph

    return Graph().parse(str(ontology_file("shapes.ttl")), format="turtle")


if __name__ == "__main__":
    sys.exit(main())
