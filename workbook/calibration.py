"""Calibrate, written once for any Book: measure, suggest, write the Calibration sheet, apply on request.

`calibrate_book(book, ...)` reads the LeadScore sheet and the Leads table as check does (and the
Events sheet, for the rules over events, counted as of the run's time), runs scoring.calibrate on
them, and only then writes: with apply=True the suggestion goes into the
LeadScore tables with a Changelog (apply_model.py), and the Calibration sheet (calibration_sheet.py)
is written afresh in the book's language. Without apply, nothing of the LeadScore sheet changes.
`calibrate_file(path, out=None, ...)` does it to a file, saved in place or to out, atomically: a
run that fails leaves the file byte-for-byte as it was.
"""
from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field

from scoring.calibrate import calibrate

from .apply_model import apply_suggestion
from .calibration_sheet import calibration_layout
from .events_sheet import EventsSheet
from .layout import NATIVE_SHEET
from .leads import is_helper_column
from .safety import run_lock
from .xlcalibration import put_calibration

@dataclass
class Calibrated:
    """What a calibrate run did: the Calibration (scoring.calibrate), the sheet it wrote, the changes
    --apply made (None without it) and where their Changelog is, notes for the user, parts a copy lacks."""

    found: object
    sheet: str
    changes: list | None = None
    changelog: str | None = None
    notes: list = field(default_factory=list)
    lost: list = field(default_factory=list)


def learner_missing() -> str | None:
    """Why the suggestion cannot be learned here (scikit-learn cannot be imported), or None."""
    try:
        importlib.import_module("sklearn.linear_model")
    except ImportError:
        return "it needs scikit-learn, which this Python lacks"
    return None


def calibrate_book(book, apply: bool = False, when: dt.datetime | None = None, learn: bool = True,
                   **options) -> Calibrated:
    """Calibrate the model of any Book (options: those of scoring.calibrate.calibrate, such as outcome,
    holdout, since, capacity, seed, columns, exclude, behaviour); the caller saves."""
    from .workflow import read_checked

    when = when or dt.datetime.now().replace(microsecond=0)
    sheet, _, frame, _ = read_checked(book)
    frame = frame[[c for c in frame.columns if not is_helper_column(c)]]
    language = sheet.model.settings.language
    events = EventsSheet(book, language).frame() if sheet.model.event_rules else None
    found = calibrate(frame, sheet.model, learn=learn, events=events, as_of=when, **options)
    done = Calibrated(found, "")
    if apply:
        done.changes, done.changelog = apply_suggestion(book, sheet, found, when)
        if NATIVE_SHEET in book.sheet_names() and any(":" in c.cell for c in done.changes):  # A new rule's row.
            done.notes.append("the book has native formulas: run `leadscore formulas` so that they compute the "
                              "new rules too")
    why = None if learn else learner_missing()
    layout = calibration_layout(found, sheet.model.settings.language, when,
                                applied=len(done.changes) if done.changes is not None else None,
                                changelog=done.changelog, no_suggestion=why)
    put_calibration(book, layout)
    done.sheet = layout.sheet_name
    return done


def calibrate_file(path, out=None, apply: bool = False, when: dt.datetime | None = None, **options) -> Calibrated:
    """calibrate_book on a workbook file, saved to out when given, else in place (atomically)."""
    from .workflow import open_book

    with run_lock(path), open_book(path) as book:
        done = calibrate_book(book, apply=apply, when=when, **options)
        done.lost = book.save(out)
    return done
