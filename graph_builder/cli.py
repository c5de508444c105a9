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
from pathlib import Path

from rdflib import RDF, Graph
from rdflib.namespace import SH

from . import api
from .errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, LexgraphError
from .iris import DEFAULT_BASE
from .resolve import pinpoint_words

PROG = "lexgraph"
# Modules that add subcommands of their own: each defines ``register_cli(subparsers)``, which
# adds a parser and sets ``func`` (taking the parsed arguments, returning the exit code).
FEATURE_MODULES = ("graph_builder.queries", "graph_builder.serve", "graph_builder.export")


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
    formats = ", ".join(api.RDF_FORMATS)

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
    build.add_argument("sources", nargs="+", metavar="FILE", help="resolution text files")
    build.add_argument("-o", "--output", default="-",
                       help="output file; the format follows its extension ('-': stdout)")
    build.add_argument("-f", "--format", help=f"RDF format: {formats} (or a MIME type); "
                       "required when writing to stdout unless turtle is wanted")
    build.add_argument("--base", default=DEFAULT_BASE, help="base IRI of minted IRIs")
    build.add_argument("--with-catalogue", action="store_true",
                       help="include the whole instrument catalogue, not only what is cited")
    _add_metadata_options(build)

    check = commands.add_parser("check", help="check a graph or a resolution text against "
                                "the SHACL shapes", description="Validate with SHACL: RDF files "
                                "are checked as they are; resolution texts are built first.")
    check.set_defaults(func=_cmd_check)
    check.add_argument("sources", nargs="+", metavar="FILE", help="RDF files or resolution texts")
    check.add_argument("-s", "--shacl", help="shapes file (default: lexgraph's shapes.ttl)")
    check.add_argument("-f", "--format", choices=("human", "json", "turtle"), default="human",
                       help="report format")
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
    overrides = api.Overrides(args.symbol, args.date, args.title, args.plenary_meeting)
    if len(args.sources) > 1 and any(v is not None for v in (args.symbol, args.date, args.title,
                                                               args.plenary_meeting)):
        raise ValueError("--symbol, --date, --title and --plenary-meeting need a single FILE")
    return overrides


def _emit(text: str, output: str) -> None:
    if output == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        api.write_atomic(output, text)


def _cmd_extract(args: argparse.Namespace) -> int:
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
    if args.format:
        fmt = api.resolve_format(args.format)
    elif args.output == "-":
        fmt = "turtle"
    else:
        guessed = api.guess_format(args.output)
        if guessed is None:
            raise ValueError(f"cannot tell the RDF format from {args.output!r}; give -f/--format")
        fmt = guessed
    dataset = api.RDF_FORMATS[fmt][1]
    graph = api.build_graph(args.sources, overrides=_overrides(args), base=args.base,
                            dataset=dataset, with_catalogue=args.with_catalogue)
    _emit(api.serialize(graph, fmt), args.output)
    return EXIT_OK


def _is_rdf(path: str, input_format: str | None) -> bool:
    return bool(input_format) or Path(path).suffix.lower() in api.RDF_INPUT_SUFFIXES


def _cmd_check(args: argparse.Namespace) -> int:
    texts = [p for p in args.sources if not _is_rdf(p, args.input_format)]
    rdf_files = [p for p in args.sources if _is_rdf(p, args.input_format)]
    graph = api.load_rdf(rdf_files, args.input_format) if rdf_files else Graph()
    diagnostics = []
    for path in texts:
        resolved = api.process(path, overrides=_overrides(args))
        api.emit_graph(resolved, graph=graph)
        for diagnostic in (*resolved.document.diagnostics, *resolved.extraction.diagnostics,
                           *resolved.diagnostics):
            diagnostics.append((path, diagnostic))
    result = api.check_graph(graph, shapes=args.shacl)
    if args.format == "turtle":
        _emit(result.report.serialize(format="turtle"), args.output)
    elif args.format == "json":
        _emit(json.dumps({"conforms": result.conforms,
                          "results": _results(result.report),
                          "diagnostics": [dict(d.to_json(), source=p) for p, d in diagnostics]},
                         indent=2, ensure_ascii=False), args.output)
    else:
        lines = [f"{path}:{d.line or 0}:{d.column or 0}: {d.severity.value}[{d.code}]: {d.message}"
                 for path, d in diagnostics]
        for item in _results(result.report):
            lines.append(f"{item['severity']}[{item['shape']}]: {item['focus']}: {item['message']}")
        sources = ", ".join(args.sources)
        count = len(_results(result.report))
        lines.append(f"{sources}: conforms ({len(graph)} triples)" if result.conforms
                     else f"{sources}: does not conform: {count} violation(s)")
        _emit("\n".join(lines), args.output)
    return EXIT_OK if result.conforms else EXIT_VIOLATIONS


def _results(report: Graph) -> list[dict[str, str]]:
    items = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        def value(predicate):  # noqa: ANN001, ANN202 - tiny local helper
            found = report.value(result, predicate)
            return "" if found is None else str(found)
        items.append({"severity": value(SH.resultSeverity).rsplit("#", 1)[-1].lower(),
                      "shape": value(SH.sourceShape).rsplit("#", 1)[-1],
                      "focus": value(SH.focusNode), "path": value(SH.resultPath),
                      "message": value(SH.resultMessage), "value": value(SH.value)})
    return sorted(items, key=lambda item: (item["focus"], item["message"]))


