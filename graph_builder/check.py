"""Check a graph: the SHACL shapes and the citation checks, as SPARQL on an Oxigraph store.

Two kinds of rule, both kept as data:

* ``ontology/shapes.ttl``: SHACL shapes for the graph's structure. They are the specification;
  :func:`compile_shapes` turns the SHACL Core components they use (and their SHACL-SPARQL
  constraints) into SPARQL queries, because pySHACL is far too slow on a corpus. The test suite
  proves that the compiled queries find exactly what pySHACL finds on every shape fixture, and
  ``engine="shacl"`` still runs pySHACL itself.
* ``queries/checks/<code>-violation.rq``: citation-integrity checks (a cited article that does
  not exist, Ibid. without antecedent, ...), each a SELECT that returns no row on sound data.

Every finding is placed at a file, line and column through the ``lex:line``/``lex:column``
the graph records for paragraphs, footnotes and the words of each citation.
"""

from __future__ import annotations

from typing import Any

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS, SH

from .models import Severity
from .namespaces import PREFIXES
from .resources import ontology_file, queries_dir

ONTOLOGY_GRAPH = "urn:lexgraph:ontology"  # named graph holding the ontology during checks
_SEVERITY_OF = {SH.Violation: Severity.ERROR, SH.Warning: Severity.WARNING, SH.Info: Severity.INFO}
_SH_SEVERITY = {value: key for key, value in _SEVERITY_OF.items()}
_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}
# Lexical forms of the datatypes the shapes use, so an ill-typed literal fails as in SHACL.
_LEXICAL = {
    XSD.integer: r"^[+-]?[0-9]+$",
    XSD.nonNegativeInteger: r"^[+]?[0-9]+$",
    XSD.date: r"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$",
}
_PREFIX_BLOCK = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()) + \
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n" \
    "PREFIX sh: <http://www.w3.org/ns/shacl#>\n"


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled check: a SELECT returning ``?this`` (and maybe ``?value``) per violation."""

    code: str  # check code ("article-not-found") or shape name ("CitationShape")
    severity: Severity
    query: str
    message: str  # template: {?var} is replaced by the row's value of ?var
    component: str  # SHACL constraint component IRI, or the check file's IRI
    shape: str | None = None
    path: str | None = None
    title: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """One violation, placed in the source where the graph says it came from."""

    code: str
    severity: Severity
    message: str
    focus: str
    component: str
    shape: str | None = None
    path: str | None = None
    value: str | None = None
    source: str | None = None
    line: int | None = None
    column: int | None = None
    quote: str | None = None

    def location(self) -> str:
        parts = [self.source or "<graph>"]
        if self.line is not None:
            parts.append(str(self.line))
            parts.append(str(self.column or 1))
        return ":".join(parts)

    def human(self) -> str:
        text = f"{self.location()}: {self.severity.value}[{self.code}]: {self.message}"
        if self.quote:
            text += f'\n    "{self.quote}"'
        return text

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "severity": self.severity.value, "message": self.message,
                "source": self.source, "line": self.line, "column": self.column,
                "quote": self.quote, "focus": self.focus, "shape": self.shape,
                "path": self.path, "value": self.value, "component": self.component}


@dataclass(frozen=True, slots=True)
class CheckReport:
    findings: tuple[Finding, ...]
    rules: tuple[Rule, ...] = field(repr=False, default=())

    def at_least(self, level: Severity) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if _RANK[f.severity] >= _RANK[level])

    @property
    def errors(self) -> tuple[Finding, ...]:
        return self.at_least(Severity.ERROR)

    @property
    def conforms(self) -> bool:
        """True when no finding is an error (warnings and notes do not fail a graph)."""
        return not self.errors

    def human(self, level: Severity = Severity.WARNING) -> str:
        return "\n".join(finding.human() for finding in self.at_least(level))

    def to_shacl(self, level: Severity = Severity.INFO) -> Graph:
        """The findings as a SHACL validation report (``sh:ValidationReport``)."""
        report = Graph()
        report.bind("sh", str(SH))
        node = BNode()
        findings = self.at_least(level)
        report.add((node, RDF.type, SH.ValidationReport))
        conforms = not any(f.severity is Severity.ERROR for f in findings)
        report.add((node, SH.conforms, Literal(conforms)))
        for finding in findings:
            result = BNode()
            report.add((node, SH.result, result))
            report.add((result, RDF.type, SH.ValidationResult))
            report.add((result, SH.focusNode, _term(finding.focus)))
            report.add((result, SH.resultSeverity, _SH_SEVERITY[finding.severity]))
            report.add((result, SH.sourceConstraintComponent, URIRef(finding.component)))
            report.add((result, SH.resultMessage, Literal(finding.message)))
            if finding.shape:
                report.add((result, SH.sourceShape, URIRef(finding.shape)))
            if finding.path:
                report.add((result, SH.resultPath, URIRef(finding.path)))
            if finding.value is not None:
                report.add((result, SH.value, _term(finding.value)))
        return report

    def to_json(self, level: Severity = Severity.INFO) -> dict[str, object]:
        findings = self.at_least(level)
        counts: dict[str, int] = {}
        for finding in findings:
            counts[finding.code] = counts.get(finding.code, 0) + 1
        return {"conforms": not any(f.severity is Severity.ERROR for f in findings),
                "counts": counts, "findings": [f.to_json() for f in findings]}

    def to_sarif(self, level: Severity = Severity.INFO) -> dict[str, object]:
        """SARIF 2.1.0, the format code-review tools read."""
        findings = self.at_least(level)
        rules = {r.code: r for r in self.rules}
        levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
        results = []
        for finding in findings:
            result: dict[str, object] = {
                "ruleId": finding.code, "level": levels[finding.severity],
                "message": {"text": finding.message}}
            if finding.source:
                region = {"startLine": finding.line or 1, "startColumn": finding.column or 1}
                result["locations"] = [{"physicalLocation": {
                    "artifactLocation": {"uri": finding.source}, "region": region}}]
            results.append(result)
        used = sorted({f.code for f in findings})
        return {"version": "2.1.0",
                "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                "runs": [{"tool": {"driver": {
                    "name": "lexgraph", "informationUri": "https://w3id.org/lexgraph",
                    "rules": [{"id": code, "shortDescription": {
                        "text": rules[code].title if code in rules else code}} for code in used]}},
                    "results": results}]}


def _term(value: str) -> URIRef | Literal:
    return URIRef(value) if re.match(r"^[a-z][a-z0-9+.-]*:", value) and " " not in value \
        else Literal(value)


# ---------------------------------------------------------------------------------------------
# Rules: the citation checks (queries/checks) and the shapes compiled to SPARQL


def _header(text: str, key: str) -> str | None:
    match = re.search(rf"^#\s*{key}:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def load_checks(folder: Path | None = None) -> list[Rule]:
    """The citation checks: every ``*-violation.rq`` of ``queries/checks``."""
    folder = folder or queries_dir() / "checks"
    rules = []
    for path in sorted(folder.glob("*-violation.rq")):
        text = path.read_text(encoding="utf-8")
        code = path.name[: -len("-violation.rq")]
        severity = Severity(_header(text, "severity") or "error")
        rules.append(Rule(code=code, severity=severity, query=text,
                          message=_header(text, "message") or "{?message}",
                          component=f"https://w3id.org/lexgraph/checks#{code}",
                          title=_header(text, "title") or code))
    return rules


def compile_shapes(shapes: Graph, ontology: Graph | None = None) -> list[Rule]:
    """SPARQL queries equivalent to the SHACL shapes in ``shapes`` (the components used here).

    Class membership (``sh:targetClass``, ``sh:class``) follows the ``rdfs:subClassOf``
    declarations of the shapes and of ``ontology`` (by default the lexgraph ontology), closed
    here once rather than walked as a property path for every node: on a corpus store that
    path, evaluated per value, made the checks several times slower. Sub-class declarations
    inside the data graph itself are not followed (pySHACL would follow them).
    """
    rules: list[Rule] = []
    prefixes = _declared_prefixes(shapes)
    classes = _ClassClosure(shapes, ontology)
    for shape in sorted(shapes.subjects(RDF.type, SH.NodeShape), key=str):
        name = str(shape).rsplit("#", 1)[-1]
        severity = _SEVERITY_OF.get(shapes.value(shape, SH.severity), Severity.ERROR)
        for target in shapes.objects(shape, SH.targetClass):
            focus = classes.focus(target)
            for prop in shapes.objects(shape, SH.property):
                rules.extend(_property_rules(shapes, classes, shape, name, severity, focus, prop))
            for constraint in shapes.objects(shape, SH.sparql):
                select = str(shapes.value(constraint, SH.select))
                where = re.search(r"\bWHERE\s*\{", select, re.IGNORECASE)
                if where is None:
                    raise ValueError(f"{constraint}: a SPARQL constraint without WHERE")
                # The focus last: the constraint's own patterns and filters, which match
                # few nodes, drive the join (several times faster on a corpus store).
                close = _closing_brace(select, where.end() - 1)
                query = select[:close] + f" {focus} " + select[close:]
                query = prefixes + query.replace("$this", "?this")
                message = str(shapes.value(constraint, SH.message) or f"{name} is violated")
                rules.append(Rule(code=name, severity=severity, query=query, message=message,
                                  component=str(SH.SPARQLConstraintComponent),
                                  shape=str(shape), title=str(constraint)))
    return rules


def _closing_brace(text: str, start: int) -> int:
    """The index of the ``}`` that closes the ``{`` at ``start`` (strings and IRIs skipped)."""
    depth = 0
    for token in re.finditer(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                             r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*|[{}]",
                             text[start:]):
        if token.group() == "{":
            depth += 1
        elif token.group() == "}":
            depth -= 1
            if depth == 0:
                return start + token.start()
    raise ValueError("a SPARQL constraint whose WHERE clause does not close")


def _declared_prefixes(shapes: Graph) -> str:
    lines = [_PREFIX_BLOCK]
    for declaration in shapes.objects(None, SH.declare):
        prefix = shapes.value(declaration, SH.prefix)
        namespace = shapes.value(declaration, SH.namespace)
        if prefix is not None and namespace is not None:
            lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(dict.fromkeys(lines))


class _ClassClosure:
    """The sub-classes of each class, from the shapes and the ontology, as SPARQL patterns."""

    def __init__(self, shapes: Graph, ontology: Graph | None) -> None:
        if ontology is None:
            ontology = _ontology_graph()
        self._sub: dict[object, set[object]] = {}
        for graph in (ontology, shapes):
            for child, parent in graph.subject_objects(RDFS.subClassOf):
                self._sub.setdefault(parent, set()).add(child)

    def members(self, *classes: object) -> list[str]:
        """The IRIs of ``classes`` and of all their sub-classes, sorted."""
        seen: set[object] = set()
        todo = list(classes)
        while todo:
            cls = todo.pop()
            if cls not in seen:
                seen.add(cls)
                todo.extend(self._sub.get(cls, ()))
        return sorted(f"<{c}>" for c in seen if isinstance(c, URIRef))

    def typed(self, var: str, *classes: object) -> str:
        """A pattern matching ``var`` to an instance of one of ``classes`` (maybe twice)."""
        members = self.members(*classes)
        if len(members) == 1:
            return f"{var} rdf:type {members[0]} ."
        kind = f"?class_{var.lstrip('?')}"
        return f"{var} rdf:type {kind} . VALUES {kind} {{ {' '.join(members)} }}"

    def focus(self, target: object) -> str:
        """The focus nodes of ``sh:targetClass target``, each once."""
        members = self.members(target)
        if len(members) == 1:
            return f"?this rdf:type {members[0]} ."
        return f"{{ SELECT DISTINCT ?this WHERE {{ {self.typed('?this', target)} }} }}"


@cache
def _ontology_graph() -> Graph:
    return Graph().parse(str(ontology_file("lexgraph.ttl")), format="turtle")


def _only_classes(shapes: Graph, nodes: Sequence[object]) -> list[object] | None:
    """The classes of value-type constraint nodes that say nothing but ``sh:class``."""
    classes = []
    for node in nodes:
        keys = {p for p in shapes.predicates(node) if p != RDF.type}
        if keys != {SH["class"]}:
            return None
        classes.extend(shapes.objects(node, SH["class"]))
    return classes


def _value_ok(shapes: Graph, classes: _ClassClosure, constraint: URIRef | BNode) -> str | None:
    """A SPARQL expression true when ``?value`` satisfies a value-type constraint node."""
    parts = []
    for datatype in shapes.objects(constraint, SH.datatype):
        test = f"(isLiteral(?value) && datatype(?value) = <{datatype}>"
        if datatype in _LEXICAL:
            test += f' && REGEX(STR(?value), "{_LEXICAL[datatype]}")'
        parts.append(test + ")")
    for cls in shapes.objects(constraint, SH["class"]):
        parts.append(f"EXISTS {{ {classes.typed('?value', cls)} }}")
    for kind in shapes.objects(constraint, SH.nodeKind):
        parts.append({SH.IRI: "isIRI(?value)", SH.Literal: "isLiteral(?value)",
                      SH.BlankNode: "isBlank(?value)"}[kind])
    return " && ".join(parts) if parts else None


def _property_rules(shapes: Graph, classes: _ClassClosure, shape: URIRef, name: str,
                    severity: Severity, focus: str, prop: URIRef | BNode) -> Iterable[Rule]:
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise ValueError(f"{name}: only simple property paths are supported")
    message = str(shapes.value(prop, SH.message) or f"{name}: {path} is violated")
    p = f"<{path}>"

    def rule(component: str, query: str) -> Rule:
        return Rule(code=name, severity=severity, query=_PREFIX_BLOCK + query, message=message,
                    component=str(SH[component]), shape=str(shape), path=str(path))

    # The shape of every query: the few triples that break the constraint first, in a
    # sub-query (Oxigraph evaluates one on its own), then the focus nodes among them. Joining
    # the focus first costs an index lookup for every node of the class: 5-30x slower on a
    # corpus store, where violations are rare and the classes have 10^5-10^6 members.
    def focused(inner: str) -> str:
        return f"SELECT ?this ?value WHERE {{ {{ {inner} }} {focus} }}"

    def values(test: str) -> str:
        return focused(f"SELECT DISTINCT ?this ?value WHERE {{ ?this {p} ?value . "
                       f"FILTER({test}) }}")

    def not_instances(of: list[object]) -> str:
        # MINUS is a hash anti-join in Oxigraph; FILTER NOT EXISTS runs once per row.
        return focused(f"SELECT DISTINCT ?this ?value WHERE {{ ?this {p} ?value . "
                       f"MINUS {{ {classes.typed('?value', *of)} }} }}")

    def too_many(matching: str, count: int) -> str:
        return (f"SELECT ?this WHERE {{ {{ SELECT ?this WHERE {{ {matching} }} GROUP BY ?this "
                f"HAVING (COUNT(DISTINCT ?value) > {count}) }} {focus} }}")

    # A minimum of one is an anti-join; other counts group the values of each focus node.
    for count in shapes.objects(prop, SH.minCount):
        if int(count) == 1:
            yield rule("MinCountConstraintComponent",
                       f"SELECT ?this WHERE {{ {focus} MINUS {{ ?this {p} ?v }} }}")
        else:
            yield rule("MinCountConstraintComponent",
                       f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {p} ?v }} }} "
                       f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(count)})")
    for count in shapes.objects(prop, SH.maxCount):
        yield rule("MaxCountConstraintComponent", too_many(f"?this {p} ?value", int(count)))
    for component, key in (("DatatypeConstraintComponent", SH.datatype),
                           ("ClassConstraintComponent", SH["class"]),
                           ("NodeKindConstraintComponent", SH.nodeKind)):
        for value in shapes.objects(prop, key):
            if key == SH["class"]:
                yield rule(component, not_instances([value]))
                continue
            single = BNode()
            scratch = Graph()
            scratch.add((single, key, value))
            yield rule(component, values(f"!({_value_ok(scratch, classes, single)})"))
    for low in shapes.objects(prop, SH.minInclusive):
        yield rule("MinInclusiveConstraintComponent",
                   values(f"IF(isNumeric(?value), ?value < {low}, true)"))
    for length in shapes.objects(prop, SH.minLength):
        yield rule("MinLengthConstraintComponent",
                   values(f"isBlank(?value) || STRLEN(STR(?value)) < {int(length)}"))
    for pattern in shapes.objects(prop, SH.pattern):
        flags = shapes.value(prop, SH.flags)
        regex = json.dumps(str(pattern))
        extra = f", {json.dumps(str(flags))}" if flags else ""
        yield rule("PatternConstraintComponent",
                   values(f"isBlank(?value) || !REGEX(STR(?value), {regex}{extra})"))
    for members in shapes.objects(prop, SH["in"]):
        allowed = ", ".join(_sparql_term(m) for m in Collection(shapes, members))
        yield rule("InConstraintComponent", values(f"?value NOT IN ({allowed})"))
    for alternatives in shapes.objects(prop, SH["or"]):
        options = list(Collection(shapes, alternatives))
        of = _only_classes(shapes, options)
        if of is not None:  # an instance of none of the classes
            yield rule("OrConstraintComponent", not_instances(of))
            continue
        tests = [_value_ok(shapes, classes, alt) for alt in options]
        if any(test is None for test in tests):
            raise ValueError(f"{name}: sh:or alternatives must be value-type constraints")
        yield rule("OrConstraintComponent", values("!(" + " || ".join(f"({t})" for t in tests) + ")"))
    qualified = shapes.value(prop, SH.qualifiedValueShape)
    if qualified is not None:
        of = _only_classes(shapes, [qualified])
        if of is not None:
            matching = f"?this {p} ?value . {classes.typed('?value', *of)}"
        else:
            matching = f"?this {p} ?value . FILTER({_value_ok(shapes, classes, qualified)})"
        for count in shapes.objects(prop, SH.qualifiedMinCount):
            if int(count) == 1:
                query = f"SELECT ?this WHERE {{ {focus} MINUS {{ {matching} }} }}"
            else:
                query = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {matching} }} }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {int(count)})")
            yield rule("QualifiedMinCountConstraintComponent", query)
        for count in shapes.objects(prop, SH.qualifiedMaxCount):
            yield rule("QualifiedMaxCountConstraintComponent", too_many(matching, int(count)))


def _sparql_term(term: object) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise ValueError(f"cannot write {term!r} in SPARQL")


@cache
def default_rules() -> tuple[Rule, ...]:
    shapes = Graph().parse(str(ontology_file("shapes.ttl")), format="turtle")
    return tuple(compile_shapes(shapes) + load_checks())


# ---------------------------------------------------------------------------------------------
# Running


def to_store(graph: Graph) -> ox.Store:
    """An in-memory Oxigraph store holding ``graph`` and, in its own graph, the ontology."""
    store = ox.Store()
    store.load(graph.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.DefaultGraph())
    add_ontology(store)
    return store


def add_ontology(store: ox.Store) -> None:
    store.load(path=str(ontology_file("lexgraph.ttl")), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode(ONTOLOGY_GRAPH))


def _text(term: object) -> str | None:
    if term is None:
        return None
    return term.value if hasattr(term, "value") else str(term)


def _fill(template: str, row: dict[str, str | None]) -> str:
    def replace(match: re.Match[str]) -> str:
        value = row.get(match.group(1))
        return value if value is not None else match.group(0)

    return re.sub(r"\{[?$](\w+)\}", replace, template)


def run_rules(store: ox.Store, rules: Sequence[Rule],
              default_graph: Sequence[Any] | None = None) -> list[Finding]:
    """Run each rule on ``store`` and place what they find.

    The rules see the union of the store's graphs, or the graphs of ``default_graph`` (a
    corpus store: its merged default graph and the ontology).
    """
    found: list[Finding] = []
    dataset = _dataset(default_graph)
    for rule in rules:
        try:
            solutions = store.query(rule.query, **dataset)
        except SyntaxError as error:
            raise ValueError(f"check {rule.code}: bad SPARQL: {error}") from None
        variables = [v.value for v in solutions.variables]
        for solution in solutions:
            row = {name: _text(solution[name]) for name in variables}
            focus = row.get("this") or row.get("focus")
            if focus is None:
                continue
            found.append(Finding(code=rule.code, severity=rule.severity,
                                 message=_fill(rule.message, row), focus=focus,
                                 component=rule.component, shape=rule.shape, path=rule.path,
                                 value=row.get("value")))
    return _place(store, found, default_graph)


def _dataset(default_graph: Sequence[Any] | None) -> dict[str, Any]:
    if default_graph is None:
        return {"use_default_graph_as_union": True}
    return {"default_graph": list(default_graph)}


# Where a focus node stands in its source, in order of preference: the words of a citation
# (the focus, the citation of a focus, or a cited node), else the node's own line, else its
# document. Each is a plain pattern over a VALUES block, so it stays fast on a corpus store.
_LOCATORS = tuple(_PREFIX_BLOCK + "SELECT ?focus ?source ?line ?column ?quote WHERE {\n"
                  "VALUES ?focus { %s }\n" + body + "\n}" for body in (
    """?focus lex:evidence ?target .
       ?target lex:line ?line ; lex:column ?column ; oa:hasSource/lex:sourceFile ?source .
       OPTIONAL { ?target oa:hasSelector/oa:exact ?quote }""",
    """?citation cito:hasCitedEntity ?focus ; lex:evidence ?target .
       ?target lex:line ?line ; lex:column ?column ; oa:hasSource/lex:sourceFile ?source .
       OPTIONAL { ?target oa:hasSelector/oa:exact ?quote }""",
    """?focus lex:line ?line ; eli:is_part_of+/lex:sourceFile ?source .
       OPTIONAL { ?focus lex:column ?column }""",
    """?focus lex:sourceFile ?source .""",
))


def _place(store: ox.Store, findings: list[Finding],
           default_graph: Sequence[Any] | None = None) -> list[Finding]:
    """Add source file, line, column and quote to each finding, from the graph."""
    foci = sorted({f.focus for f in findings if re.match(r"^[a-z][a-z0-9+.-]*:\S+$", f.focus)})
    places: dict[str, tuple[str | None, int | None, int | None, str | None]] = {}
    for locator in _LOCATORS:
        wanted = [focus for focus in foci if focus not in places]
        for start in range(0, len(wanted), 500):
            chunk = " ".join(f"<{iri}>" for iri in wanted[start:start + 500])
            found: dict[str, tuple[str | None, int | None, int | None, str | None]] = {}
            for row in store.query(locator % chunk, **_dataset(default_graph)):
                line, column = _text(row["line"]), _text(row["column"])
                quote = _text(row["quote"])
                candidate = (_text(row["source"]), int(line) if line else None,
                             int(column) if column else None,
                             " ".join(quote.split()) if quote else None)
                focus = _text(row["focus"])
                if focus not in found or _earlier(candidate, found[focus]):
                    found[focus] = candidate
            places.update(found)
    placed = []
    for finding in findings:
        source, line, column, quote = places.get(finding.focus, (None, None, None, None))
        placed.append(replace(finding, source=source, line=line, column=column, quote=quote))
    placed.sort(key=lambda f: (f.source or "~", f.line or 0, f.column or 0, f.code, f.focus))
    return placed


def _earlier(a: tuple, b: tuple) -> bool:
    if b[1] is None:
        return a[1] is not None or (a[0] is not None and b[0] is None)
    return a[1] is not None and (a[1], a[2] or 0) < (b[1], b[2] or 0)


def check(data: Graph | ox.Store, *, rules: Sequence[Rule] | None = None,
          default_graph: Sequence[Any] | None = None) -> CheckReport:
    """Run the shapes and the citation checks on a graph or an Oxigraph store.

    ``default_graph`` names the graphs of a store the checks see (default: all of them).
    """
    rules = tuple(rules if rules is not None else default_rules())
    store = to_store(data) if isinstance(data, Graph) else data
    return CheckReport(tuple(run_rules(store, rules, default_graph)), rules)


def check_store(location: str | Path, *, rules: Sequence[Rule] | None = None,
                jobs: int = 1) -> CheckReport:
    """Check a corpus store in place: its default graph, the rules shared among ``jobs``
    processes, each with its own read-only handle on the store."""
    rules = tuple(rules if rules is not None else default_rules())
    shares = [(str(location), rules[i::jobs]) for i in range(max(1, jobs)) if rules[i::jobs]]
    if len(shares) <= 1:
        found = _check_share(shares[0]) if shares else []
    else:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        with ProcessPoolExecutor(max_workers=len(shares), mp_context=get_context("fork")) as pool:
            found = [f for part in pool.map(_check_share, shares) for f in part]
    found.sort(key=lambda f: (f.source or "~", f.line or 0, f.column or 0, f.code, f.focus))
    return CheckReport(tuple(found), rules)


def _check_share(share: tuple[str, Sequence[Rule]]) -> list[Finding]:
    location, rules = share
    return run_rules(ox.Store.read_only(location), rules, [ox.DefaultGraph()])


def check_with_pyshacl(graph: Graph, *, shapes: str | Path | None = None) -> CheckReport:
    """The reference engine: pySHACL on the shapes (slow on large graphs; no citation checks)."""
    import pyshacl

    shapes_graph = Graph().parse(str(shapes or ontology_file("shapes.ttl")), format="turtle")
    ontology = Graph().parse(str(ontology_file("lexgraph.ttl")), format="turtle")
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes_graph, ont_graph=ontology,
                                    inference="none", advanced=True, allow_warnings=True)
    findings = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(result, SH.sourceShape)
        name = str(shape).rsplit("#", 1)[-1] if isinstance(shape, URIRef) else None
        if name is None or isinstance(shape, BNode):
            owner = shapes_graph.value(predicate=SH.property, object=shape)
            name = str(owner).rsplit("#", 1)[-1] if owner is not None else "shape"
            shape = owner
        value = report.value(result, SH.value)
        path = report.value(result, SH.resultPath)
        findings.append(Finding(
            code=name, severity=_SEVERITY_OF.get(report.value(result, SH.resultSeverity),
                                                 Severity.ERROR),
            message=str(report.value(result, SH.resultMessage) or ""),
            focus=str(report.value(result, SH.focusNode)),
            component=str(report.value(result, SH.sourceConstraintComponent)),
            shape=str(shape) if shape is not None else None,
            path=str(path) if path is not None else None,
            value=str(value) if value is not None else None))
    return CheckReport(tuple(_place(to_store(graph), findings)))


def severity_named(name: str) -> Severity:
    try:
        return Severity(name)
    except ValueError:
        raise ValueError(f"unknown severity {name!r}; choose error, warning or info") from None


__all__ = ["CheckReport", "Finding", "Rule", "check", "check_with_pyshacl", "compile_shapes",
           "load_checks"]
