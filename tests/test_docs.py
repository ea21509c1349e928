"""The docs say what the code does: every command and option is in docs/cli.md and in its --help;
every path a doc or a docstring names exists; the README's session reproduces, command by
command (a line `…` of the README stands for any lines, `…` inside a line for any text)."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import click
import pytest

from thidua.cli import cli

from .util import run_cli

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "thidua"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "criteria" / "README.md"]
SHARED = ROOT.parent / "shared"  # ../shared, beside the repository in the project's checkout


# --- commands and options ------------------------------------------------------------------------


def _options(command: click.Command) -> list[str]:
    return [o for p in command.params if isinstance(p, click.Option)
            for o in (*p.opts, *p.secondary_opts)]


COMMANDS = sorted(cli.commands.items())


def _named(text: str, flag: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text) is not None


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_and_option_is_in_docs_cli(name, command):
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert f"`thidua {name}" in doc
    assert [o for o in _options(command) if not _named(doc, o)] == []


def test_the_programs_own_options_are_in_docs_cli():
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert [o for o in ["-h", "--help", *_options(cli)] if not _named(doc, o)] == []


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_option_is_in_the_commands_help(name, command):
    result = run_cli(name, "--help")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert [o for o in ["-h", "--help", *_options(command)] if not _named(result.stdout, o)] == []


def test_every_command_is_in_the_programs_help():
    result = run_cli("--help")
    assert result.exit_code == 0
    listed = re.findall(r"^  (\S+)", result.stdout.split("Commands:")[1], re.MULTILINE)
    assert sorted(listed) == sorted(cli.commands)


def test_the_formats_of_every_command_are_the_registrys():
    """docs/cli.md's table of formats by command is the registry (thidua/output/formats.py)."""
    from thidua.output import formats

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (`\w+`(?:, `\w+`)*) \| ([\w ]+) \| ([\w, ]+) \|$", text, re.MULTILINE)
    documented = {name: (kind.strip(), tuple(f.strip() for f in fmts.split(",")))
                  for names, kind, fmts in rows for name in re.findall(r"`(\w+)`", names)
                  if {f.strip() for f in fmts.split(",")} <= set(formats.FORMATS)}
    assert documented == {command: (kind.name, kind.formats)
                          for command, kind in formats.BY_COMMAND.items()}


# --- paths ---------------------------------------------------------------------------------------

EXTENSIONS = ("py", "md", "yaml", "yml", "csv", "json", "toml", "xlsx", "parquet", "txt", "html")
# what criteria/README.md names in the source it cites (github.com/mdtrinh/vietnamdata), not here
ELSEWHERE = {"data/indices/pci_2016.csv", "data-raw/PCI/PCI_2016.xlsx",
             # and the parts inside an .xlsx file that docs/cli.md names
             "docProps/app.xml", "xl/workbook.xml"}


def _is_path(text: str) -> bool:
    """A backticked text that names a path: relative, with a / or a known extension, no
    placeholder (FILE, <id>, …) and no bare extension (.xlsx)."""
    if any(c in text for c in " <>…{}$=:") or (text.startswith((".", "/", "-", "#")) and \
            not text.startswith("../")):
        return False
    if re.search(r"\b[A-Z]{3,}\b", text):  # FILE.manifest.json, CRITERIA
        return False
    return "/" in text or re.search(rf"\.(?:{'|'.join(EXTENSIONS)})$", text) is not None


def _exists(name: str, bases: list[Path]) -> bool:
    if (name == "../shared" or name.startswith("../shared/")) and not SHARED.is_dir():
        return True  # checked only where ../shared is checked out beside the repository
    for base in bases:
        found = list(base.glob(name.rstrip("/"))) if "*" in name else [base / name]
        if any(p.exists() and (p.is_dir() or not name.endswith("/")) for p in found):
            return True
    # a bare module name (load.py) names the module of that name in any folder of the package
    return "/" not in name and name.endswith(".py") and any(PACKAGE.rglob(name))


