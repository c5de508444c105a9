"""Time every named query on a corpus store: as lexgraph runs it, and as written.

On a store whose statistics are current, ``run_query`` runs a query's store form
(``queries/store/``); ``--written`` also times the query as written (``statistics=False``),
the reference, in the same run. Each case runs in its own process, given ``--limit`` seconds;
inside it the query runs ``--repeat`` times and the median is kept (the first run reads
from disk what the others find in the cache). Times include turning every row into rdflib
terms and, for a store form, lexgraph's sort: what a caller of ``run_query`` waits for.

    python bench/query_bench.py --store DB --written
    python bench/query_bench.py --store DB --written --query resolutions --query co-citation
    python bench/query_bench.py --store DB --param resolution=https://w3id.org/lexgraph/akn/un/doc/a-res-86-563
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cases(values: dict[str, str]) -> list[tuple[str, dict[str, str], str]]:
    """(query, bindings, what) for every named query: about one resolution or instrument
    where it takes a parameter (the value given for it, else its example), and corpus-wide
    where it needs none."""
    from graph_builder.queries import list_queries

    found = []
    for query in list_queries("select"):
        scoped = {p.name: values.get(p.name) or p.example for p in query.parameters
                  if values.get(p.name) or p.example}
        required = {p.name for p in query.parameters if p.required}
        if not required <= set(scoped):
            continue
        if scoped:
            # one value at a time for the optional ones; the required ones always
            for name in sorted(set(scoped) - required) or [None]:
                bindings = {k: v for k, v in scoped.items() if k in required or k == name}
                found.append((query.name, bindings, "one"))
        if not required:
            found.append((query.name, {}, "corpus"))
    return found


def time_one(store_path: str, name: str, bindings: dict[str, str], written: bool,
             repeat: int) -> dict[str, object]:
    import pyoxigraph as ox

    from graph_builder.queries import load_query, run_query

    store = ox.Store.read_only(store_path)
    query = load_query(name)
    times, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = len(run_query(store, query, bindings=bindings, statistics=not written))
        times.append(time.perf_counter() - started)
    return {"first": times[0], "median": statistics.median(times), "rows": rows}


def measure(store: str, name: str, bindings: dict[str, str], written: bool, repeat: int,
            limit: float) -> dict[str, object]:
    command = [sys.executable, __file__, "--store", store, "--one", name,
               "--bindings", json.dumps(bindings), "--repeat", str(repeat)]
    if written:
        command.append("--written")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit,
                              check=True)
    except subprocess.TimeoutExpired:
        return {"median": None, "first": None, "rows": None, "timeout": limit}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="a store built by lexgraph build --store")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=IRI",
                        help="the value of a parameter for the queries that take it, such as "
                        "resolution=<IRI> (default: each query's own example)")
    parser.add_argument("--written", action="store_true",
                        help="also time each query as written (the reference)")
    parser.add_argument("--query", action="append", default=[], metavar="NAME",
                        help="time only this named query (again for more; default: all)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=120.0,
                        help="seconds for one case, all its runs (default 120)")
    parser.add_argument("--json", help="write the measurements here")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--bindings", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(time_one(args.store, args.one, json.loads(args.bindings),
                                  args.written, args.repeat)))
        return 0

    from graph_builder.statistics import is_current
    import pyoxigraph as ox

    if not is_current(ox.Store.read_only(args.store)):
        print("note: the store's statistics are not current; every query runs as written")
    results = []
    print("| named query | parameters | rows | lexgraph (median of "
          f"{args.repeat}) | first run |" + (" as written | written / lexgraph |"
                                             if args.written else ""))
    print("|---|---|---:|---:|---:|" + ("---:|---:|" if args.written else ""))
    values = {}
    for item in args.param:
        name, _, value = item.partition("=")
        values[name] = value if value.startswith("<") else f"<{value}>"
    for name, bindings, what in cases(values):
        if args.query and name not in args.query:
            continue
        fast = measure(args.store, name, bindings, False, args.repeat, args.limit)
        row = {"query": name, "bindings": bindings, "scope": what, "statistics": fast}
        shown = ", ".join(f"{k}={v.rsplit('/', 1)[-1].rstrip('>')}" for k, v in bindings.items())
        line = (f"| `{name}` | {shown or 'corpus-wide'} | {fast['rows']} | "
                f"{_seconds(fast['median'])} | {_seconds(fast['first'])} |")
        if args.written:
            slow = measure(args.store, name, bindings, True, 1, args.limit)
            row["written"] = slow
            ratio = (f"{slow['median'] / fast['median']:.0f}x" if slow["median"]
                     and fast["median"] else "")
            line += f" {_seconds(slow['median'], args.limit)} | {ratio} |"
        results.append(row)
        print(line, flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def _seconds(value: object, limit: float | None = None) -> str:
    if value is None:
        return f"> {limit:.0f} s" if limit else "timeout"
    return f"{value:.3f} s"


if __name__ == "__main__":
    raise SystemExit(main())
