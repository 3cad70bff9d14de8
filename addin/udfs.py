"""In-cell functions for desktop Excel (xlwings UDFs; Windows only, as xlwings UDFs are).

Each takes the lead's cells, the matching header cells and the defined name
LeadScoreModel, so Excel recalculates it when a weight, band, threshold or
matrix label changes:

    =LEADRATING(tblLeads[@[Lead ID]:[Unsubscribed or bounced]],
                tblLeads[[#Headers],[Lead ID]:[Unsubscribed or bounced]], LeadScoreModel)

Given whole columns instead of one row, a function returns a column that spills
(one call for the whole table: the fast path). Import them with the xlwings
add-in ("Import Functions") with `addin.udfs` among the UDF Modules.
"""
from __future__ import annotations

import xlwings as xw

from . import udf_core


def _lead_function(fn):
    return xw.func(xw.arg("leads", ndim=2)(xw.arg("headers", ndim=2)(xw.arg("model", ndim=2)(fn))))


@_lead_function
def LEADFIT(leads, headers, model):
    """Fit points: the sum of the fit rules the lead matches."""
    return udf_core.call("FIT", leads, headers, model)


@_lead_function
def LEADGRADE(leads, headers, model):
    """Grade A–D from the fit points."""
    return udf_core.call("GRADE", leads, headers, model)


@_lead_function
def LEADBEHAVIOUR(leads, headers, model):
    """Behaviour points, held within 0 and the behaviour maximum."""
    return udf_core.call("BEHAVIOUR", leads, headers, model)


@_lead_function
def LEADSCORE(leads, headers, model):
    """Score 0–100: fit plus behaviour."""
    return udf_core.call("SCORE", leads, headers, model)


@_lead_function
def LEADRATING(leads, headers, model):
    """Grade and score, e.g. A85."""
    return udf_core.call("RATING", leads, headers, model)


@_lead_function
def LEADSTATUS(leads, headers, model):
    """Lead, MQL or SQL (a sales stage is kept)."""
    return udf_core.call("STATUS", leads, headers, model)


@_lead_function
def LEADACTION(leads, headers, model):
    """Next action from the matrix."""
    return udf_core.call("ACTION", leads, headers, model)


@_lead_function
def LEADREASONS(leads, headers, model):
    """The matched rules with their points; they add up to the score."""
    return udf_core.call("REASONS", leads, headers, model)


@_lead_function
def LEADPROBLEMS(leads, headers, model):
    """Values that could not be used, and why (empty when fine)."""
    return udf_core.call("PROBLEMS", leads, headers, model)
