"""Writing files safely: a run's files appear whole and together, or not at all.

- **The place is checked first** (`check_place`): a new path or a regular file (never a folder,
  a device, a pipe or a socket, nor a link to one), in a folder that exists, with a name the
  file system can hold, and none of the files the run reads (the same path once resolved, or
  the same file by device and inode: a symlink, a hard link, another spelling).
- **Every file is staged** (`staged`): written to a temporary file in its own folder, named
  `.thidua-<host>-<pid>-<random>.tmp`. On any error, Ctrl-C, SIGTERM or SIGHUP the temporary
  files are removed and every existing file is left as it was. SIGKILL cannot be caught: a
  later write into the same folder removes the temporary files whose process is gone.
- **The files are committed together** (`Stage.commit`): under an exclusive lock on their folder
  (`flock`, so that two runs writing the same output commit one after the other, never
  interleaved), each temporary file is renamed over its place; when a rename fails, the files
  already renamed are put back from hard links kept for the purpose. A signal that arrives
  during the renames is acted on once they are done.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from thidua.errors import Problem, ThiduaError, UsageError
from thidua.i18n import N_, _, system

PREFIX = ".thidua-"
SIGNALS = (signal.SIGTERM, signal.SIGHUP)
NAME_MAX = 255  # when the file system does not say


class Interrupted(BaseException):
    """SIGTERM or SIGHUP arrived while files were being written (like KeyboardInterrupt, not an
    error of the input). `committed`: the signal came during the renames, which were finished."""

    def __init__(self, signum: int, committed: bool = False):
        self.signum = signum
        self.committed = committed
        super().__init__(signal.Signals(signum).name)


def written(reason: str) -> str:
    """`cannot be written: <reason>`, in the reader's language."""
    return _("cannot be written: {reason}", reason=reason)


def cannot(path: str, message: str) -> UsageError:
    return UsageError(path, [Problem("", message)])


# --- the place ------------------------------------------------------------------------------------

_KINDS = ((stat.S_ISDIR, N_("a folder")), (stat.S_ISCHR, N_("a character device")),
          (stat.S_ISBLK, N_("a block device")), (stat.S_ISFIFO, N_("a named pipe")),
          (stat.S_ISSOCK, N_("a socket")))


def _kind(mode: int) -> str:
    return _(next((name for test, name in _KINDS if test(mode)), N_("not a regular file")))


def name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return NAME_MAX


def check_place(path: str, *, inputs: dict[str, str] | None = None, suffix: str = "") -> None:
    """Refuse, before anything is written, a place `path` (and `path + suffix`, its companion
    file, when `suffix` is given) that cannot or must not be written. `inputs`: role → path of
    the files the run reads, which are never written over."""
    if path == "":
        raise cannot("-o", _("the file name is empty"))
    if path.endswith(("/", os.sep)):
        raise cannot(path, _("names a folder; give a file name"))
    target = Path(path)
    folder = target.parent
    try:
        folder_stat = folder.stat()
    except FileNotFoundError:
        raise cannot(path, written(_("the folder {folder} does not exist", folder=str(folder)))
                     ) from None
    except OSError as e:
        raise cannot(path, written(system(e))) from None
    if not stat.S_ISDIR(folder_stat.st_mode):
        raise cannot(path, written(_("{folder} is not a folder", folder=str(folder))))
    longest = name_max(folder)
    size = len(os.fsencode(target.name))
    if size > longest:
        raise cannot(path, written(_("the file name is {size} bytes long, more than the "
                                     "{longest} this file system allows", size=size,
                                     longest=longest)))
    if size + len(suffix) > longest:
        raise cannot(path, written(_("the name of the {suffix} beside it would be {size} bytes "
                                     "long, more than the {longest} this file system allows; "
                                     "choose a shorter name", suffix=suffix,
                                     size=size + len(suffix), longest=longest)))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise cannot(path, written(_("the folder {folder} is read-only", folder=str(folder))))
    places = [path, path + suffix] if suffix else [path]
    for place in places:
        _check_kind(place)
    for role, given in (inputs or {}).items():
        for place in places:
            if same_file(place, given):
                if place == path:
                    why = _("it is the {role} file {given} that this run reads; choose another "
                            "name", role=role, given=given)
                else:
                    why = _("the {place} beside it is the {role} file {given} that this run "
                            "reads; choose another name", place=place, role=role, given=given)
                raise cannot(path, written(why))


