"""The ``lexgraph`` command line: a thin front over :mod:`graph_builder.api`.

Exit codes: 0 success (for ``check``: the graph conforms), 1 ``check`` found violations,
2 usage, input or runtime error (one line on stderr naming the file and, where known, line).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from . import formats
from .check import (
    CheckReport,
    Finding,
    check,
    compile_shapes,
    default_rules,
    load_checks,
    severity_named,
)
from .errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, InputError, LexgraphError
from .iris import DEFAULT_BASE
from .models import Severity
from .resolve import pinpoint_words

if TYPE_CHECKING:
    from . import api

PROG = "lexgraph"
# Modules that add subcommands of their own: each defines ``register_cli(subparsers)``, which
# adds a parser and sets ``func`` (taking the parsed arguments, returning the exit code).
# resolution documents a folder given to check is searched for
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
FEATURE_MODULES = ("graph_builder.queries", "graph_builder.serve", "graph_builder.export",
                   "graph_builder.push")


class _Parser(argparse.ArgumentParser):
    """argparse that exits with code 2 and one line, as every other usage error does."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{PROG}: error: {message}\n")
        raise SystemExit(EXIT_ERROR)


def _version() -> str:
    from . import __version__

    return __version__


def _add_metadata_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("document metadata (override what the text says; "
                                      "one source only)")
    group.add_argument("--symbol", help="UN document symbol, e.g. A/RES/58/137")
    group.add_argument("--date", help="adoption date, YYYY-MM-DD")
    group.add_argument("--title", help="the resolution's title")
    group.add_argument("--plenary-meeting", type=int, metavar="N",
                       help="number of the plenary meeting that adopted it")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Turn UN resolutions and the instruments they cite "
                     "into an RDF knowledge graph, and check it.",
                     epilog="Exit codes: 0 ok, 1 check found violations, 2 usage or input error.")
    parser.add_argument("-V", "--version", action="version", version=f"{PROG} {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    formats_list = ", ".join(formats.RDF_FORMATS)

    extract = commands.add_parser("extract", help="print what a resolution's text cites",
                                  description="Parse resolution texts and print paragraphs, "
                                  "footnotes and citations.")
    extract.set_defaults(func=_cmd_extract)
    extract.add_argument("sources", nargs="+", metavar="FILE", help="resolution text files")
    extract.add_argument("-f", "--format", choices=("json", "text"), default="json",
                         help="json (the extraction contract) or text (one citation a line)")
    extract.add_argument("-o", "--output", default="-", help="output file ('-': stdout)")
    extract.add_argument("--base", default=DEFAULT_BASE, help="base IRI of minted IRIs")
    _add_metadata_options(extract)

    build = commands.add_parser("build", help="build the RDF graph of resolution texts",
                                description="Build the knowledge graph of resolution texts.")
    build.set_defaults(func=_cmd_build)
    build.add_argument("sources", nargs="+", metavar="FILE|DIR",
                       help="resolution texts, or folders of them (searched recursively)")
    build.add_argument("-o", "--output", default="-",
                       help="output file; the format follows its extension ('-': stdout)")
    build.add_argument("--store", metavar="DIR",
                       help="build into this on-disk store (an Oxigraph store folder, created "
                       "if new) instead of writing a file: one named graph per document, "
                       "unchanged documents skipped, removed ones dropped")
    build.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                       help="worker processes for a corpus (default: the number of CPUs)")
    build.add_argument("--batch-size", type=int, default=None, metavar="N",
                       help="with --store: documents written per transaction (default 64)")
    build.add_argument("--force", action="store_true",
                       help="with --store: build every document again, changed or not")
    build.add_argument("--optimize", action=argparse.BooleanOptionalAction, default=True,
                       help="with --store: compact the storage after a build that changed it, "
                       "for faster queries and checks and a smaller folder (default: on)")
    build.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="show a progress bar on stderr (default: when it is a terminal)")
    build.add_argument("-q", "--quiet", action="store_true", help="no summary")
    build.add_argument("-f", "--format", help=f"RDF format: {formats_list} (or a MIME type); "
                       "required when writing to stdout unless turtle is wanted")
    build.add_argument("--base", default=DEFAULT_BASE, help="base IRI of minted IRIs")
    build.add_argument("--with-catalogue", action="store_true",
                       help="include the whole instrument catalogue, not only what is cited")
    _add_metadata_options(build)

    check = commands.add_parser(
        "check", help="check citations and structure of texts or graphs",
        description="Check resolution texts (built in memory first), RDF graphs, or folders "
        "of them: the SHACL shapes and the citation checks of queries/checks. Findings read "
        "like a compiler's: FILE:LINE:COLUMN: error[code]: message.",
        epilog="Exit codes: 0 no finding at --fail-on level, 1 some, 2 an input could not be "
        "read.")
    check.set_defaults(func=_cmd_check)
    check.add_argument("sources", nargs="*", metavar="FILE|DIR",
                       help="resolution texts, RDF files, or folders of them")
    check.add_argument("--store", metavar="DIR",
                       help="check a store made by 'lexgraph build --store' (read-only)")
    check.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                       help="with --store: run the checks in N processes (default: the "
                       "number of CPUs)")
    check.add_argument("-f", "--format", choices=("human", "json", "turtle", "sarif"),
                       default="human", help="report format (turtle: a SHACL validation report)")
    check.add_argument("--severity", default="warning", choices=("error", "warning", "info"),
                       help="report findings of this severity and above (default: warning)")
    check.add_argument("--fail-on", default="error", choices=("error", "warning", "info"),
                       help="exit 1 when a finding of this severity or above is reported "
                       "(default: error)")
    check.add_argument("-s", "--shacl", help="shapes file to use instead of lexgraph's")
    check.add_argument("--engine", choices=("sparql", "shacl"), default="sparql",
                       help="sparql: shapes compiled to SPARQL plus the citation checks, on "
                       "Oxigraph (default); shacl: pySHACL on the shapes alone")
    check.add_argument("-i", "--input-format", help="RDF format of the inputs, if the file "
                       "names do not tell")
    check.add_argument("-o", "--output", default="-", help="report file ('-': stdout)")
    _add_metadata_options(check)
    for name in FEATURE_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register_cli(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        return int(args.func(args))
    except LexgraphError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return EXIT_ERROR
    except ValueError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # a bug: still one line, unless asked for the traceback
        if os.environ.get("LEXGRAPH_DEBUG"):
            raise
        sys.stderr.write(f"{PROG}: internal error: {type(error).__name__}: {error} "
                         "(set LEXGRAPH_DEBUG=1 to see the traceback)\n")
        return EXIT_ERROR


def _overrides(args: argparse.Namespace) -> api.Overrides:
    from . import api

    overrides = api.Overrides(args.symbol, args.date, args.title, args.plenary_meeting)
    if len(args.sources) > 1 and any(v is not None for v in (args.symbol, args.date, args.title,
                                                               args.plenary_meeting)):
        raise ValueError("--symbol, --date, --title and --plenary-meeting need a single FILE")
    return overrides


def _emit(text: str, output: str) -> None:
    from . import api

    if output == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        api.write_atomic(output, text)


def _cmd_extract(args: argparse.Namespace) -> int:
    from . import api

    result = api.extract(args.sources, overrides=_overrides(args), base=args.base)
    if args.format == "json":
        _emit(json.dumps(result, indent=2, ensure_ascii=False), args.output)
        return EXIT_OK
    lines = []
    for document in result["documents"]:  # type: ignore[union-attr]
        for citation in document["citations"]:
            target = citation["target"]
            name = f"the {target['title']}" if target["title"] else target["symbol"]
            pin = pinpoint_words(tuple(citation["pinpoint"].items()))
            if pin:
                name = f"{pin}{',' if ',' in pin else ''} of {name}"
            lines.append(f"{document['source']}:{citation['line']}:{citation['column']}: "
                         f"{citation['from']} {citation['relation']} {name}")
    _emit("\n".join(lines), args.output)
    return EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    from . import api
    from . import store as corpus

    if args.jobs < 1:
        raise ValueError("--jobs must be 1 or more")
    bar = _ProgressBar() if (args.progress if args.progress is not None
                             else sys.stderr.isatty() and not args.quiet) else None
    if args.store:
        if args.output != "-" or args.format or args.with_catalogue:
            raise ValueError("--store builds into the store; -o, -f and --with-catalogue write "
                             "a file: give one or the other")
        if any(v is not None for v in (args.symbol, args.date, args.title, args.plenary_meeting)):
            raise ValueError("--symbol, --date, --title and --plenary-meeting do not apply to "
                             "a store build")
        if args.batch_size is not None and args.batch_size < 1:
            raise ValueError("--batch-size must be 1 or more")
        summary = corpus.build_store(args.sources, args.store, jobs=args.jobs, base=args.base,
                                     force=args.force, progress=bar,
                                     batch_size=args.batch_size or corpus.BATCH_DOCUMENTS,
                                     optimize=args.optimize)
        if bar:
            bar.close()
        for line in (*summary.failed, *summary.duplicates):
            sys.stderr.write(f"{PROG}: {'error' if line in summary.failed else 'warning'}: "
                             f"{line}\n")
        if not args.quiet:
            print(summary.human())
        return EXIT_ERROR if summary.failed else EXIT_OK
    if args.format:
        fmt = api.resolve_format(args.format)
    elif args.output == "-":
        fmt = "turtle"
    else:
        guessed = api.guess_format(args.output)
        if guessed is None:
            raise ValueError(f"cannot tell the RDF format from {args.output!r}; give -f/--format")
        fmt = guessed
    _overrides(args)  # refuses metadata for more than one source
    files = corpus.source_files(args.sources)
    if len(files) > 1 and fmt in corpus.STREAM_FORMATS:
        _overrides(argparse.Namespace(**{**vars(args), "sources": files}))  # refuses them
        summary = corpus.write_corpus([shown for _, shown in files], args.output, fmt,
                                      jobs=args.jobs, base=args.base,
                                      with_catalogue=args.with_catalogue, progress=bar)
        if bar:
            bar.close()
        for line in (*summary.failed, *summary.duplicates):
            sys.stderr.write(f"{PROG}: {'error' if line in summary.failed else 'warning'}: "
                             f"{line}\n")
        return EXIT_ERROR if summary.failed else EXIT_OK
    dataset = api.RDF_FORMATS[fmt][1]
    args.sources = [shown for _, shown in files]
    graph = api.build_graph(args.sources, overrides=_overrides(args), base=args.base,
                            dataset=dataset, with_catalogue=args.with_catalogue)
    _emit(api.serialize(graph, fmt), args.output)
    return EXIT_OK


class _ProgressBar:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, width: int = 30) -> None:
        self.width = width
        self.drawn = 0.0
        self.shown = False

    def __call__(self, done: int, total: int, elapsed: float) -> None:
        if done < total and elapsed - self.drawn < 0.1:
            return
        self.drawn = elapsed
        filled = int(self.width * done / total) if total else self.width
        rate = done / elapsed if elapsed > 0 else 0.0
        left = f"{(total - done) / rate:.0f} s left" if rate > 0 and done < total else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} "
                         f"documents  {rate:.1f}/s  {left}\x1b[K")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def _is_rdf(path: str, input_format: str | None) -> bool:
    return bool(input_format) or Path(path).suffix.lower() in formats.RDF_INPUT_SUFFIXES


