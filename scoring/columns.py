"""Finding lead columns: by header (case and spaces ignored), by meaning in either language,
and the closest headers to suggest when a name is not found."""
from __future__ import annotations

import difflib

from .defaults import HEADERS
from .parse import text_key


def find(columns, *names):
    """The first column whose header equals one of names (ignoring case and spaces), or None."""
    wanted = [text_key(n) for n in names if n is not None and str(n).strip()]
    by_key = {}
    for c in columns:
        by_key.setdefault(text_key(c), c)
    return next((by_key[k] for k in wanted if k in by_key), None)


def by_meaning(columns, meaning: str, *extra):
    """The column for a meaning of scoring.defaults.HEADERS ('id', 'stage' ...), by its English or
    Italian header or one of extra (a setting naming the column)."""
    return find(columns, *extra, *HEADERS[meaning])


def closest(name, columns, n: int = 3) -> list[str]:
    """Up to n headers that look most like name (by their text keys)."""
    keys = {}
    for c in columns:
        keys.setdefault(text_key(c), str(c))
    found = difflib.get_close_matches(text_key(name), list(keys), n=n, cutoff=0.6)
    return [keys[k] for k in found]


def not_a_column(name, columns, table: str = "the leads") -> str:
    """"'Foo' is not a column of the leads (closest: Food, Fool)" — a few headers, never all of them."""
    near = closest(name, columns)
    count = len(list(columns))
    hint = f"closest: {', '.join(near)}" if near else f"none of its {count} headers is close"
    return f"{str(name)!r} is not a column of {table} ({hint})"


# Other names CRM and form exports give the columns of the default models (compared as text keys).
SYNONYMS = {
    "id": ("id", "lead id", "contact id", "record id", "lead no", "id contatto", "codice"),
    "name": ("full name", "contact name", "contact", "lead name", "nome e cognome", "nominativo"),
    "email": ("e-mail", "email address", "e-mail address", "mail", "indirizzo email", "posta elettronica"),
    "phone": ("telephone", "phone number", "mobile", "mobile phone", "cell", "tel", "tel.", "cellulare",
              "numero di telefono", "recapito telefonico"),
    "company": ("company name", "organisation", "organization", "account", "account name", "ragione sociale",
                "società"),
    "role": ("job title", "title", "position", "job", "job role", "qualifica", "mansione", "posizione"),
    "industry": ("sector", "vertical", "industry sector", "settore di attività", "comparto"),
    "employees": ("company size", "number of employees", "no. of employees", "employee count", "headcount",
                  "staff", "numero dipendenti", "n. dipendenti"),
    "revenue": ("revenue", "turnover", "annual turnover", "company revenue", "fatturato"),
    "country": ("nation", "country/region", "nazione", "stato"),
    "source": ("lead source", "origin", "channel", "canale", "origine"),
    "owner": ("lead owner", "assigned to", "sales rep", "commerciale", "assegnato a"),
    "created": ("created date", "create date", "date created", "created on", "data creazione", "data"),
    "stage": ("lead status", "lifecycle stage", "pipeline stage", "deal stage", "stato lead"),
}


def guess(columns, meaning: str, *extra):
    """The column for a meaning by its header, or else by a name exports often give it (SYNONYMS)."""
    found = by_meaning(columns, meaning, *extra)
    return found if found is not None else find(columns, *SYNONYMS.get(meaning, ()))