def _check_kind(place: str) -> None:
    try:
        mode = os.stat(place).st_mode  # through a symlink: what it points at
    except FileNotFoundError:
        return  # a new path (or a dangling link, which is replaced)
    except OSError as e:
        raise cannot(place, written(system(e))) from None
    if not stat.S_ISREG(mode):
        raise cannot(place, written(_("it is {kind}; only a regular file or a new path is "
                                      "written", kind=_kind(mode))))


def same_file(a: str, b: str) -> bool:
    """Whether two paths name one file: the same path once resolved, or the same device and
    inode (a hard link)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


# --- temporary files ------------------------------------------------------------------------------

def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def temporary_name(folder: Path) -> Path:
    return folder / f"{PREFIX}{_host()}-{os.getpid()}-{secrets.token_hex(4)}.tmp"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def sweep(folder: Path) -> None:
    """Remove the temporary files this host's runs left in `folder` when killed (SIGKILL): those
    whose process is no longer alive."""
    mine = f"{PREFIX}{_host()}-"
    try:
        names = [n for n in os.listdir(folder) if n.startswith(mine) and n.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        pid = name.removeprefix(mine).split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        with suppress(OSError):
            mode = os.lstat(folder / name).st_mode
            if stat.S_ISDIR(mode):
                shutil.rmtree(folder / name)
            elif stat.S_ISREG(mode):
                os.unlink(folder / name)


# --- staging and committing -----------------------------------------------------------------------

@dataclass
class Stage:
    """Temporary files waiting to be renamed over their places, all together."""

    files: list[tuple[Path, Path]] = field(default_factory=list)  # (temporary, place)
    committing: bool = False
    pending: int | None = None  # a signal that arrived during the renames

    def temporary(self, place: str) -> str:
        """A new empty temporary file beside `place`, to be written and then committed there."""
        target = Path(place)
        folder = target.parent
        sweep(folder)
        for _attempt in range(100):
            tmp = temporary_name(folder)
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # mode by umask
            except FileExistsError:
                continue
            except OSError as e:
                raise cannot(place, written(system(e))) from None
            os.close(fd)
            self.files.append((tmp, target))
            return str(tmp)
        raise cannot(place, written(_("no free temporary name beside it")))

    def discard(self) -> None:
        for tmp, _place in self.files:
            with suppress(OSError):
                tmp.unlink()
        self.files.clear()

    def commit(self) -> None:
        """Rename every temporary file over its place, under a lock on their folders; when one
        rename fails, put back what the others replaced."""
        self.committing = True
        try:
            with _locked([place for _, place in self.files]):
                kept = self._rename_all()
            for old in kept:
                with suppress(OSError):
                    old.unlink()
        finally:
            self.committing = False
        self.files.clear()

    def _rename_all(self) -> list[Path]:
        """Rename each temporary file over its place; the old files, kept aside, are returned.
        When one fails, the places already renamed get their old files back."""
        done: list[tuple[Path, Path | None]] = []  # (place, its old file kept aside)
        for tmp, place in self.files:
            kept = None
            try:
                _check_kind(str(place))
                kept = _keep(place)
                os.replace(tmp, place)
            except BaseException as e:
                _put_back(place, kept, replaced=False)
                for renamed, old in reversed(done):
                    _put_back(renamed, old, replaced=True)
                if isinstance(e, OSError):
                    raise cannot(str(place), written(system(e))) from None
                raise
            done.append((place, kept))
        return [old for _, old in done if old is not None]


def _put_back(place: Path, kept: Path | None, replaced: bool) -> None:
    """Undo the rename over `place`: its old file back from `kept`, or no file if it had none.
    (A rename between two names of one file changes nothing: `kept` is then removed.)"""
    with suppress(OSError):
        if kept is not None:
            os.replace(kept, place)
            kept.unlink(missing_ok=True)
        elif replaced:
            place.unlink()


def _keep(target: Path) -> Path | None:
    """A second name for the file at `target` (a hard link), to put it back; None if there is
    none. Where hard links are not allowed, the file is moved aside instead."""
    try:
        os.lstat(target)
    except FileNotFoundError:
        return None
    kept = temporary_name(target.parent)
    try:
        os.link(target, kept, follow_symlinks=False)
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOTSUP):
            raise
        os.rename(target, kept)
    return kept


@contextmanager
def _locked(places: list[Path]) -> Iterator[None]:
    """An exclusive lock on the folders of `places`, taken in one order by every run."""
    fds = []
    try:
        for folder in sorted({place.parent for place in places}, key=str):
            try:
                fd = os.open(folder, os.O_RDONLY)
            except OSError as e:
                place = next(p for p in places if p.parent == folder)
                raise cannot(str(place), written(system(e))) from None
            fds.append(fd)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        for fd in reversed(fds):
            os.close(fd)  # closing lets go of the lock


@contextmanager
def staged() -> Iterator[Stage]:
    """A stage for files to write: what is not committed when the block ends is removed, and so
    is every temporary file a writer library makes meanwhile (xlsxwriter keeps each sheet in
    one: they go to a private folder in the system's temporary folder, removed at the end).

    SIGTERM and SIGHUP inside the block raise `Interrupted` (once the renames are done, if they
    arrive during `commit`). A write that fails on the system's side (a full disk, a read-only
    folder), as an OSError or a writer's error caused by one, becomes a UsageError naming the
    file it was for."""
    stage = Stage()
    private = _private_folder()
    previous = tempfile.tempdir
    if private is not None:
        tempfile.tempdir = str(private)
    try:
        with _on_signals(stage):
            try:
                yield stage
            except BaseException as e:
                place = str(stage.files[-1][1]) if stage.files else ""
                temporaries = {str(tmp) for tmp, _ in stage.files}
                stage.discard()
                failure = _os_failure(e)
                if failure is None:
                    raise
                _close_left_open(e, temporaries, private)
                raise cannot(place, written(failure)) from None
            stage.discard()
    finally:
        tempfile.tempdir = previous
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)


def _private_folder() -> Path | None:
    """A new folder for a writer's own temporary files (None where none can be made: they then
    go where they would have gone)."""
    system = Path(tempfile.gettempdir())
    sweep(system)
    folder = temporary_name(system)
    try:
        folder.mkdir(mode=0o700)
    except OSError:
        return None
    return folder


def _os_failure(e: BaseException) -> str | None:
    """What the system said, if the error `e` is (or was caused by) an OSError: its strerror;
    polars gives only text with `(os error N)` in it. None for anything else: the project's own
    errors, signals, Ctrl-C, and bugs (which keep their traceback)."""
    if not isinstance(e, Exception) or isinstance(e, ThiduaError):
        return None
    seen: BaseException | None = e
    while seen is not None:
        if isinstance(seen, OSError):
            return system(seen)
        polars = type(seen).__module__.startswith("polars")
        found = re.search(r"\(os error (\d+)\)", str(seen)) if polars else None
        if found:
            code = int(found.group(1))
            return system(OSError(code, os.strerror(code)))
        seen = seen.__cause__ or seen.__context__
    return None


def _close_left_open(e: BaseException, temporaries: set[str], private: Path | None) -> None:
    """Close the files on `temporaries` (or in the `private` folder) that the failed writer's
    frames still hold (xlsxwriter's ZipFile on a full disk), so that their finalisers do not
    report the same failure again as "Exception ignored"."""

    def ours(value: object) -> bool:
        name = getattr(value, "filename", None) if isinstance(value, zipfile.ZipFile) else (
            getattr(value, "name", None) if isinstance(value, io.IOBase) else None)
        return isinstance(name, str) and (name in temporaries or (
            private is not None and name.startswith(f"{private}{os.sep}")))

    seen: BaseException | None = e
    while seen is not None:
        tb = seen.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                if ours(value):
                    with suppress(Exception):
                        value.close()
            tb = tb.tb_next
        seen = seen.__cause__ or seen.__context__


@contextmanager
def _on_signals(stage: Stage) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        if stage.committing:
            stage.pending = signum
        else:
            raise Interrupted(signum)

    # a signal the process ignores (SIGHUP under nohup) stays ignored
    caught = [s for s in SIGNALS if signal.getsignal(s) is not signal.SIG_IGN]
    previous = {s: signal.signal(s, stop) for s in caught}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
    if stage.pending is not None:
        raise Interrupted(stage.pending, committed=True)


def write_atomic(path: str, write: Callable[[str], None]) -> None:
    """The file appears whole or not at all: `write` fills a temporary file beside its place,
    which is then renamed over it (only a regular file or a new path is
    written; on any error or SIGTERM the temporary file is removed)."""
    check_place(path)
    with staged() as stage:
        write(stage.temporary(path))
        stage.commit()
