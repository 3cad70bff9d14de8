"""Saving when the file system says no, killed runs, and two runs on one workbook.

Each case runs the command line as a user would and asserts the one line on
stderr, exit code 1, the user's file byte-for-byte unchanged and no temporary
file (or lock) of ours left behind. Read-only folders, full disks and mounted
files are real small file systems (tmpfs, mounted for the test, as root may);
where mounting is not allowed the fault is simulated instead.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from addin.cli import cli
from workbook import safety
from workbooks import known_book, sha256

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-23"


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def leftovers(folder: Path) -> list[str]:
    """Our temporary and lock files in folder."""
    return sorted(p.name for p in Path(folder).iterdir() if p.name.startswith(".~leadscore-"))


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def one_error(code: int, err: str) -> str:
    assert code == 1, err
    assert err.count("\n") == 1 and err.startswith("Error: "), err
    return err[len("Error: "):-1]


@pytest.fixture(scope="module")
def book_bytes(tmp_path_factory) -> bytes:
    return known_book(tmp_path_factory.mktemp("book") / "book.xlsx").read_bytes()


@pytest.fixture
def book(tmp_path, book_bytes) -> Path:
    path = tmp_path / "book.xlsx"
    path.write_bytes(book_bytes)
    return path


class Disk:
    """A small real file system (tmpfs) mounted at a folder, or None where mounting is not allowed."""

    def __init__(self, folder: Path, size: str = "1m"):
        folder.mkdir()
        self.folder = folder
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
                                capture_output=True)
        self.mounted = result.returncode == 0

    def read_only(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.folder)], check=True)

    def fill(self) -> None:
        """Write a filler file until the disk is full."""
        with open(self.folder / "filler", "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], check=True)


@pytest.fixture
def disk(tmp_path):
    made = Disk(tmp_path / "disk")
    yield made
    made.unmount()


def simulate(monkeypatch, code: int, where: str = "write") -> None:
    """Where no file system can be mounted: the fault, raised where the real one would be."""
    if where == "folder":
        def failing(target):
            raise OSError(code, os.strerror(code))
        monkeypatch.setattr(safety, "_temp_path", failing)
    else:
        def failing(path):
            raise OSError(code, os.strerror(code))
        monkeypatch.setattr(safety, "_fsync_file", failing)


# --- read-only and missing folders ---------------------------------------------------------------

def test_a_read_only_folder_in_place(disk, book_bytes, monkeypatch):
    book = disk.folder / "book.xlsx"
    book.write_bytes(book_bytes)
    if disk.mounted:
        disk.read_only()
    else:
        simulate(monkeypatch, errno.EROFS, "folder")
    code, _, err = run("rescore", book, "--as-of", AS_OF)
    assert one_error(code, err) == (f"Cannot write {book}: the folder {disk.folder} is on a read-only disk; choose "
                                    "a folder you can write to. Nothing was changed.")
    assert sha256(book) == sha256_of(book_bytes)
    assert leftovers(disk.folder) == []


def test_out_into_a_read_only_folder(book, disk, monkeypatch):
    if disk.mounted:
        disk.read_only()
    else:
        simulate(monkeypatch, errno.EROFS, "folder")
    before = sha256(book)
    out = disk.folder / "copy.xlsx"
    code, _, err = run("rescore", book, "--out", out, "--as-of", AS_OF)
    assert one_error(code, err) == (f"Cannot write {out}: the folder {disk.folder} is on a read-only disk; choose a "
                                    "folder you can write to. Nothing was changed.")
    assert sha256(book) == before and not out.exists()
    assert leftovers(book.parent) == [] and leftovers(disk.folder) == []


def test_a_folder_without_write_permission(book, monkeypatch):
    # As root every folder is writable, so the refusal (EACCES) is simulated.
    simulate(monkeypatch, errno.EACCES, "folder")
    before = sha256(book)
    code, _, err = run("rescore", book, "--as-of", AS_OF)
    assert one_error(code, err) == (f"Cannot write {book}: you have no permission to write in the folder "
                                    f"{book.parent}; choose a folder you can write to, or ask for write access. "
                                    "Nothing was changed.")
    assert sha256(book) == before and leftovers(book.parent) == []


@pytest.mark.parametrize("command", ["rescore", "tasks", "formulas"])
@pytest.mark.slow
def test_out_into_a_missing_folder(book, command):
    before = sha256(book)
    out = book.parent / "no such folder" / "copy.xlsx"
    code, _, err = run(command, book, "--out", out)
    assert one_error(code, err) == (f"Cannot write {out}: the folder {out.parent} does not exist; create it, or "
                                    "choose another folder. Nothing was changed.")
    assert sha256(book) == before and leftovers(book.parent) == []


def test_a_read_only_file(book):
    os.chmod(book, 0o444)
    before = sha256(book)
    code, _, err = run("rescore", book, "--as-of", AS_OF)
    assert one_error(code, err) == (f"Cannot write {book}: the file is read-only; clear its read-only attribute, "
                                    "or write to another file. Nothing was changed.")
    assert sha256(book) == before and leftovers(book.parent) == []


# --- full disks -----------------------------------------------------------------------------------

# openpyxl leaves its zip file open when the disk fills; Python then fails to close it a second time.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_full_disk_in_place(disk, book_bytes, monkeypatch):
    book = disk.folder / "book.xlsx"
    book.write_bytes(book_bytes)
    if disk.mounted:
        disk.fill()
    else:
        simulate(monkeypatch, errno.ENOSPC)
    code, _, err = run("rescore", book, "--as-of", AS_OF)
    assert one_error(code, err) == (f"Cannot write {book}: the disk is full (no space left in {disk.folder}); free "
                                    "some space and run again. Nothing was changed.")
    assert sha256(book) == sha256_of(book_bytes)
    assert leftovers(disk.folder) == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # As above, for pandas.
@pytest.mark.parametrize("option", ["--csv", "--ics"])
def test_a_full_disk_under_a_tasks_export(book, disk, monkeypatch, option):
    target = disk.folder / ("tasks.csv" if option == "--csv" else "tasks.ics")
    target.write_bytes(b"last week's tasks")
    if disk.mounted:
        disk.fill()
    else:
        simulate(monkeypatch, errno.ENOSPC)
    # The workbook copy is saved first, beside the book (a simulated fault fails that save instead).
    out = book.parent / "copy.xlsx"
    code, _, err = run("tasks", book, "--as-of", AS_OF, "--out", out, option, target)
    failed = target if disk.mounted else out
    assert one_error(code, err) == (f"Cannot write {failed}: the disk is full (no space left in {failed.parent}); "
                                    "free some space and run again. Nothing was changed.")
    assert target.read_bytes() == b"last week's tasks"
    assert leftovers(disk.folder) == [] and leftovers(book.parent) == []


# --- a file mounted on its own --------------------------------------------------------------------

def test_a_workbook_mounted_on_its_own_cannot_be_replaced(tmp_path, book, monkeypatch):
    # A single file bind-mounted into a folder (as containers do) cannot be renamed over.
    source = tmp_path / "elsewhere.xlsx"
    shutil.copy(book, source)
    mounted = subprocess.run(["mount", "--bind", str(source), str(book)], capture_output=True).returncode == 0
    if not mounted:
        real = os.replace

        def failing(a, b):
            if Path(b) == book:
                raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
            return real(a, b)
        monkeypatch.setattr(os, "replace", failing)
    try:
        before = sha256(book)
        code, _, err = run("rescore", book, "--as-of", AS_OF)
        assert one_error(code, err) == (
            f"Cannot write {book}: it is mounted apart from its folder (another file system), so it cannot be "
            "replaced in one step; write to another file, then move it. Nothing was changed.")
        assert sha256(book) == before and leftovers(book.parent) == []
    finally:
        if mounted:
            subprocess.run(["umount", str(book)], check=True)


# --- the name of a copy ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["out.csv", "out.xls", "out"])
@pytest.mark.parametrize("command", ["rescore", "tasks", "formulas", "lite"])
@pytest.mark.slow
def test_a_copy_must_have_a_workbook_name(book, name, command):
    before = sha256(book)
    out = book.parent / name
    code, _, err = run(command, book, "--out", out)
    stem = name.split(".")[0]
    assert one_error(code, err) == (f"{name}: Lead Score writes an Excel workbook, so the name must end in .xlsx, "
                                    f".xlsm, .xltx or .xltm; choose a name such as {stem}.xlsx (for the tasks as "
                                    "CSV, use leadscore tasks BOOK --csv FILE)")
    assert not out.exists() and sha256(book) == before and leftovers(book.parent) == []


# --- killed runs ----------------------------------------------------------------------------------

KILLED_SAVE = """
import os, signal, sys
sys.path.insert(0, {root!r})
from workbook.safety import atomic_save, run_lock

