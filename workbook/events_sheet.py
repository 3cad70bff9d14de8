"""The Events sheet: the activity the rules over events read, an Excel Table the product owns.

`leadscore import BOOK activity.csv --events` appends an export's events to it (columns matched by
header as for leads; the same event, with the same lead, time, type and detail, is not appended
twice); every run reads it, scores the leads as of the run's time (scoring/events.py), and fills its
Suspect column with why an event scores nothing (a scanner's click, a prefetched open, a duplicate).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.events import FIELDS, NO_TIME, seconds_of
from scoring.parse import is_blank, text_key

from openpyxl.utils import get_column_letter

from .errors import FileProblem
from .importer import Incoming, key_of

EVENTS_SHEET = {"en": "Events", "it": "Eventi"}
EVENTS_TABLE = "tblEvents"
# Field -> (English header, Italian header); Suspect is written by the runs.
LABELS = {"lead_id": ("Lead ID", "ID lead"), "email": ("Email", "Email"), "time": ("Time", "Data e ora"),
          "event": ("Event", "Evento"), "detail": ("Detail", "Dettaglio"), "campaign": ("Campaign", "Campagna"),
          "user_agent": ("User agent", "User agent"), "ip": ("IP", "IP"), "suspect": ("Suspect", "Sospetto")}
COLUMNS = FIELDS + ("suspect",)
WIDTHS = (12, 28, 18, 18, 40, 22, 30, 15, 30)
# Other headers exports give these columns (compared as text keys).
SYNONYMS = {
    "lead_id": ("lead", "lead id", "contact id", "record id", "visitor id", "id", "id contatto"),
    "email": ("e-mail", "email address", "e-mail address", "recipient", "mail", "indirizzo email"),
    "time": ("timestamp", "date", "datetime", "date time", "occurred at", "event time", "event date", "created at",
             "when", "quando", "data", "ora", "time (utc)"),
    "event": ("event type", "type", "activity", "activity type", "action", "tipo", "attività", "tipo evento"),
    "detail": ("details", "url", "page", "page url", "link", "asset", "file", "pagina", "descrizione"),
    "campaign": ("campaign name", "email name", "message", "newsletter", "nome campagna"),
    "user_agent": ("user-agent", "useragent", "browser", "client"),
    "ip": ("ip address", "indirizzo ip", "ip_address"),
}


def labels(language: str) -> list[str]:
    return [LABELS[c][0 if language == "en" else 1] for c in COLUMNS]


def _field_of(header) -> str | None:
    key = text_key(header or "")
    for name in COLUMNS:
        if key in (text_key(h) for h in LABELS[name]):
            return name
    return next((name for name, names in SYNONYMS.items() if key in names), None)


def find(book):
    """The Events table (a TableSpot), or None."""
    spot = book.table(EVENTS_TABLE)
    if spot is None:
        for title in EVENTS_SHEET.values():
            if title in book.sheet_names():
                found = book.tables(title)
                spot = found[0] if len(found) == 1 else None
    return spot


def _event_key(lead_id, email, seconds: int, event, detail) -> tuple:
    """What makes two rows the same event: the lead (its ID, else its e-mail), time, type and detail."""
    who = key_of(lead_id) or key_of(email)
    return who, seconds, text_key(event if not is_blank(event) else ""), str(detail or "").strip()


class EventsSheet:
    """The events a run reads: the Events table's rows (if the book has one) and those an import adds."""

    def __init__(self, book, language: str):
        self.book, self.language = book, language
        self.spot = find(book)
        self.columns: dict = {}  # field -> sheet column
        self.rows: list = []  # sheet row of each event read
        self.old_suspect: list = []
        self.new: list = []  # rows (one value per COLUMNS) an import adds
        data = {name: [] for name in COLUMNS}
        if self.spot is not None:
            spot = self.spot
            grid = book.table_grid(spot)
            headers = grid.row_values(spot.min_row, spot.min_col, spot.max_col)
            for i, h in enumerate(headers):
                name = _field_of(h)
                if name is not None and name not in self.columns and text_key(h) in (text_key(x) for x in
                                                                                    LABELS[name]):
                    self.columns[name] = spot.min_col + i
            body = grid.rows[spot.first_data_row - grid.top:spot.max_row - grid.top + 1]
            width = spot.max_col - spot.min_col + 1
            kept = [(r, row) for r, row in zip(range(spot.first_data_row, spot.max_row + 1), body)
                    if any(v is not None and v != "" for v in row)]
            self.rows = [r for r, _ in kept]
            cells = list(zip(*[list(row) + [None] * (width - len(row)) for _, row in kept])) if kept else []
            for name, col in self.columns.items():
                data[name] = list(cells[col - spot.min_col]) if cells else []
        self.old_suspect = data.pop("suspect") if "suspect" in self.columns else [None] * len(self.rows)
        data.pop("suspect", None)
        self._old = {name: values for name, values in data.items() if name in self.columns}

    @property
    def title(self) -> str:
        return self.spot.sheet if self.spot is not None else EVENTS_SHEET[self.language]

    def frame(self) -> pd.DataFrame:
        """Every event, those of the sheet first, then the new ones, with the columns of scoring.events.FIELDS."""
        if getattr(self, "_frame", None) is not None and self._frame_size == len(self.new):
            return self._frame
        self._frame = self._make_frame()
        self._frame_size = len(self.new)
        return self._frame

    def _make_frame(self) -> pd.DataFrame:
        n_old = len(self.rows)
        data = {}
        for j, name in enumerate(FIELDS):
            old = self._old.get(name, [None] * n_old)
            data[name] = pd.Series(list(old) + [row[j] for row in self.new], dtype=object)
        return pd.DataFrame(data)

    def problems(self, result) -> list[str]:
        """Warnings about events that count for nothing because of the row itself: no readable time
        (cell by cell, the first 20), no lead (a count)."""
        out = []
        if result is None or not len(result.lead):
            return out
        n_old = len(self.rows)
        bad = np.flatnonzero(~result.timed[:n_old])
        col = self.columns.get("time")
        time_values = self._old.get("time", [])
        for k in bad[:20]:
            value = time_values[k] if k < len(time_values) else None
            where = f"{self.title}!{_letter(col)}{self.rows[k]}" if col else f"{self.title} row {self.rows[k]}"
            shown = "blank" if is_blank(value) else repr(value if isinstance(value, str) else str(value))
            out.append(f"{where}: time {shown} is not a date and time (yyyy-mm-dd hh:mm); the event counts for "
                       "nothing")
        if len(bad) > 20:
            out.append(f"{self.title}: {len(bad) - 20:,} more events without a readable time")
        unmatched = int(((result.lead < 0) & result.timed).sum())
        if unmatched:
            out.append(f"{self.title}: {unmatched:,} events match no lead of the Leads table (by Lead ID, else "
                       "Email); they count for nothing until the lead is added")
        return out

    # Importing.

    def add(self, incoming: Incoming, maps: dict) -> dict:
        """Take the events of an export (not yet written): returns what happened (added, duplicates,
        skipped with line and why, the columns used and ignored)."""
        targets, ignored = [], []
        taken = set()
        for header in incoming.headers:
            wanted = maps.get(text_key(header), header)
            name = _field_of(wanted)
            if name == "suspect":
                ignored.append((header, "Suspect is written by Lead Score"))
                name = None
            elif name is None:
                ignored.append((header, "not a column of the Events sheet (" + ", ".join(labels("en")[:-1]) + ")"))
            elif name in taken:
                ignored.append((header, f"another column of the export already fills {LABELS[name][0]!r}"))
                name = None
            if name:
                taken.add(name)
            targets.append(name)
        skipped = list(incoming.skipped)
        for need, why in (("event", "an Event column"), ("time", "a Time column")):
            if need not in taken:
                raise FileProblem(incoming.source, f"{incoming.source}: the export has no {why} (headers: "
                                 f"{', '.join(map(str, incoming.headers[:12]))}); name it, or use --map "
                                 f"\"THEIRS={LABELS[need][0]}\"")
        if "lead_id" not in taken and "email" not in taken:
            raise FileProblem(incoming.source, f"{incoming.source}: the export has no Lead ID or Email column to find each event's "
                             f"lead (headers: {', '.join(map(str, incoming.headers[:12]))}); use --map")
        at = {name: j for j, name in enumerate(targets) if name}
        n = len(incoming.lines)
        fields_in = [incoming.columns[at[name]] if name in at else [None] * n for name in FIELDS]
        raw = [list(row) for row in zip(*fields_in)]
        times = pd.Series(fields_in[2], dtype=object)
        seconds, ok = seconds_of(times)
        old = self._old_keys()
        added, duplicates = [], 0
        stamps = pd.to_datetime(np.where(ok, seconds, 0), unit="s").to_pydatetime()
        for line, row, s_, good, stamp in zip(incoming.lines, raw, seconds, ok, stamps):
            lead_id, email, when, event = row[0], row[1], row[2], row[3]
            if is_blank(lead_id) and is_blank(email):
                skipped.append((line, "it has no Lead ID or Email"))
                continue
            if is_blank(event):
                skipped.append((line, "it has no event type"))
                continue
            if not good:
                skipped.append((line, f"its time {str(when)!r} is not a date and time (yyyy-mm-dd hh:mm)"
                                if not is_blank(when) else "it has no time"))
                continue
            key = _event_key(lead_id, email, int(s_), event, row[4])
            if key in old:
                duplicates += 1
                continue
            old.add(key)
            clean = [v.strip() if isinstance(v, str) else v for v in row]
            clean[2] = stamp
            added.append(clean + [None])
        self.new = added
        return {"rows": n, "added": len(added), "duplicates": duplicates, "skipped": skipped,
                "columns": [LABELS[t][0] for t in targets if t], "ignored": ignored, "source": incoming.source}

    def _old_keys(self) -> set:
        n = len(self.rows)
        if not n:
            return set()
        seconds, _ = seconds_of(pd.Series(self._old.get("time", [None] * n), dtype=object))
        get = [self._old.get(name, [None] * n) for name in ("lead_id", "email", "event", "detail")]
        return {_event_key(i, e, int(s), ev, d) for i, e, s, ev, d in zip(get[0], get[1], seconds, get[2], get[3])
                if s != NO_TIME}

    # Writing.

    def write(self, texts: np.ndarray | None) -> None:
        """The new events appended (the sheet and its table made when missing), and every event's
        Suspect cell set to texts (per event, those of the sheet first); cells already right are kept."""
        n_old = len(self.rows)
        texts = np.full(n_old + len(self.new), "", dtype=object) if texts is None else texts
        shown = [t if t else None for t in texts]
        if self.spot is not None and n_old and "suspect" in self.columns:
            old = [None if is_blank(v) else v for v in self.old_suspect]
            if old != shown[:n_old]:
                col = self.columns["suspect"]
                self.book.write_cells(self.spot, {(r, col): v for r, v, was in zip(self.rows, shown, old) if v != was})
        if not self.new:
            return
        rows = [row[:-1] + [s] for row, s in zip(self.new, shown[n_old:])]
        if self.spot is not None:  # In the sheet's own column order.
            order = [self.columns.get(name) for name in COLUMNS]
            width = self.spot.max_col - self.spot.min_col + 1
            placed = []
            for row in rows:
                cells = [None] * width
                for value, col in zip(row, order):
                    if col is not None:
                        cells[col - self.spot.min_col] = value
                placed.append(cells)
            rows = placed
        self.book.append_table_rows(self.title, EVENTS_TABLE if self.spot is None else self.spot.name,
                                    labels(self.language), rows, WIDTHS)


def _letter(col) -> str:
    return get_column_letter(col)
