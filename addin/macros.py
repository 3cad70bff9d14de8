"""The macros behind the Rescore, Tasks, Report and Calibrate buttons, for desktop Excel and xlwings Lite.

Each takes an xlwings Book, wraps it in workbook.xlbook.XlBook and runs the same
workflow the command line runs on files (workbook.workflow.run_book). Problems
are shown to the user as one message naming the cells, never as a traceback;
the LeadScore sheet and the leads are fully checked before anything is written.
"""
from __future__ import annotations

import datetime as dt

from scoring.errors import LeadScoreError
from workbook.workflow import run_book
from workbook.xlbook import XlBook

TITLE = "Lead Score"


def summary_text(report) -> str:
    """A few lines for a message box: leads, statuses, new SQLs, problems, sheets written."""
    s = report.summary
    status = ", ".join(f"{k} {v}" for k, v in sorted(s["status"].items()))
    lines = [f"{s['leads']} leads scored ({status})."]
    if s["new_sql"]:
        names = ", ".join(f"{who} ({rating})" for who, rating in s["new_sql"][:5])
        more = f" and {len(s['new_sql']) - 5} more" if len(s["new_sql"]) > 5 else ""
        lines.append(f"New SQLs: {names}{more}.")
    if s["with_problems"]:
        lines.append(f"{s['with_problems']} leads have values that could not be used (see Problems).")
    if report.tasks_sheet:
        lines.append(f"{len(report.tasks)} tasks on sheet '{report.tasks_sheet}'.")
    if report.funnel is not None:
        lines.append("Report sheet updated.")
    return "\n".join(lines)


def _alert(book, text: str) -> None:
    try:
        book.app.alert(text, title=TITLE)
    except Exception:  # A host without message boxes (or no app): the text is returned anyway.
        pass


def _failure_text(exc: Exception) -> str:
    """What a macro says when it stops: the problems of the book (the first 20), or that it is a bug."""
    if isinstance(exc, LeadScoreError):
        lines = exc.lines()
        text = f"Nothing was changed: {len(lines)} problem(s).\n" + "\n".join(lines[:20])
        if len(lines) > 20:
            text += f"\n… and {len(lines) - 20} more (run `leadscore check` for all)."
        return text
    return (f"Nothing was changed: Lead Score stopped on an unexpected {type(exc).__name__}: {exc}. "
            "This is a bug in Lead Score, not in your workbook; please report it.")


def run_steps(book, steps, as_of: dt.datetime | None = None, quiet: bool = False) -> str:
    """Run the workflow steps on an xlwings Book; returns (and shows) the summary or the problems."""
    try:
        report = run_book(XlBook(book), as_of, steps)
    except Exception as exc:  # noqa: BLE001  Any failure: one message, never a traceback.
        text = _failure_text(exc)
        if not quiet:
            _alert(book, text)
        return text
    text = summary_text(report)
    if not quiet:
        _alert(book, text)
    return text


def rescore(book, as_of=None, quiet=False) -> str:
    return run_steps(book, ("rescore",), as_of, quiet)


def tasks(book, as_of=None, quiet=False) -> str:
    return run_steps(book, ("rescore", "tasks"), as_of, quiet)


def report(book, as_of=None, quiet=False) -> str:
    return run_steps(book, ("rescore", "report"), as_of, quiet)


def run_all(book, as_of=None, quiet=False) -> str:
    return run_steps(book, ("rescore", "tasks", "report"), as_of, quiet)


def _no_learner() -> str:
    """Where scikit-learn is missing: what to do, in one line (xlwings Lite runs in Pyodide, which provides it)."""
    import sys

    if sys.platform == "emscripten":
        return ("The suggestion needs scikit-learn, which xlwings Lite has not loaded: add the line scikit-learn to "
                "requirements.txt in the xlwings Lite editor (Pyodide provides it; it is a large download), then run "
                "calibrate again.")
    return "The suggestion needs scikit-learn, which this Python lacks: install it (pip install scikit-learn) and run " \
        "Calibrate again."


def calibration_text(done, missing: str | None = None) -> str:
    """A few lines for a message box: the holdout AUCs, and what was written or changed."""
    f = done.found
    lines = [f"Calibration sheet '{done.sheet}' written: {f.test_leads:,} held-out leads ({f.split})."]
    auc = "—" if f.auc is None else f"{f.auc:.3f}"
    if f.suggestion is not None:
        lines.append(f"AUC on the holdout: current model {auc}, suggested model {f.suggested_auc:.3f}.")
    else:
        lines.append(f"AUC on the holdout: current model {auc}.")
    if missing:
        lines.append(_no_learner())
    elif done.changes is None:
        lines.append("The LeadScore sheet was not changed; run calibrate_apply to apply the suggestion.")
    elif done.changes:
        lines.append(f"Applied: {len(done.changes)} changes on the LeadScore sheet, each a row of its Changelog "
                     f"({done.changelog}); rescore to score the leads with it.")
    else:
        lines.append("The suggestion is the model as it is: nothing to apply.")
    return "\n".join(lines + [f"Note: {n}." for n in done.notes])


def calibrate(book, apply: bool = False, as_of: dt.datetime | None = None, quiet: bool = False) -> str:
    """Measure the model on the leads' outcomes (the Outcome column setting; 30% held out at random,
    seed 0; capacity 12%, as the command line by default) and write the Calibration sheet; with apply,
    also put the suggestion into the LeadScore tables with a Changelog. Where scikit-learn is missing
    (xlwings Lite without it), the sheet shows the current model's figures and the message says why."""
    from workbook.calibration import calibrate_book, learner_missing

    missing = learner_missing()
    try:
        if missing and apply:
            text = "Nothing was changed: " + _no_learner()
        else:
            text = calibration_text(calibrate_book(XlBook(book), apply=apply, when=as_of, learn=missing is None),
                                    missing)
    except Exception as exc:  # noqa: BLE001  Any failure: one message, never a traceback.
        text = _failure_text(exc)
    if not quiet:
        _alert(book, text)
    return text


def calibrate_apply(book, as_of: dt.datetime | None = None, quiet: bool = False) -> str:
    return calibrate(book, apply=True, as_of=as_of, quiet=quiet)


def main() -> None:
    """Entry point for RunPython (the Rescore button): rescore, tasks, report on the calling book."""
    import xlwings as xw

    run_all(xw.Book.caller())