def _expand(sources: Sequence[str]) -> list[str]:
    """Files named, with folders replaced by the texts and RDF files in them (sorted)."""
    files: list[str] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file()
                           and (p.suffix.lower() in TEXT_SUFFIXES
                                or p.suffix.lower() in formats.RDF_INPUT_SUFFIXES))
            if not found:
                raise InputError("folder holds no resolution texts or RDF files", path=source)
            files.extend(str(p) for p in found)
        else:
            files.append(source)
    return files


def _cmd_check(args: argparse.Namespace) -> int:
    from . import api

    report_level = severity_named(args.severity)
    fail_level = severity_named(args.fail_on)
    if args.store:
        return _check_store(args, report_level, fail_level)
    if not args.sources:
        raise ValueError("give what to check: FILE|DIR... or --store DIR")
    sources = _expand(args.sources)
    overrides = _overrides(argparse.Namespace(**{**vars(args), "sources": sources}))
    graph = Graph()
    shown_as: dict[str, str] = {}
    pipeline: list[Finding] = []
    unreadable = 0
    rules = check_rules(args.shacl)
    checked_codes = {rule.code for rule in rules}
    for source in sources:
        try:
            if _is_rdf(source, args.input_format):
                graph += api.load_rdf([source], args.input_format)
                continue
            resolved = api.process(source, overrides=overrides)
        except LexgraphError as error:
            sys.stderr.write(f"{PROG}: error: {error}\n")
            unreadable += 1
            continue
        api.emit_graph(resolved, graph=graph)
        shown_as[resolved.document.source] = source
        for d in (*resolved.document.diagnostics, *resolved.extraction.diagnostics,
                  *resolved.diagnostics):
            if d.code not in checked_codes:  # the graph checks report the others
                pipeline.append(Finding(code=d.code, severity=d.severity, message=d.message,
                                        focus=source, component="urn:lexgraph:pipeline",
                                        source=source, line=d.line, column=d.column))
    if args.engine == "shacl":
        report = api.check_graph(graph, engine="shacl", shapes=args.shacl)
    else:
        report = check(graph, rules=rules)
    findings = [replace(f, source=shown_as.get(f.source or "", f.source))
                for f in report.findings] + pipeline
    findings.sort(key=lambda f: (f.source or "~", f.line or 0, f.column or 0, f.code))
    report = CheckReport(tuple(findings), report.rules)
    return _report(args, report, report_level, fail_level, len(sources) - unreadable,
                   unreadable)


