"""thidua/output/writing.py itself: files committed together, put back when one rename fails."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from thidua.errors import UsageError
from thidua.output import writing
from thidua.output.writing import write_atomic


def _stage_two(tmp_path: Path, second: Path) -> writing.Stage:
    stage = writing.Stage()
    Path(stage.temporary(str(tmp_path / "a.csv"))).write_bytes(b"new a")
    Path(stage.temporary(str(second))).write_bytes(b"new b")
    return stage


@pytest.mark.parametrize("links", [True, False])
def test_when_the_second_rename_fails_the_first_is_put_back(tmp_path, monkeypatch, links):
    if not links:  # a file system without hard links: the old file is moved aside instead
        def no_link(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise OSError(errno.EPERM, os.strerror(errno.EPERM))

        monkeypatch.setattr(writing.os, "link", no_link)
    (tmp_path / "a.csv").write_bytes(b"old a")
    (tmp_path / "b.csv").write_bytes(b"old b")
    stage = _stage_two(tmp_path, tmp_path / "b.csv")
    stage.files[1][0].unlink()  # b's temporary file is gone: its rename fails, after a's
    with pytest.raises(UsageError) as e:
        stage.commit()
    assert e.value.lines() == [(f"{tmp_path / 'b.csv'}: cannot be written: "
                                f"{os.strerror(errno.ENOENT)}")]
    stage.discard()
    assert {n: (tmp_path / n).read_bytes() for n in os.listdir(tmp_path)} == {
        "a.csv": b"old a", "b.csv": b"old b"}


def test_a_new_place_is_removed_again_when_its_companion_fails(tmp_path):
    stage = _stage_two(tmp_path, tmp_path / "b.csv")
    stage.files[1][0].unlink()
    with pytest.raises(UsageError):
        stage.commit()
    stage.discard()
    assert os.listdir(tmp_path) == []


def test_a_folder_gone_before_the_commit_is_a_clear_error(tmp_path):
    (tmp_path / "sub").mkdir()
    stage = _stage_two(tmp_path, tmp_path / "sub" / "b.csv")
    (tmp_path / "sub").rename(tmp_path / "gone")
    with pytest.raises(UsageError) as e:
        stage.commit()
    assert e.value.lines() == [(f"{tmp_path / 'sub' / 'b.csv'}: cannot be written: "
                                f"{os.strerror(errno.ENOENT)}")]
    stage.discard()
    assert sorted(os.listdir(tmp_path)) == ["gone"]


def test_both_are_committed(tmp_path):
    (tmp_path / "b.csv").write_bytes(b"old b")
    with writing.staged() as stage:
        Path(stage.temporary(str(tmp_path / "a.csv"))).write_bytes(b"new a")
        Path(stage.temporary(str(tmp_path / "b.csv"))).write_bytes(b"new b")
        stage.commit()
    assert {n: (tmp_path / n).read_bytes() for n in os.listdir(tmp_path)} == {
        "a.csv": b"new a", "b.csv": b"new b"}


def test_the_library_write_atomic_is_as_safe(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(UsageError) as e:
        write_atomic(str(tmp_path / "pipe"), lambda tmp: Path(tmp).write_bytes(b"x"))
    assert e.value.lines() == [(f"{tmp_path / 'pipe'}: cannot be written: it is a named pipe; "
                                f"only a regular file or a new path is written")]

    def fails(tmp: str) -> None:
        Path(tmp).write_bytes(b"half")
        raise RuntimeError("a bug in a writer keeps its traceback")

    with pytest.raises(RuntimeError):
        write_atomic(str(tmp_path / "x.csv"), fails)
    assert sorted(os.listdir(tmp_path)) == ["pipe"]
    write_atomic(str(tmp_path / "x.csv"), lambda tmp: Path(tmp).write_bytes(b"whole"))
    assert (tmp_path / "x.csv").read_bytes() == b"whole"
    assert oct((tmp_path / "x.csv").stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
