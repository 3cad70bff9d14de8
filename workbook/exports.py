"""Task lists outside the workbook: a CSV file and a calendar (.ics) for Outlook or Google Calendar.

Lead names, companies and sources come from web forms and CRM exports, that is
from anyone, so no text may reach either file as something a program runs or
misreads: a spreadsheet opening the CSV must not see a formula, and a calendar
must not meet control characters that break its file.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
from pathlib import Path

import pandas as pd

from .layout import TASK_COLUMNS, labels
from .safety import atomic_save

# OWASP (CSV Injection): no cell may begin with =, +, -, @, tab, carriage return
# or line feed, or a spreadsheet reads it as a formula (=cmd|' /C calc'!A0 runs a
# program through DDE). Their full-width forms are included: Excel converts a
# full-width ＝ typed in East Asian input modes into a formula, so a reader might
# on import too, and no real name starts with one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# Control characters other than tab and line breaks: no Excel cell can hold them,
# RFC 5545 forbids them in calendar text, and some readers stop at them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def neutralise(value):
    """Text that a spreadsheet would run as a formula, made plain text; any other value as it is.

    As OWASP recommends, such text gets a leading single quote, which Excel and
    LibreOffice read as "this cell is text" and do not show. Leading spaces are
    looked past, because a reader that trims them (LibreOffice's "Trim spaces"
    import option) would otherwise meet the formula. Numbers, dates and empty
    cells are not text and are left alone: -5 stays the number -5.
    """
    if not isinstance(value, str):
        return value
    value = CONTROL.sub("", value)
    if value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(tasks: pd.DataFrame, language: str) -> bytes:
    """The tasks as CSV: UTF-8 with a byte-order mark, so Excel opens accents correctly.

    Every text field is quoted (OWASP's second rule), so a comma or semicolon in
    a name never starts a new cell, whichever list separator the reader uses,
    and text is neutralised (see neutralise); numbers are written unquoted.
    """
    keys = [k for k, _, _ in TASK_COLUMNS]
    frame = tasks[keys].apply(lambda column: column.map(neutralise))
    frame.columns = labels(TASK_COLUMNS, language)
    text = frame.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    return "\ufeff".encode("utf-8") + text.encode("utf-8")


def write_csv(tasks: pd.DataFrame, path, language: str) -> None:
    data = csv_bytes(tasks, language)
    atomic_save(lambda tmp: Path(tmp).write_bytes(data), os.fspath(path))


def _uid(row) -> str:
    """The same task gets the same UID, so importing the file twice updates instead of duplicating."""
    key = f"{row['lead_id']}|{row['task']}|{row['due']}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest() + "@leadscore"


def calendar_text(text: str) -> str:
    """Text for a calendar field: no control characters, and no formula at its start.

    icalendar escapes commas, semicolons, backslashes and line feeds, and turns a
    lone carriage return into a line break, but it keeps other control
    characters, which RFC 5545 forbids in text: they are dropped. Outlook exports
    events to CSV (File > Open & Export) with the subject and the body as cells, so a
    summary or description that starts like a formula is neutralised as in the CSV.
    """
    return neutralise(text.replace("\r\n", "\n"))


def calendar(tasks: pd.DataFrame, stamp: dt.datetime):
    """The tasks as an icalendar.Calendar (icalendar is needed only here: the add-in paths never are)."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//Lead Score for Excel//leadscore//EN")
    cal.add("version", "2.0")
    for row in tasks.to_dict("records"):
        event = icalendar.Event()
        event.add("uid", _uid(row))
        event.add("dtstamp", stamp)
        event.add("dtstart", row["due"])
        event.add("dtend", row["due"] + dt.timedelta(days=1))
        event.add("summary", calendar_text(f"{row['channel']}: {row['lead']} — {row['task']}"))
        event.add("description", calendar_text(f"{row['content']}\n\n{row['reason']}\nOwner: {row['owner']}"))
        event.add("priority", min(int(row["priority"]), 9))
        cal.add_component(event)
    return cal


def ics_bytes(tasks: pd.DataFrame, stamp: dt.datetime) -> bytes:
    """The tasks as an iCalendar file (.ics)."""
    return calendar(tasks, stamp).to_ical()


def write_ics(tasks: pd.DataFrame, path, stamp: dt.datetime) -> None:
    data = ics_bytes(tasks, stamp)
    atomic_save(lambda tmp: Path(tmp).write_bytes(data), os.fspath(path))
