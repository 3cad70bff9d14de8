"""Progress of long runs on a terminal: the step under way, with its count and the time so far.

The file backend (packagebook.py) and the workflow call `step("Reading Leads", rows=100_000)`; nothing
is shown unless a face turned it on with `show(stream)` (the command line does when its error stream
is a terminal). Each step overwrites the line of the one before; `finish()` clears it. Steps of runs
shorter than a second are never shown, so small books print nothing extra.
"""
from __future__ import annotations

import os
import time

_state = {"stream": None, "started": 0.0, "shown": False}
# Seconds a run goes on before its steps are shown (tests set LEADSCORE_PROGRESS_DELAY=0).
DELAY = float(os.environ.get("LEADSCORE_PROGRESS_DELAY", "1"))


def show(stream) -> None:
    """Show the steps of the runs that follow on stream (None: show nothing)."""
    _state.update(stream=stream, started=time.monotonic(), shown=False)


def step(what: str, rows: int | None = None) -> None:
    """The run has started `what` (on so many rows)."""
    stream = _state["stream"]
    if stream is None:
        return
    elapsed = time.monotonic() - _state["started"]
    if elapsed < DELAY and not _state["shown"]:
        return
    count = f" ({rows:,} rows)" if rows else ""
    stream.write(f"\r\x1b[K{what}{count}... {elapsed:.0f} s")
    stream.flush()
    _state["shown"] = True


def finish() -> None:
    """Clear the progress line (the summary follows)."""
    stream = _state["stream"]
    if stream is not None and _state["shown"]:
        stream.write("\r\x1b[K")
        stream.flush()
    _state.update(stream=None, shown=False)
