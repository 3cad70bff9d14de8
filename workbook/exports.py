"""Task lists outside the workbook: a CSV file and a calendar (.ics) for Outlook or Google Calendar."""
from __future__ import annotations

import datetime as dt
import hashlib
import os

import icalendar
import pandas as pd

from .layout import TASK_COLUMNS, labels
from .safety import atomic_save


def write_csv(tasks: pd.DataFrame, path, language: str) -> None:
    """UTF-8 with a byte-order mark, so Excel opens accents correctly."""
    keys = [k for k, _, _ in TASK_COLUMNS]
    frame = tasks[keys].copy()
    frame.columns = labels(TASK_COLUMNS, language)
    atomic_save(lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig"), os.fspath(path))


def _uid(row) -> str:
    """The same task gets the same UID, so importing the file twice updates instead of duplicating."""
    key = f"{row['lead_id']}|{row['task']}|{row['due']}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest() + "@leadscore"


def calendar(tasks: pd.DataFrame, stamp: dt.datetime) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Lead Score for Excel//leadscore//EN")
    cal.add("version", "2.0")
    for row in tasks.to_dict("records"):
        event = icalendar.Event()
        event.add("uid", _uid(row))
        event.add("dtstamp", stamp)
        event.add("dtstart", row["due"])
        event.add("dtend", row["due"] + dt.timedelta(days=1))
        event.add("summary", f"{row['channel']}: {row['lead']} — {row['task']}")
        event.add("description", f"{row['content']}\n\n{row['reason']}\nOwner: {row['owner']}")
        event.add("priority", min(int(row["priority"]), 9))
        cal.add_component(event)
    return cal


def write_ics(tasks: pd.DataFrame, path, stamp: dt.datetime) -> None:
    data = calendar(tasks, stamp).to_ical()

    def write(tmp):
        with open(tmp, "wb") as f:
            f.write(data)

    atomic_save(write, os.fspath(path))
