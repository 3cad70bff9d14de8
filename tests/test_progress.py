"""Progress on the terminal: steps with counts and time, only on a terminal, cleared before the summary."""
from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

import pytest

from workbook import progress
from workbooks import known_book


def test_steps_overwrite_one_line_and_are_cleared(monkeypatch):
    monkeypatch.setattr(progress, "DELAY", 0.0)
    out = io.StringIO()
    progress.show(out)
    progress.step("Reading Leads", 100_000)
    progress.step("Saving and checking the new file")
    progress.finish()
    progress.step("After the run")  # Nothing: finish() turned it off.
    assert out.getvalue() == ("\r\x1b[KReading Leads (100,000 rows)... 0 s"
                              "\r\x1b[KSaving and checking the new file... 0 s\r\x1b[K")


def test_nothing_is_shown_unless_turned_on():
    progress.finish()
    progress.step("Reading Leads", 10)  # No stream: a no-op, not an error.


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.slow
def test_the_command_line_shows_steps_on_a_terminal_only(tmp_path, monkeypatch):
    book = known_book(tmp_path / "book.xlsx")
    env = {**os.environ, "LEADSCORE_PROGRESS_DELAY": "0"}
    command = [sys.executable, "-m", "addin.cli", "rescore", str(book), "--as-of", "2026-11-23"]
    piped = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert piped.returncode == 0 and "\x1b[K" not in piped.stderr and "\x1b[K" not in piped.stdout
    leader, follower = pty.openpty()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=follower, env=env, check=False)
    os.close(follower)
    seen = os.read(leader, 1 << 16).decode()
    os.close(leader)
    assert done.returncode == 0
    assert "Saving and checking the new file..." in seen and seen.endswith("\r\x1b[K")
