"""The test suite's own promise about the command line: every CliRunner call lets exceptions
through (a crash fails the test instead of passing as exit status 1), and every test that expects
exit status 1 says what standard error holds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
MODULES = sorted(HERE.glob("*.py"))


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


def _invokes_without_strictness(source: str) -> list[int]:
    """Lines of `<runner>.invoke(…)` calls that do not pass catch_exceptions=False."""
    found = []
    for call in _calls(ast.parse(source)):
        if isinstance(call.func, ast.Attribute) and call.func.attr == "invoke":
            strict = any(k.arg == "catch_exceptions" and isinstance(k.value, ast.Constant)
                         and k.value.value is False for k in call.keywords)
            if not strict:
                found.append(call.lineno)
    return found


def _exit_one_without_stderr(source: str) -> list[str]:
    """Tests that assert `exit_code == 1` and never look at stderr."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            text = ast.get_source_segment(source, node) or ""
            if "exit_code == 1" in text and "stderr" not in text:
                found.append(node.name)
    return found


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_every_cli_runner_lets_exceptions_through(module):
    assert _invokes_without_strictness(module.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_every_exit_status_1_comes_with_its_stderr(module):
    assert _exit_one_without_stderr(module.read_text(encoding="utf-8")) == []


def test_the_checks_would_see_a_lax_test():
    lax = ("def test_x():\n    r = CliRunner().invoke(cli, [])\n    assert r.exit_code == 1\n"
           "def test_y():\n    r = CliRunner().invoke(cli, [], catch_exceptions=False)\n"
           "    assert r.exit_code == 1\n    assert r.stderr == ''\n")
    assert _invokes_without_strictness(lax) == [2]
    assert _exit_one_without_stderr(lax) == ["test_x"]
