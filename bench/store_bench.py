"""Corpus builds into the on-disk store, against Oxigraph bulk-loading the same quads.

    python bench/store_bench.py                        # the 902 real resolutions
    python bench/store_bench.py --sizes 1000 5000 20000  # and synthetic corpora of these sizes

For each corpus, in one run: ``lexgraph build DIR --store DB --jobs N`` (time, peak memory),
the same build again with nothing changed, ``oxigraph load`` of the store's own quads into a
fresh store followed by ``oxigraph optimize`` (the reference: the build compacts its store too,
and reports how long that took), the named queries on the store, and ``lexgraph check --store``.
Peak memory is sampled from /proc every 50 ms: the largest single process and the sum over
the build's process tree. Results go to stdout as Markdown and, with ``--json``, to a file;
``--plot`` draws how documents/s and peak memory grow with corpus size (SVG).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "unga"
QUERY_LIMIT = 300.0  # seconds for one corpus-wide named query


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(command: list[str]) -> dict[str, float]:
    """Run a command; its wall time and peak memory (largest process, whole tree) in MB."""
    peak_single = peak_tree = 0
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_single, peak_tree
        while not done.is_set():
            pids, queue = [], [process.pid]
            while queue:
                pid = queue.pop()
                pids.append(pid)
                queue.extend(_children(pid))
            sizes = [_rss_kb(pid) for pid in pids]
            peak_single = max(peak_single, max(sizes, default=0))
            peak_tree = max(peak_tree, sum(sizes))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): "
                         f"{err.decode()[-500:]}")
    return {"seconds": seconds, "peak_mb": peak_single / 1024, "tree_mb": peak_tree / 1024,
            "stdout": out.decode()}


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        raise SystemExit("the oxigraph server is needed: pip install oxigraph")
    return found


def lexgraph(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "graph_builder", *arguments]


def bench_corpus(corpus: Path, work: Path, jobs: int) -> dict[str, object]:
    import pyoxigraph as ox

    from graph_builder.queries import list_queries, run_query
    from graph_builder.store import read_records

    documents = sum(1 for p in corpus.rglob("*") if p.is_file()
                    and p.suffix.lower() in (".txt", ".md", ".html", ".htm", ".pdf"))
    db = work / "db"
    shutil.rmtree(db, ignore_errors=True)
    first = run(lexgraph("build", str(corpus), "--store", str(db), "--jobs", str(jobs),
                         "--no-progress"))
    again = run(lexgraph("build", str(corpus), "--store", str(db), "--jobs", str(jobs), "-q"))

    store = ox.Store.read_only(str(db))
    quads = len(store)
    triples = sum(r.triples for r in read_records(store).values())
    dump = work / "store.nq"
    store.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    del store
    reference_db = work / "reference"
    shutil.rmtree(reference_db, ignore_errors=True)
    reference = run([oxigraph_binary(), "load", "--location", str(reference_db),
                     "--file", str(dump)])
    reference_optimize = run([oxigraph_binary(), "optimize", "--location", str(reference_db)])
    shutil.rmtree(reference_db, ignore_errors=True)
    compacted = re.search(r"storage compacted in ([0-9.]+) s", first["stdout"])

    store = ox.Store.read_only(str(db))
    # a resolution of this corpus for the queries about one resolution
    one = sorted(r.graph for r in read_records(store).values())[len(read_records(store)) // 2]
    query_times: dict[str, float] = {}
    scoped_times: dict[str, float] = {}
    for named in list_queries("select"):
        examples = {p.name: (f"<{one}>" if p.name == "resolution" else p.example)
                    for p in named.parameters if p.example is not None}
        required = {p.name for p in named.parameters if p.required}
        if not required <= set(examples):
            continue  # a required parameter without an example to try
        if set(examples) != required:  # one resolution or instrument, in this process
            started = time.perf_counter()
            len(run_query(store, named, bindings=examples))
            scoped_times[named.name] = time.perf_counter() - started
        # corpus-wide, through the command line, in a process given QUERY_LIMIT seconds
        # (co-citation of every pair of documents grows with the square of the corpus)
        command = lexgraph("query", named.name, "--store", str(db), "-f", "csv", "-o",
                           os.devnull, *[f"--param={k}={v}" for k, v in examples.items()
                                         if k in required])
        started = time.perf_counter()
        try:
            subprocess.run(command, check=True, timeout=QUERY_LIMIT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            query_times[named.name] = time.perf_counter() - started
        except subprocess.TimeoutExpired:
            query_times[named.name] = float("inf")
    del store
    check = run(lexgraph("check", "--store", str(db), "-f", "json", "-o",
                         str(work / "check.json")))
    findings = len(json.loads((work / "check.json").read_text())["findings"])
    size_mb = sum(p.stat().st_size for p in db.rglob("*") if p.is_file()) / 2**20
    dump.unlink()
    return {
        "documents": documents, "triples": triples, "quads": quads, "jobs": jobs,
        "build_s": first["seconds"], "build_peak_mb": first["peak_mb"],
        "build_tree_mb": first["tree_mb"],
        "rebuild_s": again["seconds"], "reference_load_s": reference["seconds"],
        "reference_optimize_s": reference_optimize["seconds"],
        "build_compaction_s": float(compacted.group(1)) if compacted else 0.0,
        "reference_peak_mb": reference["peak_mb"],
        "queries_s": query_times, "scoped_queries_s": scoped_times, "check_s": check["seconds"], "check_findings": findings,
        "check_peak_mb": check["peak_mb"], "store_mb": size_mb,
    }


def _seconds(value: float) -> str:
    return f"> {QUERY_LIMIT:.0f} s" if value == float("inf") else f"{value:.2f} s"


def report(rows: list[dict[str, object]]) -> str:
    lines = [
        "| corpus | documents | triples (graphs) | quads in store | build | documents/s | "
        "triples/s | peak RSS (largest process / tree) | rebuild, nothing changed | "
        "oxigraph load of the same quads (+ optimize) | build / (load + optimize) | "
        "build without its compaction / load | slowest named query (corpus-wide) | "
        "slowest named query (one resolution or instrument) | check --store |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        slowest = max(row["queries_s"].items(), key=lambda kv: kv[1])  # type: ignore[union-attr]
        scoped = max(row["scoped_queries_s"].items(),  # type: ignore[union-attr]
                     key=lambda kv: kv[1])
        lines.append(
            f"| {row['name']} | {row['documents']:,} | {row['triples']:,} | {row['quads']:,} | "
            f"{row['build_s']:.1f} s | {row['documents'] / row['build_s']:.1f} | "
            f"{row['triples'] / row['build_s']:,.0f} | "
            f"{row['build_peak_mb']:.0f} / {row['build_tree_mb']:.0f} MB | "
            f"{row['rebuild_s']:.2f} s ({100 * row['rebuild_s'] / row['build_s']:.1f}%) | "
            f"{row['reference_load_s']:.1f} s (+ {row['reference_optimize_s']:.1f} s) | "
            f"{row['build_s'] / (row['reference_load_s'] + row['reference_optimize_s']):.2f}x | "
            f"{(row['build_s'] - row['build_compaction_s']) / row['reference_load_s']:.2f}x | "
            f"{slowest[0]} {_seconds(slowest[1])} | {scoped[0]} {_seconds(scoped[1])} | "
            f"{row['check_s']:.1f} s |")
    return "\n".join(lines)


def plot(rows: list[dict[str, object]], path: Path) -> None:
    """Documents/s and peak memory against corpus size, as a small SVG line chart."""
    rows = sorted(rows, key=lambda r: r["documents"])  # type: ignore[arg-type, return-value]
    width, height, margin = 640, 320, 60
    xs = [float(r["documents"]) for r in rows]  # type: ignore[arg-type]
    series = [("documents/s", [r["documents"] / r["build_s"] for r in rows], "#1f77b4"),
              ("peak RSS, MB (tree)", [r["build_tree_mb"] for r in rows], "#d62728")]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{width / 2}" y="20" text-anchor="middle">lexgraph build --store: '
             f'speed and memory by corpus size</text>']
    x_max = max(xs) or 1
    for index, (label, values, colour) in enumerate(series):
        y_max = max(values) * 1.15 or 1
        points = " ".join(
            f"{margin + (width - 2 * margin) * x / x_max:.1f},"
            f"{height - margin - (height - 2 * margin) * v / y_max:.1f}"
            for x, v in zip(xs, values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                     f'points="{points}"/>')
        for x, v in zip(xs, values):
            cx = margin + (width - 2 * margin) * x / x_max
            cy = height - margin - (height - 2 * margin) * v / y_max
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}"/>')
            dy = -6 if index == 0 else 16  # one series' labels above its points, one below
            parts.append(f'<text x="{cx:.1f}" y="{cy + dy:.1f}" text-anchor="middle" '
                         f'fill="{colour}">{v:,.0f}</text>')
        parts.append(f'<text x="{margin}" y="{40 + 16 * index}" fill="{colour}">{label}</text>')
    axis_y = height - margin
    parts.append(f'<line x1="{margin}" y1="{axis_y}" x2="{width - margin}" y2="{axis_y}" '
                 f'stroke="black"/>')
    for x in xs:
        cx = margin + (width - 2 * margin) * x / x_max
        parts.append(f'<text x="{cx:.1f}" y="{axis_y + 18}" text-anchor="middle">'
                     f'{int(x):,}</text>')
    parts.append(f'<text x="{width / 2}" y="{height - 15}" text-anchor="middle">documents '
                 f'in the corpus</text></svg>')
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder of real resolutions (default: ../shared/corpus/unga)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[],
                        help="also synthetic corpora of these sizes (bench/synth.py)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--plot", type=Path, help="write an SVG chart here")
    parser.add_argument("--skip-real", action="store_true", help="only the synthetic corpora")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="lexgraph-store-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    if not args.skip_real:
        if not args.corpus.is_dir():
            raise SystemExit(f"no corpus at {args.corpus}")
        row = bench_corpus(args.corpus, work, args.jobs)
        rows.append({"name": args.corpus.name, **row})
        print(report(rows[-1:]), flush=True)
    for size in args.sizes:
        folder = work / f"synth-{size}"
        if not folder.is_dir():
            subprocess.run([sys.executable, str(HERE / "synth.py"), "--templates",
                            str(args.corpus), "--count", str(size), "--out", str(folder),
                            "--jobs", str(args.jobs), "--no-manifest"], check=True)
        row = bench_corpus(folder, work, args.jobs)
        rows.append({"name": f"synthetic {size:,}", **row})
        print(report(rows[-1:]), flush=True)
    print()
    print(report(rows))
    for row in rows:
        for key, what in (("queries_s", "corpus-wide"),
                          ("scoped_queries_s", "with their example parameters")):
            print(f"\n{row['name']}: named queries on the store, {what} (s): " + ", ".join(
                f"{name} {_seconds(seconds)}" for name, seconds in
                sorted(row[key].items(), key=lambda kv: -kv[1])))  # type: ignore[union-attr]
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    if args.plot and rows:
        plot(rows, args.plot)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