def write(temp):
    with open(temp, "wb") as f:
        f.write(b"half a workbook")
    os.kill(os.getpid(), signal.SIGKILL)

with run_lock({book!r}):
    atomic_save(write, {book!r})
"""


@pytest.mark.slow
def test_the_next_run_cleans_up_after_a_run_killed_while_saving(book):
    before = sha256(book)
    child = subprocess.run([sys.executable, "-c", KILLED_SAVE.format(root=str(ROOT), book=str(book))])
    assert child.returncode == -signal.SIGKILL
    left = leftovers(book.parent)
    assert len(left) == 2 and f".~leadscore-lock.{book.name}" in left  # A temporary file and the lock.
    assert sha256(book) == before
    temp = book.parent / next(n for n in left if "lock" not in n)
    old = time.time() - safety.STALE_AFTER - 60
    os.utime(temp, (old, old))
    code, _, err = run("rescore", book, "--as-of", AS_OF)
    assert code == 0, err
    assert leftovers(book.parent) == []  # The stale lock was taken over, the stale file removed.


def test_only_stale_temporary_files_of_ours_are_removed(book):
    folder = book.parent
    old = time.time() - safety.STALE_AFTER - 60
    names = {".~leadscore-0123456789ab.xlsx": old, ".~leadscore-0123456789ab.xlsx.sharing": old,
             ".~leadscore-abcdefabcdef.xlsx": time.time(),  # Another run is writing it now.
             ".~leadscore-notes.txt": old, "~$book2.xlsx": old}
    for name, when in names.items():
        (folder / name).write_bytes(b"x")
        os.utime(folder / name, (when, when))
    code, _, err = run("rescore", book, "--as-of", AS_OF)
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir() if p.name != "book.xlsx") == [
        ".~leadscore-abcdefabcdef.xlsx", ".~leadscore-notes.txt", "~$book2.xlsx"]


# --- two runs at once -----------------------------------------------------------------------------

HOLD = """
import sys, time
sys.path.insert(0, {root!r})
from workbook.safety import run_lock

