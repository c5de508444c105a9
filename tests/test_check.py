"""Citation checks: each fires on a broken copy of the example, and never on the example.

Every case changes one thing in the text of resolution 58/137 and names the check that must
report it, with the line and column of the words at fault.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from graph_builder import build_graph
from graph_builder.check import (
    check,
    check_with_pyshacl,
    compile_shapes,
    default_rules,
    load_checks,
)
from graph_builder.cli import main
from graph_builder.resources import ontology_file, queries_dir

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "A-RES-58-137.txt"
SHAPE_FIXTURES = sorted((Path(__file__).resolve().parent / "shapes").glob("*.ttl"))

# (check code, words of the example, the broken words, line:column reported, words in message)
BROKEN = [
    ("article-not-found", "article 9, paragraph 5, of the Protocol",
     "article 42, paragraph 5, of the Protocol", "196:41", "article 42 of the Protocol to "
     "Prevent, Suppress and Punish Trafficking in Persons, Especially Women and Children does not "
     "exist (it has 20 articles)"),
    ("article-not-found", "articles 24 and 25 of the United", "articles 24 and 45 of the United",
     "141:42", "article 45 of the United Nations Convention against Transnational Organized Crime "
     "does not exist (it has 41 articles)"),
    ("article-paragraph-not-found", "article 6, \nparagraphs 3 and 4, of",
     "article 6, \nparagraphs 3 and 9, of", "158:68", "has 6 paragraphs, not a paragraph 9"),
    ("paragraph-not-found", "paragraphs 25 and 27 of the Vienna",
     "paragraphs 25 and 37 of the Vienna", "19:20", "has 29 numbered paragraphs, not a paragraph 37"),
    ("guideline-not-found", "guideline 8, Special", "guideline 18, Special", "6:17",
     "has 17 guidelines, not a guideline 18"),
    ("annex-not-found", "6 Resolution 55/25, annex I.", "6 Resolution 55/25, annex V.", "23:1",
     "A/RES/55/25 has 3 annex(es), not an annex V"),
    ("ibid-without-antecedent", "1 Resolution 40/34, annex.", "1 Ibid., annex.", "29:1",
     'footnote 1 says "Ibid."'),
    ("marker-without-footnote", "in this area; ", "in this area;9 ", "206:82",
     "footnote marker 9 has no footnote"),
    ("marker-without-footnote", "5 Resolution 55/59, annex. \n", "", "20:65",
     "footnote marker 5 has no footnote"),  # a footnote deleted: its marker is left
    ("footnote-unreferenced", "Abuse of Power,1 ", "Abuse of Power, ", "29:1",
     "footnote 1 has no marker in the text"),
    ("footnote-unresolved", "5 Resolution 55/59, annex.", "5 Report of the Tenth Congress.",
     "33:1", "footnote 5 names no document lexgraph recognises"),
    ("name-footnote-mismatch", "7 Ibid., annex II.", "7 Ibid., annex III.", "24:16",
     "the text names the Protocol to Prevent, Suppress and Punish Trafficking in Persons, "
     "Especially Women and Children, but footnote 7 points to Protocol against the Smuggling"),
    ("cites-later-document", "3 Resolution 44/25, annex.", "3 Resolution 60/25, annex.", "10:16",
     "A/RES/58/137 (2003-12-22) cites A/RES/60/25, adopted later (session 60)"),
    ("operative-numbering", " 9. Invites Member States to set up",
     " 19. Invites Member States to set up", "173:1",
     "operative paragraph 19 follows no paragraph 18"),
    ("subparagraph-order", " (c) A focus on post-conflict", " (d) A focus on post-conflict",
     "103:1", "sub-paragraph (d) stands where (c) is due"),
    ("impossible-symbol", "its resolution 55/25 of 15 November",
     "its resolution 155/25 of 15 November", "22:16",
     "A/RES/155/25 cannot exist: there is no session 155 of the General Assembly yet"),
    ("title-near-miss", "the Optional Protocol to the Convention on the Rights of the \nChild on",
     "the Optional Protocol to the Convention on the Right of the \nChild on", "115:26",
     "did you mean the Optional Protocol to the Convention on the Rights of the Child on the sale"),
]


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"the example must hold {old!r} once"
    path = tmp_path / EXAMPLE.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def example_report():
    return check(build_graph([EXAMPLE]))


def test_the_example_passes_every_check(example_report):
    assert [f.human() for f in example_report.findings] == []


@pytest.mark.parametrize(("code", "old", "new", "where", "words"), BROKEN,
                         ids=[f"{case[0]}-{i}" for i, case in enumerate(BROKEN)])
def test_broken_copy_is_caught_where_the_fault_is(tmp_path, capsys, code, old, new, where, words):
    path = _broken_copy(tmp_path, old, new)
    exit_code = main(["check", str(path)])
    out = capsys.readouterr().out
    level = "warning" if code in {"footnote-unreferenced", "footnote-unresolved",
                                  "title-near-miss"} else "error"
    line = next((ln for ln in out.splitlines() if f"{level}[{code}]" in ln), None)
    assert line is not None, out
    assert line.startswith(f"{path}:{where}: {level}[{code}]: ")
    assert words in line
    assert exit_code == (1 if level == "error" else 0)


def test_every_check_has_a_broken_case_and_a_header():
    codes = {rule.code for rule in load_checks()}
    assert codes == {case[0] for case in BROKEN}
    for path in (queries_dir() / "checks").glob("*-violation.rq"):
        text = path.read_text(encoding="utf-8")
        assert "# title:" in text and "# severity:" in text and "# message:" in text, path.name


def test_checks_are_documented_in_one_table():
    table = (queries_dir() / "checks" / "README.md").read_text(encoding="utf-8")
    documented = {line.split("|")[1].strip().strip("`") for line in table.splitlines()
                  if line.startswith("| `")}
    shapes = {rule.code for rule in default_rules() if rule.shape}
    assert documented == {rule.code for rule in load_checks()} | shapes


@pytest.mark.parametrize("fixture", SHAPE_FIXTURES, ids=lambda p: p.name)
def test_compiled_shapes_find_what_pyshacl_finds(fixture):
    """The SPARQL the shapes compile to is equivalent to pySHACL on every shape fixture."""
    graph = Graph().parse(str(fixture), format="turtle")
    shapes = Graph().parse(str(ontology_file("shapes.ttl")), format="turtle")

    def key(report):
        return {(f.focus, f.component.rsplit("#", 1)[-1], f.path) for f in report.findings}

    compiled = check(graph, rules=compile_shapes(shapes))
    reference = check_with_pyshacl(graph)
    assert key(compiled) == key(reference)
    assert bool(compiled.findings) == ("-invalid-" in fixture.name)


def test_compiled_shapes_agree_with_pyshacl_on_a_broken_built_graph():
    from graph_builder.namespaces import LEX

    graph = build_graph([EXAMPLE])
    for subject, value in list(graph.subject_objects(LEX.position))[:3]:
        graph.remove((subject, LEX.position, value))
    shapes = Graph().parse(str(ontology_file("shapes.ttl")), format="turtle")
    compiled = {(f.focus, f.component) for f in check(graph, rules=compile_shapes(shapes)).findings}
    reference = {(f.focus, f.component) for f in check_with_pyshacl(graph).findings}
    assert compiled == reference
    assert len(compiled) == 3


def test_turtle_report_is_a_valid_shacl_report(tmp_path, capsys):
    import pyshacl

    path = _broken_copy(tmp_path, "guideline 8, Special", "guideline 18, Special")
    assert main(["check", str(path), "-f", "turtle"]) == 1
    report = Graph().parse(data=capsys.readouterr().out, format="turtle")
    report_shapes = Graph().parse(str(Path(__file__).parent / "data" / "report-shapes.ttl"))
    conforms, _, text = pyshacl.validate(report, shacl_graph=report_shapes)
    assert conforms, text
    assert (None, SH.conforms, None) in report
    assert len(list(report.subjects(None, SH.ValidationResult))) == 1


def test_sarif_and_json_reports(tmp_path, capsys):
    path = _broken_copy(tmp_path, "guideline 8, Special", "guideline 18, Special")
    assert main(["check", str(path), "-f", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    (result,) = sarif["runs"][0]["results"]
    assert sarif["version"] == "2.1.0"
    assert result["ruleId"] == "guideline-not-found" and result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == str(path)
    assert location["region"] == {"startLine": 6, "startColumn": 17}
    assert main(["check", str(path), "-f", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["conforms"] is False and data["counts"] == {"guideline-not-found": 1}


def test_severity_threshold_and_fail_on(tmp_path, capsys):
    path = _broken_copy(tmp_path, "Abuse of Power,1 ", "Abuse of Power, ")
    assert main(["check", str(path)]) == 0  # a warning does not fail by default
    assert "warning[footnote-unreferenced]" in capsys.readouterr().out
    assert main(["check", str(path), "--severity", "error"]) == 0
    assert "footnote-unreferenced" not in capsys.readouterr().out
    assert main(["check", str(path), "--fail-on", "warning"]) == 1


def test_folder_of_texts_and_unreadable_member(tmp_path, capsys):
    _broken_copy(tmp_path, "guideline 8, Special", "guideline 18, Special")
    (tmp_path / "empty.txt").write_text("")
    code = main(["check", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2  # one input could not be read; the others are still checked
    assert "empty.txt: empty file" in captured.err
    assert "error[guideline-not-found]" in captured.out


def test_rdf_input_is_placed_by_the_lines_the_graph_records(tmp_path, capsys):
    path = _broken_copy(tmp_path, "guideline 8, Special", "guideline 18, Special")
    graph = tmp_path / "g.nt"
    assert main(["build", str(path), "-o", str(graph)]) == 0
    assert main(["check", str(graph)]) == 1
    assert "A-RES-58-137.txt:6:17: error[guideline-not-found]" in capsys.readouterr().out


def test_pyshacl_engine_from_the_command_line(capsys, tmp_path):
    graph = tmp_path / "g.ttl"
    assert main(["build", str(EXAMPLE), "-o", str(graph)]) == 0
    assert main(["check", str(graph), "--engine", "shacl"]) == 0
    assert "0 error(s)" in capsys.readouterr().out
