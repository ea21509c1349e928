"""-o is checked before anything is written: never an input (by any spelling or link), only a
regular file or a new path, in a folder that exists, with a name the file system can hold."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from thidua.input import shipped

from .output_safety import COMMANDS, command_line, invoke, leftovers, snapshot, write_inputs

ROOT = os.geteuid() == 0


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_inputs(tmp_path)
    return tmp_path


def refused(args: list[str], source: str, message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == f"Error: {source}: 1 problem\n{source}: {message}\n"


# --- never an input (item 2) ----------------------------------------------------------------------

def spellings(folder: Path, name: str) -> dict[str, str]:
    """Other names for the file `name` in `folder` (the working folder): the links are made."""
    (folder / "sub").mkdir(exist_ok=True)
    os.symlink(name, folder / f"link-{name}")
    os.link(folder / name, folder / f"hard-{name}")
    return {"as given": name, "dot": f"./{name}", "up and down": f"sub/../{name}",
            "absolute": str(folder / name), "symlink": f"link-{name}", "hard link": f"hard-{name}"}


@pytest.mark.parametrize("spelling", ["as given", "dot", "up and down", "absolute", "symlink",
                                      "hard link"])
@pytest.mark.parametrize("role, name", [("criteria", "c.yaml"), ("data", "d.csv")])
@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "demo"])
def test_o_naming_an_input_is_refused_and_writes_nothing(inputs, command, role, name, spelling):
    target = spellings(inputs, name)[spelling]
    before = snapshot(inputs)
    refused([*command_line(command), "--format", "csv" if command != "explain" else "json",
             "-o", target], target,
            f"cannot be written: it is the {role} file {name} that this run reads; choose "
            f"another name")
    assert snapshot(inputs) == before
    assert leftovers() == []


def test_audit_self_scores_are_an_input_too(inputs):
    Path("tu-cham.csv").write_bytes(Path("d.csv").read_bytes())
    before = snapshot(inputs)
    refused(["audit", "c.yaml", "d.csv", "--self", "tu-cham.csv", "-o", "tu-cham.csv"],
            "tu-cham.csv", "cannot be written: it is the --self file tu-cham.csv that this run "
                           "reads; choose another name")
    assert snapshot(inputs) == before


def test_the_manifest_beside_the_output_is_never_an_input_either(inputs):
    document = yaml.safe_load(Path("c.yaml").read_text(encoding="utf-8"))
    Path("k.manifest.json").write_text(json.dumps(document), encoding="utf-8")
    before = snapshot(inputs)
    refused(["score", "k.manifest.json", "d.csv", "--format", "csv", "-o", "k"], "k",
            "cannot be written: the k.manifest.json beside it is the criteria file "
            "k.manifest.json that this run reads; choose another name")
    assert snapshot(inputs) == before


@pytest.mark.parametrize("kind", ["symlink", "hard link"])
def test_the_demo_never_writes_over_its_shipped_files(tmp_path, monkeypatch, kind):
    # Through a link in tmp_path: had the check failed, the rename would replace the link, not
    # the shipped file.
    monkeypatch.chdir(tmp_path)
    data = shipped("dvcq-xa.csv")
    (os.symlink if kind == "symlink" else os.link)(data, "x.csv")
    shipped_bytes = data.read_bytes()
    refused(["demo", "-o", "x.csv"], "x.csv",
            f"cannot be written: it is the data file {data} that this run reads; choose another "
            f"name")
    assert data.read_bytes() == shipped_bytes
    assert sorted(os.listdir(tmp_path)) == ["x.csv"]


def _link_a(folder: Path, name: str, kind: str) -> str:
    spelled = f"{kind}-{len(os.listdir(folder))}-{name}"
    (os.symlink if kind == "s" else os.link)(folder / name, folder / spelled)
    return spelled


@st.composite
def another_name(draw: st.DrawFn, folder: Path, name: str) -> str:
    """Any spelling of `name` in `folder`: ./ and sub/.. segments, absolute, through links."""
    spelled = name
    if draw(st.booleans()):
        spelled = _link_a(folder, name, draw(st.sampled_from(["s", "h"])))
    parts = draw(st.lists(st.sampled_from([".", "sub/..", "sub/./.."]), max_size=3))
    spelled = "/".join([*parts, spelled])
    return str(folder / spelled) if draw(st.booleans()) else spelled


@given(data=st.data(), command=st.sampled_from([c for c in COMMANDS if c != "demo"]),
       name=st.sampled_from(["c.yaml", "d.csv"]))
def test_o_never_names_an_input(tmp_path_factory, data, command, name):
    folder = tmp_path_factory.mktemp("inputs")
    write_inputs(folder)
    (folder / "sub").mkdir()
    target = data.draw(another_name(folder, name))
    before = snapshot(folder)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        result = invoke(*command_line(command), "--format",
                        "json" if command == "explain" else "csv", "-o", target)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1 and result.stdout == ""
    assert "that this run reads; choose another name" in result.stderr
    assert snapshot(folder) == before


# --- only regular files or new paths (item 12) ----------------------------------------------------

@pytest.fixture
def device(inputs: Path) -> str:
    """A character device: as root a node made here (1, 3, like /dev/null: were the check ever
    to fail, the test must not replace the machine's /dev/null), else /dev/null itself."""
    if not ROOT:
        return "/dev/null"
    os.mknod("null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return str(inputs / "null")


@pytest.mark.parametrize("command", COMMANDS)
def test_o_at_a_device_is_refused(inputs, device, command):
    refused([*command_line(command), "--format", "json", "-o", device], device,
            "cannot be written: it is a character device; only a regular file or a new path is "
            "written")
    assert stat.S_ISCHR(os.stat(device).st_mode)


@pytest.mark.skipif(not ROOT, reason="only root makes a device node")
def test_a_device_node_in_the_folder_stays_a_device(inputs):
    os.mknod("full", stat.S_IFCHR | 0o666, os.makedev(1, 7))
    before = snapshot(inputs)
    refused(["score", "c.yaml", "d.csv", "--format", "csv", "-o", "./full"], "./full",
            "cannot be written: it is a character device; only a regular file or a new path is "
            "written")
    assert snapshot(inputs) == before


@pytest.mark.parametrize("kind, make", [
    ("a named pipe", lambda p: os.mkfifo(p)),
    ("a character device", lambda p: os.symlink("/dev/null", p)),  # a link to one
])
@pytest.mark.parametrize("beside", [False, True])
def test_o_or_its_manifest_at_anything_but_a_regular_file_is_refused(inputs, kind, make, beside):
    place = "ket-qua.csv.manifest.json" if beside else "ket-qua.csv"
    make(place)
    before = snapshot(inputs)
    refused(["score", "c.yaml", "d.csv", "-o", "ket-qua.csv"], place,
            f"cannot be written: it is {kind}; only a regular file or a new path is written")
    assert snapshot(inputs) == before


def test_a_folder_where_the_manifest_goes_is_refused_and_the_old_output_kept(inputs):
    Path("ket-qua.csv").write_text("cũ\n", encoding="utf-8")
    Path("ket-qua.csv.manifest.json").mkdir()
    before = snapshot(inputs)
    refused(["score", "c.yaml", "d.csv", "-o", "ket-qua.csv"], "ket-qua.csv.manifest.json",
            "cannot be written: it is a folder; only a regular file or a new path is written")
    assert snapshot(inputs) == before


# --- places that cannot be written (item 27) ------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_places_that_cannot_be_written(inputs, command):
    Path("tep").write_text("", encoding="utf-8")
    long_name = "a" * 240 + ".csv"  # 244 bytes: the file would fit, its manifest would not
    cases = {
        "": ("-o", "the file name is empty"),
        "khong-co/ket-qua.csv": ("khong-co/ket-qua.csv",
                                 "cannot be written: the folder khong-co does not exist"),
        "tep/ket-qua.csv": ("tep/ket-qua.csv", "cannot be written: tep is not a folder"),
        "ket-qua/": ("ket-qua/", "names a folder; give a file name"),
        long_name: (long_name, ("cannot be written: the name of the .manifest.json beside it "
                                "would be 258 bytes long, more than the 255 this file system "
                                "allows; choose a shorter name")),
        "b" * 256 + ".csv": ("b" * 256 + ".csv", ("cannot be written: the file name is 260 "
                                                  "bytes long, more than the 255 this file "
                                                  "system allows")),
    }
    before = snapshot(inputs)
    for target, (source, message) in cases.items():
        refused([*command_line(command), "--format", "json", "-o", target], source, message)
    assert snapshot(inputs) == before
    assert leftovers() == []


@pytest.fixture
def read_only(tmp_path: Path):
    """A folder that cannot be written, even by root: a read-only tmpfs (or, not as root, a
    folder without write permission)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if ROOT:
        if os.system(f"mount -t tmpfs -o ro,size=64k tmpfs {folder} 2>/dev/null") != 0:
            pytest.skip("cannot mount a tmpfs here")
        yield folder
        os.system(f"umount -l {folder}")
    else:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_read_only_folder(inputs, read_only, command):
    target = str(read_only / "ket-qua.json")
    refused([*command_line(command), "-o", target], target,
            f"cannot be written: the folder {read_only} is read-only")
    assert os.listdir(read_only) == []


# --- the extension says the format (item 14) ------------------------------------------------------

SCORING = "csv, .json, .md (markdown), .markdown, .html, .htm (html), .parquet, .xlsx or .txt (table)"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("target", ["x.pdf", "x.xls", "x.PDF", "x", "x.tar.gz"])
def test_an_extension_no_command_writes_is_refused(inputs, command, target):
    suffix = Path(target).suffix
    writes = ("explain writes .json, .md (markdown), .markdown, .html, .htm (html) or .txt (table)"
              if command == "explain" else f"{command} writes .{SCORING}")
    head = f"unknown extension {suffix}" if suffix else "no extension to choose the format by"
    before = snapshot(inputs)
    refused([*command_line(command), "-o", target], target, f"{head}: {writes}, or give --format")
    assert snapshot(inputs) == before


@pytest.mark.parametrize("target, fmt", [("x.csv", "csv"), ("x.parquet", "parquet"), ("x.xlsx", "xlsx")])
def test_explain_refuses_what_it_does_not_write(inputs, target, fmt):
    refused(["explain", "c.yaml", "d.csv", "X1", "-o", target], target,
            f"explain does not write {fmt} ({Path(target).suffix}): explain writes .json, .md "
            f"(markdown), .markdown, .html, .htm (html) or .txt (table), or give --format")
    assert not Path(target).exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_an_extension_that_contradicts_format_is_refused(inputs, command):
    refused([*command_line(command), "--format", "markdown", "-o", "x.json"], "x.json",
            "the extension .json says json, --format says markdown: make them agree")
    assert not Path("x.json").exists()


EXTENSIONS = {".json": "json", ".md": "markdown", ".markdown": "markdown", ".txt": "table",
              ".csv": "csv", ".html": "html", ".htm": "html", ".JSON": "json"}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("extension", EXTENSIONS)
def test_a_supported_extension_is_honoured(inputs, command, extension):
    fmt = EXTENSIONS[extension]
    if command == "explain" and fmt == "csv":
        pytest.skip("explain writes table, markdown, html and json")
    printed = invoke(*command_line(command), "--format", fmt)
    assert printed.exit_code == 0, printed.output
    written = invoke(*command_line(command), "-o", f"x{extension}")
    assert written.exit_code == 0, written.output
    assert (written.stdout, written.stderr) == ("", "")
    assert Path(f"x{extension}").read_text(encoding="utf-8") == printed.stdout
    assert json.loads(Path(f"x{extension}.manifest.json").read_text())["outputs"][0]["format"] == fmt


def test_explain_json_by_its_extension(inputs):
    assert invoke("explain", "c.yaml", "d.csv", "X1", "-o", "x.json").exit_code == 0
    assert json.loads(Path("x.json").read_text(encoding="utf-8"))["unit"]["id"] == "X1"


def test_an_unknown_extension_with_format_is_what_was_asked(inputs):
    assert invoke("score", "c.yaml", "d.csv", "--format", "csv", "-o", "ket-qua.dat").exit_code == 0
    assert Path("ket-qua.dat").read_text(encoding="utf-8").startswith("id,name,group,")


def test_the_longest_name_with_room_for_its_manifest_is_written(inputs):
    name = "a" * 237 + ".csv"  # 241 bytes: the manifest's name is 255
    result = invoke("score", "c.yaml", "d.csv", "-o", name)
    assert (result.exit_code, result.stderr) == (0, "")
    assert sorted(os.listdir(inputs)) == sorted(["c.yaml", "d.csv", name, f"{name}.manifest.json"])
