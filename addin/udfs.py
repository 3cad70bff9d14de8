"""In-cell functions for desktop Excel (xlwings UDFs; Windows only, as xlwings UDFs are).

Each takes the lead's cells, the matching header cells and the defined name
LeadScoreModel, so Excel recalculates it when a weight, band, threshold or
matrix label changes:

    =LEADRATING(tblLeads[@[Lead ID]:[Unsubscribed or bounced]],
                tblLeads[[#Headers],[Lead ID]:[Unsubscribed or bounced]], LeadScoreModel)

Given whole columns instead of one row, a function returns a column that spills
(one call for the whole table: the fast path). A book with rules over events
passes the Events table with its headers too, and optionally the time to count
as of (TODAY() makes Excel recalculate daily; blank: now):

    =LEADRATING(..., LeadScoreModel, tblEvents[#All], TODAY())
 Import them with the xlwings
add-in ("Import Functions") with `addin.udfs` among the UDF Modules.
"""
from __future__ import annotations

import xlwings as xw

from . import udf_core


DESCRIPTIONS = {
    "FIT": "Fit points: the sum of the fit rules the lead matches.",
    "GRADE": "Grade A–D from the fit points.",
    "BEHAVIOUR": "Behaviour points, held within 0 and the behaviour maximum.",
    "SCORE": "Score 0–100: fit plus behaviour.",
    "RATING": "Grade and score, e.g. A85.",
    "STATUS": "Lead, MQL or SQL (a sales stage is kept).",
    "ACTION": "Next action from the matrix.",
    "REASONS": "The matched rules with their points; they add up to the score.",
    "PROBLEMS": "Values that could not be used, and why (empty when fine).",
}


def _lead_function(key: str):
    """LEAD<key>(leads, headers, model, [events], [as_of]) as an xlwings UDF; xlwings registers it by
    this name."""
    def fn(leads, headers, model, events=None, as_of=None):
        return udf_core.call(key, leads, headers, model, events, as_of)

    fn.__name__ = fn.__qualname__ = "LEAD" + key
    fn.__doc__ = DESCRIPTIONS[key]
    fn.__module__ = __name__
    for name in ("events", "model", "headers", "leads"):
        fn = xw.arg(name, ndim=2)(fn)
    return xw.func(fn)


LEADFIT = _lead_function("FIT")
LEADGRADE = _lead_function("GRADE")
LEADBEHAVIOUR = _lead_function("BEHAVIOUR")
LEADSCORE = _lead_function("SCORE")
LEADRATING = _lead_function("RATING")
LEADSTATUS = _lead_function("STATUS")
LEADACTION = _lead_function("ACTION")
LEADREASONS = _lead_function("REASONS")
LEADPROBLEMS = _lead_function("PROBLEMS")
