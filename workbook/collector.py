"""Fewer full garbage collections while a workbook is open.

A run keeps millions of small objects alive at once (rows, cell values, XML pieces). Python's
cyclic garbage collector walks every live object at each full collection, and it runs them as
the heap grows: on a 100,000-lead import about a second of walking objects that are all in use.
While a book is open, young objects are still collected as usual (generations 0 and 1); only the
full collection waits for the book to close.
"""
from __future__ import annotations

import gc

_held = 0  # Books open now.
_saved: tuple | None = None  # The thresholds before the first of them opened.

# Generation 2 (full) collections only after this many generation-1 collections.
RARE = 100_000


def hold() -> None:
    """A book opens: full collections wait (nested books count)."""
    global _held, _saved
    if _held == 0:
        _saved = gc.get_threshold()
        first, second = _saved[0], _saved[1] if len(_saved) > 1 else 10
        gc.set_threshold(first, second, max(RARE, _saved[2] if len(_saved) > 2 else 0))
    _held += 1


def release() -> None:
    """A book closes: the last one puts the thresholds back."""
    global _held, _saved
    if _held == 0:
        return
    _held -= 1
    if _held == 0 and _saved is not None:
        gc.set_threshold(*_saved)
        _saved = None
