"""The README says what the code does: its commands and its Python example are tested."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


def test_ci_runs_exactly_the_readme_test_command():
    setup = _blocks("sh")
    assert len(setup) == 2, "the README's set-up is two commands"
    test_command = setup[1].strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_readme_python_example_runs(monkeypatch):
    (code,) = _blocks("python")
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})


def test_readme_exit_codes_match_the_code():
    from graph_builder import errors

    table = dict(re.findall(r"^\| (\d) \| (.+?) \|$", README, re.MULTILINE))
    assert set(map(int, table)) == {errors.EXIT_OK, errors.EXIT_VIOLATIONS, errors.EXIT_ERROR}


def test_example_command_uses_files_that_exist():
    first = _blocks("sh")[0]
    for path in re.findall(r"\b(examples/\S+)", first):
        assert (ROOT / path).is_file()
    assert os.access(ROOT / ".ci" / "run", os.R_OK)
