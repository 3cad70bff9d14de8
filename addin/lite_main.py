"""Lead Score for Excel in xlwings Lite: the scripts rescore, tasks, report, run_all, calibrate and
calibrate_apply, and the LEAD functions.

`leadscore lite BOOK` stores this file as the workbook's main.py. Lead Score's own
pure-Python packages (scoring, workbook, addin) travel at the end of this file as
a base64 zip (_BUNDLE), which _install() writes to Pyodide's temporary folder and
puts first on sys.path (zipimport). pandas and openpyxl come from requirements.txt. To update the code, run `leadscore lite` again rather than
editing _BUNDLE by hand; the scripts and functions below may be edited.

Scripts (run them from the xlwings Lite task pane) print a short summary in the
output pane. The LEAD functions take the lead's cells, the matching header cells
and the defined name LeadScoreModel, e.g.

    =LEADRATING(tblLeads[@[Lead ID]:[Unsubscribed or bounced]],
                tblLeads[[#Headers],[Lead ID]:[Unsubscribed or bounced]], LeadScoreModel)

and given whole columns return a column that spills (one call for the whole table).
A book with rules over events passes the Events table with its headers too, and
optionally the time to count as of (blank: now):

    =LEADRATING(..., LeadScoreModel, tblEvents[#All], TODAY())
"""
import base64
import hashlib
import os
import sys
import tempfile

import xlwings as xw
from xlwings import arg, func, script

PACKAGES = ("scoring", "workbook", "addin")


def _install(bundle):
    """Put the bundled packages first on sys.path; returns the zip's path.

    A bundle other than the one already imported (main.py was regenerated)
    replaces it: its modules are dropped from sys.modules.
    """
    data = base64.b64decode(bundle)
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = os.path.join(tempfile.gettempdir(), f"leadscore-{digest}.zip")
    if not os.path.exists(path):
        part = f"{path}.{os.getpid()}.part"
        with open(part, "wb") as f:
            f.write(data)
        os.replace(part, path)
    sys.path[:] = [p for p in sys.path if not os.path.basename(str(p)).startswith("leadscore-")]
    sys.path.insert(0, path)
    for name in list(sys.modules):
        if name.partition(".")[0] in PACKAGES:
            if not str(getattr(sys.modules[name], "__file__", "") or "").startswith(path):
                del sys.modules[name]
    return path


def _macros():
    from addin import macros

    return macros


def _call(name, leads, headers, model, events=None, as_of=None):
    from addin import udf_core

    return udf_core.call(name, leads, headers, model, events, as_of)


# Scripts --------------------------------------------------------------------------------------

@script
def rescore(book: xw.Book):
    """Score every lead (Fit ... Scored at) and log changes on the History sheet."""
    print(_macros().rescore(book, quiet=True))


@script
def tasks(book: xw.Book):
    """Rescore, then write the day's nurture tasks (sheet 'Tasks YYYY-MM-DD')."""
    print(_macros().tasks(book, quiet=True))


@script
def report(book: xw.Book):
    """Rescore, then write the Report sheet (heat map, funnel KPIs, chart)."""
    print(_macros().report(book, quiet=True))


@script
def run_all(book: xw.Book):
    """Rescore, tasks and report in one go (what the desktop Rescore button does)."""
    print(_macros().run_all(book, quiet=True))


@script
def calibrate(book: xw.Book):
    """Measure the model on the outcomes and write the Calibration sheet (the LeadScore sheet stays as it is)."""
    print(_macros().calibrate(book, quiet=True))


@script
def calibrate_apply(book: xw.Book):
    """Calibrate, then apply the suggestion to the LeadScore tables (each change a row of the Changelog)."""
    print(_macros().calibrate_apply(book, quiet=True))


# Functions ------------------------------------------------------------------------------------

@func
@arg("leads", ndim=2)
@arg("headers", ndim=2)
@arg("model", ndim=2)
@arg("events", ndim=2)
def LEADFIT(leads, headers, model, events=None, as_of=None):
    """Fit points: the sum of the fit rules the lead matches."""
    return _call("FIT", leads, headers, model, events, as_of)


@func
@arg("leads", ndim=2)
@arg("headers", ndim=2)
@arg("model", ndim=2)
@arg("events", ndim=2)
def LEADGRADE(leads, headers, model, events=None, as_of=None):
    """Grade A-D from the fit points."""
    return _call("GRADE", leads, headers, model, events, as_of)


@func
@arg("leads", ndim=2)
@arg("headers", ndim=2)
@arg("model", ndim=2)
@arg("events", ndim=2)
def LEADBEHAVIOUR(leads, headers, model, events=None, as_of=None):
    """Behaviour points, held within 0 and the behaviour maximum."""
    return _call("BEHAVIOUR", leads, headers, model, events, as_of)


@func
@arg("leads", ndim=2)
@arg("headers", ndim=2)
@arg("model", ndim=2)
@arg("events", ndim=2)
def LEADSCORE(leads, headers, model, events=None, as_of=None):
    """Score 0-100: fit plus behaviour."""
    return _call("SCORE", leads, headers, model, events, as_of)


@func
@arg("leads", ndim=2)
@arg("headers", ndim=2)
@arg("model", ndim=2)
@arg("events", ndim=2)
def LEADRATING(leads, headers, model, events=None, as_of=None):
    """Grade and score, e.g. A85."""
    return _call("RATING", leads, headers, model, events, as_of)


@func
@arg("leads", ndim=2)
@arg("headers", ndim=2)
@arg("model", ndim=2)
@arg("events", ndim=2)
def LEADSTATUS(leads, headers, model, events=None, as_of=None):
    """Lead, MQL or SQL (a sales stage is kept)."""
    return _call("STATUS", leads, headers, model, events, as_of)


@func
@arg("leads", ndim=2)
@arg("headers", ndim=2)
@arg("model", ndim=2)
@arg("events", ndim=2)
def LEADACTION(leads, headers, model, events=None, as_of=None):
    """Next action from the matrix."""
    return _call("ACTION", leads, headers, model, events, as_of)


@func
@arg("leads", ndim=2)
@arg("headers", ndim=2)
@arg("model", ndim=2)
@arg("events", ndim=2)
def LEADREASONS(leads, headers, model, events=None, as_of=None):
    """The matched rules with their points; they add up to the score."""
    return _call("REASONS", leads, headers, model, events, as_of)


@func
@arg("leads", ndim=2)
@arg("headers", ndim=2)
@arg("model", ndim=2)
@arg("events", ndim=2)
def LEADPROBLEMS(leads, headers, model, events=None, as_of=None):
    """Values that could not be used, and why (empty when fine)."""
    return _call("PROBLEMS", leads, headers, model, events, as_of)


# Lead Score's packages ------------------------------------------------------------------------

_BUNDLE = None  # `leadscore lite` puts the base64 zip of scoring/, workbook/ and addin/ here.

if _BUNDLE:
    _install(_BUNDLE)