def _check_store(args: argparse.Namespace, report_level: Severity,
                 fail_level: Severity) -> int:
    """Check a corpus store where it lies: its default graph, the documents merged with the
    ontology."""
    from .check import check_store
    from .store import open_store, store_totals

    if args.sources or args.engine == "shacl":
        raise ValueError("--store is checked on its own, with the sparql engine")
    if any(v is not None for v in (args.symbol, args.date, args.title, args.plenary_meeting)):
        raise ValueError("--symbol, --date, --title and --plenary-meeting do not apply to "
                         "--store")
    if args.jobs < 1:
        raise ValueError("--jobs must be 1 or more")
    store = open_store(args.store, read_only=True)  # a clear error if it is not a store
    documents, _ = store_totals(store)
    del store
    report = check_store(args.store, rules=check_rules(args.shacl), jobs=args.jobs)
    return _report(args, report, report_level, fail_level, documents, 0)


def _report(args: argparse.Namespace, report: CheckReport, report_level: Severity,
            fail_level: Severity, checked: int, unreadable: int) -> int:
    """Write the report in the format asked for; the exit code."""
    if args.format == "turtle":
        _emit(report.to_shacl(report_level).serialize(format="turtle"), args.output)
    elif args.format == "json":
        _emit(json.dumps(report.to_json(report_level), indent=2, ensure_ascii=False), args.output)
    elif args.format == "sarif":
        _emit(json.dumps(report.to_sarif(report_level), indent=2, ensure_ascii=False),
              args.output)
    else:
        shown = report.at_least(report_level)
        lines = [finding.human() for finding in shown]
        counts = {level: sum(1 for f in shown if f.severity is level) for level in Severity}
        summary = (f"{checked} document(s) checked: {counts[Severity.ERROR]} error(s), "
                   f"{counts[Severity.WARNING]} warning(s)")
        if report_level is Severity.INFO:
            summary += f", {counts[Severity.INFO]} note(s)"
        lines.append(summary)
        _emit("\n".join(lines), args.output)
    if unreadable:
        return EXIT_ERROR
    return EXIT_VIOLATIONS if report.at_least(fail_level) else EXIT_OK


def check_rules(shapes: str | None) -> tuple:
    """The rules ``check`` runs: lexgraph's, or the shapes of ``--shacl`` with the checks."""
    if shapes is None:
        return default_rules()
    try:
        shapes_graph = Graph().parse(shapes, format="turtle")
    except FileNotFoundError:
        raise InputError("no such file", path=shapes) from None
    except Exception as error:  # rdflib's parsers raise many unrelated types
        raise InputError(f"not valid turtle: {' '.join(str(error).split())[:200]}",
                         path=shapes) from None
    return tuple(compile_shapes(shapes_graph) + load_checks())