def _doc_paths(doc: Path) -> list[str]:
    text = doc.read_text(encoding="utf-8")
    named = [t for t in re.findall(r"`([^`\n]+)`", text) if _is_path(t)]
    named += [t for t in re.findall(r"\]\(([^)\s#]+)\)", text) if "://" not in t]
    return sorted(set(named) - ELSEWHERE)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_a_doc_names_exists(doc):
    bases = [doc.parent, ROOT, PACKAGE]
    assert [p for p in _doc_paths(doc) if not _exists(p, bases)] == []


# In a docstring a path is one that starts with a folder of the project or names a module or a
# doc (x.py, x.md); the example files of a command's help (criteria.yaml, data.csv) are not.
DOCSTRING_PATH = re.compile(
    r"(?<![\w/.<-])((?:thidua|tests|docs|criteria|benchmarks|\.\./shared)/[\w*./-]*[\w*/]"
    r"|(?:[\w-]+/)*[\w*-]+\.(?:py|md))(?![\w/<])")


def _docstrings(module: Path) -> list[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    kinds = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [d for node in ast.walk(tree) if isinstance(node, kinds)
            if (d := ast.get_docstring(node))]


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_a_docstring_names_exists(module):
    named = {m for d in _docstrings(module) for m in DOCSTRING_PATH.findall(d)}
    bases = [module.parent, PACKAGE, ROOT]
    assert sorted(p for p in named if not _exists(p, bases)) == []


def test_the_path_checks_would_see_a_wrong_path(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text("See `docs/nowhere.md`, [this](criteria/none.yaml), `FILE.csv` and `.xlsx`.\n",
                   encoding="utf-8")
    assert _doc_paths(doc) == ["criteria/none.yaml", "docs/nowhere.md"]
    assert not _exists("docs/nowhere.md", [ROOT])
    assert _exists("render*.py", [PACKAGE]) and not _exists("render*.pdf", [PACKAGE])
    assert DOCSTRING_PATH.findall("in thidua/nowhere.py and data.csv, see load.py.") == [
        "thidua/nowhere.py", "load.py"]


# --- the README's session ------------------------------------------------------------------------


def session() -> list[tuple[str, list[str]]]:
    """Each `$ thidua …` of the README's console blocks with the lines the README shows after it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found: list[tuple[str, list[str]]] = []
    for block in re.findall(r"^```console\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL):
        for line in block.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            else:
                found[-1][1].append(line)
    return [(command, _trimmed(shown)) for command, shown in found]


def _trimmed(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def matches(shown: list[str], output: str) -> bool:
    """Does the output read as the README shows it? A line `…` is any lines (none too), a `…`
    inside a line any text; trailing spaces do not count."""
    pattern = "".join(r"(?:.*\n)*?" if line.strip() == "…" else
                      ".*".join(map(re.escape, line.split("…"))) + r"\n" for line in shown)
    text = "".join(line + "\n" for line in _trimmed(output.splitlines()))
    return re.fullmatch(pattern, text) is not None


SESSION = session()


def test_the_readme_has_a_session():
    assert [c.split()[:2] for c, _ in SESSION][:3] == [["thidua", "validate"],
                                                       ["thidua", "score"], ["thidua", "awards"]]


def test_the_readme_session_reproduces(tmp_path, monkeypatch, vietnamese):
    """Every command in order (verify reads what demo wrote), in a working folder where the
    README's relative paths lead into the repository, as when the session is typed at its root,
    in the default language (Vietnamese); a command whose shown output starts with `Lỗi: ` must
    exit 1, every other 0."""
    for name in ("criteria", "tests"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    wrong = []
    for command, shown in SESSION:
        args = shlex.split(command, comments=True)
        assert args[0] == "thidua"
        result = run_cli(*args[1:])
        status = 1 if shown and shown[0].startswith(("Error: ", "Lỗi: ")) else 0
        if result.exit_code != status or not matches(shown, result.output):
            wrong.append(f"$ {command}\n(exit {result.exit_code})\n{result.output}")
    assert wrong == []


def test_the_session_match_would_see_a_difference():
    assert matches(["a", "…", "d …"], "a\nb\nc\nd e f\n")
    assert matches(["a", "…", "b"], "a\nb\n")
    assert not matches(["a", "…", "b"], "a\nc\n")
    assert not matches(["a"], "a\nb\n")
    assert matches(["a  b"], "a  b   \n")
