"""The in-cell functions' rules over events: the Events table and the run's time as xlwings delivers them.

A LEAD function counts the book's rules over events when it is given the Events table with its
headers (tblEvents[#All]) and, optionally, the time to count as of (a date, TODAY() or NOW();
blank: now, as a rescore without --as-of). The engine then counts exactly as a rescore does: the
same windows, decay, duplicates and scanner filtering. Where it cannot (the rules are there but
no events were passed, the defined name does not reach the rules, the leads lack the column that
finds an event's lead), each problem is one line for the cell, in the model's language (language:
'en' or 'it', the ModelSheet's). In Italian the Events table is passed as tblEvents[#Tutti], Excel's
Italian spelling of [#All], and the functions TODAY() and NOW() are OGGI() and ADESSO().
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from scoring.columns import by_meaning
from scoring.events import FIELDS, lead_key, seconds_of
from scoring.parse import is_blank, text_key
from workbook.errors import SheetError
from workbook.events_sheet import EVENTS_TABLE, LABELS
from workbook.layout import BLOCK, MODEL_NAME, MODEL_SHEET, model_area

_EVENTS = BLOCK["events"]
# The last column of the rules over events: the defined name must reach it for functions to see them.
EVENTS_END = _EVENTS.first_column + len(_EVENTS.fields) - 1
PASS_EVENTS = f"{EVENTS_TABLE}[#All]"
PASS_EVENTS_IT = f"{EVENTS_TABLE}[#Tutti]"


def _rows(values) -> list[list]:
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        return [[values]]
    if values and not isinstance(values[0], (list, tuple)):
        return [list(values)]
    return [list(r) for r in values]


def as_of_time(value, language: str = "en") -> dt.datetime | None:
    """The time to count events as of: None (now) for a blank, else a datetime; SheetError when the
    value is no date and time."""
    cells = []
    if isinstance(value, (list, tuple)):  # A one-cell range.
        cells = [v for row in _rows(value) for v in row]
        value = cells[0] if len(cells) == 1 else value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    ok = not isinstance(value, (list, tuple, bool))  # Several cells, or TRUE/FALSE, are no time.
    if ok:
        seconds, read = seconds_of(pd.Series([value], dtype=object))
        ok = bool(read[0])
    if not ok:
        several = isinstance(value, (list, tuple))
        if language == "it":
            what = f"è di {len(cells)} celle" if several else f"{value!r} non è una data e ora"
            raise SheetError([f"as_of {what}: passa una data, OGGI() o ADESSO(), o omettilo per contare da adesso"])
        what = f"is {len(cells)} cells" if several else f"{value!r} is not a date and time"
        raise SheetError([f"as_of {what}: pass a date, TODAY() or NOW(), or leave it "
                          "out to count as of now"])
    return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(seconds[0]))


def events_frame(values, leads: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """The events of these leads (the first row of values their headers, as the Events sheet names
    them in either language), with the columns of scoring.events.FIELDS; SheetError when a column a
    run needs is missing. Only the events whose Lead ID or Email is one of the leads' are kept: the
    engine would match no other to them, and every scanner rule looks at one lead's events, so the
    points are the same, and a call for one row does not read the whole log again."""
    rows = values if isinstance(values, list) and values and isinstance(values[0], list) else _rows(values)
    headers = rows[0] if rows else []
    at = {}
    for i, h in enumerate(headers):
        key = text_key(h) if isinstance(h, str) else None
        for name in FIELDS:
            if key and name not in at and key in (text_key(x) for x in LABELS[name]):
                at[name] = i
    shown = ", ".join(str(h) for h in headers[:9] if not is_blank(h))
    missing = next((LABELS[need] for need in ("time", "event") if need not in at), None)  # (English, Italian)
    if missing is None and "lead_id" not in at and "email" not in at:
        missing = ("Lead ID or Email", "ID lead o Email")
    if missing is not None and language == "it":
        raise SheetError([f"gli eventi non hanno la colonna {missing[1]} (le loro intestazioni: {shown or 'nessuna'}); "
                          f"passa la tabella Eventi con le sue intestazioni: {PASS_EVENTS_IT}"])
    if missing is not None:
        raise SheetError([f"the events have no {missing[0]} column (their headers: {shown or 'none'}); pass the "
                          f"Events table with its headers: {PASS_EVENTS}"])
    tests = []  # (position in an event row, the leads' values, their keys)
    for name, meaning in (("lead_id", "id"), ("email", "email")):
        column = by_meaning(leads.columns, meaning)
        if name in at and column is not None:
            raw = {v for v in leads[column].tolist() if not is_blank(v)}
            tests.append((at[name], raw, {lead_key(v) for v in raw} - {""}))
    width = max(at.values()) + 1
    body = [r for r in rows[1:] if len(r) >= width]
    mine = np.zeros(len(body), dtype=bool)
    for i, raw, keys in tests:  # Each distinct value once: a log has many events per lead.
        codes, uniques = pd.factorize(pd.Series([r[i] for r in body], dtype=object))
        hit = [u in raw or (not is_blank(u) and lead_key(u) in keys) for u in uniques]
        mine |= np.array(hit + [False], dtype=bool)[codes]
    body = [body[k] for k in np.flatnonzero(mine)]
    return pd.DataFrame({name: pd.Series([r[i] for r in body], dtype=object) for name, i in at.items()})


def check_events(sheet, width: int, events, columns) -> None:
    """SheetError when the functions cannot count the rules over events as a run does: the model's
    values (width columns) stop before the rules, the rules are there but no events were passed,
    or the leads have no column that finds an event's lead."""
    rules, italian = sheet.model.event_rules, sheet.language == "it"
    if events is not None and width < EVENTS_END:
        end, start = get_column_letter(max(width, 1)), f"{MODEL_SHEET}!{get_column_letter(_EVENTS.first_column)}3"
        raise SheetError([f"{MODEL_NAME} finisce alla colonna {end}, prima delle regole sugli eventi ({start}): fai "
                          f"riferire il nome a {model_area()} (Formule > Gestione nomi)" if italian else
                          f"{MODEL_NAME} ends at column {end}, before the rules over events ({start}): make the name "
                          f"refer to {model_area()} (Formulas > Name Manager)"])
    if not rules:
        return
    if events is None:
        block = sheet.blocks["events"]
        cell = get_column_letter(block.columns["name"])
        raise SheetError([f"{MODEL_SHEET}!{cell}{row}: {rule.name!r} è una regola sugli eventi: passa la tabella "
                          f"Eventi come 4° argomento ({PASS_EVENTS_IT}) perché conti" if italian else
                          f"{MODEL_SHEET}!{cell}{row}: {rule.name!r} is a rule over events: pass the Events table "
                          f"as the 4th argument ({PASS_EVENTS}) so that it counts"
                          for (row, _), rule in zip(block.rows, rules)])
    if by_meaning(columns, "id") is None and by_meaning(columns, "email") is None:
        raise SheetError(["le regole sugli eventi trovano il lead di ogni evento dal suo ID lead o Email: includi "
                          "quella colonna nei lead e nelle loro intestazioni" if italian else
                          "rules over events find each event's lead by its Lead ID or Email: include that column "
                          "in the leads and their headers"])