with run_lock({book!r}):
    print("held", flush=True)
    time.sleep(60)
"""


def locked_line(book: Path, pid: int, started: str, host: str = "") -> str:
    lock = book.parent / f".~leadscore-lock.{book.name}"
    return (f"{book.name} is being changed by another Lead Score run (process {pid}{host}, started {started}); "
            f"wait for it to finish, or delete {lock} if no run is going")


@pytest.mark.slow
def test_a_second_run_is_refused_while_one_holds_the_workbook(book):
    child = subprocess.Popen([sys.executable, "-c", HOLD.format(root=str(ROOT), book=str(book))],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "held\n"
        lock = book.parent / f".~leadscore-lock.{book.name}"
        holder = json.loads(lock.read_text(encoding="utf-8"))
        assert holder["pid"] == child.pid and holder["host"] == socket.gethostname()
        before = sha256(book)
        for command in (["rescore"], ["formulas"], ["lite"]):
            code, _, err = run(*command, book)
            assert one_error(code, err) == locked_line(book, child.pid, holder["started"][11:19]), command
        assert sha256(book) == before
    finally:
        child.kill()  # Killed: its lock stays behind, as after a crash.
        child.wait()
    assert leftovers(book.parent) == [f".~leadscore-lock.{book.name}"]
    code, _, err = run("rescore", book, "--as-of", AS_OF)  # Its process is gone: the lock is taken over.
    assert code == 0, err
    assert leftovers(book.parent) == []


def test_a_lock_held_on_another_computer_is_not_taken_over(book):
    lock = book.parent / f".~leadscore-lock.{book.name}"
    lock.write_text(json.dumps({"pid": 4242, "host": "sales-laptop", "started": "2026-11-20T09:15:00"}))
    code, _, err = run("rescore", book)
    assert one_error(code, err) == locked_line(book, 4242, "2026-11-20 09:15", " on sales-laptop")
    assert lock.exists()


def test_an_unreadable_lock_is_respected(book):
    lock = book.parent / f".~leadscore-lock.{book.name}"
    lock.write_text("")
    code, _, err = run("rescore", book)
    assert one_error(code, err) == (f"book.xlsx is being changed by another Lead Score run; wait for it to finish, "
                                    f"or delete {lock} if no run is going")


def test_the_lock_is_removed_after_a_failed_run(book):
    import openpyxl

    wb = openpyxl.load_workbook(book)
    wb["LeadScore"]["E5"] = "abc"  # Points that are not a number: the run fails.
    wb.save(book)
    code, _, _ = run("rescore", book)
    assert code == 1
    assert leftovers(book.parent) == []


def test_a_workbook_in_a_missing_folder(tmp_path):
    # No lock can be made there; the run says what is wrong with the file.
    code, _, err = run("rescore", tmp_path / "gone" / "book.xlsx")
    assert one_error(code, err) == f"{tmp_path / 'gone' / 'book.xlsx'}: no such file"


def test_a_workbook_open_in_libreoffice_is_not_written(book):
    (book.parent / ".~lock.book.xlsx#").write_text("Anna Rossi,pc-anna,anna,23.11.2026 08:30,file:///home/anna;")
    before = sha256(book)
    code, _, err = run("rescore", book)
    assert one_error(code, err) == ("book.xlsx is open in LibreOffice (lock file .~lock.book.xlsx#): close it in "
                                    "LibreOffice, or write to another file with --out (if LibreOffice is not "
                                    "running, delete the lock file)")
    assert sha256(book) == before and leftovers(book.parent) == []
