"""The in-cell functions' core: plain Python values in, plain values out.

Desktop xlwings UDFs (udfs.py) and xlwings Lite functions (the Lite main.py)
are thin wrappers over call(). Arguments arrive as xlwings delivers them: lead
rows as a 2D list (one row or a whole column of rows), the Leads header row,
and the values of the LeadScore sheet's defined name LeadScoreModel. One call
over a whole table returns a column, which spills; one call per row returns a
single value. Problems come back as one short text in the cell, never a traceback.
"""
from __future__ import annotations

from collections import OrderedDict

import pandas as pd

from scoring import LeadScoreError, ModelError, score
from workbook.errors import SheetError
from workbook.gridbook import GridBook
from workbook.model_sheet import ModelSheet

from . import udf_events

NAMES = ("FIT", "GRADE", "BEHAVIOUR", "SCORE", "RATING", "STATUS", "ACTION", "REASONS", "PROBLEMS")
_MODELS: OrderedDict = OrderedDict()  # Parsed models by their cell values; Excel recalculates often.
_KEEP = 8


def _rows(values) -> list[list]:
    if values is None:
        return [[None]]
    if not isinstance(values, (list, tuple)):
        return [[values]]
    if values and not isinstance(values[0], (list, tuple)):
        return [list(values)]
    return [list(r) for r in values]


def model_from_values(values):
    """The Model held by the LeadScore values (cached); SheetError names the bad cells."""
    rows = _rows(values)
    key = tuple(tuple(r) for r in rows)
    if key in _MODELS:
        _MODELS.move_to_end(key)
        return _MODELS[key]
    sheet = ModelSheet(GridBook(rows))
    found = sheet.problems()
    if found:
        raise SheetError(found)
    _MODELS[key] = sheet
    if len(_MODELS) > _KEEP:
        _MODELS.popitem(last=False)
    return sheet


def leads_frame(leads, headers) -> pd.DataFrame:
    rows = _rows(leads)
    names = [h for row in _rows(headers) for h in row]
    if any(len(r) != len(names) for r in rows):
        raise SheetError([f"the leads have {len(rows[0])} columns but the headers {len(names)}; "
                          "pass the same columns for both"])
    names = [str(h) if h is not None else f"Column{i + 1}" for i, h in enumerate(names)]
    return pd.DataFrame(rows, columns=names, dtype=object).infer_objects()


def _blank_row(row) -> bool:
    return all(v is None or v != v or (isinstance(v, str) and not v.strip()) for v in row)


def call(name: str, leads, headers, model, events=None, as_of=None):
    """FIT, GRADE, … PROBLEMS of the leads: a value for one row, a column ([[v], …]) for many.
    events (the Events table with its headers) and as_of: for the rules over events."""
    key = str(name).upper().removeprefix("LEAD")
    if key not in NAMES:
        return f"Error: {name!r} is not a Lead Score function ({', '.join('LEAD' + n for n in NAMES)})"
    try:
        sheet = model_from_values(model)
        frame = leads_frame(leads, headers)
        problems = sheet.column_problems(list(frame.columns))
        if problems:
            raise SheetError([sheet.locate(p) for p in problems])
        udf_events.check_events(sheet, max((len(r) for r in _rows(model)), default=0), events, frame.columns)
        when = udf_events.as_of_time(as_of)
        keep = [not _blank_row(r) for r in frame.itertuples(index=False, name=None)]
        frame = frame[keep].reset_index(drop=True)
        found = udf_events.events_frame(events, frame) if events is not None and sheet.model.event_rules else None
        outputs = score(frame, sheet.checked, found, when)
    except SheetError as exc:
        more = f" (and {len(exc.messages) - 1} more)" if len(exc.messages) > 1 else ""
        return f"Error: {exc.messages[0]}{more}"
    except ModelError as exc:
        return f"Error: {sheet.locate(exc.problems[0])}"
    except LeadScoreError as exc:
        return f"Error: {exc.lines()[0]}"
    except Exception as exc:  # noqa: BLE001  A bug: one line in the cell, never a traceback.
        return f"Error: Lead Score stopped on an unexpected {type(exc).__name__} (a bug; please report it)"
    column = iter(outputs[key.lower()].tolist())
    values = [_cell(next(column)) if k else "" for k in keep]
    return values[0] if len(values) == 1 else [[v] for v in values]


def _cell(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
