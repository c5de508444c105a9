"""The command line: in-process for the behaviour, subprocesses for the entry points."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from graph_builder.cli import main
from graph_builder.namespaces import LEX


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_extract_json(capsys, example_path):
    code, out, _ = run(capsys, "extract", str(example_path), "--format", "json")
    assert code == 0
    (document,) = json.loads(out)["documents"]
    assert document["symbol"] == "A/RES/58/137"
    assert len(document["citations"]) == 21


def test_extract_text_lines_name_file_line_and_column(capsys, example_path):
    code, out, _ = run(capsys, "extract", str(example_path), "-f", "text")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 21
    assert lines[0].startswith("A-RES-58-137.txt:3:")
    assert "op.13 implements article 9, paragraph 5, of the Protocol to Prevent" in out


@pytest.mark.parametrize(("name", "fmt", "reader"), [
    ("graph.ttl", None, "turtle"),
    ("graph.nt", None, "nt"),
    ("graph.jsonld", None, "json-ld"),
    ("graph.rdf", None, "xml"),
    ("graph.out", "turtle", "turtle"),
    ("graph.data", "application/n-triples", "nt"),
])
def test_build_writes_every_graph_format(capsys, tmp_path, example_path, name, fmt, reader):
    out = tmp_path / name
    argv = ["build", str(example_path), "-o", str(out)] + (["-f", fmt] if fmt else [])
    code, _, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    graph = Graph().parse(str(out), format=reader)
    assert len(list(graph.subjects(predicate=LEX.paragraphId))) == 47  # 33 paragraphs and 14 sub-paragraphs


@pytest.mark.parametrize(("name", "reader"), [("graph.trig", "trig"), ("graph.nq", "nquads")])
def test_dataset_formats_have_one_named_graph_per_document(capsys, tmp_path, example_path,
                                                           name, reader):
    out = tmp_path / name
    assert run(capsys, "build", str(example_path), "-o", str(out))[0] == 0
    dataset = Dataset().parse(str(out), format=reader)
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert "https://w3id.org/lexgraph/akn/un/doc/a-res-58-137" in names


def test_build_to_stdout_is_turtle(capsys, example_path):
    code, out, _ = run(capsys, "build", str(example_path))
    assert code == 0
    assert len(Graph().parse(data=out, format="turtle")) > 500


def test_check_example_text_and_built_graph(capsys, tmp_path, example_path):
    code, out, _ = run(capsys, "check", str(example_path))
    assert (code, out.strip()) == (0, "1 document(s) checked: 0 error(s), 0 warning(s)")
    graph = tmp_path / "g.ttl"
    run(capsys, "build", str(example_path), "-o", str(graph))
    code, out, _ = run(capsys, "check", str(graph), "-f", "json")
    assert (code, json.loads(out)["conforms"]) == (0, True)


def test_check_broken_graph_exits_1(capsys, tmp_path, example_path):
    graph = tmp_path / "g.ttl"
    run(capsys, "build", str(example_path), "-o", str(graph))
    text = graph.read_text().replace("lex:position 5 ;", "", 1)
    assert text != graph.read_text()
    graph.write_text(text)
    code, out, _ = run(capsys, "check", str(graph))
    assert code == 1
    assert "error[PreambularParagraphShape]" in out and "1 error(s)" in out


@pytest.mark.parametrize(("content", "needle"), [
    (b"", "empty file"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary file"),
    ("Recalling the Caf\u00e9,".encode("cp1252"), "not UTF-8"),
    (b"Dear colleague, nothing here looks like a resolution.\n\nRegards,", "no resolution paragraphs"),
])
def test_bad_input_exits_2_with_one_line_and_no_output(capsys, tmp_path, content, needle):
    source = tmp_path / "bad.txt"
    source.write_bytes(content)
    out = tmp_path / "out.ttl"
    code, stdout, err = run(capsys, "build", str(source), "-o", str(out))
    assert code == 2
    assert err.count("\n") == 1 and str(source) in err and needle in err
    assert "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_missing_file_and_malformed_rdf(capsys, tmp_path):
    code, _, err = run(capsys, "build", str(tmp_path / "absent.txt"), "-o", str(tmp_path / "o.ttl"))
    assert code == 2 and "absent.txt: no such file" in err
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b \"open .\n")
    code, _, err = run(capsys, "check", str(bad))
    assert code == 2 and f"{bad}:" in err and "not valid turtle" in err
    assert err.count("\n") == 1


def test_usage_errors_exit_2(capsys, example_path, tmp_path):
    assert run(capsys, "build", str(example_path), "-f", "nope")[0] == 2
    assert run(capsys, "build", str(example_path), "-o", str(tmp_path / "x.unknown"))[0] == 2
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2
    assert run(capsys, "build", str(example_path), str(example_path), "--symbol", "A/RES/1/1")[0] == 2


def test_output_folder_missing(capsys, example_path, tmp_path):
    code, _, err = run(capsys, "build", str(example_path), "-o", str(tmp_path / "no" / "g.ttl"))
    assert code == 2 and "output folder does not exist" in err


@pytest.mark.parametrize("argv", [
    [sys.executable, "-m", "graph_builder", "--help"],
    [str(Path(sys.executable).parent / "lexgraph"), "--help"],
    [str(Path(sys.executable).parent / "lexgraph"), "--version"],
])
def test_entry_points_run(argv):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "lexgraph" in result.stdout


@pytest.mark.parametrize("name", ["A-RES-78-901.md", "A-RES-78-903.html", "A-RES-48-905.htm"])
def test_other_formats_go_through_the_same_pipeline(capsys, tmp_path, name):
    path = Path(__file__).parent / "data" / "readers" / name
    code, out, err = run(capsys, "extract", str(path))
    assert code == 0, err
    (document,) = json.loads(out)["documents"]
    assert document["symbol"] == "A/RES/" + name.split("-", 2)[2].split(".")[0].replace("-", "/")
    assert document["paragraphs"] and document["footnotes"]
    assert any(p["footnotes"] for p in document["paragraphs"])
    assert run(capsys, "build", str(path), "-o", str(tmp_path / "g.ttl"))[0] == 0
    assert run(capsys, "check", str(tmp_path / "g.ttl"))[0] in (0, 1)


def test_html_page_without_a_resolution_exits_2(capsys):
    path = Path(__file__).parent / "data" / "readers" / "no-resolution.html"
    code, _, err = run(capsys, "build", str(path))
    assert code == 2 and str(path) in err and err.count("\n") == 1
