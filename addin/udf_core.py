"""The in-cell functions' core: plain Python values in, plain values out.

Desktop xlwings UDFs (udfs.py) and xlwings Lite functions (the Lite main.py)
are thin wrappers over call(). Arguments arrive as xlwings delivers them: lead
rows as a 2D list (one row or a whole column of rows), the Leads header row,
and the values of the LeadScore sheet's defined name LeadScoreModel. One call
over a whole table returns a column, which spills; one call per row returns a
single value. Problems come back as one short text in the cell, never a traceback,
in the model's language ('Errore: …' when its Language setting is it). Where the
values are no LeadScore sheet at all (its blocks are not where they belong), the
line is English: no Language setting can be read from them.
"""
from __future__ import annotations

from collections import OrderedDict

import pandas as pd

from scoring import LeadScoreError, ModelError, score
from workbook.errors import SheetError
from workbook.gridbook import GridBook
from workbook.model_sheet import ModelSheet, ModelSheetError

from . import udf_events

NAMES = ("FIT", "GRADE", "BEHAVIOUR", "SCORE", "RATING", "STATUS", "ACTION", "REASONS", "PROBLEMS")
_MODELS: OrderedDict = OrderedDict()  # Parsed models by their cell values; Excel recalculates often.
_KEEP = 8
ERROR = {"en": "Error", "it": "Errore"}  # What a cell's problem line starts with, by the model's language.


def _rows(values) -> list[list]:
    if values is None:
        return [[None]]
    if not isinstance(values, (list, tuple)):
        return [[values]]
    if values and not isinstance(values[0], (list, tuple)):
        return [list(values)]
    return [list(r) for r in values]


def model_from_values(values):
    """The Model held by the LeadScore values (cached); SheetError names the bad cells (a
    ModelSheetError, in the model's language, once the values are read as a LeadScore sheet)."""
    rows = _rows(values)
    key = tuple(tuple(r) for r in rows)
    if key in _MODELS:
        _MODELS.move_to_end(key)
        return _MODELS[key]
    sheet = ModelSheet(GridBook(rows))
    found = sheet.problems()
    if found:
        raise ModelSheetError(found, sheet.language)
    _MODELS[key] = sheet
    if len(_MODELS) > _KEEP:
        _MODELS.popitem(last=False)
    return sheet


def leads_frame(leads, headers, language: str = "en") -> pd.DataFrame:
    rows = _rows(leads)
    names = [h for row in _rows(headers) for h in row]
    if any(len(r) != len(names) for r in rows):
        if language == "it":
            raise SheetError([f"i lead hanno {len(rows[0])} colonne ma le intestazioni {len(names)}; passa le "
                              "stesse colonne per entrambi"])
        raise SheetError([f"the leads have {len(rows[0])} columns but the headers {len(names)}; "
                          "pass the same columns for both"])
    names = [str(h) if h is not None else f"Column{i + 1}" for i, h in enumerate(names)]
    return pd.DataFrame(rows, columns=names, dtype=object).infer_objects()


def _blank_row(row) -> bool:
    return all(v is None or v != v or (isinstance(v, str) and not v.strip()) for v in row)


def _language(model) -> str:
    """The language of the model's values; English when they are no LeadScore sheet (or a bug stops
    their reading: the unknown function's line is still given)."""
    try:
        return model_from_values(model).language
    except ModelSheetError as exc:
        return exc.language
    except Exception:  # noqa: BLE001
        return "en"


def call(name: str, leads, headers, model, events=None, as_of=None):
    """FIT, GRADE, … PROBLEMS of the leads: a value for one row, a column ([[v], …]) for many.
    events (the Events table with its headers) and as_of: for the rules over events."""
    key = str(name).upper().removeprefix("LEAD")
    if key not in NAMES:
        functions = ", ".join("LEAD" + n for n in NAMES)
        if _language(model) == "it":
            return f"Errore: {name!r} non è una funzione di Lead Score ({functions})"
        return f"Error: {name!r} is not a Lead Score function ({functions})"
    # The model's language once it is read; a ModelSheetError carries its own. English while no
    # LeadScore sheet could be found in the values (GridBook's errors): no Language setting is known.
    language = "en"
    try:
        sheet = model_from_values(model)
        language = sheet.language
        frame = leads_frame(leads, headers, language)
        problems = sheet.column_problems(list(frame.columns))
        if problems:
            raise SheetError([sheet.locate(p) for p in problems])
        udf_events.check_events(sheet, max((len(r) for r in _rows(model)), default=0), events, frame.columns)
        when = udf_events.as_of_time(as_of, language)
        keep = [not _blank_row(r) for r in frame.itertuples(index=False, name=None)]
        frame = frame[keep].reset_index(drop=True)
        found = (udf_events.events_frame(events, frame, language) if events is not None and sheet.model.event_rules
                 else None)
        outputs = score(frame, sheet.checked, found, when)
    except SheetError as exc:
        language = exc.language if isinstance(exc, ModelSheetError) else language
        n = len(exc.messages) - 1  # The problems the cell has no room for.
        if language == "it":
            more = "" if not n else " (e un altro)" if n == 1 else f" (e altri {n})"
        else:
            more = f" (and {n} more)" if n else ""
        return f"{ERROR[language]}: {exc.messages[0]}{more}"
    except ModelError as exc:
        return f"{ERROR[language]}: {sheet.locate(exc.problems[0])}"
    except LeadScoreError as exc:  # The engine's own line (scoring/ words it; English where it has no Italian).
        return f"{ERROR[language]}: {exc.lines()[0]}"
    except Exception as exc:  # noqa: BLE001  A bug: one line in the cell, never a traceback.
        if language == "it":
            return (f"Errore: Lead Score si è fermato per un {type(exc).__name__} inatteso (un bug; segnalalo, "
                    "per favore)")
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
